//! The connection to the Docker daemon: [`Engine`] holds the bollard client, and nothing else
//! in shiplight does. Images (build, inspect, history, `docker save`, import, remove) and the
//! container operations the smoke checks, the run-time needs scan and the in-place layer
//! reader's helper use (create, attach, start, inspect, logs, wait, copy out, remove) are its
//! methods, as are the image's layer storage (`GraphDriver`) and the daemon's root folder.
//!
//! Which daemon is `endpoint.rs`'s decision (`DOCKER_HOST`, a Docker context, the local
//! socket); the API version is negotiated, so Engine 20.10 (API 1.41) and Engine 28 both
//! work.

use std::collections::HashMap;
use std::time::Duration;

use bollard::container::LogOutput;
use bollard::models::{BuildInfoAux, ContainerCreateBody, ContainerInspectResponse};
use bollard::query_parameters::{
    AttachContainerOptionsBuilder, BuildImageOptionsBuilder, BuilderVersion, CreateContainerOptionsBuilder,
    CreateImageOptionsBuilder, DownloadFromContainerOptionsBuilder, InspectContainerOptions, ListImagesOptionsBuilder,
    LogsOptionsBuilder, RemoveContainerOptionsBuilder, RemoveImageOptionsBuilder, StartContainerOptions,
    WaitContainerOptions,
};
use bollard::Docker;
use bytes::Bytes;
use futures_util::{Stream, StreamExt};

/// What went wrong talking to the daemon.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("cannot reach the Docker daemon at {host}: {message}; start one (scripts/dockerd.sh, or `sudo systemctl start docker`) or set DOCKER_HOST")]
    Unreachable { host: String, message: String },
    #[error("the Docker daemon refused {what}: {message}")]
    Api { what: String, message: String },
    /// Which daemon to use could not be settled (a missing context, an SSH endpoint).
    #[error("{0}")]
    Endpoint(String),
    #[error("lost the connection to the Docker daemon at {host} during {what} ({message}); check that it is still running (`docker info`, its log) and retry")]
    Lost { host: String, what: String, message: String },
    #[error("{0}")]
    Build(#[from] BuildError),
    #[error("build of {image} timed out after {seconds} s; raise --timeout")]
    Timeout { image: String, seconds: u64 },
}

/// A failed build: the failing step, its exit code and the end of its output.
#[derive(Debug, Clone, thiserror::Error)]
#[error("build of {image} failed at {step}{}: {message}\n--- last {} lines of build output ---\n{}", exit_code.map(|c| format!(" (exit code {c})")).unwrap_or_default(), tail.len(), tail.join("\n"))]
pub struct BuildError {
    pub image: String,
    /// e.g. `Step 4/8 : RUN make` (classic builder) or the last step line.
    pub step: String,
    pub exit_code: Option<i64>,
    pub message: String,
    /// The last 50 lines of output.
    pub tail: Vec<String>,
}

/// The daemon's identity, for logs and for test output.
#[derive(Debug, Clone)]
pub struct ServerInfo {
    pub version: String,
    pub api_version: String,
}

/// A connection to one daemon.
#[derive(Clone)]
pub struct Engine {
    docker: Docker,
    host: String,
    timeout: Duration,
}

/// A line of build output: a new step, or what a step printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildLine<'a> {
    Step(&'a str),
    Output(&'a str),
}

/// Which builder runs a build.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Builder {
    /// BuildKit when the Dockerfile needs it (RUN --mount, heredocs, COPY --link …), else
    /// the classic builder.
    #[default]
    Auto,
    Buildkit,
    Classic,
}

impl Builder {
    /// The builder for one Dockerfile: the one forced, else BuildKit only where needed.
    pub fn for_dockerfile(self, df: Option<&crate::dockerfile::Dockerfile>) -> Builder {
        match self {
            Builder::Auto if df.and_then(|d| d.buildkit_feature()).is_some() => Builder::Buildkit,
            Builder::Auto => Builder::Classic,
            forced => forced,
        }
    }
}

/// One image build.
#[derive(Debug, Clone, Default)]
pub struct BuildRequest {
    /// `Auto` is resolved by the caller, which knows the Dockerfile; `Auto` here means classic.
    pub builder: Builder,
    /// The packed context.
    pub context: Bytes,
    /// The Dockerfile's path inside the context.
    pub dockerfile: String,
    pub tag: String,
    pub target: Option<String>,
    pub platform: Option<String>,
    pub build_args: HashMap<String, String>,
    pub labels: HashMap<String, String>,
}

/// Label put on every image shiplight builds or imports, so they can be found and removed.
pub const LABEL: &str = "dev.shiplight.managed";

impl Engine {
    /// Connect as the docker CLI would (`DOCKER_HOST`, else the context `DOCKER_CONTEXT` or the
    /// CLI's `currentContext` names, else the local socket: see `endpoint.rs`), negotiate the
    /// API version and check the daemon answers.
    pub async fn connect(timeout: Duration) -> Result<Engine, EngineError> {
        let endpoint =
            super::endpoint::resolve(&|k| std::env::var(k).ok()).map_err(|e| EngineError::Endpoint(e.to_string()))?;
        let host = endpoint.describe();
        let unreachable =
            |e: bollard::errors::Error| EngineError::Unreachable { host: host.clone(), message: e.to_string() };
        let secs = timeout.as_secs().max(1);
        let docker = match (&endpoint.tls, endpoint.source.as_str()) {
            // DOCKER_HOST: as bollard reads it (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH)
            (_, "DOCKER_HOST" | "default") => Docker::connect_with_defaults(),
            (Some(tls), _) => Docker::connect_with_ssl(
                &endpoint.host,
                &tls.key,
                &tls.cert,
                &tls.ca,
                secs,
                bollard::API_DEFAULT_VERSION,
            ),
            (None, _) if endpoint.host.starts_with("unix://") => {
                Docker::connect_with_unix(&endpoint.host, secs, bollard::API_DEFAULT_VERSION)
            }
            (None, _) => Docker::connect_with_http(&endpoint.host, secs, bollard::API_DEFAULT_VERSION),
        }
        .map_err(unreachable)?;
        let docker = docker.with_timeout(timeout).negotiate_version().await.map_err(unreachable)?;
        docker.ping().await.map_err(unreachable)?;
        Ok(Engine { docker, host, timeout })
    }

    pub async fn server_info(&self) -> Result<ServerInfo, EngineError> {
        let v = self.docker.version().await.map_err(|e| api("version", e))?;
        Ok(ServerInfo { version: v.version.unwrap_or_default(), api_version: v.api_version.unwrap_or_default() })
    }

    /// The daemon address in use.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Build an image, streaming its output to `log` line by line. Returns the image ID.
    pub async fn build(&self, req: &BuildRequest, mut log: impl FnMut(BuildLine)) -> Result<String, EngineError> {
        let mut labels = req.labels.clone();
        labels.insert(LABEL.into(), "true".into());
        let buildkit = req.builder == Builder::Buildkit;
        let mut opts = BuildImageOptionsBuilder::default()
            .dockerfile(&req.dockerfile)
            .t(&req.tag)
            .rm(true)
            .forcerm(true)
            .buildargs(&req.build_args)
            .labels(&labels);
        if let Some(t) = &req.target {
            opts = opts.target(t);
        }
        if let Some(p) = &req.platform {
            opts = opts.platform(p);
        }
        if buildkit {
            let session: String = format!("shiplight-{}-{}", std::process::id(), req.tag)
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            opts = opts.version(BuilderVersion::BuilderBuildKit).session(&session);
        }
        let mut stream = self.docker.build_image(opts.build(), None, Some(bollard::body_full(req.context.clone())));
        let mut tail: Vec<String> = Vec::new();
        let mut step = String::from("the first step");
        let mut id = None;
        let mut failed: Option<String> = None;
        let run = async {
            while let Some(item) = stream.next().await {
                match item {
                    Ok(info) => {
                        if let Some(s) = info.stream.as_deref() {
                            for line in s.lines().filter(|l| !l.trim().is_empty()) {
                                if let Some(rest) = line.strip_prefix("Successfully built ") {
                                    id = Some(rest.trim().to_owned());
                                }
                                if line.starts_with("Step ") {
                                    step = line.trim().to_owned();
                                    log(BuildLine::Step(line));
                                } else {
                                    log(BuildLine::Output(line));
                                }
                                push_tail(&mut tail, line);
                            }
                        }
                        match info.aux {
                            Some(BuildInfoAux::Default(image)) => {
                                if let Some(i) = image.id {
                                    id = Some(i);
                                }
                            }
                            Some(BuildInfoAux::BuildKit(status)) => {
                                for v in &status.vertexes {
                                    if v.started.is_some() && !v.name.is_empty() && v.name != step {
                                        step = v.name.clone();
                                        log(BuildLine::Step(&v.name));
                                    }
                                    if !v.error.is_empty() {
                                        step = v.name.clone();
                                        failed = Some(v.error.clone());
                                    }
                                }
                                for l in &status.logs {
                                    for line in String::from_utf8_lossy(&l.msg).lines().filter(|l| !l.trim().is_empty())
                                    {
                                        log(BuildLine::Output(line));
                                        push_tail(&mut tail, line);
                                    }
                                }
                            }
                            None => {}
                        }
                        if let Some(detail) = info.error_detail {
                            let message = detail.message.unwrap_or_default();
                            return Err(build_error(&req.tag, &step, failed.as_deref().unwrap_or(&message), &tail));
                        }
                    }
                    Err(bollard::errors::Error::DockerStreamError { error }) => {
                        return Err(build_error(&req.tag, &step, failed.as_deref().unwrap_or(&error), &tail))
                    }
                    // the stream broke after the daemon accepted the build: it went away
                    Err(e) => {
                        return Err(EngineError::Lost {
                            host: self.host.clone(),
                            what: format!("the build of {}", req.tag),
                            message: e.to_string(),
                        })
                    }
                }
            }
            match &failed {
                Some(message) => Err(build_error(&req.tag, &step, message, &tail)),
                None => Ok(()),
            }
        };
        match tokio::time::timeout(self.timeout, run).await {
            Err(_) => return Err(EngineError::Timeout { image: req.tag.clone(), seconds: self.timeout.as_secs() }),
            Ok(r) => r?,
        }
        match id {
            Some(id) if !buildkit => Ok(id),
            _ => self.inspect_id(&req.tag).await,
        }
    }

    async fn inspect_id(&self, image: &str) -> Result<String, EngineError> {
        let i = self.docker.inspect_image(image).await.map_err(|e| api(&format!("inspecting {image}"), e))?;
        Ok(i.id.unwrap_or_default())
    }

    /// Inspect an image: (ID, size in bytes as `docker images` shows, layer diff IDs).
    pub async fn inspect(&self, image: &str) -> Result<(String, u64, Vec<String>), EngineError> {
        let i = self.docker.inspect_image(image).await.map_err(|e| api(&format!("inspecting {image}"), e))?;
        let layers = i.root_fs.and_then(|r| r.layers).unwrap_or_default();
        Ok((i.id.unwrap_or_default(), i.size.unwrap_or(0).max(0) as u64, layers))
    }

    /// Where the daemon keeps an image's layers: its storage driver's name and what the
    /// driver says (overlay2: `UpperDir`, `LowerDir`, as folders on the daemon's host).
    pub async fn layer_storage(&self, image: &str) -> Result<(String, HashMap<String, String>), EngineError> {
        let i = self.docker.inspect_image(image).await.map_err(|e| api(&format!("inspecting {image}"), e))?;
        Ok(i.graph_driver.map(|g| (g.name, g.data)).unwrap_or_default())
    }

    /// The daemon's root folder on its host (`Docker Root Dir`), and whether images live in
    /// containerd's store (a `driver-type` of `io.containerd.snapshotter.v1`).
    pub async fn root_dir(&self) -> Result<(String, bool), EngineError> {
        let info = self.docker.info().await.map_err(|e| api("info", e))?;
        let containerd = info
            .driver_status
            .unwrap_or_default()
            .iter()
            .any(|kv| kv.iter().any(|v| v.starts_with("io.containerd.snapshotter")));
        Ok((info.docker_root_dir.unwrap_or_default(), containerd))
    }

    /// Whether an image exists locally.
    pub async fn exists(&self, image: &str) -> bool {
        self.docker.inspect_image(image).await.is_ok()
    }

    /// `docker history` sizes, oldest first, as (created_by, size).
    pub async fn history(&self, image: &str) -> Result<Vec<(String, u64)>, EngineError> {
        let h = self.docker.image_history(image).await.map_err(|e| api(&format!("the history of {image}"), e))?;
        Ok(h.into_iter().rev().map(|i| (i.created_by, i.size.max(0) as u64)).collect())
    }

    /// `docker save` of one image, as a stream of chunks.
    pub fn export(&self, image: &str) -> impl Stream<Item = Result<Bytes, bollard::errors::Error>> + '_ {
        self.docker.export_image(image)
    }

    /// `docker import`: make an image from a root filesystem tar.
    pub async fn import_rootfs(
        &self,
        rootfs: Bytes,
        repo: &str,
        tag: &str,
        changes: &[&str],
    ) -> Result<(), EngineError> {
        let mut opts = CreateImageOptionsBuilder::default().from_src("-").repo(repo).tag(tag).build();
        opts.changes = changes.iter().map(|c| c.to_string()).chain([format!("LABEL {LABEL}=true")]).collect();
        let mut s = self.docker.create_image(Some(opts), Some(bollard::body_full(rootfs)), None);
        while let Some(item) = s.next().await {
            item.map_err(|e| api(&format!("importing {repo}:{tag}"), e))?;
        }
        Ok(())
    }

    /// Images carrying a label (`key=value`), as their IDs.
    pub async fn images_with_label(&self, label: &str) -> Result<Vec<String>, EngineError> {
        let mut filters = HashMap::new();
        filters.insert("label".to_string(), vec![label.to_string()]);
        let opts = ListImagesOptionsBuilder::default().filters(&filters).build();
        let list = self.docker.list_images(Some(opts)).await.map_err(|e| api("listing images", e))?;
        Ok(list.into_iter().map(|i| i.id).collect())
    }

    /// Remove an image (forced, so tags pointing at it go too). A missing image is fine.
    /// Its untagged parents stay (`noprune`): with the classic builder they are the build
    /// cache, which a build running beside ours on the same daemon may be using at that
    /// moment (removing them fails that build with "failed to get digest"). shiplight
    /// removes only the image it tagged.
    pub async fn remove(&self, image: &str) -> Result<(), EngineError> {
        let opts = RemoveImageOptionsBuilder::default().force(true).noprune(true).build();
        match self.docker.remove_image(image, Some(opts), None).await {
            Ok(_) => Ok(()),
            Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. }) => Ok(()),
            Err(e) => Err(api(&format!("removing {image}"), e)),
        }
    }
}

/// Containers: only what the smoke checks (`smoke.rs`), the run-time needs scan
/// (`needs.rs`) and the in-place layer reader's helper (`measure/inplace.rs`) ask for. Every container is labelled [`LABEL`], and its creator removes it.
impl Engine {
    /// Create a container as `body` describes it, labelled as shiplight's: its ID.
    pub async fn create_container(&self, mut body: ContainerCreateBody) -> Result<String, EngineError> {
        let image = body.image.clone().unwrap_or_default();
        body.labels.get_or_insert_with(HashMap::new).insert(LABEL.to_owned(), "true".to_owned());
        let opts = CreateContainerOptionsBuilder::default().build();
        let created = self
            .docker
            .create_container(Some(opts), body)
            .await
            .map_err(|e| api(&format!("creating a container of {image}"), e))?;
        Ok(created.id)
    }

    pub async fn start_container(&self, id: &str) -> Result<(), EngineError> {
        self.docker
            .start_container(id, None::<StartContainerOptions>)
            .await
            .map_err(|e| api(&format!("starting container {id}"), e))
    }

    pub async fn inspect_container(&self, id: &str) -> Result<ContainerInspectResponse, EngineError> {
        self.docker
            .inspect_container(id, None::<InspectContainerOptions>)
            .await
            .map_err(|e| api(&format!("inspecting container {id}"), e))
    }

    /// What the container printed, stdout and stderr interleaved (as much as could be read).
    pub async fn container_logs(&self, id: &str) -> String {
        let opts = LogsOptionsBuilder::default().stdout(true).stderr(true).build();
        let mut stream = self.docker.logs(id, Some(opts));
        let mut out = String::new();
        while let Some(Ok(chunk)) = stream.next().await {
            out.push_str(&chunk.to_string());
        }
        out
    }

    /// Wait up to `timeout` for the container to exit: its exit code, or `None` when it is
    /// still running then (-1 when the daemon ended the wait without one).
    pub async fn wait_container(&self, id: &str, timeout: Duration) -> Result<Option<i64>, EngineError> {
        let mut wait = self.docker.wait_container(id, None::<WaitContainerOptions>);
        match tokio::time::timeout(timeout, wait.next()).await {
            Err(_) => Ok(None),
            Ok(Some(Ok(r))) => Ok(Some(r.status_code)),
            // a non-zero exit arrives as an error carrying the code
            Ok(Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. }))) => Ok(Some(code)),
            Ok(Some(Err(e))) => Err(api(&format!("waiting for container {id}"), e)),
            Ok(None) => Ok(Some(-1)),
        }
    }

    /// `path` of the container as a tar archive (`docker cp` out), cut at `limit` bytes;
    /// empty when the path is not there.
    pub async fn copy_from_container(&self, id: &str, path: &str, limit: usize) -> Vec<u8> {
        let opts = DownloadFromContainerOptionsBuilder::default().path(path).build();
        let mut stream = self.docker.download_from_container(id, Some(opts));
        let mut archive = Vec::new();
        // a path that is not there answers with an error: nothing to copy
        while let Some(Ok(chunk)) = stream.next().await {
            if archive.len() + chunk.len() > limit {
                break;
            }
            archive.extend_from_slice(&chunk);
        }
        archive
    }

    /// Run a container to its end and collect what it printed: (exit code, stdout, the end
    /// of stderr). The container is removed afterwards, whatever happened.
    pub async fn run_to_end(
        &self,
        body: ContainerCreateBody,
        timeout: Duration,
    ) -> Result<(i64, Vec<u8>, String), EngineError> {
        let id = self.create_container(body).await?;
        let result = self.run_created(&id, timeout).await;
        self.remove_container(&id).await;
        result
    }

    async fn run_created(&self, id: &str, timeout: Duration) -> Result<(i64, Vec<u8>, String), EngineError> {
        let opts = AttachContainerOptionsBuilder::default().stdout(true).stderr(true).stream(true).logs(true).build();
        let attached =
            self.docker.attach_container(id, Some(opts)).await.map_err(|e| api(&format!("attaching to {id}"), e))?;
        self.start_container(id).await?;
        let mut output = attached.output;
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let read = async {
            while let Some(frame) = output.next().await {
                match frame.map_err(|e| api(&format!("reading the output of container {id}"), e))? {
                    LogOutput::StdOut { message } | LogOutput::Console { message } => out.extend_from_slice(&message),
                    LogOutput::StdErr { message } => {
                        err.extend_from_slice(&message);
                        if err.len() > 64 * 1024 {
                            err.drain(..err.len() - 16 * 1024);
                        }
                    }
                    LogOutput::StdIn { .. } => {}
                }
            }
            Ok::<(), EngineError>(())
        };
        match tokio::time::timeout(timeout, read).await {
            Err(_) => {
                return Err(EngineError::Api {
                    what: format!("container {id}"),
                    message: format!("still running after {} s", timeout.as_secs()),
                })
            }
            Ok(r) => r?,
        }
        let code = self.wait_container(id, Duration::from_secs(30)).await?.unwrap_or(-1);
        Ok((code, out, String::from_utf8_lossy(&err).into_owned()))
    }

    /// Remove a container, running or not. Best effort: a container already gone is fine.
    pub async fn remove_container(&self, id: &str) {
        let opts = RemoveContainerOptionsBuilder::default().force(true).build();
        let _ = self.docker.remove_container(id, Some(opts)).await;
    }
}

fn api(what: &str, e: bollard::errors::Error) -> EngineError {
    EngineError::Api { what: what.to_owned(), message: e.to_string() }
}

fn push_tail(tail: &mut Vec<String>, line: &str) {
    tail.push(line.to_owned());
    if tail.len() > 50 {
        tail.remove(0);
    }
}

fn build_error(image: &str, step: &str, message: &str, tail: &[String]) -> EngineError {
    // classic: "The command '/bin/sh -c false' returned a non-zero code: 1"
    // BuildKit: "process \"/bin/sh -c false\" did not complete successfully: exit code: 1"
    let exit_code = message
        .rsplit_once("non-zero code: ")
        .or_else(|| message.rsplit_once("exit code: "))
        .and_then(|(_, c)| c.trim().split(|ch: char| !ch.is_ascii_digit()).next()?.parse().ok());
    EngineError::Build(BuildError {
        image: image.to_owned(),
        step: step.to_owned(),
        exit_code,
        message: message.trim().to_owned(),
        tail: tail.to_vec(),
    })
}
