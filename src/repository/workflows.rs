//! GitHub workflows as evidence: what CI builds, and what becomes of it. Read from every
//! `.github/workflows/*.yml`:
//! - `docker/build-push-action` steps (and its drop-in forks, any `<owner>/build-push-action`
//!   such as `useblacksmith/build-push-action`, and an organisation's own action in a folder
//!   of a repository whose name starts `build-push`, such as
//!   `grafana/shared-workflows/actions/build-push-to-dockerhub`): `context`, `file`, `target`,
//!   `push`, `load`, `outputs`, `tags`, `call`;
//! - `docker/bake-action` steps (and any `<owner>/bake-action`): `files`, `targets`, `push`,
//!   `load`, `set`, `workdir`, resolved through the bake files (`super::bake`);
//! - calls of reusable workflows: a local one (`./.github/workflows/x.yml`) is read with the
//!   caller's `with:` as its `inputs`; another repository's is judged by its `with:` (a
//!   context, file, Dockerfile or target), a bake workflow's targets being bake targets;
//! - `docker build`, `docker buildx build`, `docker buildx bake` (and podman's and buildah's
//!   builds) in `run:` steps, with `-f`, `--target`, `--push`, `--load`, `--output`, `-t`,
//!   following `cd` and the step's `working-directory`.
//!
//! `${{ matrix.* }}`, `${{ env.* }}` and `${{ inputs.* }}` are resolved where the workflow
//! gives literal values (a job runs once per matrix combination); anything else is
//! unresolved: a path that needs it becomes a [`Note`], and a `push:` that needs it may push.

use std::collections::BTreeMap;

use super::bake::{Invocation, Resolver};
use super::tree::{self, Node, Value};
use super::{join, BuildPath, Evidence, Model, Note, Role, Source, Sources};

/// Whether a repository-relative path is a workflow file.
pub fn is_workflow_path(path: &str) -> bool {
    path.strip_prefix(".github/workflows/")
        .is_some_and(|n| !n.contains('/') && (n.ends_with(".yml") || n.ends_with(".yaml")))
}

/// Values a workflow expression may name: `matrix.*`, `env.*`, `inputs.*`.
#[derive(Debug, Clone, Default)]
struct Scope {
    matrix: BTreeMap<String, String>,
    env: BTreeMap<String, String>,
    inputs: BTreeMap<String, String>,
    /// Where an earlier `actions/checkout` step put the repository (`with: path:`), when not
    /// at the workspace's root.
    checkout: Option<String>,
}

/// A path a step names in the workspace, as a path of the repository: the checkout's folder
/// taken off (`./etherpad/Dockerfile` → `Dockerfile` after a checkout to `etherpad`).
fn in_checkout(path: &str, scope: &Scope) -> String {
    let Some(dir) = &scope.checkout else { return path.to_owned() };
    let p = path.trim_start_matches("./");
    match p.strip_prefix(dir.as_str()) {
        Some("") | Some("/") => ".".into(),
        Some(rest) if rest.starts_with('/') => rest.trim_start_matches('/').to_owned(),
        _ => path.to_owned(),
    }
}

/// A text with every `${{ … }}` it can resolve replaced; `Err` names the first it cannot.
fn expand(text: &str, scope: &Scope) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 3..];
        let Some(end) = after.find("}}") else { return Err(rest[start..].to_owned()) };
        let expr = after[..end].trim();
        let value = lookup(expr, scope).ok_or_else(|| format!("${{{{ {expr} }}}}"))?;
        out.push_str(&value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A text with every `${{ … }}` resolved where it can be, the rest left as `…`.
fn expand_lossy(text: &str, scope: &Scope) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 3..];
        let end = after.find("}}").unwrap_or(after.len());
        out.push_str(&lookup(after[..end].trim(), scope).unwrap_or_else(|| "…".into()));
        rest = after.get(end + 2..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

fn lookup(expr: &str, scope: &Scope) -> Option<String> {
    if expr.contains("&&") {
        return choice(expr, scope);
    }
    if let Some(k) = expr.strip_prefix("matrix.") {
        return scope.matrix.get(k).cloned();
    }
    if let Some(k) = expr.strip_prefix("env.") {
        return scope.env.get(k).cloned();
    }
    if let Some(k) = expr.strip_prefix("inputs.") {
        return scope.inputs.get(k).cloned();
    }
    match expr {
        "github.workspace" => Some(".".into()),
        _ => None,
    }
}

/// GitHub's conditional idiom, `COND && 'a' || 'b'`, when COND can be decided here: a value
/// (`matrix.x`; empty, `false` and `0` are false), its comparison with a literal (`==`,
/// `!=`), or `contains`, `startsWith`, `endsWith` of it and a literal, compared without case
/// as GitHub does. An empty `'a'` is false, so the idiom gives `'b'`. huginn picks each
/// matrix image's Dockerfile so: `docker/${{ contains(matrix.docker_image, 'single-process')
/// && 'single-process' || 'multi-process' }}/Dockerfile`.
fn choice(expr: &str, scope: &Scope) -> Option<String> {
    let (cond, rest) = expr.split_once("&&")?;
    let (yes, no) = rest.split_once("||")?;
    let literal = |t: &str| {
        let t = t.trim();
        t.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')).filter(|v| !v.contains('\'')).map(str::to_owned)
    };
    let operand = |t: &str| literal(t).or_else(|| lookup(t.trim(), scope).filter(|_| !t.contains(['(', '&', '|'])));
    let cond = cond.trim();
    let truth = if let Some((f, args)) = cond.strip_suffix(')').and_then(|c| c.split_once('(')) {
        let (a, b) = args.split_once(',')?;
        let (a, b) = (operand(a)?, operand(b)?);
        match f.trim() {
            "contains" => a.to_lowercase().contains(&b.to_lowercase()),
            "startsWith" => a.to_lowercase().starts_with(&b.to_lowercase()),
            "endsWith" => a.to_lowercase().ends_with(&b.to_lowercase()),
            _ => return None,
        }
    } else if let Some((a, b)) = cond.split_once("==") {
        operand(a)?.eq_ignore_ascii_case(&operand(b)?)
    } else if let Some((a, b)) = cond.split_once("!=") {
        !operand(a)?.eq_ignore_ascii_case(&operand(b)?)
    } else {
        !matches!(operand(cond)?.as_str(), "" | "false" | "0")
    };
    match literal(yes) {
        Some(a) if truth && !a.is_empty() => Some(a),
        _ => literal(no),
    }
}

/// A scalar's text (a non-scalar is empty).
fn text(node: &Node) -> String {
    node.as_str().unwrap_or_default().to_owned()
}

/// The `env:` of a workflow, job or step, literal values only.
fn env_of(node: Option<&Node>, into: &mut BTreeMap<String, String>, scope: &Scope) {
    for (k, v) in node.map(Node::entries).unwrap_or_default() {
        if let Some(s) = v.as_str().and_then(|s| expand(s, scope).ok()) {
            into.insert(k.clone(), s);
        }
    }
}

/// The job's matrix combinations: the product of its lists, `include` added or merged,
/// `exclude` removed, as GitHub does; at most 256. `None` when the matrix is an expression.
fn matrix(job: &Node) -> Option<Vec<BTreeMap<String, String>>> {
    let Some(m) = job.get("strategy").and_then(|s| s.get("matrix")) else { return Some(vec![BTreeMap::new()]) };
    if m.as_str().is_some() {
        return None;
    }
    let mut combos: Vec<BTreeMap<String, String>> = vec![BTreeMap::new()];
    let mut dims: Vec<&str> = Vec::new();
    for (key, values) in m.entries() {
        if key == "include" || key == "exclude" {
            continue;
        }
        let values: Vec<String> = match &values.value {
            Value::Seq(items) => items.iter().map(flat).collect(),
            Value::Scalar(_) => return None,
            _ => continue,
        };
        dims.push(key);
        combos = combos
            .into_iter()
            .flat_map(|c| {
                values.iter().map(move |v| {
                    let mut c = c.clone();
                    c.insert(key.clone(), v.clone());
                    c
                })
            })
            .take(256)
            .collect();
    }
    if let Some(ex) = m.get("exclude") {
        for e in ex.items() {
            let e: BTreeMap<String, String> = e.entries().iter().map(|(k, v)| (k.clone(), flat(v))).collect();
            combos.retain(|c| !e.iter().all(|(k, v)| c.get(k) == Some(v)));
        }
    }
    if dims.is_empty() {
        combos.clear();
    }
    if let Some(inc) = m.get("include") {
        for i in inc.items() {
            let i: BTreeMap<String, String> = i.entries().iter().map(|(k, v)| (k.clone(), flat(v))).collect();
            let mut merged = false;
            for c in combos.iter_mut() {
                // an include extends the combinations whose matrix values it does not change
                if i.iter().all(|(k, v)| !dims.contains(&k.as_str()) || c.get(k) == Some(v)) {
                    for (k, v) in &i {
                        c.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                    merged = true;
                }
            }
            if !merged && combos.len() < 256 {
                combos.push(i);
            }
        }
    }
    if combos.is_empty() {
        combos.push(BTreeMap::new());
    }
    Some(combos)
}

/// A matrix value as text: a scalar, or a mapping's `key=value` (only scalars are looked up).
fn flat(n: &Node) -> String {
    n.as_str().map(str::to_owned).unwrap_or_default()
}

/// Where a piece of evidence is, while a workflow is read.
struct Here<'a> {
    file: &'a str,
    /// The reusable workflow that called this one, for the evidence text.
    via: Option<String>,
    /// Only builds that ship are evidence (another CI system's pipeline, [`read_script`]).
    ships_only: bool,
}

/// Read every workflow.
pub fn read(sources: &Sources, bake: &Resolver, model: &mut Model) {
    for file in sources.files.iter().filter(|f| is_workflow_path(&f.path)) {
        read_file(sources, bake, model, &file.path, &file.text, &Scope::default(), None, 0);
    }
    container_actions(sources, model);
}

#[allow(clippy::too_many_arguments)]
fn read_file(
    sources: &Sources,
    bake: &Resolver,
    model: &mut Model,
    path: &str,
    text: &str,
    outer: &Scope,
    via: Option<String>,
    depth: usize,
) {
    let doc = match tree::yaml(text) {
        Ok(d) => d,
        Err(e) => {
            model.notes.push(Note {
                file: path.into(),
                line: e.line,
                message: format!("not valid YAML ({}): the workflow is not read", e.message),
            });
            return;
        }
    };
    let mut scope = Scope { inputs: outer.inputs.clone(), ..Scope::default() };
    // a called workflow's inputs default to what it declares
    if let Some(inputs) = doc.get("on").and_then(|o| o.get("workflow_call")).and_then(|w| w.get("inputs")) {
        for (k, v) in inputs.entries() {
            if let Some(d) = v.str_at("default") {
                scope.inputs.entry(k.clone()).or_insert_with(|| d.to_owned());
            }
        }
    }
    env_of(doc.get("env"), &mut scope.env, &Scope { inputs: scope.inputs.clone(), ..Scope::default() });
    let here = Here { file: path, via, ships_only: false };
    for (job_id, job) in doc.get("jobs").map(Node::entries).unwrap_or_default() {
        let Some(combos) = matrix(job) else {
            model.notes.push(Note {
                file: path.into(),
                line: job.line,
                message: format!("job `{job_id}`: its matrix is an expression; its builds are read without it"),
            });
            read_job(sources, bake, model, &here, job, &scope, depth, true);
            continue;
        };
        for (n, combo) in combos.into_iter().enumerate() {
            let mut s = scope.clone();
            s.matrix = combo;
            read_job(sources, bake, model, &here, job, &s, depth, n == 0);
        }
    }
}

/// Whether a value mentions the matrix anywhere (`${{ matrix.x }}`).
fn mentions_matrix(node: &Node) -> bool {
    match &node.value {
        Value::Scalar(s) => s.contains("matrix."),
        Value::Seq(items) => items.iter().any(mentions_matrix),
        Value::Map(entries) => entries.iter().any(|(_, v)| mentions_matrix(v)),
        Value::Null => false,
    }
}

/// Read one run of a job. `first`: the first matrix combination; a later one reads only
/// what mentions the matrix, since the rest reads the same in every combination.
#[allow(clippy::too_many_arguments)]
fn read_job(
    sources: &Sources,
    bake: &Resolver,
    model: &mut Model,
    here: &Here,
    job: &Node,
    scope: &Scope,
    depth: usize,
    first: bool,
) {
    let env_varies = job.get("env").is_some_and(mentions_matrix);
    let varies = |n: &Node| first || env_varies || mentions_matrix(n);
    if !first && !env_varies && !mentions_matrix(job) {
        return;
    }
    let mut scope = scope.clone();
    let job_env = scope.clone();
    env_of(job.get("env"), &mut scope.env, &job_env);
    if let Some(uses) = job.get("uses") {
        reusable(sources, bake, model, here, job, uses, &scope, depth);
        return;
    }
    let job_dir = job
        .get("defaults")
        .and_then(|d| d.get("run"))
        .and_then(|r| r.str_at("working-directory"))
        .and_then(|w| expand(w, &scope).ok())
        .and_then(|w| join(".", &w))
        .unwrap_or_else(|| ".".into());
    let all: Vec<&Node> = job.get("steps").map(Node::items).unwrap_or_default().iter().collect();
    // what the whole job does with its images, though a later matrix combination rereads
    // only the steps that vary with it
    let job_use = JobUse::of(&all);
    let steps: Vec<&Node> = all.into_iter().filter(|s| varies(s)).collect();
    read_steps(sources, bake, model, here, &steps, &scope, &job_dir, depth, Some(&job_use));
}

/// Read steps: the builds they start. A local composite action (`uses: ./.github/actions/x`)
/// is read with the step's `with:` as its `inputs`.
#[allow(clippy::too_many_arguments)]
fn read_steps(
    sources: &Sources,
    bake: &Resolver,
    model: &mut Model,
    here: &Here,
    steps: &[&Node],
    scope: &Scope,
    job_dir: &str,
    depth: usize,
    job_use: Option<&JobUse>,
) {
    let own;
    let job = match job_use {
        Some(j) => j,
        None => {
            own = JobUse::of(steps);
            &own
        }
    };
    let mut checkout = scope.checkout.clone();
    for step in steps {
        let mut s = scope.clone();
        s.checkout = checkout.clone();
        let step_scope = s.clone();
        env_of(step.get("env"), &mut s.env, &step_scope);
        if let Some(uses) = step.str_at("uses") {
            let action = uses.split('@').next().unwrap_or(uses).to_ascii_lowercase();
            let with = step.get("with");
            // Docker's actions, and the drop-in forks of them that build on another builder
            // with the same inputs (`useblacksmith/build-push-action`, `depot/bake-action`)
            let name = action.split_once('/').filter(|(owner, _)| *owner != ".").map(|(_, name)| name);
            // the job's own repository checked out into a folder of the workspace
            if action == "actions/checkout" && with.and_then(|w| w.get("repository")).is_none() {
                checkout = with
                    .and_then(|w| w.str_at("path"))
                    .map(|p| p.trim_start_matches("./").trim_end_matches('/').to_owned())
                    .filter(|p| !p.is_empty() && p != "." && !p.contains("${{"));
            }
            // … and an organisation's own build-and-push action with build-push-action's inputs
            // (`grafana/shared-workflows/actions/build-push-to-dockerhub`)
            let last = action.rsplit('/').next().unwrap_or_default();
            let own_build_push = last.starts_with("build-push") && name.is_some_and(|n| n.contains('/'));
            match (action.as_str(), name) {
                (who, Some("build-push-action")) => build_push(sources, model, here, step, with, &s, who, job),
                (who, Some(_)) if own_build_push => build_push(sources, model, here, step, with, &s, who, job),
                (who, Some("bake-action")) => bake_action(bake, model, here, step, with, &s, who),
                (who, _) if PUBLISHERS.iter().any(|p| p.action == who) => {
                    publish(sources, model, here, step, with, &s, who)
                }
                (local, _) if local.starts_with("./") => composite(sources, bake, model, here, step, uses, &s, depth),
                // a retry action runs its `command` input as a shell step would
                // (`nick-fields/retry`, `Wandalen/wretry.action`: Mailu bakes its images so)
                (_, Some(n)) if n.contains("retry") => {
                    if let Some(command) = with.and_then(|w| w.str_at("command")) {
                        let budget = std::cell::Cell::new(MAX_FOLLOWED);
                        run_step(sources, bake, model, here, step.line, command, job_dir, &s, job, 0, &budget);
                    }
                }
                _ => {}
            }
        } else if let Some(run) = step.str_at("run") {
            let dir = step
                .str_at("working-directory")
                .and_then(|w| expand(w, &s).ok())
                .and_then(|w| join(".", &w))
                .unwrap_or_else(|| job_dir.to_owned());
            run_step(sources, bake, model, here, step.line, run, &dir, &s, job, 0, &std::cell::Cell::new(MAX_FOLLOWED));
        }
    }
}

/// A local composite action: its steps, with the step's `with:` (and the action's input
/// defaults) as `inputs`, and the caller's environment.
#[allow(clippy::too_many_arguments)]
fn composite(
    sources: &Sources,
    bake: &Resolver,
    model: &mut Model,
    here: &Here,
    step: &Node,
    uses: &str,
    scope: &Scope,
    depth: usize,
) {
    let dir = uses.trim_start_matches("./").trim_end_matches('/');
    let Some(file) = ["action.yml", "action.yaml"].iter().find_map(|n| sources.file(&format!("{dir}/{n}"))) else {
        return;
    };
    if depth >= 4 {
        note(model, here, step.line, format!("`{uses}` calls actions too deeply; not followed"));
        return;
    }
    let Ok(doc) = tree::yaml(&file.text) else {
        note(model, here, step.line, format!("`{uses}`: its action.yml is not valid YAML; not followed"));
        return;
    };
    let runs = doc.get("runs");
    if runs.and_then(|r| r.str_at("using")) != Some("composite") {
        return;
    }
    let mut inputs: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in doc.get("inputs").map(Node::entries).unwrap_or_default() {
        if let Some(d) = v.str_at("default").and_then(|d| expand(d, scope).ok()) {
            inputs.insert(k.clone(), d);
        }
    }
    for (k, v) in step.get("with").map(Node::entries).unwrap_or_default() {
        if let Ok(val) = expand(&text(v), scope) {
            inputs.insert(k.clone(), val);
        }
    }
    let inner =
        Scope { inputs, matrix: scope.matrix.clone(), env: scope.env.clone(), checkout: scope.checkout.clone() };
    let steps: Vec<&Node> = runs.and_then(|r| r.get("steps")).map(Node::items).unwrap_or_default().iter().collect();
    let via = Here { file: &file.path, via: Some(format!("{}:{}", here.file, step.line)), ships_only: here.ships_only };
    read_steps(sources, bake, model, &via, &steps, &inner, ".", depth + 1, None);
}

/// The Docker container actions of the repository's own CI, in `.github/` (an action.yml
/// that says `runs: using: docker, image: Dockerfile`): the runner builds the action's
/// Dockerfile to run the step that uses it and throws it away, so the image is CI-only
/// (round 82's meltano, whose workflow's `uses:` to it is even mistyped). Read from the
/// action.yml, whoever uses it. An action elsewhere in the repository may be what the
/// repository publishes for others' workflows, and `image: docker://…` pulls an image
/// rather than building one: neither is read.
fn container_actions(sources: &Sources, model: &mut Model) {
    for file in sources.files.iter().filter(|f| {
        f.path.starts_with(".github/") && matches!(f.path.rsplit('/').next(), Some("action.yml" | "action.yaml"))
    }) {
        let Ok(doc) = tree::yaml(&file.text) else { continue };
        let Some(runs) = doc.get("runs").filter(|r| r.str_at("using") == Some("docker")) else { continue };
        let Some(image) = runs.str_at("image").filter(|i| !i.starts_with("docker://") && !i.contains("${{")) else {
            continue;
        };
        let dir = file.path.rsplit_once('/').map_or(".", |(d, _)| d);
        let Some(dockerfile) = join(dir, image).filter(|d| sources.dockerfiles.contains(d)) else { continue };
        let says = format!("a Docker container action of the repository's CI: the runner builds `{image}` to run the step that uses it, and nothing pushes it");
        let evidence = Evidence { source: Source::Workflow, file: file.path.clone(), line: runs.line, says };
        model.paths.push(BuildPath::plain(dockerfile, dir.to_owned(), Role::CiOnly, evidence));
    }
}

/// A `with:` value, expanded: `Ok(None)` when absent, `Err` with the expression that could
/// not be resolved.
fn with_value(with: Option<&Node>, key: &str, scope: &Scope) -> Result<Option<String>, String> {
    match with.and_then(|w| w.get(key)) {
        None => Ok(None),
        Some(n) => expand(&text(n), scope).map(Some),
    }
}

/// An action's list input: one item a line, or comma-separated when `commas`.
fn list(v: &str, commas: bool) -> Vec<String> {
    v.lines()
        .flat_map(|l| if commas { l.split(',').map(str::to_owned).collect::<Vec<_>>() } else { vec![l.to_owned()] })
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty() && !s.starts_with('#'))
        .collect()
}

/// A workflow boolean: literal `false` is false; an expression may be true.
fn maybe_true(v: &Result<Option<String>, String>) -> Option<bool> {
    match v {
        Ok(Some(s)) => Some(s.trim().eq_ignore_ascii_case("true")),
        Ok(None) => None,
        Err(_) => Some(true),
    }
}

fn says(here: &Here, what: String) -> String {
    match &here.via {
        Some(v) => format!("{what} (called from {v})"),
        None => what,
    }
}

fn note(model: &mut Model, here: &Here, line: usize, message: String) {
    model.notes.push(Note { file: here.file.to_owned(), line, message });
}

/// `context: "{{defaultContext}}:sub"` → `sub`; the default context is the repository.
fn action_context(c: &str) -> String {
    match c.strip_prefix("{{defaultContext}}") {
        Some(rest) => rest.strip_prefix(':').unwrap_or(".").to_owned(),
        None => c.to_owned(),
    }
}

/// What becomes of a build: the role and the words for it, from its flags.
#[derive(Default)]
struct Fate {
    push: Option<bool>,
    load: bool,
    outputs: Vec<String>,
    tagged: bool,
    call: Option<String>,
    /// The names it gives the image.
    images: Vec<String>,
    /// The named build contexts it is given.
    contexts: Vec<String>,
    /// Built on a builder of the job's own (`docker-container`) with no push, load or
    /// output, in a job that sends no image away: the result stays in the build cache.
    cache_only: bool,
    /// The job runs the image it tags (`docker run TAG`) and nothing in it pushes, saves or
    /// re-tags an image: built to be tested in the job.
    run_only: bool,
}

/// What a job does with the images its run steps build: whether anything in it may send an
/// image away (a push, a save, a re-tag, a registry login), and the images it `docker run`s.
#[derive(Default, Clone)]
struct JobUse {
    sends: bool,
    ran: Vec<String>,
    /// The images it pushes, saves or re-tags by name (`docker tag local/app …`: `local/app`).
    sent: Vec<String>,
    /// It runs `docker compose push`, which pushes every service with an `image:`.
    compose_push: bool,
    /// The images it removes by name (`docker image rm --force ralph-deb:latest`, `docker rmi`).
    removed: Vec<String>,
    /// It sets buildx up with a builder of its own (`docker/setup-buildx-action`, whose
    /// default driver is `docker-container`): a build that neither pushes, loads nor writes
    /// an output leaves its result in that builder's cache only.
    own_builder: bool,
}

impl JobUse {
    fn of(steps: &[&Node]) -> JobUse {
        let mut out = JobUse::default();
        for step in steps {
            if let Some(uses) = step.str_at("uses") {
                let action = uses.split('@').next().unwrap_or(uses).to_ascii_lowercase();
                if !Self::quiet_action(&action, step.get("with")) {
                    out.sends = true;
                }
                if action == "docker/setup-buildx-action" {
                    let driver = step.get("with").and_then(|w| w.str_at("driver")).map(str::trim);
                    out.own_builder |= driver.is_none_or(|d| d != "docker");
                }
                continue;
            }
            let Some(run) = step.str_at("run") else { continue };
            out.read_run(run);
        }
        out
    }

    /// What a run step's script (or a make recipe or script it runs) does with images.
    fn read_run(&mut self, run: &str) {
        let joined = run.replace("\\\r\n", " ").replace("\\\n", " ");
        for c in crate::dockerfile::shell::parse(&joined).commands {
            // a make recipe's line prefixes (`@ docker run …`, `-docker rm …`) are not words
            let mut w: Vec<String> = c.effective().to_vec();
            while w.first().is_some_and(|x| !x.is_empty() && x.chars().all(|ch| matches!(ch, '@' | '-' | '+'))) {
                w.remove(0);
            }
            if let Some(first) = w.first_mut() {
                *first = first.trim_start_matches(['@', '-', '+']).to_owned();
            }
            let (Some(prog), Some(sub)) = (w.first(), w.get(1)) else { continue };
            if prog.rsplit('/').next() == Some("docker-compose") {
                let pushes = compose_pushes(&w[1..]);
                self.sends |= pushes;
                self.compose_push |= pushes;
                continue;
            }
            if !matches!(prog.rsplit('/').next(), Some("docker" | "podman" | "nerdctl")) {
                continue;
            }
            // the image a push, save or re-tag names first
            let named = |from: usize| w[from.min(w.len())..].iter().find(|a| !a.starts_with('-')).cloned();
            match sub.as_str() {
                "push" | "save" | "tag" => {
                    self.sends = true;
                    self.sent.extend(named(2));
                }
                "login" | "export" => self.sends = true,
                "image" if matches!(w.get(2).map(String::as_str), Some("push" | "save" | "tag")) => {
                    self.sends = true;
                    self.sent.extend(named(3));
                }
                // `docker buildx build --load` keeps the image here; with `--push` or an
                // output, or any other buildx command, it may send it
                "buildx" if w.get(2).map(String::as_str) == Some("build") => {
                    let sends = w[3..].iter().any(|a| {
                        a == "--push"
                            || a == "-o"
                            || a.starts_with("--output")
                            || a.starts_with("-o=")
                            || a.starts_with("--push=")
                    });
                    self.sends |= sends;
                }
                // compose sends with `push` only (`docker compose build`, `up`, `run` keep
                // their images here)
                "compose" => {
                    let pushes = compose_pushes(&w[2..]);
                    self.sends |= pushes;
                    self.compose_push |= pushes;
                }
                "buildx" | "manifest" => self.sends = true,
                "run" | "create" => self.ran.extend(w[2..].iter().cloned()),
                "rmi" => self.removed.extend(w[2..].iter().filter(|a| !a.starts_with('-')).cloned()),
                "image" if w.get(2).is_some_and(|s| s == "rm") => {
                    self.removed.extend(w[3..].iter().filter(|a| !a.starts_with('-')).cloned());
                }
                _ => {}
            }
        }
    }

    /// Whether the action `action` (lower case, no `@ref`), given `with`, sends no image
    /// away. Docker's build actions (and their drop-in forks) send what they push: a `push`
    /// that is not literally false, an output to a registry; their set-up and metadata
    /// actions send nothing. Any other action whose name says login, push, publish, deploy,
    /// release, registry or upload may, as may any other of Docker's own.
    fn quiet_action(action: &str, with: Option<&Node>) -> bool {
        let name = action.rsplit('/').next().unwrap_or(action);
        if matches!(name, "build-push-action" | "bake-action") {
            let literal = |k: &str| with.and_then(|w| w.get(k)).map(|n| text(n).trim().to_ascii_lowercase());
            let pushes = literal("push").is_some_and(|p| p != "false");
            let outputs = [literal("outputs"), literal("set")].into_iter().flatten().collect::<Vec<_>>().join(" ");
            let sends = outputs.contains("registry") || outputs.contains("push=true") || outputs.contains("${{");
            return !pushes && !sends;
        }
        if action.starts_with("docker/") {
            return matches!(
                name,
                "setup-buildx-action" | "setup-qemu-action" | "setup-docker-action" | "metadata-action"
            );
        }
        const SENDS: &[&str] = &["login", "push", "publish", "deploy", "release", "registry", "ecr", "gcr", "upload"];
        action == "actions/upload-artifact" || !SENDS.iter().any(|w| action.contains(w))
    }

    /// Whether every name of `tags` is run in the job, and nothing sends an image away, or
    /// each is removed after and sent nowhere: a tool built to be run once (allegro/ralph's
    /// `ralph-deb`, which makes the `.deb` in a job that pushes another image; round 79).
    fn only_runs(&self, tags: &[String]) -> bool {
        let named = |list: &[String], t: &str| {
            let bare = t.strip_suffix(":latest").unwrap_or(t);
            list.iter().any(|r| r == t || r == bare || r.strip_suffix(":latest") == Some(bare))
        };
        !tags.is_empty()
            && tags.iter().all(|t| named(&self.ran, t))
            && (!self.sends || tags.iter().all(|t| named(&self.removed, t) && !named(&self.sent, t)))
    }
}

/// Record the named build contexts a build gives, whether or not its path is followed.
fn named_contexts(model: &mut Model, names: &[String]) {
    for n in names {
        if !n.contains('$') && !model.named_contexts.contains(n) {
            model.named_contexts.push(n.clone());
        }
    }
}

/// The names of `name=value` build contexts (`build-contexts:`, `--build-context`).
fn context_names(entries: &[String]) -> Vec<String> {
    entries
        .iter()
        .filter_map(|e| e.split_once('=').map(|(n, _)| n.trim().to_owned()))
        .filter(|n| !n.is_empty())
        .collect()
}

impl Fate {
    /// Whether the build only checks that it builds and discards the result: a `call` check,
    /// an output of type cacheonly, or no push, load, output or run in the job, its result
    /// left in the builder's cache or untagged.
    fn checks(&self) -> bool {
        let cacheonly = |o: &String| o.replace(' ', "").contains("type=cacheonly");
        self.call.as_deref().is_some_and(|c| c != "build")
            || (!self.outputs.is_empty() && self.outputs.iter().all(cacheonly))
            || (self.push != Some(true)
                && !self.load
                && self.outputs.is_empty()
                && !self.run_only
                && (self.cache_only || !self.tagged))
    }

    fn role(&self, target: Option<&str>) -> (Role, String) {
        if let Some(c) = self.call.as_deref().filter(|c| *c != "build") {
            return (Role::CiOnly, format!("only checks it (call: {c})"));
        }
        let exports = self.outputs.iter().find(|o| {
            let o = o.replace(' ', "");
            o.contains("type=local") || o.contains("type=tar") || o.contains("type=cacheonly") || !o.contains("type=")
        });
        // (`push=${{ github.event_name != 'pull_request' }}` in an output, Docker's
        // push-by-digest recipe that Wallos follows, held out in round 73, may push)
        let pushes = self.push == Some(true)
            || self
                .outputs
                .iter()
                .any(|o| o.contains("type=registry") || o.contains("push=true") || o.contains("push=…"));
        if target.is_some_and(super::is_test_name) && !pushes {
            return (Role::CiOnly, format!("builds stage `{}`, a test or check", target.unwrap_or_default()));
        }
        if pushes {
            return (Role::Ships, "pushes it".into());
        }
        if self.run_only {
            return (Role::CiOnly, "builds it and runs it in the job, and nothing there pushes or saves it".into());
        }
        if self.cache_only && !self.load && self.outputs.is_empty() {
            return (
                Role::CiOnly,
                "only builds it: on the builder docker/setup-buildx-action sets up, with no push, load or output, the result stays in the build cache".into(),
            );
        }
        if self.load || self.outputs.iter().any(|o| o.contains("type=docker") && !o.contains("dest=")) {
            return (Role::Ships, "loads it".into());
        }
        if let Some(o) = exports {
            let what = if o.contains("cacheonly") { "only validates it" } else { "exports files" };
            return (Role::CiOnly, format!("{what} (output {o})"));
        }
        if self.tagged {
            return (Role::Ships, "tags it".into());
        }
        if self.push == Some(false) {
            return (Role::CiOnly, "builds it without pushing, loading or tagging it (push: false)".into());
        }
        (Role::CiOnly, "builds it without pushing, loading or tagging it".into())
    }
}

#[allow(clippy::too_many_arguments)]
fn push_path(
    sources: &Sources,
    model: &mut Model,
    here: &Here,
    line: usize,
    who: &str,
    cwd: &str,
    context: &str,
    file: Option<&str>,
    target: Option<(String, usize)>,
    fate: &Fate,
    name: Option<String>,
) {
    let Some(context_path) = join(cwd, context) else {
        note(
            model,
            here,
            line,
            format!("{who}: the context `{context}` is not a folder of this repository; not followed"),
        );
        return;
    };
    let Some(dockerfile) = super::dockerfile_in(cwd, &context_path, file) else {
        note(
            model,
            here,
            line,
            format!(
                "{who}: the Dockerfile `{}` is not a file of this repository; not followed",
                file.unwrap_or_default()
            ),
        );
        return;
    };
    if !sources.dockerfiles.is_empty() && !sources.dockerfiles.contains(&dockerfile) {
        note(
            model,
            here,
            line,
            format!(
                "{who}: builds `{dockerfile}`, which is not in the repository (made during the build?); not followed"
            ),
        );
        return;
    }
    let (mut role, mut what) = fate.role(target.as_ref().map(|(t, _)| t.as_str()));
    // only tagged, in a test folder (a test's own image, built by a test target): the folder
    // says more than the tag
    if role == Role::Ships && fate.push != Some(true) && !fate.load && fate.outputs.is_empty() {
        if let Some(f) = dockerfile.split('/').rev().skip(1).find(|f| super::is_test_folder(f)) {
            role = Role::CiOnly;
            what = format!("{what}, and it is in a test folder (`{f}/`): a test's image");
        }
    }
    if here.ships_only && role != Role::Ships {
        return;
    }
    let target_text = target.as_ref().map(|(t, _)| format!(" (target `{t}`)")).unwrap_or_default();
    model.paths.push(BuildPath {
        dockerfile,
        context: context_path,
        target: target.as_ref().map(|(t, _)| t.clone()),
        role,
        evidence: Evidence {
            source: Source::Workflow,
            file: here.file.to_owned(),
            line,
            says: says(here, format!("{who} {what}{target_text}")),
        },
        name,
        target_line: target.map(|(_, l)| l),
        mounts: Vec::new(),
        images: fate.images.clone(),
        contexts: fate.contexts.clone(),
        target_written: None,
        checks: role == Role::CiOnly && fate.checks(),
    });
}

/// Whether one of an action step's inputs `keys` holds an expression that cannot be resolved
/// here, which is then said in a note: the step is not followed.
fn unresolvable(
    model: &mut Model,
    here: &Here,
    step: &Node,
    who: &str,
    with: Option<&Node>,
    scope: &Scope,
    keys: &[&str],
) -> bool {
    let Some((k, e)) = keys.iter().find_map(|k| with_value(with, k, scope).err().map(|e| (k, e))) else {
        return false;
    };
    note(model, here, step.line, format!("{who}: `{k}` is `{e}`, which cannot be resolved here; not followed"));
    true
}

/// A `build-push-action` step; `who` is the action as written (`docker/build-push-action`).
#[allow(clippy::too_many_arguments)]
fn build_push(
    sources: &Sources,
    model: &mut Model,
    here: &Here,
    step: &Node,
    with: Option<&Node>,
    scope: &Scope,
    who: &str,
    job: &JobUse,
) {
    let get = |k: &str| with_value(with, k, scope);
    // the names are written out even when a value is an expression this reading cannot
    // resolve (`python=docker-image://${{ steps.setup.outputs.python-from }}`)
    let written = get("build-contexts")
        .ok()
        .flatten()
        .or_else(|| with.and_then(|w| w.str_at("build-contexts")).map(str::to_owned));
    let contexts = context_names(&written.map(|c| list(&c, false)).unwrap_or_default());
    named_contexts(model, &contexts);
    // version 1 of docker/build-push-action names its inputs `path`, `dockerfile`,
    // `repository` and `tags`, and pushes unless told `push: false` (SickChill's workflow)
    let v1 =
        step.str_at("uses").is_some_and(|u| u.starts_with("docker/") && (u.ends_with("@v1") || u.contains("@v1.")));
    let keys = if v1 { ["path", "dockerfile", "target"] } else { ["context", "file", "target"] };
    if unresolvable(model, here, step, who, with, scope, &keys) {
        return;
    }
    let (context, file, target) = (get(keys[0]), get(keys[1]), get(keys[2]));
    let context = action_context(&context.unwrap_or_default().unwrap_or_else(|| ".".into()));
    let mut tags = get("tags").ok().flatten().map(|t| list(&t, true)).unwrap_or_default();
    let mut push = maybe_true(&get("push"));
    if v1 {
        push = push.or(Some(true));
        // the image is `registry/repository`, tagged with each of `tags`
        if let Some(repository) = get("repository").ok().flatten().filter(|r| !r.is_empty()) {
            let image = match get("registry").ok().flatten().filter(|r| !r.is_empty()) {
                Some(registry) => format!("{registry}/{repository}"),
                None => repository,
            };
            tags = if tags.is_empty() { vec![image] } else { tags.iter().map(|t| format!("{image}:{t}")).collect() };
        }
    }
    let fate = Fate {
        push,
        load: maybe_true(&get("load")) == Some(true),
        // what an output does is in its literal part (`type=image,…,push=true`), whatever
        // an expression names it
        outputs: with
            .and_then(|w| w.str_at("outputs"))
            .map(|o| list(&expand_lossy(o, scope), false))
            .unwrap_or_default(),
        tagged: !tags.is_empty(),
        // loaded only to be run by the job's later steps (the tests in it)
        run_only: push != Some(true) && job.only_runs(&tags),
        cache_only: !v1 && push != Some(true) && job.own_builder && !job.sends,
        call: get("call").ok().flatten(),
        images: if tags.is_empty() { named_repositories(with, scope) } else { tags.clone() },
        contexts,
    };
    let target = target
        .ok()
        .flatten()
        .filter(|t| !t.is_empty())
        .map(|t| (t, with.and_then(|w| w.get("target")).map_or(step.line, |n| n.line)));
    let file = file.ok().flatten().filter(|f| !f.is_empty()).map(|f| in_checkout(&f, scope));
    let context = in_checkout(&context, scope);
    let name = tags.first().map(|t| image_name(t));
    push_path(sources, model, here, step.line, who, ".", &context, file.as_deref(), target, &fate, name);
}

/// An action of someone else's that builds a Dockerfile and pushes the image, by the names
/// of its inputs; each pushes unless its `no_push` input says not to.
struct Publisher {
    action: &'static str,
    /// The folder the other inputs are relative to.
    workdir: Option<&'static str>,
    context: &'static str,
    dockerfile: &'static str,
    target: Option<&'static str>,
    /// The input that turns the push off, and the value that does (`no_push: true`,
    /// `pushImage: false`).
    no_push: (&'static str, &'static str),
    image: &'static str,
}

/// The publishing actions read (cusdis pushes with elgohr's, held out in round 79).
const PUBLISHERS: [Publisher; 3] = [
    Publisher {
        action: "elgohr/publish-docker-github-action",
        workdir: Some("workdir"),
        context: "context",
        dockerfile: "dockerfile",
        target: None,
        no_push: ("no_push", "true"),
        image: "name",
    },
    Publisher {
        action: "jerray/publish-docker-action",
        workdir: None,
        context: "path",
        dockerfile: "file",
        target: Some("target"),
        no_push: ("no_push", "true"),
        image: "repository",
    },
    Publisher {
        action: "mr-smithers-excellent/docker-build-push",
        workdir: None,
        context: "directory",
        dockerfile: "dockerfile",
        target: Some("target"),
        no_push: ("pushImage", "false"),
        image: "image",
    },
];

/// A [`Publisher`]'s step: the Dockerfile it builds ships, unless told not to push.
fn publish(
    sources: &Sources,
    model: &mut Model,
    here: &Here,
    step: &Node,
    with: Option<&Node>,
    scope: &Scope,
    who: &str,
) {
    let Some(publisher) = PUBLISHERS.iter().find(|p| p.action == who) else { return };
    let get = |k: &str| with_value(with, k, scope);
    let mut inputs = vec![publisher.context, publisher.dockerfile];
    inputs.extend(publisher.workdir);
    inputs.extend(publisher.target);
    if unresolvable(model, here, step, who, with, scope, &inputs) {
        return;
    }
    let value = |k: &str| get(k).ok().flatten().filter(|v| !v.is_empty());
    // the context and Dockerfile are the workdir's, when there is one
    let workdir = publisher.workdir.and_then(value).map(|w| in_checkout(&w, scope));
    let context = action_context(&value(publisher.context).unwrap_or_else(|| ".".into()));
    let context = if workdir.is_some() { context } else { in_checkout(&context, scope) };
    let file = value(publisher.dockerfile);
    let (off, says) = publisher.no_push;
    let push = !value(off).is_some_and(|v| v.eq_ignore_ascii_case(says));
    let images: Vec<String> = value(publisher.image).into_iter().collect();
    let fate = Fate {
        push: Some(push),
        load: false,
        outputs: Vec::new(),
        tagged: !images.is_empty(),
        call: None,
        images: images.clone(),
        contexts: Vec::new(),
        cache_only: false,
        run_only: false,
    };
    let target =
        publisher.target.and_then(|k| value(k).map(|t| (t, with.and_then(|w| w.get(k)).map_or(step.line, |n| n.line))));
    let name = images.first().map(|t| image_name(t));
    let cwd = workdir.as_deref().unwrap_or(".");
    push_path(sources, model, here, step.line, who, cwd, &context, file.as_deref(), target, &fate, name);
}

/// The images `tags:` names when an expression it holds cannot be resolved here, kept where
/// only the tag holds one (`ghcr.io/o/base:latest-${{ steps.p.outputs.tag }}`): the
/// repository is known, which is what another Dockerfile's FROM is matched by (gramps-web-api's
/// base image, held out in round 72).
fn named_repositories(with: Option<&Node>, scope: &Scope) -> Vec<String> {
    let Some(tags) = with.and_then(|w| w.str_at("tags")) else { return Vec::new() };
    list(&expand_lossy(tags, scope), true)
        .into_iter()
        .filter(|t| {
            let repository = t.rsplit_once(':').filter(|(_, tag)| !tag.contains('/')).map_or(t.as_str(), |(r, _)| r);
            !repository.contains('…') && !repository.contains('$') && !repository.is_empty()
        })
        .collect()
}

/// `ghcr.io/o/app:1.2` → `app`.
fn image_name(tag: &str) -> String {
    let no_digest = tag.split('@').next().unwrap_or(tag);
    let last = no_digest.rsplit('/').next().unwrap_or(no_digest);
    last.split(':').next().unwrap_or(last).to_owned()
}

/// A `bake-action` step; `who` is the action as written (`docker/bake-action`).
fn bake_action(
    bake: &Resolver,
    model: &mut Model,
    here: &Here,
    step: &Node,
    with: Option<&Node>,
    scope: &Scope,
    who: &str,
) {
    let get = |k: &str| with_value(with, k, scope);
    let mut unresolved = None;
    let mut take = |k: &str, commas: bool| match get(k) {
        Ok(v) => v.map(|v| list(&v, commas)).unwrap_or_default(),
        Err(e) => {
            unresolved.get_or_insert((k.to_owned(), e));
            Vec::new()
        }
    };
    let files = take("files", true);
    let targets = take("targets", true);
    let set = take("set", false);
    if let Some((k, e)) = unresolved {
        note(model, here, step.line, format!("{who}: `{k}` is `{e}`, which cannot be resolved here; not followed"));
        return;
    }
    let dir = get("workdir").ok().flatten().and_then(|w| join(".", &w)).unwrap_or_else(|| ".".into());
    let inv = Invocation {
        dir,
        files,
        targets,
        push: maybe_true(&get("push")) == Some(true),
        load: maybe_true(&get("load")) == Some(true),
        set,
        call: None,
        env: scope.env.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
    };
    let ev = Evidence {
        source: Source::Workflow,
        file: here.file.to_owned(),
        line: step.line,
        says: says(here, format!("{who} builds")),
    };
    bake.invoke(&inv, &ev, model);
}

#[allow(clippy::too_many_arguments)]
fn reusable(
    sources: &Sources,
    bake: &Resolver,
    model: &mut Model,
    here: &Here,
    job: &Node,
    uses: &Node,
    scope: &Scope,
    depth: usize,
) {
    let callee = text(uses);
    let with = job.get("with");
    // the caller's inputs, expanded where they can be
    let mut inputs: BTreeMap<String, String> = BTreeMap::new();
    let mut unresolved: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in with.map(Node::entries).unwrap_or_default() {
        match expand(&text(v), scope) {
            Ok(s) => {
                inputs.insert(k.clone(), s);
            }
            Err(e) => {
                unresolved.insert(k.clone(), e);
            }
        }
    }
    if let Some(local) = callee.strip_prefix("./") {
        let path = local.split('@').next().unwrap_or(local);
        match sources.file(path) {
            Some(f) if depth < 4 => {
                let outer = Scope { inputs, ..Scope::default() };
                read_file(
                    sources,
                    bake,
                    model,
                    path,
                    &f.text,
                    &outer,
                    Some(format!("{}:{}", here.file, uses.line)),
                    depth + 1,
                );
            }
            Some(_) => {
                note(model, here, uses.line, "reusable workflows call each other too deeply; not followed".into())
            }
            None => {
                note(model, here, uses.line, format!("calls `{callee}`, which is not in the repository; not followed"))
            }
        }
        return;
    }
    // another repository's workflow: judged by the inputs it is given
    let [context_key, file_key, target_key, files_key] = build_keys(with);
    if context_key.is_none() && file_key.is_none() && target_key.is_none() && files_key.is_none() {
        deploys_the_default(sources, model, here, job, &callee);
        return;
    }
    for (k, _) in [&context_key, &file_key, &target_key, &files_key].into_iter().flatten() {
        if let Some(e) = unresolved.get(k) {
            note(
                model,
                here,
                uses.line,
                format!("calls `{callee}` with `{k}: {e}`, which cannot be resolved here; not followed"),
            );
            return;
        }
    }
    let value =
        |k: &Option<(String, usize)>| k.as_ref().and_then(|(k, _)| inputs.get(k).cloned()).filter(|v| !v.is_empty());
    let push = match (inputs.get("push"), unresolved.contains_key("push")) {
        (_, true) => Some(true),
        (Some(p), _) => Some(p.trim().eq_ignore_ascii_case("true")),
        (None, _) => None,
    };
    let output = inputs.get("output").cloned();
    let short = callee.split('@').next().unwrap_or(&callee).to_owned();
    let is_bake = short.rsplit('/').next().is_some_and(|n| n.contains("bake"));
    if is_bake {
        let ev = Evidence {
            source: Source::Workflow,
            file: here.file.to_owned(),
            line: job.line,
            says: says(here, format!("the reusable workflow `{short}` builds")),
        };
        let mut set = Vec::new();
        match output.as_deref() {
            Some("local") => set.push("*.output=type=local,dest=out".to_owned()),
            Some("cacheonly") => set.push("*.output=type=cacheonly".to_owned()),
            _ => {}
        }
        let inv = Invocation {
            dir: value(&context_key).and_then(|c| join(".", &c)).unwrap_or_else(|| ".".into()),
            files: value(&files_key).map(|f| list(&f, true)).unwrap_or_default(),
            targets: value(&target_key).map(|t| list(&t, true)).unwrap_or_default(),
            push: push == Some(true) && output.as_deref() != Some("local"),
            load: false,
            set,
            call: None,
            env: Vec::new(),
        };
        bake.invoke(&inv, &ev, model);
        return;
    }
    let outputs = match output.as_deref() {
        Some("local") => vec!["type=local".to_owned()],
        Some("cacheonly") => vec!["type=cacheonly".to_owned()],
        Some(o) if o.contains("type=") => vec![o.to_owned()],
        _ => Vec::new(),
    };
    let named = with.map(Node::entries).unwrap_or_default().iter().any(|(k, _)| {
        let k = k.to_ascii_lowercase();
        k.contains("image")
            || k.contains("tag")
            || k.contains("registry")
            || k.contains("push")
            || k.ends_with("-enable")
    });
    let images: Vec<String> = inputs
        .iter()
        .filter(|(k, _)| k.contains("image") || k.contains("tags"))
        .flat_map(|(_, v)| list(v, true))
        .filter(|v| !v.contains('=') && !v.contains(' '))
        .collect();
    let fate = Fate { push, outputs, tagged: named, images, ..Fate::default() };
    let target =
        target_key.as_ref().and_then(|(k, l)| inputs.get(k).filter(|t| !t.is_empty()).map(|t| (t.clone(), *l)));
    let who = format!("the reusable workflow `{short}`");
    let context = action_context(&value(&context_key).unwrap_or_else(|| ".".into()));
    let file = value(&file_key);
    // a file given alone is often relative to the context in such workflows: try both
    let file = match file {
        Some(f) => {
            let from_root = join(".", &f);
            let in_context = join(&context, &f);
            match (from_root, in_context) {
                (Some(r), _) if sources.dockerfiles.contains(&r) => Some(f),
                (_, Some(c)) if sources.dockerfiles.contains(&c) => Some(c),
                _ => Some(f),
            }
        }
        None => None,
    };
    let name = inputs.iter().find(|(k, _)| k.contains("image")).map(|(_, v)| image_name(v.lines().next().unwrap_or(v)));
    push_path(sources, model, here, job.line, &who, ".", &context, file.as_deref(), target, &fate, name);
}

/// A call of another repository's workflow that names no build input, where the workflow's
/// file name says it deploys or pushes an image (`deploy_app.yaml`,
/// `build_and_push_image.yaml`, `docker-publish.yml`; not a `release.yml`, which may publish
/// a package) and the repository has a `Dockerfile` at its
/// root: such a workflow builds what `docker build .` builds, that file, and ships it (round
/// 66's caesar: `zooniverse/ci-cd/.github/workflows/deploy_app.yaml` with `app_name`,
/// `repo_name` and `commit_id` only). A name about tests, checks, docs, notices or database
/// migrations says nothing of an image.
fn deploys_the_default(sources: &Sources, model: &mut Model, here: &Here, job: &Node, callee: &str) {
    let path = callee.split('@').next().unwrap_or(callee);
    let name = path.rsplit('/').next().unwrap_or_default().to_ascii_lowercase();
    // each stem begins a word of the name (`deploy_app`, `docker-publish`, `notifications`),
    // so `gem` is not read in `management`
    let words: Vec<&str> = name.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    let says = |stems: &[&str]| stems.iter().any(|s| words.iter().any(|w| w.starts_with(s)));
    let image = says(&["deploy", "docker", "image", "container", "push"]);
    let other = says(&[
        "test", "lint", "check", "scan", "codeql", "docs", "notif", "slack", "migrat", "label", "stale", "pages",
        "npm", "pypi", "gem",
    ]);
    if !image
        || other
        || !path.contains("/.github/workflows/")
        || !sources.dockerfiles.iter().any(|d| d == "Dockerfile")
    {
        return;
    }
    let fate = Fate { push: Some(true), tagged: true, ..Fate::default() };
    let who = format!(
        "the reusable workflow `{path}` of another repository, named for deploying and given no Dockerfile (read as building `Dockerfile`),"
    );
    push_path(sources, model, here, job.line, &who, ".", ".", None, None, &fate, None);
}

/// The inputs a call of another repository's reusable workflow names its build with, each
/// as (key, line): the context, the Dockerfile, the target(s) and bake files, by the names
/// such workflows give them.
fn build_keys(with: Option<&Node>) -> [Option<(String, usize)>; 4] {
    let key = |pred: &dyn Fn(&str) -> bool| -> Option<(String, usize)> {
        with.map(Node::entries)
            .unwrap_or_default()
            .iter()
            .find(|(k, _)| pred(&k.to_ascii_lowercase()))
            .map(|(k, n)| (k.clone(), n.line))
    };
    let context_key = key(&|k: &str| k == "context" || (k.ends_with("context") && !k.ends_with("contexts")));
    let file_key = key(&|k: &str| {
        matches!(k, "file" | "dockerfile" | "containerfile")
            || k.ends_with("dockerfile")
            || k.ends_with("dockerfile-path")
            || k.ends_with("dockerfile_path")
            || k == "docker-file"
    });
    let target_key = key(&|k: &str| {
        matches!(k, "target" | "targets" | "docker-target" | "build-target" | "bake-target" | "bake-targets")
    });
    let files_key = key(&|k: &str| matches!(k, "files" | "bake-files" | "bake-file"));
    [context_key, file_key, target_key, files_key]
}

/// The builds a `run:` step starts.
#[allow(clippy::too_many_arguments)]
fn run_step(
    sources: &Sources,
    bake: &Resolver,
    model: &mut Model,
    here: &Here,
    line: usize,
    run: &str,
    dir: &str,
    scope: &Scope,
    job: &JobUse,
    depth: usize,
    budget: &std::cell::Cell<usize>,
) {
    if !RUN_WORDS.iter().any(|w| run.contains(w)) {
        return;
    }
    // continuations joined; `${{ }}` resolved where possible, else left as a variable the
    // shell model cannot expand (so a path that needs it is noted)
    let joined = run.replace("\\\r\n", " ").replace("\\\n", " ");
    let mut resolved = String::new();
    let mut rest = joined.as_str();
    while let Some(start) = rest.find("${{") {
        resolved.push_str(&rest[..start]);
        let after = &rest[start + 3..];
        let end = after.find("}}").unwrap_or(after.len());
        let expr = after[..end].trim();
        match lookup(expr, scope) {
            Some(v) => resolved.push_str(&v),
            None => resolved.push_str("$__UNRESOLVED__"),
        }
        rest = after.get(end + 2..).unwrap_or("");
    }
    resolved.push_str(rest);
    let script = crate::dockerfile::shell::parse_ci(&resolved);
    let mut cwd = dir.to_owned();
    for cmd in &script.commands {
        let words: Vec<String> = cmd.effective().iter().map(|w| expand_shell(w, &scope.env)).collect();
        let Some(first) = words.first() else { continue };
        if first == "cd" {
            if let Some(d) = words.get(1).and_then(|d| join(&cwd, d)) {
                cwd = d;
            }
            continue;
        }
        // `make target` and `bash script.sh`: what they run is read as this step's own
        if let Some(runs) = followed(sources, &words, &cwd, &scope.env) {
            // what the recipe or script does with its images counts for the job too
            // (miniflux's `make debian`: `docker buildx build --load -t …-deb-builder`, then
            // `docker run --rm … -deb-builder`)
            let mut fjob = job.clone();
            for f in &runs {
                fjob.read_run(&f.text);
            }
            for f in runs {
                if depth >= MAX_FOLLOW || budget.get() == 0 {
                    note(
                        model,
                        here,
                        line,
                        format!("`{}` runs too much to follow; the rest is not read", words.join(" ")),
                    );
                    break;
                }
                budget.set(budget.get() - 1);
                let via = match &here.via {
                    Some(v) => format!("{}, called from {v}", f.via),
                    None => f.via,
                };
                let inner = Here { file: here.file, via: Some(via), ships_only: here.ships_only };
                let fscope = Scope { env: f.env, ..scope.clone() };
                run_step(sources, bake, model, &inner, line, &f.text, &f.dir, &fscope, &fjob, depth + 1, budget);
            }
            continue;
        }
        if let Some(c) = compose_build(&words) {
            compose_paths(sources, model, here, line, &cwd, &c, &scope.env, job);
            continue;
        }
        match cli(&words) {
            Some(Cli::Build(b)) => cli_build(sources, model, here, line, &words, &cwd, &b, job),
            Some(Cli::Bake(inv)) => {
                let inv = Invocation {
                    dir: cwd.clone(),
                    env: scope.env.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                    ..inv
                };
                let ev = Evidence {
                    source: Source::Workflow,
                    file: here.file.to_owned(),
                    line,
                    says: says(here, "`docker buildx bake` in a run step builds".into()),
                };
                bake.invoke(&inv, &ev, model);
            }
            None => {}
        }
    }
}

/// `docker compose`'s global options that take a value.
const COMPOSE_VALUES: &[&str] =
    &["-f", "--file", "-p", "--project-name", "--env-file", "--profile", "--project-directory"];

/// Whether a `docker compose` command line (the words after `compose`) pushes: its command,
/// past the global options, is `push`.
fn compose_pushes(args: &[String]) -> bool {
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if COMPOSE_VALUES.contains(&a) {
            i += 2;
            continue;
        }
        if !a.starts_with('-') {
            return a == "push";
        }
        i += 1;
    }
    false
}

/// `docker compose build` (or `docker-compose build`), read: the compose files (`-f`), the
/// services named, and `--push`.
struct ComposeBuild {
    files: Vec<String>,
    services: Vec<String>,
    push: bool,
}

fn compose_build(words: &[String]) -> Option<ComposeBuild> {
    let program = words.first()?.rsplit('/').next()?;
    let rest = match program {
        "docker" | "podman" if words.get(1).map(String::as_str) == Some("compose") => &words[2..],
        "docker-compose" | "podman-compose" => &words[1..],
        _ => return None,
    };
    let mut c = ComposeBuild { files: Vec::new(), services: Vec::new(), push: false };
    let mut i = 0;
    let mut building = false;
    while i < rest.len() {
        let w = rest[i].as_str();
        // the global options' values, and `build`'s own
        let takes = COMPOSE_VALUES.contains(&w)
            || matches!(w, "--progress" | "--build-arg" | "--ssh" | "--builder" | "-m" | "--memory");
        if takes {
            if matches!(w, "-f" | "--file") {
                c.files.push(rest.get(i + 1)?.clone());
            }
            i += 2;
            continue;
        }
        if let Some(f) = w.strip_prefix("--file=") {
            c.files.push(f.to_owned());
        } else if w == "--push" {
            c.push = true;
        } else if w.starts_with('-') {
        } else if !building {
            if w != "build" {
                return None;
            }
            building = true;
        } else {
            c.services.push(w.to_owned());
        }
        i += 1;
    }
    building.then_some(c)
}

/// The build paths of a `docker compose build` in a run step: each service it builds (the
/// named ones, else all), from the compose files it reads (`-f`, else COMPOSE_FILE, else the
/// folder's base file and its override). Only a build that ships is evidence: a service with
/// an `image:` pushed by `--push` or `docker compose push`, or one whose image the job re-tags
/// or pushes by name (socorro's `just build`, then `docker tag local/socorro_app …` and a push
/// action). The services a job only tests with leave the compose files' own reading as it is.
#[allow(clippy::too_many_arguments)]
fn compose_paths(
    sources: &Sources,
    model: &mut Model,
    here: &Here,
    line: usize,
    cwd: &str,
    c: &ComposeBuild,
    env: &BTreeMap<String, String>,
    job: &JobUse,
) {
    if !c.push && !job.sends {
        return;
    }
    // compose's own name for a service's image when it sets none: `<project>-<service>`
    // (`_` before compose v2), the project being the compose file's folder
    let project = env.get("COMPOSE_PROJECT_NAME").cloned();
    let bare = |i: &str| {
        let i = i.rsplit_once(':').filter(|(_, t)| !t.contains('/')).map_or(i, |(n, _)| n);
        i.to_owned()
    };
    let sent: Vec<String> = job.sent.iter().map(|s| bare(s)).collect();
    let told: Vec<String> = if c.files.is_empty() {
        env.get("COMPOSE_FILE")
            .map(|v| v.split([':', ',']).filter(|f| !f.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default()
    } else {
        c.files.clone()
    };
    let files: Vec<String> = if told.is_empty() {
        let at = |n: &str| join(cwd, n);
        let base = super::compose::BASE_NAMES.iter().filter_map(|n| at(n)).find(|p| sources.file(p).is_some());
        let overrides = [
            "compose.override.yaml",
            "compose.override.yml",
            "docker-compose.override.yml",
            "docker-compose.override.yaml",
        ];
        base.into_iter().chain(overrides.iter().filter_map(|n| at(n)).filter(|p| sources.file(p).is_some())).collect()
    } else {
        told.iter().filter_map(|f| join(cwd, f)).collect()
    };
    let what = if c.push { "pushes it" } else { "builds it, and the job pushes or re-tags its image" };
    let mut seen = Vec::new();
    for file in &files {
        for b in super::compose::service_builds(sources, file) {
            if (!c.services.is_empty() && !c.services.contains(&b.service)) || seen.contains(&b.service) {
                continue;
            }
            if !sources.dockerfiles.is_empty() && !sources.dockerfiles.contains(&b.dockerfile) {
                continue;
            }
            // pushed by the build or `compose push` (the services with an `image:`), or an
            // image the job re-tags or pushes by name
            let folder = super::folder(file);
            let dir = project.clone().unwrap_or_else(|| {
                let f = if folder == "." { cwd } else { folder.as_str() };
                f.rsplit('/').next().unwrap_or(f).to_ascii_lowercase()
            });
            let names: Vec<String> = match &b.image {
                Some(i) => vec![bare(i)],
                None => vec![format!("{dir}-{}", b.service), format!("{dir}_{}", b.service)],
            };
            let pushed = (c.push || job.compose_push) && b.image.is_some();
            if !pushed && !names.iter().any(|n| sent.contains(n)) {
                continue;
            }
            seen.push(b.service.clone());
            let target_text = b.target.as_ref().map(|t| format!(" (target `{t}`)")).unwrap_or_default();
            model.paths.push(BuildPath {
                dockerfile: b.dockerfile,
                context: b.context,
                target: b.target,
                role: Role::Ships,
                evidence: Evidence {
                    source: Source::Workflow,
                    file: here.file.to_owned(),
                    line,
                    says: says(
                        here,
                        format!(
                            "`docker compose build` of service `{}` ({file}) in a run step {what}{target_text}",
                            b.service
                        ),
                    ),
                },
                name: Some(b.service),
                target_line: None,
                mounts: Vec::new(),
                images: b.image.into_iter().collect(),
                contexts: Vec::new(),
                target_written: None,
                checks: false,
            });
        }
    }
}

/// Words one of which a run step that builds (or runs what builds) holds.
const RUN_WORDS: [&str; 8] = ["build", "bake", "bud", "make", ".sh", "run", "executor", "just"];

/// How many `make`/script calls deep a run step is followed, and how many recipe lines and
/// scripts it is followed into in all.
const MAX_FOLLOW: usize = 4;
const MAX_FOLLOWED: usize = 256;

/// What a followed command runs: its text (variables it is given expanded), its folder, the
/// words for the evidence, and the environment it runs with.
struct Followed {
    text: String,
    dir: String,
    via: String,
    env: BTreeMap<String, String>,
}

/// `make …` (the recipes, per [`super::make`]), a package.json script (`npm run x`, per
/// [`package_script`]) or a shell script of the repository run by `bash x.sh`, `sh x.sh` or
/// `./x.sh`: `None` when `words` are none of them, or name a file that was not read (the
/// pipeline reads every Makefile, package.json and script that mentions a build, so another
/// one builds no image).
fn followed(sources: &Sources, words: &[String], cwd: &str, env: &BTreeMap<String, String>) -> Option<Vec<Followed>> {
    if let Some(call) = super::make::call(words) {
        let dir = match &call.dir {
            Some(d) => join(cwd, d)?,
            None => cwd.to_owned(),
        };
        let path = |name: &str| if dir == "." { name.to_owned() } else { format!("{dir}/{name}") };
        let file = match &call.file {
            Some(f) => sources.file(&path(f)),
            None => ["GNUmakefile", "makefile", "Makefile"].iter().find_map(|n| sources.file(&path(n))),
        };
        let Some(file) = file else {
            // a make with no Makefile shiplight read has nothing to say about images
            return None;
        };
        let mut env = env.clone();
        let run = super::make::run(&file.text, &call, &env);
        env.extend(call.vars.clone());
        env.extend(run.exported.clone());
        let mut out = Vec::new();
        for (target, line, recipe) in run.rules {
            // each recipe line is its own shell; the make variables are already expanded
            for text in recipe {
                out.push(Followed {
                    text: expand_shell(&text, &env),
                    dir: dir.clone(),
                    via: format!("`make {target}`, {}:{line}", file.path),
                    env: env.clone(),
                });
            }
        }
        return Some(out);
    }
    if let Some(call) = package_script(words) {
        return scripts_of(sources, &call, words, cwd, env);
    }
    if let Some(call) = super::just::call(words) {
        let dir = match &call.dir {
            Some(d) => join(cwd, d)?,
            None => cwd.to_owned(),
        };
        let path = |name: &str| if dir == "." { name.to_owned() } else { format!("{dir}/{name}") };
        let file = match &call.file {
            Some(f) => sources.file(&join(cwd, f)?),
            None => ["justfile", "Justfile", ".justfile"].iter().find_map(|n| sources.file(&path(n))),
        }?;
        let recipes = super::just::run(&file.text, &call)?;
        return Some(
            recipes
                .into_iter()
                .flat_map(|(recipe, line, lines)| {
                    let (dir, env, file) = (dir.clone(), env.clone(), file.path.clone());
                    lines.into_iter().map(move |text| Followed {
                        text: expand_shell(&text, &env),
                        dir: dir.clone(),
                        via: format!("`just {recipe}`, {file}:{line}"),
                        env: env.clone(),
                    })
                })
                .collect(),
        );
    }
    let script = match words {
        [shell, script, ..] if matches!(shell.rsplit('/').next(), Some("bash" | "sh")) && script.ends_with(".sh") => {
            script
        }
        [script, ..] if script.ends_with(".sh") && script.contains('/') => script,
        _ => return None,
    };
    let file = sources.file(&join(cwd, script)?)?;
    let text = script_dir_named(&file.text, &file.path, cwd);
    Some(vec![Followed {
        text: expand_shell(&text, env),
        // a script runs where it is called from
        dir: cwd.to_owned(),
        via: format!("`{}`", words.join(" ")),
        env: env.clone(),
    }])
}

/// A script's text with the idiom that names its own folder (`$(cd "$(dirname "$0")" && pwd)`,
/// `$(dirname "${BASH_SOURCE[0]}")`) replaced by that folder, as a path from `cwd`, where the
/// script runs: what `${BASE_DIR}/images` names is then a folder of the repository. Left as
/// written when the script's folder is not under `cwd`.
fn script_dir_named(text: &str, path: &str, cwd: &str) -> String {
    let dir = path.rsplit_once('/').map_or(".", |(d, _)| d);
    let rel = if cwd == "." || dir == cwd {
        if dir == cwd {
            "."
        } else {
            dir
        }
    } else if let Some(r) = dir.strip_prefix(&format!("{cwd}/")) {
        r
    } else {
        return text.to_owned();
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("$(") {
        out.push_str(&rest[..at]);
        let body = &rest[at + 2..];
        // the substitution's end: its `)` at depth 0
        let mut depth = 0usize;
        let end = body.char_indices().find_map(|(i, c)| match c {
            '(' => {
                depth += 1;
                None
            }
            ')' if depth == 0 => Some(i),
            ')' => {
                depth -= 1;
                None
            }
            '\n' => Some(usize::MAX),
            _ => None,
        });
        match end {
            Some(e) if e != usize::MAX && names_script_dir(&body[..e]) => {
                out.push_str(rel);
                rest = &body[e + 1..];
            }
            _ => {
                out.push_str("$(");
                rest = body;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether a command substitution's body only names the script's folder: `dirname` of `$0` or
/// `BASH_SOURCE`, with `cd`, `pwd`, `realpath`, `readlink -f` around it.
fn names_script_dir(body: &str) -> bool {
    let words: Vec<&str> =
        body.split(|c: char| c.is_whitespace() || "()\"';&|".contains(c)).filter(|w| !w.is_empty()).collect();
    let of_script = |w: &str| {
        let w = w.trim_start_matches('$').trim_start_matches('{').trim_end_matches('}');
        w == "0" || w.starts_with("BASH_SOURCE")
    };
    words.contains(&"dirname")
        && words.iter().any(|w| of_script(w))
        && words.iter().all(|w| {
            of_script(w)
                || matches!(
                    *w,
                    "$" | "cd" | "dirname" | "pwd" | "realpath" | "readlink" | "-f" | "-P" | "--" | ">/dev/null" | "2>"
                )
        })
}

/// A package.json script a command runs: its name, the words given after `--` (added to the
/// script's text), and whether the tool runs its `pre…`/`post…` scripts around it (npm and
/// Yarn do; pnpm, `node --run` and Bun do not by default).
struct ScriptCall {
    name: String,
    extra: Vec<String>,
    hooks: bool,
}

/// The commands of each tool that are its own, not a script's name (`yarn install`, `pnpm
/// add`): only a name outside them runs a script when written bare (`yarn build-docker`).
const YARN_OWN: &[&str] = &[
    "add",
    "audit",
    "autoclean",
    "bin",
    "cache",
    "check",
    "config",
    "constraints",
    "create",
    "dlx",
    "exec",
    "explain",
    "generate-lock-entry",
    "global",
    "help",
    "import",
    "info",
    "init",
    "install",
    "licenses",
    "link",
    "list",
    "login",
    "logout",
    "node",
    "npm",
    "outdated",
    "owner",
    "pack",
    "patch",
    "plugin",
    "policies",
    "publish",
    "rebuild",
    "remove",
    "search",
    "set",
    "stage",
    "tag",
    "team",
    "unlink",
    "unplug",
    "up",
    "upgrade",
    "upgrade-interactive",
    "version",
    "versions",
    "why",
    "workspace",
    "workspaces",
];
const PNPM_OWN: &[&str] = &[
    "add",
    "audit",
    "bin",
    "config",
    "create",
    "deploy",
    "dlx",
    "doctor",
    "env",
    "exec",
    "fetch",
    "i",
    "import",
    "init",
    "install",
    "install-test",
    "licenses",
    "link",
    "list",
    "ls",
    "outdated",
    "pack",
    "patch",
    "patch-commit",
    "prune",
    "publish",
    "rebuild",
    "remove",
    "rm",
    "root",
    "server",
    "setup",
    "store",
    "un",
    "uninstall",
    "unlink",
    "up",
    "update",
    "why",
];

/// Whether `words` run a package.json script in the folder they run in: `npm run x` (`npm
/// run-script x`, and `npm start`/`test`/`stop`/`restart`), `yarn run x` or `yarn x`, `pnpm
/// run x` or `pnpm x`, `node --run x`, `bun run x`. `None` for anything else, and for a call
/// pointed at another folder or workspace (`--prefix`, `-w`, `--filter`, `--cwd`, `-C`),
/// which this reading does not follow.
fn package_script(words: &[String]) -> Option<ScriptCall> {
    let tool = words.first()?.rsplit('/').next()?;
    let (args, extra) = match words.iter().position(|w| w == "--") {
        // (a lone `--` as the first word runs no tool)
        Some(0) => return None,
        Some(k) => (&words[1..k], words[k + 1..].to_vec()),
        None => (&words[1..], Vec::new()),
    };
    let elsewhere = |w: &String| {
        matches!(
            w.as_str(),
            "--prefix"
                | "-w"
                | "--workspace"
                | "--filter"
                | "-F"
                | "--cwd"
                | "-C"
                | "--dir"
                | "-r"
                | "--recursive"
                | "--workspaces"
                | "-ws"
        ) || ["--prefix=", "--workspace=", "--filter=", "--cwd=", "--dir="].iter().any(|p| w.starts_with(p))
    };
    if args.iter().any(elsewhere) {
        return None;
    }
    let plain: Vec<&str> = args.iter().map(String::as_str).filter(|w| !w.starts_with('-')).collect();
    let (name, hooks) = match (tool, plain.as_slice()) {
        ("npm", ["run" | "run-script" | "rum" | "urn", name, ..]) => (*name, true),
        ("npm", [name @ ("start" | "test" | "stop" | "restart"), ..]) => (*name, true),
        ("yarn", ["run", name, ..]) => (*name, true),
        ("yarn", [name, ..]) if !YARN_OWN.contains(name) => (*name, true),
        ("pnpm", ["run" | "run-script", name, ..]) => (*name, false),
        ("pnpm", [name, ..]) if !PNPM_OWN.contains(name) => (*name, false),
        ("bun", ["run", name, ..]) => (*name, false),
        ("node", [..]) => {
            let at = args.iter().position(|w| w == "--run")?;
            (args.get(at + 1)?.as_str(), false)
        }
        _ => return None,
    };
    Some(ScriptCall { name: name.to_owned(), extra, hooks })
}

/// The texts a package.json script call runs, in order (`pre…`, the script with the words
/// given after `--`, `post…`), from the package.json of the folder it runs in: `None` when
/// shiplight did not read that file (the pipeline keeps the ones that mention an image
/// build) or it has no such script.
fn scripts_of(
    sources: &Sources,
    call: &ScriptCall,
    words: &[String],
    cwd: &str,
    env: &BTreeMap<String, String>,
) -> Option<Vec<Followed>> {
    let file = sources.file(&join(cwd, "package.json")?)?;
    let json: serde_json::Value = serde_json::from_str(&file.text).ok()?;
    let scripts = json.get("scripts")?.as_object()?;
    let main = scripts.get(&call.name)?.as_str()?;
    let text = |name: &str| scripts.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    let mut texts = Vec::new();
    if call.hooks {
        texts.extend(text(&format!("pre{}", call.name)));
    }
    texts.push(std::iter::once(main.to_owned()).chain(call.extra.iter().cloned()).collect::<Vec<_>>().join(" "));
    if call.hooks {
        texts.extend(text(&format!("post{}", call.name)));
    }
    let via = format!("`{}`, {} (script `{}`)", words.join(" "), file.path, call.name);
    Some(
        texts
            .into_iter()
            .map(|t| Followed { text: expand_shell(&t, env), dir: cwd.to_owned(), via: via.clone(), env: env.clone() })
            .collect(),
    )
}

/// `$VAR` and `${VAR}` from the step's environment; other variables stay.
fn expand_shell(word: &str, env: &BTreeMap<String, String>) -> String {
    if !word.contains('$') {
        return word.to_owned();
    }
    let mut out = word.to_owned();
    for (k, v) in env {
        out = out.replace(&format!("${{{k}}}"), v);
        let bare = format!("${k}");
        // `$K` only when the name ends there
        let mut i = 0;
        while let Some(at) = out[i..].find(&bare) {
            let at = i + at;
            let end = at + bare.len();
            if out[end..].chars().next().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                i = end;
                continue;
            }
            out.replace_range(at..end, v);
            i = at + v.len();
        }
    }
    out
}

/// A `docker build` (or `buildx build`) of a run step, read: the path it builds and what
/// becomes of the image, or a note when a variable hides what it builds.
#[allow(clippy::too_many_arguments)]
fn cli_build(
    sources: &Sources,
    model: &mut Model,
    here: &Here,
    line: usize,
    words: &[String],
    cwd: &str,
    b: &CliBuild,
    job: &JobUse,
) {
    let who = format!("`{}` in a run step", words.iter().take(3).cloned().collect::<Vec<_>>().join(" "));
    named_contexts(model, &context_names(&b.contexts));
    if let Some(u) = &b.opaque {
        note(
            model,
            here,
            line,
            says(
                here,
                format!("{who}: `{u}` may hold its options (`-f`, `--push`), which cannot be read here; not followed"),
            ),
        );
        return;
    }
    let fate = Fate {
        push: b.push.then_some(true),
        load: b.load,
        outputs: b.outputs.clone(),
        tagged: !b.tags.is_empty(),
        call: b.call.clone(),
        images: b.tags.clone(),
        contexts: context_names(&b.contexts),
        run_only: !b.push && job.only_runs(&b.tags),
        cache_only: !b.push && job.own_builder && !job.sends,
    };
    if let Some(folders) =
        (b.file.is_none() && b.target.is_none()).then(|| variable_folders(sources, cwd, &b.context)).flatten()
    {
        // a script's loop over its image folders (Dolibarr's `images/${currentTag}`)
        for folder in folders {
            let who = format!("{who}, with `{}` read as `{folder}`,", b.context);
            let name = b.tags.first().map(|t| image_name(t));
            push_path(sources, model, here, line, &who, ".", &folder, None, None, &fate, name);
        }
        return;
    }
    if let Some(u) =
        [Some(&b.context), b.file.as_ref(), b.target.as_ref()].into_iter().flatten().find(|v| v.contains('$'))
    {
        note(model, here, line, format!("{who}: `{u}` holds a variable that cannot be resolved here; not followed"));
        return;
    }
    let name = b.tags.first().map(|t| image_name(t));
    push_path(
        sources,
        model,
        here,
        line,
        &who,
        cwd,
        &b.context,
        b.file.as_deref(),
        b.target.clone().map(|t| (t, line)),
        &fate,
        name,
    );
}

/// The folders a build context with variables can name: each `$NAME` or `${NAME}` that is a
/// whole path segment stands for any one folder, and the folders that hold a `Dockerfile` are
/// the ones built (a script that loops over its image folders: Dolibarr's
/// `docker buildx build … "${BASE_DIR}/images/${currentTag}"`). None unless a literal folder
/// comes before the first variable, so a bare `$DIR` is not read as every folder.
fn variable_folders(sources: &Sources, cwd: &str, context: &str) -> Option<Vec<String>> {
    let is_var = |seg: &str| {
        let name = seg.strip_prefix("${").and_then(|n| n.strip_suffix('}')).or_else(|| seg.strip_prefix('$'));
        name.is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    };
    let segs: Vec<&str> = context.trim_end_matches('/').split('/').filter(|s| !s.is_empty() && *s != ".").collect();
    let first_var = segs.iter().position(|s| is_var(s))?;
    if first_var == 0 || segs.iter().any(|s| s.contains('$') && !is_var(s)) {
        return None;
    }
    let prefix = join(cwd, &segs[..first_var].join("/"))?;
    let depth = segs.len() - first_var;
    let folders: Vec<String> = sources
        .dockerfiles
        .iter()
        .filter_map(|d| d.strip_suffix("/Dockerfile"))
        .filter(|dir| {
            let Some(rest) = (if prefix == "." { Some(*dir) } else { dir.strip_prefix(&format!("{prefix}/")) }) else {
                return false;
            };
            let parts: Vec<&str> = rest.split('/').collect();
            parts.len() == depth && parts.iter().zip(&segs[first_var..]).all(|(p, s)| is_var(s) || p == s)
        })
        .map(str::to_owned)
        .collect();
    (!folders.is_empty()).then_some(folders)
}

/// A build on the command line.
#[derive(Debug, Clone, Default, PartialEq)]
struct CliBuild {
    context: String,
    file: Option<String>,
    target: Option<String>,
    tags: Vec<String>,
    outputs: Vec<String>,
    push: bool,
    load: bool,
    call: Option<String>,
    contexts: Vec<String>,
    /// A variable among the arguments, which may hold options (`--push`, `-f`) unseen.
    opaque: Option<String>,
}

enum Cli {
    Build(CliBuild),
    Bake(Invocation),
}

/// Options of `docker build` and friends that take a value (the rest are switches).
const BUILD_VALUES: &[&str] = &[
    "-f",
    "--file",
    "-t",
    "--tag",
    "--target",
    "--build-arg",
    "--platform",
    "--label",
    "--cache-from",
    "--cache-to",
    "-o",
    "--output",
    "--secret",
    "--ssh",
    "--network",
    "--progress",
    "--iidfile",
    "--metadata-file",
    "--builder",
    "--build-context",
    "--add-host",
    "--shm-size",
    "--ulimit",
    "--attest",
    "--annotation",
    "--call",
    "-m",
    "--memory",
    "--memory-swap",
    "--cpu-shares",
    "--cpu-period",
    "--cpu-quota",
    "--cpuset-cpus",
    "--cpuset-mems",
    "--isolation",
    "--cgroup-parent",
    "--allow",
    "--security-opt",
    "--format",
    "--jobs",
    "--authfile",
    "--creds",
    "--arch",
    "--os",
    "--variant",
    "--env",
    "-v",
    "--volume",
    "--userns",
    "--build-arg-file",
    "--no-cache-filter",
    "--sbom-output",
    "--timestamp",
    "--layer-label",
    "--cert-dir",
    "--cache-ttl",
    "--signature-policy",
    "--manifest",
    "--logfile",
];

/// Options of `docker buildx bake` that take a value.
const BAKE_VALUES: &[&str] =
    &["-f", "--file", "--set", "--call", "--builder", "--progress", "--metadata-file", "--allow", "--list", "--var"];

/// What a command line builds, if it builds: `docker build`, `docker image build`, `docker
/// buildx build`, `docker builder build`, `podman build`, `buildah bud|build`, `docker buildx
/// bake`, `docker bake`.
fn cli(words: &[String]) -> Option<Cli> {
    let program = words.first()?.rsplit('/').next()?;
    if program == "executor" && (words[0] == "executor" || words[0].contains("kaniko")) {
        return kaniko(&words[1..]);
    }
    if !matches!(program, "docker" | "podman" | "buildah") {
        return None;
    }
    // global options of the docker CLI before the command
    let mut i = 1;
    while i < words.len() && words[i].starts_with('-') {
        let takes =
            matches!(words[i].as_str(), "--context" | "-c" | "-H" | "--host" | "--config" | "-l" | "--log-level");
        i += if takes && !words[i].contains('=') { 2 } else { 1 };
    }
    let rest = &words[i.min(words.len())..];
    let (kind, args) = match rest.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["build", ..] | ["bud", ..] => ("build", &rest[1..]),
        ["image", "build", ..] | ["buildx", "build" | "b", ..] | ["builder", "build", ..] => ("build", &rest[2..]),
        ["buildx", "bake", ..] => ("bake", &rest[2..]),
        ["bake", ..] if program == "docker" => ("bake", &rest[1..]),
        _ => return None,
    };
    let values = if kind == "bake" { BAKE_VALUES } else { BUILD_VALUES };
    let mut opts: Vec<(String, String)> = Vec::new();
    let mut switches: Vec<String> = Vec::new();
    let mut positional: Vec<String> = Vec::new();
    let mut j = 0;
    while j < args.len() {
        let a = &args[j];
        if let Some((k, v)) = a.split_once('=').filter(|(k, _)| k.starts_with('-')) {
            opts.push((k.to_owned(), v.to_owned()));
        } else if values.contains(&a.as_str()) {
            opts.push((a.clone(), args.get(j + 1).cloned().unwrap_or_default()));
            j += 1;
        } else if a.starts_with('-') && a.len() > 1 {
            switches.push(a.clone());
        } else {
            positional.push(a.clone());
        }
        j += 1;
    }
    let all = |names: &[&str]| -> Vec<String> {
        opts.iter().filter(|(k, _)| names.contains(&k.as_str())).map(|(_, v)| v.clone()).collect()
    };
    let one = |names: &[&str]| all(names).pop();
    let has = |names: &[&str]| switches.iter().any(|s| names.contains(&s.as_str()));
    if kind == "bake" {
        if has(&["--print"]) || has(&["--list"]) || one(&["--list"]).is_some() {
            return None;
        }
        return Some(Cli::Bake(Invocation {
            dir: String::new(),
            files: all(&["-f", "--file"]),
            targets: positional,
            push: has(&["--push"]),
            load: has(&["--load"]),
            set: all(&["--set"]),
            call: one(&["--call"]).or_else(|| has(&["--check"]).then(|| "check".to_owned())),
            env: Vec::new(),
        }));
    }
    // `-` reads the Dockerfile or the context from standard input: nothing to follow
    let context = positional.pop()?;
    if context == "-" {
        return None;
    }
    let file = one(&["-f", "--file"]).filter(|f| f != "-");
    Some(Cli::Build(CliBuild {
        // a variable among the arguments (`"${args[@]}"`, `$OPTS`) may hold any option
        opaque: positional.into_iter().find(|p| p.starts_with('$')),
        context,
        file,
        target: one(&["--target"]),
        tags: all(&["-t", "--tag"]),
        outputs: all(&["-o", "--output"]),
        push: has(&["--push"]),
        load: has(&["--load"]),
        call: one(&["--call"]).or_else(|| has(&["--check"]).then(|| "check".to_owned())),
        contexts: all(&["--build-context"]),
    }))
}

/// kaniko's executor (`/kaniko/executor`, Cloud Build's `gcr.io/kaniko-project/executor`
/// step): `--context` (a folder, or `dir://` one; the working folder by default),
/// `--dockerfile`, `--target`, and `--destination`s it pushes to unless `--no-push`, when it
/// keeps the image only in the archive a `--tar-path` names. Context paths in another storage (`gs://`,
/// `git://`) are not this repository's.
fn kaniko(args: &[String]) -> Option<Cli> {
    let mut b = CliBuild { context: ".".into(), ..CliBuild::default() };
    let mut no_push = false;
    let mut saved = false;
    let mut j = 0;
    while j < args.len() {
        let a = args[j].as_str();
        let (k, inline) = match a.split_once('=') {
            Some((k, v)) if k.starts_with('-') => (k, Some(v.to_owned())),
            _ => (a, None),
        };
        let takes = matches!(
            k,
            "-c" | "--context" | "-f" | "--dockerfile" | "--target" | "-d" | "--destination" | "--tar-path"
        );
        let value = match (&inline, takes) {
            (Some(v), _) => v.clone(),
            (None, true) => {
                j += 1;
                args.get(j).cloned().unwrap_or_default()
            }
            (None, false) => String::new(),
        };
        match k {
            "-c" | "--context" => {
                let v = value.strip_prefix("dir://").unwrap_or(&value);
                if v.contains("://") {
                    return None;
                }
                b.context = v.to_owned();
            }
            "-f" | "--dockerfile" => b.file = Some(value),
            "--target" => b.target = Some(value),
            "-d" | "--destination" => b.tags.push(value),
            "--tar-path" => saved = true,
            "--no-push" => no_push = inline.as_deref().is_none_or(|v| v != "false"),
            _ => {}
        }
        j += 1;
    }
    b.push = !no_push && !b.tags.is_empty();
    // `--no-push` keeps no image by its destinations' names, unless it saves it as an archive
    // (an image, as `docker save` writes, which the job may push after)
    if no_push && !saved {
        b.tags.clear();
    }
    Some(Cli::Build(b))
}

/// A shell script another CI system's pipeline runs ([`super::pipelines`]), read as a run
/// step is: from `dir`, with `env`, in a job whose scripts are `job` (what the job does with
/// its images, as [`JobUse`] reads a GitHub job's run steps). Only builds that ship are
/// evidence: a repository that tests its image on Travis or CircleCI and publishes it by
/// Docker Hub's automated builds (Docker-Nagios, docker-openvpn) leaves no trace of the
/// publishing, so a test build there says nothing about whether the image ships.
#[allow(clippy::too_many_arguments)]
pub(super) fn read_script(
    sources: &Sources,
    bake: &Resolver,
    model: &mut Model,
    file: &str,
    line: usize,
    script: &str,
    dir: &str,
    env: &BTreeMap<String, String>,
    job: &[String],
) {
    let mut use_ = JobUse::default();
    for text in job {
        use_.read_run(text);
    }
    let here = Here { file, via: None, ships_only: true };
    let scope = Scope { env: env.clone(), ..Scope::default() };
    let budget = std::cell::Cell::new(MAX_FOLLOWED);
    run_step(sources, bake, model, &here, line, script, dir, &scope, &use_, 0, &budget);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(files: &[(&str, &str)], dockerfiles: &[&str]) -> Model {
        let sources =
            Sources { dockerfiles: dockerfiles.iter().map(|d| (*d).to_owned()).collect(), ..Sources::of_files(files) };
        let bake = Resolver::new(&sources);
        let mut m = Model::default();
        read(&sources, &bake, &mut m);
        m
    }

    fn roles(m: &Model) -> Vec<(&str, Option<&str>, Role)> {
        m.paths.iter().map(|p| (p.dockerfile.as_str(), p.target.as_deref(), p.role)).collect()
    }

    /// jumpserver's compile-messages check (held out in round 70): on the builder
    /// docker/setup-buildx-action sets up (the `docker-container` driver), a tagged build with
    /// no push, load or output stays in the build cache: a check. On the `docker` driver, or
    /// loaded, the tagged image is in the daemon and may be used elsewhere.
    #[test]
    fn a_tagged_build_left_in_the_builders_cache_is_ci_only() {
        let wf = "on: pull_request\njobs:\n  check:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: docker/setup-buildx-action@v3\n      - uses: docker/build-push-action@v6\n        with:\n          push: false\n          file: Dockerfile\n          target: stage-build\n          tags: jumpserver/core:stage-build\n";
        let m = model(&[(".github/workflows/check.yml", wf)], &["Dockerfile"]);
        assert_eq!(roles(&m), [("Dockerfile", Some("stage-build"), Role::CiOnly)]);
        assert!(m.paths[0].evidence.says.contains("stays in the build cache"), "{}", m.paths[0].evidence);
        assert!(m.paths[0].checks);
        for kept in [
            wf.replace("setup-buildx-action@v3\n", "setup-buildx-action@v3\n        with:\n          driver: docker\n"),
            wf.replace("push: false\n", "push: false\n          load: true\n"),
            wf.replace("      - uses: docker/setup-buildx-action@v3\n", ""),
        ] {
            let m = model(&[(".github/workflows/check.yml", &kept)], &["Dockerfile"]);
            assert_eq!(roles(&m), [("Dockerfile", Some("stage-build"), Role::Ships)], "{kept}");
        }
    }

    /// gramps-web-api's base-image.yml (held out in round 72): tags whose tag part holds a step's
    /// output still name the image's repository, which another Dockerfile's FROM is matched
    /// by; a repository an expression names is not kept.
    #[test]
    fn a_tag_an_expression_ends_still_names_its_repository() {
        let wf = "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          file: ./Dockerfile.base\n          push: true\n          tags: |\n            ghcr.io/gramps-project/gramps-web-base:latest-${{ steps.platform-tag.outputs.tag }}\n            ${{ steps.meta.outputs.image }}:1\n";
        let m = model(&[(".github/workflows/base-image.yml", wf)], &["Dockerfile.base"]);
        assert_eq!(roles(&m), [("Dockerfile.base", None, Role::Ships)]);
        assert_eq!(m.paths[0].images, ["ghcr.io/gramps-project/gramps-web-base:latest-…"]);
    }

    /// Wallos (held out in round 73): Docker's push-by-digest recipe pushes through its
    /// output, `push=${{ github.event_name != 'pull_request' }}`: it may push, so it ships.
    #[test]
    fn an_output_that_pushes_by_an_expression_ships() {
        let wf = "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@v3\n      - uses: docker/build-push-action@v6\n        with:\n          outputs: type=image,\"name=bellamy/wallos\",push-by-digest=true,name-canonical=true,push=${{ github.event_name != 'pull_request' }}\n";
        let m = model(&[(".github/workflows/build-release.yaml", wf)], &["Dockerfile"]);
        assert_eq!(roles(&m), [("Dockerfile", None, Role::Ships)]);
        let no = wf.replace("push=${{ github.event_name != 'pull_request' }}", "push=false");
        assert_eq!(
            roles(&model(&[(".github/workflows/b.yaml", &no)], &["Dockerfile"])),
            [("Dockerfile", None, Role::CiOnly)]
        );
    }

    /// Round 66 (zooniverse/caesar, held out): another repository's workflow named for
    /// deploying, given the app's name and no build input, builds the root `Dockerfile` and
    /// ships it; one named for migrations or notices, or a repository with no root
    /// `Dockerfile`, gives nothing
    #[test]
    fn another_repositorys_deploy_workflow_ships_the_root_dockerfile() {
        let wf = "on: push\njobs:\n  migrate:\n    uses: org/ci-cd/.github/workflows/db_migration.yaml@main\n    with:\n      app_name: app\n  deploy:\n    uses: org/ci-cd/.github/workflows/deploy_app.yaml@main\n    with:\n      app_name: app\n      commit_id: ${{ github.sha }}\n";
        let m = model(&[(".github/workflows/deploy.yml", wf)], &["Dockerfile", "Dockerfile.dev"]);
        assert_eq!(roles(&m), [("Dockerfile", None, Role::Ships)]);
        assert!(m.paths[0].evidence.says.contains("deploy_app.yaml"), "{}", m.paths[0].evidence);
        // `docker` is no `docs` (the exclusion once cancelled every docker-named workflow)
        let docker = wf.replace("deploy_app.yaml", "docker_publish.yaml");
        assert_eq!(roles(&model(&[(".github/workflows/deploy.yml", &docker)], &["Dockerfile"])).len(), 1);
        let docs = wf.replace("deploy_app.yaml", "deploy_docs.yaml");
        assert!(roles(&model(&[(".github/workflows/deploy.yml", &docs)], &["Dockerfile"])).is_empty());
        // a stem begins a word: `gem` is not in `deploy_management`
        let management = wf.replace("deploy_app.yaml", "deploy_management.yaml");
        assert_eq!(roles(&model(&[(".github/workflows/deploy.yml", &management)], &["Dockerfile"])).len(), 1);
        let notices = wf.replace("deploy_app.yaml", "slack_notification.yaml");
        assert!(roles(&model(&[(".github/workflows/deploy.yml", &notices)], &["Dockerfile"])).is_empty());
        assert!(roles(&model(&[(".github/workflows/deploy.yml", wf)], &["docker/Dockerfile"])).is_empty());
    }

    /// socorro (held out in round 63): `just build` runs `docker compose build` with
    /// COMPOSE_FILE leaving the development override out, then the job re-tags the app's image
    /// and a push action pushes it; a service the job only tests with is no evidence
    #[test]
    fn a_compose_build_in_a_job_that_pushes_ships() {
        let wf = r#"on: push
jobs:
  build:
    runs-on: ubuntu-latest
    env:
      COMPOSE_FILE: docker-compose.yml
    steps:
      - run: just build
      - run: docker tag local/socorro_app:latest "$TARGET_IMAGE"
      - uses: mozilla-it/deploy-actions/docker-push@v6
        with:
          image_tags: ${{ env.TARGET_IMAGE }}
"#;
        let justfile = "_env:
    cp .env.dist .env

build *args='app fakesentry': _env
    docker compose build --progress plain {{args}}
";
        let compose = "services:
  app:
    build:
      context: .
      dockerfile: docker/Dockerfile
    image: local/socorro_app
  fakesentry:
    build:
      context: docker/images/fakesentry
  db:
    image: postgres:16
";
        let dockerfiles = ["docker/Dockerfile", "docker/images/fakesentry/Dockerfile"];
        let files = [(".github/workflows/build.yml", wf), ("justfile", justfile), ("docker-compose.yml", compose)];
        let m = model(&files, &dockerfiles);
        // the app's image is re-tagged and pushed; fakesentry, built beside it for the tests,
        // is not
        assert_eq!(roles(&m), [("docker/Dockerfile", None, Role::Ships)]);
        assert!(m.paths[0].evidence.says.contains("`just build`, justfile:4"), "{}", m.paths[0].evidence);
        assert_eq!(m.paths[0].images, ["local/socorro_app"]);
        // named services only; `--push` alone is enough
        let one = wf.replace("just build", "docker compose -f docker-compose.yml build --push app").replace(
            "      - run: docker tag local/socorro_app:latest \"$TARGET_IMAGE\"\n      - uses: mozilla-it/deploy-actions/docker-push@v6\n        with:\n          image_tags: ${{ env.TARGET_IMAGE }}\n",
            "",
        );
        assert_eq!(
            roles(&model(&[(".github/workflows/build.yml", &one), ("docker-compose.yml", compose)], &dockerfiles)),
            [("docker/Dockerfile", None, Role::Ships)]
        );
        // built and only run in the job: nothing from the workflow
        let tested = "on: push
jobs:
  t:
    runs-on: ubuntu-latest
    steps:
      - run: docker compose build && docker compose run app pytest
";
        assert!(model(&[(".github/workflows/t.yml", tested), ("docker-compose.yml", compose)], &dockerfiles)
            .paths
            .is_empty());
    }

    /// A command whose first word is `--` (a run step's text read past a tool's options) is
    /// no package script: it panicked on the slice before.
    #[test]
    fn a_lone_double_dash_runs_no_script() {
        assert!(package_script(&["--".to_owned(), "build".to_owned()]).is_none());
        let wf = "on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          -- adjust build\n";
        assert!(model(&[(".github/workflows/a.yml", wf)], &["Dockerfile"]).paths.is_empty());
    }

    #[test]
    fn forks_of_the_build_push_action_are_read_as_it() {
        // outline: Blacksmith's drop-in fork pushes the base image by digest, named by an env
        let wf = r#"on: push
env:
  BASE_IMAGE_NAME: outlinewiki/outline-base
jobs:
  base:
    runs-on: ubuntu-latest
    steps:
      - uses: useblacksmith/build-push-action@fb9e3e6a9299c78462bfadd0d93352c316adc9b8
        with:
          context: .
          file: Dockerfile.base
          tags: ${{ env.BASE_IMAGE_NAME }}
          outputs: type=image,push-by-digest=true,name-canonical=true,push=true
      - uses: ./.github/actions/build-push-action
"#;
        let m = model(&[(".github/workflows/docker.yml", wf)], &["Dockerfile.base"]);
        assert_eq!(roles(&m), [("Dockerfile.base", None, Role::Ships)]);
        assert_eq!(m.paths[0].images, ["outlinewiki/outline-base"]);
        assert!(
            m.paths[0].evidence.to_string().contains("useblacksmith/build-push-action pushes it"),
            "{}",
            m.paths[0].evidence
        );
    }

    #[test]
    fn the_conditional_idiom_is_decided_by_the_matrix() {
        let scope = Scope {
            matrix: [("docker_image".to_owned(), "huginn/huginn-single-process".to_owned())].into(),
            ..Scope::default()
        };
        let huginn = "docker/${{ contains(matrix.docker_image, 'single-process') && 'single-process' || 'multi-process' }}/Dockerfile";
        assert_eq!(expand(huginn, &scope).as_deref(), Ok("docker/single-process/Dockerfile"));
        let name = "${{ matrix.docker_image == 'huginn/huginn' && 'huginn' || 'huginn-single-process' }}";
        assert_eq!(expand(name, &scope).as_deref(), Ok("huginn-single-process"));
        // what cannot be decided here stays unresolved
        assert!(expand("${{ github.ref == 'refs/heads/main' && 'latest' || 'dev' }}", &scope).is_err());
        assert!(expand("${{ matrix.nope && 'a' || 'b' }}", &scope).is_err());
        let off = Scope { matrix: [("push".to_owned(), "false".to_owned())].into(), ..Scope::default() };
        assert_eq!(expand("${{ matrix.push && 'a' || 'b' }}", &off).as_deref(), Ok("b"));
        assert_eq!(expand("${{ matrix.docker_image && '' || 'b' }}", &scope).as_deref(), Ok("b"));
    }

    /// Round 79 (djyde/cusdis): publishing actions of others push the Dockerfile their inputs
    /// name (elgohr's in a `workdir`), unless an input turns the push off
    #[test]
    fn publishing_actions_push_what_they_build() {
        let wf = r#"on: push
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: elgohr/Publish-Docker-Github-Action@v5
        with:
          name: djyde/cusdis
          workdir: web
          dockerfile: Dockerfile.prod
      - uses: mr-smithers-excellent/docker-build-push@v6
        with:
          image: o/tool
          dockerfile: tool/Dockerfile
          directory: tool
          pushImage: false
"#;
        let m = model(&[(".github/workflows/publish.yml", wf)], &["web/Dockerfile.prod", "tool/Dockerfile"]);
        assert_eq!(roles(&m), [("web/Dockerfile.prod", None, Role::Ships), ("tool/Dockerfile", None, Role::Ships)]);
        assert_eq!(m.paths[0].images, ["djyde/cusdis"]);
        let says = m.paths[0].evidence.to_string();
        assert!(says.contains("elgohr/publish-docker-github-action pushes it"), "{says}");
        // not pushed, the image is still built and tagged in the runner's daemon, as `docker
        // build -t` would be
        let says = m.paths[1].evidence.to_string();
        assert!(says.contains("tags it") && !says.contains("pushes"), "{says}");
    }

    /// Round 47 (grafana/oncall): an organisation's own build-and-push action, kept in a
    /// folder of a shared repository, takes build-push-action's inputs: its `target: prod`
    /// ships. An action of that name at a repository's root is not assumed to.
    #[test]
    fn an_organisations_build_push_action_ships_its_target() {
        let wf = "on: push\njobs:\n  docker:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: grafana/shared-workflows/actions/build-push-to-dockerhub@b7d33d6a98dc9cf332674c6cdebe92b8bcb05670\n        with:\n          context: engine/\n          push: true\n          repository: grafana/oncall\n          target: prod\n";
        let m = model(&[(".github/workflows/release.yml", wf)], &["engine/Dockerfile"]);
        assert!(roles(&m).contains(&("engine/Dockerfile", Some("prod"), Role::Ships)), "{:?}", roles(&m));
        let root = wf.replace("grafana/shared-workflows/actions/build-push-to-dockerhub", "someone/build-push-to-x");
        assert!(model(&[(".github/workflows/release.yml", &root)], &["engine/Dockerfile"]).paths.is_empty());
    }

    /// Round 31 (SickChill): version 1 of docker/build-push-action pushes unless told not to,
    /// and takes the Dockerfile's folder as `path` and the image as `repository`.
    #[test]
    fn build_push_action_v1_pushes_by_default() {
        let wf = "on: push\njobs:\n  docker:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/build-push-action@v1\n        with:\n          registry: docker.pkg.github.com\n          repository: sickchill/sickchill/sickchill\n          tag_with_ref: true\n      - uses: docker/build-push-action@v1.1.0\n        with:\n          path: web\n          dockerfile: web/Dockerfile.prod\n          push: false\n      - uses: docker/build-push-action@v1\n        with:\n          path: api\n          repository: o/api\n          tags: latest,1.2\n";
        let m =
            model(&[(".github/workflows/docker.yml", wf)], &["Dockerfile", "web/Dockerfile.prod", "api/Dockerfile"]);
        let found = roles(&m);
        assert!(found.contains(&("Dockerfile", None, Role::Ships)), "{found:?}");
        assert_eq!(m.paths[0].images, ["docker.pkg.github.com/sickchill/sickchill/sickchill"]);
        assert!(
            m.paths[0].evidence.to_string().contains("docker/build-push-action pushes it"),
            "{}",
            m.paths[0].evidence
        );
        // told not to push (and not tagged), it builds the Dockerfile `dockerfile` names, in
        // `path`, for CI only
        assert!(found.contains(&("web/Dockerfile.prod", None, Role::CiOnly)), "{found:?}");
        let api = m.paths.iter().find(|p| p.dockerfile == "api/Dockerfile").expect("api/Dockerfile is built");
        assert_eq!(api.images, ["o/api:latest", "o/api:1.2"]);
        assert!(found.contains(&("api/Dockerfile", None, Role::Ships)), "{found:?}");
    }

    #[test]
    fn build_push_action_pushes_loads_exports_or_validates() {
        let wf = r#"on: push
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Build and push
        uses: docker/build-push-action@v6
        with:
          context: ./vote
          push: ${{ github.event_name != 'pull_request' }}
          tags: ghcr.io/o/vote:latest
      - uses: docker/build-push-action@v6
        with:
          file: docker/api.Dockerfile
          target: runtime
          load: true
      - uses: docker/build-push-action@v6
        with:
          context: .
          file: docker/api.Dockerfile
          target: build-binaries
          outputs: type=local,dest=out
      - uses: docker/build-push-action@v6
        with:
          file: docker/api.Dockerfile
          target: unit-test
"#;
        let m = model(&[(".github/workflows/release.yml", wf)], &["vote/Dockerfile", "docker/api.Dockerfile"]);
        assert_eq!(
            roles(&m),
            [
                ("vote/Dockerfile", None, Role::Ships),
                ("docker/api.Dockerfile", Some("runtime"), Role::Ships),
                ("docker/api.Dockerfile", Some("build-binaries"), Role::CiOnly),
                ("docker/api.Dockerfile", Some("unit-test"), Role::CiOnly),
            ]
        );
        assert_eq!(m.paths[0].evidence.line, 7);
        assert_eq!(m.paths[0].name.as_deref(), Some("vote"));
        assert_eq!(m.paths[1].target_line, Some(16));
        assert!(
            m.paths[0]
                .evidence
                .to_string()
                .contains("docker/build-push-action pushes it (.github/workflows/release.yml:7)"),
            "{}",
            m.paths[0].evidence
        );
    }

    #[test]
    fn matrix_and_env_resolve_paths() {
        let wf = r#"on: push
env:
  ROOT: services
jobs:
  images:
    strategy:
      matrix:
        svc: [api, web]
        include:
          - svc: api
            file: api.Dockerfile
          - svc: worker
    runs-on: ubuntu-latest
    steps:
      - uses: docker/build-push-action@v6
        with:
          context: ${{ env.ROOT }}/${{ matrix.svc }}
          push: true
      - run: |
          docker build -f ${{ env.ROOT }}/${{ matrix.svc }}/Dockerfile \
            -t o/${{ matrix.svc }} ${{ env.ROOT }}/${{ matrix.svc }}
"#;
        let m = model(
            &[(".github/workflows/images.yml", wf)],
            &["services/api/Dockerfile", "services/web/Dockerfile", "services/worker/Dockerfile"],
        );
        let mut got: Vec<&str> = m.paths.iter().map(|p| p.dockerfile.as_str()).collect();
        got.dedup();
        got.sort();
        got.dedup();
        assert_eq!(got, ["services/api/Dockerfile", "services/web/Dockerfile", "services/worker/Dockerfile"]);
        assert!(m.paths.iter().all(|p| p.role == Role::Ships));
        assert!(m.notes.is_empty(), "{:?}", m.notes);
    }

    #[test]
    fn run_steps_build_with_flags_and_cd() {
        let wf = "on: push\njobs:\n  b:\n    runs-on: x\n    defaults:\n      run:\n        working-directory: app\n    steps:\n      - run: docker build -t app:ci .\n      - run: cd ../tools && docker buildx build --target lint --output type=cacheonly -f lint.Dockerfile .\n      - run: docker build -\n      - run: docker --context remote buildx build --push -f ../Dockerfile.prod ..\n      - name: with a variable\n        run: docker build -f $DOCKERFILE .\n      - run: echo build\n";
        let m =
            model(&[(".github/workflows/ci.yml", wf)], &["app/Dockerfile", "tools/lint.Dockerfile", "Dockerfile.prod"]);
        assert_eq!(
            roles(&m),
            [
                ("app/Dockerfile", None, Role::Ships),
                ("tools/lint.Dockerfile", Some("lint"), Role::CiOnly),
                ("Dockerfile.prod", None, Role::Ships)
            ]
        );
        assert_eq!(m.notes.len(), 1, "{:?}", m.notes);
        assert!(m.notes[0].message.contains("$DOCKERFILE"), "{:?}", m.notes);
    }

    /// Mailu (held out in round 22): bake runs inside `nick-fields/retry`'s `command`, for a
    /// matrix target another job printed from the bake file's default group
    #[test]
    fn a_retried_bake_of_a_computed_target_builds_the_default_group() {
        let wf = r#"on: push
jobs:
  targets:
    runs-on: x
    outputs:
      matrix: ${{ steps.t.outputs.matrix }}
    steps:
      - id: t
        run: echo matrix=$(docker buildx bake -f tests/build.hcl --print | jq -cr '.group.default.targets') >> $GITHUB_OUTPUT
  build:
    needs: targets
    strategy:
      matrix:
        target: ${{ fromJson(needs.targets.outputs.matrix) }}
    runs-on: x
    steps:
      - uses: nick-fields/retry@v3
        with:
          max_attempts: 3
          command: |
            docker buildx bake --push \
              --file ./tests/build.hcl ${{ matrix.target }}
"#;
        let hcl = "group \"default\" {\n  targets = [\"admin\"]\n}\ntarget \"admin\" {\n  context = \"admin/\"\n  contexts = {\n    assets = \"target:assets\"\n  }\n}\ntarget \"assets\" {\n  context = \"assets/\"\n}\n";
        let m = model(
            &[(".github/workflows/ci.yml", wf), ("tests/build.hcl", hcl)],
            &["admin/Dockerfile", "assets/Dockerfile"],
        );
        let shipped: Vec<_> = roles(&m).into_iter().filter(|(_, _, r)| *r == Role::Ships).collect();
        assert_eq!(shipped, [("admin/Dockerfile", None, Role::Ships)], "{:?}", m.paths);
        let admin = m.paths.iter().find(|p| p.dockerfile == "admin/Dockerfile" && p.role == Role::Ships).unwrap();
        assert_eq!(admin.contexts, ["assets"]);
        assert!(admin.evidence.says.contains("the workflow computes the target"), "{}", admin.evidence.says);
        // with no default group to stand for it, the computed target is said, not guessed
        let no_group = hcl.replace("group \"default\" {\n  targets = [\"admin\"]\n}\n", "");
        let m = model(&[(".github/workflows/ci.yml", wf), ("tests/build.hcl", &no_group)], &["admin/Dockerfile"]);
        assert!(m.paths.iter().all(|p| p.role != Role::Ships), "{:?}", m.paths);
        assert!(m.notes.iter().any(|n| n.message.contains("is not defined in tests/build.hcl")), "{:?}", m.notes);
    }

    #[test]
    fn reusable_workflows_local_and_remote() {
        let caller = r#"on: push
jobs:
  vote:
    uses: dockersamples/.github/.github/workflows/reusable-docker-build.yaml@main
    with:
      dockerhub-enable: true
      image-names: o/vote
      context: vote
  local:
    uses: ./.github/workflows/build.yml
    with:
      dir: result
  unrelated:
    uses: o/r/.github/workflows/lint.yml@v1
    with:
      level: strict
"#;
        let callee = "on:\n  workflow_call:\n    inputs:\n      dir: {type: string}\n      push: {type: boolean, default: true}\njobs:\n  b:\n    runs-on: x\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          context: ${{ inputs.dir }}\n          push: ${{ inputs.push }}\n";
        let m = model(
            &[(".github/workflows/ci.yml", caller), (".github/workflows/build.yml", callee)],
            &["vote/Dockerfile", "result/Dockerfile"],
        );
        assert_eq!(roles(&m), [("vote/Dockerfile", None, Role::Ships), ("result/Dockerfile", None, Role::Ships)]);
        assert!(m.paths[0].evidence.says.contains("reusable-docker-build.yaml"));
        assert_eq!(m.paths[1].evidence.file, ".github/workflows/build.yml");
        assert!(
            m.paths[1].evidence.says.contains("called from .github/workflows/ci.yml:10"),
            "{}",
            m.paths[1].evidence.says
        );
    }

    /// A local composite action builds with the caller's inputs.
    #[test]
    fn local_composite_actions_build_with_their_inputs() {
        let action = "name: build image\ninputs:\n  target: {required: true}\nruns:\n  using: composite\n  steps:\n    - uses: docker/build-push-action@v6\n      with:\n        file: docker/Dockerfile\n        target: ${{ inputs.target }}\n        outputs: type=image,name=ghcr.io/${{ steps.tags.outputs.name }},push-by-digest=true,push=true\n";
        let wf = "on: release\njobs:\n  images:\n    runs-on: x\n    strategy:\n      matrix:\n        target: [docker, lint]\n    steps:\n      - uses: ./.github/actions/build-image\n        with:\n          target: ${{ matrix.target }}\n";
        let m = model(
            &[(".github/workflows/release.yml", wf), (".github/actions/build-image/action.yml", action)],
            &["docker/Dockerfile"],
        );
        assert_eq!(
            roles(&m),
            [("docker/Dockerfile", Some("docker"), Role::Ships), ("docker/Dockerfile", Some("lint"), Role::Ships)]
        );
        assert_eq!(m.paths[0].evidence.file, ".github/actions/build-image/action.yml");
        assert!(
            m.paths[0].evidence.says.contains("called from .github/workflows/release.yml:9"),
            "{}",
            m.paths[0].evidence.says
        );
    }

    /// Round 82 (meltano, held out): a Docker container action in `.github/actions` is built
    /// by the runner for the step that uses it, and never pushed; one elsewhere, or one that
    /// runs a published image, is not read
    #[test]
    fn a_container_action_of_the_repository_ci_is_ci_only() {
        let action = "name: igluctl-lint\ninputs:\n  path: {default: ./}\nruns:\n  using: 'docker'\n  image: 'Dockerfile'\n  args:\n    - ${{ inputs.path }}\n";
        let wf = "on: pull_request\njobs:\n  lint:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n      - uses: ./.github/actions/igluctl-lint\n        with:\n          path: schemas\n";
        let m = model(
            &[(".github/workflows/lint.yml", wf), (".github/actions/igluctl-lint/action.yml", action)],
            &[".github/actions/igluctl-lint/Dockerfile"],
        );
        assert_eq!(roles(&m), [(".github/actions/igluctl-lint/Dockerfile", None, Role::CiOnly)]);
        assert_eq!(
            (m.paths[0].evidence.file.as_str(), m.paths[0].evidence.line),
            (".github/actions/igluctl-lint/action.yml", 4)
        );
        // read from the action, whoever uses it (meltano's `uses:` is mistyped `$/.github/…`)
        let m = model(
            &[
                (".github/workflows/lint.yml", &wf.replace("./.github", "$/.github")),
                (".github/actions/igluctl-lint/action.yml", action),
            ],
            &[".github/actions/igluctl-lint/Dockerfile"],
        );
        assert_eq!(roles(&m), [(".github/actions/igluctl-lint/Dockerfile", None, Role::CiOnly)]);
        assert!(m.paths[0].evidence.says.contains("Docker container action"), "{}", m.paths[0].evidence.says);
        // a published image, or an action outside .github (what the repository offers others)
        let pulled = action.replace("'Dockerfile'", "'docker://alpine:3'");
        let m = model(
            &[(".github/workflows/lint.yml", wf), (".github/actions/igluctl-lint/action.yml", &pulled)],
            &[".github/actions/igluctl-lint/Dockerfile"],
        );
        assert!(m.paths.is_empty());
        let m = model(
            &[
                (".github/workflows/lint.yml", &wf.replace("./.github/actions/", "./actions/")),
                ("actions/igluctl-lint/action.yml", action),
            ],
            &["actions/igluctl-lint/Dockerfile"],
        );
        assert!(m.paths.is_empty());
    }

    #[test]
    fn bake_from_workflows() {
        let bake = "target \"image\" {\n  tags = [\"o/app\"]\n}\ntarget \"bin\" {\n  target = \"binaries\"\n  output = [\"./bin\"]\n}\n";
        let wf = r#"on: push
jobs:
  a:
    runs-on: x
    steps:
      - uses: docker/bake-action@v6
        with:
          targets: image
          push: true
      - run: docker buildx bake bin
  b:
    uses: docker/github-builder/.github/workflows/bake.yml@v1
    with:
      target: image
      output: local
"#;
        let m = model(&[(".github/workflows/ci.yml", wf), ("docker-bake.hcl", bake)], &["Dockerfile"]);
        assert_eq!(
            roles(&m),
            [
                ("Dockerfile", None, Role::Ships),
                ("Dockerfile", Some("binaries"), Role::CiOnly),
                ("Dockerfile", None, Role::CiOnly)
            ]
        );
        assert!(
            m.paths[0].evidence.says.starts_with("docker/bake-action builds bake target `image`"),
            "{}",
            m.paths[0].evidence.says
        );
    }

    #[test]
    fn unresolved_values_are_notes() {
        let wf = "on: push\njobs:\n  a:\n    runs-on: x\n    strategy:\n      matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          file: ${{ matrix.dockerfile }}\n";
        let m =
            model(&[(".github/workflows/a.yml", wf), (".github/workflows/broken.yml", "jobs: [\n")], &["Dockerfile"]);
        assert!(m.paths.is_empty());
        assert_eq!(m.notes.len(), 3, "{:?}", m.notes);
        assert!(m.notes.iter().any(|n| n.message.contains("${{ matrix.dockerfile }}")));
        assert!(m.notes.iter().any(|n| n.file.ends_with("broken.yml") && n.message.contains("not valid YAML")));
    }

    #[test]
    fn command_lines() {
        let w = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        let Some(Cli::Build(b)) =
            cli(&w("docker image build --pull -t a -t b --build-arg X=1 -o type=local,dest=o ctx"))
        else {
            panic!()
        };
        assert_eq!((b.context.as_str(), b.tags.len(), b.outputs[0].as_str()), ("ctx", 2, "type=local,dest=o"));
        let Some(Cli::Build(b)) = cli(&w("buildah bud --layers -f Containerfile .")) else { panic!() };
        assert_eq!(b.file.as_deref(), Some("Containerfile"));
        let Some(Cli::Bake(i)) = cli(&w("docker buildx bake -f a.hcl --set *.platform=linux/amd64 --push x y")) else {
            panic!()
        };
        assert_eq!(
            (i.files, i.targets, i.push),
            (vec!["a.hcl".to_owned()], vec!["x".to_owned(), "y".to_owned()], true)
        );
        assert!(cli(&w("docker buildx bake --print")).is_none());
        assert!(cli(&w("docker run --rm img build")).is_none());
        assert!(cli(&w("npm run build")).is_none());
    }

    /// etherpad's rate-limit job: images built with `docker build -t`, run with `docker run`
    /// in the same job and never pushed are built to be tested there; a push, a save or a
    /// registry login anywhere in the job keeps them shipped.
    #[test]
    fn an_image_built_and_run_in_a_job_that_sends_nothing_is_ci_only() {
        let wf = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v5\n      - uses: SamTV12345/gnpm-setup@main\n      - run: |\n          docker build -f Dockerfile -t app .\n          docker build -f tests/Dockerfile.proxy -t proxy .\n      - run: |\n          docker run -d --rm app\n          docker run -p 8081:80 -d proxy:latest\n";
        let m = model(&[(".github/workflows/t.yml", wf)], &["Dockerfile", "tests/Dockerfile.proxy"]);
        assert_eq!(roles(&m), [("Dockerfile", None, Role::CiOnly), ("tests/Dockerfile.proxy", None, Role::CiOnly)]);
        assert!(m.paths[0].evidence.says.contains("runs it in the job, and nothing there pushes or saves it"));
        for sends in [
            "      - run: docker push app\n",
            "      - uses: docker/login-action@v3\n",
            "      - run: docker save app -o app.tar\n",
        ] {
            let m = model(
                &[(".github/workflows/t.yml", &format!("{wf}{sends}"))],
                &["Dockerfile", "tests/Dockerfile.proxy"],
            );
            assert_eq!(m.paths[0].role, Role::Ships, "{sends}");
        }
        // every matrix combination is judged by the whole job, though a later one rereads
        // only the steps that vary with it
        let matrix = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        app: [api, web]\n    steps:\n      - run: docker build -f ${{ matrix.app }}/Dockerfile -t ${{ matrix.app }} ${{ matrix.app }}\n      - run: docker run --rm ${{ matrix.app }} --self-test\n      - run: docker push --all-tags registry.example.com/team\n";
        let m = model(&[(".github/workflows/t.yml", matrix)], &["api/Dockerfile", "web/Dockerfile"]);
        assert_eq!(roles(&m), [("api/Dockerfile", None, Role::Ships), ("web/Dockerfile", None, Role::Ships)]);
        // tagged and not run in the job: it may be used elsewhere
        let built = wf.split("      - run: |\n          docker run").next().unwrap();
        assert_eq!(
            model(&[(".github/workflows/t.yml", built)], &["Dockerfile", "tests/Dockerfile.proxy"]).paths[0].role,
            Role::Ships
        );
    }

    /// photoview's tests.yml: `build-push-action` with `load: true` builds the `api` stage,
    /// the next step `docker run`s it with the test script. Docker's set-up and build
    /// actions that push nothing do not send the image away; a push in the job does.
    #[test]
    fn an_image_loaded_to_be_run_in_the_job_is_ci_only() {
        let wf = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@v4\n      - uses: actions/checkout@v7\n      - uses: docker/build-push-action@v7\n        with:\n          push: false\n          load: true\n          target: api\n          tags: photoview/api\n      - run: |\n          docker run --name test --network host \\\n            photoview/api \\\n            /app/scripts/test_all.sh\n      - uses: codecov/codecov-action@v7\n";
        let m = model(&[(".github/workflows/t.yml", wf)], &["Dockerfile"]);
        assert_eq!(roles(&m), [("Dockerfile", Some("api"), Role::CiOnly)]);
        assert!(m.paths[0].evidence.says.contains("runs it in the job"), "{}", m.paths[0].evidence.says);
        for sends in [
            "      - run: docker push photoview/api\n",
            "      - uses: docker/login-action@v3\n",
            "      - uses: docker/build-push-action@v7\n        with:\n          push: true\n          tags: photoview/api\n",
            "      - uses: docker/build-push-action@v7\n        with:\n          push: ${{ github.event_name != 'pull_request' }}\n",
            "      - uses: docker/build-push-action@v7\n        with:\n          outputs: type=registry\n",
            "      - uses: docker/scout-action@v1\n",
        ] {
            let m = model(&[(".github/workflows/t.yml", &format!("{wf}{sends}"))], &["Dockerfile"]);
            assert_eq!(m.paths[0].role, Role::Ships, "{sends}");
        }
        // loaded and not run in the job: it may be used elsewhere
        let loaded = wf.split("      - run: |").next().unwrap();
        assert_eq!(model(&[(".github/workflows/t.yml", loaded)], &["Dockerfile"]).paths[0].role, Role::Ships);
    }

    /// shiori's push workflow runs `make buildx` with the Dockerfile and `--push` as make
    /// variables; the Makefile's recipe runs a script that runs `docker buildx build`.
    /// Round 33's tuning (miniflux's packaging images): `make debian` builds a .deb builder
    /// with `docker buildx build --load -t miniflux-deb-builder` and runs it (`docker run --rm
    /// -v $PWD:/pkg miniflux-deb-builder`) in the same recipe; nothing pushes it, so it is
    /// built to be run in CI, not shipped. The same recipe with a push ships.
    #[test]
    fn an_image_a_recipe_builds_and_runs_is_ci_only() {
        let wf = "on: push\njobs:\n  p:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/setup-buildx-action@v3\n      - run: make debian\n      - uses: actions/upload-artifact@v4\n        with:\n          path: '*.deb'\n";
        let mk = "debian:\n\t@ docker buildx build --load \\\n\t\t-t miniflux-deb-builder \\\n\t\t-f packaging/debian/Dockerfile \\\n\t\t.\n\t@ docker run --rm -v ${PWD}:/pkg miniflux-deb-builder\n";
        let m = model(&[(".github/workflows/p.yml", wf), ("Makefile", mk)], &["packaging/debian/Dockerfile"]);
        assert_eq!(roles(&m), [("packaging/debian/Dockerfile", None, Role::CiOnly)], "{m:?}");
        let pushed = mk.replace("\t@ docker run --rm", "\t@ docker push miniflux-deb-builder\n\t@ docker run --rm");
        let m = model(&[(".github/workflows/p.yml", wf), ("Makefile", &pushed)], &["packaging/debian/Dockerfile"]);
        assert_eq!(roles(&m), [("packaging/debian/Dockerfile", None, Role::Ships)], "{m:?}");
        let to_registry = mk.replace("--load", "--push");
        let m = model(&[(".github/workflows/p.yml", wf), ("Makefile", &to_registry)], &["packaging/debian/Dockerfile"]);
        assert_eq!(roles(&m), [("packaging/debian/Dockerfile", None, Role::Ships)], "{m:?}");
    }

    /// allegro/ralph (round 79): `make build-package` builds the .deb builder, runs it and
    /// removes it, in a job that logs in and pushes the app's own image: the builder is a
    /// tool run once. Pushed by name, or not removed, it is kept.
    #[test]
    fn an_image_run_once_and_removed_is_ci_only_where_the_job_pushes_another() {
        let wf = "on: release\njobs:\n  p:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make build-package\n      - run: |\n          docker login -u u -p p\n          make publish-docker-image\n";
        let mk = "build-package:\n\tdocker build --force-rm -f docker/Dockerfile-deb -t ralph-deb:latest .\n\tdocker run --rm -v $(shell pwd):/volume ralph-deb:latest build-package\n\tdocker image rm --force ralph-deb:latest\n\npublish-docker-image:\n\tdocker build -f docker/Dockerfile-prod -t allegro/ralph:latest .\n\tdocker push allegro/ralph:latest\n";
        let files = ["docker/Dockerfile-deb", "docker/Dockerfile-prod"];
        let deb = |mk: &str| -> Vec<Role> {
            let m = model(&[(".github/workflows/p.yml", wf), ("Makefile", mk)], &files);
            m.paths.iter().filter(|p| p.dockerfile == files[0]).map(|p| p.role).collect()
        };
        assert_eq!(deb(mk), [Role::CiOnly]);
        let m = model(&[(".github/workflows/p.yml", wf), ("Makefile", mk)], &files);
        assert!(m.paths.iter().any(|p| p.dockerfile == files[1] && p.role == Role::Ships), "{m:?}");
        let not_removed = mk.replace("\tdocker image rm --force ralph-deb:latest\n", "");
        let pushed = mk.replace("\tdocker image rm", "\tdocker push ralph-deb:latest\n\tdocker image rm");
        assert_eq!(deb(&not_removed), [Role::Ships]);
        assert_eq!(deb(&pushed), [Role::Ships]);
    }

    /// camptocamp's odoo images (held out in round 78): the build's Dockerfile is a step
    /// output, so the path is not followed, but its `build-contexts: python=…` still says
    /// what `FROM python` is, for every Dockerfile of the repository.
    #[test]
    fn named_contexts_of_a_build_not_followed_are_kept() {
        let wf = "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - id: s\n        run: echo \"f=./build/Dockerfile\" >> $GITHUB_OUTPUT\n      - uses: docker/build-push-action@v6\n        with:\n          context: ./build\n          file: ${{ steps.s.outputs.f }}\n          build-contexts: |\n            python=docker-image://${{ steps.s.outputs.p }}\n          push: true\n";
        let m = model(&[(".github/workflows/b.yml", wf)], &["common/Dockerfile"]);
        assert!(m.paths.is_empty(), "{m:?}");
        assert_eq!(m.named_contexts, vec!["python".to_owned()]);
        let a = m.answer("common/Dockerfile", None);
        assert!(a.local.contains(&"python".to_owned()), "{:?}", a.local);
    }

    /// Dolibarr's `update.sh`, run by the build workflow: the script names its own folder
    /// with `$(cd "$(dirname "$0")" && pwd)`, builds its tags into a variable with `--tag`
    /// options only, and pushes `"${BASE_DIR}/images/${currentTag}"` for each version of a
    /// loop. Every image folder is read as pushed; a bare `$DIR` is not read as every folder.
    #[test]
    fn a_script_looping_over_its_image_folders_pushes_each() {
        let wf = "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./update.sh\n";
        let sh = "#!/bin/bash\nBASE_DIR=\"$( cd \"$(dirname \"$0\")\" && pwd )\"\nfor v in \"${VERSIONS[@]}\"; do\n  if [ \"$v\" = develop ]; then currentTag=$v; else currentTag=$v-php; fi\n  tags=\"--tag o/app:${currentTag}\"\n  if [ \"$v\" != develop ]; then\n    tags=\"${tags} --tag o/app:${v}\"\n  fi\n  docker buildx build --push ${tags} \"${BASE_DIR}/images/${currentTag}\"\ndone\n";
        let dfs = ["images/1.0-php/Dockerfile", "images/develop/Dockerfile", "Dockerfile"];
        let m = model(&[(".github/workflows/b.yml", wf), ("update.sh", sh)], &dfs);
        assert_eq!(
            roles(&m),
            [("images/1.0-php/Dockerfile", None, Role::Ships), ("images/develop/Dockerfile", None, Role::Ships)],
            "{m:?}"
        );
        assert!(m.paths[0].evidence.says.contains("with `./images/${currentTag}` read as `images/1.0-php`"));
        let bare = sh.replace("\"${BASE_DIR}/images/${currentTag}\"", "\"$DIR\"");
        let m = model(&[(".github/workflows/b.yml", wf), ("update.sh", &bare)], &dfs);
        assert!(roles(&m).is_empty(), "{m:?}");
        // the options variable that holds only tags is read; one that may hold `--push` or `-f` is not
        let opaque = sh.replace("tags=\"--tag o/app:${currentTag}\"", "tags=\"$(cat opts)\"");
        let m = model(&[(".github/workflows/b.yml", wf), ("update.sh", &opaque)], &dfs);
        assert!(roles(&m).is_empty(), "{m:?}");
    }

    #[test]
    fn make_targets_and_scripts_are_followed() {
        let wf = "on: push\njobs:\n  p:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make buildx CONTAINERFILE_NAME=Dockerfile.alpine CONTAINER_BUILDX_OPTIONS=\"--push --tag o/app:1\"\n";
        let mk = "export CONTAINER_RUNTIME := docker\n.PHONY: buildx\nbuildx:\n\t@bash scripts/buildx.sh\n";
        let sh = "#!/usr/bin/env bash\nset -ex\n$CONTAINER_RUNTIME buildx build \\\n    -f ${CONTAINERFILE_NAME} \\\n    ${CONTAINER_BUILDX_OPTIONS} \\\n    .\n";
        let files = [(".github/workflows/p.yml", wf), ("Makefile", mk), ("scripts/buildx.sh", sh)];
        let m = model(&files, &["Dockerfile", "Dockerfile.alpine"]);
        assert_eq!(roles(&m), [("Dockerfile.alpine", None, Role::Ships)]);
        let says = &m.paths[0].evidence.says;
        assert!(says.contains("`bash scripts/buildx.sh`, called from `make buildx`, Makefile:3"), "{says}");
        assert_eq!(m.paths[0].evidence.file, ".github/workflows/p.yml");
        // options passed in a variable may hide `-f` and `--push`: said, not guessed
        // (shiplight's own scripts/release.sh)
        let sh = "args=(--push -t \"$image\" -f release/Dockerfile)\ndocker buildx build \"${args[@]}\" .\n";
        let wf = "on: push\njobs:\n  p:\n    runs-on: ubuntu-latest\n    steps:\n      - run: scripts/release.sh 1.0\n";
        let m = model(
            &[(".github/workflows/p.yml", wf), ("scripts/release.sh", sh)],
            &["Dockerfile", "release/Dockerfile"],
        );
        assert!(m.paths.is_empty(), "{m:?}");
        assert!(m.notes[0].message.contains("`${args[@]}` may hold its options"), "{:?}", m.notes);
        // a script the repository does not have (or that builds nothing) is no evidence
        let wf = "on: push\njobs:\n  p:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./ci/build.sh\n";
        let m = model(&[(".github/workflows/p.yml", wf)], &["Dockerfile"]);
        assert!(m.paths.is_empty() && m.notes.is_empty(), "{m:?}");
        // a script that runs itself ends, and says so
        let wf = "on: push\njobs:\n  p:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./ci/build.sh\n";
        let sh = "docker build -t o/app . && docker push o/app\n./ci/build.sh\n";
        let m = model(&[(".github/workflows/p.yml", wf), ("ci/build.sh", sh)], &["Dockerfile"]);
        assert_eq!(m.paths.len(), MAX_FOLLOW, "{m:?}");
        assert!(m.notes.iter().any(|n| n.message.contains("runs too much to follow")), "{:?}", m.notes);
    }

    /// uptime-kuma's build-docker-base.yml runs `npm run build-docker-base-slim`, a
    /// package.json script that runs `docker buildx build … --target base2-slim --push`: the
    /// script is read as the step's own, so that target ships. A `pre…` script runs first;
    /// a script name the package.json lacks, a call into another workspace, or a tool's own
    /// command (`yarn install`) is no evidence.
    #[test]
    fn package_json_scripts_a_step_runs_are_followed() {
        let pkg = r#"{"scripts": {"build-docker-base-slim": "docker buildx build -f docker/debian-base.dockerfile --platform linux/amd64,linux/arm64 -t louislam/uptime-kuma:base2-slim --target base2-slim . --push", "prebuild-dev": "docker buildx build -f docker/dockerfile -t o/dev --target dev --push .", "build-dev": "echo built"}}"#;
        let wf =
            |run: &str| format!("on: push\njobs:\n  p:\n    runs-on: ubuntu-latest\n    steps:\n      - run: {run}\n");
        let files = |run: &str| {
            vec![(".github/workflows/p.yml".to_owned(), wf(run)), ("package.json".to_owned(), pkg.to_owned())]
        };
        let dockerfiles = ["docker/debian-base.dockerfile", "docker/dockerfile"];
        let of = |run: &str| {
            let f = files(run);
            let refs: Vec<(&str, &str)> = f.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
            model(&refs, &dockerfiles)
        };
        let m = of("npm run build-docker-base-slim");
        assert_eq!(roles(&m), [("docker/debian-base.dockerfile", Some("base2-slim"), Role::Ships)], "{m:?}");
        assert!(m.paths[0].evidence.says.contains("package.json (script `build-docker-base-slim`)"), "{m:?}");
        // the `pre…` script that builds, run by npm and Yarn (bare or with `run`)
        for run in ["yarn build-dev", "npm run-script build-dev"] {
            let m = of(run);
            assert_eq!(roles(&m), [("docker/dockerfile", Some("dev"), Role::Ships)], "{run}: {m:?}");
        }
        // pnpm runs no `pre…` script by default
        assert!(of("pnpm run build-dev").paths.is_empty());
        for run in ["npm run missing", "npm run build-docker-base-slim --workspace web", "yarn install"] {
            assert!(of(run).paths.is_empty(), "{run}");
        }
    }

    /// etherpad's docker.yml checks the repository out into `etherpad/` and builds
    /// `context: ./etherpad`: that is the repository's root.
    #[test]
    fn a_checkout_into_a_folder_is_the_repository_root() {
        let wf = "on: push\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v5\n        with:\n          path: etherpad\n      - uses: docker/build-push-action@v6\n        with:\n          context: ./etherpad\n          target: production\n          push: true\n";
        let m = model(&[(".github/workflows/d.yml", wf)], &["Dockerfile"]);
        assert_eq!(roles(&m), [("Dockerfile", Some("production"), Role::Ships)]);
        // another repository checked out beside it changes nothing
        let other =
            wf.replace("          path: etherpad\n", "          repository: o/tools\n          path: etherpad\n");
        assert!(model(&[(".github/workflows/d.yml", &other)], &["Dockerfile"]).paths.is_empty());
    }
}
