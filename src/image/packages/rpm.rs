//! rpm packages: rpm 4.16 and later keep the database in SQLite
//! (`/var/lib/rpm/rpmdb.sqlite`, or `/usr/lib/sysimage/rpm/` on Fedora), one header blob per
//! package in the `Packages` table. A header is rpm's tagged binary format: an index of
//! (tag, type, offset, count) entries over a data store. The name, version, release, epoch
//! and the file list (`BASENAMES`, `DIRNAMES`, `DIRINDEXES`) are read from it; bytes are the
//! listed files as they are in the image. A BerkeleyDB database (`/var/lib/rpm/Packages`,
//! older distributions) is not read, and the inventory says so.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{Capture, Captured, Ecosystem, Image, Installs, Package, Reader};

/// The rpm reader.
pub struct Rpm;

/// Where rpm keeps its SQLite database.
pub const DBS: [&str; 2] = ["var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite"];
/// The BerkeleyDB database of rpm before 4.16.
pub const BDB: &str = "var/lib/rpm/Packages";

/// One installed package, as its header says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub name: String,
    /// `[epoch:]version-release`, as `rpm -q` shows it (epoch only when set).
    pub version: String,
    pub files: Vec<String>,
}

const NAME: i32 = 1000;
const VERSION: i32 = 1001;
const RELEASE: i32 = 1002;
const EPOCH: i32 = 1003;
const DIRINDEXES: i32 = 1116;
const BASENAMES: i32 = 1117;
const DIRNAMES: i32 = 1118;

const INT32: i32 = 4;
const STRING: i32 = 6;
const STRING_ARRAY: i32 = 8;
const I18NSTRING: i32 = 9;

fn be32(b: &[u8], at: usize) -> Option<i32> {
    b.get(at..at + 4).map(|s| i32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

/// The strings of a header entry (a STRING, a STRING_ARRAY, an I18N string).
fn strings(data: &[u8], offset: usize, count: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(count);
    let mut at = offset;
    for _ in 0..count {
        let Some(rest) = data.get(at..) else { break };
        let end = rest.iter().position(|&c| c == 0).unwrap_or(rest.len());
        out.push(String::from_utf8_lossy(&rest[..end]).into_owned());
        at += end + 1;
    }
    out
}

/// Parse one header blob (as the `Packages` table stores it: no magic, the index count and
/// data length first).
pub fn parse_header(blob: &[u8]) -> Option<Record> {
    let il = usize::try_from(be32(blob, 0)?).ok()?;
    let dl = usize::try_from(be32(blob, 4)?).ok()?;
    let store = 8 + il.checked_mul(16)?;
    let data = blob.get(store..store.checked_add(dl)?)?;
    let mut entries: HashMap<i32, (i32, usize, usize)> = HashMap::new();
    for i in 0..il {
        let at = 8 + i * 16;
        let (tag, kind, offset, count) =
            (be32(blob, at)?, be32(blob, at + 4)?, be32(blob, at + 8)?, be32(blob, at + 12)?);
        entries.insert(tag, (kind, usize::try_from(offset).ok()?, usize::try_from(count).ok()?));
    }
    let text = |tag: i32| -> Option<String> {
        let (kind, offset, count) = *entries.get(&tag)?;
        matches!(kind, STRING | STRING_ARRAY | I18NSTRING)
            .then(|| strings(data, offset, count.max(1)).into_iter().next())?
    };
    let list = |tag: i32| -> Vec<String> {
        match entries.get(&tag) {
            Some(&(STRING_ARRAY, offset, count)) => strings(data, offset, count),
            _ => Vec::new(),
        }
    };
    let ints = |tag: i32| -> Vec<i32> {
        match entries.get(&tag) {
            // no more values than the data holds, whatever the count says
            Some(&(INT32, offset, count)) => {
                (0..count.min(data.len() / 4)).map_while(|i| be32(data, offset + 4 * i)).collect()
            }
            _ => Vec::new(),
        }
    };
    let name = text(NAME)?;
    let mut version = format!("{}-{}", text(VERSION).unwrap_or_default(), text(RELEASE).unwrap_or_default());
    if let Some(epoch) = ints(EPOCH).first() {
        version = format!("{epoch}:{version}");
    }
    let (base, dirs, index) = (list(BASENAMES), list(DIRNAMES), ints(DIRINDEXES));
    let files = base
        .iter()
        .zip(&index)
        .filter_map(|(b, &i)| dirs.get(usize::try_from(i).ok()?).map(|d| format!("{d}{b}")))
        .collect();
    Some(Record { name, version, files })
}

/// The packages of an rpmdb.sqlite, with its write-ahead log when the layer has one (what
/// rpm wrote last may still be there). SQLite reads files, so the bytes go to a private
/// temporary folder first.
pub fn parse_db(bytes: &[u8], wal: Option<&[u8]>) -> Result<Vec<Record>, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("no temporary folder: {e}"))?;
    let path = dir.path().join("rpmdb.sqlite");
    std::fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    if let Some(wal) = wal.filter(|w| !w.is_empty()) {
        std::fs::write(dir.path().join("rpmdb.sqlite-wal"), wal).map_err(|e| format!("cannot write the WAL: {e}"))?;
    }
    let db = rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| e.to_string())?;
    let mut query = db.prepare("SELECT blob FROM Packages").map_err(|e| e.to_string())?;
    let blobs = query.query_map([], |row| row.get::<_, Vec<u8>>(0)).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for blob in blobs {
        let blob = blob.map_err(|e| e.to_string())?;
        if let Some(r) = parse_header(&blob) {
            out.push(r);
        }
    }
    Ok(out)
}

impl Reader for Rpm {
    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Rpm
    }

    /// The database and its write-ahead log: SQLite reads them together, at the layer's end.
    fn capture(&self, path: &str, _mode: u32, _size: u64) -> Option<Capture> {
        DBS.iter().any(|d| path == *d || path.strip_suffix("-wal") == Some(d)).then_some(Capture::Bytes)
    }

    /// An rpm database is read once the layer's copy of its write-ahead log is known too.
    fn bytes(&self, files: &[(String, Vec<u8>)], into: &mut Captured) {
        for (path, bytes) in files.iter().filter(|(p, _)| !p.ends_with("-wal")) {
            let wal = files.iter().find(|(p, _)| p.strip_suffix("-wal") == Some(path)).map(|(_, b)| b.as_slice());
            match parse_db(bytes, wal) {
                Ok(records) => into.rpm.push((path.clone(), records)),
                Err(e) => into.notes.push(format!("/{path} cannot be read as an rpm database: {e}")),
            }
        }
    }

    /// The rpm packages of the image, each with the paths it owns.
    fn read(&self, image: &Image) -> Vec<(Package, Vec<String>)> {
        let Some((db, final_layer)) = DBS.iter().find_map(|d| Some((*d, image.layer_of(d)?))) else {
            return Vec::new();
        };
        let at =
            |layer: usize| image.captured.get(layer).and_then(|c| c.rpm.iter().find(|(p, _)| p == db)).map(|(_, r)| r);
        let Some(records) = at(final_layer) else { return Vec::new() };
        let snapshots = (0..=final_layer).filter_map(|l| {
            Some((l, at(l)?.iter().map(|x| (x.name.clone(), x.version.clone())).collect::<HashMap<_, _>>()))
        });
        let installs = Installs::new(final_layer, snapshots);
        records
            .iter()
            .map(|r| {
                let layer = installs.layer_of(&r.name, &r.version);
                let bytes = r.files.iter().filter_map(|p| image.fs.get(p)).map(|(_, _, s)| s).sum();
                (Package::new(Ecosystem::Rpm, &r.name, &r.version, bytes, layer), r.files.clone())
            })
            .collect()
    }

    fn notes(&self, image: &Image, _found: &[(Package, Vec<String>)]) -> Vec<String> {
        let mut notes = Vec::new();
        if image.files.contains_key(BDB) && !DBS.iter().any(|d| image.files.contains_key(*d)) {
            notes.push("rpm packages are not listed: /var/lib/rpm/Packages is a BerkeleyDB database (rpm before 4.16), which shiplight does not read".into());
        }
        // what the final database's layer could not read
        for (layer, c) in image.captured.iter().enumerate() {
            if DBS.iter().any(|d| image.layer_of(d) == Some(layer)) {
                notes.extend(c.notes.iter().cloned());
            }
        }
        notes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header with the given string entries (tag, values) and int32 entries.
    fn header(strings_: &[(i32, i32, &[&str])], ints: &[(i32, &[i32])]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data = Vec::new();
        for (tag, kind, values) in strings_ {
            index.push((*tag, *kind, data.len() as i32, values.len() as i32));
            for v in *values {
                data.extend_from_slice(v.as_bytes());
                data.push(0);
            }
        }
        for (tag, values) in ints {
            while data.len() % 4 != 0 {
                data.push(0);
            }
            index.push((*tag, INT32, data.len() as i32, values.len() as i32));
            for v in *values {
                data.extend_from_slice(&v.to_be_bytes());
            }
        }
        let mut blob = Vec::new();
        blob.extend_from_slice(&(index.len() as i32).to_be_bytes());
        blob.extend_from_slice(&(data.len() as i32).to_be_bytes());
        for (tag, kind, offset, count) in index {
            for n in [tag, kind, offset, count] {
                blob.extend_from_slice(&n.to_be_bytes());
            }
        }
        blob.extend_from_slice(&data);
        blob
    }

    #[test]
    fn headers_give_name_version_and_files() {
        let blob = header(
            &[
                (NAME, STRING, &["bash"]),
                (VERSION, STRING, &["5.1.8"]),
                (RELEASE, STRING, &["9.el9"]),
                (BASENAMES, STRING_ARRAY, &["bash", "bashrc"]),
                (DIRNAMES, STRING_ARRAY, &["/usr/bin/", "/etc/skel/"]),
            ],
            &[(DIRINDEXES, &[0, 1]), (EPOCH, &[2])],
        );
        let r = parse_header(&blob).unwrap();
        assert_eq!(r.name, "bash");
        assert_eq!(r.version, "2:5.1.8-9.el9");
        assert_eq!(r.files, ["/usr/bin/bash", "/etc/skel/bashrc"]);
        assert_eq!(parse_header(&blob[..20]), None, "a truncated header is no package");
    }
}
