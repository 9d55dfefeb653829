//! Which stages ship, as a compose file says: the services whose `build` resolves to a
//! Dockerfile, and their `build.target`. Compose files often sit above the Dockerfile
//! (`build: {context: app, target: builder}`), so each service's context and dockerfile are
//! resolved against the compose file's folder before they are compared. Pure: the caller
//! reads the files.

use std::path::{Component, Path, PathBuf};

/// A compose service that builds the Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Build {
    pub service: String,
    /// `build.target`; `None` builds the last stage.
    pub target: Option<String>,
}

/// The file names compose looks for, in its order of preference.
pub const FILE_NAMES: [&str; 4] = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"];

/// `a/./b/../c` → `a/c`, without touching the file system.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The services of compose file `text` (in folder `dir`) that build `dockerfile`. Paths are
/// compared after normalisation, so give `dir` and `dockerfile` in the same form (both
/// canonical, or both relative to one folder). A file that is not YAML is an error.
pub fn builds(text: &str, dir: &Path, dockerfile: &Path) -> Result<Vec<Build>, String> {
    let doc: yaml_serde::Value = yaml_serde::from_str(text).map_err(|e| e.to_string())?;
    let want = normalize(dockerfile);
    let mut out = Vec::new();
    let Some(services) = doc.get("services").and_then(|s| s.as_mapping()) else { return Ok(out) };
    for (name, service) in services {
        let Some(name) = name.as_str() else { continue };
        let Some(build) = service.get("build") else { continue };
        let (context, file, target) = match build {
            yaml_serde::Value::String(context) => (context.as_str(), "Dockerfile", None),
            map => (
                map.get("context").and_then(|c| c.as_str()).unwrap_or("."),
                map.get("dockerfile").and_then(|c| c.as_str()).unwrap_or("Dockerfile"),
                map.get("target").and_then(|t| t.as_str()).map(String::from),
            ),
        };
        // a remote context (git URL) is not this checkout
        if context.contains("://") || context.starts_with("git@") {
            continue;
        }
        if normalize(&dir.join(context).join(file)) == want {
            out.push(Build { service: name.to_owned(), target });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_above_the_dockerfile_resolve_their_context() {
        let text = "services:\n  web:\n    build:\n      context: app\n      target: builder\n  db:\n    image: postgres\n  worker:\n    build: ./app\n  other:\n    build: {context: ., dockerfile: app/Dockerfile.dev, target: dev}\n";
        let found = builds(text, Path::new("/r"), Path::new("/r/app/Dockerfile")).unwrap();
        assert_eq!(
            found,
            [
                Build { service: "web".into(), target: Some("builder".into()) },
                Build { service: "worker".into(), target: None }
            ]
        );
        let dev = builds(text, Path::new("/r"), Path::new("/r/app/./Dockerfile.dev")).unwrap();
        assert_eq!(dev, [Build { service: "other".into(), target: Some("dev".into()) }]);
        assert!(builds("services: [", Path::new("/r"), Path::new("/r/Dockerfile")).is_err());
        assert!(builds("version: '3'\n", Path::new("/r"), Path::new("/r/Dockerfile")).unwrap().is_empty());
    }
}
