//! Measure an image: its size as `docker images` shows it, its compressed size (each layer
//! gzip-compressed, what a pull costs), its layers with the instruction and Dockerfile line
//! that made them, and its waste.
//!
//! One pass over `docker save`: the export is streamed, every layer tar inside it is fed in
//! chunks to a worker thread that gzips it (counting bytes, keeping none) and lists its files.
//! Workers run in parallel, one per core; no layer is held in memory or unpacked to disk.
//! Both the legacy layout (`<id>/layer.tar`, `manifest.json` last) and the OCI layout
//! (`blobs/sha256/…`) are read.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::sync::mpsc;

use bytes::Bytes;
use futures_util::StreamExt;
use serde::Deserialize;

use super::attribute;
use super::engine::{Engine, EngineError};
use super::packages::{self as inventories, Capture, Captured};
use super::waste::{self, Entry};
use super::{ImageMeasure, Layer};
use crate::dockerfile::{packages, Dockerfile, Graph};

const CHUNK: usize = 256 * 1024;

/// What a worker learnt about one layer tar.
#[derive(Debug, Default, Clone, serde::Serialize, Deserialize)]
struct LayerScan {
    compressed_bytes: u64,
    entries: Vec<Entry>,
    /// The package databases and build info the layer writes.
    #[serde(default)]
    packages: Captured,
}

/// The parts of `docker save` that are not layers.
#[derive(Debug, Default)]
struct Export {
    layers: HashMap<String, LayerScan>,
    small_files: HashMap<String, Vec<u8>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ManifestEntry {
    config: String,
    layers: Vec<String>,
}

#[derive(Deserialize, Default)]
struct ImageConfig {
    #[serde(default)]
    history: Vec<HistoryEntry>,
}

#[derive(serde::Serialize, Deserialize, Default, Clone)]
struct HistoryEntry {
    #[serde(default)]
    created_by: String,
    #[serde(default)]
    empty_layer: bool,
}

/// Where the image came from, for attributing layers to Dockerfile lines.
pub struct Source<'a> {
    pub dockerfile: &'a Dockerfile,
    pub graph: &'a Graph,
}

/// Measure `image`. `source` attributes layers to lines; the FROM image of the shipped
/// stage, when it exists locally, marks the inherited layers.
pub async fn measure(engine: &Engine, image: &str, source: Option<Source<'_>>) -> Result<ImageMeasure, EngineError> {
    measure_with(engine, image, source, true).await
}

/// [`measure`], optionally without the compressed sizes (a waste-only pass, several times
/// faster: gzip is most of the work). `compressed_bytes` are then 0.
pub async fn measure_with(
    engine: &Engine,
    image: &str,
    source: Option<Source<'_>>,
    compressed: bool,
) -> Result<ImageMeasure, EngineError> {
    let (id, size_bytes, diff_ids) = engine.inspect(image).await?;
    let api_history = engine.history(image).await?;
    let scan = match cache::load(&id, compressed) {
        Some(scan) => scan,
        None => {
            let export = scan_export(engine, image, compressed).await?;
            let (history, layer_paths) = read_manifest(&export, image)?;
            let layers =
                layer_paths.iter().map(|p| export.layers.get(p).cloned()).collect::<Option<Vec<_>>>().ok_or_else(
                    || EngineError::Api {
                        what: format!("exporting {image}"),
                        message: "the export lists a layer it does not contain".into(),
                    },
                )?;
            let scan = cache::Scan { history, layers, compressed };
            cache::store(&id, &scan);
            scan
        }
    };
    let history = scan.history;
    let scans: Vec<&LayerScan> = scan.layers.iter().collect();
    let listings: Vec<Vec<Entry>> = scans.iter().map(|s| s.entries.clone()).collect();
    let waste = waste::analyze(&listings);
    let captured: Vec<Captured> = scans.iter().map(|s| s.packages.clone()).collect();
    let inventory = inventories::inventory(&captured, &waste.files);

    // Which history entries the FROM image brought.
    let from_image = source.as_ref().and_then(|s| s.graph.root_image(s.graph.targets[0])).map(str::to_owned);
    let inherited = match from_image.as_deref() {
        Some(base) if engine.exists(base).await => engine.history(base).await?.len(),
        _ => 0,
    };
    let sizes_match = api_history.len() == history.len();
    let mut layers = Vec::with_capacity(history.len());
    let mut li = 0;
    for (hi, h) in history.iter().enumerate() {
        let (compressed, wasted, top, listed) = if h.empty_layer {
            (0, 0, Vec::new(), 0)
        } else {
            let s = scans.get(li);
            let r = (
                s.map(|s| s.compressed_bytes).unwrap_or(0),
                waste.wasted_by_layer.get(li).copied().unwrap_or(0),
                waste.top_files.get(li).cloned().unwrap_or_default(),
                s.map(|s| s.entries.iter().map(|e| e.size).sum()).unwrap_or(0),
            );
            li += 1;
            r
        };
        let size = if sizes_match { api_history[hi].1 } else { listed };
        layers.push(Layer {
            created_by: h.created_by.clone(),
            size_bytes: size,
            compressed_bytes: compressed,
            wasted_bytes: wasted,
            empty: h.empty_layer,
            inherited: hi < inherited,
            line: None,
            stage: None,
            instruction: None,
            top_files: top,
            toolchain: attribute::run_script(&h.created_by).map(packages::toolchain_installed).unwrap_or_default(),
        });
    }
    if let Some(s) = &source {
        attribute::attribute(&mut layers, s.dockerfile, s.graph);
    }
    Ok(ImageMeasure {
        reference: image.to_owned(),
        id,
        size_bytes,
        compressed_bytes: scans.iter().map(|s| s.compressed_bytes).sum(),
        layer_count: diff_ids.len(),
        wasted_bytes: waste.wasted_bytes,
        efficiency: waste.efficiency(),
        layers,
        from_image,
        packages: Some(inventory),
    })
}

fn read_manifest(export: &Export, image: &str) -> Result<(Vec<HistoryEntry>, Vec<String>), EngineError> {
    let bad = |message: String| EngineError::Api { what: format!("exporting {image}"), message };
    let manifest =
        export.small_files.get("manifest.json").ok_or_else(|| bad("the export has no manifest.json".into()))?;
    let entries: Vec<ManifestEntry> =
        serde_json::from_slice(manifest).map_err(|e| bad(format!("manifest.json: {e}")))?;
    let first = entries.into_iter().next().ok_or_else(|| bad("manifest.json lists no image".into()))?;
    let config: ImageConfig = export
        .small_files
        .get(&first.config)
        .map(|b| serde_json::from_slice(b).unwrap_or_default())
        .unwrap_or_default();
    let mut history = config.history;
    let non_empty = history.iter().filter(|h| !h.empty_layer).count();
    if non_empty != first.layers.len() {
        // No usable history (imported images have none): one entry per layer.
        history = first.layers.iter().map(|_| HistoryEntry { created_by: String::new(), empty_layer: false }).collect();
    }
    Ok((history, first.layers))
}

/// Stream `docker save` through the scanners.
async fn scan_export(engine: &Engine, image: &str, compressed: bool) -> Result<Export, EngineError> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(8);
    let reader =
        tokio::task::spawn_blocking(move || scan_outer(AsyncChannelReader { rx, cur: Bytes::new() }, compressed));
    let mut stream = Box::pin(engine.export(image));
    let mut failure = None;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(b) => {
                if tx.send(b).await.is_err() {
                    break; // the reader stopped (it reports why)
                }
            }
            Err(e) => {
                failure = Some(EngineError::Lost {
                    host: engine.host().to_owned(),
                    what: format!("the export of {image}"),
                    message: e.to_string(),
                });
                break;
            }
        }
    }
    drop(tx);
    let result =
        reader.await.map_err(|e| EngineError::Api { what: format!("exporting {image}"), message: e.to_string() })?;
    if let Some(f) = failure {
        return Err(f);
    }
    result.map_err(|e| EngineError::Api { what: format!("reading the export of {image}"), message: e.to_string() })
}

/// Scans are a pure function of the image's content, and an image ID is the hash of that
/// content: an image measured once (a reused base, a shared FROM image) is not exported again.
/// The cache lives in `$SHIPLIGHT_CACHE_DIR`, else `$XDG_CACHE_HOME/shiplight`, else
/// `~/.cache/shiplight`; any failure to read or write it only means a fresh scan.
mod cache {
    use std::path::PathBuf;

    use super::{HistoryEntry, LayerScan};

    /// Bumped when a scan keeps more (2: package databases).
    const FORMAT: u32 = 2;

    #[derive(serde::Serialize, serde::Deserialize)]
    pub(super) struct Scan {
        pub history: Vec<HistoryEntry>,
        pub layers: Vec<LayerScan>,
        pub compressed: bool,
    }

    fn path(id: &str) -> Option<PathBuf> {
        let base = std::env::var_os("SHIPLIGHT_CACHE_DIR").map(PathBuf::from).or_else(|| {
            std::env::var_os("XDG_CACHE_HOME")
                .map(|x| PathBuf::from(x).join("shiplight"))
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/shiplight")))
        })?;
        let name: String = id.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        // the scan format is part of the name: a scan without package databases is not reused
        (!name.is_empty())
            .then(|| base.join("scans").join(format!("{}-s{FORMAT}-{name}.json", env!("CARGO_PKG_VERSION"))))
    }

    /// A cached scan with at least what is asked for (compressed sizes when `compressed`).
    pub(super) fn load(id: &str, compressed: bool) -> Option<Scan> {
        let scan: Scan = serde_json::from_slice(&std::fs::read(path(id)?).ok()?).ok()?;
        (scan.compressed || !compressed).then_some(scan)
    }

    pub(super) fn store(id: &str, scan: &Scan) {
        let Some(p) = path(id) else { return };
        let Some(dir) = p.parent() else { return };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        // write then rename, so a concurrent reader never sees half a file
        let tmp = p.with_extension(format!("tmp{}", std::process::id()));
        if let Ok(bytes) = serde_json::to_vec(scan) {
            if std::fs::write(&tmp, bytes).is_ok() {
                let _ = std::fs::rename(&tmp, &p);
            }
        }
    }
}

/// A blocking `Read` over chunks sent from the async side.
struct AsyncChannelReader {
    rx: tokio::sync::mpsc::Receiver<Bytes>,
    cur: Bytes,
}

impl Read for AsyncChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.cur.is_empty() {
            match self.rx.blocking_recv() {
                Some(b) => self.cur = b,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.cur.len());
        buf[..n].copy_from_slice(&self.cur[..n]);
        self.cur = self.cur.slice(n..);
        Ok(n)
    }
}

/// A blocking `Read` over chunks from a std channel (a worker's input).
struct ChunkReader {
    rx: mpsc::Receiver<Vec<u8>>,
    cur: Vec<u8>,
    pos: usize,
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.pos >= self.cur.len() {
            match self.rx.recv() {
                Ok(b) => {
                    self.cur = b;
                    self.pos = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.cur.len() - self.pos);
        buf[..n].copy_from_slice(&self.cur[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Counts what is written and drops it.
#[derive(Default)]
struct Counter(u64);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Reads a layer and writes every byte read into the gzip encoder too.
struct Tee<R: Read> {
    inner: R,
    gz: Option<flate2::write::GzEncoder<Counter>>,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(gz) = &mut self.gz {
            gz.write_all(&buf[..n])?;
        }
        Ok(n)
    }
}

/// Scan one layer tar: gzip size and file listing.
fn scan_layer(input: ChunkReader, compressed: bool) -> std::io::Result<LayerScan> {
    let mut tee = Tee {
        inner: input,
        gz: compressed.then(|| flate2::write::GzEncoder::new(Counter::default(), flate2::Compression::default())),
    };
    let mut entries = Vec::new();
    let mut captured = Captured::default();
    let mut raw: Vec<(String, Vec<u8>)> = Vec::new();
    {
        let mut archive = tar::Archive::new(&mut tee);
        for e in archive.entries()? {
            let mut e = e?;
            let path = waste::normalize(&e.path()?.to_string_lossy());
            let kind = e.header().entry_type();
            let size = if kind.is_file() { e.header().size().unwrap_or(0) } else { 0 };
            if kind.is_symlink() && !path.contains('/') && !path.is_empty() {
                if let Ok(Some(target)) = e.link_name() {
                    captured.links.push((path.clone(), target.to_string_lossy().into_owned()));
                }
            }
            let capture = if kind.is_file() {
                inventories::capture(&path, e.header().mode().unwrap_or(0), size)
            } else {
                Capture::Nothing
            };
            match capture {
                Capture::Text(max) if size as usize <= max => {
                    let mut text = String::new();
                    if e.read_to_string(&mut text).is_ok() {
                        captured.files.push((path.clone(), text));
                    }
                }
                Capture::Text(max) => {
                    let mut head = vec![0u8; max];
                    let n = read_up_to(&mut e, &mut head)?;
                    captured.files.push((path.clone(), String::from_utf8_lossy(&head[..n]).into_owned()));
                }
                Capture::Bytes => {
                    let mut bytes = Vec::new();
                    e.read_to_end(&mut bytes)?;
                    raw.push((path.clone(), bytes));
                }
                Capture::MaybeGo => {
                    if let Some(info) = go_build_info(&mut e)? {
                        captured.go.push((path.clone(), info));
                    }
                }
                Capture::Nothing => {}
            }
            std::io::copy(&mut e, &mut std::io::sink())?;
            if !path.is_empty() {
                entries.push(Entry { path, size });
            }
        }
    }
    // an rpm database is read once the layer's copy of its write-ahead log is known too
    for (path, bytes) in raw.iter().filter(|(p, _)| !p.ends_with("-wal")) {
        let wal = raw.iter().find(|(p, _)| p.strip_suffix("-wal") == Some(path)).map(|(_, b)| b.as_slice());
        match inventories::rpm::parse_db(bytes, wal) {
            Ok(records) => captured.rpm.push((path.clone(), records)),
            Err(e) => captured.notes.push(format!("/{path} cannot be read as an rpm database: {e}")),
        }
    }
    std::io::copy(&mut tee, &mut std::io::sink())?; // trailing padding
    let compressed_bytes = match tee.gz {
        Some(gz) => gz.finish()?.0,
        None => 0,
    };
    Ok(LayerScan { compressed_bytes, entries, packages: captured })
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

/// The module lines of a Go binary's build info, read while the file streams past: an ELF
/// file is searched for the build-info magic, which Go places near the start of its data.
fn go_build_info(r: &mut impl Read) -> std::io::Result<Option<String>> {
    use inventories::go::{parse, MAGIC};
    let mut first = [0u8; 4];
    if read_up_to(r, &mut first)? < 4 || &first != b"\x7fELF" {
        return Ok(None);
    }
    let finder = memchr::memmem::Finder::new(MAGIC);
    let mut window: Vec<u8> = Vec::with_capacity(2 * CHUNK);
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = read_up_to(r, &mut buf)?;
        if n == 0 {
            return Ok(None);
        }
        window.extend_from_slice(&buf[..n]);
        if let Some(at) = finder.find(&window) {
            // the header and the two strings follow; 64 kB holds any module list but a huge one
            let mut data = window.split_off(at);
            if data.len() < 64 * 1024 {
                let mut more = vec![0u8; 64 * 1024 - data.len()];
                let k = read_up_to(r, &mut more)?;
                data.extend_from_slice(&more[..k]);
            }
            return Ok(parse(&data).map(|(_, modules)| modules));
        }
        // keep the tail, in case the magic straddles two reads
        let keep = window.len().saturating_sub(MAGIC.len() - 1);
        window.drain(..keep);
    }
}

/// Walk the outer `docker save` tar, dispatching layer tars to parallel workers.
fn scan_outer(input: impl Read, compressed: bool) -> std::io::Result<Export> {
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).max(1);
    let mut running: Vec<(String, std::thread::JoinHandle<std::io::Result<LayerScan>>)> = Vec::new();
    let mut export = Export::default();
    let mut archive = tar::Archive::new(input);
    for entry in archive.entries()? {
        let mut entry = entry?;
        let path = waste::normalize(&entry.path()?.to_string_lossy());
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let size = entry.header().size().unwrap_or(0);
        let mut head = vec![0u8; 512.min(size as usize)];
        entry.read_exact(&mut head)?;
        let is_tar = head.len() == 512 && &head[257..262] == b"ustar";
        if !is_tar {
            if size <= 8 * 1024 * 1024 {
                let mut rest = head;
                entry.read_to_end(&mut rest)?;
                export.small_files.insert(path, rest);
            } else {
                std::io::copy(&mut entry, &mut std::io::sink())?;
            }
            continue;
        }
        if running.len() >= workers {
            let (p, h) = running.remove(0);
            export.layers.insert(p, join(h)?);
        }
        let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(8);
        let handle = std::thread::spawn(move || scan_layer(ChunkReader { rx, cur: Vec::new(), pos: 0 }, compressed));
        let _ = tx.send(head);
        loop {
            let mut buf = vec![0u8; CHUNK];
            let n = entry.read(&mut buf)?;
            if n == 0 {
                break;
            }
            buf.truncate(n);
            if tx.send(buf).is_err() {
                break;
            }
        }
        drop(tx);
        running.push((path, handle));
    }
    for (p, h) in running {
        export.layers.insert(p, join(h)?);
    }
    Ok(export)
}

fn join(h: std::thread::JoinHandle<std::io::Result<LayerScan>>) -> std::io::Result<LayerScan> {
    h.join().map_err(|_| std::io::Error::other("a layer scanner stopped unexpectedly"))?
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer_tar(files: &[(&str, usize)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (p, n) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(*n as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, p, &vec![7u8; *n][..]).unwrap();
        }
        b.into_inner().unwrap()
    }

    #[test]
    fn scans_a_legacy_save_stream() {
        let l1 = layer_tar(&[("bin/a", 1000)]);
        let l2 = layer_tar(&[("big", 300_000), (".wh.gone", 0)]);
        let config = br#"{"history":[{"created_by":"import"},{"created_by":"RUN x","empty_layer":false},{"created_by":"CMD","empty_layer":true}]}"#;
        let manifest = br#"[{"Config":"abc.json","RepoTags":["t:1"],"Layers":["l1/layer.tar","l2/layer.tar"]}]"#;
        let mut outer = tar::Builder::new(Vec::new());
        for (p, data) in [
            ("l1/layer.tar", &l1[..]),
            ("l2/layer.tar", &l2[..]),
            ("abc.json", &config[..]),
            ("manifest.json", &manifest[..]),
        ] {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_cksum();
            outer.append_data(&mut h, p, data).unwrap();
        }
        let bytes = outer.into_inner().unwrap();
        let export = scan_outer(&bytes[..], true).unwrap();
        let l2s = &export.layers["l2/layer.tar"];
        assert!(l2s.compressed_bytes < 10_000, "repetitive bytes compress: {}", l2s.compressed_bytes);
        assert_eq!(l2s.entries.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(), ["big", ".wh.gone"]);
        let (history, layers) = read_manifest(&export, "t:1").unwrap();
        assert_eq!(layers, ["l1/layer.tar", "l2/layer.tar"]);
        assert_eq!(history.len(), 3);
    }
}
