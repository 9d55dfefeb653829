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

    #[test]
    fn flags_shell_form() {
        assert_eq!(lines("SL307", "FROM a:1\nCMD python app.py\nENTRYPOINT exec x\n"), vec![2, 3]);
        let f = crate::lint::lint_text("FROM a:1\nCMD python app.py\n", "D", &Default::default());
        assert!(f.iter().any(|f| f.fix.as_deref() == Some("use the JSON form: `CMD [\"python\",\"app.py\"]`")));
        assert!(messages("SL307", "FROM a:1\nCMD [\"python\", \"app.py\"]\n").is_empty());
    }
}
