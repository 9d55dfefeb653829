//! `shiplight plan` on real git repositories: which images a change affects, and the matrix
//! it prints. Every case of the monorepo issue: a Dockerfile, an ignore file, a path its
//! `.dockerignore` excludes, a root context, a Dockerfile outside its context, a renamed, a
//! deleted and a submodule path, a changed `.shiplight.yml` entry, and an image built FROM
//! another image of the repository.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@t", "-c", "protocol.file.allow=always"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn write(dir: &Path, path: &str, text: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn commit(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "--quiet", "--allow-empty", "-m", message]);
}

fn plan(dir: &Path, format: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shiplight"))
        .args(["plan", "--base-ref", "main", "--format", format])
        .current_dir(dir)
        .output()
        .unwrap()
}

/// The affected image names, from `--format json`, sorted.
fn affected(dir: &Path) -> Vec<String> {
    let out = plan(dir, "json");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut names: Vec<String> =
        v["include"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap().to_owned()).collect();
    names.sort();
    names
}

/// A repository on `main` with three discovered images (folder contexts and the root), and a
/// branch `pr` to change.
fn discovered_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("mono");
    std::fs::create_dir(&d).unwrap();
    git(&d, &["init", "--quiet", "-b", "main"]);
    write(&d, "svc/api/Dockerfile", "FROM golang:1.22\nCOPY . .\n");
    write(&d, "svc/api/main.go", "package main\n");
    write(&d, "svc/web/Dockerfile", "FROM node:20\nCOPY . .\n");
    write(&d, "svc/web/.dockerignore", "*.md\n");
    write(&d, "svc/web/README.md", "web\n");
    write(&d, "svc/web/index.js", "1\n");
    write(&d, "Dockerfile", "FROM alpine:3.20\nCOPY tools /tools\n");
    write(&d, ".dockerignore", "svc\n");
    write(&d, "tools/run.sh", "echo\n");
    commit(&d, "base");
    git(&d, &["checkout", "--quiet", "-b", "pr"]);
    dir
}

#[test]
fn discovered_images_follow_their_contexts_and_ignore_files() {
    let dir = discovered_repo();
    let d = dir.path().join("mono");
    // nothing changed yet
    assert!(affected(&d).is_empty());

    // a file in one service's context
    write(&d, "svc/api/main.go", "package main // changed\n");
    commit(&d, "api");
    assert_eq!(affected(&d), ["svc/api"]);
    let text = String::from_utf8(plan(&d, "text").stdout).unwrap();
    assert!(text.contains("affected   svc/api: `svc/api/main.go` changed in its context `svc/api`"), "{text}");
    assert!(text.contains("unchanged  svc/web"), "{text}");
    // the root context's .dockerignore leaves svc/ out
    assert!(text.contains("unchanged  mono"), "{text}");
    assert!(text.contains("1 of 3 image(s) affected"), "{text}");

    // a path its .dockerignore excludes does not count; the ignore file itself does
    git(&d, &["reset", "--quiet", "--hard", "main"]);
    write(&d, "svc/web/README.md", "web, edited\n");
    commit(&d, "docs");
    assert!(affected(&d).is_empty());
    write(&d, "svc/web/.dockerignore", "*.md\nnode_modules\n");
    commit(&d, "ignore");
    assert_eq!(affected(&d), ["svc/web"]);

    // the root context takes every path its .dockerignore keeps
    git(&d, &["reset", "--quiet", "--hard", "main"]);
    write(&d, "tools/run.sh", "echo changed\n");
    commit(&d, "tools");
    assert_eq!(affected(&d), ["mono"]);

    // a rename counts by its old name, a deletion by its path
    git(&d, &["reset", "--quiet", "--hard", "main"]);
    std::fs::create_dir_all(d.join("cmd")).unwrap();
    git(&d, &["mv", "svc/api/main.go", "cmd/main.go"]);
    git(&d, &["rm", "--quiet", "svc/web/index.js"]);
    commit(&d, "move and delete");
    assert_eq!(affected(&d), ["mono", "svc/api", "svc/web"]);
}

#[test]
fn a_dockerfile_dockerignore_wins_over_the_context_one() {
    let dir = discovered_repo();
    let d = dir.path().join("mono");
    write(&d, "svc/web/Dockerfile.dockerignore", "*.js\n");
    commit(&d, "own ignore");
    git(&d, &["checkout", "--quiet", "main"]);
    git(&d, &["merge", "--quiet", "pr"]);
    git(&d, &["checkout", "--quiet", "pr"]);
    // README.md is excluded by .dockerignore only, which no longer applies
    write(&d, "svc/web/README.md", "changed\n");
    commit(&d, "readme");
    assert_eq!(affected(&d), ["svc/web"]);
    git(&d, &["reset", "--quiet", "--hard", "main"]);
    write(&d, "svc/web/index.js", "2\n");
    commit(&d, "js");
    assert!(affected(&d).is_empty(), "index.js is excluded by Dockerfile.dockerignore");
}

#[test]
fn configured_images_entries_outside_dockerfiles_and_images_built_from_images() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "--quiet", "-b", "main"]);
    let config = "images:\n  - name: base\n    dockerfile: docker/base.Dockerfile\n    context: base\n  - name: api\n    dockerfile: docker/api.Dockerfile\n    context: services/api\n    target: runtime\n    build-args: {MODE: prod}\n  - name: web\n    dockerfile: services/web/Dockerfile\n";
    write(d, ".shiplight.yml", config);
    write(d, "docker/base.Dockerfile", "FROM alpine:3.20\nCOPY . /base\n");
    write(d, "docker/api.Dockerfile", "FROM ghcr.io/acme/base:latest AS runtime\nCOPY . /app\n");
    write(d, "services/web/Dockerfile", "FROM nginx:1.27\nCOPY . /usr/share/nginx/html\n");
    write(d, "base/lib.sh", "1\n");
    write(d, "services/api/app.py", "1\n");
    write(d, "services/web/index.html", "1\n");
    commit(d, "base");
    git(d, &["checkout", "--quiet", "-b", "pr"]);

    // a Dockerfile outside its context
    write(d, "docker/api.Dockerfile", "FROM ghcr.io/acme/base:latest AS runtime\nCOPY . /srv\n");
    commit(d, "api dockerfile");
    assert_eq!(affected(d), ["api"]);
    // the matrix entry carries what the build needs
    let v: Value = serde_json::from_slice(&plan(d, "json").stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"include": [{"name": "api", "key": "api", "dockerfile": "docker/api.Dockerfile", "context": "services/api", "target": "runtime", "build-args": {"MODE": "prod"}}]})
    );

    // an image FROM another image of the repository follows it
    git(d, &["reset", "--quiet", "--hard", "main"]);
    write(d, "base/lib.sh", "2\n");
    commit(d, "base lib");
    assert_eq!(affected(d), ["api", "base"]);
    let text = String::from_utf8(plan(d, "text").stdout).unwrap();
    assert!(text.contains("affected   api: it is built FROM `base`, which is affected"), "{text}");

    // its entry in .shiplight.yml
    git(d, &["reset", "--quiet", "--hard", "main"]);
    write(d, ".shiplight.yml", &config.replace("{MODE: prod}", "{MODE: debug}"));
    commit(d, "api args");
    assert_eq!(affected(d), ["api"]);

    // --format github appends matrix=, count= and plan= (every image) to $GITHUB_OUTPUT
    let out_file = d.join("github-output");
    std::fs::write(&out_file, "earlier=1\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_shiplight"))
        .args(["plan", "--base-ref", "main", "--format", "github"])
        .env("GITHUB_OUTPUT", &out_file)
        .current_dir(d)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let written = std::fs::read_to_string(&out_file).unwrap();
    assert!(written.starts_with("earlier=1\nmatrix={\"include\":[{"), "{written}");
    let count = written.lines().position(|l| l == "count=1").expect("count=1");
    let all: Value =
        serde_json::from_str(written.lines().nth(count + 1).unwrap().strip_prefix("plan=").unwrap()).unwrap();
    let flags: Vec<(&str, bool)> = all["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["name"].as_str().unwrap(), i["affected"] == true))
        .collect();
    assert_eq!(flags, [("base", false), ("api", true), ("web", false)], "{written}");
    let out = Command::new(env!("CARGO_BIN_EXE_shiplight"))
        .args(["plan", "--base-ref", "main", "--format", "github"])
        .env_remove("GITHUB_OUTPUT")
        .current_dir(d)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("$GITHUB_OUTPUT"));
}

#[test]
fn a_submodule_update_and_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    git(&lib, &["init", "--quiet", "-b", "main"]);
    write(&lib, "x.c", "1\n");
    commit(&lib, "lib 1");
    let d = dir.path().join("mono");
    std::fs::create_dir(&d).unwrap();
    git(&d, &["init", "--quiet", "-b", "main"]);
    write(&d, "svc/api/Dockerfile", "FROM gcc:13\nCOPY . .\n");
    write(&d, "svc/web/Dockerfile", "FROM nginx:1.27\n");
    git(&d, &["submodule", "--quiet", "add", lib.to_str().unwrap(), "svc/api/vendor/lib"]);
    commit(&d, "base");
    git(&d, &["checkout", "--quiet", "-b", "pr"]);
    write(&lib, "x.c", "2\n");
    commit(&lib, "lib 2");
    git(&d.join("svc/api/vendor/lib"), &["pull", "--quiet", "origin", "main"]);
    commit(&d, "bump lib");
    assert_eq!(affected(&d), ["svc/api"]);

    // an unknown base, and a broken .shiplight.yml: exit 2 with what to do
    let out = Command::new(env!("CARGO_BIN_EXE_shiplight"))
        .args(["plan", "--base-ref", "nosuchbranch"])
        .current_dir(&d)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("fetch it first"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    write(&d, ".shiplight.yml", "images:\n  - {dockerfile: svc/api/Dockerfile}\n");
    let out = plan(&d, "json");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("images[0]"), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The matrix holds images that ship, as the repository's files say: a dev container is
/// listed as skipped with the reason, a bake target that only validates too, and an image a
/// bake file tags is named as bake names it, with its target and context.
#[test]
fn plan_builds_what_ships_and_skips_dev_containers_and_ci_checks() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("app");
    std::fs::create_dir(&d).unwrap();
    git(&d, &["init", "--quiet", "-b", "main"]);
    write(
        &d,
        "Dockerfile",
        "FROM golang:1.22 AS build\nRUN go build -o /app\nFROM scratch AS release\nCOPY --from=build /app /app\n",
    );
    write(&d, "hack/lint.Dockerfile", "FROM golang:1.22\nRUN golangci-lint run\n");
    write(&d, ".devcontainer/Dockerfile", "FROM golang:1.22\nRUN apt-get update && apt-get install -y gdb\n");
    write(&d, ".devcontainer/devcontainer.json", "{\n  // dev\n  \"build\": {\"dockerfile\": \"Dockerfile\"},\n}\n");
    // a vendored dependency's Dockerfile is another repository's image: not planned at all
    write(&d, "vendor/github.com/o/lib/Dockerfile", "FROM golang:1.22\n");
    write(
        &d,
        "docker-bake.hcl",
        "target \"image\" {\n  target = \"release\"\n  tags = [\"o/app\"]\n}\ntarget \"lint\" {\n  dockerfile = \"hack/lint.Dockerfile\"\n  output = [\"type=cacheonly\"]\n}\n",
    );
    commit(&d, "base");
    git(&d, &["checkout", "--quiet", "-b", "pr"]);
    write(&d, "main.go", "package main\n");
    write(&d, "hack/lint.Dockerfile", "FROM golang:1.23\nRUN golangci-lint run\n");
    write(&d, ".devcontainer/Dockerfile", "FROM golang:1.23\n");
    write(&d, "vendor/github.com/o/lib/Dockerfile", "FROM golang:1.23\n");
    commit(&d, "change everything");
    let out = plan(&d, "json");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let include = v["include"].as_array().unwrap();
    assert_eq!(include.len(), 1, "{v:#}");
    assert_eq!(
        (include[0]["name"].as_str(), include[0]["target"].as_str(), include[0]["context"].as_str()),
        (Some("image"), Some("release"), Some("."))
    );
    let text = String::from_utf8_lossy(&plan(&d, "text").stdout).to_string();
    assert!(text.contains("skipped    .devcontainer: nothing of it ships (development: a dev container builds it (.devcontainer/devcontainer.json:3))"), "{text}");
    assert!(
        text.contains(
            "skipped    hack/lint.Dockerfile: nothing of it ships (ci-only: bake target `lint` only validates"
        ),
        "{text}"
    );
    assert!(text.contains("1 of 1 image(s) affected; 2 skipped: nothing of them ships"), "{text}");
    assert!(!text.contains("vendor"), "{text}");
}
