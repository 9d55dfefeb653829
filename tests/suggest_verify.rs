//! `shiplight suggest --verify` on a real daemon with the stand-in bases
//! (scripts/fixtures.sh): a suggestion is shown only when it builds and behaves the same.

mod support;

use serde_json::Value;
use support::{daemon, root, shiplight};

/// `shiplight suggest --verify --format json ARGS` in `cwd` must exit 0 with a verified patch.
/// Returns the report and the original and patched sizes, printed with the engine they ran on.
fn verified(test: &str, args: &[&str], cwd: &std::path::Path) -> (Value, u64, u64) {
    let mut full = vec!["suggest", "--verify", "--format", "json"];
    full.extend_from_slice(args);
    let out = shiplight(&full, cwd);
    let v: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    // a failed verification says why in the report: show it, not only stderr
    assert_eq!(out.status.code(), Some(0), "{}\n{}", String::from_utf8_lossy(&out.stderr), v["verification"]);
    let ver = &v["verification"];
    assert_eq!(ver["verified"], true, "{ver}");
    let (a, b) = (ver["original_bytes"].as_u64().unwrap(), ver["patched_bytes"].as_u64().unwrap());
    eprintln!("{test}: {a} B -> {b} B ({:.1} %) on {}", ver["delta_percent"].as_f64().unwrap(), ver["engine"]);
    (v, a, b)
}

async fn fixtures_ready(test: &str, fixtures: &[&str]) -> bool {
    let Some(engine) = daemon(test).await else { return false };
    for fixture in fixtures.iter().copied() {
        if !engine.exists(fixture).await {
            assert!(
                std::env::var_os("CI").is_none(),
                "{fixture} is missing: scripts/test runs scripts/fixtures.sh in CI"
            );
            eprintln!("SKIPPED {test}: {fixture} is missing; run scripts/fixtures.sh");
            return false;
        }
    }
    true
}

#[tokio::test]
async fn the_flask_patch_builds_answers_hello_docker_and_is_over_55_percent_smaller() {
    if !fixtures_ready("suggest_flask", &["python:3.9", "python:3.9-slim"]).await {
        return;
    }
    let (v, a, b) = verified("suggest_flask", &["examples/flask/Dockerfile"], &root());
    let ver = &v["verification"];
    let smoke = &ver["smoke"];
    assert_eq!(smoke["check"], "GET :5000/");
    for side in ["original", "patched"] {
        assert_eq!(smoke[side]["status"], 200);
        assert_eq!(smoke[side]["body"], "Hello Docker", "{side}");
    }
    assert!((b as f64) <= 0.45 * a as f64, "patched {b} B is not at least 55 % smaller than {a} B");
}

#[tokio::test]
async fn a_patch_that_changes_behaviour_is_not_shown_and_not_written() {
    if !fixtures_ready("suggest_broken", &["python:3.9", "python:3.9-slim"]).await {
        return;
    }
    // the app needs gcc at run time: moving the toolchain out changes what it prints
    let dir = tempfile::tempdir().unwrap();
    let text = "FROM python:3.9\nRUN apt-get update && apt-get install -y --no-install-recommends gcc\nRUN pip install six\nCMD [\"sh\", \"-c\", \"gcc --version | head -1\"]\n";
    std::fs::write(dir.path().join("Dockerfile"), text).unwrap();
    let out = shiplight(&["suggest", "--verify", "--write", "Dockerfile"], dir.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(out.stdout.is_empty(), "an unverified patch is not shown");
    assert!(err.contains("not verified: the patched image answers differently to the default command"), "{err}");
    assert_eq!(std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(), text, "the file is untouched");
}

#[tokio::test]
async fn the_go_patch_ships_a_static_binary_on_distroless_and_answers_the_same() {
    if !fixtures_ready("suggest_go", &["golang:1.19", "gcr.io/distroless/static-debian12:nonroot"]).await {
        return;
    }
    let (v, a, b) = verified("suggest_go", &["examples/go/Dockerfile"], &root());
    let ver = &v["verification"];
    assert_eq!(ver["smoke"]["check"], "GET :8080/");
    assert_eq!(ver["smoke"]["patched"]["body"], "Hello Docker");
    assert!(
        (b as f64) < 0.05 * a as f64,
        "a static binary on distroless is a fraction of the toolchain image: {a} -> {b}"
    );

    // on scratch, when asked: same answer, with the CA bundle copied from the build stage
    let out = shiplight(&["suggest", "--verify", "--scratch", "--format", "json", "examples/go/Dockerfile"], &root());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["patched"].as_str().unwrap().contains("FROM scratch AS runtime"));
    assert_eq!(v["verification"]["verified"], true, "{}", v["verification"]);
    assert_eq!(v["verification"]["smoke"]["patched"]["body"], "Hello Docker");
}

#[tokio::test]
async fn the_node_patch_prunes_dev_dependencies_onto_slim_and_answers_the_same() {
    if !fixtures_ready("suggest_node", &["node:18", "node:18-slim"]).await {
        return;
    }
    let (v, a, b) = verified("suggest_node", &["examples/node/Dockerfile"], &root());
    let ver = &v["verification"];
    assert_eq!(ver["smoke"]["check"], "GET :3000/");
    assert_eq!(ver["smoke"]["patched"]["body"], "Hello Docker");
    assert!(b < a, "smaller: {a} -> {b}");
}

#[tokio::test]
async fn the_c_patch_ships_the_binary_on_slim_debian_and_prints_the_same() {
    if !fixtures_ready("suggest_c", &["gcc:12", "debian:bookworm-slim"]).await {
        return;
    }
    let (v, a, b) = verified("suggest_c", &["examples/c/Dockerfile"], &root());
    let ver = &v["verification"];
    assert_eq!(ver["smoke"]["check"], "the default command");
    for side in ["original", "patched"] {
        assert_eq!(ver["smoke"][side]["exit_code"], 0);
        assert_eq!(ver["smoke"][side]["output"], "Hello Docker\n", "{side}");
    }
    assert!(b < a / 2, "the toolchain was most of the image: {a} -> {b}");
}

#[tokio::test]
async fn the_java_patch_runs_the_jar_on_a_jre_and_prints_the_same() {
    if !fixtures_ready("suggest_java", &["eclipse-temurin:17", "eclipse-temurin:17-jre"]).await {
        return;
    }
    let (v, a, b) = verified("suggest_java", &["examples/java/Dockerfile"], &root());
    let ver = &v["verification"];
    for side in ["original", "patched"] {
        assert_eq!(ver["smoke"][side]["exit_code"], 0);
        assert_eq!(ver["smoke"][side]["output"], "Hello Docker\n", "{side}");
    }
    assert!(b < a, "a JRE is smaller than the JDK: {a} -> {b}");
}

#[tokio::test]
async fn the_rust_patch_caches_dependencies_and_ships_the_binary_on_slim_debian() {
    if !fixtures_ready("suggest_rust", &["rust:1.63", "debian:bookworm-slim"]).await {
        return;
    }
    let (v, a, b) = verified("suggest_rust", &["examples/rust/Dockerfile"], &root());
    assert!(v["patched"].as_str().unwrap().contains("COPY Cargo.toml Cargo.lock* ./"), "the dependency-caching layer");
    let ver = &v["verification"];
    for side in ["original", "patched"] {
        assert_eq!(ver["smoke"][side]["output"], "Hello Docker\n", "{side}");
    }
    assert!(b < a / 2, "the toolchain was most of the image: {a} -> {b}");
}

#[tokio::test]
async fn a_heavy_final_stage_is_slimmed_in_place_and_answers_the_same() {
    if !fixtures_ready("suggest_slim", &["python:3.9", "python:3.9-slim"]).await {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root().join("examples/flask/app.py"), dir.path().join("app.py")).unwrap();
    std::fs::copy(root().join("examples/flask/heavy-runtime.Dockerfile"), dir.path().join("Dockerfile")).unwrap();
    let (v, a, b) = verified("suggest_slim", &["Dockerfile"], dir.path());
    assert_eq!(v["ecosystem"], "slim");
    let ver = &v["verification"];
    assert_eq!(ver["smoke"]["patched"]["body"], "Hello Docker");
    assert!(b < a, "{a} -> {b}");
}

/// git only clones (jessfraz's plexpy, mailcow's acme): the clone moves to a fetch stage and
/// the shipped image no longer carries git. No git host is reachable, so the repository is a
/// bare one the base image holds (/srv/app.git): the fetch stage, built on the same base,
/// clones it as the original does.
#[tokio::test]
async fn a_clone_moves_to_a_fetch_stage_and_git_no_longer_ships() {
    if !fixtures_ready("suggest_fetch", &["debian:bookworm"]).await {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(src.join("hello.txt"), "hello from the clone\n").unwrap();
    let git = |args: &[&str], cwd: &std::path::Path| {
        let out = std::process::Command::new("git").args(args).current_dir(cwd).output().expect("git");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    git(&["init", "-q"], &src);
    git(&["add", "."], &src);
    git(&["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "app"], &src);
    git(&["clone", "-q", "--bare", "src", "base/app.git"], dir.path());
    let base = "shiplight-test/gitsrc:1";
    std::fs::write(
        dir.path().join("base/Dockerfile"),
        "FROM debian:bookworm\nLABEL dev.shiplight.managed=true\nCOPY app.git /srv/app.git\n",
    )
    .unwrap();
    let out = std::process::Command::new("docker")
        .args(["build", "-q", "-t", base, "base"])
        .env("DOCKER_BUILDKIT", "0")
        .current_dir(dir.path())
        .output()
        .expect("docker");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = format!(
        "FROM {base}\nRUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates \\\n  && git clone /srv/app.git /opt/app \\\n  && mkdir -p /var/lib/app \\\n  && rm -rf /var/lib/apt/lists/*\nCMD [\"cat\", \"/opt/app/hello.txt\"]\n"
    );
    std::fs::write(dir.path().join("Dockerfile"), &text).unwrap();
    let (v, a, b) = verified("suggest_fetch", &["Dockerfile"], dir.path());
    let patched = v["patched"].as_str().unwrap();
    assert!(patched.starts_with(&format!("FROM {base} AS fetch\n")), "{patched}");
    assert!(patched.contains("COPY --from=fetch /opt/app /opt/app\nCMD"), "{patched}");
    let smoke = &v["verification"]["smoke"];
    assert_eq!(smoke["original"], smoke["patched"], "the program prints the same");
    // git and its dependencies (perl, libcurl) no longer ship
    assert!(b + 10_000_000 < a, "{a} B -> {b} B: git should take over 10 MB with it");
    let _ = std::process::Command::new("docker").args(["rmi", "-f", base]).output();
}
