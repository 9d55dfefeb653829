//! Inside GitHub Actions, `actions/checkout` fetches only the merge commit: the base tree
//! comes from the tarball API with the job's token. A local HTTP server (127.0.0.1) stands in
//! for GitHub's API and redirects to a codeload-style URL, as GitHub does.

mod support;

use serde_json::Value;
use support::{busybox, cleanup, daemon, top_growth, Repo, BUSYBOX};
use wiremock::matchers::{header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const BASE_SHA: &str = "0123456789abcdef0123456789abcdef01234567";

fn tarball(files: &[(&str, &str)]) -> Vec<u8> {
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()));
    for (p, text) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(text.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, format!("octo-app-{}/{p}", &BASE_SHA[..7]), text.as_bytes()).unwrap();
    }
    b.into_inner().unwrap().finish().unwrap()
}

fn actions_run(repo: &Repo, server: &MockServer) -> std::process::Output {
    let event = repo.path().join("event.json");
    std::fs::write(&event, format!(r#"{{"action":"synchronize","pull_request":{{"number":3,"base":{{"sha":"{BASE_SHA}"}},"head":{{"sha":"feed"}}}}}}"#)).unwrap();
    std::process::Command::new(env!("CARGO_BIN_EXE_shiplight"))
        .args(["compare", "--format", "json"])
        .current_dir(repo.path())
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_REPOSITORY", "octo/app")
        .env("GITHUB_API_URL", server.uri())
        .env("GITHUB_TOKEN", "job-token")
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_base_tree_comes_from_the_tarball_api_when_checkout_lacks_it() {
    let Some(engine) = daemon("github_base").await else { return };
    busybox(&engine).await;
    let server = MockServer::start().await;
    let base_dockerfile = format!("FROM {BUSYBOX}\nCOPY hello.txt /app/\n");
    Mock::given(method("GET"))
        .and(path(format!("/repos/octo/app/tarball/{BASE_SHA}")))
        .and(header_exists("authorization"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/codeload/octo/app/legacy.tar.gz/{BASE_SHA}", server.uri())),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/codeload/octo/app/legacy.tar.gz/{BASE_SHA}")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_bytes(tarball(&[("Dockerfile", &base_dockerfile), ("hello.txt", "hello\n")])),
        )
        .mount(&server)
        .await;

    // the checkout has only the head commit: the base SHA is not in it
    let repo = Repo::new();
    repo.write("hello.txt", "hello\n");
    repo.write("Dockerfile", &format!("{base_dockerfile}RUN head -c 2000000 /dev/zero > /pad\n"));
    repo.commit("merge commit");
    let out = tokio::task::block_in_place(|| actions_run(&repo, &server));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let img = &v["images"][0];
    assert_eq!(img["base_commit"], BASE_SHA);
    assert_eq!(img["delta_bytes"], 2_000_000, "{img}");
    let top = top_growth(img);
    assert_eq!(top["line"], 3);
    let refs: Vec<&str> =
        [&img["head"]["reference"], &img["base"]["reference"]].iter().filter_map(|r| r.as_str()).collect();
    cleanup(&engine, &refs).await;
    server.verify().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_tarball_names_the_missing_permission() {
    let Some(engine) = daemon("github_base_403").await else { return };
    busybox(&engine).await;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/octo/app/tarball/{BASE_SHA}")))
        .respond_with(ResponseTemplate::new(404).set_body_json(
            serde_json::json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}),
        ))
        .mount(&server)
        .await;
    let repo = Repo::new();
    repo.write("Dockerfile", &format!("FROM {BUSYBOX}\n"));
    repo.commit("merge commit");
    let out = tokio::task::block_in_place(|| actions_run(&repo, &server));
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    eprintln!("{err}");
    assert!(err.contains(&server.uri()) && err.contains("contents: read"), "{err}");
}
