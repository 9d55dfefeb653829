//! What only a newer Docker Engine can build, on one: Debian 13's Engine 26.1.5 (API 1.45),
//! which scripts/dockerd-next.sh runs beside the machine's Engine 20.10 and scripts/test
//! names in SHIPLIGHT_NEXT_DOCKER_HOST. Engine 20.10's built-in Dockerfile frontend cannot
//! build heredocs; 26's can, through BuildKit, which `--builder auto` picks for them.

mod support;

use serde_json::Value;
use support::{shiplight, Repo};

#[tokio::test]
async fn a_heredoc_run_is_built_compared_and_attributed_on_engine_26() {
    let Some(host) = std::env::var_os("SHIPLIGHT_NEXT_DOCKER_HOST") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs the newer engine (scripts/dockerd-next.sh via scripts/test)"
        );
        eprintln!("SKIPPED engine_next: run scripts/dockerd-next.sh and set SHIPLIGHT_NEXT_DOCKER_HOST");
        return;
    };
    // the only test in this binary: the process talks to the newer engine
    std::env::set_var("DOCKER_HOST", &host);
    let Some(engine) = support::daemon("engine_next").await else { return };
    let info = engine.server_info().await.unwrap();
    let major: u32 = info.version.split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
    assert!(major >= 23, "this test is for an engine that builds heredocs, not {}", info.version);
    support::busybox(&engine).await;

    let repo = Repo::new();
    repo.write("Dockerfile", "FROM shiplight-test/busybox:1\nRUN echo base > /note\n");
    repo.commit("base");
    repo.write(
        "Dockerfile",
        "FROM shiplight-test/busybox:1\nRUN echo base > /note\nRUN <<EOF\ndd if=/dev/zero of=/blob bs=1M count=3\necho built\nEOF\nCMD [\"cat\", \"/note\"]\n",
    );
    repo.commit("a heredoc RUN adds 3 MiB");
    let out = shiplight(&["compare", "--base-ref", "HEAD~1", "--format", "json", "--name", "heredoc"], repo.path());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    let img = &v["images"][0];
    assert!(img["engine"].as_str().unwrap().starts_with(&info.version), "{}", img["engine"]);
    let delta = img["delta_bytes"].as_i64().unwrap();
    assert!((3_145_728..3_200_000).contains(&delta), "3 MiB added by the heredoc: {delta}");
    let top = support::top_growth(img);
    assert_eq!(top["line"], 3, "attributed to the heredoc RUN on line 3: {top}");
    let refs: Vec<&str> =
        [&img["head"]["reference"], &img["base"]["reference"]].iter().filter_map(|r| r.as_str()).collect();
    support::cleanup(&engine, &refs).await;
}
