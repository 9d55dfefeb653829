//! `shiplight lint`: print the report in the chosen format; exit 1 when a finding reaches the threshold.

use std::path::PathBuf;

use super::{exit, write_stdout};
use crate::pipeline::lint::{self, LintOptions};
use crate::report::render::{self, Format};

pub fn main(paths: Vec<PathBuf>, format: Format, config: Option<PathBuf>, targets: Vec<String>, fix: bool) -> i32 {
    let opts = LintOptions { paths, config, targets, cwd: None, fix };
    match lint::run(&opts) {
        Ok(report) => {
            if format != Format::Text {
                for w in &report.warnings {
                    eprintln!("warning: {w}");
                }
                for n in &report.notes {
                    eprintln!("note: {n}");
                }
            }
            let out = render::render(&report, format);
            if !write_stdout(&out) {
                return exit::USAGE;
            }
            if report.failed() {
                exit::FINDINGS
            } else {
                exit::OK
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit::USAGE
        }
    }
}
