//! A layer read where an overlay2 daemon keeps it, by the helper container (`inplace.rs`
//! starts it; this is what runs inside, `shiplight layer-scan`).
//!
//! The daemon keeps two things per layer: its files, unpacked (`overlay2/<cache-id>/diff`,
//! the folder the image's `GraphDriver` names), and in its layer database
//! (`image/overlay2/layerdb/sha256/<chain-id>/`) the layer's diff_id, its cache-id and its
//! `tar-split.json.gz`: every header and padding byte of the layer's original tar, in order,
//! with only the file contents left out. `docker save` rebuilds each layer tar from exactly
//! these two, so the tar it would send is known without sending it: the tar-split's raw
//! segments, with each file's content read from the layer folder. [`VirtualTar`] is that tar,
//! and seekable; the same entry walk as the export's ([`super::scan::walk`]) reads it, so the
//! listing, whiteouts (`.wh.` entries), opaque markers (`.wh..wh..opq`), hardlinks, symlinks
//! and package databases are the export's own, byte for byte, and only the files a package
//! reader asks for are read. Whiteouts and opaque folders come from the recorded headers, so
//! no `trusted.overlay.*` xattr is read and the helper needs no CAP_SYS_ADMIN.
//!
//! When gzip sizes are asked for, every byte is read (the estimate needs them), and the rebuilt
//! tar's SHA-256 is checked against the diff_id the daemon recorded.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, BufRead, Read, Seek, SeekFrom, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileExt;
use std::path::{Component, Path, PathBuf};

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::scan::{scan_layer, walk, LayerScan};

/// What the helper prints on its standard output: one JSON document.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct HelperOutput {
    /// The image config as the daemon stores it (for its history), when asked.
    #[serde(default)]
    pub config: Option<String>,
    /// One per `--layer`, in the order given.
    pub layers: Vec<HelperLayer>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct HelperLayer {
    /// The overlay2 folder's name the layer database records for it.
    pub cache_id: String,
    pub scan: LayerScan,
}

/// `shiplight layer-scan`: scan each layer folder (`DIR/meta` the layer database entry,
/// `DIR/diff` the files) and write one [`HelperOutput`] to `out`.
pub fn helper_main(
    config: Option<&Path>,
    layers: &[PathBuf],
    compressed: bool,
    out: &mut impl Write,
) -> io::Result<()> {
    let config = match config {
        Some(p) => Some(std::fs::read_to_string(p).map_err(|e| at(p, e))?),
        None => None,
    };
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).max(1);
    let mut scanned: Vec<io::Result<HelperLayer>> = Vec::with_capacity(layers.len());
    for group in layers.chunks(workers) {
        let results: Vec<io::Result<HelperLayer>> = std::thread::scope(|s| {
            let handles: Vec<_> = group.iter().map(|dir| s.spawn(move || scan_dir(dir, compressed))).collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err(io::Error::other("a layer scanner stopped unexpectedly"))))
                .collect()
        });
        scanned.extend(results);
    }
    let layers = scanned.into_iter().collect::<io::Result<Vec<_>>>()?;
    serde_json::to_writer(&mut *out, &HelperOutput { config, layers })?;
    out.flush()
}

fn at(p: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", p.display()))
}

/// One layer folder: its scan, and the cache-id its layer database entry names.
pub(crate) fn scan_dir(dir: &Path, compressed: bool) -> io::Result<HelperLayer> {
    let meta = dir.join("meta");
    let read = |name: &str| std::fs::read_to_string(meta.join(name)).map(|s| s.trim().to_owned());
    let diff_id = read("diff").map_err(|e| at(&meta.join("diff"), e))?;
    let cache_id = read("cache-id").map_err(|e| at(&meta.join("cache-id"), e))?;
    let split = meta.join("tar-split.json.gz");
    let file = File::open(&split).map_err(|e| at(&split, e))?;
    let tar = VirtualTar::new(read_split(file).map_err(|e| at(&split, e))?, dir.join("diff"));
    let scan = if compressed {
        let scan = scan_layer(tar, true)?;
        if scan.diff_id != diff_id {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: the rebuilt tar is {}, not the layer's {diff_id}", dir.display(), scan.diff_id),
            ));
        }
        scan
    } else {
        let tar_bytes = tar.len;
        let mut archive = tar::Archive::new(tar);
        let walked = walk(archive.entries_with_seek()?)?;
        LayerScan {
            diff_id,
            tar_bytes,
            bytes: walked.bytes,
            compressed_bytes: 0,
            gzipped: false,
            entries: walked.entries,
            packages: walked.captured,
        }
    };
    Ok(HelperLayer { cache_id, scan })
}

/// A piece of a layer tar as the tar-split records it.
#[derive(Debug, PartialEq)]
enum Piece {
    /// Headers and padding, verbatim.
    Raw(Vec<u8>),
    /// A file's content: `size` bytes of the file at this path in the layer folder.
    File { path: PathBuf, size: u64 },
}

/// One line of a tar-split (github.com/vbatts/tar-split, `storage.Entry`).
#[derive(Deserialize)]
struct SplitEntry {
    #[serde(rename = "type")]
    kind: u8,
    #[serde(default)]
    name: Option<String>,
    /// The name's bytes (base64) when they are not UTF-8.
    #[serde(default)]
    name_raw: Option<String>,
    #[serde(default)]
    size: u64,
    #[serde(default)]
    payload: Option<String>,
}

/// The pieces of a layer tar from its gzip-compressed tar-split.
fn read_split(gz: impl Read) -> io::Result<Vec<Piece>> {
    let bad = |m: String| io::Error::new(io::ErrorKind::InvalidData, m);
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut pieces: Vec<Piece> = Vec::new();
    let lines = io::BufReader::new(flate2::read::MultiGzDecoder::new(gz));
    for (n, line) in lines.split(b'\n').enumerate() {
        let line = line?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let e: SplitEntry = serde_json::from_slice(&line).map_err(|e| bad(format!("line {}: {e}", n + 1)))?;
        match e.kind {
            // a segment: raw header and padding bytes
            2 => {
                let raw = b64.decode(e.payload.unwrap_or_default()).map_err(|e| bad(format!("line {}: {e}", n + 1)))?;
                match pieces.last_mut() {
                    Some(Piece::Raw(prev)) => prev.extend_from_slice(&raw),
                    _ => pieces.push(Piece::Raw(raw)),
                }
            }
            // a file entry: its content is the layer folder's
            1 if e.size == 0 => {}
            1 => {
                let name = match (e.name_raw, e.name) {
                    (Some(raw), _) => b64.decode(raw).map_err(|e| bad(format!("line {}: {e}", n + 1)))?,
                    (None, Some(name)) => name.into_bytes(),
                    (None, None) => return Err(bad(format!("line {}: a file entry without a name", n + 1))),
                };
                let path = relative(OsStr::from_bytes(&name)).ok_or_else(|| {
                    bad(format!("line {}: `{}` leaves the layer", n + 1, String::from_utf8_lossy(&name)))
                })?;
                pieces.push(Piece::File { path, size: e.size });
            }
            other => return Err(bad(format!("line {}: unknown entry type {other}", n + 1))),
        }
    }
    Ok(pieces)
}

/// A tar entry's name as a path inside the layer folder; `None` when it would leave it.
fn relative(name: &OsStr) -> Option<PathBuf> {
    let mut path = PathBuf::new();
    for c in Path::new(name).components() {
        match c {
            Component::Normal(part) => path.push(part),
            Component::CurDir | Component::RootDir => {}
            Component::ParentDir | Component::Prefix(_) => return None,
        }
    }
    Some(path)
}

/// The layer tar `docker save` would send, rebuilt from its pieces: readable from start to
/// end, and seekable, so a walk skips file contents it does not need unread.
pub(crate) struct VirtualTar {
    pieces: Vec<Piece>,
    starts: Vec<u64>,
    root: PathBuf,
    pub(crate) len: u64,
    pos: u64,
    /// The file last read, kept open for the next read.
    open: Option<(usize, File)>,
}

impl VirtualTar {
    fn new(pieces: Vec<Piece>, root: PathBuf) -> VirtualTar {
        let mut starts = Vec::with_capacity(pieces.len());
        let mut len = 0u64;
        for p in &pieces {
            starts.push(len);
            len += match p {
                Piece::Raw(r) => r.len() as u64,
                Piece::File { size, .. } => *size,
            };
        }
        VirtualTar { pieces, starts, root, len, pos: 0, open: None }
    }
}

impl Read for VirtualTar {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.len || buf.is_empty() {
            return Ok(0);
        }
        let i = self.starts.partition_point(|&s| s <= self.pos) - 1;
        let off = self.pos - self.starts[i];
        let n = match &self.pieces[i] {
            Piece::Raw(raw) => {
                let n = buf.len().min(raw.len() - off as usize);
                buf[..n].copy_from_slice(&raw[off as usize..off as usize + n]);
                n
            }
            Piece::File { path, size } => {
                let want = buf.len().min((size - off) as usize);
                if self.open.as_ref().map(|(k, _)| *k) != Some(i) {
                    let full = self.root.join(path);
                    self.open = Some((i, File::open(&full).map_err(|e| at(&full, e))?));
                }
                let Some((_, file)) = &self.open else { unreachable!("opened above") };
                let n = file.read_at(&mut buf[..want], off)?;
                if n == 0 {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!("{}: shorter than the {size} bytes the layer records", self.root.join(path).display()),
                    ));
                }
                n
            }
        };
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for VirtualTar {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let pos = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
        };
        self.pos = pos.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tar-split of `tar` as tar-split's asm writes it: the raw bytes around each file's
    /// content, and the file entries.
    fn split_of(tar: &[u8]) -> Vec<u8> {
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut lines = String::new();
        let mut pos = 0usize;
        let mut archive = tar::Archive::new(tar);
        for e in archive.entries().unwrap() {
            let e = e.unwrap();
            let start = e.raw_file_position() as usize;
            let size = e.header().entry_size().unwrap() as usize;
            lines += &format!("{{\"type\":2,\"payload\":\"{}\"}}\n", b64.encode(&tar[pos..start]));
            lines += &format!("{{\"type\":1,\"name\":{:?},\"size\":{size}}}\n", e.path().unwrap().to_string_lossy());
            pos = start + size;
        }
        lines += &format!("{{\"type\":2,\"payload\":\"{}\"}}\n", b64.encode(&tar[pos..]));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(lines.as_bytes()).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn a_layer_folder_and_its_tar_split_scan_as_the_tar_does() {
        let mut b = tar::Builder::new(Vec::new());
        let mut add = |path: &str, data: &[u8], kind: tar::EntryType, link: Option<&str>| {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(kind);
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            match link {
                Some(l) => b.append_link(&mut h, path, l).unwrap(),
                None => b.append_data(&mut h, path, data).unwrap(),
            }
        };
        let status = b"Package: tzdata\nStatus: install ok installed\nInstalled-Size: 3\nVersion: 1\n\n";
        add("var/lib/dpkg/status", status, tar::EntryType::Regular, None);
        add("big", &vec![3u8; 70_000], tar::EntryType::Regular, None);
        add("big-again", b"", tar::EntryType::Link, Some("big"));
        add("short", b"", tar::EntryType::Symlink, Some("big"));
        add("etc/.wh..wh..opq", b"", tar::EntryType::Regular, None);
        add(".wh.gone", b"", tar::EntryType::Regular, None);
        let tar = b.into_inner().unwrap();

        let layer = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(layer.path().join("meta")).unwrap();
        std::fs::create_dir_all(layer.path().join("diff/var/lib/dpkg")).unwrap();
        std::fs::write(layer.path().join("diff/var/lib/dpkg/status"), status).unwrap();
        std::fs::write(layer.path().join("diff/big"), vec![3u8; 70_000]).unwrap();
        let from_tar = scan_layer(&tar[..], false).unwrap();
        std::fs::write(layer.path().join("meta/diff"), format!("{}\n", from_tar.diff_id)).unwrap();
        std::fs::write(layer.path().join("meta/cache-id"), "abc").unwrap();
        std::fs::write(layer.path().join("meta/tar-split.json.gz"), split_of(&tar)).unwrap();

        let in_place = scan_dir(layer.path(), false).unwrap();
        assert_eq!(in_place.cache_id, "abc");
        assert_eq!(in_place.scan, from_tar, "the same scan, field by field");
        // with every byte read, the rebuilt tar hashes to the diff_id and gzips as the tar does
        let gz = scan_dir(layer.path(), true).unwrap().scan;
        assert_eq!(gz, scan_layer(&tar[..], true).unwrap());

        // a layer folder that lost a file's content is an error, not a short scan
        std::fs::write(layer.path().join("diff/big"), b"").unwrap();
        let e = scan_dir(layer.path(), true).unwrap_err().to_string();
        assert!(e.contains("shorter than the 70000 bytes"), "{e}");
        // a name leaving the layer folder is refused
        assert!(relative(OsStr::new("a/../../etc/passwd")).is_none());
    }
}
