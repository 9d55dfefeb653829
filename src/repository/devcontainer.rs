//! Dev containers as evidence: a Dockerfile that a `devcontainer.json` builds is a
//! development environment by definition. Read, in JSON with comments and trailing commas:
//! `build.dockerfile` (or the older top-level `dockerFile`), `build.context` (or `context`),
//! `build.target`, all relative to the `devcontainer.json`'s folder; and `dockerComposeFile`
//! with `service`, whose compose service's build is the dev container's.
//!
//! Found at `.devcontainer.json`, `.devcontainer/devcontainer.json` and
//! `.devcontainer/<name>/devcontainer.json`, in any folder of the repository.

use super::tree::{self, Node};
use super::{folder, join, BuildPath, Model, Note, Source, Sources};

/// Whether a repository-relative path is a dev container definition.
pub fn is_devcontainer_path(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == ".devcontainer.json" || (name == "devcontainer.json" && path.split('/').any(|part| part == ".devcontainer"))
}

/// The compose files the dev containers of the sources run on (`dockerComposeFile`),
/// repository-relative: every service of one runs for development, beside the dev
/// container (openstreetmap-website's `.devcontainer/compose.yaml`: `rails-app` and its
/// `postgres`).
pub fn compose_files(sources: &Sources) -> Vec<String> {
    let mut out = Vec::new();
    for file in sources.files.iter().filter(|f| is_devcontainer_path(&f.path)) {
        let Ok(doc) = tree::jsonc(&file.text) else { continue };
        let dir = folder(&file.path);
        for compose in doc.get("dockerComposeFile").map(Node::strings).unwrap_or_default() {
            if let Some(path) = join(&dir, compose) {
                out.push(path);
            }
        }
    }
    out
}

/// Read every dev container of the sources into development build paths.
pub fn read(sources: &Sources, model: &mut Model) {
    for file in sources.files.iter().filter(|f| is_devcontainer_path(&f.path)) {
        let Some(doc) =
            super::document(file, tree::jsonc, "JSON with comments", "the dev container is not read", model)
        else {
            continue;
        };
        let dir = folder(&file.path);
        let build = doc.get("build");
        let dockerfile = build.and_then(|b| b.get("dockerfile")).or_else(|| doc.get("dockerFile"));
        if let Some(node) = dockerfile {
            let context = build.and_then(|b| b.str_at("context")).or_else(|| doc.str_at("context")).unwrap_or(".");
            let (Some(context), Some(df)) = (join(&dir, context), node.as_str().and_then(|d| join(&dir, d))) else {
                model.notes.push(Note {
                    file: file.path.clone(),
                    line: node.line,
                    message:
                        "the dev container's Dockerfile or context is not a path in this repository; it is not followed"
                            .into(),
                });
                continue;
            };
            let target = build.and_then(|b| b.get("target"));
            model.paths.push(BuildPath {
                target: target.and_then(Node::as_str).map(str::to_owned),
                name: doc.str_at("name").map(str::to_owned),
                target_line: target.map(|t| t.line),
                ..BuildPath::development(
                    df,
                    context,
                    Source::DevContainer,
                    &file.path,
                    node.line,
                    "a dev container builds it".into(),
                )
            });
        } else if let (Some(compose), Some(service)) = (doc.get("dockerComposeFile"), doc.get("service")) {
            let service_name = service.as_str().unwrap_or_default();
            for compose_file in compose.strings() {
                let Some(path) = join(&dir, compose_file) else { continue };
                let Some(text) = sources.file(&path) else { continue };
                let Ok(cdoc) = tree::yaml(&text.text) else { continue };
                let Some(build) = cdoc.get("services").and_then(|s| s.get(service_name)).and_then(|s| s.get("build"))
                else {
                    continue;
                };
                let cdir = folder(&path);
                let (context, file_in, target) = match build.as_str() {
                    Some(c) => (c, "Dockerfile", None),
                    None => (
                        build.str_at("context").unwrap_or("."),
                        build.str_at("dockerfile").unwrap_or("Dockerfile"),
                        build.get("target"),
                    ),
                };
                let Some(context) = join(&cdir, context) else { continue };
                let Some(df) = join(&context, file_in) else { continue };
                model.paths.push(BuildPath {
                    target: target.and_then(Node::as_str).map(str::to_owned),
                    name: Some(service_name.to_owned()),
                    ..BuildPath::development(
                        df,
                        context,
                        Source::DevContainer,
                        &file.path,
                        service.line,
                        format!("a dev container builds it through service `{service_name}` of {path}"),
                    )
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Role;
    use super::*;

    fn model(files: &[(&str, &str)]) -> Model {
        Model::read_by(read, files)
    }

    #[test]
    fn a_dev_container_build_is_development() {
        let json = "{\n  // comments are allowed\n  \"name\": \"Go\",\n  \"build\": {\n    \"dockerfile\": \"./Dockerfile\",\n    \"context\": \"..\",\n    \"target\": \"dev\",\n  },\n}\n";
        let m = model(&[("src/go/.devcontainer/devcontainer.json", json)]);
        let p = &m.paths[0];
        assert_eq!((p.dockerfile.as_str(), p.context.as_str()), ("src/go/.devcontainer/Dockerfile", "src/go"));
        assert_eq!(
            (p.target.as_deref(), p.role, p.evidence.line, p.target_line),
            (Some("dev"), Role::Development, 5, Some(7))
        );
        // the older top-level keys, and a root-level .devcontainer.json
        let m = model(&[(".devcontainer.json", "{\"dockerFile\": \"docker/dev.Dockerfile\", \"context\": \".\"}")]);
        assert_eq!(m.paths[0].dockerfile, "docker/dev.Dockerfile");
        let m =
            model(&[(".devcontainer/python/devcontainer.json", "{\"build\": {\"dockerfile\": \"../../Dockerfile\"}}")]);
        assert_eq!(m.paths[0].dockerfile, "Dockerfile");
    }

    #[test]
    fn a_dev_container_on_compose_takes_its_service() {
        let json =
            "{\"dockerComposeFile\": [\"../docker-compose.yml\"], \"service\": \"app\", \"workspaceFolder\": \"/w\"}";
        let compose = "services:\n  app:\n    build:\n      context: .\n      dockerfile: .devcontainer/Dockerfile\n  db:\n    image: postgres\n";
        let m = model(&[(".devcontainer/devcontainer.json", json), ("docker-compose.yml", compose)]);
        assert_eq!(m.paths.len(), 1);
        assert_eq!((m.paths[0].dockerfile.as_str(), m.paths[0].role), (".devcontainer/Dockerfile", Role::Development));
    }

    #[test]
    fn image_only_and_broken_dev_containers() {
        assert!(model(&[(".devcontainer/devcontainer.json", "{\"image\": \"mcr.microsoft.com/devcontainers/go\"}")])
            .paths
            .is_empty());
        let m = model(&[(".devcontainer/devcontainer.json", "{\"build\": ")]);
        assert!(m.paths.is_empty() && m.notes.len() == 1);
        assert!(is_devcontainer_path(".devcontainer/devcontainer.json"));
        assert!(is_devcontainer_path("a/.devcontainer/x/devcontainer.json"));
        assert!(!is_devcontainer_path("devcontainer.json"));
    }
}
