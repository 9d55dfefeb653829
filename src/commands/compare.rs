//! `shiplight compare`: build, measure and compare; print text, JSON or the comment's markdown.

use super::{block_on, exit, write_stdout};
use crate::pipeline::compare::{self, CompareOptions};
use crate::pipeline::review;
use crate::report::render;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompareFormat {
    Text,
    Json,
    /// The pull-request comment, as the Action would post it.
    Markdown,
}

pub fn main(opts: &CompareOptions, format: CompareFormat, verify: bool) -> i32 {
    let result = match block_on(compare::run(opts)) {
        Ok(r) => r,
        Err(code) => return code,
    };
    match result {
        Ok(report) => {
            let out = match format {
                CompareFormat::Text => render::compare_text(&report),
                CompareFormat::Json => serde_json::to_string_pretty(&report).unwrap_or_default() + "\n",
                CompareFormat::Markdown => {
                    let preview = review::preview(opts, report.clone(), verify);
                    match block_on(preview) {
                        Ok(Ok(body)) => body,
                        Ok(Err(e)) => {
                            eprintln!("error: {e}");
                            return exit::USAGE;
                        }
                        Err(code) => return code,
                    }
                }
            };
            if !write_stdout(&out) {
                return exit::USAGE;
            }
            compare::exit_code(&report)
        }
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}
