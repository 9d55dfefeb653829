//! `shiplight action`: the GitHub Action's entry point. It reads the step's inputs
//! (`INPUT_<NAME>`, hyphens kept, as the runner passes them) and the run's environment, then
//! for each Dockerfile lints it, builds and compares the PR's image with the base's, and
//! suggests a verified multi-stage rewrite; it posts one sticky comment, writes the job
//! summary, the outputs and the annotations, and exits with the check's verdict.
//!
//! `mode: comment` is the second half of the fork pattern: a `workflow_run` job reads the
//! report a fork's run saved (untrusted), re-judges it with its own thresholds, renders it
//! with its own template and posts it after checking the pull request still has that head.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::compare::{self, parse_size, CompareOptions};
use super::suggest::{self, SuggestOptions};
use crate::github::comment::{CommentError, Comments, Posted};
use crate::github::{event, outputs};
use crate::image::compare::{verdict, Thresholds, Verdict};
use crate::image::engine::{Builder, EngineError};
use crate::lint::{self, Finding, LintConfig, Severity};
use crate::report::comment::{self as body, safe_key, Links};
use crate::report::render::{escape_data, escape_property, signed_size, size};
use crate::report::{ImageReport, PullRequestRef, Report};

/// When to post the pull-request comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentMode {
    Always,
    /// Only when a size changed, a finding is new or a patch is suggested; an existing
    /// comment is always kept up to date.
    OnChange,
    Never,
}

/// How far to take the multi-stage suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuggestMode {
    /// Build the patched Dockerfile and smoke-check it beside the original.
    Verify,
    Diff,
    Off,
}

/// What the step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Lint, build, compare, suggest, comment.
    Run,
    /// Post a report saved by an earlier run (the `workflow_run` half of the fork pattern).
    Comment,
}

/// The step's inputs, as `action.yml` documents them.
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs {
    pub mode: Mode,
    pub dockerfiles: Vec<PathBuf>,
    pub context: Option<PathBuf>,
    pub target: Option<String>,
    pub build_args: Vec<(String, String)>,
    pub base_ref: Option<String>,
    pub base_image: Option<String>,
    pub token: Option<String>,
    /// The login that writes shiplight's comments, when stated (else asked of GitHub).
    pub comment_author: Option<String>,
    pub comment: CommentMode,
    pub thresholds: Thresholds,
    pub lint_failure_threshold: Option<Severity>,
    /// Show (and fail on) every finding of the head Dockerfile, not only the new ones
    /// (`None`: as the configuration's `lint-findings` says, else only the new ones).
    pub all_findings: Option<bool>,
    pub suggest: SuggestMode,
    pub config: Option<PathBuf>,
    pub comment_template: Option<PathBuf>,
    pub approve_label: Option<String>,
    /// Where report.json and comment.md are written (relative to the workspace).
    pub report_dir: PathBuf,
    /// The saved report that `mode: comment` posts.
    pub report: Option<PathBuf>,
    pub builder: Builder,
    pub timeout_seconds: u64,
}

/// A bad input: which one, what was wrong, what to write instead.
#[derive(Debug, thiserror::Error)]
#[error("input `{name}`: {message}")]
pub struct InputError {
    pub name: String,
    pub message: String,
}

/// The environment variable the runner uses for an input: `INPUT_` and the name upper-cased,
/// spaces as `_`, hyphens kept (`INPUT_FAIL-ON-INCREASE-PERCENT`).
pub fn input_var(name: &str) -> String {
    format!("INPUT_{}", name.replace(' ', "_").to_uppercase())
}

impl Inputs {
    /// Read the inputs through `get` (the variable name to its value); empty means default.
    pub fn read(get: impl Fn(&str) -> Option<String>) -> Result<Inputs, InputError> {
        let raw = |name: &str| get(&input_var(name)).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let bad = |name: &str, message: String| InputError { name: name.into(), message };
        let choice = |name: &str, allowed: &[&str], default: &str| -> Result<String, InputError> {
            let v = raw(name).unwrap_or_else(|| default.to_owned()).to_ascii_lowercase();
            if allowed.contains(&v.as_str()) {
                Ok(v)
            } else {
                Err(bad(name, format!("`{v}` is not one of {}", allowed.join(", "))))
            }
        };
        let percent = |name: &str| -> Result<Option<f64>, InputError> {
            raw(name)
                .map(|v| {
                    v.trim_end_matches('%')
                        .trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|p| p.is_finite() && *p >= 0.0)
                        .ok_or_else(|| bad(name, format!("`{v}` is not a percentage (write e.g. 10 or 2.5)")))
                })
                .transpose()
        };
        let bytes = |name: &str| -> Result<Option<u64>, InputError> {
            raw(name).map(|v| parse_size(&v).map_err(|e| bad(name, e))).transpose()
        };
        let lines = |name: &str| -> Vec<String> {
            raw(name)
                .map(|v| {
                    v.lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty() && !l.starts_with('#'))
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut build_args = Vec::new();
        for line in lines("build-args") {
            match line.split_once('=') {
                Some((k, v)) if !k.trim().is_empty() => build_args.push((k.trim().to_owned(), v.to_owned())),
                _ => return Err(bad("build-args", format!("`{line}` is not KEY=VALUE (one per line)"))),
            }
        }
        let lint_failure_threshold = match raw("lint-failure-threshold") {
            None => None,
            Some(v) if v.eq_ignore_ascii_case("none") => Some(None),
            Some(v) => Some(Some(Severity::parse(&v).ok_or_else(|| {
                bad("lint-failure-threshold", format!("`{v}` is not one of error, warning, info, style, none"))
            })?)),
        };
        let mut dockerfiles: Vec<PathBuf> = lines("dockerfile").into_iter().map(PathBuf::from).collect();
        if dockerfiles.is_empty() {
            dockerfiles.push(PathBuf::from("Dockerfile"));
        }
        let base_ref = raw("base-ref");
        let base_image = raw("base-image");
        if base_ref.is_some() && base_image.is_some() {
            return Err(bad("base-image", "give base-ref or base-image, not both".into()));
        }
        let timeout_seconds = match raw("timeout") {
            Some(v) => v.parse().map_err(|_| bad("timeout", format!("`{v}` is not a number of seconds")))?,
            None => 3600,
        };
        Ok(Inputs {
            mode: if choice("mode", &["run", "comment"], "run")? == "comment" { Mode::Comment } else { Mode::Run },
            dockerfiles,
            context: raw("context").map(PathBuf::from),
            target: raw("target"),
            build_args,
            base_ref,
            base_image,
            token: raw("github-token"),
            comment_author: raw("comment-author"),
            comment: match choice("comment", &["always", "on-change", "never"], "always")?.as_str() {
                "on-change" => CommentMode::OnChange,
                "never" => CommentMode::Never,
                _ => CommentMode::Always,
            },
            thresholds: Thresholds {
                fail_on_increase_bytes: bytes("fail-on-increase-bytes")?,
                fail_on_increase_percent: percent("fail-on-increase-percent")?,
                warn_on_increase_percent: percent("warn-on-increase-percent")?,
                max_size: bytes("max-size")?,
            },
            lint_failure_threshold: lint_failure_threshold.unwrap_or(Some(Severity::Error)),
            all_findings: match raw("lint-findings") {
                None => None,
                Some(_) => Some(choice("lint-findings", &["new", "all"], "new")? == "all"),
            },
            suggest: match choice("suggest", &["verify", "diff", "off"], "verify")?.as_str() {
                "diff" => SuggestMode::Diff,
                "off" => SuggestMode::Off,
                _ => SuggestMode::Verify,
            },
            config: raw("config").map(PathBuf::from),
            comment_template: raw("comment-template").map(PathBuf::from),
            approve_label: raw("approve-label"),
            report_dir: PathBuf::from(raw("report-dir").unwrap_or_else(|| ".shiplight".into())),
            report: raw("report").map(PathBuf::from),
            builder: match choice("builder", &["auto", "buildkit", "classic"], "auto")?.as_str() {
                "buildkit" => Builder::Buildkit,
                "classic" => Builder::Classic,
                _ => Builder::Auto,
            },
            timeout_seconds,
        })
    }

    /// Read the inputs from this process's environment.
    pub fn from_env() -> Result<Inputs, InputError> {
        Inputs::read(|k| std::env::var(k).ok())
    }
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
            ActionError::Input(_) | ActionError::Usage(_) => super::exit::USAGE,
            ActionError::Compare(e) => e.exit_code(),
            ActionError::GitHub(_) | ActionError::Environment(_) => super::exit::ENVIRONMENT,
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

/// One line on stdout for the runner (workflow commands) and the log.
fn say(line: &str) {
    println!("{line}");
}

/// The marker key of a run: its images' keys, so several images share one comment and
/// matrix jobs for different images keep their own.
fn run_key(report: &Report) -> String {
    let mut keys: Vec<String> = report.images.iter().map(|i| safe_key(&i.name)).collect();
    keys.sort();
    keys.dedup();
    if keys.is_empty() {
        "image".into()
    } else {
        keys.join(",")
    }
}

/// Findings of `head` that `base` did not have: matched by rule and the text of the line,
/// so findings that merely moved are not new.
pub fn new_findings(head: Vec<Finding>, base: &[Finding]) -> Vec<Finding> {
    let key = |f: &Finding| (f.code.clone(), f.source_line.trim().to_owned());
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for f in base {
        *seen.entry(key(f)).or_default() += 1;
    }
    head.into_iter()
        .filter(|f| match seen.get_mut(&key(f)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .collect()
}

/// A size failure turned into a pass by the approve label; the note says what was approved.
fn approve(img: &mut crate::report::ImageReport, label: Option<&str>, labels: &[String]) {
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
fn verdict_word(report: &Report) -> String {
    if report.failed() {
        return "fail".into();
    }
    report.verdict.unwrap_or(Verdict::Skipped).as_str().into()
}

fn links(runner: &Runner, sha: Option<String>, run_url: Option<String>) -> Links {
    let repo_url = runner.repository.as_ref().map(|r| format!("{}/{r}", runner.server_url.trim_end_matches('/')));
    let run_url = run_url.or_else(|| match (&repo_url, &runner.run_id) {
        (Some(repo), Some(id)) => Some(format!("{repo}/actions/runs/{id}")),
        _ => None,
    });
    Links { repo_url, sha, run_url }
}

fn template(inputs: &Inputs, workspace: &Path) -> Result<String, ActionError> {
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
fn save(inputs: &Inputs, runner: &Runner, report: &Report, comment: &str) -> Result<(PathBuf, PathBuf), ActionError> {
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
fn hand_back(runner: &Runner, outcome: &Outcome, comment: &str) {
    let r = &outcome.report;
    // an image that did not build has no size: it counts in neither sum
    let built: Vec<_> = r.images.iter().filter(|i| i.build_error.is_none()).collect();
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

fn annotate(report: &Report) {
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

/// Run the step.
pub async fn run(inputs: &Inputs, runner: &Runner) -> Result<Outcome, ActionError> {
    match inputs.mode {
        Mode::Run => run_checks(inputs, runner).await,
        Mode::Comment => post_saved(inputs, runner).await,
    }
}

fn relative(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").unwrap_or(&s).to_owned()
}

/// What the comment adds to a compared image, and how.
pub struct Extras<'a> {
    pub cfg: &'a LintConfig,
    /// Keep only the findings the base Dockerfile did not have.
    pub new_only: bool,
    pub suggest: SuggestMode,
    pub context: Option<PathBuf>,
    pub builder: Builder,
    pub timeout_seconds: u64,
}

/// Lint the head Dockerfile (only its new findings when asked and the base is known) and
/// attach the multi-stage suggestion, verified when asked. `log` gets workflow commands.
pub async fn complete(
    img: &mut ImageReport,
    path: &Path,
    text: &str,
    x: &Extras<'_>,
    log: &dyn Fn(&str),
) -> Vec<Finding> {
    let shown = img.dockerfile.clone();
    let head_findings = lint::lint_text(text, &shown, x.cfg);
    let findings = match (&img.base_dockerfile, x.new_only) {
        (Some(base_text), true) => new_findings(head_findings, &lint::lint_text(base_text, &shown, x.cfg)),
        _ => head_findings,
    };
    if x.suggest == SuggestMode::Off {
        return findings;
    }
    let sopts = SuggestOptions {
        dockerfile: path.to_path_buf(),
        write: false,
        templates: None,
        context: x.context.clone(),
        verify: x.suggest == SuggestMode::Verify,
        smoke_http: None,
        smoke_cmd: None,
        no_smoke: false,
        smoke_timeout: 60,
        timeout: x.timeout_seconds,
        builder: x.builder,
        scratch: false,
    };
    match suggest::run(&sopts) {
        Ok(mut s) if s.patched.is_some() => {
            s.dockerfile = shown.clone();
            if sopts.verify {
                log(&format!("::group::shiplight: verify the multi-stage rewrite of {shown}"));
                let v = suggest::verify(&sopts, text, &mut s).await;
                log("::endgroup::");
                match v {
                    Ok(v) => s.verification = Some(v),
                    Err(e) => log(&format!(
                        "::warning::{shown}: the rewrite could not be verified: {}",
                        escape_data(&e.to_string())
                    )),
                }
            }
            s.patched = None;
            img.suggestion = Some(s);
        }
        Ok(_) => {}
        Err(e) => log(&format!("::warning::{shown}: no suggestion: {}", escape_data(&e.to_string()))),
    }
    findings
}

/// `shiplight compare --format markdown`: the comment the Action would post for this
/// comparison (findings new against the base, the suggested rewrite unverified unless asked).
pub async fn preview(opts: &CompareOptions, mut report: Report, verify: bool) -> Result<String, String> {
    let text = std::fs::read_to_string(&opts.dockerfile)
        .map_err(|e| format!("cannot read {}: {e}", opts.dockerfile.display()))?;
    let dir = opts.dockerfile.parent().map(Path::to_path_buf).unwrap_or_default();
    let cwd = std::env::current_dir().unwrap_or_default();
    let loaded = super::lint::load_config(None, &cwd).map_err(|e| e.to_string())?;
    let mut cfg = loaded.config;
    if let Some(t) = &opts.target {
        cfg.targets = vec![t.clone()];
    }
    let mut findings = Vec::new();
    for img in &mut report.images {
        report.new_findings_only = img.base_dockerfile.is_some() && !cfg.all_findings.unwrap_or(false);
        let extras = Extras {
            cfg: &cfg,
            new_only: report.new_findings_only,
            suggest: if verify { SuggestMode::Verify } else { SuggestMode::Diff },
            context: opts.context.clone().or_else(|| Some(dir.clone())),
            builder: opts.builder,
            timeout_seconds: opts.timeout.as_secs(),
        };
        findings.extend(complete(img, &opts.dockerfile, &text, &extras, &|l: &str| eprintln!("{l}")).await);
    }
    report.findings = findings;
    let key = run_key(&report);
    body::render(&report, &key, &Links::default(), body::TEMPLATE)
}

async fn run_checks(inputs: &Inputs, runner: &Runner) -> Result<Outcome, ActionError> {
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
    let loaded = super::lint::load_config(inputs.config.as_ref().map(|c| ws.join(c)).as_deref(), ws)
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
        let shown = relative(df);
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
        approve(&mut img, inputs.approve_label.as_deref(), pr.as_ref().map(|p| &p.labels[..]).unwrap_or(&[]));

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
    let comment = body::render(&report, &key, &links(runner, head_sha, None), &template(inputs, ws)?)
        .map_err(ActionError::Usage)?;
    let (report_json, comment_md) = save(inputs, runner, &report, &comment)?;
    let mut outcome = Outcome { verdict: verdict_word(&report), report_json, comment_md, ..Outcome::default() };

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
                say(&identify(&mut client, inputs, runner, &token).await?);
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
                    notice_ignored(&posted);
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
    annotate(&report);
    outcome.exit_code = if outcome.verdict == "fail" { super::exit::FINDINGS } else { super::exit::OK };
    outcome.report = report;
    hand_back(runner, &outcome, &comment);
    Ok(outcome)
}

/// Settle who writes shiplight's comments (input `comment-author`, else the token's identity
/// from GitHub, else `github-actions[bot]` for the job token): the line to log.
async fn identify(
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
fn notice_ignored(posted: &Posted) {
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
const MAX_SAVED_REPORT: u64 = 16 * 1024 * 1024;

/// The workflow_run half of the fork pattern. Everything in the saved report is untrusted:
/// verdicts are judged again with this job's thresholds, text goes through the comment's
/// escaping, and the pull request must still have the head the report was made for.
async fn post_saved(inputs: &Inputs, runner: &Runner) -> Result<Outcome, ActionError> {
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
    say(&identify(&mut client, inputs, runner, &token).await?);
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
        approve(img, inputs.approve_label.as_deref(), &labels);
    }
    report.verdict = report.images.iter().map(|i| i.verdict).max();
    report.failure_threshold = inputs.lint_failure_threshold;
    report.pull_request = Some(PullRequestRef { number, head_sha: run.head_sha.clone() });
    let key = run_key(&report);
    let comment = body::render(
        &report,
        &key,
        &links(runner, Some(run.head_sha.clone()), run.html_url.clone()),
        &template(inputs, ws)?,
    )
    .map_err(ActionError::Usage)?;
    let posted = client.upsert(number, &key, &comment).await?;
    notice_ignored(&posted);
    let mut outcome = Outcome {
        verdict: verdict_word(&report),
        comment_url: Some(posted.url.clone()),
        report_json: path,
        comment_note: format!("comment {} {}", if posted.created { "posted:" } else { "updated:" }, posted.url),
        exit_code: super::exit::OK,
        ..Outcome::default()
    };
    outcome.report = report;
    hand_back(runner, &outcome, &comment);
    Ok(outcome)
}

/// A short text report for the log.
pub fn log_lines(outcome: &Outcome) -> Vec<String> {
    let mut out = Vec::new();
    for img in &outcome.report.images {
        let sizes = match &img.comparison {
            Some(c) => format!("{} -> {} ({})", size(c.size.base), size(c.size.head), signed_size(c.size.delta)),
            None => size(img.head.size_bytes),
        };
        out.push(format!("{}: {sizes}: {:?}", img.name, img.verdict).to_lowercase());
    }
    out.push(format!("verdict: {}", outcome.verdict));
    out.push(outcome.comment_note.clone());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(vars: &[(&str, &str)]) -> Result<Inputs, InputError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (input_var(k), v.to_string())).collect();
        Inputs::read(|k| map.get(k).cloned())
    }

    #[test]
    fn input_names_follow_the_runner() {
        assert_eq!(input_var("fail-on-increase-percent"), "INPUT_FAIL-ON-INCREASE-PERCENT");
        assert_eq!(input_var("github-token"), "INPUT_GITHUB-TOKEN");
    }

    #[test]
    fn defaults_are_sensible() {
        let i = inputs(&[("github-token", ""), ("comment", "")]).unwrap();
        assert_eq!(i.dockerfiles, vec![PathBuf::from("Dockerfile")]);
        assert_eq!((i.comment, i.suggest, i.mode), (CommentMode::Always, SuggestMode::Verify, Mode::Run));
        assert_eq!(i.lint_failure_threshold, Some(Severity::Error));
        assert_eq!(i.thresholds, Thresholds::default());
        assert!(i.all_findings.is_none() && i.token.is_none());
    }

    #[test]
    fn lists_sizes_and_percentages() {
        let i = inputs(&[
            ("dockerfile", "app/Dockerfile\n\n  api/Dockerfile.prod  \n"),
            ("build-args", "A=1\nB=x=y\n"),
            ("fail-on-increase-bytes", "20MB"),
            ("fail-on-increase-percent", "10%"),
            ("warn-on-increase-percent", "2.5"),
            ("max-size", "1 GB"),
            ("lint-failure-threshold", "none"),
            ("comment", "On-Change"),
        ])
        .unwrap();
        assert_eq!(i.dockerfiles, vec![PathBuf::from("app/Dockerfile"), PathBuf::from("api/Dockerfile.prod")]);
        assert_eq!(i.build_args, vec![("A".into(), "1".into()), ("B".into(), "x=y".into())]);
        assert_eq!(i.thresholds.fail_on_increase_bytes, Some(20_000_000));
        assert_eq!(i.thresholds.fail_on_increase_percent, Some(10.0));
        assert_eq!(i.thresholds.warn_on_increase_percent, Some(2.5));
        assert_eq!(i.thresholds.max_size, Some(1_000_000_000));
        assert_eq!((i.lint_failure_threshold, i.comment), (None, CommentMode::OnChange));
    }

    #[test]
    fn bad_inputs_name_the_input_and_the_fix() {
        let e = inputs(&[("fail-on-increase-percent", "ten")]).unwrap_err().to_string();
        assert_eq!(e, "input `fail-on-increase-percent`: `ten` is not a percentage (write e.g. 10 or 2.5)");
        let e = inputs(&[("comment", "sometimes")]).unwrap_err().to_string();
        assert_eq!(e, "input `comment`: `sometimes` is not one of always, on-change, never");
        assert!(inputs(&[("max-size", "5 parsecs")]).unwrap_err().to_string().starts_with("input `max-size`: "));
        assert!(inputs(&[("build-args", "NOEQUALS")]).unwrap_err().to_string().contains("KEY=VALUE"));
        assert!(inputs(&[("base-ref", "main"), ("base-image", "app:1")]).is_err());
    }

    #[test]
    fn only_new_findings_even_when_lines_move() {
        let cfg = LintConfig::default();
        let base = "FROM python:3.9\nRUN pip install flask\nCMD [\"python\", \"app.py\"]\n";
        let head = "FROM python:3.9\n# moved down a line\nRUN pip install flask\nRUN apt-get update && apt-get install -y build-essential\nCMD [\"python\", \"app.py\"]\n";
        let all = lint::lint_text(head, "Dockerfile", &cfg);
        let new = new_findings(all.clone(), &lint::lint_text(base, "Dockerfile", &cfg));
        assert!(new.len() < all.len(), "the findings the base had are dropped");
        assert!(new.iter().all(|f| f.line == 4), "{new:#?}");
        assert!(new.iter().any(|f| f.code == "SL101" || f.code == "SL102"), "{new:#?}");
    }

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
