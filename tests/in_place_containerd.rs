//! The containerd image store: Engine 26.1.5 with `"features": {"containerd-snapshotter":
//! true}`, which scripts/dockerd-containerd.sh runs beside the other two daemons and
//! scripts/test names in SHIPLIGHT_CONTAINERD_DOCKER_HOST.
//!
//! That store is not read in place (src/image/measure/inplace.rs says why: the Engine API
//! names no snapshot folders, only containerd's own API and metadata map layers to them, and
//! no tar-split gives back each layer's tar byte for byte), so the report must say it fell
//! back to the export, and why. Its export streams the content store's compressed blobs as
//! they are: each layer's compressed size is then exact, the size of its blob in the image
//! manifest, with nothing gzipped.
//!
//! The equality: the shapes image of tests/in_place_next.rs, built on the containerd store,
//! measured there, and the same image (`docker save` | `docker load`) measured in place on
//! the overlay2 Engine 26.1.5 (scripts/dockerd-next.sh): every layer scan equal field by
//! field, and the report equal, except the compressed sizes (exact on containerd, a gzip-6
//! estimate on overlay2) and what differs between stores by definition (the image ID is the
//! manifest's digest on containerd, the config's on overlay2; the image's and each layer's
//! size as the Engine API counts them: content on overlay2, disk usage on containerd).

mod support;

use std::process::{Command, Stdio};

use serde_json::Value;
use support::inplace::{self, cached_scans, measure, without_read};

/// `docker` against `host`.
fn docker(host: &str) -> Command {
    let mut c = Command::new("docker");
    c.env("DOCKER_HOST", host);
    c
}

/// The layer descriptors' sizes of `tag`'s image manifest on `host`, read from its
/// `docker save` (OCI layout: index.json → the image's index or manifest → layers).
fn manifest_layer_sizes(host: &str, tag: &str) -> Vec<u64> {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("image.tar");
    let status = docker(host).args(["save", "-o"]).arg(&archive).arg(tag).status().unwrap();
    assert!(status.success(), "docker save {tag}");
    let status = Command::new("tar").arg("-xf").arg(&archive).arg("-C").arg(dir.path()).status().unwrap();
    assert!(status.success());
    let blob = |digest: &str| -> Value {
        let hex = digest.trim_start_matches("sha256:");
        serde_json::from_slice(&std::fs::read(dir.path().join("blobs/sha256").join(hex)).unwrap()).unwrap()
    };
    let index: Value = serde_json::from_slice(&std::fs::read(dir.path().join("index.json")).unwrap()).unwrap();
    let mut m = blob(index["manifests"][0]["digest"].as_str().unwrap());
    // an index (the store keeps one per image): its first manifest for this platform
    while m.get("manifests").is_some() {
        let found = m["manifests"].as_array().unwrap().iter().find(|d| {
            d["platform"]["architecture"].as_str().is_none_or(|a| a == "amd64")
                && d["annotations"]["vnd.docker.reference.type"].is_null()
        });
        m = blob(found.expect("a manifest for this platform")["digest"].as_str().unwrap());
    }
    m["layers"].as_array().unwrap().iter().map(|l| l["size"].as_u64().unwrap()).collect()
}

/// A report with the fields that differ between stores by definition left out.
fn comparable(v: &Value) -> Value {
    let mut v = without_read(v);
    if let Some(o) = v.as_object_mut() {
        for k in ["id", "reference", "size_bytes", "compressed_bytes"] {
            o.remove(k);
        }
        // each layer's size from `docker history`: its content on overlay2, its snapshot's
        // disk usage (whole blocks) on containerd; the scans' sizes (`bytes`), held equal
        // above, are the content on both
        for l in o.get_mut("layers").and_then(Value::as_array_mut).into_iter().flatten() {
            let l = l.as_object_mut().unwrap();
            l.remove("compressed_bytes");
            l.remove("size_bytes");
        }
    }
    v
}

#[tokio::test]
async fn the_containerd_store_measures_from_its_blobs_and_equals_overlay2_read_in_place() {
    let need_ci = |what: &str| {
        assert!(std::env::var_os("CI").is_none(), "CI runs {what} (scripts/test)");
        eprintln!("SKIPPED in_place_containerd: {what} is not running");
    };
    let host = std::env::var("SHIPLIGHT_CONTAINERD_DOCKER_HOST").ok().filter(|h| !h.is_empty());
    let Some(host) = host else {
        return need_ci("the containerd image store (sudo scripts/dockerd-containerd.sh)");
    };
    let next = std::env::var("SHIPLIGHT_NEXT_DOCKER_HOST").ok().filter(|h| !h.is_empty());
    let Some(next) = next else {
        return need_ci("Engine 26.1.5 on overlay2 (sudo scripts/dockerd-next.sh)");
    };
    // the only test in this binary: the process talks to the containerd-store engine
    std::env::set_var("DOCKER_HOST", &host);
    let Some(engine) = support::daemon("in_place_containerd").await else { return };
    let storage = docker(&host).args(["info", "--format", "{{.Driver}} {{json .DriverStatus}}"]).output().unwrap();
    let storage = String::from_utf8_lossy(&storage.stdout).trim().to_owned();
    eprintln!("in_place_containerd: image store: {storage}");
    assert!(storage.contains("io.containerd.snapshotter.v1"), "{host} keeps images in containerd: {storage}");
    let Some(helper) = inplace::helper_binary("in_place_containerd") else { return };
    let tag = "shiplight-test/in-place:shapes-containerd";
    inplace::build_shapes(&engine, tag).await;

    // on the containerd store: the export, and the report says why not in place
    let on_containerd = measure(tag, Some(&host), Some(&helper), "auto", true);
    let read = on_containerd.json["layers_read"].as_str().unwrap();
    eprintln!("in_place_containerd: layers read: {read}");
    assert!(read.starts_with("export (the daemon keeps images in containerd's image store"), "{read}");
    assert!(read.contains("compressed blobs, whose sizes are exact"), "{read}");
    // the shapes, as containerd's differ writes them: a folder removed and made again in one
    // RUN is whiteouts of its old files, not an opaque marker (overlay2's differ writes one)
    let paths: Vec<String> = cached_scans(&on_containerd)
        .values()
        .flat_map(|s| s["entries"].as_array().unwrap().iter())
        .map(|e| e["path"].as_str().unwrap().to_owned())
        .collect();
    for shape in ["etc/conf.d/.wh.b", "data/.wh.keep", "data/.wh.big", "data/keep/a2", "data/big-link", "app/current"] {
        assert!(paths.iter().any(|p| p == shape), "{shape} in {paths:?}");
    }
    let packages = on_containerd.json["packages"]["packages"].as_array().expect("packages");
    assert!(packages.iter().any(|p| p["name"] == "fake"), "the dpkg database was read: {packages:?}");

    // its compressed sizes are the manifest's, layer by layer, exactly (no gzip estimate)
    let blobs = manifest_layer_sizes(&host, tag);
    let layers = on_containerd.json["layers"].as_array().unwrap();
    let measured: Vec<u64> = layers
        .iter()
        .filter(|l| !l["empty"].as_bool().unwrap_or(false))
        .map(|l| l["compressed_bytes"].as_u64().unwrap())
        .collect();
    assert_eq!(measured, blobs, "each layer's compressed size is its blob's size in the image manifest");
    assert_eq!(on_containerd.json["compressed_bytes"].as_u64().unwrap(), blobs.iter().sum::<u64>());
    // `--no-compressed` costs nothing here: the exact sizes come with the blobs
    let quick = measure(tag, Some(&host), Some(&helper), "auto", false);
    assert_eq!(quick.json["compressed_bytes"], on_containerd.json["compressed_bytes"]);

    // the same image on the overlay2 Engine 26.1.5, read in place there
    let moved = "shiplight-test/in-place:shapes-from-containerd";
    let tagged = docker(&host).args(["tag", tag, moved]).status().unwrap();
    assert!(tagged.success());
    let mut save = docker(&host).args(["save", moved]).stdout(Stdio::piped()).spawn().unwrap();
    let load = docker(&next).args(["load", "-q"]).stdin(save.stdout.take().unwrap()).output().unwrap();
    assert!(save.wait().unwrap().success() && load.status.success(), "{}", String::from_utf8_lossy(&load.stderr));
    let on_overlay2 = measure(moved, Some(&next), Some(&helper), "auto", true);
    let read = on_overlay2.json["layers_read"].as_str().unwrap();
    assert!(read.starts_with("in-place"), "overlay2 reads the loaded image in place: {read}");

    let (a, b) = (cached_scans(&on_containerd), cached_scans(&on_overlay2));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "the same layers (diff_ids)");
    for (digest, scan) in &a {
        let other = &b[digest];
        for (field, value) in scan.as_object().unwrap() {
            if field == "compressed_bytes" {
                continue; // exact on containerd, a gzip-6 estimate on overlay2
            }
            assert_eq!(value, &other[field], "layer {digest}: `{field}` differs between the stores");
        }
    }
    assert_eq!(
        comparable(&on_containerd.json),
        comparable(&on_overlay2.json),
        "the containerd store's measure equals overlay2's read in place"
    );
    eprintln!(
        "in_place_containerd: {} layers equal field by field (containerd store's export vs overlay2 in place); compressed {} B exact vs {} B estimated",
        a.len(),
        on_containerd.json["compressed_bytes"],
        on_overlay2.json["compressed_bytes"]
    );

    let _ = docker(&next).args(["rmi", moved]).output();
    let _ = docker(&host).args(["rmi", moved]).output();
    support::cleanup(&engine, &[tag]).await;
}
