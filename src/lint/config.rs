//! Lint configuration from `.shiplight.yml`, or from an existing `.hadolint.yaml` so a
//! hadolint user keeps the same behaviour.
//!
//! ```yaml
//! failure-threshold: warning      # error | warning | info | style | none
//! ignored: [SL114, DL3008]        # codes, names or hadolint codes
//! override:                       # hadolint's shape
//!   error: [SL101]
//!   info: [DL3059]
//! severity:                       # or per rule; `off` disables it
//!   unused-stage: off
//! targets: [runtime]              # stages that ship (default: the last one)
//! trusted-registries: [docker.io, ghcr.io]
//! ```
//!
//! Parsing is pure ([`parse`]); `pipeline::lint` finds and reads the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::rules::{self, Rule};
use super::Severity;

/// The configuration the engine applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintConfig {
    /// Findings at or above this fail the run; `None` never fails.
    pub failure_threshold: Option<Severity>,
    /// Ignored rules: codes, names or hadolint aliases, as written.
    pub ignored: Vec<String>,
    /// Severity per rule code; `None` turns the rule off.
    pub severity: BTreeMap<&'static str, Option<Severity>>,
    /// Stages that ship; empty means the last stage.
    pub targets: Vec<String>,
    /// Nothing of the file ships: every known build path is a development environment or a
    /// CI-only build (the ship model's role for it). The rules about what ships stay silent.
    pub nothing_ships: Option<crate::repository::Role>,
    /// The file is vendored (`vendor/`, `third_party/` …) and nothing here builds it: another
    /// repository's file, whose own build picks its targets.
    pub vendored: bool,
    /// The build arguments the repository's build files name: a build may pass them, so the
    /// Dockerfile's defaults do not decide their values.
    pub given_args: Vec<String>,
    /// No known path builds the file (a plain `docker build` is assumed): any build argument
    /// may be given, so no default decides.
    pub args_unknown: bool,
    /// The stages that ship run a compiler or build tool as their ENTRYPOINT/CMD: the
    /// toolchain is the product, and the rules about toolchains in the image stay silent.
    pub toolchain_product: bool,
    /// Another of the repository's images ships built FROM this one: a base image, whose
    /// user the images on it decide (SL107 asks them, not it).
    pub base_of_others: bool,
    /// The user the repository's own image the file ships on sets (see
    /// [`crate::repository::Answer::base_user`]).
    pub base_user: Option<String>,
    /// A script the image starts with (its ENTRYPOINT or CMD, a file from the build context)
    /// drops root before the program runs (`exec gosu app …`; see
    /// [`crate::dockerfile::roles::drops_root`]).
    pub start_drops_root: bool,
    /// A script the image starts with (its ENTRYPOINT or CMD, a file from the build context)
    /// builds when the container starts (llama-cpp-python's `run.sh`: `make build`): its path
    /// and the command. The toolchain is then used at run time (see
    /// [`crate::patch::start::compiles_at_start`]).
    pub start_compiles: Option<(String, String)>,
    /// A script the image starts with installs a requirements list when the container starts
    /// (mage-ai's `pip3 install -r "$REQUIREMENTS_FILE"`): its path and the command. The full
    /// base's compilers may be what builds that list (see
    /// [`crate::patch::start::installs_at_start`]).
    pub start_installs: Option<(String, String)>,
    /// The scripts the RUNs run, read from the build context where a COPY put them: their
    /// path in the image and their text (photoprism's `/scripts/cleanup.sh`, which removes
    /// the apt lists its RUN fetched).
    pub run_scripts: Vec<(String, String)>,
    /// The package.json files the COPYs of the file bring from the build context, by their
    /// path there, and their text (SL104 reads their devDependencies).
    pub package_jsons: Vec<(String, String)>,
    /// The repository's own image the file ships on and the ENV it sets (see
    /// [`crate::repository::Answer::base_env`]): stages FROM that image run with it.
    pub base_env: Option<(String, Vec<(String, String)>)>,
    /// Stages other build paths build (a dev container's target, a CI-only target): used,
    /// though they do not ship.
    pub built: Vec<String>,
    /// Images the repository builds itself (`registry/repository`) and named build contexts
    /// (a bake `contexts` name): a FROM of one is not a registry's image.
    pub local_images: Vec<String>,
    /// Registries base images may come from; empty allows all.
    pub trusted_registries: Vec<String>,
    /// `lint-findings: new|all`: whether a pull request's report shows only the findings its
    /// base did not have (the Action's `lint-findings` input wins when given).
    pub all_findings: Option<bool>,
    /// `deny-packages:`: globs of package names that must not ship (SL112, on a built image).
    pub deny_packages: Vec<String>,
    /// `max-package-bytes:`: the largest a package may be in a built image (SL113).
    pub max_package_bytes: Option<u64>,
    /// What the folders a COPY/ADD takes from the build context hold (`COPY rootfs/ /`), as
    /// the pipeline read them in the checkout: the source as written, and the paths under it
    /// (files and folders, relative to it). A source missing here is not known (a Dockerfile
    /// from stdin, a folder not found): it may hold anything.
    pub copied_folders: Vec<(String, Vec<String>)>,
}

impl Default for LintConfig {
    fn default() -> Self {
        LintConfig {
            // hadolint's default: fail on anything but style.
            failure_threshold: Some(Severity::Info),
            ignored: Vec::new(),
            severity: BTreeMap::new(),
            targets: Vec::new(),
            nothing_ships: None,
            vendored: false,
            given_args: Vec::new(),
            args_unknown: false,
            toolchain_product: false,
            base_of_others: false,
            base_user: None,
            start_drops_root: false,
            start_compiles: None,
            start_installs: None,
            run_scripts: Vec::new(),
            package_jsons: Vec::new(),
            base_env: None,
            built: Vec::new(),
            local_images: Vec::new(),
            trusted_registries: Vec::new(),
            all_findings: None,
            deny_packages: Vec::new(),
            max_package_bytes: None,
            copied_folders: Vec::new(),
        }
    }
}

impl LintConfig {
    /// The severity a rule reports with, or `None` when it is off.
    pub fn severity_of(&self, rule: &Rule) -> Option<Severity> {
        match self.severity.get(rule.code) {
            Some(s) => *s,
            None => Some(rule.severity),
        }
    }

    /// Whether the configuration ignores this rule (or this alias of it).
    pub fn is_ignored(&self, rule: &Rule, alias: Option<&str>) -> bool {
        self.ignored.iter().any(|c| rule.answers_to(c, alias))
    }

    /// Whether a finding of this severity fails the run.
    pub fn fails(&self, severity: Severity) -> bool {
        self.failure_threshold.is_some_and(|t| severity.reaches(t))
    }
}

/// A configuration file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}; check the path given to --config")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: {message}; fix the YAML (see docs/configuration.md)")]
    Yaml { path: String, message: String },
    #[error("{path}: {message}")]
    Value { path: String, message: String },
}

/// A configuration and what was odd about it.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub config: LintConfig,
    /// Unknown keys, unknown rule codes: "file: key: what is wrong".
    pub warnings: Vec<String>,
    /// The file it came from, if any.
    pub path: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawConfig {
    failure_threshold: Option<String>,
    #[serde(default)]
    ignored: Vec<String>,
    #[serde(default, rename = "override")]
    overrides: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    severity: BTreeMap<String, String>,
    #[serde(default)]
    targets: Vec<String>,
    #[serde(default, alias = "trustedRegistries")]
    trusted_registries: Vec<String>,
    lint_findings: Option<String>,
    #[serde(default)]
    deny_packages: Vec<String>,
    max_package_bytes: Option<yaml_serde::Value>,
    /// The images of a monorepo: `shiplight plan` reads them, lint does not.
    #[serde(default)]
    #[allow(dead_code)]
    images: Option<yaml_serde::Value>,
    #[serde(flatten)]
    unknown: BTreeMap<String, yaml_serde::Value>,
}

/// hadolint keys shiplight reads the file with but does not act on.
const HADOLINT_ONLY: &[&str] =
    &["label-schema", "strict-labels", "disable-ignore-pragma", "no-color", "no-fail", "format", "verbose"];

/// Parse configuration text. `origin` names the file in messages; a `.hadolint.y*ml` origin
/// is read with hadolint's meaning.
pub fn parse(text: &str, origin: &str) -> Result<Loaded, ConfigError> {
    let raw: RawConfig = if text.trim().is_empty() {
        RawConfig::default()
    } else {
        yaml_serde::from_str(text).map_err(|e| ConfigError::Yaml { path: origin.to_owned(), message: e.to_string() })?
    };
    let is_hadolint =
        Path::new(origin).file_name().and_then(|f| f.to_str()).is_some_and(|f| f.starts_with(".hadolint"));
    let mut warnings = Vec::new();
    for key in raw.unknown.keys() {
        if is_hadolint && HADOLINT_ONLY.contains(&key.as_str()) {
            warnings.push(format!("{origin}: `{key}` is a hadolint setting shiplight does not use; it has no effect"));
        } else {
            warnings.push(format!(
                "{origin}: unknown key `{key}` ignored; known keys: failure-threshold, ignored, override, severity, targets, trusted-registries, lint-findings, images, deny-packages, max-package-bytes"
            ));
        }
    }
    let mut config = LintConfig::default();
    if let Some(t) = &raw.failure_threshold {
        config.failure_threshold = match t.trim().to_ascii_lowercase().as_str() {
            "none" | "off" | "never" => None,
            other => Some(Severity::parse(other).ok_or_else(|| ConfigError::Value {
                path: origin.to_owned(),
                message: format!("failure-threshold `{t}` is not one of error, warning, info, style, none"),
            })?),
        };
    }
    let check_code = |code: &str, key: &str, warnings: &mut Vec<String>| -> Option<&'static Rule> {
        let found = rules::find(code);
        if found.is_none() {
            let what = if code.starts_with("DL") || code.starts_with("SC") {
                "is a hadolint/ShellCheck rule shiplight does not implement, so it has no effect"
            } else {
                "is not a shiplight rule code, name or hadolint alias (see `shiplight rules`)"
            };
            warnings.push(format!("{origin}: {key}: `{code}` {what}"));
        }
        found
    };
    for pattern in &raw.deny_packages {
        match globset::Glob::new(pattern) {
            Ok(_) => config.deny_packages.push(pattern.clone()),
            Err(e) => warnings.push(format!("{origin}: deny-packages: `{pattern}` is not a glob ({e}); it is ignored")),
        }
    }
    if let Some(v) = &raw.max_package_bytes {
        let text = match v {
            yaml_serde::Value::Number(n) => n.to_string(),
            yaml_serde::Value::String(s) => s.clone(),
            _ => String::new(),
        };
        config.max_package_bytes =
            Some(crate::image::compare::parse_size(&text).map_err(|e| ConfigError::Value {
                path: origin.to_owned(),
                message: format!("max-package-bytes: {e}"),
            })?);
    }
    for code in &raw.ignored {
        check_code(code, "ignored", &mut warnings);
    }
    config.ignored = raw.ignored.clone();
    for (level, codes) in &raw.overrides {
        let Some(sev) = Severity::parse(level) else {
            warnings.push(format!(
                "{origin}: override: `{level}` is not one of error, warning, info, style; entries under it ignored"
            ));
            continue;
        };
        for code in codes {
            if let Some(rule) = check_code(code, &format!("override.{level}"), &mut warnings) {
                config.severity.insert(rule.code, Some(sev));
            }
        }
    }
    for (code, level) in &raw.severity {
        let Some(rule) = check_code(code, "severity", &mut warnings) else {
            continue;
        };
        let value = match level.trim().to_ascii_lowercase().as_str() {
            "off" | "none" | "ignore" => None,
            other => match Severity::parse(other) {
                Some(s) => Some(s),
                None => {
                    warnings.push(format!(
                        "{origin}: severity.{code}: `{level}` is not one of error, warning, info, style, off"
                    ));
                    continue;
                }
            },
        };
        config.severity.insert(rule.code, value);
    }
    if let Some(scope) = &raw.lint_findings {
        config.all_findings = match scope.trim().to_ascii_lowercase().as_str() {
            "all" => Some(true),
            "new" => Some(false),
            _ => {
                return Err(ConfigError::Value {
                    path: origin.to_owned(),
                    message: format!("lint-findings `{scope}` is not one of new, all"),
                })
            }
        };
    }
    config.targets = raw.targets;
    config.trusted_registries = raw.trusted_registries;
    Ok(Loaded { config, warnings, path: Some(PathBuf::from(origin)) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lint_findings_scope() {
        assert_eq!(parse("lint-findings: all\n", ".shiplight.yml").unwrap().config.all_findings, Some(true));
        assert_eq!(parse("lint-findings: new\n", ".shiplight.yml").unwrap().config.all_findings, Some(false));
        assert_eq!(parse("", ".shiplight.yml").unwrap().config.all_findings, None);
        let e = parse("lint-findings: some\n", ".shiplight.yml").unwrap_err().to_string();
        assert_eq!(e, ".shiplight.yml: lint-findings `some` is not one of new, all");
    }

    #[test]
    fn reads_shiplight_config() {
        let l = parse(
            "failure-threshold: warning\nignored: [DL3008, unused-stage]\noverride:\n  error: [SL101]\nseverity:\n  SL314: off\ntargets: [runtime]\ntrusted-registries: [ghcr.io]\n",
            ".shiplight.yml",
        )
        .unwrap();
        let c = l.config;
        assert_eq!(c.failure_threshold, Some(Severity::Warning));
        assert_eq!(c.severity.get("SL101"), Some(&Some(Severity::Error)));
        assert_eq!(c.severity.get("SL314"), Some(&None));
        assert_eq!(c.targets, vec!["runtime"]);
        assert_eq!(c.trusted_registries, vec!["ghcr.io"]);
        assert_eq!(l.warnings.len(), 1, "{:?}", l.warnings);
        assert!(l.warnings[0].contains("DL3008") && l.warnings[0].contains(".shiplight.yml"));
    }

    #[test]
    fn reads_hadolint_config_and_warns_on_unknowns() {
        let l = parse("failure-threshold: error\nignored: [DL3009]\ntrustedRegistries: [docker.io]\nstrict-labels: true\ncolour: yes\n", ".hadolint.yaml").unwrap();
        assert_eq!(l.config.failure_threshold, Some(Severity::Error));
        assert_eq!(l.config.trusted_registries, vec!["docker.io"]);
        assert!(l.warnings.iter().any(|w| w.contains("`strict-labels` is a hadolint setting")));
        assert!(l.warnings.iter().any(|w| w.contains("unknown key `colour`")));
    }

    #[test]
    fn bad_values_are_errors_with_the_file_name() {
        let e = parse("failure-threshold: loud\n", "x.yml").unwrap_err();
        assert!(e.to_string().contains("x.yml") && e.to_string().contains("loud"));
        let e = parse("ignored: {a: [}\n", "y.yml").unwrap_err();
        assert!(e.to_string().starts_with("y.yml"));
    }
}
