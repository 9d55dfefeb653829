//! ## What it does
//! Flags `WORKDIR` with a relative path (hadolint DL3000).
//!
//! ## Why it matters
//! A relative WORKDIR depends on every WORKDIR before it, including the base image's; the
//! directory you get changes when the base does.
//!
//! ## Example
//! ```dockerfile
//! WORKDIR app
//! ```
//!
//! ## Fix
//! Use an absolute path: `WORKDIR /app`.

use crate::dockerfile::Kind;
use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for stage in &ctx.df.stages {
        // an absolute WORKDIR earlier in the stage or a stage it is built FROM anchors it: the
        // base image's WORKDIR no longer matters
        let mut anchored =
            ctx.graph.ancestors(stage.index).iter().any(|&a| {
                ctx.df.stages[a].of_kind(Kind::Workdir).any(|w| w.words().first().is_some_and(|p| absolute(p)))
            });
        for ins in stage.of_kind(Kind::Workdir) {
            let Some(p) = ins.words().first() else {
                continue;
            };
            let p = p.trim_matches('"');
            if absolute(p) {
                anchored = true;
                continue;
            }
            if !anchored && !p.starts_with('$') {
                out.push(
                    Hit::on(ins, stage, format!("`WORKDIR {p}` is relative to whatever WORKDIR came before"))
                        .fix(format!("use an absolute path, e.g. `WORKDIR /{p}`"))
                        .alias("DL3000"),
                );
            }
        }
    }
}

/// `/app`, `C:\\app`, `c:/app`.
fn absolute(p: &str) -> bool {
    let p = p.trim_matches('"');
    p.starts_with('/') || (p.len() >= 2 && p.as_bytes()[1] == b':')
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::lines;

    #[test]
    fn flags_relative() {
        assert_eq!(lines("SL309", "FROM a:1\nWORKDIR app\n"), vec![2]);
        assert!(lines("SL309", "FROM a:1\nWORKDIR /app\nWORKDIR $HOME\nWORKDIR C:\\\\app\n").is_empty());
    }
}
