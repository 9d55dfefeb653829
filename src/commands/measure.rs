//! `shiplight measure IMAGE`: size, pull cost, layers and waste of an image on the daemon.

use super::{block_on, exit, write_stdout};
use crate::pipeline::measure;
use crate::report::render;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MeasureFormat {
    Text,
    Json,
}

pub fn main(image: &str, format: MeasureFormat, timeout: u64, no_compressed: bool, packages: bool) -> i32 {
    let timeout = std::time::Duration::from_secs(timeout);
    let result = match block_on(measure::run(image, timeout, !no_compressed)) {
        Ok(r) => r,
        Err(code) => return code,
    };
    match result {
        Ok(mut m) => {
            if !packages {
                m.packages = None;
            }
            let out = match format {
                MeasureFormat::Text => render::measure_text(&m),
                MeasureFormat::Json => serde_json::to_string_pretty(&m).unwrap_or_default() + "\n",
            };
            if write_stdout(&out) {
                exit::OK
            } else {
                exit::USAGE
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit::ENVIRONMENT
        }
    }
}
