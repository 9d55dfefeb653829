//! Python (pip): a `build` stage on the original base creates a virtualenv at /opt/venv and
//! runs the toolchain installs and pip there (with `--no-cache-dir`); the runtime stage,
//! on the slim variant of the same Python, copies the virtualenv and keeps every other
//! instruction exactly as written.
//!
//! Build-only: RUNs that only install build toolchains (apt/apk/dnf, with their update and
//! cleanup) or only run pip. A RUN that mixes them with anything else is refused, not
//! guessed at: the runtime might need the rest.

use super::{verbatim, Outcome, Plan, Rationale, Reason};
use crate::dockerfile::packages::{is_toolchain_package, pip_install, pip_user_env, pip_user_flag, system_install};
use crate::dockerfile::roles;
use crate::dockerfile::shell::{self, SimpleCommand};
use crate::dockerfile::{Dockerfile, Kind};
use crate::lint::rules::slim_variant;

/// What a RUN does, for the split.
#[derive(Debug, PartialEq, Eq)]
enum Run {
    /// Toolchain installs (and their housekeeping) only.
    Toolchain(Vec<String>),
    /// pip (or Poetry, uv, pipenv) installing the project's dependencies.
    Pip,
    /// Only installs a packaging tool (poetry, uv, pipenv): it runs before the virtualenv
    /// exists, so the tool stays out of what ships.
    Tool,
    /// Anything else: it stays where it is.
    Runtime,
    /// Build and runtime work in one RUN.
    Mixed(String),
    /// Only removes what the toolchain RUNs installed: the runtime has none of it.
    Removal,
}

/// The package manager's housekeeping, and the shell's no-ops around it.
fn housekeeping(c: &SimpleCommand) -> bool {
    roles::is_clean(c) || matches!(c.program(), "true" | "set")
}

const TOOLS: &[&str] = &["poetry", "uv", "pipenv", "pip", "setuptools", "wheel", "pipx"];

fn classify(script: &str) -> Run {
    let parsed = shell::parse(script);
    // a RUN that only installs packaging tools with pip
    let tool_only = !parsed.commands.is_empty()
        && parsed.commands.iter().all(|c| {
            pip_install(c).is_some_and(|args| {
                let named: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
                !named.is_empty()
                    && !args.iter().any(|a| a == "-r" || a == "-e")
                    && named.iter().all(|n| TOOLS.contains(&crate::dockerfile::packages::package_name(n)))
            })
        });
    if tool_only {
        return Run::Tool;
    }
    let mut toolchain = Vec::new();
    let (mut pip, mut runtime_pkgs, mut other) = (false, Vec::new(), false);
    for c in &parsed.commands {
        if let Some((_, pkgs)) = system_install(c) {
            for p in pkgs {
                if is_toolchain_package(p) {
                    toolchain.push(p.to_owned());
                } else {
                    runtime_pkgs.push(p.to_owned());
                }
            }
        } else if crate::dockerfile::packages::python_install(c) {
            pip = true;
        } else if !housekeeping(c) {
            other = true;
        }
    }
    match (toolchain.is_empty(), pip, runtime_pkgs.is_empty(), other) {
        (false, false, true, false) => Run::Toolchain(toolchain),
        (true, true, true, false) => Run::Pip,
        (true, false, _, _) => Run::Runtime,
        _ if !runtime_pkgs.is_empty() && !toolchain.is_empty() => {
            Run::Mixed(format!("it installs runtime packages ({}) with the toolchain", runtime_pkgs.join(", ")))
        }
        _ => Run::Mixed("it mixes build steps (toolchain, pip) with other commands".into()),
    }
}

/// Why a [`Run::Removal`] is not in the runtime.
const REMOVAL: &str = "it removes only what the build stage installed, which the runtime never has: not run there";

/// A RUN that only removes what the toolchain RUNs installed (`apk del .build-deps`, the
/// group they made) is a [`Run::Removal`]: the runtime has nothing of it to remove, and apk
/// would fail on the name.
fn removals(stage: &crate::dockerfile::Stage, runs: Vec<(usize, Run)>) -> Vec<(usize, Run)> {
    let script = |n: usize| shell::parse(&stage.instructions[n].script().unwrap_or_default());
    let toolchain_states: Vec<crate::dockerfile::ship::RunState> = runs
        .iter()
        .filter(|(_, r)| matches!(r, Run::Toolchain(_)))
        .map(|(n, _)| crate::dockerfile::ship::run_state(&script(*n)))
        .collect();
    let built: Vec<&crate::dockerfile::ship::RunState> = toolchain_states.iter().collect();
    runs.into_iter()
        .map(|(n, r)| match r {
            Run::Runtime if super::removes_only(&script(n), &built, &[]) => (n, Run::Removal),
            r => (n, r),
        })
        .collect()
}

/// A RUN the slim runtime reruns as written that calls a program only the full image has,
/// and that no RUN of the runtime installs first (osrf's `git clone` of its templates after
/// the pip install): the patch would not build. Refused, saying what to do.
fn needs_the_full_image(stage: &crate::dockerfile::Stage, runs: &[(usize, Run)], slim: &str) -> Option<Outcome> {
    let mut installed: Vec<String> = Vec::new();
    for (n, run) in runs {
        if !matches!(run, Run::Runtime) {
            continue;
        }
        let ins = &stage.instructions[*n];
        for c in &shell::parse(&ins.script().unwrap_or_default()).commands {
            if let Some((_, pkgs)) = system_install(c) {
                installed.extend(pkgs.iter().map(|p| p.to_string()));
                continue;
            }
            let program = c.program();
            if super::full_only(program).is_some_and(|from| !installed.iter().any(|p| from.contains(&p.as_str()))) {
                return Some(Outcome::refused(
                    Reason::MixedRun,
                    format!(
                        "line {}: `{}` runs in a RUN the runtime stage reruns, and `{slim}` has no `{program}`; install it in that RUN, or fetch in the build stage and COPY what it fetched, and ask again",
                        ins.line,
                        c.words.join(" ")
                    ),
                ));
            }
        }
    }
    None
}

/// Whether the file places its Python environment itself, which this rewrite's virtualenv
/// would shadow: the build-and-install split takes such a file.
fn placed_by_the_file(final_stage: &crate::dockerfile::Stage) -> bool {
    // pip told to install for the user cannot install into this rewrite's virtualenv ("User
    // site-packages are not visible"): the build-and-install split copies the user base
    let for_user = final_stage.instructions.iter().any(|i| {
        (i.kind == Kind::Env
            && i.pairs().iter().any(|kv| kv.key == "PIP_USER" && kv.value.as_deref().is_some_and(pip_user_env)))
            || (i.kind == Kind::Run
                && crate::dockerfile::shell::parse(&i.script().unwrap_or_default()).commands.iter().any(pip_user_flag))
    });
    // … nor can a virtualenv the file makes itself (`python -m venv /app/.venv`, `uv venv`,
    // an `ENV VIRTUAL_ENV` or uv's UV_PROJECT_ENVIRONMENT), or tells a tool where to make
    // (Poetry's or Pipenv's in the project, which a CMD may name: `/app/.venv/bin/python`): it
    // would shadow this rewrite's, and the runtime would rerun the making of an empty one. The
    // split copies the file's virtualenv as it is. So is pip told a folder of its own
    // (`--target`, `--prefix`, PIP_TARGET): what it installs is not in the virtualenv
    let own_venv = final_stage.instructions.iter().any(|i| {
        (i.kind == Kind::Env && i.pairs().iter().any(|kv| tells_where(&kv.key)))
            || (i.kind == Kind::Run
                && shell::parse(&i.script().unwrap_or_default()).commands.iter().any(command_tells_where))
    });
    for_user || own_venv
}

/// Whether the program runs a Python by its path (`ENTRYPOINT ["/usr/local/bin/python", …]`,
/// a start script whose `#!` names one): that Python does not see this rewrite's virtualenv.
/// The build-and-install split copies the image's prefix instead.
fn runs_a_python_by_path(stage: &crate::dockerfile::Stage, scripts: &[super::start::ContextScript]) -> bool {
    let by_path = |w: &str| {
        w.starts_with('/')
            && !w.starts_with("/opt/venv/")
            && w.rsplit('/').next().is_some_and(|p| p.starts_with("python"))
    };
    let named = stage
        .instructions
        .iter()
        .filter(|i| matches!(i.kind, Kind::Cmd | Kind::Entrypoint))
        .any(|i| i.command_words().iter().any(|w| by_path(w)));
    let shebang = scripts.iter().any(|s| {
        s.text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("#!"))
            .is_some_and(|l| l.split_whitespace().next().is_some_and(by_path))
    });
    named || shebang
}

/// Whether an ENV tells where a Python environment is made, or where pip installs: a
/// virtualenv of the file's own (VIRTUAL_ENV, UV_PROJECT_ENVIRONMENT, Poetry's and Pipenv's
/// in the project or under a path, WORKON_HOME), or pip's own folder (PIP_TARGET, PIP_PREFIX).
fn tells_where(key: &str) -> bool {
    matches!(
        key,
        "VIRTUAL_ENV"
            | "UV_PROJECT_ENVIRONMENT"
            | "POETRY_VIRTUALENVS_IN_PROJECT"
            | "POETRY_VIRTUALENVS_PATH"
            | "PIPENV_VENV_IN_PROJECT"
            | "PIPENV_CUSTOM_VENV_NAME"
            | "WORKON_HOME"
            | "PIP_TARGET"
            | "PIP_PREFIX"
            | "PIP_ROOT"
    )
}

/// Whether a command makes a virtualenv of its own (`python -m venv /app/.venv`), tells
/// Poetry to make one in the project (`poetry config virtualenvs.in-project true`), or tells
/// pip a folder of its own (`--target`, `--prefix`, `--root`).
fn command_tells_where(c: &SimpleCommand) -> bool {
    let own_folder = |args: &[String]| {
        args.iter().any(|a| {
            ["--target", "-t", "--prefix", "--root"]
                .iter()
                .any(|f| a == f || a.strip_prefix(f).is_some_and(|r| r.starts_with('=')))
        })
    };
    crate::dockerfile::packages::venv_folder(c).is_some()
        || pip_install(c).is_some_and(own_folder)
        || super::install::settings(c)
            .iter()
            .any(|(k, v)| k == "POETRY_VIRTUALENVS_IN_PROJECT" && !matches!(v.as_str(), "false" | "0"))
}

/// The packaging tools the image runs after its build (`poetry run gunicorn …` in the CMD,
/// `uv run manage.py collectstatic` in a RUN that stays): they must be in the virtualenv
/// the runtime copies, not in the build stage's own Python.
fn tools_run(stage: &crate::dockerfile::Stage, runs: &[(usize, Run)]) -> Vec<String> {
    let mut out = Vec::new();
    for (n, ins) in stage.instructions.iter().enumerate() {
        let words: Vec<String> = match ins.kind {
            Kind::Cmd | Kind::Entrypoint => ins.command_words(),
            Kind::Run if runs.iter().any(|(m, r)| *m == n && matches!(r, Run::Runtime)) => {
                shell::parse(&ins.script().unwrap_or_default())
                    .commands
                    .iter()
                    .map(|c| c.program().to_owned())
                    .collect()
            }
            _ => continue,
        };
        for w in words {
            let program = w.rsplit('/').next().unwrap_or_default().to_owned();
            if TOOLS.contains(&program.as_str()) && !matches!(program.as_str(), "pip" | "setuptools" | "wheel") {
                out.push(program);
            }
        }
    }
    out
}

/// The packaging tools a RUN that only installs them installs (`pip install poetry==1.8`).
fn tools_installed(script: &str) -> Vec<String> {
    shell::parse(script)
        .commands
        .iter()
        .filter_map(pip_install)
        .flat_map(|args| args.iter().filter(|a| !a.starts_with('-')))
        .map(|n| crate::dockerfile::packages::package_name(n).to_owned())
        .collect()
}

/// Whether a RUN left to the runtime builds (`make -C docs html` after the pip install): it
/// would build there without the toolchain, so the build-and-install split takes the file,
/// which moves it with its output.
fn builds_later(stage: &crate::dockerfile::Stage, runs: &[(usize, Run)]) -> bool {
    runs.iter().any(|(n, r)| {
        matches!(r, Run::Runtime)
            && shell::parse(&stage.instructions[*n].script().unwrap_or_default()).commands.iter().any(roles::runs_build)
    })
}

/// The plan for a single-stage Python Dockerfile, `None` when it is not one, `Some(Err)` for
/// nothing-to-do and refusals.
pub fn plan(df: &Dockerfile, inputs: &super::Inputs) -> Option<Result<Plan, Outcome>> {
    // a python base from an ARG is taken, to say why it is refused
    let takes = |name: &str, base: &str, _: &_| name == "python" || (base.contains('$') && base.starts_with("python"));
    let opening = match super::single_stage(df, inputs, takes)? {
        Ok(o) => o,
        Err(outcome) => return Some(Err(outcome)),
    };
    let (final_stage, base) = (opening.stage, opening.base.as_str());
    if placed_by_the_file(final_stage) || runs_a_python_by_path(final_stage, &inputs.start_scripts) {
        return None;
    }
    if base.contains('$') {
        return Some(Err(Outcome::refused(
            Reason::VariableBase,
            format!(
                "line {}: the base `{base}` comes from an ARG, so its slim variant is unknown; pin it or write the stages by hand",
                final_stage.line
            ),
        )));
    }
    let mut build = Vec::new();
    let mut runtime = Vec::new();
    let mut tools = Vec::new();
    let mut rationale = Vec::new();
    let mut prev_end = final_stage.line;
    let runs: Vec<(usize, Run)> = final_stage
        .instructions
        .iter()
        .enumerate()
        .filter(|(_, i)| i.kind == Kind::Run)
        .map(|(n, i)| (n, classify(&i.script().unwrap_or_default())))
        .collect();
    // a packaging tool the image runs after its build goes into the virtualenv with the rest
    let run_later = tools_run(final_stage, &runs);
    let runs: Vec<(usize, Run)> = runs
        .into_iter()
        .map(|(n, r)| match r {
            Run::Tool
                if tools_installed(&final_stage.instructions[n].script().unwrap_or_default())
                    .iter()
                    .any(|t| run_later.contains(t)) =>
            {
                (n, Run::Pip)
            }
            r => (n, r),
        })
        .collect();
    let runs = removals(final_stage, runs);
    if let Some((n, Run::Mixed(why))) = runs.iter().find(|(_, r)| matches!(r, Run::Mixed(_))) {
        let line = final_stage.instructions[*n].line;
        return Some(Err(Outcome::refused(
            Reason::MixedRun,
            format!("line {line}: {why}; split it into separate RUNs and ask again"),
        )));
    }
    if builds_later(final_stage, &runs) {
        return None;
    }
    let last_build =
        runs.iter().filter(|(_, r)| matches!(r, Run::Toolchain(_) | Run::Pip | Run::Tool)).map(|(n, _)| *n).max();
    let slim = slim_variant(base);
    let Some(last_build) = last_build else {
        return Some(Err(match slim {
            Some(s) => Outcome::refused(
                Reason::NothingBuilt,
                format!(
                    "line {}: nothing is built here; `FROM {s}` alone makes it lighter (see SL103)",
                    final_stage.line
                ),
            ),
            None => Outcome::Nothing("the Python rewrite finds no toolchain package or pip install to move".into()),
        }));
    };
    let runtime_base = slim.unwrap_or_else(|| base.to_owned());
    if runtime_base != base {
        if let Some(refused) = needs_the_full_image(final_stage, &runs, &runtime_base) {
            return Some(Err(refused));
        }
    }
    for (n, ins) in final_stage.instructions.iter().enumerate() {
        let text = verbatim(df, ins, prev_end);
        // pip without its cache: an edit where `install` is written
        let before = prev_end;
        let no_cache = |ins: &crate::dockerfile::Instruction| {
            let script = shell::parse(&ins.script().unwrap_or_default());
            super::verbatim_edited(df, ins, before, &super::edits::pip_no_cache(ins, &script))
        };
        prev_end = ins.end_line;
        let class = runs.iter().find(|(m, _)| *m == n).map(|(_, r)| r);
        match class {
            Some(Run::Toolchain(pkgs)) => {
                build.push(text);
                rationale.push(Rationale::new(
                    "SL101",
                    ins.line,
                    format!("{} moves to the build stage: the toolchain no longer ships", pkgs.join(", ")),
                ));
            }
            Some(Run::Tool) => {
                // the values it reads (`pip install "poetry==$POETRY_VERSION"`) are set first
                for earlier in &final_stage.instructions[..n] {
                    let set = df.source(earlier).trim_end().replace("\r\n", "\n");
                    if matches!(earlier.kind, Kind::Env | Kind::Arg) && !tools.contains(&set) {
                        tools.push(set);
                    }
                }
                tools.push(no_cache(ins).unwrap_or(text))
            }
            Some(Run::Removal) => rationale.push(Rationale::new("SL101", ins.line, REMOVAL)),
            Some(Run::Pip) => {
                // under a cache mount the cache never reaches the layer: keep BuildKit's cache
                let fixed =
                    if ins.mounts_away("/root/.cache") { text.clone() } else { no_cache(ins).unwrap_or(text.clone()) };
                if fixed != text {
                    rationale.push(Rationale::new(
                        "SL106",
                        ins.line,
                        "pip runs with --no-cache-dir, into the virtualenv the runtime copies",
                    ));
                }
                build.push(fixed);
            }
            _ => {
                // What the build steps may read (files, environment, folders) is there too.
                if n < last_build
                    && matches!(ins.kind, Kind::Workdir | Kind::Env | Kind::Arg | Kind::Copy | Kind::Add | Kind::Shell)
                {
                    build.push(df.source(ins).trim_end().replace("\r\n", "\n"));
                }
                runtime.push(text);
            }
        }
    }
    if runtime_base != base {
        rationale.push(Rationale::new(
            "SL103",
            final_stage.line,
            format!("the runtime stage runs on `{runtime_base}` instead of `{base}`"),
        ));
    }
    let uses_uv = run_later.iter().any(|t| t == "uv")
        || final_stage.instructions.iter().any(|i| {
            i.kind == Kind::Run
                && i.script().is_some_and(|t| shell::parse(&t).commands.iter().any(|c| c.program() == "uv"))
        });
    Some(Ok(Plan::new("python", df, final_stage, base, &runtime_base, build, runtime, rationale)
        .with("tools", tools)
        .with("uv", uses_uv)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_runs() {
        assert_eq!(
            classify("apt update && apt install -y build-essential"),
            Run::Toolchain(vec!["build-essential".into()])
        );
        assert_eq!(classify("pip install --upgrade pip && pip install -r requirements.txt"), Run::Pip);
        assert_eq!(classify("useradd -r app"), Run::Runtime);
        assert_eq!(
            classify("apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*"),
            Run::Runtime
        );
        assert!(matches!(classify("apt-get install -y gcc libpq5"), Run::Mixed(_)));
        assert!(matches!(classify("pip install flask && python manage.py collectstatic"), Run::Mixed(_)));
    }

    /// A SHELL instruction is kept in both stages, whole (its text once stopped inside the
    /// JSON array, and every rewrite of a file with SHELL was refused as unparsable).
    #[test]
    fn a_shell_instruction_is_kept_whole() {
        use crate::patch::{suggest, Outcome, Templates};
        let text = "FROM python:3.11\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN apt-get update && apt-get install -y build-essential\nCOPY . /app\nRUN pip install -r /app/requirements.txt\nCMD [\"python3\", \"/app/app.py\"]\n";
        let Outcome::Patch(p) = suggest(text, "D", &Default::default(), &Templates::built_in()) else { panic!() };
        assert_eq!(
            p.patched.matches("SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n").count(),
            2,
            "{}",
            p.patched
        );
        crate::patch::testing::answers(text, &p, &["SL101"]);
    }

    #[test]
    fn a_program_only_the_full_image_has_is_not_rerun_on_slim() {
        use crate::patch::{suggest, Outcome, Templates};
        // osrf's docker_images: the templates are cloned after the pip install
        let text = "FROM python:3\nWORKDIR /tmp/\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nRUN git clone -b master https://github.com/osrf/docker_images.git\nCMD [\"python\", \"x.py\"]\n";
        let Outcome::Refused(why) = suggest(text, "D", &Default::default(), &Templates::built_in()) else { panic!() };
        assert!(
            why.message.contains("line 5") && why.message.contains("`python:3-slim` has no `git`"),
            "{}",
            why.message
        );
        // installed first in the runtime: it runs there
        let installed = text.replace("RUN git clone", "RUN apt-get update && apt-get install -y git && git clone");
        let Outcome::Patch(p) = suggest(&installed, "D", &Default::default(), &Templates::built_in()) else { panic!() };
        assert!(p.patched.contains("FROM python:3-slim AS runtime"), "{}", p.patched);
    }

    #[test]
    fn packaging_tools_stay_out_of_the_virtualenv() {
        use crate::patch::{suggest, Outcome, Templates};
        assert_eq!(classify("pip install poetry==1.8.3"), Run::Tool);
        assert_eq!(classify("poetry install --only main --no-root"), Run::Pip);
        assert_eq!(classify("uv sync --frozen"), Run::Pip);
        let text = "FROM python:3.12\nWORKDIR /app\nRUN pip install poetry\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --only main --no-root\nCOPY . .\nCMD [\"python\", \"-m\", \"app\"]\n";
        let Outcome::Patch(p) = suggest(text, "D", &Default::default(), &Templates::built_in()) else { panic!() };
        let tool = p.patched.find("RUN pip install --no-cache-dir poetry").expect("the tool install");
        let venv = p.patched.find("RUN python -m venv /opt/venv").unwrap();
        assert!(tool < venv, "the tool is installed before (outside) the virtualenv:\n{}", p.patched);
        assert!(
            p.patched.contains("RUN poetry install --only main --no-root\n")
                && p.patched.contains("FROM python:3.12-slim AS runtime")
        );
        let uv = "FROM python:3.12\nWORKDIR /app\nRUN pip install uv\nCOPY . .\nRUN uv sync --frozen\nCMD [\"python\", \"app.py\"]\n";
        let Outcome::Patch(p) = suggest(uv, "D", &Default::default(), &Templates::built_in()) else { panic!() };
        assert!(p.patched.contains("UV_PROJECT_ENVIRONMENT=/opt/venv"), "{}", p.patched);
    }

    /// The values a tool's install reads are set before it (`ENV POETRY_VERSION=1.7.1`, then
    /// `pip install "poetry==$POETRY_VERSION"`), though the tool goes before the virtualenv
    #[test]
    fn a_tools_install_keeps_the_values_it_reads() {
        use crate::patch::{suggest, Outcome, Templates};
        let text = "FROM python:3.12\nENV POETRY_VERSION=1.7.1\nWORKDIR /app\nRUN pip install \"poetry==$POETRY_VERSION\"\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --only main --no-root\nCOPY . .\nCMD [\"python\", \"-m\", \"app\"]\n";
        let Outcome::Patch(p) = suggest(text, "D", &Default::default(), &Templates::built_in()) else { panic!() };
        let env = p.patched.find("ENV POETRY_VERSION=1.7.1").unwrap();
        let tool = p.patched.find("poetry==$POETRY_VERSION").unwrap();
        assert!(env < tool, "{}", p.patched);
    }

    /// A packaging tool the image runs after its build (`poetry run`, `uv run` in the CMD) is
    /// installed into the virtualenv the runtime copies, and the runtime finds uv's project
    /// environment where the build made it
    #[test]
    fn a_tool_the_image_runs_ships_in_the_virtualenv() {
        use crate::patch::{suggest, Outcome, Templates};
        let text = "FROM python:3.12\nWORKDIR /app\nRUN pip install poetry\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --only main --no-root\nCOPY . .\nCMD [\"poetry\", \"run\", \"python\", \"-m\", \"app\"]\n";
        let Outcome::Patch(p) = suggest(text, "D", &Default::default(), &Templates::built_in()) else { panic!() };
        let tool = p.patched.find("RUN pip install --no-cache-dir poetry").expect("the tool install");
        let venv = p.patched.find("RUN python -m venv /opt/venv").unwrap();
        assert!(tool > venv, "the tool the CMD runs goes into the virtualenv:\n{}", p.patched);
        let uv = "FROM python:3.12\nWORKDIR /app\nRUN pip install uv\nCOPY . .\nRUN uv sync --frozen\nCMD [\"uv\", \"run\", \"app.py\"]\n";
        let Outcome::Patch(p) = suggest(uv, "D", &Default::default(), &Templates::built_in()) else { panic!() };
        let runtime = &p.patched[p.patched.find("AS runtime").unwrap()..];
        assert!(runtime.contains("UV_PROJECT_ENVIRONMENT=/opt/venv\nCOPY --from=build /opt/venv"), "{}", p.patched);
        assert!(
            p.patched.find("RUN pip install --no-cache-dir uv").unwrap()
                > p.patched.find("RUN python -m venv").unwrap()
        );
    }

    /// A RUN of the program's own code after the install (NLTK's data, a Hugging Face model)
    /// writes outside the virtualenv the runtime copies: it runs in the runtime stage, with
    /// the virtualenv there. Before, the build stage ran it and its data was lost.
    #[test]
    fn a_run_of_the_programs_code_makes_its_data_in_the_runtime() {
        let text = "FROM python:3.11\nRUN apt-get update && apt-get install -y gcc && rm -rf /var/lib/apt/lists/*\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nRUN python -m nltk.downloader punkt\nRUN python -c \"from transformers import AutoModel; AutoModel.from_pretrained('bert-base-uncased')\"\nCOPY . .\nCMD [\"python\", \"app.py\"]\n";
        use crate::patch::{suggest, Outcome as O, Templates};
        let O::Patch(p) = suggest(text, "D", &Default::default(), &Templates::built_in()) else { panic!() };
        assert_eq!(p.ecosystem, "python");
        let (build, runtime) = p.patched.split_once("AS runtime\n").unwrap();
        assert!(!build.contains("nltk") && !build.contains("from_pretrained"), "{build}");
        assert!(
            runtime.contains("COPY --from=build /opt/venv /opt/venv\nWORKDIR /app\nCOPY requirements.txt .\nRUN python -m nltk.downloader punkt\nRUN python -c"),
            "{runtime}"
        );
    }

    /// A program that runs a Python by its path (the ENTRYPOINT's, a start script's `#!`) does
    /// not see a virtualenv: the split takes the file
    #[test]
    fn a_python_run_by_its_path_is_left_to_the_split() {
        let text = "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nENTRYPOINT [\"/usr/local/bin/python\", \"-u\", \"consumer.py\"]\n";
        assert!(plan(&Dockerfile::parse(text).unwrap(), &Default::default()).is_none());
        let script = text.replace(
            "ENTRYPOINT [\"/usr/local/bin/python\", \"-u\", \"consumer.py\"]",
            "COPY bin/worker /usr/local/bin/worker\nCMD [\"worker\"]",
        );
        let inputs = crate::patch::Inputs {
            start_scripts: vec![crate::patch::start::ContextScript {
                path: "/usr/local/bin/worker".into(),
                text: "#!/usr/local/bin/python\nimport nacl\n".into(),
                calls: Vec::new(),
            }],
            ..Default::default()
        };
        assert!(plan(&Dockerfile::parse(&script).unwrap(), &inputs).is_none());
        assert!(plan(&Dockerfile::parse(&script).unwrap(), &Default::default()).is_some());
    }

    /// An environment the file places itself (Poetry's in the project, which the CMD names) or
    /// pip told a folder of its own is not this rewrite's: a virtualenv of its own would take
    /// the packages away from where the program looks
    #[test]
    fn an_environment_the_file_places_is_left_to_the_split() {
        let poetry = "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev\nENV POETRY_VIRTUALENVS_IN_PROJECT=true\nRUN pip install poetry\nWORKDIR /app\nCOPY . .\nRUN poetry install --only main\nCMD [\"/app/.venv/bin/python\", \"app.py\"]\n";
        let df = Dockerfile::parse(poetry).unwrap();
        assert!(plan(&df, &Default::default()).is_none());
        let config = poetry.replace(
            "ENV POETRY_VIRTUALENVS_IN_PROJECT=true\nRUN pip install poetry",
            "RUN pip install poetry && poetry config virtualenvs.in-project true",
        );
        assert!(plan(&Dockerfile::parse(&config).unwrap(), &Default::default()).is_none());
        let target = "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev\nWORKDIR /app\nRUN pip install --target=/app/deps psycopg2\nENV PYTHONPATH=/app/deps\nCMD [\"python\", \"app.py\"]\n";
        assert!(plan(&Dockerfile::parse(target).unwrap(), &Default::default()).is_none());
        let prefix = target.replace("pip install --target=/app/deps", "pip install");
        let prefix = prefix.replace("WORKDIR /app", "ENV PIP_PREFIX=/opt/py\nWORKDIR /app");
        assert!(plan(&Dockerfile::parse(&prefix).unwrap(), &Default::default()).is_none());
    }
}
