//! What the runtime stage of a split needs: its base image, the runtime packages that replace
//! the toolchain's `-dev` packages (the table of `patch/libraries.rs`, a guess until
//! `--verify` reads the artifacts' ELF needs), and the in-place swap when nothing builds.

use crate::dockerfile::edit::Edit;
use crate::dockerfile::packages::{is_toolchain_package, package_name, system_install};
use crate::dockerfile::shell;
use crate::dockerfile::ship::{self, Fate};
use crate::dockerfile::{Dockerfile, ImageRef, Instruction};
use crate::lint::rules::slim_variant;
use crate::patch::{libraries, refuse, Outcome, Plan, Rationale, Reason};

/// The runtime image for a toolchain-free stage: the slim variant of a language image, a
/// small distribution for a toolchain image, else the same base.
pub fn runtime_base(base: &str) -> String {
    let r = ImageRef::parse(base);
    let tag = r.tag.clone().unwrap_or_default();
    let alpine = tag.contains("alpine");
    match r.short_name() {
        "golang" | "rust" | "gcc" if alpine => "alpine:3.20".into(),
        "golang" | "rust" | "gcc" => "debian:bookworm-slim".into(),
        // buildpack-deps:SUITE is debian:SUITE (or ubuntu's) with compilers and headers
        "buildpack-deps" => {
            let suite = tag.trim_end_matches("-scm").trim_end_matches("-curl");
            let ubuntu = ["focal", "jammy", "noble", "bionic"].contains(&suite);
            match (suite.is_empty(), ubuntu) {
                (true, _) => "debian:stable-slim".into(),
                (false, true) => format!("ubuntu:{suite}"),
                (false, false) => format!("debian:{suite}-slim"),
            }
        }
        "maven" | "gradle" | "openjdk" | "eclipse-temurin" | "amazoncorretto" | "sapmachine" => {
            crate::patch::java::jre_for(base).unwrap_or_else(|_| base.to_owned())
        }
        // NVIDIA's CUDA images: `devel` adds nvcc and the headers to `runtime`, which has the
        // CUDA libraries a build links (round 53's llama-cpp-python `cuda_simple`)
        "cuda" if r.repository.ends_with("nvidia/cuda") && tag.contains("-devel-") && !base.contains(['$', '@']) => {
            let (image, _) = base.rsplit_once(':').unwrap_or((base, ""));
            format!("{image}:{}", tag.replacen("-devel-", "-runtime-", 1))
        }
        // slim_variant knows which images publish slim variants (there is no `alpine:slim`)
        _ => slim_variant(base).unwrap_or_else(|| base.to_owned()),
    }
}

/// Whether the image's Python is conda's, in `/opt/conda`: PyTorch's images, and
/// Anaconda's, conda-forge's and mamba's base images.
pub fn conda_image(image: &str) -> bool {
    matches!(
        ImageRef::parse(image).repository.as_str(),
        "pytorch/pytorch"
            | "continuumio/miniconda3"
            | "continuumio/anaconda3"
            | "continuumio/miniconda"
            | "condaforge/miniforge3"
            | "condaforge/mambaforge"
            | "condaforge/miniforge-pypy3"
            | "mambaorg/micromamba"
    )
}

/// Nothing in the stage builds: `-dev` packages installed only for their libraries are
/// swapped in place for the runtime packages (the table's guess, said so); anything else
/// (a compiler, git, make) may be what the program runs, so that is refused.
pub fn no_build(
    df: &Dockerfile,
    stage: &crate::dockerfile::Stage,
    states: &[Option<ship::RunState>],
    first: usize,
    git_is_tool: bool,
    base: &str,
) -> Option<Result<Plan, Outcome>> {
    // (the instruction, the -dev package, its runtime package or "")
    let mut swaps: Vec<(&Instruction, String, String)> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    for (ins, st) in stage.instructions.iter().zip(states) {
        let Some(st) = st else { continue };
        for p in st.shipped().filter(|p| is_toolchain_package(&p.name) || (git_is_tool && p.name == "git")) {
            let dev = p.name.ends_with("-dev") || p.name.ends_with("-devel");
            if let Some(why) = libraries::release_dependent(&p.name, p.manager, libraries::release_of(base)) {
                return Some(Err(super::unpinned(ins.line, base, &why)));
            }
            match libraries::runtime_on(&p.name, p.manager, libraries::release_of(base)) {
                Some(lib) if dev => {
                    // none: headers only, nothing to install in their place
                    let lib = lib.unwrap_or_default().to_owned();
                    swaps.push((ins, p.name.clone(), lib));
                }
                // a JDK nothing compiles with: the program needs its JRE
                _ => match libraries::jre_of(&p.name) {
                    Some(jre) => swaps.push((ins, p.name.clone(), jre)),
                    None => unknown.push(p.name.clone()),
                },
            }
            // an install left with no package at all is no install: not rewritten
            if st
                .packages
                .iter()
                .filter(|q| q.fate != Fate::Removed)
                .all(|q| swaps.iter().any(|(i, d, lib)| i.line == ins.line && *d == q.name && lib.is_empty()))
                && !st.packages.is_empty()
            {
                unknown.push(p.name.clone());
            }
        }
    }
    unknown.sort();
    unknown.dedup();
    // git alone, and only cloning: the clones move to a fetch stage
    let mut fetched = None;
    if unknown == ["git"] {
        let manager = states.iter().flatten().flat_map(|s| s.shipped()).find(|p| p.name == "git").map(|p| p.manager);
        match manager.and_then(|m| super::fetch::plan(df, stage, m)) {
            Some(Ok(f)) => {
                fetched = Some(f);
                unknown.clear();
            }
            Some(Err(outcome)) => return Some(Err(outcome)),
            None => {}
        }
    }
    if !unknown.is_empty() || (swaps.is_empty() && fetched.is_none()) {
        return refuse(
            Reason::NoBuildStep,
            format!(
                "line {}: nothing in this stage builds with {}; if the program needs them at run time, ignore SL101 on that line, else remove them",
                stage.instructions[first].line,
                if unknown.is_empty() { "the toolchain it installs".to_owned() } else { format!("`{}`", unknown.join("`, `")) }
            ),
        );
    }
    // a runtime package the stage installs already (`default-jdk default-jre`) is not
    // installed twice: the toolchain's package only goes
    let installed: Vec<&str> = states.iter().flatten().flat_map(|s| s.shipped()).map(|p| p.name.as_str()).collect();
    let rationale = swaps
        .iter()
        .map(|(ins, dev, lib)| {
            let message = if !lib.is_empty() && installed.contains(&lib.as_str()) {
                format!("nothing here builds with `{dev}`, and `{lib}`, what the program needs of it, is installed already: `{dev}` is no longer installed")
            } else if libraries::jre_of(dev).as_deref() == Some(lib.as_str()) {
                format!("nothing here compiles with the JDK `{dev}`: the program runs on its JRE, `{lib}`, installed instead")
            } else if lib.is_empty() {
                format!("nothing here builds against `{dev}`, which holds only headers: it is no longer installed")
            } else {
                format!(
                    "nothing here builds against `{dev}`: its runtime library `{lib}` is installed instead (from the -dev → runtime table, a guess that `--verify` checks)"
                )
            };
            Rationale::new("SL101", ins.line, message)
        })
        .collect();
    let mut rationale: Vec<Rationale> = rationale;
    let mut edits = Vec::new();
    for (ins, dev, lib) in &swaps {
        let lib = if installed.contains(&lib.as_str()) { "" } else { lib.as_str() };
        edits.extend(package_edits(df, ins, dev, lib));
    }
    if let Some(f) = fetched {
        edits.extend(f.edits);
        rationale.extend(f.rationale);
        // git is no longer installed: its word goes, or the whole RUN when git was all it
        // installed and it does nothing else
        for (ins, st) in stage.instructions.iter().zip(states) {
            let Some(st) = st else { continue };
            if !st.shipped().any(|p| p.name == "git") {
                continue;
            }
            let script = shell::parse(&ins.script().unwrap_or_default());
            let only_git = st.shipped().all(|p| p.name == "git" || p.name == "ca-certificates");
            let housekeeping = script.commands.iter().all(|c| {
                c.words.is_empty()
                    || matches!(
                        crate::dockerfile::roles::of(c),
                        crate::dockerfile::roles::Role::Install | crate::dockerfile::roles::Role::Clean
                    )
            });
            if only_git && housekeeping {
                edits.push(Edit::delete(df.line_range(ins.line, ins.end_line)));
            } else {
                edits.extend(package_edits(df, ins, "git", ""));
            }
            rationale.push(Rationale::new("SL101", ins.line, "git is no longer installed in the stage that ships"));
        }
    }
    Some(crate::patch::slim::edited(df, stage.index, edits, "install", rationale))
}

/// Edits that swap package `dev` for `lib` where a system install of `ins` names it (`lib`
/// empty: the word is removed with the blank before it).
fn package_edits(df: &Dockerfile, ins: &Instruction, dev: &str, lib: &str) -> Vec<Edit> {
    let script = shell::parse(&ins.script().unwrap_or_default());
    let mut out = Vec::new();
    for c in script.commands.iter().filter(|c| system_install(c).is_some()) {
        for k in c.effective_start() + 1..c.words.len() {
            if package_name(&c.words[k]) != dev || c.words[k].starts_with('-') {
                continue;
            }
            let Some(r) = c.spans.get(k).and_then(|s| ins.source_range(s.clone())) else { continue };
            out.push(if lib.is_empty() {
                // a package alone on its continuation line goes with its line
                let line_start = df.text[..r.start].rfind('\n').map_or(0, |i| i + 1);
                let rest = &df.text[r.end..];
                let line_end = rest.find('\n').map(|i| r.end + i + 1);
                let alone = df.text[line_start..r.start].trim().is_empty()
                    && line_end.is_some_and(|e| df.text[r.end..e].trim() == "\\");
                match line_end {
                    Some(end) if alone => Edit::delete(line_start..end),
                    _ => {
                        let start = if df.text[..r.start].ends_with(' ') { r.start - 1 } else { r.start };
                        Edit::delete(start..r.end)
                    }
                }
            } else {
                Edit::replace(r, lib)
            });
        }
    }
    out
}

/// The official image's name, also when it is pulled through Docker's per-architecture
/// namespaces (`arm32v7/debian` is the official `debian` for that architecture).
pub fn official_or_arch(image: &str) -> Option<String> {
    let r = ImageRef::parse(image);
    if let Some(name) = r.official_name() {
        return Some(name.to_owned());
    }
    const ARCHES: &[&str] =
        &["amd64", "arm32v5", "arm32v6", "arm32v7", "arm64v8", "i386", "mips64le", "ppc64le", "riscv64", "s390x"];
    let (ns, name) = r.repository.split_once('/')?;
    (r.registry == "docker.io" && ARCHES.contains(&ns) && !name.contains('/')).then(|| name.to_owned())
}

/// The environment of the virtualenv a distribution-Python pip is moved into.
pub const VENV_ENV: &str = "ENV VIRTUAL_ENV=/opt/venv PATH=\"/opt/venv/bin:$PATH\"";

/// Why the runtime has the libraries it has: `--verify`'s ELF needs, or the table's guess,
/// and what the base brought that the runtime base lacks. `at` is the last build's line.
pub(super) fn libraries_rationale(
    inputs: &crate::patch::Inputs,
    s: &super::Survey,
    runtime_image: &str,
    out: &super::Split,
    at: usize,
) -> Vec<Rationale> {
    let mut rationale = Vec::new();
    if let Some(found) = &inputs.runtime_libs {
        rationale.push(Rationale::new("SL102", at, libraries::elf_needs_message(found)));
    } else if !out.runtime_pkgs.is_empty() || !out.guessed.is_empty() {
        let mut m = format!(
            "runtime packages: {} (from the `-dev` → runtime table: a guess until `--verify` builds it)",
            if out.runtime_pkgs.is_empty() { "none".into() } else { out.runtime_pkgs.join(", ") }
        );
        if !out.guessed.is_empty() {
            m.push_str(&format!(
                "; no runtime package known for {}: add it if the program needs it",
                out.guessed.join(", ")
            ));
        }
        rationale.push(Rationale::new("SL102", at, m));
    }
    // the base brings libraries the build links against (buildpack-deps, gcc): the runtime
    // base has none of them, and no RUN of the file names them
    if s.toolchain_base && inputs.runtime_libs.is_none() {
        rationale.push(Rationale::new(
            "SL102",
            at,
            format!("the build may link against libraries that `{}` brings and `{runtime_image}` lacks: `suggest --verify` reads the artifacts' ELF needs and adds their packages", s.base),
        ));
    }
    rationale
}
