//! ## What it does
//! Flags a `FROM` image without a tag or digest (hadolint DL3006). Stages, `scratch` and
//! references built from build arguments are not flagged, nor an image the repository builds
//! itself (a workflow, bake target or compose service tags it: the FROM means that build) or
//! a named build context (bake `contexts`, `--build-context`, compose `additional_contexts`),
//! which BuildKit gives in place of a registry's image.
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
        // built from build arguments: the build decides the value, the default is a fallback
        if image.contains('$') || crate::dockerfile::tag_from_arg(&stage.base) {
            continue;
        }
        let r = ImageRef::parse(image);
        // the repository's own image (a build path tags it), or a named build context
        if r.tag.is_none() && r.digest.is_none() && !ctx.local_image(image) {
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

    /// A base the repository builds itself, or a named build context, is not a registry's
    /// `latest`.
    #[test]
    fn an_arg_built_reference_is_the_builds_to_decide() {
        assert!(lines("SL304", "ARG BASE_TEST_IMAGE=cypress/factory\nFROM ${BASE_TEST_IMAGE}\n").is_empty());
    }

    #[test]
    fn the_repositorys_own_images_and_named_contexts_pass() {
        let cfg = crate::lint::LintConfig {
            local_images: vec!["ghcr.io/o/base".into(), "docker.io/o/tools".into(), "gobase".into()],
            ..Default::default()
        };
        let text = "FROM ghcr.io/o/base AS a\nFROM o/tools AS b\nFROM gobase AS c\nFROM o/other\n";
        let found = crate::lint::rules::testing::with_config("SL304", text, &cfg);
        assert_eq!(found.iter().map(|(l, _)| *l).collect::<Vec<_>>(), vec![4]);
    }

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
