//! What the Dockerfile's commands install: system package managers, pip, node package
//! managers, and which packages are build-only toolchains. Shared by the lint rules and by
//! the image comparison (which names the toolchain a layer installs).

use super::shell::{self, SimpleCommand};

/// A system package manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Manager {
    AptGet,
    Apt,
    Apk,
    Yum,
    Dnf,
    Microdnf,
}

impl Manager {
    pub fn of(cmd: &SimpleCommand) -> Option<Manager> {
        Some(match cmd.program() {
            // apt-fast downloads in parallel and hands over to apt-get, whose CLI it takes
            "apt-get" | "apt-fast" => Manager::AptGet,
            "apt" => Manager::Apt,
            "apk" => Manager::Apk,
            "yum" => Manager::Yum,
            "dnf" => Manager::Dnf,
            "microdnf" => Manager::Microdnf,
            _ => return None,
        })
    }

    pub fn is_apt(self) -> bool {
        matches!(self, Manager::AptGet | Manager::Apt)
    }
}

/// Whether `apt-get install` of this package installs no recommended package on a base
/// image: in Debian bookworm's main archive neither it nor its dependency closure, beyond what
/// every image has, recommends anything (`locales`, `libyaml-dev`, `psmisc`; not `curl`,
/// whose libcurl4 recommends ca-certificates). The list is derived from the archive's index by
/// `bench/apt-no-recommends.py`; a package it does not name (another archive's, a file, a
/// variable) may bring some. Debian's alone: Ubuntu's packages recommend otherwise.
pub fn apt_brings_no_recommends(name: &str) -> bool {
    static CLEAN: std::sync::LazyLock<std::collections::HashSet<&'static str>> = std::sync::LazyLock::new(|| {
        include_str!("../../templates/apt-no-recommends.txt").lines().filter(|l| !l.starts_with('#')).collect()
    });
    CLEAN.contains(name)
}

/// Packages a command installs through a system package manager (versions and architecture
/// qualifiers stripped), or `None` when it is not an install.
pub fn system_install(cmd: &SimpleCommand) -> Option<(Manager, Vec<&str>)> {
    let m = Manager::of(cmd)?;
    let verb = match m {
        Manager::Apk => "add",
        _ => "install",
    };
    let args = cmd.args();
    let at = args.iter().position(|a| a == verb)?;
    // `apt-get install -s` only says what it would do (postgres asks whether a -jit package
    // exists that way); apk's `--simulate`, dnf's `--assumeno` install nothing either
    let simulated = args.iter().any(|a| {
        matches!(a.as_str(), "--simulate" | "--just-print" | "--dry-run" | "--recon" | "--no-act" | "--assumeno")
            || (m.is_apt() && a.starts_with('-') && !a.starts_with("--") && a.contains('s'))
    });
    if simulated {
        return None;
    }
    // the options that take their value as the next word (apt-get's `-o Opt=val` and
    // `--option "Acquire::Retries=3"`, round 66's doctor; apk's `--repository URL`; dnf's
    // `--setopt`), each manager's own: the value is no package
    let takes_value: &[&str] = match m {
        Manager::AptGet | Manager::Apt => &[
            "-o",
            "--option",
            "-t",
            "--target-release",
            "--default-release",
            "-c",
            "--config-file",
            "-a",
            "--host-architecture",
        ],
        Manager::Apk => &[
            "-X",
            "--repository",
            "-t",
            "-t=",
            "--virtual",
            "-p",
            "--root",
            "--arch",
            "--keys-dir",
            "--cache-dir",
            "--repositories-file",
        ],
        Manager::Yum | Manager::Dnf | Manager::Microdnf => &[
            "--setopt",
            "--enablerepo",
            "--disablerepo",
            "--repo",
            "--repoid",
            "-x",
            "--exclude",
            "--installroot",
            "--releasever",
            "-c",
            "--config",
        ],
    };
    let mut pkgs = Vec::new();
    let mut skip = false;
    for a in &args[at + 1..] {
        if std::mem::take(&mut skip) {
            continue;
        }
        if takes_value.contains(&a.as_str()) {
            skip = true;
            continue;
        }
        // apt's `name-` asks for the package to be removed (or not installed), not installed
        if a.starts_with('-') || a.starts_with('$') || (m.is_apt() && a.ends_with('-')) {
            continue;
        }
        pkgs.push(package_name(a));
    }
    Some((m, pkgs))
}

/// Whether pip is told to install for the user: a value pip reads as true for `PIP_USER`
/// (an ENV's), or a pip install with `--user`.
pub fn pip_user_env(value: &str) -> bool {
    matches!(value.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on")
}

/// A pip install of the user's site (`pip install --user …`).
pub fn pip_user_flag(c: &SimpleCommand) -> bool {
    pip_install(c).is_some() && c.args().iter().any(|a| a == "--user")
}

/// `curl=7.88.1-10` → `curl`, `libc6:amd64` → `libc6`, `py3-pip>=22` → `py3-pip`. A
/// qualifier inside a parameter expansion is the shell's, not the package's:
/// `redis-server${REDIS_VERSION:+=${REDIS_VERSION}}` stays whole.
pub fn package_name(spec: &str) -> &str {
    let mut depth = 0usize;
    let mut prev = '\0';
    for (i, ch) in spec.char_indices() {
        match ch {
            '{' if prev == '$' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            '=' | ':' | '<' | '>' | '~' if depth == 0 => return &spec[..i],
            _ => {}
        }
        prev = ch;
    }
    spec
}

/// Whether a package is build-only: compilers, build systems, SDKs, headers.
pub fn is_toolchain_package(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "build-essential",
        "gcc",
        "g++",
        "gcc-c++",
        "cc",
        "clang",
        "llvm",
        "lld",
        "make",
        "cmake",
        "ninja-build",
        "meson",
        "autoconf",
        "automake",
        "libtool",
        "pkg-config",
        "pkgconf",
        "golang",
        "golang-go",
        "go",
        "rustc",
        "cargo",
        "rust",
        "maven",
        "gradle",
        "ant",
        "build-base",
        "alpine-sdk",
        "musl-dev",
        "linux-headers",
        "kernel-headers",
        "gfortran",
        "nasm",
        "yasm",
        "bison",
        "flex",
        "dpkg-dev",
        "devtoolset",
        "dotnet-sdk",
    ];
    let n = name.to_ascii_lowercase();
    EXACT.contains(&n.as_str())
        || n.ends_with("-dev")
        || n.ends_with("-devel")
        // a versioned headers package (`postgresql-server-dev-18`: PGXS, which pulls in clang)
        || n.rsplit_once("-dev-").is_some_and(|(_, v)| v == "all" || (!v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.')))
        || ["gcc-", "g++-", "clang-", "llvm-", "golang-1", "dotnet-sdk-", "rust-"].iter().any(|p| n.starts_with(p))
        || is_jdk_name(&n)
}

/// A JDK by its package name: a `jdk` part (`openjdk-17-jdk-headless`, `default-jdk`,
/// `openjdk17-jdk`, `temurin-21-jdk`, `jdk-17`), or Alpine's `openjdk17`. Not a JRE, named
/// so or by Fedora/RHEL/SUSE's naming, where `java-17-openjdk` and its `-headless` are the
/// runtime and `-devel` the JDK; not a library with `jdk` in its name (`ldapjdk`).
fn is_jdk_name(n: &str) -> bool {
    let parts: Vec<&str> = n.split(['-', '_']).collect();
    !n.contains("jre")
        && !n.starts_with("java-")
        && (parts.contains(&"jdk")
            || parts.first().is_some_and(|p| {
                p.strip_prefix("openjdk").is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()))
            }))
}

/// Whether a `-dev` (or `-devel`) name is a headers package by the distributions' naming:
/// a library's (`libssl-dev`, `zlib1g-dev`: a name with a version digit or `lib` in front) or a
/// language runtime's (`python3-dev`, `python3.11-dev`, `ruby-dev`, `php8.2-dev`). A vendor's
/// channel package (`microsoft-edge-dev`, `brave-browser-dev`) is neither.
pub fn is_distribution_dev_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let Some(stem) = n.strip_suffix("-dev").or_else(|| n.strip_suffix("-devel")) else { return false };
    const RUNTIMES: &[&str] = &[
        "python", "ruby", "php", "perl", "tcl", "tk", "erlang", "lua", "node", "nodejs", "openjdk", "java", "golang",
        "r-base", "guile", "ocaml",
    ];
    stem.starts_with("lib")
        || stem.chars().any(|c| c.is_ascii_digit())
        || RUNTIMES.iter().any(|r| {
            stem == *r
                || stem.strip_prefix(r).is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit() || c == '.'))
        })
}

/// Whether a RUN adds a package repository that is not the distribution's: an apt source or
/// yum/zypper repo file written (`> /etc/apt/sources.list.d/x.list`), `add-apt-repository`
/// of a URL (a PPA is still a distribution's naming), `dnf config-manager --add-repo`,
/// `zypper addrepo`. Packages installed after it may be the vendor's.
pub fn adds_vendor_repository(script: &shell::Script) -> bool {
    script.commands.iter().any(|c| {
        let writes_repo = c.words.iter().any(|w| {
            let w = w.trim_start_matches('>');
            w.starts_with("/etc/apt/sources.list")
                || w.starts_with("/etc/yum.repos.d/")
                || w.starts_with("/etc/zypp/repos.d/")
        });
        let adds = match c.program() {
            "add-apt-repository" => c.args().iter().any(|a| a.contains("://")),
            "dnf" | "yum" => c.args().iter().any(|a| a == "--add-repo" || a.starts_with("--add-repo=")),
            "yum-config-manager" => c.args().iter().any(|a| a.starts_with("--add-repo")),
            "zypper" => matches!(c.subcommand(), Some("addrepo" | "ar")),
            _ => false,
        };
        writes_repo || adds
    })
}

/// Whether a package compiles or drives a compile (a compiler, a build system or the
/// metapackages that pull them in), as opposed to the headers and libraries a build reads.
pub fn is_compiler_package(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    is_toolchain_package(&n)
        && !n.ends_with("-dev")
        && !n.ends_with("-devel")
        && !matches!(n.as_str(), "linux-headers" | "kernel-headers" | "musl-dev" | "pkg-config" | "pkgconf")
}

/// Whether git is a build tool in these RUN scripts: some command runs git itself (`git
/// clone`, `git checkout` …; not `git config` or `git lfs install`, which set it up for the
/// program) or a build that fetches with it (`go get`, `pip install git+…`,
/// `npm install` of a git dependency is not seen). git installed and never used by a RUN may
/// be what the program runs (a git server, an editor, a self-updating app), so it is not
/// called build-only then.
pub fn git_builds(scripts: &[&shell::Script]) -> bool {
    scripts.iter().flat_map(|s| &s.commands).any(|c| {
        // `git config`, `git lfs install`, `git --version` set git up for the program to use
        (c.program() == "git" && !matches!(c.subcommand(), Some("config" | "lfs" | "version" | "help") | None))
            || (c.program() == "go" && matches!(c.subcommand(), Some("get" | "install" | "build" | "mod")))
            || c.args().iter().any(|a| a.starts_with("git+") || a.starts_with("git://"))
    })
}

/// The folder a command makes a Python virtualenv in, as written: `python3 -m venv /venv`,
/// `python -m virtualenv /venv`, `virtualenv /venv`, `uv venv /venv`.
pub fn venv_folder(c: &SimpleCommand) -> Option<&str> {
    let (p, args) = (c.program(), c.args());
    let after = if p.starts_with("python") {
        let at = args.windows(2).position(|w| w[0] == "-m" && matches!(w[1].as_str(), "venv" | "virtualenv"))?;
        &args[at + 2..]
    } else if p == "virtualenv" {
        args
    } else if p == "uv" && c.subcommand() == Some("venv") {
        &args[1..]
    } else {
        return None;
    };
    // past the options and the values of those that take one (`-p python3`, `--prompt app`)
    let mut skip = false;
    for a in after {
        if std::mem::take(&mut skip) {
            continue;
        }
        match a.as_str() {
            "-p" | "--python" | "--prompt" => skip = true,
            _ if a.starts_with('-') => {}
            _ => return Some(a),
        }
    }
    None
}

/// pip's arguments after `install`, for `pip install`, `pip3 install`, `python -m pip install`.
pub fn pip_install(cmd: &SimpleCommand) -> Option<&[String]> {
    pip_options(cmd).map(|(_, after)| after)
}

/// pip's global options (between `pip` and `install`: `pip --no-cache-dir install`) and its
/// arguments after `install`, for an install.
pub fn pip_options(cmd: &SimpleCommand) -> Option<(&[String], &[String])> {
    let args = match cmd.program() {
        p if p == "pip" || p.starts_with("pip3") || p == "pip2" => cmd.args(),
        p if p.starts_with("python") => {
            let a = cmd.args();
            let at = a.windows(2).position(|w| w[0] == "-m" && w[1] == "pip")?;
            &a[at + 2..]
        }
        _ => return None,
    };
    let at = args.iter().position(|a| a == "install")?;
    Some((&args[..at], &args[at + 1..]))
}

/// uv's pip interface, `uv pip install …` (uv's global options may come first: `uv
/// --no-cache pip install`): its arguments after `install`. It installs as pip does, into
/// the active virtualenv (VIRTUAL_ENV), or the system's Python with `--system`.
pub fn uv_pip_install(cmd: &SimpleCommand) -> Option<&[String]> {
    if cmd.program() != "uv" {
        return None;
    }
    let args = cmd.args();
    let at = args.windows(2).position(|w| w[0] == "pip" && w[1] == "install")?;
    Some(&args[at + 2..])
}

/// A Python dependency install by any of the installers (which may compile what it
/// installs): pip, `uv pip install`, `uv sync`, `poetry install`, `pipenv install`/`sync`,
/// `pdm install`/`sync`.
pub fn python_install(cmd: &SimpleCommand) -> bool {
    let sub = cmd.subcommand();
    pip_install(cmd).is_some()
        || uv_pip_install(cmd).is_some()
        || match cmd.program() {
            // `add` installs what it adds to the project too (round 67's notification-api:
            // `poetry install && poetry add wheel`)
            "uv" => matches!(sub, Some("sync" | "add")),
            "poetry" => matches!(sub, Some("install" | "add")),
            "pipenv" => matches!(sub, Some("install" | "sync")),
            "pdm" => matches!(sub, Some("install" | "sync" | "add")),
            _ => false,
        }
}

/// Where `uv sync` installs the project: UV_PROJECT_ENVIRONMENT as the RUN's values set it,
/// else the project's `.venv` beside its `pyproject.toml` (the folder it runs in, or
/// `--directory`/`--project`'s). `None` for any other command, or a value not known.
pub fn uv_sync_environment(cmd: &SimpleCommand, vars: &[(String, String)]) -> Option<String> {
    if cmd.program() != "uv" || cmd.subcommand() != Some("sync") {
        return None;
    }
    let env = cmd
        .assignments
        .iter()
        .find_map(|a| a.strip_prefix("UV_PROJECT_ENVIRONMENT=").map(str::to_owned))
        .or_else(|| vars.iter().rev().find(|(k, _)| k == "UV_PROJECT_ENVIRONMENT").map(|(_, v)| v.clone()));
    let dir = option_value(cmd.args(), "--directory").or_else(|| option_value(cmd.args(), "--project"));
    match (env, dir) {
        (Some(e), _) if !e.contains('$') && !e.is_empty() => Some(e),
        (Some(_), _) => None,
        (None, Some(d)) if !d.contains('$') => Some(format!("{}/.venv", d.trim_end_matches('/'))),
        (None, Some(_)) => None,
        (None, None) => Some(".venv".into()),
    }
}

/// The value of `--name value` or `--name=value` among `args`.
pub fn option_value<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter().enumerate().find_map(|(i, a)| {
        if a == name {
            args.get(i + 1).map(String::as_str)
        } else {
            a.strip_prefix(name).and_then(|r| r.strip_prefix('='))
        }
    })
}

/// npm and yarn options written before the verb that take a value (`npm --cache /tmp/c
/// install`): their value is not the verb.
const NODE_VALUE_OPTIONS: &[&str] = &[
    "--cache",
    "--prefix",
    "--registry",
    "--userconfig",
    "--globalconfig",
    "--loglevel",
    "-w",
    "--workspace",
    "-C",
    "--cwd",
    "--cache-folder",
    "--modules-folder",
    "--mutex",
    "--network-timeout",
];

/// Node package manager install commands: (`npm`|`yarn`|`pnpm`, args after the verb, installs
/// the project's own dependencies rather than named packages).
pub fn node_install(cmd: &SimpleCommand) -> Option<(&str, &[String], bool)> {
    let prog = cmd.program();
    if !matches!(prog, "npm" | "yarn" | "pnpm") {
        return None;
    }
    let args = cmd.args();
    let mut verb_at = None;
    let mut i = 0;
    while i < args.len() {
        if NODE_VALUE_OPTIONS.contains(&args[i].as_str()) {
            i += 2;
            continue;
        }
        if !args[i].starts_with('-') {
            verb_at = Some(i);
            break;
        }
        i += 1;
    }
    let informational = args.iter().any(|a| matches!(a.as_str(), "--version" | "-v" | "--help" | "-h"));
    let (verb, rest) = match verb_at {
        Some(i) => (args[i].as_str(), &args[i + 1..]),
        // bare `yarn` installs; `yarn --version` does not
        None if prog == "yarn" && !informational => ("install", args),
        None => return None,
    };
    let is_install = match prog {
        "npm" => matches!(verb, "install" | "i" | "ci" | "add"),
        "yarn" => matches!(verb, "install" | "add"),
        _ => matches!(verb, "install" | "i" | "add"),
    };
    if !is_install {
        return None;
    }
    let named = verb == "add" || rest.iter().any(|a| !a.starts_with('-'));
    Some((prog, rest, !named && !rest.iter().any(|a| a == "-g" || a == "--global")))
}

/// Toolchain packages a shell script installs through a system package manager, in order.
pub fn toolchain_installed(script: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for cmd in &shell::parse(script).commands {
        if let Some((_, pkgs)) = system_install(cmd) {
            for p in pkgs {
                if is_toolchain_package(p) && !out.iter().any(|o| o == p) {
                    out.push(p.to_owned());
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::shell::parse;

    /// Round 45 (unclecode/crawl4ai, held out): a version pinned through a parameter
    /// expansion keeps the expansion whole; the runtime's install was cut at its colon
    #[test]
    fn a_qualifier_inside_an_expansion_is_the_shells() {
        assert_eq!(package_name("curl=7.88.1-10"), "curl");
        assert_eq!(package_name("libc6:amd64"), "libc6");
        assert_eq!(package_name("py3-pip>=22"), "py3-pip");
        let pinned = "redis-server${REDIS_VERSION:+=${REDIS_VERSION}}";
        assert_eq!(package_name(pinned), pinned);
        assert_eq!(package_name("python${PY}-dev=3.11.2-1"), "python${PY}-dev");
    }

    /// Round 66 (freelawproject/doctor, held out): `--option "Acquire::Retries=3"` takes its
    /// value as the next word, as `-o` does; the patch's runtime installed a package `Acquire`
    #[test]
    fn an_options_value_is_no_package() {
        let names =
            |s: &str| parse(s).commands.iter().find_map(system_install).map(|(_, p)| p.join(" ")).unwrap_or_default();
        assert_eq!(
            names("apt-get install --option \"Acquire::Retries=3\" --assume-yes -o Dpkg::Use-Pty=0 antiword qpdf"),
            "antiword qpdf"
        );
        assert_eq!(names("apt-get install -y -t bookworm-backports --config-file /etc/apt/x.conf git"), "git");
        assert_eq!(names("apk add --no-cache --virtual .build-deps --repository https://x/edge gcc"), "gcc");
        assert_eq!(names("dnf install -y --setopt install_weak_deps=False --enablerepo crb gcc"), "gcc");
    }

    #[test]
    fn virtualenv_folders() {
        let folder = |s: &str| parse(s).commands.iter().find_map(|c| venv_folder(c).map(str::to_owned));
        assert_eq!(folder("python3 -m venv /opt/venv").as_deref(), Some("/opt/venv"));
        assert_eq!(folder("virtualenv -p python3 /venv").as_deref(), Some("/venv"));
        assert_eq!(folder("virtualenv --python=python3 /venv").as_deref(), Some("/venv"));
        assert_eq!(folder("python -m venv --prompt app --upgrade-deps .venv").as_deref(), Some(".venv"));
        assert_eq!(folder("uv venv /app/.venv").as_deref(), Some("/app/.venv"));
        assert_eq!(folder("python3 -m pip install venv"), None);
    }

    #[test]
    fn installs() {
        let s = parse(
            "apt-get -q install -y --no-install-recommends -o Dpkg::Options::=--force-confold gcc=12 libpq-dev:amd64",
        );
        let (m, p) = system_install(&s.commands[0]).unwrap();
        assert_eq!((m, p), (Manager::AptGet, vec!["gcc", "libpq-dev"]));
        assert!(system_install(&parse("apt-get update").commands[0]).is_none());
        let s = parse("python3 -m pip install --no-cache-dir flask");
        assert_eq!(pip_install(&s.commands[0]).unwrap(), ["--no-cache-dir", "flask"]);
        assert_eq!(node_install(&parse("npm ci --omit=dev").commands[0]).map(|x| x.2), Some(true));
        assert_eq!(node_install(&parse("npm install -g pnpm").commands[0]).map(|x| x.2), Some(false));
        assert!(node_install(&parse("npm run build").commands[0]).is_none());
        assert!(node_install(&parse("yarn --version").commands[0]).is_none());
        assert!(node_install(&parse("yarn --frozen-lockfile").commands[0]).is_some());
    }

    #[test]
    fn toolchains() {
        // PostgreSQL's versioned extension-building headers (PGXS, which pulls in clang)
        for p in [
            "build-essential",
            "python3-dev",
            "openjdk-17-jdk-headless",
            "gcc-12",
            "zlib-devel",
            "postgresql-server-dev-18",
            "postgresql-server-dev-all",
        ] {
            assert!(is_toolchain_package(p), "{p}");
        }
        for p in ["openjdk17", "openjdk17-jdk", "default-jdk", "temurin-21-jdk", "jdk-17", "java-17-openjdk-devel"] {
            assert!(is_toolchain_package(p), "{p}");
        }
        // Fedora/RHEL's runtime Java, and a library named for the JDK
        for p in [
            "curl",
            "openjdk-17-jre-headless",
            "libpq5",
            "python3",
            "java-1.8.0-openjdk",
            "java-17-openjdk-headless",
            "ldapjdk",
        ] {
            assert!(!is_toolchain_package(p), "{p}");
        }
        assert_eq!(
            toolchain_installed(
                "apt-get update && apt-get install -y python3 build-essential python3-dev && rm -rf /x"
            ),
            ["build-essential", "python3-dev"]
        );
    }
}
