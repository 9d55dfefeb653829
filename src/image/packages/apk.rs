//! Alpine packages: `/lib/apk/db/installed`, one block per package (`P:` name, `V:`
//! version, then `F:` folders each followed by its `R:` files), as apk-tools documents it.
//! The database is read in its final state only: every package's layer is the layer that
//! wrote that database last.

use super::{Capture, Ecosystem, Image, Package, Reader, MAX_TEXT};

pub const INSTALLED: &str = "lib/apk/db/installed";

/// The apk reader.
pub struct Apk;

impl Reader for Apk {
    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Apk
    }

    fn capture(&self, path: &str, _mode: u32, _size: u64) -> Option<Capture> {
        (path == INSTALLED).then_some(Capture::Text(MAX_TEXT))
    }

    fn read(&self, image: &Image) -> Vec<(Package, Vec<String>)> {
        read(image.final_text(INSTALLED), image.layer_of(INSTALLED).unwrap_or(0), image)
    }
}

/// The apk packages of the database `db` (written by `layer`), each with the paths it owns.
fn read(db: Option<&str>, layer: usize, image: &Image) -> Vec<(Package, Vec<String>)> {
    let Some(db) = db else { return Vec::new() };
    let mut out = Vec::new();
    for block in db.split("\n\n").filter(|b| !b.trim().is_empty()) {
        let (mut name, mut version, mut folder) = (String::new(), String::new(), String::new());
        let mut paths = Vec::new();
        for line in block.lines() {
            let Some((key, value)) = line.split_once(':') else { continue };
            match key {
                "P" => name = value.to_owned(),
                "V" => version = value.to_owned(),
                "F" => folder = value.to_owned(),
                "R" if folder.is_empty() => paths.push(value.to_owned()),
                "R" => paths.push(format!("{folder}/{value}")),
                _ => {}
            }
        }
        if name.is_empty() {
            continue;
        }
        let bytes = paths.iter().filter_map(|p| image.fs.get(p)).map(|(_, _, s)| s).sum();
        let package = Package::new(Ecosystem::Apk, &name, &version, bytes, layer);
        out.push((package, paths));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn blocks_folders_and_files() {
        let db = "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nF:lib\nR:ld-musl-x86_64.so.1\nR:libc.musl-x86_64.so.1\n\nP:busybox\nV:1.36.1-r5\nF:bin\nR:busybox\nF:etc\nR:securetty\n";
        let mut files = BTreeMap::new();
        files.insert("lib/ld-musl-x86_64.so.1".to_string(), (0, 600_000));
        files.insert("bin/busybox".to_string(), (0, 900_000));
        files.insert("etc/securetty".to_string(), (0, 100));
        files.insert(INSTALLED.to_string(), (0, 50));
        let captured = [super::super::Captured { files: vec![(INSTALLED.into(), db.into())], ..Default::default() }];
        let found = Apk.read(&Image::new(&captured, &files));
        let got: Vec<(&str, &str, u64)> =
            found.iter().map(|(p, _)| (p.name.as_str(), p.version.as_str(), p.bytes)).collect();
        assert_eq!(got, [("musl", "1.2.4-r2", 600_000), ("busybox", "1.36.1-r5", 900_100)]);
    }
}
