//! ## What it does
//! Flags a build command (go build, cargo build, mvn package, gradle build, npm/yarn/pnpm run
//! build, make, cmake --build, gcc/g++/clang, javac, dotnet publish, tsc) in a single-stage
//! Dockerfile. Not when the RUN installs its own toolchain and removes all of it again (the
//! official images' build-from-source idiom, decided by the ship state): then the compiler
//! does not ship, and the layer holds only what the build installed. Removed means with
//! what it pulled in: apt's `remove` without `--auto-remove` keeps `gcc-12` behind a removed
//! `build-essential`. Build dependencies named through a variable (`apk del $buildDeps`) or
//! pulled by the build (`mk-build-deps`) count when the RUN removes all it installed before
//! the build. A compiler from the base image or an earlier RUN is always there.
//!
//! Which stages ship is the repository's answer (`shiplight ships` shows it): silent on a
//! Dockerfile that only dev containers, development compose services or CI-only builds use,
//! and on an image whose ENTRYPOINT/CMD is itself a compiler or build tool (a toolchain
//! product: the toolchain is what ships, on purpose).
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

use crate::dockerfile::packages::is_compiler_package;
use crate::dockerfile::roles;
use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    // an image whose ENTRYPOINT is the compiler ships its toolchain on purpose
    if ctx.toolchain_is_the_product() {
        return;
    }
    if ctx.df.stages.len() != 1 || ctx.shipped().next().is_none() {
        return;
    }
    let stage = &ctx.df.stages[0];
    let toolchain_base = ctx.graph.root_image(0).is_some_and(|b| super::toolchain_image(b).is_some());
    let states: Vec<_> = ctx.ship_states(stage).map(|(_, s)| s).collect();
    // a compiler an earlier RUN left in the image is there for every later build
    let mut compiler_shipped = toolchain_base;
    for ((ins, script), state) in ctx.runs(stage).zip(states) {
        let compilers =
            |before: usize| state.packages.iter().filter(move |p| p.at <= before && is_compiler_package(&p.name));
        let leaves_a_compiler = compilers(usize::MAX).any(|p| !state.gone_with_dependencies(script, p));
        let Some((at, what)) = script.commands.iter().enumerate().find_map(|(i, c)| Some((i, roles::build(c)?))) else {
            compiler_shipped |= leaves_a_compiler;
            continue;
        };
        // the RUN installs its compilers and removes them with what they pulled in; or,
        // naming none, it removes all it installed last before the build (apt-mark save and
        // `purge --auto-remove`, an apk `--virtual` group): then the compiler came with
        // those build dependencies (`mk-build-deps --install`) and went with them
        let last = state.packages.iter().filter(|p| p.at <= at).map(|p| p.at).max();
        let removes_its_toolchain = !compiler_shipped
            && !leaves_a_compiler
            && (compilers(at).next().is_some()
                || last.is_some_and(|l| {
                    state.packages.iter().filter(|p| p.at == l).all(|p| state.gone_with_dependencies(script, p))
                }));
        compiler_shipped |= leaves_a_compiler;
        if removes_its_toolchain {
            continue;
        }
        out.push(
            Hit::on(ins, stage, format!("`{what}` compiles in the only stage, so the toolchain, sources and build caches ship with the result"))
                .fix("compile in a `build` stage and COPY --from=build only the output into a slim runtime stage"),
        );
    }
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

    /// A compiler asked its version builds nothing (the official rust images' checks).
    #[test]
    fn version_checks_are_not_builds() {
        assert!(lines(
            "SL102",
            "FROM debian:12\nRUN apt-get install -y gcc && rustup --version && cargo --version && rustc --version\n"
        )
        .is_empty());
        assert!(lines("SL102", "FROM gcc:13\nRUN gcc -v && gcc -dumpmachine\n").is_empty());
        assert_eq!(lines("SL102", "FROM gcc:13\nRUN gcc -v -o /a a.c\n"), vec![2]);
        // Java's tools ask with one dash (eclipse-temurin's JDK 8 checks)
        assert!(lines("SL102", "FROM ubuntu:22.04\nRUN javac -version && java -version\n").is_empty());
        assert_eq!(lines("SL102", "FROM ubuntu:22.04\nRUN javac -version Main.java\n"), vec![2]);
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

    #[test]
    fn build_dependencies_named_through_a_variable_or_pulled_by_the_build_go_too() {
        // jessfraz/dockerfiles: the list lives in a variable set before `set -x`
        let listed = "FROM alpine:3.20\nRUN buildDeps=' g++ git make ' set -x && apk --no-cache add $buildDeps && make && make install && apk del $buildDeps\n";
        assert!(lines("SL102", listed).is_empty());
        // nginx's Debian image: build deps come from mk-build-deps on arches without packages,
        // the runtime packages installed before them stay; everything since the mark is purged
        let nginx = "FROM debian:bookworm-slim\nRUN apt-get install -y ca-certificates && case \"$a\" in amd64) ;; *) savedAptMark=\"$(apt-mark showmanual)\" && apt-get install -y devscripts equivs git && mk-build-deps --install x/control && make base && apt-mark showmanual | xargs apt-mark auto && apt-mark manual $savedAptMark ;; esac && apt-get purge -y --auto-remove\n";
        assert!(lines("SL102", nginx).is_empty());
        // a compiler an earlier RUN left behind serves this build as well
        let earlier = "FROM alpine:3.20\nRUN apk add gcc\nRUN apk add --virtual .b make && make && apk del .b\n";
        assert_eq!(lines("SL102", earlier), vec![3]);
        // headers an earlier RUN left do not compile anything (jessfraz/dockerfiles masscan)
        let headers =
            "FROM alpine:3.20\nRUN apk add libpcap-dev\nRUN apk add --virtual .b build-base && make && apk del .b\n";
        assert!(lines("SL102", headers).is_empty());
        // runtime libraries installed beside the compiler may stay (vimagick/dockerfiles hans)
        let libs = "FROM alpine:3.20\nRUN apk add build-base libstdc++ curl && make && apk del build-base curl\n";
        assert!(lines("SL102", libs).is_empty());
        // apt's remove without an auto-remove keeps gcc-N and make (vimagick/dockerfiles kismet)
        let meta = "FROM ubuntu:16.04\nRUN apt-get install -y build-essential libpcap-dev && make && apt-get remove -y build-essential\n";
        assert_eq!(lines("SL102", meta), vec![2]);
    }
}
