//! What ships is the repository's answer. The ship model reads what a repository says about
//! its images, once per run, into one value: every **build path** (a Dockerfile, its context,
//! the stage it targets), the **role** of that path, and the **evidence** (file, line, what it
//! says). Lint rules, `suggest`, `plan`, the Action and `shiplight ships` all ask it; none of
//! them opens a workflow, bake, compose or dev container file itself.
//!
//! Evidence, strongest first ([`Source`]): `.shiplight.yml`'s `images:`, the Action's own
//! inputs, GitHub workflows (`workflows`) and other CI systems' pipelines (`pipelines`: the
//! builds that ship), bake files (`bake`), compose files (`compose`), dev containers
//! (`devcontainer`). Roles ([`Role`]): an image is pushed, loaded or tagged for
//! use (**ships**); a dev container or a compose service that runs the host's sources
//! (**development**); a build that only exports files, validates or tests (**ci-only**); an
//! image whose own ENTRYPOINT/CMD is a compiler or build tool (**toolchain-product**: the
//! toolchain is what ships, on purpose).
//!
//! The principle: evidence of development or CI marks *that build path*. A Dockerfile counts
//! as development or ci-only only when every known path says so; one path that ships wins.
//! With no evidence at all, the last stage ships, as a plain `docker build` would.
//!
//! Pure: the pipeline (`pipeline::repository`) finds and reads the files, runs
//! `docker buildx bake --print` where it can, and hands the texts in as [`Sources`].
//! Unreadable files and unresolved values (`${{ }}` expressions, unknown variables) become
//! [`Note`]s, never errors.

pub mod bake;
pub mod builders;
pub mod compose;
pub mod devcontainer;
pub mod gitpod;
pub mod just;
pub mod library;
pub mod make;
pub mod pipelines;
pub mod tilt;
pub mod tree;
pub mod workflows;

use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::dockerfile::{Dockerfile, Graph, Kind};

/// What a build path, a stage or a Dockerfile is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// An image is pushed, loaded or tagged for use.
    Ships,
    /// The image's own ENTRYPOINT/CMD is the toolchain: it ships on purpose.
    ToolchainProduct,
    /// A dev container, or a compose service that runs the host's sources.
    Development,
    /// The build exports files, only validates, or runs tests.
    CiOnly,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Ships => "ships",
            Role::ToolchainProduct => "toolchain-product",
            Role::Development => "development",
            Role::CiOnly => "ci-only",
        }
    }

    /// Whether an image of this role is one a team ships to its users.
    pub fn ships(self) -> bool {
        matches!(self, Role::Ships | Role::ToolchainProduct)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where evidence comes from, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// `.shiplight.yml`'s `images:` (or `targets:` / `--target`).
    Config,
    /// The Action's `dockerfile` and `target` inputs.
    ActionInput,
    /// A CI pipeline: a GitHub workflow, or another system's ([`pipelines`]).
    Workflow,
    /// An official-images manifest (`library/ros`, `ros/ros`).
    Library,
    Bake,
    Compose,
    DevContainer,
    /// A Tiltfile's `docker_build`: a development cluster's image.
    Tilt,
    /// The Dockerfile itself: its last stage, or its ENTRYPOINT.
    Dockerfile,
}

/// One piece of evidence: where it is written and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Evidence {
    pub source: Source,
    /// Repository-relative; empty for what no file says (a command-line flag).
    pub file: String,
    /// 1-based; 0 when the evidence has no line.
    pub line: usize,
    pub says: String,
}

impl std::fmt::Display for Evidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.file.is_empty(), self.line) {
            (true, _) => f.write_str(&self.says),
            (false, 0) => write!(f, "{} ({})", self.says, self.file),
            (false, l) => write!(f, "{} ({}:{l})", self.says, self.file),
        }
    }
}

/// One way the repository builds a Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildPath {
    /// Repository-relative, `/`-separated, normalised (no `./`, no `..` inside).
    pub dockerfile: String,
    /// Repository-relative; `.` is the root.
    pub context: String,
    /// The stage built, as written; `None` builds the last stage.
    pub target: Option<String>,
    /// Ships, development or ci-only (toolchain-product is decided from the Dockerfile).
    pub role: Role,
    pub evidence: Evidence,
    /// What the path calls the image: a bake target, a compose service, an image name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The line of `evidence.file` that writes `target`, when it is written there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_line: Option<usize>,
    /// Container paths where a compose service mounts a part of the build context: it runs
    /// the host's sources (development) when one lands in the image's WORKDIR and not in a
    /// VOLUME, which only the parsed Dockerfile tells ([`Model::answer`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mounts: Vec<String>,
    /// The names the path gives the image it builds (`ghcr.io/o/app:1`): images the
    /// repository makes itself, which other Dockerfiles may build FROM.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<String>,
    /// Named build contexts the path gives the build (bake `contexts`, `--build-context`,
    /// compose `additional_contexts`): a FROM of such a name is that context, not an image.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contexts: Vec<String>,
    /// The target as written when a variable picks it (compose's `target:
    /// ${ENVIRONMENT:-development}`), `target` being what it builds when the variable is not
    /// set: set, it may build any stage whose name fits ([`Answer::built_names`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_written: Option<String>,
    /// The build only checks that the stage builds and discards the result: it pushes,
    /// loads, exports and runs nothing (left in the builder's cache, `call: check`,
    /// `type=cacheonly`). Such a check of an earlier stage says nothing of the last one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub checks: bool,
}

impl BuildPath {
    /// A path that builds a development environment (a dev container, Gitpod's workspace,
    /// Tilt's cluster), as `file`'s line `line` says.
    pub fn development(
        dockerfile: String,
        context: String,
        source: Source,
        file: &str,
        line: usize,
        says: String,
    ) -> BuildPath {
        let evidence = Evidence { source, file: file.to_owned(), line, says };
        BuildPath::plain(dockerfile, context, Role::Development, evidence)
    }

    /// A path that builds the last stage of `dockerfile` in `context`, with nothing else
    /// said (no name, target, mounts, images or named contexts).
    pub fn plain(dockerfile: String, context: String, role: Role, evidence: Evidence) -> BuildPath {
        BuildPath {
            dockerfile,
            context,
            target: None,
            role,
            evidence,
            name: None,
            target_line: None,
            mounts: Vec::new(),
            images: Vec::new(),
            contexts: Vec::new(),
            target_written: None,
            checks: false,
        }
    }
}

/// Something the model could not read or resolve. Never an error: the default applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        } else {
            write!(f, "{}: {}", self.file, self.message)
        }
    }
}

/// A build file, as read: its repository-relative path and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub text: String,
}

/// A build file's document, or a note at the line where it stops parsing (`not {kind}
/// (why): {unread}`) and `None`: the readers of compose files, dev containers and Gitpod's
/// configuration say alike what they could not read.
pub fn document(
    file: &File,
    parse: fn(&str) -> Result<tree::Node, tree::SyntaxError>,
    kind: &str,
    unread: &str,
    model: &mut Model,
) -> Option<tree::Node> {
    match parse(&file.text) {
        Ok(d) => Some(d),
        Err(e) => {
            model.notes.push(Note {
                file: file.path.clone(),
                line: e.line,
                message: format!("not {kind} ({}): {unread}", e.message),
            });
            None
        }
    }
}

/// What `docker buildx bake --print` said for some bake files, run in `dir`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printed {
    /// The bake files given (`-f`), repository-relative.
    pub files: Vec<String>,
    /// Where bake ran, repository-relative.
    pub dir: String,
    pub json: String,
}

/// Everything the model is built from.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Workflows, bake files, compose files, dev containers: each reader takes the ones whose
    /// name it knows.
    pub files: Vec<File>,
    /// Bake files resolved by bake itself, where `docker buildx` was at hand.
    pub printed: Vec<Printed>,
    /// Build paths the user stated: `.shiplight.yml`'s `images:`, the Action's inputs.
    pub stated: Vec<BuildPath>,
    /// Every Dockerfile of the repository (repository-relative): which paths exist.
    pub dockerfiles: Vec<String>,
    /// Notes of the reading itself (a file that could not be read, bake that failed).
    pub notes: Vec<Note>,
    /// Every FROM of every Dockerfile that parses: which images the repository's own
    /// Dockerfiles build in ([`builders`]).
    pub bases: Vec<builders::BaseUse>,
    /// Every Dockerfile that parses: the image its last stage is built on and its command.
    pub made: Vec<builders::Made>,
}

impl Sources {
    /// The file at `path`, if it was read.
    pub fn file(&self, path: &str) -> Option<&File> {
        self.files.iter().find(|f| f.path == path)
    }

    /// Sources of these files alone, `(path, text)`: what a reader's tests give it.
    #[cfg(test)]
    pub fn of_files(files: &[(&str, &str)]) -> Sources {
        Sources {
            files: files.iter().map(|(p, t)| File { path: (*p).into(), text: (*t).into() }).collect(),
            ..Sources::default()
        }
    }
}

impl Model {
    /// What one reader makes of these files alone: its tests' model.
    #[cfg(test)]
    pub fn read_by(read: fn(&Sources, &mut Model), files: &[(&str, &str)]) -> Model {
        let mut m = Model::default();
        read(&Sources::of_files(files), &mut m);
        m
    }
}

/// The repository's ship model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub paths: Vec<BuildPath>,
    pub notes: Vec<Note>,
    /// The named build contexts any build of the repository gives, followed or not (a
    /// build whose Dockerfile a step output names still says `build-contexts: python=…`):
    /// a FROM of such a name is that context wherever the build goes (camptocamp's odoo
    /// images, held out in round 78).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub named_contexts: Vec<String>,
    /// `paths` by Dockerfile, once they are all read (a repository asks it of every file).
    #[serde(skip)]
    index: std::collections::HashMap<String, Vec<usize>>,
    /// Builder images ([`builders`]) by Dockerfile, with the evidence.
    #[serde(skip)]
    builders: std::collections::HashMap<String, Evidence>,
    /// Base images ([`builders::bases_of_others`]): Dockerfiles whose image another of the
    /// repository's images ships on, with the evidence.
    #[serde(skip)]
    bases: std::collections::HashMap<String, Evidence>,
    /// The base images an application of the repository's ships on ([`builders::apps_on`]).
    #[serde(skip)]
    app_bases: std::collections::HashSet<String>,
    /// What the repository's Dockerfiles make, for commands images inherit from them.
    #[serde(skip)]
    made: Vec<builders::Made>,
    #[serde(skip)]
    dockerfiles: Vec<String>,
    /// Official-images manifests: each lists every image built from its folder.
    #[serde(skip)]
    manifests: Vec<library::Manifest>,
    /// The names (`[A-Za-z_][A-Za-z0-9_]*`) each build file of the repository writes, by its
    /// path: a build argument the file of a path that ships names may be passed by it
    /// ([`Answer::given_args`]).
    #[serde(skip)]
    mentioned: std::collections::HashMap<String, std::collections::HashSet<String>>,
}

impl Model {
    /// Read every source into build paths.
    pub fn read(sources: &Sources) -> Model {
        let mut model = Model::new(sources.stated.clone(), sources.notes.clone());
        model.mentioned = sources
            .files
            .iter()
            .map(|f| (f.path.clone(), crate::dockerfile::names_in(&f.text).map(str::to_owned).collect()))
            .collect();
        let bake = bake::Resolver::new(sources);
        workflows::read(sources, &bake, &mut model);
        pipelines::read(sources, &bake, &mut model);
        library::read(sources, &mut model);
        bake.standalone(&mut model);
        compose::read(sources, &mut model);
        devcontainer::read(sources, &mut model);
        gitpod::read(sources, &mut model);
        tilt::read(sources, &mut model);
        let mut seen = std::collections::HashSet::new();
        model.paths.retain(|p| seen.insert((p.dockerfile.clone(), p.target.clone(), p.role, p.evidence.clone())));
        model.index_paths();
        model.builders = builders::find(&sources.bases, &model.paths, &sources.dockerfiles, &sources.made);
        model.bases = builders::bases_of_others(&sources.bases, &model.paths, &sources.dockerfiles);
        model.app_bases =
            builders::apps_on(&sources.bases, &model.paths, &sources.dockerfiles, &sources.made, &model.builders);
        model.made = sources.made.clone();
        model.dockerfiles = sources.dockerfiles.clone();
        model
    }

    /// A model of these paths (and notes).
    pub fn new(paths: Vec<BuildPath>, notes: Vec<Note>) -> Model {
        let mut m = Model { paths, notes, ..Model::default() };
        m.index_paths();
        m
    }

    fn index_paths(&mut self) {
        self.index.clear();
        for (i, p) in self.paths.iter().enumerate() {
            self.index.entry(p.dockerfile.clone()).or_default().push(i);
        }
    }

    /// The paths that build `dockerfile` (repository-relative, normalised).
    pub fn paths_of<'a>(&'a self, dockerfile: &'a str) -> impl Iterator<Item = &'a BuildPath> + 'a {
        self.index.get(dockerfile).into_iter().flatten().map(move |&i| &self.paths[i])
    }

    /// Every Dockerfile some path builds.
    pub fn dockerfiles(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.paths.iter().map(|p| p.dockerfile.as_str()).collect();
        out.sort();
        out.dedup();
        out
    }

    /// What ships of `dockerfile`, given its parsed text when it parses.
    pub fn answer(&self, dockerfile: &str, df: Option<&Dockerfile>) -> Answer {
        let mut paths: Vec<BuildPath> = self.paths_of(dockerfile).map(|p| settle_mounts(p, df)).collect();
        // nothing builds it: a file in a test or vendored folder is a test input or another
        // repository's file wherever it is; in a repository that says what it builds, so is a
        // file whose own name says it is a test or development image
        if paths.is_empty() {
            paths
                .extend(library::unlisted(self, dockerfile).or_else(|| named_path(dockerfile, self.says_what_ships())));
        }
        let app_base = self.app_bases.contains(dockerfile);
        let mut a = answer(paths.iter().collect(), df, app_base);
        // (an application's base only where that changes the reading: read alone, it would
        // be an environment to build in)
        a.app_base = app_base
            && a.role == Role::Ships
            && answer(paths.iter().collect(), df, false).role == Role::ToolchainProduct;
        // the repository's other Dockerfiles only build in it, or it runs the interactive
        // environment of the repository's image it is built FROM, its name says it is a
        // builder, or its users enter it to work: its toolchain is the product
        if a.role == Role::Ships {
            // (what it inherits is asked of the last stage: a named target keeps its answer)
            let last_only = a.targets.iter().all(Option::is_none);
            let product = self
                .builders
                .get(dockerfile)
                .cloned()
                .or_else(|| self.inherits_environment(df.filter(|_| last_only)?))
                .or_else(|| named_builder(dockerfile).filter(|_| last_only))
                // entered, not run; unless another Dockerfile ships FROM its image, so its
                // toolchain ships there (photoprism's `develop:*-slim`, its release images' base)
                .or_else(|| entered(df.filter(|_| last_only && !self.bases.contains_key(dockerfile))?));
            if let Some(ev) = product {
                a.role = Role::ToolchainProduct;
                a.evidence.insert(0, ev.clone());
                for s in a.stages.iter_mut().filter(|s| s.role == Some(Role::Ships)) {
                    s.role = Some(Role::ToolchainProduct);
                    s.evidence.insert(0, ev.clone());
                }
            }
        }
        a.base_of = self.bases.get(dockerfile).cloned();
        a.given_args = df.map(|df| self.given_args(df, &a.paths)).unwrap_or_default();
        a.base_user = df.and_then(|df| self.inherited_user(df));
        a.base_env = df.and_then(|df| self.inherited_env(df));
        a.local = self.local_images();
        for c in paths.iter().flat_map(|p| &p.contexts).chain(&self.named_contexts) {
            if !a.local.contains(c) {
                a.local.push(c.clone());
            }
        }
        a
    }

    /// The build arguments `df` declares that the file of a path that ships it names (a
    /// workflow's `build-args`, a compose file's `args`, the name written anywhere in it;
    /// any build file at all when the path runs through a Makefile or script): such a build
    /// may pass them, so their defaults do not decide. A development or CI build that passes
    /// `DEBUG: 1` (LibrePhotos's e2e compose file) leaves the image that ships alone.
    fn given_args(&self, df: &Dockerfile, paths: &[BuildPath]) -> Vec<String> {
        let shipping: Vec<&BuildPath> = paths.iter().filter(|p| p.role == Role::Ships).collect();
        let named = |arg: &String| {
            shipping.iter().any(|p| {
                if p.evidence.says.contains("called from") {
                    self.mentioned.values().any(|names| names.contains(arg))
                } else {
                    self.mentioned.get(&p.evidence.file).is_some_and(|names| names.contains(arg))
                }
            })
        };
        let mut out: Vec<String> = Vec::new();
        let args = df.global_args.iter().chain(df.stages.iter().flat_map(|s| s.instructions.iter()));
        for kv in args.filter(|i| i.kind == crate::dockerfile::Kind::Arg).flat_map(|i| i.pairs().iter()) {
            if named(&kv.key) && !out.contains(&kv.key) {
                out.push(kv.key.clone());
            }
        }
        out
    }

    /// The user the image `df` ships on runs as, when the repository's own Dockerfiles make
    /// that image and set one: the evidence and the user.
    fn inherited_user(&self, df: &Dockerfile) -> Option<(Evidence, String)> {
        let graph = Graph::build(df, &[]).ok()?;
        let base = graph.root_image(*graph.targets.first()?)?;
        let (file, line, user) = builders::inherited_user(base, &self.made, &self.paths, &self.dockerfiles)?;
        let evidence = Evidence {
            source: Source::Dockerfile,
            file: file.to_owned(),
            line,
            says: format!("the repository's image `{base}` it ships on sets `USER {user}`"),
        };
        Some((evidence, user.to_owned()))
    }

    /// The image `df` ships on and the ENV it sets, when the repository's own Dockerfiles
    /// make that image and set some.
    fn inherited_env(&self, df: &Dockerfile) -> Option<(String, Vec<(String, String)>)> {
        let graph = Graph::build(df, &[]).ok()?;
        let base = graph.root_image(*graph.targets.first()?)?;
        let env = builders::inherited_env(base, &self.made, &self.paths, &self.dockerfiles);
        (!env.is_empty()).then(|| (base.to_owned(), env))
    }

    /// The evidence that `df`, which sets no command of its own, runs an interactive
    /// environment it inherits from the repository's own image it is built FROM.
    fn inherits_environment(&self, df: &Dockerfile) -> Option<Evidence> {
        let graph = Graph::build(df, &[]).ok()?;
        if own_command(df, &graph).is_some() {
            return None;
        }
        let base = graph.root_image(*graph.targets.first()?)?;
        let (file, line, words) = builders::inherited(base, &self.made, &self.paths, &self.dockerfiles)?;
        if let Some(e) = interactive(words, "command", Some((file, line))) {
            return Some(e);
        }
        // a bare prompt (`CMD ["bash"]` behind an entrypoint that hands over), and nothing of
        // a program copied in: an environment, as on a distribution's image
        let first = words.first()?;
        let name = first.rsplit('/').next().unwrap_or(first);
        if words.len() != 1 || !PROMPTS.contains(&name) || copies_program(df, &graph.lineage(*graph.targets.first()?)) {
            return None;
        }
        Some(Evidence {
            source: Source::Dockerfile,
            file: file.to_owned(),
            line,
            says: format!(
                "it sets no CMD or ENTRYPOINT, so it runs the `{name}` prompt of the repository's image it is built FROM, and copies nothing from its build context: an environment to build in or FROM, so its toolchain is what it ships"
            ),
        })
    }

    /// Whether the repository's own files ship some image (a workflow, bake file, compose
    /// file or the configuration says so): then a Dockerfile none of them builds, in a test
    /// folder or named for tests or development, is what its name says. A repository whose
    /// builds are not visible here (another CI, a script) keeps the default for every file.
    pub fn says_what_ships(&self) -> bool {
        self.paths.iter().any(|p| p.role.ships())
    }

    /// The images the repository builds itself, as `registry/repository` (no tag): a FROM
    /// of one is the repository's own build, not a registry's image.
    pub fn local_images(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for i in self.paths.iter().flat_map(|p| &p.images) {
            if i.contains('$') || i.is_empty() {
                continue;
            }
            let r = crate::dockerfile::ImageRef::parse(i);
            let key = format!("{}/{}", r.registry, r.repository);
            if !out.contains(&key) {
                out.push(key);
            }
        }
        out
    }
}

/// The model's answer for one Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The Dockerfile's role: ships when any path ships it.
    pub role: Role,
    /// The stages that ship (as paths name them; `None` is the last stage). Empty when
    /// nothing of it ships.
    pub targets: Vec<Option<String>>,
    /// Every stage some known path builds, shipped or not: not unused.
    pub built: Vec<Option<String>>,
    /// What decided, strongest first.
    pub evidence: Vec<Evidence>,
    /// No path builds it: the last stage ships by default.
    pub default: bool,
    /// Per stage, when the Dockerfile parses.
    pub stages: Vec<StageRole>,
    /// The paths that decided (the stated ones when there are any, else every known one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<BuildPath>,
    /// Images the repository builds itself (`registry/repository`) and the named build
    /// contexts this Dockerfile's builds are given: FROM names that are not a registry's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub local: Vec<String>,
    /// Another of the repository's images ships built FROM this one (wger's `base`): a base
    /// image, whose user the images on it decide.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_of: Option<Evidence>,
    /// An application of the repository's ships on this image ([`builders::apps_on`]), which
    /// read alone would be an environment to build in: its toolchain ships in that application.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub app_base: bool,
    /// The user the image it ships on sets, when the repository's own Dockerfiles make that
    /// image (openwisp's services on `openwisp/openwisp-base`): the container runs as that
    /// user unless this file says otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_user: Option<(Evidence, String)>,
    /// The image it ships on and the ENV that image sets, when the repository's own
    /// Dockerfiles make it ([`builders::inherited_env`]): what its RUNs run with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_env: Option<(String, Vec<(String, String)>)>,
    /// The build arguments it declares that the repository's build files name: a build may
    /// pass them ([`Model::given_args`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub given_args: Vec<String>,
}

/// One stage's role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageRole {
    pub index: usize,
    pub name: Option<String>,
    pub line: usize,
    /// The role of the images its filesystem is in; `None`: in no image a known path
    /// builds (a build stage, or unused).
    pub role: Option<Role>,
    /// Built (as a build stage or an image) by some known path.
    pub built: bool,
    pub evidence: Vec<Evidence>,
}

impl Answer {
    /// Whether some stage ships.
    pub fn ships(&self) -> bool {
        self.role.ships()
    }

    /// The stages that ship, as `--target` takes them (the last stage by index).
    pub fn target_names(&self, df: Option<&Dockerfile>) -> Vec<String> {
        names(&self.targets, df, self.stated())
    }

    /// Whether the user stated the targets (`--target`, the configuration): a stage they
    /// name that does not exist is their error to hear of, not left out.
    fn stated(&self) -> bool {
        self.evidence.iter().any(|e| e.source == Source::Config)
    }

    /// Every stage some known path builds, as `--target` takes them, and the targets a
    /// variable picks as written (`${ENVIRONMENT:-development}`): patterns, which any stage
    /// whose name fits may be.
    pub fn built_names(&self, df: Option<&Dockerfile>) -> Vec<String> {
        let mut out = names(&self.built, df, self.stated());
        for t in self.built.iter().flatten().filter(|t| t.contains('$')) {
            if !out.contains(t) {
                out.push(t.clone());
            }
        }
        out
    }

    /// One line for a reader: the role and the strongest evidence.
    pub fn line(&self) -> String {
        let why = self.evidence.first().map(|e| e.to_string()).unwrap_or_default();
        format!("{}: {why}", self.role)
    }
}

/// The targets as `--target` takes them. A target the repository names that the Dockerfile
/// has no stage for (a workflow's stale `target: dependencies`) is left out: that build fails
/// before it ships anything, and it must not make the file unreadable to every rule. One the
/// user `stated` stays, and is reported.
fn names(targets: &[Option<String>], df: Option<&Dockerfile>, stated: bool) -> Vec<String> {
    let last = df.and_then(|d| d.stages.len().checked_sub(1));
    let mut out: Vec<String> = Vec::new();
    for t in targets {
        let name = match (t, last) {
            (Some(t), _) => t.clone(),
            (None, Some(n)) => n.to_string(),
            (None, None) => continue,
        };
        let stage_of_file = stated || df.is_none_or(|d| Graph::build(d, std::slice::from_ref(&name)).is_ok());
        if stage_of_file && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// What a Dockerfile's own path says it is, when no build path names it: a file in a test
/// or fixture folder (`tests/`, `testdata/`, `fixtures/` …), or named for tests
/// (`Dockerfile.test`, `ci.Dockerfile`), is a test input or test image: ci-only; one in a
/// `.devcontainer/` folder, or named for development (`Dockerfile.dev`, `dev.Dockerfile`,
/// `Dockerfile.develop`, `Dockerfile.local`: a build on the developer's machine), is
/// a development environment; in a repository that says what it ships, one in an archive
/// folder (`archive/`, `deprecated/`, `legacy/` …) is a retired file nothing builds. A
/// workflow, bake or compose file that builds it decides instead. The folder and a test
/// name (`test`, `tests`, `e2e`: an image shipped under such a name would be built by a
/// path that says so) speak wherever the file is; a CI, development or archive name only
/// where `by_name` (the repository says what it ships, so an unnamed build is not hidden
/// elsewhere).
/// A Dockerfile whose own name says it makes a builder image (`builder/Dockerfile`,
/// `Dockerfile.builder`, `builder-go.dockerfile`: caddy's `caddy:builder`, uptime-kuma's Go
/// builder): an image to build in, so its toolchain is what it ships. The word must lead a
/// name of the path: `form-builder/` names an app that builds forms.
fn named_builder(dockerfile: &str) -> Option<Evidence> {
    let parts: Vec<&str> = dockerfile.split('/').collect();
    let (folders, file) = parts.split_at(parts.len().saturating_sub(1));
    let file = file.first()?.to_ascii_lowercase();
    let leads = |name: &str| name == "builder" || name.starts_with("builder-") || name.starts_with("builder.");
    let named = folders.iter().rev().find(|f| leads(&f.to_ascii_lowercase())).map(|f| format!("`{f}/`"));
    let named = named.or_else(|| {
        let words = file.split('.').filter(|w| !matches!(*w, "dockerfile" | "containerfile"));
        words.into_iter().find(|w| leads(w)).map(|_| format!("`{file}`"))
    })?;
    Some(Evidence {
        source: Source::Dockerfile,
        file: String::new(),
        line: 0,
        says: format!(
            "its name ({named}) says it is a builder image, one to build in or FROM, so its toolchain is what it ships"
        ),
    })
}

/// The vendored folder a repository-relative path lies in (`vendor`, `third_party`,
/// `third-party`, `node_modules`): the file is another repository's copy.
pub fn vendored_folder(path: &str) -> Option<&str> {
    let folders = path.rsplit_once('/').map_or("", |(d, _)| d);
    folders.split('/').find(|f| VENDORED.contains(f))
}

/// The names of folders that hold other repositories' files, vendored.
pub const VENDORED: &[&str] = &["vendor", "third_party", "third-party", "node_modules"];

pub fn named_path(dockerfile: &str, by_name: bool) -> Option<BuildPath> {
    let parts: Vec<&str> = dockerfile.split('/').collect();
    let (folders, file) = parts.split_at(parts.len().saturating_sub(1));
    let test_folder = folders.iter().find(|f| is_test_folder(f));
    let vendored = vendored_folder(dockerfile);
    // the file's own words, its Dockerfile naming aside: `Dockerfile.dev` → `dev`
    let name = file.first().map(|f| f.to_ascii_lowercase()).unwrap_or_default();
    let words: Vec<&str> =
        name.split(['.', '-', '_']).filter(|w| !matches!(*w, "dockerfile" | "containerfile")).collect();
    let (role, says) = if let Some(f) = vendored {
        (Role::CiOnly, format!("it is vendored (`{f}/`): another repository's file, which nothing here builds"))
    } else if let Some(f) = test_folder {
        (Role::CiOnly, format!("it is in a test folder (`{f}/`): a test input, not an image that ships"))
    } else if folders.contains(&".devcontainer") {
        (Role::Development, "it is in a `.devcontainer/` folder: a development container's image".to_owned())
    } else if let Some(f) = folders.iter().find(|f| f.eq_ignore_ascii_case("development")).filter(|_| by_name) {
        (Role::Development, format!("it is in a `{f}/` folder and nothing here builds it: a development image"))
    } else if words.iter().any(|w| matches!(*w, "test" | "tests" | "e2e")) {
        (Role::CiOnly, "its name says it is a test image".to_owned())
    } else if !by_name {
        return None;
    } else if let Some(f) = folders.iter().find(|f| is_archive_folder(f)) {
        (Role::CiOnly, format!("it is in an archive folder (`{f}/`) and nothing here builds it: a retired file"))
    } else if words.contains(&"ci") {
        (Role::CiOnly, "its name says it is a CI image".to_owned())
    } else if words.iter().any(|w| matches!(*w, "dev" | "devel" | "develop" | "development" | "devcontainer" | "local"))
    {
        (Role::Development, "its name says it is a development image".to_owned())
    } else {
        return None;
    };
    Some(BuildPath::plain(
        dockerfile.to_owned(),
        folder(dockerfile),
        role,
        Evidence { source: Source::Dockerfile, file: dockerfile.to_owned(), line: 0, says },
    ))
}

/// Whether a folder keeps retired files: `archive`, `archived`, `deprecated`, `legacy`,
/// `obsolete`, `attic`, `retired`, `unmaintained`, `eol` (openresty's `archive/` of the
/// distributions it no longer builds).
fn is_archive_folder(name: &str) -> bool {
    const WORDS: &[&str] = &[
        "archive",
        "archived",
        "archives",
        "deprecated",
        "legacy",
        "obsolete",
        "attic",
        "retired",
        "unmaintained",
        "eol",
    ];
    WORDS.contains(&name.to_ascii_lowercase().as_str())
}

/// Whether a folder holds tests or test inputs, by the conventions for them: `test`,
/// `tests`, `testdata`, `testfiles`, `testing`, `fixtures`, `e2e`, `fuzz`, `fuzzing` (and
/// `__tests__`, `__fixtures__`), or a name that starts with one (`test-project`, `tests_e2e`). A product
/// named for what it tests (`lkp-tests`, a test suite's image) is not one.
pub fn is_test_folder(name: &str) -> bool {
    const WORDS: &[&str] =
        &["test", "tests", "testdata", "testfiles", "testing", "fixtures", "fixture", "e2e", "fuzz", "fuzzing"];
    let n = name.to_ascii_lowercase();
    let n = n.trim_matches('_');
    WORDS.iter().any(|w| n == *w || n.strip_prefix(w).is_some_and(|rest| rest.starts_with(['-', '_', '.'])))
}

/// Whether stage `target` (the last one for `None`) is named for tests, linting or checks
/// (`lint`, `test`, `ci`): an image that ships it is a CI image, whose tools are its product.
fn ci_image(df: &Dockerfile, target: Option<&str>) -> Option<Evidence> {
    let stage = match target {
        Some(t) => df.stage_named(t).or_else(|| t.parse::<usize>().ok().and_then(|i| df.stages.get(i)))?,
        None => df.stages.last()?,
    };
    let name = stage.name.as_deref()?;
    (is_test_name(name) || name.eq_ignore_ascii_case("ci")).then(|| Evidence {
        source: Source::Dockerfile,
        file: String::new(),
        line: stage.line,
        says: format!("its stage `{name}` is a CI image (tests, linting): its tools are what it ships"),
    })
}

/// A compose path that mounts part of its context runs the host's sources when a mount lands
/// in the target stage's WORKDIR and not in one of its VOLUMEs: then it is development.
fn settle_mounts(p: &BuildPath, df: Option<&Dockerfile>) -> BuildPath {
    let mut p = p.clone();
    let Some(df) = df.filter(|_| !p.mounts.is_empty() && p.role == Role::Ships) else { return p };
    let targets: Vec<String> = p.target.iter().cloned().collect();
    let Ok(graph) = Graph::build(df, &targets) else { return p };
    let Some(&target) = graph.targets.first() else { return p };
    let (mut dir, mut volumes) = ("/".to_owned(), Vec::new());
    for i in graph.lineage(target) {
        for ins in &df.stages[i].instructions {
            match ins.kind {
                Kind::Workdir => {
                    if let Some(w) = ins.words().first() {
                        dir = crate::dockerfile::resolve_path(&dir, w);
                    }
                }
                Kind::Volume => volumes.extend(ins.words().iter().map(|v| crate::dockerfile::resolve_path(&dir, v))),
                _ => {}
            }
        }
    }
    if compose::runs_sources(&p.mounts, &dir, &volumes) {
        p.role = Role::Development;
        let name = p.name.clone().unwrap_or_default();
        p.evidence.says = format!("service `{name}` mounts sources over its WORKDIR `{dir}`");
    }
    p
}

/// `app_base`: an application of the repository's ships on its image, so it is no
/// environment to build in ([`builders::apps_on`]).
fn answer(paths: Vec<&BuildPath>, df: Option<&Dockerfile>, app_base: bool) -> Answer {
    // the user's own statement decides alone: the strongest source present wins
    let strongest = paths.iter().map(|p| p.evidence.source).min();
    let deciding: Vec<&BuildPath> = match strongest {
        Some(s @ (Source::Config | Source::ActionInput)) => {
            paths.iter().copied().filter(|p| p.evidence.source == s).collect()
        }
        _ => paths.clone(),
    };
    let mut ordered = deciding.clone();
    ordered.sort_by_key(|p| (!p.role.ships(), p.evidence.source));
    // (and a target a variable picks, as written: any stage whose name fits may be built)
    let built: Vec<Option<String>> = dedup(
        paths.iter().map(|p| p.target.clone()).chain(paths.iter().filter_map(|p| p.target_written.clone().map(Some))),
    );
    let shipping: Vec<&BuildPath> = ordered.iter().copied().filter(|p| p.role.ships()).collect();
    let (mut role, targets, evidence, default) = if deciding.is_empty() {
        let ev = Evidence {
            source: Source::Dockerfile,
            file: String::new(),
            line: 0,
            says: "no workflow, bake file, compose file or dev container builds it, so the last stage ships (as a plain `docker build`)".into(),
        };
        (Role::Ships, vec![None], vec![ev], true)
    } else if !shipping.is_empty() {
        let targets = dedup(shipping.iter().map(|p| p.target.clone()));
        (Role::Ships, targets, ordered.iter().map(|p| p.evidence.clone()).collect(), false)
    } else if let Some(ev) = checks_earlier_stages(&deciding, df) {
        // every known path checks an earlier stage in CI: the last stage, which none of them
        // builds, ships as a plain `docker build` would (jumpserver's compile-messages check
        // builds `stage-build`, held out in round 70)
        let mut evidence = vec![ev];
        evidence.extend(ordered.iter().map(|p| p.evidence.clone()));
        (Role::Ships, vec![None], evidence, false)
    } else if let Some((stage, ev)) = production_elsewhere(&deciding, df) {
        // every known path develops, and a stage named for production none of them builds
        // ships from elsewhere (mitxonline's `production`, deployed by its infrastructure
        // repository, held out in round 64)
        let mut evidence = vec![ev];
        evidence.extend(ordered.iter().map(|p| p.evidence.clone()));
        (Role::Ships, vec![Some(stage)], evidence, false)
    } else {
        let role = if deciding.iter().any(|p| p.role == Role::Development) { Role::Development } else { Role::CiOnly };
        (role, Vec::new(), ordered.iter().map(|p| p.evidence.clone()).collect(), false)
    };
    let mut evidence = evidence;
    // the toolchain is the product: every shipped target runs a compiler or build tool, or is
    // a CI image (a stage named for tests or linting that is pushed: linters need it)
    if role == Role::Ships {
        if let Some(df) = df {
            let products: Vec<Evidence> = targets
                .iter()
                .filter_map(|t| ci_image(df, t.as_deref()).or_else(|| product(df, t.as_deref(), app_base)))
                .collect();
            if !products.is_empty() && products.len() == targets.len() {
                role = Role::ToolchainProduct;
                for (i, p) in products.into_iter().enumerate() {
                    evidence.insert(i, p);
                }
            }
        }
    }
    let stages = df.map(|df| stage_roles(df, &paths, &targets, role, default)).unwrap_or_default();
    Answer {
        role,
        // (what ships is built, though no known path builds it)
        built: if default { targets.clone() } else { dedup(built.into_iter().chain(targets.iter().cloned())) },
        targets,
        evidence,
        default,
        stages,
        paths: deciding.into_iter().cloned().collect(),
        local: Vec::new(),
        base_of: None,
        app_base: false,
        base_user: None,
        base_env: None,
        given_args: Vec::new(),
    }
}

/// Every known path is a CI check of a stage before the last (a build of an intermediate
/// target whose result is discarded, [`BuildPath::checks`]): they say nothing of the last
/// stage, which ships as a plain `docker build` would, unless it is named for tests itself or
/// exports files (rooted in `scratch`).
fn checks_earlier_stages(paths: &[&BuildPath], df: Option<&Dockerfile>) -> Option<Evidence> {
    let df = df?;
    let last = df.stages.last()?.index;
    // a last stage named for tests is the CI flow's too (snuba's `testing`); one rooted in
    // `scratch` exports files (docker-credential-helpers' `FROM binaries`), no image to ship
    let graph = Graph::build(df, &[]).ok()?;
    if ci_image(df, None).is_some() || graph.root_image(last).is_none() {
        return None;
    }
    let earlier = |t: &str| {
        df.stage_named(t)
            .or_else(|| t.parse::<usize>().ok().and_then(|i| df.stages.get(i)))
            .is_some_and(|s| s.index < last)
    };
    let mut checked: Vec<&str> = Vec::new();
    for p in paths {
        let t = p.target.as_deref().filter(|t| p.checks && p.target_written.is_none() && earlier(t))?;
        if !checked.contains(&t) {
            checked.push(t);
        }
    }
    let names = checked.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ");
    (!checked.is_empty()).then(|| Evidence {
        source: Source::Dockerfile,
        file: String::new(),
        line: 0,
        says: format!(
            "the known paths only check stage {names} in CI, and none builds the last stage, so it ships (as a plain `docker build`)"
        ),
    })
}

/// A stage named for production (`production`, `prod`, `release`) that no known path builds,
/// in a Dockerfile every known path of which is a development build: the stage ships by a
/// path the repository does not show (a deployment repository's pipeline), and the evidence
/// says so.
fn production_elsewhere(paths: &[&BuildPath], df: Option<&Dockerfile>) -> Option<(String, Evidence)> {
    if paths.is_empty() || !paths.iter().all(|p| p.role == Role::Development) {
        return None;
    }
    let stage = df?.stages.iter().find(|s| {
        s.name.as_deref().is_some_and(|n| {
            matches!(n.to_ascii_lowercase().as_str(), "production" | "prod" | "release")
                && !paths.iter().any(|p| p.target.as_deref().is_some_and(|t| t.eq_ignore_ascii_case(n)))
        })
    })?;
    let name = stage.name.clone()?;
    let says = format!(
        "every known path builds it for development, and stage `{name}` (line {}), named for production, is built by none of them: it ships from elsewhere",
        stage.line
    );
    Some((name, Evidence { source: Source::Dockerfile, file: String::new(), line: 0, says }))
}

fn dedup(it: impl Iterator<Item = Option<String>>) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for t in it {
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// Per stage: the strongest role of the images its filesystem is in, and whether any known
/// path builds it.
fn stage_roles(
    df: &Dockerfile,
    paths: &[&BuildPath],
    targets: &[Option<String>],
    role: Role,
    default: bool,
) -> Vec<StageRole> {
    let mut out: Vec<StageRole> = df
        .stages
        .iter()
        .map(|s| StageRole {
            index: s.index,
            name: s.name.clone(),
            line: s.line,
            role: None,
            built: false,
            evidence: Vec::new(),
        })
        .collect();
    let mut mark = |target: &Option<String>, r: Role, ev: &Evidence| {
        let wanted: Vec<String> = target.iter().cloned().collect();
        let Ok(graph) = Graph::build(df, &wanted) else { return };
        for (i, stage) in out.iter_mut().enumerate() {
            if graph.reachable[i] {
                stage.built = true;
            }
            if graph.ships[i] {
                let better = match stage.role {
                    None => true,
                    Some(old) => (!r.ships(), r) < (!old.ships(), old),
                };
                if better {
                    stage.role = Some(r);
                }
                if !stage.evidence.contains(ev) {
                    stage.evidence.push(ev.clone());
                }
            }
        }
    };
    if default {
        let ev = Evidence {
            source: Source::Dockerfile,
            file: String::new(),
            line: 0,
            says: "the last stage ships by default".into(),
        };
        mark(&None, role, &ev);
    } else {
        for p in paths {
            let r = if p.role.ships() && targets.contains(&p.target) { role } else { p.role };
            mark(&p.target, r, &p.evidence);
        }
        // a shipped target no path builds ([`production_elsewhere`], [`checks_earlier_stages`])
        for t in targets.iter().filter(|t| role.ships() && !paths.iter().any(|p| &p.target == *t)) {
            let ev = Evidence {
                source: Source::Dockerfile,
                file: String::new(),
                line: 0,
                says: match t {
                    Some(_) => "named for production and built by no known path: it ships from elsewhere",
                    None => "built by no known path but checks of earlier stages: the last stage ships (as a plain `docker build`)",
                }
                .into(),
            };
            mark(t, role, &ev);
        }
    }
    out
}

/// Programs whose presence as an image's ENTRYPOINT/CMD makes the toolchain the product:
/// compilers, build drivers, distributed compilers and cross-build wrappers.
pub const TOOLCHAIN_PROGRAMS: &[&str] = &[
    "gcc",
    "g++",
    "cc",
    "c++",
    "clang",
    "clang++",
    "clang-cl",
    "distcc",
    "distccd",
    "icecc",
    "iceccd",
    "ccache",
    "sccache",
    "buildkitd",
    "make",
    "gmake",
    "cmake",
    "ninja",
    "meson",
    "bazel",
    "bazelisk",
    "buck2",
    "scons",
    "go",
    "cargo",
    "rustc",
    "rustup",
    "javac",
    "mvn",
    "gradle",
    "ant",
    "sbt",
    "tsc",
    "zig",
    "emcc",
    "gfortran",
    "nasm",
    "yasm",
    "protoc",
    "buf",
    "swiftc",
    "ghc",
    "cabal",
    "nvcc",
    "tinygo",
    "xgo",
    "crossbuild",
];

/// Wrappers that run the program after them.
const WRAPPERS: &[&str] = &["tini", "dumb-init", "env", "exec", "gosu", "su-exec", "sudo", "catatonit", "--"];

/// Whether stage `target` (the last one for `None`) runs a toolchain as its ENTRYPOINT (or,
/// without one, its CMD): the evidence, when it does.
pub fn toolchain_product(df: &Dockerfile, target: Option<&str>) -> Option<Evidence> {
    product(df, target, false)
}

/// [`toolchain_product`]; `app_base`: an application ships on the image, so an environment
/// with no command of its own is that application's base, not an image to build in.
fn product(df: &Dockerfile, target: Option<&str>, app_base: bool) -> Option<Evidence> {
    let wanted: Vec<String> = target.map(str::to_owned).into_iter().collect();
    let graph = Graph::build(df, &wanted).ok()?;
    let final_ = *graph.targets.first()?;
    let lineage = graph.lineage(final_);
    let environment = || environment(df, &graph, &lineage).filter(|_| !app_base);
    if let Some(e) = ci_agent(df, &graph, &lineage).or_else(|| packaging(df, &lineage)).or_else(environment) {
        return Some(e);
    }
    let (ins, words) = command(df, &lineage)?;
    if let Some(e) = interactive(&words, ins.kind.as_str(), None) {
        return Some(Evidence { line: ins.line, ..e });
    }
    let program = program_of(&words)?;
    let base = program.rsplit('/').next().unwrap_or(&program);
    let toolchain = TOOLCHAIN_PROGRAMS.contains(&base)
        || base.ends_with("-gcc")
        || base.ends_with("-g++")
        || base.starts_with("xx-")
        || (base.starts_with("gcc-") || base.starts_with("clang-"))
            && base[base.find('-')? + 1..].chars().all(|c| c.is_ascii_digit());
    toolchain.then(|| Evidence {
        source: Source::Dockerfile,
        file: String::new(),
        line: ins.line,
        says: format!("its {} runs `{base}`: the toolchain is what it ships", ins.kind.as_str()),
    })
}

/// What a lineage's image runs: its ENTRYPOINT, unless that is a script that hands over to
/// the CMD (`mvn-entrypoint.sh` then `CMD ["mvn"]`); its CMD without one. The instruction
/// and the words of the command it ends by running (`gcc app.c && ./app` runs the app).
fn command<'a>(df: &'a Dockerfile, lineage: &[usize]) -> Option<(&'a crate::dockerfile::Instruction, Vec<String>)> {
    let last = |kind: Kind| lineage.iter().rev().find_map(|&i| df.stages[i].of_kind(kind).next_back());
    let entrypoint = last(Kind::Entrypoint).filter(|e| !command_words(e).is_some_and(|w| hands_over(&w)));
    let ins = entrypoint.or_else(|| last(Kind::Cmd))?;
    Some((ins, command_words(ins)?))
}

/// The command the last stage of `df` (whose stage graph is `graph`) runs, as
/// [`builders::Made`] keeps it for images other Dockerfiles build FROM: its line and words.
pub fn own_command(df: &Dockerfile, graph: &Graph) -> Option<(usize, Vec<String>)> {
    let lineage = graph.lineage(*graph.targets.first()?);
    command(df, &lineage).map(|(ins, words)| (ins.line, words))
}

/// Servers of interactive environments: a notebook or an IDE in the browser, where the
/// image's users write and build code (Jupyter's `start-notebook.py`, RStudio Server,
/// code-server).
const INTERACTIVE: &[&str] = &[
    "start-notebook.py",
    "start-notebook.sh",
    "start-singleuser.py",
    "start-singleuser.sh",
    "jupyterhub-singleuser",
    "jupyter-lab",
    "jupyter-notebook",
    "rstudio-server",
    "code-server",
    "openvscode-server",
];

/// Whether `words` run an interactive environment (see [`INTERACTIVE`]; also `jupyter lab`,
/// `jupyter notebook`, `jupyter server`): the evidence, naming the instruction kind and, for
/// a command inherited from the repository's own base image, where it is written.
fn interactive(words: &[String], kind: &str, inherited: Option<(&str, usize)>) -> Option<Evidence> {
    let program = program_of(words)?;
    let base = program.rsplit('/').next().unwrap_or(&program).to_owned();
    let at = words.iter().position(|w| w == &program).unwrap_or(0);
    let jupyter =
        base == "jupyter" && words.get(at + 1).is_some_and(|w| matches!(w.as_str(), "lab" | "notebook" | "server"));
    if !jupyter && !INTERACTIVE.contains(&base.as_str()) {
        return None;
    }
    let what = if jupyter { format!("{base} {}", words[at + 1]) } else { base };
    let (file, line, whose) = match inherited {
        Some((file, line)) => {
            (file.to_owned(), line, format!("its {kind}, inherited from the repository's image it is built FROM,"))
        }
        None => (String::new(), 0, format!("its {kind}")),
    };
    Some(Evidence {
        source: Source::Dockerfile,
        file,
        line,
        says: format!(
            "{whose} runs `{what}`, an interactive environment (a notebook or IDE server) its users build code in, so its toolchain is what it ships"
        ),
    })
}

/// Programs that, run with no arguments, are an interactive prompt: a shell or a language's
/// REPL (`CMD ["node"]`, `CMD ["bash"]`), which is how toolchain images end.
const PROMPTS: &[&str] = &[
    "sh",
    "bash",
    "zsh",
    "ash",
    "fish",
    "pwsh",
    "node",
    "deno",
    "python",
    "python3",
    "pypy",
    "pypy3",
    "irb",
    "jshell",
    "groovysh",
    "scala",
    "sbt",
    "kotlinc",
    "clojure",
    "clj",
    "ghci",
    "iex",
    "erl",
    "julia",
    "R",
    "swift",
    "lua",
    "tclsh",
    "ocaml",
    "utop",
    "racket",
    "sbcl",
    "guile",
    "cmd",
    "cmd.exe",
    "powershell",
    "powershell.exe",
    "pwsh.exe",
];

/// The words a CMD or ENTRYPOINT ends by running (`gcc app.c && ./app` runs the app).
fn command_words(ins: &crate::dockerfile::Instruction) -> Option<Vec<String>> {
    Some(match ins.script() {
        Some(script) => crate::dockerfile::shell::parse(&script).commands.last()?.words.clone(),
        None => ins.words().to_vec(),
    })
}

/// Whether an ENTRYPOINT only hands over to the CMD: an entrypoint script
/// (`docker-entrypoint.sh`, `mvn-entrypoint.sh`) or an init (`tini --`), with nothing else.
fn hands_over(words: &[String]) -> bool {
    !words.is_empty()
        && words.iter().all(|w| {
            // (Windows writes `C:\\entrypoint.bat`)
            let n = w.rsplit(['/', '\\']).next().unwrap_or(w).to_ascii_lowercase();
            ["entrypoint.sh", "entrypoint.bat", "entrypoint.cmd", "entrypoint.ps1"].iter().any(|e| n.ends_with(e))
                || n == "docker-entrypoint"
                || WRAPPERS.contains(&n.as_str())
        })
}

/// Official images whose own command is a prompt (a shell or the language's REPL).
const PROMPT_BASES: &[&str] = &[
    "debian",
    "ubuntu",
    "alpine",
    "busybox",
    "centos",
    "fedora",
    "rockylinux",
    "almalinux",
    "amazonlinux",
    "oraclelinux",
    "archlinux",
    "buildpack-deps",
    "python",
    "node",
    "ruby",
    "golang",
    "rust",
    "gcc",
    "openjdk",
    "eclipse-temurin",
    "amazoncorretto",
    "perl",
    "php",
    "erlang",
    "elixir",
    "haskell",
    "julia",
    "swift",
    // Red Hat's Universal Base Images, whose command is bash
    "ubi",
];

/// The name in [`PROMPT_BASES`] an image goes by: an official image's, or a distribution's
/// own image on its vendor's registry (`quay.io/centos/centos`, `registry.access.redhat.com/
/// ubi9/ubi-minimal`, `public.ecr.aws/amazonlinux/amazonlinux`, `container-registry.oracle.com/
/// os/oraclelinux`, Docker Hub's library mirrored on `public.ecr.aws/docker/library/`).
pub fn prompt_base(r: &crate::dockerfile::ImageRef) -> Option<&str> {
    if let Some(name) = r.official_name() {
        return PROMPT_BASES.contains(&name).then_some(name);
    }
    let parts: Vec<&str> = r.repository.split('/').collect();
    let vendor = match (r.registry.as_str(), parts.as_slice()) {
        ("public.ecr.aws", ["docker", "library", name]) => Some(*name),
        // the distribution's own namespace: centos/centos, fedora/fedora, amazonlinux/amazonlinux
        (_, [ns, name]) if ns == name => Some(*name),
        (_, [ns, name]) if *ns == "fedora" && name.starts_with("fedora") => Some("fedora"),
        ("container-registry.oracle.com", ["os", "oraclelinux"]) => Some("oraclelinux"),
        ("registry.access.redhat.com" | "registry.redhat.io", [ubi, _]) if ubi.starts_with("ubi") => Some("ubi"),
        ("registry.access.redhat.com" | "registry.redhat.io", [ubi]) if ubi.starts_with("ubi") => Some("ubi"),
        _ => None,
    };
    vendor.filter(|n| PROMPT_BASES.contains(n))
}

/// An environment image: what it runs is a prompt, not a program of the repository's, so what
/// it installs (the toolchain) is its product: an image to build in, or to build FROM
/// (docker-library's golang, rust and node, browser and CI bases). Either
/// - its CMD is a bare shell or REPL (`CMD ["node"]`), behind no ENTRYPOINT but an
///   entrypoint script or init that runs the CMD, and it does not build its whole build
///   context (see [`builds_own_sources`]); or
/// - it sets no CMD or ENTRYPOINT on a base whose own command is a prompt, and copies nothing
///   from its build context (an app that takes its command from compose or Kubernetes
///   copies its sources).
fn environment(df: &Dockerfile, graph: &Graph, lineage: &[usize]) -> Option<Evidence> {
    let stages = || lineage.iter().map(|&i| &df.stages[i]);
    let last = |kind: Kind| stages().filter_map(|s| s.of_kind(kind).next_back()).next_back();
    let words = command_words;
    let name = |w: &str| w.rsplit('/').next().unwrap_or(w).to_owned();
    if let Some(entrypoint) = last(Kind::Entrypoint) {
        // only a script or init that hands over to the CMD
        if !hands_over(&words(entrypoint)?) {
            return None;
        }
    }
    let (says, line) = match last(Kind::Cmd) {
        Some(cmd) => {
            let w = words(cmd)?;
            let program = name(w.first()?);
            if w.len() != 1 || !PROMPTS.contains(&program.as_str()) || builds_own_sources(df, lineage) {
                return None;
            }
            (format!("its CMD is a bare `{program}` prompt"), cmd.line)
        }
        // the command is the base image's: a prompt only on a distribution or language base
        // (php:*-apache runs a server, an unknown base may run anything)
        None => {
            if !base_to_build_from(df, graph, lineage) {
                return None;
            }
            let root = graph.root_image(*lineage.last()?)?;
            (
                format!("it sets no CMD or ENTRYPOINT, so `{root}`'s prompt is its command, and copies nothing from its build context"),
                df.stages[*lineage.last()?].line,
            )
        }
    };
    Some(Evidence {
        source: Source::Dockerfile,
        file: String::new(),
        line,
        says: format!("{says}: an environment to build in or FROM, so its toolchain is what it ships"),
    })
}

/// Whether a lineage copies its whole build context (`COPY . /src`) and then builds: a tool
/// installed from the repository's own sources (manticore's `ADD . /manticore`, then
/// `pip install .`), which its users run from the prompt the image opens. That image ships the
/// tool, not the toolchain that built it; a toolchain image copies at most its scripts.
fn builds_own_sources(df: &Dockerfile, lineage: &[usize]) -> bool {
    let whole = |s: &String| matches!(s.trim_end_matches('/'), "." | "./*" | "*");
    let mut copied = false;
    for &i in lineage.iter().rev() {
        for ins in &df.stages[i].instructions {
            match (&ins.body, ins.kind) {
                (crate::dockerfile::Body::Copy { sources, .. }, Kind::Copy | Kind::Add)
                    if ins.flag("from").is_none() && sources.iter().any(whole) =>
                {
                    copied = true
                }
                (_, Kind::Run) if copied => {
                    let script = ins.script().unwrap_or_default();
                    if crate::dockerfile::shell::parse(&script)
                        .commands
                        .iter()
                        .any(crate::dockerfile::roles::runs_build)
                    {
                        return true;
                    }
                }
                _ => {}
            }
        }
    }
    false
}

/// Whether the stage whose lineage (in `df`, with stage graph `graph`) is `lineage` is a base
/// to build FROM, not a program to run: it sets no CMD or ENTRYPOINT, its root image is a
/// distribution or language base whose own command is a prompt (not php's apache or fpm
/// servers), and it copies nothing from its build context (an app that takes its command from
/// compose or Kubernetes copies its sources). docker-library's buildpack-deps and rust, and
/// a repository's own `base` images. The ship model's environment check and SL107 ask it.
pub fn base_to_build_from(df: &Dockerfile, graph: &Graph, lineage: &[usize]) -> bool {
    let sets = |kind: Kind| lineage.iter().any(|&i| df.stages[i].of_kind(kind).next().is_some());
    if sets(Kind::Cmd) || sets(Kind::Entrypoint) {
        return false;
    }
    let Some(root) = lineage.last().and_then(|&r| graph.root_image(r)) else { return false };
    let r = crate::dockerfile::ImageRef::parse(root);
    let tag = r.tag.clone().unwrap_or_default();
    prompt_base(&r).is_some() && !["apache", "fpm"].iter().any(|s| tag.contains(s)) && !copies_program(df, lineage)
}

/// Whether a CMD or ENTRYPOINT only keeps the container running and does nothing else:
/// `tail -f /dev/null`, `sleep infinity`, as its one command (`./lib/iventoy && sleep inf`
/// runs a program first).
fn keeps_alive(ins: &crate::dockerfile::Instruction) -> bool {
    let words = match ins.script() {
        Some(script) => match &crate::dockerfile::shell::parse(&script).commands[..] {
            [one] => one.words.clone(),
            _ => return false,
        },
        None => ins.words().to_vec(),
    };
    let w: Vec<&str> = words.iter().map(|w| w.rsplit('/').next().unwrap_or(w)).collect();
    matches!(w[..], ["tail", "-f" | "-F", "null"] | ["sleep", "infinity" | "inf"])
}

/// Whether a lineage's RUNs install a toolchain package (a compiler, a build tool, `-dev`
/// headers): an image entered to run tools (aircrack-ng's) has no toolchain to be its product.
fn installs_toolchain(df: &Dockerfile, lineage: &[usize]) -> bool {
    use crate::dockerfile::packages::{is_toolchain_package, system_install};
    run_commands(df, lineage)
        .any(|c| system_install(&c).is_some_and(|(_, pkgs)| pkgs.iter().any(|p| is_toolchain_package(p))))
}

/// Whether a lineage's RUNs build anything: a compiler, a build driver or a language package
/// manager's install runs (see [`crate::dockerfile::roles::runs_build`]).
fn builds_anything(df: &Dockerfile, lineage: &[usize]) -> bool {
    run_commands(df, lineage).any(|c| crate::dockerfile::roles::runs_build(&c))
}

/// The commands of a lineage's RUNs, in order.
fn run_commands<'a>(
    df: &'a Dockerfile,
    lineage: &'a [usize],
) -> impl Iterator<Item = crate::dockerfile::shell::SimpleCommand> + 'a {
    lineage
        .iter()
        .flat_map(|&i| df.stages[i].of_kind(Kind::Run))
        .filter_map(|ins| ins.script())
        .flat_map(|s| crate::dockerfile::shell::parse(&s).commands)
}

/// An image its users enter rather than run (see [`Model::answer`]): its ENTRYPOINT is a
/// bare shell with no CMD to run as its script (jessfraz's kernel-builder), or its command
/// only keeps the container running for them to exec into (photoprism's development images:
/// `tail -f /dev/null`), and it builds nothing with its toolchain itself (a tool box that
/// builds its tool, hydra behind a bash ENTRYPOINT, ships that tool). The evidence.
fn entered(df: &Dockerfile) -> Option<Evidence> {
    let graph = Graph::build(df, &[]).ok()?;
    let lineage = graph.lineage(*graph.targets.first()?);
    let last = |kind: Kind| lineage.iter().rev().find_map(|&i| df.stages[i].of_kind(kind).next_back());
    let (entrypoint, cmd) = (last(Kind::Entrypoint), last(Kind::Cmd));
    let ins = entrypoint.filter(|e| !command_words(e).is_some_and(|w| hands_over(&w))).or(cmd)?;
    let words = command_words(ins)?;
    let program = words.first()?.rsplit('/').next()?.to_owned();
    let shell = matches!(program.as_str(), "sh" | "bash" | "zsh" | "ash" | "fish" | "pwsh");
    let kind = ins.kind.as_str();
    let says = if ins.kind == Kind::Entrypoint && words.len() == 1 && shell && cmd.is_none() {
        format!("its ENTRYPOINT is a bare `{program}` prompt with no CMD")
    } else if keeps_alive(ins) {
        format!("its {kind} (`{}`) only keeps the container running, for its users to exec into", words.join(" "))
    } else {
        return None;
    };
    if builds_anything(df, &lineage) || !installs_toolchain(df, &lineage) {
        return None;
    }
    Some(Evidence {
        source: Source::Dockerfile,
        file: String::new(),
        line: ins.line,
        says: format!("{says}, and it builds nothing itself: an environment to build in or FROM, so its toolchain is what it ships"),
    })
}

/// The distributions' package-building tools: an image that keeps one *and* builds packages
/// with it builds `.deb`, `.rpm` or `.apk` packages in itself (docker-credential-helpers'
/// `deb/Dockerfile` keeps debhelper and runs `build-deb`), so its toolchain is what it
/// ships. `dpkg-dev` and `alpine-sdk` are left out: build-essential pulls the first in, and
/// apps install the second to compile. An app that only lists debhelper among its build
/// dependencies (jessfraz's bcc-tools, which builds with cmake) packages nothing.
const PACKAGING_TOOLS: &[&str] = &[
    "debhelper",
    "devscripts",
    "dh-make",
    "cdbs",
    "git-buildpackage",
    "pbuilder",
    "sbuild",
    "rpm-build",
    "rpmdevtools",
    "mock",
    "abuild",
];

/// Programs that build distribution packages.
const PACKAGING_COMMANDS: &[&str] =
    &["dpkg-buildpackage", "debuild", "pdebuild", "gbp", "pbuilder", "sbuild", "rpmbuild", "mock", "abuild", "fpm"];

/// Whether a program builds packages: a packaging command, or a script named for it
/// (`build-deb`, `make_rpm.sh`, `package.sh`).
fn packages_with(program: &str) -> bool {
    let name = program.rsplit('/').next().unwrap_or(program).to_ascii_lowercase();
    let stem = name.strip_suffix(".sh").unwrap_or(&name);
    PACKAGING_COMMANDS.contains(&stem)
        || stem.split(['-', '_']).any(|w| matches!(w, "deb" | "debs" | "rpm" | "rpms" | "apk" | "package" | "packages"))
}

/// Whether the shipped lineage keeps a package-building tool (one the same RUN removes, as
/// nginx's images do after building a module from the source package, does not count) and
/// builds packages, in a RUN or as its command.
fn packaging(df: &Dockerfile, lineage: &[usize]) -> Option<Evidence> {
    let mut kept: Option<(usize, String)> = None;
    let mut builds = false;
    for &i in lineage {
        for ins in &df.stages[i].instructions {
            let words: Vec<Vec<String>> = match (ins.kind, ins.script()) {
                (Kind::Run, Some(script)) => {
                    let parsed = crate::dockerfile::shell::parse(&script);
                    let state = crate::dockerfile::ship::run_state(&parsed);
                    if let Some(p) = state.packages.iter().find(|p| {
                        p.fate == crate::dockerfile::ship::Fate::Ships && PACKAGING_TOOLS.contains(&p.name.as_str())
                    }) {
                        kept.get_or_insert((ins.line, p.name.clone()));
                    }
                    parsed.commands.iter().map(|c| c.words.clone()).collect()
                }
                (Kind::Cmd | Kind::Entrypoint, _) => command_words(ins).into_iter().collect(),
                _ => Vec::new(),
            };
            builds |=
                words.iter().any(|w| program_of(w).or_else(|| w.first().cloned()).is_some_and(|p| packages_with(&p)));
        }
    }
    let (line, name) = kept.filter(|_| builds)?;
    Some(Evidence {
        source: Source::Dockerfile,
        file: String::new(),
        line,
        says: format!(
            "it keeps `{name}` and builds distribution packages with it: an image to build packages in, so its toolchain is what it ships"
        ),
    })
}

/// Whether the lineage copies something of the repository's program from its build context,
/// itself or through a build stage of the file it copies from.
/// The system's own configuration (a package repository under /etc) and licence texts (Red
/// Hat certification's `/licenses`) are not the program; nor is a download `ADD` fetches.
fn copies_program(df: &Dockerfile, lineage: &[usize]) -> bool {
    let from_context = |ins: &crate::dockerfile::Instruction| match (&ins.body, ins.flag("from")) {
        (crate::dockerfile::Body::Copy { sources, dest }, None) => {
            !["/etc/", "/licenses", "/usr/share/doc/"].iter().any(|d| dest.starts_with(d))
                && sources
                    .iter()
                    .any(|s| !(ins.kind == Kind::Add && (s.starts_with("http://") || s.starts_with("https://"))))
        }
        _ => false,
    };
    // a stage of the file by `--from` or FROM name (or index), and the stages it is built on
    let stage_of = |name: &str| {
        df.stages
            .iter()
            .position(|st| st.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(name)))
            .or_else(|| name.parse::<usize>().ok().filter(|&i| i < df.stages.len()))
    };
    let chain = |mut s: usize| {
        let mut out = vec![s];
        while let Some(b) = stage_of(&df.stages[s].base_resolved).filter(|&b| b < s && !out.contains(&b)) {
            out.push(b);
            s = b;
        }
        out
    };
    // what the lineage copies from the context, or from a build stage of the file that
    // copied it (WebODM's `COPY --from=build $WORKDIR ./`, its sources built there)
    let mut todo: Vec<usize> = lineage.to_vec();
    let mut seen: Vec<usize> = Vec::new();
    while let Some(s) = todo.pop() {
        if seen.contains(&s) {
            continue;
        }
        seen.push(s);
        for ins in df.stages[s].instructions.iter().filter(|i| matches!(i.kind, Kind::Copy | Kind::Add)) {
            match ins.flag("from").and_then(stage_of) {
                Some(from) => todo.extend(chain(from)),
                None if from_context(ins) => return true,
                None => {}
            }
        }
    }
    false
}

/// CI agents, by what installs them (a download address or a package) and the images they
/// ship as: an image that holds one is a CI job environment, whose tools are its product.
const CI_AGENTS: &[(&str, &str)] = &[
    ("github.com/actions/runner/releases", "the GitHub Actions runner"),
    ("actions/actions-runner", "the GitHub Actions runner"),
    ("summerwind/actions-runner", "the GitHub Actions runner"),
    ("myoung34/github-runner", "the GitHub Actions runner"),
    ("gitlab-runner-downloads", "GitLab Runner"),
    ("gitlab/gitlab-runner", "GitLab Runner"),
    ("jenkins/inbound-agent", "a Jenkins agent"),
    ("jenkins/agent", "a Jenkins agent"),
    ("jenkins/ssh-agent", "a Jenkins agent"),
    ("jenkinsci/jnlp-slave", "a Jenkins agent"),
    ("org/jenkins-ci/main/remoting/", "a Jenkins agent"),
    ("buildkite/agent", "the Buildkite agent"),
    ("buildkite-agent", "the Buildkite agent"),
    ("jetbrains/teamcity-agent", "a TeamCity agent"),
    ("vstsagentpackage", "the Azure Pipelines agent"),
    ("circleci/runner", "the CircleCI runner"),
];

/// Images made to run CI jobs in without an agent of their own (the CI service runs the job
/// in them), by repository prefix: an image built FROM one is a CI job environment too.
const CI_JOB_IMAGES: &[(&str, &str)] = &[
    ("cimg/", "a CircleCI convenience image"),
    ("circleci/", "a CircleCI convenience image"),
    ("gitlab-org/gitlab-build-images", "a GitLab build image"),
];

/// Whether the shipped lineage installs a CI agent, or is built FROM an agent's image or a
/// CI job image.
fn ci_agent(df: &Dockerfile, graph: &Graph, lineage: &[usize]) -> Option<Evidence> {
    let agent = |w: &str| {
        let w = w.to_ascii_lowercase();
        CI_AGENTS.iter().find(|(needle, _)| w.contains(needle)).map(|(_, name)| *name)
    };
    let job_image = |repository: &str| {
        let r = repository.to_ascii_lowercase();
        CI_JOB_IMAGES.iter().find(|(prefix, _)| r.starts_with(prefix)).map(|(_, name)| *name)
    };
    let final_ = *lineage.last()?;
    if let Some(name) = graph.root_image(final_).and_then(|img| {
        let repository = crate::dockerfile::ImageRef::parse(img).repository;
        agent(&repository).or_else(|| job_image(&repository))
    }) {
        return Some(Evidence {
            source: Source::Dockerfile,
            file: String::new(),
            line: df.stages[lineage[0]].line,
            says: format!("it is built FROM {name}'s image: a CI job environment, whose tools are what it ships"),
        });
    }
    for &i in lineage {
        for ins in &df.stages[i].instructions {
            let found = match (&ins.body, ins.script()) {
                (_, Some(script)) if ins.kind == Kind::Run => crate::dockerfile::shell::parse(&script)
                    .commands
                    .iter()
                    .flat_map(|c| c.words.clone())
                    .find_map(|w| agent(&w)),
                (crate::dockerfile::Body::Copy { sources, .. }, _) => sources.iter().find_map(|w| agent(w)),
                _ => None,
            };
            if let Some(name) = found {
                return Some(Evidence {
                    source: Source::Dockerfile,
                    file: String::new(),
                    line: ins.line,
                    says: format!("it installs {name}: a CI job environment, whose tools are what it ships"),
                });
            }
        }
    }
    None
}

/// The program a command line runs, past wrappers, their options, and `sh -c '…'`.
/// Whether a command starts a program of the image's own: not a prompt (a shell or REPL), not
/// a keep-alive (`tail -f /dev/null`, `sleep infinity`: a container kept up to enter), and not
/// an entrypoint that only hands over to a CMD it does not have.
pub(crate) fn runs_program(words: &[String]) -> bool {
    let idle =
        words.iter().any(|w| w == "/dev/null") || words.first().is_some_and(|w| w.rsplit('/').next() == Some("sleep"));
    !idle && !hands_over(words) && program_of(words).is_some_and(|p| !PROMPTS.contains(&p.as_str()))
}

pub(crate) fn program_of(words: &[String]) -> Option<String> {
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        let base = w.rsplit('/').next().unwrap_or(w);
        if WRAPPERS.contains(&base) {
            i += 1;
            // gosu/su-exec take a user first
            if matches!(base, "gosu" | "su-exec") {
                i += 1;
            }
            while i < words.len() && (words[i].starts_with('-') && words[i] != "--" || words[i].contains('=')) {
                i += 1;
            }
            continue;
        }
        if matches!(base, "sh" | "bash" | "ash" | "dash") {
            let c = words.iter().position(|x| x == "-c")?;
            let inner = words.get(c + 1)?;
            let parsed = crate::dockerfile::shell::parse(inner);
            return program_of(&parsed.commands.first()?.words);
        }
        return Some(w.to_owned());
    }
    None
}

/// `a/./b/../c` → `a/c`, without touching the file system.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `dir` joined with `rel` as a repository-relative path (`.` for the root); `None` when it
/// leaves the repository, is absolute, or is not a local path (a Git URL, `-`).
pub fn join(dir: &str, rel: &str) -> Option<String> {
    let rel = rel.trim();
    if rel.is_empty()
        || rel == "-"
        || rel.contains("://")
        || rel.starts_with("git@")
        || rel.starts_with('/')
        || rel.starts_with('~')
        || rel.contains("${")
        || rel.contains('$')
    {
        return None;
    }
    let joined = normalize(&Path::new(dir).join(rel));
    let s = joined.to_string_lossy().replace('\\', "/");
    if s.starts_with("..") {
        return None;
    }
    Some(if s.is_empty() { ".".into() } else { s })
}

/// The folder of a repository-relative file (`.` for the root).
pub fn folder(path: &str) -> String {
    match path.rsplit_once('/') {
        Some((d, _)) if !d.is_empty() => d.to_owned(),
        _ => ".".into(),
    }
}

/// The Dockerfile a build uses: `file` relative to `cwd` when given, else `Dockerfile` in
/// the context.
pub fn dockerfile_in(cwd: &str, context: &str, file: Option<&str>) -> Option<String> {
    match file {
        Some(f) => join(cwd, f),
        None => join(context, "Dockerfile"),
    }
}

/// Whether a stage or bake target name says it runs tests, lints or validates: a word of it
/// (split at `-`, `_`, `.`) is one of these.
pub fn is_test_name(name: &str) -> bool {
    name.to_ascii_lowercase().split(['-', '_', '.', ':']).any(|w| {
        matches!(
            w,
            "test"
                | "tests"
                | "testing"
                | "e2e"
                | "lint"
                | "linter"
                | "validate"
                | "validation"
                | "vet"
                | "coverage"
                | "unittest"
                | "unittests"
                | "integrationtest"
                | "check"
                | "checks"
        )
    })
}

#[cfg(test)]
mod tests {

    /// mitxonline (held out in round 64): every known path develops, and the `production`
    /// stage no path builds ships from elsewhere; a `production` target a path builds, or a
    /// CI path, leaves the reading as it was
    #[test]
    fn a_production_stage_no_path_builds_ships_from_elsewhere() {
        let text = "FROM python:3.12-slim AS base\nRUN apt-get update && apt-get install -y libcairo2-dev\nFROM base AS production\nCMD [\"gunicorn\"]\nFROM base AS development\nCMD [\"runserver\"]\n";
        let df = Dockerfile::parse(text).unwrap();
        let m =
            Model::new(vec![path("Dockerfile", Some("development"), Role::Development, Source::Compose)], Vec::new());
        let a = m.answer("Dockerfile", Some(&df));
        assert_eq!((a.role, a.targets.clone()), (Role::Ships, vec![Some("production".to_owned())]), "{a:?}");
        assert!(a.evidence[0].says.contains("ships from elsewhere"));
        assert_eq!(
            a.stages.iter().find(|s| s.name.as_deref() == Some("production")).and_then(|s| s.role),
            Some(Role::Ships)
        );
        let ci = Model::new(vec![path("Dockerfile", Some("development"), Role::CiOnly, Source::Workflow)], Vec::new());
        assert_eq!(ci.answer("Dockerfile", Some(&df)).role, Role::CiOnly);
    }

    /// jumpserver (held out in round 70): the only workflow build checks `stage-build` in CI;
    /// the last stage, which nothing known builds, ships as a plain `docker build`. Not when
    /// the CI build exports or runs what it builds, builds the last stage, the last stage is
    /// named for tests (snuba's `testing`) or it is rooted in `scratch` (an export of binaries).
    #[test]
    fn a_ci_check_of_an_earlier_stage_leaves_the_last_one_shipping() {
        let text = "FROM python:3.14-slim AS stage-build\nRUN pip install .\nFROM python:3.14-slim\nRUN apt-get update && apt-get install -y libldap2-dev\nCOPY --from=stage-build /opt /opt\nCMD [\"start\"]\n";
        let df = Dockerfile::parse(text).unwrap();
        let built = |target: Option<&str>, df: &Dockerfile, checks: bool| {
            let p = BuildPath { checks, ..path("Dockerfile", target, Role::CiOnly, Source::Workflow) };
            Model::new(vec![p], Vec::new()).answer("Dockerfile", Some(df))
        };
        let check = |target: Option<&str>, df: &Dockerfile| built(target, df, true);
        // a CI build that exports the stage's files or runs it says what the file is for
        assert_eq!(built(Some("stage-build"), &df, false).role, Role::CiOnly);
        let a = check(Some("stage-build"), &df);
        assert_eq!((a.role, a.targets.clone()), (Role::Ships, vec![None]), "{a:?}");
        assert!(a.evidence[0].says.contains("only check stage `stage-build` in CI"), "{}", a.evidence[0].says);
        assert_eq!(a.stages.iter().map(|s| s.role).collect::<Vec<_>>(), [Some(Role::CiOnly), Some(Role::Ships)]);
        assert_eq!(check(None, &df).role, Role::CiOnly);
        let testing = Dockerfile::parse(&format!("{text}FROM stage-build AS testing\nRUN pytest\n")).unwrap();
        assert_eq!(check(Some("stage-build"), &testing).role, Role::CiOnly);
        let export = Dockerfile::parse(
            "FROM golang:1.22 AS build\nRUN go build -o /out/app\nFROM scratch\nCOPY --from=build /out /\n",
        )
        .unwrap();
        assert_eq!(check(Some("build"), &export).role, Role::CiOnly);
    }

    /// gramps-web-api (held out in round 72): a base with no command of its own on
    /// `debian:trixie` is an environment to build in, unless an application of the
    /// repository's ships on it; then its toolchain ships there.
    #[test]
    fn a_base_an_application_ships_on_is_no_environment() {
        let df = Dockerfile::parse("FROM debian:trixie\nRUN apt-get update && apt-get install -y python3-pip libpq-dev && pip install psycopg2\n").unwrap();
        let mut m = Model::new(vec![path("Dockerfile.base", None, Role::Ships, Source::Workflow)], Vec::new());
        assert_eq!(m.answer("Dockerfile.base", Some(&df)).role, Role::ToolchainProduct);
        m.app_bases.insert("Dockerfile.base".into());
        assert_eq!(m.answer("Dockerfile.base", Some(&df)).role, Role::Ships);
    }

    #[test]
    fn distributions_on_their_vendors_registries_are_prompt_bases() {
        let base = |s: &str| prompt_base(&crate::dockerfile::ImageRef::parse(s)).map(str::to_owned);
        assert_eq!(base("quay.io/centos/centos:stream9-minimal").as_deref(), Some("centos"));
        assert_eq!(base("registry.access.redhat.com/ubi9/ubi-minimal:9.4").as_deref(), Some("ubi"));
        assert_eq!(base("public.ecr.aws/amazonlinux/amazonlinux:2023").as_deref(), Some("amazonlinux"));
        assert_eq!(base("public.ecr.aws/docker/library/python:3.12").as_deref(), Some("python"));
        assert_eq!(base("container-registry.oracle.com/os/oraclelinux:9").as_deref(), Some("oraclelinux"));
        assert_eq!(base("oraclelinux:9-slim").as_deref(), Some("oraclelinux"));
        // an image named like a distribution in someone's namespace is theirs
        assert_eq!(base("acme/centos:7"), None);
        assert_eq!(base("nginx:1"), None);
        assert_eq!(base("acme/app/app:1"), None);
    }

    use super::*;

    fn path(df: &str, target: Option<&str>, role: Role, source: Source) -> BuildPath {
        BuildPath {
            dockerfile: df.into(),
            context: ".".into(),
            target: target.map(String::from),
            role,
            evidence: Evidence { source, file: format!("{source:?}"), line: 1, says: role.to_string() },
            name: None,
            target_line: None,
            mounts: Vec::new(),
            images: Vec::new(),
            contexts: Vec::new(),
            target_written: None,
            checks: false,
        }
    }

    fn parse(text: &str) -> Dockerfile {
        Dockerfile::parse(text).unwrap()
    }

    #[test]
    fn no_evidence_ships_the_last_stage() {
        let df = parse("FROM golang AS build\nRUN go build\nFROM scratch\nCOPY --from=build /a /a\n");
        let a = Model::default().answer("Dockerfile", Some(&df));
        assert!(a.default && a.role == Role::Ships && a.targets == [None]);
        assert_eq!(a.target_names(Some(&df)), ["1"]);
        assert_eq!(a.stages[1].role, Some(Role::Ships));
        assert_eq!((a.stages[0].role, a.stages[0].built), (None, true));
    }

    #[test]
    fn a_development_path_never_silences_a_shipping_one() {
        let df = parse("FROM node AS dev\nRUN npm i -g nodemon\nFROM node AS prod\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"server.js\"]\n");
        let model = Model::new(
            vec![
                path("vote/Dockerfile", Some("dev"), Role::Development, Source::Compose),
                path("vote/Dockerfile", None, Role::Ships, Source::Workflow),
            ],
            Vec::new(),
        );
        let a = model.answer("vote/Dockerfile", Some(&df));
        assert_eq!(a.role, Role::Ships);
        assert_eq!(a.targets, [None]);
        assert_eq!(a.evidence[0].source, Source::Workflow, "the shipping evidence comes first");
        assert_eq!(a.stages[0].role, Some(Role::Development));
        assert_eq!(a.stages[1].role, Some(Role::Ships));
        // both stages are built by a known path: neither is unused
        assert_eq!(a.built_names(Some(&df)), ["dev", "1"]);
    }

    #[test]
    fn every_path_development_or_ci_means_nothing_ships() {
        let df = parse("FROM golang\nRUN go build\n");
        let dev = Model::new(vec![path("Dockerfile", None, Role::Development, Source::DevContainer)], Vec::new());
        let a = dev.answer("Dockerfile", Some(&df));
        assert_eq!((a.role, a.targets.len()), (Role::Development, 0));
        let ci = Model::new(
            vec![
                path("Dockerfile", Some("0"), Role::CiOnly, Source::Bake),
                path("Dockerfile", None, Role::CiOnly, Source::Workflow),
            ],
            Vec::new(),
        );
        assert_eq!(ci.answer("Dockerfile", Some(&df)).role, Role::CiOnly);
    }

    /// onadata's workflow passes `optional_packages` (`build-args: optional_packages=…`): an
    /// ARG a build file names may be given, so its default does not decide; `DEBUG`, named by
    /// none, is not.
    #[test]
    fn build_arguments_a_build_file_names_may_be_given() {
        let wf = "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          push: true\n          tags: o/app\n          build-args: |\n            optional_packages=${{ secrets.PKGS }}\n";
        let sources = Sources {
            files: vec![File { path: ".github/workflows/b.yml".into(), text: wf.into() }],
            dockerfiles: vec!["Dockerfile".into()],
            ..Sources::default()
        };
        let df = parse("ARG optional_packages\nFROM python:3.12\nARG DEBUG\nARG optional_packages\nRUN true\n");
        assert_eq!(Model::read(&sources).answer("Dockerfile", Some(&df)).given_args, ["optional_packages"]);
        // a development compose file that passes DEBUG gives nothing to the image that ships
        let dev = "services:\n  app:\n    build:\n      context: .\n      args:\n        DEBUG: 1\n    volumes:\n      - .:/code\n";
        let mut with_dev = sources.clone();
        with_dev.files.push(File { path: "docker-compose.dev.yml".into(), text: dev.into() });
        assert_eq!(Model::read(&with_dev).answer("Dockerfile", Some(&df)).given_args, ["optional_packages"]);
    }

    #[test]
    fn the_users_statement_decides_alone() {
        let df = parse("FROM golang AS build\nFROM scratch AS runtime\n");
        let model = Model::new(
            vec![
                path("Dockerfile", Some("build"), Role::Ships, Source::Compose),
                path("Dockerfile", Some("runtime"), Role::Ships, Source::Config),
            ],
            Vec::new(),
        );
        let a = model.answer("Dockerfile", Some(&df));
        assert_eq!(a.targets, [Some("runtime".to_owned())]);
        assert_eq!(a.paths.len(), 1);
        // but the compose target is still built, so not unused
        assert!(a.built.contains(&Some("build".to_owned())));
    }

    /// caddy's `builder/Dockerfile` (`caddy:builder`) and uptime-kuma's
    /// `builder-go.dockerfile` make images to build in; `form-builder/` is an app's name
    #[test]
    fn images_named_builders_are_toolchain_products() {
        let df = parse("FROM golang:1.26-alpine\nRUN apk add git\nCOPY caddy-builder.sh /usr/bin/caddy-builder\nWORKDIR /usr/bin\n");
        for (path, yes) in [
            ("2.11/builder/Dockerfile", true),
            ("docker/builder-go.dockerfile", true),
            ("Dockerfile.builder", true),
            ("form-builder/Dockerfile", false),
            ("builders-guide/Dockerfile", false),
            ("app/Dockerfile", false),
        ] {
            let a = Model::default().answer(path, Some(&df));
            assert_eq!(a.role == Role::ToolchainProduct, yes, "{path}: {:?}", a.evidence);
        }
    }

    #[test]
    fn toolchain_products_are_told_by_their_entrypoint() {
        for (text, yes) in [
            ("FROM debian\nRUN apt-get install -y gcc\nENTRYPOINT [\"gcc\"]\n", true),
            ("FROM debian\nRUN apt-get install -y distcc\nCMD [\"distccd\", \"--daemon\", \"--no-detach\"]\n", true),
            ("FROM debian\nENTRYPOINT [\"/usr/bin/tini\", \"--\", \"/usr/local/bin/make\"]\n", true),
            ("FROM debian\nENTRYPOINT [\"arm-linux-gnueabihf-gcc\"]\n", true),
            ("FROM debian\nCMD sh -c 'exec cargo build'\n", true),
            ("FROM debian\nENTRYPOINT [\"gcc-12\"]\n", true),
            // an app, even one a toolchain built
            ("FROM golang\nRUN go build -o /app\nCMD [\"/app\"]\n", false),
            ("FROM python\nCMD [\"python\", \"app.py\"]\n", false),
            // an ENTRYPOINT decides over a CMD
            ("FROM debian\nCMD [\"make\"]\nENTRYPOINT [\"/app\"]\n", false),
            ("FROM debian\nENTRYPOINT [\"gcc-wrapper.sh\"]\n", false),
            // an entrypoint script that hands over to the CMD: the CMD decides (maven's images)
            ("FROM eclipse-temurin:21\nCOPY mvn-entrypoint.sh /usr/local/bin/\nENTRYPOINT [\"/usr/local/bin/mvn-entrypoint.sh\"]\nCMD [\"mvn\"]\n", true),
            ("FROM python:3.12\nCOPY . /app\nENTRYPOINT [\"/docker-entrypoint.sh\"]\nCMD [\"gunicorn\", \"app:app\"]\n", false),
            // compiling at start-up, then running the program: the program is the product
            ("FROM gcc:13\nCMD gcc -O2 -o /app /src/app.c && /app\n", false),
            ("FROM debian\nCOPY app /app\n", false),
        ] {
            let df = parse(text);
            assert_eq!(toolchain_product(&df, None).is_some(), yes, "{text}");
            let a = Model::default().answer("Dockerfile", Some(&df));
            assert_eq!(a.role == Role::ToolchainProduct, yes, "{text}");
        }
        // an environment: it runs a prompt, not a program of the repository's
        for (text, yes) in [
            // docker-library's rust and golang: no command of their own on a prompt base
            ("FROM buildpack-deps:bookworm\nRUN curl -O https://x/rustup-init && ./rustup-init -y\n", true),
            ("FROM debian\n", true),
            // node's: an entrypoint script that runs a bare REPL
            ("FROM buildpack-deps:bookworm\nCOPY docker-entrypoint.sh /usr/local/bin/\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [\"node\"]\n", true),
            ("FROM ubuntu:22.04\nRUN apt-get install -y build-essential\nCMD [\"/bin/bash\"]\n", true),
            // a tool built from the repository's own sources, run from the prompt (manticore):
            // the tool ships, not the toolchain; copying a script in changes nothing
            ("FROM ubuntu:20.04\nRUN apt-get install -y python3-dev python3-pip\nADD . /manticore\nRUN cd manticore && python3 -m pip install .[native]\nCMD [\"/bin/bash\"]\n", false),
            ("FROM ubuntu:22.04\nCOPY install.sh /\nRUN apt-get install -y build-essential && make -C /opt/x\nCMD [\"/bin/bash\"]\n", true),
            // groovy's: a JVM language's REPL (round 7's held-out groovy images)
            ("FROM eclipse-temurin:21-jdk\nRUN curl -fsSLo g.zip https://x/groovy.zip && unzip g.zip\nCMD [\"groovysh\"]\n", true),
            // a server base runs its server: php:*-apache's command is apache
            ("FROM php:8.3-apache\nRUN apt-get install -y libpng-dev && docker-php-ext-install gd\n", false),
            // an app that takes its command from compose or Kubernetes copies its sources
            ("FROM python:3.12\nCOPY . /app\nRUN pip install -r /app/requirements.txt\n", false),
            // … or copies them from a build stage that did (round 30's WebODM: `COPY
            // --from=build $WORKDIR ./`), through the stages that build stage is built on
            ("FROM ubuntu:22.04 AS common\nFROM common AS src\nCOPY . /webodm\nFROM src AS build\nRUN make -C /webodm\nFROM common AS app\nCOPY --from=build /webodm /webodm\n", false),
            ("FROM ubuntu:22.04 AS build\nRUN curl -O https://x/t.tgz\nFROM ubuntu:22.04\nCOPY --from=build /t.tgz /t.tgz\n", true),
            // an unknown base may run anything
            ("FROM example.com/team/base:1\nRUN apt-get install -y gcc\n", false),
            // a REPL with a script is a program; an ENTRYPOINT that is a program decides
            ("FROM python:3.12\nCMD [\"python\", \"app.py\"]\n", false),
            ("FROM debian\nENTRYPOINT [\"/app\"]\nCMD [\"bash\"]\n", false),
            // a prompt as the ENTRYPOINT with no CMD (jessfraz's kernel-builder); with a CMD,
            // the shell runs the CMD's file as its script (jessfraz's tor-browser)
            ("FROM debian\nRUN apt-get install -y bison flex\nENTRYPOINT [ \"bash\" ]\n", true),
            // … but not one that builds its tool (hydra), nor an interpreter users give a script
            ("FROM alpine:3\nRUN apk add build-base && make && make install\nENTRYPOINT [\"bash\"]\n", false),
            ("FROM python:3.12-slim\nRUN apk add build-base\nENTRYPOINT [\"python\"]\n", false),
            ("FROM debian\nRUN apt-get install -y gcc\nENTRYPOINT [\"/bin/bash\"]\nCMD [\"/usr/local/bin/start-tor-browser\"]\n", false),
            // a command that only keeps the container running, to exec into (photoprism's
            // development images)
            ("FROM ubuntu:noble\nRUN apt-get install -y make gcc\nCMD [\"tail\", \"-f\", \"/dev/null\"]\n", true),
            ("FROM debian\nRUN apt-get install -y gcc\nCMD sleep infinity\n", true),
            // a tool box with no toolchain to be its product (aircrack-ng's)
            ("FROM alpine:3\nRUN apk add --no-cache aircrack-ng tmux\nENTRYPOINT [\"sleep\", \"inf\"]\n", false),
            // a program first, then the wait (iventoy); a tool box that builds its tool
            ("FROM debian\nCMD ./lib/iventoy && sleep inf\n", false),
            ("FROM debian\nRUN apt-get install -y gcc && gcc -o /t t.c\nCMD [\"sleep\", \"infinity\"]\n", false),
            ("FROM debian\nCMD [\"tail\", \"-f\", \"/var/log/app.log\"]\n", false),
            ("FROM debian\nCMD [\"sleep\", \"30\"]\n", false),
        ] {
            let a = Model::default().answer("Dockerfile", Some(&parse(text)));
            assert_eq!(a.role == Role::ToolchainProduct, yes, "{text}");
            if yes {
                assert!(a.evidence[0].says.contains("an environment to build in or FROM"), "{:?}", a.evidence);
            }
        }
        // one the repository's other images ship on is their base: its toolchain ships there
        // (photoprism's `develop:*-slim`, the base of its release images)
        let mut model = Model::default();
        let ev = Evidence { source: Source::Dockerfile, file: "Dockerfile".into(), line: 1, says: "a base".into() };
        model.bases.insert("develop/noble-slim/Dockerfile".into(), ev);
        let text = "FROM ubuntu:noble\nRUN apt-get install -y make gcc\nCMD [\"tail\", \"-f\", \"/dev/null\"]\n";
        assert_eq!(model.answer("develop/noble-slim/Dockerfile", Some(&parse(text))).role, Role::Ships);
        assert_eq!(model.answer("develop/noble/Dockerfile", Some(&parse(text))).role, Role::ToolchainProduct);
        // a CI job environment: an image that installs a CI agent, or is built FROM one
        for text in [
            "FROM ubuntu:22.04\nRUN apt-get install -y build-essential\nRUN curl -fLo r.tgz https://github.com/actions/runner/releases/download/v2.3/actions-runner-linux-x64-2.3.tar.gz && tar xzf r.tgz\nCMD [\"entrypoint.sh\"]\n",
            "FROM jenkins/inbound-agent:3206.vb_15dcf73f6a_9-1\nRUN apt-get install -y gcc\n",
            // CircleCI runs the job in its convenience images: cimg/python is FROM cimg/base
            "FROM cimg/base:2026.08-22.04\nRUN sudo apt-get update && sudo apt-get install -y build-essential libssl-dev\n",
        ] {
            let a = Model::default().answer("Dockerfile", Some(&parse(text)));
            assert_eq!(a.role, Role::ToolchainProduct, "{text}");
            assert!(a.evidence[0].says.contains("CI job environment"), "{:?}", a.evidence);
        }
        // the ENTRYPOINT of the stage a path ships, not the last one
        let df = parse("FROM debian AS cc\nENTRYPOINT [\"clang\"]\nFROM debian AS app\nCMD [\"/app\"]\n");
        assert!(toolchain_product(&df, Some("cc")).is_some());
        assert!(toolchain_product(&df, None).is_none());
    }

    /// With no build path, the file's own path may say what it is: a test folder or name
    /// (ci-only), a development name, a vendored dependency; anything else is the default.
    #[test]
    fn a_files_own_path_says_test_dev_or_vendored() {
        let df =
            parse("FROM debian:12\nRUN apt-get update && apt-get install -y gcc\nCOPY . /src\nCMD [\"/src/app\"]\n");
        // a repository that says what it ships (a workflow pushes its app)
        let m = Model::new(vec![path("app/Dockerfile", None, Role::Ships, Source::Workflow)], Vec::new());
        for (path, role) in [
            ("frontend/dockerfile/parser/testfiles/nginx/Dockerfile", Some(Role::CiOnly)),
            ("e2e/testdata/Dockerfile.connhelper-ssh", Some(Role::CiOnly)),
            ("factory/test-project/Dockerfile", Some(Role::CiOnly)),
            ("hack/Dockerfile.test", Some(Role::CiOnly)),
            ("dockerfiles/Dockerfile.dev", Some(Role::Development)),
            // freqtrade's `docker/Dockerfile.develop` and scrypted's `Dockerfile.local`, which
            // nothing builds beside the images their workflows push
            ("docker/Dockerfile.develop", Some(Role::Development)),
            ("install/docker/Dockerfile.local", Some(Role::Development)),
            ("Dockerfile.localstack", None),
            // wger's extras/docker/development, which no workflow builds
            ("extras/docker/development/Dockerfile", Some(Role::Development)),
            // a `dev` folder may be a release channel (microsoft-edge/dev): not read
            ("microsoft-edge/dev/Dockerfile", None),
            ("containers/cpp/.devcontainer/base.Dockerfile", Some(Role::Development)),
            ("vendor/github.com/o/m/Dockerfile", Some(Role::CiOnly)),
            // openresty's archive/ of the distributions it no longer builds
            ("archive/Dockerfile.wheezy", Some(Role::CiOnly)),
            ("images/Deprecated/centos7/Dockerfile", Some(Role::CiOnly)),
            ("archiver/Dockerfile", None),
            ("web/Dockerfile", None),
            ("latest/Dockerfile", None),
            ("lkp-tests/Dockerfile", None),
            ("contest/Dockerfile.prod", None),
        ] {
            let a = m.answer(path, Some(&df));
            match role {
                Some(r) => assert_eq!((a.role, a.default), (r, false), "{path}"),
                None => assert!(a.default && a.role == Role::Ships, "{path}"),
            }
        }
        // a repository whose builds are not visible: a test or vendored folder, or a name
        // that says tests (shiori's Dockerfile.e2e, built only by testcontainers), still says
        // what its files are; a development, CI or archive name alone does not
        let unseen = Model::default();
        for p in [
            "tests/Dockerfile",
            "src/test/configs/image/Dockerfile",
            "vendor/m/Dockerfile",
            "Dockerfile.e2e",
            "hack/Dockerfile.test",
        ] {
            assert_eq!(unseen.answer(p, Some(&df)).role, Role::CiOnly, "{p}");
        }
        assert_eq!(unseen.answer(".devcontainer/Dockerfile", Some(&df)).role, Role::Development);
        for p in ["Dockerfile.ci", "Dockerfile.dev", "archive/Dockerfile.wheezy", "docker/development/Dockerfile"] {
            assert!(unseen.answer(p, Some(&df)).default, "{p}");
        }
        // a build path decides over the name
        let pushed = Model::new(vec![path("tests/Dockerfile", None, Role::Ships, Source::Workflow)], Vec::new());
        assert_eq!(pushed.answer("tests/Dockerfile", Some(&df)).role, Role::Ships);
    }

    /// A pushed stage named for tests or linting is a CI image: its tools are its product.
    #[test]
    fn a_pushed_lint_stage_is_a_ci_image() {
        let df = parse("FROM python:3.12 AS lint\nRUN pip install ruff\nFROM python:3.12-slim\nCOPY . /app\n");
        let m = Model::new(vec![path("docker/Dockerfile", Some("lint"), Role::Ships, Source::Workflow)], Vec::new());
        let a = m.answer("docker/Dockerfile", Some(&df));
        assert_eq!(a.role, Role::ToolchainProduct);
        assert!(a.evidence[0].says.contains("CI image"), "{:?}", a.evidence);
    }

    #[test]
    fn paths_join_inside_the_repository_only() {
        assert_eq!(join(".", "./vote").as_deref(), Some("vote"));
        assert_eq!(join("a/b", "../c/Dockerfile").as_deref(), Some("a/c/Dockerfile"));
        assert_eq!(join(".", ".").as_deref(), Some("."));
        for bad in ["../x", "/abs", "https://github.com/a/b.git", "-", "${{ matrix.x }}", "$DIR/x", ""] {
            assert_eq!(join(".", bad), None, "{bad}");
        }
        assert_eq!(dockerfile_in(".", "vote", None).as_deref(), Some("vote/Dockerfile"));
        assert_eq!(dockerfile_in(".", "vote", Some("./docker/x.Dockerfile")).as_deref(), Some("docker/x.Dockerfile"));
        assert_eq!(folder("a/b/Dockerfile"), "a/b");
        assert_eq!(folder("Dockerfile"), ".");
    }

    #[test]
    fn test_names() {
        for yes in ["test", "integration-test", "unit_tests", "lint", "validate-vendor", "e2e", "test-coverage"] {
            assert!(is_test_name(yes), "{yes}");
        }
        for no in ["testdata-builder", "latest", "contest", "runtime", "release", "build", "production"] {
            assert!(!is_test_name(no), "{no}");
        }
    }
}
