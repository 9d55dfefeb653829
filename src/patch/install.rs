//! Build-and-install RUNs, in any ecosystem: the stage that ships installs a toolchain and
//! builds with it (`make && make install`, `./configure --prefix`, `go build -o`, `cargo build
//! && cp`, `javac && jar`, `pip install` of a package that compiles, `git clone … && make
//! install`, Alpine's `apk add build-base …`). The rewrite splits every such RUN:
//!
//! - the **build stage** replays the stage as written up to the last build RUN;
//! - the **runtime stage** keeps the runtime packages those RUNs install (toolchain packages
//!   dropped, each `-dev` library replaced by its runtime package from
//!   `templates/runtime-libs.tsv`, which is a guess until `--verify` reads the artifacts'
//!   ELF needs), copies the **artifacts**, reruns the few commands that set up the system
//!   (users, links, permissions, capabilities) and keeps everything after the build.
//!
//! The artifact is what the RUN installs: the `--prefix` of `configure`/CMake (`/usr/local`
//! by default) for `make install`; a `DESTDIR` staging folder when the prefix is `/usr`; the
//! destination of `cp`/`install`/`mv`; `go build -o`; `cargo install --root`; the jar `jar`
//! writes; `/usr/local` for pip, npm and gem installs into an official image's prefix.
//! When the artifact or a command's role cannot be told, the answer is a refusal with a
//! reason (data) and what the user can change.

use super::{refuse, verbatim, Outcome, Plan, Rationale, Reason};
use crate::dockerfile::edit::Edit;
use crate::dockerfile::packages::{is_toolchain_package, package_name, system_install, Manager};
use crate::dockerfile::roles::{self, Role};
use crate::dockerfile::shell::{self, SimpleCommand};
use crate::dockerfile::ship::{self, Fate};
use crate::dockerfile::{resolve_path, Dockerfile, Graph, ImageRef, Instruction, Kind};
use crate::lint::rules::{slim_variant, toolchain_image};

/// A word as the shell would read it back.
fn quote(word: &str) -> String {
    if !word.is_empty()
        && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%^~$'{}".contains(c))
        && !word.contains('\'')
    {
        return word.to_owned();
    }
    if word.contains('$') {
        let escaped = word.replace('\\', "\\\\").replace('"', "\\\"").replace('`', "\\`");
        return format!("\"{escaped}\"");
    }
    format!("'{}'", word.replace('\'', "'\\''"))
}

/// A command rewritten as text (redirections kept unquoted).
fn command_text(c: &SimpleCommand) -> String {
    let mut out: Vec<String> = c.assignments.iter().map(|a| quote(a)).collect();
    for w in &c.words {
        if matches!(w.as_str(), ">" | ">>" | "<" | "2>" | "2>>") || w.starts_with("2>&") {
            out.push(w.clone());
        } else {
            out.push(quote(w));
        }
    }
    out.join(" ")
}

/// The runtime-library table: `-dev` package → (Debian, Alpine) runtime packages.
fn runtime_libs() -> Vec<(&'static str, &'static str, &'static str)> {
    include_str!("../../templates/runtime-libs.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((f.next()?, f.next()?, f.next()?))
        })
        .collect()
}

/// What a build RUN installs, and where it is copied from in the build stage.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Artifact {
    /// In the build stage.
    from: String,
    /// In the runtime stage.
    to: String,
}

/// The prefix an install writes into: `--prefix=X`/`--prefix X` of configure,
/// `-DCMAKE_INSTALL_PREFIX=X` of cmake, `PREFIX=X` given to make; `/usr/local` otherwise.
fn prefix(commands: &[SimpleCommand]) -> String {
    for c in commands {
        let args = c.args();
        for (i, a) in args.iter().enumerate() {
            if let Some(p) = a.strip_prefix("--prefix=").or_else(|| a.strip_prefix("-DCMAKE_INSTALL_PREFIX=")) {
                return p.to_owned();
            }
            if a == "--prefix" {
                if let Some(p) = args.get(i + 1) {
                    return p.clone();
                }
            }
            if let Some(p) = a.strip_prefix("PREFIX=") {
                return p.to_owned();
            }
        }
    }
    "/usr/local".into()
}

/// Whether a command installs a build (`make install`, `cmake --install`, `ninja install`).
fn is_make_install(c: &SimpleCommand) -> bool {
    let (p, a) = (c.program(), c.args());
    (matches!(p, "make" | "ninja" | "meson") && a.iter().any(|w| w == "install" || w.ends_with("install")))
        || (p == "cmake" && a.iter().any(|w| w == "--install"))
}

/// The artifacts a RUN's commands install, resolved against `workdir` (and `cd`s).
/// Where a RUN's installs land, as the rewrite arranges it.
#[derive(Clone, Copy, Default)]
struct Landing<'a> {
    /// pip/npm/gem's prefix on an official language image (`/usr/local`).
    base_prefix: Option<&'a str>,
    /// pip runs in the `/opt/venv` virtualenv the rewrite creates.
    venv: bool,
    /// `make install` runs with `DESTDIR` = [`STAGING`].
    destdir: bool,
}

/// Why the artifacts could not be placed as written.
enum Stuck {
    /// `make install` into `/usr`: staged with DESTDIR when the RUN's text allows it.
    SystemPrefix(String),
    /// pip into a distribution's Python: moved into a virtualenv when the text allows it.
    DistroPip(String),
}

/// The staging root of a `make install` into the system prefix.
const STAGING: &str = "/opt/shiplight-root";

fn artifacts(commands: &[SimpleCommand], workdir: &str, at: Landing) -> Result<Vec<Artifact>, Stuck> {
    let base_prefix = at.base_prefix;
    let mut out: Vec<Artifact> = Vec::new();
    let mut cwd = workdir.to_owned();
    let push = |out: &mut Vec<Artifact>, from: String, to: String| {
        if !out.iter().any(|a| a.to == to) {
            out.push(Artifact { from, to });
        }
    };
    for c in commands {
        let (p, args) = (c.program(), c.args());
        let plain: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
        match p {
            "cd" => {
                if let Some(d) = plain.first() {
                    cwd = resolve_path(&cwd, d);
                }
            }
            _ if is_make_install(c) => {
                let pre = prefix(commands);
                if at.destdir {
                    push(&mut out, format!("{STAGING}/"), "/".into());
                } else if pre == "/usr" || pre == "/" {
                    return Err(Stuck::SystemPrefix(format!(
                        "`{}` installs into the system prefix `{pre}`, which also holds the toolchain: configure with `--prefix=/usr/local` (or `make DESTDIR=/out install`) and ask again",
                        c.words.join(" ")
                    )));
                } else {
                    push(&mut out, pre.clone(), pre);
                }
            }
            "cp" | "mv" | "install" | "ln" if plain.len() >= 2 => {
                if p == "ln" {
                    continue;
                }
                // `install -m 755 x /usr/local/bin/`: the mode's value is not a path
                let paths: Vec<&String> = plain.iter().copied().filter(|a| !a.chars().all(|c| c.is_ascii_digit())).collect();
                let Some(dest) = paths.last() else { continue };
                if dest.contains('$') || !dest.starts_with('/') {
                    continue;
                }
                let into_folder = dest.ends_with('/');
                let dest = resolve_path(&cwd, dest);
                if dest.starts_with("/tmp") || dest.starts_with("/src") || dest.starts_with("/build") {
                    continue;
                }
                if args.iter().any(|a| a == "-d") {
                    continue;
                }
                // `cp hello /usr/local/bin/`: the file lands in the folder
                let to = match (paths.len(), paths.first()) {
                    (2, Some(src)) if into_folder && !src.contains(['*', '?', '$']) => {
                        format!("{}/{}", dest.trim_end_matches('/'), src.trim_end_matches('/').rsplit('/').next().unwrap_or(src))
                    }
                    _ => dest.trim_end_matches('/').to_owned(),
                };
                push(&mut out, to.clone(), to);
            }
            "go" if c.subcommand() == Some("build") || c.subcommand() == Some("install") => {
                match args.windows(2).find(|w| w[0] == "-o").map(|w| w[1].clone()) {
                    Some(o) if !o.contains('$') => {
                        let o = resolve_path(&cwd, &o);
                        push(&mut out, o.clone(), o);
                    }
                    _ if c.subcommand() == Some("install") => push(&mut out, "/go/bin".into(), "/go/bin".into()),
                    _ => {}
                }
            }
            "cargo" if c.subcommand() == Some("install") => {
                let root = args.windows(2).find(|w| w[0] == "--root").map(|w| w[1].clone());
                let bin = format!("{}/bin", root.unwrap_or_else(|| "/usr/local/cargo".into()));
                push(&mut out, bin.clone(), bin);
            }
            "jar" => {
                // jar cf out.jar … / jar --create --file out.jar …
                let file = args
                    .windows(2)
                    .find(|w| w[0] == "--file" || (w[0].starts_with('c') && w[0].contains('f') && !w[0].starts_with('-')))
                    .map(|w| w[1].clone());
                if let Some(f) = file.filter(|f| !f.contains('$')) {
                    let f = resolve_path(&cwd, &f);
                    push(&mut out, f.clone(), f);
                }
            }
            _ if crate::dockerfile::packages::pip_install(c).is_some()
                || (matches!(p, "npm" | "yarn" | "pnpm") && args.iter().any(|a| a == "-g" || a == "--global"))
                || matches!(p, "docker-php-ext-install" | "docker-php-ext-enable" | "easy_install" | "cpanm")
                || (p == "pecl" && c.subcommand() == Some("install"))
                || (p == "gem" && c.subcommand() == Some("install"))
                || (p.starts_with("python") && args.windows(2).any(|w| w[0].ends_with("setup.py") && w[1] == "install")) =>
            {
                match base_prefix {
                    Some(pre) => push(&mut out, pre.to_owned(), pre.to_owned()),
                    None if at.venv && crate::dockerfile::packages::pip_install(c).is_some() => {
                        push(&mut out, "/opt/venv".into(), "/opt/venv".into())
                    }
                    None => {
                        return Err(Stuck::DistroPip(format!(
                            "`{}` installs into the distribution's own prefix, where the toolchain is too: use a virtualenv (or an official language image) and ask again",
                            c.words.join(" ")
                        )))
                    }
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The runtime image for a toolchain-free stage: the slim variant of a language image, a
/// small distribution for a toolchain image, else the same base.
fn runtime_base(base: &str) -> String {
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
        "maven" | "gradle" | "openjdk" | "eclipse-temurin" | "amazoncorretto" => {
            super::java::jre_for(base).unwrap_or_else(|| base.to_owned())
        }
        // slim_variant knows which images publish slim variants (there is no `alpine:slim`)
        _ => slim_variant(base).unwrap_or_else(|| base.to_owned()),
    }
}

/// The plan for a stage that ships a toolchain and builds with it in its own RUNs.
pub fn plan(df: &Dockerfile, inputs: &super::Inputs) -> Option<Result<Plan, Outcome>> {
    let graph = Graph::build(df, &inputs.targets).ok()?;
    let target = *graph.targets.first()?;
    let stage = &df.stages[target];
    let base = graph.root_image(stage.index)?.to_owned();
    if graph.lineage(target).len() > 1 {
        return refuse(
            Reason::InheritedStage,
            format!("line {}: the stage that ships is built FROM another stage; rewrite that one first", stage.line),
        );
    }
    if base.contains('$') {
        return refuse(Reason::VariableBase, format!("line {}: the base image comes from an ARG", stage.line));
    }
    let scripts: Vec<Option<shell::Script>> = stage
        .instructions
        .iter()
        .map(|i| (i.kind == Kind::Run).then(|| i.script().map(|s| shell::parse(&s))).flatten())
        .collect();
    let states: Vec<Option<ship::RunState>> = scripts.iter().map(|s| s.as_ref().map(ship::run_state)).collect();
    // git is a build tool when a RUN fetches with it (as SL101 decides)
    let git_is_tool = crate::dockerfile::packages::git_builds(&scripts.iter().flatten().collect::<Vec<_>>());
    let tool = |name: &str| is_toolchain_package(name) || (git_is_tool && name == "git");
    let ships_toolchain = |n: usize| states[n].as_ref().is_some_and(|st| st.shipped().any(|p| tool(&p.name)));
    let is_build_run = |n: usize| scripts[n].as_ref().is_some_and(|s| s.commands.iter().any(roles::runs_build));
    // the toolchain is a package a RUN installs, or the base image itself (golang, rust,
    // gcc, a JDK): then the first build RUN starts the build
    let toolchain_base = runtime_base(&base) != base && toolchain_image(&base).is_some();
    let first = (0..stage.instructions.len())
        .find(|&n| ships_toolchain(n))
        .or_else(|| toolchain_base.then(|| (0..stage.instructions.len()).find(|&n| is_build_run(n))).flatten())?;
    let libs = runtime_libs();
    let Some(last) = (first..stage.instructions.len()).rev().find(|&n| is_build_run(n)) else {
        return no_build(df, stage, &states, &libs, first, git_is_tool);
    };
    if stage.instructions[first..=last]
        .iter()
        .any(|i| matches!(&i.body, crate::dockerfile::Body::Run { heredocs, .. } if !heredocs.is_empty()))
    {
        return refuse(Reason::Heredoc, format!("line {}: a heredoc RUN is not split", stage.instructions[first].line));
    }
    let official = official_or_arch(&base);
    let alpine = base.contains("alpine")
        || states.iter().flatten().any(|s| s.packages.iter().any(|p| p.manager == Manager::Apk));
    // pip/npm/gem write into /usr/local on the official language images and on Debian
    let base_prefix = match official.as_deref() {
        Some("python" | "node" | "ruby" | "php") => {
            Some(if official.as_deref() == Some("ruby") { "/usr/local/bundle" } else { "/usr/local" })
        }
        Some("debian" | "ubuntu" | "buildpack-deps") => Some("/usr/local"),
        _ => None,
    };
    let (_, build_name, _) = super::stage_names(stage);

    let mut build: Vec<String> = Vec::new();
    let mut runtime: Vec<String> = Vec::new();
    let mut runtime_pkgs: Vec<String> = Vec::new();
    let mut guessed: Vec<String> = Vec::new();
    let mut setup: Vec<String> = Vec::new();
    let mut arts: Vec<Artifact> = Vec::new();
    let mut workdir = "/".to_owned();
    let mut dropped: Vec<String> = Vec::new();
    let mut prev_end = stage.line;
    let mut install_at: Option<usize> = None;
    let mut artifact_at: Option<usize> = None;
    let mut venv = false;
    for (n, ins) in stage.instructions.iter().enumerate() {
        let before = prev_end;
        let text = verbatim(df, ins, before);
        prev_end = ins.end_line;
        if ins.kind == Kind::Workdir {
            workdir = resolve_path(&workdir, ins.words().first().map(String::as_str).unwrap_or("/"));
        }
        if n > last {
            artifact_at.get_or_insert(runtime.len());
            runtime.push(text);
            continue;
        }
        match ins.kind {
            Kind::Run if n >= first && (ships_toolchain(n) || is_build_run(n)) => {
                let (Some(script), Some(state)) = (&scripts[n], &states[n]) else {
                    build.push(text);
                    continue;
                };
                // where this RUN's installs land: as written, or staged (DESTDIR) / in a
                // virtualenv, by edits where the commands are written
                let mut landing = Landing { base_prefix, ..Landing::default() };
                let mut edits = Vec::new();
                let found = loop {
                    match artifacts(&script.commands, &workdir, landing) {
                        Ok(found) => break found,
                        Err(Stuck::SystemPrefix(why)) => match super::edits::staged_install(ins, script, STAGING) {
                            Some(e) if !landing.destdir => {
                                edits.extend(e);
                                landing.destdir = true;
                            }
                            _ => return refuse(Reason::SystemPrefix, format!("line {}: {why}", ins.line)),
                        },
                        Err(Stuck::DistroPip(why)) => match super::edits::into_venv(ins, script) {
                            Some(e) if !landing.venv => {
                                edits.extend(e);
                                landing.venv = true;
                            }
                            _ => return refuse(Reason::SystemPrefix, format!("line {}: {why}", ins.line)),
                        },
                    }
                };
                let Some(build_text) = super::verbatim_edited(df, ins, before, &edits) else {
                    return refuse(
                        Reason::Internal,
                        format!("line {}: the staging edits overlap; please report this Dockerfile", ins.line),
                    );
                };
                if landing.venv && !venv {
                    venv = true;
                    build.push(VENV_ENV.into());
                }
                build.push(build_text);
                arts.extend(found);
                // runtime packages of this RUN, toolchain ones replaced by their libraries
                for p in state.shipped() {
                    if tool(&p.name) {
                        if !dropped.contains(&p.name) {
                            dropped.push(p.name.clone());
                        }
                        // a JDK's programs run on its JRE
                        if p.name.contains("jdk") {
                            let at = p.name.rfind("jdk").unwrap_or(0);
                            let jre = format!("{}jre{}", &p.name[..at], &p.name[at + 3..]);
                            if !runtime_pkgs.contains(&jre) {
                                runtime_pkgs.push(jre);
                            }
                            continue;
                        }
                        // the artifacts' ELF needs, when --verify read them, replace the table
                        if inputs.runtime_libs.is_some() {
                            continue;
                        }
                        match libs.iter().find(|(dev, _, _)| *dev == p.name) {
                            Some((_, deb, apk)) => {
                                let lib = if p.manager == Manager::Apk { apk } else { deb };
                                if *lib != "-" && !runtime_pkgs.iter().any(|r| r == lib) {
                                    runtime_pkgs.push((*lib).to_owned());
                                }
                            }
                            None if p.name.ends_with("-dev") || p.name.ends_with("-devel") => {
                                guessed.push(p.name.clone())
                            }
                            None => {}
                        }
                    } else if !runtime_pkgs.contains(&p.name) && p.fate == Fate::Ships {
                        runtime_pkgs.push(p.name.clone());
                    }
                }
                install_at.get_or_insert(runtime.len());
                for c in &script.commands {
                    let p = c.program();
                    // `&& \ ` with a blank after the backslash leaves a blank word, and a
                    // redirection split off its command is no command either
                    let fragment = c.words.iter().all(|w| w.trim().is_empty())
                        || p.starts_with(['>', '<'])
                        || p.trim_start_matches(char::is_numeric).starts_with('>');
                    if c.words.is_empty() || fragment || roles::build_only(c) || roles::of(c) == Role::Install {
                        continue;
                    }
                    if roles::of(c) == Role::Setup && !c.conditional() {
                        setup.push(command_text(c));
                        continue;
                    }
                    return refuse(
                        Reason::MixedRun,
                        format!(
                            "line {}: `{}` in this RUN is neither a build step nor system set-up, so shiplight cannot tell whether the runtime needs it; move it to its own RUN and ask again",
                            ins.line,
                            c.words.join(" ")
                        ),
                    );
                }
            }
            Kind::Expose
            | Kind::Cmd
            | Kind::Entrypoint
            | Kind::Healthcheck
            | Kind::Label
            | Kind::Volume
            | Kind::Stopsignal => runtime.push(text),
            _ => {
                build.push(df.source(ins).trim_end().replace("\r\n", "\n"));
                runtime.push(text);
            }
        }
    }
    let artifact_at = artifact_at.unwrap_or(runtime.len());
    if arts.is_empty() {
        let ins = &stage.instructions[last];
        return refuse(
            Reason::UnknownArtifact,
            format!(
                "line {}: shiplight cannot tell what this build produces; install it with `make install` (a `--prefix`), `cp`/`install` to an absolute path, or `-o /path` and ask again",
                ins.line
            ),
        );
    }
    // a later artifact inside an earlier one is already copied
    let mut copies: Vec<String> = Vec::new();
    let mut kept: Vec<&Artifact> = Vec::new();
    for a in &arts {
        if !arts.iter().any(|b| b.to != a.to && a.to.starts_with(&format!("{}/", b.to)))
            && !kept.iter().any(|k| k.to == a.to)
        {
            kept.push(a);
        }
    }
    for a in &kept {
        copies.push(format!("COPY --from={build_name} {} {}", a.from, a.to));
    }
    let runtime_image = runtime_base(&base);
    let mut unresolved: Vec<String> = Vec::new();
    if let Some(found) = &inputs.runtime_libs {
        for (package, soname) in found {
            if package.is_empty() {
                unresolved.push(soname.clone());
            } else if !runtime_pkgs.contains(package) {
                runtime_pkgs.push(package.clone());
            }
        }
    }
    let at = install_at.unwrap_or(0);
    if !runtime_pkgs.is_empty() {
        let line = if alpine {
            format!("RUN apk add --no-cache {}", runtime_pkgs.join(" "))
        } else if matches!(official.as_deref(), Some("fedora" | "centos" | "rockylinux" | "almalinux" | "amazonlinux"))
        {
            format!("RUN dnf install -y {} && dnf clean all", runtime_pkgs.join(" "))
        } else {
            format!(
                "RUN apt-get update \\\n    && apt-get install -y --no-install-recommends {} \\\n    && rm -rf /var/lib/apt/lists/*",
                runtime_pkgs.join(" ")
            )
        };
        runtime.insert(at, line);
    }
    // the artifacts arrive where the last build ran (after the package RUN, if any, inserted
    // before it), then the system set-up
    let mut pos = (artifact_at + usize::from(!runtime_pkgs.is_empty())).min(runtime.len());
    for c in copies {
        runtime.insert(pos, c);
        pos += 1;
    }
    if venv {
        runtime.insert(pos, VENV_ENV.into());
        pos += 1;
    }
    if !setup.is_empty() {
        runtime.insert(pos, format!("RUN {}", setup.join(" \\\n    && ")));
    }
    let kept_toolchain = if dropped.is_empty() {
        format!("the toolchain of `{base}` stays")
    } else {
        format!("{} stay", dropped.join(", "))
    };
    let mut rationale = vec![Rationale::new(
        "SL101",
        stage.instructions[first].line,
        format!(
            "{kept_toolchain} in the build stage; the runtime is `{runtime_image}` with {}",
            kept.iter().map(|a| format!("`{}`", a.to)).collect::<Vec<_>>().join(", ")
        ),
    )];
    if let Some(found) = &inputs.runtime_libs {
        let named: Vec<String> =
            found.iter().filter(|(p, _)| !p.is_empty()).map(|(p, so)| format!("{p} ({so})")).collect();
        let mut m = format!(
            "runtime libraries from the artifacts' ELF needs, read in the built build stage: {}",
            if named.is_empty() { "none beyond the runtime base".to_owned() } else { named.join(", ") }
        );
        if !unresolved.is_empty() {
            m.push_str(&format!(
                "; no package of the build stage provides {}: install it in the runtime if the program needs it",
                unresolved.join(", ")
            ));
        }
        rationale.push(Rationale::new("SL102", stage.instructions[last].line, m));
    } else if !runtime_pkgs.is_empty() || !guessed.is_empty() {
        let mut m = format!(
            "runtime packages: {} (from the `-dev` → runtime table: a guess until `--verify` builds it)",
            if runtime_pkgs.is_empty() { "none".into() } else { runtime_pkgs.join(", ") }
        );
        if !guessed.is_empty() {
            m.push_str(&format!(
                "; no runtime package known for {}: add it if the program needs it",
                guessed.join(", ")
            ));
        }
        rationale.push(Rationale::new("SL102", stage.instructions[last].line, m));
    }
    // the base brings libraries the build links against (buildpack-deps, gcc): the runtime
    // base has none of them, and no RUN of the file names them
    if toolchain_base && inputs.runtime_libs.is_none() {
        rationale.push(Rationale::new(
            "SL102",
            stage.instructions[last].line,
            format!("the build may link against libraries that `{base}` brings and `{runtime_image}` lacks: `suggest --verify` reads the artifacts' ELF needs and adds their packages"),
        ));
    }
    Some(Ok(Plan::new("install", df, stage, &base, &runtime_image, build, runtime, rationale)))
}

/// Nothing in the stage builds: `-dev` packages installed only for their libraries are
/// swapped in place for the runtime packages (the table's guess, said so); anything else
/// (a compiler, git, make) may be what the program runs, so that is refused.
fn no_build(
    df: &Dockerfile,
    stage: &crate::dockerfile::Stage,
    states: &[Option<ship::RunState>],
    libs: &[(&str, &str, &str)],
    first: usize,
    git_is_tool: bool,
) -> Option<Result<Plan, Outcome>> {
    // (the instruction, the -dev package, its runtime package or "")
    let mut swaps: Vec<(&Instruction, String, String)> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    for (ins, st) in stage.instructions.iter().zip(states) {
        let Some(st) = st else { continue };
        for p in st.shipped().filter(|p| is_toolchain_package(&p.name) || (git_is_tool && p.name == "git")) {
            let dev = p.name.ends_with("-dev") || p.name.ends_with("-devel");
            match libs.iter().find(|(d, _, _)| *d == p.name) {
                Some((_, deb, apk)) if dev => {
                    let lib = if p.manager == Manager::Apk { apk } else { deb };
                    // `-`: headers only, nothing to install in their place
                    let lib = if *lib == "-" { String::new() } else { (*lib).to_owned() };
                    swaps.push((ins, p.name.clone(), lib));
                }
                _ => unknown.push(p.name.clone()),
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
    if !unknown.is_empty() || swaps.is_empty() {
        return refuse(
            Reason::NoBuildStep,
            format!(
                "line {}: nothing in this stage builds with {}; if the program needs them at run time, ignore SL101 on that line, else remove them",
                stage.instructions[first].line,
                if unknown.is_empty() { "the toolchain it installs".to_owned() } else { format!("`{}`", unknown.join("`, `")) }
            ),
        );
    }
    let rationale = swaps
        .iter()
        .map(|(ins, dev, lib)| {
            let message = if lib.is_empty() {
                format!("nothing here builds against `{dev}`, which holds only headers: it is no longer installed")
            } else {
                format!(
                    "nothing here builds against `{dev}`: its runtime library `{lib}` is installed instead (from the -dev → runtime table, a guess that `--verify` checks)"
                )
            };
            Rationale::new("SL101", ins.line, message)
        })
        .collect();
    let mut edits = Vec::new();
    for (ins, dev, lib) in &swaps {
        edits.extend(package_edits(df, ins, dev, lib));
    }
    Some(super::slim::edited(df, stage.index, edits, "install", rationale))
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
                let start = if df.text[..r.start].ends_with(' ') { r.start - 1 } else { r.start };
                Edit::delete(start..r.end)
            } else {
                Edit::replace(r, lib)
            });
        }
    }
    out
}

/// The official image's name, also when it is pulled through Docker's per-architecture
/// namespaces (`arm32v7/debian` is the official `debian` for that architecture).
fn official_or_arch(image: &str) -> Option<String> {
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
const VENV_ENV: &str = "ENV VIRTUAL_ENV=/opt/venv PATH=\"/opt/venv/bin:$PATH\"";

#[cfg(test)]
mod tests {
    use crate::patch::Reason;
    use crate::patch::{suggest, testing::answers, Outcome as O, Templates};

    fn patch(text: &str) -> crate::patch::Patch {
        match suggest(text, "Dockerfile", &Default::default(), &Templates::built_in()) {
            O::Patch(p) => p,
            other => panic!("no patch for\n{text}\n{other:?}"),
        }
    }

    fn runtime(p: &crate::patch::Patch) -> String {
        p.patched.split(" AS runtime\n").nth(1).unwrap_or_default().to_owned()
    }

    #[test]
    fn make_and_cp_ships_the_binary_and_its_libraries() {
        let text = "FROM debian:bookworm\n# the toolchain\nRUN apt-get update && apt-get install -y build-essential libssl-dev && rm -rf /var/lib/apt/lists/*\nWORKDIR /src\nCOPY . .\nRUN make && cp hello /usr/local/bin/\nCMD [\"hello\"]\n";
        let p = patch(text);
        assert_eq!(p.ecosystem, "install");
        let rt = runtime(&p);
        assert!(p.patched.contains("FROM debian:bookworm AS build\n# Build heavy"), "{}", p.patched);
        assert!(
            p.patched.contains("# the toolchain\nRUN apt-get update && apt-get install -y build-essential"),
            "comments kept"
        );
        assert!(rt.contains("apt-get install -y --no-install-recommends libssl3"), "{rt}");
        assert!(rt.contains("COPY --from=build /usr/local/bin/hello /usr/local/bin/hello\nCMD [\"hello\"]"), "{rt}");
        assert!(!rt.contains("build-essential"));
        answers(text, &p, &["SL101"]);
    }

    #[test]
    fn configure_and_make_install_on_alpine_copy_the_prefix_and_rerun_the_setup() {
        let text = "FROM alpine:3.20\nRUN apk add --no-cache --virtual .keep build-base curl pcre-dev \\\n    && curl -fsSL https://example.com/app.tar.gz | tar xz \\\n    && cd app && ./configure --prefix=/opt/app && make && make install \\\n    && adduser -D app\nUSER app\nCMD [\"/opt/app/bin/app\"]\n";
        let p = patch(text);
        let rt = runtime(&p);
        assert!(
            rt.starts_with(
                "RUN apk add --no-cache curl pcre\nCOPY --from=build /opt/app /opt/app\nRUN adduser -D app\nUSER app"
            ),
            "{rt}"
        );
        answers(text, &p, &["SL101"]);
        // into /usr, the prefix the toolchain shares: installed into a staging root that the
        // runtime copies whole
        let usr = text.replace("--prefix=/opt/app", "--prefix=/usr");
        let p = patch(&usr);
        assert!(p.patched.contains("&& make && make DESTDIR=/opt/shiplight-root install \\\n"), "{}", p.patched);
        assert!(runtime(&p).contains("COPY --from=build /opt/shiplight-root/ /\n"), "{}", p.patched);
        answers(&usr, &p, &["SL101"]);
    }

    #[test]
    fn go_rust_and_java_on_a_distribution_base() {
        let go = "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends golang-go git ca-certificates\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/app ./cmd/app\nENTRYPOINT [\"app\"]\n";
        let p = patch(go);
        assert!(runtime(&p).contains("COPY --from=build /usr/local/bin/app /usr/local/bin/app"));
        assert!(runtime(&p).contains("--no-install-recommends ca-certificates"));
        answers(go, &p, &["SL101"]);
        let rust = "FROM debian:bookworm\nRUN apt-get update && apt-get install -y cargo\nWORKDIR /src\nCOPY . .\nRUN cargo build --release && cp target/release/app /usr/local/bin/app\nCMD [\"app\"]\n";
        let p = patch(rust);
        assert!(p.patched.contains("FROM debian:bookworm-slim AS runtime"), "{}", p.patched);
        answers(rust, &p, &["SL101"]);
        let java = "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y openjdk-17-jdk-headless\nWORKDIR /app\nCOPY src src\nRUN mkdir -p out && javac -d out src/Hello.java && jar cfe /app/hello.jar Hello -C out .\nCMD [\"java\", \"-jar\", \"/app/hello.jar\"]\n";
        let p = patch(java);
        let rt = runtime(&p);
        assert!(
            rt.contains("openjdk-17-jre-headless") && rt.contains("COPY --from=build /app/hello.jar /app/hello.jar"),
            "{rt}"
        );
        answers(java, &p, &["SL101"]);
    }

    #[test]
    fn the_artifacts_arrive_where_the_build_was() {
        let text = "FROM debian:bookworm\nENV X=1\nRUN apt-get update && apt-get install -y gcc make libpq-dev\nWORKDIR /src\nCOPY . .\nRUN make && cp app /usr/local/bin/app\nEXPOSE 80\nCMD [\"app\"]\n";
        let rt = runtime(&patch(text));
        let order: Vec<&str> = rt.lines().filter(|l| !l.starts_with(' ')).collect();
        assert_eq!(
            order,
            [
                "ENV X=1",
                "RUN apt-get update \\",
                "WORKDIR /src",
                "COPY . .",
                "COPY --from=build /usr/local/bin/app /usr/local/bin/app",
                "EXPOSE 80",
                "CMD [\"app\"]"
            ],
            "{rt}"
        );
    }

    #[test]
    fn dev_packages_nothing_builds_against_are_swapped_for_their_libraries() {
        let text = "FROM debian:bullseye-slim\nRUN apt-get update && apt-get install -y \\\n    ca-certificates \\\n    libx11-xcb-dev \\\n    && rm -rf /var/lib/apt/lists/*\nCMD [\"firefox\"]\n";
        let p = patch(text);
        assert!(p.patched.contains("    libx11-xcb1 \\\n") && !p.patched.contains("-dev"), "{}", p.patched);
        assert!(p.rationale[0].message.contains("a guess"), "{:?}", p.rationale);
        answers(text, &p, &["SL101"]);
    }

    #[test]
    fn pip_into_a_distribution_python_moves_into_a_virtualenv() {
        let text = "FROM alpine:3.20\nRUN apk add --no-cache python3 py3-pip build-base python3-dev libffi-dev \\\n    && pip3 install --no-cache-dir --break-system-packages cffi \\\n    && adduser -D app\nUSER app\nCMD [\"python3\", \"-c\", \"import cffi\"]\n";
        let p = patch(text);
        let (build, rt) = (p.patched.split(" AS runtime\n").next().unwrap(), runtime(&p));
        assert!(build.contains("ENV VIRTUAL_ENV=/opt/venv PATH=\"/opt/venv/bin:$PATH\"\nRUN apk add"), "{build}");
        assert!(build.contains("&& python3 -m venv /opt/venv && pip3 install"), "{build}");
        assert!(rt.starts_with("RUN apk add --no-cache python3 py3-pip libffi\nCOPY --from=build /opt/venv /opt/venv\nENV VIRTUAL_ENV=/opt/venv"), "{rt}");
        answers(text, &p, &["SL101"]);
        // a pip fetched by get-pip.py may have no venv: refused
        let getpip = "FROM alpine:3.20\nRUN apk add --no-cache python3 build-base && curl -sSL https://bootstrap.pypa.io/get-pip.py | python3 && pip install cffi\nCMD [\"python3\"]\n";
        let O::Refused(why) = suggest(getpip, "D", &Default::default(), &Templates::built_in()) else { panic!() };
        assert_eq!(why.reason, Reason::SystemPrefix);
    }

    #[test]
    fn headers_only_packages_go_and_architecture_namespaces_are_official() {
        let text = "FROM alpine:3.20\nRUN apk add --no-cache collectd collectd-dev\nCMD [\"collectd\", \"-f\"]\n";
        let p = patch(text);
        assert!(p.patched.contains("RUN apk add --no-cache collectd\n"), "{}", p.patched);
        answers(text, &p, &["SL101"]);
        // nothing left to install: not rewritten
        let only = "FROM alpine:3.20\nRUN apk add --no-cache collectd-dev\nCMD [\"sh\"]\n";
        assert!(matches!(suggest(only, "D", &Default::default(), &Templates::built_in()), O::Refused(_)));
        // arm32v7/debian is the official debian: pip lands in /usr/local
        let arm = "FROM arm32v7/debian:bookworm\nRUN apt-get update && apt-get install -y python3-pip build-essential python3-dev && pip3 install --break-system-packages cffi\nCMD [\"python3\"]\n";
        let p = patch(arm);
        assert!(runtime(&p).contains("COPY --from=build /usr/local /usr/local"), "{}", p.patched);
    }

    #[test]
    fn runtime_libraries_found_by_verify_replace_the_table() {
        let text = "FROM debian:bookworm\nRUN apt-get update && apt-get install -y gcc make libssl-dev libfoo-dev curl && rm -rf /var/lib/apt/lists/*\nWORKDIR /src\nCOPY . .\nRUN make && cp app /usr/local/bin/app\nCMD [\"app\"]\n";
        let guessed = patch(text);
        assert!(runtime(&guessed).contains("--no-install-recommends libssl3 curl"), "{}", guessed.patched);
        let inputs = crate::patch::Inputs {
            runtime_libs: Some(vec![("libssl3".into(), "libssl.so.3".into()), (String::new(), "libfoo.so.1".into())]),
            ..Default::default()
        };
        let O::Patch(found) = suggest(text, "D", &inputs, &Templates::built_in()) else { panic!() };
        assert!(runtime(&found).contains("--no-install-recommends curl libssl3 \\"), "{}", found.patched);
        let m = &found.rationale.iter().find(|r| r.rule == "SL102").unwrap().message;
        assert!(m.contains("ELF needs") && m.contains("libssl3 (libssl.so.3)") && m.contains("libfoo.so.1"), "{m}");
        assert!(!m.contains("guess"), "{m}");
    }

    #[test]
    fn runtime_bases_exist() {
        assert_eq!(super::runtime_base("alpine:latest"), "alpine:latest");
        assert_eq!(super::runtime_base("ubuntu:22.04"), "ubuntu:22.04");
        assert_eq!(super::runtime_base("debian:bookworm"), "debian:bookworm-slim");
        // the official python/ruby/node full images build on buildpack-deps
        assert_eq!(super::runtime_base("buildpack-deps:trixie"), "debian:trixie-slim");
        assert_eq!(super::runtime_base("buildpack-deps:noble"), "ubuntu:noble");
        assert_eq!(super::runtime_base("python:3.12"), "python:3.12-slim");
        assert_eq!(super::runtime_base("rust:1.80-alpine"), "alpine:3.20");
        assert_eq!(super::runtime_base("eclipse-temurin:21"), "eclipse-temurin:21-jre");
    }

    /// Every patch the split emits, on a deterministic sweep of generated build-and-install
    /// files (distributions and toolchain images, installs with runtime libraries, every
    /// artifact shape, set-up commands), applies to its input, parses, and no longer ships a
    /// toolchain; what it cannot do is refused with a reason.
    #[test]
    fn property_every_split_applies_parses_and_ships_no_toolchain() {
        let t = Templates::built_in();
        let mut pick = crate::patch::testing::picker(0x1ea7);
        let bases =
            ["debian:bookworm", "ubuntu:22.04", "alpine:3.20", "golang:1.22", "rust:1.80", "eclipse-temurin:17"];
        let apt = [
            "RUN apt-get update && apt-get install -y --no-install-recommends build-essential libssl-dev ca-certificates && rm -rf /var/lib/apt/lists/*",
            "RUN apt-get update && apt-get install -y gcc make libpq-dev curl",
            "RUN apt-get update && apt-get install -y --no-install-recommends git cmake zlib1g-dev && rm -rf /var/lib/apt/lists/*",
        ];
        let apk = [
            "RUN apk add --no-cache build-base openssl-dev curl",
            "RUN apk add --no-cache --virtual .keep gcc musl-dev make pcre-dev",
        ];
        let builds = [
            "RUN make && cp app /usr/local/bin/",
            "RUN ./configure --prefix=/opt/app && make && make install",
            "RUN ./configure --prefix=/usr && make && make install",
            "RUN git clone https://example.com/x.git /tmp/x && cd /tmp/x && make && make install",
            "RUN go build -o /usr/local/bin/app ./cmd/app",
            "RUN cargo build --release && cp target/release/app /usr/local/bin/app",
            "RUN mkdir -p out && javac -d out App.java && jar cfe /app/app.jar App -C out .",
            "RUN make && install -m 755 app /usr/local/bin/app && useradd -r app",
            "RUN cmake -B b . && cmake --build b && cmake --install b",
            "RUN make && ./run-tests",
        ];
        let extras = [
            "WORKDIR /src",
            "COPY . .",
            "ENV MODE=prod",
            "# a comment\nARG V=1",
            "USER 1000",
            "EXPOSE 8080",
            "RUN ln -s /usr/local/bin/app /usr/bin/app",
        ];
        let (mut patched, mut refused) = (0, 0);
        for _ in 0..400 {
            let base = bases[pick(bases.len())];
            let mut lines = vec![format!("FROM {base}")];
            let alpine = base.starts_with("alpine");
            if !base.starts_with("golang") && !base.starts_with("rust") && !base.starts_with("eclipse") {
                lines.push(if alpine { apk[pick(apk.len())] } else { apt[pick(apt.len())] }.to_owned());
            }
            for _ in 0..1 + pick(3) {
                lines.push(extras[pick(extras.len())].to_owned());
            }
            lines.push(builds[pick(builds.len())].to_owned());
            if pick(2) == 0 {
                lines.push(extras[pick(extras.len())].to_owned());
            }
            lines.push("CMD [\"app\"]".to_owned());
            let text = lines.join("\n") + "\n";
            match suggest(&text, "Dockerfile", &Default::default(), &t) {
                O::Patch(p) => {
                    patched += 1;
                    assert_eq!(
                        crate::patch::diff::apply(&text, &p.diff).as_deref(),
                        Some(p.patched.as_str()),
                        "{text}"
                    );
                    let after = crate::lint::lint_text(&p.patched, "D", &crate::lint::LintConfig::default());
                    assert!(!after.iter().any(|f| f.code == "SL001"), "does not parse:\n{}", p.patched);
                    assert!(
                        !after.iter().any(|f| f.code == "SL101"),
                        "toolchain still ships:\n{text}\n->\n{}",
                        p.patched
                    );
                }
                O::Refused(why) => {
                    refused += 1;
                    assert!(!why.message.is_empty(), "{text}");
                }
                O::Nothing(_) => {}
            }
        }
        eprintln!("split sweep: {patched} patches, {refused} refusals of 400");
        assert!(patched > 150 && refused > 20, "the sweep exercises both: {patched} patches, {refused} refusals");
    }

    #[test]
    fn honest_refusals_carry_their_reason() {
        let t = Templates::built_in();
        let reason = |text: &str| match suggest(text, "D", &Default::default(), &t) {
            O::Refused(why) => (why.reason, why.message.clone()),
            other => panic!("{other:?}"),
        };
        let (r, m) = reason("FROM alpine:3.20\nRUN apk add --no-cache gcc make\nCMD [\"sh\"]\n");
        assert_eq!(r, Reason::NoBuildStep, "{m}");
        assert!(m.contains("nothing in this stage builds with `gcc`, `make`"), "{m}");
        let (r, m) = reason("FROM debian:12\nRUN apt-get install -y gcc && make && ./run-tests\nCMD [\"sh\"]\n");
        assert_eq!(r, Reason::MixedRun, "{m}");
        assert!(m.contains("line 2") && m.contains("./run-tests"), "{m}");
        let (r, m) = reason("FROM debian:12\nRUN apt-get install -y gcc && make\nCMD [\"sh\"]\n");
        assert_eq!(r, Reason::UnknownArtifact, "{m}");
    }
}
