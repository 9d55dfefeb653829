//! ## What it does
//! Flags `CMD` and `ENTRYPOINT` written in shell form (hadolint DL3025).
//!
//! ## Why it matters
//! Shell form runs the program under `/bin/sh -c`, so the program is not PID 1 and does not
//! receive SIGTERM: `docker stop` waits 10 s and kills it. Slim and distroless images may
//! have no shell at all.
//!
//! ## Example
//! ```dockerfile
//! CMD python app.py
//! ```
//!
//! ## Fix
//! Use the JSON form: `CMD ["python", "app.py"]`.

use crate::dockerfile::os::{stage_os, Os};
use crate::dockerfile::shell::split_words;
use crate::dockerfile::{Body, Command, Kind};
use crate::lint::{Ctx, Hit};

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
                match stage_os(ctx.df, ctx.graph, stage.index) {
                    Os::Windows => continue,
                    Os::Linux(sh) if lone && sh.execs_lone_command() => continue,
                    _ => {}
                }
                let json = serde_json::to_string(&split_words(s)).unwrap_or_default();
                out.push(
                    Hit::on(
                        ins,
                        stage,
                        format!(
                            "{} in shell form runs under `/bin/sh -c` and does not receive signals",
                            ins.kind.as_str()
                        ),
                    )
                    .fix(format!("use the JSON form: `{} {json}`", ins.kind.as_str()))
                    .alias("DL3025"),
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
        // two commands: the shell stays PID 1 everywhere
        assert_eq!(lines("SL307", "FROM alpine:3.20\nCMD cd /app && python app.py\n"), vec![2]);
        assert_eq!(lines("SL307", "FROM debian:12\nCMD python app.py\n"), vec![2]);
    }

    #[test]
    fn flags_shell_form() {
        assert_eq!(lines("SL307", "FROM a:1\nCMD python app.py\nENTRYPOINT exec x\n"), vec![2, 3]);
        let f = crate::lint::lint_text("FROM a:1\nCMD python app.py\n", "D", &Default::default());
        assert!(f.iter().any(|f| f.fix.as_deref() == Some("use the JSON form: `CMD [\"python\",\"app.py\"]`")));
        assert!(messages("SL307", "FROM a:1\nCMD [\"python\", \"app.py\"]\n").is_empty());
    }
}
