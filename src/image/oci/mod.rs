//! Images that already exist outside the daemon: in a registry (`registry`), or in an OCI
//! image layout folder (`layout`). Both are a [`Store`] of manifests and blobs; this module
//! reads manifests, indexes and configs from one, picks platforms, and measures each image
//! with the same layer scan the daemon's exports get, so a pulled image and its registry copy
//! measure the same.
//!
//! Every blob is verified while it streams: its bytes against the digest that named it, and a
//! layer's unpacked tar against the config's diff_id. A mismatch is an error, never a number.
//! `compressed_bytes` are the manifest's layer sizes, exactly what a pull transfers.

pub mod auth;
pub mod layout;
pub mod registry;

use std::collections::BTreeMap;
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::sync::Mutex;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::measure::{self, HistoryEntry, ImageConfig, LayerScan};
use super::ImageMeasure;
use crate::reference::DigestError;

/// Manifest media types a request accepts, newest first.
pub const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

/// The most a manifest or config may weigh before it is refused (4 MiB, as distribution does
/// for manifests; configs of images with long histories stay far below).
pub const SMALL_BLOB_LIMIT: u64 = 16 * 1024 * 1024;

/// What went wrong reading an image outside the daemon.
#[derive(Debug, thiserror::Error)]
pub enum OciError {
    /// The tag or digest does not exist where it was looked for.
    #[error("{what} was not found in {place}")]
    NotFound { what: String, place: String },
    /// A 401/403: names the registry and the credential that was tried (never its secret).
    #[error("{registry} refused {what} (HTTP {status}) with {credential}; {advice}")]
    Denied { registry: String, what: String, status: u16, credential: String, advice: String },
    /// Bytes that do not match the digest that named them.
    #[error("{0}")]
    Digest(String),
    /// The registry could not be reached, or the connection broke.
    #[error("{0}")]
    Transport(String),
    #[error("{0}")]
    RateLimited(String),
    /// The credential could not be had (a credential helper that failed).
    #[error("{0}")]
    Credential(String),
    /// Not an image this reads (schema 1, a non-image artifact, bad JSON, a bad layout).
    #[error("{0}")]
    Format(String),
    /// No manifest for the platforms asked for.
    #[error("{0}")]
    Platform(String),
    #[error("{0}")]
    Usage(String),
}

/// Manifests and blobs, wherever they are kept.
pub trait Store: Sync {
    /// Where this store is, for messages (`registry 127.0.0.1:5000`, `OCI layout ./out`).
    fn place(&self) -> String;
    /// A manifest's bytes and, when the store says, its media type.
    fn manifest(&self, target: &str) -> Result<(Vec<u8>, Option<String>), OciError>;
    /// A blob's raw bytes, unverified (the caller verifies them while it reads).
    fn blob(&self, desc: &Descriptor) -> Result<Box<dyn Read + Send + '_>, OciError>;
}

/// A content descriptor, as manifests and indexes list them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    #[serde(default)]
    pub media_type: String,
    pub digest: String,
    pub size: u64,
    #[serde(default)]
    pub urls: Vec<String>,
    #[serde(default)]
    pub platform: Option<Platform>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// An image manifest, or an index / manifest list (then `manifests` is filled).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    #[serde(default)]
    pub schema_version: u32,
    #[serde(default)]
    pub media_type: Option<String>,
    pub config: Option<Descriptor>,
    #[serde(default)]
    pub layers: Vec<Descriptor>,
    #[serde(default)]
    pub manifests: Option<Vec<Descriptor>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Platform {
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub variant: Option<String>,
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = self.variant.as_deref().filter(|v| !v.is_empty()) {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

impl Platform {
    /// `linux/arm64` matches `linux/arm64/v8`; a variant, when written, must be equal.
    pub fn matches(&self, wanted: &str) -> bool {
        let mut parts = wanted.split('/');
        let (os, arch, variant) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next());
        self.os == os && self.architecture == arch && variant.is_none_or(|v| self.variant.as_deref() == Some(v))
    }

    /// BuildKit's attestation manifests say `unknown/unknown`.
    fn is_unknown(&self) -> bool {
        self.os == "unknown" || self.architecture == "unknown"
    }
}

/// Which platforms of an index to read (`--platform`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Platforms {
    /// Every platform the image has (attestations excepted).
    #[default]
    All,
    Only(Vec<String>),
}

impl Platforms {
    pub fn parse(text: &str) -> Result<Platforms, String> {
        let text = text.trim();
        if text.is_empty() || text == "all" {
            return Ok(Platforms::All);
        }
        let list: Vec<String> = text.split(',').map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect();
        for p in &list {
            let n = p.split('/').count();
            if !(2..=3).contains(&n) || p.split('/').any(str::is_empty) {
                return Err(format!(
                    "`{p}` is not a platform: write OS/ARCH[/VARIANT], e.g. linux/amd64 or linux/arm64/v8"
                ));
            }
        }
        Ok(Platforms::Only(list))
    }

    fn wants(&self, p: &Platform) -> bool {
        match self {
            Platforms::All => true,
            Platforms::Only(list) => list.iter().any(|w| p.matches(w)),
        }
    }
}

/// One image manifest, ready to measure.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub platform: String,
    /// It came from an index (so reports name its platform).
    pub from_index: bool,
    /// The manifest's digest.
    pub digest: String,
    /// The config's digest: the image ID, as the daemon names it.
    pub config_digest: String,
    history: Vec<HistoryEntry>,
    diff_ids: Vec<String>,
    pub layers: Vec<Descriptor>,
}

/// `sha256:` of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    measure::digest_of(Sha256::new_with_prefix(bytes))
}

fn is_index(m: &Manifest, media_type: Option<&str>) -> bool {
    m.manifests.is_some()
        || matches!(
            m.media_type.as_deref().or(media_type),
            Some(
                "application/vnd.oci.image.index.v1+json" | "application/vnd.docker.distribution.manifest.list.v2+json"
            )
        )
}

fn parse_manifest(bytes: &[u8], what: &str) -> Result<Manifest, OciError> {
    let m: Manifest =
        serde_json::from_slice(bytes).map_err(|e| OciError::Format(format!("{what} is not a manifest: {e}")))?;
    if m.schema_version == 1 {
        return Err(OciError::Format(format!(
            "{what} is a schema 1 manifest (Docker before 1.10); push the image again with a current Docker"
        )));
    }
    Ok(m)
}

/// A manifest by tag or digest, its digest checked when it was asked for by digest.
fn fetch_manifest(store: &dyn Store, target: &str) -> Result<(Manifest, Option<String>, String), OciError> {
    let (bytes, media_type) = store.manifest(target)?;
    let digest = sha256(&bytes);
    if target.starts_with("sha256:") && digest != target {
        return Err(OciError::Digest(format!(
            "{} sent a manifest for {target} whose bytes hash to {digest}; refusing it",
            store.place()
        )));
    }
    let m = parse_manifest(&bytes, &format!("{target} in {}", store.place()))?;
    Ok((m, media_type, digest))
}

/// A small blob (a config), read whole and verified.
fn small_blob(store: &dyn Store, desc: &Descriptor) -> Result<Vec<u8>, OciError> {
    if desc.size > SMALL_BLOB_LIMIT {
        return Err(OciError::Format(format!(
            "the config {} is {} bytes; refusing to read it",
            desc.digest, desc.size
        )));
    }
    let mut v = Verify::new(store.blob(desc)?, &desc.digest, desc.size);
    let mut bytes = Vec::with_capacity(desc.size as usize);
    read_verified(&mut v, |r| r.read_to_end(&mut bytes).map(|_| ()), store, desc)?;
    Ok(bytes)
}

/// Resolve `target` to one image manifest per wanted platform. An index's attestation
/// manifests (`unknown/unknown`) are skipped.
pub fn resolve(store: &dyn Store, target: &str, platforms: &Platforms) -> Result<Vec<Resolved>, OciError> {
    let (m, media_type, digest) = fetch_manifest(store, target)?;
    if !is_index(&m, media_type.as_deref()) {
        let r = image(store, m, digest, false)?;
        return match platforms {
            Platforms::Only(list) if !list.iter().any(|w| platform_of(&r).matches(w)) => {
                Err(OciError::Platform(format!(
                    "{target} in {} is a single-platform image for {}, not {}",
                    store.place(),
                    r.platform,
                    list.join(", ")
                )))
            }
            _ => Ok(vec![r]),
        };
    }
    let entries: Vec<&Descriptor> = m
        .manifests
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter(|d| d.annotations.get("vnd.docker.reference.type").map(String::as_str) != Some("attestation-manifest"))
        .filter(|d| !d.platform.as_ref().is_some_and(Platform::is_unknown))
        .collect();
    let chosen: Vec<&Descriptor> =
        entries.iter().copied().filter(|d| d.platform.as_ref().is_none_or(|p| platforms.wants(p))).collect();
    if chosen.is_empty() {
        let have: Vec<String> = entries.iter().filter_map(|d| d.platform.as_ref().map(|p| p.to_string())).collect();
        return Err(OciError::Platform(format!(
            "{target} in {} has no manifest for {}; it has {}",
            store.place(),
            match platforms {
                Platforms::All => "any platform".to_owned(),
                Platforms::Only(l) => l.join(", "),
            },
            if have.is_empty() { "none".to_owned() } else { have.join(", ") }
        )));
    }
    let mut out = Vec::new();
    for d in chosen {
        checked_digest(store, &format!("the manifest for {}", platform_name(d)), &d.digest)?;
        let (inner, _, digest) = fetch_manifest(store, &d.digest)?;
        if is_index(&inner, None) {
            return Err(OciError::Format(format!("{} in {} nests an index inside an index", d.digest, store.place())));
        }
        out.push(image(store, inner, digest, true)?);
    }
    Ok(out)
}

fn platform_name(d: &Descriptor) -> String {
    d.platform.as_ref().map(Platform::to_string).unwrap_or_else(|| "an unnamed platform".into())
}

/// Check the digest a manifest names content by before that content is read: shiplight
/// verifies what it reads, and it verifies SHA-256 only, so another algorithm is refused
/// rather than read unverified.
fn checked_digest(store: &dyn Store, what: &str, digest: &str) -> Result<(), OciError> {
    crate::reference::check_digest(digest).map_err(|e| match e {
        DigestError::Unsupported { algorithm, .. } => OciError::Format(format!(
            "{what} in {} is named by a {algorithm} digest (`{digest}`), and shiplight verifies sha256 digests only, so it reads nothing of it; push the image with sha256 digests (the default of Docker, BuildKit and registries)",
            store.place()
        )),
        DigestError::Malformed(_) => OciError::Format(format!(
            "{what} in {} is named by `{digest}`, which is not a digest (sha256: and 64 hex digits); the manifest is damaged",
            store.place()
        )),
    })
}

fn platform_of(r: &Resolved) -> Platform {
    let mut parts = r.platform.split('/');
    Platform {
        os: parts.next().unwrap_or("").to_owned(),
        architecture: parts.next().unwrap_or("").to_owned(),
        variant: parts.next().map(str::to_owned),
    }
}

fn image(store: &dyn Store, m: Manifest, digest: String, from_index: bool) -> Result<Resolved, OciError> {
    let config_desc = m.config.ok_or_else(|| {
        OciError::Format(format!("the manifest {digest} in {} has no config: it is not an image", store.place()))
    })?;
    if !config_desc.media_type.is_empty()
        && !config_desc.media_type.contains("container.image")
        && !config_desc.media_type.contains("image.config")
    {
        return Err(OciError::Format(format!(
            "the manifest {digest} in {} is an artifact of type {}, not a container image",
            store.place(),
            config_desc.media_type
        )));
    }
    checked_digest(store, &format!("the config of manifest {digest}"), &config_desc.digest)?;
    for (i, layer) in m.layers.iter().enumerate() {
        checked_digest(store, &format!("layer {} of manifest {digest}", i + 1), &layer.digest)?;
    }
    let bytes = small_blob(store, &config_desc)?;
    let config: ImageConfig = serde_json::from_slice(&bytes)
        .map_err(|e| OciError::Format(format!("the config {} is not an image config: {e}", config_desc.digest)))?;
    let platform = Platform { os: config.os, architecture: config.architecture, variant: config.variant }.to_string();
    Ok(Resolved {
        platform,
        from_index,
        digest,
        config_digest: config_desc.digest,
        history: config.history,
        diff_ids: config.rootfs.diff_ids,
        layers: m.layers,
    })
}

/// A layer whose bytes are not in the registry (Windows base layers) or may not be copied.
fn is_foreign(d: &Descriptor) -> bool {
    d.media_type.contains("foreign") || d.media_type.contains("nondistributable") || !d.urls.is_empty()
}

/// Measure one resolved image. `sizes_only` reads no layer: sizes come from the manifest.
/// Layers the scan cache knows (by diff_id) are not fetched; the rest are fetched in parallel.
pub fn measure(store: &dyn Store, r: &Resolved, reference: &str, sizes_only: bool) -> Result<ImageMeasure, OciError> {
    if r.diff_ids.len() != r.layers.len() {
        return Err(OciError::Format(format!(
            "{reference}: the manifest lists {} layers but its config {} lists {}",
            r.layers.len(),
            r.config_digest,
            r.diff_ids.len()
        )));
    }
    let mut notes = Vec::new();
    let mut scans: Vec<Option<LayerScan>> = vec![None; r.layers.len()];
    let mut wanted = Vec::new();
    for (i, (d, diff_id)) in r.layers.iter().zip(&r.diff_ids).enumerate() {
        if sizes_only {
            continue;
        }
        if is_foreign(d) {
            notes.push(format!(
                "layer {} ({}, {} bytes, {}) is foreign: the registry does not hold its bytes, so its files are not read",
                i + 1,
                d.digest,
                d.size,
                d.media_type
            ));
        } else if let Some(s) = measure::cached_layer(diff_id, false) {
            scans[i] = Some(s);
        } else {
            wanted.push(i);
        }
    }
    if sizes_only {
        notes.push("sizes only: compressed sizes from the manifest; no layer was read".into());
    }
    fetch_layers(store, r, &wanted, &mut scans)?;
    let history = measure::fit_history(r.history.clone(), r.layers.len());
    let refs: Vec<Option<&LayerScan>> = scans.iter().map(Option::as_ref).collect();
    let empty = LayerScan::default();
    let read: Vec<&LayerScan> = refs.iter().map(|s| s.unwrap_or(&empty)).collect();
    let sizes = measure::history_sizes(&history, &read);
    let compressed: Vec<u64> = r.layers.iter().map(|d| d.size).collect();
    let mut m = measure::assemble(reference, &r.config_digest, &history, &refs, &compressed, &sizes);
    m.platform = Some(r.platform.clone());
    m.digest = Some(r.digest.clone());
    m.notes = notes;
    Ok(m)
}

/// Fetch and scan the layers `wanted` names, a few at a time, and keep their scans.
fn fetch_layers(
    store: &dyn Store,
    r: &Resolved,
    wanted: &[usize],
    scans: &mut [Option<LayerScan>],
) -> Result<(), OciError> {
    let queue = Mutex::new(wanted.iter().copied());
    let results = Mutex::new(Vec::new());
    let workers =
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).clamp(2, 4).min(wanted.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let Some(i) = queue.lock().ok().and_then(|mut q| q.next()) else { return };
                let result = scan_blob(store, &r.layers[i], &r.diff_ids[i]);
                let failed = result.is_err();
                if let Ok(mut out) = results.lock() {
                    out.push((i, result));
                }
                if failed {
                    // stop taking work: the first failure is what is reported
                    if let Ok(mut q) = queue.lock() {
                        for _ in q.by_ref() {}
                    }
                    return;
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|(i, _)| *i);
    for (i, result) in results {
        let scan = result?;
        super::cache::store("layers", &scan.diff_id, &scan);
        scans[i] = Some(scan);
    }
    Ok(())
}

/// Stream one layer blob once: verify its digest, unpack it (gzip, zstd or none, told by its
/// first bytes), scan the tar and check it against the config's diff_id.
fn scan_blob(store: &dyn Store, desc: &Descriptor, diff_id: &str) -> Result<LayerScan, OciError> {
    let mut v = Verify::new(store.blob(desc)?, &desc.digest, desc.size);
    let scan = read_verified(
        &mut v,
        |raw| {
            let mut buf = BufReader::with_capacity(256 * 1024, raw);
            let head = buf.fill_buf()?.get(..4).map(<[u8]>::to_vec).unwrap_or_default();
            if head.starts_with(&[0x1f, 0x8b]) {
                measure::scan_layer(flate2::bufread::MultiGzDecoder::new(buf), false)
            } else if head == [0x28, 0xb5, 0x2f, 0xfd] {
                measure::scan_layer(ZstdFrames::new(buf), false)
            } else {
                measure::scan_layer(buf, false)
            }
        },
        store,
        desc,
    )?;
    if scan.diff_id != diff_id {
        return Err(OciError::Digest(format!(
            "layer {} in {} unpacks to {}, but the image config says {diff_id}; refusing it",
            desc.digest,
            store.place(),
            scan.diff_id
        )));
    }
    Ok(scan)
}

/// Run `read` over the verifying reader, drain what it left, check the digest, and say
/// which of transport, digest or format went wrong.
fn read_verified<T>(
    v: &mut Verify<'_>,
    read: impl FnOnce(&mut dyn Read) -> std::io::Result<T>,
    store: &dyn Store,
    desc: &Descriptor,
) -> Result<T, OciError> {
    let result = read(v).and_then(|t| std::io::copy(v, &mut std::io::sink()).map(|_| t));
    if result.is_err() && v.failed.is_none() {
        // an unpacking error may come from bytes that are not the blob's: read on to the end,
        // so the digest says so when it is that
        let _ = std::io::copy(v, &mut std::io::sink());
    }
    if v.read < desc.size {
        let why = match &result {
            Err(e) if v.failed.is_none() => e.to_string(),
            _ => "the connection closed".into(),
        };
        return Err(OciError::Transport(format!(
            "lost {} while reading blob {} after {} of {} bytes: {why}",
            store.place(),
            desc.digest,
            v.read,
            desc.size
        )));
    }
    if let Some(why) = v.failed.take() {
        return Err(OciError::Digest(format!("{}: {why}; refusing it", store.place())));
    }
    match result {
        Ok(t) => Ok(t),
        Err(e) => Err(OciError::Format(format!("blob {} in {} cannot be unpacked: {e}", desc.digest, store.place()))),
    }
}

/// A reader that checks, at its end, that the bytes were `size` long and hash to `digest`.
pub struct Verify<'a> {
    inner: Box<dyn Read + Send + 'a>,
    sha: Option<Sha256>,
    digest: String,
    size: u64,
    pub read: u64,
    /// Why the bytes were refused, once they were.
    pub failed: Option<String>,
}

impl<'a> Verify<'a> {
    pub fn new(inner: Box<dyn Read + Send + 'a>, digest: &str, size: u64) -> Verify<'a> {
        Verify { inner, sha: Some(Sha256::new()), digest: digest.to_owned(), size, read: 0, failed: None }
    }
}

impl Read for Verify<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.size {
            self.failed =
                Some(format!("blob {} is longer than the {} bytes its descriptor says", self.digest, self.size));
        }
        match (n, self.sha.take()) {
            (0, Some(sha)) => {
                let got = measure::digest_of(sha);
                if self.read != self.size {
                    self.failed = Some(format!(
                        "blob {} ended after {} of the {} bytes its descriptor says",
                        self.digest, self.read, self.size
                    ));
                } else if got != self.digest {
                    self.failed = Some(format!("blob {} has bytes that hash to {got}", self.digest));
                }
            }
            (_, Some(mut sha)) => {
                sha.update(&buf[..n]);
                self.sha = Some(sha);
            }
            (_, None) => {}
        }
        if let Some(why) = &self.failed {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, why.clone()));
        }
        Ok(n)
    }
}

/// A zstd stream of one or more frames.
pub(crate) struct ZstdFrames<R: BufRead> {
    decoder: Option<ruzstd::decoding::StreamingDecoder<R, ruzstd::decoding::FrameDecoder>>,
}

impl<R: BufRead> ZstdFrames<R> {
    pub(crate) fn new(source: R) -> ZstdFrames<R> {
        ZstdFrames {
            decoder: Some(ruzstd::decoding::StreamingDecoder::new(source).map_err(|e| e.to_string()).ok()).flatten(),
        }
    }
}

impl<R: BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let Some(d) = self.decoder.as_mut() else {
                return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "not a zstd frame"));
            };
            let n = d.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            // the frame ended: another may follow
            let Some(d) = self.decoder.take() else { return Ok(0) };
            let mut source = d.into_inner();
            if source.fill_buf()?.is_empty() {
                return Ok(0);
            }
            self.decoder = Some(
                ruzstd::decoding::StreamingDecoder::new(source)
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))?,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms() {
        assert_eq!(Platforms::parse("all").unwrap(), Platforms::All);
        assert_eq!(
            Platforms::parse("linux/amd64, linux/arm64/v8").unwrap(),
            Platforms::Only(vec!["linux/amd64".into(), "linux/arm64/v8".into()])
        );
        assert!(Platforms::parse("amd64").unwrap_err().contains("OS/ARCH"));
        let arm = Platform { os: "linux".into(), architecture: "arm64".into(), variant: Some("v8".into()) };
        assert!(arm.matches("linux/arm64") && arm.matches("linux/arm64/v8") && !arm.matches("linux/arm64/v7"));
        assert_eq!(arm.to_string(), "linux/arm64/v8");
    }

    /// Manifests and blobs in memory.
    struct Memory(Vec<(String, Vec<u8>)>, Vec<u8>);

    impl Store for Memory {
        fn place(&self) -> String {
            "memory".into()
        }
        fn manifest(&self, _: &str) -> Result<(Vec<u8>, Option<String>), OciError> {
            Ok((self.1.clone(), None))
        }
        fn blob(&self, d: &Descriptor) -> Result<Box<dyn Read + Send + '_>, OciError> {
            let b = self.0.iter().find(|(k, _)| *k == d.digest).map(|(_, b)| b.as_slice());
            b.map(|b| Box::new(b) as Box<dyn Read + Send>)
                .ok_or_else(|| OciError::NotFound { what: d.digest.clone(), place: self.place() })
        }
    }

    #[test]
    fn a_foreign_layer_is_noted_and_not_fetched() {
        // the layer this reads is cached: in a folder of the test's, not the user's cache
        let cache = tempfile::tempdir().unwrap();
        crate::image::cache::set_dir(cache.path().to_owned());
        let mut tar = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_ustar();
        h.set_size(5);
        h.set_cksum();
        tar.append_data(&mut h, "app/x", &b"hello"[..]).unwrap();
        let tar = tar.into_inner().unwrap();
        let foreign_diff = format!("sha256:{}", "f".repeat(64));
        let config = serde_json::json!({"os": "windows", "architecture": "amd64",
            "rootfs": {"diff_ids": [foreign_diff, sha256(&tar)]},
            "history": [{"created_by": "base"}, {"created_by": "COPY x"}]})
        .to_string();
        let manifest = serde_json::json!({"schemaVersion": 2, "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "digest": sha256(config.as_bytes()), "size": config.len()},
            "layers": [
                {"mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", "digest": format!("sha256:{}", "e".repeat(64)), "size": 1_000_000_000u64, "urls": ["https://example.invalid/base"]},
                {"mediaType": "application/vnd.docker.image.rootfs.diff.tar", "digest": sha256(&tar), "size": tar.len()}]})
        .to_string();
        let store = Memory(
            vec![(sha256(config.as_bytes()), config.into_bytes()), (sha256(&tar), tar.clone())],
            manifest.into_bytes(),
        );
        let r = resolve(&store, "t", &Platforms::All).unwrap();
        assert_eq!(r[0].platform, "windows/amd64");
        let m = measure(&store, &r[0], "t", false).unwrap();
        assert_eq!(m.compressed_bytes, 1_000_000_000 + tar.len() as u64, "the manifest's sizes, the foreign one too");
        assert_eq!(m.size_bytes, 5, "only the layer that was read");
        assert!(m.notes[0].contains("is foreign") && m.notes[0].contains("layer 1"), "{:?}", m.notes);
        assert_eq!(m.layers[1].entries, Some(1));
    }

    /// A manifest naming a layer by a digest shiplight cannot verify is refused before any
    /// of it is read, saying which layer, which algorithm and what to do.
    #[test]
    fn a_layer_named_by_another_digest_algorithm_is_refused_clearly() {
        let config = serde_json::json!({"os": "linux", "architecture": "amd64",
            "rootfs": {"diff_ids": [format!("sha256:{}", "d".repeat(64))]}, "history": [{"created_by": "COPY x"}]})
        .to_string();
        let sha512 = format!("sha512:{}", "a".repeat(128));
        let manifest = serde_json::json!({"schemaVersion": 2,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha256(config.as_bytes()), "size": config.len()},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": sha512, "size": 10}]})
        .to_string();
        let store = Memory(vec![(sha256(config.as_bytes()), config.into_bytes())], manifest.into_bytes());
        let e = resolve(&store, "t", &Platforms::All).unwrap_err().to_string();
        assert!(e.contains("layer 1 of manifest sha256:") && e.contains("in memory"), "{e}");
        assert!(e.contains(&format!("a sha512 digest (`{sha512}`)")) && e.contains("sha256 digests only"), "{e}");
        assert!(e.contains("push the image with sha256 digests"), "{e}");
    }

    #[test]
    fn verify_refuses_wrong_bytes_and_lengths() {
        let good = sha256(b"hello");
        let mut out = Vec::new();
        let mut v = Verify::new(Box::new(&b"hello"[..]), &good, 5);
        v.read_to_end(&mut out).unwrap();
        assert!(v.failed.is_none());
        let mut v = Verify::new(Box::new(&b"hellO"[..]), &good, 5);
        assert!(v.read_to_end(&mut out).is_err());
        assert!(v.failed.as_deref().unwrap().contains("hash to"));
        let mut v = Verify::new(Box::new(&b"hell"[..]), &good, 5);
        assert!(v.read_to_end(&mut out).is_err());
        assert!(v.failed.as_deref().unwrap().contains("ended after 4 of the 5"));
    }
}
