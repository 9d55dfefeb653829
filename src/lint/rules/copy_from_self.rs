//! ## What it does
//! Flags `COPY --from` (or `RUN --mount=from=`) that names the stage it is in, by name or
//! index (hadolint DL3023).
//!
//! ## Why it matters
//! A stage cannot read its own result while it is being built; BuildKit rejects it as a
//! circular dependency.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12-slim AS app
//! COPY --from=app /etc/passwd /tmp/passwd
//! ```
//!
//! ## Fix
//! Copy from the stage that produces the files, or use a plain `RUN cp` within the stage.

use crate::dockerfile::graph::{EdgeKind, StageRef};
use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for edge in ctx.graph.edges.iter().filter(|e| e.kind != EdgeKind::From && e.target == StageRef::SelfStage) {
        let stage = &ctx.df.stages[edge.stage];
        out.push(
            Hit {
                line: edge.line,
                end_line: edge.line,
                ..Hit::on_from(
                    stage,
                    format!("`--from={}` names the stage it is in (`{}`)", edge.written, stage.label()),
                )
            }
            .fix("copy from the stage that produces the files")
            .alias("DL3023"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::lines;

    #[test]
    fn flags_self_reference() {
        assert_eq!(lines("SL202", "FROM a:1 AS app\nCOPY --from=app /x /y\n"), vec![2]);
        assert_eq!(lines("SL202", "FROM a:1\nFROM b:1\nCOPY --from=1 /x /y\n"), vec![3]);
    }

    #[test]
    fn other_stages_pass() {
        assert!(lines("SL202", "FROM a:1 AS b\nFROM b:1 AS app\nCOPY --from=b /x /y\n").is_empty());
    }
}
