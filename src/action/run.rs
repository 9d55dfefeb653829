//! Mode `run`: for each Dockerfile, lint it, build and compare the PR's image with the
//! base's, suggest a verified multi-stage rewrite, post one sticky comment and hand back the
//! outputs, summary and annotations.

use super::steps::{self, say};
use super::{ActionError, CommentMode, Inputs, Outcome, Runner, SuggestMode};
use crate::github::comment::CommentError;
use crate::github::event::{self, PullRequest};
use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::image::compare::{Thresholds, Verdict};
use crate::image::docker::engine::EngineError;
use crate::lint::{Finding, LintConfig};
use crate::pipeline::compare::{self, CompareOptions};
use crate::pipeline::plan;
use crate::pipeline::review::{complete, Extras};
use crate::report::comment::{self as body, run_key};
use crate::report::render::{escape_data, escape_property};
use crate::report::{ImageReport, PullRequestRef, Report};

/// The mode, as its phases: each takes what the one before it made.
pub async fn run(inputs: &Inputs, runner: &Runner) -> Result<Outcome, ActionError> {
    let started = start(inputs, runner)?;
    let checked = check_images(inputs, runner, started).await?;
    let reviewed = review(inputs, runner, checked).await;
    let rendered = render(inputs, runner, reviewed)?;
    let posted = post(inputs, runner, rendered).await?;
    Ok(finish(runner, posted))
}

/// What the step starts from: the pull request (none outside one), the lint configuration,
/// the token, and the report every later phase fills.
struct Started {
    pr: Option<PullRequest>,
    cfg: LintConfig,
    token: Option<String>,
    report: Report,
}

/// Every image checked: the report holds their entries, files and findings.
struct Checked {
    pr: Option<PullRequest>,
    cfg: LintConfig,
    report: Report,
    /// Each Dockerfile's lint configuration, for the review.
    linted: BTreeMap<String, LintConfig>,
}

/// The report rendered and saved; the outcome so far.
struct Rendered {
    pr: Option<PullRequest>,
    report: Report,
    key: String,
    comment: String,
    outcome: Outcome,
}

/// One image's part of the report.
struct CheckedImage {
    shown: String,
    cfg: LintConfig,
    findings: Vec<Finding>,
    /// The entry the Dockerfile's findings go with, then the other platforms'.
    images: Vec<ImageReport>,
}

/// Read the event, warn about `pull_request_target`, load the lint configuration and make
/// the empty report.
fn start(inputs: &Inputs, runner: &Runner) -> Result<Started, ActionError> {
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
    let cfg: LintConfig = loaded.config;
    let token = inputs.token.clone().or_else(|| runner.token.clone());
    let report = Report {
        failure_threshold: inputs.lint_failure_threshold,
        new_findings_only: !inputs.all_findings.or(cfg.all_findings).unwrap_or(false) && pr.is_some(),
        pull_request: pr.as_ref().map(|p| PullRequestRef { number: p.number, head_sha: p.head_sha.clone() }),
        ..Report::default()
    };
    Ok(Started { pr, cfg, token, report })
}

/// Check every image, in order, into the report.
async fn check_images(inputs: &Inputs, runner: &Runner, started: Started) -> Result<Checked, ActionError> {
    let Started { pr, cfg, token, mut report } = started;
    let mut linted = BTreeMap::new();
    for job in images(inputs, runner)? {
        let one =
            check_image(inputs, runner, &job, &cfg, pr.as_ref(), token.as_ref(), report.new_findings_only).await?;
        linted.insert(one.shown.clone(), one.cfg);
        report.files.push(one.shown);
        report.findings.extend(one.findings);
        report.images.extend(one.images);
    }
    Ok(Checked { pr, cfg, report, linted })
}

/// One image: read its Dockerfile, decide what ships, build (or read) and compare, then lint,
/// suggest and verify (`complete`).
async fn check_image(
    inputs: &Inputs,
    runner: &Runner,
    job: &Image,
    cfg: &LintConfig,
    pr: Option<&PullRequest>,
    token: Option<&String>,
    new_only: bool,
) -> Result<CheckedImage, ActionError> {
    let ws = &runner.workspace;
    let df = &job.dockerfile;
    let shown = steps::relative(df);
    let path = ws.join(df);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        ActionError::Usage(format!(
            "input `dockerfile`: cannot read {shown} ({e}); paths are relative to the repository root"
        ))
    })?;
    let (cfg, ships, target) = ships(cfg, job, &path, ws, &text);
    if let Some(a) = &ships {
        say(&format!("shiplight: {shown}: {}", a.line()));
    }
    let opts = compare_options(inputs, job, ws, path.clone(), target, token);
    let mut imgs = compare_image(inputs, &opts, &job.name, &shown).await?;
    // an index gives one entry per platform; the Dockerfile's findings go with the first
    let mut img = imgs.remove(0);
    for other in imgs.iter_mut().chain(std::iter::once(&mut img)) {
        other.dockerfile = shown.clone();
        steps::approve(other, inputs.approve_label.as_deref(), pr.map(|p| &p.labels[..]).unwrap_or(&[]));
    }
    let extras = Extras {
        cfg: &cfg,
        new_only,
        suggest: if img.build_error.is_some() { SuggestMode::Off } else { inputs.suggest },
        context: job.context.as_ref().map(|c| ws.join(c)),
        builder: inputs.builder,
        timeout_seconds: inputs.timeout_seconds,
        ships,
    };
    let findings = complete(&mut img, &path, &text, &extras, &|line: &str| say(line)).await;
    imgs.insert(0, img);
    Ok(CheckedImage { shown, cfg, findings, images: imgs })
}

/// The comparison's options for one image: the job's Dockerfile, context, target, build
/// arguments and thresholds, the inputs' sources and registries.
fn compare_options(
    inputs: &Inputs,
    job: &Image,
    ws: &std::path::Path,
    dockerfile: PathBuf,
    target: Option<String>,
    token: Option<&String>,
) -> CompareOptions {
    CompareOptions {
        dockerfile,
        context: job.context.as_ref().map(|c| ws.join(c)),
        base_ref: inputs.base_ref.clone(),
        base_image: inputs.base_image.clone(),
        head_image: inputs.image.clone(),
        target,
        // platforms choose among an index's images; a build is for the daemon's own
        platform: inputs.image.as_ref().and(job.platforms.clone()),
        sizes_only: inputs.sizes_only,
        cache_dir: inputs.cache_dir.clone(),
        insecure_registries: inputs.insecure_registries.clone(),
        registry_username: inputs.registry_username.clone(),
        registry_password: inputs.registry_password.clone(),
        build_args: job.build_args.clone(),
        name: Some(job.name.clone()),
        fail_on_increase_bytes: job.thresholds.fail_on_increase_bytes,
        fail_on_increase_percent: job.thresholds.fail_on_increase_percent,
        warn_on_increase_percent: job.thresholds.warn_on_increase_percent,
        max_size: job.thresholds.max_size,
        timeout: std::time::Duration::from_secs(inputs.timeout_seconds),
        verbose: true,
        builder: inputs.builder,
        token: token.cloned(),
    }
}

/// Build (or read) and compare one image, in a log group. A head that does not build is the
/// check's failure, reported as an entry with the build error; never an empty list.
async fn compare_image(
    inputs: &Inputs,
    opts: &CompareOptions,
    name: &str,
    shown: &str,
) -> Result<Vec<ImageReport>, ActionError> {
    let doing = if inputs.image.is_some() { "measure" } else { "build and measure" };
    say(&format!("::group::shiplight: {doing} {shown} (head and base)"));
    let compared = compare::run(opts).await;
    say("::endgroup::");
    let imgs = match compared {
        // the pull request broke the build: that is the check's failure, reported like one
        Err(compare::CompareError::Engine(EngineError::Build(e))) => {
            say(&format!("::error file={}::{}", escape_property(shown), escape_data(&e.to_string())));
            vec![ImageReport {
                name: name.to_owned(),
                verdict: Verdict::Fail,
                build_error: Some(e.to_string()),
                ..ImageReport::default()
            }]
        }
        other => other?.images,
    };
    if imgs.is_empty() {
        return Err(ActionError::Environment(format!("{shown}: the comparison produced no image report")));
    }
    Ok(imgs)
}

/// Settle the verdict, then post the proved fixes as one review (not from a fork's run,
/// whose token is read-only: the saved report carries them to the workflow_run job).
async fn review(inputs: &Inputs, runner: &Runner, checked: Checked) -> Checked {
    let Checked { pr, cfg, mut report, linted } = checked;
    report.settle_verdict();
    let event_name = runner.event_name.as_deref().unwrap_or("");
    match &pr {
        Some(p) if inputs.review && !(p.fork && event_name == "pull_request") => {
            if inputs.comment == CommentMode::Never {
                // a matrix job of a monorepo: the merge job that posts the comment posts the review
                say("shiplight: no review: comment is `never`; the job that posts the comment (mode: merge or comment) posts the review from the saved report");
            } else {
                let cfg_for = |path: &str, _: &str| linted.get(path).cloned().unwrap_or_else(|| cfg.clone());
                report.review = Some(
                    steps::review(inputs, runner, p.number, &p.head_sha, Some(&p.base_sha), &report, &cfg_for).await,
                );
            }
        }
        _ => {}
    }
    Checked { pr, cfg, report, linted }
}

/// Render the comment and save it with the report in the workspace.
fn render(inputs: &Inputs, runner: &Runner, reviewed: Checked) -> Result<Rendered, ActionError> {
    let Checked { pr, report, .. } = reviewed;
    let head_sha = pr.as_ref().map(|p| p.head_sha.clone()).or_else(|| runner.sha.clone());
    let key = run_key(&report);
    let comment = body::render(
        &report,
        &key,
        &steps::links(runner, head_sha, None),
        &steps::template(inputs, &runner.workspace)?,
    )
    .map_err(ActionError::Usage)?;
    let (report_json, comment_md) = steps::save(inputs, runner, &report, &comment)?;
    let outcome = Outcome { verdict: steps::verdict_word(&report), report_json, comment_md, ..Outcome::default() };
    Ok(Rendered { pr, report, key, comment, outcome })
}

/// Post or update the sticky comment, or say why there is none (no pull request, `never`,
/// a fork's read-only token, nothing changed under `on-change`, a token that may not write).
async fn post(inputs: &Inputs, runner: &Runner, rendered: Rendered) -> Result<Rendered, ActionError> {
    let Rendered { pr, report, key, comment, mut outcome } = rendered;
    let event_name = runner.event_name.as_deref().unwrap_or("");
    let changed = report.images.iter().any(|i| i.delta_bytes.is_some_and(|d| d != 0) || i.suggestion.is_some())
        || !report.findings.is_empty();
    outcome.comment_note = match (&pr, inputs.comment) {
        (None, _) => format!("no comment: a {} event has no pull request; the report is in the job summary", if event_name.is_empty() { "non-pull-request" } else { event_name }),
        (Some(_), CommentMode::Never) => "no comment: comment is `never`".into(),
        (Some(p), _) if p.fork && event_name == "pull_request" => format!(
            "no comment: this pull request comes from a fork, whose token is read-only. The report is saved in {} and {}; upload them as an artifact and post them from a workflow_run job (see examples/workflows/)",
            outcome.report_json.display(),
            outcome.comment_md.display()
        ),
        (Some(p), mode) => {
            let (mut client, token) = steps::client(inputs, runner)?;
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
    Ok(Rendered { pr, report, key, comment, outcome })
}

/// Annotate the Dockerfiles, set the exit code, and hand back the outputs and the summary.
fn finish(runner: &Runner, posted: Rendered) -> Outcome {
    let Rendered { report, comment, mut outcome, .. } = posted;
    steps::annotate(&report);
    outcome.exit_code = if outcome.verdict == "fail" { crate::exit::FINDINGS } else { crate::exit::OK };
    outcome.report = report;
    steps::hand_back(runner, &outcome, &comment);
    outcome
}

/// What ships of a job's Dockerfile, the lint configuration that follows, and the stage to
/// build: a named target decides (the input, or the image's entry); else the repository's
/// files, whose one shipped target is then what is built and compared. A Dockerfile the
/// `dockerfile` input names ships, even where the repository only develops it.
fn ships(
    cfg: &LintConfig,
    job: &Image,
    path: &std::path::Path,
    ws: &std::path::Path,
    text: &str,
) -> (LintConfig, Option<crate::repository::Answer>, Option<String>) {
    use crate::pipeline::lint::ship_for;
    if let Some(t) = &job.target {
        let (c, a) = ship_for(cfg.clone(), path, ws, text, Some(t), job.target_from);
        return (c, a, Some(t.clone()));
    }
    let (c, a) = ship_for(cfg.clone(), path, ws, text, None, "");
    match &a {
        Some(answer) if !answer.ships() && job.explicit => {
            let df = crate::dockerfile::Dockerfile::parse(text).ok();
            let last = df.as_ref().and_then(|d| d.stages.len().checked_sub(1)).unwrap_or(0).to_string();
            let (c, a) = ship_for(cfg.clone(), path, ws, text, Some(&last), "the Action's `dockerfile` input");
            (c, a, None)
        }
        Some(answer) if answer.ships() && !answer.default => {
            let build = match answer.targets.as_slice() {
                [Some(t)] => Some(t.clone()),
                _ => None,
            };
            (c, a, build)
        }
        _ => (c, a, None),
    }
}

/// One image this step checks.
struct Image {
    name: String,
    dockerfile: PathBuf,
    context: Option<PathBuf>,
    target: Option<String>,
    build_args: Vec<(String, String)>,
    thresholds: Thresholds,
    /// Which platforms of an index to compare: the input, else the image's `platforms`.
    platforms: Option<String>,
    /// Who named the target, when one is named: the input, or the image's entry.
    target_from: &'static str,
    /// The `dockerfile` input names the file: the Action was told to check it, so it ships.
    explicit: bool,
}

/// The images to check: the `dockerfile` input's, or the one `image-name` names in
/// `.shiplight.yml` (or among the discovered Dockerfiles). Inputs that are given (dockerfile,
/// context, target, a build argument) win over the image's entry; the entry's thresholds win
/// over the inputs', since they are this image's own.
fn images(inputs: &Inputs, runner: &Runner) -> Result<Vec<Image>, ActionError> {
    let ws = &runner.workspace;
    let Some(wanted) = &inputs.image_name else {
        let dockerfiles =
            if inputs.dockerfiles.is_empty() { vec![PathBuf::from("Dockerfile")] } else { inputs.dockerfiles.clone() };
        return Ok(dockerfiles
            .into_iter()
            .map(|df| Image {
                target_from: "the Action's `target` input",
                explicit: !inputs.dockerfiles.is_empty(),
                name: compare::image_key(&df),
                dockerfile: df,
                context: inputs.context.clone(),
                target: inputs.target.clone(),
                build_args: inputs.build_args.clone(),
                thresholds: inputs.thresholds,
                platforms: inputs.platforms.clone(),
            })
            .collect());
    };
    let known =
        plan::images(ws, runner.repo_name()).map_err(|e| ActionError::Usage(format!("input `image-name`: {e}")))?;
    let spec = known.iter().find(|s| &s.name == wanted).ok_or_else(|| {
        let names: Vec<&str> = known.iter().map(|s| s.name.as_str()).take(20).collect();
        ActionError::Usage(format!(
            "input `image-name`: no image `{wanted}` in .shiplight.yml's images (or among the Dockerfiles git tracks); known: {}",
            if names.is_empty() { "none".to_owned() } else { names.join(", ") }
        ))
    })?;
    if inputs.dockerfiles.len() > 1 {
        return Err(ActionError::Usage("give image-name or several Dockerfiles, not both".into()));
    }
    let mut build_args: Vec<(String, String)> = spec
        .build_args
        .iter()
        .filter(|(k, _)| !inputs.build_args.iter().any(|(i, _)| i == *k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    build_args.extend(inputs.build_args.iter().cloned());
    let thresholds = match &spec.thresholds {
        Some(own) => own
            .apply(inputs.thresholds)
            .map_err(|e| ActionError::Usage(format!("image `{wanted}`: thresholds: {e}")))?,
        None => inputs.thresholds,
    };
    let platforms = match (&inputs.platforms, spec.platforms.is_empty()) {
        (Some(p), _) => Some(p.clone()),
        (None, true) => None,
        (None, false) => {
            let list = spec.platforms.join(",");
            crate::image::oci::Platforms::parse(&list)
                .map_err(|e| ActionError::Usage(format!("image `{wanted}`: platforms: {e}")))?;
            Some(list)
        }
    };
    Ok(vec![Image {
        target_from: if inputs.target.is_some() {
            "the Action's `target` input"
        } else {
            "its entry in .shiplight.yml"
        },
        explicit: true,
        platforms,
        name: spec.name.clone(),
        dockerfile: inputs.dockerfiles.first().cloned().unwrap_or_else(|| PathBuf::from(&spec.dockerfile)),
        context: inputs.context.clone().or_else(|| Some(PathBuf::from(&spec.context))),
        target: inputs.target.clone().or_else(|| spec.target.clone()),
        build_args,
        thresholds,
    }])
}
