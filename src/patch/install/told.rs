//! Where a language's package manager installs, as the file tells it: by ENV or ARG
//! (`GOBIN`, `GOPATH`, `CARGO_HOME`, `CARGO_INSTALL_ROOT`, `GEM_HOME`, `BUNDLE_PATH`,
//! `NPM_CONFIG_PREFIX`, `PNPM_HOME`, `PIP_TARGET`, `PIP_PREFIX`), by `export` or an assignment
//! before the command in the RUN, by the command's own flags (`--root`, `--install-dir`,
//! `--prefix`, `--target`), or by the manager's configuration command, in this RUN or an
//! earlier one (`npm config set prefix`, `bundle config set path`, `poetry config
//! virtualenvs.create false`), whose setting lasts for the RUNs after it as the variable the
//! manager reads would.
//!
//! Told nothing, each installs where its official image puts it (`/go/bin`,
//! `/usr/local/cargo/bin`, `/usr/local/bundle`, `/usr/local`): [`super::artifacts`] decides.

use crate::dockerfile::shell::SimpleCommand;
use crate::dockerfile::{resolve_path, substitute};

/// What the file has told the package managers so far: the ARG and ENV values in force, the
/// settings of earlier RUNs' configuration commands, and this RUN's exports and settings, in
/// the order they were given (the last of a name wins).
pub(super) struct Told {
    values: Vec<(String, String)>,
}

impl Told {
    /// Told by the environment in force (`vars`) and by earlier RUNs' configuration
    /// commands (`configured`, as [`settings`] gives them).
    pub fn new(vars: &[(String, String)], configured: &[(String, String)]) -> Told {
        Told { values: vars.iter().chain(configured).cloned().collect() }
    }

    /// Take in what a command tells the managers after it in the RUN: `export NAME=value`, a
    /// line of assignments alone, a configuration command.
    pub fn see(&mut self, c: &SimpleCommand) {
        if c.words.is_empty() || c.program() == "export" {
            let pairs = if c.words.is_empty() { c.assignments.clone() } else { c.args().to_vec() };
            for pair in pairs {
                if let Some((k, v)) = pair.split_once('=') {
                    let v = substitute(v, &self.values);
                    self.values.push((k.to_owned(), v));
                }
            }
        }
        self.values.extend(settings(c));
    }

    /// The value of `name` for command `c`: an assignment before it (`GOBIN=/x go install`),
    /// else the last told.
    pub fn value(&self, c: &SimpleCommand, name: &str) -> Option<String> {
        let own = c.assignments.iter().rev().find_map(|a| a.strip_prefix(name)?.strip_prefix('=').map(str::to_owned));
        own.map(|v| substitute(&v, &self.values))
            .or_else(|| self.values.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    /// An absolute folder `name` tells `c`, with no variable left unknown; `None` when it is
    /// not told, or told by a value that cannot be read here (`$HOME/go`).
    pub fn folder(&self, c: &SimpleCommand, name: &str) -> Option<String> {
        self.value(c, name).filter(|v| v.starts_with('/') && !v.contains('$')).map(|v| resolve_path("/", &v))
    }

    /// Whether `name` is told a false value (`POETRY_VIRTUALENVS_CREATE=false`).
    pub fn is_false(&self, c: &SimpleCommand, name: &str) -> bool {
        self.value(c, name).is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "false" | "0" | "no"))
    }
}

/// The settings a configuration command makes, as the variables the manager reads: `npm
/// config set prefix /p` (NPM_CONFIG_PREFIX), `bundle config set path vendor/bundle`
/// (BUNDLE_PATH; `deployment true` gives BUNDLE_DEPLOYMENT), `poetry config
/// virtualenvs.create false` (POETRY_VIRTUALENVS_CREATE), `poetry config
/// virtualenvs.in-project true` (POETRY_VIRTUALENVS_IN_PROJECT). They last beyond the RUN,
/// in the manager's configuration file.
pub fn settings(c: &SimpleCommand) -> Vec<(String, String)> {
    let words: Vec<&str> = c.args().iter().map(String::as_str).filter(|a| !a.starts_with('-')).collect();
    let after = |key: &str| words.iter().position(|w| *w == key).map(|at| words.get(at + 1).copied().unwrap_or(""));
    let set = |name: &str, v: &str| vec![(name.to_owned(), v.to_owned())];
    match (c.program(), c.subcommand()) {
        ("npm", Some("config")) if words.get(1) == Some(&"set") => {
            // `npm config set prefix /p`, or `prefix=/p`
            after("prefix")
                .or_else(|| words.iter().find_map(|w| w.strip_prefix("prefix=")))
                .map(|v| set("NPM_CONFIG_PREFIX", v))
                .unwrap_or_default()
        }
        ("bundle", Some("config")) => match (after("path"), after("deployment")) {
            (Some(path), _) => set("BUNDLE_PATH", path),
            (None, Some("true")) => set("BUNDLE_DEPLOYMENT", "true"),
            _ => Vec::new(),
        },
        ("poetry", Some("config")) => match (after("virtualenvs.create"), after("virtualenvs.in-project")) {
            (Some(v), _) => set("POETRY_VIRTUALENVS_CREATE", v),
            (None, Some(v)) => set("POETRY_VIRTUALENVS_IN_PROJECT", v),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// The folders of the system's programs: a package manager told to put its programs here
/// shares the folder with the build image's others (its toolchain among them), so only the
/// programs it names are copied.
const SYSTEM_BIN: [&str; 6] = ["/usr/local/bin", "/usr/local/sbin", "/usr/bin", "/usr/sbin", "/bin", "/sbin"];

/// What `go install` (or GOPATH-mode `go get`) puts where, as (build path, runtime path):
/// GOBIN's folder, else the first GOPATH entry's `bin`, else the golang image's `/go/bin`. In a
/// folder of the system, only its programs, named by the packages' last path elements; `Err`
/// with why when a pattern (`./...`) or a local package names them.
pub fn go_binaries(c: &SimpleCommand, told: &Told) -> Result<Vec<(String, String)>, &'static str> {
    let gopath_bin = || {
        let first = told.value(c, "GOPATH")?.split(':').next()?.to_owned();
        (first.starts_with('/') && !first.contains('$')).then(|| format!("{}/bin", first.trim_end_matches('/')))
    };
    let bin = told.folder(c, "GOBIN").or_else(gopath_bin).unwrap_or_else(|| "/go/bin".into());
    if !SYSTEM_BIN.contains(&bin.trim_end_matches('/')) {
        return Ok(vec![(bin.clone(), bin)]);
    }
    let names = go_packages(c.args()).into_iter().map(go_program).collect::<Option<Vec<_>>>();
    match names {
        Some(names) if !names.is_empty() => Ok(names
            .into_iter()
            .map(|n| {
                let p = format!("{}/{n}", bin.trim_end_matches('/'));
                (p.clone(), p)
            })
            .collect()),
        _ => Err("puts its programs in a folder of the system the build image's other programs share, under names the packages it installs do not tell"),
    }
}

/// The packages a `go install`/`go get` names: its operands past the flags and the values of
/// those that take one as the next word (`-ldflags "-s -w"`, `-tags netgo`).
fn go_packages(args: &[String]) -> Vec<&str> {
    const VALUED: [&str; 9] = ["-ldflags", "-gcflags", "-asmflags", "-tags", "-mod", "-o", "-p", "-modfile", "-pkgdir"];
    let mut out = Vec::new();
    let mut skip = false;
    let start = args.iter().position(|a| !a.starts_with('-')).map_or(args.len(), |sub| sub + 1);
    for a in &args[start..] {
        if std::mem::take(&mut skip) {
            continue;
        }
        if a.starts_with('-') {
            let flag = a.trim_start_matches('-');
            skip = !a.contains('=') && VALUED.iter().any(|v| v.trim_start_matches('-') == flag);
            continue;
        }
        out.push(a.as_str());
    }
    out
}

/// The program `go install` makes of a package: its import path's last element, or the one
/// before a major version suffix (`…/cmd/tool/v2`). `None` for a pattern or a local package
/// (its name is its folder's, which is not seen here).
fn go_program(package: &str) -> Option<String> {
    let path = package.split('@').next()?;
    if path.contains("...") || path.starts_with('.') || path.starts_with('/') || !path.contains('/') {
        return None;
    }
    let mut parts = path.rsplit('/');
    let last = parts.next()?;
    let is_major = last.len() > 1 && last.starts_with('v') && last[1..].chars().all(|ch| ch.is_ascii_digit());
    let name = if is_major { parts.next()? } else { last };
    (!name.is_empty() && !name.contains('$')).then(|| name.to_owned())
}

/// Where `cargo install` puts its programs when told: `--root`, else CARGO_INSTALL_ROOT, else
/// CARGO_HOME, each with `bin`; `None` when not told (the rust image's `/usr/local/cargo`).
pub fn cargo_bin(c: &SimpleCommand, told: &Told) -> Option<String> {
    let args = c.args();
    let flag = args
        .windows(2)
        .find(|w| w[0] == "--root")
        .map(|w| w[1].clone())
        .or_else(|| args.iter().find_map(|a| a.strip_prefix("--root=").map(str::to_owned)));
    flag.or_else(|| told.folder(c, "CARGO_INSTALL_ROOT"))
        .or_else(|| told.folder(c, "CARGO_HOME"))
        .map(|root| format!("{}/bin", root.trim_end_matches('/')))
}

/// Where `gem install` puts the gems when told: `--install-dir`/`-i`, else GEM_HOME.
pub fn gem_home(c: &SimpleCommand, told: &Told) -> Option<String> {
    let args = c.args();
    let flag = args
        .windows(2)
        .find(|w| matches!(w[0].as_str(), "--install-dir" | "-i"))
        .map(|w| w[1].clone())
        .or_else(|| args.iter().find_map(|a| a.strip_prefix("--install-dir=").map(str::to_owned)));
    match flag {
        Some(dir) if dir.starts_with('/') && !dir.contains('$') => Some(dir),
        Some(_) => None,
        None => told.folder(c, "GEM_HOME"),
    }
}

/// Where a global npm (pnpm) install goes when told: npm's `--prefix`, NPM_CONFIG_PREFIX
/// (`npm config set prefix`), pnpm's PNPM_HOME.
pub fn global_prefix(c: &SimpleCommand, told: &Told) -> Option<String> {
    let args = c.args();
    match c.program() {
        "npm" => args
            .windows(2)
            .find(|w| w[0] == "--prefix")
            .map(|w| w[1].clone())
            .or_else(|| args.iter().find_map(|a| a.strip_prefix("--prefix=").map(str::to_owned)))
            .filter(|d| d.starts_with('/') && !d.contains('$'))
            .or_else(|| told.folder(c, "NPM_CONFIG_PREFIX"))
            .or_else(|| told.folder(c, "npm_config_prefix")),
        "pnpm" => told.folder(c, "PNPM_HOME"),
        _ => None,
    }
}

/// Where pip puts what it installs when told a folder of its own: `--target`/`-t` or
/// PIP_TARGET (the packages themselves), `--prefix` or PIP_PREFIX (a prefix's `lib` and
/// `bin`).
pub fn pip_folder(args: &[String], c: &SimpleCommand, told: &Told) -> Option<String> {
    let flag = args
        .windows(2)
        .find(|w| matches!(w[0].as_str(), "--target" | "-t" | "--prefix"))
        .map(|w| w[1].clone())
        .or_else(|| {
            args.iter()
                .find_map(|a| a.strip_prefix("--target=").or_else(|| a.strip_prefix("--prefix=")).map(str::to_owned))
        });
    match flag {
        Some(dir) => Some(dir),
        None => told.folder(c, "PIP_TARGET").or_else(|| told.folder(c, "PIP_PREFIX")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::shell::parse;

    fn told_at(script: &str, vars: &[(&str, &str)], configured: &[(String, String)]) -> (Told, SimpleCommand) {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let mut told = Told::new(&vars, configured);
        let commands = parse(script).commands;
        let (last, before) = commands.split_last().unwrap();
        before.iter().for_each(|c| told.see(c));
        (told, last.clone())
    }

    #[test]
    fn go_puts_its_programs_where_it_is_told() {
        let (t, c) = told_at("go install github.com/acme/tool@v1.2.0", &[], &[]);
        assert_eq!(go_binaries(&c, &t).unwrap(), [("/go/bin".to_owned(), "/go/bin".to_owned())]);
        let (t, c) = told_at("go install github.com/acme/tool@v1.2.0", &[("GOBIN", "/opt/bin")], &[]);
        assert_eq!(go_binaries(&c, &t).unwrap(), [("/opt/bin".to_owned(), "/opt/bin".to_owned())]);
        let (t, c) = told_at("go install x.org/a/b", &[("GOPATH", "/work:/other")], &[]);
        assert_eq!(go_binaries(&c, &t).unwrap()[0].0, "/work/bin");
        // a folder of the system: its programs by name, a major version's suffix skipped
        let (t, c) =
            told_at("export GOBIN=/usr/local/bin && go install -ldflags \"-s -w\" github.com/acme/tool/v2@latest example.org/cmd/other", &[], &[]);
        assert_eq!(
            go_binaries(&c, &t).unwrap(),
            [
                ("/usr/local/bin/tool".to_owned(), "/usr/local/bin/tool".to_owned()),
                ("/usr/local/bin/other".to_owned(), "/usr/local/bin/other".to_owned())
            ]
        );
        let (t, c) = told_at("GOBIN=/usr/bin go install ./...", &[], &[]);
        assert!(go_binaries(&c, &t).is_err(), "a pattern names no program");
        // a value that cannot be read here is not a place
        let (t, c) = told_at("go install x.org/a/b", &[("GOPATH", "$HOME/go")], &[]);
        assert_eq!(go_binaries(&c, &t).unwrap()[0].0, "/go/bin");
    }

    #[test]
    fn the_other_managers_are_told_by_flag_environment_or_configuration() {
        let (t, c) = told_at("cargo install ripgrep", &[("CARGO_HOME", "/opt/cargo")], &[]);
        assert_eq!(cargo_bin(&c, &t).as_deref(), Some("/opt/cargo/bin"));
        let (t, c) = told_at("cargo install --root /srv ripgrep", &[("CARGO_HOME", "/opt/cargo")], &[]);
        assert_eq!(cargo_bin(&c, &t).as_deref(), Some("/srv/bin"));
        let (t, c) = told_at("cargo install ripgrep", &[], &[]);
        assert_eq!(cargo_bin(&c, &t), None);
        let (t, c) = told_at("gem install nokogiri", &[("GEM_HOME", "/opt/gems")], &[]);
        assert_eq!(gem_home(&c, &t).as_deref(), Some("/opt/gems"));
        let (t, c) = told_at("gem install -i /vendor nokogiri", &[("GEM_HOME", "/opt/gems")], &[]);
        assert_eq!(gem_home(&c, &t).as_deref(), Some("/vendor"));
        // npm's prefix set by a configuration command of an earlier RUN, or of this one
        let earlier = settings(&parse("npm config set prefix /home/node/.npm-global").commands[0]);
        let (t, c) = told_at("npm install -g pm2", &[], &earlier);
        assert_eq!(global_prefix(&c, &t).as_deref(), Some("/home/node/.npm-global"));
        let (t, c) = told_at("npm config set prefix=/p && npm i -g pm2", &[], &[]);
        assert_eq!(global_prefix(&c, &t).as_deref(), Some("/p"));
        let (t, c) = told_at("npm install -g pm2", &[], &[]);
        assert_eq!(global_prefix(&c, &t), None);
        let (t, c) = told_at("pip install --target=/app/deps -r r.txt", &[], &[]);
        assert_eq!(pip_folder(c.args(), &c, &t).as_deref(), Some("/app/deps"));
        let (t, c) = told_at("pip install -r r.txt", &[("PIP_PREFIX", "/install")], &[]);
        assert_eq!(pip_folder(c.args(), &c, &t).as_deref(), Some("/install"));
        let poetry = settings(&parse("poetry config virtualenvs.create false").commands[0]);
        let (t, c) = told_at("poetry install", &[], &poetry);
        assert!(t.is_false(&c, "POETRY_VIRTUALENVS_CREATE"));
    }
}
