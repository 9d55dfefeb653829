//! Tiltfiles as evidence: Tilt is the inner loop of development on Kubernetes (build, push to
//! a dev cluster's registry, live-update the running pod), so a Dockerfile a Tiltfile's
//! `docker_build(ref, context, dockerfile = …, target = …)` builds is a development image
//! (homepage's `Dockerfile-tilt`, built by `k3d/Tiltfile` with `live_update` syncing the
//! sources). `docker_build_with_restart` (the restart_process extension) takes the same
//! arguments. Paths are relative to the Tiltfile's folder, as Tilt reads them. Only string
//! literals are read; an argument Starlark would compute is noted, not guessed.

use super::{folder, join, BuildPath, Model, Note, Source, Sources};

/// Whether a file name is a Tiltfile (`Tiltfile`, `Tiltfile.dev`, `api.tiltfile`).
pub fn is_tiltfile_name(name: &str) -> bool {
    name == "Tiltfile" || name.starts_with("Tiltfile.") || name.to_ascii_lowercase().ends_with(".tiltfile")
}

/// Read every Tiltfile of the sources into development build paths.
pub fn read(sources: &Sources, model: &mut Model) {
    for file in sources.files.iter().filter(|f| is_tiltfile_name(f.path.rsplit('/').next().unwrap_or(&f.path))) {
        let dir = folder(&file.path);
        for call in calls(&file.text) {
            let line = file.text[..call.at].matches('\n').count() + 1;
            let arg = |key: &str, position: usize| {
                call.args
                    .iter()
                    .find(|(k, _)| k.as_deref() == Some(key))
                    .or_else(|| call.args.iter().filter(|(k, _)| k.is_none()).nth(position))
                    .map(|(_, v)| v.as_str())
            };
            let context = arg("context", 1).map(string_literal);
            let dockerfile = arg("dockerfile", usize::MAX).map(string_literal);
            let target = arg("target", usize::MAX).map(string_literal);
            let resolved = (|| {
                let context = join(&dir, context?.ok()?)?;
                let df = match dockerfile {
                    Some(d) => join(&dir, d.ok()?)?,
                    None => join(&context, "Dockerfile")?,
                };
                let target = match target {
                    Some(t) => Some(t.ok()?.to_owned()),
                    None => None,
                };
                Some((context, df, target))
            })();
            let Some((context, dockerfile, target)) = resolved else {
                model.notes.push(Note {
                    file: file.path.clone(),
                    line,
                    message: "`docker_build`: its context, dockerfile or target is not a string literal or not a path in this repository; not followed".into(),
                });
                continue;
            };
            let name = arg("ref", 0).map(string_literal).and_then(Result::ok).map(str::to_owned);
            model.paths.push(BuildPath {
                target,
                name,
                ..BuildPath::development(
                    dockerfile,
                    context,
                    Source::Tilt,
                    &file.path,
                    line,
                    "Tilt builds it for a development cluster (`docker_build`)".into(),
                )
            });
        }
    }
}

/// A `docker_build(…)` call: where it starts, and its arguments as written (`(keyword,
/// value)`; positional ones have no keyword).
struct Call {
    at: usize,
    args: Vec<(Option<String>, String)>,
}

/// The `docker_build` and `docker_build_with_restart` calls of a Tiltfile, comments aside.
fn calls(text: &str) -> Vec<Call> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        if let Some(next) = skip(text, i, &mut quote) {
            i = next;
            continue;
        }
        let word_start =
            i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_' || bytes[i - 1] == b'.');
        let name =
            ["docker_build_with_restart(", "docker_build("].into_iter().find(|n| bytes[i..].starts_with(n.as_bytes()));
        if let (true, Some(name)) = (word_start, name) {
            let open = i + name.len();
            if let Some((args, end)) = arguments(text, open) {
                out.push(Call { at: i, args });
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// Where to go on from offset `i` when its byte opens, continues or closes a string (quoted
/// with `quote`, which this updates) or starts a comment; `None` for a byte of code.
fn skip(text: &str, i: usize, quote: &mut Option<u8>) -> Option<usize> {
    let b = text.as_bytes()[i];
    match *quote {
        Some(q) => {
            if b == b'\\' {
                return Some(i + 2);
            }
            if b == q {
                *quote = None;
            }
            Some(i + 1)
        }
        None if b == b'#' => Some(text[i..].find('\n').map_or(text.len(), |n| i + n)),
        None if b == b'"' || b == b'\'' => {
            *quote = Some(b);
            Some(i + 1)
        }
        None => None,
    }
}

/// The top-level arguments from just after `(` to the matching `)`, and the offset after it.
#[allow(clippy::type_complexity)]
fn arguments(text: &str, open: usize) -> Option<(Vec<(Option<String>, String)>, usize)> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut start = open;
    let mut parts = Vec::new();
    let mut i = open;
    while i < bytes.len() {
        if let Some(next) = skip(text, i, &mut quote) {
            i = next;
            continue;
        }
        match bytes[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth > 0 => depth -= 1,
            b')' => {
                parts.push(&text[start..i]);
                let args = parts
                    .into_iter()
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(|p| match p.split_once('=') {
                        Some((k, v)) if k.trim().chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                            (Some(k.trim().to_owned()), v.trim().to_owned())
                        }
                        _ => (None, p.to_owned()),
                    })
                    .collect();
                return Some((args, i + 1));
            }
            b',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// A Starlark string literal's value; `Err` for anything else (a variable, a call).
fn string_literal(v: &str) -> Result<&str, ()> {
    let v = v.trim();
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            if !inner.contains(q) && !inner.contains('\\') {
                return Ok(inner);
            }
        }
    }
    Err(())
}

#[cfg(test)]
mod tests {
    use super::super::Role;
    use super::*;

    fn model(files: &[(&str, &str)]) -> Model {
        Model::read_by(read, files)
    }

    /// homepage's k3d/Tiltfile: the Dockerfile and the context are relative to its folder.
    #[test]
    fn docker_build_is_a_development_build() {
        let tilt = "# dev loop\ndocker_build('k3d-registry.localhost:55000/homepage:local', '..',\n  dockerfile = \"../Dockerfile-tilt\",\n  build_args={'node_env': 'development'},\n  live_update=[\n    sync('.', '/app'),\n    run('cd /app && pnpm install', trigger=['./package.json'])\n  ]\n)\n";
        let m = model(&[("k3d/Tiltfile", tilt)]);
        assert_eq!(m.paths.len(), 1, "{m:?}");
        let p = &m.paths[0];
        assert_eq!((p.dockerfile.as_str(), p.context.as_str(), p.role), ("Dockerfile-tilt", ".", Role::Development));
        assert_eq!((p.evidence.file.as_str(), p.evidence.line), ("k3d/Tiltfile", 2));
        assert_eq!(p.name.as_deref(), Some("k3d-registry.localhost:55000/homepage:local"));
        // keywords, a target, the default Dockerfile; a commented-out call is not one
        let tilt = "#docker_build('x', 'old')\ndocker_build_with_restart(ref='api', context='services/api', target='dev', entrypoint=['/app'])\n";
        let m = model(&[("Tiltfile", tilt)]);
        assert_eq!(m.paths.len(), 1, "{m:?}");
        assert_eq!(
            (m.paths[0].dockerfile.as_str(), m.paths[0].target.as_deref()),
            ("services/api/Dockerfile", Some("dev"))
        );
    }

    /// A computed argument is said, not guessed.
    #[test]
    fn computed_arguments_are_notes() {
        let m = model(&[(
            "Tiltfile",
            "docker_build('api', ctx, dockerfile='Dockerfile')\ndocker_build('a', 'app', dockerfile=DF)\n",
        )]);
        assert!(m.paths.is_empty(), "{m:?}");
        assert_eq!(m.notes.len(), 2, "{m:?}");
        assert!(m.notes[0].message.contains("not a string literal"));
        // text that is not ASCII anywhere (a comment, a string, an identifier) is read whole
        let m = model(&[("Tiltfile", "# café\nnom_é = 'ü'\ndocker_build('a', 'app') # ✓\n")]);
        assert_eq!(m.paths.len(), 1, "{m:?}");
        assert!(
            is_tiltfile_name("Tiltfile") && is_tiltfile_name("api.tiltfile") && !is_tiltfile_name("Tiltfile-notes.md")
        );
    }
}
