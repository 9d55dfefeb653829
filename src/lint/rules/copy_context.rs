//! ## What it does
//! In a multi-stage Dockerfile, flags `COPY . …` or `ADD . …` into the final stage.
//!
//! ## Why it matters
//! The point of a build stage is that only its artifacts ship. Copying the whole context into
//! the final stage ships sources, tests, build files and whatever `.dockerignore` misses —
//! often the very things the build stage was meant to keep out.
//!
//! ## Example
//! ```dockerfile
//! FROM node:20 AS build
//! COPY . .
//! RUN npm ci && npm run build
//! FROM node:20-slim
//! COPY . .
//! COPY --from=build /app/dist ./dist
//! ```
//!
//! ## Fix
//! Copy only what runs: `COPY --from=build /app/dist ./dist`, or name the files the runtime
//! needs; tighten `.dockerignore` if the whole tree really must go in.

use crate::dockerfile::{Body, Kind};
use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    if !ctx.graph.is_multi_stage() {
        return;
    }
    for stage in ctx.finals() {
        for ins in
            stage.instructions.iter().filter(|i| matches!(i.kind, Kind::Copy | Kind::Add) && i.flag("from").is_none())
        {
            let Body::Copy { sources, .. } = &ins.body else {
                continue;
            };
            if sources.iter().any(|s| matches!(s.as_str(), "." | "./" | "./." | "*")) {
                out.push(
                    Hit::on(ins, stage, "copies the whole build context into the final stage of a multi-stage build")
                        .fix("copy only the artifacts the runtime needs (`COPY --from=<build stage> <path> <dest>`) or name the files"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::lines;

    #[test]
    fn flags_context_copy_after_build_stage() {
        assert_eq!(
            lines("SL108", "FROM node:20 AS build\nCOPY . .\nFROM node:20-slim\nCOPY . .\nCOPY --from=build /d /d\n"),
            vec![4]
        );
    }

    #[test]
    fn single_stage_and_artifact_copies_pass() {
        assert!(lines("SL108", "FROM node:20-slim\nCOPY . .\n").is_empty());
        assert!(lines("SL108", "FROM node:20 AS build\nCOPY . .\nFROM node:20-slim\nCOPY --from=build /app/dist ./dist\nCOPY package.json .\n").is_empty());
    }
}
