//! Waste analysis over the file listings of an image's layers (pure).
//!
//! A byte is wasted when the file holding it does not survive into the final filesystem:
//! a later layer overwrites the path, deletes it with a whiteout (`.wh.<name>`), or hides
//! its directory with an opaque marker (`.wh..wh..opq`). Every copy but the surviving one is
//! wasted; when the last event is a deletion, every copy is (dive counts all N copies of an
//! overwritten file, dive#684; shiplight does not count the survivor).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One tar entry of a layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Path without a leading `./` or `/`.
    pub path: String,
    /// Bytes of content (0 for directories, links and markers).
    pub size: u64,
}

/// A file a layer adds, for "top files" listings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopFile {
    pub path: String,
    pub size_bytes: u64,
}

/// The waste of each layer and of the image.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Waste {
    /// Per layer: bytes it holds that do not survive.
    pub wasted_by_layer: Vec<u64>,
    /// Per layer: the largest files it adds (up to 5).
    pub top_files: Vec<Vec<TopFile>>,
    /// Bytes of content in all layers.
    pub total_bytes: u64,
    pub wasted_bytes: u64,
    /// The final filesystem: every surviving path, with the layer that wrote it and its size.
    pub files: BTreeMap<String, (usize, u64)>,
}

impl Waste {
    /// 1.0 when nothing is wasted.
    pub fn efficiency(&self) -> f64 {
        if self.total_bytes == 0 {
            1.0
        } else {
            1.0 - self.wasted_bytes as f64 / self.total_bytes as f64
        }
    }
}

const WHITEOUT: &str = ".wh.";
const OPAQUE: &str = ".wh..wh..opq";

/// Analyse layers in order, oldest first.
pub fn analyze(layers: &[Vec<Entry>]) -> Waste {
    // live path -> (layer, size) of the copy currently visible
    let mut live: BTreeMap<String, (usize, u64)> = BTreeMap::new();
    let mut wasted = vec![0u64; layers.len()];
    let mut total = 0;
    let mut top_files = Vec::with_capacity(layers.len());
    for (li, layer) in layers.iter().enumerate() {
        let mut bury = |live: &mut BTreeMap<String, (usize, u64)>, path: &str, subtree: bool, include_self: bool| {
            if include_self {
                if let Some((l, s)) = live.remove(path) {
                    wasted[l] += s;
                }
            }
            if subtree {
                let prefix = if path.is_empty() { String::new() } else { format!("{path}/") };
                let keys: Vec<String> = live
                    .range(prefix.clone()..)
                    .take_while(|(k, _)| k.starts_with(&prefix))
                    .map(|(k, _)| k.clone())
                    .collect();
                for k in keys {
                    if let Some((l, s)) = live.remove(&k) {
                        wasted[l] += s;
                    }
                }
            }
        };
        // Markers first: within one layer, deletions apply to lower layers only.
        for e in layer {
            let (dir, name) = split(&e.path);
            if name == OPAQUE {
                bury(&mut live, dir, true, false);
            } else if let Some(target) = name.strip_prefix(WHITEOUT) {
                let full = if dir.is_empty() { target.to_owned() } else { format!("{dir}/{target}") };
                bury(&mut live, &full, true, true);
            }
        }
        let mut adds: Vec<&Entry> = Vec::new();
        for e in layer {
            let (_, name) = split(&e.path);
            if name.starts_with(WHITEOUT) {
                continue;
            }
            total += e.size;
            if let Some((l, s)) = live.insert(e.path.clone(), (li, e.size)) {
                wasted[l] += s;
            }
            if e.size > 0 {
                adds.push(e);
            }
        }
        adds.sort_by(|a, b| b.size.cmp(&a.size).then(a.path.cmp(&b.path)));
        top_files.push(
            adds.into_iter().take(5).map(|e| TopFile { path: format!("/{}", e.path), size_bytes: e.size }).collect(),
        );
    }
    let wasted_bytes = wasted.iter().sum();
    Waste { wasted_by_layer: wasted, top_files, total_bytes: total, wasted_bytes, files: live }
}

fn split(path: &str) -> (&str, &str) {
    match path.rsplit_once('/') {
        Some((d, n)) => (d, n),
        None => ("", path),
    }
}

/// Normalise a tar path: no leading `./` or `/`, no trailing `/`.
pub fn normalize(path: &str) -> String {
    path.trim_start_matches("./").trim_start_matches('/').trim_end_matches('/').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(path: &str, size: u64) -> Entry {
        Entry { path: path.into(), size }
    }

    #[test]
    fn deleted_file_wastes_its_layer() {
        let w = analyze(&[vec![e("bin/sh", 100)], vec![e("big", 20_000_000)], vec![e(".wh.big", 0)]]);
        assert_eq!(w.wasted_by_layer, vec![0, 20_000_000, 0]);
        assert_eq!(w.wasted_bytes, 20_000_000);
        assert_eq!(w.top_files[1], vec![TopFile { path: "/big".into(), size_bytes: 20_000_000 }]);
    }

    #[test]
    fn overwrites_count_every_copy_but_the_survivor() {
        let w = analyze(&[vec![e("f", 10)], vec![e("f", 10)], vec![e("f", 10)]]);
        assert_eq!(w.wasted_by_layer, vec![10, 10, 0]);
        assert_eq!(w.wasted_bytes, 20, "dive#684 would say 30");
    }

    #[test]
    fn directory_whiteouts_and_opaque_dirs() {
        let w = analyze(&[
            vec![e("app", 0), e("app/a", 5), e("app/b", 7), e("apple", 3)],
            vec![e(".wh.app", 0)],
            vec![e("etc/x", 1)],
            vec![e("etc", 0), e("etc/.wh..wh..opq", 0), e("etc/y", 2)],
        ]);
        assert_eq!(w.wasted_by_layer, vec![12, 0, 1, 0], "apple survives the whiteout of app");
        let files: Vec<(&str, usize)> = w.files.iter().map(|(p, (l, _))| (p.as_str(), *l)).collect();
        assert_eq!(files, [("apple", 0), ("etc", 3), ("etc/y", 3)], "the final filesystem");
        assert!((w.efficiency() - (1.0 - 13.0 / 18.0)).abs() < 1e-9);
    }
}
