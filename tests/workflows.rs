//! The workflows we ship and run pass zizmor (pip install zizmor) with no findings, in its
//! pedantic persona; the action image's Dockerfile passes our own lint.

mod support;

use std::process::Command;

use support::{root, shiplight};

#[test]
fn example_and_project_workflows_pass_zizmor() {
    let files = [
        "examples/workflows/shiplight.yml",
        "examples/workflows/shiplight-comment.yml",
        ".github/workflows/ci.yml",
        ".github/workflows/release.yml",
    ];
    let out = match Command::new("zizmor")
        .args(["--offline", "--persona", "pedantic", "--no-progress", "--format", "plain"])
        .args(files)
        .current_dir(root())
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            assert!(std::env::var_os("CI").is_none(), "zizmor is required in CI (scripts/peers.sh): {e}");
            eprintln!("SKIPPED zizmor: {e}; pip install zizmor");
            return;
        }
    };
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && text.contains("No findings to report"), "{text}");
    // the negative control: zizmor does flag what it should (the test can fail)
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yml");
    std::fs::write(
        &bad,
        "name: bad\non: pull_request_target\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n",
    )
    .unwrap();
    let out = Command::new("zizmor").args(["--offline", "--no-progress"]).arg(&bad).output().unwrap();
    assert!(!out.status.success(), "zizmor accepted a pull_request_target checkout of PR code");
}

#[test]
fn the_action_image_dockerfile_is_clean_under_our_own_lint() {
    let out = shiplight(&["lint", "Dockerfile"], &root());
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}
