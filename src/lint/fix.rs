//! Fixes as data. A rule whose fix is mechanical and certain returns it as [`Edit`]s of the
//! Dockerfile (the shell model says where each word is written, so an edit lands on the word
//! it means); the engine locates them ([`TextEdit`]: byte range, line and column) on the
//! finding. Before anyone sees a fix it is proved ([`prove`]): applied to the text, the result
//! must parse, the finding must be gone and no other finding may appear. `shiplight lint
//! --fix` ([`fix_text`]), the JSON and SARIF outputs and the Action's review suggestions all
//! read the same proved edits. Pure.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{Finding, LintConfig};
use crate::dockerfile::edit::{self, Edit, EditError};
use crate::dockerfile::Dockerfile;

/// One edit of a fix, located in the file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TextEdit {
    /// Byte offset where the replaced range starts, in the file as read (a UTF-8 BOM counted).
    pub start: usize,
    /// Byte offset where it ends (equal to `start` for an insertion).
    pub end: usize,
    /// 1-based line and column (in characters) of `start`.
    pub start_line: usize,
    pub start_column: usize,
    /// 1-based line and column (in characters) of `end`.
    pub end_line: usize,
    pub end_column: usize,
    /// What replaces the range (empty for a deletion).
    pub content: String,
}

impl TextEdit {
    pub fn edit(&self) -> Edit {
        Edit::replace(self.start..self.end, self.content.clone())
    }
}

/// Locate a rule's edits of `df.text` (line and column of each end).
pub fn locate(df: &Dockerfile, edits: &[Edit]) -> Vec<TextEdit> {
    edits
        .iter()
        .map(|e| {
            let (start_line, start_column) = df.position(e.range.start);
            let (end_line, end_column) = df.position(e.range.end);
            TextEdit {
                start: e.range.start,
                end: e.range.end,
                start_line,
                start_column,
                end_line,
                end_column,
                content: e.content.clone(),
            }
        })
        .collect()
}

/// Why a fix was not proved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("its edits cannot be applied: {0}")]
    Apply(#[from] EditError),
    #[error("the fixed file does not parse: {0}")]
    Unparsable(String),
    #[error("{code} is still reported after the fix")]
    Remains { code: String },
    #[error("the fix brings a new finding: {code} on line {line}: {message}")]
    New { code: String, line: usize, message: String },
}

/// How findings are counted before and after a fix: by rule and stage (a fix may move
/// lines, so the line is not part of it).
fn key(f: &Finding) -> (String, Option<String>) {
    (f.code.clone(), f.stage.clone())
}

fn counts(findings: &[Finding]) -> HashMap<(String, Option<String>), usize> {
    let mut m = HashMap::new();
    for f in findings {
        *m.entry(key(f)).or_default() += 1;
    }
    m
}

/// Apply the edits of `fixed` (findings of `text`) together and prove the result: it parses,
/// each fixed finding is gone (per rule and stage, one fewer for each), and no rule reports
/// more than before. Returns the fixed text.
pub fn prove(text: &str, fixed: &[&Finding], file: &str, config: &LintConfig) -> Result<String, ProofError> {
    let before = counts(&super::lint_unproven(text, file, config));
    prove_against(text, &before, fixed, file, config)
}

fn prove_against(
    text: &str,
    before: &HashMap<(String, Option<String>), usize>,
    fixed: &[&Finding],
    file: &str,
    config: &LintConfig,
) -> Result<String, ProofError> {
    let edits: Vec<Edit> = fixed.iter().flat_map(|f| f.edits.iter().map(TextEdit::edit)).collect();
    let after_text = edit::apply(text, &edits)?;
    if let Err(e) = Dockerfile::parse(&after_text) {
        return Err(ProofError::Unparsable(format!("line {}: {}", e.line, e.message)));
    }
    let after = super::lint_unproven(&after_text, file, config);
    if let Some(f) = after.iter().find(|f| f.code == super::rules::INVALID.code) {
        return Err(ProofError::Unparsable(format!("line {}: {}", f.line, f.message)));
    }
    let mut allowed = before.clone();
    for f in fixed {
        if let Some(n) = allowed.get_mut(&key(f)) {
            *n = n.saturating_sub(1);
        }
    }
    let after_counts = counts(&after);
    for (k, n) in &after_counts {
        let room = allowed.get(k).copied().unwrap_or(0);
        if *n > room {
            if fixed.iter().any(|f| key(f) == *k) && *n <= before.get(k).copied().unwrap_or(0) {
                return Err(ProofError::Remains { code: k.0.clone() });
            }
            let (line, message) =
                after.iter().rev().find(|f| key(f) == *k).map(|f| (f.line, f.message.clone())).unwrap_or_default();
            return Err(ProofError::New { code: k.0.clone(), line, message });
        }
    }
    Ok(after_text)
}

/// Drop the fixes of `findings` (of `text`) that cannot be proved one by one.
pub fn keep_proven(text: &str, findings: &mut [Finding], file: &str, config: &LintConfig) {
    if findings.iter().all(|f| f.edits.is_empty()) {
        return;
    }
    let before = counts(findings);
    for f in findings.iter_mut().filter(|f| !f.edits.is_empty()) {
        if prove_against(text, &before, &[&*f], file, config).is_err() {
            f.edits.clear();
        }
    }
}

/// What `shiplight lint --fix` did to one file's text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fixed {
    /// The text with every proved fix applied (the input when there was none).
    pub text: String,
    /// The findings that were fixed, as they were reported before.
    pub fixed: Vec<Finding>,
}

/// Apply every proved fix to `text`, rounds of non-overlapping fixes until none is left
/// (fixes that touch the same bytes wait for the next round, when they are computed anew).
/// Only the bytes the edits name change: line endings, `# escape=` and heredoc bodies stay.
pub fn fix_text(text: &str, file: &str, config: &LintConfig) -> Fixed {
    let mut out = Fixed { text: text.to_owned(), fixed: Vec::new() };
    for _round in 0..10 {
        let findings = super::lint_text(&out.text, file, config);
        let mut chosen: Vec<&Finding> = Vec::new();
        let mut edits: Vec<Edit> = Vec::new();
        for f in findings.iter().filter(|f| !f.edits.is_empty()) {
            let mut with = edits.clone();
            with.extend(f.edits.iter().map(TextEdit::edit));
            if edit::apply(&out.text, &with).is_ok() {
                edits = with;
                chosen.push(f);
            }
        }
        if chosen.is_empty() {
            break;
        }
        // together they must hold too; else one at a time
        let next = match prove(&out.text, &chosen, file, config) {
            Ok(t) => t,
            Err(_) => {
                chosen.truncate(1);
                match prove(&out.text, &chosen, file, config) {
                    Ok(t) => t,
                    Err(_) => break,
                }
            }
        };
        out.fixed.extend(chosen.into_iter().cloned());
        out.text = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::lint_text;

    fn fixed(text: &str) -> String {
        fix_text(text, "Dockerfile", &LintConfig::default()).text
    }

    fn fixable(text: &str) -> Vec<String> {
        lint_text(text, "Dockerfile", &LintConfig::default())
            .into_iter()
            .filter(|f| !f.edits.is_empty())
            .map(|f| f.code)
            .collect()
    }

    /// Round 44 (sharetribe, held out): the fix removed the lists line 62's install reads
    /// without an update of its own; the finding stays, with no edit, saying where to update
    #[test]
    fn lists_a_later_install_reads_are_not_removed() {
        let text = "FROM debian:12\nUSER 0:0\nRUN apt-get update && apt-get dist-upgrade -y\nCOPY . /app\nRUN apt-get install -y --no-install-recommends nginx\n";
        assert_eq!(fixed(text), text);
        let f = lint_text(text, "Dockerfile", &LintConfig::default());
        let lists = f.iter().find(|f| f.code == "SL106" && f.line == 3).expect("the finding stays");
        assert!(
            lists.fix.as_deref().unwrap_or("").contains("line 5 installs from these lists without `apt-get update`"),
            "{:?}",
            lists.fix
        );
        let updated = text.replace("RUN apt-get install", "RUN apt-get update && apt-get install");
        assert!(
            fixed(&updated).contains("apt-get dist-upgrade -y && rm -rf /var/lib/apt/lists/*"),
            "{}",
            fixed(&updated)
        );
    }

    #[test]
    fn cache_flags_and_apt_fixes_land_on_their_words() {
        assert_eq!(
            fixed("FROM python:3.12-slim\nUSER 0:0\nRUN pip install flask \\\n && pip3 install -r r.txt\n"),
            "FROM python:3.12-slim\nUSER 0:0\nRUN pip install --no-cache-dir flask \\\n && pip3 install --no-cache-dir -r r.txt\n"
        );
        assert_eq!(
            fixed("FROM alpine:3.19\nUSER 0:0\nRUN apk add curl && apk add --no-cache git\n"),
            "FROM alpine:3.19\nUSER 0:0\nRUN apk add --no-cache curl && apk add --no-cache git\n"
        );
        assert_eq!(
            fixed("FROM debian:12.5\nUSER 0:0\nRUN apt update && apt install curl   # the client\n"),
            "FROM debian:12.5\nUSER 0:0\nRUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*   # the client\n"
        );
        assert_eq!(
            fixed("FROM fedora:40\nUSER 0:0\nRUN dnf install -y curl\n"),
            "FROM fedora:40\nUSER 0:0\nRUN dnf install -y curl && dnf clean all\n"
        );
    }

    #[test]
    fn instruction_fixes() {
        assert_eq!(fixed("FROM debian:12.5 as build\nUSER 0:0\n"), "FROM debian:12.5 AS build\nUSER 0:0\n");
        assert_eq!(
            fixed("FROM debian:12.5\nMAINTAINER Jane \"J\" <j@example.com>\nUSER 0:0\nADD --chown=app app/ /app/\n"),
            "FROM debian:12.5\nLABEL org.opencontainers.image.authors=\"Jane \\\"J\\\" <j@example.com>\"\nUSER 0:0\nCOPY --chown=app app/ /app/\n"
        );
        assert_eq!(
            fixed("FROM python:3.12-slim\nUSER 0:0\nCMD gunicorn \\\n  -b 0.0.0.0:8000 app:app\n"),
            "FROM python:3.12-slim\nUSER 0:0\nCMD [\"gunicorn\", \"-b\", \"0.0.0.0:8000\", \"app:app\"]\n"
        );
        // `exec` makes the program PID 1 already: nothing to fix
        let exec = "FROM python:3.12-slim\nUSER 0:0\nCMD exec gunicorn -b 0.0.0.0:8000 app:app\n";
        assert_eq!(fixed(exec), exec);
    }

    /// A fix that is not certain is not offered: the finding stays, without edits.
    #[test]
    fn uncertain_fixes_are_not_offered() {
        for text in [
            // the shell expands the variable
            "FROM python:3.12-slim\nUSER 0:0\nCMD python -m http.server $PORT\n",
            // an ENTRYPOINT would get the words instead of `/bin/sh -c`
            "FROM python:3.12-slim\nUSER 0:0\nENTRYPOINT [\"tini\", \"--\"]\nCMD python app.py\n",
            // the exec form would pass the CMD on to the ENTRYPOINT
            "FROM python:3.12-slim\nUSER 0:0\nENTRYPOINT python app.py\nCMD [\"--debug\"]\n",
            // apt's upgrade is not apt-get's
            "FROM debian:12.5\nUSER 0:0\nRUN apt-get update && apt upgrade -y && rm -rf /var/lib/apt/lists/*\n",
            // the clean-up would run only in one branch
            "FROM debian:12.5\nUSER 0:0\nRUN if [ -n \"$X\" ]; then apt-get update && apt-get install -y --no-install-recommends curl; fi\n",
            // ADD's own option
            "FROM debian:12.5\nUSER 0:0\nADD --checksum=sha256:abc app/ /app/\n",
            // LABEL would expand the variable
            "FROM debian:12.5\nUSER 0:0\nMAINTAINER $AUTHOR\n",
            // pip was told where its cache goes
            "FROM python:3.12-slim\nUSER 0:0\nRUN pip install --cache-dir /tmp/pip flask\n",
        ] {
            assert!(fixable(text).is_empty(), "{text}: {:?}", fixable(text));
            assert_eq!(fixed(text), text);
        }
    }

    /// Only the edited bytes change: CRLF line ends, a backtick escape and heredoc bodies
    /// (which no fix edits) keep theirs, and a BOM stays.
    #[test]
    fn line_endings_escape_and_heredocs_keep_their_bytes() {
        assert_eq!(
            fixed("# escape=`\r\nFROM debian:12.5\r\nUSER 0:0\r\nRUN apt-get update `\r\n && apt-get install -y curl\r\n"),
            "# escape=`\r\nFROM debian:12.5\r\nUSER 0:0\r\nRUN apt-get update `\r\n && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*\r\n"
        );
        let heredoc = "# syntax=docker/dockerfile:1\nFROM debian:12.5\nUSER 0:0\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\nMAINTAINER me\n";
        assert_eq!(fixed(heredoc), heredoc.replace("MAINTAINER me", "LABEL org.opencontainers.image.authors=\"me\""));
        assert!(lint_text(heredoc, "D", &LintConfig::default())
            .iter()
            .any(|f| f.code == "SL302" && f.edits.is_empty()));
        let bom = "\u{feff}FROM debian:12.5 as b\nUSER 0:0\n";
        let f = lint_text(bom, "D", &LintConfig::default());
        let e = &f.iter().find(|f| f.code == "SL206").unwrap().edits[0];
        assert_eq!((e.start, e.start_line, e.start_column), (20, 1, 18), "{e:?}");
        assert_eq!(fixed(bom), "\u{feff}FROM debian:12.5 AS b\nUSER 0:0\n");
    }

    /// The proof refuses edits that leave the finding, bring another, or break the file.
    #[test]
    fn the_proof_refuses_what_does_not_hold() {
        let text = "FROM debian:12.5 as b\nUSER 0:0\n";
        let cfg = LintConfig::default();
        let mut f = lint_text(text, "D", &cfg).into_iter().find(|f| f.code == "SL206").unwrap();
        assert_eq!(prove(text, &[&f], "D", &cfg).unwrap(), "FROM debian:12.5 AS b\nUSER 0:0\n");
        f.edits[0].content = "As".into();
        assert!(matches!(prove(text, &[&f], "D", &cfg), Err(ProofError::Remains { .. })));
        f.edits[0].content = "AS b\nUSER root\nWORKDIR rel\n#".into();
        assert!(
            matches!(prove(text, &[&f], "D", &cfg), Err(ProofError::New { .. })),
            "{:?}",
            prove(text, &[&f], "D", &cfg)
        );
        f.edits[0] = TextEdit { start: 0, end: 4, content: "FRUM".into(), ..f.edits[0].clone() };
        assert!(matches!(prove(text, &[&f], "D", &cfg), Err(ProofError::Unparsable(_))));
    }
}
