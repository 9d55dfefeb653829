//! npm packages: every `node_modules/<name>/package.json` (and `@scope/<name>`), nested trees
//! included. Bytes are the package folder's files, without its own nested `node_modules`.

use super::{Capture, Ecosystem, Image, Package, Reader};

/// The npm reader.
pub struct Npm;

impl Reader for Npm {
    fn ecosystem(&self) -> Ecosystem {
        Ecosystem::Npm
    }

    fn capture(&self, path: &str, _mode: u32, _size: u64) -> Option<Capture> {
        is_manifest(path).then_some(Capture::Text(1024 * 1024))
    }

    fn read(&self, image: &Image) -> Vec<(Package, Vec<String>)> {
        read(image)
    }
}

/// `…node_modules/<name>/package.json` or `…node_modules/@scope/<name>/package.json`.
pub fn is_manifest(path: &str) -> bool {
    let Some(dir) = path.strip_suffix("/package.json") else { return false };
    let parts: Vec<&str> = dir.rsplitn(3, '/').collect();
    match parts.as_slice() {
        [name, "node_modules", ..] => !name.starts_with('.') && !name.starts_with('@'),
        [name, scope, rest] => {
            scope.starts_with('@') && (*rest == "node_modules" || rest.ends_with("/node_modules")) && !name.is_empty()
        }
        _ => false,
    }
}

/// The npm packages of the image, each with the paths it owns.
fn read(image: &Image) -> Vec<(Package, Vec<String>)> {
    let mut out = Vec::new();
    for (layer, c) in image.captured.iter().enumerate() {
        for (path, text) in &c.files {
            // the surviving copy only
            if !is_manifest(path) || image.layer_of(path) != Some(layer) {
                continue;
            }
            let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else { continue };
            let (Some(name), Some(version)) = (json["name"].as_str(), json["version"].as_str()) else { continue };
            let dir = path.trim_end_matches("/package.json");
            let nested = format!("{dir}/node_modules/");
            let owned: Vec<(String, u64)> = image
                .fs
                .under(dir)
                .filter(|(p, _)| !p.starts_with(&nested))
                .map(|(p, (_, s))| (p.clone(), *s))
                .collect();
            let location = dir.rsplit_once("/node_modules/").map(|(root, _)| format!("/{root}/node_modules"));
            let package = Package {
                location: Some(location.unwrap_or_else(|| "/node_modules".into())),
                ..Package::new(Ecosystem::Npm, name, version, owned.iter().map(|(_, s)| s).sum(), layer)
            };
            out.push((package, owned.into_iter().map(|(p, _)| p).collect()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::Captured;
    use super::*;

    #[test]
    fn manifests_of_packages_not_of_projects() {
        assert!(is_manifest("app/node_modules/express/package.json"));
        assert!(is_manifest("app/node_modules/@types/node/package.json"));
        assert!(is_manifest("app/node_modules/a/node_modules/b/package.json"));
        assert!(!is_manifest("app/package.json"));
        assert!(!is_manifest("app/node_modules/express/lib/package.json"));
        assert!(!is_manifest("app/node_modules/.bin/package.json"));
    }

    #[test]
    fn nested_trees_are_their_own_packages() {
        let captured = vec![Captured {
            files: vec![
                ("app/node_modules/a/package.json".into(), r#"{"name":"a","version":"1.0.0"}"#.into()),
                ("app/node_modules/a/node_modules/b/package.json".into(), r#"{"name":"b","version":"2.0.0"}"#.into()),
            ],
            ..Default::default()
        }];
        let mut files = BTreeMap::new();
        for (p, s) in [
            ("app/node_modules/a/package.json", 30u64),
            ("app/node_modules/a/index.js", 100),
            ("app/node_modules/a/node_modules/b/package.json", 30),
            ("app/node_modules/a/node_modules/b/index.js", 7),
        ] {
            files.insert(p.to_string(), (0, s));
        }
        let found = Npm.read(&Image::new(&captured, &files));
        let got: Vec<(&str, u64, Option<&str>)> =
            found.iter().map(|(p, _)| (p.name.as_str(), p.bytes, p.location.as_deref())).collect();
        assert_eq!(got, [("a", 130, Some("/app/node_modules")), ("b", 37, Some("/app/node_modules/a/node_modules"))]);
    }
}
