//! The rule table: the single place that lists codes, names, default severities and
//! hadolint aliases. `docs/rules.md` is generated from it (`shiplight rules --markdown`),
//! each rule's documentation being the `//!` comment at the top of its file.
//!
//! Codes: `SL0xx` input, `SL1xx` what ships (stage-aware), `SL2xx` stage graph correctness,
//! `SL3xx` classic hygiene (most carry a hadolint code as an alias).

mod support;

mod add_instead_of_copy;
mod apt_missing_yes;
mod apt_not_apt_get;
mod archive_left;
mod build_toolchain;
mod cache_left;
mod cd_in_run;
mod compile_in_final;
mod consecutive_run;
mod copy_context;
mod copy_from_self;
mod copy_from_unknown;
mod copy_whole_stage;
mod denied_package;
pub mod dev_dependencies;
mod duplicate_stage;
mod from_as_casing;
mod heavy_base;
pub use build_toolchain::toolchain_image;
pub use heavy_base::slim_variant;
mod invalid;
mod latest_base;
mod maintainer;
mod no_install_recommends;
mod package_budget;
mod pipefail;
mod relative_workdir;
mod repeated_instruction;
mod reserved_stage_name;
mod root_user;
mod secrets;
mod shell_form_cmd;
mod stage_name_casing;
mod sudo;
mod untagged_base;
mod untrusted_registry;
mod unused_stage;
pub mod wasted_layer;

use super::{Ctx, Hit, Severity};

/// A lint rule: its identity, its documentation and its check.
pub struct Rule {
    /// Stable code, e.g. `SL101`.
    pub code: &'static str,
    /// Stable kebab-case name.
    pub name: &'static str,
    pub severity: Severity,
    /// hadolint codes this rule answers to (`# hadolint ignore=DL3009` keeps working).
    pub aliases: &'static [&'static str],
    /// One line for listings.
    pub summary: &'static str,
    /// The rule's source file, whose `//!` comment is its documentation.
    source: &'static str,
    pub check: fn(&Ctx, &mut Vec<Hit>),
    /// Checked on a built image's packages (compare, the Action), not on the Dockerfile's
    /// text: `shiplight lint` alone never reports it.
    pub needs_image: bool,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.code, self.name)
    }
}

impl Rule {
    /// The rule's documentation (What it does / Why it matters / Example / Fix).
    pub fn doc(&self) -> String {
        self.source
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .map(|l| l.strip_prefix("//! ").or_else(|| l.strip_prefix("//!")).unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Whether `token` (a code, name or alias, case-insensitive) names this rule. A hit that
    /// carries its own alias answers to that alias only, so ignoring DL3009 does not silence
    /// the pip-cache part of the same rule.
    pub fn answers_to(&self, token: &str, hit_alias: Option<&str>) -> bool {
        let t = token.trim();
        if t.eq_ignore_ascii_case(self.code) || t.eq_ignore_ascii_case(self.name) {
            return true;
        }
        match hit_alias {
            Some(a) => t.eq_ignore_ascii_case(a),
            None => self.aliases.iter().any(|a| t.eq_ignore_ascii_case(a)),
        }
    }

    /// The documentation URL of the rule.
    pub fn url(&self) -> String {
        format!("{}#{}", DOCS_URL, self.code.to_ascii_lowercase())
    }
}

/// Where the rule documentation is published.
pub const DOCS_URL: &str = "https://github.com/shiplight/shiplight/blob/main/docs/rules.md";

macro_rules! rule {
    ($module:ident, $code:literal, $name:literal, $sev:ident, [$($alias:literal),*], $summary:literal) => {
        Rule {
            code: $code,
            name: $name,
            severity: Severity::$sev,
            aliases: &[$($alias),*],
            summary: $summary,
            source: include_str!(concat!(stringify!($module), ".rs")),
            check: $module::check,
            needs_image: false,
        }
    };
}

/// A rule checked on a built image's packages.
macro_rules! image_rule {
    ($($args:tt)*) => {
        Rule { needs_image: true, ..rule!($($args)*) }
    };
}

/// The rule for a file that cannot be read or parsed.
pub static INVALID: &Rule = &TABLE[0];

/// Every rule, in code order.
pub static TABLE: &[Rule] = &[
    rule!(invalid, "SL001", "invalid-dockerfile", Error, [], "The file cannot be read or parsed as a Dockerfile"),
    rule!(
        build_toolchain,
        "SL101",
        "build-toolchain-in-final-stage",
        Info,
        [],
        "Compilers or build-only packages ship in the final image"
    ),
    rule!(
        compile_in_final,
        "SL102",
        "compile-in-final-stage",
        Warning,
        [],
        "A single-stage Dockerfile compiles in the image it ships"
    ),
    rule!(
        heavy_base,
        "SL103",
        "heavy-runtime-base",
        Warning,
        [],
        "The final stage uses a full image where a slim variant exists"
    ),
    rule!(
        dev_dependencies,
        "SL104",
        "dev-dependencies-shipped",
        Warning,
        [],
        "Development dependencies are installed in the final image"
    ),
    rule!(unused_stage, "SL105", "unused-stage", Info, [], "A stage that no target stage uses"),
    rule!(
        cache_left,
        "SL106",
        "cache-left-in-final-stage",
        Info,
        ["DL3009", "DL3042", "DL3019", "DL3032", "DL3040", "DL3060"],
        "A package manager cache stays in the final image"
    ),
    rule!(root_user, "SL107", "final-stage-runs-as-root", Info, ["DL3002"], "The final stage runs as root"),
    rule!(
        copy_context,
        "SL108",
        "copy-context-into-final-stage",
        Info,
        [],
        "The whole build context is copied into the final stage of a multi-stage build"
    ),
    rule!(
        wasted_layer,
        "SL109",
        "wasted-layer",
        Warning,
        [],
        "A later RUN deletes or rewrites files an earlier layer added"
    ),
    rule!(secrets, "SL110", "secret-in-arg-or-env", Warning, [], "A secret is passed through ARG or ENV"),
    rule!(
        untrusted_registry,
        "SL111",
        "untrusted-registry",
        Error,
        ["DL3026"],
        "A base image comes from a registry that is not trusted"
    ),
    image_rule!(
        denied_package,
        "SL112",
        "denied-package-shipped",
        Error,
        [],
        "A package .shiplight.yml denies (deny-packages) is in the built image"
    ),
    image_rule!(
        package_budget,
        "SL113",
        "package-over-budget",
        Warning,
        [],
        "A package in the built image is larger than max-package-bytes"
    ),
    rule!(
        archive_left,
        "SL114",
        "archive-left-in-final-stage",
        Info,
        [],
        "A downloaded archive is unpacked and left in the image"
    ),
    rule!(
        copy_from_unknown,
        "SL201",
        "copy-from-unknown-stage",
        Error,
        ["DL3022"],
        "`--from` names no stage defined above"
    ),
    rule!(copy_from_self, "SL202", "copy-from-own-stage", Error, ["DL3023"], "`COPY --from` names the stage it is in"),
    rule!(duplicate_stage, "SL203", "duplicate-stage-name", Error, ["DL3024"], "Two stages have the same name"),
    rule!(reserved_stage_name, "SL204", "reserved-stage-name", Error, [], "A stage is named `scratch` or `context`"),
    rule!(stage_name_casing, "SL205", "stage-name-casing", Style, [], "A stage name is not lowercase"),
    rule!(from_as_casing, "SL206", "from-as-casing", Style, [], "`AS` is not cased like `FROM`"),
    rule!(
        copy_whole_stage,
        "SL207",
        "copy-whole-stage",
        Warning,
        [],
        "`COPY --from` copies `/`, the whole filesystem of a stage"
    ),
    rule!(
        apt_not_apt_get,
        "SL301",
        "apt-instead-of-apt-get",
        Warning,
        ["DL3027"],
        "`apt` is for terminals; scripts use `apt-get`"
    ),
    rule!(
        no_install_recommends,
        "SL302",
        "apt-install-recommends",
        Info,
        ["DL3015"],
        "`apt-get install` without `--no-install-recommends`"
    ),
    rule!(apt_missing_yes, "SL303", "apt-install-without-yes", Warning, ["DL3014"], "`apt-get install` without `-y`"),
    rule!(untagged_base, "SL304", "untagged-base-image", Info, ["DL3006"], "A base image without a tag or digest"),
    rule!(latest_base, "SL305", "latest-base-image", Warning, ["DL3007"], "A base image pinned to `:latest`"),
    rule!(
        add_instead_of_copy,
        "SL306",
        "add-instead-of-copy",
        Error,
        ["DL3020"],
        "ADD used for local files and folders"
    ),
    rule!(shell_form_cmd, "SL307", "shell-form-cmd", Warning, ["DL3025"], "CMD or ENTRYPOINT in shell form"),
    rule!(
        repeated_instruction,
        "SL308",
        "repeated-instruction",
        Warning,
        ["DL4003", "DL4004", "DL3012"],
        "Several CMD, ENTRYPOINT or HEALTHCHECK in one stage"
    ),
    rule!(relative_workdir, "SL309", "relative-workdir", Error, ["DL3000"], "WORKDIR with a relative path"),
    rule!(cd_in_run, "SL310", "cd-in-run", Warning, ["DL3003"], "`cd` in RUN instead of WORKDIR"),
    rule!(sudo, "SL311", "sudo-in-run", Error, ["DL3004"], "`sudo` in RUN"),
    rule!(maintainer, "SL312", "maintainer-deprecated", Error, ["DL4000"], "MAINTAINER is deprecated"),
    rule!(pipefail, "SL313", "pipe-without-pipefail", Info, ["DL4006"], "A pipe in RUN without `set -o pipefail`"),
    rule!(consecutive_run, "SL314", "consecutive-run", Info, ["DL3059"], "Consecutive RUNs in the final stage"),
];

/// Find a rule by code, name or hadolint alias (case-insensitive).
pub fn find(token: &str) -> Option<&'static Rule> {
    TABLE.iter().find(|r| r.answers_to(token, None))
}

/// `docs/rules.md`, generated from the table and each rule's doc comment.
/// The measured precision of the rules on the public corpus: `docs/precision.tsv`, written
/// by `bench/corpus.py precision` from the committed hand labels.
const PRECISION: &str = include_str!("../../../docs/precision.tsv");

/// How precise a rule measured on one part of the corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measured {
    /// `tuning` (the rules were tuned on it) or `held-out` (labelled after a change, on
    /// repositories no rule was tuned on).
    pub split: String,
    /// The rule's findings there.
    pub findings: usize,
    /// How many of them carry a hand label, and how many of those are right.
    pub labelled: usize,
    pub right: usize,
}

/// The measured precision of rule `code`, per split; and the date it was measured.
pub fn measured(code: &str) -> (Vec<Measured>, Option<&'static str>) {
    let date = PRECISION.lines().find_map(|l| l.strip_prefix("# measured ")).map(str::trim);
    let rows = PRECISION
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            match f.as_slice() {
                [c, split, n, labelled, right] if *c == code => Some(Measured {
                    split: (*split).to_owned(),
                    findings: n.parse().ok()?,
                    labelled: labelled.parse().ok()?,
                    right: right.parse().ok()?,
                }),
                _ => None,
            }
        })
        .collect();
    (rows, date)
}

/// One line a person reads: how far to trust the rule.
pub fn precision_line(code: &str) -> String {
    let (rows, date) = measured(code);
    let parts: Vec<String> = rows
        .iter()
        .filter(|m| m.labelled > 0)
        .map(|m| {
            format!(
                "{} {:.0} % ({} of {} labelled findings right, of {} found)",
                m.split,
                100.0 * m.right as f64 / m.labelled as f64,
                m.right,
                m.labelled,
                m.findings
            )
        })
        .collect();
    if parts.is_empty() {
        return "Measured precision: not labelled yet on the public corpus (bench/corpus.py).".into();
    }
    format!(
        "Measured precision on the public corpus{}: {}.",
        date.map(|d| format!(" ({d})")).unwrap_or_default(),
        parts.join("; ")
    )
}

pub fn markdown() -> String {
    let mut out = String::from(
        "# shiplight rules\n\n<!-- Generated by `shiplight rules --markdown`; do not edit by hand. -->\n\n\
         | code | name | severity | hadolint | what it flags |\n|---|---|---|---|---|\n",
    );
    for r in TABLE {
        out.push_str(&format!(
            "| [{code}](#{anchor}) | `{name}` | {sev} | {aliases} | {summary} |\n",
            code = r.code,
            anchor = r.code.to_ascii_lowercase(),
            name = r.name,
            sev = r.severity,
            aliases = if r.aliases.is_empty() { "—".to_owned() } else { r.aliases.join(", ") },
            summary = r.summary,
        ));
    }
    for r in TABLE {
        out.push_str(&format!("\n## {}\n\n`{}` · default severity **{}**", r.code, r.name, r.severity));
        if !r.aliases.is_empty() {
            out.push_str(&format!(" · hadolint {}", r.aliases.join(", ")));
        }
        out.push_str("\n\n");
        // Demote the doc's own headings below the rule heading.
        for line in r.doc().lines() {
            if let Some(h) = line.strip_prefix("## ") {
                out.push_str(&format!("#### {h}\n"));
            } else {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod testing {
    use crate::lint::{lint_text, LintConfig};

    /// Lines of the findings of one rule, default configuration.
    pub fn lines(code: &str, text: &str) -> Vec<usize> {
        messages(code, text).into_iter().map(|(l, _)| l).collect()
    }

    /// (line, message) of the findings of one rule, default configuration.
    pub fn messages(code: &str, text: &str) -> Vec<(usize, String)> {
        with_config(code, text, &LintConfig::default())
    }

    pub fn with_config(code: &str, text: &str, config: &LintConfig) -> Vec<(usize, String)> {
        lint_text(text, "Dockerfile", config)
            .into_iter()
            .filter(|f| f.code == code)
            .map(|f| (f.line, f.message))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        let mut seen = std::collections::HashSet::new();
        for r in TABLE {
            assert!(seen.insert(r.code), "duplicate code {}", r.code);
            assert!(seen.insert(r.name), "duplicate name {}", r.name);
            assert!(r.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{} is not kebab-case", r.name);
            let doc = r.doc();
            for heading in ["## What it does", "## Why it matters", "## Example", "## Fix"] {
                assert!(doc.contains(heading), "{} doc lacks {heading}", r.code);
            }
            for a in r.aliases {
                assert!(a.starts_with("DL"), "{}: alias {a}", r.code);
                assert!(find(a).is_some_and(|f| f.code == r.code), "alias {a} claimed twice");
            }
        }
        assert_eq!(INVALID.code, "SL001");
    }

    /// docs/precision.tsv names only rules of the table, with counts that add up, and every
    /// rule's line says what was measured.
    #[test]
    fn measured_precision_reads_the_committed_figures() {
        let mut any = false;
        for line in PRECISION.lines().filter(|l| !l.starts_with('#') && !l.starts_with("code\t")) {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), 5, "{line}");
            assert!(TABLE.iter().any(|r| r.code == f[0]), "{line}: no such rule");
            assert!(matches!(f[1], "tuning" | "held-out"), "{line}");
            let (n, labelled, right): (usize, usize, usize) =
                (f[2].parse().unwrap(), f[3].parse().unwrap(), f[4].parse().unwrap());
            assert!(right <= labelled && labelled <= n, "{line}");
            any = true;
        }
        assert!(any, "docs/precision.tsv holds no figure");
        let (rows, date) = measured("SL101");
        assert!(date.is_some() && rows.iter().any(|m| m.split == "tuning" && m.labelled > 0), "{rows:?}");
        assert!(
            precision_line("SL101").starts_with("Measured precision on the public corpus ("),
            "{}",
            precision_line("SL101")
        );
    }
}
