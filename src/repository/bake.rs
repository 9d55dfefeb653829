//! Bake files as evidence: `docker-bake.hcl`, `docker-bake.json`, their `.override` files,
//! and compose files when bake reads them. A bake target names a Dockerfile (relative to its
//! context), a stage (`target`), and what becomes of the result (`output`, `tags`, `call`).
//!
//! Two readers give the same [`Target`]s:
//! - **exact**: `docker buildx bake --print` (run by the pipeline where buildx is at hand, as
//!   on GitHub's runners), whose JSON has every variable, function, `inherits` and `matrix`
//!   resolved by bake itself;
//! - **static**, everywhere else: the HCL read with `hcl-edit` (for the lines) and evaluated
//!   with `hcl-rs` (variables at their defaults or the invocation's environment, `inherits`,
//!   `matrix` with `name`, user `function` blocks, and the common functions of bake's
//!   standard library). What cannot be resolved becomes a [`Note`] and the attribute is left
//!   unset, never an error.
//!
//! Roles: a target whose output exports files (`type=local`, `type=tar`, a folder such as
//! `"."`), only validates (`type=cacheonly`, `call = "check"`), or whose name or stage says it
//! tests, is **ci-only**; one that is pushed, loaded or tagged **ships**; one with none of
//! these leaves its result in the build cache, **ci-only** too. An invocation's own
//! flags (`--push`, `--load`, `--set *.output=…`, bake-action's `push`) replace the target's
//! output, as bake does.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use hcl::edit::structure::{Block, Body, Structure};
use hcl::edit::Span;
use hcl::eval::{Context, Evaluate, FuncArgs, FuncDef, ParamType};
use hcl::Value as Hv;

use super::tree::{self, LineIndex, Node};
use super::{folder, join, BuildPath, Evidence, Model, Note, Role, Source, Sources};

/// Whether a file name is one bake reads by default.
pub fn is_bake_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("docker-bake") && (lower.ends_with(".hcl") || lower.ends_with(".json"))
}

/// The files bake reads in a folder when it is given none, in its order.
pub const DEFAULT_FILES: [&str; 8] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
    "docker-bake.json",
    "docker-bake.hcl",
    "docker-bake.override.json",
    "docker-bake.override.hcl",
];

/// One resolved bake target.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Target {
    pub name: String,
    /// The file and line that define it.
    pub file: String,
    pub line: usize,
    pub context: Option<String>,
    pub dockerfile: Option<String>,
    pub target: Option<String>,
    pub target_line: Option<usize>,
    pub output: Vec<String>,
    pub tags: Vec<String>,
    pub call: Option<String>,
    /// The targets it inherits from (abstract bases are not built on their own).
    pub inherits: Vec<String>,
    /// The names of its `contexts` (named build contexts a FROM may name).
    pub contexts: Vec<String>,
    /// It inherits, directly or through a parent, the empty target docker/metadata-action
    /// fills with tags and labels in CI ([`METADATA_TARGET`]).
    pub tagged_by_metadata: bool,
}

/// The target docker/metadata-action writes its tags into (its `bake-target` input's
/// default): a bake file declares it empty, and the targets that ship inherit it, so the
/// workflow's tags reach them (`files: ./docker-bake.hcl, ${{ steps.meta.outputs.bake-file }}`).
pub const METADATA_TARGET: &str = "docker-metadata-action";

/// Bake's view of some files: targets and groups.
#[derive(Debug, Clone, Default)]
pub struct Definition {
    pub targets: BTreeMap<String, Target>,
    /// Matrix targets: the written name → the names it expands to.
    pub expanded: BTreeMap<String, Vec<String>>,
    pub groups: BTreeMap<String, Vec<String>>,
}

impl Definition {
    /// The target names `names` stand for: groups expanded (recursively, bounded), matrix
    /// targets expanded, unknown names dropped. No names means the `default` group.
    pub fn expand(&self, names: &[String]) -> (Vec<String>, Vec<String>) {
        let mut out = Vec::new();
        let mut unknown = Vec::new();
        let mut todo: Vec<(String, usize)> = if names.is_empty() {
            vec![("default".to_owned(), 0)]
        } else {
            names.iter().rev().map(|n| (n.clone(), 0)).collect()
        };
        while let Some((name, depth)) = todo.pop() {
            if depth > 32 {
                continue;
            }
            if let Some(members) = self.groups.get(&name) {
                todo.extend(members.iter().rev().map(|m| (m.clone(), depth + 1)));
            } else if let Some(many) = self.expanded.get(&name) {
                out.extend(many.iter().cloned());
            } else if self.targets.contains_key(&name) {
                out.push(name);
            } else if !(names.is_empty() && name == "default") {
                unknown.push(name);
            }
        }
        out.dedup();
        (out, unknown)
    }
}

/// How bake is asked to build: where, from which files, which targets, with which flags.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Invocation {
    /// Where bake runs, repository-relative.
    pub dir: String,
    /// `-f` files (relative to `dir`); empty reads the default files.
    pub files: Vec<String>,
    /// Targets or groups; empty builds `default`.
    pub targets: Vec<String>,
    pub push: bool,
    pub load: bool,
    /// `--set` entries: `pattern.key=value`.
    pub set: Vec<String>,
    pub call: Option<String>,
    /// Variables from the step's environment.
    pub env: Vec<(String, String)>,
}

/// A set of bake files and the environment they are read in.
type DefinitionKey = (Vec<String>, Vec<(String, String)>);

/// Reads bake files once per set of files and environment, and turns targets into build
/// paths.
pub struct Resolver<'a> {
    sources: &'a Sources,
    cache: RefCell<HashMap<DefinitionKey, Definition>>,
    notes: RefCell<Vec<Note>>,
    /// Targets some invocation built (by file set): their standalone paths are not repeated.
    invoked: RefCell<Vec<(String, String)>>,
}

impl<'a> Resolver<'a> {
    pub fn new(sources: &'a Sources) -> Resolver<'a> {
        Resolver { sources, cache: Default::default(), notes: Default::default(), invoked: Default::default() }
    }

    /// The files an invocation reads, repository-relative, that exist.
    fn files_of(&self, inv: &Invocation) -> Vec<String> {
        let wanted: Vec<String> = if inv.files.is_empty() {
            DEFAULT_FILES.iter().map(|f| (*f).to_owned()).collect()
        } else {
            inv.files.clone()
        };
        wanted.iter().filter_map(|f| join(&inv.dir, f)).filter(|p| self.sources.file(p).is_some()).collect()
    }

    /// The definition of some files (cached).
    pub fn definition(&self, files: &[String], env: &[(String, String)]) -> Definition {
        let key = (files.to_vec(), env.to_vec());
        if let Some(d) = self.cache.borrow().get(&key) {
            return d.clone();
        }
        let def = self.read(files, env);
        self.cache.borrow_mut().insert(key, def.clone());
        def
    }

    fn read(&self, files: &[String], env: &[(String, String)]) -> Definition {
        let mut notes = Vec::new();
        // the static reading always: it knows the lines
        let mut def = Definition::default();
        for f in files {
            let Some(file) = self.sources.file(f) else { continue };
            let part = if f.ends_with(".hcl") {
                hcl_definition(file, env, &mut notes)
            } else if f.ends_with(".json") {
                json_definition(file, &mut notes)
            } else {
                compose_definition(file, &mut notes)
            };
            merge(&mut def, part);
        }
        // bake's own answer, when the pipeline could ask it
        if let Some(printed) = self.sources.printed.iter().find(|p| {
            let mut a: Vec<&String> = p.files.iter().collect();
            let mut b: Vec<&String> = files.iter().collect();
            a.sort();
            b.sort();
            a == b
        }) {
            match printed_definition(&printed.json, &def) {
                Ok(exact) => def = exact,
                Err(e) => notes.push(Note {
                    file: files.join(", "),
                    line: 0,
                    message: format!("`docker buildx bake --print` gave JSON shiplight cannot read ({e}); the files were read statically"),
                }),
            }
        }
        self.notes.borrow_mut().extend(notes);
        def
    }

    /// The build paths of an invocation, with `evidence` saying where it is.
    pub fn invoke(&self, inv: &Invocation, evidence: &Evidence, model: &mut Model) {
        let files = self.files_of(inv);
        if files.is_empty() {
            model.notes.push(Note {
                file: evidence.file.clone(),
                line: evidence.line,
                message: format!(
                    "bake runs here, but none of its files ({}) is in the repository; not followed",
                    if inv.files.is_empty() {
                        "the default docker-bake.hcl, compose.yaml …".to_owned()
                    } else {
                        inv.files.join(", ")
                    }
                ),
            });
            return;
        }
        let def = self.definition(&files, &inv.env);
        // a target the workflow computes (`${{ matrix.target }}` of a matrix another job
        // printed from the bake file, as Mailu's CI does) is one of the default group's
        let (mut computed, mut asked): (Vec<String>, Vec<String>) =
            inv.targets.iter().cloned().partition(|t| t.contains("$__UNRESOLVED__"));
        let guessed = !computed.is_empty() && def.groups.contains_key("default");
        if guessed {
            asked.push("default".into());
        }
        // only computed targets and no default group: nothing is known to be built (bake's
        // own default applies to no target named at all)
        let (names, mut unknown) =
            if asked.is_empty() && !inv.targets.is_empty() { Default::default() } else { def.expand(&asked) };
        if !guessed {
            computed.dedup();
            unknown.extend(computed);
        }
        let assumed =
            if guessed { " (the workflow computes the target: taken as one of the default group's)" } else { "" };
        for u in unknown {
            model.notes.push(Note {
                file: evidence.file.clone(),
                line: evidence.line,
                message: format!("bake target `{u}` is not defined in {}; not followed", files.join(", ")),
            });
        }
        for name in names {
            let Some(t) = def.targets.get(&name) else { continue };
            let Some(mut path) = path_of(t, &inv.dir, Some(inv), self.sources) else { continue };
            self.invoked.borrow_mut().push((files.join(","), name.clone()));
            path.evidence = Evidence {
                source: evidence.source,
                file: evidence.file.clone(),
                line: evidence.line,
                says: format!(
                    "{} bake target `{name}` ({}:{}){assumed}, which {}",
                    evidence.says,
                    t.file,
                    t.line,
                    role_of(t, Some(inv)).1
                ),
            };
            model.paths.push(path);
        }
    }

    /// Every bake file on its own, as `docker buildx bake` would read it in its folder: each
    /// target that is built (in a group, or inherited by none) is a path with the role its
    /// own definition gives. Then the reader's notes.
    pub fn standalone(&self, model: &mut Model) {
        let mut dirs: Vec<String> = self
            .sources
            .files
            .iter()
            .filter(|f| is_bake_name(f.path.rsplit('/').next().unwrap_or(&f.path)))
            .map(|f| folder(&f.path))
            .collect();
        dirs.dedup();
        for dir in dirs {
            let inv = Invocation { dir: dir.clone(), ..Invocation::default() };
            let files = self.files_of(&inv);
            let def = self.definition(&files, &[]);
            let in_group: Vec<&String> = def.groups.values().flatten().collect();
            for (name, t) in &def.targets {
                let inherited = def.targets.values().any(|o| o.inherits.contains(name));
                if (inherited || name.starts_with('_')) && !in_group.contains(&name) {
                    continue;
                }
                if self.invoked.borrow().contains(&(files.join(","), name.clone())) {
                    continue;
                }
                if let Some(path) = path_of(t, &dir, None, self.sources) {
                    model.paths.push(path);
                }
            }
        }
        model.notes.append(&mut self.notes.borrow_mut());
    }
}

/// Every target and group a set of bake files defines, read statically (a matrix target by
/// the name it is written with): what `docker buildx bake --print` is asked for. And
/// whether the static reading resolved everything: then bake's own answer adds nothing.
pub fn target_names(sources: &Sources, files: &[String]) -> (Vec<String>, bool) {
    let r = Resolver::new(sources);
    let def = r.definition(files, &[]);
    let complete = r.notes.borrow().is_empty();
    let expanded: Vec<&String> = def.expanded.values().flatten().collect();
    let mut names: Vec<String> = def.targets.keys().filter(|n| !expanded.contains(n)).cloned().collect();
    names.extend(def.expanded.keys().cloned());
    names.extend(def.groups.keys().cloned());
    names.sort();
    names.dedup();
    (names, complete)
}

/// Later files override earlier ones, attribute by attribute, as bake merges them.
fn merge(into: &mut Definition, from: Definition) {
    for (name, t) in from.targets {
        match into.targets.get_mut(&name) {
            Some(old) => {
                old.context = t.context.or(old.context.take());
                old.dockerfile = t.dockerfile.or(old.dockerfile.take());
                if t.target.is_some() {
                    old.target = t.target;
                    old.target_line = t.target_line;
                    old.file = t.file;
                    old.line = t.line;
                }
                if !t.output.is_empty() {
                    old.output = t.output;
                }
                if !t.tags.is_empty() {
                    old.tags = t.tags;
                }
                old.call = t.call.or(old.call.take());
                if !t.contexts.is_empty() {
                    old.contexts = t.contexts;
                }
            }
            None => {
                into.targets.insert(name, t);
            }
        }
    }
    into.expanded.extend(from.expanded);
    into.groups.extend(from.groups);
}

/// What a target's outputs do, from `type=…` entries or a bare path.
fn classify_output(o: &str) -> (Role, String) {
    let o = o.trim();
    let fields: Vec<(&str, &str)> =
        o.split(',').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.trim(), v.trim())).collect();
    let field = |k: &str| fields.iter().find(|(kk, _)| *kk == k).map(|(_, v)| *v);
    match field("type") {
        Some("cacheonly") => (Role::CiOnly, "only validates (output type=cacheonly)".into()),
        Some("local") | Some("tar") => (Role::CiOnly, format!("exports files (output {o})")),
        Some("registry") => (Role::Ships, "pushes it (output type=registry)".into()),
        Some("image") if matches!(field("push"), Some("true")) => {
            (Role::Ships, "pushes it (output type=image,push=true)".into())
        }
        Some("image") => (Role::Ships, "builds an image (output type=image)".into()),
        Some("docker") if field("dest").is_some() => (Role::CiOnly, format!("exports an image archive (output {o})")),
        Some("docker") => (Role::Ships, "loads it (output type=docker)".into()),
        Some("oci") => (Role::CiOnly, format!("exports an image archive (output {o})")),
        Some(other) => (Role::Ships, format!("outputs type={other}")),
        // a bare folder (`"."`, `"./bin"`) or `-`: files
        None => (Role::CiOnly, format!("exports files (output \"{o}\")")),
    }
}

/// The role of a target built by `inv` (or on its own), and why.
fn role_of(t: &Target, inv: Option<&Invocation>) -> (Role, String) {
    let mut outputs = t.output.clone();
    let mut call = t.call.clone();
    if let Some(inv) = inv {
        for s in &inv.set {
            let Some((key, value)) = s.split_once('=') else { continue };
            let Some((pattern, attr)) = key.rsplit_once('.') else { continue };
            let matches = pattern == "*" || pattern == t.name || glob_match(pattern, &t.name);
            if !matches {
                continue;
            }
            match attr {
                "output" => outputs = vec![value.to_owned()],
                "call" => call = Some(value.to_owned()),
                _ => {}
            }
        }
        if inv.call.is_some() {
            call = inv.call.clone();
        }
        if inv.push {
            outputs = vec!["type=registry".into()];
        } else if inv.load {
            outputs = vec!["type=docker".into()];
        }
    }
    if let Some(c) = call.filter(|c| c != "build") {
        return (Role::CiOnly, format!("only checks (call = {c})"));
    }
    let classified: Vec<(Role, String)> = outputs.iter().map(|o| classify_output(o)).collect();
    let pushed = classified.iter().any(|(_, s)| s.starts_with("pushes"));
    let tested = super::is_test_name(&t.name) || t.target.as_deref().is_some_and(super::is_test_name);
    let test = || {
        let what =
            t.target.as_deref().map(|s| format!("stage `{s}`")).unwrap_or_else(|| format!("target `{}`", t.name));
        (Role::CiOnly, format!("builds {what}, a test or check"))
    };
    // what the output says first; a test's image is loaded or tagged only to run the tests
    if let Some(ship) = classified.iter().find(|(r, _)| *r == Role::Ships) {
        return if tested && !pushed { test() } else { ship.clone() };
    }
    if let Some(ci) = classified.first() {
        return ci.clone();
    }
    if tested {
        return test();
    }
    if !t.tags.is_empty() {
        return (Role::Ships, format!("tags it `{}`", t.tags[0]));
    }
    // its tags are the ones docker/metadata-action writes when CI builds it
    if t.tagged_by_metadata {
        return (
            Role::Ships,
            format!("inherits `{METADATA_TARGET}`, which docker/metadata-action fills with the image's tags in CI"),
        );
    }
    // neither tagged, loaded nor pushed: the result stays in the build cache
    (Role::CiOnly, "builds it without an output, a tag or a push".into())
}

/// `*` and `?` globs, as `--set` patterns take them.
fn glob_match(pattern: &str, name: &str) -> bool {
    globset::Glob::new(pattern).map(|g| g.compile_matcher().is_match(name)).unwrap_or(false)
}

/// The build path of a target run in `dir`.
fn path_of(t: &Target, dir: &str, inv: Option<&Invocation>, sources: &Sources) -> Option<BuildPath> {
    let context = t.context.as_deref().unwrap_or(".");
    let context_rel = context.strip_prefix("cwd://").unwrap_or(context);
    let context_path = join(dir, context_rel)?;
    let written = t.dockerfile.as_deref().unwrap_or("Dockerfile");
    let dockerfile = match written.strip_prefix("cwd://") {
        Some(rel) => join(dir, rel)?,
        None => {
            // bake joins the Dockerfile to the context; `--print` may give it joined already
            let in_context = join(&context_path, written)?;
            match join(dir, written) {
                Some(from_dir)
                    if !sources.dockerfiles.contains(&in_context) && sources.dockerfiles.contains(&from_dir) =>
                {
                    from_dir
                }
                _ => in_context,
            }
        }
    };
    let (role, says) = role_of(t, inv);
    Some(BuildPath {
        dockerfile,
        context: context_path,
        target: t.target.clone(),
        role,
        evidence: Evidence {
            source: Source::Bake,
            file: t.file.clone(),
            line: t.line,
            says: format!("bake target `{}` {says}", t.name),
        },
        name: Some(t.name.clone()),
        target_line: t.target_line,
        mounts: Vec::new(),
        images: t.tags.clone(),
        contexts: t.contexts.clone(),
        target_written: None,
        checks: false,
    })
}

// ---- static HCL ------------------------------------------------------------------------

/// A user `function` block: its parameters and its result.
#[derive(Clone)]
struct UserFunc {
    params: Vec<String>,
    variadic: Option<String>,
    result: hcl::edit::expr::Expression,
}

struct Env<'c> {
    ctx: Context<'c>,
    funcs: HashMap<String, UserFunc>,
}

fn hcl_definition(file: &super::File, env: &[(String, String)], notes: &mut Vec<Note>) -> Definition {
    let lines = LineIndex::new(&file.text);
    let body: Body = match hcl::edit::parser::parse_body(&file.text) {
        Ok(b) => b,
        Err(e) => {
            notes.push(Note {
                file: file.path.clone(),
                line: e.location().line(),
                message: format!("not valid HCL ({}): its targets are not read", e.message()),
            });
            return Definition::default();
        }
    };
    let line_of = |s: Option<std::ops::Range<usize>>| s.map(|r| lines.line(r.start)).unwrap_or(0);
    let mut e = Env { ctx: stdlib(), funcs: HashMap::new() };
    // user functions first: variables may call them
    for block in body.blocks().filter(|b| b.ident.as_str() == "function") {
        let Some(name) = block.labels.first().map(|l| l.as_str().to_owned()) else { continue };
        let names = |key: &str| -> Vec<String> {
            match block.body.get_attribute(key).map(|a| hcl::Expression::from(a.value.clone())) {
                Some(hcl::Expression::Array(items)) => items
                    .into_iter()
                    .filter_map(|i| match i {
                        hcl::Expression::Variable(v) => Some(v.to_string()),
                        hcl::Expression::String(s) => Some(s),
                        _ => None,
                    })
                    .collect(),
                Some(hcl::Expression::Variable(v)) => vec![v.to_string()],
                _ => Vec::new(),
            }
        };
        let Some(result) = block.body.get_attribute("result").map(|a| a.value.clone()) else { continue };
        let variadic = names("variadic_params").into_iter().next();
        e.funcs.insert(name, UserFunc { params: names("params"), variadic, result });
    }
    // variables: blocks and top-level attributes; defaults may name each other, so settle
    // them in passes; the environment wins, as in bake
    let mut pending: Vec<(String, Option<hcl::edit::expr::Expression>, usize)> = Vec::new();
    for s in body.iter() {
        match s {
            Structure::Block(b) if b.ident.as_str() == "variable" => {
                if let Some(name) = b.labels.first().map(|l| l.as_str().to_owned()) {
                    let default = b.body.get_attribute("default").map(|a| a.value.clone());
                    pending.push((name, default, line_of(b.span())));
                }
            }
            Structure::Attribute(a) => {
                pending.push((a.key.as_str().to_owned(), Some(a.value.clone()), line_of(a.span())))
            }
            _ => {}
        }
    }
    for (name, value) in env {
        if pending.iter().any(|(n, _, _)| n == name) {
            e.ctx.declare_var(name.as_str(), value.as_str());
        }
    }
    let mut unresolved: Vec<(String, usize, String)> = Vec::new();
    for _ in 0..=pending.len().min(64) {
        let mut progress = false;
        unresolved.clear();
        for (name, default, line) in &pending {
            if env.iter().any(|(n, _)| n == name) || e.ctx_has(name) {
                continue;
            }
            match default {
                None => {
                    e.ctx.declare_var(name.as_str(), Hv::Null);
                    progress = true;
                }
                Some(expr) => match e.eval(expr) {
                    Ok(v) => {
                        e.ctx.declare_var(name.as_str(), v);
                        progress = true;
                    }
                    Err(why) => unresolved.push((name.clone(), *line, why)),
                },
            }
        }
        if !progress {
            break;
        }
    }
    for (name, line, why) in &unresolved {
        notes.push(Note {
            file: file.path.clone(),
            line: *line,
            message: format!("variable `{name}` cannot be resolved statically ({why})"),
        });
    }
    let mut def = Definition::default();
    for block in body.blocks() {
        let Some(label) = block.labels.first().map(|l| l.as_str().to_owned()) else { continue };
        match block.ident.as_str() {
            "group" => {
                let targets = block
                    .body
                    .get_attribute("targets")
                    .and_then(|a| e.eval(&a.value).ok())
                    .map(|v| strings(&v))
                    .unwrap_or_default();
                def.groups.insert(label, targets);
            }
            "target" => {
                for t in targets_of(block, &label, &e, &file.path, &lines, notes) {
                    if t.name != label {
                        def.expanded.entry(label.clone()).or_default().push(t.name.clone());
                    }
                    def.targets.insert(t.name.clone(), t);
                }
            }
            _ => {}
        }
    }
    resolve_inherits(&mut def, notes);
    def
}

impl Env<'_> {
    fn ctx_has(&self, name: &str) -> bool {
        hcl::Expression::Variable(hcl::expr::Variable::unchecked(name)).evaluate(&self.ctx).is_ok()
    }

    /// Evaluate an expression, user functions inlined first.
    fn eval(&self, expr: &hcl::edit::expr::Expression) -> Result<Hv, String> {
        self.eval_in(expr, &self.ctx, 0)
    }

    fn eval_in(&self, expr: &hcl::edit::expr::Expression, ctx: &Context, depth: usize) -> Result<Hv, String> {
        if depth > 16 {
            return Err("functions nest too deeply".into());
        }
        let mut expr = expr.clone();
        if !self.funcs.is_empty() {
            let mut inliner = Inliner { env: self, ctx, depth, error: None };
            hcl::edit::visit_mut::VisitMut::visit_expr_mut(&mut inliner, &mut expr);
            if let Some(e) = inliner.error {
                return Err(e);
            }
        }
        hcl::Expression::from(expr).evaluate(ctx).map_err(|e| e.to_string())
    }
}

/// Replaces calls of user functions by their value.
struct Inliner<'e, 'c, 'x> {
    env: &'e Env<'c>,
    ctx: &'x Context<'x>,
    depth: usize,
    error: Option<String>,
}

impl hcl::edit::visit_mut::VisitMut for Inliner<'_, '_, '_> {
    fn visit_expr_mut(&mut self, expr: &mut hcl::edit::expr::Expression) {
        hcl::edit::visit_mut::visit_expr_mut(self, expr);
        let hcl::edit::expr::Expression::FuncCall(call) = expr else { return };
        let Some(f) = self.env.funcs.get(call.name.name.as_str()) else { return };
        let mut ctx = self.ctx.clone();
        let mut args = Vec::new();
        for a in call.args.iter() {
            match self.env.eval_in(a, self.ctx, self.depth + 1) {
                Ok(v) => args.push(v),
                Err(e) => {
                    self.error.get_or_insert(e);
                    return;
                }
            }
        }
        for (i, p) in f.params.iter().enumerate() {
            ctx.declare_var(p.as_str(), args.get(i).cloned().unwrap_or(Hv::Null));
        }
        if let Some(v) = &f.variadic {
            ctx.declare_var(v.as_str(), Hv::Array(args.iter().skip(f.params.len()).cloned().collect()));
        }
        match self.env.eval_in(&f.result, &ctx, self.depth + 1) {
            Ok(v) => *expr = hcl::edit::expr::Expression::from(hcl::Expression::from(v)),
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
    }
}

/// A target block: one target, or one per matrix combination (named by `name`).
fn targets_of(
    block: &Block,
    label: &str,
    e: &Env,
    file: &str,
    lines: &LineIndex,
    notes: &mut Vec<Note>,
) -> Vec<Target> {
    let line = block.span().map(|r| lines.line(r.start)).unwrap_or(0);
    let mut combos: Vec<Vec<(String, Hv)>> = vec![Vec::new()];
    if let Some(m) = block.body.get_attribute("matrix") {
        match e.eval(&m.value) {
            Ok(Hv::Object(dims)) => {
                for (key, values) in dims {
                    let values = match values {
                        Hv::Array(v) => v,
                        other => vec![other],
                    };
                    let key = &key;
                    combos = combos
                        .into_iter()
                        .flat_map(|c| {
                            values.iter().map(move |v| {
                                let mut c = c.clone();
                                c.push((key.to_string(), v.clone()));
                                c
                            })
                        })
                        .take(256)
                        .collect();
                }
            }
            Ok(_) | Err(_) => notes.push(Note {
                file: file.to_owned(),
                line,
                message: format!("target `{label}`: its matrix cannot be resolved statically; read as one target"),
            }),
        }
    }
    let matrix = combos.len() > 1 || combos.first().is_some_and(|c| !c.is_empty());
    combos
        .into_iter()
        .map(|combo| {
            let mut ctx = e.ctx.clone();
            for (k, v) in &combo {
                ctx.declare_var(k.as_str(), v.clone());
            }
            let mut attr = |key: &str| -> Option<(Hv, usize)> {
                let a = block.body.get_attribute(key)?;
                let l = a.span().map(|r| lines.line(r.start)).unwrap_or(line);
                match e.eval_in(&a.value, &ctx, 0) {
                    Ok(v) => Some((v, l)),
                    Err(why) => {
                        notes.push(Note {
                            file: file.to_owned(),
                            line: l,
                            message: format!(
                                "target `{label}`: `{key}` cannot be resolved statically ({why}); left unset"
                            ),
                        });
                        None
                    }
                }
            };
            let text = |v: Hv| match v {
                Hv::String(s) => Some(s),
                Hv::Null => None,
                other => Some(other.to_string()),
            };
            let name = match attr("name").and_then(|(v, _)| text(v)) {
                Some(n) if matrix => n,
                _ if matrix => format!(
                    "{label}-{}",
                    combo.iter().map(|(_, v)| text(v.clone()).unwrap_or_default()).collect::<Vec<_>>().join("-")
                ),
                _ => label.to_owned(),
            };
            let target = attr("target");
            Target {
                name,
                file: file.to_owned(),
                line,
                context: attr("context").and_then(|(v, _)| text(v)),
                dockerfile: attr("dockerfile").and_then(|(v, _)| text(v)),
                target_line: target.as_ref().map(|(_, l)| *l),
                target: target.and_then(|(v, _)| text(v)),
                output: attr("output").map(|(v, _)| strings(&v)).unwrap_or_default(),
                tags: attr("tags").map(|(v, _)| strings(&v)).unwrap_or_default(),
                call: attr("call").and_then(|(v, _)| text(v)),
                inherits: attr("inherits").map(|(v, _)| strings(&v)).unwrap_or_default(),
                contexts: match attr("contexts") {
                    Some((Hv::Object(map), _)) => map.keys().cloned().collect(),
                    _ => Vec::new(),
                },
                tagged_by_metadata: false,
            }
        })
        .collect()
}

/// Strings of a value: a string, or a list's strings (an output object as `k=v,…`).
fn strings(v: &Hv) -> Vec<String> {
    match v {
        Hv::String(s) => vec![s.clone()],
        Hv::Array(items) => items.iter().flat_map(strings).collect(),
        Hv::Object(map) => vec![map
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string())))
            .collect::<Vec<_>>()
            .join(",")],
        _ => Vec::new(),
    }
}

/// Fill each target's unset attributes from what it inherits, in order (a later parent wins
/// over an earlier one, the target's own over all).
fn resolve_inherits(def: &mut Definition, notes: &mut Vec<Note>) {
    let names: Vec<String> = def.targets.keys().cloned().collect();
    for name in names {
        let mut seen = vec![name.clone()];
        let resolved = inherit(def, &name, &mut seen, notes);
        if let Some(r) = resolved {
            def.targets.insert(name, r);
        }
    }
}

fn inherit(def: &Definition, name: &str, seen: &mut Vec<String>, notes: &mut Vec<Note>) -> Option<Target> {
    let own = def.targets.get(name)?.clone();
    let mut base = Target::default();
    for parent in &own.inherits {
        if seen.contains(parent) || seen.len() > 32 {
            notes.push(Note {
                file: own.file.clone(),
                line: own.line,
                message: format!("target `{name}` inherits in a cycle through `{parent}`"),
            });
            continue;
        }
        seen.push(parent.clone());
        let Some(p) = inherit(def, parent, seen, notes) else {
            notes.push(Note {
                file: own.file.clone(),
                line: own.line,
                message: format!("target `{name}` inherits `{parent}`, which is not defined"),
            });
            continue;
        };
        seen.pop();
        base.tagged_by_metadata |= p.tagged_by_metadata || parent == METADATA_TARGET;
        base.context = p.context.or(base.context);
        base.dockerfile = p.dockerfile.or(base.dockerfile);
        if p.target.is_some() {
            base.target = p.target;
            base.target_line = p.target_line;
        }
        if !p.output.is_empty() {
            base.output = p.output;
        }
        if !p.tags.is_empty() {
            base.tags = p.tags;
        }
        base.call = p.call.or(base.call);
        if !p.contexts.is_empty() {
            base.contexts = p.contexts;
        }
    }
    Some(Target {
        context: own.context.or(base.context),
        dockerfile: own.dockerfile.or(base.dockerfile),
        target_line: if own.target.is_some() { own.target_line } else { base.target_line },
        target: own.target.or(base.target),
        output: if own.output.is_empty() { base.output } else { own.output },
        tags: if own.tags.is_empty() { base.tags } else { own.tags },
        call: own.call.or(base.call),
        contexts: if own.contexts.is_empty() { base.contexts } else { own.contexts.clone() },
        tagged_by_metadata: own.tagged_by_metadata || base.tagged_by_metadata,
        ..own
    })
}

/// The functions of bake's standard library that build files use most.
fn stdlib() -> Context<'static> {
    let mut ctx = Context::new();
    let any = || FuncDef::builder().variadic_param(ParamType::Any);
    fn text(v: &Hv) -> String {
        match v {
            Hv::String(s) => s.clone(),
            Hv::Null => String::new(),
            o => o.to_string(),
        }
    }
    fn list(v: &Hv) -> Vec<Hv> {
        match v {
            Hv::Array(a) => a.clone(),
            Hv::Null => Vec::new(),
            o => vec![o.clone()],
        }
    }
    fn arg(a: &FuncArgs, i: usize) -> Hv {
        a.get(i).cloned().unwrap_or(Hv::Null)
    }
    let defs: &[(&str, hcl::eval::Func)] = &[
        ("equal", |a| Ok(Hv::Bool(arg(&a, 0) == arg(&a, 1)))),
        ("notequal", |a| Ok(Hv::Bool(arg(&a, 0) != arg(&a, 1)))),
        ("and", |a| Ok(Hv::Bool(a.iter().all(|v| v.as_bool() == Some(true))))),
        ("or", |a| Ok(Hv::Bool(a.iter().any(|v| v.as_bool() == Some(true))))),
        ("not", |a| Ok(Hv::Bool(arg(&a, 0).as_bool() != Some(true)))),
        ("coalesce", |a| {
            Ok(a.iter().find(|v| !matches!(v, Hv::Null) && !text(v).is_empty()).cloned().unwrap_or(Hv::Null))
        }),
        ("concat", |a| Ok(Hv::Array(a.iter().flat_map(list).collect()))),
        ("flatten", |a| Ok(Hv::Array(list(&arg(&a, 0)).iter().flat_map(list).collect()))),
        ("contains", |a| Ok(Hv::Bool(list(&arg(&a, 0)).contains(&arg(&a, 1))))),
        ("length", |a| {
            Ok(Hv::from(match arg(&a, 0) {
                Hv::Array(x) => x.len(),
                Hv::Object(o) => o.len(),
                Hv::String(s) => s.chars().count(),
                _ => 0,
            } as u64))
        }),
        ("element", |a| {
            let l = list(&arg(&a, 0));
            let i = arg(&a, 1).as_u64().ok_or("element: the index is not a number")? as usize;
            l.get(i % l.len().max(1)).cloned().ok_or_else(|| "element: the list is empty".into())
        }),
        ("join", |a| Ok(Hv::String(list(&arg(&a, 1)).iter().map(text).collect::<Vec<_>>().join(&text(&arg(&a, 0)))))),
        ("split", |a| {
            Ok(Hv::Array(text(&arg(&a, 1)).split(&text(&arg(&a, 0))).map(|p| Hv::String(p.to_owned())).collect()))
        }),
        ("lower", |a| Ok(Hv::String(text(&arg(&a, 0)).to_lowercase()))),
        ("upper", |a| Ok(Hv::String(text(&arg(&a, 0)).to_uppercase()))),
        ("trimspace", |a| Ok(Hv::String(text(&arg(&a, 0)).trim().to_owned()))),
        ("trimprefix", |a| {
            let (s, p) = (text(&arg(&a, 0)), text(&arg(&a, 1)));
            Ok(Hv::String(s.strip_prefix(p.as_str()).unwrap_or(&s).to_owned()))
        }),
        ("trimsuffix", |a| {
            let (s, p) = (text(&arg(&a, 0)), text(&arg(&a, 1)));
            Ok(Hv::String(s.strip_suffix(p.as_str()).unwrap_or(&s).to_owned()))
        }),
        ("replace", |a| Ok(Hv::String(text(&arg(&a, 0)).replace(&text(&arg(&a, 1)), &text(&arg(&a, 2)))))),
        ("sanitize", |a| {
            Ok(Hv::String(text(&arg(&a, 0)).chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()))
        }),
        ("basename", |a| Ok(Hv::String(text(&arg(&a, 0)).rsplit('/').next().unwrap_or_default().to_owned()))),
        ("dirname", |a| {
            Ok(Hv::String(text(&arg(&a, 0)).rsplit_once('/').map(|(d, _)| d.to_owned()).unwrap_or_else(|| ".".into())))
        }),
        ("format", |a| {
            let mut out = String::new();
            let f = text(&arg(&a, 0));
            let mut args = a.iter().skip(1);
            let mut chars = f.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '%' {
                    match chars.next() {
                        Some('%') => out.push('%'),
                        Some(_) => out.push_str(&args.next().map(text).unwrap_or_default()),
                        None => out.push('%'),
                    }
                } else {
                    out.push(c);
                }
            }
            Ok(Hv::String(out))
        }),
        ("lookup", |a| {
            let key = text(&arg(&a, 1));
            match arg(&a, 0) {
                Hv::Object(o) => Ok(o.get(&key).cloned().unwrap_or_else(|| arg(&a, 2))),
                _ => Ok(arg(&a, 2)),
            }
        }),
    ];
    for (name, f) in defs {
        ctx.declare_func(*name, any().build(*f));
    }
    ctx
}

// ---- JSON and compose ------------------------------------------------------------------

/// A bake file in JSON: `{"variable": …, "group": …, "target": …}`, values literal.
fn json_definition(file: &super::File, notes: &mut Vec<Note>) -> Definition {
    match tree::jsonc(&file.text) {
        Ok(doc) => tree_definition(&doc, &file.path),
        Err(e) => {
            notes.push(Note {
                file: file.path.clone(),
                line: e.line,
                message: format!("not valid JSON ({}): its targets are not read", e.message),
            });
            Definition::default()
        }
    }
}

fn tree_definition(doc: &Node, file: &str) -> Definition {
    let mut def = Definition::default();
    for (name, g) in doc.get("group").map(Node::entries).unwrap_or_default() {
        def.groups.insert(
            name.clone(),
            g.get("targets").map(|t| t.strings().into_iter().map(str::to_owned).collect()).unwrap_or_default(),
        );
    }
    for (name, t) in doc.get("target").map(Node::entries).unwrap_or_default() {
        let list = |k: &str| -> Vec<String> {
            t.get(k)
                .map(|n| match &n.value {
                    tree::Value::Seq(items) => items
                        .iter()
                        .map(|i| match i.as_str() {
                            Some(s) => s.to_owned(),
                            None => i
                                .entries()
                                .iter()
                                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                                .collect::<Vec<_>>()
                                .join(","),
                        })
                        .collect(),
                    _ => n.strings().into_iter().map(str::to_owned).collect(),
                })
                .unwrap_or_default()
        };
        def.targets.insert(
            name.clone(),
            Target {
                name: name.clone(),
                file: file.to_owned(),
                line: t.line,
                context: t.str_at("context").map(str::to_owned),
                dockerfile: t.str_at("dockerfile").map(str::to_owned),
                target: t.str_at("target").map(str::to_owned),
                target_line: t.get("target").map(|n| n.line),
                output: list("output"),
                tags: list("tags"),
                call: t.str_at("call").map(str::to_owned),
                inherits: list("inherits"),
                contexts: t
                    .get("contexts")
                    .map(|c| c.entries().iter().map(|(k, _)| k.clone()).collect())
                    .unwrap_or_default(),
                tagged_by_metadata: false,
            },
        );
    }
    let mut notes = Vec::new();
    resolve_inherits(&mut def, &mut notes);
    def
}

/// `docker buildx bake --print`'s JSON, with the lines of the static reading.
fn printed_definition(json: &str, lines_from: &Definition) -> Result<Definition, String> {
    let doc = tree::jsonc(json).map_err(|e| e.message)?;
    let mut def = tree_definition(&doc, "");
    for (name, t) in def.targets.iter_mut() {
        // the printed targets are flat; their file and lines come from the static reading
        let known = lines_from.targets.get(name).or_else(|| {
            lines_from
                .expanded
                .iter()
                .find(|(_, many)| many.contains(name))
                .and_then(|(base, _)| lines_from.targets.get(base))
        });
        if let Some(k) = known {
            t.file = k.file.clone();
            t.line = k.line;
            if t.target == k.target {
                t.target_line = k.target_line;
            } else {
                t.target_line = None;
            }
            t.inherits = k.inherits.clone();
            t.tagged_by_metadata = k.tagged_by_metadata;
        }
    }
    def.expanded = lines_from.expanded.clone();
    // `--print` lists the targets it was asked for as `default`: the file's groups stand
    def.groups = lines_from.groups.clone();
    Ok(def)
}

/// A compose file read by bake: each service with a `build` is a target of its name.
fn compose_definition(file: &super::File, notes: &mut Vec<Note>) -> Definition {
    let mut def = Definition::default();
    let doc = match tree::yaml(&file.text) {
        Ok(d) => d,
        Err(_) => return def, // the compose reader notes it
    };
    let _ = notes;
    for (name, svc) in doc.get("services").map(Node::entries).unwrap_or_default() {
        let Some(build) = svc.get("build") else { continue };
        let (context, dockerfile, target) = match build.as_str() {
            Some(c) => (Some(c.to_owned()), None, None),
            None => (
                build.str_at("context").map(str::to_owned),
                build.str_at("dockerfile").map(str::to_owned),
                build.get("target"),
            ),
        };
        let dir = folder(&file.path);
        let context = context
            .map(|c| if dir == "." { c } else { format!("{dir}/{c}") })
            .or_else(|| (dir != ".").then(|| dir.clone()));
        def.targets.insert(
            name.clone(),
            Target {
                name: name.clone(),
                file: file.path.clone(),
                line: svc.line,
                context,
                dockerfile,
                target_line: target.map(|t| t.line),
                target: target.and_then(Node::as_str).map(str::to_owned),
                tags: svc.str_at("image").map(|i| vec![i.to_owned()]).unwrap_or_default(),
                ..Target::default()
            },
        );
        def.groups.entry("default".into()).or_default().push(name.clone());
    }
    def
}

#[cfg(test)]
mod tests {
    use super::super::File;
    use super::*;

    fn sources(files: &[(&str, &str)], dockerfiles: &[&str]) -> Sources {
        Sources {
            files: files.iter().map(|(p, t)| File { path: (*p).into(), text: (*t).into() }).collect(),
            dockerfiles: dockerfiles.iter().map(|d| (*d).to_owned()).collect(),
            ..Sources::default()
        }
    }

    const BUILDX_LIKE: &str = r#"
variable "DESTDIR" {
  default = "./bin"
}
target "_common" {
  args = { GO_VERSION = "1.23" }
}
group "default" {
  targets = ["binaries"]
}
group "validate" {
  targets = ["lint", "validate-vendor"]
}
target "lint" {
  inherits = ["_common"]
  dockerfile = "./hack/dockerfiles/lint.Dockerfile"
  output = ["type=cacheonly"]
}
target "validate-vendor" {
  inherits = ["_common"]
  dockerfile = "./hack/dockerfiles/vendor.Dockerfile"
  target = "validate"
  output = ["type=cacheonly"]
}
target "update-vendor" {
  inherits = ["_common"]
  dockerfile = "./hack/dockerfiles/vendor.Dockerfile"
  target = "update"
  output = ["."]
}
target "binaries" {
  inherits = ["_common"]
  target = "binaries"
  output = ["${DESTDIR}/build"]
}
target "meta-helper" {
  tags = ["docker/buildx-bin:local"]
}
target "image" {
  inherits = ["meta-helper", "binaries"]
  output = ["type=image"]
}
target "check" {
  call = "check"
}
"#;

    #[test]
    fn ci_only_targets_export_validate_or_check() {
        let s = sources(
            &[("docker-bake.hcl", BUILDX_LIKE)],
            &["Dockerfile", "hack/dockerfiles/lint.Dockerfile", "hack/dockerfiles/vendor.Dockerfile"],
        );
        let mut m = Model::default();
        let r = Resolver::new(&s);
        r.standalone(&mut m);
        let got: Vec<(&str, &str, Option<&str>, Role)> = m
            .paths
            .iter()
            .map(|p| (p.name.as_deref().unwrap(), p.dockerfile.as_str(), p.target.as_deref(), p.role))
            .collect();
        assert_eq!(
            got,
            [
                ("binaries", "Dockerfile", Some("binaries"), Role::CiOnly),
                ("check", "Dockerfile", None, Role::CiOnly),
                ("image", "Dockerfile", Some("binaries"), Role::Ships),
                ("lint", "hack/dockerfiles/lint.Dockerfile", None, Role::CiOnly),
                ("update-vendor", "hack/dockerfiles/vendor.Dockerfile", Some("update"), Role::CiOnly),
                ("validate-vendor", "hack/dockerfiles/vendor.Dockerfile", Some("validate"), Role::CiOnly),
            ]
        );
        let binaries = &m.paths[0];
        assert!(binaries.evidence.says.contains("./bin/build"), "{:?}", binaries.evidence);
        assert_eq!((binaries.evidence.source, binaries.evidence.line), (Source::Bake, 31));
        assert_eq!(binaries.target_line, Some(33));
        assert!(m.notes.is_empty(), "{:?}", m.notes);
    }

    /// Round 75 (chevereto/docker, held out): a target that inherits the empty
    /// `docker-metadata-action` target gets its tags from docker/metadata-action in CI, so it
    /// is a tagged image, not a build left in the cache; through a parent too. An output still
    /// says first what a build does.
    #[test]
    fn a_target_docker_metadata_action_tags_ships() {
        let bake = r#"target "docker-metadata-action" {}
target "_common" {
  inherits = ["docker-metadata-action"]
}
target "build" {
  inherits = ["docker-metadata-action"]
  context = "./"
  dockerfile = "Dockerfile"
}
target "app" {
  inherits = ["_common"]
  dockerfile = "app.Dockerfile"
}
target "lint" {
  inherits = ["docker-metadata-action"]
  dockerfile = "lint.Dockerfile"
  output = ["type=cacheonly"]
}
target "plain" {
  dockerfile = "plain.Dockerfile"
}
"#;
        let s = sources(
            &[("docker-bake.hcl", bake)],
            &["Dockerfile", "app.Dockerfile", "lint.Dockerfile", "plain.Dockerfile"],
        );
        let mut m = Model::default();
        Resolver::new(&s).standalone(&mut m);
        let got: Vec<(&str, Role)> = m.paths.iter().map(|p| (p.name.as_deref().unwrap(), p.role)).collect();
        assert_eq!(
            got,
            [("app", Role::Ships), ("build", Role::Ships), ("lint", Role::CiOnly), ("plain", Role::CiOnly)]
        );
        assert!(m.paths[1].evidence.says.contains("inherits `docker-metadata-action`"), "{:?}", m.paths[1].evidence);
    }

    #[test]
    fn invocations_override_outputs_and_expand_groups() {
        let s = sources(&[("docker-bake.hcl", BUILDX_LIKE)], &["Dockerfile"]);
        let mut m = Model::default();
        let r = Resolver::new(&s);
        let ev = Evidence {
            source: Source::Workflow,
            file: ".github/workflows/ci.yml".into(),
            line: 9,
            says: "docker/bake-action builds".into(),
        };
        r.invoke(
            &Invocation { dir: ".".into(), targets: vec!["binaries".into()], push: true, ..Invocation::default() },
            &ev,
            &mut m,
        );
        assert_eq!(m.paths[0].role, Role::Ships);
        assert_eq!(m.paths[0].evidence.line, 9);
        assert!(
            m.paths[0].evidence.says.contains("bake target `binaries` (docker-bake.hcl:31)"),
            "{}",
            m.paths[0].evidence.says
        );
        m.paths.clear();
        r.invoke(
            &Invocation { dir: ".".into(), targets: vec!["validate".into()], ..Invocation::default() },
            &ev,
            &mut m,
        );
        assert_eq!(m.paths.iter().map(|p| p.name.clone().unwrap()).collect::<Vec<_>>(), ["lint", "validate-vendor"]);
        m.paths.clear();
        // --set replaces the output; the default group when no target is named
        r.invoke(
            &Invocation { dir: ".".into(), set: vec!["*.output=type=docker".into()], ..Invocation::default() },
            &ev,
            &mut m,
        );
        assert_eq!((m.paths[0].name.as_deref(), m.paths[0].role), (Some("binaries"), Role::Ships));
        m.paths.clear();
        r.invoke(&Invocation { dir: ".".into(), targets: vec!["nope".into()], ..Invocation::default() }, &ev, &mut m);
        assert!(m.paths.is_empty() && m.notes.iter().any(|n| n.message.contains("`nope` is not defined")));
    }

    #[test]
    fn matrix_functions_and_variables_resolve_statically() {
        let hcl = r#"
REGISTRY = "ghcr.io/o"
variable "TAG" { default = "latest" }
function "image" {
  params = [name]
  result = "${REGISTRY}/${name}:${TAG}"
}
target "svc" {
  name = "svc-${tgt}"
  matrix = { tgt = ["api", "web"] }
  context = "services/${tgt}"
  tags = [image(tgt)]
}
target "docs" {
  dockerfile = "docs.Dockerfile"
  tags = [image(lower("DOCS"))]
  output = [equal(TAG, "latest") ? "type=registry" : "type=cacheonly"]
}
"#;
        let s = sources(
            &[("docker-bake.hcl", hcl)],
            &["services/api/Dockerfile", "services/web/Dockerfile", "docs.Dockerfile"],
        );
        let mut m = Model::default();
        let r = Resolver::new(&s);
        let def = r.definition(&["docker-bake.hcl".into()], &[]);
        assert_eq!(def.targets["svc-api"].tags, ["ghcr.io/o/api:latest"]);
        assert_eq!(def.targets["svc-web"].context.as_deref(), Some("services/web"));
        assert_eq!(def.expand(&["svc".into()]).0, ["svc-api", "svc-web"]);
        assert_eq!(def.targets["docs"].tags, ["ghcr.io/o/docs:latest"]);
        assert_eq!(def.targets["docs"].output, ["type=registry"]);
        // the invocation's environment sets a variable
        let def = r.definition(&["docker-bake.hcl".into()], &[("TAG".into(), "pr".into())]);
        assert_eq!(def.targets["docs"].output, ["type=cacheonly"]);
        r.standalone(&mut m);
        let roles: Vec<(&str, Role)> = m.paths.iter().map(|p| (p.dockerfile.as_str(), p.role)).collect();
        assert_eq!(
            roles,
            [
                ("docs.Dockerfile", Role::Ships),
                ("services/api/Dockerfile", Role::Ships),
                ("services/web/Dockerfile", Role::Ships)
            ]
        );
    }

    #[test]
    fn what_cannot_be_resolved_is_a_note() {
        let hcl = "target \"a\" {\n  dockerfile = unknownfn(\"x\")\n  tags = [\"${NOPE}\"]\n}\n";
        let s = sources(&[("docker-bake.hcl", hcl)], &["Dockerfile"]);
        let mut m = Model::default();
        let r = Resolver::new(&s);
        r.standalone(&mut m);
        assert_eq!(m.paths.len(), 1, "the target is still read, with the attribute unset");
        assert_eq!(m.paths[0].dockerfile, "Dockerfile");
        assert!(
            m.notes.iter().any(|n| n.line == 2 && n.message.contains("`dockerfile` cannot be resolved")),
            "{:?}",
            m.notes
        );
        let bad = sources(&[("docker-bake.hcl", "target \"a\" {\n")], &[]);
        let mut m = Model::default();
        Resolver::new(&bad).standalone(&mut m);
        assert!(m.paths.is_empty() && m.notes[0].message.contains("not valid HCL"), "{:?}", m.notes);
    }

    #[test]
    fn printed_json_is_exact_and_keeps_the_lines() {
        let s = Sources {
            printed: vec![super::super::Printed {
                files: vec!["docker-bake.hcl".into()],
                dir: ".".into(),
                json: r#"{"group":{"default":{"targets":["binaries"]}},"target":{"binaries":{"context":".","dockerfile":"Dockerfile","target":"binaries","output":[{"type":"local","dest":"./bin/build"}]},"image":{"context":".","dockerfile":"Dockerfile","target":"binaries","tags":["docker/buildx-bin:local"],"output":[{"type":"image"}]}}}"#.into(),
            }],
            ..sources(&[("docker-bake.hcl", BUILDX_LIKE)], &["Dockerfile"])
        };
        let r = Resolver::new(&s);
        let def = r.definition(&["docker-bake.hcl".into()], &[]);
        assert_eq!(def.targets.len(), 2, "bake's answer replaces the static one");
        assert_eq!(def.targets["binaries"].output, ["type=local,dest=./bin/build"]);
        assert_eq!((def.targets["binaries"].file.as_str(), def.targets["binaries"].line), ("docker-bake.hcl", 31));
        assert_eq!(role_of(&def.targets["binaries"], None).0, Role::CiOnly);
        assert_eq!(role_of(&def.targets["image"], None).0, Role::Ships);
    }

    #[test]
    fn outputs_classify() {
        for (o, role) in [
            ("type=cacheonly", Role::CiOnly),
            ("type=local,dest=out", Role::CiOnly),
            (".", Role::CiOnly),
            ("./bin", Role::CiOnly),
            ("type=tar,dest=x.tar", Role::CiOnly),
            ("type=registry", Role::Ships),
            ("type=image,push=true", Role::Ships),
            ("type=docker", Role::Ships),
            ("type=docker,dest=img.tar", Role::CiOnly),
        ] {
            assert_eq!(classify_output(o).0, role, "{o}");
        }
    }
}
