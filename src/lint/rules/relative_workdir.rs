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
        for ins in stage.of_kind(Kind::Workdir) {
            let Some(p) = ins.words().first() else {
                continue;
            };
            let p = p.trim_matches('"');
            let windows = p.len() >= 2 && p.as_bytes()[1] == b':';
            if !p.starts_with('/') && !p.starts_with('$') && !windows {
                out.push(
                    Hit::on(ins, stage, format!("`WORKDIR {p}` is relative to whatever WORKDIR came before"))
                        .fix(format!("use an absolute path, e.g. `WORKDIR /{p}`"))
                        .alias("DL3000"),
                );
            }
        }
    }
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
