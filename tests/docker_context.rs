//! Docker contexts, as the docker CLI keeps them: contexts made by the real `docker context
//! create` in a scratch `DOCKER_CONFIG`, then `shiplight measure` on the real daemon through
//! them. The order is the CLI's: DOCKER_HOST, then DOCKER_CONTEXT, then `currentContext`
//! (`docker context use`), then the local socket. An SSH endpoint is refused with the command
//! that forwards its socket. (The TLS context is tested with the TLS proxy, in tls.rs.)

mod support;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use support::{busybox, daemon, need, which, BUSYBOX};

fn docker(config: &Path, args: &[&str]) {
    let out = Command::new("docker").arg("--config").arg(config).args(args).env_remove("DOCKER_HOST").output().unwrap();
    assert!(out.status.success(), "docker {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// The size `shiplight measure` reports, after checking it exited 0 (what a user reads).
fn measured_size(out: &Output) -> Option<u64> {
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["size_bytes"].as_u64()
}

fn measure(config: &Path, vars: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shiplight"));
    cmd.args(["measure", "--no-compressed", "--format", "json", BUSYBOX])
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .env("DOCKER_CONFIG", config)
        .env("SHIPLIGHT_CACHE_DIR", config.join("cache"));
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[tokio::test]
async fn contexts_are_followed_as_the_docker_cli_follows_them() {
    let Some(engine) = daemon("docker context").await else { return };
    if !need("docker context", "the docker CLI", which("docker").is_some(), "apt-get install docker.io") {
        return;
    }
    busybox(&engine).await;
    let (_, size, _) = engine.inspect(BUSYBOX).await.unwrap();
    // the daemon the other tests use, as a context endpoint
    let socket = std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into());
    let config = tempfile::tempdir().unwrap();
    let c = config.path();
    docker(c, &["context", "create", "shared-builder", "--docker", &format!("host={socket}")]);
    docker(c, &["context", "create", "gone", "--docker", "host=unix:///nonexistent/docker.sock"]);
    docker(c, &["context", "create", "remote", "--docker", "host=ssh://ci@build.example"]);

    // DOCKER_CONTEXT
    let out = measure(c, &[("DOCKER_CONTEXT", "shared-builder")]);
    assert_eq!(measured_size(&out), Some(size), "the same daemon, through the context");

    // a context whose daemon is not there: the message names the endpoint and the context
    let out = measure(c, &[("DOCKER_CONTEXT", "gone")]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("unix:///nonexistent/docker.sock (context `gone` (DOCKER_CONTEXT))"), "{err}");
    // DOCKER_HOST wins over DOCKER_CONTEXT, as in the CLI: the image is measured there
    let out = measure(c, &[("DOCKER_CONTEXT", "gone"), ("DOCKER_HOST", &socket)]);
    assert_eq!(measured_size(&out), Some(size), "DOCKER_HOST's daemon measured the image");

    // `docker context use`: currentContext in config.json
    docker(c, &["context", "use", "gone"]);
    let out = measure(c, &[]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("context `gone` (currentContext in config.json)"), "{err}");
    docker(c, &["context", "use", "shared-builder"]);
    assert_eq!(measured_size(&measure(c, &[])), Some(size), "the current context's daemon measured the image");

    // an unknown name, and SSH, say what to do
    let out = measure(c, &[("DOCKER_CONTEXT", "typo")]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("DOCKER_CONTEXT names the Docker context `typo`") && err.contains("docker context ls"),
        "{err}"
    );
    let out = measure(c, &[("DOCKER_CONTEXT", "remote")]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("points at ssh://ci@build.example"), "{err}");
    assert!(err.contains("ssh -fNT -L /tmp/remote-docker.sock:/var/run/docker.sock ci@build.example"), "{err}");
}
