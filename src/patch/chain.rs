//! A chain of stages that ships as one image (`FROM python AS deps` installs the toolchain,
//! `FROM deps AS app` pip-installs with it, and `app` ships) is split as the one stage it
//! builds: when the rewrite of the file as written is refused, the chain is written as a
//! single stage (the FROM lines inside it removed, the first one taking the shipped stage's
//! name) and that file is rewritten. Its build stage then holds every build of the chain, and
//! the runtime keeps the shipped stage's name, so what is built FROM it follows as written.
//!
//! The chain is merged only when that changes nothing the build sees:
//! - its stages follow each other in the file, and each is used only as the FROM of the next
//!   (no other stage is built FROM it, copies from it or mounts it; no target names it);
//! - no stage after the first names an ARG an earlier one declared (an ARG ends with its
//!   stage, and in one stage it would not);
//! - no stage of it has ONBUILD triggers (they run where a stage is built FROM it), and no
//!   FROM after the first sets `--platform`.
//!
//! Line numbers stay: each FROM taken out leaves its lines empty. Refused merges answer with
//! the refusal of the file as written.

use crate::dockerfile::edit::{self, Edit};
use crate::dockerfile::graph::{EdgeKind, StageRef};
use crate::dockerfile::{shell, Dockerfile, Graph, Kind};

/// What [`merged`] writes.
pub struct Merged {
    /// The file, with the chain as one stage.
    pub text: String,
    /// The chain's stage names, first to last (for the rationale).
    pub stages: Vec<String>,
    /// The targets, a stage's number renumbered for the merged file.
    pub targets: Vec<String>,
    /// The line of the chain's first FROM.
    pub line: usize,
}

/// The file with the shipped stage's chain written as one stage; `None` when there is no
/// chain to merge or merging it could change the build.
pub fn merged(df: &Dockerfile, targets: &[String]) -> Option<Merged> {
    let graph = Graph::build(df, targets).ok()?;
    let [target] = graph.targets[..] else { return None };
    let lineage = graph.lineage(target);
    let (&root, rest) = lineage.split_first()?;
    if rest.is_empty() || !matches!(graph.bases[root], StageRef::Image(_)) {
        return None;
    }
    // contiguous in the file, each used only as the next one's FROM
    if lineage.windows(2).any(|w| w[1] != w[0] + 1) {
        return None;
    }
    let used_elsewhere = |si: usize| {
        graph.edges.iter().any(|e| {
            e.target == StageRef::Stage(si)
                && !(e.kind == EdgeKind::From && lineage.contains(&e.stage) && e.stage == si + 1)
        })
    };
    if lineage[..lineage.len() - 1].iter().any(|&si| used_elsewhere(si)) {
        return None;
    }
    let stages: Vec<&crate::dockerfile::Stage> = lineage.iter().map(|&si| &df.stages[si]).collect();
    if stages.iter().any(|s| s.instructions.iter().any(|i| i.kind == Kind::Onbuild))
        || stages[1..].iter().any(|s| s.platform.is_some())
    {
        return None;
    }
    if args_cross(df, &stages) {
        return None;
    }
    let first = stages[0];
    let mut edits: Vec<Edit> = Vec::new();
    match (&first.name_span, &stages[stages.len() - 1].name) {
        (Some(span), Some(name)) => edits.push(Edit::replace(span.clone(), name.clone())),
        // the shipped stage has no name: neither has the merged one
        (Some(span), None) => edits.push(Edit::delete(first.base_span.end..span.end)),
        (None, Some(name)) => edits.push(Edit::insert(first.base_span.end, format!(" AS {name}"))),
        (None, None) => {}
    }
    for s in &stages[1..] {
        let lines = df.text[s.from_span.clone()].matches('\n').count();
        edits.push(Edit::replace(s.from_span.clone(), "\n".repeat(lines)));
    }
    let text = edit::apply(&df.text, &edits).ok()?;
    // a stage's number: the chain's stages are one, at the first one's number
    let gone = rest.len();
    let renumbered = |t: &String| match t.parse::<usize>() {
        Ok(i) if lineage.contains(&i) => root.to_string(),
        Ok(i) if i > target => (i - gone).to_string(),
        _ => t.clone(),
    };
    Some(Merged {
        text,
        stages: stages.iter().map(|s| s.label()).collect(),
        targets: targets.iter().map(renumbered).collect(),
        line: first.line,
    })
}

/// Whether a stage of `stages` (a chain, first to last) names an ARG an earlier one declared
/// without declaring it again: an ARG ends with its stage, so written as one stage the chain
/// would give it a value it did not have.
pub(super) fn args_cross(df: &Dockerfile, stages: &[&crate::dockerfile::Stage]) -> bool {
    let mut declared: Vec<String> = Vec::new();
    for s in stages {
        let own: Vec<String> = s
            .instructions
            .iter()
            .filter(|i| i.kind == Kind::Arg)
            .flat_map(|i| i.pairs())
            .map(|kv| kv.key.clone())
            .collect();
        let end = s.instructions.last().map_or(s.from_span.end, |i| i.span.end);
        let Some(text) = df.text.get(s.from_span.end..end) else { return true };
        if declared.iter().any(|a| !own.contains(a) && shell::names_variable(text, a)) {
            return true;
        }
        declared.extend(own);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merge(text: &str) -> Option<String> {
        merged(&Dockerfile::parse(text).unwrap(), &[]).map(|m| m.text)
    }

    #[test]
    fn a_chain_becomes_one_stage_with_the_shipped_name_and_its_lines() {
        let text = "FROM python:3.12 AS deps\nRUN apt-get update && apt-get install -y build-essential\n\nFROM deps AS app\nRUN pip install -r requirements.txt\nCMD [\"app\"]\n";
        let out = merge(text).unwrap();
        assert_eq!(
            out,
            "FROM python:3.12 AS app\nRUN apt-get update && apt-get install -y build-essential\n\n\nRUN pip install -r requirements.txt\nCMD [\"app\"]\n"
        );
        assert_eq!(out.lines().count(), text.lines().count());
        // the shipped stage named by its number is the merged one's
        let m = merged(&Dockerfile::parse(text).unwrap(), &["1".to_owned()]).unwrap();
        assert_eq!(m.targets, ["0"]);
        assert_eq!(m.stages, ["deps", "app"]);
    }

    #[test]
    fn a_stage_used_twice_or_an_arg_across_stages_is_not_merged() {
        // another stage copies from the first
        assert!(merge("FROM python:3.12 AS deps\nRUN make\nFROM deps AS app\nRUN make\nFROM alpine\nCOPY --from=deps /x /x\nFROM app\n").is_none());
        // an ARG of the first stage, named in the second, is empty there as written
        assert!(merge("FROM python:3.12 AS deps\nARG V=1\nRUN make\nFROM deps AS app\nRUN echo $V\n").is_none());
        // declared again, it is the second stage's own
        assert!(
            merge("FROM python:3.12 AS deps\nARG V=1\nRUN make\nFROM deps AS app\nARG V\nRUN echo ${V}\n").is_some()
        );
        // stages apart in the file
        assert!(merge("FROM python:3.12 AS deps\nRUN make\nFROM node AS web\nRUN npm ci\nFROM deps AS app\nCOPY --from=web /a /a\n").is_none());
        // one stage: nothing to merge
        assert!(merge("FROM python:3.12\nRUN make\n").is_none());
    }

    #[test]
    fn an_unnamed_shipped_stage_leaves_the_merged_stage_unnamed() {
        let out = merge("FROM python:3.12 AS deps\nRUN make\nFROM deps\nRUN make install\n").unwrap();
        assert!(out.starts_with("FROM python:3.12\nRUN make\n"), "{out}");
    }
}
