//! `shiplight suggest` as a user runs it (no daemon: the rewrite itself).

mod support;

use serde_json::Value;
use support::{root, shiplight};

#[test]
fn flask_diff_json_and_markdown() {
    let out = shiplight(&["suggest", "examples/flask/Dockerfile"], &root());
    assert_eq!(out.status.code(), Some(0));
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(diff.starts_with("--- a/Dockerfile\n+++ b/Dockerfile\n@@"), "{diff}");
    assert!(diff.contains("-FROM python:3.9\n+FROM python:3.9 AS build\n"));
    assert!(diff.contains("+FROM python:3.9-slim AS runtime\n"));
    assert!(diff.contains("+RUN pip install --no-cache-dir flask\n"));

    let out = shiplight(&["suggest", "--format", "json", "examples/flask/Dockerfile"], &root());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["outcome"].as_str(), v["ecosystem"].as_str()), (Some("patch"), Some("python")));
    for key in ["dockerfile", "diff", "patched", "rationale"] {
        assert!(!v[key].is_null(), "{key}");
    }
    let out = shiplight(&["suggest", "--format", "markdown", "examples/flask/Dockerfile"], &root());
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.contains("```diff\n--- a/Dockerfile") && md.contains("(SL101): build-essential moves to the build stage"),
        "{md}"
    );
}

#[test]
fn write_applies_the_patch_and_keeps_crlf() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("examples/flask/Dockerfile")).unwrap().replace('\n', "\r\n");
    let path = dir.path().join("Dockerfile");
    std::fs::write(&path, &text).unwrap();
    let out = shiplight(&["suggest", "--write", "Dockerfile"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.contains("FROM python:3.9-slim AS runtime\r\n"));
    assert!(!written.replace("\r\n", "").contains('\n'), "CRLF kept");
    // the rewritten file lints without the findings it answered
    let lint = shiplight(&["lint", "--format", "json", "Dockerfile"], dir.path());
    let findings: Vec<Value> = serde_json::from_slice(&lint.stdout).unwrap();
    assert!(
        !findings.iter().any(|f| ["SL101", "SL103", "SL106"].contains(&f["code"].as_str().unwrap())),
        "{findings:#?}"
    );
    // asked again: nothing left to do, and the file is untouched
    let out = shiplight(&["suggest", "--write", "Dockerfile"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no rewrite: already multi-stage"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), written);
}

#[test]
fn refusals_and_bad_input_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM debian:12\nRUN apt-get install -y gcc && make && ./run-tests\nCMD [\"/usr/local/bin/app\"]\n",
    )
    .unwrap();
    let out = shiplight(&["suggest", "Dockerfile"], dir.path());
    assert_eq!(out.status.code(), Some(0), "a refusal is advice, not a failure");
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains(
        "line 2: `./run-tests` in this RUN is neither a build step nor system set-up, so shiplight cannot tell whether the runtime needs it; move it to its own RUN"
    ));
    let out = shiplight(&["suggest", "--format", "json", "Dockerfile"], dir.path());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["outcome"].as_str(), v["reason"].as_str()), (Some("refused"), Some("mixed-run")), "{v}");
    let out = shiplight(&["suggest", "missing/Dockerfile"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read missing/Dockerfile"));
}
