//! The stage graph: what each stage is built on, what it copies from, which stage ships
//! (the last one, or the `--target`s), which stages that reaches, and which stages ship
//! because a shipped stage is built `FROM` them.

use super::{Dockerfile, Kind};

/// What a `FROM`, `COPY --from` or `RUN --mount=from=` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StageRef {
    /// An earlier stage, by index.
    Stage(usize),
    /// The stage itself.
    SelfStage,
    /// A stage defined later in the file (BuildKit rejects this).
    Later(usize),
    /// An external image.
    Image(String),
    /// `scratch`.
    Scratch,
    /// A bare name that is neither a stage nor clearly an image (a likely typo).
    Unknown(String),
}

/// How one stage uses another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    From,
    CopyFrom,
    MountFrom,
}

/// A use of another stage or image by a stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// The stage that uses it.
    pub stage: usize,
    pub target: StageRef,
    pub kind: EdgeKind,
    /// Line of the instruction.
    pub line: usize,
    /// The reference as written.
    pub written: String,
}

/// The stage graph of one Dockerfile.
#[derive(Debug, Clone)]
pub struct Graph {
    /// Per stage, what its FROM names.
    pub bases: Vec<StageRef>,
    /// Every FROM / COPY --from / RUN --mount from= edge.
    pub edges: Vec<Edge>,
    /// The stages that are built and shipped (the last stage unless targets are given).
    pub targets: Vec<usize>,
    /// Per stage, whether a target needs it.
    pub reachable: Vec<bool>,
    /// Per stage, whether its filesystem ships: a target or a stage a target is built FROM.
    pub ships: Vec<bool>,
}

/// A `--target` that names no stage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("target stage `{target}` is not in this Dockerfile; its stages are: {available}")]
pub struct UnknownTarget {
    pub target: String,
    pub available: String,
}

impl Graph {
    /// Build the graph. `targets` are stage names or indices; empty means the last stage.
    pub fn build(df: &Dockerfile, targets: &[String]) -> Result<Graph, UnknownTarget> {
        let n = df.stages.len();
        let mut bases = Vec::with_capacity(n);
        let mut edges = Vec::new();
        for stage in &df.stages {
            let base = resolve_base(df, stage.index, &stage.base_resolved);
            edges.push(Edge {
                stage: stage.index,
                target: base.clone(),
                kind: EdgeKind::From,
                line: stage.line,
                written: stage.base.clone(),
            });
            bases.push(base);
            for ins in &stage.instructions {
                let mut push = |written: &str, kind| {
                    edges.push(Edge {
                        stage: stage.index,
                        target: resolve(df, stage.index, written),
                        kind,
                        line: ins.line,
                        written: written.to_owned(),
                    })
                };
                if matches!(ins.kind, Kind::Copy | Kind::Add) {
                    if let Some(from) = ins.flag("from") {
                        push(from, EdgeKind::CopyFrom);
                    }
                }
                if ins.kind == Kind::Run {
                    for m in ins.flag_values("mount") {
                        if let Some((_, from)) = super::mount_options(m).into_iter().find(|(k, _)| *k == "from") {
                            push(from, EdgeKind::MountFrom);
                        }
                    }
                }
            }
        }
        let targets = if targets.is_empty() {
            vec![n - 1]
        } else {
            targets.iter().map(|t| find_stage(df, t)).collect::<Result<Vec<_>, _>>()?
        };
        let mut reachable = vec![false; n];
        let mut stack = targets.clone();
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut reachable[i], true) {
                continue;
            }
            for e in edges.iter().filter(|e| e.stage == i) {
                if let StageRef::Stage(j) = e.target {
                    stack.push(j);
                }
            }
        }
        let mut ships = vec![false; n];
        for &t in &targets {
            let mut cur = Some(t);
            while let Some(i) = cur {
                if std::mem::replace(&mut ships[i], true) {
                    break;
                }
                cur = match bases[i] {
                    StageRef::Stage(j) => Some(j),
                    _ => None,
                };
            }
        }
        Ok(Graph { bases, edges, targets, reachable, ships })
    }

    /// Whether stage `i` is one of the targets (the final stage by default).
    pub fn is_final(&self, i: usize) -> bool {
        self.targets.contains(&i)
    }

    /// The stages `i` is built FROM, nearest first.
    pub fn ancestors(&self, i: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut cur = i;
        while let StageRef::Stage(j) = self.bases[cur] {
            if out.contains(&j) {
                break;
            }
            out.push(j);
            cur = j;
        }
        out
    }

    /// Stage `i` and its FROM ancestors, oldest first: the layers of `i`'s image in order.
    pub fn lineage(&self, i: usize) -> Vec<usize> {
        let mut v = self.ancestors(i);
        v.reverse();
        v.push(i);
        v
    }

    /// The image a stage's lineage starts from (`python:3.9`), if it is an image.
    pub fn root_image(&self, i: usize) -> Option<&str> {
        let root = self.lineage(i)[0];
        match &self.bases[root] {
            StageRef::Image(r) => Some(r),
            _ => None,
        }
    }

    /// Whether the file has more than one stage that a target uses.
    pub fn is_multi_stage(&self) -> bool {
        self.reachable.iter().filter(|r| **r).count() > 1
    }
}

fn find_stage(df: &Dockerfile, t: &str) -> Result<usize, UnknownTarget> {
    if let Some(s) = df.stage_named(t) {
        return Ok(s.index);
    }
    if let Ok(i) = t.parse::<usize>() {
        if i < df.stages.len() {
            return Ok(i);
        }
    }
    Err(UnknownTarget {
        target: t.to_owned(),
        available: df.stages.iter().map(|s| s.label()).collect::<Vec<_>>().join(", "),
    })
}

fn resolve_base(df: &Dockerfile, current: usize, base: &str) -> StageRef {
    if base.eq_ignore_ascii_case("scratch") {
        return StageRef::Scratch;
    }
    match df.stages[..current].iter().rev().find(|s| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(base))) {
        Some(s) => StageRef::Stage(s.index),
        None => StageRef::Image(base.to_owned()),
    }
}

/// Resolve a `--from` value seen in stage `current`.
pub fn resolve(df: &Dockerfile, current: usize, written: &str) -> StageRef {
    let by_name = |s: &super::Stage| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(written));
    if let Some(s) = df.stages[..current].iter().rev().find(|s| by_name(s)) {
        return StageRef::Stage(s.index);
    }
    if df.stages.get(current).is_some_and(by_name) {
        return StageRef::SelfStage;
    }
    if let Some(s) = df.stages.iter().skip(current + 1).find(|s| by_name(s)) {
        return StageRef::Later(s.index);
    }
    if let Ok(i) = written.parse::<usize>() {
        return match i.cmp(&current) {
            std::cmp::Ordering::Less => StageRef::Stage(i),
            std::cmp::Ordering::Equal => StageRef::SelfStage,
            std::cmp::Ordering::Greater if i < df.stages.len() => StageRef::Later(i),
            // an index past the last stage names nothing (found by fuzzing)
            std::cmp::Ordering::Greater => StageRef::Unknown(written.to_owned()),
        };
    }
    if written.eq_ignore_ascii_case("scratch") {
        return StageRef::Scratch;
    }
    if written.contains([':', '/', '@']) {
        StageRef::Image(written.to_owned())
    } else {
        StageRef::Unknown(written.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MULTI: &str = "FROM golang:1.22 AS deps\nRUN go mod download\nFROM deps AS build\nRUN go build -o /app\nFROM alpine:3 AS unused\nFROM gcr.io/distroless/static AS runtime\nCOPY --from=build /app /app\nRUN --mount=type=bind,from=deps,target=/x true\n";

    #[test]
    fn final_stage_reachability_and_shipping() {
        let df = Dockerfile::parse(MULTI).unwrap();
        let g = Graph::build(&df, &[]).unwrap();
        assert_eq!(g.targets, vec![3]);
        assert_eq!(g.reachable, vec![true, true, false, true]);
        assert_eq!(g.ships, vec![false, false, false, true]);
        assert_eq!(g.bases[1], StageRef::Stage(0));
        assert_eq!(g.ancestors(1), vec![0]);
        assert!(g.edges.iter().any(|e| e.kind == EdgeKind::MountFrom && e.target == StageRef::Stage(0)));
    }

    #[test]
    fn target_changes_what_ships() {
        let df = Dockerfile::parse(MULTI).unwrap();
        let g = Graph::build(&df, &["BUILD".into()]).unwrap();
        assert_eq!(g.ships, vec![true, true, false, false]);
        assert_eq!(g.root_image(1), Some("golang:1.22"));
        let e = Graph::build(&df, &["nope".into()]).unwrap_err();
        assert!(e.to_string().contains("deps, build, unused, runtime"));
    }

    #[test]
    fn resolves_references() {
        let df = Dockerfile::parse("FROM a:1 AS one\nFROM b:1 AS two\nFROM c:1 AS three\n").unwrap();
        assert_eq!(resolve(&df, 1, "one"), StageRef::Stage(0));
        assert_eq!(resolve(&df, 1, "two"), StageRef::SelfStage);
        assert_eq!(resolve(&df, 1, "three"), StageRef::Later(2));
        assert_eq!(resolve(&df, 1, "0"), StageRef::Stage(0));
        assert_eq!(resolve(&df, 1, "nginx:1"), StageRef::Image("nginx:1".into()));
        assert_eq!(resolve(&df, 1, "biuld"), StageRef::Unknown("biuld".into()));
        assert_eq!(resolve(&df, 1, "2"), StageRef::Later(2));
        assert_eq!(resolve(&df, 1, "44444444444444444"), StageRef::Unknown("44444444444444444".into()));
        let crash = std::fs::read("fuzz/regressions/from-index-out-of-range").unwrap();
        assert!(!crate::lint::lint_bytes(&crash, "D", &crate::lint::LintConfig::default()).is_empty());
    }
}
