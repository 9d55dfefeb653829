//! One function per CLI subcommand: it calls the library steps (`pipeline/`, `action/`) and
//! decides what the user sees (stdout, stderr) and the exit code. `main.rs` only parses the
//! arguments and dispatches here.

use std::io::Write;

pub use crate::exit;

pub mod action;
pub mod compare;
pub mod lint;
pub mod measure;
pub mod plan;
pub mod rules;
pub mod ships;
pub mod suggest;

/// Run an async step on a fresh runtime; `Err` is the exit code when none can start.
fn block_on<T>(f: impl std::future::Future<Output = T>) -> Result<T, i32> {
    match tokio::runtime::Runtime::new() {
        Ok(r) => Ok(r.block_on(f)),
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            Err(exit::ENVIRONMENT)
        }
    }
}

/// Write to stdout (colours stripped when it is not a terminal); false when it is closed.
fn write_stdout(text: &str) -> bool {
    let mut stdout = anstream::stdout();
    stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()).is_ok()
}
