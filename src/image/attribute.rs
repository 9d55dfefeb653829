//! Attribute image history entries to the Dockerfile lines that made them (pure).
//!
//! The shipped stage's lineage (the stages it is built FROM, then itself) runs its
//! instructions in order, each making one history entry, after the FROM image's entries.
//! Aligning from the newest entry backwards keeps the base image's own entries (its CMD,
//! its ENV) from being taken for ours. Both builders' `created_by` forms are read:
//! classic (`/bin/sh -c #(nop)  COPY …`, `/bin/sh -c apt-get …`, `|1 A=b /bin/sh -c …`) and
//! BuildKit (`RUN /bin/sh -c … # buildkit`, `COPY app.py /app # buildkit`, `WORKDIR /app`).

use super::Layer;
use crate::dockerfile::{Dockerfile, Graph, Instruction, Kind};

/// The instruction keyword a `created_by` records.
pub fn kind_of(created_by: &str) -> Option<&'static str> {
    const KINDS: [&str; 17] = [
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    ];
    let c = created_by.trim();
    let word = if let Some((_, rest)) = c.split_once("#(nop)") {
        rest.split_whitespace().next().unwrap_or("")
    } else if c.starts_with('|') || c.starts_with("/bin/sh -c") || c.starts_with("cmd /S /C") {
        "RUN"
    } else {
        c.split_whitespace().next().unwrap_or("")
    };
    KINDS.iter().find(|k| k.eq_ignore_ascii_case(word)).copied()
}

/// The shell script of a RUN entry (`/bin/sh -c …`, `|1 A=b /bin/sh -c …`, BuildKit's
/// `RUN /bin/sh -c … # buildkit`), or `None` for other instructions.
pub fn run_script(created_by: &str) -> Option<&str> {
    if kind_of(created_by) != Some("RUN") {
        return None;
    }
    let s = created_by.trim().trim_end_matches("# buildkit").trim();
    Some(s.split_once("/bin/sh -c ").map(|(_, r)| r).unwrap_or_else(|| s.strip_prefix("RUN ").unwrap_or(s)))
}

/// Fill `line`, `stage` and `instruction` of the layers the Dockerfile made.
pub fn attribute(layers: &mut [Layer], df: &Dockerfile, graph: &Graph) {
    let Some(&target) = graph.targets.first() else {
        return;
    };
    let instrs: Vec<(String, &Instruction)> = graph
        .lineage(target)
        .into_iter()
        .flat_map(|i| df.stages[i].instructions.iter().map(move |ins| (df.stages[i].label(), ins)))
        .collect();
    // Layers the FROM image brought belong to the FROM line of the stage that starts the lineage.
    let root = &df.stages[graph.root(target)];
    let from = graph.root_image(target).unwrap_or(&root.base_resolved).to_owned();
    for layer in layers.iter_mut().filter(|l| l.inherited) {
        layer.line = Some(root.line);
        layer.stage = Some(root.label());
        layer.instruction = Some(format!("{} (in {from})", short(&layer.created_by)));
    }
    let mut end = instrs.len();
    for layer in layers.iter_mut().rev().filter(|l| !l.inherited) {
        let Some(kind) = kind_of(&layer.created_by) else {
            continue;
        };
        let Some(pos) = instrs[..end]
            .iter()
            .rposition(|(_, ins)| ins.kind.as_str() == kind && !(ins.kind == Kind::Onbuild && kind != "ONBUILD"))
        else {
            continue;
        };
        let (stage, ins) = &instrs[pos];
        layer.line = Some(ins.line);
        layer.stage = Some(stage.clone());
        layer.instruction = Some(df.line_text(ins.line).trim().to_owned());
        end = pos;
    }
}

/// A recorded instruction shortened for tables: builder prefixes dropped, at most 80 chars.
pub fn short(created_by: &str) -> String {
    let s = created_by.trim().trim_end_matches("# buildkit").trim();
    let s = s
        .strip_prefix("/bin/sh -c #(nop)")
        .map(str::trim)
        .or_else(|| s.strip_prefix("/bin/sh -c ").map(|r| r.trim()))
        .map(|r| if r.starts_with(|c: char| c.is_ascii_uppercase()) { r.to_owned() } else { format!("RUN {r}") })
        .unwrap_or_else(|| s.to_owned());
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(79).collect::<String>())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(created_by: &str, inherited: bool) -> Layer {
        Layer { created_by: created_by.into(), inherited, ..Layer::default() }
    }

    #[test]
    fn kinds_of_both_builders() {
        assert_eq!(kind_of("/bin/sh -c #(nop)  ENV PATH=/x"), Some("ENV"));
        assert_eq!(kind_of("/bin/sh -c #(nop) COPY file:ab in /app "), Some("COPY"));
        assert_eq!(kind_of("/bin/sh -c apt update"), Some("RUN"));
        assert_eq!(kind_of("|1 V=2 /bin/sh -c make"), Some("RUN"));
        assert_eq!(kind_of("RUN /bin/sh -c make # buildkit"), Some("RUN"));
        assert_eq!(kind_of("WORKDIR /app"), Some("WORKDIR"));
        assert_eq!(kind_of("bash"), None);
        assert_eq!(run_script("|1 V=2 /bin/sh -c make all"), Some("make all"));
        assert_eq!(run_script("RUN /bin/sh -c make # buildkit"), Some("make"));
        assert_eq!(run_script("/bin/sh -c #(nop)  CMD [\"x\"]"), None);
    }

    #[test]
    fn aligns_from_the_newest_entry() {
        let df = Dockerfile::parse("FROM base:1\nWORKDIR /app\nCOPY a /app\nRUN make\nCMD [\"x\"]\n").unwrap();
        let graph = Graph::build(&df, &[]).unwrap();
        let mut layers = vec![
            layer("/bin/sh -c #(nop) ADD file:x in /", true),
            layer("/bin/sh -c #(nop)  CMD [\"sh\"]", true),
            layer("/bin/sh -c #(nop) WORKDIR /app", false),
            layer("/bin/sh -c #(nop) COPY file:y in /app", false),
            layer("/bin/sh -c make", false),
            layer("/bin/sh -c #(nop)  CMD [\"x\"]", false),
        ];
        attribute(&mut layers, &df, &graph);
        let lines: Vec<Option<usize>> = layers.iter().map(|l| l.line).collect();
        assert_eq!(lines, vec![Some(1), Some(1), Some(2), Some(3), Some(4), Some(5)]);
        assert_eq!(layers[0].instruction.as_deref(), Some("ADD file:x in / (in base:1)"));
        assert_eq!(short("/bin/sh -c apt-get update"), "RUN apt-get update");
        assert_eq!(layers[4].instruction.as_deref(), Some("RUN make"));
    }

    #[test]
    fn unknown_base_entries_do_not_take_our_lines() {
        // the base image is not local: its CMD must not be matched to ours
        let df = Dockerfile::parse("FROM base:1\nCMD [\"x\"]\n").unwrap();
        let graph = Graph::build(&df, &[]).unwrap();
        let mut layers =
            vec![layer("/bin/sh -c #(nop)  CMD [\"sh\"]", false), layer("/bin/sh -c #(nop)  CMD [\"x\"]", false)];
        attribute(&mut layers, &df, &graph);
        assert_eq!((layers[0].line, layers[1].line), (None, Some(2)));
    }
}
