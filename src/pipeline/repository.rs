//! Read a repository's build files into the ship model ([`crate::repository`]), once per
//! repository per run: its workflows, bake files, compose files and dev containers, the
//! `images:` of its `.shiplight.yml`, and the list of its Dockerfiles. Where `docker
//! buildx` is on the machine (GitHub's runners have it), bake files are resolved by
//! `docker buildx bake --print` itself; elsewhere they are read statically, and the model
//! says what could not be resolved.
//!
//! The repository is the nearest folder above a Dockerfile holding `.git`. A Dockerfile in
//! no repository is read with the working directory as its root when it lies below it, else
//! its own folder.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use crate::repository::{self, BuildPath, Evidence, File, Model, Note, Printed, Role, Source, Sources};

/// Files larger than this are not build files anyone writes by hand.
const MAX_FILE: u64 = 1 << 20;
/// At most this many entries are looked at when a repository is walked.
const MAX_WALKED: usize = 500_000;

/// Whether a repository-relative path lies in another repository's files, vendored here
/// (`vendor/`, `third_party/`, `node_modules/`): nothing in this repository builds or runs
/// what is there.
pub fn is_vendored(path: &str) -> bool {
    path.split('/').any(|p| repository::VENDORED.contains(&p))
}

/// The nearest folder above `file` (or `file` itself, when it is a folder) that holds
/// `.git`.
pub fn root_of(file: &Path) -> Option<PathBuf> {
    let absolute = std::fs::canonicalize(file).ok()?;
    absolute.ancestors().find(|d| d.join(".git").exists()).map(Path::to_path_buf)
}

/// The root to read for `file`: its repository, else `cwd` when the file lies below it,
/// else the file's folder.
pub fn root_for(file: &Path, cwd: &Path) -> PathBuf {
    if let Some(r) = root_of(file) {
        return r;
    }
    let absolute = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    match std::fs::canonicalize(cwd) {
        Ok(c) if absolute.starts_with(&c) => c,
        _ => absolute.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from(".")),
    }
}

/// `file` relative to `root`, `/`-separated and normalised; `None` outside it.
pub fn relative(file: &Path, root: &Path) -> Option<String> {
    let absolute = std::fs::canonicalize(file).ok()?;
    let rel = absolute.strip_prefix(root).ok()?;
    Some(repository::normalize(rel).to_string_lossy().replace('\\', "/"))
}

/// Read everything the model needs under `root`; `stated` are the paths the user gave
/// (the Action's inputs).
pub fn sources(root: &Path, stated: Vec<BuildPath>) -> Sources {
    let mut s = Sources { stated, ..Sources::default() };
    let mut seen = 0usize;
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .git_ignore(true)
        .git_global(false)
        .git_exclude(false)
        .require_git(false)
        .filter_entry(|e| e.file_name() != ".git" && e.file_name() != "node_modules")
        .build();
    for entry in walker {
        let Ok(entry) = entry else { continue };
        seen += 1;
        if seen > MAX_WALKED {
            s.notes.push(Note {
                file: String::new(),
                line: 0,
                message: format!("the repository has more than {MAX_WALKED} files; the rest were not looked at"),
            });
            break;
        }
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(root) else { continue };
        let rel = rel.to_string_lossy().replace('\\', "/");
        let name = rel.rsplit('/').next().unwrap_or(&rel);
        if crate::pipeline::lint::is_dockerfile_name(name) {
            if entry.metadata().is_ok_and(|m| m.len() <= MAX_FILE) {
                if let Ok(text) = std::fs::read_to_string(entry.path()) {
                    if let Ok(df) = crate::dockerfile::Dockerfile::parse(&text) {
                        let (bases, made) = made(&rel, &df);
                        s.bases.extend(bases);
                        s.made.extend(made);
                    }
                }
            }
            s.dockerfiles.push(rel.clone());
            continue;
        }
        // someone else's repository, vendored: nothing here runs its build files
        let wanted = !is_vendored(&rel)
            && (repository::workflows::is_workflow_path(&rel)
                || repository::pipelines::is_pipeline_path(&rel)
                || repository::compose::is_compose_name(name)
                || repository::bake::is_bake_name(name)
                || name.ends_with(".hcl")
                || repository::devcontainer::is_devcontainer_path(&rel)
                || repository::gitpod::is_gitpod_path(&rel)
                || repository::tilt::is_tiltfile_name(name)
            // local actions a workflow may `uses: ./path` (composite ones build too)
            || matches!(name, "action.yml" | "action.yaml"));
        // Makefiles, shell scripts and package.json scripts a run step may call (`make
        // buildx`, `bash build.sh`, `npm run build-docker`): only those that build or push
        // images are kept
        let callable = repository::make::is_makefile_name(name)
            || repository::just::is_justfile_name(name)
            || name.ends_with(".sh")
            || name == "package.json";
        if !wanted && !is_vendored(&rel) && callable {
            if entry.metadata().is_ok_and(|m| m.len() <= MAX_FILE) {
                if let Ok(text) = std::fs::read_to_string(entry.path()) {
                    if ["docker", "buildx", "podman", "build"].iter().any(|w| text.contains(w)) {
                        s.files.push(File { path: rel, text });
                    }
                }
            }
            continue;
        }
        // an official-images manifest is known by its text: any other file named like its
        // folder (a script, a binary) is left unsaid
        if !wanted && !is_vendored(&rel) && repository::library::is_manifest_path(&rel) {
            if entry.metadata().is_ok_and(|m| m.len() <= MAX_FILE) {
                if let Ok(text) = std::fs::read_to_string(entry.path()) {
                    if repository::library::is_manifest(&text) {
                        s.files.push(File { path: rel, text });
                    }
                }
            }
            continue;
        }
        // a compose file the project named (`local.yml`, `production.yml`) is known by its text
        if !wanted && !is_vendored(&rel) && (name.ends_with(".yml") || name.ends_with(".yaml")) {
            if entry.metadata().is_ok_and(|m| m.len() <= MAX_FILE) {
                if let Ok(text) = std::fs::read_to_string(entry.path()) {
                    if repository::compose::is_compose_text(&text) {
                        s.files.push(File { path: rel, text });
                    }
                }
            }
            continue;
        }
        if !wanted {
            continue;
        }
        if entry.metadata().map(|m| m.len() > MAX_FILE).unwrap_or(true) {
            s.notes.push(Note { file: rel, line: 0, message: "larger than 1 MiB: not read".into() });
            continue;
        }
        match std::fs::read_to_string(entry.path()) {
            Ok(text) => s.files.push(File { path: rel, text }),
            Err(e) => s.notes.push(Note { file: rel, line: 0, message: format!("cannot be read ({e})") }),
        }
    }
    s.files.sort_by(|a, b| a.path.cmp(&b.path));
    s.dockerfiles.sort();
    s.stated.extend(configured(root, &mut s.notes));
    let (printed, notes) = printed(root, &s);
    s.printed = printed;
    s.notes.extend(notes);
    s
}

/// Every FROM of a Dockerfile, ARG defaults applied, and whether its stage ships when the
/// last stage is built; and what its last stage makes (its base and command): what
/// [`repository::builders`] matches images with.
fn made(
    rel: &str,
    df: &crate::dockerfile::Dockerfile,
) -> (Vec<repository::builders::BaseUse>, Option<repository::builders::Made>) {
    let Ok(graph) = crate::dockerfile::Graph::build(df, &[]) else { return (Vec::new(), None) };
    let bases = df
        .stages
        .iter()
        .zip(&graph.bases)
        .filter_map(|(stage, base)| match base {
            crate::dockerfile::graph::StageRef::Image(image) => Some(repository::builders::BaseUse {
                dockerfile: rel.to_owned(),
                line: stage.line,
                stage: stage.name.clone(),
                image: image.clone(),
                ships: graph.ships[stage.index],
            }),
            _ => None,
        })
        // an image only copied from (`COPY --from=acme/builder:go /out/x /x`, a mount) is
        // a build use too: its files ship, not its filesystem
        .chain(graph.edges.iter().filter_map(|e| match (&e.kind, &e.target) {
            (
                crate::dockerfile::graph::EdgeKind::CopyFrom | crate::dockerfile::graph::EdgeKind::MountFrom,
                crate::dockerfile::graph::StageRef::Image(image),
            ) => Some(repository::builders::BaseUse {
                dockerfile: rel.to_owned(),
                line: e.line,
                stage: None,
                image: image.clone(),
                ships: false,
            }),
            _ => None,
        }))
        .collect();
    let made = repository::builders::Made {
        dockerfile: rel.to_owned(),
        base: graph.targets.first().and_then(|&t| graph.root_image(t)).map(str::to_owned),
        command: repository::own_command(df, &graph),
        user: graph.targets.first().and_then(|&t| {
            let user = graph
                .lineage(t)
                .into_iter()
                .flat_map(|i| df.stages[i].of_kind(crate::dockerfile::Kind::User))
                .last()?;
            Some((user.line, user.words().first()?.clone()))
        }),
        env: graph
            .targets
            .first()
            .map(|&t| {
                let lineage = graph.lineage(t);
                let envs = lineage.into_iter().flat_map(|i| df.stages[i].of_kind(crate::dockerfile::Kind::Env));
                envs.flat_map(|e| e.pairs()).map(|kv| (kv.key.clone(), kv.value.clone().unwrap_or_default())).collect()
            })
            .unwrap_or_default(),
    };
    (bases, Some(made))
}

/// `.shiplight.yml`'s `images:`, as the strongest evidence.
fn configured(root: &Path, notes: &mut Vec<Note>) -> Vec<BuildPath> {
    match crate::pipeline::plan::configured_at(root) {
        Ok(Some(images)) => images
            .into_iter()
            .map(|spec| BuildPath {
                dockerfile: spec.dockerfile.clone(),
                context: spec.context.clone(),
                target: spec.target.clone(),
                role: Role::Ships,
                evidence: Evidence {
                    source: Source::Config,
                    file: ".shiplight.yml".into(),
                    line: 0,
                    says: format!("image `{}` in `images:`", spec.name),
                },
                name: Some(spec.name),
                target_line: None,
                mounts: Vec::new(),
                images: Vec::new(),
                contexts: Vec::new(),
                target_written: None,
                checks: false,
            })
            .collect(),
        Ok(None) => Vec::new(),
        Err(e) => {
            notes.push(Note {
                file: ".shiplight.yml".into(),
                line: 0,
                message: format!("its `images:` cannot be read: {e}"),
            });
            Vec::new()
        }
    }
}

/// Whether `docker buildx` answers here (asked once per process).
fn buildx() -> bool {
    static HAS: OnceLock<bool> = OnceLock::new();
    *HAS.get_or_init(|| {
        if std::env::var_os("SHIPLIGHT_NO_BAKE_PRINT").is_some() {
            return false;
        }
        run_bounded(std::process::Command::new("docker").args(["buildx", "version"]), Path::new("."), 10)
            .is_some_and(|(ok, _, _)| ok)
    })
}

/// Run a command with a time limit; `(success, stdout, stderr)`, `None` when it cannot run.
fn run_bounded(cmd: &mut std::process::Command, dir: &Path, seconds: u64) -> Option<(bool, String, String)> {
    use std::io::Read;
    let mut child = cmd
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    let mut out = child.stdout.take()?;
    let mut err = child.stderr.take()?;
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return Some((false, String::new(), format!("no answer within {seconds} s")));
            }
        }
    };
    Some((status.success(), reader.join().unwrap_or_default(), err_reader.join().unwrap_or_default()))
}

/// `docker buildx bake --print` of every folder that holds bake files the static reading
/// could not resolve entirely, for all their targets: bake's own resolution of variables,
/// functions, `inherits` and `matrix`. A folder read whole statically is not asked (bake
/// would say the same, and a process costs more than the rest of a lint run).
fn printed(root: &Path, s: &Sources) -> (Vec<Printed>, Vec<Note>) {
    let mut dirs: Vec<String> = s
        .files
        .iter()
        .filter(|f| repository::bake::is_bake_name(f.path.rsplit('/').next().unwrap_or(&f.path)))
        .map(|f| repository::folder(&f.path))
        .collect();
    dirs.dedup();
    if dirs.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let mut out = Vec::new();
    let mut notes = Vec::new();
    for dir in dirs {
        let files: Vec<String> = repository::bake::DEFAULT_FILES
            .iter()
            .map(|n| if dir == "." { (*n).to_owned() } else { format!("{dir}/{n}") })
            .filter(|p| s.file(p).is_some())
            .collect();
        let (names, complete) = repository::bake::target_names(s, &files);
        if names.is_empty() || complete || !buildx() {
            continue;
        }
        let mut cmd = std::process::Command::new("docker");
        cmd.args(["buildx", "bake", "--print"]);
        for f in &files {
            cmd.arg("-f").arg(f.rsplit('/').next().unwrap_or(f));
        }
        cmd.args(&names);
        match run_bounded(&mut cmd, &root.join(&dir), 30) {
            Some((true, json, _)) => out.push(Printed { files, dir: dir.clone(), json }),
            // the static reading stands; say why bake's own did not
            Some((false, _, err)) => notes.push(Note {
                file: files.join(", "),
                line: 0,
                message: format!(
                    "`docker buildx bake --print` failed ({}); the files were read statically",
                    err.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no message").trim()
                ),
            }),
            None => {}
        }
    }
    (out, notes)
}

/// Read the ship model of a repository, once per root per process.
pub fn model(root: &Path, stated: Vec<BuildPath>) -> Arc<Model> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Arc<Model>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if stated.is_empty() {
        if let Some(m) = cache.lock().ok().and_then(|c| c.get(root).cloned()) {
            return m;
        }
    }
    let key_stated = stated.is_empty();
    let m = Arc::new(Model::read(&sources(root, stated)));
    if key_stated {
        if let Ok(mut c) = cache.lock() {
            c.insert(root.to_path_buf(), m.clone());
        }
    }
    m
}

/// What ships of `file`: the model of its repository, asked for it. `parsed` is the
/// Dockerfile when it parses. `None` when the file is not below the root read.
pub fn answer(
    file: &Path,
    cwd: &Path,
    parsed: Option<&crate::dockerfile::Dockerfile>,
) -> Option<(repository::Answer, Arc<Model>, PathBuf)> {
    let root = root_for(file, cwd);
    let rel = relative(file, &root)?;
    let m = model(&root, Vec::new());
    Some((m.answer(&rel, parsed), m, root))
}

/// Every Dockerfile of a repository with what ships of it: what `shiplight ships` shows.
pub fn listing(path: &Path) -> Result<crate::report::ships::Listing, String> {
    let meta = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {} ({e}); give a folder of a repository", path.display()))?;
    let root = match root_of(path) {
        Some(r) => r,
        None if meta.is_dir() => std::fs::canonicalize(path).map_err(|e| format!("{}: {e}", path.display()))?,
        None => return Err(format!("{} is a file in no repository; give its folder", path.display())),
    };
    let sources = sources(&root, Vec::new());
    let model = Model::read(&sources);
    let mut dockerfiles: Vec<String> = sources.dockerfiles.clone();
    // a path may name a Dockerfile the walk did not see (ignored by .gitignore)
    for d in model.dockerfiles() {
        if !dockerfiles.iter().any(|x| x == d) {
            dockerfiles.push(d.to_owned());
        }
    }
    dockerfiles.sort();
    let entries = dockerfiles
        .into_iter()
        .map(|rel| {
            let text = std::fs::read_to_string(root.join(&rel)).ok();
            let df = text.as_deref().and_then(|t| crate::dockerfile::Dockerfile::parse(t).ok());
            let answer = model.answer(&rel, df.as_ref());
            crate::report::ships::Entry {
                shipped: answer.target_names(df.as_ref()),
                dockerfile: rel,
                parses: df.is_some(),
                answer,
            }
        })
        .collect();
    Ok(crate::report::ships::Listing {
        root: root.display().to_string(),
        dockerfiles: entries,
        paths: model.paths.clone(),
        notes: model.notes.clone(),
        bake_printed: !sources.printed.is_empty(),
    })
}

/// The one stage the repository ships of `file`, when its files name one (a workflow's
/// `target`, a compose `build.target`): what compare builds when it is given none.
pub fn shipped_target(file: &Path, cwd: &Path) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    let df = crate::dockerfile::Dockerfile::parse(&text).ok();
    let (a, _, _) = answer(file, cwd, df.as_ref())?;
    match (a.ships() && !a.default, a.targets.as_slice()) {
        (true, [Some(t)]) => Some(t.clone()),
        _ => None,
    }
}
