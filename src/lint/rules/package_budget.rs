//! ## What it does
//! Flags a package larger than `max-package-bytes:` in `.shiplight.yml` (e.g. `50MB`) in the
//! built image, on the line that installed it.
//!
//! Like SL112 it needs the image, and is checked by `shiplight compare` and the Action on the
//! pull request's build; `shiplight lint` alone stays silent.
//!
//! ## Why it matters
//! One dependency can outweigh the application: a 300 MB machine-learning wheel, a full
//! browser pulled in by a test helper. A per-package budget names it in the review, before
//! the image budget is spent.
//!
//! ## Example
//! ```yaml
//! # .shiplight.yml
//! max-package-bytes: 50MB
//! ```
//!
//! ## Fix
//! Pick a lighter package, install only the extras you use, or move it to a build stage.

use crate::lint::{Ctx, Hit};

/// Nothing to check without an image: see `image::packages::budget`.
pub fn check(_ctx: &Ctx, _out: &mut Vec<Hit>) {}
