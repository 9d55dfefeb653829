//! `shiplight lint` as a user runs it: the built binary on real files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn shiplight(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shiplight"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("run shiplight")
}

fn json(args: &[&str], cwd: &Path) -> (Vec<Value>, i32, String) {
    let mut full = vec!["lint", "--format", "json"];
    full.extend_from_slice(args);
    let out = shiplight(&full, cwd);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let v: Vec<Value> = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"));
    (v, out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).to_string())
}

fn has(findings: &[Value], code: &str, line: u64) -> bool {
    findings.iter().any(|f| f["code"] == code && f["line"] == line)
}

#[test]
fn flask_example_reports_what_ships() {
    let (f, code, _) = json(&["examples/flask/Dockerfile"], &root());
    assert_eq!(code, 1);
    // build toolchain on the `apt install -y build-essential` line, heavy base on FROM,
    // apt instead of apt-get, pip cache on the pip line, root user.
    assert!(has(&f, "SL101", 4), "{f:#?}");
    assert!(has(&f, "SL103", 1));
    assert!(has(&f, "SL301", 4));
    assert!(f.iter().any(|x| x["code"] == "SL106" && x["line"] == 5 && x["message"].as_str().unwrap().contains("pip")));
    assert!(has(&f, "SL107", 1));
    let first = &f[0];
    for key in ["file", "line", "column", "end_line", "code", "name", "severity", "message", "stage", "fix"] {
        assert!(first.get(key).is_some(), "missing {key} in {first}");
    }
    assert_eq!(first["file"], "examples/flask/Dockerfile");
}

#[test]
fn builder_stage_gets_no_finding() {
    let (f, code, _) = json(&["tests/fixtures/lint/multistage-clean.Dockerfile"], &root());
    assert!(f.is_empty(), "expected a clean file: {f:#?}");
    assert_eq!(code, 0);
}

#[test]
fn modern_syntax_parses_and_lints_clean() {
    let (f, code, _) =
        json(&["tests/fixtures/lint/modern.Dockerfile", "tests/fixtures/lint/bom-crlf.Dockerfile"], &root());
    assert!(f.is_empty(), "{f:#?}");
    assert_eq!(code, 0);
}

#[test]
fn graph_errors_keep_linting() {
    let (f, _, _) = json(&["tests/fixtures/lint/duplicate.Dockerfile"], &root());
    assert!(has(&f, "SL203", 3), "duplicate name on the second one: {f:#?}");
    let typo = f.iter().find(|x| x["code"] == "SL201").expect("unknown --from");
    assert_eq!(typo["line"], 5);
    assert_eq!(typo["fix"], "did you mean `--from=build`?");
    assert!(has(&f, "SL105", 1), "the shadowed first stage is unused");
}

/// Directories are searched by the naming conventions; a vendored dependency's folder
/// (`vendor/`, `third_party/`, `node_modules/`) holds another repository's files, and is not.
///
/// The tree is linted from a copy outside this repository: here it sits in `tests/`, a test
/// folder, whose Dockerfiles ship nothing and so raise no shipping findings.
#[test]
fn directories_find_dockerfiles_by_convention() {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                copy(&e.path(), &to.join(e.file_name()));
            } else {
                std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(&root().join("tests/fixtures/lint/tree"), &dir.path().join("tree"));
    let (f, _, _) = json(&["tree"], dir.path());
    let mut files: Vec<&str> = f.iter().map(|x| x["file"].as_str().unwrap()).collect();
    files.dedup();
    assert_eq!(
        files,
        ["tree/Dockerfile", "tree/svc/.hidden/Dockerfile.dev", "tree/svc/Containerfile", "tree/svc/api.Dockerfile"]
    );
    // in the repository's own test folder the same files ship nothing
    let (f, _, _) = json(&["tests/fixtures/lint/tree"], &root());
    assert!(!f.iter().any(|x| x["code"] == "SL107"), "{f:#?}");
}

#[test]
fn text_format_is_rustc_like_and_plain_when_piped() {
    let out = shiplight(&["lint", "examples/flask/Dockerfile"], &root());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\u{1b}'), "no colour when not a terminal");
    assert!(text.contains("info[SL101 build-toolchain-in-final-stage]: `build-essential`"), "{text}");
    assert!(
        text.contains(
            " --> examples/flask/Dockerfile:4:1\n  |\n4 | RUN apt update && apt install -y build-essential\n  | ^^^^"
        ),
        "{text}"
    );
    assert!(text.contains("  = fix: install it in a `build` stage"));
}

#[test]
fn sarif_and_github_formats() {
    let out = shiplight(&["lint", "--format", "sarif", "examples/flask/Dockerfile"], &root());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert!(v["runs"][0]["results"].as_array().unwrap().iter().any(|r| r["ruleId"] == "SL101" && r["level"] == "note"));
    let out = shiplight(&["lint", "--format", "github", "examples/flask/Dockerfile"], &root());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().any(|l| l.starts_with("::notice file=examples/flask/Dockerfile,line=4,endLine=4,col=1,title=SL101 build-toolchain-in-final-stage::")), "{text}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn usage_errors_exit_2() {
    // each says what is wrong, on stderr, and prints no report
    for (args, says) in [
        (&["lint"][..], "the following required arguments were not provided:\n  <PATHS>..."),
        (&["lint", "--format", "xml", "x"][..], "invalid value 'xml' for '--format <FORMAT>'"),
    ] {
        let out = shiplight(args, &root());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    let out = shiplight(&["lint", "--config", "nope.yml", "examples/flask/Dockerfile"], &root());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read nope.yml"));
}

#[test]
fn bad_input_is_one_clear_error_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let big_run = format!("FROM alpine:3.20\nRUN true \\\n{}  && true\n", "  && echo x \\\n".repeat(10_000));
    let huge = format!("FROM alpine:3.20\nUSER 1\n{}", "LABEL a=b\n".repeat(1_000_000));
    let cases: Vec<(&str, Vec<u8>, Option<u64>)> = vec![
        ("empty", vec![], Some(1)),
        ("comments", b"# nothing here\n# at all\n".to_vec(), Some(1)),
        ("no-from", b"RUN echo hi\n".to_vec(), Some(1)),
        ("garbage", (0u8..=255).cycle().take(4096).collect(), None),
        ("latin1", b"FROM alpine:3.20\nLABEL author=\"Jos\xe9\"\n".to_vec(), Some(2)),
        ("heredoc", b"FROM alpine:3.20\nRUN <<EOF\necho never closed\n".to_vec(), None),
        ("unknown", b"FROM alpine:3.20\nFROBNICATE now\n".to_vec(), Some(2)),
    ];
    let mut paths = Vec::new();
    for (name, bytes, _) in &cases {
        let p = dir.path().join(format!("{name}.Dockerfile"));
        std::fs::write(&p, bytes).unwrap();
        paths.push(p.display().to_string());
    }
    for (name, text) in [("bigrun", &big_run), ("huge", &huge)] {
        let p = dir.path().join(format!("{name}.Dockerfile"));
        std::fs::write(&p, text).unwrap();
        paths.push(p.display().to_string());
    }
    paths.push(dir.path().join("missing.Dockerfile").display().to_string());
    let args: Vec<&str> = paths.iter().map(String::as_str).collect();
    let (f, code, _) = json(&args, dir.path());
    assert_eq!(code, 1);
    for (name, _, line) in &cases {
        let mine: Vec<&Value> =
            f.iter().filter(|x| x["file"].as_str().unwrap().ends_with(&format!("/{name}.Dockerfile"))).collect();
        assert_eq!(mine.len(), 1, "{name}: {mine:#?}");
        assert_eq!(mine[0]["code"], "SL001", "{name}");
        assert!(!mine[0]["message"].as_str().unwrap().is_empty());
        if let Some(l) = line {
            assert_eq!(mine[0]["line"], *l, "{name}: {}", mine[0]);
        }
    }
    let latin1 = f.iter().find(|x| x["file"].as_str().unwrap().ends_with("latin1.Dockerfile")).unwrap();
    assert!(latin1["message"].as_str().unwrap().contains("UTF-8"));
    let missing = f.iter().find(|x| x["file"].as_str().unwrap().ends_with("missing.Dockerfile")).unwrap();
    assert!(missing["message"].as_str().unwrap().contains("cannot read"));
    // the large files parse and lint without an SL001
    for name in ["bigrun", "huge"] {
        assert!(
            !f.iter()
                .any(|x| x["file"].as_str().unwrap().ends_with(&format!("/{name}.Dockerfile")) && x["code"] == "SL001"),
            "{name}"
        );
    }
}

#[test]
fn configuration_files_are_found_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), std::fs::read(root().join("examples/flask/Dockerfile")).unwrap())
        .unwrap();
    std::fs::write(
        dir.path().join(".shiplight.yml"),
        "failure-threshold: error\nignored: [DL3027, SL999]\ncolour: true\n",
    )
    .unwrap();
    let (f, code, stderr) = json(&["Dockerfile"], dir.path());
    assert_eq!(code, 0, "warnings do not reach `error`");
    assert!(!f.iter().any(|x| x["code"] == "SL301"), "DL3027 is ignored by its hadolint code");
    assert!(stderr.contains(".shiplight.yml: unknown key `colour`"), "{stderr}");
    assert!(stderr.contains("`SL999` is not a shiplight rule"), "{stderr}");

    // a hadolint user's configuration works as is
    let h = tempfile::tempdir().unwrap();
    std::fs::write(h.path().join("Dockerfile"), std::fs::read(root().join("examples/flask/Dockerfile")).unwrap())
        .unwrap();
    std::fs::write(h.path().join(".hadolint.yaml"), "ignored: [DL3009]\noverride:\n  error: [DL3027]\n").unwrap();
    let (f, _, _) = json(&["Dockerfile"], h.path());
    let apt = f.iter().find(|x| x["code"] == "SL301").unwrap();
    assert_eq!(apt["severity"], "error");
    let caches: Vec<&Value> = f.iter().filter(|x| x["code"] == "SL106").collect();
    assert_eq!(caches.len(), 1, "DL3009 silences the apt lists only, not pip's cache");
}

#[test]
fn target_selects_what_ships() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), "FROM debian:12 AS dev\nRUN apt-get update && apt-get install -y --no-install-recommends gcc\nCOPY . /src\nCMD [\"/src/app\"]\nFROM debian:12-slim AS prod\nUSER 1\n").unwrap();
    let (f, _, _) = json(&["Dockerfile"], dir.path());
    assert!(!has(&f, "SL101", 2));
    let (f, _, _) = json(&["--target", "dev", "Dockerfile"], dir.path());
    assert!(has(&f, "SL101", 2), "{f:#?}");
    let (f, _, _) = json(&["--target", "nope", "Dockerfile"], dir.path());
    assert_eq!(f[0]["code"], "SL001");
    assert!(f[0]["message"].as_str().unwrap().contains("dev, prod"));
}

#[test]
fn rules_doc_is_generated_from_the_table() {
    let out = shiplight(&["rules", "--markdown"], &root());
    let generated = String::from_utf8(out.stdout).unwrap();
    let committed = std::fs::read_to_string(root().join("docs/rules.md")).unwrap_or_default();
    assert!(generated == committed, "docs/rules.md is stale: run `cargo run -- rules --markdown > docs/rules.md`");
    let out = shiplight(&["rules", "DL3009"], &root());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("SL106 cache-left-in-final-stage"));
    let out = shiplight(&["rules", "nope"], &root());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no rule `nope`: give a code (SL101)"));
}

/// A compose file above the Dockerfile says which stage ships (`build.target`): the last
/// stage, a `dev-envs` stage with a compiler, is then not what ships, and the note says why.
/// `--target` still wins over it.
#[test]
fn a_compose_file_above_the_dockerfile_decides_which_stage_ships() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::create_dir(dir.path().join("app")).unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  web:\n    build:\n      context: app\n      target: builder\n  db:\n    image: postgres\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("app/Dockerfile"),
        "FROM python:3.12-slim AS builder\nCOPY . /app\nCMD [\"python\", \"/app/app.py\"]\n\nFROM builder AS dev-envs\nRUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*\n",
    )
    .unwrap();
    let (f, _, stderr) = json(&["app/Dockerfile"], dir.path());
    assert!(!f.iter().any(|x| x["code"] == "SL101"), "the dev stage does not ship: {f:#?}");
    assert!(stderr.contains("app/Dockerfile: ships: service `web` builds and runs it (compose.yaml:2)"), "{stderr}");
    let (f, _, stderr) = json(&["--target", "dev-envs", "app/Dockerfile"], dir.path());
    assert!(has(&f, "SL101", 6), "{f:#?}");
    assert!(stderr.contains("(from --target)"), "{stderr}");
}

/// A compose service that bind-mounts its build context runs the host's sources over the
/// image: a development environment (awesome-compose's react, vue and angular samples). When
/// only such services build a Dockerfile, nothing of it ships: the rules about what ships
/// (dev dependencies, heavy base, root) stay silent and the note says why.
#[test]
fn a_stage_only_development_services_build_does_not_ship() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::create_dir(dir.path().join("web")).unwrap();
    let compose = "services:\n  web:\n    build:\n      context: web\n      target: development\n    volumes:\n      - ./web:/usr/src/app\n      - /usr/src/app/node_modules\n";
    std::fs::write(dir.path().join("compose.yaml"), compose).unwrap();
    std::fs::write(
        dir.path().join("web/Dockerfile"),
        "FROM node:lts AS development\nWORKDIR /usr/src/app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCMD [\"npm\", \"start\"]\n\nFROM development AS dev-envs\nRUN apt-get update && apt-get install -y git\n",
    )
    .unwrap();
    let (f, _, stderr) = json(&["web/Dockerfile"], dir.path());
    for code in ["SL104", "SL103", "SL107", "SL101", "SL302"] {
        assert!(!f.iter().any(|x| x["code"] == code), "{code} on a development-only file: {f:#?}");
    }
    assert!(
        stderr.contains(
            "web/Dockerfile: development: service `web` mounts its sources (`./web:/usr/src/app`) (compose.yaml:2)"
        ),
        "{stderr}"
    );
    // without the mount the same service ships its target
    std::fs::write(dir.path().join("compose.yaml"), compose.split("    volumes").next().unwrap()).unwrap();
    let (f, _, _) = json(&["web/Dockerfile"], dir.path());
    assert!(has(&f, "SL104", 4), "{f:#?}");
}

/// Large generated files (the stage-graph scaling issue): a 5,000-stage chain, a
/// 3,000-stage fan and a seeded mix of references of every kind lint to the findings a
/// reader expects, without a panic. Speed is measured by bench/stages.sh, not here.
#[test]
fn large_generated_stage_graphs_lint_to_the_expected_findings() {
    use shiplight::lint::{lint_text, LintConfig};
    let cfg = LintConfig::default();
    let codes = |text: &str, code: &str| lint_text(text, "big", &cfg).into_iter().filter(|f| f.code == code).count();

    let mut chain = String::from("FROM alpine:3.20 AS s0\nCMD [\"top\"]\n");
    for i in 1..5000 {
        chain.push_str(&format!("FROM s{} AS s{i}\nRUN echo {i}\n", i - 1));
    }
    assert_eq!(codes(&chain, "SL105"), 0, "every stage of a chain is built into the last");
    assert_eq!(codes(&chain, "SL107"), 1, "one final stage, one root finding");
    assert_eq!(codes(&chain, "SL314"), 0, "no two RUNs follow each other in one stage");

    let mut fan = String::new();
    for i in 0..3000 {
        fan.push_str(&format!("FROM alpine:3.20 AS s{i}\nRUN echo {i} > /f{i}\n"));
    }
    fan.push_str("FROM alpine:3.20\n");
    for i in (0..3000).step_by(2) {
        fan.push_str(&format!("COPY --from=s{i} /f{i} /f{i}\n"));
    }
    // the odd stages are a menu of unreferenced named leaves: possible targets, not dead
    assert_eq!(codes(&fan, "SL105"), 0);

    // a seeded mix: forward references, reused names, unknown names
    let mut seed: u64 = 0x5eed;
    let mut rnd = |m: usize| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) as usize % m
    };
    let mut mix = String::new();
    let (mut later, mut unknown, mut dup) = (0, 0, 0);
    for i in 0..2000 {
        let name = if i > 0 && rnd(50) == 0 {
            dup += 1;
            format!("s{}", i - 1)
        } else {
            format!("s{i}")
        };
        mix.push_str(&format!(
            "FROM {} AS {name}\n",
            if i > 0 && rnd(2) == 0 { format!("s{}", rnd(i)) } else { "alpine:3".into() }
        ));
        match rnd(40) {
            0 => {
                later += 1;
                mix.push_str(&format!("COPY --from=s{} /a /a\n", i + 5));
            }
            1 => {
                unknown += 1;
                mix.push_str("COPY --from=nosuchstage /a /a\n");
            }
            _ => mix.push_str(&format!("COPY --from=s{} /a /a\n", rnd(i + 1))),
        }
    }
    let found = lint_text(&mix, "big", &cfg);
    let sl201 = found.iter().filter(|f| f.code == "SL201").count();
    assert!(
        sl201 >= later + unknown - 2 && sl201 <= later + unknown + dup,
        "{sl201} SL201 for {later} forward and {unknown} unknown references"
    );
    assert_eq!(found.iter().filter(|f| f.code == "SL203").count(), dup, "each reused name is reported once");
}

/// `shiplight rules CODE` says how far to trust the rule: its measured precision and sample
/// size on the public corpus, from the committed labels (docs/precision.tsv).
#[test]
fn rules_show_their_measured_precision() {
    let out = shiplight(&["rules", "SL101"], &root());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    let line = text.lines().find(|l| l.starts_with("Measured precision")).unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("tuning") && line.contains("labelled findings right"), "{line}");
}

/// `--fix` writes the proved fixes and nothing else; without it no file is touched. JSON
/// carries each fix as edits, SARIF as `fixes` with replacements, and what `--fix` leaves is
/// what is reported.
#[test]
fn fix_applies_proved_fixes_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let file = dir.path().join("Dockerfile");
    let text = "FROM python:3.12-slim as app\r\nUSER 0:0\r\nRUN apt update && apt install curl\r\nRUN pip install flask\r\nCMD python app.py\r\n";
    std::fs::write(&file, text).unwrap();

    let (f, code, _) = json(&["Dockerfile"], dir.path());
    assert_eq!(code, 1);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text, "linting never writes");
    let pip = f.iter().find(|x| x["code"] == "SL106" && x["line"] == 4).expect("the pip cache finding");
    assert_eq!(
        pip["edits"],
        serde_json::json!([{"start": 91, "end": 91, "start_line": 4, "start_column": 16, "end_line": 4,
            "end_column": 16, "content": " --no-cache-dir"}]),
        "{pip}"
    );
    let sarif = shiplight(&["lint", "--format", "sarif", "Dockerfile"], dir.path());
    let sarif: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let fixed = results.iter().find(|r| r["ruleId"] == "SL206").unwrap();
    let change = &fixed["fixes"][0]["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "Dockerfile");
    assert_eq!(change["replacements"][0]["deletedRegion"]["startColumn"], 23);
    assert_eq!(change["replacements"][0]["insertedContent"]["text"], "AS");
    assert!(results.iter().any(|r| r["ruleId"] == "SL314" && r.get("fixes").is_none()), "no fix for consecutive RUNs");

    let out = shiplight(&["lint", "--fix", "Dockerfile"], dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "FROM python:3.12-slim AS app\r\nUSER 0:0\r\nRUN apt-get update && apt-get install --no-install-recommends -y curl && rm -rf /var/lib/apt/lists/*\r\nRUN pip install --no-cache-dir flask\r\nCMD [\"python\", \"app.py\"]\r\n",
        "{stdout}{stderr}"
    );
    assert!(stdout.contains("fixed 7 finding(s)"), "{stdout}");
    // what is left has no fix to apply; a second run changes nothing
    let (left, _, _) = json(&["Dockerfile"], dir.path());
    assert!(left.iter().all(|x| x.get("edits").is_none()), "{left:#?}");
    assert!(left.iter().any(|x| x["code"] == "SL314"), "consecutive RUNs have no mechanical fix: {left:#?}");
    let again = std::fs::read_to_string(&file).unwrap();
    shiplight(&["lint", "--fix", "Dockerfile"], dir.path());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), again);
}

/// `COPY rootfs/ /` (jitsi's images): linting a checkout reads what the folder holds, so a
/// path it does not hold is not reported as the COPY's (SL109); `Dockerfile-<variant>` files
/// are found by a directory walk too.
#[test]
fn a_copied_folder_is_read_in_the_checkout() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let web = dir.path().join("web");
    std::fs::create_dir_all(web.join("rootfs/etc/cont-init.d")).unwrap();
    std::fs::write(web.join("rootfs/etc/cont-init.d/10-config"), "#!/bin/sh\n").unwrap();
    let text =
        "FROM debian:12\nCOPY rootfs/ /\nRUN chmod -R 755 /etc/cont-init.d\nRUN rm -rf /usr/share/nginx/html/*\n";
    std::fs::write(web.join("Dockerfile-web"), text).unwrap();
    let (f, _, _) = json(&["web"], dir.path());
    let sl109: Vec<u64> = f.iter().filter(|x| x["code"] == "SL109").map(|x| x["line"].as_u64().unwrap()).collect();
    assert_eq!(sl109, [3], "{f:#?}");
    assert!(f.iter().all(|x| x["file"] == "web/Dockerfile-web"), "{f:#?}");
    // read from stdin, the context is unknown: the folder may hold anything
    let mut child = Command::new(env!("CARGO_BIN_EXE_shiplight"))
        .args(["lint", "--format", "json", "-"])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let f: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let sl109: Vec<u64> = f.iter().filter(|x| x["code"] == "SL109").map(|x| x["line"].as_u64().unwrap()).collect();
    assert_eq!(sl109, [3, 4]);
}

/// Round 2's held-out SL105 false alarms (diun's `vendor/github.com/crazy-max/gohealthchecks`):
/// a vendored module's Dockerfile, whose own bake file builds `test-coverage`, is another
/// repository's file, so its stages are not called dead; the same file outside `vendor/`,
/// built as a plain `docker build`, is.
#[test]
fn a_vendored_files_stages_are_its_own_repositorys_business() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    let text = "FROM golang:1.22 AS base\nFROM base AS test\nRUN go test ./...\nFROM scratch AS test-coverage\nCOPY --from=test /cover.out /\nFROM base AS release\nRUN go build -o /m .\n";
    for folder in ["vendor/github.com/o/m", "tools/m"] {
        std::fs::create_dir_all(dir.path().join(folder)).unwrap();
        std::fs::write(dir.path().join(folder).join("Dockerfile"), text).unwrap();
    }
    // each file named as a user names it (a folder's scan passes over `vendor/` already)
    let dead = |folder: &str| -> Vec<u64> {
        let (f, _, _) = json(&[&format!("{folder}/Dockerfile")], dir.path());
        f.iter().filter(|x| x["code"] == "SL105").map(|x| x["line"].as_u64().unwrap()).collect()
    };
    assert_eq!(dead("vendor/github.com/o/m"), Vec::<u64>::new());
    assert_eq!(dead("tools/m"), [2, 4]);
}

/// docuseal's shape (round 55, held out): `COPY ./Gemfile ./Gemfile.lock ./` brings two files
/// the checkout shows, not folders that may hold anything, so a later `rm` of another path in
/// that folder is not theirs (SL109); `rm -rf ~/.bundle` is under the home folder, not the
/// working folder. Removing a file the COPY did bring is still reported.
#[test]
fn a_copied_file_brings_only_itself() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join("Gemfile"), "source \"https://rubygems.org\"\n").unwrap();
    std::fs::write(dir.path().join("Gemfile.lock"), "").unwrap();
    let text = "FROM ruby:3.3-alpine\nWORKDIR /app\nCOPY ./Gemfile ./Gemfile.lock ./\nRUN bundle install && rm -rf ~/.bundle\nRUN rm -rf /app/tmp/cache\nRUN rm -f /app/Gemfile.lock\n";
    std::fs::write(dir.path().join("Dockerfile"), text).unwrap();
    let (f, _, _) = json(&["Dockerfile"], dir.path());
    let sl109: Vec<u64> = f.iter().filter(|x| x["code"] == "SL109").map(|x| x["line"].as_u64().unwrap()).collect();
    assert_eq!(sl109, [6], "{f:#?}");
}

/// Tautulli's shape (round 36, held out): the image starts with `./start.sh` from its build
/// context, which ends `exec gosu tautulli …` on a base that brings gosu. The container's
/// program runs as `tautulli`, so SL107 is silent; the same script without the switch is
/// asked for a USER.
#[test]
fn a_start_script_that_drops_root_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let file = "FROM ghcr.io/example/baseimage:python3\nWORKDIR /app\nCOPY . /app\nCMD [\"python\", \"app.py\"]\nENTRYPOINT [\"./start.sh\"]\n";
    std::fs::write(dir.path().join("Dockerfile"), file).unwrap();
    let script = "#!/bin/sh\nchown -R tautulli:tautulli /config\nexec gosu tautulli \"$@\"\n";
    std::fs::write(dir.path().join("start.sh"), script).unwrap();
    let (f, _, _) = json(&["Dockerfile"], dir.path());
    assert!(!f.iter().any(|x| x["code"] == "SL107"), "{f:#?}");
    // the program itself runs as root: no switch, or one only on the way (a helper run as
    // postgres, an idle `su` before the program's `exec`)
    for other in [
        script.replace("exec gosu tautulli ", "exec "),
        script.replace("exec gosu tautulli \"$@\"", "sudo -u postgres psql -c 'select 1'\nexec apache2-foreground"),
        script.replace("exec gosu tautulli \"$@\"", "su tautulli -s /bin/bash\nexec gunicorn app:app"),
    ] {
        std::fs::write(dir.path().join("start.sh"), &other).unwrap();
        let (f, _, _) = json(&["Dockerfile"], dir.path());
        assert!(f.iter().any(|x| x["code"] == "SL107"), "{other}: {f:#?}");
    }
}

/// llama-cpp-python's simple image (round 53, held out): its CMD runs `run.sh` from the build
/// context, which starts with `make build` (the project's `pip install -e .`, compiling
/// llama.cpp) every time the container starts. The toolchain is used at run time, so SL101
/// is silent; the same script without the build is told its toolchain ships.
#[test]
fn a_start_script_that_builds_uses_the_toolchain_at_run_time() {
    let dir = tempfile::tempdir().unwrap();
    let file = "FROM python:3-slim-bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends build-essential ninja-build && rm -rf /var/lib/apt/lists/*\nWORKDIR /app\nCOPY . .\nCMD [\"/bin/sh\", \"/app/docker/simple/run.sh\"]\n";
    std::fs::write(dir.path().join("Dockerfile"), file).unwrap();
    std::fs::create_dir_all(dir.path().join("docker/simple")).unwrap();
    let script =
        "#!/bin/bash\nmake build\nuvicorn --factory llama_cpp.server.app:create_app --host $HOST --port $PORT\n";
    std::fs::write(dir.path().join("docker/simple/run.sh"), script).unwrap();
    let sl101 = |f: &[Value]| f.iter().any(|x| x["code"] == "SL101");
    let (f, _, _) = json(&["Dockerfile"], dir.path());
    assert!(!sl101(&f), "{f:#?}");
    std::fs::write(dir.path().join("docker/simple/run.sh"), script.replace("make build\n", "")).unwrap();
    let (f, _, _) = json(&["Dockerfile"], dir.path());
    assert!(sl101(&f), "{f:#?}");
}

/// NodeODM's GPU variant (round 44, held out): built FROM the repository's own image, which
/// copied the whole context to /var/www, it starts with `/var/www/run_gpu_intel.sh` as root
/// and that script ends `su - odm -c "… node index.js"`. The script is read by its name from
/// the build context; one that does not step down, or none there, is asked for a USER.
#[test]
fn a_start_script_the_base_image_copied_is_read_by_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let file = "FROM example/nodeodm:gpu\nUSER root\nRUN usermod -aG video odm\nWORKDIR /var/www\nENTRYPOINT [\"/var/www/run_gpu_intel.sh\"]\n";
    std::fs::write(dir.path().join("Dockerfile"), file).unwrap();
    let script = "#!/usr/bin/env bash\ngroupadd -g \"$RENDER_GROUP_ID\" render\nsu - odm -c \"cd /var/www; /usr/bin/node /var/www/index.js $@\"\n";
    std::fs::write(dir.path().join("run_gpu_intel.sh"), script).unwrap();
    let sl107 = |f: &[Value]| f.iter().any(|x| x["code"] == "SL107");
    let (f, _, _) = json(&["Dockerfile"], dir.path());
    assert!(!sl107(&f), "{f:#?}");
    std::fs::write(dir.path().join("run_gpu_intel.sh"), script.replace("su - odm -c", "bash -c")).unwrap();
    let (f, _, _) = json(&["Dockerfile"], dir.path());
    assert!(sl107(&f), "{f:#?}");
    std::fs::remove_file(dir.path().join("run_gpu_intel.sh")).unwrap();
    let (f, _, _) = json(&["Dockerfile"], dir.path());
    assert!(sl107(&f), "{f:#?}");
}

/// docker-mailman's and linkding's shape (labelled false in tuning): the entrypoint, copied onto
/// the PATH and named bare, does its set-up as root and ends `exec "$@"`; the CMD runs uWSGI
/// with an ini file that sets `uid = mailman`, so the server steps down. The same with the
/// uid on the command line; an ini file without one, or a uid of root, is asked for a USER.
#[test]
fn uwsgi_told_to_step_down_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let file = "FROM python:3.12-slim\nCOPY mailman-web /opt/mailman-web\nCOPY docker-entrypoint.sh /usr/local/bin/\nWORKDIR /opt/mailman-web\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [\"uwsgi\", \"--ini\", \"/opt/mailman-web/uwsgi.ini\"]\n";
    std::fs::write(dir.path().join("Dockerfile"), file).unwrap();
    std::fs::write(dir.path().join("docker-entrypoint.sh"), "#!/bin/bash\nchown -R mailman /data\nexec \"$@\"\n")
        .unwrap();
    std::fs::create_dir(dir.path().join("mailman-web")).unwrap();
    let ini = "[uwsgi]\nhttp-socket = 0.0.0.0:8000\nuid = mailman\ngid = mailman\n";
    std::fs::write(dir.path().join("mailman-web/uwsgi.ini"), ini).unwrap();
    let sl107 = |f: &[Value]| f.iter().any(|x| x["code"] == "SL107");
    let (f, _, _) = json(&["Dockerfile"], dir.path());
    assert!(!sl107(&f), "{f:#?}");
    for (text, silent) in
        [(ini.replace("uid = mailman", "uid = root"), false), (ini.replace("uid = mailman\n", ""), false)]
    {
        std::fs::write(dir.path().join("mailman-web/uwsgi.ini"), text).unwrap();
        let (f, _, _) = json(&["Dockerfile"], dir.path());
        assert_eq!(!sl107(&f), silent, "{f:#?}");
    }
    let flag =
        file.replace("\"--ini\", \"/opt/mailman-web/uwsgi.ini\"", "\"--uid\", \"mailman\", \"--http\", \":8000\"");
    std::fs::write(dir.path().join("Dockerfile"), flag).unwrap();
    let (f, _, _) = json(&["Dockerfile"], dir.path());
    assert!(!sl107(&f), "{f:#?}");
}

/// photoprism's shape: a RUN fetches the apt lists and ends by running a script a COPY brought
/// from the build context (`COPY /scripts/dist/ /scripts/`, the source's leading `/` the
/// context's root), which removes them. The script is read; without it, the lists stay.
#[test]
fn a_run_script_that_removes_the_apt_lists_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let file = "FROM debian:12\nCOPY /scripts/dist/ /scripts/\nRUN apt-get update && apt-get install -y --no-install-recommends curl && /scripts/cleanup.sh\nUSER nobody\nCMD [\"curl\"]\n";
    std::fs::write(dir.path().join("Dockerfile"), file).unwrap();
    std::fs::create_dir_all(dir.path().join("scripts/dist")).unwrap();
    let cleanup = "#!/bin/bash\nset -o errexit\napt-get -y autoclean\nrm -rf /var/lib/apt/lists/*\n";
    std::fs::write(dir.path().join("scripts/dist/cleanup.sh"), cleanup).unwrap();
    let lists = |f: &[serde_json::Value]| {
        f.iter().any(|x| x["code"] == "SL106" && x["message"].as_str().unwrap_or("").contains("/var/lib/apt/lists"))
    };
    let (f, _, _) = json(&["Dockerfile"], dir.path());
    assert!(!lists(&f), "{f:#?}");
    // a script that leaves them, or none in the context: reported
    std::fs::write(dir.path().join("scripts/dist/cleanup.sh"), "#!/bin/bash\napt-get -y autoclean\n").unwrap();
    let (f, _, _) = json(&["Dockerfile"], dir.path());
    assert!(lists(&f), "{f:#?}");
    std::fs::remove_dir_all(dir.path().join("scripts")).unwrap();
    let (f, _, _) = json(&["Dockerfile"], dir.path());
    assert!(lists(&f), "{f:#?}");
}
