//! What ships is the repository's answer: the shapes met in public repositories (a workflow
//! pushing what compose develops, dev containers, bake targets that only export or check, a
//! compose target on a heavy stage, an image whose product is a compiler), each built as a
//! small repository and checked through the built binary as a user runs it: `lint`,
//! `suggest` and `ships` must give the same answer.

mod support;

use std::path::Path;

use serde_json::Value;

/// A repository (with `.git`) holding `files`.
fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

/// shiplight with bake files read statically (`docker buildx bake --print` is tested apart).
fn shiplight(args: &[&str], cwd: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_shiplight"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("SHIPLIGHT_NO_BAKE_PRINT", "1")
        .output()
        .unwrap()
}

fn lint(dir: &Path, file: &str) -> (Vec<Value>, String) {
    let out = shiplight(&["lint", "--format", "json", file], dir);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let v: Vec<Value> = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"));
    (v, String::from_utf8_lossy(&out.stderr).to_string())
}

fn codes(findings: &[Value]) -> Vec<String> {
    findings.iter().map(|f| format!("{}:{}", f["code"].as_str().unwrap(), f["line"])).collect()
}

fn suggest(dir: &Path, args: &[&str]) -> Value {
    let mut full = vec!["suggest", "--format", "json"];
    full.extend_from_slice(args);
    let out = shiplight(&full, dir);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)))
}

fn ships(dir: &Path) -> Value {
    let out = shiplight(&["ships", "--format", "json", "."], dir);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn entry<'a>(listing: &'a Value, dockerfile: &str) -> &'a Value {
    listing["dockerfiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["dockerfile"] == dockerfile)
        .unwrap_or_else(|| panic!("{dockerfile} not listed: {listing:#}"))
}

/// A node app with a dev stage (nodemon, devDependencies) and a production stage.
const NODE_APP: &str = "FROM node:20 AS dev\nWORKDIR /usr/local/app\nRUN npm install -g nodemon\nCOPY package*.json ./\nRUN npm install\nCMD [\"nodemon\", \"server.js\"]\n\nFROM node:20 AS final\nWORKDIR /usr/local/app\nCOPY package*.json ./\nRUN npm install\nCOPY . .\nCMD [\"node\", \"server.js\"]\n";

/// The sample-app shape: the workflows push the image through another repository's
/// reusable workflow; the compose file uses its `dev` target with the sources mounted. The
/// push wins: what ships is linted, and the evidence names the workflow's line.
#[test]
fn a_dev_compose_file_does_not_silence_what_a_workflow_pushes() {
    let wf = "on: push\njobs:\n  call-docker-build:\n    uses: dockersamples/.github/.github/workflows/reusable-docker-build.yaml@main\n    with:\n      ghcr-enable: true\n      image-names: ghcr.io/o/vote\n      context: vote\n";
    let compose = "services:\n  vote:\n    build:\n      context: ./vote\n      target: dev\n    volumes:\n      - ./vote:/usr/local/app\n";
    let dir = repo(&[
        (".github/workflows/build-vote.yaml", wf),
        ("docker-compose.yml", compose),
        ("vote/Dockerfile", NODE_APP),
    ]);
    let (f, stderr) = lint(dir.path(), "vote/Dockerfile");
    // SL103: node:20 where node:20-slim would do, on the stage the workflow pushes
    assert!(codes(&f).contains(&"SL103:8".to_owned()), "{f:#?}");
    let shipped = f.iter().find(|x| x["code"] == "SL103").unwrap();
    assert_eq!(
        shipped["ships"],
        "ships: the reusable workflow `dockersamples/.github/.github/workflows/reusable-docker-build.yaml` tags it (.github/workflows/build-vote.yaml:3)"
    );
    assert!(stderr.contains("vote/Dockerfile: ships: the reusable workflow"), "{stderr}");
    // SARIF carries the same: a property of the result, and a note of the run
    let out = shiplight(&["lint", "--format", "sarif", "vote/Dockerfile"], dir.path());
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let result = sarif["runs"][0]["results"].as_array().unwrap().iter().find(|r| r["ruleId"] == "SL103").unwrap();
    assert_eq!(result["properties"]["ships"], shipped["ships"]);
    let note = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    assert_eq!(
        (
            note["level"].as_str(),
            note["message"]["text"].as_str().map(|t| t.starts_with("vote/Dockerfile: ships: the reusable workflow"))
        ),
        (Some("note"), Some(true)),
        "{note:#}"
    );
    // the dev stage is development, the last one ships
    let listing = ships(dir.path());
    let vote = entry(&listing, "vote/Dockerfile");
    assert_eq!((vote["role"].as_str(), vote["shipped"][0].as_str()), (Some("ships"), Some("1")));
    let stages: Vec<&str> = vote["stages"].as_array().unwrap().iter().map(|s| s["role"].as_str().unwrap()).collect();
    assert_eq!(stages, ["development", "ships"]);
}

/// A Dockerfile that a devcontainer.json builds is a development environment: no finding
/// about what ships, and suggest has nothing to rewrite.
#[test]
fn dev_containers_are_development_environments() {
    let dc = "{\n  // a Go dev container\n  \"name\": \"go\",\n  \"build\": { \"dockerfile\": \"Dockerfile\", \"context\": \"..\" },\n}\n";
    let df = "FROM golang:1.22\nRUN apt-get update && apt-get install -y build-essential gdb\nCOPY . /src\nRUN go build ./...\n";
    let dir = repo(&[(".devcontainer/devcontainer.json", dc), (".devcontainer/Dockerfile", df)]);
    let (f, stderr) = lint(dir.path(), ".devcontainer/Dockerfile");
    for code in ["SL101", "SL102", "SL103", "SL106", "SL107"] {
        assert!(!f.iter().any(|x| x["code"] == code), "{code} on a dev container: {f:#?}");
    }
    assert!(
        stderr.contains(
            ".devcontainer/Dockerfile: development: a dev container builds it (.devcontainer/devcontainer.json:4)"
        ),
        "{stderr}"
    );
    let s = suggest(dir.path(), &[".devcontainer/Dockerfile"]);
    assert_eq!(s["outcome"], "nothing");
    assert!(s["message"].as_str().unwrap().starts_with("nothing of it ships"), "{s:#}");
    // with no dev container naming it, its `.devcontainer/` folder still says what it is
    std::fs::remove_file(dir.path().join(".devcontainer/devcontainer.json")).unwrap();
    let (f, stderr) = lint(dir.path(), ".devcontainer/Dockerfile");
    assert!(!f.iter().any(|x| x["code"] == "SL101"), "{f:#?}");
    assert!(stderr.contains("it is in a `.devcontainer/` folder: a development container's image"), "{stderr}");
    // the same file anywhere else ships
    std::fs::create_dir_all(dir.path().join("app")).unwrap();
    std::fs::write(dir.path().join("app/Dockerfile"), df).unwrap();
    let (f, _) = lint(dir.path(), "app/Dockerfile");
    assert!(f.iter().any(|x| x["code"] == "SL101"), "{f:#?}");
}

/// bake targets that export files, only validate or run `call = "check"` ship nothing; the
/// image target ships, through `inherits`.
#[test]
fn ci_only_bake_targets_ship_nothing() {
    let bake = r#"variable "DESTDIR" { default = "./bin" }
target "_common" { args = { GO_VERSION = "1.22" } }
target "lint" {
  inherits = ["_common"]
  dockerfile = "./hack/lint.Dockerfile"
  output = ["type=cacheonly"]
}
target "vendor" {
  dockerfile = "./hack/vendor.Dockerfile"
  target = "update"
  output = ["."]
}
target "check" {
  dockerfile = "./hack/check.Dockerfile"
  call = "check"
}
target "binaries" {
  inherits = ["_common"]
  target = "binaries"
  output = ["${DESTDIR}/build"]
}
target "image" {
  inherits = ["binaries"]
  output = ["type=image"]
  tags = ["o/app:latest"]
}
"#;
    let tool = "FROM golang:1.22 AS base\nRUN apt-get update && apt-get install -y build-essential\nFROM base AS update\nRUN go mod vendor\nFROM base\nRUN golangci-lint run\n";
    let app = "FROM golang:1.22 AS build\nRUN go build -o /app\nFROM scratch AS binaries\nCOPY --from=build /app /app\nFROM golang:1.22\nRUN apt-get update && apt-get install -y gcc\nCOPY --from=build /app /app\n";
    let dir = repo(&[
        ("docker-bake.hcl", bake),
        ("hack/lint.Dockerfile", tool),
        ("hack/vendor.Dockerfile", tool),
        ("hack/check.Dockerfile", tool),
        ("Dockerfile", app),
    ]);
    for file in ["hack/lint.Dockerfile", "hack/vendor.Dockerfile", "hack/check.Dockerfile"] {
        let (f, stderr) = lint(dir.path(), file);
        assert!(!f.iter().any(|x| x["code"].as_str().unwrap().starts_with("SL10")), "{file}: {f:#?}");
        assert!(stderr.contains(&format!("{file}: ci-only: bake target")), "{stderr}");
    }
    // `image` ships stage `binaries` (inherited): not the last stage with its gcc
    let (f, stderr) = lint(dir.path(), "Dockerfile");
    assert!(!f.iter().any(|x| x["code"] == "SL101"), "{f:#?}");
    assert!(
        stderr.contains(
            "Dockerfile: ships: bake target `image` builds an image (output type=image) (docker-bake.hcl:22)"
        ),
        "{stderr}"
    );
    let listing = ships(dir.path());
    assert_eq!(entry(&listing, "Dockerfile")["shipped"][0], "binaries");
    assert_eq!(listing["bake_printed"], false, "read statically here");
}

/// A compose service ships `target: builder` of a Dockerfile whose last stage is light:
/// lint flags the toolchain in the stage compose ships, and suggest, agreeing, proposes the
/// one-line change to the compose file. `--write` applies it there, and lint is then clean.
#[test]
fn suggest_retargets_the_file_that_picks_a_heavy_stage() {
    let compose =
        "services:\n  api:\n    build:\n      context: api\n      target: builder\n    ports: [\"8080:8080\"]\n";
    let df = "FROM debian:bookworm AS builder\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*\nCOPY . /src\nRUN make -C /src\nUSER 1000\nCMD [\"/src/api\"]\n\nFROM scratch\nCOPY --from=builder /src/api /api\nUSER 1000\nCMD [\"/api\"]\n";
    let dir = repo(&[("compose.yaml", compose), ("api/Dockerfile", df)]);
    let (f, _) = lint(dir.path(), "api/Dockerfile");
    assert!(codes(&f).contains(&"SL101:2".to_owned()), "{f:#?}");
    let s = suggest(dir.path(), &["api/Dockerfile"]);
    assert_eq!(
        (s["outcome"].as_str(), s["ecosystem"].as_str(), s["file"].as_str()),
        (Some("patch"), Some("retarget"), Some("compose.yaml")),
        "{s:#}"
    );
    assert_eq!(s["diff"], "--- a/compose.yaml\n+++ b/compose.yaml\n@@ -2,5 +2,4 @@\n   api:\n     build:\n       context: api\n-      target: builder\n     ports: [\"8080:8080\"]\n");
    assert!(s["rationale"][0]["message"].as_str().unwrap().contains("compose.yaml:5 ships stage `builder`"), "{s:#}");
    let out = shiplight(&["suggest", "--write", "api/Dockerfile"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!std::fs::read_to_string(dir.path().join("compose.yaml")).unwrap().contains("target"));
    assert_eq!(std::fs::read_to_string(dir.path().join("api/Dockerfile")).unwrap(), df, "the Dockerfile is untouched");
    let (f, _) = lint(dir.path(), "api/Dockerfile");
    assert!(!f.iter().any(|x| x["code"] == "SL101"), "{f:#?}");
}

/// gramps-web-api (held out in round 72): `Dockerfile.base`, pushed as a base with no command
/// of its own (its tags end in a step's output), is what the pushed application image runs
/// gunicorn on: its headers and compiler ship there, so lint flags them; suggest refuses
/// while the application builds FROM it (`pip install`), and patches once it does not.
#[test]
fn a_base_an_application_ships_on_is_flagged_and_kept_while_it_builds_there() {
    let workflow = "on: push\njobs:\n  base:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v5\n      - id: p\n        run: echo tag=amd64 >> $GITHUB_OUTPUT\n      - uses: docker/build-push-action@v6\n        with:\n          file: ./Dockerfile.base\n          push: true\n          tags: ghcr.io/acme/web-base:latest-${{ steps.p.outputs.tag }}\n  app:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v5\n      - uses: docker/build-push-action@v6\n        with:\n          push: true\n          tags: acme/web:latest\n";
    let base = "FROM python:3.12-slim-bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev && rm -rf /var/lib/apt/lists/*\nRUN python3 -m venv /venv\nENV PATH=/venv/bin:$PATH\nRUN pip install --no-cache-dir psycopg2==2.9.10\n";
    let app = |build: &str| {
        format!("FROM ghcr.io/acme/web-base:latest\nCOPY . /app\n{build}CMD [\"gunicorn\", \"app:app\"]\n")
    };
    let dir = repo(&[
        (".github/workflows/images.yml", workflow),
        ("Dockerfile.base", base),
        ("Dockerfile", &app("RUN pip install --no-cache-dir /app\n")),
    ]);
    let (f, stderr) = lint(dir.path(), "Dockerfile.base");
    assert!(codes(&f).contains(&"SL101:2".to_owned()), "{f:#?}\n{stderr}");
    let s = suggest(dir.path(), &["Dockerfile.base"]);
    assert_eq!((s["outcome"].as_str(), s["reason"].as_str()), (Some("refused"), Some("inherited-stage")), "{s:#}");
    assert!(s["message"].as_str().unwrap().contains("`pip install --no-cache-dir /app`, line 3"), "{s:#}");
    std::fs::write(dir.path().join("Dockerfile"), app("")).unwrap();
    let s = suggest(dir.path(), &["Dockerfile.base"]);
    assert_eq!(s["outcome"], "patch", "{s:#}");
}

/// An image whose ENTRYPOINT is the compiler ships its toolchain on purpose: the toolchain
/// rules are silent, the cache rule is not, and suggest has nothing to rewrite.
#[test]
fn toolchain_products_are_not_flagged_for_their_toolchain() {
    let df = "FROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends gcc g++ make\nENTRYPOINT [\"gcc\"]\n";
    let dir = repo(&[("Dockerfile", df)]);
    let (f, stderr) = lint(dir.path(), "Dockerfile");
    assert!(!f.iter().any(|x| matches!(x["code"].as_str(), Some("SL101" | "SL102" | "SL103"))), "{f:#?}");
    assert!(f.iter().any(|x| x["code"] == "SL106"), "the apt lists are still waste: {f:#?}");
    assert!(stderr.contains("Dockerfile: toolchain-product: its ENTRYPOINT runs `gcc`"), "{stderr}");
    let s = suggest(dir.path(), &["Dockerfile"]);
    assert!(s["message"].as_str().unwrap().starts_with("the toolchain is what it ships"), "{s:#}");
}

/// An image the repository's other Dockerfiles only build in (zabbix-docker's `build-mysql`,
/// named by an ARG default two ARGs deep) ships its toolchain on purpose, through a chain of
/// builders; the base that a shipped image runs on is not one, and still gets its finding.
#[test]
fn builder_images_the_repository_builds_in_are_toolchain_products() {
    let builder = "ARG MAJOR=7.0\nARG VERSION=${MAJOR}.5\nARG BUILD_BASE_IMAGE=acme-build-base:alpine-${VERSION}\nFROM ${BUILD_BASE_IMAGE} AS builder\nRUN apk add --no-cache mariadb-dev\nRUN make dbschema\n";
    let base = "FROM alpine:3.20\nRUN apk add --no-cache gcc make musl-dev\nCOPY server.c /src/\n";
    let server = "ARG BUILD_BASE_IMAGE=acme-build-mysql:alpine-7.0.5\nFROM ${BUILD_BASE_IMAGE} AS builder\nFROM alpine:3.20\nCOPY --from=builder /tmp/zabbix_server /usr/sbin/\nCMD [\"/usr/sbin/zabbix_server\"]\n";
    let runtime_base = "FROM alpine:3.20\nRUN apk add --no-cache gcc musl-dev\nCOPY app.sh /\n";
    let web = "FROM acme-runtime-base:alpine\nCOPY web /web\nCOPY --from=acme-builder-go:1 /out/healthcheck /usr/bin/\nCMD [\"/web\"]\n";
    let builder_go = "FROM golang:1.22\nRUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*\nCOPY healthcheck /src\nRUN go build -o /out/healthcheck /src\n";
    let dir = repo(&[
        ("images/build-mysql/alpine/Dockerfile", builder),
        ("images/build-base/alpine/Dockerfile", base),
        ("images/server-mysql/alpine/Dockerfile", server),
        ("images/runtime-base/alpine/Dockerfile", runtime_base),
        ("images/web/alpine/Dockerfile", web),
        ("images/builder-go/Dockerfile", builder_go),
    ]);
    let (f, stderr) = lint(dir.path(), "images/build-mysql/alpine/Dockerfile");
    assert!(!f.iter().any(|x| matches!(x["code"].as_str(), Some("SL101" | "SL102"))), "{f:#?}");
    assert!(
        stderr.contains("toolchain-product: the repository's other Dockerfiles use its image `acme-build-mysql:alpine-7.0.5` only to build in or copy files from (1 use), so its toolchain is what it ships: a builder image (images/server-mysql/alpine/Dockerfile:2)"),
        "{stderr}"
    );
    let (f, _) = lint(dir.path(), "images/build-base/alpine/Dockerfile");
    assert!(!f.iter().any(|x| x["code"] == "SL101"), "built FROM only by a builder: {f:#?}");
    // a base that the web image runs on ships its compiler to the web image's users
    let (f, _) = lint(dir.path(), "images/runtime-base/alpine/Dockerfile");
    assert!(f.iter().any(|x| x["code"] == "SL101"), "{f:#?}");
    let listing = ships(dir.path());
    assert_eq!(entry(&listing, "images/build-mysql/alpine/Dockerfile")["role"], "toolchain-product");
    assert_eq!(entry(&listing, "images/runtime-base/alpine/Dockerfile")["role"], "ships");
    // an image only copied from ships its files, not its toolchain
    assert_eq!(entry(&listing, "images/builder-go/Dockerfile")["role"], "toolchain-product", "{listing:#}");
    let (f, _) = lint(dir.path(), "images/builder-go/Dockerfile");
    assert!(!f.iter().any(|x| matches!(x["code"].as_str(), Some("SL101" | "SL102" | "SL103"))), "{f:#?}");
}

/// An official-images manifest (`ros/ros`) says what ships: the images it lists ship under
/// their tags, a release folder it lists nothing of is retired, and an image built FROM a
/// listed one inherits its command: a bare `bash` prompt makes an environment whose
/// toolchain is its product (ros-base's build tools), as a notebook server does.
#[test]
fn manifests_and_inherited_commands_say_what_ships() {
    let manifest = "Maintainers: A <a@example.org> (@a)\nGitRepo: https://example.org/images.git\n\nTags: humble-ros-core, humble-ros-core-jammy\nDirectory: ros/humble/jammy/ros-core\n\nTags: humble-ros-base, humble\nDirectory: ros/humble/jammy/ros-base\n";
    let core = "FROM ubuntu:jammy\nRUN apt-get update && apt-get install -y --no-install-recommends ros-humble-ros-core && rm -rf /var/lib/apt/lists/*\nCOPY ./ros_entrypoint.sh /\nENTRYPOINT [\"/ros_entrypoint.sh\"]\nCMD [\"bash\"]\n";
    let base = "FROM ros:humble-ros-core-jammy\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential python3-rosdep && rm -rf /var/lib/apt/lists/*\n";
    let desktop = "FROM ros:humble-ros-base-jammy\nRUN apt-get update && apt-get install -y --no-install-recommends gcc ros-humble-desktop && rm -rf /var/lib/apt/lists/*\nCOPY app /app\n";
    let old = "FROM ubuntu:zesty\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*\nCOPY app /app\n";
    let notebook = "FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y --no-install-recommends python3 && rm -rf /var/lib/apt/lists/*\nCMD [\"start-notebook.py\"]\n";
    let scipy = "FROM quay.io/acme/base-notebook\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential gfortran && rm -rf /var/lib/apt/lists/*\n";
    let deb = "FROM ubuntu:noble\nRUN apt-get update && apt-get install -y debhelper dh-make libsecret-1-dev\nCOPY . /build\nRUN /build/build-deb\n";
    let dir = repo(&[
        ("ros/ros", manifest),
        ("ros/humble/jammy/ros-core/Dockerfile", core),
        ("ros/humble/jammy/ros-base/Dockerfile", base),
        ("ros/humble/jammy/desktop/Dockerfile", desktop),
        ("ros/lunar/zesty/ros-core/Dockerfile", old),
        ("images/base-notebook/Dockerfile", notebook),
        ("images/scipy-notebook/Dockerfile", scipy),
        ("deb/Dockerfile", deb),
        ("fuzzing/Dockerfile", old),
        (".github/workflows/push.yml", "on: push\njobs:\n  b:\n    runs-on: x\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          context: images/base-notebook\n          tags: quay.io/acme/base-notebook:latest\n          push: true\n"),
    ]);
    let listing = ships(dir.path());
    let role = |d: &str| entry(&listing, d)["role"].as_str().unwrap().to_owned();
    assert_eq!(role("ros/humble/jammy/ros-core/Dockerfile"), "toolchain-product", "a bash prompt: {listing:#}");
    assert_eq!(role("ros/humble/jammy/ros-base/Dockerfile"), "toolchain-product", "{listing:#}");
    assert_eq!(role("ros/lunar/zesty/ros-core/Dockerfile"), "ci-only", "a release the manifest lists nothing of");
    assert_eq!(role("images/scipy-notebook/Dockerfile"), "toolchain-product");
    assert_eq!(role("deb/Dockerfile"), "toolchain-product");
    assert_eq!(role("fuzzing/Dockerfile"), "ci-only");
    // beside listed images, a release still built; it copies an app, so it ships
    assert_eq!(role("ros/humble/jammy/desktop/Dockerfile"), "ships");
    let (f, stderr) = lint(dir.path(), "ros/humble/jammy/ros-base/Dockerfile");
    assert!(!f.iter().any(|x| x["code"] == "SL101"), "{f:#?}");
    assert!(
        stderr.contains(
            "it sets no CMD or ENTRYPOINT, so it runs the `bash` prompt of the repository's image it is built FROM"
        ),
        "{stderr}"
    );
    let (_, stderr) = lint(dir.path(), "images/scipy-notebook/Dockerfile");
    assert!(stderr.contains("runs `start-notebook.py`, an interactive environment"), "{stderr}");
    let (f, _) = lint(dir.path(), "ros/humble/jammy/desktop/Dockerfile");
    assert!(f.iter().any(|x| x["code"] == "SL101"), "{f:#?}");
    let (f, _) = lint(dir.path(), "ros/lunar/zesty/ros-core/Dockerfile");
    assert!(!f.iter().any(|x| x["code"] == "SL101"), "retired: {f:#?}");
}

/// Build files that do not parse, and values only the runner knows, are notes: lint goes on
/// with the default (the last stage ships) and says where to look.
#[test]
fn unreadable_build_files_are_notes_never_errors() {
    let wf = "on: push\njobs:\n  b:\n    runs-on: x\n    strategy:\n      matrix: ${{ fromJSON(needs.plan.outputs.images) }}\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          file: ${{ matrix.dockerfile }}\n          push: true\n";
    let df = "FROM python:3.12\nRUN apt-get update && apt-get install -y build-essential\nCOPY . /app\nCMD [\"python\", \"/app/app.py\"]\n";
    let dir = repo(&[
        (".github/workflows/images.yml", wf),
        (".github/workflows/broken.yml", "jobs: [\n"),
        ("docker-bake.hcl", "target \"a\" {\n"),
        ("Dockerfile", df),
    ]);
    let out = shiplight(&["lint", "Dockerfile"], dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "findings, not an error: {stderr}");
    assert!(stdout.contains("SL101"), "{stdout}");
    assert!(stdout.contains("could not be resolved; `shiplight ships` lists them"), "{stdout}");
    let listing = ships(dir.path());
    let notes: Vec<String> = listing["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| format!("{}:{} {}", n["file"].as_str().unwrap(), n["line"], n["message"].as_str().unwrap()))
        .collect();
    assert!(
        notes.iter().any(|n| n.starts_with(".github/workflows/broken.yml:") && n.contains("not valid YAML")),
        "{notes:#?}"
    );
    assert!(notes.iter().any(|n| n.starts_with("docker-bake.hcl:") && n.contains("not valid HCL")), "{notes:#?}");
    assert!(notes.iter().any(|n| n.contains("${{ matrix.dockerfile }}")), "{notes:#?}");
    assert_eq!(entry(&listing, "Dockerfile")["default"], true);
    // the text form says the same
    let out = shiplight(&["ships", "."], dir.path());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Dockerfile: ships (ships stage 0)"), "{text}");
    assert!(text.contains(&format!("not resolved ({}):", notes.len())), "{text}");
}

/// Where `docker buildx` answers (GitHub's runners; scripts/buildx.sh here), bake itself
/// resolves the files: a function the static reading does not know (`regex_replace`) is
/// resolved exactly, where the static reading can only say it could not.
#[test]
fn bake_print_resolves_what_the_static_reading_cannot() {
    let has_buildx =
        std::process::Command::new("docker").args(["buildx", "version"]).output().is_ok_and(|o| o.status.success());
    if !has_buildx {
        assert!(std::env::var_os("CI").is_none(), "CI needs docker buildx (scripts/buildx.sh)");
        eprintln!(
            "SKIPPED bake_print_resolves_what_the_static_reading_cannot: no docker buildx; run scripts/buildx.sh"
        );
        return;
    }
    let bake = "target \"app\" {\n  dockerfile = regex_replace(\"docker/app.Dockerfile.in\", \"\\\\.in$\", \"\")\n  tags = [\"o/app\"]\n}\n";
    let df = "FROM python:3.12\nRUN apt-get update && apt-get install -y build-essential\nCOPY . /app\nCMD [\"python\", \"/app/app.py\"]\n";
    let dir = repo(&[("docker-bake.hcl", bake), ("docker/app.Dockerfile", df)]);
    // statically: the function is unknown, the attribute a note
    let listing = ships(dir.path());
    assert_eq!(listing["bake_printed"], false);
    assert_eq!(entry(&listing, "docker/app.Dockerfile")["default"], true, "{listing:#}");
    assert!(listing["notes"].to_string().contains("`dockerfile` cannot be resolved statically"), "{listing:#}");
    // bake's own answer
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shiplight"))
        .args(["ships", "--format", "json", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let listing: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listing["bake_printed"], true, "{}", String::from_utf8_lossy(&out.stderr));
    let app = entry(&listing, "docker/app.Dockerfile");
    assert_eq!((app["role"].as_str(), app["default"].as_bool()), (Some("ships"), Some(false)), "{listing:#}");
    assert!(app["evidence"][0]["says"].as_str().unwrap().starts_with("bake target `app` tags it `o/app`"), "{app:#}");
    assert_eq!(app["evidence"][0]["line"], 1, "the line comes from the static reading");
}

/// The repository's own images are not a registry's `latest`: a base a workflow tags, and a
/// bake target's named context, are what an untagged FROM means here.
#[test]
fn an_untagged_base_the_repository_builds_is_not_flagged() {
    let wf = "on: push\njobs:\n  base:\n    runs-on: x\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          context: base\n          push: true\n          tags: ghcr.io/o/base:latest\n";
    let bake = "target \"app\" {\n  context = \"app\"\n  contexts = { gobase = \"target:gobase\" }\n  tags = [\"ghcr.io/o/app\"]\n}\ntarget \"gobase\" {\n  context = \"gobase\"\n}\n";
    let dir = repo(&[
        (".github/workflows/base.yml", wf),
        ("docker-bake.hcl", bake),
        ("base/Dockerfile", "FROM debian:12-slim\nUSER 1000\n"),
        ("gobase/Dockerfile", "FROM golang:1.22\n"),
        ("app/Dockerfile", "FROM gobase AS build\nRUN go build -o /app\nFROM ghcr.io/o/base\nCOPY --from=build /app /app\nFROM ubuntu AS tools\n"),
    ]);
    let (f, _) = lint(dir.path(), "app/Dockerfile");
    let untagged: Vec<u64> = f.iter().filter(|x| x["code"] == "SL304").map(|x| x["line"].as_u64().unwrap()).collect();
    assert_eq!(untagged, [5], "only `ubuntu` is a registry's latest: {f:#?}");
}

/// Round 25 (nautobot, hyrax; held out): a workflow names a target the Dockerfile no longer
/// has. That build fails; the file is still linted as the other paths ship it, not reported
/// as invalid (SL001) with every rule silenced.
#[test]
fn a_stale_workflow_target_does_not_make_the_file_invalid() {
    let wf = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          file: Dockerfile\n          target: dependencies\n          push: true\n          tags: ghcr.io/o/app:deps\n      - uses: docker/build-push-action@v6\n        with:\n          file: Dockerfile\n          target: final\n          push: true\n          tags: ghcr.io/o/app:latest\n";
    let df = "FROM python:3.12 AS base\nRUN apt-get update && apt-get install -y build-essential && rm -rf /var/lib/apt/lists/*\nFROM base AS final\nCMD [\"python\"]\n";
    let dir = repo(&[(".github/workflows/build.yml", wf), ("Dockerfile", df)]);
    let (f, stderr) = lint(dir.path(), "Dockerfile");
    let found = codes(&f);
    assert!(!found.iter().any(|c| c.starts_with("SL001")), "{f:#?}\n{stderr}");
    assert!(found.contains(&"SL101:2".to_owned()), "{f:#?}");
    let listing = ships(dir.path());
    assert_eq!(entry(&listing, "Dockerfile")["shipped"][0].as_str(), Some("final"), "{listing:#}");
}

/// Round 26 (openwisp, held out): a service built FROM the repository's own base image, which
/// sets `USER openwisp`, runs as that user, so SL107 stays quiet on it; one FROM an image the
/// repository does not make, or whose base ends as root, still hears it. Round 27 (plots2,
/// held out): the Dockerfile `.gitpod.yml` builds is Gitpod's workspace, a development image.
#[test]
fn a_user_set_by_the_repositorys_own_base_and_gitpods_workspace() {
    let base = "FROM python:3.12-slim AS system\nRUN useradd openwisp\nUSER openwisp:root\nFROM system\nCOPY common/ /opt/openwisp/\n";
    let api = "ARG OPENWISP_VERSION=edge\nFROM openwisp/openwisp-base:${OPENWISP_VERSION}\nCOPY api/ /opt/openwisp/\nCMD [\"uwsgi\"]\n";
    let other = "FROM freeradius/freeradius-server:3.2\nCOPY raddb/ /etc/raddb/\n";
    let makefile = "base-build:\n\tdocker build --tag openwisp/openwisp-base:edge --file ./images/openwisp_base/Dockerfile ./images/\n";
    let workflow = "on: push\njobs:\n  b:\n    runs-on: x\n    steps:\n      - run: make base-build\n";
    let gitpod = "FROM gitpod/workspace-full:2024\nRUN sudo apt-get update && sudo apt-get install -y libvips\n";
    let files = [
        ("images/openwisp_base/Dockerfile", base),
        ("images/openwisp_api/Dockerfile", api),
        ("images/openwisp_radius/Dockerfile", other),
        ("Makefile", makefile),
        (".github/workflows/ci.yml", workflow),
        (".gitpod.yml", "image:\n  file: .gitpod.Dockerfile\n"),
        (".gitpod.Dockerfile", gitpod),
    ];
    let dir = repo(&files);
    let sl107 = |file: &str| lint(dir.path(), file).0.iter().any(|x| x["code"] == "SL107");
    assert!(!sl107("images/openwisp_api/Dockerfile"), "the base sets USER openwisp");
    assert!(sl107("images/openwisp_radius/Dockerfile"));
    // a base that ends as root gives no user to inherit
    let rooted = base.replace("USER openwisp:root", "USER root");
    let dir2 = repo(&[files[0], files[1], files[3], files[4]].map(|(p, t)| {
        if p == files[0].0 {
            (p, rooted.as_str())
        } else {
            (p, t)
        }
    }));
    assert!(lint(dir2.path(), "images/openwisp_api/Dockerfile").0.iter().any(|x| x["code"] == "SL107"));
    let listing = ships(dir.path());
    assert_eq!(entry(&listing, ".gitpod.Dockerfile")["role"], "development", "{listing:#}");
    let (f, stderr) = lint(dir.path(), ".gitpod.Dockerfile");
    // what ships is not asked of it; how it is built still is (`sudo` in a RUN)
    assert!(!f.iter().any(|x| x["code"] == "SL107"), "{f:#?}");
    assert!(f.iter().any(|x| x["code"] == "SL311"), "{f:#?}");
    assert!(stderr.contains("Gitpod builds it as the workspace image (.gitpod.yml:2)"), "{stderr}");
}

/// Round 32 (alerta, held out): an example built FROM the repository's own image runs its
/// RUNs with the ENV that image sets; `PIP_NO_CACHE_DIR=1` there means pip leaves no cache,
/// so SL106 stays quiet. The same RUN on an image the repository does not make still hears it.
#[test]
fn env_set_by_the_repositorys_own_image_is_inherited() {
    let root = "FROM python:3.13-slim\nENV PIP_NO_CACHE_DIR=1\nRUN python3 -m venv /venv\nCMD [\"supervisord\"]\n";
    let compose = "services:\n  web:\n    build: .\n    image: alerta-web\n";
    let example = "FROM alerta/alerta-web\nRUN /venv/bin/pip install git+https://github.com/alerta/alerta-contrib.git#subdirectory=webhooks/msteams\n";
    let wf = "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          push: true\n          tags: alerta/alerta-web:latest\n";
    let files = [
        ("Dockerfile", root),
        (".github/workflows/release.yml", wf),
        ("examples/webhook/Dockerfile", example),
        ("examples/webhook/docker-compose.yml", compose),
    ]
    .map(|(p, t)| (p, t.to_owned()));
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let dir = repo(&borrowed);
    let sl106 = |dir: &std::path::Path| lint(dir, "examples/webhook/Dockerfile").0.iter().any(|x| x["code"] == "SL106");
    assert!(!sl106(dir.path()), "the repository's alerta/alerta-web sets PIP_NO_CACHE_DIR=1");
    // the root image without the ENV (pip reads any value of it as "no cache", `0` too), or
    // an image the repository does not make
    let off = root.replace("ENV PIP_NO_CACHE_DIR=1\n", "");
    let dir2 = repo(
        &[borrowed[0], borrowed[1], borrowed[2], borrowed[3]]
            .map(|(p, t)| (p, if p == "Dockerfile" { off.as_str() } else { t })),
    );
    assert!(sl106(dir2.path()));
    let elsewhere = example.replace("alerta/alerta-web", "someone/else");
    let dir3 = repo(&[borrowed[0], borrowed[1], ("examples/webhook/Dockerfile", elsewhere.as_str()), borrowed[3]]);
    assert!(sl106(dir3.path()));
}
