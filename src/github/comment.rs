//! The sticky pull-request comment: found by its hidden marker (`<!-- shiplight:<key> -->`)
//! across every page of comments, updated in place, created only when there is none, and
//! never left twice (extra copies are deleted).
//!
//! Ownership: a comment is shiplight's only when it carries the marker **and** was written by
//! the identity that runs shiplight (its login and its user type, `Bot` or `User`). The
//! marker is an HTML comment anyone can type, so a body never proves authorship: another
//! user's comment that carries it is never patched or deleted, only counted as ignored.
//! The identity is stated (`comment-author`) or asked of GitHub (GraphQL `viewer { login }`,
//! which answers for the Actions token, GitHub App installation tokens and personal tokens
//! alike). A client that does not know who it is refuses to write.
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
    #[error("not posting the comment: {why}; shiplight edits only comments it wrote, so it must know who it is. Set the `comment-author` input to the login that posts (e.g. `my-app[bot]`)")]
    UnknownAuthor { why: String },
}

impl CommentError {
    /// A refusal that means the token cannot write here (a fork's pull request, or a missing
    /// permission): the report can still be saved and posted by another workflow.
    pub fn is_forbidden(&self) -> bool {
        matches!(self, CommentError::Refused { status: 401 | 403, .. } | CommentError::UnknownAuthor { .. })
    }
}

/// Who writes shiplight's comments: a login and whether it is a bot (GitHub's `user.type`
/// `Bot`, whose logins end in `[bot]`) or a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub login: String,
    pub bot: bool,
}

impl Author {
    /// The identity of the Actions job token (`GITHUB_TOKEN`).
    pub fn actions() -> Author {
        Author::from_login("github-actions[bot]")
    }

    /// An author from a login as the REST API spells it: `name[bot]` is a bot.
    pub fn from_login(login: &str) -> Author {
        let login = login.trim();
        Author { login: login.to_owned(), bot: login.ends_with("[bot]") }
    }

    /// Whether a comment's `user` object (REST) is this author: same login (GitHub logins
    /// are case-insensitive) and same kind of account.
    pub fn wrote(&self, user: &Value) -> bool {
        let login = user["login"].as_str().unwrap_or("");
        let kind = user["type"].as_str().unwrap_or("");
        login.eq_ignore_ascii_case(&self.login) && (kind == "Bot") == self.bot
    }
}

/// How the identity was settled, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// Stated by the `comment-author` input.
    Stated(Author),
    /// Answered by GraphQL `viewer`.
    Viewer(Author),
    /// GraphQL could not say; the Actions token is `github-actions[bot]` (the reason kept).
    ActionsFallback(Author, String),
}

impl Identity {
    pub fn author(&self) -> &Author {
        match self {
            Identity::Stated(a) | Identity::Viewer(a) | Identity::ActionsFallback(a, _) => a,
        }
    }

    /// One line for the log.
    pub fn describe(&self) -> String {
        match self {
            Identity::Stated(a) => format!("comments are written by {} (input comment-author)", a.login),
            Identity::Viewer(a) => format!("comments are written by {} (the token's identity, from GitHub)", a.login),
            Identity::ActionsFallback(a, why) => format!(
                "comments are written by {} (GitHub did not say who the token is: {why}; the Actions job token is taken to be {})",
                a.login, a.login
            ),
        }
    }
}

/// The GraphQL endpoint beside a REST API URL: `GITHUB_GRAPHQL_URL` when the runner sets it,
/// else `https://api.github.com/graphql`, and `https://HOST/api/graphql` for GitHub
/// Enterprise's `https://HOST/api/v3`.
pub fn graphql_url(api_url: &str) -> String {
    let api = api_url.trim_end_matches('/');
    match api.strip_suffix("/api/v3") {
        Some(host) => format!("{host}/api/graphql"),
        None => format!("{api}/graphql"),
    }
}

/// Shiplight's comments and the marker comments it left alone, from one listing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    /// (id, url) of shiplight's own comments that carry the marker, oldest first.
    pub own: Vec<(u64, String)>,
    /// Ids of other authors' comments that carry the marker (never edited).
    pub ignored: Vec<u64>,
}

/// The comment as posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub id: u64,
    pub url: String,
    pub created: bool,
    /// Other authors' comments carrying the marker, left as they are.
    pub ignored: Vec<u64>,
}

/// A GitHub client for one repository's pull-request comments.
pub struct Comments {
    crab: octocrab::Octocrab,
    api: String,
    repo: String,
    token: String,
    /// Attempts per request, the first included.
    pub attempts: u32,
    /// Backoff before the first retry when GitHub says nothing (doubled each time).
    pub backoff: Duration,
    /// Who shiplight's comments are written by; `None` until known, and then no comment is
    /// found, edited or written.
    pub author: Option<Author>,
}

pub(super) struct Answer {
    status: StatusCode,
    body: Value,
    wait: Option<Duration>,
}

fn hint(status: u16) -> String {
    match status {
        401 => "the token was refused: check the github-token input".into(),
        403 => "the token cannot write comments here: the job needs `permissions: pull-requests: write`, and on a pull request from a fork the token is read-only (save the report and post it from a workflow_run job; see Pull requests from forks in docs/action.md)".into(),
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
            token: token.to_owned(),
            attempts: 4,
            backoff: Duration::from_secs(1),
            author: None,
        })
    }

    /// The repository, `owner/name`.
    pub fn repo(&self) -> &str {
        &self.repo
    }

    /// This client with its comments' author stated.
    pub fn with_author(mut self, author: Author) -> Comments {
        self.author = Some(author);
        self
    }

    /// The token's login, from GraphQL `viewer { login }` at `graphql` (one request, retried
    /// like the others).
    pub async fn viewer(&self, graphql: &str) -> Result<Author, CommentError> {
        // GraphQL lives beside the REST API, not under it (GitHub Enterprise: /api/graphql
        // beside /api/v3), so it is asked through a client rooted at the URL's origin.
        let bad_url = || CommentError::Transport {
            api: graphql.to_owned(),
            what: "reading the GraphQL URL".into(),
            message: "not an absolute http(s) URL".into(),
        };
        let uri: http::Uri = graphql.parse().map_err(|_| bad_url())?;
        let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else { return Err(bad_url()) };
        let mut gql = Comments::new(&format!("{scheme}://{authority}"), &self.token, &self.repo)?;
        (gql.attempts, gql.backoff) = (self.attempts, self.backoff);
        let v = gql.retried("POST", uri.path(), Some(&json!({ "query": "query { viewer { login } }" }))).await?;
        if let Some(errors) = v.get("errors").and_then(Value::as_array).filter(|e| !e.is_empty()) {
            let message = errors.iter().filter_map(|e| e["message"].as_str()).collect::<Vec<_>>().join("; ");
            return Err(CommentError::Transport {
                api: self.api.clone(),
                what: format!("POST {graphql} (viewer)"),
                message: format!("GraphQL error: {message}"),
            });
        }
        match v["data"]["viewer"]["login"].as_str().filter(|l| !l.trim().is_empty()) {
            Some(login) => Ok(Author::from_login(login)),
            None => Err(CommentError::Transport {
                api: self.api.clone(),
                what: format!("POST {graphql} (viewer)"),
                message: "the answer names no viewer login".into(),
            }),
        }
    }

    /// Settle who writes shiplight's comments and remember it: the stated login when given,
    /// else the token's identity from GraphQL. When GitHub cannot say, the Actions job token
    /// (`actions_token`) is `github-actions[bot]`; any other token is refused
    /// ([`CommentError::UnknownAuthor`]), never matched by body.
    pub async fn identify(
        &mut self,
        stated: Option<&str>,
        graphql: &str,
        actions_token: bool,
    ) -> Result<Identity, CommentError> {
        let identity = match stated.map(str::trim).filter(|s| !s.is_empty()) {
            Some(login) => Identity::Stated(Author::from_login(login)),
            None => match self.viewer(graphql).await {
                Ok(a) => Identity::Viewer(a),
                Err(e) if actions_token => Identity::ActionsFallback(Author::actions(), e.to_string()),
                Err(e) => {
                    return Err(CommentError::UnknownAuthor {
                        why: format!("GitHub did not say who the token is ({e})"),
                    })
                }
            },
        };
        self.author = Some(identity.author().clone());
        Ok(identity)
    }

    /// One request, no retry. `wait` is set when GitHub asks to slow down.
    pub(super) async fn once(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Answer, CommentError> {
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
            let after = header("retry-after").and_then(|v| crate::retry::retry_after(&v, std::time::SystemTime::now()));
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
    pub(super) async fn retried(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, CommentError> {
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

    pub(super) fn check(&self, method: &str, path: &str, a: Answer) -> Result<Value, CommentError> {
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

    /// The pull request's comments that carry `marker`: shiplight's own (written by
    /// [`Comments::author`]), oldest first, and the ids of everyone else's.
    pub async fn find(&self, pr: u64, marker: &str) -> Result<Found, CommentError> {
        let Some(author) = &self.author else {
            return Err(CommentError::UnknownAuthor { why: "the comments' author was not settled".into() });
        };
        let mut found = Found::default();
        // bounded: 100 pages of 100 comments
        for page in 1..=100 {
            let path = format!("/repos/{}/issues/{pr}/comments?per_page=100&page={page}", self.repo);
            let list = self.retried("GET", &path, None).await?;
            let items = list.as_array().cloned().unwrap_or_default();
            for c in &items {
                let Some(id) = c["id"].as_u64() else { continue };
                if !c["body"].as_str().is_some_and(|b| b.contains(marker)) {
                    continue;
                }
                if author.wrote(&c["user"]) {
                    found.own.push((id, c["html_url"].as_str().unwrap_or("").to_owned()));
                } else {
                    found.ignored.push(id);
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
            if let Some(((id, _), extra)) = existing.own.split_first() {
                for (dup, _) in extra {
                    self.delete(*dup).await?;
                }
                let updated = self.update(*id, &payload).await?;
                // a create that "failed" but went through is found here: it counts as created
                let created = attempt > 1;
                return Ok(Posted {
                    id: *id,
                    url: updated["html_url"].as_str().unwrap_or("").to_owned(),
                    created,
                    ignored: existing.ignored,
                });
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
                        ignored: existing.ignored,
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
    /// (lowest id) of shiplight's own, writes its own body there and deletes the rest of its
    /// own, so one comment remains. Other authors' copies are not touched.
    async fn settle(&self, pr: u64, mark: &str, payload: &Value, posted: Posted) -> Result<Posted, CommentError> {
        let found = self.find(pr, mark).await?;
        let ignored = found.ignored;
        let Some(((oldest, url), rest)) = found.own.split_first() else { return Ok(Posted { ignored, ..posted }) };
        if *oldest == posted.id {
            return Ok(Posted { ignored, ..posted });
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
        Ok(Posted { id: *oldest, url, created: false, ignored })
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

    #[test]
    fn authorship_is_login_and_account_type() {
        let bot = Author::actions();
        assert!(bot.bot);
        assert!(bot.wrote(&json!({"login": "github-actions[bot]", "type": "Bot"})));
        assert!(bot.wrote(&json!({"login": "GitHub-Actions[bot]", "type": "Bot"})), "logins are case-insensitive");
        assert!(!bot.wrote(&json!({"login": "github-actions[bot]", "type": "User"})), "a user can't be the bot");
        assert!(!bot.wrote(&json!({"login": "octocat", "type": "User"})));
        assert!(!bot.wrote(&json!({})), "no user, not ours");
        let me = Author::from_login("octocat");
        assert!(!me.bot && me.wrote(&json!({"login": "octocat", "type": "User"})));
        assert!(!me.wrote(&json!({"login": "octocat", "type": "Bot"})));
    }

    #[test]
    fn graphql_beside_rest() {
        assert_eq!(graphql_url("https://api.github.com"), "https://api.github.com/graphql");
        assert_eq!(graphql_url("https://ghe.example/api/v3/"), "https://ghe.example/api/graphql");
    }
}
