//! `shiplight suggest`: the multi-stage rewrite of a Dockerfile as a diff, JSON or markdown,
//! applied with `--write`.

use std::path::PathBuf;

use serde::Serialize;

use crate::patch::{self, Outcome, Rationale, Templates};

/// What `shiplight suggest` was asked to do (also its command-line arguments).
#[derive(Debug, Clone, clap::Args)]
pub struct SuggestOptions {
    /// The Dockerfile to rewrite.
    pub dockerfile: PathBuf,
    /// Apply the patch to the file (its line endings are kept).
    #[arg(long)]
    pub write: bool,
    /// A folder of `<ecosystem>.Dockerfile.hbs` templates replacing the built-in ones.
    #[arg(long)]
    pub templates: Option<PathBuf>,
    /// Build context (default: the Dockerfile's folder), for detecting the project's files.
    #[arg(long)]
    pub context: Option<PathBuf>,
}

/// The result, in the shape `--format json` prints.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Suggestion {
    pub dockerfile: String,
    /// `patch`, `nothing` or `refused`.
    pub outcome: String,
    /// Why there is no patch, when there is none.
    pub message: Option<String>,
    pub ecosystem: Option<String>,
    pub diff: Option<String>,
    pub patched: Option<String>,
    pub rationale: Vec<Rationale>,
    /// Set by `--write`.
    pub written: bool,
}

/// Why `suggest` could not run.
#[derive(Debug, thiserror::Error)]
pub enum SuggestError {
    #[error("cannot read {path}: {message}; check the path")]
    Read { path: String, message: String },
    #[error(transparent)]
    Template(#[from] patch::TemplateError),
    #[error("cannot write {path}: {message}; the file is unchanged")]
    Write { path: String, message: String },
}

/// Make the suggestion (and write it when asked).
pub fn run(opts: &SuggestOptions) -> Result<Suggestion, SuggestError> {
    let shown = opts.dockerfile.display().to_string();
    let bytes = std::fs::read(&opts.dockerfile)
        .map_err(|e| SuggestError::Read { path: shown.clone(), message: e.to_string() })?;
    let text = String::from_utf8(bytes)
        .map_err(|e| SuggestError::Read { path: shown.clone(), message: format!("not UTF-8 text ({e})") })?;
    let context = opts.context.clone().or_else(|| opts.dockerfile.parent().map(PathBuf::from)).unwrap_or_default();
    let files: Vec<String> =
        std::fs::read_dir(if context.as_os_str().is_empty() { PathBuf::from(".") } else { context })
            .map(|rd| rd.filter_map(Result::ok).filter_map(|e| e.file_name().into_string().ok()).collect())
            .unwrap_or_default();
    let templates = Templates::load(opts.templates.as_deref())?;
    let name = opts.dockerfile.file_name().and_then(|n| n.to_str()).unwrap_or("Dockerfile");
    let mut s = Suggestion { dockerfile: shown.clone(), ..Suggestion::default() };
    match patch::suggest(&text, name, &files, &templates) {
        Outcome::Patch(p) => {
            s.outcome = "patch".into();
            s.ecosystem = Some(p.ecosystem);
            s.diff = Some(p.diff);
            s.rationale = p.rationale;
            if opts.write {
                // write beside, then rename: the original is never half-written
                let tmp = opts.dockerfile.with_extension("shiplight-tmp");
                std::fs::write(&tmp, &p.patched)
                    .and_then(|_| std::fs::rename(&tmp, &opts.dockerfile))
                    .map_err(|e| SuggestError::Write { path: shown.clone(), message: e.to_string() })?;
                s.written = true;
            }
            s.patched = Some(p.patched);
        }
        Outcome::Nothing(why) => {
            s.outcome = "nothing".into();
            s.message = Some(why);
        }
        Outcome::Refused(why) => {
            s.outcome = "refused".into();
            s.message = Some(why);
        }
    }
    Ok(s)
}

/// The suggestion as markdown: rationale, then the diff in a ```diff block.
pub fn markdown(s: &Suggestion) -> String {
    let mut out = String::new();
    match (&s.diff, &s.message) {
        (Some(diff), _) => {
            out.push_str(&format!(
                "### Multi-stage rewrite of `{}` ({})\n\n",
                s.dockerfile,
                s.ecosystem.as_deref().unwrap_or("")
            ));
            for r in &s.rationale {
                out.push_str(&format!("- line {} ({}): {}\n", r.line, r.rule, r.message));
            }
            out.push_str(&format!("\n```diff\n{diff}```\n"));
        }
        (None, Some(why)) => out.push_str(&format!("No rewrite for `{}`: {why}\n", s.dockerfile)),
        (None, None) => {}
    }
    out
}
