//! ## What it does
//! Flags `apt` in RUN (hadolint DL3027).
//!
//! ## Why it matters
//! `apt` is the interactive front end: its output and options may change between releases
//! and it warns that it "does not have a stable CLI interface". Scripts use `apt-get`.
//!
//! ## Example
//! ```dockerfile
//! RUN apt update && apt install -y curl
//! ```
//!
//! ## Fix
//! Use `apt-get update && apt-get install -y …`.

use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for stage in &ctx.df.stages {
        for (ins, script) in ctx.runs(stage) {
            if script.calls(&["apt"]).next().is_some() {
                out.push(
                    Hit::on(ins, stage, "`apt` has no stable command-line interface; use `apt-get` in scripts")
                        .fix("replace `apt` with `apt-get`")
                        .alias("DL3027"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::lines;

    #[test]
    fn flags_apt() {
        assert_eq!(lines("SL301", "FROM debian:12\nRUN apt update && apt install -y curl\n"), vec![2]);
        assert!(lines("SL301", "FROM debian:12\nRUN apt-get update && apt-cache policy curl\n").is_empty());
    }
}
