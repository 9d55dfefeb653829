//! Reading images outside the daemon on arbitrary bytes: image sources, references and
//! platforms as users write them, manifests and indexes as a registry or layout serves them,
//! and (with digests the harness makes right, since a fuzzer cannot forge SHA-256) configs
//! and layer blobs in any compression. None may panic or run away.
#![no_main]

use std::io::Read;

use libfuzzer_sys::fuzz_target;
use shiplight::image::oci::{self, Descriptor, OciError, Platforms, Store};
use shiplight::reference::ImageRef;
use shiplight::image::source::ImageSource;

/// Serves `manifest` for every manifest request and the config or layer by digest.
struct Bytes {
    manifest: Vec<u8>,
    blobs: Vec<(String, Vec<u8>)>,
}

impl Store for Bytes {
    fn place(&self) -> String {
        "fuzz".into()
    }
    fn manifest(&self, _target: &str) -> Result<(Vec<u8>, Option<String>), OciError> {
        Ok((self.manifest.clone(), None))
    }
    fn blob(&self, desc: &Descriptor) -> Result<Box<dyn Read + Send + '_>, OciError> {
        let found = self.blobs.iter().find(|(d, _)| *d == desc.digest).map(|(_, b)| b.as_slice()).unwrap_or(&[]);
        Ok(Box::new(found))
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = ImageSource::parse(&text);
    let _ = ImageRef::strict(&text);
    let _ = Platforms::parse(&text);

    // arbitrary manifest bytes
    let raw = Bytes { manifest: data.to_vec(), blobs: Vec::new() };
    if let Ok(images) = oci::resolve(&raw, "t", &Platforms::All) {
        for r in &images {
            let _ = oci::measure(&raw, r, "fuzz", true);
        }
    }

    // a well-formed manifest and config around an arbitrary layer blob (gzip, zstd or a tar,
    // told by its first bytes), and an arbitrary config around an empty image
    let config = br#"{"os":"linux","architecture":"amd64","rootfs":{"type":"layers","diff_ids":["sha256:0000000000000000000000000000000000000000000000000000000000000000"]},"history":[{"created_by":"RUN x"}]}"#;
    for (config, layer) in [(&config[..], data), (data, &b""[..])] {
        let (cd, ld) = (oci::sha256(config), oci::sha256(layer));
        let manifest = format!(
            r#"{{"schemaVersion":2,"config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{cd}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{ld}","size":{}}}]}}"#,
            config.len(),
            layer.len()
        );
        let store = Bytes { manifest: manifest.into_bytes(), blobs: vec![(cd, config.to_vec()), (ld, layer.to_vec())] };
        if let Ok(images) = oci::resolve(&store, "t", &Platforms::All) {
            for r in &images {
                let _ = oci::measure(&store, r, "fuzz", false);
            }
        }
    }
});
