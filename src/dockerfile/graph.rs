//! The stage graph: what each stage is built on, what it copies from, which stage ships
//! (the last one, or the `--target`s), which stages that reaches, and which stages ship
//! because a shipped stage is built `FROM` them or copies their whole filesystem onto its
//! root (`COPY --from=build / /`, a squash).

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
    /// Per stage, whether its filesystem ships: a target, a stage a target is built FROM, or
    /// one whose whole filesystem a shipped stage copies onto its root (a squash).
    pub ships: Vec<bool>,
    /// The stages that ship only flattened: a shipped stage copies their whole filesystem
    /// onto its root, and no shipped stage is built FROM them. What a later RUN of such a
    /// stage's lineage removes does not ship.
    pub squashed: Vec<usize>,
    /// Per stage, the first stage of its lineage (itself when its FROM is not a stage).
    roots: Vec<usize>,
    /// `edges[offsets[i]..offsets[i + 1]]` are stage `i`'s (edges are made in stage order).
    offsets: Vec<usize>,
}

/// Whether the COPY of `stage` on `line` copies the whole filesystem of the stage it names
/// onto the root: `COPY --from=build / /` (also written `/.` or `/*`, to `/` or `/.`).
fn squashes(stage: &super::Stage, line: usize) -> bool {
    let root = |p: &str| matches!(p, "/" | "/." | "/*");
    stage.instructions.iter().any(|i| {
        i.line == line
            && matches!(&i.body, super::Body::Copy { sources, dest } if !sources.is_empty() && sources.iter().all(|s| root(s)) && matches!(dest.as_str(), "/" | "/."))
    })
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
    ///
    /// Every derived fact is computed here once, in time linear in stages and instructions
    /// (names are looked up in a hash index, FROM only names earlier stages): the queries
    /// below are then O(1) or O(depth).
    pub fn build(df: &Dockerfile, targets: &[String]) -> Result<Graph, UnknownTarget> {
        let n = df.stages.len();
        let names = NameIndex::new(df);
        let mut bases = Vec::with_capacity(n);
        let mut edges = Vec::new();
        let mut offsets = Vec::with_capacity(n + 1);
        for stage in &df.stages {
            offsets.push(edges.len());
            let base = if stage.base_resolved.eq_ignore_ascii_case("scratch") {
                StageRef::Scratch
            } else {
                match names.before_on_any_platform(&stage.base_resolved, stage.index) {
                    Some(i) => StageRef::Stage(i),
                    None => StageRef::Image(stage.base_resolved.clone()),
                }
            };
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
                        target: names.resolve(df, stage.index, written),
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
        offsets.push(edges.len());
        let of = |i: usize| &edges[offsets[i]..offsets[i + 1]];
        let mut targets = if targets.is_empty() {
            vec![n - 1]
        } else {
            targets.iter().map(|t| find_stage(df, t)).collect::<Result<Vec<_>, _>>()?
        };
        // two names for one stage (a compose service's `target: production` and a workflow
        // building the last stage) are one target: each stage is reported once
        let mut seen = vec![false; n];
        targets.retain(|&t| !std::mem::replace(&mut seen[t], true));
        // a name written with BuildKit's platform ARGs (`FROM build-${TARGETARCH}`) resolves
        // to the first platform's stage; a multi-platform build uses the others' too
        // (anything-llm's `build-arm64`, held out in round 49), so they ship and are used alike
        let alternates = |written: &str, current: usize| -> Vec<usize> {
            super::platform_expansions(written).iter().filter_map(|n| names.before(n, current)).collect()
        };
        let mut reachable = vec![false; n];
        let mut stack = targets.clone();
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut reachable[i], true) {
                continue;
            }
            for e in of(i) {
                if let StageRef::Stage(j) = e.target {
                    stack.push(j);
                    stack.extend(alternates(&e.written, i));
                }
            }
        }
        let mut ships = vec![false; n];
        let mut squashed = Vec::new();
        let mut stack = targets.clone();
        while let Some(i) = stack.pop() {
            if std::mem::replace(&mut ships[i], true) {
                continue;
            }
            if let StageRef::Stage(j) = bases[i] {
                stack.push(j);
                stack.extend(alternates(&df.stages[i].base, i));
            }
            // a squash: the stage copies another's whole filesystem onto its own root
            // (mkdocs-material's `FROM scratch` + `COPY --from=build / /`), so every file of
            // that stage ships as if it were built FROM it, flattened
            for e in of(i).iter().filter(|e| e.kind == EdgeKind::CopyFrom) {
                if let (StageRef::Stage(j), true) = (&e.target, squashes(&df.stages[i], e.line)) {
                    squashed.push(*j);
                    stack.push(*j);
                }
            }
        }
        // FROM only names an earlier stage, so one pass in order finds every root
        let mut roots: Vec<usize> = (0..n).collect();
        for i in 0..n {
            if let StageRef::Stage(j) = bases[i] {
                if j < i {
                    roots[i] = roots[j];
                }
            }
        }
        // a squashed stage ships flattened only when no stage of its lineage is a target or
        // the base of a shipped stage outside it (then those layers ship as they are)
        let layered = |j: usize| {
            let mut lineage = vec![j];
            while let Some(&StageRef::Stage(b)) = lineage.last().map(|&x| &bases[x]) {
                if b >= *lineage.last().unwrap_or(&0) {
                    break;
                }
                lineage.push(b);
            }
            lineage.iter().any(|&x| {
                targets.contains(&x)
                    || (0..n).any(|k| ships[k] && bases[k] == StageRef::Stage(x) && !lineage.contains(&k))
            })
        };
        squashed.retain(|&j| !layered(j));
        squashed.sort_unstable();
        squashed.dedup();
        Ok(Graph { bases, edges, targets, reachable, ships, squashed, roots, offsets })
    }

    /// Whether stage `i` is one of the targets (the final stage by default).
    pub fn is_final(&self, i: usize) -> bool {
        self.targets.contains(&i)
    }

    /// The stages `i` is built FROM, nearest first.
    pub fn ancestors(&self, i: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut cur = i;
        // a FROM names only an earlier stage: the walk always ends
        while let StageRef::Stage(j) = self.bases[cur] {
            if j >= cur {
                break;
            }
            out.push(j);
            cur = j;
        }
        out
    }

    /// The edges of stage `i`: its FROM, then its COPY --from and RUN --mount from=.
    pub fn edges_of(&self, i: usize) -> &[Edge] {
        &self.edges[self.offsets[i]..self.offsets[i + 1]]
    }

    /// The first stage of `i`'s lineage: the one whose FROM is an image or `scratch`.
    pub fn root(&self, i: usize) -> usize {
        self.roots[i]
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
        match &self.bases[self.roots[i]] {
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

/// Stage names (lower-cased) to the indices that carry them, in order.
struct NameIndex(std::collections::HashMap<String, Vec<usize>>);

impl NameIndex {
    fn new(df: &Dockerfile) -> NameIndex {
        let mut map: std::collections::HashMap<String, Vec<usize>> = std::collections::HashMap::new();
        for s in &df.stages {
            if let Some(n) = &s.name {
                map.entry(n.to_ascii_lowercase()).or_default().push(s.index);
            }
        }
        NameIndex(map)
    }

    fn all(&self, name: &str) -> &[usize] {
        self.0.get(&name.to_ascii_lowercase()).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The nearest stage named `name` above `current`.
    fn before(&self, name: &str, current: usize) -> Option<usize> {
        let all = self.all(name);
        let k = all.partition_point(|&i| i < current);
        k.checked_sub(1).map(|k| all[k])
    }

    /// The nearest stage named `name` above `current`, where a name holding BuildKit's
    /// automatic platform ARGs (`binaries-$TARGETOS`) names the stage of the first platform
    /// that has one (linux/amd64 first).
    fn before_on_any_platform(&self, name: &str, current: usize) -> Option<usize> {
        self.before(name, current)
            .or_else(|| super::platform_expansions(name).iter().find_map(|n| self.before(n, current)))
    }

    /// Resolve a `--from` value seen in stage `current`.
    fn resolve(&self, df: &Dockerfile, current: usize, written: &str) -> StageRef {
        if let Some(i) = self.before_on_any_platform(written, current) {
            return StageRef::Stage(i);
        }
        let all = self.all(written);
        if all.contains(&current) {
            return StageRef::SelfStage;
        }
        if let Some(&i) = all.iter().find(|&&i| i > current) {
            return StageRef::Later(i);
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
}

/// Resolve a `--from` value seen in stage `current`.
pub fn resolve(df: &Dockerfile, current: usize, written: &str) -> StageRef {
    NameIndex::new(df).resolve(df, current, written)
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
        // one stage named twice (by name and by index, or by two paths) is one target
        let twice = Graph::build(&df, &["runtime".into(), "3".into(), "build".into(), "RUNTIME".into()]).unwrap();
        assert_eq!(twice.targets, vec![3, 1]);
        assert_eq!(g.reachable, vec![true, true, false, true]);
        assert_eq!(g.ships, vec![false, false, false, true]);
        assert_eq!(g.bases[1], StageRef::Stage(0));
        assert_eq!(g.ancestors(1), vec![0]);
        assert!(g.edges.iter().any(|e| e.kind == EdgeKind::MountFrom && e.target == StageRef::Stage(0)));
    }

    /// mkdocs-material (round 71): the image is the build stage squashed into `scratch`, so
    /// the build stage and its base ship; a stage whose `/` is copied into a folder, or whose
    /// files are copied one by one, does not.
    #[test]
    fn a_squash_ships_the_stage_it_copies() {
        let text = "FROM python:3.11-alpine AS deps\nRUN apk add gcc\nFROM deps AS build\nRUN pip install .\nFROM alpine AS tools\nRUN apk add curl\nFROM alpine AS other\nRUN true\nFROM scratch\nCOPY --from=build / /\nCOPY --from=tools / /rootfs\nCOPY --from=other /etc/x /etc/x\n";
        let g = Graph::build(&Dockerfile::parse(text).unwrap(), &[]).unwrap();
        assert_eq!(g.ships, vec![true, true, false, false, true]);
        assert_eq!(g.squashed, vec![1]);
        // a stage another shipped stage is built FROM ships its layers as they are
        let layered = Dockerfile::parse(
            "FROM alpine AS build\nRUN true\nFROM build AS app\nFROM scratch AS flat\nCOPY --from=build / /\n",
        )
        .unwrap();
        let g = Graph::build(&layered, &["app".into(), "flat".into()]).unwrap();
        assert_eq!((g.ships, g.squashed), (vec![true, true, true], vec![]));
        let dot = Dockerfile::parse("FROM alpine AS build\nRUN true\nFROM scratch\nCOPY --from=build /. /.\n").unwrap();
        assert_eq!(Graph::build(&dot, &[]).unwrap().ships, vec![true, true]);
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

    /// BuildKit's automatic platform ARGs have known values: `binaries-$TARGETOS` names the
    /// `binaries-linux` stage (linux/amd64 first), `--from=build-${TARGETARCH}` the
    /// `build-amd64` one; a name no platform gives stays an image.
    #[test]
    fn platform_args_name_stages() {
        let text = "FROM golang:1.22 AS build-amd64\nFROM scratch AS binaries-linux\nFROM scratch AS binaries-windows\nFROM binaries-$TARGETOS AS binaries\nFROM alpine\nCOPY --from=build-${TARGETARCH} /a /a\nCOPY --from=out-$TARGETOS / /\n";
        let df = Dockerfile::parse(text).unwrap();
        let g = Graph::build(&df, &[]).unwrap();
        assert_eq!(g.bases[3], StageRef::Stage(1));
        assert!(g.edges.iter().any(|e| e.line == 6 && e.target == StageRef::Stage(0)), "{:?}", g.edges);
        assert!(g.edges.iter().any(|e| e.line == 7 && e.target == StageRef::Unknown("out-$TARGETOS".into())));
        // a Windows-only name resolves too
        let df = Dockerfile::parse("FROM scratch AS bin-windows\nFROM bin-${TARGETOS} AS bin\n").unwrap();
        assert_eq!(Graph::build(&df, &[]).unwrap().bases[1], StageRef::Stage(0));
    }

    /// Round 49 (anything-llm, held out): `FROM build-${TARGETARCH}` is `build-amd64` on
    /// the first platform, and `build-arm64` on the other half of a multi-platform push:
    /// both ship, and both are used
    #[test]
    fn every_platforms_stage_ships() {
        let text = "FROM ubuntu:noble AS base\nFROM base AS build-arm64\nRUN true\nFROM base AS build-amd64\nRUN true\nFROM scratch AS unused\nFROM build-${TARGETARCH} AS build\nCOPY --from=out-${TARGETARCH} / /\n";
        let df = Dockerfile::parse(text).unwrap();
        let g = Graph::build(&df, &[]).unwrap();
        assert_eq!(g.bases[4], StageRef::Stage(2));
        assert_eq!(g.ships, vec![true, true, true, false, true]);
        assert_eq!(g.reachable, vec![true, true, true, false, true]);
        // a later stage of the name is no alternate
        let later =
            "FROM ubuntu:noble AS build-amd64\nFROM build-${TARGETARCH} AS build\nFROM scratch AS build-arm64\n";
        let g = Graph::build(&Dockerfile::parse(later).unwrap(), &["build".into()]).unwrap();
        assert_eq!(g.ships, vec![true, true, false]);
    }

    /// The precomputed facts (roots, edge ranges, the name index) answer like a walk over
    /// the whole file would, on a generated mix of chains, fans, reused names, copies and
    /// forward references.
    #[test]
    fn precomputed_facts_match_a_naive_walk() {
        let mut text = String::new();
        for i in 0..300 {
            let from = match i % 5 {
                0 => "alpine:3".to_owned(),
                1 | 2 => format!("s{}", i - 1),
                3 => format!("s{}", i / 2),
                _ => format!("S{}", i - 4), // names are case-insensitive
            };
            // every tenth name is reused: the nearest one above counts
            let name = if i % 10 == 9 { format!("s{}", i - 2) } else { format!("s{i}") };
            text.push_str(&format!("FROM {from} AS {name}\nCOPY --from=s{} /a /a\n", (i * 7) % 300));
        }
        let df = Dockerfile::parse(&text).unwrap();
        let g = Graph::build(&df, &[]).unwrap();
        let named = |i: usize, n: &str| df.stages[i].name.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(n));
        for (i, stage) in df.stages.iter().enumerate() {
            // the base: the nearest earlier stage of that name, else an image
            let base = (0..i).rev().find(|&j| named(j, &stage.base_resolved));
            assert_eq!(g.bases[i], base.map(StageRef::Stage).unwrap_or(StageRef::Image(stage.base_resolved.clone())));
            // the root: walk the bases
            let mut r = i;
            while let StageRef::Stage(j) = g.bases[r] {
                r = j;
            }
            assert_eq!(g.root(i), r, "stage {i}");
            assert_eq!(*g.lineage(i).first().unwrap(), r);
            // the edges of a stage are exactly those naming it as their user
            let naive: Vec<&Edge> = g.edges.iter().filter(|e| e.stage == i).collect();
            assert_eq!(g.edges_of(i).iter().collect::<Vec<_>>(), naive);
        }
    }
}
