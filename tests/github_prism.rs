//! Conformance with GitHub's own API description: the comment client's requests are sent to
//! Prism serving `@octokit/openapi`'s api.github.com document with `--errors`, which answers
//! valid requests with GitHub's examples and rejects malformed ones with 4xx. Any rejection
//! fails the test. Prism is installed by scripts/peers.sh into .peers/ (npm registry); in CI a
//! missing Prism fails the test, locally it is skipped.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::json;
use shiplight::github::comment::Comments;

struct Prism(Child);

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn peers() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".peers/node_modules")
}

#[tokio::test(flavor = "multi_thread")]
async fn comment_requests_conform_to_githubs_openapi_description() {
    let prism = peers().join(".bin/prism");
    let spec = peers().join("@octokit/openapi/generated/api.github.com.json");
    if !prism.exists() || !spec.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "Prism and @octokit/openapi are required in CI (scripts/peers.sh installs them)"
        );
        eprintln!("SKIPPED prism: run scripts/peers.sh");
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let _server = Prism(
        Command::new(&prism)
            .args(["mock", "--errors", "-h", "127.0.0.1", "-p", &port.to_string()])
            .arg(&spec)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    // bounded wait for Prism to load GitHub's description
    let mut up = false;
    for _ in 0..240 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(up, "Prism did not start within 120 s");

    // negative control: Prism rejects what GitHub would (the test can fail)
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let status = agent
        .post(&format!("{base}/repos/o/r/issues/7/comments"))
        .header("content-type", "application/json")
        .send(r#"{"nobody": 1}"#)
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 422, "a comment without a body must be rejected");

    let comments = Comments::new(&base, "job-token", "o/r").unwrap();
    // list (every page), create, update, delete: each as GitHub describes it
    let found = comments.find(7, "<!-- shiplight:flask -->").await.expect("GET comments conforms");
    assert!(found.is_empty(), "GitHub's example comment carries no marker");
    let posted = comments.upsert(7, "flask", "## shiplight\nreport").await.expect("POST comment conforms");
    assert!(posted.created && posted.id > 0 && posted.url.starts_with("https://github.com/"), "{posted:?}");
    comments
        .update(posted.id, &json!({"body": "updated <!-- shiplight:flask -->"}))
        .await
        .expect("PATCH comment conforms");
    comments.delete(posted.id).await.expect("DELETE comment conforms");
}
