//! The sticky comment against a local stand-in for GitHub's API (wiremock on 127.0.0.1):
//! pagination, update vs create, never two, 403 on a fork, 5xx and 429 retries that never
//! duplicate a comment.

mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use shiplight::github::comment::{marker, Comments};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PR: u64 = 7;

fn comment(id: u64, body: &str) -> Value {
    json!({ "id": id, "body": body, "html_url": format!("https://github.example/o/r/pull/7#issuecomment-{id}") })
}

async fn client(server: &MockServer) -> Comments {
    let mut c = Comments::new(&server.uri(), "job-token", "o/r").unwrap();
    c.backoff = Duration::from_millis(10);
    c
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
    let gh = support::github::FakeGitHub::start("o/r").await;
    // both runs see no comment before either has posted: hold each run's first listing
    for _ in 0..2 {
        gh.fault(
            "GET comments",
            ResponseTemplate::new(200).set_body_json(json!([])).set_delay(Duration::from_millis(300)),
        );
    }
    let mut a = Comments::new(&gh.uri(), "job-token", "o/r").unwrap();
    let mut b = Comments::new(&gh.uri(), "job-token", "o/r").unwrap();
    a.backoff = Duration::from_millis(10);
    b.backoff = Duration::from_millis(10);
    let (ra, rb) = tokio::join!(a.upsert(PR, "flask", "run A"), b.upsert(PR, "flask", "run B"));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    let left = gh.comments();
    assert_eq!(left.len(), 1, "{left:#?}");
    assert_eq!(ra.id, rb.id, "both runs report the comment that remains");
    assert_eq!(gh.writes().iter().filter(|w| w.starts_with("POST")).count(), 2, "both created: {:?}", gh.writes());
    assert!(left[0].starts_with("run A") || left[0].starts_with("run B"));
}
