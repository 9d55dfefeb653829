//! ## What it does
//! Flags a shell-form RUN with a pipe when neither `SHELL ["/bin/bash", "-o", "pipefail",
//! "-c"]` nor `set -o pipefail` is in force (hadolint DL4006).
//!
//! ## Why it matters
//! A pipeline's status is its last command's: `curl … | tar -x` succeeds when the download
//! fails, and the build ships a broken image.
//!
//! ## Example
//! ```dockerfile
//! RUN curl -fsSL https://example.com/tool.tgz | tar -xz -C /usr/local/bin
//! ```
//!
//! ## Fix
//! Add `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before the RUN, or start it with
//! `set -o pipefail &&` where the shell supports it.

use crate::dockerfile::{Body, Command, Kind};
use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for stage in &ctx.df.stages {
        // SHELL is inherited from the stages this one is built FROM.
        let inherited: Vec<&Vec<String>> = ctx
            .graph
            .ancestors(stage.index)
            .iter()
            .flat_map(|&i| ctx.df.stages[i].of_kind(Kind::Shell))
            .filter_map(|s| match &s.body {
                Body::Words(w) => Some(w),
                _ => None,
            })
            .collect();
        let mut shell: Option<&Vec<String>> = inherited.first().copied();
        let mut runs = ctx.runs(stage);
        for ins in &stage.instructions {
            match (&ins.kind, &ins.body) {
                (Kind::Shell, Body::Words(w)) => shell = Some(w),
                (Kind::Run, Body::Run { command: Command::Shell(_), .. }) => {
                    let Some((_, script)) = runs.next() else {
                        continue;
                    };
                    let posix = shell.is_none_or(|w| {
                        w.first().is_some_and(|s| {
                            ["sh", "bash", "ash", "dash", "zsh", "ksh"].contains(&s.rsplit('/').next().unwrap_or(s))
                        })
                    });
                    let shell_pipefail = shell.is_some_and(|w| {
                        w.windows(2).any(|p| p[0].starts_with('-') && p[0].ends_with('o') && p[1] == "pipefail")
                    });
                    if posix && !shell_pipefail && script.has_pipe() && !script.sets_pipefail() {
                        out.push(
                            Hit::on(ins, stage, "a pipe without `pipefail`: the RUN succeeds even if a command before the last `|` fails")
                                .fix("add `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before it, or `set -o pipefail &&` where the shell has it")
                                .alias("DL4006"),
                        );
                    }
                }
                (Kind::Run, _) => {
                    runs.next();
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::lines;

    #[test]
    fn flags_pipes() {
        assert_eq!(lines("SL313", "FROM a:1\nRUN curl -fsSL https://x | tar -xz\n"), vec![2]);
    }

    #[test]
    fn pipefail_in_force_passes() {
        assert!(lines("SL313", "FROM a:1\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl x | tar -x\n")
            .is_empty());
        assert!(lines("SL313", "FROM a:1\nRUN set -o pipefail && curl x | tar -x\n").is_empty());
        assert!(lines("SL313", "FROM a:1\nSHELL [\"pwsh\", \"-c\"]\nRUN a | b\n").is_empty());
        assert!(lines(
            "SL313",
            "FROM a:1 AS b\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nFROM b\nRUN a | b\n"
        )
        .is_empty());
        assert!(lines("SL313", "FROM a:1\nRUN echo 'a | b' && x || y\n").is_empty());
    }
}
