//! ## What it does
//! Flags `sudo` in RUN (hadolint DL3004).
//!
//! ## Why it matters
//! Builds run as root unless a USER says otherwise; `sudo` adds a setuid binary and its
//! configuration to the image and has unpredictable TTY and signal behaviour.
//!
//! ## Example
//! ```dockerfile
//! USER app
//! RUN sudo apt-get install -y curl
//! ```
//!
//! ## Fix
//! Switch with `USER root` for the step that needs it, then back to the unprivileged user.

use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for stage in &ctx.df.stages {
        for (ins, script) in ctx.runs(stage) {
            // `sudo -u builduser makepkg` drops root (makepkg refuses it): not the sudo-to-root
            // the rule is about
            let to_root = |c: &crate::dockerfile::shell::SimpleCommand| {
                let user = c.words.windows(2).find(|w| w[0] == "-u" || w[0] == "--user").map(|w| w[1].as_str());
                user.is_none_or(|u| matches!(u, "root" | "0" | "#0"))
            };
            if script.commands.iter().any(|c| c.words.first().is_some_and(|w| w == "sudo") && to_root(c)) {
                out.push(
                    Hit::on(
                        ins,
                        stage,
                        "`sudo` in a build adds a setuid binary and behaves unpredictably without a TTY",
                    )
                    .fix("use `USER root` for this step instead")
                    .alias("DL3004"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::lines;

    #[test]
    fn flags_sudo() {
        assert_eq!(lines("SL311", "FROM a:1\nRUN sudo make install\n"), vec![2]);
        assert!(lines("SL311", "FROM a:1\nRUN apt-get install -y sudo\n").is_empty());
        // dropping privileges is not it
        assert!(lines("SL311", "FROM a:1\nRUN sudo -u builduser makepkg -si\n").is_empty());
        assert_eq!(lines("SL311", "FROM a:1\nRUN sudo -u root make install\n"), vec![2]);
    }
}
