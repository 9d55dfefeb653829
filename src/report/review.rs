//! Review suggestions: the proved fixes of a pull request's findings as GitHub review
//! comments holding a ```` ```suggestion ```` block, one click away for the author.
//!
//! A suggestion replaces whole lines (`start_line` … `line` of the head file), so fixes
//! that touch the same lines become one suggestion carrying all of them (GitHub cannot
//! apply overlapping suggestions in one batch), with the findings listed above the block.
//! Only lines the pull request added or changed get one. Each is proved before it is kept
//! ([`crate::lint::fix::prove`]: the file parses, the findings are gone, none is new); one
//! that fails is dropped and said. Text is safe: findings are prose with the pull request's
//! words in code spans (no mention, HTML or markdown from it), and the block's fence is longer
//! than any run of backticks in it. Pure.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::comment::{code_block, prose};
use crate::lint::{fix, rules, Finding, LintConfig, Severity};

/// The marker of shiplight's review comments; with the author it says which are its own.
pub const MARKER: &str = "<!-- shiplight:review -->";

/// One review comment: a suggestion replacing lines `start_line..=line` of `path`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSuggestion {
    pub path: String,
    pub start_line: usize,
    pub line: usize,
    /// The lines as they become (`\n` between them, none at the end).
    pub replacement: String,
    /// What it fixes: `code`, `name`, `message` of each finding, in line order (for the
    /// multi-stage rewrite: its rationale, one entry per hunk).
    pub fixes: Vec<Fixed>,
    /// Set for the multi-stage rewrite: its ecosystem (`python`, `install`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rewrite: Option<String>,
    /// Lint fixes on lines the rewrite replaces, not suggested on their own: suggestions
    /// that overlap cannot be applied together, and the rewrite wins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub superseded: Vec<Fixed>,
    /// Lint fixes on lines the rewrite replaces whose findings the rewrite fixes too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub includes: Vec<Fixed>,
    /// Info findings the rewrite brings on lines of the author's it keeps as they are.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub brings: Vec<Fixed>,
}

/// A Dockerfile's multi-stage rewrite as shiplight computed it on the head file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    pub path: String,
    pub ecosystem: String,
    /// The whole rewritten file.
    pub patched: String,
    pub rationale: Vec<crate::patch::Rationale>,
}

/// A finding a suggestion fixes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fixed {
    pub code: String,
    pub name: String,
    pub message: String,
    pub line: usize,
}

/// What one run did with its suggestions (`github::review`), for the sticky comment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    /// Comments posted by this run.
    pub posted: usize,
    /// Suggestions already there, same lines and text: not posted again.
    pub kept: usize,
    /// Shiplight's own comments no suggestion matches any more, deleted.
    pub deleted: usize,
    /// Suggestions not posted because the per-run ceiling was reached.
    pub over_ceiling: usize,
    pub ceiling: usize,
    /// The review this run posted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_url: Option<String>,
    /// Other authors' review comments that carry the marker, left as they are.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignored: Vec<u64>,
    /// The Dockerfiles whose multi-stage rewrite is a suggestion of the review (posted by
    /// this run or still there from an earlier one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rewrites: Vec<String>,
}

/// The review step's result, as the report carries it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewOutcome {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<Published>,
    /// Suggestions whose proof failed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dropped: Vec<Dropped>,
    /// Why no review was posted, when one could not be.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Where the changed lines came from: `git` (the checkout had both commits) or `api`
    /// (`GET /pulls/{n}/files`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines_from: Option<String>,
    /// Rewrites that stay in the comment only, and why (`path`, reason).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rewrites_not_suggested: Vec<(String, String)>,
}

impl ReviewOutcome {
    /// Lines for the sticky comment (prose; the pull request's words in code spans).
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(p) = &self.published {
            let link = |text: &str| match &p.review_url {
                Some(u) if u.starts_with("https://") => format!("[{text}]({u})"),
                _ => text.to_owned(),
            };
            if p.posted > 0 {
                out.push(format!(
                    "💡 {} one-click fix(es) posted as a {} on the lines this pull request changed.",
                    p.posted,
                    link("review")
                ));
            }
            for path in &p.rewrites {
                out.push(format!(
                    "💡 The multi-stage rewrite of {} is a one-click suggestion in the {}: it replaces only lines this pull request wrote.",
                    super::comment::code(path),
                    link("review")
                ));
            }
            if p.kept > 0 {
                out.push(format!(
                    "💡 {} one-click fix(es) from an earlier run still apply (not posted again).",
                    p.kept
                ));
            }
            if p.over_ceiling > 0 {
                out.push(format!(
                    "The ceiling of {} review comments per run was reached: {} more fix(es) were not posted (input `review-max-comments`; the next run posts them).",
                    p.ceiling, p.over_ceiling
                ));
            }
        }
        for d in &self.dropped {
            out.push(format!(
                "A fix for {} on line {} of {} was not suggested: applied to the file, {}.",
                d.codes.join(", "),
                d.line,
                super::comment::code(&d.path),
                prose(&d.why)
            ));
        }
        if let Some(e) = &self.error {
            out.push(format!("Review suggestions were not posted: {}", prose(e)));
        }
        out
    }
}

/// A suggestion that was not kept, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dropped {
    pub path: String,
    pub line: usize,
    pub codes: Vec<String>,
    pub why: String,
}

impl ReviewSuggestion {
    /// The comment's body: the findings as prose, the suggestion block, the marker.
    pub fn body(&self) -> String {
        let mut out = String::new();
        if let Some(eco) = &self.rewrite {
            out.push_str(&format!(
                "**shiplight** multi-stage rewrite ({}): build in an earlier stage, ship only what runs. Applied to the file, it parses and lints without the findings it answers{}.\n\n",
                prose(eco),
                if self.brings.is_empty() { ", and brings no new one" } else { "" }
            ));
            for f in &self.fixes {
                let rule = match rules::find(&f.code) {
                    Some(r) => format!("[{}]({})", r.code, r.url()),
                    None => prose(&f.code),
                };
                out.push_str(&format!("- line {} ({rule}): {}\n", f.line, prose(&f.message)));
            }
            for f in &self.brings {
                let rule = rules::find(&f.code)
                    .map(|r| format!("[{}]({})", r.code, r.url()))
                    .unwrap_or_else(|| prose(&f.code));
                out.push_str(&format!(
                    "\nOnce applied, {rule} (info) reports on line {} of the rewritten file, a line of yours it keeps as it is: {}\n",
                    f.line,
                    prose(&f.message)
                ));
            }
            let list = |fs: &[Fixed]| {
                fs.iter().map(|f| format!("{} (line {})", f.code, f.line)).collect::<Vec<_>>().join(", ")
            };
            if !self.includes.is_empty() {
                out.push_str(&format!(
                    "\nIt includes the fixes of {} on the lines it replaces, so they are not suggested apart.\n",
                    list(&self.includes)
                ));
            }
            if !self.superseded.is_empty() {
                out.push_str(&format!(
                    "\nThe fixes of {} touch lines this rewrite replaces, so they are not suggested apart (GitHub cannot apply overlapping suggestions together); what still applies is suggested on the rewritten lines by the next run.\n",
                    list(&self.superseded)
                ));
            }
            out.push('\n');
            out.push_str(&code_block("suggestion", &self.replacement));
            out.push('\n');
            out.push_str(MARKER);
            out.push('\n');
            return out;
        }
        for f in &self.fixes {
            let rule = match rules::find(&f.code) {
                Some(r) => format!("[{}]({}) {}", r.code, r.url(), prose(r.name)),
                None => prose(&f.code),
            };
            out.push_str(&format!("- **shiplight** {rule}: {}\n", prose(&f.message)));
        }
        out.push('\n');
        out.push_str(&code_block("suggestion", &self.replacement));
        out.push('\n');
        out.push_str(MARKER);
        out.push('\n');
        out
    }
}

/// The lines a unified diff (a `patch` of GitHub's pull request files, or `git diff`'s output
/// for one file, whose `diff --git`/`---`/`+++` headers are skipped) adds to the new file.
pub fn added_lines(patch: &str) -> BTreeSet<usize> {
    let mut added = BTreeSet::new();
    let mut at = 0usize;
    let mut in_hunk = false;
    for l in patch.lines() {
        if l.starts_with("diff --git ") {
            in_hunk = false;
        } else if let Some(rest) = l.strip_prefix("@@ ") {
            in_hunk = true;
            // @@ -a,b +c,d @@
            at = rest
                .split_whitespace()
                .find_map(|w| w.strip_prefix('+'))
                .and_then(|w| w.split(',').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
        } else if !in_hunk {
            // a header: `index …`, `--- a/…`, `+++ b/…`, `new file mode …`
        } else if l.starts_with('+') {
            added.insert(at);
            at += 1;
        } else if l.starts_with(' ') || l.is_empty() {
            at += 1;
        }
        // `-` lines and `\ No newline at end of file` do not move the new file's count
    }
    added
}

/// The byte range of lines `first..=last` (1-based) without the last one's line end.
fn lines_range(text: &str, first: usize, last: usize) -> Option<std::ops::Range<usize>> {
    let mut starts = vec![0];
    starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    let start = *starts.get(first.checked_sub(1)?)?;
    let next = starts.get(last).copied().unwrap_or(text.len() + 1);
    let mut end = next.saturating_sub(1).min(text.len());
    if text[..end].ends_with('\r') {
        end -= 1;
    }
    Some(start..end.max(start))
}

/// The lines a finding's fix touches.
fn span(f: &Finding) -> Option<(usize, usize)> {
    let start = f.edits.iter().map(|e| e.start_line).min()?;
    let end = f
        .edits
        .iter()
        // a range that ends just after a line end touches no byte of the next line
        .map(|e| {
            if e.end_column == 1 && e.end_line > e.start_line && e.end > e.start {
                e.end_line - 1
            } else {
                e.end_line
            }
        })
        .max()?;
    Some((start, end.max(start)))
}

/// The suggestions for `path`'s findings (of `text`, the head file) on the lines the pull
/// request added (`changed`), fixes on the same lines merged; and those whose proof failed.
pub fn suggestions(
    text: &str,
    path: &str,
    findings: &[Finding],
    changed: &BTreeSet<usize>,
    cfg: &LintConfig,
) -> (Vec<ReviewSuggestion>, Vec<Dropped>) {
    let mut fixable: Vec<(usize, usize, &Finding)> =
        findings.iter().filter(|f| f.file == path).filter_map(|f| span(f).map(|(s, e)| (s, e, f))).collect();
    fixable.sort_by_key(|(s, e, f)| (*s, *e, f.line, f.code.clone()));
    // overlapping spans become one group
    let mut groups: Vec<(usize, usize, Vec<&Finding>)> = Vec::new();
    for (s, e, f) in fixable {
        match groups.last_mut() {
            Some(g) if s <= g.1 => {
                g.1 = g.1.max(e);
                g.2.push(f);
            }
            _ => groups.push((s, e, vec![f])),
        }
    }
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    for (s, e, group) in groups {
        if !(s..=e).all(|l| changed.contains(&l)) {
            continue;
        }
        let drop = |why: String| Dropped {
            path: path.to_owned(),
            line: s,
            codes: group.iter().map(|f| f.code.clone()).collect(),
            why,
        };
        let after = match fix::prove(text, &group, path, cfg) {
            Ok(t) => t,
            Err(err) => {
                dropped.push(drop(err.to_string()));
                continue;
            }
        };
        let grown: isize =
            group.iter().flat_map(|f| &f.edits).map(|x| x.content.len() as isize - (x.end - x.start) as isize).sum();
        let Some(before) = lines_range(text, s, e) else {
            dropped.push(drop(format!("lines {s}–{e} are not in the file")));
            continue;
        };
        let end = (before.end as isize + grown).max(before.start as isize) as usize;
        let Some(new) = after.get(before.start..end) else {
            dropped.push(drop("the fixed lines cannot be cut out of the file".into()));
            continue;
        };
        let replacement = new.trim_start_matches('\u{feff}').replace("\r\n", "\n");
        kept.push(ReviewSuggestion {
            path: path.to_owned(),
            start_line: s,
            line: e,
            replacement,
            fixes: group
                .iter()
                .map(|f| Fixed { code: f.code.clone(), name: f.name.clone(), message: f.message.clone(), line: f.line })
                .collect(),
            rewrite: None,
            superseded: Vec::new(),
            includes: Vec::new(),
            brings: Vec::new(),
        });
    }
    (kept, dropped)
}

/// What becomes of a Dockerfile's multi-stage rewrite in the review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RewriteVerdict {
    /// Every line it replaces is the pull request's: one suggestion, proved.
    Suggested(ReviewSuggestion),
    /// It stays in the sticky comment, and why.
    InComment(String),
    /// Its proof failed: not suggested, and said.
    Dropped(Dropped),
}

/// The multi-stage rewrite of `text` (the head file) as one suggestion replacing the lines it
/// changes, when all of them are lines the pull request added (`changed`): a new Dockerfile,
/// or one the pull request rewrote. The suggestion is proved as GitHub would apply it: its
/// lines spliced into the head file give the rewrite byte for byte (line endings kept), which
/// parses, reports fewer of each rule its rationale answers, and no rule more than before.
pub fn rewrite_suggestion(text: &str, rw: &Rewrite, changed: &BTreeSet<usize>, cfg: &LintConfig) -> RewriteVerdict {
    let old: Vec<&str> = text.split_inclusive('\n').collect();
    let new: Vec<&str> = rw.patched.split_inclusive('\n').collect();
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let room = old.len().min(new.len()) - prefix;
    let suffix = old.iter().rev().zip(new.iter().rev()).take(room).take_while(|(a, b)| a == b).count();
    // lines (0-based, end exclusive) of the head file and of the rewrite that differ
    let (mut a, mut b) = (prefix, old.len() - suffix);
    let (mut c, mut d) = (prefix, new.len() - suffix);
    if a == b {
        // only inserted lines: a suggestion replaces at least one line, so take a neighbour
        if a > 0 {
            a -= 1;
            c -= 1;
        } else if b < old.len() {
            b += 1;
            d += 1;
        } else {
            return RewriteVerdict::InComment("the file is empty".into());
        }
    }
    let (start, end) = (a + 1, b);
    if let Some(l) = (start..=end).find(|l| !changed.contains(l)) {
        return RewriteVerdict::InComment(format!(
            "it replaces lines {start}–{end}, and line {l} is not one this pull request changed"
        ));
    }
    let drop = |why: String| {
        RewriteVerdict::Dropped(Dropped {
            path: rw.path.clone(),
            line: start,
            codes: rw.rationale.iter().map(|r| r.rule.clone()).collect::<BTreeSet<_>>().into_iter().collect(),
            why,
        })
    };
    let strip = |l: &str| l.trim_end_matches('\n').trim_end_matches('\r').to_owned();
    let mut replacement = new[c..d].iter().map(|l| strip(l)).collect::<Vec<_>>().join("\n");
    if c == 0 {
        replacement = replacement.trim_start_matches('\u{feff}').to_owned();
    }
    // apply it as GitHub does: the block's lines in place of start..=end, in the file's endings
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut applied: String = old[..a].concat();
    if c == 0 && text.starts_with('\u{feff}') && a == 0 {
        applied.push('\u{feff}');
    }
    let last = b == old.len() && !text.ends_with('\n');
    let block: Vec<&str> = replacement.split('\n').collect();
    for (i, l) in block.iter().enumerate() {
        applied.push_str(l);
        if !(last && i + 1 == block.len()) {
            applied.push_str(eol);
        }
    }
    applied.push_str(&old[b..].concat());
    if applied != rw.patched {
        return drop("the suggestion would not give the rewrite byte for byte".into());
    }
    if let Err(e) = crate::dockerfile::Dockerfile::parse(&applied) {
        return drop(format!("it does not parse (line {}: {})", e.line, e.message));
    }
    let count = |fs: &[Finding]| {
        let mut m = std::collections::BTreeMap::<String, usize>::new();
        for f in fs {
            *m.entry(f.code.clone()).or_default() += 1;
        }
        m
    };
    let after_findings = crate::lint::lint_text(&applied, &rw.path, cfg);
    let (before, after) = (count(&crate::lint::lint_text(text, &rw.path, cfg)), count(&after_findings));
    // A new finding refuses the rewrite, but for one kind: an info finding on a line of the
    // author's that the rewrite keeps word for word, which only being multi-stage brings
    // (SL108 on the `COPY . .` now in the final stage). It is said above the block.
    let own_lines: BTreeSet<&str> = text.lines().map(str::trim).collect();
    let mut brings = Vec::new();
    for (code, n) in after.iter().filter(|(code, n)| **n > before.get(*code).copied().unwrap_or(0)) {
        let of: Vec<&Finding> = after_findings.iter().filter(|f| &f.code == code).collect();
        if !of.iter().all(|f| f.severity == Severity::Info && own_lines.contains(f.source_line.trim())) {
            return drop(format!("{code} reports {n} time(s), more than before"));
        }
        let new = n - before.get(code).copied().unwrap_or(0);
        brings.extend(of.iter().rev().take(new).rev().map(|f| Fixed {
            code: f.code.clone(),
            name: f.name.clone(),
            message: f.message.clone(),
            line: f.line,
        }));
    }
    let answered: BTreeSet<&str> =
        rw.rationale.iter().map(|r| r.rule.as_str()).filter(|r| before.contains_key(*r)).collect();
    if answered.is_empty() {
        return drop("no finding of the head file is among those it answers".into());
    }
    if let Some(code) = answered.iter().find(|r| after.get(**r) >= before.get(**r)) {
        return drop(format!("{code} is still reported"));
    }
    RewriteVerdict::Suggested(ReviewSuggestion {
        path: rw.path.clone(),
        start_line: start,
        line: end,
        replacement,
        fixes: rw
            .rationale
            .iter()
            .map(|r| Fixed {
                code: r.rule.clone(),
                name: rules::find(&r.rule).map(|x| x.name.to_owned()).unwrap_or_default(),
                message: r.message.clone(),
                line: r.line,
            })
            .collect(),
        rewrite: Some(rw.ecosystem.clone()),
        superseded: Vec::new(),
        includes: Vec::new(),
        brings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::lint_text;

    #[test]
    fn added_lines_follow_the_hunks() {
        let patch = "diff --git a/D b/D\n--- a/D\n+++ b/D\n@@ -1,3 +1,4 @@\n FROM a:1\n-RUN x\n+RUN y\n+RUN z\n USER 0:0\n@@ -10,2 +11,3 @@\n CMD a\n+CMD b\n\\ No newline at end of file";
        assert_eq!(added_lines(patch).into_iter().collect::<Vec<_>>(), vec![2, 3, 12]);
    }

    /// Three fixes on one RUN are one suggestion of that RUN's line; a fix on a line the pull
    /// request did not change gets none; applying the suggestion fixes the findings.
    #[test]
    fn fixes_on_the_same_lines_merge_and_only_changed_lines_get_one() {
        let text = "FROM debian:12.5 as app\nUSER 0:0\nRUN apt update && apt install curl\nCMD python app.py\n";
        let cfg = LintConfig::default();
        let findings = lint_text(text, "Dockerfile", &cfg);
        let changed: BTreeSet<usize> = [3, 4].into();
        let (kept, dropped) = suggestions(text, "Dockerfile", &findings, &changed, &cfg);
        assert!(dropped.is_empty(), "{dropped:?}");
        assert_eq!(kept.len(), 2, "{kept:#?}");
        let run = &kept[0];
        assert_eq!((run.start_line, run.line), (3, 3));
        assert_eq!(
            run.replacement,
            "RUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*"
        );
        let codes: Vec<&str> = run.fixes.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes, ["SL106", "SL301", "SL302", "SL303"]);
        assert_eq!(kept[1].replacement, "CMD [\"python\", \"app.py\"]");
        // line 1's `as` was not changed by the pull request
        assert!(kept.iter().all(|k| k.start_line != 1));
        // applying both leaves none of their findings
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        for k in kept.iter().rev() {
            lines.splice(k.start_line - 1..k.line, k.replacement.lines().map(String::from));
        }
        let after = lines.join("\n") + "\n";
        let left: Vec<String> = lint_text(&after, "Dockerfile", &cfg).into_iter().map(|f| f.code).collect();
        for c in ["SL106", "SL301", "SL302", "SL303", "SL307"] {
            assert!(!left.iter().any(|l| l == c), "{c} left in {after}: {left:?}");
        }
    }

    /// The rewrite of a CRLF file with a BOM: one suggestion whose block has neither (GitHub
    /// keeps the file's), which spliced back gives the rewrite byte for byte; a line outside
    /// the diff keeps it in the comment.
    #[test]
    fn a_rewrite_keeps_the_files_bytes_and_needs_every_line_in_the_diff() {
        let text = "\u{feff}FROM python:3.12-slim\r\nWORKDIR /app\r\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*\r\nCOPY requirements.txt .\r\nRUN pip install --no-cache-dir -r requirements.txt\r\nCOPY . .\r\nCMD [\"python\", \"app.py\"]\r\n";
        let p = match crate::patch::suggest(
            text,
            "Dockerfile",
            &Default::default(),
            &crate::patch::Templates::built_in(),
        ) {
            crate::patch::Outcome::Patch(p) => p,
            other => panic!("{other:?}"),
        };
        assert!(p.patched.starts_with('\u{feff}') && p.patched.contains("\r\n"));
        let rw =
            Rewrite { path: "Dockerfile".into(), ecosystem: p.ecosystem, patched: p.patched, rationale: p.rationale };
        let cfg = LintConfig::default();
        let all: BTreeSet<usize> = (1..=7).collect();
        let RewriteVerdict::Suggested(s) = rewrite_suggestion(text, &rw, &all, &cfg) else {
            panic!("{:?}", rewrite_suggestion(text, &rw, &all, &cfg))
        };
        assert_eq!(s.start_line, 1);
        assert!(s.replacement.starts_with("FROM python:3.12-slim AS build\n"), "{}", s.replacement);
        assert!(!s.replacement.contains('\r') && !s.replacement.contains('\u{feff}'));
        assert_eq!(s.rewrite.as_deref(), Some("python"));
        assert!(s.fixes.iter().any(|f| f.code == "SL101"), "{:?}", s.fixes);
        let some: BTreeSet<usize> = (2..=7).collect();
        match rewrite_suggestion(text, &rw, &some, &cfg) {
            RewriteVerdict::InComment(why) => assert!(why.contains("line 1 is not"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    /// A fix whose proof fails is dropped and said; a body cannot be broken out of.
    #[test]
    fn unproved_fixes_are_dropped_and_bodies_are_safe() {
        let text = "FROM debian:12.5\nUSER 0:0\nMAINTAINER me\n";
        let cfg = LintConfig::default();
        let mut findings = lint_text(text, "Dockerfile", &cfg);
        let m = findings.iter_mut().find(|f| f.code == "SL312").unwrap();
        m.edits[0].content = "WORKDIR relative".into();
        let (kept, dropped) = suggestions(text, "Dockerfile", &findings, &[3].into(), &cfg);
        assert!(kept.is_empty());
        assert_eq!(dropped[0].codes, ["SL312"]);
        assert!(dropped[0].why.contains("SL309"), "{dropped:?}");
        let s = ReviewSuggestion {
            path: "Dockerfile".into(),
            start_line: 3,
            line: 3,
            replacement: "RUN echo ```\nLABEL a=b".into(),
            fixes: vec![Fixed {
                code: "SL312".into(),
                name: "maintainer-deprecated".into(),
                message: "`@team <b>x</b>` and @all <script>".into(),
                line: 3,
            }],
            rewrite: None,
            superseded: Vec::new(),
            includes: Vec::new(),
            brings: Vec::new(),
        };
        let body = s.body();
        assert!(body.contains("````suggestion\nRUN echo ```\nLABEL a=b\n````\n"), "{body}");
        assert!(body.contains("@\u{200b}all") && body.contains("\\<script\\>"), "{body}");
        assert!(body.ends_with("<!-- shiplight:review -->\n"), "{body}");
    }
}
