//! `shiplight ships`: what ships of every Dockerfile of a repository, and why.

use std::path::Path;

use super::{exit, write_stdout};

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShipsFormat {
    Text,
    Json,
}

pub fn main(path: &Path, format: ShipsFormat) -> i32 {
    match crate::pipeline::repository::listing(path) {
        Ok(listing) => {
            let text = match format {
                ShipsFormat::Text => crate::report::ships::text(&listing),
                ShipsFormat::Json => serde_json::to_string_pretty(&listing).unwrap_or_default() + "\n",
            };
            if write_stdout(&text) {
                exit::OK
            } else {
                exit::USAGE
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit::USAGE
        }
    }
}
