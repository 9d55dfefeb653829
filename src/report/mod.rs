//! The one value that travels: a [`Report`] is built once and rendered many ways
//! ([`render`]). Renderers never recompute anything.

pub mod render;

use serde::{Deserialize, Serialize};

use crate::lint::{Finding, Severity};

/// The result of a lint run over one or more files.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Files that were checked, in order.
    pub files: Vec<String>,
    /// Every finding, grouped by file in the order of `files`, then by line.
    pub findings: Vec<Finding>,
    /// Findings at or above this severity fail the run (`None`: never).
    pub failure_threshold: Option<Severity>,
    /// Configuration warnings (unknown keys, unknown rule codes).
    pub warnings: Vec<String>,
}

impl Report {
    /// Whether any finding reaches the failure threshold.
    pub fn failed(&self) -> bool {
        self.failure_threshold
            .is_some_and(|t| self.findings.iter().any(|f| f.severity.reaches(t)))
    }

    /// Number of findings of each severity, most serious first.
    pub fn counts(&self) -> [(Severity, usize); 4] {
        Severity::ALL.map(|s| (s, self.findings.iter().filter(|f| f.severity == s).count()))
    }
}
