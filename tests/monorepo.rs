//! `mode: merge` on many images: the fan-in of a monorepo's matrix reads the saved reports,
//! judges them again, and writes one comment that stays under GitHub's 65,536 characters. The
//! comment is rendered by GitHub's own markdown renderer (Debian's `cmark-gfm` with the
//! table, autolink and tagfilter extensions) and the HTML is checked as a reviewer sees it.
//! No daemon and no GitHub: a push event has no pull request, so nothing is posted and the
//! comment is what the job saves and writes to the summary. Posting is covered under act.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::json;
use shiplight::image::compare::{compare, Verdict};
use shiplight::image::{ImageMeasure, Layer};
use shiplight::lint::{lint_text, LintConfig};
use shiplight::report::{ImageReport, Report, Suggestion};
use support::{github_html, need, summaries, which};

/// A saved report for one image of a generated monorepo: a few layers, lint findings, a
/// long suggested diff, and for some images a failed build. `grow` is the PR's growth.
fn saved(name: &str, grow: u64, broken: bool) -> Report {
    let layer = |created_by: &str, size: u64, line: usize| Layer {
        created_by: created_by.into(),
        size_bytes: size,
        line: Some(line),
        instruction: Some(created_by.into()),
        ..Layer::default()
    };
    let base = ImageMeasure {
        size_bytes: 200_000_000,
        layers: (0..6).map(|i| layer(&format!("RUN step {i} of {name}"), 10_000_000, i + 2)).collect(),
        ..ImageMeasure::default()
    };
    let mut head = base.clone();
    head.size_bytes += grow;
    head.layers.push(layer(&format!("RUN apt-get install -y build-essential # {name} @octocat"), grow, 9));
    let dockerfile = format!("services/{name}/Dockerfile");
    let text = "FROM python:3.9\nRUN apt update && apt install -y build-essential\nRUN pip install flask\nCMD [\"python\", \"app.py\"]\n";
    let findings = lint_text(text, &dockerfile, &LintConfig::default());
    let c = compare(&base, &head);
    let diff: String = (0..120).map(|i| format!("-RUN old line {i} of {name}\n+RUN new line {i}\n")).collect();
    let suggestion: Suggestion = serde_json::from_value(json!({
        "dockerfile": dockerfile, "outcome": "patched", "ecosystem": "python", "diff": diff,
        "rationale": [{"rule": "SL101", "line": 2, "message": "build toolchain in the final stage"}],
        "written": false
    }))
    .unwrap();
    Report {
        files: vec![dockerfile.clone()],
        findings,
        images: vec![ImageReport {
            name: name.into(),
            dockerfile,
            delta_bytes: Some(c.size.delta),
            comparison: (!broken).then_some(c),
            base: (!broken).then_some(base),
            head,
            // what the matrix job thought; the merge judges again
            verdict: Verdict::Pass,
            build_error: broken.then(|| (0..400).map(|i| format!("#{i} building step {i}\n")).collect()),
            suggestion: (!broken).then_some(suggestion),
            ..ImageReport::default()
        }],
        ..Report::default()
    }
}

fn merge(ws: &Path, inputs: &[(&str, &str)]) -> (Output, String) {
    action(ws, "push", None, None, &[&[("mode", "merge")], inputs].concat())
}

/// `shiplight action` as the runner starts it, with `event` at GITHUB_EVENT_PATH and the API
/// at `api` when given.
fn action(
    ws: &Path,
    event_name: &str,
    event: Option<&serde_json::Value>,
    api: Option<&str>,
    inputs: &[(&str, &str)],
) -> (Output, String) {
    let out_path = ws.join("output");
    let _ = std::fs::remove_file(&out_path);
    let event_path = ws.join("event.json");
    if let Some(e) = event {
        std::fs::write(&event_path, e.to_string()).unwrap();
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shiplight"));
    cmd.arg("action")
        .current_dir(ws)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_REPOSITORY", "o/r")
        .env("GITHUB_EVENT_NAME", event_name)
        .env("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
        .env("GITHUB_WORKSPACE", ws)
        .env("GITHUB_OUTPUT", &out_path)
        .env("GITHUB_STEP_SUMMARY", ws.join("summary"))
        .env("INPUT_GITHUB-TOKEN", "job-token");
    if event.is_some() {
        cmd.env("GITHUB_EVENT_PATH", &event_path);
    }
    if let Some(api) = api {
        cmd.env("GITHUB_API_URL", api).env("GITHUB_GRAPHQL_URL", format!("{api}/graphql"));
    }
    for (k, v) in inputs {
        cmd.env(format!("INPUT_{}", k.to_uppercase()), v);
    }
    let out = cmd.output().unwrap();
    (out, std::fs::read_to_string(out_path).unwrap_or_default())
}

fn output(outputs: &str, name: &str) -> Option<String> {
    outputs.lines().find_map(|l| l.strip_prefix(&format!("{name}=")).map(String::from))
}

#[test]
fn fifty_images_merge_into_one_comment_under_githubs_limit_and_render_as_html() {
    if !need("merge", "cmark-gfm", which("cmark-gfm").is_some(), "apt-get install cmark-gfm (scripts/test)") {
        return;
    }
    let ws = tempfile::tempdir().unwrap();
    let reports = ws.path().join("reports");
    // 50 images reported (every fifth grows 60 MB, two do not build), one planned image left
    // no report, 300 images the plan left out
    let mut plan = Vec::new();
    for i in 0..50 {
        let name = format!("svc-{i:02}");
        let grow = if i % 5 == 0 { 60_000_000 } else { 1_000_000 };
        let report = saved(&name, grow, i == 7 || i == 31);
        let dir = reports.join(format!("shiplight-{name}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("report.json"), serde_json::to_string(&report).unwrap()).unwrap();
        plan.push(json!({"name": name, "dockerfile": format!("services/{name}/Dockerfile"), "affected": true}));
    }
    plan.push(json!({"name": "svc-lost", "dockerfile": "services/svc-lost/Dockerfile", "affected": true}));
    for i in 0..300 {
        plan.push(
            json!({"name": format!("quiet-{i:03}"), "dockerfile": format!("quiet/{i}/Dockerfile"), "affected": false}),
        );
    }
    let plan = json!({ "images": plan }).to_string();
    let (out, outputs) = merge(
        ws.path(),
        &[("reports", "reports"), ("plan", &plan), ("fail-on-increase-percent", "10"), ("comment", "never")],
    );
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "past the threshold, broken builds and a missing report fail: {log}");
    assert!(log.contains("50 report(s) found"), "{log}");
    assert_eq!(output(&outputs, "verdict").as_deref(), Some("fail"));
    // 48 built images: 10 grew 60 MB, 38 grew 1 MB; the broken and the missing count in no sum
    let delta: i64 = output(&outputs, "delta-bytes").unwrap().parse().unwrap();
    assert_eq!(delta, 10 * 60_000_000 + 38 * 1_000_000, "{outputs}");

    let body = std::fs::read_to_string(ws.path().join(".shiplight/comment.md")).unwrap();
    eprintln!("merge: 50 images, comment {} characters", body.len());
    assert!(body.len() <= 65_536, "{}", body.len());
    assert!(body.contains("shortened to stay within GitHub's comment size limit"), "and says so");
    assert!(body.trim_end().ends_with("<!-- shiplight:images -->"), "one marker for the merged comment");

    let html = github_html(&body).unwrap();
    // the table: a header and one row per planned image, the worst verdict first
    let table = &html[html.find("<table>").unwrap()..html.find("</table>").unwrap()];
    let rows: Vec<&str> = table.split("<tr>").skip(2).collect();
    assert_eq!(rows.len(), 51, "{table}");
    let verdicts: Vec<&str> = rows
        .iter()
        .map(|r| {
            let cells: Vec<&str> = r.split("<td").collect();
            let last = cells.last().unwrap();
            last.split_once('>').unwrap().1.split(['<', ':']).next().unwrap()
        })
        .collect();
    let rank = |v: &str| ["pass", "skipped", "warn", "fail"].iter().position(|x| *x == v).unwrap();
    assert!(verdicts.windows(2).all(|w| rank(w[0]) >= rank(w[1])), "worst first: {verdicts:?}");
    assert_eq!(
        verdicts.iter().filter(|v| **v == "fail").count(),
        13,
        "10 past 10 %, 2 broken, 1 missing: {verdicts:?}"
    );
    assert!(table.contains("<code>svc-lost</code>") && table.contains("fail: no report"), "{table}");
    assert!(table.contains("<code>svc-07</code>") && table.contains("fail: does not build"), "{table}");
    // the images left out are listed, folded
    assert!(html.contains("300 image(s) the plan left out"), "{html}");
    assert!(html.contains("<code>quiet-000</code>"));
    // the HTML is well formed where it matters: every fold closes, and a <summary> shows
    // code as code, not as literal backticks
    assert_eq!(html.matches("<details>").count(), html.matches("</details>").count());
    let sums = summaries(&html);
    assert!(sums.len() >= 14, "each failing image's details are folded under its summary: {}", sums.len());
    assert!(sums.iter().all(|s| !s.contains('`')), "{sums:#?}");
    // text from the reports cannot mention anyone
    assert!(!html.contains("@octocat"), "mentions are neutralised");
}

#[test]
fn merge_reads_a_plan_file_and_says_what_is_wrong_with_bad_inputs() {
    let ws = tempfile::tempdir().unwrap();
    let reports = ws.path().join("reports/shiplight-api");
    std::fs::create_dir_all(&reports).unwrap();
    std::fs::write(reports.join("report.json"), serde_json::to_string(&saved("api", 1_000, false)).unwrap()).unwrap();
    std::fs::write(
        ws.path().join("plan.json"),
        json!({"images": [{"name": "api", "affected": true}, {"name": "web", "affected": false}]}).to_string(),
    )
    .unwrap();
    let (out, outputs) =
        merge(ws.path(), &[("reports", "reports"), ("plan", "plan.json"), ("comment", "never"), ("max-size", "1GB")]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(output(&outputs, "verdict").as_deref(), Some("pass"));
    let body = std::fs::read_to_string(ws.path().join(".shiplight/comment.md")).unwrap();
    assert!(body.contains("| ✅ | `api` |") && body.contains("1 image(s) the plan left out"), "{body}");

    // each image's own budget in this job's .shiplight.yml beats the input
    std::fs::write(
        ws.path().join(".shiplight.yml"),
        "images:\n  - name: api\n    dockerfile: services/api/Dockerfile\n    thresholds: {max-size: 100MB}\n",
    )
    .unwrap();
    let (out, _) =
        merge(ws.path(), &[("reports", "reports"), ("plan", "plan.json"), ("comment", "never"), ("max-size", "1GB")]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    let body = std::fs::read_to_string(ws.path().join(".shiplight/comment.md")).unwrap();
    assert!(body.contains("over the max-size budget of 100 MB"), "{body}");

    // a report that is not one: named, and its image counts as missing
    let bad = ws.path().join("reports/shiplight-web");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("report.json"), "{ not a report").unwrap();
    std::fs::write(
        ws.path().join("plan.json"),
        json!({"images": [{"name": "api", "affected": true}, {"name": "web", "affected": true}]}).to_string(),
    )
    .unwrap();
    let (out, _) = merge(ws.path(), &[("reports", "reports"), ("plan", "plan.json"), ("comment", "never")]);
    let log = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert!(log.contains("::warning::input `reports`: ") && log.contains("is not a shiplight report"), "{log}");
    let body = std::fs::read_to_string(ws.path().join(".shiplight/comment.md")).unwrap();
    assert!(body.contains("| ❌ | `web` | — | — | fail: no report |"), "{body}");
    std::fs::remove_dir_all(&bad).unwrap();

    for (inputs, says) in [
        (vec![("reports", "nowhere")], "input `reports`: cannot read"),
        (vec![("reports", "reports"), ("plan", "{not json")], "input `plan`: not the JSON"),
        (vec![("reports", "reports"), ("missing-report", "maybe")], "`maybe` is not one of fail, warn"),
    ] {
        let (out, _) = merge(ws.path(), &inputs);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(2), "{text}");
        assert!(text.contains(says), "{says}: {text}");
    }
}

/// A checkout with no git at all (as the Action's container sees it): api and web with their
/// own contexts, a `.dockerignore` in web, and a root image.
fn checkout() -> tempfile::TempDir {
    let ws = tempfile::tempdir().unwrap();
    let write = |p: &str, text: &str| {
        let path = ws.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("services/api/Dockerfile", "FROM busybox\nCOPY . /srv\n");
    write("services/api/main.go", "package main\n");
    write("services/web/Dockerfile", "FROM busybox\nCOPY . /srv\n");
    write("services/web/.dockerignore", "*.md\n");
    write("services/web/README.md", "docs\n");
    write("Dockerfile", "FROM busybox\nCOPY services/api /api\n");
    ws
}

#[tokio::test]
async fn plan_mode_asks_github_for_the_changed_files_and_needs_no_git() {
    let ws = checkout();
    let gh = support::github::FakeGitHub::start("o/r").await;
    {
        let mut st = gh.state.lock().unwrap();
        // a rename counts by both names; web's README is excluded by its .dockerignore
        st.files = vec![
            ("services/api/cmd.go".into(), Some("services/api/main_old.go".into())),
            ("services/web/README.md".into(), None),
        ];
    }
    let event = json!({"number": 7, "pull_request": {"number": 7,
        "base": {"sha": "b".repeat(40), "repo": {"full_name": "o/r"}},
        "head": {"sha": "h".repeat(40), "repo": {"full_name": "o/r"}}}});
    let (out, outputs) = action(ws.path(), "pull_request", Some(&event), Some(&gh.uri()), &[("mode", "plan")]);
    let log = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{log}");
    // discovered by walking the checkout: the root image is named after the repository
    assert!(log.contains("affected   services/api: `services/api/main_old.go` changed in its context"), "{log}");
    assert!(log.contains("affected   r: `services/api/main_old.go` changed in its context `.`"), "{log}");
    assert!(log.contains("unchanged  services/web"), "the .dockerignore excludes README.md: {log}");
    let matrix: serde_json::Value = serde_json::from_str(&output(&outputs, "matrix").unwrap()).unwrap();
    let names: Vec<&str> = matrix["include"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["r", "services/api"]);
    assert_eq!(matrix["include"][1]["key"], "services-api", "a key an artifact name accepts");
    assert_eq!(output(&outputs, "count").as_deref(), Some("2"));
    let plan: serde_json::Value = serde_json::from_str(&output(&outputs, "plan").unwrap()).unwrap();
    assert_eq!(plan["images"].as_array().unwrap().len(), 3);
    assert!(ws.path().join(".shiplight/plan.json").is_file(), "saved for monorepo-comment.yml");
    let asked = gh.state.lock().unwrap().log.clone();
    assert!(asked.iter().any(|r| r.starts_with("GET /repos/o/r/pulls/7/files?per_page=100&page=1")), "{asked:?}");
    assert!(asked.iter().any(|r| r.contains("/contents/.shiplight.yml?ref=bbbb")), "{asked:?}");

    // not a pull request: every image is planned, and says why
    let (out, outputs) = action(ws.path(), "push", None, None, &[("mode", "plan")]);
    let log = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{log}");
    assert_eq!(output(&outputs, "count").as_deref(), Some("3"), "{log}");
    assert!(log.contains("a push event is not a pull request: every image is planned"), "{log}");
}

#[test]
fn an_unknown_image_name_says_which_images_there_are() {
    let ws = checkout();
    let (out, _) = action(ws.path(), "push", None, None, &[("image-name", "payments"), ("comment", "never")]);
    let log = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(2), "{log}");
    assert!(log.contains("input `image-name`: no image `payments`"), "{log}");
    assert!(log.contains("known: r, services/api, services/web"), "{log}");
}
