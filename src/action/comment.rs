//! Mode `comment`: the `workflow_run` half of the fork pattern. It posts the report a fork's
//! run saved, after judging it again with this job's thresholds.

use super::steps::{self, say};
use super::{ActionError, Inputs, Outcome, Runner};
use crate::github::event;
use crate::report::comment::{self as body, run_key};
use crate::report::PullRequestRef;

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
    let mut report = steps::read_saved(&path, "report")?;
    let (mut client, token) = steps::client(inputs, runner)?;
    say(&steps::identify(&mut client, inputs, runner, &token).await?);
    let (number, labels) =
        steps::followed_pull_request(&mut client, &run, report.pull_request.as_ref().map(|p| p.number)).await?;
    for img in &mut report.images {
        steps::rejudge(img, &inputs.thresholds, inputs.approve_label.as_deref(), &labels);
    }
    report.settle_verdict();
    report.failure_threshold = inputs.lint_failure_threshold;
    report.pull_request = Some(PullRequestRef { number, head_sha: run.head_sha.clone() });
    // the fixes the fork's run saved, judged again on the head files as GitHub has them
    report.review = None;
    if inputs.review {
        let loaded = crate::pipeline::lint::load_config(inputs.config.as_ref().map(|c| ws.join(c)).as_deref(), ws)
            .map_err(|e| ActionError::Usage(e.to_string()))?;
        let cfg_for = |path: &str, text: &str| {
            crate::pipeline::lint::ship_for(loaded.config.clone(), &ws.join(path), ws, text, None, "").0
        };
        // no checkout of the pull request here: the changed lines come from GitHub
        report.review = Some(steps::review(inputs, runner, number, &run.head_sha, None, &report, &cfg_for).await);
    }
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
