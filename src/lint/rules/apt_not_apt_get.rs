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
//! Use `apt-get update && apt-get install -y …`. Offered as a fix (`shiplight lint --fix`,
//! review suggestions) when every `apt` of the RUN is one of `install`, `update`, `remove`,
//! `purge`, `autoremove`, `clean`, `autoclean`, which apt-get runs the same way: `apt
//! upgrade` also installs new dependencies and apt-get's does not, and `apt list`, `search`,
//! `show` have no apt-get twin.

use crate::lint::{Ctx, Hit};
use crate::patch::edits;

/// `apt` subcommands that `apt-get` runs the same way in a script. Not `upgrade` (apt's
/// installs new dependencies, apt-get's does not), nor `list`, `search`, `show`,
/// `full-upgrade`, which apt-get has not.
const SAME_IN_APT_GET: &[&str] = &["install", "update", "remove", "purge", "autoremove", "clean", "autoclean"];

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for stage in &ctx.df.stages {
        for (ins, script) in ctx.runs(stage) {
            let apts: Vec<_> = script.calls(&["apt"]).collect();
            if apts.is_empty() {
                continue;
            }
            // certain only when every `apt` is written `apt` and does what apt-get does
            let edits = apts
                .iter()
                .map(|c| {
                    let k = c.effective_start();
                    let same = c.words[k] == "apt" && c.subcommand().is_some_and(|s| SAME_IN_APT_GET.contains(&s));
                    same.then(|| edits::replace_word(ins, c, k, "apt-get")).flatten()
                })
                .collect::<Option<Vec<_>>>()
                .unwrap_or_default();
            out.push(
                Hit::on(ins, stage, "`apt` has no stable command-line interface; use `apt-get` in scripts")
                    .fix("replace `apt` with `apt-get`")
                    .alias("DL3027")
                    .edits(edits),
            );
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
