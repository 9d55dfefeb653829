//! Rust: `cargo build --release` in the rust image, with a dependency-caching layer when the
//! sources arrive by copying the whole context (dependencies are built against a stub
//! `main` first, so editing the sources does not rebuild them; the sources' mtimes are then
//! refreshed so cargo rebuilds them). The runtime is the slim Debian the rust image is built
//! on, with the binary that CMD/ENTRYPOINT runs from `target/release/`.

use super::{Outcome, Plan, Rationale, Reason, RunKind as Run};
use crate::dockerfile::edit::Edit;
use crate::dockerfile::packages::is_toolchain_package;
use crate::dockerfile::roles;
use crate::dockerfile::shell::SimpleCommand;
use crate::dockerfile::{resolve_path, Body, Command, Dockerfile, ImageRef, Kind};

fn build_step(c: &SimpleCommand) -> bool {
    (c.program() == "cargo" && matches!(c.subcommand(), Some("build" | "fetch" | "test" | "install" | "b")))
        || c.program() == "rustup"
        || roles::installs_only(c, is_toolchain_package)
        || roles::is_clean(c)
}

fn classify(script: &str) -> Run {
    super::classify_run(script, build_step)
}

/// The slim Debian a rust image is built on.
fn runtime_for(image: &str) -> Option<&'static str> {
    let tag = ImageRef::parse(image).tag.unwrap_or_default();
    if tag.contains("alpine") {
        None
    } else if tag.contains("bullseye") {
        Some("debian:bullseye-slim")
    } else {
        Some("debian:bookworm-slim")
    }
}

/// The program CMD/ENTRYPOINT runs, when it is a release build output.
fn release_binary(stage: &crate::dockerfile::Stage, workdir: &str) -> Option<String> {
    let run = stage.instructions.iter().rev().find(|i| matches!(i.kind, Kind::Entrypoint | Kind::Cmd))?;
    let Body::Command(Command::Exec(words)) = &run.body else { return None };
    let first = words.first()?;
    first.contains("target/release/").then(|| resolve_path(workdir, first))
}

/// The plan for a single-stage Rust Dockerfile; `None` when it is not one.
pub fn plan(df: &Dockerfile, inputs: &super::Inputs) -> Option<Result<Plan, Outcome>> {
    let opening = match super::single_stage(df, inputs, |name, _, _| name == "rust")? {
        Ok(o) => o,
        Err(outcome) => return Some(Err(outcome)),
    };
    let (stage, base) = (opening.stage, opening.base.as_str());
    let Some(runtime_image) = runtime_for(base) else {
        return super::refuse(
            Reason::UnknownRuntime,
            format!(
                "line {}: `{base}` builds against musl; write the stages by hand (a static binary can go on scratch)",
                stage.line
            ),
        );
    };
    let builds = match super::scan_builds(stage, classify, |_| None) {
        Ok(b) => b,
        Err(outcome) => return Some(Err(outcome)),
    };
    let Some(last_build) = builds.last else {
        return Some(Err(Outcome::Nothing("nothing is built here".into())));
    };
    let build_workdir = builds.workdir;
    // the first COPY of the whole context, if it comes before the first build
    let first_build = stage
        .instructions
        .iter()
        .position(|i| i.kind == Kind::Run && classify(&i.script().unwrap_or_default()) == Run::Build)
        .unwrap_or(last_build);
    let whole_copy = stage.instructions[..first_build].iter().position(|i| {
        matches!(i.kind, Kind::Copy | Kind::Add)
            && i.flag("from").is_none()
            && matches!(&i.body, Body::Copy { sources, .. } if sources.iter().any(|s| s == "." || s == "./"))
    });
    let Some(binary) = release_binary(stage, &build_workdir) else {
        return super::refuse(
            Reason::UnknownArtifact,
            format!(
                "line {}: the binary is not known: run it from `target/release/` in an exec-form CMD or ENTRYPOINT, and ask again",
                stage.instructions[last_build].line
            ),
        );
    };
    let (mut build, runtime) = super::split_copying(df, stage, classify, last_build, &binary);
    let mut rationale = vec![
        Rationale::new(
            "SL101",
            stage.line,
            format!("the Rust toolchain of `{base}` stays in the build stage; the runtime is `{runtime_image}`"),
        ),
        Rationale::new(
            "SL102",
            stage.instructions[last_build].line,
            format!("only `{binary}` is copied into the runtime"),
        ),
    ];
    // The dependency-caching layer, where it is safe: Cargo.toml at the context root, copied
    // with the whole context before the build, into a WORKDIR.
    let cacheable = inputs.files.iter().any(|f| f == "Cargo.toml") && build_workdir != "/";
    if let (true, Some(copy)) = (cacheable, whole_copy) {
        let copy_text = df.source(&stage.instructions[copy]).trim_end().replace("\r\n", "\n");
        if let Some(at) = build.iter().position(|b| b.ends_with(&copy_text)) {
            build.insert(
                at,
                "# Dependencies first, in their own layer: editing the sources does not rebuild them.\nCOPY Cargo.toml Cargo.lock* ./\nRUN mkdir -p src && echo 'fn main() {}' > src/main.rs && cargo build --release && rm -rf src".into(),
            );
            // the copied sources may be older than the stub: make cargo rebuild them, in the
            // first RUN after the copy that runs `cargo build`
            let touched = (copy + 1..stage.instructions.len()).find_map(|n| {
                let ins = &stage.instructions[n];
                let script = crate::dockerfile::shell::parse(&ins.script()?);
                let cargo =
                    script.commands.iter().find(|c| c.program() == "cargo" && c.subcommand() == Some("build"))?;
                let start = ins.source_range(cargo.span()?)?.start;
                let edit = Edit::insert(start, "find src -name '*.rs' -exec touch {} + && ");
                let prev = super::previous_end_line(stage, n);
                Some((super::verbatim(df, ins, prev), super::verbatim_edited(df, ins, prev, &[edit])?))
            });
            if let Some((was, now)) = touched {
                if let Some(b) = build.iter_mut().skip(at + 1).find(|b| **b == was) {
                    *b = now;
                }
            }
            rationale.push(Rationale::new(
                "SL102",
                stage.instructions[copy].line,
                "adds a dependency-caching layer before the sources are copied",
            ));
        }
    }
    Some(Ok(Plan::new("rust", df, stage, base, runtime_image, build, runtime, rationale)))
}

#[cfg(test)]
mod tests {
    use crate::patch::{suggest, Outcome as O, Templates};

    const EXAMPLE: &str = include_str!("../../examples/rust/Dockerfile");

    #[test]
    fn rust_example_rewrite_with_a_dependency_cache() {
        let files = vec!["Cargo.toml".to_string(), "Cargo.lock".into(), "src".into()];
        let O::Patch(p) = suggest(
            EXAMPLE,
            "Dockerfile",
            &crate::patch::Inputs { files, ..Default::default() },
            &Templates::built_in(),
        ) else {
            panic!("no patch")
        };
        assert_eq!(p.ecosystem, "rust");
        let (build, runtime) = p.patched.split_once("AS runtime").unwrap();
        assert!(build.contains("COPY Cargo.toml Cargo.lock* ./\nRUN mkdir -p src && echo 'fn main() {}' > src/main.rs && cargo build --release && rm -rf src\nCOPY . .\nRUN find src -name '*.rs' -exec touch {} + && cargo build --release"), "{}", p.patched);
        assert!(p.patched.contains("FROM debian:bookworm-slim AS runtime\n"));
        assert!(
            runtime.contains("COPY --from=build /app/target/release/hello /app/target/release/hello\nCMD"),
            "{runtime}"
        );
        crate::patch::testing::answers(EXAMPLE, &p, &["SL101", "SL102"]);
        // without Cargo.toml in the context, no caching layer (but still the split)
        let O::Patch(p) = suggest(EXAMPLE, "Dockerfile", &Default::default(), &Templates::built_in()) else { panic!() };
        assert!(!p.patched.contains("Cargo.lock*"));
    }

    #[test]
    fn refusals() {
        let t = Templates::built_in();
        let O::Refused(why) = suggest(
            "FROM rust:1.80\nWORKDIR /a\nCOPY . .\nRUN cargo build --release\nCMD [\"hello\"]\n",
            "D",
            &Default::default(),
            &t,
        ) else {
            panic!()
        };
        assert!(why.contains("target/release"), "{why}");
        let O::Refused(why) =
            suggest("FROM rust:1.80-alpine\nRUN cargo build --release\n", "D", &Default::default(), &t)
        else {
            panic!()
        };
        assert!(why.contains("musl"), "{why}");
    }
}
