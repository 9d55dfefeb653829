//! Build-and-install RUNs, in any ecosystem: the stage that ships installs a toolchain and
//! builds with it (`make && make install`, `./configure --prefix`, `go build -o`, `cargo build
//! && cp`, `javac && jar`, `pip install` of a package that compiles, `git clone … && make
//! install`, Alpine's `apk add build-base …`). The rewrite splits every such RUN:
//!
//! - the **build stage** replays the stage as written up to the last build RUN;
//! - the **runtime stage** keeps the runtime packages those RUNs install (toolchain packages
//!   dropped, each `-dev` library replaced by its runtime package from
//!   `templates/runtime-libs.tsv`, which is a guess until `--verify` reads the artifacts'
//!   ELF needs), copies the **artifacts**, reruns the few commands that set up the system
//!   (users, links, permissions, capabilities) and keeps everything after the build.
//!
//! The artifact is what the RUN installs: the `--prefix` of `configure`/CMake (`/usr/local`
//! by default) for `make install`; a `DESTDIR` staging folder when the prefix is `/usr`; the
//! destination of `cp`/`install`/`mv`; `go build -o`; `cargo install --root`; the jar `jar`
//! writes; `/usr/local` for pip, npm and gem installs into an official image's prefix, or
//! the folder a package manager was told to install into (GOBIN, GEM_HOME, `npm config set
//! prefix`, `pip install --target`: [`told`]).
//! The project folder the build ran in comes whole when the program runs from it and the
//! build wrote there (`bundle exec rake assets:precompile` in /var/app, beside the gems in
//! the prefix). When the image that ships is built FROM another stage (`FROM base AS app`),
//! the split happens in the lineage's first stage if that one installs the toolchain and no
//! stage built FROM it builds: its runtime keeps the name, so the others follow as written.
//! When the artifact or a command's role cannot be told, the answer is a refusal with a
//! reason (data) and what the user can change.

mod artifacts;
mod commands;
mod fetch;
mod runtime;
mod told;

pub(super) use artifacts::installs_globally;
pub(super) use told::settings;

use super::{libraries, start};
use super::{verbatim, Outcome, Plan, Rationale, Reason};
use crate::dockerfile::packages::{self, is_toolchain_package, Manager};
use crate::dockerfile::roles::{self, Role};
use crate::dockerfile::shell;
use crate::dockerfile::ship::{self, Fate};
use crate::dockerfile::{resolve_path, within, Dockerfile, Graph, Instruction, Kind, Stage};
use crate::lint::rules::toolchain_image;
use artifacts::{artifacts, Artifact, Landing, Stuck, STAGING};
use runtime::{no_build, official_or_arch, runtime_base, VENV_ENV};

/// What the stage is, before anything is split: its RUNs read, where the build starts and
/// ends, and what the base says about where installs land.
struct Survey<'a> {
    stage: &'a Stage,
    /// The stages of the shipped lineage built FROM it, in order (`FROM base AS app`): the
    /// split stage keeps its name, so they follow as written, and their CMD is the program's.
    after: Vec<&'a Stage>,
    base: String,
    scripts: Vec<Option<shell::Script>>,
    states: Vec<Option<ship::RunState>>,
    /// git is a build tool (a RUN fetches with it, as SL101 decides).
    git_is_tool: bool,
    /// The base image is itself the toolchain (golang, rust, gcc, buildpack-deps, a JDK).
    toolchain_base: bool,
    /// The first instruction of the build: the first RUN that ships a toolchain, or on a
    /// toolchain base the first build RUN.
    first: usize,
    /// The last build RUN, or a RUN after it that fetches with a dropped tool; `None`:
    /// nothing builds.
    last: Option<usize>,
    /// The last build RUN itself.
    built: usize,
    /// The package manager the runtime stage installs with: the one the stage's installs
    /// use, else the base's.
    manager: Manager,
    /// pip/npm/gem's prefix on the base (`/usr/local` on the official language images).
    base_prefix: Option<&'static str>,
    /// The build context's own Makefile, when it was read.
    makefile: Option<&'a str>,
    /// The stages built FROM the split stage that build and do not ship: they are built FROM
    /// the build stage, which is then the stage as written ([`builds_from`]).
    rebased: Vec<usize>,
}

impl<'a> Survey<'a> {
    /// The instructions of the split stage and of the shipped stages built FROM it, in
    /// order: what the program's image is made of (WORKDIR, CMD and ENTRYPOINT carry over).
    fn instructions(&self) -> impl Iterator<Item = &'a Instruction> + '_ {
        self.stage.instructions.iter().chain(self.after.iter().flat_map(|st| st.instructions.iter()))
    }

    fn tool(&self, name: &str) -> bool {
        is_toolchain_package(name) || (self.git_is_tool && name == "git")
    }

    fn ships_toolchain(&self, n: usize) -> bool {
        self.states[n].as_ref().is_some_and(|st| st.shipped().any(|p| self.tool(&p.name)))
    }

    /// A RUN the runtime could not rerun, so the build stage runs it and what it leaves is an
    /// artifact: after the last build, one that only fetches with a tool the runtime drops
    /// (`git clone … /usr/src/app`); anywhere after the build starts, one that runs a dropped
    /// tool beside set-up (browser-use/web-ui's `git clone … /opt/novnc && ln -s …`, between
    /// its install of git and its pip install), or a program the runtime's slim base lacks and
    /// no RUN installs (aleph's `curl -o /opt/ftm-compare/model.pkl` on `python:3.9`).
    fn late_fetch(&self, n: usize) -> bool {
        let uses = |f: &dyn Fn(&str) -> bool| {
            self.scripts[n].as_ref().is_some_and(|s| s.commands.iter().any(|c| f(c.program())))
        };
        n > self.first
            && !self.ships_toolchain(n)
            && !self.is_build_run(n)
            && ((n > self.built && self.prepares_with_tool(n) && uses(&|p| self.tool(p)))
                || (!self.prepares_with_tool(n) && uses(&|p| self.tool(p)))
                || uses(&|p| self.lacks(p)))
    }

    /// Whether the runtime's base lacks a program the base has (`curl` on a slim variant) and
    /// no RUN of the stage installs it.
    fn lacks(&self, program: &str) -> bool {
        runtime_base(&self.base) != self.base
            && super::full_only(program).is_some_and(|from| {
                !self.states.iter().flatten().any(|st| st.shipped().any(|p| from.contains(&p.name.as_str())))
            })
    }

    /// Whether a RUN of the stage installs a package `is` names.
    fn installs(&self, is: impl Fn(&str) -> bool) -> bool {
        self.states.iter().flatten().any(|st| st.packages.iter().any(|p| is(&p.name)))
    }

    fn is_build_run(&self, n: usize) -> bool {
        self.scripts[n].as_ref().is_some_and(|s| s.commands.iter().any(roles::runs_build))
    }

    /// A RUN that only fetches or prepares for the build with a toolchain program (`git clone
    /// … /src`): the runtime has no such program, so only the build stage runs it, and what
    /// it fetched reaches the runtime through the artifacts.
    /// So is one that only fetches and unpacks into the build's scratch folders (`mkdir -p
    /// /tmp/build && cd /tmp/build && wget … && tar -zxf …`, the nginx-rtmp images'): every
    /// absolute path it names lies in one, so nothing it leaves is the runtime's.
    fn prepares_with_tool(&self, n: usize) -> bool {
        self.scripts[n].as_ref().is_some_and(|s| {
            let scratch_only = s.commands.iter().any(|c| matches!(c.program(), "cd" | "mkdir"))
                && s.commands.iter().flat_map(|c| c.args()).all(|a| {
                    let path = a.rsplit_once('=').map_or(a.as_str(), |(_, v)| v);
                    !path.starts_with('/') || artifacts::SCRATCH.iter().any(|d| within(path, d))
                });
            s.commands.iter().all(|c| c.words.is_empty() || roles::build_only(c))
                && (scratch_only || s.commands.iter().any(|c| self.tool(c.program())))
        })
    }
}

/// A set-up command that names a file relative to the folder it ran in.
struct Relative {
    line: usize,
    /// The folder it ran in.
    cwd: String,
    command: String,
    file: String,
    /// As the runtime's set-up RUN has it, and with every relative file written out from
    /// `cwd` (`None`: that folder is not known), for a runtime that reruns it elsewhere.
    written: String,
    absolute: Option<String>,
}

/// The two stages as the walk writes them.
#[derive(Default)]
struct Split {
    build: Vec<String>,
    runtime: Vec<String>,
    runtime_pkgs: Vec<String>,
    /// `-dev` packages with no known runtime package.
    guessed: Vec<String>,
    /// Set-up commands the runtime reruns.
    setup: Vec<String>,
    /// How many of `setup`, from the first, come from RUNs before anything was built: the
    /// runtime reruns them right after its install, where they ran (a user and the folder
    /// made for it, before a USER and a WORKDIR use them).
    early: usize,
    /// Answers the package installs read (`echo 'tzdata …' | debconf-set-selections`): the
    /// runtime gives them before its own install.
    answers: Vec<String>,
    /// Where packages come from, set up between a build RUN's installs (`add-apt-repository
    /// universe`, a key and a list): the runtime's install runs them after the packages
    /// installed before them ([`Split::before_sources`]) and before the rest.
    sources: Vec<String>,
    /// The first of them: the build RUN's line and the command's index in it.
    sources_at: Option<(usize, usize)>,
    /// The runtime packages installed before the first of `sources`.
    before_sources: Vec<String>,
    /// Those of them that name a file relative to the folder they ran in.
    setup_relative: Vec<Relative>,
    /// The folder the runtime's set-up RUN runs in: the WORKDIR in force where the artifacts
    /// arrive.
    setup_workdir: Option<String>,
    arts: Vec<Artifact>,
    /// Toolchain packages left in the build stage.
    dropped: Vec<String>,
    /// The folder the last build RUN built in: the artifact of an in-place build.
    built_in: Option<String>,
    /// The folders build RUNs wrote their results into (a build that installs nothing into
    /// a prefix: `bundle exec rake assets:precompile`, `npm ci`, `make`), in order, each
    /// with whether an interpreted app's tool wrote there ([`artifacts::builds_app_in_place`]).
    wrote_in: Vec<(String, bool)>,
    /// The folders a build RUN that made no artifact of its own wrote into (onadata's `make -C
    /// docs html` in its checkout), with the RUN's line and the command.
    built_only: Vec<(String, usize, String)>,
    /// The COPYs and ADDs from the build context both stages get: their index in `runtime`,
    /// their line, the folder they write (resolved against the WORKDIR) and the owner and mode
    /// flags they give it (`--chown=app `).
    context_copies: Vec<(usize, usize, String, String)>,
    /// The COPYs and ADDs before the last build that both stages get (from the context or
    /// another stage): their index in `runtime` and what they write, resolved against the
    /// WORKDIR, and their line ([`copies_into_shipped_folders`]).
    layered: Vec<(usize, String, usize)>,
    /// Where in `runtime` the runtime packages are installed, and where the artifacts arrive.
    install_at: Option<usize>,
    artifact_at: Option<usize>,
    venv: bool,
    /// An apt install of a split RUN takes Recommends (no `--no-install-recommends`): the
    /// runtime's install keeps doing so, or it would lose what they bring (zaproxy's xvfb
    /// recommends xauth, which `xvfb-run` needs).
    recommends: bool,
    /// A build RUN is edited in the build stage (a staged install, a virtualenv).
    edited: bool,
    /// The projects editable pip installs link: they ship ([`ship_folders`]).
    editable: Vec<String>,
}

/// The plan for a stage that ships a toolchain and builds with it in its own RUNs.
pub fn plan(df: &Dockerfile, inputs: &super::Inputs) -> Option<Result<Plan, Outcome>> {
    let s = match survey(df, inputs)? {
        Ok(s) => s,
        Err(outcome) => return Some(Err(outcome)),
    };
    let Some(last) = s.last else {
        return no_build(df, s.stage, &s.states, s.first, s.git_is_tool, &s.base);
    };
    Some(walk(df, inputs, &s, last).and_then(|split| assemble(df, inputs, &s, last, split)))
}

/// The stage to split and the stages of the shipped lineage after it. A shipped stage
/// built FROM another (`FROM base AS app`, where `base` installs the toolchain and builds)
/// is split at the lineage's first stage, when that one ships the toolchain and nothing built
/// FROM it builds or runs a script: the runtime stage keeps its name, so what is built FROM
/// it follows as written, without the toolchain.
#[allow(clippy::type_complexity)]
fn rewritten_stage<'a>(
    df: &'a Dockerfile,
    graph: &Graph,
    target: usize,
) -> Result<(usize, Vec<&'a Stage>, Vec<usize>), Outcome> {
    let lineage = graph.lineage(target);
    let Some((&root, rest)) = lineage.split_first().filter(|(_, rest)| !rest.is_empty()) else {
        // a shipped stage others are built FROM (samvera/hyrax's `hyrax-base`, which
        // `hyrax-engine-dev` is built FROM to `bundle install`): they build on the build stage
        let rebased = builds_from(df, graph, target, &lineage)?;
        return Ok((target, Vec::new(), rebased));
    };
    let inherited = || {
        Outcome::refused(
            Reason::InheritedStage,
            format!(
                "line {}: the stage that ships is built FROM another stage; rewrite that one first",
                df.stages[target].line
            ),
        )
    };
    let ships_toolchain = |si: usize| {
        df.stages[si].instructions.iter().filter(|i| i.kind == Kind::Run).any(|i| {
            let script = shell::parse(&i.script().unwrap_or_default());
            ship::run_state(&script).shipped().any(|p| is_toolchain_package(&p.name))
        })
    };
    // only the shipped stage itself ships the toolchain and builds nothing with it
    // (openstreetmap-tile-server's `final`, FROM a `compiler-common` of runtime packages): its
    // `-dev` packages become their libraries where they are, whatever it is built FROM
    let builds = |si: usize| {
        df.stages[si]
            .instructions
            .iter()
            .filter(|i| i.kind == Kind::Run)
            .any(|i| shell::parse(&i.script().unwrap_or_default()).commands.iter().any(roles::runs_build))
    };
    if !ships_toolchain(root)
        && ships_toolchain(target)
        && rest.iter().all(|&si| si == target || !ships_toolchain(si))
        && !builds(target)
    {
        return Ok((target, Vec::new(), Vec::new()));
    }
    if !ships_toolchain(root) || rest.iter().any(|&si| ships_toolchain(si)) {
        return Err(inherited());
    }
    // another stage that copies from it (or mounts it) may want what only the build stage
    // will have
    if let Some(e) = graph.edges.iter().find(|e| {
        e.target == crate::dockerfile::graph::StageRef::Stage(root)
            && e.kind != crate::dockerfile::graph::EdgeKind::From
    }) {
        return Err(Outcome::refused(
            Reason::InheritedStage,
            format!(
                "line {}: stage `{}` copies from `{}` (`{}`), which after the split holds only what ships; copy from the build stage by hand, or ask again without that copy",
                e.line,
                df.stages[e.stage].label(),
                df.stages[root].label(),
                e.written
            ),
        ));
    }
    let rebased = builds_from(df, graph, root, &lineage)?;
    Ok((root, rest.iter().map(|&si| &df.stages[si]).collect(), rebased))
}

/// The stages built FROM `root` that build, or run a script that may (`bundle install`
/// inside it), and so need the toolchain the split moves out of `root`: the ones that do not
/// ship (oncall's `dev`, hyrax's `hyrax-engine-dev`) are built FROM the build stage instead,
/// which then is `root` as written; by the stage built FROM `root` on their way. Refused when
/// that stage ships, or is the shipped stage's way (a shipped image that builds on the
/// toolchain is split in a stage of its own, which this rewrite does not write).
fn builds_from(df: &Dockerfile, graph: &Graph, root: usize, shipped: &[usize]) -> Result<Vec<usize>, Outcome> {
    let mut rebased: Vec<usize> = Vec::new();
    let descendants = (0..df.stages.len()).filter(|&s| s != root && graph.lineage(s).contains(&root));
    for si in descendants {
        let lineage = graph.lineage(si);
        let way = lineage.iter().position(|&x| x == root).and_then(|at| lineage.get(at + 1)).copied().unwrap_or(si);
        for ins in df.stages[si].instructions.iter().filter(|i| i.kind == Kind::Run) {
            let script = shell::parse(&ins.script().unwrap_or_default());
            let builds = script.commands.iter().find(|c| roles::may_build_native(c)).map(|c| c.words.join(" "));
            if let Some(what) =
                builds.or_else(|| script.commands.iter().find_map(roles::runs_script).map(str::to_owned))
            {
                let moved = [si, way].iter().all(|&x| !graph.ships[x] && !shipped.contains(&x));
                if moved {
                    if !rebased.contains(&way) {
                        rebased.push(way);
                    }
                    break;
                }
                let (stage, from) = (df.stages[si].label(), df.stages[root].label());
                return Err(Outcome::refused(
                    Reason::InheritedStage,
                    format!(
                        "line {}: stage `{stage}` is built FROM `{from}` and runs `{what}`, which may build with the toolchain the split would move out of `{from}`; build it in `{from}` (or in a build stage of its own) and ask again",
                        ins.line
                    ),
                ));
            }
        }
    }
    Ok(rebased)
}

/// Each RUN of stage `si` parsed, a command a variable names read as the program the ARG and
/// ENV values the Dockerfile gives it (those of the stages it is built FROM first) name:
/// indico's `${pip} install uwsgi` under `ARG pip="${INDICO_VIRTUALENV}/bin/pip"` is that
/// virtualenv's pip (round 60). The other words stay as written, so what the runtime
/// installs or reruns still takes the build's arguments; edits land where the words are.
fn parsed_runs(df: &Dockerfile, graph: &Graph, si: usize) -> Vec<Option<shell::Script>> {
    let globals = crate::dockerfile::global_arg_defaults(&df.global_args);
    let mut env: Vec<(String, String)> = Vec::new();
    let mut out = Vec::new();
    for s in graph.lineage(si) {
        let mut values = crate::dockerfile::StageValues::new(&globals, env.clone());
        out = df.stages[s]
            .instructions
            .iter()
            .map(|i| {
                values.take(i);
                let mut script = (i.kind == Kind::Run).then(|| i.script().map(|t| shell::parse(&t))).flatten()?;
                for c in &mut script.commands {
                    let at = c.effective_start();
                    let Some(word) = c.words.get(at).filter(|w| w.starts_with('$')) else { continue };
                    let named = crate::dockerfile::substitute(word, &values.vars);
                    if !named.is_empty() && !named.contains(['$', ' ']) {
                        c.words[at] = named;
                    }
                }
                Some(script)
            })
            .collect();
        env = values.env;
    }
    out
}

/// Read the stage: `None` when it is no build-and-install stage.
fn survey<'a>(df: &'a Dockerfile, inputs: &'a super::Inputs) -> Option<Result<Survey<'a>, Outcome>> {
    let graph = Graph::build(df, &inputs.targets).ok()?;
    let target = *graph.targets.first()?;
    graph.root_image(target)?;
    let (index, after, rebased) = match rewritten_stage(df, &graph, target) {
        Ok(found) => found,
        Err(outcome) => return Some(Err(outcome)),
    };
    let stage = &df.stages[index];
    let base = graph.root_image(stage.index)?.to_owned();
    if base.contains('$') {
        return Some(Err(Outcome::refused(
            Reason::VariableBase,
            format!("line {}: the base image comes from an ARG", stage.line),
        )));
    }
    let scripts = parsed_runs(df, &graph, index);
    let states: Vec<Option<ship::RunState>> = scripts.iter().map(|s| s.as_ref().map(ship::run_state)).collect();
    // (a script a RUN runs fetches with it too: alerta's `install-plugins.sh` pip-installs
    // `git+…` plugins)
    let read: Vec<shell::Script> = inputs.run_scripts.iter().map(|r| shell::parse(&r.text)).collect();
    let git_is_tool =
        crate::dockerfile::packages::git_builds(&scripts.iter().flatten().chain(&read).collect::<Vec<_>>());
    let toolchain_base = runtime_base(&base) != base && toolchain_image(&base).is_some();
    let official = official_or_arch(&base);
    let manager = states
        .iter()
        .flatten()
        .find_map(|s| s.packages.first().map(|p| p.manager))
        .unwrap_or_else(|| libraries::manager_of_image(&base));
    // pip/npm/gem write into /usr/local on the official language images and on Debian
    let base_prefix = match official.as_deref() {
        Some("ruby") => Some("/usr/local/bundle"),
        Some("python" | "node" | "php" | "debian" | "ubuntu" | "buildpack-deps") => Some("/usr/local"),
        // the Python of a conda image is conda's, in /opt/conda (round 49's F5-TTS on
        // pytorch/pytorch), apart from the distribution's
        _ if runtime::conda_image(&base) => Some("/opt/conda"),
        _ => None,
    };
    let mut s = Survey {
        stage,
        after,
        base,
        scripts,
        states,
        git_is_tool,
        toolchain_base,
        first: 0,
        last: None,
        built: 0,
        manager,
        base_prefix,
        makefile: inputs.makefile.as_deref(),
        rebased,
    };
    // the toolchain is a package a RUN installs, or the base image itself: then the first
    // build RUN starts the build
    let n = stage.instructions.len();
    s.first = (0..n)
        .find(|&i| s.ships_toolchain(i))
        .or_else(|| s.toolchain_base.then(|| (0..n).find(|&i| s.is_build_run(i))).flatten())?;
    s.last = (s.first..n).rev().find(|&i| s.is_build_run(i));
    // a RUN after the last build that fetches with a tool the runtime drops (jessfraz's
    // sickbeard clones its program with git after its pip install): the runtime could not
    // run it, so the build stage does, and what it keeps is an artifact
    if let Some(build) = s.last {
        s.built = build;
        s.last = (build..n).rev().find(|&i| i == build || s.late_fetch(i));
    }
    Some(Ok(s))
}

/// Walk the stage: what goes to the build stage, what to the runtime, and what each build
/// RUN installs.
fn walk(df: &Dockerfile, inputs: &super::Inputs, s: &Survey, last: usize) -> Result<Split, Outcome> {
    let mut out = Split::default();
    let mut workdir = "/".to_owned();
    // the ARG and ENV values in force, which a configure step's variables read
    let mut vars = fetch::global_args(df);
    // the virtualenvs the stage's RUNs so far create, which ENV may activate for later RUNs
    let mut venvs: Vec<String> = Vec::new();
    // what the RUNs so far told the package managers by their configuration commands
    let mut configured: Vec<(String, String)> = Vec::new();
    let mut prev_end = s.stage.line;
    for (n, ins) in s.stage.instructions.iter().enumerate() {
        // a configuration lasts for the RUNs after it
        if let Some(Some(script)) = n.checked_sub(1).map(|p| &s.scripts[p]) {
            configured.extend(script.commands.iter().flat_map(told::settings));
        }
        let before = prev_end;
        let text = verbatim(df, ins, before);
        prev_end = ins.end_line;
        // the runtime's set-up RUN goes where the artifacts arrive: before this instruction
        if n > last && out.setup_workdir.is_none() {
            out.setup_workdir = Some(workdir.clone());
        }
        if ins.kind == Kind::Workdir {
            workdir = fetch::next_workdir(ins, &workdir, &vars);
        }
        fetch::take_values(ins, &mut vars);
        if let Some(script) = &s.scripts[n] {
            venvs.extend(artifacts::venvs_made(&script.commands, &workdir, &vars));
        }
        // a RUN the runtime reruns (after the build, or between its RUNs)
        let rerun =
            n > last || !(s.ships_toolchain(n) || s.is_build_run(n) || s.prepares_with_tool(n) || s.late_fetch(n));
        if n > s.first && ins.kind == Kind::Run && rerun {
            opaque_script(ins, &s.scripts[n], &workdir, &inputs.run_scripts)?;
            if n < last {
                before_the_artifacts(ins, &s.scripts[n], &vars, &out.arts)?;
            }
        }
        if n > last {
            // a RUN that only removes what the build stage installed (round 50's MusicBot
            // `apk del .build-deps`, a group only the build stage has): nothing of it is in the
            // runtime, where apk would fail on the name
            if removes_only_the_builds(s, n, &out.runtime_pkgs) {
                continue;
            }
            out.artifact_at.get_or_insert(out.runtime.len());
            out.runtime.push(text);
            continue;
        }
        match ins.kind {
            Kind::Run if n >= s.first && (s.ships_toolchain(n) || s.is_build_run(n) || s.late_fetch(n)) => {
                let (Some(script), Some(state)) = (&s.scripts[n], &s.states[n]) else {
                    out.build.push(text);
                    continue;
                };
                split_run(df, s, ins, script, before, &workdir, &vars, &venvs, &configured, &mut out)?;
                unpinned_release(s, ins, state, inputs)?;
                let had = out.runtime_pkgs.len();
                runtime_packages(s, state, inputs, &mut out);
                out.recommends |= script.commands.iter().any(takes_recommends);
                out.install_at.get_or_insert(out.runtime.len());
                let nothing_built = out.arts.is_empty() && out.built_in.is_none() && out.wrote_in.is_empty();
                replay(df, ins, script, &workdir, s.manager, &mut out)?;
                // the packages of this RUN installed before its first source set-up, and
                // those of the RUNs before it, come first in the runtime's install
                if let Some((_, at)) = out.sources_at.filter(|(line, _)| *line == ins.line) {
                    let early = |p: &String| state.packages.iter().any(|q| &q.name == p && q.at < at);
                    let before: Vec<String> = out.runtime_pkgs[..had]
                        .iter()
                        .chain(out.runtime_pkgs[had..].iter().filter(|p| early(p)))
                        .cloned()
                        .collect();
                    out.before_sources = before;
                }
                if nothing_built {
                    out.early = out.setup.len();
                }
            }
            Kind::Run if n >= s.first && s.prepares_with_tool(n) => {
                out.build.push(df.source(ins).trim_end().replace("\r\n", "\n"));
            }
            Kind::Expose
            | Kind::Cmd
            | Kind::Entrypoint
            | Kind::Healthcheck
            | Kind::Label
            | Kind::Volume
            | Kind::Stopsignal => out.runtime.push(text),
            // sources a build RUN deletes when it is done (ZNC's `COPY . /znc-src`, then `rm -rf
            // /znc-src`): only the build stage reads them
            Kind::Copy | Kind::Add if ins.flag("from").is_none() && deleted_by_a_build(s, ins, &workdir) => {
                out.build.push(text);
            }
            _ => {
                if let (Kind::Copy | Kind::Add, crate::dockerfile::Body::Copy { dest, .. }) = (ins.kind, &ins.body) {
                    if !dest.contains('$') {
                        out.layered.push((out.runtime.len(), resolve_path(&workdir, dest), ins.line));
                    }
                }
                if let (Kind::Copy | Kind::Add, None, crate::dockerfile::Body::Copy { dest, .. }) =
                    (ins.kind, ins.flag("from"), &ins.body)
                {
                    if !dest.contains('$') {
                        let flags: String = ["chown", "chmod"]
                            .iter()
                            .filter_map(|f| ins.flag(f).map(|v| format!("--{f}={v} ")))
                            .collect();
                        out.context_copies.push((out.runtime.len(), ins.line, resolve_path(&workdir, dest), flags));
                    }
                }
                out.build.push(df.source(ins).trim_end().replace("\r\n", "\n"));
                out.runtime.push(text);
            }
        }
    }
    out.setup_workdir.get_or_insert(workdir);
    Ok(out)
}

/// Refuse a RUN between two builds that the runtime reruns where it is, before the artifacts
/// arrive, when it runs a program they bring: one named by a path in an artifact, or a Python
/// (`python`, `pip`) while a PATH entry in an artifact comes first (InvokeAI's `python -c "from
/// patchmatch import patch_match"` between its `uv sync` into `/opt/venv` and its last build).
fn before_the_artifacts(
    ins: &Instruction,
    script: &Option<shell::Script>,
    vars: &[(String, String)],
    arts: &[Artifact],
) -> Result<(), Outcome> {
    let in_artifact = |path: &str| arts.iter().any(|a| within(path, &a.to));
    let path = vars.iter().rev().find(|(k, _)| k == "PATH").map(|(_, v)| v.as_str()).unwrap_or_default();
    let first_entry = path.split(':').next().unwrap_or_default();
    let python = |p: &str| matches!(p, "python" | "python3" | "pip" | "pip3") || p.starts_with("python3.");
    let Some(c) = script.iter().flat_map(|sc| &sc.commands).find(|c| {
        let p = c.program();
        (p.starts_with('/') && in_artifact(p)) || (python(p) && !first_entry.contains('$') && in_artifact(first_entry))
    }) else {
        return Ok(());
    };
    Err(Outcome::refused(
        Reason::MixedRun,
        format!(
            "line {}: `{}` runs a program the build installs, between two builds: the runtime would run it before the build's artifacts arrive; move it after the last build (or into it) and ask again",
            ins.line,
            c.words.join(" ")
        ),
    ))
}

/// Whether RUN `n` only removes packages the stage's build RUNs installed and the runtime's
/// install does not ([`super::removes_only`]).
fn removes_only_the_builds(s: &Survey, n: usize, runtime_pkgs: &[String]) -> bool {
    let Some(script) = &s.scripts[n] else { return false };
    let built: Vec<&ship::RunState> = (s.first..n)
        .filter(|&i| s.ships_toolchain(i) || s.is_build_run(i))
        .filter_map(|i| s.states[i].as_ref())
        .collect();
    super::removes_only(script, &built, runtime_pkgs)
}

/// Whether a COPY's destination is deleted by a RUN of the stage that builds or installs the
/// toolchain (`rm -rf /src`, or a folder above it), after the COPY.
fn deleted_by_a_build(s: &Survey, copy: &Instruction, workdir: &str) -> bool {
    let crate::dockerfile::Body::Copy { dest, .. } = &copy.body else { return false };
    if dest.contains('$') {
        return false;
    }
    let dest = resolve_path(workdir, dest);
    let dest = dest.trim_end_matches('/');
    s.stage
        .instructions
        .iter()
        .enumerate()
        .filter(|(n, i)| i.line > copy.line && (s.ships_toolchain(*n) || s.is_build_run(*n)))
        .any(|(n, _)| {
            s.scripts[n].iter().flat_map(|sc| &sc.commands).any(|c| {
                c.program() == "rm"
                    && c.args().iter().filter(|a| !a.starts_with('-') && a.starts_with('/')).any(|a| {
                        let gone = a.trim_end_matches('/');
                        !gone.is_empty() && (dest == gone || dest.starts_with(&format!("{gone}/")))
                    })
            })
        })
}

/// The build metapackages a Recommends of the runtime's packages would bring back, held back
/// with apt's `name-`. In Debian's and Ubuntu's indexes 28 packages recommend
/// `build-essential`, `python3-dev` or `ruby-dev` directly; the ones a runtime installs are
/// the language package managers (`python3-pip`, `bundler`, `cython3`, npm's `node-gyp`) and
/// what depends on them (`python3-virtualenv`): beside a Python package `build-essential` and
/// `python3-dev` are held, beside a Ruby one `build-essential` and `ruby-dev`, beside npm
/// `build-essential`. Only these: a package the runtime's packages depend on may not be held
/// (`git-lfs` with `git-` is an error), and nothing depends on these but other toolchains.
fn held_back(runtime_pkgs: &[String]) -> Vec<String> {
    let any = |f: &dyn Fn(&str) -> bool| runtime_pkgs.iter().any(|p| f(p));
    let python = any(&|p| p.starts_with("python") || p == "cython3");
    let ruby = any(&|p| p.starts_with("ruby") || p == "bundler");
    let node = any(&|p| matches!(p, "npm" | "node-gyp"));
    let mut held = Vec::new();
    if python || ruby || node {
        held.push("build-essential".to_owned());
    }
    if python {
        held.push("python3-dev".into());
    }
    if ruby {
        held.push("ruby-dev".into());
    }
    held.retain(|h| !runtime_pkgs.contains(h));
    held
}

/// Refuse a RUN the runtime stage would rerun when it runs a script shiplight does not read
/// (sameersbn/docker-redmine's `bash ${REDMINE_BUILD_ASSETS_DIR}/install.sh`, whose `bundle
/// install` compiles), or one it read that may build ([`start::may_build`]): after the
/// toolchain is installed, it may build with it, and the runtime stage no longer has it. A
/// script from the context that only sets up (alerta's `snmptrapd.conf.sh` writes a
/// configuration file) runs in the runtime as written.
fn opaque_script(
    ins: &Instruction,
    script: &Option<shell::Script>,
    workdir: &str,
    known: &[start::ContextScript],
) -> Result<(), Outcome> {
    let named = script.iter().flat_map(|s| &s.commands).filter(|c| roles::of(c) != Role::Build).find_map(|c| {
        let named = roles::runs_script(c)?;
        match start::known(known, &resolve_path(workdir, named)) {
            Some(read) => start::may_build(read, known).map(|what| format!("`{named}` runs `{what}`")),
            None => Some(format!("`{named}` runs")),
        }
    });
    let Some(named) = named else {
        return Ok(());
    };
    Err(Outcome::refused(
        Reason::StillShips,
        format!(
            "line {}: {named} after the toolchain is installed and may build with it, so the runtime stage would still need the toolchain; run the script's build steps in their own RUN (or install the toolchain inside the script) and ask again",
            ins.line
        ),
    ))
}

/// Whether command `i` of a build RUN is part of the build though no build step itself: a
/// shell that runs the installer a build step fetched and piped to it (`curl
/// https://sh.rustup.rs | sh -s -- -y`), or the program's own code (`npm run build && python
/// manage.py collectstatic`), which writes what the build copies, unless it fetches into the
/// home folder, which no rewrite copies (NLTK's data, a Hugging Face model).
fn part_of_the_build(commands: &[shell::SimpleCommand], i: usize) -> bool {
    let c = &commands[i];
    let fed_by_build = i > 0
        && commands[i - 1].pipes_into_next
        && roles::runs_build(&commands[i - 1])
        && matches!(c.program(), "sh" | "bash" | "dash");
    fed_by_build || (roles::runs_python_code(c) && !roles::fetches_into_home(c))
}

/// A build RUN goes to the build stage, staged (DESTDIR) or in a virtualenv when its
/// installs would land in the system's own prefix; its artifacts are noted.
#[allow(clippy::too_many_arguments)]
fn split_run(
    df: &Dockerfile,
    s: &Survey,
    ins: &Instruction,
    script: &shell::Script,
    before: usize,
    workdir: &str,
    vars: &[(String, String)],
    venvs: &[String],
    configured: &[(String, String)],
    out: &mut Split,
) -> Result<(), Outcome> {
    // where this RUN's installs land: as written, or staged (DESTDIR) / in a virtualenv, by
    // edits where the commands are written; pip told to install for the user (`PIP_USER`,
    // `--user`) installs into PYTHONUSERBASE (OctoPrint's `/octoprint/plugins`)
    let user_base = pip_user_base(s, ins, script)?;
    let base_prefix = user_base.as_deref().or(s.base_prefix);
    let mut landing = landing(s, ins, base_prefix, vars, venvs, configured);
    let mut edits = Vec::new();
    let found = loop {
        match artifacts(&script.commands, workdir, landing) {
            // a staged install leaves the installed files out of their place for a later build
            // RUN that uses them (apache/age's `make installcheck` of the extension it installs)
            Ok(found) => match later_build(s, ins).filter(|_| landing.destdir || landing.pip_root) {
                None => break found,
                Some((line, words)) if !landing.destdir => return Err(Outcome::refused(
                    Reason::SystemPrefix,
                    format!("line {}: the install must be staged (`pip install --root=…`) to tell what it writes, but line {line} (`{words}`) builds after it and may use the installed files where they belong, which a staged install leaves elsewhere; install into a virtualenv, or write the stages by hand, and ask again", ins.line),
                )),
                Some((line, words)) => return Err(Outcome::refused(
                    Reason::SystemPrefix,
                    format!("line {}: the install must be staged (`make DESTDIR=… install`) to tell what it writes, but line {line} (`{words}`) builds after it and may use the installed files where they belong, which a staged install leaves elsewhere; give the install a prefix of its own (`PREFIX=/usr/local`), or write the stages by hand, and ask again", ins.line),
                )),
            },
            // `/var` itself (autotools' `--localstatedir=/var`): copied as a tree, a `var/run`
            // made there would replace the runtime's `/var/run` link with a folder
            Err(Stuck::Outside(why, folders)) if folders.iter().any(|f| f == "/var" || f == "/") => {
                return Err(Outcome::refused(
                    Reason::SystemPrefix,
                    format!("line {}: {why}; `/var` itself cannot be copied over the runtime's (its `/var/run` and `/var/lock` are links): give the state folder a name of its own (`--localstatedir=/var/lib/app`)", ins.line),
                ))
            }
            Err(Stuck::Outside(..) | Stuck::SystemPrefix(_)) if ignores_destdir(s, ins, script, workdir).is_some() => {
                let recipe = ignores_destdir(s, ins, script, workdir).unwrap_or_default();
                return Err(Outcome::refused(
                    Reason::UnknownArtifact,
                    format!("line {}: `make install` runs the Makefile's `install` target (`{recipe}`), which does not take DESTDIR, so shiplight cannot stage it to tell what it writes; install with the tool the target runs, into a folder of its own, and ask again", ins.line),
                ));
            }
            Err(Stuck::Outside(why, folders)) => match super::edits::staged_install(ins, script, STAGING) {
                Some(e) if !landing.destdir => {
                    let made: Vec<String> = folders.iter().map(|f| format!("{STAGING}{f}")).collect();
                    edits.extend(e);
                    edits.extend(super::edits::before_make_install(ins, script, &format!("mkdir -p {} && ", made.join(" "))));
                    landing.destdir = true;
                }
                _ => return Err(Outcome::refused(Reason::SystemPrefix, format!("line {}: {why}", ins.line))),
            },
            Err(Stuck::SystemPrefix(why)) => match super::edits::staged_install(ins, script, STAGING) {
                Some(e) if !landing.destdir => {
                    edits.extend(e);
                    landing.destdir = true;
                }
                _ => return Err(Outcome::refused(Reason::SystemPrefix, format!("line {}: {why}", ins.line))),
            },
            Err(Stuck::IntoSystem(command, folder)) => {
                return Err(Outcome::refused(
                    Reason::UnknownArtifact,
                    format!("line {}: `{command}` copies files by a pattern into `{folder}`, whose other files are the build image's (its toolchain among them), so shiplight cannot tell which to ship; copy them by name, or into a folder of their own, and ask again", ins.line),
                ))
            }
            Err(Stuck::Unplaced(command, why, fix)) => {
                return Err(Outcome::refused(
                    Reason::UnknownArtifact,
                    format!("line {}: `{command}` {why}; {fix} and ask again", ins.line),
                ))
            }
            Err(Stuck::DistroPip(command, advice)) => {
                let shares = format!(
                    "line {}: `{command}` installs into the distribution's own prefix, which the toolchain shares",
                    ins.line
                );
                // Debian's and Ubuntu's Python makes a virtualenv only with `python3-venv`
                // (ensurepip), which round 53's cuda_simple image did not install
                let venv = super::edits::into_venv(ins, script, distro_modules(s))
                    .filter(|_| !s.manager.is_apt() || s.installs(is_venv_package));
                let unreached = venv_unreached(s);
                // no virtualenv for it (Python 2, or a program that runs the system's Python):
                // staged with `--root`, its files land where the distribution's Python looks
                if (venv.is_none() || unreached.is_some()) && !landing.venv && !landing.pip_root {
                    if let Some(e) = super::edits::staged_pip(ins, script, STAGING) {
                        if let Some(user) = used_after_pip(script) {
                            return Err(Outcome::refused(
                                Reason::SystemPrefix,
                                format!("{shares}; staged (`pip install --root=…`), its files would be out of place for `{user}`, which runs after it in this RUN: move that to a RUN of its own (or use a virtualenv) and ask again"),
                            ));
                        }
                        edits.extend(e);
                        landing.pip_root = true;
                        continue;
                    }
                }
                match (venv, unreached) {
                    (Some(_), Some(unreached)) if !landing.venv => {
                        return Err(Outcome::refused(
                            Reason::SystemPrefix,
                            format!("{shares}, and {unreached}: install with `--prefix=/install` in a build stage of the same base, copy `/install` into that Python's prefix and ask again"),
                        ))
                    }
                    (Some(e), None) if !landing.venv => {
                        edits.extend(e);
                        landing.venv = true;
                    }
                    _ => return Err(Outcome::refused(Reason::SystemPrefix, format!("{shares}: {advice} and ask again"))),
                }
            }
        }
    };
    let Some(build_text) = super::verbatim_edited(df, ins, before, &edits) else {
        return Err(Outcome::refused(
            Reason::Internal,
            format!("line {}: the staging edits overlap; please report this Dockerfile", ins.line),
        ));
    };
    if landing.venv && !out.venv {
        out.venv = true;
        out.build.push(VENV_ENV.into());
    }
    out.edited |= !edits.is_empty() || landing.venv;
    out.build.push(build_text);
    // `go install` puts its binaries in /go/bin, which only the golang image has on its PATH:
    // the runtime gets them in /usr/local/bin, on every image's PATH, unless the file names
    // them by their /go/bin path
    let go_bin_named = df.text.contains("/go/bin/") || df.text.contains("$GOPATH/bin");
    let produced = !found.is_empty();
    out.arts.extend(found.into_iter().map(|a| match a.from.as_str() {
        "/go/bin" if a.to == "/go/bin" && !go_bin_named => {
            Artifact { from: "/go/bin/".into(), to: "/usr/local/bin/".into() }
        }
        _ => a,
    }));
    note_folders(ins, script, workdir, vars, produced, out);
    Ok(())
}

/// A package that gives a Debian or Ubuntu Python the `ensurepip` its `venv` needs
/// (`python3-venv`, `python3.12-venv`, `python3-full`; not `virtualenv`, a program of its own).
fn is_venv_package(name: &str) -> bool {
    let n = name.split(['=', ':']).next().unwrap_or(name);
    (n.starts_with("python3") && n.ends_with("-venv")) || n == "python3-full"
}

/// The recipe of the build context's own Makefile's `install` target, when the RUN's `make
/// install` runs it (in the folder the context was copied to, no `-C`, no `cd`) and it takes no
/// DESTDIR (coqui-ai/TTS's `install: pip install -e .[all]`): staging it would copy a staging
/// root nothing was written to. `None` when the Makefile was not read, names DESTDIR, or hands
/// the install to another make.
fn ignores_destdir(s: &Survey, ins: &Instruction, script: &shell::Script, workdir: &str) -> Option<String> {
    let makefile = s.makefile?;
    let moved = script.commands.iter().any(|c| c.program() == "cd")
        || script.commands.iter().any(|c| {
            crate::patch::edits::is_make_install(c)
                && c.args().iter().any(|a| a.starts_with("-C") || a.starts_with("--directory"))
        });
    // the context's root copied into the folder the RUN runs in (`COPY . /root`)
    let copied_here = s.stage.instructions.iter().filter(|i| i.line < ins.line && matches!(i.kind, Kind::Copy | Kind::Add) && i.flag("from").is_none()).any(|i| {
        matches!(&i.body, crate::dockerfile::Body::Copy { sources, dest, .. }
            if sources.iter().any(|src| matches!(src.as_str(), "." | "./")) && resolve_path(workdir, dest).trim_end_matches('/') == workdir.trim_end_matches('/'))
    });
    if moved || !copied_here {
        return None;
    }
    let mut lines = makefile
        .lines()
        .skip_while(|l| !(l.starts_with("install:") || l.starts_with("install ::") || l.starts_with("install :")));
    lines.next()?;
    let recipe: Vec<&str> = lines
        .take_while(|l| l.starts_with('\t') || l.trim().is_empty())
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let hands_on = recipe.iter().any(|l| l.contains("$(MAKE)") || l.contains("${MAKE}") || l.starts_with("make "));
    (!recipe.is_empty() && !hands_on && !recipe.iter().any(|l| l.contains("DESTDIR"))).then(|| recipe.join("; "))
}

/// Note the folders a build RUN built in and wrote into; `produced`: the RUN installed an
/// artifact of its own.
fn note_folders(
    ins: &Instruction,
    script: &shell::Script,
    workdir: &str,
    vars: &[(String, String)],
    produced: bool,
    out: &mut Split,
) {
    if let Some(dir) = artifacts::build_folder(&script.commands, workdir) {
        out.built_in = Some(dir);
    }
    for dir in artifacts::unpack_folders(&script.commands, workdir, vars) {
        if !out.wrote_in.iter().any(|(d, _)| *d == dir) {
            out.wrote_in.push((dir, false));
        }
    }
    for (dir, c) in artifacts::build_folders(&script.commands, workdir) {
        // the project an editable pip install links is the package: it ships, whatever the
        // program runs from (round 49's F5-TTS, cloned and `pip install -e .` in
        // /workspace/F5-TTS, with no CMD of its own)
        if let Some(project) = artifacts::editable_project(c, &dir) {
            if !out.editable.contains(&project) {
                out.editable.push(project.clone());
            }
            if !out.wrote_in.iter().any(|(d, _)| *d == project) {
                out.wrote_in.push((project, false));
            }
        }
        if artifacts::installs_elsewhere(c) {
            continue;
        }
        let app = artifacts::builds_app_in_place(c);
        if !produced && !out.built_only.iter().any(|(d, _, _)| *d == dir) {
            out.built_only.push((dir.clone(), ins.line, c.words.join(" ")));
        }
        match out.wrote_in.iter_mut().find(|(d, _)| *d == dir) {
            Some((_, seen)) => *seen |= app,
            None => out.wrote_in.push((dir, app)),
        }
    }
}

/// Why a new `/opt/venv` would not reach the program, when it would not: the stage sets no
/// CMD or ENTRYPOINT of its own, so the program comes from the base image and runs the base's
/// Python (jupyterhub's `FROM jupyter/jupyterhub-onbuild` + `pip3 install psycopg2`), or they
/// name a Python by its path outside the virtualenv (`/usr/bin/python3`).
fn venv_unreached(s: &Survey) -> Option<String> {
    let starts: Vec<&Instruction> =
        s.instructions().filter(|i| matches!(i.kind, Kind::Cmd | Kind::Entrypoint)).collect();
    if starts.is_empty() {
        return Some(format!(
            "the stage sets no CMD or ENTRYPOINT, so its program comes from `{}` and runs that image's Python, which a new virtualenv would hide the packages from",
            s.base
        ));
    }
    let by_path = starts.iter().flat_map(|i| i.command_words()).find(|w| {
        w.starts_with('/')
            && !w.starts_with("/opt/venv/")
            && w.rsplit('/').next().is_some_and(|p| p.starts_with("python"))
    });
    by_path.map(|w| format!("the program runs `{w}`, not the Python of a new virtualenv"))
}

/// The first command after a RUN's first pip install that may use what it installed (a
/// check that imports it, its own program): anything but more pip installs, the package
/// manager and its housekeeping, and the shell's no-ops.
fn used_after_pip(script: &shell::Script) -> Option<String> {
    let first = script.commands.iter().position(|c| crate::dockerfile::packages::pip_install(c).is_some())?;
    script.commands[first + 1..]
        .iter()
        .find(|c| {
            crate::dockerfile::packages::pip_install(c).is_none()
                && !matches!(roles::of(c), Role::Install | Role::Clean)
                && !matches!(c.program(), "true" | "set" | ":")
        })
        .map(|c| c.words.join(" "))
}

/// Whether the stage ships Python modules from the distribution (`py3-nftables`,
/// `python3-gi`): a virtualenv made for its pip installs must still see them
/// (`--system-site-packages`), as the program did.
fn distro_modules(s: &Survey) -> bool {
    const TOOLS: [&str; 6] = ["dev", "pip", "venv", "setuptools", "wheel", "virtualenv"];
    s.states.iter().flatten().flat_map(|st| st.shipped()).any(|p| {
        p.name
            .strip_prefix("py3-")
            .or_else(|| p.name.strip_prefix("python3-"))
            .is_some_and(|m| !TOOLS.contains(&m) && !s.tool(&p.name))
    })
}

/// The runtime packages of a build RUN: what it installs that ships, with its toolchain
/// packages dropped and each `-dev` package replaced by its runtime library (the table's
/// guess; `--verify`'s ELF needs replace the table).
/// Refuse, without `--verify`, a runtime library the table would name for a base whose tag
/// names no release while the releases name it differently ([`libraries::release_dependent`]:
/// round 33's opensourcepos on `php:8.2-apache`, trixie today, where the table's `libicu72`
/// does not exist).
fn unpinned_release(
    s: &Survey,
    ins: &Instruction,
    state: &ship::RunState,
    inputs: &super::Inputs,
) -> Result<(), Outcome> {
    if inputs.runtime_libs.is_some() {
        return Ok(());
    }
    let release = libraries::release_of(&s.base);
    let kept = kept_names(s, state);
    let linked = state.packages.iter().filter(|p| {
        s.tool(&p.name)
            && (p.fate == Fate::Removed || p.name.ends_with("-dev") || p.name.ends_with("-devel"))
            && !libraries::pulled_by(&p.name, &kept)
    });
    match linked.into_iter().find_map(|p| libraries::release_dependent(&p.name, p.manager, release)) {
        Some(why) => Err(unpinned(ins.line, &s.base, &why)),
        None => Ok(()),
    }
}

/// The refusal for a runtime library the base's release leaves unknown.
pub(super) fn unpinned(line: usize, base: &str, why: &str) -> Outcome {
    let pin =
        if libraries::release_of(base).is_none() { " (or name the release in the tag: `…-trixie`)" } else { "" };
    Outcome::refused(
        Reason::UnknownRuntime,
        format!(
            "line {line}: the runtime's libraries cannot be named on `{base}`: {why}; ask with `--verify`, which reads the libraries the build links{pin}"
        ),
    )
}

/// The packages of a RUN the runtime keeps: those that are no build tool and ship.
fn kept_names<'a>(s: &Survey, state: &'a ship::RunState) -> Vec<&'a str> {
    state.shipped().filter(|p| !s.tool(&p.name)).map(|p| p.name.as_str()).collect()
}

fn runtime_packages(s: &Survey, state: &ship::RunState, inputs: &super::Inputs, out: &mut Split) {
    // Under `--verify` a guess of the table stays only where the ELF needs confirm it, in its
    // place, so the patch verified is the one shown without a daemon; what else the ELF needs
    // name comes after (in `assemble`).
    let confirmed = |lib: &str| inputs.runtime_libs.as_ref().is_none_or(|found| found.iter().any(|(p, _)| p == lib));
    // a `-dev` package the RUN removes again still linked what it built: its runtime library
    // stays in the original (the official images' `apt-mark manual` of what `ldd` finds,
    // Alpine's `scanelf` run-deps), so the runtime installs it
    for p in state.packages.iter().filter(|p| p.fate == Fate::Removed && s.tool(&p.name)) {
        if let Some(Some(lib)) = libraries::runtime_on(&p.name, p.manager, libraries::release_of(&s.base)) {
            if confirmed(lib) && !out.runtime_pkgs.iter().any(|r| r == lib) {
                out.runtime_pkgs.push(lib.to_owned());
            }
        }
    }
    // a later RUN of the stage that only removes what the build installed removes it too
    // (automatisch's `apk del build-dependencies`, the group its python3 and git came in,
    // held out in round 73), and every RUN in between builds (none is rerun in the runtime,
    // where it might use it: IntelOwl's downloads with the `wget` it removes after): the
    // original runs without it, and so does the runtime
    let at = s.states.iter().position(|st| st.as_ref().is_some_and(|st| std::ptr::eq(st, state)));
    let removed_later = |p: &ship::Package| {
        let Some(at) = at else { return false };
        let removes = |j: usize| {
            s.states[j].as_ref().is_some_and(|later| {
                later.removes_names.iter().any(|n| *n == p.name || p.group.as_deref() == Some(n.as_str()))
            })
        };
        (at + 1..s.states.len()).find(|&j| removes(j)).is_some_and(|j| {
            removes_only_the_builds(s, j, &[])
                && (at + 1..j).all(|k| s.scripts[k].is_none() || s.ships_toolchain(k) || s.is_build_run(k))
        })
    };
    for p in state.shipped() {
        if !s.tool(&p.name) {
            if !out.runtime_pkgs.contains(&p.name) && p.fate == Fate::Ships && !removed_later(p) {
                out.runtime_pkgs.push(p.name.clone());
            }
            continue;
        }
        if !out.dropped.contains(&p.name) {
            out.dropped.push(p.name.clone());
        }
        // a JDK's programs run on its JRE (a vendor's naming the table of jre_of lacks: its
        // `jdk` word becomes `jre`)
        let jre = libraries::jre_of(&p.name).or_else(|| {
            let at = p.name.rfind("jdk").filter(|_| !p.name.ends_with("-devel"))?;
            Some(format!("{}jre{}", &p.name[..at], &p.name[at + 3..]))
        });
        if let Some(jre) = jre {
            if !out.runtime_pkgs.contains(&jre) {
                out.runtime_pkgs.push(jre);
            }
            continue;
        }
        // a package the runtime keeps brings the library (`gdal-bin`'s `libgdal…`), where the
        // table's name is only a guess of the base's release (a certain name stays: it is
        // the soname the build linked, which a kept older one, `libncurses5`, is not)
        if inputs.runtime_libs.is_none()
            && libraries::release_dependent(&p.name, p.manager, libraries::release_of(&s.base)).is_some()
            && libraries::pulled_by(&p.name, &kept_names(s, state))
        {
            continue;
        }
        match libraries::runtime_on(&p.name, p.manager, libraries::release_of(&s.base)) {
            Some(Some(lib)) if !confirmed(lib) => {}
            Some(Some(lib)) if !out.runtime_pkgs.iter().any(|r| r == lib) => out.runtime_pkgs.push(lib.to_owned()),
            // headers only, or already there: nothing more
            Some(_) => {}
            // Alpine's origin of a `-dev` package the table lacks holds its libraries
            None if inputs.runtime_libs.is_none() && libraries::alpine_origin(&p.name, p.manager).is_some() => {
                let origin = libraries::alpine_origin(&p.name, p.manager).unwrap_or_default();
                if !out.runtime_pkgs.contains(&origin) {
                    out.runtime_pkgs.push(origin);
                }
            }
            None if inputs.runtime_libs.is_none() && (p.name.ends_with("-dev") || p.name.ends_with("-devel")) => {
                out.guessed.push(p.name.clone())
            }
            None => {}
        }
        // a C++ program links libstdc++ and libgcc_s, which Alpine's base lacks (Debian's has
        // them): `g++`, installed by name for a C++ build, goes; its runtime library stays
        let cxx = p.name == "g++";
        if cxx
            && p.manager == Manager::Apk
            && inputs.runtime_libs.is_none()
            && !out.runtime_pkgs.iter().any(|r| r == "libstdc++")
        {
            out.runtime_pkgs.push("libstdc++".into());
        }
    }
}

/// Where the installs of the build RUN `ins` land, before any staging: the prefix of the
/// base's language, the ARG/ENV values and virtualenvs so far, and what the base image leaves
/// unseen (its working folder, where the stage set none; whether its Python is its own).
fn landing<'a>(
    s: &Survey,
    ins: &Instruction,
    base_prefix: Option<&'a str>,
    vars: &'a [(String, String)],
    venvs: &'a [String],
    configured: &'a [(String, String)],
) -> Landing<'a> {
    let official = official_or_arch(&s.base);
    let workdir_unknown = official.is_none()
        && !s.stage.instructions.iter().take_while(|i| i.line < ins.line).any(|i| i.kind == Kind::Workdir);
    let python_image = official.as_deref() == Some("python");
    // NodeSource's nodejs is built for /usr, and its npm installs globally there; Debian's
    // own npm is configured for /usr/local (odoo's `npm install -g rtlcss`), as is the base's
    let distro_node = official.as_deref() != Some("node")
        && s.states.iter().flatten().any(|st| st.packages.iter().any(|p| p.name == "nodejs"))
        && s.scripts
            .iter()
            .flatten()
            .flat_map(|sc| &sc.commands)
            .any(|c| c.words.iter().any(|w| w.contains("nodesource.com")));
    let root_user = s
        .stage
        .instructions
        .iter()
        .take_while(|i| i.line < ins.line)
        .filter(|i| i.kind == Kind::User)
        .last()
        .is_none_or(|u| {
            matches!(u.words().first().and_then(|w| w.split(':').next()).unwrap_or_default(), "root" | "0")
        });
    Landing {
        base_prefix,
        vars,
        venvs,
        configured,
        workdir_unknown,
        python_image,
        distro_node,
        root_user,
        ..Landing::default()
    }
}

/// The commands of a build RUN the runtime must rerun (set-up: users, links, permissions);
/// a command that is neither build-only nor set-up is refused, since the runtime may need it.
fn replay(
    df: &Dockerfile,
    ins: &Instruction,
    script: &shell::Script,
    workdir: &str,
    manager: Manager,
    out: &mut Split,
) -> Result<(), Outcome> {
    let kept = |c: &shell::SimpleCommand| roles::of(c) == Role::Setup && !c.conditional();
    // where packages come from (a vendor's apt set-up script piped to a shell is one too:
    // nodesource's `setup_22.x`)
    let source = |i: usize| roles::configures_sources(&script.commands[i]) || roles::runs_vendor_apt_setup(script, i);
    let mut feeds: Option<String> = None;
    // the folder each command runs in, as the RUN's `cd`s leave it (`None`: unknown)
    let mut cwd = Some(workdir.to_owned());
    // the shell variables the RUN set so far (`ARCH=$(dpkg --print-architecture)`): a kept
    // command that names one gets its assignment before it (gpt-researcher's `echo "deb
    // [arch=${ARCH}] …"`), once
    let mut assigned: Vec<(Vec<String>, String)> = Vec::new();
    for (i, c) in script.commands.iter().enumerate() {
        let p = c.program();
        if let Some(assignment) = assignment(df, ins, c) {
            assigned.push(assignment);
            continue;
        }
        if p == "cd" {
            cwd = match (cwd, c.args().iter().find(|a| !a.starts_with('-'))) {
                (Some(at), Some(dir)) if !dir.contains('$') && dir != "-" => Some(resolve_path(&at, dir)),
                _ => None,
            };
            continue;
        }
        // what a kept set-up command reads from a pipe (`echo zap:zap | chpasswd`) comes along
        if c.pipes_into_next && script.commands.get(i + 1).is_some_and(|next| kept(next) || source(i + 1)) {
            let written = commands::written(df, ins, c);
            feeds = Some(feeds.map_or(written.clone(), |f| format!("{f} | {written}")));
            continue;
        }
        // the shared libraries' cache the build refreshed for what it installed (`make install
        // && ldconfig`): the runtime refreshes it once they arrive, or the loader would not
        // find them in /usr/local/lib
        if p == "ldconfig" && !c.conditional() {
            let written = commands::written(df, ins, c);
            if !out.setup.contains(&written) {
                out.setup.push(written);
            }
            continue;
        }
        // a folder the set-up after it works on is made: the folder itself (`mkdir /zap &&
        // chown zap:zap /zap`), one above it (koel's `mkdir -p storage/app/public/images &&
        // chown -R … storage/app`) or one in it
        if p == "mkdir" && !c.conditional() {
            let made: Vec<&str> =
                c.args().iter().filter(|a| !a.starts_with('-')).map(|a| a.trim_end_matches('/')).collect();
            let (used, for_sources) = worked_on_after(&made, &script.commands[i + 1..]);
            if for_sources && manager.is_apt() {
                out.sources.push(commands::written(df, ins, c));
                continue;
            }
            if used || made_for_the_program(&made, &script.commands, &out.arts) {
                let written = commands::written(df, ins, c);
                let absolute = placed(c, cwd.as_deref(), Vec::new(), true, &script.commands[..i])
                    .filter(|_| cwd.is_some())
                    .map(|(_, everywhere)| commands::written_with(df, ins, c, &everywhere));
                note_relative(ins, c, cwd.as_deref().unwrap_or(workdir), &written, absolute, out);
                out.setup.push(written);
                continue;
            }
        }
        // `&& \ ` with a blank after the backslash leaves a blank word, and a redirection
        // split off its command is no command either
        let fragment = c.words.iter().all(|w| w.trim().is_empty())
            || p.starts_with(['>', '<'])
            || p.trim_start_matches(char::is_numeric).starts_with('>');
        // where packages come from (khoj's `add-apt-repository ppa:mozillateam/ppa` between
        // two installs, a key fetched into apt's keyrings): the runtime's install sets it up
        // where it was, after the packages installed before it; not when apt is not what
        // installs, nor when the RUN sets it up only under a condition
        if !fragment && source(i) {
            if !manager.is_apt() || c.conditional() {
                return Err(Outcome::refused(
                    Reason::MixedRun,
                    format!(
                        "line {}: `{}` sets up a package source in this RUN{}, which the runtime's one install cannot follow; move it to a RUN of its own before the installs and ask again",
                        ins.line,
                        c.words.join(" "),
                        if c.conditional() { " under a condition" } else { "" }
                    ),
                ));
            }
            out.sources_at.get_or_insert((ins.line, i));
            let written = fed(feeds.take(), commands::written(df, ins, c));
            with_assignments(&mut assigned, &written, &mut out.sources);
            out.sources.push(written);
            continue;
        }
        if c.words.is_empty()
            || fragment
            || part_of_the_build(&script.commands, i)
            || roles::build_only(c)
            || roles::of(c) == Role::Install
            || (roles::of(c) == Role::Setup && removed_after(c, &script.commands[i + 1..]))
        {
            continue;
        }
        // a link the RUN made inside what the runtime copies comes with it: rerun, `ln`
        // would fail on the path that is there (web-ui's `ln -s /opt/novnc/vnc.html
        // /opt/novnc/index.html` after its `git clone … /opt/novnc`)
        if kept(c) && linked_inside(c, cwd.as_deref(), &out.arts) {
            continue;
        }
        if kept(c) && !removed_after(c, &script.commands[i + 1..]) {
            if c.program() == "debconf-set-selections" {
                let written = commands::written(df, ins, c);
                out.answers.push(fed(feeds.take(), written));
                continue;
            }
            // a path a later `mv` of the RUN moves into a folder is set up where it lands
            let (earlier, later) = (&script.commands[..i], &script.commands[i + 1..]);
            let landed = misplaced(ins, c, cwd.as_deref(), workdir, earlier, later)?;
            let away = cwd.as_deref() != Some(workdir);
            let Some((rerun, landed)) = placed(c, cwd.as_deref(), landed, away, earlier) else {
                let file = relative_files(c).first().map(|&k| c.words[k].clone()).unwrap_or_default();
                return Err(unplaced(ins, c, &file, "in a folder an `mv` of this RUN moved", AFTER_CD));
            };
            let feed = feeds.take();
            let written = fed(feed.clone(), commands::written_with(df, ins, c, &landed));
            // (the runtime's set-up RUN may run in another folder: IntelOwl's `chmod +x
            // wrapper.py` in `/opt/deploy/stringsifter`)
            let absolute = placed(c, cwd.as_deref(), landed.clone(), true, earlier)
                .map(|(_, everywhere)| fed(feed, commands::written_with(df, ins, c, &everywhere)));
            if mode_comes_with_the_copy(c, &landed, cwd.as_deref(), &out.arts) {
                continue;
            }
            note_relative(ins, &rerun, cwd.as_deref().unwrap_or(workdir), &written, absolute, out);
            with_assignments(&mut assigned, &written, &mut out.setup);
            out.setup.push(written);
            continue;
        }
        return Err(Outcome::refused(
            Reason::MixedRun,
            format!(
                "line {}: `{}` in this RUN is neither a build step nor system set-up, so shiplight cannot tell whether the runtime needs it; move it to its own RUN and ask again",
                ins.line,
                c.words.join(" ")
            ),
        ));
    }
    Ok(())
}

/// Whether `c` sets the mode of files that are, where they land, inside what the runtime
/// copies as it is: the copy keeps the mode (gpt-researcher's `chmod +x geckodriver`, then
/// `mv geckodriver /usr/local/bin/`; openemr's `chmod 666` inside the tree it moves).
fn mode_comes_with_the_copy(
    c: &shell::SimpleCommand,
    landed: &[(usize, String)],
    cwd: Option<&str>,
    arts: &[Artifact],
) -> bool {
    let copied = |k: &usize| {
        let path = landed.iter().find(|(l, _)| l == k).map(|(_, p)| p.clone());
        path.or_else(|| cwd.map(|at| resolve_path(at, &c.words[*k])))
            .is_some_and(|path| arts.iter().any(|a| within(&path, &a.to) && a.from == a.to))
    };
    let files = relative_files(c);
    c.program() == "chmod" && !files.is_empty() && files.iter().all(copied)
}

/// A command that only sets shell variables, whenever the RUN runs: their names, and the
/// command as written.
fn assignment(df: &Dockerfile, ins: &Instruction, c: &shell::SimpleCommand) -> Option<(Vec<String>, String)> {
    let names = c.assignments.iter().filter_map(|a| Some(a.split_once('=')?.0.to_owned())).collect();
    (c.words.is_empty() && !c.assignments.is_empty() && !c.conditional())
        .then(|| (names, commands::written(df, ins, c)))
}

/// Push to `into` the assignments of `assigned` whose variables `written` names, each once.
fn with_assignments(assigned: &mut Vec<(Vec<String>, String)>, written: &str, into: &mut Vec<String>) {
    assigned.retain(|(names, text)| {
        let named = names.iter().any(|n| shell::names_variable(written, n));
        if named {
            into.push(text.clone());
        }
        !named
    });
}

/// Whether set-up after a `mkdir` works on a folder it made (the folder itself, one above it
/// or one in it), and whether a package source's set-up does (apt's keyrings folder, made
/// for a source's key, comes with the source).
fn worked_on_after(made: &[&str], later: &[shell::SimpleCommand]) -> (bool, bool) {
    let related = |a: &str| {
        let a = a.trim_end_matches('/');
        !a.is_empty()
            && made.iter().any(|m| {
                *m == a
                    || m.strip_prefix(a).is_some_and(|r| r.starts_with('/'))
                    || a.strip_prefix(*m).is_some_and(|r| r.starts_with('/'))
            })
    };
    let used = later
        .iter()
        .filter(|l| roles::of(l) == Role::Setup && !l.conditional())
        .any(|l| l.args().iter().any(|a| related(a)));
    let for_sources = later
        .iter()
        .filter(|l| roles::configures_sources(l))
        .any(|l| l.args().iter().any(|a| related(a.trim_start_matches(['>', '&']))));
    (used, for_sources)
}

/// Whether `c` is an `ln` whose link lies in a folder an artifact copies to the runtime.
/// (`ln -sf` is rerun: it replaces what is there.)
fn linked_inside(c: &shell::SimpleCommand, cwd: Option<&str>, arts: &[Artifact]) -> bool {
    let operands: Vec<&String> = c.args().iter().filter(|a| !a.starts_with('-')).collect();
    let force =
        c.args().iter().any(|a| a == "--force" || (a.starts_with('-') && !a.starts_with("--") && a.contains('f')));
    let (Some(link), Some(cwd), true) = (operands.last(), cwd, c.program() == "ln" && operands.len() >= 2 && !force)
    else {
        return false;
    };
    let link = resolve_path(cwd, link);
    !link.contains('$') && arts.iter().any(|a| !a.to.trim_end_matches('/').is_empty() && within(&link, &a.to))
}

/// A replayed command with what it read from a pipe before it, if anything
/// (`echo 'tzdata …' | debconf-set-selections`).
fn fed(feed: Option<String>, written: String) -> String {
    match feed {
        Some(f) => format!("{f} | {written}"),
        None => written,
    }
}

/// The runtime's set-up RUN runs where the artifacts arrive: a command of it that names a
/// file relative to another folder (the WORKDIR it ran in) would name another file, so it
/// is rerun with its files written out from that folder, and refused where that folder is
/// not known.
fn set_up_in_place(out: &mut Split) -> Result<(), Outcome> {
    let here = out.setup_workdir.clone().unwrap_or_else(|| "/".into());
    for r in out.setup_relative.iter().filter(|r| r.cwd != here) {
        // written out from the folder it ran in, where that is known
        if let Some(absolute) = &r.absolute {
            if let Some(slot) = out.setup.iter_mut().find(|t| **t == r.written) {
                slot.clone_from(absolute);
            }
            continue;
        }
        return Err(Outcome::refused(
            Reason::MixedRun,
            format!(
                "line {}: the runtime stage would rerun `{}` in `{here}`, where the artifacts arrive, but line {} ran it in `{}`, so `{}` would name another file; write it as `{}` and ask again",
                r.line,
                r.command,
                r.line,
                r.cwd,
                r.file,
                resolve_path(&r.cwd, &r.file)
            ),
        ));
    }
    Ok(())
}

/// Note the files a set-up command names relative to the folder it runs in (`chmod +x
/// wrapper.py` in IntelOwl's `WORKDIR …/stringsifter`): the runtime reruns it where the
/// artifacts arrive, which may be another folder ([`assemble`] checks).
fn note_relative(
    ins: &Instruction,
    c: &shell::SimpleCommand,
    cwd: &str,
    written: &str,
    absolute: Option<String>,
    out: &mut Split,
) {
    if let Some(&k) = relative_files(c).first() {
        out.setup_relative.push(Relative {
            line: ins.line,
            cwd: cwd.to_owned(),
            command: c.words.join(" "),
            file: c.words[k].clone(),
            written: written.to_owned(),
            absolute,
        });
    }
}

/// The files a set-up command names relative to the folder it runs in, as indices in its
/// words: past the options and the value of mkdir's `-m`; not chmod's mode (`+x`, `755`),
/// chown's owner or setcap's capabilities, sed's script or a symbolic link's target.
fn relative_files(c: &shell::SimpleCommand) -> Vec<usize> {
    let args = c.args();
    let first = c.effective_start() + 1;
    let mut operands: Vec<usize> = Vec::new();
    let mut skip = false;
    for (n, a) in args.iter().enumerate() {
        if std::mem::take(&mut skip) {
            continue;
        }
        match a.as_str() {
            "-m" | "--mode" if c.program() == "mkdir" => skip = true,
            _ if a.starts_with('-') => {}
            _ => operands.push(first + n),
        }
    }
    let files: &[usize] = match c.program() {
        // the mode, the owner or the capabilities come first
        "chmod" | "chown" | "chgrp" | "setcap" => operands.get(1..).unwrap_or_default(),
        // sed's script, a symbolic link's target
        "sed" if !args.iter().any(|a| a == "-e" || a == "--expression" || a == "-f") => {
            operands.get(1..).unwrap_or_default()
        }
        "ln" if args.iter().any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('s')) => {
            operands.get(1..).unwrap_or_default()
        }
        "touch" | "mkdir" | "ln" | "sed" => &operands,
        _ => &[],
    };
    let relative = |a: &String| !a.starts_with(['/', '~', '$']) && !a.contains(['$', '=', ':', '*']);
    files.iter().copied().filter(|&k| relative(&c.words[k])).collect()
}

/// The command the runtime reruns: `c` with `landed` paths in place and, when `out` (it ran
/// away from where the runtime reruns it), every relative file written out from the folder
/// it ran in, where that folder is known (a `cd` of the RUN: the runtime's set-up RUN runs
/// without it).
/// `None` when a file's folder was moved by an `mv` of the RUN before it (`cd openemr`, `mv
/// /openemr /var/www/…`, then `chmod 666 sites/…`: the shell's folder moved with it).
fn placed(
    c: &shell::SimpleCommand,
    cwd: Option<&str>,
    mut landed: Vec<(usize, String)>,
    out: bool,
    earlier: &[shell::SimpleCommand],
) -> Option<(shell::SimpleCommand, Vec<(usize, String)>)> {
    if let Some(at) = cwd.filter(|_| out) {
        for k in relative_files(c) {
            if landed.iter().any(|(l, _)| *l == k) {
                continue;
            }
            let path = resolve_path(at, &c.words[k]);
            if moved_away(earlier, at, &path) {
                return None;
            }
            landed.push((k, path));
        }
    }
    let mut rerun = c.clone();
    for (k, path) in &landed {
        rerun.words[*k] = path.clone();
    }
    Some((rerun, landed))
}

/// Whether an `mv` of `commands` moves a folder that holds `path` (its sources resolved from
/// `cwd`).
fn moved_away(commands: &[shell::SimpleCommand], cwd: &str, path: &str) -> bool {
    commands.iter().filter(|l| l.program() == "mv").any(|l| {
        let args: Vec<&String> = l.args().iter().filter(|x| !x.starts_with('-')).collect();
        args.split_last().is_some_and(|(_, sources)| sources.iter().any(|s| within(path, &resolve_path(cwd, s))))
    })
}

/// Refuse a set-up command the runtime cannot rerun as written: a relative path after a
/// `cd` it does not follow. A path a later `mv` of the RUN moves into a folder (openemr's
/// `chmod 666 openemr/sites/default/sqlconf.php`, then `mv openemr /var/www/localhost/htdocs/`)
/// is named where it lands: the words to replace (index in `c.words`, the path). Moved any
/// other way (`mv a b`, a rename or a move into a folder), it is refused.
fn misplaced(
    ins: &Instruction,
    c: &shell::SimpleCommand,
    cwd: Option<&str>,
    workdir: &str,
    earlier: &[shell::SimpleCommand],
    later: &[shell::SimpleCommand],
) -> Result<Vec<(usize, String)>, Outcome> {
    let mut landed = Vec::new();
    // the words that name files: not sed's script (`sed -i 's/a/b/' f`), nor a symbolic
    // link's target (`ln -s ../lib/x y`), which the link's folder resolves, not the `cd`
    let args = c.args();
    let mut skip: Vec<usize> = Vec::new();
    let first_operand = args.iter().position(|a| !a.starts_with('-'));
    match c.program() {
        "sed" => match args.iter().position(|a| a == "-e" || a == "--expression") {
            Some(e) => skip.push(e + 1),
            None if !args.iter().any(|a| a == "-f") => skip.extend(first_operand),
            None => {}
        },
        "ln" if args.iter().any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('s')) => {
            skip.extend(first_operand)
        }
        _ => {}
    }
    let operands = args
        .iter()
        .enumerate()
        .filter(|(i, a)| !skip.contains(i) && !a.starts_with(['-', '+']) && !a.contains(['$', '=', ':']));
    let files = relative_files(c);
    // (a bare file name too, when it is a file the command works on: `chmod +x geckodriver`,
    // then `mv geckodriver /usr/local/bin/`)
    for (n, a) in operands.filter(|(n, a)| a.contains('/') || files.contains(&(c.effective_start() + 1 + n))) {
        // (a bare name is only looked for among the moves, where the folder it is in is known)
        let bare = !a.contains('/');
        if bare && (cwd.is_none() || a.as_str() == "." || a.as_str() == "..") {
            continue;
        }
        let relative = !a.starts_with('/');
        let path = match cwd {
            Some(at) => resolve_path(at, a),
            None if relative => return Err(unplaced(ins, c, a, "after a `cd` shiplight cannot follow", AFTER_CD)),
            None => a.clone(),
        };
        // (a file [`placed`] writes out from the folder it ran in is not)
        let written_out = cwd.is_some_and(|at| !moved_away(earlier, at, &path))
            && relative_files(c).contains(&(c.effective_start() + 1 + n));
        if relative && cwd != Some(workdir) && !written_out && !bare {
            return Err(unplaced(ins, c, a, "after a `cd`, and the runtime's RUN does not `cd`", AFTER_CD));
        }
        let moved = later.iter().filter(|l| l.program() == "mv").find_map(|l| {
            let args: Vec<&String> = l.args().iter().filter(|x| !x.starts_with('-')).collect();
            let (dest, sources) = args.split_last()?;
            let source = sources.iter().map(|s| resolve_path(cwd.unwrap_or(workdir), s)).find(|s| within(&path, s))?;
            // into a folder: the destination ends with `/`, or several sources go there
            let into = (dest.ends_with('/') || sources.len() > 1) && !dest.contains('$');
            let name = source.rsplit('/').next().unwrap_or_default();
            let landed = into.then(|| {
                let folder = resolve_path(cwd.unwrap_or(workdir), dest);
                format!("{}/{name}{}", folder.trim_end_matches('/'), &path[source.len()..])
            });
            Some((source, landed))
        });
        match moved {
            Some((_, Some(there))) => landed.push((c.effective_start() + 1 + n, there)),
            Some((source, None)) => {
                let why = format!("and a later `mv` of this RUN moves `{source}` away");
                return Err(unplaced(ins, c, a, &why, "write it after the `mv`, naming the path where it lands"));
            }
            None => {}
        }
    }
    Ok(landed)
}

const AFTER_CD: &str = "write the path out from `/` (or set it up in a RUN of its own, after a WORKDIR)";

fn unplaced(ins: &Instruction, c: &shell::SimpleCommand, path: &str, why: &str, fix: &str) -> Outcome {
    Outcome::refused(
        Reason::MixedRun,
        format!(
            "line {}: the runtime stage would rerun `{}`, which sets up `{path}` {why}; {fix} and ask again",
            ins.line,
            c.words.join(" ")
        ),
    )
}

/// A build RUN of the stage after `ins`: its line and the build command it runs.
fn later_build(s: &Survey, ins: &Instruction) -> Option<(usize, String)> {
    let at = s.stage.instructions.iter().position(|i| std::ptr::eq(i, ins))?;
    (at + 1..s.stage.instructions.len()).find(|&n| s.is_build_run(n)).and_then(|n| {
        let c = s.scripts[n].as_ref()?.commands.iter().find(|c| roles::runs_build(c))?;
        Some((s.stage.instructions[n].line, c.words.join(" ")))
    })
}

/// Whether a runtime line is a RUN that installs with apt from lists fetched before it: an
/// install with no `update` of its own before it in the RUN.
fn installs_from_lists(line: &str) -> bool {
    // (the line as written: the comments above it come with it)
    let text = line.lines().skip_while(|l| l.trim_start().starts_with('#') || l.trim().is_empty());
    let text: Vec<&str> = text.collect();
    let Some(script) = text.join("\n").strip_prefix("RUN ").map(str::to_owned) else { return false };
    let script = script.replace("\\\n", " ");
    for c in shell::parse(&script).commands {
        match Manager::of(&c) {
            Some(m) if m.is_apt() && c.subcommand() == Some("update") => return false,
            Some(m) if m.is_apt() && crate::dockerfile::packages::system_install(&c).is_some() => return true,
            _ => {}
        }
    }
    false
}

/// Whether the files a set-up command works on are removed later in the RUN: a download
/// made executable and run, then deleted (nginx unit's `chmod +x rustup-init`, then `rm
/// rustup-init`), is the build's, and the runtime has no such file to set up.
fn removed_after(c: &shell::SimpleCommand, later: &[shell::SimpleCommand]) -> bool {
    let paths: Vec<&String> =
        c.args().iter().filter(|a| !a.starts_with(['-', '+']) && !a.chars().all(|ch| ch.is_ascii_digit())).collect();
    !paths.is_empty() && paths.iter().all(|p| later.iter().any(|l| removes(l, p)))
}

/// Whether a command is an `rm` of `path` or of a folder it lies in (never of `/` itself).
fn removes(c: &shell::SimpleCommand, path: &str) -> bool {
    c.program() == "rm"
        && c.args().iter().any(|r| !r.starts_with('-') && !r.trim_end_matches('/').is_empty() && within(path, r))
}

/// Whether a folder a `mkdir` makes is for the program, not the build: absolute, not in the
/// build's scratch folders (`/tmp/build`), not one the RUN works in (`cd`), clones into or
/// removes, and neither in nor holding an artifact the runtime copies (whose COPY makes it,
/// and a `mkdir` without `-p` would then fail). openresty makes `/var/run/openresty` after its
/// installs for nginx's temporary files; serge makes `/usr/src/app/weights` in its working
/// folder, which its start-up lists (round 56, held out): the runtime needs them as much as
/// the program. (A build folder made there and left empty costs nothing.)
fn made_for_the_program(made: &[&str], commands: &[shell::SimpleCommand], arts: &[Artifact]) -> bool {
    let top = |a: &str| a.trim_end_matches('/').is_empty();
    let worked_in = |m: &str| {
        commands.iter().any(|c| {
            let operands = || c.args().iter().filter(|a| !a.starts_with('-') && !top(a));
            match c.program() {
                "cd" | "pushd" => operands().any(|a| within(a, m) || within(m, a)),
                "git" => operands().any(|a| within(a, m)),
                "rm" => removes(c, m),
                _ => false,
            }
        })
    };
    made.iter().any(|m| {
        m.starts_with('/')
            && !m.contains('$')
            && !artifacts::SCRATCH.iter().any(|s| within(m, s))
            && !worked_in(m)
            && !arts.iter().any(|a| within(m, &a.to) || within(&a.to, m))
    })
}

/// Where pip installs when told to install for the user: `PIP_USER` set true by an ENV before
/// the RUN, or `--user` on a pip install of the RUN. Then PYTHONUSERBASE, as the ENVs set it,
/// is where its packages and scripts land; `None` when pip is not told so, a refusal when the
/// user base is not written in the file (pip's default is the user's home).
fn pip_user_base(s: &Survey, ins: &Instruction, script: &shell::Script) -> Result<Option<String>, Outcome> {
    let mut env: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for e in s.stage.instructions.iter().take_while(|i| i.line < ins.line).filter(|i| i.kind == Kind::Env) {
        for kv in e.pairs() {
            env.insert(kv.key.clone(), kv.value.clone().unwrap_or_default());
        }
    }
    use crate::dockerfile::packages::{pip_install, pip_user_env, pip_user_flag};
    let pips = script.commands.iter().any(|c| pip_install(c).is_some());
    let told = env.get("PIP_USER").is_some_and(|v| pip_user_env(v)) || script.commands.iter().any(pip_user_flag);
    if !pips || !told {
        return Ok(None);
    }
    match env.get("PYTHONUSERBASE").filter(|b| b.starts_with('/') && !b.contains('$')) {
        Some(b) => Ok(Some(b.trim_end_matches('/').to_owned())),
        None => Err(Outcome::refused(
            Reason::UnknownArtifact,
            format!(
                "line {}: pip installs for the user here (PIP_USER or --user), into a home folder the file does not name; set PYTHONUSERBASE to a folder of its own and ask again",
                ins.line
            ),
        )),
    }
}

/// Whether a command is an apt install that takes Recommends: no `--no-install-recommends`
/// and no `-o APT::Install-Recommends=false` (a base's apt.conf cannot be seen here).
fn takes_recommends(c: &shell::SimpleCommand) -> bool {
    let Some((m, _)) = crate::dockerfile::packages::system_install(c) else { return false };
    m.is_apt()
        && !c.args().iter().any(|a| {
            let a = a.to_ascii_lowercase();
            a == "--no-install-recommends"
                || a.strip_prefix("apt::install-recommends=").is_some_and(|v| matches!(v, "false" | "0" | "no"))
        })
}

/// Interpreters and launchers that run a project from its folder (`npm start`, `node
/// index.js`, `python app.py`).
const LAUNCHERS: &[&str] = &[
    "node", "npm", "yarn", "pnpm", "python", "python3", "ruby", "bundle", "rails", "java", "php", "perl", "sh", "bash",
    "ash", "dash",
];

/// The folder of an in-place build, when the program runs from it: the build ran in a
/// project folder (not `/`, `/usr/local`, `/tmp`), and the CMD/ENTRYPOINT names a path in
/// it, or runs `./program` or an interpreter with the folder as the WORKDIR. The folder is
/// copied whole: sources, what was built and the dependencies installed next to them.
fn in_place(workdirs: &[(&Instruction, String)], dir: Option<&str>) -> Option<String> {
    let dir = dir.filter(|d| artifacts::is_project_folder(d))?;
    let runs_from =
        workdirs.iter().filter(|(i, _)| matches!(i.kind, Kind::Cmd | Kind::Entrypoint)).any(|(ins, workdir)| {
            let words = ins.command_words();
            let here = workdir == dir
                && words
                    .first()
                    .is_some_and(|w| w.starts_with("./") || LAUNCHERS.contains(&w.rsplit('/').next().unwrap_or(w)));
            here || words.iter().any(|w| w.starts_with('/') && within(w, dir))
        });
    runs_from.then(|| dir.to_owned())
}

/// Each instruction of the image (the split stage and those built FROM it) with the WORKDIR in
/// force after it, its ARG and ENV values read (`WORKDIR $APP_PATH`).
fn workdirs<'a>(df: &Dockerfile, s: &Survey<'a>) -> Vec<(&'a Instruction, String)> {
    let mut workdir = "/".to_owned();
    let mut vars = fetch::global_args(df);
    let mut out = Vec::new();
    for ins in s.instructions() {
        fetch::take_values(ins, &mut vars);
        if ins.kind == Kind::Workdir {
            workdir = fetch::next_workdir(ins, &workdir, &vars);
        }
        out.push((ins, workdir.clone()));
    }
    out
}

/// Write the runtime stage's own lines (its packages, the artifacts' COPYs, the virtualenv,
/// the set-up) into the split, and say why.
fn assemble(df: &Dockerfile, inputs: &super::Inputs, s: &Survey, last: usize, mut out: Split) -> Result<Plan, Outcome> {
    let stage = s.stage;
    let (_, build_name, _) = super::stage_names(df, stage);
    let in_context = ship_folders(df, s, &mut out, &build_name);
    // the browsers a Node install downloads outside the project (Puppeteer's Chrome)
    let node_installs =
        s.scripts.iter().flatten().flat_map(|sc| &sc.commands).any(|c| packages::node_install(c).is_some());
    if node_installs && !(out.arts.is_empty() && in_context.is_empty()) {
        let json: Option<serde_json::Value> = inputs.package_json.as_deref().and_then(|j| serde_json::from_str(j).ok());
        if let Some(dir) = super::node::puppeteer_cache(stage, json.as_ref(), None)? {
            out.arts.push(Artifact { from: dir.clone(), to: dir });
        }
    }
    if out.arts.is_empty() && in_context.is_empty() {
        let last = s.built;
        let line = stage.instructions[last].line;
        // a build in a project folder (a checkout with its `npm ci`) whose use the program's
        // command does not show: the advice is about that folder, not about install steps.
        // With no WORKDIR of its own (nor a `cd /…`) the stage works in its base image's
        // working folder, which is not seen here.
        let absolute_cd = s.scripts[last].iter().flat_map(|sc| &sc.commands).any(|c| {
            c.program() == "cd" && c.args().iter().find(|a| !a.starts_with('-')).is_some_and(|a| a.starts_with('/'))
        });
        let own_workdir = absolute_cd || stage.instructions[..last].iter().any(|i| i.kind == Kind::Workdir);
        let message = match out.built_in.as_deref().filter(|d| artifacts::is_project_folder(d)) {
            Some(dir) if !own_workdir => format!(
                "line {line}: the build ran in `{}` under the working folder of `{}`, and nothing shows that the program runs from there (its CMD or ENTRYPOINT names no path in it), so shiplight cannot tell whether the folder is what ships; set WORKDIR and name a path in it in the CMD or ENTRYPOINT, or copy what it builds to an absolute path, and ask again",
                dir.trim_start_matches('/'),
                s.base
            ),
            Some(dir) => format!(
                "line {line}: the build ran in `{dir}`, and nothing shows that the program runs from there (its CMD or ENTRYPOINT names no path in it), so shiplight cannot tell whether the folder is what ships; name a path in it in the CMD or ENTRYPOINT (or WORKDIR there and run it), or copy what it builds to an absolute path, and ask again"
            ),
            None => format!(
                "line {line}: shiplight cannot tell what this build produces; install it with `make install` (a `--prefix`), `cp`/`install` to an absolute path, or `-o /path` and ask again"
            ),
        };
        return Err(Outcome::refused(Reason::UnknownArtifact, message));
    }
    let mut artifact_at = out.artifact_at.unwrap_or(out.runtime.len());
    // an artifact inside another, in the build stage as in the runtime, is already copied
    // (not `/go/bin` → `/usr/local/bin` beside `/usr/local`: rengine's Go tools)
    let inside = |a: &Artifact, b: &Artifact| {
        a.to.starts_with(&format!("{}/", b.to)) && a.from.starts_with(&format!("{}/", b.from.trim_end_matches('/')))
    };
    let mut kept: Vec<Artifact> = Vec::new();
    for a in &out.arts {
        if !out.arts.iter().any(|b| b.to != a.to && inside(a, b)) && !kept.iter().any(|k| k.to == a.to) {
            kept.push(a.clone());
        }
    }
    let left_out = copies_into_shipped_folders(&mut out, &kept, &in_context, &build_name, artifact_at);
    let owners = chown_on_copy(&kept, &mut out.setup, out.early);
    let copies: Vec<String> = kept
        .iter()
        .zip(owners)
        .map(|(a, owner)| {
            let chown = owner.map(|o| format!("--chown={o} ")).unwrap_or_default();
            format!("COPY --from={build_name} {chown}{} {}", a.from, a.to)
        })
        .collect();
    let runtime_image = runtime_base(&s.base);
    conda_prefix_copied(s, &runtime_image, &kept, stage.instructions[last].line)?;
    if let Some(found) = &inputs.runtime_libs {
        for (package, _) in found {
            if !package.is_empty() && !out.runtime_pkgs.contains(package) {
                out.runtime_pkgs.push(package.clone());
            }
        }
    }
    // a toolchain image (golang, rust, gcc: buildpack-deps underneath) has the CA
    // certificates and a slim Debian does not: a program that speaks TLS needs them (cfssl).
    // After the libraries, so the patch `--verify` builds is the one shown without it.
    let certificates = s.toolchain_base
        && s.manager.is_apt()
        && runtime_image != s.base
        && !out.runtime_pkgs.iter().any(|p| p == "ca-certificates");
    if certificates {
        out.runtime_pkgs.push("ca-certificates".into());
    }
    let openmp = openmp(df, s, inputs, &runtime_image, &out);
    if let Some(lib) = openmp {
        out.runtime_pkgs.push(lib.into());
    }
    artifact_at += install_runtime_packages(s, &runtime_image, &mut out);
    // the artifacts arrive where the last build ran (after the package RUN, if any, inserted
    // before it), then the system set-up
    let mut pos = (artifact_at + usize::from(!out.runtime_pkgs.is_empty())).min(out.runtime.len());
    for c in copies {
        out.runtime.insert(pos, c);
        pos += 1;
    }
    if out.venv {
        out.runtime.insert(pos, VENV_ENV.into());
        pos += 1;
    }
    if out.runtime_pkgs.is_empty() {
        out.setup.splice(0..0, std::mem::take(&mut out.answers));
    }
    if !out.setup.is_empty() {
        set_up_in_place(&mut out)?;
        out.runtime.insert(pos, as_root(stage, last, format!("RUN {}", out.setup.join(" \\\n    && "))));
    }
    let kept_toolchain = if out.dropped.is_empty() {
        format!("the toolchain of `{}` stays", s.base)
    } else {
        format!("{} stay", out.dropped.join(", "))
    };
    let mut rationale = vec![Rationale::new(
        "SL101",
        stage.instructions[s.first].line,
        format!(
            "{kept_toolchain} in the build stage; the runtime is `{runtime_image}` with {}",
            kept.iter()
                .map(|a| match a.to.as_str() {
                    "/" => format!(
                        "what the install wrote, staged in `{}` and copied over `/`",
                        a.from.trim_end_matches('/')
                    ),
                    to => format!("`{to}`"),
                })
                .chain(in_context.iter().map(|(dest, _)| format!("`{dest}` in place of its sources")))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )];
    let at = stage.instructions[last].line;
    if certificates {
        rationale.push(Rationale::new(
            "SL101",
            stage.line,
            format!("ca-certificates installed: `{}` has them and `{runtime_image}` does not", s.base),
        ));
    }
    if let Some(lib) = openmp {
        rationale.push(Rationale::new(
            "SL102",
            at,
            format!("{lib} installed: gcc's OpenMP runtime, which a CMake build links when it finds it (a guess that `--verify` replaces with the ELF needs of what the runtime copies)"),
        ));
    }
    rationale.extend(in_context.into_iter().map(|(_, said)| said));
    rationale.extend(runtime::libraries_rationale(inputs, s, &runtime_image, &out, at));
    rationale.extend(rebase(df, s, &mut out, &build_name)?);
    rationale.extend(left_out);
    out.runtime.retain(|l| l != LEFT_OUT);
    let mut plan = Plan::new("install", df, stage, &s.base, &runtime_image, out.build, out.runtime, rationale);
    plan.rebased = s.rebased.iter().map(|&si| (si, build_name.clone())).collect();
    Ok(plan)
}

/// What a runtime line left out becomes until the plan is written.
const LEFT_OUT: &str = "\u{0}";

/// The runtime's COPYs (and ADDs) before the last build into a folder that comes whole from the
/// build stage (a project folder built in place, its in-context COPY taken from there): the
/// build stage ran the same COPY before it built, so the folder brings what it wrote, and a
/// second layer of the same files would only add to the image (motor-admin's UI assets, copied
/// from two other stages into `/opt/motor-admin`, held out in round 69). One before the copy of
/// that folder stays when a RUN between them may read what it wrote. The comments above a
/// COPY left out stay.
fn copies_into_shipped_folders(
    out: &mut Split,
    kept: &[Artifact],
    in_context: &[(String, Rationale)],
    build_name: &str,
    artifact_at: usize,
) -> Option<Rationale> {
    // each folder copied whole, and where in the runtime its copy is
    let mut whole: Vec<(&str, usize)> =
        kept.iter().filter(|a| a.from == a.to && a.to != "/").map(|a| (a.to.as_str(), artifact_at)).collect();
    let from_build = format!("--from={build_name} ");
    for (dest, _) in in_context {
        if let Some(at) = out.runtime.iter().position(|l| l.contains(&from_build) && l.ends_with(&format!(" {dest}"))) {
            whole.push((dest.as_str(), at));
        }
    }
    let runs = |from: usize, to: usize| {
        out.runtime[from.min(to)..to].iter().any(|l| l.lines().any(|w| w.trim_start().starts_with("RUN")))
    };
    let mut gone: Vec<(usize, String, usize)> = Vec::new();
    for (i, dest, line) in &out.layered {
        if out.runtime[*i].contains(&from_build) {
            continue;
        }
        if let Some((folder, _)) = whole.iter().find(|(f, at)| within(dest, f) && (i > at || !runs(i + 1, *at))) {
            gone.push((*i, folder.to_string(), *line));
        }
    }
    let (_, _, first) = gone.first().cloned()?;
    let mut folders: Vec<String> = Vec::new();
    for (i, folder, _) in gone {
        let text = &out.runtime[i];
        let comments: Vec<&str> =
            text.lines().take_while(|l| l.trim_start().starts_with('#') || l.trim().is_empty()).collect();
        out.runtime[i] = if comments.is_empty() { LEFT_OUT.to_owned() } else { comments.join("\n") };
        if !folders.contains(&folder) {
            folders.push(folder);
        }
    }
    Some(Rationale::new(
        "SL101",
        first,
        format!(
            "the runtime's COPYs into {} before the build are left out: that folder comes whole from the build stage, with what they brought",
            folders.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
        ),
    ))
}

/// Refused: the runtime would copy conda's prefix, `/opt/conda`, onto the image that already
/// fills it (a conda image has no slim variant, so the runtime is the build's own image): the
/// COPY would add the image's Python and packages a second time (PyTorch's are gigabytes),
/// and the patch would be heavier than the file (round 55's stable-diffusion-webui-docker
/// `comfy`, held out; round 49's F5-TTS).
fn conda_prefix_copied(s: &Survey, runtime_image: &str, kept: &[Artifact], line: usize) -> Result<(), Outcome> {
    let copies_prefix = kept.iter().any(|a| a.to == "/opt/conda" || a.from == "/opt/conda");
    if runtime_image == s.base && runtime::conda_image(&s.base) && copies_prefix {
        return Err(Outcome::refused(
            Reason::SystemPrefix,
            format!(
                "line {line}: pip installs into conda's prefix `/opt/conda`, which `{}` already fills with its Python and packages; the runtime is that image too (it has no slim variant), so copying the prefix would add them a second time and the image would grow: install into a virtualenv of its own (`python -m venv --system-site-packages /opt/venv`) and ask again",
                s.base
            ),
        ));
    }
    Ok(())
}

/// gcc's OpenMP runtime, for a CMake build's artifacts ([`libraries::openmp_runtime`]): not
/// under `--verify` (the ELF needs say), nor when the runtime is the build's own image and
/// that image has gcc, nor when the runtime installs it already.
fn openmp(
    df: &Dockerfile,
    s: &Survey,
    inputs: &super::Inputs,
    runtime_image: &str,
    out: &Split,
) -> Option<&'static str> {
    let instructions: Vec<&Instruction> = s.instructions().collect();
    let gcc_base = s.toolchain_base || libraries::has_gcc(&s.base);
    libraries::openmp_runtime(&df.text, &instructions, gcc_base, s.manager).filter(|lib| {
        inputs.runtime_libs.is_none()
            && !(gcc_base && runtime_image == s.base)
            && !out.runtime_pkgs.iter().any(|p| p == lib)
    })
}

/// The stages built FROM the split stage that build and do not ship ([`Survey::rebased`])
/// are built FROM the build stage, which is then the stage as written, every instruction
/// (its CMD, what follows the build): what they were built FROM before. Refused when the
/// split edits a build RUN (a staged install, a virtualenv), which they would not expect.
fn rebase(df: &Dockerfile, s: &Survey, out: &mut Split, build_name: &str) -> Result<Vec<Rationale>, Outcome> {
    let Some(&first) = s.rebased.first() else { return Ok(Vec::new()) };
    let names = || s.rebased.iter().map(|&si| format!("`{}`", df.stages[si].label())).collect::<Vec<_>>().join(", ");
    if out.edited {
        return Err(Outcome::refused(
            Reason::InheritedStage,
            format!(
                "line {}: stage {} is built FROM `{}` and builds with its toolchain, and the split changes how the build installs, which that stage does not expect; build it in a stage of its own and ask again",
                df.stages[first].line,
                names(),
                s.stage.label()
            ),
        ));
    }
    out.build = s.stage.instructions.iter().map(|i| df.source(i).trim_end().replace("\r\n", "\n")).collect();
    Ok(vec![Rationale::new(
        "SL101",
        df.stages[first].line,
        format!(
            "{} built FROM `{build_name}`, which is `{}` as written: {} with the toolchain, which the shipped stage no longer has",
            names(),
            s.stage.label(),
            if s.rebased.len() == 1 { "it builds" } else { "they build" }
        ),
    )])
}

/// The project folders that ship from the build stage as they are (what [`assemble`] says of
/// them), each as an artifact, or in place of the runtime's COPY of its sources from the build
/// context ([`context_copy_from_build`]); the folders so copied, with why.
fn ship_folders(df: &Dockerfile, s: &Survey, out: &mut Split, build_name: &str) -> Vec<(String, Rationale)> {
    // A project folder a build wrote into comes whole, beside what the build installed
    // elsewhere, when the program runs from it (dawarich's `vendor/bundle` and precompiled
    // assets under /var/app, next to its gems in /usr/local/bundle), or when an interpreted
    // app's tool built there and the image's last WORKDIR is in it (crater's php-fpm in
    // /var/www; Flowise's worker, built in /usr/src before a WORKDIR of its health check).
    // Not when an artifact already is in it or it is in one (the jar `jar` wrote into /app).
    let workdirs = workdirs(df, s);
    let last_workdir = workdirs.last().map_or("/", |(_, w)| w.as_str());
    let mut folders: Vec<(String, bool)> = out.wrote_in.clone();
    if let Some(dir) = out.built_in.clone().filter(|d| out.arts.is_empty() && !folders.iter().any(|(f, _)| f == d)) {
        folders.push((dir, false));
    }
    let mut in_context: Vec<(String, Rationale)> = Vec::new();
    // a folder a build wrote into, with nothing of its own installed elsewhere, ships when
    // the runtime copies the context there on an interpreter's official image: the app runs
    // from its sources, with what its builds wrote beside them (onadata's documentation); a
    // compiled program's build folder holds its intermediates
    let interpreted = matches!(official_or_arch(&s.base).as_deref(), Some("python" | "ruby" | "node" | "php"));
    for (dir, app) in folders {
        // a staging root copied over `/` holds only what the install wrote
        let overlaps =
            |arts: &[Artifact]| arts.iter().filter(|a| a.to != "/").any(|a| within(&dir, &a.to) || within(&a.to, &dir));
        let found = in_place(&workdirs, Some(&dir))
            .or_else(|| (app && artifacts::is_project_folder(&dir) && within(last_workdir, &dir)).then(|| dir.clone()))
            .or_else(|| out.editable.contains(&dir).then(|| dir.clone()));
        if overlaps(&out.arts) || in_context.iter().any(|(dest, _)| within(&dir, dest)) {
            continue;
        }
        let built = out.built_only.iter().find(|(d, _, _)| *d == dir).cloned();
        match (found, built) {
            (Some(dir), _) => match context_copy_from_build(out, &dir, build_name) {
                Some((line, dest)) => in_context.push((dest.clone(), Rationale::new(
                    "SL101",
                    line,
                    format!("`{dest}` comes from the build stage, where this line copied it from the build context: the program runs from `{dir}`, with what the build wrote there"),
                ))),
                None => out.arts.push(Artifact { from: dir.clone(), to: dir }),
            },
            (None, Some((_, built_at, command))) if interpreted && artifacts::is_project_folder(&dir) => {
                if let Some((line, dest)) = context_copy_from_build(out, &dir, build_name) {
                    in_context.push((dest.clone(), Rationale::new(
                        "SL101",
                        line,
                        format!("`{dest}` comes from the build stage, where this line copied it from the build context: the build on line {built_at} (`{command}`) wrote into `{dir}`"),
                    )));
                }
            }
            _ => {}
        }
    }
    in_context
}

/// The runtime's last COPY of the build context into a project folder that holds a folder that
/// ships from the build stage (onadata's checkout in `/srv/onadata`, where `make -C docs html`
/// writes the documentation it serves) takes its folder from there instead, sources and what
/// the build wrote, at the same place: the set-up after it sees it as it did, and the sources
/// do not ship twice. The COPY keeps the comments written above it and the owner and mode it
/// gave (`--chown`, `--chmod`: a COPY from a stage gives root otherwise). Its line and the
/// folder it copies, `None` when no COPY of the context writes there.
fn context_copy_from_build(out: &mut Split, dir: &str, build_name: &str) -> Option<(usize, String)> {
    let (index, line, dest, flags) = out
        .context_copies
        .iter()
        .rev()
        .find(|(_, _, dest, _)| within(dir, dest) && artifacts::is_project_folder(dest))
        .cloned()?;
    let dest = dest.trim_end_matches('/');
    let comments: String = out.runtime[index]
        .lines()
        .take_while(|l| l.trim_start().starts_with('#') || l.trim().is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    out.runtime[index] = format!("{comments}COPY --from={build_name} {flags}{dest} {dest}");
    Some((line, dest.to_owned()))
}

/// The owner each artifact's COPY gives what it brings: a recursive `chown` of the artifact's
/// folder that the runtime would rerun after the COPY (openemr's `chown -R apache openemr/`)
/// writes the whole tree again, into a layer of its own, so the COPY takes the owner
/// (`COPY --chown=apache`) and the command leaves the set-up. Not when the set-up makes that
/// user or group: the COPY runs before it.
fn chown_on_copy(kept: &[Artifact], setup: &mut Vec<String>, early: usize) -> Vec<Option<String>> {
    let mut owners: Vec<Option<String>> = vec![None; kept.len()];
    let made: Vec<String> = setup
        .iter()
        .flat_map(|t| shell::parse(t).commands)
        .filter(|c| matches!(c.program(), "useradd" | "adduser" | "groupadd" | "addgroup"))
        .flat_map(|c| c.args().to_vec())
        .collect();
    let mut taken: Vec<usize> = Vec::new();
    // (the set-up of the RUNs before the build runs before the artifacts arrive)
    for (n, text) in setup.iter().enumerate().skip(early) {
        let script = shell::parse(text);
        let [c] = &script.commands[..] else { continue };
        let args = c.args();
        let recursive = args.iter().any(|a| a == "-R" || a == "--recursive");
        let operands: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
        let [owner, path] = operands[..] else { continue };
        let ours = owner.split(':').all(|part| !made.iter().any(|m| m == part));
        if c.program() != "chown" || !recursive || owner.contains('$') || !ours {
            continue;
        }
        let path = path.trim_end_matches('/');
        let at = (0..kept.len()).find(|&i| kept[i].to.trim_end_matches('/') == path && owners[i].is_none());
        if let Some(at) = at {
            owners[at] = Some(owner.clone());
            taken.push(n);
        }
    }
    for n in taken.into_iter().rev() {
        setup.remove(n);
    }
    owners
}

/// The runtime's package RUN, where the first build RUN ran (debconf's answers before its
/// install), then the set-up of the RUNs before the build: how many lines that set-up
/// added (the package RUN itself is counted by the caller).
fn install_runtime_packages(s: &Survey, runtime_image: &str, out: &mut Split) -> usize {
    if out.runtime_pkgs.is_empty() {
        return 0;
    }
    let held = held_back(&out.runtime_pkgs);
    let mut line = libraries::install_line(s.manager, &out.runtime_pkgs, out.recommends.then_some(&held[..]));
    if !out.sources.is_empty() {
        // the base had the tools the set-up runs (buildpack-deps' curl and gnupg); a slimmer
        // runtime installs them first
        if runtime_image != s.base {
            let front: Vec<String> = source_tools(&out.sources)
                .into_iter()
                .filter(|t| !out.before_sources.iter().any(|b| b == t))
                .map(str::to_owned)
                .collect();
            out.runtime_pkgs.retain(|p| !front.contains(p));
            out.runtime_pkgs.splice(0..0, front.iter().cloned());
            out.before_sources.extend(front);
        }
        line = with_sources(s.manager, out, &held);
    }
    let at = out.install_at.unwrap_or(0);
    // a later RUN the runtime keeps installs from the lists this one fetched (GNS3's
    // `apt-get install -y vpcs ubridge dynamips`, with no update of its own): they stay,
    // as they did in the original
    if s.manager.is_apt() && out.runtime.get(at..).is_some_and(|later| later.iter().any(|r| installs_from_lists(r))) {
        line = line.replace(" \\\n    && rm -rf /var/lib/apt/lists/*", "");
    }
    if !out.answers.is_empty() {
        line = line.replacen("RUN ", &format!("RUN {} \\\n    && ", out.answers.join(" \\\n    && ")), 1);
    }
    out.runtime.insert(at, as_root(s.stage, s.first, line));
    // the set-up of the RUNs before the build, where they ran; not one that names a file
    // relative to its folder, which the runtime's set-up RUN checks
    let relative = |c: &String| out.setup_relative.iter().any(|r| c.contains(r.command.as_str()));
    if out.early == 0 || out.setup[..out.early].iter().any(relative) {
        return 0;
    }
    let early: Vec<String> = out.setup.drain(..out.early).collect();
    out.runtime.insert(at + 1, as_root(s.stage, s.first, format!("RUN {}", early.join(" \\\n    && "))));
    1
}

/// The packages of the programs a package source's set-up runs (`curl … | bash -`, `gpg
/// --dearmor`, `add-apt-repository`), and the CA certificates an `https://` fetch checks.
fn source_tools(sources: &[String]) -> Vec<&'static str> {
    let mut tools: Vec<&'static str> = Vec::new();
    for text in sources {
        let script = shell::parse(text);
        for c in &script.commands {
            let tool = match c.program() {
                "curl" => Some("curl"),
                "wget" => Some("wget"),
                "gpg" | "gpg2" => Some("gnupg"),
                "add-apt-repository" | "apt-add-repository" => Some("software-properties-common"),
                _ => None,
            };
            let https = c.words.iter().any(|w| w.starts_with("https://"));
            for t in tool.into_iter().chain(https.then_some("ca-certificates")) {
                if !tools.contains(&t) {
                    tools.push(t);
                }
            }
        }
    }
    tools
}

/// The runtime's package RUN when the build RUN set up where packages come from between its
/// installs: the packages installed before that first (`software-properties-common`, `curl`,
/// `gnupg`), then the set-up as written, then the rest from fresh lists.
fn with_sources(manager: Manager, out: &Split, held: &[String]) -> String {
    let recommends = out.recommends.then_some(held);
    let (before, after): (Vec<String>, Vec<String>) =
        out.runtime_pkgs.iter().cloned().partition(|p| out.before_sources.contains(p));
    // what comes from the sources is the toolchain's only: the runtime needs none of them
    if after.is_empty() {
        return libraries::install_line(manager, &before, recommends);
    }
    let keep_lists = |l: String| l.replace(" \\\n    && rm -rf /var/lib/apt/lists/*", "");
    let mut parts: Vec<String> = Vec::new();
    if !before.is_empty() {
        parts.push(
            keep_lists(libraries::install_line(manager, &before, recommends)).trim_start_matches("RUN ").to_owned(),
        );
    }
    parts.extend(out.sources.iter().cloned());
    parts.push(libraries::install_line(manager, &after, recommends).trim_start_matches("RUN ").to_owned());
    format!("RUN {}", parts.join(" \\\n    && "))
}

/// `run` as root where the stage's USER in force after instruction `at` is another user
/// (khoj's desktop image installs and sets up as root, then switches to `khoj` before the
/// build the runtime's set-up follows): `USER root`, the RUN, and the user back.
fn as_root(stage: &crate::dockerfile::Stage, at: usize, run: String) -> String {
    let user = stage.instructions[..=at.min(stage.instructions.len().saturating_sub(1))]
        .iter()
        .rev()
        .find(|i| i.kind == Kind::User)
        .and_then(|i| i.words().first().cloned());
    match user {
        Some(u) if !matches!(u.split(':').next(), Some("root" | "0")) => format!("USER root\n{run}\nUSER {u}"),
        _ => run,
    }
}

#[cfg(test)]
mod tests {
    use crate::patch::Reason;
    use crate::patch::{suggest, testing::answers, Outcome as O, Templates};

    fn patch(text: &str) -> crate::patch::Patch {
        match suggest(text, "Dockerfile", &Default::default(), &Templates::built_in()) {
            O::Patch(p) => p,
            other => panic!("no patch for\n{text}\n{other:?}"),
        }
    }

    /// What the runtime's apt install holds back: only the build metapackages a language
    /// package manager recommends, never a package the runtime's packages may depend on
    #[test]
    fn only_recommended_build_metapackages_are_held_back() {
        let v = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(super::held_back(&v(&["git-lfs", "curl", "libpq5"])).is_empty());
        assert_eq!(super::held_back(&v(&["python3-pip"])), v(&["build-essential", "python3-dev"]));
        assert_eq!(super::held_back(&v(&["bundler", "build-essential"])), v(&["ruby-dev"]));
        assert_eq!(super::held_back(&v(&["npm"])), v(&["build-essential"]));
    }

    /// uv installs as pip does (mediacms's `uv pip install -r requirements.txt` into the
    /// virtualenv VIRTUAL_ENV names; redash's and ArchiveBox's `uv sync` into
    /// UV_PROJECT_ENVIRONMENT): the environment is what the runtime copies
    #[test]
    fn uv_installs_land_in_their_environment() {
        let text = "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y build-essential libpq-dev && rm -rf /var/lib/apt/lists/*\nRUN pip install uv\nENV VIRTUAL_ENV=/opt/app\nRUN uv venv /opt/app\nENV PATH=\"/opt/app/bin:$PATH\"\nCOPY requirements.txt .\nRUN uv pip install -r requirements.txt\nCOPY . /app\nCMD [\"gunicorn\", \"app:app\"]\n";
        let rt = runtime(&patch(text));
        assert!(rt.contains("COPY --from=build /opt/app /opt/app"), "{rt}");
        assert!(rt.contains("libpq5") && !rt.contains("build-essential"), "{rt}");
        let sync = text
            .replace("ENV VIRTUAL_ENV=/opt/app\nRUN uv venv /opt/app\n", "ENV UV_PROJECT_ENVIRONMENT=/opt/app\n")
            .replace(
                "COPY requirements.txt .\nRUN uv pip install -r requirements.txt",
                "COPY pyproject.toml uv.lock ./\nRUN uv sync --frozen --no-install-project",
            );
        let rt = runtime(&patch(&sync));
        assert!(rt.contains("COPY --from=build /opt/app /opt/app"), "{rt}");
    }

    /// Round 40 (held out, on 2433551): rengine installs its Go tools through `xargs -L1 go
    /// install`, a build the split must see, whose binaries land in /go/bin beside pip's
    /// /usr/local (copied to /usr/local/bin, not covered by /usr/local's copy); yeti's
    /// development image runs `uv sync` on Ubuntu's Python, older than the project asks, so uv
    /// downloads one outside the environment: refused, not copied without its interpreter
    #[test]
    fn xargs_builds_are_builds_and_uv_needs_the_image_python() {
        let text = "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y python3-pip python3-dev gcc golang-go libpcap-dev\nRUN pip3 install maturin\nRUN printf 'github.com/p/naabu@latest\\n' | xargs -L1 go install -v\nCMD [\"naabu\"]\n";
        let rt = runtime(&patch(text));
        assert!(rt.contains("COPY --from=build /go/bin/ /usr/local/bin/"), "{rt}");
        assert!(!rt.contains("xargs"), "the build is not rerun in the runtime:\n{rt}");
        let uv = "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y python3-pip libmagic-dev gcc\nRUN pip3 install uv\nADD . /app\nWORKDIR /app\nRUN uv sync --all-groups\nCMD [\"uv\", \"run\", \"app\"]\n";
        let r = refusal(uv);
        assert_eq!(r.reason, Reason::UnknownArtifact, "{r:?}");
        assert!(r.message.contains("a Python uv may download outside it"), "{}", r.message);
        let on_python = uv.replace("FROM ubuntu:22.04", "FROM python:3.12").replace("python3-pip ", "");
        // on an official python image the Python rewriter gives the environment its own place
        assert!(runtime(&patch(&on_python)).contains("COPY --from=build /opt/venv /opt/venv"));
        // told to use only its own Python (InvokeAI's `UV_MANAGED_PYTHON=1`), uv's Pythons in
        // root's home come with the environment; the shell's limit before it is the build's
        let managed = uv
            .replace("WORKDIR /app\n", "WORKDIR /app\nENV UV_MANAGED_PYTHON=1 UV_PROJECT_ENVIRONMENT=/opt/venv\n")
            .replace("RUN uv sync", "RUN ulimit -n 30000 && uv sync");
        let rt = runtime(&patch(&managed));
        assert!(rt.contains("COPY --from=build /opt/venv /opt/venv\n"), "{rt}");
        assert!(rt.contains("COPY --from=build /root/.local/share/uv/python /root/.local/share/uv/python\n"), "{rt}");
        assert!(!rt.contains("ulimit"), "{rt}");
        // as another user, the home is not known
        let r = refusal(&managed.replace("RUN pip3 install uv\n", "RUN pip3 install uv\nUSER app\n"));
        assert!(r.message.contains("a Python uv may download outside it"), "{}", r.message);
        // a RUN between two builds that runs the environment's Python would run in the
        // runtime before the environment arrives
        let between = managed.replace(
            "CMD [",
            "ENV PATH=/opt/venv/bin:$PATH\nRUN python -c \"import app\"\nRUN uv pip install -e .\nCMD [",
        );
        let r = refusal(&between);
        assert_eq!(r.reason, Reason::MixedRun, "{r:?}");
        assert!(
            r.message.contains("line 9: `python -c import app` runs a program the build installs"),
            "{}",
            r.message
        );
    }

    /// The set-up a runtime reruns keeps its place (khoj's desktop image and snipe-it, tuning):
    /// debconf's answers come before the runtime's install, the user and folder made before
    /// the build are made again before the USER and WORKDIR that use them, set-up after a
    /// switch to another user runs as root, and a package source added between two installs
    /// is set up between them in the runtime's install too (khoj's computer image, scrypted);
    /// set up only under a condition, it is refused
    #[test]
    fn set_up_keeps_its_place_and_runs_as_root() {
        let text = "FROM debian:bookworm\nRUN echo \"tzdata tzdata/Areas select Etc\" | debconf-set-selections && apt-get update && apt-get install -y tzdata build-essential libpq-dev && useradd -m app && mkdir /opt/app && chown app /opt/app\nUSER app\nWORKDIR /opt/app\nCOPY . .\nRUN make && make install PREFIX=/opt/app/dist && ln -s /opt/app/dist/bin/app /opt/app/app\nCMD [\"/opt/app/dist/bin/app\"]\n";
        let rt = runtime(&patch(text));
        let answers = rt.find("debconf-set-selections").expect("the answers");
        let install = rt.find("apt-get install").expect("the install");
        let user = rt.find("RUN useradd -m app").expect("the user");
        assert!(answers < install && install < user && user < rt.find("USER app").unwrap(), "{rt}");
        // the link the build's RUN made, after the switch to `app`: as root, then back
        assert!(rt.contains("USER root\nRUN ln -s /opt/app/dist/bin/app /opt/app/app\nUSER app\n"), "{rt}");
        let ppa = text.replace(
            "apt-get install -y tzdata",
            "apt-get install -y software-properties-common && add-apt-repository ppa:x/y && apt-get install -y tzdata",
        );
        let rt = runtime(&patch(&ppa));
        let first = rt.find("apt-get install -y software-properties-common \\\n").expect(&rt);
        let source = rt.find("&& add-apt-repository ppa:x/y \\\n    && apt-get update").expect(&rt);
        let rest = rt.find("apt-get install -y tzdata libpq5").expect(&rt);
        assert!(first < source && source < rest && rest < rt.find("rm -rf /var/lib/apt/lists/*").unwrap(), "{rt}");
        assert!(!rt.contains("build-essential"), "{rt}");
        // a key fetched into a keyring folder the RUN makes, and the list that names it
        let key = text.replace(
            "apt-get install -y tzdata",
            "apt-get install -y curl gnupg && mkdir -p /etc/apt/keyrings && curl -fsSL https://example.org/key | gpg --dearmor -o /etc/apt/keyrings/x.gpg && echo \"deb [signed-by=/etc/apt/keyrings/x.gpg] https://example.org/apt stable main\" > /etc/apt/sources.list.d/x.list && apt-get update && apt-get install -y tzdata",
        );
        let rt = runtime(&patch(&key));
        let first = rt.find("apt-get install -y ca-certificates curl gnupg \\\n").expect(&rt);
        let folder = rt.find("&& mkdir -p /etc/apt/keyrings").expect(&rt);
        let fetched =
            rt.find("&& curl -fsSL https://example.org/key | gpg --dearmor -o /etc/apt/keyrings/x.gpg").expect(&rt);
        let listed = rt.find("> /etc/apt/sources.list.d/x.list").expect(&rt);
        let rest = rt.find("tzdata libpq5").expect(&rt);
        assert!(first < folder && folder < fetched && fetched < listed && listed < rest, "{rt}");
        // a vendor's set-up script piped to a shell (nodesource's)
        let node = text.replace(
            "apt-get install -y tzdata",
            "apt-get install -y curl && curl -fsSL https://deb.nodesource.com/setup_22.x | bash - && apt-get install -y nodejs tzdata",
        );
        let rt = runtime(&patch(&node));
        let first = rt.find("apt-get install -y ca-certificates curl \\\n").expect(&rt);
        let source = rt.find("&& curl -fsSL https://deb.nodesource.com/setup_22.x | bash - \\\n").expect(&rt);
        let rest = rt.find("apt-get install -y nodejs tzdata libpq5").expect(&rt);
        assert!(first < source && source < rest, "{rt}");
        let maybe =
            ppa.replace("&& add-apt-repository ppa:x/y", "&& if [ -n \"$PPA\" ]; then add-apt-repository $PPA; fi");
        let r = refusal(&maybe);
        assert_eq!(r.reason, Reason::MixedRun, "{r:?}");
        assert!(r.message.contains("sets up a package source in this RUN under a condition"), "{}", r.message);
    }

    /// samvera/hyrax pushes `hyrax-base`, which `hyrax-engine-dev` is built FROM to `bundle
    /// install`: that stage is built FROM the build stage, which keeps the toolchain; when
    /// it ships too, the split is refused
    #[test]
    fn a_shipped_stage_others_build_from_hands_them_the_build_stage() {
        let text = "FROM ruby:3.3 AS base\nRUN apt-get update && apt-get install -y build-essential libpq-dev\nWORKDIR /app\nCOPY Gemfile .\nRUN bundle install\nCMD [\"rails\", \"s\"]\n\nFROM base AS dev\nRUN bundle install --with development\n";
        let inputs = crate::patch::Inputs { targets: vec!["base".into()], ..Default::default() };
        let O::Patch(p) = suggest(text, "Dockerfile", &inputs, &Templates::built_in()) else {
            panic!("{:?}", suggest(text, "Dockerfile", &inputs, &Templates::built_in()))
        };
        assert!(p.patched.contains("\nFROM build AS dev\nRUN bundle install --with development\n"), "{}", p.patched);
        // shipped too, it gets a build stage of its own ([`crate::patch::twin`])
        let both = crate::patch::Inputs { targets: vec!["base".into(), "dev".into()], ..Default::default() };
        let O::Patch(p) = suggest(text, "Dockerfile", &both, &Templates::built_in()) else { panic!() };
        assert!(
            p.patched.contains("\nFROM build AS dev-build\nRUN bundle install --with development\n"),
            "{}",
            p.patched
        );
        assert!(p.patched.contains("\nFROM ruby:3.3-slim AS dev\n"), "{}", p.patched);
    }

    /// A shipped stage built FROM the split stage that runs a build tool's configuration
    /// (gpt-researcher's `pip config set global.timeout 60`) or Composer (kimai's
    /// `composer install`) compiles nothing: it follows the runtime stage as written; one
    /// that installs with pip may compile, and is refused as before
    #[test]
    fn a_shipped_stage_that_compiles_nothing_follows_the_runtime() {
        let text = "FROM python:3.11 AS base\nRUN apt-get update && apt-get install -y build-essential libpq-dev\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCMD [\"gunicorn\", \"app:app\"]\n\nFROM base AS web\nRUN pip config set global.timeout 60 && composer install\nUSER nobody\n";
        let both = crate::patch::Inputs { targets: vec!["base".into(), "web".into()], ..Default::default() };
        let O::Patch(p) = suggest(text, "Dockerfile", &both, &Templates::built_in()) else {
            panic!("{:?}", suggest(text, "Dockerfile", &both, &Templates::built_in()))
        };
        let (_, rest) = p.patched.split_once("\nFROM python:3.11-slim AS base\n").unwrap();
        assert!(rest.contains("FROM base AS web\nRUN pip config set global.timeout 60"), "{rest}");
        assert!(!rest.contains("build-essential"), "{rest}");
        // one that may compile gets a build stage of its own ([`crate::patch::twin`])
        let compiles = text.replace("pip config set global.timeout 60", "pip install uwsgi");
        let O::Patch(p) = suggest(&compiles, "Dockerfile", &both, &Templates::built_in()) else { panic!() };
        assert!(
            p.patched.contains("\nFROM build AS web-build\nRUN pip install uwsgi && composer install\n"),
            "{}",
            p.patched
        );
    }

    /// Round 67 (travis-api and notification-api, held out): `bundler install` is Bundler's
    /// `bundle install`; a gem installed with `--user-install` lands in a folder RubyGems'
    /// version decides (`~/.gem`, `~/.local/share/gem`), so it is refused; `poetry add`
    /// installs what it adds
    #[test]
    fn bundler_user_gems_and_poetry_add_are_builds_with_artifacts() {
        let ruby = "FROM ruby:3.2-slim\nRUN apt-get update && apt-get install -y --no-install-recommends gcc make libpq-dev && rm -rf /var/lib/apt/lists/*\nWORKDIR /app\nCOPY Gemfile Gemfile.lock /app/\nRUN bundler install --retry=3\nCOPY . /app\nCMD [\"./script/server\"]\n";
        let rt = runtime(&patch(ruby));
        assert!(rt.contains("COPY --from=build /usr/local/bundle /usr/local/bundle"), "{rt}");
        assert!(rt.contains("libpq5") && !rt.contains("gcc"), "{rt}");
        let user = ruby.replace("COPY . /app\n", "RUN gem install --user-install executable-hooks\nCOPY . /app\n");
        let r = refusal(&user);
        assert!(
            r.message.contains("`~/.gem` or `~/.local/share/gem`") && r.message.contains("GEM_HOME"),
            "{}",
            r.message
        );
        let python = "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev && rm -rf /var/lib/apt/lists/*\nWORKDIR /app\nCOPY pyproject.toml poetry.lock /app/\nRUN python -m venv /app/.venv && . /app/.venv/bin/activate && poetry install && poetry add wheel\nCOPY . /app\nCMD [\"/app/.venv/bin/gunicorn\", \"app:app\"]\n";
        let rt = runtime(&patch(python));
        assert!(
            rt.contains("COPY --from=build /app/.venv /app/.venv") || rt.contains("COPY --from=build /app /app"),
            "{rt}"
        );
        assert!(!rt.contains("build-essential") && !rt.contains("poetry add"), "{rt}");
    }

    /// A compiler that links a program where `-o` names is a build with an artifact
    #[test]
    fn a_compiler_linking_to_a_path_makes_the_artifact() {
        let text = "FROM debian:bookworm\nRUN apt-get update && apt-get install -y gcc libc6-dev libyaml-dev\nCOPY hello.c /src/hello.c\nRUN gcc -O2 -o /usr/local/bin/hello /src/hello.c -lyaml\nCMD [\"hello\"]\n";
        let rt = runtime(&patch(text));
        assert!(rt.contains("COPY --from=build /usr/local/bin/hello /usr/local/bin/hello"), "{rt}");
        assert!(rt.contains("libyaml-0-2") && !rt.contains("gcc"), "{rt}");
    }

    /// kobotoolbox's `npm config set cache … --global` writes npm's configuration: no install
    /// into the system's prefix
    #[test]
    fn only_installs_are_global_installs() {
        let c = crate::dockerfile::shell::parse("npm install -g pm2 && npm i --location=global x && yarn global add y && pnpm add --global z && npm config set cache /tmp/.npm --global && npm ci && npm ls -g").commands;
        let global: Vec<bool> = c.iter().map(super::artifacts::installs_globally).collect();
        assert_eq!(global, [true, true, true, true, false, false, false]);
    }

    /// Round 23 (znc/znc, held out): the install prefix comes from an ARG the configure step
    /// expands (`cmake .. ${CMAKEFLAGS}`), and the sources copied in are deleted by the build
    #[test]
    fn the_prefix_an_arg_gives_the_configure_step_is_the_artifact() {
        let text = "FROM alpine:3.20\nARG CMAKEFLAGS=\"-DWANT_X=YES -DCMAKE_INSTALL_PREFIX=/opt/znc\"\nARG MAKEFLAGS=\"\"\nCOPY . /znc-src\nRUN apk add --no-cache build-base cmake\nRUN cd /znc-src && mkdir build && cd build && cmake .. ${CMAKEFLAGS} && make $MAKEFLAGS -j$(nproc) && make install && cd / && rm -rf /znc-src\nCMD [\"/opt/znc/bin/znc\"]\n";
        let rt = runtime(&patch(text));
        assert!(rt.contains("COPY --from=build /opt/znc /opt/znc\n"), "{rt}");
        assert!(!rt.contains("/usr/local") && !rt.contains("COPY . /znc-src"), "{rt}");
        // a variable with no value known may set the prefix: refused, not guessed
        let unknown = text.replace("ARG CMAKEFLAGS=\"-DWANT_X=YES -DCMAKE_INSTALL_PREFIX=/opt/znc\"\n", "");
        let r = refusal(&unknown);
        assert_eq!(r.reason, Reason::UnknownArtifact, "{r:?}");
        assert!(r.message.contains("a variable of the configure step may set"), "{}", r.message);
    }

    /// openresty/docker-openresty: one RUN builds OpenSSL (`./config --prefix=…`, `make
    /// install_sw`), PCRE2 and OpenResty (no `--prefix`: under /usr/local) in turn, behind
    /// hooks its build arguments supply, then makes the folder nginx keeps its pid in. Each
    /// install comes from its own prefix, and the folder is made again in the runtime.
    #[test]
    fn each_install_of_a_run_comes_from_its_own_prefix() {
        let text = "FROM debian:bookworm\nARG HOOK=\"\"\nRUN apt-get update && apt-get install -y build-essential libpcre2-dev curl \\\n    && cd /tmp && curl -fSL https://x/openssl.tar.gz -o o.tgz && echo \"abc  o.tgz\" | shasum -a 256 --check && tar xzf o.tgz && cd openssl \\\n    && if [ -n \"${HOOK}\" ]; then eval $(echo ${HOOK}); fi \\\n    && ./config shared --prefix=/opt/resty/openssl && make && make install_sw \\\n    && cd /tmp/pcre && ./configure --prefix=/opt/resty/pcre && make && make install \\\n    && cd /tmp/resty && eval ./configure -j2 && make && make install \\\n    && mkdir -p /var/run/resty /tmp/scratch && ln -sf /dev/stdout /usr/local/resty/logs/access.log\nCMD [\"/usr/local/resty/bin/resty\"]\n";
        let rt = runtime(&patch(text));
        assert!(
            rt.contains("COPY --from=build /opt/resty/openssl /opt/resty/openssl\nCOPY --from=build /opt/resty/pcre /opt/resty/pcre\nCOPY --from=build /usr/local /usr/local\n"),
            "{rt}"
        );
        assert!(rt.contains("RUN mkdir -p /var/run/resty /tmp/scratch \\\n    && ln -sf /dev/stdout"), "{rt}");
        // a folder the build goes on to work in is the build's, not the program's
        let worked = text.replace("mkdir -p /var/run/resty /tmp/scratch", "mkdir -p /opt/work && cd /opt/work && cd /");
        assert!(!runtime(&patch(&worked)).contains("mkdir"), "{}", runtime(&patch(&worked)));
        let inside = text.replace("mkdir -p /var/run/resty /tmp/scratch", "cd /opt/src && mkdir -p /opt/src/logs");
        assert!(!runtime(&patch(&inside)).contains("mkdir"), "{}", runtime(&patch(&inside)));
        // configure steps in one folder decide together (nginx unit's main configure, then
        // `./configure go` for a module): the first's unknown options may set the prefix
        let module = text.replace("eval ./configure -j2", "./configure $OPTS && ./configure go --go-path=/go");
        assert_eq!(refusal(&module).reason, Reason::UnknownArtifact, "{}", refusal(&module).message);
        // a download set up, run and removed by the RUN is the build's (nginx unit's rustup)
        let rustup = text.replace("cd /tmp/pcre", "curl -O https://x/rustup-init && chmod +x rustup-init && ./rustup-init -y && rm rustup-init && cd /tmp/pcre");
        assert!(!runtime(&patch(&rustup)).contains("chmod"), "{}", runtime(&patch(&rustup)));
    }

    /// Round 28 (held out): GNS3's later RUN installs from the lists the rewritten install
    /// fetched (no update of its own), so they stay; apache/age's PGXS `make install` has no
    /// configure step or PREFIX, so the Makefile decides and the install is staged, unless a
    /// later build RUN (`make installcheck`) uses the installed files where they belong.
    #[test]
    fn round_28_lists_kept_and_makefile_installs_staged() {
        let gns3 = "FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y python3-pip python3-dev x11vnc\nRUN apt-get install -y vpcs\nCOPY . /server\nWORKDIR /server\nRUN pip3 install --break-system-packages -r requirements.txt\nCMD [\"python3\", \"-m\", \"gns3server\"]\n";
        let rt = runtime(&patch(gns3));
        assert!(rt.contains("python3-dev-\nRUN apt-get install -y vpcs\n") && !rt.contains("lists"), "{rt}");
        let age = "FROM postgres:18\nRUN apt-get update && apt-get install -y build-essential postgresql-server-dev-18 locales\nCOPY . /age\nWORKDIR /age\nRUN make install\nCMD [\"postgres\"]\n";
        let p = patch(age);
        assert!(p.patched.contains("RUN make DESTDIR=/opt/shiplight-root install\n"), "{}", p.patched);
        let rt = runtime(&p);
        assert!(rt.contains("COPY --from=build /opt/shiplight-root/ /\n") && !rt.contains("-dev"), "{rt}");
        let checked = age.replace("RUN make install\n", "RUN make install\nRUN make installcheck\n");
        let r = refusal(&checked);
        assert!(r.message.contains("line 6 (`make installcheck`) builds after it"), "{}", r.message);
        // a prefix the Makefile is given is where it installs
        let given = age.replace("RUN make install", "RUN make PREFIX=/opt/age install");
        assert!(runtime(&patch(&given)).contains("COPY --from=build /opt/age /opt/age\n"));
        // … and so is one a configure script of another name is given (snort3's)
        let script = age.replace("RUN make install", "RUN ./configure_cmake.sh --prefix=/opt/age && make install");
        assert!(runtime(&patch(&script)).contains("COPY --from=build /opt/age /opt/age\n"));
    }

    /// A distribution's Python with no virtualenv for it (Python 2, or a program that runs the
    /// system's Python): pip is staged with `--root` and the staging root copied over `/`; a
    /// command after it in the RUN that would look for what it installed is a refusal naming it
    #[test]
    fn pip_into_a_distribution_python_without_a_virtualenv_is_staged() {
        let text = "FROM alpine:3.8
RUN apk add --no-cache python py-pip gcc musl-dev
RUN pip install cheetah
CMD [\"python\", \"/srv/app.py\"]\n";
        let p = patch(text);
        assert!(p.patched.contains("RUN pip install --root=/opt/shiplight-root cheetah\n"), "{}", p.patched);
        let rt = runtime(&p);
        assert!(rt.contains("COPY --from=build /opt/shiplight-root/ /\n") && !rt.contains("gcc"), "{rt}");
        // Python 3 still gets its virtualenv
        let three = text.replace("python py-pip", "python3 py3-pip").replace("pip install", "pip3 install");
        assert!(patch(&three).patched.contains("python3 -m venv /opt/venv"));
        // a check of what pip installed, in the same RUN, would not find it staged
        let checked = text.replace("pip install cheetah", "pip install cheetah && python -c 'import Cheetah'");
        let r = refusal(&checked);
        assert!(r.message.contains("out of place for `python -c import Cheetah`"), "{}", r.message);
        // an editable install links the build stage's sources: not staged
        let editable = text.replace("pip install cheetah", "pip install -e /src");
        assert!(refusal(&editable).message.contains("use a virtualenv"));
    }

    /// A RUN after the build that fetches with a tool the runtime drops (jessfraz's
    /// couchpotato clones its program with git after its pip install) runs in the build
    /// stage, and the clone the program runs from is copied; so is an archive unpacked where
    /// the program runs (routersploit's `curl … | tar xz` in `/app`)
    #[test]
    fn fetches_after_the_build_move_to_it_and_what_they_fetched_ships() {
        let text = "FROM python:2-alpine
RUN apk add --no-cache gcc musl-dev git libxml2-dev
RUN pip install lxml
RUN git clone --depth 1 --branch master https://example.com/app.git /usr/src/app && (cd /usr/src/app && git checkout master)
WORKDIR /usr/src/app
ENTRYPOINT [\"python\", \"App.py\"]\n";
        let p = patch(text);
        let rt = runtime(&p);
        assert!(!rt.contains("git clone") && !rt.contains(" git"), "{rt}");
        assert!(rt.contains("COPY --from=build /usr/src/app /usr/src/app\n"), "{rt}");
        let unpacked = "FROM alpine:3.8
WORKDIR /app
RUN apk add -U build-base python python-dev curl && curl -sSL https://example.com/app.tar.gz | tar xz --strip 1 && pip install -r requirements.txt
ENTRYPOINT [\"/app/app.py\"]\n";
        let rt = runtime(&patch(unpacked));
        assert!(rt.contains("COPY --from=build /opt/shiplight-root/ /\nCOPY --from=build /app /app\n"), "{rt}");
    }

    /// Round 28 (Overv/openstreetmap-tile-server, held out): the shipped stage, built FROM a
    /// stage of runtime packages, installs a `-dev` package and builds nothing: the package
    /// becomes its library in place. One that builds there with a compiler is still refused.
    #[test]
    fn a_dev_package_of_a_stage_built_from_another_becomes_its_library() {
        let text = "FROM ubuntu:22.04 AS common\nRUN apt-get update && apt-get install -y curl\n\nFROM common AS final\nRUN apt-get update && apt-get install -y apache2 liblua5.3-dev && rm -rf /var/lib/apt/lists/*\nCMD [\"apache2ctl\", \"-D\", \"FOREGROUND\"]\n";
        let p = patch(text);
        assert!(p.patched.contains("FROM common AS final\n") && p.patched.contains("liblua5.3-0"), "{}", p.patched);
        assert!(!p.patched.contains("liblua5.3-dev"), "{}", p.patched);
        // (with a compiler: on a lineage with none, a build cannot have used the headers)
        let builds = text.replace("CMD [", "RUN apt-get update && apt-get install -y gcc make && make -C /src\nCMD [");
        let r = refusal(&builds);
        assert!(r.message.contains("the stage that ships is built FROM another stage"), "{}", r.message);
    }

    /// Round 23 (cloudflare/cfssl, held out): a clone kept where the build put it is shipped,
    /// a folder's contents copied into /usr/bin are that folder's (not the build image's
    /// whole /usr/bin), and a pattern into a system folder is refused
    #[test]
    fn clones_kept_and_folder_contents_are_the_artifacts() {
        let text = "FROM golang:1.20\nWORKDIR /workdir\nCOPY . /workdir\nRUN git clone https://github.com/cloudflare/cfssl_trust.git /etc/cfssl && \\\n    make clean && make all && cp bin/* /usr/bin/\nENTRYPOINT [\"cfssl\"]\n";
        let rt = runtime(&patch(text));
        assert!(
            rt.contains("COPY --from=build /etc/cfssl /etc/cfssl\nCOPY --from=build /workdir/bin/ /usr/bin/\n"),
            "{rt}"
        );
        assert!(!rt.contains("COPY --from=build /usr/bin /usr/bin"), "{rt}");
        // a clone built in is the build's source, not an artifact
        let built = text.replace("/etc/cfssl && \\\n    make clean", "/opt/trust && cd /opt/trust && make clean");
        let rt = runtime(&patch(&built));
        assert!(
            !rt.contains("/opt/trust /opt/trust") && rt.contains("COPY --from=build /opt/trust/bin/ /usr/bin/"),
            "{rt}"
        );
        // a file named into a library folder is that file; a pattern into one is refused
        let lib = text.replace("cp bin/* /usr/bin/", "cp bin/libcf.so /usr/lib/x86_64-linux-gnu/libcf.so");
        assert!(runtime(&patch(&lib))
            .contains("COPY --from=build /usr/lib/x86_64-linux-gnu/libcf.so /usr/lib/x86_64-linux-gnu/libcf.so\n"));
        let into = text.replace("cp bin/* /usr/bin/", "cp bin/libcf.so /usr/lib/x86_64-linux-gnu");
        assert!(runtime(&patch(&into))
            .contains("COPY --from=build /usr/lib/x86_64-linux-gnu/libcf.so /usr/lib/x86_64-linux-gnu/libcf.so\n"));
        let glob = text.replace("cp bin/* /usr/bin/", "cp bin/cf* /usr/bin/");
        // (the Go rewriter's refusal comes first; the split's follows it)
        let r = refusal(&glob);
        assert!(
            r.message.contains(
                "the build-and-install split: line 4: `cp bin/cf* /usr/bin/` copies files by a pattern into `/usr/bin`"
            ),
            "{}",
            r.message
        );
    }

    /// A shipped stage with other stages after it (linkding's `linkding-plus`, built as its
    /// own target by the release workflow): the rewrite keeps them as written, and the build
    /// stage it adds takes a name no stage has.
    #[test]
    fn the_stages_after_the_shipped_one_stay() {
        let text = "ARG DEBIAN=bookworm\nFROM alpine:3.20 AS build\nRUN echo tools > /tools\n\nFROM debian:${DEBIAN} AS app\nRUN apt-get update && apt-get install -y build-essential && rm -rf /var/lib/apt/lists/*\nCOPY --from=build /tools /tools\nCOPY . /src\nRUN make -C /src && cp /src/hello /usr/local/bin/\nCMD [\"hello\"]\n\n# the extra image, its own target\nFROM app AS app-plus\nRUN echo plus\n";
        let inputs = crate::patch::Inputs { targets: vec!["app".into()], ..Default::default() };
        let O::Patch(p) = suggest(text, "Dockerfile", &inputs, &Templates::built_in()) else { panic!("{text}") };
        // the global ARG and the stage after it, before the rewritten one, stay as written
        assert!(p.patched.starts_with("ARG DEBIAN=bookworm\nFROM alpine:3.20 AS build\n"), "{}", p.patched);
        assert!(p.patched.contains("FROM debian:${DEBIAN} AS build-2\n"), "{}", p.patched);
        assert!(p.patched.contains("COPY --from=build-2 /usr/local/bin/hello"), "{}", p.patched);
        assert!(
            p.patched.ends_with(
                "CMD [\"hello\"]\n\n# the extra image, its own target\nFROM app AS app-plus\nRUN echo plus\n"
            ),
            "{}",
            p.patched
        );
        answers(text, &p, &["SL101"]);
        // a later stage naming a stage by number would name another one after the rewrite
        let numbered = text.replace("RUN echo plus", "COPY --from=1 /usr/local/bin/hello /hello");
        let O::Refused(why) = suggest(&numbered, "Dockerfile", &inputs, &Templates::built_in()) else {
            panic!("{numbered}")
        };
        assert_eq!(why.reason, Reason::InheritedStage, "{}", why.message);
        assert!(why.message.starts_with("line 14: a later stage names stage 1 by its number"), "{}", why.message);
    }

    fn runtime(p: &crate::patch::Patch) -> String {
        p.patched.split(" AS runtime\n").nth(1).unwrap_or_default().to_owned()
    }

    /// Round 69 (motor-admin, held out): the project folder comes whole from the build stage,
    /// where the COPYs before the build (the Gemfile, the UI assets of two other stages) wrote
    /// into it: the runtime does not copy them a second time; one a RUN reads before the folder
    /// arrives stays
    #[test]
    fn copies_into_a_folder_that_comes_whole_from_the_build_stage_are_left_out() {
        let text = "FROM node:20 AS assets\nRUN mkdir /dist && echo ok > /dist/app.js\n\nFROM ruby:3.2-alpine\nWORKDIR /opt/app\nRUN apk add --no-cache build-base postgresql-dev\nCOPY Gemfile Gemfile.lock ./\nRUN bundle install\nCOPY . ./\nCOPY --from=assets /dist ./public/dist\nRUN bundle exec bootsnap precompile app/ lib/\nCMD [\"bin/app\"]\n";
        let p = patch(text);
        let rt = runtime(&p);
        assert!(rt.contains("COPY --from=build /opt/app /opt/app\n"), "{}", p.patched);
        assert!(!rt.contains("--from=assets") && !rt.contains("COPY Gemfile"), "{}", p.patched);
        assert!(
            p.rationale.iter().any(|r| r.message.contains("COPYs into `/opt/app` before the build are left out")),
            "{:?}",
            p.rationale
        );
        // a RUN before the folder arrives may read what the COPY brought
        let read = text
            .replace("COPY Gemfile Gemfile.lock ./\n", "COPY Gemfile Gemfile.lock ./\nRUN cat Gemfile > /etc/gems\n");
        let rt = runtime(&patch(&read));
        assert!(rt.contains("COPY Gemfile Gemfile.lock ./\nRUN cat Gemfile"), "{rt}");
    }

    /// A shipped stage built FROM a base that installs the toolchain and builds: the base is
    /// split, its runtime keeps the name, and a stage built FROM it that builds and does not
    /// ship is built FROM the build stage
    #[test]
    fn a_toolchain_base_the_shipped_stage_is_built_from_is_split_there() {
        let base = "FROM python:3.12 AS base\nRUN apt-get update && apt-get install -y libpq-dev gcc && rm -rf /var/lib/apt/lists/*\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n";
        let text = format!("{base}\nFROM base AS app\nCMD [\"python\", \"app.py\"]\n");
        let p = patch(&text);
        let (build, rest) = p.patched.split_once("FROM python:3.12-slim AS base\n").expect(&p.patched);
        assert!(
            build.contains("FROM python:3.12 AS build\n") && build.contains("pip install -r requirements.txt"),
            "{}",
            p.patched
        );
        assert!(rest.contains("COPY --from=build /usr/local /usr/local\n") && rest.contains("libpq5"), "{}", p.patched);
        assert!(!rest.contains("gcc") && !rest.contains("libpq-dev"), "{}", p.patched);
        assert!(rest.ends_with("\nFROM base AS app\nCMD [\"python\", \"app.py\"]\n"), "{}", p.patched);
        answers(&text, &p, &["SL101"]);

        let copies =
            format!("{base}FROM base AS app\nFROM alpine AS docs\nCOPY --from=base /app/docs /docs\nFROM app\n");
        let O::Refused(why) = suggest(&copies, "Dockerfile", &Default::default(), &Templates::built_in()) else {
            panic!("{copies}")
        };
        assert!(why.message.contains("stage `docs` copies from `base`"), "{}", why.message);

        let built =
            format!("{base}FROM base AS test\nRUN pip install -r requirements-dev.txt && pytest\nFROM base AS app\n");
        let p = patch(&built);
        assert!(
            p.patched.contains("\nFROM build AS test\nRUN pip install -r requirements-dev.txt && pytest\n"),
            "{}",
            p.patched
        );
        assert!(p.patched.ends_with("\nFROM base AS app\n"), "{}", p.patched);
        // a staged install (DESTDIR, for a /usr prefix) changes the build stage: the test stage
        // would not find what it was built FROM, so the split is refused, naming it
        let staged = "FROM debian:bookworm AS base\nRUN apt-get update && apt-get install -y build-essential\nCOPY . /src\nRUN cd /src && ./configure --prefix=/usr && make && make install\nFROM base AS test\nRUN cd /src && make check\nFROM base AS app\nCMD [\"hello\"]\n";
        let O::Refused(why) = suggest(staged, "Dockerfile", &Default::default(), &Templates::built_in()) else {
            panic!("{staged}")
        };
        assert!(
            why.message.contains("stage `test` is built FROM `base` and builds with its toolchain, and the split changes how the build installs"),
            "{}",
            why.message
        );
    }

    /// Round 24 (Freika/dawarich, held out): gems into a prefix, and the app's folder (reached
    /// by `WORKDIR $APP_PATH`) holds what the build wrote there (`vendor/bundle`, the
    /// precompiled assets); a pip install into the prefix writes nothing in the folder
    #[test]
    fn the_folder_the_program_runs_from_comes_with_what_the_build_wrote_there() {
        let text = "FROM ruby:3.4-slim\nENV APP_PATH=/var/app\nRUN apt-get update && apt-get install -y build-essential libpq-dev && rm -rf /var/lib/apt/lists/*\nRUN gem install bundler\nWORKDIR $APP_PATH\nCOPY Gemfile Gemfile.lock ./\nRUN bundle config set --local path vendor/bundle && bundle install\nCOPY . ./\nRUN bundle exec rake assets:precompile\nENTRYPOINT [\"bundle\", \"exec\"]\n";
        let rt = runtime(&patch(text));
        assert!(rt.contains("COPY --from=build /usr/local/bundle /usr/local/bundle\n"), "{rt}");
        assert!(rt.contains("COPY --from=build /var/app /var/app\n"), "{rt}");
        // Round 25 (held out): the app built in /usr/src before a WORKDIR of its health check
        // (Flowise's worker), and a PHP app whose image runs php-fpm from the base's CMD in
        // the last WORKDIR (crater): each folder an app's tool built in comes
        let worker = "FROM node:24-alpine\nRUN apk add --no-cache python3 make g++\nRUN npm install -g pnpm\nWORKDIR /usr/src\nCOPY . .\nRUN pnpm install\nRUN pnpm build\nWORKDIR /app/healthcheck\nCOPY healthcheck/package.json .\nRUN npm install --omit=dev\nWORKDIR /usr/src\nCMD [\"/bin/sh\", \"-c\", \"node /app/healthcheck/healthcheck.js & pnpm run start-worker\"]\n";
        let rt = runtime(&patch(worker));
        // each where its sources were copied from the context, which they replace
        assert!(
            rt.contains("WORKDIR /usr/src\nCOPY --from=build /usr/src /usr/src\nWORKDIR /app/healthcheck\nCOPY --from=build /app/healthcheck /app/healthcheck\n")
                && !rt.contains("COPY . .") && !rt.contains("COPY healthcheck/package.json"),
            "{rt}"
        );
        let fpm = "FROM php:8.1-fpm-bookworm\nRUN apt-get update && apt-get install -y git unzip libzip-dev npm\nRUN docker-php-ext-install zip\nCOPY --from=composer:latest /usr/bin/composer /usr/bin/composer\nCOPY ./ /var/www\nWORKDIR /var/www\nRUN composer install --no-interaction\nRUN npm ci\nUSER www-data\n";
        let rt = runtime(&patch(fpm));
        assert!(
            rt.contains("COPY --from=build /var/www /var/www\nWORKDIR /var/www\nCOPY --from=build /usr/local /usr/local\nUSER www-data\n")
                && rt.contains(" libzip4 "),
            "{rt}"
        );
        let pip = "FROM python:3.12-alpine\nRUN apk add --no-cache gcc musl-dev libffi-dev\nWORKDIR /code\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n";
        let rt = runtime(&patch(pip));
        assert!(rt.contains("COPY --from=build /opt/venv /opt/venv\n") && !rt.contains("/code /code"), "{rt}");
    }

    /// Round 44 (onaio/onadata, held out): a build that installs nothing elsewhere (`make -C
    /// docs html`) writes into the checkout the runtime also copies from the build context:
    /// that COPY takes the folder from the build stage, where the documentation is
    #[test]
    fn a_checkout_a_build_wrote_into_comes_from_the_build_stage() {
        let text = "FROM python:3.12-alpine\nRUN apk add --no-cache gcc musl-dev libffi-dev make\nWORKDIR /srv/app\n# the app\nCOPY . ./\nRUN chown -R nobody /srv/app\nRUN pip install -r requirements.txt\nRUN make -C docs html\nCMD [\"gunicorn\", \"app:app\"]\n";
        let p = patch(text);
        let rt = runtime(&p);
        assert!(rt.contains("# the app\nCOPY --from=build /srv/app /srv/app\nRUN chown -R nobody /srv/app\n"), "{rt}");
        assert!(!rt.contains("COPY . ./") && rt.contains("COPY --from=build /usr/local /usr/local\n"), "{rt}");
        assert!(p.rationale.iter().any(|r| r.line == 5 && r.message.contains("line 8 (`make -C docs html`)")));
        // the owner the COPY gave stays
        let owned = text.replace("COPY . ./", "COPY --chown=nobody:nogroup . ./");
        assert!(runtime(&patch(&owned)).contains("COPY --from=build --chown=nobody:nogroup /srv/app /srv/app\n"));
        // a build whose RUN installs what it made leaves the checkout to the build context
        let installs = text.replace("RUN make -C docs html", "RUN make && make install PREFIX=/usr/local/app");
        let rt = runtime(&patch(&installs));
        assert!(rt.contains("COPY . ./\n") && !rt.contains("/srv/app /srv/app"), "{rt}");
    }

    /// Round 45 (zooniverse/panoptes, held out): `bundle install` on an official ruby image
    /// installs into its GEM_HOME, /usr/local/bundle, which the runtime copies; told a path of
    /// its own, the gems are in the app's folder
    #[test]
    fn bundle_install_on_an_official_ruby_image_ships_its_gems() {
        let text = "FROM ruby:3.2-bullseye\nRUN apt-get update && apt-get install -y --no-install-recommends libpq-dev build-essential && rm -rf /var/lib/apt/lists/*\nWORKDIR /rails_app\nADD ./Gemfile ./Gemfile.lock /rails_app/\nRUN bundle config --global jobs `nproc` && bundle install\nADD ./ /rails_app\nRUN bundle exec rake assets:precompile\nCMD [\"/rails_app/scripts/docker/start.sh\"]\n";
        let rt = runtime(&patch(text));
        assert!(rt.contains("COPY --from=build /usr/local/bundle /usr/local/bundle\n"), "{rt}");
        assert!(rt.contains("COPY --from=build /rails_app /rails_app\n"), "{rt}");
        // told a path in the app, the gems ship with it, and the configuration Bundler wrote
        // to BUNDLE_APP_CONFIG (`/usr/local/bundle/config` on the ruby image) comes along, or
        // Bundler would look for the gems in GEM_HOME
        let vendored = text.replace("&& bundle install", "&& bundle install --deployment");
        let rt = runtime(&patch(&vendored));
        assert!(rt.contains("COPY --from=build /rails_app /rails_app\n"), "{rt}");
        assert!(rt.contains("COPY --from=build /usr/local/bundle /usr/local/bundle\n"), "{rt}");
        let configured =
            text.replace("bundle config --global jobs `nproc`", "bundle config set --local path vendor/bundle");
        assert!(runtime(&patch(&configured)).contains("COPY --from=build /usr/local/bundle /usr/local/bundle\n"));
        // told an absolute path by ENV (the Rails idiom), the gems are there
        let env = text.replace("WORKDIR /rails_app", "ENV BUNDLE_PATH=/gems\nWORKDIR /rails_app");
        assert!(runtime(&patch(&env)).contains("COPY --from=build /gems /gems\n"), "{}", patch(&env).patched);
        // a distribution's Ruby puts the gems in its own gem folder: refused, saying what to do;
        // told a path, the gems are in the app's folder
        let distro = text
            .replace("FROM ruby:3.2-bullseye", "FROM debian:bullseye")
            .replace("build-essential", "build-essential ruby-full ruby-bundler");
        let O::Refused(why) = suggest(&distro, "D", &Default::default(), &Templates::built_in()) else {
            panic!("{distro}")
        };
        assert_eq!(why.reason, Reason::SystemPrefix, "{}", why.message);
        assert!(why.message.contains("bundle config set path"), "{}", why.message);
        let told =
            distro.replace("bundle config --global jobs `nproc`", "bundle config set --local path vendor/bundle");
        assert!(matches!(suggest(&told, "D", &Default::default(), &Templates::built_in()), O::Patch(_)));
    }

    /// Round 45 (BC-SECURITY/Empire, held out): Poetry told to make no virtualenv installs
    /// into the official python image's prefix, which the runtime copies
    #[test]
    fn poetry_without_a_virtualenv_installs_into_the_prefix() {
        let text = "FROM python:3.12\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev && rm -rf /var/lib/apt/lists/*\nRUN pip install poetry\nWORKDIR /app\nCOPY pyproject.toml poetry.lock /app/\nRUN poetry config virtualenvs.create false && poetry install --no-root\nCOPY . /app\nCMD [\"python\", \"-m\", \"app\"]\n";
        let rt = runtime(&patch(text));
        assert!(rt.contains("COPY --from=build /usr/local /usr/local\n"), "{rt}");
        let env = text
            .replace("poetry config virtualenvs.create false && ", "")
            .replace("WORKDIR /app", "ENV POETRY_VIRTUALENVS_CREATE=false\nWORKDIR /app");
        // told by ENV alone, with no other work in the RUN, the Python rewriter takes it: its
        // virtualenv is active, so Poetry installs there
        assert!(runtime(&patch(&env)).contains("COPY --from=build /opt/venv /opt/venv\n"));
    }

    /// Round 62 (openstates, held out): Poetry left to make its own virtualenv puts it in its
    /// cache folder's `virtualenvs`, which the runtime copies (or the project's `.venv`, when
    /// told); and a `-dev` package whose library a kept program package brings (`gdal-bin`
    /// for `libgdal-dev`) needs no name on an unpinned tag.
    #[test]
    fn poetrys_own_virtualenv_is_copied() {
        let text = "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev gdal-bin libgdal-dev && rm -rf /var/lib/apt/lists/*\nRUN pip install --no-cache-dir poetry\nWORKDIR /app\nCOPY pyproject.toml poetry.lock /app/\nRUN poetry install --no-root\nCOPY . /app\nCMD [\"poetry\", \"run\", \"app\"]\n";
        let rt = runtime(&patch(text));
        assert!(
            rt.contains("COPY --from=build /root/.cache/pypoetry/virtualenvs /root/.cache/pypoetry/virtualenvs\n"),
            "{rt}"
        );
        assert!(rt.contains("gdal-bin") && !rt.contains("libgdal"), "{rt}");
        let in_project = text.replace("WORKDIR /app", "ENV POETRY_VIRTUALENVS_IN_PROJECT=true\nWORKDIR /app");
        let rt = runtime(&patch(&in_project));
        assert!(rt.contains("/app/.venv") || rt.contains("COPY --from=build /app /app"), "{rt}");
        assert!(!rt.contains("pypoetry"), "{rt}");
    }

    /// On Alpine a `-dev` package the table lacks has its libraries in the package of the
    /// name without `-dev` (`vips-dev` of `vips`), and a program `g++` built links libstdc++,
    /// which Alpine's base lacks
    #[test]
    fn alpine_runtime_libraries_follow_its_naming() {
        let text = "FROM alpine:3.20\nRUN apk add --no-cache g++ make vips-dev\nCOPY . /src\nRUN cd /src && g++ -o /usr/local/bin/thumb thumb.cpp $(pkg-config --libs vips-cpp)\nCMD [\"thumb\"]\n";
        let rt = runtime(&patch(text));
        assert!(
            rt.contains("RUN apk add --no-cache vips libstdc++\n")
                || rt.contains("RUN apk add --no-cache libstdc++ vips\n"),
            "{rt}"
        );
        let c = text.replace("g++ make", "gcc musl-dev make").replace("g++ -o", "gcc -o").replace(".cpp", ".c");
        assert!(!runtime(&patch(&c)).contains("libstdc++"), "{}", runtime(&patch(&c)));
    }

    /// The program's own code in a build RUN writes what the build copies (`npm run build &&
    /// python manage.py collectstatic` into the app): part of the build. One that fetches into
    /// the home (NLTK's downloader told no folder) is refused, not lost.
    #[test]
    fn the_programs_code_in_a_build_run_is_part_of_the_build_unless_it_fetches_home() {
        let text = "FROM python:3.11\nRUN apt-get update && apt-get install -y --no-install-recommends nodejs npm build-essential libpq-dev && rm -rf /var/lib/apt/lists/*\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nRUN npm ci && npm run build && python manage.py collectstatic --noinput\nCMD [\"gunicorn\", \"config.wsgi\"]\n";
        let O::Patch(p) = suggest(text, "Dockerfile", &Default::default(), &Templates::built_in()) else { panic!() };
        let runtime = p.patched.split_once(" AS runtime\n").unwrap().1;
        assert!(runtime.contains("COPY --from=build /app /app") && !runtime.contains("collectstatic"), "{runtime}");
        let home = text.replace("python manage.py collectstatic --noinput", "python -m nltk.downloader punkt");
        let O::Refused(why) = suggest(&home, "Dockerfile", &Default::default(), &Templates::built_in()) else {
            panic!()
        };
        assert!(why.contains("`python -m nltk.downloader punkt` in this RUN is neither"), "{}", why.message);
    }

    /// Puppeteer's Chrome, which `npm ci` downloads into root's cache, comes with the app the
    /// split copies (the probe's renderer: build-essential beside Chrome's libraries, so the
    /// Node rewriter refuses the mixed RUN and the split takes the file).
    #[test]
    fn the_split_copies_puppeteers_chrome() {
        let text = "FROM node:20\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential python3 libnss3 libgbm1 && rm -rf /var/lib/apt/lists/*\nWORKDIR /usr/src/app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nCMD [\"node\", \"dist/render.js\"]\n";
        let json = r#"{"scripts": {"build": "tsc"}, "dependencies": {"puppeteer": "21.5.0"}}"#;
        let inputs = crate::patch::Inputs { package_json: Some(json.into()), ..Default::default() };
        let O::Patch(p) = suggest(text, "Dockerfile", &inputs, &Templates::built_in()) else { panic!() };
        let runtime = p.patched.split_once(" AS runtime\n").unwrap().1;
        assert!(runtime.contains("COPY --from=build /root/.cache/puppeteer /root/.cache/puppeteer\n"), "{runtime}");
        let O::Patch(p) = suggest(text, "Dockerfile", &Default::default(), &Templates::built_in()) else { panic!() };
        assert!(!p.patched.contains("puppeteer"), "{}", p.patched);
    }

    /// `npx prisma generate` builds the client into the app's node_modules: the build stage
    /// runs it, and the runtime, which copies the app, does not rerun it (npx there would
    /// fetch another Prisma).
    #[test]
    fn npx_builds_in_the_build_stage() {
        let text = "FROM node:20-slim\nRUN apt-get update && apt-get install -y python3 make g++ openssl && rm -rf /var/lib/apt/lists/*\nWORKDIR /app\nCOPY package*.json ./\nCOPY prisma ./prisma\nRUN npm ci\nRUN npx prisma generate\nCOPY . .\nRUN npm run build\nCMD [\"node\", \"dist/main.js\"]\n";
        let O::Patch(p) = suggest(text, "Dockerfile", &Default::default(), &Templates::built_in()) else { panic!() };
        let (build, runtime) = p.patched.split_once(" AS runtime\n").unwrap();
        assert!(build.contains("RUN npx prisma generate"), "{build}");
        assert!(!runtime.contains("prisma generate") && runtime.contains("COPY --from=build /app /app"), "{runtime}");
    }

    /// rustup's installer, piped to a shell, installs the toolchain a pip install builds
    /// with: the build stage runs it, the runtime does not rerun it (the slim runtime has no
    /// curl, and would get the toolchain back).
    #[test]
    fn a_piped_rustup_install_stays_in_the_build() {
        let text = "FROM python:3.11\nRUN apt-get update && apt-get install -y build-essential && rm -rf /var/lib/apt/lists/*\nRUN curl https://sh.rustup.rs -sSf | sh -s -- -y\nENV PATH=\"/root/.cargo/bin:${PATH}\"\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n";
        let O::Patch(p) = suggest(text, "Dockerfile", &Default::default(), &Templates::built_in()) else { panic!() };
        let (build, runtime) = p.patched.split_once(" AS runtime\n").unwrap();
        assert!(build.contains("RUN curl https://sh.rustup.rs -sSf | sh -s -- -y"), "{build}");
        assert!(
            !runtime.contains("rustup") && runtime.contains("COPY --from=build /usr/local /usr/local"),
            "{runtime}"
        );
    }

    /// After the install, a RUN that fetches with a program the slim runtime lacks (aleph's
    /// `curl -o /opt/ftm-compare/model.pkl`, unpacked with `python3 -m zipfile`) runs in the
    /// build stage, and what it wrote is copied; the project an editable install (`pip
    /// install -e`) made its package of comes from the build stage, metadata and all.
    #[test]
    fn a_late_fetch_with_a_program_the_runtime_lacks_stays_in_the_build() {
        let text = "FROM python:3.9\nRUN apt-get update && apt-get install -y --no-install-recommends python3-dev jq && rm -rf /var/lib/apt/lists/*\nCOPY . /app\nWORKDIR /app\nRUN pip install --no-cache-dir -e /app\nRUN mkdir -p /opt/m && curl -L -o /opt/m/w.zip https://example.org/w.zip && python3 -m zipfile --extract /opt/m/w.zip /opt/m/w && curl -L -o /opt/m/model.pkl https://example.org/m.pkl\nCMD [\"gunicorn\", \"--config\", \"/app/gunicorn.conf.py\", \"app:app\"]\n";
        let O::Patch(p) = suggest(text, "Dockerfile", &Default::default(), &Templates::built_in()) else { panic!() };
        let (build, runtime) = p.patched.split_once(" AS runtime\n").unwrap();
        assert!(build.contains("curl -L -o /opt/m/model.pkl") && !runtime.contains("curl"), "{}", p.patched);
        assert!(runtime.contains("COPY --from=build /opt/m/model.pkl /opt/m/model.pkl"), "{runtime}");
        assert!(runtime.contains("COPY --from=build /app /app"), "{runtime}");
    }

    /// Round 48 (browser-use/web-ui, held out): between the install of git and the pip
    /// install, a RUN clones with git and links inside what it cloned. The runtime drops git,
    /// so it cannot rerun the clone: the build stage runs it, the clone is copied, and the
    /// link, which comes with it, is not made again (`ln` would fail on it)
    #[test]
    fn a_clone_before_the_build_with_a_dropped_tool_runs_in_the_build() {
        let text = "FROM python:3.11-slim-bookworm\nRUN apt-get update && apt-get install -y curl git xvfb && rm -rf /var/lib/apt/lists/*\nRUN git clone https://github.com/novnc/noVNC.git /opt/novnc && ln -s /opt/novnc/vnc.html /opt/novnc/index.html\nRUN node -v && npm -v\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nCMD [\"python\", \"webui.py\"]\n";
        let O::Patch(p) = suggest(text, "Dockerfile", &Default::default(), &Templates::built_in()) else { panic!() };
        let (build, runtime) = p.patched.split_once(" AS runtime\n").unwrap();
        assert!(build.contains("RUN git clone https://github.com/novnc/noVNC.git /opt/novnc"), "{build}");
        assert!(!runtime.contains("git clone") && !runtime.contains("ln -s"), "{runtime}");
        assert!(runtime.contains("COPY --from=build /opt/novnc /opt/novnc"), "{runtime}");
        assert!(runtime.contains(" git-") || !runtime.contains(" git "), "{runtime}");
    }

    /// A stage built FROM the split stage that builds and does not ship (a `dev` target's
    /// `pip install -r requirements-dev.txt`) is built FROM the build stage, which is then
    /// the stage as written, CMD and all; the shipped stage built FROM it follows the runtime
    #[test]
    fn a_development_stage_that_builds_is_built_from_the_build_stage() {
        let text = "FROM python:3.11 AS base\nRUN apt-get update && apt-get install -y build-essential libpq-dev && rm -rf /var/lib/apt/lists/*\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nCMD [\"gunicorn\", \"app:app\"]\n\nFROM base AS dev\nRUN pip install --no-cache-dir -r requirements-dev.txt\nCMD [\"flask\", \"run\"]\n\nFROM base AS prod\nUSER nobody\n";
        let inputs = crate::patch::Inputs { targets: vec!["prod".into()], ..Default::default() };
        let O::Patch(p) = suggest(text, "Dockerfile", &inputs, &Templates::built_in()) else { panic!() };
        let (build, rest) = p.patched.split_once("\nFROM python:3.11-slim AS base\n").unwrap();
        assert!(build.contains("COPY . .") && build.contains("CMD [\"gunicorn\", \"app:app\"]"), "{build}");
        assert!(rest.contains("FROM build AS dev\nRUN pip install --no-cache-dir -r requirements-dev.txt"), "{rest}");
        assert!(rest.contains("FROM base AS prod\nUSER nobody"), "{rest}");
        assert!(!rest.contains("build-essential"), "{rest}");
        // the stage that builds ships: it gets a build stage of its own
        let shipped = crate::patch::Inputs { targets: vec!["prod".into(), "dev".into()], ..Default::default() };
        let O::Patch(p) = suggest(text, "Dockerfile", &shipped, &Templates::built_in()) else { panic!() };
        assert!(
            p.patched.contains(" AS dev-build\n") && p.patched.contains("\nFROM python:3.11-slim AS dev\n"),
            "{}",
            p.patched
        );
        assert!(p.patched.contains("\nFROM base AS prod\nUSER nobody"), "{}", p.patched);
    }

    /// Round 56 (serge, held out): a folder the set-up makes in the working folder for the
    /// program (`mkdir -p /usr/src/app/weights`, which its start-up lists) is made in the
    /// runtime too
    #[test]
    fn a_folder_made_for_the_program_in_the_working_folder_is_made_in_the_runtime() {
        let text = "FROM python:3.11-slim-bookworm\nWORKDIR /usr/src/app\nCOPY ./api /usr/src/app/api\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev && pip install --no-cache-dir ./api && rm -rf /var/lib/apt/lists/* && mkdir -p /data/db && mkdir -p /usr/src/app/weights\nCMD [\"python\", \"-m\", \"api\"]\n";
        let rt = runtime(&patch(text));
        assert!(rt.contains("mkdir -p /data/db") && rt.contains("mkdir -p /usr/src/app/weights"), "{rt}");
    }

    /// Round 55 (stable-diffusion-webui-docker, held out): a clone named with an ENV value
    /// (`git clone … ${ROOT}` under `ENV ROOT=/stable-diffusion`) that the program runs from
    /// ships, as one named as written does
    #[test]
    fn a_clone_named_with_a_variable_ships_when_the_program_runs_from_it() {
        let text = "FROM python:3.11\nRUN apt-get update && apt-get install -y build-essential libpq-dev && rm -rf /var/lib/apt/lists/*\nENV ROOT=/stable-diffusion\nRUN git clone https://example.com/app.git ${ROOT} && cd ${ROOT} && pip install -r requirements.txt\nWORKDIR ${ROOT}\nCMD [\"python\", \"main.py\"]\n";
        let rt = runtime(&patch(text));
        assert!(rt.contains("COPY --from=build /stable-diffusion /stable-diffusion\n"), "{rt}");
    }

    /// Round 49 (F5-TTS, held out) and round 55 (stable-diffusion-webui-docker's `comfy`,
    /// held out): pip on a conda image (pytorch/pytorch) installs into conda's prefix,
    /// /opt/conda, which the image itself fills; the runtime is the same image (no slim
    /// variant), so copying the prefix would add PyTorch a second time. Refused, naming the
    /// virtualenv that would make it possible.
    #[test]
    fn pip_into_a_conda_images_own_prefix_is_refused() {
        let cloned = "FROM pytorch/pytorch:2.4.0-cuda12.4-cudnn9-devel\nRUN apt-get update && apt-get install -y git build-essential && rm -rf /var/lib/apt/lists/*\nWORKDIR /workspace\nRUN git clone https://github.com/SWivid/F5-TTS.git && cd F5-TTS && pip install -e . --no-cache-dir\nWORKDIR /workspace/F5-TTS\n";
        let text = "FROM pytorch/pytorch:2.4.0-cuda12.4-cudnn9-devel\nRUN apt-get update && apt-get install -y git build-essential libsndfile1-dev && rm -rf /var/lib/apt/lists/*\nWORKDIR /workspace\nCOPY . /workspace/app\nRUN cd /workspace/app && pip install -e . --no-cache-dir\nWORKDIR /workspace/app\nCMD [\"python\", \"serve.py\"]\n";
        for file in [cloned, text] {
            let O::Refused(why) = suggest(file, "Dockerfile", &Default::default(), &Templates::built_in()) else {
                panic!("{file}")
            };
            assert_eq!(why.reason, crate::patch::Reason::SystemPrefix, "{}", why.message);
            assert!(why.message.contains("`/opt/conda`") && why.message.contains("virtualenv"), "{}", why.message);
        }
    }

    /// Round 50 (MusicBot, held out): after the pip install, a RUN removes the virtual group
    /// the build's toolchain was installed as (`apk del .build-deps`): only the build stage
    /// has it, so the runtime does not run it (apk would fail: "No such package")
    #[test]
    fn a_removal_of_what_the_build_installed_is_the_build_stages() {
        let text = "FROM python:3.8-alpine\nWORKDIR /musicbot\nCOPY . ./\nRUN apk add --no-cache --virtual .build-deps build-base libffi-dev libsodium-dev\nRUN apk add --no-cache ffmpeg libffi libsodium\nRUN pip3 install --no-cache-dir -r requirements.txt\nRUN apk del .build-deps\nENTRYPOINT [\"python3\", \"run.py\"]\n";
        let O::Patch(p) = suggest(text, "Dockerfile", &Default::default(), &Templates::built_in()) else { panic!() };
        let (_, runtime) = p.patched.split_once(" AS runtime\n").unwrap();
        assert!(!runtime.contains("apk del"), "{runtime}");
        // a removal of a package the runtime installs too stays
        let kept = text.replace("RUN apk del .build-deps", "RUN apk del .build-deps ffmpeg");
        let O::Patch(p) = suggest(&kept, "Dockerfile", &Default::default(), &Templates::built_in()) else { panic!() };
        assert!(
            p.patched.split_once(" AS runtime\n").unwrap().1.contains("apk del .build-deps ffmpeg"),
            "{}",
            p.patched
        );
    }

    /// Round 73 (automatisch, held out): the toolchain's virtual group also brings python3
    /// and git, and a later RUN clears yarn's cache and deletes the group. The runtime neither
    /// reruns that RUN (apk would fail on the group) nor installs what it deleted; a removal
    /// RUN that also deletes a folder of the app stays.
    #[test]
    fn a_later_removal_of_the_builds_group_takes_its_packages_along() {
        let text = "FROM node:22.15.0-alpine\nRUN apk --no-cache add --virtual build-dependencies python3 build-base git make g++\nWORKDIR /automatisch\nCOPY . /automatisch\nRUN cd packages/web && yarn && yarn build\nRUN rm -rf /usr/local/share/.cache/ && apk del build-dependencies\nENTRYPOINT [\"sh\", \"/entrypoint.sh\"]\n";
        let O::Patch(p) = suggest(text, "Dockerfile", &Default::default(), &Templates::built_in()) else { panic!() };
        let (_, runtime) = p.patched.split_once(" AS runtime\n").unwrap();
        assert!(!runtime.contains("apk del") && !runtime.contains("python3") && !runtime.contains("git"), "{runtime}");
        let app = text.replace("rm -rf /usr/local/share/.cache/", "rm -rf /automatisch/docs");
        let O::Patch(p) = suggest(&app, "Dockerfile", &Default::default(), &Templates::built_in()) else { panic!() };
        assert!(p.patched.split_once(" AS runtime\n").unwrap().1.contains("rm -rf /automatisch/docs"), "{}", p.patched);
    }

    /// Round 51 (devika, held out): Node from NodeSource's `nodejs` package installs npm's
    /// global packages into /usr (`/usr/lib/node_modules`, `/usr/bin/bun`), the
    /// distribution's own prefix, not the base's /usr/local: refused, saying what to set;
    /// told a prefix of its own, it is copied from there
    #[test]
    fn a_global_npm_install_on_a_distributions_node_is_refused() {
        let text = "FROM debian:12\nRUN apt-get update && apt-get install -y build-essential curl\nRUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash -\nRUN apt-get install -y nodejs\nWORKDIR /app\nCOPY ui ui\nRUN cd ui && npm install && npm install -g bun\nWORKDIR /app/ui\nENTRYPOINT [\"npx\", \"bun\", \"run\", \"start\"]\n";
        let O::Refused(why) = suggest(text, "Dockerfile", &Default::default(), &Templates::built_in()) else {
            panic!()
        };
        assert!(
            why.message.contains("`npm install -g bun` installs into the distribution's own prefix"),
            "{}",
            why.message
        );
        let told = text.replace("npm install -g bun", "npm install -g --prefix /opt/npm bun");
        let O::Patch(p) = suggest(&told, "Dockerfile", &Default::default(), &Templates::built_in()) else { panic!() };
        assert!(p.patched.contains("COPY --from=build /opt/npm /opt/npm"), "{}", p.patched);
    }

    /// Round 46 (coqui-ai/TTS, held out): the context's Makefile's `install` target runs `pip
    /// install -e .[all]`, which takes no DESTDIR: staging it would copy an empty staging root,
    /// so it is refused; a Makefile that takes DESTDIR is staged as before
    #[test]
    fn a_makefile_install_that_takes_no_destdir_is_not_staged() {
        let text = "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y --no-install-recommends gcc make python3-dev python3-pip && rm -rf /var/lib/apt/lists/*\nWORKDIR /root\nCOPY . /root\nRUN make install\nENTRYPOINT [\"tts\"]\n";
        let with = |makefile: &str| crate::patch::Inputs { makefile: Some(makefile.into()), ..Default::default() };
        let pip = with("lint:\n\truff .\n\ninstall:\t## install for development.\n\tpip install -e .[all]\n\ndocs:\n\tmake -C docs html\n");
        let O::Refused(why) = suggest(text, "D", &pip, &Templates::built_in()) else { panic!() };
        assert!(why.message.contains("(`pip install -e .[all]`), which does not take DESTDIR"), "{}", why.message);
        let destdir = with("install: greet\n\tinstall -Dm755 greet $(DESTDIR)$(PREFIX)/bin/greet\n");
        let O::Patch(p) = suggest(text, "D", &destdir, &Templates::built_in()) else { panic!() };
        assert!(p.patched.contains("make DESTDIR=/opt/shiplight-root install"), "{}", p.patched);
    }

    /// An R package install builds the packages' sources (CRAN has no Linux binaries), into
    /// the site library of the image's R: the `-dev` packages are the build's, and where the
    /// packages land among R's own cannot be told, so it is refused, not slimmed in place
    #[test]
    fn an_r_package_install_builds_and_is_refused() {
        let text = "FROM rocker/r-ver:4.3.2\nRUN apt-get update && apt-get install -y --no-install-recommends libxml2-dev libssl-dev && rm -rf /var/lib/apt/lists/*\nRUN R -e \"install.packages(c('plumber', 'xml2'), repos='https://cloud.r-project.org')\"\nCOPY api.R /api.R\nENTRYPOINT [\"R\", \"-e\", \"plumber::plumb('/api.R')$run(port=8000)\"]\n";
        let O::Refused(why) = suggest(text, "D", &Default::default(), &Templates::built_in()) else { panic!() };
        assert_eq!(why.reason, Reason::UnknownArtifact, "{}", why.message);
        assert!(why.message.contains("site library"), "{}", why.message);
        let littler = text.replace(
            "R -e \"install.packages(c('plumber', 'xml2'), repos='https://cloud.r-project.org')\"",
            "install2.r --error plumber xml2",
        );
        assert!(matches!(suggest(&littler, "D", &Default::default(), &Templates::built_in()), O::Refused(_)));
    }

    /// Where a package manager is told to install (by ENV, an earlier RUN's configuration, a
    /// flag) is what the runtime copies, not the place its official image would use
    #[test]
    fn a_package_manager_installs_where_it_is_told() {
        let go = "FROM golang:1.22\nENV GOBIN=/opt/bin\nRUN go install github.com/acme/tool@v1.0.0\nCMD [\"/opt/bin/tool\"]\n";
        assert!(runtime(&patch(go)).contains("COPY --from=build /opt/bin /opt/bin\n"), "{}", runtime(&patch(go)));
        // a folder of the system: the program by name, not the folder
        let system = go.replace("GOBIN=/opt/bin", "GOBIN=/usr/local/bin").replace("/opt/bin/tool", "tool");
        assert!(runtime(&patch(&system)).contains("COPY --from=build /usr/local/bin/tool /usr/local/bin/tool\n"));
        let gem = "FROM ruby:3.3-slim\nENV GEM_HOME=/opt/gems PATH=/opt/gems/bin:$PATH\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*\nRUN gem install nokogiri\nCMD [\"nokogiri\", \"-v\"]\n";
        let rt = runtime(&patch(gem));
        assert!(rt.contains("COPY --from=build /opt/gems /opt/gems\n") && !rt.contains("/usr/local/bundle"), "{rt}");
        // Bundler told no path of its own installs into GEM_HOME
        let bundle = gem
            .replace("RUN gem install nokogiri", "WORKDIR /app\nCOPY . .\nRUN bundle install")
            .replace("[\"nokogiri\", \"-v\"]", "[\"bundle\", \"exec\", \"puma\"]");
        assert!(
            runtime(&patch(&bundle)).contains("COPY --from=build /opt/gems /opt/gems\n"),
            "{}",
            runtime(&patch(&bundle))
        );
        // npm's prefix set by an earlier RUN's configuration
        let npm = "FROM node:20-slim\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential python3 && rm -rf /var/lib/apt/lists/*\nRUN npm config set prefix /home/node/.npm-global\nENV PATH=$PATH:/home/node/.npm-global/bin\nRUN npm install -g sqlite3-cli\nCMD [\"sqlite3-cli\"]\n";
        let rt = runtime(&patch(npm));
        assert!(rt.contains("COPY --from=build /home/node/.npm-global /home/node/.npm-global\n"), "{rt}");
        let pip = "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev && rm -rf /var/lib/apt/lists/*\nWORKDIR /app\nRUN pip install --target=/app/deps psycopg2\nENV PYTHONPATH=/app/deps\nCOPY . .\nCMD [\"python\", \"app.py\"]\n";
        assert!(runtime(&patch(pip)).contains("COPY --from=build /app/deps /app/deps\n"), "{}", runtime(&patch(pip)));
        // cargo told nothing puts its programs beside rustup's: refused, asking for a root
        let cargo = "FROM rust:1.80\nRUN cargo install ripgrep\nCMD [\"rg\"]\n";
        let O::Refused(r) = suggest(cargo, "D", &Default::default(), &Templates::built_in()) else { panic!() };
        assert!(r.message.contains("--root"), "{}", r.message);
        let told = cargo.replace("RUN cargo", "ENV CARGO_HOME=/opt/cargo\nRUN cargo");
        assert!(runtime(&patch(&told)).contains("COPY --from=build /opt/cargo/bin /opt/cargo/bin\n"));
    }

    /// A build that refreshes the shared libraries' cache after installing (`make install &&
    /// ldconfig`) has the runtime refresh it once the libraries arrive
    #[test]
    fn the_runtime_refreshes_the_library_cache_the_build_did() {
        let text = "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y build-essential cmake libssl-dev\nCOPY . /tmp/tool\nRUN cd /tmp/tool && mkdir build && cd build && cmake .. && make -j4 && make install && ldconfig\nENTRYPOINT [\"tool\"]\n";
        let rt = runtime(&patch(text));
        assert!(rt.contains("COPY --from=build /usr/local /usr/local\nRUN ldconfig\n"), "{rt}");
        let without = text.replace(" && ldconfig", "");
        assert!(!runtime(&patch(&without)).contains("ldconfig"));
    }

    /// pterodactyl/panel's shape: one RUN installs the extensions' `-dev` packages, builds the
    /// extensions, installs Composer and the app's vendor folder in /app, which the entrypoint
    /// (an `ash` script) runs from
    #[test]
    fn php_extensions_and_composer_in_one_run_are_split() {
        let text = "FROM php:8.2-fpm-alpine\nWORKDIR /app\nCOPY . ./\nRUN apk add --no-cache curl git unzip libpng-dev libzip-dev \\\n    && docker-php-ext-install gd zip \\\n    && curl -sS https://getcomposer.org/installer | php -- --install-dir=/usr/local/bin --filename=composer \\\n    && composer install --no-dev --optimize-autoloader \\\n    && chown -R www-data:www-data .\nENTRYPOINT [\"/bin/ash\", \".github/docker/entrypoint.sh\"]\nCMD [\"php-fpm\"]\n";
        let p = patch(text);
        let rt = runtime(&p);
        assert!(rt.contains("RUN apk add --no-cache curl git unzip libpng libzip\n"), "{rt}");
        assert!(rt.contains("WORKDIR /app\nCOPY --from=build /app /app\nRUN apk add"), "{rt}");
        assert!(rt.contains("COPY --from=build /usr/local /usr/local\nRUN chown -R www-data:www-data .\n"), "{rt}");
        assert!(!rt.contains("-dev") && !rt.contains("composer install"), "{rt}");
        answers(text, &p, &["SL101"]);
    }

    /// Round 24 (lnbits/lnbits, held out): a clone built with `npm ci` in the base image's
    /// working folder, run by an entrypoint script: the refusal is about that folder
    #[test]
    fn a_folder_built_in_place_the_command_does_not_name_is_said() {
        let text = "FROM lnbits/lnbits:latest\nRUN apt-get install -y git nodejs\nRUN git clone https://github.com/lnbits/spark_sidecar\nRUN cd spark_sidecar && npm ci\nCOPY entrypoint.sh /entrypoint.sh\nCMD [\"/entrypoint.sh\"]\n";
        let O::Refused(why) = suggest(text, "Dockerfile", &Default::default(), &Templates::built_in()) else {
            panic!()
        };
        assert_eq!(why.reason, Reason::UnknownArtifact);
        assert!(
            why.message.contains(
                "line 4: the build ran in `spark_sidecar` under the working folder of `lnbits/lnbits:latest`"
            ),
            "{}",
            why.message
        );
        let own = text.replace("RUN git clone", "WORKDIR /app\nRUN git clone");
        let O::Refused(why) = suggest(&own, "Dockerfile", &Default::default(), &Templates::built_in()) else {
            panic!()
        };
        assert!(why.message.contains("the build ran in `/app/spark_sidecar`, and nothing shows"), "{}", why.message);
    }

    /// Round 26 (mirotalksfu's nginx-rtmp, held out): configure puts the configuration, logs
    /// and pid outside the prefix; the install is staged, each of those folders made there,
    /// and copied one by one (a copy of the whole staging root would turn the runtime's
    /// `/var/run` link into a folder)
    #[test]
    fn an_install_outside_its_prefix_is_staged_and_copied_folder_by_folder() {
        let text = "FROM buildpack-deps:bullseye\nRUN apt-get update && apt-get install -y libssl-dev\nRUN cd /tmp/nginx && ./configure --sbin-path=/usr/local/sbin/nginx --conf-path=/etc/nginx/nginx.conf --pid-path=/var/run/nginx/nginx.pid --http-client-body-temp-path=/tmp/body --with-openssl-dir=/usr && make && CFLAGS=-O2 make install && rm -rf /tmp/nginx\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n";
        let p = patch(text);
        assert!(p.patched.contains("make && mkdir -p /opt/shiplight-root/usr/local /opt/shiplight-root/etc/nginx /opt/shiplight-root/var/run/nginx && CFLAGS=-O2 make DESTDIR=/opt/shiplight-root install"), "{}", p.patched);
        let rt = runtime(&p);
        for dir in ["/usr/local", "/etc/nginx", "/var/run/nginx"] {
            assert!(rt.contains(&format!("COPY --from=build /opt/shiplight-root{dir} {dir}\n")), "{dir}: {rt}");
        }
        assert!(!rt.contains("/tmp/body") && !rt.contains("/opt/shiplight-root/ /"), "{rt}");
        let var = text.replace("--pid-path=/var/run/nginx/nginx.pid", "--localstatedir=/var");
        let O::Refused(why) = suggest(&var, "Dockerfile", &Default::default(), &Templates::built_in()) else {
            panic!("{var}")
        };
        assert!(why.message.contains("`/var` itself cannot be copied"), "{}", why.message);
        // nginx's binary is a file: its folder is made and copied, not a folder of its name
        let sbin = text.replace("--sbin-path=/usr/local/sbin/nginx", "--sbin-path=/usr/sbin/nginx");
        let p = patch(&sbin);
        assert!(
            p.patched.contains("/opt/shiplight-root/usr/sbin ")
                && !p.patched.contains("/opt/shiplight-root/usr/sbin/nginx"),
            "{}",
            p.patched
        );
        assert!(runtime(&p).contains("COPY --from=build /opt/shiplight-root/usr/sbin /usr/sbin\n"), "{}", p.patched);
    }

    /// Round 27 (tiangolo/nginx-rtmp-docker, held out): RUNs that only fetch and unpack
    /// into /tmp for the build stay in the build stage; the slim runtime has no wget. A
    /// download saved outside the scratch folders is still the runtime's.
    #[test]
    fn a_fetch_into_scratch_folders_is_the_build_stages_only() {
        let text = "FROM buildpack-deps:bullseye\nRUN apt-get update && apt-get install -y libssl-dev\nRUN mkdir -p /tmp/build && cd /tmp/build && wget -O nginx.tar.gz https://nginx.org/nginx.tar.gz && tar -zxf nginx.tar.gz\nRUN cd /tmp/build/nginx && ./configure && make && make install && rm -rf /tmp/build\nCMD [\"/usr/local/nginx/sbin/nginx\"]\n";
        let p = patch(text);
        let rt = runtime(&p);
        assert!(!rt.contains("wget") && rt.contains("COPY --from=build /usr/local /usr/local\n"), "{rt}");
        assert!(p.patched.split(" AS runtime\n").next().unwrap().contains("wget -O nginx.tar.gz"), "{}", p.patched);
        let tool = text.replace(
            "mkdir -p /tmp/build && cd /tmp/build && wget -O nginx.tar.gz",
            "mkdir -p /tmp/build && cd /tmp/build && wget -O /usr/local/bin/tool",
        );
        // (the slim runtime has no wget: the build stage fetches it, and it arrives with
        // /usr/local)
        let (build, rt) =
            patch(&tool).patched.split_once(" AS runtime\n").map(|(b, r)| (b.to_owned(), r.to_owned())).unwrap();
        assert!(build.contains("wget -O /usr/local/bin/tool") && !rt.contains("wget"), "{rt}");
        assert!(rt.contains("COPY --from=build /usr/local /usr/local\n"), "{rt}");
    }

    #[test]
    fn make_and_cp_ships_the_binary_and_its_libraries() {
        let text = "FROM debian:bookworm\n# the toolchain\nRUN apt-get update && apt-get install -y build-essential libssl-dev && rm -rf /var/lib/apt/lists/*\nWORKDIR /src\nCOPY . .\nRUN make && cp hello /usr/local/bin/\nCMD [\"hello\"]\n";
        let p = patch(text);
        assert_eq!(p.ecosystem, "install");
        let rt = runtime(&p);
        assert!(p.patched.contains("FROM debian:bookworm AS build\n# Build heavy"), "{}", p.patched);
        assert!(
            p.patched.contains("# the toolchain\nRUN apt-get update && apt-get install -y build-essential"),
            "comments kept"
        );
        // the original took Recommends, so the runtime does (nothing there recommends a compiler)
        assert!(rt.contains("apt-get install -y libssl3 \\"), "{rt}");
        assert!(!rt.contains("build-essential"), "{rt}");
        assert!(rt.contains("COPY --from=build /usr/local/bin/hello /usr/local/bin/hello\nCMD [\"hello\"]"), "{rt}");
        answers(text, &p, &["SL101"]);
    }

    /// An in-place build (`npm install` in the cloned project, `qmake && make` in /src): the
    /// project folder the program runs from is the artifact; the clone that needs git runs in
    /// the build stage only.
    #[test]
    fn an_in_place_build_copies_the_project_folder_it_runs_from() {
        let text = "FROM node:alpine\nRUN apk add --no-cache build-base git python3\nRUN git clone --depth 1 https://example.com/app.git /opt/app\nWORKDIR /opt/app\nRUN npm install --production\nCMD [\"npm\", \"start\"]\n";
        let p = patch(text);
        let rt = runtime(&p);
        assert_eq!(rt, "RUN apk add --no-cache python3\nWORKDIR /opt/app\nCOPY --from=build /opt/app /opt/app\nCMD [\"npm\", \"start\"]\n");
        answers(text, &p, &["SL101"]);
        // the program is named by its path
        let make = "FROM debian:bookworm\nRUN apt-get update && apt-get install -y build-essential\nCOPY . /src\nRUN cd /src && make\nENTRYPOINT [\"/src/term\"]\n";
        assert!(runtime(&patch(make)).contains("COPY --from=build /src /src\nENTRYPOINT"), "{}", patch(make).patched);
        // a folder the system shares is never copied whole, nor one the program does not run from
        for text in [
            make.replace("COPY . /src\nRUN cd /src", "COPY . /usr/local\nRUN cd /usr/local"),
            make.replace("/src/term", "term"),
        ] {
            let O::Refused(why) = suggest(&text, "D", &Default::default(), &Templates::built_in()) else {
                panic!("{text}")
            };
            assert!(why.contains("cannot tell"), "{text}: {}", why.message);
        }
    }

    /// A virtualenv the RUN makes and activates (traefik's docs image) is what pip installs
    /// into: it is copied, and no second virtualenv is made.
    #[test]
    fn an_activated_virtualenv_is_the_artifact() {
        let text = "FROM alpine:3.20\nWORKDIR /docs\nRUN apk add --no-cache py3-pip gcc musl-dev python3-dev \\\n  && python3 -m venv /venv \\\n  && source /venv/bin/activate \\\n  && pip3 install mkdocs\nCMD [\"/venv/bin/mkdocs\", \"serve\"]\n";
        let p = patch(text);
        assert!(!p.patched.contains("/opt/venv"), "{}", p.patched);
        assert_eq!(runtime(&p), "WORKDIR /docs\nRUN apk add --no-cache py3-pip\nCOPY --from=build /venv /venv\nCMD [\"/venv/bin/mkdocs\", \"serve\"]\n");
        answers(text, &p, &["SL101"]);
        // pip called by the virtualenv's path, no activation
        let by_path = text.replace("  && source /venv/bin/activate \\\n  && pip3", "  && /venv/bin/pip");
        assert!(runtime(&patch(&by_path)).contains("COPY --from=build /venv /venv\n"), "{}", patch(&by_path).patched);
    }

    /// indico's shape (round 60, held out): the virtualenv's pip is an ARG (`ARG
    /// pip="${INDICO_VIRTUALENV}/bin/pip"`), and the RUNs after the one that made the
    /// virtualenv call it by that path. The command is read as the pip it names, and what it
    /// installs lands in the virtualenv, not in the base's `/usr/local`.
    #[test]
    fn a_pip_named_by_an_arg_installs_into_the_virtualenv_an_earlier_run_made() {
        let text = "FROM python:3.12-trixie\nENV INDICO_VIRTUALENV=\"/opt/indico/.venv\"\nARG pip=\"${INDICO_VIRTUALENV}/bin/pip\"\nARG tag=\"latest\"\nRUN apt-get update && apt-get -y install libpq-dev gcc libldap2-dev rsync && apt-get clean\nRUN set -ex && python -m venv ${INDICO_VIRTUALENV} && ${pip} install --upgrade pip setuptools wheel && ${pip} install uwsgi\nRUN if [ \"$tag\" = \"latest\" ]; then ${pip} install indico; else ${pip} install indico==${tag}; fi;\nRUN ${pip} install indico-plugins\nRUN ${INDICO_VIRTUALENV}/bin/indico setup create-symlinks /opt/indico\nENTRYPOINT [\"/opt/indico/.venv/bin/uwsgi\"]\n";
        let p = patch(text);
        let rt = runtime(&p);
        assert!(
            rt.contains("COPY --from=build /opt/indico/.venv /opt/indico/.venv\n") && !rt.contains("/usr/local"),
            "{}",
            p.patched
        );
        // the installs stay in the build stage, written as they were
        assert!(
            !rt.contains("${pip} install") && p.patched.contains("RUN ${pip} install indico-plugins\n"),
            "{}",
            p.patched
        );
        assert!(rt.contains("RUN ${INDICO_VIRTUALENV}/bin/indico setup create-symlinks /opt/indico\n"), "{rt}");
    }

    /// A virtualenv an earlier RUN makes and ENV activates for the later ones (superdesk's
    /// `ENV VIRTUAL_ENV=/opt/venv`, `ENV PATH="$VIRTUAL_ENV/bin:$PATH"`) is where a later
    /// `python3 -m pip install` lands on Ubuntu, not the system's `/usr/local`: the runtime
    /// gets the virtualenv.
    #[test]
    fn a_virtualenv_the_environment_activates_is_the_artifact() {
        let text = "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y --no-install-recommends python3 python3-dev python3-venv gcc libxml2-dev \\\n  && rm -rf /var/lib/apt/lists/*\nENV VIRTUAL_ENV=/opt/venv\nRUN python3 -m venv \"$VIRTUAL_ENV\"\nENV PATH=\"$VIRTUAL_ENV/bin:$PATH\"\nWORKDIR /app\nCOPY requirements.txt .\nRUN python3 -m pip install -r requirements.txt\nCOPY . .\nCMD [\"honcho\", \"start\"]\n";
        let p = patch(text);
        let rt = runtime(&p);
        assert!(rt.contains("COPY --from=build /opt/venv /opt/venv\n") && !rt.contains("/usr/local"), "{}", p.patched);
        assert!(rt.contains("ENV PATH=\"$VIRTUAL_ENV/bin:$PATH\"\n"), "{rt}");
        answers(text, &p, &["SL101"]);
        // a virtualenv made earlier and put on PATH by its own path, no VIRTUAL_ENV
        let by_path = text
            .replace("ENV VIRTUAL_ENV=/opt/venv\n", "")
            .replace("\"$VIRTUAL_ENV\"", "/opt/venv")
            .replace("$VIRTUAL_ENV/bin", "/opt/venv/bin");
        assert!(
            runtime(&patch(&by_path)).contains("COPY --from=build /opt/venv /opt/venv\n"),
            "{}",
            patch(&by_path).patched
        );
        // on PATH after the system's folders, the system's pip runs
        let after = by_path.replace("ENV PATH=\"/opt/venv/bin:$PATH\"", "ENV PATH=\"$PATH:/opt/venv/bin\"");
        assert!(
            runtime(&patch(&after)).contains("COPY --from=build /usr/local /usr/local\n"),
            "{}",
            patch(&after).patched
        );
    }
    #[test]
    fn a_gopath_go_get_installs_into_go_bin() {
        let text = "FROM golang:1.22-bookworm\nRUN apt-get update && apt-get install -y libportaudio2 portaudio19-dev libxcursor-dev \\\n  && go get github.com/example/emu\nENTRYPOINT [\"emu\"]\n";
        let p = patch(text);
        let rt = runtime(&p);
        // into /usr/local/bin, on the runtime's PATH (/go/bin is on the golang image's only)
        assert!(rt.contains("COPY --from=build /go/bin/ /usr/local/bin/\n"), "{}", p.patched);
        // a file that runs it by its /go/bin path keeps that path
        let by_path = text.replace("[\"emu\"]", "[\"/go/bin/emu\"]");
        assert!(
            runtime(&patch(&by_path)).contains("COPY --from=build /go/bin /go/bin\n"),
            "{}",
            patch(&by_path).patched
        );
        // the -dev packages' libraries come along, so the binary still links
        assert!(rt.contains("libxcursor1"), "{rt}");
        assert!(!rt.contains("-dev"), "{rt}");
        // `go get -d` only downloads: there is nothing to copy
        let d = text.replace("go get", "go get -d");
        match suggest(&d, "Dockerfile", &Default::default(), &Templates::built_in()) {
            O::Refused(r) => assert_eq!(r.reason, Reason::UnknownArtifact, "{r:?}"),
            other => panic!("a download-only go get gave {other:?}"),
        }
    }

    /// IntelOwl's malware tools: `chmod +x wrapper.py` runs in one WORKDIR, and the runtime's
    /// set-up RUN, where the artifacts arrive, runs in a later one: the path is written out
    /// from the folder it ran in. In the folder the set-up runs in, it is rerun as written.
    #[test]
    fn set_up_named_relative_to_another_workdir_is_written_out() {
        let text = "FROM debian:bookworm\nRUN apt-get update && apt-get install -y build-essential curl\nWORKDIR /opt/tool\nCOPY wrapper.py ./\nRUN make && make install PREFIX=/usr/local && chmod +x wrapper.py\nWORKDIR /opt/flask\nCOPY app.py ./\nRUN make -C /opt/lib install PREFIX=/opt/lib && mkdir -m 0770 -p /var/lib/x && chmod 0644 app.py\nCMD [\"python3\", \"app.py\"]\n";
        let rt = runtime(&patch(text));
        assert!(rt.contains("RUN chmod +x /opt/tool/wrapper.py \\\n"), "{rt}");
        assert!(rt.contains("&& chmod 0644 app.py\n"), "{rt}");
        // the same folder: kept as written (and mkdir's mode is no file)
        let same = text.replace("WORKDIR /opt/flask\n", "").replace("chmod 0644 app.py", "chmod 0644 /opt/tool/app.py");
        let rt = runtime(&patch(&same));
        assert!(rt.contains("chmod +x wrapper.py"), "{rt}");
    }

    /// aleph's shape: a late RUN fetches a model and unpacks an archive into a folder of its
    /// own with `python3 -m zipfile --extract`; both ship. A toolchain unpacked into
    /// `/usr/local` is no artifact of its own.
    #[test]
    fn an_archive_unpacked_into_a_folder_of_its_own_ships() {
        let text = "FROM python:3.9\nRUN apt-get update && apt-get install -y --no-install-recommends jq python3-dev && rm -rf /var/lib/apt/lists/*\nCOPY requirements.txt /tmp/\nRUN pip3 install --no-cache-dir -r /tmp/requirements.txt\nRUN mkdir -p /opt/m/words/ && curl -L -o /opt/m/words/words.zip https://example.com/w.zip && python3 -m zipfile --extract /opt/m/words/words.zip /opt/m/words/ && curl -L -o /opt/m/model.pkl https://example.com/m.pkl\nCMD [\"app\"]\n";
        let p = patch(text);
        let rt = runtime(&p);
        assert!(rt.contains("COPY --from=build /opt/m/words /opt/m/words\n"), "{}", p.patched);
        assert!(rt.contains("COPY --from=build /opt/m/model.pkl /opt/m/model.pkl\n"), "{}", p.patched);
        // the folders an extraction keeps, by the model: not a toolchain unpacked into a
        // system prefix, a folder it builds in, or one it removes
        let kept = |run: &str| {
            let script = crate::dockerfile::shell::parse(run);
            let at = super::Landing { base_prefix: Some("/usr/local"), ..Default::default() };
            super::artifacts(&script.commands, "/", at)
                .ok()
                .unwrap_or_default()
                .into_iter()
                .map(|a| a.to)
                .collect::<Vec<_>>()
        };
        assert_eq!(kept("python3 -m zipfile -e w.zip /opt/m/words/"), ["/opt/m/words"]);
        assert_eq!(kept("unzip w.zip -d /srv/data && tar -xzf x.tgz -C /var/lib/x"), ["/srv/data", "/var/lib/x"]);
        assert!(kept("tar -C /usr/local -xzf go.tgz && tar -xf jdk.tgz -C /opt").is_empty());
        assert!(kept("tar -xf src.tgz -C /opt/src && cd /opt/src && make").is_empty());
        assert!(kept("unzip w.zip -d /opt/w && rm -rf /opt/w").is_empty());
    }

    #[test]
    fn a_download_saved_where_programs_run_from_is_copied() {
        let text = "FROM debian:bookworm\nRUN apt-get update && apt-get install -y build-essential curl \\\n    && curl -fsSL https://example.com/tool -o /usr/local/bin/tool && chmod +x /usr/local/bin/tool \\\n    && make && cp app /usr/local/bin/app\nCMD [\"app\"]\n";
        let rt = runtime(&patch(text));
        // the file the replayed chmod needs is there
        assert!(rt.contains("COPY --from=build /usr/local/bin/tool /usr/local/bin/tool\n"), "{rt}");
        answers(text, &patch(text), &["SL101"]);
        // an archive the RUN unpacks, or a file it removes again, is not
        for (other, file) in [
            ("-o /usr/local/tool.tar.gz && tar -xzf /usr/local/tool.tar.gz", "/usr/local/tool.tar.gz"),
            ("-o /usr/local/bin/tool && rm /usr/local/bin/tool", "/usr/local/bin/tool"),
            // in a folder the RUN removes, or a header the build reads (WebODM's postgres)
            ("-o /opt/x/tool && rm -fr /opt/x", "/opt/x/tool"),
            ("-o /usr/include/json-c/json_object_private.h", "/usr/include/json-c"),
        ] {
            let t = text.replace("-o /usr/local/bin/tool && chmod +x /usr/local/bin/tool", other);
            assert!(!runtime(&patch(&t)).contains(&format!("COPY --from=build {file}")), "{}", patch(&t).patched);
        }
    }

    #[test]
    fn a_luarocks_install_after_the_build_is_built_too() {
        // round 8 (fedora-cloud lapis): the rock compiles C, so it cannot be replayed in the
        // runtime, which has no compiler; its tree is under /usr/local
        let text = "FROM fedora:41\nRUN dnf -y install gcc make openssl-devel && dnf clean all\nRUN cd /usr/src/lr && ./configure --prefix=/usr/local && make build && make install\nRUN luarocks install lapis\nCMD [\"lapis\", \"server\"]\n";
        let p = patch(text);
        let (build, rt) = (p.patched.split(" AS runtime\n").next().unwrap(), runtime(&p));
        assert!(build.contains("RUN luarocks install lapis\n"), "{}", p.patched);
        assert!(!rt.contains("luarocks"), "{rt}");
        assert!(rt.contains("COPY --from=build /usr/local /usr/local\n"), "{rt}");
        answers(text, &p, &["SL101"]);
    }

    #[test]
    fn a_launcher_named_by_its_path_runs_the_program_in_place() {
        let text = "FROM node:20\nRUN apt-get update && apt-get install -y build-essential\nWORKDIR /app\nCOPY . .\nRUN make\nCMD [\"/bin/bash\", \"./start.sh\"]\n";
        let p = patch(text);
        assert!(runtime(&p).contains("COPY --from=build /app /app\n"), "{}", p.patched);
    }

    #[test]
    fn configure_and_make_install_on_alpine_copy_the_prefix_and_rerun_the_setup() {
        let text = "FROM alpine:3.20\nRUN apk add --no-cache --virtual .keep build-base curl pcre-dev \\\n    && curl -fsSL https://example.com/app.tar.gz | tar xz \\\n    && cd app && ./configure --prefix=/opt/app && make && make install \\\n    && adduser -D app\nUSER app\nCMD [\"/opt/app/bin/app\"]\n";
        let p = patch(text);
        let rt = runtime(&p);
        assert!(
            rt.starts_with(
                "RUN apk add --no-cache curl pcre\nCOPY --from=build /opt/app /opt/app\nRUN adduser -D app\nUSER app"
            ),
            "{rt}"
        );
        answers(text, &p, &["SL101"]);
        // into /usr, the prefix the toolchain shares: installed into a staging root that the
        // runtime copies whole
        let usr = text.replace("--prefix=/opt/app", "--prefix=/usr");
        let p = patch(&usr);
        assert!(p.patched.contains("&& make && make DESTDIR=/opt/shiplight-root install \\\n"), "{}", p.patched);
        assert!(runtime(&p).contains("COPY --from=build /opt/shiplight-root/ /\n"), "{}", p.patched);
        answers(&usr, &p, &["SL101"]);
    }

    #[test]
    fn go_rust_and_java_on_a_distribution_base() {
        let go = "FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends golang-go git ca-certificates\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/app ./cmd/app\nENTRYPOINT [\"app\"]\n";
        let p = patch(go);
        assert!(runtime(&p).contains("COPY --from=build /usr/local/bin/app /usr/local/bin/app"));
        assert!(runtime(&p).contains("--no-install-recommends ca-certificates"));
        answers(go, &p, &["SL101"]);
        let rust = "FROM debian:bookworm\nRUN apt-get update && apt-get install -y cargo\nWORKDIR /src\nCOPY . .\nRUN cargo build --release && cp target/release/app /usr/local/bin/app\nCMD [\"app\"]\n";
        let p = patch(rust);
        assert!(p.patched.contains("FROM debian:bookworm-slim AS runtime"), "{}", p.patched);
        answers(rust, &p, &["SL101"]);
        let java = "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y openjdk-17-jdk-headless\nWORKDIR /app\nCOPY src src\nRUN mkdir -p out && javac -d out src/Hello.java && jar cfe /app/hello.jar Hello -C out .\nCMD [\"java\", \"-jar\", \"/app/hello.jar\"]\n";
        let p = patch(java);
        let rt = runtime(&p);
        assert!(
            rt.contains("openjdk-17-jre-headless") && rt.contains("COPY --from=build /app/hello.jar /app/hello.jar"),
            "{rt}"
        );
        answers(java, &p, &["SL101"]);
    }

    #[test]
    fn the_artifacts_arrive_where_the_build_was() {
        let text = "FROM debian:bookworm\nENV X=1\nRUN apt-get update && apt-get install -y gcc make libpq-dev\nWORKDIR /src\nCOPY . .\nRUN make && cp app /usr/local/bin/app\nEXPOSE 80\nCMD [\"app\"]\n";
        let rt = runtime(&patch(text));
        let order: Vec<&str> = rt.lines().filter(|l| !l.starts_with(' ')).collect();
        assert_eq!(
            order,
            [
                "ENV X=1",
                "RUN apt-get update \\",
                "WORKDIR /src",
                "COPY . .",
                "COPY --from=build /usr/local/bin/app /usr/local/bin/app",
                "EXPOSE 80",
                "CMD [\"app\"]"
            ],
            "{rt}"
        );
    }

    #[test]
    fn dev_packages_nothing_builds_against_are_swapped_for_their_libraries() {
        let text = "FROM debian:bullseye-slim\nRUN apt-get update && apt-get install -y \\\n    ca-certificates \\\n    libx11-xcb-dev \\\n    && rm -rf /var/lib/apt/lists/*\nCMD [\"firefox\"]\n";
        let p = patch(text);
        assert!(p.patched.contains("    libx11-xcb1 \\\n") && !p.patched.contains("-dev"), "{}", p.patched);
        assert!(p.rationale[0].message.contains("a guess"), "{:?}", p.rationale);
        answers(text, &p, &["SL101"]);
    }

    /// keycloak's test image installs a JDK it never compiles with; kasm's installs its JRE
    /// beside it; Selenium's Firefox node installs GTK's headers for the libraries
    #[test]
    fn a_jdk_nothing_compiles_with_gives_way_to_its_jre() {
        let text = "FROM debian:bookworm\nRUN apt-get update && apt-get install -y ca-certificates openjdk-17-jdk-headless\nCOPY kc.jar /kc.jar\nCMD [\"java\", \"-jar\", \"/kc.jar\"]\n";
        let p = patch(text);
        assert!(p.patched.contains("install -y ca-certificates openjdk-17-jre-headless\n"), "{}", p.patched);
        assert!(p.rationale[0].message.contains("runs on its JRE"), "{:?}", p.rationale);
        answers(text, &p, &["SL101"]);
        let both = text.replace("openjdk-17-jdk-headless", "default-jdk default-jre");
        let p = patch(&both);
        assert!(p.patched.contains("install -y ca-certificates default-jre\n"), "{}", p.patched);
        assert!(p.rationale[0].message.contains("is installed already"), "{:?}", p.rationale);
        let gtk = text.replace("openjdk-17-jdk-headless", "libgtk-3-dev");
        assert!(patch(&gtk).patched.contains("ca-certificates libgtk-3-0\n"));
        // the derived row has no Alpine name (`?`): reported, not guessed
        assert!(crate::patch::libraries::row("libgtk-3-dev").is_some());
        let alpine = "FROM alpine:3.20\nRUN apk add --no-cache libgtk-3-dev\nCMD [\"app\"]\n";
        assert!(matches!(suggest(alpine, "D", &Default::default(), &Templates::built_in()), O::Refused(_)));
    }

    #[test]
    fn pip_into_a_distribution_python_moves_into_a_virtualenv() {
        let text = "FROM alpine:3.20\nRUN apk add --no-cache python3 py3-pip build-base python3-dev libffi-dev \\\n    && pip3 install --no-cache-dir --break-system-packages cffi \\\n    && adduser -D app\nUSER app\nCMD [\"python3\", \"-c\", \"import cffi\"]\n";
        let p = patch(text);
        let (build, rt) = (p.patched.split(" AS runtime\n").next().unwrap(), runtime(&p));
        assert!(build.contains("ENV VIRTUAL_ENV=/opt/venv PATH=\"/opt/venv/bin:$PATH\"\nRUN apk add"), "{build}");
        assert!(build.contains("&& python3 -m venv /opt/venv && hash -r && pip3 install"), "{build}");
        assert!(rt.starts_with("RUN apk add --no-cache python3 py3-pip libffi\nCOPY --from=build /opt/venv /opt/venv\nENV VIRTUAL_ENV=/opt/venv"), "{rt}");
        answers(text, &p, &["SL101"]);
        // Debian's and Ubuntu's Python makes a virtualenv only with python3-venv (round 53's
        // cuda_simple): without it, no virtualenv; with it, the same move
        let ubuntu = "FROM nvidia/cuda:12.5.0-runtime-ubuntu22.04\nRUN apt-get update && apt-get install -y python3 python3-pip build-essential libffi-dev \\\n    && pip3 install --no-cache-dir cffi\nCMD [\"python3\", \"-c\", \"import cffi\"]\n";
        let staged = patch(ubuntu).patched;
        assert!(!staged.contains("-m venv") && staged.contains("pip3 install --root=/opt/shiplight-root"), "{staged}");
        let with_venv = ubuntu.replace("python3-pip ", "python3-pip python3-venv ");
        assert!(patch(&with_venv).patched.contains("&& python3 -m venv /opt/venv && hash -r && pip3 install"));
        // a pip that get-pip.py fetched for python3: the virtualenv (Alpine's python3 has
        // ensurepip) still has one
        let getpip = "FROM alpine:3.20\nRUN apk add --no-cache python3 build-base && curl -sSL https://bootstrap.pypa.io/get-pip.py | python3 && pip install cffi\nCMD [\"python3\"]\n";
        let p = patch(getpip);
        assert!(
            p.patched.contains("| python3 && python3 -m venv /opt/venv && hash -r && pip install cffi"),
            "{}",
            p.patched
        );
        assert!(runtime(&p).contains("COPY --from=build /opt/venv /opt/venv\n"), "{}", p.patched);
        // a bare pip on a distribution whose Python may be 2 (CentOS 7's): no venv, refused
        let centos = "FROM centos:7\nRUN yum install -y python-pip gcc python-devel && pip install cffi && sentry --help\nCMD [\"python\"]\n";
        let O::Refused(why) = suggest(centos, "D", &Default::default(), &Templates::built_in()) else {
            panic!("{centos}")
        };
        assert_eq!(why.reason, Reason::SystemPrefix, "{why:?}");
        // … for Python 2, whose venv may not exist: staged with `--root` instead
        for python2 in ["| python &&", "| python2 &&"] {
            let text = getpip.replace("| python3 &&", python2);
            let p = patch(&text);
            assert!(p.patched.contains("pip install --root=/opt/shiplight-root cffi"), "{}", p.patched);
            assert!(!p.patched.contains("venv"), "{}", p.patched);
        }
    }

    #[test]
    fn headers_only_packages_go_and_architecture_namespaces_are_official() {
        let text = "FROM alpine:3.20\nRUN apk add --no-cache collectd collectd-dev\nCMD [\"collectd\", \"-f\"]\n";
        let p = patch(text);
        assert!(p.patched.contains("RUN apk add --no-cache collectd\n"), "{}", p.patched);
        answers(text, &p, &["SL101"]);
        // nothing left to install: not rewritten
        let only = "FROM alpine:3.20\nRUN apk add --no-cache collectd-dev\nCMD [\"sh\"]\n";
        assert!(matches!(suggest(only, "D", &Default::default(), &Templates::built_in()), O::Refused(_)));
        // arm32v7/debian is the official debian: pip lands in /usr/local
        let arm = "FROM arm32v7/debian:bookworm\nRUN apt-get update && apt-get install -y python3-pip build-essential python3-dev && pip3 install --break-system-packages cffi\nCMD [\"python3\"]\n";
        let p = patch(arm);
        assert!(runtime(&p).contains("COPY --from=build /usr/local /usr/local"), "{}", p.patched);
    }

    #[test]
    fn runtime_libraries_found_by_verify_replace_the_table() {
        let text = "FROM debian:bookworm\nRUN apt-get update && apt-get install -y gcc make libssl-dev libfoo-dev curl && rm -rf /var/lib/apt/lists/*\nWORKDIR /src\nCOPY . .\nRUN make && cp app /usr/local/bin/app\nCMD [\"app\"]\n";
        let guessed = patch(text);
        assert!(runtime(&guessed).contains("install -y libssl3 curl"), "{}", guessed.patched);
        let inputs = crate::patch::Inputs {
            runtime_libs: Some(vec![("libssl3".into(), "libssl.so.3".into()), (String::new(), "libfoo.so.1".into())]),
            ..Default::default()
        };
        let O::Patch(found) = suggest(text, "D", &inputs, &Templates::built_in()) else { panic!() };
        // the table's guess the ELF needs confirm keeps its place: the same line as without them
        assert!(runtime(&found).contains("install -y libssl3 curl \\"), "{}", found.patched);
        let m = &found.rationale.iter().find(|r| r.rule == "SL102").unwrap().message;
        assert!(m.contains("ELF needs") && m.contains("libssl3 (libssl.so.3)") && m.contains("libfoo.so.1"), "{m}");
        assert!(!m.contains("guess"), "{m}");
    }

    fn refusal(text: &str) -> crate::patch::Refusal {
        match suggest(text, "Dockerfile", &Default::default(), &Templates::built_in()) {
            O::Refused(r) => r,
            other => panic!("a patch for\n{text}\n{other:?}"),
        }
    }

    /// Round 9 (jupyterhub's postgres example): pip into the base's own Python, whose program
    /// the stage inherits, gets no virtualenv the program would never use.
    #[test]
    fn a_virtualenv_only_when_the_program_runs_from_it() {
        // the base's own Python, whose program the stage inherits: staged into it, not a
        // virtualenv the program would never use
        let inherited = "FROM jupyter/jupyterhub-onbuild\nRUN apt-get install -y libpq-dev && pip3 install psycopg2\nRUN useradd -m rhea\nUSER rhea\n";
        let p = patch(inherited);
        assert!(p.patched.contains("pip3 install --root=/opt/shiplight-root psycopg2"), "{}", p.patched);
        assert!(runtime(&p).contains("libpq5") && runtime(&p).contains("COPY --from=build /opt/shiplight-root/ /\n"));
        assert!(!p.patched.contains("venv"), "{}", p.patched);
        // a Python named by its path outside the virtualenv: staged likewise
        let by_path = "FROM alpine:3.20\nRUN apk add python3 py3-pip python3-dev gcc musl-dev && pip3 install psycopg2\nCMD [\"/usr/bin/python3\", \"-m\", \"app\"]\n";
        assert!(patch(by_path).patched.contains("pip3 install --root=/opt/shiplight-root psycopg2"));
        // the program on PATH is the virtualenv's
        let on_path = by_path.replace("/usr/bin/python3", "python3");
        assert!(runtime(&patch(&on_path)).contains("COPY --from=build /opt/venv /opt/venv\n"));
    }

    /// Round 9 (mailcow's netfilter): the program imports `py3-nftables` from the system's
    /// site-packages, so its virtualenv must see them.
    #[test]
    fn a_virtualenv_sees_the_distributions_python_modules() {
        let text = "FROM alpine:3.20\nWORKDIR /app\nRUN apk add --virtual .build-deps gcc python3-dev libffi-dev && apk add python3 py3-pip py3-nftables musl-dev && pip3 install redis python-iptables && apk del .build-deps\nCOPY main.py /app/\nCMD [\"python3\", \"/app/main.py\"]\n";
        let p = patch(text);
        assert!(
            p.patched.contains("python3 -m venv --system-site-packages /opt/venv && hash -r && pip3 install"),
            "{}",
            p.patched
        );
        assert!(runtime(&p).contains("py3-nftables"), "{}", p.patched);
        let without = text.replace(" py3-nftables", "");
        assert!(patch(&without).patched.contains("python3 -m venv /opt/venv && hash -r && pip3 install"));
    }

    /// Round 9 (sameersbn/docker-redmine): a script rerun in the runtime after the toolchain
    /// is installed may build with it (its `bundle install` compiles), so no split.
    #[test]
    fn a_script_the_runtime_would_rerun_after_the_toolchain_is_refused() {
        let text = "FROM ruby:3.3-slim-bookworm\nRUN apt-get update && apt-get install -y gcc make libpq-dev && gem install bundler\nCOPY assets/build/ /etc/app/build/\nRUN bash /etc/app/build/install.sh\nCMD [\"app\"]\n";
        let r = refusal(text);
        assert_eq!(r.reason, Reason::StillShips, "{r:?}");
        assert!(r.message.starts_with("line 4: `/etc/app/build/install.sh` runs after the toolchain"), "{}", r.message);
    }

    /// Round 32 (alerta's examples): a script the RUN runs, read from the context, is judged by
    /// what it does. One that only writes configuration runs in the runtime as written; one
    /// that pip-installs `git+…` plugins builds (the refusal names the command) and makes git a
    /// build tool.
    #[test]
    fn a_script_read_from_the_context_is_judged_by_what_it_runs() {
        let text = "FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y git python3-pip snmptrapd\nADD conf.sh /conf.sh\nRUN /conf.sh\nRUN pip3 install --break-system-packages git+https://github.com/alerta/alerta-contrib.git#subdirectory=integrations/snmptrap\nCMD [\"snmptrapd\", \"-f\"]\n";
        assert_eq!(refusal(text).reason, Reason::StillShips);
        let with = |script: &str| crate::patch::Inputs {
            run_scripts: vec![crate::patch::start::ContextScript {
                path: "/conf.sh".into(),
                text: script.into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let conf = "#!/bin/sh\ncat >/etc/snmp/snmptrapd.conf << EOF\ndisableAuthorization yes\ntraphandle default alerta-snmptrap\nEOF\n";
        let O::Patch(p) = suggest(text, "Dockerfile", &with(conf), &Templates::built_in()) else { panic!("{text}") };
        let rt = runtime(&p);
        assert!(rt.contains("ADD conf.sh /conf.sh\nRUN /conf.sh\n"), "{}", p.patched);
        assert!(rt.contains("COPY --from=build"), "{}", p.patched);
        assert!(!rt.contains(" git "), "{}", p.patched);
        // a script that builds keeps the refusal, saying what it runs
        let builds =
            "#!/bin/sh\nwhile read p v; do\n  pip install git+https://example.org/x.git@$v\ndone </app/plugins.txt\n";
        let O::Refused(r) = suggest(text, "Dockerfile", &with(builds), &Templates::built_in()) else { panic!() };
        assert_eq!(r.reason, Reason::StillShips);
        assert!(
            r.message.starts_with("line 4: `/conf.sh` runs `pip install git+https://example.org/x.git@$v` after"),
            "{}",
            r.message
        );
        // and so does one that runs a script of its own, or installs a compiler
        for opaque in ["#!/bin/sh\n./other.sh\n", "#!/bin/sh\napt-get install -y gcc\n"] {
            let O::Refused(r) = suggest(text, "Dockerfile", &with(opaque), &Templates::built_in()) else {
                panic!("{opaque}")
            };
            assert_eq!(r.reason, Reason::StillShips, "{opaque}");
        }
    }

    /// Round 31 (openemr 7.0): the runtime reruns a set-up command without the RUN's `cd`s
    /// and after its `mv`s. One that names a path a later `mv` moves into a folder is rerun
    /// on the path where it lands; one that names a relative path a `cd` changes, or a path a
    /// `mv` renames, would set up the wrong place (or fail), so the split is refused, saying
    /// why. A tool a language package manager installed (`/root/.composer/vendor/bin/phing`)
    /// is a build step.
    #[test]
    fn set_up_a_cd_or_a_move_displaces_is_refused() {
        let text = "FROM alpine:3.20\nRUN apk add --no-cache php83 nodejs npm openssl-dev\nRUN apk add --no-cache git build-base \\\n    && git clone https://github.com/openemr/openemr.git --depth 1 \\\n    && cd openemr && npm install && /root/.composer/vendor/bin/phing vendor-clean \\\n    && cd ../ \\\n    && chmod 666 openemr/sites/default/sqlconf.php \\\n    && mv openemr /var/www/localhost/htdocs/ \\\n    && apk del --no-cache git build-base\nWORKDIR /var/www/localhost/htdocs/openemr\nCMD [\"./openemr.sh\"]\n";
        // the file's mode comes with the COPY of the tree it was moved into: not set again
        let rt = runtime(&patch(text));
        assert!(
            rt.contains("COPY --from=build /var/www/localhost/htdocs/openemr /var/www/localhost/htdocs/openemr\n"),
            "{rt}"
        );
        assert!(!rt.contains("chmod"), "{rt}");
        // its recursive chown of the tree it moves: the COPY gives the owner, so the tree is
        // not written again into a layer of its own
        let owned = text.replace("    && mv openemr", "    && chown -R apache openemr/ \\\n    && mv openemr");
        let rt = runtime(&patch(&owned));
        assert!(
            rt.contains("COPY --from=build --chown=apache /var/www/localhost/htdocs/openemr /var/www/localhost/htdocs/openemr\n"),
            "{rt}"
        );
        assert!(!rt.contains("chown -R"), "{rt}");
        let made = owned.replace(
            "RUN apk add --no-cache git build-base",
            "RUN adduser -D apache && apk add --no-cache git build-base",
        );
        assert!(
            runtime(&patch(&made)).contains("chown -R apache /var/www/localhost/htdocs/openemr"),
            "the user is made after the COPY"
        );
        let renamed =
            text.replace("mv openemr /var/www/localhost/htdocs/ ", "mv openemr /var/www/localhost/htdocs/openemr ");
        let r = refusal(&renamed);
        assert_eq!(r.reason, Reason::MixedRun, "{r:?}");
        assert!(r.message.starts_with("line 3: the runtime stage would rerun `chmod 666 openemr/sites/default/sqlconf.php`, which sets up `openemr/sites/default/sqlconf.php` and a later `mv` of this RUN moves `/openemr` away; write it after the `mv`"), "{}", r.message);
        // written where it lands, after the move, it is rerun as written
        let fixed = text.replace("    && chmod 666 openemr/sites/default/sqlconf.php \\\n    && mv openemr /var/www/localhost/htdocs/ \\\n", "    && mv openemr /var/www/localhost/htdocs/ \\\n    && chmod 666 /var/www/localhost/htdocs/openemr/sites/default/sqlconf.php \\\n");
        let rt = runtime(&patch(&fixed));
        assert!(rt.contains("chmod 666 /var/www/localhost/htdocs/openemr/sites/default/sqlconf.php"), "{rt}");
        // a relative path while a `cd` has left the RUN's folder
        let cd = fixed
            .replace("    && cd ../ \\\n", "")
            .replace(
                "chmod 666 /var/www/localhost/htdocs/openemr/sites/default/sqlconf.php",
                "chmod 666 sites/default/sqlconf.php",
            )
            .replace("mv openemr", "mv /openemr");
        let r = refusal(&cd);
        assert!(
            r.message.contains(
                "which sets up `sites/default/sqlconf.php` after a `cd`, and the runtime's RUN does not `cd`"
            ),
            "{}",
            r.message
        );
        // sed's script and a symbolic link's target name no file the `cd` places
        let sed = cd.replace(
            "chmod 666 sites/default/sqlconf.php",
            "sed -i 's/^Listen 80/Listen 8080/' /etc/apache2/httpd.conf && ln -sf ../share/x /usr/local/bin/x",
        );
        let rt = runtime(&patch(&sed));
        assert!(rt.contains("sed -i 's/^Listen 80/Listen 8080/' /etc/apache2/httpd.conf"), "{rt}");
    }

    /// Round 33 (opensourcepos on `php:8.2-apache`): a tag that names no release is trixie
    /// today and was bookworm before, and the two name `libicu-dev`'s library differently
    /// (`libicu72`, `libicu76`): without `--verify` the table's name is a coin toss, so the
    /// split is refused, saying what to pin. Pinned, or where both releases agree (`libpq5`),
    /// the table names it. (`suggest` answers these files with the PHP rewriter's purge in
    /// place, which needs no table; the split is asked here directly.)
    #[test]
    fn a_library_the_unnamed_release_decides_is_not_guessed() {
        let text = "FROM php:8.2-apache\nRUN apt-get update && apt-get install -y --no-install-recommends libicu-dev libgd-dev \\\n    && docker-php-ext-install intl gd \\\n    && rm -rf /var/lib/apt/lists/*\nCOPY . /app\n";
        let split = |text: &str| super::plan(&crate::dockerfile::Dockerfile::parse(text).unwrap(), &Default::default());
        let Some(Err(O::Refused(r))) = split(text) else { panic!("{:?}", split(text).map(|p| p.map(|p| p.data))) };
        assert_eq!(r.reason, Reason::UnknownRuntime, "{r:?}");
        assert!(
            r.message.contains("on `php:8.2-apache`: its tag names no Debian release, and `libicu-dev`'s runtime library is named per release (`libicu72` on bookworm, `libicu76` on trixie); ask with `--verify`"),
            "{}",
            r.message
        );
        let runtime_of = |text: &str| match split(text) {
            Some(Ok(p)) => p.data.to_string(),
            other => panic!("{:?}", other.map(|p| p.map(|p| p.data))),
        };
        let pinned = runtime_of(&text.replace("php:8.2-apache", "php:8.2-apache-trixie"));
        assert!(pinned.contains("libicu76"), "{pinned}");
        let agreed = runtime_of(&text.replace("libicu-dev libgd-dev", "libpq-dev").replace("intl gd", "pgsql"));
        assert!(agreed.contains("libpq5"), "{agreed}");
        // trixie's 64-bit time_t renames provide the old names (`libssl3t64` provides `libssl3`,
        // `libgeos-c1t64` `libgeos-c1v5`): the table's names install on either release
        use crate::dockerfile::packages::Manager;
        use crate::patch::libraries;
        for dev in ["libssl-dev", "libgeos-dev", "libffi-dev"] {
            assert_eq!(libraries::release_dependent(dev, Manager::AptGet, None), None, "{dev}");
        }
        assert!(libraries::release_dependent("libzip-dev", Manager::AptGet, None).is_some());
        // a release the tag names, even one the tables lack, is no unnamed release
        assert_eq!(libraries::release_of("ubuntu:lunar"), Some("lunar"));
        assert_eq!(libraries::release_of("debian:sid-slim"), Some("sid"));
        assert_eq!(libraries::release_dependent("libicu-dev", Manager::AptGet, Some("trixie")), None);
        // … but one the tables hold no names for leaves the library unknown: refused, not
        // patched without it
        let lunar = refusal(&text.replace("php:8.2-apache", "ubuntu:lunar"));
        assert!(
            lunar.message.contains("its release, lunar, is one the -dev → runtime table names no libraries for"),
            "{}",
            lunar.message
        );
        // sid's names are read from its index as the other releases' are: sid's own ICU
        let sid = libraries::runtime_on("libicu-dev", Manager::AptGet, Some("sid"));
        assert!(sid.flatten().is_some_and(|lib| lib.starts_with("libicu") && lib != "libicu72"), "{sid:?}");
    }

    /// Round 21 (OctoPrint's minimal image): `PIP_USER` sends pip's installs to
    /// PYTHONUSERBASE, which is what the runtime copies
    #[test]
    fn pip_for_the_user_lands_in_the_user_base() {
        let text = "FROM python:3.11\nRUN apt-get update && apt-get install -y build-essential libffi-dev\nENV PYTHONUSERBASE /octoprint/plugins\nENV PIP_USER true\nENV PATH \"${PYTHONUSERBASE}/bin:${PATH}\"\nRUN pip install octoprint\nCMD [\"octoprint\", \"serve\"]\n";
        let rt = runtime(&patch(text));
        assert!(rt.contains("COPY --from=build /octoprint/plugins /octoprint/plugins"), "{rt}");
        assert!(!rt.contains("/usr/local /usr/local"), "{rt}");
        let home = text.replace("ENV PYTHONUSERBASE /octoprint/plugins\n", "");
        let r = refusal(&home);
        assert_eq!(r.reason, Reason::UnknownArtifact, "{r:?}");
        assert!(r.message.contains("set PYTHONUSERBASE"), "{}", r.message);
    }

    /// Round 21 (zaproxy): the set-up the runtime reruns keeps what it reads from a pipe and
    /// the folder it works on; the runtime takes Recommends as the original did (xvfb's xauth)
    #[test]
    fn the_runtime_reruns_set_up_whole() {
        let text = "FROM debian:trixie-slim\nRUN apt-get update && apt-get install -q -y gcc make xvfb python3-pip && \\\n    useradd -u 1000 -m zap && \\\n    echo zap:zap | chpasswd && \\\n    mkdir /zap && mkdir /tmp/scratch && \\\n    chown zap:zap /zap\nRUN pip install --break-system-packages zaproxy\nCMD [\"zap.sh\"]\n";
        let rt = runtime(&patch(text));
        // Recommends as the original took them, but not the compilers python3-pip recommends
        // (round 22: homebridge's build-essential and python3-dev came back so)
        assert!(rt.contains("apt-get install -y xvfb python3-pip build-essential- python3-dev- \\"), "{rt}");
        assert!(
            rt.contains("useradd -u 1000 -m zap \\\n    && echo zap:zap | chpasswd \\\n    && mkdir /zap \\\n    && chown zap:zap /zap"),
            "{rt}"
        );
        assert!(!rt.contains("/tmp/scratch"), "{rt}");
        // a folder made under the one the set-up then chowns (round 22: koel)
        let nested = text.replace("mkdir /zap &&", "mkdir -p /zap/storage/app/public/images &&");
        assert!(runtime(&patch(&nested))
            .contains("&& mkdir -p /zap/storage/app/public/images \\\n    && chown zap:zap /zap"));
        let quiet = text.replace("install -q -y", "install -q -y --no-install-recommends");
        assert!(runtime(&patch(&quiet)).contains("apt-get install -y --no-install-recommends xvfb python3-pip"));
    }

    /// Round 9 (puckel/docker-airflow): the locale enabled by `sed -i … /etc/locale.gen` is
    /// generated again in the runtime, so the edit is replayed before `locale-gen`.
    #[test]
    fn the_runtime_replays_edits_of_the_system_configuration() {
        let text = "FROM python:3.7-slim-buster\nRUN apt-get update && apt-get install -y build-essential libpq-dev locales && sed -i 's/^# en_US.UTF-8 UTF-8$/en_US.UTF-8 UTF-8/g' /etc/locale.gen && locale-gen && pip install psycopg2 && apt-get purge -y build-essential || true && rm -rf /var/lib/apt/lists/*\nCMD [\"python\"]\n";
        let rt = runtime(&patch(text));
        assert!(
            rt.contains(
                "RUN sed -i 's/^# en_US.UTF-8 UTF-8$/en_US.UTF-8 UTF-8/g' /etc/locale.gen \\\n    && locale-gen\n"
            ),
            "{rt}"
        );
        assert!(rt.contains("install -y libpq5 locales \\"), "{rt}");
    }

    /// Round 10 (openresty's fat images, `FROM ${RESTY_FAT_IMAGE_BASE}:${RESTY_FAT_IMAGE_TAG}`,
    /// set by CI): a base written with ARGs stays written so, and a runtime that cannot follow
    /// them is refused rather than pinned to their defaults.
    #[test]
    fn a_base_written_with_args_stays_written_so() {
        let text = "ARG DEBIAN=bookworm\nFROM debian:${DEBIAN}\nRUN apt-get update && apt-get install -y build-essential\nWORKDIR /src\nCOPY . .\nRUN make && cp app /usr/local/bin/\nCMD [\"app\"]\n";
        let p = patch(text);
        assert!(p.patched.starts_with("ARG DEBIAN=bookworm\nFROM debian:${DEBIAN} AS build\n"), "{}", p.patched);
        assert!(p.patched.contains("FROM debian:${DEBIAN}-slim AS runtime\n"), "{}", p.patched);
        let go = "ARG GO=1.22\nFROM golang:${GO}\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/app .\nCMD [\"app\"]\n";
        let r = refusal(go);
        assert_eq!(r.reason, Reason::VariableBase, "{r:?}");
        assert!(r.message.contains("ARGs (`golang:${GO}`) the build may set"), "{}", r.message);
        // samvera/hyrax's `ruby:$RUBY_VERSION-$DEBIAN_VERSION`: the runtime is written with
        // the ARGs whose defaults its name holds
        let ruby = "ARG RUBY_VERSION=3.3\nARG DEBIAN_VERSION=bookworm\nFROM ruby:$RUBY_VERSION-$DEBIAN_VERSION\nRUN apt-get update && apt-get install -y build-essential\nWORKDIR /src\nCOPY . .\nRUN make && cp app /usr/local/bin/\nCMD [\"app\"]\n";
        let p = patch(ruby);
        assert!(p.patched.contains("FROM ruby:$RUBY_VERSION-$DEBIAN_VERSION AS build\n"), "{}", p.patched);
        assert!(p.patched.contains("FROM ruby:$RUBY_VERSION-slim-$DEBIAN_VERSION AS runtime\n"), "{}", p.patched);
        let base = "ARG REL=bookworm\nFROM buildpack-deps:${REL}\nWORKDIR /src\nCOPY . .\nRUN make && cp app /usr/local/bin/\nCMD [\"app\"]\n";
        assert!(patch(base).patched.contains("FROM debian:${REL}-slim AS runtime\n"), "{}", patch(base).patched);
    }

    #[test]
    fn runtime_bases_exist() {
        assert_eq!(super::runtime_base("alpine:latest"), "alpine:latest");
        assert_eq!(super::runtime_base("ubuntu:22.04"), "ubuntu:22.04");
        assert_eq!(super::runtime_base("debian:bookworm"), "debian:bookworm-slim");
        // the official python/ruby/node full images build on buildpack-deps
        assert_eq!(super::runtime_base("buildpack-deps:trixie"), "debian:trixie-slim");
        assert_eq!(super::runtime_base("buildpack-deps:noble"), "ubuntu:noble");
        assert_eq!(super::runtime_base("python:3.12"), "python:3.12-slim");
        assert_eq!(super::runtime_base("rust:1.80-alpine"), "alpine:3.20");
        assert_eq!(super::runtime_base("eclipse-temurin:21"), "eclipse-temurin:21-jre");
    }

    /// Every patch the split emits, on a deterministic sweep of generated build-and-install
    /// files (distributions and toolchain images, installs with runtime libraries, every
    /// artifact shape, set-up commands), applies to its input, parses, and no longer ships a
    /// toolchain; what it cannot do is refused with a reason.
    #[test]
    fn property_every_split_applies_parses_and_ships_no_toolchain() {
        let t = Templates::built_in();
        let mut pick = crate::patch::testing::picker(0x1ea7);
        let bases =
            ["debian:bookworm", "ubuntu:22.04", "alpine:3.20", "golang:1.22", "rust:1.80", "eclipse-temurin:17"];
        let apt = [
            "RUN apt-get update && apt-get install -y --no-install-recommends build-essential libssl-dev ca-certificates && rm -rf /var/lib/apt/lists/*",
            "RUN apt-get update && apt-get install -y gcc make libpq-dev curl",
            "RUN apt-get update && apt-get install -y --no-install-recommends git cmake zlib1g-dev && rm -rf /var/lib/apt/lists/*",
        ];
        let apk = [
            "RUN apk add --no-cache build-base openssl-dev curl",
            "RUN apk add --no-cache --virtual .keep gcc musl-dev make pcre-dev",
        ];
        let builds = [
            "RUN make && cp app /usr/local/bin/",
            "RUN ./configure --prefix=/opt/app && make && make install",
            "RUN ./configure --prefix=/usr && make && make install",
            "RUN git clone https://example.com/x.git /tmp/x && cd /tmp/x && make && make install",
            "RUN go build -o /usr/local/bin/app ./cmd/app",
            "RUN cargo build --release && cp target/release/app /usr/local/bin/app",
            "RUN mkdir -p out && javac -d out App.java && jar cfe /app/app.jar App -C out .",
            "RUN make && install -m 755 app /usr/local/bin/app && useradd -r app",
            "RUN cmake -B b . && cmake --build b && cmake --install b",
            "RUN make && ./run-tests",
        ];
        let extras = [
            "WORKDIR /src",
            "COPY . .",
            "ENV MODE=prod",
            "# a comment\nARG V=1",
            "USER 1000",
            "EXPOSE 8080",
            "RUN ln -s /usr/local/bin/app /usr/bin/app",
        ];
        let (mut patched, mut refused) = (0, 0);
        for _ in 0..400 {
            let base = bases[pick(bases.len())];
            let mut lines = vec![format!("FROM {base}")];
            let alpine = base.starts_with("alpine");
            if !base.starts_with("golang") && !base.starts_with("rust") && !base.starts_with("eclipse") {
                lines.push(if alpine { apk[pick(apk.len())] } else { apt[pick(apt.len())] }.to_owned());
            }
            for _ in 0..1 + pick(3) {
                lines.push(extras[pick(extras.len())].to_owned());
            }
            lines.push(builds[pick(builds.len())].to_owned());
            if pick(2) == 0 {
                lines.push(extras[pick(extras.len())].to_owned());
            }
            lines.push("CMD [\"app\"]".to_owned());
            let text = lines.join("\n") + "\n";
            match suggest(&text, "Dockerfile", &Default::default(), &t) {
                O::Patch(p) => {
                    patched += 1;
                    assert_eq!(
                        crate::patch::diff::apply(&text, &p.diff).as_deref(),
                        Some(p.patched.as_str()),
                        "{text}"
                    );
                    let after = crate::lint::lint_text(&p.patched, "D", &crate::lint::LintConfig::default());
                    assert!(!after.iter().any(|f| f.code == "SL001"), "does not parse:\n{}", p.patched);
                    assert!(
                        !after.iter().any(|f| f.code == "SL101"),
                        "toolchain still ships:\n{text}\n->\n{}",
                        p.patched
                    );
                }
                O::Refused(why) => {
                    refused += 1;
                    assert!(!why.message.is_empty(), "{text}");
                }
                O::Nothing(_) => {}
            }
        }
        eprintln!("split sweep: {patched} patches, {refused} refusals of 400");
        assert!(patched > 150 && refused > 20, "the sweep exercises both: {patched} patches, {refused} refusals");
    }

    #[test]
    fn honest_refusals_carry_their_reason() {
        let t = Templates::built_in();
        let reason = |text: &str| match suggest(text, "D", &Default::default(), &t) {
            O::Refused(why) => (why.reason, why.message.clone()),
            other => panic!("{other:?}"),
        };
        let (r, m) = reason("FROM alpine:3.20\nRUN apk add --no-cache gcc make\nCMD [\"sh\"]\n");
        assert_eq!(r, Reason::NoBuildStep, "{m}");
        assert!(m.contains("nothing in this stage builds with `gcc`, `make`"), "{m}");
        let (r, m) = reason("FROM debian:12\nRUN apt-get install -y gcc && make && ./run-tests\nCMD [\"sh\"]\n");
        assert_eq!(r, Reason::MixedRun, "{m}");
        assert!(m.contains("line 2") && m.contains("./run-tests"), "{m}");
        let (r, m) = reason("FROM debian:12\nRUN apt-get install -y gcc && make\nCMD [\"sh\"]\n");
        assert_eq!(r, Reason::UnknownArtifact, "{m}");
    }

    /// A shell variable the RUN set (`ARCH=$(dpkg --print-architecture)`) comes with the
    /// source set-up that names it; a mode set on a file the RUN then moves into what the
    /// runtime copies is not set again (gpt-researcher's geckodriver)
    #[test]
    fn a_variable_a_kept_command_names_comes_with_it_and_a_moved_files_mode_with_the_copy() {
        let text = "FROM python:3.12-slim-bookworm\nRUN apt-get update \\\n    && apt-get install -y wget gnupg build-essential \\\n    && ARCH=$(dpkg --print-architecture) \\\n    && GECKO=linux64 \\\n    && wget -qO - https://dl.google.com/linux/linux_signing_key.pub | apt-key add - \\\n    && echo \"deb [arch=${ARCH}] http://dl.google.com/linux/chrome/deb/ stable main\" > /etc/apt/sources.list.d/google-chrome.list \\\n    && apt-get update && apt-get install -y chromium \\\n    && wget https://example.com/geckodriver-${GECKO}.tar.gz && tar -xzf geckodriver-${GECKO}.tar.gz \\\n    && chmod +x geckodriver && mv geckodriver /usr/local/bin/ \\\n    && rm -rf /var/lib/apt/lists/*\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n";
        let rt = runtime(&patch(text));
        assert!(rt.contains("    && ARCH=$(dpkg --print-architecture) \\\n    && echo \"deb [arch=${ARCH}]"), "{rt}");
        // the variable no kept command names stays behind
        assert!(!rt.contains("GECKO="), "{rt}");
        assert!(rt.contains("COPY --from=build /usr/local /usr/local"), "{rt}");
        assert!(!rt.contains("chmod"), "{rt}");
    }

    /// A chain of stages that ships as one image, the toolchain installed in the first and
    /// the build in the next, is split as one stage: before, the split refused it
    #[test]
    fn a_chain_of_stages_that_builds_with_the_first_ones_toolchain_is_split_as_one() {
        let text = "FROM python:3.12 AS deps\nRUN apt-get update && apt-get install -y build-essential libpq-dev\nWORKDIR /app\nCOPY requirements.txt .\n\nFROM deps AS app\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n";
        let p = patch(text);
        assert!(p.patched.contains("FROM python:3.12 AS build\n"), "{}", p.patched);
        assert!(p.patched.contains("FROM python:3.12-slim AS app\n"), "{}", p.patched);
        assert!(!p.patched.contains("FROM deps"), "{}", p.patched);
        assert!(p.diff.contains("-FROM deps AS app"), "{}", p.diff);
        assert!(
            p.rationale[0].message.starts_with("`deps` and `app` are built as one stage") && p.rationale[0].line == 1,
            "{:?}",
            p.rationale
        );
        // another stage copying from the first: it would lose what it copies, so no merge
        let used = text.replace("CMD [", "FROM alpine AS tools\nCOPY --from=deps /app /app\nFROM app\nCMD [");
        assert!(!matches!(suggest(&used, "Dockerfile", &Default::default(), &Templates::built_in()), O::Patch(_)));
    }

    /// NVIDIA's CUDA `devel` images add nvcc and the headers to `runtime`: the runtime stage
    /// is the `runtime` tag of the same release (round 53's llama-cpp-python `cuda_simple`)
    #[test]
    fn a_cuda_devel_base_runs_on_its_runtime_tag() {
        let text = "FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04\nRUN apt-get update && apt-get install -y build-essential cmake && rm -rf /var/lib/apt/lists/*\nWORKDIR /src\nCOPY . .\nRUN cmake -B build && cmake --build build && cmake --install build --prefix /usr/local\nCMD [\"app\"]\n";
        let p = patch(text);
        assert!(p.patched.contains("FROM nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04 AS build\n"), "{}", p.patched);
        assert!(p.patched.contains("FROM nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04 AS runtime\n"), "{}", p.patched);
        // pinned by digest, the tag is not the image's name: the base as written
        let pinned = "nvidia/cuda:12.4.1-devel-ubuntu22.04@sha256:0000000000000000000000000000000000000000000000000000000000000000";
        assert_eq!(super::runtime_base(pinned), pinned);
        // a runtime tag is already the runtime
        assert_eq!(
            super::runtime_base("nvidia/cuda:12.4.1-runtime-ubuntu22.04"),
            "nvidia/cuda:12.4.1-runtime-ubuntu22.04"
        );
    }
}
