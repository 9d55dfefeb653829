//! Ship state: what a RUN leaves behind in its layer, decided once for every rule and rewrite.
//!
//! A package a RUN installs ships unless the same RUN removes it. The removal idioms of
//! Docker's official images and of hand-tuned files are all read here:
//!
//! - `apk add --virtual .build-deps …` then `apk del .build-deps` (a group name may be reused:
//!   the second group is a new one), and `apk del PKG`
//! - `savedAptMark="$(apt-mark showmanual)"; apt-get install …; apt-mark auto '.*';
//!   apt-mark manual $savedAptMark; apt-get purge -y --auto-remove`: everything installed after
//!   the save is auto-marked and auto-removed, except what `apt-mark manual NAME` keeps
//! - `apt-get remove|purge PKG`, `apt-get autoremove`, `--auto-remove`
//! - `yum|dnf|microdnf remove|erase|autoremove PKG`
//!
//! A removal that runs only under a condition (`if`, `case`, `||`, `[ … ] &&`) is not
//! assumed to happen: the package is [`Fate::MaybeRemoved`], and the finding says why. A
//! removal in a *later* RUN does not make a package leave the earlier layer; it ships there.

use super::packages::{package_name, system_install, Manager};
use super::shell::{Script, SimpleCommand};

/// What becomes of a package a RUN installs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    /// It is in the layer.
    Ships,
    /// The same RUN removes it: nothing of it is in the layer.
    Removed,
    /// The same RUN removes it only under a condition, said here.
    MaybeRemoved(String),
}

/// A package a RUN installs, and its fate in that RUN's layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub name: String,
    pub manager: Manager,
    pub fate: Fate,
    /// `apk add --virtual NAME`'s group.
    pub group: Option<String>,
    /// apt's mark: installed by name is manual; `apt-mark auto` makes it auto.
    auto: bool,
    /// The command of the script that installed it.
    pub at: usize,
}

/// What a RUN leaves behind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunState {
    /// Every package installed, in order, with its fate.
    pub packages: Vec<Package>,
    /// Every name a package-manager removal in the RUN names (packages or apk groups),
    /// whether or not the RUN installed it.
    pub removes_names: Vec<String>,
    /// Commands after which apt removes every auto-installed package (`autoremove`,
    /// `--auto-remove`): what apt pulled in as a dependency or recommendation goes too.
    pub auto_removes: Vec<usize>,
}

impl RunState {
    /// What a later RUN of a squashed stage's lineage removes (`apk del .build-deps` after
    /// the RUN that added the group, home-assistant's Python build) is not in the flattened
    /// image: the packages of this RUN it names, by name or apk group, and the ones apt
    /// pulled in as dependencies when it auto-removes.
    pub fn removed_later(&mut self, later: &RunState) {
        for p in self.packages.iter_mut().filter(|p| p.fate != Fate::Removed) {
            let named = later.removes_names.iter().any(|n| *n == p.name || p.group.as_deref() == Some(n.as_str()));
            if named || (p.auto && p.manager.is_apt() && !later.auto_removes.is_empty()) {
                p.fate = Fate::Removed;
            }
        }
    }

    /// Whether nothing the install command `at` brought stays in the layer: every package it
    /// named is removed, and so (by an auto-remove that runs whenever it did) are the
    /// dependencies and recommendations apt added.
    pub fn leaves_nothing_of(&self, script: &Script, at: usize) -> bool {
        let mut named = self.packages.iter().filter(|p| p.at == at).peekable();
        named.peek().is_some()
            && named.all(|p| p.fate == Fate::Removed)
            && self.auto_removes.iter().any(|&r| r > at && follows(script, r, at))
    }
}

impl RunState {
    /// Whether `p` and what it pulled in are gone from the layer. apt's `remove`/`purge`
    /// without an auto-remove after it leaves the dependencies: removing `build-essential` or
    /// `gcc` that way keeps `gcc-12`, `g++-12` and `make`. apk and dnf remove the orphans.
    pub fn gone_with_dependencies(&self, script: &Script, p: &Package) -> bool {
        p.fate == Fate::Removed
            && (!p.manager.is_apt() || self.auto_removes.iter().any(|&r| r > p.at && follows(script, r, p.at)))
    }

    /// Whether the package `name` that install command `at` names is removed again in the
    /// same RUN (`apk add -t build-dependencies … && apk del build-dependencies`).
    pub fn removes(&self, at: usize, name: &str) -> bool {
        self.packages.iter().any(|p| p.at == at && p.name == name && p.fate == Fate::Removed)
    }

    /// Packages that are (or may be) in the layer.
    pub fn shipped(&self) -> impl Iterator<Item = &Package> {
        self.packages.iter().filter(|p| p.fate != Fate::Removed)
    }
}

/// The `--virtual NAME` / `-t NAME` group of an `apk add`.
fn apk_group(cmd: &SimpleCommand) -> Option<String> {
    let args = cmd.args();
    args.iter().enumerate().find_map(|(i, a)| {
        if a == "--virtual" || a == "-t" {
            args.get(i + 1).cloned()
        } else {
            a.strip_prefix("--virtual=").map(String::from)
        }
    })
}

/// Operands of a command after its verb, flags (and the values of `-o`) skipped.
fn operands(cmd: &SimpleCommand, verb_at: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut skip = false;
    for a in &cmd.args()[verb_at + 1..] {
        if std::mem::take(&mut skip) {
            continue;
        }
        if a == "-o" {
            skip = true;
            continue;
        }
        if !a.starts_with('-') {
            out.push(a.as_str());
        }
    }
    out
}

/// Where the verb is among the arguments (the first that is not a flag).
fn verb(cmd: &SimpleCommand) -> Option<(usize, &str)> {
    let mut skip = false;
    for (i, a) in cmd.args().iter().enumerate() {
        if std::mem::take(&mut skip) {
            continue;
        }
        if a == "-o" || a == "-c" {
            skip = true;
            continue;
        }
        if !a.starts_with('-') {
            return Some((i, a.as_str()));
        }
    }
    None
}

/// Whether a pattern given to `apt-mark auto` matches every package (`'.*'`, `'*'`, `~i`).
fn matches_all(pattern: &str) -> bool {
    matches!(pattern, ".*" | "*" | "~i" | "^.*$" | ".+")
}

/// The ship state of one RUN's script.
pub fn run_state(script: &Script) -> RunState {
    let mut st = RunState::default();
    // `VAR="$(apt-mark showmanual)"`: how many packages were installed when it was saved
    let mut saved: Vec<(String, usize)> = Vec::new();
    for (at, cmd) in script.commands.iter().enumerate() {
        for a in &cmd.assignments {
            if let Some((var, value)) = a.split_once('=') {
                if value.contains("apt-mark showmanual") {
                    saved.push((var.to_owned(), st.packages.len()));
                }
            }
        }
        let remove = |st: &mut RunState, pick: &dyn Fn(&Package) -> bool| {
            for p in st.packages.iter_mut().filter(|p| p.fate != Fate::Removed && pick(p)) {
                // removed for sure when the removal runs whenever the install did
                p.fate = if follows(script, at, p.at) {
                    Fate::Removed
                } else {
                    Fate::MaybeRemoved(format!("`{}` runs only under a condition", cmd.words.join(" ")))
                };
            }
        };
        if let Some((manager, pkgs)) = system_install(cmd) {
            let group = if manager == Manager::Apk { apk_group(cmd) } else { None };
            for name in pkgs {
                if group.as_deref() == Some(name) {
                    continue;
                }
                st.packages.push(Package {
                    name: name.to_owned(),
                    manager,
                    fate: Fate::Ships,
                    group: group.clone(),
                    auto: false,
                    at,
                });
            }
            continue;
        }
        let Some(manager) = Manager::of(cmd) else {
            if cmd.program() == "apt-mark" {
                apt_mark(&mut st, script, cmd, cmd.args(), &saved);
            }
            // `apt-mark showmanual | xargs apt-mark auto`: everything becomes auto
            if cmd.program() == "xargs" && at > 0 {
                let prev = &script.commands[at - 1];
                let words = cmd.args();
                if let Some(i) = words.iter().position(|w| w == "apt-mark") {
                    if prev.pipes_into_next && prev.program() == "apt-mark" && prev.subcommand() == Some("showmanual") {
                        let mut args: Vec<String> = words[i + 1..].to_vec();
                        args.push(".*".into());
                        apt_mark(&mut st, script, cmd, &args, &saved);
                    }
                }
            }
            continue;
        };
        let Some((verb_at, verb)) = verb(cmd) else { continue };
        let names: Vec<String> = operands(cmd, verb_at).into_iter().map(|n| package_name(n).to_owned()).collect();
        // dnf's and yum's `autoremove PKG…` remove those packages with what only they needed
        // (ansible/galaxy_ng's `${DNF} autoremove ${INSTALL_PKGS_BUILD}`)
        let rpm_autoremove = verb == "autoremove" && matches!(manager, Manager::Yum | Manager::Dnf | Manager::Microdnf);
        if matches!(verb, "del" | "delete" | "remove" | "purge" | "erase") || rpm_autoremove {
            st.removes_names.extend(names.iter().cloned());
        }
        match (manager, verb) {
            (Manager::Apk, "del" | "delete") => {
                remove(&mut st, &|p: &Package| {
                    p.manager == Manager::Apk
                        && names.iter().any(|n| p.group.as_deref() == Some(n.as_str()) || *n == p.name)
                });
                // a reused group name starts a new group
                for p in st.packages.iter_mut().filter(|p| p.fate != Fate::Ships) {
                    if p.group.as_ref().is_some_and(|g| names.contains(g)) {
                        p.group = None;
                    }
                }
            }
            (m, "remove" | "purge" | "autoremove") if m.is_apt() => {
                let auto = verb == "autoremove" || cmd.has_flag(&["--auto-remove", "--autoremove"]);
                if auto {
                    st.auto_removes.push(at);
                }
                remove(&mut st, &|p: &Package| p.manager.is_apt() && (names.contains(&p.name) || (auto && p.auto)));
            }
            (Manager::Yum | Manager::Dnf | Manager::Microdnf, "remove" | "erase" | "autoremove") => {
                remove(&mut st, &|p: &Package| {
                    matches!(p.manager, Manager::Yum | Manager::Dnf | Manager::Microdnf) && names.contains(&p.name)
                });
            }
            _ => {}
        }
    }
    st
}

/// Whether command `later` runs whenever command `earlier` did: its scope encloses
/// `earlier`'s, or the only guards in between are tests that `earlier`'s run makes true —
/// `[ -n "$V" ]` where `V` got a non-empty value in a command that runs whenever `earlier`
/// does (the official images' `if [ -n "$tempDir" ]; then apt-get purge …` after the branch
/// that set `tempDir` and installed the build deps).
pub fn follows(script: &Script, later: usize, earlier: usize) -> bool {
    let (l, e) = (&script.commands[later], &script.commands[earlier]);
    if l.runs_whenever(e) {
        return true;
    }
    let common = l.scope.iter().zip(&e.scope).take_while(|(a, b)| a == b).count();
    l.scope[common..].iter().all(|id| {
        let Some((_, test)) = script.guards.iter().find(|(g, _)| g == id) else { return false };
        let test: Vec<&str> =
            test.iter().map(String::as_str).filter(|w| !matches!(*w, "[" | "]" | "[[" | "]]" | "test")).collect();
        let [op, var] = test.as_slice() else { return false };
        let Some(var) = var.strip_prefix('$').map(|v| v.trim_start_matches('{').trim_end_matches('}')) else {
            return false;
        };
        *op == "-n"
            && script.commands[..later].iter().any(|c| {
                c.runs_whenever(e)
                    && c.assignments.iter().any(|a| a.split_once('=').is_some_and(|(k, v)| k == var && !v.is_empty()))
            })
    })
}

/// Whether command `at` runs only under a test that is false as the Dockerfile stands: a
/// guard of one of its scopes (an `if`'s `then` branch, what follows `[ … ] &&`) compares
/// words whose values are known, and they differ (`[ "$DEVELOPMENT_MODE" = "True" ]` under
/// `ARG DEVELOPMENT_MODE=False` compares `False` with `True`). `known` gives a variable's
/// value where the Dockerfile decides it: an ARG's default, an ENV, or empty for an ARG
/// declared with none (`ARG DEBUG` makes `[ "$DEBUG" = 1 ]` compare an empty word). Forms
/// read: `a = b`, `a == b`, `a != b`, `-n a`, `-z a`; any other test, or a word whose value is
/// not known, is not read as false.
pub fn off_by_default(script: &Script, at: usize, known: &dyn Fn(&str) -> Option<String>) -> bool {
    let value = |w: &str| -> Option<String> {
        match w.strip_prefix('$') {
            Some(v) => known(v.trim_start_matches('{').trim_end_matches('}')),
            None => (!w.contains('$') && !w.contains('`')).then(|| w.to_owned()),
        }
    };
    script.commands[at].scope.iter().any(|id| {
        let Some((_, test)) = script.guards.iter().find(|(g, _)| g == id) else { return false };
        let words: Vec<&str> =
            test.iter().map(String::as_str).filter(|w| !matches!(*w, "[" | "]" | "[[" | "]]" | "test")).collect();
        let holds = match words.as_slice() {
            [a, op @ ("=" | "==" | "!="), b] => match (value(a), value(b)) {
                (Some(a), Some(b)) => Some((a == b) == (*op != "!=")),
                _ => None,
            },
            ["-n", a] => value(a).map(|a| !a.is_empty()),
            ["-z", a] => value(a).map(|a| a.is_empty()),
            _ => None,
        };
        holds == Some(false)
    })
}

/// `apt-mark auto|manual …` (`args` after the program): marks decide what `--auto-remove`
/// removes. A conditional mark counts only for keeping (manual): a package is never assumed
/// auto unless the mark runs whenever its install did.
fn apt_mark(st: &mut RunState, script: &Script, cmd: &SimpleCommand, args: &[String], saved: &[(String, usize)]) {
    let mut words = args.iter().filter(|a| !a.starts_with('-')).map(String::as_str);
    let auto = match words.next() {
        Some("auto" | "markauto") => true,
        Some("manual" | "unmarkauto") => false,
        _ => return,
    };
    let names: Vec<&str> = words.collect();
    for n in names {
        if let Some(var) = n.strip_prefix('$') {
            let var = var.trim_start_matches('{').trim_end_matches('}');
            // the saved manual list holds what was installed before it was saved
            if let Some((_, count)) = saved.iter().rev().find(|(v, _)| v == var) {
                for p in st.packages.iter_mut().take(*count).filter(|p| p.manager.is_apt()) {
                    p.auto = auto && cmd.runs_whenever(&script.commands[p.at]);
                }
            }
            continue;
        }
        for p in st.packages.iter_mut().filter(|p| p.manager.is_apt()) {
            if (matches_all(n) || p.name == package_name(n)) && (!auto || cmd.runs_whenever(&script.commands[p.at])) {
                p.auto = auto;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::shell::parse;

    /// A branch whose test is false as the Dockerfile stands does not run by default.
    #[test]
    fn a_branch_under_a_false_test_is_off_by_default() {
        let off = |script: &str, program: &str, unset: &[&str]| {
            let s = crate::dockerfile::shell::parse(script);
            let at = s.commands.iter().position(|c| c.program() == program).unwrap();
            let known = |v: &str| match v {
                "MODE" => Some("False".to_owned()),
                v if unset.contains(&v) => Some(String::new()),
                _ => None,
            };
            off_by_default(&s, at, &known)
        };
        let dev = r#"pip install -r r.txt && if [ "$MODE" = "True" ]; then pip3 install -r dev.txt; fi && echo done"#;
        assert!(off(dev, "pip3", &[]));
        assert!(!off(dev, "pip", &[]) && !off(dev, "echo", &[]));
        assert!(!off(&dev.replace("\"True\"", "\"False\""), "pip3", &[]));
        let debug = r#"if [ "$DEBUG" = 1 ] ; then pip3 install -r dev.txt; fi"#;
        assert!(off(debug, "pip3", &["DEBUG"]));
        // a variable whose value is not known (the base image's ENV, a build argument of
        // another name) leaves the branch as it may run
        assert!(!off(debug, "pip3", &[]));
        assert!(off(r#"[ -n "$DEBUG" ] && pip3 install -r dev.txt"#, "pip3", &["DEBUG"]));
        assert!(!off(r#"[ -z "$DEBUG" ] && pip3 install -r dev.txt"#, "pip3", &["DEBUG"]));
    }

    fn shipped(script: &str) -> Vec<String> {
        run_state(&parse(script)).shipped().map(|p| p.name.clone()).collect()
    }

    #[test]
    fn apk_virtual_groups() {
        assert!(shipped("apk add --no-cache --virtual .build-deps gcc make musl-dev && make && apk del .build-deps")
            .is_empty());
        assert!(shipped("apk add --virtual=.b gcc; apk del --no-network .b").is_empty());
        // only some of the packages removed
        assert_eq!(shipped("apk add gcc make libffi && apk del gcc make"), ["libffi"]);
        // a reused group name: the second group ships
        assert_eq!(shipped("apk add -t .deps gcc && apk del .deps && apk add -t .deps make && echo built"), ["make"]);
        // runtime deps in another group stay
        assert_eq!(shipped("apk add -t .run curl && apk add -t .build gcc && apk del .build"), ["curl"]);
    }

    #[test]
    fn apt_mark_save_and_restore() {
        let python = r#"savedAptMark="$(apt-mark showmanual)"; apt-get update; apt-get install -y --no-install-recommends dpkg-dev gcc libssl-dev make; ./configure; make; apt-mark auto '.*' > /dev/null; apt-mark manual $savedAptMark; find /usr/local -type f -executable -exec ldd '{}' ';' | awk '/=>/ { print $(NF-1) }' | xargs -r dpkg-query --search | cut -d: -f1 | sort -u | xargs -r apt-mark manual; apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false; rm -rf /var/lib/apt/lists/*"#;
        assert!(shipped(python).is_empty(), "{:?}", shipped(python));
        // apt-mark manual keeping a runtime library
        let keep = "saved=\"$(apt-mark showmanual)\"; apt-get install -y gcc libpq5; apt-mark auto '.*'; apt-mark manual $saved libpq5; apt-get purge -y --auto-remove";
        assert_eq!(shipped(keep), ["libpq5"]);
        // installed before the save: in the saved list, kept
        let before = "apt-get install -y gcc; saved=\"$(apt-mark showmanual)\"; apt-get install -y make; apt-mark auto '.*'; apt-mark manual $saved; apt-get purge -y --auto-remove";
        assert_eq!(shipped(before), ["gcc"]);
        // marked auto but never auto-removed: it ships
        assert_eq!(shipped("apt-get install -y gcc; apt-mark auto gcc"), ["gcc"]);
        // nginx's form: every manual package marked auto through xargs, inside the branch
        // that installed the build deps, purged after the case
        let nginx = "case $a in amd64) apt-get install -y nginx ;; *) saved=\"$(apt-mark showmanual)\" && apt-get install -y git make && make && apt-mark showmanual | xargs apt-mark auto > /dev/null && { [ -z \"$saved\" ] || apt-mark manual $saved; } ;; esac && apt-get install -y nginx && apt-get remove --purge --auto-remove -y";
        assert_eq!(shipped(nginx), ["nginx", "nginx"]);
        // a conditional `apt-mark auto` is not assumed
        assert_eq!(
            shipped("apt-get install -y gcc; [ -n \"$x\" ] && apt-mark auto gcc; apt-get autoremove -y"),
            ["gcc"]
        );
    }

    #[test]
    fn package_manager_removes() {
        assert!(shipped("apt-get install -y gcc make && make && apt-get purge -y gcc make").is_empty());
        assert_eq!(shipped("apt-get install -y gcc curl && apt-get remove -y gcc"), ["curl"]);
        assert!(shipped("yum install -y gcc && make && yum remove -y gcc && yum clean all").is_empty());
        assert!(shipped("dnf install -y gcc-c++ && dnf erase -y gcc-c++").is_empty());
        // round 23 (ansible/galaxy_ng): dnf's autoremove of named packages, through variables
        let galaxy = "DNF=\"dnf -y\" && BUILD=\"gcc libpq-devel\" && ${DNF} install libpq ${BUILD} && pip install psycopg && ${DNF} autoremove ${BUILD}";
        assert_eq!(shipped(galaxy), ["libpq"]);
        // … while a bare autoremove takes only what nothing installed on purpose
        assert_eq!(shipped("dnf install -y gcc && dnf autoremove -y"), ["gcc"]);
        assert!(shipped("apt-get install -y gcc=4:12 && apt-get purge -y gcc").is_empty(), "versions");
    }

    #[test]
    fn removals_of_what_another_run_installed_are_recorded() {
        let st = run_state(&parse("apt-get purge -y gcc make && apt-get autoremove -y"));
        assert!(st.packages.is_empty());
        assert_eq!(st.removes_names, ["gcc", "make"]);
    }

    #[test]
    fn conditional_removal_is_said_not_guessed() {
        let st = run_state(&parse("apk add -t .b gcc; if [ \"$KEEP\" != 1 ]; then apk del .b; fi"));
        assert!(matches!(&st.packages[0].fate, Fate::MaybeRemoved(why) if why.contains("apk del .b")));
        let st = run_state(&parse("apt-get install -y gcc && make || apt-get purge -y gcc"));
        assert!(matches!(st.packages[0].fate, Fate::MaybeRemoved(_)));
        assert_eq!(st.shipped().count(), 1);
        // postgres' form: the purge runs under `[ -n "$tempDir" ]`, and the branch that
        // installed the build deps set tempDir
        let pg = "case $a in amd64) apt-get update ;; *) tempDir=\"$(mktemp -d)\"; apt-get install -y dpkg-dev ;; esac; apt-get install -y postgresql; if [ -n \"$tempDir\" ]; then apt-get purge -y dpkg-dev; fi";
        assert_eq!(shipped(pg), ["postgresql"]);
        // a guard the install does not make true stays a condition
        let other = "apt-get install -y gcc; if [ -n \"$KEEP_NOT\" ]; then apt-get purge -y gcc; fi";
        assert!(matches!(run_state(&parse(other)).packages[0].fate, Fate::MaybeRemoved(_)));
        let other = "x=1; apt-get install -y gcc; if [ -z \"$x\" ]; then apt-get purge -y gcc; fi";
        assert!(matches!(run_state(&parse(other)).packages[0].fate, Fate::MaybeRemoved(_)));
        // installed and removed in the same branch (nginx's build-from-source fallback)
        let nginx = "case \"$arch\" in x86_64) apk add nginx ;; *) apk add --virtual .build-deps gcc make && make base && apk del --no-network .build-deps && apk add nginx ;; esac";
        assert_eq!(shipped(nginx), ["nginx", "nginx"]);
    }
}
