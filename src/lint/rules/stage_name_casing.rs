//! ## What it does
//! Flags a stage name with uppercase letters (BuildKit's `StageNameCasing` check).
//!
//! ## Why it matters
//! Stage names are case-insensitive, so `Build` and `build` are the same stage; mixed case
//! invites mismatches in `--from` and `--target` that only look different.
//!
//! ## Example
//! ```dockerfile
//! FROM golang:1.22 AS Builder
//! ```
//!
//! ## Fix
//! Write stage names in lowercase.

use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for stage in &ctx.df.stages {
        if let Some(name) = stage.name.as_deref().filter(|n| n.chars().any(|c| c.is_uppercase())) {
            out.push(
                Hit::on_from(stage, format!("stage name `{name}` should be lowercase"))
                    .fix(format!("rename it `{}`", name.to_lowercase())),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::lines;

    #[test]
    fn flags_uppercase_names() {
        assert_eq!(lines("SL205", "FROM a:1 AS Builder\nFROM b:1 AS runtime\n"), vec![1]);
        assert!(lines("SL205", "FROM a:1 AS build-2\n").is_empty());
    }
}
