//! The repository, read with git: where the base image's build context comes from (the base
//! commit's tree, read with `git archive`, no worktree, no checkout, and unpacked into a
//! temporary folder, so the base context is packed exactly like the head's, `.dockerignore`
//! included), and the base commit's Dockerfile (`git show`). It lives with the pipeline, not
//! in `image/`: it reads the repository, not the daemon or a registry.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A base tree that could not be had.
#[derive(Debug, thiserror::Error)]
pub enum BaseError {
    #[error("git is needed to read the base commit ({0}); install git or use --base-image")]
    NoGit(std::io::Error),
    #[error("{dir} is not inside a git repository; run shiplight in a checkout or use --base-image")]
    NotARepo { dir: String },
    #[error("base ref `{reference}` is not a commit in this repository ({message}); fetch it (git fetch origin {reference}) or name another with --base-ref")]
    UnknownRef { reference: String, message: String },
    #[error("reading the base tree of {commit}: {message}")]
    Archive { commit: String, message: String },
}

fn git(dir: &Path, args: &[&str]) -> Result<std::process::Output, BaseError> {
    Command::new("git").arg("-C").arg(dir).args(args).output().map_err(BaseError::NoGit)
}

/// The repository root containing `dir`.
pub fn repo_root(dir: &Path) -> Result<PathBuf, BaseError> {
    let out = git(dir, &["rev-parse", "--show-toplevel"])?;
    if !out.status.success() {
        return Err(BaseError::NotARepo { dir: dir.display().to_string() });
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// Resolve a ref to a full commit ID.
pub fn resolve(root: &Path, reference: &str) -> Result<String, BaseError> {
    let out = git(root, &["rev-parse", "--verify", "--quiet", &format!("{reference}^{{commit}}")])?;
    if !out.status.success() {
        let message = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        return Err(BaseError::UnknownRef {
            reference: reference.to_owned(),
            message: if message.is_empty() { "unknown revision".into() } else { message },
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Unpack `subdir` of `commit` into `into`. Returns false when the commit has no such folder.
pub fn extract(root: &Path, commit: &str, subdir: &str, into: &Path) -> Result<bool, BaseError> {
    let treeish = if subdir.is_empty() || subdir == "." { commit.to_owned() } else { format!("{commit}:{subdir}") };
    let out = git(root, &["archive", "--format=tar", &treeish])?;
    if !out.status.success() {
        let message = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        if message.contains("not a valid object name")
            || message.contains("not a tree object")
            || message.contains("did not match")
        {
            return Ok(false);
        }
        return Err(BaseError::Archive { commit: commit.to_owned(), message });
    }
    tar::Archive::new(&out.stdout[..]).unpack(into).map_err(|e| BaseError::Archive {
        commit: commit.to_owned(),
        message: format!("cannot unpack it into {}: {}", into.display(), error_chain(&e)),
    })?;
    Ok(true)
}

/// An error with its causes (`failed to unpack x: No space left on device`), and what to do
/// when the cause is a full disk.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = s.source();
    }
    let mut out = parts.join(": ");
    if out.contains("No space left on device") {
        out.push_str(" (free space there, or point TMPDIR at a larger disk)");
    }
    out
}

/// The text of `path` at `commit`, or `None` when the commit has no such file.
pub fn show(root: &Path, commit: &str, path: &str) -> Result<Option<String>, BaseError> {
    let out = git(root, &["show", &format!("{commit}:{path}")])?;
    Ok(out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned()))
}

/// `path` relative to `root`, with `/` separators (`""` for the root itself).
pub fn relative(root: &Path, path: &Path) -> Option<String> {
    let root = root.canonicalize().ok()?;
    let path = path.canonicalize().ok()?;
    Some(path.strip_prefix(&root).ok()?.to_string_lossy().replace('\\', "/"))
}
