//! ## What it does
//! Flags `apt-get install` (or `apt install`) without `--no-install-recommends` in a stage
//! that ships (hadolint DL3015 fires in every stage; in a builder stage recommended packages
//! cost build time, not image size, so shiplight leaves them alone). Nor does it fire when
//! the RUN removes what it installed again with an auto-remove (the official images'
//! build-deps idiom): the recommendations go with them, nothing of them ships. Nor when apt
//! was told so before: `APT::Install-Recommends "false"` written to a file under `/etc/apt`
//! earlier in the RUN or in an earlier RUN of the stage's lineage. An install `xargs` runs
//! (`xargs -a packages.txt apt-get install -y`) is one. Nor when the flag would
//! change nothing: every package the install names brings no recommended package, neither
//! itself nor its dependencies beyond what every image has (`apt-get install -y locales`,
//! `libyaml-dev`; read from Debian bookworm's archive, so only on a base its name says is
//! Debian: Ubuntu's packages recommend otherwise).
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

use crate::dockerfile::packages::{apt_brings_no_recommends, system_install};
use crate::lint::{Ctx, Hit};
use crate::patch::edits;

/// Whether a stage runs Debian by its base's name: `debian`, a tag naming a Debian release,
/// or a docker-library language image on Debian (`python:3.12`, `node:22-slim`); not Ubuntu,
/// whose Recommends differ (its udev recommends systemd-hwe-hwdb).
fn debian_base(ctx: &Ctx, stage: &crate::dockerfile::Stage) -> bool {
    const DEBIAN: [&str; 9] =
        ["wheezy", "jessie", "stretch", "buster", "bullseye", "bookworm", "trixie", "forky", "sid"];
    const ON_DEBIAN: [&str; 9] =
        ["debian", "python", "node", "ruby", "golang", "rust", "php", "perl", "buildpack-deps"];
    let Some(image) = ctx.graph.root_image(stage.index) else { return false };
    let r = crate::dockerfile::ImageRef::parse(image);
    match crate::patch::libraries::release_of(image) {
        Some(release) => DEBIAN.contains(&release),
        None => {
            let tag = r.tag.as_deref().unwrap_or("");
            r.official_name().is_some_and(|n| ON_DEBIAN.contains(&n))
                && !["alpine", "ubuntu", "windows", "nanoserver", "servercore", "focal", "jammy", "noble"]
                    .iter()
                    .any(|w| tag.contains(w))
        }
    }
}

/// Whether every package an apt install names brings no recommended package
/// ([`apt_brings_no_recommends`]).
fn recommends_nothing(c: &crate::dockerfile::shell::SimpleCommand) -> bool {
    system_install(c).is_some_and(|(_, pkgs)| !pkgs.is_empty() && pkgs.iter().all(|p| apt_brings_no_recommends(p)))
}

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for stage in ctx.shipped() {
        let debian = debian_base(ctx, stage);
        let states: Vec<_> = ctx.ship_states(stage).map(|(_, s)| s).collect();
        for ((ins, script), state) in ctx.runs(stage).zip(states) {
            // an install `xargs` runs is an install (`xargs -a packages.txt apt-get install -y`)
            let commands: Vec<_> =
                script.commands.iter().map(|c| c.run_by_xargs().unwrap_or_else(|| c.clone())).collect();
            let missing: Vec<_> = commands
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
                        // the flag would change nothing: nothing named recommends anything
                        && (!debian || !recommends_nothing(c))
                })
                .map(|(_, c)| c)
                .collect();
            if !missing.is_empty() {
                let edits = edits::flag_after_verb(ins, &missing, "install", "--no-install-recommends");
                // (named as written: `apt`, `apt-get`, `apt-fast`)
                let program = missing[0].program();
                out.push(
                    Hit::on(
                        ins,
                        stage,
                        format!(
                            "`{program} install` without `--no-install-recommends` also installs recommended packages"
                        ),
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
        // an install xargs runs, its package list from a file (ICDOT, held out in round 80)
        let xargs = "FROM debian:12\nRUN apt-get update && xargs -a packages.txt apt-get install -y\n";
        assert_eq!(lines("SL302", xargs), vec![2]);
        let fixed = crate::lint::fix::fix_text(xargs, "Dockerfile", &Default::default()).text;
        assert!(fixed.contains("xargs -a packages.txt apt-get install --no-install-recommends -y"), "{fixed}");
        // only part removed: the rest and its recommendations ship
        assert_eq!(
            lines("SL302", "FROM debian:12\nRUN apt-get install -y gcc curl && apt-get purge -y --auto-remove gcc\n"),
            vec![2]
        );
    }

    /// apt-fast hands over to apt-get with its CLI (round 46's RsaCtfTool `Dockerfile_full`):
    /// its install is read as apt-get's, and the message names it as written
    #[test]
    fn apt_fast_installs_as_apt_get() {
        let text = "FROM ubuntu:22.04\nRUN apt-fast install -y curl gcc\nCMD [\"curl\"]\n";
        assert_eq!(lines("SL302", text), vec![2]);
        assert_eq!(lines("SL101", text), vec![2]);
        let f = crate::lint::lint_text(text, "D", &Default::default());
        assert!(f.iter().any(|f| f.code == "SL302" && f.message.starts_with("`apt-fast install` without")), "{f:?}");
    }

    /// Round 2's held-out labels (mssql-tools' `locales`, the runner images' `libyaml-dev`):
    /// on Debian, an install whose packages recommend nothing, nor their dependencies,
    /// changes nothing with the flag; one package that brings some (curl's libcurl4
    /// recommends ca-certificates), or one the archive does not name, is asked
    #[test]
    fn an_install_nothing_of_which_recommends_anything_passes() {
        for quiet in ["locales", "libyaml-dev", "locales=2.36-9 psmisc"] {
            for base in ["debian:11", "python:3.12-slim", "example/app:1-bookworm"] {
                let text = format!("FROM {base}\nRUN apt-get install -y {quiet}\n");
                assert!(lines("SL302", &text).is_empty(), "{text}");
            }
            // Ubuntu's packages recommend otherwise, and an unknown base may be Ubuntu
            for base in ["ubuntu:22.04", "example/app:1"] {
                let text = format!("FROM {base}\nRUN apt-get install -y {quiet}\n");
                assert_eq!(lines("SL302", &text), vec![2], "{text}");
            }
        }
        for loud in ["locales curl", "mssql-tools18", "$PACKAGES", "./vendor.deb"] {
            let text = format!("FROM debian:12\nRUN apt-get install -y {loud}\n");
            assert_eq!(lines("SL302", &text), vec![2], "{text}");
        }
    }
}
