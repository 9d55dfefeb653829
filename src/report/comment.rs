//! The pull-request comment, rendered from the one [`Report`] through a handlebars template
//! shipped as a file (`templates/comment.md.hbs`; users may replace it). Markdown is not
//! HTML-escaped; instead everything that came from the pull request (instructions, file
//! names, messages quoting them) is put in code spans with `@` neutralised, so a pull request
//! cannot inject markdown, HTML or mentions. The body stays under GitHub's limit by
//! collapsing, then truncating the least important sections, and says so.

use serde_json::{json, Value};

use super::render::{signed_size, size};
use super::{ImageReport, Report};
use crate::image::compare::Verdict;
use crate::image::packages::PackageDelta;
use crate::image::ImageMeasure;
use crate::lint::rules;

/// The hidden marker that identifies one image's comment (`<!-- shiplight:<key> -->`). The
/// key keeps only letters, digits and `._,+-`, so it can never close the HTML comment.
pub fn marker(key: &str) -> String {
    format!("<!-- shiplight:{} -->", safe_key(key))
}

/// A key reduced to characters that are safe in a marker and a file name.
pub fn safe_key(key: &str) -> String {
    let k: String = key
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "._,+-".contains(c) { c.to_ascii_lowercase() } else { '-' })
        .collect();
    if k.is_empty() {
        "image".into()
    } else {
        k
    }
}

/// The marker key of a run: its images' keys, so several images share one comment and
/// matrix jobs for different images keep their own.
pub fn run_key(report: &Report) -> String {
    let mut keys: Vec<String> = report.images.iter().map(|i| safe_key(&i.name)).collect();
    keys.sort();
    keys.dedup();
    if keys.is_empty() {
        "image".into()
    } else {
        keys.join(",")
    }
}

/// A repository path as a URL path: every byte outside `A-Za-z0-9-._~/` percent-encoded.
fn url_path(path: &str) -> String {
    path.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A fenced code block that the text cannot close (the fence is longer than any run of
/// backticks inside). GitHub does not turn `@name` in a code block into a mention.
pub fn code_block(lang: &str, text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let body = text.strip_suffix('\n').unwrap_or(text);
    format!("{fence}{lang}\n{body}\n{fence}")
}

/// GitHub's limit for a comment body.
pub const MAX_BODY: usize = 65_536;

/// The built-in template.
pub const TEMPLATE: &str = include_str!("templates/comment.md.hbs");

/// Where links point.
#[derive(Debug, Clone, Default)]
pub struct Links {
    /// `https://github.com/owner/name`
    pub repo_url: Option<String>,
    /// The head commit, for links to Dockerfile lines.
    pub sha: Option<String>,
    /// The workflow run.
    pub run_url: Option<String>,
}

/// Text from the pull request as a code span: backticks cannot close it, `@` cannot mention,
/// and nothing inside renders as markdown or HTML.
pub fn code(text: &str) -> String {
    let clean: String =
        text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().replace('@', "@\u{200b}");
    let longest = clean.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if clean.starts_with('`') || clean.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{clean}{pad}{fence}")
}

/// Text from the pull request inside HTML that GitHub does not render as markdown (a
/// `<summary>`): a `<code>` element, HTML-escaped, `@` unable to mention.
pub fn html_code(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('@', "@\u{200b}");
    format!("<code>{clean}</code>")
}

/// A message shiplight wrote, with the pull request's text quoted in backticks inside it, as
/// prose: the quoted parts become code spans ([`code`]), the rest is escaped so nothing in it
/// renders as markdown or HTML or mentions anyone. A message whose backticks do not pair is
/// one code span.
pub fn prose(message: &str) -> String {
    let parts: Vec<&str> = message.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return code(message);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                return code(part);
            }
            let mut out = String::with_capacity(part.len());
            for c in part.chars() {
                match c {
                    '\\' | '*' | '_' | '[' | ']' | '#' | '|' | '~' | '!' | '<' | '>' => {
                        out.push('\\');
                        out.push(c);
                    }
                    '&' => out.push_str("&amp;"),
                    '@' => out.push_str("@\u{200b}"),
                    c if c.is_control() => out.push(' '),
                    c => out.push(c),
                }
            }
            out
        })
        .collect()
}

fn mark(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "✅",
        Verdict::Skipped => "ℹ️",
        Verdict::Warn => "⚠️",
        Verdict::Fail => "❌",
    }
}

fn percent(p: f64) -> String {
    if p > 0.0 {
        format!("+{p:.1} %")
    } else if p < 0.0 {
        format!("\u{2212}{:.1} %", -p)
    } else {
        "\u{b1}0.0 %".into()
    }
}

fn line_link(links: &Links, dockerfile: &str, line: Option<usize>) -> String {
    match (line, &links.repo_url, &links.sha) {
        (Some(l), Some(repo), Some(sha)) => {
            format!("[line {l}]({repo}/blob/{}/{}#L{l})", url_path(sha), url_path(dockerfile))
        }
        (Some(l), _, _) => format!("line {l}"),
        _ => "—".into(),
    }
}

/// The most detailed level of [`view`]; each level below drops the least important sections.
const FULL: usize = 3;

/// The view the template reads; `detail` (0..=[`FULL`]) drops the least important sections
/// first: lines of "What changed", then findings and diffs, then, with several images, the
/// details of the images that pass (their row in the summary table stays).
///
/// Built in parts: the summary table's row of each image ([`summary_row`]), each image's
/// section ([`image_view`]: headline, size table, what changed, packages, drift, reasons,
/// the rewrite, a build error), the findings ([`findings_view`]) and, with several images,
/// the summary above them ([`summary_view`]).
fn view(report: &Report, key: &str, links: &Links, detail: usize) -> Value {
    let detail = detail.min(FULL);
    // several images (a monorepo's merge, or several Dockerfiles): a table first, worst
    // verdict first, and each image's details folded below it
    let folded = report.images.len() > 1 || !report.unchanged.is_empty();
    let mut order: Vec<&ImageReport> = report.images.iter().collect();
    if folded {
        order.sort_by_key(|i| std::cmp::Reverse(i.verdict));
    }
    let mut images = Vec::new();
    let mut rows = Vec::new();
    for img in order {
        if folded {
            rows.push(summary_row(img));
            if detail == 0 && img.verdict <= Verdict::Skipped {
                continue;
            }
        }
        images.push(image_view(img, links, detail));
    }
    let footer = match &links.run_url {
        Some(run) => format!("shiplight {} · [workflow run]({run})", env!("CARGO_PKG_VERSION")),
        None => format!("shiplight {}", env!("CARGO_PKG_VERSION")),
    };
    let truncated = (detail < FULL).then(|| "Some sections were shortened to stay within GitHub's comment size limit; the job summary has the full report.".to_owned());
    json!({
        "summary": folded.then(|| summary_view(report, rows, detail)),
        "images": images,
        "findings": findings_view(report, links, detail),
        "review": report.review.as_ref().map(|r| r.lines()).unwrap_or_default(),
        "findings_count": report.findings.len(),
        "findings_title": if report.new_findings_only { "Lint findings new in this pull request" } else { "Lint findings" },
        "truncated": truncated,
        "footer": footer,
        "markers": [marker(key)],
    })
}

/// An image's judged size (compressed with `--sizes-only`, and then said so).
fn judged(img: &ImageReport, m: &ImageMeasure) -> String {
    let s = size(img.judged_bytes(m));
    if img.sizes_only {
        format!("{s} compressed")
    } else {
        s
    }
}

/// `313.74 MB → 885.04 MB (+571.30 MB, +182.1 %)`, or the head's size alone.
fn sizes(img: &ImageReport) -> String {
    match (&img.base, img.judged_delta()) {
        (Some(b), Some(d)) => format!(
            "{} \u{2192} {} ({}, {})",
            judged(img, b),
            judged(img, &img.head),
            signed_size(d.delta),
            percent(d.percent)
        ),
        _ => judged(img, &img.head),
    }
}

/// Why an image has no sizes to show: it does not build, or its report is missing.
fn broken(img: &ImageReport) -> Option<&str> {
    if img.build_error.is_some() {
        Some("the pull request's image does not build")
    } else {
        img.missing.as_deref()
    }
}

/// One image's row in the summary table of several images.
fn summary_row(img: &ImageReport) -> Value {
    let label = img.label();
    let (size_cell, delta_cell) = match (broken(img), img.judged_delta()) {
        (Some(_), _) => ("—".to_owned(), "—".to_owned()),
        (None, Some(d)) => (judged(img, &img.head), format!("{} ({})", signed_size(d.delta), percent(d.percent))),
        (None, None) => (judged(img, &img.head), "—".to_owned()),
    };
    let word = match broken(img) {
        // the folded details say why
        Some(_) if img.missing.is_some() => format!("{}: no report", img.verdict.as_str()),
        Some(_) => format!("{}: does not build", img.verdict.as_str()),
        None => img.verdict.as_str().to_owned(),
    };
    json!([mark(img.verdict), code(&label), size_cell, delta_cell, word])
}

/// One image's section: its headline, size table, what changed, packages, drift, reasons,
/// the suggested rewrite and the end of a failed build's output.
fn image_view(img: &ImageReport, links: &Links, detail: usize) -> Value {
    let label = img.label();
    let summary_line = match broken(img) {
        Some(b) => format!("{} {}: {b}", mark(img.verdict), html_code(&label)),
        None => format!("{} {}: {}", mark(img.verdict), html_code(&label), sizes(img).replace('&', "&amp;")),
    };
    let headline = match (&img.base, &img.comparison) {
        _ if img.build_error.is_some() => format!("{}: the pull request's image does not build", code(&label)),
        _ if img.missing.is_some() => format!("{}: {}", code(&label), img.missing.as_deref().unwrap_or_default()),
        (Some(_), Some(_)) => format!("{}: {}", code(&label), sizes(img)),
        _ => format!("{}: {}", code(&label), judged(img, &img.head)),
    };
    let packages = img
        .packages
        .as_ref()
        .filter(|p| !p.is_empty() && detail >= 2)
        .map(|p| packages_table(p, [0, 0, 15, 40][detail]));
    let reasons: Vec<String> = img
        .reasons
        .iter()
        .map(super::render::reason)
        .chain(img.base_skipped.iter().map(|w| format!("No comparison: {}", code(w))))
        .chain(img.approved.iter().map(|a| format!("✅ {}", a.replace('@', "@\u{200b}"))))
        .collect();
    let build_error = img.build_error.as_ref().map(|e| {
        let tail: Vec<&str> = e.lines().rev().take([5, 10, 30, 50][detail]).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        // build output is read, not copied: neutralise mentions here too
        code_block("text", &tail.join("\n").replace('@', "@\u{200b}"))
    });
    json!({
        "packages": packages,
        "summary_line": summary_line,
        "build_error": build_error,
        "mark": mark(img.verdict),
        "headline": headline,
        "table": size_table(img),
        "changes": changes(img, links, detail),
        "drift": drift(img),
        "reasons": reasons,
        "suggestion": img.suggestion.as_ref().and_then(|s| suggestion(s, detail)),
        "ships": img.ships.as_ref().map(|l| prose(l)),
    })
}

/// Base, head and delta of the uncompressed and compressed sizes, the layers and the waste
/// (with `--sizes-only`, which read no layer, the compressed size and layers only).
fn size_table(img: &ImageReport) -> Vec<Value> {
    img.comparison
        .iter()
        .flat_map(|c| {
            [
                ("uncompressed", c.size, true),
                ("compressed", c.compressed, true),
                ("layers", c.layers, false),
                ("wasted", c.wasted, true),
            ]
            .into_iter()
            // --sizes-only read no layer: no uncompressed size, no waste
            .filter(|(n, ..)| !(img.sizes_only && (*n == "uncompressed" || *n == "wasted")))
            .map(|(n, d, bytes)| {
                let f = |v: u64| if bytes { size(v) } else { v.to_string() };
                json!([n, f(d.base), f(d.head), if bytes { signed_size(d.delta) } else { format!("{:+}", d.delta) }])
            })
        })
        .collect()
}

/// "What changed": the lines that grew most and those that shrank, each linked to its
/// Dockerfile line (a removed layer's to the base commit's), with its toolchain and packages.
fn changes(img: &ImageReport, links: &Links, detail: usize) -> Vec<String> {
    let Some(c) = &img.comparison else { return Vec::new() };
    let n = [0, 0, 3, 5][detail];
    let mut out = Vec::new();
    for d in c.top_growing(n).into_iter().chain(c.top_shrinking(n / 2 + usize::from(n > 0))) {
        // a removed layer's line is the base Dockerfile's: link it at the base commit
        let removed = d.change == crate::image::compare::Change::Removed;
        let at = if removed {
            let base = Links { sha: img.base_commit.clone(), ..links.clone() };
            format!("base {}", line_link(&base, &img.dockerfile, d.line))
        } else {
            line_link(links, &img.dockerfile, d.line)
        };
        let mut s = format!("{} {at} {}", signed_size(d.delta_bytes), code(&d.instruction));
        if !d.toolchain.is_empty() {
            s.push_str(&format!(
                " — build toolchain: {}",
                d.toolchain.iter().map(|t| code(t)).collect::<Vec<_>>().join(", ")
            ));
        }
        if let Some(list) = img.packages.as_ref().and_then(|p| line_packages(p, d.line, removed, 3)) {
            s.push_str(&format!("\n  - {list}"));
        }
        out.push(s);
    }
    out
}

/// The FROM line's own change, or the same image reference that moved upstream.
fn drift(img: &ImageReport) -> Option<String> {
    img.comparison.as_ref().and_then(|c| match &c.base_image_changed {
        Some((from, to)) => {
            Some(format!("base image {} \u{2192} {} (changed by this pull request)", code(from), code(to)))
        }
        None if c.base_image_drift_bytes != 0 => Some(format!(
            "base image drift: {} (upstream change of the same image)",
            signed_size(c.base_image_drift_bytes)
        )),
        None => None,
    })
}

/// The lint findings, each with its rule's link and its line's.
fn findings_view(report: &Report, links: &Links, detail: usize) -> Vec<String> {
    let limit = [0, 0, 20, 200][detail];
    report
        .findings
        .iter()
        .take(limit)
        .map(|f| {
            let rule =
                rules::find(&f.code).map(|r| format!("[{}]({})", r.code, r.url())).unwrap_or_else(|| code(&f.code));
            format!("{} {rule} {}: {}", f.severity, line_link(links, &f.file, Some(f.line)), prose(&f.message))
        })
        .collect()
}

/// Above several images: the worst mark, the counts by verdict, the total delta, the rows,
/// and the images the plan left out.
fn summary_view(report: &Report, rows: Vec<Value>, detail: usize) -> Value {
    let count = |v: Verdict| report.images.iter().filter(|i| i.verdict == v).count();
    let compared: i64 = report.images.iter().filter_map(|i| i.comparison.as_ref()).map(|c| c.size.delta).sum();
    let mut parts: Vec<String> = [
        (Verdict::Fail, "failed"),
        (Verdict::Warn, "warned"),
        (Verdict::Pass, "passed"),
        (Verdict::Skipped, "not compared"),
    ]
    .iter()
    .filter(|(v, _)| count(*v) > 0)
    .map(|(v, w)| format!("{} {w}", count(*v)))
    .collect();
    if !report.unchanged.is_empty() {
        parts.push(format!("{} unchanged", report.unchanged.len()));
    }
    // the list of unchanged images is cut last, and only when very long
    let shown = if detail == 0 { 50 } else { usize::MAX };
    let mut unchanged: Vec<String> = report.unchanged.iter().take(shown).map(|n| code(n)).collect();
    if report.unchanged.len() > shown {
        unchanged.push(format!("and {} more", report.unchanged.len() - shown));
    }
    json!({
        "mark": mark(report.images.iter().map(|i| i.verdict).max().unwrap_or(Verdict::Skipped)),
        "title": format!("{} image(s): {} · {} in total", report.images.len() + report.unchanged.len(), parts.join(", "), signed_size(compared)),
        "rows": rows,
        "unchanged": if unchanged.is_empty() { Value::Null } else { unchanged.join(", ").into() },
        "unchanged_title": format!("{} image(s) the plan left out: nothing they build from changed", report.unchanged.len()),
    })
}

/// The packages one "What changed" line added (or, for a layer only the base had, removed),
/// largest first: the top `n`, then how many more and their bytes.
fn line_packages(p: &PackageDelta, line: Option<usize>, removed: bool, n: usize) -> Option<String> {
    let line = line?;
    let mut list: Vec<(&str, &str, i64)> = if removed {
        p.removed
            .iter()
            .filter(|e| e.line == Some(line))
            .map(|e| (e.package.name.as_str(), e.package.version.as_str(), -(e.package.bytes as i64)))
            .collect()
    } else {
        p.added
            .iter()
            .filter(|e| e.line == Some(line))
            .map(|e| (e.package.name.as_str(), e.package.version.as_str(), e.package.bytes as i64))
            .chain(
                p.changed
                    .iter()
                    .filter(|c| c.line == Some(line))
                    .map(|c| (c.name.as_str(), c.to.as_str(), c.bytes_delta)),
            )
            .collect()
    };
    // packages this line installed where the base had the same version elsewhere
    let moved: Vec<&str> = if removed {
        Vec::new()
    } else {
        p.moved.iter().filter(|m| m.line == Some(line)).map(|m| m.name.as_str()).collect()
    };
    let moved_text = match moved.len() {
        0 => String::new(),
        k => {
            let names: Vec<String> = moved.iter().take(n).map(|m| code(m)).collect();
            let more = if k > n { format!(", and {} more", k - n) } else { String::new() };
            format!("moved here from another place: {}{more}", names.join(", "))
        }
    };
    if list.is_empty() {
        return (!moved_text.is_empty()).then_some(moved_text);
    }
    list.sort_by(|a, b| b.2.unsigned_abs().cmp(&a.2.unsigned_abs()).then(a.0.cmp(b.0)));
    let shown: Vec<String> =
        list.iter().take(n).map(|(name, _, bytes)| format!("{} {}", code(name), signed_size(*bytes))).collect();
    let rest = &list[list.len().min(n)..];
    let more = if rest.is_empty() {
        String::new()
    } else {
        format!(", and {} more ({})", rest.len(), signed_size(rest.iter().map(|r| r.2).sum()))
    };
    let what = if removed { "removed" } else { "packages" };
    let also = if moved_text.is_empty() { String::new() } else { format!("; {moved_text}") };
    Some(format!("{what}: {}{more}{also}", shown.join(", ")))
}

/// The folded "Packages" section: added, removed and changed, largest first, `n` of each.
fn packages_table(p: &PackageDelta, n: usize) -> Value {
    let mut rows = Vec::new();
    for e in p.added.iter().take(n) {
        rows.push(json!([
            "added",
            e.package.ecosystem.as_str(),
            code(&e.package.name),
            code(&e.package.version),
            signed_size(e.package.bytes as i64),
            e.line.map(|l| l.to_string()).unwrap_or_else(|| "—".into())
        ]));
    }
    for e in p.removed.iter().take(n) {
        rows.push(json!([
            "removed",
            e.package.ecosystem.as_str(),
            code(&e.package.name),
            code(&e.package.version),
            signed_size(-(e.package.bytes as i64)),
            "—"
        ]));
    }
    for c in p.changed.iter().take(n) {
        let version = if c.from == c.to { code(&c.to) } else { format!("{} \u{2192} {}", code(&c.from), code(&c.to)) };
        rows.push(json!([
            "changed",
            c.ecosystem.as_str(),
            code(&c.name),
            version,
            signed_size(c.bytes_delta),
            c.line.map(|l| l.to_string()).unwrap_or_else(|| "—".into())
        ]));
    }
    for m in p.moved.iter().take(n) {
        let place = |l: &Option<String>| l.as_deref().map(code).unwrap_or_else(|| "the system".into());
        rows.push(json!([
            "moved",
            m.ecosystem.as_str(),
            format!("{} ({} \u{2192} {})", code(&m.name), place(&m.from), place(&m.to)),
            code(&m.version),
            signed_size(m.bytes_delta),
            m.line.map(|l| l.to_string()).unwrap_or_else(|| "—".into())
        ]));
    }
    for (folder, delta) in p.unpackaged.iter().take(5) {
        rows.push(json!(["unpackaged", "", format!("files in {}", code(folder)), "", signed_size(*delta), "—"]));
    }
    let hidden = p.added.len().saturating_sub(n)
        + p.removed.len().saturating_sub(n)
        + p.changed.len().saturating_sub(n)
        + p.moved.len().saturating_sub(n);
    let moved = if p.moved.is_empty() { String::new() } else { format!(", {} moved", p.moved.len()) };
    json!({
        "summary": format!("📦 Packages: {} added, {} removed, {} changed{moved}", p.added.len(), p.removed.len(), p.changed.len()),
        "rows": rows,
        "more": (hidden > 0).then(|| format!("and {hidden} more: the job summary and report.json have them all")),
    })
}

/// The suggested rewrite inside `<details>`: what verification showed, why, and the diff
/// (dropped first when the comment is too long).
fn suggestion(s: &crate::report::Suggestion, detail: usize) -> Option<Value> {
    let diff = s.diff.as_ref()?;
    // a <summary> renders no markdown: HTML code elements, not code spans
    let ecosystem = s.ecosystem.as_deref().map(html_code).unwrap_or_default();
    // a retarget changes the file that picks the stage, not the Dockerfile
    let what = match (&s.retarget, &s.file) {
        (Some(r), Some(file)) => {
            format!("one-line change to {}: build the light stage, not {}", html_code(file), html_code(&r.from))
        }
        _ => format!("multi-stage rewrite {ecosystem}"),
    };
    let summary = match &s.verification {
        Some(v) if v.verified => {
            let sizes = match (v.original_bytes, v.patched_bytes, v.delta_percent) {
                (Some(a), Some(b), Some(p)) => format!("{} \u{2192} {} ({})", size(a), size(b), percent(p)),
                _ => String::new(),
            };
            let smoke = v
                .smoke
                .as_ref()
                .map(|sm| format!("; smoke check {} answers the same", html_code(&sm.check)))
                .unwrap_or_default();
            format!("💡 Suggested {what}: verified, {sizes}{smoke}")
        }
        Some(v) => format!(
            "💡 Suggested {what}: not verified ({})",
            html_code(v.reason.as_deref().unwrap_or("unknown reason"))
        ),
        None => format!("💡 Suggested {what} (not built)"),
    };
    // prose with the names in code spans, as the findings are (a whole line in one code
    // span showed its own backticks literally)
    let why: Vec<String> = s
        .rationale
        .iter()
        .map(|r| {
            let rule =
                rules::find(&r.rule).map(|x| format!("[{}]({})", x.code, x.url())).unwrap_or_else(|| code(&r.rule));
            format!("line {} ({rule}): {}", r.line, prose(&r.message))
        })
        .collect();
    let block = if detail <= 1 {
        "_The diff was left out to stay within GitHub's comment size limit; run `shiplight suggest` locally._"
            .to_owned()
    } else {
        code_block("diff", diff)
    };
    Some(
        json!({ "summary": summary, "why": why, "diff": block, "verified": s.verification.as_ref().map(|v| v.verified) }),
    )
}

/// Render the comment with `template` (the built-in [`TEMPLATE`] unless the user has one).
pub fn render(report: &Report, key: &str, links: &Links, template: &str) -> Result<String, String> {
    let mut hb = handlebars::Handlebars::new();
    hb.register_escape_fn(handlebars::no_escape);
    hb.register_template_string("comment", template).map_err(|e| format!("comment template: {e}"))?;
    for detail in (0..=FULL).rev() {
        let body =
            hb.render("comment", &view(report, key, links, detail)).map_err(|e| format!("comment template: {e}"))?;
        if body.len() <= MAX_BODY {
            return Ok(body);
        }
    }
    // still too long (a huge custom template): cut on a character boundary, keep the marker
    let mark = marker(key);
    let body = hb.render("comment", &view(report, key, links, 0)).map_err(|e| format!("comment template: {e}"))?;
    let note = "\n\n_Truncated to GitHub's comment size limit._\n";
    let mut cut = MAX_BODY - note.len() - mark.len() - 1;
    while !body.is_char_boundary(cut) {
        cut -= 1;
    }
    Ok(format!("{}{note}{mark}\n", &body[..cut]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::compare::{compare, verdict, Thresholds};
    use crate::image::{ImageMeasure, Layer};
    use crate::lint::{lint_text, LintConfig};
    use crate::report::ImageReport;

    fn flask_report() -> Report {
        let layer = |created_by: &str, size: u64, line: usize, inherited: bool| Layer {
            created_by: created_by.into(),
            size_bytes: size,
            line: Some(line),
            inherited,
            instruction: Some(created_by.into()),
            ..Layer::default()
        };
        let base = ImageMeasure {
            size_bytes: 313_737_860,
            layers: vec![layer("RUN pip install flask", 5_000_000, 5, false)],
            ..Default::default()
        };
        let mut toolchain =
            layer("RUN apt update && apt install -y build-essential @octocat `rm -rf /`", 571_299_016, 4, false);
        toolchain.toolchain = vec!["build-essential".into()];
        let head = ImageMeasure {
            size_bytes: 885_036_876,
            layers: vec![toolchain, layer("RUN pip install flask", 5_000_000, 5, false)],
            ..Default::default()
        };
        let c = compare(&base, &head);
        let (v, reasons) = verdict(
            head.size_bytes,
            Some(&c.size),
            &Thresholds { fail_on_increase_percent: Some(10.0), ..Default::default() },
        );
        let findings = lint_text(
            include_str!("../../examples/flask/Dockerfile"),
            "examples/flask/Dockerfile",
            &LintConfig::default(),
        );
        Report {
            images: vec![ImageReport {
                name: "flask".into(),
                dockerfile: "examples/flask/Dockerfile".into(),
                delta_bytes: Some(c.size.delta),
                comparison: Some(c),
                base: Some(base),
                head,
                verdict: v,
                reasons,
                ..Default::default()
            }],
            findings,
            verdict: Some(v),
            ..Default::default()
        }
    }

    fn links() -> Links {
        Links {
            repo_url: Some("https://github.com/o/r".into()),
            sha: Some("abc123".into()),
            run_url: Some("https://github.com/o/r/actions/runs/1".into()),
        }
    }

    #[test]
    fn headline_table_changes_findings_and_marker() {
        let body = render(&flask_report(), "flask", &links(), TEMPLATE).unwrap();
        assert!(body.contains("### ❌ 📦 `flask`: 313.74 MB \u{2192} 885.04 MB (+571.30 MB, +182.1 %)"), "{body}");
        assert!(body.contains("| uncompressed | 313.74 MB | 885.04 MB | +571.30 MB |"));
        assert!(body.contains("[line 4](https://github.com/o/r/blob/abc123/examples/flask/Dockerfile#L4)"));
        assert!(body.contains("build toolchain: `build-essential`"));
        assert!(body.contains("[SL101](https://github.com/shiplight/shiplight/blob/main/docs/rules.md#sl101)"));
        assert!(body.contains("[workflow run](https://github.com/o/r/actions/runs/1)"));
        assert!(body.trim_end().ends_with("<!-- shiplight:flask -->"));
    }

    #[test]
    fn pull_request_text_cannot_mention_or_inject() {
        let body = render(&flask_report(), "flask", &links(), TEMPLATE).unwrap();
        assert!(!body.contains("@octocat"), "the mention is neutralised");
        // backticks inside cannot close the span; the span pads because the text ends in one
        assert!(
            body.contains("`` RUN apt update && apt install -y build-essential @\u{200b}octocat `rm -rf /` ``"),
            "{body}"
        );
        assert_eq!(code("<script>alert(1)</script>"), "`<script>alert(1)</script>`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
    }

    #[test]
    fn messages_are_prose_with_inline_code() {
        assert_eq!(
            prose("`apt-get install` without `--no-install-recommends` also installs"),
            "`apt-get install` without `--no-install-recommends` also installs"
        );
        assert_eq!(
            prose("stage `a*b` copies <b>x</b> for @team & *all*"),
            "stage `a*b` copies \\<b\\>x\\</b\\> for @\u{200b}team &amp; \\*all\\*"
        );
        assert_eq!(prose("odd ` count"), "``odd ` count``", "unpaired backticks: one span");
    }

    #[test]
    fn the_verified_patch_is_folded_in_details_and_cannot_break_its_fence() {
        let mut r = flask_report();
        r.images[0].suggestion = Some(crate::report::Suggestion {
            outcome: "patch".into(),
            ecosystem: Some("python".into()),
            diff: Some("--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1 +1 @@\n-RUN echo ```\n+RUN echo ok\n".into()),
            rationale: vec![crate::patch::Rationale {
                rule: "SL101".into(),
                line: 4,
                message: "`build-essential` compiles `psycopg2`; only the wheel ships, @team".into(),
            }],
            verification: Some(crate::report::Verification {
                verified: true,
                original_bytes: Some(885_036_876),
                patched_bytes: Some(313_737_860),
                delta_percent: Some(-64.6),
                smoke: Some(crate::report::SmokeReport {
                    check: "GET :5000/".into(),
                    same: true,
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        });
        let body = render(&r, "flask", &links(), TEMPLATE).unwrap();
        assert!(body.contains("<details><summary>💡 Suggested multi-stage rewrite <code>python</code>: verified, 885.04 MB \u{2192} 313.74 MB (\u{2212}64.6 %); smoke check <code>GET :5000/</code> answers the same</summary>"), "{body}");
        assert!(body.contains("````diff\n--- a/Dockerfile\n"), "the fence outgrows the backticks inside: {body}");
        assert!(body.contains("-RUN echo ```\n+RUN echo ok\n````\n\n</details>"), "{body}");
        // the rationale is prose: names in code spans, the rule linked, no mention
        assert!(
            body.contains("- line 4 ([SL101](https://github.com/shiplight/shiplight/blob/main/docs/rules.md#sl101)): `build-essential` compiles `psycopg2`; only the wheel ships, @\u{200b}team\n"),
            "{body}"
        );
    }

    #[test]
    fn approval_new_findings_and_untrusted_paths() {
        let mut r = flask_report();
        r.images[0].approved = Some("The size increase was approved by the label `size-ok`.".into());
        r.new_findings_only = true;
        r.images[0].dockerfile = "app dir/Dockerfile)](javascript:x)".into();
        let body = render(&r, "flask", &links(), TEMPLATE).unwrap();
        assert!(body.contains("> ✅ The size increase was approved by the label `size-ok`."), "{body}");
        assert!(body.contains("**Lint findings new in this pull request**"), "{body}");
        assert!(body.contains("blob/abc123/app%20dir/Dockerfile%29%5D%28javascript%3Ax%29#L4)"), "{body}");
        assert_eq!(marker("api --> <b>x</b>"), "<!-- shiplight:api------b-x--b- -->");
    }

    #[test]
    fn stays_within_githubs_limit_and_says_so() {
        let mut r = flask_report();
        let one = r.findings[0].clone();
        r.findings =
            (0..3000).map(|i| crate::lint::Finding { line: i + 1, message: "x".repeat(200), ..one.clone() }).collect();
        let body = render(&r, "flask", &links(), TEMPLATE).unwrap();
        assert!(body.len() <= MAX_BODY, "{}", body.len());
        assert!(body.contains("shortened to stay within GitHub's comment size limit"));
        assert!(body.contains("(3000)"), "the count says how many there are");
        assert!(body.trim_end().ends_with("<!-- shiplight:flask -->"), "the marker survives");
        // a custom template that is always too long is cut, marker kept
        let huge = format!("{}{{{{#each markers}}}}{{{{{{this}}}}}}{{{{/each}}}}", "y".repeat(70_000));
        let body = render(&r, "flask", &links(), &huge).unwrap();
        assert!(body.len() <= MAX_BODY && body.trim_end().ends_with("<!-- shiplight:flask -->"));
    }

    /// A package in another place on both sides is one "moved" row with its byte change.
    #[test]
    fn a_moved_package_is_one_row() {
        let mut r = flask_report();
        r.images[0].packages = Some(PackageDelta {
            moved: vec![crate::image::packages::Moved {
                ecosystem: crate::image::packages::Ecosystem::Pip,
                name: "Flask".into(),
                version: "3.1.3".into(),
                from: Some("/venv".into()),
                to: None,
                bytes_delta: 120,
                line: Some(4),
            }],
            ..Default::default()
        });
        let body = render(&r, "flask", &links(), TEMPLATE).unwrap();
        assert!(body.contains("📦 Packages: 0 added, 0 removed, 0 changed, 1 moved"), "{body}");
        assert!(
            body.contains("| moved | pip | `Flask` (`/venv` \u{2192} the system) | `3.1.3` | +120 B | 4 |"),
            "{body}"
        );
        assert!(!body.contains("| added | pip | `Flask`"), "{body}");
        // and on its line in "What changed", by name
        assert!(body.contains("  - moved here from another place: `Flask`\n"), "{body}");
    }

    #[test]
    fn platforms_get_rows_and_sizes_only_says_compressed() {
        let mut r = flask_report();
        let mut arm = r.images[0].clone();
        arm.platform = Some("linux/arm64".into());
        arm.verdict = Verdict::Pass;
        r.images[0].platform = Some("linux/amd64".into());
        r.images.push(arm);
        let body = render(&r, "flask", &links(), TEMPLATE).unwrap();
        assert!(body.contains("| `flask (linux/amd64)` |") && body.contains("| `flask (linux/arm64)` |"), "{body}");
        // the failing platform's row comes first
        assert!(body.find("flask (linux/amd64)").unwrap() < body.find("flask (linux/arm64)").unwrap());

        let mut r = flask_report();
        r.images[0].sizes_only = true;
        let body = render(&r, "flask", &links(), TEMPLATE).unwrap();
        assert!(body.contains("compressed \u{2192}") || body.contains("compressed →"), "{body}");
        assert!(!body.contains("| uncompressed |") && !body.contains("| wasted |"), "{body}");
    }
}
