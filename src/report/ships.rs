//! What `shiplight ships` shows: every Dockerfile of a repository, the role of each of its
//! stages and the evidence, then what could not be resolved. One value ([`Listing`]),
//! rendered as text or JSON. Pure.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::repository::{Answer, BuildPath, Note};

/// The ship model of one repository, per Dockerfile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Listing {
    pub root: String,
    pub dockerfiles: Vec<Entry>,
    /// Every build path the repository's files describe.
    pub paths: Vec<BuildPath>,
    pub notes: Vec<Note>,
    /// Bake files were resolved by `docker buildx bake --print` (else read statically).
    pub bake_printed: bool,
}

/// One Dockerfile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub dockerfile: String,
    /// The stages that ship, as `--target` takes them.
    pub shipped: Vec<String>,
    pub parses: bool,
    #[serde(flatten)]
    pub answer: Answer,
}

/// The listing for a reader.
pub fn text(l: &Listing) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {} Dockerfile(s)", l.root, l.dockerfiles.len());
    for e in &l.dockerfiles {
        let ships = if e.shipped.is_empty() {
            String::from("nothing ships")
        } else {
            format!("ships stage {}", e.shipped.join(", "))
        };
        let _ = writeln!(out, "\n{}: {} ({ships})", e.dockerfile, e.answer.role);
        for ev in &e.answer.evidence {
            // each path's own role: a development path beside the one that ships
            match e.answer.paths.iter().find(|p| p.evidence == *ev) {
                Some(p) => {
                    let target = p.target.as_deref().map(|t| format!(", stage {t}")).unwrap_or_default();
                    let _ = writeln!(out, "  - [{}{target}] {ev}", p.role);
                }
                None => {
                    let _ = writeln!(out, "  - {ev}");
                }
            }
        }
        if !e.parses {
            let _ = writeln!(out, "  (the file does not parse: stages unknown)");
        }
        for s in &e.answer.stages {
            let name = s.name.clone().unwrap_or_else(|| format!("#{}", s.index));
            let role = match (s.role, s.built) {
                (Some(r), _) => r.to_string(),
                (None, true) => "build stage".into(),
                (None, false) => "not built by any known path".into(),
            };
            let _ = writeln!(out, "  stage {name} (line {}): {role}", s.line);
        }
    }
    if !l.notes.is_empty() {
        let _ = writeln!(out, "\nnot resolved ({}):", l.notes.len());
        for n in &l.notes {
            let _ = writeln!(out, "  - {n}");
        }
    }
    let _ = writeln!(
        out,
        "\nbake files: {}",
        if l.bake_printed {
            "resolved by `docker buildx bake --print`"
        } else {
            "read statically (no `docker buildx` here, or no bake file)"
        }
    );
    out
}
