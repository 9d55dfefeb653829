//! Layers read where the daemon keeps them, not through `docker save`.
//!
//! An overlay2 daemon keeps each layer unpacked in a folder its image's `GraphDriver` names
//! (`UpperDir`, then `LowerDir` top to bottom), and beside it, in its layer database, the
//! layer's tar-split (`layerdir.rs` says what that holds). shiplight may run where those
//! folders are not visible (the Action's container has only the socket; a remote
//! `DOCKER_HOST`), so the daemon itself reads them: a short-lived helper container, started
//! from an image holding only shiplight's own static binary, bind-mounts the layer folders,
//! the layer database entries and the image config read-only, and prints the scans
//! (`shiplight layer-scan`). The helper has no network, a read-only root, no new privileges,
//! and one capability, CAP_DAC_READ_SEARCH, to read files and folders whatever their mode
//! (`/root`, `/etc/shadow` are in most layers); whiteouts and opaque folders come from the
//! recorded tar headers, so no CAP_SYS_ADMIN (for `trusted.overlay.*` xattrs) is needed.
//!
//! The helper's binary: `SHIPLIGHT_HELPER_BIN` when set, else the running executable when it
//! is statically linked (the release binary and the Action image's are). It is imported as
//! an image named by its SHA-256 (`shiplight-helper:<hash>`, labelled as shiplight's), once
//! per daemon and binary.
//!
//! containerd's image store is not read in place. Its snapshotter's folders hold the layers
//! unpacked, but the Engine API does not name them (`GraphDriver` has no data), only
//! containerd's gRPC API and its bbolt metadata map a layer's chain ID to a snapshot folder,
//! and nothing like overlay2's tar-split is kept to give back each layer's tar (its diff_id,
//! its size) byte for byte. Its export is cheap instead: `docker save` streams the content
//! store's blobs as they are, compressed, so `export` reads each layer's exact compressed
//! size from its blob and gzips nothing.
//!
//! Anything else (another storage driver, containerd's image store, a dynamically linked
//! binary, a refused bind mount, a failing helper, an answer that does not match the
//! daemon's diff_ids) is an `Err` saying why, and the caller reads the export instead.

use std::collections::HashMap;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bollard::models::{ContainerCreateBody, HostConfig, Mount, MountType};
use sha2::{Digest, Sha256};

use super::layerdir::HelperOutput;
use super::scan::{digest_of, LayerScan};
use super::{fit_history, HistoryEntry, ImageConfig};
use crate::image::docker::engine::Engine;

/// The capability the helper keeps (every other is dropped).
pub const HELPER_CAPABILITY: &str = "CAP_DAC_READ_SEARCH";

/// What the in-place read gives: the image's history (from its stored config) and the scans
/// of the layers asked for, in the order asked.
pub(crate) struct InPlace {
    pub history: Vec<HistoryEntry>,
    pub scans: Vec<LayerScan>,
}

/// Read `image`'s config and the layers at `want` (indexes into `diff_ids`, bottom first)
/// through a helper container; `Err` says why it could not be done.
pub(crate) async fn read(
    engine: &Engine,
    image: &str,
    id: &str,
    diff_ids: &[String],
    want: &[usize],
    compressed: bool,
) -> Result<InPlace, String> {
    let binary = helper_binary()?;
    let (driver, data) = engine.layer_storage(image).await.map_err(|e| e.to_string())?;
    let (root, containerd) = engine.root_dir().await.map_err(|e| e.to_string())?;
    if containerd {
        return Err(format!("the daemon keeps images in containerd's image store (snapshotter `{driver}`): the Engine API names no layer folders, containerd's own API and metadata database alone map layers to snapshots, and no tar-split gives back their tars byte for byte; the export streams the content store's compressed blobs, whose sizes are exact"));
    }
    if driver != "overlay2" {
        return Err(format!("the daemon's storage driver is `{driver}`; layers are read in place on overlay2 only"));
    }
    let dirs = layer_dirs(&data)?;
    if dirs.len() != diff_ids.len() {
        return Err(format!(
            "GraphDriver names {} layer folders for the image's {} layers",
            dirs.len(),
            diff_ids.len()
        ));
    }
    let id_hex = hex_of(id).ok_or_else(|| format!("the image ID `{id}` is not a sha256 digest"))?;
    let chains = chain_ids(diff_ids)?;
    let tag = helper_image(engine, &binary).await?;

    let db = format!("{}/image/overlay2", root.trim_end_matches('/'));
    let bind = |source: String, target: String| Mount {
        source: Some(source),
        target: Some(target),
        typ: Some(MountType::BIND),
        read_only: Some(true),
        ..Default::default()
    };
    let mut mounts = vec![bind(format!("{db}/imagedb/content/sha256/{id_hex}"), "/in/config".into())];
    let mut cmd = vec!["layer-scan".to_owned(), "--config".into(), "/in/config".into()];
    for (k, &i) in want.iter().enumerate() {
        let (dir, chain) = dirs.get(i).zip(chains.get(i)).ok_or_else(|| format!("no layer {i}"))?;
        mounts.push(bind(format!("{db}/layerdb/sha256/{chain}"), format!("/in/{k}/meta")));
        mounts.push(bind(dir.clone(), format!("/in/{k}/diff")));
        cmd.extend(["--layer".to_owned(), format!("/in/{k}")]);
    }
    if compressed {
        cmd.push("--compressed".into());
    }
    let body = ContainerCreateBody {
        image: Some(tag.clone()),
        entrypoint: Some(vec!["/shiplight".into()]),
        cmd: Some(cmd),
        user: Some("0:0".into()),
        network_disabled: Some(true),
        host_config: Some(HostConfig {
            mounts: Some(mounts),
            network_mode: Some("none".into()),
            cap_drop: Some(vec!["ALL".into()]),
            cap_add: Some(vec![HELPER_CAPABILITY.into()]),
            readonly_rootfs: Some(true),
            security_opt: Some(vec!["no-new-privileges".into()]),
            ..Default::default()
        }),
        ..Default::default()
    };
    let (code, out, err) = engine
        .run_to_end(body, Duration::from_secs(3600))
        .await
        .map_err(|e| format!("the helper container could not run: {e}"))?;
    if code != 0 {
        let tail: String =
            err.trim().lines().rev().take(3).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join(" / ");
        return Err(format!("the helper container ({tag}) failed with exit code {code}: {tail}"));
    }
    let answer: HelperOutput =
        serde_json::from_slice(&out).map_err(|e| format!("the helper's answer is not a layer scan: {e}"))?;
    if answer.layers.len() != want.len() {
        return Err(format!("the helper scanned {} layers of the {} asked", answer.layers.len(), want.len()));
    }
    let mut scans = Vec::with_capacity(want.len());
    for (layer, &i) in answer.layers.into_iter().zip(want) {
        if layer.scan.diff_id != diff_ids[i] {
            return Err(format!(
                "layer {i}: the layer database holds {}, the image lists {}",
                layer.scan.diff_id, diff_ids[i]
            ));
        }
        let folder = Path::new(&dirs[i]).parent().and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned());
        if folder.as_deref() != Some(layer.cache_id.as_str()) {
            return Err(format!(
                "layer {i}: the layer database names folder {}, GraphDriver {}",
                layer.cache_id, dirs[i]
            ));
        }
        scans.push(layer.scan);
    }
    let config: ImageConfig = serde_json::from_str(answer.config.as_deref().unwrap_or_default())
        .map_err(|e| format!("the image config the helper read: {e}"))?;
    Ok(InPlace { history: fit_history(config.history, diff_ids.len()), scans })
}

/// The layer folders (`…/diff`) bottom first, from overlay2's `GraphDriver` data.
fn layer_dirs(data: &HashMap<String, String>) -> Result<Vec<String>, String> {
    let upper = data.get("UpperDir").filter(|u| !u.is_empty()).ok_or("GraphDriver names no UpperDir")?;
    let mut dirs: Vec<String> = data
        .get("LowerDir")
        .map(|l| l.split(':').filter(|d| !d.is_empty()).rev().map(str::to_owned).collect())
        .unwrap_or_default();
    dirs.push(upper.clone());
    if let Some(odd) = dirs.iter().find(|d| !d.starts_with('/') || !d.ends_with("/diff")) {
        return Err(format!("GraphDriver names `{odd}`, not an overlay2 layer folder"));
    }
    Ok(dirs)
}

/// The layer database's names for each layer: its chain ID's hex (the first layer's is its
/// diff_id; each next one is the SHA-256 of `<previous chain ID> <diff_id>`).
fn chain_ids(diff_ids: &[String]) -> Result<Vec<String>, String> {
    let mut chains: Vec<String> = Vec::with_capacity(diff_ids.len());
    for d in diff_ids {
        hex_of(d).ok_or_else(|| format!("the diff_id `{d}` is not a sha256 digest"))?;
        let chain = match chains.last() {
            None => d.clone(),
            Some(prev) => digest_of(Sha256::new_with_prefix(format!("sha256:{prev} {d}"))),
        };
        chains.push(hex_of(&chain).unwrap_or_default().to_owned());
    }
    Ok(chains)
}

fn hex_of(digest: &str) -> Option<&str> {
    digest.strip_prefix("sha256:").filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The static binary the helper runs.
fn helper_binary() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("SHIPLIGHT_HELPER_BIN").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the running shiplight binary: {e}"))?;
    match is_static(&exe) {
        Ok(true) => Ok(exe),
        Ok(false) => Err(format!(
            "{} is dynamically linked, and the helper container has no C library; the release binary (static) reads layers in place, as does a build for x86_64-unknown-linux-musl named in SHIPLIGHT_HELPER_BIN",
            exe.display()
        )),
        Err(e) => Err(format!("{}: {e}", exe.display())),
    }
}

/// Whether an ELF executable has no program interpreter (is statically linked).
fn is_static(path: &Path) -> std::io::Result<bool> {
    let f = std::fs::File::open(path)?;
    let mut head = [0u8; 64];
    f.read_exact_at(&mut head, 0)?;
    if &head[..4] != b"\x7fELF" || head[4] != 2 || head[5] != 1 {
        return Ok(false); // not a 64-bit little-endian ELF: not something the helper can run
    }
    let u16_at = |o: usize| u16::from_le_bytes([head[o], head[o + 1]]) as u64;
    let phoff = u64::from_le_bytes(head[32..40].try_into().unwrap_or_default());
    let (phentsize, phnum) = (u16_at(54), u16_at(56));
    for k in 0..phnum {
        let mut ty = [0u8; 4];
        f.read_exact_at(&mut ty, phoff + k * phentsize)?;
        if u32::from_le_bytes(ty) == 3 {
            return Ok(false); // PT_INTERP
        }
    }
    Ok(true)
}

/// The helper image for this binary, imported unless the daemon has it.
async fn helper_image(engine: &Engine, path: &Path) -> Result<String, String> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| format!("the helper binary {}: {e}", path.display()))?;
    let hash = digest_of(Sha256::new_with_prefix(&bytes));
    let tag = format!("{}:{}", HELPER_REPO, &hash[7..23]);
    if engine.exists(&tag).await {
        return Ok(tag);
    }
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(bytes.len() as u64);
    h.set_mode(0o755);
    h.set_cksum();
    b.append_data(&mut h, "shiplight", &bytes[..]).map_err(|e| e.to_string())?;
    let rootfs = b.into_inner().map_err(|e| e.to_string())?;
    let (repo, version) = tag.split_once(':').unwrap_or((HELPER_REPO, "latest"));
    engine
        .import_rootfs(rootfs.into(), repo, version, &["ENTRYPOINT [\"/shiplight\"]"])
        .await
        .map_err(|e| format!("importing the helper image: {e}"))?;
    Ok(tag)
}

/// The helper images' repository name.
pub const HELPER_REPO: &str = "shiplight-helper";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlay2_folders_and_chain_ids() {
        let data = HashMap::from([
            ("UpperDir".to_owned(), "/var/lib/docker/overlay2/c/diff".to_owned()),
            ("LowerDir".to_owned(), "/var/lib/docker/overlay2/b/diff:/var/lib/docker/overlay2/a/diff".to_owned()),
        ]);
        assert_eq!(
            layer_dirs(&data).unwrap(),
            ["/var/lib/docker/overlay2/a/diff", "/var/lib/docker/overlay2/b/diff", "/var/lib/docker/overlay2/c/diff"]
        );
        let e = layer_dirs(&HashMap::from([("UpperDir".to_owned(), "/snapshots/1/fs".to_owned())])).unwrap_err();
        assert!(e.contains("not an overlay2 layer folder"), "{e}");
        assert!(layer_dirs(&HashMap::new()).unwrap_err().contains("no UpperDir"));

        let a = format!("sha256:{}", "a".repeat(64));
        let b = format!("sha256:{}", "b".repeat(64));
        let chains = chain_ids(&[a.clone(), b.clone()]).unwrap();
        assert_eq!(chains[0], "a".repeat(64));
        assert_eq!(chains[1], hex_of(&digest_of(Sha256::new_with_prefix(format!("{a} {b}")))).unwrap());
        assert!(chain_ids(&["sha256:../x".to_owned()]).unwrap_err().contains("not a sha256 digest"));
    }

    #[test]
    fn a_static_binary_is_told_from_a_dynamic_one() {
        // the test binary itself is dynamically linked (glibc)
        let me = std::env::current_exe().unwrap();
        assert!(!is_static(&me).unwrap());
        if let Some(busybox) = ["/bin/busybox", "/usr/bin/busybox"].into_iter().find(|p| Path::new(p).is_file()) {
            assert!(is_static(Path::new(busybox)).unwrap(), "Debian's busybox-static");
        }
    }
}
