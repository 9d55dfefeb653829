//! ## What it does
//! Flags `COPY --from=<stage> / …`, which copies the entire filesystem of another stage,
//! when that stage is built on an image (a distribution or a toolchain): its packages,
//! compilers and caches come along. A stage rooted in `scratch` holds exactly what was
//! copied into it, so copying its `/` ships only that: it is the standard way to export
//! build outputs (buildkit's own Dockerfile does it a dozen times) and is not flagged. Nor is
//! `/` of an external image, whose content the file does not show, or of a stage that only
//! names one (`FROM tonistiigi/xx AS xx`, no RUN, COPY or ADD), or of a stage whose base only
//! an ARG names. A stage named through BuildKit's platform ARGs (`FROM binaries-$TARGETOS`)
//! is the stage that platform names (`binaries-linux`), so a `scratch` export there passes.
//! Nor is a flatten: `/` of a stage built on the same image as the stage that copies it, when
//! no RUN of it leaves a toolchain package (it builds, then removes its build dependencies).
//!
//! ## Why it matters
//! It undoes the multi-stage split: the build stage's compilers, caches and sources all land
//! in the image that ships, just one instruction later.
//!
//! ## Example
//! ```dockerfile
//! FROM golang:1.22 AS build
//! RUN go build -o /out/app .
//! FROM scratch
//! COPY --from=build / /
//! ```
//!
//! ## Fix
//! Copy only the artifacts: `COPY --from=build /out/app /app`.

use crate::dockerfile::graph::{EdgeKind, StageRef};
use crate::dockerfile::packages::is_toolchain_package;
use crate::dockerfile::{Body, Kind};
use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for stage in &ctx.df.stages {
        for ins in stage.instructions.iter().filter(|i| matches!(i.kind, Kind::Copy | Kind::Add)) {
            let (Some(from), Body::Copy { sources, .. }) = (ins.flag("from"), &ins.body) else {
                continue;
            };
            if !sources.iter().any(|s| matches!(s.as_str(), "/" | "/." | "/*")) {
                continue;
            }
            // the stage it names, and the image that stage is built on (none: scratch)
            let from_stage = ctx.graph.edges.iter().find_map(|e| match (&e.kind, &e.target) {
                (EdgeKind::CopyFrom, StageRef::Stage(j)) if e.stage == stage.index && e.line == ins.line => Some(*j),
                _ => None,
            });
            let Some(j) = from_stage else { continue };
            let Some(image) = ctx.graph.root_image(j) else { continue };
            // an image only an ARG names (`${BASE}`) is not known
            if image.contains('$') {
                continue;
            }
            // a stage that only names an image (`FROM tonistiigi/xx AS xx`, nothing added): its
            // `/` is the image's, whose content the file does not show
            let adds = ctx.graph.lineage(j).into_iter().any(|k| {
                ctx.df.stages[k].instructions.iter().any(|i| matches!(i.kind, Kind::Run | Kind::Copy | Kind::Add))
            });
            if !adds {
                continue;
            }
            // a flatten: the stage copies `/` of a stage on its own base image, and no RUN of
            // that stage's lineage leaves a toolchain package (home-assistant's base images
            // build jemalloc, `apk del` its build deps, then squash onto the same alpine)
            let flatten = ctx.graph.root_image(stage.index) == Some(image)
                && ctx.graph.lineage(j).into_iter().all(|k| {
                    ctx.ship_states(&ctx.df.stages[k])
                        .all(|(_, state)| !state.shipped().any(|p| is_toolchain_package(&p.name)))
                });
            if flatten {
                continue;
            }
            out.push(
                Hit::on(
                    ins,
                    stage,
                    format!(
                        "copies `/`, the whole filesystem of `{from}`, a stage built on `{image}`: its packages, toolchain and caches come along"
                    ),
                )
                .fix("copy only the artifacts, e.g. `COPY --from=build /out/app /app`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::lines;

    #[test]
    fn flags_root_copies() {
        assert_eq!(lines("SL207", "FROM a:1 AS b\nRUN make\nFROM scratch\nCOPY --from=b / /\n"), vec![4]);
        let m = crate::lint::rules::testing::messages("SL207", "FROM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM build AS more\nFROM scratch\nCOPY --from=more / /\n");
        assert!(m.len() == 1 && m[0].1.contains("a stage built on `golang:1.22`"), "{m:?}");
        assert!(lines("SL207", "FROM a:1 AS b\nFROM scratch\nCOPY --from=b /out/app /app\nCOPY / /x\n").is_empty());
    }

    /// A flatten onto the same base passes when the copied stage removed its build
    /// dependencies, and is flagged when it leaves them (or when the base differs).
    #[test]
    fn flattens_onto_the_same_base_pass_unless_a_toolchain_stays() {
        let flatten = "ARG BASE=alpine\nARG V=3.24\nARG FROM_=${BASE}:${V}\nFROM ${FROM_} AS build\nRUN apk add --virtual .deps build-base && make install && apk del .deps\nFROM ${FROM_}\nCOPY --from=build / /\n";
        assert!(lines("SL207", flatten).is_empty());
        let kept = "FROM alpine:3.24 AS build\nRUN apk add build-base && make install\nFROM alpine:3.24\nCOPY --from=build / /\n";
        assert_eq!(lines("SL207", kept), vec![4]);
        let other = "FROM alpine:3.24 AS build\nRUN apk add curl\nFROM scratch\nCOPY --from=build / /\n";
        assert_eq!(lines("SL207", other), vec![4]);
    }

    /// buildkit's export idiom: a `FROM scratch` stage that holds only the binaries copied
    /// into it; and `/` of an external image, whose content is not in the file.
    #[test]
    fn scratch_stages_and_images_pass() {
        let export = "FROM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM scratch AS binaries\nCOPY --from=build /out/app /\nFROM alpine:3.20\nCOPY --from=binaries / /usr/bin/\n";
        assert!(lines("SL207", export).is_empty());
        let chained = "FROM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM scratch AS a\nCOPY --from=build /out/app /\nFROM a AS b\nFROM alpine:3.20\nCOPY --from=b / /usr/bin/\n";
        assert!(lines("SL207", chained).is_empty());
        assert!(lines("SL207", "FROM alpine:3.20\nCOPY --from=docker/buildx-bin / /usr/libexec/docker/cli-plugins\n")
            .is_empty());
    }

    /// A stage that only aliases an external image (the `xx` cross-compilation helpers), a
    /// stage on an image only an ARG names, and a stage named through BuildKit's platform
    /// ARGs whose platform stage is a `scratch` export: none copies a known distribution.
    #[test]
    fn external_image_aliases_and_arg_named_stages_pass() {
        let xx = "FROM --platform=$BUILDPLATFORM tonistiigi/xx:1.6 AS xx\nFROM golang:1.22 AS build\nCOPY --from=xx / /\nRUN xx-go build -o /out/app .\n";
        assert!(lines("SL207", xx).is_empty());
        let arg = "ARG BASE\nFROM ${BASE} AS base\nRUN make\nFROM scratch\nCOPY --from=base / /\n";
        assert!(lines("SL207", arg).is_empty());
        let platform = "FROM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM scratch AS binaries-linux\nCOPY --from=build /out/app /\nFROM scratch AS binaries-windows\nCOPY --from=build /out/app.exe /\nFROM binaries-$TARGETOS AS binaries\nFROM alpine:3.20\nCOPY --from=binaries / /usr/bin/\n";
        assert!(lines("SL207", platform).is_empty());
        // an alias that adds a layer is a distribution again
        let added = "FROM tonistiigi/xx:1.6 AS xx\nRUN apk add clang\nFROM scratch\nCOPY --from=xx / /\n";
        assert_eq!(lines("SL207", added), vec![4]);
        // the platform stage on an image is still flagged
        let distro = "FROM alpine:3 AS bin-linux\nRUN apk add curl\nFROM bin-${TARGETOS} AS bin\nFROM scratch\nCOPY --from=bin / /\n";
        assert_eq!(lines("SL207", distro), vec![5]);
    }
}
