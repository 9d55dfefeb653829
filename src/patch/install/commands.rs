//! The commands of a split RUN as text again: the set-up commands (users, links,
//! permissions) that the runtime stage reruns after the artifacts arrive.

use crate::dockerfile::shell::SimpleCommand;
use crate::dockerfile::{Dockerfile, Instruction};

/// A command as it is written in the file (its quoting kept: `'s/$x/y/'` stays literal),
/// from its first word to its last; rewritten from its words where the file has no single
/// range for it.
pub fn written(df: &Dockerfile, ins: &Instruction, c: &SimpleCommand) -> String {
    c.span()
        .and_then(|r| ins.source_range(r))
        .and_then(|r| df.text.get(r))
        .map(str::to_owned)
        .unwrap_or_else(|| command_text(c))
}

/// A word as the shell would read it back.
fn quote(word: &str) -> String {
    if !word.is_empty()
        && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%^~$'{}".contains(c))
        && !word.contains('\'')
    {
        return word.to_owned();
    }
    if word.contains('$') {
        let escaped = word.replace('\\', "\\\\").replace('"', "\\\"").replace('`', "\\`");
        return format!("\"{escaped}\"");
    }
    format!("'{}'", word.replace('\'', "'\\''"))
}

/// A command rewritten as text (redirections kept unquoted).
fn command_text(c: &SimpleCommand) -> String {
    let mut out: Vec<String> = c.assignments.iter().map(|a| quote(a)).collect();
    for w in &c.words {
        if matches!(w.as_str(), ">" | ">>" | "<" | "2>" | "2>>") || w.starts_with("2>&") {
            out.push(w.clone());
        } else {
            out.push(quote(w));
        }
    }
    out.join(" ")
}
