//! The lint engine: runs every rule of [`rules::TABLE`] over a parsed Dockerfile and its
//! stage graph, applies severities, ignore pragmas and configuration, and returns
//! [`Finding`]s. Pure: no file system, network or clock.

pub mod config;
pub mod fix;
pub mod rules;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::dockerfile::edit::Edit;
use crate::dockerfile::shell::{self, Script};
use crate::dockerfile::ship::{self, RunState};
use crate::dockerfile::{Dockerfile, Graph, Instruction, Kind, PragmaScope, Stage};
pub use config::LintConfig;
pub use fix::TextEdit;
pub use rules::Rule;

/// How serious a finding is, most serious first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
    Style,
}

impl Severity {
    pub const ALL: [Severity; 4] = [Severity::Error, Severity::Warning, Severity::Info, Severity::Style];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Style => "style",
        }
    }

    /// Parse `error|warning|info|style` (case-insensitive).
    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// Whether this severity is at least as serious as `threshold`.
    pub fn reaches(self, threshold: Severity) -> bool {
        self <= threshold
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub code: String,
    pub name: String,
    pub severity: Severity,
    pub message: String,
    /// The stage's name (or index) the finding is in, if any.
    pub stage: Option<String>,
    /// A one-line hint on how to fix it.
    pub fix: Option<String>,
    /// The text of the offending line, for renderers that show it.
    #[serde(skip)]
    pub source_line: String,
    /// For a rule about what ships: the repository's evidence for what this file ships
    /// (`ships: docker/build-push-action pushes it (.github/workflows/release.yml:42)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ships: Option<String>,
    /// The fix as edits of the file, when the rule has a mechanical, certain one and applying
    /// it was proved to remove this finding without adding another ([`fix`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edits: Vec<TextEdit>,
}

/// What a rule reports; the engine adds code, name and severity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub stage: Option<usize>,
    pub message: String,
    pub fix: Option<String>,
    /// The hadolint code this particular hit corresponds to, when a rule covers several.
    pub alias: Option<&'static str>,
    /// The fix as edits of [`Dockerfile::text`], when it is mechanical and certain.
    pub edits: Vec<Edit>,
}

impl Hit {
    /// A hit on an instruction.
    pub fn on(ins: &Instruction, stage: &Stage, message: impl Into<String>) -> Hit {
        Hit {
            line: ins.line,
            column: ins.column,
            end_line: ins.end_line,
            stage: Some(stage.index),
            message: message.into(),
            fix: None,
            alias: None,
            edits: Vec::new(),
        }
    }

    /// A hit on a stage's FROM line.
    pub fn on_from(stage: &Stage, message: impl Into<String>) -> Hit {
        Hit {
            line: stage.line,
            column: stage.column,
            end_line: stage.line,
            stage: Some(stage.index),
            message: message.into(),
            fix: None,
            alias: None,
            edits: Vec::new(),
        }
    }

    pub fn fix(mut self, fix: impl Into<String>) -> Hit {
        self.fix = Some(fix.into());
        self
    }

    pub fn alias(mut self, alias: &'static str) -> Hit {
        self.alias = Some(alias);
        self
    }

    /// The edits that fix it; none means no fix is offered.
    pub fn edits(mut self, edits: Vec<Edit>) -> Hit {
        self.edits = edits;
        self
    }
}

/// ARG and ENV values, in order: the last of a name wins.
type Values = Vec<(String, String)>;

/// What a rule sees: the file, its graph, the configuration, and each RUN's parsed script.
pub struct Ctx<'a> {
    pub df: &'a Dockerfile,
    pub graph: &'a Graph,
    pub config: &'a LintConfig,
    /// `scripts[stage][instruction]`: the parsed shell script of RUN instructions, and what
    /// the RUN leaves in its layer (its ship state), decided once for every rule.
    scripts: Vec<Vec<Option<(Script, RunState)>>>,
    /// `values[stage]`: the ARG and ENV values the stage's instructions are given, in order,
    /// and for each instruction how many of them are in force there (the list only grows).
    values: Vec<(Values, Vec<usize>)>,
    /// `env` answers per key, for every stage at once (rules ask it of every shipped stage,
    /// and a chain of n stages would make that n²).
    env_cache: std::cell::RefCell<std::collections::HashMap<String, Vec<Option<&'a str>>>>,
}

/// The RUN states of each squashed stage's lineage as the flattened image has them: a
/// package a later RUN of the lineage removes is not in it.
fn flatten(graph: &Graph, scripts: &mut [Vec<Option<(Script, RunState)>>]) {
    for &j in &graph.squashed {
        let mut at: Vec<(usize, usize)> = Vec::new();
        for s in graph.lineage(j) {
            at.extend(scripts[s].iter().enumerate().filter(|(_, r)| r.is_some()).map(|(i, _)| (s, i)));
        }
        for (k, &(s, i)) in at.iter().enumerate() {
            for &(ls, li) in &at[k + 1..] {
                let Some((_, later)) = scripts[ls][li].clone() else { continue };
                if let Some((_, state)) = scripts[s][i].as_mut() {
                    state.removed_later(&later);
                }
            }
        }
    }
}

impl<'a> Ctx<'a> {
    pub fn new(df: &'a Dockerfile, graph: &'a Graph, config: &'a LintConfig) -> Ctx<'a> {
        // each RUN is read with the ARG and ENV values the Dockerfile gives it, which its
        // words may name (`apk add $APK_PACKAGES`)
        let globals = crate::dockerfile::global_arg_defaults(&df.global_args);
        let mut env_at_end: Vec<Vec<(String, String)>> = Vec::with_capacity(df.stages.len());
        let mut scripts = Vec::with_capacity(df.stages.len());
        let mut in_force = Vec::with_capacity(df.stages.len());
        for s in &df.stages {
            let inherited = match &graph.bases[s.index] {
                crate::dockerfile::StageRef::Stage(j) if *j < s.index => env_at_end[*j].clone(),
                crate::dockerfile::StageRef::Image(image) => {
                    config.base_env.iter().filter(|(base, _)| base == image).flat_map(|(_, env)| env.clone()).collect()
                }
                _ => Vec::new(),
            };
            let mut values = crate::dockerfile::StageValues::new(&globals, inherited);
            let mut counts = Vec::with_capacity(s.instructions.len());
            let runs: Vec<Option<(Script, RunState)>> = s
                .instructions
                .iter()
                .map(|i| {
                    values.take(i);
                    counts.push(values.vars.len());
                    (i.kind == Kind::Run).then(|| i.script().map(|t| shell::parse_in(&t, &values.vars))).flatten().map(
                        |s| {
                            let st = ship::run_state(&s);
                            (s, st)
                        },
                    )
                })
                .collect();
            env_at_end.push(values.env);
            in_force.push((values.vars, counts));
            scripts.push(runs);
        }
        flatten(graph, &mut scripts);
        Ctx { df, graph, config, scripts, values: in_force, env_cache: Default::default() }
    }

    /// The ARG and ENV values in force at instruction `n` of a stage, as Docker gives them
    /// (the ones RUN scripts are read with); the last of a name wins.
    pub fn values(&self, stage: &Stage, n: usize) -> &[(String, String)] {
        let (vars, counts) = &self.values[stage.index];
        &vars[..counts.get(n).copied().unwrap_or(0)]
    }

    /// A word of instruction `n` of a stage (a WORKDIR, a COPY's destination) with the ARG and
    /// ENV values in force there substituted, as the RUN scripts' words are.
    pub fn expand(&self, stage: &Stage, n: usize, word: &str) -> String {
        crate::dockerfile::substitute(word, self.values(stage, n))
    }

    /// The value of variable `v` at instruction `n` of a stage where the Dockerfile decides
    /// it: an ARG or ENV value in force there, or empty for an ARG the stage declared with
    /// none (`ARG DEBUG`). `None` for anything else: the base image's environment may set
    /// it, BuildKit sets the platform ARGs (`TARGETPLATFORM` …) and the proxy ones, and a
    /// build file of the repository that names the ARG may pass it (onadata's workflow sets
    /// `optional_packages`), and so may anyone when no known path builds the file
    /// (LibreTranslate's `root-with-sshd.Dockerfile` is built by hand with `root_password`).
    pub fn known_value(&self, stage: &Stage, n: usize, v: &str) -> Option<String> {
        let env = self.values(stage, n).iter().rev().find(|(k, _)| k == v);
        let before = &stage.instructions[..n.min(stage.instructions.len())];
        // the ENV that sets it last, as written: one made of a build argument
        // (`ENV ENABLE_SSHD=${root_password:+true}`) is as given as that argument
        let set = before
            .iter()
            .rev()
            .filter(|i| i.kind == crate::dockerfile::Kind::Env)
            .find_map(|i| i.pairs().iter().find(|kv| kv.key == v).map(|kv| kv.value.clone().unwrap_or_default()));
        let given = |name: &str| self.config.args_unknown || self.config.given_args.iter().any(|a| a == name);
        let made_of_given = |value: &str| {
            let mut names = crate::dockerfile::names_in(value);
            value.contains('$')
                && (self.config.args_unknown || names.any(|w| self.config.given_args.iter().any(|a| a == w)))
        };
        let open = match &set {
            None => given(v),
            Some(value) => made_of_given(value),
        };
        if crate::dockerfile::set_by_buildkit(v) || open {
            return None;
        }
        if let Some((_, value)) = env {
            return Some(value.clone());
        }
        let declared = stage.instructions[..n.min(stage.instructions.len())]
            .iter()
            .filter(|i| i.kind == crate::dockerfile::Kind::Arg)
            .flat_map(|i| i.pairs().iter())
            .any(|kv| kv.key == v);
        declared.then(String::new)
    }

    /// Whether command `at` of the RUN `ins` of a stage runs only under a test that is false
    /// as the Dockerfile stands (`if [ "$DEBUG" = 1 ]` under `ARG DEBUG`): the image built
    /// without build arguments has nothing of it ([`crate::dockerfile::ship::off_by_default`]).
    pub fn off_by_default(&self, stage: &Stage, ins: &Instruction, script: &Script, at: usize) -> bool {
        let n = stage.instructions.iter().position(|i| std::ptr::eq(i, ins)).unwrap_or(0);
        crate::dockerfile::ship::off_by_default(script, at, &|v: &str| self.known_value(stage, n, v))
    }

    /// Every RUN of a stage with its parsed script.
    pub fn runs(&self, stage: &'a Stage) -> impl Iterator<Item = (&'a Instruction, &Script)> + '_ {
        stage.instructions.iter().zip(&self.scripts[stage.index]).filter_map(|(i, s)| s.as_ref().map(|s| (i, &s.0)))
    }

    /// Every RUN of a stage with what it leaves in its layer.
    pub fn ship_states(&self, stage: &'a Stage) -> impl Iterator<Item = (&'a Instruction, &RunState)> + '_ {
        stage.instructions.iter().zip(&self.scripts[stage.index]).filter_map(|(i, s)| s.as_ref().map(|s| (i, &s.1)))
    }

    /// Whether apt's configuration says `key` is one of `values` when command `at` of RUN
    /// `ins` runs: a file under `/etc/apt` written before it (`echo 'APT::Install-Recommends
    /// "false";' > /etc/apt/apt.conf.d/80recommends`), in that RUN or an earlier one of the
    /// stage's lineage. Apt reads its options case-insensitively.
    pub fn apt_option(&self, stage: &'a Stage, ins: &Instruction, at: usize, key: &str, values: &[&str]) -> bool {
        let key = key.to_ascii_lowercase();
        let sets = |c: &shell::SimpleCommand| {
            if !crate::dockerfile::roles::edits_system_config(c) || !c.args().iter().any(|a| a.contains("/etc/apt/")) {
                return false;
            }
            let text = c.args().join(" ").to_ascii_lowercase();
            text.match_indices(&key).any(|(i, _)| {
                let value = text[i + key.len()..].trim_start_matches([' ', '"', '\'', '=']);
                let value = value.split(['"', '\'', ';', ' ']).next().unwrap_or("");
                values.iter().any(|v| v.eq_ignore_ascii_case(value))
            })
        };
        for si in self.graph.lineage(stage.index) {
            let st = &self.df.stages[si];
            for (i, script) in self.runs(st) {
                let here = std::ptr::eq(i, ins);
                let upto = if here { at } else { script.commands.len() };
                if script.commands[..upto.min(script.commands.len())].iter().any(sets) {
                    return true;
                }
                if here {
                    return false;
                }
            }
        }
        false
    }

    /// Stages whose filesystem ships in a target image.
    pub fn shipped(&self) -> impl Iterator<Item = &'a Stage> + '_ {
        let none = self.config.nothing_ships.is_some();
        self.df.stages.iter().filter(move |s| !none && self.graph.ships[s.index])
    }

    /// The target (final) stages, when they ship.
    pub fn finals(&self) -> impl Iterator<Item = &'a Stage> + '_ {
        let none = self.config.nothing_ships.is_some();
        self.graph.targets.iter().filter(move |_| !none).map(|&i| &self.df.stages[i])
    }

    /// Whether a FROM's image is the repository's own build (a build path tags it) or a named
    /// build context (`--build-context python=…`): BuildKit gives it in place of a
    /// registry's image of that name, so what the name says of a registry's image (no tag,
    /// a full variant) does not apply.
    pub fn local_image(&self, image: &str) -> bool {
        let r = crate::dockerfile::ImageRef::parse(image);
        self.config
            .local_images
            .iter()
            .any(|l| *l == format!("{}/{}", r.registry, r.repository) || l.eq_ignore_ascii_case(image))
    }

    /// Whether the toolchain is what this image ships, on purpose (its ENTRYPOINT is a
    /// compiler or build tool): the rules about toolchains in the image have nothing to say.
    pub fn toolchain_is_the_product(&self) -> bool {
        self.config.toolchain_product
    }

    /// A value set by ENV in a stage or the stages it is built FROM.
    pub fn env(&self, stage: &Stage, key: &str) -> Option<&'a str> {
        if let Some(values) = self.env_cache.borrow().get(key) {
            return values[stage.index];
        }
        // one pass in stage order: a stage's own last ENV of the key, else its base's
        let df: &'a Dockerfile = self.df;
        let mut values: Vec<Option<&'a str>> = Vec::with_capacity(df.stages.len());
        for s in &df.stages {
            let own = s
                .of_kind(Kind::Env)
                .flat_map(|e| e.pairs())
                .rev()
                .find(|kv| kv.key == key)
                .map(|kv| kv.value.as_deref().unwrap_or(""));
            // from an earlier stage, or from the repository's own image it is built on
            let config: &'a LintConfig = self.config;
            let inherited = match &self.graph.bases[s.index] {
                crate::dockerfile::graph::StageRef::Stage(j) if *j < s.index => values[*j],
                crate::dockerfile::graph::StageRef::Image(image) => config
                    .base_env
                    .as_ref()
                    .filter(|(base, _)| base == image)
                    .and_then(|(_, env)| env.iter().find(|(k, _)| k == key))
                    .map(|(_, v)| v.as_str()),
                _ => None,
            };
            values.push(own.or(inherited));
        }
        let found = values[stage.index];
        self.env_cache.borrow_mut().insert(key.to_owned(), values);
        found
    }
}

/// Lint a parsed Dockerfile. Fails only when a configured target names no stage.
pub fn lint(
    df: &Dockerfile,
    file: &str,
    config: &LintConfig,
) -> Result<Vec<Finding>, crate::dockerfile::graph::UnknownTarget> {
    let graph = Graph::build(df, &config.targets)?;
    let ctx = Ctx::new(df, &graph, config);
    let mut findings = Vec::new();
    let mut hits = Vec::new();
    for rule in rules::TABLE {
        let Some(severity) = config.severity_of(rule) else {
            continue;
        };
        hits.clear();
        (rule.check)(&ctx, &mut hits);
        for hit in hits.drain(..) {
            if config.is_ignored(rule, hit.alias) || suppressed_by_pragma(df, rule, &hit) {
                continue;
            }
            findings.push(Finding {
                file: file.to_owned(),
                line: hit.line,
                column: hit.column,
                end_line: hit.end_line.max(hit.line),
                code: rule.code.to_owned(),
                name: rule.name.to_owned(),
                severity,
                message: hit.message,
                stage: hit.stage.map(|i| df.stages[i].label()),
                fix: hit.fix,
                source_line: df.line_text(hit.line).to_owned(),
                ships: None,
                edits: fix::locate(df, &hit.edits),
            });
        }
    }
    findings.sort_by(|a, b| (a.line, a.column, &a.code).cmp(&(b.line, b.column, &b.code)));
    Ok(findings)
}

/// Lint Dockerfile text: a file that does not parse yields one `SL001` error finding. A
/// finding keeps its fix only when applying it was proved to remove the finding and add none
/// ([`fix::keep_proven`]).
pub fn lint_text(text: &str, file: &str, config: &LintConfig) -> Vec<Finding> {
    let mut findings = lint_unproven(text, file, config);
    fix::keep_proven(text, &mut findings, file, config);
    findings
}

/// [`lint_text`] without the proof of the fixes (the proof itself lints with it).
fn lint_unproven(text: &str, file: &str, config: &LintConfig) -> Vec<Finding> {
    let bom = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    match Dockerfile::parse(text) {
        Ok(df) => match lint(&df, file, config) {
            Ok(mut f) => {
                // the edits' byte ranges are the file's, a BOM counted
                for e in f.iter_mut().flat_map(|f| f.edits.iter_mut()) {
                    e.start += bom;
                    e.end += bom;
                }
                f
            }
            Err(e) => vec![invalid(file, 1, 1, e.to_string(), "")],
        },
        Err(e) => {
            let line = text.lines().nth(e.line.saturating_sub(1)).unwrap_or("").to_owned();
            vec![invalid(file, e.line, e.column, e.message, &line)]
        }
    }
}

/// Lint raw bytes: invalid UTF-8 yields one `SL001` error finding with its position.
pub fn lint_bytes(bytes: &[u8], file: &str, config: &LintConfig) -> Vec<Finding> {
    match std::str::from_utf8(bytes) {
        Ok(text) => lint_text(text, file, config),
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let column = valid.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
            vec![invalid(
                file,
                line,
                column,
                format!(
                    "not UTF-8 text (invalid byte at offset {}): is this a Dockerfile? Save it as UTF-8",
                    e.valid_up_to()
                ),
                "",
            )]
        }
    }
}

/// The `SL001` finding for a file that cannot be read or parsed.
pub fn invalid(file: &str, line: usize, column: usize, message: String, source_line: &str) -> Finding {
    let rule = rules::INVALID;
    Finding {
        file: file.to_owned(),
        line,
        column,
        end_line: line,
        code: rule.code.to_owned(),
        name: rule.name.to_owned(),
        severity: Severity::Error,
        message,
        stage: None,
        fix: None,
        source_line: source_line.to_owned(),
        ships: None,
        edits: Vec::new(),
    }
}

fn suppressed_by_pragma(df: &Dockerfile, rule: &Rule, hit: &Hit) -> bool {
    df.pragmas.iter().any(|p| {
        if !p.codes.iter().any(|c| rule.answers_to(c, hit.alias)) {
            return false;
        }
        match p.scope {
            PragmaScope::Global => true,
            PragmaScope::Stage => {
                // the stage the comment is in, or the one whose FROM follows it
                let stage = df.stage_at(p.line).or_else(|| df.stages.first());
                let next_from = df.stages.iter().find(|s| s.line > p.line);
                let in_stage = |s: &Stage| s.line <= hit.line && hit.line <= s.end_line;
                let comment_owner = match (stage, next_from) {
                    (Some(s), Some(n)) if p.line > s.end_line => n,
                    (Some(s), _) if p.line >= s.line => s,
                    (_, Some(n)) => n,
                    (Some(s), None) => s,
                    (None, None) => return false,
                };
                in_stage(comment_owner)
            }
            PragmaScope::NextInstruction => {
                next_instruction_span(df, p.line).is_some_and(|(start, end)| start <= hit.line && hit.line <= end)
            }
        }
    })
}

/// Line span of the first instruction (FROM included) that starts after `line`.
fn next_instruction_span(df: &Dockerfile, line: usize) -> Option<(usize, usize)> {
    let froms = df.stages.iter().map(|s| (s.line, s.line));
    let rest =
        df.global_args.iter().chain(df.stages.iter().flat_map(|s| s.instructions.iter())).map(|i| (i.line, i.end_line));
    froms.chain(rest).filter(|(start, _)| *start > line).min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<(usize, String)> {
        lint_text(text, "Dockerfile", &LintConfig::default()).into_iter().map(|f| (f.line, f.code)).collect()
    }

    #[test]
    fn pragma_scopes() {
        let base = "FROM debian:12.5\nUSER app\n";
        let with = |p: &str| codes(&format!("{base}{p}RUN cd /srv\n"));
        assert!(with("").iter().any(|(_, c)| c == "SL310"));
        assert!(!with("# hadolint ignore=DL3003\n").iter().any(|(_, c)| c == "SL310"));
        assert!(!with("# shiplight ignore=cd-in-run\n").iter().any(|(_, c)| c == "SL310"));
        assert!(!codes(&format!("# hadolint global ignore=SL310\n{base}RUN cd /srv\n"))
            .iter()
            .any(|(_, c)| c == "SL310"));
        // a stage pragma covers its own stage only
        let two = "FROM debian:12.5 AS a\n# shiplight stage ignore=SL310\nRUN cd /a\nFROM debian:12.5\nUSER app\nCOPY --from=a /x /x\nRUN cd /b\n";
        let found: Vec<_> = codes(two).into_iter().filter(|(_, c)| c == "SL310").collect();
        assert_eq!(found, vec![(7, "SL310".to_string())]);
    }

    #[test]
    fn alias_ignores_only_its_own_part_of_a_rule() {
        // SL106 covers apt lists (DL3009) and pip cache (DL3042): ignoring DL3009 keeps pip's.
        let text = "FROM debian:12.5\nUSER app\n# hadolint ignore=DL3009\nRUN apt-get update && apt-get install -y --no-install-recommends python3-pip && pip install flask\n";
        let found: Vec<_> =
            lint_text(text, "D", &LintConfig::default()).into_iter().filter(|f| f.code == "SL106").collect();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].message.contains("pip"), "{}", found[0].message);
    }

    #[test]
    fn bad_input_is_a_finding_not_a_panic() {
        for text in [
            "",
            "# only comments\n",
            "RUN echo\n",
            "FROM a\nRUN <<EOF\nno end\n",
            "FROM a\nNOPE x\n",
            "\u{0}\u{1}garbage",
        ] {
            let f = lint_text(text, "D", &LintConfig::default());
            assert_eq!(f.len(), 1, "{text:?}: {f:?}");
            assert_eq!(f[0].code, "SL001");
        }
        let f = lint_bytes(b"FROM a\n\xff\xfe", "D", &LintConfig::default());
        assert_eq!((f[0].code.as_str(), f[0].line), ("SL001", 2));
    }
}
