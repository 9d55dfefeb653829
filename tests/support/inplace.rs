//! The in-place layer read against the export, on whichever daemon the test connected to:
//! one image with every shape a layer tar can take, measured both ways by the real binary
//! with separate scan caches, and every cached layer scan compared field by field.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use shiplight::image::docker::context;
use shiplight::image::docker::engine::{BuildRequest, Builder, Engine};

/// Whiteouts (`rm`), an opaque folder (removed and made again in one RUN), a folder deleted in
/// one layer and made again in a later one, a hardlink, symlinks, a dpkg database, and
/// `COPY --from` of a build stage.
pub const SHAPES: &str = r#"FROM shiplight-test/busybox:1 AS build
RUN mkdir -p /out/lib && dd if=/dev/zero of=/out/artifact bs=1k count=300 && echo built > /out/lib/note
FROM shiplight-test/busybox:1
RUN mkdir -p /data/keep /etc/conf.d /var/lib/dpkg && echo a > /data/keep/a && echo b > /etc/conf.d/b \
 && dd if=/dev/zero of=/data/big bs=1k count=200 && ln /data/big /data/big-link && ln -s /data/big /data/big-sym \
 && printf 'Package: fake\nStatus: install ok installed\nInstalled-Size: 200\nVersion: 1.0\n\n' > /var/lib/dpkg/status
RUN rm -rf /data/keep /data/big-sym && rm -rf /etc/conf.d && mkdir /etc/conf.d && echo c > /etc/conf.d/c
COPY --from=build /out /app
RUN mkdir -p /data/keep && echo again > /data/keep/a2 && rm /data/big && ln -s /app/artifact /app/current
"#;

/// Build [`SHAPES`] as `tag` with the classic builder.
pub async fn build_shapes(engine: &Engine, tag: &str) {
    super::busybox(engine).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), SHAPES).unwrap();
    let ctx = context::pack(dir.path(), &dir.path().join("Dockerfile")).unwrap();
    let req = BuildRequest {
        builder: Builder::Classic,
        context: ctx.tar.into(),
        dockerfile: ctx.dockerfile,
        tag: tag.to_owned(),
        ..Default::default()
    };
    engine.build(&req, |_| {}).await.expect("build the shapes image");
}

/// One `shiplight measure --format json` run: its JSON, and its scan cache folder.
pub struct Run {
    pub json: Value,
    pub cache: tempfile::TempDir,
}

/// `shiplight measure --packages --format json IMAGE` with a fresh cache, on `host`
/// (`None`: the process's own daemon), reading layers as `read` says (`export` or `auto`).
pub fn measure(image: &str, host: Option<&str>, helper: Option<&Path>, read: &str, compressed: bool) -> Run {
    let cache = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shiplight"));
    cmd.args(["measure", "--packages", "--format", "json", image]).env("SHIPLIGHT_CACHE_DIR", cache.path());
    if !compressed {
        cmd.arg("--no-compressed");
    }
    cmd.env("SHIPLIGHT_LAYER_READ", read);
    if let Some(h) = host {
        cmd.env("DOCKER_HOST", h);
    }
    match helper {
        Some(h) => cmd.env("SHIPLIGHT_HELPER_BIN", h),
        None => cmd.env_remove("SHIPLIGHT_HELPER_BIN"),
    };
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "measure {image}: {}", String::from_utf8_lossy(&out.stderr));
    let json =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    Run { json, cache }
}

/// The layer scans a run left in its cache, by file name (the diff_id).
pub fn cached_scans(run: &Run) -> BTreeMap<String, Value> {
    let dir = std::fs::read_dir(run.cache.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("scans-v")));
    let layers = dir.expect("a scan cache").join("layers");
    std::fs::read_dir(&layers)
        .unwrap()
        .flatten()
        .map(|e| {
            let v: Value = serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap();
            (e.file_name().to_string_lossy().into_owned(), v)
        })
        .collect()
}

/// The measure without the line saying how it was read.
pub fn without_read(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("layers_read");
    }
    v
}

/// Measure `image` through the export and in place (with and without gzip sizes) and hold
/// the two equal: the report, and every layer scan field by field. Returns the in-place
/// run without gzip sizes.
pub fn assert_both_ways_equal(test: &str, image: &str, host: Option<&str>, helper: &Path) -> Run {
    let mut first = None;
    for compressed in [false, true] {
        let export = measure(image, host, Some(helper), "export", compressed);
        let in_place = measure(image, host, Some(helper), "auto", compressed);
        let how = |r: &Run| r.json["layers_read"].as_str().unwrap_or_default().to_owned();
        assert!(how(&export).starts_with("export"), "{test}: {}", how(&export));
        assert!(how(&in_place).starts_with("in-place"), "{test}: {image} was not read in place: {}", how(&in_place));
        assert_eq!(
            without_read(&export.json),
            without_read(&in_place.json),
            "{test}: {image} (compressed sizes: {compressed}) measures the same both ways"
        );
        let (a, b) = (cached_scans(&export), cached_scans(&in_place));
        assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "{test}: the same layers");
        for (digest, scan) in &a {
            let other = &b[digest];
            let fields = scan.as_object().unwrap();
            for (field, value) in fields {
                assert_eq!(value, &other[field], "{test}: {image}, layer {digest}: `{field}` differs");
            }
            assert_eq!(fields.len(), other.as_object().unwrap().len(), "{test}: the same fields");
        }
        eprintln!("{test}: {image}: {} layers equal field by field, compressed sizes {compressed}", a.len());
        first.get_or_insert(in_place);
    }
    first.expect("two runs")
}

/// The shapes the scans of [`SHAPES`] must show, so the equality above covers them.
pub fn assert_shapes_present(run: &Run) {
    let scans = cached_scans(run);
    let paths: Vec<(String, u64)> = scans
        .values()
        .flat_map(|s| s["entries"].as_array().unwrap().iter())
        .map(|e| (e["path"].as_str().unwrap().to_owned(), e["size"].as_u64().unwrap()))
        .collect();
    let has = |p: &str| paths.iter().any(|(q, _)| q == p);
    assert!(has("etc/conf.d/.wh..wh..opq"), "an opaque folder: {paths:?}");
    assert!(has("data/.wh.keep") && has("data/.wh.big-sym") && has("data/.wh.big"), "whiteouts");
    assert!(has("data/keep/a2"), "the folder made again");
    assert!(paths.iter().any(|(p, s)| p == "data/big-link" && *s == 0), "a hardlink (no content of its own)");
    assert!(has("app/artifact") && has("app/current"), "COPY --from and a symlink");
    let packages = run.json["packages"]["packages"].as_array().expect("packages");
    assert!(packages.iter().any(|p| p["name"] == "fake"), "the dpkg database was read: {packages:?}");
}

/// The static (musl) binary the helper container runs, built from this tree.
pub fn helper_binary(test: &str) -> Option<PathBuf> {
    let built = super::action::static_binary();
    super::need(
        test,
        "a static shiplight build",
        built.is_some(),
        "rustup target add x86_64-unknown-linux-musl; apt-get install musl-tools",
    );
    built
}
