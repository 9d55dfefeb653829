//! One layer tar, read once to its end: its diff_id (the SHA-256 of the tar), its size as
//! Docker counts it, its gzip size when asked (`gzip.rs`), its file listing (for waste) and
//! the package databases and build info its files hold (each reader in `image/packages/`
//! says which files it needs). The result, [`LayerScan`], is what every layer source yields
//! and what the scan cache keeps by diff_id.

use std::io::Read;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::gzip::BlockGzip;
use crate::image::packages::{capture, Capture, Captured, Reader, READERS};
use crate::image::waste::{self, Entry};

/// What a scan learnt about one layer tar. Kept by diff_id in the scan cache.
#[derive(Debug, Default, Clone, PartialEq, serde::Serialize, Deserialize)]
pub(crate) struct LayerScan {
    /// `sha256:` of the uncompressed tar: the layer's diff_id.
    #[serde(default)]
    pub diff_id: String,
    /// The uncompressed tar's length.
    #[serde(default)]
    pub tar_bytes: u64,
    /// Its content as Docker counts a layer's size: regular files, plus symlinks at the
    /// length of their target.
    #[serde(default)]
    pub bytes: u64,
    /// The tar gzip-compressed (what a push would send), when `gzipped`.
    pub compressed_bytes: u64,
    #[serde(default)]
    pub gzipped: bool,
    pub entries: Vec<Entry>,
    /// The package databases and build info the layer writes.
    #[serde(default)]
    pub packages: Captured,
}

/// Reads a layer, hashing every byte read and writing it into the gzip encoder too.
struct Tee<R: Read> {
    inner: R,
    gz: Option<BlockGzip>,
    sha: Sha256,
    read: u64,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(gz) = &mut self.gz {
            gz.write(&buf[..n]);
        }
        self.sha.update(&buf[..n]);
        self.read += n as u64;
        Ok(n)
    }
}

/// `sha256:` and the hex digest.
pub(crate) fn digest_of(sha: Sha256) -> String {
    let hash = sha.finalize();
    let mut s = String::with_capacity(71);
    s.push_str("sha256:");
    for b in hash {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Scan one layer tar, read to its end: its diff_id, sizes, gzip size (when `compressed`),
/// file listing and package databases.
pub(crate) fn scan_layer(input: impl Read, compressed: bool) -> std::io::Result<LayerScan> {
    let mut tee = Tee { inner: input, gz: compressed.then(BlockGzip::new), sha: Sha256::new(), read: 0 };
    let walked = {
        let mut archive = tar::Archive::new(&mut tee);
        walk(archive.entries()?)?
    };
    std::io::copy(&mut tee, &mut std::io::sink())?; // trailing padding
    let gzipped = tee.gz.is_some();
    let compressed_bytes = match tee.gz {
        Some(gz) => gz.finish()?,
        None => 0,
    };
    Ok(LayerScan {
        diff_id: digest_of(tee.sha),
        tar_bytes: tee.read,
        bytes: walked.bytes,
        compressed_bytes,
        gzipped,
        entries: walked.entries,
        packages: walked.captured,
    })
}

/// What a walk over a layer tar's entries learns: everything of a [`LayerScan`] but the
/// digest and the compressed size, which need every byte.
pub(crate) struct Walked {
    pub bytes: u64,
    pub entries: Vec<Entry>,
    pub captured: Captured,
}

/// Walk a layer tar's entries: sizes, listing, package databases. Only the files a package
/// reader asks for are read; the rest are skipped (read past, or sought past when the
/// archive was opened with `entries_with_seek`).
pub(crate) fn walk<R: Read>(archive_entries: tar::Entries<'_, R>) -> std::io::Result<Walked> {
    let mut bytes = 0u64;
    let mut entries = Vec::new();
    let mut captured = Captured::default();
    // files kept whole until the layer ends, by reader (an rpm database and its WAL)
    let mut raw: Vec<(&'static dyn Reader, String, Vec<u8>)> = Vec::new();
    for e in archive_entries {
        let mut e = e?;
        let path = waste::normalize(&e.path()?.to_string_lossy());
        let kind = e.header().entry_type();
        let size = if kind.is_file() { e.header().size().unwrap_or(0) } else { 0 };
        bytes += size;
        if kind.is_symlink() {
            if let Some(target) = e.link_name_bytes().map(|t| t.into_owned()) {
                // Docker counts a symlink at its target's length, as lstat does
                bytes += target.len() as u64;
                if !path.contains('/') && !path.is_empty() {
                    captured.links.push((path.clone(), String::from_utf8_lossy(&target).into_owned()));
                }
            }
        }
        let capture = if kind.is_file() { capture(&path, e.header().mode().unwrap_or(0), size) } else { None };
        match capture {
            Some((_, Capture::Text(max))) if size as usize <= max => {
                let mut text = String::new();
                if e.read_to_string(&mut text).is_ok() {
                    captured.files.push((path.clone(), text));
                }
            }
            Some((_, Capture::Text(max))) => {
                let mut head = vec![0u8; max];
                let n = read_up_to(&mut e, &mut head)?;
                captured.files.push((path.clone(), String::from_utf8_lossy(&head[..n]).into_owned()));
            }
            Some((reader, Capture::Bytes)) => {
                let mut bytes = Vec::new();
                e.read_to_end(&mut bytes)?;
                raw.push((reader, path.clone(), bytes));
            }
            Some((reader, Capture::Stream)) => reader.stream(&path, &mut e, &mut captured)?,
            None => {}
        }
        if !path.is_empty() {
            entries.push(Entry { path, size });
        }
    }
    for reader in READERS {
        let kept: Vec<(String, Vec<u8>)> = raw
            .iter_mut()
            .filter(|(r, _, _)| r.ecosystem() == reader.ecosystem())
            .map(|(_, path, bytes)| (std::mem::take(path), std::mem::take(bytes)))
            .collect();
        if !kept.is_empty() {
            reader.bytes(&kept, &mut captured);
        }
    }
    Ok(Walked { bytes, entries, captured })
}

/// Fill `buf` as far as the reader goes; the count read.
fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}
