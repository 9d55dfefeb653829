//! What an image's packages are, read from its layer tars in the measuring pass (no container
//! is run): one [`Reader`] per ecosystem, one file each, listed once in [`READERS`], the way
//! `lint/rules/` has one file per rule and one table.
//!
//! A reader says which files the layer scan must keep for it ([`Reader::capture`]: the dpkg,
//! apk and rpm databases, pip's `RECORD`/`METADATA`, npm's `package.json`, Go build info),
//! and the scan keeps them per layer as [`Captured`]. [`inventory`] then has each reader read
//! the final state of its database against the final filesystem (from `waste`), so a
//! package's bytes are its files as they are in the image. A package's layer is the one that
//! installed its current version where the database keeps its history across layers (deb and
//! rpm, through the one walk in [`Installs`]); apk's database is read in its final state
//! only, so an apk package's layer is the layer of that database. [`delta`] compares two
//! inventories.
//!
//! A new ecosystem is a new file with a `Reader`, its `mod` line, its [`Ecosystem`] variant and
//! its entry in [`READERS`].

pub mod apk;
pub mod budget;
pub mod cost;
pub mod deb;
pub mod go;
pub mod npm;
pub mod pip;
pub mod rpm;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;

use serde::{Deserialize, Serialize};

/// The package managers shiplight reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    Deb,
    Apk,
    Pip,
    Npm,
    Go,
    Rpm,
}

impl Ecosystem {
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Deb => "deb",
            Ecosystem::Apk => "apk",
            Ecosystem::Pip => "pip",
            Ecosystem::Npm => "npm",
            Ecosystem::Go => "go",
            Ecosystem::Rpm => "rpm",
        }
    }
}

/// One installed package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub ecosystem: Ecosystem,
    pub name: String,
    pub version: String,
    /// Its regular files as they are in the image (a Go module: the binary's size for the
    /// main module, 0 for the modules linked into it).
    pub bytes: u64,
    /// The filesystem layer (0-based, empty history entries not counted) that installed this
    /// version.
    pub layer: usize,
    /// Where it is installed, when one image can hold it twice (a venv, a node_modules tree,
    /// a binary).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// deb: false when apt installed it as a dependency (`Auto-Installed: 1`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested: Option<bool>,
    /// deb: the requested package whose Depends/Recommends brought it, where the status file
    /// says so; go: the main module it is linked into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// deb: bytes the package's files do not include but it caused: what dpkg keeps for it
    /// (`/var/lib/dpkg/info/<name>.*`) and files its maintainer scripts made in its folders.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub extra_bytes: u64,
    /// deb: installed only because a package of its layer recommends it (directly or through
    /// another recommended package): what `--no-install-recommends` would have left out.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub recommended: bool,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Package {
    /// A package with nothing known beyond its identity, bytes and layer.
    pub fn new(ecosystem: Ecosystem, name: &str, version: &str, bytes: u64, layer: usize) -> Package {
        Package {
            ecosystem,
            name: name.to_owned(),
            version: version.to_owned(),
            bytes,
            layer,
            location: None,
            requested: None,
            via: None,
            extra_bytes: 0,
            recommended: false,
        }
    }

    /// What the package costs the image: its files and what it caused.
    pub fn cost(&self) -> u64 {
        self.bytes + self.extra_bytes
    }

    fn key(&self) -> (Ecosystem, &str, Option<&str>) {
        (self.ecosystem, &self.name, self.location.as_deref())
    }
}

/// Every package of an image, and the bytes no package owns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub packages: Vec<Package>,
    /// Bytes of regular files no package owns, by top folder (`/usr/local`, `/app`).
    pub unpackaged: BTreeMap<String, u64>,
    /// What could not be read, said for a reader (an rpm database, a truncated file).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// What one layer scan keeps for the readers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Captured {
    /// Database files: path → text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<(String, String)>,
    /// Go binaries: path → the build info's module lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub go: Vec<(String, String)>,
    /// rpm databases: path → the packages they list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rpm: Vec<(String, Vec<rpm::Record>)>,
    /// What could not be read in this layer, said for a reader.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Symbolic links at the top of the tree (`bin` → `usr/bin`): dpkg lists files by the
    /// path it installed them under.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<(String, String)>,
}

/// What the layer scan keeps of a file for its reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capture {
    /// Its text, up to this many bytes, into [`Captured::files`].
    Text(usize),
    /// The file as it streams past, handed to [`Reader::stream`] (Go build info).
    Stream,
    /// Its bytes, kept until the layer ends and then handed to [`Reader::bytes`] with the
    /// other files of the layer the reader kept so (an rpm database and its write-ahead log).
    Bytes,
}

/// Text files larger than this are not kept whole (a dpkg status file is a few MB at most).
pub const MAX_TEXT: usize = 32 * 1024 * 1024;

/// One package manager's reader: which files the layer scan keeps for it, and how it reads
/// them into packages.
pub trait Reader: Sync {
    fn ecosystem(&self) -> Ecosystem;

    /// What the layer scan keeps of the regular file at `path` (normalised, no leading `/`;
    /// `mode` is its tar mode): `None` when the file is not this reader's.
    fn capture(&self, path: &str, mode: u32, size: u64) -> Option<Capture>;

    /// A file kept as [`Capture::Stream`], read as it streams past: what to keep of it.
    fn stream(&self, _path: &str, _file: &mut dyn Read, _into: &mut Captured) -> std::io::Result<()> {
        Ok(())
    }

    /// The files of one layer kept as [`Capture::Bytes`], once the layer has been read.
    fn bytes(&self, _files: &[(String, Vec<u8>)], _into: &mut Captured) {}

    /// The packages of the image, each with the paths it owns.
    fn read(&self, image: &Image) -> Vec<(Package, Vec<String>)>;

    /// What the inventory should say this reader could not read, once every reader has read
    /// (`found`).
    fn notes(&self, _image: &Image, _found: &[(Package, Vec<String>)]) -> Vec<String> {
        Vec::new()
    }

    /// Files no package lists that still belong to one of this reader's packages, as (index
    /// in `found`, path, bytes); `owned` is every path a package lists.
    fn unlisted(
        &self,
        _image: &Image,
        _found: &[(Package, Vec<String>)],
        _owned: &HashSet<String>,
    ) -> Vec<(usize, String, u64)> {
        Vec::new()
    }
}

/// Every reader, in the order the layer scan asks them which files to keep (the first that
/// wants a file keeps it).
pub const READERS: &[&dyn Reader] = &[&rpm::Rpm, &deb::Deb, &apk::Apk, &pip::Pip, &npm::Npm, &go::Go];

/// What the layer scan keeps of `path`, and for which reader.
pub fn capture(path: &str, mode: u32, size: u64) -> Option<(&'static dyn Reader, Capture)> {
    READERS.iter().find_map(|r| r.capture(path, mode, size).map(|c| (*r, c)))
}

/// An image as the readers see it: what each filesystem layer captured, and the final
/// filesystem (each surviving path's layer and size).
pub struct Image<'a> {
    pub captured: &'a [Captured],
    pub files: &'a BTreeMap<String, (usize, u64)>,
    pub fs: Fs<'a>,
}

impl<'a> Image<'a> {
    pub fn new(captured: &'a [Captured], files: &'a BTreeMap<String, (usize, u64)>) -> Image<'a> {
        Image { captured, files, fs: Fs::new(files, captured) }
    }

    /// The text of `path` as `layer` captured it.
    pub fn text_at(&self, layer: usize, path: &str) -> Option<&'a str> {
        self.captured.get(layer)?.files.iter().find(|(p, _)| p == path).map(|(_, t)| t.as_str())
    }

    /// The final text of a captured `path`: from the layer that wrote the surviving copy.
    pub fn final_text(&self, path: &str) -> Option<&'a str> {
        self.text_at(self.files.get(path)?.0, path)
    }

    /// The layer that wrote the surviving copy of `path`.
    pub fn layer_of(&self, path: &str) -> Option<usize> {
        self.files.get(path).map(|(l, _)| *l)
    }
}

/// Which layer installed each package's current version, for a database that every layer
/// installing or removing packages rewrites (dpkg's status file, rpm's database): from the
/// layer of the final database back, the earliest of the unbroken run of layers whose copy
/// still lists the package at that version. The one attribution walk every such reader uses.
pub struct Installs {
    final_layer: usize,
    /// Each layer that wrote the database, up to the final one: name → version.
    snapshots: Vec<(usize, HashMap<String, String>)>,
}

impl Installs {
    /// `snapshots`: (layer, the database's packages as that layer wrote it), oldest first;
    /// layers after `final_layer` are ignored.
    pub fn new(final_layer: usize, snapshots: impl IntoIterator<Item = (usize, HashMap<String, String>)>) -> Installs {
        Installs { final_layer, snapshots: snapshots.into_iter().filter(|(l, _)| *l <= final_layer).collect() }
    }

    /// The layer that installed `name` at `version`.
    pub fn layer_of(&self, name: &str, version: &str) -> usize {
        let mut layer = self.final_layer;
        for (l, snapshot) in self.snapshots.iter().rev() {
            if snapshot.get(name).is_some_and(|v| v == version) {
                layer = *l;
            } else {
                break;
            }
        }
        layer
    }
}

/// The final filesystem, with top-level directory links resolved the way a path lookup
/// would (`bin/bash` → `usr/bin/bash` on a merged-/usr system).
pub struct Fs<'a> {
    files: &'a BTreeMap<String, (usize, u64)>,
    links: HashMap<String, String>,
}

impl<'a> Fs<'a> {
    pub fn new(files: &'a BTreeMap<String, (usize, u64)>, captured: &[Captured]) -> Fs<'a> {
        let mut links = HashMap::new();
        for c in captured {
            for (from, to) in &c.links {
                // only links that survive
                if files.contains_key(from) {
                    links.insert(from.clone(), to.trim_start_matches('/').trim_end_matches('/').to_owned());
                }
            }
        }
        Fs { files, links }
    }

    /// The surviving entry at `path` (absolute or not), following a top-level link.
    pub fn get(&self, path: &str) -> Option<(&str, usize, u64)> {
        let p = path.trim_start_matches('/');
        if let Some((k, (l, s))) = self.files.get_key_value(p) {
            return Some((k.as_str(), *l, *s));
        }
        let (top, rest) = p.split_once('/')?;
        let target = self.links.get(top)?;
        let resolved = format!("{target}/{rest}");
        self.files.get_key_value(&resolved).map(|(k, (l, s))| (k.as_str(), *l, *s))
    }

    /// Every surviving path under `dir/`.
    pub fn under(&self, dir: &str) -> impl Iterator<Item = (&'a String, &'a (usize, u64))> {
        let prefix = format!("{}/", dir.trim_start_matches('/'));
        self.files.range(prefix.clone()..).take_while(move |(k, _)| k.starts_with(&prefix))
    }
}

/// Read every ecosystem's packages from the layers' captures and the final filesystem.
pub fn inventory(captured: &[Captured], files: &BTreeMap<String, (usize, u64)>) -> Inventory {
    let image = Image::new(captured, files);
    let mut found: Vec<(Package, Vec<String>)> = READERS.iter().flat_map(|r| r.read(&image)).collect();
    let mut inv = Inventory::default();
    for r in READERS {
        inv.notes.extend(r.notes(&image, &found));
    }
    let mut owned: HashSet<String> = HashSet::new();
    for (_, paths) in &found {
        for path in paths {
            if let Some((k, _, _)) = image.fs.get(path) {
                owned.insert(k.to_owned());
            }
        }
    }
    for r in READERS {
        for (i, path, size) in r.unlisted(&image, &found, &owned) {
            found[i].0.extra_bytes += size;
            owned.insert(path);
        }
    }
    inv.packages.extend(found.into_iter().map(|(p, _)| p));
    for (path, (_, size)) in files {
        if *size > 0 && !owned.contains(path.as_str()) {
            *inv.unpackaged.entry(top_folder(path)).or_default() += size;
        }
    }
    inv.packages.sort_by(|a, b| (a.ecosystem, &a.name, &a.location).cmp(&(b.ecosystem, &b.name, &b.location)));
    inv
}

/// `/usr/local`, `/app`: the folder a reader recognises a stray file by.
fn top_folder(path: &str) -> String {
    let mut parts = path.split('/');
    let first = parts.next().unwrap_or("");
    match (first, parts.next()) {
        ("usr" | "var" | "opt" | "srv" | "home", Some(second)) if parts.next().is_some() => {
            format!("/{first}/{second}")
        }
        _ if path.contains('/') => format!("/{first}"),
        _ => "/".to_owned(),
    }
}

/// A package that changed between the base and the head.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Changed {
    pub ecosystem: Ecosystem,
    pub name: String,
    pub from: String,
    pub to: String,
    pub bytes_delta: i64,
    /// The head's layer that installed it.
    pub layer: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// An added or removed package, with the line that added it (head) or had it (base).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    #[serde(flatten)]
    pub package: Package,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

/// The same package (ecosystem, name and version) on both sides, in another place (a
/// Python package moved from the system site-packages into `/venv`): one move, not one
/// package added and one removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    pub ecosystem: Ecosystem,
    pub name: String,
    pub version: String,
    /// Where the base had it, and where the head has it.
    pub from: Option<String>,
    pub to: Option<String>,
    pub bytes_delta: i64,
    /// The head's line that installed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

/// Packages added, removed, changed and moved, head against base, largest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PackageDelta {
    pub added: Vec<Entry>,
    pub removed: Vec<Entry>,
    /// A new version, or the same version with other bytes.
    pub changed: Vec<Changed>,
    /// The same version in another place.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub moved: Vec<Moved>,
    pub unpackaged_bytes_delta: i64,
    /// Files no package owns, by top folder, where they changed: largest change first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unpackaged: Vec<(String, i64)>,
}

impl PackageDelta {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty() && self.moved.is_empty()
    }
}

/// Compare two inventories. `head_line`/`base_line` map a layer to its Dockerfile line.
pub fn delta(
    base: &Inventory,
    head: &Inventory,
    base_line: &dyn Fn(usize) -> Option<usize>,
    head_line: &dyn Fn(usize) -> Option<usize>,
) -> PackageDelta {
    let before: HashMap<_, &Package> = base.packages.iter().map(|p| (p.key(), p)).collect();
    let after: HashMap<_, &Package> = head.packages.iter().map(|p| (p.key(), p)).collect();
    let mut d = PackageDelta::default();
    for p in &head.packages {
        match before.get(&p.key()) {
            None => d.added.push(Entry { package: p.clone(), line: head_line(p.layer) }),
            Some(old) if old.version != p.version || old.bytes != p.bytes => d.changed.push(Changed {
                ecosystem: p.ecosystem,
                name: p.name.clone(),
                from: old.version.clone(),
                to: p.version.clone(),
                bytes_delta: p.bytes as i64 - old.bytes as i64,
                layer: p.layer,
                line: head_line(p.layer),
                location: p.location.clone(),
            }),
            Some(_) => {}
        }
    }
    for p in &base.packages {
        if !after.contains_key(&p.key()) {
            d.removed.push(Entry { package: p.clone(), line: base_line(p.layer) });
        }
    }
    // an addition and a removal of the same version elsewhere are one move
    let added = std::mem::take(&mut d.added);
    for a in added {
        let same = d.removed.iter().position(|r| {
            let (p, q) = (&a.package, &r.package);
            p.ecosystem == q.ecosystem && p.name == q.name && p.version == q.version
        });
        match same {
            Some(i) => {
                let r = d.removed.remove(i);
                d.moved.push(Moved {
                    ecosystem: a.package.ecosystem,
                    name: a.package.name.clone(),
                    version: a.package.version.clone(),
                    from: r.package.location.clone(),
                    to: a.package.location.clone(),
                    bytes_delta: a.package.bytes as i64 - r.package.bytes as i64,
                    line: a.line,
                });
            }
            None => d.added.push(a),
        }
    }
    d.moved.sort_by(|a, b| b.bytes_delta.unsigned_abs().cmp(&a.bytes_delta.unsigned_abs()).then(a.name.cmp(&b.name)));
    d.added.sort_by(|a, b| b.package.bytes.cmp(&a.package.bytes).then(a.package.name.cmp(&b.package.name)));
    d.removed.sort_by(|a, b| b.package.bytes.cmp(&a.package.bytes).then(a.package.name.cmp(&b.package.name)));
    d.changed.sort_by(|a, b| b.bytes_delta.unsigned_abs().cmp(&a.bytes_delta.unsigned_abs()).then(a.name.cmp(&b.name)));
    let sum = |i: &Inventory| i.unpackaged.values().sum::<u64>() as i64;
    d.unpackaged_bytes_delta = sum(head) - sum(base);
    let folders: std::collections::BTreeSet<&String> = base.unpackaged.keys().chain(head.unpackaged.keys()).collect();
    let bytes = |i: &Inventory, f: &str| i.unpackaged.get(f).copied().unwrap_or(0) as i64;
    d.unpackaged = folders
        .into_iter()
        .map(|f| (f.clone(), bytes(head, f) - bytes(base, f)))
        .filter(|(_, delta)| *delta != 0)
        .collect();
    d.unpackaged.sort_by(|a, b| b.1.unsigned_abs().cmp(&a.1.unsigned_abs()).then(a.0.cmp(&b.0)));
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(name: &str, version: &str, bytes: u64, layer: usize) -> Package {
        Package::new(Ecosystem::Deb, name, version, bytes, layer)
    }

    #[test]
    fn delta_adds_removes_and_changes_largest_first() {
        let base = Inventory {
            packages: vec![pkg("libc6", "2.36-9", 12, 0), pkg("perl", "5.36", 40, 0), pkg("tzdata", "a", 3, 0)],
            ..Default::default()
        };
        let head = Inventory {
            packages: vec![
                pkg("libc6", "2.36-9+deb12u4", 13, 0),
                pkg("gcc-12", "12.2", 50, 1),
                pkg("cpp-12", "12.2", 30, 1),
                pkg("tzdata", "a", 3, 0),
            ],
            ..Default::default()
        };
        let d = delta(&base, &head, &|_| Some(1), &|l| (l == 1).then_some(4));
        let added: Vec<(&str, Option<usize>)> = d.added.iter().map(|e| (e.package.name.as_str(), e.line)).collect();
        assert_eq!(added, [("gcc-12", Some(4)), ("cpp-12", Some(4))]);
        assert_eq!(d.removed[0].package.name, "perl");
        assert_eq!(
            (d.changed[0].from.as_str(), d.changed[0].to.as_str(), d.changed[0].bytes_delta),
            ("2.36-9", "2.36-9+deb12u4", 1)
        );
    }

    /// The same version in another place is one move with its byte change, not an addition
    /// and a removal; another version in another place stays both.
    #[test]
    fn a_package_in_another_place_is_moved() {
        let at = |name: &str, version: &str, bytes: u64, location: Option<&str>| Package {
            location: location.map(String::from),
            ..Package::new(Ecosystem::Pip, name, version, bytes, 1)
        };
        let base = Inventory {
            packages: vec![at("Flask", "3.1.3", 748_470, Some("/venv")), at("click", "8.1", 1_000, Some("/venv"))],
            ..Default::default()
        };
        let head = Inventory {
            packages: vec![at("Flask", "3.1.3", 748_590, None), at("click", "8.2", 1_100, None)],
            ..Default::default()
        };
        let d = delta(&base, &head, &|_| Some(7), &|_| Some(5));
        assert_eq!(
            d.moved,
            vec![Moved {
                ecosystem: Ecosystem::Pip,
                name: "Flask".into(),
                version: "3.1.3".into(),
                from: Some("/venv".into()),
                to: None,
                bytes_delta: 120,
                line: Some(5),
            }]
        );
        assert_eq!(d.added.iter().map(|e| e.package.name.as_str()).collect::<Vec<_>>(), ["click"]);
        assert_eq!(d.removed.iter().map(|e| e.package.name.as_str()).collect::<Vec<_>>(), ["click"]);
    }

    #[test]
    fn each_file_goes_to_the_reader_that_needs_it() {
        let who = |path: &str, mode: u32, size: u64| capture(path, mode, size).map(|(r, c)| (r.ecosystem(), c));
        assert_eq!(who("var/lib/dpkg/status", 0o644, 10), Some((Ecosystem::Deb, Capture::Text(MAX_TEXT))));
        assert_eq!(who("var/lib/dpkg/info/curl.list", 0o644, 10), Some((Ecosystem::Deb, Capture::Text(MAX_TEXT))));
        assert_eq!(who("lib/apk/db/installed", 0o644, 10), Some((Ecosystem::Apk, Capture::Text(MAX_TEXT))));
        assert_eq!(who("var/lib/rpm/rpmdb.sqlite-wal", 0o644, 10), Some((Ecosystem::Rpm, Capture::Bytes)));
        let meta = "usr/lib/python3/site-packages/six-1.16.0.dist-info/METADATA";
        assert_eq!(who(meta, 0o644, 10), Some((Ecosystem::Pip, Capture::Text(8 * 1024))));
        assert_eq!(who("app/node_modules/a/package.json", 0o644, 10), Some((Ecosystem::Npm, Capture::Text(1 << 20))));
        assert_eq!(who("usr/local/bin/app", 0o755, 2 << 20), Some((Ecosystem::Go, Capture::Stream)));
        assert_eq!(who("usr/local/bin/tiny", 0o755, 100), None, "too small to be a Go binary");
        assert_eq!(who("etc/hostname", 0o644, 10), None);
    }

    /// The walk deb and rpm share: a package's layer is where its current version arrived,
    /// not where the database was last written.
    #[test]
    fn installs_walk_back_to_the_layer_of_the_current_version() {
        let snap = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
        };
        let installs = Installs::new(
            4,
            [
                (0, snap(&[("libc6", "2.36"), ("curl", "7")])),
                (1, snap(&[("libc6", "2.36"), ("curl", "7"), ("gcc", "12")])),
                // layer 2 does not touch the database
                (3, snap(&[("libc6", "2.36"), ("curl", "8"), ("gcc", "12")])),
                (4, snap(&[("libc6", "2.36"), ("curl", "8"), ("gcc", "12"), ("make", "4")])),
                (5, snap(&[("later", "1")])),
            ],
        );
        assert_eq!(installs.layer_of("libc6", "2.36"), 0);
        assert_eq!(installs.layer_of("gcc", "12"), 1);
        assert_eq!(installs.layer_of("curl", "8"), 3, "upgraded in layer 3");
        assert_eq!(installs.layer_of("make", "4"), 4);
        assert_eq!(installs.layer_of("later", "1"), 4, "a layer past the final database is not read");
    }

    #[test]
    fn top_folders() {
        assert_eq!(top_folder("usr/local/lib/python3.9/x.py"), "/usr/local");
        assert_eq!(top_folder("app/main.py"), "/app");
        assert_eq!(top_folder("usr/bin"), "/usr");
        assert_eq!(top_folder("hello"), "/");
    }
}
