//! Images: the Docker and registry adapter. Build them, measure them wherever they are,
//! read their packages, find their waste, compare two of them.
//!
//! Rooms that do I/O:
//! - `docker/`: the daemon. Its `engine` is the only holder of the bollard client; beside it
//!   `endpoint` (which daemon), `context` (the build context tar), `smoke` and `needs`.
//! - `oci/`: images outside the daemon, in a registry (the Distribution API, over HTTP) or an
//!   OCI layout folder.
//! - `measure/`: the measuring pass over the layers a source streams (the daemon's export, a
//!   `docker save` archive on disk, registry and layout blobs through `oci/`).
//! - `cache`: layer scans kept on disk by diff_id (the user's cache folder).
//!
//! Pure rooms: `packages/` (one reader per package manager, over what the scan kept),
//! `waste` (what does not survive into the final filesystem), `attribute` (history entries
//! to Dockerfile lines), `compare` (head against base, and the verdict) and `source` (how a
//! user names where an image is).

pub mod attribute;
pub mod cache;
pub mod compare;
pub mod docker;
pub mod measure;
pub mod oci;
pub mod packages;
pub mod source;
pub mod waste;

use serde::{Deserialize, Serialize};

pub use waste::TopFile;

/// One measured image. Sizes are bytes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageMeasure {
    /// The tag or reference measured.
    pub reference: String,
    pub id: String,
    /// Uncompressed size, as `docker images` shows it.
    pub size_bytes: u64,
    /// Sum of the gzip-compressed layer sizes: what a pull transfers.
    pub compressed_bytes: u64,
    /// Filesystem layers (empty history entries excluded).
    pub layer_count: usize,
    /// Bytes in layers that do not survive into the final filesystem.
    pub wasted_bytes: u64,
    /// 1.0 when nothing is wasted.
    pub efficiency: f64,
    /// Every history entry, oldest first (empty ones included, marked `empty`).
    pub layers: Vec<Layer>,
    /// The image the shipped stage is built FROM (e.g. `python:3.9`), when known.
    pub from_image: Option<String>,
    /// Its packages, read in the same pass (`measure --packages`; a comparison keeps only
    /// the delta).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packages: Option<packages::Inventory>,
    /// Where the image was read: `daemon`, `registry`, `oci-dir`, `archive`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// `os/architecture[/variant]`, for an image read from a registry, a layout or an archive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// The manifest's digest, for an image read from a registry or a layout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// How a daemon image's layers were read, and why that way: `in-place` (the daemon's own
    /// layer folders, through a helper container), `cache` (every layer and the history known
    /// by digest: nothing read) or `export (<why>)` (the `docker save` stream).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layers_read: Option<String>,
    /// What was not read, and why (foreign layers, `--sizes-only`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl ImageMeasure {
    /// The filesystem layer (0-based, empty history entries not counted) as package
    /// inventories number layers.
    pub fn fs_layer(&self, layer: usize) -> Option<&Layer> {
        self.layers.iter().filter(|l| !l.empty).nth(layer)
    }

    /// The Dockerfile line of a filesystem layer: its instruction's, or for a layer the FROM
    /// image brought, the FROM line.
    pub fn line_of_layer(&self, layer: usize) -> Option<usize> {
        self.fs_layer(layer).and_then(|l| l.line)
    }
}

/// One history entry of an image.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Layer {
    /// The instruction as the builder recorded it.
    pub created_by: String,
    /// Uncompressed size, as `docker history` shows it.
    pub size_bytes: u64,
    pub compressed_bytes: u64,
    /// Bytes of this layer that a later layer overwrites or deletes.
    pub wasted_bytes: u64,
    /// A metadata-only entry (ENV, CMD, …) with no filesystem layer.
    pub empty: bool,
    /// Brought by the FROM image rather than by this Dockerfile.
    pub inherited: bool,
    /// The Dockerfile line of the instruction, where known.
    pub line: Option<usize>,
    /// The stage of that instruction.
    pub stage: Option<String>,
    /// The instruction's first line as written.
    pub instruction: Option<String>,
    /// The largest files the layer adds.
    pub top_files: Vec<TopFile>,
    /// Entries in the layer's tar (files, folders, links, whiteouts), when it was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entries: Option<usize>,
    /// Build-only packages (compilers, headers, SDKs) the layer's RUN installs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub toolchain: Vec<String>,
}
