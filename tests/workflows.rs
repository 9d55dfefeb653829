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
        "examples/workflows/monorepo.yml",
        "examples/workflows/monorepo-comment.yml",
        "examples/workflows/registry.yml",
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
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!out.status.success(), "zizmor accepted a pull_request_target checkout of PR code: {text}");
    assert!(text.contains("error[dangerous-triggers]"), "zizmor did not name the trigger: {text}");
}

#[test]
fn the_action_image_dockerfiles_are_clean_under_our_own_lint() {
    // the one main builds from source, and the release image: both read, no finding at all
    // (not even below the failure threshold)
    let out = shiplight(&["lint", "Dockerfile", "release/Dockerfile"], &root());
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(text.trim().lines().last(), Some("2 files checked: no findings"), "{text}");
    // what ships is read through the release workflow's script: release/Dockerfile is pushed
    // (`docker build` then `docker push` where buildx is missing); the buildx line passes its
    // options in an array, which is said rather than guessed
    let all = format!("{text}{err}");
    assert!(
        all.contains("note: release/Dockerfile: ships: `docker build --build-arg` in a run step tags it (called from `scripts/release.sh"),
        "{all}"
    );
    assert!(all.lines().filter(|l| !l.starts_with("note: ")).count() == 1, "{all}");
    let out = shiplight(&["lint", "--format", "json", "Dockerfile", "release/Dockerfile"], &root());
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn every_input_and_output_is_read_written_and_documented() {
    let action: serde_json::Value =
        yaml_serde::from_str(&std::fs::read_to_string(root().join("action.yml")).unwrap()).unwrap();
    let page = std::fs::read_to_string(root().join("docs/action.md")).unwrap();
    // the Action's code: its inputs, steps and modes
    let code: String = std::fs::read_dir(root().join("src/action"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    let inputs = action["inputs"].as_object().unwrap();
    let outputs = action["outputs"].as_object().unwrap();
    assert!(inputs.len() >= 17 && outputs.len() == 10, "{} inputs, {} outputs", inputs.len(), outputs.len());
    for (name, spec) in inputs.iter().chain(outputs) {
        assert!(page.contains(&format!("| `{name}` |")), "docs/action.md's tables lack `{name}`");
        assert!(code.contains(&format!("\"{name}\"")), "src/action/ never reads or writes `{name}`");
        assert!(spec["description"].as_str().is_some_and(|d| d.len() > 10), "`{name}` has no description");
    }
    assert_eq!(action["runs"]["using"], "docker");
    assert_eq!(action["runs"]["args"][0], "action");
    assert_eq!(inputs["github-token"]["default"], "${{ github.token }}");
}

/// `text`'s part between `<!-- {name}:start -->` and `<!-- {name}:end -->`.
fn marked<'a>(text: &'a str, name: &str) -> &'a str {
    let start = format!("<!-- {name}:start -->\n");
    let from = text.find(&start).unwrap_or_else(|| panic!("no {start}")) + start.len();
    let to = text.find(&format!("<!-- {name}:end -->")).unwrap_or_else(|| panic!("no {name}:end"));
    &text[from..to]
}

/// Lines as a markdown quote, as scripts/example --docs writes them.
fn quoted<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    lines.map(|l| format!("{}\n", format!("> {l}").trim_end())).collect()
}

#[test]
fn the_docs_show_the_generated_comment_and_the_readme_its_top() {
    let example = std::fs::read_to_string(root().join("docs/comment-example.md")).unwrap();
    assert!(example.contains("<!-- shiplight:flask -->") && example.contains("```diff"));
    let page = std::fs::read_to_string(root().join("docs/comment.md")).unwrap();
    assert_eq!(marked(&page, "comment-example"), quoted(example.lines()), "run scripts/example --docs");
    // the README's excerpt: the comment up to its first folded section
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let top: Vec<&str> = example.lines().take_while(|l| !l.starts_with("<details>")).collect();
    let n = top.iter().rposition(|l| !l.trim().is_empty()).map_or(0, |i| i + 1);
    assert!(n > 10 && top[0].starts_with("### "), "the comment's top: {top:#?}");
    assert_eq!(marked(&readme, "comment-excerpt"), quoted(top[..n].iter().copied()), "run scripts/example --docs");
}
