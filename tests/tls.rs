//! DOCKER_HOST over TCP with TLS client certificates (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH),
//! as a team pointing shiplight at a shared build daemon would. A mutual-TLS proxy (stunnel,
//! client certificate required and checked against the CA) on 127.0.0.1 fronts the real
//! daemon's socket; the certificates are made here with openssl. The same endpoint is then
//! reached through a Docker context made by `docker context create` with that material. (socat's OpenSSL server
//! cannot resume TLS sessions with client certificates, which rustls does; stunnel can, as
//! dockerd's own Go TLS does.)

mod support;

use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::Value;
use support::{busybox, daemon, BUSYBOX};

struct Proxy(Child);

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tool(name: &str) -> bool {
    Command::new(name).arg("-version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
        || Command::new(name).arg("version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
}

fn measure(port: u16, cert_path: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_shiplight"))
        .args(["measure", "--no-compressed", "--format", "json", BUSYBOX])
        .env("DOCKER_HOST", format!("tcp://127.0.0.1:{port}"))
        .env("DOCKER_TLS_VERIFY", "1")
        .env("DOCKER_CERT_PATH", cert_path)
        .env("SHIPLIGHT_CACHE_DIR", cert_path.join("cache"))
        .output()
        .unwrap()
}

#[tokio::test]
async fn a_remote_daemon_over_mutual_tls() {
    let Some(engine) = daemon("tls").await else { return };
    busybox(&engine).await;
    if !tool("stunnel") || !tool("openssl") {
        assert!(
            std::env::var_os("CI").is_none(),
            "stunnel and openssl are required in CI (scripts/test installs stunnel4)"
        );
        eprintln!("SKIPPED tls: stunnel or openssl missing (apt-get install stunnel4 openssl)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    support::certificates(dir.path());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let conf = dir.path().join("stunnel.conf");
    std::fs::write(
        &conf,
        format!(
            "foreground = yes\npid =\n[docker]\naccept = 127.0.0.1:{port}\nconnect = /var/run/docker.sock\ncert = {0}/server.pem\nkey = {0}/server-key.pem\nCAfile = {0}/ca.pem\nverifyChain = yes\n",
            dir.path().display()
        ),
    )
    .unwrap();
    let _proxy = Proxy(Command::new("stunnel").arg(&conf).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap());
    // wait (bounded) for the listener
    for _ in 0..50 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    let out = measure(port, dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (_, size, _) = engine.inspect(BUSYBOX).await.unwrap();
    assert_eq!(v["size_bytes"].as_u64().unwrap(), size, "the same daemon, reached over TLS");

    // the same daemon through a Docker context whose TLS material the docker CLI stored
    if support::which("docker").is_some() {
        let config = tempfile::tempdir().unwrap();
        let d = dir.path().display();
        let host = format!("host=tcp://127.0.0.1:{port},ca={d}/ca.pem,cert={d}/cert.pem,key={d}/key.pem");
        let made = Command::new("docker")
            .arg("--config")
            .arg(config.path())
            .args(["context", "create", "tls-builder", "--docker", &host])
            .output()
            .unwrap();
        assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
        let out = Command::new(env!("CARGO_BIN_EXE_shiplight"))
            .args(["measure", "--no-compressed", "--format", "json", BUSYBOX])
            .env_remove("DOCKER_HOST")
            .env_remove("DOCKER_TLS_VERIFY")
            .env_remove("DOCKER_CERT_PATH")
            .env("DOCKER_CONFIG", config.path())
            .env("DOCKER_CONTEXT", "tls-builder")
            .env("SHIPLIGHT_CACHE_DIR", config.path().join("cache"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["size_bytes"].as_u64().unwrap(), size, "through the context's TLS material");
    } else {
        assert!(std::env::var_os("CI").is_none(), "the docker CLI is required in CI");
    }

    // without the client certificate the proxy refuses the connection
    let no_client = tempfile::tempdir().unwrap();
    std::fs::copy(dir.path().join("ca.pem"), no_client.path().join("ca.pem")).unwrap();
    let out = measure(port, no_client.path());
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("tcp://127.0.0.1:{port}")), "{err}");
}
