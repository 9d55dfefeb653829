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
    /// The service bind-mounts its whole build context (or a folder holding it) into the
    /// container: it runs the sources on the host, a development environment, not the image
    /// that ships.
    pub develops: bool,
    /// Folders of the build context it bind-mounts, by where they go in the container
    /// (`./src:/code/src`): sources when they land in the image's working directory.
    pub mounts_inside: Vec<String>,
}

impl Build {
    /// Whether it runs the host's sources over an image whose working directory is
    /// `workdir`: the whole context is mounted, or a part of it lands in that directory and
    /// not in one of the image's `volumes` (a VOLUME is where the image keeps data).
    pub fn runs_sources(&self, workdir: &str, volumes: &[String]) -> bool {
        let under = |c: &str, dir: &str| {
            let (c, dir) = (c.trim_end_matches('/'), dir.trim_end_matches('/'));
            !dir.is_empty() && (c == dir || c.strip_prefix(dir).is_some_and(|r| r.starts_with('/')))
        };
        self.develops || self.mounts_inside.iter().any(|c| under(c, workdir) && !volumes.iter().any(|v| under(c, v)))
    }
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
            let context = normalize(&dir.join(context));
            let mut develops = false;
            let mut mounts_inside = Vec::new();
            for (host, inside) in bind_sources(service) {
                let host = normalize(&dir.join(host));
                // the context itself or a folder holding it; a part of it (`./src`,
                // `./data`) is decided by where it lands
                if context.starts_with(&host) {
                    develops = true;
                } else if host.starts_with(&context) {
                    mounts_inside.push(inside);
                }
            }
            out.push(Build { service: name.to_owned(), target, develops, mounts_inside });
        }
    }
    Ok(out)
}

/// The host paths a service bind-mounts and where they go: `./src:/app[:ro]`, or `{type:
/// bind, source: …, target: …}`. Named volumes (`data:/var/lib/x`) and anonymous ones
/// (`/app/node_modules`) are not paths on the host.
fn bind_sources(service: &yaml_serde::Value) -> Vec<(String, String)> {
    let Some(volumes) = service.get("volumes").and_then(|v| v.as_sequence()) else { return Vec::new() };
    volumes
        .iter()
        .filter_map(|v| match v {
            yaml_serde::Value::String(short) => {
                let (host, rest) = short.split_once(':')?;
                let inside = rest.split(':').next().unwrap_or(rest);
                host.starts_with(['.', '/', '~']).then(|| (host.to_owned(), inside.to_owned()))
            }
            map => {
                let field = |k: &str| map.get(k).and_then(|s| s.as_str()).map(String::from);
                (field("type").as_deref() == Some("bind")).then(|| Some((field("source")?, field("target")?))).flatten()
            }
        })
        .filter(|(h, _)| !h.starts_with('~'))
        .collect()
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
                Build { service: "web".into(), target: Some("builder".into()), develops: false, mounts_inside: vec![] },
                Build { service: "worker".into(), target: None, develops: false, mounts_inside: vec![] }
            ]
        );
        let dev = builds(text, Path::new("/r"), Path::new("/r/app/./Dockerfile.dev")).unwrap();
        assert_eq!(
            dev,
            [Build { service: "other".into(), target: Some("dev".into()), develops: false, mounts_inside: vec![] }]
        );
        assert!(builds("services: [", Path::new("/r"), Path::new("/r/Dockerfile")).is_err());
        // awesome-compose's angular: the sources are mounted over the image's copy
        let angular = "services:\n  web:\n    build: {context: angular, target: builder}\n    volumes:\n      - ./angular:/project\n      - /project/node_modules\n";
        assert!(builds(angular, Path::new("/r"), Path::new("/r/angular/Dockerfile")).unwrap()[0].develops);
        let long = "services:\n  web:\n    build: .\n    volumes:\n      - {type: bind, source: ., target: /app}\n";
        assert!(builds(long, Path::new("/r"), Path::new("/r/Dockerfile")).unwrap()[0].develops);
        let data = "services:\n  db:\n    build: .\n    volumes:\n      - data:/var/lib/x\n      - ../logs:/logs\n      - ./data:/var/lib/motion\n";
        let data = &builds(data, Path::new("/r"), Path::new("/r/Dockerfile")).unwrap()[0];
        assert!(!data.develops && !data.runs_sources("/", &[]) && !data.runs_sources("/app", &[]));
        // vimagick/dockerfiles motion: WORKDIR is its VOLUME, the mount is data
        assert!(data.runs_sources("/var/lib/motion", &[]));
        assert!(!data.runs_sources("/var/lib/motion", &["/var/lib/motion".into()]));
        // react-express-mysql's backend mounts ./backend/src over WORKDIR /code's src
        let part = "services:\n  api:\n    build: {context: backend, target: development}\n    volumes:\n      - ./backend/src:/code/src\n";
        let part = &builds(part, Path::new("/r"), Path::new("/r/backend/Dockerfile")).unwrap()[0];
        assert!(part.runs_sources("/code", &[]) && !part.runs_sources("/srv", &[]));
        assert!(builds("version: '3'\n", Path::new("/r"), Path::new("/r/Dockerfile")).unwrap().is_empty());
    }
}
