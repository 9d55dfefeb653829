//! Builder images: images the repository makes only for its other Dockerfiles to build in.
//!
//! zabbix-docker's `build-base`, `build-mysql` and `build-pgsql` images hold compilers and
//! `-dev` headers on purpose: every component Dockerfile starts `FROM zabbix-build-mysql:… AS
//! builder` and copies its binaries out into a slim final stage. Such an image's toolchain is
//! its product, as a compiler image's is, yet nothing in its own Dockerfile says so; only the
//! repository's other Dockerfiles do.
//!
//! The model: every FROM of every Dockerfile of the repository ([`BaseUse`], with ARG
//! defaults applied), and every `COPY --from` or `RUN --mount from=` of an image, is matched
//! to the Dockerfile that makes the image it names. A Dockerfile is a **builder** when some
//! other Dockerfile uses its image and every such use is a build stage (a stage whose
//! filesystem does not ship), a copy of some of its files, or the shipped stage of another
//! builder (`build-mysql` is built FROM `build-base`, and is itself a builder), or the last
//! stage of a Dockerfile every path of which is a development environment or a CI run (an
//! environment to build and test in). One shipped use anywhere (a base image other images
//! run on) and it is an image that ships.
//!
//! Which Dockerfile makes an image: a build path that names it (a workflow's `tags`, a bake
//! target's, a compose service's `image`); else the image's own name, when it ends with a
//! folder of the Dockerfile's path (`zabbix-build-mysql` → `…/build-mysql/…`), narrowed by
//! the tag's words when some of those Dockerfiles are in a folder the tag names
//! (`alpine-7.0.5` → `build-mysql/alpine/Dockerfile`), the folder naming most of them first
//! (`develop:jammy-slim` → `develop/jammy-slim/`, not `develop/jammy/`). An official image's name
//! (`python`) matches no folder: `FROM python:3.12 AS build` is Docker Hub's image.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{BuildPath, Evidence, Role, Source};
use crate::dockerfile::ImageRef;

/// One stage of one of the repository's Dockerfiles, and the image its FROM names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseUse {
    /// Repository-relative.
    pub dockerfile: String,
    /// The FROM's line.
    pub line: usize,
    /// The stage's name, when it has one.
    pub stage: Option<String>,
    /// The image, ARG defaults applied (`zabbix-build-mysql:alpine-7.0.5`).
    pub image: String,
    /// Whether the stage's filesystem ships when the Dockerfile's last stage is built.
    pub ships: bool,
}

/// What one of the repository's Dockerfiles makes: the image its last stage is built on and
/// the command it runs, when it sets one. An image built FROM it runs that command unless it
/// sets its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Made {
    pub dockerfile: String,
    /// The image the last stage's lineage starts from, ARG defaults applied.
    pub base: Option<String>,
    /// The command's line and words.
    pub command: Option<(usize, Vec<String>)>,
    /// The last USER of the last stage's lineage: its line and the user (`openwisp:root`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<(usize, String)>,
    /// The ENV the last stage's lineage sets, in order: (name, value as written).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<(String, String)>,
}

/// The command an image built on `image` inherits from the repository's own Dockerfiles:
/// the Dockerfile that sets it, the line and the words. Followed through at most 8 images.
pub fn inherited<'a>(
    image: &str,
    made: &'a [Made],
    paths: &[BuildPath],
    dockerfiles: &[String],
) -> Option<(&'a str, usize, &'a [String])> {
    let mut image = image.to_owned();
    for _ in 0..8 {
        let makers = makers(&image, paths, dockerfiles);
        // one Dockerfile makes it, or all that do agree on what it inherits
        let found: Vec<&Made> = made.iter().filter(|m| makers.contains(&m.dockerfile.as_str())).collect();
        let first = found.first()?;
        if found.iter().any(|m| m.command != first.command || m.base != first.base) {
            return None;
        }
        if let Some((line, words)) = &first.command {
            return Some((first.dockerfile.as_str(), *line, words.as_slice()));
        }
        image = first.base.clone()?;
    }
    None
}

/// The user an image built on `image` runs as, when the repository's own Dockerfiles make
/// that image and set it (openwisp's services are built FROM `openwisp/openwisp-base`, whose
/// `system` stage sets `USER openwisp:root`): the Dockerfile, the line and the user.
/// Followed through at most 8 images, as the command is.
pub fn inherited_user<'a>(
    image: &str,
    made: &'a [Made],
    paths: &[BuildPath],
    dockerfiles: &[String],
) -> Option<(&'a str, usize, &'a str)> {
    let mut image = image.to_owned();
    for _ in 0..8 {
        let makers = makers(&image, paths, dockerfiles);
        // one Dockerfile makes it, or all that do agree on its user
        let found: Vec<&Made> = made.iter().filter(|m| makers.contains(&m.dockerfile.as_str())).collect();
        let first = found.first()?;
        if found
            .iter()
            .any(|m| m.user.as_ref().map(|u| &u.1) != first.user.as_ref().map(|u| &u.1) || m.base != first.base)
        {
            return None;
        }
        if let Some((line, user)) = &first.user {
            return Some((first.dockerfile.as_str(), *line, user.as_str()));
        }
        image = first.base.clone()?;
    }
    None
}

/// The ENV an image built on `image` inherits, when the repository's own Dockerfiles make
/// that image (alerta's examples are built FROM `alerta/alerta-web`, whose Dockerfile sets
/// `PIP_NO_CACHE_DIR=1`): (name, value), the nearest image's value of a name first. Followed
/// through at most 8 images, as the command is; where the Dockerfiles that make an image
/// disagree on it, no further.
pub fn inherited_env(image: &str, made: &[Made], paths: &[BuildPath], dockerfiles: &[String]) -> Vec<(String, String)> {
    let mut image = image.to_owned();
    let mut out: Vec<(String, String)> = Vec::new();
    for _ in 0..8 {
        let makers = makers(&image, paths, dockerfiles);
        let found: Vec<&Made> = made.iter().filter(|m| makers.contains(&m.dockerfile.as_str())).collect();
        let Some(first) = found.first() else { break };
        if found.iter().any(|m| m.env != first.env || m.base != first.base) {
            break;
        }
        for (k, v) in first.env.iter().rev() {
            if !out.iter().any(|(seen, _)| seen == k) {
                out.push((k.clone(), v.clone()));
            }
        }
        let Some(next) = first.base.clone() else { break };
        image = next;
    }
    out
}

/// The builder Dockerfiles of a repository, each with the evidence that says so.
pub fn find(uses: &[BaseUse], paths: &[BuildPath], dockerfiles: &[String], made: &[Made]) -> HashMap<String, Evidence> {
    // image uses by the Dockerfile that makes the image; a Dockerfile's FROM of its own image
    // (a rebuild on the last release) says nothing
    let mut users: HashMap<&str, Vec<&BaseUse>> = HashMap::new();
    for u in uses {
        for d in makers(&u.image, paths, dockerfiles) {
            if d != u.dockerfile {
                users.entry(d).or_default().push(u);
            }
        }
    }
    // a stage ships when it is in the last stage's lineage, or a path builds it by name;
    // not when every path that builds its Dockerfile is a development environment or a CI
    // run (photoprism's root Dockerfile, its compose file's development service, runs on
    // `photoprism/develop:…`): an environment to build and test in is a build use
    let environment_only = |d: &str| {
        let mut of = paths.iter().filter(|p| p.dockerfile == d).peekable();
        of.peek().is_some() && of.all(|p| matches!(p.role, Role::Development | Role::CiOnly))
    };
    let shipped = |u: &BaseUse| {
        (u.ships && !environment_only(&u.dockerfile))
            || u.stage.as_deref().is_some_and(|s| {
                paths.iter().any(|p| p.dockerfile == u.dockerfile && p.role.ships() && p.target.as_deref() == Some(s))
            })
    };
    // a Dockerfile a compose file builds as a service that ships runs as a program of its own,
    // whatever else copies from its image (plane's admin app, which its all-in-one image also
    // copies files from)
    // … and so does one whose image starts a program, not a prompt (nats's alpine image runs
    // `nats-server`; its scratch image copies the binary out of it)
    let served = |d: &str| {
        paths.iter().any(|p| p.dockerfile == d && p.evidence.source == Source::Compose && p.role == Role::Ships)
            || made.iter().any(|m| m.dockerfile == d && m.command.as_ref().is_some_and(|(_, w)| super::runs_program(w)))
    };
    // fixpoint: a shipped use counts as a build use when its Dockerfile is a builder
    let mut builders: HashSet<&str> = HashSet::new();
    loop {
        let before = builders.len();
        for (d, us) in &users {
            if !builders.contains(d)
                && !served(d)
                && us.iter().all(|u| !shipped(u) || builders.contains(u.dockerfile.as_str()))
            {
                builders.insert(d);
            }
        }
        if builders.len() == before {
            break;
        }
    }
    builders
        .into_iter()
        .map(|d| {
            let us = &users[d];
            let first = us.iter().find(|u| !shipped(u)).unwrap_or(&us[0]);
            let n = us.len();
            let evidence = Evidence {
                source: Source::Dockerfile,
                file: first.dockerfile.clone(),
                line: first.line,
                says: format!(
                    "the repository's other Dockerfiles use its image `{}` only to build in or copy files from ({n} use{}), so its toolchain is what it ships: a builder image",
                    first.image,
                    if n == 1 { "" } else { "s" },
                ),
            };
            (d.to_owned(), evidence)
        })
        .collect()
}

/// The Dockerfiles whose image another of the repository's Dockerfiles builds a shipped
/// stage FROM (wger's `extras/docker/base`, which `production/Dockerfile` ships on): base
/// images, with the evidence of the first such use.
pub fn bases_of_others(uses: &[BaseUse], paths: &[BuildPath], dockerfiles: &[String]) -> HashMap<String, Evidence> {
    let mut out = HashMap::new();
    for u in uses.iter().filter(|u| u.ships) {
        for d in makers(&u.image, paths, dockerfiles) {
            if d != u.dockerfile && !out.contains_key(d) {
                out.insert(
                    d.to_owned(),
                    Evidence {
                        source: Source::Dockerfile,
                        file: u.dockerfile.clone(),
                        line: u.line,
                        says: format!("`{}` ships built FROM its image `{}`: a base image", u.dockerfile, u.image),
                    },
                );
            }
        }
    }
    out
}

/// The base images ([`bases_of_others`]) an application ships on: another Dockerfile that is
/// no builder, built by a path that ships (or by none), runs a program of its own, not a
/// prompt or a toolchain (gramps-web-api's `Dockerfile`, `gunicorn` FROM the image
/// `Dockerfile.base` makes, held out in round 72), and ships built FROM its image. Such a
/// base is no environment to build in: its toolchain ships in the application.
pub fn apps_on(
    uses: &[BaseUse],
    paths: &[BuildPath],
    dockerfiles: &[String],
    made: &[Made],
    builders: &HashMap<String, Evidence>,
) -> HashSet<String> {
    let app = |d: &str| {
        let mut of = paths.iter().filter(|p| p.dockerfile == d).peekable();
        let shipped = of.peek().is_none() || of.any(|p| p.role.ships());
        shipped
            && !builders.contains_key(d)
            && made.iter().any(|m| {
                m.dockerfile == d
                    && m.command.as_ref().is_some_and(|(_, w)| {
                        super::runs_program(w)
                            && super::program_of(w).is_some_and(|p| {
                                !super::TOOLCHAIN_PROGRAMS.contains(&p.rsplit('/').next().unwrap_or(&p))
                            })
                    })
            })
    };
    let mut out = HashSet::new();
    for u in uses.iter().filter(|u| u.ships && app(&u.dockerfile)) {
        out.extend(makers(&u.image, paths, dockerfiles).into_iter().filter(|d| *d != u.dockerfile).map(str::to_owned));
    }
    out
}

/// The Dockerfiles that make `image`: those a build path names it for, else those its name
/// matches by folder (see the module doc).
fn makers<'a>(image: &str, paths: &'a [BuildPath], dockerfiles: &'a [String]) -> Vec<&'a str> {
    if image.contains('$') || image.is_empty() || image.eq_ignore_ascii_case("scratch") {
        return Vec::new();
    }
    let r = ImageRef::parse(image);
    let key = (r.registry.as_str(), r.repository.as_str());
    // the paths that name the image with its tag, else with any tag (a manifest names each
    // of its Dockerfiles by tag: `ros:humble-ros-core` is one of them)
    let named = |tagged: bool| -> Vec<&'a str> {
        paths
            .iter()
            .filter(|p| {
                p.images.iter().any(|i| {
                    let m = ImageRef::parse(i);
                    (m.registry.as_str(), m.repository.as_str()) == key && (!tagged || m.tag == r.tag)
                })
            })
            .map(|p| p.dockerfile.as_str())
            .collect()
    };
    // the tag's words, which may name a folder (`develop:jammy-slim`)
    let words: Vec<String> = r
        .tag
        .as_deref()
        .unwrap_or_default()
        .split(['-', '_', '.'])
        .filter(|w| w.len() >= 2 && !w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_ascii_lowercase)
        .collect();
    // a folder is named by the tag when every word of its name is one of the tag's; the
    // folder naming the most of them wins (`develop:jammy-slim` → `develop/jammy-slim/`, not
    // `develop/jammy/`)
    let named_words = |d: &str| -> usize {
        d.split('/')
            .rev()
            .skip(1)
            .map(|f| {
                let f = f.to_ascii_lowercase();
                // as the tag's: a version's numbers are no name (`alpine3.22` is `alpine3`)
                let fw: Vec<&str> = f
                    .split(['-', '_', '.'])
                    .filter(|w| w.len() >= 2 && !w.chars().all(|c| c.is_ascii_digit()))
                    .collect();
                if !fw.is_empty() && fw.iter().all(|w| words.iter().any(|t| t == w)) {
                    fw.len()
                } else {
                    0
                }
            })
            .max()
            .unwrap_or(0)
    };
    for tagged in [true, false] {
        let found = named(tagged);
        // built under another tag: not this image when the tag's words name the folder of
        // another of the repository's Dockerfiles and none of these (nats's
        // `nats:…-windowsservercore-ltsc2022` is not its alpine and scratch images, which a
        // workflow tags `nats:…-alpine3.22`)
        if !tagged
            && !found.is_empty()
            && !found.iter().any(|d| named_words(d) > 0)
            && dockerfiles.iter().any(|d| named_words(d) > 0)
        {
            return Vec::new();
        }
        // … and among them, the ones whose folder the tag's words name best
        let most = found.iter().map(|d| named_words(d)).max().unwrap_or(0);
        if !tagged && most > 0 {
            return dedup(found.into_iter().filter(|d| named_words(d) == most).collect());
        }
        if !found.is_empty() {
            return dedup(found);
        }
    }
    // an official image is Docker Hub's, and a distribution's own image its vendor's,
    // whatever folder shares its name (zabbix's `centos/` folders and `quay.io/centos/centos`)
    let short = r.short_name().to_ascii_lowercase();
    if (r.official_name().is_some() && !short.contains(['-', '_'])) || super::prompt_base(&r).is_some() {
        return Vec::new();
    }
    // the longest folder the name ends with (`zabbix-build-mysql` → `build-mysql`, not `mysql`)
    let folder_of = |d: &str| -> Option<usize> {
        d.split('/')
            .rev()
            .skip(1)
            .map(|f| f.to_ascii_lowercase())
            .filter(|f| f.len() >= 3 && ends_with_word(&short, f))
            .map(|f| f.len())
            .max()
    };
    let scored: Vec<(&str, usize)> = dockerfiles.iter().filter_map(|d| folder_of(d).map(|n| (d.as_str(), n))).collect();
    let Some(best) = scored.iter().map(|(_, n)| *n).max() else { return Vec::new() };
    let found: Vec<&str> = scored.iter().filter(|(_, n)| *n == best).map(|(d, _)| *d).collect();
    let most = found.iter().map(|d| named_words(d)).max().unwrap_or(0);
    if most == 0 {
        return found;
    }
    found.into_iter().filter(|d| named_words(d) == most).collect()
}

/// Whether `name` is `folder`, or ends with it after a `-`, `_` or `.` (`zabbix-build-mysql`
/// ends with `build-mysql`).
fn ends_with_word(name: &str, folder: &str) -> bool {
    name == folder || name.strip_suffix(folder).is_some_and(|rest| rest.ends_with(['-', '_', '.']))
}

fn dedup(mut v: Vec<&str>) -> Vec<&str> {
    v.sort();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(dockerfile: &str, line: usize, stage: Option<&str>, image: &str, ships: bool) -> BaseUse {
        BaseUse { dockerfile: dockerfile.into(), line, stage: stage.map(Into::into), image: image.into(), ships }
    }

    fn zabbix() -> (Vec<BaseUse>, Vec<String>) {
        let dockerfiles: Vec<String> = [
            "Dockerfiles/build-base/alpine/Dockerfile",
            "Dockerfiles/build-base/ubuntu/Dockerfile",
            "Dockerfiles/build-mysql/alpine/Dockerfile",
            "Dockerfiles/build-mysql/ubuntu/Dockerfile",
            "Dockerfiles/server-mysql/alpine/Dockerfile",
            "Dockerfiles/server-mysql/ubuntu/Dockerfile",
        ]
        .map(String::from)
        .to_vec();
        let uses = vec![
            base("Dockerfiles/build-base/alpine/Dockerfile", 2, None, "alpine:3.20", true),
            base("Dockerfiles/build-base/ubuntu/Dockerfile", 2, None, "ubuntu:noble", true),
            base(
                "Dockerfiles/build-mysql/alpine/Dockerfile",
                6,
                Some("builder"),
                "zabbix-build-base:alpine-7.0.5",
                true,
            ),
            base(
                "Dockerfiles/build-mysql/ubuntu/Dockerfile",
                6,
                Some("builder"),
                "zabbix-build-base:ubuntu-7.0.5",
                true,
            ),
            base(
                "Dockerfiles/server-mysql/alpine/Dockerfile",
                6,
                Some("builder"),
                "zabbix-build-mysql:alpine-7.0.5",
                false,
            ),
            base("Dockerfiles/server-mysql/alpine/Dockerfile", 8, None, "alpine:3.20", true),
            base(
                "Dockerfiles/server-mysql/ubuntu/Dockerfile",
                6,
                Some("builder"),
                "zabbix-build-mysql:ubuntu-7.0.5",
                false,
            ),
            base("Dockerfiles/server-mysql/ubuntu/Dockerfile", 8, None, "ubuntu:noble", true),
        ];
        (uses, dockerfiles)
    }

    /// nats-docker's scratch image copies `nats-server` out of its alpine image, which runs
    /// `nats-server` itself: a program's image, not a builder. One whose command is a prompt,
    /// a keep-alive or none still is one.
    #[test]
    fn an_image_that_runs_a_program_is_no_builder() {
        let dockerfiles: Vec<String> = ["alpine/Dockerfile", "scratch/Dockerfile"].map(String::from).to_vec();
        let uses = vec![base("scratch/Dockerfile", 2, Some("base"), "nats-alpine:2.10", false)];
        let made = |words: Option<&[&str]>| Made {
            dockerfile: "alpine/Dockerfile".into(),
            base: Some("alpine:3.22".into()),
            command: words.map(|w| (33, w.iter().map(|x| x.to_string()).collect())),
            user: None,
            env: Vec::new(),
        };
        let server: &[&str] = &["nats-server", "--config", "/etc/nats/nats-server.conf"];
        assert!(find(&uses, &[], &dockerfiles, &[made(Some(server))]).is_empty());
        for idle in
            [None, Some(&["bash"][..]), Some(&["tail", "-f", "/dev/null"][..]), Some(&["C:\\entrypoint.bat"][..])]
        {
            assert!(find(&uses, &[], &dockerfiles, &[made(idle)]).contains_key("alpine/Dockerfile"), "{idle:?}");
        }
    }

    #[test]
    fn images_other_dockerfiles_only_build_in_are_builders_through_a_chain() {
        let (uses, dockerfiles) = zabbix();
        let found = find(&uses, &[], &dockerfiles, &[]);
        let mut names: Vec<&str> = found.keys().map(String::as_str).collect();
        names.sort();
        assert_eq!(
            names,
            [
                "Dockerfiles/build-base/alpine/Dockerfile",
                "Dockerfiles/build-base/ubuntu/Dockerfile",
                "Dockerfiles/build-mysql/alpine/Dockerfile",
                "Dockerfiles/build-mysql/ubuntu/Dockerfile",
            ]
        );
        let ev = &found["Dockerfiles/build-mysql/alpine/Dockerfile"];
        assert_eq!((ev.file.as_str(), ev.line), ("Dockerfiles/server-mysql/alpine/Dockerfile", 6));
        assert!(
            ev.says.starts_with("the repository's other Dockerfiles use its image `zabbix-build-mysql:alpine-7.0.5` only to build in or copy files from (1 use)"),
            "{}",
            ev.says
        );
    }

    #[test]
    fn one_shipped_use_makes_a_base_image_not_a_builder() {
        let (mut uses, dockerfiles) = zabbix();
        // a web image runs on the mysql builder image itself
        uses.push(base(
            "Dockerfiles/server-mysql/ubuntu/Dockerfile",
            20,
            Some("web"),
            "zabbix-build-mysql:ubuntu-7.0.5",
            true,
        ));
        let found = find(&uses, &[], &dockerfiles, &[]);
        assert!(!found.contains_key("Dockerfiles/build-mysql/ubuntu/Dockerfile"));
        // and the base it is built on ships through it
        assert!(!found.contains_key("Dockerfiles/build-base/ubuntu/Dockerfile"));
        assert!(found.contains_key("Dockerfiles/build-mysql/alpine/Dockerfile"));
    }

    /// A shipped use makes a base image: its user is the images' on it to decide (SL107).
    #[test]
    fn images_shipped_on_another_dockerfiles_image_make_it_a_base() {
        let (mut uses, dockerfiles) = zabbix();
        // build-mysql's last stage is FROM build-base; the servers only build in build-mysql
        let before = bases_of_others(&uses, &[], &dockerfiles);
        assert!(before.contains_key("Dockerfiles/build-base/ubuntu/Dockerfile"), "{before:?}");
        assert!(!before.contains_key("Dockerfiles/build-mysql/ubuntu/Dockerfile"), "{before:?}");
        uses.push(base(
            "Dockerfiles/server-mysql/ubuntu/Dockerfile",
            20,
            Some("web"),
            "zabbix-build-mysql:ubuntu-7.0.5",
            true,
        ));
        let bases = bases_of_others(&uses, &[], &dockerfiles);
        let ev = &bases["Dockerfiles/build-mysql/ubuntu/Dockerfile"];
        assert_eq!((ev.file.as_str(), ev.line), ("Dockerfiles/server-mysql/ubuntu/Dockerfile", 20));
    }

    #[test]
    fn the_folder_naming_most_of_the_tag_makes_the_image() {
        // photoprism: `develop/jammy` is built on only as a build stage, `develop/jammy-slim`
        // is the base the release image runs on
        let dockerfiles: Vec<String> =
            ["docker/develop/jammy/Dockerfile", "docker/develop/jammy-slim/Dockerfile"].map(String::from).to_vec();
        let uses = vec![
            base("docker/develop/jammy/Dockerfile", 1, None, "ubuntu:jammy", true),
            base("docker/develop/jammy-slim/Dockerfile", 1, None, "ubuntu:jammy", true),
            base("docker/photoprism/jammy/Dockerfile", 2, Some("build"), "photoprism/develop:jammy", false),
            base("docker/photoprism/jammy/Dockerfile", 23, None, "photoprism/develop:jammy-slim", true),
        ];
        let found = find(&uses, &[], &dockerfiles, &[]);
        assert!(found.contains_key("docker/develop/jammy/Dockerfile"), "{found:?}");
        assert!(!found.contains_key("docker/develop/jammy-slim/Dockerfile"), "{found:?}");
    }

    #[test]
    fn official_images_and_unrelated_folders_match_no_dockerfile() {
        let dockerfiles: Vec<String> =
            ["python/Dockerfile", "app/Dockerfile", "base/Dockerfile"].map(String::from).to_vec();
        let uses = vec![
            base("app/Dockerfile", 1, Some("build"), "python:3.12", false),
            base("app/Dockerfile", 5, None, "debian:bookworm-slim", true),
        ];
        assert!(find(&uses, &[], &dockerfiles, &[]).is_empty());
        // a name that only ends with a shorter word of another folder is not that folder's
        assert_eq!(makers("acme-database:1", &[], &dockerfiles), Vec::<&str>::new());
        assert_eq!(makers("acme-base:1", &[], &dockerfiles), vec!["base/Dockerfile"]);
    }

    #[test]
    fn a_path_that_names_the_image_decides_over_folder_names() {
        let dockerfiles: Vec<String> = ["docker/toolbox.Dockerfile", "builder/Dockerfile"].map(String::from).to_vec();
        let path = BuildPath {
            dockerfile: "docker/toolbox.Dockerfile".into(),
            context: ".".into(),
            target: None,
            role: super::super::Role::Ships,
            evidence: Evidence { source: Source::Workflow, file: "ci.yml".into(), line: 3, says: "pushed".into() },
            name: None,
            target_line: None,
            mounts: Vec::new(),
            images: vec!["ghcr.io/acme/builder:latest".into()],
            contexts: Vec::new(),
            target_written: None,
            checks: false,
        };
        assert_eq!(makers("ghcr.io/acme/builder:1", &[path], &dockerfiles), vec!["docker/toolbox.Dockerfile"]);
        assert_eq!(makers("ghcr.io/acme/builder:1", &[], &dockerfiles), vec!["builder/Dockerfile"]);
    }

    /// nats-docker: its test script tags `nats:2.10.29-alpine3.22` and `nats:2.10.29-scratch`,
    /// its release workflow tags with a ref it cannot resolve. An image under another tag is
    /// the one whose folder the tag names (`alpine3.22/`), not every image of the name; and one
    /// whose tag names a folder none of them is in (`…-windowsservercore-ltsc2022`) is none.
    #[test]
    fn an_image_under_another_tag_is_the_one_its_tag_names() {
        let dockerfiles: Vec<String> = [
            "2.10.x/alpine3.22/Dockerfile",
            "2.10.x/scratch/Dockerfile",
            "2.10.x/windowsservercore-ltsc2022/Dockerfile",
        ]
        .map(String::from)
        .to_vec();
        let path = |d: &str, image: &str| BuildPath {
            images: vec![image.into()],
            ..BuildPath::plain(
                d.into(),
                ".".into(),
                super::super::Role::Ships,
                Evidence { source: Source::Workflow, file: "ci.yml".into(), line: 3, says: "pushed".into() },
            )
        };
        let paths = [
            path("2.10.x/alpine3.22/Dockerfile", "nats:$TAG-alpine3.22"),
            path("2.10.x/scratch/Dockerfile", "nats:$TAG-scratch"),
        ];
        assert_eq!(makers("nats:2.10.29-alpine3.22", &paths, &dockerfiles), vec!["2.10.x/alpine3.22/Dockerfile"]);
        assert_eq!(makers("nats:2.10.29-windowsservercore-ltsc2022", &paths, &dockerfiles), Vec::<&str>::new());
        // a tag that names no folder: any image of the name
        assert_eq!(makers("nats:latest", &paths, &dockerfiles).len(), 2);
    }

    /// gramps-web-api (held out in round 72): `Dockerfile` runs gunicorn FROM the image
    /// `Dockerfile.base` makes (named by a tag whose tag part an expression holds): that base
    /// is an application's. Not when the image built on it opens a prompt, runs a toolchain,
    /// is a builder, or only a development path builds it.
    #[test]
    fn a_base_an_application_ships_on_is_the_applications() {
        let dockerfiles: Vec<String> = ["Dockerfile", "Dockerfile.base"].map(String::from).to_vec();
        let uses = vec![
            base("Dockerfile.base", 1, None, "debian:trixie", true),
            base("Dockerfile", 1, None, "ghcr.io/gramps-project/gramps-web-base:latest", true),
        ];
        let path = |d: &str, role, images: &[&str]| BuildPath {
            images: images.iter().map(|i| (*i).to_owned()).collect(),
            ..BuildPath::plain(
                d.into(),
                ".".into(),
                role,
                Evidence { source: Source::Workflow, file: "image.yml".into(), line: 45, says: "pushed".into() },
            )
        };
        let ships = super::super::Role::Ships;
        let base_path = path("Dockerfile.base", ships, &["ghcr.io/gramps-project/gramps-web-base:latest-…"]);
        let made = |words: &[&str]| {
            vec![Made {
                dockerfile: "Dockerfile".into(),
                base: Some("ghcr.io/gramps-project/gramps-web-base:latest".into()),
                command: Some((40, words.iter().map(|w| (*w).to_owned()).collect())),
                user: None,
                env: Vec::new(),
            }]
        };
        let gunicorn = made(&["gunicorn", "-b", "0.0.0.0:5000", "gramps_webapi.wsgi:app"]);
        let paths = [base_path.clone(), path("Dockerfile", ships, &[])];
        let none = HashMap::new();
        assert_eq!(apps_on(&uses, &paths, &dockerfiles, &gunicorn, &none), HashSet::from(["Dockerfile.base".into()]));
        for other in [made(&["bash"]), made(&["make", "all"]), Vec::new()] {
            assert!(apps_on(&uses, &paths, &dockerfiles, &other, &none).is_empty(), "{other:?}");
        }
        let builder = HashMap::from([("Dockerfile".to_owned(), base_path.evidence.clone())]);
        assert!(apps_on(&uses, &paths, &dockerfiles, &gunicorn, &builder).is_empty());
        let dev = [base_path.clone(), path("Dockerfile", super::super::Role::Development, &[])];
        assert!(apps_on(&uses, &dev, &dockerfiles, &gunicorn, &none).is_empty());
    }

    #[test]
    fn an_environment_to_develop_in_is_a_build_use() {
        // photoprism's root Dockerfile runs on develop:oracular, and its only path is the
        // compose file's development service
        let dockerfiles: Vec<String> = ["docker/develop/oracular/Dockerfile", "Dockerfile"].map(String::from).to_vec();
        let uses = vec![
            base("docker/develop/oracular/Dockerfile", 1, None, "ubuntu:oracular", true),
            base("Dockerfile", 2, None, "photoprism/develop:241121-oracular", true),
        ];
        let path = |role| BuildPath {
            dockerfile: "Dockerfile".into(),
            context: ".".into(),
            target: None,
            role,
            evidence: Evidence { source: Source::Compose, file: "compose.yaml".into(), line: 4, says: "dev".into() },
            name: None,
            target_line: None,
            mounts: Vec::new(),
            images: Vec::new(),
            contexts: Vec::new(),
            target_written: None,
            checks: false,
        };
        let dev = [path(super::super::Role::Development)];
        assert!(find(&uses, &dev, &dockerfiles, &[]).contains_key("docker/develop/oracular/Dockerfile"));
        // a Dockerfile that ships as well (or that nothing builds) is a shipped use
        let both = [path(super::super::Role::Development), path(super::super::Role::Ships)];
        assert!(find(&uses, &both, &dockerfiles, &[]).is_empty());
        assert!(find(&uses, &[], &dockerfiles, &[]).is_empty());
    }
}
