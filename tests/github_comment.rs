//! The sticky comment against a local stand-in for GitHub's API (wiremock on 127.0.0.1):
//! pagination, update vs create, never two, 403 on a fork, 5xx and 429 retries that never
//! duplicate a comment. Ownership: only comments that carry the marker *and* were written by
//! shiplight's identity are ever patched or deleted.

mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use shiplight::github::comment::{marker, Author, CommentError, Comments, Identity};
use support::github::{FakeGitHub, ACTIONS_BOT};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PR: u64 = 7;

fn comment(id: u64, body: &str) -> Value {
    json!({ "id": id, "body": body, "html_url": format!("https://github.example/o/r/pull/7#issuecomment-{id}"),
            "user": { "login": "github-actions[bot]", "type": "Bot" } })
}

async fn client(server: &MockServer) -> Comments {
    let mut c = Comments::new(&server.uri(), "job-token", "o/r").unwrap().with_author(Author::actions());
    c.backoff = Duration::from_millis(10);
    c
}

/// A client of the stand-in whose identity is asked of its GraphQL `viewer`.
async fn identified(gh: &FakeGitHub, token: &str) -> Comments {
    let mut c = Comments::new(&gh.uri(), token, "o/r").unwrap();
    c.backoff = Duration::from_millis(10);
    let id = c.identify(None, &format!("{}/graphql", gh.uri()), false).await.unwrap();
    assert!(matches!(id, Identity::Viewer(_)), "{id:?}");
    c
}

/// The writes (PATCH, DELETE) aimed at comment `id`.
fn writes_on(gh: &FakeGitHub, id: u64) -> Vec<String> {
    gh.writes().into_iter().filter(|w| w.ends_with(&format!("/comments/{id}"))).collect()
}

async fn page(server: &MockServer, n: u32, items: Vec<Value>) {
    Mock::given(method("GET"))
        .and(path(format!("/repos/o/r/issues/{PR}/comments")))
        .and(query_param("page", n.to_string()))
        .respond_with(ResponseTemplate::new(200).set_body_json(items))
        .mount(server)
        .await;
}

#[tokio::test]
async fn creates_once_when_there_is_none() {
    let server = MockServer::start().await;
    page(&server, 1, vec![comment(1, "LGTM")]).await;
    Mock::given(method("POST"))
        .and(path(format!("/repos/o/r/issues/{PR}/comments")))
        .respond_with(ResponseTemplate::new(201).set_body_json(comment(99, "x")))
        .expect(1)
        .mount(&server)
        .await;
    let posted = client(&server).await.upsert(PR, "flask", "## shiplight\nbody").await.unwrap();
    assert_eq!((posted.id, posted.created), (99, true));
    let requests = server.received_requests().await.unwrap();
    let post = requests.iter().find(|r| r.method.as_str() == "POST").unwrap();
    let sent: Value = serde_json::from_slice(&post.body).unwrap();
    assert!(sent["body"].as_str().unwrap().ends_with(&format!("{}\n", marker("flask"))), "the marker is added");
    server.verify().await;
}

#[tokio::test]
async fn finds_its_comment_on_a_later_page_among_150_and_updates_it() {
    let server = MockServer::start().await;
    page(&server, 1, (1..=100).map(|i| comment(i, "chatter")).collect()).await;
    let mut second: Vec<Value> = (101..=150).map(|i| comment(i, "chatter")).collect();
    second[30] = comment(131, &format!("old report\n{}", marker("flask")));
    page(&server, 2, second).await;
    Mock::given(method("PATCH"))
        .and(path("/repos/o/r/issues/comments/131"))
        .respond_with(ResponseTemplate::new(200).set_body_json(comment(131, "new")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(201)).expect(0).mount(&server).await;
    let posted = client(&server).await.upsert(PR, "flask", "new report").await.unwrap();
    assert_eq!((posted.id, posted.created), (131, false));
    server.verify().await;
}

#[tokio::test]
async fn never_leaves_two_and_keeps_other_images_comments() {
    let server = MockServer::start().await;
    page(
        &server,
        1,
        vec![
            comment(10, &marker("flask")),
            comment(11, &marker("api")), // another image's comment (a matrix job) stays
            comment(12, &marker("flask")),
        ],
    )
    .await;
    Mock::given(method("PATCH"))
        .and(path("/repos/o/r/issues/comments/10"))
        .respond_with(ResponseTemplate::new(200).set_body_json(comment(10, "x")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/repos/o/r/issues/comments/12"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/repos/o/r/issues/comments/11"))
        .respond_with(ResponseTemplate::new(204))
        .expect(0)
        .mount(&server)
        .await;
    client(&server).await.upsert(PR, "flask", "report").await.unwrap();
    server.verify().await;
}

#[tokio::test]
async fn a_forbidden_write_names_the_permission_and_the_fork_case() {
    let server = MockServer::start().await;
    page(&server, 1, vec![]).await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(403).set_body_json(json!({"message": "Resource not accessible by integration"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let e = client(&server).await.upsert(PR, "flask", "report").await.unwrap_err();
    assert!(e.is_forbidden());
    let text = e.to_string();
    assert!(
        text.contains("pull-requests: write") && text.contains("fork") && text.contains("Resource not accessible"),
        "{text}"
    );
}

#[tokio::test]
async fn server_errors_on_reads_are_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    page(&server, 1, vec![comment(5, &marker("flask"))]).await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(200).set_body_json(comment(5, "x")))
        .expect(1)
        .mount(&server)
        .await;
    let posted = client(&server).await.upsert(PR, "flask", "report").await.unwrap();
    assert_eq!(posted.id, 5);
    server.verify().await;
}

#[tokio::test]
async fn a_rate_limited_create_waits_and_looks_again_before_posting() {
    let server = MockServer::start().await;
    page(&server, 1, vec![]).await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(comment(42, "x")))
        .expect(1)
        .mount(&server)
        .await;
    let start = Instant::now();
    let posted = client(&server).await.upsert(PR, "flask", "report").await.unwrap();
    assert!(start.elapsed() >= Duration::from_secs(1), "Retry-After is honoured");
    assert_eq!(posted.id, 42);
    let requests = server.received_requests().await.unwrap();
    let kinds: Vec<String> = requests.iter().map(|r| r.method.to_string()).collect();
    // the marker is looked for again before the second POST, and once more after it (a
    // concurrent run's copy would be settled there)
    assert_eq!(kinds, ["GET", "POST", "GET", "POST", "GET"]);
}

/// `Retry-After` may be an HTTP date rather than seconds: the client waits until then.
#[tokio::test]
async fn a_retry_after_date_is_waited_until() {
    let server = MockServer::start().await;
    page(&server, 1, vec![]).await;
    // three seconds ahead, at HTTP dates' one-second resolution: at least two seconds
    let at = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(3));
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", at.as_str()))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(comment(42, "x")))
        .expect(1)
        .mount(&server)
        .await;
    let start = Instant::now();
    let posted = client(&server).await.upsert(PR, "flask", "report").await.unwrap();
    assert_eq!(posted.id, 42);
    assert!(start.elapsed() >= Duration::from_secs(2), "Retry-After: {at} was not waited for: {:?}", start.elapsed());
}

#[tokio::test]
async fn a_create_that_failed_but_went_through_is_not_duplicated() {
    let server = MockServer::start().await;
    // the first listing is empty; after the POST "fails" with a 502, the comment is there
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(Vec::<Value>::new()))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    page(&server, 1, vec![comment(77, &marker("flask"))]).await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(502)).expect(1).mount(&server).await;
    Mock::given(method("PATCH"))
        .and(path("/repos/o/r/issues/comments/77"))
        .respond_with(ResponseTemplate::new(200).set_body_json(comment(77, "x")))
        .expect(1)
        .mount(&server)
        .await;
    let posted = client(&server).await.upsert(PR, "flask", "report").await.unwrap();
    assert_eq!((posted.id, posted.created), (77, true));
    server.verify().await;
}

#[tokio::test]
async fn two_concurrent_first_runs_leave_one_comment() {
    let gh = FakeGitHub::start("o/r").await;
    // both runs see no comment before either has posted: hold each run's first listing
    for _ in 0..2 {
        gh.fault(
            "GET comments",
            ResponseTemplate::new(200).set_body_json(json!([])).set_delay(Duration::from_millis(300)),
        );
    }
    // a reviewer pasted the bot's raw markdown, marker included, before either run
    let pasted = format!("run A\n{}\n", marker("flask"));
    gh.add(5, &pasted, "reviewer");
    let a = identified(&gh, "job-token").await;
    let b = identified(&gh, "job-token").await;
    let (ra, rb) = tokio::join!(a.upsert(PR, "flask", "run A"), b.upsert(PR, "flask", "run B"));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    let left = gh.all();
    assert_eq!(left.len(), 2, "the reviewer's copy and one of shiplight's: {left:#?}");
    assert_eq!((left[0].id, left[0].login.as_str(), left[0].body.as_str()), (5, "reviewer", pasted.as_str()));
    assert_eq!(left[1].login, ACTIONS_BOT);
    assert_eq!(ra.id, rb.id, "both runs report the comment that remains");
    assert_eq!(ra.id, left[1].id);
    assert_eq!(gh.writes().iter().filter(|w| w.starts_with("POST")).count(), 2, "both created: {:?}", gh.writes());
    assert!(left[1].body.starts_with("run A") || left[1].body.starts_with("run B"));
    assert!(writes_on(&gh, 5).is_empty(), "{:?}", gh.writes());
}

#[tokio::test]
async fn other_peoples_marker_comments_are_never_edited_or_deleted() {
    let gh = FakeGitHub::start("o/r").await;
    let report = "## shiplight\nreport one";
    let exact = format!("{report}\n{}\n", marker("flask"));
    // older than shiplight's: one exact copy of its body, one quoting the marker in a reply
    gh.add(1, &exact, "alice");
    gh.add(2, &format!("> see {}\nI disagree", marker("flask")), "bob");
    let first = identified(&gh, "job-token").await.upsert(PR, "flask", report).await.unwrap();
    assert!(first.created);
    assert_eq!(first.ignored, [1, 2], "the two are reported as ignored");
    // newer than shiplight's: another exact copy, by a user whose login looks like the bot's
    gh.add(9_000, &exact, "github-actions");
    let second = identified(&gh, "job-token").await.upsert(PR, "flask", "## shiplight\nreport two").await.unwrap();
    assert_eq!((second.id, second.created), (first.id, false), "the same comment is updated");
    assert_eq!(second.ignored, [1, 2, 9_000]);
    let left = gh.all();
    let by = |id: u64| left.iter().find(|c| c.id == id).map(|c| c.body.clone());
    assert_eq!(by(1).as_deref(), Some(exact.as_str()), "alice's copy is as she wrote it");
    assert!(by(2).unwrap().contains("I disagree"));
    assert_eq!(by(9_000).as_deref(), Some(exact.as_str()));
    let ours: Vec<_> = left.iter().filter(|c| c.login == ACTIONS_BOT).collect();
    assert_eq!(ours.len(), 1, "{left:#?}");
    assert!(ours[0].body.contains("report two"));
    for id in [1, 2, 9_000] {
        assert!(writes_on(&gh, id).is_empty(), "a write on another author's comment {id}: {:?}", gh.writes());
    }
    let writes = gh.writes();
    assert_eq!(writes.iter().filter(|w| w.starts_with("PATCH")).count(), 1, "{writes:?}");
    assert!(!writes.iter().any(|w| w.starts_with("DELETE")), "{writes:?}");
}

#[tokio::test]
async fn a_personal_token_owns_only_what_its_user_wrote() {
    let gh = FakeGitHub::start("o/r").await;
    gh.state.lock().unwrap().users.insert("pat".into(), "octocat".into());
    gh.add(1, &marker("flask"), ACTIONS_BOT); // the job token's comment from another workflow
    let c = identified(&gh, "pat").await;
    assert_eq!(c.author, Some(Author::from_login("octocat")));
    let posted = c.upsert(PR, "flask", "report").await.unwrap();
    assert!(posted.created);
    assert_eq!(posted.ignored, [1]);
    assert_eq!(gh.all().iter().filter(|c| c.login == "octocat").count(), 1);
    assert!(writes_on(&gh, 1).is_empty(), "{:?}", gh.writes());
}

#[tokio::test]
async fn without_an_identity_only_the_job_token_falls_back_and_nothing_matches_by_body() {
    let gh = FakeGitHub::start("o/r").await;
    gh.add(1, &marker("flask"), "mallory");
    let graphql = format!("{}/graphql", gh.uri());
    // a token GitHub will not identify (a GraphQL error): refused, nothing written
    gh.fault(
        "POST graphql",
        ResponseTemplate::new(200).set_body_json(json!({"errors": [{"message": "Resource not accessible"}]})),
    );
    let mut pat = Comments::new(&gh.uri(), "pat", "o/r").unwrap();
    let e = pat.identify(None, &graphql, false).await.unwrap_err();
    assert!(matches!(e, CommentError::UnknownAuthor { .. }), "{e}");
    let text = e.to_string();
    assert!(text.contains("comment-author") && text.contains("Resource not accessible"), "{text}");
    let refused = pat.upsert(PR, "flask", "report").await.unwrap_err();
    assert!(matches!(refused, CommentError::UnknownAuthor { .. }), "{refused}");
    assert!(gh.writes().is_empty(), "{:?}", gh.writes());

    // the job token: github-actions[bot], said so
    gh.fault("POST graphql", ResponseTemplate::new(403).set_body_json(json!({"message": "Forbidden"})));
    let mut job = Comments::new(&gh.uri(), "job-token", "o/r").unwrap();
    let id = job.identify(None, &graphql, true).await.unwrap();
    assert!(matches!(&id, Identity::ActionsFallback(a, _) if *a == Author::actions()), "{id:?}");
    assert!(id.describe().contains("did not say"), "{}", id.describe());
    job.upsert(PR, "flask", "report").await.unwrap();
    assert_eq!(gh.all()[0].body, marker("flask"), "mallory's comment is untouched");
    assert!(writes_on(&gh, 1).is_empty());

    // stated: no lookup at all
    let before = gh.state.lock().unwrap().log.len();
    let mut stated = Comments::new(&gh.uri(), "pat", "o/r").unwrap();
    let id = stated.identify(Some("my-app[bot]"), &graphql, false).await.unwrap();
    assert_eq!(id, Identity::Stated(Author { login: "my-app[bot]".into(), bot: true }));
    assert_eq!(gh.state.lock().unwrap().log.len(), before, "no request");
}
