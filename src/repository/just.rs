//! `just` as a workflow step runs it: the recipes `just build app` runs, their parameters and
//! the justfile's variables substituted, read like a run step's own (socorro's `just build` →
//! `docker compose build --progress plain app …`, held out in round 63).
//!
//! Read only so far: recipes (`name param='default' *rest: deps`, an indented body, `@` and
//! `-` line prefixes, a `#!` body as one script), `name := 'value'` assignments of a quoted
//! literal, and `{{ name }}` interpolations of those. Anything else (`{{ env_var('X') }}`, a
//! backtick) becomes a variable the shell model cannot resolve, so a build that needs it is
//! noted, not guessed. Dependencies run first, each once, at most 8 deep. Pure: the
//! justfile's text comes from [`super::Sources`].

use std::collections::BTreeMap;

/// The names `just` looks for (case aside): `justfile`, `.justfile`.
pub fn is_justfile_name(name: &str) -> bool {
    matches!(name.to_ascii_lowercase().as_str(), "justfile" | ".justfile")
}

/// A `just` command line, read: the justfile (`-f`), the folder (`-d`), the recipe and its
/// arguments, and the variables it sets (`NAME=value`, `--set NAME value`).
#[derive(Debug, Default, PartialEq)]
pub struct Call {
    pub file: Option<String>,
    pub dir: Option<String>,
    pub recipe: Option<String>,
    pub args: Vec<String>,
    pub vars: BTreeMap<String, String>,
}

/// Whether `words` run just, and what they ask of it.
pub fn call(words: &[String]) -> Option<Call> {
    if words.first()?.rsplit('/').next()? != "just" {
        return None;
    }
    let mut c = Call::default();
    let mut i = 1;
    while i < words.len() {
        let w = words[i].as_str();
        match w {
            "-f" | "--justfile" => {
                c.file = words.get(i + 1).cloned();
                i += 1;
            }
            "-d" | "--working-directory" => {
                c.dir = words.get(i + 1).cloned();
                i += 1;
            }
            "--set" => {
                if let (Some(k), Some(v)) = (words.get(i + 1), words.get(i + 2)) {
                    c.vars.insert(k.clone(), v.clone());
                }
                i += 2;
            }
            _ if w.starts_with('-') => {}
            _ => match w.split_once('=') {
                Some((k, v)) if c.recipe.is_none() && is_name(k) => {
                    c.vars.insert(k.to_owned(), v.to_owned());
                }
                _ if c.recipe.is_none() => c.recipe = Some(w.to_owned()),
                _ => c.args.push(w.to_owned()),
            },
        }
        i += 1;
    }
    Some(c)
}

fn is_name(k: &str) -> bool {
    !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A recipe of a justfile: its line, parameters (name, default, variadic), dependencies and
/// body lines.
struct Recipe {
    line: usize,
    params: Vec<(String, Option<String>, bool)>,
    deps: Vec<String>,
    body: Vec<String>,
}

/// Words of a recipe header, quotes kept together (`*args='a b'` is one word).
fn header_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    for ch in s.chars() {
        match quote {
            Some(q) if ch == q => {
                quote = None;
                cur.push(ch);
            }
            Some(_) => cur.push(ch),
            None if ch == '\'' || ch == '"' => {
                quote = Some(ch);
                cur.push(ch);
            }
            None if ch.is_whitespace() => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            None => cur.push(ch),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn unquote(v: &str) -> Option<String> {
    let v = v.trim();
    ['\'', '"'].iter().find_map(|q| v.strip_prefix(*q).and_then(|r| r.strip_suffix(*q))).map(str::to_owned)
}

/// The recipes and literal variables of a justfile.
fn parse(text: &str) -> (BTreeMap<String, Recipe>, Vec<String>, BTreeMap<String, String>) {
    let mut recipes = BTreeMap::new();
    let mut order = Vec::new();
    let mut vars = BTreeMap::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut n = 0;
    while n < lines.len() {
        let line = lines[n];
        n += 1;
        let header_line = n;
        let t = line.trim_end();
        if t.is_empty() || t.starts_with(char::is_whitespace) || t.starts_with('#') || t.starts_with('[') {
            continue;
        }
        let first = t.split_whitespace().next().unwrap_or("");
        if matches!(first, "set" | "alias" | "import" | "mod") {
            continue;
        }
        if let Some((k, v)) = t.trim_start_matches("export ").split_once(":=") {
            if let Some(v) = unquote(v) {
                vars.insert(k.trim().to_owned(), v);
            }
            continue;
        }
        // `name params: deps`, the colon outside quotes
        let words = header_words(t);
        let Some(colon) = words.iter().position(|w| w.ends_with(':') || w == ":") else { continue };
        let mut head: Vec<String> = words[..=colon].to_vec();
        let last = head.pop().unwrap_or_default();
        let last = last.trim_end_matches(':');
        if !last.is_empty() {
            head.push(last.to_owned());
        }
        let Some(name) = head.first().map(|w| w.trim_start_matches('@').to_owned()) else { continue };
        if !is_name(&name) {
            continue;
        }
        let params = head[1..]
            .iter()
            .map(|p| {
                let variadic = p.starts_with(['*', '+']);
                let p = p.trim_start_matches(['*', '+', '$']);
                match p.split_once('=') {
                    Some((k, v)) => (k.to_owned(), unquote(v).or_else(|| Some(v.to_owned())), variadic),
                    None => (p.to_owned(), None, variadic),
                }
            })
            .collect();
        let deps = words[colon + 1..].iter().filter(|d| is_name(d)).cloned().collect();
        let mut body = Vec::new();
        while n < lines.len() && (lines[n].starts_with(char::is_whitespace) || lines[n].trim().is_empty()) {
            let b = lines[n].trim();
            if !b.is_empty() {
                body.push(b.trim_start_matches(['@', '-']).to_owned());
            }
            n += 1;
        }
        if body.first().is_some_and(|b| b.starts_with("#!")) {
            body = vec![body[1..].join("\n")];
        }
        order.push(name.clone());
        recipes.insert(name, Recipe { line: header_line, params, deps, body });
    }
    (recipes, order, vars)
}

/// What a `just` call runs in the justfile `text`: `(recipe, line of its header, lines)`,
/// dependencies first; `None` when the recipe is not there.
pub fn run(text: &str, call: &Call) -> Option<Vec<(String, usize, Vec<String>)>> {
    let (recipes, order, mut vars) = parse(text);
    vars.extend(call.vars.clone());
    let name = call.recipe.clone().or_else(|| order.first().cloned())?;
    recipes.get(&name)?;
    let mut out = Vec::new();
    let mut done = Vec::new();
    visit(&recipes, &vars, &name, &call.args, 0, &mut done, &mut out);
    Some(out)
}

fn visit(
    recipes: &BTreeMap<String, Recipe>,
    vars: &BTreeMap<String, String>,
    name: &str,
    args: &[String],
    depth: usize,
    done: &mut Vec<String>,
    out: &mut Vec<(String, usize, Vec<String>)>,
) {
    if depth > 8 || done.iter().any(|d| d == name) {
        return;
    }
    done.push(name.to_owned());
    let Some(r) = recipes.get(name) else { return };
    for d in &r.deps {
        visit(recipes, vars, d, &[], depth + 1, done, out);
    }
    let mut values = vars.clone();
    let mut rest = args.iter();
    for (p, default, variadic) in &r.params {
        let v = if *variadic {
            let given: Vec<&String> = rest.by_ref().collect();
            if given.is_empty() {
                default.clone()
            } else {
                Some(given.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" "))
            }
        } else {
            rest.next().cloned().or_else(|| default.clone())
        };
        if let Some(v) = v {
            values.insert(p.clone(), v);
        }
    }
    let lines = r.body.iter().map(|b| interpolate(b, &values)).collect();
    out.push((name.to_owned(), r.line, lines));
}

/// `{{ name }}` replaced by its value; any other expression by a variable the shell model
/// cannot resolve.
fn interpolate(line: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        match values.get(after[..end].trim()) {
            Some(v) => out.push_str(v),
            None => out.push_str("$__UNRESOLVED__"),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    /// socorro's justfile: a variadic parameter's default, a private dependency first
    #[test]
    fn recipes_run_with_their_parameters_and_dependencies() {
        let text = "# comment\nset dotenv-load := false\nimage := 'local/app'\n\n_env:\n    #!/usr/bin/env bash\n    if [ ! -f .env ]; then cp docker/config/.env.dist .env; fi\n\n# Build docker images.\nbuild *args='app fakesentry': _env\n    docker compose build --progress plain {{args}}\n\n@push tag:\n    docker tag {{ image }} {{tag}}\n    -docker push {{tag}}\n";
        let r = run(text, &call(&words("just build")).unwrap()).unwrap();
        assert_eq!(r.len(), 2, "{r:?}");
        assert_eq!(r[0].0, "_env");
        assert_eq!(r[1], ("build".into(), 10, vec!["docker compose build --progress plain app fakesentry".into()]));
        let r = run(text, &call(&words("just build app")).unwrap()).unwrap();
        assert_eq!(r[1].2, ["docker compose build --progress plain app"]);
        let r = run(text, &call(&words("just push org/app:1")).unwrap()).unwrap();
        assert_eq!(r[0].2, ["docker tag local/app org/app:1", "docker push org/app:1"]);
        // the first recipe when none is named; an unknown one runs nothing
        assert_eq!(run(text, &call(&words("just")).unwrap()).unwrap()[0].0, "_env");
        assert!(run(text, &call(&words("just nope")).unwrap()).is_none());
        assert!(call(&words("make build")).is_none());
        assert!(is_justfile_name("Justfile") && is_justfile_name(".justfile") && !is_justfile_name("just.md"));
    }
}
