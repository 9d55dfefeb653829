//! Where the Docker daemon is, decided as the docker CLI decides it: `DOCKER_HOST` first,
//! then the context `DOCKER_CONTEXT` names, then `currentContext` in the CLI's
//! `config.json`, then the local socket. A context's endpoint and TLS material are where
//! `docker context create` writes them: `contexts/meta/<sha256 of the name>/meta.json` and
//! `contexts/tls/<sha256 of the name>/docker/{ca,cert,key}.pem` under `DOCKER_CONFIG`
//! (default `~/.docker`).
//!
//! Resolution reads only the environment (through a function, so it is testable) and those
//! files; connecting is `engine.rs`'s job.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The local daemon's socket.
pub const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

/// The daemon to talk to, and why that one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `unix:///…`, `tcp://host:port`, `https://…`.
    pub host: String,
    /// Client certificate, key and CA from the context (`None`: none, or the environment's
    /// `DOCKER_TLS_VERIFY`/`DOCKER_CERT_PATH` for `DOCKER_HOST`).
    pub tls: Option<Tls>,
    /// Where it came from, for messages: `DOCKER_HOST`, ``context `ci` (DOCKER_CONTEXT)``.
    pub source: String,
}

/// TLS material of a context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tls {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Endpoint {
    /// The host and where it came from, for messages.
    pub fn describe(&self) -> String {
        if self.source == "default" {
            self.host.clone()
        } else {
            format!("{} ({})", self.host, self.source)
        }
    }
}

/// Why no endpoint could be settled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error(
        "{via} names the Docker context `{name}`, which is not in {dir}: `docker context ls` lists the contexts there"
    )]
    NoContext { name: String, via: String, dir: String },
    #[error("the Docker context `{name}` ({file}) cannot be read: {message}")]
    BadContext { name: String, file: String, message: String },
    #[error("{via} points at {host}: shiplight reaches a daemon through a Unix socket or TCP, not SSH. Forward the remote daemon's socket and point DOCKER_HOST at it (`ssh -fNT -L /tmp/remote-docker.sock:/var/run/docker.sock {target}`, then `DOCKER_HOST=unix:///tmp/remote-docker.sock`), or give the context a TCP endpoint with TLS (`docker context create NAME --docker host=tcp://HOST:2376,ca=…,cert=…,key=…`)")]
    Ssh { host: String, via: String, target: String },
    #[error("the Docker context `{name}` skips TLS verification (SkipTLSVerify), which shiplight does not do: give the context its CA (`docker context update {name} --docker …,ca=ca.pem`)")]
    SkipVerify { name: String },
}

#[derive(Deserialize)]
struct Meta {
    #[serde(rename = "Endpoints", default)]
    endpoints: std::collections::HashMap<String, MetaEndpoint>,
}

#[derive(Deserialize)]
struct MetaEndpoint {
    #[serde(rename = "Host", default)]
    host: Option<String>,
    #[serde(rename = "SkipTLSVerify", default)]
    skip_tls_verify: bool,
}

#[derive(Deserialize)]
struct ConfigFile {
    #[serde(rename = "currentContext", default)]
    current_context: Option<String>,
}

/// The docker CLI's configuration folder for this process.
pub(crate) fn docker_config_dir() -> Option<PathBuf> {
    config_dir(&|k| std::env::var(k).ok())
}

/// The docker CLI's configuration folder: `DOCKER_CONFIG`, else `~/.docker`.
fn config_dir(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    env("DOCKER_CONFIG")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| env("HOME").filter(|h| !h.is_empty()).map(|h| Path::new(&h).join(".docker")))
}

/// The folder name the CLI stores a context under: the SHA-256 of its name, in hex.
fn context_id(name: &str) -> String {
    Sha256::digest(name.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn ssh(host: &str, source: &str) -> EndpointError {
    let target = host.trim_start_matches("ssh://").to_owned();
    EndpointError::Ssh { host: host.to_owned(), via: source.to_owned(), target }
}

/// Settle the endpoint from the environment (`env` answers a variable's value) and the CLI's
/// files.
pub fn resolve(env: &dyn Fn(&str) -> Option<String>) -> Result<Endpoint, EndpointError> {
    if let Some(host) = env("DOCKER_HOST").filter(|h| !h.is_empty()) {
        if host.starts_with("ssh://") {
            return Err(ssh(&host, "DOCKER_HOST"));
        }
        return Ok(Endpoint { host, tls: None, source: "DOCKER_HOST".into() });
    }
    let dir = config_dir(env);
    let named = match env("DOCKER_CONTEXT").filter(|c| !c.is_empty()) {
        Some(name) => Some((name, "DOCKER_CONTEXT".to_owned())),
        None => dir
            .as_ref()
            .and_then(|d| std::fs::read_to_string(d.join("config.json")).ok())
            .and_then(|text| serde_json::from_str::<ConfigFile>(&text).ok())
            .and_then(|c| c.current_context)
            .filter(|c| !c.is_empty())
            .map(|name| (name, "currentContext in config.json".to_owned())),
    };
    let default = || Endpoint { host: DEFAULT_HOST.into(), tls: None, source: "default".into() };
    let Some((name, why)) = named else { return Ok(default()) };
    if name == "default" {
        return Ok(default());
    }
    let source = format!("context `{name}` ({why})");
    let contexts = dir.unwrap_or_default().join("contexts");
    let id = context_id(&name);
    let file = contexts.join("meta").join(&id).join("meta.json");
    let text = std::fs::read_to_string(&file).map_err(|_| EndpointError::NoContext {
        name: name.clone(),
        via: why.clone(),
        dir: contexts.display().to_string(),
    })?;
    let bad =
        |message: String| EndpointError::BadContext { name: name.clone(), file: file.display().to_string(), message };
    let meta: Meta = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let docker = meta.endpoints.get("docker").ok_or_else(|| bad("it has no docker endpoint".into()))?;
    let host =
        docker.host.clone().filter(|h| !h.is_empty()).ok_or_else(|| bad("its docker endpoint has no Host".into()))?;
    if host.starts_with("ssh://") {
        return Err(ssh(&host, &source));
    }
    let tls_dir = contexts.join("tls").join(&id).join("docker");
    let tls = [("ca.pem"), ("cert.pem"), ("key.pem")].map(|f| tls_dir.join(f));
    let tls = if tls.iter().all(|p| p.is_file()) {
        let [ca, cert, key] = tls;
        Some(Tls { ca, cert, key })
    } else {
        None
    };
    if docker.skip_tls_verify && !host.starts_with("unix://") {
        return Err(EndpointError::SkipVerify { name });
    }
    Ok(Endpoint { host, tls, source })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn with(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k: &str| map.get(k).cloned()
    }

    /// A context as `docker context create` stores it.
    fn context(dir: &Path, name: &str, host: &str, tls: bool) {
        let meta = dir.join("contexts/meta").join(context_id(name));
        std::fs::create_dir_all(&meta).unwrap();
        let json = serde_json::json!({"Name": name, "Metadata": {}, "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": false}}});
        std::fs::write(meta.join("meta.json"), json.to_string()).unwrap();
        if tls {
            let t = dir.join("contexts/tls").join(context_id(name)).join("docker");
            std::fs::create_dir_all(&t).unwrap();
            for f in ["ca.pem", "cert.pem", "key.pem"] {
                std::fs::write(t.join(f), "pem").unwrap();
            }
        }
    }

    #[test]
    fn the_context_folder_is_the_sha256_of_the_name() {
        // the folder of the context named `default` (the docker CLI test of this module
        // creates a real context and finds it)
        assert_eq!(context_id("default"), "37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f");
    }

    #[test]
    fn docker_host_then_docker_context_then_current_context_then_the_socket() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        context(dir.path(), "ci", "tcp://10.0.0.5:2376", true);
        context(dir.path(), "laptop", "unix:///run/user/1000/docker.sock", false);
        std::fs::write(dir.path().join("config.json"), r#"{"auths": {}, "currentContext": "laptop"}"#).unwrap();

        let e =
            resolve(&with(&[("DOCKER_HOST", "tcp://h:2375"), ("DOCKER_CONTEXT", "ci"), ("DOCKER_CONFIG", d)])).unwrap();
        assert_eq!((e.host.as_str(), e.source.as_str()), ("tcp://h:2375", "DOCKER_HOST"));
        let e = resolve(&with(&[("DOCKER_CONTEXT", "ci"), ("DOCKER_CONFIG", d)])).unwrap();
        assert_eq!(e.host, "tcp://10.0.0.5:2376");
        assert_eq!(e.source, "context `ci` (DOCKER_CONTEXT)");
        assert!(e.tls.as_ref().is_some_and(|t| t.cert.ends_with("docker/cert.pem")), "{e:?}");
        let e = resolve(&with(&[("DOCKER_CONFIG", d)])).unwrap();
        assert_eq!(e.host, "unix:///run/user/1000/docker.sock");
        assert_eq!(e.source, "context `laptop` (currentContext in config.json)");
        assert_eq!(e.tls, None);
        // `default` and no configuration at all: the local socket
        let e = resolve(&with(&[("DOCKER_CONTEXT", "default"), ("DOCKER_CONFIG", d)])).unwrap();
        assert_eq!(e.host, DEFAULT_HOST);
        let e = resolve(&with(&[("HOME", "/nonexistent")])).unwrap();
        assert_eq!((e.host.as_str(), e.describe()), (DEFAULT_HOST, DEFAULT_HOST.to_owned()));
    }

    #[test]
    fn a_missing_context_and_ssh_say_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        let e = resolve(&with(&[("DOCKER_CONTEXT", "gone"), ("DOCKER_CONFIG", d)])).unwrap_err().to_string();
        assert!(e.contains("DOCKER_CONTEXT names the Docker context `gone`") && e.contains("docker context ls"), "{e}");
        context(dir.path(), "builder", "ssh://ci@build.example", false);
        let e = resolve(&with(&[("DOCKER_CONTEXT", "builder"), ("DOCKER_CONFIG", d)])).unwrap_err().to_string();
        assert!(e.contains("context `builder` (DOCKER_CONTEXT) points at ssh://ci@build.example"), "{e}");
        assert!(e.contains("ssh -fNT -L /tmp/remote-docker.sock:/var/run/docker.sock ci@build.example"), "{e}");
        let e = resolve(&with(&[("DOCKER_HOST", "ssh://me@h")])).unwrap_err().to_string();
        assert!(e.starts_with("DOCKER_HOST points at ssh://me@h"), "{e}");
        std::fs::write(dir.path().join("contexts/meta").join(context_id("builder")).join("meta.json"), "{").unwrap();
        let e = resolve(&with(&[("DOCKER_CONTEXT", "builder"), ("DOCKER_CONFIG", d)])).unwrap_err().to_string();
        assert!(e.contains("cannot be read"), "{e}");
    }
}
