//! `shiplight suggest`: the multi-stage rewrite as a diff, JSON or markdown; `--verify` builds it,
//! `--write` applies it when verified.

use super::{block_on, exit, write_stdout};
use crate::pipeline::suggest::{self, SuggestOptions};

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SuggestFormat {
    Diff,
    Json,
    Markdown,
}

pub fn main(opts: &SuggestOptions, format: SuggestFormat) -> i32 {
    let mut s = match suggest::run(opts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    if opts.verify && s.patched.is_some() {
        let original = std::fs::read_to_string(&opts.dockerfile).unwrap_or_default();
        match block_on(suggest::verify(opts, &original, &mut s)) {
            Ok(Ok(v)) => s.verification = Some(v),
            Ok(Err(e)) => {
                eprintln!("error: {e}");
                return exit::ENVIRONMENT;
            }
            Err(code) => return code,
        }
    }
    let verified = s.verification.as_ref().is_none_or(|v| v.verified);
    if opts.write && verified {
        if let Err(e) = suggest::write(opts, &mut s) {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    }
    let out = match format {
        SuggestFormat::Json => serde_json::to_string_pretty(&s).unwrap_or_default() + "\n",
        SuggestFormat::Markdown => suggest::markdown(&s),
        SuggestFormat::Diff => {
            if let Some(why) = &s.message {
                eprintln!("{}: no rewrite: {why}", s.dockerfile);
            }
            match &s.verification {
                Some(v) if !v.verified => {
                    eprintln!("{}: not verified: {}", s.dockerfile, v.reason.as_deref().unwrap_or("?"));
                    String::new()
                }
                _ => s.diff.clone().unwrap_or_default(),
            }
        }
    };
    if let Some(v) = s.verification.as_ref().filter(|v| v.verified) {
        if let (Some(a), Some(b)) = (v.original_bytes, v.patched_bytes) {
            eprintln!("{}: verified: {a} B -> {b} B ({:+.1} %)", s.dockerfile, v.delta_percent.unwrap_or(0.0));
        }
    }
    if s.written {
        eprintln!("{}: rewritten", s.dockerfile);
    }
    if !write_stdout(&out) {
        return exit::USAGE;
    }
    if verified {
        exit::OK
    } else {
        exit::FINDINGS
    }
}
