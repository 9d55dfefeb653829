//! `shiplight action` as the runner starts it (INPUT_* and GITHUB_* variables, an event
//! file, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files), on the real daemon, against a stateful
//! stand-in for GitHub's API on 127.0.0.1: one sticky comment posted then updated, the
//! check failing past fail-on-increase-percent and passing with the approve label, a fork's
//! run saving its report, and the workflow_run job posting it.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{json, Value};
use support::github::FakeGitHub;
use support::Repo;

const BASE: &str = "FROM shiplight-test/busybox:1\nRUN dd if=/dev/zero of=/small bs=1k count=100\n";
const HEAD: &str =
    "FROM shiplight-test/busybox:1\nRUN dd if=/dev/zero of=/small bs=1k count=100\nRUN dd if=/dev/zero of=/big bs=1M count=5\n";

struct Fixture {
    repo: Repo,
    base: String,
    head: String,
    run: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let repo = Repo::new();
    repo.write("app/Dockerfile", BASE);
    let base = repo.commit("base: small image");
    repo.write("app/Dockerfile", HEAD);
    let head = repo.commit("PR: adds 5 MB");
    Fixture { repo, base, head, run: tempfile::tempdir().unwrap() }
}

fn pr_event(f: &Fixture, labels: &[&str], head_repo: &str) -> Value {
    json!({
        "action": "synchronize",
        "number": 7,
        "pull_request": {
            "number": 7,
            "labels": labels.iter().map(|l| json!({"name": l})).collect::<Vec<_>>(),
            "base": { "sha": f.base, "ref": "main", "repo": { "full_name": "o/r" } },
            "head": { "sha": f.head, "ref": "feature", "repo": { "full_name": head_repo } }
        }
    })
}

/// Run the action binary the way the runner does; returns the process output, the outputs
/// file and the summary file.
fn action(
    f: &Fixture,
    gh: &FakeGitHub,
    event_name: &str,
    event: &Value,
    inputs: &[(&str, &str)],
) -> (Output, String, String) {
    let dir = f.run.path();
    let event_path = dir.join("event.json");
    std::fs::write(&event_path, event.to_string()).unwrap();
    let (out_path, sum_path) = (dir.join("output"), dir.join("summary"));
    let _ = std::fs::remove_file(&out_path);
    let _ = std::fs::remove_file(&sum_path);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shiplight"));
    cmd.arg("action")
        .current_dir(f.repo.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_REPOSITORY", "o/r")
        .env("GITHUB_API_URL", gh.uri())
        .env("GITHUB_SERVER_URL", "https://github.example")
        .env("GITHUB_EVENT_NAME", event_name)
        .env("GITHUB_EVENT_PATH", &event_path)
        .env("GITHUB_SHA", &f.head)
        .env("GITHUB_RUN_ID", "4242")
        .env("GITHUB_WORKSPACE", f.repo.path())
        .env("GITHUB_OUTPUT", &out_path)
        .env("GITHUB_STEP_SUMMARY", &sum_path)
        .env("INPUT_GITHUB-TOKEN", "job-token")
        .env("INPUT_DOCKERFILE", "app/Dockerfile")
        .env("INPUT_FAIL-ON-INCREASE-PERCENT", "10")
        .env("INPUT_APPROVE-LABEL", "size-approved");
    if let Some(host) = std::env::var_os("DOCKER_HOST") {
        cmd.env("DOCKER_HOST", host);
    }
    for (k, v) in inputs {
        cmd.env(format!("INPUT_{}", k.to_uppercase()), v);
    }
    let out = cmd.output().unwrap();
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    (out, read(&out_path), read(&sum_path))
}

fn output(outputs: &str, name: &str) -> Option<String> {
    outputs.lines().find_map(|l| l.strip_prefix(&format!("{name}=")).map(String::from))
}

fn log(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[tokio::test]
async fn one_sticky_comment_a_failing_check_and_the_approve_label() {
    let Some(engine) = support::daemon("action").await else { return };
    support::busybox(&engine).await;
    let f = fixture();
    let gh = FakeGitHub::start("o/r").await;
    gh.add(1, "LGTM", "reviewer");

    // first run: +5 MB on a 2 MB image is far over 10 %: the step fails, one comment is posted
    let (out, outputs, summary) = action(&f, &gh, "pull_request", &pr_event(&f, &[], "o/r"), &[]);
    let text = log(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert_eq!(output(&outputs, "verdict").as_deref(), Some("fail"), "{outputs}");
    let delta: i64 = output(&outputs, "delta-bytes").unwrap().parse().unwrap();
    assert!((5_200_000..5_300_000).contains(&delta), "5 MiB added: {delta}");
    assert_eq!(output(&outputs, "report-json").as_deref(), Some(".shiplight/report.json"));
    assert!(output(&outputs, "comment-url").unwrap().contains("#issuecomment-"), "{outputs}");
    assert!(text.contains("::group::shiplight: build and measure app/Dockerfile"), "{text}");
    assert!(text.contains("::warning file=app/Dockerfile,line=3,title=shiplight image growth::"), "{text}");
    let comments = gh.comments();
    assert_eq!(comments.len(), 2, "LGTM and ours: {comments:#?}");
    let ours = &comments[1];
    eprintln!("the posted comment:\n{ours}");
    assert!(ours.contains("### ❌ 📦 `app`: "), "{ours}");
    assert!(ours.contains("over fail-on-increase-percent 10"), "{ours}");
    assert!(ours.contains("[line 3](https://github.example/o/r/blob/"), "{ours}");
    assert!(ours.contains("[workflow run](https://github.example/o/r/actions/runs/4242)"), "{ours}");
    assert!(ours.trim_end().ends_with("<!-- shiplight:app -->"), "{ours}");
    assert!(summary.contains("### ❌ 📦 `app`: "), "the job summary has the same report: {summary}");
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(f.repo.path().join(".shiplight/report.json")).unwrap()).unwrap();
    assert_eq!(saved["pull_request"]["number"], 7);

    assert!(text.contains("comments are written by github-actions[bot] (the token's identity"), "{text}");
    // a reviewer quotes the report whole, marker included
    gh.add(5_000, ours, "reviewer");

    // second run, now with the approve label: the same comment is updated, the step passes,
    // and the reviewer's copy is left as it is
    let (out, outputs, _) = action(&f, &gh, "pull_request", &pr_event(&f, &["size-approved"], "o/r"), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", log(&out));
    assert_eq!(output(&outputs, "verdict").as_deref(), Some("pass"));
    assert!(
        log(&out).contains("::notice::1 comment(s) by other authors carry shiplight's marker (ids 5000)"),
        "{}",
        log(&out)
    );
    let comments = gh.comments();
    assert_eq!(comments.len(), 3, "updated, not duplicated: {comments:#?}");
    assert!(comments[1].contains("approved by the label `size-approved`"), "{}", comments[1]);
    assert!(comments[1].contains("### ✅ 📦 `app`: "), "{}", comments[1]);
    assert_eq!(&comments[2], ours, "the reviewer's copy is untouched");
    assert_eq!(gh.writes().iter().filter(|w| w.starts_with("POST")).count(), 1, "{:?}", gh.writes());
    assert_eq!(gh.writes().iter().filter(|w| w.starts_with("PATCH")).count(), 1, "{:?}", gh.writes());
    assert!(!gh.writes().iter().any(|w| w.ends_with("/5000")), "{:?}", gh.writes());

    // a push gives a report without a comment
    let push = json!({"ref": "refs/heads/main", "after": f.head});
    let (out, outputs, summary) = action(&f, &gh, "push", &push, &[]);
    assert_eq!(out.status.code(), Some(0), "no base on a push: nothing to fail: {}", log(&out));
    assert_eq!(output(&outputs, "verdict").as_deref(), Some("skipped"));
    assert!(summary.contains("📦 `app`: "), "{summary}");
    assert!(log(&out).contains("no comment: a push event has no pull request"), "{}", log(&out));
    assert_eq!(gh.comments().len(), 3);

    support::cleanup(&engine, &[]).await;
}

#[tokio::test]
async fn a_fork_saves_its_report_and_the_workflow_run_job_posts_it() {
    let Some(engine) = support::daemon("action fork").await else { return };
    support::busybox(&engine).await;
    let f = fixture();
    let gh = FakeGitHub::start("o/r").await;

    // the fork's run: read-only token, so no write at all; the report is saved; the size
    // failure still fails the check (that is the PR's problem, not the comment's)
    let (out, outputs, summary) = action(&f, &gh, "pull_request", &pr_event(&f, &[], "someone/r"), &[]);
    let text = log(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(gh.writes().is_empty(), "{:?}", gh.writes());
    assert!(text.contains("comes from a fork"), "{text}");
    assert!(summary.contains("📦 `app`"), "{summary}");
    assert_eq!(output(&outputs, "comment-url").as_deref(), Some(""));
    assert!(f.repo.path().join(".shiplight/comment.md").is_file());

    // a same-repository run whose token turns out read-only (403): saved, warned, not failed for it
    gh.fault(
        "POST comments",
        wiremock::ResponseTemplate::new(403)
            .set_body_json(json!({"message": "Resource not accessible by integration"})),
    );
    let (out, _, _) = action(&f, &gh, "pull_request", &pr_event(&f, &[], "o/r"), &[("fail-on-increase-percent", "")]);
    let text = log(&out);
    assert_eq!(out.status.code(), Some(0), "the size check passes without thresholds: {text}");
    assert!(text.contains("::warning::") && text.contains("pull-requests: write"), "{text}");
    assert!(gh.comments().is_empty());

    // the workflow_run job posts the saved report; the (tampered) verdict is judged again
    let report = f.repo.path().join(".shiplight/report.json");
    let mut saved: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    saved["images"][0]["verdict"] = json!("pass");
    saved["images"][0]["reasons"] = json!([]);
    saved["images"][0]["base_skipped"] = json!("@maintainers please merge <img src=x>");
    saved["images"][0]["name"] = json!("app --> <b>hi</b>");
    std::fs::write(&report, saved.to_string()).unwrap();
    let run = json!({"action": "completed", "workflow_run": {
        "id": 99, "head_sha": f.head, "event": "pull_request", "pull_requests": [],
        "html_url": "https://github.example/o/r/actions/runs/99"
    }});
    gh.state.lock().unwrap().head_sha = f.head.clone();
    let (out, outputs, _) =
        action(&f, &gh, "workflow_run", &run, &[("mode", "comment"), ("report", ".shiplight/report.json")]);
    assert_eq!(out.status.code(), Some(0), "{}", log(&out));
    let comments = gh.comments();
    assert_eq!(comments.len(), 1, "{comments:#?}");
    assert!(comments[0].contains("### ❌ 📦"), "judged again with this job's thresholds: {}", comments[0]);
    assert!(!comments[0].contains("@maintainers") && !comments[0].contains("<b>hi"), "{}", comments[0]);
    assert!(comments[0].contains("[workflow run](https://github.example/o/r/actions/runs/99)"));
    assert!(output(&outputs, "comment-url").unwrap().contains("#issuecomment-"));

    // a report for another head is refused and nothing is posted
    gh.state.lock().unwrap().head_sha = f.base.clone();
    let (out, _, _) = action(&f, &gh, "workflow_run", &run, &[("mode", "comment")]);
    assert_eq!(out.status.code(), Some(2), "{}", log(&out));
    assert!(log(&out).contains("nothing was posted"), "{}", log(&out));
    assert_eq!(gh.comments().len(), 1);
}

#[tokio::test]
async fn bad_inputs_are_named_before_anything_runs() {
    let f = fixture();
    let gh = FakeGitHub::start("o/r").await;
    let (out, _, _) =
        action(&f, &gh, "pull_request", &pr_event(&f, &[], "o/r"), &[("fail-on-increase-percent", "lots")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        log(&out).contains("::error::input `fail-on-increase-percent`: `lots` is not a percentage"),
        "{}",
        log(&out)
    );
    let (out, _, _) = action(&f, &gh, "pull_request", &pr_event(&f, &[], "o/r"), &[("dockerfile", "nope/Dockerfile")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(log(&out).contains("input `dockerfile`: cannot read nope/Dockerfile"), "{}", log(&out));
}

#[tokio::test]
async fn several_images_share_one_comment_a_custom_template_and_on_change() {
    let Some(engine) = support::daemon("action several").await else { return };
    support::busybox(&engine).await;
    let f = fixture();
    f.repo.write("api/Dockerfile", BASE);
    f.repo.write(
        ".github/shiplight-comment.hbs",
        "Sizes:\n{{#each images}}\n- {{{headline}}}\n{{/each}}\n{{findings_title}}\n{{#each markers}}{{{this}}}{{/each}}\n",
    );
    // the configuration's switch: every finding, not only the new ones
    f.repo.write(".shiplight.yml", "lint-findings: all\n");
    let gh = FakeGitHub::start("o/r").await;
    let event = pr_event(&f, &[], "o/r");
    let inputs = [
        ("dockerfile", "app/Dockerfile\napi/Dockerfile\n"),
        ("comment-template", ".github/shiplight-comment.hbs"),
        ("fail-on-increase-percent", ""),
    ];
    let (out, outputs, _) = action(&f, &gh, "pull_request", &event, &inputs);
    assert_eq!(out.status.code(), Some(0), "{}", log(&out));
    let comments = gh.comments();
    assert_eq!(comments.len(), 1, "both images in one comment: {comments:#?}");
    let body = &comments[0];
    // the user's template, images worst first: api is new (nothing to compare), app passes
    assert!(body.starts_with("Sizes:\n- `api`: "), "the user's template: {body}");
    assert!(body.contains("\n- `app`: "), "{body}");
    assert!(body.contains("\nLint findings\n"), "lint-findings: all from .shiplight.yml: {body}");
    assert!(body.trim_end().ends_with("<!-- shiplight:api,app -->"), "{body}");
    let head: u64 = output(&outputs, "head-size").unwrap().parse().unwrap();
    assert!(head > 9_000_000, "summed over both images: {head}");

    // on-change: a pull request that changes nothing (and, back to the default, has no new
    // finding) posts nothing...
    std::fs::remove_file(f.repo.path().join(".shiplight.yml")).unwrap();
    let same = json!({
        "number": 7,
        "pull_request": { "number": 7,
            "base": { "sha": f.head, "repo": { "full_name": "o/r" } },
            "head": { "sha": f.head, "repo": { "full_name": "o/r" } } }
    });
    let (out, _, _) =
        action(&f, &gh, "pull_request", &same, &[("comment", "on-change"), ("fail-on-increase-percent", "")]);
    assert_eq!(out.status.code(), Some(0), "{}", log(&out));
    assert!(log(&out).contains("no comment: nothing changed (comment: on-change)"), "{}", log(&out));
    assert_eq!(gh.writes().len(), 1, "only the first run's POST: {:?}", gh.writes());
    // ...but a comment already there is kept current
    gh.add(77, &format!("stale\n{}", shiplight::github::comment::marker("app")), support::github::ACTIONS_BOT);
    let (out, _, _) =
        action(&f, &gh, "pull_request", &same, &[("comment", "on-change"), ("fail-on-increase-percent", "")]);
    assert_eq!(out.status.code(), Some(0), "{}", log(&out));
    let stale = gh.comments().into_iter().find(|c| c.contains("shiplight:app -->") && !c.contains("api")).unwrap();
    assert!(stale.contains("📦 `app`: "), "{stale}");
    assert!(!stale.starts_with("stale"), "updated: {stale}");
}

#[tokio::test]
async fn a_pull_request_that_breaks_the_build_fails_the_check_with_the_failing_step() {
    let Some(engine) = support::daemon("action broken").await else { return };
    support::busybox(&engine).await;
    let f = fixture();
    f.repo.write("app/Dockerfile", "FROM shiplight-test/busybox:1\nRUN echo compiling @octocat && exit 7\n");
    let gh = FakeGitHub::start("o/r").await;
    let (out, outputs, _) =
        action(&f, &gh, "pull_request", &pr_event(&f, &["size-approved"], "o/r"), &[("fail-on-increase-percent", "")]);
    let text = log(&out);
    assert_eq!(out.status.code(), Some(1), "a broken build fails the check, label or not: {text}");
    assert_eq!(output(&outputs, "verdict").as_deref(), Some("fail"));
    assert_eq!(output(&outputs, "head-size").as_deref(), Some(""), "no size for an image that did not build");
    assert!(text.contains("::error file=app/Dockerfile::build of "), "{text}");
    let body = &gh.comments()[0];
    assert!(body.contains("### ❌ 📦 `app`: the pull request's image does not build"), "{body}");
    assert!(
        body.contains("(exit code 7)") && body.contains("compiling @\u{200b}octocat"),
        "the failing step and its output: {body}"
    );
    assert!(body.contains("```text\n"), "the output is in a code block: {body}");
    assert!(!body.contains("approved"), "{body}");
}

#[tokio::test]
async fn a_pull_request_target_run_warns_about_what_it_builds() {
    let Some(engine) = support::daemon("action target").await else { return };
    support::busybox(&engine).await;
    let f = fixture();
    let gh = FakeGitHub::start("o/r").await;
    let (out, _, _) = action(&f, &gh, "pull_request_target", &pr_event(&f, &[], "someone/r"), &[("comment", "never")]);
    let text = log(&out);
    assert!(
        text.contains("::warning::shiplight builds the checked-out workspace. In a pull_request_target job"),
        "{text}"
    );
    assert!(gh.writes().is_empty());
}

/// The Action asks the ship model too: with no `target` input, the stage the repository's
/// release workflow pushes is what it builds and compares, and the comment names the
/// evidence under the image's headline.
#[tokio::test]
async fn the_action_builds_and_names_what_the_release_workflow_ships() {
    let Some(engine) = support::daemon("action ship model").await else { return };
    support::busybox(&engine).await;
    let repo = Repo::new();
    let wf = "on: {push: {tags: ['v*']}}\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          context: app\n          target: runtime\n          push: true\n          tags: ghcr.io/o/app\n";
    repo.write(".github/workflows/release.yml", wf);
    let df = |extra: &str| {
        format!("FROM shiplight-test/busybox:1 AS runtime\nRUN dd if=/dev/zero of=/small bs=1k count=100\n{extra}\nFROM runtime AS debug\nRUN dd if=/dev/zero of=/symbols bs=1M count=8\n")
    };
    repo.write("app/Dockerfile", &df(""));
    let base = repo.commit("base");
    repo.write("app/Dockerfile", &df("RUN dd if=/dev/zero of=/big bs=1M count=1\n"));
    let head = repo.commit("PR: adds 1 MB to what ships");
    let f = Fixture { repo, base, head, run: tempfile::tempdir().unwrap() };
    let gh = FakeGitHub::start("o/r").await;
    let (out, outputs, _) =
        action(&f, &gh, "pull_request", &pr_event(&f, &[], "o/r"), &[("fail-on-increase-percent", "")]);
    let text = log(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let delta: i64 = output(&outputs, "delta-bytes").unwrap().parse().unwrap();
    assert!((1_000_000..1_100_000).contains(&delta), "1 MiB added to `runtime`, the debug stage not built: {delta}");
    assert!(text.contains("shiplight: app/Dockerfile: ships: docker/build-push-action pushes it (target `runtime`) (.github/workflows/release.yml:6)"), "{text}");
    let comments = gh.comments();
    assert_eq!(comments.len(), 1, "{comments:#?}");
    assert!(
        comments[0]
            .contains("ships: docker/build-push-action pushes it (target `runtime`) (.github/workflows/release.yml:6)"),
        "{}",
        comments[0]
    );
    support::cleanup(&engine, &[]).await;
}

/// Review mode in a real run: the pull request adds a MAINTAINER and an ADD of a local file; the
/// run posts one review whose two suggestions sit on exactly those lines (the lines it did
/// not touch get none), the sticky comment links it, and a rerun posts nothing again.
#[tokio::test]
async fn a_run_posts_its_proved_fixes_as_suggestions_on_the_lines_the_pull_request_added() {
    let Some(engine) = support::daemon("action review").await else { return };
    support::busybox(&engine).await;
    let repo = Repo::new();
    repo.write("app/Dockerfile", BASE);
    let base = repo.commit("base");
    let head_text = format!("{BASE}MAINTAINER me\nADD app.txt /app.txt\n");
    repo.write("app/Dockerfile", &head_text);
    repo.write("app/app.txt", "hello\n");
    let head = repo.commit("PR: a maintainer and an ADD");
    let f = Fixture { repo, base, head, run: tempfile::tempdir().unwrap() };
    let gh = FakeGitHub::start("o/r").await;
    let patch = "@@ -1,2 +1,4 @@\n FROM shiplight-test/busybox:1\n RUN dd if=/dev/zero of=/small bs=1k count=100\n+MAINTAINER me\n+ADD app.txt /app.txt";
    gh.change("app/Dockerfile", patch, &f.head, &head_text);
    let inputs = [("fail-on-increase-percent", ""), ("lint-failure-threshold", "none"), ("suggest", "off")];

    let (out, _, _) = action(&f, &gh, "pull_request", &pr_event(&f, &[], "o/r"), &inputs);
    let text = log(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("shiplight: review suggestions: 2 posted, 0 already there"), "{text}");
    let posted = gh.review_comments();
    let lines: Vec<Option<u64>> = posted.iter().map(|c| c.line).collect();
    assert_eq!(lines, vec![Some(3), Some(4)], "{posted:#?}");
    assert!(
        posted[0].body.contains("```suggestion\nLABEL org.opencontainers.image.authors=\"me\"\n```"),
        "{}",
        posted[0].body
    );
    assert!(posted[1].body.contains("```suggestion\nCOPY app.txt /app.txt\n```"), "{}", posted[1].body);
    let reviews = gh.state.lock().unwrap().reviews.clone();
    assert_eq!(reviews.len(), 1);
    assert_eq!((reviews[0].0.as_str(), reviews[0].2.as_str()), ("COMMENT", f.head.as_str()));
    let comment = gh.comments().pop().unwrap();
    assert!(comment.contains("💡 2 one-click fix(es) posted as a [review]("), "{comment}");

    let (out, _, _) = action(&f, &gh, "pull_request", &pr_event(&f, &[], "o/r"), &inputs);
    assert!(log(&out).contains("review suggestions: 0 posted, 2 already there"), "{}", log(&out));
    assert_eq!(gh.review_comments().len(), 2, "not repeated");
    assert_eq!(gh.state.lock().unwrap().reviews.len(), 1, "no second review");
    let comment = gh.comments().pop().unwrap();
    assert!(comment.contains("💡 2 one-click fix(es) from an earlier run still apply"), "{comment}");

    // review: off posts none and touches none
    let (out, _, _) =
        action(&f, &gh, "pull_request", &pr_event(&f, &[], "o/r"), &[("review", "off"), inputs[0], inputs[1]]);
    assert_eq!(out.status.code(), Some(0), "{}", log(&out));
    assert!(!log(&out).contains("review suggestions"), "{}", log(&out));
    assert_eq!(gh.review_comments().len(), 2);
    support::cleanup(&engine, &[]).await;
}
