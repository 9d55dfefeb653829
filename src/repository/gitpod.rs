//! Gitpod as evidence: `.gitpod.yml` at the repository's root names the workspace image
//! Gitpod builds for developers (`image: {file: .gitpod.Dockerfile, context: …}`), so that
//! Dockerfile is a development environment, as a dev container's is. Paths are relative to
//! the repository's root, as Gitpod reads them. An `image:` that is an image reference
//! builds nothing; anything else under `image:` is noted, not guessed.

use super::tree;
use super::{join, BuildPath, Model, Note, Source, Sources};

/// Whether a repository-relative path is Gitpod's configuration (at the root only).
pub fn is_gitpod_path(path: &str) -> bool {
    matches!(path, ".gitpod.yml" | ".gitpod.yaml")
}

/// Read Gitpod's workspace image into a development build path.
pub fn read(sources: &Sources, model: &mut Model) {
    for file in sources.files.iter().filter(|f| is_gitpod_path(&f.path)) {
        let Some(doc) = super::document(file, tree::yaml, "YAML", "Gitpod's workspace image is not read", model) else {
            continue;
        };
        let Some(image) = doc.get("image") else { continue };
        // `image: gitpod/workspace-full`: pulled, not built
        if image.as_str().is_some() {
            continue;
        }
        let Some(node) = image.get("file") else { continue };
        let context = image.str_at("context").unwrap_or(".");
        let (Some(context), Some(df)) = (join("", context), node.as_str().and_then(|d| join("", d))) else {
            model.notes.push(Note {
                file: file.path.clone(),
                line: node.line,
                message:
                    "Gitpod's workspace Dockerfile or context is not a path in this repository; it is not followed"
                        .into(),
            });
            continue;
        };
        let says = "Gitpod builds it as the workspace image".into();
        model.paths.push(BuildPath::development(df, context, Source::DevContainer, &file.path, node.line, says));
    }
}

#[cfg(test)]
mod tests {
    use super::super::Role;
    use super::*;

    #[test]
    fn gitpods_workspace_image_is_development() {
        let yml = "image:\n  file: .gitpod.dockerfile\ntasks:\n  - init: bundle install\n";
        let m = Model::read_by(read, &[(".gitpod.yml", yml)]);
        let p = &m.paths[0];
        assert_eq!((p.dockerfile.as_str(), p.context.as_str(), p.role), (".gitpod.dockerfile", ".", Role::Development));
        assert_eq!(p.evidence.line, 2);
        // with a context; a pulled image builds nothing; only the root's file counts
        let m =
            Model::read_by(read, &[(".gitpod.yml", "image:\n  file: docker/gitpod.Dockerfile\n  context: docker\n")]);
        assert_eq!(
            (m.paths[0].dockerfile.as_str(), m.paths[0].context.as_str()),
            ("docker/gitpod.Dockerfile", "docker")
        );
        assert!(Model::read_by(read, &[(".gitpod.yml", "image: gitpod/workspace-full\n")]).paths.is_empty());
        assert!(Model::read_by(read, &[("sub/.gitpod.yml", yml)]).paths.is_empty());
    }
}
