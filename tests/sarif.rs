//! SARIF that GitHub code scanning accepts: `shiplight lint --format sarif` output checked by
//! Microsoft's SARIF Multitool 5.7.0 (`validate --rule-kind "Sarif;Gh"`, the rules GitHub
//! applies), for a relative path, an absolute path inside a repository, a file outside any
//! repository, and several files that together trigger every rule. Each must validate with
//! no error, warning or note. The Multitool is installed by scripts/peers.sh into .peers/
//! (npm registry); in CI a missing Multitool fails the test, locally it is skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Multitool's binary, or None (skipped locally, a failure in CI).
fn multitool() -> Option<PathBuf> {
    let tool = root().join(".peers/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    if !tool.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the SARIF Multitool is required in CI (scripts/peers.sh installs it)"
        );
        eprintln!("SKIPPED sarif: run scripts/peers.sh");
        return None;
    }
    Some(tool)
}

/// `shiplight lint --format sarif ARGS` run in `cwd`: the SARIF log.
fn sarif(args: &[&str], cwd: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_shiplight"))
        .args(["lint", "--format", "sarif"])
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run shiplight");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

/// Validate a log with the Sarif and Gh rule kinds: the Multitool's own findings about it.
fn validate(tool: &Path, log: &Value) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.sarif");
    let output = dir.path().join("out.sarif");
    std::fs::write(&input, serde_json::to_vec_pretty(log).unwrap()).unwrap();
    let run = Command::new(tool)
        .args(["validate", "--rule-kind", "Sarif;Gh", "--log", "ForceOverwrite", "-o"])
        .arg(&output)
        .arg(&input)
        // .NET without ICU on a bare machine
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .expect("run the SARIF Multitool");
    let said = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success() && output.exists(), "the Multitool failed: {said}");
    let report: Value = serde_json::from_slice(&std::fs::read(&output).unwrap()).unwrap();
    report["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {}: {}", r["ruleId"], r["level"], r["message"]))
        .collect()
}

fn locations(log: &Value) -> Vec<(String, Option<String>)> {
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let a = &r["locations"][0]["physicalLocation"]["artifactLocation"];
            (a["uri"].as_str().unwrap().to_owned(), a["uriBaseId"].as_str().map(String::from))
        })
        .collect()
}

#[test]
fn relative_and_absolute_paths_in_a_repository_validate_and_point_at_the_same_file() {
    let Some(tool) = multitool() else { return };
    let relative = sarif(&["examples/flask/Dockerfile"], &root());
    let absolute = sarif(&[root().join("examples/flask/Dockerfile").to_str().unwrap()], Path::new("/"));
    for log in [&relative, &absolute] {
        assert_eq!(validate(&tool, log), Vec::<String>::new());
        // the path from the repository root, under %SRCROOT%, which names the root
        let found = locations(log);
        assert!(!found.is_empty());
        for (uri, base) in found {
            assert_eq!(uri, "examples/flask/Dockerfile");
            assert_eq!(base.as_deref(), Some("%SRCROOT%"));
        }
        let srcroot = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"].as_str().unwrap();
        let expected = url_of_dir(&root().canonicalize().unwrap());
        assert_eq!(srcroot, expected);
    }
}

#[test]
fn a_file_outside_any_repository_gets_an_absolute_file_uri() {
    let Some(tool) = multitool() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("my app.Dockerfile");
    std::fs::copy(root().join("examples/flask/Dockerfile"), &file).unwrap();
    let log = sarif(&[file.to_str().unwrap()], dir.path());
    assert_eq!(validate(&tool, &log), Vec::<String>::new());
    let abs = file.canonicalize().unwrap();
    for (uri, base) in locations(&log) {
        assert_eq!(base, None);
        assert!(uri.starts_with("file:///") && uri.ends_with("/my%20app.Dockerfile"), "{uri}");
        assert!(uri.contains(abs.parent().unwrap().file_name().unwrap().to_str().unwrap()), "{uri}");
    }
    assert!(log["runs"][0].get("originalUriBaseIds").is_none());
}

/// Several files in a repository that together make every rule fire; the log validates.
#[test]
fn several_files_with_every_rule_validate() {
    let Some(tool) = multitool() else { return };
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(repo.join("svc/api")).unwrap();
    std::fs::write(repo.join(".shiplight.yml"), "trusted-registries: [ghcr.io]\n").unwrap();
    let files: [(&str, &str); 4] = [
        // SL001
        ("broken.Dockerfile", "RUN echo before any FROM\n"),
        // SL102 (one stage compiles), SL311 sudo, SL308 a second CMD, SL307 the last one in
        // shell form
        ("svc/api/Dockerfile", "FROM golang:1.22\nCOPY . .\nRUN sudo go build -o /s .\nCMD [\"/s\"]\nCMD /s\n"),
        // stages: SL105, SL201-SL207, SL110, SL111, SL304, SL305
        (
            "stages.Dockerfile",
            "FROM alpine AS unused\nRUN true\n\
             FROM debian:12 AS Tools\nRUN true\n\
             FROM alpine:latest AS dup\nCOPY --from=dup /a /a\n\
             FROM dup AS dup\nCOPY --from=nosuchstage /b /b\n\
             FROM docker.io/library/alpine:3.20 AS context\n\
             FROM alpine:3.20 as other\nCOPY --from=context /c /c\n\
             FROM debian:12-slim\nCOPY --from=Tools / /opt/tools/\nCOPY --from=other /c /c\nCOPY --from=dup /a /a\n\
             ENV API_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ0123456789\nUSER app\n",
        ),
        // what ships: SL101, SL103, SL104, SL106, SL107, SL108, SL109, SL114, SL301-SL303,
        // SL306, SL309, SL310, SL312-SL314
        (
            "ships.Dockerfile",
            "FROM python:3.9 AS deps\nRUN true\n\
             FROM python:3.9\nMAINTAINER someone\nCOPY --from=deps /x /x\nWORKDIR app\nCOPY . .\nADD conf/ /etc/app/\n\
             RUN apt update && apt install -y curl\n\
             RUN apt-get update && apt-get install build-essential\n\
             RUN chown -R nobody /app\n\
             RUN npm ci\n\
             RUN cd /srv && curl -fsSL https://example.com/i.sh | sh\n\
             RUN wget https://example.com/tool.tar.gz && tar -xzf tool.tar.gz -C /opt\nCMD [\"python\", \"app.py\"]\n",
        ),
    ];
    for (name, text) in files {
        std::fs::write(repo.join(name), text).unwrap();
    }
    let names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    let log = sarif(&names, repo);
    let fired: std::collections::BTreeSet<String> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap().to_owned())
        .collect();
    let every: Vec<String> = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    // the rules checked on a built image's packages cannot fire on text alone
    let on_images: Vec<&str> = shiplight::lint::rules::TABLE.iter().filter(|r| r.needs_image).map(|r| r.code).collect();
    assert_eq!(on_images, ["SL112", "SL113"]);
    let missing: Vec<&String> =
        every.iter().filter(|c| !fired.contains(*c) && !on_images.contains(&c.as_str())).collect();
    assert!(missing.is_empty(), "rules that did not fire: {missing:?}");
    assert_eq!(validate(&tool, &log), Vec::<String>::new());
    // every location is relative to the repository, none starts with a slash
    for (uri, base) in locations(&log) {
        assert_eq!(base.as_deref(), Some("%SRCROOT%"));
        assert!(names.contains(&uri.as_str()), "{uri}");
    }
}

/// `file:///a/b/` for a folder (percent-encoded as the url crate and GitHub do).
fn url_of_dir(p: &Path) -> String {
    let mut s = String::from("file://");
    for part in p.components().skip(1) {
        s.push('/');
        for b in part.as_os_str().to_str().unwrap().bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => s.push(b as char),
                _ => s.push_str(&format!("%{b:02X}")),
            }
        }
    }
    s.push('/');
    s
}
