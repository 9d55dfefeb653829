//! Docs that cannot drift from the code: every source file opens with its module doc, and
//! every `--flag` the docs name (README.md, docs/*.md, the module docs of src/) is one the
//! CLI has, for the subcommand it is written after. The CLI's flags are read from the built
//! binary's own `--help`, so a renamed or removed flag fails here, not in a user's terminal.
//! Every relative link of the README and docs/ leads to a file and heading that exist, and
//! the README's test command is the one CI runs. docs/action.md's inputs and outputs tables
//! are generated from action.yml (`SHIPLIGHT_WRITE_DOCS=1 cargo test --test docs action_page`).

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use support::{root, shiplight};

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .build()
        .flatten()
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_source_file_opens_with_its_module_doc() {
    let files = rust_files(&root().join("src"));
    assert!(files.len() > 50, "found only {} files under src/", files.len());
    let undocumented: Vec<String> = files
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            !(first.starts_with("//!") && first.trim_start_matches("//!").trim().len() > 10)
        })
        .map(|f| f.strip_prefix(root()).unwrap().display().to_string())
        .collect();
    assert!(
        undocumented.is_empty(),
        "these files do not open with a `//!` doc saying what they hold: {undocumented:#?}"
    );
}

/// Long flags at the start of the option lines of a `--help` text (`--name <X>` or
/// `-v, --verbose`).
fn help_flags(help: &str) -> BTreeSet<String> {
    let mut flags = BTreeSet::new();
    for line in help.lines() {
        let t = line.trim_start();
        if line.len() == t.len() {
            continue;
        }
        let t = match t.as_bytes() {
            [b'-', short, b',', ..] if *short != b'-' => t[3..].trim_start(),
            _ => t,
        };
        if let Some(rest) = t.strip_prefix("--") {
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
            if !name.is_empty() {
                flags.insert(format!("--{name}"));
            }
        }
    }
    flags
}

/// The CLI as its binary describes it: subcommand → its long flags. `""` holds the flags
/// every invocation has (`--help`, `--version`).
fn cli() -> BTreeMap<String, BTreeSet<String>> {
    let text = |args: &[&str]| {
        let out = shiplight(args, &root());
        assert_eq!(out.status.code(), Some(0), "shiplight {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let top = text(&["--help"]);
    let mut cli = BTreeMap::new();
    cli.insert(String::new(), help_flags(&top));
    let commands = top.split("Commands:").nth(1).and_then(|s| s.split("\n\n").next()).unwrap_or("");
    for line in commands.lines() {
        // a subcommand's line is indented two spaces; its description's continuations more
        if !line.starts_with("  ") || line.starts_with("   ") {
            continue;
        }
        let name = line.split_whitespace().next().unwrap_or("");
        if name.is_empty() || name == "help" {
            continue;
        }
        cli.insert(name.to_owned(), help_flags(&text(&[name, "--help"])));
    }
    cli
}

/// Commands of other tools whose flags the docs name: a flag written after one of these
/// (`docker build --target`, `RUN --mount=…`, `apt-get install --no-install-recommends`) is
/// that tool's, not ours.
const OTHER_COMMANDS: &[&str] = &[
    "act",
    "add",
    "apk",
    "apt",
    "apt-get",
    "buildx",
    "bundle",
    "cargo",
    "composer",
    "configure",
    "copy",
    "curl",
    "dive",
    "docker",
    "dockerd",
    "dnf",
    "dpkg",
    "dpkg-query",
    "from",
    "gcc",
    "gem",
    "gh",
    "git",
    "go",
    "gpg",
    "gradle",
    "hadolint",
    "make",
    "microdnf",
    "mvn",
    "npm",
    "pip",
    "pip3",
    "pnpm",
    "poetry",
    "python",
    "python3",
    "rpm",
    "run",
    "rustup",
    "skopeo",
    "ssh",
    "tar",
    "uv",
    "yarn",
    "yum",
    "zizmor",
];

/// Flags the docs name on their own (in prose or a lone code span) that belong to another
/// tool, with the tool.
const OTHER_FLAGS: &[(&str, &str)] = &[
    ("--all-targets", "cargo"),
    ("--assume-yes", "apt-get"),
    ("--auto-remove", "apt-get"),
    ("--build-context", "docker buildx build"),
    ("--chmod", "COPY"),
    ("--chown", "COPY"),
    ("--conf-path", "nginx's configure"),
    ("--ci", "dive"),
    ("--destination", "kaniko's executor"),
    ("--from", "COPY"),
    ("--install-dir", "gem install"),
    ("--link", "COPY"),
    ("--load", "docker buildx build, bake"),
    ("--mount", "RUN"),
    ("--no-cache", "apk, docker build"),
    ("--no-cache-dir", "pip"),
    ("--no-install-recommends", "apt-get"),
    ("--no-network", "apk add"),
    ("--no-push", "kaniko's executor"),
    ("--omit", "npm"),
    ("--output", "docker buildx build"),
    ("--parents", "COPY"),
    ("--pid-path", "nginx's configure"),
    ("--prefix", "configure, npm, pip install"),
    ("--print", "docker buildx bake"),
    ("--prod", "pnpm"),
    ("--production", "npm"),
    ("--push", "docker buildx build, bake"),
    ("--raw", "skopeo inspect"),
    ("--release", "cargo build"),
    ("--root", "pip install, cargo install"),
    ("--target", "pip install"),
    ("--rule-kind", "the SARIF Multitool's validate"),
    ("--set", "docker buildx bake"),
    ("--sysconfdir", "configure"),
    ("--system-site-packages", "python -m venv"),
    ("--uid", "uwsgi"),
    ("--user", "pip install"),
    ("--virtual", "apk add"),
    ("--who-owns", "apk info"),
    ("--with-deps", "playwright install"),
    ("--yes", "apt-get"),
];

/// The pieces of a markdown text that read as commands: each inline code span, each line of
/// a fenced block (continuation lines joined), and each line of prose, with its line number.
fn command_contexts(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut fenced = false;
    let mut pending: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            let (start, mut joined) = pending.take().unwrap_or((n, String::new()));
            joined.push_str(line.trim_end_matches('\\'));
            joined.push(' ');
            if line.trim_end().ends_with('\\') {
                pending = Some((start, joined));
            } else {
                out.push((start, joined));
            }
            continue;
        }
        // odd pieces between backticks are code spans, even ones prose
        for (k, piece) in line.split('`').enumerate() {
            if k % 2 == 1 || piece.contains("--") {
                out.push((n, piece.to_owned()));
            }
        }
    }
    out
}

/// A word as a command token: without the punctuation around it, lower case.
fn token(word: &str) -> String {
    word.trim_matches(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')).to_ascii_lowercase()
}

/// Whose flag a `--flag` is, by the command it is written after.
enum Owner {
    /// `shiplight SUB` (`""`: `shiplight --version`).
    Shiplight(String),
    /// One of this repository's scripts (`scripts/example --docs`): its text must name it.
    Script(PathBuf),
    /// Another tool's.
    Other,
}

/// Check every `--flag` of one context; problems are pushed as messages.
fn check_context(place: &str, context: &str, cli: &BTreeMap<String, BTreeSet<String>>, problems: &mut Vec<String>) {
    let words: Vec<&str> = context.split_whitespace().collect();
    for (i, word) in words.iter().enumerate() {
        let Some(at) = word.find("--") else { continue };
        // `--flag`, `--flag=x`, `(--flag)`: not `a--b`, not `---`
        if at > 0 && word.as_bytes()[at - 1].is_ascii_alphanumeric() {
            continue;
        }
        let name: String = word[at + 2..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        if name.is_empty() || !name.as_bytes()[0].is_ascii_lowercase() {
            continue;
        }
        let flag = format!("--{name}");
        // the command this flag is written after: the nearest `shiplight [SUB]`, a
        // subcommand that opens the code span, or another tool's command
        let mut owner: Option<Owner> = None;
        for j in (0..i).rev() {
            let t = token(words[j]);
            let script = root().join(&t);
            if (t.starts_with("scripts/") || t.starts_with("bench/")) && script.is_file() {
                owner = Some(Owner::Script(script));
                break;
            }
            if t == "shiplight" {
                // `shiplight SUB …` or `shiplight --version`; in a sentence ("shiplight
                // builds …") it is no command
                let next = words.get(j + 1).copied().unwrap_or("");
                let sub = token(next);
                if cli.contains_key(&sub) && !sub.is_empty() {
                    owner = Some(Owner::Shiplight(sub));
                    break;
                }
                if next.starts_with('-') {
                    owner = Some(Owner::Shiplight(String::new()));
                    break;
                }
            }
            if OTHER_COMMANDS.contains(&t.as_str()) {
                owner = Some(Owner::Other);
                break;
            }
            if j == 0 && cli.contains_key(&t) && !t.is_empty() {
                owner = Some(Owner::Shiplight(t));
                break;
            }
        }
        let global = &cli[""];
        match owner {
            Some(Owner::Other) => {}
            Some(Owner::Script(path)) => {
                if !std::fs::read_to_string(&path).unwrap_or_default().contains(&flag) {
                    problems.push(format!("{place}: {} has no {flag}", path.strip_prefix(root()).unwrap().display()));
                }
            }
            Some(Owner::Shiplight(sub)) => {
                let known = cli.get(&sub).is_some_and(|f| f.contains(&flag)) || global.contains(&flag);
                if !known {
                    let shown = if sub.is_empty() { "shiplight".to_owned() } else { format!("shiplight {sub}") };
                    problems.push(format!("{place}: `{shown} {flag}`: {shown} has no {flag}"));
                }
            }
            None => {
                let ours = cli.values().any(|f| f.contains(&flag));
                if !ours && !OTHER_FLAGS.iter().any(|(f, _)| *f == flag) {
                    problems.push(format!(
                        "{place}: {flag} is no flag of shiplight's (nor of a tool tests/docs.rs knows): `{}`",
                        context.trim()
                    ));
                }
            }
        }
    }
}

#[test]
fn every_flag_the_docs_name_exists_in_the_cli() {
    let cli = cli();
    assert!(cli["compare"].contains("--base-ref") && cli["rules"].contains("--markdown"), "{cli:#?}");
    let mut problems = Vec::new();
    for page in &pages() {
        let text = std::fs::read_to_string(page).unwrap();
        let name = page.strip_prefix(root()).unwrap().display().to_string();
        for (line, context) in command_contexts(&text) {
            check_context(&format!("{name}:{line}"), &context, &cli, &mut problems);
        }
    }
    for file in rust_files(&root().join("src")) {
        let text = std::fs::read_to_string(&file).unwrap();
        // the module doc, its lines joined so a code span may wrap
        let doc: Vec<&str> = text.lines().map_while(|l| l.trim_start().strip_prefix("//!")).map(str::trim).collect();
        let name = file.strip_prefix(root()).unwrap().display().to_string();
        for (_, context) in command_contexts(&doc.join(" ")) {
            check_context(&name, &context, &cli, &mut problems);
        }
    }
    assert!(problems.is_empty(), "flags the docs name that the CLI does not have:\n{}", problems.join("\n"));
}

/// The check can fail: the flag this test was written for (`rules --format`), a flag on a
/// continuation line, a subcommand written without `shiplight`, and a script's flag; a flag
/// after another tool's command passes.
#[test]
fn the_flag_check_catches_a_flag_of_the_wrong_subcommand() {
    let cli = cli();
    let mut problems = Vec::new();
    for (line, context) in command_contexts(
        "Generated by `shiplight rules --format markdown`.\n\n```sh\nshiplight compare \\\n  --base-ref main --verify-all\n```\nRun `compare --no-such-flag`, or `docker build --target x`.\n`scripts/example --docs`, `scripts/example --nope`\n",
    ) {
        check_context(&format!("example:{line}"), &context, &cli, &mut problems);
    }
    assert_eq!(
        problems,
        [
            "example:1: `shiplight rules --format`: shiplight rules has no --format",
            "example:4: `shiplight compare --verify-all`: shiplight compare has no --verify-all",
            "example:7: `shiplight compare --no-such-flag`: shiplight compare has no --no-such-flag",
            "example:8: scripts/example has no --nope",
        ]
    );
}

/// Every refusal reason code is documented, in the words the JSON output uses.
#[test]
fn every_refusal_code_is_documented() {
    let mut text = std::fs::read_to_string(root().join("README.md")).unwrap();
    for e in std::fs::read_dir(root().join("docs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            text.push_str(&std::fs::read_to_string(p).unwrap());
        }
    }
    let missing: Vec<&str> =
        shiplight::patch::Reason::ALL.iter().map(|r| r.code()).filter(|c| !text.contains(&format!("`{c}`"))).collect();
    assert!(missing.is_empty(), "refusal codes no page documents: {missing:?}");
}

/// A table cell: one line, pipes escaped.
fn cell(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").replace('|', "\\|")
}

/// The inputs and outputs tables of docs/action.md, from `action.yml` in its order.
fn action_tables(yml: &str) -> (String, String) {
    let action: yaml_serde::Value = yaml_serde::from_str(yml).expect("action.yml is YAML");
    let section = |key: &str| {
        action[key].as_mapping().unwrap_or_else(|| panic!("action.yml has no `{key}` mapping")).iter().map(
            |(name, spec)| {
                let name = name.as_str().expect("a name");
                let description = spec["description"].as_str().unwrap_or_else(|| panic!("`{name}` has no description"));
                (name.to_owned(), spec, cell(description))
            },
        )
    };
    let mut inputs = String::from("| input | description | default | required |\n|---|---|---|---|\n");
    for (name, spec, description) in section("inputs") {
        let default = match &spec["default"] {
            yaml_serde::Value::Null => String::new(),
            yaml_serde::Value::String(s) if s.is_empty() => String::new(),
            yaml_serde::Value::String(s) => format!("`{s}`"),
            other => format!("`{}`", yaml_serde::to_string(other).unwrap().trim()),
        };
        let required = if spec["required"].as_bool() == Some(true) { "yes" } else { "no" };
        inputs.push_str(&format!("| `{name}` | {description} | {default} | {required} |\n"));
    }
    let mut outputs = String::from("| output | description |\n|---|---|\n");
    for (name, _, description) in section("outputs") {
        outputs.push_str(&format!("| `{name}` | {description} |\n"));
    }
    (inputs, outputs)
}

/// `page` with the part between `<!-- {name}:start -->` and `<!-- {name}:end -->` replaced.
fn replace_marked(page: &str, name: &str, content: &str) -> String {
    let (start, end) = (format!("<!-- {name}:start -->\n"), format!("<!-- {name}:end -->"));
    let from = page.find(&start).unwrap_or_else(|| panic!("docs/action.md lost its `{start}` marker")) + start.len();
    let to = page.find(&end).unwrap_or_else(|| panic!("docs/action.md lost its `{end}` marker"));
    format!("{}{content}{}", &page[..from], &page[to..])
}

/// docs/action.md's inputs and outputs tables are generated from action.yml, as docs/rules.md
/// is from the rule table; the prose around them is written by hand. With
/// `SHIPLIGHT_WRITE_DOCS=1` the test writes the page instead of checking it.
#[test]
fn action_page_is_generated_from_action_yml() {
    let yml = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let path = root().join("docs/action.md");
    let committed = std::fs::read_to_string(&path).unwrap();
    let (inputs, outputs) = action_tables(&yml);
    let generated =
        replace_marked(&replace_marked(&committed, "action.yml inputs", &inputs), "action.yml outputs", &outputs);
    if std::env::var_os("SHIPLIGHT_WRITE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    assert!(
        generated == committed,
        "docs/action.md is stale: run `SHIPLIGHT_WRITE_DOCS=1 cargo test --test docs action_page`"
    );
    // the generator sees every input, in action.yml's order, and keeps a `|` in a cell
    assert!(inputs.lines().nth(2).is_some_and(|l| l.starts_with("| `dockerfile` |")), "{inputs}");
    assert!(inputs.contains("| `github-token` | The token that reads the base tarball and writes the comment. | `${{ github.token }}` | no |"));
    assert!(inputs.contains("| `comment` | always \\| on-change"), "{inputs}");
    assert_eq!(outputs.lines().count(), 2 + 10, "{outputs}");
}

/// README.md and every page under docs/.
fn pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// GitHub's anchors of a page's headings: lower case, punctuation dropped, spaces as `-`,
/// repeats numbered `-1`, `-2`.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeSet::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        }
        let Some(title) =
            (!fenced).then(|| line.trim_start_matches('#')).filter(|t| t.len() < line.len() && t.starts_with(' '))
        else {
            continue;
        };
        let slug: String = title
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '-' || *c == ' ' || *c == '_')
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let n = seen.entry(slug.clone()).or_insert(0);
        out.insert(if *n == 0 { slug.clone() } else { format!("{slug}-{n}") });
        *n += 1;
    }
    out
}

/// Every relative link of the README and docs/ leads somewhere: the file exists, and a
/// `#anchor` is a heading of the page it names. Moving a section to another page cannot
/// leave a link behind.
#[test]
fn every_link_of_the_docs_leads_somewhere() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        let name = page.strip_prefix(root()).unwrap().display().to_string();
        for (n, line) in text.lines().enumerate() {
            for piece in line.split("](").skip(1) {
                let Some(target) =
                    piece.split(')').next().filter(|t| !t.is_empty() && !t.contains(char::is_whitespace))
                else {
                    continue;
                };
                if target.contains("://") || target.starts_with("mailto:") {
                    continue;
                }
                checked += 1;
                let (file, anchor) = target.split_once('#').unwrap_or((target, ""));
                let file = if file.is_empty() { page.clone() } else { page.parent().unwrap().join(file) };
                let Ok(file_text) =
                    std::fs::read_to_string(&file).or_else(|e| if file.is_dir() { Ok(String::new()) } else { Err(e) })
                else {
                    problems.push(format!("{name}:{}: `{target}`: no such file", n + 1));
                    continue;
                };
                if !anchor.is_empty() && !anchors(&file_text).contains(anchor) {
                    problems.push(format!("{name}:{}: `{target}`: no heading has the anchor #{anchor}", n + 1));
                }
            }
        }
    }
    assert!(checked > 50, "only {checked} links found");
    assert!(problems.is_empty(), "links that lead nowhere:\n{}", problems.join("\n"));
    let anchors = anchors("# A\n## Fixes: `shiplight lint --fix`\n```\n# not a heading\n```\n## A\n");
    assert_eq!(anchors.into_iter().collect::<Vec<_>>(), ["a", "a-1", "fixes-shiplight-lint---fix"]);
}

/// The README names two commands for a fresh machine; the test command is the one CI runs.
#[test]
fn the_readme_test_command_is_what_ci_runs() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let block =
        readme.split("```sh\n").nth(1).and_then(|b| b.split("```").next()).expect("the README's first sh block");
    let commands: Vec<&str> =
        block.lines().map(|l| l.split('#').next().unwrap_or("").trim()).filter(|c| !c.is_empty()).collect();
    assert_eq!(commands, ["scripts/example", "scripts/test"], "{block}");
    for c in &commands {
        assert!(root().join(c).is_file(), "{c} is no file");
    }
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    assert!(ci.lines().any(|l| l.trim() == "scripts/test"), ".ci/run does not run the README's test command:\n{ci}");
}

/// `text` with its comments, string and char literals blanked (line breaks kept), so that
/// the braces left are the code's.
fn code_only(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let blank = |out: &mut String, chars: &[char]| {
        out.extend(chars.iter().map(|&c| if c == '\n' { '\n' } else { ' ' }));
    };
    let mut i = 0;
    while i < b.len() {
        let (c, next) = (b[i], b.get(i + 1).copied());
        let mut j = i + 1;
        if c == '/' && next == Some('/') {
            while j < b.len() && b[j] != '\n' {
                j += 1;
            }
        } else if c == '/' && next == Some('*') {
            // block comments nest
            let mut depth = 0;
            j = i;
            while j < b.len() {
                if b[j] == '/' && b.get(j + 1) == Some(&'*') {
                    depth += 1;
                    j += 2;
                } else if b[j] == '*' && b.get(j + 1) == Some(&'/') {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
        } else if c == 'r'
            && matches!(next, Some('"' | '#'))
            && (i == 0 || !ident(b[i - 1]) || (b[i - 1] == 'b' && (i < 2 || !ident(b[i - 2]))))
        {
            // r"…", r#"…"#, br"…"; r#ident is an identifier
            let hashes = b[i + 1..].iter().take_while(|&&c| c == '#').count();
            if b.get(i + 1 + hashes) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j = i + 2 + hashes;
            while j < b.len() && !(b[j] == '"' && (1..=hashes).all(|k| b.get(j + k) == Some(&'#'))) {
                j += 1;
            }
            j = (j + 1 + hashes).min(b.len());
        } else if c == '"' {
            while j < b.len() && b[j] != '"' {
                j += if b[j] == '\\' { 2 } else { 1 };
            }
            j = (j + 1).min(b.len());
        } else if c == '\'' && next == Some('\\') {
            j = i + 3;
            while j < b.len() && b[j] != '\'' {
                j += 1;
            }
            j = (j + 1).min(b.len());
        } else if c == '\'' && b.get(i + 2) == Some(&'\'') {
            j = i + 3;
        } else {
            // code, and a lifetime's quote
            out.push(c);
            i += 1;
            continue;
        }
        blank(&mut out, &b[i..j.min(b.len())]);
        i = j;
    }
    out
}

/// The index of the brace that closes the one at `open`.
fn closing(code: &[char], open: usize) -> usize {
    let mut depth = 0;
    for (k, &c) in code.iter().enumerate().skip(open) {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    code.len()
}

/// Every function with a body outside `#[cfg(test)]` items: its name, first line and
/// length in lines, from `fn` to its closing brace.
fn function_lengths(text: &str) -> Vec<(String, usize, usize)> {
    let code: Vec<char> = code_only(text).chars().collect();
    let line_of = |at: usize| code[..at].iter().filter(|&&c| c == '\n').count() + 1;
    let ident = |c: &char| c.is_alphanumeric() || *c == '_';
    let fn_at = |at: usize| {
        code[at..].starts_with(&['f', 'n'])
            && (at == 0 || !ident(&code[at - 1]))
            && code.get(at + 2).is_some_and(|c| !ident(c))
    };
    // the body of an item (or the end of a declaration): the first `{` or `;` outside parentheses
    let body = |from: usize| {
        let mut depth = 0i32;
        for (k, &c) in code.iter().enumerate().skip(from) {
            match c {
                '(' | '[' => depth += 1,
                ')' | ']' => depth -= 1,
                '{' if depth == 0 => return Some(k),
                ';' if depth == 0 => return None,
                _ => {}
            }
        }
        None
    };
    let cfg_test: Vec<char> = "#[cfg(test)]".chars().collect();
    let mut tests: Vec<(usize, usize)> = Vec::new();
    let mut out = Vec::new();
    for at in 0..code.len() {
        if code[at..].starts_with(&cfg_test) {
            if let Some(open) = body(at + cfg_test.len()) {
                tests.push((at, closing(&code, open)));
            }
        }
        if !fn_at(at) || tests.iter().any(|&(a, b)| (a..=b).contains(&at)) {
            continue;
        }
        let name: String = code[at + 2..].iter().skip_while(|c| c.is_whitespace()).take_while(|c| ident(c)).collect();
        if name.is_empty() {
            continue; // a `fn(…)` type
        }
        if let Some(open) = body(at) {
            out.push((name, line_of(at), line_of(closing(&code, open)) - line_of(at) + 1));
        }
    }
    out
}

/// No function of src/ outside tests runs over 150 lines (issue 25: pipelines read as their
/// phases). A function that grows past it is split into named steps, not listed here.
#[test]
fn no_function_runs_over_150_lines() {
    const LIMIT: usize = 150;
    let mut long = Vec::new();
    let mut seen = 0;
    for file in rust_files(&root().join("src")) {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.strip_prefix(root()).unwrap().display().to_string();
        for (function, line, lines) in function_lengths(&text) {
            seen += 1;
            let id = format!("{name}::{function}");
            if lines > LIMIT {
                long.push(format!("{id} (line {line}): {lines} lines"));
            }
        }
    }
    assert!(seen > 500, "found only {seen} functions under src/");
    assert!(long.is_empty(), "functions over {LIMIT} lines; split them into named steps:\n{}", long.join("\n"));
    // the counter itself: braces in strings, chars, comments and raw strings are not code,
    // a lifetime is no char, and a test module is left out
    let sample = "fn a<'x>(s: &'x str) -> char {\n    let _ = \"}\"; // }\n    /* { /* } */ */\n    let _ = r#\"}\"#;\n    '{'\n}\n#[cfg(test)]\nmod tests {\n    fn b() {}\n}\nfn c() -> u8 { b'}' }\n";
    assert_eq!(function_lengths(sample), [("a".to_owned(), 1, 6), ("c".to_owned(), 11, 1)]);
}
