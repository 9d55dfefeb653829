//! ## What it does
//! Flags the deprecated `MAINTAINER` instruction (hadolint DL4000).
//!
//! ## Why it matters
//! It was deprecated in Docker 1.13; tools read the OCI label instead.
//!
//! ## Example
//! ```dockerfile
//! MAINTAINER Jane <jane@example.com>
//! ```
//!
//! ## Fix
//! `LABEL org.opencontainers.image.authors="Jane <jane@example.com>"`.

use crate::dockerfile::Kind;
use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for stage in &ctx.df.stages {
        for ins in stage.of_kind(Kind::Maintainer) {
            let who = ins.words().first().cloned().unwrap_or_default();
            out.push(
                Hit::on(ins, stage, "MAINTAINER is deprecated")
                    .fix(format!("use `LABEL org.opencontainers.image.authors=\"{}\"`", who.replace('"', "\\\"")))
                    .alias("DL4000"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::lines;

    #[test]
    fn flags_maintainer() {
        assert_eq!(lines("SL312", "FROM a:1\nMAINTAINER me\n"), vec![2]);
        assert!(lines("SL312", "FROM a:1\nLABEL org.opencontainers.image.authors=me\n").is_empty());
    }
}
