//! ## What it does
//! Flags a build command (go build, cargo build, mvn package, gradle build, npm/yarn/pnpm run
//! build, make, cmake --build, gcc/g++/clang, javac, dotnet publish, tsc) in a single-stage
//! Dockerfile. Not when the RUN installs its own toolchain and removes all of it again (the
//! official images' build-from-source idiom, decided by the ship state): then the compiler
//! does not ship, and the layer holds only what the build installed.
//!
//! ## Why it matters
//! Compiling in the only stage means the compiler, the sources, the dependency caches and
//! the intermediate objects all ship. A build stage keeps them out of the image.
//!
//! ## Example
//! ```dockerfile
//! FROM golang:1.22
//! COPY . .
//! RUN go build -o /server .
//! ```
//!
//! ## Fix
//! Add a build stage that compiles, and a runtime stage that copies only the output
//! (`shiplight suggest` writes the patch).

use crate::dockerfile::packages::is_toolchain_package;
use crate::dockerfile::shell::SimpleCommand;
use crate::dockerfile::ship::Fate;
use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    if ctx.df.stages.len() != 1 {
        return;
    }
    let stage = &ctx.df.stages[0];
    let toolchain_base = ctx.graph.root_image(0).is_some_and(|b| super::toolchain_image(b).is_some());
    let states: Vec<_> = ctx.ship_states(stage).map(|(_, s)| s).collect();
    for ((ins, script), state) in ctx.runs(stage).zip(states) {
        let tools: Vec<_> = state.packages.iter().filter(|p| is_toolchain_package(&p.name)).collect();
        let brings_and_removes_its_toolchain =
            !toolchain_base && !tools.is_empty() && tools.iter().all(|p| p.fate == Fate::Removed);
        if brings_and_removes_its_toolchain {
            continue;
        }
        if let Some(what) = script.commands.iter().find_map(build_command) {
            out.push(
                Hit::on(ins, stage, format!("`{what}` compiles in the only stage, so the toolchain, sources and build caches ship with the result"))
                    .fix("compile in a `build` stage and COPY --from=build only the output into a slim runtime stage"),
            );
        }
    }
}

/// A short description of the build a command runs, if it is one.
pub fn build_command(cmd: &SimpleCommand) -> Option<String> {
    let prog = cmd.program();
    let sub = cmd.subcommand().unwrap_or("");
    let args = cmd.args();
    let run_build =
        || args.windows(2).any(|w| matches!(w[0].as_str(), "run" | "run-script") && w[1].starts_with("build"));
    let hit = match prog {
        "go" => matches!(sub, "build" | "install"),
        "cargo" => matches!(sub, "build" | "install" | "b"),
        "mvn" | "mvnw" => args.iter().any(|a| matches!(a.as_str(), "package" | "install" | "verify" | "compile")),
        "gradle" | "gradlew" => args
            .iter()
            .any(|a| matches!(a.as_str(), "build" | "assemble" | "jar" | "bootJar" | "installDist" | "shadowJar")),
        "npm" => run_build(),
        "yarn" | "pnpm" => sub == "build" || run_build(),
        "make" | "ninja" => !matches!(sub, "install" | "clean"),
        "cmake" => args.iter().any(|a| a == "--build"),
        "gcc" | "g++" | "cc" | "c++" | "clang" | "clang++" | "javac" | "tsc" | "rustc" => true,
        "dotnet" => matches!(sub, "publish" | "build"),
        _ => false,
    };
    hit.then(|| {
        let mut s = prog.to_owned();
        if !sub.is_empty()
            && !matches!(prog, "gcc" | "g++" | "cc" | "c++" | "clang" | "clang++" | "javac" | "tsc" | "rustc")
        {
            s.push(' ');
            s.push_str(sub);
        }
        s
    })
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::{lines, messages};

    #[test]
    fn flags_builds_in_single_stage() {
        let m = messages("SL102", "FROM golang:1.22\nCOPY . .\nRUN go mod download && go build -o /s .\n");
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].0, 3);
        assert!(m[0].1.contains("`go build`"), "{}", m[0].1);
        assert_eq!(lines("SL102", "FROM node:20\nRUN npm ci\nRUN npm run build\n"), vec![3]);
        assert_eq!(lines("SL102", "FROM gcc:13\nRUN gcc -O2 -o /hello hello.c\n"), vec![2]);
        assert_eq!(lines("SL102", "FROM maven:3\nRUN ./mvnw -B package\n"), vec![2]);
    }

    #[test]
    fn multi_stage_and_non_builds_pass() {
        assert!(lines("SL102", "FROM golang:1.22 AS b\nRUN go build -o /s .\nFROM scratch\nCOPY --from=b /s /s\n")
            .is_empty());
        assert!(lines("SL102", "FROM python:3.12\nRUN pip install flask && make install\n").is_empty());
    }

    #[test]
    fn a_run_that_removes_the_toolchain_it_brought_ships_no_compiler() {
        let official = "FROM debian:bookworm-slim\nRUN savedAptMark=\"$(apt-mark showmanual)\"; apt-get update; apt-get install -y gcc make; make -C /src; make -C /src install; apt-mark auto '.*'; apt-mark manual $savedAptMark; apt-get purge -y --auto-remove\n";
        assert!(lines("SL102", official).is_empty());
        let alpine = "FROM alpine:3.20\nRUN apk add --virtual .b gcc make && make && apk del .b\n";
        assert!(lines("SL102", alpine).is_empty());
        // the toolchain stays, or came from the base image: the compile is flagged
        assert_eq!(lines("SL102", "FROM alpine:3.20\nRUN apk add gcc make && make && apk del make\n"), vec![2]);
        assert_eq!(
            lines("SL102", "FROM gcc:13\nRUN apt-get install -y make && make && apt-get purge -y make\n"),
            vec![2]
        );
    }
}
