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

use sha2::{Digest, Sha256};

use super::docker::engine::{Engine, EngineError};
use super::packages::{self as inventories, Capture, Captured};
use super::waste::{self, Entry};
use super::{attribute, cache};
use super::{ImageMeasure, Layer};
use crate::dockerfile::{packages, Dockerfile, Graph};

const CHUNK: usize = 256 * 1024;

/// What a scan learnt about one layer tar. Kept by diff_id in the scan cache.
#[derive(Debug, Default, Clone, serde::Serialize, Deserialize)]
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

/// A layer of an export: scanned, or only hashed because the cache knows it.
#[derive(Debug)]
enum Scanned {
    Full(LayerScan),
    Known(String),
}

/// The parts of `docker save` that are not layers.
#[derive(Debug, Default)]
struct Export {
    layers: HashMap<String, Scanned>,
    small_files: HashMap<String, Vec<u8>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ManifestEntry {
    config: String,
    layers: Vec<String>,
}

/// The parts of an image config shiplight reads, wherever the config comes from (an export,
/// an archive, a registry, an OCI layout).
#[derive(Debug, Deserialize, Default)]
pub(crate) struct ImageConfig {
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub variant: Option<String>,
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
    #[serde(default)]
    pub rootfs: RootFs,
}

#[derive(Debug, Deserialize, Default)]
pub(crate) struct RootFs {
    #[serde(default)]
    pub diff_ids: Vec<String>,
}

/// What an export's manifest.json and config say about its (first) image.
struct ExportManifest {
    history: Vec<HistoryEntry>,
    /// The layer tars' paths in the export, bottom first.
    layers: Vec<String>,
    /// From the config: the image ID as the daemon names it.
    id: String,
    diff_ids: Vec<String>,
}

#[derive(serde::Serialize, Deserialize, Default, Clone, Debug)]
pub(crate) struct HistoryEntry {
    #[serde(default)]
    pub created_by: String,
    #[serde(default)]
    pub empty_layer: bool,
}

/// Where the image came from, for attributing layers to Dockerfile lines.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub dockerfile: &'a Dockerfile,
    pub graph: &'a Graph,
}

/// Measure `image`. `source` attributes layers to lines; the FROM image of the shipped
/// stage, when it exists locally, marks the inherited layers.
pub async fn measure(engine: &Engine, image: &str, source: Option<Source<'_>>) -> Result<ImageMeasure, EngineError> {
    measure_with(engine, image, source, true).await
}

/// A cached scan of `diff_id` with at least what is asked for (the gzip size when `compressed`).
pub(crate) fn cached_layer(diff_id: &str, compressed: bool) -> Option<LayerScan> {
    let scan: LayerScan = cache::load("layers", diff_id)?;
    (scan.diff_id == diff_id && (scan.gzipped || !compressed)).then_some(scan)
}

/// [`measure`], optionally without the compressed sizes (a waste-only pass, several times
/// faster: gzip is most of the work). `compressed_bytes` are then 0.
///
/// Only layers the scan cache does not know are scanned; an image whose history and layers
/// are all known is not exported at all.
pub async fn measure_with(
    engine: &Engine,
    image: &str,
    source: Option<Source<'_>>,
    compressed: bool,
) -> Result<ImageMeasure, EngineError> {
    let (id, size_bytes, diff_ids) = engine.inspect(image).await?;
    let api_history = engine.history(image).await?;
    let mut known: HashMap<String, LayerScan> =
        diff_ids.iter().filter_map(|d| cached_layer(d, compressed).map(|s| (d.clone(), s))).collect();
    let cached_history: Option<Vec<HistoryEntry>> = cache::load("images", &id);
    let history = match cached_history {
        Some(h) if diff_ids.iter().all(|d| known.contains_key(d)) => h,
        _ => {
            let history = match export_layers(engine, image, compressed, &mut known).await? {
                Some(h) => h,
                // a layer the size of a known one was not that one: scan everything
                None => {
                    known.clear();
                    export_layers(engine, image, compressed, &mut known).await?.ok_or_else(|| EngineError::Api {
                        what: format!("exporting {image}"),
                        message: "the export changed while it was read".into(),
                    })?
                }
            };
            cache::store("images", &id, &history);
            history
        }
    };
    let scans =
        diff_ids.iter().map(|d| known.get(d)).collect::<Option<Vec<&LayerScan>>>().ok_or_else(|| EngineError::Api {
            what: format!("exporting {image}"),
            message: "the export's layers are not the ones the daemon lists for the image".into(),
        })?;
    let history = fit_history(history, scans.len());
    let sizes: Vec<u64> = if api_history.len() == history.len() {
        api_history.iter().map(|(_, s)| *s).collect()
    } else {
        history_sizes(&history, &scans)
    };
    let compressed_sizes: Vec<u64> = scans.iter().map(|s| s.compressed_bytes).collect();
    let mut m =
        assemble(image, &id, &history, &scans.iter().map(|s| Some(*s)).collect::<Vec<_>>(), &compressed_sizes, &sizes);
    m.size_bytes = size_bytes;

    // Which history entries the FROM image brought.
    m.from_image = source.as_ref().and_then(|s| s.graph.root_image(s.graph.targets[0])).map(str::to_owned);
    let inherited = match m.from_image.as_deref() {
        Some(base) if engine.exists(base).await => engine.history(base).await?.len(),
        _ => 0,
    };
    for l in m.layers.iter_mut().take(inherited) {
        l.inherited = true;
    }
    if let Some(s) = &source {
        attribute::attribute(&mut m.layers, s.dockerfile, s.graph);
    }
    Ok(m)
}

/// Export `image` and scan the layers `known` lacks, adding them to it (and to the cache):
/// the image's history, or `None` when a layer hashed as known turned out not to be.
async fn export_layers(
    engine: &Engine,
    image: &str,
    compressed: bool,
    known: &mut HashMap<String, LayerScan>,
) -> Result<Option<Vec<HistoryEntry>>, EngineError> {
    let bad = |message: String| EngineError::Api { what: format!("exporting {image}"), message };
    let export = scan_export(engine, image, compressed, Known::of(known)).await?;
    let manifest = read_manifest(&export).map_err(bad)?;
    Ok(take_layers(export, &manifest.layers, known).map_err(bad)?.map(|_| manifest.history))
}

/// The diff_ids of an export's layers in manifest order, each new scan added to `known` and
/// the cache; `None` when a layer hashed as known is not one `known` has.
fn take_layers(
    mut export: Export,
    paths: &[String],
    known: &mut HashMap<String, LayerScan>,
) -> Result<Option<Vec<String>>, String> {
    let mut order = Vec::with_capacity(paths.len());
    for p in paths {
        match export.layers.remove(p) {
            Some(Scanned::Full(s)) => {
                cache::store("layers", &s.diff_id, &s);
                order.push(s.diff_id.clone());
                known.insert(s.diff_id.clone(), s);
            }
            Some(Scanned::Known(d)) if known.contains_key(&d) => order.push(d),
            Some(Scanned::Known(_)) => return Ok(None),
            None => return Err(format!("manifest.json lists {p}, which the export does not contain")),
        }
    }
    Ok(Some(order))
}

/// Each history entry's size from the scans (empty entries 0).
pub(crate) fn history_sizes(history: &[HistoryEntry], scans: &[&LayerScan]) -> Vec<u64> {
    let mut li = 0;
    history
        .iter()
        .map(|h| {
            if h.empty_layer {
                0
            } else {
                li += 1;
                scans.get(li - 1).map(|s| s.bytes).unwrap_or(0)
            }
        })
        .collect()
}

/// The history, or when it does not describe `layers` filesystem layers (imported images
/// have none), one entry per layer.
pub(crate) fn fit_history(history: Vec<HistoryEntry>, layers: usize) -> Vec<HistoryEntry> {
    if history.iter().filter(|h| !h.empty_layer).count() == layers {
        history
    } else {
        (0..layers).map(|_| HistoryEntry::default()).collect()
    }
}

/// An image from its history and its filesystem layers' scans (`None` for a layer that was
/// not read: a foreign one, or `--sizes-only`), the compressed size of each layer and the size
/// of each history entry. Nothing is inherited or attributed yet; `size_bytes` is the sum.
pub(crate) fn assemble(
    reference: &str,
    id: &str,
    history: &[HistoryEntry],
    scans: &[Option<&LayerScan>],
    compressed: &[u64],
    sizes: &[u64],
) -> ImageMeasure {
    let listings: Vec<Vec<Entry>> = scans.iter().map(|s| s.map(|s| s.entries.clone()).unwrap_or_default()).collect();
    let waste = waste::analyze(&listings);
    let read_all = scans.iter().all(Option::is_some);
    let inventory = read_all.then(|| {
        let captured: Vec<Captured> = scans.iter().map(|s| s.map(|s| s.packages.clone()).unwrap_or_default()).collect();
        inventories::inventory(&captured, &waste.files)
    });
    let mut layers = Vec::with_capacity(history.len());
    let mut li = 0;
    for (hi, h) in history.iter().enumerate() {
        let (compressed_bytes, wasted, top, entries) = if h.empty_layer {
            (0, 0, Vec::new(), None)
        } else {
            let r = (
                compressed.get(li).copied().unwrap_or(0),
                waste.wasted_by_layer.get(li).copied().unwrap_or(0),
                waste.top_files.get(li).cloned().unwrap_or_default(),
                scans.get(li).copied().flatten().map(|s| s.entries.len()),
            );
            li += 1;
            r
        };
        layers.push(Layer {
            created_by: h.created_by.clone(),
            size_bytes: sizes.get(hi).copied().unwrap_or(0),
            compressed_bytes,
            wasted_bytes: wasted,
            empty: h.empty_layer,
            inherited: false,
            line: None,
            stage: None,
            instruction: None,
            top_files: top,
            entries,
            toolchain: attribute::run_script(&h.created_by).map(packages::toolchain_installed).unwrap_or_default(),
        });
    }
    ImageMeasure {
        reference: reference.to_owned(),
        id: id.to_owned(),
        size_bytes: sizes.iter().sum(),
        compressed_bytes: compressed.iter().sum(),
        layer_count: scans.len(),
        wasted_bytes: waste.wasted_bytes,
        efficiency: waste.efficiency(),
        layers,
        packages: inventory,
        ..Default::default()
    }
}

fn read_manifest(export: &Export) -> Result<ExportManifest, String> {
    let manifest = export.small_files.get("manifest.json").ok_or("the export has no manifest.json")?;
    let entries: Vec<ManifestEntry> = serde_json::from_slice(manifest).map_err(|e| format!("manifest.json: {e}"))?;
    let first = entries.into_iter().next().ok_or("manifest.json lists no image")?;
    let config: ImageConfig =
        export.small_files.get(&first.config).and_then(|b| serde_json::from_slice(b).ok()).unwrap_or_default();
    // the config's name: `<hex>.json` (legacy) or `blobs/sha256/<hex>` (OCI layout)
    let hex = first.config.trim_start_matches("blobs/sha256/").trim_end_matches(".json");
    Ok(ExportManifest {
        history: fit_history(config.history, first.layers.len()),
        id: format!("sha256:{hex}"),
        diff_ids: config.rootfs.diff_ids,
        layers: first.layers,
    })
}

/// Stream `docker save` through the scanners, skipping what `known` has.
async fn scan_export(engine: &Engine, image: &str, compressed: bool, known: Known) -> Result<Export, EngineError> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(8);
    let reader = tokio::task::spawn_blocking(move || {
        scan_outer(AsyncChannelReader { rx, cur: Bytes::new() }, compressed, &known)
    });
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

/// Measure a `docker save` archive on disk (`archive://`): the same scan as the daemon's
/// export, the cache consulted the same way (by diff_id, read from the archive's config).
pub(crate) fn measure_archive(path: &std::path::Path, reference: &str) -> std::io::Result<ImageMeasure> {
    let open = || std::fs::File::open(path).map(std::io::BufReader::new);
    let bad = |m: String| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}: {m}", path.display()));
    // first pass: the config and manifest only (they are small; layers are skipped unread)
    let manifest = read_manifest(&scan_outer(open()?, false, &Known::all())?).map_err(bad)?;
    let mut known: HashMap<String, LayerScan> =
        manifest.diff_ids.iter().filter_map(|d| cached_layer(d, true).map(|s| (d.clone(), s))).collect();
    let order = match take_layers(scan_outer(open()?, true, &Known::of(&known))?, &manifest.layers, &mut known) {
        Ok(Some(order)) => order,
        // a layer the size of a known one was not that one: scan everything
        Ok(None) => {
            known.clear();
            take_layers(scan_outer(open()?, true, &Known::default())?, &manifest.layers, &mut known)
                .map_err(bad)?
                .ok_or_else(|| bad("the archive changed while it was read".into()))?
        }
        Err(e) => return Err(bad(e)),
    };
    let scans: Vec<&LayerScan> = order.iter().filter_map(|d| known.get(d)).collect();
    let sizes = history_sizes(&manifest.history, &scans);
    let compressed: Vec<u64> = scans.iter().map(|s| s.compressed_bytes).collect();
    let read: Vec<Option<&LayerScan>> = scans.iter().map(|s| Some(*s)).collect();
    Ok(assemble(reference, &manifest.id, &manifest.history, &read, &compressed, &sizes))
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

/// A worker's input when it gzips: the layer is written to an unlinked temporary file as it
/// streams out of the export, and the worker reads behind the writer. gzip is slower than the
/// daemon's export; with only a channel between them the export would stall for every large
/// new layer. The file costs page cache, not memory; it is gone when both ends are.
struct Spool {
    state: std::sync::Mutex<(u64, bool)>,
    grew: std::sync::Condvar,
}

struct SpoolWriter {
    file: std::fs::File,
    spool: std::sync::Arc<Spool>,
}

struct SpoolReader {
    file: std::fs::File,
    spool: std::sync::Arc<Spool>,
    pos: u64,
}

fn spool() -> std::io::Result<(SpoolWriter, SpoolReader)> {
    let file = tempfile::tempfile()?;
    let reader = file.try_clone()?;
    let spool =
        std::sync::Arc::new(Spool { state: std::sync::Mutex::new((0, false)), grew: std::sync::Condvar::new() });
    Ok((SpoolWriter { file, spool: spool.clone() }, SpoolReader { file: reader, spool, pos: 0 }))
}

impl SpoolWriter {
    fn push(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.file.write_all(bytes)?;
        let mut s = self.spool.state.lock().map_err(|_| std::io::Error::other("a layer scanner stopped"))?;
        s.0 += bytes.len() as u64;
        self.spool.grew.notify_one();
        Ok(())
    }
}

impl Drop for SpoolWriter {
    fn drop(&mut self) {
        if let Ok(mut s) = self.spool.state.lock() {
            s.1 = true;
        }
        self.spool.grew.notify_one();
    }
}

impl Read for SpoolReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::os::unix::fs::FileExt;
        let available = {
            let mut s = self.spool.state.lock().map_err(|_| std::io::Error::other("the export reader stopped"))?;
            while s.0 <= self.pos && !s.1 {
                s = self.spool.grew.wait(s).map_err(|_| std::io::Error::other("the export reader stopped"))?;
            }
            s.0 - self.pos
        };
        if available == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = buf.len().min(available as usize);
        // positional reads: the writer's handle keeps its own offset
        let n = self.file.read_at(&mut buf[..want], self.pos)?;
        self.pos += n as u64;
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

/// The gzip size of a stream, compressed in 1 MiB blocks on every core (as pigz does, but
/// without carrying the window across blocks: the estimate is within a fraction of a percent
/// of one gzip stream, and a large new layer no longer keeps one core busy after the export
/// has ended). Level 6, as `docker push` compresses.
struct BlockGzip {
    block: Vec<u8>,
    tx: Option<mpsc::SyncSender<Vec<u8>>>,
    helpers: Vec<std::thread::JoinHandle<std::io::Result<u64>>>,
}

const GZIP_BLOCK: usize = 1024 * 1024;

impl BlockGzip {
    fn new() -> BlockGzip {
        let n = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).clamp(1, 8);
        let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(n);
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        let helpers = (0..n)
            .map(|_| {
                let rx = rx.clone();
                std::thread::spawn(move || {
                    let mut total = 0u64;
                    loop {
                        let block = match rx.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => break,
                        };
                        let Ok(block) = block else { break };
                        let mut z =
                            flate2::write::DeflateEncoder::new(Counter::default(), flate2::Compression::default());
                        z.write_all(&block)?;
                        total += z.finish()?.0;
                    }
                    Ok(total)
                })
            })
            .collect();
        BlockGzip { block: Vec::with_capacity(GZIP_BLOCK), tx: Some(tx), helpers }
    }

    fn write(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let take = (GZIP_BLOCK - self.block.len()).min(bytes.len());
            self.block.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.block.len() == GZIP_BLOCK {
                self.flush_block();
            }
        }
    }

    fn flush_block(&mut self) {
        let full = std::mem::replace(&mut self.block, Vec::with_capacity(GZIP_BLOCK));
        if let Some(tx) = &self.tx {
            let _ = tx.send(full);
        }
    }

    /// The compressed size: the blocks' deflate streams plus gzip's 18-byte frame.
    fn finish(mut self) -> std::io::Result<u64> {
        if !self.block.is_empty() {
            self.flush_block();
        }
        drop(self.tx.take());
        let mut total = 18;
        for h in self.helpers.drain(..) {
            total += h.join().map_err(|_| std::io::Error::other("a gzip helper stopped"))??;
        }
        Ok(total)
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
    let mut bytes = 0u64;
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
    let gzipped = tee.gz.is_some();
    let compressed_bytes = match tee.gz {
        Some(gz) => gz.finish()?,
        None => 0,
    };
    Ok(LayerScan {
        diff_id: digest_of(tee.sha),
        tar_bytes: tee.read,
        bytes,
        compressed_bytes,
        gzipped,
        entries,
        packages: captured,
    })
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

/// The layers a scan may skip: by digest (an OCI-layout export names its layer blobs by
/// diff_id), or, in a legacy export, by size, the layer then only hashed to confirm it.
#[derive(Debug, Default)]
struct Known {
    digests: std::collections::HashSet<String>,
    sizes: std::collections::HashSet<u64>,
    /// Skip every layer unread (a first pass that wants the small files).
    all: bool,
}

impl Known {
    fn of(scans: &HashMap<String, LayerScan>) -> Known {
        Known {
            digests: scans.keys().cloned().collect(),
            sizes: scans.values().map(|s| s.tar_bytes).collect(),
            all: false,
        }
    }

    fn all() -> Known {
        Known { all: true, ..Known::default() }
    }
}

/// Walk the outer `docker save` tar, dispatching layer tars to parallel workers.
fn scan_outer(input: impl Read, compressed: bool, known: &Known) -> std::io::Result<Export> {
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).max(1);
    let mut running: Vec<(String, std::thread::JoinHandle<std::io::Result<Scanned>>)> = Vec::new();
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
        let named = path.strip_prefix("blobs/sha256/").map(|h| format!("sha256:{h}"));
        if known.all || named.as_ref().is_some_and(|d| known.digests.contains(d)) {
            std::io::copy(&mut entry, &mut std::io::sink())?;
            export.layers.insert(path, Scanned::Known(named.unwrap_or_default()));
            continue;
        }
        // a layer the size of a known one is only hashed, to confirm it is that one
        let hash_only = named.is_none() && known.sizes.contains(&size);
        if running.len() >= workers {
            let (p, h) = running.remove(0);
            export.layers.insert(p, join(h)?);
        }
        let (mut feed, handle) = if compressed && !hash_only {
            let (writer, reader) = spool()?;
            (Feed::Spool(writer), std::thread::spawn(move || scan_layer(reader, true).map(Scanned::Full)))
        } else {
            let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(8);
            let input = ChunkReader { rx, cur: Vec::new(), pos: 0 };
            let handle = std::thread::spawn(move || {
                if hash_only {
                    hash_all(input).map(Scanned::Known)
                } else {
                    scan_layer(input, false).map(Scanned::Full)
                }
            });
            (Feed::Channel(tx), handle)
        };
        if feed.push(&head)? {
            let mut buf = vec![0u8; CHUNK];
            loop {
                match entry.read(&mut buf)? {
                    0 => break,
                    n if !feed.push(&buf[..n])? => break, // the worker stopped (it says why)
                    _ => {}
                }
            }
        }
        drop(feed);
        running.push((path, handle));
    }
    for (p, h) in running {
        export.layers.insert(p, join(h)?);
    }
    Ok(export)
}

/// Where the outer tar's reader sends a layer's bytes.
enum Feed {
    Spool(SpoolWriter),
    Channel(mpsc::SyncSender<Vec<u8>>),
}

impl Feed {
    /// Pass `bytes` on; `false` when the worker is gone.
    fn push(&mut self, bytes: &[u8]) -> std::io::Result<bool> {
        match self {
            Feed::Spool(w) => w.push(bytes).map(|_| true),
            Feed::Channel(tx) => Ok(tx.send(bytes.to_vec()).is_ok()),
        }
    }
}

/// The `sha256:` digest of everything `r` yields.
fn hash_all(mut r: impl Read) -> std::io::Result<String> {
    let mut sha = Sha256::new();
    let mut buf = vec![0u8; CHUNK];
    loop {
        match r.read(&mut buf)? {
            0 => return Ok(digest_of(sha)),
            n => sha.update(&buf[..n]),
        }
    }
}

fn join(h: std::thread::JoinHandle<std::io::Result<Scanned>>) -> std::io::Result<Scanned> {
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
    fn block_gzip_is_within_a_percent_of_one_stream() {
        // 6 MiB of text-like bytes with some noise: compressible, not trivially
        let mut x = 7u64;
        let data: Vec<u8> = (0..6 * 1024 * 1024)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                if i % 5 == 0 {
                    (x >> 32) as u8
                } else {
                    b"the quick brown fox "[i % 20]
                }
            })
            .collect();
        let mut one = flate2::write::GzEncoder::new(Counter::default(), flate2::Compression::default());
        one.write_all(&data).unwrap();
        let one = one.finish().unwrap().0;
        let mut blocks = BlockGzip::new();
        for chunk in data.chunks(100_000) {
            blocks.write(chunk);
        }
        let blocks = blocks.finish().unwrap();
        let off = (blocks as f64 - one as f64).abs() / one as f64;
        assert!(off < 0.01, "one stream {one} B, blocks {blocks} B ({:.3} %)", off * 100.0);
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
        let export = scan_outer(&bytes[..], true, &Known::default()).unwrap();
        let Scanned::Full(l2s) = &export.layers["l2/layer.tar"] else { panic!("l2 was not scanned") };
        assert_eq!(l2s.diff_id, digest_of(Sha256::new_with_prefix(&l2)));
        assert_eq!(l2s.tar_bytes, l2.len() as u64);
        assert_eq!(l2s.bytes, 300_000);
        assert!(l2s.compressed_bytes < 10_000, "repetitive bytes compress: {}", l2s.compressed_bytes);
        assert_eq!(l2s.entries.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(), ["big", ".wh.gone"]);
        let manifest = read_manifest(&export).unwrap();
        assert_eq!(manifest.layers, ["l1/layer.tar", "l2/layer.tar"]);
        assert_eq!(manifest.history.len(), 3);
        assert_eq!(manifest.id, "sha256:abc");

        // a known layer is hashed, not scanned; one of a known size but other content is
        // told apart by its hash
        let l1_id = digest_of(Sha256::new_with_prefix(&l1));
        let known =
            Known { digests: [l1_id.clone()].into(), sizes: [l1.len() as u64, l2.len() as u64].into(), all: false };
        let export = scan_outer(&bytes[..], true, &known).unwrap();
        assert!(matches!(&export.layers["l1/layer.tar"], Scanned::Known(d) if *d == l1_id));
        assert!(matches!(&export.layers["l2/layer.tar"], Scanned::Known(d) if *d != l1_id));
    }
}
