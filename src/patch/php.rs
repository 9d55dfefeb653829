//! PHP extensions on the official `php` image's Debian variants: a RUN of the stage that
//! ships installs `-dev` packages with apt and builds extensions with them
//! (`docker-php-ext-install`, `pecl install`). The RUN is edited in place to end as the
//! official images end theirs (docker-library's wordpress): the packages it installed for the
//! build are marked as installed automatically, the packages owning the libraries the built
//! extensions link are marked by hand again (`ldd` of the extension folder, `dpkg-query
//! --search`), and `apt-get purge --auto-remove` takes the rest. The headers never reach a
//! layer, and every extension keeps the libraries it loads, whatever the release names them:
//! no runtime library table is needed.
//!
//! Artifacts: none are copied; the extensions stay where they were built.
//!
//! Left out of the purge: the packages the image itself keeps for phpize (`$PHPIZE_DEPS`:
//! gcc, make, autoconf, pkg-config …), which an install names again without changing.
//!
//! Refusals:
//! - `still-ships`: a later RUN of the stage builds (a `make`, a script, more extensions), or
//!   the extensions build in a later RUN than the install (the headers must go in the RUN
//!   that installs them);
//! - `inherited-stage`: a stage built FROM this one that ships builds, and may need the
//!   headers. One that does not ship (a development stage's `pecl install xdebug`) is built
//!   FROM a new stage instead, `FROM <stage> AS <stage>-build`, that installs them again, as
//!   the heavy final stage's rewrite does;
//! - `mixed-run`: the RUN's last command runs under a condition, in a pipe or in a heredoc,
//!   so nothing can be appended that always runs.
//!
//! Alpine variants (`apk add --virtual .build-deps … && apk del .build-deps`) are not
//! rewritten here.

use super::slim::{self, Move};
use super::{Outcome, Plan, Rationale, Reason};
use crate::dockerfile::packages::{is_toolchain_package, system_install, Manager};
use crate::dockerfile::roles;
use crate::dockerfile::shell::{self, Script, SimpleCommand};
use crate::dockerfile::ship::run_state;
use crate::dockerfile::{Dockerfile, Graph, Instruction, Kind};

/// The packages the official Debian images install for phpize and keep (`$PHPIZE_DEPS`).
const PHPIZE_DEPS: &[&str] = &["autoconf", "dpkg-dev", "file", "g++", "gcc", "libc-dev", "make", "pkg-config", "re2c"];

/// Whether a command builds a PHP extension: `docker-php-ext-install`, `pecl install`.
fn builds_extension(c: &SimpleCommand) -> bool {
    let p = c.program().rsplit('/').next().unwrap_or_default();
    p == "docker-php-ext-install" || (p == "pecl" && c.subcommand() == Some("install"))
}

/// Whether a command after the extensions' RUN may build with what it installed: a build
/// that may compile native code, or a script shiplight does not read.
fn builds_later(c: &SimpleCommand) -> bool {
    builds_extension(c) || roles::may_build_native(c) || roles::runs_script(c).is_some()
}

/// The end of the RUN that keeps what the extensions link and purges `packages`, and removes
/// the apt lists when the RUN fetched them and leaves them (`lists`).
fn purge(packages: &[String], lists: bool) -> String {
    let clean = if lists { " \\\n    && rm -rf /var/lib/apt/lists/*" } else { "" };
    format!(
        concat!(
            "apt-mark auto {} > /dev/null \\\n",
            "    && extDir=\"$(php -r 'echo ini_get(\"extension_dir\");')\" \\\n",
            "    && ldd \"$extDir\"/*.so | awk '/=>/ {{ so = $(NF-1); if (index(so, \"/usr/local/\") == 1) {{ next }}; gsub(\"^/(usr/)?\", \"\", so); printf \"*%s\\n\", so }}' \\\n",
            "        | sort -u | xargs -r dpkg-query --search | cut -d: -f1 | sort -u | xargs -r apt-mark manual > /dev/null \\\n",
            "    && apt-get purge -y --auto-remove{}"
        ),
        packages.join(" "),
        clean
    )
}

/// Whether a RUN fetches the apt lists (`apt-get update`) and leaves them in its layer.
fn leaves_lists(ins: &Instruction, script: &Script) -> bool {
    let updates =
        script.commands.iter().any(|c| Manager::of(c).is_some_and(|m| m.is_apt()) && c.subcommand() == Some("update"));
    updates && !super::edits::removes_apt_lists(script) && !ins.mounts_away("/var/lib/apt")
}

/// The build-only packages a RUN installs with apt for its extensions, as named (a version
/// pin stripped), and the index of the first extension build after the first of them;
/// `None` when it installs none.
fn toolchain_of(script: &Script) -> Option<(Vec<String>, Option<usize>)> {
    let state = run_state(script);
    let mut packages: Vec<String> = Vec::new();
    let mut first = None;
    for (at, c) in script.commands.iter().enumerate() {
        let Some((m, names)) = system_install(c) else { continue };
        if !m.is_apt() {
            continue;
        }
        for n in names {
            if is_toolchain_package(n)
                && !state.removes(at, n)
                && !PHPIZE_DEPS.contains(&n)
                && !packages.iter().any(|p| p == n)
            {
                packages.push(n.to_owned());
                first.get_or_insert(at);
            }
        }
    }
    let first = first?;
    Some((packages, script.commands.iter().skip(first).position(builds_extension).map(|k| k + first)))
}

/// The plan for a file whose stage that ships builds PHP extensions on a Debian `php` image;
/// `None` when it does not.
pub fn plan(df: &Dockerfile, inputs: &super::Inputs) -> Option<Result<Plan, Outcome>> {
    let graph = Graph::build(df, &inputs.targets).ok()?;
    let target = *graph.targets.first()?;
    let base = graph.root_image(target)?;
    let r = crate::dockerfile::ImageRef::parse(base);
    if r.official_name() != Some("php") || r.tag.as_deref().unwrap_or("").contains("alpine") {
        return None;
    }
    let lineage = graph.lineage(target);
    let mut edits = Vec::new();
    let mut rationale = Vec::new();
    let mut moves: Vec<Move> = Vec::new();
    for &si in &lineage {
        for ins in df.stages[si].instructions.iter().filter(|i| i.kind == Kind::Run) {
            let script = shell::parse(&ins.script().unwrap_or_default());
            let Some((packages, built)) = toolchain_of(&script) else { continue };
            if built.is_none() {
                // the extensions build in a later RUN (crater's): the headers cannot go here;
                // with none built after it, the RUN is not this rewriter's
                let Some(later) = later_build(df, &graph, (si, &[]), ins, builds_extension) else { continue };
                return Some(Err(Outcome::refused(
                    Reason::StillShips,
                    format!(
                        "line {}: this RUN installs {} for the PHP extensions that line {} builds; build them in the RUN that installs the headers, so that RUN can purge them, and ask again",
                        ins.line,
                        quoted(&packages),
                        later.0
                    ),
                )));
            }
            // a stage built FROM this one that does not ship and builds (a development stage's
            // `pecl install xdebug`) is built FROM a stage that installs the packages again
            let builders = slim::builders_of(df, &graph, si);
            if let Some(refusal) = built_after(df, &graph, si, ins, &builders) {
                return Some(Err(refusal));
            }
            if !builders.is_empty() {
                let recommends = slim::takes_recommends(&script);
                moves.push(Move {
                    stage: si,
                    line: ins.line,
                    manager: Manager::AptGet,
                    packages: packages.clone(),
                    recommends,
                });
            }
            let lists = leaves_lists(ins, &script);
            let Some(edit) = super::edits::append_command_below(ins, &script, &purge(&packages, lists)) else {
                return Some(Err(Outcome::refused(
                    Reason::MixedRun,
                    format!(
                        "line {}: the purge of {} cannot follow the RUN's last command, which runs under a condition, in a pipe or in a heredoc; end the RUN with a command that always runs and ask again",
                        ins.line,
                        quoted(&packages)
                    ),
                )));
            };
            edits.push(edit);
            if lists {
                rationale.push(Rationale::new(
                    "SL106",
                    ins.line,
                    "the apt lists are removed in the RUN that fetched them",
                ));
            }
            rationale.push(Rationale::new(
                "SL101",
                ins.line,
                format!(
                    "{} purged in the RUN that installs them, once the extensions are built; the packages of the libraries the extensions link stay (ldd, dpkg-query)",
                    packages.join(", ")
                ),
            ));
        }
    }
    if edits.is_empty() {
        return None;
    }
    if let Err(refusal) = slim::build_stages(df, &graph, &moves, &mut edits, &mut rationale) {
        return Some(Err(refusal));
    }
    Some(slim::edited(df, target, edits, "php", rationale))
}

/// The names, each in backticks.
fn quoted(packages: &[String]) -> String {
    packages.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
}

/// The first RUN after `ins` in stage `si`, or in a stage built FROM it (but `builders` and
/// the stages built FROM them, which move onto a build stage), with a command that `builds`:
/// its line, its stage and the command.
fn later_build(
    df: &Dockerfile,
    graph: &Graph,
    (si, builders): (usize, &[usize]),
    ins: &Instruction,
    builds: fn(&SimpleCommand) -> bool,
) -> Option<(usize, usize, String)> {
    let below = |s: usize| graph.lineage(s).contains(&si) && !slim::moves_onto_build(df, graph, s, builders);
    let stages = (0..df.stages.len()).filter(|&s| s == si || below(s));
    stages.into_iter().find_map(|s| {
        df.stages[s].instructions.iter().filter(|i| i.kind == Kind::Run && (s != si || i.line > ins.line)).find_map(
            |i| {
                let script = shell::parse(&i.script().unwrap_or_default());
                let c = script.commands.iter().find(|c| builds(c))?;
                Some((i.line, s, c.words.join(" ")))
            },
        )
    })
}

/// The refusal when a build after the extensions' RUN, in its stage or a stage built FROM it
/// that ships (or is on the way to one), may need what the purge takes.
fn built_after(df: &Dockerfile, graph: &Graph, si: usize, ins: &Instruction, builders: &[usize]) -> Option<Outcome> {
    let (line, s, what) = later_build(df, graph, (si, builders), ins, builds_later)?;
    Some(if s == si {
        Outcome::refused(
            Reason::StillShips,
            format!("line {}: `{what}` on line {line} may build with what this RUN installs; build it in this RUN before the purge, or in a build stage, and ask again", ins.line),
        )
    } else {
        Outcome::refused(
            Reason::InheritedStage,
            format!(
                "line {}: stage `{}` is built FROM this one and may build with what this RUN installs (`{what}`, line {line}); purging it would break that build",
                ins.line,
                df.stages[s].label()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use crate::patch::{Outcome, Templates};

    fn suggest(text: &str) -> Outcome {
        crate::patch::suggest(text, "Dockerfile", &Default::default(), &Templates::built_in())
    }

    /// nextcloud's shape: one RUN installs the headers with runtime packages and builds the
    /// extensions; it ends by purging the headers and keeping what the extensions link.
    #[test]
    fn the_headers_are_purged_in_the_run_that_builds_the_extensions() {
        let text = "FROM php:8.2-apache\nRUN apt-get update && apt-get install -y --no-install-recommends libicu-dev libpng-dev smbclient \\\n    && docker-php-ext-install intl gd \\\n    && pecl install redis && docker-php-ext-enable redis \\\n    && rm -rf /var/lib/apt/lists/*\nCOPY . /var/www/html\n";
        let Outcome::Patch(p) = suggest(text) else { panic!("{:?}", suggest(text)) };
        assert_eq!(p.ecosystem, "php");
        assert!(
            p.patched.contains(
                "rm -rf /var/lib/apt/lists/* \\\n    && apt-mark auto libicu-dev libpng-dev > /dev/null \\\n"
            ),
            "{}",
            p.patched
        );
        assert!(p.patched.contains("| xargs -r apt-mark manual > /dev/null \\\n    && apt-get purge -y --auto-remove\nCOPY . /var/www/html\n"), "{}", p.patched);
        // smbclient is the program's: not marked
        assert!(!p.patched.contains("auto libicu-dev libpng-dev smbclient"), "{}", p.patched);
        assert!(p
            .rationale
            .iter()
            .any(|r| r.rule == "SL101" && r.line == 2 && r.message.contains("libicu-dev, libpng-dev")));
        // the patched file lints clean of the toolchain, and parses
        let after = crate::lint::lint_text(&p.patched, "Dockerfile", &Default::default());
        assert!(!after.iter().any(|f| f.code == "SL101"), "{after:?}");
    }

    /// opensourcepos' shape: a development stage built FROM the shipped one builds xdebug; it
    /// is built FROM a stage that installs the purged packages again, and the rest follows.
    #[test]
    fn a_development_stage_that_builds_gets_the_packages_back() {
        let text = "FROM php:8.2-apache AS ospos\nRUN apt-get update && apt-get install -y --no-install-recommends libicu-dev libgd-dev \\\n    && docker-php-ext-install intl gd \\\n    && rm -rf /var/lib/apt/lists/*\nWORKDIR /app\n\nFROM ospos AS ospos_dev\nRUN yes | pecl install xdebug\n\nFROM ospos\nCMD [\"apache2-foreground\"]\n";
        let Outcome::Patch(p) = suggest(text) else { panic!("{:?}", suggest(text)) };
        assert!(p.patched.contains("WORKDIR /app\n\n# Build heavy: `ospos` ships without its toolchain; the stages that build FROM it get it here.\nFROM ospos AS ospos-build\nRUN apt-get update \\\n"), "{}", p.patched);
        assert!(p.patched.contains("libicu-dev libgd-dev"), "{}", p.patched);
        assert!(p.patched.contains("FROM ospos-build AS ospos_dev\n"), "{}", p.patched);
        assert!(p.patched.contains("\nFROM ospos\nCMD"), "{}", p.patched);
    }

    /// What the image keeps for phpize is not purged; Alpine is not this rewriter's.
    #[test]
    fn phpize_deps_and_alpine_are_left_alone() {
        let text = "FROM php:8.3-fpm\nRUN apt-get update && apt-get install -y libzip-dev make && docker-php-ext-install zip\n";
        let Outcome::Patch(p) = suggest(text) else { panic!("{:?}", suggest(text)) };
        assert!(p.patched.contains("apt-mark auto libzip-dev > /dev/null"), "{}", p.patched);
        // the lists the RUN fetched and left go too (chevereto's, round 75)
        assert!(
            p.patched.ends_with("&& apt-get purge -y --auto-remove \\\n    && rm -rf /var/lib/apt/lists/*\n"),
            "{}",
            p.patched
        );
        assert!(p.rationale.iter().any(|r| r.rule == "SL106"), "{:?}", p.rationale);
        let alpine = "FROM php:8.3-fpm-alpine\nRUN apk add --no-cache libzip-dev && docker-php-ext-install zip\n";
        assert!(!matches!(suggest(alpine), Outcome::Patch(ref p) if p.ecosystem == "php"));
    }

    /// crater's shape (the extensions build in a later RUN), a later build in the stage, and
    /// a stage built FROM it that builds: refused, naming the line.
    #[test]
    fn a_build_after_the_run_or_below_it_is_refused() {
        let split = "FROM php:8.1-fpm\nRUN apt-get update && apt-get install -y libzip-dev git\nRUN docker-php-ext-install zip\n";
        let Outcome::Refused(r) = suggest(split) else { panic!("{:?}", suggest(split)) };
        assert!(
            r.message.contains("line 2: this RUN installs `libzip-dev` for the PHP extensions that line 3 builds"),
            "{}",
            r.message
        );
        let later = "FROM php:8.1-fpm\nRUN apt-get update && apt-get install -y libzip-dev && docker-php-ext-install zip\nRUN make assets\n";
        let Outcome::Refused(r) = suggest(later) else { panic!("{:?}", suggest(later)) };
        assert!(r.message.contains("`make assets` on line 3 may build"), "{}", r.message);
        let below = "FROM php:8.1-fpm AS app\nRUN apt-get update && apt-get install -y libzip-dev && docker-php-ext-install zip\nFROM app AS prod\nRUN pecl install apcu\n";
        let Outcome::Refused(r) = suggest(below) else { panic!("{:?}", suggest(below)) };
        assert!(r.message.contains("stage `prod` is built FROM this one"), "{}", r.message);
        // a RUN that purges its headers already (the official images' idiom) is left as it is
        let purged = "FROM php:8.2-apache\nRUN savedAptMark=\"$(apt-mark showmanual)\"; apt-get update; apt-get install -y libzip-dev; docker-php-ext-install zip; apt-mark auto '.*' > /dev/null; apt-mark manual $savedAptMark; apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false\n";
        assert!(!matches!(suggest(purged), Outcome::Patch(ref p) if p.ecosystem == "php"), "{:?}", suggest(purged));
        // Composer installs PHP code: no build
        let composer = later.replace("make assets", "composer install --no-dev");
        assert!(matches!(suggest(&composer), Outcome::Patch(_)), "{:?}", suggest(&composer));
    }
}
