//! ## What it does
//! Flags a `FROM` image tagged `:latest` (hadolint DL3007), and an image a `COPY --from` or a
//! `RUN --mount=from=` takes files from by `:latest` (`COPY --from=composer:latest
//! /usr/bin/composer …`), unless the repository builds that image itself.
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

use crate::dockerfile::graph::{EdgeKind, StageRef};
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
    // files taken from an image: the same moving target, one file at a time
    for e in ctx.graph.edges.iter().filter(|e| e.kind != EdgeKind::From) {
        let StageRef::Image(image) = &e.target else { continue };
        let r = ImageRef::parse(image);
        if r.tag.as_deref() != Some("latest") || r.digest.is_some() || e.written.contains('$') || ctx.local_image(image)
        {
            continue;
        }
        let stage = &ctx.df.stages[e.stage];
        let Some(ins) = stage.instructions.iter().find(|i| i.line == e.line) else { continue };
        let how = if e.kind == EdgeKind::CopyFrom { "COPY copies from" } else { "RUN mounts" };
        out.push(
            Hit::on(ins, stage, format!("this {how} `{image}`, which follows `latest` and changes between builds"))
                .fix("pin a version tag or a digest"),
        );
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

    /// Round 81 (DVWA, held out): `COPY --from=composer:latest` takes Composer from whatever
    /// `latest` is that day; a pinned tag, a stage, an ARG or the repository's own image is not
    #[test]
    fn files_from_an_image_by_latest_are_flagged() {
        use crate::lint::rules::testing::messages;
        let m = messages(
            "SL305",
            "FROM php:8-apache\nCOPY --from=composer:latest /usr/bin/composer /usr/local/bin/composer\n",
        );
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(m[0].0, 2);
        assert!(m[0].1.contains("this COPY copies from `composer:latest`"), "{m:?}");
        assert_eq!(
            lines("SL305", "FROM python:3.12-slim\nRUN --mount=from=ghcr.io/astral-sh/uv:latest,source=/uv,target=/bin/uv uv sync\n"),
            vec![2]
        );
        for text in [
            "FROM php:8\nCOPY --from=composer:2 /usr/bin/composer /usr/bin/\n",
            "FROM php:8 AS latest\nFROM php:8\nCOPY --from=latest /a /a\n",
            "ARG C=composer:latest\nFROM php:8\nCOPY --from=${C} /usr/bin/composer /usr/bin/\n",
            "FROM php:8\nCOPY --from=composer:latest@sha256:4d71c3c2109c61d5415544264b59ad4087e4c5b7244481723664138fd36d5040 /usr/bin/composer /usr/bin/\n",
        ] {
            assert!(lines("SL305", text).is_empty(), "{text}");
        }
        let cfg = crate::lint::LintConfig { local_images: vec!["org/tools:latest".into()], ..Default::default() };
        let own = "FROM debian:12\nCOPY --from=org/tools:latest /bin/t /bin/t\n";
        assert!(crate::lint::rules::testing::with_config("SL305", own, &cfg).is_empty());
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
