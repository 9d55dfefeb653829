//! Debian packages: `/var/lib/dpkg/status` says what is installed (and each package's
//! Depends, Pre-Depends, Recommends, Provides), `/var/lib/dpkg/info/<name>[:<arch>].list`
//! lists its files, and apt's `/var/lib/apt/extended_states` marks what apt installed as a
//! dependency (`Auto-Installed: 1`). Bytes are the package's regular files in the image, not
//! the `Installed-Size` estimate.

use std::collections::{HashMap, HashSet, VecDeque};

use super::{Capture, Ecosystem, Image, Installs, Package, Reader, MAX_TEXT};

/// The dpkg reader.
pub struct Deb;

pub const STATUS: &str = "var/lib/dpkg/status";
pub const INFO: &str = "var/lib/dpkg/info/";
pub const EXTENDED_STATES: &str = "var/lib/apt/extended_states";

/// One paragraph of a control file: field → value (continuation lines joined).
fn paragraphs(text: &str) -> Vec<HashMap<String, String>> {
    let mut out = Vec::new();
    let mut cur: HashMap<String, String> = HashMap::new();
    let mut last: Option<String> = None;
    for line in text.lines() {
        if line.trim().is_empty() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            last = None;
        } else if line.starts_with(' ') || line.starts_with('\t') {
            if let Some(v) = last.as_ref().and_then(|k| cur.get_mut(k)) {
                v.push('\n');
                v.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            cur.insert(k.trim().to_owned(), v.trim().to_owned());
            last = Some(k.trim().to_owned());
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// An installed package of the status file.
#[derive(Debug, Clone)]
pub struct Installed {
    pub name: String,
    pub version: String,
    pub arch: String,
    /// Depends and Pre-Depends: every alternative's name.
    pub depends: Vec<String>,
    pub recommends: Vec<String>,
    pub provides: Vec<String>,
}

/// `a (>= 1) | b, c:any` → `[a, b, c]`.
fn names(field: Option<&String>) -> Vec<String> {
    field
        .map(|v| {
            v.split([',', '|'])
                .filter_map(|alt| alt.split_whitespace().next())
                .map(|n| n.split(':').next().unwrap_or(n).to_owned())
                .filter(|n| !n.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// The installed packages of a status file.
pub fn installed(status: &str) -> Vec<Installed> {
    paragraphs(status)
        .into_iter()
        .filter(|p| p.get("Status").is_some_and(|s| s.ends_with(" installed")))
        .filter_map(|p| {
            let mut depends = names(p.get("Depends"));
            depends.extend(names(p.get("Pre-Depends")));
            Some(Installed {
                name: p.get("Package")?.clone(),
                version: p.get("Version").cloned().unwrap_or_default(),
                arch: p.get("Architecture").cloned().unwrap_or_default(),
                depends,
                recommends: names(p.get("Recommends")),
                provides: names(p.get("Provides")),
            })
        })
        .collect()
}

/// Package names apt marked as automatically installed.
fn auto_installed(text: &str) -> HashSet<String> {
    paragraphs(text)
        .into_iter()
        .filter(|p| p.get("Auto-Installed").is_some_and(|v| v == "1"))
        .filter_map(|p| p.get("Package").cloned())
        .collect()
}

/// Everything reachable from `roots` over `edges` (with virtual packages resolved through
/// Provides), by name.
fn closure<'a>(
    roots: impl Iterator<Item = &'a str>,
    by_name: &HashMap<&str, &'a Installed>,
    providers: &HashMap<&str, Vec<&'a str>>,
    recommends: bool,
) -> HashMap<String, String> {
    // name → the root it was reached from
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut queue: VecDeque<(&str, &str)> = roots.map(|r| (r, r)).collect();
    while let Some((name, root)) = queue.pop_front() {
        if seen.contains_key(name) {
            continue;
        }
        seen.insert(name.to_owned(), root.to_owned());
        let Some(p) = by_name.get(name) else { continue };
        let next = p.depends.iter().chain(if recommends { p.recommends.iter() } else { [].iter() });
        for n in next {
            if by_name.contains_key(n.as_str()) {
                queue.push_back((by_name[n.as_str()].name.as_str(), root));
            }
            for prov in providers.get(n.as_str()).into_iter().flatten() {
                queue.push_back((prov, root));
            }
        }
    }
    seen
}

impl Reader for Deb {
    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Deb
    }

    fn capture(&self, path: &str, _mode: u32, _size: u64) -> Option<Capture> {
        let list = path.starts_with(INFO) && path.ends_with(".list");
        (path == STATUS || path == EXTENDED_STATES || list).then_some(Capture::Text(MAX_TEXT))
    }

    fn read(&self, image: &Image) -> Vec<(Package, Vec<String>)> {
        read(image)
    }

    fn notes(&self, _image: &Image, found: &[(Package, Vec<String>)]) -> Vec<String> {
        let unlisted = found.iter().filter(|(p, paths)| p.ecosystem == Ecosystem::Deb && paths.is_empty()).count();
        if unlisted == 0 {
            return Vec::new();
        }
        vec![format!(
            "{unlisted} deb package(s) have no file list in /var/lib/dpkg/info (removed from the image?): their bytes are counted as 0 and their files as unpackaged"
        )]
    }

    /// Files dpkg keeps for a package, and files its maintainer scripts made in its folders.
    fn unlisted(
        &self,
        image: &Image,
        found: &[(Package, Vec<String>)],
        owned: &HashSet<String>,
    ) -> Vec<(usize, String, u64)> {
        generated(found, image, owned)
    }
}

/// The deb packages of the image, each with the paths it owns.
fn read(image: &Image) -> Vec<(Package, Vec<String>)> {
    let Some(status_layer) = image.layer_of(STATUS) else { return Vec::new() };
    let Some(status) = image.text_at(status_layer, STATUS) else { return Vec::new() };
    let list = installed(status);
    // each layer that rewrote the status file: what it had installed, to find the layer
    // that installed each package's current version
    let snapshots = (0..=status_layer).filter_map(|i| {
        let text = image.text_at(i, STATUS)?;
        Some((i, installed(text).into_iter().map(|p| (p.name, p.version)).collect()))
    });
    let installs = Installs::new(status_layer, snapshots);
    let auto = image.final_text(EXTENDED_STATES).map(auto_installed).unwrap_or_default();
    let by_name: HashMap<&str, &Installed> = list.iter().map(|p| (p.name.as_str(), p)).collect();
    let mut providers: HashMap<&str, Vec<&str>> = HashMap::new();
    for p in &list {
        for v in &p.provides {
            providers.entry(v.as_str()).or_default().push(p.name.as_str());
        }
    }
    let layers: Vec<usize> = list.iter().map(|p| installs.layer_of(&p.name, &p.version)).collect();
    // per layer, what its requested packages pulled in (Depends, then Recommends), and what
    // their Depends alone would have
    let mut via: HashMap<(usize, String), String> = HashMap::new();
    let mut needed: HashSet<(usize, String)> = HashSet::new();
    for layer in layers.iter().copied().collect::<std::collections::BTreeSet<_>>() {
        let mut requested: Vec<&str> = list
            .iter()
            .zip(&layers)
            .filter(|(p, l)| **l == layer && !auto.contains(&p.name))
            .map(|(p, _)| p.name.as_str())
            .collect();
        requested.sort();
        for (name, root) in closure(requested.iter().copied(), &by_name, &providers, true) {
            if name != root {
                via.insert((layer, name), root);
            }
        }
        for name in closure(requested.iter().copied(), &by_name, &providers, false).into_keys() {
            needed.insert((layer, name));
        }
    }
    list.iter()
        .zip(&layers)
        .map(|(p, &layer)| {
            let listing = [format!("{INFO}{}:{}.list", p.name, p.arch), format!("{INFO}{}.list", p.name)]
                .into_iter()
                .find_map(|path| image.final_text(&path))
                .unwrap_or("");
            let paths: Vec<String> =
                listing.lines().map(str::trim).filter(|l| !l.is_empty() && *l != "/.").map(String::from).collect();
            let mut seen = HashSet::new();
            let bytes = paths
                .iter()
                .filter_map(|path| image.fs.get(path))
                .filter(|(k, _, _)| seen.insert(k.to_string()))
                .map(|(_, _, size)| size)
                .sum();
            let requested = !auto.contains(&p.name);
            let package = Package {
                requested: Some(requested),
                via: if requested { None } else { via.get(&(layer, p.name.clone())).cloned() },
                recommended: !requested && !needed.contains(&(layer, p.name.clone())),
                ..Package::new(Ecosystem::Deb, &p.name, &p.version, bytes, layer)
            };
            (package, paths)
        })
        .collect()
}

/// Files no package lists that still belong to a deb package: its dpkg metadata
/// (`/var/lib/dpkg/info/<name>[:<arch>].*`), and a file its maintainer scripts made in a
/// folder it owns (`/etc/ssl/certs/ca-certificates.crt`), when at most three packages list
/// that folder (the first by name takes it); caches and logs stay unpackaged. Returns (index
/// in `found`, path, bytes).
fn generated(found: &[(Package, Vec<String>)], image: &Image, owned: &HashSet<String>) -> Vec<(usize, String, u64)> {
    let debs: HashMap<&str, usize> = found
        .iter()
        .enumerate()
        .filter(|(_, (p, _))| p.ecosystem == Ecosystem::Deb)
        .map(|(i, (p, _))| (p.name.as_str(), i))
        .collect();
    if debs.is_empty() {
        return Vec::new();
    }
    let mut folder_owners: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, (p, paths)) in found.iter().enumerate() {
        if p.ecosystem != Ecosystem::Deb {
            continue;
        }
        for path in paths {
            if let Some((k, _, 0)) = image.fs.get(path) {
                folder_owners.entry(k).or_default().push(i);
            }
        }
    }
    let mut out = Vec::new();
    for (path, (_, size)) in image.files {
        // caches and logs are apt's and dpkg's working files, not a package's: left unpackaged
        let scratch =
            ["var/cache/", "var/log/", "var/lib/apt/", "var/tmp/", "tmp/"].iter().any(|d| path.starts_with(d));
        if *size == 0 || owned.contains(path) || scratch {
            continue;
        }
        let owner = match path.strip_prefix(INFO) {
            Some(file) => {
                let stem = file.split('.').next().unwrap_or(file);
                debs.get(stem.split(':').next().unwrap_or(stem)).copied()
            }
            None => {
                let parent = path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
                match folder_owners.get(parent) {
                    Some(owners) if owners.len() <= 3 => owners.iter().min_by_key(|i| &found[**i].0.name).copied(),
                    _ => None,
                }
            }
        };
        if let Some(i) = owner {
            out.push((i, path.clone(), *size));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::Captured;
    use super::*;

    const STATUS_TEXT: &str = "Package: curl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 7.88.1-10\nDepends: libc6 (>= 2.34), libcurl4 (= 7.88.1-10)\nRecommends: ca-certificates\nDescription: tool\n multi-line\n\nPackage: libcurl4\nStatus: install ok installed\nArchitecture: amd64\nVersion: 7.88.1-10\nDepends: libc6, libssl3 | libssl-compat\n\nPackage: libssl3\nStatus: install ok installed\nArchitecture: amd64\nVersion: 3.0.11\n\nPackage: ca-certificates\nStatus: install ok installed\nArchitecture: all\nVersion: 20230311\nDepends: openssl\n\nPackage: openssl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 3.0.11\n\nPackage: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36\n\nPackage: gone\nStatus: deinstall ok config-files\nVersion: 1\n";

    #[test]
    fn installed_packages_and_their_dependencies() {
        let list = installed(STATUS_TEXT);
        let names: Vec<&str> = list.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            ["curl", "libcurl4", "libssl3", "ca-certificates", "openssl", "libc6"],
            "config-files only is not installed"
        );
        assert_eq!(list[1].depends, ["libc6", "libssl3", "libssl-compat"]);
        assert_eq!(list[0].recommends, ["ca-certificates"]);
    }

    #[test]
    fn bytes_layers_requested_and_via() {
        let base_status = "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36\n";
        let captured = vec![
            Captured {
                files: vec![
                    (STATUS.into(), base_status.into()),
                    (format!("{INFO}libc6:amd64.list"), "/.\n/usr\n/usr/lib/libc.so.6\n".into()),
                ],
                links: vec![("lib".into(), "usr/lib".into())],
                ..Default::default()
            },
            Captured {
                files: vec![
                    (STATUS.into(), STATUS_TEXT.into()),
                    (
                        EXTENDED_STATES.into(),
                        ["libcurl4", "libssl3", "ca-certificates", "openssl"]
                            .map(|p| format!("Package: {p}\nArchitecture: amd64\nAuto-Installed: 1\n"))
                            .join("\n"),
                    ),
                    (format!("{INFO}curl.list"), "/usr/bin/curl\n/lib/libcurl.so.4\n".into()),
                ],
                ..Default::default()
            },
        ];
        let mut files = BTreeMap::new();
        files.insert("lib".to_string(), (0, 0));
        files.insert("usr/lib/libc.so.6".to_string(), (0, 2_000_000));
        files.insert("usr/bin/curl".to_string(), (1, 300_000));
        files.insert("usr/lib/libcurl.so.4".to_string(), (1, 700_000));
        files.insert(STATUS.to_string(), (1, 10));
        files.insert(EXTENDED_STATES.to_string(), (1, 10));
        files.insert(format!("{INFO}libc6:amd64.list"), (0, 10));
        files.insert(format!("{INFO}curl.list"), (1, 10));
        let found = Deb.read(&Image::new(&captured, &files));
        let get = |n: &str| found.iter().map(|(p, _)| p).find(|p| p.name == n).unwrap().clone();
        let curl = get("curl");
        assert_eq!((curl.bytes, curl.layer, curl.requested), (1_000_000, 1, Some(true)), "through the /lib link");
        let libc = get("libc6");
        assert_eq!((libc.bytes, libc.layer), (2_000_000, 0), "installed by the first layer, unchanged since");
        let ssl = get("libssl3");
        assert_eq!((ssl.requested, ssl.via.as_deref(), ssl.recommended), (Some(false), Some("curl"), false));
        // curl Recommends ca-certificates, which Depends on openssl: both only recommended
        let (ca, openssl) = (get("ca-certificates"), get("openssl"));
        assert!(ca.recommended && openssl.recommended, "{ca:?} {openssl:?}");
        assert_eq!(openssl.via.as_deref(), Some("curl"));
    }
}
