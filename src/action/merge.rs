//! Mode `merge`: the fan-in of a monorepo's matrix. Every matrix job checked one image and
//! saved its `report.json` as an artifact; this job reads them all, judges each image again
//! with its own thresholds (a saved verdict counts for nothing), and posts one sticky comment
//! and one check for the whole pull request, with one review of the proved one-click fixes
//! (`review: suggestions`; the matrix jobs, `comment: never`, post none). The plan says which
//! images were left out (unchanged) and which were planned: a planned image without a report
//! is shown as missing and fails the check unless `missing-report: warn`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::steps::{self, say};
use super::{ActionError, CommentMode, Inputs, Outcome, Runner};
use crate::github::comment::CommentError;
use crate::github::event;
use crate::image::compare::{Thresholds, Verdict};
use crate::pipeline::plan::{self, PlanSummary};
use crate::report::comment::{self as body, safe_key};
use crate::report::render::escape_data;
use crate::report::{ImageReport, PullRequestRef, Report};

/// The merged comment's marker key: one comment for all images, whichever the plan picked.
pub const KEY: &str = "images";

/// At most this many report files are read (a plan of 1,000 images fits).
const MAX_REPORTS: usize = 2_000;

/// Every `report.json` under `dir`, a few folders deep (download-artifact puts each artifact
/// in a folder of its name), in path order.
fn report_files(dir: &Path) -> Result<Vec<PathBuf>, ActionError> {
    let mut found = Vec::new();
    let mut queue = vec![(dir.to_path_buf(), 0)];
    while let Some((d, depth)) = queue.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| {
            ActionError::Usage(format!(
                "input `reports`: cannot read {} ({e}); download the report artifacts into it first",
                d.display()
            ))
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            let kind = entry.file_type().ok();
            if kind.is_some_and(|k| k.is_dir()) && depth < 3 {
                queue.push((path, depth + 1));
            } else if kind.is_some_and(|k| k.is_file()) && entry.file_name() == "report.json" {
                found.push(path);
            }
        }
        if found.len() > MAX_REPORTS {
            return Err(ActionError::Usage(format!(
                "input `reports`: more than {MAX_REPORTS} report.json files under {}",
                dir.display()
            )));
        }
    }
    found.sort();
    Ok(found)
}

/// The plan: inline JSON (the plan job's `plan` output) or a file in the workspace.
fn read_plan(value: &str, ws: &Path) -> Result<PlanSummary, ActionError> {
    let text = if value.trim_start().starts_with('{') {
        value.to_owned()
    } else {
        std::fs::read_to_string(ws.join(value)).map_err(|e| {
            ActionError::Usage(format!("input `plan`: cannot read {value} ({e}); give the plan job's `plan` output"))
        })?
    };
    serde_json::from_str(&text).map_err(|e| {
        ActionError::Usage(format!("input `plan`: not the JSON `shiplight plan --format github` writes as `plan`: {e}"))
    })
}

/// Each image's own thresholds from this job's `.shiplight.yml` (its checkout is trusted; the
/// reports are not), on top of the inputs'.
fn thresholds(inputs: &Inputs, ws: &Path) -> Result<BTreeMap<String, Thresholds>, ActionError> {
    let mut out = BTreeMap::new();
    let images = plan::configured_at(ws).map_err(|e| ActionError::Usage(e.to_string()))?;
    for spec in images.into_iter().flatten() {
        let own = match &spec.thresholds {
            Some(t) => {
                t.apply(inputs.thresholds).map_err(|e| ActionError::Usage(format!("image `{}`: {e}", spec.name)))?
            }
            None => inputs.thresholds,
        };
        out.insert(safe_key(&spec.name), own);
    }
    Ok(out)
}

/// Combine the saved reports and the plan into one report: every reported image, the planned
/// images without a report as missing, and the ones the plan left out as unchanged. Pure, so
/// the size limit and the table can be tested on generated reports.
pub fn combine(saved: Vec<Report>, plan: Option<&PlanSummary>, missing_fails: bool) -> (Report, Vec<String>) {
    let mut warnings = Vec::new();
    let mut merged = Report::default();
    for r in saved {
        merged.new_findings_only |= r.new_findings_only;
        merged.files.extend(r.files);
        merged.findings.extend(r.findings);
        for img in r.images {
            // an index's platforms share the image's name: each is its own entry
            if merged.images.iter().any(|i| safe_key(&i.name) == safe_key(&img.name) && i.platform == img.platform) {
                warnings.push(format!("two reports for the image `{}`: the first one is used", img.label()));
                continue;
            }
            merged.images.push(img);
        }
    }
    if let Some(plan) = plan {
        let reported = |p: &plan::PlannedImage| {
            merged.images.iter().any(|i| {
                safe_key(&i.name) == safe_key(&p.name) || (!p.dockerfile.is_empty() && i.dockerfile == p.dockerfile)
            })
        };
        let mut missing = Vec::new();
        for p in plan.images.iter().filter(|p| p.affected && !reported(p)) {
            missing.push(ImageReport {
                name: p.name.clone(),
                dockerfile: p.dockerfile.clone(),
                verdict: if missing_fails { Verdict::Fail } else { Verdict::Warn },
                missing: Some("no report: its matrix job failed, was cancelled or did not upload it".into()),
                ..ImageReport::default()
            });
        }
        let unchanged = plan
            .images
            .iter()
            .filter(|p| !p.affected && p.skipped.is_none() && !reported(p))
            .map(|p| p.name.clone())
            .collect();
        merged.unchanged = unchanged;
        merged.images.extend(missing);
    }
    merged.settle_verdict();
    (merged, warnings)
}

pub async fn run(inputs: &Inputs, runner: &Runner) -> Result<Outcome, ActionError> {
    let ws = &runner.workspace;
    let dir = ws.join(inputs.reports.clone().unwrap_or_else(|| inputs.report_dir.clone()));
    let mut saved = Vec::new();
    for path in report_files(&dir)? {
        // one unreadable artifact does not hide the others: its image counts as missing
        match steps::read_saved(&path, "reports") {
            Ok(r) => saved.push(r),
            Err(e) => say(&format!("::warning::{}; its image counts as missing", escape_data(&e.to_string()))),
        }
    }
    let plan = inputs.plan.as_deref().map(|p| read_plan(p, ws)).transpose()?;
    if plan.is_none() {
        say("::warning::mode: merge has no `plan` input: images whose report is missing cannot be told apart from images the plan left out; give the plan job's `plan` output");
    }
    say(&format!("shiplight: {} report(s) found under {}", saved.len(), dir.display()));
    let saved_pr = saved.iter().find_map(|r| r.pull_request.as_ref().map(|p| p.number));
    let (mut report, warnings) = combine(saved, plan.as_ref(), inputs.missing_report_fails);
    for w in warnings {
        say(&format!("::warning::{}", escape_data(&w)));
    }

    // the pull request: this run's own (same-repository), or the run a workflow_run follows
    let event_text = runner.event_text();
    let pr = event_text.as_deref().and_then(|t| event::pull_request(t).ok().flatten());
    let followed = event_text.as_deref().and_then(|t| event::workflow_run(t).ok().flatten());
    let mut client = None;
    let (target, labels, run_url) = match (&pr, &followed) {
        (Some(p), _) => (Some((p.number, p.head_sha.clone())), p.labels.clone(), None),
        (None, Some(run)) => {
            let (mut c, token) = steps::client(inputs, runner)?;
            say(&steps::identify(&mut c, inputs, runner, &token).await?);
            let (number, labels) = steps::followed_pull_request(&mut c, run, saved_pr).await?;
            client = Some(c);
            (Some((number, run.head_sha.clone())), labels, run.html_url.clone())
        }
        (None, None) => (None, Vec::new(), None),
    };
    let own = thresholds(inputs, ws)?;
    for img in report.images.iter_mut().filter(|i| i.missing.is_none()) {
        let t = own.get(&safe_key(&img.name)).unwrap_or(&inputs.thresholds);
        steps::rejudge(img, t, inputs.approve_label.as_deref(), &labels);
    }
    report.settle_verdict();
    report.failure_threshold = inputs.lint_failure_threshold;
    report.pull_request =
        target.as_ref().map(|(number, sha)| PullRequestRef { number: *number, head_sha: sha.clone() });

    // one review for the whole pull request, from every job's saved findings and rewrites,
    // each computed again on the head files as GitHub has them (the reports are untrusted)
    report.review = None;
    if let (Some((number, sha)), true) = (&target, inputs.review && inputs.comment != CommentMode::Never) {
        let loaded = crate::pipeline::lint::load_config(inputs.config.as_ref().map(|c| ws.join(c)).as_deref(), ws)
            .map_err(|e| ActionError::Usage(e.to_string()))?;
        let cfg_for = |path: &str, text: &str| {
            crate::pipeline::lint::ship_for(loaded.config.clone(), &ws.join(path), ws, text, None, "").0
        };
        let base = pr.as_ref().map(|p| p.base_sha.as_str());
        report.review = Some(steps::review(inputs, runner, *number, sha, base, &report, &cfg_for).await);
    }

    let head_sha = target.as_ref().map(|(_, sha)| sha.clone()).or_else(|| runner.sha.clone());
    let comment = body::render(&report, KEY, &steps::links(runner, head_sha, run_url), &steps::template(inputs, ws)?)
        .map_err(ActionError::Usage)?;
    let (report_json, comment_md) = steps::save(inputs, runner, &report, &comment)?;
    let mut outcome = Outcome { verdict: steps::verdict_word(&report), report_json, comment_md, ..Outcome::default() };
    outcome.comment_note = match (&target, inputs.comment) {
        (None, _) => "no comment: this event has no pull request; the report is in the job summary".into(),
        (Some(_), CommentMode::Never) => "no comment: comment is `never`".into(),
        (Some((number, _)), _) => {
            let c = match client.take() {
                Some(c) => c,
                None => {
                    let (mut c, token) = steps::client(inputs, runner)?;
                    say(&steps::identify(&mut c, inputs, runner, &token).await?);
                    c
                }
            };
            match c.upsert(*number, KEY, &comment).await {
                Ok(posted) => {
                    steps::notice_ignored(&posted);
                    outcome.comment_url = Some(posted.url.clone());
                    format!("comment {} {}", if posted.created { "posted:" } else { "updated:" }, posted.url)
                }
                Err(e) if e.is_forbidden() => {
                    say(&format!("::warning::{}", escape_data(&e.to_string())));
                    let why = match e {
                        CommentError::UnknownAuthor { .. } => "the comments' author is unknown",
                        _ => "the token may not write here (a fork's pull request: merge in a workflow_run job)",
                    };
                    format!("no comment: {why}. The report is saved in {}", outcome.report_json.display())
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    outcome.exit_code = if outcome.verdict == "fail" { crate::exit::FINDINGS } else { crate::exit::OK };
    outcome.report = report;
    steps::hand_back(runner, &outcome, &comment);
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::ImageMeasure;

    fn saved(name: &str, size: u64) -> Report {
        Report {
            images: vec![ImageReport {
                name: name.into(),
                dockerfile: format!("{name}/Dockerfile"),
                head: ImageMeasure { size_bytes: size, ..ImageMeasure::default() },
                ..ImageReport::default()
            }],
            ..Report::default()
        }
    }

    fn planned(name: &str, affected: bool) -> plan::PlannedImage {
        plan::PlannedImage {
            name: name.into(),
            dockerfile: format!("{name}/Dockerfile"),
            affected,
            reason: affected.then(|| "changed".into()),
            skipped: None,
        }
    }

    #[test]
    fn planned_without_a_report_is_missing_and_left_out_is_unchanged() {
        let plan = PlanSummary { images: vec![planned("api", true), planned("web", true), planned("docs", false)] };
        let (r, warnings) = combine(vec![saved("api", 10)], Some(&plan), true);
        assert!(warnings.is_empty());
        let names: Vec<&str> = r.images.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["api", "web"]);
        assert!(r.images[1].missing.is_some() && r.images[1].verdict == Verdict::Fail);
        assert_eq!(r.unchanged, ["docs"]);
        assert_eq!(r.verdict, Some(Verdict::Fail));
        let (r, _) = combine(vec![saved("api", 10)], Some(&plan), false);
        assert_eq!(r.verdict, Some(Verdict::Warn), "missing-report: warn");
    }

    #[test]
    fn a_second_report_for_one_image_is_named_and_not_counted_twice() {
        let (r, warnings) = combine(vec![saved("api", 10), saved("api", 99)], None, true);
        assert_eq!(r.images.len(), 1);
        assert_eq!(r.images[0].head.size_bytes, 10);
        assert!(warnings[0].contains("two reports for the image `api`"), "{warnings:?}");
    }

    #[test]
    fn a_saved_verdict_counts_for_nothing() {
        let mut img = saved("api", 900_000_000).images.remove(0);
        img.verdict = Verdict::Pass;
        let budget = Thresholds { max_size: Some(500_000_000), ..Thresholds::default() };
        steps::rejudge(&mut img, &budget, None, &[]);
        assert_eq!(img.verdict, Verdict::Fail);
        // a sizes-only report is judged again on its compressed bytes, as compare judged it
        let mut small = saved("api", 0).images.remove(0);
        small.sizes_only = true;
        small.head.compressed_bytes = 600_000_000;
        steps::rejudge(&mut small, &budget, None, &[]);
        assert_eq!(small.verdict, Verdict::Fail, "{:?}", small.reasons);
    }

    #[test]
    fn the_platforms_of_one_image_are_each_kept() {
        let mut amd = saved("api", 10);
        amd.images[0].platform = Some("linux/amd64".into());
        let mut arm = saved("api", 20);
        arm.images[0].platform = Some("linux/arm64".into());
        let (r, warnings) = combine(vec![amd, arm], None, true);
        assert_eq!(r.images.len(), 2, "{warnings:?}");
        assert!(warnings.is_empty(), "{warnings:?}");
    }
}
