//! ## What it does
//! Flags compilers and build-only packages (build-essential, gcc, make, cmake, golang, rustc,
//! cargo, maven, gradle, `*-jdk`, `*-dev`, `*-devel`, git when a RUN fetches sources with it …) installed with
//! apt-get, apt, apk, yum, dnf or microdnf in a stage that ships: the final stage, a stage
//! the final stage is built `FROM`, or one it copies whole onto its root (`FROM scratch` +
//! `COPY --from=build / /`, a squash). Also flags a toolchain base image (golang, rust, maven,
//! gradle, gcc, a JDK, the .NET SDK) in the final stage, and the Rust toolchain installed by
//! rustup's installer (`curl https://sh.rustup.rs | sh -s -- -y`, `./rustup-init -y`) in a
//! stage that ships, unless the same RUN removes rustup's home after it (`$RUSTUP_HOME`, else
//! `~/.rustup`, or a folder above it: the official ruby images' `rm -rf /tmp/rust`) or runs
//! `rustup self uninstall`. Builder stages are never flagged.
//!
//! A `-dev` name counts as headers where the distributions name them so (`lib*-dev`, a
//! name with a version, `python3-dev` and the other runtimes'): after a RUN adds a vendor's
//! repository (an apt source or yum repo file, `add-apt-repository` of a URL), another
//! `*-dev` is the vendor's channel package (`microsoft-edge-dev`), not a toolchain.
//!
//! A script of the build context that a RUN runs (`COPY bin/build_sys.sh /usr/local/bin/`,
//! then `RUN bash /usr/local/bin/build_sys.sh`) is read too, when it removes nothing it
//! installs (what a script that cleans up after itself keeps, it keeps on purpose): the
//! toolchain it leaves is flagged at the RUN, naming the script. When the RUN gives it
//! arguments, which may choose a branch of it, only its installs under no condition count.
//!
//! A package list an ARG or ENV holds (`apk add $APK_PACKAGES`) is read with the values
//! Docker gives the RUN: the stage's ARG defaults, a global ARG only where the stage declares
//! it again, the ENVs of the stage and of what it is built FROM.
//!
//! It reasons on what the RUN leaves in its layer (the ship state), not on the install
//! command: packages removed again in the same RUN (`apk add --virtual .build-deps …
//! && apk del .build-deps`, the official images' `apt-mark` save/restore with
//! `apt-get purge --auto-remove`, `apt-get purge`, `yum remove`) do not ship and are not
//! flagged; hadolint is silent there too. A removal that runs only under a condition is
//! flagged, and the finding says so. A removal in a *later* RUN does not shrink this layer,
//! so the install is still flagged (and the removal is SL109's wasted layer), except in a
//! squashed stage, whose layers the copy flattens: there a later RUN's removal counts.
//!
//! Which stages ship is the repository's answer (`shiplight ships` shows it): silent on a
//! Dockerfile that only dev containers, development compose services or CI-only builds use,
//! and on an image whose ENTRYPOINT/CMD is itself a compiler or build tool (a toolchain
//! product: the toolchain is what ships, on purpose), and on an image whose start script
//! (its ENTRYPOINT or CMD, read from the build context) builds when the container starts
//! (llama-cpp-python's `run.sh` runs `make build`): the toolchain is used at run time.
//!
//! ## Why it matters
//! The final stage is what ships. build-essential alone adds ~200 MB, and a C toolchain in
//! production is a tool an attacker can use. The image needs the program, not what built it.
//!
//! ## Example
//! ```dockerfile
//! FROM python:3.9
//! RUN apt-get update && apt-get install -y build-essential
//! ```
//!
//! ## Fix
//! Move the install into a `build` stage and `COPY --from=build` only the artifacts;
//! `shiplight suggest` writes that patch.

use super::support::{context_scripts, list};
use crate::dockerfile::packages::{adds_vendor_repository, git_builds, is_distribution_dev_name, is_toolchain_package};
use crate::dockerfile::ship::Fate;
use crate::dockerfile::ImageRef;
use crate::lint::{Ctx, Hit};

const FIX: &str =
    "install it in a `build` stage and COPY --from=build only the artifacts (`shiplight suggest` writes the patch)";

const FIX_RUST: &str = "install Rust and build in a `build` stage and COPY --from=build only the artifacts, or remove rustup's home (`$RUSTUP_HOME`, `~/.rustup`) at the end of the same RUN";

/// Whether a RUN installs the Rust toolchain with rustup (`curl https://sh.rustup.rs | sh -s
/// -- -y`, `./rustup-init -y`) and leaves it in its layer: the same RUN does not remove
/// rustup's home after it (the official ruby images: `export RUSTUP_HOME='/tmp/rust/rustup'
/// …; rm -rf /tmp/rust`), nor run `rustup self uninstall`. rustup's home is `$RUSTUP_HOME`
/// (the RUN's own export, else the stage's ENV), else `~/.rustup`. An install only a build
/// argument turns on is not one.
fn rust_left(
    ctx: &Ctx,
    stage: &crate::dockerfile::Stage,
    ins: &crate::dockerfile::Instruction,
    script: &crate::dockerfile::shell::Script,
) -> bool {
    let Some(at) = script.commands.iter().position(crate::dockerfile::roles::installs_rust) else {
        return false;
    };
    if ctx.off_by_default(stage, ins, script, at) {
        return false;
    }
    // `$HOME`, `~`, `/root` and `/home/<user>` are one home: whose it is does not matter here
    let home = |p: &str| -> String {
        let p = p.trim_end_matches("/*").trim_end_matches('/');
        for prefix in ["${HOME}", "$HOME", "~", "/root"] {
            if let Some(rest) = p.strip_prefix(prefix).filter(|r| r.is_empty() || r.starts_with('/')) {
                return format!("~{rest}");
            }
        }
        if let Some(rest) = p.strip_prefix("/home/") {
            return format!("~{}", rest.find('/').map_or("", |i| &rest[i..]));
        }
        p.to_owned()
    };
    let mut rustup_home = ctx.env(stage, "RUSTUP_HOME").map_or_else(|| "~/.rustup".to_owned(), &home);
    for (k, c) in script.commands.iter().enumerate() {
        let exported = if c.program() == "export" { c.args().to_vec() } else { Vec::new() };
        for a in c.assignments.iter().chain(&exported) {
            if let Some(v) = a.strip_prefix("RUSTUP_HOME=") {
                rustup_home = home(v);
            }
        }
        if k <= at || !crate::dockerfile::ship::follows(script, k, at) {
            continue;
        }
        let args: Vec<&str> = c.args().iter().map(String::as_str).filter(|a| !a.starts_with('-')).collect();
        if c.program() == "rustup" && args.starts_with(&["self", "uninstall"]) {
            return false;
        }
        if c.program() == "rm" {
            let gone = args.iter().any(|a| {
                let a = a.replace("${RUSTUP_HOME}", &rustup_home).replace("$RUSTUP_HOME", &rustup_home);
                let a = home(&a);
                !a.is_empty() && a != "/" && (rustup_home == a || rustup_home.starts_with(&format!("{a}/")))
            });
            if gone {
                return false;
            }
        }
    }
    true
}

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    // an image whose ENTRYPOINT is the compiler ships its toolchain on purpose
    if ctx.toolchain_is_the_product() {
        return;
    }
    // a start script that builds when the container starts uses the toolchain at run time
    if ctx.config.start_compiles.is_some() {
        return;
    }
    // git is a build tool only when a RUN of the shipped stages fetches with it and the
    // program does not run git itself: decided once per file
    let runtime_uses_git =
        ctx.finals().flat_map(|f| f.instructions.iter()).any(|i| {
            matches!(i.kind, crate::dockerfile::Kind::Cmd | crate::dockerfile::Kind::Entrypoint)
                && i.script().is_some_and(|s| s.contains("git"))
        }) || !git_builds(&ctx.shipped().flat_map(|s| ctx.runs(s).map(|(_, sc)| sc)).collect::<Vec<_>>());
    for stage in ctx.shipped() {
        let where_ = if ctx.graph.is_final(stage.index) {
            "the final stage".to_owned()
        } else {
            format!("stage `{}`, which the final image is built FROM", stage.label())
        };
        let states: Vec<_> = ctx.ship_states(stage).collect();
        let scripts: Vec<_> = ctx.runs(stage).map(|(_, s)| s).collect();
        // a vendor's repository added by this RUN or an earlier one: a `-dev` name that is not
        // the distribution's headers naming is the vendor's (a browser's dev channel)
        let mut vendor_repo = ctx
            .graph
            .ancestors(stage.index)
            .iter()
            .any(|&a| ctx.runs(&ctx.df.stages[a]).any(|(_, s)| adds_vendor_repository(s)));
        for (n, (ins, state)) in states.iter().enumerate() {
            vendor_repo |= scripts.get(n).is_some_and(|s| adds_vendor_repository(s));
            let mut tools: Vec<&str> = Vec::new();
            let mut maybe: Vec<&str> = Vec::new();
            for p in state.shipped() {
                let git = p.name == "git" && !runtime_uses_git;
                let vendor_channel = vendor_repo
                    && (p.name.ends_with("-dev") || p.name.ends_with("-devel"))
                    && !is_distribution_dev_name(&p.name);
                if ((is_toolchain_package(&p.name) && !vendor_channel) || git) && !tools.contains(&p.name.as_str()) {
                    tools.push(&p.name);
                    if let Fate::MaybeRemoved(why) = &p.fate {
                        if !maybe.contains(&why.as_str()) {
                            maybe.push(why);
                        }
                    }
                }
            }
            // what a script of the build context this RUN runs installs and leaves
            // (LibreBooking's `bash /usr/local/bin/build_sys.sh`, round 76), when it removes
            // nothing it installed, so that what it keeps is not kept on purpose beside what
            // it cleans up (rocker's R source build keeps its compilers for the packages R
            // builds). Given arguments, which may choose a branch (Mycodo's
            // `upgrade_commands.sh update-packages`), only its installs under no condition
            // count (camptocamp's `dev_package.sh core`, whose argument only adds git; round 78)
            let mut scripted: Vec<String> = Vec::new();
            let mut by: Vec<&str> = Vec::new();
            for run in scripts.get(n).map(|s| context_scripts(ctx, s)).unwrap_or_default() {
                let state = crate::dockerfile::ship::run_state(&run.script);
                let cleans_up = !state.removes_names.is_empty() || state.packages.iter().any(|p| p.fate != Fate::Ships);
                if cleans_up {
                    continue;
                }
                let path = run.path;
                let unconditional = |at: usize| run.script.commands.get(at).is_some_and(|c| c.scope.is_empty());
                for p in state.shipped().filter(|p| !run.with_arguments || unconditional(p.at)) {
                    let vendor_channel = vendor_repo
                        && (p.name.ends_with("-dev") || p.name.ends_with("-devel"))
                        && !is_distribution_dev_name(&p.name);
                    let known = tools.contains(&p.name.as_str()) || scripted.contains(&p.name);
                    if is_toolchain_package(&p.name) && !vendor_channel && !known {
                        scripted.push(p.name.clone());
                        if !by.contains(&path) {
                            by.push(path);
                        }
                    }
                }
            }
            let tools: Vec<&str> = tools.into_iter().chain(scripted.iter().map(String::as_str)).collect();
            let rust = scripts.get(n).is_some_and(|script| rust_left(ctx, stage, ins, script));
            if tools.is_empty() && !rust {
                continue;
            }
            if tools.is_empty() {
                let message = format!(
                    "the Rust toolchain (rustc, cargo) is installed with rustup in {where_}, and this RUN does not remove it: it ships in the image"
                );
                out.push(Hit::on(ins, stage, message).fix(FIX_RUST));
                continue;
            }
            let noun = if tools.len() == 1 { "is a build-only package" } else { "are build-only packages" };
            let mut message = format!("{} {noun} installed in {where_}: it ships in the image", list(&tools));
            if !maybe.is_empty() {
                message = format!(
                    "{} {noun} installed in {where_}, and removed only if a condition holds ({}): it may ship in the image",
                    list(&tools),
                    maybe.join("; ")
                );
            }
            if rust {
                message.push_str(", as does the Rust toolchain this RUN installs with rustup");
            }
            if !by.is_empty() {
                let names: Vec<&str> = scripted.iter().map(String::as_str).collect();
                message.push_str(&format!(" ({} installed by {}, which this RUN runs)", list(&names), list(&by)));
            }
            // removed by a later RUN: still in this layer
            let later =
                states[n + 1..].iter().find(|(_, s)| tools.iter().any(|t| s.removes_names.iter().any(|r| r == t)));
            if let Some((l, _)) = later {
                message.push_str(&format!(
                    " (line {} removes it, but a later layer cannot shrink this one: remove it in the same RUN)",
                    l.line
                ));
            }
            out.push(Hit::on(ins, stage, message).fix(FIX));
        }
    }
    for stage in ctx.finals() {
        let Some(image) = ctx.graph.root_image(stage.index) else {
            continue;
        };
        let root = &ctx.df.stages[ctx.graph.root(stage.index)];
        if let Some(runtime) = toolchain_image(image) {
            out.push(
                Hit::on_from(
                    root,
                    format!("the final image is built on `{image}`, a toolchain image: its compilers and SDK ship"),
                )
                .fix(format!("build in a stage on `{image}` and run on {runtime}")),
            );
        }
    }
}

/// For a toolchain image, a suggestion of what to run on instead.
pub fn toolchain_image(image: &str) -> Option<&'static str> {
    let r = ImageRef::parse(image);
    let tag = r.tag.as_deref().unwrap_or("").to_ascii_lowercase();
    let name = r.short_name();
    match name {
        "golang" => Some("`gcr.io/distroless/static-debian12` or `scratch`"),
        "rust" => Some("`debian:bookworm-slim` or `gcr.io/distroless/cc-debian12`"),
        "gcc" => Some("the slim variant of the distribution, e.g. `debian:bookworm-slim`"),
        // the `curl` and `scm` tags stop before the compilers and headers
        "buildpack-deps" if !(tag.ends_with("curl") || tag.ends_with("scm")) => {
            Some("the slim variant of the distribution, e.g. `debian:bookworm-slim`")
        }
        "maven" | "gradle" => Some("a JRE image such as `eclipse-temurin:21-jre`"),
        "openjdk" | "eclipse-temurin" | "amazoncorretto" | "sapmachine" if !tag.contains("jre") => {
            Some("the JRE variant, e.g. `eclipse-temurin:21-jre`")
        }
        "sdk" if r.repository.contains("dotnet") => Some("`mcr.microsoft.com/dotnet/aspnet` or `runtime`"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    /// git set up for the program (`git lfs install`, `git config`) is a runtime dependency,
    /// not a build tool.
    #[test]
    fn git_set_up_for_the_program_is_not_a_build_tool() {
        use crate::lint::rules::testing::lines;
        let jenkins = "FROM debian:12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends git git-lfs && rm -rf /var/lib/apt/lists/* && git lfs install --system\n";
        assert!(lines("SL101", jenkins).is_empty());
        let clone = "FROM debian:12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/* && git clone https://x/y /src\n";
        assert_eq!(lines("SL101", clone), vec![2]);
    }

    /// A vendor's `*-dev` channel package (a browser's) is not a headers package; the
    /// distribution's `lib*-dev` and `python3-dev` still are, vendor repository or not.
    #[test]
    fn vendor_dev_channel_packages_are_not_toolchains() {
        use crate::lint::rules::testing::lines;
        let edge = "FROM debian:12-slim\nRUN curl -fsSL https://packages.microsoft.com/keys/microsoft.asc | gpg --dearmor -o /usr/share/keyrings/ms.gpg && echo 'deb [signed-by=/usr/share/keyrings/ms.gpg] https://packages.microsoft.com/repos/edge stable main' > /etc/apt/sources.list.d/microsoft-edge.list && apt-get update && apt-get install -y --no-install-recommends microsoft-edge-dev && rm -rf /var/lib/apt/lists/*\n";
        assert!(lines("SL101", edge).is_empty());
        let split = "FROM debian:12-slim\nRUN echo 'deb https://brave-browser-apt-release.s3.brave.com/ stable main' | tee /etc/apt/sources.list.d/brave.list\nRUN apt-get update && apt-get install -y brave-browser-dev libssl-dev python3-dev && rm -rf /var/lib/apt/lists/*\n";
        let m = crate::lint::rules::testing::messages("SL101", split);
        assert!(
            m.len() == 1
                && m[0].1.contains("libssl-dev")
                && m[0].1.contains("python3-dev")
                && !m[0].1.contains("brave"),
            "{m:?}"
        );
        // without a vendor repository a `-dev` is the distribution's
        assert_eq!(lines("SL101", "FROM debian:12-slim\nRUN apt-get update && apt-get install -y uuid-dev && rm -rf /var/lib/apt/lists/*\n"), vec![2]);
    }

    use crate::lint::rules::testing::{lines, messages};

    #[test]
    fn flags_toolchain_in_final_stage() {
        let m = messages("SL101", "FROM python:3.9\nWORKDIR /app\nRUN apt update && apt install -y build-essential\n");
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].0, 3);
        assert!(m[0].1.contains("`build-essential`") && m[0].1.contains("final stage"), "{}", m[0].1);
        assert_eq!(lines("SL101", "FROM alpine:3\nRUN apk add --no-cache gcc musl-dev\n"), vec![2]);
        assert_eq!(lines("SL101", "FROM fedora:40\nRUN dnf install -y zlib-devel && dnf clean all\n"), vec![2]);
    }

    #[test]
    fn builder_stages_are_not_flagged() {
        let text = "FROM python:3.9 AS build\nRUN apt-get update && apt-get install -y build-essential\nFROM python:3.9-slim\nCOPY --from=build /venv /venv\n";
        assert!(lines("SL101", text).is_empty());
    }

    #[test]
    fn inherited_stage_ships() {
        let text = "FROM debian:12 AS base\nRUN apt-get install -y gcc\nFROM base\nCMD [\"x\"]\n";
        let m = messages("SL101", text);
        assert_eq!(m[0].0, 2);
        assert!(m[0].1.contains("stage `base`"));
    }

    /// A package list an ARG or ENV of the stage gives (pyload's `ARG APK_PACKAGES="curl-dev
    /// …"`, then `apk add $APK_PACKAGES`) is read as Docker hands it to the RUN: a global ARG
    /// only where the stage declares it again; a stage's ENV in the stages built FROM it.
    #[test]
    fn packages_an_arg_or_env_names_are_read() {
        let arg =
            "FROM alpine:3.20\nARG PACKAGES=\"curl-dev ffmpeg\"\nRUN apk add --no-cache $PACKAGES\nCMD [\"app\"]\n";
        let m = messages("SL101", arg);
        assert!(m.len() == 1 && m[0].1.contains("`curl-dev`") && !m[0].1.contains("ffmpeg"), "{m:?}");
        // a global ARG the stage does not declare again is empty in its RUNs
        let global = "ARG PACKAGES=\"curl-dev ffmpeg\"\nFROM alpine:3.20\nRUN apk add --no-cache $PACKAGES\n";
        assert!(lines("SL101", global).is_empty());
        assert_eq!(lines("SL101", &global.replace("3.20\n", "3.20\nARG PACKAGES\n")), vec![4]);
        // an ENV of the stage the final one is built FROM
        let env =
            "FROM debian:12 AS base\nENV BUILD_DEPS=\"gcc make\"\nFROM base\nRUN apt-get install -y ${BUILD_DEPS}\n";
        assert_eq!(lines("SL101", env), vec![4]);
        // installed and removed through the same variable: nothing ships
        let purged = arg.replace("$PACKAGES\n", "$PACKAGES && apk del $PACKAGES\n");
        assert!(lines("SL101", &purged).is_empty());
    }
    #[test]
    fn toolchain_base_image_in_final_stage() {
        assert_eq!(lines("SL101", "FROM golang:1.22\nRUN go build -o /app .\n"), vec![1]);
        assert_eq!(lines("SL101", "FROM eclipse-temurin:21\n"), vec![1]);
        assert!(lines("SL101", "FROM eclipse-temurin:21-jre\n").is_empty());
        assert!(lines("SL101", "FROM golang:1.22 AS b\nFROM scratch\nCOPY --from=b /a /a\n").is_empty());
    }

    #[test]
    fn same_run_removal_ships_nothing() {
        let official = "FROM debian:bookworm-slim\nRUN set -eux; savedAptMark=\"$(apt-mark showmanual)\"; apt-get update; apt-get install -y --no-install-recommends gcc libc6-dev make wget; make; apt-mark auto '.*' > /dev/null; [ -z \"$savedAptMark\" ] || apt-mark manual $savedAptMark; apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false; rm -rf /var/lib/apt/lists/*\nCMD [\"redis-server\"]\n";
        assert!(lines("SL101", official).is_empty(), "{:?}", messages("SL101", official));
        let alpine = "FROM alpine:3.20\nRUN apk add --no-cache --virtual .build-deps gcc make musl-dev && make && apk del --no-network .build-deps\n";
        assert!(lines("SL101", alpine).is_empty());
        // only some removed: the rest is named
        let m = messages("SL101", "FROM alpine:3.20\nRUN apk add gcc make && make && apk del gcc\n");
        assert!(m.len() == 1 && m[0].1.starts_with("`make` is a build-only"), "{m:?}");
    }

    #[test]
    fn conditional_and_later_removals_still_ship() {
        let m =
            messages("SL101", "FROM alpine:3.20\nRUN apk add -t .b gcc; if [ -z \"$DEBUG\" ]; then apk del .b; fi\n");
        assert!(m[0].1.contains("removed only if a condition holds") && m[0].1.contains("may ship"), "{m:?}");
        let m = messages("SL101", "FROM debian:12\nRUN apt-get install -y gcc && make\nRUN apt-get purge -y gcc\n");
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].0, 2);
        assert!(m[0].1.contains("line 3 removes it, but a later layer cannot shrink this one"), "{m:?}");
    }

    #[test]
    fn runtime_packages_and_git_used_at_runtime_are_fine() {
        assert!(
            lines("SL101", "FROM debian:12\nRUN apt-get install -y curl libpq5 openjdk-17-jre-headless\n").is_empty()
        );
        // git fetching sources in a RUN is a build tool; git no RUN uses may be the program's
        assert_eq!(
            lines("SL101", "FROM debian:12\nRUN apt-get install -y git && git clone https://x/y.git /y\n"),
            vec![2]
        );
        assert_eq!(lines("SL101", "FROM golang:1.22-alpine AS b\nFROM debian:12\nRUN apt-get install -y git\nRUN git clone https://x/y /y && make -C /y\n"), vec![3]);
        assert!(lines("SL101", "FROM debian:12\nRUN apt-get install -y git\n").is_empty());
        assert!(lines(
            "SL101",
            "FROM debian:12\nRUN apt-get install -y git && git clone https://x/y /y\nENTRYPOINT [\"git\"]\n"
        )
        .is_empty());
    }
}

#[cfg(test)]
mod rust_tests {
    use crate::lint::rules::testing::{lines, messages};

    /// mkdocs-material (round 71): the image is the build stage squashed into `scratch`
    /// (`COPY --from=build / /`), so the `-dev` packages it keeps ship; what a later RUN of
    /// the squashed lineage removes does not (home-assistant's Python build: `apk del
    /// .build-deps` a RUN after the install), though in layers it would.
    #[test]
    fn a_squashed_stage_ships_flattened() {
        let squash = "FROM python:3.11-alpine AS build\nRUN apk add --no-cache cairo freetype-dev && apk add --no-cache --virtual .build gcc musl-dev && pip install . && apk del .build\nFROM scratch\nCOPY --from=build / /\nENTRYPOINT [\"mkdocs\"]\n";
        let m = messages("SL101", squash);
        assert!(m.len() == 1 && m[0].0 == 2 && m[0].1.contains("`freetype-dev`") && !m[0].1.contains("gcc"), "{m:?}");
        let later = "FROM alpine:3.20 AS build\nRUN apk add --virtual .build-deps gcc make\nRUN make install\nRUN apk del .build-deps\nFROM scratch\nCOPY --from=build / /\n";
        assert!(lines("SL101", later).is_empty(), "{:?}", messages("SL101", later));
        let layered = later.replace("FROM scratch\nCOPY --from=build / /\n", "");
        assert_eq!(lines("SL101", &layered), vec![2]);
        // copied into a folder, the files are not the image's system
        let folder = later.replace("COPY --from=build / /", "COPY --from=build / /rootfs");
        assert!(lines("SL101", &folder).is_empty());
    }

    /// Watcher (round 61): rustup piped to a shell in the shipped stage, nothing removes it.
    #[test]
    fn rustup_left_in_a_shipped_stage_is_flagged() {
        let watcher = "FROM python:3.12-slim-bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\nRUN curl https://sh.rustup.rs -sSf | sh -s -- -y\nENV PATH=\"/root/.cargo/bin:${PATH}\"\nCMD [\"python\", \"manage.py\", \"runserver\"]\n";
        let m = messages("SL101", watcher);
        assert!(m.len() == 1 && m[0].0 == 3 && m[0].1.contains("Rust toolchain"), "{m:?}");
        // with a package in the same RUN: one finding that names both
        let both = "FROM debian:12-slim\nRUN apt-get install -y gcc && curl https://sh.rustup.rs -sSf | sh -s -- -y\n";
        let m = messages("SL101", both);
        assert!(m.len() == 1 && m[0].1.contains("`gcc`") && m[0].1.contains("rustup"), "{m:?}");
        // a package removed only under a condition keeps the rustup note too
        let maybe = "FROM alpine:3.20\nRUN apk add -t .b gcc; if [ -z \"$DEBUG\" ]; then apk del .b; fi; curl https://sh.rustup.rs -sSf | sh -s -- -y\n";
        let m = messages("SL101", maybe);
        assert!(m.len() == 1 && m[0].1.contains("may ship") && m[0].1.contains("rustup"), "{m:?}");
        // in a build stage it is the build's
        let staged = "FROM debian:12 AS build\nRUN curl https://sh.rustup.rs -sSf | sh -s -- -y\nFROM debian:12-slim\nCOPY --from=build /root/.cargo/bin/x /x\n";
        assert!(lines("SL101", staged).is_empty());
    }

    /// Removed in the same RUN: the official ruby images' `/tmp/rust`, the default home,
    /// `rustup self uninstall`; a removal in a later RUN or of `~/.cargo` alone still ships.
    #[test]
    fn rustup_removed_in_the_same_run_ships_nothing() {
        let ruby = "FROM debian:12-slim\nRUN set -eux; mkdir -p /tmp/rust; wget -O /tmp/rust/rustup-init \"$rustupUrl\"; chmod +x /tmp/rust/rustup-init; export RUSTUP_HOME='/tmp/rust/rustup' CARGO_HOME='/tmp/rust/cargo'; export PATH=\"$CARGO_HOME/bin:$PATH\"; /tmp/rust/rustup-init -y --no-modify-path --profile minimal; make; rm -rf /tmp/rust\n";
        assert!(lines("SL101", ruby).is_empty(), "{:?}", messages("SL101", ruby));
        let home = "FROM debian:12-slim\nRUN curl https://sh.rustup.rs -sSf | sh -s -- -y && $HOME/.cargo/bin/cargo install x && rm -rf ~/.rustup ~/.cargo\n";
        assert!(lines("SL101", home).is_empty());
        let uninstall = "FROM debian:12-slim\nRUN curl https://sh.rustup.rs -sSf | sh -s -- -y && cargo build && rustup self uninstall -y\n";
        assert!(lines("SL101", uninstall).is_empty());
        let env = "FROM debian:12-slim\nENV RUSTUP_HOME=/opt/rustup CARGO_HOME=/opt/cargo\nRUN curl https://sh.rustup.rs -sSf | sh -s -- -y && cargo build && rm -rf $RUSTUP_HOME $CARGO_HOME\n";
        assert!(lines("SL101", env).is_empty());
        let later = "FROM debian:12-slim\nRUN curl https://sh.rustup.rs -sSf | sh -s -- -y\nRUN rm -rf /root/.rustup\n";
        assert_eq!(lines("SL101", later), vec![2]);
        let cargo_only =
            "FROM debian:12-slim\nRUN curl https://sh.rustup.rs -sSf | sh -s -- -y && rm -rf ~/.cargo/registry\n";
        assert_eq!(lines("SL101", cargo_only), vec![2]);
    }

    /// Round 76 (LibreBooking, held out): the RUN runs a script of the build context that
    /// installs `-dev` packages and removes none: they ship, named at the RUN with the
    /// script. A script that cleans up after itself (what it keeps, it keeps on purpose) is
    /// not read so; given arguments (which may choose a branch), only its installs under no
    /// condition are (camptocamp's `dev_package.sh core`, round 78; Mycodo's subcommands).
    #[test]
    fn a_script_the_run_runs_installs_the_toolchain() {
        let text = "FROM php:8.3-apache\nCOPY bin/build_sys.sh /usr/local/bin/\nRUN bash /usr/local/bin/build_sys.sh\n";
        let build = "#!/bin/bash\nset -e\napt-get update\napt-get install -y libpng-dev unzip\ndocker-php-ext-install gd\napt-get clean\n";
        let with = |script: &str| crate::lint::LintConfig {
            run_scripts: vec![("/usr/local/bin/build_sys.sh".into(), script.into())],
            ..Default::default()
        };
        let sl101 = |text: &str, cfg: &crate::lint::LintConfig| -> Vec<(usize, String)> {
            crate::lint::lint_text(text, "D", cfg)
                .into_iter()
                .filter(|f| f.code == "SL101")
                .map(|f| (f.line, f.message))
                .collect()
        };
        let found = sl101(text, &with(build));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 3);
        assert!(
            found[0].1.contains("(`libpng-dev` installed by `/usr/local/bin/build_sys.sh`, which this RUN runs)"),
            "{}",
            found[0].1
        );
        assert!(!found[0].1.contains("unzip"), "{}", found[0].1);
        // with arguments: an install under no condition is read, one in a branch is not
        let with_args = text.replace("build_sys.sh\n", "build_sys.sh gd\n");
        assert_eq!(sl101(&with_args, &with(build)).len(), 1);
        let branch = build
            .replace("apt-get install -y libpng-dev unzip", "case \"$1\" in gd) apt-get install -y libpng-dev ;; esac");
        assert!(sl101(&with_args, &with(&branch)).is_empty());
        assert_eq!(sl101(text, &with(&branch)).len(), 1);
        // unread: cleaning up after itself, or not in the context
        let purges = build.replace("apt-get clean", "apt-get purge -y libpng-dev");
        assert!(sl101(text, &with(&purges)).is_empty());
        let keeps = build.replace("apt-get clean", "apt-get purge -y libjpeg-dev");
        assert!(sl101(text, &with(&keeps)).is_empty());
        assert!(lines("SL101", text).is_empty());
    }
}
