//! A stateful stand-in for the parts of GitHub's REST API shiplight uses, on 127.0.0.1
//! (wiremock): issue comments that persist across requests and pages, a pull request with
//! a head commit and labels, and repository tarballs. Faults can be queued per route.
//! It holds one pull request's comments (the number in the path is not told apart).
//! Each comment has an author: a POST is written by the token's user, and GraphQL
//! `viewer { login }` answers who a token is, as GitHub does. Like a repository token with
//! `pull-requests: write`, any token may edit or delete any comment, so a test can see a
//! client that would.
//!
//! Pull-request reviews too: the files' patches (`GET /pulls/{n}/files`), review comments
//! that persist and page (`GET /pulls/{n}/comments`, `DELETE /pulls/comments/{id}`), and
//! `POST /pulls/{n}/reviews`, which refuses with 422 what GitHub refuses: an unknown event, a
//! comment without path, body or line, a `start_line` not before `line`, or a line outside
//! the file's diff hunks.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use wiremock::matchers::path_regex;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// A comment as the stand-in keeps it.
#[derive(Clone, Debug)]
pub struct Comment {
    pub id: u64,
    pub body: String,
    pub login: String,
}

impl Comment {
    pub fn new(id: u64, body: &str, login: &str) -> Comment {
        Comment { id, body: body.to_owned(), login: login.to_owned() }
    }
}

/// A review comment as the stand-in keeps it.
#[derive(Clone, Debug)]
pub struct ReviewComment {
    pub id: u64,
    pub path: String,
    pub start_line: Option<u64>,
    /// `None` once outdated.
    pub line: Option<u64>,
    pub body: String,
    pub login: String,
}

/// The login of the Actions job token, which `job-token` stands for.
pub const ACTIONS_BOT: &str = "github-actions[bot]";

#[derive(Default)]
pub struct State {
    /// Oldest first.
    pub comments: Vec<Comment>,
    /// token → login (`job-token` is the Actions bot unless told otherwise).
    pub users: HashMap<String, String>,
    pub next_id: u64,
    /// The pull request's head commit and labels (`GET /pulls/{n}`).
    pub head_sha: String,
    pub labels: Vec<String>,
    /// commit → tar.gz bytes
    pub tarballs: HashMap<String, Vec<u8>>,
    /// The pull request's changed files (`GET /pulls/{n}/files`): name and, for a rename,
    /// the previous name.
    pub files: Vec<(String, Option<String>)>,
    /// filename → its unified diff (`patch` in `GET /pulls/{n}/files`).
    pub patches: HashMap<String, String>,
    /// Review comments, oldest first.
    pub review_comments: Vec<ReviewComment>,
    /// Reviews posted: (event, body, commit_id, number of comments).
    pub reviews: Vec<(String, String, String, usize)>,
    /// (path, ref) → file text (`GET /contents/{path}?ref=`).
    pub contents: HashMap<(String, String), String>,
    /// Responses to give instead of the normal one, per "METHOD kind" (`POST comments`).
    pub faults: HashMap<String, VecDeque<ResponseTemplate>>,
    /// Every request, as "METHOD /path?query".
    pub log: Vec<String>,
}

#[derive(Clone)]
pub struct FakeGitHub {
    pub server: Arc<MockServer>,
    pub state: Arc<Mutex<State>>,
    pub repo: String,
}

struct Handler(Arc<Mutex<State>>, String);

fn review_comment_json(base: &str, c: &ReviewComment) -> Value {
    json!({
        "id": c.id,
        "path": c.path,
        "body": c.body,
        "line": c.line,
        "start_line": c.start_line,
        "side": "RIGHT",
        "html_url": format!("https://github.example/{base}/pull/1#discussion_r{}", c.id),
        "user": { "login": c.login, "type": if c.login.ends_with("[bot]") { "Bot" } else { "User" } }
    })
}

/// The new file's lines inside a patch's hunks (where GitHub takes review comments).
fn hunk_lines(patch: &str) -> std::collections::BTreeSet<u64> {
    let mut lines = std::collections::BTreeSet::new();
    for h in patch.lines().filter_map(|l| l.strip_prefix("@@ ")) {
        let Some(new) = h.split_whitespace().find_map(|w| w.strip_prefix('+')) else { continue };
        let mut it = new.split(',');
        let start: u64 = it.next().and_then(|n| n.parse().ok()).unwrap_or(0);
        let len: u64 = it.next().and_then(|n| n.parse().ok()).unwrap_or(1);
        lines.extend(start..start + len);
    }
    lines
}

fn comment_json(base: &str, c: &Comment) -> Value {
    json!({
        "id": c.id,
        "body": c.body,
        "html_url": format!("https://github.example/{base}/pull/1#issuecomment-{}", c.id),
        "user": { "login": c.login, "type": if c.login.ends_with("[bot]") { "Bot" } else { "User" } }
    })
}

impl State {
    /// The login a request's token stands for.
    fn login(&self, req: &Request) -> String {
        let auth = req.headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
        let token = auth.trim_start_matches("Bearer ").trim_start_matches("token ").trim();
        match self.users.get(token) {
            Some(login) => login.clone(),
            None if token == "job-token" => ACTIONS_BOT.to_owned(),
            None => format!("user-of-{token}"),
        }
    }
}

impl Respond for Handler {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut st = self.0.lock().unwrap();
        let path = req.url.path().to_owned();
        st.log.push(format!("{} {}{}", req.method, path, req.url.query().map(|q| format!("?{q}")).unwrap_or_default()));
        if path == "/graphql" && req.method.as_str() == "POST" {
            if let Some(fault) = st.faults.get_mut("POST graphql").and_then(VecDeque::pop_front) {
                return fault;
            }
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            if !body["query"].as_str().is_some_and(|q| q.contains("viewer") && q.contains("login")) {
                return ResponseTemplate::new(200)
                    .set_body_json(json!({"errors": [{"message": "the stand-in answers only viewer { login }"}]}));
            }
            return ResponseTemplate::new(200).set_body_json(json!({"data": {"viewer": {"login": st.login(req)}}}));
        }
        let prefix = format!("/repos/{}/", self.1);
        let Some(rest) = path.strip_prefix(&prefix) else {
            return ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"}));
        };
        let parts: Vec<&str> = rest.split('/').collect();
        let kind = match parts.as_slice() {
            ["issues", _, "comments"] => "comments",
            ["issues", "comments", _] => "comment",
            ["pulls", _] => "pull",
            ["pulls", _, "files"] => "files",
            ["pulls", _, "comments"] => "review-comments",
            ["pulls", "comments", _] => "review-comment",
            ["pulls", _, "reviews"] => "reviews",
            ["contents", ..] => "contents",
            ["tarball", _] => "tarball",
            _ => "other",
        };
        if let Some(fault) = st.faults.get_mut(&format!("{} {kind}", req.method)).and_then(VecDeque::pop_front) {
            return fault;
        }
        let query: HashMap<String, String> = req.url.query_pairs().into_owned().collect();
        match (req.method.as_str(), kind) {
            ("GET", "comments") => {
                let per: usize = query.get("per_page").and_then(|v| v.parse().ok()).unwrap_or(30);
                let page: usize = query.get("page").and_then(|v| v.parse().ok()).unwrap_or(1);
                let items: Vec<Value> =
                    st.comments.iter().skip((page - 1) * per).take(per).map(|c| comment_json(&self.1, c)).collect();
                ResponseTemplate::new(200).set_body_json(items)
            }
            ("POST", "comments") => {
                let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
                let Some(text) = body["body"].as_str() else {
                    return ResponseTemplate::new(422).set_body_json(json!({"message": "body is missing"}));
                };
                st.next_id += 1;
                let c = Comment::new(1000 + st.next_id, text, &st.login(req));
                st.comments.push(c.clone());
                ResponseTemplate::new(201).set_body_json(comment_json(&self.1, &c))
            }
            ("PATCH", "comment") | ("DELETE", "comment") => {
                let id: u64 = parts[2].parse().unwrap_or(0);
                let Some(i) = st.comments.iter().position(|c| c.id == id) else {
                    return ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"}));
                };
                if req.method.as_str() == "DELETE" {
                    st.comments.remove(i);
                    return ResponseTemplate::new(204);
                }
                let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
                st.comments[i].body = body["body"].as_str().unwrap_or("").to_owned();
                ResponseTemplate::new(200).set_body_json(comment_json(&self.1, &st.comments[i]))
            }
            ("GET", "pull") => ResponseTemplate::new(200).set_body_json(json!({
                "number": parts[1].parse::<u64>().unwrap_or(0),
                "head": { "sha": st.head_sha },
                "labels": st.labels.iter().map(|l| json!({"name": l})).collect::<Vec<_>>(),
            })),
            ("GET", "files") => {
                let per: usize = query.get("per_page").and_then(|v| v.parse().ok()).unwrap_or(30);
                let page: usize = query.get("page").and_then(|v| v.parse().ok()).unwrap_or(1);
                let items: Vec<Value> = st
                    .files
                    .iter()
                    .skip((page - 1) * per)
                    .take(per)
                    .map(|(name, old)| {
                        let mut f = match old {
                            Some(old) => json!({"filename": name, "status": "renamed", "previous_filename": old}),
                            None => json!({"filename": name, "status": "modified"}),
                        };
                        if let Some(p) = st.patches.get(name) {
                            f["patch"] = json!(p);
                        }
                        f
                    })
                    .collect();
                ResponseTemplate::new(200).set_body_json(items)
            }
            ("GET", "review-comments") => {
                let per: usize = query.get("per_page").and_then(|v| v.parse().ok()).unwrap_or(30);
                let page: usize = query.get("page").and_then(|v| v.parse().ok()).unwrap_or(1);
                let items: Vec<Value> = st
                    .review_comments
                    .iter()
                    .skip((page - 1) * per)
                    .take(per)
                    .map(|c| review_comment_json(&self.1, c))
                    .collect();
                ResponseTemplate::new(200).set_body_json(items)
            }
            ("DELETE", "review-comment") => {
                let id: u64 = parts[2].parse().unwrap_or(0);
                match st.review_comments.iter().position(|c| c.id == id) {
                    Some(i) => {
                        st.review_comments.remove(i);
                        ResponseTemplate::new(204)
                    }
                    None => ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"})),
                }
            }
            ("POST", "reviews") => {
                let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
                let refuse = |m: &str| ResponseTemplate::new(422).set_body_json(json!({"message": m}));
                let event = body["event"].as_str().unwrap_or("");
                if !matches!(event, "COMMENT" | "APPROVE" | "REQUEST_CHANGES") {
                    return refuse("event is not COMMENT, APPROVE or REQUEST_CHANGES");
                }
                let mut made = Vec::new();
                for c in body["comments"].as_array().cloned().unwrap_or_default() {
                    let (Some(path), Some(text), Some(line)) =
                        (c["path"].as_str(), c["body"].as_str(), c["line"].as_u64())
                    else {
                        return refuse("a comment needs path, body and line");
                    };
                    let start = c["start_line"].as_u64();
                    if start.is_some_and(|s| s >= line) {
                        return refuse("start_line must precede line");
                    }
                    let in_diff = st.patches.get(path).map(|p| hunk_lines(p)).unwrap_or_default();
                    if !(start.unwrap_or(line)..=line).all(|l| in_diff.contains(&l)) {
                        return refuse("pull_request_review_thread.line must be part of the diff");
                    }
                    st.next_id += 1;
                    made.push(ReviewComment {
                        id: 5000 + st.next_id,
                        path: path.to_owned(),
                        start_line: start,
                        line: Some(line),
                        body: text.to_owned(),
                        login: st.login(req),
                    });
                }
                let n = made.len();
                st.review_comments.extend(made);
                st.next_id += 1;
                let id = 9000 + st.next_id;
                st.reviews.push((
                    event.to_owned(),
                    body["body"].as_str().unwrap_or("").to_owned(),
                    body["commit_id"].as_str().unwrap_or("").to_owned(),
                    n,
                ));
                ResponseTemplate::new(200).set_body_json(json!({
                    "id": id, "state": "COMMENTED",
                    "html_url": format!("https://github.example/{}/pull/1#pullrequestreview-{id}", self.1),
                }))
            }
            ("GET", "contents") => {
                let file = parts[1..].join("/");
                let at = query.get("ref").cloned().unwrap_or_default();
                match st.contents.get(&(file.clone(), at)) {
                    Some(text) => {
                        use base64::Engine as _;
                        let b64 = base64::engine::general_purpose::STANDARD.encode(text);
                        ResponseTemplate::new(200)
                            .set_body_json(json!({"type": "file", "encoding": "base64", "path": file, "content": b64}))
                    }
                    None => ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"})),
                }
            }
            ("GET", "tarball") => match st.tarballs.get(parts[1]) {
                Some(bytes) => ResponseTemplate::new(200).set_body_raw(bytes.clone(), "application/x-gzip"),
                None => ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"})),
            },
            _ => ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"})),
        }
    }
}

impl FakeGitHub {
    /// A fake for `owner/name`, listening on 127.0.0.1.
    pub async fn start(repo: &str) -> FakeGitHub {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(State::default()));
        Mock::given(path_regex(".*")).respond_with(Handler(state.clone(), repo.to_owned())).mount(&server).await;
        FakeGitHub { server: Arc::new(server), state, repo: repo.to_owned() }
    }

    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// Bodies of the comments, oldest first.
    pub fn comments(&self) -> Vec<String> {
        self.state.lock().unwrap().comments.iter().map(|c| c.body.clone()).collect()
    }

    /// The comments as kept, oldest first.
    pub fn all(&self) -> Vec<Comment> {
        self.state.lock().unwrap().comments.clone()
    }

    /// A comment someone wrote before the test's run.
    pub fn add(&self, id: u64, body: &str, login: &str) {
        self.state.lock().unwrap().comments.push(Comment::new(id, body, login));
    }

    /// Requests that wrote (POST, PATCH, DELETE; a GraphQL `viewer` query only reads).
    pub fn writes(&self) -> Vec<String> {
        self.state
            .lock()
            .unwrap()
            .log
            .iter()
            .filter(|l| !l.starts_with("GET ") && *l != "POST /graphql")
            .cloned()
            .collect()
    }

    /// The review comments as kept, oldest first.
    pub fn review_comments(&self) -> Vec<ReviewComment> {
        self.state.lock().unwrap().review_comments.clone()
    }

    /// A review comment someone wrote before the test's run.
    pub fn add_review_comment(&self, c: ReviewComment) {
        self.state.lock().unwrap().review_comments.push(c);
    }

    /// The pull request changes `path` by `patch` (a unified diff, as GitHub gives it), and
    /// `text` is the file at commit `head`.
    pub fn change(&self, path: &str, patch: &str, head: &str, text: &str) {
        let mut st = self.state.lock().unwrap();
        st.files.push((path.to_owned(), None));
        st.patches.insert(path.to_owned(), patch.to_owned());
        st.contents.insert((path.to_owned(), head.to_owned()), text.to_owned());
    }

    pub fn fault(&self, route: &str, response: ResponseTemplate) {
        self.state.lock().unwrap().faults.entry(route.to_owned()).or_default().push_back(response);
    }

    /// Serve `git archive` of `commit` in `repo_dir` as GitHub's tarball (one top folder).
    pub fn serve_tarball(&self, repo_dir: &std::path::Path, commit: &str) {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(repo_dir)
            .args(["archive", "--format=tar.gz", &format!("--prefix=o-r-{}/", &commit[..7]), commit])
            .output()
            .unwrap();
        assert!(out.status.success(), "git archive: {}", String::from_utf8_lossy(&out.stderr));
        self.state.lock().unwrap().tarballs.insert(commit.to_owned(), out.stdout);
    }
}
