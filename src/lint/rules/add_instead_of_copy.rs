//! ## What it does
//! Flags `ADD` of local files and folders (hadolint DL3020). ADD of a URL, a git
//! repository or a local archive (which ADD extracts) is left alone.
//!
//! ## Why it matters
//! ADD's extra behaviours (extracting archives, fetching URLs) surprise readers and can
//! unpack a file you meant to copy. COPY does only what it says.
//!
//! ## Example
//! ```dockerfile
//! ADD app/ /app/
//! ```
//!
//! ## Fix
//! `COPY app/ /app/`. Offered as a fix (`shiplight lint --fix`, review suggestions): the
//! keyword becomes `COPY`, the rest stays; none when the ADD has options COPY has not
//! (`ADD --checksum`, `ADD --keep-git-dir`).

use crate::dockerfile::edit::Edit;
use crate::dockerfile::{Body, Kind};
use crate::lint::{Ctx, Hit};

fn is_special(src: &str) -> bool {
    // the builder's word processing takes the quotes off (`ADD "https://…?a=1&b=2" f`)
    let s = src.trim_matches(['"', '\'']).to_ascii_lowercase();
    s.starts_with("http://")
        || s.starts_with("https://")
        || s.starts_with("git@")
        || s.starts_with("<<")
        || s.contains('$')
        || [".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".gz", ".bz2", ".xz"]
            .iter()
            .any(|e| s.ends_with(e))
}

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for stage in &ctx.df.stages {
        for ins in stage.of_kind(Kind::Add) {
            let Body::Copy { sources, .. } = &ins.body else {
                continue;
            };
            if !sources.is_empty() && !sources.iter().any(|s| is_special(s)) {
                // ADD's own options have no COPY meaning: then no fix
                let add_only = ins
                    .flags
                    .iter()
                    .any(|f| !["chown", "chmod", "link", "exclude"].iter().any(|c| f.name.eq_ignore_ascii_case(c)));
                let keyword = ins.span.start..ins.span.start + ins.keyword.len();
                let copy = if ins.keyword.chars().all(|c| c.is_ascii_lowercase()) { "copy" } else { "COPY" };
                let edits = if add_only { Vec::new() } else { vec![Edit::replace(keyword, copy)] };
                out.push(
                    Hit::on(
                        ins,
                        stage,
                        "ADD copies local files here; COPY does the same without ADD's archive and URL magic",
                    )
                    .fix("use COPY")
                    .alias("DL3020")
                    .edits(edits),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::lines;

    #[test]
    fn flags_local_add() {
        assert_eq!(lines("SL306", "FROM a:1\nADD app/ /app/\n"), vec![2]);
        assert!(lines(
            "SL306",
            "FROM a:1\nADD https://x/y.tgz /t/\nADD rootfs.tar.xz /\nADD git@github.com:o/r.git /src\n"
        )
        .is_empty());
        // round 23 (koush/scrypted): a quoted URL, fetched on purpose to bust the cache
        assert!(lines(
            "SL306",
            "FROM a:1\nADD \"https://www.random.org/cgi-bin/randbyte?nbytes=10&format=h\" skipcache\n"
        )
        .is_empty());
        assert!(
            lines("SL306", "FROM a:1\nADD <<EOF /etc/motd\nhello\nEOF\n").is_empty(),
            "a heredoc is not a local file"
        );
    }
}
