//! The commands of a split RUN as text again: the set-up commands (users, links,
//! permissions) that the runtime stage reruns after the artifacts arrive.

use crate::dockerfile::shell::SimpleCommand;

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
pub fn command_text(c: &SimpleCommand) -> String {
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
