//! ## What it does
//! Flags `COPY --from=<stage> / …`, which copies the entire filesystem of another stage.
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

use crate::dockerfile::{Body, Kind};
use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for stage in &ctx.df.stages {
        for ins in stage.instructions.iter().filter(|i| matches!(i.kind, Kind::Copy | Kind::Add)) {
            let (Some(from), Body::Copy { sources, .. }) = (ins.flag("from"), &ins.body) else {
                continue;
            };
            if sources.iter().any(|s| matches!(s.as_str(), "/" | "/." | "/*")) {
                out.push(
                    Hit::on(
                        ins,
                        stage,
                        format!("copies `/`, the whole filesystem of `{from}`, toolchain and caches included"),
                    )
                    .fix("copy only the artifacts, e.g. `COPY --from=build /out/app /app`"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::lines;

    #[test]
    fn flags_root_copies() {
        assert_eq!(lines("SL207", "FROM a:1 AS b\nFROM scratch\nCOPY --from=b / /\n"), vec![3]);
        assert!(lines("SL207", "FROM a:1 AS b\nFROM scratch\nCOPY --from=b /out/app /app\nCOPY / /x\n").is_empty());
    }
}
