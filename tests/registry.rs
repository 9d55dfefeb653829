//! Images that already exist: read from a real registry (Debian's docker-registry,
//! distribution 2.8, on 127.0.0.1), an OCI layout, a `docker save` archive and the daemon,
//! cross-checked with skopeo as an independent client. Indexes, zstd/plain layers and OCI
//! media types are pushed through the Distribution API; faults are put in front of the real
//! registry by a proxy. The daemon tests print the engine they ran on.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use support::registry::{
    app_layer, manifest_layer_bytes, push_index, skopeo_copy, skopeo_raw, Auth, Fault, FaultProxy, Pusher, Registry,
};
use support::{busybox, daemon, need, which, BUSYBOX};

fn tools(test: &str) -> Option<std::path::PathBuf> {
    let registry = which("docker-registry");
    let ok = need(test, "docker-registry", registry.is_some(), "apt-get install docker-registry")
        && need(test, "skopeo", which("skopeo").is_some(), "apt-get install skopeo")
        && need(test, "zstd", which("zstd").is_some(), "apt-get install zstd");
    ok.then(|| registry.unwrap())
}

/// Run shiplight with a fresh scan cache (so every run really reads) and `env`.
fn run(args: &[&str], cache: &Path, env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shiplight"));
    c.args(args).arg("--cache-dir").arg(cache).env("NO_COLOR", "1").env_remove("GITHUB_TOKEN");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "exit {:?}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Three platforms, each layer compressed its own way (gzip, zstd, none); `grow` extra
/// bytes on amd64 and `grow / 10` on arm64, nothing on ppc64le.
fn push_app(pusher: &Pusher, tag: &str, grow: usize) {
    push_index(
        pusher,
        "multi",
        tag,
        &[
            ("linux/amd64", "COPY app /app # buildkit", app_layer(1, grow), "gzip"),
            ("linux/arm64", "COPY app /app # buildkit", app_layer(2, grow / 10), "zstd"),
            ("linux/ppc64le", "COPY app /app # buildkit", app_layer(3, 0), "none"),
        ],
    );
}

#[test]
fn an_index_gives_one_entry_per_platform_with_exact_sizes() {
    let Some(bin) = tools("registry_index") else { return };
    let registry = Registry::start(&bin, Auth::None);
    let pusher = Pusher::new(&registry.host());
    push_app(&pusher, "main", 0);
    push_app(&pusher, "pr", 50_000);
    let (h, cache) = (registry.host(), tempfile::tempdir().unwrap());
    let head = format!("registry://{h}/multi:pr");
    let base = format!("registry://{h}/multi:main");
    let out = run(
        &[
            "compare",
            "--head-image",
            &head,
            "--base-image",
            &base,
            "--format",
            "json",
            "--fail-on-increase-bytes",
            "20kB",
        ],
        cache.path(),
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "amd64 grows past 20 kB: {}", stderr(&out));
    let report = json(&out);
    let images = report["images"].as_array().unwrap();
    let platforms: Vec<&str> = images.iter().map(|i| i["platform"].as_str().unwrap()).collect();
    // one entry per platform, the attestation manifest skipped, the failing one first
    assert_eq!(platforms.len(), 3, "{platforms:?}");
    assert_eq!(platforms[0], "linux/amd64");
    assert!(platforms.contains(&"linux/arm64") && platforms.contains(&"linux/ppc64le"), "{platforms:?}");
    assert!(!platforms.iter().any(|p| p.contains("unknown")));
    let index = skopeo_raw(&format!("{h}/multi:pr"), &["--tls-verify=false"]);
    let base_index = skopeo_raw(&format!("{h}/multi:main"), &["--tls-verify=false"]);
    for img in images {
        let p = img["platform"].as_str().unwrap();
        let arch = p.split('/').nth(1).unwrap();
        let digest_of = |idx: &Value| {
            idx["manifests"].as_array().unwrap().iter().find(|m| m["platform"]["architecture"] == arch).unwrap()
                ["digest"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        // compressed sizes are skopeo's (the manifest's), per platform
        let head_m = skopeo_raw(&format!("{h}/multi@{}", digest_of(&index)), &["--tls-verify=false"]);
        let base_m = skopeo_raw(&format!("{h}/multi@{}", digest_of(&base_index)), &["--tls-verify=false"]);
        assert_eq!(u(&img["head"]["compressed_bytes"]), manifest_layer_bytes(&head_m), "{p}");
        assert_eq!(
            img["comparison"]["compressed"]["delta"].as_i64().unwrap(),
            manifest_layer_bytes(&head_m) as i64 - manifest_layer_bytes(&base_m) as i64,
            "{p}"
        );
        assert_eq!(img["head"]["digest"].as_str().unwrap(), digest_of(&index), "{p}");
        // uncompressed: exactly the bytes added to the layer
        let grew = match arch {
            "amd64" => 50_000,
            "arm64" => 5_000,
            _ => 0,
        };
        assert_eq!(img["delta_bytes"].as_i64().unwrap(), grew, "{p}");
        assert_eq!(u(&img["head"]["size_bytes"]), 40_000 + grew as u64, "{p}");
        // the history gives each layer its instruction
        let layers = img["head"]["layers"].as_array().unwrap();
        assert_eq!(layers[0]["created_by"], "COPY app /app # buildkit");
        assert_eq!(layers[0]["entries"], if grew > 0 { 2 } else { 1 });
        let verdict = img["verdict"].as_str().unwrap();
        assert_eq!(verdict, if arch == "amd64" { "fail" } else { "pass" }, "{p}");
    }

    // --platform picks; a platform the image lacks is an error naming those it has
    let out = run(
        &["compare", "--head-image", &head, "--base-image", &base, "--platform", "linux/arm64", "--format", "json"],
        cache.path(),
        &[],
    );
    let r = json(&out);
    assert_eq!(r["images"].as_array().unwrap().len(), 1);
    assert_eq!(r["images"][0]["platform"], "linux/arm64");
    let out = run(&["compare", "--head-image", &head, "--platform", "linux/s390x"], cache.path(), &[]);
    assert_eq!(out.status.code(), Some(3));
    let e = stderr(&out);
    assert!(e.contains("no manifest for linux/s390x") && e.contains("linux/amd64, linux/arm64, linux/ppc64le"), "{e}");
    assert!(out.stdout.is_empty());

    // sizes only: the same compressed delta from the manifests, and no layer read
    let fresh = tempfile::tempdir().unwrap();
    let out = run(
        &["compare", "--head-image", &head, "--base-image", &base, "--sizes-only", "--format", "json"],
        fresh.path(),
        &[],
    );
    let r = json(&out);
    for img in r["images"].as_array().unwrap() {
        assert_eq!(img["sizes_only"], true);
        assert_eq!(img["delta_bytes"], img["comparison"]["compressed"]["delta"]);
        assert!(img["head"]["notes"].to_string().contains("no layer was read"));
    }
    let scanned = std::fs::read_dir(fresh.path()).map(|d| d.count()).unwrap_or(0);
    assert_eq!(scanned, 0, "--sizes-only scanned layers into its cache");
}

/// A reference naming its image by a digest shiplight cannot verify is refused before any
/// request, saying so and what to write instead (no registry is needed to see it).
#[test]
fn a_reference_with_another_digest_algorithm_is_refused_before_any_request() {
    let cache = tempfile::tempdir().unwrap();
    let head = format!("127.0.0.1:9/team/app@sha512:{}", "a".repeat(128));
    let out = run(&["compare", "--head-image", &format!("registry://{head}")], cache.path(), &[]);
    let e = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{e}");
    assert!(e.contains(&format!("`{head}` names its image by a sha512 digest")), "{e}");
    assert!(e.contains("sha256 digests only") && e.contains("name the image by its tag"), "{e}");
    assert!(out.stdout.is_empty());
}

#[test]
fn a_missing_base_skips_and_a_missing_head_fails() {
    let Some(bin) = tools("registry_missing") else { return };
    let registry = Registry::start(&bin, Auth::None);
    push_app(&Pusher::new(&registry.host()), "pr", 1000);
    let (h, cache) = (registry.host(), tempfile::tempdir().unwrap());
    let head = format!("registry://{h}/multi:pr");
    let first_push = format!("registry://{h}/multi:main");
    let out =
        run(&["compare", "--head-image", &head, "--base-image", &first_push, "--format", "json"], cache.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r = json(&out);
    for img in r["images"].as_array().unwrap() {
        assert_eq!(img["verdict"], "skipped");
        let why = img["base_skipped"].as_str().unwrap();
        assert!(why.contains("does not exist yet") && why.contains("multi:main"), "{why}");
    }
    // a budget still applies with no base
    let out =
        run(&["compare", "--head-image", &head, "--base-image", &first_push, "--max-size", "10kB"], cache.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = run(
        &["compare", "--head-image", &format!("registry://{h}/multi:nope"), "--base-image", &head],
        cache.path(),
        &[],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains(&format!("tag multi:nope was not found in registry {h}")), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
}

#[test]
fn faults_are_errors_and_never_a_partial_report() {
    let Some(bin) = tools("registry_faults") else { return };
    let registry = Registry::start(&bin, Auth::None);
    let pusher = Pusher::new(&registry.host());
    push_app(&pusher, "main", 0);
    push_app(&pusher, "pr", 300_000);
    // a 429 with Retry-After is waited out
    let proxy = FaultProxy::start(registry.port, Fault::RateLimitOnce);
    let cache = tempfile::tempdir().unwrap();
    let head = format!("registry://127.0.0.1:{}/multi:pr", proxy.port);
    let start = std::time::Instant::now();
    let out = run(&["compare", "--head-image", &head, "--format", "json"], cache.path(), &[]);
    let r = json(&out);
    assert_eq!(r["images"].as_array().unwrap().len(), 3);
    assert!(start.elapsed() >= std::time::Duration::from_secs(1), "Retry-After: 1 was not waited");
    let seen = proxy.seen.lock().unwrap().clone();
    let limited = seen.iter().position(|s| s.ends_with("-> 429")).expect("the proxy answered 429");
    assert_eq!(seen[limited + 1], seen[limited].replace("-> 429", "-> 200"), "{seen:?}");

    // and so is one whose Retry-After is a date (three seconds ahead: two at least)
    let proxy = FaultProxy::start(registry.port, Fault::RateLimitOnceUntil);
    let cache = tempfile::tempdir().unwrap();
    let head = format!("registry://127.0.0.1:{}/multi:pr", proxy.port);
    let start = std::time::Instant::now();
    let out = run(&["compare", "--head-image", &head, "--format", "json"], cache.path(), &[]);
    assert_eq!(json(&out)["images"].as_array().unwrap().len(), 3);
    assert!(start.elapsed() >= std::time::Duration::from_secs(2), "a Retry-After date was not waited for");
    assert!(proxy.seen.lock().unwrap().iter().any(|s| s.ends_with("-> 429")), "the proxy answered 429");

    for (fault, says) in [(Fault::CorruptBlobs, "hash to"), (Fault::DieMidBlob, "while reading blob")] {
        let proxy = FaultProxy::start(registry.port, fault);
        let cache = tempfile::tempdir().unwrap();
        let head = format!("registry://127.0.0.1:{}/multi:pr", proxy.port);
        let base = format!("registry://127.0.0.1:{}/multi:main", proxy.port);
        let out =
            run(&["compare", "--head-image", &head, "--base-image", &base, "--format", "json"], cache.path(), &[]);
        assert_eq!(out.status.code(), Some(3), "{fault:?}: {}", stderr(&out));
        let e = stderr(&out);
        assert!(e.contains(says) && e.contains(&format!("127.0.0.1:{}", proxy.port)), "{fault:?}: {e}");
        assert!(out.stdout.is_empty(), "{fault:?} printed a report");
        // nothing refused was kept as a scan
        let kept = ignore::WalkBuilder::new(cache.path())
            .standard_filters(false)
            .build()
            .flatten()
            .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
            .count();
        assert_eq!(kept, 0, "{fault:?}: a refused layer was cached");
    }
}

#[test]
fn tls_basic_auth_and_docker_config() {
    let Some(bin) = tools("registry_tls") else { return };
    let plain = Registry::start(&bin, Auth::None);
    push_app(&Pusher::new(&plain.host()), "pr", 1000);
    let tls = Registry::start(&bin, Auth::TlsBasic { user: "ci", password: "pw-Sekr1t" });
    let certs = tempfile::tempdir().unwrap();
    std::fs::copy(tls.dir.path().join("ca.pem"), certs.path().join("ca.crt")).unwrap();
    skopeo_copy(
        &[
            "--all",
            "--src-tls-verify=false",
            "--dest-creds",
            "ci:pw-Sekr1t",
            "--dest-cert-dir",
            certs.path().to_str().unwrap(),
        ],
        &format!("docker://{}/multi:pr", plain.host()),
        &format!("docker://{}/multi:pr", tls.host()),
    );
    let head = format!("registry://{}/multi:pr", tls.host());
    let config = tempfile::tempdir().unwrap();
    let config_dir = config.path().to_str().unwrap();
    let cache = tempfile::tempdir().unwrap();

    // the CA unknown: a TLS error, exit 3
    let out = run(&["compare", "--head-image", &head], cache.path(), &[("DOCKER_CONFIG", config_dir)]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("cannot reach {}", tls.host())), "{}", stderr(&out));

    // Docker's certs.d: the CA is trusted; a wrong password is refused, named, never printed
    let ca_dir = config.path().join("certs.d").join(tls.host());
    std::fs::create_dir_all(&ca_dir).unwrap();
    std::fs::copy(tls.dir.path().join("ca.pem"), ca_dir.join("ca.crt")).unwrap();
    let wrong = [
        ("DOCKER_CONFIG", config_dir),
        ("SHIPLIGHT_REGISTRY_USERNAME", "ci"),
        ("SHIPLIGHT_REGISTRY_PASSWORD", "not-Sekr1t"),
    ];
    let out = run(&["compare", "--head-image", &head, "-v"], cache.path(), &wrong);
    assert_eq!(out.status.code(), Some(3));
    let e = stderr(&out);
    assert!(
        e.contains(&format!("{} refused", tls.host()))
            && e.contains("HTTP 401")
            && e.contains("user `ci` from the registry-username/registry-password given"),
        "{e}"
    );
    assert!(!e.contains("not-Sekr1t"), "the password was printed: {e}");

    // the right one through config.json's auths
    let auth = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, "ci:pw-Sekr1t");
    std::fs::write(
        config.path().join("config.json"),
        format!(r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#, tls.host()),
    )
    .unwrap();
    let out =
        run(&["compare", "--head-image", &head, "--format", "json"], cache.path(), &[("DOCKER_CONFIG", config_dir)]);
    let r = json(&out);
    let img = r["images"].as_array().unwrap().iter().find(|i| i["platform"] == "linux/amd64").unwrap().clone();
    let index = skopeo_raw(
        &format!("{}/multi:pr", tls.host()),
        &["--creds", "ci:pw-Sekr1t", "--cert-dir", certs.path().to_str().unwrap()],
    );
    let digest =
        index["manifests"].as_array().unwrap().iter().find(|m| m["platform"]["architecture"] == "amd64").unwrap()
            ["digest"]
            .as_str()
            .unwrap()
            .to_owned();
    let m = skopeo_raw(
        &format!("{}/multi@{digest}", tls.host()),
        &["--creds", "ci:pw-Sekr1t", "--cert-dir", certs.path().to_str().unwrap()],
    );
    assert_eq!(u(&img["head"]["compressed_bytes"]), manifest_layer_bytes(&m));
}

#[test]
fn token_auth_anonymous_and_with_a_credential_helper() {
    let Some(bin) = tools("registry_token") else { return };
    let plain = Registry::start(&bin, Auth::None);
    push_app(&Pusher::new(&plain.host()), "pr", 1000);
    let reg = Registry::start(&bin, Auth::Token { user: "ci", password: "tok-pw" });
    skopeo_copy(
        &["--all", "--src-tls-verify=false", "--dest-tls-verify=false", "--dest-creds", "ci:tok-pw"],
        &format!("docker://{}/multi:pr", plain.host()),
        &format!("docker://{}/multi:pr", reg.host()),
    );
    let head = format!("registry://{}/multi:pr", reg.host());
    let config = tempfile::tempdir().unwrap();
    let config_dir = config.path().to_str().unwrap();

    // anonymous: the bearer flow with no credential
    let before = reg.token_requests().len();
    let out = run(
        &["compare", "--head-image", &head, "--format", "json"],
        tempfile::tempdir().unwrap().path(),
        &[("DOCKER_CONFIG", config_dir)],
    );
    assert_eq!(json(&out)["images"].as_array().unwrap().len(), 3);
    let asked = reg.token_requests()[before..].to_vec();
    assert!(asked.iter().any(|(user, scope)| user == "-" && scope == "repository:multi:pull"), "{asked:?}");

    // a credential helper named in config.json (credHelpers), found on PATH
    let bin_dir = tempfile::tempdir().unwrap();
    let helper = bin_dir.path().join("docker-credential-shiplighttest");
    std::fs::write(&helper, "#!/bin/sh\nread server\necho \"{\\\"ServerURL\\\":\\\"$server\\\",\\\"Username\\\":\\\"ci\\\",\\\"Secret\\\":\\\"tok-pw\\\"}\"\n").unwrap();
    std::os::unix::fs::PermissionsExt::set_mode(&mut std::fs::metadata(&helper).unwrap().permissions(), 0o755);
    std::fs::set_permissions(&helper, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::fs::write(
        config.path().join("config.json"),
        format!(r#"{{"credHelpers":{{"{}":"shiplighttest"}}}}"#, reg.host()),
    )
    .unwrap();
    let path = format!("{}:{}", bin_dir.path().display(), std::env::var("PATH").unwrap_or_default());
    let before = reg.token_requests().len();
    let out = run(
        &["compare", "--head-image", &head, "--format", "json"],
        tempfile::tempdir().unwrap().path(),
        &[("DOCKER_CONFIG", config_dir), ("PATH", &path)],
    );
    assert_eq!(json(&out)["images"].as_array().unwrap().len(), 3);
    let asked = reg.token_requests()[before..].to_vec();
    assert!(asked.iter().all(|(user, _)| user == "ci"), "{asked:?}");

    // a wrong secret: the token service refuses, and the message names where it came from
    std::fs::write(
        &helper,
        "#!/bin/sh\nread server\necho '{\"ServerURL\":\"x\",\"Username\":\"ci\",\"Secret\":\"stale\"}'\n",
    )
    .unwrap();
    let out = run(
        &["compare", "--head-image", &head],
        tempfile::tempdir().unwrap().path(),
        &[("DOCKER_CONFIG", config_dir), ("PATH", &path)],
    );
    assert_eq!(out.status.code(), Some(3));
    let e = stderr(&out);
    assert!(e.contains("refused") && e.contains("user `ci` from") && e.contains("config.json"), "{e}");
    assert!(!e.contains("stale"));
}

/// Build two images on the daemon from busybox and push them.
async fn pushed_pair(
    engine: &shiplight::image::docker::engine::Engine,
    registry: &Registry,
    dir: &Path,
) -> (String, String) {
    busybox(engine).await;
    let base = format!("FROM {BUSYBOX}\nRUN head -c 3000000 /dev/urandom > /base.bin\n");
    let head = format!("{base}RUN head -c 2000000 /dev/urandom > /pr.bin && mkdir /pr\n");
    std::fs::write(dir.join("base.Dockerfile"), &base).unwrap();
    std::fs::write(dir.join("Dockerfile"), &head).unwrap();
    let mut refs = Vec::new();
    for (file, tag) in [("base.Dockerfile", "main"), ("Dockerfile", "pr")] {
        let r = format!("{}/app:{tag}", registry.host());
        for args in [
            vec!["build", "-q", "-f", file, "-t", &r, "--label", "dev.shiplight.managed=1", "."],
            vec!["push", "-q", &r],
        ] {
            let out = Command::new("docker").args(&args).current_dir(dir).env("DOCKER_BUILDKIT", "0").output().unwrap();
            assert!(out.status.success(), "docker {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        }
        refs.push(r);
    }
    (refs[0].clone(), refs[1].clone())
}

fn docker_size(reference: &str) -> u64 {
    let out = Command::new("docker").args(["image", "inspect", "-f", "{{.Size}}", reference]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn pushed_images_compare_exactly_and_four_sources_agree() {
    let Some(bin) = tools("registry_pushed") else { return };
    let Some(engine) = daemon("registry_pushed").await else { return };
    let registry = Registry::start(&bin, Auth::None);
    let dir = tempfile::tempdir().unwrap();
    let (base, head) = pushed_pair(&engine, &registry, dir.path()).await;
    let cache = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_shiplight"))
        .args([
            "compare",
            "--head-image",
            &format!("registry://{head}"),
            "--base-image",
            &format!("registry://{base}"),
            "--format",
            "json",
        ])
        .arg("--cache-dir")
        .arg(cache.path())
        .current_dir(dir.path())
        .output()
        .unwrap();
    let r = json(&out);
    let img = &r["images"][0];
    assert_eq!(r["images"].as_array().unwrap().len(), 1);
    assert!(img["platform"].is_null(), "a single-platform image has no platform row");
    assert_eq!(img["head"]["source"], "registry");
    // exact compressed delta: the pushed layers, as skopeo reads the manifests
    let (hm, bm) = (skopeo_raw(&head, &["--tls-verify=false"]), skopeo_raw(&base, &["--tls-verify=false"]));
    assert_eq!(u(&img["head"]["compressed_bytes"]), manifest_layer_bytes(&hm));
    assert_eq!(
        img["comparison"]["compressed"]["delta"].as_i64().unwrap(),
        manifest_layer_bytes(&hm) as i64 - manifest_layer_bytes(&bm) as i64
    );
    // the uncompressed delta is Docker's
    assert_eq!(u(&img["head"]["size_bytes"]), docker_size(&head));
    assert_eq!(img["delta_bytes"].as_i64().unwrap(), docker_size(&head) as i64 - docker_size(&base) as i64);
    // line attribution from the config's history and the Dockerfile in the folder
    let added: Vec<&Value> =
        img["comparison"]["instructions"].as_array().unwrap().iter().filter(|i| i["change"] == "added").collect();
    assert_eq!(added.len(), 1, "{added:?}");
    assert_eq!(added[0]["line"], 3);
    assert_eq!(added[0]["delta_bytes"], 2_000_000);

    // one image, four sources: the same bytes and the same entries per layer
    let archive = dir.path().join("app.tar");
    let save = Command::new("docker").args(["save", "-o"]).arg(&archive).arg(&head).output().unwrap();
    assert!(save.status.success());
    let layout = dir.path().join("layout");
    skopeo_copy(&["--src-tls-verify=false"], &format!("docker://{head}"), &format!("oci:{}:pr", layout.display()));
    let mut seen = Vec::new();
    for src in [
        format!("registry://{head}"),
        format!("local://{head}"),
        format!("archive://{}", archive.display()),
        format!("oci-dir://{}:pr", layout.display()),
    ] {
        let fresh = tempfile::tempdir().unwrap();
        let r = json(&run(&["compare", "--head-image", &src, "--format", "json"], fresh.path(), &[]));
        let h = &r["images"][0]["head"];
        let entries: Vec<Value> = h["layers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["empty"] == false)
            .map(|l| l["entries"].clone())
            .collect();
        eprintln!("{src}: {} bytes, entries per layer {entries:?}, source {}", h["size_bytes"], h["source"]);
        seen.push((u(&h["size_bytes"]), entries, h["compressed_bytes"].clone()));
    }
    for s in &seen[1..] {
        assert_eq!((s.0, &s.1), (seen[0].0, &seen[0].1));
    }
    assert_eq!(seen[0].0, docker_size(&head));
    // the registry and its OCI copy carry the same compressed blobs
    assert_eq!(seen[0].2, seen[3].2);
    let _ = engine.remove(&head).await;
    let _ = engine.remove(&base).await;
}
