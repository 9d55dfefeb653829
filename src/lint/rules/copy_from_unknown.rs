//! ## What it does
//! Flags `COPY --from=…`, `ADD --from=…` and `RUN --mount=from=…` that name no stage defined
//! above: a stage defined later, or a bare name that is neither a stage nor an image
//! reference (hadolint DL3022). Suggests the closest stage name.
//!
//! ## Why it matters
//! BuildKit treats an unknown name as an image to pull: a typo in `--from=biuld` becomes a
//! failed pull of `docker.io/library/biuld` — or worse, a successful pull of someone's image.
//!
//! ## Example
//! ```dockerfile
//! FROM golang:1.22 AS build
//! FROM scratch
//! COPY --from=biuld /app /app
//! ```
//!
//! ## Fix
//! Name a stage defined above (names are case-insensitive), or write the image with a tag
//! (`--from=nginx:1.27`) if an image was meant.

use crate::dockerfile::graph::{EdgeKind, StageRef};
use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for edge in ctx.graph.edges.iter().filter(|e| e.kind != EdgeKind::From) {
        let stage = &ctx.df.stages[edge.stage];
        let at = |msg: String| Hit { line: edge.line, end_line: edge.line, ..Hit::on_from(stage, msg) };
        match &edge.target {
            StageRef::Later(i) => {
                let later = &ctx.df.stages[*i];
                out.push(
                    at(format!(
                        "`--from={}` names stage `{}`, defined later on line {}: a stage can only use stages above it",
                        edge.written,
                        later.label(),
                        later.line
                    ))
                    .fix("move that stage above this one"),
                );
            }
            StageRef::Unknown(name) if name.is_empty() => {
                // `COPY --from build …`: Docker takes flag values only after `=`
                let next =
                    ctx.df.stages[edge.stage].instructions.iter().find(|i| i.line == edge.line).and_then(|i| match &i
                        .body
                    {
                        crate::dockerfile::Body::Copy { sources, .. } => sources.first().cloned(),
                        _ => None,
                    });
                let fix = match next {
                    Some(w) => format!("write `--from={w}`: Docker reads `--from {w}` as a flag without a value"),
                    None => "give `--from=` a stage name or an image".to_owned(),
                };
                out.push(at("`--from` has no value, so the build fails".to_owned()).fix(fix).alias("DL3022"));
            }
            // a named build context the repository's builds give this Dockerfile (bake
            // `contexts`, `--build-context`, compose `additional_contexts`)
            StageRef::Unknown(name) if ctx.config.local_images.iter().any(|l| l.eq_ignore_ascii_case(name)) => {}
            StageRef::Unknown(name) => {
                let above: Vec<&str> = ctx.df.stages[..edge.stage].iter().filter_map(|s| s.name.as_deref()).collect();
                let close = above
                    .iter()
                    .map(|n| (strsim::levenshtein(&n.to_ascii_lowercase(), &name.to_ascii_lowercase()), *n))
                    .filter(|(d, _)| *d <= 2)
                    .min();
                let fix = match close {
                    Some((_, n)) => format!("did you mean `--from={n}`?"),
                    None if above.is_empty() => {
                        "define the stage above with `FROM … AS name`, or give the image a tag".to_owned()
                    }
                    None => format!("stages above are: {}; or give the image a tag", above.join(", ")),
                };
                out.push(
                    at(format!("`--from={name}` names no stage defined above, and is not an image reference"))
                        .fix(fix)
                        .alias("DL3022"),
                );
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::{lines, messages};

    #[test]
    fn a_from_flag_without_its_equals_sign_says_so() {
        // vimagick/dockerfiles obs-web-arm
        let m =
            messages("SL201", "FROM alpine AS build\nRUN true\nFROM nginx:1\nCOPY --from build /app/public/* /html/\n");
        assert_eq!(m.len(), 1);
        assert!(m[0].1.contains("`--from` has no value"), "{}", m[0].1);
    }

    #[test]
    fn flags_unknown_and_later_stages() {
        let text = "FROM golang:1.22 AS build\nFROM scratch\nCOPY --from=biuld /a /a\nCOPY --from=later /b /b\nFROM alpine:3 AS later\n";
        assert_eq!(lines("SL201", text), vec![3, 4]);
        let f = crate::lint::lint_text(text, "D", &crate::lint::LintConfig::default());
        assert!(f.iter().any(|f| f.fix.as_deref() == Some("did you mean `--from=build`?")));
        assert_eq!(lines("SL201", "FROM a:1\nRUN --mount=type=bind,from=nope,target=/x true\n"), vec![2]);
    }

    /// Mailu (held out in round 22): bake gives `admin` the context `assets = "target:assets"`
    #[test]
    fn a_named_build_context_passes() {
        let cfg = crate::lint::LintConfig { local_images: vec!["assets".into()], ..Default::default() };
        let text = "FROM a:1\nCOPY --from=assets /app /app\nCOPY --from=asets /x /x\n";
        let found = crate::lint::rules::testing::with_config("SL201", text, &cfg);
        assert_eq!(found.iter().map(|(l, _)| *l).collect::<Vec<_>>(), vec![3]);
    }

    #[test]
    fn stages_indices_and_images_pass() {
        let text = "FROM a:1 AS Build\nFROM b:1\nCOPY --from=build /a /a\nCOPY --from=0 /a /a\nCOPY --from=nginx:1.27 /etc/nginx /etc/nginx\n";
        assert!(messages("SL201", text).is_empty());
    }
}
