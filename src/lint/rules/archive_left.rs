//! ## What it does
//! Flags an archive the image that ships downloads (`wget`, `curl -o`/`-O`, a remote `ADD`)
//! and then unpacks or installs (`tar -x`, `unzip`, `7z x`, `dpkg -i`, `apt-get install
//! ./x.deb`, `rpm -i`), when nothing removes it afterwards: the unpacked files are what the
//! image needs, and the archive itself stays in the layer that downloaded it.
//!
//! Not when the download lands in a `--mount` of the RUN (a cache, tmpfs or bind mount), when
//! it is streamed into the unpacker (`curl … | tar -x`, nothing is written), nor when any
//! later `rm` in the image's stages removes it or a folder holding it (a removal in a later
//! RUN still leaves the bytes in the first layer, which `wasted-layer` reports). A file the
//! program uses as it is (a `.jar` it runs, a `.zip` it never unpacks) is not an archive
//! left behind.
//!
//! ## Why it matters
//! An archive and its unpacked copy ship twice the bytes: an 80 MB instant-client zip left
//! beside the folder it was unzipped to is 80 MB of every pull.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12-slim
//! RUN wget https://example.org/tool-1.2.tar.gz && tar -xzf tool-1.2.tar.gz -C /opt
//! ```
//!
//! ## Fix
//! Remove it in the RUN that downloads it (`&& rm tool-1.2.tar.gz`), or stream it into the
//! unpacker (`curl -fsSL … | tar -xz -C /opt`).

use crate::dockerfile::shell::SimpleCommand;
use crate::dockerfile::{resolve_path, within, Body, Kind};
use crate::lint::{Ctx, Hit};

/// A downloaded archive: where it is, the instruction that downloaded it (stage, index),
/// and whether it was unpacked and removed since.
struct Download {
    path: String,
    stage: usize,
    at: usize,
    unpacked: bool,
    removed: bool,
}

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for fin in ctx.finals() {
        let mut got: Vec<Download> = Vec::new();
        let lineage = ctx.graph.lineage(fin.index);
        let base = ctx.graph.root_image(fin.index).and_then(crate::dockerfile::os::base_workdir);
        // (where a base this file does not know starts, a relative path is named by its name
        // alone: `$WORKDIR/x.tgz`)
        let mut workdir = base.unwrap_or("/$WORKDIR").to_owned();
        for &si in &lineage {
            let stage = &ctx.df.stages[si];
            // (the RUNs as the lint context parsed them once)
            let runs: Vec<_> = ctx.runs(stage).collect();
            for (n, ins) in stage.instructions.iter().enumerate() {
                match (&ins.kind, &ins.body) {
                    (Kind::Workdir, _) => {
                        if let Some(w) = ins.words().first() {
                            workdir = resolve_path(&workdir, &ctx.expand(stage, n, w));
                        }
                    }
                    (Kind::Add, Body::Copy { sources, dest }) => {
                        for s in sources.iter().filter(|s| s.starts_with("https://") || s.starts_with("http://")) {
                            let dest = ctx.expand(stage, n, dest);
                            let path = match dest.ends_with('/') {
                                true => format!("{dest}{}", url_name(s)),
                                false => dest.clone(),
                            };
                            let path = resolve_path(&workdir, &path);
                            if is_archive(&path) {
                                got.push(Download { path, stage: si, at: n, unpacked: false, removed: false });
                            }
                        }
                    }
                    (Kind::Run, _) => {
                        let Some((_, script)) = runs.iter().find(|(i, _)| std::ptr::eq(*i, ins)) else { continue };
                        let mut cwd = workdir.clone();
                        for c in &script.commands {
                            // (a folder a variable names stays written so: `cd $JETTY_HOME`
                            // and a later `rm $JETTY_HOME/jetty.tar.gz*` name the same file; a
                            // `cd` in a branch holds after it, when the branch ran)
                            if c.program() == "cd" {
                                if let Some(d) = c.args().first().filter(|d| *d != "-") {
                                    cwd = resolve_path(&cwd, &ctx.expand(stage, n, d));
                                }
                                continue;
                            }
                            let at = |p: &str| resolve_path(&cwd, &ctx.expand(stage, n, p));
                            for p in downloads(c) {
                                let path = at(&p);
                                // (`/dev/shm` is a tmpfs of the build's container, as a mount is)
                                let mounted = within(&path, "/dev/shm")
                                    || ins.mounts().any(|(_, t)| !t.is_empty() && within(&path, &at(t)));
                                if is_archive(&path) && !mounted {
                                    got.push(Download { path, stage: si, at: n, unpacked: false, removed: false });
                                }
                            }
                            for p in unpacks(c) {
                                let path = at(&p);
                                for d in got.iter_mut().filter(|d| same_file(&d.path, &path)) {
                                    d.unpacked = true;
                                }
                            }
                            // (Windows' cmd and PowerShell remove with `del` and `Remove-Item`)
                            if matches!(c.program(), "rm" | "del" | "erase" | "Remove-Item" | "rd" | "rmdir") {
                                for p in c.args().iter().filter(|a| !a.starts_with('-')) {
                                    let path = at(p);
                                    for d in got.iter_mut().filter(|d| removes(&path, &d.path)) {
                                        d.removed = true;
                                    }
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        for d in got.iter().filter(|d| d.unpacked && !d.removed) {
            let stage = &ctx.df.stages[d.stage];
            let ins = &stage.instructions[d.at];
            let name = d.path.rsplit('/').next().unwrap_or(&d.path);
            let shown = d.path.strip_prefix("/$WORKDIR/").unwrap_or(&d.path);
            out.push(
                Hit::on(ins, stage, format!("`{shown}` is downloaded and unpacked, and nothing removes it: the archive ships beside what it unpacked"))
                    .fix(format!("remove `{name}` in the RUN that downloads it, or stream the download into the unpacker (`curl -fsSL … | tar -x`)")),
            );
        }
    }
}

/// The archives a command writes to disk: `wget URL` (its name, or `-O`/`-P`), `curl -o
/// FILE`, `curl -O URL`. A download to standard output (`-O -`, `-o -`, `-qO-`) writes none.
fn downloads(c: &SimpleCommand) -> Vec<String> {
    let args = c.args();
    let urls: Vec<&String> = args.iter().filter(|a| a.starts_with("http://") || a.starts_with("https://")).collect();
    let value = |short: &str, long: &str| -> Option<String> {
        args.iter().enumerate().find_map(|(i, a)| {
            if a == short || a == long {
                return args.get(i + 1).cloned();
            }
            if let Some(v) = a.strip_prefix(&format!("{long}=")) {
                return Some(v.to_owned());
            }
            // `-qO-`, `-qO file`: the option's letter last in a bundle of short flags
            let bundle = a.starts_with('-') && !a.starts_with("--") && short.len() == 2;
            let letter = short.chars().nth(1).unwrap_or(' ');
            match (bundle, a.find(letter)) {
                (true, Some(k)) if k == a.len() - 1 => args.get(i + 1).cloned(),
                (true, Some(k)) if k > 0 && a[1..k].chars().all(|x| x.is_ascii_alphabetic()) => {
                    Some(a[k + 1..].to_owned())
                }
                _ => None,
            }
        })
    };
    let to_stdout = |v: &Option<String>| v.as_deref() == Some("-");
    match c.program() {
        "wget" => {
            let file = value("-O", "--output-document");
            if to_stdout(&file) || c.pipes_into_next {
                return Vec::new();
            }
            match (file, value("-P", "--directory-prefix")) {
                (Some(f), _) => vec![f],
                (None, Some(dir)) => {
                    urls.iter().map(|u| format!("{}/{}", dir.trim_end_matches('/'), url_name(u))).collect()
                }
                (None, None) => urls.iter().map(|u| url_name(u)).collect(),
            }
        }
        "curl" => {
            let file = value("-o", "--output");
            if to_stdout(&file) {
                return Vec::new();
            }
            let remote = args.iter().any(|a| a == "-O" || a == "--remote-name")
                || args.iter().any(|a| a.starts_with('-') && !a.starts_with("--") && a.ends_with('O') && a.len() > 2);
            match file {
                Some(f) => vec![f],
                None if remote => urls.iter().map(|u| url_name(u)).collect(),
                None => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

/// The files a command unpacks or installs from: `tar -x…f FILE` (`tar xzf FILE`), `unzip
/// FILE`, `7z x FILE`, `bsdtar -xf FILE`, `dpkg -i FILE`, `apt-get install ./FILE`, `rpm -i
/// FILE`, `dnf`/`yum install FILE`.
fn unpacks(c: &SimpleCommand) -> Vec<String> {
    let args = c.args();
    let operands = || args.iter().filter(|a| !a.starts_with('-')).cloned().collect::<Vec<_>>();
    match c.program() {
        "tar" | "bsdtar" => {
            let extracts = args.first().is_some_and(|a| !a.starts_with('-') && a.contains('x'))
                || args
                    .iter()
                    .any(|a| a == "--extract" || (a.starts_with('-') && !a.starts_with("--") && a.contains('x')));
            if !extracts {
                return Vec::new();
            }
            // the archive follows `f` (`-xzf FILE`, `xzf FILE`, `-f FILE`, `--file=FILE`)
            args.iter()
                .enumerate()
                .find_map(|(i, a)| {
                    let short = !a.starts_with("--") && a.trim_start_matches('-').ends_with('f');
                    match a.strip_prefix("--file=") {
                        Some(v) => Some(v.to_owned()),
                        None if short || a == "--file" => args.get(i + 1).cloned(),
                        None => None,
                    }
                })
                .into_iter()
                .collect()
        }
        "unzip" => operands().into_iter().take(1).collect(),
        "7z" | "7za" if args.first().is_some_and(|a| a == "x" || a == "e") => {
            operands().into_iter().skip(1).take(1).collect()
        }
        "dpkg" if args.iter().any(|a| a == "-i" || a == "--install") => operands(),
        "rpm" if args.iter().any(|a| a.starts_with("-i") || a.starts_with("-U") || a == "--install") => operands(),
        "apt-get" | "apt" | "dnf" | "yum" | "microdnf" | "zypper" if c.subcommand() == Some("install") => {
            operands().into_iter().filter(|o| o.contains('/') || is_archive(o)).collect()
        }
        _ => Vec::new(),
    }
}

/// The last path component of a URL, without its query or fragment.
fn url_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url).trim_end_matches('/');
    path.rsplit('/').next().unwrap_or(path).to_owned()
}

/// Whether a file's name is an archive's: tarballs, zip and 7z, Debian and RPM packages.
fn is_archive(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    !name.contains('$')
        && [
            ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".zip", ".7z", ".deb",
            ".rpm",
        ]
        .iter()
        .any(|e| name.ends_with(e))
}

/// Whether two paths name the same file; a variable in either compares the names.
fn same_file(a: &str, b: &str) -> bool {
    a == b || ((a.contains('$') || b.contains('$')) && a.rsplit('/').next() == b.rsplit('/').next())
}

/// Whether an `rm` operand removes the file: the file, a folder holding it, or a glob that
/// matches its name in its folder (`rm *.tar.gz`, `rm -rf /tmp/*`).
fn removes(operand: &str, file: &str) -> bool {
    let matches = |pattern: &str, name: &str| {
        pattern == name || globset::Glob::new(pattern).is_ok_and(|g| g.compile_matcher().is_match(name))
    };
    // a variable in either: the names decide
    if operand.contains('$') || file.contains('$') {
        let name = file.rsplit('/').next().unwrap_or(file);
        return within(file, operand) || matches(operand.rsplit('/').next().unwrap_or(operand), name);
    }
    if !operand.contains(['*', '?', '[']) {
        return within(file, operand);
    }
    // a glob: its folder part must hold the file, and its last part match a component
    let (folder, pattern) = operand.rsplit_once('/').unwrap_or(("", operand));
    let Some(rest) = file.strip_prefix(&format!("{folder}/")) else { return false };
    matches(pattern, rest.split('/').next().unwrap_or(rest))
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::{lines, messages};

    /// Round 82 (mage-ai, held out): the Oracle instant client's zip and openssl's tarball
    /// stay beside what they unpacked
    #[test]
    fn an_archive_unpacked_and_kept_is_flagged() {
        let oracle = "FROM debian:12\nRUN wget https://download.oracle.com/x/instantclient-basic-linux.x64-21.13.0.0.0dbru.zip\nRUN mkdir /var/oracle\nRUN unzip instantclient-basic-linux.x64-21.13.0.0.0dbru.zip -d /var/oracle\n";
        let m = messages("SL114", oracle);
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(m[0].0, 2);
        assert!(
            m[0].1.contains("`instantclient-basic-linux.x64-21.13.0.0.0dbru.zip` is downloaded and unpacked"),
            "{m:?}"
        );
        let openssl = "FROM debian:12\nWORKDIR /src\nRUN wget https://www.openssl.org/source/openssl-1.1.1g.tar.gz\nRUN tar -zxf openssl-1.1.1g.tar.gz\n";
        assert_eq!(lines("SL114", openssl), vec![3]);
        // curl's spellings, a package installed from its file, a remote ADD
        assert_eq!(
            lines(
                "SL114",
                "FROM debian:12\nRUN curl -fsSLo /tmp/a.tgz https://x/a.tgz && tar xzf /tmp/a.tgz -C /opt\n"
            ),
            vec![2]
        );
        assert_eq!(
            lines("SL114", "FROM debian:12\nRUN cd /tmp && curl -LO https://x/b.deb && dpkg -i b.deb\n"),
            vec![2]
        );
        assert_eq!(
            lines("SL114", "FROM debian:12\nRUN curl -L -o c.deb https://x/c.deb && apt-get install -y ./c.deb\n"),
            vec![2]
        );
        assert_eq!(
            lines("SL114", "FROM debian:12\nADD https://x/d.tar.gz /opt/\nRUN tar -xzf /opt/d.tar.gz -C /opt\n"),
            vec![2]
        );
    }

    #[test]
    fn an_archive_removed_streamed_mounted_or_kept_whole_is_not() {
        for text in [
            // removed in the same RUN, by name, folder or glob
            "RUN wget https://x/t.tar.gz && tar -xzf t.tar.gz && rm t.tar.gz\n",
            "RUN wget -P /tmp/dl https://x/t.tar.gz && tar -xzf /tmp/dl/t.tar.gz -C /opt && rm -rf /tmp/dl\n",
            "RUN cd /tmp && wget https://x/t.zip && unzip t.zip && rm -f *.zip\n",
            "RUN curl -o /tmp/t.tgz https://x/t.tgz && tar -xzf /tmp/t.tgz -C /opt && rm -rf /tmp/*\n",
            // … in a folder a variable names, by a glob (jetty's `rm -fr $JETTY_HOME/jetty.tar.gz*`)
            "ENV JETTY_HOME=/usr/local/jetty\nRUN cd $JETTY_HOME && curl -SL https://x/j.tgz -o jetty.tar.gz && tar -xvf jetty.tar.gz && rm -fr $JETTY_HOME/jetty.tar.gz*\n",
            "RUN cd \"$(mktemp -d)\" && curl -L -o git-lfs.tgz https://x/l.tgz && tar xzf git-lfs.tgz && rm -rf git-lfs*\n",
            "RUN curl -L -o git-lfs.tgz https://x/l.tgz && tar xzf git-lfs.tgz && rm -rf git-lfs*\n",
            // after a `cd` in a branch (Empire's openssl build), by Windows' `del`, or where
            // a base this file does not know starts (openresty's `cd /tmp && rm -rf x.tar.gz`)
            "RUN if [ ! -d /opt/o ]; then mkdir -p /tmp/b; cd /tmp/b; wget https://x/o.tar.gz -O o.tar.gz; tar -xzf o.tar.gz; fi; rm -rf /tmp/b\n",
            "RUN curl -fSLo c.zip https://x/c.zip && tar -C C:\\R -zxf c.zip && del c.zip\n",
            "RUN curl -fSL https://x/l.tar.gz -o l.tar.gz && tar xzf l.tar.gz && cd /tmp && rm -rf l.tar.gz\n",
            // in the build container's tmpfs
            "RUN curl -o /dev/shm/r.tgz https://x/r.tgz && tar -xzf /dev/shm/r.tgz -C /var/www\n",
            // removed later (wasted-layer's to report)
            "RUN wget https://x/t.tar.gz && tar -xzf t.tar.gz\nRUN rm t.tar.gz\n",
            // streamed, or to standard output
            "RUN curl -fsSL https://x/t.tar.gz | tar -xz -C /opt\n",
            "RUN wget -qO- https://x/t.tar.gz | tar -xz -C /opt\n",
            "RUN wget -O - https://x/t.tar.gz | tar -xz -C /opt\n",
            // into a mount
            "RUN --mount=type=cache,target=/dl wget -P /dl https://x/t.tar.gz && tar -xzf /dl/t.tar.gz -C /opt\n",
            // used as it is: never unpacked
            "RUN wget https://x/app.zip\n",
            "RUN curl -o /app/app.jar https://x/app.jar\n",
        ] {
            assert!(lines("SL114", &format!("FROM debian:12\n{text}")).is_empty(), "{text}");
        }
        // a builder's archive does not ship
        let builder = "FROM debian:12 AS b\nRUN wget https://x/t.tar.gz && tar -xzf t.tar.gz\nFROM debian:12-slim\nCOPY --from=b /t /t\n";
        assert!(lines("SL114", builder).is_empty());
    }
}
