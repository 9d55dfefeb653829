//! ## What it does
//! Flags `FROM … as name` or `from … AS name`, where the `AS` keyword is not cased like
//! `FROM` (BuildKit's `FromAsCasing` check).
//!
//! ## Why it matters
//! Consistent keywords make stages easy to find with a search; mixed casing usually means
//! a copy-paste from another file.
//!
//! ## Example
//! ```dockerfile
//! FROM golang:1.22 as build
//! ```
//!
//! ## Fix
//! Write `AS` in the same case as `FROM`. Offered as a fix (`shiplight lint --fix`, review
//! suggestions).

use crate::dockerfile::edit::Edit;
use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for stage in &ctx.df.stages {
        let Some(as_kw) = &stage.as_keyword else {
            continue;
        };
        let upper = |s: &str| s.chars().all(|c| !c.is_lowercase());
        let lower = |s: &str| s.chars().all(|c| !c.is_uppercase());
        let from = &stage.from_keyword;
        if (upper(from) && !upper(as_kw)) || (lower(from) && !lower(as_kw)) {
            let want = if upper(from) { "AS" } else { "as" };
            let edits = stage.as_span.clone().map(|r| vec![Edit::replace(r, want)]).unwrap_or_default();
            out.push(
                Hit::on_from(stage, format!("`{as_kw}` is not cased like `{from}`"))
                    .fix(format!("write `{want}`"))
                    .edits(edits),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::lines;

    #[test]
    fn flags_mismatched_casing() {
        assert_eq!(lines("SL206", "FROM a:1 as b\nfrom c:1 AS d\n"), vec![1, 2]);
        assert!(lines("SL206", "FROM a:1 AS b\nfrom c:1 as d\n").is_empty());
    }
}
