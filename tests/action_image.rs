//! The action image run the way GitHub's runner runs a container action: a sibling of the
//! images it builds, on a bridge network, with the host's Docker socket mounted and the
//! repository at /github/workspace. There the host's 127.0.0.1 is out of reach, so the smoke
//! check of `suggest --verify` must reach the checked container another way.

mod support;

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use support::action::{action_dir, static_binary, ACTION_IMAGE_NOTE};
use support::root;

const TAG: &str = "shiplight-action:test";

fn socket() -> PathBuf {
    match std::env::var("DOCKER_HOST") {
        Ok(h) if h.starts_with("unix://") => PathBuf::from(&h["unix://".len()..]),
        _ => PathBuf::from("/var/run/docker.sock"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_action_image_verifies_the_flask_rewrite_from_a_bridge_network() {
    let Some(engine) = support::daemon("action image").await else { return };
    for fixture in ["python:3.9", "python:3.9-slim", "gcr.io/distroless/static-debian12"] {
        if !engine.exists(fixture).await {
            assert!(std::env::var_os("CI").is_none(), "{fixture} is required in CI: scripts/fixtures.sh");
            eprintln!("SKIPPED action image: {fixture} is missing; run scripts/fixtures.sh");
            return;
        }
    }
    let Some(binary) = static_binary() else {
        assert!(std::env::var_os("CI").is_none(), "the musl target and musl-gcc are required in CI (scripts/test)");
        eprintln!("SKIPPED action image: rustup target add x86_64-unknown-linux-musl; apt-get install musl-tools");
        return;
    };
    let dir = action_dir(&binary);
    let built = Command::new("docker").args(["build", "-q", "-t", TAG]).arg(dir.path()).output().unwrap();
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let (_, size, _) = engine.inspect(TAG).await.unwrap();
    eprintln!("action image: {size} bytes ({ACTION_IMAGE_NOTE})");
    assert!(size < 25_000_000, "the action image must stay under 25 MB: {size} B");

    let work = tempfile::tempdir().unwrap();
    for f in ["Dockerfile", "app.py"] {
        std::fs::copy(root().join("examples/flask").join(f), work.path().join(f)).unwrap();
    }
    let sock = socket();
    let out = Command::new("docker")
        .args(["run", "--rm", "--network", "bridge"])
        .arg("-v")
        .arg(format!("{}:/var/run/docker.sock", sock.display()))
        .arg("-v")
        .arg(format!("{}:/github/workspace", work.path().display()))
        .args(["-w", "/github/workspace", TAG, "suggest", "--verify", "--format", "json", "Dockerfile"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    let s: Value = serde_json::from_str(&text).unwrap();
    let v = &s["verification"];
    assert_eq!(v["verified"], true, "{v:#}");
    assert_eq!(v["smoke"]["check"], "GET :5000/", "{v:#}");
    assert_eq!(v["smoke"]["original"]["status"], 200, "{v:#}");
    assert!(v["smoke"]["patched"]["body"].as_str().unwrap_or("").contains("Hello Docker"), "{v:#}");
    let _ = engine.remove(TAG).await;
}
