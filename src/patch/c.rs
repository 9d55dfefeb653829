//! C and C++: compile in a stage with the toolchain; the runtime is the slim variant of the
//! same distribution (`gcc:*` images are Debian bookworm) with the binary of the last
//! `gcc/g++/cc/clang -o PATH`, copied where the build was.
//!
//! RUNs before the build that are not build steps run in both stages; a RUN mixing build
//! steps with other work, or a build whose output path is not written with `-o`, is refused.
//! The binary keeps its shared libraries: libc is in the runtime, and the libraries of the
//! `-dev` packages the build installed come from the shared runtime libraries step
//! (`libraries.rs`).

use super::{Outcome, Plan, Rationale, Reason, RunKind as Run};
use crate::dockerfile::packages::is_toolchain_package;
use crate::dockerfile::roles;
use crate::dockerfile::shell::{self, SimpleCommand};
use crate::dockerfile::{Dockerfile, ImageRef, Kind};
use crate::lint::rules::slim_variant;

const COMPILERS: &[&str] = &["gcc", "g++", "cc", "c++", "clang", "clang++"];

fn build_step(c: &SimpleCommand) -> bool {
    COMPILERS.contains(&c.program())
        || matches!(c.program(), "make" | "cmake" | "ninja" | "strip" | "ar" | "ld" | "./configure")
        || roles::installs_only(c, is_toolchain_package)
        || roles::is_clean(c)
}

fn classify(script: &str) -> Run {
    super::classify_run(script, build_step)
}

/// The `-o` of the last compiler call of a script.
fn output(script: &str) -> Option<String> {
    let parsed = shell::parse(script);
    let cc = parsed.commands.iter().rev().find(|c| COMPILERS.contains(&c.program()))?;
    cc.args().windows(2).find(|w| w[0] == "-o").map(|w| w[1].clone())
}

/// The plan for a single-stage C/C++ Dockerfile; `None` when it is not one.
pub fn plan(df: &Dockerfile, inputs: &super::Inputs) -> Option<Result<Plan, Outcome>> {
    let compiles = |stage: &crate::dockerfile::Stage| {
        stage.instructions.iter().any(|i| {
            i.kind == Kind::Run && i.script().is_some_and(|s| output(&s).is_some() || classify(&s) == Run::Build)
        })
    };
    let takes =
        |name: &str, _: &str, stage: &_| name == "gcc" || (matches!(name, "debian" | "ubuntu") && compiles(stage));
    let opening = match super::single_stage(df, inputs, takes)? {
        Ok(o) => o,
        Err(outcome) => return Some(Err(outcome)),
    };
    let (stage, base) = (opening.stage, opening.base.as_str());
    let runtime_image = match ImageRef::parse(base).official_name() {
        Some("gcc") => "debian:bookworm-slim".to_owned(),
        _ => slim_variant(base).unwrap_or_else(|| base.to_owned()),
    };
    let builds = match super::scan_builds(stage, classify, output) {
        Ok(b) => b,
        Err(outcome) => return Some(Err(outcome)),
    };
    let Some(last_build) = builds.last else {
        return Some(Err(Outcome::Nothing("nothing is compiled here".into())));
    };
    let Some(binary) = builds.artifact else {
        return super::refuse(
            Reason::UnknownArtifact,
            format!(
                "line {}: the binary's path is not known: give the compiler an `-o /path/to/binary` and ask again",
                stage.instructions[last_build].line
            ),
        );
    };
    if let Err(refused) = super::started_outside(stage, &builds.workdir, &binary) {
        return Some(Err(refused));
    }
    let (build, runtime) = super::split_copying(df, stage, classify, last_build, &binary);
    let rationale = vec![
        Rationale::new(
            "SL101",
            stage.line,
            format!("the compilers of `{base}` stay in the build stage; the runtime is `{runtime_image}`"),
        ),
        Rationale::new(
            "SL102",
            stage.instructions[last_build].line,
            format!(
                "only `{binary}` is copied into the runtime; libraries beyond libc need their runtime packages there"
            ),
        ),
    ];
    Some(Ok(Plan::new("c", df, stage, base, &runtime_image, build, runtime, rationale)))
}

#[cfg(test)]
mod tests {
    use crate::patch::{suggest, Outcome as O, Templates};

    const EXAMPLE: &str = include_str!("../../examples/c/Dockerfile");

    #[test]
    fn c_example_rewrite() {
        let O::Patch(p) = suggest(EXAMPLE, "Dockerfile", &Default::default(), &Templates::built_in()) else {
            panic!("no patch")
        };
        assert_eq!(p.ecosystem, "c");
        let (build, runtime) = p.patched.split_once("AS runtime").unwrap();
        assert!(
            build.contains("FROM gcc:12 AS build\n") && build.contains("RUN gcc -O2 -o /usr/local/bin/hello hello.c"),
            "{}",
            p.patched
        );
        assert!(p.patched.contains("FROM debian:bookworm-slim AS runtime\n"));
        assert!(
            runtime
                .contains("WORKDIR /src\nCOPY --from=build /usr/local/bin/hello /usr/local/bin/hello\nCMD [\"hello\"]"),
            "{runtime}"
        );
        crate::patch::testing::answers(EXAMPLE, &p, &["SL101", "SL102"]);
    }

    #[test]
    fn debian_with_a_toolchain_and_refusals() {
        let t = Templates::built_in();
        let text = "FROM debian:bookworm\nRUN apt-get update && apt-get install -y build-essential\nWORKDIR /w\nCOPY . .\nRUN make && cc -o app main.c\nCMD [\"/w/app\"]\n";
        let O::Patch(p) = suggest(text, "D", &Default::default(), &t) else { panic!() };
        assert!(
            p.patched.contains("FROM debian:bookworm-slim AS runtime")
                && p.patched.contains("COPY --from=build /w/app /w/app"),
            "{}",
            p.patched
        );
        let O::Refused(why) = suggest("FROM gcc:12\nRUN make\n", "D", &Default::default(), &t) else { panic!() };
        assert!(why.contains("-o"), "{why}");
        let O::Refused(why) =
            suggest("FROM gcc:12\nRUN gcc -o /a a.c && ./a --selftest\n", "D", &Default::default(), &t)
        else {
            panic!()
        };
        assert!(why.contains("line 2"), "{why}");
        assert!(
            matches!(suggest("FROM debian:bookworm\nCMD [\"bash\"]\n", "D", &Default::default(), &t), O::Refused(_)),
            "nothing compiled: not ours"
        );
    }
}
