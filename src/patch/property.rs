//! A property sweep over generated RUNs (tests only): quoting, continuations with comments,
//! heredocs, `&&` inside strings and commands whose words hold other commands' names. Every
//! edit a rewriter or a lint fix makes must land on a word boundary of the file, and every
//! file edited, and every patch, must parse.

use super::{edits, suggest, testing::picker, Outcome, Templates};
use crate::dockerfile::edit::{apply, Edit};
use crate::dockerfile::{shell, Dockerfile, Kind};
use crate::lint::{lint_text, LintConfig};

/// Commands whose words mislead a text search: `make` in a path, `install` in a string,
/// `&&` inside quotes, a `gcc` in a package name.
const COMMANDS: &[&str] = &[
    "apt-get update",
    "apt-get install -y build-essential libpq-dev",
    "apt-get install -y gcc-12 make-guile",
    "pip install 'flask>=2' \"gunicorn==21.*\"",
    "pip3 install -r requirements.txt",
    "python -m pip install six",
    "echo \"make && gcc -o x install\" > /etc/make.notes",
    "printf '%s\\n' 'pip install && make' >> /tmp/notes",
    "cd /src/make-4.3",
    "./configure --prefix=/usr",
    "make -j\"$(nproc)\"",
    "make install",
    "ninja -C build install",
    "go build -o /out/app ./cmd/make-install",
    "CGO_ENABLED=1 go build -o /out/cgo .",
    "cargo build --release",
    "npm ci",
    "git clone https://github.com/x/gcc-tools /src/gcc-tools",
    "cp /src/app/build/app /usr/local/bin/app",
    "rm -rf /var/lib/apt/lists/*",
    "useradd -r app",
];

/// How commands are joined in a RUN: the continuation forms Docker accepts.
const JOINS: &[&str] = &[" && ", " && \\\n    ", "; ", " \\\n    # a comment between\n    && ", " \\\n\n    && "];

const BASES: &[&str] = &[
    "python:3.9",
    "golang:1.22",
    "node:20",
    "gcc:12",
    "debian:bookworm",
    "ubuntu:22.04",
    "eclipse-temurin:17",
    "rust:1.80",
    "alpine:3.20",
];

fn is_word(c: Option<char>) -> bool {
    c.is_some_and(|c| !c.is_whitespace() && !";&|()<>".contains(c))
}

/// Whether `at` is between two words (or at a word's edge), not inside one.
fn boundary(text: &str, at: usize) -> bool {
    let before = text[..at].chars().next_back();
    let after = text[at..].chars().next();
    !(is_word(before) && is_word(after))
}

fn check_edits(text: &str, edits: &[Edit], what: &str) {
    for e in edits {
        assert!(
            boundary(text, e.range.start) && boundary(text, e.range.end),
            "{what}: the edit {:?} → {:?} cuts a word:\n{text}",
            &text[e.range.clone()],
            e.content
        );
    }
    if let Ok(edited) = apply(text, edits) {
        assert!(Dockerfile::parse(&edited).is_ok(), "{what}: the edited file does not parse:\n{edited}");
    }
}

fn generate(pick: &mut impl FnMut(usize) -> usize) -> String {
    let mut lines = Vec::new();
    if pick(6) == 0 {
        lines.push("# syntax=docker/dockerfile:1".to_owned());
    }
    lines.push(format!("FROM {}", BASES[pick(BASES.len())]));
    if pick(2) == 0 {
        lines.push("WORKDIR /src/app".into());
        lines.push("COPY . .".into());
    }
    for _ in 0..1 + pick(3) {
        let n = 1 + pick(4);
        let commands: Vec<&str> = (0..n).map(|_| COMMANDS[pick(COMMANDS.len())]).collect();
        if pick(5) == 0 {
            lines.push(format!("RUN <<EOF\nset -e\n{}\nEOF", commands.join("\n")));
        } else {
            let mut run = format!("RUN {}", commands[0]);
            for c in &commands[1..] {
                run.push_str(JOINS[pick(JOINS.len())]);
                run.push_str(c);
            }
            lines.push(run);
        }
    }
    lines.push("CMD [\"/usr/local/bin/app\"]".into());
    lines.join("\n") + "\n"
}

#[test]
fn every_edit_lands_on_a_word_boundary_and_every_patch_parses() {
    let templates = Templates::built_in();
    let mut pick = picker(0x23_5eed);
    let (mut edited, mut patched, mut fixes) = (0, 0, 0);
    for round in 0..300 {
        let text = generate(&mut pick);
        let df = Dockerfile::parse(&text).unwrap_or_else(|e| panic!("round {round}: generated file: {e:?}\n{text}"));
        // the rewriters' edits, each on every RUN
        for ins in df.stages.iter().flat_map(|s| &s.instructions).filter(|i| i.kind == Kind::Run) {
            let script = shell::parse(&ins.script().unwrap_or_default());
            let sets: Vec<(&str, Vec<Edit>)> = vec![
                ("pip_no_cache", edits::pip_no_cache(ins, &script)),
                ("cgo_off", edits::cgo_off(ins, &script)),
                ("staged_install", edits::staged_install(ins, &script, "/opt/root").unwrap_or_default()),
                ("into_venv", edits::into_venv(ins, &script, true).unwrap_or_default()),
                ("clean_apt_lists", edits::clean_apt_lists(ins, &script).into_iter().collect()),
                ("append_command", edits::append_command(ins, &script, "true").into_iter().collect()),
            ];
            for (what, set) in sets {
                if !set.is_empty() {
                    edited += 1;
                    check_edits(&text, &set, &format!("round {round} {what}"));
                }
            }
        }
        // the lint fixes, as `lint --fix` applies them
        for f in lint_text(&text, "D", &LintConfig::default()) {
            if f.edits.is_empty() {
                continue;
            }
            fixes += 1;
            let set: Vec<Edit> = f.edits.iter().map(|e| Edit::replace(e.start..e.end, e.content.clone())).collect();
            check_edits(&text, &set, &format!("round {round} {}", f.code));
        }
        // every rewriter, through suggest: a patch parses and applies to its input; a refusal
        // names the line it is about
        let outcome = suggest(&text, "Dockerfile", &Default::default(), &templates);
        if let Outcome::Refused(why) = &outcome {
            let whole_file = matches!(why.reason, super::Reason::UnsupportedEcosystem);
            assert!(
                whole_file || why.message.contains("line "),
                "round {round}: a refusal without its line: {why:?}\n{text}"
            );
        }
        if let Outcome::Patch(p) = outcome {
            patched += 1;
            assert!(Dockerfile::parse(&p.patched).is_ok(), "round {round}: the patch does not parse:\n{}", p.patched);
            assert_eq!(
                super::diff::apply(&text, &p.diff).as_deref(),
                Some(p.patched.as_str()),
                "round {round}: the diff does not apply"
            );
        }
    }
    // the sweep exercised what it claims to, and the check sees a cut word
    eprintln!("edit sets {edited}, lint fixes {fixes}, patches {patched}");
    assert!(edited > 200 && patched > 30 && fixes > 50, "edits {edited}, patches {patched}, fixes {fixes}");
    assert!(boundary("make install", 4) && boundary("make install", 5) && !boundary("make-install", 6));
}
