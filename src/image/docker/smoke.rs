//! Smoke checks: run an image and record what a user would see. With a port, the container's
//! port is published on 127.0.0.1 only and `GET path` is polled (bounded) until it answers;
//! otherwise the default command (or `--smoke-cmd`) runs under a timeout. Containers are
//! labelled and always removed.
//!
//! When shiplight itself runs in a container (the GitHub Action: a sibling of the checked
//! image on the host's daemon, on a bridge network), the host's 127.0.0.1 is out of reach;
//! the checked container then joins shiplight's own network namespace instead, so its port
//! is on shiplight's 127.0.0.1.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bollard::models::{ContainerCreateBody, HostConfig, PortBinding};
use serde::{Deserialize, Serialize};

use super::engine::{Engine, EngineError};

/// What to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// GET `path` on the container's `port`.
    Http { port: u16, path: String },
    /// Run the default command, or this shell command, and record exit code and output.
    Command(Option<String>),
}

/// What one image did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// HTTP status, for an HTTP check.
    pub status: Option<u16>,
    pub body: Option<String>,
    /// Exit code, for a command check.
    pub exit_code: Option<i64>,
    pub output: Option<String>,
    /// Why the check could not be made (never answered, timed out, crashed).
    pub error: Option<String>,
}

impl Outcome {
    /// The part two images must agree on.
    pub fn observed(&self) -> (Option<u16>, Option<&str>, Option<i64>, Option<&str>) {
        (self.status, self.body.as_deref(), self.exit_code, self.output.as_deref())
    }
}

/// The container shiplight runs in, when it runs in one on this daemon with a network of its
/// own (not the host's): found by its hostname, which Docker sets to the container's ID.
async fn own_container(engine: &Engine) -> Option<String> {
    if !std::path::Path::new("/.dockerenv").exists() {
        return None;
    }
    let hostname = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())?;
    let me = engine.inspect_container(&hostname).await.ok()?;
    let mode = me.host_config.and_then(|h| h.network_mode).unwrap_or_default();
    (mode != "host").then_some(me.id?)
}

/// Run the check against `image`, within `timeout`.
pub async fn run(engine: &Engine, image: &str, check: &Check, timeout: Duration) -> Result<Outcome, EngineError> {
    let mut body = ContainerCreateBody { image: Some(image.to_owned()), ..Default::default() };
    let shared = match check {
        Check::Http { .. } => own_container(engine).await,
        Check::Command(_) => None,
    };
    match check {
        Check::Http { .. } if shared.is_some() => {
            body.host_config = Some(HostConfig {
                network_mode: shared.as_ref().map(|id| format!("container:{id}")),
                ..Default::default()
            });
        }
        Check::Http { port, .. } => {
            let key = format!("{port}/tcp");
            body.exposed_ports = Some(vec![key.clone()].into_iter().collect());
            body.host_config = Some(HostConfig {
                port_bindings: Some(HashMap::from([(
                    key,
                    Some(vec![PortBinding { host_ip: Some("127.0.0.1".into()), host_port: Some(String::new()) }]),
                )])),
                ..Default::default()
            });
        }
        Check::Command(Some(cmd)) => {
            body.entrypoint = Some(vec!["/bin/sh".into(), "-c".into()]);
            body.cmd = Some(vec![cmd.clone()]);
        }
        Check::Command(None) => {}
    }
    let id = engine.create_container(body).await?;
    let result = observe(engine, &id, check, timeout, shared.is_some()).await;
    engine.remove_container(&id).await;
    result
}

async fn observe(
    engine: &Engine,
    id: &str,
    check: &Check,
    timeout: Duration,
    shared_network: bool,
) -> Result<Outcome, EngineError> {
    engine.start_container(id).await?;
    match check {
        Check::Http { port, path } => {
            let inspect = engine.inspect_container(id).await?;
            let published = inspect
                .network_settings
                .and_then(|n| n.ports)
                .and_then(|p| p.get(&format!("{port}/tcp")).cloned().flatten())
                .and_then(|b| b.into_iter().find_map(|b| b.host_port))
                .and_then(|p| p.parse::<u16>().ok());
            // in shiplight's own network namespace the port is the container's own
            let Some(host_port) = (if shared_network { Some(*port) } else { published }) else {
                return Ok(Outcome { error: Some(format!("port {port} was not published")), ..Outcome::default() });
            };
            let url = format!("http://127.0.0.1:{host_port}{path}");
            let started = Instant::now();
            let mut last_error = String::from("no answer");
            // bounded: one request every 250 ms until the timeout
            while started.elapsed() < timeout {
                let u = url.clone();
                let answer = tokio::task::spawn_blocking(move || get(&u))
                    .await
                    .map_err(|e| EngineError::Api { what: "the smoke request".into(), message: e.to_string() })?;
                match answer {
                    Ok((status, body)) => {
                        return Ok(Outcome { status: Some(status), body: Some(body), ..Outcome::default() })
                    }
                    Err(e) => last_error = e,
                }
                let state = engine.inspect_container(id).await.ok().and_then(|i| i.state);
                if state.as_ref().is_some_and(|s| s.running == Some(false)) {
                    let code = state.and_then(|s| s.exit_code);
                    let tail: Vec<String> =
                        engine.container_logs(id).await.lines().rev().take(20).map(str::to_owned).collect();
                    let tail: Vec<String> = tail.into_iter().rev().collect();
                    return Ok(Outcome {
                        error: Some(format!(
                            "the container exited (code {}) before answering on port {port}: {}",
                            code.unwrap_or(-1),
                            tail.join(" | ")
                        )),
                        ..Outcome::default()
                    });
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Ok(Outcome {
                error: Some(format!("no HTTP answer on port {port} within {} s ({last_error})", timeout.as_secs())),
                ..Outcome::default()
            })
        }
        Check::Command(_) => match engine.wait_container(id, timeout).await? {
            None => Ok(Outcome {
                error: Some(format!("still running after {} s", timeout.as_secs())),
                ..Outcome::default()
            }),
            Some(code) => Ok(Outcome {
                exit_code: Some(code),
                output: Some(engine.container_logs(id).await),
                ..Outcome::default()
            }),
        },
    }
}

/// One GET with a short timeout: (status, body) or why not.
fn get(url: &str) -> Result<(u16, String), String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(5)))
        .build()
        .into();
    let mut resp = agent.get(url).call().map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let body = resp.body_mut().read_to_string().map_err(|e| e.to_string())?;
    Ok((status, body))
}
