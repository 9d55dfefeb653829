//! Already multi-stage, but the stage that ships is heavy: swap its base for the slim
//! variant, drop RUNs that only install build toolchains there, and clean package caches in
//! the RUN that fills them. The file is edited in place, line by line, so the diff is only
//! those lines. A base swap is refused when the stage to slim is also what a build stage is
//! built on. Its toolchain packages still go: they move to a new stage built FROM it
//! (`FROM base AS base-build`) that installs them again, and the stages that do not ship and
//! build FROM it are built FROM that one instead ([`build_stages`]).

use super::libraries;
use super::{Outcome, Plan, Rationale, Reason};
use crate::dockerfile::edit::{apply, Edit};
use crate::dockerfile::graph::StageRef;
use crate::dockerfile::packages::{is_toolchain_package, system_install, Manager};
use crate::dockerfile::roles::{self, Role};
use crate::dockerfile::shell;
use crate::dockerfile::{Body, Dockerfile, Graph, Kind};
use crate::lint::rules::slim_variant;

/// The plan for a multi-stage Dockerfile whose shipped stages are heavy; `None` otherwise.
pub fn plan(df: &Dockerfile, inputs: &super::Inputs) -> Option<Result<Plan, Outcome>> {
    if df.stages.len() < 2 {
        return None;
    }
    let graph = Graph::build(df, &inputs.targets).ok()?;
    let target = *graph.targets.first()?;
    let root = graph.root(target);
    // every change is an edit of the file where the word it changes is written
    let mut edits: Vec<Edit> = Vec::new();
    let mut rationale = Vec::new();
    // `-dev` packages kept since their runtime library is unknown
    let mut unknown: Vec<String> = Vec::new();
    // the toolchain taken out of a shipped stage that build stages are built FROM: they move
    // onto a stage of their own that installs it again
    let mut moves: Vec<Move> = Vec::new();

    // 1. the base of the shipped lineage
    if let (StageRef::Image(base), Some(slim)) = (&graph.bases[root], graph.root_image(target).and_then(slim_variant)) {
        let shared = graph.edges.iter().any(|e| e.target == StageRef::Stage(root) && !graph.ships[e.stage]);
        if shared {
            return super::refuse(
                Reason::InheritedStage,
                format!(
                    "line {}: stage `{}` is both shipped and built on by a build stage; slimming it would change the build",
                    df.stages[root].line,
                    df.stages[root].label()
                ),
            );
        }
        let stage = &df.stages[root];
        // the base as written is the base resolved: no ARG in between
        if df.text.get(stage.base_span.clone()) == Some(base.as_str()) {
            edits.push(Edit::replace(stage.base_span.clone(), slim.clone()));
            rationale.push(Rationale::new(
                "SL103",
                stage.line,
                format!("the shipped stage runs on `{slim}` instead of `{base}`"),
            ));
        }
    }
    // 2. RUNs of the shipped stages
    for si in graph.lineage(target) {
        for ins in &df.stages[si].instructions {
            if ins.kind != Kind::Run {
                continue;
            }
            let Body::Run { heredocs, .. } = &ins.body else { continue };
            let parsed = shell::parse(&ins.script().unwrap_or_default());
            // what the RUN installs and keeps: a package it removes again (`apk add -t
            // build-dependencies … && apk del build-dependencies`) is not in the layer
            let state = crate::dockerfile::ship::run_state(&parsed);
            let removed = |at: usize, name: &str| state.removes(at, name);
            let installs: Vec<(Vec<&str>, bool)> = parsed
                .commands
                .iter()
                .enumerate()
                .filter_map(|(at, c)| {
                    system_install(c).map(|(m, p)| (p.into_iter().filter(|n| !removed(at, n)).collect(), m.is_apt()))
                })
                .collect();
            let toolchain: Vec<&str> =
                installs.iter().flat_map(|(p, _)| p.iter().copied()).filter(|p| is_toolchain_package(p)).collect();
            let runtime_pkgs = installs.iter().flat_map(|(p, _)| p.iter()).any(|p| !is_toolchain_package(p));
            let housekeeping_only = parsed.commands.iter().all(|c| matches!(roles::of(c), Role::Install | Role::Clean));
            // a RUN that only installs Rust with rustup (Watcher's, in the shipped stage)
            match installs.is_empty().then(|| drop_rust(df, &graph, si, ins, &parsed)).flatten() {
                Some(Ok((edit, why))) => {
                    edits.push(edit);
                    rationale.push(why);
                    continue;
                }
                Some(Err(refusal)) => return Some(Err(refusal)),
                None => {}
            }
            if !toolchain.is_empty() {
                // a library's `-dev` package gives way to the library, not to nothing: what the
                // stage copies from a build stage may link it (`x264-dev` pulled in `x264-libs`)
                let release = graph.root_image(si).and_then(libraries::release_of);
                let words = word_edits(df, ins, &parsed, &removed, release);
                let swaps = words.as_ref().is_some_and(|w| !w.swapped.is_empty() || !w.unknown.is_empty());
                let kept = runtime_pkgs || !housekeeping_only;
                let builders = builders_of(df, &graph, si);
                let install = parsed.commands.iter().find_map(system_install).map(|(m, _)| m);
                let recommends = takes_recommends(&parsed);
                let mut moved = |packages: Vec<String>| {
                    if let (false, Some(manager)) = (builders.is_empty(), install) {
                        moves.push(Move { stage: si, line: ins.line, manager, packages, recommends });
                    }
                };
                // only headers go (no compiler): a later build on a lineage with no compiler
                // compiles nothing, so it cannot have used them
                let headers = toolchain.iter().all(|p| !compiles(p));
                let here = Here { si, line: ins.line, builders: &builders, headers };
                if (kept || swaps) && still_built_with(df, &graph, &here).is_none() {
                    let dropped = match (kept, words) {
                        (true, Some(w)) => drop_toolchain(df, &graph, &here, ins, &parsed, w),
                        // a RUN of toolchain packages only: nothing after it builds
                        (false, Some(w)) => Some(w),
                        (_, None) => None,
                    };
                    if let Some(w) = dropped {
                        unknown.extend(w.unknown.iter().cloned());
                        if w.edits.is_empty() {
                            continue;
                        }
                        rationale.push(Rationale::new("SL101", ins.line, w.said(kept)));
                        edits.extend(w.edits);
                        moved(w.moved);
                        continue;
                    }
                }
                if kept {
                    return Some(Err(mixed(ins, &parsed, &installs, &toolchain)));
                }
                if let Some(refusal) = still_built_with(df, &graph, &here) {
                    return Some(Err(refusal));
                }
                moved(toolchain.iter().map(|p| p.to_string()).collect());
                edits.push(Edit::delete(df.line_range(ins.line, ins.end_line)));
                rationale.push(Rationale::new(
                    "SL101",
                    ins.line,
                    format!("{} no longer installed in a stage that ships", toolchain.join(", ")),
                ));
                continue;
            }
            if !heredocs.is_empty() {
                continue;
            }
            let apt = installs.iter().any(|(_, apt)| *apt);
            clean_caches(ins, &parsed, apt, &mut edits, &mut rationale);
        }
    }
    if let Err(refusal) = build_stages(df, &graph, &moves, &mut edits, &mut rationale) {
        return Some(Err(refusal));
    }
    Some(finish(df, target, edits, rationale, &unknown))
}

/// The plan's outcome: the edited file, or why there is none (a `-dev` package whose runtime
/// library the table cannot name, or nothing to drop).
fn finish(
    df: &Dockerfile,
    target: usize,
    edits: Vec<Edit>,
    rationale: Vec<Rationale>,
    unknown: &[String],
) -> Result<Plan, Outcome> {
    if rationale.is_empty() && !unknown.is_empty() {
        return Err(Outcome::refused(
            Reason::UnknownRuntime,
            format!(
                "the stage that ships installs {}, whose runtime library shiplight cannot name for this distribution; replace each with the library package the program links and ask again",
                unknown.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    if rationale.is_empty() {
        return Err(Outcome::Nothing(
            "already multi-stage, and no RUN of the stage that ships installs only a toolchain shiplight can drop"
                .into(),
        ));
    }
    edited(df, target, edits, "slim", rationale)
}

/// The deletion of a RUN of stage `si` that only installs Rust with rustup (`curl
/// https://sh.rustup.rs | sh -s -- -y`), when nothing after it builds, here or in a stage
/// built FROM this one (a later build refuses, as a package toolchain's does), no build
/// stage is built FROM it, and no command runs cargo, rustc or rustup; `None` when it stays.
fn drop_rust(
    df: &Dockerfile,
    graph: &Graph,
    si: usize,
    ins: &crate::dockerfile::Instruction,
    parsed: &shell::Script,
) -> Option<Result<(Edit, Rationale), Outcome>> {
    if !installs_only_rust(parsed) {
        return None;
    }
    let here = Here { si, line: ins.line, builders: &[], headers: false };
    if let Some(refusal) = still_built_with(df, graph, &here) {
        return Some(Err(refusal));
    }
    let runs_rust = df.stages.iter().enumerate().any(|(s, stage)| {
        (s == si || descends_from(df, graph, s, si))
            && stage.instructions.iter().any(|i| {
                matches!(i.kind, Kind::Cmd | Kind::Entrypoint)
                    && shell::split_words(&i.script().unwrap_or_default())
                        .iter()
                        .any(|w| matches!(w.rsplit('/').next(), Some("cargo" | "rustc" | "rustup")))
            })
    });
    let why = "the Rust toolchain (rustup) no longer installed in a stage that ships: nothing after it builds with it";
    (builders_of(df, graph, si).is_empty() && !runs_rust)
        .then(|| Ok((Edit::delete(df.line_range(ins.line, ins.end_line)), Rationale::new("SL101", ins.line, why))))
}

/// Whether a RUN does nothing but install Rust with rustup: it fetches the installer (or
/// runs `rustup-init`), and its other commands are the shell the installer is piped into,
/// rustup itself (`rustup component add`), `chmod`, `rm` and `set`.
fn installs_only_rust(parsed: &shell::Script) -> bool {
    parsed.commands.iter().any(roles::installs_rust)
        && parsed.commands.iter().all(|c| {
            roles::installs_rust(c)
                || matches!(c.program().rsplit('/').next(), Some("sh" | "bash" | "rustup" | "chmod" | "rm" | "set"))
        })
}

/// Whether an apt install of the RUN takes Recommends (no `--no-install-recommends`).
pub(super) fn takes_recommends(parsed: &shell::Script) -> bool {
    parsed.commands.iter().any(|c| {
        system_install(c).is_some_and(|(m, _)| m.is_apt()) && !c.words.iter().any(|w| w == "--no-install-recommends")
    })
}

/// The edits that keep a shipped RUN's caches out of its layer: the apt lists removed where
/// an apt install (`apt`) fetched them, pip run with `--no-cache-dir`, unless a cache mount
/// keeps either out already (then the flag would only defeat BuildKit's cache).
fn clean_caches(
    ins: &crate::dockerfile::Instruction,
    parsed: &shell::Script,
    apt: bool,
    edits: &mut Vec<Edit>,
    rationale: &mut Vec<Rationale>,
) {
    if apt && !super::edits::removes_apt_lists(parsed) && !ins.mounts_away("/var/lib/apt") {
        if let Some(e) = super::edits::clean_apt_lists(ins, parsed) {
            edits.push(e);
            rationale.push(Rationale::new("SL106", ins.line, "the apt lists are removed in the RUN that fetched them"));
        }
    }
    if !ins.mounts_away("/root/.cache") {
        let pip = super::edits::pip_no_cache(ins, parsed);
        if !pip.is_empty() {
            edits.extend(pip);
            rationale.push(Rationale::new("SL106", ins.line, "pip runs with --no-cache-dir"));
        }
    }
}

/// The refusal of a RUN that installs the toolchain with other work whose toolchain cannot
/// be taken out alone: it names the other work, the runtime packages, else the first other
/// command.
fn mixed(
    ins: &crate::dockerfile::Instruction,
    parsed: &shell::Script,
    installs: &[(Vec<&str>, bool)],
    toolchain: &[&str],
) -> Outcome {
    let others: Vec<&str> =
        installs.iter().flat_map(|(p, _)| p.iter().copied()).filter(|p| !is_toolchain_package(p)).take(4).collect();
    let work = match parsed.commands.iter().find(|c| !matches!(roles::of(c), Role::Install | Role::Clean)) {
        _ if !others.is_empty() => format!("the packages `{}`", others.join("`, `")),
        Some(c) => format!("`{}`", c.words.join(" ")),
        None => "other work".into(),
    };
    Outcome::refused(
        Reason::MixedRun,
        format!(
            "line {}: this RUN of a stage that ships installs the toolchain (`{}`) together with {work}; split the toolchain into a build stage and ask again",
            ins.line,
            toolchain.iter().take(4).copied().collect::<Vec<_>>().join("`, `")
        ),
    )
}

/// What taking the toolchain's words out of a RUN's installs does: the edits, the packages
/// dropped, the `-dev` packages swapped for their runtime library, and those kept because
/// their runtime library is unknown.
struct Words {
    edits: Vec<Edit>,
    /// The toolchain's package words as written (a version pin kept), dropped or swapped.
    moved: Vec<String>,
    dropped: Vec<String>,
    swapped: Vec<(String, String)>,
    unknown: Vec<String>,
}

impl Words {
    /// The rationale's words for them; `kept`: the rest of the RUN stays.
    fn said(&self, kept: bool) -> String {
        let mut parts = Vec::new();
        if !self.dropped.is_empty() {
            parts.push(format!("{} no longer installed in a stage that ships", self.dropped.join(", ")));
        }
        if !self.swapped.is_empty() {
            let pairs: Vec<String> = self.swapped.iter().map(|(d, r)| format!("{d} → {r}")).collect();
            parts.push(format!("the runtime library instead of its headers ({})", pairs.join(", ")));
        }
        if !self.unknown.is_empty() {
            parts.push(format!("{} kept: shiplight cannot name its runtime library", self.unknown.join(", ")));
        }
        if kept {
            parts.push("the rest of the RUN stays".into());
        }
        parts.join("; ")
    }
}

/// Each toolchain package of the RUN's installs, out: a compiler is dropped, a library's
/// `-dev` package becomes its runtime library (from the `-dev` → runtime table for the
/// stage's distribution and release), or stays when the table cannot name it. `None` when a
/// word cannot be edited where it is written, or an install would be left empty.
fn word_edits(
    df: &Dockerfile,
    ins: &crate::dockerfile::Instruction,
    parsed: &shell::Script,
    removed: &dyn Fn(usize, &str) -> bool,
    release: Option<&str>,
) -> Option<Words> {
    let mut w =
        Words { edits: Vec::new(), moved: Vec::new(), dropped: Vec::new(), swapped: Vec::new(), unknown: Vec::new() };
    for (at, c) in parsed.commands.iter().enumerate() {
        let Some((m, pkgs)) = system_install(c) else { continue };
        let toolchain = |n: &str| is_toolchain_package(n) && !removed(at, n);
        if !pkgs.iter().any(|p| toolchain(p)) {
            continue;
        }
        let verb = super::edits::verb_index(c, if m == Manager::Apk { "add" } else { "install" })?;
        let mut left = pkgs.iter().filter(|p| !toolchain(p)).count();
        let mut installed: Vec<String> = pkgs.iter().map(|p| p.to_string()).collect();
        for k in verb + 1..c.words.len() {
            let word = &c.words[k];
            let name = crate::dockerfile::packages::package_name(word);
            if word.starts_with('-') || !toolchain(name) {
                continue;
            }
            // (a library the tag's unnamed release names differently is not named: unknown)
            let runtime = match libraries::is_dev(name) {
                true if libraries::release_dependent(name, m, release).is_some() => None,
                true => libraries::runtime_on(name, m, release),
                false => Some(None),
            };
            match runtime {
                Some(Some(lib)) if !installed.iter().any(|p| p == lib) => {
                    w.edits.push(super::edits::replace_word(ins, c, k, lib)?);
                    w.moved.push(word.clone());
                    w.swapped.push((name.to_owned(), lib.to_owned()));
                    installed.push(lib.to_owned());
                    left += 1;
                }
                Some(_) => {
                    w.edits.push(super::edits::drop_word(&df.text, ins, c, k)?);
                    w.moved.push(word.clone());
                    w.dropped.push(name.to_owned());
                }
                None => {
                    w.unknown.push(name.to_owned());
                    left += 1;
                }
            }
        }
        if left == 0 {
            return None;
        }
    }
    Some(w)
}

/// The edits that take only the toolchain's packages out of a RUN that also installs what the
/// program needs or sets the system up: every other command of the RUN installs, cleans,
/// fetches, copies or sets up (none builds, runs a script or a program shiplight does not
/// know), each install keeps a package, nothing later in the stage or in a stage built FROM
/// it builds or runs a script (a stage of `builders` moves onto a build stage that has the
/// toolchain), and the stage's command does not run one of the packages (`CMD make serve`).
/// `None` when any of that fails.
fn drop_toolchain(
    df: &Dockerfile,
    graph: &Graph,
    here: &Here,
    ins: &crate::dockerfile::Instruction,
    parsed: &shell::Script,
    words: Words,
) -> Option<Words> {
    let (si, builders) = (here.si, here.builders);
    if parsed.commands.iter().any(may_build) {
        return None;
    }
    // a later RUN builds with what this one installed only through a build tool or a script
    // (a program shiplight does not know runs the program, as the build-and-install split
    // reads it too; so does Django's `manage.py`)
    let builds = |s: usize, c: &shell::SimpleCommand| {
        (roles::of(c) == Role::Build && !runs_django(c) && here.may_use(df, graph, s))
            || roles::runs_script(c).is_some()
    };
    let names: Vec<&String> = words.dropped.iter().chain(words.swapped.iter().map(|(d, _)| d)).collect();
    // what runs after this RUN, here and in the stages built FROM this one
    let descends = |s: usize| descends_from(df, graph, s, si) && !moves_onto_build(df, graph, s, builders);
    for (s, stage) in df.stages.iter().enumerate().filter(|&(s, _)| s == si || descends(s)) {
        for later in stage.instructions.iter().filter(|i| i.line > ins.line) {
            match later.kind {
                Kind::Run
                    if shell::parse(&later.script().unwrap_or_default()).commands.iter().any(|c| builds(s, c)) =>
                {
                    return None;
                }
                Kind::Cmd | Kind::Entrypoint | Kind::Healthcheck if graph.ships[s] || s == si => {
                    let words = shell::split_words(&later.script().unwrap_or_default());
                    if words.iter().any(|w| names.iter().any(|n| w.rsplit('/').next() == Some(n.as_str()))) {
                        return None;
                    }
                }
                _ => {}
            }
        }
    }
    Some(words)
}

/// Toolchain packages taken out of a RUN of a shipped stage that build stages are built
/// FROM: the stage they came from, the RUN's line, how it installed them, and the words.
pub(super) struct Move {
    pub stage: usize,
    pub line: usize,
    pub manager: Manager,
    pub packages: Vec<String>,
    /// The apt install took Recommends: the build stage's does too, so it builds as before.
    pub recommends: bool,
}

/// The stages built FROM shipped stage `si` that do not ship and may build (themselves, or a
/// stage built FROM them): khoj's `server-deps` runs `pip install .` FROM the `base` the
/// final stage is built FROM too. Each can move onto a build stage FROM `si` that installs
/// the toolchain again: it sees everything it saw before, and `si` ships without it.
pub(super) fn builders_of(df: &Dockerfile, graph: &Graph, si: usize) -> Vec<usize> {
    let stage_may_build = |s: usize| {
        df.stages[s]
            .instructions
            .iter()
            .filter(|i| i.kind == Kind::Run)
            .any(|i| shell::parse(&i.script().unwrap_or_default()).commands.iter().any(may_build))
    };
    (0..df.stages.len())
        .filter(|&c| graph.bases[c] == StageRef::Stage(si) && !graph.ships[c])
        .filter(|&c| {
            stage_may_build(c) || (0..df.stages.len()).any(|d| descends_from(df, graph, d, c) && stage_may_build(d))
        })
        .collect()
}

/// Whether a command may build with a toolchain installed before it: it builds, runs a
/// program shiplight does not know, or runs a script.
fn may_build(c: &shell::SimpleCommand) -> bool {
    matches!(roles::of(c), Role::Build | Role::Other) || roles::runs_script(c).is_some()
}

/// Whether stage `s` is one of `builders` or built FROM one: it moves onto the build stage.
pub(super) fn moves_onto_build(df: &Dockerfile, graph: &Graph, s: usize, builders: &[usize]) -> bool {
    builders.iter().any(|&b| b == s || descends_from(df, graph, s, b))
}

/// The edits that give the build stages of `moves` the toolchain back: after each shipped
/// stage that lost it, a stage `FROM <it> AS <it>-build` that installs it, and the stages that
/// build FROM the shipped one built FROM that instead. Refused when a name is taken or a
/// FROM is not written as the stage's name.
pub(super) fn build_stages(
    df: &Dockerfile,
    graph: &Graph,
    moves: &[Move],
    edits: &mut Vec<Edit>,
    rationale: &mut Vec<Rationale>,
) -> Result<(), Outcome> {
    let mut stages: Vec<usize> = moves.iter().map(|m| m.stage).collect();
    stages.dedup();
    for si in stages {
        let here: Vec<&Move> = moves.iter().filter(|m| m.stage == si).collect();
        let stage = &df.stages[si];
        let taken = |n: &str| df.stages.iter().any(|s| s.name.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(n)));
        let (Some(name), Some(last)) = (stage.name.as_deref(), stage.instructions.last()) else {
            return Err(Outcome::refused(
                Reason::InheritedStage,
                format!(
                    "line {}: stages are built FROM this unnamed stage; name it (`AS base`) and ask again",
                    stage.line
                ),
            ));
        };
        let Some(build) = ["build", "toolchain"].iter().map(|s| format!("{name}-{s}")).find(|n| !taken(n)) else {
            return Err(Outcome::refused(
                Reason::InheritedStage,
                format!(
                    "line {}: stages `{name}-build` and `{name}-toolchain` exist already; rename one and ask again",
                    stage.line
                ),
            ));
        };
        let mut packages: Vec<String> = Vec::new();
        for m in &here {
            for p in &m.packages {
                if !packages.contains(p) {
                    packages.push(p.clone());
                }
            }
        }
        let recommends = here.iter().any(|m| m.recommends).then_some(&[][..]);
        let install = libraries::install_line(here[0].manager, &packages, recommends);
        // the stage FROM `name` starts as `name`'s USER: the install runs as root, and the
        // stages built FROM it see that user again (DefectDojo's `release` ends with `USER
        // ${uid}`, round 57)
        let install = match user_at_end(df, graph, si) {
            Some(u) if !matches!(u.split(':').next(), Some("root" | "0")) => format!("USER root\n{install}\nUSER {u}"),
            _ => install,
        };
        let at = df.line_range(last.line, last.end_line).end;
        let newline = if df.text[..at].ends_with('\n') { "" } else { "\n" };
        edits.push(Edit::insert(
            at,
            format!("{newline}\n# Build heavy: `{name}` ships without its toolchain; the stages that build FROM it get it here.\nFROM {name} AS {build}\n{install}\n"),
        ));
        for b in builders_of(df, graph, si) {
            let child = &df.stages[b];
            if !df.text.get(child.base_span.clone()).is_some_and(|w| w.eq_ignore_ascii_case(name)) {
                return Err(Outcome::refused(
                    Reason::InheritedStage,
                    format!(
                        "line {}: stage `{}` builds FROM `{name}` through a variable; write the stage's name and ask again",
                        child.line,
                        child.label()
                    ),
                ));
            }
            edits.push(Edit::replace(child.base_span.clone(), build.clone()));
            rationale.push(Rationale::new(
                "SL101",
                child.line,
                format!(
                    "stage `{}` builds FROM `{build}`, which installs the toolchain `{name}` no longer ships ({})",
                    child.label(),
                    packages.join(", ")
                ),
            ));
        }
        rationale.push(Rationale::new(
            "SL101",
            here[0].line,
            format!("`{build}` installs {} again, for the stages that build FROM `{name}`", packages.join(", ")),
        ));
    }
    Ok(())
}

/// The toolchain RUN a build after it may need: of stage `si`, at `line`; `builders`, the
/// stages that move onto a build stage; `headers`, whether it installs only headers (no
/// compiler).
struct Here<'a> {
    si: usize,
    line: usize,
    builders: &'a [usize],
    headers: bool,
}

impl Here<'_> {
    /// Whether a build in stage `s` may use what the RUN installs: it may unless the RUN
    /// installs only headers and nothing in `s`'s lineage can compile with them (freqtrade's
    /// shared `base` installs `libhdf5-serial-dev` on `python:…-slim`, and the shipped stage
    /// built FROM it runs a `pip install -e .` with no compiler to build anything).
    fn may_use(&self, df: &Dockerfile, graph: &Graph, s: usize) -> bool {
        !self.headers || may_compile(df, graph, s)
    }
}

/// Whether a build in stage `s` may compile: a stage of its lineage (itself and the stages it
/// is built FROM) installs a compiler or runs what may install one unseen, or the image at
/// its root may hold one (any image but the official ones known to ship none: `debian`,
/// `ubuntu`, `alpine`, `busybox`, and the slim and Alpine tags of `python`, `node` and `ruby`).
fn may_compile(df: &Dockerfile, graph: &Graph, mut s: usize) -> bool {
    for _ in 0..df.stages.len() {
        let installs_compiler = df.stages[s].instructions.iter().filter(|i| i.kind == Kind::Run).any(|i| {
            let script = shell::parse(&i.script().unwrap_or_default());
            script.commands.iter().any(|c| {
                system_install(c).is_some_and(|(_, pkgs)| pkgs.iter().any(|p| compiles(p))) || installs_unseen(c)
            })
        });
        if installs_compiler {
            return true;
        }
        match &graph.bases[s] {
            StageRef::Stage(p) => s = *p,
            StageRef::Image(image) => return !compiler_free(image),
            StageRef::Scratch => return false,
            _ => return true,
        }
    }
    true
}

/// Whether a command may install what shiplight cannot see: a script it does not read, an
/// installer piped into a shell (`curl … | sh`), conda.
fn installs_unseen(c: &shell::SimpleCommand) -> bool {
    let piped_shell = matches!(c.program(), "sh" | "bash") && c.args().iter().all(|a| a.starts_with('-') && a != "-c");
    roles::runs_script(c).is_some() || piped_shell || matches!(c.program(), "conda" | "mamba" | "micromamba")
}

/// Whether a package compiles or pulls a compiler in: a compiler package, or `dpkg-dev`,
/// which recommends `build-essential`.
fn compiles(package: &str) -> bool {
    crate::dockerfile::packages::is_compiler_package(package) || package == "dpkg-dev"
}

/// Whether an image is an official one known to ship no compiler.
fn compiler_free(image: &str) -> bool {
    let r = crate::reference::ImageRef::parse(image);
    let tag = r.tag.as_deref().unwrap_or("latest").to_ascii_lowercase();
    match r.official_name() {
        Some("debian" | "ubuntu" | "alpine" | "busybox") => true,
        Some("python" | "node" | "ruby") => tag.contains("slim") || tag.contains("alpine"),
        _ => false,
    }
}

/// The USER in force at the end of stage `si`, through the stages it is built FROM (`None`:
/// none is set in the file, so the base image's).
fn user_at_end(df: &Dockerfile, graph: &Graph, si: usize) -> Option<String> {
    graph
        .lineage(si)
        .into_iter()
        .flat_map(|s| df.stages[s].instructions.iter())
        .rfind(|i| i.kind == Kind::User)
        .and_then(|i| i.words().first().cloned())
}

/// Whether stage `s` is built FROM stage `si`, directly or through other stages.
fn descends_from(df: &Dockerfile, graph: &Graph, mut s: usize, si: usize) -> bool {
    for _ in 0..df.stages.len() {
        match graph.bases[s] {
            StageRef::Stage(p) if p == si => return true,
            StageRef::Stage(p) => s = p,
            _ => return false,
        }
    }
    false
}

/// A toolchain RUN of stage `si` (at `line`) cannot go when a later RUN still builds: in the
/// stage itself (`RUN make clean`), or in a stage built FROM it (tianon/dockerfiles' `true`:
/// the shipped base installs make, which its own RUN and the `asm` stage FROM it run).
fn still_built_with(df: &Dockerfile, graph: &Graph, here: &Here) -> Option<Outcome> {
    let (si, line) = (here.si, here.line);
    let descends = |s: usize| descends_from(df, graph, s, si) && !moves_onto_build(df, graph, s, here.builders);
    let builds = |s: usize| {
        if !here.may_use(df, graph, s) {
            return None;
        }
        df.stages[s].instructions.iter().filter(|i| i.kind == Kind::Run && i.line > line).find_map(|i| {
            let script = shell::parse(&i.script().unwrap_or_default());
            let c = script.commands.iter().find(|c| roles::of(c) == Role::Build && !runs_django(c))?;
            Some((i.line, c.words.join(" ")))
        })
    };
    if let Some((at, what)) = builds(si) {
        return Some(Outcome::refused(
            Reason::StillShips,
            format!("line {line}: `{what}` on line {at} still builds with what this RUN installs, in a stage that ships; move that build into a build stage and ask again"),
        ));
    }
    let (s, (at, what)) =
        (0..df.stages.len()).filter(|&s| s != si && descends(s)).find_map(|s| builds(s).map(|b| (s, b)))?;
    Some(Outcome::refused(
        Reason::InheritedStage,
        format!(
            "line {line}: stage `{}` is built FROM this one and builds with what this RUN installs (`{what}`, line {at}); dropping it would break that build",
            df.stages[s].label()
        ),
    ))
}

/// Whether a command runs a Django project's `manage.py` (`python3 khoj/manage.py
/// collectstatic`): the program's own commands, which copy and compile messages or static
/// files but compile no native code.
fn runs_django(c: &shell::SimpleCommand) -> bool {
    let words = c.effective();
    words.first().is_some_and(|p| p.rsplit('/').next().is_some_and(|p| p.starts_with("python")))
        && words.get(1).is_some_and(|w| w == "manage.py" || w.ends_with("/manage.py"))
}

/// An in-place edit of a file: `edits` applied, rendered by the `slim` template so the diff
/// is only the edited lines. Overlapping edits are a refusal (a bug to report).
pub fn edited(
    df: &Dockerfile,
    target: usize,
    edits: Vec<Edit>,
    ecosystem: &'static str,
    rationale: Vec<Rationale>,
) -> Result<Plan, Outcome> {
    let Ok(patched) = apply(&df.text, &edits) else {
        return Err(Outcome::refused(Reason::Internal, "the edits overlap; please report this Dockerfile"));
    };
    let lines: Vec<String> = patched.lines().map(|l| l.trim_end_matches('\r').to_owned()).collect();
    let mut plan = Plan::new(ecosystem, df, &df.stages[target], "", "", Vec::new(), Vec::new(), rationale);
    plan.template = "slim".into();
    plan.data = serde_json::json!({ "lines": lines });
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use crate::lint::{lint_text, LintConfig};
    use crate::patch::{diff, suggest, Outcome as O, Templates};

    const HEAVY: &str = include_str!("../../examples/flask/heavy-runtime.Dockerfile");

    /// Watcher (round 61): the shipped stage installs Rust with rustup and copies its
    /// Python environment from a build stage; nothing after it builds, so the RUN goes. A
    /// later build that may use it (a `pip install`, a `cargo build`) keeps it.
    #[test]
    fn a_rustup_install_nothing_builds_with_goes() {
        let t = Templates::built_in();
        let text = "FROM python:3.12-slim-bookworm AS build
RUN pip install --prefix=/install -r requirements.txt

FROM python:3.12-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
# Install Rust (build only)
RUN curl https://sh.rustup.rs -sSf | sh -s -- -y
ENV PATH=\"/root/.cargo/bin:${PATH}\"
COPY --from=build /install /usr/local
COPY . .
RUN python manage.py collectstatic --noinput
CMD [\"python\", \"manage.py\", \"runserver\"]
";
        let O::Patch(p) = suggest(text, "Dockerfile", &Default::default(), &t) else { panic!("a patch") };
        assert!(!p.patched.contains("rustup"), "{}", p.patched);
        assert!(p.patched.contains("RUN python manage.py collectstatic"), "{}", p.patched);
        assert!(p.rationale.iter().any(|r| r.rule == "SL101" && r.message.contains("Rust")), "{:?}", p.rationale);
        for later in ["RUN pip install --no-cache-dir orjson\n", "RUN cargo build --release\n"] {
            let built = text.replace("COPY . .\n", &format!("COPY . .\n{later}"));
            assert!(matches!(suggest(&built, "Dockerfile", &Default::default(), &t), O::Refused(_)), "{later}");
        }
    }

    #[test]
    fn a_toolchain_a_later_build_still_uses_stays() {
        let refused = |text: &str| match suggest(text, "Dockerfile", &Default::default(), &Templates::built_in()) {
            O::Refused(r) => r,
            other => panic!("{other:?}"),
        };
        // the shipped stage's own later RUN builds with it
        let text = "FROM debian:trixie-slim AS base\nRUN apt-get update && apt-get install -y make && apt-get dist-clean\nCOPY Makefile ./\nRUN make clean\nFROM gcc:12 AS c\nRUN gcc -o /true true.c\nFROM base\nCOPY --from=c /true /true\n";
        let r = refused(text);
        assert_eq!(r.reason, crate::patch::Reason::StillShips, "{r:?}");
        assert!(r.message.contains("`make clean` on line 4"), "{}", r.message);
        // a stage built FROM it that ships builds with it
        let text =
            text.replace("RUN make clean\n", "").replace("FROM gcc:12 AS c\nRUN gcc", "FROM base AS c\nRUN make && cc");
        // (shipped, it gets a build stage of its own: the base's tools and its build)
        let shipped = text.replace("COPY --from=c /true /true\n", "FROM c\n");
        let O::Patch(p) = suggest(&shipped, "Dockerfile", &Default::default(), &Templates::built_in()) else {
            panic!()
        };
        assert!(
            p.patched.contains("AS c-build\n") && p.patched.contains("COPY --from=c-build /true /true\n"),
            "{}",
            p.patched
        );
        // … and one that does not ship moves onto a build stage that has it
        let O::Patch(p) = suggest(&text, "Dockerfile", &Default::default(), &Templates::built_in()) else { panic!() };
        assert!(p.patched.contains("FROM base-build AS c\nRUN make && cc"), "{}", p.patched);
    }

    #[test]
    fn stages_that_build_from_a_shipped_base_move_onto_a_build_stage() {
        // khoj (round 40's tuning): `base` ships (the final stage is FROM it) and a build stage
        // is FROM it too; the toolchain leaves `base` for a stage the build stage moves onto
        let text = "FROM ubuntu:jammy AS base\nRUN apt-get update && apt-get install -y \\\n    python3-pip \\\n    # for the wheels\n    libpq-dev gcc && \\\n    rm -rf /var/lib/apt/lists/*\n\nFROM base AS deps\nRUN pip install --no-cache-dir .\n\nFROM base\nCOPY --from=deps /usr/local /usr/local\nRUN python3 manage.py collectstatic --noinput\nCMD [\"gunicorn\"]\n";
        let t = Templates::built_in();
        let O::Patch(p) = suggest(text, "Dockerfile", &Default::default(), &t) else { panic!("a patch") };
        assert!(p.patched.contains("    # for the wheels\n    libpq5 && \\\n"), "{}", p.patched);
        assert!(
            p.patched.contains("FROM base AS base-build\nRUN apt-get update \\\n    && apt-get install -y libpq-dev gcc \\\n    && rm -rf /var/lib/apt/lists/*\n"),
            "{}",
            p.patched
        );
        assert!(
            p.patched.contains("FROM base-build AS deps\n") && p.patched.contains("\nFROM base\nCOPY"),
            "{}",
            p.patched
        );
        let after: Vec<String> =
            lint_text(&p.patched, "D", &LintConfig::default()).into_iter().map(|f| f.code).collect();
        assert!(!after.contains(&"SL101".to_string()), "{after:?}");
        // the shipped stage itself builds with it (a pip install there): refused as before
        let builds = text.replace("RUN python3 manage.py", "RUN pip install gunicorn && python3 manage.py");
        assert!(matches!(suggest(&builds, "Dockerfile", &Default::default(), &t), O::Refused(_)));
        // a name taken: the build stage takes the other one
        let taken =
            text.replace("FROM base AS deps", "FROM base AS deps\nFROM base AS base-build\nRUN true\nFROM base AS d2");
        let O::Patch(p) = suggest(&taken, "Dockerfile", &Default::default(), &t) else { panic!("a patch") };
        assert!(p.patched.contains("FROM base AS base-toolchain\n"), "{}", p.patched);
        assert!(p.patched.contains("FROM base-toolchain AS d2\n"), "{}", p.patched);
    }

    #[test]
    fn headers_go_where_a_later_build_has_no_compiler_to_use_them() {
        // freqtrade's shape (held out in round 54): the shared `base` installs a library's
        // headers beside runtime packages, a build stage FROM it adds the compiler, and the
        // shipped stage FROM it runs a `pip install -e .` on a slim Python with no compiler
        let text = "FROM python:3.12-slim-bookworm AS base\nRUN apt-get update && apt-get install -y curl libpq-dev && rm -rf /var/lib/apt/lists/*\n\nFROM base AS deps\nRUN apt-get update && apt-get install -y build-essential && rm -rf /var/lib/apt/lists/*\nRUN pip install --user --no-cache-dir psycopg2\n\nFROM base AS runtime\nCOPY --from=deps /root/.local /root/.local\nCOPY . /app\nRUN pip install --no-cache-dir -e /app\nCMD [\"python\", \"-m\", \"app\"]\n";
        let t = Templates::built_in();
        let O::Patch(p) = suggest(text, "Dockerfile", &Default::default(), &t) else { panic!("a patch") };
        assert!(p.patched.contains("apt-get install -y curl libpq5 && rm"), "{}", p.patched);
        assert!(p.patched.contains("FROM base-build AS deps\n"), "{}", p.patched);
        assert!(p.patched.contains("apt-get install -y libpq-dev"), "{}", p.patched);
        let refused = |text: &str| matches!(suggest(text, "Dockerfile", &Default::default(), &t), O::Refused(_));
        // a compiler on the shipped stage's lineage could build with the headers: refused
        assert!(refused(&text.replace("python:3.12-slim-bookworm", "python:3.12-bookworm")));
        assert!(refused(&text.replace(
            "RUN pip install --no-cache-dir -e /app",
            "RUN apt-get update && apt-get install -y gcc && pip install --no-cache-dir -e /app"
        )));
        // … or one an installer shiplight cannot read may bring
        assert!(refused(&text.replace(
            "RUN pip install --no-cache-dir -e /app",
            "RUN curl -fsSL https://example.com/install | sh && pip install --no-cache-dir -e /app"
        )));
        // … as could a compiler that leaves the shared stage with the headers
        assert!(refused(&text.replace("curl libpq-dev", "curl gcc libpq-dev")));
    }

    /// DefectDojo (round 57, held out): the shipped stage the build stages are built FROM
    /// ends with another USER; the stage that installs the toolchain again does so as root,
    /// and hands the stages built FROM it the user they saw before
    #[test]
    fn the_toolchain_stage_installs_as_root_and_gives_the_user_back() {
        let text = "FROM python:3.12-slim-bookworm AS release\nARG uid=1001\nRUN apt-get update && apt-get install -y --no-install-recommends curl libpq-dev && rm -rf /var/lib/apt/lists/*\nUSER ${uid}\nCMD [\"python\", \"-m\", \"app\"]\n\nFROM release AS development\nRUN pip install --user -r requirements-dev.txt\n\nFROM release\n";
        let t = Templates::built_in();
        let O::Patch(p) = suggest(text, "Dockerfile", &Default::default(), &t) else { panic!("a patch") };
        assert!(
            p.patched.contains("FROM release AS release-build\nUSER root\nRUN apt-get update \\\n    && apt-get install -y --no-install-recommends libpq-dev \\\n    && rm -rf /var/lib/apt/lists/*\nUSER ${uid}\n"),
            "{}",
            p.patched
        );
        // no USER of its own: as before
        let O::Patch(p) = suggest(&text.replace("USER ${uid}\n", ""), "Dockerfile", &Default::default(), &t) else {
            panic!("a patch")
        };
        assert!(!p.patched.contains("USER root"), "{}", p.patched);
    }

    #[test]
    fn a_library_dev_package_gives_way_to_its_library() {
        // alfg/docker-nginx-rtmp (held out in round 22): the shipped stage copies an ffmpeg
        // built against x264; dropping `x264-dev` alone took `x264-libs` with it
        let t = Templates::built_in();
        let debian = "FROM debian:12 AS b\nRUN make\nFROM debian:12\nRUN apt-get update && apt-get install -y ca-certificates libpq-dev gcc\nCOPY --from=b /app /app\nCMD [\"/app\"]\n";
        let O::Patch(p) = suggest(debian, "D", &Default::default(), &t) else {
            panic!("the library replaces its headers")
        };
        assert!(p.patched.contains("apt-get install -y ca-certificates libpq5\n"), "{}", p.patched);
        let said: Vec<&str> = p.rationale.iter().map(|r| r.message.as_str()).collect();
        assert!(
            said.iter().any(|m| m.contains("gcc no longer installed") && m.contains("libpq-dev → libpq5")),
            "{said:?}"
        );
        // a RUN of toolchain packages only keeps the library too, instead of going whole
        let only = debian.replace("ca-certificates libpq-dev gcc", "libpq-dev gcc");
        let O::Patch(p) = suggest(&only, "D", &Default::default(), &t) else { panic!() };
        assert!(p.patched.contains("apt-get install -y libpq5\n"), "{}", p.patched);
        // Alpine's runtime names are not in the table: the `-dev` package stays, and with
        // nothing else to change the refusal says which and why
        let alpine = "FROM alpine:3.16 AS b\nRUN make\nFROM alpine:3.16\nRUN apk add --no-cache ca-certificates x264-dev\nCOPY --from=b /ffmpeg /usr/local/bin/\n";
        match suggest(alpine, "D", &Default::default(), &t) {
            O::Refused(r) => {
                assert_eq!(r.reason, crate::patch::Reason::UnknownRuntime, "{r:?}");
                assert!(r.message.contains("`x264-dev`"), "{}", r.message);
            }
            other => panic!("{other:?}"),
        }
        // … and beside a compiler that can go, the compiler goes and the library stays
        let O::Patch(p) = suggest(&alpine.replace("x264-dev", "x264-dev gcc"), "D", &Default::default(), &t) else {
            panic!()
        };
        assert!(p.patched.contains("apk add --no-cache ca-certificates x264-dev\n"), "{}", p.patched);
        assert!(p.rationale.iter().any(|r| r.message.contains("x264-dev kept")), "{:?}", p.rationale);
    }

    #[test]
    fn a_mixed_install_is_named_by_what_it_keeps() {
        // librenms: the build group is added and deleted in the same RUN; what stays is named
        let text = "FROM alpine:3 AS gosu\nRUN touch /gosu\nFROM alpine:3\nCOPY --from=gosu /gosu /usr/local/bin/\nRUN apk add --no-cache curl gcc nginx \\\n  && apk add --no-cache -t build-dependencies build-base musl-dev \\\n  && pip3 install mysqlclient \\\n  && python3 -c 'import MySQLdb' \\\n  && apk del build-dependencies\n";
        let df = crate::dockerfile::Dockerfile::parse(text).unwrap();
        match super::plan(&df, &Default::default()) {
            Some(Err(O::Refused(r))) => {
                assert_eq!(r.reason, crate::patch::Reason::MixedRun, "{r:?}");
                assert!(r.message.contains("(`gcc`)"), "{}", r.message);
                assert!(!r.message.contains("build-base"), "{}", r.message);
            }
            _ => panic!("slim should refuse"),
        }
        // asked last, the RUN's own removal takes gcc too
        let O::Patch(p) = suggest(text, "Dockerfile", &Default::default(), &Templates::built_in()) else { panic!() };
        assert_eq!(p.ecosystem, "purge");
        assert!(p.patched.contains("apk del build-dependencies gcc\n"), "{}", p.patched);
    }

    #[test]
    fn slims_the_shipped_stage_in_place() {
        let O::Patch(p) = suggest(HEAVY, "Dockerfile", &Default::default(), &Templates::built_in()) else {
            panic!("no patch")
        };
        assert_eq!(p.ecosystem, "slim");
        assert_eq!(
            p.diff.lines().filter(|l| l.starts_with('-') && !l.starts_with("---")).collect::<Vec<_>>(),
            ["-FROM python:3.9 AS runtime", "-RUN pip install flask"],
            "only the lines that change:\n{}",
            p.diff
        );
        assert!(
            p.patched.contains("FROM python:3.9-slim AS runtime\n")
                && p.patched.contains("RUN pip install --no-cache-dir flask\nEXPOSE")
        );
        assert!(p.patched.contains("FROM python:3.9 AS build\n"), "the build stage is untouched");
        assert_eq!(diff::apply(HEAVY, &p.diff).as_deref(), Some(p.patched.as_str()));
        let after: Vec<String> =
            lint_text(&p.patched, "D", &LintConfig::default()).into_iter().map(|f| f.code).collect();
        assert!(!after.contains(&"SL103".to_string()) && !after.contains(&"SL106".to_string()), "{after:?}");
    }

    #[test]
    fn toolchain_runs_go_and_caches_are_cleaned() {
        let t = Templates::built_in();
        let text = "FROM golang:1.22 AS b\nRUN go build -o /a .\nFROM debian:bookworm\nRUN apt-get update && apt-get install -y gcc\nRUN apt-get update && apt-get install -y ca-certificates\nCOPY --from=b /a /a\n";
        let O::Patch(p) = suggest(text, "D", &Default::default(), &t) else { panic!() };
        assert!(p.patched.contains("FROM debian:bookworm-slim\n"));
        assert!(!p.patched.contains("gcc"));
        assert!(p.patched.contains("install -y ca-certificates && rm -rf /var/lib/apt/lists/*\n"), "{}", p.patched);
        let O::Refused(why) = suggest(
            "FROM python:3.9 AS base\nFROM base AS build\nRUN make\nFROM base\nCOPY --from=build /x /x\n",
            "D",
            &Default::default(),
            &t,
        ) else {
            panic!()
        };
        assert!(why.contains("both shipped and built on"), "{why}");
        assert!(matches!(
            suggest(include_str!("../../examples/flask/multistage.Dockerfile"), "D", &Default::default(), &t),
            O::Nothing(_)
        ));
    }

    /// A public compose example's Flask app pip-installs under a cache mount: the in-place
    /// slimming must not add `--no-cache-dir` there (it would defeat BuildKit's cache), and
    /// the cache is no SL106.
    #[test]
    fn a_cache_mount_is_never_given_no_cache_dir() {
        let t = Templates::built_in();
        let text = "# syntax=docker/dockerfile:1.4\nFROM python:3.10 AS builder\nWORKDIR /app\nCOPY requirements.txt /app\nRUN --mount=type=cache,target=/root/.cache/pip \\\n    pip3 install -r requirements.txt\nCOPY . /app\nENTRYPOINT [\"python3\"]\nCMD [\"app.py\"]\n\nFROM builder AS dev-envs\nRUN apt-get update && apt-get install -y gcc\n";
        let after = crate::lint::lint_text(text, "D", &crate::lint::LintConfig::default());
        assert!(!after.iter().any(|f| f.code == "SL106" && f.line == 5), "{after:?}");
        let O::Patch(p) = suggest(text, "D", &Default::default(), &t) else { panic!("the heavy base is slimmed") };
        assert!(p.patched.contains("FROM python:3.10-slim AS builder"), "{}", p.patched);
        assert!(!p.patched.contains("--no-cache-dir"), "{}", p.patched);
    }
}
