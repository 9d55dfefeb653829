//! Official-images manifests as evidence. A repository that Docker's official images are
//! built from keeps, or generates, a manifest in the format of `docker-library/official-images`'
//! `library/` files: stanzas of `Tags:`, `Architectures:`, `GitCommit:`, `Directory:` and
//! `File:`. The official build builds exactly what it lists, so a committed manifest is a
//! complete build list: every listed Dockerfile **ships** (as `name:tag`, the manifest's own
//! file name being the image's name), and a Dockerfile under the manifest's folder that it
//! does not list is a retired file nothing builds (osrf/docker_images keeps every end-of-life
//! ROS release's folder beside `ros/ros`, which lists the five it builds).
//!
//! Where a manifest is: a file with no extension named like its folder (`ros/ros`) or in a
//! `library/` folder (`library/ros`), whose text has a `Maintainers:` or `GitRepo:` header
//! or a `Tags:` stanza ([`is_manifest`]).

use super::{BuildPath, Evidence, Model, Source, Sources};

/// Whether a repository path may hold a manifest, by its name: what the pipeline reads.
pub fn is_manifest_path(path: &str) -> bool {
    let mut parts = path.rsplit('/');
    let (Some(name), Some(dir)) = (parts.next(), parts.next()) else { return false };
    !name.is_empty() && !name.contains('.') && (name == dir || dir == "library")
}

/// Whether a text is an official-images manifest.
pub fn is_manifest(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("Maintainers:") || l.starts_with("GitRepo:") || l.starts_with("Tags:")
    }) && !text.lines().any(|l| l.trim_start().starts_with("FROM "))
}

/// One manifest: its file and the folder it covers (the images it lists are build paths).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub file: String,
    /// The folder it covers (its own), `.` at the root.
    pub folder: String,
}

/// Read every manifest into build paths; remember each manifest's folder.
pub fn read(sources: &Sources, model: &mut Model) {
    for file in sources.files.iter().filter(|f| is_manifest_path(&f.path) && is_manifest(&f.text)) {
        let name = file.path.rsplit('/').next().unwrap_or_default().to_owned();
        let mut defaults: Option<(Option<String>, Option<String>)> = None;
        for stanza in stanzas(&file.text) {
            let get = |k: &str| {
                stanza.iter().find(|(key, _, _)| key.eq_ignore_ascii_case(k)).map(|(_, v, l)| (v.clone(), *l))
            };
            let (directory, dockerfile) = (get("Directory").map(|d| d.0), get("File").map(|f| f.0));
            let Some((tags, line)) = get("Tags") else {
                // the header stanza: its Directory and File are every entry's defaults
                if defaults.is_none() {
                    defaults = Some((directory, dockerfile));
                }
                continue;
            };
            let (d_dir, d_file) = defaults.clone().unwrap_or_default();
            let dir = directory.or(d_dir).unwrap_or_else(|| ".".into());
            let file_name = dockerfile.or(d_file).unwrap_or_else(|| "Dockerfile".into());
            let (Some(context), Some(dockerfile)) = (super::join(".", &dir), super::join(&dir, &file_name)) else {
                continue;
            };
            let mut images: Vec<String> = Vec::new();
            let shared = get("SharedTags").map(|s| s.0).unwrap_or_default();
            for tag in tags.split(',').chain(shared.split(',')).map(str::trim).filter(|t| !t.is_empty()) {
                images.push(format!("{name}:{tag}"));
            }
            let first = images.first().cloned().unwrap_or_else(|| name.clone());
            let evidence = Evidence {
                source: Source::Library,
                file: file.path.clone(),
                line,
                says: format!("the official-images manifest builds it as `{first}`"),
            };
            model.paths.push(BuildPath {
                name: Some(first),
                images,
                ..BuildPath::plain(dockerfile, context, super::Role::Ships, evidence)
            });
        }
        model.manifests.push(Manifest { file: file.path.clone(), folder: super::folder(&file.path) });
    }
}

/// The stanzas of a manifest: per stanza, its `(key, value, line)` fields. Comments and
/// blank lines end nothing but a stanza; a line that starts with white space continues the
/// field before it.
fn stanzas(text: &str) -> Vec<Vec<(String, String, usize)>> {
    let mut out: Vec<Vec<(String, String, usize)>> = vec![Vec::new()];
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        if line.trim().is_empty() {
            if !out.last().is_some_and(Vec::is_empty) {
                out.push(Vec::new());
            }
            continue;
        }
        if line.trim_start().starts_with('#') {
            continue;
        }
        let stanza = out.last_mut().expect("out is never empty");
        if line.starts_with([' ', '\t']) {
            if let Some(last) = stanza.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            stanza.push((k.trim().to_owned(), v.trim().to_owned(), i + 1));
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// What a manifest says of a Dockerfile under its folder that it does not list, and that
/// nothing else builds: retired, when the manifest lists nothing in the Dockerfile's variant
/// folder (the folder above its own: `ros/lunar/ubuntu/zesty` for
/// `ros/lunar/ubuntu/zesty/ros-core/Dockerfile`). A folder the manifest lists some of is a
/// release still built, whose other images a workflow or a Makefile may build
/// (`osrf/ros:humble-desktop` beside the official `ros:humble-ros-base`).
pub fn unlisted(model: &Model, dockerfile: &str) -> Option<BuildPath> {
    let inside = |folder: &str, path: &str| folder == "." || path.starts_with(&format!("{folder}/"));
    let m = model.manifests.iter().find(|m| inside(&m.folder, dockerfile))?;
    let variant = super::folder(&super::folder(dockerfile));
    let scope = if variant != m.folder && inside(&m.folder, &variant) { variant } else { m.folder.clone() };
    let listed = |p: &BuildPath| p.evidence.source == Source::Library && p.evidence.file == m.file;
    if model.paths.iter().any(|p| p.dockerfile == dockerfile || (listed(p) && inside(&scope, &p.dockerfile))) {
        return None;
    }
    let folder = if m.folder == "." { "the repository".to_owned() } else { format!("`{}/`", m.folder) };
    let says = format!(
        "the official-images manifest of {folder} lists the images built from it, and none in this file's folder or beside it: a retired file nothing builds"
    );
    Some(BuildPath::plain(
        dockerfile.to_owned(),
        super::folder(dockerfile),
        super::Role::CiOnly,
        Evidence { source: Source::Library, file: m.file.clone(), line: 0, says },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repository::File;

    const ROS: &str = "Maintainers: Tully Foote <t@example.org> (@tfoote)\nGitRepo: https://github.com/osrf/docker_images.git\n\n################\n# Release: humble\n\nTags: humble-ros-core, humble-ros-core-jammy\nArchitectures: amd64, arm64v8\nGitCommit: 58af418\nDirectory: ros/humble/ubuntu/jammy/ros-core\n\nTags: humble-ros-base, humble-ros-base-jammy,\n  humble\nSharedTags: latest\nDirectory: ros/humble/ubuntu/jammy/ros-base\nFile: Dockerfile.base\n";

    fn model(files: &[(&str, &str)], dockerfiles: &[&str]) -> Model {
        let sources = Sources {
            files: files.iter().map(|(p, t)| File { path: (*p).into(), text: (*t).into() }).collect(),
            dockerfiles: dockerfiles.iter().map(|d| (*d).into()).collect(),
            ..Sources::default()
        };
        Model::read(&sources)
    }

    #[test]
    fn listed_dockerfiles_ship_under_their_tags_and_the_rest_of_the_folder_is_retired() {
        let m = model(
            &[("ros/ros", ROS)],
            &[
                "ros/humble/ubuntu/jammy/ros-core/Dockerfile",
                "ros/humble/ubuntu/jammy/ros-base/Dockerfile.base",
                "ros/humble/ubuntu/jammy/desktop/Dockerfile",
                "ros/lunar/ubuntu/zesty/ros-core/Dockerfile",
                "docker/Dockerfile",
            ],
        );
        // beside a listed image: a release still built, by other means
        assert!(m.answer("ros/humble/ubuntu/jammy/desktop/Dockerfile", None).default);
        let core = m.answer("ros/humble/ubuntu/jammy/ros-core/Dockerfile", None);
        assert_eq!(core.role, crate::repository::Role::Ships);
        assert_eq!(
            core.evidence[0].to_string(),
            "the official-images manifest builds it as `ros:humble-ros-core` (ros/ros:7)"
        );
        let base: Vec<&BuildPath> = m.paths_of("ros/humble/ubuntu/jammy/ros-base/Dockerfile.base").collect();
        assert_eq!(base[0].images, ["ros:humble-ros-base", "ros:humble-ros-base-jammy", "ros:humble", "ros:latest"]);
        let lunar = m.answer("ros/lunar/ubuntu/zesty/ros-core/Dockerfile", None);
        assert_eq!(lunar.role, crate::repository::Role::CiOnly);
        assert!(
            lunar.evidence[0].says.contains(
                "manifest of `ros/` lists the images built from it, and none in this file's folder or beside it"
            ),
            "{:?}",
            lunar.evidence
        );
        // outside the manifest's folder it says nothing
        assert!(m.answer("docker/Dockerfile", None).default);
    }

    #[test]
    fn only_manifests_by_name_and_text() {
        assert!(is_manifest_path("ros/ros") && is_manifest_path("library/ros"));
        assert!(!is_manifest_path("ros/README") && !is_manifest_path("ros") && !is_manifest_path("ros/ros.md"));
        assert!(is_manifest(ROS));
        assert!(is_manifest("Maintainers: x\nGitRepo: y\n"), "a manifest that lists nothing (gazebo's, today)");
        assert!(!is_manifest("FROM alpine\nRUN echo Tags: x\n"));
        // an empty manifest retires its whole folder
        let m = model(&[("gazebo/gazebo", "Maintainers: x\n")], &["gazebo/11/ubuntu/focal/gzserver11/Dockerfile"]);
        assert_eq!(
            m.answer("gazebo/11/ubuntu/focal/gzserver11/Dockerfile", None).role,
            crate::repository::Role::CiOnly
        );
    }
}
