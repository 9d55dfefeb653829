//! `shiplight plan`: the affected images as text, as the matrix JSON, or as step outputs.

use std::io::Write;
use std::path::PathBuf;

use super::{exit, write_stdout};
use crate::pipeline::plan;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    Text,
    /// The matrix object alone
    Json,
    /// `matrix=`, `count=` and `plan=` (every image, affected or not) appended to $GITHUB_OUTPUT
    Github,
}

pub fn main(base_ref: &str, format: PlanFormat) -> i32 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    match plan::plan(&cwd, base_ref) {
        Ok(planned) => match format {
            PlanFormat::Text => {
                if !write_stdout(&plan::text(&planned)) {
                    return exit::USAGE;
                }
                exit::OK
            }
            PlanFormat::Json => {
                if !write_stdout(&format!("{}\n", plan::matrix(&planned))) {
                    return exit::USAGE;
                }
                exit::OK
            }
            PlanFormat::Github => {
                let matrix = plan::matrix(&planned);
                let count = matrix["include"].as_array().map_or(0, Vec::len);
                let Some(path) = std::env::var_os("GITHUB_OUTPUT") else {
                    eprintln!("error: --format github writes to $GITHUB_OUTPUT, which is not set; use --format json outside Actions");
                    return exit::USAGE;
                };
                let wrote = std::fs::OpenOptions::new().append(true).create(true).open(&path).and_then(|mut f| {
                    let all = serde_json::to_string(&plan::summary(&planned)).unwrap_or_default();
                    writeln!(f, "matrix={matrix}\ncount={count}\nplan={all}")
                });
                if let Err(e) = wrote {
                    eprintln!("error: cannot append to $GITHUB_OUTPUT ({}): {e}", PathBuf::from(path).display());
                    return exit::ENVIRONMENT;
                }
                eprint!("{}", plan::text(&planned));
                exit::OK
            }
        },
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}
