//! Package inventories against the package managers' own tools, on real images built on the
//! real daemon. Ground truth always comes from inside the image: `dpkg-query` and
//! `apt-mark showauto`, Python's own `importlib.metadata` (what `pip list` reads), `npm ls
//! --all --json`, and `go version -m`. Bytes must be within 10 % of each package's regular
//! files as `stat` sees them in the container. Debian has no apk-tools and no Alpine mirror
//! is reachable, so apk is checked on an installed database in apk's documented format,
//! written by the test.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use serde_json::Value;
use support::{busybox, daemon, need, shiplight, Repo, BUSYBOX};

/// `docker build` (classic builder) of a Dockerfile text into `tag`.
fn build(tag: &str, dockerfile: &str, files: &[(&str, &str)]) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    for (p, text) in files {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let out = Command::new("docker")
        .args(["build", "-q", "--label", "dev.shiplight.managed=true", "-t", tag])
        .arg(dir.path())
        .env("DOCKER_BUILDKIT", "0")
        .output()
        .unwrap();
    assert!(out.status.success(), "docker build {tag}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A command's stdout inside a fresh container of `image`.
fn run_in(image: &str, script: &str) -> String {
    let out = Command::new("docker").args(["run", "--rm", "--entrypoint", "sh", image, "-c", script]).output().unwrap();
    assert!(out.status.success(), "{script}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `shiplight measure --packages --format json`'s packages.
fn inventory(image: &str, cache: &Path) -> Vec<Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_shiplight"))
        .args(["measure", "--packages", "--no-compressed", "--format", "json", image])
        .env("SHIPLIGHT_CACHE_DIR", cache)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["packages"]["packages"].as_array().cloned().unwrap_or_default()
}

fn within_10_percent(what: &str, ours: u64, truth: u64) {
    let (a, b) = (ours as f64, truth as f64);
    assert!((a - b).abs() <= 0.10 * b.max(1.0) + 1.0, "{what}: shiplight says {ours} B, the image {truth} B");
}

/// Per deb package, the bytes of its regular files as the container sees them.
const DEB_BYTES: &str = r#"for p in $(dpkg-query -W -f '${Package}\n'); do dpkg -L "$p" | while read -r f; do [ -f "$f" ] && [ ! -L "$f" ] && stat -c %s "$f"; done | awk -v p="$p" '{s+=$1} END {print p, s+0}'; done"#;

fn deb_truth(image: &str) -> BTreeMap<String, u64> {
    run_in(image, DEB_BYTES)
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(p, b)| (p.to_owned(), b.parse().unwrap_or(0))))
        .collect()
}

#[tokio::test]
async fn an_apt_install_adds_exactly_the_debs_dpkg_shows_each_on_its_line() {
    let Some(engine) = daemon("packages deb").await else { return };
    if !need("packages deb", "debian:bookworm", engine.exists("debian:bookworm").await, "run scripts/fixtures.sh") {
        return;
    }
    let repo = Repo::new();
    repo.write("Dockerfile", "FROM debian:bookworm\nRUN echo base > /base.txt\n");
    repo.commit("base");
    let curl = "FROM debian:bookworm\nRUN echo base > /base.txt\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n";
    repo.write("Dockerfile", curl);
    repo.commit("install curl");
    let cache = tempfile::tempdir().unwrap();
    let compare = |base: &str| -> Value {
        let out = Command::new(env!("CARGO_BIN_EXE_shiplight"))
            .args(["compare", "--base-ref", base, "--format", "json"])
            .current_dir(repo.path())
            .env("SHIPLIGHT_CACHE_DIR", cache.path())
            .output()
            .unwrap();
        assert!(out.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()["images"][0].clone()
    };
    let img = compare("HEAD~1");
    let (head, base) = (img["head"]["id"].as_str().unwrap().to_owned(), img["base"]["id"].as_str().unwrap().to_owned());
    let head_truth = deb_truth(&head);
    let base_truth = deb_truth(&base);
    let new: BTreeSet<&String> = head_truth.keys().filter(|p| !base_truth.contains_key(*p)).collect();
    let added = img["packages"]["added"].as_array().unwrap();
    let ours: BTreeSet<&str> = added.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(ours, new.iter().map(|s| s.as_str()).collect(), "exactly the debs dpkg shows as new");
    assert!(added.len() > 10, "curl brings its libraries: {}", added.len());
    let auto: BTreeSet<String> = run_in(&head, "apt-mark showauto").lines().map(String::from).collect();
    for p in added {
        let name = p["name"].as_str().unwrap();
        assert_eq!(p["ecosystem"], "deb");
        assert_eq!(p["line"], 3, "{name} is on the RUN's line");
        assert_eq!(p["requested"] == true, name == "curl", "{name}: requested only for curl");
        assert_eq!(p["requested"] == false, auto.contains(name), "{name}: apt-mark showauto agrees");
        within_10_percent(name, p["bytes"].as_u64().unwrap(), head_truth[name]);
    }
    assert!(added.iter().any(|p| p["name"] == "libcurl4" && p["via"] == "curl"), "{added:#?}");
    eprintln!("packages deb: {} added, {} B in the largest ({})", added.len(), added[0]["bytes"], added[0]["name"]);

    // the comment: the line's top packages under it, the table folded, no literal backticks
    // in any summary
    let out = shiplight(&["compare", "--base-ref", "HEAD~1", "--format", "markdown"], repo.path());
    let md = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(md.contains("\n  - packages: `"), "{md}");
    assert!(md.contains("<details><summary>📦 Packages: "), "{md}");
    if need("packages deb", "cmark-gfm", support::which("cmark-gfm").is_some(), "apt-get install cmark-gfm") {
        let html = support::github_html(&md).unwrap();
        assert!(support::summaries(&html).iter().all(|s| !s.contains('`')), "{html}");
        // findings are prose with code, not one code span with backticks inside
        let findings = &html[html.find("Lint findings").expect("a finding (SL302)")..];
        assert!(!findings.contains('`'), "{findings}");
        assert!(
            findings.contains("<code>apt-get install</code> without <code>--no-install-recommends</code>"),
            "{findings}"
        );
    }

    // the team's package budgets, on the line that installed the packages
    repo.write(".shiplight.yml", "deny-packages: [\"libssl*\"]\nmax-package-bytes: 5MB\n");
    let out = shiplight(&["compare", "--base-ref", "HEAD~1", "--format", "markdown"], repo.path());
    let md = String::from_utf8_lossy(&out.stdout).into_owned();
    let denied = md.lines().find(|l| l.contains("[SL112]")).unwrap_or_else(|| panic!("{md}"));
    assert!(
        denied.contains("line 3") && denied.contains("`libssl3`") && denied.contains("matches `libssl*`"),
        "{denied}"
    );
    let over = md.lines().find(|l| l.contains("[SL113]")).unwrap_or_else(|| panic!("{md}"));
    assert!(over.contains("`libssl3`") && over.contains("over max-package-bytes 5 MB"), "{over}");
    std::fs::remove_file(repo.path().join(".shiplight.yml")).unwrap();

    // the next pull request drops curl again: the same packages are removed
    repo.write("Dockerfile", "FROM debian:bookworm\nRUN echo base > /base.txt\n");
    repo.commit("drop curl");
    let img = compare("HEAD~1");
    let removed: BTreeSet<&str> =
        img["packages"]["removed"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(removed, new.iter().map(|s| s.as_str()).collect());
    assert!(img["packages"]["added"].as_array().unwrap().is_empty());
}

/// Bytes of every regular file in a container of `image` (its root filesystem only).
fn filesystem_bytes(image: &str) -> u64 {
    run_in(image, "find / -xdev -type f -printf '%s\\n' | awk '{s+=$1} END {printf \"%d\", s}'").trim().parse().unwrap()
}

#[tokio::test]
async fn the_recommended_packages_cost_what_no_install_recommends_saves() {
    let Some(engine) = daemon("packages recommends").await else { return };
    if !need(
        "packages recommends",
        "debian:bookworm",
        engine.exists("debian:bookworm").await,
        "run scripts/fixtures.sh",
    ) {
        return;
    }
    let tags = ["shiplight-test/pkg-recommends:with", "shiplight-test/pkg-recommends:without"];
    for (tag, flag) in tags.iter().zip(["", "--no-install-recommends "]) {
        build(
            tag,
            &format!("FROM debian:bookworm\nRUN apt-get update && apt-get install -y {flag}curl && apt-get clean && rm -rf /var/lib/apt/lists/*\n"),
            &[],
        );
    }
    let cache = tempfile::tempdir().unwrap();
    let with = inventory(tags[0], cache.path());
    let recommended: Vec<&Value> = with.iter().filter(|p| p["recommended"] == true).collect();
    // what they cost the image: their files, and what dpkg and their scripts made for them
    let cost: u64 =
        recommended.iter().map(|p| p["bytes"].as_u64().unwrap() + p["extra_bytes"].as_u64().unwrap_or(0)).sum();
    let without: BTreeSet<String> =
        inventory(tags[1], cache.path()).iter().map(|p| p["name"].as_str().unwrap().to_owned()).collect();
    let extra: BTreeSet<String> =
        with.iter().map(|p| p["name"].as_str().unwrap().to_owned()).filter(|n| !without.contains(n)).collect();
    let flagged: BTreeSet<String> = recommended.iter().map(|p| p["name"].as_str().unwrap().to_owned()).collect();
    assert_eq!(flagged, extra, "recommended: exactly what --no-install-recommends leaves out");
    // what the files in the two images differ by (docker's image size also counts the
    // rewritten copies of dpkg's and debconf's databases, which no package owns)
    let saved = filesystem_bytes(tags[0]) - filesystem_bytes(tags[1]);
    let (a, b) = (cost as f64, saved as f64);
    eprintln!("packages recommends: measured {cost} B, the images' files differ by {saved} B ({:.1} %)", a * 100.0 / b);
    assert!((a - b).abs() <= 0.05 * b, "measured {cost} B, saved {saved} B");
    support::cleanup(&engine, &tags).await;
}

#[tokio::test]
async fn pip_npm_go_and_apk_inventories_match_their_tools() {
    let Some(engine) = daemon("packages").await else { return };
    for image in ["python:3.9-slim", "node:18-slim", "golang:1.19"] {
        if !need("packages", image, engine.exists(image).await, "run scripts/fixtures.sh") {
            return;
        }
    }
    busybox(&engine).await;
    let cache = tempfile::tempdir().unwrap();
    let tags = [
        "shiplight-test/pkg-pip:1",
        "shiplight-test/pkg-npm:1",
        "shiplight-test/pkg-go-build:1",
        "shiplight-test/pkg-go:1",
        "shiplight-test/pkg-apk:1",
    ];

    // pip: flask and its dependencies, against importlib.metadata (what pip list reads)
    build(tags[0], "FROM python:3.9-slim\nRUN pip install --no-cache-dir flask==3.0.3\n", &[]);
    let truth = run_in(
        tags[0],
        "python3 -c 'import importlib.metadata as m, os\nfor d in m.distributions():\n    fs = [d.locate_file(f) for f in (d.files or [])]\n    print(d.metadata[\"Name\"], d.version, sum(os.path.getsize(f) for f in fs if os.path.isfile(f) and not os.path.islink(f)))'",
    );
    let truth: BTreeMap<(String, String), u64> = truth
        .lines()
        .filter_map(|l| {
            let mut it = l.split(' ');
            Some(((it.next()?.to_owned(), it.next()?.to_owned()), it.next()?.parse().ok()?))
        })
        .collect();
    let ours: BTreeMap<(String, String), u64> = inventory(tags[0], cache.path())
        .iter()
        .filter(|p| p["ecosystem"] == "pip")
        .map(|p| {
            (
                (p["name"].as_str().unwrap().to_owned(), p["version"].as_str().unwrap().to_owned()),
                p["bytes"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(ours.keys().collect::<Vec<_>>(), truth.keys().collect::<Vec<_>>(), "the same distributions");
    assert!(ours.keys().any(|(n, v)| n == "Flask" && v == "3.0.3"));
    for (k, bytes) in &ours {
        // a distribution another tool installed (Debian's egg-info) lists no files to pip either
        within_10_percent(&k.0, *bytes, truth[k]);
    }
    eprintln!("packages pip: {} distributions match importlib.metadata", ours.len());

    // npm: express's tree, against npm ls --all --json
    build(tags[1], "FROM node:18-slim\nWORKDIR /app\nRUN npm init -y >/dev/null && npm install --no-audit --no-fund express@4.19.2\n", &[]);
    let tree: Value = serde_json::from_str(&run_in(tags[1], "cd /app && npm ls --all --json")).unwrap();
    fn flatten(v: &Value, out: &mut BTreeSet<(String, String)>) {
        for (name, dep) in v["dependencies"].as_object().into_iter().flatten() {
            if let Some(version) = dep["version"].as_str() {
                out.insert((name.clone(), version.to_owned()));
            }
            flatten(dep, out);
        }
    }
    let mut truth = BTreeSet::new();
    flatten(&tree, &mut truth);
    let npm: Vec<Value> = inventory(tags[1], cache.path())
        .into_iter()
        .filter(|p| {
            p["ecosystem"] == "npm" && p["location"].as_str().is_some_and(|l| l.starts_with("/app/node_modules"))
        })
        .collect();
    let ours: BTreeSet<(String, String)> = npm
        .iter()
        .map(|p| (p["name"].as_str().unwrap().to_owned(), p["version"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(ours, truth, "the same packages as npm ls");
    let express = npm.iter().find(|p| p["name"] == "express").unwrap();
    let du = run_in(tags[1], "find /app/node_modules/express -path /app/node_modules/express/node_modules -prune -o -type f -printf '%s\\n' | awk '{s+=$1} END {print s}'");
    within_10_percent("express", express["bytes"].as_u64().unwrap(), du.trim().parse().unwrap());
    eprintln!("packages npm: {} packages match npm ls", ours.len());

    // Go: a module with a local dependency, against go version -m
    let go_files = [
        ("src/go.mod", "module example.com/hello\n\ngo 1.19\n\nrequire example.com/greet v0.0.0\n\nreplace example.com/greet => ./greet\n"),
        ("src/main.go", "package main\n\nimport \"example.com/greet\"\n\nfunc main() { println(greet.Hello()) }\n"),
        ("src/greet/go.mod", "module example.com/greet\n\ngo 1.19\n"),
        ("src/greet/greet.go", "package greet\n\nfunc Hello() string { return \"hello\" }\n"),
    ];
    let go_build = "FROM golang:1.19\nWORKDIR /src\nCOPY src/ .\nRUN go build -o /hello .\n";
    build(tags[2], go_build, &go_files);
    build(tags[3], &format!("FROM {}\nFROM {BUSYBOX}\nCOPY --from=0 /hello /usr/local/bin/hello\n", tags[2]), &[]);
    let truth = run_in(tags[2], "go version -m /hello");
    let modules: BTreeSet<(String, String)> = truth
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.trim().split('\t').collect();
            (f.len() >= 3 && (f[0] == "mod" || f[0] == "dep")).then(|| (f[1].to_owned(), f[2].to_owned()))
        })
        .collect();
    let go: Vec<Value> = inventory(tags[3], cache.path()).into_iter().filter(|p| p["ecosystem"] == "go").collect();
    let ours: BTreeSet<(String, String)> = go
        .iter()
        .map(|p| (p["name"].as_str().unwrap().to_owned(), p["version"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(ours, modules, "go version -m says:\n{truth}");
    assert!(modules.iter().any(|(n, _)| n == "example.com/greet"), "{truth}");
    let size: u64 = run_in(tags[3], "wc -c < /usr/local/bin/hello").trim().parse().unwrap();
    assert_eq!(go.iter().find(|p| p["name"] == "example.com/hello").unwrap()["bytes"].as_u64(), Some(size));

    // apk: an installed database in apk's format (no apk-tools on Debian, no Alpine mirror)
    let db = "C:Q1=\nP:musl\nV:1.2.4-r2\nA:x86_64\nF:lib\nR:ld-musl-x86_64.so.1\n\nP:tzdata\nV:2024a-r0\nA:x86_64\nF:usr/share/zoneinfo\nR:UTC\nR:CET\n";
    build(
        tags[4],
        &format!("FROM {BUSYBOX}\nCOPY installed /lib/apk/db/installed\nCOPY lib/ /lib/\nCOPY zoneinfo/ /usr/share/zoneinfo/\n"),
        &[("installed", db), ("lib/ld-musl-x86_64.so.1", &"m".repeat(600)), ("zoneinfo/UTC", &"u".repeat(120)), ("zoneinfo/CET", &"c".repeat(2000))],
    );
    let apk: Vec<(String, String, u64)> = inventory(tags[4], cache.path())
        .iter()
        .filter(|p| p["ecosystem"] == "apk")
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["version"].as_str().unwrap().to_owned(),
                p["bytes"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        apk,
        [("musl".to_owned(), "1.2.4-r2".to_owned(), 600), ("tzdata".to_owned(), "2024a-r0".to_owned(), 2120)]
    );

    support::cleanup(&engine, &tags).await;
}

/// An rpm package built here with Debian's rpmbuild: `files` are (path, bytes of zeros).
fn rpm_package(top: &Path, name: &str, epoch: Option<u32>, files: &[(&str, usize)]) -> std::path::PathBuf {
    let spec = top.join(format!("{name}.spec"));
    let install: String = files
        .iter()
        .map(|(p, n)| format!("mkdir -p %{{buildroot}}$(dirname {p})\nhead -c {n} /dev/zero > %{{buildroot}}{p}\n"))
        .collect();
    let listed: String = files.iter().map(|(p, _)| format!("{p}\n")).collect();
    let epoch = epoch.map(|e| format!("Epoch: {e}\n")).unwrap_or_default();
    std::fs::write(
        &spec,
        format!("Name: {name}\nVersion: 1.2\nRelease: 3\n{epoch}Summary: t\nLicense: MIT\nBuildArch: noarch\n%description\nt\n%install\n{install}%files\n{listed}"),
    )
    .unwrap();
    let out = Command::new("rpmbuild")
        .arg("--define")
        .arg(format!("_topdir {}", top.display()))
        .arg("-bb")
        .arg(&spec)
        .output()
        .unwrap();
    assert!(out.status.success(), "rpmbuild: {}", String::from_utf8_lossy(&out.stderr));
    top.join(format!("RPMS/noarch/{name}-1.2-3.noarch.rpm"))
}

#[tokio::test]
async fn an_rpm_database_matches_rpm_qa() {
    let Some(engine) = daemon("packages rpm").await else { return };
    let tools = support::which("rpm").is_some() && support::which("rpmbuild").is_some();
    if !need("packages rpm", "rpm and rpmbuild", tools, "apt-get install rpm (scripts/test)") {
        return;
    }
    busybox(&engine).await;
    // two packages installed with Debian's rpm into a root, its SQLite database (and the
    // write-ahead log rpm leaves) copied into an image as they are
    let work = tempfile::tempdir().unwrap();
    let root = work.path().join("context/root");
    let rpm = |args: &[&str]| {
        let out = Command::new("rpm")
            .arg("--root")
            .arg(&root)
            .args(["--dbpath", "/var/lib/rpm"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "rpm {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    std::fs::create_dir_all(&root).unwrap();
    rpm(&["--initdb"]);
    let a = rpm_package(
        work.path(),
        "hello-shiplight",
        None,
        &[("/usr/share/hello/data.bin", 12_345), ("/usr/bin/hello-shiplight", 20)],
    );
    let b = rpm_package(work.path(), "tzdata-shiplight", Some(2), &[("/usr/share/zoneinfo/UTC", 118)]);
    rpm(&["-i", "--nodeps", "--ignorearch", a.to_str().unwrap(), b.to_str().unwrap()]);
    let truth: BTreeSet<(String, String)> =
        rpm(&["-qa", "--qf", "%{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\\n"])
            .lines()
            .filter_map(|l| l.split_once(' ').map(|(n, v)| (n.to_owned(), v.to_owned())))
            .collect();
    assert_eq!(truth.len(), 2, "{truth:?}");
    let dir = work.path().join("context");
    std::fs::write(dir.join("Dockerfile"), format!("FROM {BUSYBOX}\nCOPY root/ /\n")).unwrap();
    let tag = "shiplight-test/pkg-rpm:1";
    let out = Command::new("docker")
        .args(["build", "-q", "--label", "dev.shiplight.managed=true", "-t", tag])
        .arg(&dir)
        .env("DOCKER_BUILDKIT", "0")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let cache = tempfile::tempdir().unwrap();
    let found: Vec<Value> = inventory(tag, cache.path()).into_iter().filter(|p| p["ecosystem"] == "rpm").collect();
    let ours: BTreeSet<(String, String)> = found
        .iter()
        .map(|p| (p["name"].as_str().unwrap().to_owned(), p["version"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(ours, truth, "the same packages as rpm -qa");
    let hello = found.iter().find(|p| p["name"] == "hello-shiplight").unwrap();
    assert_eq!(hello["bytes"].as_u64(), Some(12_345 + 20), "its files' bytes in the image");
    support::cleanup(&engine, &[tag]).await;
}
