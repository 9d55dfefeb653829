//! ## What it does
//! Flags a second `CMD` (hadolint DL4003), `ENTRYPOINT` (DL4004) or `HEALTHCHECK` (DL3012)
//! in one stage.
//!
//! ## Why it matters
//! Only the last one takes effect; the earlier ones are dead lines that mislead readers.
//!
//! ## Example
//! ```dockerfile
//! CMD ["python", "app.py"]
//! CMD ["gunicorn", "app:app"]
//! ```
//!
//! ## Fix
//! Keep the one you mean and delete the others.

use crate::dockerfile::Kind;
use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for stage in &ctx.df.stages {
        for (kind, alias) in [(Kind::Cmd, "DL4003"), (Kind::Entrypoint, "DL4004"), (Kind::Healthcheck, "DL3012")] {
            let all: Vec<_> = stage.of_kind(kind).collect();
            for ins in all.iter().skip(1) {
                out.push(
                    Hit::on(
                        ins,
                        stage,
                        format!(
                            "another {} in this stage (first on line {}): only the last one takes effect",
                            kind.as_str(),
                            all[0].line
                        ),
                    )
                    .fix(format!("keep one {}", kind.as_str()))
                    .alias(alias),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::lines;

    #[test]
    fn flags_repeats() {
        assert_eq!(
            lines("SL308", "FROM a:1\nCMD [\"a\"]\nCMD [\"b\"]\nHEALTHCHECK NONE\nHEALTHCHECK CMD true\n"),
            vec![3, 5]
        );
        assert!(lines("SL308", "FROM a:1 AS x\nCMD [\"a\"]\nFROM b:1\nCMD [\"b\"]\n").is_empty());
    }
}
