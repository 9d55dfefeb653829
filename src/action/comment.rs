//! Mode `comment`: the `workflow_run` half of the fork pattern. It posts the report a fork's
//! run saved, after judging it again with this job's thresholds.

use super::steps::{self, say};
use super::{ActionError, Inputs, Outcome, Runner};
use crate::github::comment::Comments;
use crate::github::event;
use crate::image::compare::{verdict, Verdict};
use crate::report::comment::{self as body, run_key, safe_key};
use crate::report::{PullRequestRef, Report};

/// Saved reports larger than this are refused (a real one is a few hundred kB).
const MAX_SAVED_REPORT: u64 = 16 * 1024 * 1024;

/// The workflow_run half of the fork pattern. Everything in the saved report is untrusted:
/// verdicts are judged again with this job's thresholds, text goes through the comment's
/// escaping, and the pull request must still have the head the report was made for.
pub async fn run(inputs: &Inputs, runner: &Runner) -> Result<Outcome, ActionError> {
    let ws = &runner.workspace;
    let run = runner.event_text().and_then(|t| event::workflow_run(&t).ok().flatten()).ok_or_else(|| {
        ActionError::Usage(
            "mode: comment runs in a workflow_run job (on: workflow_run), which this event is not".into(),
        )
    })?;
    let path = ws.join(inputs.report.clone().unwrap_or_else(|| inputs.report_dir.join("report.json")));
    let shown = path.display().to_string();
    let len = std::fs::metadata(&path)
        .map_err(|e| {
            ActionError::Usage(format!("input `report`: cannot read {shown} ({e}); download the artifact first"))
        })?
        .len();
    if len > MAX_SAVED_REPORT {
        return Err(ActionError::Usage(format!(
            "input `report`: {shown} is {len} bytes, too large for a shiplight report"
        )));
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|e| ActionError::Usage(format!("input `report`: cannot read {shown} ({e})")))?;
    let mut report: Report = serde_json::from_str(&text)
        .map_err(|e| ActionError::Usage(format!("input `report`: {shown} is not a shiplight report: {e}")))?;
    let number =
        run.pull_requests.first().copied().or(report.pull_request.as_ref().map(|p| p.number)).ok_or_else(|| {
            ActionError::Usage(format!("{shown} names no pull request, and the workflow run has none"))
        })?;
    let (repo, token) = match (&runner.repository, inputs.token.clone().or_else(|| runner.token.clone())) {
        (Some(r), Some(t)) => (r.clone(), t),
        _ => return Err(ActionError::Usage("posting needs GITHUB_REPOSITORY and a token (input github-token)".into())),
    };
    let mut client = Comments::new(&runner.api_url, &token, &repo)?;
    say(&steps::identify(&mut client, inputs, runner, &token).await?);
    let (head, labels) = client.pull_request(number).await?;
    if head != run.head_sha {
        return Err(ActionError::Usage(format!(
            "pull request #{number} is at {head}, not at {} that run {} built: the report is stale or not for this pull request; nothing was posted",
            run.head_sha, run.id
        )));
    }
    // judge again, with this (trusted) job's thresholds and the labels GitHub reports
    for img in &mut report.images {
        img.name = safe_key(&img.name);
        let delta = img.comparison.as_ref().map(|c| c.size);
        let (v, reasons) = match img.build_error {
            Some(_) => (Verdict::Fail, Vec::new()),
            None => verdict(img.head.size_bytes, delta.as_ref(), &inputs.thresholds),
        };
        img.verdict = v;
        img.reasons = reasons;
        img.approved = None;
        steps::approve(img, inputs.approve_label.as_deref(), &labels);
    }
    report.verdict = report.images.iter().map(|i| i.verdict).max();
    report.failure_threshold = inputs.lint_failure_threshold;
    report.pull_request = Some(PullRequestRef { number, head_sha: run.head_sha.clone() });
    let key = run_key(&report);
    let comment = body::render(
        &report,
        &key,
        &steps::links(runner, Some(run.head_sha.clone()), run.html_url.clone()),
        &steps::template(inputs, ws)?,
    )
    .map_err(ActionError::Usage)?;
    let posted = client.upsert(number, &key, &comment).await?;
    steps::notice_ignored(&posted);
    let mut outcome = Outcome {
        verdict: steps::verdict_word(&report),
        comment_url: Some(posted.url.clone()),
        report_json: path,
        comment_note: format!("comment {} {}", if posted.created { "posted:" } else { "updated:" }, posted.url),
        exit_code: crate::exit::OK,
        ..Outcome::default()
    };
    outcome.report = report;
    steps::hand_back(runner, &outcome, &comment);
    Ok(outcome)
}
