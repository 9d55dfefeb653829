//! Ship state and build-and-install rewrites on a real daemon, from the stand-in Debian base
//! (scripts/fixtures.sh); apt reaches Debian's mirror. Each test prints the engine it ran on.

mod support;

use std::process::Command;

use serde_json::Value;
use support::{daemon, shiplight};

const HELLO_C: &str = "#include <stdio.h>\nint main(void) { puts(\"hello from C\"); return 0; }\n";
const MAKEFILE: &str = "hello: hello.c\n\tcc -O2 -o hello hello.c\n";

/// A folder with the C program, its Makefile and `dockerfile`.
fn c_project(dockerfile: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hello.c"), HELLO_C).unwrap();
    std::fs::write(dir.path().join("Makefile"), MAKEFILE).unwrap();
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    dir
}

async fn ready(test: &str) -> Option<String> {
    let engine = daemon(test).await?;
    if !engine.exists("debian:bookworm").await {
        assert!(std::env::var_os("CI").is_none(), "debian:bookworm is missing: scripts/test runs scripts/fixtures.sh");
        eprintln!("SKIPPED {test}: run scripts/fixtures.sh");
        return None;
    }
    let info = engine.server_info().await.ok()?;
    Some(format!("Docker Engine {} (API {})", info.version, info.api_version))
}

/// An official-image-style RUN (apt-mark save, install, build, auto-mark, purge
/// --auto-remove) gets no SL101 and no toolchain rewrite, and the built image proves it:
/// gcc and make are not installed in it, the program it built runs.
#[tokio::test]
async fn an_official_style_purge_ships_no_toolchain() {
    let Some(engine) = ready("ship_state_purge").await else { return };
    let dir = c_project(
        "FROM debian:bookworm\nCOPY hello.c Makefile /src/\nRUN set -eux; \\\n    savedAptMark=\"$(apt-mark showmanual)\"; \\\n    apt-get update; \\\n    apt-get install -y --no-install-recommends gcc libc6-dev make; \\\n    make -C /src; cp /src/hello /usr/local/bin/hello; \\\n    apt-mark auto '.*' > /dev/null; \\\n    [ -z \"$savedAptMark\" ] || apt-mark manual $savedAptMark; \\\n    apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false; \\\n    rm -rf /var/lib/apt/lists/* /src\nCMD [\"hello\"]\n",
    );
    let out = shiplight(&["lint", "--format", "json", "Dockerfile"], dir.path());
    let findings: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!findings.iter().any(|f| f["code"] == "SL101"), "{findings:#?}");
    let out = shiplight(&["suggest", "--format", "json", "Dockerfile"], dir.path());
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_ne!(s["outcome"], "patch", "nothing of the toolchain ships, so nothing to rewrite: {s}");

    let tag = "shiplight-test/purge:1";
    let build = Command::new("docker").args(["build", "-q", "-t", tag]).arg(dir.path()).output().unwrap();
    assert!(build.status.success(), "{}", String::from_utf8_lossy(&build.stderr));
    let run = |cmd: &str| Command::new("docker").args(["run", "--rm", tag, "sh", "-c", cmd]).output().unwrap();
    let pkgs = run("for p in gcc gcc-12 make libc6-dev cpp; do dpkg -s $p >/dev/null 2>&1 && echo $p; done; true");
    let left = String::from_utf8_lossy(&pkgs.stdout).to_string();
    assert!(left.trim().is_empty(), "the flagged packages are still installed: {left}");
    let hello = run("hello");
    assert_eq!(String::from_utf8_lossy(&hello.stdout).trim(), "hello from C");
    eprintln!("ship_state_purge: gcc, make, libc6-dev absent from the image; ran on {engine}");
    let _ = Command::new("docker").args(["rmi", "-f", tag]).output();
}

/// `RUN make && cp hello /usr/local/bin/` in a single stage: the rewrite builds, answers the
/// same to the default command, and is smaller.
#[tokio::test]
async fn make_and_cp_is_split_verified_and_smaller() {
    let Some(engine) = ready("ship_state_make_cp").await else { return };
    let dir = c_project(
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev make && rm -rf /var/lib/apt/lists/*\nWORKDIR /src\nCOPY hello.c Makefile ./\nRUN make && cp hello /usr/local/bin/\nCMD [\"hello\"]\n",
    );
    let out = shiplight(&["suggest", "--verify", "--format", "json", "Dockerfile"], dir.path());
    let v: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(v["ecosystem"], "install", "{v}");
    let ver = &v["verification"];
    assert_eq!(ver["verified"], true, "{ver}");
    let (a, b) = (ver["original_bytes"].as_u64().unwrap(), ver["patched_bytes"].as_u64().unwrap());
    assert!(b < a / 2, "the rewrite is not half the size: {a} -> {b}");
    eprintln!("ship_state_make_cp: {a} B -> {b} B on {engine}");
}
