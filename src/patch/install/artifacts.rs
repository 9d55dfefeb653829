//! What a build RUN installs: its artifacts (the `--prefix` of a `make install`, the
//! destination of `cp`/`install`, `go build -o`, a language package manager's prefix), and
//! where they land when the rewrite stages them (`DESTDIR`, a virtualenv).

use crate::dockerfile::resolve_path;
use crate::dockerfile::shell::SimpleCommand;
use crate::patch::edits::is_make_install;

use super::told::{self, Told};

/// What a build RUN installs, and where it is copied from in the build stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// In the build stage.
    pub from: String,
    /// In the runtime stage.
    pub to: String,
}

/// The prefix an install writes into: `--prefix=X`/`--prefix X` of configure,
/// `-DCMAKE_INSTALL_PREFIX=X` of cmake, `PREFIX=X` given to make, with the ARG and ENV
/// values in force (`cmake .. ${CMAKEFLAGS}`, ZNC's, sets it); `/usr/local` otherwise.
/// `None` when a whole word given to configure, cmake or meson is a variable with no value
/// known here: it may set the prefix.
fn prefix(commands: &[SimpleCommand], vars: &[(String, String)]) -> Option<String> {
    let mut unresolved = false;
    for c in commands {
        let args: Vec<String> = c
            .args()
            .iter()
            .flat_map(|a| match a.contains('$') {
                true => crate::dockerfile::substitute(a, vars).split_whitespace().map(str::to_owned).collect(),
                false => vec![a.clone()],
            })
            .collect();
        // a whole word from a variable given to the configure step (`${CMAKEFLAGS}`,
        // `$CONFIGURE_OPTS`) may hold a prefix; make's (`-j $NCPU`, nginx unit's) do not
        unresolved |=
            crate::dockerfile::roles::configures(c) && args.iter().any(|a| a.starts_with('$') && !a.starts_with("$("));
        let known = |p: &str| (!p.contains('$')).then(|| p.to_owned());
        for (i, a) in args.iter().enumerate() {
            if let Some(p) = a.strip_prefix("--prefix=").or_else(|| a.strip_prefix("-DCMAKE_INSTALL_PREFIX=")) {
                return known(p);
            }
            if a == "--prefix" {
                if let Some(p) = args.get(i + 1) {
                    return known(p);
                }
            }
            if let Some(p) = a.strip_prefix("PREFIX=") {
                return known(p);
            }
        }
    }
    (!unresolved).then(|| "/usr/local".into())
}

/// The folders configure is told to install into outside `prefix`: the absolute values of
/// its `--…-path=` and `--…dir=` options (nginx's `--conf-path=/etc/nginx/nginx.conf`,
/// autotools' `--sysconfdir=/etc`), a file's folder for a file, scratch folders left out.
fn outside_prefix(commands: &[SimpleCommand], vars: &[(String, String)], prefix: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in
        commands.iter().filter(|c| crate::dockerfile::roles::configures(c) && !matches!(c.program(), "cmake" | "meson"))
    {
        for a in c.args() {
            let a = crate::dockerfile::substitute(a, vars);
            let Some((name, value)) = a.strip_prefix("--").and_then(|o| o.split_once('=')) else { continue };
            // where a dependency is (`--with-openssl-dir=/usr`) or the build works
            // (`--builddir`, `--srcdir`) is no install destination
            let elsewhere =
                name.starts_with("with") || name.starts_with("enable") || matches!(name, "builddir" | "srcdir");
            if !(name.ends_with("-path") || name.ends_with("dir"))
                || elsewhere
                || !value.starts_with('/')
                || value.contains('$')
            {
                continue;
            }
            // a `-path` names a file (`nginx.conf`, `error.log`, nginx's binary `--sbin-path=
            // /usr/sbin/nginx`) or a folder (`…-temp-path`)
            const FILES: [&str; 6] =
                ["sbin-path", "conf-path", "error-log-path", "http-log-path", "pid-path", "lock-path"];
            let file = name.ends_with("-path")
                && (FILES.contains(&name) || value.rsplit('/').next().is_some_and(|b| b.contains('.')));
            let folder = match file {
                true => value.rsplit_once('/').map_or("/", |(d, _)| if d.is_empty() { "/" } else { d }),
                false => value.trim_end_matches('/'),
            };
            let inside = |root: &str| crate::dockerfile::within(folder, root);
            if inside(prefix) || SCRATCH.iter().any(|s| inside(s)) || out.iter().any(|o| o == folder) {
                continue;
            }
            out.push(folder.to_owned());
        }
    }
    out
}

/// What a `make install` (`cmake --install`, `ninja install`) puts where, as (from, to):
/// its prefix; staged (DESTDIR), the staging root, or the prefix and the folders configure
/// sends it outside the prefix, one by one. Stuck when the prefix is unknown, the system's
/// (staging will follow), or configure sends it outside the prefix (staging will follow).
fn installed(c: &SimpleCommand, commands: &[SimpleCommand], at: Landing) -> Result<Vec<(String, String)>, Stuck> {
    let commands = install_scope(c, commands);
    let Some(pre) = prefix(commands, at.vars) else {
        return Err(Stuck::Unplaced(
            c.words.join(" "),
            "installs into a prefix a variable of the configure step may set, and shiplight knows no value for it",
            "write `--prefix`/`-DCMAKE_INSTALL_PREFIX` out (or give the ARG a default)",
        ));
    };
    let outside = outside_prefix(commands, at.vars, &pre);
    // no configure step and no PREFIX: the Makefile alone says where (PGXS, which apache/age's
    // extension builds with, installs into PostgreSQL's own folders), so the install is staged
    // as one into the system prefix is, and whatever it wrote is copied
    let own = !commands.iter().any(crate::dockerfile::roles::configures)
        && !commands.iter().flat_map(|c| c.assignments.iter().chain(c.args())).any(|a| {
            ["PREFIX=", "prefix=", "DESTDIR=", "--prefix", "-DCMAKE_INSTALL_PREFIX="].iter().any(|p| a.starts_with(p))
        });
    let system = pre == "/usr" || pre == "/" || own;
    if at.destdir && (system || outside.is_empty()) {
        return Ok(vec![(format!("{STAGING}/"), "/".into())]);
    }
    if at.destdir {
        return Ok(std::iter::once(&pre).chain(&outside).map(|d| (format!("{STAGING}{d}"), d.clone())).collect());
    }
    if own {
        return Err(Stuck::SystemPrefix(format!(
            "`{}` installs where its Makefile says (no configure step or PREFIX gives a prefix), which may be among the toolchain's files: give it `PREFIX=/usr/local` (or `make DESTDIR=/out install`) and ask again",
            c.words.join(" ")
        )));
    }
    if system {
        return Err(Stuck::SystemPrefix(format!(
            "`{}` installs into the system prefix `{pre}`, which also holds the toolchain: configure with `--prefix=/usr/local` (or `make DESTDIR=/out install`) and ask again",
            c.words.join(" ")
        )));
    }
    if !outside.is_empty() {
        return Err(Stuck::Outside(
            format!(
                "`{}` also installs into {}, outside its prefix `{pre}`, where the build image's other files are: stage it with `make DESTDIR=/out install` and ask again",
                c.words.join(" "),
                outside.iter().map(|o| format!("`{o}`")).collect::<Vec<_>>().join(", ")
            ),
            std::iter::once(pre.clone()).chain(outside).collect(),
        ));
    }
    Ok(vec![(pre.clone(), pre)])
}

/// The commands that decide where the install `c` writes: those of its own project, from
/// the `cd` into the folder of the last configure step before it to `c` itself. A RUN that
/// builds several projects in turn (openresty's OpenSSL, PCRE2, OpenResty and LuaRocks, each
/// entered with `cd` and configured with its own `--prefix`) gives each install its own
/// prefix, not the first one the RUN names; configure steps run in one folder (nginx unit's
/// main configure, then `./configure go` for a module) decide together. All the commands up
/// to `c` when no configure step comes before it (`make PREFIX=/opt/x install`).
fn install_scope<'a>(c: &SimpleCommand, commands: &'a [SimpleCommand]) -> &'a [SimpleCommand] {
    let Some(at) = commands.iter().position(|x| std::ptr::eq(x, c)) else { return commands };
    let start = commands[..at]
        .iter()
        .rposition(crate::dockerfile::roles::configures)
        .and_then(|configure| commands[..configure].iter().rposition(|x| x.program() == "cd"))
        .unwrap_or(0);
    &commands[start..=at]
}

/// Where a RUN's installs land, as the rewrite arranges it.
#[derive(Clone, Copy, Default)]
pub struct Landing<'a> {
    /// pip/npm/gem's prefix on an official language image (`/usr/local`).
    pub base_prefix: Option<&'a str>,
    /// pip runs in the `/opt/venv` virtualenv the rewrite creates.
    pub venv: bool,
    /// `make install` runs with `DESTDIR` = [`STAGING`].
    pub destdir: bool,
    /// pip installs with `--root` = [`STAGING`]: into the distribution's own Python, staged.
    pub pip_root: bool,
    /// The ARG and ENV values in force at the RUN (global ARGs first).
    pub vars: &'a [(String, String)],
    /// The virtualenvs the stage's RUNs up to this one create ([`venvs_made`]).
    pub venvs: &'a [String],
    /// What earlier RUNs' configuration commands told the package managers (`npm config set
    /// prefix`), as the variables they read ([`told::settings`]).
    pub configured: &'a [(String, String)],
    /// The RUN starts in its base image's working folder, which is not seen here (an image
    /// of no known layout, and no WORKDIR of the stage's own yet).
    pub workdir_unknown: bool,
    /// The base is an official python image: the Python uv finds there is the image's own,
    /// which the runtime (its slim variant) has too. Elsewhere `uv sync` may download one
    /// outside the project's environment (the distribution's is older than the project asks).
    pub python_image: bool,
    /// The RUN runs as root (no USER of the stage before it, or USER root): its home is
    /// `/root`.
    pub root_user: bool,
    /// Node comes from NodeSource's `nodejs` package: npm's global prefix is `/usr`, the
    /// distribution's own, not the base's `/usr/local` (where Debian's own npm installs).
    pub distro_node: bool,
}

/// Why the artifacts could not be placed as written.
pub enum Stuck {
    /// `make install` into `/usr`: staged with DESTDIR when the RUN's text allows it.
    SystemPrefix(String),
    /// `make install` also into folders outside its prefix (configure's `--conf-path`): staged
    /// with DESTDIR, the prefix and each of those folders made in the staging root first (so
    /// each copy has a source), then copied one by one (a copy of the whole root would replace the
    /// runtime's `/var/run` → `/run` link with a folder). Why, and the folders.
    Outside(String, Vec<String>),
    /// pip (gem, npm) into a distribution's Python: moved into a virtualenv when the text
    /// allows it and the program runs from it. The command, then what to do instead.
    DistroPip(String, String),
    /// A pattern copied into a folder of the system (`cp build/*.so /usr/lib/`): the
    /// command, and the folder.
    IntoSystem(String, String),
    /// An install whose destination the file does not show: the command, why, and what to
    /// write instead.
    Unplaced(String, &'static str, &'static str),
}

/// The staging root of a `make install` into the system prefix.
pub const STAGING: &str = "/opt/shiplight-root";

/// Folders a build works in, not where it installs: what lands there is not an artifact.
pub(super) const SCRATCH: [&str; 3] = ["/tmp", "/src", "/build"];

/// The artifacts a RUN's commands install, resolved against `workdir` (and `cd`s).
pub fn artifacts(commands: &[SimpleCommand], workdir: &str, at: Landing) -> Result<Vec<Artifact>, Stuck> {
    let mut out: Vec<Artifact> = Vec::new();
    let mut cwd = workdir.to_owned();
    let push = |out: &mut Vec<Artifact>, from: String, to: String| {
        if !out.iter().any(|a| a.to == to) {
            out.push(Artifact { from, to });
        }
    };
    // a virtualenv the RUN (or an earlier RUN of the stage) creates (`python3 -m venv /venv`,
    // `virtualenv /venv`) and, once activated (`source /venv/bin/activate`), what pip
    // installs into; a pip called by its path in one is that one's (indico's
    // `${pip} install indico` in a RUN after the one that made the virtualenv, round 60)
    let mut created: Vec<String> = at.venvs.to_vec();
    let mut active: Option<String> = env_venv(&at);
    // whether `cwd` is where the command runs: not while the base image's working folder is
    // unknown and no `cd` to an absolute path has left it
    let mut cwd_known = !at.workdir_unknown;
    // where the package managers are told to install (Poetry told to make no virtualenv
    // installs into the interpreter's own prefix)
    let mut told = Told::new(at.vars, at.configured);
    for c in commands {
        // what xargs runs installs as it would alone (rengine's `xargs -L1 go install`)
        let run = c.run_by_xargs();
        let c = run.as_ref().unwrap_or(c);
        let (p, args) = (c.program(), c.args());
        told.see(c);
        let plain: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
        if let Some(dir) = venv_created(c, at.vars) {
            created.push(resolve_path(&cwd, &dir));
        }
        // pip run from a virtualenv: activated, or called by its path (`/venv/bin/pip`)
        if let Some(dir) =
            venv_install(c, &cwd, &created, active.as_deref()).filter(|_| told_folder(c, &told).is_none())
        {
            push(&mut out, dir.clone(), dir);
            continue;
        }
        match p {
            "source" | "." => {
                if let Some(dir) = plain.first().and_then(|a| a.strip_suffix("/bin/activate")) {
                    let dir = resolve_path(&cwd, dir);
                    if created.contains(&dir) {
                        active = Some(dir);
                    }
                }
            }
            "deactivate" => active = None,
            "cd" => {
                if let Some(d) = plain.first() {
                    cwd = resolve_path(&cwd, d);
                    cwd_known |= d.starts_with('/');
                }
            }
            _ if is_make_install(c) => {
                for (from, to) in installed(c, commands, at)? {
                    push(&mut out, from, to);
                }
            }
            "cp" | "mv" | "install" if plain.len() >= 2 => {
                // a folder's whole contents into a folder the system has (`cp bin/* /usr/bin/`,
                // cfssl's): that folder's contents arrive there, not the build image's /usr/bin
                if let Some((from, to)) = contents_copy(&plain, &cwd) {
                    push(&mut out, from, to);
                } else {
                    match copy_destination(&plain, args, &cwd) {
                        Ok(tos) => tos.into_iter().for_each(|to| push(&mut out, to.clone(), to)),
                        Err(folder) => return Err(Stuck::IntoSystem(c.words.join(" "), folder)),
                    }
                }
            }
            // a clone kept where it landed, outside the build's scratch folders and never
            // built in (cfssl's trust bundles, `git clone …/cfssl_trust.git /etc/cfssl`)
            "git" if c.subcommand() == Some("clone") => {
                if let Some(dest) = kept_clone(c, commands, &cwd) {
                    push(&mut out, dest.clone(), dest);
                }
            }
            // an archive unpacked into a folder of its own the image keeps
            _ if extraction_folder(c).is_some() => {
                if let Some(dir) = kept_extraction(c, commands, &cwd) {
                    push(&mut out, dir.clone(), dir);
                }
            }
            // a download saved where the program runs from (`curl -o /usr/local/bin/tool`), a
            // program a compiler links where it names (`gcc -o /usr/local/bin/hello …`)
            "curl" | "wget" | "gcc" | "g++" | "cc" | "c++" | "clang" | "clang++" => {
                let saved = if matches!(p, "curl" | "wget") { download(c, commands) } else { linked_to(c, &cwd) };
                if let Some(dest) = saved {
                    push(&mut out, dest.clone(), dest);
                }
            }
            // `uv sync`: the project's environment (UV_PROJECT_ENVIRONMENT, or its `.venv`
            // where the folder it runs in is known)
            "uv" if c.subcommand() == Some("sync") => {
                let (env, python) = uv_environment(c, &cwd, cwd_known, at)?;
                push(&mut out, env.clone(), env);
                if let Some(dir) = python {
                    push(&mut out, dir.clone(), dir);
                }
            }
            // a language's package manager, where it was told to install or its image's prefix
            _ => {
                for (from, to) in managed(c, &told, &cwd, &at)? {
                    push(&mut out, from, to);
                }
            }
        }
    }
    Ok(out)
}

/// What a language's package manager installs, as (build path, runtime path): `go install`
/// and `cargo install` into their bin folders, a jar, luarocks' tree, Bundler's gems, a gem,
/// npm or pip install told a folder of its own, else the language's prefix on its image.
fn managed(c: &SimpleCommand, told: &Told, cwd: &str, at: &Landing) -> Result<Vec<(String, String)>, Stuck> {
    let (base_prefix, args) = (at.base_prefix, c.args());
    let mut out: Vec<(String, String)> = Vec::new();
    match c.program() {
        "go" if matches!(c.subcommand(), Some("build" | "install" | "get")) => {
            match args.windows(2).find(|w| w[0] == "-o").map(|w| w[1].clone()) {
                Some(o) if !o.contains('$') => {
                    let o = resolve_path(cwd, &o);
                    out.push((o.clone(), o));
                }
                // `go install`, and GOPATH-mode `go get` (not `-d`, download only), put
                // the binaries in GOBIN, else $GOPATH/bin
                _ if c.subcommand() == Some("install")
                    || (c.subcommand() == Some("get") && !args.iter().any(|a| a == "-d")) =>
                {
                    let found = told::go_binaries(c, told).map_err(|why| {
                        Stuck::Unplaced(
                            c.words.join(" "),
                            why,
                            "set GOBIN to a folder of its own (or build with `go build -o`)",
                        )
                    })?;
                    out.extend(found);
                }
                _ => {}
            }
        }
        "cargo" if c.subcommand() == Some("install") => {
            // told nothing, into the cargo home's `bin`, which holds rustup's programs too
            let Some(bin) = told::cargo_bin(c, told) else {
                return Err(Stuck::Unplaced(
                    c.words.join(" "),
                    CARGO_HOME,
                    "give it `--root` a folder of its own (`--root /opt/tools`, its `bin` on PATH)",
                ));
            };
            out.push((bin.clone(), bin));
        }
        "jar" => {
            if let Some(f) = jar_file(args, cwd) {
                out.push((f.clone(), f));
            }
        }
        // rocks go to luarocks' tree
        "luarocks" if matches!(c.subcommand(), Some("install" | "make")) => {
            if let Some(tree) = luarocks_tree(args, cwd) {
                out.push((tree.clone(), tree));
            }
        }
        "bundle" if c.subcommand() == Some("install") => {
            for dir in bundle_target(c, told, base_prefix, cwd)? {
                out.push((dir.clone(), dir));
            }
        }
        // R's packages go to the site library of the R the image has, among its own
        _ if crate::dockerfile::roles::r_install(c) => {
            return Err(Stuck::Unplaced(
                c.words.join(" "),
                R_LIBRARY,
                "install them into a library of their own (`lib=`, R_LIBS) in a build stage and copy it",
            ))
        }
        // a gem installed for the user (`gem install --user-install`, round 67's travis-api):
        // into `Gem.user_dir`, which is `~/.gem` on RubyGems before 3.2 and
        // `~/.local/share/gem` after (unless `~/.gem` exists), so the file does not say
        // which folder to copy: refused, not guessed
        "gem" if c.subcommand() == Some("install") && args.iter().any(|a| a == "--user-install") => {
            return Err(Stuck::Unplaced(
                c.words.join(" "),
                "installs into the user's gem folder, `~/.gem` or `~/.local/share/gem` by RubyGems' version",
                "set `GEM_HOME` to a folder of its own instead of `--user-install`",
            ));
        }
        // a gem, npm or pip install told a folder of its own (GEM_HOME, `npm config set
        // prefix`, `pip install --target`)
        _ if told_folder(c, told).is_some() => {
            let dir = told_folder(c, told).map(|d| resolve_path(cwd, &d)).unwrap_or_default();
            out.push((dir.clone(), dir));
        }
        // (round 51's devika: `npm install -g bun` on Debian with NodeSource's nodejs writes
        // /usr/lib/node_modules and /usr/bin, among the distribution's files)
        _ if at.distro_node && installs_globally(c) => {
            return Err(Stuck::DistroPip(c.words.join(" "), own_prefix_advice(c).to_owned()));
        }
        // Poetry's own virtualenv (openstates, held out in round 62): in the project's `.venv`
        // when told so, else in POETRY_VIRTUALENVS_PATH, else in its cache folder's
        // `virtualenvs` (~/.cache/pypoetry, or POETRY_CACHE_DIR); the runtime, on the same
        // Python, runs it where it was made (`poetry run`)
        "poetry"
            if matches!(c.subcommand(), Some("install" | "sync"))
                && !told.is_false(c, "POETRY_VIRTUALENVS_CREATE")
                && !at.venv =>
        {
            let in_project = told
                .value(c, "POETRY_VIRTUALENVS_IN_PROJECT")
                .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "1" | "yes"));
            let dir = if in_project {
                Some(resolve_path(cwd, ".venv"))
            } else {
                told.folder(c, "POETRY_VIRTUALENVS_PATH").or_else(|| {
                    let cache = match told.value(c, "POETRY_CACHE_DIR") {
                        Some(_) => told.folder(c, "POETRY_CACHE_DIR")?,
                        None => format!("{}/.cache/pypoetry", told.folder(c, "HOME").unwrap_or_else(|| "/root".into())),
                    };
                    Some(format!("{}/virtualenvs", cache.trim_end_matches('/')))
                })
            };
            let Some(dir) = dir else {
                return Err(Stuck::Unplaced(
                    c.words.join(" "),
                    "Poetry's virtualenv, in a folder a variable names",
                    "set POETRY_VIRTUALENVS_IN_PROJECT=true (or POETRY_VIRTUALENVS_PATH to a folder of its own)",
                ));
            };
            out.push((dir.clone(), dir));
        }
        _ if installs_into_prefix(c, base_prefix, told.is_false(c, "POETRY_VIRTUALENVS_CREATE")) => match base_prefix {
            Some(pre) => out.push((pre.to_owned(), pre.to_owned())),
            None if at.venv && crate::dockerfile::packages::pip_install(c).is_some() => {
                out.push(("/opt/venv".into(), "/opt/venv".into()))
            }
            None if at.pip_root && crate::dockerfile::packages::pip_install(c).is_some() => {
                out.push((format!("{STAGING}/"), "/".into()))
            }
            None => {
                return Err(Stuck::DistroPip(c.words.join(" "), own_prefix_advice(c).to_owned()));
            }
        },
        _ => {}
    }
    Ok(out)
}

/// The operands of `git clone` (its repository, and its folder when named), past the options
/// and the values of those that take one (`--depth 1`, `-b main`).
fn clone_operands(args: &[String]) -> Vec<&str> {
    const VALUED: [&str; 14] = [
        "-b",
        "--branch",
        "--depth",
        "-c",
        "--config",
        "-o",
        "--origin",
        "--reference",
        "-j",
        "--jobs",
        "--filter",
        "--template",
        "-u",
        "--upload-pack",
    ];
    let mut out = Vec::new();
    let mut skip = false;
    for a in args.iter().skip(1) {
        if std::mem::take(&mut skip) {
            continue;
        }
        if VALUED.contains(&a.as_str()) {
            skip = true;
        } else if !a.starts_with('-') {
            out.push(a.as_str());
        }
    }
    out
}

/// Where `git clone URL DEST` leaves a clone the image keeps: DEST, absolute, outside the
/// build's scratch folders, not the working folder, never entered (`cd DEST`: built in, so
/// a source) nor removed by the RUN.
fn kept_clone(c: &SimpleCommand, commands: &[SimpleCommand], cwd: &str) -> Option<String> {
    let [_, dest] = clone_operands(c.args())[..] else { return None };
    let dest = resolve_path(cwd, dest);
    let under = |p: &str| p == dest || p.starts_with(&format!("{dest}/"));
    let entered = commands
        .iter()
        .any(|d| d.program() == "cd" && d.args().first().is_some_and(|to| under(&resolve_path(cwd, to))));
    let removed = commands.iter().any(|d| d.program() == "rm" && d.args().iter().any(|a| resolve_path(cwd, a) == dest));
    let scratch = SCRATCH.iter().any(|d| dest == *d || dest.starts_with(&format!("{d}/")));
    (dest.starts_with('/') && !dest.contains('$') && !entered && !removed && !scratch && dest != cwd).then_some(dest)
}

/// The folder an extraction names (`tar -x … -C DIR`, `unzip … -d DIR`, `python3 -m zipfile
/// --extract ARCHIVE DIR`), as written.
fn extraction_folder(c: &SimpleCommand) -> Option<&str> {
    let args = c.args();
    match c.program() {
        "tar" => {
            let mode = args.first().map(|a| a.trim_start_matches('-')).unwrap_or_default();
            let extracts = args.iter().any(|a| a == "--extract" || a == "-x")
                || (!mode.is_empty() && mode.contains('x') && mode.chars().all(|ch| ch.is_ascii_alphabetic()));
            extracts
                .then(|| {
                    crate::dockerfile::packages::option_value(args, "-C")
                        .or_else(|| crate::dockerfile::packages::option_value(args, "--directory"))
                })
                .flatten()
        }
        "unzip" => crate::dockerfile::packages::option_value(args, "-d"),
        p if p.starts_with("python") => {
            let at = args.windows(2).position(|w| w[0] == "-m" && w[1] == "zipfile")?;
            match &args[at + 2..] {
                [flag, _archive, dir, ..] if flag == "-e" || flag == "--extract" => Some(dir),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Where an extraction leaves files the image keeps (aleph's word frequencies, `python3 -m
/// zipfile --extract …zip /opt/ftm-compare/word-frequencies/`): an absolute folder of its
/// own, outside the build's scratch folders and the system's, never entered (`cd DIR`:
/// sources built in) nor removed by the RUN. A toolchain unpacked into `/usr/local` or `/opt`
/// is not one.
fn kept_extraction(c: &SimpleCommand, commands: &[SimpleCommand], cwd: &str) -> Option<String> {
    let dir = extraction_folder(c)?;
    if dir.contains('$') || !dir.starts_with('/') {
        return None;
    }
    let dir = resolve_path(cwd, dir.trim_end_matches('/'));
    let under = |p: &str| p == dir || p.starts_with(&format!("{dir}/"));
    let holds = |p: &str| dir == p || dir.starts_with(&format!("{}/", p.trim_end_matches('/')));
    let entered = commands
        .iter()
        .any(|d| d.program() == "cd" && d.args().first().is_some_and(|to| under(&resolve_path(cwd, to))));
    let removed = commands.iter().any(|d| {
        d.program() == "rm" && d.args().iter().filter(|a| !a.starts_with('-')).any(|a| holds(&resolve_path(cwd, a)))
    });
    let scratch = SCRATCH.iter().any(|d| dir == *d || dir.starts_with(&format!("{d}/")));
    let system = SYSTEM.iter().any(|d| under(d) || dir.starts_with(&format!("{d}/")))
        || ["/", "/usr", "/usr/local", "/opt", "/var", "/etc", "/root", "/home", "/srv"].contains(&dir.as_str());
    (!entered && !removed && !scratch && !system && dir != cwd).then_some(dir)
}

/// `cp DIR/* DEST/` (or `DIR/.`): every file of a folder the build made into an absolute
/// folder outside the scratch ones. The artifact is the folder's contents, copied into
/// `DEST` (Docker's COPY of a folder copies what is in it).
fn contents_copy(plain: &[&String], cwd: &str) -> Option<(String, String)> {
    let [src, dest] = plain else { return None };
    let dir = src.strip_suffix("/*").or_else(|| src.strip_suffix("/."))?;
    if dir.contains(['*', '?', '$', '[']) || dest.contains('$') || !dest.starts_with('/') {
        return None;
    }
    let dest = resolve_path(cwd, dest);
    if SCRATCH.iter().any(|d| dest.starts_with(d)) {
        return None;
    }
    Some((format!("{}/", resolve_path(cwd, dir)), format!("{}/", dest.trim_end_matches('/'))))
}

/// Folders the distribution fills: the build image's copy of one holds its toolchain, so
/// only what the build put there may be copied, by name.
const SYSTEM: [&str; 12] = [
    "/bin",
    "/sbin",
    "/lib",
    "/lib64",
    "/usr/bin",
    "/usr/sbin",
    "/usr/lib",
    "/usr/lib64",
    "/usr/libexec",
    "/usr/share",
    "/usr/include",
    "/etc",
];

/// Where `cp`/`mv`/`install` put what the image keeps: an absolute destination outside the
/// scratch folders, not `install -d`. Into a folder (a trailing `/`, several sources, or a
/// folder of the system), each source lands under its own name; a pattern's files land in
/// the folder, which is the artifact, unless it is a folder of the system: then `Err` with
/// that folder, since which of its files the build wrote is unknown.
fn copy_destination(plain: &[&String], args: &[String], cwd: &str) -> Result<Vec<String>, String> {
    // `install -m 755 x /usr/local/bin/`: the mode's value is not a path
    let paths: Vec<&String> = plain.iter().copied().filter(|a| !a.chars().all(|c| c.is_ascii_digit())).collect();
    let Some((dest, sources)) = paths.split_last() else { return Ok(Vec::new()) };
    if dest.contains('$') || !dest.starts_with('/') || args.iter().any(|a| a == "-d") {
        return Ok(Vec::new());
    }
    let into_folder = dest.ends_with('/');
    let dest = resolve_path(cwd, dest);
    let dest = dest.trim_end_matches('/');
    if SCRATCH.iter().any(|d| dest.starts_with(d)) {
        return Ok(Vec::new());
    }
    // the system's folders, and its multiarch library folders (`/usr/lib/x86_64-linux-gnu`)
    let multiarch = ["/usr/lib/", "/lib/"]
        .iter()
        .any(|p| dest.strip_prefix(p).is_some_and(|rest| !rest.contains('/') && rest.contains("-linux-")));
    let system = SYSTEM.contains(&dest) || multiarch;
    if !(into_folder || sources.len() > 1 || system) {
        return Ok(vec![dest.to_owned()]);
    }
    let mut out = Vec::new();
    for src in sources {
        if src.contains(['*', '?', '$', '[']) {
            if system {
                return Err(dest.to_owned());
            }
            return Ok(vec![dest.to_owned()]);
        }
        // `cp hello /usr/local/bin/`: the file lands in the folder
        let name = src.trim_end_matches('/').rsplit('/').next().unwrap_or(src);
        out.push(format!("{dest}/{name}"));
    }
    Ok(out)
}

/// The tree `luarocks install` puts rocks in: `--tree DIR`, else its default under /usr/local.
fn luarocks_tree(args: &[String], cwd: &str) -> Option<String> {
    let tree = args
        .windows(2)
        .find(|w| w[0] == "--tree")
        .map(|w| w[1].clone())
        .or_else(|| args.iter().find_map(|a| a.strip_prefix("--tree=").map(str::to_owned)))
        .unwrap_or_else(|| "/usr/local".into());
    (!tree.contains('$')).then(|| resolve_path(cwd, &tree))
}

/// What to do instead of installing into the distribution's prefix, by ecosystem.
fn own_prefix_advice(c: &SimpleCommand) -> &'static str {
    match c.program() {
        "gem" => "set `GEM_HOME` to a folder of its own (or use an official ruby image)",
        "bundle" => {
            "tell Bundler a path of its own (`bundle config set path vendor/bundle`) or use an official ruby image"
        }
        "npm" | "yarn" | "pnpm" => "set npm's `--prefix` to a folder of its own (or use an official node image)",
        p if crate::dockerfile::packages::pip_install(c).is_some() || p.starts_with("python") => {
            "use a virtualenv (or an official python image)"
        }
        _ => "install under a prefix of its own (or use the language's official image)",
    }
}

/// Where a `curl -o` / `wget -O` saves a file that the image keeps: an absolute path outside
/// the scratch folders, not an archive or a signature the RUN unpacks or checks, and not a
/// file the RUN removes again.
fn download(c: &SimpleCommand, commands: &[SimpleCommand]) -> Option<String> {
    let flags: &[&str] = if c.program() == "curl" { &["-o", "--output"] } else { &["-O", "--output-document"] };
    let args = c.args();
    let dest = args.windows(2).find(|w| flags.contains(&w[0].as_str())).map(|w| w[1].as_str())?;
    if dest.contains('$') || !dest.starts_with('/') || SCRATCH.iter().any(|d| dest.starts_with(d)) {
        return None;
    }
    let name = dest.rsplit('/').next().unwrap_or(dest);
    const KEPT_APART: [&str; 14] = [
        ".tar", ".tgz", ".gz", ".xz", ".bz2", ".zst", ".zip", ".deb", ".rpm", ".apk", ".asc", ".sig", ".sha256",
        ".sha512",
    ];
    // removed again, itself or a folder holding it (WebODM's postgres fetches a json-c header
    // into /usr/include for PostGIS's build, then `rm -fr … /usr/include`)
    let removed = commands.iter().any(|r| {
        r.program() == "rm"
            && r.args().iter().filter(|a| !a.starts_with('-')).any(|a| {
                let a = a.trim_end_matches('/');
                a == dest || (!a.is_empty() && dest.starts_with(&format!("{a}/")))
            })
    });
    // a header is read by the build, never by the program
    let header = ["/usr/include/", "/usr/local/include/"].iter().any(|d| dest.starts_with(d));
    (!KEPT_APART.iter().any(|x| name.contains(x)) && !removed && !header).then(|| dest.to_owned())
}

/// The virtualenv the environment activates for every RUN (superdesk's `ENV
/// VIRTUAL_ENV=/opt/venv` and `ENV PATH="$VIRTUAL_ENV/bin:$PATH"`, with the virtualenv made by
/// an earlier RUN): a folder whose `bin` comes on PATH before the system's folders, named by
/// VIRTUAL_ENV or made by a RUN of the stage. A pip (or `python -m pip`) called by its name
/// then runs from it and installs into it.
fn env_venv(at: &Landing) -> Option<String> {
    const SYSTEM: [&str; 6] = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];
    let value = |name: &str| at.vars.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let named = value("VIRTUAL_ENV").map(|v| v.trim_end_matches('/'));
    for entry in value("PATH")?.split(':').map(|e| e.trim_end_matches('/')) {
        // the PATH before (`$PATH`, unknown here) holds the system's folders
        if entry.contains('$') || SYSTEM.contains(&entry) {
            return None;
        }
        if let Some(dir) = entry.strip_suffix("/bin").filter(|d| d.starts_with('/')) {
            if named == Some(dir) || at.venvs.iter().any(|v| v == dir) {
                return Some(dir.to_owned());
            }
        }
    }
    None
}

/// The archive `jar cf out.jar …` / `jar --create --file out.jar …` writes, resolved against
/// `cwd`; `None` when a variable names it.
fn jar_file(args: &[String], cwd: &str) -> Option<String> {
    let file = args
        .windows(2)
        .find(|w| w[0] == "--file" || (w[0].starts_with('c') && w[0].contains('f') && !w[0].starts_with('-')))
        .map(|w| w[1].clone())?;
    (!file.contains('$')).then(|| resolve_path(cwd, &file))
}

/// The environment `uv sync` fills, resolved against `cwd` (known or not), and the folder of
/// the Python uv installs when it is told to use only its own (it comes too: the environment
/// links its interpreter there). Refused where uv may make the environment on a Python it
/// downloads or on the system's, which cannot be told apart here, or where it lies in a
/// folder the file does not show.
fn uv_environment(
    c: &SimpleCommand,
    cwd: &str,
    cwd_known: bool,
    at: Landing,
) -> Result<(String, Option<String>), Stuck> {
    let (line, env) = (c.words.join(" "), crate::dockerfile::packages::uv_sync_environment(c, at.vars));
    let python = match uv_finds_the_image_python(at) {
        true => None,
        false => match uv_managed_python(at) {
            Some(dir) => Some(dir),
            None => return Err(Stuck::Unplaced(line, UV_PYTHON, UV_PYTHON_FIX)),
        },
    };
    match env.filter(|e| cwd_known || e.starts_with('/')) {
        Some(env) => Ok((resolve_path(cwd, &env), python)),
        None => Err(Stuck::Unplaced(line, UV_WHERE, "set UV_PROJECT_ENVIRONMENT, or a WORKDIR")),
    }
}

/// The folder uv installs its own Pythons into, when it is told to use only those
/// (`UV_MANAGED_PYTHON=1`, `UV_PYTHON_PREFERENCE=only-managed`): `UV_PYTHON_INSTALL_DIR`, else
/// the data folder of root's home (InvokeAI's `uv python install` then `uv sync`). `None`
/// when uv may take the system's Python too, or the home is another user's.
fn uv_managed_python(at: Landing) -> Option<String> {
    let value = |name: &str| at.vars.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let only_managed =
        matches!(value("UV_MANAGED_PYTHON").map(str::to_ascii_lowercase).as_deref(), Some("1" | "true" | "yes"))
            || value("UV_PYTHON_PREFERENCE") == Some("only-managed");
    if !only_managed {
        return None;
    }
    let known = |v: &str| v.starts_with('/') && !v.contains('$');
    match (value("UV_PYTHON_INSTALL_DIR"), value("XDG_DATA_HOME")) {
        (Some(dir), _) => known(dir).then(|| dir.trim_end_matches('/').to_owned()),
        (None, Some(data)) => known(data).then(|| format!("{}/uv/python", data.trim_end_matches('/'))),
        (None, None) => at.root_user.then(|| "/root/.local/share/uv/python".to_owned()),
    }
}

const CARGO_HOME: &str = "puts its programs in the cargo home's `bin`, beside rustup's own (`cargo`, `rustc`), under names the crates it installs do not tell";
const R_LIBRARY: &str = "installs R packages into the site library of the image's R, beside the packages it came with, so shiplight cannot tell which to copy";
const UV_PYTHON: &str =
    "makes the project's environment on a Python uv may download outside it, which the runtime would not have";
const UV_PYTHON_FIX: &str =
    "build on an official python image (or tell uv to use only its own Python: `UV_MANAGED_PYTHON=1`)";
const UV_WHERE: &str = "installs into the project's `.venv` in a working folder the file does not show";

/// Whether the Python `uv sync` makes its environment on is the base image's own: an
/// official python image, where uv is not told to prefer (or only use) one it downloads
/// (`UV_PYTHON_PREFERENCE=managed`). The environment links its interpreter by path, and a
/// downloaded one lives outside it (`~/.local/share/uv/python`).
fn uv_finds_the_image_python(at: Landing) -> bool {
    let preference = at.vars.iter().rev().find(|(k, _)| k == "UV_PYTHON_PREFERENCE").map(|(_, v)| v.as_str());
    at.python_image && !matches!(preference, Some("managed" | "only-managed"))
}

/// The virtualenv a pip (or `uv pip`) install of a RUN fills: one the RUN created that it is
/// called from by path (`/venv/bin/pip`), else the `active` one when called by name.
fn venv_install(c: &SimpleCommand, cwd: &str, created: &[String], active: Option<&str>) -> Option<String> {
    use crate::dockerfile::packages::{pip_install, uv_pip_install};
    pip_install(c).or(uv_pip_install(c))?;
    let called = c.effective().first().map(|w| resolve_path(cwd, w)).unwrap_or_default();
    created.iter().find(|d| called.starts_with(&format!("{d}/bin/"))).cloned().or_else(|| {
        (!c.effective().first().is_some_and(|w| w.contains('/'))).then(|| active.map(str::to_owned)).flatten()
    })
}

/// The virtualenvs a RUN's commands create (`python3 -m venv "$VIRTUAL_ENV"`), resolved
/// against `workdir` and the ARG and ENV values in force.
pub fn venvs_made(commands: &[SimpleCommand], workdir: &str, vars: &[(String, String)]) -> Vec<String> {
    commands.iter().filter_map(|c| venv_created(c, vars)).map(|d| resolve_path(workdir, &d)).collect()
}

/// The folder a command makes a virtualenv in (`python3 -m venv DIR`, `virtualenv DIR`, `uv
/// venv DIR`), its ARG and ENV values read.
fn venv_created(c: &SimpleCommand, vars: &[(String, String)]) -> Option<String> {
    crate::dockerfile::packages::venv_folder(c)
        .map(|d| crate::dockerfile::substitute(d, vars))
        .filter(|d| !d.contains('$'))
        .map(|d| d.trim_end_matches('/').to_owned())
        .filter(|d| !d.is_empty())
}

/// The folder a RUN's last build command ran in (its `cd`s followed from `workdir`): where an
/// in-place build (`qmake && make`, `npm install` in the project) leaves what it built.
pub fn build_folder(commands: &[SimpleCommand], workdir: &str) -> Option<String> {
    build_folders(commands, workdir).pop().map(|(dir, _)| dir)
}

/// Every build command of a RUN with the folder it ran in (its `cd`s followed from
/// `workdir`, and make's `-C`), in order.
pub fn build_folders<'a>(commands: &'a [SimpleCommand], workdir: &str) -> Vec<(String, &'a SimpleCommand)> {
    let mut cwd = workdir.to_owned();
    let mut built = Vec::new();
    for c in commands {
        if c.program() == "cd" {
            match c.args().iter().find(|a| !a.starts_with('-')) {
                Some(d) => cwd = resolve_path(&cwd, d),
                None => cwd = "/root".into(),
            }
        } else if crate::dockerfile::roles::runs_build(c) {
            // `make -C docs html` builds in `docs`
            let args = c.args();
            let into = match c.program() {
                "make" | "gmake" => args.iter().enumerate().find_map(|(i, a)| match a.as_str() {
                    "-C" => args.get(i + 1).cloned(),
                    _ => a.strip_prefix("--directory=").map(str::to_owned),
                }),
                _ => None,
            };
            match into.filter(|d| !d.contains('$')) {
                Some(d) => built.push((resolve_path(&cwd, &d), c)),
                None => built.push((cwd.clone(), c)),
            }
        }
    }
    built
}

/// The folders a RUN unpacks archives or clones into (`curl … | tar xz` in its working
/// folder, `tar -C /opt/app -xf …`, `unzip -d …`, `git clone URL DEST`), its `cd`s followed
/// from `workdir`: a program fetched whole, which ships when it runs from there
/// (routersploit's `/app/rsf.py`). A folder named with the ARG and ENV values in force
/// (`vars`) is read with them (stable-diffusion-webui-docker's `git clone … ${ROOT}` under
/// `ENV ROOT=/stable-diffusion`, held out in round 55).
pub fn unpack_folders(commands: &[SimpleCommand], workdir: &str, vars: &[(String, String)]) -> Vec<String> {
    let mut cwd = workdir.to_owned();
    let mut out = Vec::new();
    for c in commands {
        let args = c.args();
        let into = match c.program() {
            "cd" => {
                match args.iter().find(|a| !a.starts_with('-')) {
                    Some(d) => cwd = resolve_path(&cwd, &crate::dockerfile::substitute(d, vars)),
                    None => cwd = "/root".into(),
                }
                continue;
            }
            "tar" => {
                let mode = args.first().map(|a| a.trim_start_matches('-')).unwrap_or_default();
                let extracts = args.iter().any(|a| a == "--extract" || a == "-x")
                    || (!mode.is_empty()
                        && !mode.starts_with('-')
                        && mode.contains('x')
                        && mode.chars().all(|ch| ch.is_ascii_alphabetic()));
                if !extracts {
                    continue;
                }
                crate::dockerfile::packages::option_value(args, "-C")
                    .or_else(|| crate::dockerfile::packages::option_value(args, "--directory"))
            }
            "unzip" => crate::dockerfile::packages::option_value(args, "-d"),
            // `git clone URL DEST`: a checkout the program may run from (jessfraz's
            // couchpotato: cloned, checked out in a subshell, run by WORKDIR)
            "git" if c.subcommand() == Some("clone") => match clone_operands(args)[..] {
                [_, dest] => Some(dest),
                _ => continue,
            },
            _ => continue,
        };
        let dir = match into.map(|d| crate::dockerfile::substitute(d, vars)) {
            Some(d) if d.contains('$') => continue,
            Some(d) => resolve_path(&cwd, &d),
            None => cwd.clone(),
        };
        if !out.contains(&dir) {
            out.push(dir);
        }
    }
    out
}

/// Whether a build command installs an interpreted app's dependencies or assets into the
/// folder it runs in (`npm ci`, `pnpm build`, `composer install`, `bundle install`, `rake
/// assets:precompile`): that folder is the app.
pub fn builds_app_in_place(c: &SimpleCommand) -> bool {
    matches!(c.program(), "npm" | "yarn" | "pnpm" | "npx" | "composer" | "bundle" | "rake" | "rails")
        && !installs_elsewhere(c)
}

/// Where a compiler links the program it makes (`gcc -o /usr/local/bin/hello hello.c
/// -lyaml`), resolved from the folder it runs in; not an object file (`-c`), nor a path
/// with a variable.
fn linked_to(c: &SimpleCommand, cwd: &str) -> Option<String> {
    let args = c.args();
    if args.iter().any(|a| a == "-c") {
        return None;
    }
    let o = args.windows(2).find(|w| w[0] == "-o").map(|w| &w[1]).filter(|o| !o.contains('$'))?;
    Some(resolve_path(cwd, o))
}

/// The project folder an editable pip install (`pip install -e .`, `-e /src`,
/// `--editable=path[extra]`) links, resolved from `cwd`: `None` for a URL, a variable, or a
/// scratch folder.
pub fn editable_project(c: &SimpleCommand, cwd: &str) -> Option<String> {
    let args = crate::dockerfile::packages::pip_install(c)?;
    let path = args.iter().enumerate().find_map(|(i, a)| match a.as_str() {
        "-e" | "--editable" => args.get(i + 1).cloned(),
        _ => {
            a.strip_prefix("--editable=").or_else(|| a.strip_prefix("-e").filter(|r| !r.is_empty())).map(str::to_owned)
        }
    })?;
    let path = path.split('[').next().unwrap_or_default().trim_matches(['"', '\'']);
    if path.is_empty() || path.contains(['$', ':']) {
        return None;
    }
    let dir = resolve_path(cwd, path);
    (dir != "/" && !SCRATCH.iter().any(|s| crate::dockerfile::within(&dir, s))).then_some(dir)
}

/// Whether a build command puts what it makes outside the folder it runs in: an install
/// into a prefix (`make install`, `cmake --install`, `pip install`, `gem install`, `npm
/// install -g`, `cargo install`, `go install`). An editable pip install (`pip install -e .`)
/// installs in place: the project folder is the package, with the metadata it writes there.
pub fn installs_elsewhere(c: &SimpleCommand) -> bool {
    let args = c.args();
    let sub = c.subcommand();
    let editable = args.iter().any(|a| a == "-e" || a == "--editable" || a.starts_with("--editable="));
    crate::dockerfile::packages::pip_install(c).is_some() && !editable
        || installs_globally(c)
        || match c.program() {
            "make" | "gmake" | "ninja" => args.iter().any(|a| a == "install" || a.ends_with("-install")),
            "cmake" | "meson" => args.iter().any(|a| a == "--install" || a == "install"),
            "gem" | "cargo" | "go" => sub == Some("install"),
            _ => false,
        }
}

/// Whether a command installs into the language's prefix (pip, npm's global installs, gem,
/// PHP's extension installers, cpanm, `setup.py install`), and, where the prefix is known,
/// Poetry told to make no virtualenv (`poetry_system`). Bundler is [`bundle_target`]'s.
fn installs_into_prefix(c: &SimpleCommand, base_prefix: Option<&str>, poetry_system: bool) -> bool {
    let (p, args, sub) = (c.program(), c.args(), c.subcommand());
    let official = base_prefix.is_some();
    crate::dockerfile::packages::pip_install(c).is_some()
        || crate::dockerfile::packages::uv_pip_install(c).is_some()
        || installs_globally(c)
        || matches!(p, "docker-php-ext-install" | "docker-php-ext-enable" | "easy_install" | "cpanm")
        || (matches!(p, "pecl" | "gem") && sub == Some("install"))
        || (p == "poetry" && sub == Some("install") && official && poetry_system)
        || (p.starts_with("python") && args.windows(2).any(|w| w[0].ends_with("setup.py") && w[1] == "install"))
}

/// The folder of its own a gem, global npm (pnpm) or pip install is told to install into:
/// `gem install` (GEM_HOME, `--install-dir`), `npm install -g` (`--prefix`, NPM_CONFIG_PREFIX),
/// `pnpm add -g` (PNPM_HOME), `pip install` (`--target`, `--prefix`, PIP_TARGET, PIP_PREFIX).
fn told_folder(c: &SimpleCommand, told: &Told) -> Option<String> {
    if c.program() == "gem" && c.subcommand() == Some("install") {
        return told::gem_home(c, told);
    }
    if installs_globally(c) {
        return told::global_prefix(c, told);
    }
    let args = crate::dockerfile::packages::pip_install(c)?;
    told::pip_folder(args, c, told).filter(|d| !d.contains('$'))
}

/// The folders `bundle install` writes that the runtime copies: an absolute path it was told
/// (`--path /gems`, `BUNDLE_PATH=/usr/local/bundle`), the GEM_HOME it was told, or, told
/// nothing, the official ruby image's GEM_HOME (`/usr/local/bundle`). A path in the app
/// (`--deployment`, `vendor/bundle`) ships with the app's folder; on the ruby image
/// `/usr/local/bundle` comes too, for the configuration Bundler wrote there
/// (BUNDLE_APP_CONFIG). Told nothing on a distribution's Ruby, the gems go to its own gem
/// folder, which the toolchain shares: refused, saying what to write.
fn bundle_target(c: &SimpleCommand, told: &Told, base_prefix: Option<&str>, cwd: &str) -> Result<Vec<String>, Stuck> {
    let args = c.args();
    let flag = args.iter().enumerate().find_map(|(i, a)| match a.as_str() {
        "--path" => args.get(i + 1).cloned(),
        "--deployment" | "--standalone" => Some(String::new()),
        _ => a.strip_prefix("--path=").or_else(|| a.strip_prefix("--standalone=").map(|_| "")).map(str::to_owned),
    });
    let told_path = told.value(c, "BUNDLE_PATH").or_else(|| told.value(c, "BUNDLE_DEPLOYMENT").map(|_| String::new()));
    // on the ruby image, what `bundle config` (and the options Bundler remembers: `--path`,
    // `--deployment`) set is written to BUNDLE_APP_CONFIG, `/usr/local/bundle/config`: the
    // runtime needs it to find gems kept elsewhere
    let config = || (base_prefix == Some("/usr/local/bundle")).then(|| "/usr/local/bundle".to_owned());
    match flag.or(told_path) {
        Some(path) if path.starts_with('/') && !path.contains('$') => {
            Ok(std::iter::once(resolve_path(cwd, &path)).chain(config()).collect())
        }
        Some(_) => Ok(config().into_iter().collect()),
        // Bundler installs into GEM_HOME when told no path of its own
        None if told.folder(c, "GEM_HOME").is_some() => Ok(told.folder(c, "GEM_HOME").into_iter().collect()),
        None if base_prefix == Some("/usr/local/bundle") => Ok(vec!["/usr/local/bundle".into()]),
        None => Err(Stuck::DistroPip(c.words.join(" "), own_prefix_advice(c).to_owned())),
    }
}

/// Whether npm, pnpm or yarn installs packages globally (`npm install -g pm2`, `pnpm add
/// --global x`, `yarn global add x`), into the prefix of the Node the image has; not
/// `npm config set cache … --global`, which only writes npm's configuration.
pub fn installs_globally(c: &SimpleCommand) -> bool {
    let global = c.args().iter().any(|a| matches!(a.as_str(), "-g" | "--global" | "--location=global"));
    let installs = matches!(c.subcommand(), Some("install" | "i" | "add" | "update" | "up" | "link" | "ln"));
    match c.program() {
        "npm" | "pnpm" => global && installs,
        "yarn" => c.subcommand() == Some("global"),
        _ => false,
    }
}

/// Whether a folder is a project's own (`/src`, `/opt/app`, `/usr/src/app`), not one a
/// system or the toolchain shares (`/`, `/usr`, `/usr/local`, `/tmp`, `/root`): only a
/// project folder is copied whole.
pub fn is_project_folder(dir: &str) -> bool {
    const SHARED: &[&str] = &["/", "/usr", "/usr/local", "/opt", "/home", "/root", "/var", "/etc", "/srv"];
    let trimmed = match dir.trim_end_matches('/') {
        "" => "/",
        d => d,
    };
    !dir.contains('$')
        && dir.starts_with('/')
        && !SHARED.contains(&trimmed)
        && !["/tmp", "/var/tmp", "/proc", "/dev", "/usr/lib", "/usr/bin", "/usr/share", "/usr/include"]
            .iter()
            .any(|p| dir == *p || dir.starts_with(&format!("{p}/")))
}
