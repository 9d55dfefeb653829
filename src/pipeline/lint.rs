//! `shiplight lint`: find Dockerfiles, load the configuration, lint, build one [`Report`].

use std::io::Read;
use std::path::{Path, PathBuf};

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

/// Whether a file name is a Dockerfile by convention. `Dockerfile.dockerignore` is the
/// Dockerfile's own ignore file, not a Dockerfile.
pub fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".dockerignore") {
        return false;
    }
    lower == "dockerfile"
        || lower == "containerfile"
        || lower.starts_with("dockerfile.")
        || lower.starts_with("containerfile.")
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
                .filter_entry(|e| e.file_name() != ".git" && e.file_name() != "node_modules")
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

/// Which stages of `file` ship, from the compose files that build it: the nearest folder
/// with a compose file, from the Dockerfile's folder up to the repository root (a folder
/// with `.git`). `None` when no compose service builds it with a `target`. The string says
/// where the answer came from. `parsed` is the Dockerfile, when it parses: it says where a
/// service's mounts land.
pub fn compose_targets(
    file: &Path,
    parsed: Option<&crate::dockerfile::Dockerfile>,
) -> Option<(Vec<String>, String, bool)> {
    let dockerfile = std::fs::canonicalize(file).ok()?;
    // the working directory a target's image runs in (where mounted sources would land)
    // and its VOLUMEs (where it keeps data)
    let runs_sources = |b: &crate::dockerfile::compose::Build| -> bool {
        let Some(df) = parsed else { return b.develops };
        let targets: Vec<String> = b.target.iter().cloned().collect();
        let Ok(graph) = crate::dockerfile::graph::Graph::build(df, &targets) else { return b.develops };
        let (mut dir, mut volumes) = ("/".to_owned(), Vec::new());
        for i in graph.lineage(graph.targets[0]) {
            for ins in &df.stages[i].instructions {
                match ins.kind {
                    crate::dockerfile::Kind::Workdir => {
                        if let Some(p) = ins.words().first() {
                            dir = crate::dockerfile::resolve_path(&dir, p);
                        }
                    }
                    crate::dockerfile::Kind::Volume => {
                        volumes.extend(ins.words().iter().map(|v| crate::dockerfile::resolve_path(&dir, v)))
                    }
                    _ => {}
                }
            }
        }
        b.runs_sources(&dir, &volumes)
    };
    let mut dir = dockerfile.parent();
    while let Some(d) = dir {
        for name in crate::dockerfile::compose::FILE_NAMES {
            let path = d.join(name);
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let Ok(builds) = crate::dockerfile::compose::builds(&text, d, &dockerfile) else { continue };
            let develops: Vec<bool> = builds.iter().map(runs_sources).collect();
            if builds.iter().zip(&develops).any(|(b, &d)| b.target.is_some() || d) {
                let mut targets: Vec<String> = Vec::new();
                let mut developed: Vec<String> = Vec::new();
                let mut said = Vec::new();
                for (b, &develops) in builds.iter().zip(&develops) {
                    // a service without a target builds the last stage
                    let t = b.target.clone().unwrap_or_else(|| "last".into());
                    if develops {
                        // it runs the host's sources over the image: a development environment
                        said.push(format!(
                            "service `{}` → `{t}` mounts its sources: development, not shipped",
                            b.service
                        ));
                        developed.push(t);
                        continue;
                    }
                    said.push(format!("service `{}` → `{t}`", b.service));
                    if !targets.contains(&t) {
                        targets.push(t);
                    }
                }
                // only development services build it: nothing of it ships
                let development_only = targets.is_empty();
                if development_only {
                    targets = developed;
                }
                return Some((targets, format!("{} ({})", path.display(), said.join(", ")), development_only));
            }
        }
        if d.join(".git").exists() {
            break;
        }
        dir = d.parent();
    }
    None
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
        // which stages ship: --target, then the configuration, then a compose file that
        // builds this Dockerfile, then the last stage
        let mut file_cfg = None;
        match stated {
            Some(source) => report
                .notes
                .push(format!("{shown}: the stages that ship are {} (from {source})", cfg.targets.join(", "))),
            None => {
                let parsed = bytes
                    .as_ref()
                    .ok()
                    .and_then(|b| crate::dockerfile::Dockerfile::parse(&String::from_utf8_lossy(b)).ok());
                if let Some((targets, source, development_only)) = compose_targets(&file, parsed.as_ref()) {
                    let last = parsed.as_ref().map(|df| df.stages.len());
                    let resolved: Vec<String> = targets
                        .iter()
                        .map(|t| match (t.as_str(), last) {
                            ("last", Some(n)) if n > 0 => (n - 1).to_string(),
                            _ => t.clone(),
                        })
                        .collect();
                    report.notes.push(if development_only {
                        format!("{shown}: no stage ships, only development environments use it (from {source})")
                    } else {
                        format!("{shown}: the stages that ship are {} (from {source})", targets.join(", "))
                    });
                    file_cfg = Some(LintConfig { targets: resolved, development_only, ..cfg.clone() });
                }
            }
        }
        let findings = match bytes {
            Ok(b) => engine::lint_bytes(&b, &shown, file_cfg.as_ref().unwrap_or(&cfg)),
            Err(e) => vec![engine::invalid(
                &shown,
                1,
                1,
                format!("cannot read {shown}: {e}; check the path and its permissions"),
                "",
            )],
        };
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
    }
}
