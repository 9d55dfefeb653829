//! Renderers of a [`Report`]: rustc-like text, JSON, SARIF 2.1.0, GitHub workflow commands.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use serde_sarif::sarif;

use super::Report;
use crate::lint::{rules, Severity};

/// Output formats of `shiplight lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-like text with the offending line and a caret.
    Text,
    /// A JSON array of findings.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// Render the report in a format. Text is styled with ANSI codes; the caller strips them
/// when the output is not a terminal.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Text => text(report),
        Format::Json => json(report),
        Format::Sarif => sarif(report),
        Format::Github => github(report),
    }
}

fn style(severity: Severity) -> Style {
    let color = match severity {
        Severity::Error => AnsiColor::Red,
        Severity::Warning => AnsiColor::Yellow,
        Severity::Info => AnsiColor::Cyan,
        Severity::Style => AnsiColor::Magenta,
    };
    Style::new().bold().fg_color(Some(color.into()))
}

/// rustc-like text: header, location, the offending line with a caret, a fix hint.
pub fn text(report: &Report) -> String {
    let bold = Style::new().bold();
    let blue = Style::new().bold().fg_color(Some(AnsiColor::Blue.into()));
    let mut out = String::new();
    for w in &report.warnings {
        let _ = writeln!(out, "{}warning{}: {w}", style(Severity::Warning), style(Severity::Warning).render_reset());
    }
    for n in &report.notes {
        let _ = writeln!(out, "{bold}note{bold:#}: {n}");
    }
    for f in &report.findings {
        let s = style(f.severity);
        let _ = writeln!(out, "{s}{}[{} {}]{s:#}{bold}: {}{bold:#}", f.severity, f.code, f.name, f.message);
        let gutter = f.line.to_string().len();
        let pad = " ".repeat(gutter);
        let _ = writeln!(out, "{pad}{blue}-->{blue:#} {}:{}:{}", f.file, f.line, f.column);
        if !f.source_line.is_empty() {
            let line = f.source_line.replace('\t', "    ");
            let start = f.column.saturating_sub(1).min(line.chars().count());
            let width = line.chars().skip(start).count().max(1);
            let more = if f.end_line > f.line { format!(" …through line {}", f.end_line) } else { String::new() };
            let _ = writeln!(out, "{pad} {blue}|{blue:#}");
            let _ = writeln!(out, "{blue}{}{blue:#} {blue}|{blue:#} {line}", f.line);
            let _ = writeln!(out, "{pad} {blue}|{blue:#} {}{s}{}{more}{s:#}", " ".repeat(start), "^".repeat(width));
        }
        if let Some(fix) = &f.fix {
            let auto = if f.edits.is_empty() { "" } else { " (`shiplight lint --fix` applies it)" };
            let _ = writeln!(out, "{pad} {blue}={blue:#} {bold}fix{bold:#}: {fix}{auto}");
        }
        out.push('\n');
    }
    let counts: Vec<String> = report
        .counts()
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {}", plural(s.as_str(), *n)))
        .collect();
    let files = format!("{} {}", report.files.len(), plural("file", report.files.len()));
    if counts.is_empty() {
        let _ = writeln!(out, "{files} checked: no findings");
    } else {
        let verdict = match report.failure_threshold {
            Some(t) if report.failed() => format!(" (failing: findings at or above {t})"),
            _ => String::new(),
        };
        let _ = writeln!(out, "{files} checked: {}{verdict}", counts.join(", "));
    }
    out
}

fn plural(word: &str, n: usize) -> String {
    match (word, n) {
        (_, 1) | ("info", _) | ("style", _) => word.to_owned(),
        _ => format!("{word}s"),
    }
}

/// A JSON array of `{file, line, column, end_line, code, name, severity, message, stage, fix}`,
/// and `edits` when the fix is proved: `{start, end, start_line, start_column, end_line,
/// end_column, content}` each.
pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(&report.findings).unwrap_or_else(|_| "[]".into()) + "\n"
}

fn sarif_level(s: Severity) -> sarif::ResultLevel {
    match s {
        Severity::Error => sarif::ResultLevel::Error,
        Severity::Warning => sarif::ResultLevel::Warning,
        Severity::Info | Severity::Style => sarif::ResultLevel::Note,
    }
}

/// Where a finding's file is, as SARIF wants it: inside a repository, a path relative to
/// that repository's root under the `uriBaseId` `%SRCROOT%` (`%SRCROOT2%` … for further
/// repositories), which is what GitHub code scanning matches against the checkout; elsewhere
/// an absolute `file://` URI. A relative reference never starts with `/` (SARIF1004).
/// Standard input stays `stdin`. The paths come from the report (`sources`), read by the
/// command that linted the files.
struct SarifPaths<'a> {
    sources: &'a std::collections::BTreeMap<String, super::SourceFile>,
    /// Repository roots met so far, in order: `%SRCROOT%`, `%SRCROOT2%` …
    roots: Vec<std::path::PathBuf>,
}

impl<'a> SarifPaths<'a> {
    fn new(report: &'a Report) -> SarifPaths<'a> {
        SarifPaths { sources: &report.sources, roots: Vec::new() }
    }

    fn base_id(i: usize) -> String {
        if i == 0 {
            "%SRCROOT%".to_owned()
        } else {
            format!("%SRCROOT{}%", i + 1)
        }
    }

    /// The artifact location of `file` as the report shows it.
    fn locate(&mut self, file: &str) -> sarif::ArtifactLocation {
        if file == "-" {
            return sarif::ArtifactLocation::builder().uri("stdin").build();
        }
        let shown = file.replace('\\', "/");
        let Some(source) = self.sources.get(file) else {
            // not read from disk by this run: absolute paths as file:// URIs, others as given
            let uri = url::Url::from_file_path(file).map(String::from).unwrap_or(shown);
            return sarif::ArtifactLocation::builder().uri(uri).build();
        };
        let file_url = url::Url::from_file_path(&source.absolute);
        let (Some(root), Ok(file_url)) = (&source.repository, file_url) else {
            let uri = url::Url::from_file_path(&source.absolute).map(String::from).unwrap_or(shown);
            return sarif::ArtifactLocation::builder().uri(uri).build();
        };
        let i = match self.roots.iter().position(|r| r == root) {
            Some(i) => i,
            None => {
                self.roots.push(root.clone());
                self.roots.len() - 1
            }
        };
        let relative =
            url::Url::from_directory_path(root).ok().and_then(|r| r.make_relative(&file_url)).unwrap_or(shown);
        sarif::ArtifactLocation::builder().uri(relative).uri_base_id(Self::base_id(i)).build()
    }

    /// `originalUriBaseIds`: each base as an absolute `file://` URI ending in `/`.
    fn bases(&self) -> Option<std::collections::BTreeMap<String, sarif::ArtifactLocation>> {
        (!self.roots.is_empty()).then(|| {
            self.roots
                .iter()
                .enumerate()
                .filter_map(|(i, r)| {
                    let uri = url::Url::from_directory_path(r).ok()?;
                    Some((Self::base_id(i), sarif::ArtifactLocation::builder().uri(String::from(uri)).build()))
                })
                .collect()
        })
    }
}

/// A finding's proved fix as SARIF: one artifact change of its file, one replacement per
/// edit (an insertion is an empty region).
fn sarif_fix(f: &crate::lint::Finding, location: sarif::ArtifactLocation) -> sarif::Fix {
    let replacements: Vec<sarif::Replacement> = f
        .edits
        .iter()
        .map(|e| {
            let region = sarif::Region::builder()
                .start_line(e.start_line as i64)
                .start_column(e.start_column as i64)
                .end_line(e.end_line as i64)
                .end_column(e.end_column as i64)
                .build();
            sarif::Replacement::builder()
                .deleted_region(region)
                .inserted_content(sarif::ArtifactContent::builder().text(e.content.clone()).build())
                .build()
        })
        .collect();
    let change = sarif::ArtifactChange::builder().artifact_location(location).replacements(replacements).build();
    let description = f.fix.clone().unwrap_or_else(|| format!("fix {}", f.code));
    sarif::Fix::builder()
        .description(sarif::Message::builder().text(description).build())
        .artifact_changes(vec![change])
        .build()
}

/// SARIF 2.1.0 with every rule described, for GitHub code scanning; a finding with a proved
/// fix carries it (`fixes`: `artifactChanges` with `replacements`).
pub fn sarif(report: &Report) -> String {
    let mut paths = SarifPaths::new(report);
    let descriptors: Vec<sarif::ReportingDescriptor> = rules::TABLE
        .iter()
        .map(|r| {
            sarif::ReportingDescriptor::builder()
                .id(r.code)
                .name(r.name)
                .short_description(sarif::MultiformatMessageString::builder().text(r.summary).build())
                .full_description(sarif::MultiformatMessageString::builder().text(r.doc()).build())
                .help_uri(r.url())
                .help(sarif::MultiformatMessageString::builder().text(r.doc()).markdown(r.doc()).build())
                .default_configuration(
                    sarif::ReportingConfiguration::builder().level(serde_json::json!(sarif_level(r.severity))).build(),
                )
                .build()
        })
        .collect();
    let results: Vec<sarif::Result> = report
        .findings
        .iter()
        .map(|f| {
            let region = sarif::Region::builder()
                .start_line(f.line as i64)
                .start_column(f.column as i64)
                .end_line(f.end_line as i64)
                .build();
            let location = sarif::Location::builder()
                .physical_location(
                    sarif::PhysicalLocation::builder().artifact_location(paths.locate(&f.file)).region(region).build(),
                )
                .build();
            let text = match &f.fix {
                Some(fix) => format!("{} (fix: {fix})", f.message),
                None => f.message.clone(),
            };
            // what ships of the file, and the evidence: a property of the result
            let properties = f.ships.as_ref().map(|s| {
                sarif::PropertyBag::builder()
                    .additional_properties(
                        [("ships".to_owned(), serde_json::json!(s))]
                            .into_iter()
                            .collect::<std::collections::BTreeMap<_, _>>(),
                    )
                    .build()
            });
            let b = sarif::Result::builder()
                .rule_id(f.code.clone())
                .level(sarif_level(f.severity))
                .message(sarif::Message::builder().text(text).build())
                .locations(vec![location]);
            let mut result = match (rules::TABLE.iter().position(|r| r.code == f.code), properties) {
                (Some(i), Some(p)) => b.rule_index(i as i64).properties(p).build(),
                (Some(i), None) => b.rule_index(i as i64).build(),
                (None, Some(p)) => b.properties(p).build(),
                (None, None) => b.build(),
            };
            if !f.edits.is_empty() {
                result.fixes = Some(vec![sarif_fix(f, paths.locate(&f.file))]);
            }
            result
        })
        .collect();
    let driver = sarif::ToolComponent::builder()
        .name("shiplight")
        .version(env!("CARGO_PKG_VERSION"))
        .information_uri(rules::DOCS_URL)
        .rules(descriptors)
        .build();
    let tool = sarif::Tool::builder().driver(driver).build();
    // the notes (what ships of each file, and why) as the invocation's notifications
    let notes: Vec<sarif::Notification> = report
        .notes
        .iter()
        .map(|n| {
            sarif::Notification::builder()
                .level(serde_json::json!("note"))
                .message(sarif::Message::builder().text(n.clone()).build())
                .build()
        })
        .collect();
    let invocation =
        sarif::Invocation::builder().execution_successful(true).tool_execution_notifications(notes).build();
    let run = match paths.bases() {
        Some(bases) => sarif::Run::builder()
            .tool(tool)
            .results(results)
            .invocations(vec![invocation])
            .original_uri_base_ids(bases)
            .build(),
        None => sarif::Run::builder().tool(tool).results(results).invocations(vec![invocation]).build(),
    };
    let log =
        sarif::Sarif::builder().version(serde_json::json!("2.1.0")).schema(sarif::SCHEMA_URL).runs(vec![run]).build();
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}

/// Escape the data of a workflow command (`%`, CR, LF).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escape a property of a workflow command (also `:` and `,`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` per finding.
pub fn github(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info | Severity::Style => "notice",
        };
        let title = escape_property(&format!("{} {}", f.code, f.name));
        let message = match &f.fix {
            Some(fix) => format!("{}\nfix: {fix}", f.message),
            None => f.message.clone(),
        };
        let _ = writeln!(
            out,
            "::{level} file={},line={},endLine={},col={},title={title}::{}",
            escape_property(&f.file),
            f.line,
            f.end_line,
            f.column,
            escape_data(&message)
        );
    }
    out
}

/// A size for people: decimal units, as `docker images` shows them (`935 MB`).
pub fn size(bytes: u64) -> String {
    humansize::format_size(bytes, humansize::DECIMAL)
}

/// A signed size delta: `+20.97 MB`, `−571 MB`, `±0 B`.
/// Why a verdict is not a pass, in words, sizes humanised.
pub fn reason(r: &crate::image::compare::Reason) -> String {
    use crate::image::compare::Reason;
    match *r {
        Reason::MaxSize { head_bytes, max_bytes } => {
            format!("the image is {}, over the max-size budget of {}", size(head_bytes), size(max_bytes))
        }
        Reason::FailOnIncreaseBytes { delta_bytes, limit_bytes } => {
            format!("it grew by {}, over fail-on-increase-bytes {}", signed_size(delta_bytes), size(limit_bytes))
        }
        Reason::FailOnIncreasePercent { percent, limit } => {
            format!("it grew by {percent:.1} %, over fail-on-increase-percent {limit}")
        }
        Reason::WarnOnIncreasePercent { percent, limit } => {
            format!("it grew by {percent:.1} %, over warn-on-increase-percent {limit}")
        }
    }
}

pub fn signed_size(delta: i64) -> String {
    match delta.cmp(&0) {
        std::cmp::Ordering::Greater => format!("+{}", size(delta.unsigned_abs())),
        std::cmp::Ordering::Less => format!("\u{2212}{}", size(delta.unsigned_abs())),
        std::cmp::Ordering::Equal => "\u{b1}0 B".to_owned(),
    }
}

fn signed_percent(p: f64) -> String {
    if p > 0.0 {
        format!("+{p:.1} %")
    } else if p < 0.0 {
        format!("\u{2212}{:.1} %", -p)
    } else {
        "\u{b1}0.0 %".to_owned()
    }
}

/// The comparison as text: a headline per image, a table, the layers that changed most.
pub fn compare_text(report: &Report) -> String {
    let mut out = String::new();
    for img in &report.images {
        let mark = match img.verdict {
            crate::image::compare::Verdict::Pass => "pass",
            crate::image::compare::Verdict::Skipped => "no comparison",
            crate::image::compare::Verdict::Warn => "WARN",
            crate::image::compare::Verdict::Fail => "FAIL",
        };
        match (&img.base, &img.comparison) {
            (Some(base), Some(c)) => {
                let judged = img.judged_delta().unwrap_or(c.size);
                let _ = writeln!(
                    out,
                    "{}: {} \u{2192} {} ({}, {}){}  [{mark}]",
                    img.label(),
                    size(img.judged_bytes(base)),
                    size(img.judged_bytes(&img.head)),
                    signed_size(judged.delta),
                    signed_percent(judged.percent),
                    if img.sizes_only { " compressed" } else { "" }
                );
                let _ = writeln!(
                    out,
                    "  dockerfile {}  base {}  engine {}",
                    img.dockerfile,
                    img.base_ref.as_deref().unwrap_or("?"),
                    img.engine
                );
                let _ = writeln!(out, "  {:<12} {:>12} {:>12} {:>12}", "", "base", "head", "delta");
                for (name, d, bytes) in [
                    ("size", &c.size, true),
                    ("compressed", &c.compressed, true),
                    ("layers", &c.layers, false),
                    ("wasted", &c.wasted, true),
                ] {
                    if img.sizes_only && (name == "size" || name == "wasted") {
                        continue; // not read
                    }
                    let f = |v: u64| if bytes { size(v) } else { v.to_string() };
                    let delta = if bytes { signed_size(d.delta) } else { format!("{:+}", d.delta) };
                    let _ = writeln!(out, "  {name:<12} {:>12} {:>12} {:>12}", f(d.base), f(d.head), delta);
                }
                let growing = c.top_growing(5);
                if !growing.is_empty() {
                    let _ = writeln!(out, "  grew most:");
                    for d in growing {
                        let at = d.line.map(|l| format!("line {l}")).unwrap_or_else(|| "line ?".into());
                        let _ = writeln!(out, "    {:>12}  {at:<9} {}", signed_size(d.delta_bytes), d.instruction);
                        if !d.toolchain.is_empty() {
                            let _ =
                                writeln!(out, "    {:>12}  {:<9} build toolchain: {}", "", "", d.toolchain.join(", "));
                        }
                    }
                }
                let shrinking = c.top_shrinking(3);
                if !shrinking.is_empty() {
                    let _ = writeln!(out, "  shrank most:");
                    for d in shrinking {
                        // a removed layer's line is the base Dockerfile's
                        let side = if d.change == crate::image::compare::Change::Removed { "base " } else { "" };
                        let at = d.line.map(|l| format!("{side}line {l}")).unwrap_or_else(|| "line ?".into());
                        let _ = writeln!(out, "    {:>12}  {at:<9} {}", signed_size(d.delta_bytes), d.instruction);
                    }
                }
                match &c.base_image_changed {
                    Some((from, to)) => {
                        let _ = writeln!(
                            out,
                            "  base image: {from} \u{2192} {to} (changed by this PR; its layers are listed above)"
                        );
                    }
                    None => {
                        let _ = writeln!(
                            out,
                            "  base image drift: {} (upstream change of the same FROM image)",
                            signed_size(c.base_image_drift_bytes)
                        );
                    }
                }
            }
            _ => {
                let _ = writeln!(out, "{}: {}  [{mark}]", img.label(), size(img.judged_bytes(&img.head)));
                if let Some(why) = &img.base_skipped {
                    let _ = writeln!(out, "  no comparison: {why}");
                }
            }
        }
        for note in &img.head.notes {
            let _ = writeln!(out, "  note: {note}");
        }
        if let Some(p) = img.packages.as_ref().filter(|p| !p.is_empty()) {
            packages_text(&mut out, p);
        }
        for r in &img.reasons {
            let _ = writeln!(out, "  {}", reason(r));
        }
    }
    out
}

/// An image's package delta as text: the counts, then the largest additions, removals,
/// changes and moves with their lines, and the unpackaged folders that changed most.
fn packages_text(out: &mut String, p: &crate::image::packages::PackageDelta) {
    let _ = writeln!(
        out,
        "  packages: {} added, {} removed, {} changed{} (unpackaged files {})",
        p.added.len(),
        p.removed.len(),
        p.changed.len(),
        if p.moved.is_empty() { String::new() } else { format!(", {} moved", p.moved.len()) },
        signed_size(p.unpackaged_bytes_delta)
    );
    let at = |l: Option<usize>| l.map(|l| format!("line {l}")).unwrap_or_else(|| "-".into());
    for e in p.added.iter().take(15) {
        let how = match (e.package.requested, &e.package.via) {
            (Some(true), _) => " (requested)".to_owned(),
            (Some(false), Some(v)) => format!(" (via {v})"),
            _ => String::new(),
        };
        let (bytes, eco, name, version) =
            (e.package.bytes as i64, e.package.ecosystem.as_str(), &e.package.name, &e.package.version);
        let _ = writeln!(out, "    {:>12}  {:<9} + {eco} {name} {version}{how}", signed_size(bytes), at(e.line));
    }
    for e in p.removed.iter().take(10) {
        let (bytes, eco, name) = (-(e.package.bytes as i64), e.package.ecosystem.as_str(), &e.package.name);
        let _ = writeln!(out, "    {:>12}  {:<9} - {eco} {name} {}", signed_size(bytes), "", e.package.version);
    }
    for c in p.changed.iter().take(10) {
        let _ = writeln!(
            out,
            "    {:>12}  {:<9} ~ {} {} {} -> {}",
            signed_size(c.bytes_delta),
            at(c.line),
            c.ecosystem.as_str(),
            c.name,
            c.from,
            c.to
        );
    }
    for m in p.moved.iter().take(10) {
        let place = |l: &Option<String>| l.clone().unwrap_or_else(|| "the system".into());
        let _ = writeln!(
            out,
            "    {:>12}  {:<9} > {} {} {} moved {} -> {}",
            signed_size(m.bytes_delta),
            at(m.line),
            m.ecosystem.as_str(),
            m.name,
            m.version,
            place(&m.from),
            place(&m.to)
        );
    }
    let hidden = p.added.len().saturating_sub(15)
        + p.removed.len().saturating_sub(10)
        + p.changed.len().saturating_sub(10)
        + p.moved.len().saturating_sub(10);
    if hidden > 0 {
        let _ = writeln!(out, "    and {hidden} more (--format json lists them all)");
    }
    for (folder, delta) in p.unpackaged.iter().take(5) {
        let _ = writeln!(out, "    {:>12}  {:<9} unpackaged files in {folder}", signed_size(*delta), "");
    }
}

/// One measured image as text: totals, then each filesystem layer with its waste and largest files.
pub fn measure_text(m: &crate::image::ImageMeasure) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}  {}", m.reference, m.id);
    let _ = writeln!(
        out,
        "  size {}  compressed {}  layers {}  wasted {}  efficiency {:.1} %",
        size(m.size_bytes),
        if m.compressed_bytes == 0 { "not measured".to_owned() } else { size(m.compressed_bytes) },
        m.layer_count,
        size(m.wasted_bytes),
        m.efficiency * 100.0
    );
    if let Some(read) = &m.layers_read {
        let _ = writeln!(out, "  layers read: {read}");
    }
    for l in m.layers.iter().filter(|l| !l.empty) {
        let what = crate::image::attribute::short(&l.created_by);
        let _ = writeln!(out, "  {:>10} {:>10} wasted  {}", size(l.size_bytes), size(l.wasted_bytes), what);
        for f in &l.top_files {
            let _ = writeln!(out, "  {:>10} {:>10}         {}", "", size(f.size_bytes), f.path);
        }
    }
    if let Some(inv) = &m.packages {
        let _ = writeln!(out, "  packages ({}), largest first:", inv.packages.len());
        let mut list: Vec<&crate::image::packages::Package> = inv.packages.iter().collect();
        list.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.name.cmp(&b.name)));
        for p in list {
            let how = match (p.requested, &p.via) {
                (Some(false), Some(via)) => format!("  (dependency, via {via})"),
                (Some(false), None) => "  (dependency)".to_owned(),
                _ => String::new(),
            };
            let line = m.line_of_layer(p.layer).map(|l| format!("  line {l}")).unwrap_or_default();
            let _ = writeln!(
                out,
                "  {:>10}  {:<4} {} {}  layer {}{line}{how}",
                size(p.bytes),
                p.ecosystem.as_str(),
                p.name,
                p.version,
                p.layer + 1
            );
        }
        for (folder, bytes) in &inv.unpackaged {
            let _ = writeln!(out, "  {:>10}  unpackaged in {folder}", size(*bytes));
        }
        for n in &inv.notes {
            let _ = writeln!(out, "  note: {n}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{lint_text, LintConfig};

    fn report(text: &str) -> Report {
        Report {
            files: vec!["Dockerfile".into()],
            findings: lint_text(text, "Dockerfile", &LintConfig::default()),
            failure_threshold: Some(Severity::Info),
            ..Report::default()
        }
    }

    #[test]
    fn text_shows_location_line_caret_and_fix() {
        let out = text(&report("FROM debian:12.5-slim\nUSER app\nWORKDIR app\n"));
        let plain = anstream::adapter::strip_str(&out).to_string();
        assert!(plain.contains("error[SL309 relative-workdir]: `WORKDIR app` is relative"), "{plain}");
        assert!(plain.contains(" --> Dockerfile:3:1"), "{plain}");
        assert!(plain.contains("3 | WORKDIR app\n  | ^^^^^^^^^^^"), "{plain}");
        assert!(plain.contains("= fix: use an absolute path"), "{plain}");
        assert!(plain.contains("1 file checked: 1 error (failing: findings at or above info)"), "{plain}");
    }

    #[test]
    fn github_commands_are_escaped() {
        let mut r = report("FROM debian:12.5-slim\nUSER app\nWORKDIR app\n");
        r.findings[0].file = "a,b:c.Dockerfile".into();
        r.findings[0].message = "50% done\nnext".into();
        let out = github(&r);
        assert!(out.starts_with("::error file=a%2Cb%3Ac.Dockerfile,line=3,endLine=3,col=1,title=SL309 relative-workdir::50%25 done%0Anext"), "{out}");
    }

    #[test]
    fn sarif_has_rules_and_results() {
        let v: serde_json::Value =
            serde_json::from_str(&sarif(&report("FROM debian:12.5-slim\nUSER app\nWORKDIR app\n"))).unwrap();
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), rules::TABLE.len());
        assert_eq!(run["results"][0]["ruleId"], "SL309");
        assert_eq!(run["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"], 3);
    }
}
