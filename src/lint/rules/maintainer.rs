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
//! `LABEL org.opencontainers.image.authors="Jane <jane@example.com>"`. Offered as a fix
//! (`shiplight lint --fix`, review suggestions) unless the name holds a `$` or the escape
//! character, which LABEL would read differently.

use crate::dockerfile::edit::Edit;
use crate::dockerfile::Kind;
use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for stage in &ctx.df.stages {
        for ins in stage.of_kind(Kind::Maintainer) {
            let who = ins.words().first().cloned().unwrap_or_default();
            let label = if ins.keyword.chars().all(|c| c.is_ascii_lowercase()) { "label" } else { "LABEL" };
            // LABEL expands variables and reads the escape character: a name holding either
            // would not mean the same there
            let plain = !who.is_empty() && !who.contains(['$', '\n', '\r', ctx.df.escape]);
            let quoted = who.replace('"', &format!("{}\"", ctx.df.escape));
            let edits = if plain {
                vec![Edit::replace(ins.span.clone(), format!("{label} org.opencontainers.image.authors=\"{quoted}\""))]
            } else {
                Vec::new()
            };
            out.push(
                Hit::on(ins, stage, "MAINTAINER is deprecated")
                    .fix(format!("use `LABEL org.opencontainers.image.authors=\"{quoted}\"`"))
                    .alias("DL4000")
                    .edits(edits),
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
