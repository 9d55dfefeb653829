//! ## What it does
//! Flags a `RUN rm`, `RUN chown -R` or `RUN chmod -R` in the image that ships which touches
//! paths an earlier instruction of the same image added (a COPY/ADD destination, a file an
//! earlier RUN downloaded, cloned, extracted or copied).
//!
//! Not when the RUN itself made the path before touching it and the earlier instruction is
//! only thought to hold it because a context folder may hold anything (`COPY . /app`): a
//! `mkdir`, a download or extraction, a system package installed in the same RUN (its files
//! under `/etc`, `/usr`, `/var`, `/opt`), or a project's package manager filling `vendor/` or
//! `node_modules/` (`composer install && rm -rf vendor/*/*/.git`).
//!
//! What a COPY of a folder from the build context brought (`COPY rootfs/ /`) is known when
//! linting a checkout (the pipeline reads the folder, looked up in the Dockerfile's folder and
//! then each one above it up to the repository's root): the folder holds the path or it was
//! not the COPY's; a source the checkout shows is a file (`COPY Gemfile Gemfile.lock ./`)
//! brought only itself. Without the context (stdin), such a folder, or a source whose name has
//! no extension, may hold anything. A path under the home folder (`rm -rf ~/.bundle`) is not
//! placed.
//!
//! ## Why it matters
//! Layers only add. Deleting a file in a later layer hides it but the bytes stay in the layer
//! that added it; `chown -R`/`chmod -R` copies every file it touches into a new layer, so the
//! bytes are stored twice.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12-slim
//! COPY app/ /app/
//! RUN chown -R app:app /app
//! RUN curl -o /tmp/tool.tgz https://example.com/tool.tgz && tar -xzf /tmp/tool.tgz -C /opt
//! RUN rm /tmp/tool.tgz
//! ```
//!
//! ## Fix
//! Use `COPY --chown=app:app` / `COPY --chmod=…`, and delete temporary files in the same RUN
//! that creates them.

use super::support::{absolute, overlaps};
use crate::dockerfile::{Body, Kind};
use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for fin in ctx.finals() {
        // (path, line, what is known to be under it)
        let mut added: Vec<(String, usize, Under)> = Vec::new();
        let mut workdir = "/".to_owned();
        for si in ctx.graph.lineage(fin.index) {
            let stage = &ctx.df.stages[si];
            let mut runs = ctx.runs(stage).peekable();
            for (n, ins) in stage.instructions.iter().enumerate() {
                match ins.kind {
                    Kind::Workdir => {
                        if let Some(w) = ins.words().first() {
                            workdir = absolute(&workdir, &ctx.expand(stage, n, w));
                        }
                    }
                    Kind::Copy | Kind::Add => {
                        if let Body::Copy { sources, dest } = &ins.body {
                            let under = Under::copied(sources, ins.flag("from").is_some(), &ctx.config.copied_folders);
                            added.push((absolute(&workdir, &ctx.expand(stage, n, dest)), ins.line, under));
                        }
                    }
                    Kind::Run => {
                        let Some((_, script)) = runs.next() else {
                            continue;
                        };
                        let mut created = Vec::new();
                        // what the commands before a touch in this RUN may have made: paths
                        // they write or make, system packages' files, a project's dependencies
                        let mut made_here: Vec<String> = Vec::new();
                        let mut packages_here = false;
                        for cmd in &script.commands {
                            let (prog, args) = (cmd.program(), cmd.args());
                            let touched: Option<(&str, &str)> = match prog {
                                "rm" => Some(("rm", "delete")),
                                "chown" | "chmod"
                                    if args.iter().any(|a| {
                                        a == "-R"
                                            || a == "--recursive"
                                            || (a.starts_with('-') && !a.starts_with("--") && a.contains('R'))
                                    }) =>
                                {
                                    Some((prog, "rewrite"))
                                }
                                _ => None,
                            };
                            if let Some((verb, _)) = touched {
                                let skip_first = verb != "rm"; // the owner/mode argument
                                let paths = args.iter().filter(|a| !a.starts_with('-')).skip(usize::from(skip_first));
                                // (`~/.bundle` is under the home folder of whoever runs the
                                // RUN, not the working folder: not placed here)
                                for p in paths.filter(|p| !p.starts_with('~')) {
                                    let p = absolute(&workdir, p.trim_end_matches('*'));
                                    // made by this RUN before (and the earlier instruction's
                                    // content is not known to hold it): its own, no bytes stay
                                    let made_here_first = made_here.iter().any(|m| overlaps(&p, m));
                                    // a system package's files land in the system's folders, not
                                    // in an application's folder a COPY made (`COPY . /opt/app`)
                                    let package_file = |dest: &str| {
                                        packages_here
                                            && is_system_path(&p)
                                            && dest.trim_end_matches('/').matches('/').count() <= 1
                                    };
                                    if let Some((_, line, under)) = added.iter().rev().find(|(a, l, under)| {
                                        *l != ins.line
                                            && overlaps(&p, a)
                                            && under.holds(a, &p)
                                            && !((made_here_first || package_file(a)) && under.only_maybe(a, &p))
                                    }) {
                                        let by_copy = !matches!(under, Under::Run);
                                        let message = if verb == "rm" {
                                            format!("`rm {p}` runs in a later layer than line {line}, which added it: the bytes stay in line {line}'s layer")
                                        } else {
                                            format!("`{verb} -R` on `{p}` copies every file line {line} added into a new layer: those bytes are stored twice")
                                        };
                                        let fix = if verb == "rm" {
                                            "delete it in the same RUN that creates it"
                                        } else if by_copy {
                                            "set ownership and mode while copying: `COPY --chown=user:group` / `COPY --chmod=…`"
                                        } else {
                                            "set ownership and mode in the RUN that creates the files"
                                        };
                                        out.push(Hit::on(ins, stage, message).fix(fix));
                                        break;
                                    }
                                }
                            } else {
                                let outs: Vec<String> = outputs(prog, args)
                                    .into_iter()
                                    .chain(crate::dockerfile::packages::venv_folder(cmd))
                                    .map(|p| absolute(&workdir, p))
                                    .collect();
                                made_here.extend(outs.iter().cloned());
                                made_here.extend(makes(cmd).into_iter().map(|p| absolute(&workdir, p)));
                                // (a local package file too: `dpkg -i x.deb`, `rpm -i x.rpm`)
                                let local_package = match prog {
                                    "dpkg" => args.iter().any(|a| a == "-i" || a == "--install"),
                                    // (`-i`, `-U`, `-ivh`, `-Uvh`; not a query or an erase:
                                    // `-qi`, `-qa`, `-e`)
                                    "rpm" => args.iter().any(|a| {
                                        a.starts_with('-')
                                            && !a.starts_with("--")
                                            && (a.contains('i') || a.contains('U'))
                                            && !a.contains(['q', 'e'])
                                    }),
                                    _ => false,
                                };
                                packages_here |=
                                    crate::dockerfile::packages::system_install(cmd).is_some() || local_package;
                                created.extend(outs);
                            }
                        }
                        // what the same RUN removes again is not in its layer
                        let removed: Vec<String> = script
                            .commands
                            .iter()
                            .filter(|c| c.program() == "rm")
                            .flat_map(|c| c.args().iter().filter(|a| !a.starts_with('-')))
                            .map(|p| absolute(&workdir, p.trim_end_matches('*')).trim_end_matches('/').to_owned())
                            .collect();
                        created.retain(|c| !removed.iter().any(|r| c == r || c.starts_with(&format!("{r}/"))));
                        added.extend(created.into_iter().map(|p| (p, ins.line, Under::Run)));
                    }
                    _ => {}
                }
            }
        }
    }
}

/// The sources COPY/ADD instructions take from the build context that may be folders whose
/// content the pipeline can read in a checkout: plain relative paths (no glob, variable, URL
/// or heredoc), as written.
pub fn context_sources(df: &crate::dockerfile::Dockerfile) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for ins in df.stages.iter().flat_map(|s| &s.instructions) {
        let Body::Copy { sources, .. } = &ins.body else { continue };
        if !matches!(ins.kind, Kind::Copy | Kind::Add) || ins.flag("from").is_some() {
            continue;
        }
        for s in sources {
            let plain = !s.contains(['*', '?', '[', '$']) && !s.contains("://") && !s.starts_with("<<");
            if plain && !out.contains(s) {
                out.push(s.clone());
            }
        }
    }
    out
}

/// What an instruction is known to have put under the path it wrote.
enum Under {
    /// A RUN's download, clone, extraction or copy: anything.
    Run,
    /// COPY/ADD from the build context: a folder source brings whatever the context holds.
    Context(Vec<String>),
    /// COPY/ADD of folders whose content the checkout shows (`COPY rootfs/ /`): the paths
    /// under each, relative to it.
    Folders(Vec<Vec<String>>),
    /// COPY --from a stage or image: only the sources' own names are known (a folder's
    /// content is the other stage's business: `COPY --from=build /target/ /` says nothing
    /// about `/go`).
    Stage(Vec<String>),
}

impl Under {
    fn copied(sources: &[String], from: bool, known: &[(String, Vec<String>)]) -> Under {
        if from {
            return Under::Stage(sources.to_vec());
        }
        // every source a folder whose content is known
        let listed: Option<Vec<Vec<String>>> =
            sources.iter().map(|s| known.iter().find(|(k, _)| k == s).map(|(_, paths)| paths.clone())).collect();
        match listed {
            Some(l) if !l.is_empty() => Under::Folders(l),
            _ => Under::Context(sources.to_vec()),
        }
    }

    /// Whether `path` lies inside what this wrote at `dest` only because a folder of the
    /// build context may hold anything (`COPY . /app`): no source names it and no listing
    /// has it; or because a RUN's download or extraction there may hold anything
    /// (homebridge's ffmpeg archive unpacked into `/` says nothing of `/var/lib/homebridge`,
    /// which a later RUN's `dpkg -i` makes).
    fn only_maybe(&self, dest: &str, path: &str) -> bool {
        if let Under::Run = self {
            let inside =
                path.strip_prefix(dest.trim_end_matches('/')).is_some_and(|r| r.starts_with('/') && r.len() > 1);
            return inside;
        }
        let Under::Context(sources) = self else { return false };
        let Some(rel) =
            path.strip_prefix(dest).map(|r| r.trim_start_matches('/')).filter(|r| !r.is_empty() || dest == "/")
        else {
            return false;
        };
        let first = rel.split('/').next().unwrap_or("");
        !first.is_empty()
            && !sources.iter().any(|s| {
                let base = s.trim_end_matches('/').rsplit('/').next().unwrap_or(s);
                base == first || globset::Glob::new(base).is_ok_and(|g| g.compile_matcher().is_match(first))
            })
    }

    /// Whether touching `path` touches something this wrote at `dest`: the path is the
    /// destination or holds it, or lies inside it where a source's name says it was copied.
    fn holds(&self, dest: &str, path: &str) -> bool {
        let inside =
            dest == "/" && path != "/" || path.strip_prefix(dest).is_some_and(|r| r.starts_with('/') && r.len() > 1);
        if !inside {
            return true;
        }
        let rel = path.strip_prefix(dest).unwrap_or(path).trim_start_matches('/');
        let first = rel.split('/').next().unwrap_or("");
        let named = |sources: &[String]| {
            sources.iter().any(|s| {
                let base = s.trim_end_matches('/').rsplit('/').next().unwrap_or(s);
                base == first
                    || globset::Glob::new(base).is_ok_and(|g| g.compile_matcher().is_match(first))
                    || globset::Glob::new(first).is_ok_and(|g| g.compile_matcher().is_match(base))
            })
        };
        match self {
            Under::Run => true,
            // the path, or something inside it, is in one of the folders
            Under::Folders(listings) => {
                let rel = rel.trim_end_matches('/');
                listings
                    .iter()
                    .any(|paths| rel.is_empty() || paths.iter().any(|p| p == rel || p.starts_with(&format!("{rel}/"))))
            }
            Under::Stage(sources) => named(sources),
            Under::Context(sources) => {
                // a folder (`.`, `app/`, a name without an extension) may hold anything
                named(sources)
                    || sources.iter().any(|s| {
                        let base = s.trim_end_matches('/').rsplit('/').next().unwrap_or(s);
                        s.ends_with('/') || base == "." || !base.contains('.')
                    })
            }
        }
    }
}

/// Folders a command makes without writing content `outputs` tracks: `mkdir`, and the
/// dependency folder a project's package manager fills in the working directory (`composer
/// install` → `vendor`, `npm ci` → `node_modules`).
fn makes(cmd: &crate::dockerfile::shell::SimpleCommand) -> Vec<&str> {
    let args = cmd.args();
    match (cmd.program(), cmd.subcommand()) {
        ("mkdir", _) => args.iter().filter(|a| !a.starts_with('-')).map(String::as_str).collect(),
        ("composer", Some("install" | "update" | "require")) => vec!["vendor"],
        ("npm" | "pnpm", Some("install" | "ci" | "i")) | ("yarn", Some("install") | None) => vec!["node_modules"],
        ("bundle", Some("install")) => vec!["vendor/bundle"],
        _ => Vec::new(),
    }
}

/// Where a distribution's packages put their files.
fn is_system_path(p: &str) -> bool {
    ["/etc/", "/usr/", "/var/", "/opt/", "/lib/", "/lib64/", "/srv/"].iter().any(|d| p.starts_with(d))
}

/// Paths a command writes content to (downloads, clones, extractions, copies).
fn outputs<'a>(prog: &str, args: &'a [String]) -> Vec<&'a str> {
    let after = |flags: &[&str]| -> Vec<&'a str> {
        args.windows(2).filter(|w| flags.contains(&w[0].as_str())).map(|w| w[1].as_str()).collect()
    };
    let positional: Vec<&str> = args.iter().filter(|a| !a.starts_with('-')).map(String::as_str).collect();
    match prog {
        "curl" => after(&["-o", "--output"]),
        "wget" => after(&["-O", "--output-document", "-P", "--directory-prefix"]),
        "tar" => after(&["-C", "--directory"]),
        "unzip" => after(&["-d"]),
        "git" if positional.first() == Some(&"clone") => positional.get(2).copied().into_iter().collect(),
        "cp" | "mv" => positional.last().copied().into_iter().collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::{lines, messages};

    #[test]
    fn flags_rewrites_and_late_deletes() {
        let m = messages("SL109", "FROM debian:12\nWORKDIR /app\nCOPY . .\nRUN chown -R app:app /app\n");
        assert_eq!(m.len(), 1);
        assert!(m[0].1.contains("line 3"), "{}", m[0].1);
        assert_eq!(lines("SL109", "FROM debian:12\nRUN curl -o /tmp/t.tgz https://x && tar -xzf /tmp/t.tgz -C /opt\nRUN rm -f /tmp/t.tgz\n"), vec![3]);
        assert_eq!(lines("SL109", "FROM debian:12\nCOPY big.bin /data/big.bin\nRUN rm -rf /data\n"), vec![3]);
    }

    #[test]
    fn inside_a_copy_only_what_its_sources_name() {
        // the official golang image: the toolchain comes from /target/, /go is made here
        let golang = "FROM alpine:3.24 AS build\nRUN mkdir -p /target/usr/local/go\nFROM alpine:3.24\nCOPY --from=build /target/ /\nRUN mkdir -p /go/src && chmod -R 1777 /go\n";
        assert!(lines("SL109", golang).is_empty());
        // a RUN that removes what it downloaded leaves nothing a later `rm -rf /tmp/*` wastes
        assert!(lines("SL109", "FROM debian:12\nRUN curl -o /tmp/w.whl https://x && pip install /tmp/w.whl && rm /tmp/w.whl\nRUN rm -rf /tmp/*\n").is_empty());
        // scripts copied to /tmp/, a tarball one of them downloads in the same RUN
        let kafka = "FROM alpine:3\nCOPY fetch.sh start.sh /tmp/\nRUN /tmp/fetch.sh && tar xzf /tmp/k.tgz -C /opt && rm /tmp/k.tgz\n";
        assert!(lines("SL109", kafka).is_empty());
        // but removing the copied scripts later, or what a context folder brought, is flagged
        assert_eq!(lines("SL109", "FROM alpine:3\nCOPY fetch.sh /tmp/\nRUN rm /tmp/fetch.sh\n"), vec![3]);
        assert_eq!(lines("SL109", "FROM alpine:3\nCOPY fetch.sh /tmp/\nRUN rm /tmp/*\n"), vec![3]);
        assert_eq!(lines("SL109", "FROM node:20\nCOPY . /app\nRUN rm -rf /app/node_modules\n"), vec![3]);
        assert_eq!(
            lines(
                "SL109",
                "FROM alpine:3\nCOPY --from=b /out/app /usr/local/bin/\nRUN chmod -R 755 /usr/local/bin/app\n"
            ),
            vec![3]
        );
    }

    /// homebridge's shape: an archive unpacked into `/` by an earlier RUN says nothing of the
    /// `.deb` this RUN downloads and removes, nor of what its `dpkg -i` installs; a file an
    /// earlier RUN downloaded and this one removes is still wasted.
    #[test]
    fn an_earlier_extraction_into_the_root_holds_only_maybe() {
        let text = "FROM debian:12\nRUN curl -L https://x/f.tar.gz | tar xzf - -C /\nRUN curl -sSLf -o /hb.deb https://x/hb.deb && dpkg -i /hb.deb && rm -rf /hb.deb && chown -R root:root /opt/homebridge && rm -rf /var/lib/homebridge\n";
        assert!(lines("SL109", text).is_empty());
        assert_eq!(
            lines("SL109", "FROM debian:12\nRUN curl -o /x.deb https://x/x.deb\nRUN dpkg -i /x.deb && rm /x.deb\n"),
            [3]
        );
        // an rpm query installs nothing: what the earlier RUN put in /opt is still its own
        let query = "FROM fedora:40\nRUN curl -L https://x/f.tar.gz | tar xzf - -C /opt\nRUN rpm -qi bash && rm -rf /opt/tool\n";
        assert_eq!(lines("SL109", query), [3]);
        assert!(lines("SL109", &query.replace("rpm -qi bash", "rpm -ivh /tmp/tool.rpm")).is_empty());
    }

    #[test]
    fn same_layer_and_unrelated_paths_pass() {
        assert!(lines(
            "SL109",
            "FROM debian:12\nRUN curl -o /tmp/t.tgz https://x && tar -xzf /tmp/t.tgz -C /opt && rm /tmp/t.tgz\n"
        )
        .is_empty());
        assert!(lines(
            "SL109",
            "FROM debian:12\nCOPY a /app/a\nRUN rm -rf /var/lib/apt/lists/*\nRUN chown app /app/a\n"
        )
        .is_empty());
        assert!(lines(
            "SL109",
            "FROM debian:12 AS b\nCOPY . /src\nRUN rm -rf /src/tests\nFROM scratch\nCOPY --from=b /src /src\n"
        )
        .is_empty());
    }
}

#[cfg(test)]
mod context_tests {
    use crate::lint::{lint_text, LintConfig};

    /// jitsi's `COPY rootfs/ /`: with what the folder holds known, a path it does not hold
    /// was not added by the COPY.
    /// snipe-it: `composer install` makes `vendor/` in the RUN that cleans it; jibri: the
    /// package installed in the same RUN made the config it removes. A path a source names,
    /// or a listed folder holds, is still the COPY's.
    #[test]
    fn what_the_same_run_made_first_is_its_own() {
        use crate::lint::rules::testing::lines;
        let composer = "FROM php:8.3-apache\nWORKDIR /var/www/html\nCOPY . .\nRUN composer install --no-dev && rm -rf vendor/*/*/.git\n";
        assert!(lines("SL109", composer).is_empty());
        let package = "FROM debian:12\nCOPY rootfs/ /\nRUN apt-get update && apt-get install -y nginx && rm /etc/nginx/conf.d/default.conf\n";
        assert!(lines("SL109", package).is_empty());
        let mkdir = "FROM debian:12\nCOPY . /app\nRUN mkdir -p /app/cache && rm -rf /app/cache\n";
        assert!(lines("SL109", mkdir).is_empty());
        // an application's folder is not where packages put files
        let app = "FROM debian:12\nCOPY . /opt/app\nRUN apt-get install -y x && rm -rf /opt/app/tests\n";
        assert_eq!(lines("SL109", app), vec![3]);
        // named by the COPY: its bytes stay whatever the RUN did first
        let named = "FROM debian:12\nCOPY app.tar.gz /opt/\nRUN apt-get install -y x && rm /opt/app.tar.gz\n";
        assert_eq!(lines("SL109", named), vec![3]);
        // nothing made it in this RUN: the COPY may have
        assert_eq!(lines("SL109", "FROM php:8.3\nWORKDIR /app\nCOPY . .\nRUN rm -rf vendor/x/.git\n"), vec![4]);
    }

    /// Paths an ENV names are read as Docker gives them, in the COPY and WORKDIR as in the RUN
    /// (kasm's `COPY … $INST_SCRIPTS/atom/`, then `rm -rf $INST_SCRIPTS/atom/`); a virtualenv a
    /// RUN made is content a later `chown -R` copies (galaxy_ng's `chown -R galaxy
    /// ${VIRTUAL_ENV}`).
    #[test]
    fn paths_env_names_and_virtualenvs_are_followed() {
        use crate::lint::rules::testing::messages;
        let kasm = "FROM debian:12\nENV STARTUPDIR /dockerstartup\nENV INST_SCRIPTS $STARTUPDIR/install\nCOPY ./src/atom $INST_SCRIPTS/atom/\nRUN bash $INST_SCRIPTS/atom/install.sh\nRUN rm -rf $INST_SCRIPTS/atom/\n";
        let m = messages("SL109", kasm);
        assert!(m.len() == 1 && m[0].0 == 6 && m[0].1.contains("`rm /dockerstartup/install/atom`"), "{m:?}");
        let venv = "FROM debian:12\nENV VIRTUAL_ENV=/venv\nRUN python3 -m venv \"${VIRTUAL_ENV}\" && /venv/bin/pip install flask\nRUN chown -R app ${VIRTUAL_ENV}\n";
        let m = messages("SL109", venv);
        assert!(m.len() == 1 && m[0].1.contains("`/venv`") && m[0].1.contains("line 3"), "{m:?}");
    }

    #[test]
    fn a_folder_copied_from_the_context_holds_only_its_files() {
        let text = "FROM debian:12\nCOPY rootfs/ /\nRUN chmod -R 755 /etc/cont-init.d\nRUN rm -rf /usr/share/doc/*\n";
        let df = crate::dockerfile::Dockerfile::parse(text).unwrap();
        assert_eq!(super::context_sources(&df), ["rootfs/"]);
        let listing = vec!["etc".to_owned(), "etc/cont-init.d".to_owned(), "etc/cont-init.d/10-config".to_owned()];
        let cfg = LintConfig { copied_folders: vec![("rootfs/".into(), listing)], ..Default::default() };
        let lines = |cfg: &LintConfig| -> Vec<usize> {
            lint_text(text, "Dockerfile", cfg).into_iter().filter(|f| f.code == "SL109").map(|f| f.line).collect()
        };
        // the folder holds /etc/cont-init.d, not /usr/share/doc
        assert_eq!(lines(&cfg), vec![3]);
        // its content not known: the folder may hold anything
        assert_eq!(lines(&LintConfig::default()), vec![3, 4]);
    }
}
