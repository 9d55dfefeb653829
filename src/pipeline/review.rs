//! Review one compared image as the pull request's comment shows it: lint the head
//! Dockerfile (only what is new against the base, when asked) and attach the multi-stage
//! rewrite, verified by building it when asked. Used by the Action's run mode and by
//! `shiplight compare --format markdown`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::compare::CompareOptions;
use super::suggest::{self, SuggestOptions};
use crate::image::docker::engine::Builder;
use crate::image::packages::cost;
use crate::lint::{self, Finding, LintConfig};
use crate::report::comment::{self as body, run_key, Links};
use crate::report::render::{escape_data, size};
use crate::report::{ImageReport, Report};

/// How far to take the multi-stage suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuggestMode {
    /// Build the patched Dockerfile and smoke-check it beside the original.
    Verify,
    Diff,
    Off,
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

/// What the comment adds to a compared image, and how.
pub struct Extras<'a> {
    pub cfg: &'a LintConfig,
    /// Keep only the findings the base Dockerfile did not have.
    pub new_only: bool,
    pub suggest: SuggestMode,
    pub context: Option<PathBuf>,
    pub builder: Builder,
    pub timeout_seconds: u64,
    /// What the repository says ships of this Dockerfile (`cfg` already follows it): its
    /// evidence goes on the image and on the findings about what ships.
    pub ships: Option<crate::repository::Answer>,
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
    let mut findings = match (&img.base_dockerfile, x.new_only) {
        (Some(base_text), true) => new_findings(head_findings, &lint::lint_text(base_text, &shown, x.cfg)),
        _ => head_findings,
    };
    measured(&mut findings, img);
    findings.extend(budgets(img, text, x.cfg, x.new_only));
    if let Some(a) = &x.ships {
        super::lint::mark_ships(&mut findings, a);
        if !a.default || a.role != crate::repository::Role::Ships {
            img.ships = Some(a.line());
        }
    }
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

/// State what a finding's line costs in the built image: the recommended packages an
/// install without `--no-install-recommends` brought (SL302), the toolchain a final stage
/// ships (SL101). A finding without an image keeps its plain message.
pub fn measured(findings: &mut [Finding], img: &ImageReport) {
    let Some(inv) = &img.head_packages else { return };
    let line_of = |l: usize| img.head.line_of_layer(l);
    for f in findings.iter_mut() {
        let cost = match f.code.as_str() {
            "SL302" => cost::recommended(inv, &line_of, f.line)
                .map(|c| format!("; in this image that is {}", c.describe(&size))),
            "SL101" => cost::toolchain(inv, &line_of, f.line)
                .map(|c| format!("; measured in this image: {} with what it pulled in", c.describe(&size))),
            _ => None,
        };
        if let Some(c) = cost {
            f.message.push_str(&c);
        }
    }
}

/// SL112 and SL113 on the built image: the packages `deny-packages` forbids and the ones over
/// `max-package-bytes`, on the line that installed them (the FROM line when the base image
/// brought them). With `new_only`, only the packages this pull request added
/// or changed, as for the other findings.
pub fn budgets(img: &ImageReport, text: &str, cfg: &LintConfig, new_only: bool) -> Vec<Finding> {
    let Some(all) = &img.head_packages else { return Vec::new() };
    let filtered;
    let inv = match (&img.packages, new_only) {
        (Some(delta), true) => {
            let new: std::collections::HashSet<(&str, Option<&str>)> = delta
                .added
                .iter()
                .map(|e| (e.package.name.as_str(), e.package.location.as_deref()))
                .chain(delta.changed.iter().map(|c| (c.name.as_str(), c.location.as_deref())))
                .collect();
            filtered = crate::image::packages::Inventory {
                packages: all
                    .packages
                    .iter()
                    .filter(|p| new.contains(&(p.name.as_str(), p.location.as_deref())))
                    .cloned()
                    .collect(),
                ..Default::default()
            };
            &filtered
        }
        _ => all,
    };
    // a layer the FROM image brought carries the FROM line
    let place = |l: usize| img.head.fs_layer(l).map(|x| (x.line, x.inherited)).unwrap_or((None, false));
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for b in crate::image::packages::budget::check(inv, &place, &cfg.deny_packages, cfg.max_package_bytes, &size) {
        let Some(rule) = lint::rules::find(b.code) else { continue };
        let Some(severity) = cfg.severity_of(rule).filter(|_| !cfg.is_ignored(rule, None)) else { continue };
        let line = b.line.unwrap_or(1);
        out.push(Finding {
            file: img.dockerfile.clone(),
            line,
            column: 1,
            end_line: line,
            code: rule.code.into(),
            name: rule.name.into(),
            severity,
            message: b.message,
            stage: None,
            fix: Some("build it in an earlier stage and copy only what the application needs".into()),
            source_line: lines.get(line.saturating_sub(1)).map(|l| l.to_string()).unwrap_or_default(),
            ships: None,
            edits: Vec::new(),
        });
    }
    out
}

/// `shiplight compare --format markdown`: the comment the Action would post for this
/// comparison (findings new against the base, the suggested rewrite unverified unless asked).
pub async fn preview(opts: &CompareOptions, mut report: Report, verify: bool) -> Result<String, String> {
    let text = std::fs::read_to_string(&opts.dockerfile)
        .map_err(|e| format!("cannot read {}: {e}", opts.dockerfile.display()))?;
    let dir = opts.dockerfile.parent().map(Path::to_path_buf).unwrap_or_default();
    let cwd = std::env::current_dir().unwrap_or_default();
    let loaded = super::lint::load_config(None, &cwd).map_err(|e| e.to_string())?;
    let (cfg, ships) =
        super::lint::ship_for(loaded.config, &opts.dockerfile, &cwd, &text, opts.target.as_deref(), "--target");
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
            ships: ships.clone(),
        };
        findings.extend(complete(img, &opts.dockerfile, &text, &extras, &|l: &str| eprintln!("{l}")).await);
    }
    report.findings = findings;
    let key = run_key(&report);
    body::render(&report, &key, &Links::default(), body::TEMPLATE)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
