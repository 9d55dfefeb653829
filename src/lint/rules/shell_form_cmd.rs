//! ## What it does
//! Flags `CMD` and `ENTRYPOINT` written in shell form (hadolint DL3025).
//!
//! ## Why it matters
//! Shell form runs the program under `/bin/sh -c`, so the program is not PID 1 and does not
//! receive SIGTERM: `docker stop` waits 10 s and kills it. Slim and distroless images may
//! have no shell at all.
//!
//! Not flagged where the program does become PID 1: a last command written `exec prog`; on
//! BusyBox (Alpine), whose `sh -c` execs the last command of a list (`cd /app && prog`,
//! `a; prog`); on bash (the Red Hat family), which execs a lone command and, since 4.4, the
//! command after the last `&&`; and on Windows, which stops containers its own way. Debian's
//! dash forks even a lone command.
//!
//! ## Example
//! ```dockerfile
//! CMD python app.py
//! ```
//!
//! ## Fix
//! Use the JSON form: `CMD ["python", "app.py"]`; for a command that names variables, which
//! the JSON form would pass as written, start it with `exec` instead (`CMD exec python
//! main.py ${CLI_ARGS}`). Offered as a fix (`shiplight lint --fix`,
//! review suggestions) where the shell adds nothing: plain words (no quotes, variables,
//! globs, redirections or operators), a program that is not a shell built-in (a leading
//! `exec` is dropped); for CMD, no ENTRYPOINT in the stage or a stage of the file it is built
//! FROM (it would receive the words instead of `/bin/sh -c …`); for ENTRYPOINT, no CMD in
//! the stage (the exec form would pass it on). An ENTRYPOINT of an image from a registry is
//! not known: the official images' entry scripts run either form alike.

use crate::dockerfile::edit::Edit;
use crate::dockerfile::graph::StageRef;
use crate::dockerfile::os::{stage_os, Os, Sh};
use crate::dockerfile::shell::split_words;
use crate::dockerfile::shell::Joined;
use crate::dockerfile::{Body, Command, Instruction, Kind, Stage};
use crate::lint::{Ctx, Hit};

/// Words that are the shell's own: as a program of the exec form they would not run.
const SHELL_WORDS: &[&str] = &[
    "exec", "cd", "export", "source", ".", "set", "eval", "trap", "ulimit", "umask", "wait", "read", "alias", "unset",
    "shift", "exit", "return", "readonly", "local", "if", "for", "while", "until", "case", "{", "!", "time", "[",
];

/// The exec form's words, when the shell adds nothing to the command: plain words only (no
/// quoting, variables, globs, redirections, operators), a program that is not a shell
/// built-in; a leading `exec` is the shell's and is dropped.
fn plain_words(s: &str) -> Option<Vec<String>> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_./:=,@%+-".contains(c) || c == ' ' || c == '\t';
    if !s.chars().all(plain) {
        return None;
    }
    let mut words = split_words(s);
    if words.first().is_some_and(|w| w == "exec") {
        words.remove(0);
    }
    let program = words.first()?;
    (!SHELL_WORDS.contains(&program.as_str()) && !program.contains('=')).then_some(words)
}

/// Whether a stage, or a stage of this file it is built FROM, has an instruction of `kind`.
fn chain_has(ctx: &Ctx, stage: &Stage, kind: Kind) -> bool {
    let mut at = Some(stage.index);
    let mut steps = 0;
    while let Some(i) = at {
        if ctx.df.stages[i].of_kind(kind).next().is_some() {
            return true;
        }
        at = match ctx.graph.bases[i] {
            StageRef::Stage(j) if j < i => Some(j),
            _ => None,
        };
        steps += 1;
        if steps > ctx.df.stages.len() {
            break;
        }
    }
    false
}

/// The exec-form rewrite of a shell-form CMD or ENTRYPOINT, when it means the same: an
/// ENTRYPOINT of the stage (or one of this file it is built FROM) would receive a CMD's words
/// instead of `/bin/sh -c …`, and a shell-form ENTRYPOINT ignores the stage's CMD where the
/// exec form would pass it on.
fn exec_form(ctx: &Ctx, stage: &Stage, ins: &Instruction, s: &str) -> Vec<Edit> {
    let other = if ins.kind == Kind::Cmd { Kind::Entrypoint } else { Kind::Cmd };
    let other_set = match other {
        Kind::Entrypoint => chain_has(ctx, stage, Kind::Entrypoint),
        // ENTRYPOINT resets an inherited CMD: only the stage's own counts
        _ => stage.of_kind(Kind::Cmd).next().is_some(),
    };
    let (Some(words), false) = (plain_words(s), other_set) else { return Vec::new() };
    let Some(range) = ins.source_range(0..s.len()) else { return Vec::new() };
    let json = words.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(", ");
    vec![Edit::replace(range, format!("[{json}]"))]
}

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for stage in &ctx.df.stages {
        // only the last CMD and the last ENTRYPOINT of a stage take effect
        let last = |k: Kind| stage.of_kind(k).next_back().map(|i| i.line);
        let (cmd, entrypoint) = (last(Kind::Cmd), last(Kind::Entrypoint));
        for ins in stage.instructions.iter().filter(|i| matches!(i.kind, Kind::Cmd | Kind::Entrypoint)) {
            if Some(ins.line) != if ins.kind == Kind::Cmd { cmd } else { entrypoint } {
                continue;
            }
            if let Body::Command(Command::Shell(s)) = &ins.body {
                // Windows runs it under `cmd /S /C` and stops it with CTRL_SHUTDOWN_EVENT; bash
                // and BusyBox exec a lone simple command, which then is PID 1 and gets signals
                let script = crate::dockerfile::shell::parse(s);
                let lone = script.commands.len() == 1 && script.guards.is_empty();
                // the last command runs whenever the shell gets there, and is its last act
                let last = script.commands.last().filter(|c| !c.conditional() && !c.pipes_into_next);
                // `… && exec prog`: prog replaces the shell, in any shell
                if last.is_some_and(|c| c.words.first().is_some_and(|w| w == "exec") && c.words.len() > 1) {
                    continue;
                }
                let joins = |ok: &[Joined]| {
                    last.is_some()
                        && script.guards.is_empty()
                        && script.commands[..script.commands.len() - 1].iter().all(|c| ok.contains(&c.joined))
                };
                match stage_os(ctx.df, ctx.graph, stage.index) {
                    Os::Windows => continue,
                    Os::Linux(sh) if lone && sh.execs_lone_command() => continue,
                    // BusyBox ash execs the last command of a list (`a && b`, `a; b`); bash
                    // does after `&&` since 4.4
                    Os::Linux(Sh::Busybox) if joins(&[Joined::And, Joined::Seq]) => continue,
                    Os::Linux(Sh::Bash) if joins(&[Joined::And]) => continue,
                    _ => {}
                }
                // the JSON form of a lone command; a list (`cd /app && python app.py`) would
                // pass `&&` to the program as a word: its last command takes `exec` instead
                let fix = match last {
                    Some(c) if !lone && !c.words.is_empty() => {
                        format!(
                            "run the last command with `exec` (`… && exec {}`) so it replaces the shell",
                            c.words.join(" ")
                        )
                    }
                    _ if !lone => {
                        "move the commands into a start script that ends with `exec` and run it in JSON form".into()
                    }
                    // the exec form expands no variables (`${CLI_ARGS}` would reach the
                    // program as written): the shell's own `exec` keeps them
                    _ if s.contains('$') => format!(
                        "start it with `exec` (`{} exec {}`) so the program replaces the shell and the variables still expand (the JSON form would pass them as written)",
                        ins.kind.as_str(),
                        s.trim()
                    ),
                    _ => format!(
                        "use the JSON form: `{} {}`",
                        ins.kind.as_str(),
                        serde_json::to_string(&split_words(s)).unwrap_or_default()
                    ),
                };
                out.push(
                    Hit::on(
                        ins,
                        stage,
                        format!(
                            "{} in shell form runs under `/bin/sh -c` and does not receive signals",
                            ins.kind.as_str()
                        ),
                    )
                    .fix(fix)
                    .alias("DL3025")
                    .edits(exec_form(ctx, stage, ins, s)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::{lines, messages};

    /// An earlier CMD that a later one replaces never runs.
    #[test]
    fn only_the_cmd_that_takes_effect() {
        assert_eq!(lines("SL307", "FROM a:1\nCMD echo one\nCMD echo two\nCMD [\"x\"]\n"), Vec::<usize>::new());
        assert_eq!(lines("SL307", "FROM a:1\nCMD [\"x\"]\nCMD echo two\n"), vec![3]);
    }

    /// Where `/bin/sh` execs a lone simple command (bash, BusyBox) the program is PID 1 and
    /// gets signals; Windows stops containers its own way. dash does not exec.
    #[test]
    fn a_lone_command_under_bash_or_busybox_and_windows_pass() {
        assert!(lines("SL307", "FROM alpine:3.20\nCMD python app.py\n").is_empty());
        assert!(lines("SL307", "FROM registry.access.redhat.com/ubi9/ubi:9.4\nCMD /opt/app/run\n").is_empty());
        assert!(lines("SL307", "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nCMD app.exe\n").is_empty());
        assert_eq!(lines("SL307", "FROM debian:12\nCMD python app.py\n"), vec![2]);
    }

    /// What the shells do with `sh -c LIST`, measured with BusyBox 1.35, bash 5.2 and dash
    /// 0.5.12: BusyBox execs the last command of an `&&` or `;` list, bash the one after the
    /// last `&&`, dash none; `exec` makes the program PID 1 in all of them. A list whose last
    /// command is not the program (`prog && true`), or runs only sometimes, keeps the shell.
    #[test]
    fn the_last_command_of_a_list_is_pid_1_where_the_shell_execs_it() {
        assert!(lines("SL307", "FROM alpine:3.20\nCMD cd /app && python app.py\n").is_empty());
        assert!(lines("SL307", "FROM alpine:3.20\nCMD envsubst < a > b; nginx -g 'daemon off;'\n").is_empty());
        assert!(lines("SL307", "FROM rockylinux:9\nCMD cd /app && ./run\n").is_empty());
        assert_eq!(lines("SL307", "FROM rockylinux:9\nCMD cd /app; ./run\n"), vec![2]);
        assert!(lines("SL307", "FROM php:8-cli\nCMD php artisan migrate && exec ./bin/rr serve\n").is_empty());
        assert_eq!(lines("SL307", "FROM php:8-cli\nCMD php artisan migrate && ./bin/rr serve\n"), vec![2]);
        assert_eq!(lines("SL307", "FROM alpine:3.20\nCMD ./app | tee log\n"), vec![2]);
        assert_eq!(lines("SL307", "FROM alpine:3.20\nCMD [ -f x ] || ./app\n"), vec![2]);
    }

    #[test]
    fn flags_shell_form() {
        assert_eq!(lines("SL307", "FROM a:1\nCMD python app.py\nENTRYPOINT x y\n"), vec![2, 3]);
        let f = crate::lint::lint_text("FROM a:1\nCMD python app.py\n", "D", &Default::default());
        assert!(f.iter().any(|f| f.fix.as_deref() == Some("use the JSON form: `CMD [\"python\",\"app.py\"]`")));
        assert!(messages("SL307", "FROM a:1\nCMD [\"python\", \"app.py\"]\n").is_empty());
        // a command with variables keeps the shell, which `exec` makes step aside
        let f = crate::lint::lint_text(
            "FROM debian:12-slim\nENV CLI_ARGS=\"\"\nCMD python -u main.py --port 7860 ${CLI_ARGS}\n",
            "D",
            &Default::default(),
        );
        let fix = f.iter().find(|f| f.code == "SL307").and_then(|f| f.fix.clone()).unwrap_or_default();
        assert!(fix.contains("`CMD exec python -u main.py --port 7860 ${CLI_ARGS}`"), "{fix}");
        // a list's JSON form would pass `&&` to the program: its last command takes `exec`
        // (round 43's text-generation-webui)
        let f = crate::lint::lint_text(
            "FROM ubuntu:22.04\nCMD cd /app && python3 server.py --listen\n",
            "D",
            &Default::default(),
        );
        let fix = f.iter().find(|f| f.code == "SL307").and_then(|f| f.fix.clone()).unwrap_or_default();
        assert!(fix.contains("`… && exec python3 server.py --listen`") && !fix.contains("\"&&\""), "{fix}");
    }
}
