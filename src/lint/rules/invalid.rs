//! ## What it does
//! Reports a file that cannot be read as a Dockerfile: not UTF-8, no `FROM`, an unknown
//! instruction, an unterminated heredoc, an instruction before the first `FROM`.
//!
//! ## Why it matters
//! Docker would refuse to build it; every other rule needs a parsed file.
//!
//! ## Example
//! ```dockerfile
//! RUN echo "no FROM above me"
//! ```
//!
//! ## Fix
//! Follow the message: it names the line, the column and what the parser expected.

use crate::lint::{Ctx, Hit};

/// Parse errors are reported by the engine (`lint::invalid`); there is nothing to check here.
pub fn check(_: &Ctx, _: &mut Vec<Hit>) {}
