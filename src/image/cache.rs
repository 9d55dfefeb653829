//! One scan per layer, ever. A layer's scan (its files, package databases, sizes) is a pure
//! function of its content, and its `diff_id` (the SHA-256 of its uncompressed tar) names that
//! content wherever the layer comes from: the daemon's export, a registry blob (whose config
//! lists the diff_ids), an OCI layout, an archive. So scans are kept by diff_id: layers that
//! head and base share are read once, and a base image's layers once per cache.
//!
//! An image's history (which history entries are empty) is kept by image ID, so an image whose
//! layers are all known needs no export at all.
//!
//! The folder is `--cache-dir`, else `$SHIPLIGHT_CACHE_DIR`, else `$XDG_CACHE_HOME/shiplight`,
//! else `~/.cache/shiplight`. A failure to read or write it only means a fresh scan.

use std::path::PathBuf;
use std::sync::OnceLock;

use serde::{de::DeserializeOwned, Serialize};

/// Bumped when a scan keeps more (2: package databases; 3: per layer, with sizes and digests).
const FORMAT: u32 = 3;

static DIR: OnceLock<PathBuf> = OnceLock::new();

/// Use `dir` for this process (`--cache-dir`); the first call wins.
pub fn set_dir(dir: PathBuf) {
    let _ = DIR.set(dir);
}

/// The cache folder in use, if any can be found.
pub fn dir() -> Option<PathBuf> {
    if let Some(d) = DIR.get() {
        return Some(d.clone());
    }
    std::env::var_os("SHIPLIGHT_CACHE_DIR").filter(|v| !v.is_empty()).map(PathBuf::from).or_else(|| {
        std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(|x| PathBuf::from(x).join("shiplight"))
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/shiplight")))
    })
}

fn path(kind: &str, digest: &str) -> Option<PathBuf> {
    let name: String = digest.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    // the scan format is part of the name: a scan that keeps less is not reused
    (!name.is_empty())
        .then(|| dir().map(|d| d.join(format!("scans-v{FORMAT}")).join(kind).join(format!("{name}.json"))))?
}

/// What is kept under `kind` (`layers`, `images`) for `digest`.
pub fn load<T: DeserializeOwned>(kind: &str, digest: &str) -> Option<T> {
    serde_json::from_slice(&std::fs::read(path(kind, digest)?).ok()?).ok()
}

pub fn store<T: Serialize>(kind: &str, digest: &str, value: &T) {
    let Some(p) = path(kind, digest) else { return };
    let Some(dir) = p.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    // write then rename, so a concurrent reader never sees half a file
    let tmp = p
        .with_extension(format!("tmp{}-{:?}", std::process::id(), std::thread::current().id()).replace(['(', ')'], ""));
    if let Ok(bytes) = serde_json::to_vec(value) {
        if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, &p).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}
