//! The GitHub Action: `shiplight action` reads the step's inputs and the run's environment,
//! runs one mode, and exits with the check's verdict. Each mode is one small file:
//!
//! - `run` (the default): for each Dockerfile, lint it, build and compare the PR's image with
//!   the base's, suggest a verified multi-stage rewrite; post one sticky comment, write the
//!   job summary, the outputs and the annotations.
//! - `comment`: the second half of the fork pattern. A `workflow_run` job reads the report a
//!   fork's run saved (untrusted), judges it again with its own thresholds and posts it after
//!   checking the pull request still has that head.
//! - `plan`: the first job of a monorepo's workflow: the images the pull request affects, as
//!   a matrix (the changed paths come from GitHub, so a shallow checkout is enough).
//! - `merge`: the fan-in of a monorepo's matrix. It reads every matrix job's saved report,
//!   judges each again, and posts one comment and one check for the whole pull request,
//!   listing the images the plan left out and the planned ones whose report is missing.
//!
//! The modes call library steps (`pipeline/`, `github/`, `report/`) and the shared steps in
//! `steps.rs`, never the CLI's commands.

mod comment;
mod inputs;
mod merge;
mod plan;
mod run;
mod steps;

pub use inputs::{input_var, CommentMode, InputError, Inputs, SuggestMode};

use std::path::PathBuf;

use crate::github::comment::CommentError;
use crate::pipeline::compare;
use crate::report::render::{signed_size, size};
use crate::report::Report;

/// What the step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Lint, build, compare, suggest, comment.
    Run,
    /// Post a report saved by an earlier run (the `workflow_run` half of the fork pattern).
    Comment,
    /// Combine the reports of a matrix's jobs into one comment and one check.
    Merge,
    /// Pick the images a pull request affects, as the matrix of the jobs that check them.
    Plan,
}

/// The run's environment, as the runner sets it.
pub type Runner = crate::github::Env;

/// Why the step could not do its job.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Compare(#[from] compare::CompareError),
    #[error(transparent)]
    GitHub(#[from] CommentError),
    #[error("{0}")]
    Environment(String),
}

impl ActionError {
    pub fn exit_code(&self) -> i32 {
        match self {
            ActionError::Input(_) | ActionError::Usage(_) => crate::exit::USAGE,
            ActionError::Compare(e) => e.exit_code(),
            ActionError::GitHub(_) | ActionError::Environment(_) => crate::exit::ENVIRONMENT,
        }
    }
}

/// What the step did, for the caller to print and exit with.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub report: Report,
    /// `pass`, `warn`, `fail` or `skipped`: the size verdict, made `fail` by lint findings
    /// that reach the threshold.
    pub verdict: String,
    pub comment_url: Option<String>,
    /// Where the report and the rendered comment were saved.
    pub report_json: PathBuf,
    pub comment_md: PathBuf,
    /// What happened to the comment, for the log.
    pub comment_note: String,
    pub exit_code: i32,
}

/// Run the step.
pub async fn run(inputs: &Inputs, runner: &Runner) -> Result<Outcome, ActionError> {
    match inputs.mode {
        Mode::Run => run::run(inputs, runner).await,
        Mode::Comment => comment::run(inputs, runner).await,
        Mode::Merge => merge::run(inputs, runner).await,
        Mode::Plan => plan::run(inputs, runner).await,
    }
}

/// A short text report for the log.
pub fn log_lines(outcome: &Outcome) -> Vec<String> {
    let mut out = Vec::new();
    for img in &outcome.report.images {
        let sizes = match (&img.comparison, &img.missing, &img.build_error) {
            (_, Some(_), _) => "no report".to_owned(),
            (_, _, Some(_)) => "does not build".to_owned(),
            (Some(c), _, _) => {
                format!("{} -> {} ({})", size(c.size.base), size(c.size.head), signed_size(c.size.delta))
            }
            (None, _, _) => size(img.head.size_bytes),
        };
        out.push(format!("{}: {sizes}: {:?}", img.name, img.verdict).to_lowercase());
    }
    // mode plan judges nothing
    if !outcome.verdict.is_empty() {
        out.push(format!("verdict: {}", outcome.verdict));
    }
    out.push(outcome.comment_note.clone());
    out
}
