//! `shiplight compare` against a real Docker daemon (see tests/support for the harness).

mod support;

use serde_json::Value;
use support::{busybox, cleanup, daemon, shiplight, top_growth, Repo, BUSYBOX};

const MIB20: f64 = 20_971_520.0;

fn dockerfile(body: &str) -> String {
    format!("FROM {BUSYBOX}\nWORKDIR /app\nCOPY hello.txt /app/\n{body}CMD [\"cat\", \"/app/hello.txt\"]\n")
}

fn report(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn tags(v: &Value) -> Vec<String> {
    let img = &v["images"][0];
    [&img["head"]["reference"], &img["base"]["reference"]]
        .iter()
        .filter_map(|r| r.as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn twenty_megabytes_are_measured_attributed_and_counted_as_waste() {
    let Some(engine) = daemon("twenty_megabytes").await else {
        return;
    };
    busybox(&engine).await;
    let repo = Repo::new();
    repo.write("hello.txt", "hello\n");
    repo.write("Dockerfile", &dockerfile(""));
    repo.commit("base");
    repo.write("Dockerfile", &dockerfile("RUN head -c 20971520 /dev/urandom > /big\nRUN rm /big\n"));
    repo.commit("head adds 20 MB and deletes it later");

    let out = shiplight(&["compare", "--base-ref", "HEAD~1", "--format", "json"], repo.path());
    let v = report(&out);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let img = &v["images"][0];
    let delta = img["delta_bytes"].as_i64().unwrap() as f64;
    assert!((delta - MIB20).abs() / MIB20 < 0.01, "delta {delta} is not within 1 % of 20 MiB");

    // the sizes are the daemon's own
    let head_ref = img["head"]["reference"].as_str().unwrap();
    let base_ref = img["base"]["reference"].as_str().unwrap();
    let (_, head_size, _) = engine.inspect(head_ref).await.unwrap();
    let (_, base_size, _) = engine.inspect(base_ref).await.unwrap();
    assert_eq!(img["head"]["size_bytes"].as_u64().unwrap(), head_size);
    assert_eq!(img["base"]["size_bytes"].as_u64().unwrap(), base_size);
    assert_eq!(delta as i64, head_size as i64 - base_size as i64);
    let layer_sum: u64 =
        img["head"]["layers"].as_array().unwrap().iter().map(|l| l["size_bytes"].as_u64().unwrap()).sum();
    assert_eq!(layer_sum, head_size, "docker history sizes add up to the image size");

    // attributed to the RUN on line 4, and wasted because line 5 deletes the file
    let top = top_growth(img);
    assert_eq!(top["line"], 4, "{top}");
    assert!(top["instruction"].as_str().unwrap().starts_with("RUN head -c 20971520"));
    let layer4 = img["head"]["layers"].as_array().unwrap().iter().find(|l| l["line"] == 4).unwrap();
    let wasted = layer4["wasted_bytes"].as_u64().unwrap() as f64;
    assert!((wasted - MIB20).abs() / MIB20 < 0.01, "layer 4 wasted {wasted}");
    assert!(img["head"]["wasted_bytes"].as_u64().unwrap() as f64 >= MIB20);
    // random bytes do not compress: the pull cost grows by about as much
    let cdelta = img["comparison"]["compressed"]["delta"].as_i64().unwrap() as f64;
    assert!(cdelta > 0.95 * MIB20, "compressed delta {cdelta}");
    // the busybox layer is inherited, and reported apart
    assert_eq!(img["head"]["layers"][0]["inherited"], true);
    assert_eq!(img["comparison"]["base_image_drift_bytes"], 0);

    // the text report says the same to a person
    let out = shiplight(&["compare", "--base-ref", "HEAD~1"], repo.path());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("+20.97 MB  line 4    RUN head -c 20971520 /dev/urandom > /big"), "{text}");
    cleanup(&engine, &tags(&v).iter().map(String::as_str).collect::<Vec<_>>()).await;
}

#[tokio::test]
async fn an_identical_base_build_is_reused() {
    let Some(engine) = daemon("base_reuse").await else {
        return;
    };
    busybox(&engine).await;
    let repo = Repo::new();
    repo.write("hello.txt", "hello\n");
    repo.write("Dockerfile", &dockerfile("RUN echo base > /base.txt\n"));
    repo.commit("base");
    repo.write("Dockerfile", &dockerfile("RUN echo head > /head.txt\n"));
    repo.commit("head");
    let first = shiplight(&["compare", "--base-ref", "HEAD~1", "--format", "json", "-v"], repo.path());
    assert!(String::from_utf8_lossy(&first.stderr).contains("[base] Step"), "the first run builds the base");
    let second = shiplight(&["compare", "--base-ref", "HEAD~1", "--format", "json", "-v"], repo.path());
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains("[head] Step") && !stderr.contains("[base]"),
        "the second run reuses the base image: {stderr}"
    );
    let (a, b) = (report(&first), report(&second));
    assert_eq!(a["images"][0]["base"]["id"], b["images"][0]["base"]["id"]);
    assert_eq!(a["images"][0]["delta_bytes"], b["images"][0]["delta_bytes"]);
    cleanup(&engine, &tags(&a).iter().map(String::as_str).collect::<Vec<_>>()).await;
}

#[tokio::test]
async fn a_base_without_the_dockerfile_or_with_a_broken_build_skips_only_the_comparison() {
    let Some(engine) = daemon("base_skips").await else {
        return;
    };
    busybox(&engine).await;
    let repo = Repo::new();
    repo.write("README", "no Dockerfile yet\n");
    repo.commit("no dockerfile");
    repo.write("hello.txt", "hello\n");
    repo.write("Dockerfile", &dockerfile(""));
    repo.commit("adds the Dockerfile");
    let out = shiplight(&["compare", "--base-ref", "HEAD~1", "--format", "json"], repo.path());
    assert_eq!(out.status.code(), Some(0));
    let v = report(&out);
    assert_eq!(v["verdict"], "skipped");
    assert!(v["images"][0]["base_skipped"].as_str().unwrap().contains("has no Dockerfile"), "{v}");
    assert!(v["images"][0]["head"]["size_bytes"].as_u64().unwrap() > 1_000_000);

    repo.write("Dockerfile", &dockerfile("RUN sh -c 'exit 7'\n"));
    repo.commit("broken");
    repo.write("Dockerfile", &dockerfile(""));
    repo.commit("fixed");
    let out = shiplight(&["compare", "--base-ref", "HEAD~1", "--format", "json"], repo.path());
    assert_eq!(out.status.code(), Some(0));
    let v = report(&out);
    let why = v["images"][0]["base_skipped"].as_str().unwrap();
    assert!(
        why.contains("base build failed") && why.contains("exit code 7") && why.contains("RUN sh -c 'exit 7'"),
        "{why}"
    );
    cleanup(&engine, &tags(&v).iter().map(String::as_str).collect::<Vec<_>>()).await;
}

#[tokio::test]
async fn a_failed_head_build_names_the_step_and_exits_3() {
    let Some(engine) = daemon("head_fails").await else {
        return;
    };
    busybox(&engine).await;
    let repo = Repo::new();
    repo.write("hello.txt", "hello\n");
    repo.write("Dockerfile", &dockerfile("RUN echo about to fail && sh -c 'exit 9'\n"));
    repo.commit("head");
    let out = shiplight(&["compare", "--base-image", BUSYBOX], repo.path());
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Step 4/") && err.contains("exit code 9") && err.contains("about to fail"), "{err}");
}

#[tokio::test]
async fn thresholds_fail_the_run_and_ignored_files_stay_out() {
    let Some(engine) = daemon("thresholds").await else {
        return;
    };
    busybox(&engine).await;
    let repo = Repo::new();
    repo.write("hello.txt", "hello\n");
    repo.write("big/blob.bin", &"x".repeat(5_000_000));
    repo.write(".dockerignore", "big\n");
    repo.write("Dockerfile", &format!("FROM {BUSYBOX}\nCOPY . /app/\n"));
    repo.commit("context with an ignored 5 MB file");
    let out = shiplight(
        &["compare", "--base-image", BUSYBOX, "--format", "json", "--fail-on-increase-bytes", "1kB"],
        repo.path(),
    );
    let v = report(&out);
    let delta = v["images"][0]["delta_bytes"].as_i64().unwrap();
    assert!(delta > 0 && delta < 100_000, ".dockerignore keeps big/ out: delta {delta}");
    assert_eq!(v["verdict"], "fail");
    assert_eq!(out.status.code(), Some(1));
    let out = shiplight(
        &[
            "compare",
            "--base-image",
            BUSYBOX,
            "--format",
            "json",
            "--max-size",
            "1GB",
            "--warn-on-increase-percent",
            "0.1",
        ],
        repo.path(),
    );
    assert_eq!(report(&out)["verdict"], "warn");
    assert_eq!(out.status.code(), Some(0));
    cleanup(&engine, &[report(&out)["images"][0]["head"]["reference"].as_str().unwrap()]).await;
}

#[test]
fn bad_refs_and_missing_daemons_are_clear() {
    let repo = Repo::new();
    repo.write("Dockerfile", "FROM scratch\n");
    repo.commit("one");
    let out = shiplight(&["compare", "--base-ref", "HEAD~1"], repo.path());
    if out.status.code() == Some(3) && String::from_utf8_lossy(&out.stderr).contains("cannot reach the Docker daemon") {
        assert!(std::env::var_os("CI").is_none(), "a Docker daemon is required in CI");
    } else {
        assert_eq!(out.status.code(), Some(3));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("base ref `HEAD~1` is not a commit"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shiplight"))
        .args(["compare", "--base-ref", "HEAD"])
        .current_dir(repo.path())
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot reach the Docker daemon at unix:///nonexistent/docker.sock")
            && err.contains("scripts/dockerd.sh"),
        "{err}"
    );
    let out = shiplight(&["compare", "--dockerfile", "nope/Dockerfile"], repo.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope/Dockerfile: cannot read it"));
}

#[tokio::test]
async fn measurements_are_cached_by_layer_digest_without_losing_compressed_sizes() {
    let Some(engine) = daemon("measure_cache").await else { return };
    busybox(&engine).await;
    let cache = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_shiplight"))
            .args(args)
            .env("SHIPLIGHT_CACHE_DIR", cache.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let waste_only = run(&["measure", "--no-compressed", "--format", "json", BUSYBOX]);
    assert_eq!(waste_only["compressed_bytes"], 0);
    // a waste-only scan in the cache must not answer a request for compressed sizes
    let full = run(&["measure", "--format", "json", BUSYBOX]);
    let compressed = full["compressed_bytes"].as_u64().unwrap();
    assert!(compressed > 500_000 && compressed < full["size_bytes"].as_u64().unwrap(), "{compressed}");
    let mut again = run(&["measure", "--format", "json", BUSYBOX]);
    // the second one reads nothing: the report says where the layers came from
    assert_eq!(again["layers_read"], "cache", "{again}");
    let mut full = full;
    again.as_object_mut().unwrap().remove("layers_read");
    full.as_object_mut().unwrap().remove("layers_read");
    assert_eq!(again, full, "the cached measurement is the same measurement");
    // one history per image ID, one scan per layer digest
    let count = |kind: &str| std::fs::read_dir(cache.path().join("scans-v3").join(kind)).unwrap().count();
    assert_eq!(count("images"), 1);
    assert_eq!(count("layers") as u64, full["layer_count"].as_u64().unwrap());
}

/// An image none measured yet whose layers are all known by digest (a LABEL and an ENV on
/// top of a measured image: a new image ID, no new layer) is not exported: the history comes
/// from the Engine API, and the measure equals a full read's.
#[tokio::test]
async fn an_image_whose_layers_are_all_known_is_not_read_again() {
    let Some(engine) = daemon("known_layers").await else { return };
    busybox(&engine).await;
    let tag = "shiplight-test/known-layers:1";
    let built = std::process::Command::new("sh")
        .args([
            "-c",
            &format!("printf 'FROM {BUSYBOX}\nLABEL x=1\nENV A=b\n' | DOCKER_BUILDKIT=0 docker build -q -t {tag} -"),
        ])
        .output()
        .unwrap();
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let measure = |cache: &std::path::Path, read: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_shiplight"))
            .args(["measure", "--format", "json", "--no-compressed"])
            .arg(if read == "warm-up" { BUSYBOX } else { tag })
            .env("SHIPLIGHT_CACHE_DIR", cache)
            .env("SHIPLIGHT_LAYER_READ", if read == "warm-up" { "auto" } else { read })
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let (warm, cold) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    measure(warm.path(), "warm-up");
    // export only, were anything read: the layers are the busybox image's, known by digest
    let mut known = measure(warm.path(), "export");
    assert_eq!(known["layers_read"], "cache", "nothing was read: {known}");
    let layers = known["layers"].as_array().unwrap();
    let empty: Vec<bool> = layers.iter().map(|l| l["empty"].as_bool().unwrap()).collect();
    assert_eq!(empty.iter().filter(|e| !**e).count() as u64, known["layer_count"].as_u64().unwrap());
    assert!(empty.ends_with(&[true, true]), "the LABEL and ENV made no layer: {empty:?}");
    let mut full = measure(cold.path(), "export");
    assert!(full["layers_read"].as_str().unwrap().starts_with("export"), "{full}");
    known.as_object_mut().unwrap().remove("layers_read");
    full.as_object_mut().unwrap().remove("layers_read");
    assert_eq!(known, full, "the history from the Engine API is the config's");
    cleanup(&engine, &[tag]).await;
}

#[tokio::test]
async fn buildkit_builds_what_the_classic_builder_cannot_and_names_its_failures() {
    let Some(engine) = daemon("buildkit").await else { return };
    busybox(&engine).await;
    let repo = Repo::new();
    repo.write("hello.txt", "hello\n");
    repo.write("Dockerfile", &dockerfile(""));
    repo.commit("base: classic");
    // RUN --mount and COPY --chmod need BuildKit: `--builder auto` picks it for the head only
    repo.write(
        "Dockerfile",
        &format!("FROM {BUSYBOX}\nWORKDIR /app\nCOPY --chmod=644 hello.txt /app/\nRUN --mount=type=cache,target=/cache head -c 3000000 /dev/zero > /big\nCMD [\"cat\", \"/app/hello.txt\"]\n"),
    );
    repo.commit("head: BuildKit");
    let out = shiplight(&["compare", "--base-ref", "HEAD~1", "--format", "json", "-v"], repo.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("[base] Step 1/"), "the base used the classic builder: {stderr}");
    assert!(stderr.contains("[head] [stage-0"), "the head used BuildKit: {stderr}");
    let v = report(&out);
    let top = top_growth(&v["images"][0]);
    assert_eq!(top["line"], 4, "BuildKit's history is attributed too: {top}");
    assert_eq!(top["delta_bytes"], 3_000_000);

    repo.write(
        "Dockerfile",
        &format!("FROM {BUSYBOX}\nRUN --mount=type=cache,target=/c echo about to fail && sh -c 'exit 9'\n"),
    );
    repo.commit("broken");
    let out = shiplight(&["compare", "--base-image", BUSYBOX], repo.path());
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("RUN --mount=type=cache,target=/c")
            && err.contains("exit code 9")
            && err.contains("about to fail"),
        "{err}"
    );
    cleanup(&engine, &tags(&v).iter().map(String::as_str).collect::<Vec<_>>()).await;
}

#[tokio::test]
async fn a_heredoc_builds_on_a_newer_engine_and_is_explained_on_engine_20() {
    let Some(engine) = daemon("heredoc").await else { return };
    busybox(&engine).await;
    let version = engine.server_info().await.unwrap().version;
    let major: u32 = version.split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
    let repo = Repo::new();
    repo.write("Dockerfile", &format!("FROM {BUSYBOX}\nRUN <<EOF\necho built > /note\nEOF\n"));
    repo.commit("heredoc");
    let out = shiplight(&["compare", "--base-image", BUSYBOX, "--format", "json"], repo.path());
    let err = String::from_utf8_lossy(&out.stderr);
    if major < 23 {
        // Engine 20.10's frontend reads the heredoc's body as instructions ("unknown
        // instruction: ECHO"): the message says what is really wrong
        assert_eq!(out.status.code(), Some(3), "{err}");
        assert!(err.contains("line 2 has a heredoc in RUN, which Docker Engine"), "{err}");
        assert!(err.contains("use Engine 23 or newer"), "{err}");
    } else {
        // newer engines build it (tests/engine_next.rs measures one on Engine 26): the
        // heredoc's layer is measured and attributed to line 2
        assert_eq!(out.status.code(), Some(0), "{err}");
        let v = report(&out);
        let layers = v["images"][0]["head"]["layers"].as_array().cloned().unwrap_or_default();
        assert!(layers.iter().any(|l| l["line"] == 2 && !l["inherited"].as_bool().unwrap_or(true)), "{v:#}");
        assert!(v["images"][0]["delta_bytes"].as_i64().is_some_and(|d| d > 0), "the note adds bytes: {v:#}");
    }
}

#[tokio::test]
async fn a_daemon_that_vanishes_mid_build_is_a_clear_error_and_leaves_nothing_behind() {
    let Some(engine) = daemon("daemon_vanishes").await else { return };
    busybox(&engine).await;
    if std::process::Command::new("socat").arg("-V").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "socat is required in CI (scripts/test installs it)");
        eprintln!("SKIPPED daemon_vanishes: socat missing");
        return;
    }
    // the test's own client: in shiplight, only Engine holds one
    let docker = bollard::Docker::connect_with_defaults().unwrap();
    let count = || async {
        let list = docker
            .list_containers(Some(bollard::query_parameters::ListContainersOptionsBuilder::default().all(true).build()))
            .await
            .unwrap();
        list.len()
    };
    let before = count().await;
    let repo = Repo::new();
    repo.write("Dockerfile", &format!("FROM {BUSYBOX}\nRUN echo started && sleep 30\n"));
    repo.commit("slow");
    // a relay in front of the daemon's socket: killing it is, for shiplight, the daemon dying
    let relay_dir = tempfile::tempdir().unwrap();
    let sock = relay_dir.path().join("relay.sock");
    let mut relay = std::process::Command::new("socat")
        .args([format!("UNIX-LISTEN:{},fork", sock.display()), "UNIX-CONNECT:/var/run/docker.sock".into()])
        .spawn()
        .unwrap();
    for _ in 0..50 {
        if sock.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_shiplight"))
        .args(["compare", "--base-image", BUSYBOX, "-v"])
        .current_dir(repo.path())
        .env("DOCKER_HOST", format!("unix://{}", sock.display()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    // kill the relay and every connection it forked
    let _ = std::process::Command::new("pkill").args(["-f", &sock.display().to_string()]).status();
    let _ = relay.kill();
    let _ = relay.wait();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("lost the connection to the Docker daemon") && err.contains("relay.sock"), "{err}");
    // the daemon cancels the build when its client goes away, and removes the container
    let mut left = count().await;
    for _ in 0..30 {
        if left <= before {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        left = count().await;
    }
    assert!(left <= before, "{} containers left behind", left - before);
}

#[tokio::test]
async fn a_full_disk_is_named_not_hidden() {
    let Some(engine) = daemon("disk_full").await else { return };
    busybox(&engine).await;
    // a 1 MB file system for shiplight's temporary files (root only, as in CI)
    let small = tempfile::tempdir().unwrap();
    // as root, or through passwordless sudo (GitHub's runners)
    let root = std::process::Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0"));
    let privileged = |args: &[&str]| {
        let mut c = if root { std::process::Command::new(args[0]) } else { std::process::Command::new("sudo") };
        if root {
            c.args(&args[1..])
        } else {
            c.arg("-n").args(args)
        };
        c
    };
    let mounted = privileged(&["mount", "-t", "tmpfs", "-o", "size=1m,mode=1777", "tmpfs"])
        .arg(small.path())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs as root (or with passwordless sudo) and must mount the small tmpfs"
        );
        eprintln!("SKIPPED disk_full: cannot mount a tmpfs (neither root nor passwordless sudo)");
        return;
    }
    struct Unmount(std::process::Command);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = self.0.status();
        }
    }
    let mut umount = privileged(&["umount"]);
    umount.arg(small.path());
    let _guard = Unmount(umount);
    let repo = Repo::new();
    repo.write("big.bin", &"x".repeat(3_000_000));
    repo.write("Dockerfile", &format!("FROM {BUSYBOX}\nCOPY big.bin /\n"));
    repo.commit("base with a 3 MB file");
    repo.write("Dockerfile", &format!("FROM {BUSYBOX}\n"));
    repo.commit("head");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shiplight"))
        .args(["compare", "--base-ref", "HEAD~1"])
        .current_dir(repo.path())
        .env("TMPDIR", small.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("No space left on device") && err.contains("base"), "{err}");
}

/// What ships is the repository's answer for compare too: a workflow that pushes stage
/// `runtime` (not the last, a debug stage) makes compare build that stage, and the comment
/// names the evidence on the line under the image's headline.
#[tokio::test]
async fn compare_builds_the_stage_a_workflow_ships_and_says_why() {
    let Some(engine) = daemon("compare_builds_the_stage_a_workflow_ships").await else {
        return;
    };
    busybox(&engine).await;
    let repo = Repo::new();
    repo.write("hello.txt", "hello\n");
    let wf = "on: push\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: docker/build-push-action@v6\n        with:\n          target: runtime\n          push: true\n          tags: ghcr.io/o/app\n";
    repo.write(".github/workflows/release.yml", wf);
    let df = |extra: &str| {
        format!("FROM {BUSYBOX} AS runtime\nCOPY hello.txt /app/\n{extra}CMD [\"cat\", \"/app/hello.txt\"]\n\nFROM runtime AS debug\nRUN head -c 5242880 /dev/urandom > /debug-symbols\n")
    };
    repo.write("Dockerfile", &df(""));
    repo.commit("base");
    repo.write("Dockerfile", &df("RUN head -c 1048576 /dev/urandom > /app/data\n"));
    repo.commit("head adds 1 MiB to what ships");
    let out = shiplight(&["compare", "--base-ref", "HEAD~1", "--format", "json"], repo.path());
    let v = report(&out);
    let img = &v["images"][0];
    assert_eq!(img["target"], "runtime", "{}", String::from_utf8_lossy(&out.stderr));
    // 1 MiB grew, and the 5 MiB debug stage is in neither image
    let delta = img["delta_bytes"].as_i64().unwrap();
    assert!((1_000_000..1_100_000).contains(&delta), "delta {delta}");
    assert!(img["head"]["size_bytes"].as_u64().unwrap() < 4_000_000, "the debug stage was built: {img:#}");
    let tagged = tags(&v);
    let out = shiplight(&["compare", "--base-ref", "HEAD~1", "--format", "markdown"], repo.path());
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        md.contains("ships: docker/build-push-action pushes it (target `runtime`) (.github/workflows/release.yml:7)"),
        "{md}"
    );
    cleanup(&engine, &tagged.iter().map(String::as_str).collect::<Vec<_>>()).await;
}
