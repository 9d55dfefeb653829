//! ## What it does
//! Flags a stage whose `AS` name (case-insensitive) was already used by an earlier stage,
//! on the line of the second one (hadolint DL3024). Linting goes on for the whole file.
//!
//! ## Why it matters
//! BuildKit refuses the file; the classic builder silently resolves `--from` to one of them.
//!
//! ## Example
//! ```dockerfile
//! FROM golang:1.22 AS build
//! FROM node:20 AS build
//! ```
//!
//! ## Fix
//! Give each stage its own name.

use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    // the first stage of each name, by its lower-cased name
    let mut first_of: std::collections::HashMap<String, &crate::dockerfile::Stage> = Default::default();
    for stage in &ctx.df.stages {
        let Some(name) = &stage.name else { continue };
        let first = *first_of.entry(name.to_ascii_lowercase()).or_insert(stage);
        if first.index != stage.index {
            out.push(
                Hit::on_from(stage, format!("stage name `{name}` is already used by the stage on line {}", first.line))
                    .fix("give this stage a different name")
                    .alias("DL3024"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::lines;

    #[test]
    fn flags_second_occurrence_and_keeps_linting() {
        let text = "FROM a:1 AS build\nFROM b:1 AS Build\nUSER app\nRUN sudo make\n";
        assert_eq!(lines("SL203", text), vec![2]);
        assert_eq!(lines("SL311", text), vec![4], "the rest of the file is still linted");
    }

    #[test]
    fn distinct_names_pass() {
        assert!(lines("SL203", "FROM a:1 AS one\nFROM b:1 AS two\nFROM c:1\n").is_empty());
    }
}
