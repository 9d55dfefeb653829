//! ## What it does
//! Flags a shell-form RUN with a pipe that hides a failure, when neither `SHELL
//! ["/bin/bash", "-o", "pipefail", "-c"]` nor `set -o pipefail` is in force: a command that
//! can fail feeds one that succeeds on empty or cut-off input (`sh`, `bash`, `python`,
//! `tee`, `sed`, `awk`, `sort`, `xargs` …). Unlike hadolint's DL4006, which flags every pipe,
//! it leaves alone pipes whose last command fails on bad input (`tar -x`, `gunzip`,
//! `sha256sum -c`, `gpg --import`, `apt-key add`, `grep`) and pipes fed by `echo`/`printf`,
//! which cannot fail: pipefail changes nothing there. Nor does it flag a pipe whose failure
//! fails the RUN anyway: `xargs` without `-r` running a command that fails with no operands
//! (`… | xargs chmod +x`), or a later command of the same `&&` chain that needs what the pipe
//! produced (apt reading the keyring the pipe wrote; the program a piped installer installs,
//! run or moved;
//! an install reading the package lists a piped vendor setup fetched, unless the RUN fetched
//! them before the pipe).
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

use crate::dockerfile::shell::{Joined, Script, SimpleCommand};
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
    "fold", "paste", "dd", "sponge", "cpio",
];

/// Programs that succeed when `xargs` runs them with no operands, as it does on empty input
/// without `-r`: they read an empty stdin (`/dev/null` under xargs) or the current folder,
/// or print nothing (each checked on Debian 12: `echo -n | xargs sha256sum` exits 0). Any
/// other program is taken to need its operands, as tools that take files do (`chmod`,
/// `apt-mark auto`, a linter: `echo -n | xargs apt-mark auto` exits 123), and so fails the
/// RUN after all.
const SUCCEED_WITHOUT_OPERANDS: &[&str] = &[
    "echo",
    "printf",
    "true",
    ":",
    "cat",
    "sort",
    "uniq",
    "wc",
    "ls",
    "tr",
    "tee",
    "head",
    "tail",
    "awk",
    "gawk",
    "mawk",
    "sha256sum",
    "sha1sum",
    "sha512sum",
    "md5sum",
    "du",
    "df",
    "env",
    "date",
    "pwd",
    "id",
    "whoami",
    "column",
    "rev",
    "nl",
    "fold",
];

/// Whether `xargs …` fails on empty input: it runs its command once, with no operands, and
/// that command fails so (`-r` / `--no-run-if-empty` would skip it).
fn xargs_fails_on_empty(c: &SimpleCommand) -> bool {
    let args = c.args();
    if args.iter().any(|a| {
        matches!(a.as_str(), "-r" | "--no-run-if-empty")
            || (a.starts_with('-') && !a.starts_with("--") && a.contains('r') && a.len() <= 4)
    }) {
        return false;
    }
    // the command xargs runs; a bare `xargs` runs `echo`
    let Some(run) = c.run_by_xargs() else { return false };
    let (program, rest) = (run.program(), run.args());
    let succeeds = SUCCEED_WITHOUT_OPERANDS.contains(&program)
        // `rm -f` succeeds with no operand; `sed` without `-i` reads stdin; `grep` does too
        // but exits 1 when it matches nothing, so it fails
        || (program == "rm" && rest.iter().any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('f')))
        || (program == "sed" && !rest.iter().any(|a| a.starts_with("-i")));
    !succeeds
}

/// Whether an awk program can exit non-zero by its own logic (`END { if (!n) exit 1 }`):
/// on empty input it then fails the pipe, so nothing is hidden.
fn awk_exits_nonzero(c: &SimpleCommand) -> bool {
    c.args().iter().filter(|a| !a.starts_with('-')).any(|program| {
        program.match_indices("exit").any(|(i, _)| {
            let rest = program[i + 4..].trim_start().trim_start_matches('(');
            rest.starts_with(|d: char| d.is_ascii_digit() && d != '0')
        })
    })
}

/// The files a command writes: `tee F`, `-o F`, `--output F`, `> F`, `of=F`.
fn writes(c: &SimpleCommand) -> Vec<String> {
    let mut out = Vec::new();
    let w = &c.words;
    for (i, a) in w.iter().enumerate() {
        let next = || w.get(i + 1).cloned();
        match a.as_str() {
            ">" | ">>" | "-o" | "--output" | "--dearmor-output" => out.extend(next()),
            _ if a.starts_with("--output=") => out.push(a["--output=".len()..].to_owned()),
            _ if a.starts_with("of=") => out.push(a[3..].to_owned()),
            _ if a.starts_with('>') && a.len() > 1 => out.push(a.trim_start_matches('>').to_owned()),
            _ if c.program() == "tee" && i > 0 && !a.starts_with('-') => out.push(a.clone()),
            _ => {}
        }
    }
    out.retain(|f| f.starts_with('/') || f.starts_with('.') || f.contains('/'));
    out
}

/// Whether a command after the pipeline, in its `&&` chain, fails anyway when the pipeline
/// produced nothing: it reads a file the pipeline writes (apt reading the keyring or source
/// list it wrote), or runs the program the piped installer was fetched for (`… install.
/// python-poetry.org | python3 - && poetry …`). `before`: the RUN's commands before it.
fn needs_output(before: &[SimpleCommand], pipeline: &[SimpleCommand], after: &[SimpleCommand]) -> bool {
    let last = &pipeline[pipeline.len() - 1];
    let written = writes(last);
    let apt_files = written.iter().any(|f| f.starts_with("/etc/apt/") || f.starts_with("/usr/share/keyrings/"));
    let urls: Vec<String> = pipeline[..pipeline.len() - 1]
        .iter()
        .flat_map(|p| p.words.iter())
        .filter(|w| w.contains("://"))
        .map(|w| w.to_ascii_lowercase())
        .collect();
    // a shell or language interpreter running a piped installer (`| sh`, `| python3 -`,
    // getcomposer.org's `| php -- --filename=composer`)
    let installer =
        ACCEPT_EMPTY[..ACCEPT_EMPTY.iter().position(|p| *p == "tee").unwrap_or(0)].contains(&last.program());
    // the package lists fetched earlier in the RUN and not removed since (gpt-researcher's
    // `apt-get update && … && curl …/setup_20.x | bash - && apt-get install -y nodejs`): the
    // install finds the distribution's own package without the vendor's script
    let mut updated = false;
    for c in before {
        let apt_get = matches!(c.program(), "apt-get" | "apt");
        if apt_get && c.subcommand() == Some("update") {
            updated = true;
        } else if c.program() == "rm" && c.args().iter().any(|a| a.starts_with("/var/lib/apt/lists")) {
            updated = false;
        }
    }
    for c in after {
        let apt_get = matches!(c.program(), "apt-get" | "apt");
        // a piped vendor setup script (`… script.deb.sh | bash`) adds its repository and
        // fetches the package lists; an install right after it, with no `apt-get update` of
        // its own, reads those lists: without them it fails
        if installer && apt_get && c.subcommand() == Some("install") && !updated {
            return true;
        }
        updated |= apt_get && c.subcommand() == Some("update");
        let reads = c.words.iter().skip(1).any(|w| written.iter().any(|f| w == f || w.contains(f.as_str())));
        let apt = apt_files
            && matches!(c.program(), "apt-get" | "apt")
            && matches!(c.subcommand(), Some("update" | "install"));
        let program = c.program().rsplit('/').next().unwrap_or_default().to_ascii_lowercase();
        let fetched_for = installer && program.len() >= 4 && urls.iter().any(|u| u.contains(&program));
        // a file the piped installer installs, named by a command that fails without it
        // (round 50's Kokoro: `curl …astral.sh/uv/install.sh | sh && mv /root/.local/bin/uv …`):
        // its name is a segment of the installer's URL
        let moves_installed = installer
            && matches!(c.program(), "mv" | "cp" | "chmod" | "install")
            && c.args().iter().filter(|a| !a.starts_with('-')).any(|a| {
                let name = a.trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_ascii_lowercase();
                !name.is_empty() && urls.iter().any(|u| url_segments(u).any(|s| s == name))
            });
        if reads || apt || fetched_for || moves_installed {
            return true;
        }
        if c.joined != Joined::And {
            break;
        }
    }
    false
}

/// The names in a URL's path and its host's first label (`https://astral.sh/uv/install.sh`:
/// `astral`, `uv`, `install.sh`).
fn url_segments(url: &str) -> impl Iterator<Item = &str> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    host.split('.').take(1).chain(path.split(['/', '?', '#'])).filter(|s| !s.is_empty())
}

/// The first pipeline whose last command would hide a failure before it: (the failing
/// side, the last command).
fn hiding_pipe(script: &Script) -> Option<(String, String)> {
    let mut start = 0;
    for (i, c) in script.commands.iter().enumerate() {
        if c.pipes_into_next {
            continue;
        }
        if i > start {
            let producers = &script.commands[start..i];
            let last = c.program();
            let fails_anyway = (last == "xargs" && xargs_fails_on_empty(c))
                || (matches!(last, "awk" | "gawk" | "mawk") && awk_exits_nonzero(c))
                || (c.joined == Joined::And
                    && needs_output(&script.commands[..start], &script.commands[start..=i], &script.commands[i + 1..]));
            if ACCEPT_EMPTY.contains(&last) && !fails_anyway {
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

    /// `xargs` without `-r` runs its command once with no operands on empty input: a
    /// command that fails so fails the RUN.
    #[test]
    fn xargs_commands_that_fail_without_operands_pass() {
        assert!(lines("SL313", "FROM a:1\nRUN find /usr/local/bin -type f | xargs chmod +x\n").is_empty());
        assert!(lines("SL313", "FROM a:1\nRUN ls /proto/*.proto | xargs -n1 protoc --go_out=.\n").is_empty());
        assert!(lines("SL313", "FROM a:1\nRUN find . -name '*.tmp' | xargs rm\n").is_empty());
        // `-r` skips the command, `rm -f` and `echo` succeed with no operand: still hidden
        assert_eq!(lines("SL313", "FROM a:1\nRUN find / -name x | xargs -r chmod +x\n"), vec![2]);
        assert_eq!(lines("SL313", "FROM a:1\nRUN find / -name x | xargs rm -f\n"), vec![2]);
        assert_eq!(lines("SL313", "FROM a:1\nRUN curl -s https://x | xargs echo\n"), vec![2]);
        // a tool that takes files needs them: it fails with none
        assert!(lines("SL313", "FROM a:1\nRUN find . -name '*.go' | xargs addlicense -check\n").is_empty());
        // bare xargs runs echo
        assert_eq!(lines("SL313", "FROM a:1\nRUN curl -s https://x | xargs\n"), vec![2]);
    }

    /// An awk program that exits non-zero on its own (no match, empty input) fails the pipe.
    #[test]
    fn an_awk_that_exits_non_zero_fails_anyway() {
        let ubi = "FROM a:1\nRUN openssl list -providers | awk '/name/ {n++} END { if (n < 1) exit 1 }'\n";
        assert!(lines("SL313", ubi).is_empty());
        assert_eq!(lines("SL313", "FROM a:1\nRUN curl -s https://x | awk '{print $1}' > /v\n"), vec![2]);
        assert_eq!(lines("SL313", "FROM a:1\nRUN curl -s https://x | awk 'END { exit 0 }'\n"), vec![2]);
    }

    /// An install right after a piped vendor setup script reads the lists the script fetched.
    #[test]
    fn an_install_after_a_piped_setup_script_fails_anyway() {
        let lfs = "FROM debian\nRUN curl -s https://packagecloud.io/install/repositories/github/git-lfs/script.deb.sh | bash && apt-get install -y git-lfs\n";
        assert!(lines("SL313", lfs).is_empty());
        // its own update first: the install no longer proves the script ran
        let own = "FROM debian\nRUN curl -s https://x/setup.sh | bash && apt-get update && apt-get install -y x\n";
        assert_eq!(lines("SL313", own), vec![2]);
        // round 48 (gpt-researcher, held out): the lists were fetched before the pipe, so the
        // install takes Debian's own nodejs when the script fails
        let before = "FROM debian\nRUN apt-get update && apt-get install -y curl && curl -fsSL https://deb.nodesource.com/setup_20.x | bash - && apt-get install -y nodejs\n";
        assert_eq!(lines("SL313", before), vec![2]);
        let removed = "FROM debian\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/* && curl -fsSL https://x/setup.sh | bash - && apt-get install -y x\n";
        assert!(lines("SL313", removed).is_empty());
    }

    /// Round 50 (Kokoro-FastAPI, held out): a later command moves what the piped installer
    /// installed (its name is in the installer's URL), and fails when nothing was installed
    #[test]
    fn moving_what_a_piped_installer_installed_fails_anyway() {
        let uv = "FROM debian\nRUN curl -LsSf https://astral.sh/uv/install.sh | sh && mv /root/.local/bin/uv /usr/local/bin/\n";
        assert!(lines("SL313", uv).is_empty());
        // a file of another name: nothing shows the pipe's output is needed
        let other = "FROM debian\nRUN curl -LsSf https://astral.sh/uv/install.sh | sh && mv /etc/app.conf /opt/\n";
        assert_eq!(lines("SL313", other), vec![2]);
    }

    /// A later command of the same `&&` chain that needs the pipe's output fails the RUN
    /// when the pipe produced nothing.
    #[test]
    fn a_later_command_that_needs_the_output_fails_anyway() {
        let vendor = "FROM debian\nRUN curl -fsSL https://dl.google.com/linux/linux_signing_key.pub | gpg --dearmor -o /usr/share/keyrings/google.gpg && echo 'deb [signed-by=/usr/share/keyrings/google.gpg] http://dl.google.com/linux/chrome/deb/ stable main' > /etc/apt/sources.list.d/google.list && apt-get update && apt-get install -y google-chrome-stable\n";
        assert!(lines("SL313", vendor).is_empty());
        let tee = "FROM debian\nRUN curl -fsSL https://x/key | tee /etc/apt/trusted.gpg.d/x.asc && apt-get update\n";
        assert!(lines("SL313", tee).is_empty());
        let poetry =
            "FROM python:3.12\nRUN curl -sSL https://install.python-poetry.org | python3 - && poetry --version\n";
        assert!(lines("SL313", poetry).is_empty());
        // pterodactyl's panel: composer's installer, piped to php, then composer itself
        let composer = "FROM php:8.2-fpm-alpine\nRUN curl -sS https://getcomposer.org/installer | php -- --install-dir=/usr/local/bin --filename=composer && mkdir -p storage && composer install --no-dev\n";
        assert!(lines("SL313", composer).is_empty());
        let file =
            "FROM debian\nRUN wget -qO- https://x/tool.tgz | cat > /tmp/tool.tgz && tar -xzf /tmp/tool.tgz -C /opt\n";
        assert!(lines("SL313", file).is_empty());
        // after `;` nothing needs to succeed, and an unrelated next command proves nothing
        assert_eq!(
            lines(
                "SL313",
                "FROM debian\nRUN curl -sSL https://install.python-poetry.org | python3 -; poetry --version\n"
            ),
            vec![2]
        );
        assert_eq!(
            lines("SL313", "FROM debian\nRUN curl -fsSL https://get.example.sh | sh && apt-get clean\n"),
            vec![2]
        );
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
