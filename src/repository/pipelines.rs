//! Other CI systems' pipelines as evidence. A repository may build and push its images from
//! GitLab CI, CircleCI, Google Cloud Build, Azure Pipelines, Travis CI, Drone, Woodpecker,
//! Bitbucket Pipelines or AWS CodeBuild instead of GitHub's workflows: libraries.io's image
//! is pushed by a Cloud Build kaniko step, while its compose file mounts the sources for
//! development. Their scripts are read as a GitHub workflow's run steps are
//! ([`super::workflows::read_script`]): `docker build`, `buildx`, `bake`, podman's and
//! buildah's builds, kaniko's executor, and the `make` recipes and scripts they call.
//!
//! What each system runs:
//! - shell scripts under `script`, `before_script` and `after_script` (GitLab, Travis,
//!   Bitbucket, Azure), `run` or `run: {command}` (CircleCI), `commands` (Drone, Woodpecker,
//!   CodeBuild), `bash` and `inlineScript` (Azure), and Travis's `install`,
//!   `before_install`, `after_success` and `before_deploy`. A list's items run one after
//!   another in one shell, so a `cd` in one holds for the next;
//! - Cloud Build's steps: a `docker` builder's `args` are a `docker` command, kaniko's are its
//!   executor's, and an `entrypoint: bash` step's `-c` argument is a script, each in the
//!   step's `dir`. The `images:` the file lists are pushed when the build ends.
//!
//! A job is one of GitLab's top-level jobs or an entry of `jobs:` (CircleCI); elsewhere it is
//! the whole file. What a job does with the images it builds (pushes them, only runs them)
//! decides their role, as in a GitHub job, and **only a build that ships is evidence**.
//! Repositories that test their image on Travis or CircleCI and publish it by Docker Hub's
//! automated builds leave no trace of the publishing (Docker-Nagios, docker-openvpn): their
//! test build says nothing about whether the image ships, so the default holds. Variables: `variables:`, `environment:`, `env:`
//! and Cloud Build's `substitutions:` with literal values, and the checkout's own variable
//! (`$CI_PROJECT_DIR`, `$TRAVIS_BUILD_DIR`, Cloud Build's `/workspace`) as the repository's
//! root. Jenkinsfiles (Groovy) are read only for their `sh` steps' strings and the Docker
//! Pipeline plugin's `docker.build(…)`, the whole file one job ([`jenkins`]).

use std::collections::BTreeMap;

use super::bake::Resolver;
use super::tree::{self, Node, Value};
use super::{join, Model, Note, Sources};

/// Whether a repository-relative path is a Jenkinsfile (`Jenkinsfile`, `Jenkinsfile.release`,
/// `deploy.jenkinsfile`).
pub fn is_jenkinsfile(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == "Jenkinsfile" || name.starts_with("Jenkinsfile.") || name.to_ascii_lowercase().ends_with(".jenkinsfile")
}

/// Whether a repository-relative path is another CI system's pipeline file.
pub fn is_pipeline_path(path: &str) -> bool {
    if is_jenkinsfile(path) {
        return true;
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
    let stem = name.trim_end_matches(".yml").trim_end_matches(".yaml");
    yaml && (matches!(
        path,
        ".gitlab-ci.yml"
            | ".gitlab-ci.yaml"
            | ".circleci/config.yml"
            | ".circleci/config.yaml"
            | ".travis.yml"
            | ".travis.yaml"
            | ".drone.yml"
            | ".drone.yaml"
            | ".woodpecker.yml"
            | ".woodpecker.yaml"
            | "bitbucket-pipelines.yml"
    ) || name.ends_with(".gitlab-ci.yml")
        || path.starts_with(".gitlab/ci/")
        || (path.starts_with(".woodpecker/") && !path[12..].contains('/'))
        || stem.starts_with("cloudbuild")
        || stem.starts_with("azure-pipelines")
        || stem.starts_with("buildspec"))
}

/// The variables a system sets to the folder it checked the repository out in.
const CHECKOUT_VARIABLES: &[&str] = &[
    "CI_PROJECT_DIR",
    "CIRCLE_WORKING_DIRECTORY",
    "TRAVIS_BUILD_DIR",
    "DRONE_WORKSPACE",
    "CI_WORKSPACE",
    "BITBUCKET_CLONE_DIR",
    "CODEBUILD_SRC_DIR",
];

/// Keys whose value is a shell script, or a list of commands run one after another.
const SCRIPT_KEYS: &[&str] = &[
    "script",
    "before_script",
    "after_script",
    "commands",
    "bash",
    "inlineScript",
    "install",
    "before_install",
    "after_success",
    "before_deploy",
];

/// GitLab's top-level keys that are not jobs.
const GITLAB_GLOBAL: &[&str] = &[
    "variables",
    "stages",
    "include",
    "default",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
];

/// One script to read: its line, text and folder.
struct Script {
    line: usize,
    text: String,
    dir: String,
}

/// Read every pipeline file.
pub fn read(sources: &Sources, bake: &Resolver, model: &mut Model) {
    for file in sources.files.iter().filter(|f| is_pipeline_path(&f.path)) {
        if is_jenkinsfile(&file.path) {
            let env = CHECKOUT_VARIABLES.iter().map(|v| ((*v).to_owned(), ".".to_owned())).collect();
            for scripts in jenkins(&file.text) {
                let texts: Vec<String> = scripts.iter().map(|s| s.text.clone()).collect();
                for s in &scripts {
                    super::workflows::read_script(
                        sources, bake, model, &file.path, s.line, &s.text, &s.dir, &env, &texts,
                    );
                }
            }
            continue;
        }
        let doc = match tree::yaml(&file.text) {
            Ok(d) => d,
            Err(e) => {
                model.notes.push(Note {
                    file: file.path.clone(),
                    line: e.line,
                    message: format!("not valid YAML ({}): the pipeline is not read", e.message),
                });
                continue;
            }
        };
        let mut env: BTreeMap<String, String> =
            CHECKOUT_VARIABLES.iter().map(|v| ((*v).to_owned(), ".".to_owned())).collect();
        for key in ["variables", "environment", "env", "substitutions"] {
            env_of(doc.get(key), &mut env);
        }
        let name = file.path.rsplit('/').next().unwrap_or(&file.path);
        let jobs: Vec<(BTreeMap<String, String>, Vec<Script>)> = if name.starts_with("cloudbuild") {
            vec![(env, cloud_build(&doc))]
        } else if let Some(j) = doc.get("jobs").filter(|j| !j.entries().is_empty()) {
            j.entries().iter().map(|(_, job)| job_of(job, &env)).collect()
        } else if file.path.ends_with("gitlab-ci.yml") || file.path.starts_with(".gitlab/") {
            doc.entries()
                .iter()
                .filter(|(k, _)| !GITLAB_GLOBAL.contains(&k.as_str()))
                .map(|(_, job)| job_of(job, &env))
                .chain(std::iter::once((env.clone(), global_scripts(&doc))))
                .collect()
        } else {
            let mut scripts = Vec::new();
            scripts_in(&doc, &mut scripts);
            vec![(env, scripts)]
        };
        for (env, scripts) in jobs {
            let texts: Vec<String> = scripts.iter().map(|s| s.text.clone()).collect();
            for s in &scripts {
                super::workflows::read_script(sources, bake, model, &file.path, s.line, &s.text, &s.dir, &env, &texts);
            }
        }
    }
}

/// A job's scripts, with its own variables over the file's.
fn job_of(job: &Node, file_env: &BTreeMap<String, String>) -> (BTreeMap<String, String>, Vec<Script>) {
    let mut env = file_env.clone();
    for key in ["variables", "environment", "env"] {
        env_of(job.get(key), &mut env);
    }
    let mut scripts = Vec::new();
    scripts_in(job, &mut scripts);
    (env, scripts)
}

/// GitLab's top-level `before_script` and `after_script` (its other global keys run nothing).
fn global_scripts(doc: &Node) -> Vec<Script> {
    let mut out = Vec::new();
    for key in ["before_script", "after_script"] {
        if let Some(n) = doc.get(key) {
            out.extend(script_of(n));
        }
    }
    out
}

/// Literal variables: a map of values (GitLab's `{value: …}` too), or Travis's `K=V` strings.
fn env_of(node: Option<&Node>, into: &mut BTreeMap<String, String>) {
    let Some(node) = node else { return };
    match &node.value {
        Value::Map(entries) => {
            for (k, v) in entries {
                if k == "global" || k == "matrix" {
                    continue;
                }
                if let Some(s) = v.as_str().or_else(|| v.str_at("value")) {
                    into.insert(k.clone(), s.to_owned());
                }
            }
            env_of(node.get("global"), into);
        }
        Value::Seq(items) => {
            for item in items {
                match item.as_str() {
                    Some(s) => {
                        for pair in s.split_whitespace() {
                            if let Some((k, v)) = pair.split_once('=') {
                                into.insert(k.to_owned(), v.trim_matches(['"', '\'']).to_owned());
                            }
                        }
                    }
                    None => env_of(Some(item), into),
                }
            }
        }
        _ => {}
    }
}

/// Every script under `node`, in the order written.
fn scripts_in(node: &Node, out: &mut Vec<Script>) {
    for (k, v) in node.entries() {
        if SCRIPT_KEYS.contains(&k.as_str()) {
            out.extend(script_of(v));
        } else if k == "run" {
            // CircleCI: `run: text` or `run: {command: text}`
            out.extend(script_of(v.get("command").unwrap_or(v)));
        } else {
            scripts_in(v, out);
        }
    }
    for item in node.items() {
        scripts_in(item, out);
    }
}

/// A script value: a text, or a list of commands run one after another in one shell (its
/// line is the first command that may build, for the evidence).
fn script_of(node: &Node) -> Option<Script> {
    if let Some(text) = node.as_str() {
        return Some(Script { line: node.line, text: text.to_owned(), dir: ".".into() });
    }
    let items: Vec<&Node> = node.items().iter().filter(|i| i.as_str().is_some()).collect();
    let first = items.first()?;
    let builds = |t: &str| ["build", "bake", "bud", "executor", "make", ".sh", "run"].iter().any(|w| t.contains(w));
    let line = items.iter().find(|i| i.as_str().is_some_and(builds)).unwrap_or(first).line;
    let text = items.iter().filter_map(|i| i.as_str()).collect::<Vec<_>>().join("\n");
    Some(Script { line, text, dir: ".".into() })
}

/// Cloud Build's steps as scripts, and a `docker push` of each image its `images:` lists.
fn cloud_build(doc: &Node) -> Vec<Script> {
    let mut out = Vec::new();
    for step in doc.get("steps").map(Node::items).unwrap_or_default() {
        let dir = step
            .str_at("dir")
            .and_then(|d| join(".", d.trim_start_matches("/workspace/")))
            .unwrap_or_else(|| ".".into());
        if let Some(text) = step.str_at("script") {
            out.push(Script { line: step.line, text: text.to_owned(), dir });
            continue;
        }
        let args: Vec<String> = step
            .get("args")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|a| a.as_str())
            .map(workspace)
            .collect();
        let image = step.str_at("name").unwrap_or_default();
        let builder = image.split(['@', ':']).next().unwrap_or_default().rsplit('/').next().unwrap_or_default();
        let text = match step.str_at("entrypoint") {
            Some(e) if matches!(e.rsplit('/').next(), Some("bash" | "sh")) => {
                match args.iter().position(|a| a == "-c") {
                    Some(i) => args.get(i + 1).cloned(),
                    None => None,
                }
            }
            Some(e) => Some(words_text(std::iter::once(e.to_owned()).chain(args))),
            None if builder == "docker" => Some(words_text(std::iter::once("docker".to_owned()).chain(args))),
            None if builder == "executor" && image.contains("kaniko") => {
                Some(words_text(std::iter::once("/kaniko/executor".to_owned()).chain(args)))
            }
            None => None,
        };
        if let Some(text) = text {
            out.push(Script { line: step.line, text, dir });
        }
    }
    if let Some(images) = doc.get("images") {
        for i in images.items() {
            if let Some(name) = i.as_str() {
                out.push(Script { line: i.line, text: format!("docker push {}", quote(name)), dir: ".".into() });
            }
        }
    }
    out
}

/// A Jenkinsfile's shell steps and Docker Pipeline builds, as scripts grouped by the
/// `stage(…)` they follow (a stage is the job: one that builds and runs an image to test it
/// says nothing of another's push): each `sh` step's
/// string (`sh 'make image'`, `sh """…"""`, `sh(script: '…')`), and each
/// `docker.build('name', '-f x .')` as `docker build -t name -f x .` (its context `.` when no
/// arguments are given), pushed when the file calls `.push(` on an image. Groovy is read
/// only so far: comments are skipped and string literals taken as written (an interpolated
/// `${…}` stays a variable the shell model cannot resolve).
fn jenkins(text: &str) -> Vec<Vec<Script>> {
    let bytes = text.as_bytes();
    let line_at = |i: usize| text[..i].matches('\n').count() + 1;
    let mut groups: Vec<Vec<Script>> = vec![Vec::new()];
    let mut built: Vec<(usize, String)> = Vec::new();
    let mut pushes = false;
    let mut i = 0;
    while i < bytes.len() && groups.iter().map(Vec::len).sum::<usize>() < 512 {
        let rest = &text[i..];
        if rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
            continue;
        }
        if rest.starts_with("/*") {
            i += rest.find("*/").map_or(rest.len(), |e| e + 2);
            continue;
        }
        if let Some((_, end)) = literal(rest) {
            i += end;
            continue;
        }
        let word_start =
            i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_' || bytes[i - 1] == b'.');
        if word_start && rest.starts_with("stage") && rest[5..].trim_start().starts_with('(') {
            if groups.last().is_some_and(|g| !g.is_empty()) {
                groups.push(Vec::new());
            }
            i += 5;
            continue;
        }
        pushes |= rest.starts_with(".push(");
        let group = groups.len() - 1;
        let out = &mut groups[group];
        if word_start
            && rest.starts_with("sh")
            && !rest[2..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
        {
            let mut j = 2;
            // (by characters: a no-break space is whitespace too, and two bytes long)
            let skip = |j: &mut usize| {
                while let Some(c) = rest[*j..].chars().next().filter(|c| c.is_whitespace()) {
                    *j += c.len_utf8();
                }
            };
            skip(&mut j);
            if rest[j..].starts_with('(') {
                j += 1;
                skip(&mut j);
                if let Some(after) = rest[j..].strip_prefix("script") {
                    let colon = after.trim_start();
                    if let Some(c) = colon.strip_prefix(':') {
                        j = rest.len() - c.len();
                        skip(&mut j);
                    }
                }
            }
            if let Some((body, end)) = literal(&rest[j..]) {
                out.push(Script { line: line_at(i), text: body, dir: ".".into() });
                i += j + end;
                continue;
            }
        }
        if word_start && rest.starts_with("docker.build") {
            let mut j = "docker.build".len();
            while let Some(c) = rest[j..].chars().next().filter(|c| c.is_whitespace()) {
                j += c.len_utf8();
            }
            if rest[j..].starts_with('(') {
                j += 1;
                let args: Vec<String> = (0..2)
                    .map_while(|_| {
                        let trimmed = rest[j..].trim_start_matches(|c: char| c.is_whitespace() || c == ',');
                        j = rest.len() - trimmed.len();
                        let (body, end) = literal(trimmed)?;
                        j += end;
                        Some(body)
                    })
                    .collect();
                if let Some(name) = args.first() {
                    let rest_args = args.get(1).cloned().unwrap_or_else(|| ".".into());
                    out.push(Script {
                        line: line_at(i),
                        text: format!("docker build -t {} {rest_args}", quote(name)),
                        dir: ".".into(),
                    });
                    built.push((group, name.clone()));
                }
                i += j;
                continue;
            }
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    if pushes {
        for (group, name) in built {
            groups[group].push(Script { line: 0, text: format!("docker push {}", quote(&name)), dir: ".".into() });
        }
    }
    groups
}

/// A Groovy string literal at the start of `s` (`'…'`, `"…"`, `'''…'''`, `"""…"""`): its
/// text, backslash escapes of the quote, `$` and backslash taken, and the byte length read.
fn literal(s: &str) -> Option<(String, usize)> {
    let quote = ["'''", "\"\"\"", "'", "\""].into_iter().find(|q| s.starts_with(q))?;
    let mut out = String::new();
    let mut k = quote.len();
    loop {
        let rest = s.get(k..)?;
        if rest.starts_with(quote) {
            return Some((out, k + quote.len()));
        }
        let c = rest.chars().next()?;
        if c == '\\' {
            match rest[1..].chars().next() {
                Some(n @ ('\'' | '"' | '$' | '\\')) => {
                    out.push(n);
                    k += 2;
                }
                Some('\n') => k += 2,
                _ => {
                    out.push(c);
                    k += 1;
                }
            }
            continue;
        }
        // a one-quote string ends at its line
        if c == '\n' && quote.len() == 1 {
            return None;
        }
        out.push(c);
        k += c.len_utf8();
    }
}

/// A path in Cloud Build's workspace (`/workspace/app`) as the repository's (`app`).
fn workspace(arg: &str) -> String {
    match arg.strip_prefix("/workspace") {
        Some("") | Some("/") => ".".into(),
        Some(rest) if rest.starts_with('/') => rest[1..].to_owned(),
        _ => arg.to_owned(),
    }
}

/// Words as one command line, each quoted as it needs.
fn words_text(words: impl Iterator<Item = String>) -> String {
    words.map(|w| quote(&w)).collect::<Vec<_>>().join(" ")
}

fn quote(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%${}".contains(c)) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::super::Role;
    use super::*;

    fn model(files: &[(&str, &str)], dockerfiles: &[&str]) -> Model {
        let sources =
            Sources { dockerfiles: dockerfiles.iter().map(|d| (*d).to_owned()).collect(), ..Sources::of_files(files) };
        Model::read(&sources)
    }

    fn roles(m: &Model) -> Vec<(&str, Option<&str>, Role)> {
        m.paths.iter().map(|p| (p.dockerfile.as_str(), p.target.as_deref(), p.role)).collect()
    }

    #[test]
    fn a_cloud_build_kaniko_step_ships_what_compose_mounts_for_development() {
        // libraries.io: kaniko pushes the root Dockerfile; compose runs the sources mounted
        let cloudbuild = r#"steps:
- name: 'gcr.io/kaniko-project/executor:v1.24.0'
  env: ['REVISION_ID=$REVISION_ID']
  args:
  - --destination=gcr.io/$PROJECT_ID/libraries.io:$REVISION_ID
  - --cache=true
  - --build-arg=REVISION_ID
- name: 'docker'
  args: ['run', '-v', '/workspace:/workspace', 'gcr.io/$PROJECT_ID/libraries.io:$REVISION_ID', 'cp', '-R', '/libraries.io/public/assets/', '/workspace/']
"#;
        let m = model(&[("cloudbuild.yaml", cloudbuild)], &["Dockerfile"]);
        assert_eq!(roles(&m), [("Dockerfile", None, Role::Ships)]);
        let e = &m.paths[0].evidence;
        assert_eq!((e.file.as_str(), e.line), ("cloudbuild.yaml", 2), "{e}");
        assert!(e.says.contains("pushes it"), "{e}");
    }

    #[test]
    fn cloud_build_docker_steps_and_their_images() {
        // a docker builder's build in a folder, pushed by `images:`; a bash step's script
        let cloudbuild = r#"steps:
- name: gcr.io/cloud-builders/docker
  dir: /workspace/api
  args: ['build', '-t', 'gcr.io/$PROJECT_ID/api', '-f', 'docker/Dockerfile', '.']
- name: gcr.io/cloud-builders/docker
  entrypoint: bash
  args: ['-c', 'docker build --target prod -t gcr.io/p/web web && docker push gcr.io/p/web']
- name: gcr.io/cloud-builders/gsutil
  args: ['cp', 'build', 'gs://x']
images: ['gcr.io/$PROJECT_ID/api']
"#;
        let m = model(&[("deploy/cloudbuild.yaml", cloudbuild)], &["api/docker/Dockerfile", "web/Dockerfile"]);
        assert_eq!(
            roles(&m),
            [("api/docker/Dockerfile", None, Role::Ships), ("web/Dockerfile", Some("prod"), Role::Ships)]
        );
        assert_eq!(m.paths[0].context, "api");
    }

    #[test]
    fn gitlab_jobs_push_with_kaniko_or_only_test_an_image() {
        let ci = r#"variables:
  DOCKER_DIR: docker
stages: [test, release]
test-image:
  stage: test
  script:
    - docker build -t app-test -f $DOCKER_DIR/test.Dockerfile .
    - docker run --rm app-test pytest
release:
  stage: release
  image: gcr.io/kaniko-project/executor:debug
  script:
    - cd backend
    - /kaniko/executor --context=dir://. --dockerfile Dockerfile --target runtime --destination "$CI_REGISTRY_IMAGE:$CI_COMMIT_TAG"
check:
  script: /kaniko/executor --context "${CI_PROJECT_DIR}" --no-push --destination x
"#;
        let m = model(&[(".gitlab-ci.yml", ci)], &["docker/test.Dockerfile", "backend/Dockerfile", "Dockerfile"]);
        // only the push is evidence: a build that is only run or not kept says nothing of
        // where the image is published, so those Dockerfiles keep the default
        assert_eq!(roles(&m), [("backend/Dockerfile", Some("runtime"), Role::Ships)]);
        // the evidence is the line of the command list that builds
        assert_eq!(m.paths[0].evidence.line, 14);
        let a = m.answer("Dockerfile", None);
        assert!(a.evidence.iter().all(|e| e.source == super::super::Source::Dockerfile), "{a:?}");
    }

    #[test]
    fn circleci_travis_and_drone_scripts_are_read() {
        let circle = r#"version: 2.1
jobs:
  publish:
    working_directory: ~/app
    environment:
      IMAGE: org/app
    steps:
      - checkout
      - run:
          name: Build
          command: |
            docker build -t $IMAGE -f deploy/Dockerfile .
            docker push $IMAGE
"#;
        let travis = r#"language: minimal
env:
  global:
    - DOCKERFILE=travis.Dockerfile
after_success:
  - docker build -t org/t -f $DOCKERFILE . && docker push org/t
"#;
        let drone = r#"kind: pipeline
steps:
  - name: build
    image: docker
    commands:
      - docker buildx build --push -t org/d -f drone.Dockerfile .
"#;
        let m = model(
            &[(".circleci/config.yml", circle), (".travis.yml", travis), (".drone.yml", drone)],
            &["deploy/Dockerfile", "travis.Dockerfile", "drone.Dockerfile"],
        );
        let mut r = roles(&m);
        r.sort();
        assert_eq!(
            r,
            [
                ("deploy/Dockerfile", None, Role::Ships),
                ("drone.Dockerfile", None, Role::Ships),
                ("travis.Dockerfile", None, Role::Ships)
            ]
        );
    }

    #[test]
    fn jenkinsfile_shell_steps_and_docker_builds_are_read() {
        // drawio's shape: a shell step builds and only runs the image (no evidence); a
        // multi-line step pushes; the Docker Pipeline plugin's build, pushed
        let jenkins = r#"pipeline {
    agent any
    stages {
        stage('Test') {
            steps {
                // sh "docker build -t commented ."
                sh "docker build -f test.Dockerfile -t ${REPO}:${GIT_COMMIT} ."
                sh "docker run -d ${REPO}:${GIT_COMMIT}"
            }
        }
        stage('Publish') {
            steps {
                sh '''#!/bin/bash
                    docker buildx build --push -t org/app:latest -f deploy/Dockerfile .
                '''
                script {
                    def img = docker.build("org/worker:${env.TAG}", "-f worker/Dockerfile worker")
                    docker.withRegistry('https://registry.example.com', 'creds') { img.push() }
                    def out = sh(script: 'echo "a \' b"', returnStdout: true)
                }
            }
        }
    }
}
"#;
        let m = model(
            &[("Jenkinsfile", jenkins)],
            &["test.Dockerfile", "deploy/Dockerfile", "worker/Dockerfile", "Dockerfile"],
        );
        let mut r = roles(&m);
        r.sort();
        assert_eq!(r, [("deploy/Dockerfile", None, Role::Ships), ("worker/Dockerfile", None, Role::Ships)]);
        assert_eq!(m.paths.iter().find(|p| p.dockerfile == "deploy/Dockerfile").map(|p| p.evidence.line), Some(13));
        assert!(is_jenkinsfile("ci/Jenkinsfile.release") && is_jenkinsfile("deploy.jenkinsfile"));
        // a no-break space (two bytes) before the string, and non-ASCII text, read without a panic
        let nbsp = "stage('b') {\n  sh\u{a0}'docker buildx build --push -t o/a -f deploy/Dockerfile .' // «é»\n  docker.build\u{a0}('o/w', '-f worker/Dockerfile worker')\n}\n";
        let m = model(&[("Jenkinsfile", nbsp)], &["deploy/Dockerfile", "worker/Dockerfile"]);
        assert_eq!(roles(&m), [("deploy/Dockerfile", None, Role::Ships), ("worker/Dockerfile", None, Role::Ships)]);
        assert!(!is_jenkinsfile("docs/jenkinsfile.md"));
    }

    #[test]
    fn pipeline_files_are_known_by_their_paths() {
        for p in [
            ".gitlab-ci.yml",
            "ci/build.gitlab-ci.yml",
            ".gitlab/ci/docker.yml",
            ".circleci/config.yml",
            "cloudbuild.yaml",
            "deploy/cloudbuild_tag.yaml",
            "azure-pipelines.yml",
            ".travis.yml",
            ".drone.yml",
            ".woodpecker/build.yaml",
            "bitbucket-pipelines.yml",
            "buildspec.yml",
        ] {
            assert!(is_pipeline_path(p), "{p}");
        }
        for p in
            [".github/workflows/ci.yml", "docker-compose.yml", ".woodpecker/a/b.yml", "cloudbuild.json", "travis.yml"]
        {
            assert!(!is_pipeline_path(p), "{p}");
        }
    }

    #[test]
    fn a_broken_pipeline_is_a_note() {
        let m = model(&[(".gitlab-ci.yml", "job:\n  script: [\n")], &["Dockerfile"]);
        assert!(m.paths.is_empty());
        assert!(
            m.notes.iter().any(|n| n.file == ".gitlab-ci.yml" && n.message.contains("not valid YAML")),
            "{:?}",
            m.notes
        );
    }
}
