//! The changes rewriters and lint fixes make inside a RUN, as edits on the positioned shell
//! model: each finds the command and the word it means in the parsed script and edits the
//! file where that word is written ([`crate::dockerfile::Instruction::source_range`]). No
//! rewriter or fix searches a RUN's text: a `make` in a path, `install` inside a quoted string
//! or `&&` inside a string are words the shell model reads as they are.

use crate::dockerfile::edit::Edit;
use crate::dockerfile::packages::pip_options;
use crate::dockerfile::shell::{Script, SimpleCommand};
use crate::dockerfile::Instruction;

/// Where a word of a command is written in the file.
fn at(ins: &Instruction, c: &SimpleCommand, word: usize) -> Option<std::ops::Range<usize>> {
    ins.source_range(c.spans.get(word)?.clone())
}

/// `pip install` → `pip install --no-cache-dir`, for every pip install of the RUN that has
/// no `--no-cache-dir` (or a prefix of it pip accepts) before or after `install`.
pub fn pip_no_cache(ins: &Instruction, script: &Script) -> Vec<Edit> {
    script
        .commands
        .iter()
        .filter_map(|c| {
            let (global, args) = pip_options(c)?;
            let has = global.iter().chain(args).any(|a| {
                let name = a.split('=').next().unwrap_or(a);
                name.len() >= "--no-cach".len() && "--no-cache-dir".starts_with(name)
            });
            if has {
                return None;
            }
            let install = (c.effective_start()..c.words.len()).find(|&k| c.words[k] == "install")?;
            Some(Edit::insert(at(ins, c, install)?.end, " --no-cache-dir"))
        })
        .collect()
}

/// `go build` → `CGO_ENABLED=0 go build`: a static binary, unless the RUN decides about cgo
/// itself (an assignment, an `export`, `env CGO_ENABLED=…`).
pub fn cgo_off(ins: &Instruction, script: &Script) -> Vec<Edit> {
    let decided =
        script.commands.iter().any(|c| c.assignments.iter().chain(&c.words).any(|w| w.starts_with("CGO_ENABLED=")));
    if decided {
        return Vec::new();
    }
    script
        .commands
        .iter()
        .filter(|c| c.program() == "go" && c.subcommand() == Some("build"))
        .filter_map(|c| Some(Edit::insert(at(ins, c, c.effective_start())?.start, "CGO_ENABLED=0 ")))
        .collect()
}

/// Whether a command installs a build (`make install`, `ninja install`, `meson install`,
/// `cmake --install`), by an install target of its own name: `install`, `…-install`
/// (nginx unit's `libunit-install`), `install-strip`, `install_sw` (OpenSSL's, without the
/// manuals); not `uninstall`, nor `installcheck` (a test) or `installdirs` (folders only).
pub fn is_make_install(c: &SimpleCommand) -> bool {
    let (p, a) = (c.program(), c.args());
    let target = |w: &str| {
        (w.ends_with("install") && !w.ends_with("uninstall"))
            || ((w.starts_with("install-") || w.starts_with("install_")) && !w.starts_with("install-dirs"))
    };
    (matches!(p, "make" | "ninja" | "meson") && a.iter().any(|w| target(w)))
        || (p == "cmake" && a.iter().any(|w| w == "--install"))
}

/// Stage every install of a build into `root`: `make DESTDIR=root install`, and
/// `DESTDIR=root ninja install` for the tools that read it from the environment. `None` when
/// no install command is found, or one already says where it stages.
pub fn staged_install(ins: &Instruction, script: &Script, root: &str) -> Option<Vec<Edit>> {
    let mut edits = Vec::new();
    for c in script.commands.iter().filter(|c| is_make_install(c)) {
        if c.assignments.iter().chain(&c.words).any(|w| w.starts_with("DESTDIR=")) {
            return None;
        }
        let program = at(ins, c, c.effective_start())?;
        edits.push(match c.program() {
            // an argument wins over the Makefile's own `DESTDIR =`
            "make" => Edit::insert(program.end, format!(" DESTDIR={root}")),
            _ => Edit::insert(program.start, format!("DESTDIR={root} ")),
        });
    }
    (!edits.is_empty()).then_some(edits)
}

/// Stage every pip install of a RUN into `root` (`pip install --root=root …`): what it
/// writes lands under `root` at the paths it would have had, whatever the distribution's
/// Python calls its folders (CentOS 7's Python 2 `lib64`, Debian's `dist-packages`), so
/// copying `root` over `/` puts it where the program looks. `None` when a pip install already
/// says where it goes (`--root`, `--prefix`, `--target`, `--user`) or installs editable
/// (`-e`: the link would point at the build stage's sources), or a word cannot be edited
/// where it is written.
pub fn staged_pip(ins: &Instruction, script: &Script, root: &str) -> Option<Vec<Edit>> {
    let mut edits = Vec::new();
    for c in script.commands.iter() {
        let Some((global, args)) = pip_options(c) else { continue };
        let placed = ["--root", "--prefix", "--target", "-t", "--user", "-e", "--editable"];
        if global.iter().chain(args).any(|a| placed.iter().any(|p| a == p || a.starts_with(&format!("{p}="))))
            || global.iter().chain(args).any(|a| a.starts_with("-e") && !a.starts_with("--"))
        {
            return None;
        }
        let verb = verb_index(c, "install")?;
        edits.push(flag_after(ins, c, verb, &format!("--root={root}"))?);
    }
    (!edits.is_empty()).then_some(edits)
}

/// `text` inserted before the first `make … install` of the RUN, its `NAME=value` words
/// included (`CFLAGS=-O2 make install` stays one command).
pub fn before_make_install(ins: &Instruction, script: &Script, text: &str) -> Option<Edit> {
    let c = script.commands.iter().find(|c| is_make_install(c))?;
    let first = c.assignment_spans.first().or(c.spans.first())?;
    let start = ins.source_range(first.clone())?;
    Some(Edit::insert(start.start, text.to_owned()))
}

/// Create `/opt/venv` before the first pip install (the build stage's PATH then finds its
/// pip first, once the shell forgets the paths it remembered: `hash -r`). `None` when there is no pip install, or the RUN does not name Python 3
/// (`python3`, `pip3`): Python 2, which a bare `pip`/`python` may be, has no `venv`; nor when
/// it fetches its own pip (`get-pip.py`) for an interpreter not named `python3`. (A
/// distribution Python whose pip lands in its own prefix is Alpine's, whose `python3`
/// package carries `ensurepip`: a virtualenv made there has pip.) With `system_site`, the
/// virtualenv sees the distribution's Python modules (`--system-site-packages`).
pub fn into_venv(ins: &Instruction, script: &Script, system_site: bool) -> Option<Vec<Edit>> {
    let words = || script.commands.iter().flat_map(|c| c.words.iter());
    let python3 = words().any(|w| w.contains("python3") || w.starts_with("pip3"));
    // the interpreter that runs get-pip.py: `curl … get-pip.py | python3`, `python3 get-pip.py`
    let cmds = &script.commands;
    let get_pip_for_python3 =
        (0..cmds.len()).filter(|&i| cmds[i].words.iter().any(|w| w.contains("get-pip"))).all(|i| {
            match cmds[i].pipes_into_next {
                true => cmds.get(i + 1).is_some_and(|r| r.program() == "python3"),
                // the download (`curl -o get-pip.py …`) is checked where it runs
                false => !cmds[i].program().starts_with("python") || cmds[i].program() == "python3",
            }
        });
    // `pip`/`python` on a distribution's Python may be Python 2 (CentOS 7's), which has no
    // `venv`: only a RUN that names Python 3 gets one
    if !python3 || !get_pip_for_python3 || script.commands.iter().any(|c| c.program() == "python2") {
        return None;
    }
    let first = script.commands.iter().find(|c| pip_options(c).is_some())?;
    let start = ins.source_range(first.span()?)?.start;
    let flag = if system_site { " --system-site-packages" } else { "" };
    // `hash -r`: a shell that ran python3 or pip before (to make the virtualenv, or earlier in
    // the RUN) remembers where it found them, and would install beside the system's Python
    Some(vec![Edit::insert(start, format!("python3 -m venv{flag} /opt/venv && hash -r && "))])
}

/// End the RUN with `&& rm -rf /var/lib/apt/lists/*`: after its last command.
pub fn clean_apt_lists(ins: &Instruction, script: &Script) -> Option<Edit> {
    let last = script.commands.last()?;
    let end = ins.source_range(last.span()?)?.end;
    Some(Edit::insert(end, " && rm -rf /var/lib/apt/lists/*"))
}

/// Whether a range of a RUN's script is on the RUN's own lines, not in a heredoc body (where
/// a `<<-` body's stripped tabs make positions uncertain: fixes stay out of heredocs).
fn on_command_lines(ins: &Instruction, r: &std::ops::Range<usize>) -> bool {
    match &ins.body {
        crate::dockerfile::Body::Run { command: crate::dockerfile::Command::Shell(s), .. } => r.end <= s.len(),
        _ => false,
    }
}

/// Take word `k` of a command out of the file (a package out of an install list), with the
/// blank that joins it to the word before: ` gcc` on a line of several words, and the line
/// break before it when it opens a continued line. A comment between the two words is never taken along:
/// then the word goes with its line when it is alone there, else with the blanks after it.
pub fn drop_word(text: &str, ins: &Instruction, c: &SimpleCommand, k: usize) -> Option<Edit> {
    if k == 0 || !on_command_lines(ins, c.spans.get(k)?) {
        return None;
    }
    let word = at(ins, c, k)?;
    let before = at(ins, c, k - 1)?;
    let gap = text.get(before.end..word.start)?;
    if before.end <= word.start && gap.chars().all(|ch| ch.is_whitespace() || ch == '\\') {
        return Some(Edit::delete(before.end..word.end));
    }
    let line_start = text[..word.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[word.end..].find('\n').map(|i| word.end + i)?;
    let opens = text[line_start..word.start].trim().is_empty();
    let after = &text[word.end..line_end];
    if opens && after.trim() == "\\" {
        return Some(Edit::delete(line_start..line_end + 1));
    }
    // it opens its line, and the command goes on there (khoj's `musl-dev && \`, under a
    // comment): the word goes with the blanks after it
    let rest = after.trim_start();
    (opens && !rest.is_empty() && rest.len() < after.len()).then(|| Edit::delete(word.start..line_end - rest.len()))
}

/// The index in `c.words` of its verb (`install`, `add`): the first argument equal to it.
pub fn verb_index(c: &SimpleCommand, verb: &str) -> Option<usize> {
    (c.effective_start() + 1..c.words.len()).find(|&k| c.words[k] == verb)
}

/// Insert ` {flag}` after word `k` of a command (`apk add` → `apk add --no-cache`), where
/// it is written on the RUN's own lines.
pub fn flag_after(ins: &Instruction, c: &SimpleCommand, k: usize, flag: &str) -> Option<Edit> {
    let span = c.spans.get(k)?;
    on_command_lines(ins, span).then_some(())?;
    Some(Edit::insert(at(ins, c, k)?.end, format!(" {flag}")))
}

/// Insert ` {flag}` after `verb` in each of `commands`: the whole fix, or none when one of
/// them cannot take it where it is written.
pub fn flag_after_verb(ins: &Instruction, commands: &[&SimpleCommand], verb: &str, flag: &str) -> Vec<Edit> {
    commands
        .iter()
        .map(|c| flag_after(ins, c, verb_index(c, verb)?, flag))
        .collect::<Option<Vec<_>>>()
        .unwrap_or_default()
}

/// Replace word `k` of a command (`apt` → `apt-get`), where it is written on the RUN's own lines.
pub fn replace_word(ins: &Instruction, c: &SimpleCommand, k: usize, with: &str) -> Option<Edit> {
    let span = c.spans.get(k)?;
    on_command_lines(ins, span).then_some(())?;
    Some(Edit::replace(at(ins, c, k)?, with))
}

/// Whether a RUN removes the apt lists: `rm` of `/var/lib/apt/lists`, or apt 2.7+'s
/// `apt-get dist-clean`.
pub fn removes_apt_lists(script: &Script) -> bool {
    script.commands.iter().any(|c| {
        (c.program() == "rm" && c.args().iter().any(|a| a.starts_with("/var/lib/apt/lists")))
            || matches!(c.subcommand(), Some("dist-clean" | "distclean"))
    })
}

/// End the RUN with `&& {command}` after its last command, when that command always runs (not
/// inside `if`/`case`/a loop, not after `||`, not piped) and is written on the RUN's own lines.
pub fn append_command(ins: &Instruction, script: &Script, command: &str) -> Option<Edit> {
    append_joined(ins, script, " && ", command)
}

/// [`append_command`] on a line of its own: ` \`, then `    && {command}`.
pub fn append_command_below(ins: &Instruction, script: &Script, command: &str) -> Option<Edit> {
    append_joined(ins, script, " \\\n    && ", command)
}

/// End the RUN with `{joint}{command}` after its last command, as [`append_command`] says.
fn append_joined(ins: &Instruction, script: &Script, joint: &str, command: &str) -> Option<Edit> {
    let last = script.commands.last()?;
    if last.conditional() || last.pipes_into_next {
        return None;
    }
    let span = last.span()?;
    on_command_lines(ins, &span).then_some(())?;
    let end = ins.source_range(span)?.end;
    Some(Edit::insert(end, format!("{joint}{command}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dockerfile::edit::apply;
    use crate::dockerfile::{shell, Dockerfile};

    /// The edits of `f` on the first RUN of `text`, applied to the whole file.
    fn edited(text: &str, f: impl Fn(&Instruction, &Script) -> Vec<Edit>) -> String {
        let df = Dockerfile::parse(text).unwrap();
        let ins = df.stages[0].instructions.iter().find(|i| i.kind == crate::dockerfile::Kind::Run).unwrap();
        let script = shell::parse(&ins.script().unwrap());
        apply(&df.text, &f(ins, &script)).unwrap()
    }

    #[test]
    fn pip_gets_no_cache_dir_where_it_installs() {
        let t = "FROM python:3.12\nRUN pip install flask \\\n && python3 -m pip install -r req.txt && echo 'pip install in a string'\n";
        assert_eq!(
            edited(t, pip_no_cache),
            "FROM python:3.12\nRUN pip install --no-cache-dir flask \\\n && python3 -m pip install --no-cache-dir -r req.txt && echo 'pip install in a string'\n"
        );
        let done = "FROM python:3.12\nRUN pip --no-cache-dir install a && pip install --no-cache b\n";
        assert_eq!(edited(done, pip_no_cache), done);
    }

    /// Dropping a package word keeps the RUN a valid command: the word and the blank before
    /// it go, continued lines stay continued, a comment line stays, the last word of the
    /// install takes its line break along.
    #[test]
    fn a_dropped_package_leaves_the_install_well_formed() {
        let drop = |text: &str, names: &[&str]| {
            edited(text, |ins, script| {
                let c = script.commands.iter().find(|c| c.subcommand() == Some("install")).unwrap();
                (0..c.words.len())
                    .filter(|&k| names.contains(&c.words[k].as_str()))
                    .map(|k| drop_word(text, ins, c, k).expect("droppable"))
                    .collect()
            })
        };
        assert_eq!(
            drop("FROM d\nRUN apt-get install -y curl gcc make nginx && rm -rf /x\n", &["gcc", "make"]),
            "FROM d\nRUN apt-get install -y curl nginx && rm -rf /x\n"
        );
        let listed = "FROM d\nRUN apt-get install -y \\\n    curl \\\n    # compilers\n    gcc \\\n    nginx \\\n    make\nCMD [\"nginx\"]\n";
        assert_eq!(
            drop(listed, &["gcc", "make"]),
            "FROM d\nRUN apt-get install -y \\\n    curl \\\n    # compilers\n    nginx\nCMD [\"nginx\"]\n"
        );
        // khoj's: the word under a comment, with the command going on after it
        let goes_on =
            "FROM d\nRUN apt install -y \\\n    curl \\\n    # for the wheels\n    musl-dev && \\\n    ln -s /a /b\n";
        assert_eq!(
            drop(goes_on, &["musl-dev"]),
            "FROM d\nRUN apt install -y \\\n    curl \\\n    # for the wheels\n    && \\\n    ln -s /a /b\n"
        );
        let df = Dockerfile::parse(&drop(goes_on, &["musl-dev"])).unwrap();
        let script = shell::parse(&df.stages[0].instructions[0].script().unwrap());
        let words: Vec<Vec<String>> = script.commands.iter().map(|c| c.words.clone()).collect();
        assert_eq!(words, [vec!["apt", "install", "-y", "curl"], vec!["ln", "-s", "/a", "/b"]]);
        for patched in [drop(listed, &["gcc", "make"]), drop(listed, &["curl"])] {
            let df = Dockerfile::parse(&patched).unwrap();
            assert_eq!(df.stages[0].instructions.len(), 2, "{patched}");
        }
    }

    /// Why the virtualenv's edit says `hash -r` (round 21, mailman): a shell that ran python3
    /// before the virtualenv existed keeps running the system's, PATH or not. Checked on the
    /// machine's /bin/sh (dash on Debian), with two stand-in interpreters.
    #[test]
    fn a_shell_forgets_the_python_it_found_only_when_told() {
        let dir = tempfile::tempdir().unwrap();
        let (sys, venv) = (dir.path().join("sys"), dir.path().join("venv/bin"));
        std::fs::create_dir_all(&sys).unwrap();
        std::fs::write(sys.join("python3"), "#!/bin/sh\necho system\n").unwrap();
        let make_venv = format!(
            "mkdir -p {v} && printf '#!/bin/sh\\necho venv\\n' > {v}/python3 && chmod +x {v}/python3",
            v = venv.display()
        );
        let run = |between: &str| {
            let script = format!("python3 >/dev/null && {make_venv} {between} && python3");
            let out = std::process::Command::new("/bin/sh")
                .arg("-c")
                .arg(&script)
                .env("PATH", format!("{}:{}:/usr/bin:/bin", venv.display(), sys.display()))
                .output()
                .unwrap();
            std::fs::remove_dir_all(dir.path().join("venv")).ok();
            String::from_utf8_lossy(&out.stdout).trim().to_owned()
        };
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(sys.join("python3"), std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(run(""), "system", "the shell remembered the system's python3");
        assert_eq!(run("&& hash -r"), "venv");
    }

    #[test]
    fn go_build_becomes_static_unless_cgo_is_decided() {
        let t = "FROM golang:1.22\nRUN cd /src/gobuild && go build -o /app . && echo \"go build\"\n";
        assert_eq!(
            edited(t, cgo_off),
            "FROM golang:1.22\nRUN cd /src/gobuild && CGO_ENABLED=0 go build -o /app . && echo \"go build\"\n"
        );
        let decided = "FROM golang:1.22\nRUN CGO_ENABLED=1 go build -o /app .\n";
        assert_eq!(edited(decided, cgo_off), decided);
    }

    #[test]
    fn installs_are_staged_and_pip_moves_into_a_venv() {
        let t = "FROM debian\nRUN ./configure --prefix=/usr && make -j4 && make install && ninja -C b install\n";
        let staged = edited(t, |i, s| staged_install(i, s, "/opt/r").unwrap());
        assert_eq!(
            staged,
            "FROM debian\nRUN ./configure --prefix=/usr && make -j4 && make DESTDIR=/opt/r install && DESTDIR=/opt/r ninja -C b install\n"
        );
        // a path holding `make` is not make
        let path = "FROM debian\nRUN /opt/makefiles/run.sh && echo make install\n";
        let df = Dockerfile::parse(path).unwrap();
        let ins = &df.stages[0].instructions[0];
        assert!(staged_install(ins, &shell::parse(&ins.script().unwrap()), "/x").is_none());
        let pip = "FROM debian\nRUN apt-get install -y python3-pip && pip3 install flask\n";
        assert_eq!(
            edited(pip, |i, s| into_venv(i, s, false).unwrap()),
            "FROM debian\nRUN apt-get install -y python3-pip && python3 -m venv /opt/venv && hash -r && pip3 install flask\n"
        );
    }

    #[test]
    fn the_apt_lists_are_cleaned_after_the_last_command() {
        let t = "FROM debian\nRUN apt-get update \\\n    && apt-get install -y curl   # the client\n";
        assert_eq!(
            edited(t, |i, s| clean_apt_lists(i, s).into_iter().collect()),
            "FROM debian\nRUN apt-get update \\\n    && apt-get install -y curl && rm -rf /var/lib/apt/lists/*   # the client\n"
        );
    }

    /// An install target by its own name: OpenSSL's `install_sw`, `install-strip`, nginx
    /// unit's `libunit-install`; not `uninstall`, a test (`installcheck`) or the folders only
    #[test]
    fn install_targets_are_known_by_name() {
        let c = crate::dockerfile::shell::parse("make install_sw && make -j2 install-strip && make libunit-install && make uninstall && make installcheck && make install-dirs && ninja -C b install && cmake --install b && make").commands;
        let installs: Vec<bool> = c.iter().map(super::is_make_install).collect();
        assert_eq!(installs, [true, true, true, false, false, false, true, true, false]);
    }
}
