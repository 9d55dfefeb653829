//! Ship state and build-and-install rewrites on a real daemon, from the stand-in Debian base
//! (scripts/fixtures.sh); apt reaches Debian's mirror. Each test prints the engine it ran on.

mod support;

use std::process::Command;

use serde_json::Value;
use support::{daemon, shiplight};

const HELLO_C: &str = "#include <stdio.h>\nint main(void) { puts(\"hello from C\"); return 0; }\n";
const MAKEFILE: &str = "hello: hello.c\n\tcc -O2 -o hello hello.c\n";

/// A folder with the C program, its Makefile and `dockerfile`.
fn c_project(dockerfile: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hello.c"), HELLO_C).unwrap();
    std::fs::write(dir.path().join("Makefile"), MAKEFILE).unwrap();
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    dir
}

async fn ready(test: &str) -> Option<String> {
    let engine = daemon(test).await?;
    if !engine.exists("debian:bookworm").await {
        assert!(std::env::var_os("CI").is_none(), "debian:bookworm is missing: scripts/test runs scripts/fixtures.sh");
        eprintln!("SKIPPED {test}: run scripts/fixtures.sh");
        return None;
    }
    let info = engine.server_info().await.ok()?;
    Some(format!("Docker Engine {} (API {})", info.version, info.api_version))
}

/// An official-image-style RUN (apt-mark save, install, build, auto-mark, purge
/// --auto-remove) gets no SL101 and no toolchain rewrite, and the built image proves it:
/// gcc and make are not installed in it, the program it built runs.
#[tokio::test]
async fn an_official_style_purge_ships_no_toolchain() {
    let Some(engine) = ready("ship_state_purge").await else { return };
    let dir = c_project(
        "FROM debian:bookworm\nCOPY hello.c Makefile /src/\nRUN set -eux; \\\n    savedAptMark=\"$(apt-mark showmanual)\"; \\\n    apt-get update; \\\n    apt-get install -y --no-install-recommends gcc libc6-dev make; \\\n    make -C /src; cp /src/hello /usr/local/bin/hello; \\\n    apt-mark auto '.*' > /dev/null; \\\n    [ -z \"$savedAptMark\" ] || apt-mark manual $savedAptMark; \\\n    apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false; \\\n    rm -rf /var/lib/apt/lists/* /src\nCMD [\"hello\"]\n",
    );
    let out = shiplight(&["lint", "--format", "json", "Dockerfile"], dir.path());
    let findings: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!findings.iter().any(|f| f["code"] == "SL101"), "{findings:#?}");
    let out = shiplight(&["suggest", "--format", "json", "Dockerfile"], dir.path());
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_ne!(s["outcome"], "patch", "nothing of the toolchain ships, so nothing to rewrite: {s}");

    let tag = "shiplight-test/purge:1";
    let build = Command::new("docker").args(["build", "-q", "-t", tag]).arg(dir.path()).output().unwrap();
    assert!(build.status.success(), "{}", String::from_utf8_lossy(&build.stderr));
    let run = |cmd: &str| Command::new("docker").args(["run", "--rm", tag, "sh", "-c", cmd]).output().unwrap();
    let pkgs = run("for p in gcc gcc-12 make libc6-dev cpp; do dpkg -s $p >/dev/null 2>&1 && echo $p; done; true");
    let left = String::from_utf8_lossy(&pkgs.stdout).to_string();
    assert!(left.trim().is_empty(), "the flagged packages are still installed: {left}");
    let hello = run("hello");
    assert_eq!(String::from_utf8_lossy(&hello.stdout).trim(), "hello from C");
    eprintln!("ship_state_purge: gcc, make, libc6-dev absent from the image; ran on {engine}");
    let _ = Command::new("docker").args(["rmi", "-f", tag]).output();
}

/// The build-and-install shapes real files use, each a single stage built from the stand-in
/// bases: the rewrite builds, answers the same to the default command, and is smaller; the
/// median reduction over them is at least half. Sources are laid from this repository's
/// examples and small files written here.
#[tokio::test]
async fn build_and_install_shapes_are_verified_and_halve_the_image() {
    let Some(engine) = ready("ship_state_shapes").await else { return };
    let examples = support::root().join("examples");
    let copy = |from: &str, dir: &std::path::Path, to: &str| {
        let to = dir.join(to);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(examples.join(from), to).unwrap();
    };
    let configure = "#!/bin/sh\nprefix=/usr/local\nfor a in \"$@\"; do case \"$a\" in --prefix=*) prefix=\"${a#--prefix=}\";; esac; done\nprintf 'PREFIX=%s\\nhello: hello.c\\n\\tcc -O2 -o hello hello.c\\ninstall: hello\\n\\tmkdir -p $(DESTDIR)$(PREFIX)/bin\\n\\tcp hello $(DESTDIR)$(PREFIX)/bin/hello\\n' \"$prefix\" > Makefile\n";
    let apt_c = "RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev make && rm -rf /var/lib/apt/lists/*\n";
    type Lay<'a> = Box<dyn Fn(&std::path::Path) + 'a>;
    let shapes: Vec<(&str, String, Lay)> = vec![
        (
            "C, make && cp",
            format!("FROM debian:bookworm\n{apt_c}WORKDIR /src\nCOPY hello.c Makefile ./\nRUN make && cp hello /usr/local/bin/\nCMD [\"hello\"]\n"),
            Box::new(|d| {
                std::fs::write(d.join("hello.c"), HELLO_C).unwrap();
                std::fs::write(d.join("Makefile"), MAKEFILE).unwrap();
            }),
        ),
        (
            "C, ./configure && make install",
            format!("FROM debian:bookworm\n{apt_c}WORKDIR /src\nCOPY . .\nRUN ./configure --prefix=/usr/local && make && make install\nCMD [\"hello\"]\n"),
            Box::new(move |d| {
                std::fs::write(d.join("hello.c"), HELLO_C).unwrap();
                std::fs::write(d.join("configure"), configure).unwrap();
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(d.join("configure"), std::fs::Permissions::from_mode(0o755)).unwrap();
            }),
        ),
        (
            "C, git clone && make install",
            "FROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev make git && rm -rf /var/lib/apt/lists/*\nCOPY hello.git /tmp/hello.git\nRUN git clone /tmp/hello.git /tmp/hello && cd /tmp/hello && make && make install && rm -rf /tmp/hello /tmp/hello.git\nCMD [\"hello\"]\n".into(),
            Box::new(|d| {
                // a repository to clone, as a project would from its forge
                let work = d.join("work");
                std::fs::create_dir(&work).unwrap();
                std::fs::write(work.join("hello.c"), HELLO_C).unwrap();
                std::fs::write(
                    work.join("Makefile"),
                    "PREFIX ?= /usr/local\nhello: hello.c\n\tcc -O2 -o hello hello.c\ninstall: hello\n\tmkdir -p $(DESTDIR)$(PREFIX)/bin\n\tcp hello $(DESTDIR)$(PREFIX)/bin/hello\n",
                )
                .unwrap();
                let git = |args: &[&str]| {
                    let out = Command::new("git").args(args).current_dir(&work).output().unwrap();
                    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
                };
                git(&["init", "-q"]);
                git(&["add", "."]);
                git(&["-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "hello"]);
                git(&["clone", "-q", "--bare", ".", "../hello.git"]);
                std::fs::remove_dir_all(&work).unwrap();
            }),
        ),
        (
            "C, cmake --build && cmake --install",
            "FROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev make cmake && rm -rf /var/lib/apt/lists/*\nWORKDIR /src\nCOPY . .\nRUN cmake -S . -B build -DCMAKE_INSTALL_PREFIX=/usr/local && cmake --build build && cmake --install build\nCMD [\"hello\"]\n".into(),
            Box::new(|d| {
                std::fs::write(d.join("hello.c"), HELLO_C).unwrap();
                std::fs::write(
                    d.join("CMakeLists.txt"),
                    "cmake_minimum_required(VERSION 3.13)\nproject(hello C)\nadd_executable(hello hello.c)\ninstall(TARGETS hello DESTINATION bin)\n",
                )
                .unwrap();
            }),
        ),
        (
            "Rust, cargo build && cp",
            "FROM rust:1.63\nWORKDIR /src\nCOPY . .\nRUN cargo build --release && cp target/release/hello /usr/local/bin/hello\nCMD [\"hello\"]\n".into(),
            Box::new(move |d| {
                for f in ["Cargo.toml", "Cargo.lock", "src/main.rs"] {
                    copy(&format!("rust/{f}"), d, f);
                }
            }),
        ),
        (
            "Java, javac && jar",
            "FROM eclipse-temurin:17\nWORKDIR /app\nCOPY Hello.java .\nRUN mkdir -p out && javac -d out Hello.java && jar cfe /app/hello.jar Hello -C out .\nCMD [\"java\", \"-jar\", \"/app/hello.jar\"]\n".into(),
            Box::new(move |d| copy("java/Hello.java", d, "Hello.java")),
        ),
        (
            "Go, go build -o /usr/local/bin",
            "FROM golang:1.19\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/hello .\nCMD [\"hello\"]\n".into(),
            Box::new(move |d| {
                copy("go/go.mod", d, "go.mod");
                std::fs::write(d.join("main.go"), "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello from Go\") }\n")
                    .unwrap();
            }),
        ),
    ];
    let mut reductions = Vec::new();
    for (name, dockerfile, lay) in &shapes {
        let dir = tempfile::tempdir().unwrap();
        lay(dir.path());
        std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
        let v = support::suggest_verified(dir.path(), name);
        let ver = &v["verification"];
        let (a, b) = (ver["original_bytes"].as_u64().unwrap(), ver["patched_bytes"].as_u64().unwrap());
        assert!(b < a, "{name}: not smaller: {a} -> {b}");
        let cut = 100.0 * (a - b) as f64 / a as f64;
        eprintln!(
            "ship_state_shapes: {name:<32} {:>7.1} MB -> {:>6.1} MB  -{cut:.1} %  ({} rewrite)",
            a as f64 / 1e6,
            b as f64 / 1e6,
            v["ecosystem"].as_str().unwrap_or("?")
        );
        reductions.push(cut);
    }
    reductions.sort_by(f64::total_cmp);
    let median = reductions[reductions.len() / 2];
    eprintln!("ship_state_shapes: median reduction {median:.1} % on {engine}");
    assert!(median >= 50.0, "median reduction {median:.1} % is under 50 %: {reductions:?}");
}

/// With `--verify`, a split's runtime packages are what the artifact's ELF needs, found in
/// the built build stage: `libargon2-dev` becomes exactly `libargon2-1` (the package that
/// provides `libargon2.so.1`), and the rewrite answers like the original. Unverified, the
/// `-dev` → runtime table's row (derived from Debian's index) guesses the same, and says it
/// is a guess.
#[tokio::test]
async fn runtime_libraries_come_from_the_artifacts_elf_needs() {
    let Some(engine) = ready("ship_state_elf").await else { return };
    let dir = c_project(
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev make libargon2-dev && rm -rf /var/lib/apt/lists/*\nWORKDIR /src\nCOPY argon.c .\nRUN cc -O2 -o argon argon.c -largon2 && cp argon /usr/local/bin/\nCMD [\"argon\"]\n",
    );
    std::fs::write(
        dir.path().join("argon.c"),
        "#include <stdio.h>\n#include <argon2.h>\nint main(void) { puts(argon2_error_message(ARGON2_OK)); return 0; }\n",
    )
    .unwrap();
    // unverified, the table's guess, said to be one
    let out = shiplight(&["suggest", "--format", "json", "Dockerfile"], dir.path());
    let guess: Value = serde_json::from_slice(&out.stdout).unwrap();
    let said = guess["rationale"].to_string();
    assert!(said.contains("runtime packages: libargon2-1 (from the `-dev` → runtime table: a guess"), "{said}");

    let v = support::suggest_verified(dir.path(), "libargon2");
    let patched = v["patched"].as_str().unwrap();
    let runtime = patched.split(" AS runtime\n").nth(1).unwrap();
    assert!(runtime.contains("--no-install-recommends libargon2-1 "), "{runtime}");
    assert!(!runtime.contains("-dev"), "{runtime}");
    let said = v["rationale"].to_string();
    assert!(said.contains("ELF needs") && said.contains("libargon2-1 (libargon2.so.1)"), "{said}");
    eprintln!("ship_state_elf: libargon2.so.1 -> libargon2-1, verified on {engine}");
}
