//! Mode `run`: for each Dockerfile, lint it, build and compare the PR's image with the
//! base's, suggest a verified multi-stage rewrite, post one sticky comment and hand back the
//! outputs, summary and annotations.

use super::steps::{self, say};
use super::{ActionError, CommentMode, Inputs, Outcome, Runner, SuggestMode};
use crate::github::comment::{CommentError, Comments};
use crate::github::event;
use crate::image::compare::Verdict;
use crate::image::engine::EngineError;
use crate::lint::LintConfig;
use crate::pipeline::compare::{self, CompareOptions};
use crate::pipeline::review::{complete, Extras};
use crate::report::comment::{self as body, run_key};
use crate::report::render::{escape_data, escape_property};
use crate::report::{ImageReport, PullRequestRef, Report};

pub async fn run(inputs: &Inputs, runner: &Runner) -> Result<Outcome, ActionError> {
    let ws = &runner.workspace;
    let event_text = runner.event_text();
    let pr = match &event_text {
        Some(t) => event::pull_request(t).map_err(|e| {
            ActionError::Environment(format!(
                "the event payload at GITHUB_EVENT_PATH is not JSON the runner writes: {e}"
            ))
        })?,
        None => None,
    };
    if runner.event_name.as_deref() == Some("pull_request_target") {
        // the job has a write token; building the pull request's code here would run it
        say("::warning::shiplight builds the checked-out workspace. In a pull_request_target job that is the base branch unless the pull request's code is checked out, which would run it with a write token: prefer on: pull_request, with the workflow_run job for forks (examples/workflows/)");
    }
    let loaded = crate::pipeline::lint::load_config(inputs.config.as_ref().map(|c| ws.join(c)).as_deref(), ws)
        .map_err(|e| ActionError::Usage(e.to_string()))?;
    for w in &loaded.warnings {
        say(&format!("::warning::{}", escape_data(w)));
    }
    let mut cfg: LintConfig = loaded.config;
    if let Some(t) = &inputs.target {
        cfg.targets = vec![t.clone()];
    }
    let token = inputs.token.clone().or_else(|| runner.token.clone());

    let mut report = Report {
        failure_threshold: inputs.lint_failure_threshold,
        new_findings_only: !inputs.all_findings.or(cfg.all_findings).unwrap_or(false) && pr.is_some(),
        pull_request: pr.as_ref().map(|p| PullRequestRef { number: p.number, head_sha: p.head_sha.clone() }),
        ..Report::default()
    };
    for df in &inputs.dockerfiles {
        let shown = steps::relative(df);
        let path = ws.join(df);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            ActionError::Usage(format!(
                "input `dockerfile`: cannot read {shown} ({e}); paths are relative to the repository root"
            ))
        })?;
        let name = compare::image_key(df);
        let opts = CompareOptions {
            dockerfile: path.clone(),
            context: inputs.context.as_ref().map(|c| ws.join(c)),
            base_ref: inputs.base_ref.clone(),
            base_image: inputs.base_image.clone(),
            target: inputs.target.clone(),
            platform: None,
            build_args: inputs.build_args.clone(),
            name: Some(name.clone()),
            fail_on_increase_bytes: inputs.thresholds.fail_on_increase_bytes,
            fail_on_increase_percent: inputs.thresholds.fail_on_increase_percent,
            warn_on_increase_percent: inputs.thresholds.warn_on_increase_percent,
            max_size: inputs.thresholds.max_size,
            timeout: std::time::Duration::from_secs(inputs.timeout_seconds),
            verbose: true,
            builder: inputs.builder,
            token: token.clone(),
        };
        say(&format!("::group::shiplight: build and measure {shown} (head and base)"));
        let compared = compare::run(&opts).await;
        say("::endgroup::");
        let mut img =
            match compared {
                // the pull request broke the build: that is the check's failure, reported like one
                Err(compare::CompareError::Engine(EngineError::Build(e))) => {
                    say(&format!("::error file={}::{}", escape_property(&shown), escape_data(&e.to_string())));
                    ImageReport {
                        name: name.clone(),
                        verdict: Verdict::Fail,
                        build_error: Some(e.to_string()),
                        ..ImageReport::default()
                    }
                }
                other => other?.images.into_iter().next().ok_or_else(|| {
                    ActionError::Environment(format!("{shown}: the comparison produced no image report"))
                })?,
            };
        img.dockerfile = shown.clone();
        steps::approve(&mut img, inputs.approve_label.as_deref(), pr.as_ref().map(|p| &p.labels[..]).unwrap_or(&[]));

        let extras = Extras {
            cfg: &cfg,
            new_only: report.new_findings_only,
            suggest: if img.build_error.is_some() { SuggestMode::Off } else { inputs.suggest },
            context: inputs.context.as_ref().map(|c| ws.join(c)),
            builder: inputs.builder,
            timeout_seconds: inputs.timeout_seconds,
        };
        let findings = complete(&mut img, &path, &text, &extras, &|line: &str| say(line)).await;
        report.files.push(shown.clone());
        report.findings.extend(findings);
        report.images.push(img);
    }
    report.verdict = report.images.iter().map(|i| i.verdict).max();

    let head_sha = pr.as_ref().map(|p| p.head_sha.clone()).or_else(|| runner.sha.clone());
    let key = run_key(&report);
    let comment = body::render(&report, &key, &steps::links(runner, head_sha, None), &steps::template(inputs, ws)?)
        .map_err(ActionError::Usage)?;
    let (report_json, comment_md) = steps::save(inputs, runner, &report, &comment)?;
    let mut outcome = Outcome { verdict: steps::verdict_word(&report), report_json, comment_md, ..Outcome::default() };

    let changed = report.images.iter().any(|i| i.delta_bytes.is_some_and(|d| d != 0) || i.suggestion.is_some())
        || !report.findings.is_empty();
    let event_name = runner.event_name.as_deref().unwrap_or("");
    outcome.comment_note = match (&pr, inputs.comment) {
        (None, _) => format!("no comment: a {} event has no pull request; the report is in the job summary", if event_name.is_empty() { "non-pull-request" } else { event_name }),
        (Some(_), CommentMode::Never) => "no comment: comment is `never`".into(),
        (Some(p), _) if p.fork && event_name == "pull_request" => format!(
            "no comment: this pull request comes from a fork, whose token is read-only. The report is saved in {} and {}; upload them as an artifact and post them from a workflow_run job (see examples/workflows/)",
            outcome.report_json.display(),
            outcome.comment_md.display()
        ),
        (Some(p), mode) => {
            let (repo, token) = match (&runner.repository, &token) {
                (Some(r), Some(t)) => (r.clone(), t.clone()),
                _ => {
                    return Err(ActionError::Usage(
                        "posting the comment needs GITHUB_REPOSITORY and a token (input github-token); set comment: never to skip it".into(),
                    ))
                }
            };
            let mut client = Comments::new(&runner.api_url, &token, &repo)?;
            let post = async {
                say(&steps::identify(&mut client, inputs, runner, &token).await?);
                if mode == CommentMode::OnChange
                    && !changed
                    && client.find(p.number, &body::marker(&key)).await?.own.is_empty()
                {
                    return Ok(None);
                }
                client.upsert(p.number, &key, &comment).await.map(Some)
            };
            match post.await {
                Ok(Some(posted)) => {
                    steps::notice_ignored(&posted);
                    outcome.comment_url = Some(posted.url.clone());
                    format!("comment {} {}", if posted.created { "posted:" } else { "updated:" }, posted.url)
                }
                Ok(None) => "no comment: nothing changed (comment: on-change)".into(),
                Err(e) if e.is_forbidden() => {
                    say(&format!("::warning::{}", escape_data(&e.to_string())));
                    let why = match e {
                        CommentError::UnknownAuthor { .. } => "the comments' author is unknown",
                        _ => "the token may not write here",
                    };
                    format!(
                        "no comment: {why}. The report is saved in {} and {}",
                        outcome.report_json.display(),
                        outcome.comment_md.display()
                    )
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    steps::annotate(&report);
    outcome.exit_code = if outcome.verdict == "fail" { crate::exit::FINDINGS } else { crate::exit::OK };
    outcome.report = report;
    steps::hand_back(runner, &outcome, &comment);
    Ok(outcome)
}
