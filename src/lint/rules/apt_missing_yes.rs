//! ## What it does
//! Flags `apt-get install` without `-y`/`--yes`/`--assume-yes`/`-qq` (hadolint DL3014),
//! unless apt was told to assume yes before: `APT::Get::Assume-Yes "true"` written to a file
//! under `/etc/apt` earlier in the RUN or in an earlier RUN of the stage's lineage.
//!
//! ## Why it matters
//! Without it apt-get asks for confirmation; a build has no one to answer, so it aborts.
//!
//! ## Example
//! ```dockerfile
//! RUN apt-get install curl
//! ```
//!
//! ## Fix
//! `apt-get install -y curl`. Offered as a fix (`shiplight lint --fix`, review suggestions):
//! `-y` after each such `install`; none when an install is written in a heredoc body.

use crate::dockerfile::packages::system_install;
use crate::lint::{Ctx, Hit};
use crate::patch::edits;

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for stage in &ctx.df.stages {
        for (ins, script) in ctx.runs(stage) {
            let missing: Vec<_> = script
                .commands
                .iter()
                .enumerate()
                .filter(|(at, c)| {
                    system_install(c).is_some_and(|(m, _)| m.is_apt())
                        && !c.args().iter().any(|a| {
                            matches!(a.as_str(), "--yes" | "--assume-yes" | "-qq" | "-q=2" | "--quiet=2")
                                || (a.starts_with('-') && !a.starts_with("--") && a.contains('y'))
                        })
                        && !ctx.apt_option(stage, ins, *at, "APT::Get::Assume-Yes", &["true", "1", "yes"])
                })
                .map(|(_, c)| c)
                .collect();
            if !missing.is_empty() {
                let edits = edits::flag_after_verb(ins, &missing, "install", "-y");
                out.push(
                    Hit::on(ins, stage, "`apt-get install` without `-y` waits for a confirmation no one can give")
                        .fix("add `-y`")
                        .alias("DL3014")
                        .edits(edits),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::lines;

    #[test]
    fn flags_missing_yes() {
        assert_eq!(lines("SL303", "FROM debian:12\nRUN apt-get install curl\n"), vec![2]);
        for ok in ["-y", "--yes", "-qy", "-qq", "--assume-yes"] {
            assert!(lines("SL303", &format!("FROM debian:12\nRUN apt-get install {ok} curl\n")).is_empty(), "{ok}");
        }
        // apt told to assume yes in its configuration by an earlier RUN (photoprism)
        let conf = "RUN echo 'APT::Get::Assume-Yes \"true\";' > /etc/apt/apt.conf.d/80forceyes\n";
        assert!(lines("SL303", &format!("FROM debian:12\n{conf}RUN apt-get install curl\n")).is_empty());
        assert_eq!(lines("SL303", &format!("FROM debian:12\nRUN apt-get install curl\n{conf}")), vec![2]);
        // postgres 18: a simulated install asks nothing (and installs nothing)
        let probe = "FROM debian:12\nRUN if apt-get install -s \"postgresql-18-jit\" > /dev/null 2>&1; then apt-get install -y postgresql-18-jit; fi\n";
        assert!(lines("SL303", probe).is_empty());
        // `apt-get -f install` after `dpkg -i` prompts when it has something to fix
        assert_eq!(lines("SL303", "FROM debian:12\nRUN dpkg -i /tmp/z.deb; apt-get -f install\n"), vec![2]);
    }
}
