//! The runtime libraries every rewrite's runtime stage needs, decided once for all
//! rewriters: a program, extension or addon built against a `-dev` package links that
//! package's shared library, so when the rewrite moves the `-dev` package into the build
//! stage, the runtime stage must install the library in its place.
//!
//! - **Without a daemon**, `templates/runtime-libs.tsv` maps each `-dev` (`-devel`) package
//!   to its runtime package in the manager that installed it (Debian, Alpine, RPM naming).
//!   The patch says the packages are the table's guess.
//! - **Under `--verify`**, the `DT_NEEDED` entries of every ELF file the runtime stage copies
//!   (a virtualenv's extensions, `node_modules/**/*.node`, a gem home, a cgo binary, an
//!   install prefix) decide, with the build stage's package that provides each library,
//!   less what the runtime base has ([`Inputs::runtime_libs`]).
//!
//! The generic split (`install/`) places its runtime packages itself, beside the packages
//! it keeps; every other rewriter gets them here, as the template's `runtime_install` line
//! right after the runtime stage's `FROM`.

use super::{Inputs, Rationale};
use crate::dockerfile::packages::Manager;
use crate::dockerfile::shell;
use crate::dockerfile::ship::run_state;
use crate::dockerfile::{Dockerfile, Graph, ImageRef, Kind, Stage};

/// One row of the table: a `-dev` package and its runtime package per naming (`-`: none).
pub struct Row {
    pub dev: &'static str,
    deb: &'static str,
    apk: &'static str,
    rpm: &'static str,
}

impl Row {
    /// The runtime package in `manager`'s naming on `release` (the Debian or Ubuntu release
    /// of the runtime base, [`release_of`]; `None`: the table's own, bookworm's); `None`
    /// when headers are all it holds.
    /// The row's own column for `manager`: a name, `-` (nothing) or `?` (unknown).
    pub fn column(&self, manager: Manager) -> &'static str {
        match manager {
            Manager::Apk => self.apk,
            Manager::Yum | Manager::Dnf | Manager::Microdnf => self.rpm,
            Manager::AptGet | Manager::Apt => self.deb,
        }
    }

    fn runtime(&self, manager: Manager, release: Option<&str>) -> Option<&'static str> {
        let lib = match manager {
            Manager::Apk => self.apk,
            Manager::Yum | Manager::Dnf | Manager::Microdnf => self.rpm,
            Manager::AptGet | Manager::Apt => release
                .and_then(|r| releases().iter().find(|(rel, dev, _)| *rel == r && *dev == self.dev))
                .map_or(self.deb, |(_, _, lib)| lib),
        };
        (lib != "-").then_some(lib)
    }
}

/// The rows of `templates/runtime-libs-releases.tsv`: (release, `-dev` package, runtime
/// package) where a Debian or Ubuntu release names the library otherwise than bookworm
/// (`libssl1.1` on buster and focal, `libssl3t64` on trixie and noble).
fn releases() -> &'static [(&'static str, &'static str, &'static str)] {
    static RELEASES: std::sync::LazyLock<Vec<(&str, &str, &str)>> = std::sync::LazyLock::new(|| {
        include_str!("../../templates/runtime-libs-releases.tsv")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let mut f = l.split('\t');
                Some((f.next()?, f.next()?, f.next()?))
            })
            .collect()
    });
    &RELEASES
}

/// The Debian or Ubuntu release an image is built on, when its name or tag says so: a
/// codename in the tag (`python:3.7-slim-buster`, `node:18-bullseye-slim`), or a numbered
/// `debian`/`ubuntu` tag (`debian:10`, `ubuntu:20.04`). `None` for anything else, which
/// the table's (bookworm's) naming serves.
pub fn release_of(image: &str) -> Option<&'static str> {
    // (the releases the tables have no rows for are named too: the table cannot say for them)
    const CODENAMES: [&str; 23] = [
        "wheezy", "jessie", "stretch", "buster", "bullseye", "bookworm", "trixie", "forky", "sid", "precise", "trusty",
        "xenial", "bionic", "focal", "jammy", "kinetic", "lunar", "mantic", "noble", "oracular", "plucky", "questing",
        "resolute",
    ];
    const NUMBERED: [(&str, &str); 22] = [
        ("debian:7", "wheezy"),
        ("debian:8", "jessie"),
        ("debian:9", "stretch"),
        ("debian:10", "buster"),
        ("debian:11", "bullseye"),
        ("debian:12", "bookworm"),
        ("debian:13", "trixie"),
        ("ubuntu:12.04", "precise"),
        ("ubuntu:14.04", "trusty"),
        ("ubuntu:16.04", "xenial"),
        ("ubuntu:18.04", "bionic"),
        ("ubuntu:20.04", "focal"),
        ("ubuntu:22.04", "jammy"),
        ("ubuntu:24.04", "noble"),
        ("debian:14", "forky"),
        ("ubuntu:22.10", "kinetic"),
        ("ubuntu:23.04", "lunar"),
        ("ubuntu:23.10", "mantic"),
        ("ubuntu:24.10", "oracular"),
        ("ubuntu:25.04", "plucky"),
        ("ubuntu:25.10", "questing"),
        ("ubuntu:26.04", "resolute"),
    ];
    let r = ImageRef::parse(image);
    let tag = r.tag.clone().unwrap_or_default();
    if let Some(c) = tag.split(['-', '.', '_']).find_map(|part| CODENAMES.iter().find(|c| **c == part)) {
        return Some(c);
    }
    let by_number = |numbered: &str| {
        NUMBERED.iter().find(|(n, _)| numbered == *n || numbered.starts_with(&format!("{n}."))).map(|(_, c)| *c)
    };
    let name = r.short_name();
    if let Some(c) = by_number(&format!("{name}:{}", tag.split('-').next().unwrap_or_default())) {
        return Some(c);
    }
    // a release named by number in another image's tag (`nvidia/cuda:13.0.1-cudnn-runtime-
    // ubuntu24.04`, `…-debian12`)
    tag.split('-').find_map(|part| {
        ["ubuntu", "debian"].iter().find_map(|distro| {
            let number = part.strip_prefix(distro).filter(|n| n.starts_with(|ch: char| ch.is_ascii_digit()))?;
            by_number(&format!("{distro}:{number}"))
        })
    })
}

/// Why the runtime library of `dev` cannot be named from the image's tag, when apt installs
/// it and the table has a row for it:
/// - the tag names no Debian or Ubuntu release ([`release_of`] is `None`: `php:8.2-apache`,
///   trixie today and bookworm before) and those two releases name it differently
///   (`libicu72` on bookworm, `libicu76` on trixie); or
/// - it names a release the tables hold no names for (`debian:jessie`, `ubuntu:lunar`).
///
/// The table's name would then be a guess that may fail the runtime's install, and no name a
/// runtime without the library; `--verify` reads the library the build links instead.
pub fn release_dependent(dev: &str, manager: Manager, release: Option<&str>) -> Option<String> {
    if !matches!(manager, Manager::AptGet | Manager::Apt) {
        return None;
    }
    let own = row(dev)?.deb;
    if own == "-" || own == "?" {
        return None;
    }
    if let Some(r) = release {
        let covered = r == "bookworm" || releases().iter().any(|(rel, _, _)| *rel == r);
        return (!covered).then(|| format!("its release, {r}, is one the -dev → runtime table names no libraries for"));
    }
    // an official image's unpinned tag means trixie today and meant bookworm before; where the
    // two agree (`libffi8`, `libpq5`) the table's name holds either way, and so it does where
    // trixie only renamed it for the 64-bit time_t transition (`libssl3t64` provides `libssl3`
    // on 64-bit architectures, and apt installs a virtual package's one provider;
    // `libgeos-c1t64` provides `libgeos-c1v5`: the rename takes the name's stem)
    let renamed = |lib: &str| lib.strip_suffix("t64").is_some_and(|stem| own.starts_with(stem));
    let lib = releases()
        .iter()
        .find(|(rel, d, lib)| *rel == "trixie" && *d == dev && *lib != own && !renamed(lib))
        .map(|(_, _, lib)| *lib)?;
    Some(format!(
        "its tag names no Debian release, and `{dev}`'s runtime library is named per release (`{own}` on bookworm, `{lib}` on trixie)"
    ))
}

/// Whether the runtime library of the `-dev` package `dev` comes with a package the runtime
/// keeps anyway: a program package of the same source, which depends on the library at its
/// release's name (openstates' `gdal-bin` pulls `libgdal32` on bookworm and `libgdal36` on
/// trixie, so `libgdal-dev` needs no name of its own; `poppler-utils` for `libpoppler-dev`,
/// `libxml2-utils` for `libxml2-dev`, `freetds-bin` for `freetds-dev`, `sqlite3` for
/// `libsqlite3-dev`), or the library itself, installed by its soname's name (`libgdal36`).
pub fn pulled_by(dev: &str, kept: &[&str]) -> bool {
    let Some(base) = dev.strip_suffix("-dev").or_else(|| dev.strip_suffix("-devel")) else { return false };
    let stem = base.strip_prefix("lib").unwrap_or(base);
    if stem.is_empty() {
        return false;
    }
    let library = format!("lib{stem}");
    kept.iter().any(|k| {
        let k = k.split(['=', ':']).next().unwrap_or(k);
        // the library itself, named by its soname (`libgdal36`, `libpq5`, `libxml2`)
        let soname = k.strip_prefix(library.as_str()).is_some_and(|r| {
            r.starts_with(|c: char| c.is_ascii_digit())
                || r.strip_prefix('-').is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
        });
        soname
            || (base.starts_with("lib") && k == base)
            || [stem, base].iter().any(|s| {
                ["-bin", "-utils", "-tools", "-progs"].iter().any(|suffix| k == format!("{s}{suffix}"))
                    || (*s == stem && k == *s && s.chars().any(|c| c.is_ascii_digit()))
            })
    })
}

/// The `-dev` → runtime table (`templates/runtime-libs.tsv`), parsed once.
pub fn table() -> &'static [Row] {
    static TABLE: std::sync::LazyLock<Vec<Row>> = std::sync::LazyLock::new(|| {
        include_str!("../../templates/runtime-libs.tsv")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let mut f = l.split('\t');
                Some(Row { dev: f.next()?, deb: f.next()?, apk: f.next()?, rpm: f.next()? })
            })
            .collect()
    });
    &TABLE
}

/// The table's row for package `dev`, when it has one.
pub fn row(dev: &str) -> Option<&'static Row> {
    table().iter().find(|r| r.dev == dev)
}

/// The package Alpine builds the `-dev` package `dev` from, which holds its libraries
/// (abuild's `-dev` subpackage of its origin: `vips-dev` of `vips`, `cairo-dev` of `cairo`),
/// for a `-dev` package the table has no row for at all: the table's rows name the exceptions
/// (`postgresql-dev`'s `libpq`), and a row with no Alpine name (`?`, a Debian name) stays
/// unknown. `None` for any other manager.
pub fn alpine_origin(dev: &str, manager: Manager) -> Option<String> {
    (manager == Manager::Apk && row(dev).is_none()).then(|| dev.strip_suffix("-dev").map(str::to_owned)).flatten()
}

/// The runtime package of `dev` as installed by `manager` on an image of `release`: `None`
/// when the table cannot say, for a package it lacks or a Debian or Ubuntu release older than
/// it covers (jessie, trusty: `libncurses6` and `libreadline8` do not exist there), so the
/// package is reported as unknown rather than guessed wrong; `Some(None)` when headers are all
/// it holds.
pub fn runtime_on(dev: &str, manager: Manager, release: Option<&str>) -> Option<Option<&'static str>> {
    let apt = matches!(manager, Manager::AptGet | Manager::Apt);
    let named = |r: &str| r == "bookworm" || releases().iter().any(|(rel, _, _)| *rel == r);
    row(dev)
        .filter(|_| !apt || release.is_none_or(named))
        .filter(|r| r.column(manager) != "?")
        .map(|r| r.runtime(manager, release))
}

/// The runtime of a JDK package that nothing in its stage compiles with: the JRE of the same
/// version and naming (`openjdk-17-jdk-headless` → `openjdk-17-jre-headless`, `default-jdk`
/// → `default-jre`, Alpine's `openjdk17` and `openjdk17-jdk` → `openjdk17-jre`, Fedora's
/// `java-17-openjdk-devel` → `java-17-openjdk`, Adoptium's `temurin-21-jdk` →
/// `temurin-21-jre`). `None` for any other name.
pub fn jre_of(jdk: &str) -> Option<String> {
    if let Some(v) = jdk.strip_suffix("-openjdk-devel").and_then(|r| r.strip_prefix("java-")) {
        return Some(format!("java-{v}-openjdk"));
    }
    if let Some(v) = jdk.strip_prefix("openjdk") {
        let digits = v.trim_end_matches("-jdk");
        if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
            return Some(format!("openjdk{digits}-jre"));
        }
    }
    let (stem, headless) = match jdk.strip_suffix("-headless") {
        Some(s) => (s, "-headless"),
        None => (jdk, ""),
    };
    let vendor = stem.strip_suffix("-jdk")?;
    let known = vendor == "default"
        || ["openjdk-", "temurin-"]
            .iter()
            .any(|p| vendor.strip_prefix(p).is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit())));
    known.then(|| format!("{vendor}-jre{headless}"))
}

/// gcc's OpenMP runtime (`libgomp1`; Alpine's and RPM's `libgomp`), for a build that may
/// link it: a Python package built with CMake and gcc, whose FindOpenMP finds gcc's libgomp
/// whenever the compiler has it (ggml's llama-cpp-python, whisper.cpp's bindings, faiss,
/// xgboost and lightgbm build OpenMP in by default; round 53's three llama-cpp-python
/// runtimes lacked it). CMake shows as pip installing `cmake`, `scikit-build` or
/// `scikit-build-core` for the build, or `CMAKE_ARGS` (the variable scikit-build passes on)
/// written in a RUN, ENV or ARG of `instructions`; gcc as an install of it (`gcc`, `g++`,
/// `build-essential`, `build-base` …) or `gcc_base`, an image that has it. A C or C++
/// project's own `cmake` is not evidence: OpenMP is rare there. A slim runtime lacks the
/// library; where the build did not link it, it costs a few hundred KB, and `--verify` reads
/// the ELF needs instead. `None` without that evidence.
pub fn openmp_runtime(
    text: &str,
    instructions: &[&crate::dockerfile::Instruction],
    gcc_base: bool,
    manager: Manager,
) -> Option<&'static str> {
    let is_gcc = |p: &str| {
        matches!(p, "gcc" | "g++" | "gcc-c++" | "build-essential" | "build-base" | "alpine-sdk")
            || p.starts_with("gcc-")
            || p.starts_with("g++-")
    };
    let is_cmake = |p: &str| {
        let name = crate::dockerfile::packages::package_name(p);
        matches!(name, "cmake" | "scikit-build" | "scikit-build-core")
    };
    let (mut gcc, mut cmake) = (gcc_base, false);
    for ins in instructions {
        let written = text.get(ins.span.clone()).unwrap_or_default();
        if matches!(ins.kind, Kind::Run | Kind::Env | Kind::Arg) && written.contains("CMAKE_ARGS") {
            cmake = true;
        }
        if ins.kind != Kind::Run {
            continue;
        }
        for c in &shell::parse(&ins.script().unwrap_or_default()).commands {
            if let Some((_, pkgs)) = crate::dockerfile::packages::system_install(c) {
                gcc |= pkgs.iter().any(|p| is_gcc(p));
            }
            cmake |= crate::dockerfile::packages::python_install(c) && c.args().iter().any(|a| is_cmake(a));
        }
    }
    (gcc && cmake).then_some(if manager.is_apt() { "libgomp1" } else { "libgomp" })
}

/// Whether an image has gcc: a full official image (buildpack-deps underneath: the one with
/// a slim variant), `gcc` or `buildpack-deps` itself.
pub fn has_gcc(image: &str) -> bool {
    let r = ImageRef::parse(image);
    crate::lint::rules::slim_variant(image).is_some()
        || (r.official_name().is_some() && matches!(r.short_name(), "gcc" | "buildpack-deps"))
}

/// Whether a package name is a development package (`-dev`, `-devel`).
pub fn is_dev(name: &str) -> bool {
    name.ends_with("-dev") || name.ends_with("-devel")
}

/// The RUN that installs `packages` in the runtime stage, in `manager`'s way and with its
/// cache left out of the layer. With `recommends`, apt also installs what they recommend, as
/// the original's install did, except the toolchain packages named there (`build-essential-`):
/// the build stage has them, and a Recommends would bring them back (Debian's `python3-pip`
/// recommends `build-essential` and `python3-dev`). A trailing `-` keeps apt from installing
/// a package; a Recommends it would satisfy is then skipped, without an error.
pub fn install_line(manager: Manager, packages: &[String], recommends: Option<&[String]>) -> String {
    let names = packages.join(" ");
    match manager {
        Manager::Apk => format!("RUN apk add --no-cache {names}"),
        Manager::Microdnf => format!("RUN microdnf install -y {names} && microdnf clean all"),
        Manager::Yum => format!("RUN yum install -y {names} && yum clean all"),
        Manager::Dnf => format!("RUN dnf install -y {names} && dnf clean all"),
        Manager::AptGet | Manager::Apt => {
            let (flag, held) = match recommends {
                None => ("--no-install-recommends ", String::new()),
                Some(toolchain) => ("", toolchain.iter().map(|t| format!(" {t}-")).collect()),
            };
            format!("RUN apt-get update \\\n    && apt-get install -y {flag}{names}{held} \\\n    && rm -rf /var/lib/apt/lists/*")
        }
    }
}

/// The package manager of an image, from its name: Alpine's, an RPM distribution's, else apt.
pub fn manager_of_image(image: &str) -> Manager {
    let r = ImageRef::parse(image);
    let tag = r.tag.clone().unwrap_or_default();
    let name = r.short_name();
    if name == "alpine" || tag.contains("alpine") {
        Manager::Apk
    } else if ["fedora", "centos", "rockylinux", "almalinux", "amazonlinux", "oraclelinux"].contains(&name) {
        Manager::Dnf
    } else if name.starts_with("ubi") && name.ends_with("-minimal") {
        Manager::Microdnf
    } else if name.starts_with("ubi") {
        Manager::Dnf
    } else {
        Manager::AptGet
    }
}

/// What `--verify` found the copied ELF files need (package, soname; `""` when no package of
/// the build stage provides it), said once for every rewrite.
pub fn elf_needs_message(found: &[(String, String)]) -> String {
    let named: Vec<String> = found.iter().filter(|(p, _)| !p.is_empty()).map(|(p, so)| format!("{p} ({so})")).collect();
    let unresolved: Vec<&str> = found.iter().filter(|(p, _)| p.is_empty()).map(|(_, so)| so.as_str()).collect();
    let mut m = format!(
        "runtime libraries from the ELF needs of what the runtime copies, read in the built build stage: {}",
        if named.is_empty() { "none beyond the runtime base".to_owned() } else { named.join(", ") }
    );
    if !unresolved.is_empty() {
        m.push_str(&format!(
            "; no package of the build stage provides {}: install it in the runtime if the program needs it",
            unresolved.join(", ")
        ));
    }
    m
}

/// A `-dev` package the original stage shipped: its name, its manager and its line.
struct Dev {
    name: String,
    manager: Manager,
    line: usize,
}

/// The packages every RUN of `stage`'s lineage installs and ships.
fn shipped(df: &Dockerfile, graph: &Graph, stage: usize) -> Vec<(String, Manager, usize)> {
    let mut out = Vec::new();
    for i in graph.lineage(stage) {
        let st: &Stage = &df.stages[i];
        for ins in st.instructions.iter().filter(|i| i.kind == Kind::Run) {
            let state = run_state(&shell::parse(&ins.script().unwrap_or_default()));
            out.extend(state.shipped().map(|p| (p.name.clone(), p.manager, ins.line)));
        }
    }
    out
}

/// What the runtime stage of `patched` must add so the artifacts keep their libraries: the
/// RUN that installs them (none when nothing is missing) and why. `original` is the file
/// the rewrite started from.
pub fn runtime_install(original: &Dockerfile, patched: &str, inputs: &Inputs) -> (Option<String>, Vec<Rationale>) {
    let Ok(after) = Dockerfile::parse(patched) else { return (None, Vec::new()) };
    let (Ok(before_graph), Ok(after_graph)) = (Graph::build(original, &inputs.targets), Graph::build(&after, &[]))
    else {
        return (None, Vec::new());
    };
    let (Some(&ships), Some(&runtime)) = (before_graph.targets.first(), after_graph.targets.first()) else {
        return (None, Vec::new());
    };
    let kept: Vec<String> = shipped(&after, &after_graph, runtime).into_iter().map(|(n, _, _)| n).collect();
    // the -dev packages the original shipped and the runtime no longer installs
    let mut lost: Vec<Dev> = Vec::new();
    for (name, manager, line) in shipped(original, &before_graph, ships) {
        if is_dev(&name) && !kept.contains(&name) && !lost.iter().any(|d| d.name == name) {
            lost.push(Dev { name, manager, line });
        }
    }
    let runtime_image = after_graph.root_image(runtime).unwrap_or_default().to_owned();
    let manager = lost.first().map(|d| d.manager).unwrap_or_else(|| manager_of_image(&runtime_image));
    let at = lost.first().map(|d| d.line).unwrap_or(original.stages[ships].line);
    let mut packages: Vec<String> = Vec::new();
    let add = |p: &str, packages: &mut Vec<String>| {
        if !kept.iter().any(|k| k == p) && !packages.iter().any(|q| q == p) {
            packages.push(p.to_owned());
        }
    };
    // gcc's OpenMP runtime, for a CMake build's artifacts (a guess `--verify` replaces)
    let lineage: Vec<&crate::dockerfile::Instruction> =
        before_graph.lineage(ships).into_iter().flat_map(|i| original.stages[i].instructions.iter()).collect();
    let gcc_base = before_graph.root_image(ships).is_some_and(has_gcc);
    let openmp = openmp_runtime(&original.text, &lineage, gcc_base, manager).filter(|_| inputs.runtime_libs.is_none());
    let message = if let Some(found) = &inputs.runtime_libs {
        let mut named = Vec::new();
        let mut unresolved = Vec::new();
        for (package, soname) in found {
            if package.is_empty() {
                unresolved.push(soname.clone());
            } else {
                add(package, &mut packages);
                named.push(format!("{package} ({soname})"));
            }
        }
        if named.is_empty() && unresolved.is_empty() {
            if lost.is_empty() {
                return (None, Vec::new());
            }
            let devs: Vec<String> = lost.iter().map(|d| format!("`{}`", d.name)).collect();
            let m = format!(
                "the ELF needs of what the runtime copies, read in the built build stage, are all met by `{runtime_image}`: nothing is installed for {}",
                devs.join(", ")
            );
            return (None, vec![Rationale::new("SL102", at, m)]);
        }
        elf_needs_message(found)
    } else {
        let mut swapped = Vec::new();
        let mut unknown = Vec::new();
        for d in &lost {
            match runtime_on(&d.name, d.manager, release_of(&runtime_image)) {
                Some(Some(lib)) => {
                    add(lib, &mut packages);
                    swapped.push(format!("`{lib}` for `{}`", d.name));
                }
                Some(None) => {}
                None => match alpine_origin(&d.name, d.manager) {
                    Some(lib) => {
                        add(&lib, &mut packages);
                        swapped.push(format!("`{lib}` for `{}`", d.name));
                    }
                    None => unknown.push(format!("`{}`", d.name)),
                },
            }
        }
        if let Some(lib) = openmp.filter(|lib| !kept.iter().any(|k| k == lib)) {
            add(lib, &mut packages);
            swapped.push(format!("`{lib}` (gcc's OpenMP runtime, which a CMake build links when it finds it)"));
        }
        if swapped.is_empty() && unknown.is_empty() {
            return (None, Vec::new());
        }
        let mut m = if swapped.is_empty() {
            String::new()
        } else {
            format!(
                "the runtime installs the libraries the build linked against: {} (from the `-dev` → runtime table, a guess that `--verify` replaces with the ELF needs of what it copies)",
                swapped.join(", ")
            )
        };
        if !unknown.is_empty() {
            if !m.is_empty() {
                m.push_str("; ");
            }
            m.push_str(&format!(
                "no runtime package is known for {}: add its library to the runtime stage if the program needs it, or run `suggest --verify`",
                unknown.join(", ")
            ));
        }
        m
    };
    let line = (!packages.is_empty()).then(|| install_line(manager, &packages, None));
    (line, vec![Rationale::new("SL102", at, message)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_names_each_library_in_each_managers_naming() {
        let r = row("libpq-dev").unwrap();
        assert_eq!(r.runtime(Manager::AptGet, None), Some("libpq5"));
        assert_eq!(r.runtime(Manager::Apk, None), Some("libpq"));
        assert_eq!(row("libpq-devel").unwrap().runtime(Manager::Dnf, None), Some("libpq"));
        assert_eq!(row("openssl-devel").unwrap().runtime(Manager::Microdnf, None), Some("openssl-libs"));
        assert_eq!(row("build-essential").unwrap().runtime(Manager::AptGet, None), None);
        // every row has four fields, and every -devel row an RPM runtime or `-`
        let text = include_str!("../../templates/runtime-libs.tsv");
        for l in text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
            assert_eq!(l.split('\t').count(), 4, "{l:?}");
        }
        assert_eq!(table().len(), text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).count());
    }

    #[test]
    fn a_jdk_gives_way_to_its_jre() {
        for (jdk, jre) in [
            ("openjdk-17-jdk-headless", Some("openjdk-17-jre-headless")),
            ("openjdk-8-jdk", Some("openjdk-8-jre")),
            ("default-jdk", Some("default-jre")),
            ("openjdk17", Some("openjdk17-jre")),
            ("openjdk21-jdk", Some("openjdk21-jre")),
            ("java-1.7.0-openjdk-devel", Some("java-1.7.0-openjdk")),
            ("temurin-21-jdk", Some("temurin-21-jre")),
            ("openjdk-17-jre", None),
            ("ldapjdk", None),
            ("libssl-dev", None),
        ] {
            assert_eq!(jre_of(jdk).as_deref(), jre, "{jdk}");
        }
    }

    #[test]
    fn derived_rows_are_unknown_where_their_naming_is() {
        // a row derived from Debian's index says nothing of Alpine's or RPM's names
        assert_eq!(runtime_on("libgtk-3-dev", Manager::AptGet, None), Some(Some("libgtk-3-0")));
        // a program package of the same source brings the library at its release's name
        assert!(pulled_by("libgdal-dev", &["curl", "gdal-bin"]));
        assert!(pulled_by("libpoppler-dev", &["poppler-utils"]));
        assert!(pulled_by("libxml2-dev", &["libxml2-utils"]));
        assert!(pulled_by("freetds-dev", &["freetds-bin"]));
        assert!(pulled_by("libsqlite3-dev", &["sqlite3"]));
        // … and the library itself, kept by its soname's name (openstates' `libgdal36`)
        assert!(pulled_by("libgdal-dev", &["libgdal36"]));
        assert!(pulled_by("libpq-dev", &["libpq5"]));
        assert!(pulled_by("libxml2-dev", &["libxml2"]));
        assert!(!pulled_by("libgdal-dev", &["libgdalcpp"]));
        assert!(!pulled_by("libgdal-dev", &["gdal-data", "curl"]));
        assert!(!pulled_by("libpq-dev", &["postgresql-client"]));
        assert!(!pulled_by("libssl-dev", &["ssl"]));
        assert_eq!(runtime_on("libgtk-3-dev", Manager::Apk, None), None);
        assert_eq!(runtime_on("libgtk-3-dev", Manager::Dnf, None), None);
        // Alpine's origin names a -dev package the table has no row for, not one whose row
        // has no Alpine name (a Debian name)
        assert_eq!(alpine_origin("vips-dev", Manager::Apk).as_deref(), Some("vips"));
        assert_eq!(alpine_origin("libgtk-3-dev", Manager::Apk), None);
        assert_eq!(alpine_origin("vips-dev", Manager::AptGet), None);
        assert_eq!(runtime_on("libvips-dev", Manager::AptGet, Some("noble")), Some(Some("libvips42t64")));
    }

    #[test]
    fn each_release_gets_its_own_library_names() {
        assert_eq!(release_of("python:3.7-slim-buster"), Some("buster"));
        assert_eq!(release_of("node:18-bullseye-slim"), Some("bullseye"));
        assert_eq!(release_of("debian:10.13-slim"), Some("buster"));
        assert_eq!(release_of("ubuntu:20.04"), Some("focal"));
        assert_eq!(release_of("ubuntu:24.04"), Some("noble"));
        assert_eq!(release_of("buildpack-deps:jammy-curl"), Some("jammy"));
        assert_eq!(release_of("python:3.12-slim"), None);
        assert_eq!(release_of("nvidia/cuda:13.0.1-cudnn-runtime-ubuntu24.04"), Some("noble"));
        assert_eq!(release_of("nvidia/cuda:12.2.0-devel-ubuntu22.04"), Some("jammy"));
        assert_eq!(release_of("example/app:1.0-debian12"), Some("bookworm"));
        assert_eq!(release_of("example/app:ubuntu-latest"), None);
        assert_eq!(release_of("debian:1"), None);
        let ssl = row("libssl-dev").unwrap();
        assert_eq!(ssl.runtime(Manager::AptGet, None), Some("libssl3"));
        assert_eq!(ssl.runtime(Manager::AptGet, Some("buster")), Some("libssl1.1"));
        assert_eq!(ssl.runtime(Manager::AptGet, Some("noble")), Some("libssl3t64"));
        assert_eq!(ssl.runtime(Manager::Apk, Some("buster")), Some("libssl3"), "apk names are not Debian's");
        assert_eq!(row("libffi-dev").unwrap().runtime(Manager::AptGet, Some("bullseye")), Some("libffi7"));
        assert_eq!(row("libpq-dev").unwrap().runtime(Manager::AptGet, Some("buster")), Some("libpq5"));
        // a release older than the table covers gets no guess: the package is named as unknown
        assert_eq!(release_of("debian:jessie"), Some("jessie"));
        assert_eq!(release_of("ubuntu:14.04"), Some("trusty"));
        assert_eq!(runtime_on("libncurses-dev", Manager::AptGet, Some("jessie")), None);
        assert_eq!(
            runtime_on("libncurses-dev", Manager::Apk, Some("jessie")),
            Some(Some("ncurses-libs")),
            "apk is not Debian's"
        );
        assert_eq!(runtime_on("libncurses-dev", Manager::AptGet, Some("xenial")), Some(Some("libncurses5")));
        assert_eq!(runtime_on("build-essential", Manager::AptGet, Some("xenial")), Some(None));
        // … and the split asks for `--verify` rather than leave the library out
        let old = "FROM debian:jessie\nRUN apt-get update && apt-get install -y build-essential libssl-dev\nWORKDIR /src\nCOPY . .\nRUN make && cp app /usr/local/bin/\nCMD [\"app\"]\n";
        let r = match crate::patch::suggest(old, "Dockerfile", &Inputs::default(), &crate::patch::Templates::built_in())
        {
            crate::patch::Outcome::Refused(r) => r,
            other => panic!("{other:?}"),
        };
        // (the C rewriter's refusal comes first; the split's follows it)
        assert!(
            r.message.contains("the build-and-install split: line 2: the runtime's libraries cannot be named on `debian:jessie`: its release, jessie, is one the -dev → runtime table names no libraries for"),
            "{}",
            r.message
        );
        // with what the build links, as `--verify` reads it, it is patched
        let found =
            Inputs { runtime_libs: Some(vec![("libssl1.0.0".into(), "libssl.so.1.0.0".into())]), ..Inputs::default() };
        assert!(runtime(&patch(old, &found)).contains("libssl1.0.0"));
        // every release row names a -dev package the table has
        for (release, dev, _) in releases() {
            assert!(row(dev).is_some(), "{release} {dev}");
        }
        // a patch on buster installs buster's libraries, not bookworm's
        let text = "FROM python:3.7-slim-buster\nRUN apt-get update && apt-get install -y build-essential libssl-dev libffi-dev && rm -rf /var/lib/apt/lists/*\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n";
        let p = patch(text, &Inputs::default());
        assert!(runtime(&p).contains("--no-install-recommends libssl1.1 libffi6 \\"), "{}", p.patched);
    }

    /// gcc's OpenMP runtime is guessed for a Python package built with CMake and gcc, and for
    /// nothing else: not a C project's own cmake, not a build without gcc.
    #[test]
    fn openmp_is_guessed_for_a_cmake_built_python_package() {
        let guess = |text: &str, gcc_base: bool, m: Manager| {
            let df = Dockerfile::parse(text).unwrap();
            let all: Vec<&crate::dockerfile::Instruction> = df.stages.iter().flat_map(|s| &s.instructions).collect();
            openmp_runtime(&df.text, &all, gcc_base, m)
        };
        let llama = "FROM python:3-slim-bookworm\nRUN apt-get update && apt-get install -y build-essential\nRUN pip install cmake scikit-build\nRUN CMAKE_ARGS=\"-DGGML_BLAS=ON\" pip install llama_cpp_python\n";
        assert_eq!(guess(llama, false, Manager::AptGet), Some("libgomp1"));
        assert_eq!(guess(&llama.replace("apt-get install -y build-essential", "true"), false, Manager::AptGet), None);
        assert_eq!(
            guess(&llama.replace("apt-get install -y build-essential", "true"), true, Manager::AptGet),
            Some("libgomp1")
        );
        let env = "FROM python:3.12-alpine\nRUN apk add build-base\nENV CMAKE_ARGS=-DWHISPER_OPENMP=ON\nRUN pip install pywhispercpp\n";
        assert_eq!(guess(env, false, Manager::Apk), Some("libgomp"));
        let c_project =
            "FROM debian:12\nRUN apt-get update && apt-get install -y gcc cmake\nRUN cmake -B b && cmake --build b\n";
        assert_eq!(guess(c_project, false, Manager::AptGet), None);
    }

    #[test]
    fn install_lines_keep_the_cache_out() {
        let p = vec!["libpq5".to_owned()];
        assert!(install_line(Manager::AptGet, &p, None).ends_with("rm -rf /var/lib/apt/lists/*"));
        assert!(install_line(Manager::AptGet, &p, None).contains("install -y --no-install-recommends libpq5"));
        assert!(install_line(Manager::AptGet, &p, Some(&[])).contains("install -y libpq5 \\"));
        let held = ["build-essential".to_owned(), "python3-dev".to_owned()];
        assert!(install_line(Manager::AptGet, &p, Some(&held))
            .contains("install -y libpq5 build-essential- python3-dev- \\"));
        assert_eq!(install_line(Manager::Apk, &p, Some(&held)), "RUN apk add --no-cache libpq5");
        assert_eq!(install_line(Manager::Microdnf, &p, None), "RUN microdnf install -y libpq5 && microdnf clean all");
        assert_eq!(manager_of_image("python:3.12-alpine"), Manager::Apk);
        assert_eq!(manager_of_image("registry.access.redhat.com/ubi9/ubi-minimal"), Manager::Microdnf);
        assert_eq!(manager_of_image("python:3.12-slim"), Manager::AptGet);
    }

    fn patch(text: &str, inputs: &Inputs) -> crate::patch::Patch {
        use crate::patch::{suggest, Outcome, Templates};
        match suggest(text, "Dockerfile", inputs, &Templates::built_in()) {
            Outcome::Patch(p) => p,
            other => panic!("no patch for\n{text}\n{other:?}"),
        }
    }

    fn runtime(p: &crate::patch::Patch) -> &str {
        p.patched.split(" AS runtime\n").nth(1).unwrap_or_default()
    }

    #[test]
    fn a_python_extension_keeps_the_library_it_links() {
        let text = "FROM python:3.11\nRUN apt-get update && apt-get install -y build-essential libpq-dev && rm -rf /var/lib/apt/lists/*\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n";
        let p = patch(text, &Inputs::default());
        assert_eq!(p.ecosystem, "python");
        assert!(
            runtime(&p).starts_with("RUN apt-get update \\\n    && apt-get install -y --no-install-recommends libpq5 \\\n    && rm -rf /var/lib/apt/lists/*\nENV VIRTUAL_ENV"),
            "{}",
            p.patched
        );
        let why = p.rationale.iter().find(|r| r.message.contains("libpq5")).expect("the rationale names it");
        assert_eq!(why.line, 2);
        assert!(
            why.message.contains("`libpq5` for `libpq-dev`") && why.message.contains("--verify"),
            "{}",
            why.message
        );
        crate::patch::testing::answers(text, &p, &["SL101"]);
        // on Alpine, in apk's naming; headers-only packages bring nothing
        let alpine = "FROM python:3.11-alpine\nRUN apk add --no-cache gcc musl-dev postgresql-dev\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n";
        let p = patch(alpine, &Inputs::default());
        assert!(runtime(&p).starts_with("RUN apk add --no-cache libpq\n"), "{}", p.patched);
        // no -dev library: no runtime install, no rationale about it
        let plain = text.replace(" libpq-dev", "");
        let p = patch(&plain, &Inputs::default());
        assert!(!runtime(&p).contains("apt-get"), "{}", p.patched);
        assert!(!p.rationale.iter().any(|r| r.message.contains("libraries")), "{:?}", p.rationale);
    }

    #[test]
    fn a_custom_template_without_the_line_is_told_what_its_runtime_lacks() {
        use crate::patch::{suggest, Outcome, Templates};
        let text = "FROM python:3.11\nRUN apt-get update && apt-get install -y gcc libpq-dev\nRUN pip install psycopg2\nCMD [\"python\", \"-m\", \"app\"]\n";
        let mine = "{{{build_from}}}\nRUN python -m venv /opt/venv\n{{#each build}}{{{this}}}\n{{/each}}{{{runtime_from}}}\nCOPY --from=build /opt/venv /opt/venv\n{{#each runtime}}{{{this}}}\n{{/each}}";
        let templates = Templates::new(&[("python".into(), mine.into(), "mine/python.Dockerfile.hbs".into())]).unwrap();
        let Outcome::Patch(p) = suggest(text, "D", &Inputs::default(), &templates) else { panic!() };
        assert!(!p.patched.contains("libpq5"), "{}", p.patched);
        let said = p.rationale.iter().map(|r| r.message.as_str()).collect::<Vec<_>>().join("\n");
        assert!(
            said.contains("has no `{{{runtime_install}}}`, so the runtime stage lacks: RUN apt-get update"),
            "{said}"
        );
    }

    #[test]
    fn verify_s_elf_needs_replace_the_table() {
        let text = "FROM node:18\nRUN apt-get update && apt-get install -y build-essential libsqlite3-dev\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nCMD [\"node\", \"dist/index.js\"]\n";
        let guess = patch(text, &Inputs::default());
        assert!(runtime(&guess).contains("--no-install-recommends libsqlite3-0 \\"), "{}", guess.patched);
        let found = Inputs {
            runtime_libs: Some(vec![
                ("libsqlite3-0".into(), "libsqlite3.so.0".into()),
                (String::new(), "libfoo.so.1".into()),
            ]),
            ..Inputs::default()
        };
        let exact = patch(text, &found);
        let why = exact.rationale.iter().find(|r| r.message.contains("ELF needs")).expect("said");
        assert!(
            why.message.contains("libsqlite3-0 (libsqlite3.so.0)") && why.message.contains("libfoo.so.1"),
            "{}",
            why.message
        );
        assert!(runtime(&exact).contains("libsqlite3-0"), "{}", exact.patched);
        // all found in the runtime base: nothing installed, and said
        let met = patch(text, &Inputs { runtime_libs: Some(Vec::new()), ..Inputs::default() });
        assert!(!runtime(&met).contains("apt-get"), "{}", met.patched);
        assert!(met.rationale.iter().any(|r| r.message.contains("all met by `node:18-slim`")), "{:?}", met.rationale);
    }
}
