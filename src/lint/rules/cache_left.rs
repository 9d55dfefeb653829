//! ## What it does
//! Flags a RUN that leaves a package manager's cache in a stage that ships (the final stage
//! or a stage it is built `FROM`): apt lists without `rm -rf /var/lib/apt/lists/*` (DL3009),
//! pip without `--no-cache-dir` (DL3042), `apk add` without `--no-cache` (DL3019), yum/dnf/
//! microdnf without `clean all` (DL3032, DL3040), yarn without `yarn cache clean` (DL3060),
//! npm without `npm cache clean --force`, Poetry without `--no-cache` (~/.cache/pypoetry or
//! POETRY_CACHE_DIR), uv without `--no-cache` or UV_NO_CACHE (~/.cache/uv or UV_CACHE_DIR),
//! Composer without `composer clear-cache` or `--no-cache` (~/.cache/composer or
//! ~/.composer/cache, COMPOSER_CACHE_DIR or COMPOSER_HOME's `cache`; `/dev/null` is none),
//! and Playwright's `install --with-deps` (it runs apt itself and leaves the lists; so does
//! `install-deps`). A `RUN --mount=type=cache` on the cache's folder (or a folder above it),
//! `PIP_NO_CACHE_DIR` set by ENV (any value: pip reads `off` and `0` as "no cache" too), a
//! `pip.conf` an earlier RUN (or a script of the build context it runs) writes with
//! `no-cache-dir` (any value, `false` too), or
//! `pip cache purge` in the same RUN, counts as clean (`npm cache clear` and `npm cache rm`
//! are npm's names for `npm cache clean`). So does an ENV the repository's own image sets,
//! when the stage is built FROM it (alerta's examples on `alerta/alerta-web`), and a script
//! of the build context the RUN runs that removes the cache (photoprism's RUNs end with
//! `/scripts/cleanup.sh`, which a COPY brought and which removes the apt lists).
//!
//! A command that runs only in a branch a build argument turns on (`if [ "$DEBUG" = 1 ]`
//! under `ARG DEBUG`) leaves nothing in the image the paths that ship it build, when none of
//! them names the argument. It counts as run when BuildKit sets the argument
//! (`TARGETPLATFORM`), when the file of a path that ships names it (a workflow's
//! `build-args`), and when no known path builds the file.
//!
//! Unlike hadolint (issues #929, #1056), a builder stage is never flagged: its cache does
//! not ship, and keeping it there speeds up rebuilds.
//!
//! ## Why it matters
//! Caches are only useful while building. apt lists are 20–50 MB, a pip cache holds every
//! wheel it downloaded; they ship in the layer that created them even if a later RUN deletes
//! them.
//!
//! ## Example
//! ```dockerfile
//! FROM python:3.12-slim
//! RUN apt-get update && apt-get install -y --no-install-recommends libpq5
//! RUN pip install flask
//! ```
//!
//! ## Fix
//! Options count wherever pip and npm take them: `pip --no-cache-dir install`, `python3 -m
//! pip --no-cache-dir install`, `--cache-dir DIR` or `npm --cache DIR install` (the cache is
//! then DIR, cleared by removing or mounting it). A vendor's apt setup script piped to a
//! shell (`curl … deb.nodesource.com/setup_20.x | bash -`) runs `apt-get update` itself: its
//! RUN is where the package lists are left, not the later `apt-get install` that reads them.
//! Only a RUN that fetches the lists (`apt-get update`, `add-apt-repository`, such a script)
//! leaves them: an install in a later RUN reads them and adds none, and removing them there
//! would free nothing (hadolint's DL3009 flags every install).
//!
//! Clean up in the same RUN (`&& rm -rf /var/lib/apt/lists/*`, `pip install --no-cache-dir`,
//! `apk add --no-cache`), or use `RUN --mount=type=cache,target=…`.
//!
//! Fixes offered (`shiplight lint --fix`, review suggestions): `--no-cache-dir` after each
//! `pip install`, `--no-cache` after each `apk add`, and `&& rm -rf /var/lib/apt/lists/*`,
//! `&& yum|dnf|microdnf clean all`, `&& yarn cache clean` or `&& npm cache clean --force` after
//! the RUN's last command. None when that last command runs only conditionally (in `if`,
//! after `||`), when pip or npm were given a cache folder of their own, or when the command
//! is in a heredoc body. None for the apt lists when a later RUN installs from them without
//! an `apt-get update` of its own: the fix names that line, to update there first.

use crate::dockerfile::edit::Edit;
use crate::dockerfile::packages::{node_install, option_value, pip_options, system_install, Manager};
use crate::dockerfile::shell::{Script, SimpleCommand};
use crate::dockerfile::{Body, Instruction};
use crate::lint::{Ctx, Hit};
use crate::patch::edits;

/// The command that removes the apt package lists.
const APT_LISTS: &str = "rm -rf /var/lib/apt/lists/*";

/// Whether a RUN runs a vendor's apt setup script (`curl … deb.nodesource.com/setup_20.x |
/// bash -`, packagecloud's `script.deb.sh`, `get.docker.com`): such scripts add their
/// repository and run `apt-get update` themselves, leaving the package lists in this layer.
fn runs_apt_setup_script(script: &Script) -> bool {
    let vendor =
        script.commands.iter().flat_map(|c| c.words.iter()).any(|w| crate::dockerfile::roles::vendor_apt_setup_url(w));
    vendor && script.commands.iter().any(|c| matches!(c.program(), "sh" | "bash" | "dash"))
}

/// The line of the first later RUN, in the stage or a stage built FROM it, that installs
/// with apt from the lists `ins` left: an install before any `apt-get update` of its own (or
/// a source set-up that fetches them).
fn installs_from_these_lists(ctx: &Ctx, stage: &crate::dockerfile::Stage, ins: &Instruction) -> Option<usize> {
    let fetches = |c: &SimpleCommand| {
        (matches!(Manager::of(c), Some(m) if m.is_apt()) && c.subcommand() == Some("update"))
            || c.program() == "add-apt-repository"
    };
    let after =
        ctx.df.stages.iter().filter(|s| s.index == stage.index || ctx.graph.lineage(s.index).contains(&stage.index));
    after.flat_map(|s| ctx.runs(s)).filter(|(later, _)| later.line > ins.line).find_map(|(later, script)| {
        let first_fetch = script.commands.iter().position(fetches).unwrap_or(usize::MAX);
        let installs = script
            .commands
            .iter()
            .take(first_fetch)
            .any(|c| system_install(c).is_some_and(|(m, pkgs)| m.is_apt() && !pkgs.is_empty()));
        (installs && !runs_apt_setup_script(script)).then_some(later.line)
    })
}

/// The fix for the apt lists a RUN leaves, and its edit: `fix` with the removal appended,
/// unless a later RUN installs from those lists without fetching its own (sharetribe's
/// `apt-get install -y nginx libvips`, 55 lines on), which would fail without them: then no
/// edit, and the fix says to update there first.
fn lists_fix(
    ctx: &Ctx,
    stage: &crate::dockerfile::Stage,
    ins: &Instruction,
    script: &Script,
    fix: &str,
) -> (String, Vec<Edit>) {
    match installs_from_these_lists(ctx, stage, ins) {
        Some(at) => (
            format!("line {at} installs from these lists without `apt-get update`: add it there, then end this RUN with `&& rm -rf /var/lib/apt/lists/*`"),
            Vec::new(),
        ),
        None => (fix.to_owned(), edits::append_command(ins, script, APT_LISTS).into_iter().collect()),
    }
}

/// The cache a Red Hat family manager's install leaves, unless the RUN cleans it (`clean
/// all`, removing /var/cache/yum or dnf — `removed` — or a cache mount on /var/cache): its
/// hadolint alias, the cache, the fix and its edit.
fn yum_cache_left(
    ctx: &Ctx,
    stage: &crate::dockerfile::Stage,
    ins: &Instruction,
    script: &Script,
    m: Manager,
    removed: bool,
) -> Option<(Option<&'static str>, String, String, Vec<Edit>)> {
    let tool = match m {
        Manager::Yum => "yum",
        Manager::Dnf => "dnf",
        _ => "microdnf",
    };
    let cleans = script.calls(&["yum", "dnf", "microdnf"]).any(|c| c.subcommand() == Some("clean")) || removed;
    if cleans || ins.mounts_away("/var/cache") {
        return None;
    }
    let alias = if m == Manager::Yum { "DL3032" } else { "DL3040" };
    Some((
        Some(alias),
        format!("the {tool} cache (/var/cache/{})", yum_cache_dir(ctx, stage, m)),
        format!("end the RUN with `&& {tool} clean all`"),
        edits::append_command(ins, script, &format!("{tool} clean all")).into_iter().collect(),
    ))
}

/// Where a Red Hat family manager keeps its cache: dnf (and `yum`, which is dnf from
/// RHEL 8, Fedora and their rebuilds on) in /var/cache/dnf; microdnf and the old yum in
/// /var/cache/yum.
fn yum_cache_dir(ctx: &Ctx, stage: &crate::dockerfile::Stage, m: Manager) -> &'static str {
    let yum_is_dnf = || {
        ctx.graph.root_image(stage.index).is_some_and(|img| {
            let r = crate::dockerfile::ImageRef::parse(img);
            let name = r.repository.rsplit('/').next().unwrap_or_default().to_ascii_lowercase();
            let tag = r.tag.as_deref().unwrap_or("");
            let major = tag.split(['.', '-']).next().and_then(|v| v.parse::<u32>().ok());
            name.starts_with("ubi")
                || matches!(name.as_str(), "fedora" | "almalinux" | "rockylinux")
                || (matches!(name.as_str(), "centos" | "oraclelinux")
                    && (tag.starts_with("stream") || major.is_some_and(|v| v >= 8)))
        })
    };
    match m {
        Manager::Dnf => "dnf",
        Manager::Yum if yum_is_dnf() => "dnf",
        _ => "yum",
    }
}

/// The scripts of the build context a RUN runs (`/scripts/cleanup.sh`, `./clean.sh`), as
/// the configuration read them ([`crate::lint::LintConfig::run_scripts`]), parsed.
fn ran_scripts(ctx: &Ctx, script: &Script) -> Vec<Script> {
    // and the scripts a shell runs inline (`sudo bash -c "… && rm -rf /var/lib/apt/lists/*"`)
    let mut out: Vec<Script> = script
        .commands
        .iter()
        .filter_map(crate::dockerfile::roles::inline_text)
        .map(crate::dockerfile::shell::parse)
        .collect();
    out.extend(super::support::context_scripts(ctx, script).into_iter().map(|s| s.script));
    out
}

/// Whether a RUN leaves apk's index in /var/cache/apk: `apk update`, or `apk add` without
/// `--no-cache`, that does not remove the folder or mount it away.
fn fetches_apk_index(ins: &crate::dockerfile::Instruction, script: &Script) -> bool {
    script.calls(&["apk"]).any(|c| matches!(c.subcommand(), Some("update" | "add")) && !c.has_flag(&["--no-cache"]))
        && !removes_path(script, "/var/cache/apk")
        && !ins.mounts_away("/var/cache/apk")
}

/// Whether the user a RUN runs as is not root: the last USER before it in its stage's
/// lineage names another user. Such a RUN cannot write the system package manager's
/// caches (`/var/lib/apt`, `/var/cache`) unless it uses sudo.
fn runs_unprivileged(ctx: &Ctx, stage: &crate::dockerfile::Stage, line: usize) -> bool {
    let user = ctx
        .graph
        .lineage(stage.index)
        .iter()
        .flat_map(|&i| ctx.df.stages[i].of_kind(crate::dockerfile::Kind::User))
        .rfind(|u| u.line < line || !stage.instructions.iter().any(|i| i.line == u.line))
        .and_then(|u| u.words().first().cloned());
    user.is_some_and(|u| !matches!(u.split(':').next().unwrap_or(""), "root" | "0" | ""))
}

/// Whether a text writes pip's configuration with `no-cache-dir` set: a `pip.conf` (or
/// `pip.ini`) it writes holding the option, or `pip config set global.no-cache-dir`. Any
/// value turns the cache off, `false` too, as pip documents for its negative options
/// (camptocamp's `setup-pip.sh` writes `no-cache-dir = false` to `/etc/pip.conf`; round 78).
fn configures_no_pip_cache(text: &str) -> bool {
    // (lines written with `printf`/`echo -e` escapes count as lines)
    let lower = text.to_ascii_lowercase().replace("\\n", "\n");
    let option = lower.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("no-cache-dir") && l["no-cache-dir".len()..].trim_start().starts_with('=')
    });
    (option && (lower.contains("pip.conf") || lower.contains("pip.ini")))
        || lower.contains("config set global.no-cache-dir")
}

/// Whether a RUN of the stage's lineage up to `upto` (the RUN itself included: a set-up
/// script it runs first), or a script of the build context one runs, configures pip without
/// a cache ([`configures_no_pip_cache`]).
fn pip_config_off(ctx: &Ctx, stage: &crate::dockerfile::Stage, upto: &Instruction) -> bool {
    for si in ctx.graph.lineage(stage.index) {
        for (ins, script) in ctx.runs(&ctx.df.stages[si]) {
            let scripts = super::support::context_scripts(ctx, script);
            let texts = scripts.iter().filter_map(|s| ctx.config.run_scripts.iter().find(|(p, _)| p == s.path));
            if configures_no_pip_cache(&ctx.df.text[ins.span.clone()])
                || texts.into_iter().any(|(_, t)| configures_no_pip_cache(t))
            {
                return true;
            }
            if std::ptr::eq(ins, upto) {
                return false;
            }
        }
    }
    false
}

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for stage in ctx.shipped() {
        // pip disables its cache for any value of PIP_NO_CACHE_DIR, "off" and "0" too (for
        // compatibility: pip's `_handle_no_cache_dir`, galaxy_ng's `PIP_NO_CACHE_DIR=off`)
        let pip_env_off = ctx.env(stage, "PIP_NO_CACHE_DIR").is_some_and(|v| !v.trim_matches('"').is_empty());
        let home = home(ctx, stage);
        // apk's index, once an earlier RUN of the lineage fetched it, is read, not fetched again
        let mut apk_index = ran_before(ctx, stage, fetches_apk_index);
        // Composer, once an earlier RUN of the lineage installed the project, finds its
        // packages in `vendor/` and downloads nothing again (round 84's Paymenter: `composer
        // install --no-scripts`, then `COPY . ./` and `composer install --optimize-autoloader`)
        let mut composer_ran = ran_before(ctx, stage, |_, s| s.commands.iter().any(installs_with_composer));
        for (ins, script) in ctx.runs(stage) {
            let apk_index_before = apk_index;
            apk_index |= fetches_apk_index(ins, script);
            let composer_ran_before = composer_ran;
            composer_ran |= script.commands.iter().any(installs_with_composer);
            // as another user, without sudo, the system managers can write no cache
            let system_caches = !runs_unprivileged(ctx, stage, ins.line) || script.calls(&["sudo"]).next().is_some();
            // (or a script of the build context the RUN runs: photoprism's `/scripts/cleanup.sh`)
            let removes = |path: &str| {
                removes_path(script, path) || ran_scripts(ctx, script).iter().any(|s| removes_path(s, path))
            };
            let mut push = |alias: Option<&'static str>, cache: &str, fix: &str, edits: Vec<Edit>| {
                let hit = Hit::on(ins, stage, format!("this RUN leaves {cache} in a stage that ships"))
                    .fix(fix.to_owned())
                    .edits(edits);
                out.push(match alias {
                    Some(a) => hit.alias(a),
                    None => hit,
                });
            };
            let mut seen = Vec::new();
            let in_heredoc = matches!(&ins.body, Body::Run { heredocs, .. } if !heredocs.is_empty());
            let dist_clean = script
                .calls(&["apt-get", "apt"])
                .any(|c| c.subcommand() == Some("dist-clean") || c.subcommand() == Some("distclean"));
            let lists_cleared = removes("/var/lib/apt/lists") || dist_clean || ins.mounts_away("/var/lib/apt");
            // the lists are written by `apt-get update` (and `add-apt-repository`, which runs
            // it); an install only reads them, so a RUN that installs without updating
            // leaves none of its own: they are in the layer of the RUN that fetched them
            let updates = script.commands.iter().any(|c| {
                (matches!(Manager::of(c), Some(m) if m.is_apt()) && c.subcommand() == Some("update"))
                    || (c.program() == "add-apt-repository"
                        && !c.args().iter().any(|a| a == "-n" || a == "--no-update"))
            });
            // the lists an installer the RUN runs fetched itself (a vendor's apt setup script,
            // Playwright's `--with-deps`)
            if system_caches && !lists_cleared {
                if let Some((cache, fix)) = lists_fetched_by_an_installer(script) {
                    let (fix, edits) = lists_fix(ctx, stage, ins, script, fix);
                    push(Some("DL3009"), cache, &fix, edits);
                }
            }
            if system_caches && (runs_playwright_deps(script) || runs_apt_setup_script(script)) {
                seen.push("apt");
            }
            let pip_off = pip_env_off || pip_config_off(ctx, stage, ins);
            if let Some(fix) = run_pip_cache_left(ctx, stage, ins, script, (&home, pip_off), in_heredoc) {
                push(
                    Some("DL3042"),
                    "the pip cache (~/.cache/pip)",
                    "use `pip install --no-cache-dir` (or set `ENV PIP_NO_CACHE_DIR=1`)",
                    fix,
                );
            }
            for (at, cmd) in script.commands.iter().enumerate() {
                // a cache only a build argument's branch fills is in no image built without it
                if ctx.off_by_default(stage, ins, script, at) {
                    continue;
                }
                let apt_update =
                    matches!(Manager::of(cmd), Some(m) if m.is_apt()) && cmd.subcommand() == Some("update");
                let install = system_install(cmd);
                let apk_update = Manager::of(cmd) == Some(Manager::Apk) && cmd.subcommand() == Some("update");
                let manager = install
                    .as_ref()
                    .map(|(m, _)| *m)
                    .or(apt_update.then_some(Manager::AptGet))
                    .or(apk_update.then_some(Manager::Apk));
                match manager {
                    _ if !system_caches => {}
                    Some(m) if m.is_apt() && !seen.contains(&"apt") => {
                        seen.push("apt");
                        // apt 2.7+'s `apt-get dist-clean` removes the lists too
                        if updates && !lists_cleared {
                            let fix = "end the RUN with `&& rm -rf /var/lib/apt/lists/*`";
                            let (fix, edits) = lists_fix(ctx, stage, ins, script, fix);
                            push(Some("DL3009"), "the apt package lists (/var/lib/apt/lists)", &fix, edits);
                        }
                    }
                    Some(Manager::Apk) if !seen.contains(&"apk") => {
                        seen.push("apk");
                        if !cmd.has_flag(&["--no-cache"])
                            && !removes("/var/cache/apk")
                            && !ins.mounts_away("/var/cache/apk")
                            && !apk_index_before
                        {
                            // every `apk add` of the RUN gets the flag
                            let flags = script
                                .commands
                                .iter()
                                .filter(|c| Manager::of(c) == Some(Manager::Apk) && !c.has_flag(&["--no-cache"]))
                                .filter_map(|c| edits::flag_after(ins, c, edits::verb_index(c, "add")?, "--no-cache"))
                                .collect();
                            push(Some("DL3019"), "the apk cache (/var/cache/apk)", "use `apk add --no-cache`", flags);
                        }
                    }
                    Some(m @ (Manager::Yum | Manager::Dnf | Manager::Microdnf)) if !seen.contains(&"yum") => {
                        seen.push("yum");
                        let removed = removes("/var/cache/yum") || removes("/var/cache/dnf");
                        if let Some((alias, cache, fix, edits)) = yum_cache_left(ctx, stage, ins, script, m, removed) {
                            push(alias, &cache, &fix, edits);
                        }
                    }
                    _ => {}
                }
                if let Some((tool, cache)) = project_tool_cache_left(ctx, stage, ins, script, cmd) {
                    let installed_before = tool == "composer" && composer_ran_before;
                    if !seen.contains(&tool) && !installed_before {
                        seen.push(tool);
                        let fix = match tool {
                            "poetry" => {
                                "use `poetry install --no-cache`, or remove the cache in this RUN, or use a cache mount"
                            }
                            "composer" => {
                                "end the RUN with `composer clear-cache` (as the user that installed), or use a cache mount"
                            }
                            _ => "use `uv … --no-cache` (or set `ENV UV_NO_CACHE=1`), or use a cache mount",
                        };
                        push(None, &cache, fix, Vec::new());
                    }
                }
                if let Some(tool) = node_cache_tool(cmd) {
                    let tool = match tool {
                        "yarn" => "yarn",
                        "npm" => "npm",
                        _ => "",
                    };
                    if !tool.is_empty() && !seen.contains(&tool) {
                        seen.push(tool);
                        if let Some((alias, cache, fix, edits)) = node_cache_left(ins, script, cmd, (tool, &home)) {
                            push(alias, cache, fix, edits);
                        }
                    }
                }
            }
        }
    }
}

/// Whether the RUN's first pip install (one a build argument's branch runs only is none)
/// leaves pip's cache, and the edits that fix it; else the first one a shell of the RUN runs
/// inline ([`inline_pip_cache_left`]).
fn run_pip_cache_left(
    ctx: &Ctx,
    stage: &crate::dockerfile::Stage,
    ins: &Instruction,
    script: &Script,
    (home, pip_env_off): (&str, bool),
    in_heredoc: bool,
) -> Option<Vec<Edit>> {
    let first = script
        .commands
        .iter()
        .enumerate()
        .filter(|(at, _)| !ctx.off_by_default(stage, ins, script, *at))
        .find_map(|(_, c)| pip_options(c));
    match first {
        Some(options) => pip_cache_left(ins, script, options, (home, pip_env_off), in_heredoc),
        // pip run by a shell inline (`bash -c "python3 -m pip install … && pip install
        // supervisor"`, round 65's SEED): its cache is left all the same
        None => inline_pip_cache_left(ins, script, (home, pip_env_off)),
    }
}

/// Whether the first pip install a shell of the RUN runs inline leaves pip's cache, read
/// with the RUN's commands and the inline scripts' together (a clean-up in either counts);
/// no edit is made inside the quotes.
fn inline_pip_cache_left(ins: &Instruction, script: &Script, home_off: (&str, bool)) -> Option<Vec<Edit>> {
    let inline: Vec<Script> = script
        .commands
        .iter()
        .filter_map(crate::dockerfile::roles::inline_text)
        .map(crate::dockerfile::shell::parse)
        .collect();
    let options = inline.iter().flat_map(|s| &s.commands).find_map(pip_options)?;
    let mut together = script.clone();
    together.commands.extend(inline.iter().flat_map(|s| s.commands.iter().cloned()));
    pip_cache_left(ins, &together, options, home_off, true)
}

/// Whether the first pip install of a RUN leaves pip's cache in its layer, and if so the
/// edits that fix it: none for a moved cache (the user's choice) or a heredoc body (left as
/// written). The cache is under `home`, the HOME the stage runs with.
fn pip_cache_left(
    ins: &Instruction,
    script: &Script,
    (global, args): (&[String], &[String]),
    (home, pip_env_off): (&str, bool),
    in_heredoc: bool,
) -> Option<Vec<Edit>> {
    // pip's option parser takes any unambiguous prefix: `--no-cache` is
    // `--no-cache-dir` (`--no-c` could still be `--no-color`/`--no-compile`);
    // a global option before `install` counts the same
    let no_cache = global.iter().chain(args).any(|a| {
        let name = a.split('=').next().unwrap_or(a);
        name.len() >= "--no-cach".len() && "--no-cache-dir".starts_with(name)
    });
    // `--cache-dir DIR` moves the cache: removing or mounting DIR clears it
    let dir = option_value(global, "--cache-dir").or_else(|| option_value(args, "--cache-dir"));
    let cleared = removes_asked_cache(script, "pip")
        || match dir {
            Some(d) => removes_path(script, d) || ins.mounts_away(d),
            None => removes_home_path(script, home, ".cache") || ins.mounts_away(&format!("{home}/.cache")),
        };
    // `pip cache purge` in the same RUN empties the cache (pip 20.1+; mapproxy's images)
    let purged = script.commands.iter().any(|c| {
        let pip = c.program().starts_with("pip")
            || (c.program().starts_with("python") && c.args().windows(2).any(|w| w[0] == "-m" && w[1] == "pip"));
        pip && c.args().windows(2).any(|w| w[0] == "cache" && w[1] == "purge")
    });
    if no_cache || pip_env_off || cleared || purged {
        return None;
    }
    Some(if dir.is_none() && !in_heredoc { edits::pip_no_cache(ins, script) } else { Vec::new() })
}

/// The Node package manager whose cache an install fills: the project installs
/// ([`node_install`]), and `yarn global add bower` (osf.io, held out in round 63).
fn node_cache_tool(cmd: &SimpleCommand) -> Option<&str> {
    let words: Vec<&str> = cmd.args().iter().map(String::as_str).filter(|a| !a.starts_with('-')).collect();
    let yarn_global = cmd.program() == "yarn" && words.starts_with(&["global", "add"]);
    node_install(cmd).map(|(t, _, _)| t).or(yarn_global.then_some("yarn"))
}

/// What a yarn or npm install's cache left in its layer is reported as: the hadolint alias,
/// the cache, the fix and its edits.
type Left = (Option<&'static str>, &'static str, &'static str, Vec<Edit>);

/// Whether the first `tool` (yarn or npm) install of a RUN leaves its cache in the layer.
fn node_cache_left(
    ins: &Instruction,
    script: &Script,
    cmd: &SimpleCommand,
    (tool, home): (&str, &str),
) -> Option<Left> {
    let append = |command: &str| edits::append_command(ins, script, command).into_iter().collect::<Vec<_>>();
    if tool == "yarn" {
        let cleans = script.calls(&["yarn"]).any(|c| c.args().windows(2).any(|w| w[0] == "cache" && w[1] == "clean"))
            || removes_asked_cache(script, "yarn");
        if !cleans && !ins.mounts_away("/usr/local/share/.cache/yarn") {
            return Some((
                Some("DL3060"),
                "the yarn cache",
                "end the RUN with `&& yarn cache clean`",
                append("yarn cache clean"),
            ));
        }
        return None;
    }
    // `--cache DIR` (before or after the verb) moves the cache
    let npm_home = format!("{home}/.npm");
    let dir = option_value(cmd.args(), "--cache").unwrap_or(&npm_home);
    // (npm reads `cache clear` and `cache rm` as `cache clean`: openemr's `npm cache clear --force`)
    let cleans = script
        .calls(&["npm"])
        .any(|c| c.args().windows(2).any(|w| w[0] == "cache" && matches!(w[1].as_str(), "clean" | "clear" | "rm")))
        || removes_path(script, dir)
        || removes_asked_cache(script, "npm");
    if cleans || ins.mounts_away(dir) {
        return None;
    }
    Some((
        None,
        "the npm cache (~/.npm)",
        "end the RUN with `&& npm cache clean --force`, or use a cache mount",
        if option_value(cmd.args(), "--cache").is_none() { append("npm cache clean --force") } else { Vec::new() },
    ))
}

/// The apt lists an installer a RUN runs fetched itself, named: a vendor's setup script piped
/// to a shell, or Playwright's `--with-deps`.
fn lists_fetched_by_an_installer(script: &Script) -> Option<(&'static str, &'static str)> {
    if runs_playwright_deps(script) {
        Some((
            "the apt package lists Playwright's `--with-deps` fetched (/var/lib/apt/lists)",
            "end the RUN with `&& rm -rf /var/lib/apt/lists/*`",
        ))
    } else if runs_apt_setup_script(script) {
        Some((
            "the apt package lists its piped vendor setup script fetched (/var/lib/apt/lists)",
            "end the RUN with `&& rm -rf /var/lib/apt/lists/*`, or install and clean in this RUN",
        ))
    } else {
        None
    }
}

/// Whether a RUN has Playwright install the system packages its browsers need (`playwright
/// install --with-deps`, `playwright install-deps`, through npx, `python -m` or a package
/// runner): it runs `apt-get update` and `apt-get install` itself and leaves the lists.
fn runs_playwright_deps(script: &Script) -> bool {
    script.commands.iter().any(|c| {
        let words = c.args();
        let at = match c.program() {
            "playwright" => Some(0),
            _ => words.iter().position(|w| w == "playwright" || w.starts_with("playwright@")).map(|i| i + 1),
        };
        at.is_some_and(|at| {
            let rest = &words[at.min(words.len())..];
            rest.first().is_some_and(|w| w == "install-deps")
                || (rest.first().is_some_and(|w| w == "install") && rest.iter().any(|w| w == "--with-deps"))
        })
    })
}

/// The cache a Python project tool leaves in the layer, if it does: Poetry's (`poetry
/// install`, `add`, `update`, `sync`; ~/.cache/pypoetry or POETRY_CACHE_DIR), cleared by
/// `--no-cache` or `poetry cache clear`; uv's (`uv pip install`, `uv sync`, `uv add`, `uv
/// tool install`; ~/.cache/uv, UV_CACHE_DIR or `--cache-dir`), cleared by `--no-cache`,
/// UV_NO_CACHE, or `uv cache clean|prune`. Removing the folder (or one above it) or a cache
/// mount on it counts too. The tool and how the cache is named.
fn project_tool_cache_left(
    ctx: &Ctx,
    stage: &crate::dockerfile::Stage,
    ins: &Instruction,
    script: &Script,
    cmd: &SimpleCommand,
) -> Option<(&'static str, String)> {
    // Composer run as `php composer.phar …` takes its words after the phar
    let args = composer_args(cmd).unwrap_or_else(|| cmd.args());
    let flag = |names: &[&str]| args.iter().any(|a| names.contains(&a.split('=').next().unwrap_or(a)));
    let words: Vec<&str> = args.iter().map(String::as_str).filter(|a| !a.starts_with('-')).collect();
    let truthy = |v: Option<&str>| {
        v.is_some_and(|v| matches!(v.trim_matches('"').to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
    };
    let (tool, env_dir, default, cleans): (&'static str, &str, &str, &[&str]) = match cmd.program() {
        "poetry" if matches!(words.first(), Some(&("install" | "add" | "update" | "sync"))) => {
            if flag(&["--no-cache"]) {
                return None;
            }
            ("poetry", "POETRY_CACHE_DIR", ".cache/pypoetry", &["cache"])
        }
        "uv" if matches!(
            words.as_slice(),
            ["pip", "install" | "sync", ..] | ["sync" | "add", ..] | ["tool", "install", ..]
        ) =>
        {
            if flag(&["--no-cache", "-n", "--no-cache-dir"]) || truthy(ctx.env(stage, "UV_NO_CACHE")) {
                return None;
            }
            ("uv", "UV_CACHE_DIR", ".cache/uv", &["cache"])
        }
        _ if installs_with_composer(cmd) => {
            if flag(&["--no-cache"]) {
                return None;
            }
            ("composer", "COMPOSER_CACHE_DIR", ".cache/composer", &["clear-cache", "clearcache", "cc"])
        }
        _ => return None,
    };
    // a value the command is given, or the RUN exports before it (docker-library's drupal:
    // `export COMPOSER_HOME="$(mktemp -d)"`), else the stage's ENV
    let before = script.commands.iter().position(|c| std::ptr::eq(c, cmd)).unwrap_or(0);
    let value = |key: &str| {
        let prefix = format!("{key}=");
        let own = cmd.assignments.iter().find_map(|a| a.strip_prefix(&prefix));
        let exported = script.commands[..before].iter().rev().find_map(|c| {
            let words: &[String] = if c.program() == "export" { c.args() } else { &[] };
            let set = if c.words.is_empty() { &c.assignments[..] } else { words };
            set.iter().find_map(|a| a.strip_prefix(&prefix))
        });
        own.or(exported)
            .or_else(|| ctx.env(stage, key))
            .map(|v| v.trim_matches(['"', '\'']).trim_end_matches('/').to_owned())
    };
    let told = option_value(args, "--cache-dir").map(str::to_owned).or_else(|| value(env_dir)).or_else(|| {
        // Composer's cache is in COMPOSER_HOME when that is set (the `composer` image's `/tmp`)
        // (a folder a command makes, `$(mktemp -d)`, is named by its variable)
        let home = value("COMPOSER_HOME").map(|h| if h.contains("$(") { "$COMPOSER_HOME".into() } else { h });
        (tool == "composer").then(|| home.map(|h| format!("{h}/cache"))).flatten()
    });
    // a cache folder of /dev/null is no cache (Composer's documented way to turn it off)
    if told.as_deref() == Some("/dev/null") {
        return None;
    }
    // the tool's own clean-up in the same RUN (`poetry cache clear --all pypi`, `uv cache
    // clean`, `composer clear-cache`, also as `php composer.phar clearcache`)
    let cleaned = script.commands.iter().any(|c| {
        let args = match (tool, composer_args(c)) {
            ("composer", Some(args)) => args,
            (_, _) if c.program() == tool => c.args(),
            _ => return false,
        };
        let first = args.iter().find(|a| !a.starts_with('-')).map(String::as_str);
        match tool {
            "composer" => first.is_some_and(|w| cleans.contains(&w)),
            _ => {
                first.is_some_and(|w| cleans.contains(&w))
                    && args.iter().any(|a| matches!(a.as_str(), "clear" | "clean" | "prune"))
            }
        }
    });
    let home = home(ctx, stage);
    let dir = told.clone().unwrap_or_else(|| format!("{home}/{default}"));
    let removed = script.calls(&["rm"]).any(|c| {
        c.args().iter().filter(|a| !a.starts_with('-')).any(|a| {
            let a = a.trim_end_matches('*').trim_end_matches('/');
            // the home's forms of the default, and the variable's name for a told folder
            let a = ["~/", "$HOME/", "${HOME}/"]
                .iter()
                .find_map(|h| a.strip_prefix(h))
                .map_or(a.to_owned(), |rel| format!("{home}/{rel}"));
            // (Composer's cache is in COMPOSER_HOME when that is what was told)
            let named = [env_dir, "COMPOSER_HOME"]
                .iter()
                .take(if tool == "composer" { 2 } else { 1 })
                .any(|v| [format!("${v}"), format!("${{{v}}}")].contains(&a));
            named
                || (!a.is_empty()
                    && (a == dir || dir.starts_with(&format!("{a}/")) || a.starts_with(&format!("{dir}/"))))
        })
    });
    // Composer 1's folder, which Composer 2 still uses where it exists (`~/.composer/cache`)
    let removed = removed || (tool == "composer" && told.is_none() && removes_home_path(script, &home, ".composer"));
    // the tool's folder in another user's home, mounted as a cache (socorro's `USER app`,
    // then `--mount=type=cache,target=/home/app/.cache/uv`, held out in round 63), or a cache
    // mount named for the tool where a base image this file does not show points it
    // (mitxonline's `/opt/uv-cache`, its base's UV_CACHE_DIR, held out in round 64)
    let home_mounted = told.is_none()
        && ins.mounts().any(|(ty, target)| {
            let t = target.trim_matches(['"', '\'']).trim_end_matches('/');
            let last = t.rsplit('/').next().unwrap_or(t).to_ascii_lowercase();
            let named = last.split(['-', '_', '.']).any(|w| w == tool || (tool == "poetry" && w == "pypoetry"));
            matches!(ty, "cache" | "tmpfs")
                && (t.ends_with(&format!("/{default}"))
                    || (t.ends_with("/.cache") && default.starts_with(".cache/"))
                    || (named && !installs_tool(ctx, stage, tool)))
        });
    if cleaned || removed || removes_asked_cache(script, tool) || ins.mounts_over(&dir) || home_mounted {
        return None;
    }
    let composer_home = tool == "composer" && told.is_none() && ins.mounts_over(&format!("{home}/.composer/cache"));
    if composer_home {
        return None;
    }
    let shown = match (told, tool) {
        (Some(told), _) => told,
        (None, "composer") => "~/.cache/composer or ~/.composer/cache".into(),
        (None, _) => format!("~/{default}"),
    };
    let name = match tool {
        "poetry" => "Poetry",
        "composer" => "Composer",
        _ => "uv",
    };
    Some((tool, format!("the {name} cache ({shown})")))
}

/// Whether a RUN of a stage the stage is built FROM does what `what` asks.
fn ran_before(ctx: &Ctx, stage: &crate::dockerfile::Stage, what: impl Fn(&Instruction, &Script) -> bool) -> bool {
    ctx.graph.ancestors(stage.index).iter().any(|&a| ctx.runs(&ctx.df.stages[a]).any(|(i, s)| what(i, s)))
}

/// Whether a command installs a project's packages with Composer (`install`, `update`,
/// `require`, `create-project`, `reinstall`, also `global`).
fn installs_with_composer(c: &SimpleCommand) -> bool {
    let Some(args) = composer_args(c) else { return false };
    let words: Vec<&str> = args.iter().map(String::as_str).filter(|a| !a.starts_with('-')).collect();
    matches!(
        words.as_slice(),
        ["install" | "update" | "require" | "create-project" | "reinstall", ..]
            | ["global", "install" | "update" | "require", ..]
    )
}

/// The words Composer is given, when the command runs Composer: `composer …`, its phar
/// (`composer.phar …`), or either run by PHP (`php composer.phar install`, `php
/// /usr/local/bin/composer install`).
fn composer_args(cmd: &SimpleCommand) -> Option<&[String]> {
    let is_composer = |w: &str| matches!(w.rsplit('/').next(), Some("composer" | "composer.phar"));
    if is_composer(cmd.program()) {
        return Some(cmd.args());
    }
    let args = cmd.args();
    (cmd.program().starts_with("php") && args.first().is_some_and(|a| is_composer(a))).then(|| &args[1..])
}

/// Whether the stage's lineage installs `tool` itself (`COPY --from=ghcr.io/astral-sh/uv
/// /uv /bin/`, `pip install uv`, astral's or Poetry's installer script): then this file,
/// not an unseen base image, sets where its cache goes (fish-speech mounts `/tmp/uv-cache`
/// and never points uv there, a finding labelled true).
fn installs_tool(ctx: &Ctx, stage: &crate::dockerfile::Stage, tool: &str) -> bool {
    let installer = if tool == "uv" { "astral.sh/uv" } else { "install.python-poetry.org" };
    ctx.graph.lineage(stage.index).iter().any(|&si| {
        ctx.df.stages[si].instructions.iter().any(|i| {
            let text = ctx.df.text.get(i.span.clone()).unwrap_or_default();
            match i.kind {
                crate::dockerfile::Kind::Copy | crate::dockerfile::Kind::Add => {
                    tool == "uv"
                        && (text.contains("astral-sh/uv") || text.split_whitespace().any(|w| w.ends_with("/uv")))
                }
                crate::dockerfile::Kind::Run => {
                    text.contains(installer)
                        || crate::dockerfile::shell::parse(&i.script().unwrap_or_default()).commands.iter().any(|c| {
                            matches!(c.program(), "pip" | "pip3" | "pipx" | "python" | "python3")
                                && c.args().iter().any(|a| a == "install")
                                && c.args().iter().any(|a| a.split(['=', '<', '>', '~']).next() == Some(tool))
                        })
                }
                _ => false,
            }
        })
    })
}

/// Whether the script runs `rm` on `path` (or a glob/child of it).
fn removes_path(script: &Script, path: &str) -> bool {
    script.calls(&["rm"]).any(|c| {
        c.args().iter().any(|a| {
            let a = a.trim_end_matches('*').trim_end_matches('/');
            a == path || a.starts_with(&format!("{path}/")) || a.starts_with(path)
        })
    })
}

/// Whether the script runs `rm` on `rel` under the HOME the stage runs with, written
/// absolute (`/moviepilot/.cache` under `ENV HOME=/moviepilot`), or from `~` or `$HOME`.
fn removes_home_path(script: &Script, home: &str, rel: &str) -> bool {
    let under = |a: &str| {
        ["~/", "$HOME/", "${HOME}/"].iter().find_map(|p| a.strip_prefix(p)).is_some_and(|r| {
            let r = r.trim_end_matches('*').trim_end_matches('/');
            r == rel || r.starts_with(&format!("{rel}/"))
        })
    };
    removes_path(script, &format!("{home}/{rel}")) || script.calls(&["rm"]).any(|c| c.args().iter().any(|a| under(a)))
}

/// The HOME a stage's RUNs run with: an absolute one set by ENV in its lineage, else root's
/// (the user caches of pip and npm are under it; MoviePilot's `ENV HOME="/moviepilot"`).
fn home(ctx: &Ctx, stage: &crate::dockerfile::Stage) -> String {
    ctx.env(stage, "HOME")
        .map(|v| v.trim_matches('"').trim_end_matches('/'))
        .filter(|v| v.starts_with('/') && !v.contains('$') && v.len() > 1)
        .unwrap_or("/root")
        .to_owned()
}

/// Whether the script runs `rm` on the folder `tool` names as its cache when asked, in a
/// command substitution (presidio's `rm -rf $(poetry config cache-dir)`, `$(pip cache dir)`,
/// `$(npm config get cache)`, `$(yarn cache dir)`, `$(uv cache dir)`).
fn removes_asked_cache(script: &Script, tool: &str) -> bool {
    script.calls(&["rm"]).any(|c| {
        c.args().iter().any(|a| {
            let a = a.trim_end_matches('*').trim_end_matches('/');
            let inner = a
                .strip_prefix("$(")
                .and_then(|x| x.strip_suffix(')'))
                .or_else(|| a.strip_prefix('`').and_then(|x| x.strip_suffix('`')));
            let Some(inner) = inner else { return false };
            let words: Vec<&str> = inner.split_whitespace().collect();
            // `python -m pip cache dir` asks pip
            let words = match words.as_slice() {
                [py, "-m", rest @ ..] if py.starts_with("python") => rest.to_vec(),
                _ => words,
            };
            let asked = match words.as_slice() {
                [t, "config", "cache-dir"] | [t, "cache", "dir"] | [t, "config", "get", "cache"] => *t,
                _ => return false,
            };
            let asked = asked.rsplit('/').next().unwrap_or(asked);
            asked == tool || (tool == "pip" && asked.starts_with("pip"))
        })
    })
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::{lines, messages, with_config};

    /// Global options before the subcommand count: `pip --no-cache-dir install`, `python3
    /// -m pip --no-cache-dir install`; a moved cache is cleared where it was moved.
    #[test]
    fn global_options_before_the_subcommand() {
        assert!(lines("SL106", "FROM python:3.12\nRUN pip --no-cache-dir install flask\n").is_empty());
        assert!(lines("SL106", "FROM python:3.12\nRUN python3 -m pip --no-cache-dir install flask\n").is_empty());
        assert!(lines("SL106", "FROM python:3.12\nRUN pip --cache-dir /tmp/pip install flask && rm -rf /tmp/pip\n")
            .is_empty());
        assert_eq!(lines("SL106", "FROM python:3.12\nRUN pip --cache-dir /tmp/pip install flask\n"), vec![2]);
        assert!(lines("SL106", "FROM node:20\nRUN npm --cache /tmp/npm install && rm -rf /tmp/npm\n").is_empty());
        assert_eq!(lines("SL106", "FROM node:20\nRUN npm --cache /tmp/npm ci\n"), vec![2]);
        // npm's aliases of `cache clean` (lib/commands/cache.js: `case 'rm': case 'clear': case 'clean':`)
        for alias in ["clear", "rm"] {
            assert!(lines("SL106", &format!("FROM node:20\nRUN npm ci && npm cache {alias} --force\n")).is_empty());
        }
        assert!(
            lines("SL106", "FROM node:20\nRUN --mount=type=cache,target=/tmp/npm npm ci --cache /tmp/npm\n").is_empty()
        );
    }

    /// A RUN as another user, without sudo, cannot write the system managers' caches; apk's
    /// index an earlier RUN fetched is read, not fetched again.
    #[test]
    fn unprivileged_runs_and_an_index_fetched_earlier_leave_no_system_cache() {
        let rootless = "FROM ubuntu:22.04\nUSER runner\nRUN curl -fsSL https://get.docker.com/rootless | sh\n";
        assert!(lines("SL106", rootless).is_empty());
        let back = "FROM ubuntu:22.04\nUSER runner\nRUN x\nUSER root\nRUN apt-get update && apt-get install -y curl\n";
        assert_eq!(lines("SL106", back), vec![5]);
        // user caches are still the user's: pip as `app` leaves ~/.cache/pip
        assert_eq!(lines("SL106", "FROM python:3.12\nUSER app\nRUN pip install flask\n"), vec![3]);
        assert_eq!(lines("SL106", "FROM alpine:3\nRUN apk update\nRUN apk add curl\n"), vec![2]);
        assert_eq!(lines("SL106", "FROM alpine:3\nRUN apk add curl\nRUN apk add jq\n"), vec![2]);
    }

    /// Only the RUN that fetches the lists leaves them: an install in a later RUN reads them
    /// (removing them there would free nothing), and `dpkg -i … ; apt-get install -f` fetches
    /// none.
    /// Round 65 (SEED, held out): pip run inside `bash -c "…"` leaves its cache too, unless
    /// told not to or the cache is removed, inside the quotes or after them
    #[test]
    fn a_pip_install_a_shell_runs_inline_is_read() {
        let text = "FROM python:3.11-slim\nRUN bash -c \"python3 -m pip install --upgrade pip setuptools && pip install supervisor==4.2.5\"\n";
        assert_eq!(lines("SL106", text), vec![2]);
        assert!(
            lines("SL106", &text.replace("pip install --upgrade", "pip install --no-cache-dir --upgrade")).is_empty()
        );
        assert!(lines("SL106", &text.replace("4.2.5\"", "4.2.5\" && rm -rf /root/.cache")).is_empty());
        assert!(lines("SL106", &text.replace("4.2.5\"", "4.2.5 && pip cache purge\"")).is_empty());
    }

    /// Round 74 (MoviePilot, held out): under `ENV HOME=/moviepilot` pip's cache is in
    /// `/moviepilot/.cache`, so removing that folder (or `~/.cache`) clears it, and removing
    /// root's does not; npm's and uv's caches follow HOME the same way.
    #[test]
    fn the_user_caches_follow_home() {
        let text = "FROM python:3.12-slim\nENV HOME=\"/moviepilot\"\nRUN pip install flask && rm -rf /tmp/*\n";
        assert_eq!(lines("SL106", text), vec![3]);
        assert!(lines("SL106", &text.replace("/tmp/*", "/tmp/* /moviepilot/.cache")).is_empty());
        assert!(lines("SL106", &text.replace("/tmp/*", "~/.cache/pip")).is_empty());
        assert_eq!(lines("SL106", &text.replace("/tmp/*", "/root/.cache")), vec![3]);
        let npm = "FROM node:20-slim\nENV HOME=/home/node\nRUN npm install -g pm2 && rm -rf /home/node/.npm\n";
        assert!(lines("SL106", npm).is_empty());
        assert_eq!(lines("SL106", &npm.replace("/home/node/.npm", "/root/.npm")), vec![3]);
        let uv = "FROM python:3.12-slim\nENV HOME=/app\nRUN uv pip install --system flask && rm -rf /app/.cache/uv\n";
        assert!(lines("SL106", uv).is_empty());
        // without HOME, root's
        assert!(lines("SL106", "FROM python:3.12\nRUN pip install flask && rm -rf /root/.cache\n").is_empty());
    }

    /// vscode-dev-containers' patch image: the lists are removed inside `sudo bash -c "…"`
    #[test]
    fn a_cleanup_a_shell_runs_inline_is_read() {
        let text = "FROM debian:12\nRUN sudo apt-get update && sudo bash -c \"apt-get upgrade -y && apt-get clean && rm -rf /var/lib/apt/lists/*\"\n";
        assert!(lines("SL106", text).is_empty());
        assert_eq!(lines("SL106", &text.replace(" && rm -rf /var/lib/apt/lists/*", "")), vec![2]);
    }

    #[test]
    fn only_the_run_that_fetches_the_lists_leaves_them() {
        assert_eq!(lines("SL106", "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\n"), vec![2]);
        assert!(lines("SL106", "FROM debian:12\nRUN dpkg -i /tmp/x.deb; apt-get install -f -y\n").is_empty());
        assert_eq!(
            lines("SL106", "FROM ubuntu:24.04\nRUN add-apt-repository -y ppa:x/y && apt-get install -y z\n"),
            vec![2]
        );
    }

    /// A vendor's setup script piped to a shell runs `apt-get update`: the lists are left
    /// in its RUN, and the later install that reads them is not where the finding goes.
    #[test]
    fn lists_left_by_a_vendor_setup_script_are_found_on_its_line() {
        let node = "FROM debian:12\nRUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash -\nRUN apt-get install -y nodejs\n";
        assert_eq!(lines("SL106", node), vec![2]);
        let m = messages("SL106", node);
        assert!(m[0].1.contains("piped vendor setup script"), "{m:?}");
        let clean = "FROM debian:12\nRUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash - && apt-get install -y nodejs && rm -rf /var/lib/apt/lists/*\n";
        assert!(lines("SL106", clean).is_empty());
        // a later update writes lists of its own again
        let again = "FROM debian:12\nRUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash - && rm -rf /var/lib/apt/lists/*\nRUN apt-get update && apt-get install -y nodejs\n";
        assert_eq!(lines("SL106", again), vec![3]);
    }

    #[test]
    fn flags_caches_in_final_stage() {
        let m = messages(
            "SL106",
            "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n",
        );
        assert_eq!(m.len(), 1);
        assert!(m[0].1.contains("/var/lib/apt/lists"));
        assert_eq!(lines("SL106", "FROM python:3.9\nRUN pip install flask\n"), vec![2]);
        assert_eq!(lines("SL106", "FROM alpine:3\nRUN apk add curl\n"), vec![2]);
        assert_eq!(lines("SL106", "FROM fedora:40\nRUN dnf install -y curl\n"), vec![2]);
        assert_eq!(lines("SL106", "FROM node:20\nRUN yarn install --production\n"), vec![2]);
        assert_eq!(lines("SL106", "FROM debian:12 AS base\nRUN apt-get update\nFROM base\n"), vec![2]);
    }

    #[test]
    fn cleaned_caches_pass() {
        for text in [
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n",
            "FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update\n",
            "FROM python:3.9\nRUN pip install --no-cache-dir flask\n",
            // vimagick/dockerfiles mqtt-io-arm: pip reads `--no-cache` as `--no-cache-dir`
            "FROM python:3.9\nRUN pip3 install --no-cache mqtt-io\n",
            "FROM python:3.9\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask\n",
            // pip reads any value as "no cache", `off` too
            "FROM python:3.9\nENV PIP_NO_CACHE_DIR=off\nRUN pip install flask\n",
            // the cache emptied by pip itself in the same RUN
            "FROM python:3.9\nRUN pip install flask && pip cache purge\n",
            "FROM python:3.9\nRUN python3 -m pip install flask; python3 -m pip cache purge\n",
            "FROM python:3.9\nRUN --mount=type=cache,target=/root/.cache/pip pip install flask\n",
            "FROM alpine:3\nRUN apk add --no-cache curl\n",
            "FROM fedora:40\nRUN dnf install -y curl && dnf clean all\n",
            // the official images on Debian 13: apt's own clean-up of the lists
            "FROM debian:trixie\nRUN set -eux; apt-get update; apt-get install -y --no-install-recommends curl; apt-get dist-clean\n",
            "FROM debian:trixie\nRUN apt-get install --update -y curl && apt-get dist-clean\n",
            // a tmpfs mount keeps the lists out of the layer too
            "FROM debian:12\nRUN --mount=type=tmpfs,target=/var/lib/apt/lists apt-get update && apt-get install -y curl\n",
            // checking yarn's version installs nothing
            "FROM node:20\nRUN yarn --version\n",
        ] {
            assert!(lines("SL106", text).is_empty(), "{text}");
        }
    }

    /// uv's cache in an unprivileged user's home, mounted as a cache (round 63's socorro)
    #[test]
    fn a_cache_mount_in_another_home_holds_the_cache() {
        let text = "FROM python:3.12-slim\nUSER app\nRUN --mount=type=cache,uid=1000,target=/home/app/.cache/uv uv sync --locked\n";
        assert!(lines("SL106", text).is_empty());
        assert_eq!(lines("SL106", &text.replace("/home/app/.cache/uv", "/tmp/other")), vec![3]);
        // a mount named for the tool, where a base image's UV_CACHE_DIR points (round 64);
        // not when the file installs uv itself and never points it there (fish-speech)
        assert!(lines("SL106", &text.replace("/home/app/.cache/uv", "/opt/uv-cache")).is_empty());
        let own = text
            .replace("/home/app/.cache/uv", "/tmp/uv-cache")
            .replace("USER app\n", "COPY --from=ghcr.io/astral-sh/uv:0.5 /uv /uvx /bin/\nUSER app\n");
        assert_eq!(lines("SL106", &own), vec![4]);
        assert_eq!(lines("SL106", &text.replace("/home/app/.cache/uv", "/opt/pip-cache")), vec![3]);
    }

    /// `yarn global add` leaves yarn's cache as `yarn install` does (round 63's osf.io)
    #[test]
    fn a_global_yarn_add_leaves_the_cache() {
        let text = "FROM python:3.12-alpine\nRUN apk add --no-cache yarn && yarn global add bower\n";
        assert_eq!(lines("SL106", text), vec![2]);
        assert!(lines("SL106", &text.replace("bower\n", "bower && yarn cache clean\n")).is_empty());
    }

    /// A removal of the folder the tool names when asked, in a command substitution, clears
    /// its cache; a substitution asking another tool does not.
    #[test]
    fn a_cache_folder_the_tool_names_is_removed() {
        for clean in [
            "FROM python:3.12\nRUN pip install flask && rm -rf $(pip cache dir)\n",
            "FROM python:3.12\nRUN pip install flask && rm -rf \"$(python3 -m pip cache dir)\"\n",
            "FROM node:20\nRUN npm install && rm -rf $(npm config get cache)\n",
            "FROM node:20\nRUN yarn install && rm -rf $(yarn cache dir)\n",
            "FROM python:3.12\nRUN uv pip install --system flask && rm -rf `uv cache dir`\n",
        ] {
            assert!(lines("SL106", clean).is_empty(), "{clean}");
        }
        assert_eq!(
            lines("SL106", "FROM python:3.12\nRUN pip install flask && rm -rf $(npm config get cache)\n"),
            vec![2]
        );
    }

    /// Round 45's misses (crawl4ai, Empire): Playwright's `--with-deps` runs apt itself and
    /// leaves the lists; Poetry and uv keep caches of their own
    #[test]
    fn project_tools_and_playwright_leave_their_caches() {
        let lists = "FROM python:3.12-slim\nRUN pip install --no-cache-dir playwright\nRUN playwright install --with-deps chromium\n";
        assert_eq!(lines("SL106", lists), vec![3]);
        assert!(lines("SL106", &format!("{}&& rm -rf /var/lib/apt/lists/*\n", lists.trim_end())).is_empty());
        assert_eq!(lines("SL106", "FROM node:20\nRUN npx playwright install-deps\n"), vec![2]);
        // installing the browsers alone fetches no lists
        assert!(lines("SL106", "FROM node:20\nRUN npx playwright install chromium\n").is_empty());
        let poetry = "FROM python:3.12\nRUN pip install --no-cache-dir poetry\nRUN poetry install --only main\n";
        assert_eq!(lines("SL106", poetry), vec![3]);
        for clean in [
            "RUN poetry install --no-cache --only main",
            "RUN poetry install --only main && rm -rf ~/.cache/pypoetry",
            // the folder the tool names when asked (presidio, held out in round 62)
            "RUN poetry install --no-root --only=main && rm -rf $(poetry config cache-dir)",
            "RUN poetry install --only main && rm -rf /root/.cache",
            "RUN --mount=type=cache,target=/root/.cache poetry install --only main",
            "RUN poetry install --only main && poetry cache clear --all pypi",
        ] {
            assert!(lines("SL106", &poetry.replace("RUN poetry install --only main", clean)).is_empty(), "{clean}");
        }
        let moved = "FROM python:3.12\nENV POETRY_CACHE_DIR=/tmp/poetry\nRUN pip install --no-cache-dir poetry\nRUN poetry install && rm -rf $POETRY_CACHE_DIR\n";
        assert!(lines("SL106", moved).is_empty());
        let uv = "FROM python:3.12-slim\nRUN uv sync --frozen\n";
        assert_eq!(lines("SL106", uv), vec![2]);
        for clean in [
            "RUN uv sync --frozen --no-cache",
            "RUN uv pip install --no-cache-dir --system flask",
            "RUN --mount=type=cache,target=\"/root/.cache\" uv sync --frozen",
            "RUN uv sync --frozen && uv cache prune --ci",
        ] {
            assert!(lines("SL106", &uv.replace("RUN uv sync --frozen", clean)).is_empty(), "{clean}");
        }
        assert!(lines("SL106", &uv.replace("RUN uv", "ENV UV_NO_CACHE=1\nRUN uv")).is_empty());
        assert!(messages("SL106", uv)[0].1.contains("the uv cache (~/.cache/uv)"));
    }

    /// LibrePhotos's shape: a cache only a build argument's branch fills (`if [ "$DEBUG" = 1
    /// ]` under `ARG DEBUG`) is in no image built without it. Unless the argument is one
    /// BuildKit sets (`TARGETPLATFORM`), or a build file of the repository names it, so a
    /// build may pass it (onadata's workflow sets `optional_packages`).
    #[test]
    fn a_cache_only_a_build_arguments_branch_fills_is_not_flagged() {
        let debug = "FROM python:3.12-slim\nARG DEBUG\nRUN if [ \"$DEBUG\" = 1 ]; then pip install -r dev.txt; fi\n";
        assert!(lines("SL106", debug).is_empty());
        let platform = "FROM python:3.12-slim\nARG TARGETPLATFORM\nRUN if [ \"$TARGETPLATFORM\" = \"linux/arm64\" ]; then pip install x.whl; fi\n";
        assert_eq!(lines("SL106", platform), [3]);
        let given = "FROM python:3.12-slim\nARG optional_packages\nRUN if [ -n \"$optional_packages\" ]; then pip install ${optional_packages}; fi\n";
        assert!(lines("SL106", given).is_empty());
        let cfg = crate::lint::LintConfig { given_args: vec!["optional_packages".into()], ..Default::default() };
        let found = crate::lint::lint_text(given, "D", &cfg);
        assert_eq!(found.iter().filter(|f| f.code == "SL106").map(|f| f.line).collect::<Vec<_>>(), [3]);
        // no known path builds the file: any argument may be given, and an ENV made of one
        // is as open (LibreTranslate's `ENV ENABLE_SSHD=${root_password:+true}`)
        let made = "FROM python:3.12-slim\nARG root_password=\"\"\nENV ENABLE_SSHD=${root_password:+true}\nRUN if [ \"$ENABLE_SSHD\" = \"true\" ]; then apt-get update && apt-get install -y openssh-server; fi\n";
        assert!(lines("SL106", made).is_empty());
        let cfg = crate::lint::LintConfig { args_unknown: true, ..Default::default() };
        for text in [debug, made] {
            let found = crate::lint::lint_text(text, "D", &cfg);
            assert_eq!(found.iter().filter(|f| f.code == "SL106").count(), 1, "{text}");
        }
    }

    /// camptocamp's odoo images (round 78): a set-up script of the build context writes
    /// `no-cache-dir = false` to `/etc/pip.conf`, which pip reads as no cache, before the
    /// RUNs that pip install; a pip.conf without the option, or none, leaves the cache
    #[test]
    fn a_pip_configuration_without_a_cache_is_read() {
        let setup =
            "#!/bin/bash\npython -m ensurepip\ncat << EOF > /etc/pip.conf\n[global]\nno-cache-dir = false\nEOF\n";
        let text = "FROM python:3.12\nCOPY install /install\nRUN /install/setup-pip.sh && pip install flask\nRUN pip install gunicorn\n";
        let with = |script: &str| {
            let config = crate::lint::LintConfig {
                run_scripts: vec![("/install/setup-pip.sh".to_owned(), script.to_owned())],
                ..Default::default()
            };
            with_config("SL106", text, &config).into_iter().map(|(l, _)| l).collect::<Vec<_>>()
        };
        assert!(with(setup).is_empty());
        assert_eq!(with(&setup.replace("no-cache-dir = false\n", "timeout = 60\n")), vec![3, 4]);
        // written in the Dockerfile, or set with pip's own command
        let inline = "FROM python:3.12\nRUN printf '[global]\\nno-cache-dir = false\\n' > /etc/pip.conf\nRUN pip install flask\n";
        assert!(lines("SL106", inline).is_empty(), "{inline}");
        let set = "FROM python:3.12\nRUN pip config set global.no-cache-dir false\nRUN pip install flask\n";
        assert!(lines("SL106", set).is_empty());
    }

    #[test]
    fn builder_stage_caches_are_not_flagged() {
        // hadolint #929/#1056: a builder's apt lists never ship.
        let text = "FROM debian:12 AS build\nRUN apt-get update && apt-get install -y build-essential\nRUN pip install flask\nFROM debian:12-slim\nUSER app\nCOPY --from=build /out /out\n";
        assert!(lines("SL106", text).is_empty());
    }

    /// Round 81 (digininja/DVWA, held out): `composer install` in the image that ships
    /// leaves Composer's download cache under root's home; Composer's own clean-up, its
    /// `--no-cache`, a cache folder of /dev/null or a cache mount keep it out
    #[test]
    fn composer_leaves_its_cache_unless_told_otherwise() {
        let dvwa = "FROM php:8-apache\nCOPY --from=composer:latest /usr/bin/composer /usr/local/bin/composer\nRUN cd /var/www/html/vulnerabilities/api && composer install\n";
        let m = messages("SL106", dvwa);
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(m[0].0, 3);
        assert!(m[0].1.contains("the Composer cache (~/.cache/composer or ~/.composer/cache)"), "{m:?}");
        // as PHP runs it, and `composer global require`
        assert_eq!(lines("SL106", "FROM php:8\nRUN php composer.phar install --no-dev\n"), vec![2]);
        assert_eq!(lines("SL106", "FROM php:8\nRUN composer global require drush/drush\n"), vec![2]);
        // cleaned, or never written
        for clean in [
            "RUN composer install --no-dev && composer clear-cache\n",
            "RUN php composer.phar install && php composer.phar clearcache\n",
            "RUN composer install --no-cache\n",
            "RUN COMPOSER_CACHE_DIR=/dev/null composer install\n",
            "ENV COMPOSER_CACHE_DIR=/tmp/c\nRUN composer install && rm -rf /tmp/c\n",
            "ENV COMPOSER_HOME=/composer\nRUN composer install && rm -rf /composer/cache\n",
            // docker-library's drupal: a home of its own for the RUN, removed at its end
            "RUN set -eux; export COMPOSER_HOME=\"$(mktemp -d)\"; composer create-project drupal/recommended-project ./; rm -rf \"$COMPOSER_HOME\"\n",
            "RUN composer install && rm -rf ~/.composer/cache\n",
            "RUN composer install && rm -rf /root/.cache/composer\n",
            "RUN --mount=type=cache,target=/root/.cache/composer composer install\n",
            "RUN --mount=type=cache,target=/root/.composer/cache composer install\n",
        ] {
            assert!(lines("SL106", &format!("FROM php:8\n{clean}")).is_empty(), "{clean}");
        }
        // … not when that home stays
        assert_eq!(
            messages("SL106", "FROM php:8\nRUN export COMPOSER_HOME=\"$(mktemp -d)\"; composer create-project drupal/recommended-project ./\n"),
            vec![(2, "this RUN leaves the Composer cache ($COMPOSER_HOME/cache) in a stage that ships".to_owned())]
        );
        // a second install of the project finds its packages in vendor/ (round 84's Paymenter)
        let twice = "FROM php:8\nCOPY composer.json composer.lock ./\nRUN composer install --no-dev --no-scripts\nCOPY . ./\nRUN composer install --no-dev --optimize-autoloader\n";
        assert_eq!(lines("SL106", twice), vec![3]);
        // what reads no packages leaves nothing
        assert!(lines("SL106", "FROM php:8\nRUN composer dump-autoload --optimize\n").is_empty());
        // a builder's cache does not ship
        assert!(lines(
            "SL106",
            "FROM composer:2 AS deps\nRUN composer install\nFROM php:8\nCOPY --from=deps /app/vendor /app/vendor\n"
        )
        .is_empty());
    }
}
