//! ## What it does
//! Flags a `FROM` image without a tag or digest (hadolint DL3006). Stages, `scratch` and
//! references built from build arguments are not flagged.
//!
//! ## Why it matters
//! An untagged image means `latest`: the base changes under you between two builds of the
//! same commit, and so does the size shiplight compares.
//!
//! ## Example
//! ```dockerfile
//! FROM python
//! ```
//!
//! ## Fix
//! Pin a tag (`python:3.12-slim`), or better a digest.

use crate::dockerfile::graph::StageRef;
use crate::dockerfile::ImageRef;
use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for stage in &ctx.df.stages {
        let StageRef::Image(image) = &ctx.graph.bases[stage.index] else {
            continue;
        };
        if image.contains('$') {
            continue;
        }
        let r = ImageRef::parse(image);
        if r.tag.is_none() && r.digest.is_none() {
            out.push(
                Hit::on_from(stage, format!("`{image}` has no tag, so it means `latest` and changes between builds"))
                    .fix(format!("pin a version: `{image}:<version>`"))
                    .alias("DL3006"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::lines;

    #[test]
    fn flags_untagged() {
        assert_eq!(lines("SL304", "FROM python\nFROM ghcr.io/a/b AS x\n"), vec![1, 2]);
        assert!(lines(
            "SL304",
            "ARG V=1\nFROM python:3 AS a\nFROM a\nFROM scratch\nFROM img@sha256:abc\nFROM ${IMG}\n"
        )
        .is_empty());
    }
}
