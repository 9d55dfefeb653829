//! Shiplight's pull-request review: its suggestions ([`crate::report::review`]) posted as
//! one review per run (`POST /pulls/{n}/reviews`, event `COMMENT`, never `REQUEST_CHANGES`:
//! the check is what fails), each comment a multi-line comment on the head's side (`RIGHT`)
//! spanning exactly the lines it replaces.
//!
//! One conversation, not spam: the review comments already there are listed first (every
//! page). A suggestion already posted on the same lines with the same text is not posted
//! again; shiplight's own comments that no suggestion of this run matches any more (the
//! author changed the lines, or the finding is gone) are deleted. Ownership is the sticky
//! comment's: a comment is shiplight's only when it carries the marker **and** was written by
//! the identity that runs shiplight; anyone else's is never edited or deleted, whatever it
//! quotes. At most `ceiling` comments are posted per run; the rest are counted.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::comment::{CommentError, Comments};
use crate::report::review::{added_lines, Published, ReviewSuggestion, MARKER};

/// GitHub lists at most this many files of a pull request.
const MAX_FILES: usize = super::pulls::MAX_FILES;

/// A review comment as listed.
struct Listed {
    id: u64,
    path: String,
    start_line: Option<u64>,
    line: Option<u64>,
    body: String,
    own: bool,
}

impl Comments {
    /// The lines each file of the pull request adds (`GET /pulls/{n}/files`, every page):
    /// the `+` lines of its patch. A file GitHub gives no patch for (too large, binary) adds
    /// no line shiplight comments on.
    pub async fn added_lines(&self, pr: u64) -> Result<BTreeMap<String, BTreeSet<usize>>, CommentError> {
        let mut out = BTreeMap::new();
        for page in 1..=(MAX_FILES / 100) {
            let path = format!("/repos/{}/pulls/{pr}/files?per_page=100&page={page}", self.repo());
            let list = self.retried("GET", &path, None).await?;
            let items = list.as_array().cloned().unwrap_or_default();
            for f in &items {
                let (Some(name), Some(patch)) = (f["filename"].as_str(), f["patch"].as_str()) else { continue };
                out.insert(name.to_owned(), added_lines(patch));
            }
            if items.len() < 100 {
                break;
            }
        }
        Ok(out)
    }

    /// The pull request's review comments (`GET /pulls/{n}/comments`, every page), each told
    /// shiplight's own or not.
    async fn review_comments(&self, pr: u64) -> Result<Vec<Listed>, CommentError> {
        let Some(author) = self.author.clone() else {
            return Err(CommentError::UnknownAuthor { why: "the comments' author was not settled".into() });
        };
        let mut out = Vec::new();
        for page in 1..=100 {
            let path = format!("/repos/{}/pulls/{pr}/comments?per_page=100&page={page}", self.repo());
            let list = self.retried("GET", &path, None).await?;
            let items = list.as_array().cloned().unwrap_or_default();
            for c in &items {
                let (Some(id), Some(body)) = (c["id"].as_u64(), c["body"].as_str()) else { continue };
                if !body.contains(MARKER) {
                    continue;
                }
                out.push(Listed {
                    id,
                    path: c["path"].as_str().unwrap_or("").to_owned(),
                    start_line: c["start_line"].as_u64(),
                    line: c["line"].as_u64(),
                    body: body.to_owned(),
                    own: author.wrote(&c["user"]),
                });
            }
            if items.len() < 100 {
                break;
            }
        }
        Ok(out)
    }

    /// Post `suggestions` on pull request `pr` at its head commit `head_sha` as one review,
    /// at most `ceiling` new comments; skip those already there and delete shiplight's own
    /// on the files this run `covered` (and those the suggestions are on) that no suggestion
    /// matches any more. Comments on other files are another job's and are left.
    pub async fn publish_review(
        &self,
        pr: u64,
        head_sha: &str,
        suggestions: &[ReviewSuggestion],
        ceiling: usize,
        covered: &[String],
    ) -> Result<Published, CommentError> {
        let mut out = Published { ceiling, ..Published::default() };
        let listed = self.review_comments(pr).await?;
        let mut wanted: Vec<(&ReviewSuggestion, String)> = suggestions.iter().map(|s| (s, s.body())).collect();
        for c in &listed {
            if !c.own {
                out.ignored.push(c.id);
                continue;
            }
            let same = |(s, body): &(&ReviewSuggestion, String)| {
                s.path == c.path
                    && c.line == Some(s.line as u64)
                    && c.start_line.unwrap_or(s.line as u64) == s.start_line as u64
                    && *body == c.body
            };
            match wanted.iter().position(same) {
                Some(i) => {
                    let (s, _) = wanted.remove(i);
                    if s.rewrite.is_some() {
                        out.rewrites.push(s.path.clone());
                    }
                    out.kept += 1;
                }
                None if !covered.contains(&c.path) && !suggestions.iter().any(|s| s.path == c.path) => {}
                None => {
                    self.retried("DELETE", &format!("/repos/{}/pulls/comments/{}", self.repo(), c.id), None).await?;
                    out.deleted += 1;
                }
            }
        }
        out.over_ceiling = wanted.len().saturating_sub(ceiling);
        wanted.truncate(ceiling);
        if wanted.is_empty() {
            return Ok(out);
        }
        let comments: Vec<Value> = wanted
            .iter()
            .map(|(s, body)| {
                let mut c = json!({ "path": s.path, "body": body, "line": s.line, "side": "RIGHT" });
                if s.start_line < s.line {
                    c["start_line"] = json!(s.start_line);
                    c["start_side"] = json!("RIGHT");
                }
                c
            })
            .collect();
        let fixes: usize = wanted.iter().map(|(s, _)| s.fixes.len()).sum();
        let payload = json!({
            "commit_id": head_sha,
            "event": "COMMENT",
            "body": format!(
                "shiplight: {} one-click fix(es) for {fixes} finding(s) on lines this pull request changed. Each was applied to the file and linted again before it was posted.\n{MARKER}",
                wanted.len()
            ),
            "comments": comments,
        });
        // a review is not re-sent on a failure: a retry could post it twice
        let path = format!("/repos/{}/pulls/{pr}/reviews", self.repo());
        let answer = self.once("POST", &path, Some(&payload)).await?;
        let review = self.check("POST", &path, answer)?;
        out.posted = wanted.len();
        out.rewrites.extend(wanted.iter().filter(|(s, _)| s.rewrite.is_some()).map(|(s, _)| s.path.clone()));
        out.review_url = review["html_url"].as_str().map(String::from);
        Ok(out)
    }
}
