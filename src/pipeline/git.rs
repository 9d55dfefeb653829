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

/// The lines each of `paths` (repository-relative) adds between the pull request's `base`
/// and `head` commits, from `git diff --unified=0 base...head` (what GitHub's pull request
/// diff shows: changes since the merge base). `None` when the checkout cannot say: git
/// missing, not a repository, either commit absent (the default shallow checkout has
/// neither), or no merge base in the fetched history; the caller then asks GitHub.
pub fn added_lines(
    root: &Path,
    base: &str,
    head: &str,
    paths: &[&str],
) -> Option<std::collections::BTreeMap<String, std::collections::BTreeSet<usize>>> {
    for commit in [base, head] {
        resolve(root, commit).ok()?;
    }
    let mut out = std::collections::BTreeMap::new();
    for path in paths {
        // one file per call: its output is that file's patch, no header to unquote
        let range = format!("{base}...{head}");
        let spec = format!(":(top,literal){path}");
        let diff = git(
            root,
            &[
                "-c",
                "core.quotePath=false",
                "diff",
                "--unified=0",
                "--no-color",
                "--no-ext-diff",
                "--no-renames",
                &range,
                "--",
                &spec,
            ],
        )
        .ok()?;
        if !diff.status.success() {
            return None;
        }
        out.insert((*path).to_owned(), crate::report::review::added_lines(&String::from_utf8_lossy(&diff.stdout)));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git").arg("-C").arg(dir).args(args).output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// The lines a branch adds since its merge base, a new file's every line, and nothing
    /// the base branch changed after the fork; an unknown commit says "ask GitHub".
    #[test]
    fn added_lines_come_from_the_merge_base() {
        if Command::new("git").arg("--version").output().is_err() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        run(d, &["init", "-q", "-b", "main"]);
        run(d, &["config", "user.email", "t@example.com"]);
        run(d, &["config", "user.name", "t"]);
        std::fs::create_dir_all(d.join("app")).unwrap();
        std::fs::write(d.join("app/Dockerfile"), "FROM a:1\nRUN x\nCMD y\n").unwrap();
        run(d, &["add", "."]);
        run(d, &["commit", "-q", "-m", "base"]);
        run(d, &["checkout", "-q", "-b", "pr"]);
        std::fs::write(d.join("app/Dockerfile"), "FROM a:1\nRUN z\nRUN w\nCMD y\n").unwrap();
        std::fs::write(d.join("new.Dockerfile"), "FROM b:2\nCMD c\n").unwrap();
        run(d, &["add", "."]);
        run(d, &["commit", "-q", "-m", "pr"]);
        let head = run(d, &["rev-parse", "HEAD"]);
        run(d, &["checkout", "-q", "main"]);
        std::fs::write(d.join("app/Dockerfile"), "FROM a:2\nRUN x\nCMD y\n").unwrap();
        run(d, &["commit", "-q", "-am", "main moves on"]);
        let base = run(d, &["rev-parse", "HEAD"]);
        let got = added_lines(d, &base, &head, &["app/Dockerfile", "new.Dockerfile", "untouched"]).unwrap();
        let lines = |p: &str| got[p].iter().copied().collect::<Vec<_>>();
        assert_eq!(lines("app/Dockerfile"), [2, 3], "not line 1, which only main changed");
        assert_eq!(lines("new.Dockerfile"), [1, 2]);
        assert!(got["untouched"].is_empty());
        assert!(added_lines(d, &base, "0123456789abcdef0123456789abcdef01234567", &["app/Dockerfile"]).is_none());
    }
}
