//! A registry, read through the OCI Distribution API: manifests and blobs by GET, with
//! Docker's token flow (a 401's `WWW-Authenticate: Bearer realm=…` challenge exchanged for a
//! token, anonymously or with the credential) or Basic auth.
//!
//! Requests are blocking (ureq): a blob's body is a `Read` the layer scanner consumes as it
//! arrives, with no buffering of whole layers. A 429 waits as `Retry-After` asks, within
//! [`MAX_WAIT`]; 502/503/504 are tried again twice. A registry on localhost or 127.0.0.0/8
//! may speak plain HTTP, as Docker allows; any other host needs `--insecure-registry HOST`.
//! Certificates: the platform's trust store (honouring `SSL_CERT_FILE`), or Docker's
//! `certs.d/HOST/*.crt` under `$DOCKER_CONFIG` or `/etc/docker` when that folder exists.

use std::io::Read;
use std::sync::Mutex;
use std::time::Duration;

use base64::Engine as _;

use super::auth::{self, Credential, Login};
use super::{Descriptor, OciError, Store, ACCEPT, SMALL_BLOB_LIMIT};
use crate::reference::ImageRef;

/// The longest a 429 may make a request wait in all.
pub const MAX_WAIT: Duration = Duration::from_secs(60);
/// Requests per call, retries and the auth round included.
const MAX_ATTEMPTS: usize = 6;

/// How registries are reached.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub login: Login,
    /// Hosts (`host` or `host:port`) that may be reached over plain HTTP.
    pub insecure: Vec<String>,
}

/// One repository on one registry.
pub struct Registry {
    agent: ureq::Agent,
    base: String,
    reference: ImageRef,
    credential: Credential,
    /// The `Authorization` header earned so far (a bearer token, or Basic).
    authorization: Mutex<Option<String>>,
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host == "::1" || host.parse::<std::net::Ipv4Addr>().is_ok_and(|a| a.is_loopback())
}

/// Docker's `certs.d/HOST/*.crt` for `registry`, if any.
fn certs_d(registry: &str) -> Vec<ureq::tls::Certificate<'static>> {
    let dirs = [
        crate::image::docker::endpoint::docker_config_dir().map(|d| d.join("certs.d")),
        Some("/etc/docker/certs.d".into()),
    ];
    let mut certs = Vec::new();
    for dir in dirs.into_iter().flatten() {
        let Ok(entries) = std::fs::read_dir(dir.join(registry)) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "crt") {
                if let Ok(pem) = std::fs::read(&p) {
                    certs.extend(ureq::tls::parse_pem(&pem).filter_map(|i| match i {
                        Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                        _ => None,
                    }));
                }
            }
        }
        if !certs.is_empty() {
            break;
        }
    }
    certs
}

impl Registry {
    /// Settle how to reach `reference`'s registry and with which credential. No request is
    /// made yet, except to learn whether a registry that may be plain HTTP speaks TLS.
    pub fn connect(reference: &ImageRef, opts: &Options) -> Result<Registry, OciError> {
        let host = reference.api_host().to_owned();
        let credential = auth::credential(&reference.registry, &opts.login).map_err(OciError::Credential)?;
        let extra = certs_d(&host);
        let roots = if extra.is_empty() {
            ureq::tls::RootCerts::PlatformVerifier
        } else {
            ureq::tls::RootCerts::new_with_certs(&extra)
        };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(15)))
            .timeout_recv_response(Some(Duration::from_secs(60)))
            .timeout_recv_body(Some(Duration::from_secs(600)))
            .max_redirects(5)
            .user_agent(concat!("shiplight/", env!("CARGO_PKG_VERSION")))
            .tls_config(ureq::tls::TlsConfig::builder().root_certs(roots).build())
            .build()
            .into();
        let plain_ok = is_loopback(reference.host_name())
            || opts.insecure.iter().any(|h| h == &reference.registry || h == reference.host_name());
        let mut base = format!("https://{host}");
        if plain_ok {
            // TLS first, then plain HTTP, as Docker does; but a server that speaks TLS with a
            // certificate we do not trust is an error, not a reason to drop TLS
            if let Err(tls) = agent.get(format!("{base}/v2/")).call() {
                match agent.get(format!("http://{host}/v2/")).call() {
                    Ok(r) if matches!(r.status().as_u16(), 200 | 401) => base = format!("http://{host}"),
                    _ => return Err(unreachable(&host, &tls)),
                }
            }
        }
        Ok(Registry { agent, base, reference: reference.clone(), credential, authorization: Mutex::new(None) })
    }

    fn place_name(&self) -> String {
        format!("registry {}", self.reference.registry)
    }

    /// GET `path`, authenticating when challenged, waiting out 429s and retrying 5xx a little.
    fn get(&self, path: &str, accept: &str, what: &str) -> Result<ureq::http::Response<ureq::Body>, OciError> {
        let url = format!("{}{path}", self.base);
        let mut authenticated = false;
        let mut waited = Duration::ZERO;
        let mut retried = 0;
        for _ in 0..MAX_ATTEMPTS {
            let mut req = self.agent.get(&url).header("Accept", accept);
            if let Some(a) = self.authorization.lock().ok().and_then(|a| a.clone()) {
                req = req.header("Authorization", a);
            }
            let resp = req.call().map_err(|e| unreachable(self.reference.api_host(), &e))?;
            let status = resp.status().as_u16();
            match status {
                200..=299 => return Ok(resp),
                401 if !authenticated => {
                    let challenge = header(&resp, "www-authenticate").unwrap_or_default();
                    self.authenticate(&challenge, what)?;
                    authenticated = true;
                }
                401 | 403 => return Err(self.denied(what, status)),
                404 => return Err(OciError::NotFound { what: what.to_owned(), place: self.place_name() }),
                429 => {
                    // seconds, or a date; a fraction of a second counts as one
                    let ask = header(&resp, "retry-after")
                        .and_then(|v| crate::retry::retry_after(&v, std::time::SystemTime::now()))
                        .map(|d| d.as_secs() + u64::from(d.subsec_nanos() > 0))
                        .unwrap_or(1);
                    let wait = Duration::from_secs(ask.max(1));
                    if waited + wait > MAX_WAIT {
                        return Err(OciError::RateLimited(format!(
                            "{} rate-limits {what} (HTTP 429) and asks to wait {ask} s more after {} s; try again later, or log in for a higher limit",
                            self.place_name(),
                            waited.as_secs()
                        )));
                    }
                    std::thread::sleep(wait);
                    waited += wait;
                }
                502..=504 if retried < 2 => {
                    retried += 1;
                    std::thread::sleep(Duration::from_secs(1));
                }
                _ => {
                    let body = read_small(resp, 4096).unwrap_or_default();
                    return Err(OciError::Transport(format!(
                        "{} answered HTTP {status} to {what}: {}",
                        self.place_name(),
                        String::from_utf8_lossy(&body).trim()
                    )));
                }
            }
        }
        Err(OciError::Transport(format!("{} did not serve {what} in {MAX_ATTEMPTS} attempts", self.place_name())))
    }

    fn denied(&self, what: &str, status: u16) -> OciError {
        let advice = match &self.credential {
            Credential::Anonymous => format!(
                "log in (`docker login {}`), or give registry-username and registry-password",
                self.reference.registry
            ),
            _ => "check that the credential is current and may pull this repository".into(),
        };
        OciError::Denied {
            registry: self.reference.registry.clone(),
            what: what.to_owned(),
            status,
            credential: self.credential.to_string(),
            advice,
        }
    }

    /// Answer a 401's challenge: a bearer token from the realm, or Basic.
    fn authenticate(&self, challenge: &str, what: &str) -> Result<(), OciError> {
        let (scheme, params) = parse_challenge(challenge);
        let header = if scheme.eq_ignore_ascii_case("bearer") {
            let realm = params.iter().find(|(k, _)| k == "realm").map(|(_, v)| v.clone()).ok_or_else(|| {
                OciError::Transport(format!("{} sent a bearer challenge without a realm", self.place_name()))
            })?;
            let service = params.iter().find(|(k, _)| k == "service").map(|(_, v)| v.clone());
            let scope = format!("repository:{}:pull", self.reference.repository);
            let token = self.token(&realm, service.as_deref(), &scope, what)?;
            format!("Bearer {token}")
        } else {
            match &self.credential {
                Credential::Basic { username, password, .. } => basic(username, password),
                _ => return Err(self.denied(what, 401)),
            }
        };
        if let Ok(mut a) = self.authorization.lock() {
            *a = Some(header);
        }
        Ok(())
    }

    /// The token endpoint's answer for `scope`.
    fn token(&self, realm: &str, service: Option<&str>, scope: &str, what: &str) -> Result<String, OciError> {
        let mut query = vec![("scope", scope.to_owned())];
        if let Some(s) = service {
            query.push(("service", s.to_owned()));
        }
        let resp = match &self.credential {
            Credential::IdentityToken { token, .. } => {
                let mut form = query.clone();
                form.extend([
                    ("grant_type", "refresh_token".to_owned()),
                    ("refresh_token", token.clone()),
                    ("client_id", "shiplight".to_owned()),
                ]);
                self.agent.post(realm).send_form(form.iter().map(|(k, v)| (*k, v.as_str())))
            }
            c => {
                let mut req = self.agent.get(realm).query_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
                if let Credential::Basic { username, password, .. } = c {
                    req = req.header("Authorization", basic(username, password));
                }
                req.call()
            }
        }
        .map_err(|e| unreachable(realm, &e))?;
        let status = resp.status().as_u16();
        if status == 401 || status == 403 {
            return Err(self.denied(what, status));
        }
        if !(200..300).contains(&status) {
            return Err(OciError::Transport(format!(
                "the token service {realm} of {} answered HTTP {status}",
                self.place_name()
            )));
        }
        let body = read_small(resp, 1024 * 1024)?;
        #[derive(serde::Deserialize)]
        struct Token {
            token: Option<String>,
            access_token: Option<String>,
        }
        let t: Token = serde_json::from_slice(&body)
            .map_err(|e| OciError::Transport(format!("the token service {realm} sent no token: {e}")))?;
        t.token
            .or(t.access_token)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| OciError::Transport(format!("the token service {realm} sent no token")))
    }
}

impl Store for Registry {
    fn place(&self) -> String {
        self.place_name()
    }

    fn manifest(&self, target: &str) -> Result<(Vec<u8>, Option<String>), OciError> {
        let what = if target.starts_with("sha256:") {
            format!("manifest {}@{target}", self.reference.repository)
        } else {
            format!("tag {}:{target}", self.reference.repository)
        };
        let resp = self.get(&format!("/v2/{}/manifests/{target}", self.reference.repository), ACCEPT, &what)?;
        let media_type = header(&resp, "content-type").map(|c| c.split(';').next().unwrap_or("").trim().to_owned());
        Ok((read_small(resp, SMALL_BLOB_LIMIT)?, media_type))
    }

    fn blob(&self, desc: &Descriptor) -> Result<Box<dyn Read + Send + '_>, OciError> {
        let what = format!("blob {}", desc.digest);
        let resp = self.get(&format!("/v2/{}/blobs/{}", self.reference.repository, desc.digest), "*/*", &what)?;
        Ok(Box::new(resp.into_body().into_reader()))
    }
}

fn header(resp: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

fn read_small(resp: ureq::http::Response<ureq::Body>, limit: u64) -> Result<Vec<u8>, OciError> {
    let mut body = resp.into_body();
    body.with_config()
        .limit(limit)
        .read_to_vec()
        .map_err(|e| OciError::Transport(format!("reading a registry answer: {e}")))
}

fn basic(username: &str, password: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}")))
}

fn unreachable(host: &str, e: &ureq::Error) -> OciError {
    let hint = match e {
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => format!(
            "; if it uses a private CA, put the CA in certs.d/{host}/ca.crt under $DOCKER_CONFIG or /etc/docker, or in SSL_CERT_FILE"
        ),
        _ => String::new(),
    };
    OciError::Transport(format!("cannot reach {host}: {e}{hint}"))
}

/// `Bearer realm="…",service="…"` → (`Bearer`, [(realm, …), (service, …)]).
fn parse_challenge(header: &str) -> (String, Vec<(String, String)>) {
    let header = header.trim();
    let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
    let mut params = Vec::new();
    let mut rest = rest.trim();
    while !rest.is_empty() {
        let Some((key, after)) = rest.split_once('=') else { break };
        let key = key.trim().trim_start_matches(',').trim().to_ascii_lowercase();
        let after = after.trim_start();
        let (value, tail) = if let Some(q) = after.strip_prefix('"') {
            match q.find('"') {
                Some(end) => (q[..end].to_owned(), &q[end + 1..]),
                None => (q.to_owned(), ""),
            }
        } else {
            match after.find(',') {
                Some(end) => (after[..end].trim().to_owned(), &after[end..]),
                None => (after.trim().to_owned(), ""),
            }
        };
        params.push((key, value));
        rest = tail.trim_start_matches([',', ' ']);
    }
    (scheme.to_owned(), params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges() {
        let (s, p) = parse_challenge(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/python:pull""#,
        );
        assert_eq!(s, "Bearer");
        assert_eq!(p[0], ("realm".into(), "https://auth.docker.io/token".into()));
        assert_eq!(p[1], ("service".into(), "registry.docker.io".into()));
        assert_eq!(p[2].1, "repository:library/python:pull");
        let (s, p) = parse_challenge(r#"Basic realm="Registry Realm""#);
        assert_eq!((s.as_str(), p[0].1.as_str()), ("Basic", "Registry Realm"));
    }

    #[test]
    fn plain_http_only_for_loopback() {
        assert!(is_loopback("127.0.0.1") && is_loopback("127.8.0.1") && is_loopback("localhost"));
        assert!(!is_loopback("10.0.0.1") && !is_loopback("ghcr.io"));
    }
}
