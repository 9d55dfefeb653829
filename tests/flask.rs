//! The mission's own example, end to end on a real daemon: a git fixture whose base commit
//! has the multi-stage Flask Dockerfile and whose head commit has the single-stage one.
//! Needs the stand-in base images (`scripts/fixtures.sh`, run by scripts/test): no
//! registry is reachable, so `python:3.9` and `python:3.9-slim` are built locally.

mod support;

use serde_json::Value;
use support::{cleanup, daemon, root, shiplight, Repo};

#[tokio::test]
async fn single_stage_flask_is_larger_and_the_toolchain_tops_the_growth() {
    let Some(engine) = daemon("flask").await else { return };
    for fixture in ["python:3.9", "python:3.9-slim"] {
        if !engine.exists(fixture).await {
            assert!(
                std::env::var_os("CI").is_none(),
                "{fixture} is missing: scripts/test runs scripts/fixtures.sh in CI"
            );
            eprintln!("SKIPPED flask: {fixture} is missing; run scripts/fixtures.sh");
            return;
        }
    }
    let example = root().join("examples/flask");
    let repo = Repo::new();
    repo.write("app.py", &std::fs::read_to_string(example.join("app.py")).unwrap());
    repo.write("Dockerfile", &std::fs::read_to_string(example.join("multistage.Dockerfile")).unwrap());
    repo.commit("multi-stage flask");
    repo.write("Dockerfile", &std::fs::read_to_string(example.join("Dockerfile")).unwrap());
    repo.commit("single-stage flask");

    let out = shiplight(&["compare", "--base-ref", "HEAD~1", "--format", "json", "--name", "flask"], repo.path());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    let img = &v["images"][0];
    assert!(img["base_skipped"].is_null(), "{}", img["base_skipped"]);

    // larger by exactly what the daemon measures
    let (_, head, _) = engine.inspect(img["head"]["reference"].as_str().unwrap()).await.unwrap();
    let (_, base, _) = engine.inspect(img["base"]["reference"].as_str().unwrap()).await.unwrap();
    let delta = img["delta_bytes"].as_i64().unwrap();
    assert_eq!(delta, head as i64 - base as i64);
    assert!(delta > 100_000_000, "the single-stage image is much larger: {delta}");
    eprintln!("flask: multi-stage {base} B, single-stage {head} B, delta {delta} B");

    // the build toolchain layer tops the growth table
    let c = &img["comparison"];
    assert_eq!(c["base_image_changed"], serde_json::json!(["python:3.9-slim", "python:3.9"]));
    let mut rows: Vec<&Value> = c["instructions"].as_array().unwrap().iter().collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r["delta_bytes"].as_i64().unwrap()));
    let toolchain: Vec<&str> =
        rows[0]["toolchain"].as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    assert!(toolchain.contains(&"build-essential"), "top growth is not the toolchain layer: {}", rows[0]);
    assert_eq!(rows[0]["line"], 1, "attributed to the FROM line that brought it");
    // and the Dockerfile's own apt install is attributed to its line
    assert!(rows.iter().any(|r| r["line"] == 4 && r["instruction"].as_str().unwrap().starts_with("RUN apt update")));

    // which packages: the compilers top the list, brought by the FROM line's python:3.9 (the
    // stand-in ships build-essential, as the official image does), via build-essential
    let added = img["packages"]["added"].as_array().expect("a package delta");
    let top: Vec<&str> = added.iter().take(3).map(|p| p["name"].as_str().unwrap()).collect();
    assert!(top.iter().all(|n| ["gcc-12", "g++-12", "cpp-12"].contains(n)), "{top:?}");
    assert!(added.iter().take(3).all(|p| p["line"] == 1 && p["via"] == "build-essential"), "{:#?}", &added[..3]);
    eprintln!("flask: {} packages added, the largest {} ({} B)", added.len(), added[0]["name"], added[0]["bytes"]);

    // the same report rendered for a person (no second build: the report is the contract)
    let report: shiplight::report::Report = serde_json::from_value(v.clone()).unwrap();
    let text = shiplight::report::render::compare_text(&report);
    eprintln!("{text}");
    assert!(text.contains("base image: python:3.9-slim \u{2192} python:3.9"), "{text}");
    assert!(text.contains("build toolchain: build-essential, python3-dev"), "{text}");

    // the pull-request comment, previewed locally (the builds are cached): the same body the
    // Action posts, with the new findings and the suggested rewrite
    let out = shiplight(
        &["compare", "--base-ref", "HEAD~1", "--format", "markdown", "--fail-on-increase-percent", "10"],
        repo.path(),
    );
    let md = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "the preview exits like the check: {md}");
    assert!(md.contains("### ❌ 📦 `"), "{md}");
    assert!(md.contains("build toolchain: `build-essential`, `python3-dev`"), "{md}");
    assert!(md.contains("  - packages: `gcc-12` +"), "the FROM line's top packages under it: {md}");
    assert!(
        md.contains("<details><summary>💡 Suggested multi-stage rewrite <code>python</code> (not built)</summary>"),
        "{md}"
    );
    assert!(md.contains("+FROM python:3.9-slim AS runtime"), "{md}");
    assert!(md.contains("**Lint findings new in this pull request**"), "{md}");
    assert!(md.contains("[SL101]"), "{md}");
    if let Some(path) = std::env::var_os("SHIPLIGHT_WRITE_EXAMPLE") {
        std::fs::write(path, md.as_bytes()).unwrap();
    }
    let refs: Vec<&str> =
        [&img["head"]["reference"], &img["base"]["reference"]].iter().filter_map(|r| r.as_str()).collect();
    cleanup(&engine, &refs).await;
}
