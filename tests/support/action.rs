//! The action image as the tests build it: the top-level Dockerfile's runtime stage with the
//! static (musl) binary built from this tree, since no registry is reachable for its rust
//! stage here.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::root;

pub const ACTION_IMAGE_NOTE: &str = "built by this test from the top-level Dockerfile's runtime stage";

/// The static binary the action image ships, built from this tree (a no-op when fresh).
pub fn static_binary() -> Option<PathBuf> {
    let target = "x86_64-unknown-linux-musl";
    let out = Command::new(env!("CARGO"))
        .args(["build", "--release", "--locked", "--target", target, "--bin", "shiplight"])
        .current_dir(root())
        .env("CC_x86_64_unknown_linux_musl", "musl-gcc")
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    // cargo builds into CARGO_TARGET_DIR when it is set
    let dir = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"));
    Some(dir.join(target).join("release/shiplight"))
}

/// The action as a user references it (`shiplight/shiplight@v1`): the real action.yml, and a
/// Dockerfile that is the top-level one's final stage with the binary copied in.
pub fn action_dir(binary: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root().join("action.yml"), dir.path().join("action.yml")).unwrap();
    std::fs::copy(binary, dir.path().join("shiplight")).unwrap();
    let top = std::fs::read_to_string(root().join("Dockerfile")).unwrap();
    let last_from = top.rfind("\nFROM ").expect("a multi-stage Dockerfile") + 1;
    let runtime = &top[last_from..];
    assert!(runtime.contains("COPY --from=build /shiplight "), "{runtime}");
    let dockerfile =
        format!("# {ACTION_IMAGE_NOTE}\n{}", runtime.replace("COPY --from=build /shiplight ", "COPY shiplight "));
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    dir
}

/// The actions the example workflows pin, as act looks them up.
pub const CHECKOUT: &str = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683";
pub const UPLOAD_ARTIFACT: &str = "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02";
pub const DOWNLOAD_ARTIFACT: &str = "actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093";

/// A local action (`action.yml` only) in a temporary folder.
pub fn local_action(yaml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("action.yml"), yaml).unwrap();
    dir
}

/// A no-op stand-in for an action the runner would download (checkout: act copies the
/// repository into the job already).
pub fn noop_action() -> tempfile::TempDir {
    local_action("name: noop\ndescription: stands in for a downloaded action\nruns:\n  using: composite\n  steps:\n    - run: echo noop\n      shell: sh\n")
}

/// actions/upload-artifact or download-artifact (`kind`): the stand-in scripts of
/// tests/fixtures/artifact-actions beside the client those actions bundle (scripts/peers.sh
/// installs it), so act's artifact server sees the real protocol.
pub fn artifact_action(kind: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = root().join("tests/fixtures/artifact-actions").join(kind);
    for entry in std::fs::read_dir(&src).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let modules = root().join(".peers/artifact/node_modules");
    let status = Command::new("cp").arg("-r").arg(&modules).arg(dir.path()).status().unwrap();
    assert!(status.success(), "copy {}", modules.display());
    dir
}

/// `NAME=DIR` for act's `--local-repository`.
pub fn local(name: &str, dir: &Path) -> String {
    format!("{name}={}", dir.display())
}

/// act running `workflow` of `repo` for `event` (payload at `event_path`), jobs on
/// `runner_image`, nothing pulled or downloaded, GitHub's API at `api` with the job token
/// `job-token`. Callers add their local repositories and run it.
pub fn act(
    act: &Path,
    repo: &Path,
    event: &str,
    workflow: &str,
    event_path: &Path,
    runner_image: &str,
    api: &str,
) -> Command {
    let mut cmd = Command::new(act);
    cmd.current_dir(repo)
        .args([event, "-W", workflow, "-e"])
        .arg(event_path)
        .args(["-P", &format!("ubuntu-latest={runner_image}"), "--pull=false", "--action-offline-mode"])
        // a job that fails (as several tests make them) would otherwise leave its container running
        .arg("--rm")
        .args(["--env", &format!("GITHUB_API_URL={api}"), "-s", "GITHUB_TOKEN=job-token"])
        .args(["--env", &format!("GITHUB_GRAPHQL_URL={api}/graphql")]);
    cmd
}

/// The last `n` lines of a log, for assertion messages.
pub fn tail(log: &str, n: usize) -> String {
    log.lines().rev().take(n).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n")
}

/// A `pull_request` (synchronize) event for pull request 7 of `o/r`, from `head` into `base`,
/// with `labels`, written to `dir/event.json`; its path.
pub fn pull_request_event(dir: &Path, base: &str, head: &str, labels: &[&str]) -> PathBuf {
    let event = serde_json::json!({
        "action": "synchronize",
        "number": 7,
        "pull_request": {
            "number": 7,
            "labels": labels.iter().map(|l| serde_json::json!({"name": l})).collect::<Vec<_>>(),
            "base": { "sha": base, "ref": "main", "repo": { "full_name": "o/r" } },
            "head": { "sha": head, "ref": "feature", "repo": { "full_name": "o/r" } }
        },
        "repository": { "full_name": "o/r", "name": "r", "owner": { "login": "o" } }
    });
    let path = dir.join("event.json");
    std::fs::write(&path, event.to_string()).unwrap();
    path
}
