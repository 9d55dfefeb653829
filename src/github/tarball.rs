//! The base commit's tree from GitHub's tarball API, for runs where `actions/checkout`
//! fetched only the merge commit. The tarball is streamed to a temporary file, then unpacked
//! with its top folder (`owner-repo-sha/`) stripped, keeping only the context folder.

use std::io::Write;
use std::path::{Component, Path};

use futures_util::StreamExt;
use http_body_util::BodyExt;

/// Why the tarball could not be had.
#[derive(Debug, thiserror::Error)]
pub enum TarballError {
    #[error("GitHub API at {api}: {message}")]
    Api { api: String, message: String },
    #[error("the tarball of {commit} is not a gzip tar ({message})")]
    Format { commit: String, message: String },
    #[error("cannot write the base tree: {0}")]
    Io(#[from] std::io::Error),
}

/// Download `repository`'s tree at `commit` and unpack `subdir` of it into `into`.
/// Returns false when the tree has no such folder.
pub async fn fetch(
    api_url: &str,
    token: &str,
    repository: &str,
    commit: &str,
    subdir: &str,
    into: &Path,
) -> Result<bool, TarballError> {
    let api = |message: String| TarballError::Api { api: api_url.to_owned(), message };
    let (owner, name) =
        repository.split_once('/').ok_or_else(|| api(format!("GITHUB_REPOSITORY `{repository}` is not owner/name")))?;
    let crab = octocrab::Octocrab::builder()
        .base_uri(api_url)
        .map_err(|e| api(e.to_string()))?
        .personal_token(token.to_owned())
        .build()
        .map_err(|e| api(e.to_string()))?;
    let response = crab.repos(owner, name).download_tarball(commit.to_owned()).await.map_err(|e| api(describe(&e)))?;
    let status = response.status();
    if !status.is_success() {
        let hint = match status.as_u16() {
            401 => "; the token was refused",
            403 | 404 => "; the job's token needs `contents: read` on this repository",
            _ => "",
        };
        return Err(api(format!("GET /repos/{repository}/tarball/{commit} answered {status}{hint}")));
    }
    let mut file = tempfile::tempfile()?;
    let mut body = response.into_body().into_data_stream();
    while let Some(chunk) = body.next().await {
        file.write_all(&chunk.map_err(|e| api(describe(&e)))?)?;
    }
    file.flush()?;
    let into = into.to_owned();
    let subdir = subdir.trim_matches('/').to_owned();
    let commit = commit.to_owned();
    tokio::task::spawn_blocking(move || unpack(file, &subdir, &into, &commit))
        .await
        .map_err(|e| TarballError::Io(std::io::Error::other(e)))?
}

fn describe(e: &octocrab::Error) -> String {
    match e {
        octocrab::Error::GitHub { source, .. } => format!("{} ({})", source.message, source.status_code),
        other => other.to_string(),
    }
}

/// Unpack the gzip tar in `file`, stripping the top folder and keeping `subdir`.
fn unpack(mut file: std::fs::File, subdir: &str, into: &Path, commit: &str) -> Result<bool, TarballError> {
    use std::io::Seek;
    file.rewind()?;
    let format = |e: std::io::Error| TarballError::Format { commit: commit.to_owned(), message: e.to_string() };
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let root = into.canonicalize()?;
    let mut found = false;
    for entry in archive.entries().map_err(format)? {
        let mut entry = entry.map_err(format)?;
        let path = entry.path().map_err(format)?.into_owned();
        // owner-repo-sha/<rest>: drop the first component, refuse anything that climbs out
        let rest: std::path::PathBuf = path.components().skip(1).collect();
        if rest.components().any(|c| !matches!(c, Component::Normal(_))) || rest.as_os_str().is_empty() {
            continue;
        }
        let rel = if subdir.is_empty() {
            rest
        } else {
            match rest.strip_prefix(subdir) {
                Ok(r) if !r.as_os_str().is_empty() => r.to_owned(),
                _ => continue,
            }
        };
        let target = into.join(&rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
            // an earlier symlink entry must not lead a later file outside the folder
            if !parent.canonicalize()?.starts_with(&root) {
                continue;
            }
        }
        found = true;
        entry.unpack(&target).map_err(format)?;
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tarball(files: &[(&str, &str)]) -> Vec<u8> {
        let mut b = tar::Builder::new(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()));
        for (p, text) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(text.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, p, text.as_bytes()).unwrap();
        }
        b.into_inner().unwrap().finish().unwrap()
    }

    #[test]
    fn strips_the_top_folder_and_keeps_the_context() {
        let gz = tarball(&[
            ("o-r-abc/Dockerfile", "FROM a\n"),
            ("o-r-abc/app/Dockerfile", "FROM b\n"),
            ("o-r-abc/app/x.py", "x\n"),
        ]);
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(&gz).unwrap();
        let d = tempfile::tempdir().unwrap();
        assert!(unpack(f.try_clone().unwrap(), "app", d.path(), "abc").unwrap());
        assert_eq!(std::fs::read_to_string(d.path().join("Dockerfile")).unwrap(), "FROM b\n");
        assert!(d.path().join("x.py").is_file());
        let e = tempfile::tempdir().unwrap();
        assert!(!unpack(f, "missing", e.path(), "abc").unwrap());
    }

    #[test]
    fn a_symlink_cannot_lead_outside() {
        let outside = tempfile::tempdir().unwrap();
        let mut b = tar::Builder::new(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()));
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        b.append_link(&mut h, "o-r-abc/escape", outside.path()).unwrap();
        let mut h = tar::Header::new_gnu();
        h.set_size(3);
        h.set_cksum();
        b.append_data(&mut h, "o-r-abc/escape/pwned", &b"bad"[..]).unwrap();
        let gz = b.into_inner().unwrap().finish().unwrap();
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(&gz).unwrap();
        let d = tempfile::tempdir().unwrap();
        unpack(f, "", d.path(), "abc").unwrap();
        assert!(!outside.path().join("pwned").exists(), "wrote through a symlink out of the folder");
    }
}
