//! Python distributions: every `*.dist-info` folder (site-packages and dist-packages, venvs
//! included) with its `METADATA` name and version and its `RECORD` file list, and every
//! `*.egg-info` with its `PKG-INFO`, as `pip list` sees them. Bytes are the files RECORD
//! lists, as they are in the image (an egg-info, installed by another tool, owns none).

use super::{Capture, Ecosystem, Image, Package, Reader, MAX_TEXT};

/// The pip reader.
pub struct Pip;

impl Reader for Pip {
    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Pip
    }

    /// RECORD whole; of METADATA (or PKG-INFO) the header is enough.
    fn capture(&self, path: &str, _mode: u32, _size: u64) -> Option<Capture> {
        if is_record(path) {
            Some(Capture::Text(MAX_TEXT))
        } else {
            is_metadata(path).then_some(Capture::Text(8 * 1024))
        }
    }

    fn read(&self, image: &Image) -> Vec<(Package, Vec<String>)> {
        read(image)
    }
}

fn in_site(path: &str) -> bool {
    path.contains("/site-packages/") || path.contains("/dist-packages/")
}

/// `…/site-packages/Flask-3.0.0.dist-info/RECORD`
pub fn is_record(path: &str) -> bool {
    in_site(path) && path.ends_with("/RECORD") && parent(path).ends_with(".dist-info")
}

/// `…/X.dist-info/METADATA` or `…/X.egg-info/PKG-INFO` (or an egg-info file itself).
pub fn is_metadata(path: &str) -> bool {
    in_site(path)
        && ((path.ends_with("/METADATA") && parent(path).ends_with(".dist-info"))
            || (path.ends_with("/PKG-INFO") && parent(path).ends_with(".egg-info"))
            || (path.ends_with(".egg-info") && !path.contains(".egg-info/")))
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

/// `Name:` and `Version:` of a METADATA / PKG-INFO header.
fn header(text: &str) -> (Option<String>, Option<String>) {
    let mut name = None;
    let mut version = None;
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Name:") {
            name.get_or_insert_with(|| v.trim().to_owned());
        } else if let Some(v) = line.strip_prefix("Version:") {
            version.get_or_insert_with(|| v.trim().to_owned());
        }
    }
    (name, version)
}

/// `a/b/../c` → `a/c`.
fn resolve(base: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// The pip distributions of the image, each with the paths it owns.
fn read(image: &Image) -> Vec<(Package, Vec<String>)> {
    let text = |path: &str| image.final_text(path);
    // every metadata file that survives names one distribution
    let mut metas: Vec<&str> = image
        .captured
        .iter()
        .flat_map(|c| c.files.iter().map(|(p, _)| p.as_str()))
        .filter(|p| is_metadata(p) && image.files.contains_key(*p))
        .collect();
    metas.sort();
    metas.dedup();
    let mut out = Vec::new();
    for meta in metas {
        let Some(t) = text(meta) else { continue };
        let dir = if meta.ends_with(".egg-info") { meta } else { parent(meta) };
        let site = parent(dir);
        let (name, version) = header(t);
        let stem = dir.rsplit('/').next().unwrap_or(dir).trim_end_matches(".dist-info").trim_end_matches(".egg-info");
        let (dir_name, dir_version) = stem.split_once('-').unwrap_or((stem, ""));
        let name = name.unwrap_or_else(|| dir_name.to_owned());
        let version = version.unwrap_or_else(|| dir_version.split('-').next().unwrap_or("").to_owned());
        let record = format!("{dir}/RECORD");
        let paths: Vec<String> = text(&record)
            .map(|r| r.lines().filter_map(csv_first).filter(|p| !p.is_empty()).map(|p| resolve(site, &p)).collect())
            .unwrap_or_default();
        let bytes = paths.iter().filter_map(|p| image.fs.get(p)).map(|(_, _, s)| s).sum();
        let layer = image.layer_of(&record).or_else(|| image.layer_of(meta)).unwrap_or(0);
        let package = Package {
            location: Some(format!("/{site}")),
            ..Package::new(Ecosystem::Pip, &name, &version, bytes, layer)
        };
        out.push((package, paths));
    }
    out
}

/// The first field of a RECORD line (CSV: a path with a comma is quoted).
fn csv_first(line: &str) -> Option<String> {
    let line = line.trim_end_matches('\r');
    if let Some(rest) = line.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = rest.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    out.push('"');
                    chars.next();
                } else {
                    return Some(out);
                }
            } else {
                out.push(c);
            }
        }
        None
    } else {
        line.split(',').next().map(String::from)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::Captured;
    use super::*;

    #[test]
    fn dist_info_with_record_and_an_egg_info() {
        let site = "usr/local/lib/python3.11/site-packages";
        let captured = vec![Captured {
            files: vec![
                (format!("{site}/Flask-3.0.0.dist-info/METADATA"), "Metadata-Version: 2.1\nName: Flask\nVersion: 3.0.0\n\nlong".into()),
                (format!("{site}/Flask-3.0.0.dist-info/RECORD"), "../../../bin/flask,sha256=x,220\nflask/app.py,sha256=y,1000\n\"flask/a,b.py\",,5\nFlask-3.0.0.dist-info/RECORD,,\n".into()),
                ("usr/lib/python3/dist-packages/six-1.16.0.egg-info".into(), "Metadata-Version: 1.2\nName: six\nVersion: 1.16.0\n".into()),
            ],
            ..Default::default()
        }];
        let mut files = BTreeMap::new();
        for (p, s) in [
            ("usr/local/bin/flask", 220u64),
            (&format!("{site}/flask/app.py")[..], 1000),
            (&format!("{site}/flask/a,b.py")[..], 5),
            (&format!("{site}/Flask-3.0.0.dist-info/METADATA")[..], 50),
            (&format!("{site}/Flask-3.0.0.dist-info/RECORD")[..], 90),
            ("usr/lib/python3/dist-packages/six-1.16.0.egg-info", 60),
        ] {
            files.insert(p.to_string(), (0, s));
        }
        let found = Pip.read(&Image::new(&captured, &files));
        let got: Vec<(&str, &str, u64)> =
            found.iter().map(|(p, _)| (p.name.as_str(), p.version.as_str(), p.bytes)).collect();
        assert_eq!(got, [("six", "1.16.0", 0), ("Flask", "3.0.0", 220 + 1000 + 5 + 90)]);
        assert_eq!(found[1].0.location.as_deref(), Some("/usr/local/lib/python3.11/site-packages"));
    }
}
