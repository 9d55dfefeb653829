//! ## What it does
//! Flags a `RUN rm`, `RUN chown -R` or `RUN chmod -R` in the image that ships which touches
//! paths an earlier instruction of the same image added (a COPY/ADD destination, a file an
//! earlier RUN downloaded, cloned, extracted or copied).
//!
//! ## Why it matters
//! Layers only add. Deleting a file in a later layer hides it but the bytes stay in the layer
//! that added it; `chown -R`/`chmod -R` copies every file it touches into a new layer, so the
//! bytes are stored twice.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12-slim
//! COPY app/ /app/
//! RUN chown -R app:app /app
//! RUN curl -o /tmp/tool.tgz https://example.com/tool.tgz && tar -xzf /tmp/tool.tgz -C /opt
//! RUN rm /tmp/tool.tgz
//! ```
//!
//! ## Fix
//! Use `COPY --chown=app:app` / `COPY --chmod=…`, and delete temporary files in the same RUN
//! that creates them.

use super::support::{absolute, overlaps};
use crate::dockerfile::{Body, Kind};
use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for fin in ctx.finals() {
        // (path, line, added by COPY/ADD)
        let mut added: Vec<(String, usize, bool)> = Vec::new();
        let mut workdir = "/".to_owned();
        for si in ctx.graph.lineage(fin.index) {
            let stage = &ctx.df.stages[si];
            let mut runs = ctx.runs(stage).peekable();
            for ins in &stage.instructions {
                match ins.kind {
                    Kind::Workdir => {
                        if let Some(w) = ins.words().first() {
                            workdir = absolute(&workdir, w);
                        }
                    }
                    Kind::Copy | Kind::Add => {
                        if let Body::Copy { dest, .. } = &ins.body {
                            added.push((absolute(&workdir, dest), ins.line, true));
                        }
                    }
                    Kind::Run => {
                        let Some((_, script)) = runs.next() else {
                            continue;
                        };
                        let mut created = Vec::new();
                        for cmd in &script.commands {
                            let (prog, args) = (cmd.program(), cmd.args());
                            let touched: Option<(&str, &str)> = match prog {
                                "rm" => Some(("rm", "delete")),
                                "chown" | "chmod"
                                    if args.iter().any(|a| {
                                        a == "-R"
                                            || a == "--recursive"
                                            || (a.starts_with('-') && !a.starts_with("--") && a.contains('R'))
                                    }) =>
                                {
                                    Some((prog, "rewrite"))
                                }
                                _ => None,
                            };
                            if let Some((verb, _)) = touched {
                                let skip_first = verb != "rm"; // the owner/mode argument
                                let paths = args.iter().filter(|a| !a.starts_with('-')).skip(usize::from(skip_first));
                                for p in paths {
                                    let p = absolute(&workdir, p.trim_end_matches('*'));
                                    if let Some((_, line, by_copy)) =
                                        added.iter().rev().find(|(a, l, _)| *l != ins.line && overlaps(&p, a))
                                    {
                                        let message = if verb == "rm" {
                                            format!("`rm {p}` runs in a later layer than line {line}, which added it: the bytes stay in line {line}'s layer")
                                        } else {
                                            format!("`{verb} -R` on `{p}` copies every file line {line} added into a new layer: those bytes are stored twice")
                                        };
                                        let fix = if verb == "rm" {
                                            "delete it in the same RUN that creates it"
                                        } else if *by_copy {
                                            "set ownership and mode while copying: `COPY --chown=user:group` / `COPY --chmod=…`"
                                        } else {
                                            "set ownership and mode in the RUN that creates the files"
                                        };
                                        out.push(Hit::on(ins, stage, message).fix(fix));
                                        break;
                                    }
                                }
                            } else {
                                created.extend(outputs(prog, args).into_iter().map(|p| absolute(&workdir, p)));
                            }
                        }
                        added.extend(created.into_iter().map(|p| (p, ins.line, false)));
                    }
                    _ => {}
                }
            }
        }
    }
}

/// Paths a command writes content to (downloads, clones, extractions, copies).
fn outputs<'a>(prog: &str, args: &'a [String]) -> Vec<&'a str> {
    let after = |flags: &[&str]| -> Vec<&'a str> {
        args.windows(2).filter(|w| flags.contains(&w[0].as_str())).map(|w| w[1].as_str()).collect()
    };
    let positional: Vec<&str> = args.iter().filter(|a| !a.starts_with('-')).map(String::as_str).collect();
    match prog {
        "curl" => after(&["-o", "--output"]),
        "wget" => after(&["-O", "--output-document", "-P", "--directory-prefix"]),
        "tar" => after(&["-C", "--directory"]),
        "unzip" => after(&["-d"]),
        "git" if positional.first() == Some(&"clone") => positional.get(2).copied().into_iter().collect(),
        "cp" | "mv" => positional.last().copied().into_iter().collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::{lines, messages};

    #[test]
    fn flags_rewrites_and_late_deletes() {
        let m = messages("SL109", "FROM debian:12\nWORKDIR /app\nCOPY . .\nRUN chown -R app:app /app\n");
        assert_eq!(m.len(), 1);
        assert!(m[0].1.contains("line 3"), "{}", m[0].1);
        assert_eq!(lines("SL109", "FROM debian:12\nRUN curl -o /tmp/t.tgz https://x && tar -xzf /tmp/t.tgz -C /opt\nRUN rm -f /tmp/t.tgz\n"), vec![3]);
        assert_eq!(lines("SL109", "FROM debian:12\nCOPY big.bin /data/big.bin\nRUN rm -rf /data\n"), vec![3]);
    }

    #[test]
    fn same_layer_and_unrelated_paths_pass() {
        assert!(lines(
            "SL109",
            "FROM debian:12\nRUN curl -o /tmp/t.tgz https://x && tar -xzf /tmp/t.tgz -C /opt && rm /tmp/t.tgz\n"
        )
        .is_empty());
        assert!(lines(
            "SL109",
            "FROM debian:12\nCOPY a /app/a\nRUN rm -rf /var/lib/apt/lists/*\nRUN chown app /app/a\n"
        )
        .is_empty());
        assert!(lines(
            "SL109",
            "FROM debian:12 AS b\nCOPY . /src\nRUN rm -rf /src/tests\nFROM scratch\nCOPY --from=b /src /src\n"
        )
        .is_empty());
    }
}
