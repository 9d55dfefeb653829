//! ## What it does
//! Flags packages the team has denied in shipped images (`deny-packages:` in
//! `.shiplight.yml`, globs such as `gcc*`, `*-dev`, `build-essential`) when the built image
//! holds them, on the line that installed them (the `FROM` line when the base image brought
//! them).
//!
//! It needs the image: `shiplight compare` and the Action check it on the pull request's
//! build, with the image's package inventory (deb, apk, pip, npm, Go). `shiplight lint` alone
//! cannot see packages and stays silent.
//!
//! ## Why it matters
//! A budget written as a list of what must never ship is easier to hold than a size: a
//! compiler in the final image is a regression whatever it weighs.
//!
//! ## Example
//! ```yaml
//! # .shiplight.yml
//! deny-packages: ["gcc*", "*-dev", build-essential]
//! ```
//! ```dockerfile
//! FROM debian:bookworm
//! RUN apt-get update && apt-get install -y build-essential
//! ```
//!
//! ## Fix
//! Install the package in a build stage and copy only its output; `shiplight suggest`
//! writes the multi-stage rewrite.

use crate::lint::{Ctx, Hit};

/// Nothing to check without an image: the built image's packages are checked in
/// `image::packages::budget`.
pub fn check(_ctx: &Ctx, _out: &mut Vec<Hit>) {}
