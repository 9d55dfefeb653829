//! Conformance with GitHub's own API description: the comment client's requests are sent to
//! Prism serving `@octokit/openapi`'s api.github.com document with `--errors`, which answers
//! valid requests with GitHub's examples and rejects malformed ones with 4xx. Any rejection
//! fails the test. Prism is installed by scripts/peers.sh into .peers/ (npm registry); in CI a
//! missing Prism fails the test, locally it is skipped.

mod support;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::json;
use shiplight::github::comment::{Author, CommentError, Comments};

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

/// Prism serving GitHub's description on a free 127.0.0.1 port, or None (skipped locally,
/// a failure in CI) when it is not installed.
async fn prism() -> Option<(Prism, String)> {
    let prism = peers().join(".bin/prism");
    let spec = peers().join("@octokit/openapi/generated/api.github.com.json");
    if !prism.exists() || !spec.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "Prism and @octokit/openapi are required in CI (scripts/peers.sh installs them)"
        );
        eprintln!("SKIPPED prism: run scripts/peers.sh");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let server = Prism(
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
    Some((server, base))
}

#[tokio::test(flavor = "multi_thread")]
async fn comment_requests_conform_to_githubs_openapi_description() {
    let Some((_server, base)) = prism().await else { return };

    // negative control: Prism rejects what GitHub would (the test can fail)
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let status = agent
        .post(&format!("{base}/repos/o/r/issues/7/comments"))
        .header("content-type", "application/json")
        .send(r#"{"nobody": 1}"#)
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 422, "a comment without a body must be rejected");

    // the identity lookup: GitHub's REST description has no GraphQL, so Prism cannot answer
    // `viewer`; a token that is not the job token is then refused, never matched by body
    let mut unknown = Comments::new(&base, "pat", "o/r").unwrap();
    let e = unknown.identify(None, &format!("{base}/graphql"), false).await.unwrap_err();
    assert!(matches!(e, CommentError::UnknownAuthor { .. }), "{e}");
    let mut comments = Comments::new(&base, "ghs_job", "o/r").unwrap();
    let id = comments.identify(None, &format!("{base}/graphql"), true).await.expect("the job token falls back");
    assert_eq!(id.author(), &Author::actions());
    // list (every page), create, update, delete: each as GitHub describes it
    let found = comments.find(7, "<!-- shiplight:flask -->").await.expect("GET comments conforms");
    assert!(found.own.is_empty() && found.ignored.is_empty(), "GitHub's example comment carries no marker");
    // the author fields are read where GitHub's description puts them: its example comment
    // (octocat, a User) is octocat's and not the bot's
    let listed =
        agent.get(&format!("{base}/repos/o/r/issues/7/comments")).call().unwrap().body_mut().read_to_string().unwrap();
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let user = &listed[0]["user"];
    assert!(Author::from_login("octocat").wrote(user) && !Author::actions().wrote(user), "{user}");
    let posted = comments.upsert(7, "flask", "## shiplight\nreport").await.expect("POST comment conforms");
    assert!(posted.created && posted.id > 0 && posted.url.starts_with("https://github.com/"), "{posted:?}");
    comments
        .update(posted.id, &json!({"body": "updated <!-- shiplight:flask -->"}))
        .await
        .expect("PATCH comment conforms");
    comments.delete(posted.id).await.expect("DELETE comment conforms");
    // the workflow_run job reads the pull request's head and labels before posting. GitHub's
    // own example response for this operation breaks its own schema (requested_teams[0] has
    // no `type`), which --errors turns into a 500: the request passed, so only violations
    // located in the response are accepted here, never a 4xx.
    match comments.pull_request(7).await {
        Ok((head, _labels)) => assert_eq!(head.len(), 40, "GitHub's example pull request has a head: {head}"),
        Err(shiplight::github::comment::CommentError::Refused { status: 500, .. }) => {
            let text =
                agent.get(&format!("{base}/repos/o/r/pulls/7")).call().unwrap().body_mut().read_to_string().unwrap();
            let answer: serde_json::Value = serde_json::from_str(&text).unwrap();
            let violations = answer["validation"].as_array().cloned().unwrap_or_default();
            assert!(!violations.is_empty(), "{answer}");
            assert!(violations.iter().all(|v| v["location"][0] == "response"), "the request was rejected: {answer}");
        }
        Err(e) => panic!("GET pull request does not conform: {e}"),
    }
    // mode: plan reads the pull request's files and the base's .shiplight.yml
    let files = comments.changed_files(7).await.expect("GET pull request files conforms");
    assert!(!files.paths.is_empty() && files.complete, "GitHub's example lists a file: {files:?}");
    match comments.file_at(".shiplight.yml", "0123456789abcdef0123456789abcdef01234567").await {
        // GitHub's example for this operation is a directory listing or a file, as Prism picks
        Ok(_) => {}
        Err(e) => panic!("GET contents does not conform: {e}"),
    }
    // review mode: the files' patches, the review comments (every page), one review of
    // multi-line suggestions on the head's side
    let added = comments.added_lines(7).await.expect("GET pull request files conforms");
    // GitHub's example file has a patch of hunk headers only: listed, with no `+` line
    assert!(added.get("file1.txt").is_some_and(|l| l.is_empty()), "{added:?}");
    let text = "FROM debian:12.5\nUSER 0:0\nRUN apt update \\\n && apt install curl\n";
    let cfg = shiplight::lint::LintConfig::default();
    let findings = shiplight::lint::lint_text(text, "Dockerfile", &cfg);
    let (suggestions, _) = shiplight::report::review::suggestions(text, "Dockerfile", &findings, &[3, 4].into(), &cfg);
    assert!(suggestions.iter().any(|s| s.start_line == 3 && s.line == 4), "a multi-line one: {suggestions:?}");
    let published = comments
        .publish_review(7, "0123456789abcdef0123456789abcdef01234567", &suggestions, 30, &[])
        .await
        .expect("GET review comments and POST review conform");
    assert_eq!(published.posted, suggestions.len(), "{published:?}");
    // the multi-stage rewrite of a new Dockerfile: one suggestion from line 1, its block's
    // fence longer than the heredoc's
    let new = "FROM python:3.12-slim\nWORKDIR /app\nCOPY <<'NOTE' /app/USAGE.md\n```\npython app.py\n```\nNOTE\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n";
    let p = match shiplight::patch::suggest(
        new,
        "Dockerfile",
        &Default::default(),
        &shiplight::patch::Templates::built_in(),
    ) {
        shiplight::patch::Outcome::Patch(p) => p,
        other => panic!("{other:?}"),
    };
    let rw = shiplight::report::review::Rewrite {
        path: "Dockerfile".into(),
        ecosystem: p.ecosystem,
        patched: p.patched,
        rationale: p.rationale,
    };
    let all: std::collections::BTreeSet<usize> = (1..=new.lines().count()).collect();
    let shiplight::report::review::RewriteVerdict::Suggested(s) =
        shiplight::report::review::rewrite_suggestion(new, &rw, &all, &cfg)
    else {
        panic!("the rewrite of a new file is a suggestion")
    };
    assert!(s.start_line == 1 && s.line > 1 && s.body().contains("````suggestion"), "{s:?}");
    let published = comments
        .publish_review(7, "0123456789abcdef0123456789abcdef01234567", &[s], 30, &[])
        .await
        .expect("POST review with the rewrite conforms");
    assert_eq!(published.posted, 1, "{published:?}");
    // negative control: a review without its event's value is refused as GitHub would
    let status = agent
        .post(&format!("{base}/repos/o/r/pulls/7/reviews"))
        .header("content-type", "application/json")
        .send(r#"{"event": "SHOUT", "comments": [{"path": "Dockerfile", "body": "x", "line": 1, "side": "MIDDLE"}]}"#)
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 422, "a bad review must be rejected");
}

/// The Action's own calls, not only the client's: `shiplight action` on a pull request event,
/// with the real daemon, posting its comment to Prism. Prism has no state, so the comment is
/// created each time; what counts is that no request is rejected (a rejection makes the step
/// exit 3 with the refusal in its log).
#[tokio::test(flavor = "multi_thread")]
async fn the_action_run_conforms_to_githubs_openapi_description() {
    let Some(engine) = support::daemon("prism action").await else { return };
    support::busybox(&engine).await;
    let Some((_server, base)) = prism().await else { return };
    let repo = support::Repo::new();
    repo.write("app/Dockerfile", &format!("FROM {}\nRUN echo small > /f\n", support::BUSYBOX));
    let base_sha = repo.commit("base");
    repo.write("app/Dockerfile", &format!("FROM {}\nRUN head -c 300000 /dev/zero > /f\n", support::BUSYBOX));
    let head_sha = repo.commit("head");
    let dir = tempfile::tempdir().unwrap();
    let event = dir.path().join("event.json");
    std::fs::write(
        &event,
        json!({"number": 7, "pull_request": {"number": 7, "labels": [],
            "base": {"sha": base_sha, "repo": {"full_name": "o/r"}},
            "head": {"sha": head_sha, "repo": {"full_name": "o/r"}}}})
        .to_string(),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_shiplight"))
        .arg("action")
        .current_dir(repo.path())
        .env("GITHUB_REPOSITORY", "o/r")
        .env("GITHUB_API_URL", &base)
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_WORKSPACE", repo.path())
        .env("GITHUB_OUTPUT", dir.path().join("output"))
        .env("GITHUB_STEP_SUMMARY", dir.path().join("summary"))
        .env("GITHUB_ACTIONS", "true")
        .env("INPUT_GITHUB-TOKEN", "ghs_job-token")
        .env("INPUT_DOCKERFILE", "app/Dockerfile")
        .env("INPUT_SUGGEST", "off")
        .output()
        .unwrap();
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "a request was rejected: {log}");
    assert!(log.contains("comment posted: https://github.com/"), "GitHub's example comment URL: {log}");
    // Prism has no GraphQL: the job token's identity is the documented fallback, said so
    assert!(log.contains("comments are written by github-actions[bot] (GitHub did not say"), "{log}");
    let outputs = std::fs::read_to_string(dir.path().join("output")).unwrap();
    assert!(outputs.contains("comment-url=https://github.com/"), "{outputs}");
}
