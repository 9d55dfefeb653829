//! A shipped stage that builds again on the toolchain of the stage it is built FROM, when
//! that stage is used elsewhere too (mediacms' `full`, FROM a `base` that also ships, runs
//! `uv pip install -r requirements-full.txt`; postal's `full` precompiles its assets FROM a
//! `base` its `ci` image is built FROM as well), so the chain cannot be merged in place
//! ([`super::chain`]). It gets a build stage of its own, its **twin**:
//!
//! - the file is rewritten with that stage's instructions left out, so the split of its base
//!   goes as for any other shipped base (its runtime keeps the base's name);
//! - the base and the stage, written as one stage (the lines between them left empty, the
//!   base taking the stage's name), are rewritten on their own: the build stage holds the
//!   base's builds and the stage's, and the runtime is the base's runtime with what both
//!   built, then the rest of the stage;
//! - that pair takes the stage's place. Its build stage is named `<stage>-build`, and when it
//!   begins with the base's build stage instruction for instruction, it is built FROM that one
//!   instead, with only the stage's own instructions.
//!
//! The runtime replays the base's runtime rather than being built FROM it, so what both
//! installed (a virtualenv, the gems) is copied once. Stages built FROM the twinned stage
//! follow it as written, and must not build themselves. Refused twins answer with the
//! refusal of the file as written.

use super::{diff, free_name, suggest_file, Inputs, Outcome, Patch, Rationale, Templates};
use crate::dockerfile::graph::StageRef;
use crate::dockerfile::{roles, shell, Dockerfile, Graph, Kind, Stage};

/// The file with each shipped stage that builds on its base's toolchain given a build stage
/// of its own; `None` when there is none, or a step of the rewrite is refused.
pub fn split(text: &str, name: &str, inputs: &Inputs, templates: &Templates) -> Option<Outcome> {
    if text.starts_with('\u{feff}') || text.contains('\r') {
        return None;
    }
    let df = Dockerfile::parse(text).ok()?;
    let graph = Graph::build(&df, &inputs.targets).ok()?;
    let (root, twins) = twins(&df, &graph)?;
    // the file without the twins' instructions: the base splits as any shipped base does
    let mut edits = Vec::new();
    for &x in &twins {
        let stage = &df.stages[x];
        let end = stage.instructions.last()?.span.end;
        let gone = &text[stage.from_span.end..end];
        edits.push(crate::dockerfile::edit::Edit::replace(
            stage.from_span.end..end,
            "\n".repeat(gone.matches('\n').count()),
        ));
    }
    let without = crate::dockerfile::edit::apply(text, &edits).ok()?;
    let Outcome::Patch(first) = suggest_file(&without, name, inputs, templates) else { return None };
    let mut patched = first.patched.clone();
    let mut rationale = first.rationale.clone();
    for &x in &twins {
        let current = Dockerfile::parse(&patched).ok()?;
        let (written, said) = twin(&df, root, x, name, inputs, templates, &current)?;
        patched = replace_stage(&current, &df.stages[x], &written)?;
        // (the runtime packages are the base's: said once)
        rationale.extend(said.into_iter().filter(|r| !first.rationale.iter().any(|f| f.message == r.message)));
    }
    // the targets as the repository names them still ship, and ship no toolchain
    Dockerfile::parse(&patched).ok()?;
    let config = crate::lint::LintConfig {
        targets: inputs.targets.iter().filter(|t| t.parse::<usize>().is_err()).cloned().collect(),
        ..Default::default()
    };
    if crate::lint::lint_text(&patched, name, &config).iter().any(|f| f.code == "SL101") {
        return None;
    }
    rationale.sort_by_key(|r| r.line);
    Some(Outcome::Patch(Patch {
        dockerfile: name.to_owned(),
        ecosystem: first.ecosystem,
        diff: diff::unified(name, text, &patched),
        patched,
        rationale,
    }))
}

/// The base every twin is built FROM, and the twins: shipped stages built directly FROM the
/// first stage of their lineage, which builds from an image, that run a build step that may
/// compile (or a script that may) and are named, as is their base. Stages built FROM a twin
/// must not build.
fn twins(df: &Dockerfile, graph: &Graph) -> Option<(usize, Vec<usize>)> {
    let builds = |si: usize| {
        df.stages[si].instructions.iter().filter(|i| i.kind == Kind::Run).any(|i| {
            let script = shell::parse(&i.script().unwrap_or_default());
            script.commands.iter().any(|c| roles::may_build_native(c) || roles::runs_script(c).is_some())
        })
    };
    let mut root = None;
    let mut found: Vec<usize> = Vec::new();
    for &t in &graph.targets {
        let lineage = graph.lineage(t);
        let (&r, rest) = lineage.split_first()?;
        for &x in rest {
            if graph.bases[x] == StageRef::Stage(r) && builds(x) && !found.contains(&x) {
                if root.is_some_and(|seen| seen != r) || df.stages[x].name.is_none() || df.stages[r].name.is_none() {
                    return None;
                }
                root = Some(r);
                found.push(x);
            }
        }
    }
    let r = root?;
    if !matches!(graph.bases[r], StageRef::Image(_)) {
        return None;
    }
    for &x in &found {
        // built FROM the twin, the stage would need the toolchain it no longer has
        let after = (0..df.stages.len()).filter(|&s| s != x && graph.lineage(s).contains(&x));
        if after.clone().any(builds)
            || super::chain::args_cross(df, &[&df.stages[r], &df.stages[x]])
            || refers_between(graph, r, x)
        {
            return None;
        }
    }
    found.sort_unstable();
    Some((r, found))
}

/// Whether the twin copies from (or mounts) a stage between its base and itself, which the
/// base and the twin written as one stage leave out.
fn refers_between(graph: &Graph, r: usize, x: usize) -> bool {
    graph.edges.iter().any(|e| e.stage == x && matches!(e.target, StageRef::Stage(s) if s > r && s < x))
}

/// The twin of stage `x` on base `r`: its build stage and its runtime, as text that takes the
/// stage's place in `split` (the file with the base split), with the rationale for the
/// stage's lines.
fn twin(
    df: &Dockerfile,
    r: usize,
    x: usize,
    name: &str,
    inputs: &Inputs,
    templates: &Templates,
    split: &Dockerfile,
) -> Option<(String, Vec<Rationale>)> {
    let (base, stage) = (&df.stages[r], &df.stages[x]);
    let text = &df.text;
    // the base and the stage as one stage, named as the stage, the file ending with it
    let end = stage.instructions.last()?.span.end;
    let between = base.instructions.last().map_or(base.from_span.end, |i| i.span.end)..stage.from_span.end;
    let lines = text[between.clone()].matches('\n').count();
    let edits = vec![
        crate::dockerfile::edit::Edit::replace(base.name_span.clone()?, stage.name.clone()?),
        crate::dockerfile::edit::Edit::replace(between, "\n".repeat(lines)),
    ];
    let mut one = crate::dockerfile::edit::apply(&text[..end], &edits).ok()?;
    one.push('\n');
    let merged = Dockerfile::parse(&one).ok()?;
    let label = stage.label();
    let inputs = Inputs { targets: vec![label.clone()], ..inputs.clone() };
    let Outcome::Patch(pair) = suggest_file(&one, name, &inputs, templates) else { return None };
    // what the template wrote for the merged stage: the lines after those before the base
    let before: Vec<&str> = text.lines().take(base.line - 1).collect();
    let written: Vec<&str> = pair.patched.lines().collect();
    if written.len() < before.len() || written[..before.len()] != before[..] {
        return None;
    }
    let pair_text = written[before.len()..].join("\n");
    // its build stage takes a name free in the file with the base split
    let old = free_name(&merged, "build");
    let new = free_name(split, &format!("{label}-build"));
    let renamed = rename_build(&pair_text, &old, &new)?;
    let (_, base_build, _) = super::stage_names(df, base);
    let written = on_the_base_build(&renamed, split, &base_build, &new).unwrap_or(renamed);
    let mut said: Vec<Rationale> = pair.rationale.into_iter().filter(|r| r.line >= stage.line).collect();
    said.push(Rationale::new(
        "SL101",
        stage.line,
        format!(
            "`{label}` is built FROM `{}` and builds with its toolchain: it gets a build stage of its own, `{new}`, and its runtime is `{}`'s with what both built, so the toolchain stays in the build stages",
            base.label(),
            base.label()
        ),
    ));
    Some((written, said))
}

/// The pair's build stage `old` named `new`: its FROM line and the runtime's copies from it.
fn rename_build(pair: &str, old: &str, new: &str) -> Option<String> {
    let from_suffix = format!(" AS {old}");
    let copy = format!("--from={old} ");
    let mut named = false;
    let out: Vec<String> = pair
        .lines()
        .map(|l| {
            if !named && l.starts_with("FROM ") && l.ends_with(&from_suffix) {
                named = true;
                format!("{} AS {new}", &l[..l.len() - from_suffix.len()])
            } else if l.starts_with("COPY ") && l.contains(&copy) {
                l.replace(&copy, &format!("--from={new} "))
            } else {
                l.to_owned()
            }
        })
        .collect();
    named.then(|| out.join("\n"))
}

/// The pair built FROM the base's build stage when its build stage begins with that one's
/// instructions, as written: only the twin's own instructions are left in it.
fn on_the_base_build(pair: &str, split: &Dockerfile, base_build: &str, new: &str) -> Option<String> {
    let theirs = split.stages.iter().find(|s| s.name.as_deref() == Some(base_build))?;
    let ours_df = Dockerfile::parse(pair).ok()?;
    let ours = ours_df.stages.first()?;
    let k = theirs.instructions.len();
    let same = |a: &str, b: &str| a.trim() == b.trim();
    if ours.base_resolved != theirs.base_resolved
        || ours.instructions.len() <= k
        || (0..k).any(|i| !same(split.source(&theirs.instructions[i]), ours_df.source(&ours.instructions[i])))
    {
        return None;
    }
    let rest_line = ours.instructions[k].line;
    let mut out = format!("FROM {base_build} AS {new}\n");
    let lines: Vec<&str> = pair.lines().collect();
    out.push_str(&lines[rest_line - 1..].join("\n"));
    Some(out)
}

/// The file `split` with the twin `stage` (there its FROM line, and empty lines where its
/// instructions were) replaced by `with`.
fn replace_stage(split: &Dockerfile, stage: &Stage, with: &str) -> Option<String> {
    let label = stage.name.as_deref()?;
    let at = split.stages.iter().find(|s| s.name.as_deref() == Some(label))?;
    let lines: Vec<&str> = split.text.lines().collect();
    // (the last of them is not a line when the file ends without a newline)
    let (from, to) = (at.line - 1, (at.line + stage.end_line - stage.line).min(lines.len()));
    if lines[from + 1..to].iter().any(|l| !l.trim().is_empty()) {
        return None;
    }
    let mut out: Vec<&str> = lines[..from].to_vec();
    out.push(with.trim_end_matches('\n'));
    out.extend(&lines[to..]);
    let mut text = out.join("\n");
    text.push('\n');
    Some(text)
}

#[cfg(test)]
mod tests {
    use crate::patch::{suggest, Inputs, Outcome as O, Templates};

    fn suggested(text: &str, targets: &[&str]) -> O {
        let inputs = Inputs { targets: targets.iter().map(|t| t.to_string()).collect(), ..Default::default() };
        suggest(text, "Dockerfile", &inputs, &Templates::built_in())
    }

    /// The stage of `patched` that starts with `from`, up to the next FROM.
    fn stage<'a>(patched: &'a str, from: &str) -> &'a str {
        let at = patched.find(from).unwrap_or_else(|| panic!("no `{from}` in\n{patched}"));
        let rest = &patched[at..];
        rest[1..].find("\nFROM ").map_or(rest, |end| &rest[..end + 1])
    }

    /// mediacms' shape: `base` ships and `full`, built FROM it, installs more with pip
    #[test]
    fn a_shipped_stage_that_builds_on_a_shipped_base_gets_a_build_stage_of_its_own() {
        let text = "FROM python:3.12 AS base\nRUN apt-get update && apt-get install -y build-essential libpq-dev && rm -rf /var/lib/apt/lists/*\nENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH\nRUN python -m venv /opt/venv\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nCMD [\"gunicorn\", \"app:app\"]\n\nFROM base AS ci\n\nFROM base AS full\nCOPY requirements-full.txt .\nRUN pip install --no-cache-dir -r requirements-full.txt\nUSER nobody\n";
        let O::Patch(p) = suggested(text, &["base", "full"]) else {
            panic!("{:?}", suggested(text, &["base", "full"]))
        };
        // the base splits as it would alone, and the stage beside the twin follows it
        assert!(p.patched.contains("FROM python:3.12-slim AS base\n"), "{}", p.patched);
        assert!(p.patched.contains("\nFROM base AS ci\n"), "{}", p.patched);
        // the twin's build stage continues the base's, with the rest of the base and its own
        let build = stage(&p.patched, "FROM build AS full-build\n");
        assert!(
            build.contains("COPY . .\n") && build.contains("pip install --no-cache-dir -r requirements-full.txt"),
            "{build}"
        );
        assert!(!build.contains("requirements.txt ."), "the base's build is not written twice: {build}");
        // its runtime is the base's, with the virtualenv both installed into, copied once
        let full = stage(&p.patched, "FROM python:3.12-slim AS full\n");
        assert!(full.contains("libpq5") && !full.contains("build-essential"), "{full}");
        assert_eq!(full.matches("COPY --from=full-build /opt/venv /opt/venv").count(), 1, "{full}");
        assert!(!full.contains("--from=build "), "{full}");
        assert!(full.contains("USER nobody") && full.contains("CMD [\"gunicorn\", \"app:app\"]"), "{full}");
        // nothing that ships keeps the toolchain, and the lines said are the file's
        let config = crate::lint::LintConfig { targets: vec!["base".into(), "full".into()], ..Default::default() };
        let after = crate::lint::lint_text(&p.patched, "Dockerfile", &config);
        assert!(!after.iter().any(|f| f.code == "SL101"), "{after:?}");
        assert!(
            p.rationale.iter().any(|r| r.line == 13 && r.message.contains("`full` is built FROM `base`")),
            "{:?}",
            p.rationale
        );
    }

    /// A stage built FROM the twin that builds too, or a twin that copies from a stage
    /// between it and its base, is not twinned: the file as written is refused
    #[test]
    fn a_build_after_the_twin_or_a_copy_from_between_keeps_the_refusal() {
        let text = "FROM python:3.12 AS base\nRUN apt-get update && apt-get install -y build-essential\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCMD [\"app\"]\n\nFROM base AS full\nRUN pip install -r requirements-full.txt\n";
        assert!(matches!(suggested(text, &["base", "full"]), O::Patch(_)));
        let after = format!("{text}\nFROM full AS extra\nRUN pip install uwsgi\n");
        let O::Refused(why) = suggested(&after, &["base", "extra"]) else { panic!() };
        assert!(why.message.contains("is built FROM `base`"), "{}", why.message);
        let between = text.replace(
            "\nFROM base AS full\n",
            "\nFROM alpine AS assets\nRUN echo hi > /a\n\nFROM base AS full\nCOPY --from=assets /a /a\n",
        );
        assert!(matches!(suggested(&between, &["base", "full"]), O::Refused(_)));
    }
}
