//! ## What it does
//! Flags `apt-get install` (or `apt install`) without `--no-install-recommends` in a stage
//! that ships (hadolint DL3015 fires in every stage; in a builder stage recommended packages
//! cost build time, not image size, so shiplight leaves them alone). Nor does it fire when
//! the RUN removes what it installed again with an auto-remove (the official images'
//! build-deps idiom): the recommendations go with them, nothing of them ships. Nor when apt
//! was told so before: `APT::Install-Recommends "false"` written to a file under `/etc/apt`
//! earlier in the RUN or in an earlier RUN of the stage's lineage.
//!
//! ## Why it matters
//! Recommended packages are not needed to run what you install, and often double the size
//! of an install (documentation, optional tools, their dependencies).
//!
//! ## Example
//! ```dockerfile
//! RUN apt-get update && apt-get install -y curl
//! ```
//!
//! ## Fix
//! `apt-get install -y --no-install-recommends curl`. Offered as a fix (`shiplight lint
//! --fix`, review suggestions): the flag after each such `install`; none when an install is
//! written in a heredoc body.

use crate::dockerfile::packages::system_install;
use crate::lint::{Ctx, Hit};
use crate::patch::edits;

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for stage in ctx.shipped() {
        let states: Vec<_> = ctx.ship_states(stage).map(|(_, s)| s).collect();
        for ((ins, script), state) in ctx.runs(stage).zip(states) {
            let missing: Vec<_> = script
                .commands
                .iter()
                .enumerate()
                .filter(|(at, c)| {
                    !state.leaves_nothing_of(script, *at)
                        && system_install(c).is_some_and(|(m, _)| m.is_apt())
                        && !c.has_flag(&["--no-install-recommends"])
                        && !c
                            .args()
                            .iter()
                            .any(|a| a.contains("Install-Recommends=false") || a.contains("Install-Recommends=0"))
                        && !ctx.apt_option(stage, ins, *at, "APT::Install-Recommends", &["false", "0", "no"])
                })
                .map(|(_, c)| c)
                .collect();
            if !missing.is_empty() {
                let edits = edits::flag_after_verb(ins, &missing, "install", "--no-install-recommends");
                out.push(
                    Hit::on(
                        ins,
                        stage,
                        "`apt-get install` without `--no-install-recommends` also installs recommended packages",
                    )
                    .fix("add `--no-install-recommends`")
                    .alias("DL3015")
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
    fn flags_missing_flag() {
        assert_eq!(lines("SL302", "FROM debian:12\nRUN apt-get install -y curl\n"), vec![2]);
        assert!(lines("SL302", "FROM debian:12\nRUN apt-get install -y --no-install-recommends curl\n").is_empty());
        assert!(
            lines("SL302", "FROM debian:12\nRUN apt-get -o APT::Install-Recommends=false install -y curl\n").is_empty()
        );
        // installed and auto-removed in the same RUN: the recommendations go too
        let purged =
            "FROM debian:12\nRUN apt-get install -y gcc make && make && apt-get purge -y --auto-remove gcc make\n";
        assert!(lines("SL302", purged).is_empty());
        // apt told so in its configuration, earlier in the RUN or in an earlier RUN (photoprism)
        let conf = "echo 'APT::Install-Recommends \"false\";' > /etc/apt/apt.conf.d/80recommends";
        assert!(lines("SL302", &format!("FROM debian:12\nRUN {conf} && apt-get install -y curl\n")).is_empty());
        assert!(lines(
            "SL302",
            &format!("FROM debian:12 AS base\nRUN {conf}\nFROM base\nRUN apt-get install -y curl\n")
        )
        .is_empty());
        // … but not after the install, not a file outside /etc/apt, and not "true"
        assert_eq!(lines("SL302", &format!("FROM debian:12\nRUN apt-get install -y curl && {conf}\n")), vec![2]);
        let elsewhere = conf.replace("/etc/apt/apt.conf.d/80recommends", "/tmp/80recommends");
        assert_eq!(lines("SL302", &format!("FROM debian:12\nRUN {elsewhere} && apt-get install -y curl\n")), vec![2]);
        let on = conf.replace("false", "true");
        assert_eq!(lines("SL302", &format!("FROM debian:12\nRUN {on} && apt-get install -y curl\n")), vec![2]);
        // purged without auto-remove: the recommendations stay
        assert_eq!(lines("SL302", "FROM debian:12\nRUN apt-get install -y gcc && apt-get purge -y gcc\n"), vec![2]);
        // only part removed: the rest and its recommendations ship
        assert_eq!(
            lines("SL302", "FROM debian:12\nRUN apt-get install -y gcc curl && apt-get purge -y --auto-remove gcc\n"),
            vec![2]
        );
    }
}
