//! ## What it does
//! When `trusted-registries` is configured (or hadolint's `trustedRegistries`), flags base
//! images and `COPY --from` images from any other registry (hadolint DL3026). Images without
//! a registry come from `docker.io`. Entries may use a leading wildcard: `*.corp.example`.
//!
//! ## Why it matters
//! Teams pin where base images come from for provenance, licensing and rate limits; an image
//! from elsewhere slips past their scanning and mirroring.
//!
//! ## Example
//! ```dockerfile
//! # .shiplight.yml: trusted-registries: [ghcr.io]
//! FROM quay.io/someone/base:1
//! ```
//!
//! ## Fix
//! Use the image from a trusted registry (or mirror it there), or add the registry to
//! `trusted-registries`.

use crate::dockerfile::graph::{EdgeKind, StageRef};
use crate::dockerfile::ImageRef;
use crate::lint::{Ctx, Hit};

fn trusted(registry: &str, list: &[String]) -> bool {
    list.iter().any(|t| {
        let t = t.trim().to_ascii_lowercase();
        let r = registry.to_ascii_lowercase();
        match t.strip_prefix("*.") {
            Some(suffix) => r.ends_with(&format!(".{suffix}")),
            None => r == t || (t == "docker.io" && matches!(r.as_str(), "index.docker.io" | "registry-1.docker.io")),
        }
    })
}

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    let list = &ctx.config.trusted_registries;
    if list.is_empty() {
        return;
    }
    for edge in &ctx.graph.edges {
        let StageRef::Image(image) = &edge.target else {
            continue;
        };
        if image.contains('$') {
            continue;
        }
        let registry = ImageRef::parse(image).registry;
        if trusted(&registry, list) {
            continue;
        }
        let stage = &ctx.df.stages[edge.stage];
        let msg =
            format!("`{image}` comes from `{registry}`, which is not in trusted-registries ({})", list.join(", "));
        let hit = if edge.kind == EdgeKind::From {
            Hit::on_from(stage, msg)
        } else {
            Hit { line: edge.line, end_line: edge.line, ..Hit::on_from(stage, msg) }
        };
        out.push(
            hit.fix("pull it from a trusted registry, or add the registry to `trusted-registries`").alias("DL3026"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::with_config;
    use crate::lint::LintConfig;

    #[test]
    fn flags_only_when_configured() {
        let text = "FROM quay.io/a/b:1 AS x\nFROM python:3.12-slim\nCOPY --from=evil.io/c:1 /a /a\n";
        assert!(with_config("SL111", text, &LintConfig::default()).is_empty());
        let config = LintConfig {
            trusted_registries: vec!["docker.io".into(), "*.corp.example".into()],
            ..LintConfig::default()
        };
        let lines: Vec<usize> = with_config("SL111", text, &config).into_iter().map(|(l, _)| l).collect();
        assert_eq!(lines, vec![1, 3]);
        assert!(with_config("SL111", "FROM reg.corp.example/base:1\n", &config).is_empty());
    }
}
