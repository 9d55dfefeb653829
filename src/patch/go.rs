//! Go: the build stage on the original golang image compiles a static binary
//! (`CGO_ENABLED=0`); the runtime stage is distroless static (`:nonroot` when nothing in the
//! file needs root) with only that binary, CA certificates and /etc/passwd, and, where the
//! whole build context was copied, the context's asset folders a web program reads beside it
//! (`templates/`, `static/`, `public/`, …: [`ASSETS`]).
//!
//! A distroless runtime has no shell, so anything that would still run there (a RUN other
//! than the build, a shell-form CMD/ENTRYPOINT/HEALTHCHECK) is refused, not guessed at. The
//! binary is the last `go build -o PATH`; without `-o` the output name is not known and the
//! rewrite is refused.
//!
//! A file that builds with cgo (`CGO_ENABLED=1`, or a `-dev` library installed for the
//! build to link) is not this rewriter's: a static binary would not build, and the program
//! needs C libraries at run time. The generic split takes it, onto a slim distribution with
//! the runtime packages of those libraries.

use super::{verbatim, Outcome, Plan, Rationale, Reason};
use crate::dockerfile::packages::{is_toolchain_package, system_install};
use crate::dockerfile::roles;
use crate::dockerfile::shell;
use crate::dockerfile::{resolve_path, Body, Command, Dockerfile, Kind};

/// The distroless image the runtime stage uses.
pub const RUNTIME: &str = "gcr.io/distroless/static-debian12";

/// Folders at a build context's root that a web program reads at run time by convention.
const ASSETS: &[&str] = &["templates", "static", "public", "assets", "views", "web", "migrations", "locales", "i18n"];

/// Whether a RUN only builds (go commands, toolchain installs, their housekeeping).
fn builds_only(script: &str) -> bool {
    let parsed = shell::parse(script);
    !parsed.commands.is_empty()
        && parsed.commands.iter().all(|c| {
            (c.program() == "go"
                && matches!(c.subcommand(), Some("build" | "mod" | "install" | "generate" | "vet" | "test" | "get")))
                || system_install(c)
                    .is_some_and(|(_, pkgs)| pkgs.iter().all(|p| is_toolchain_package(p) || *p == "git"))
                || roles::is_clean(c)
        })
}

/// Whether the stage builds with cgo: it says `CGO_ENABLED=1`, or installs a `-dev` library
/// (one with a runtime package, or one the table does not know) for the build to link.
fn uses_cgo(stage: &crate::dockerfile::Stage) -> bool {
    use super::libraries::{is_dev, runtime_on};
    stage.instructions.iter().any(|ins| match ins.kind {
        Kind::Env | Kind::Arg => {
            ins.pairs().iter().any(|kv| kv.key == "CGO_ENABLED" && kv.value.as_deref().map(str::trim) == Some("1"))
        }
        Kind::Run => shell::parse(&ins.script().unwrap_or_default()).commands.iter().any(|c| {
            c.words.iter().any(|w| w == "CGO_ENABLED=1")
                || system_install(c)
                    .is_some_and(|(m, pkgs)| pkgs.iter().any(|p| is_dev(p) && runtime_on(p, m, None) != Some(None)))
        }),
        _ => false,
    })
}

/// The `-o` of the last `go build` of a script.
fn output(script: &str) -> Option<String> {
    let parsed = shell::parse(script);
    let build = parsed.commands.iter().rev().find(|c| c.program() == "go" && c.subcommand() == Some("build"))?;
    let args = build.args();
    args.windows(2)
        .find(|w| w[0] == "-o")
        .map(|w| w[1].clone())
        .or_else(|| args.iter().find_map(|a| a.strip_prefix("-o=").map(str::to_owned)))
}

fn shell_form(body: &Body) -> bool {
    matches!(body, Body::Command(Command::Shell(_)) | Body::Healthcheck(Some(Command::Shell(_))))
}

/// The plan for a single-stage Go Dockerfile; `None` when it is not one.
pub fn plan(df: &Dockerfile, inputs: &super::Inputs) -> Option<Result<Plan, Outcome>> {
    let opening = match super::single_stage(df, inputs, |name, _, _| name == "golang")? {
        Ok(o) => o,
        Err(outcome) => return Some(Err(outcome)),
    };
    let (stage, base) = (opening.stage, opening.base.as_str());
    if uses_cgo(stage) {
        return None;
    }
    // Where each RUN runs, and what the build writes.
    let mut workdir = "/".to_owned();
    let mut binary = None;
    let mut last_build = None;
    // where the whole build context was copied (`COPY . .`), before the last build
    let mut root_copied = None;
    for (n, ins) in stage.instructions.iter().enumerate() {
        match ins.kind {
            Kind::Workdir => workdir = resolve_path(&workdir, ins.words().first().map(String::as_str).unwrap_or("/")),
            Kind::Copy | Kind::Add if ins.flag("from").is_none() => {
                if let Body::Copy { sources, dest, .. } = &ins.body {
                    if !dest.contains('$') && sources.iter().any(|s| matches!(s.as_str(), "." | "./")) {
                        root_copied = Some((n, resolve_path(&workdir, dest)));
                    }
                }
            }
            Kind::Run => {
                let script = ins.script().unwrap_or_default();
                if !builds_only(&script) {
                    return super::refuse(Reason::NoShell, format!(
                        "line {}: this RUN would still run in the runtime image, which has no shell (distroless static); move it to the build stage, or write the stages by hand",
                        ins.line
                    ));
                }
                if let Some(o) = output(&script) {
                    binary = Some(resolve_path(&workdir, &o));
                }
                last_build = Some(n);
            }
            Kind::Cmd | Kind::Entrypoint | Kind::Healthcheck if shell_form(&ins.body) => {
                return super::refuse(
                    Reason::NoShell,
                    format!(
                        "line {}: {} in shell form needs a shell, which distroless static has not; use the JSON form",
                        ins.line,
                        ins.kind.as_str()
                    ),
                );
            }
            _ => {}
        }
    }
    let Some(last_build) = last_build else {
        return Some(Err(Outcome::Nothing("nothing is compiled here".into())));
    };
    let Some(binary) = binary else {
        return super::refuse(
            Reason::UnknownArtifact,
            format!(
                "line {}: the binary's path is not known: give `go build` an `-o /path/to/binary` and ask again",
                stage.instructions[last_build].line
            ),
        );
    };
    let mut build = Vec::new();
    let mut runtime = Vec::new();
    let mut rationale = vec![Rationale::new(
        "SL101",
        stage.line,
        format!("`{base}` (the Go toolchain) stays in the build stage; the runtime is {RUNTIME}"),
    )];
    let mut prev_end = stage.line;
    let needs_root = stage.of_kind(Kind::User).next().is_some()
        || stage
            .of_kind(Kind::Expose)
            .flat_map(|e| e.words())
            .any(|p| p.split('/').next().and_then(|n| n.parse::<u16>().ok()).is_some_and(|n| n < 1024));
    for (n, ins) in stage.instructions.iter().enumerate() {
        let text = verbatim(df, ins, prev_end);
        let prev_end_before = prev_end;
        prev_end = ins.end_line;
        match ins.kind {
            Kind::Run => {
                let script = shell::parse(&ins.script().unwrap_or_default());
                let edits = super::edits::cgo_off(ins, &script);
                let Some(fixed) = super::verbatim_edited(df, ins, prev_end_before, &edits) else {
                    return super::refuse(
                        Reason::Internal,
                        format!(
                            "line {}: the static-build edit does not apply; please report this Dockerfile",
                            ins.line
                        ),
                    );
                };
                if !edits.is_empty() {
                    rationale.push(Rationale::new(
                        "SL102",
                        ins.line,
                        "compiles a static binary (CGO_ENABLED=0) in the build stage",
                    ));
                }
                build.push(fixed);
            }
            // sources and build inputs: the build stage needs them, the runtime does not
            Kind::Copy | Kind::Add if n < last_build => {
                rationale.push(Rationale::new("SL108", ins.line, "copied into the build stage only; if the program reads these files at run time, copy them into the runtime stage too"));
                build.push(text);
            }
            Kind::Workdir | Kind::Env | Kind::Arg if n < last_build => {
                build.push(df.source(ins).trim_end().replace("\r\n", "\n"));
                runtime.push(text);
            }
            _ => runtime.push(text),
        }
    }
    // the context's asset folders a program reads at run time (`templates/`, `static/`),
    // where the whole context was copied: they come along, unless the program embeds them
    // (which shiplight cannot see; then they cost a little room, not a broken program)
    let assets: Vec<&str> = ASSETS.iter().copied().filter(|a| inputs.files.iter().any(|f| f == a)).collect();
    if let (Some((_, dir)), false) = (root_copied.as_ref().filter(|(n, _)| *n < last_build), assets.is_empty()) {
        let (_, build_name, _) = super::stage_names(df, stage);
        for (k, a) in assets.iter().enumerate() {
            let path = format!("{}/{a}", dir.trim_end_matches('/'));
            runtime.insert(k, format!("COPY --from={build_name} {path} {path}"));
        }
        rationale.push(Rationale::new(
            "SL108",
            stage.line,
            format!(
                "`{}` of the build context come into the runtime too: a Go program reads them at run time unless it embeds them",
                assets.join("`, `")
            ),
        ));
    }
    let image = match (inputs.scratch, needs_root) {
        (true, _) => "scratch".to_owned(),
        (false, true) => RUNTIME.to_owned(),
        (false, false) => format!("{RUNTIME}:nonroot"),
    };
    if !needs_root && !inputs.scratch {
        rationale.push(Rationale::new(
            "SL107",
            stage.line,
            "the runtime runs as the unprivileged `nonroot` user (no USER or low port in the file needs root)",
        ));
    }
    Some(Ok(Plan::new("go", df, stage, base, &image, build, runtime, rationale)
        .with("binary", binary)
        .with("scratch", inputs.scratch)
        .with("nonroot_user", inputs.scratch && !needs_root)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patch::{suggest, Outcome as O, Templates};

    const EXAMPLE: &str = include_str!("../../examples/go/Dockerfile");

    /// The context's asset folders (`templates/`, `static/`) come into the runtime where the
    /// whole context was copied: the program reads them from there. Before, the runtime had
    /// the binary alone.
    #[test]
    fn the_folders_a_program_reads_come_along() {
        let text = "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nCMD [\"./server\"]\n";
        let files = vec!["go.mod".to_string(), "main.go".into(), "templates".into(), "static".into()];
        let inputs = crate::patch::Inputs { files, ..Default::default() };
        let O::Patch(p) = suggest(text, "D", &inputs, &Templates::built_in()) else { panic!() };
        let runtime = p.patched.split_once("AS runtime\n").unwrap().1;
        assert!(
            runtime.contains("COPY --from=build /app/server /app/server\nCOPY --from=build /app/templates /app/templates\nCOPY --from=build /app/static /app/static\n"),
            "{runtime}"
        );
        assert!(p.rationale.iter().any(|r| r.rule == "SL108" && r.message.contains("`templates`, `static`")));
        // only the module files copied: nothing more comes
        let narrow = text.replace("COPY . .", "COPY go.mod main.go ./");
        let O::Patch(p) = suggest(&narrow, "D", &inputs, &Templates::built_in()) else { panic!() };
        assert!(!p.patched.contains("/app/templates"), "{}", p.patched);
    }

    #[test]
    fn go_example_rewrite() {
        let O::Patch(p) = suggest(EXAMPLE, "Dockerfile", &Default::default(), &Templates::built_in()) else {
            panic!("no patch")
        };
        assert_eq!(p.ecosystem, "go");
        assert!(p.patched.contains("FROM golang:1.19 AS build\n"), "{}", p.patched);
        assert!(p.patched.contains("RUN CGO_ENABLED=0 go build -o /usr/local/bin/hello .\n"));
        assert!(p.patched.contains("FROM gcr.io/distroless/static-debian12:nonroot AS runtime\nCOPY --from=build /usr/local/bin/hello /usr/local/bin/hello\n"));
        let runtime = p.patched.split("AS runtime").nth(1).unwrap();
        assert!(
            !runtime.contains("COPY go.mod") && runtime.contains("EXPOSE 8080") && runtime.contains("CMD [\"hello\"]"),
            "{runtime}"
        );
        crate::patch::testing::answers(EXAMPLE, &p, &["SL101", "SL102", "SL107"]);
    }

    #[test]
    fn refuses_what_a_distroless_runtime_cannot_run() {
        let t = Templates::built_in();
        let refused = |text: &str| match suggest(text, "D", &Default::default(), &t) {
            O::Refused(why) => why,
            other => panic!("{text:?}: {other:?}"),
        };
        assert!(refused("FROM golang:1.19\nRUN go build .\nCMD [\"x\"]\n").contains("-o"));
        // what distroless cannot run (a RUN, a shell-form CMD) gets the generic split onto a
        // slim Debian, which has a shell, instead of a refusal
        for text in [
            "FROM golang:1.19\nRUN go build -o /app .\nRUN useradd app\n",
            "FROM golang:1.19\nRUN go build -o /app .\nCMD /app --serve\n",
        ] {
            let O::Patch(p) = suggest(text, "D", &Default::default(), &t) else { panic!("{text}") };
            assert_eq!(p.ecosystem, "install");
            // with the CA certificates the golang image had (round 23: cfssl)
            assert!(
                p.patched.contains("FROM debian:bookworm-slim AS runtime\nRUN apt-get update \\\n    && apt-get install -y --no-install-recommends ca-certificates \\\n    && rm -rf /var/lib/apt/lists/*\nCOPY --from=build /app /app\n"),
                "{}",
                p.patched
            );
            assert!(p
                .rationale
                .iter()
                .any(|r| r.message.starts_with("ca-certificates installed: `golang:1.19` has them")));
            assert!(
                p.rationale[0].message.starts_with("the toolchain of `golang:1.19` stays in the build stage"),
                "{:?}",
                p.rationale
            );
        }
        assert_eq!(output("cd x && go build -ldflags=-s -o=bin/app ./cmd"), Some("bin/app".into()));
    }

    #[test]
    fn a_cgo_build_keeps_cgo_and_its_libraries() {
        let text = "FROM golang:1.19\nRUN apt-get update && apt-get install -y libsqlite3-dev && rm -rf /var/lib/apt/lists/*\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/app .\nCMD [\"app\"]\n";
        let O::Patch(p) = suggest(text, "D", &Default::default(), &Templates::built_in()) else { panic!() };
        assert_eq!(p.ecosystem, "install", "{}", p.patched);
        assert!(!p.patched.contains("CGO_ENABLED=0"), "{}", p.patched);
        let runtime = p.patched.split(" AS runtime\n").nth(1).unwrap();
        // the original took Recommends, and so does the runtime
        assert!(runtime.contains("apt-get install -y libsqlite3-0"), "{runtime}");
        assert!(runtime.contains("COPY --from=build /usr/local/bin/app /usr/local/bin/app"), "{runtime}");
        crate::patch::testing::answers(text, &p, &["SL101"]);
        // said outright, with no library: cgo still, so glibc's runtime and not distroless static
        let said = "FROM golang:1.19\nENV CGO_ENABLED=1\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/app .\nCMD [\"app\"]\n";
        let O::Patch(p) = suggest(said, "D", &Default::default(), &Templates::built_in()) else { panic!() };
        assert!(p.patched.contains("FROM debian:bookworm-slim AS runtime"), "{}", p.patched);
        // headers alone (a static musl build) are no cgo library: still distroless
        assert!(!uses_cgo(
            &crate::dockerfile::Dockerfile::parse("FROM golang:1.19\nRUN apt-get install -y libc6-dev\n")
                .unwrap()
                .stages[0]
        ));
    }

    #[test]
    fn scratch_when_asked() {
        let inputs = crate::patch::Inputs { scratch: true, ..Default::default() };
        let O::Patch(p) = suggest(EXAMPLE, "D", &inputs, &Templates::built_in()) else { panic!() };
        assert!(p.patched.contains("FROM scratch AS runtime\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nUSER 65532:65532\nCOPY --from=build /usr/local/bin/hello"), "{}", p.patched);
    }

    #[test]
    fn root_stays_where_the_file_needs_it() {
        let text =
            "FROM golang:1.19\nWORKDIR /src\nRUN go build -o out/app .\nEXPOSE 80\nENTRYPOINT [\"/src/out/app\"]\n";
        let O::Patch(p) = suggest(text, "D", &Default::default(), &Templates::built_in()) else { panic!() };
        assert!(p.patched.contains(&format!("FROM {RUNTIME} AS runtime")), "port 80 needs root: {}", p.patched);
        assert!(
            p.patched.contains("COPY --from=build /src/out/app /src/out/app"),
            "relative -o resolves against WORKDIR"
        );
    }
}
