//! The steps every mode shares: judge, approve, link, render, save, post, and hand the result
//! back to the runner (outputs, job summary, annotations).

use std::path::{Path, PathBuf};

use super::{ActionError, Inputs, Outcome, Runner};
use crate::github::comment::{CommentError, Comments, Posted};
use crate::github::event::WorkflowRun;
use crate::github::outputs;
use crate::image::compare::{Thresholds, Verdict};
use crate::report::comment::{self as body, Links};
use crate::report::render::{escape_data, signed_size};
use crate::report::ImageReport;
use crate::report::Report;

/// One line on stdout for the runner (workflow commands) and the log.
pub fn say(line: &str) {
    println!("{line}");
}

/// A size failure turned into a pass by the approve label; the note says what was approved.
pub fn approve(img: &mut crate::report::ImageReport, label: Option<&str>, labels: &[String]) {
    // a size failure only: an image that does not build is never approved
    let size_failure = img.verdict == Verdict::Fail && img.build_error.is_none();
    if let Some(label) = label.filter(|l| size_failure && labels.iter().any(|x| x == l)) {
        img.verdict = Verdict::Pass;
        img.approved = Some(format!(
            "The size increase was approved by the label {}; without it this check fails.",
            body::code(label)
        ));
    }
}

/// The overall verdict word: the worst image's, or `fail` when lint findings reach the threshold.
pub fn verdict_word(report: &Report) -> String {
    if report.failed() {
        return "fail".into();
    }
    report.verdict.unwrap_or(Verdict::Skipped).as_str().into()
}

pub fn links(runner: &Runner, sha: Option<String>, run_url: Option<String>) -> Links {
    let repo_url = runner.repository.as_ref().map(|r| format!("{}/{r}", runner.server_url.trim_end_matches('/')));
    let run_url = run_url.or_else(|| match (&repo_url, &runner.run_id) {
        (Some(repo), Some(id)) => Some(format!("{repo}/actions/runs/{id}")),
        _ => None,
    });
    Links { repo_url, sha, run_url }
}

pub fn template(inputs: &Inputs, workspace: &Path) -> Result<String, ActionError> {
    match &inputs.comment_template {
        None => Ok(body::TEMPLATE.to_owned()),
        Some(p) => std::fs::read_to_string(workspace.join(p)).map_err(|e| {
            ActionError::Usage(format!(
                "input `comment-template`: cannot read {} ({e}); give a path relative to the repository",
                p.display()
            ))
        }),
    }
}

/// Save the report and the rendered comment; a later job (the fork pattern) posts them.
pub fn save(
    inputs: &Inputs,
    runner: &Runner,
    report: &Report,
    comment: &str,
) -> Result<(PathBuf, PathBuf), ActionError> {
    let dir = runner.workspace.join(&inputs.report_dir);
    let fail = |e: std::io::Error| {
        ActionError::Environment(format!("cannot write the report into {}: {e}; check report-dir", dir.display()))
    };
    std::fs::create_dir_all(&dir).map_err(fail)?;
    let json = serde_json::to_string_pretty(report).unwrap_or_default();
    std::fs::write(dir.join("report.json"), json + "\n").map_err(fail)?;
    std::fs::write(dir.join("comment.md"), comment).map_err(fail)?;
    Ok((inputs.report_dir.join("report.json"), inputs.report_dir.join("comment.md")))
}

/// Outputs, summary and annotations: the same for both modes.
pub fn hand_back(runner: &Runner, outcome: &Outcome, comment: &str) {
    let r = &outcome.report;
    // an image that did not build, or whose report is missing, has no size: it counts in neither sum
    let built: Vec<_> = r.images.iter().filter(|i| i.build_error.is_none() && i.missing.is_none()).collect();
    let head: u64 = built.iter().map(|i| i.head.size_bytes).sum();
    let compared: Vec<_> = r.images.iter().filter_map(|i| i.comparison.as_ref()).collect();
    let (base, delta): (Option<u64>, Option<i64>) = if compared.is_empty() {
        (None, None)
    } else {
        (Some(compared.iter().map(|c| c.size.base).sum()), Some(compared.iter().map(|c| c.size.delta).sum()))
    };
    let pct = match (base, delta) {
        (Some(b), Some(d)) if b > 0 => format!("{:.2}", d as f64 * 100.0 / b as f64),
        _ => String::new(),
    };
    let list = [
        ("head-size", if built.is_empty() { String::new() } else { head.to_string() }),
        ("base-size", base.map(|b| b.to_string()).unwrap_or_default()),
        ("delta-bytes", delta.map(|d| d.to_string()).unwrap_or_default()),
        ("delta-percent", pct),
        ("verdict", outcome.verdict.clone()),
        ("report-json", outcome.report_json.display().to_string()),
        ("comment-url", outcome.comment_url.clone().unwrap_or_default()),
    ];
    if let Some(path) = &runner.output {
        if let Err(e) = outputs::write_outputs(path, &list) {
            say(&format!("::warning::cannot write the step outputs to {}: {e}", path.display()));
        }
    }
    if let Some(path) = &runner.summary {
        if let Err(e) = outputs::append_summary(path, comment) {
            say(&format!("::warning::cannot write the job summary to {}: {e}", path.display()));
        }
    }
}

pub fn annotate(report: &Report) {
    let mut growth = Vec::new();
    for img in &report.images {
        if let Some(c) = &img.comparison {
            for d in c.top_growing(3) {
                if let Some(line) = d.line.filter(|_| !d.inherited) {
                    growth.push((
                        img.dockerfile.clone(),
                        line,
                        format!("{}: this line grew the image by {}", img.name, signed_size(d.delta_bytes)),
                    ));
                }
            }
        }
    }
    for a in outputs::annotations(&report.findings, &growth) {
        say(&a);
    }
}

pub fn relative(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").unwrap_or(&s).to_owned()
}

/// Settle who writes shiplight's comments (input `comment-author`, else the token's identity
/// from GitHub, else `github-actions[bot]` for the job token): the line to log.
pub async fn identify(
    client: &mut Comments,
    inputs: &Inputs,
    runner: &Runner,
    token: &str,
) -> Result<String, CommentError> {
    let identity =
        client.identify(inputs.comment_author.as_deref(), &runner.graphql_url, runner.is_job_token(token)).await?;
    Ok(identity.describe())
}

/// A `::notice` when other people's comments carry shiplight's marker: they were left alone.
pub fn notice_ignored(posted: &Posted) {
    if posted.ignored.is_empty() {
        return;
    }
    let ids: Vec<String> = posted.ignored.iter().map(u64::to_string).collect();
    say(&format!(
        "::notice::{} comment(s) by other authors carry shiplight's marker (ids {}); they were left as they are: shiplight edits only its own",
        posted.ignored.len(),
        ids.join(", ")
    ));
}

/// Saved reports larger than this are refused (a real one is a few hundred kB).
pub const MAX_SAVED_REPORT: u64 = 16 * 1024 * 1024;

/// Read a report an earlier job saved. It is untrusted: size-limited, parsed, nothing more.
/// `input` names the input that pointed at it, for the message.
pub fn read_saved(path: &Path, input: &str) -> Result<Report, ActionError> {
    let shown = path.display().to_string();
    let len = std::fs::metadata(path)
        .map_err(|e| {
            ActionError::Usage(format!("input `{input}`: cannot read {shown} ({e}); download the artifact first"))
        })?
        .len();
    if len > MAX_SAVED_REPORT {
        return Err(ActionError::Usage(format!(
            "input `{input}`: {shown} is {len} bytes, too large for a shiplight report"
        )));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| ActionError::Usage(format!("input `{input}`: cannot read {shown} ({e})")))?;
    serde_json::from_str(&text)
        .map_err(|e| ActionError::Usage(format!("input `{input}`: {shown} is not a shiplight report: {e}")))
}

/// Judge a saved image again with this job's thresholds and the labels GitHub reports: a
/// saved verdict or approval counts for nothing.
pub fn rejudge(img: &mut ImageReport, thresholds: &Thresholds, approve_label: Option<&str>, labels: &[String]) {
    img.name = body::safe_key(&img.name);
    if img.build_error.is_some() || img.missing.is_some() {
        img.verdict = Verdict::Fail;
        img.reasons = Vec::new();
    } else {
        // the same judgement compare made: of compressed bytes when the report is sizes-only
        img.judge(thresholds);
    }
    img.approved = None;
    approve(img, approve_label, labels);
}

/// The client that writes comments, with the token it uses.
pub fn client(inputs: &Inputs, runner: &Runner) -> Result<(Comments, String), ActionError> {
    match (&runner.repository, inputs.token.clone().or_else(|| runner.token.clone())) {
        (Some(repo), Some(token)) => Ok((Comments::new(&runner.api_url, &token, repo)?, token)),
        _ => Err(ActionError::Usage(
            "posting needs GITHUB_REPOSITORY and a token (input github-token); set comment: never to skip it".into(),
        )),
    }
}

/// The pull request a `workflow_run` job posts to, and its labels: the run's own, else the one
/// the saved report names, and only while its head is still the commit that run built.
pub async fn followed_pull_request(
    client: &mut Comments,
    run: &WorkflowRun,
    saved: Option<u64>,
) -> Result<(u64, Vec<String>), ActionError> {
    let number = run.pull_requests.first().copied().or(saved).ok_or_else(|| {
        ActionError::Usage("the saved report names no pull request, and the workflow run has none".into())
    })?;
    let (head, labels) = client.pull_request(number).await?;
    if head != run.head_sha {
        return Err(ActionError::Usage(format!(
            "pull request #{number} is at {head}, not at {} that run {} built: the report is stale or not for this pull request; nothing was posted",
            run.head_sha, run.id
        )));
    }
    Ok((number, labels))
}

/// The review step of a pull request (`review: suggestions`): the proved fixes of the
/// report's findings, and its multi-stage rewrites, on the lines the pull request changed,
/// posted as one review at its head commit. The head files are read from GitHub at
/// `head_sha` (a `pull_request` checkout is the merge commit, whose lines may differ), and
/// only the fixes and rewrites shiplight computes again on them are posted, so a saved
/// report (a fork's, a matrix job's) cannot post text of its own. `cfg_for` gives a file's
/// lint configuration; `base` is the pull request's base commit, whose presence in the
/// checkout lets git say which lines changed. Never fails the run: what went wrong is in the
/// outcome, and in the log.
pub async fn review(
    inputs: &Inputs,
    runner: &Runner,
    pr: u64,
    head_sha: &str,
    base: Option<&str>,
    report: &crate::report::Report,
    cfg_for: &dyn Fn(&str, &str) -> crate::lint::LintConfig,
) -> crate::report::review::ReviewOutcome {
    use crate::report::review::ReviewOutcome;
    let findings = &report.findings;
    let failed = |e: String| {
        say(&format!("::warning::shiplight: review suggestions not posted: {}", escape_data(&e)));
        ReviewOutcome { error: Some(e), ..ReviewOutcome::default() }
    };
    let (mut client, token) = match client(inputs, runner) {
        Ok(c) => c,
        Err(e) => return failed(e.to_string()),
    };
    if let Err(e) = identify(&mut client, inputs, runner, &token).await {
        return failed(e.to_string());
    }
    let saved_rewrites: Vec<(&str, &crate::report::Suggestion)> = report
        .images
        .iter()
        .filter_map(|i| i.suggestion.as_ref().map(|s| (i.dockerfile.as_str(), s)))
        .filter(|(_, s)| s.outcome == "patch")
        .collect();
    let mut files = std::collections::BTreeMap::new();
    let mut chosen = Vec::new();
    let mut rewrites = Vec::new();
    let mut not_suggested = Vec::new();
    let mut paths: Vec<&str> = findings.iter().filter(|f| !f.edits.is_empty()).map(|f| f.file.as_str()).collect();
    paths.extend(saved_rewrites.iter().map(|(p, _)| *p));
    paths.sort_unstable();
    paths.dedup();
    for path in paths {
        match client.file_at(path, head_sha).await {
            Ok(Some(text)) => {
                let cfg = cfg_for(path, &text);
                chosen.extend(crate::pipeline::fixes::rejudge(findings, path, &text, &cfg));
                for (_, saved) in saved_rewrites.iter().filter(|(p, _)| *p == path).take(1) {
                    match crate::pipeline::fixes::rejudge_rewrite(saved, path, &text) {
                        Ok(rw) => rewrites.push(rw),
                        Err(why) => not_suggested.push((path.to_owned(), why)),
                    }
                }
                files.insert(path.to_owned(), (text, cfg));
            }
            Ok(None) => {
                say(&format!("shiplight: {path} is not in the pull request's head commit: no review suggestion for it"))
            }
            Err(e) => return failed(e.to_string()),
        }
    }
    let git =
        base.and_then(|b| crate::pipeline::git::repo_root(&runner.workspace).ok().map(|root| (root, b.to_owned())));
    let mut covered = report.files.clone();
    covered.extend(report.images.iter().map(|i| i.dockerfile.clone()));
    let r = crate::pipeline::fixes::Review {
        pr,
        head_sha,
        findings: &chosen,
        files: &files,
        rewrites: &rewrites,
        covered: &covered,
        lines: crate::pipeline::fixes::Lines { git },
        ceiling: inputs.review_max_comments,
    };
    let mut outcome = crate::pipeline::fixes::review(&client, &r).await;
    outcome.rewrites_not_suggested.splice(0..0, not_suggested);
    match (&outcome.published, &outcome.error) {
        (_, Some(e)) => say(&format!("::warning::shiplight: review suggestions not posted: {}", escape_data(e))),
        (Some(p), None) => say(&format!(
            "shiplight: review suggestions: {} posted, {} already there, {} outdated deleted, {} over the ceiling of {}, {} dropped (proof failed); changed lines from {}{}",
            p.posted,
            p.kept,
            p.deleted,
            p.over_ceiling,
            p.ceiling,
            outcome.dropped.len(),
            match outcome.lines_from.as_deref() {
                Some("git") => "git (diff base...head)",
                _ => "GitHub (GET /pulls/{n}/files)",
            },
            p.review_url.as_deref().map(|u| format!(": {u}")).unwrap_or_default()
        )),
        _ => {}
    }
    for (path, why) in &outcome.rewrites_not_suggested {
        say(&format!(
            "shiplight: the multi-stage rewrite of {path} stays in the comment, not a review suggestion: {}",
            escape_data(why)
        ));
    }
    for path in outcome.published.iter().flat_map(|p| &p.rewrites) {
        say(&format!("shiplight: the multi-stage rewrite of {path} is a review suggestion"));
    }
    if let Some(p) = &outcome.published {
        if !p.ignored.is_empty() {
            say(&format!(
                "::notice::shiplight: {} review comment(s) by others carry shiplight's marker; they were left as they are",
                p.ignored.len()
            ));
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_approve_label_passes_a_size_failure_and_says_so() {
        let mut img = crate::report::ImageReport { verdict: Verdict::Fail, ..Default::default() };
        approve(&mut img, Some("size-ok"), &["bug".into()]);
        assert_eq!(img.verdict, Verdict::Fail);
        approve(&mut img, Some("size-ok"), &["size-ok".into()]);
        assert_eq!(img.verdict, Verdict::Pass);
        assert!(img.approved.as_deref().unwrap().contains("`size-ok`"));
        let mut warn = crate::report::ImageReport { verdict: Verdict::Warn, ..Default::default() };
        approve(&mut warn, Some("size-ok"), &["size-ok".into()]);
        assert_eq!((warn.verdict, warn.approved), (Verdict::Warn, None));
    }
}
