//! git only fetches: nothing in the stage builds, and git is installed to clone sources or
//! files the program reads (`git clone … /opt/app && cd /opt/app && git checkout v2`). The
//! clones move to a `fetch` stage on the same base, which installs git alone; the shipped
//! stage copies what they wrote (`COPY --from=fetch /opt/app /opt/app`, owned by the stage's
//! USER) where the RUN was, and no longer installs git.
//!
//! Refused (as `mixed-run`, naming the command) when a cloning RUN does other work than
//! git, `cd`, and `cp`/`mv`/`ln`/`rm` inside what it cloned, since that work would then run
//! in a stage that does not ship; when it removes a clone it made (the clone was a temporary
//! source: copying it would add it to the image); or when a path is written with a variable
//! the Dockerfile does not set. Not tried when anything else in the stage runs git (a CMD, a
//! script): then git is what the program uses.

use crate::dockerfile::edit::Edit;
use crate::dockerfile::packages::Manager;
use crate::dockerfile::shell::{self, SimpleCommand};
use crate::dockerfile::{resolve_path, substitute, Body, Command, Dockerfile, Instruction, Kind, Stage};
use crate::patch::{Outcome, Rationale, Reason};

/// git's options that take a value as the next word.
const VALUED: &[&str] = &[
    "-b",
    "--branch",
    "--depth",
    "-o",
    "--origin",
    "-c",
    "--config",
    "--reference",
    "--filter",
    "-j",
    "--jobs",
    "--shallow-since",
    "--shallow-exclude",
    "--separate-git-dir",
    "--template",
    "-u",
    "--upload-pack",
];

/// What the fetch stage takes over: the edits of the shipped stage and why.
pub struct Fetch {
    pub edits: Vec<Edit>,
    pub rationale: Vec<Rationale>,
}

/// One RUN that clones: where it is and the paths it leaves behind.
struct Clone<'a> {
    ins: &'a Instruction,
    outputs: Vec<String>,
    user: Option<String>,
    /// The edits that cut the fetching commands out of a RUN that also does other work;
    /// `None`: the RUN only fetches, and goes whole.
    cut: Option<Vec<Edit>>,
    /// Which commands of the RUN fetch.
    fetches: Vec<bool>,
}

/// The fetch stage for `stage`, when git only clones there. `None`: git is used otherwise
/// (the caller's refusal stands); `Err`: a RUN clones among other work.
pub fn plan(df: &Dockerfile, stage: &Stage, manager: Manager) -> Option<Result<Fetch, Outcome>> {
    let mut env: Vec<(String, String)> = global_args(df);
    let mut workdir = "/".to_owned();
    let mut user: Option<String> = None;
    let mut clones: Vec<Clone> = Vec::new();
    // the ARG/ENV/WORKDIR lines the fetch stage replays, verbatim
    let mut replay: Vec<&Instruction> = Vec::new();
    for ins in &stage.instructions {
        match ins.kind {
            Kind::Env | Kind::Arg => {
                take_values(ins, &mut env);
                replay.push(ins);
            }
            Kind::Workdir => workdir = next_workdir(ins, &workdir, &env),
            Kind::User => {
                user =
                    ins.words().first().cloned().filter(|u| !matches!(u.as_str(), "root" | "0" | "0:0" | "root:root"))
            }
            Kind::Cmd | Kind::Entrypoint | Kind::Healthcheck | Kind::Onbuild if runs_git(ins) => return None,
            Kind::Run => {
                let Some(script) = ins.script() else { continue };
                let parsed = shell::parse(&script);
                if !parsed.commands.iter().any(|c| c.program() == "git") {
                    continue;
                }
                if matches!(&ins.body, Body::Run { heredocs, .. } if !heredocs.is_empty()) {
                    return None;
                }
                match classify(&parsed, &env, &workdir) {
                    Ok((fetches, outputs)) => {
                        let cut = if fetches.iter().zip(&parsed.commands).all(|(f, c)| {
                            *f || c.words.is_empty() || matches!(c.program(), "set" | "true" | ":" | "echo")
                        }) {
                            None
                        } else {
                            match cut_fetches(ins, &parsed, &fetches) {
                                Some(edits) => Some(edits),
                                None => {
                                    return Some(Err(Outcome::refused(
                                        Reason::MixedRun,
                                        format!("line {}: git only fetches in this stage, but this RUN clones inside a pipe, a branch or a subshell with other work; clone in a RUN of its own and ask again", ins.line),
                                    )))
                                }
                            }
                        };
                        clones.push(Clone { ins, outputs, user: user.clone(), cut, fetches })
                    }
                    Err(why) => {
                        return Some(Err(Outcome::refused(
                            Reason::MixedRun,
                            format!(
                                "line {}: git only fetches in this stage, but this RUN {why}; clone in a RUN of its own and ask again",
                                ins.line
                            ),
                        )))
                    }
                }
            }
            _ => {}
        }
    }
    if clones.is_empty() {
        return None;
    }
    let name = crate::patch::free_name(df, "fetch");
    // the fetch stage: the same base, git alone, the variables the clones read, the clones
    let mut text = format!("FROM {}", stage.base);
    if let Some(p) = &stage.platform {
        text = format!("FROM --platform={p} {}", stage.base);
    }
    text.push_str(&format!(" AS {name}\n"));
    for ins in &replay {
        if ins.line < clones.last().map_or(0, |c| c.ins.line) {
            text.push_str(df.source(ins).trim_end());
            text.push('\n');
        }
    }
    text.push_str(&format!("RUN {}\n", install_git(manager)));
    let mut at_dir = "/".to_owned();
    let mut edits = Vec::new();
    let mut rationale = Vec::new();
    for c in &clones {
        let dir = workdir_at(stage, c.ins.line, &env);
        if dir != at_dir {
            text.push_str(&format!("WORKDIR {dir}\n"));
            at_dir = dir;
        }
        // the shipped stage copies what the RUN left, where the RUN was (after it, when the
        // RUN stays for its other work)
        let chown = c.user.as_ref().map(|u| format!("--chown={u} ")).unwrap_or_default();
        let copies: Vec<String> = c.outputs.iter().map(|p| format!("COPY --from={name} {chown}{p} {p}")).collect();
        let range = df.line_range(c.ins.line, c.ins.end_line);
        match &c.cut {
            None => {
                text.push_str(df.source(c.ins).trim_end());
                edits.push(Edit::replace(range, format!("{}\n", copies.join("\n"))));
            }
            Some(cut) => {
                // each fetching command as written (quotes and all), one to a line
                let script = c.ins.script().unwrap_or_default();
                let parsed = shell::parse(&script);
                let fetching: Vec<&str> = parsed
                    .commands
                    .iter()
                    .zip(&c.fetches)
                    .filter(|(_, f)| **f)
                    .filter_map(|(cmd, _)| cmd.span().and_then(|r| script.get(r)))
                    .map(str::trim)
                    .collect();
                text.push_str(&format!("RUN {}", fetching.join(" \\\n\t&& ")));
                edits.extend(cut.iter().cloned());
                edits.push(Edit::insert(range.end, format!("{}\n", copies.join("\n"))));
            }
        }
        text.push('\n');
        rationale.push(Rationale::new(
            "SL101",
            c.ins.line,
            format!(
                "git only fetches here: the clone runs in stage `{name}` and the shipped stage copies {}",
                c.outputs.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    text.push('\n');
    edits.push(Edit::insert(df.line_range(stage.line, stage.line).start, text));
    Some(Ok(Fetch { edits, rationale }))
}

/// Whether a CMD, ENTRYPOINT, HEALTHCHECK or ONBUILD runs git.
fn runs_git(ins: &Instruction) -> bool {
    let words: Vec<String> = match &ins.body {
        Body::Command(Command::Exec(w)) | Body::Healthcheck(Some(Command::Exec(w))) => w.clone(),
        Body::Command(Command::Shell(s)) | Body::Healthcheck(Some(Command::Shell(s))) => {
            shell::parse(s).commands.iter().flat_map(|c| c.words.clone()).collect()
        }
        Body::Onbuild(inner) => return inner.kind == Kind::Run || runs_git(inner),
        _ => return false,
    };
    words.iter().any(|w| w == "git" || w.ends_with("/git"))
}

/// The global ARG defaults, which a stage's paths may read.
pub(super) fn global_args(df: &Dockerfile) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for ins in &df.global_args {
        take_values(ins, &mut out);
    }
    out
}

/// The folder a WORKDIR moves to from `workdir`, its ARG and ENV values read (`WORKDIR
/// $APP_PATH`).
pub(super) fn next_workdir(ins: &Instruction, workdir: &str, vars: &[(String, String)]) -> String {
    resolve_path(workdir, &substitute(ins.words().first().map(String::as_str).unwrap_or("/"), vars))
}

/// An ARG's or ENV's values, each read with the values before it, added to `vars` (the last
/// of a name wins where they are read).
pub(super) fn take_values(ins: &Instruction, vars: &mut Vec<(String, String)>) {
    if let (Kind::Arg | Kind::Env, Body::Pairs(pairs)) = (ins.kind, &ins.body) {
        for p in pairs {
            let v = substitute(p.value.as_deref().unwrap_or_default(), vars);
            vars.push((p.key.clone(), v));
        }
    }
}

/// The working directory at `line` of the stage.
fn workdir_at(stage: &Stage, line: usize, env: &[(String, String)]) -> String {
    let mut dir = "/".to_owned();
    for ins in stage.instructions.iter().filter(|i| i.kind == Kind::Workdir && i.line < line) {
        let w = substitute(ins.words().first().map(String::as_str).unwrap_or("/"), env);
        dir = resolve_path(&dir, &w);
    }
    dir
}

/// What a cloning RUN does: which of its commands fetch (git, a `cd` into a clone, and
/// `cp`/`mv`/`ln`/`rm`/`chmod` inside what it cloned), and the paths they leave (the clones'
/// destinations and what is copied out of them). The other commands stay where they are;
/// `Err` says which one depends on the clone.
fn classify(
    script: &shell::Script,
    env: &[(String, String)],
    workdir: &str,
) -> Result<(Vec<bool>, Vec<String>), String> {
    let mut cwd = workdir.to_owned();
    let mut clones: Vec<String> = Vec::new();
    let mut written: Vec<String> = Vec::new();
    let mut fetches = Vec::new();
    let path = |w: &str, cwd: &str| -> Result<String, String> {
        let p = substitute(w, env);
        if p.contains('$') || p.contains('`') || p.contains('*') {
            return Err(format!("writes to `{w}`, a path shiplight cannot resolve"));
        }
        Ok(resolve_path(cwd, &p))
    };
    let inside = |p: &str, roots: &[String]| roots.iter().any(|r| p == r || p.starts_with(&format!("{r}/")));
    for c in &script.commands {
        let operands: Vec<&String> = c.args().iter().filter(|a| !a.starts_with('-')).collect();
        let fetch = match c.program() {
            _ if c.words.is_empty() => false,
            "git" if c.subcommand() == Some("clone") => {
                let dest = clone_dest(c)
                    .ok_or_else(|| format!("runs `{}`, whose destination shiplight cannot tell", c.words.join(" ")))?;
                clones.push(path(&dest, &cwd)?);
                true
            }
            "git" => true,
            "cd" => {
                cwd = path(operands.first().map(|s| s.as_str()).unwrap_or("/root"), &cwd)?;
                inside(&cwd, &clones)
            }
            "rm" => {
                let mut all_inside = !operands.is_empty();
                for o in &operands {
                    // a glob or a variable: removes nothing shiplight can see of the clone
                    let Ok(p) = path(o, &cwd) else {
                        all_inside = false;
                        continue;
                    };
                    if clones.iter().chain(&written).any(|r| r == &p || r.starts_with(&format!("{p}/"))) {
                        return Err(format!("removes `{o}` again, so the clone is only a source for other work"));
                    }
                    all_inside &= inside(&p, &clones);
                }
                all_inside
            }
            "chmod" if operands.len() >= 2 => operands[1..]
                .iter()
                .map(|o| path(o, &cwd))
                .collect::<Result<Vec<_>, _>>()?
                .iter()
                .all(|p| inside(p, &clones)),
            "cp" | "mv" | "ln" if operands.len() >= 2 => {
                let (dest, sources) = operands.split_last().expect("two operands");
                let from_clone = sources
                    .iter()
                    .map(|s| path(s, &cwd))
                    .collect::<Result<Vec<_>, _>>()?
                    .iter()
                    .all(|p| c.program() == "ln" || inside(p, &clones));
                let d = path(dest, &cwd)?;
                if from_clone && !clones.is_empty() && !inside(&d, &clones) {
                    written.push(d);
                }
                from_clone && !clones.is_empty()
            }
            _ => false,
        };
        // a command that stays must not need the clone: it runs in the shipped stage, where
        // the clone arrives only after the RUN
        if !fetch && !c.words.is_empty() && !matches!(c.program(), "set" | "true" | ":" | "echo") && !clones.is_empty()
        {
            if inside(&cwd, &clones) {
                return Err(format!("runs `{}` inside the clone", c.words.join(" ")));
            }
            let uses = c.words.iter().any(|w| {
                let p = substitute(w, env);
                clones.iter().chain(&written).any(|r| p.contains(r.as_str()))
            });
            if uses {
                return Err(format!("runs `{}` with what it cloned", c.words.join(" ")));
            }
        }
        fetches.push(fetch);
    }
    // a path inside another is copied with it
    let all: Vec<String> = clones.into_iter().chain(written).collect();
    let mut out: Vec<String> = Vec::new();
    for p in &all {
        let covered = all.iter().any(|q| q != p && p.starts_with(&format!("{q}/")));
        if !covered && !out.contains(p) {
            out.push(p.clone());
        }
    }
    if out.iter().any(|p| p == "/") {
        return Err("clones into `/`".into());
    }
    Ok((fetches, out))
}

/// The edits that take the fetching commands out of a RUN that also does other work: each
/// run of them goes with the `&&` that joined it. `None` when the commands are not a plain
/// `&&`/`;` list (a pipe, `||`, a subshell or a branch between them).
fn cut_fetches(ins: &Instruction, script: &shell::Script, fetches: &[bool]) -> Option<Vec<Edit>> {
    let cmds: Vec<(usize, std::ops::Range<usize>)> =
        script.commands.iter().enumerate().filter_map(|(i, c)| c.span().map(|r| (i, r))).collect();
    let text = ins.script()?;
    for w in cmds.windows(2) {
        let gap = text.get(w[0].1.end..w[1].1.start)?;
        if !gap.chars().all(|ch| ch.is_whitespace() || matches!(ch, '&' | ';' | '\\')) || gap.contains("&&&") {
            return None;
        }
    }
    if script.commands.iter().any(|c| c.conditional() || c.pipes_into_next) {
        return None;
    }
    let mut edits = Vec::new();
    let mut k = 0;
    while k < cmds.len() {
        if !fetches[cmds[k].0] {
            k += 1;
            continue;
        }
        let first = k;
        while k < cmds.len() && fetches[cmds[k].0] {
            k += 1;
        }
        // from the end of the command before to the end of the last one cut; at the start,
        // from the first one cut to the start of the next
        let range = if first > 0 {
            cmds[first - 1].1.end..cmds[k - 1].1.end
        } else {
            cmds[first].1.start..cmds.get(k)?.1.start
        };
        let start = ins.source_range(range.start..range.start + 1)?.start;
        let end = ins.source_range(range.end - 1..range.end)?.end;
        edits.push(Edit::delete(start..end));
    }
    Some(edits)
}

/// Where `git clone` writes: its second operand, else the repository's name.
fn clone_dest(c: &SimpleCommand) -> Option<String> {
    let words = c.effective();
    let at = words.iter().position(|w| w == "clone")?;
    let mut operands = Vec::new();
    let mut k = at + 1;
    while k < words.len() {
        let w = &words[k];
        if VALUED.contains(&w.as_str()) {
            k += 2;
            continue;
        }
        if !w.starts_with('-') {
            operands.push(w.clone());
        }
        k += 1;
    }
    match operands.as_slice() {
        [_, dest] => Some(dest.clone()),
        [url] => {
            let name = url.trim_end_matches('/').rsplit(['/', ':']).next()?.trim_end_matches(".git");
            (!name.is_empty()).then(|| name.to_owned())
        }
        _ => None,
    }
}

/// The command that installs git on a base of `manager`.
fn install_git(manager: Manager) -> &'static str {
    match manager {
        Manager::Apk => "apk add --no-cache git ca-certificates",
        Manager::AptGet | Manager::Apt => {
            "apt-get update && apt-get install -y --no-install-recommends git ca-certificates && rm -rf /var/lib/apt/lists/*"
        }
        Manager::Yum => "yum install -y git && yum clean all",
        Manager::Dnf => "dnf install -y git && dnf clean all",
        Manager::Microdnf => "microdnf install -y git && microdnf clean all",
    }
}

/// `want`, or `want-2`, … when the file names a stage so already.
#[cfg(test)]
mod tests {
    use crate::dockerfile::{shell, Dockerfile};
    use crate::patch::{suggest, testing::answers, Outcome as O, Reason, Templates};

    fn outcome(text: &str) -> O {
        suggest(text, "Dockerfile", &Default::default(), &Templates::built_in())
    }

    fn patched(text: &str) -> String {
        match outcome(text) {
            O::Patch(p) => {
                answers(text, &p, &["SL101"]);
                p.patched
            }
            other => panic!("no patch for\n{text}\n{other:?}"),
        }
    }

    /// The shipped stage of a patched file: what follows its last FROM.
    fn shipped(patched: &str) -> String {
        let df = Dockerfile::parse(patched).expect("the patch parses");
        let last = df.stages.last().expect("a stage");
        patched[df.line_range(last.line, last.end_line)].to_owned()
    }

    /// jessfraz/dockerfiles' plexpy: a RUN that only clones and checks out a tag.
    #[test]
    fn a_run_that_only_clones_becomes_a_copy_from_the_fetch_stage() {
        let text = "FROM alpine:3.20\nRUN apk add --no-cache \\\n\tca-certificates \\\n\tgit \\\n\tpython3\nENV APP_VERSION v2.2.4\nRUN git clone https://example.com/app.git /opt/app \\\n\t&& ( \\\n\t\tcd /opt/app \\\n\t\t&& git checkout \"${APP_VERSION}\" \\\n\t)\nWORKDIR /opt/app\nENTRYPOINT [\"python3\", \"app.py\"]\n";
        let p = patched(text);
        assert!(
            p.starts_with("FROM alpine:3.20 AS fetch\nENV APP_VERSION v2.2.4\nRUN apk add --no-cache git ca-certificates\nRUN git clone https://example.com/app.git /opt/app"),
            "{p}"
        );
        let rt = shipped(&p);
        assert_eq!(
            rt,
            "FROM alpine:3.20\nRUN apk add --no-cache \\\n\tca-certificates \\\n\tpython3\nENV APP_VERSION v2.2.4\nCOPY --from=fetch /opt/app /opt/app\nWORKDIR /opt/app\nENTRYPOINT [\"python3\", \"app.py\"]\n"
        );
    }

    /// mailcow's acme: git installed and used in one RUN with other work; the clone and the
    /// chmod inside it move, the rest stays, and the copy lands after the RUN.
    #[test]
    fn a_clone_among_other_work_is_cut_out_with_its_operator() {
        let text = "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends ca-certificates git curl \\\n  && git clone --depth 1 https://example.com/acme.sh.git /opt/acme.sh \\\n  && chmod +x /opt/acme.sh/acme.sh \\\n  && mkdir -p /var/lib/acme \\\n  && rm -rf /var/lib/apt/lists/*\nCMD [\"/opt/acme.sh/acme.sh\"]\n";
        let p = patched(text);
        assert!(
            p.contains("AS fetch\nRUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates && rm -rf /var/lib/apt/lists/*\nRUN git clone --depth 1 https://example.com/acme.sh.git /opt/acme.sh \\\n\t&& chmod +x /opt/acme.sh/acme.sh\n"),
            "{p}"
        );
        let rt = shipped(&p);
        assert_eq!(
            rt,
            "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \\\n  && mkdir -p /var/lib/acme \\\n  && rm -rf /var/lib/apt/lists/*\nCOPY --from=fetch /opt/acme.sh /opt/acme.sh\nCMD [\"/opt/acme.sh/acme.sh\"]\n"
        );
        // what stays is still one plain list of commands
        let df = Dockerfile::parse(&rt).unwrap();
        let script = shell::parse(&df.stages[0].instructions[0].script().unwrap());
        let programs: Vec<&str> = script.commands.iter().map(|c| c.program()).collect();
        assert_eq!(programs, ["apt-get", "apt-get", "mkdir", "rm"]);
    }

    /// jessfraz's mutt: clones into $HOME as a user, and copies a file out of the clone.
    #[test]
    fn clones_made_as_a_user_arrive_owned_by_that_user() {
        let text = "FROM alpine:3.20\nRUN apk add --no-cache git mutt vim\nRUN adduser -D user\nUSER user\nENV HOME /home/user\nRUN git clone --depth 1 https://example.com/vim.git $HOME/.vim \\\n\t&& git clone https://example.com/colors $HOME/.vim/bundle/colors \\\n\t&& cp $HOME/.vim/vimrc $HOME/.vimrc\nCMD [\"mutt\"]\n";
        let rt = shipped(&patched(text));
        assert!(
            rt.contains("COPY --from=fetch --chown=user /home/user/.vim /home/user/.vim\nCOPY --from=fetch --chown=user /home/user/.vimrc /home/user/.vimrc\nCMD"),
            "{rt}"
        );
        assert!(rt.contains("RUN apk add --no-cache mutt vim\n"), "{rt}");
    }

    #[test]
    fn a_clone_that_is_only_a_source_or_that_the_program_runs_is_not_moved() {
        // removed again in the RUN: copying it would add it to the image
        let temp = "FROM alpine:3.20\nRUN apk add --no-cache git nginx\nRUN git clone https://example.com/conf.git /src/conf && cp /src/conf/a.conf /etc/nginx/ && rm -rf /src/conf\nCMD [\"nginx\"]\n";
        let O::Refused(why) = outcome(temp) else { panic!("{temp}") };
        assert_eq!(why.reason, Reason::MixedRun, "{}", why.message);
        assert!(why.message.contains("line 3") && why.message.contains("removes `/src/conf` again"), "{}", why.message);
        // other work that reads the clone
        let reads = "FROM alpine:3.20\nRUN apk add --no-cache git python3\nRUN git clone https://example.com/app.git /opt/app && sed -i s/a/b/ /opt/app/app.ini\nCMD [\"python3\"]\n";
        let O::Refused(why) = outcome(reads) else { panic!("{reads}") };
        assert!(why.message.contains("runs `sed -i s/a/b/ /opt/app/app.ini` with what it cloned"), "{}", why.message);
        // the program runs git: git stays, and nothing is moved
        let runs = "FROM alpine:3.20\nRUN apk add --no-cache git\nRUN git clone https://example.com/app.git /opt/app\nCMD [\"git\", \"-C\", \"/opt/app\", \"pull\"]\n";
        let O::Refused(why) = outcome(runs) else { panic!("{runs}") };
        assert_eq!(why.reason, Reason::NoBuildStep, "{}", why.message);
        // a clone in a pipe or a branch is not cut out of it
        let branch = "FROM alpine:3.20\nRUN apk add --no-cache git curl\nRUN if [ -n \"$X\" ]; then git clone https://example.com/a.git /opt/a; fi && curl -fsSO https://example.com/b\nCMD [\"sh\"]\n";
        let O::Refused(why) = outcome(branch) else { panic!("{branch}") };
        assert_eq!(why.reason, Reason::MixedRun, "{}", why.message);
    }

    /// The clone's destination as git names it: a second operand, else the repository's name
    /// under the working directory; options with values are skipped.
    #[test]
    fn clone_destinations() {
        let dest = |s: &str| super::clone_dest(&shell::parse(s).commands[0]);
        assert_eq!(dest("git clone -b v1 --depth 1 https://x/a/app.git /opt/a").as_deref(), Some("/opt/a"));
        assert_eq!(dest("git clone --depth=1 https://x/a/app.git").as_deref(), Some("app"));
        assert_eq!(dest("git clone git@github.com:o/tool").as_deref(), Some("tool"));
        assert_eq!(dest("git clone"), None);
        let text = "FROM alpine:3.20\nRUN apk add --no-cache git python3\nWORKDIR /opt\nRUN git clone --depth=1 https://example.com/x/app.git\nCMD [\"python3\", \"/opt/app/main.py\"]\n";
        let p = patched(text);
        assert!(p.contains("AS fetch\nRUN apk add --no-cache git ca-certificates\nWORKDIR /opt\nRUN git clone"), "{p}");
        assert!(shipped(&p).contains("WORKDIR /opt\nCOPY --from=fetch /opt/app /opt/app\n"), "{p}");
    }
}
