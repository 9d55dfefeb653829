//! The scripts of the repository an image runs: a file the ENTRYPOINT or CMD runs, or a RUN
//! runs, that a COPY/ADD brings from the build context (`COPY entrypoint.sh
//! /usr/local/bin/`, `COPY install-plugins.sh /app/` then `RUN /app/install-plugins.sh`).
//!
//! - One that compiles when the container starts (jessfraz's wireguard image: `make module`
//!   against the kernel headers in its `entrypoint.sh`) needs the toolchain at run time, so
//!   no rewrite takes the toolchain out of that image: the rewrite is refused as
//!   `still-ships`, naming the script and the command.
//! - One a RUN runs after the toolchain is installed is read for what it does: a script that
//!   only writes configuration (alerta's `snmptrapd.conf.sh`, a heredoc into /etc) may run
//!   in the runtime stage; one that builds, installs a toolchain or runs a script of its own
//!   keeps the refusal, naming what it runs. Its fetches count too: `pip install git+…` in
//!   it makes git a build tool.

use crate::dockerfile::packages::{is_compiler_package, is_toolchain_package, system_install};
use crate::dockerfile::roles::{self, Role};
use crate::dockerfile::shell::{self, SimpleCommand};
use crate::dockerfile::{Body, Dockerfile, Instruction, Kind};
use crate::repository::TOOLCHAIN_PROGRAMS;

/// A file of the repository the image runs, as the repository has it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContextScript {
    /// Where the image has it (`/usr/local/bin/entrypoint.sh`).
    pub path: String,
    /// Its text.
    pub text: String,
    /// The scripts of the repository it runs in turn (`sh autoconfig.sh`, `. /env.sh`), as
    /// it names them and where they were read.
    pub calls: Vec<(String, String)>,
}

/// At most this many scripts are read for one Dockerfile, callees included.
const MOST: usize = 32;

/// The script a command runs by name: `sh x.sh`, `./x.sh`, `/x.sh` ([`roles::runs_script`])
/// or sources (`. ./env.sh`, `source env.sh`).
fn script_named(c: &SimpleCommand) -> Option<&str> {
    match c.program() {
        "." | "source" => c.args().first().map(String::as_str),
        _ => roles::runs_script(c),
    }
}

/// The scripts a script runs by name ([`script_named`]); not a name with a variable.
fn callees(parsed: &shell::Script) -> Vec<&str> {
    parsed.commands.iter().filter_map(script_named).filter(|n| !n.contains('$')).collect()
}

/// Build drivers a start script may run beside the toolchains an ENTRYPOINT may be
/// ([`TOOLCHAIN_PROGRAMS`]): project wrappers and kernel-module builds.
const ALSO: &[&str] = &["mvnw", "gradlew", "qmake", "dkms", "dpkg-buildpackage"];

/// Whether a command of a start script compiles: a compiler or build driver (go and cargo
/// when they build, install or run). Not the language package managers, whose install at
/// start (`pip install $EXTRA_PACKAGES`, an option of the user's) may need no compiler.
fn compiles(c: &SimpleCommand) -> bool {
    // asked only its version or its help (`make --version`): a check
    if roles::of(c) == Role::Shell {
        return false;
    }
    let p = c.program();
    let name = p.rsplit('/').next().unwrap_or(p);
    match name {
        "go" | "cargo" => matches!(c.subcommand(), Some("build" | "install" | "run")),
        _ => TOOLCHAIN_PROGRAMS.contains(&name) || ALSO.contains(&name) || roles::configures(c),
    }
}

/// The files the stages' ENTRYPOINT and CMD run that a COPY or ADD (not `--from` a stage or
/// an image) puts there from the build context, each read with `read` (a path relative to
/// the context → its text; `None`: not there, or not to be read). A path the command names
/// (`/usr/local/bin/entrypoint.sh`, `./entrypoint.sh` in the WORKDIR, `sh start.sh`, a bare
/// `docker-entrypoint.sh` also on the PATH) is matched against each COPY's destination: the
/// file itself, or a file copied into that folder, or a file of a folder copied there.
pub fn start_scripts(df: &Dockerfile, read: &dyn Fn(&str) -> Option<String>) -> Vec<ContextScript> {
    context_scripts(df, read, &|ins| match ins.kind {
        Kind::Entrypoint | Kind::Cmd => {
            let words = ins.script().map(|t| shell::split_words(&t)).unwrap_or_default();
            // (the program itself too, named bare: `CMD ["sync-worker"]`, copied onto the PATH)
            words
                .into_iter()
                .enumerate()
                .filter(|(i, w)| {
                    w.starts_with('/') || w.starts_with("./") || w.ends_with(".sh") || (*i == 0 && !w.starts_with('-'))
                })
                .map(|(_, w)| w)
                .collect()
        }
        _ => Vec::new(),
    })
}

/// The files the stages' RUNs run as scripts (`RUN /app/install-plugins.sh`, `RUN sh
/// setup.sh`; [`roles::runs_script`]) that a COPY or ADD puts there from the build context,
/// read as [`start_scripts`] reads them. The path is where the image has it.
pub fn run_scripts(df: &Dockerfile, read: &dyn Fn(&str) -> Option<String>) -> Vec<ContextScript> {
    context_scripts(df, read, &|ins| match ins.kind {
        Kind::Run => {
            let script = shell::parse(&ins.script().unwrap_or_default());
            script.commands.iter().filter_map(roles::runs_script).map(str::to_owned).collect()
        }
        _ => Vec::new(),
    })
}

/// The files the paths `named` gives for an instruction stand for, where a COPY from the
/// context put them (the WORKDIR in force resolves a relative path).
fn context_scripts(
    df: &Dockerfile,
    read: &dyn Fn(&str) -> Option<String>,
    named: &dyn Fn(&Instruction) -> Vec<String>,
) -> Vec<ContextScript> {
    let mut out: Vec<ContextScript> = Vec::new();
    for stage in &df.stages {
        let mut workdir = "/".to_owned();
        // (destination in the image, sources in the context, into a folder)
        let mut copies: Vec<(String, Vec<String>, bool)> = Vec::new();
        for ins in &stage.instructions {
            match (&ins.kind, &ins.body) {
                (Kind::Workdir, Body::Words(w)) => {
                    if let Some(dir) = w.first().filter(|d| !d.contains('$')) {
                        workdir = crate::dockerfile::resolve_path(&workdir, dir);
                    }
                }
                (Kind::Copy | Kind::Add, Body::Copy { sources, dest }) if ins.flag("from").is_none() => {
                    if dest.contains('$') || sources.iter().any(|s| s.contains(['$', '*', '?']) || s.contains("://")) {
                        continue;
                    }
                    let into = dest.ends_with('/') || sources.len() > 1;
                    copies.push((crate::dockerfile::resolve_path(&workdir, dest), sources.clone(), into));
                }
                _ => {
                    for word in named(ins).iter().filter(|w| !w.contains('$')) {
                        // a bare name is also looked for on the PATH (`ENTRYPOINT
                        // ["docker-entrypoint.sh"]` after a COPY into /usr/local/bin/)
                        let mut places = vec![crate::dockerfile::resolve_path(&workdir, word)];
                        if !word.contains('/') {
                            places.extend(ON_PATH.iter().map(|d| format!("{d}/{word}")));
                        }
                        for path in places {
                            if out.iter().any(|s| s.path == path) {
                                break;
                            }
                            if let Some(text) = copies.iter().rev().find_map(|c| source_of(c, &path, read)) {
                                out.push(ContextScript { path, text, calls: Vec::new() });
                                follow(&mut out, &copies, &workdir, read);
                                break;
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// The folders of the PATH every image has, where a command named bare is found.
const ON_PATH: [&str; 5] = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/bin"];

/// Read the scripts the last one read runs in turn, and theirs, where the same COPYs put
/// them: a relative name is looked for in the WORKDIR (where the program starts) and beside
/// the script. At most [`MOST`] scripts in all.
fn follow(
    out: &mut Vec<ContextScript>,
    copies: &[(String, Vec<String>, bool)],
    workdir: &str,
    read: &dyn Fn(&str) -> Option<String>,
) {
    let mut queue = vec![out.len() - 1];
    while let Some(i) = queue.pop() {
        let parsed = shell::parse(&out[i].text);
        let folder = out[i].path.rsplit_once('/').map_or("/", |(f, _)| if f.is_empty() { "/" } else { f }).to_owned();
        for name in callees(&parsed) {
            let mut places = vec![crate::dockerfile::resolve_path(workdir, name)];
            places.push(crate::dockerfile::resolve_path(&folder, name));
            places.dedup();
            for path in places {
                if out.iter().any(|s| s.path == path) {
                    out[i].calls.push((name.to_owned(), path));
                    break;
                }
                if out.len() >= MOST {
                    return;
                }
                if let Some(text) = copies.iter().rev().find_map(|c| source_of(c, &path, read)) {
                    out[i].calls.push((name.to_owned(), path.clone()));
                    out.push(ContextScript { path, text, calls: Vec::new() });
                    queue.push(out.len() - 1);
                    break;
                }
            }
        }
    }
}

/// The text of the file a COPY puts at `path`, when it does.
fn source_of(copy: &(String, Vec<String>, bool), path: &str, read: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let (dest, sources, into) = copy;
    let name = path.rsplit('/').next()?;
    let folder = path.rsplit_once('/').map_or("/", |(f, _)| if f.is_empty() { "/" } else { f });
    for source in sources {
        let source = source.trim_end_matches('/');
        let base = source.rsplit('/').next().unwrap_or(source);
        // `COPY entrypoint.sh /usr/local/bin/entrypoint.sh`
        if !into && dest == path {
            if let Some(text) = read(source) {
                return Some(text);
            }
        }
        // `COPY entrypoint.sh /usr/local/bin/` (or a folder named without its slash)
        if dest == folder && base == name {
            if let Some(text) = read(source) {
                return Some(text);
            }
        }
        // `COPY scripts/ /usr/local/bin/`: a file of the folder
        if let Some(rest) = path.strip_prefix(dest.as_str()).and_then(|r| r.strip_prefix('/')) {
            if let Some(text) = read(&format!("{source}/{rest}")) {
                return Some(text);
            }
        }
    }
    None
}

/// Whether a command installs or builds with a language package manager (`npm install`,
/// `npm run build`, `composer install`, `bundle install`, `pip install`).
fn package_build(c: &SimpleCommand) -> bool {
    roles::runs_build(c)
        && matches!(c.program(), "npm" | "yarn" | "pnpm" | "composer" | "bundle" | "gem" | "pip" | "pip3")
}

/// The first start script that builds, and the command: (its path, the command). A script
/// builds when it runs a compiler or build driver, or when it fetches the program's sources
/// (`git clone`) and installs or builds them with a language package manager (openemr's
/// flex images: `git clone`, `composer install`, `npm install` compiling libxmljs, `npm run
/// build`, all when the container starts). A package install alone (`pip3 install
/// $EXTRA_PACKAGES`) is not a build.
///
/// A compile the script installs its own toolchain for first (openemr 7.0's `openemr.sh`:
/// `apk add … gcc make g++`, then phpredis's `./configure` and `make`, when asked to) needs
/// nothing of the image's: it is not counted.
pub fn compiles_at_start(scripts: &[ContextScript]) -> Option<(String, String)> {
    scripts.iter().find_map(|s| {
        let parsed = shell::parse(&s.text);
        let said = |c: &SimpleCommand| (s.path.clone(), c.words.join(" "));
        let commands = &parsed.commands;
        let own_toolchain = |at: usize| {
            commands[..at].iter().any(|i| {
                i.runs_whenever(&commands[at])
                    && system_install(i).is_some_and(|(_, pkgs)| pkgs.iter().any(|p| is_compiler_package(p)))
            })
        };
        if let Some(c) = (0..commands.len()).find(|&at| compiles(&commands[at]) && !own_toolchain(at)) {
            return Some(said(&commands[c]));
        }
        let clones = commands.iter().any(|c| c.program() == "git" && c.subcommand() == Some("clone"));
        (0..commands.len())
            .find(|&at| clones && package_build(&commands[at]) && !own_toolchain(at))
            .map(|at| said(&commands[at]))
    })
}

/// The first start script that installs a requirements list when the container starts, and
/// the command: (its path, the command). mage-ai's `run_app.sh` runs `pip3 install -r
/// "$REQUIREMENTS_FILE"` of the user's project each time it starts (round 82): a package of
/// that list that builds from source needs the compilers of the full base image then, so the
/// full variant is kept on purpose. Named packages (`pip3 install $EXTRA_PACKAGES`, an option
/// of the user's) are not a list.
pub fn installs_at_start(scripts: &[ContextScript]) -> Option<(String, String)> {
    scripts.iter().find_map(|s| {
        let parsed = shell::parse(&s.text);
        parsed.commands.iter().find(|c| installs_a_list(c)).map(|c| (s.path.clone(), c.words.join(" ")))
    })
}

/// Whether a command pip-installs a requirements file (`pip install -r file`, also as
/// `python -m pip` and `uv pip`).
fn installs_a_list(c: &SimpleCommand) -> bool {
    let args = c.args();
    let words: Vec<&str> = match c.program() {
        p if p.starts_with("pip") => args.iter().map(String::as_str).collect(),
        p if p.starts_with("python") => match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            ["-m", "pip", rest @ ..] => rest.to_vec(),
            _ => return false,
        },
        "uv" => match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            ["pip", rest @ ..] => rest.to_vec(),
            _ => return false,
        },
        _ => return false,
    };
    words.iter().find(|w| !w.starts_with('-')) == Some(&"install")
        && words.iter().any(|w| matches!(*w, "-r" | "--requirement") || w.starts_with("--requirement="))
}

/// What in a script a RUN runs may build, or bring the toolchain: a command that builds or
/// compiles (`make`, `pip install`, `gcc`), one that installs a toolchain package, or a
/// script of its own, which is not read. `None`: it only sets up (writes configuration,
/// makes users and folders, fetches).
pub fn may_build(script: &ContextScript, known: &[ContextScript]) -> Option<String> {
    may_build_within(script, known, 4)
}

/// [`may_build`], following the scripts it runs at most `depth` deep.
fn may_build_within(script: &ContextScript, known: &[ContextScript], depth: usize) -> Option<String> {
    let parsed = shell::parse(&script.text);
    parsed.commands.iter().find_map(|c| {
        if let Some(named) = script_named(c) {
            // a script it runs that was read is judged by what it runs in turn
            let callee = script.calls.iter().find(|(n, _)| n == named).and_then(|(_, path)| self::known(known, path));
            return match callee {
                Some(callee) if depth > 0 => may_build_within(callee, known, depth - 1),
                _ => Some(c.words.join(" ")),
            };
        }
        let builds = roles::runs_build(c)
            || compiles(c)
            || system_install(c).is_some_and(|(_, pkgs)| pkgs.iter().any(|p| is_toolchain_package(p)));
        builds.then(|| c.words.join(" "))
    })
}

/// The script a RUN runs at `path` in the image, when the repository's is known.
pub fn known<'a>(scripts: &'a [ContextScript], path: &str) -> Option<&'a ContextScript> {
    scripts.iter().find(|s| s.path == path)
}

#[cfg(test)]
mod tests {
    /// A requirements list installed at start (mage-ai's `run_app.sh`), in pip's spellings; a
    /// named package is no list
    #[test]
    fn a_requirements_list_installed_at_start_is_found() {
        let script =
            |text: &str| ContextScript { path: "/app/run_app.sh".into(), text: text.into(), calls: Vec::new() };
        for text in [
            "if [ -f \"$R\" ]; then\n  if ! pip3 install -r \"$R\"; then echo warn; fi\nfi\nexec mage start\n",
            "python3 -m pip install --requirement=/data/requirements.txt && exec app\n",
            "uv pip install --system -r req.txt\n",
        ] {
            assert!(installs_at_start(&[script(text)]).is_some(), "{text}");
        }
        assert_eq!(
            installs_at_start(&[script("pip3 install -r \"$R\"\n")]),
            Some(("/app/run_app.sh".into(), "pip3 install -r $R".into()))
        );
        for text in ["pip3 install $EXTRA_PACKAGES\n", "pip freeze -r req.txt\n", "exec gunicorn app\n"] {
            assert!(installs_at_start(&[script(text)]).is_none(), "{text}");
        }
    }

    use super::*;

    fn scripts(text: &str, files: &[(&str, &str)]) -> Vec<ContextScript> {
        let df = Dockerfile::parse(text).unwrap();
        let read = |p: &str| files.iter().find(|(n, _)| *n == p.trim_start_matches("./")).map(|(_, t)| t.to_string());
        start_scripts(&df, &read)
    }

    #[test]
    fn the_script_a_command_runs_is_read_where_the_copy_put_it() {
        let wg = "#!/bin/sh\nset -e\n(\ncd /wireguard/src\nmake module\nmake module-install\n)\nexec $@\n";
        let text = "FROM debian\nCOPY entrypoint.sh /usr/local/bin/entrypoint.sh\nENTRYPOINT [\"/usr/local/bin/entrypoint.sh\"]\nCMD [\"wg\", \"--help\"]\n";
        let found = scripts(text, &[("entrypoint.sh", wg)]);
        assert_eq!(found.len(), 1);
        assert_eq!(compiles_at_start(&found), Some(("/usr/local/bin/entrypoint.sh".into(), "make module".into())));
        // into a folder, from a folder, and relative to the WORKDIR
        for copy in ["COPY entrypoint.sh /usr/local/bin/", "COPY docker/ /usr/local/bin/"] {
            let t = text.replace("COPY entrypoint.sh /usr/local/bin/entrypoint.sh", copy);
            let found = scripts(&t, &[("entrypoint.sh", wg), ("docker/entrypoint.sh", wg)]);
            assert!(compiles_at_start(&found).is_some(), "{copy}");
        }
        let relative = "FROM debian\nWORKDIR /app\nCOPY start.sh .\nCMD [\"sh\", \"start.sh\"]\n";
        assert!(compiles_at_start(&scripts(relative, &[("start.sh", "gcc -o x x.c\n./x\n")])).is_some());
    }

    #[test]
    fn a_script_that_clones_and_builds_the_program_builds() {
        let text = "FROM alpine:3.20\nWORKDIR /var/www/localhost/htdocs\nCOPY openemr.sh ssl.sh ./\nCMD [ \"./openemr.sh\" ]\n";
        let flex = "#!/bin/sh\nif ! [ -d openemr ]; then\n  git clone \"$FLEX_REPOSITORY\" --depth 1\nfi\ncd openemr\ncomposer install --no-dev\nnpm install --unsafe-perm\nnpm run build\nexec httpd -D FOREGROUND\n";
        let found = scripts(text, &[("openemr.sh", flex)]);
        assert_eq!(found.len(), 1);
        assert_eq!(
            compiles_at_start(&found),
            Some(("/var/www/localhost/htdocs/openemr.sh".into(), "composer install --no-dev".into()))
        );
        // without the clone, an install at start is no build
        let installs = flex.replace("  git clone \"$FLEX_REPOSITORY\" --depth 1\n", "  true\n");
        assert_eq!(compiles_at_start(&scripts(text, &[("openemr.sh", &installs)])), None);
    }

    #[test]
    fn the_scripts_runs_run_are_read_where_the_copy_put_them() {
        let text = "FROM python:3.13-slim\nWORKDIR /app\nCOPY install-plugins.sh /app/install-plugins.sh\nCOPY setup/ /opt/setup/\nRUN /app/install-plugins.sh\nRUN chmod +x /opt/setup/a.sh && sh /opt/setup/a.sh\nRUN ./missing.sh\nCMD [\"/app/start.sh\"]\n";
        let read = |p: &str| match p {
            "install-plugins.sh" => Some("pip install git+https://x/y.git\n".to_owned()),
            "setup/a.sh" => Some("mkdir -p /data\n".to_owned()),
            _ => None,
        };
        let df = Dockerfile::parse(text).unwrap();
        let found = run_scripts(&df, &read);
        let paths: Vec<&str> = found.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(paths, ["/app/install-plugins.sh", "/opt/setup/a.sh"]);
        assert_eq!(may_build(&found[0], &found).as_deref(), Some("pip install git+https://x/y.git"));
        assert_eq!(may_build(&found[1], &found), None);
        // the CMD's script is a start script, not a RUN's
        assert!(start_scripts(&df, &read).is_empty());
    }

    /// Round 31 (openemr's flex-3.12): the CMD's `run_openemr.sh` runs `sh autoconfig.sh`,
    /// which clones OpenEMR and runs `composer install` when the container starts.
    #[test]
    fn the_scripts_a_script_runs_are_followed() {
        let text = "FROM alpine:3.15\nWORKDIR /var/www/localhost/htdocs\nCOPY run_openemr.sh autoconfig.sh /var/www/localhost/htdocs/\nCOPY env.sh /etc/\nCMD [ \"./run_openemr.sh\" ]\n";
        let run = "#!/bin/sh\n. /etc/env.sh\nsh autoconfig.sh\nexec httpd -D FOREGROUND\n";
        let auto = "#!/bin/sh\ngit clone \"$FLEX_REPOSITORY\" --depth 1\ncd openemr\ncomposer install --no-dev\n";
        let files = [("run_openemr.sh", run), ("autoconfig.sh", auto), ("env.sh", "export A=1\n")];
        let found = scripts(text, &files);
        let paths: Vec<&str> = found.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(
            paths,
            ["/var/www/localhost/htdocs/run_openemr.sh", "/etc/env.sh", "/var/www/localhost/htdocs/autoconfig.sh"]
        );
        assert_eq!(
            compiles_at_start(&found),
            Some(("/var/www/localhost/htdocs/autoconfig.sh".into(), "composer install --no-dev".into()))
        );
        // a RUN's script is judged through the scripts it runs: one that only sources its
        // settings sets up, one that runs a builder builds, one not read may
        assert_eq!(may_build(&found[0], &found).as_deref(), Some("composer install --no-dev"));
        let calm: Vec<(&str, &str)> = vec![("run_openemr.sh", "#!/bin/sh\n. /etc/env.sh\nmkdir -p /data\n"), files[2]];
        let found = scripts(text, &calm);
        assert_eq!(may_build(&found[0], &found), None);
        let unread = scripts(text, &[("run_openemr.sh", "#!/bin/sh\n./elsewhere.sh\n")]);
        assert_eq!(may_build(&unread[0], &unread).as_deref(), Some("./elsewhere.sh"));
    }

    /// Round 31 (openemr 7.0's `openemr.sh`): asked to, it installs gcc, make and g++ itself
    /// and builds phpredis; that build needs nothing of the image's toolchain.
    #[test]
    fn a_start_build_that_installs_its_own_toolchain_needs_none_of_the_images() {
        let text = "FROM alpine:3.20\nCOPY openemr.sh /\nCMD [\"/openemr.sh\"]\n";
        let own = "#!/bin/sh\nif [ -n \"$REDIS\" ]; then\n  apk add --no-cache git php83-dev gcc make g++\n  cd /tmp/phpredis\n  ./configure --enable-redis-igbinary\n  make\nfi\nexec httpd\n";
        assert_eq!(compiles_at_start(&scripts(text, &[("openemr.sh", own)])), None);
        // installed in another branch, or after the build, it is the image's that builds
        let other = own.replace("  apk add --no-cache git php83-dev gcc make g++\n", "");
        let other = other.replacen(
            "if [ -n \"$REDIS\" ]; then\n",
            "if [ -n \"$X\" ]; then apk add gcc make; fi\nif [ -n \"$REDIS\" ]; then\n",
            1,
        );
        assert!(compiles_at_start(&scripts(text, &[("openemr.sh", &other)])).is_some(), "{other}");
        let after = "#!/bin/sh\nmake\napk add gcc make\n";
        assert!(compiles_at_start(&scripts(text, &[("openemr.sh", after)])).is_some());
    }

    #[test]
    fn a_script_that_only_installs_or_runs_is_no_build() {
        let text = "FROM python:3.12\nCOPY docker-entrypoint.sh /\nENTRYPOINT [\"/docker-entrypoint.sh\"]\n";
        let pip = "#!/bin/sh\nif [ -n \"$EXTRA_PACKAGES\" ]; then pip3 install $EXTRA_PACKAGES; fi\nmake --version\nexec python app.py\n";
        let found = scripts(text, &[("docker-entrypoint.sh", pip)]);
        assert_eq!(found.len(), 1);
        assert_eq!(compiles_at_start(&found), None);
        // a file from another stage is not the repository's
        let staged = text.replace("COPY docker-entrypoint.sh /", "COPY --from=build /docker-entrypoint.sh /");
        assert!(scripts(&staged, &[("docker-entrypoint.sh", "make\n")]).is_empty());
    }
}
