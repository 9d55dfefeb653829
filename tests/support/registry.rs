//! Real registries for tests: Debian's `docker-registry` (distribution 2.8) on 127.0.0.1,
//! plain HTTP, TLS with htpasswd Basic auth, or behind distribution's own `token` auth with a
//! small token issuer made here (JWTs signed with openssl). Plus a client that pushes what
//! `docker push` cannot (indexes, zstd layers, OCI media types) through the Distribution API,
//! and a proxy that puts faults in front of a registry.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use sha2::{Digest, Sha256};

pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect::<String>())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// How a registry authenticates.
pub enum Auth {
    None,
    /// TLS with a CA made here (`dir/ca.pem`), and htpasswd Basic auth for `user`/`password`.
    TlsBasic {
        user: &'static str,
        password: &'static str,
    },
    /// distribution's token auth; the issuer grants pull to anyone and push to `user`.
    Token {
        user: &'static str,
        password: &'static str,
    },
}

/// `docker-registry serve` on a free 127.0.0.1 port, storing in a temporary folder.
pub struct Registry {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
    issuer: Option<Issuer>,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Registry {
    pub fn start(binary: &Path, auth: Auth) -> Registry {
        let port = free_port();
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let mut config = format!(
            "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
            d.join("data").display()
        );
        let mut issuer = None;
        match &auth {
            Auth::None => {}
            Auth::TlsBasic { user, password } => {
                super::certificates(d);
                config.push_str(&format!(
                    "  tls:\n    certificate: {}\n    key: {}\nauth:\n  htpasswd:\n    realm: shiplight-test\n    path: {}\n",
                    d.join("server.pem").display(),
                    d.join("server-key.pem").display(),
                    d.join("htpasswd").display()
                ));
                let hash = bcrypt::hash(password, 5).unwrap();
                std::fs::write(d.join("htpasswd"), format!("{user}:{hash}\n")).unwrap();
            }
            Auth::Token { user, password } => {
                let i = Issuer::start(d, user, password);
                config.push_str(&format!(
                    "auth:\n  token:\n    realm: http://127.0.0.1:{}/token\n    service: shiplight-test\n    issuer: shiplight-test-issuer\n    rootcertbundle: {}\n",
                    i.port,
                    d.join("issuer.pem").display()
                ));
                issuer = Some(i);
            }
        }
        std::fs::write(d.join("config.yml"), config).unwrap();
        let child = Command::new(binary)
            .arg("serve")
            .arg(d.join("config.yml"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(d.join("registry.log")).unwrap())
            .spawn()
            .expect("start docker-registry");
        let registry = Registry { child, port, dir, issuer };
        // bounded: 100 tries, 100 ms apart
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return registry;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("docker-registry did not answer on 127.0.0.1:{port}: {}", registry.log());
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }

    /// What the token issuer was asked: (user or `-`, scope), in order.
    pub fn token_requests(&self) -> Vec<(String, String)> {
        self.issuer.as_ref().map(|i| i.requests.lock().unwrap().clone()).unwrap_or_default()
    }

    /// A plain HTTP GET: (status, body).
    pub fn get(&self, path: &str, accept: &str) -> std::io::Result<(u16, String)> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port))?;
        s.set_read_timeout(Some(Duration::from_secs(10)))?;
        write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nAccept: {accept}\r\n\r\n", self.port)?;
        let mut text = String::new();
        s.read_to_string(&mut text)?;
        let status = text.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
        let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
        Ok((status, body))
    }
}

/// A token issuer for distribution's `token` auth: RS256 JWTs whose `x5c` header carries the
/// self-signed certificate the registry trusts (rootcertbundle), signed by `openssl dgst`.
struct Issuer {
    port: u16,
    requests: Arc<Mutex<Vec<(String, String)>>>,
}

impl Issuer {
    fn start(dir: &Path, user: &'static str, password: &'static str) -> Issuer {
        let out = Command::new("openssl")
            .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=shiplight issuer"])
            .args(["-keyout", "issuer-key.pem", "-out", "issuer.pem"])
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "openssl: {}", String::from_utf8_lossy(&out.stderr));
        let der = Command::new("openssl")
            .args(["x509", "-in", "issuer.pem", "-outform", "DER"])
            .current_dir(dir)
            .output()
            .unwrap()
            .stdout;
        let x5c = base64::engine::general_purpose::STANDARD.encode(der);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (log, key) = (requests.clone(), dir.join("issuer-key.pem"));
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let _ = answer_token(conn, &x5c, &key, user, password, &log);
            }
        });
        Issuer { port, requests }
    }
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn answer_token(
    conn: TcpStream,
    x5c: &str,
    key: &Path,
    user: &str,
    password: &str,
    log: &Mutex<Vec<(String, String)>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let target = line.split_whitespace().nth(1).unwrap_or("").to_owned();
    let mut authorization = None;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("authorization") {
                authorization = Some(v.trim().to_owned());
            }
        }
    }
    let query: Vec<(String, String)> = url::Url::parse(&format!("http://x{target}"))
        .map(|u| u.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
        .unwrap_or_default();
    let scope = query.iter().find(|(k, _)| k == "scope").map(|(_, v)| v.clone()).unwrap_or_default();
    let given = authorization
        .and_then(|a| a.strip_prefix("Basic ").map(str::to_owned))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    log.lock()
        .unwrap()
        .push((given.as_deref().and_then(|g| g.split(':').next()).unwrap_or("-").to_owned(), scope.clone()));
    let mut w = conn;
    if given.as_deref().is_some_and(|g| g != format!("{user}:{password}")) {
        return write!(w, "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    }
    // pull for anyone; push too for the user
    let mut parts = scope.split(':');
    let (kind, name, actions) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let allowed: Vec<&str> = actions.split(',').filter(|a| *a == "pull" || (given.is_some() && *a == "push")).collect();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let header = serde_json::json!({"typ": "JWT", "alg": "RS256", "x5c": [x5c]});
    let claims = serde_json::json!({
        "iss": "shiplight-test-issuer", "sub": given.as_deref().and_then(|g| g.split(':').next()).unwrap_or(""),
        "aud": "shiplight-test", "exp": now + 300, "nbf": now - 10, "iat": now, "jti": format!("{now}-{}", std::process::id()),
        "access": if kind.is_empty() { serde_json::json!([]) } else { serde_json::json!([{"type": kind, "name": name, "actions": allowed}]) },
    });
    let signing = format!("{}.{}", b64url(header.to_string().as_bytes()), b64url(claims.to_string().as_bytes()));
    let mut child = Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    child.stdin.take().unwrap().write_all(signing.as_bytes())?;
    let sig = child.wait_with_output()?.stdout;
    let body = serde_json::json!({"token": format!("{signing}.{}", b64url(&sig)), "expires_in": 300}).to_string();
    write!(
        w,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Pushes blobs and manifests through the Distribution API (plain HTTP registries).
pub struct Pusher {
    agent: ureq::Agent,
    base: String,
}

impl Pusher {
    pub fn new(host: &str) -> Pusher {
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        Pusher { agent, base: format!("http://{host}") }
    }

    /// Upload `bytes` as a blob of `repo` (monolithic); its descriptor.
    pub fn blob(&self, repo: &str, media_type: &str, bytes: &[u8]) -> serde_json::Value {
        let digest = sha256(bytes);
        let resp = self.agent.post(format!("{}/v2/{repo}/blobs/uploads/", self.base)).send_empty().unwrap();
        assert_eq!(resp.status().as_u16(), 202, "start upload");
        let location = resp.headers().get("location").unwrap().to_str().unwrap().to_owned();
        let url = if location.starts_with("http") { location } else { format!("{}{location}", self.base) };
        let sep = if url.contains('?') { '&' } else { '?' };
        let resp = self
            .agent
            .put(format!("{url}{sep}digest={digest}"))
            .header("Content-Type", "application/octet-stream")
            .send(bytes)
            .unwrap();
        assert_eq!(resp.status().as_u16(), 201, "finish upload of {digest}");
        serde_json::json!({"mediaType": media_type, "digest": digest, "size": bytes.len()})
    }

    /// PUT a manifest under `reference` (a tag or its digest); its descriptor.
    pub fn manifest(
        &self,
        repo: &str,
        reference: &str,
        media_type: &str,
        body: &serde_json::Value,
    ) -> serde_json::Value {
        let bytes = serde_json::to_vec(body).unwrap();
        let resp = self
            .agent
            .put(format!("{}/v2/{repo}/manifests/{reference}", self.base))
            .header("Content-Type", media_type)
            .send(&bytes[..])
            .unwrap();
        let status = resp.status().as_u16();
        assert_eq!(
            status,
            201,
            "PUT manifest {repo}:{reference}: {}",
            resp.into_body().read_to_string().unwrap_or_default()
        );
        serde_json::json!({"mediaType": media_type, "digest": sha256(&bytes), "size": bytes.len()})
    }
}

/// What the proxy does to one answer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Fault {
    /// The first request for a manifest answers 429 with `Retry-After: 1`.
    RateLimitOnce,
    /// The same, with `Retry-After` as an HTTP date three seconds ahead.
    RateLimitOnceUntil,
    /// Blob answers have one byte flipped.
    CorruptBlobs,
    /// Blob answers stop halfway and the connection closes.
    DieMidBlob,
}

/// An HTTP proxy in front of a plain registry that injects one [`Fault`].
pub struct FaultProxy {
    pub port: u16,
    /// Requests seen, as `METHOD PATH -> STATUS`.
    pub seen: Arc<Mutex<Vec<String>>>,
}

impl FaultProxy {
    pub fn start(upstream: u16, fault: Fault) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (log, limited) = (seen.clone(), Arc::new(AtomicUsize::new(0)));
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (log, limited) = (log.clone(), limited.clone());
                std::thread::spawn(move || {
                    let _ = relay(conn, upstream, port, fault, &log, &limited);
                });
            }
        });
        FaultProxy { port, seen }
    }
}

fn relay(
    client: TcpStream,
    upstream: u16,
    own_port: u16,
    fault: Fault,
    log: &Mutex<Vec<String>>,
    limited: &AtomicUsize,
) -> std::io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(client.try_clone()?);
    let mut head = String::new();
    reader.read_line(&mut head)?;
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        let lower = h.to_ascii_lowercase();
        if !lower.starts_with("connection:") && !lower.starts_with("host:") {
            headers.push(h);
        }
    }
    let mut parts = head.split_whitespace();
    let (method, path) = (parts.next().unwrap_or("").to_owned(), parts.next().unwrap_or("").to_owned());
    let mut out = client;
    let limits = matches!(fault, Fault::RateLimitOnce | Fault::RateLimitOnceUntil);
    if limits && path.contains("/manifests/") && limited.fetch_add(1, Ordering::SeqCst) == 0 {
        log.lock().unwrap().push(format!("{method} {path} -> 429"));
        let after = match fault {
            Fault::RateLimitOnceUntil => httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(3)),
            _ => "1".to_owned(),
        };
        return write!(
            out,
            "HTTP/1.1 429 Too Many Requests\r\nRetry-After: {after}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
    }
    let mut up = TcpStream::connect(("127.0.0.1", upstream))?;
    write!(up, "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{own_port}\r\nConnection: close\r\n")?;
    for h in &headers {
        up.write_all(h.as_bytes())?;
    }
    up.write_all(b"\r\n")?;
    let mut answer = Vec::new();
    up.read_to_end(&mut answer)?;
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4).unwrap_or(answer.len());
    let (resp_head, body) = answer.split_at(split);
    let resp_head = String::from_utf8_lossy(resp_head).into_owned();
    let status = resp_head.split_whitespace().nth(1).unwrap_or("").to_owned();
    log.lock().unwrap().push(format!("{method} {path} -> {status}"));
    let mut body = body.to_vec();
    let is_blob = method == "GET" && path.contains("/blobs/sha256:") && status == "200" && body.len() > 1000;
    match fault {
        Fault::CorruptBlobs if is_blob => {
            let mid = body.len() / 2;
            body[mid] ^= 0xff;
        }
        Fault::DieMidBlob if is_blob => {
            out.write_all(resp_head.as_bytes())?;
            out.write_all(&body[..body.len() / 2])?;
            out.flush()?;
            return out.shutdown(std::net::Shutdown::Both);
        }
        _ => {}
    }
    out.write_all(resp_head.as_bytes())?;
    out.write_all(&body)
}

/// A layer tar of `files` (path, content).
pub fn layer(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (p, data) in files {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_cksum();
        b.append_data(&mut h, p, &data[..]).unwrap();
    }
    b.into_inner().unwrap()
}

/// `n` bytes that do not compress (a xorshift stream from `seed`).
pub fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// An app's layer: 40,000 bytes of `app/base.bin`, plus `extra` bytes of `app/new.bin` when
/// the pull request grew it; `seed` makes each platform's bytes its own.
pub fn app_layer(seed: u64, extra: usize) -> Vec<u8> {
    let mut files = vec![("app/base.bin", noise(40_000, seed))];
    if extra > 0 {
        files.push(("app/new.bin", noise(extra, seed + 7)));
    }
    layer(&files)
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// zstd with Debian's `zstd` (what BuildKit's `compression=zstd` writes is a standard frame).
pub fn zstd(bytes: &[u8]) -> Vec<u8> {
    let mut child = Command::new("zstd")
        .args(["-q", "-c", "-3"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("zstd");
    let mut stdin = child.stdin.take().unwrap();
    let data = bytes.to_vec();
    let feeder = std::thread::spawn(move || stdin.write_all(&data));
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap().unwrap();
    out.stdout
}

/// Push a one-layer image per platform as an OCI index under `repo:tag`, each platform's layer
/// compressed its own way, plus a BuildKit-style attestation manifest (`unknown/unknown`).
/// Returns each platform's manifest descriptor.
pub fn push_index(
    pusher: &Pusher,
    repo: &str,
    tag: &str,
    platforms: &[(&str, &str, Vec<u8>, &str)],
) -> Vec<(String, serde_json::Value)> {
    const IMAGE: &str = "application/vnd.oci.image.manifest.v1+json";
    let mut entries = Vec::new();
    let mut out = Vec::new();
    for (os_arch, created_by, tar, compression) in platforms {
        let (blob, media) = match *compression {
            "gzip" => (gzip(tar), "application/vnd.oci.image.layer.v1.tar+gzip"),
            "zstd" => (zstd(tar), "application/vnd.oci.image.layer.v1.tar+zstd"),
            _ => (tar.clone(), "application/vnd.oci.image.layer.v1.tar"),
        };
        let (os, arch) = os_arch.split_once('/').unwrap();
        let config = serde_json::json!({
            "architecture": arch, "os": os,
            "rootfs": {"type": "layers", "diff_ids": [sha256(tar)]},
            "history": [{"created_by": created_by}, {"created_by": "CMD [\"sh\"]", "empty_layer": true}],
            "config": {},
        });
        let config_desc =
            pusher.blob(repo, "application/vnd.oci.image.config.v1+json", &serde_json::to_vec(&config).unwrap());
        let layer_desc = pusher.blob(repo, media, &blob);
        let manifest =
            serde_json::json!({"schemaVersion": 2, "mediaType": IMAGE, "config": config_desc, "layers": [layer_desc]});
        let bytes = serde_json::to_vec(&manifest).unwrap();
        let desc = pusher.manifest(repo, &sha256(&bytes), IMAGE, &manifest);
        let mut entry = desc.clone();
        entry["platform"] = serde_json::json!({"os": os, "architecture": arch});
        entries.push(entry);
        out.push((os_arch.to_string(), desc));
    }
    // an attestation manifest, as BuildKit attaches one per platform
    let att_layer =
        pusher.blob(repo, "application/vnd.in-toto+json", b"{\"predicateType\":\"https://spdx.dev/Document\"}");
    let att_config = pusher.blob(
        repo,
        "application/vnd.oci.image.config.v1+json",
        b"{\"architecture\":\"unknown\",\"os\":\"unknown\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}",
    );
    let att = serde_json::json!({"schemaVersion": 2, "mediaType": IMAGE, "config": att_config, "layers": [att_layer]});
    let att_bytes = serde_json::to_vec(&att).unwrap();
    let mut att_desc = pusher.manifest(repo, &sha256(&att_bytes), IMAGE, &att);
    att_desc["platform"] = serde_json::json!({"os": "unknown", "architecture": "unknown"});
    att_desc["annotations"] = serde_json::json!({"vnd.docker.reference.type": "attestation-manifest"});
    entries.push(att_desc);
    let index = serde_json::json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries});
    pusher.manifest(repo, tag, "application/vnd.oci.image.index.v1+json", &index);
    out
}

/// `skopeo copy -q FLAGS… FROM TO` (skopeo's transports: `docker://…`, `oci:DIR:TAG`), which
/// must succeed.
pub fn skopeo_copy(flags: &[&str], from: &str, to: &str) {
    let out = Command::new("skopeo").args(["copy", "-q"]).args(flags).args([from, to]).output().unwrap();
    assert!(out.status.success(), "skopeo copy {from} {to}: {}", String::from_utf8_lossy(&out.stderr));
}

/// `skopeo inspect --raw` of a reference on a plain or TLS registry: the manifest JSON.
pub fn skopeo_raw(reference: &str, extra: &[&str]) -> serde_json::Value {
    let out = Command::new("skopeo")
        .args(["inspect", "--raw"])
        .args(extra)
        .arg(format!("docker://{reference}"))
        .output()
        .unwrap();
    assert!(out.status.success(), "skopeo inspect {reference}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The layer sizes a manifest lists, summed (what a pull downloads).
pub fn manifest_layer_bytes(manifest: &serde_json::Value) -> u64 {
    manifest["layers"].as_array().unwrap().iter().map(|l| l["size"].as_u64().unwrap()).sum()
}

pub fn docker_registry() -> Option<PathBuf> {
    super::which("docker-registry")
}
