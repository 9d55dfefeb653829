//! ## What it does
//! Flags a final stage that runs as root: no `USER` in it or in the stages it is built FROM,
//! or a last `USER` of `root` or `0` (hadolint DL3002). Only the final stage counts: builder
//! stages may need root, and their user does not ship. Not when the image installs `gosu` or
//! `su-exec` (as a package, a download or a COPY) and sets no USER: that is the official
//! images' idiom of an entrypoint that starts as root to fix permissions on volumes and then
//! steps down to the service's user, so the service does not run as root; a last `USER root`
//! beside gosu or su-exec is the same idiom. Nor when the base does it for the image: an
//! official image whose entrypoint steps down (postgres, mysql, mariadb, mongo, redis,
//! rabbitmq and the like) with no ENTRYPOINT of the file's own (or one that restates its
//! `docker-entrypoint.sh`, with no script of that name copied in), or a linuxserver.io image
//! (`linuxserver/*` on any registry, or their older `lsiobase/*` bases: s6-overlay runs the
//! service as `abc`), or, with its entrypoint kept, a base whose init runs the app as an
//! unprivileged user (`jlesage/baseimage*`: USER_ID; `umputun/baseimage:app-*`: `su-exec
//! app`). Nor when a RUN of the image writes an s6 service that drops root itself
//! (`exec s6-setuidgid abc pyload`, s6's gosu), nor when the script it starts with, read
//! from the build context, drops root itself (Tautulli's `start.sh`: `exec gosu tautulli
//! …`, gosu from its base; a script nothing in the file copies, which its base image put
//! there, is read by its name: NodeODM's `run_gpu_intel.sh` ends `su - odm -c …`), or runs
//! uWSGI told to step down (`--uid app`, or `uid = app` in the ini file it is given, as
//! docker-mailman's and linkding's are; also as the CMD an entrypoint's `exec "$@"` runs).
//! Nor on Windows
//! images (`servercore`, `nanoserver`, a `windows/*` platform), which have no root and no
//! `useradd`, nor on a hardened image's runtime variant (Docker Hardened Images on `dhi.io`,
//! Chainguard's on `cgr.dev/chainguard`), which runs as nonroot (their `-dev` variants run as
//! root), nor when an ARG with no default names the base image (a registry from an ARG
//! still names the image): who it runs as is not known. Nor on a base image: one the
//! repository's other images ship built FROM (wger's `base`), whose user those images decide
//! and this rule asks of them; nor on an image that sets no CMD or ENTRYPOINT on a
//! distribution's or language's base whose command is a prompt and copies nothing from its
//! build context (docker-library's buildpack-deps and rust): a base to build FROM, or a tool
//! box given its command where it is used. Nor when the image it is built FROM is one the repository
//! makes and that one sets an unprivileged USER (openwisp's services on its
//! `openwisp/openwisp-base`): the container runs as that user. `FROM scratch` runs as root.
//!
//! ## Why it matters
//! A process running as root in a container is root on the container's filesystem and one
//! kernel bug away from root on the host. Most apps need no privileges at all.
//!
//! ## Example
//! ```dockerfile
//! FROM python:3.12-slim
//! COPY app.py .
//! CMD ["python", "app.py"]
//! ```
//!
//! ## Fix
//! Create an unprivileged user and switch to it before CMD: `RUN useradd -r app` then
//! `USER app`, or a numeric `USER 10001` (distroless images have `USER nonroot`).

use crate::dockerfile::os::{stage_os, Os};
use crate::dockerfile::{ImageRef, Kind};
use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    if ctx.config.base_of_others {
        return;
    }
    for stage in ctx.finals() {
        let lineage = ctx.graph.lineage(stage.index);
        let last_user = lineage.iter().flat_map(|&i| ctx.df.stages[i].of_kind(Kind::User).map(move |u| (i, u))).last();
        match last_user {
            Some((i, user)) => {
                let name = user.words().first().map(String::as_str).unwrap_or("");
                let who = name.split(':').next().unwrap_or("");
                // `USER root` to end the build, and an entrypoint that steps down with gosu
                let steps_down =
                    lineage.iter().any(|&i| installs_step_down(ctx, &ctx.df.stages[i])) || ctx.config.start_drops_root;
                if (who == "root" || who == "0") && !steps_down {
                    out.push(
                        Hit::on(user, &ctx.df.stages[i], format!("the last USER of the final image is `{name}`: the container runs as root"))
                            .fix("switch to an unprivileged user (`USER app` or `USER 10001`) after the steps that need root")
                            .alias("DL3002"),
                    );
                }
            }
            None => {
                let nonroot_base = ctx.graph.root_image(stage.index).is_some_and(|img| {
                    let r = ImageRef::parse(img);
                    r.tag.as_deref().is_some_and(|t| t.contains("nonroot"))
                        || hardened_runtime(&r)
                        // a base only an ARG names: who it runs as is not known
                        || crate::dockerfile::name_from_arg(img)
                });
                // Windows has no root, and no useradd to make another user with
                let windows = stage_os(ctx.df, ctx.graph, stage.index) == Os::Windows;
                // a scratch image with no command is files for other builds to copy, never run
                let never_run = ctx.graph.root_image(stage.index).is_none()
                    && !lineage.iter().any(|&i| {
                        let s = &ctx.df.stages[i];
                        s.of_kind(Kind::Cmd).next().is_some() || s.of_kind(Kind::Entrypoint).next().is_some()
                    });
                let steps_down = lineage.iter().any(|&i| installs_step_down(ctx, &ctx.df.stages[i]))
                    || inherits_step_down(ctx, stage, &lineage)
                    || ctx.config.start_drops_root;
                // the repository's own image it is built FROM sets an unprivileged USER
                let inherits_user = ctx.config.base_user.as_deref().is_some_and(|u| {
                    let who = u.split(':').next().unwrap_or("");
                    who != "root" && who != "0"
                });
                // a base to build FROM: no command of its own on a distribution's prompt
                let base = crate::repository::base_to_build_from(ctx.df, ctx.graph, &lineage);
                if !nonroot_base && !windows && !never_run && !steps_down && !inherits_user && !base {
                    out.push(
                        Hit::on_from(stage, "the final stage sets no USER, so the container runs as root").fix(
                            "add `USER <unprivileged user>` (e.g. `RUN useradd -r app` then `USER app`) before CMD",
                        ),
                    );
                }
            }
        }
    }
}

/// Official images whose entrypoint starts as root and steps down to the service's user
/// (gosu or su-exec in `docker-entrypoint.sh`), or that set a USER of their own.
const STEPS_DOWN: &[&str] = &[
    "postgres",
    "mysql",
    "mariadb",
    "percona",
    "mongo",
    "redis",
    "rabbitmq",
    "cassandra",
    "couchdb",
    "ghost",
    "memcached",
    "haproxy",
    "solr",
    "zookeeper",
];

/// Whether the base image drops root for the stage: an official image of [`STEPS_DOWN`]
/// whose entrypoint the file keeps (no ENTRYPOINT of its own), or a linuxserver.io image,
/// whose s6-overlay `/init` runs the service as `abc` (PUID/PGID).
fn inherits_step_down(ctx: &Ctx, stage: &crate::dockerfile::Stage, lineage: &[usize]) -> bool {
    let Some(base) = ctx.graph.root_image(stage.index).map(ImageRef::parse) else { return false };
    if base.repository.starts_with("linuxserver/") || base.repository.starts_with("lsiobase/") {
        return true;
    }
    // bases whose init runs the app as an unprivileged user: jlesage's (USER_ID, 1000 by
    // default) and umputun's app variant (`exec su-exec app "$@"`)
    let init_steps_down = base.repository.starts_with("jlesage/baseimage")
        || (base.repository == "umputun/baseimage" && base.tag.as_deref().is_some_and(|t| t.starts_with("app")));
    // no ENTRYPOINT of its own, or one that restates the base's (`ENTRYPOINT
    // ["docker-entrypoint.sh"]` on postgres) with no script of that name copied in
    let restates = |i: &crate::dockerfile::Instruction| {
        i.script().is_some_and(|s| {
            s.split_whitespace().next().is_some_and(|w| w.rsplit('/').next() == Some("docker-entrypoint.sh"))
        }) && !lineage.iter().any(|&s| {
            ctx.df.stages[s].instructions.iter().any(|c| match &c.body {
                crate::dockerfile::Body::Copy { sources, dest } => {
                    dest.ends_with("docker-entrypoint.sh")
                        || sources.iter().any(|w| w.ends_with("docker-entrypoint.sh"))
                }
                _ => false,
            })
        })
    };
    let entrypoint = lineage.iter().flat_map(|&i| ctx.df.stages[i].of_kind(Kind::Entrypoint)).last();
    let keeps_entrypoint = entrypoint.is_none_or(restates);
    keeps_entrypoint && (init_steps_down || base.official_name().is_some_and(|n| STEPS_DOWN.contains(&n)))
}

/// Whether a hardened image's runtime variant is the base: Docker Hardened Images
/// (`dhi.io/python:3.13-debian13`) and Chainguard's (`cgr.dev/chainguard/python`) run as a
/// nonroot user; only their `-dev` variants run as root.
fn hardened_runtime(r: &ImageRef) -> bool {
    let hardened = r.registry == "dhi.io" || (r.registry == "cgr.dev" && r.repository.starts_with("chainguard/"));
    hardened && !r.tag.as_deref().is_some_and(|t| t == "dev" || t.contains("-dev"))
}

/// Whether a stage brings a tool an entrypoint uses to drop root (`gosu`, `su-exec`), or
/// writes a service script that drops it with s6's (`s6-setuidgid`, `s6-applyuidgid`, in the
/// text an `echo` writes to the service's `run` file); in a RUN, or in a script of the build
/// context a RUN runs (camptocamp's `/install/gosu.sh` downloads gosu; round 78).
fn installs_step_down<'a>(ctx: &Ctx<'a>, stage: &'a crate::dockerfile::Stage) -> bool {
    let named = |w: &str| matches!(w.trim_end_matches('/').rsplit('/').next(), Some("gosu" | "su-exec"));
    let s6 = |w: &str| w.contains("s6-setuidgid ") || w.contains("s6-applyuidgid ");
    let brings = |script: &crate::dockerfile::shell::Script| {
        script.commands.iter().any(|c| c.words.iter().any(|w| named(w) || s6(w)))
    };
    ctx.runs(stage).any(|(_, script)| {
        brings(script) || super::support::context_scripts(ctx, script).iter().any(|s| brings(&s.script))
    }) || stage.instructions.iter().any(|i| match &i.body {
        crate::dockerfile::Body::Copy { sources, .. } => sources.iter().any(|s| named(s)),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    /// camptocamp's odoo images (round 78): gosu comes from a script of the build context a
    /// RUN runs, and the entrypoint steps down with it
    #[test]
    fn gosu_a_context_script_installs_steps_down() {
        use crate::lint::rules::testing::with_config;
        let text = "FROM debian:12\nCOPY install /install\nRUN /install/gosu.sh\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [\"odoo\"]\n";
        let with = |script: &str| {
            let config = crate::lint::LintConfig {
                run_scripts: vec![("/install/gosu.sh".to_owned(), script.to_owned())],
                ..Default::default()
            };
            with_config("SL107", text, &config).len()
        };
        assert_eq!(
            with(
                "#!/bin/bash\ncurl -o /usr/local/bin/gosu -SL https://example.org/gosu\nchmod +x /usr/local/bin/gosu\n"
            ),
            0
        );
        assert_eq!(with("#!/bin/bash\ncurl -o /usr/local/bin/tini -SL https://example.org/tini\n"), 1);
    }

    /// Only an image name an ARG gives is unknown: a registry given by an ARG
    /// (`${registry}/ubuntu:20.04`) still names ubuntu, which runs as root; scratch does too.
    #[test]
    fn a_registry_from_an_arg_still_names_the_image() {
        use crate::lint::rules::testing::lines;
        assert_eq!(lines("SL107", "ARG hostRegistry\nFROM ${hostRegistry}/ubuntu:20.04\nCOPY a /a\n"), vec![2]);
        assert_eq!(
            lines(
                "SL107",
                "FROM golang:1.22 AS b\nRUN go build\nFROM scratch\nCOPY --from=b /a /a\nENTRYPOINT [\"/a\"]\n"
            ),
            vec![3]
        );
    }

    /// The base steps down for the image: an official image's entrypoint (kept), linuxserver's
    /// s6 `abc` user; a last `USER root` beside gosu is the entrypoint idiom too.
    #[test]
    fn a_base_or_an_entrypoint_that_steps_down() {
        use crate::lint::rules::testing::lines;
        assert!(lines("SL107", "FROM postgres:16-alpine\nRUN apk add --no-cache timescaledb\n").is_empty());
        assert!(lines("SL107", "FROM ghcr.io/linuxserver/baseimage-ubuntu:noble\nRUN apt-get install -y jellyfin\n")
            .is_empty());
        assert!(lines("SL107", "FROM lscr.io/linuxserver/nginx:latest\nCOPY site /config/www\n").is_empty());
        assert!(lines("SL107", "FROM jlesage/baseimage-gui:alpine-3.24-v4\nCOPY rootfs/ /\n").is_empty());
        assert!(lines("SL107", "FROM umputun/baseimage:app-v1.17.0\nCMD [\"/srv/app\"]\n").is_empty());
        assert_eq!(lines("SL107", "FROM umputun/baseimage:buildgo-v1.17.0\nCMD [\"/srv/app\"]\n"), vec![1]);
        assert_eq!(lines("SL107", "FROM jlesage/baseimage:alpine-3\nENTRYPOINT [\"/app\"]\n"), vec![1]);
        // linuxserver's older bases, and an s6 service the image writes that drops root
        assert!(lines("SL107", "FROM lsiobase/alpine:3.16\nRUN apk add --no-cache python3\n").is_empty());
        let s6 = "FROM alpine:3.20\nRUN apk add s6-overlay && echo -e \"#!/bin/sh\\nexec s6-setuidgid app myapp\" > /etc/services.d/app/run\nENTRYPOINT [\"/init\"]\n";
        assert!(lines("SL107", s6).is_empty());
        assert_eq!(lines("SL107", &s6.replace("s6-setuidgid app ", "")), vec![1]);
        // an ENTRYPOINT of the file's own replaces the one that stepped down
        assert_eq!(lines("SL107", "FROM postgres:16\nENTRYPOINT [\"postgres\"]\n"), vec![1]);
        // restating the base's own entrypoint keeps it; a script of that name copied in does not
        assert!(
            lines("SL107", "FROM postgres:9.6\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [\"postgres\"]\n").is_empty()
        );
        let own =
            "FROM postgres:9.6\nCOPY docker-entrypoint.sh /usr/local/bin/\nENTRYPOINT [\"docker-entrypoint.sh\"]\n";
        assert_eq!(lines("SL107", own), vec![1]);
        assert_eq!(lines("SL107", "FROM python:3.12\nCMD [\"app\"]\n"), vec![1]);
        let gosu = "FROM debian:12\nRUN apt-get install -y gosu\nUSER root\nENTRYPOINT [\"/entry.sh\"]\n";
        assert!(lines("SL107", gosu).is_empty());
        assert_eq!(lines("SL107", "FROM debian:12\nUSER root\nENTRYPOINT [\"/entry.sh\"]\n"), vec![2]);
    }

    /// A base image the repository's other images ship on: they are asked, not it.
    #[test]
    fn a_base_of_the_repositorys_images_is_not_asked() {
        let text = "FROM python:3.12-slim\nRUN pip install uwsgi\nCMD [\"uwsgi\"]\n";
        let cfg = crate::lint::LintConfig { base_of_others: true, ..Default::default() };
        assert!(crate::lint::lint_text(text, "D", &cfg).iter().all(|f| f.code != "SL107"));
        assert_eq!(lines("SL107", text), vec![1]);
    }

    /// An image with no command of its own on a distribution's prompt that copies nothing in
    /// (docker-library's buildpack-deps and rust) is a base to build FROM: the images on it
    /// decide who runs. With a command, or a program copied in, it runs as root.
    #[test]
    fn a_base_to_build_from_is_not_asked() {
        let base = "FROM debian:trixie\nRUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*\n";
        assert!(lines("SL107", base).is_empty());
        assert_eq!(lines("SL107", &format!("{base}CMD [\"git\", \"daemon\"]\n")), vec![1]);
        assert_eq!(lines("SL107", &format!("{base}COPY app /usr/local/bin/app\n")), vec![1]);
        // a server image runs its own command (php's apache and fpm variants)
        assert_eq!(lines("SL107", "FROM php:8.3-apache\nRUN docker-php-ext-install pdo\n"), vec![1]);
    }

    /// A scratch image with no CMD or ENTRYPOINT holds files other builds copy: nothing runs.
    #[test]
    fn a_scratch_image_with_no_command_is_never_run() {
        use crate::lint::rules::testing::lines;
        assert!(lines("SL107", "FROM golang:1.22 AS b\nRUN go build\nFROM scratch\nCOPY --from=b /a /a\n").is_empty());
    }

    /// Windows images have no root; a base only an ARG names is not known.
    #[test]
    fn windows_images_and_unknown_bases_pass() {
        use crate::lint::rules::testing::lines;
        for base in [
            "mcr.microsoft.com/windows/servercore:ltsc2022",
            "mcr.microsoft.com/windows/nanoserver:ltsc2022",
            "mcr.microsoft.com/dotnet/runtime:8.0-nanoserver-ltsc2022",
            "mcr.microsoft.com/powershell:lts-windowsservercore-ltsc2022",
            "mcr.microsoft.com/windows:ltsc2019",
            "mcr.microsoft.com/dotnet/framework/runtime:4.8.1",
            "microsoft/iis",
        ] {
            assert!(lines("SL107", &format!("FROM {base}\nCOPY app.exe /app/\n")).is_empty(), "{base}");
        }
        assert!(lines("SL107", "FROM --platform=windows/amd64 example/app:1\nCOPY a /a\n").is_empty());
        // a Windows image its name does not give away: its own paths and shell say it
        assert!(lines("SL107", "FROM example/site:1\nSHELL [\"powershell\", \"-Command\"]\nCOPY a /a\n").is_empty());
        assert!(lines("SL107", "FROM example/site:1\nCOPY site C:\\inetpub\\wwwroot\n").is_empty());
        assert!(lines("SL107", "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY a /a\n").is_empty());
        // an ARG with a default names a known base
        assert_eq!(lines("SL107", "ARG BASE=debian:12\nFROM ${BASE}\nCOPY a /a\n"), vec![2]);
    }

    use crate::lint::rules::testing::lines;

    #[test]
    fn flags_root() {
        assert_eq!(lines("SL107", "FROM python:3.9\nCMD [\"python\"]\n"), vec![1]);
        assert_eq!(lines("SL107", "FROM debian:12\nUSER app\nRUN x\nUSER root\n"), vec![4]);
        assert_eq!(lines("SL107", "FROM debian:12\nUSER 0:0\n"), vec![2]);
    }

    #[test]
    fn unprivileged_final_stage_passes() {
        assert!(lines("SL107", "FROM debian:12\nUSER root\nRUN x\nUSER app\n").is_empty());
        // root in a builder does not ship
        assert!(lines("SL107", "FROM debian:12 AS b\nUSER root\nFROM debian:12\nUSER 10001\n").is_empty());
        // a USER in the stage the final one is built FROM is inherited
        assert!(lines("SL107", "FROM debian:12 AS base\nUSER app\nFROM base\nCMD [\"x\"]\n").is_empty());
        assert!(lines("SL107", "FROM gcr.io/distroless/static:nonroot\n").is_empty());
        // hardened images' runtime variants run as nonroot, their -dev variants as root
        assert!(lines("SL107", "FROM dhi.io/python:3.13-debian13\nCOPY app /app\n").is_empty());
        assert!(lines("SL107", "FROM cgr.dev/chainguard/python:latest\nCOPY app /app\n").is_empty());
        assert_eq!(lines("SL107", "FROM dhi.io/python:3.13-debian13-dev\nCOPY app /app\n"), vec![1]);
        assert_eq!(lines("SL107", "FROM cgr.dev/chainguard/python:latest-dev\nCOPY app /app\n"), vec![1]);
        // the official postgres/redis idiom: the entrypoint steps down with gosu or su-exec
        assert!(lines(
            "SL107",
            "FROM debian:12-slim\nRUN apt-get install -y gosu\nENTRYPOINT [\"docker-entrypoint.sh\"]\n"
        )
        .is_empty());
        assert!(lines(
            "SL107",
            "FROM debian:12-slim\nRUN wget -O /usr/local/bin/gosu \"$url\" && chmod +x /usr/local/bin/gosu\n"
        )
        .is_empty());
        assert!(lines("SL107", "FROM alpine:3\nRUN apk add --no-cache su-exec\n").is_empty());
        assert!(lines("SL107", "FROM alpine:3\nCOPY --from=tianon/gosu /gosu /usr/local/bin/\n").is_empty());
    }
}
