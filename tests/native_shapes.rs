//! Native shapes on a real daemon (the stand-ins of scripts/fixtures.sh; apt reaches Debian's
//! mirror, pip reaches PyPI): a Python virtualenv whose extension links libpq (psycopg2
//! built from source), a Node-API addon linking libyaml, a cgo binary linking SQLite, and the
//! same binary built in place by a RUN that defines a function and purges its `-dev` package
//! (`tests/fixtures/native/`). For each, `suggest` without a daemon already installs the
//! library in the runtime stage (the `-dev` → runtime table), `suggest --verify` finds the
//! same package from the artifacts' ELF needs, and the patch builds, answers the smoke check
//! exactly like the original, and is smaller. A fifth builds the cgo program in a base stage
//! the shipped stage is built FROM (`inherited/`): the split happens there. A sixth installs
//! a C program whose configuration configure puts outside the prefix (`outside-prefix/`). A
//! seventh builds two projects in one RUN, each with its own prefix, and makes the folder the
//! program writes into (`two-projects/`). An eighth pip-installs an extension linking libyaml
//! into a distribution's own Python that the program runs by its path (`distro-pip/`): pip
//! is staged with `--root`. A ninth makes a virtualenv that ENV activates for a later RUN's
//! `python3 -m pip install` (`env-venv/`): the virtualenv is what ships. A tenth does the
//! same with uv (`uv-venv/`: `uv venv`, then `uv pip install`). An eleventh ships a base a
//! build stage is built FROM too (`shared-base/`): the toolchain moves to a stage of its own.
//! A twelfth sets up a package source between two installs of its build RUN (`apt-source/`):
//! the runtime's install sets it up in its place. A thirteenth builds documentation into the
//! checkout it copied from the build context, on a python image, for a program that names no
//! path in it (`checkout-built/`): the runtime's COPY of the context takes the folder from the
//! build stage. A fourteenth installs a shared library and a program linking it, then refreshes
//! the loader's cache (`shared-lib/`): the runtime refreshes it once the library arrives. A
//! fifteenth tells pip a folder of its own (`pip-target/`: `--target`, read through PYTHONPATH):
//! that folder ships. A sixteenth builds a development stage FROM the split base with the
//! toolchain (`dev-builds/`): it is built FROM the build stage, and its target still builds.
//! A seventeenth writes the first shape as a chain of stages, the `-dev` package in one and
//! the build in the stage built FROM it, which ships (`chain/`): split as one stage. An
//! eighteenth installs only a library's headers in a shared base whose shipped stage then
//! pip-installs a pure-Python program with no compiler (`shared-headers/`, freqtrade's
//! shape): the headers move to a stage of their own. A nineteenth builds a Python package
//! with CMake through scikit-build-core, linking OpenMP (`openmp/`, llama-cpp-python's shape):
//! the runtime gets gcc's OpenMP runtime. A twentieth ships a stage that builds more FROM a
//! base a test stage is built FROM too (`twin/`, mediacms' shape): the base splits, and the
//! shipped stage gets a build stage of its own FROM the base's. A twenty-first builds a PHP
//! extension linking libyaml with `docker-php-ext-install` on the php stand-in, in the RUN
//! that installs its headers, another `-dev` package and a program (`php-ext/`, nextcloud's
//! and glpi's shape): the RUN ends by purging the headers, and keeps the library and the
//! program. A twenty-second builds a program against libyaml in a RUN that purges its
//! compiler afterwards but leaves the headers (`purge-rest/`, simple-login's shape): the
//! headers join that purge, and libyaml's runtime library is installed by name.
//! Each test prints the engine it ran on.

mod support;

use serde_json::Value;
use support::{daemon, shiplight};

/// Copy a fixture out of `tests/` (the ship model calls what is there a test input, rightly)
/// into a fresh folder.
fn fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&support::root().join("tests/fixtures/native").join(name), dir.path());
    dir
}

/// Copy a folder's files and folders (a fixture of several projects) into `to`.
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The daemon, with the stand-in images a shape builds on; `None`: skipped (never in CI).
async fn ready(test: &str, images: &[&str]) -> Option<String> {
    let engine = daemon(test).await?;
    for image in images {
        if !engine.exists(image).await {
            assert!(std::env::var_os("CI").is_none(), "{image} is missing: scripts/test runs scripts/fixtures.sh");
            eprintln!("SKIPPED {test}: {image} is missing; run scripts/fixtures.sh");
            return None;
        }
    }
    let info = engine.server_info().await.ok()?;
    Some(format!("Docker Engine {} (API {})", info.version, info.api_version))
}

/// `suggest` with and without `--verify` on the fixture: the table's guess and the ELF needs
/// agree on `package`, the verified patch is smaller and answers alike.
fn shape(test: &str, engine: &str, name: &str, ecosystem: &str, package: &str, soname: &str) {
    let dir = fixture(name);
    let out = shiplight(&["suggest", "--format", "json", "Dockerfile"], dir.path());
    let guess: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{name}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(guess["outcome"], "patch", "{name}: {guess}");
    assert_eq!(guess["ecosystem"], ecosystem, "{name}: {guess}");
    let shown = guess["patched"].as_str().unwrap();
    let runtime = shown.split(" AS runtime\n").nth(1).unwrap();
    assert!(runtime.contains(&format!("--no-install-recommends {package} ")), "{name}: no {package}:\n{shown}");
    assert!(!runtime.contains("-dev"), "{name}: a -dev package still ships:\n{shown}");
    let said = guess["rationale"].to_string();
    assert!(said.contains(package) && said.contains("table"), "{name}: the rationale does not name {package}: {said}");

    let v = support::suggest_verified(dir.path(), name);
    let ver = &v["verification"];
    // the same patch: the guess shown without a daemon is the one that was built and run
    assert_eq!(v["patched"].as_str().unwrap(), shown, "{name}: --verify changed the patch");
    let said = v["rationale"].to_string();
    assert!(said.contains(&format!("{package} ({soname})")), "{name}: the ELF needs are not named: {said}");
    smaller_and_alike(test, &format!("{name}: {package} for {soname}"), engine, ver);
}

/// The fixture `name` and the patch `suggest` shows for it without a daemon.
fn patched(name: &str) -> (tempfile::TempDir, String) {
    let dir = fixture(name);
    let out = shiplight(&["suggest", "--format", "json", "Dockerfile"], dir.path());
    let guess: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(guess["outcome"], "patch", "{name}: {guess}");
    let shown = guess["patched"].as_str().unwrap().to_owned();
    (dir, shown)
}

/// `suggest --verify` on the fixture: the patch it built is the one shown without a daemon.
fn verified_alike(dir: &tempfile::TempDir, name: &str, shown: &str) -> Value {
    let v = support::suggest_verified(dir.path(), name);
    assert_eq!(v["patched"].as_str().unwrap(), shown, "{name}: --verify changed the patch");
    v
}

/// The verified patch answers the smoke check like the original and is smaller; said with
/// the sizes and the engine.
fn smaller_and_alike(test: &str, what: &str, engine: &str, ver: &Value) {
    let smoke = &ver["smoke"];
    assert_eq!(smoke["same"], true, "{what}: {smoke}");
    let (a, b) = (ver["original_bytes"].as_u64().unwrap(), ver["patched_bytes"].as_u64().unwrap());
    assert!(b < a, "{what}: not smaller: {a} -> {b}");
    eprintln!(
        "{test}: {what}: {:.1} MB -> {:.1} MB (-{:.1} %), smoke check `{}` answered alike: {} on {engine}",
        a as f64 / 1e6,
        b as f64 / 1e6,
        100.0 * (a - b) as f64 / a as f64,
        smoke["check"].as_str().unwrap_or("?"),
        smoke["original"]["output"].as_str().unwrap_or("").trim(),
    );
}

#[tokio::test]
async fn a_python_extension_keeps_the_system_library_it_links() {
    let test = "native_python_ext";
    let Some(engine) = ready(test, &["python:3.9", "python:3.9-slim"]).await else { return };
    shape(test, &engine, "python-ext", "python", "libpq5", "libpq.so.5");
}

#[tokio::test]
async fn a_node_native_addon_keeps_the_system_library_it_links() {
    let test = "native_node_addon";
    let Some(engine) = ready(test, &["node:18", "node:18-slim"]).await else { return };
    shape(test, &engine, "node-addon", "node", "libyaml-0-2", "libyaml-0.so.2");
}

#[tokio::test]
async fn a_cgo_binary_keeps_cgo_and_the_system_library_it_links() {
    let test = "native_cgo";
    let Some(engine) = ready(test, &["golang:1.19", "debian:bookworm-slim"]).await else { return };
    shape(test, &engine, "cgo", "install", "libsqlite3-0", "libsqlite3.so.0");
}

/// docker-library's shape: one RUN installs a `-dev` package, builds through a shell function
/// and purges the package again; the program stays in the folder it was built in. The split
/// copies that folder and installs the library the purged package linked.
#[tokio::test]
async fn an_in_place_build_that_purges_its_dev_package_keeps_the_library() {
    let test = "native_in_place";
    let Some(engine) = ready(test, &["golang:1.19", "debian:bookworm-slim"]).await else { return };
    shape(test, &engine, "in-place", "install", "libsqlite3-0", "libsqlite3.so.0");
}

/// The image that ships is built FROM a base stage that installs the toolchain and builds
/// (`FROM base AS app`): the split happens in `base`, whose runtime stage keeps the name, so
/// `app` follows as written and ships without the toolchain.
#[tokio::test]
async fn a_shipped_stage_built_from_a_toolchain_base_is_split_at_the_base() {
    let test = "native_inherited";
    let Some(engine) = ready(test, &["golang:1.19", "debian:bookworm-slim"]).await else { return };
    let (dir, shown) = patched("inherited");
    assert!(shown.contains("FROM golang:1.19 AS build\n"), "{shown}");
    let base = shown.split("FROM debian:bookworm-slim AS base\n").nth(1).expect(&shown);
    let (base, app) = base.split_once("FROM base AS app\n").expect(&shown);
    assert!(base.contains("libsqlite3-0") && !base.contains("-dev"), "{shown}");
    assert!(base.contains("COPY --from=build /usr/local/bin/sqliteversion /usr/local/bin/sqliteversion\n"), "{shown}");
    assert!(app.contains("CMD [\"sqliteversion\"]"), "the stage built FROM base changed:\n{shown}");

    let v = verified_alike(&dir, "inherited", &shown);
    smaller_and_alike(test, "inherited: the split in base", &engine, &v["verification"]);
}

/// configure puts the configuration outside the prefix (`--conf-path=/etc/hello/…`, as
/// nginx's does): the install is staged (DESTDIR), and the prefix and `/etc/hello` are copied
/// one by one, so the program finds its configuration in the runtime.
#[tokio::test]
async fn an_install_outside_its_prefix_keeps_what_it_put_there() {
    let test = "native_outside_prefix";
    let Some(engine) = ready(test, &["gcc:12", "debian:bookworm-slim"]).await else { return };
    let (dir, shown) = patched("outside-prefix");
    assert!(shown.contains("make DESTDIR=/opt/shiplight-root install"), "{shown}");
    let runtime = shown.split(" AS runtime\n").nth(1).expect(&shown);
    assert!(runtime.contains("COPY --from=build /opt/shiplight-root/usr/local /usr/local\n"), "{shown}");
    assert!(runtime.contains("COPY --from=build /opt/shiplight-root/etc/hello /etc/hello\n"), "{shown}");
    let v = verified_alike(&dir, "outside-prefix", &shown);
    let ver = &v["verification"];
    let said = ver["smoke"]["original"]["output"].as_str().unwrap_or("");
    assert!(said.contains("hello from /etc/hello/hello.conf"), "{ver}");
    smaller_and_alike(test, "outside-prefix: /usr/local and /etc/hello", &engine, ver);
}

/// One RUN builds two projects in turn, each configured with its own `--prefix` (openresty's
/// OpenSSL, PCRE2, OpenResty and LuaRocks), then makes a folder the program writes into: each
/// install is copied from its own prefix (not the first one the RUN names), and the runtime
/// makes the folder again.
#[tokio::test]
async fn a_run_that_builds_two_projects_keeps_both_prefixes() {
    let test = "native_two_projects";
    let Some(engine) = ready(test, &["gcc:12", "debian:bookworm-slim"]).await else { return };
    let (dir, shown) = patched("two-projects");
    let runtime = shown.split(" AS runtime\n").nth(1).expect(&shown);
    assert!(
        runtime.contains("COPY --from=build /opt/greet /opt/greet\nCOPY --from=build /opt/hello /opt/hello\n"),
        "{shown}"
    );
    assert!(runtime.contains("RUN mkdir -p /var/run/hello\n"), "{shown}");
    let v = verified_alike(&dir, "two-projects", &shown);
    let ver = &v["verification"];
    let said = ver["smoke"]["original"]["output"].as_str().unwrap_or("");
    assert!(said.contains("hello from /opt/greet/share/greeting") && said.contains("pid file written"), "{ver}");
    smaller_and_alike(test, "two-projects: /opt/greet, /opt/hello and /var/run/hello", &engine, ver);
}

/// pip into a distribution's own Python, run by its path (`/usr/bin/python3`), where no
/// virtualenv would reach the program: pip is staged with `--root`, the staging root copied
/// over `/`, and the extension finds libyaml. The base is the Debian stand-in under a name
/// shiplight knows no pip prefix for, as CentOS's or Alpine's would be.
#[tokio::test]
async fn pip_into_a_distribution_python_is_staged_and_keeps_its_library() {
    let test = "native_distro_pip";
    let Some(engine) = ready(test, &["debian:bookworm"]).await else { return };
    let tagged = std::process::Command::new("docker")
        .args(["tag", "debian:bookworm", "shiplight-test/distro:bookworm"])
        .status()
        .expect("the docker CLI");
    assert!(tagged.success(), "docker tag debian:bookworm shiplight-test/distro:bookworm");
    let (_, shown) = patched("distro-pip");
    assert!(shown.contains("RUN pip3 install --root=/opt/shiplight-root --break-system-packages"), "{shown}");
    assert!(shown.contains("COPY --from=build /opt/shiplight-root/ /\n"), "{shown}");
    shape(test, &engine, "distro-pip", "install", "libyaml-0-2", "libyaml-0.so.2");
}

/// superdesk's shape: a RUN makes a virtualenv, ENV puts it first on PATH (`VIRTUAL_ENV`), and
/// a later RUN's `python3 -m pip install` builds an extension linking libyaml into it. The
/// runtime gets the virtualenv (not the system's `/usr/local`, where nothing was installed)
/// and libyaml, and the program finds its module.
#[tokio::test]
async fn a_virtualenv_the_environment_activates_ships_with_its_library() {
    let test = "native_env_venv";
    let Some(engine) = ready(test, &["debian:bookworm", "debian:bookworm-slim"]).await else { return };
    let (_, shown) = patched("env-venv");
    let runtime = shown.split(" AS runtime\n").nth(1).expect(&shown);
    assert!(runtime.contains("COPY --from=build /opt/venv /opt/venv\n") && !runtime.contains("/usr/local"), "{shown}");
    shape(test, &engine, "env-venv", "install", "libyaml-0-2", "libyaml-0.so.2");
}

/// mediacms's shape on uv: `uv venv` makes the virtualenv VIRTUAL_ENV names, and a later
/// RUN's `uv pip install` builds an extension linking libyaml into it. The runtime gets that
/// virtualenv and libyaml, and the program finds its module.
#[tokio::test]
async fn a_virtualenv_uv_fills_ships_with_its_library() {
    let test = "native_uv_venv";
    let Some(engine) = ready(test, &["python:3.9", "python:3.9-slim"]).await else { return };
    let (_, shown) = patched("uv-venv");
    let runtime = shown.split(" AS runtime\n").nth(1).expect(&shown);
    assert!(runtime.contains("COPY --from=build /opt/venv /opt/venv\n") && !runtime.contains("gcc"), "{shown}");
    shape(test, &engine, "uv-venv", "install", "libyaml-0-2", "libyaml-0.so.2");
}

/// khoj's shape: `base` installs the runtime and the toolchain, a build stage FROM it compiles
/// an extension linking libyaml into a virtualenv, and the shipped stage FROM it copies the
/// virtualenv. The toolchain moves out of `base` into a stage FROM it that the build stage is
/// built FROM instead; `base` keeps libyaml's runtime library, and the program finds its
/// module.
#[tokio::test]
async fn a_base_shipped_and_built_on_hands_its_toolchain_to_a_build_stage() {
    let test = "native_shared_base";
    let Some(engine) = ready(test, &["debian:bookworm-slim"]).await else { return };
    let (dir, shown) = patched("shared-base");
    let (base, rest) = shown.split_once("FROM base AS base-build\n").expect(&shown);
    assert!(base.contains("libyaml-0-2") && !base.contains("-dev") && !base.contains("gcc"), "{shown}");
    let (build, rest) = rest.split_once("FROM base-build AS deps\n").expect(&shown);
    assert!(
        build.contains("apt-get install -y --no-install-recommends libyaml-dev python3-dev gcc libc6-dev"),
        "{shown}"
    );
    assert!(
        rest.contains("\nFROM base\nCOPY --from=deps /opt/venv /opt/venv\n"),
        "the shipped stage changed:\n{shown}"
    );
    let v = verified_alike(&dir, "shared-base", &shown);
    smaller_and_alike(test, "shared-base: the toolchain moved to base-build", &engine, &v["verification"]);
}

/// A package source set up between two installs of the build RUN (khoj's computer image adds
/// a PPA, hyrax pipes nodesource's script to bash; here Debian's backports): the runtime's
/// install sets it up in its place, after what was installed before it and before the
/// library the program links, and the program finds both.
#[tokio::test]
async fn a_package_source_set_up_between_installs_is_set_up_in_the_runtime() {
    let test = "native_apt_source";
    let Some(engine) = ready(test, &["debian:bookworm", "debian:bookworm-slim"]).await else { return };
    let (dir, shown) = patched("apt-source");
    let runtime = shown.split(" AS runtime\n").nth(1).expect(&shown);
    let first = runtime.find("--no-install-recommends ca-certificates").expect(&shown);
    let source = runtime.find("> /etc/apt/sources.list.d/backports.list").expect(&shown);
    let library = runtime.find("--no-install-recommends libyaml-0-2").expect(&shown);
    assert!(first < source && source < library && !runtime.contains("gcc"), "{shown}");
    let v = verified_alike(&dir, "apt-source", &shown);
    let ver = &v["verification"];
    let said = ver["smoke"]["patched"]["output"].as_str().unwrap_or("");
    assert!(said.contains("backports set up"), "{ver}");
    smaller_and_alike(test, "apt-source: backports set up between the installs", &engine, ver);
}

/// A build that installs nothing elsewhere writes into the checkout the runtime also copies
/// from the build context (onadata's `make -C docs html`), for a program named by no path in
/// it: the runtime's COPY of the context takes that folder from the build stage, so what the
/// build wrote there ships, and the sources do not ship twice. Before, this was refused ("the
/// build ran in `/srv/app`…").
#[tokio::test]
async fn a_checkout_a_build_wrote_into_comes_from_the_build_stage() {
    let test = "native_checkout_built";
    let Some(engine) = ready(test, &["python:3.9", "python:3.9-slim"]).await else { return };
    let (dir, shown) = patched("checkout-built");
    let runtime = shown.split(" AS runtime\n").nth(1).expect(&shown);
    assert!(runtime.contains("COPY --from=build /srv/app/docs /srv/app/docs\n"), "{shown}");
    assert!(!runtime.contains("COPY docs ./docs") && !runtime.contains("make"), "{shown}");
    let v = verified_alike(&dir, "checkout-built", &shown);
    let ver = &v["verification"];
    let said = ver["smoke"]["patched"]["output"].as_str().unwrap_or("");
    assert!(said.contains("the manual, built by make"), "{ver}");
    smaller_and_alike(test, "checkout-built: the documentation make wrote into the checkout", &engine, ver);
}

/// `make install && ldconfig` of a shared library and a program linking it into /usr/local:
/// the runtime reruns `ldconfig` after the prefix arrives, so the loader finds the library
/// in /usr/local/lib. Before, the patch copied the library but the program failed to start
/// ("error while loading shared libraries: libgreet.so").
#[tokio::test]
async fn a_shared_library_the_build_installed_is_in_the_loaders_cache() {
    let test = "native_shared_lib";
    let Some(engine) = ready(test, &["gcc:12", "debian:bookworm-slim"]).await else { return };
    let (dir, shown) = patched("shared-lib");
    let runtime = shown.split(" AS runtime\n").nth(1).expect(&shown);
    // the cache is refreshed after what the build installed arrives (here the staged root: the
    // Makefile's own PREFIX is not seen, so `make install` is staged with DESTDIR)
    let copied = runtime.rfind("COPY --from=build ").expect(&shown);
    assert!(runtime[copied..].contains("\nRUN ldconfig\n"), "{shown}");
    let v = verified_alike(&dir, "shared-lib", &shown);
    let ver = &v["verification"];
    let said = ver["smoke"]["patched"]["output"].as_str().unwrap_or("");
    assert!(said.contains("hello from libgreet.so"), "{ver}");
    smaller_and_alike(test, "shared-lib: the library in the loader's cache", &engine, ver);
}

/// pip told a folder of its own (`pip install --target=/app/deps`, read through PYTHONPATH)
/// builds an extension linking libyaml: the runtime gets that folder and libyaml, not the
/// image's prefix or a virtualenv of the rewrite's, which the program would not read.
#[tokio::test]
async fn a_folder_pip_was_told_to_install_into_ships() {
    let test = "native_pip_target";
    let Some(engine) = ready(test, &["python:3.9", "python:3.9-slim"]).await else { return };
    let (_, shown) = patched("pip-target");
    let runtime = shown.split(" AS runtime\n").nth(1).expect(&shown);
    assert!(runtime.contains("COPY --from=build /app/deps /app/deps\n"), "{shown}");
    assert!(!shown.contains("/opt/venv"), "{shown}");
    shape(test, &engine, "pip-target", "install", "libyaml-0-2", "libyaml-0.so.2");
}

/// After the install, a RUN of the program's own code (`python prepare.py`, as a model or
/// corpus download would be) writes its data outside what the runtime copies
/// (/root/app_data): the runtime runs it, after the virtualenv arrives. Before, every Python
/// run was a build step: the build stage ran it and the patched program found no data.
#[tokio::test]
async fn a_run_of_the_programs_code_prepares_its_data_in_the_runtime() {
    let test = "native_program_data";
    let Some(engine) = ready(test, &["python:3.9", "python:3.9-slim"]).await else { return };
    let (dir, shown) = patched("program-data");
    let (build, runtime) = shown.split_once(" AS runtime\n").expect(&shown);
    assert!(!build.contains("prepare.py\n") && runtime.contains("RUN python prepare.py\nCMD"), "{shown}");
    let v = verified_alike(&dir, "program-data", &shown);
    let ver = &v["verification"];
    let said = ver["smoke"]["patched"]["output"].as_str().unwrap_or("");
    assert!(said.contains("data prepared with libyaml"), "{ver}");
    smaller_and_alike(test, "program-data: the data a RUN of the program prepares", &engine, ver);
}

/// A development stage built FROM the split base builds with the toolchain (`go vet` and a
/// cgo build, as oncall's `dev` runs `uv pip install` of its development requirements): it is
/// built FROM the build stage, the base as written, and still builds and runs; the shipped
/// stage follows the slim base.
#[tokio::test]
async fn a_development_stage_that_builds_is_built_from_the_build_stage() {
    let test = "native_dev_builds";
    let Some(engine) = ready(test, &["golang:1.19", "debian:bookworm-slim"]).await else { return };
    let (dir, shown) = patched("dev-builds");
    let (build, rest) = shown.split_once("FROM debian:bookworm-slim AS base\n").expect(&shown);
    assert!(build.contains("FROM golang:1.19 AS build\n") && build.contains("CMD [\"sqliteversion\"]"), "{shown}");
    assert!(rest.contains("\nFROM build AS dev\n") && rest.contains("\nFROM base AS app\n"), "{shown}");
    let v = verified_alike(&dir, "dev-builds", &shown);
    smaller_and_alike(test, "dev-builds: the development stage on the build stage", &engine, &v["verification"]);
    // the development target of the patched file builds, and its program runs
    let tag = "shiplight-test/dev-builds:dev";
    let ran = target_runs(&dir, &shown, "dev", tag);
    let said = String::from_utf8_lossy(&ran.stdout);
    assert!(ran.status.success() && said.starts_with("sqlite 3."), "the dev program: {said}");
    eprintln!("{test}: the patched file's dev target builds and prints `{}` on {engine}", said.trim());
    support::cleanup(&support::daemon(test).await.expect("the daemon"), &[tag]).await;
}

/// `patched` written over the fixture's Dockerfile, its `target` built as `tag` (which must
/// build) and run: what the run answered.
fn target_runs(dir: &tempfile::TempDir, patched: &str, target: &str, tag: &str) -> std::process::Output {
    std::fs::write(dir.path().join("Dockerfile"), patched).unwrap();
    let built = std::process::Command::new("docker")
        .args(["build", "-q", "--target", target, "-t", tag])
        .arg(dir.path())
        .output()
        .expect("the docker CLI");
    assert!(built.status.success(), "the {target} target does not build: {}", String::from_utf8_lossy(&built.stderr));
    std::process::Command::new("docker").args(["run", "--rm", tag]).output().expect("the docker CLI")
}

/// The toolchain installed in one stage and used by the stage built FROM it, which ships
/// (gpt-researcher's chain): split as the one stage the chain builds, the runtime keeping the
/// shipped stage's name, with the library the extension links.
#[tokio::test]
async fn a_chain_of_stages_that_builds_with_the_first_ones_toolchain_is_split_as_one() {
    let test = "native_chain";
    let Some(engine) = ready(test, &["python:3.9", "python:3.9-slim"]).await else { return };
    let (dir, shown) = patched("chain");
    let (build, runtime) = shown.split_once("FROM python:3.9-slim AS app\n").expect(&shown);
    assert!(build.contains("FROM python:3.9 AS build\n") && !shown.contains("FROM deps"), "{shown}");
    assert!(runtime.contains("libpq5") && !runtime.contains("-dev"), "{shown}");
    assert!(runtime.contains("COPY --from=build /opt/venv /opt/venv\n"), "{shown}");
    let v = verified_alike(&dir, "chain", &shown);
    assert!(v["rationale"].to_string().contains("`deps` and `app` are built as one stage"), "{v}");
    smaller_and_alike(test, "chain: deps and app split as one stage", &engine, &v["verification"]);
}

/// freqtrade's shape (held out in round 54): the shared `base` installs libyaml's headers
/// beside the runtime, the build stage FROM it adds the compiler, and the shipped stage FROM it
/// pip-installs a pure-Python program with no compiler on its lineage. The headers move out of
/// `base` into a stage the build stage is built FROM; `base` keeps the runtime library, and the
/// program's pip install still runs where it was.
#[tokio::test]
async fn headers_a_shared_base_installs_for_its_build_stage_move_to_it() {
    let test = "native_shared_headers";
    let Some(engine) = ready(test, &["debian:bookworm-slim"]).await else { return };
    let (dir, shown) = patched("shared-headers");
    let (base, rest) = shown.split_once("FROM base AS base-build\n").expect(&shown);
    assert!(base.contains("python3-venv libyaml-0-2") && !base.contains("-dev"), "{shown}");
    let (build, rest) = rest.split_once("FROM base-build AS deps\n").expect(&shown);
    assert!(build.contains("apt-get install -y --no-install-recommends libyaml-dev"), "{shown}");
    assert!(
        rest.contains("\nFROM base\nCOPY --from=deps /opt/venv /opt/venv\nCOPY app /srv/app\nRUN /opt/venv/bin/python3 -m pip install"),
        "the shipped stage changed:\n{shown}"
    );
    let v = verified_alike(&dir, "shared-headers", &shown);
    smaller_and_alike(test, "shared-headers: the headers moved to base-build", &engine, &v["verification"]);
}

/// llama-cpp-python's shape (held out in round 53): a Python package built with CMake through
/// scikit-build-core (`CMAKE_ARGS`), whose FindOpenMP finds gcc's libgomp and links it. The
/// slim runtime lacks libgomp1; the patch shown without a daemon installs it, the ELF needs
/// name the same package, and the extension's parallel region runs in the patched image.
#[tokio::test]
async fn a_cmake_built_python_package_keeps_gccs_openmp_runtime() {
    let test = "native_openmp";
    let Some(engine) = ready(test, &["python:3.9", "python:3.9-slim"]).await else { return };
    let (dir, shown) = patched("openmp");
    let runtime = shown.split_once(" AS runtime\n").expect(&shown).1;
    assert!(runtime.contains("--no-install-recommends libgomp1 "), "{shown}");
    let v = verified_alike(&dir, "openmp", &shown);
    assert!(v["rationale"].to_string().contains("libgomp1 (libgomp.so.1)"), "{v}");
    assert!(
        v["verification"]["smoke"]["patched"]["output"].as_str().unwrap_or("").contains("threads found: True"),
        "{v}"
    );
    smaller_and_alike(test, "openmp: libgomp1 for libgomp.so.1", &engine, &v["verification"]);
}

/// mediacms' shape (`twin/`): `base` builds markupsafe's speedups into a virtualenv, `test` is
/// built FROM it, and `full`, built FROM it, builds psycopg2 from source against libpq and
/// ships. `full` gets a build stage of its own, FROM the base's, and its runtime is the base's
/// with the virtualenv both built, copied once: it builds, answers like the original and is
/// smaller; the `test` target of the patched file still builds on the slim base.
#[tokio::test]
async fn a_shipped_stage_that_builds_on_a_shared_base_gets_a_build_stage_of_its_own() {
    let test = "native_twin";
    let Some(engine) = ready(test, &["python:3.9", "python:3.9-slim"]).await else { return };
    let (dir, shown) = patched("twin");
    let (_, full) = shown.split_once("FROM python:3.9-slim AS full\n").expect(&shown);
    assert!(shown.contains("\nFROM build AS full-build\n") && shown.contains("\nFROM base AS test\n"), "{shown}");
    assert!(full.contains("libpq5") && !full.contains("-dev"), "{shown}");
    assert_eq!(full.matches("COPY --from=full-build /opt/venv /opt/venv\n").count(), 1, "{shown}");
    let v = verified_alike(&dir, "twin", &shown);
    assert!(v["rationale"].to_string().contains("`full` is built FROM `base`"), "{v}");
    smaller_and_alike(test, "twin: full on a build stage of its own", &engine, &v["verification"]);
    let tag = "shiplight-test/twin:test";
    let ran = target_runs(&dir, &shown, "test", tag);
    assert!(ran.status.success(), "the test target's check fails: {}", String::from_utf8_lossy(&ran.stderr));
    eprintln!("{test}: the patched file's test target builds and its check passes on {engine}");
    support::cleanup(&support::daemon(test).await.expect("the daemon"), &[tag]).await;
}

/// The official php image's shape: one RUN installs `-dev` packages and a program, builds an
/// extension with `docker-php-ext-install` and ends. The PHP rewriter ends that RUN by
/// purging the packages installed for the build; what the extension links (libyaml-0-2,
/// found by ldd) and the program (less) stay, so the smoke check answers alike.
#[tokio::test]
async fn a_php_extension_keeps_its_library_when_the_headers_are_purged() {
    let test = "native_php_ext";
    let Some(engine) = ready(test, &["php:8.2-cli"]).await else { return };
    let (dir, shown) = patched("php-ext");
    assert!(shown.contains("&& apt-mark auto libyaml-dev libxml2-dev > /dev/null \\\n"), "{shown}");
    assert!(shown.contains("&& apt-get purge -y --auto-remove\nCMD"), "{shown}");
    assert!(!shown.contains("COPY --from"), "an in-place purge copies nothing:\n{shown}");
    let v = verified_alike(&dir, "php-ext", &shown);
    let ver = &v["verification"];
    let said = ver["smoke"]["original"]["output"].as_str().unwrap_or("");
    assert!(said.starts_with("0.2.5\nless "), "{ver}");
    smaller_and_alike(test, "php-ext: libyaml-dev and libxml2-dev purged, libyaml-0-2 and less kept", &engine, ver);
}

/// simple-login's shape: a RUN builds against libyaml, then purges its compiler but not the
/// headers. The rest of the toolchain joins the RUN's own purge and libyaml's runtime
/// library is installed by name, so autoremove keeps what the program links; nothing is
/// copied, and the smoke check answers alike.
#[tokio::test]
async fn the_rest_of_the_toolchain_joins_the_runs_own_purge() {
    let test = "native_purge_rest";
    let Some(engine) = ready(test, &["debian:bookworm"]).await else { return };
    let (dir, shown) = patched("purge-rest");
    assert!(shown.contains("--no-install-recommends gcc libc6-dev libyaml-dev less libyaml-0-2 \\\n"), "{shown}");
    assert!(shown.contains("&& apt-get purge -y gcc libc6-dev libyaml-dev \\\n"), "{shown}");
    assert!(!shown.contains("COPY --from=build"), "the purge copies nothing:\n{shown}");
    let v = verified_alike(&dir, "purge-rest", &shown);
    let ver = &v["verification"];
    let said = ver["smoke"]["original"]["output"].as_str().unwrap_or("");
    assert!(said.starts_with("0.2.5\nless "), "{ver}");
    smaller_and_alike(test, "purge-rest: libc6-dev and libyaml-dev purged, libyaml-0-2 and less kept", &engine, ver);
}
