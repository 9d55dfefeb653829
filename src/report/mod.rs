//! The one value that travels: a [`Report`] is built once and rendered many ways
//! ([`render`]). Renderers never recompute anything.

pub mod comment;
pub mod render;
pub mod review;
pub mod ships;

use serde::{Deserialize, Serialize};

use crate::image::compare::{Comparison, Verdict};
use crate::image::ImageMeasure;
use crate::lint::{Finding, Severity};

/// The result of a lint run over one or more files.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Files that were checked, in order.
    pub files: Vec<String>,
    /// Every finding, grouped by file in the order of `files`, then by line.
    pub findings: Vec<Finding>,
    /// Findings at or above this severity fail the run (`None`: never).
    pub failure_threshold: Option<Severity>,
    /// Configuration warnings (unknown keys, unknown rule codes).
    pub warnings: Vec<String>,
    /// What decided things the user did not state, per file: which stages ship and where
    /// that came from (`--target`, `.shiplight.yml`, a compose file, the last stage).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Images built and compared (`shiplight compare`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<ImageReport>,
    /// The worst verdict over `images`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// `findings` holds only the findings the base Dockerfile did not have.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub new_findings_only: bool,
    /// Images a monorepo's plan left out (nothing they build from changed), by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unchanged: Vec<String>,
    /// The pull request, in an Action run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_request: Option<PullRequestRef>,
    /// What the review step did with the findings' fixes (`review: suggestions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<review::ReviewOutcome>,
    /// Where each checked file (as `files` shows it) is on this machine, for formats that
    /// locate files absolutely (SARIF). Filled by the command that read them; not saved.
    #[serde(skip)]
    pub sources: std::collections::BTreeMap<String, SourceFile>,
}

impl Report {
    /// Set `verdict` to the worst image's.
    pub fn settle_verdict(&mut self) {
        self.verdict = self.images.iter().map(|i| i.verdict).max();
    }

    pub fn with_verdict(mut self) -> Report {
        self.settle_verdict();
        self
    }
}

/// A checked file on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The canonical absolute path.
    pub absolute: std::path::PathBuf,
    /// The repository it is in (the nearest folder above it with `.git`), if any.
    pub repository: Option<std::path::PathBuf>,
}

/// One image, head against base: the contract later renderers (the PR comment) read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageReport {
    /// A short key for the image (the Dockerfile's folder, or `--name`).
    pub name: String,
    /// The Dockerfile path, relative to the repository when known.
    pub dockerfile: String,
    pub target: Option<String>,
    /// The Docker engine that built both images, e.g. `20.10.24 (API 1.41)`.
    pub engine: String,
    /// What the base is: a commit (`--base-ref`) or an image (`--base-image`).
    pub base_ref: Option<String>,
    /// The resolved base commit.
    pub base_commit: Option<String>,
    /// Why there is no comparison, when there is none.
    pub base_skipped: Option<String>,
    pub base: Option<ImageMeasure>,
    pub head: ImageMeasure,
    pub delta_bytes: Option<i64>,
    pub delta_percent: Option<f64>,
    pub comparison: Option<Comparison>,
    pub verdict: Verdict,
    /// Why the verdict is not a pass.
    pub reasons: Vec<crate::image::compare::Reason>,
    /// Set when a label approved a size failure: the verdict became a pass, and this says why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved: Option<String>,
    /// The multi-stage rewrite of the head Dockerfile, when one was asked for and found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<Suggestion>,
    /// What ships of the Dockerfile and the evidence (`ships: docker/build-push-action pushes
    /// it (.github/workflows/release.yml:42)`), when the repository says more than the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ships: Option<String>,
    /// The pull request's image does not build: the failing step and the end of its output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_error: Option<String>,
    /// Packages added, removed and changed, head against base, each on its line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packages: Option<crate::image::packages::PackageDelta>,
    /// The platform (`linux/arm64`) when the image is one entry of a multi-platform index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// `--sizes-only`: only compressed sizes were read, and the verdict judges those.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sizes_only: bool,
    /// Set by `mode: merge` for a planned image whose matrix job left no report: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<String>,
    /// The base commit's Dockerfile text (for "new findings"); not part of the saved report.
    #[serde(skip)]
    pub base_dockerfile: Option<String>,
    /// The head image's packages, for the findings that state what a line costs; not saved
    /// (the report keeps the delta).
    #[serde(skip)]
    pub head_packages: Option<crate::image::packages::Inventory>,
}

impl ImageReport {
    /// How reports name the image: its name, and its platform when it is one of an index's.
    pub fn label(&self) -> String {
        match &self.platform {
            Some(p) => format!("{} ({p})", self.name),
            None => self.name.clone(),
        }
    }

    /// The size its verdict judges: compressed with `--sizes-only`, else uncompressed.
    pub fn judged_bytes(&self, m: &ImageMeasure) -> u64 {
        if self.sizes_only {
            m.compressed_bytes
        } else {
            m.size_bytes
        }
    }

    /// The judged size's change, when there is a comparison.
    pub fn judged_delta(&self) -> Option<crate::image::compare::Delta> {
        self.comparison.as_ref().map(|c| if self.sizes_only { c.compressed } else { c.size })
    }

    /// Set the verdict and its reasons under `t`: the judged size against the budget, its
    /// change against the increase limits. (An image that does not build, or whose report is
    /// missing, is judged by whoever knows that.)
    pub fn judge(&mut self, t: &crate::image::compare::Thresholds) {
        let (v, reasons) =
            crate::image::compare::verdict(self.judged_bytes(&self.head), self.judged_delta().as_ref(), t);
        self.verdict = v;
        self.reasons = reasons;
    }
}

/// Which pull request a report is for, so a later `workflow_run` job can post it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequestRef {
    pub number: u64,
    pub head_sha: String,
}

/// The result, in the shape `--format json` prints.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    pub dockerfile: String,
    /// The file the patch edits when it is not the Dockerfile: the compose, bake or workflow
    /// file that picks a heavy stage (`retarget`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// What ships of the Dockerfile, and the evidence (`ships: … (.github/workflows/x.yml:42)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ships: Option<String>,
    /// A `retarget` patch: the heavy stage the file built, and the light one it builds now
    /// (`None`: the last stage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retarget: Option<Retarget>,
    /// `patch`, `nothing` or `refused`.
    pub outcome: String,
    /// Why there is no patch, when there is none.
    pub message: Option<String>,
    /// A refusal's reason code (`unknown-artifact`, `mixed-run`, …), for counting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub ecosystem: Option<String>,
    pub diff: Option<String>,
    pub patched: Option<String>,
    pub rationale: Vec<crate::patch::Rationale>,
    /// Set by `--write`.
    pub written: bool,
    /// Set by `--verify`.
    pub verification: Option<Verification>,
}

/// The stages a `retarget` patch moves between.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retarget {
    pub from: String,
    pub to: Option<String>,
}

/// What building and running both images showed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Verification {
    /// Both build, and the smoke check (if any) sees the same from both.
    pub verified: bool,
    /// Why not, when not: shown instead of a recommendation.
    pub reason: Option<String>,
    /// e.g. `20.10.24 (API 1.41)`.
    pub engine: String,
    pub original_bytes: Option<u64>,
    pub patched_bytes: Option<u64>,
    pub delta_bytes: Option<i64>,
    pub delta_percent: Option<f64>,
    pub smoke: Option<SmokeReport>,
}

/// The smoke check of both images.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SmokeReport {
    /// `GET :5000/`, or the command run.
    pub check: String,
    pub original: crate::image::docker::smoke::Outcome,
    pub patched: crate::image::docker::smoke::Outcome,
    pub same: bool,
}

impl Report {
    /// Whether any finding reaches the failure threshold.
    pub fn failed(&self) -> bool {
        self.failure_threshold.is_some_and(|t| self.findings.iter().any(|f| f.severity.reaches(t)))
    }

    /// Number of findings of each severity, most serious first.
    pub fn counts(&self) -> [(Severity, usize); 4] {
        Severity::ALL.map(|s| (s, self.findings.iter().filter(|f| f.severity == s).count()))
    }
}
