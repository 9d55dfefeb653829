//! Compose files as evidence: every service whose `build` resolves to a Dockerfile of the
//! repository is a build path. A compose file is known by its name (`compose.yaml`,
//! `docker-compose.prod.yml`) or, whatever its name, by its text ([`is_compose_text`]:
//! cookiecutter-django's `local.yml` and `production.yml`). Compose files often sit above
//! the Dockerfile (`build: {context: app, target: builder}`), so each service's context and
//! dockerfile are resolved against the compose file's folder.
//!
//! Roles: a service that bind-mounts its whole build context (or a folder holding it), or
//! syncs it with `develop.watch`, runs the host's sources: **development**. A service that
//! mounts a *part* of the context is development only when that part lands in the image's
//! WORKDIR and not in one of its VOLUMEs, which the Dockerfile says ([`super::answer`] decides
//! it, with the parsed file). A compose file named for tests (`docker-compose.test.yml`,
//! `compose.ci.yaml`) builds what runs the tests: **ci-only**; one named for development
//! (`docker-compose.dev.yml`, `compose.local.yaml`), or in a folder so named (`dev/`):
//! **development**. Any other service builds and runs the image, and `image:` beside `build:`
//! names it for a registry: **ships**. A test build whose image the stack's own compose file
//! pulls by name ships too (`published`).
//!
//! Variant files (`docker-compose.override.yml`, `compose.dev.yaml`) often add volumes to a
//! service that the base file of their folder builds: such a service (with no `image:` of
//! its own: that runs a prebuilt image) inherits the base's `build`, and is its own path.

use super::tree::{self, Node, Value};
use super::{folder, join, BuildPath, Evidence, Model, Note, Role, Sources};

/// Whether a file name is a compose file: `compose.yaml`, `docker-compose.yml`, and their
/// variants (`docker-compose.prod.yml`, `compose.override.yaml`).
pub fn is_compose_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (lower.ends_with(".yml") || lower.ends_with(".yaml"))
        && (lower.starts_with("docker-compose") || lower.starts_with("compose.") || lower.starts_with("compose-"))
}

/// Whether a YAML file's text is a compose file whatever its name: a top-level `services:`
/// and an indented `build:` or `image:`. Projects name theirs (cookiecutter-django's
/// `local.yml` and `production.yml`, run with `docker compose -f`; IntelOwl's
/// `docker/default.yml`); [`read`] keeps the services that build or run an image.
pub fn is_compose_text(text: &str) -> bool {
    let mut services = false;
    let mut service = false;
    for line in text.lines() {
        services |= line.trim_end() == "services:";
        let key = line.trim_start();
        service |= line.starts_with([' ', '\t']) && (key.starts_with("build:") || key.starts_with("image:"));
    }
    services && service
}

/// A compose file: by its name, or a YAML file by its text that no other reader of the
/// repository claims (a workflow, another CI system's pipeline).
fn is_compose(file: &super::File) -> bool {
    let name = base_name(&file.path);
    is_compose_name(name)
        || ((name.ends_with(".yml") || name.ends_with(".yaml"))
            && !super::workflows::is_workflow_path(&file.path)
            && !super::pipelines::is_pipeline_path(&file.path)
            && is_compose_text(&file.text))
}

/// The base file names compose looks for, in its order of preference.
pub const BASE_NAMES: [&str; 4] = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"];

/// What a service's `build` says, resolved.
struct Build {
    context: String,
    dockerfile: String,
    target: Option<String>,
    target_line: Option<usize>,
    /// The target as written, when a variable picks it.
    target_written: Option<String>,
    /// `additional_contexts` names.
    contexts: Vec<String>,
}

/// Read every compose file of the sources into build paths.
pub fn read(sources: &Sources, model: &mut Model) {
    let dev_composes = super::devcontainer::compose_files(sources);
    let first = model.paths.len();
    // (file, line, service, image) of the services that run an image without building it
    let mut runs: Vec<(String, usize, String, String)> = Vec::new();
    for file in sources.files.iter().filter(|f| is_compose(f)) {
        let Some(doc) = super::document(file, tree::yaml, "valid YAML", "its services are not read", model) else {
            continue;
        };
        let dir = folder(&file.path);
        let base = base_services(sources, &file.path, &dir);
        // a compose file for tests, or one in a test folder (`e2e/`, `tests/`)
        let tests = names_tests(base_name(&file.path)) || file.path.split('/').rev().skip(1).any(super::is_test_folder);
        // a compose file named for development (`docker-compose.dev.yml`, `compose.local.yaml`),
        // or the one a dev container runs on (named by its `dockerComposeFile`, or beside it
        // in `.devcontainer/`)
        let dev_container =
            file.path.split('/').any(|part| part == ".devcontainer") || dev_composes.contains(&file.path);
        // (or one in a folder so named: galaxy_ng's `dev/compose/standalone.yaml`)
        let dev = names_development(base_name(&file.path))
            || file.path.split('/').rev().skip(1).any(names_development)
            || dev_container;
        for (name, service) in doc.get("services").map(Node::entries).unwrap_or_default() {
            // a service that runs an image it does not build, in a compose file for running
            // the stack (not for tests or development)
            if let (None, Some(image)) = (service.get("build"), service.str_at("image")) {
                if !tests && !dev && base.iter().all(|(n, _)| n != name) {
                    runs.push((file.path.clone(), service.line, name.clone(), image.to_owned()));
                }
            }
            let build = match service.get("build") {
                Some(b) => resolve(b, &dir, &file.path, name, &mut model.notes),
                // a variant file's service takes its base file's build, unless it runs a
                // prebuilt image of its own
                None if service.get("image").is_some() => None,
                None => base
                    .iter()
                    .find(|(n, _)| n == name)
                    .and_then(|(_, b)| b.get("build"))
                    .and_then(|b| resolve(b, &dir, &file.path, name, &mut model.notes)),
            };
            // a variant's service is the base's with the variant's settings added: the base's
            // mounts and watch still hold (mitxonline's keycloak override adds only
            // `extra_hosts` to the `web` the base file mounts the sources into, held out in
            // round 64)
            let inherited = service.get("build").is_none().then(|| base.iter().find(|(n, _)| n == name)).flatten();
            let Some(build) = build else { continue };
            let mut path = BuildPath {
                dockerfile: build.dockerfile,
                context: build.context.clone(),
                target: build.target,
                role: Role::Ships,
                evidence: Evidence {
                    source: super::Source::Compose,
                    file: file.path.clone(),
                    line: service.line,
                    says: String::new(),
                },
                name: Some(name.clone()),
                target_line: build.target_line,
                mounts: Vec::new(),
                images: service.str_at("image").map(|i| vec![i.to_owned()]).unwrap_or_default(),
                contexts: build.contexts.clone(),
                target_written: build.target_written.clone(),
                checks: false,
            };
            let (mut whole, mut parts) = mounts(service, &dir, &build.context);
            if let Some((_, base_service)) = inherited {
                let (w, p) = mounts(base_service, &dir, &build.context);
                whole = whole.or(w);
                parts.extend(p);
            }
            let watches = |s: &Node| s.get("develop").and_then(|d| d.get("watch")).is_some();
            // a service that builds a Dockerfile in a test folder (patator's `build:
            // testing/unix`, the servers its test script attacks): a test's image
            let test_folder = path.dockerfile.split('/').rev().skip(1).find(|f| super::is_test_folder(f));
            if tests {
                path.role = Role::CiOnly;
                path.evidence.says = format!("service `{name}` of a compose file for tests builds it");
            } else if let Some(f) = test_folder {
                path.role = Role::CiOnly;
                path.evidence.says = format!("service `{name}` builds it from a test folder (`{f}/`): a test's image");
            } else if watches(service) || inherited.is_some_and(|(_, b)| watches(b)) {
                path.role = Role::Development;
                path.evidence.says = format!("service `{name}` syncs its sources into the container (develop.watch)");
            } else if dev {
                path.role = Role::Development;
                let of = if dev_container {
                    "the compose file a dev container runs on"
                } else {
                    "a compose file for development"
                };
                path.evidence.says = format!("service `{name}` of {of} builds it");
            } else if let Some(host) = whole {
                path.role = Role::Development;
                path.evidence.says = format!("service `{name}` mounts its sources (`{host}`)");
            } else {
                path.mounts = parts;
                path.evidence.says = match service.str_at("image") {
                    Some(image) => format!("service `{name}` builds it and tags it `{image}`"),
                    None => format!("service `{name}` builds and runs it"),
                };
            }
            model.paths.push(path);
        }
    }
    published(model, first, &runs);
}

/// A build for tests whose image a compose file for running the stack pulls by name
/// (IntelOwl's `docker/ci.override.yml` builds `intelowlproject/intelowl:ci`;
/// `docker/default.yml` runs `intelowlproject/intelowl:${VERSION}`): CI tests the image the
/// project publishes, so the Dockerfile ships. Not when a path read before (a workflow's push)
/// already ships an image of that name, built by its own Dockerfile; nor for a development
/// build, which tags its environment with the product's name (photoprism's root Dockerfile,
/// `photoprism/photoprism:develop`, while its release images come from other Dockerfiles).
fn published(model: &mut Model, from: usize, runs: &[(String, usize, String, String)]) {
    let repository = |image: &str| {
        let no_digest = image.split('@').next().unwrap_or(image);
        match no_digest.rsplit_once(':') {
            Some((r, tag)) if !tag.contains('/') => r.to_ascii_lowercase(),
            _ => no_digest.to_ascii_lowercase(),
        }
    };
    let shipped: Vec<String> = model
        .paths
        .iter()
        .filter(|p| p.role == Role::Ships)
        .flat_map(|p| p.images.iter().map(|i| repository(i)))
        .collect();
    let mut found = Vec::new();
    for path in model.paths[from..].iter().filter(|p| p.role == Role::CiOnly) {
        for image in &path.images {
            let repo = repository(image);
            // (a name with a namespace: a local `db:custom` run elsewhere as Docker Hub's
            // `db:14` is not the project's image)
            if repo.contains('$') || !repo.contains('/') || shipped.contains(&repo) {
                continue;
            }
            if let Some((file, line, service, ran)) = runs.iter().find(|r| repository(&r.3) == repo) {
                let mut ships = path.clone();
                ships.role = Role::Ships;
                ships.mounts.clear();
                ships.evidence = Evidence {
                    source: super::Source::Compose,
                    file: file.clone(),
                    line: *line,
                    says: format!(
                        "service `{service}` runs `{ran}`, the image `{}` builds as `{image}`: a published image",
                        path.evidence.file
                    ),
                };
                found.push(ships);
            }
        }
    }
    model.paths.extend(found);
}

/// A service's build, as `docker compose build` makes it: the service, its Dockerfile,
/// context and target, and the `image:` it tags.
pub struct ServiceBuild {
    pub service: String,
    pub dockerfile: String,
    pub context: String,
    pub target: Option<String>,
    pub image: Option<String>,
}

/// The builds of the compose file at `path` (a repository path), a variant's services taking
/// their base file's `build`, as [`read`] resolves them.
pub fn service_builds(sources: &Sources, path: &str) -> Vec<ServiceBuild> {
    let Some(doc) = sources.file(path).and_then(|f| tree::yaml(&f.text).ok()) else { return Vec::new() };
    let dir = folder(path);
    let base = base_services(sources, path, &dir);
    let mut notes = Vec::new();
    let mut out = Vec::new();
    for (name, service) in doc.get("services").map(Node::entries).unwrap_or_default() {
        let build = match service.get("build") {
            Some(b) => resolve(b, &dir, path, name, &mut notes),
            None if service.get("image").is_some() => None,
            None => base
                .iter()
                .find(|(n, _)| n == name)
                .and_then(|(_, b)| b.get("build"))
                .and_then(|b| resolve(b, &dir, path, name, &mut notes)),
        };
        if let Some(b) = build {
            out.push(ServiceBuild {
                service: name.clone(),
                dockerfile: b.dockerfile,
                context: b.context,
                target: b.target,
                image: service.str_at("image").map(str::to_owned),
            });
        }
    }
    out
}

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// `docker-compose.dev.yml`, `compose-development.yaml`, `docker-compose.local.yml`,
/// huginn's `develop.yml`: the stack a developer runs on their machine.
fn names_development(name: &str) -> bool {
    name.to_ascii_lowercase()
        .split(['.', '-', '_'])
        .any(|w| matches!(w, "dev" | "devel" | "develop" | "development" | "local"))
}

/// A compose file named for tests or CI: a word of its name (between `.`, `-`, `_`) is
/// `test`, `tests`, `ci` or `e2e`.
fn names_tests(name: &str) -> bool {
    name.to_ascii_lowercase().split(['.', '-', '_']).any(|w| matches!(w, "test" | "tests" | "ci" | "e2e"))
}

/// The services of the base compose file in `dir` that build, when `path` is a variant
/// beside it.
fn base_services(sources: &Sources, path: &str, dir: &str) -> Vec<(String, Node)> {
    if BASE_NAMES.contains(&base_name(path)) {
        return Vec::new();
    }
    BASE_NAMES
        .iter()
        .map(|n| if dir == "." { (*n).to_owned() } else { format!("{dir}/{n}") })
        .find_map(|p| sources.file(&p))
        .and_then(|f| tree::yaml(&f.text).ok())
        .and_then(|doc| doc.get("services").cloned())
        .map(|s| s.entries().iter().filter(|(_, svc)| svc.get("build").is_some()).cloned().collect())
        .unwrap_or_default()
}

/// A service's `build` (`build: ./app`, or `{context, dockerfile, target}`) against the
/// compose file's folder. A remote context or an inline Dockerfile is not a file here.
fn resolve(build: &Node, dir: &str, file: &str, service: &str, notes: &mut Vec<Note>) -> Option<Build> {
    let (context, dockerfile, target) = match &build.value {
        Value::Scalar(context) => (defaults(context), "Dockerfile".to_owned(), None),
        Value::Map(_) => {
            if build.get("dockerfile_inline").is_some() {
                return None;
            }
            (
                defaults(build.str_at("context").unwrap_or(".")),
                defaults(build.str_at("dockerfile").unwrap_or("Dockerfile")),
                build.get("target"),
            )
        }
        _ => return None,
    };
    let (context, dockerfile) = (context.as_str(), dockerfile.as_str());
    if context.contains("://") || context.starts_with("git@") {
        return None;
    }
    let unresolved = |what: &str| Note {
        file: file.to_owned(),
        line: build.line,
        message: format!("service `{service}`: its build {what} holds a variable; it is not followed"),
    };
    let Some(context) = join(dir, &expand_pwd(context)) else {
        if context.contains('$') {
            notes.push(unresolved("context"));
        }
        return None;
    };
    let Some(dockerfile) = join(&context, dockerfile) else {
        if dockerfile.contains('$') {
            notes.push(unresolved("dockerfile"));
        }
        return None;
    };
    let target_line = target.map(|t| t.line);
    // (a variable may pick another stage than its default)
    let target_written = target.and_then(Node::as_str).filter(|t| t.contains('$')).map(str::to_owned);
    let target = target.and_then(Node::as_str).map(defaults);
    // `additional_contexts: {name: path}` or `[name=path]`
    let contexts = match build.get("additional_contexts") {
        Some(n) if !n.entries().is_empty() => n.entries().iter().map(|(k, _)| k.clone()).collect(),
        Some(n) => n.strings().iter().filter_map(|e| e.split_once('=').map(|(k, _)| k.to_owned())).collect(),
        None => Vec::new(),
    };
    Some(Build { context, dockerfile, target, target_line, contexts, target_written })
}

/// A value with each `${NAME:-default}` and `${NAME-default}` read as its default, as
/// compose interpolates it when the variable is not set (`target: ${IMAGE_TARGET:-dev}`);
/// other variables stay as written.
fn defaults(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let inner = &rest[at + 2..];
        let Some(end) = inner.find('}') else {
            out.push_str(&rest[at..]);
            return out;
        };
        let body = &inner[..end];
        let name_end = body.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(body.len());
        match body[name_end..].strip_prefix(":-").or_else(|| body[name_end..].strip_prefix('-')) {
            Some(default) if name_end > 0 && !default.contains('$') => out.push_str(default),
            _ => out.push_str(&rest[at..at + 2 + end + 1]),
        }
        rest = &inner[end + 1..];
    }
    out.push_str(rest);
    out
}

/// `${PWD}` and `$PWD` are the compose file's folder in the files people write.
fn expand_pwd(p: &str) -> String {
    for v in ["${PWD}", "$PWD"] {
        if let Some(rest) = p.strip_prefix(v) {
            return format!(".{rest}");
        }
    }
    p.to_owned()
}

/// The service's bind mounts: the first that holds the whole context (as written), and the
/// container paths of those that mount a part of it.
fn mounts(service: &Node, dir: &str, context: &str) -> (Option<String>, Vec<String>) {
    let mut whole = None;
    let mut parts = Vec::new();
    for (host, inside, written) in bind_sources(service) {
        let Some(host) = join(dir, &expand_pwd(&host)) else { continue };
        let holds = host == "." || context == host || context.starts_with(&format!("{host}/"));
        if holds {
            whole.get_or_insert(written);
        } else if context == "." || host.starts_with(&format!("{context}/")) {
            parts.push(inside);
        }
    }
    (whole, parts)
}

/// The host paths a service bind-mounts, where they go, and the entry as written:
/// `./src:/app[:ro]`, or `{type: bind, source: …, target: …}`. Named volumes
/// (`data:/var/lib/x`) and anonymous ones (`/app/node_modules`) are not paths on the host.
fn bind_sources(service: &Node) -> Vec<(String, String, String)> {
    service
        .get("volumes")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|v| match &v.value {
            Value::Scalar(short) => {
                let (host, rest) = short.split_once(':')?;
                let inside = rest.split(':').next().unwrap_or(rest);
                (host.starts_with(['.', '/']) || host.starts_with("$PWD") || host.starts_with("${PWD}"))
                    .then(|| (host.to_owned(), inside.to_owned(), short.clone()))
            }
            Value::Map(_) => (v.str_at("type") == Some("bind"))
                .then(|| {
                    let (s, t) = (v.str_at("source")?, v.str_at("target")?);
                    Some((s.to_owned(), t.to_owned(), format!("{s}:{t}")))
                })
                .flatten(),
            _ => None,
        })
        .collect()
}

/// Whether a service that mounts `mounts` (container paths) runs the host's sources over
/// an image whose working directory is `workdir`: a mount lands in that directory and not in
/// one of the image's `volumes` (a VOLUME is where the image keeps data).
pub fn runs_sources(mounts: &[String], workdir: &str, volumes: &[String]) -> bool {
    let under = |c: &str, dir: &str| {
        let (c, dir) = (c.trim_end_matches('/'), dir.trim_end_matches('/'));
        !dir.is_empty() && (c == dir || c.strip_prefix(dir).is_some_and(|r| r.starts_with('/')))
    };
    mounts.iter().any(|c| under(c, workdir) && !volumes.iter().any(|v| under(c, v)))
}

#[cfg(test)]
mod tests {
    use super::super::Source;
    use super::*;

    fn model(files: &[(&str, &str)]) -> Model {
        Model::read_by(read, files)
    }

    /// mitxonline (held out in round 64): a variant that only adds `extra_hosts` to a service
    /// the base file mounts the sources into is the same development service
    #[test]
    fn a_variant_keeps_the_base_services_mounts() {
        let base = "services:\n  web:\n    build:\n      context: .\n      target: development\n    volumes:\n      - .:/src\n";
        let variant = "services:\n  web:\n    extra_hosts:\n    - \"kc.odl.local:host-gateway\"\n";
        let m = model(&[("docker-compose.yml", base), ("docker-compose-keycloak-override.yml", variant)]);
        assert!(m.paths.iter().all(|p| p.role == Role::Development), "{:?}", m.paths);
        assert_eq!(m.paths.len(), 2);
        // a variant's own image name still ships what the base develops
        let prod = "services:\n  web:\n    image: org/web:1\n    build:\n      context: .\n      target: production\n";
        let m = model(&[("docker-compose.yml", base), ("docker-compose.prod.yml", prod)]);
        assert!(m.paths.iter().any(|p| p.role == Role::Ships && p.target.as_deref() == Some("production")));
    }

    #[test]
    fn services_above_the_dockerfile_resolve_their_context() {
        let text = "services:\n  web:\n    build:\n      context: app\n      target: builder\n  db:\n    image: postgres\n  worker:\n    build: ./app\n    image: ghcr.io/o/worker\n  other:\n    build: {context: ., dockerfile: app/Dockerfile.dev, target: dev}\n";
        let m = model(&[("compose.yaml", text)]);
        let got: Vec<(&str, Option<&str>, Role, usize)> =
            m.paths.iter().map(|p| (p.dockerfile.as_str(), p.target.as_deref(), p.role, p.evidence.line)).collect();
        assert_eq!(
            got,
            [
                ("app/Dockerfile", Some("builder"), Role::Ships, 2),
                ("app/Dockerfile", None, Role::Ships, 8),
                ("app/Dockerfile.dev", Some("dev"), Role::Ships, 11),
            ]
        );
        assert_eq!(m.paths[0].target_line, Some(5));
        assert_eq!(m.paths[0].evidence.source, Source::Compose);
        assert!(m.paths[1].evidence.says.contains("ghcr.io/o/worker"), "{:?}", m.paths[1].evidence);
        // a compose file below the root: paths resolve against its folder
        let m = model(&[("deploy/docker-compose.yml", "services:\n  api:\n    build: ../api\n")]);
        assert_eq!(m.paths[0].dockerfile, "api/Dockerfile");
    }

    /// Round 47 (grafana/oncall): `target: ${ONCALL_IMAGE_TARGET:-dev}` builds `dev` unless
    /// the variable is set; a variable with no default stays unresolved
    #[test]
    fn a_variables_default_is_what_compose_builds() {
        let text = "services:\n  engine:\n    build:\n      context: ${ENGINE_DIR:-engine}\n      target: ${ONCALL_IMAGE_TARGET:-dev}\n  other:\n    build: {context: ., target: \"${T}\"}\n";
        let m = model(&[("compose.yaml", text)]);
        let got: Vec<(&str, Option<&str>)> =
            m.paths.iter().map(|p| (p.dockerfile.as_str(), p.target.as_deref())).collect();
        assert!(got.contains(&("engine/Dockerfile", Some("dev"))), "{got:?}");
        assert!(got.contains(&("Dockerfile", Some("${T}"))), "{got:?}");
        // the written target is kept beside its default: the variable may pick another stage
        let engine = m.paths.iter().find(|p| p.dockerfile == "engine/Dockerfile").unwrap();
        assert_eq!(engine.target_written.as_deref(), Some("${ONCALL_IMAGE_TARGET:-dev}"));
        let answer = super::super::Model::new(m.paths.clone(), Vec::new()).answer("engine/Dockerfile", None);
        assert!(answer.built_names(None).contains(&"${ONCALL_IMAGE_TARGET:-dev}".to_owned()), "{:?}", answer.built);
        assert_eq!(super::defaults("a-${X-b}-${Y:-c}-${Z}"), "a-b-c-${Z}");
    }

    #[test]
    fn mounting_the_sources_or_watching_them_is_development() {
        // the sources mounted over the image's copy
        let angular = "services:\n  web:\n    build: {context: angular, target: builder}\n    volumes:\n      - ./angular:/project\n      - /project/node_modules\n";
        let m = model(&[("compose.yaml", angular)]);
        assert_eq!(m.paths[0].role, Role::Development);
        assert!(m.paths[0].evidence.says.contains("./angular:/project"));
        let long = "services:\n  web:\n    build: .\n    volumes:\n      - {type: bind, source: ., target: /app}\n";
        assert_eq!(model(&[("compose.yaml", long)]).paths[0].role, Role::Development);
        let pwd = "services:\n  web:\n    build: .\n    volumes: ['${PWD}:/app']\n";
        assert_eq!(model(&[("compose.yaml", pwd)]).paths[0].role, Role::Development);
        let watch = "services:\n  web:\n    build: .\n    develop:\n      watch:\n        - {action: sync, path: ./src, target: /app/src}\n";
        assert_eq!(model(&[("compose.yaml", watch)]).paths[0].role, Role::Development);
        // data folders and named volumes are not sources
        let data = "services:\n  db:\n    build: .\n    volumes:\n      - data:/var/lib/x\n      - ../logs:/logs\n      - ./data:/var/lib/motion\n";
        let m = model(&[("compose.yaml", data)]);
        assert_eq!(m.paths[0].role, Role::Ships);
        assert_eq!(m.paths[0].mounts, ["/var/lib/motion"]);
        assert!(runs_sources(&m.paths[0].mounts, "/var/lib/motion", &[]));
        assert!(!runs_sources(&m.paths[0].mounts, "/var/lib/motion", &["/var/lib/motion".into()]));
        assert!(!runs_sources(&m.paths[0].mounts, "/app", &[]));
    }

    /// Round 30 (openstreetmap-website, held out): the compose file a dev container runs on
    /// builds development images, the dev container's own service and those beside it
    #[test]
    fn the_compose_file_of_a_dev_container_is_development() {
        let json = "{\"dockerComposeFile\": \"compose.yaml\", \"service\": \"rails-app\"}";
        let compose = "services:\n  rails-app:\n    build:\n      context: ..\n      dockerfile: .devcontainer/Dockerfile\n    command: sleep infinity\n  postgres:\n    build:\n      context: .\n      dockerfile: Dockerfile.postgres\n";
        for (json_at, compose_at) in [
            (".devcontainer/devcontainer.json", ".devcontainer/compose.yaml"),
            // named from elsewhere: `../dev/compose.yaml`
            (".devcontainer/devcontainer.json", "dev/compose.yaml"),
        ] {
            let named = json.replace(
                "compose.yaml",
                if compose_at.starts_with("dev/") { "../dev/compose.yaml" } else { "compose.yaml" },
            );
            let m = model(&[(json_at, &named), (compose_at, compose)]);
            assert_eq!(m.paths.len(), 2, "{compose_at}");
            assert!(m.paths.iter().all(|p| p.role == Role::Development), "{compose_at}: {:?}", m.paths);
            assert!(m.paths[0].evidence.says.contains("of the compose file a dev container runs on"));
        }
        // the same compose file no dev container names, elsewhere: it ships
        let m = model(&[("deploy/compose.yaml", compose)]);
        assert!(m.paths.iter().all(|p| p.role == Role::Ships));
    }

    #[test]
    fn test_compose_files_and_variants() {
        let base = "services:\n  vote:\n    build: ./vote\n";
        let dev = "services:\n  vote:\n    volumes: ['./vote:/usr/local/app']\n";
        let test = "services:\n  sut:\n    build: ./tests\n";
        // a variant that runs the prebuilt image builds nothing
        let prebuilt = "services:\n  vote:\n    image: o/vote\n";
        let m = model(&[
            ("docker-compose.yml", base),
            ("docker-compose.images.yml", prebuilt),
            ("docker-compose.override.yml", dev),
            ("result/docker-compose.test.yml", test),
        ]);
        let roles: Vec<(&str, Role)> = m.paths.iter().map(|p| (p.dockerfile.as_str(), p.role)).collect();
        assert_eq!(
            roles,
            [
                ("vote/Dockerfile", Role::Ships),
                ("vote/Dockerfile", Role::Development),
                ("result/tests/Dockerfile", Role::CiOnly)
            ]
        );
        // patator's: the stack's own compose file builds the servers its test script attacks
        // from a test folder; the app beside them still ships
        let m = model(&[(
            "docker-compose.yml",
            "services:\n  unix:\n    build: testing/unix\n    image: patator-unix-testing\n  app:\n    build: .\n",
        )]);
        let roles: Vec<(&str, Role)> = m.paths.iter().map(|p| (p.dockerfile.as_str(), p.role)).collect();
        assert_eq!(roles, [("testing/unix/Dockerfile", Role::CiOnly), ("Dockerfile", Role::Ships)]);
        assert!(m.paths[0].evidence.says.contains("from a test folder (`testing/`)"), "{:?}", m.paths[0].evidence);
        assert!(is_compose_name("docker-compose.prod.yml") && is_compose_name("compose.yaml"));
        assert!(!is_compose_name("composer.json") && !is_compose_name("docker-compose.md"));
    }

    /// cookiecutter-django's compose files, named by the project and run with `docker compose
    /// -f` (ParisTxGroup/ICDOT, held out in round 80): `production.yml` ships its Django image,
    /// `local.yml` is the developer's stack; a GitLab pipeline's top-level `services:` list and
    /// a YAML file without services are not compose files
    #[test]
    fn compose_files_are_known_by_their_text() {
        let production = "services:\n  django:\n    build:\n      context: .\n      dockerfile: ./compose/production/django/Dockerfile\n    image: icdot_production_django\n";
        let local =
            "services:\n  django:\n    build:\n      context: .\n      dockerfile: ./compose/local/django/Dockerfile\n";
        let m = model(&[("production.yml", production), ("local.yml", local), ("dev/compose/standalone.yaml", local)]);
        let roles: Vec<(&str, &str, Role)> =
            m.paths.iter().map(|p| (p.evidence.file.as_str(), p.dockerfile.as_str(), p.role)).collect();
        assert_eq!(
            roles,
            [
                ("production.yml", "compose/production/django/Dockerfile", Role::Ships),
                ("local.yml", "compose/local/django/Dockerfile", Role::Development),
                ("dev/compose/standalone.yaml", "dev/compose/compose/local/django/Dockerfile", Role::Development),
            ]
        );
        assert!(is_compose_text(production));
        let gitlab = "services:\n  - docker:dind\nbuild:\n  script: docker build .\n";
        assert!(!is_compose_text(gitlab));
        assert!(
            !is_compose_text("build:\n  context: .\n") && is_compose_text("services:\n  db:\n    image: postgres\n")
        );
        let m = model(&[(".gitlab-ci.yml", "services:\n  - docker:dind\njob:\n  build: x\n")]);
        assert!(m.paths.is_empty(), "{:?}", m.paths);
    }

    /// IntelOwl: the image a compose file for tests builds and tags is the one the stack's own
    /// compose file pulls by name, so it is published; an image of no namespace is not taken
    /// for the project's
    #[test]
    fn an_image_the_stack_pulls_is_published() {
        let ci = "services:\n  uwsgi:\n    build:\n      context: ..\n      dockerfile: docker/Dockerfile\n    image: intelowlproject/intelowl:ci\n  db:\n    build: ../db\n    image: postgres:ci\n";
        let default = "services:\n  uwsgi:\n    image: intelowlproject/intelowl:${VERSION}\n  postgres:\n    image: postgres:16\n";
        let m = model(&[("docker/ci.override.yml", ci), ("docker/default.yml", default)]);
        let roles: Vec<(&str, Role)> = m.paths.iter().map(|p| (p.dockerfile.as_str(), p.role)).collect();
        assert_eq!(
            roles,
            [("docker/Dockerfile", Role::CiOnly), ("db/Dockerfile", Role::CiOnly), ("docker/Dockerfile", Role::Ships)]
        );
        let says = m.paths[2].evidence.to_string();
        assert!(says.contains("service `uwsgi` runs `intelowlproject/intelowl:${VERSION}`"), "{says}");
        assert_eq!(m.paths[2].evidence.file, "docker/default.yml");
        // the same stack pulled by a compose file for development is not a publication
        let m = model(&[("docker/ci.override.yml", ci), ("docker/dev.yml", default)]);
        assert!(m.paths.iter().all(|p| p.role == Role::CiOnly), "{:?}", m.paths);
        // nor is a development environment tagged with the product's name (photoprism)
        let dev = "services:\n  photoprism:\n    build: .\n    image: photoprism/photoprism:develop\n    volumes:\n      - .:/go/src/github.com/photoprism/photoprism\n";
        let stack = "services:\n  photoprism:\n    image: photoprism/photoprism:latest\n";
        let m = model(&[("compose.yaml", dev), ("setup/docker/portainer/stack.yml", stack)]);
        assert!(m.paths.iter().all(|p| p.role == Role::Development), "{:?}", m.paths);
    }

    #[test]
    fn bad_files_and_remote_contexts_are_notes_or_nothing() {
        let m = model(&[("compose.yaml", "services: [\n")]);
        assert!(m.paths.is_empty());
        assert_eq!(m.notes.len(), 1);
        assert!(m.notes[0].message.contains("not valid YAML"));
        let m = model(&[(
            "compose.yaml",
            "services:\n  a:\n    build: https://github.com/o/r.git\n  b:\n    build: {context: ., dockerfile_inline: 'FROM x'}\n  c:\n    build: ${APP_DIR}\n",
        )]);
        assert!(m.paths.is_empty());
        assert_eq!(m.notes.len(), 1, "{:?}", m.notes);
        assert!(m.notes[0].message.contains("variable"));
        assert!(model(&[("compose.yaml", "version: '3'\n")]).paths.is_empty());
    }

    /// A compose file named for development builds what a developer runs
    /// (etherpad's `docker-compose.dev.yml`, target `development`).
    #[test]
    fn a_compose_file_for_development_builds_a_development_image() {
        let text = "services:\n  app:\n    build:\n      context: .\n      target: development\n";
        for name in ["docker-compose.dev.yml", "compose.local.yaml", "docker-compose-development.yml"] {
            let m = model(&[(name, text)]);
            assert_eq!(m.paths[0].role, Role::Development, "{name}");
            assert!(m.paths[0].evidence.says.contains("a compose file for development"), "{name}");
        }
        assert_eq!(model(&[("docker-compose.prod.yml", text)]).paths[0].role, Role::Ships);
    }
}
