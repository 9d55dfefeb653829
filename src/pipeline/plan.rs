//! `shiplight plan`: which images a pull request affects, from git alone (no Docker, no
//! network), as a GitHub matrix. The images are `.shiplight.yml`'s `images:` or, without
//! them, every Dockerfile git tracks, with its folder as context.
//!
//! An image is affected when any of these changed between the merge base and HEAD:
//! 1. its Dockerfile;
//! 2. its ignore file: `<Dockerfile>.dockerignore` when it exists (BuildKit prefers it), else
//!    the context's `.dockerignore`;
//! 3. a path inside its context that the ignore file does not exclude (the matcher the
//!    context packer uses, compiled once per image);
//! 4. its entry in `.shiplight.yml`;
//! 5. an image of the repository one of its stages is built FROM (by name), transitively.
//!
//! Renames count by both names, deletions by the old one, a submodule by its path.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

use crate::image::compare::Thresholds;
use crate::image::docker::context::DockerIgnore;

/// An image the repository builds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ImageSpec {
    pub name: String,
    /// Repository-relative, `/`-separated.
    pub dockerfile: String,
    /// Repository-relative; `.` is the repository root (default: the Dockerfile's folder).
    #[serde(default)]
    pub context: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub build_args: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thresholds: Option<ImageThresholds>,
}

/// An image's own size limits in `.shiplight.yml`; each one given replaces the Action's input
/// of the same name for this image.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ImageThresholds {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_on_increase_bytes: Option<Size>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_on_increase_percent: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn_on_increase_percent: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_size: Option<Size>,
}

/// A size as written: bytes, or text with a unit (`20MB`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Size {
    Bytes(u64),
    Text(String),
}

impl Size {
    fn bytes(&self) -> Result<u64, String> {
        match self {
            Size::Bytes(b) => Ok(*b),
            Size::Text(t) => crate::pipeline::compare::parse_size(t),
        }
    }
}

impl ImageThresholds {
    /// `over` with this image's limits in place of the ones it sets.
    pub fn apply(&self, over: Thresholds) -> Result<Thresholds, String> {
        let bytes = |s: &Option<Size>| s.as_ref().map(Size::bytes).transpose();
        Ok(Thresholds {
            fail_on_increase_bytes: bytes(&self.fail_on_increase_bytes)?.or(over.fail_on_increase_bytes),
            fail_on_increase_percent: self.fail_on_increase_percent.or(over.fail_on_increase_percent),
            warn_on_increase_percent: self.warn_on_increase_percent.or(over.warn_on_increase_percent),
            max_size: bytes(&self.max_size)?.or(over.max_size),
        })
    }
}

/// One image and why it is (or is not) affected.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub image: ImageSpec,
    /// The first change that matters, said for a reader; `None` when unaffected.
    pub reason: Option<String>,
    /// Why it is never built, whatever changed: nothing of it ships (a dev container, a
    /// CI-only target), as the ship model says.
    pub skipped: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{0}")]
    Usage(String),
    #[error("git {args}: {message}")]
    Git { args: String, message: String },
    #[error("cannot run git ({0}); plan needs git on PATH")]
    NoGit(String),
}

impl PlanError {
    pub fn exit_code(&self) -> i32 {
        match self {
            PlanError::Usage(_) => crate::exit::USAGE,
            PlanError::Git { .. } => crate::exit::USAGE,
            PlanError::NoGit(_) => crate::exit::ENVIRONMENT,
        }
    }
}

fn git(root: &Path, args: &[&str]) -> Result<Vec<u8>, PlanError> {
    let out = Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .map_err(|e| PlanError::Git { args: args.join(" "), message: format!("{e}; plan needs git on PATH") })?;
    if !out.status.success() {
        return Err(PlanError::Git {
            args: args.join(" "),
            message: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        });
    }
    Ok(out.stdout)
}

/// The paths changed between `base` and `head` (NUL-separated `--name-status`): both names
/// of a rename or copy.
pub fn parse_name_status(raw: &[u8]) -> Vec<String> {
    let fields: Vec<&[u8]> = raw.split(|b| *b == 0).filter(|f| !f.is_empty()).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < fields.len() {
        let status = fields[i];
        let two = matches!(status.first(), Some(b'R' | b'C'));
        let take = if two { 2 } else { 1 };
        for f in fields.iter().skip(i + 1).take(take) {
            out.push(String::from_utf8_lossy(f).into_owned());
        }
        i += 1 + take;
    }
    out
}

/// `a/b` inside `context` (`.` is the root): the path relative to it.
fn inside<'a>(path: &'a str, context: &str) -> Option<&'a str> {
    if context == "." || context.is_empty() {
        return Some(path);
    }
    path.strip_prefix(context).and_then(|r| r.strip_prefix('/'))
}

/// Normalise a repository-relative path from the configuration: no `./`, `/` separators.
fn norm(p: &str) -> String {
    let r = crate::dockerfile::resolve_path("/", &p.replace('\\', "/"));
    let r = r.trim_start_matches('/');
    if r.is_empty() {
        ".".to_owned()
    } else {
        r.to_owned()
    }
}

/// The `images:` of a `.shiplight.yml` text, with each entry's raw value (to tell whether it
/// changed). `None` when the file has no `images:`.
pub fn configured(text: &str, origin: &str) -> Result<Option<Vec<(ImageSpec, yaml_serde::Value)>>, PlanError> {
    let doc: yaml_serde::Value =
        yaml_serde::from_str(text).map_err(|e| PlanError::Usage(format!("{origin}: not valid YAML: {e}")))?;
    let Some(list) = doc.get("images") else { return Ok(None) };
    let list = list.as_sequence().ok_or_else(|| {
        PlanError::Usage(format!("{origin}: `images` must be a list of {{name, dockerfile, context}}"))
    })?;
    let mut out = Vec::new();
    for (i, entry) in list.iter().enumerate() {
        let mut spec: ImageSpec = yaml_serde::from_value(entry.clone()).map_err(|e| {
            PlanError::Usage(format!("{origin}: images[{i}]: {e}; each image needs `name` and `dockerfile`"))
        })?;
        spec.dockerfile = norm(&spec.dockerfile);
        spec.context = if spec.context.trim().is_empty() {
            Path::new(&spec.dockerfile).parent().map(|p| norm(&p.to_string_lossy())).unwrap_or_else(|| ".".into())
        } else {
            norm(&spec.context)
        };
        if let Some(th) = &spec.thresholds {
            th.apply(Thresholds::default())
                .map_err(|e| PlanError::Usage(format!("{origin}: images[{i}] ({}): thresholds: {e}", spec.name)))?;
        }
        if spec.name.trim().is_empty() {
            return Err(PlanError::Usage(format!("{origin}: images[{i}]: `name` is empty")));
        }
        if out.iter().any(|(o, _): &(ImageSpec, _)| o.name == spec.name) {
            return Err(PlanError::Usage(format!("{origin}: images[{i}]: the name `{}` is used twice", spec.name)));
        }
        out.push((spec, entry.clone()));
    }
    Ok(Some(out))
}

/// Every Dockerfile git tracks (repository-relative). git's index answers this without
/// walking the tree (a monorepo has hundreds of thousands of files).
fn tracked_dockerfiles(root: &Path) -> Result<Vec<String>, PlanError> {
    let specs = ["dockerfile", "dockerfile.*", "*.dockerfile", "containerfile", "containerfile.*", "*.containerfile"]
        .map(|p| format!(":(glob,icase)**/{p}"));
    let mut args = vec!["ls-files", "-z", "--"];
    args.extend(specs.iter().map(String::as_str));
    let listed = git(root, &args)?;
    Ok(listed.split(|b| *b == 0).filter(|f| !f.is_empty()).map(|f| String::from_utf8_lossy(f).into_owned()).collect())
}

/// At most this many entries are looked at when a checkout is walked.
const MAX_WALKED: usize = 2_000_000;

/// Every file named like a Dockerfile in a checkout, found by walking it (`.git` skipped):
/// discovery where git is not at hand (the Action's container).
pub fn walked_dockerfiles(root: &Path) -> Result<Vec<String>, PlanError> {
    let mut out = Vec::new();
    let mut seen = 0usize;
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| {
            PlanError::Usage(format!("cannot read {} ({e}) while looking for Dockerfiles", dir.display()))
        })?;
        for entry in entries.flatten() {
            seen += 1;
            if seen > MAX_WALKED {
                return Err(PlanError::Usage(format!(
                    "{} has more than {MAX_WALKED} files: list the images in .shiplight.yml's `images:`",
                    root.display()
                )));
            }
            let Ok(kind) = entry.file_type() else { continue };
            let path = entry.path();
            if kind.is_dir() && entry.file_name() != ".git" {
                stack.push(path);
            } else if kind.is_file() {
                if let Ok(rel) = path.strip_prefix(root) {
                    out.push(rel.to_string_lossy().replace('\\', "/"));
                }
            }
        }
    }
    Ok(out.into_iter().filter(|f| is_dockerfile_path(f)).collect())
}

fn is_dockerfile_path(path: &str) -> bool {
    path.rsplit('/').next().is_some_and(crate::pipeline::lint::is_dockerfile_name)
}

/// The name of a discovered Dockerfile: its folder (the repository's name for the root),
/// plus the file name when it is not `Dockerfile`.
fn folder_name(repo_name: &str, dockerfile: &str) -> (String, String) {
    let rel = Path::new(dockerfile);
    let context = rel.parent().map(|p| norm(&p.to_string_lossy())).unwrap_or_else(|| ".".into());
    let base = rel.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let name = match (context.as_str(), base == "Dockerfile") {
        (".", true) => repo_name.to_owned(),
        (c, true) => c.to_owned(),
        (".", false) => base.clone(),
        (c, false) => format!("{c}/{base}"),
    };
    (name, context)
}

/// Discovered images, as the ship model of the repository at `root` says they ship:
/// - no evidence: each Dockerfile with its folder as context, named by that folder;
/// - built by workflows, bake or compose files: each shipped (context, target), a bake
///   target named as bake names it, another by its folder (and target, when several ship);
/// - nothing of it ships (dev containers, CI-only targets): listed, skipped, with the reason.
fn discovered(root: &Path, repo_name: &str, files: Vec<String>) -> Vec<(ImageSpec, Option<String>)> {
    let model = crate::pipeline::repository::model(root, Vec::new());
    let spec = |name: String, dockerfile: &str, context: String, target: Option<String>| ImageSpec {
        name,
        dockerfile: dockerfile.to_owned(),
        context,
        target,
        build_args: BTreeMap::new(),
        platforms: Vec::new(),
        thresholds: None,
    };
    let mut out: Vec<(ImageSpec, Option<String>)> = Vec::new();
    // a vendored dependency's Dockerfile is another repository's image
    for dockerfile in
        files.into_iter().filter(|f| is_dockerfile_path(f) && !crate::pipeline::repository::is_vendored(f))
    {
        let (name, folder) = folder_name(repo_name, &dockerfile);
        let df = std::fs::read_to_string(root.join(&dockerfile))
            .ok()
            .and_then(|t| crate::dockerfile::Dockerfile::parse(&t).ok());
        let answer = model.answer(&dockerfile, df.as_ref());
        if !answer.ships() {
            out.push((spec(name, &dockerfile, folder, None), Some(answer.line())));
            continue;
        }
        if answer.default {
            out.push((spec(name, &dockerfile, folder, None), None));
            continue;
        }
        let mut shipped: Vec<(String, Option<String>, Option<String>)> = Vec::new();
        for p in answer.paths.iter().filter(|p| p.role.ships()) {
            let bake_name = (p.evidence.source == crate::repository::Source::Bake).then(|| p.name.clone()).flatten();
            if !shipped.iter().any(|(c, t, _)| *c == p.context && *t == p.target) {
                shipped.push((p.context.clone(), p.target.clone(), bake_name));
            }
        }
        let several = shipped.len() > 1;
        for (context, target, bake_name) in shipped {
            let name = match (bake_name, &target) {
                (Some(b), _) => b,
                (None, Some(t)) if several => format!("{name}-{t}"),
                _ => name.clone(),
            };
            out.push((spec(name, &dockerfile, context, target), None));
        }
    }
    out.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    // names are keys: a second image of one name takes its Dockerfile's folder too
    for i in 1..out.len() {
        if out[..i].iter().any(|(o, _)| o.name == out[i].0.name) {
            out[i].0.name = format!("{} ({})", out[i].0.name, out[i].0.dockerfile);
        }
    }
    out
}

fn repo_name(root: &Path) -> String {
    root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "image".into())
}

/// The repository's own configuration, under either name lint reads it by.
fn head_config(root: &Path) -> Option<(&'static str, String)> {
    crate::pipeline::lint::FILE_NAMES[..2]
        .iter()
        .find_map(|n| std::fs::read_to_string(root.join(n)).ok().map(|t| (*n, t)))
}

/// The images of the checkout at `root`: `.shiplight.yml`'s `images:`, else every Dockerfile
/// in it (found by walking: the Action's container has no git), named as [`plan`] names them
/// with `repo_name` for one at the root.
pub fn images(root: &Path, repo_name: &str) -> Result<Vec<ImageSpec>, PlanError> {
    match configured_at(root)? {
        Some(list) => Ok(list),
        None => Ok(discovered(root, repo_name, walked_dockerfiles(root)?).into_iter().map(|(s, _)| s).collect()),
    }
}

/// The `images:` of the `.shiplight.yml` at `root`, if it has any.
pub fn configured_at(root: &Path) -> Result<Option<Vec<ImageSpec>>, PlanError> {
    match head_config(root) {
        Some((name, text)) => Ok(configured(&text, name)?.map(|list| list.into_iter().map(|(s, _)| s).collect())),
        None => Ok(None),
    }
}

/// The images, and for each whether it is affected and why.
pub fn plan(cwd: &Path, base_ref: &str) -> Result<Vec<Planned>, PlanError> {
    let top = git(cwd, &["rev-parse", "--show-toplevel"])?;
    let root = PathBuf::from(String::from_utf8_lossy(&top).trim());
    let base = match git(&root, &["merge-base", base_ref, "HEAD"]) {
        Ok(b) => String::from_utf8_lossy(&b).trim().to_owned(),
        Err(_) => {
            // no common history (a shallow clone): the base commit itself
            let b = git(&root, &["rev-parse", "--verify", &format!("{base_ref}^{{commit}}")]).map_err(|_| {
                PlanError::Usage(format!(
                    "--base-ref {base_ref}: no such commit here; fetch it first (actions/checkout with fetch-depth: 0)"
                ))
            })?;
            String::from_utf8_lossy(&b).trim().to_owned()
        }
    };
    let changed =
        parse_name_status(&git(&root, &["diff", "--name-status", "-z", "-M", "--no-ext-diff", &base, "HEAD"])?);
    let base_config = crate::pipeline::lint::FILE_NAMES[..2]
        .iter()
        .find_map(|n| git(&root, &["show", &format!("{base}:{n}")]).ok())
        .map(|t| String::from_utf8_lossy(&t).into_owned());
    changes(&root, &repo_name(&root), base_config.as_deref(), || tracked_dockerfiles(&root), &changed)
}

/// [`plan`] on a list of changed paths (repository-relative), from whichever source: git on
/// the command line, GitHub's API in the Action. `base_config` is the base's
/// `.shiplight.yml`; `dockerfiles` lists the checkout's Dockerfiles, asked only when the
/// configuration has no `images:`.
pub fn changes(
    root: &Path,
    repo_name: &str,
    base_config: Option<&str>,
    dockerfiles: impl FnOnce() -> Result<Vec<String>, PlanError>,
    changed: &[String],
) -> Result<Vec<Planned>, PlanError> {
    let head_images = match head_config(root) {
        Some((name, text)) => configured(&text, name)?,
        None => None,
    };
    let base_entries: BTreeMap<String, yaml_serde::Value> = base_config
        .and_then(|t| configured(t, "the base's .shiplight.yml").ok().flatten())
        .map(|v| v.into_iter().map(|(s, e)| (s.name, e)).collect())
        .unwrap_or_default();
    let (images, entries, skipped): (Vec<ImageSpec>, Vec<Option<yaml_serde::Value>>, Vec<Option<String>>) =
        match head_images {
            Some(list) => {
                let n = list.len();
                let (i, e) = list.into_iter().map(|(s, e)| (s, Some(e))).unzip();
                (i, e, vec![None; n])
            }
            None => {
                let found = discovered(root, repo_name, dockerfiles()?);
                let n = found.len();
                let (i, k) = found.into_iter().unzip();
                (i, vec![None; n], k)
            }
        };

    let mut reasons: Vec<Option<String>> = Vec::with_capacity(images.len());
    for (image, entry) in images.iter().zip(&entries) {
        reasons.push(reason(root, image, entry.as_ref(), &base_entries, changed)?);
    }
    // an image built FROM another affected image of the repository is affected too; only a
    // Dockerfile whose text names an affected image is parsed
    let names: Vec<&str> = images.iter().map(|i| i.name.as_str()).collect();
    let texts: Vec<String> =
        images.iter().map(|img| std::fs::read_to_string(root.join(&img.dockerfile)).unwrap_or_default()).collect();
    let built_from = |i: usize| -> Vec<usize> {
        let Ok(df) = crate::dockerfile::Dockerfile::parse(&texts[i]) else { return Vec::new() };
        df.stages
            .iter()
            .filter(|s| df.stage_named(&s.base_resolved).is_none_or(|named| named.index >= s.index))
            .filter_map(|s| {
                let r = crate::dockerfile::ImageRef::parse(&s.base_resolved);
                let short = r.repository.rsplit('/').next().unwrap_or(&r.repository).to_owned();
                names.iter().position(|n| *n == short || *n == r.repository)
            })
            .collect()
    };
    loop {
        let affected: Vec<usize> = (0..images.len()).filter(|&j| reasons[j].is_some()).collect();
        let mut grew = false;
        for i in 0..images.len() {
            if reasons[i].is_some() || !affected.iter().any(|&j| texts[i].contains(names[j])) {
                continue;
            }
            if let Some(j) = built_from(i).into_iter().find(|&j| j != i && reasons[j].is_some()) {
                reasons[i] = Some(format!("it is built FROM `{}`, which is affected", images[j].name));
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    Ok(images
        .into_iter()
        .zip(reasons)
        .zip(skipped)
        .map(|((image, reason), skipped)| Planned { image, reason, skipped })
        .collect())
}

/// The first change that affects `image`, said for a reader.
fn reason(
    root: &Path,
    image: &ImageSpec,
    entry: Option<&yaml_serde::Value>,
    base_entries: &BTreeMap<String, yaml_serde::Value>,
    changed: &[String],
) -> Result<Option<String>, PlanError> {
    if changed.contains(&image.dockerfile) {
        return Ok(Some(format!("its Dockerfile `{}` changed", image.dockerfile)));
    }
    let own_ignore = format!("{}.dockerignore", image.dockerfile);
    let context_ignore =
        if image.context == "." { ".dockerignore".to_owned() } else { format!("{}/.dockerignore", image.context) };
    if let Some(p) = changed.iter().find(|p| **p == own_ignore || **p == context_ignore) {
        return Ok(Some(format!("its ignore file `{p}` changed")));
    }
    let ignore_path = if root.join(&own_ignore).is_file() { own_ignore } else { context_ignore };
    let ignore = match std::fs::read_to_string(root.join(&ignore_path)) {
        Ok(text) => DockerIgnore::parse(&text).map_err(|e| PlanError::Usage(format!("{ignore_path}: {e}")))?,
        Err(_) => DockerIgnore::default(),
    };
    if let Some(p) = changed.iter().find(|p| inside(p, &image.context).is_some_and(|rel| !ignore.excludes(rel))) {
        return Ok(Some(format!("`{p}` changed in its context `{}`", image.context)));
    }
    if let Some(entry) = entry {
        match base_entries.get(&image.name) {
            Some(old) if old == entry => {}
            Some(_) => return Ok(Some("its entry in .shiplight.yml changed".to_owned())),
            None => return Ok(Some("it is new in .shiplight.yml".to_owned())),
        }
    }
    Ok(None)
}

/// One image as the matrix and the plan show it: its spec plus `key`, the name reduced to
/// what an artifact name and a comment marker accept.
fn entry(image: &ImageSpec) -> serde_json::Value {
    let mut v = serde_json::to_value(image).unwrap_or_default();
    v["key"] = crate::report::comment::safe_key(&image.name).into();
    v
}

/// The GitHub matrix of the affected images: `{"include": [{name, key, dockerfile, context, …}]}`.
pub fn matrix(planned: &[Planned]) -> serde_json::Value {
    let include: Vec<serde_json::Value> =
        planned.iter().filter(|p| p.reason.is_some() && p.skipped.is_none()).map(|p| entry(&p.image)).collect();
    serde_json::json!({ "include": include })
}

/// Every image with whether it is affected and why: what `mode: merge` reads to list the
/// images the plan left out and to notice a planned image whose report is missing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanSummary {
    pub images: Vec<PlannedImage>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlannedImage {
    pub name: String,
    #[serde(default)]
    pub dockerfile: String,
    #[serde(default)]
    pub affected: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Never built: nothing of it ships (the ship model's reason).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

pub fn summary(planned: &[Planned]) -> PlanSummary {
    PlanSummary {
        images: planned
            .iter()
            .map(|p| PlannedImage {
                name: p.image.name.clone(),
                dockerfile: p.image.dockerfile.clone(),
                affected: p.reason.is_some() && p.skipped.is_none(),
                reason: p.reason.clone(),
                skipped: p.skipped.clone(),
            })
            .collect(),
    }
}

/// One line per image: affected or unchanged, and why.
pub fn text(planned: &[Planned]) -> String {
    let mut out = String::new();
    for p in planned {
        if let Some(why) = &p.skipped {
            out.push_str(&format!("skipped    {}: nothing of it ships ({why})\n", p.image.name));
            continue;
        }
        match &p.reason {
            Some(r) => out.push_str(&format!("affected   {}: {r}\n", p.image.name)),
            None => out.push_str(&format!(
                "unchanged  {}: nothing it builds from changed (context `{}`)\n",
                p.image.name, p.image.context
            )),
        }
    }
    let n = planned.iter().filter(|p| p.reason.is_some() && p.skipped.is_none()).count();
    let skipped = planned.iter().filter(|p| p.skipped.is_some()).count();
    out.push_str(&format!("{n} of {} image(s) affected", planned.len() - skipped));
    if skipped > 0 {
        out.push_str(&format!("; {skipped} skipped: nothing of them ships"));
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_status_gives_both_names_of_a_rename() {
        let raw = b"M\0a/Dockerfile\0R087\0old/x.py\0new/x.py\0D\0gone.txt\0";
        assert_eq!(parse_name_status(raw), ["a/Dockerfile", "old/x.py", "new/x.py", "gone.txt"]);
    }

    #[test]
    fn inside_a_context() {
        assert_eq!(inside("svc/api/main.go", "svc/api"), Some("main.go"));
        assert_eq!(inside("svc/api2/main.go", "svc/api"), None);
        assert_eq!(inside("README.md", "."), Some("README.md"));
    }

    #[test]
    fn configured_images_default_their_context_to_the_dockerfile_folder() {
        let text = "images:\n  - name: api\n    dockerfile: ./services/api/Dockerfile\n  - name: web\n    dockerfile: web/Dockerfile\n    context: .\n    target: runtime\n    build-args: {A: b}\n";
        let list = configured(text, "x").unwrap().unwrap();
        assert_eq!(list[0].0.context, "services/api");
        assert_eq!(list[0].0.dockerfile, "services/api/Dockerfile");
        assert_eq!(list[1].0.context, ".");
        assert_eq!(list[1].0.target.as_deref(), Some("runtime"));
        assert!(configured("targets: [x]\n", "x").unwrap().is_none());
        let dup = configured(
            "images:\n  - {name: a, dockerfile: a/Dockerfile}\n  - {name: a, dockerfile: b/Dockerfile}\n",
            "x",
        );
        assert!(dup.unwrap_err().to_string().contains("used twice"));
        assert!(configured("images:\n  - {dockerfile: a/Dockerfile}\n", "x").unwrap_err().to_string().contains("name"));
    }
}
