//! The daemon's `docker save` stream, and a `docker save` archive on disk, measured in one
//! pass: the outer tar is walked as it arrives, and every layer tar inside it is fed in chunks
//! to a worker thread that scans it ([`super::scan`]); workers run in parallel, one per
//! core. Layers the scan cache knows are skipped (by digest in an OCI-layout export) or only
//! hashed (by size in a legacy one), and an image whose history and layers are all known is
//! not exported at all.

use std::collections::HashMap;
use std::io::Read;
use std::sync::mpsc;

use bytes::Bytes;
use futures_util::StreamExt;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::inplace::{self, HELPER_CAPABILITY};
use super::io::{spool, AsyncChannelReader, ChunkReader, SpoolWriter};
use super::scan::{digest_of, scan_layer, LayerScan};
use super::{assemble, attribute, cache, cached_layer, fit_history, history_sizes, HistoryEntry, ImageConfig, Source};
use crate::image::docker::engine::{Engine, EngineError};
use crate::image::waste;
use crate::image::ImageMeasure;

/// The size of the reads that pass a layer on to its worker.
const CHUNK: usize = 256 * 1024;

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

/// What an export's manifest.json and config say about its (first) image.
struct ExportManifest {
    history: Vec<HistoryEntry>,
    /// The layer tars' paths in the export, bottom first.
    layers: Vec<String>,
    /// From the config: the image ID as the daemon names it.
    id: String,
    diff_ids: Vec<String>,
}

/// Measure `image`. `source` attributes layers to lines; the FROM image of the shipped
/// stage, when it exists locally, marks the inherited layers.
pub async fn measure(engine: &Engine, image: &str, source: Option<Source<'_>>) -> Result<ImageMeasure, EngineError> {
    measure_with(engine, image, source, true).await
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
    let mut missing: Vec<usize> = (0..diff_ids.len()).filter(|&i| !known.contains_key(&diff_ids[i])).collect();
    let (history, layers_read) = match cached_history {
        Some(h) if missing.is_empty() => (h, "cache".to_owned()),
        _ => {
            // One read at a time in this process: a measure running beside this one (the
            // other side of a compare) may be reading the layers both lack; once it is done
            // they are in the cache.
            let _reading = READING.lock().await;
            for i in std::mem::take(&mut missing) {
                match cached_layer(&diff_ids[i], compressed) {
                    Some(s) => {
                        known.insert(s.diff_id.clone(), s);
                    }
                    None => missing.push(i),
                }
            }
            let all_known =
                missing.is_empty().then(|| diff_ids.iter().filter_map(|d| known.get(d)).collect::<Vec<_>>());
            let from_api = all_known.and_then(|scans| history_from_api(&api_history, &scans));
            let in_place = match (from_api, std::env::var("SHIPLIGHT_LAYER_READ").as_deref()) {
                // every layer known by digest: nothing to read, the history is the Engine API's
                (Some(history), _) => Ok(inplace::InPlace { history, scans: Vec::new() }),
                (None, Ok("export")) => Err("SHIPLIGHT_LAYER_READ=export".to_owned()),
                (None, _) => inplace::read(engine, image, &id, &diff_ids, &missing, compressed).await,
            };
            match in_place {
                Ok(read) if missing.is_empty() => {
                    cache::store("images", &id, &read.history);
                    (read.history, "cache".to_owned())
                }
                Ok(read) => {
                    for s in read.scans {
                        cache::store("layers", &s.diff_id, &s);
                        known.insert(s.diff_id.clone(), s);
                    }
                    cache::store("images", &id, &read.history);
                    (read.history, format!("in-place (overlay2 layer folders, through a helper container with {HELPER_CAPABILITY} only)"))
                }
                Err(why) => {
                    (export_history(engine, image, &id, compressed, &mut known).await?, format!("export ({why})"))
                }
            }
        }
    };
    finish(engine, image, &id, size_bytes, &diff_ids, &known, &api_history, history, layers_read, source).await
}

/// One read of layers at a time per process (see [`measure_with`]).
static READING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The measure of `image` from its layers' scans (all in `known`) and its history.
#[allow(clippy::too_many_arguments)]
async fn finish(
    engine: &Engine,
    image: &str,
    id: &str,
    size_bytes: u64,
    diff_ids: &[String],
    known: &HashMap<String, LayerScan>,
    api_history: &[(String, u64)],
    history: Vec<HistoryEntry>,
    layers_read: String,
    source: Option<Source<'_>>,
) -> Result<ImageMeasure, EngineError> {
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
        assemble(image, id, &history, &scans.iter().map(|s| Some(*s)).collect::<Vec<_>>(), &compressed_sizes, &sizes);
    m.size_bytes = size_bytes;
    m.layers_read = Some(layers_read);

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

/// The image's history (which entries made a layer) from the Engine API's `docker history`
/// (each entry's instruction and size) and its layers' scans (each one's size as Docker
/// counts it), when exactly one reading fits: an entry of size 0 may be an empty entry or a
/// layer with no bytes, and two readings that fit are one too many. `None` then, and the
/// config is read instead.
fn history_from_api(api: &[(String, u64)], scans: &[&LayerScan]) -> Option<Vec<HistoryEntry>> {
    let (n, m) = (api.len(), scans.len());
    // ways[i][j]: how many readings fit entries i.. to layers j.. (counted up to 2)
    let mut ways = vec![vec![0u8; m + 1]; n + 1];
    ways[n][m] = 1;
    for i in (0..n).rev() {
        for j in (0..=m).rev() {
            let empty = if api[i].1 == 0 { ways[i + 1][j] } else { 0 };
            let layer = if j < m && api[i].1 == scans[j].bytes { ways[i + 1][j + 1] } else { 0 };
            ways[i][j] = (empty + layer).min(2);
        }
    }
    if ways[0][0] != 1 {
        return None;
    }
    let mut history = Vec::with_capacity(n);
    let mut j = 0;
    for (i, (created_by, size)) in api.iter().enumerate() {
        let layer = j < m && *size == scans[j].bytes && ways[i + 1][j + 1] == 1;
        history.push(HistoryEntry { created_by: created_by.clone(), empty_layer: !layer });
        j += usize::from(layer);
    }
    Some(history)
}

/// The history of `image` from its export, the layers `known` lacks scanned on the way and
/// added to it and to the cache.
async fn export_history(
    engine: &Engine,
    image: &str,
    id: &str,
    compressed: bool,
    known: &mut HashMap<String, LayerScan>,
) -> Result<Vec<HistoryEntry>, EngineError> {
    let history = match export_layers(engine, image, compressed, known).await? {
        Some(h) => h,
        // a layer the size of a known one was not that one: scan everything
        None => {
            known.clear();
            export_layers(engine, image, compressed, known).await?.ok_or_else(|| EngineError::Api {
                what: format!("exporting {image}"),
                message: "the export changed while it was read".into(),
            })?
        }
    };
    cache::store("images", id, &history);
    Ok(history)
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
        let packed = Packing::of(&path, &head);
        if !is_tar && packed.is_none() {
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
        let (mut feed, handle) = if let Some(packing) = packed {
            // a compressed blob (the containerd image store exports its content store's
            // blobs as they are): unpacked and scanned, and its compressed size is exact
            let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(8);
            let input = ChunkReader { rx, cur: Vec::new(), pos: 0 };
            (Feed::Channel(tx), std::thread::spawn(move || scan_packed(input, packing, size).map(Scanned::Full)))
        } else if compressed && !hash_only {
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

/// How a compressed layer blob of an OCI-layout export is packed.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Packing {
    Gzip,
    Zstd,
}

impl Packing {
    /// A blob (`blobs/sha256/…`) whose first bytes are gzip's or zstd's magic.
    fn of(path: &str, head: &[u8]) -> Option<Packing> {
        if !path.starts_with("blobs/sha256/") {
            None
        } else if head.starts_with(&[0x1f, 0x8b]) {
            Some(Packing::Gzip)
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some(Packing::Zstd)
        } else {
            None
        }
    }
}

/// Scan the layer tar inside a compressed blob of `blob_bytes`: that is its exact compressed
/// size, so nothing is gzipped to estimate it.
fn scan_packed(input: impl Read, packing: Packing, blob_bytes: u64) -> std::io::Result<LayerScan> {
    let buf = std::io::BufReader::with_capacity(CHUNK, input);
    let mut scan = match packing {
        Packing::Gzip => scan_layer(flate2::bufread::MultiGzDecoder::new(buf), false),
        Packing::Zstd => scan_layer(crate::image::oci::ZstdFrames::new(buf), false),
    }
    .map_err(|e| std::io::Error::new(e.kind(), format!("a {packing:?}-compressed layer blob: {e}")))?;
    scan.compressed_bytes = blob_bytes;
    scan.gzipped = true;
    Ok(scan)
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

    #[test]
    fn the_history_comes_from_the_api_when_one_reading_fits() {
        let scan = |bytes| LayerScan { bytes, ..LayerScan::default() };
        let (a, b) = (scan(100), scan(20));
        let api = |sizes: &[u64]| sizes.iter().map(|s| (format!("step {s}"), *s)).collect::<Vec<_>>();
        let empties = |h: Vec<HistoryEntry>| h.iter().map(|e| e.empty_layer).collect::<Vec<_>>();
        // ENV, a 100-byte layer, CMD, a 20-byte layer
        let h = history_from_api(&api(&[0, 100, 0, 20]), &[&a, &b]).expect("one reading");
        assert_eq!(empties(h.clone()), [true, false, true, false]);
        assert_eq!(h[1].created_by, "step 100");
        // a layer with no bytes beside an empty entry: which one made it is not known
        let zero = scan(0);
        assert!(history_from_api(&api(&[100, 0, 0]), &[&a, &zero]).is_none());
        // ... but with no empty entry beside it, it is
        let h = history_from_api(&api(&[100, 0, 20]), &[&a, &zero, &b]).expect("one reading");
        assert_eq!(empties(h), [false, false, false]);
        // sizes that fit no reading (another image's layers)
        assert!(history_from_api(&api(&[100, 21]), &[&a, &b]).is_none());
        assert!(history_from_api(&api(&[100]), &[&a, &b]).is_none());
    }

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
