//! `shiplight lint`: find Dockerfiles, load the configuration, lint, build one [`Report`].

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::dockerfile::shell::SimpleCommand;
use crate::dockerfile::Kind;
use crate::lint::config::{self, ConfigError, Loaded};
use crate::lint::{self as engine, LintConfig};
use crate::report::Report;

/// What `shiplight lint` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// Files or directories; `-` reads standard input.
    pub paths: Vec<PathBuf>,
    /// An explicit configuration file; otherwise the nearest one is discovered.
    pub config: Option<PathBuf>,
    /// Stages that ship, overriding the configuration's `targets`.
    pub targets: Vec<String>,
    /// Where discovery of the configuration starts (the current directory by default).
    pub cwd: Option<PathBuf>,
    /// `--fix`: apply every proved fix to the files before reporting what is left. Without
    /// it no file is written.
    pub fix: bool,
}

/// Read and parse a configuration file.
pub fn load(path: &Path) -> Result<Loaded, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| ConfigError::Read { path: path.display().to_string(), source })?;
    config::parse(&text, &path.display().to_string())
}

/// File names looked for, in order of preference within one directory.
pub const FILE_NAMES: [&str; 4] = [".shiplight.yml", ".shiplight.yaml", ".hadolint.yaml", ".hadolint.yml"];

/// The nearest configuration file from `start` up to the repository root (a folder with
/// `.git`) or the file system root.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        if let Some(found) = FILE_NAMES.iter().map(|n| d.join(n)).find(|p| p.is_file()) {
            return Some(found);
        }
        if d.join(".git").exists() {
            return None;
        }
        dir = d.parent();
    }
    None
}

/// Load the configuration: the explicit file, else the nearest `.shiplight.yml` /
/// `.hadolint.yaml` from the working directory up to the repository root, else defaults.
pub fn load_config(explicit: Option<&Path>, cwd: &Path) -> Result<Loaded, ConfigError> {
    match explicit {
        Some(p) => load(p),
        None => match discover(cwd) {
            Some(found) => load(&found),
            None => Ok(Loaded::default()),
        },
    }
}

/// Extensions that make `dockerfile.X` a source, configuration or template file about
/// Dockerfiles (buildkit's `dockerfile.go`, a workflow `dockerfile.yaml`), not a Dockerfile.
const NOT_DOCKERFILE_EXTENSIONS: &[&str] = &[
    "dockerignore",
    "go",
    "rs",
    "py",
    "js",
    "mjs",
    "cjs",
    "ts",
    "tsx",
    "jsx",
    "java",
    "kt",
    "rb",
    "php",
    "c",
    "h",
    "cc",
    "cpp",
    "hpp",
    "cs",
    "swift",
    "json",
    "yaml",
    "yml",
    "toml",
    "xml",
    "md",
    "rst",
    "txt",
    "html",
    "sh",
    "bash",
    "ps1",
    "lock",
    "sum",
    "mod",
    "snap",
    "orig",
    "bak",
    "swp",
    "patch",
    "diff",
    "tmpl",
    "template",
    "j2",
    "hbs",
    "erb",
    "in",
];

/// Whether a file name is a Dockerfile by convention: `Dockerfile`, `Dockerfile.<variant>`,
/// `<variant>.Dockerfile`, or `Dockerfile-<variant>` / `Dockerfile_<variant>` (kasmtech's
/// `dockerfile-kasm-chrome`); Containerfiles alike. `Dockerfile.dockerignore` is the
/// Dockerfile's own ignore file, and `dockerfile.go` a Go file, not Dockerfiles.
pub fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let extension = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    if NOT_DOCKERFILE_EXTENSIONS.contains(&extension) {
        return false;
    }
    lower == "dockerfile"
        || lower == "containerfile"
        || ["dockerfile", "containerfile"].iter().any(|stem| {
            lower.strip_prefix(stem).is_some_and(|rest| rest.len() > 1 && rest.starts_with(['.', '-', '_']))
        })
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
}

/// Files to lint under `paths`, and warnings for directories without any.
pub fn collect(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<String>) {
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = ignore::WalkBuilder::new(p)
                .hidden(false)
                // vendored dependencies are other repositories' files (`vendor/`, `third_party/`)
                .filter_entry(|e| {
                    e.file_name() != ".git"
                        && !(e.file_type().is_some_and(|t| t.is_dir())
                            && e.file_name().to_str().is_some_and(crate::pipeline::repository::is_vendored))
                })
                .build()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
                .filter(|e| e.file_name().to_str().is_some_and(is_dockerfile_name))
                .map(|e| e.into_path())
                .collect();
            found.sort();
            if found.is_empty() {
                warnings.push(format!(
                    "{}: no Dockerfile found (looked for Dockerfile, Dockerfile.*, *.Dockerfile, Containerfile)",
                    p.display()
                ));
            }
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(f.clone()));
    (files, warnings)
}

/// A file's lint configuration from the ship model's answer: which stages ship, whether
/// nothing does (every known build path is development or CI-only), whether the toolchain is
/// the product, and which stages other paths build.
pub fn ship_config(
    cfg: &LintConfig,
    answer: &crate::repository::Answer,
    df: Option<&crate::dockerfile::Dockerfile>,
) -> LintConfig {
    let mut c = cfg.clone();
    c.built = answer.built_names(df);
    c.local_images = answer.local.clone();
    if !answer.default && answer.ships() {
        c.targets = answer.target_names(df);
    }
    c.nothing_ships = (!answer.ships()).then_some(answer.role);
    c.given_args = answer.given_args.clone();
    c.args_unknown = answer.default;
    c.vendored = !answer.ships()
        && !answer.paths.is_empty()
        && answer.paths.iter().all(|p| crate::repository::vendored_folder(&p.dockerfile).is_some());
    c.toolchain_product = answer.role == crate::repository::Role::ToolchainProduct;
    c.base_of_others = answer.base_of.is_some();
    c.base_user = answer.base_user.as_ref().map(|(_, user)| user.clone());
    c.base_env = answer.base_env.clone();
    c
}

/// What ships of `file` when the user stated the targets (`--target`, `.shiplight.yml`'s
/// `targets:`): those stages, with the toolchain-product check of the model.
pub fn stated_answer(
    targets: &[String],
    source: &str,
    df: Option<&crate::dockerfile::Dockerfile>,
) -> crate::repository::Answer {
    use crate::repository::{BuildPath, Evidence, Model, Role, Source};
    let paths = targets
        .iter()
        .map(|t| BuildPath {
            dockerfile: String::new(),
            context: ".".into(),
            target: Some(t.clone()),
            role: Role::Ships,
            evidence: Evidence {
                source: Source::Config,
                file: String::new(),
                line: 0,
                says: format!("stated by {source}"),
            },
            name: None,
            target_line: None,
            mounts: Vec::new(),
            images: Vec::new(),
            contexts: Vec::new(),
            target_written: None,
            checks: false,
        })
        .collect();
    Model::new(paths, Vec::new()).answer("", df)
}

/// The lint configuration and ship answer for a Dockerfile that is built (compare, the
/// Action): a stated `target` (by `who`) decides, else what the repository says.
pub fn ship_for(
    cfg: LintConfig,
    file: &Path,
    cwd: &Path,
    text: &str,
    target: Option<&str>,
    who: &str,
) -> (LintConfig, Option<crate::repository::Answer>) {
    let df = crate::dockerfile::Dockerfile::parse(text).ok();
    let answer = match target {
        Some(t) => Some(stated_answer(&[t.to_owned()], who, df.as_ref())),
        None if !cfg.targets.is_empty() => {
            Some(stated_answer(&cfg.targets.clone(), "the configuration's `targets`", df.as_ref()))
        }
        None => crate::pipeline::repository::answer(file, cwd, df.as_ref()).map(|(a, _, _)| a),
    };
    let mut cfg = match &answer {
        Some(a) => ship_config(&cfg, a, df.as_ref()),
        None => cfg,
    };
    read_context(&cwd.join(file), df.as_ref(), &mut cfg);
    (cfg, answer)
}

/// What the rules read from the build context of the Dockerfile at `file` rather than the
/// file: the folders its COPYs bring ([`copied_folders`]), whether its start script drops
/// root ([`start_drops_root`]) and the scripts its RUNs run, all looked up in the same
/// [`context_roots`].
fn read_context(file: &Path, df: Option<&crate::dockerfile::Dockerfile>, cfg: &mut LintConfig) {
    let roots = context_roots(file);
    cfg.copied_folders = copied_folders(&roots, df);
    // the scripts the image starts with, read once for both questions
    let start = df.map(|df| crate::patch::start::start_scripts(df, &|rel| read_in(&roots, rel))).unwrap_or_default();
    cfg.start_compiles = crate::patch::start::compiles_at_start(&start);
    cfg.start_installs = crate::patch::start::installs_at_start(&start);
    cfg.start_drops_root = start_drops_root(&roots, df, start);
    cfg.run_scripts = df
        .map(|df| crate::patch::start::run_scripts(df, &|rel| read_in(&roots, rel)))
        .unwrap_or_default()
        .into_iter()
        .map(|s| (s.path, s.text))
        .collect();
    cfg.package_jsons = df
        .map(|df| {
            let mut paths: Vec<String> = df
                .stages
                .iter()
                .flat_map(|st| &st.instructions)
                .filter(|i| i.flag("from").is_none())
                .flat_map(crate::lint::rules::dev_dependencies::package_json_sources)
                .collect();
            paths.sort();
            paths.dedup();
            paths.into_iter().filter_map(|p| read_in(&roots, &p).map(|t| (p, t))).collect()
        })
        .unwrap_or_default();
}

/// A file of the build context by its path there, looked up in `roots` in turn: its text,
/// when it is at most 1 MiB and inside them. A COPY source's leading `/` is the context's
/// root (photoprism's `COPY /scripts/dist/ /scripts/`).
fn read_in(roots: &[std::path::PathBuf], rel: &str) -> Option<String> {
    let rel = Path::new(rel.trim_start_matches("./").trim_start_matches('/'));
    if rel.is_absolute() || rel.components().any(|c| matches!(c, std::path::Component::ParentDir)) {
        return None;
    }
    let path = roots.iter().map(|r| r.join(rel)).find(|p| p.is_file())?;
    (std::fs::metadata(&path).ok()?.len() <= 1 << 20).then(|| std::fs::read_to_string(path).ok()).flatten()
}

/// The folders the build context of the Dockerfile at `file` may be: its folder, then
/// each one above it up to the repository's root (the first holding `.git`); its folder
/// alone outside a repository.
fn context_roots(file: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Some(dir) = file.parent().map(|d| if d.as_os_str().is_empty() { std::path::Path::new(".") } else { d }) else {
        return Vec::new();
    };
    let Ok(dir) = dir.canonicalize() else { return Vec::new() };
    let mut out = Vec::new();
    for d in dir.ancestors().take(32) {
        out.push(d.to_path_buf());
        if d.join(".git").exists() {
            return out;
        }
    }
    vec![dir]
}

/// Whether a script the image at `file` starts with (its ENTRYPOINT or CMD, a file a COPY
/// brings from the build context) runs its program as another user: the command it ends by
/// running (its last `exec`, else its last command, or the last of a script that one runs)
/// drops root. Tautulli's `start.sh` ends `exec gosu tautulli …`; a `sudo -u postgres psql`
/// on the way, or an `exec gunicorn` after an idle `su app`, leaves the program root.
/// The scripts (`scripts`, read by the caller) are looked up as [`copied_folders`] looks up
/// folders, at most 1 MiB each.
fn start_drops_root(
    roots: &[std::path::PathBuf],
    df: Option<&crate::dockerfile::Dockerfile>,
    mut scripts: Vec<crate::patch::start::ContextScript>,
) -> bool {
    let Some(df) = df else { return false };
    let read = |rel: &str| read_in(roots, rel);
    // the program the script ends by running: its last `exec`, else its last command, and
    // when that runs a script of the context, that script's in turn
    fn last_run(text: &str) -> Option<crate::dockerfile::shell::SimpleCommand> {
        let all: Vec<_> =
            crate::dockerfile::shell::parse(text).commands.into_iter().filter(|c| !c.words.is_empty()).collect();
        let at = all.iter().rposition(|c| c.words[0] == "exec" && c.words.len() > 1).or(all.len().checked_sub(1))?;
        all.into_iter().nth(at)
    }
    if scripts.is_empty() {
        scripts.extend(inherited_start_script(df, &read));
    }
    let steps_down =
        |c: &SimpleCommand| crate::dockerfile::roles::drops_root(c) || uwsgi_steps_down(c, &scripts, &read);
    // the image's CMD: what the entrypoint's `exec "$@"` runs, or the program itself
    let last = df.stages.last();
    let cmd = last
        .and_then(|st| st.of_kind(Kind::Cmd).last())
        .and_then(|i| i.script())
        .and_then(|t| crate::dockerfile::shell::parse(&t).commands.into_iter().find(|c| !c.words.is_empty()));
    let own_entrypoint = last.is_some_and(|st| st.of_kind(Kind::Entrypoint).next().is_some());
    if !own_entrypoint && cmd.as_ref().is_some_and(steps_down) {
        return true;
    }
    let hands_over = |c: &SimpleCommand| {
        c.words.iter().find(|w| *w != "exec").is_some_and(|w| matches!(w.as_str(), "$@" | "${@}" | "\"$@\""))
    };
    scripts.iter().any(|s| {
        let Some(last) = last_run(&s.text) else { return false };
        if steps_down(&last) || (hands_over(&last) && cmd.as_ref().is_some_and(steps_down)) {
            return true;
        }
        let program = last.program().to_owned();
        s.calls
            .iter()
            .filter(|(name, _)| !name.is_empty() && program.ends_with(name.trim_start_matches("./")))
            .any(|(_, text)| last_run(text).is_some_and(|c| steps_down(&c)))
    })
}

/// Whether a command runs uWSGI told to step down, whose master and workers then run as that
/// user: `--uid app`, or an ini file it is given that sets `uid = app` (linkding's and
/// docker-mailman's `uwsgi.ini`), read where a COPY put it ([`start_scripts`]'s files) or by
/// its path, then its name, in the build context.
///
/// [`start_scripts`]: crate::patch::start::start_scripts
fn uwsgi_steps_down(
    c: &SimpleCommand,
    copied: &[crate::patch::start::ContextScript],
    read: &dyn Fn(&str) -> Option<String>,
) -> bool {
    if c.program().rsplit('/').next() != Some("uwsgi") {
        return false;
    }
    let not_root = |u: &str| !matches!(u, "root" | "0" | "") && !u.contains('$');
    let args = c.args();
    let uid = args.iter().enumerate().find_map(|(i, a)| match a.as_str() {
        "--uid" => args.get(i + 1).map(String::as_str),
        _ => a.strip_prefix("--uid="),
    });
    if uid.is_some_and(not_root) {
        return true;
    }
    args.iter().filter(|a| a.ends_with(".ini") && !a.contains('$')).any(|ini| {
        let name = ini.rsplit('/').next().unwrap_or(ini);
        let text =
            copied.iter().find(|s| s.path == *ini).map(|s| s.text.clone()).or_else(|| read(ini)).or_else(|| read(name));
        text.is_some_and(|t| {
            t.lines().any(|l| {
                let l = l.trim();
                let Some((key, value)) = l.split_once(['=', ':']) else { return false };
                key.trim() == "uid" && not_root(value.trim())
            })
        })
    })
}

/// The script a file built FROM an image starts with when that image put it there: an
/// ENTRYPOINT (or, with none, a CMD) naming a script by its path (`/var/www/run_gpu_intel.sh`)
/// that nothing of the file copies or writes, read by its name from the build context, where
/// the repository's own base image copied it from (NodeODM's `COPY . /var/www` in the image
/// its GPU variant is built FROM).
fn inherited_start_script(
    df: &crate::dockerfile::Dockerfile,
    read: &dyn Fn(&str) -> Option<String>,
) -> Option<crate::patch::start::ContextScript> {
    let last = df.stages.last()?;
    let start = last.of_kind(Kind::Entrypoint).last().or_else(|| last.of_kind(Kind::Cmd).last())?;
    let words = crate::dockerfile::shell::split_words(&start.script()?);
    let path = words.iter().find(|w| w.starts_with('/') && w.ends_with(".sh"))?;
    let name = path.rsplit('/').next()?;
    let mentioned = df.stages.iter().flat_map(|s| &s.instructions).any(|i| match &i.body {
        crate::dockerfile::Body::Copy { sources, dest } => {
            dest.contains(name) || sources.iter().any(|s| s.contains(name))
        }
        _ => i.kind == Kind::Run && i.script().is_some_and(|t| t.contains(name)),
    });
    if mentioned || name.contains('$') {
        return None;
    }
    let text = read(name)?;
    Some(crate::patch::start::ContextScript { path: path.clone(), text, calls: Vec::new() })
}

/// What the folders the Dockerfile at `file` COPYs from its build context hold in the
/// checkout (`COPY rootfs/ /`): each plain source found as a folder, looked up in the
/// Dockerfile's folder and then each one above it up to the repository's root, with the paths
/// under it (at most 20,000); a source found as a file, with its own name (what it brings
/// into a destination folder). The lint rules read this instead of the disk.
fn copied_folders(
    roots: &[std::path::PathBuf],
    df: Option<&crate::dockerfile::Dockerfile>,
) -> Vec<(String, Vec<String>)> {
    let Some(df) = df else { return Vec::new() };
    let sources = crate::lint::rules::wasted_layer::context_sources(df);
    if sources.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for src in sources {
        let rel = src.trim_start_matches("./").trim_end_matches('/');
        if rel.is_empty() || rel == "." {
            continue;
        }
        // a file brought only itself, into the destination folder (`COPY Gemfile ./`)
        if !roots.iter().any(|r| r.join(rel).is_dir()) {
            if let (Some(name), true) = (rel.rsplit('/').next(), roots.iter().any(|r| r.join(rel).is_file())) {
                let name = name.to_owned();
                out.push((src, vec![name]));
            }
            continue;
        }
        let Some(dir) = roots.iter().map(|r| r.join(rel)).find(|d| d.is_dir()) else { continue };
        let paths: Vec<String> = ignore::WalkBuilder::new(&dir)
            .standard_filters(false)
            .build()
            .filter_map(Result::ok)
            .filter_map(|e| e.path().strip_prefix(&dir).ok().map(|p| p.to_string_lossy().replace('\\', "/")))
            .filter(|p| !p.is_empty())
            .take(20_000)
            .collect();
        out.push((src, paths));
    }
    out
}

/// Mark the findings of rules about what ships with the evidence for it.
pub fn mark_ships(findings: &mut [crate::lint::Finding], answer: &crate::repository::Answer) {
    if answer.default && answer.role == crate::repository::Role::Ships {
        return;
    }
    let line = answer.line();
    for f in findings.iter_mut().filter(|f| f.code.starts_with("SL1")) {
        f.ships = Some(line.clone());
    }
}

/// Lint every file; unreadable or unparsable files become SL001 findings and the run goes on.
pub fn run(opts: &LintOptions) -> Result<Report, ConfigError> {
    let cwd = opts.cwd.clone().or_else(|| std::env::current_dir().ok()).unwrap_or_else(|| PathBuf::from("."));
    let loaded = load_config(opts.config.as_deref(), &cwd)?;
    let mut cfg: LintConfig = loaded.config;
    let stated = if !opts.targets.is_empty() {
        cfg.targets = opts.targets.clone();
        Some("--target")
    } else if !cfg.targets.is_empty() {
        Some("the configuration's `targets`")
    } else {
        None
    };
    let (files, mut warnings) = collect(&opts.paths);
    let mut report = Report { failure_threshold: cfg.failure_threshold, ..Report::default() };
    let mut seen_roots = std::collections::HashSet::new();
    report.warnings.append(&mut loaded.warnings.clone());
    report.warnings.append(&mut warnings);
    for file in files {
        let shown = file.display().to_string();
        let bytes = if file.as_os_str() == "-" {
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf).map(|_| buf)
        } else {
            std::fs::read(&file)
        };
        // which stages ship: --target, then the configuration, then what the repository
        // says (workflows, bake, compose, dev containers), then the last stage
        let parsed =
            bytes.as_ref().ok().and_then(|b| crate::dockerfile::Dockerfile::parse(&String::from_utf8_lossy(b)).ok());
        let answer = match stated {
            Some(source) => Some(stated_answer(&cfg.targets, source, parsed.as_ref())),
            None if file.as_os_str() == "-" => None,
            None => crate::pipeline::repository::answer(&file, &cwd, parsed.as_ref()).map(|(a, model, root)| {
                if !model.notes.is_empty() && seen_roots.insert(root.clone()) {
                    report.notes.push(format!(
                        "{}: {} thing(s) in its workflows, bake, compose or dev container files could not be resolved; `shiplight ships` lists them",
                        root.display(),
                        model.notes.len()
                    ));
                }
                a
            }),
        };
        let file_cfg = answer.as_ref().map(|a| ship_config(&cfg, a, parsed.as_ref()));
        if let Some(a) = &answer {
            match stated {
                Some(source) => report
                    .notes
                    .push(format!("{shown}: the stages that ship are {} (from {source})", cfg.targets.join(", "))),
                None if !a.default || a.role != crate::repository::Role::Ships => {
                    report.notes.push(format!("{shown}: {}", a.line()))
                }
                None => {}
            }
        }
        let mut file_cfg = file_cfg.unwrap_or_else(|| cfg.clone());
        if file.as_os_str() != "-" {
            read_context(&file, parsed.as_ref(), &mut file_cfg);
        }
        let file_cfg = &file_cfg;
        let bytes = match bytes {
            Ok(b) if opts.fix => Ok(fix_file(&file, &shown, b, file_cfg, &mut report)),
            other => other,
        };
        let mut findings = match bytes {
            Ok(b) => engine::lint_bytes(&b, &shown, file_cfg),
            Err(e) => vec![engine::invalid(
                &shown,
                1,
                1,
                format!("cannot read {shown}: {e}; check the path and its permissions"),
                "",
            )],
        };
        if let Some(a) = &answer {
            mark_ships(&mut findings, a);
        }
        if file.as_os_str() != "-" {
            if let Ok(absolute) = std::fs::canonicalize(&file) {
                let repository = absolute.ancestors().skip(1).find(|d| d.join(".git").exists()).map(Path::to_path_buf);
                report.sources.insert(shown.clone(), crate::report::SourceFile { absolute, repository });
            }
        }
        report.files.push(shown);
        report.findings.extend(findings);
    }
    Ok(report)
}

/// `--fix` on one file: apply its proved fixes and write it back when anything changed (the
/// bytes the edits do not name stay as they were); say what was fixed in the report's notes.
/// Returns the bytes to lint: the fixed ones, or the original when nothing was written.
fn fix_file(file: &Path, shown: &str, bytes: Vec<u8>, cfg: &LintConfig, report: &mut Report) -> Vec<u8> {
    if file.as_os_str() == "-" {
        report.warnings.push("standard input is linted, not fixed: `--fix` writes files; name the file".into());
        return bytes;
    }
    let Ok(text) = std::str::from_utf8(&bytes) else { return bytes };
    let fixed = engine::fix::fix_text(text, shown, cfg);
    if fixed.fixed.is_empty() {
        return bytes;
    }
    if let Err(e) = std::fs::write(file, &fixed.text) {
        report.warnings.push(format!(
            "{shown}: {} fix(es) not written: cannot write the file: {e}; check its permissions",
            fixed.fixed.len()
        ));
        return bytes;
    }
    let what: Vec<String> = fixed.fixed.iter().map(|f| format!("{} line {}", f.code, f.line)).collect();
    report.notes.push(format!("{shown}: fixed {} finding(s): {}", fixed.fixed.len(), what.join(", ")));
    fixed.text.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_names() {
        for n in ["Dockerfile", "Dockerfile.prod", "api.Dockerfile", "Containerfile", "dockerfile"] {
            assert!(is_dockerfile_name(n), "{n}");
        }
        for n in ["Dockerfile-notes.md.bak.txt2", "README.md", "docker-compose.yml"] {
            assert!(!is_dockerfile_name(n) || n.starts_with("Dockerfile"), "{n}");
        }
        assert!(!is_dockerfile_name("README.md"));
        // BuildKit's per-Dockerfile ignore file
        assert!(!is_dockerfile_name("Dockerfile.dockerignore"));
        assert!(!is_dockerfile_name("api.Dockerfile.dockerignore"));
        // source and configuration files named for Dockerfiles
        for n in ["dockerfile.go", "dockerfile.yaml", "Dockerfile.j2", "Dockerfile.in", "Dockerfile.md"] {
            assert!(!is_dockerfile_name(n), "{n}");
        }
        for n in ["Containerfile.debug-ubi", "Dockerfile.windows", "Dockerfile.test", "app.containerfile"] {
            assert!(is_dockerfile_name(n), "{n}");
        }
        // a variant after a dash or underscore (kasmtech/workspaces-images' 81 files)
        for n in ["dockerfile-kasm-chrome", "Dockerfile_prod", "Containerfile-ubi"] {
            assert!(is_dockerfile_name(n), "{n}");
        }
        for n in
            ["Dockerfile-", "dockerfile_parser.py", "Dockerfile-lint.json", "dockerfiles", "Dockerfile-template.j2"]
        {
            assert!(!is_dockerfile_name(n), "{n}");
        }
    }
}
