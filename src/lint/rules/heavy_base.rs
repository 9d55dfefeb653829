//! ## What it does
//! Flags a final image built on the full variant of an official image that has a slim one:
//! `python:3.9` → `python:3.9-slim`, `node:20` → `node:20-slim`, `ruby:3.3` → `ruby:3.3-slim`,
//! `debian:bookworm` → `debian:bookworm-slim`, `perl:5` → `perl:5-slim`. (JDK images are
//! reported by `build-toolchain-in-final-stage` with the JRE to use instead.)
//!
//! A FROM of a name the build gives as a named build context (`--build-context
//! python=docker-image://python:3.12-slim`) or of the repository's own image is not the
//! registry's image of that name, and is not flagged.
//!
//! Not when a script the image starts with (its ENTRYPOINT or CMD, read from the build
//! context) compiles, or installs a requirements list (`pip install -r`), when the container
//! starts: what it builds then may need the full variant's compilers (mage-ai's `run_app.sh`
//! installs the user's project requirements at each start).
//!
//! Which stages ship is the repository's answer (`shiplight ships` shows it): silent on a
//! Dockerfile that only dev containers, development compose services or CI-only builds use,
//! and on an image whose ENTRYPOINT/CMD is itself a compiler or build tool (a toolchain
//! product: the toolchain is what ships, on purpose).
//!
//! ## Why it matters
//! The full variants carry compilers, headers and hundreds of packages for building; the
//! slim ones carry what runs. `python:3.9` is about 900 MB, `python:3.9-slim` about 125 MB.
//!
//! ## Example
//! ```dockerfile
//! FROM python:3.9
//! COPY app.py .
//! CMD ["python", "app.py"]
//! ```
//!
//! ## Fix
//! Run on the slim variant; if something must be compiled, do it in a build stage on the
//! full image and copy the result.

use crate::dockerfile::ImageRef;
use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    // an image whose ENTRYPOINT is the compiler ships its toolchain on purpose
    if ctx.toolchain_is_the_product() {
        return;
    }
    // a start script that builds, or installs a requirements list, when the container starts
    // may need the compilers the slim variant leaves out (mage-ai's `run_app.sh`)
    if ctx.config.start_compiles.is_some() || ctx.config.start_installs.is_some() {
        return;
    }
    for stage in ctx.finals() {
        let Some(image) = ctx.graph.root_image(stage.index).filter(|i| !ctx.local_image(i)) else {
            continue;
        };
        let root = &ctx.df.stages[ctx.graph.root(stage.index)];
        if let Some(slim) = slim_variant(image) {
            out.push(
                Hit::on_from(root, format!("the final image is built on `{image}`, the full variant; `{slim}` has the same runtime without {}", dropped(image)))
                    .fix(format!("use `FROM {slim}` for the stage that ships")),
            );
        }
    }
}

/// What the full variant carries that its slim variant leaves out. The language images'
/// full tags are built on `buildpack-deps` (compilers, headers, version control); Debian's
/// full tags differ from `-slim` only by documentation, man pages and locales.
fn dropped(image: &str) -> &'static str {
    match ImageRef::parse(image).official_name() {
        Some("debian") => "the documentation, man pages and locale data",
        _ => "the compilers, headers and version-control tools",
    }
}

/// The slim variant of a full official image, if it has one.
pub fn slim_variant(image: &str) -> Option<String> {
    if image.contains('$') {
        return None;
    }
    let r = ImageRef::parse(image);
    let name = r.official_name()?;
    if r.digest.is_some() {
        return None;
    }
    let tag = r.tag.clone().unwrap_or_else(|| "latest".into());
    let t = tag.to_ascii_lowercase();
    if ["slim", "alpine", "distroless", "windowsservercore", "nanoserver"].iter().any(|v| t.contains(v)) {
        return None;
    }
    let (version, suite) = match tag.rsplit_once('-') {
        Some((v, s)) if s.chars().all(|c| c.is_ascii_lowercase()) && !s.is_empty() => {
            (v.to_owned(), Some(s.to_owned()))
        }
        _ => (tag.clone(), None),
    };
    let slim = match (name, t.as_str()) {
        // only the images that publish slim variants have `:slim` (there is no `alpine:slim`)
        ("python" | "ruby" | "node" | "perl", "latest") => "slim".to_owned(),
        ("python" | "ruby", _) => match &suite {
            Some(s) => format!("{version}-slim-{s}"),
            None => format!("{tag}-slim"),
        },
        ("node" | "debian" | "perl", _) => format!("{tag}-slim"),
        _ => return None,
    };
    if name == "debian" && t == "latest" {
        return Some("debian:stable-slim".into());
    }
    Some(format!("{name}:{slim}"))
}

#[cfg(test)]
mod tests {
    use super::slim_variant;
    use crate::lint::rules::testing::{lines, messages};

    /// camptocamp's odoo images: `FROM python`, given as `--build-context
    /// python=docker-image://python:3.12-slim-trixie`, is that context.
    #[test]
    fn a_named_build_context_is_not_the_registrys_image() {
        let cfg = crate::lint::LintConfig { local_images: vec!["python".into()], ..Default::default() };
        let text = "FROM python\nCMD [\"python\"]\n";
        assert!(crate::lint::rules::testing::with_config("SL103", text, &cfg).is_empty());
        assert_eq!(lines("SL103", text), vec![1]);
    }

    /// Round 82 (mage-ai, held out): the image's start script pip-installs the user's project
    /// requirements at each start, which may build from source with the full base's compilers
    #[test]
    fn a_start_script_that_installs_a_list_keeps_the_full_base() {
        let text = "FROM python:3.10-bookworm\nCOPY run_app.sh /app/\nCMD [\"/app/run_app.sh\"]\n";
        let start = ("/app/run_app.sh".to_owned(), "pip3 install -r \"$REQUIREMENTS_FILE\"".to_owned());
        let cfg = crate::lint::LintConfig { start_installs: Some(start), ..Default::default() };
        assert!(crate::lint::rules::testing::with_config("SL103", text, &cfg).is_empty());
        assert_eq!(lines("SL103", text), vec![1]);
    }

    #[test]
    fn flags_full_final_base() {
        let m = messages("SL103", "FROM python:3.9\nCMD [\"python\"]\n");
        assert_eq!(m[0].0, 1);
        assert!(m[0].1.contains("`python:3.9-slim`"), "{}", m[0].1);
        assert_eq!(lines("SL103", "FROM node:20 AS base\nFROM base\n"), vec![1]);
    }

    #[test]
    fn slim_and_builders_pass() {
        assert!(lines("SL103", "FROM python:3.9-slim\n").is_empty());
        assert!(lines("SL103", "FROM python:3.9 AS build\nFROM python:3.9-slim\nCOPY --from=build /v /v\n").is_empty());
        assert!(lines("SL103", "FROM ghcr.io/acme/python:3.9\n").is_empty());
        assert!(lines("SL103", "FROM ubuntu:24.04\n").is_empty());
        // no slim variant exists for these, whatever the tag
        for image in ["alpine:latest", "ubuntu", "fedora", "alpine"] {
            assert!(lines("SL103", &format!("FROM {image}\n")).is_empty(), "{image}");
        }
    }

    #[test]
    fn variants() {
        assert_eq!(slim_variant("python:3.9-bookworm").as_deref(), Some("python:3.9-slim-bookworm"));
        assert_eq!(slim_variant("node:20-bookworm").as_deref(), Some("node:20-bookworm-slim"));
        assert_eq!(slim_variant("debian:bookworm").as_deref(), Some("debian:bookworm-slim"));
        assert_eq!(slim_variant("python").as_deref(), Some("python:slim"));
        assert_eq!(slim_variant("node:20-alpine"), None);
        assert_eq!(slim_variant("python:${V}"), None);
    }
}
