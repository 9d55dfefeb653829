//! A RUN of the stage that ships that already removes part of its build toolchain once it
//! has built (simple-login's `apt-get purge -y … build-essential … clang`, mkdocs-material's
//! `apk del .build`) is finished the way its author began it: the toolchain packages the RUN
//! installs and leaves behind are added to that removal, and the runtime library of each
//! `-dev` package among them (from the `-dev` → runtime table for the base's release) is
//! installed by name beside the packages it installs, so that neither the removal nor apt's
//! autoremove takes what the build links. The file is edited in place; nothing is copied.
//!
//! It is asked last, when every other rewriter refused or found nothing to do, so the
//! patches they write stay theirs. It applies when every RUN of the stages that ship (the
//! lineage, and a stage a squash copies whole) that leaves a toolchain package is of that
//! shape: a removal by name (`apt-get purge|remove`, `apk del`) that always runs, after the
//! RUN's last build, and no later RUN of those stages builds with the toolchain (Composer,
//! which compiles nothing, may run after).
//!
//! It gives up (and the other rewriters' refusal stands) on a `-dev` package whose runtime
//! library the table cannot name for the base's release, or a removal or install written
//! where it cannot be extended.

use super::{libraries, slim, Outcome, Plan, Rationale, Reason};
use crate::dockerfile::packages::{is_toolchain_package, system_install, Manager};
use crate::dockerfile::roles::{self, Role};
use crate::dockerfile::ship::{run_state, Fate};
use crate::dockerfile::{shell, Dockerfile, Graph, Kind};

/// What one RUN needs: the removal to extend, the names to add to it, the install to extend
/// and the runtime libraries to add to it.
struct Finish {
    line: usize,
    removal: Vec<String>,
    keep: Vec<String>,
    edits: Vec<crate::dockerfile::edit::Edit>,
}

/// The plan for a file whose shipped RUNs already remove part of their toolchain; `None` when
/// any RUN that leaves a toolchain package is not of that shape.
pub fn plan(df: &Dockerfile, inputs: &super::Inputs) -> Option<Result<Plan, Outcome>> {
    let graph = Graph::build(df, &inputs.targets).ok()?;
    let target = *graph.targets.first()?;
    let release = graph.root_image(target).and_then(libraries::release_of);
    // the stages whose files ship: the lineage, and a stage a squash copies whole
    // (mkdocs-material's `COPY --from=build / /` onto scratch)
    let runs: Vec<&crate::dockerfile::Instruction> = (0..df.stages.len())
        .filter(|&si| graph.ships[si])
        .flat_map(|si| df.stages[si].instructions.iter().filter(|i| i.kind == Kind::Run))
        .collect();
    let mut finishes: Vec<Finish> = Vec::new();
    for (n, ins) in runs.iter().enumerate() {
        let script = shell::parse(&ins.script().unwrap_or_default());
        let state = run_state(&script);
        let left: Vec<(&str, Manager)> = state
            .packages
            .iter()
            .filter(|p| p.fate == Fate::Ships && is_toolchain_package(&p.name))
            .map(|p| (p.name.as_str(), p.manager))
            .collect();
        if left.is_empty() {
            continue;
        }
        // the removal the author wrote, by name, after the last build, always run
        let last_build = script.commands.iter().rposition(|c| roles::of(c) == Role::Build)?;
        let (r, removal) = script.commands.iter().enumerate().rev().find(|(_, c)| removes_by_name(c))?;
        if r < last_build || !removal.scope.is_empty() || removal.conditional() {
            return None;
        }
        let manager = Manager::of(removal)?;
        if left.iter().any(|(_, m)| m.is_apt() != manager.is_apt()) {
            return None;
        }
        // nothing builds after this RUN in the image that ships, with what the removal takes
        // (Composer installs PHP code and compiles nothing: round 84's Paymenter runs
        // `composer install` after its extension build)
        if runs[n + 1..]
            .iter()
            .any(|later| shell::parse(&later.script().unwrap_or_default()).commands.iter().any(roles::may_build_native))
        {
            return None;
        }
        let mut keep: Vec<String> = Vec::new();
        let mut unknown: Vec<&str> = Vec::new();
        for (name, m) in &left {
            match libraries::runtime_on(name, *m, release) {
                Some(Some(lib))
                    if !state.packages.iter().any(|p| p.name == lib && p.fate == Fate::Ships)
                        && !keep.iter().any(|k| k == lib) =>
                {
                    keep.push(lib.to_owned())
                }
                Some(_) => {}
                None => unknown.push(name),
            }
        }
        if !unknown.is_empty() {
            return Some(Err(Outcome::refused(
                Reason::UnknownRuntime,
                format!(
                    "line {}: this RUN already removes part of its toolchain; the rest ({}) could join that removal, but shiplight cannot name the runtime library of {} for this base; name it in the install and ask again",
                    ins.line,
                    quoted(left.iter().map(|(n, _)| *n)),
                    quoted(unknown.iter().copied())
                ),
            )));
        }
        let mut removal_names: Vec<String> = left.iter().map(|(n, _)| n.to_string()).collect();
        removal_names.dedup();
        let mut edits = Vec::new();
        let last = removal.words.len() - 1;
        let Some(e) = super::edits::flag_after(ins, removal, last, &removal_names.join(" ")) else {
            return Some(Err(unwritable(ins.line, "removal")));
        };
        edits.push(e);
        if !keep.is_empty() {
            // beside the packages of the first install of the RUN's toolchain
            let install = script.commands.iter().enumerate().find(|(at, c)| {
                system_install(c).is_some_and(|(_, pkgs)| {
                    pkgs.iter().any(|p| left.iter().any(|(n, _)| n == p))
                        && state.packages.iter().any(|p| p.at == *at && p.fate == Fate::Ships)
                })
            });
            let Some(e) =
                install.and_then(|(_, c)| super::edits::flag_after(ins, c, c.words.len() - 1, &keep.join(" ")))
            else {
                return Some(Err(unwritable(ins.line, "install")));
            };
            edits.push(e);
        }
        finishes.push(Finish { line: ins.line, removal: removal_names, keep, edits });
    }
    if finishes.is_empty() {
        return None;
    }
    let mut edits = Vec::new();
    let mut rationale = Vec::new();
    for f in finishes {
        let mut why = format!(
            "{} removed by the RUN's own removal, which took part of the toolchain already",
            f.removal.join(", ")
        );
        if !f.keep.is_empty() {
            why.push_str(&format!(
                "; the runtime libraries {} installed by name, so the build's libraries stay",
                f.keep.join(", ")
            ));
        }
        rationale.push(Rationale::new("SL101", f.line, why));
        edits.extend(f.edits);
    }
    Some(slim::edited(df, target, edits, "purge", rationale))
}

/// Whether a command removes packages by name: `apt-get purge|remove NAME…`, `apk del NAME…`.
fn removes_by_name(c: &shell::SimpleCommand) -> bool {
    let Some(m) = Manager::of(c) else { return false };
    let verb = c.subcommand().unwrap_or_default();
    let named = c.args().iter().skip(1).any(|a| !a.starts_with('-'));
    named
        && ((m.is_apt() && matches!(verb, "purge" | "remove"))
            || (m == Manager::Apk && matches!(verb, "del" | "delete")))
}

/// The refusal of a RUN whose `what` (removal or install) is not written where it can be
/// extended (a variable's value, a line of its own outside the RUN).
fn unwritable(line: usize, what: &str) -> Outcome {
    Outcome::refused(
        Reason::MixedRun,
        format!("line {line}: this RUN's {what} cannot be extended where it is written; write its packages out in the RUN and ask again"),
    )
}

/// Names in backticks, joined.
fn quoted<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names.map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use crate::patch::{Inputs, Outcome, Templates};

    fn suggest(text: &str) -> Outcome {
        crate::patch::suggest(text, "Dockerfile", &Default::default(), &Templates::built_in())
    }

    /// simple-login's shape (the split refuses its `uv sync` on a Python uv may download):
    /// the RUN purges part of its toolchain after the build; gcc and libre2-dev join that
    /// purge, and libre2-dev's runtime library is installed by name so that apt's autoremove
    /// keeps it for the extension that links it.
    #[test]
    fn the_rest_of_the_toolchain_joins_the_runs_own_removal() {
        let text = "FROM node:20-alpine AS npm\nRUN npm ci\n\nFROM ubuntu:22.04\nCOPY pyproject.toml uv.lock ./\nRUN apt-get update \\\n    && apt-get install -y curl gcc python3-dev libre2-dev build-essential \\\n    && uv sync --locked \\\n    && apt-get purge -y curl build-essential python3-dev \\\n    && apt-get autoremove -y \\\n    && rm -rf /var/lib/apt/lists/*\nCOPY --from=npm /code /code\nCMD [\"gunicorn\", \"wsgi:app\"]\n";
        let Outcome::Patch(p) = suggest(text) else { panic!("{:?}", suggest(text)) };
        assert!(
            p.diff.contains("+    && apt-get install -y curl gcc python3-dev libre2-dev build-essential libre2-9 \\"),
            "{}",
            p.diff
        );
        assert!(
            p.diff.contains("+    && apt-get purge -y curl build-essential python3-dev gcc libre2-dev \\"),
            "{}",
            p.diff
        );
        assert!(p.rationale.iter().any(|r| r.rule == "SL101" && r.message.contains("libre2-9")), "{:?}", p.rationale);
    }

    /// mkdocs-material's shape on Alpine, squashed onto scratch: `apk del .build` takes the
    /// compilers; the `-dev` packages installed beside the runtime ones join it, and their
    /// libraries stay by name.
    #[test]
    fn an_apk_group_removal_takes_the_headers_too() {
        let text = "FROM python:3.11-alpine3.21 AS build\nRUN apk add --no-cache cairo freetype-dev zlib-dev \\\n  && apk add --no-cache --virtual .build gcc musl-dev \\\n  && pip install --no-cache-dir . \\\n  && apk del .build\nFROM scratch\nCOPY --from=build / /\nENTRYPOINT [\"mkdocs\"]\n";
        let Outcome::Patch(p) = suggest(text) else { panic!("{:?}", suggest(text)) };
        assert!(p.diff.contains("apk del .build freetype-dev zlib-dev"), "{}", p.diff);
        assert!(p.diff.contains("cairo freetype-dev zlib-dev freetype zlib"), "{}", p.diff);
    }

    /// Round 84's Paymenter: the extension build's RUN removes its compilers by name and
    /// leaves the `-dev` packages; a later `composer install`, which compiles nothing, does not
    /// stop them joining the removal
    #[test]
    fn composer_after_the_build_leaves_the_removal_to_finish() {
        let text = "FROM php:8.3-fpm-alpine AS final\nWORKDIR /app\nRUN apk add --no-cache --update curl git libpng-dev libzip-dev autoconf make g++ gcc libc-dev \\\n    && docker-php-ext-install gd zip \\\n    && apk del autoconf make g++ gcc libc-dev\nCOPY . ./\nRUN composer install --no-dev --optimize-autoloader\nFROM node:22-alpine AS build\nCOPY --from=final /app/vendor /app/vendor\nRUN npm ci && npm run build\nFROM final AS production\nCOPY --from=build /app/public /app/public\nCMD [\"php-fpm\"]\n";
        let Outcome::Patch(p) = suggest(text) else { panic!("{:?}", suggest(text)) };
        assert!(p.diff.contains("apk del autoconf make g++ gcc libc-dev libpng-dev libzip-dev"), "{}", p.diff);
        assert!(p.diff.contains("libc-dev libpng libzip"), "{}", p.diff);
        // a later build that may compile still stops it
        let df = crate::dockerfile::Dockerfile::parse(
            &text.replace("composer install --no-dev --optimize-autoloader", "pecl install redis"),
        )
        .unwrap();
        assert!(super::plan(&df, &Inputs::default()).is_none());
    }

    /// Not this rewriter's: no removal in the RUN, a removal before the build, or a build in a
    /// later RUN.
    #[test]
    fn other_shapes_are_left_to_the_other_rewriters() {
        let graph_of = |text: &str| {
            let df = crate::dockerfile::Dockerfile::parse(text).unwrap();
            super::plan(&df, &Inputs::default()).is_none()
        };
        assert!(graph_of("FROM ubuntu:22.04\nRUN apt-get install -y gcc && make\n"));
        assert!(graph_of("FROM ubuntu:22.04\nRUN apt-get install -y gcc curl && apt-get purge -y curl && make\n"));
        assert!(graph_of(
            "FROM ubuntu:22.04\nRUN apt-get install -y gcc curl && make && apt-get purge -y curl\nRUN make install\n"
        ));
    }
}
