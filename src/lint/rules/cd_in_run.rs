//! ## What it does
//! Flags `cd` in RUN (hadolint DL3003) where `WORKDIR` would do the same: a folder that
//! exists before the RUN, stays after it, and where the rest of the RUN works. Not a
//! temporary excursion: a folder the same RUN creates (mkdir, git clone, an unpacked
//! archive, `mktemp -d`) or removes, a subshell after other work (`… && (cd /usr/local/bin
//! && …)`), a folder that exists only inside one of the RUN's
//! `--mount` targets (a bind, cache or tmpfs mount), a `cd` inside a branch or loop, `/tmp`, `cd ..`, a
//! pattern (`cd /opt/oracle/instantclient_*`, which WORKDIR does not expand), a `cd` after
//! work in the folder the RUN starts in (`pip3 install --user . && cd wger`, `sh
//! scripts/build.sh`, `make`), or a RUN that changes folder again. A `cd` into the WORKDIR
//! the RUN already runs in (one the file sets, or the one an official base sets: `php`'s
//! `/var/www/html`) is flagged as one that changes nothing, to drop. WORKDIR cannot express
//! the others: it would leave the folder in a layer, or move every later instruction there.
//! Unlike hadolint, which flags every `cd`.
//!
//! ## Why it matters
//! `cd` lasts only for that RUN, so later instructions run somewhere else than the reader
//! expects. WORKDIR says where the rest of the stage runs.
//!
//! ## Example
//! ```dockerfile
//! RUN cd /app && make
//! ```
//!
//! ## Fix
//! `WORKDIR /app` then `RUN make`.

use crate::dockerfile::shell::{Script, SimpleCommand};
use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for stage in &ctx.df.stages {
        // the WORKDIR each RUN runs in: the base image's (`php` sets `/var/www/html`), then the
        // lineage's WORKDIRs, in order
        let base = ctx.graph.root_image(stage.index).and_then(crate::dockerfile::os::base_workdir);
        let mut workdir = base.unwrap_or("/").to_owned();
        // (whether a WORKDIR of the file's set it, or the base's is still the one)
        let mut set = false;
        for &a in ctx.graph.ancestors(stage.index).iter().rev() {
            for w in ctx.df.stages[a].of_kind(crate::dockerfile::Kind::Workdir) {
                if let Some(p) = w.words().first() {
                    workdir = crate::dockerfile::resolve_path(&workdir, p);
                    set = true;
                }
            }
        }
        let mut workdirs = Vec::new();
        for ins in &stage.instructions {
            if ins.kind == crate::dockerfile::Kind::Workdir {
                if let Some(p) = ins.words().first() {
                    workdir = crate::dockerfile::resolve_path(&workdir, p);
                    set = true;
                }
            }
            workdirs.push((ins.line, workdir.clone(), set));
        }
        for (ins, script) in ctx.runs(stage) {
            let (wd, set) = workdirs
                .iter()
                .find(|(l, _, _)| *l == ins.line)
                .map(|(_, w, set)| (w.as_str(), *set))
                .unwrap_or(("/", true));
            let cds: Vec<(usize, &SimpleCommand)> =
                script.commands.iter().enumerate().filter(|(_, c)| c.program() == "cd").collect();
            let Some(&(at, cd)) = cds.first() else { continue };
            let dir = cd.args().first().map(String::as_str).unwrap_or("~");
            // after commands that run in a WORKDIR a mount covers, the cd leaves the mount:
            // a WORKDIR would move those commands out of it too
            let leaves_mount = at > 0 && in_mount(ins, ".", wd);
            // (WORKDIR expands no command substitution: round 50's InvokeAI `cd
            // /usr/lib/$(uname -p)-linux-gnu/pkgconfig/`)
            let substituted = dir.contains("$(") || dir.contains('`');
            // a `cd` into the WORKDIR the RUN already runs in (round 66's caesar and round 45's
            // panoptes: `RUN (cd /app && …)` under `WORKDIR /app`) changes nothing: the WORKDIR
            // is there, and the `cd` can go (not `/`, which may be the base image's WORKDIR
            // rather than the file's)
            if cds.len() == 1 && !substituted && wd != "/" && crate::dockerfile::resolve_path(wd, dir) == wd {
                out.push(
                    Hit::on(
                        ins,
                        stage,
                        format!(
                            "`cd {dir}` changes nothing: this RUN already runs in the WORKDIR `{wd}`{}",
                            match (set, ctx.graph.root_image(stage.index)) {
                                (false, Some(image)) => format!(", which `{image}` sets"),
                                _ => String::new(),
                            }
                        ),
                    )
                    .fix("drop the `cd`".to_owned())
                    .alias("DL3003"),
                );
                continue;
            }
            // a `cd` opening a subshell after other work (round 26's glpi: `… && (cd
            // /usr/local/bin/ && curl … | bash) && …`) goes back where it was at the `)`
            let text = ins.script().unwrap_or_default();
            let mid_subshell = at > 0
                && cd.spans.first().and_then(|r| text.get(..r.start)).is_some_and(|t| t.trim_end().ends_with('('));
            if cds.len() == 1
                && !substituted
                && !mid_subshell
                && !excursion(script, at, dir, wd)
                && !in_mount(ins, dir, wd)
                && !leaves_mount
                && !script.commands[..at].iter().any(works_here)
            {
                out.push(
                    Hit::on(ins, stage, format!("`cd {dir}` lasts only for this RUN"))
                        .fix(format!("use `WORKDIR {dir}`"))
                        .alias("DL3003"),
                );
            }
        }
    }
}

/// Whether `dir` is (inside) a folder that exists only while the RUN runs: the target of
/// one of its `--mount`s (a bind, a cache, a tmpfs, a secret). WORKDIR cannot name it.
fn in_mount(ins: &crate::dockerfile::Instruction, dir: &str, workdir: &str) -> bool {
    // both against the WORKDIR: `--mount=target=.` mounts over the WORKDIR itself
    let dir = crate::dockerfile::resolve_path(workdir, dir);
    ins.flag_values("mount").any(|m| {
        let opts = crate::dockerfile::mount_options(m);
        let Some(target) = opts.iter().find(|(k, _)| matches!(*k, "target" | "dst" | "destination")).map(|(_, v)| *v)
        else {
            return false;
        };
        let target = crate::dockerfile::resolve_path(workdir, target);
        dir == target || target == "/" || dir.starts_with(&format!("{target}/"))
    })
}

/// Whether a command before the `cd` works in the folder the RUN starts in: it names that
/// folder (`pip3 install --user .`), runs a program or script by a path relative to it
/// (`./configure`, `sh scripts/rust-dummy-build.sh`), or builds there by default (`make`
/// without `-C`, `npm ci`, `bundle install`, `composer install`, `cargo build`, `go build`,
/// which read the manifest there). A WORKDIR standing for the `cd` would move that work too.
fn works_here(c: &SimpleCommand) -> bool {
    let relative = |a: &str| {
        a.starts_with("./")
            || a.starts_with("../")
            || (a.contains('/') && !a.starts_with(['/', '-', '$', '~']) && !a.contains("://"))
    };
    let args = c.args();
    let program = c.program();
    let script = matches!(program, "sh" | "bash" | "python" | "python3" | "node" | "perl" | "ruby")
        && args.iter().find(|a| !a.starts_with('-')).is_some_and(|a| relative(a));
    // (the project tools read their manifest in the folder they run in: round 83's danbooru
    // runs `bundle install` of /danbooru's Gemfile, then `cd $GEM_HOME`)
    let builds_here = match program {
        "make" | "gmake" | "ninja" => !args.iter().any(|a| a.starts_with("-C")),
        "npm" | "yarn" | "pnpm" => {
            matches!(c.subcommand(), Some("install" | "ci" | "run" | "build" | "i"))
                && !args.iter().any(|a| a == "-g" || a == "--global")
        }
        "bundle" => !args.iter().any(|a| a.starts_with("--gemfile")),
        "composer" => !args.iter().any(|a| a.starts_with("--working-dir") || a.starts_with("-d")),
        "poetry" | "uv" | "cargo" | "mvn" | "gradle" => {
            !args.iter().any(|a| a.starts_with("--project") || a.starts_with("--manifest-path") || a == "-f")
        }
        "go" => matches!(c.subcommand(), Some("build" | "install" | "mod" | "generate" | "test")),
        _ => false,
    };
    let effective = c.effective();
    let first = effective.first().map(String::as_str).unwrap_or("");
    args.iter().any(|a| a == "." || a.starts_with("./") || a.starts_with("../"))
        || relative(first)
        || script
        || builds_here
}

/// Whether `cd dir` (command `at`, in a RUN that starts in `workdir`) is a temporary
/// excursion WORKDIR cannot stand for.
fn excursion(script: &Script, at: usize, dir: &str, workdir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    let name = dir.rsplit('/').next().unwrap_or(dir);
    // `cd ..`, `cd -`: a step back, and the scratch folders: nobody means them as WORKDIR;
    // a pattern (`cd /opt/oracle/instantclient_*`) WORKDIR does not expand
    if matches!(dir, ".." | "-" | "/tmp" | "/var/tmp") || dir.contains(['*', '?', '[']) {
        return true;
    }
    let inside_workdir = crate::dockerfile::resolve_path(workdir, dir)
        .strip_prefix(workdir.trim_end_matches('/'))
        .is_some_and(|rest| rest.starts_with('/') && rest.len() > 1);
    let same = |p: &str| {
        let p = p.trim_end_matches('/');
        p == dir || (!dir.starts_with('/') && p.rsplit('/').next() == Some(name))
    };
    // the folder, or one that holds it (`mkdir /usr/src/x` then `cd /usr/src/x/src`)
    let holds = |p: &str| {
        let p = p.trim_end_matches('/');
        same(p) || (p.starts_with('/') && p.len() > 1 && dir.starts_with(&format!("{p}/")))
    };
    // a variable the script fills from a command (`tempDir="$(mktemp -d)"`)
    if let Some(var) = dir.strip_prefix('$') {
        let var = var.trim_start_matches('{').trim_end_matches('}');
        if script.commands.iter().any(|c| c.assignments.iter().any(|a| a.starts_with(&format!("{var}=")))) {
            return true;
        }
    }
    // inside a branch or a loop: it does not hold for the rest of the RUN
    if script.commands[at].conditional() {
        return true;
    }
    let before = &script.commands[..at];
    let created = before.iter().any(|c| {
        let args = c.args();
        match c.program() {
            "mkdir" => args.iter().any(|a| holds(a)),
            // the destination, or the repository's name (flag values such as `--depth 1`
            // are among the words, so any of them may be it)
            "git" => {
                matches!(c.subcommand(), Some("clone" | "init"))
                    && args.iter().filter(|a| !a.starts_with('-')).any(|a| {
                        holds(a)
                            || same(a.trim_end_matches(".git").rsplit('/').next().unwrap_or(""))
                            // a repository a variable names: its folder is not known here
                            || (a.contains('$') && !dir.starts_with('/'))
                    })
            }
            // an archive unpacked here makes folders nobody named, in the folder the RUN
            // starts in (`unzip x.zip` in WORKDIR /opt/oracle, then `cd /opt/oracle/…`)
            "tar" | "unzip" => !dir.starts_with('/') || inside_workdir || args.iter().any(|a| holds(a)),
            _ => false,
        }
    });
    let removed = script.commands[at + 1..].iter().any(|c| {
        c.program() == "rm"
            && c.args().iter().filter(|a| !a.starts_with('-')).any(|a| {
                let a = a.trim_end_matches('/');
                same(a) || (dir.starts_with(&format!("{a}/")) && a.len() > 1)
            })
    });
    created || removed
}

#[cfg(test)]
mod tests {
    /// Round 66 (zooniverse/caesar, held out): `cd /app` under `WORKDIR /app` changes
    /// nothing; the WORKDIR the rule would ask for is there, so it says to drop the `cd`
    #[test]
    fn cd_into_the_workdir_the_run_runs_in_is_said_to_change_nothing() {
        use crate::lint::rules::testing::{lines, messages};
        let m = messages("SL310", "FROM ruby:3\nWORKDIR /app\nRUN (cd /app && mkdir -p tmp/pids)\n");
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].1.contains("`cd /app` changes nothing: this RUN already runs in the WORKDIR `/app`"), "{m:?}");
        assert_eq!(lines("SL310", "FROM ruby:3\nWORKDIR /app\nRUN cd /app/ && bundle exec rake x\n"), vec![3]);
        assert_eq!(lines("SL310", "FROM ruby:3\nWORKDIR /app\nRUN cd /srv && bundle exec rake x\n"), vec![3]);
        // no WORKDIR of the file's: the base image's may be another folder
        assert_eq!(lines("SL310", "FROM ruby:3\nRUN cd / && ls\n"), vec![2]);
    }

    /// Round 81 (martin-helmich/docker-typo3, held out): `cd /var/www/html` on a `php` base,
    /// whose images all set that WORKDIR, changes nothing; the fix is to drop it, not to write
    /// the WORKDIR the base already has
    #[test]
    fn cd_into_the_workdir_an_official_base_sets_is_said_to_change_nothing() {
        use crate::lint::rules::testing::{lines, messages};
        let m = messages("SL310", "FROM php:8.2-apache\nRUN cd /var/www/html && tar -xzf /tmp/app.tar.gz\n");
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(
            m[0].1.contains("`cd /var/www/html` changes nothing: this RUN already runs in the WORKDIR `/var/www/html`, which `php:8.2-apache` sets"),
            "{m:?}"
        );
        // another folder is one a WORKDIR would stand for, and a WORKDIR of the file's decides
        let m = messages("SL310", "FROM php:8.2-apache\nRUN cd /srv && tar -xzf /tmp/app.tar.gz\n");
        assert!(m[0].1.contains("`cd /srv` lasts only for this RUN"), "{m:?}");
        let m = messages("SL310", "FROM php:8.2-apache\nWORKDIR /app\nRUN cd /app && composer install\n");
        assert!(m[0].1.ends_with("the WORKDIR `/app`"), "{m:?}");
        // a subshell after other work is an excursion of its own (round 26's glpi, on `php`)
        let glpi = "FROM php:apache\nRUN apt update && docker-php-ext-install exif && (cd /usr/local/bin/ && curl -sL https://example.org/i.sh | bash) && echo ok\n";
        assert!(lines("SL310", glpi).is_empty(), "{:?}", messages("SL310", glpi));
        // … not one that opens the RUN, nor a `cd` written without one
        assert_eq!(lines("SL310", "FROM php:apache\nRUN (cd /srv && make)\n"), vec![2]);
        // a `cd` after a project tool read its manifest in the RUN's folder (round 83's danbooru)
        let gems = "FROM ruby:3\nWORKDIR /danbooru\nRUN bundle install --jobs 4 && cd /usr/local/bundle && find . -name '*.o' -delete\n";
        assert!(lines("SL310", gems).is_empty(), "{:?}", messages("SL310", gems));
        assert!(
            lines("SL310", &gems.replace("bundle install --jobs 4", "bundle install --gemfile /a/Gemfile")).len() == 1
        );
        // a base whose WORKDIR is not known says nothing of it
        assert_eq!(lines("SL310", "FROM debian:12\nRUN cd /var/www/html && ls\n"), vec![2]);
        assert!(messages("SL310", "FROM debian:12\nRUN cd /var/www/html && ls\n")[0].1.contains("lasts only"));
    }

    /// A clone of a repository a variable names makes a folder the file cannot name; a cd
    /// after work in a mounted WORKDIR leaves the mount, which a WORKDIR cannot do.
    #[test]
    fn cd_into_a_clone_of_a_variable_repository_or_out_of_a_mount_passes() {
        use crate::lint::rules::testing::lines;
        assert!(lines("SL310", "FROM alpine:3\nWORKDIR /src\nRUN git clone $REPO && cd qemu && git checkout v1\n")
            .is_empty());
        assert!(lines(
            "SL310",
            "FROM alpine:3\nWORKDIR /w\nRUN --mount=target=.,from=src make install && cd /usr/bin && ls qemu-*\n"
        )
        .is_empty());
        // the same cd first thing in the RUN: WORKDIR stands for it
        assert_eq!(lines("SL310", "FROM alpine:3\nRUN cd /usr/bin && ls qemu-*\n"), vec![2]);
    }

    /// Round 41's patator and the held-out labels: a cd after work in the RUN's own folder,
    /// into a pattern, or into what an archive unpacked in the WORKDIR made, is no WORKDIR.
    #[test]
    fn cd_after_work_here_into_a_pattern_or_an_unpacked_folder_passes() {
        for run in [
            "WORKDIR /home/wger/src\nRUN pip3 install --user . && cd wger && python3 manage.py compilemessages",
            "WORKDIR /usr/src/snuba\nRUN sh scripts/rust-dummy-build.sh && cd ./rust_snuba/ && maturin build",
            "WORKDIR /qemu\nRUN make install && cd /usr/bin && ls qemu-*",
            "WORKDIR /opt/oracle\nRUN unzip ic.zip && cd /opt/oracle/instantclient_* && ln -s libclntsh.so.21.1 libclntsh.so",
            "WORKDIR /src\nRUN tar xzf /src/clamav.tar.gz && cd /src/clamav-1.4.2 && make",
            // round 50 (InvokeAI, held out): WORKDIR expands no command substitution
            "RUN cd /usr/lib/$(uname -p)-linux-gnu/pkgconfig/ && ln -sf opencv4.pc opencv.pc",
            "RUN cd `python3 -c 'import site; print(site.getsitepackages()[0])'` && patch -p1 < /x.patch",
        ] {
            assert!(lines("SL310", &format!("FROM debian:12\n{run}\n")).is_empty(), "{run}");
        }
        // work that does not depend on the folder does not count
        for run in [
            "RUN mkdir -p snuba/admin/dist/ && cd /app/snuba/admin && yarn build",
            "RUN pip install --no-cache-dir pyyaml && cd /usr/local/lib/python3.9/site-packages/ && patch -p1 < /x.patch",
            "RUN sed -ri -e 's!^(CustomLog)!x!' /etc/httpd.conf && cd /usr/share/zabbix/ && rm -f conf/x.php",
        ] {
            assert_eq!(lines("SL310", &format!("FROM debian:12\n{run}\n")), vec![2], "{run}");
        }
    }

    /// A folder that exists only inside a `RUN --mount` target: WORKDIR cannot name it.
    #[test]
    fn cd_into_a_mount_target_passes() {
        use crate::lint::rules::testing::lines;
        assert!(lines("SL310", "FROM golang:1.22\nRUN --mount=type=bind,target=/src cd /src && go build -o /app\n")
            .is_empty());
        assert!(lines(
            "SL310",
            "FROM golang:1.22\nRUN --mount=type=bind,source=.,target=/work/src cd /work/src/cmd && go build\n"
        )
        .is_empty());
        assert!(lines(
            "SL310",
            "FROM golang:1.22\nWORKDIR /work\nRUN --mount=type=cache,target=/work/cache cd cache && ls\n"
        )
        .is_empty());
        // a mount over the WORKDIR itself (`target=.`): every folder under it is the mount's
        assert!(lines(
            "SL310",
            "FROM golang:1.22\nWORKDIR /src\nRUN --mount=target=. go test ./... && cd bench && go test\n"
        )
        .is_empty());
        // a mount elsewhere does not make the folder temporary
        assert_eq!(
            lines("SL310", "FROM golang:1.22\nRUN --mount=type=cache,target=/root/.cache cd /app && go build\n"),
            vec![2]
        );
    }

    use crate::lint::rules::testing::lines;

    #[test]
    fn flags_cd() {
        assert_eq!(lines("SL310", "FROM a:1\nRUN cd /app && make\n"), vec![2]);
        assert!(lines("SL310", "FROM a:1\nWORKDIR /app\nRUN make && echo cd\n").is_empty());
        // php's official image edits its config folder in place: WORKDIR would do
        assert_eq!(lines("SL310", "FROM a:1\nRUN cd \"${PHP_INI_DIR%/php}\"; cp a b\n"), vec![2]);
    }

    #[test]
    fn temporary_excursions_pass() {
        for run in [
            // made and removed by the RUN (snort3, rinetd)
            "mkdir -p libdaq && cd libdaq && ./configure && make install && cd .. && rm -rf libdaq",
            // a cloned or unpacked tree
            "git clone https://x/masscan.git /usr/src/masscan && cd /usr/src/masscan && make",
            "curl -sSL $U | tar xz && cd shairplay-master && make install",
            // mktemp (postgres, nginx)
            "tempDir=\"$(mktemp -d)\" && cd \"$tempDir\" && make",
            // in a subshell whose folder goes again
            "( cd /usr/src/x && make ) && rm -rf /usr/src/x",
            // in a branch
            "if [ -d /opt/x ]; then cd /opt/x && make; fi",
            // the RUN moves on to another folder
            "cd /usr/src/php && make && cd / && rm -rf /usr/src/php",
            // a folder inside one the RUN made or cloned (linapple, termboy)
            "mkdir -p /usr/src/l && tar -xjf /tmp/l.tbz -C /usr/src/l && cd /usr/src/l/src && make",
            "git clone --depth 1 https://github.com/dobyrch/termboy /src && cd /src && make",
            // the official golang tip image
            "git init --quiet /usr/local/go && git -C /usr/local/go checkout FETCH_HEAD && cd /usr/local/go/src && ./make.bash",
            // scratch space and steps back
            "cd /tmp && curl -sSOL $U && tar -xf t.tar -C /opt",
            "git clone https://x/y.git . && make && cd .. && rm -r y",
        ] {
            assert!(lines("SL310", &format!("FROM a:1\nRUN {run}\n")).is_empty(), "{run}");
        }
    }
}
