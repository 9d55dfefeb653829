//! Measure an image: its size as `docker images` shows it, its compressed size (each layer
//! gzip-compressed, what a pull costs), its layers with the instruction and Dockerfile line
//! that made them, its waste and its packages.
//!
//! One value per layer, whatever the layer's source: [`scan::LayerScan`], made by
//! [`scan::scan_layer`] from the layer's tar as it streams past, and kept by diff_id in the
//! scan cache. This module holds what every source shares (the image config's parts that are
//! read, and [`assemble`], which makes one [`ImageMeasure`] from a history and its layers'
//! scans); each source has its own room:
//!
//! - `export`: the daemon's `docker save` stream, and a `docker save` archive on disk. Every
//!   layer tar inside is fed to a worker thread that scans it (one per core); no layer is held
//!   in memory or unpacked to disk. Both the legacy layout (`<id>/layer.tar`, `manifest.json`
//!   last) and the OCI layout (`blobs/sha256/…`) are read; the OCI layout's layers may be
//!   compressed blobs (gzip or zstd: the containerd image store exports them so), whose
//!   exact sizes are then the compressed sizes, with no gzip estimate.
//! - `image/oci/` (beside this folder): registry blobs and OCI layout folders, verified as
//!   they stream, scanned the same way.
//!
//! and the machinery they use: `scan` (one layer tar: hash, sizes, files, package
//! databases), `gzip` (the parallel gzip estimate of a layer's compressed size) and `io` (the
//! readers between the async export stream, the workers and their spool files).
//! - `inplace`: the daemon's own layer folders (overlay2), read by a helper container the
//!   daemon starts, which runs `layerdir` (`shiplight layer-scan`): the same `LayerScan`s as
//!   the export's, field by field, without the export. `export` falls back to the stream
//!   when the layers cannot be read in place, and says why.

mod export;
mod gzip;
mod inplace;
mod io;
mod layerdir;
pub(crate) mod scan;

use serde::Deserialize;

use super::cache;
use super::packages::{self as inventories, Captured};
use super::waste::{self, Entry};
use super::{attribute, ImageMeasure, Layer};
use crate::dockerfile::{packages, Dockerfile, Graph};

pub(crate) use export::measure_archive;
pub use export::{measure, measure_with};
pub use inplace::{HELPER_CAPABILITY, HELPER_REPO};
pub use layerdir::helper_main;
pub(crate) use scan::{digest_of, scan_layer, LayerScan};

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

/// A cached scan of `diff_id` with at least what is asked for (the gzip size when `compressed`).
pub(crate) fn cached_layer(diff_id: &str, compressed: bool) -> Option<LayerScan> {
    let scan: LayerScan = cache::load("layers", diff_id)?;
    (scan.diff_id == diff_id && (scan.gzipped || !compressed)).then_some(scan)
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
