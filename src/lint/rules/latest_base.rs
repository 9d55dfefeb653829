//! ## What it does
//! Flags a `FROM` image tagged `:latest` (hadolint DL3007).
//!
//! ## Why it matters
//! `latest` moves: two builds of the same commit can ship different bases, and a size
//! regression can come from upstream rather than from the pull request.
//!
//! ## Example
//! ```dockerfile
//! FROM node:latest
//! ```
//!
//! ## Fix
//! Pin a version tag (`node:20-slim`) or a digest.

use crate::dockerfile::graph::StageRef;
use crate::dockerfile::ImageRef;
use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for stage in &ctx.df.stages {
        let StageRef::Image(image) = &ctx.graph.bases[stage.index] else {
            continue;
        };
        let r = ImageRef::parse(image);
        // `latest` only as a build argument's default: the build decides the tag
        if r.tag.as_deref() == Some("latest") && r.digest.is_none() && !crate::dockerfile::tag_from_arg(&stage.base) {
            out.push(
                Hit::on_from(stage, format!("`{image}` follows `latest`, which changes between builds"))
                    .fix("pin a version tag or a digest")
                    .alias("DL3007"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::lines;

    #[test]
    fn flags_latest() {
        assert_eq!(lines("SL305", "FROM node:latest\n"), vec![1]);
        assert!(lines("SL305", "FROM node:20\nFROM node:latest@sha256:abc\n").is_empty());
    }

    /// `latest` as a build argument's default is the build's to replace (a Makefile passes
    /// `--build-arg VERSION=…`): only a `latest` written in the FROM itself is flagged.
    #[test]
    fn latest_only_as_an_arg_default_passes() {
        assert!(lines("SL305", "ARG NAMESPACE=selenium\nARG VERSION=latest\nFROM ${NAMESPACE}/base:${VERSION}\n")
            .is_empty());
        assert_eq!(lines("SL305", "ARG NS=selenium\nFROM ${NS}/base:latest\n"), vec![2]);
    }
}
