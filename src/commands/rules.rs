//! `shiplight rules`: list the rules, explain one, or print `docs/rules.md`.

use crate::lint::rules::{self, TABLE};

/// The listing (no code), one rule's documentation (a code, name or alias), or the markdown.
pub fn run(rule: Option<&str>, markdown: bool) -> Result<String, String> {
    if markdown {
        return Ok(rules::markdown());
    }
    match rule {
        Some(token) => match rules::find(token) {
            Some(r) => Ok(format!(
                "{} {} ({}{})\n\n{}\n\n{}\n",
                r.code,
                r.name,
                r.severity,
                if r.aliases.is_empty() { String::new() } else { format!("; hadolint {}", r.aliases.join(", ")) },
                r.doc(),
                rules::precision_line(r.code)
            )),
            None => Err(format!("no rule `{token}`: give a code (SL101), a name (build-toolchain-in-final-stage) or a hadolint code (DL3009); `shiplight rules` lists them")),
        },
        None => Ok(TABLE
            .iter()
            .map(|r| format!("{:<6} {:<8} {:<32} {}\n", r.code, r.severity.as_str(), r.name, r.summary))
            .collect()),
    }
}

/// The subcommand: print the listing, the rule or the markdown; exit 2 for an unknown rule.
pub fn main(rule: Option<&str>, markdown: bool) -> i32 {
    match run(rule, markdown) {
        Ok(text) => {
            print!("{text}");
            crate::exit::OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            crate::exit::USAGE
        }
    }
}
