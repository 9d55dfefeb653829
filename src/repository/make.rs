//! `make` as a workflow step runs it: the recipes a `make buildx VAR=x` runs, with the
//! Makefile's variables expanded, so the builds and pushes in them are read like a run
//! step's own (shiori's `make buildx … CONTAINER_BUILDX_OPTIONS="--push …"`).
//!
//! The Makefile is parsed by `makefile-lossless`; this module only picks the rules and
//! expands variables as GNU make does for the common forms: `=`, `:=`, `::=`, `?=`, `+=`,
//! `$(VAR)`, `${VAR}`, `$@`, `$$`, and `$(strip …)`. Command-line variables win over the
//! file's, which win over the environment's. A function it does not evaluate (`$(shell …)`,
//! `$(if …)`) leaves a variable the shell model cannot resolve, so a build that needs it is
//! noted, not guessed. Prerequisites run before a target's recipe, each rule once; the
//! depth is bounded. Pure: the Makefile's text comes from [`super::Sources`].

use std::collections::BTreeMap;

use makefile_lossless::{Makefile, MakefileVariant};

/// The names `make` reads by default, in its order, and included fragments (`*.mk`).
pub fn is_makefile_name(name: &str) -> bool {
    matches!(name, "GNUmakefile" | "makefile" | "Makefile") || name.ends_with(".mk")
}

/// A `make` command line, read: the folder (`-C`), the file (`-f`), the targets, and the
/// variables it sets.
#[derive(Debug, Default, PartialEq)]
pub struct Call {
    pub dir: Option<String>,
    pub file: Option<String>,
    pub targets: Vec<String>,
    pub vars: BTreeMap<String, String>,
}

/// Whether `words` run make, and what they ask of it.
pub fn call(words: &[String]) -> Option<Call> {
    let prog = words.first()?.rsplit('/').next()?;
    if !matches!(prog, "make" | "gmake") {
        return None;
    }
    let mut c = Call::default();
    let mut i = 1;
    while i < words.len() {
        let w = &words[i];
        match w.as_str() {
            "-C" | "--directory" => {
                c.dir = words.get(i + 1).cloned();
                i += 1;
            }
            "-f" | "--file" | "--makefile" => {
                c.file = words.get(i + 1).cloned();
                i += 1;
            }
            // options that take a value as the next word
            "-I" | "-o" | "-W" | "--include-dir" | "--old-file" | "--what-if" => i += 1,
            _ if w.starts_with("--directory=") => c.dir = w.split_once('=').map(|(_, v)| v.to_owned()),
            _ if w.starts_with("--file=") || w.starts_with("--makefile=") => {
                c.file = w.split_once('=').map(|(_, v)| v.to_owned())
            }
            _ if w.starts_with("-C") && w.len() > 2 => c.dir = Some(w[2..].to_owned()),
            _ if w.starts_with("-f") && w.len() > 2 => c.file = Some(w[2..].to_owned()),
            _ if w.starts_with('-') => {}
            _ => match w.split_once('=') {
                Some((k, v)) if is_name(k.trim_end_matches([':', '+', '?'])) => {
                    c.vars.insert(k.trim_end_matches([':', '+', '?']).to_owned(), v.to_owned());
                }
                _ => c.targets.push(w.clone()),
            },
        }
        i += 1;
    }
    Some(c)
}

fn is_name(k: &str) -> bool {
    !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
}

/// What a `make` call runs: its recipe lines, in order, with the Makefile's line of each
/// target (1-based) and the variables make exports to them (the command line's).
#[derive(Debug, Default, PartialEq)]
pub struct Run {
    /// `(target, line of its rule, recipe lines)`, prerequisites first.
    pub rules: Vec<(String, usize, Vec<String>)>,
    /// What could not be followed (a target with no rule, a Makefile that does not parse).
    pub notes: Vec<String>,
    /// The Makefile's variables it exports to its recipes (`export NAME := value`), expanded.
    pub exported: BTreeMap<String, String>,
}

/// The recipes `call` runs in the Makefile `text`, with the environment `env`.
pub fn run(text: &str, call: &Call, env: &BTreeMap<String, String>) -> Run {
    let (mf, _errors) = Makefile::from_str_relaxed(text);
    let mut vars = Vars { file: BTreeMap::new(), cli: call.vars.clone(), env: env.clone() };
    let mut exported = Vec::new();
    for d in mf.variable_definitions() {
        let (Some(name), Some(value)) = (d.name(), d.value_for(MakefileVariant::GNUMake)) else { continue };
        if d.is_export() {
            exported.push(name.clone());
        }
        let op = d.assignment_operator().unwrap_or_else(|| "=".into());
        let value = value.trim().to_owned();
        match op.as_str() {
            ":=" | "::=" | ":::=" => {
                let v = vars.expand(&value, "", 0);
                vars.file.insert(name, Value::Simple(v));
            }
            "?=" => {
                if !vars.file.contains_key(&name) && !vars.env.contains_key(&name) {
                    vars.file.insert(name, Value::Recursive(value));
                }
            }
            "+=" => {
                let joined = match vars.file.remove(&name) {
                    Some(Value::Simple(v)) => Value::Simple(format!("{v} {}", vars.expand(&value, "", 0))),
                    Some(Value::Recursive(v)) => Value::Recursive(format!("{v} {value}")),
                    None => Value::Recursive(value),
                };
                vars.file.insert(name, joined);
            }
            _ => {
                vars.file.insert(name, Value::Recursive(value));
            }
        }
    }
    // `export NAME …` with no value exports variables set elsewhere; `.EXPORT_ALL_VARIABLES:`
    // exports every one
    for line in text.lines() {
        if let Some(names) = line.strip_prefix("export ").filter(|n| !n.contains('=')) {
            exported.extend(names.split_whitespace().filter(|n| is_name(n)).map(str::to_owned));
        }
        if line.starts_with(".EXPORT_ALL_VARIABLES:") {
            exported.extend(vars.file.keys().cloned());
        }
    }
    let mut out = Run::default();
    for name in exported {
        if let Some(v) = vars.get(&name, "", 0) {
            out.exported.insert(name, v);
        }
    }
    let targets = if call.targets.is_empty() {
        // the default goal: the first rule whose target is not special (`.PHONY`) or a pattern
        mf.rules()
            .flat_map(|r| r.targets().collect::<Vec<_>>())
            .find(|t| !t.starts_with('.') && !t.contains('%'))
            .into_iter()
            .collect()
    } else {
        call.targets.clone()
    };
    let mut done = Vec::new();
    for t in targets {
        visit(&mf, &vars, &t, 0, &mut done, &mut out);
    }
    out
}

/// At most this deep into prerequisites, and this many rules in all.
const MAX_DEPTH: usize = 8;
const MAX_RULES: usize = 64;

fn visit(mf: &Makefile, vars: &Vars, target: &str, depth: usize, done: &mut Vec<String>, out: &mut Run) {
    if done.iter().any(|d| d == target) || depth > MAX_DEPTH || out.rules.len() >= MAX_RULES {
        return;
    }
    done.push(target.to_owned());
    let rules: Vec<_> = mf.rules().filter(|r| r.targets().any(|t| vars.expand(&t, "", 0) == target)).collect();
    if rules.is_empty() {
        // a file the build needs, or a target another Makefile has
        if depth == 0 {
            out.notes.push(format!("make target `{target}` has no rule in the Makefile; not followed"));
        }
        return;
    }
    for rule in &rules {
        for p in rule.prerequisites() {
            for p in vars.expand(&p, target, 0).split_whitespace() {
                visit(mf, vars, p, depth + 1, done, out);
            }
        }
    }
    for rule in rules {
        let lines: Vec<String> = rule
            .recipes()
            .map(|r| {
                let r = vars.expand(&r, target, 0);
                r.trim_start().trim_start_matches(['@', '-', '+']).trim_start().to_owned()
            })
            .filter(|r| !r.is_empty())
            .collect();
        if !lines.is_empty() {
            out.rules.push((target.to_owned(), rule.line() + 1, lines));
        }
    }
}

enum Value {
    /// `:=`: expanded when defined.
    Simple(String),
    /// `=`: expanded where used.
    Recursive(String),
}

struct Vars {
    file: BTreeMap<String, Value>,
    cli: BTreeMap<String, String>,
    env: BTreeMap<String, String>,
}

/// How deep a variable may refer to others (a loop is a Makefile error make reports).
const MAX_EXPANSION: usize = 16;

impl Vars {
    fn get(&self, name: &str, target: &str, depth: usize) -> Option<String> {
        if let Some(v) = self.cli.get(name) {
            return Some(v.clone());
        }
        match self.file.get(name) {
            Some(Value::Simple(v)) => Some(v.clone()),
            Some(Value::Recursive(v)) => Some(self.expand(v, target, depth + 1)),
            // `$(MAKE) -C sub target`: make itself
            None if name == "MAKE" => Some("make".into()),
            None => self.env.get(name).cloned(),
        }
    }

    /// `text` with make's references replaced; `$$` becomes the shell's `$`. A reference
    /// make would evaluate and this does not becomes `$__UNRESOLVED__`.
    fn expand(&self, text: &str, target: &str, depth: usize) -> String {
        const UNRESOLVED: &str = "$__UNRESOLVED__";
        if depth > MAX_EXPANSION {
            return UNRESOLVED.into();
        }
        let mut out = String::new();
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c != '$' {
                out.push(c);
                continue;
            }
            match chars.peek().map(|&(_, n)| n) {
                Some('$') => {
                    chars.next();
                    out.push('$');
                }
                Some('@') => {
                    chars.next();
                    out.push_str(target);
                }
                Some(open @ ('(' | '{')) => {
                    let close = if open == '(' { ')' } else { '}' };
                    // the matching bracket, nested references inside
                    let start = i + 2;
                    let mut level = 0usize;
                    let mut end = None;
                    for (j, ch) in text[start..].char_indices() {
                        match ch {
                            '(' | '{' => level += 1,
                            ')' | '}' if level > 0 => level -= 1,
                            ch if ch == close => {
                                end = Some(start + j);
                                break;
                            }
                            _ => {}
                        }
                    }
                    let Some(end) = end else {
                        out.push_str(&text[i..]);
                        return out;
                    };
                    let inner = &text[start..end];
                    while chars.peek().is_some_and(|&(k, _)| k <= end) {
                        chars.next();
                    }
                    if let Some(arg) = inner.strip_prefix("strip ") {
                        let v = self.expand(arg, target, depth + 1);
                        out.push_str(&v.split_whitespace().collect::<Vec<_>>().join(" "));
                    } else if inner.starts_with("info ") || inner.starts_with("info:") || inner.starts_with("warning ")
                    {
                        // printed by make, expands to nothing
                    } else if inner.contains([' ', '\t', ':']) && !inner.contains('$') {
                        // a function (`$(shell …)`, `$(if …)`) or a substitution reference
                        out.push_str(UNRESOLVED);
                    } else {
                        let name = self.expand(inner, target, depth + 1);
                        match self.get(&name, target, depth) {
                            Some(v) => out.push_str(&v),
                            None if name.contains(' ') || name.contains('$') => out.push_str(UNRESOLVED),
                            // an unset variable is empty
                            None => {}
                        }
                    }
                }
                // `$X`: a one-letter variable
                Some(n) if n.is_ascii_alphanumeric() => {
                    chars.next();
                    out.push_str(&self.get(&n.to_string(), target, depth).unwrap_or_default());
                }
                _ => out.push('$'),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn reads_a_make_command_line() {
        let c = call(&words("make -C build -j4 --no-print-directory buildx IMAGE=o/app TAG:=1")).unwrap();
        assert_eq!(c.dir.as_deref(), Some("build"));
        assert_eq!(c.targets, ["buildx"]);
        assert_eq!(c.vars.get("IMAGE").map(String::as_str), Some("o/app"));
        assert_eq!(c.vars.get("TAG").map(String::as_str), Some("1"));
        assert_eq!(call(&words("gmake -f docker.Makefile")).unwrap().file.as_deref(), Some("docker.Makefile"));
        assert!(call(&words("cmake ..")).is_none());
    }

    /// Variables as GNU make expands them: the command line wins, `?=` yields to the
    /// environment, `:=` is expanded once, `+=` appends, `$$` is the shell's `$`.
    #[test]
    fn expands_recipes_and_runs_prerequisites_first() {
        let mk = "IMAGE ?= example/app\nexport IMAGE OPTS\nTAG := $(shell git describe)\nOPTS = --load\nOPTS += $(EXTRA)\nDOCKER = docker\n\n.PHONY: build push\nall: build\n\nbuild: deps\n\t@$(DOCKER) buildx build $(OPTS) -t ${IMAGE}:latest -f docker/Dockerfile .\n\t-echo $$HOME $@\n\ndeps:\n\tgo mod download\n\npush: build\n\t$(DOCKER) push $(IMAGE):latest\n";
        let env = BTreeMap::new();
        let r = run(mk, &call(&words("make push EXTRA=--pull")).unwrap(), &env);
        assert_eq!(
            r.rules,
            [
                ("deps".to_owned(), 15, vec!["go mod download".to_owned()]),
                (
                    "build".to_owned(),
                    11,
                    vec![
                        "docker buildx build --load --pull -t example/app:latest -f docker/Dockerfile .".to_owned(),
                        "echo $HOME build".to_owned()
                    ]
                ),
                ("push".to_owned(), 18, vec!["docker push example/app:latest".to_owned()]),
            ]
        );
        // `export NAME` hands the file's value to the recipes (and the scripts they run)
        assert_eq!(r.exported.get("IMAGE").map(String::as_str), Some("example/app"));
        assert_eq!(r.exported.get("OPTS").map(String::as_str), Some("--load --pull"));
        // the default goal is the first rule; the environment fills `?=`
        let env = BTreeMap::from([("IMAGE".to_owned(), "ghcr.io/o/app".to_owned())]);
        let r = run(mk, &call(&words("make")).unwrap(), &env);
        assert_eq!(r.rules[1].2[0], "docker buildx build --load  -t ghcr.io/o/app:latest -f docker/Dockerfile .");
        // a function make would evaluate is not guessed
        let r = run("t:\n\tdocker build -t app:$(shell date) .\n", &call(&words("make t")).unwrap(), &env);
        assert_eq!(r.rules[0].2[0], "docker build -t app:$__UNRESOLVED__ .");
        let r = run("t:\n\t$(MAKE) -C sub all\n", &call(&words("make t")).unwrap(), &env);
        assert_eq!(r.rules[0].2[0], "make -C sub all");
        let r = run(mk, &call(&words("make nope")).unwrap(), &env);
        assert!(r.rules.is_empty() && r.notes[0].contains("`nope` has no rule"), "{r:?}");
    }

    /// A Makefile that refers to itself, or to a variable that refers to itself, ends.
    #[test]
    fn loops_end() {
        let r = run("A = $(A) x\nt: t\n\techo $(A)\n", &call(&words("make t")).unwrap(), &BTreeMap::new());
        assert_eq!(r.rules.len(), 1);
        assert!(r.rules[0].2[0].contains("$__UNRESOLVED__"), "{r:?}");
    }
}
