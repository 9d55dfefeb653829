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
    // with no --target, the stage the repository ships (a workflow's or compose file's target)
    let mut built = opts.clone();
    if opts.target.is_none() && opts.head_image.is_none() {
        let cwd = std::env::current_dir().unwrap_or_default();
        built.target = crate::pipeline::repository::shipped_target(&opts.dockerfile, &cwd);
        if let Some(t) = &built.target {
            eprintln!("note: building stage `{t}`, the stage the repository ships (`shiplight ships` says why)");
        }
    }
    let result = match block_on(compare::run(&built)) {
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
