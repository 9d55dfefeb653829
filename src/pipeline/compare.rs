//! `shiplight compare`: build the head and base images on one daemon, measure both, compare.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;

use crate::dockerfile::{Dockerfile, Graph};
use crate::github::{self, tarball};
use crate::image::compare::{self, Thresholds, Verdict};
use crate::image::docker::context;
use crate::image::docker::engine::{BuildLine, BuildRequest, Builder, Engine, EngineError};
use crate::image::measure::{self, Source};
use crate::image::oci::Platforms;
use crate::image::source::ImageSource;
use crate::image::ImageMeasure;
use crate::pipeline::git;
use crate::pipeline::sources::{Found, Reader, SourceError};
use crate::report::{ImageReport, Report};

/// What `shiplight compare` was asked to do (also its command-line arguments).
#[derive(Debug, Clone, clap::Args)]
pub struct CompareOptions {
    /// The Dockerfile to build.
    #[arg(long, default_value = "Dockerfile")]
    pub dockerfile: PathBuf,
    /// Build context (default: the Dockerfile's folder).
    #[arg(long)]
    pub context: Option<PathBuf>,
    /// Build the base from this commit (its tree is read with git archive).
    #[arg(long, conflicts_with = "base_image")]
    pub base_ref: Option<String>,
    /// Compare with an image that already exists instead of building the base:
    /// local://NAME (the daemon), registry://REF, oci-dir://PATH[:TAG], archive://FILE, or a
    /// bare reference (the daemon if it has it, else the registry). A base that does not
    /// exist yet (a first push) skips the comparison.
    #[arg(long)]
    pub base_image: Option<String>,
    /// Measure this image instead of building the head (the same sources as --base-image).
    /// A head that does not exist is an error (exit 3).
    #[arg(long)]
    pub head_image: Option<String>,
    #[arg(long)]
    pub target: Option<String>,
    /// The platform to build (linux/amd64). With --head-image: which platforms of an index
    /// to compare, `all` (the default: every platform the head has) or a comma-separated list.
    #[arg(long)]
    pub platform: Option<String>,
    /// With image sources: compare the compressed sizes in the manifests only, downloading no
    /// layer. The thresholds then judge compressed bytes.
    #[arg(long)]
    pub sizes_only: bool,
    /// Keep layer scans here (default $SHIPLIGHT_CACHE_DIR, else $XDG_CACHE_HOME/shiplight,
    /// else ~/.cache/shiplight). One scan per layer digest, shared by every image.
    #[arg(long)]
    pub cache_dir: Option<PathBuf>,
    /// A registry host (host or host:port) that may be reached over plain HTTP; repeatable.
    /// localhost and 127.0.0.0/8 always may.
    #[arg(long = "insecure-registry")]
    pub insecure_registries: Vec<String>,
    /// Credentials for the head image's registry (the Action's registry-username and
    /// registry-password; on the command line, SHIPLIGHT_REGISTRY_USERNAME/_PASSWORD).
    #[arg(skip)]
    pub registry_username: Option<String>,
    #[arg(skip)]
    pub registry_password: Option<String>,
    /// KEY=VALUE, repeatable.
    #[arg(long = "build-arg", value_parser = parse_build_arg)]
    pub build_args: Vec<(String, String)>,
    /// The image's key in the report (default: the Dockerfile's folder, plus its name unless it is `Dockerfile`).
    #[arg(long)]
    pub name: Option<String>,
    /// Fail when the image grows by more than this (bytes, or with kB/MB/GB).
    #[arg(long, value_parser = parse_size)]
    pub fail_on_increase_bytes: Option<u64>,
    #[arg(long)]
    pub fail_on_increase_percent: Option<f64>,
    #[arg(long)]
    pub warn_on_increase_percent: Option<f64>,
    /// Fail when the head image is larger than this (bytes, or with kB/MB/GB).
    #[arg(long, value_parser = parse_size)]
    pub max_size: Option<u64>,
    /// Per-build timeout in seconds.
    #[arg(long = "timeout", value_parser = parse_seconds, default_value = "3600")]
    pub timeout: Duration,
    /// Print the build output, prefixed [head] / [base], on stderr.
    #[arg(long, short)]
    pub verbose: bool,
    /// auto: BuildKit when the Dockerfile needs it (RUN --mount, heredocs, COPY --link …).
    #[arg(long, value_enum, default_value = "auto")]
    pub builder: Builder,
    /// The GitHub token for the base tree's tarball (default: GITHUB_TOKEN); the Action
    /// passes its github-token input here.
    #[arg(skip)]
    pub token: Option<String>,
}

impl CompareOptions {
    /// The team's limits, as the comparison applies them.
    pub fn thresholds(&self) -> Thresholds {
        Thresholds {
            fail_on_increase_bytes: self.fail_on_increase_bytes,
            fail_on_increase_percent: self.fail_on_increase_percent,
            warn_on_increase_percent: self.warn_on_increase_percent,
            max_size: self.max_size,
        }
    }
}

fn parse_build_arg(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err(format!("`{s}` is not KEY=VALUE")),
    }
}

fn parse_seconds(s: &str) -> Result<Duration, String> {
    s.trim().parse().map(Duration::from_secs).map_err(|_| format!("`{s}` is not a number of seconds"))
}

pub use crate::image::compare::parse_size;

/// Why `compare` could not produce a report.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error("{path}: {message}")]
    Dockerfile { path: String, message: String },
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Context(#[from] context::ContextError),
    #[error(transparent)]
    Base(#[from] git::BaseError),
    #[error(transparent)]
    Tarball(#[from] tarball::TarballError),
    /// An image source could not be read (a head that does not exist, a registry refusal).
    #[error("{0}")]
    Source(#[from] SourceError),
}

impl CompareError {
    /// Exit code: 2 for what the user wrote, 3 for the environment (daemon, build, git).
    pub fn exit_code(&self) -> i32 {
        match self {
            CompareError::Dockerfile { .. } | CompareError::Usage(_) | CompareError::Context(_) => crate::exit::USAGE,
            CompareError::Source(e) => e.exit_code(),
            _ => crate::exit::ENVIRONMENT,
        }
    }
}

/// Labels that identify a base build, so an identical one is reused.
pub const BASE_KEY_LABEL: &str = "dev.shiplight.base-key";

/// A stable 64-bit FNV-1a hash, for cache keys that survive rebuilds of shiplight.
fn fnv(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for p in parts {
        for b in p.bytes().chain([0u8]) {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
    }
    format!("{h:016x}")
}

/// The image key for a Dockerfile: its folder, plus its name when it is not `Dockerfile`
/// (`api/Dockerfile` → `api`, `docker/web.Dockerfile` → `docker-web`).
pub fn image_key(dockerfile: &Path) -> String {
    let dir = dockerfile.parent().and_then(|p| p.file_name()).and_then(|n| n.to_str()).unwrap_or("");
    let file = dockerfile.file_name().and_then(|n| n.to_str()).unwrap_or("Dockerfile");
    let stem = file
        .trim_end_matches(".Dockerfile")
        .trim_end_matches(".dockerfile")
        .trim_start_matches("Dockerfile.")
        .trim_start_matches("dockerfile.");
    let key = match (dir, file.eq_ignore_ascii_case("dockerfile") || file.eq_ignore_ascii_case("containerfile")) {
        ("" | ".", true) => "image".to_owned(),
        (d, true) => d.to_owned(),
        ("" | ".", false) => stem.to_owned(),
        (d, false) => format!("{d}-{stem}"),
    };
    crate::report::comment::safe_key(&key)
}

/// The base commit of the pull request this run is for, from `GITHUB_EVENT_PATH`.
fn pr_base(gh: &github::Env) -> Option<String> {
    github::event::pull_request(&gh.event_text()?).ok()??.base_sha.into()
}

/// Engine 20.10's built-in Dockerfile frontend parses a heredoc's body as instructions
/// ("unknown instruction: ECHO"); say what is really wrong.
fn old_engine_hint(e: EngineError, df: &Dockerfile, version: &str) -> EngineError {
    let major: u32 = version.split('.').next().and_then(|m| m.parse().ok()).unwrap_or(u32::MAX);
    match (e, df.buildkit_feature()) {
        (EngineError::Build(mut b), Some((line, feature))) if major < 23 && feature.starts_with("a heredoc") => {
            b.message = format!(
                "{}; line {line} has {feature}, which Docker Engine {version}'s built-in Dockerfile frontend cannot build: use Engine 23 or newer",
                b.message
            );
            EngineError::Build(b)
        }
        (e, _) => e,
    }
}

/// How image sources are read for these options: platforms, sizes only, registries.
fn reader(opts: &CompareOptions, engine: Option<Engine>, platforms: Platforms) -> Reader {
    let mut reader = Reader::new(engine, opts.timeout);
    reader.platforms = platforms;
    reader.sizes_only = opts.sizes_only;
    reader.registry.insecure = opts.insecure_registries.clone();
    if opts.registry_username.is_some() {
        reader.registry.login.username = opts.registry_username.clone();
        reader.registry.login.password = opts.registry_password.clone();
    }
    if opts.token.is_some() {
        reader.registry.login.github_token = opts.token.clone();
    }
    // explicit credentials go to the head image's registry only (else the base's)
    let registry_of = |t: &Option<String>| match t.as_deref().map(ImageSource::parse) {
        Some(Ok(ImageSource::Registry(r) | ImageSource::Either(r))) => {
            crate::reference::ImageRef::strict(&r).ok().map(|r| r.registry)
        }
        _ => None,
    };
    reader.registry.login.registry = registry_of(&opts.head_image).or_else(|| registry_of(&opts.base_image));
    reader
}

/// Run the comparison and build one report (one entry per platform for an index).
///
/// Building from source runs in phases, each taking the previous one's value: read the head
/// ([`read_head`]), resolve both sides ([`resolve_sources`]: the head's build, and the base as
/// an image, a build of the base commit's tree, an earlier identical build, or nothing),
/// build and measure both at once ([`build_and_measure`]), compare ([`compare_sides`]) and judge.
/// Images that already exist skip the building ([`run_images`]).
pub async fn run(opts: &CompareOptions) -> Result<Report, CompareError> {
    if let Some(dir) = &opts.cache_dir {
        crate::image::cache::set_dir(dir.clone());
    }
    if let Some(head) = &opts.head_image {
        return run_images(opts, head).await;
    }
    if opts.sizes_only {
        return Err(CompareError::Usage(
            "--sizes-only reads manifests: give the head as an image (--head-image registry://… or oci-dir://…)".into(),
        ));
    }
    let head = read_head(opts)?;
    let sources = resolve_sources(opts, head).await?;
    let measured = build_and_measure(opts, sources).await?;
    let mut image = compare_sides(measured.report, measured.head, measured.base);
    image.judge(&opts.thresholds());
    Ok(Report { images: vec![image], ..Report::default() }.with_verdict())
}

/// The head side as the files say it: the Dockerfile, parsed, with its stage graph, the
/// build context and the image's key in the report.
struct Head {
    shown: String,
    df: Dockerfile,
    graph: Graph,
    targets: Vec<String>,
    context: PathBuf,
    name: String,
}

/// Read and parse the Dockerfile, build its stage graph, settle the context and the name.
fn read_head(opts: &CompareOptions) -> Result<Head, CompareError> {
    let df_path = &opts.dockerfile;
    let shown = df_path.display().to_string();
    let text = std::fs::read_to_string(df_path).map_err(|e| CompareError::Dockerfile {
        path: shown.clone(),
        message: format!("cannot read it ({e}); pass --dockerfile PATH"),
    })?;
    let df = Dockerfile::parse(&text).map_err(|e| CompareError::Dockerfile {
        path: shown.clone(),
        message: format!("line {}: {}", e.line, e.message),
    })?;
    let targets: Vec<String> = opts.target.iter().cloned().collect();
    let graph = Graph::build(&df, &targets).map_err(|e| CompareError::Usage(e.to_string()))?;
    let context = opts.context.clone().unwrap_or_else(|| {
        df_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    });
    let name = opts.name.clone().unwrap_or_else(|| image_key(df_path));
    Ok(Head { shown, df, graph, targets, context, name })
}

/// What the base side is.
enum BaseWork {
    /// An image that already exists (`--base-image`).
    Image(ImageSource),
    /// A build of the base commit's tree, and the tag it gets.
    Build(Box<BuildRequest>, String),
    /// An identical base build from an earlier run, by its tag.
    Cached(String),
    /// Nothing to compare with, and why.
    Skip(String),
}

/// Both sides resolved: the daemon, the head's build, what the base is, and the report
/// entry so far.
struct Sources {
    head: Head,
    engine: Engine,
    engine_version: String,
    head_req: BuildRequest,
    base: BaseWork,
    /// The base commit's Dockerfile, to attribute the base image's layers to its lines.
    base_dockerfile: Option<String>,
    report: ImageReport,
}

/// The build arguments as a request takes them, and as a sorted `K=V` list for cache keys.
fn build_args(opts: &CompareOptions) -> (HashMap<String, String>, String) {
    let mut list: Vec<String> = opts.build_args.iter().map(|(k, v)| format!("{k}={v}")).collect();
    list.sort();
    (opts.build_args.iter().cloned().collect(), list.join(","))
}

/// Connect to the daemon, pack the head's context into its build request, and settle what
/// the base is.
async fn resolve_sources(opts: &CompareOptions, head: Head) -> Result<Sources, CompareError> {
    let mut gh = github::Env::from_process();
    if opts.token.is_some() {
        gh.token = opts.token.clone();
    }
    let engine = Engine::connect(opts.timeout).await?;
    let info = engine.server_info().await?;
    let head_ctx = context::pack(&head.context, &opts.dockerfile)?;
    let (args, arg_list) = build_args(opts);
    let head_key = fnv(&[
        &head.context.canonicalize().unwrap_or(head.context.clone()).display().to_string(),
        &head_ctx.dockerfile,
        opts.target.as_deref().unwrap_or(""),
        &arg_list,
    ]);
    let head_req = BuildRequest {
        builder: opts.builder.for_dockerfile(Some(&head.df)),
        context: Bytes::from(head_ctx.tar),
        dockerfile: head_ctx.dockerfile.clone(),
        tag: format!("shiplight-head:{head_key}"),
        target: opts.target.clone(),
        platform: opts.platform.clone(),
        build_args: args,
        labels: HashMap::from([("dev.shiplight.side".into(), "head".into())]),
    };
    let mut report = ImageReport {
        name: head.name.clone(),
        dockerfile: head.shown.clone(),
        target: opts.target.clone(),
        engine: format!("{} (API {})", info.version, info.api_version),
        ..Default::default()
    };
    let (base, base_dockerfile) = resolve_base(opts, &engine, &gh, &head, &head_req, &mut report).await?;
    Ok(Sources { head, engine, engine_version: info.version, head_req, base, base_dockerfile, report })
}

/// The base side: an image, a commit's tree (from git, or inside Actions from GitHub's
/// tarball API), an earlier identical build, or nothing. With it, the base commit's
/// Dockerfile when there is one.
async fn resolve_base(
    opts: &CompareOptions,
    engine: &Engine,
    gh: &github::Env,
    head: &Head,
    head_req: &BuildRequest,
    report: &mut ImageReport,
) -> Result<(BaseWork, Option<String>), CompareError> {
    if let Some(img) = &opts.base_image {
        report.base_ref = Some(img.clone());
        return Ok((BaseWork::Image(ImageSource::parse(img).map_err(CompareError::Usage)?), None));
    }
    let Some(reference) = opts.base_ref.clone().or_else(|| pr_base(gh)) else {
        let why = "no base given (--base-ref REF or --base-image IMAGE, or a pull_request event)";
        return Ok((BaseWork::Skip(why.into()), None));
    };
    report.base_ref = Some(reference.clone());
    // The base tree: from git when the commit is here; inside Actions, where checkout
    // fetched only the merge commit (or the action's image has no git), from GitHub's
    // tarball API with the job's token, the workspace standing for the repository root.
    let can_fetch = gh.token.is_some() && gh.repository.is_some();
    let found = git::repo_root(&head.context).and_then(|root| git::resolve(&root, &reference).map(|c| (root, c)));
    let (root, commit, from_github) = match found {
        Ok((root, c)) => (root, c, false),
        Err(git::BaseError::UnknownRef { .. } | git::BaseError::NoGit(_) | git::BaseError::NotARepo { .. })
            if can_fetch =>
        {
            (gh.workspace.clone(), reference.clone(), true)
        }
        Err(e) => return Err(e.into()),
    };
    report.base_commit = Some(commit.clone());
    let ctx_rel = git::relative(&root, &head.context).ok_or_else(|| {
        CompareError::Usage(format!("context {} is outside the repository {}", head.context.display(), root.display()))
    })?;
    let (args, arg_list) = build_args(opts);
    let key = fnv(&[&commit, &ctx_rel, &head_req.dockerfile, opts.target.as_deref().unwrap_or(""), &arg_list]);
    let tag = format!("shiplight-base:{key}");
    let df_rel = Path::new(&ctx_rel).join(&head_req.dockerfile).to_string_lossy().replace('\\', "/");
    let mut base_dockerfile = if from_github { None } else { git::show(&root, &commit, &df_rel)? };
    let cached = engine.images_with_label(&format!("{BASE_KEY_LABEL}={key}")).await?;
    if !cached.is_empty() && engine.exists(&tag).await && !from_github {
        return Ok((BaseWork::Cached(tag), base_dockerfile));
    }
    let dir = tempfile::tempdir().map_err(|e| CompareError::Usage(format!("cannot create a temporary folder: {e}")))?;
    let df_in_base = dir.path().join(&head_req.dockerfile);
    let extracted = if from_github {
        let (token, repository) = (gh.token.as_deref().unwrap_or(""), gh.repository.as_deref().unwrap_or(""));
        tarball::fetch(&gh.api_url, token, repository, &commit, &ctx_rel, dir.path()).await?
    } else {
        git::extract(&root, &commit, &ctx_rel, dir.path())?
    };
    if from_github {
        base_dockerfile = std::fs::read_to_string(&df_in_base).ok();
    }
    let work = if !extracted || !df_in_base.is_file() {
        BaseWork::Skip(format!(
            "the base commit {} has no {}",
            &commit[..12.min(commit.len())],
            Path::new(&ctx_rel).join(&head_req.dockerfile).display()
        ))
    } else if !cached.is_empty() && engine.exists(&tag).await {
        BaseWork::Cached(tag)
    } else {
        let packed = context::pack(dir.path(), &df_in_base)?;
        let base_df = base_dockerfile.as_deref().and_then(|t| Dockerfile::parse(t).ok());
        let req = BuildRequest {
            builder: opts.builder.for_dockerfile(base_df.as_ref()),
            context: Bytes::from(packed.tar),
            dockerfile: packed.dockerfile,
            tag: tag.clone(),
            target: opts.target.clone(),
            platform: opts.platform.clone(),
            build_args: args,
            labels: HashMap::from([
                (BASE_KEY_LABEL.into(), key),
                ("dev.shiplight.side".into(), "base".into()),
                ("dev.shiplight.commit".into(), commit.clone()),
            ]),
        };
        BaseWork::Build(Box::new(req), tag)
    };
    Ok((work, base_dockerfile))
}

/// How a build step's output is shown: -v prints all output; on a terminal each step gets a
/// line; piped, the builds are quiet.
fn show(opts: &CompareOptions, side: &'static str) -> impl FnMut(BuildLine) {
    let (verbose, tty) = (opts.verbose, std::io::stderr().is_terminal());
    move |line: BuildLine| match line {
        BuildLine::Step(s) if verbose || tty => eprintln!("[{side}] {s}"),
        BuildLine::Output(s) if verbose => eprintln!("[{side}] {s}"),
        _ => {}
    }
}

/// Both sides measured, with the report entry so far.
struct Measured {
    report: ImageReport,
    head: ImageMeasure,
    base: Option<ImageMeasure>,
}

/// The base side's outcome: its measure, or why there is none.
type BaseOutcome = Result<Option<ImageMeasure>, String>;

/// Build and measure both sides at once on the same daemon: the builds share its layer
/// cache, and each side is measured as soon as it is built, so a base found in the cache (an
/// earlier identical build, or an image) is measured while the head builds. Layers the two
/// share are read once (measures read one at a time and keep scans by diff_id), and a base
/// measured in an earlier run is not read again. A head that does not build is an error; a
/// base that does not build, or does not exist yet, only skips the comparison.
async fn build_and_measure(opts: &CompareOptions, sources: Sources) -> Result<Measured, CompareError> {
    let Sources { head, engine, engine_version, head_req, base, base_dockerfile, mut report } = sources;
    let base_parsed = base_dockerfile.as_deref().and_then(|t| Dockerfile::parse(t).ok());
    let base_graph = base_parsed.as_ref().and_then(|d| Graph::build(d, &head.targets).ok());
    let base_source = match (&base_parsed, &base_graph) {
        (Some(dockerfile), Some(graph)) => Some(Source { dockerfile, graph }),
        _ => None,
    };
    let head_source = Source { dockerfile: &head.df, graph: &head.graph };
    let head_side = async {
        engine.build(&head_req, show(opts, "head")).await.map_err(|e| old_engine_hint(e, &head.df, &engine_version))?;
        let mut m = measure::measure(&engine, &head_req.tag, Some(head_source)).await?;
        m.source = Some("daemon".into());
        Ok::<_, CompareError>(m)
    };
    let base_side = async {
        let outcome: Result<BaseOutcome, CompareError> = match &base {
            BaseWork::Build(req, tag) => match engine.build(req, show(opts, "base")).await {
                Ok(_) => Ok(Ok(Some(measure::measure(&engine, tag, base_source).await?))),
                Err(e) => Ok(Err(format!("the base build failed, so there is nothing to compare: {e}"))),
            },
            BaseWork::Cached(tag) => Ok(Ok(Some(measure::measure(&engine, tag, base_source).await?))),
            BaseWork::Image(src) => {
                let platform = opts.platform.clone().unwrap_or_else(|| format!("linux/{}", engine_arch()));
                let mut reader = reader(opts, Some(engine.clone()), Platforms::Only(vec![platform]));
                match reader.measure(src, None).await {
                    Ok(found) => Ok(Ok(found.images.into_iter().next())),
                    Err(SourceError::Missing(why)) => {
                        Ok(Err(format!("the base image does not exist yet, so there is nothing to compare: {why}")))
                    }
                    Err(e) => Err(e.into()),
                }
            }
            BaseWork::Skip(why) => Ok(Err(why.clone())),
        };
        outcome
    };
    let (head_result, base_result) = tokio::join!(head_side, base_side);
    let head_measure = head_result?;
    let base_measure = match base_result? {
        Ok(m) => m,
        Err(why) => {
            report.base_skipped = Some(why);
            None
        }
    };
    report.base_dockerfile = base_dockerfile;
    Ok(Measured { report, head: head_measure, base: base_measure })
}

/// The daemon's architecture as platforms name it (the host's: shiplight runs beside it).
fn engine_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "arm" => "arm",
        other => other,
    }
}

/// Compare images that already exist: `--head-image` against `--base-image`, platform by
/// platform. Nothing is built.
async fn run_images(opts: &CompareOptions, head_text: &str) -> Result<Report, CompareError> {
    if opts.base_ref.is_some() {
        return Err(CompareError::Usage(
            "--base-ref builds the base from source; with --head-image, name the base as an image too (--base-image registry://…:main)".into(),
        ));
    }
    let head_src = ImageSource::parse(head_text).map_err(CompareError::Usage)?;
    let base_src = opts.base_image.as_deref().map(ImageSource::parse).transpose().map_err(CompareError::Usage)?;
    let platforms = Platforms::parse(opts.platform.as_deref().unwrap_or("all")).map_err(CompareError::Usage)?;
    // The Dockerfile, when there is one, attributes the history to its lines.
    let df = std::fs::read_to_string(&opts.dockerfile).ok().and_then(|t| Dockerfile::parse(&t).ok());
    let targets: Vec<String> = opts.target.iter().cloned().collect();
    let graph = df.as_ref().and_then(|d| Graph::build(d, &targets).ok());
    let source = match (&df, &graph) {
        (Some(dockerfile), Some(graph)) => Some(Source { dockerfile, graph }),
        _ => None,
    };
    let mut reader = reader(opts, None, platforms);
    let head: Found = reader.measure(&head_src, source).await?;
    let base: Result<Option<Found>, String> = match &base_src {
        // the head's Dockerfile is not the base's: the base's layers keep their history only
        Some(b) => match reader.measure(b, None).await {
            Ok(f) => Ok(Some(f)),
            Err(SourceError::Missing(why)) => {
                Err(format!("the base image does not exist yet (a first push?), so there is nothing to compare: {why}"))
            }
            Err(e) => return Err(e.into()),
        },
        None => Ok(None),
    };
    let name = opts.name.clone().unwrap_or_else(|| {
        if opts.dockerfile.is_file() {
            image_key(&opts.dockerfile)
        } else {
            let text = head_src.to_string();
            let last = text.rsplit('/').next().unwrap_or(&text);
            crate::report::comment::safe_key(last.split([':', '@']).next().unwrap_or(last))
        }
    });
    let mut images = Vec::new();
    for h in head.images {
        let mut report_img = ImageReport {
            name: name.clone(),
            dockerfile: if df.is_some() { opts.dockerfile.display().to_string() } else { String::new() },
            target: opts.target.clone(),
            engine: format!("none: read from {}", h.source.as_deref().unwrap_or("the source")),
            base_ref: opts.base_image.clone(),
            platform: head.from_index.then(|| h.platform.clone()).flatten(),
            sizes_only: opts.sizes_only,
            ..Default::default()
        };
        let b = match &base {
            Ok(Some(found)) => {
                let pick = found
                    .images
                    .iter()
                    .find(|b| b.platform == h.platform || (b.platform.is_none() || h.platform.is_none()));
                if pick.is_none() {
                    report_img.base_skipped = Some(format!(
                        "the base has no {} image (it has {})",
                        h.platform.as_deref().unwrap_or("matching"),
                        found.images.iter().filter_map(|b| b.platform.clone()).collect::<Vec<_>>().join(", ")
                    ));
                }
                pick.cloned()
            }
            Ok(None) => {
                report_img.base_skipped = Some("no base given (--base-image)".into());
                None
            }
            Err(why) => {
                report_img.base_skipped = Some(why.clone());
                None
            }
        };
        let mut image = compare_sides(report_img, h, b);
        image.judge(&opts.thresholds());
        images.push(image);
    }
    // the worst verdict first
    images.sort_by_key(|i| std::cmp::Reverse(i.verdict));
    Ok(Report { images, ..Report::default() }.with_verdict())
}

/// Compare head with base (when there is one) into `report_img`: the comparison, the package
/// delta and the delta that will be judged. The verdict is the caller's next step
/// ([`ImageReport::judge`]).
fn compare_sides(
    mut report_img: ImageReport,
    mut head: ImageMeasure,
    mut base_measure: Option<ImageMeasure>,
) -> ImageReport {
    if let Some(b) = &base_measure {
        let c = compare::compare(b, &head);
        report_img.comparison = Some(c);
        // what grew, by package; the report keeps the delta, not both inventories
        if let (Some(bi), Some(hi)) = (&b.packages, &head.packages) {
            let d = crate::image::packages::delta(bi, hi, &|l| b.line_of_layer(l), &|l| head.line_of_layer(l));
            report_img.packages = Some(d);
        }
    }
    report_img.head_packages = head.packages.take();
    if let Some(b) = &mut base_measure {
        b.packages = None;
    }
    // the delta and the verdict are of the judged size (compressed with --sizes-only)
    if let Some(d) = report_img.judged_delta() {
        report_img.delta_bytes = Some(d.delta);
        report_img.delta_percent = Some(d.percent);
    }
    report_img.base = base_measure;
    report_img.head = head;
    report_img
}

/// The run's exit code: 1 when a verdict fails.
pub fn exit_code(report: &Report) -> i32 {
    if report.verdict == Some(Verdict::Fail) {
        crate::exit::FINDINGS
    } else {
        crate::exit::OK
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_keys() {
        assert_eq!(image_key(Path::new("examples/flask/Dockerfile")), "flask");
        assert_eq!(image_key(Path::new("Dockerfile")), "image");
        assert_eq!(image_key(Path::new("docker/web.Dockerfile")), "docker-web");
        assert_eq!(image_key(Path::new("api/Dockerfile.prod")), "api-prod");
    }
}
