//! `shiplight suggest`: the multi-stage rewrite of a Dockerfile as a diff, JSON or markdown,
//! applied with `--write`.

use std::path::PathBuf;

use crate::dockerfile::{Dockerfile, Graph, Kind};
use crate::image::docker::context;
use crate::image::docker::engine::{BuildRequest, Engine, EngineError};
use crate::image::docker::smoke::{self, Check};
use crate::lint::LintConfig;
use crate::patch::{self, Outcome, Templates};
pub use crate::report::{SmokeReport, Suggestion, Verification};
use crate::repository::Role;

/// What `shiplight suggest` was asked to do (also its command-line arguments).
#[derive(Debug, Clone, clap::Args)]
pub struct SuggestOptions {
    /// The Dockerfile to rewrite.
    pub dockerfile: PathBuf,
    /// Apply the patch to the file (its line endings are kept).
    #[arg(long)]
    pub write: bool,
    /// A folder of `<ecosystem>.Dockerfile.hbs` templates replacing the built-in ones.
    #[arg(long)]
    pub templates: Option<PathBuf>,
    /// Build context (default: the Dockerfile's folder).
    #[arg(long)]
    pub context: Option<PathBuf>,
    /// Build the original and the patched Dockerfile and smoke-check both (needs a daemon).
    #[arg(long)]
    pub verify: bool,
    /// Smoke check: GET this path on the EXPOSEd port (default `/` when a port is exposed).
    #[arg(long, conflicts_with_all = ["smoke_cmd", "no_smoke"])]
    pub smoke_http: Option<String>,
    /// Smoke check: run this shell command in both images and compare exit code and output.
    #[arg(long, conflicts_with = "no_smoke")]
    pub smoke_cmd: Option<String>,
    /// Verify by building only.
    #[arg(long)]
    pub no_smoke: bool,
    /// Seconds the smoke check may take per image.
    #[arg(long, default_value_t = 60)]
    pub smoke_timeout: u64,
    /// Per-build timeout in seconds.
    #[arg(long, default_value_t = 3600)]
    pub timeout: u64,
    #[arg(long, value_enum, default_value = "auto")]
    pub builder: crate::image::docker::engine::Builder,
    /// Ship static binaries (Go) on `scratch` instead of distroless static.
    #[arg(long)]
    pub scratch: bool,
}

/// Why `suggest` could not run.
#[derive(Debug, thiserror::Error)]
pub enum SuggestError {
    #[error("cannot read {path}: {message}; check the path")]
    Read { path: String, message: String },
    #[error(transparent)]
    Template(#[from] patch::TemplateError),
    #[error("cannot write {path}: {message}; the file is unchanged")]
    Write { path: String, message: String },
}

/// Apply the patch to the file: written beside, then renamed, so the original is never
/// half-written.
pub fn write(opts: &SuggestOptions, s: &mut Suggestion) -> Result<(), SuggestError> {
    let Some(patched) = &s.patched else { return Ok(()) };
    // a retarget edits the compose, bake or workflow file, not the Dockerfile
    let target = s.file.as_ref().map(PathBuf::from).unwrap_or_else(|| opts.dockerfile.clone());
    let tmp = target.with_extension("shiplight-tmp");
    std::fs::write(&tmp, patched)
        .and_then(|_| std::fs::rename(&tmp, &target))
        .map_err(|e| SuggestError::Write { path: target.display().to_string(), message: e.to_string() })?;
    s.written = true;
    Ok(())
}

/// The smoke check for an image built from `df`: what the user asked, else HTTP on the first
/// EXPOSEd TCP port, else the default command.
fn smoke_check(opts: &SuggestOptions, df: &Dockerfile) -> Result<Option<Check>, String> {
    if opts.no_smoke {
        return Ok(None);
    }
    if let Some(cmd) = &opts.smoke_cmd {
        return Ok(Some(Check::Command(Some(cmd.clone()))));
    }
    let graph = Graph::build(df, &[]).map_err(|e| e.to_string())?;
    let port = graph
        .lineage(graph.targets[0])
        .into_iter()
        .flat_map(|i| df.stages[i].of_kind(Kind::Expose).flat_map(|e| e.words().to_vec()).collect::<Vec<_>>())
        .find_map(|w| {
            let (p, proto) = w.split_once('/').unwrap_or((&w, "tcp"));
            (proto.eq_ignore_ascii_case("tcp")).then(|| p.parse::<u16>().ok()).flatten()
        });
    match (port, &opts.smoke_http) {
        (Some(port), path) => Ok(Some(Check::Http { port, path: path.clone().unwrap_or_else(|| "/".into()) })),
        (None, Some(_)) => Err("--smoke-http needs an EXPOSEd TCP port in the Dockerfile".into()),
        (None, None) => Ok(Some(Check::Command(None))),
    }
}

/// Build the original and the patched Dockerfile on the same daemon from the same context,
/// run the same smoke check against both, and report sizes and what each did.
///
/// A rewrite is first made exact: its runtime packages become what the artifacts' ELF files
/// need, read in the built build stage ([`refine`]).
pub async fn verify(opts: &SuggestOptions, original: &str, s: &mut Suggestion) -> Result<Verification, EngineError> {
    if s.patched.is_none() {
        return Ok(Verification { reason: Some("there is no patch to verify".into()), ..Verification::default() });
    }
    let not = |reason: String, v: Verification| Verification { verified: false, reason: Some(reason), ..v };
    let engine = Engine::connect(std::time::Duration::from_secs(opts.timeout)).await?;
    let info = engine.server_info().await?;
    let mut v =
        Verification { engine: format!("{} (API {})", info.version, info.api_version), ..Verification::default() };
    let dir = opts
        .context
        .clone()
        .or_else(|| opts.dockerfile.parent().map(PathBuf::from))
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    // every rewrite that copies artifacts from a build stage (not an in-place slimming, not
    // a retarget, which copy nothing)
    if !s.ecosystem.as_deref().is_some_and(patch::in_place) && s.retarget.is_none() {
        refine(&engine, opts, &dir, s).await;
    }
    let Some(patched) = &s.patched else {
        return Ok(Verification { reason: Some("there is no patch to verify".into()), ..v });
    };
    // a retarget builds the same Dockerfile twice: the heavy stage and the light one
    let retarget = s.retarget.clone();
    let extra: Vec<(&str, &[u8])> = if retarget.is_some() { Vec::new() } else { vec![(PATCHED, patched.as_bytes())] };
    let ctx = match context::pack_with(&dir, &opts.dockerfile, &extra) {
        Ok(c) => c,
        Err(e) => return Ok(not(format!("the build context cannot be packed: {e}"), v)),
    };
    let orig_df = Dockerfile::parse(original).ok();
    let patched_df = if retarget.is_some() { orig_df.clone() } else { Dockerfile::parse(patched).ok() };
    // unique among concurrent runs; both images are removed at the end
    let key = std::process::id();
    let request = |dockerfile: String, tag: String, df: Option<&Dockerfile>| BuildRequest {
        builder: opts.builder.for_dockerfile(df),
        context: bytes::Bytes::from(ctx.tar.clone()),
        dockerfile,
        tag,
        labels: [("dev.shiplight.side".to_owned(), "suggest".to_owned())].into(),
        ..BuildRequest::default()
    };
    let mut orig_req = request(ctx.dockerfile.clone(), format!("shiplight-suggest:original-{key}"), orig_df.as_ref());
    let patched_name = if retarget.is_some() { ctx.dockerfile.clone() } else { PATCHED.into() };
    let mut patch_req = request(patched_name, format!("shiplight-suggest:patched-{key}"), patched_df.as_ref());
    if let Some(r) = &retarget {
        orig_req.target = Some(r.from.clone());
        patch_req.target = r.to.clone();
    }
    let (a, b) = tokio::join!(engine.build(&orig_req, |_| {}), engine.build(&patch_req, |_| {}));
    let cleanup = || async {
        let _ = engine.remove(&orig_req.tag).await;
        let _ = engine.remove(&patch_req.tag).await;
    };
    if let Err(e) = a {
        cleanup().await;
        return Ok(not(
            format!("the original Dockerfile does not build here, so the patch cannot be compared: {e}"),
            v,
        ));
    }
    if let Err(e) = b {
        cleanup().await;
        return Ok(not(format!("the patched Dockerfile does not build: {e}"), v));
    }
    let (_, orig_size, _) = engine.inspect(&orig_req.tag).await?;
    let (_, patched_size, _) = engine.inspect(&patch_req.tag).await?;
    let d = crate::image::compare::Delta::new(orig_size, patched_size);
    v.original_bytes = Some(orig_size);
    v.patched_bytes = Some(patched_size);
    v.delta_bytes = Some(d.delta);
    v.delta_percent = Some(d.percent);
    let check = match orig_df.as_ref().map(|df| smoke_check(opts, df)) {
        Some(Ok(c)) => c,
        Some(Err(e)) => {
            cleanup().await;
            return Ok(not(e, v));
        }
        None => None,
    };
    if let Some(check) = check {
        let timeout = std::time::Duration::from_secs(opts.smoke_timeout);
        let original = smoke::run(&engine, &orig_req.tag, &check, timeout).await;
        let patched = smoke::run(&engine, &patch_req.tag, &check, timeout).await;
        cleanup().await;
        let (original, patched) = (original?, patched?);
        let same = original.error.is_none() && patched.error.is_none() && original.observed() == patched.observed();
        let label = match &check {
            Check::Http { port, path } => format!("GET :{port}{path}"),
            Check::Command(Some(c)) => c.clone(),
            Check::Command(None) => "the default command".into(),
        };
        let reason = if let Some(e) = &original.error {
            Some(format!("the original image fails the smoke check too ({e}); choose one with --smoke-http or --smoke-cmd, or --no-smoke"))
        } else if let Some(e) = &patched.error {
            Some(format!("the patched image fails the smoke check: {e}"))
        } else if !same {
            Some(format!("the patched image answers differently to {label}"))
        } else {
            None
        };
        v.smoke = Some(SmokeReport { check: label, original, patched, same });
        v.verified = reason.is_none();
        v.reason = reason;
    } else {
        cleanup().await;
        v.verified = true;
    }
    Ok(v)
}

/// The patched Dockerfile's name inside the verification context.
const PATCHED: &str = ".shiplight.patched.Dockerfile";

/// Make a rewrite's runtime libraries exact: build its build stage, read the `DT_NEEDED` of
/// the ELF files it copies into the runtime (a virtualenv, `node_modules`, a binary, a
/// prefix), find the packages of the build stage that provide them (less what the runtime
/// base has), and suggest again with exactly those.
/// When any step cannot be done the table's guess stays, and the rationale says it is one.
async fn refine(engine: &Engine, opts: &SuggestOptions, dir: &std::path::Path, s: &mut Suggestion) {
    use crate::dockerfile::{Body, Kind};
    let Some(patched) = s.patched.clone() else { return };
    let Ok(df) = Dockerfile::parse(&patched) else { return };
    let Some(runtime) = df.stages.last() else { return };
    let copies: Vec<(String, String)> = runtime
        .instructions
        .iter()
        .filter(|i| i.kind == Kind::Copy)
        .filter_map(|i| match (&i.body, i.flag("from")) {
            (Body::Copy { sources, .. }, Some(from)) => {
                Some(sources.iter().map(|src| (from.to_owned(), src.clone())).collect::<Vec<_>>())
            }
            _ => None,
        })
        .flatten()
        .collect();
    let Some((build_stage, _)) = copies.first().cloned() else { return };
    let sources: Vec<String> = copies.into_iter().filter(|(f, _)| *f == build_stage).map(|(_, s)| s).collect();
    let runtime_base = runtime.base_resolved.clone();
    let Ok(ctx) = context::pack_with(dir, &opts.dockerfile, &[(PATCHED, patched.as_bytes())]) else { return };
    let tag = format!("shiplight-suggest:build-{}", std::process::id());
    let req = BuildRequest {
        builder: opts.builder.for_dockerfile(Some(&df)),
        context: bytes::Bytes::from(ctx.tar),
        dockerfile: PATCHED.into(),
        tag: tag.clone(),
        target: Some(build_stage),
        labels: [("dev.shiplight.side".to_owned(), "suggest".to_owned())].into(),
        ..BuildRequest::default()
    };
    if engine.build(&req, |_| {}).await.is_err() {
        let _ = engine.remove(&tag).await;
        return;
    }
    let timeout = std::time::Duration::from_secs(opts.smoke_timeout);
    let found = crate::image::docker::needs::needs(engine, &tag, &sources, &runtime_base, timeout).await;
    let _ = engine.remove(&tag).await;
    let Ok(found) = found else { return };
    let libs: Vec<(String, String)> = found.into_iter().map(|n| (n.package.unwrap_or_default(), n.soname)).collect();
    if let Ok(exact) = run_with(opts, Some(libs)) {
        if exact.patched.is_some() {
            s.diff = exact.diff;
            s.patched = exact.patched;
            s.rationale = exact.rationale;
        }
    }
}

/// The built-in templates, replaced by `<dir>/<ecosystem>.Dockerfile.hbs` where present.
fn templates(dir: Option<&std::path::Path>) -> Result<Templates, SuggestError> {
    let mut overrides = Vec::new();
    if let Some(dir) = dir {
        for name in Templates::names() {
            let path = dir.join(format!("{name}.Dockerfile.hbs"));
            if path.is_file() {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| SuggestError::Read { path: path.display().to_string(), message: e.to_string() })?;
                overrides.push((name.to_owned(), text, path.display().to_string()));
            }
        }
    }
    Ok(Templates::new(&overrides)?)
}

/// Make the suggestion.
pub fn run(opts: &SuggestOptions) -> Result<Suggestion, SuggestError> {
    run_with(opts, None)
}

/// Make the suggestion, with the runtime packages `--verify` found the artifacts need.
///
/// What ships is the repository's answer, as lint has it: nothing to rewrite in a
/// Dockerfile that only development environments or CI checks build, or whose toolchain is
/// its product; the stage a workflow, bake or compose file ships is the one rewritten; and
/// when such a file picks a heavy stage while the last stage is already light, the patch is
/// the one-line change to that file.
fn run_with(opts: &SuggestOptions, runtime_libs: Option<Vec<(String, String)>>) -> Result<Suggestion, SuggestError> {
    let shown = opts.dockerfile.display().to_string();
    let bytes = std::fs::read(&opts.dockerfile)
        .map_err(|e| SuggestError::Read { path: shown.clone(), message: e.to_string() })?;
    let text = String::from_utf8(bytes)
        .map_err(|e| SuggestError::Read { path: shown.clone(), message: format!("not UTF-8 text ({e})") })?;
    let context = opts.context.clone().or_else(|| opts.dockerfile.parent().map(PathBuf::from)).unwrap_or_default();
    let context = if context.as_os_str().is_empty() { PathBuf::from(".") } else { context };
    let files: Vec<String> = std::fs::read_dir(&context)
        .map(|rd| rd.filter_map(Result::ok).filter_map(|e| e.file_name().into_string().ok()).collect())
        .unwrap_or_default();
    let templates = templates(opts.templates.as_deref())?;
    let name = opts.dockerfile.file_name().and_then(|n| n.to_str()).unwrap_or("Dockerfile");
    let mut s = Suggestion { dockerfile: shown.clone(), ..Suggestion::default() };
    let df = Dockerfile::parse(&text).ok();
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let answered = crate::pipeline::repository::answer(&opts.dockerfile, &cwd, df.as_ref());
    let mut targets = Vec::new();
    if let Some((answer, _, root)) = &answered {
        if !answer.default || answer.role != Role::Ships {
            s.ships = Some(answer.line());
        }
        if !answer.ships() {
            s.outcome = "nothing".into();
            s.message = Some(format!("nothing of it ships ({}): no rewrite is needed", answer.line()));
            return Ok(s);
        }
        if answer.role == Role::ToolchainProduct {
            s.outcome = "nothing".into();
            s.message = Some(format!("the toolchain is what it ships ({}): no rewrite", answer.line()));
            return Ok(s);
        }
        if let Some(why) = derived_build(root, answer) {
            s.outcome = "refused".into();
            s.reason = Some(patch::Reason::InheritedStage.code().to_owned());
            s.message = Some(why);
            return Ok(s);
        }
        if let Some(df) = &df {
            if let Some(retargeted) = retarget(root, answer, df, &text, name, &shown) {
                return Ok(Suggestion { ships: s.ships, ..retargeted });
            }
        }
        if !answer.default {
            targets = answer.target_names(df.as_ref());
        }
    }
    // the scripts the program starts with and the RUNs run, from the context (a file of at most 1 MiB, never
    // outside it)
    let read = |rel: &str| -> Option<String> {
        let rel = std::path::Path::new(rel.trim_start_matches("./"));
        if rel.is_absolute() || rel.components().any(|c| matches!(c, std::path::Component::ParentDir)) {
            return None;
        }
        let path = context.join(rel);
        (std::fs::metadata(&path).ok()?.len() <= 1 << 20).then(|| std::fs::read_to_string(path).ok()).flatten()
    };
    let start_scripts = df.as_ref().map(|df| patch::start::start_scripts(df, &read)).unwrap_or_default();
    let run_scripts = df.as_ref().map(|df| patch::start::run_scripts(df, &read)).unwrap_or_default();
    let inputs = patch::Inputs {
        files,
        scratch: opts.scratch,
        runtime_libs,
        targets: targets.clone(),
        start_scripts,
        run_scripts,
        package_json: read("package.json"),
        makefile: ["GNUmakefile", "makefile", "Makefile"].iter().find_map(|m| read(m)),
    };
    match patch::suggest(&text, name, &inputs, &templates) {
        Outcome::Patch(p) => {
            s.outcome = "patch".into();
            s.ecosystem = Some(p.ecosystem);
            s.diff = Some(p.diff);
            s.rationale = p.rationale;
            s.patched = Some(p.patched);
        }
        Outcome::Nothing(why) => {
            // never "nothing to do" while lint flags a toolchain in what ships
            let mut cfg = match &answered {
                Some((answer, _, _)) => crate::pipeline::lint::ship_config(&LintConfig::default(), answer, df.as_ref()),
                None => LintConfig::default(),
            };
            // (the scripts the RUNs run, as lint reads them: their toolchain is flagged too)
            cfg.run_scripts = inputs.run_scripts.iter().map(|s| (s.path.clone(), s.text.clone())).collect();
            let flagged = crate::lint::lint_text(&text, &shown, &cfg)
                .into_iter()
                .find(|f| matches!(f.code.as_str(), "SL101" | "SL102"));
            match flagged {
                Some(f) => {
                    s.outcome = "refused".into();
                    s.reason = Some("no-rewrite".into());
                    s.message = Some(format!(
                        "line {}: {} ({}), but no rewrite applies ({why}); split that stage by hand",
                        f.line, f.message, f.code
                    ));
                }
                None => {
                    s.outcome = "nothing".into();
                    s.message = Some(why);
                }
            }
        }
        Outcome::Refused(why) => {
            s.outcome = "refused".into();
            s.reason = Some(why.reason.code().to_owned());
            s.message = Some(why.message);
        }
    }
    Ok(s)
}

/// The refusal of a base image an application of the repository's ships on and builds in
/// (gramps-web-api's `Dockerfile` runs `pip install /app/src[ai,sentry]` FROM the image
/// `Dockerfile.base` makes): that build may need the toolchain, so the base keeps it until
/// the build moves into a build stage there. The first such Dockerfile is read.
fn derived_build(root: &std::path::Path, answer: &crate::repository::Answer) -> Option<String> {
    use crate::dockerfile::roles::{self, Role};
    let ev = answer.base_of.as_ref().filter(|_| answer.app_base)?;
    let text = std::fs::read_to_string(root.join(&ev.file)).ok()?;
    let derived = Dockerfile::parse(&text).ok()?;
    let graph = crate::dockerfile::Graph::build(&derived, &[]).ok()?;
    let on = derived.stages.iter().find(|s| s.line == ev.line)?.index;
    derived.stages.iter().filter(|s| s.index == on || graph.ancestors(s.index).contains(&on)).find_map(|s| {
        s.instructions.iter().filter(|i| i.kind == crate::dockerfile::Kind::Run).find_map(|i| {
            let script = crate::dockerfile::shell::parse(&i.script().unwrap_or_default());
            let c = script.commands.iter().find(|c| roles::of(c) == Role::Build)?;
            Some(format!(
                "`{}` is built FROM this image (line {}) and builds in it (`{}`, line {}), which may need the toolchain this file installs; move that build into a build stage there, then ask again",
                ev.file,
                ev.line,
                c.words.join(" "),
                i.line
            ))
        })
    })
}

/// When the file that ships a heavy stage could ship the light last stage instead: the
/// one-line change to that file. The target is heavy when lint flags a toolchain or a
/// compile in it, the last stage light when lint, shipping it, flags neither.
fn retarget(
    root: &std::path::Path,
    answer: &crate::repository::Answer,
    df: &Dockerfile,
    text: &str,
    name: &str,
    shown: &str,
) -> Option<Suggestion> {
    let last = df.stages.last()?;
    let heavy = |target: &str| -> Vec<crate::lint::Finding> {
        let cfg = LintConfig { targets: vec![target.to_owned()], ..LintConfig::default() };
        crate::lint::lint_text(text, name, &cfg)
            .into_iter()
            .filter(|f| matches!(f.code.as_str(), "SL101" | "SL102" | "SL103"))
            .collect()
    };
    for p in answer.paths.iter().filter(|p| p.role.ships()) {
        let (Some(target), Some(line)) = (&p.target, p.target_line) else { continue };
        let Some(stage) = df.stage_named(target) else { continue };
        if stage.index == last.index || p.evidence.file.is_empty() {
            continue;
        }
        let found = heavy(target);
        if found.is_empty() || !heavy(&last.index.to_string()).is_empty() {
            continue;
        }
        let Ok(file_text) = std::fs::read_to_string(root.join(&p.evidence.file)) else { continue };
        let light = last.name.clone();
        let why = patch::Rationale {
            rule: found[0].code.clone(),
            line: found[0].line,
            message: format!(
                "{}:{line} ships stage `{target}`, where {}; stage {} (line {}) already ships light: build that one",
                p.evidence.file,
                found[0].message,
                light.as_deref().map(|n| format!("`{n}`")).unwrap_or_else(|| "the last stage".into()),
                last.line
            ),
        };
        let Ok(patch) = patch::retarget::retarget(&p.evidence.file, &file_text, line, target, light.as_deref(), why)
        else {
            continue;
        };
        // the file as the user would name it: relative to the working directory when below it
        let absolute = root.join(&p.evidence.file);
        let cwd = std::env::current_dir().ok().and_then(|c| std::fs::canonicalize(c).ok());
        let file = cwd
            .and_then(|c| absolute.strip_prefix(&c).ok().map(|r| r.display().to_string()))
            .unwrap_or_else(|| absolute.display().to_string());
        return Some(Suggestion {
            dockerfile: shown.to_owned(),
            file: Some(file),
            retarget: Some(crate::report::Retarget { from: target.clone(), to: light }),
            outcome: "patch".into(),
            ecosystem: Some(patch.ecosystem),
            diff: Some(patch.diff),
            patched: Some(patch.patched),
            rationale: patch.rationale,
            ..Suggestion::default()
        });
    }
    None
}

/// The suggestion as markdown: rationale, then the diff in a ```diff block.
pub fn markdown(s: &Suggestion) -> String {
    let mut out = String::new();
    match (&s.diff, &s.message) {
        (Some(diff), _) => {
            match (&s.file, &s.retarget) {
                (Some(file), Some(r)) => out.push_str(&format!(
                    "### Build the light stage of `{}`: `{file}` ships `{}`\n\n",
                    s.dockerfile, r.from
                )),
                _ => out.push_str(&format!(
                    "### Multi-stage rewrite of `{}` ({})\n\n",
                    s.dockerfile,
                    s.ecosystem.as_deref().unwrap_or("")
                )),
            }
            for r in &s.rationale {
                out.push_str(&format!("- line {} ({}): {}\n", r.line, r.rule, r.message));
            }
            out.push_str(&format!("\n```diff\n{diff}```\n"));
        }
        (None, Some(why)) => out.push_str(&format!("No rewrite for `{}`: {why}\n", s.dockerfile)),
        (None, None) => {}
    }
    out
}
