//! Shared harness for tests that need a real Docker daemon.
//!
//! In CI (`CI` set) a missing daemon fails the test: `.ci/run` starts one with
//! scripts/dockerd.sh. Locally the test is skipped with a message saying how to start one.
//! Every image a test makes is labelled `dev.shiplight.managed` and removed afterwards.

#![allow(dead_code)]

pub mod action;
pub mod github;
pub mod inplace;
pub mod registry;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use bytes::Bytes;
use shiplight::image::docker::engine::Engine;

/// Connect to the daemon, or skip (locally) / fail (in CI). Prints the engine it runs on.
pub async fn daemon(test: &str) -> Option<Engine> {
    match Engine::connect(Duration::from_secs(600)).await {
        Ok(e) => {
            let info = e.server_info().await.expect("daemon version");
            eprintln!("{test}: running on Docker Engine {} (API {})", info.version, info.api_version);
            Some(e)
        }
        Err(err) => {
            assert!(std::env::var_os("CI").is_none(), "{test}: a Docker daemon is required in CI: {err}");
            eprintln!("SKIPPED {test}: {err}. Start one with `sudo scripts/dockerd.sh`.");
            None
        }
    }
}

/// The tiny base image every daemon test builds on: Debian's static busybox, imported.
pub const BUSYBOX: &str = "shiplight-test/busybox:1";

/// Make [`BUSYBOX`] unless it exists (once per machine).
pub async fn busybox(engine: &Engine) {
    if engine.exists(BUSYBOX).await {
        return;
    }
    let busybox = ["/bin/busybox", "/usr/bin/busybox"]
        .into_iter()
        .find(|p| Path::new(p).is_file())
        .expect("busybox-static is needed: apt-get install busybox-static");
    let mut b = tar::Builder::new(Vec::new());
    b.append_path_with_name(busybox, "bin/busybox").unwrap();
    for tool in [
        "sh", "head", "rm", "cat", "echo", "dd", "ls", "mkdir", "sleep", "true", "false", "env", "chmod", "chown",
        "cp", "mv", "httpd", "wget",
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        h.set_mode(0o777);
        b.append_link(&mut h, format!("bin/{tool}"), "busybox").unwrap();
    }
    for dir in ["tmp", "etc", "root"] {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_size(0);
        h.set_mode(0o1777);
        b.append_data(&mut h, dir, std::io::empty()).unwrap();
    }
    let rootfs = Bytes::from(b.into_inner().unwrap());
    let (repo, tag) = BUSYBOX.split_once(':').unwrap();
    engine.import_rootfs(rootfs, repo, tag, &["CMD [\"sh\"]", "ENV PATH=/bin"]).await.expect("import busybox");
}

/// A git repository in a temporary folder, committed step by step.
pub struct Repo {
    pub dir: tempfile::TempDir,
}

impl Repo {
    pub fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let r = Repo { dir };
        r.git(&["init", "-q", "-b", "main"]);
        r.git(&["config", "user.email", "test@shiplight.invalid"]);
        r.git(&["config", "user.name", "shiplight test"]);
        r
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }

    pub fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git").arg("-C").arg(self.path()).args(args).output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// Run the shiplight binary.
pub fn shiplight(args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_shiplight")).args(args).current_dir(cwd).env("NO_COLOR", "1").output().unwrap()
}

/// `shiplight suggest --verify --format json Dockerfile` in `dir`: its JSON, after checking
/// it exited 0 and the patch was verified (`what` names the case in the messages).
pub fn suggest_verified(dir: &Path, what: &str) -> serde_json::Value {
    let out = shiplight(&["suggest", "--verify", "--format", "json", "Dockerfile"], dir);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{what}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(out.status.code(), Some(0), "{what}: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(v["verification"]["verified"], true, "{what}: {v}");
    v
}

/// Remove the images shiplight built for this repository's comparisons.
pub async fn cleanup(engine: &Engine, tags: &[&str]) {
    for t in tags {
        let _ = engine.remove(t).await;
    }
}

/// A peer tool on PATH.
#[allow(dead_code)] // not every test binary uses every helper
pub fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|d| Path::new(d).join(tool)).find(|p| p.is_file())
}

/// Whether what `test` needs is here: a skip (locally) or a failure (CI) naming how to get it.
#[allow(dead_code)]
pub fn need(test: &str, what: &str, ok: bool, how: &str) -> bool {
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "{what} is required in CI: {how}");
        eprintln!("SKIPPED {test}: {what} is missing: {how}");
    }
    ok
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The comparison row that grew most, from a `compare --format json` image entry.
pub fn top_growth(img: &serde_json::Value) -> serde_json::Value {
    img["comparison"]["instructions"]
        .as_array()
        .expect("a comparison")
        .iter()
        .max_by_key(|d| d["delta_bytes"].as_i64().unwrap_or(i64::MIN))
        .cloned()
        .expect("at least one row")
}

/// GitHub's rendering of a comment body.
pub fn github_html(markdown: &str) -> Option<String> {
    let mut child = Command::new("cmark-gfm")
        .args(["-e", "table", "-e", "autolink", "-e", "tagfilter", "--unsafe"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    use std::io::Write;
    child.stdin.take()?.write_all(markdown.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Every `<summary>…</summary>` in the HTML.
pub fn summaries(html: &str) -> Vec<&str> {
    html.split("<summary>").skip(1).filter_map(|s| s.split_once("</summary>").map(|(a, _)| a)).collect()
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").args(args).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// ca.pem, cert.pem/key.pem (client, Docker's names) and server.pem/server-key.pem (for
/// 127.0.0.1), made with openssl.
pub fn certificates(dir: &Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=shiplight test CA",
            "-keyout",
            "ca-key.pem",
            "-out",
            "ca.pem",
        ],
    );
    std::fs::write(dir.join("server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n").unwrap();
    std::fs::write(dir.join("client.ext"), "extendedKeyUsage=clientAuth\n").unwrap();
    for (name, ext) in [("server", "server.ext"), ("client", "client.ext")] {
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                &format!("/CN={name}"),
                "-keyout",
                &format!("{name}-key.pem"),
                "-out",
                &format!("{name}.csr"),
            ],
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &format!("{name}.csr"),
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca-key.pem",
                "-CAcreateserial",
                "-days",
                "1",
                "-extfile",
                ext,
                "-out",
                &format!("{name}.pem"),
            ],
        );
    }
    std::fs::copy(dir.join("client.pem"), dir.join("cert.pem")).unwrap();
    std::fs::copy(dir.join("client-key.pem"), dir.join("key.pem")).unwrap();
}
