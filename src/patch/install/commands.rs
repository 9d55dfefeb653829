//! The commands of a split RUN as text again: the set-up commands (users, links,
//! permissions) that the runtime stage reruns after the artifacts arrive.

use crate::dockerfile::shell::SimpleCommand;
use crate::dockerfile::{Dockerfile, Instruction};

/// A command as it is written in the file (its quoting kept: `'s/$x/y/'` stays literal),
/// from its first word to its last; rewritten from its words where the file has no single
/// range for it.
pub fn written(df: &Dockerfile, ins: &Instruction, c: &SimpleCommand) -> String {
    written_with(df, ins, c, &[])
}

/// A command as the file writes it, with some of its words replaced (the index in its
/// words, the new word, quoted as the shell reads it back).
pub fn written_with(df: &Dockerfile, ins: &Instruction, c: &SimpleCommand, words: &[(usize, String)]) -> String {
    let whole = c.span().and_then(|r| ins.source_range(r)).filter(|r| df.text.get(r.clone()).is_some());
    let places: Option<Vec<(std::ops::Range<usize>, &String)>> =
        words.iter().map(|(k, w)| c.spans.get(*k).and_then(|r| ins.source_range(r.clone())).map(|r| (r, w))).collect();
    match (whole, places) {
        (Some(whole), Some(mut places)) if places.iter().all(|(r, _)| r.start >= whole.start && r.end <= whole.end) => {
            let mut text = df.text[whole.clone()].to_owned();
            places.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
            for (r, w) in places {
                text.replace_range(r.start - whole.start..r.end - whole.start, &quote(w));
            }
            text
        }
        _ => {
            let mut rewritten = c.clone();
            for (k, w) in words {
                if let Some(slot) = rewritten.words.get_mut(*k) {
                    slot.clone_from(w);
                }
            }
            command_text(&rewritten)
        }
    }
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
