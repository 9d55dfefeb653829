//! The sticky pull-request comment: found by its hidden marker (`<!-- shiplight:<key> -->`)
//! across every page of comments, updated in place, created only when there is none, and
//! never left twice (extra copies are deleted).
//!
//! Retries: 5xx, 429 and rate-limit 403s are retried with backoff that honours `Retry-After`
//! and `x-ratelimit-reset`, a bounded number of times. A create is never blindly re-sent:
//! after a failed POST the marker is looked for again, so a retry cannot duplicate the comment.
//! octocrab's own retry is switched off for that reason.

use std::time::Duration;

use http::StatusCode;
use octocrab::service::middleware::retry::RetryConfig;
use serde_json::{json, Value};

pub use crate::report::comment::marker;

/// Why the comment could not be posted.
#[derive(Debug, thiserror::Error)]
pub enum CommentError {
    #[error("GitHub API at {api}: {what} answered {status}: {message}; {hint}")]
    Refused { api: String, what: String, status: u16, message: String, hint: String },
    #[error("GitHub API at {api}: {what}: {message}")]
    Transport { api: String, what: String, message: String },
}

impl CommentError {
    /// A refusal that means the token cannot write here (a fork's pull request, or a missing
    /// permission): the report can still be saved and posted by another workflow.
    pub fn is_forbidden(&self) -> bool {
        matches!(self, CommentError::Refused { status: 401 | 403, .. })
    }
}

/// The comment as posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub id: u64,
    pub url: String,
    pub created: bool,
}

/// A GitHub client for one repository's pull-request comments.
pub struct Comments {
    crab: octocrab::Octocrab,
    api: String,
    repo: String,
    /// Attempts per request, the first included.
    pub attempts: u32,
    /// Backoff before the first retry when GitHub says nothing (doubled each time).
    pub backoff: Duration,
}

struct Answer {
    status: StatusCode,
    body: Value,
    wait: Option<Duration>,
}

fn hint(status: u16) -> String {
    match status {
        401 => "the token was refused: check the github-token input".into(),
        403 => "the token cannot write comments here: the job needs `permissions: pull-requests: write`, and on a pull request from a fork the token is read-only (save the report and post it from a workflow_run job; see the README)".into(),
        404 => "the repository or pull request was not found, or the token cannot see it (`pull-requests: write` for comments)".into(),
        422 => "GitHub rejected the comment (is the body over 65,536 characters?)".into(),
        _ => "retry later".into(),
    }
}

impl Comments {
    /// A client for `owner/name` at `api_url` (GITHUB_API_URL) with `token`.
    pub fn new(api_url: &str, token: &str, repo: &str) -> Result<Comments, CommentError> {
        let transport = |message: String| CommentError::Transport {
            api: api_url.to_owned(),
            what: "setting up the client".into(),
            message,
        };
        let crab = octocrab::Octocrab::builder()
            .base_uri(api_url)
            .map_err(|e| transport(e.to_string()))?
            .personal_token(token.to_owned())
            .add_retry_config(RetryConfig::None)
            .build()
            .map_err(|e| transport(e.to_string()))?;
        Ok(Comments {
            crab,
            api: api_url.to_owned(),
            repo: repo.to_owned(),
            attempts: 4,
            backoff: Duration::from_secs(1),
        })
    }

    /// One request, no retry. `wait` is set when GitHub asks to slow down.
    async fn once(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Answer, CommentError> {
        let transport = |message: String| CommentError::Transport {
            api: self.api.clone(),
            what: format!("{method} {path}"),
            message,
        };
        let response = match method {
            "GET" => self.crab._get(path).await,
            "POST" => self.crab._post(path, body).await,
            "PATCH" => self.crab._patch(path, body).await,
            _ => self.crab._delete(path, body).await,
        }
        .map_err(|e| transport(e.to_string()))?;
        let status = response.status();
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let rate_limited = status == StatusCode::TOO_MANY_REQUESTS
            || (status == StatusCode::FORBIDDEN
                && (header("retry-after").is_some() || header("x-ratelimit-remaining").as_deref() == Some("0")));
        let wait = if status.is_server_error() || rate_limited {
            let after = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok()).map(Duration::from_secs);
            let reset = header("x-ratelimit-reset").and_then(|v| v.trim().parse::<u64>().ok()).and_then(|reset| {
                let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
                Some(Duration::from_secs(reset.saturating_sub(now)))
            });
            // never sleep for more than a minute in one go
            Some(after.or(reset).unwrap_or(self.backoff).min(Duration::from_secs(60)))
        } else {
            None
        };
        let text = self.crab.body_to_string(response).await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Answer { status, body, wait })
    }

    /// A request retried while GitHub asks to wait (never used for a create).
    async fn retried(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, CommentError> {
        let mut backoff = self.backoff;
        for attempt in 1..=self.attempts {
            let a = self.once(method, path, body).await?;
            match a.wait {
                Some(wait) if attempt < self.attempts => {
                    tokio::time::sleep(wait.max(backoff)).await;
                    backoff *= 2;
                }
                _ => return self.check(method, path, a),
            }
        }
        unreachable_attempts()
    }

    fn check(&self, method: &str, path: &str, a: Answer) -> Result<Value, CommentError> {
        if a.status.is_success() {
            return Ok(a.body);
        }
        let message = a.body.get("message").and_then(Value::as_str).unwrap_or("").to_owned();
        Err(CommentError::Refused {
            api: self.api.clone(),
            what: format!("{method} {path}"),
            status: a.status.as_u16(),
            message,
            hint: hint(a.status.as_u16()),
        })
    }

    /// Every comment of the pull request that carries `marker`, oldest first, as (id, url).
    pub async fn find(&self, pr: u64, marker: &str) -> Result<Vec<(u64, String)>, CommentError> {
        let mut found = Vec::new();
        // bounded: 100 pages of 100 comments
        for page in 1..=100 {
            let path = format!("/repos/{}/issues/{pr}/comments?per_page=100&page={page}", self.repo);
            let list = self.retried("GET", &path, None).await?;
            let items = list.as_array().cloned().unwrap_or_default();
            for c in &items {
                if c["body"].as_str().is_some_and(|b| b.contains(marker)) {
                    found.push((c["id"].as_u64().unwrap_or(0), c["html_url"].as_str().unwrap_or("").to_owned()));
                }
            }
            if items.len() < 100 {
                break;
            }
        }
        Ok(found)
    }

    /// Replace a comment's body.
    pub async fn update(&self, id: u64, body: &Value) -> Result<Value, CommentError> {
        self.retried("PATCH", &format!("/repos/{}/issues/comments/{id}", self.repo), Some(body)).await
    }

    /// Delete a comment.
    pub async fn delete(&self, id: u64) -> Result<(), CommentError> {
        self.retried("DELETE", &format!("/repos/{}/issues/comments/{id}", self.repo), None).await.map(|_| ())
    }

    /// A pull request's head commit and labels (read to check that a saved report is still
    /// for the pull request's head before posting it).
    pub async fn pull_request(&self, pr: u64) -> Result<(String, Vec<String>), CommentError> {
        let v = self.retried("GET", &format!("/repos/{}/pulls/{pr}", self.repo), None).await?;
        let head = v["head"]["sha"].as_str().unwrap_or("").to_owned();
        let labels = v["labels"]
            .as_array()
            .map(|l| l.iter().filter_map(|x| x["name"].as_str().map(String::from)).collect())
            .unwrap_or_default();
        Ok((head, labels))
    }

    /// Update the comment carrying `key`'s marker, or create it; delete any extra copies.
    /// The marker is added to `body` when it lacks it.
    pub async fn upsert(&self, pr: u64, key: &str, body: &str) -> Result<Posted, CommentError> {
        let mark = marker(key);
        let text = if body.contains(&mark) { body.to_owned() } else { format!("{body}\n{mark}\n") };
        let payload = json!({ "body": text });
        let mut backoff = self.backoff;
        for attempt in 1..=self.attempts {
            let existing = self.find(pr, &mark).await?;
            if let Some(((id, _), extra)) = existing.split_first() {
                for (dup, _) in extra {
                    self.delete(*dup).await?;
                }
                let updated = self.update(*id, &payload).await?;
                // a create that "failed" but went through is found here: it counts as created
                let created = attempt > 1;
                return Ok(Posted { id: *id, url: updated["html_url"].as_str().unwrap_or("").to_owned(), created });
            }
            let path = format!("/repos/{}/issues/{pr}/comments", self.repo);
            let a = self.once("POST", &path, Some(&payload)).await?;
            match a.wait {
                // not re-sent as is: the next round looks for the marker first
                Some(wait) if attempt < self.attempts => {
                    tokio::time::sleep(wait.max(backoff)).await;
                    backoff *= 2;
                }
                _ => {
                    let c = self.check("POST", &path, a)?;
                    let posted = Posted {
                        id: c["id"].as_u64().unwrap_or(0),
                        url: c["html_url"].as_str().unwrap_or("").to_owned(),
                        created: true,
                    };
                    return self.settle(pr, &mark, &payload, posted).await;
                }
            }
        }
        unreachable_attempts()
    }
}

impl Comments {
    /// After a create: when a concurrent run created one too, every run keeps the oldest
    /// (lowest id), writes its own body there and deletes the rest, so one comment remains.
    async fn settle(&self, pr: u64, mark: &str, payload: &Value, posted: Posted) -> Result<Posted, CommentError> {
        let found = self.find(pr, mark).await?;
        let Some(((oldest, url), rest)) = found.split_first() else { return Ok(posted) };
        if *oldest == posted.id {
            return Ok(posted);
        }
        for (dup, _) in rest {
            match self.delete(*dup).await {
                // the other run deleted it first
                Err(CommentError::Refused { status: 404, .. }) | Ok(()) => {}
                Err(e) => return Err(e),
            }
        }
        let updated = self.update(*oldest, payload).await?;
        let url = updated["html_url"].as_str().map(String::from).unwrap_or_else(|| url.clone());
        Ok(Posted { id: *oldest, url, created: false })
    }
}

/// The retry loops return from their last attempt; this only satisfies the type checker
/// when `attempts` is 0.
fn unreachable_attempts<T>() -> Result<T, CommentError> {
    Err(CommentError::Transport {
        api: String::new(),
        what: "a request".into(),
        message: "no attempt was allowed (attempts = 0)".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_and_hints() {
        assert_eq!(marker("flask"), "<!-- shiplight:flask -->");
        assert!(hint(403).contains("pull-requests: write") && hint(403).contains("fork"));
        let e = CommentError::Refused {
            api: "a".into(),
            what: "POST x".into(),
            status: 403,
            message: "Resource not accessible by integration".into(),
            hint: hint(403),
        };
        assert!(e.is_forbidden());
    }
}
