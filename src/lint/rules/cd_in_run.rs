//! ## What it does
//! Flags `cd` in RUN (hadolint DL3003).
//!
//! ## Why it matters
//! `cd` lasts only for that RUN, so later instructions run somewhere else than the reader
//! expects. WORKDIR says where the rest of the stage runs.
//!
//! ## Example
//! ```dockerfile
//! RUN cd /app && make
//! ```
//!
//! ## Fix
//! `WORKDIR /app` then `RUN make`.

use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for stage in &ctx.df.stages {
        for (ins, script) in ctx.runs(stage) {
            if let Some(cd) = script.calls(&["cd"]).next() {
                let dir = cd.args().first().map(String::as_str).unwrap_or("~");
                out.push(
                    Hit::on(ins, stage, format!("`cd {dir}` lasts only for this RUN"))
                        .fix(format!("use `WORKDIR {dir}`"))
                        .alias("DL3003"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::lines;

    #[test]
    fn flags_cd() {
        assert_eq!(lines("SL310", "FROM a:1\nRUN cd /app && make\n"), vec![2]);
        assert!(lines("SL310", "FROM a:1\nWORKDIR /app\nRUN make && echo cd\n").is_empty());
    }
}
