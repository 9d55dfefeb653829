//! ## What it does
//! Flags a shell-form RUN with a pipe that hides a failure, when neither `SHELL
//! ["/bin/bash", "-o", "pipefail", "-c"]` nor `set -o pipefail` is in force: a command that
//! can fail feeds one that succeeds on empty or cut-off input (`sh`, `bash`, `python`,
//! `tee`, `sed`, `awk`, `sort`, `xargs` …). Unlike hadolint's DL4006, which flags every pipe,
//! it leaves alone pipes whose last command fails on bad input (`tar -x`, `gunzip`,
//! `sha256sum -c`, `gpg --import`, `apt-key add`, `grep`) and pipes fed by `echo`/`printf`,
//! which cannot fail: pipefail changes nothing there.
//!
//! ## Why it matters
//! A pipeline's status is its last command's: `curl … | sh` succeeds when the download
//! fails, since `sh` runs the empty script, and the build ships an image without the tool.
//!
//! ## Example
//! ```dockerfile
//! RUN curl -fsSL https://example.com/install.sh | sh
//! ```
//!
//! ## Fix
//! Add `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before the RUN, or start it with
//! `set -o pipefail &&` where the shell supports it.

use crate::dockerfile::{Body, Command, Kind};
use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    // SHELL is inherited from the stages a stage is built FROM: one pass in stage order
    let mut last_shell: Vec<Option<&Vec<String>>> = Vec::with_capacity(ctx.df.stages.len());
    for stage in &ctx.df.stages {
        let inherited = match ctx.graph.bases[stage.index] {
            crate::dockerfile::graph::StageRef::Stage(j) if j < stage.index => last_shell[j],
            _ => None,
        };
        let mut shell: Option<&Vec<String>> = inherited;
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
                    let hidden =
                        if posix && !shell_pipefail && !script.sets_pipefail() { hiding_pipe(script) } else { None };
                    if let Some((left, right)) = hidden {
                        out.push(
                            Hit::on(ins, stage, format!("`{left} | {right}` without `pipefail`: the RUN succeeds even if `{left}` fails, since `{right}` accepts empty input"))
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
        last_shell.push(shell);
    }
}

/// Commands that cannot fail in a way that matters (they only print their arguments).
const CANNOT_FAIL: &[&str] = &["echo", "printf", "true", ":", "yes", "seq"];

/// Commands that exit 0 on empty or truncated input: an interpreter runs an empty script,
/// a filter passes nothing through.
const ACCEPT_EMPTY: &[&str] = &[
    "sh", "bash", "ash", "dash", "zsh", "ksh", "python", "python2", "python3", "perl", "ruby", "node", "php", "tee",
    "sed", "awk", "gawk", "mawk", "sort", "uniq", "cut", "tr", "head", "tail", "cat", "wc", "xargs", "rev", "column",
    "fold", "paste", "dd", "sponge",
];

/// The first pipeline whose last command would hide a failure before it: (the failing
/// side, the last command).
fn hiding_pipe(script: &crate::dockerfile::shell::Script) -> Option<(String, String)> {
    let mut start = 0;
    for (i, c) in script.commands.iter().enumerate() {
        if c.pipes_into_next {
            continue;
        }
        if i > start {
            let producers = &script.commands[start..i];
            let last = c.program();
            if ACCEPT_EMPTY.contains(&last) {
                if let Some(p) = producers.iter().find(|p| !CANNOT_FAIL.contains(&p.program())) {
                    return Some((p.program().to_owned(), last.to_owned()));
                }
            }
        }
        start = i + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::lines;

    #[test]
    fn flags_pipes() {
        assert_eq!(lines("SL313", "FROM a:1\nRUN curl -fsSL https://x | sh\n"), vec![2]);
        assert_eq!(lines("SL313", "FROM a:1\nRUN apt-get update && wget -qO- https://x/k | bash -s -- -y\n"), vec![2]);
        assert_eq!(lines("SL313", "FROM a:1\nRUN find / -name '*.pyc' | xargs rm -f\n"), vec![2]);
    }

    #[test]
    fn pipes_that_fail_anyway_pass() {
        // the last command fails on empty or cut-off input (vimagick/dockerfiles, official images)
        assert!(lines("SL313", "FROM a:1\nRUN curl -sSL https://x/a.tgz | tar xz --strip 1 -C /opt\n").is_empty());
        assert!(lines("SL313", "FROM a:1\nRUN curl -sSL https://x/k.gpg | apt-key add -\n").is_empty());
        // the first command only prints (php, python: checksum checks)
        assert!(lines("SL313", "FROM a:1\nRUN echo \"$SHA *php.tar.xz\" | sha256sum -c -\n").is_empty());
        assert!(lines("SL313", "FROM a:1\nRUN printf '%s\\n' a b | sort\n").is_empty());
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
        // the SHELL in force at the end of the base stage is inherited
        let reset = "FROM a:1 AS b\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nSHELL [\"/bin/sh\", \"-c\"]\nFROM b\nRUN curl x | sh\n";
        assert_eq!(lines("SL313", reset), vec![5]);
    }
}
