//! The build context: a tar of a directory that honours `.dockerignore` with Docker's
//! semantics (moby's patternmatcher): patterns are cleaned paths relative to the context
//! root (a leading `/` is dropped), `*` and `?` stay within one path component, `**` spans
//! any number, `!` re-includes, the last matching pattern wins, and a path is excluded when
//! it or one of its parent directories matches. The Dockerfile and `.dockerignore` are
//! always sent.

use std::path::{Path, PathBuf};

use globset::GlobMatcher;

/// A context that cannot be packed.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    #[error("build context {dir} is not a readable directory: {source}")]
    Dir { dir: String, source: std::io::Error },
    #[error("{path}: cannot read it for the build context ({source}); fix its permissions or add it to .dockerignore")]
    Unreadable { path: String, source: std::io::Error },
    #[error(".dockerignore line {line}: `{pattern}` is not a valid pattern ({message})")]
    Pattern { line: usize, pattern: String, message: String },
    #[error(
        "Dockerfile {path} is not inside the build context {context}; pass --context with a folder that contains it"
    )]
    DockerfileOutside { path: String, context: String },
}

/// Parsed `.dockerignore` rules.
#[derive(Debug, Default)]
pub struct DockerIgnore {
    rules: Vec<(GlobMatcher, bool)>,
}

impl DockerIgnore {
    /// Parse `.dockerignore` text.
    pub fn parse(text: &str) -> Result<DockerIgnore, ContextError> {
        let mut rules = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (negate, pattern) = match line.strip_prefix('!') {
                Some(p) => (true, p.trim()),
                None => (false, line),
            };
            let cleaned = clean(pattern);
            if cleaned.is_empty() {
                continue;
            }
            let glob =
                globset::GlobBuilder::new(&cleaned).literal_separator(true).backslash_escape(true).build().map_err(
                    |e| ContextError::Pattern {
                        line: i + 1,
                        pattern: pattern.to_owned(),
                        message: e.kind().to_string(),
                    },
                )?;
            rules.push((glob.compile_matcher(), negate));
        }
        Ok(DockerIgnore { rules })
    }

    /// Whether a context-relative path (with `/` separators) is excluded.
    pub fn excludes(&self, rel: &str) -> bool {
        let mut excluded = false;
        for (glob, negate) in &self.rules {
            // the path itself or any parent directory matching counts as a match
            let mut matched = glob.is_match(rel);
            if !matched {
                let mut parent = rel;
                while let Some((p, _)) = parent.rsplit_once('/') {
                    if glob.is_match(p) {
                        matched = true;
                        break;
                    }
                    parent = p;
                }
            }
            if matched {
                excluded = !negate;
            }
        }
        excluded
    }
}

/// Clean a pattern like Go's `filepath.Clean`, relative to the context root.
fn clean(pattern: &str) -> String {
    crate::dockerfile::resolve_path("/", pattern).trim_start_matches('/').to_owned()
}

/// A packed build context.
#[derive(Debug)]
pub struct Context {
    /// The tar archive.
    pub tar: Vec<u8>,
    /// The Dockerfile's path inside the context, as sent to the daemon.
    pub dockerfile: String,
    /// Number of files sent.
    pub files: usize,
}

/// Pack `dir` into a tar, honouring its `.dockerignore`. `dockerfile` is a path to the
/// Dockerfile (inside `dir`). Symlinks are sent as links, never followed, so a symlink loop
/// cannot recurse.
pub fn pack(dir: &Path, dockerfile: &Path) -> Result<Context, ContextError> {
    pack_with(dir, dockerfile, &[])
}

/// [`pack`], plus extra files (name inside the context, content) that `.dockerignore` does
/// not filter: a rewritten Dockerfile built from the same context, say.
pub fn pack_with(dir: &Path, dockerfile: &Path, extra: &[(&str, &[u8])]) -> Result<Context, ContextError> {
    let dir_display = dir.display().to_string();
    let root = dir.canonicalize().map_err(|source| ContextError::Dir { dir: dir_display.clone(), source })?;
    let df_abs = dockerfile
        .canonicalize()
        .map_err(|source| ContextError::Unreadable { path: dockerfile.display().to_string(), source })?;
    let df_rel = df_abs
        .strip_prefix(&root)
        .map_err(|_| ContextError::DockerfileOutside {
            path: dockerfile.display().to_string(),
            context: dir_display.clone(),
        })?
        .to_string_lossy()
        .replace('\\', "/");
    let ignore = match std::fs::read_to_string(root.join(".dockerignore")) {
        Ok(text) => DockerIgnore::parse(&text)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => DockerIgnore::default(),
        Err(source) => {
            return Err(ContextError::Unreadable { path: root.join(".dockerignore").display().to_string(), source })
        }
    };
    let mut builder = tar::Builder::new(Vec::new());
    builder.follow_symlinks(false);
    builder.mode(tar::HeaderMode::Deterministic);
    let mut files = 0;
    // ignore's walker with every filter of its own off: .dockerignore alone decides. A
    // directory excluded with no `!` rule that could re-include something below it is not
    // entered at all.
    let ignore = std::sync::Arc::new(ignore);
    let prune = {
        let (ignore, root) = (ignore.clone(), root.clone());
        move |entry: &ignore::DirEntry| {
            let rel = match entry.path().strip_prefix(&root) {
                Ok(r) if !r.as_os_str().is_empty() => r.to_string_lossy().replace('\\', "/"),
                _ => return true,
            };
            let dir = entry.file_type().is_some_and(|t| t.is_dir());
            !(dir && ignore.excludes(&rel) && !ignore.rules.iter().any(|(_, neg)| *neg))
        }
    };
    let walk = ignore::WalkBuilder::new(&root)
        .standard_filters(false)
        .follow_links(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(prune)
        .build();
    for entry in walk {
        let entry = entry.map_err(|e| walk_error(e, &dir_display))?;
        let rel = match entry.path().strip_prefix(&root) {
            Ok(r) if !r.as_os_str().is_empty() => r.to_string_lossy().replace('\\', "/"),
            _ => continue,
        };
        let always = rel == df_rel || rel == ".dockerignore";
        if !always && ignore.excludes(&rel) {
            continue;
        }
        let Some(ft) = entry.file_type() else { continue };
        let unreadable = |source| ContextError::Unreadable { path: entry.path().display().to_string(), source };
        if !(ft.is_file() || ft.is_dir() || ft.is_symlink()) {
            // sockets, FIFOs and devices: Docker's own archiver leaves them out too
            continue;
        }
        if ft.is_file() {
            let mut f = std::fs::File::open(entry.path()).map_err(unreadable)?;
            builder.append_file(&rel, &mut f).map_err(unreadable)?;
            files += 1;
        } else {
            builder.append_path_with_name(entry.path(), &rel).map_err(unreadable)?;
        }
    }
    for (name, content) in extra {
        let mut h = tar::Header::new_gnu();
        h.set_size(content.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        builder
            .append_data(&mut h, name, *content)
            .map_err(|source| ContextError::Unreadable { path: name.to_string(), source })?;
    }
    let tar = builder.into_inner().map_err(|source| ContextError::Unreadable { path: dir_display, source })?;
    Ok(Context { tar, dockerfile: df_rel, files })
}

/// A directory the walk could not read, with the path it names.
fn walk_error(e: ignore::Error, dir: &str) -> ContextError {
    let mut path = dir.to_owned();
    let mut cur = &e;
    loop {
        match cur {
            ignore::Error::WithPath { path: p, err } => {
                path = p.display().to_string();
                cur = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => cur = err,
            _ => break,
        }
    }
    let source = match e.io_error() {
        Some(io) => std::io::Error::new(io.kind(), io.to_string()),
        None => std::io::Error::other(e.to_string()),
    };
    ContextError::Unreadable { path, source }
}

/// Paths in a packed context, for tests and diagnostics.
pub fn list(tar: &[u8]) -> Vec<PathBuf> {
    let mut a = tar::Archive::new(tar);
    match a.entries() {
        Ok(entries) => entries.filter_map(Result::ok).filter_map(|e| e.path().ok().map(|p| p.into_owned())).collect(),
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ig(text: &str) -> DockerIgnore {
        DockerIgnore::parse(text).unwrap()
    }

    #[test]
    fn docker_semantics() {
        let i = ig("# comment\n/node_modules\n*.log\n**/*.tmp\n!keep.log\nbuild/\ndocs/**/*.md\n!docs/README.md\n");
        assert!(i.excludes("node_modules"));
        assert!(i.excludes("node_modules/x/y.js"), "a parent match excludes the subtree");
        assert!(!i.excludes("src/node_modules"), "patterns are anchored at the root");
        assert!(i.excludes("a.log") && !i.excludes("sub/a.log"), "* stays within one component");
        assert!(!i.excludes("keep.log"), "! re-includes; last match wins");
        assert!(i.excludes("x/y/z.tmp") && i.excludes("z.tmp"), "** spans any depth, zero included");
        assert!(i.excludes("build/out.bin"));
        assert!(i.excludes("docs/a/b.md") && !i.excludes("docs/README.md"));
        assert!(!i.excludes("src/main.rs"));
    }

    #[test]
    fn bad_pattern_names_the_line() {
        let e = DockerIgnore::parse("ok\n[unclosed\n").unwrap_err();
        assert!(e.to_string().starts_with(".dockerignore line 2"), "{e}");
    }

    #[test]
    fn packs_with_ignore_and_always_sends_dockerfile() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        std::fs::create_dir_all(p.join("src")).unwrap();
        std::fs::create_dir_all(p.join("target/debug")).unwrap();
        std::fs::write(p.join("src/main.rs"), "fn main(){}").unwrap();
        std::fs::write(p.join("target/debug/big"), vec![0u8; 1000]).unwrap();
        std::fs::write(p.join("Dockerfile"), "FROM scratch\n").unwrap();
        std::fs::write(p.join(".dockerignore"), "target\nDockerfile\n.dockerignore\n").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(p, p.join("src/loop")).unwrap();
        #[cfg(unix)]
        let _listener = std::os::unix::net::UnixListener::bind(p.join("src/agent.sock")).unwrap();
        let c = pack(p, &p.join("Dockerfile")).unwrap();
        let mut names: Vec<String> = list(&c.tar).iter().map(|p| p.display().to_string()).collect();
        names.sort();
        assert_eq!(names, [".dockerignore", "Dockerfile", "src", "src/loop", "src/main.rs"]);
        assert_eq!(c.dockerfile, "Dockerfile");
    }

    /// Only .dockerignore decides: hidden files and what a .gitignore or .ignore lists are
    /// sent, and a `!` rule re-includes a file inside an excluded folder.
    #[test]
    fn only_dockerignore_decides_and_negations_reach_inside_excluded_folders() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        std::fs::create_dir_all(p.join("node_modules/dep")).unwrap();
        std::fs::write(p.join("node_modules/dep/index.js"), "x").unwrap();
        std::fs::write(p.join("node_modules/keep.txt"), "x").unwrap();
        std::fs::write(p.join(".env"), "A=1").unwrap();
        std::fs::write(p.join("built.js"), "x").unwrap();
        std::fs::write(p.join(".gitignore"), "built.js\n.env\n").unwrap();
        std::fs::write(p.join(".ignore"), "built.js\n").unwrap();
        std::fs::write(p.join("Dockerfile"), "FROM scratch\n").unwrap();
        std::fs::write(p.join(".dockerignore"), "node_modules\n!node_modules/keep.txt\n").unwrap();
        let c = pack(p, &p.join("Dockerfile")).unwrap();
        let mut names: Vec<String> = list(&c.tar).iter().map(|p| p.display().to_string()).collect();
        names.sort();
        assert_eq!(
            names,
            [".dockerignore", ".env", ".gitignore", ".ignore", "Dockerfile", "built.js", "node_modules/keep.txt"]
        );
        assert_eq!(c.files, 7);
    }

    #[test]
    fn dockerfile_outside_context_is_an_error() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        std::fs::write(b.path().join("Dockerfile"), "FROM scratch\n").unwrap();
        let e = pack(a.path(), &b.path().join("Dockerfile")).unwrap_err();
        assert!(e.to_string().contains("not inside the build context"), "{e}");
    }
}
