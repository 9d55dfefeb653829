//! ## What it does
//! Flags a stage named `scratch` or `context`, names BuildKit reserves (BuildKit's
//! `ReservedStageName` check).
//!
//! ## Why it matters
//! `FROM scratch` and `--from=context` mean something else already: a stage with that name
//! is ignored or shadows the reserved meaning, depending on the builder.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3 AS scratch
//! ```
//!
//! ## Fix
//! Rename the stage.

use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for stage in &ctx.df.stages {
        if let Some(name) =
            stage.name.as_deref().filter(|n| n.eq_ignore_ascii_case("scratch") || n.eq_ignore_ascii_case("context"))
        {
            out.push(
                Hit::on_from(stage, format!("`{name}` is a reserved name and cannot name a stage"))
                    .fix("rename the stage"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::lines;

    #[test]
    fn flags_reserved_names() {
        assert_eq!(lines("SL204", "FROM a:1 AS scratch\nFROM b:1 AS Context\n"), vec![1, 2]);
        assert!(lines("SL204", "FROM scratch AS base\n").is_empty());
    }
}
