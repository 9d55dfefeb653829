//! ## What it does
//! In a multi-stage Dockerfile, flags `COPY . …` or `ADD . …` into the final stage.
//!
//! ## Why it matters
//! The point of a build stage is that only its artifacts ship. Copying the whole context into
//! the final stage ships sources, tests, build files and whatever `.dockerignore` misses —
//! often the very things the build stage was meant to keep out.
//!
//! ## Example
//! ```dockerfile
//! FROM node:20 AS build
//! COPY . .
//! RUN npm ci && npm run build
//! FROM node:20-slim
//! COPY . .
//! COPY --from=build /app/dist ./dist
//! ```
//!
//! ## Fix
//! Copy only what runs: `COPY --from=build /app/dist ./dist`, or name the files the runtime
//! needs; tighten `.dockerignore` if the whole tree really must go in.
//!
//! Silent when a later RUN of the stage installs the copied tree in editable mode (`pip
//! install -e .`, `uv sync` or `poetry install` of the project there): the program then runs
//! from that tree, so the copy is how it ships (freqtrade, held out in round 54).

use crate::dockerfile::{resolve_path, shell, Body, Kind, Stage};
use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    if !ctx.graph.is_multi_stage() {
        return;
    }
    for &si in &ctx.graph.targets {
        if ctx.config.nothing_ships.is_some() {
            break;
        }
        let stage = &ctx.df.stages[si];
        // the working folder each instruction of the stage runs in, through its lineage
        let mut workdir = String::from("/");
        for &a in ctx.graph.lineage(si).iter().filter(|&&a| a != si) {
            for w in ctx.df.stages[a].of_kind(Kind::Workdir) {
                workdir = resolve_path(&workdir, w.words().first().map_or(".", |p| p.as_str()));
            }
        }
        for (n, ins) in stage.instructions.iter().enumerate() {
            if ins.kind == Kind::Workdir {
                workdir = resolve_path(&workdir, ins.words().first().map_or(".", |p| p.as_str()));
            }
            if !matches!(ins.kind, Kind::Copy | Kind::Add) || ins.flag("from").is_some() {
                continue;
            }
            let Body::Copy { sources, dest } = &ins.body else {
                continue;
            };
            if installed_editable(stage, n, &workdir, &resolve_path(&workdir, dest)) {
                continue;
            }
            if sources.iter().any(|s| matches!(s.as_str(), "." | "./" | "./." | "*")) {
                out.push(
                    Hit::on(ins, stage, "copies the whole build context into the final stage of a multi-stage build")
                        .fix("copy only the artifacts the runtime needs (`COPY --from=<build stage> <path> <dest>`) or name the files"),
                );
            }
        }
    }
}

/// Whether a RUN of `stage` after instruction `n` installs the folder `tree` in editable
/// mode, so the program runs from it: `pip install -e <tree>` (`--editable`), or `uv sync` /
/// `poetry install` run there (each installs the project editable unless told not to:
/// `--no-install-project`, `--no-editable`, `--no-root`). `workdir` is where instruction `n`
/// runs; a later WORKDIR moves it.
fn installed_editable(stage: &Stage, n: usize, workdir: &str, tree: &str) -> bool {
    let mut cwd = workdir.to_owned();
    for ins in &stage.instructions[n + 1..] {
        if ins.kind == Kind::Workdir {
            cwd = resolve_path(&cwd, ins.words().first().map_or(".", |p| p.as_str()));
        }
        if ins.kind != Kind::Run {
            continue;
        }
        for c in &shell::parse(&ins.script().unwrap_or_default()).commands {
            let w = c.effective();
            let args: Vec<&str> = w.iter().map(|a| a.as_str()).collect();
            let at = |words: &[&str]| args.windows(words.len()).position(|x| x == words);
            let pip =
                ["pip", "pip3"].contains(&c.program()) || at(&["-m", "pip"]).is_some() || at(&["uv", "pip"]).is_some();
            let editable = args
                .windows(2)
                .any(|x| matches!(x[0], "-e" | "--editable") && resolve_path(&cwd, x[1]) == tree)
                || args.iter().any(|a| a.strip_prefix("--editable=").is_some_and(|p| resolve_path(&cwd, p) == tree));
            let project =
                |sub: &[&str], not: &[&str]| at(sub).is_some() && !args.iter().any(|a| not.contains(a)) && cwd == tree;
            if (pip && at(&["install"]).is_some() && editable)
                || project(&["uv", "sync"], &["--no-install-project", "--no-editable"])
                || project(&["poetry", "install"], &["--no-root"])
            {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::lines;

    #[test]
    fn flags_context_copy_after_build_stage() {
        assert_eq!(
            lines("SL108", "FROM node:20 AS build\nCOPY . .\nFROM node:20-slim\nCOPY . .\nCOPY --from=build /d /d\n"),
            vec![4]
        );
    }

    /// freqtrade (held out in round 54): the copied tree is installed editable, so the
    /// program runs from it; a plain `pip install .` copies it into site-packages instead.
    #[test]
    fn a_tree_installed_editable_is_the_program() {
        let text = "FROM python:3.12 AS deps\nRUN pip install --user numpy\nFROM python:3.12-slim AS base\nWORKDIR /freqtrade\nFROM base\nCOPY --from=deps /root/.local /root/.local\nCOPY . /freqtrade/\nRUN pip install -e . --user --no-cache-dir\n";
        assert!(lines("SL108", text).is_empty());
        assert_eq!(lines("SL108", &text.replace("pip install -e .", "pip install .")), vec![7]);
        assert_eq!(lines("SL108", &text.replace("COPY . /freqtrade/", "COPY . /srv/")), vec![7]);
        let uv =
            "FROM python:3.12 AS b\nRUN true\nFROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCOPY --from=b /x /x\nRUN uv sync --frozen\n";
        assert!(lines("SL108", uv).is_empty());
        assert_eq!(lines("SL108", &uv.replace("uv sync --frozen", "uv sync --frozen --no-install-project")), vec![5]);
        let poetry = uv.replace("uv sync --frozen", "poetry install --only main");
        assert!(lines("SL108", &poetry).is_empty());
        assert_eq!(lines("SL108", &poetry.replace("--only main", "--no-root")), vec![5]);
    }

    #[test]
    fn single_stage_and_artifact_copies_pass() {
        assert!(lines("SL108", "FROM node:20-slim\nCOPY . .\n").is_empty());
        assert!(lines("SL108", "FROM node:20 AS build\nCOPY . .\nFROM node:20-slim\nCOPY --from=build /app/dist ./dist\nCOPY package.json .\n").is_empty());
    }
}
