//! An OCI image layout folder (`oci-layout`, `index.json`, `blobs/sha256/…`), as
//! `buildx --output type=oci,tar=false` and `skopeo copy … oci:DIR:TAG` write it.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::{Descriptor, Manifest, OciError, Store};

pub struct Layout {
    dir: PathBuf,
}

impl Layout {
    pub fn open(dir: &Path) -> Result<Layout, OciError> {
        if !dir.join("index.json").is_file() {
            return Err(OciError::Usage(format!(
                "{} is not an OCI image layout (it has no index.json); write one with `skopeo copy docker://IMAGE oci:{}:TAG` or buildx `--output type=oci,dest=…,tar=false`",
                dir.display(),
                dir.display()
            )));
        }
        Ok(Layout { dir: dir.to_owned() })
    }

    fn blob_path(&self, digest: &str) -> Result<PathBuf, OciError> {
        match crate::reference::check_digest(digest) {
            Ok(()) => Ok(self.dir.join("blobs/sha256").join(&digest["sha256:".len()..])),
            Err(e) => Err(OciError::Format(format!(
                "{}: {e}; write the layout again with sha256 digests (skopeo and buildx do by default)",
                self.place()
            ))),
        }
    }

    fn read(&self, path: &Path, what: &str) -> Result<Vec<u8>, OciError> {
        std::fs::read(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => OciError::NotFound { what: what.to_owned(), place: self.place() },
            _ => OciError::Transport(format!("cannot read {}: {e}", path.display())),
        })
    }
}

/// The name an index entry carries: the OCI ref name, or containerd's image name.
fn names(d: &Descriptor) -> impl Iterator<Item = &str> {
    ["org.opencontainers.image.ref.name", "io.containerd.image.name"]
        .into_iter()
        .filter_map(|k| d.annotations.get(k).map(String::as_str))
}

impl Store for Layout {
    fn place(&self) -> String {
        format!("OCI layout {}", self.dir.display())
    }

    /// `target` is a digest, a tag (`index.json`'s ref name), or empty: the only image, or
    /// every entry of `index.json` as an index.
    fn manifest(&self, target: &str) -> Result<(Vec<u8>, Option<String>), OciError> {
        let digest_like = target.split_once(':').is_some_and(|(a, h)| {
            a.bytes().all(|b| b.is_ascii_alphanumeric()) && h.len() >= 32 && h.bytes().all(|b| b.is_ascii_hexdigit())
        });
        if target.starts_with("sha256:") || digest_like {
            return Ok((self.read(&self.blob_path(target)?, &format!("manifest {target}"))?, None));
        }
        let index_bytes = self.read(&self.dir.join("index.json"), "index.json")?;
        let index: Manifest = serde_json::from_slice(&index_bytes)
            .map_err(|e| OciError::Format(format!("{}: index.json: {e}", self.place())))?;
        let entries = index.manifests.unwrap_or_default();
        let chosen: Vec<&Descriptor> = if target.is_empty() {
            entries.iter().collect()
        } else {
            entries
                .iter()
                .filter(|d| names(d).any(|n| n == target || n.rsplit_once(':').is_some_and(|(_, t)| t == target)))
                .collect()
        };
        match chosen.as_slice() {
            [one] => Ok((
                self.read(&self.blob_path(&one.digest)?, &format!("manifest {}", one.digest))?,
                Some(one.media_type.clone()),
            )),
            [] if !target.is_empty() => {
                let have: Vec<&str> = entries.iter().flat_map(names).collect();
                Err(OciError::NotFound {
                    what: format!(
                        "tag `{target}` (it has {})",
                        if have.is_empty() { "no named images".to_owned() } else { have.join(", ") }
                    ),
                    place: self.place(),
                })
            }
            [] => Err(OciError::NotFound { what: "any image".into(), place: self.place() }),
            // several entries without a tag: they are the platforms of one image
            _ => Ok((index_bytes, Some("application/vnd.oci.image.index.v1+json".into()))),
        }
    }

    fn blob(&self, desc: &Descriptor) -> Result<Box<dyn Read + Send + '_>, OciError> {
        let path = self.blob_path(&desc.digest)?;
        let f = std::fs::File::open(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                OciError::NotFound { what: format!("blob {}", desc.digest), place: self.place() }
            }
            _ => OciError::Transport(format!("cannot read {}: {e}", path.display())),
        })?;
        Ok(Box::new(f))
    }
}
