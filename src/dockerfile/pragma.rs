//! Comments that steer linting, scanned from the raw text (the parser drops comments):
//!
//! - `# shiplight ignore=SL101,DL3009` / `# hadolint ignore=…`: the next instruction;
//! - `# shiplight global ignore=…` / `# hadolint global ignore=…`: the whole file;
//! - `# shiplight stage ignore=…` / `# hadolint stage ignore=…`: the rest of the stage the
//!   comment is in (or the stage whose FROM follows it).
//!
//! Parser directives (`# syntax=`, `# escape=`, `# check=`) are read here too.

use super::Directive;

/// Where an ignore pragma applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PragmaScope {
    NextInstruction,
    Stage,
    Global,
}

/// One ignore comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pragma {
    /// 1-based line of the comment.
    pub line: usize,
    pub scope: PragmaScope,
    /// Rule codes, names or hadolint aliases, as written.
    pub codes: Vec<String>,
    /// `shiplight` or `hadolint`.
    pub tool: String,
}

/// Scan every comment line for ignore pragmas.
pub fn scan(text: &str) -> Vec<Pragma> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(comment) = line.trim_start().strip_prefix('#') else {
            continue;
        };
        let mut words = comment.split_whitespace();
        let tool = match words.next() {
            Some(t) if t.eq_ignore_ascii_case("shiplight") || t.eq_ignore_ascii_case("hadolint") => {
                t.to_ascii_lowercase()
            }
            _ => continue,
        };
        let rest: Vec<&str> = words.collect();
        let (scope, rest) = match rest.first().map(|w| w.to_ascii_lowercase()) {
            Some(w) if w == "global" => (PragmaScope::Global, &rest[1..]),
            Some(w) if w == "stage" => (PragmaScope::Stage, &rest[1..]),
            _ => (PragmaScope::NextInstruction, &rest[..]),
        };
        let joined = rest.join(" ");
        let Some(list) = joined.strip_prefix("ignore=").or_else(|| joined.strip_prefix("ignore =")) else {
            continue;
        };
        // a comment may follow the list, as hadolint allows (`ignore=DL3006  # use --build-context`)
        let list = list.split('#').next().unwrap_or_default();
        let codes = list.split(',').map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect();
        out.push(Pragma { line: i + 1, scope, codes, tool });
    }
    out
}

/// Parser directives at the top of the file, as BuildKit reads them: `# name=value` lines
/// before the first blank line, other comment or instruction.
pub fn directives(text: &str) -> Vec<Directive> {
    let mut out: Vec<Directive> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(comment) = line.trim().strip_prefix('#') else {
            break;
        };
        let Some((name, value)) = comment.split_once('=') else {
            break;
        };
        let name = name.trim().to_ascii_lowercase();
        if !matches!(name.as_str(), "syntax" | "escape" | "check") || out.iter().any(|d| d.name == name) {
            break;
        }
        out.push(Directive { name, value: value.trim().to_owned(), line: i + 1 });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_all_pragma_forms() {
        let p = scan("# hadolint ignore=DL3009, DL3015\nFROM a\n  # shiplight global ignore=SL101\n# hadolint stage ignore=DL3059\n# just a comment\n");
        assert_eq!(p.len(), 3);
        assert_eq!(
            (p[0].line, p[0].scope, p[0].codes.clone()),
            (1, PragmaScope::NextInstruction, vec!["DL3009".into(), "DL3015".into()])
        );
        assert_eq!(p[1].scope, PragmaScope::Global);
        assert_eq!(p[2].scope, PragmaScope::Stage);
        // camptocamp's odoo images: a comment after the list
        let p = scan("# hadolint ignore=DL3006  # Use `docker build --build-context ...`\nFROM python\n");
        assert_eq!(p[0].codes, vec!["DL3006".to_owned()]);
    }

    #[test]
    fn directives_stop_at_first_other_line() {
        let d = directives("# syntax=docker/dockerfile:1\n# escape=`\n\n# check=skip=all\nFROM a\n");
        assert_eq!(d.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(), ["syntax", "escape"]);
    }
}
