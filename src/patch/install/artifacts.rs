//! What a build RUN installs: its artifacts (the `--prefix` of a `make install`, the
//! destination of `cp`/`install`, `go build -o`, a language package manager's prefix), and
//! where they land when the rewrite stages them (`DESTDIR`, a virtualenv).

use crate::dockerfile::resolve_path;
use crate::dockerfile::shell::SimpleCommand;
use crate::patch::edits::is_make_install;

/// What a build RUN installs, and where it is copied from in the build stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// In the build stage.
    pub from: String,
    /// In the runtime stage.
    pub to: String,
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

/// Where a RUN's installs land, as the rewrite arranges it.
#[derive(Clone, Copy, Default)]
pub struct Landing<'a> {
    /// pip/npm/gem's prefix on an official language image (`/usr/local`).
    pub base_prefix: Option<&'a str>,
    /// pip runs in the `/opt/venv` virtualenv the rewrite creates.
    pub venv: bool,
    /// `make install` runs with `DESTDIR` = [`STAGING`].
    pub destdir: bool,
}

/// Why the artifacts could not be placed as written.
pub enum Stuck {
    /// `make install` into `/usr`: staged with DESTDIR when the RUN's text allows it.
    SystemPrefix(String),
    /// pip (gem, npm) into a distribution's Python: moved into a virtualenv when the text
    /// allows it and the program runs from it. The command, then what to do instead.
    DistroPip(String, String),
}

/// The staging root of a `make install` into the system prefix.
pub const STAGING: &str = "/opt/shiplight-root";

/// Folders a build works in, not where it installs: what lands there is not an artifact.
const SCRATCH: [&str; 3] = ["/tmp", "/src", "/build"];

/// The artifacts a RUN's commands install, resolved against `workdir` (and `cd`s).
pub fn artifacts(commands: &[SimpleCommand], workdir: &str, at: Landing) -> Result<Vec<Artifact>, Stuck> {
    let base_prefix = at.base_prefix;
    let mut out: Vec<Artifact> = Vec::new();
    let mut cwd = workdir.to_owned();
    let push = |out: &mut Vec<Artifact>, from: String, to: String| {
        if !out.iter().any(|a| a.to == to) {
            out.push(Artifact { from, to });
        }
    };
    // a virtualenv the RUN creates (`python3 -m venv /venv`, `virtualenv /venv`) and, once
    // activated (`source /venv/bin/activate`), what pip installs into
    let mut created: Vec<String> = Vec::new();
    let mut active: Option<String> = None;
    for c in commands {
        let (p, args) = (c.program(), c.args());
        let plain: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
        if let Some(dir) = venv_created(c) {
            created.push(resolve_path(&cwd, &dir));
        }
        // pip run from a virtualenv: activated, or called by its path (`/venv/bin/pip`)
        let venv_pip =
            crate::dockerfile::packages::pip_install(c).and_then(|_| {
                let called = c.effective().first().map(|w| resolve_path(&cwd, w)).unwrap_or_default();
                created.iter().find(|d| called.starts_with(&format!("{d}/bin/"))).cloned().or_else(|| {
                    (!c.effective().first().is_some_and(|w| w.contains('/'))).then(|| active.clone()).flatten()
                })
            });
        if let Some(dir) = venv_pip {
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
            "cp" | "mv" | "install" if plain.len() >= 2 => {
                if let Some(to) = copy_destination(&plain, args, &cwd) {
                    push(&mut out, to.clone(), to);
                }
            }
            // a download saved where the program runs from (`curl -o /usr/local/bin/tool`)
            "curl" | "wget" => {
                if let Some(dest) = download(c, commands) {
                    push(&mut out, dest.clone(), dest);
                }
            }
            "go" if matches!(c.subcommand(), Some("build" | "install" | "get")) => {
                match args.windows(2).find(|w| w[0] == "-o").map(|w| w[1].clone()) {
                    Some(o) if !o.contains('$') => {
                        let o = resolve_path(&cwd, &o);
                        push(&mut out, o.clone(), o);
                    }
                    // `go install`, and GOPATH-mode `go get` (not `-d`, download only), put
                    // the binaries in $GOPATH/bin
                    _ if c.subcommand() == Some("install")
                        || (c.subcommand() == Some("get") && !args.iter().any(|a| a == "-d")) =>
                    {
                        push(&mut out, "/go/bin".into(), "/go/bin".into())
                    }
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
                    .find(|w| {
                        w[0] == "--file" || (w[0].starts_with('c') && w[0].contains('f') && !w[0].starts_with('-'))
                    })
                    .map(|w| w[1].clone());
                if let Some(f) = file.filter(|f| !f.contains('$')) {
                    let f = resolve_path(&cwd, &f);
                    push(&mut out, f.clone(), f);
                }
            }
            // rocks go to luarocks' tree
            "luarocks" if matches!(c.subcommand(), Some("install" | "make")) => {
                if let Some(tree) = luarocks_tree(args, &cwd) {
                    push(&mut out, tree.clone(), tree);
                }
            }
            _ if crate::dockerfile::packages::pip_install(c).is_some()
                || (matches!(p, "npm" | "yarn" | "pnpm") && args.iter().any(|a| a == "-g" || a == "--global"))
                || matches!(p, "docker-php-ext-install" | "docker-php-ext-enable" | "easy_install" | "cpanm")
                || (p == "pecl" && c.subcommand() == Some("install"))
                || (p == "gem" && c.subcommand() == Some("install"))
                || (p.starts_with("python")
                    && args.windows(2).any(|w| w[0].ends_with("setup.py") && w[1] == "install")) =>
            {
                match base_prefix {
                    Some(pre) => push(&mut out, pre.to_owned(), pre.to_owned()),
                    None if at.venv && crate::dockerfile::packages::pip_install(c).is_some() => {
                        push(&mut out, "/opt/venv".into(), "/opt/venv".into())
                    }
                    None => {
                        return Err(Stuck::DistroPip(c.words.join(" "), own_prefix_advice(c).to_owned()));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Where `cp`/`mv`/`install` put a file the image keeps: an absolute destination outside
/// the scratch folders (a folder's destination gains the source's name), not `install -d`.
fn copy_destination(plain: &[&String], args: &[String], cwd: &str) -> Option<String> {
    // `install -m 755 x /usr/local/bin/`: the mode's value is not a path
    let paths: Vec<&String> = plain.iter().copied().filter(|a| !a.chars().all(|c| c.is_ascii_digit())).collect();
    let dest = paths.last()?;
    if dest.contains('$') || !dest.starts_with('/') || args.iter().any(|a| a == "-d") {
        return None;
    }
    let into_folder = dest.ends_with('/');
    let dest = resolve_path(cwd, dest);
    if SCRATCH.iter().any(|d| dest.starts_with(d)) {
        return None;
    }
    // `cp hello /usr/local/bin/`: the file lands in the folder
    Some(match (paths.len(), paths.first()) {
        (2, Some(src)) if into_folder && !src.contains(['*', '?', '$']) => {
            format!("{}/{}", dest.trim_end_matches('/'), src.trim_end_matches('/').rsplit('/').next().unwrap_or(src))
        }
        _ => dest.trim_end_matches('/').to_owned(),
    })
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
    let removed = commands.iter().any(|r| r.program() == "rm" && r.args().iter().any(|a| a == dest));
    (!KEPT_APART.iter().any(|x| name.contains(x)) && !removed).then(|| dest.to_owned())
}

/// The folder a command makes a virtualenv in: `python3 -m venv DIR`, `virtualenv DIR`,
/// `uv venv DIR`.
fn venv_created(c: &SimpleCommand) -> Option<String> {
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
    after.iter().find(|a| !a.starts_with('-')).filter(|d| !d.contains('$')).cloned()
}

/// The folder a RUN's last build command ran in (its `cd`s followed from `workdir`): where an
/// in-place build (`qmake && make`, `npm install` in the project) leaves what it built.
pub fn build_folder(commands: &[SimpleCommand], workdir: &str) -> Option<String> {
    let mut cwd = workdir.to_owned();
    let mut built = None;
    for c in commands {
        if c.program() == "cd" {
            match c.args().iter().find(|a| !a.starts_with('-')) {
                Some(d) => cwd = resolve_path(&cwd, d),
                None => cwd = "/root".into(),
            }
        } else if crate::dockerfile::roles::runs_build(c) {
            built = Some(cwd.clone());
        }
    }
    built
}

/// Whether a folder is a project's own (`/src`, `/opt/app`, `/usr/src/app`), not one a
/// system or the toolchain shares (`/`, `/usr`, `/usr/local`, `/tmp`, `/root`): only a
/// project folder is copied whole.
pub fn is_project_folder(dir: &str) -> bool {
    const SHARED: &[&str] = &["/", "/usr", "/usr/local", "/usr/src", "/opt", "/home", "/root", "/var", "/etc", "/srv"];
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
