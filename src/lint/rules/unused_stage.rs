//! ## What it does
//! Flags a stage that the final stage (or the configured targets) never reaches through
//! `FROM`, `COPY --from` or `RUN --mount=from=`.
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

use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    let targets: Vec<String> = ctx
        .finals()
        .map(|s| match &s.name {
            Some(n) => format!("the final stage `{n}`"),
            None => format!("the final stage (line {})", s.line),
        })
        .collect();
    for stage in &ctx.df.stages {
        if !ctx.graph.reachable[stage.index] {
            out.push(
                Hit::on_from(
                    stage,
                    format!(
                        "stage `{}` is not used by {} (no FROM, COPY --from or RUN --mount reaches it)",
                        stage.label(),
                        targets.join(", ")
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

    #[test]
    fn flags_unreached_stages() {
        assert_eq!(
            lines("SL105", "FROM a:1 AS test\nRUN x\nFROM a:1 AS build\nFROM b:1\nCOPY --from=build /x /x\n"),
            vec![1]
        );
    }

    #[test]
    fn reached_stages_pass() {
        assert!(lines("SL105", "FROM a:1 AS deps\nFROM deps AS build\nFROM b:1\nCOPY --from=build /x /x\nRUN --mount=from=deps,target=/d true\n").is_empty());
        assert!(lines("SL105", "FROM a:1\n").is_empty());
    }
}
