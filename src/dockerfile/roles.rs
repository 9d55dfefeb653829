//! What each command of a RUN is for: the one classifier of command roles that the lint
//! rules and the rewriters share, so "is this a build step?" has one answer everywhere.
//!
//! A role is decided by the command alone (its program, subcommand and arguments), never by
//! the RUN's text:
//!
//! - [`Role::Install`]: a system package manager installs or removes packages;
//! - [`Role::Clean`]: the package manager's own housekeeping (`update`, `clean`,
//!   `autoremove`, `upgrade`) or removing its lists and caches;
//! - [`Role::Build`]: a build tool or compiler runs, or a language package manager installs
//!   (which may compile);
//! - [`Role::Fetch`]: sources or tools are downloaded, unpacked or verified;
//! - [`Role::CopyOut`]: files are put in place (`cp`, `mv`, `install`, `strip`);
//! - [`Role::Setup`]: the system is set up for the program (users, links, permissions,
//!   locales, capabilities): a runtime stage reruns these;
//! - [`Role::Shell`]: the shell's own plumbing (`cd`, `export`, `test`, text tools);
//! - [`Role::Other`]: anything else: it may be what the program needs at run time.

use super::packages::{system_install, Manager};
use super::shell::SimpleCommand;

/// What a command is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Install,
    Clean,
    Build,
    Fetch,
    CopyOut,
    Setup,
    Shell,
    Other,
}

/// Build tools that prepare or assist a build without making their RUN a build on their own
/// (autotools, binutils, `rustup`, `node`, PHP's extension set-up); with [`BUILD_RUN`], the
/// [`Role::Build`] programs.
const PREPARES: &[&str] = &[
    "autogen.sh",
    "autoreconf",
    "autoconf",
    "automake",
    "aclocal",
    "autoheader",
    "libtoolize",
    "bison",
    "flex",
    "m4",
    "ar",
    "ranlib",
    "ld",
    "objcopy",
    "bootstrap",
    // runs the tests a CMake build made (postgis's `ctest --test-dir …/build`)
    "ctest",
    "rustup",
    // the Rust toolchain's installer, downloaded beside the build (`./rustup-init -y`)
    "rustup-init",
    "python2",
    "node",
    "phpize",
    "docker-php-ext-configure",
];

/// Compilers, build drivers and the language package managers whose installs may compile:
/// running one makes a RUN a build (see [`runs_build`]).
const BUILD_RUN: &[&str] = &[
    "gmake",
    "scons",
    "c++",
    "clang++",
    "rustc",
    "ant",
    "lein",
    "pnpm",
    "npx",
    "abuild",
    "pyinstaller",
    "make",
    "cmake",
    "ninja",
    "meson",
    "configure",
    "gcc",
    "g++",
    "cc",
    "clang",
    "go",
    "cargo",
    "javac",
    "jar",
    "mvn",
    "mvnw",
    "gradle",
    "gradlew",
    "pip",
    "pip3",
    "npm",
    "yarn",
    "gem",
    "bundle",
    "luarocks",
    "python",
    "python3",
    "dotnet",
    "composer",
    "pecl",
    "docker-php-ext-install",
    "dpkg-buildpackage",
    "qmake",
    "qmake-qt5",
    "sbt",
    "bazel",
    "easy_install",
    "cpanm",
    "docker-php-ext-enable",
];

const FETCH: &[&str] = &[
    "curl",
    "wget",
    "git",
    "tar",
    "unzip",
    "gunzip",
    "xz",
    "sha1sum",
    "sha224sum",
    "sha256sum",
    "sha384sum",
    "sha512sum",
    // Perl's checksum tool, which Debian and Alpine's perl carry (`shasum -a 256 --check`)
    "shasum",
    "md5sum",
    "b2sum",
    "cksum",
    "gpg",
    "gpgv",
    "gpgconf",
    "patch",
];

const COPY_OUT: &[&str] = &["cp", "mv", "install", "strip", "ldconfig"];

const SETUP: &[&str] = &[
    // which program a generic name runs (`update-alternatives --set iptables …-legacy`): links
    "update-alternatives",
    "a2enmod",
    "a2enconf",
    "a2ensite",
    "locale-gen",
    // compiles one locale, as locale-gen does the configured ones (WebODM's postgres)
    "localedef",
    "update-locale",
    "chpasswd",
    "useradd",
    "adduser",
    "addgroup",
    "groupadd",
    "usermod",
    "groupmod",
    "ln",
    "chmod",
    // a folder's default permissions (`setfacl -d -m o::rwx /usr/local/bundle`)
    "setfacl",
    "chown",
    "setcap",
    "touch",
    "update-ca-certificates",
    // where packages come from and how they are configured: a runtime stage that installs
    // from the same sources reruns them
    "add-apt-repository",
    "apt-add-repository",
    "apt-key",
    "debconf-set-selections",
    "dpkg-reconfigure",
    // which file a package's own is moved aside for (discourse's `/sbin/initctl`)
    "dpkg-divert",
    // fontconfig's cache of the fonts installed
    "fc-cache",
];

const SHELL: &[&str] = &[
    "cd",
    "export",
    "set",
    "echo",
    "true",
    "false",
    "pushd",
    "popd",
    "mkdir",
    "ls",
    "[",
    "[[",
    "test",
    "find",
    "xargs",
    "grep",
    "awk",
    "sed",
    "sort",
    "cut",
    "tee",
    "printf",
    "cat",
    "exit",
    "return",
    ":",
    "unset",
    "shift",
    "local",
    "wait",
    "sleep",
    // the shell's own limits (InvokeAI's `ulimit -n 30000` before `uv sync`): gone with it
    "ulimit",
    "umask",
    "dirname",
    "basename",
    "readlink",
    "realpath",
    "uname",
    "command",
    "which",
    "head",
    "tail",
    "break",
    "continue",
    "trap",
    "pwd",
    "nproc",
    "mktemp",
    "wc",
    "tr",
    "uniq",
    "id",
    "getent",
    "date",
    "stat",
    "ldd",
    "dpkg-architecture",
    "type",
    "hash",
    "shopt",
    "umask",
    "read",
    // `source venv/bin/activate`: the shell reads a file of settings
    "source",
    ".",
];

/// The role of a command.
pub fn of(c: &SimpleCommand) -> Role {
    let p = c.program();
    // a call of the script's own function: its body's commands have their own roles
    if c.calls_function {
        return Role::Shell;
    }
    if is_clean(c) {
        return Role::Clean;
    }
    if let Some(role) = inline_script(c) {
        return role;
    }
    // a build xargs runs (rengine's `printf … | xargs -L1 go install`) is a build; anything
    // else through xargs stays plumbing
    if c.run_by_xargs().is_some_and(|run| of(&run) == Role::Build) {
        return Role::Build;
    }
    // a hook the build's arguments supply, read as a command (openresty's `eval $(echo
    // ${RESTY_EVAL_PRE_CONFIGURE})`): a step of the build it sits in, and nothing at all
    // while the argument is left empty
    if c.words[..c.effective_start()].iter().any(|w| w == "eval") && c.effective().iter().all(|w| w.starts_with('$')) {
        return Role::Build;
    }
    if Manager::of(c).is_some() || matches!(p, "apt-mark" | "dpkg" | "dpkg-query") {
        return Role::Install;
    }
    if p == "rm" {
        return Role::Clean;
    }
    // a program asked only its version is a check, as `test` is
    // … and one asked only its help (`sentry --help` after its pip install: a smoke check)
    // (its output redirected or not: `rg --version 2>&1`)
    let asked: Vec<&String> = c.args().iter().filter(|a| !is_redirection(a)).collect();
    if matches!(asked[..], [a] if matches!(a.as_str(), "version" | "--version" | "-v" | "-V" | "--help" | "-h")) {
        return Role::Shell;
    }
    // … or its own version (`uv self version`, `poetry self version`)
    if matches!(asked[..], [s, v] if s == "self" && v == "version") {
        return Role::Shell;
    }
    // a program run from /tmp was downloaded for the build (`/tmp/rustup-init -y`); one run
    // from a language package manager's tool folder is a tool it installed for the build
    // (openemr's `/root/.composer/vendor/bin/phing vendor-clean`, `node_modules/.bin/tsc`)
    let downloaded = c
        .effective()
        .first()
        .is_some_and(|w| w.starts_with("/tmp/") || w.contains("vendor/bin/") || w.contains("node_modules/.bin/"))
        || fetches_rustup(c);
    if installs_browsers(c) {
        return Role::Other;
    }
    // a Python run of the program's own code fetches or prepares data, compiling nothing;
    // the standard library's archive tools unpack, as `unzip` and `tar` do
    if runs_python_code(c) {
        let module = c.args().windows(2).find(|w| w[0] == "-m").map(|w| w[1].as_str());
        return match module {
            Some("zipfile" | "tarfile" | "gzip") => Role::Fetch,
            _ => Role::Other,
        };
    }
    if BUILD_RUN.contains(&p)
        || super::packages::python_install(c)
        || makes_venv(c)
        || php_installer(c)
        || PREPARES.contains(&p)
        || configures_python_tool(c)
        || configures(c)
        || p.ends_with("autogen.sh")
        || downloaded
        || r_install(c)
    {
        return Role::Build;
    }
    if FETCH.contains(&p) {
        return Role::Fetch;
    }
    if COPY_OUT.contains(&p) {
        return Role::CopyOut;
    }
    if SETUP.contains(&p) || edits_system_config(c) {
        return Role::Setup;
    }
    if SHELL.contains(&p) {
        return Role::Shell;
    }
    Role::Other
}

/// Whether a command sets up a Python project tool for the build (`poetry config
/// virtualenvs.create false`, `pdm config python.use_venv false`): it prepares a build, as
/// [`PREPARES`] do, and the runtime, which runs no such tool, does not need it.
fn configures_python_tool(c: &SimpleCommand) -> bool {
    matches!(c.program(), "poetry" | "pdm" | "pipenv" | "uv") && c.subcommand() == Some("config")
}

/// The role of a script a shell runs inline (`sh -c 'test -f /sbin/initctl || ln -s
/// /bin/true /sbin/initctl'`, or `su postgres -c '…'` as another user), read as commands: a build when one of them builds, set-up
/// (or the shell's own, or a fetch or clean) when all of them are that, and
/// [`Role::Other`] otherwise: an install inside it names packages no reader of the outer
/// command sees. `None`: not a shell running an inline script.
fn inline_script(c: &SimpleCommand) -> Option<Role> {
    let text = inline_text(c)?;
    let roles: Vec<Role> = super::shell::parse(text).commands.iter().map(of).collect();
    if roles.contains(&Role::Build) {
        return Some(Role::Build);
    }
    if roles.is_empty() || roles.iter().any(|r| matches!(r, Role::Install | Role::CopyOut | Role::Other)) {
        return Some(Role::Other);
    }
    // the strongest of set-up, fetch, clean and the shell's own
    [Role::Setup, Role::Fetch, Role::Clean, Role::Shell].into_iter().find(|r| roles.contains(r))
}

/// The script a shell runs inline (`bash -c '…'`, also under sudo; `su app -c '…'`).
pub fn inline_text(c: &SimpleCommand) -> Option<&str> {
    if !matches!(c.program(), "sh" | "bash" | "dash" | "ash" | "zsh" | "su") {
        return None;
    }
    let w = c.effective();
    w.iter().position(|a| a == "-c").and_then(|at| w.get(at + 1)).map(String::as_str)
}

/// Whether a command sets up where packages come from: a repository (`add-apt-repository`,
/// `apt-add-repository`), its key (`apt-key add`, `gpg --dearmor -o
/// /usr/share/keyrings/x.gpg`, `curl -o /etc/apt/keyrings/x.asc …`), or a list written into
/// apt's or yum's sources (`echo "deb …" > /etc/apt/sources.list.d/edge.list`, also through
/// `sh -c`).
pub fn configures_sources(c: &SimpleCommand) -> bool {
    let sources = |w: &str| {
        let w = w.trim_start_matches(['>', '&']);
        [
            "/etc/apt/sources.list",
            "/etc/apt/keyrings/",
            "/etc/apt/trusted.gpg",
            "/usr/share/keyrings/",
            "/etc/yum.repos.d/",
        ]
        .iter()
        .any(|d| w.starts_with(d))
    };
    let args = c.args();
    // the file a command writes: its `-o`/`-O`/`--output` value, or where `>` sends it
    let written = || {
        args.windows(2).any(|w| matches!(w[0].as_str(), ">" | ">>" | "-o" | "-O" | "--output") && sources(&w[1]))
            || args.iter().any(|a| {
                (a.starts_with('>') || a.starts_with("--output=") || a.starts_with("-o/") || a.starts_with("-O/"))
                    && sources(a.trim_start_matches("--output=").trim_start_matches("-o").trim_start_matches("-O"))
            })
    };
    match c.program() {
        "add-apt-repository" | "apt-add-repository" | "apt-key" => true,
        "echo" | "printf" | "cat" | "gpg" | "gpg2" | "curl" | "wget" => written(),
        "tee" => args.iter().any(|a| sources(a)),
        "sh" | "bash" | "dash" | "ash" | "zsh" => {
            let w = c.effective();
            let text = w.iter().position(|a| a == "-c").and_then(|at| w.get(at + 1));
            text.is_some_and(|t| super::shell::parse(t).commands.iter().any(configures_sources))
        }
        _ => false,
    }
}

/// Whether a URL is a vendor's apt set-up script (`https://deb.nodesource.com/setup_20.x`,
/// packagecloud's `…/script.deb.sh`, `get.docker.com`): such a script adds the vendor's
/// repository and its key, and fetches the package lists.
pub fn vendor_apt_setup_url(w: &str) -> bool {
    let Some((_, rest)) = w.split_once("://") else { return false };
    let host = rest.split('/').next().unwrap_or_default();
    host.starts_with("deb.") || rest.ends_with("script.deb.sh") || matches!(host, "get.docker.com" | "test.docker.com")
}

/// Whether command `at` of a script is a shell running a vendor's apt set-up script piped
/// to it (`curl -fsSL https://deb.nodesource.com/setup_22.x | bash -`): it sets up a package
/// source, as `add-apt-repository` does.
pub fn runs_vendor_apt_setup(script: &super::shell::Script, at: usize) -> bool {
    let Some(c) = script.commands.get(at) else { return false };
    let fed = at.checked_sub(1).and_then(|b| script.commands.get(b)).filter(|b| b.pipes_into_next);
    matches!(c.program(), "sh" | "bash" | "dash")
        && runs_script(c).is_none()
        && !c.words.iter().any(|w| w == "-c")
        && fed.is_some_and(|b| b.words.iter().any(|w| vendor_apt_setup_url(w)))
}

/// A redirection written as a word of its own that names no file: `2>&1`, `>&2`, `1>&-`.
fn is_redirection(w: &str) -> bool {
    let rest = w.trim_start_matches(|ch: char| ch.is_ascii_digit());
    (rest.starts_with(">&") || rest.starts_with("<&")) && rest.len() > 2
}

/// Whether a command runs its program as another user than root: the entrypoint idiom's
/// switchers (`exec gosu app "$@"`, `su-exec`, `sudo -u app`), s6's and daemontools'
/// (`s6-setuidgid`, `s6-applyuidgid`, `setuidgid`, `chpst -u`), `runuser -u`, `setpriv
/// --reuid`, and `su app -c …`.
pub fn drops_root(c: &SimpleCommand) -> bool {
    let not_root = |u: &str| !matches!(u.split(':').next(), Some("root" | "0" | ""));
    // the wrappers before the program (`exec gosu app`, `sudo -u app`)
    let wrappers = &c.words[..c.effective_start()];
    let switched = wrappers.windows(2).any(|w| matches!(w[0].as_str(), "gosu" | "su-exec") && not_root(&w[1]))
        || wrappers.windows(3).any(|w| matches!(w[0].as_str(), "sudo" | "doas") && w[1] == "-u" && not_root(&w[2]));
    let args = c.args();
    let operand = || args.iter().find(|a| !a.starts_with('-')).map(String::as_str);
    switched
        || match c.program() {
            "s6-setuidgid" | "setuidgid" => operand().is_some_and(not_root),
            "s6-applyuidgid" => args.iter().any(|a| a == "-u" || a == "-U"),
            "chpst" | "runuser" => args.windows(2).any(|w| w[0] == "-u" && not_root(&w[1])),
            "setpriv" => args.iter().any(|a| a.starts_with("--reuid")),
            "su" => {
                // `su app -c cmd`, `su -s /bin/sh -c cmd app`: the operand that is no option's value
                let mut skip = false;
                args.iter().any(|a| {
                    if std::mem::take(&mut skip) {
                        return false;
                    }
                    match a.as_str() {
                        "-c" | "-s" | "--command" | "--shell" | "-g" | "-G" => {
                            skip = true;
                            false
                        }
                        "-" | "-l" | "--login" | "-m" | "-p" => false,
                        _ => !a.starts_with('-') && not_root(a),
                    }
                })
            }
            _ => false,
        }
}

/// Whether a text tool writes the system's configuration under `/etc`: `sed -i` of a file
/// there (`sed -i 's/^# en_US/en_US/' /etc/locale.gen`), or `echo`/`printf`/`cat`/`tee`
/// writing into one (`echo … >> /etc/locale.gen`). The program reads it at run time, so a
/// runtime stage reruns it, as it reruns `locale-gen`.
pub fn edits_system_config(c: &SimpleCommand) -> bool {
    let in_etc = |w: &str| w.trim_start_matches(['>', '&']).starts_with("/etc/");
    let args = c.args();
    match c.program() {
        "sed" => {
            args.iter().any(|a| {
                a == "--in-place"
                    || a.starts_with("--in-place=")
                    || (a.starts_with('-') && !a.starts_with("--") && a.contains('i'))
            }) && args.last().is_some_and(|a| in_etc(a))
        }
        "tee" => args.iter().any(|a| in_etc(a)),
        "echo" | "printf" | "cat" => {
            args.windows(2).any(|w| matches!(w[0].as_str(), ">" | ">>") && in_etc(&w[1]))
                || args.iter().any(|a| a.starts_with('>') && in_etc(a))
        }
        _ => false,
    }
}

/// The script a command runs, when it runs one shiplight does not read: `bash install.sh`,
/// `sh -e ./setup`, `./configure-app.sh`, `/opt/app/install.sh` (an inline `sh -c '…'` is
/// read as commands, so it is none).
pub fn runs_script(c: &SimpleCommand) -> Option<&str> {
    let w = c.effective();
    let program = w.first()?;
    if matches!(c.program(), "sh" | "bash" | "dash" | "ash" | "zsh") {
        let operands: Vec<&String> = w[1..].iter().take_while(|a| *a != "-c").filter(|a| !a.starts_with('-')).collect();
        return (!w[1..].iter().any(|a| a == "-c")).then_some(()).and(operands.first().map(|s| s.as_str()));
    }
    (program.ends_with(".sh") || program.starts_with("./")).then_some(program.as_str())
}

/// The package manager's housekeeping: `update`, `clean`, `autoremove`, `upgrade`, or
/// removing its lists and caches (`/var/lib/apt`, `/var/cache`).
pub fn is_clean(c: &SimpleCommand) -> bool {
    (Manager::of(c).is_some() && matches!(c.subcommand(), Some("update" | "clean" | "autoremove" | "upgrade")))
        || (c.program() == "rm"
            && c.args().iter().any(|a| a.starts_with("/var/lib/apt") || a.starts_with("/var/cache")))
}

/// Whether a build step may compile native code with a C toolchain a stage installed, so
/// that a stage running it needs that toolchain: a [`Role::Build`] other than a build tool's
/// configuration (`pip config set global.timeout 60`, `npm config set`, `poetry config …`,
/// `bundle config set …`) and other than PHP's Composer, which installs PHP code and compiles
/// nothing (kimai's `composer install` in a stage built FROM the one with the toolchain), or
/// Composer's installer run by PHP (`curl … | php -- --install-dir=…`, rounds 83 and 84),
/// and other than an install of package managers themselves (`pip install --upgrade pip`,
/// `npm install -g pnpm@10`, `gem install bundler`), which are published as pure code or
/// built wheels.
pub fn may_build_native(c: &SimpleCommand) -> bool {
    let configures_tool = matches!(
        c.program(),
        "pip" | "pip3" | "npm" | "yarn" | "pnpm" | "poetry" | "pdm" | "pipenv" | "uv" | "bundle" | "gem" | "composer"
    ) && c.subcommand() == Some("config");
    of(c) == Role::Build
        && !configures_tool
        && c.program() != "composer"
        && !php_installer(c)
        && !installs_only_package_managers(c)
}

/// Whether a pip, npm, yarn, pnpm or gem install names nothing but package managers (every
/// operand after the subcommand, its version stripped, is one): `pip install --upgrade pip
/// setuptools wheel`, `npm install -g npm@latest`. A requirements file, an index URL or any
/// other operand makes it an install like any other.
fn installs_only_package_managers(c: &SimpleCommand) -> bool {
    const MANAGERS: &[&str] = &[
        "pip",
        "setuptools",
        "wheel",
        "uv",
        "poetry",
        "pipenv",
        "pdm",
        "virtualenv",
        "npm",
        "pnpm",
        "yarn",
        "corepack",
        "bundler",
    ];
    let python = c.program() == "python" || c.program() == "python3";
    let args: Vec<&String> = match c.args() {
        [m, pip, rest @ ..] if python && m == "-m" && pip == "pip" => rest.iter().collect(),
        args if matches!(c.program(), "pip" | "pip3" | "npm" | "yarn" | "pnpm" | "gem") => args.iter().collect(),
        _ => return false,
    };
    let Some((sub, rest)) = args.split_first() else { return false };
    let operands: Vec<&&String> = rest.iter().filter(|a| !a.starts_with('-')).collect();
    let name = |a: &str| a.split(['=', '<', '>', '~', '!', '@', '[']).next().unwrap_or(a).to_owned();
    matches!(sub.as_str(), "install" | "i" | "add")
        && !operands.is_empty()
        && operands.iter().all(|a| MANAGERS.contains(&name(a).as_str()))
}

/// Whether running this command makes its RUN a build: a compiler or build driver, or a
/// language package manager (whose installs may compile), by program.
pub fn runs_build(c: &SimpleCommand) -> bool {
    let p = c.program();
    (BUILD_RUN.contains(&p) && !runs_python_code(c) && !installs_browsers(c))
        || fetches_rustup(c)
        || c.run_by_xargs().is_some_and(|run| runs_build(&run))
        || configures(c)
        || p.ends_with("autogen.sh")
        || php_installer(c)
        || super::packages::python_install(c)
        || makes_venv(c)
        || r_install(c)
}

/// `playwright install …`, also through npx: the browsers (and, with `--with-deps`, their
/// system libraries) the program runs, installed where it runs; no build step.
pub fn installs_browsers(c: &SimpleCommand) -> bool {
    let words: Vec<&str> = c.args().iter().map(String::as_str).filter(|w| !w.starts_with('-')).collect();
    match c.program() {
        "playwright" => words.first() == Some(&"install"),
        "npx" => matches!(words[..], [p, "install", ..] if p == "playwright" || p.starts_with("playwright@")),
        _ => false,
    }
}

/// Whether a command installs the Rust toolchain with rustup: it fetches rustup's installer
/// (piped to a shell or saved), or runs `rustup-init` (not only asked its version).
pub fn installs_rust(c: &SimpleCommand) -> bool {
    fetches_rustup(c)
        || (c.program().rsplit('/').next() == Some("rustup-init")
            && !c.args().iter().any(|a| matches!(a.as_str(), "--version" | "-V" | "--help" | "-h")))
}

/// Whether a command fetches rustup's installer (`curl https://sh.rustup.rs -sSf | sh -s --
/// -y`, `wget …/rustup-init`): it installs the Rust toolchain, a build step.
fn fetches_rustup(c: &SimpleCommand) -> bool {
    matches!(c.program(), "curl" | "wget")
        && c.args().iter().any(|a| {
            a.contains("sh.rustup.rs") || a.contains("rustup-init") || a.contains("static.rust-lang.org/rustup")
        })
}

/// Python modules that build, package, compile, test or document: `python -m pip`, `-m
/// build`, `-m compileall`, `-m grpc_tools.protoc` (by the name's first part).
const PYTHON_BUILD_MODULES: &[&str] = &[
    "pip",
    "build",
    "setuptools",
    "compileall",
    "py_compile",
    "venv",
    "virtualenv",
    "ensurepip",
    "wheel",
    "installer",
    "poetry",
    "pdm",
    "uv",
    "hatch",
    "hatchling",
    "flit",
    "flit_core",
    "maturin",
    "cython",
    "Cython",
    "nuitka",
    "PyInstaller",
    "piptools",
    "pipx",
    "grpc_tools",
    "pybind11",
    "mypyc",
    "pytest",
    "unittest",
    "tox",
    "nox",
    "sphinx",
    "mkdocs",
    "spacy",
];

/// Whether a Python run of the program's own code downloads data into the home folder's
/// caches, which no rewrite copies: NLTK's downloader told no folder (`-d`), or inline code
/// that fetches a model (Hugging Face's `from_pretrained`, `snapshot_download`,
/// `SentenceTransformer(…)`, `nltk.download(…)`, `torch.hub`, Whisper's `load_model`).
pub fn fetches_into_home(c: &SimpleCommand) -> bool {
    if !runs_python_code(c) {
        return false;
    }
    let args = c.args();
    let module = args.windows(2).find(|w| w[0] == "-m").map(|w| w[1].as_str());
    let code = args.windows(2).find(|w| w[0] == "-c").map(|w| w[1].as_str()).unwrap_or_default();
    let models = [
        "from_pretrained",
        "snapshot_download",
        "hf_hub_download",
        "SentenceTransformer(",
        "nltk.download(",
        "torch.hub",
        "load_model(",
    ];
    (module == Some("nltk.downloader") && !args.iter().any(|a| a == "-d" || a.starts_with("--dir")))
        || models.iter().any(|w| code.contains(w))
}

/// Words of a script's name or inline code that say it builds, installs or tests.
const PYTHON_BUILD_WORDS: &[&str] = &[
    "setup",
    "build",
    "compile",
    "install",
    "configure",
    "bootstrap",
    "make",
    "cythonize",
    "subprocess",
    "pip",
    "test",
];

/// Whether a Python run is the program's own code, not a build: a module, a script or
/// inline code that is no packaging, compiling or test tool (`python -m nltk.downloader
/// punkt`, `python -c "…from_pretrained(…)"`, `python manage.py collectstatic`). It fetches
/// or prepares data with the packages installed, which a runtime that copies them has too,
/// and needs no compiler; what it writes outside the project (NLTK's `/root/nltk_data`, the
/// Hugging Face cache) is made where it runs. `setup.py`, `-m pip`, `-m build`, `waf`, a
/// script named for a build, and a Python reading its program from stdin or a heredoc are
/// builds, as before.
pub fn runs_python_code(c: &SimpleCommand) -> bool {
    let p = c.program();
    let python = p == "python"
        || p.strip_prefix("python")
            .is_some_and(|v| !v.is_empty() && v.chars().all(|ch| ch.is_ascii_digit() || ch == '.'));
    if !python {
        return false;
    }
    let builds = |text: &str| {
        let text = text.to_ascii_lowercase();
        PYTHON_BUILD_WORDS.iter().any(|w| text.contains(w))
    };
    let args = c.args();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        let (flag, fused) = match a.strip_prefix("-m").or_else(|| a.strip_prefix("-c")) {
            Some(rest) if a.len() >= 2 && !a.starts_with("--") => (&a[..2], rest),
            _ => ("", ""),
        };
        let value = || if fused.is_empty() { args.get(i + 1).map(String::as_str) } else { Some(fused) };
        match flag {
            "-m" => {
                return value().is_some_and(|m| {
                    let first = m.split('.').next().unwrap_or(m);
                    !PYTHON_BUILD_MODULES.contains(&first) && !builds(first)
                })
            }
            "-c" => return value().is_some_and(|code| !builds(code)),
            _ => {}
        }
        match a.as_str() {
            "-W" | "-X" => i += 2,
            "-" => return false,
            a if a.starts_with('-') => i += 1,
            script => {
                let name = script.rsplit('/').next().unwrap_or(script);
                return name.ends_with(".py") && !builds(name) && !script.contains('$');
            }
        }
    }
    false
}

/// An R package install, which builds the packages' sources on Linux (CRAN ships no Linux
/// binaries): `R -e "install.packages(…)"`, `Rscript -e "remotes::install_github(…)"`, `R CMD
/// INSTALL`, and littler's `install2.r`, `installGithub.r`, `installBioc.r`, `installDeps.r`.
pub fn r_install(c: &SimpleCommand) -> bool {
    match c.program() {
        "install2.r" | "installGithub.r" | "installBioc.r" | "installDeps.r" => true,
        "R" | "Rscript" => {
            let args = c.args();
            args.windows(2).any(|w| w[0] == "CMD" && w[1] == "INSTALL")
                || args.iter().any(|a| a.contains("install.packages(") || a.contains("::install"))
        }
        _ => false,
    }
}

/// A command that makes a virtualenv on the image's own Python (`python3 -m venv /venv`,
/// `virtualenv /venv`, `uv venv /venv`): the folder is made for the installs into it. Not
/// `uv venv --python 3.11`, whose interpreter uv may download outside the virtualenv.
fn makes_venv(c: &SimpleCommand) -> bool {
    super::packages::venv_folder(c).is_some()
        && !(c.program() == "uv" && c.args().iter().any(|a| a == "-p" || a.starts_with("--python")))
}

/// Whether a command configures a build, and so says where its install goes: autotools'
/// `./configure` (and any `…configure` script), OpenSSL's `./config` and `./Configure`,
/// `cmake` generating a build folder (not `cmake --build`/`--install`), `meson setup`.
pub fn configures(c: &SimpleCommand) -> bool {
    let local = c.effective().first().is_some_and(|w| w.starts_with("./"));
    match c.program() {
        "cmake" => !c.args().iter().any(|a| matches!(a.as_str(), "--build" | "--install" | "-E" | "-P")),
        "meson" => !matches!(c.subcommand(), Some("compile" | "install" | "test" | "dist")),
        "config" | "Configure" => local,
        p => p.ends_with("configure"),
    }
}

/// PHP running an installer (Composer's: `curl … | php -- --install-dir=/usr/local/bin
/// --filename=composer`, a script read from the pipe, or `php composer-setup.php`): it
/// installs a build tool, as `pip install` does.
fn php_installer(c: &SimpleCommand) -> bool {
    c.program().strip_prefix("php").is_some_and(|v| v.chars().all(|ch| ch.is_ascii_digit() || ch == '.'))
        && (c.args().first().is_some_and(|a| a == "--")
            || c.args().iter().any(|a| a.starts_with("--install-dir") || a.ends_with("-setup.php") || a == "installer"))
}

/// Whether a command belongs to building only: a build stage keeps it and a runtime stage
/// needs none of it (builds, fetches, copies into place, clean-up and shell plumbing).
pub fn build_only(c: &SimpleCommand) -> bool {
    match of(c) {
        Role::Build | Role::Fetch | Role::CopyOut | Role::Clean | Role::Shell => true,
        // set-up of a downloaded file in /tmp (`chmod +x /tmp/rustup-init`) prepares the build
        Role::Setup => {
            let operands: Vec<&String> = c.args().iter().filter(|a| !a.starts_with('-')).collect();
            operands.iter().any(|a| a.starts_with("/tmp/"))
                && operands.iter().all(|a| a.starts_with("/tmp/") || !a.contains('/'))
        }
        _ => c.program().ends_with(".sh"),
    }
}

/// Whether a command installs only packages that `tool` calls build tools (at least one).
pub fn installs_only(c: &SimpleCommand, tool: impl Fn(&str) -> bool) -> bool {
    system_install(c).is_some_and(|(_, pkgs)| !pkgs.is_empty() && pkgs.iter().all(|p| tool(p)))
}

/// Whether a command line only asks the program about itself: a version or help flag, and
/// no file operands.
fn asks_version(args: &[String]) -> bool {
    args.iter().any(|a| {
        matches!(
            a.as_str(),
            "--version"
                | "-V"
                | "-v"
                | "--help"
                | "-dumpversion"
                | "-dumpmachine"
                | "--print"
                | "-print-search-dirs"
                // Java's tools spell it with one dash (`javac -version`)
                | "-version"
                | "-fullversion"
                | "-help"
        )
    }) && !args.iter().any(|a| !a.starts_with('-'))
}

/// A short description of the build a command runs, if it is one.
pub fn build(cmd: &SimpleCommand) -> Option<String> {
    let prog = cmd.program();
    let sub = cmd.subcommand().unwrap_or("");
    let args = cmd.args();
    let run_build =
        || args.windows(2).any(|w| matches!(w[0].as_str(), "run" | "run-script") && w[1].starts_with("build"));
    let hit = match prog {
        "go" => matches!(sub, "build" | "install"),
        "cargo" => matches!(sub, "build" | "install" | "b") && !asks_version(args),
        "mvn" | "mvnw" => args.iter().any(|a| matches!(a.as_str(), "package" | "install" | "verify" | "compile")),
        "gradle" | "gradlew" => args
            .iter()
            .any(|a| matches!(a.as_str(), "build" | "assemble" | "jar" | "bootJar" | "installDist" | "shadowJar")),
        "npm" => run_build(),
        "yarn" | "pnpm" => sub == "build" || run_build(),
        "make" | "ninja" => !matches!(sub, "install" | "clean"),
        "cmake" => args.iter().any(|a| a == "--build"),
        // a compiler asked only what it is (`rustc --version`, `gcc -v`, `cargo -V`) builds nothing
        "gcc" | "g++" | "cc" | "c++" | "clang" | "clang++" | "javac" | "tsc" | "rustc" => !asks_version(args),
        "dotnet" => matches!(sub, "publish" | "build"),
        _ => false,
    };
    hit.then(|| {
        let mut s = prog.to_owned();
        if !sub.is_empty()
            && !matches!(prog, "gcc" | "g++" | "cc" | "c++" | "clang" | "clang++" | "javac" | "tsc" | "rustc")
        {
            s.push(' ');
            s.push_str(sub);
        }
        s
    })
}

#[cfg(test)]
mod tests {
    use super::{fetches_into_home, of, runs_build, Role};
    use crate::dockerfile::shell::parse;

    /// A build tool's configuration and Composer compile nothing; installs and compilers may
    #[test]
    fn configuring_a_build_tool_or_composer_compiles_nothing() {
        let c = parse("pip config set global.timeout 60 && npm config set cache /tmp --global && poetry config virtualenvs.create false && composer install --no-dev && pip install -r requirements.txt && make && npm ci").commands;
        let compiles: Vec<bool> = c.iter().map(super::may_build_native).collect();
        assert_eq!(compiles, [false, false, false, false, true, true, true]);
        // installing the package managers themselves compiles nothing; anything beside them may
        let c = parse("pip install --upgrade pip setuptools==69.0 wheel && python3 -m pip install -U pip && npm install -g pnpm@10 && gem install bundler -v 2.7.2 && pip install --upgrade pip uwsgi && npm install -g node-gyp && pip install -r pip.txt").commands;
        let compiles: Vec<bool> = c.iter().map(super::may_build_native).collect();
        assert_eq!(compiles, [false, false, false, true, true, true, true]);
    }

    fn roles(script: &str) -> Vec<Role> {
        parse(script).commands.iter().map(of).collect()
    }

    #[test]
    fn each_command_has_one_role() {
        assert_eq!(
            roles("apt-get update && apt-get install -y gcc && curl -fsSL x | tar xz && cd src && ./configure && make && cp app /usr/local/bin && useradd app && rm -rf /var/lib/apt/lists/* && my-server --init"),
            [
                Role::Clean,
                Role::Install,
                Role::Fetch,
                Role::Fetch,
                Role::Shell,
                Role::Build,
                Role::Build,
                Role::CopyOut,
                Role::Setup,
                Role::Clean,
                Role::Other
            ]
        );
        // words, not text: a `make` in a path or a string is no build (writing /etc is set-up)
        assert_eq!(roles("echo 'make && gcc' > /etc/make.conf"), [Role::Setup]);
        assert_eq!(roles("echo 'make && gcc' > make.conf"), [Role::Shell]);
        assert_eq!(roles("/opt/make-things/run"), [Role::Other]);
        assert_eq!(roles("docker-compose version && /tmp/rust/rustup-init -y"), [Role::Shell, Role::Build]);
        // rustup's installer beside the build, the entrypoint's user switcher checked, the
        // alternatives system pointed at one program (nginx/unit, mailcow, ipsec-vpn-server)
        assert_eq!(roles("./rustup-init -y --profile minimal && gosu nobody true"), [Role::Build, Role::Shell]);
        assert_eq!(roles("update-alternatives --set iptables /usr/sbin/iptables-legacy"), [Role::Setup]);
        // a locale compiled, a package's file moved aside (WebODM's postgres, discourse)
        assert_eq!(
            roles("localedef -i en_US -c -f UTF-8 en_US.UTF-8 && dpkg-divert --local --rename --add /sbin/initctl"),
            [Role::Setup, Role::Setup]
        );
        assert_eq!(roles("su-exec app my-server --init"), [Role::Other]);
        // who the program runs as
        let drops = |t: &str| crate::dockerfile::shell::parse(t).commands.iter().any(super::drops_root);
        for t in [
            "exec gosu tautulli \"$@\"",
            "exec su-exec app:app node server.js",
            "exec s6-setuidgid abc pyload",
            "exec sudo -u app -E python app.py",
            "exec chpst -u app python app.py",
            "exec setpriv --reuid=1000 --regid=1000 --init-groups app",
            "su app -c 'python app.py'",
            "exec runuser -u app -- app",
        ] {
            assert!(drops(t), "{t}");
        }
        for t in ["exec gosu root app", "exec python app.py", "su -c 'python app.py'", "sudo apt-get update"] {
            assert!(!drops(t), "{t}");
        }
        // a smoke check of what was just installed
        assert_eq!(roles("pip install sentry && sentry --help"), [Role::Build, Role::Shell]);
        // Python's other installers build as pip does, into a virtualenv made for them
        assert_eq!(
            roles("uv pip install -r r.txt && uv sync --frozen && poetry install --no-root && pipenv install --system && uv venv /v && virtualenv /w"),
            [Role::Build; 6]
        );
        // … but not one on a Python uv may download outside it
        assert_eq!(roles("uv venv /v --python 3.11.6"), [Role::Other]);
        // a build xargs runs is a build; other work through xargs stays plumbing
        assert_eq!(roles("printf 'a@latest\\n' | xargs -L1 go install -v"), [Role::Shell, Role::Build]);
        assert_eq!(roles("find . -name '*.sh' | xargs -r chmod +x"), [Role::Shell, Role::Shell]);
        // the shell's own builtins are plumbing, not the program's work
        assert_eq!(roles("case x in *) echo no; exit 1 ;; esac"), [Role::Shell, Role::Shell]);
        // a version check with its output redirected is still a check (ArchiveBox's
        // `rg --version 2>&1`); a file it writes to is not only redirection
        assert_eq!(roles("rg --version 2>&1 && rg --version >&2"), [Role::Shell, Role::Shell]);
        assert_eq!(roles("rg --version > /tmp/v"), [Role::Other]);
        // where packages come from is set up again where they are installed (snipe-it's
        // debconf answers, browserless's `add-apt-repository universe`), as the font cache is
        assert_eq!(
            roles("echo 'tzdata tzdata/Areas select Etc' | debconf-set-selections && add-apt-repository universe && apt-key add k.asc && fc-cache -f -v"),
            [Role::Shell, Role::Setup, Role::Setup, Role::Setup, Role::Setup]
        );
    }

    /// A Python run of the program's own code is no build; a packaging, compiling or test
    /// tool, a setup or build script, and a program from stdin are.
    #[test]
    fn python_running_the_programs_code_is_no_build() {
        let roles = |text: &str| parse(text).commands.iter().map(runs_build).collect::<Vec<_>>();
        assert_eq!(
            roles("python -m nltk.downloader punkt && python3 -c \"from transformers import AutoModel; AutoModel.from_pretrained('x')\" && python manage.py collectstatic --noinput && python3.11 -u download_models.py"),
            [false; 4]
        );
        assert_eq!(
            roles("python setup.py install && python -m pip install x && python3 -m build && python -m compileall /app && python -m grpc_tools.protoc -I. x.proto && python build_assets.py && python - < x.py && python -c 'import subprocess; subprocess.run([\"make\"])' && python && python ${SCRIPT}.py && python -m pytest"),
            [true; 11]
        );
        assert_eq!(of(&parse("python -m nltk.downloader punkt").commands[0]), Role::Other);
        // spacy's download installs a model package, as pip does
        assert!(runs_build(&parse("python -m spacy download en_core_web_sm").commands[0]));
        let home = parse("python -m nltk.downloader punkt && python -m nltk.downloader -d /usr/share/nltk_data punkt && python -c \"from transformers import AutoModel; AutoModel.from_pretrained('x')\" && python manage.py collectstatic").commands;
        assert_eq!(home.iter().map(fetches_into_home).collect::<Vec<_>>(), [true, false, true, false]);
        assert_eq!(of(&parse("python3 -m zipfile --extract x.zip /opt/x").commands[0]), Role::Fetch);
    }

    /// npx runs a package's program for the build (`npx prisma generate`, `npx tsc`);
    /// Playwright's browser install is the runtime's
    #[test]
    fn npx_builds_and_playwright_installs_browsers() {
        let c = parse(
            "npx prisma generate && npx tsc -p . && npx playwright install --with-deps chromium && playwright install",
        )
        .commands;
        assert_eq!(c.iter().map(runs_build).collect::<Vec<_>>(), [true, true, false, false]);
        assert_eq!(of(&c[2]), Role::Other);
    }

    /// rustup's installer, fetched and piped to a shell, installs the Rust toolchain
    #[test]
    fn fetching_rustup_installs_the_toolchain() {
        let c = parse("curl https://sh.rustup.rs -sSf | sh -s -- -y && wget -q https://static.rust-lang.org/rustup/dist/x86_64-unknown-linux-gnu/rustup-init && curl -fsSL https://example.org/x.tar.gz").commands;
        assert_eq!(c.iter().map(runs_build).collect::<Vec<_>>(), [true, false, true, false]);
    }

    /// Composer's installer run by PHP (pterodactyl, mailcow) installs a build tool; PHP
    /// running the app does not
    #[test]
    fn php_running_an_installer_is_a_build_step() {
        let c = parse("curl -sS https://getcomposer.org/installer | php -- --install-dir=/usr/local/bin --filename=composer && curl -s https://getcomposer.org/installer | php -- --version=2.7.1 && php8.2 composer-setup.php && php artisan migrate && php -v").commands;
        let roles: Vec<Role> = c.iter().map(of).collect();
        assert_eq!(roles, [Role::Fetch, Role::Build, Role::Fetch, Role::Build, Role::Build, Role::Other, Role::Shell]);
        assert!(super::runs_build(&c[1]) && super::runs_build(&c[4]) && !super::runs_build(&c[5]));
    }

    /// openresty's build RUN: OpenSSL's own configure script (`./config`), a checksum checked
    /// with Perl's `shasum`, a configure step read again by `eval`, and the hooks its build
    /// arguments supply (`eval $(echo ${RESTY_EVAL_PRE_CONFIGURE})`) are all the build's
    #[test]
    fn openssl_config_shasum_and_eval_hooks_are_the_builds() {
        let c = parse("./config shared --prefix=/opt/ssl && echo \"$SHA  p.tar.gz\" | shasum -a 256 --check && eval ./configure -j2 ${OPTS} && eval $(echo ${HOOK}) && ./Configure linux-x86_64 && config --get x && eval echo hi").commands;
        let roles: Vec<Role> = c.iter().map(of).collect();
        assert_eq!(
            roles,
            [Role::Build, Role::Shell, Role::Fetch, Role::Build, Role::Build, Role::Build, Role::Other, Role::Shell]
        );
        assert!(super::configures(&c[0]) && super::configures(&c[3]) && super::configures(&c[5]));
        // a program called `config` on the PATH is not OpenSSL's script
        assert!(!super::configures(&c[6]));
        let cmake = parse("cmake -S . -B build -DCMAKE_INSTALL_PREFIX=/opt/x && cmake --build build && cmake --install build && meson setup b && meson install -C b").commands;
        let configures: Vec<bool> = cmake.iter().map(super::configures).collect();
        assert_eq!(configures, [true, false, false, true, false]);
    }

    #[test]
    fn set_up_of_a_download_in_tmp_prepares_the_build() {
        let c = parse("chmod +x /tmp/rust/rustup-init && chmod 755 /usr/local/bin/app && chmod +x x").commands;
        assert!(super::build_only(&c[0]));
        assert!(!super::build_only(&c[1]) && !super::build_only(&c[2]));
    }

    /// puckel/docker-airflow enables its locale with `sed -i … /etc/locale.gen` before
    /// `locale-gen`: a runtime stage that reruns `locale-gen` needs the edit too.
    #[test]
    fn edits_of_the_system_configuration_are_set_up() {
        let c = parse("sed -i 's/^# en_US.UTF-8 UTF-8$/en_US.UTF-8 UTF-8/g' /etc/locale.gen && echo 'de_DE.UTF-8 UTF-8' >> /etc/locale.gen && sed -ri 's/x/y/' /etc/ssh/sshd_config && printf 'a\\n' | tee /etc/app.conf && sed -i 's/-O2/-O3/' /usr/src/app/Makefile && sed 's/a/b/' /etc/hosts && echo x > /tmp/log").commands;
        let roles: Vec<Role> = c.iter().map(of).collect();
        assert_eq!(
            roles,
            [Role::Setup, Role::Setup, Role::Setup, Role::Shell, Role::Setup, Role::Shell, Role::Shell, Role::Shell],
            "{:?}",
            c.iter().map(|c| &c.words).collect::<Vec<_>>()
        );
        assert!(!super::build_only(&c[0]) && super::build_only(&c[5]));
    }

    /// discourse's base image links `/sbin/initctl` through `sh -c`; cypress writes a
    /// package source through it; poetry is told where to install before it does.
    #[test]
    fn an_inline_script_has_the_role_of_its_commands() {
        let c = parse("sh -c 'test -f /sbin/initctl || ln -s /bin/true /sbin/initctl' && bash -c 'make -j4' && sh -c 'apt-get install -y gcc' && sh -c 'echo \"deb https://example.org/edge stable main\" > /etc/apt/sources.list.d/edge.list' && sh -c 'my-program --serve' && poetry config virtualenvs.create false && uv self version").commands;
        let roles: Vec<Role> = c.iter().map(of).collect();
        assert_eq!(
            roles,
            [Role::Setup, Role::Build, Role::Other, Role::Setup, Role::Other, Role::Build, Role::Shell],
            "{:?}",
            c.iter().map(|c| &c.words).collect::<Vec<_>>()
        );
        let sources: Vec<bool> = c.iter().map(super::configures_sources).collect();
        assert_eq!(sources, [false, false, false, true, false, false, false]);
        let keys = parse("curl -fsSL https://example.org/key.gpg | gpg --dearmor -o /usr/share/keyrings/x.gpg && wget -qO- https://example.org/k | tee /etc/apt/trusted.gpg.d/k.asc && curl -o /etc/apt/keyrings/y.asc https://example.org/y && gpg --verify app.sig app && curl -o /tmp/app.tgz https://example.org/app.tgz").commands;
        let sources: Vec<bool> = keys.iter().map(super::configures_sources).collect();
        assert_eq!(sources, [false, true, false, true, true, false, false]);
        assert!(!super::runs_build(&c[5]), "poetry's config prepares a build, it builds nothing");
        // a command a project tool runs in its environment, a test run as another user, and a
        // vendor's apt set-up script piped to a shell
        let c = parse("poetry run pip install Cython && su postgres -c 'ctest --test-dir /src/build' && uv run --no-project x && curl -fsSL https://deb.nodesource.com/setup_22.x | bash - && curl -fsSL https://example.org/install.sh | bash -").commands;
        let roles: Vec<Role> = c.iter().map(of).collect();
        assert_eq!(roles[..2], [Role::Build, Role::Build]);
        assert_eq!(c[0].program(), "pip");
        assert_eq!(c[2].program(), "uv", "an option of `uv run` is not read as the command");
        let script = parse("curl -fsSL https://deb.nodesource.com/setup_22.x | bash - && curl -fsSL https://example.org/install.sh | bash - && bash -");
        let vendor: Vec<bool> = (0..script.commands.len()).map(|i| super::runs_vendor_apt_setup(&script, i)).collect();
        assert_eq!(vendor, [false, true, false, false, false]);
    }

    #[test]
    fn scripts_shiplight_cannot_read_are_named() {
        let c = parse("bash ${ASSETS}/install.sh && sh -e ./setup && ./run.sh --init && sh -c 'make' && /opt/x/install.sh && bash && make").commands;
        let scripts: Vec<Option<&str>> = c.iter().map(super::runs_script).collect();
        assert_eq!(
            scripts,
            [
                Some("${ASSETS}/install.sh"),
                Some("./setup"),
                Some("./run.sh"),
                None,
                Some("/opt/x/install.sh"),
                None,
                None
            ],
            "{:?}",
            c.iter().map(|c| &c.words).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_build_run_is_decided_by_the_program() {
        let c = parse("rustup component add clippy && go version").commands;
        assert!(!runs_build(&c[0]) && runs_build(&c[1]));
    }
}
