//! ## What it does
//! Flags a stage that the final stage (or the configured targets) never reaches through
//! `FROM`, `COPY --from` or `RUN --mount=from=`, and that is no other possible target.
//!
//! Many files are built with several `--target`s (buildkit's own, monorepos, `dev`/`test`
//! stages next to the one that ships), and a linter cannot see the CI that builds them. So
//! besides the targets it is told of (`--target`, `.shiplight.yml`, a compose file's
//! `build.target`), a stage counts as a possible target, not dead code, when it is:
//! - the last stage: what a plain `docker build` builds;
//! - one of two or more named stages that no stage references: a file with several such
//!   leaves is a menu of targets. A single one is more likely a leftover, and is flagged;
//! - a named stage that nothing references and that is built `FROM` a stage the targets use:
//!   a flavour of what ships (`FROM builder AS dev-envs`, `FROM runtime AS debug`);
//! - a stage another build path of the repository builds (a dev container's target, a CI
//!   check: `shiplight ships` lists them), or may build: a compose `target:
//!   ${ENVIRONMENT:-development}` builds whatever stage the variable names;
//! - a stage a possible target reaches.
//!
//! A vendored file (`vendor/`, `third_party/`, `node_modules/`) that nothing in the repository
//! builds is not checked: it is another repository's, whose own build picks its targets.
//!
//! ## Why it matters
//! An unused stage is dead code: the classic builder still builds it (time and cache), and
//! readers assume it matters. Often it is a leftover, or a typo in a `--from`.
//!
//! ## Example
//! ```dockerfile
//! FROM node:20 AS test
//! RUN npm test
//! FROM node:20-slim
//! COPY . .
//! ```
//!
//! ## Fix
//! Remove the stage, reference it, or list it under `targets:` in `.shiplight.yml` when it is
//! built on purpose with `--target`.

use crate::dockerfile::graph::StageRef;
use crate::lint::{Ctx, Hit};

/// Whether stage name `name` fits `pattern`, a name written with variables
/// (`golangci-binary-${FROM_SOURCE}` fits `golangci-binary-false`): the literal text before
/// the first variable and after the last one match, case-insensitively.
fn fits(pattern: &str, name: &str) -> bool {
    let (p, n) = (pattern.to_ascii_lowercase(), name.to_ascii_lowercase());
    let Some(first) = p.find('$') else { return p == n };
    let prefix = &p[..first];
    // the literal tail: past the last `}` of a braced variable, or the last variable's name
    let last = p.rfind('$').unwrap_or(first);
    let tail = &p[last + 1..];
    let suffix = match tail.strip_prefix('{') {
        Some(t) => t.find('}').map(|e| &t[e + 1..]).unwrap_or(""),
        None => tail.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_'),
    };
    n.len() > prefix.len() + suffix.len() && n.starts_with(prefix) && n.ends_with(suffix)
}

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    // a vendored file nothing here builds is another repository's: its own build (often a
    // bake file beside it, as tonistiigi's modules have) picks the targets
    if ctx.config.vendored {
        return;
    }
    let targets: Vec<String> = ctx
        .finals()
        .map(|s| match &s.name {
            Some(n) => format!("the final stage `{n}`"),
            None => format!("the final stage (line {})", s.line),
        })
        .collect();
    let n = ctx.df.stages.len();
    // stages some stage builds on, copies from or mounts
    let mut referenced = vec![false; n];
    for e in &ctx.graph.edges {
        if let StageRef::Stage(j) = e.target {
            if j != e.stage {
                referenced[j] = true;
            }
        }
    }
    let leaves: Vec<usize> =
        (0..n).filter(|&i| !referenced[i] && !ctx.graph.reachable[i] && ctx.df.stages[i].name.is_some()).collect();
    let mut possible: Vec<usize> = vec![n - 1];
    // what other build paths of the repository build (a dev container's target, a CI check)
    possible.extend(
        ctx.config.built.iter().filter_map(|t| {
            ctx.df.stage_named(t).map(|s| s.index).or_else(|| t.parse::<usize>().ok().filter(|&i| i < n))
        }),
    );
    if leaves.len() >= 2 {
        possible.extend(&leaves);
    }
    // a stage an ARG picks (`FROM bin-${FROM_SOURCE}`, `COPY --from=build-$TARGETOS`), or a
    // build path's variable target (compose's `target: ${ENVIRONMENT:-development}`): every
    // stage whose name fits the written pattern may be the one
    let patterns: Vec<&str> = ctx
        .df
        .stages
        .iter()
        .flat_map(|s| {
            std::iter::once(s.base.as_str()).chain(s.instructions.iter().flat_map(|i| {
                i.flag_values("from").chain(i.flag_values("mount").flat_map(|m| {
                    crate::dockerfile::mount_options(m).into_iter().filter(|(k, _)| *k == "from").map(|(_, v)| v)
                }))
            }))
        })
        .chain(ctx.config.built.iter().map(String::as_str))
        .filter(|w| w.contains('$'))
        .collect();
    possible.extend(
        ctx.df
            .stages
            .iter()
            .filter(|s| s.name.as_deref().is_some_and(|n| patterns.iter().any(|p| fits(p, n))))
            .map(|s| s.index),
    );
    // flavours: named leaves built FROM a stage the targets use
    possible.extend(
        leaves.iter().copied().filter(|&i| matches!(ctx.graph.bases[i], StageRef::Stage(b) if ctx.graph.reachable[b])),
    );
    // and what the possible targets reach
    let mut also = vec![false; n];
    while let Some(i) = possible.pop() {
        if std::mem::replace(&mut also[i], true) {
            continue;
        }
        for e in ctx.graph.edges_of(i) {
            if let StageRef::Stage(j) = e.target {
                possible.push(j);
            }
        }
    }
    for stage in &ctx.df.stages {
        if !ctx.graph.reachable[stage.index] && !also[stage.index] {
            out.push(
                Hit::on_from(
                    stage,
                    format!(
                        "stage `{}` is not used by {} (no FROM, COPY --from or RUN --mount reaches it)",
                        stage.label(),
                        if targets.is_empty() { "the stage that is built".to_owned() } else { targets.join(", ") }
                    ),
                )
                .fix("remove it, reference it, or add it to `targets:` in .shiplight.yml if it is built with --target"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::lines;

    /// A stage an ARG picks by name is used: every stage the written pattern fits may be it.
    #[test]
    fn a_stage_an_arg_picks_is_used() {
        let text = |first: &str| {
            format!("ARG FROM_SOURCE=false\nFROM golang:1.22 AS {first}\nRUN go build\nFROM alpine:3 AS lint-binary-false\nRUN apk add golangci-lint\nFROM lint-binary-${{FROM_SOURCE}} AS lint\nRUN lint\nFROM alpine:3\nCOPY --from=lint /x /x\n")
        };
        assert!(lines("SL105", &text("lint-binary-true")).is_empty());
        // a stage the pattern does not fit stays unused
        assert_eq!(lines("SL105", &text("other-true")), vec![2]);
        assert!(super::fits("build-$TARGETOS", "build-linux"));
        assert!(!super::fits("build-$TARGETOS", "build"));
        assert!(super::fits("bin-${OS}-x", "bin-linux-x"));
    }

    #[test]
    fn flags_unreached_stages() {
        assert_eq!(
            lines("SL105", "FROM a:1 AS test\nRUN x\nFROM a:1 AS build\nFROM b:1\nCOPY --from=build /x /x\n"),
            vec![1]
        );
    }

    /// buildkit-style files are menus of targets; the last stage is what `docker build`
    /// builds; a compose target elsewhere leaves the last (dev) stage a target still.
    #[test]
    fn possible_targets_are_not_dead_code() {
        let menu = "FROM a:1 AS base\nFROM base AS binaries\nFROM base AS integration-tests\nFROM base AS release\nFROM b:1\nCOPY --from=release /x /x\n";
        assert!(lines("SL105", menu).is_empty());
        let cfg = crate::lint::LintConfig { targets: vec!["builder".into()], ..Default::default() };
        let compose = "FROM a:1 AS builder\nRUN make\nFROM builder AS dev-envs\nRUN apt-get install -y git\n";
        let found = crate::lint::lint_text(compose, "D", &cfg);
        assert!(!found.iter().any(|f| f.code == "SL105"), "{found:?}");
        // a flavour of what ships: built FROM a stage the target uses
        let flavour = "FROM a:1 AS builder\nRUN make\nFROM builder AS debug\nRUN apt-get install -y gdb\nFROM b:1\nCOPY --from=builder /x /x\n";
        assert!(lines("SL105", flavour).is_empty());
        // one stray named stage, and an unnamed one, are still flagged
        assert_eq!(lines("SL105", "FROM a:1 AS old\nRUN x\nFROM a:1\nFROM b:1\n"), vec![1, 3]);
    }

    /// Round 68 (cla_backend, held out): compose builds `target: ${ENVIRONMENT:-development}`,
    /// and `ENVIRONMENT=test` picks the `test` stage: a target a variable picks may be any
    /// stage whose name fits
    #[test]
    fn a_stage_a_variable_target_may_pick_is_not_dead_code() {
        let text =
            "FROM a:1 AS base\nFROM base AS development\nFROM development AS test\nRUN x\nFROM base AS production\n";
        let built = |b: &[&str]| crate::lint::LintConfig {
            targets: vec!["production".into()],
            built: b.iter().map(|t| t.to_string()).collect(),
            ..Default::default()
        };
        let found = |cfg| {
            crate::lint::lint_text(text, "D", &cfg)
                .into_iter()
                .filter(|f| f.code == "SL105")
                .map(|f| f.line)
                .collect::<Vec<_>>()
        };
        assert_eq!(found(built(&["development"])), vec![3]);
        assert!(found(built(&["development", "${ENVIRONMENT:-development}"])).is_empty());
        // a pattern with literal words fits only the names that have them
        assert_eq!(found(built(&["development", "dev-${V}"])), vec![3]);
    }

    #[test]
    fn reached_stages_pass() {
        assert!(lines("SL105", "FROM a:1 AS deps\nFROM deps AS build\nFROM b:1\nCOPY --from=build /x /x\nRUN --mount=from=deps,target=/d true\n").is_empty());
        assert!(lines("SL105", "FROM a:1\n").is_empty());
    }
}
