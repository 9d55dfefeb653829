//! The step's inputs, as `action.yml` documents them: read from `INPUT_<NAME>` (hyphens
//! kept, as the runner passes them); a bad one is named with what to write instead.

use std::path::PathBuf;

use super::Mode;
use crate::image::compare::Thresholds;
use crate::image::docker::engine::Builder;
use crate::lint::Severity;
use crate::pipeline::compare::parse_size;
pub use crate::pipeline::review::SuggestMode;

/// When to post the pull-request comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentMode {
    Always,
    /// Only when a size changed, a finding is new or a patch is suggested; an existing
    /// comment is always kept up to date.
    OnChange,
    Never,
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
    /// The pull request's image as it already exists (`registry://…`, `oci-dir://…`, …):
    /// measured, not built.
    pub image: Option<String>,
    /// Which platforms of an index to compare (`all`, or a comma-separated list).
    pub platforms: Option<String>,
    pub sizes_only: bool,
    pub registry_username: Option<String>,
    pub registry_password: Option<String>,
    /// Hosts that may be reached over plain HTTP (one per line).
    pub insecure_registries: Vec<String>,
    /// Where layer scans are kept (default: `~/.cache/shiplight`, which in the Action's
    /// container is under the runner's temp).
    pub cache_dir: Option<PathBuf>,
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
    /// Post the proved fixes of findings on the lines a pull request changed as review
    /// suggestions (`review: suggestions`, the default), or not (`off`).
    pub review: bool,
    /// At most this many review comments are posted per run (`review-max-comments`).
    pub review_max_comments: usize,
    pub config: Option<PathBuf>,
    pub comment_template: Option<PathBuf>,
    pub approve_label: Option<String>,
    /// Where report.json and comment.md are written (relative to the workspace).
    pub report_dir: PathBuf,
    /// The saved report that `mode: comment` posts.
    pub report: Option<PathBuf>,
    pub builder: Builder,
    pub timeout_seconds: u64,
    /// One image of `.shiplight.yml`'s `images:` (or a discovered one) to check: its
    /// Dockerfile, context, target, build arguments and thresholds.
    pub image_name: Option<String>,
    /// For `mode: merge`: the plan (`shiplight plan --format github`'s `plan` output), inline
    /// JSON or a file.
    pub plan: Option<String>,
    /// For `mode: merge`: the folder the report artifacts were downloaded into.
    pub reports: Option<PathBuf>,
    /// For `mode: merge`: a planned image without a report fails the check (else it warns).
    pub missing_report_fails: bool,
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

/// An input's error: its name and what is wrong with the value.
fn bad(name: &str, message: String) -> InputError {
    InputError { name: name.into(), message }
}

/// The inputs as the runner passes them (a variable name to its value), and the parsers
/// they share. Empty means the default.
struct Raw<F: Fn(&str) -> Option<String>>(F);

impl<F: Fn(&str) -> Option<String>> Raw<F> {
    /// The value, trimmed; `None` when unset or empty.
    fn raw(&self, name: &str) -> Option<String> {
        (self.0)(&input_var(name)).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
    }

    /// One of `allowed`, any case, else `default`.
    fn choice(&self, name: &str, allowed: &[&str], default: &str) -> Result<String, InputError> {
        let v = self.raw(name).unwrap_or_else(|| default.to_owned()).to_ascii_lowercase();
        if allowed.contains(&v.as_str()) {
            Ok(v)
        } else {
            Err(bad(name, format!("`{v}` is not one of {}", allowed.join(", "))))
        }
    }

    /// A percentage: `10`, `2.5`, `10 %`.
    fn percent(&self, name: &str) -> Result<Option<f64>, InputError> {
        self.raw(name)
            .map(|v| {
                v.trim_end_matches('%')
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|p| p.is_finite() && *p >= 0.0)
                    .ok_or_else(|| bad(name, format!("`{v}` is not a percentage (write e.g. 10 or 2.5)")))
            })
            .transpose()
    }

    /// A size: bytes, or with kB/MB/GB.
    fn bytes(&self, name: &str) -> Result<Option<u64>, InputError> {
        self.raw(name).map(|v| parse_size(&v).map_err(|e| bad(name, e))).transpose()
    }

    /// One value per line, blank lines and `#` comments left out.
    fn lines(&self, name: &str) -> Vec<String> {
        self.raw(name)
            .map(|v| {
                v.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(String::from).collect()
            })
            .unwrap_or_default()
    }
}

impl Inputs {
    /// Read the inputs through `get` (the variable name to its value); empty means default.
    pub fn read(get: impl Fn(&str) -> Option<String>) -> Result<Inputs, InputError> {
        let r = Raw(get);
        let mut build_args = Vec::new();
        for line in r.lines("build-args") {
            match line.split_once('=') {
                Some((k, v)) if !k.trim().is_empty() => build_args.push((k.trim().to_owned(), v.to_owned())),
                _ => return Err(bad("build-args", format!("`{line}` is not KEY=VALUE (one per line)"))),
            }
        }
        let lint_failure_threshold = match r.raw("lint-failure-threshold") {
            None => None,
            Some(v) if v.eq_ignore_ascii_case("none") => Some(None),
            Some(v) => Some(Some(Severity::parse(&v).ok_or_else(|| {
                bad("lint-failure-threshold", format!("`{v}` is not one of error, warning, info, style, none"))
            })?)),
        };
        // empty: `Dockerfile`, or the one `image-name` names
        let dockerfiles: Vec<PathBuf> = r.lines("dockerfile").into_iter().map(PathBuf::from).collect();
        let base_ref = r.raw("base-ref");
        let base_image = r.raw("base-image");
        if base_ref.is_some() && base_image.is_some() {
            return Err(bad("base-image", "give base-ref or base-image, not both".into()));
        }
        let image = r.raw("image");
        for (name, v) in [("image", &image), ("base-image", &base_image)] {
            if let Some(v) = v {
                crate::image::source::ImageSource::parse(v).map_err(|m| bad(name, m))?;
            }
        }
        let platforms = r.raw("platforms");
        if let Some(p) = &platforms {
            crate::image::oci::Platforms::parse(p).map_err(|m| bad("platforms", m))?;
        }
        let sizes_only = r.choice("sizes-only", &["true", "false"], "false")? == "true";
        if sizes_only && image.is_none() {
            return Err(bad(
                "sizes-only",
                "reads manifests: give the pull request's image as `image` (registry://…)".into(),
            ));
        }
        let (registry_username, registry_password) = (r.raw("registry-username"), r.raw("registry-password"));
        if registry_username.is_some() != registry_password.is_some() {
            return Err(bad("registry-password", "give registry-username and registry-password together".into()));
        }
        let review_max_comments = match r.raw("review-max-comments") {
            Some(v) => v.parse().map_err(|_| {
                bad("review-max-comments", format!("`{v}` is not a number of comments (write e.g. 30; 0 posts none)"))
            })?,
            None => 30,
        };
        let timeout_seconds = match r.raw("timeout") {
            Some(v) => v.parse().map_err(|_| bad("timeout", format!("`{v}` is not a number of seconds")))?,
            None => 3600,
        };
        Ok(Inputs {
            mode: match r.choice("mode", &["run", "comment", "plan", "merge"], "run")?.as_str() {
                "comment" => Mode::Comment,
                "plan" => Mode::Plan,
                "merge" => Mode::Merge,
                _ => Mode::Run,
            },
            dockerfiles,
            context: r.raw("context").map(PathBuf::from),
            target: r.raw("target"),
            build_args,
            base_ref,
            base_image,
            image,
            platforms,
            sizes_only,
            registry_username,
            registry_password,
            insecure_registries: r.lines("insecure-registries"),
            cache_dir: r.raw("cache-dir").map(PathBuf::from),
            token: r.raw("github-token"),
            comment_author: r.raw("comment-author"),
            comment: match r.choice("comment", &["always", "on-change", "never"], "always")?.as_str() {
                "on-change" => CommentMode::OnChange,
                "never" => CommentMode::Never,
                _ => CommentMode::Always,
            },
            thresholds: Thresholds {
                fail_on_increase_bytes: r.bytes("fail-on-increase-bytes")?,
                fail_on_increase_percent: r.percent("fail-on-increase-percent")?,
                warn_on_increase_percent: r.percent("warn-on-increase-percent")?,
                max_size: r.bytes("max-size")?,
            },
            lint_failure_threshold: lint_failure_threshold.unwrap_or(Some(Severity::Error)),
            all_findings: match r.raw("lint-findings") {
                None => None,
                Some(_) => Some(r.choice("lint-findings", &["new", "all"], "new")? == "all"),
            },
            suggest: match r.choice("suggest", &["verify", "diff", "off"], "verify")?.as_str() {
                "diff" => SuggestMode::Diff,
                "off" => SuggestMode::Off,
                _ => SuggestMode::Verify,
            },
            review: r.choice("review", &["suggestions", "off"], "suggestions")? == "suggestions",
            review_max_comments,
            config: r.raw("config").map(PathBuf::from),
            comment_template: r.raw("comment-template").map(PathBuf::from),
            approve_label: r.raw("approve-label"),
            report_dir: PathBuf::from(r.raw("report-dir").unwrap_or_else(|| ".shiplight".into())),
            report: r.raw("report").map(PathBuf::from),
            builder: match r.choice("builder", &["auto", "buildkit", "classic"], "auto")?.as_str() {
                "buildkit" => Builder::Buildkit,
                "classic" => Builder::Classic,
                _ => Builder::Auto,
            },
            timeout_seconds,
            image_name: r.raw("image-name"),
            plan: r.raw("plan"),
            reports: r.raw("reports").map(PathBuf::from),
            missing_report_fails: r.choice("missing-report", &["fail", "warn"], "fail")? == "fail",
        })
    }

    /// Read the inputs from this process's environment.
    pub fn from_env() -> Result<Inputs, InputError> {
        Inputs::read(|k| std::env::var(k).ok())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

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
        assert!(i.dockerfiles.is_empty() && i.image_name.is_none());
        assert_eq!((i.comment, i.suggest, i.mode), (CommentMode::Always, SuggestMode::Verify, Mode::Run));
        assert_eq!(i.lint_failure_threshold, Some(Severity::Error));
        assert_eq!(i.thresholds, Thresholds::default());
        assert!(i.all_findings.is_none() && i.token.is_none());
        assert!(i.review && i.review_max_comments == 30, "review suggestions are on, 30 at most");
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
        let e = inputs(&[("review", "request-changes")]).unwrap_err().to_string();
        assert_eq!(e, "input `review`: `request-changes` is not one of suggestions, off");
        let e = inputs(&[("review-max-comments", "lots")]).unwrap_err().to_string();
        assert!(e.starts_with("input `review-max-comments`: `lots` is not a number"), "{e}");
        assert!(!inputs(&[("review", "off")]).unwrap().review);
    }
}
