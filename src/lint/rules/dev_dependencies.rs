//! ## What it does
//! Flags development dependencies installed in a stage that ships: `npm install`/`npm ci`,
//! `yarn install` or `pnpm install` of the project without a production flag (and without
//! `NODE_ENV=production`), `pip install -r requirements-dev.txt` (or a test/dev requirements
//! file, or a `[dev]`/`[test]` extra), `poetry install` without excluding dev groups. A Node
//! install is left alone when the package.json files the stage copied declare no
//! devDependencies: there are none to leave out. So is an install that runs only when a build
//! argument is set to what its default is not (`if [ "$DEBUG" = 1 ]` under `ARG DEBUG`,
//! `[ "$DEVELOPMENT_MODE" = "True" ]` under `ARG DEVELOPMENT_MODE=False`): the image
//! that ships has none. The argument counts as given when BuildKit sets it, when the file of
//! a path that ships names it (a workflow's `build-args`), and when no known path builds the
//! file.
//! So is an install whose `node_modules` the same RUN removes after it (`npm install && npm
//! run build && rm -rf node_modules`): nothing of it reaches the layer. And a Node install in
//! an image whose command runs a development server (`npm run dev`, a copied package.json's
//! script that starts one, `npx vite`, `nodemon`): the devDependencies are what it runs.
//!
//! ## Why it matters
//! Test runners, linters, bundlers and type checkers are often larger than the app itself,
//! and they widen the attack surface of the running container.
//!
//! ## Example
//! ```dockerfile
//! FROM node:20-slim
//! COPY . .
//! RUN npm ci
//! CMD ["node", "server.js"]
//! ```
//!
//! ## Fix
//! Install with `npm ci --omit=dev` (`yarn install --production`, `pnpm install --prod`), or
//! build in an earlier stage and copy a pruned `node_modules`.

use crate::dockerfile::packages::{node_install, pip_install};
use crate::dockerfile::{Body, Instruction, Kind, Stage};
use crate::lint::{Ctx, Hit};

/// The package.json files of the build context a COPY or ADD brings, by their path there:
/// a source that names one (`package.json`, `app/package*.json`), or the context's root
/// (`COPY . .`).
pub fn package_json_sources(ins: &Instruction) -> Vec<String> {
    let (Kind::Copy | Kind::Add, Body::Copy { sources, .. }) = (&ins.kind, &ins.body) else { return Vec::new() };
    sources
        .iter()
        .filter_map(|s| {
            let s = s.trim_start_matches("./").trim_start_matches('/');
            if s.is_empty() || s == "." {
                return Some("package.json".to_owned());
            }
            let (dir, file) = s.rsplit_once('/').unwrap_or(("", s));
            (file == "package.json" || (file.starts_with("package") && file.ends_with(".json") && file.contains('*')))
                .then(|| if dir.is_empty() { "package.json".to_owned() } else { format!("{dir}/package.json") })
        })
        .collect()
}

/// Whether the package.json files the stage copied before instruction `at` are known, and
/// none declares devDependencies: then an install without a production flag installs no
/// more than one with it (round 48's gpt-researcher discord bot).
fn no_dev_dependencies(ctx: &Ctx, stage: &Stage, at: usize) -> bool {
    let copied: Vec<String> = stage
        .instructions
        .iter()
        .take_while(|i| i.line < at)
        .filter(|i| i.flag("from").is_none())
        .flat_map(package_json_sources)
        .collect();
    !copied.is_empty()
        && copied.iter().all(|p| {
            ctx.config.package_jsons.iter().find(|(path, _)| path == p).is_some_and(|(_, text)| {
                serde_json::from_str::<serde_json::Value>(text).is_ok_and(|json| {
                    json.get("devDependencies").and_then(|d| d.as_object()).is_none_or(|d| d.is_empty())
                })
            })
        })
}

/// The package.json files the stage copied (known and JSON), for what its command runs.
fn copied_packages(ctx: &Ctx, stage: &Stage) -> Vec<serde_json::Value> {
    stage
        .instructions
        .iter()
        .filter(|i| i.flag("from").is_none())
        .flat_map(package_json_sources)
        .filter_map(|p| ctx.config.package_jsons.iter().find(|(path, _)| *path == p))
        .filter_map(|(_, text)| serde_json::from_str(text).ok())
        .collect()
}

/// Whether the image's command runs a development server, which needs the devDependencies:
/// a package script named for development (`npm run dev`, `yarn dev`, `pnpm run start:dev`),
/// a script of the copied package.json that starts one (Sefaria's storybook image: `npm run
/// storybook`, `"storybook": "storybook dev"`), or one itself (`next dev`, `npx vite`,
/// `nodemon server.js`, `ng serve`). A command that merely needs a devDependency (a script
/// runner listed there by mistake) does not make the image a development one.
fn command_runs_dev(ctx: &Ctx) -> bool {
    let packages: Vec<serde_json::Value> = ctx.shipped().flat_map(|s| copied_packages(ctx, s)).collect();
    ctx.shipped()
        .flat_map(|s| s.instructions.iter())
        .filter(|i| matches!(i.kind, Kind::Cmd | Kind::Entrypoint))
        .any(|i| runs_dev(&i.script().unwrap_or_default(), &packages, 0))
}

/// [`command_runs_dev`] of a command line or a package script's text, `depth` scripts deep.
fn runs_dev(text: &str, packages: &[serde_json::Value], depth: usize) -> bool {
    let script_of = |name: &str| packages.iter().find_map(|p| p.get("scripts")?.get(name)?.as_str().map(str::to_owned));
    let script = crate::dockerfile::shell::parse(text);
    script.commands.iter().any(|c| {
        let mut words: &[String] = c.effective();
        while let Some((first, rest)) = words.split_first() {
            if matches!(first.as_str(), "exec" | "npx" | "dumb-init" | "tini" | "--" | "env") {
                words = rest;
            } else {
                break;
            }
        }
        let Some(program) = words.first().map(|p| p.rsplit('/').next().unwrap_or(p)) else { return false };
        let sub = words.get(1).map(String::as_str);
        let name = match (program, sub) {
            ("npm" | "pnpm" | "yarn" | "bun", Some("run" | "run-script")) => words.get(2).map(String::as_str),
            ("npm", Some(n @ ("start" | "test"))) => Some(n),
            ("pnpm" | "yarn", Some(n)) if !n.starts_with('-') && !matches!(n, "install" | "add" | "exec" | "dlx") => {
                Some(n)
            }
            ("npm" | "pnpm" | "yarn" | "bun", _) => None,
            _ => return dev_server(program, sub),
        };
        let Some(name) = name else { return false };
        let for_development = name == "dev"
            || name.starts_with("dev:")
            || name.starts_with("dev-")
            || name.ends_with(":dev")
            || name.ends_with("-dev");
        for_development || (depth < 4 && script_of(name).is_some_and(|t| runs_dev(&t, packages, depth + 1)))
    })
}

/// Whether a program (with its first argument) is a development server or watcher: a `dev`
/// subcommand (`next dev`, `storybook dev`, `nuxt dev`), Vite without a build, `ng serve`,
/// `react-scripts start`, nodemon, webpack-dev-server.
fn dev_server(program: &str, sub: Option<&str>) -> bool {
    sub == Some("dev")
        || matches!(program, "nodemon" | "webpack-dev-server" | "ts-node-dev")
        || (program == "vite" && !matches!(sub, Some("build" | "preview" | "optimize")))
        || (program == "ng" && sub == Some("serve"))
        || (program == "react-scripts" && sub == Some("start"))
        || (program == "webpack" && sub == Some("serve"))
}

/// The folder each command of a RUN runs in, relative to where the RUN starts (`/~run` is
/// that folder, an absolute `cd` names its own): `None` after a `cd` that cannot be followed
/// (`cd -`, `cd $DIR`, a `cd` under a condition).
fn folders(script: &crate::dockerfile::shell::Script) -> Vec<Option<String>> {
    let mut at = Some("/~run".to_owned());
    let mut out = Vec::new();
    for c in &script.commands {
        out.push(at.clone());
        if c.program() == "cd" {
            let to = c.args().iter().find(|a| !a.starts_with('-')).map(String::as_str);
            at = match (to, at.take()) {
                (Some(to), Some(here)) if !to.contains('$') && !c.conditional() => {
                    Some(crate::dockerfile::resolve_path(&here, to))
                }
                _ => None,
            };
        }
    }
    out
}

/// Whether the `node_modules` the install at command `at` fills is removed later in the same
/// RUN, whenever the install ran (openemr's `npm install && npm run build && … && rm -fr
/// node_modules`): nothing of it reaches the layer.
fn removed_after(script: &crate::dockerfile::shell::Script, at: usize) -> bool {
    let dirs = folders(script);
    let Some(here) = dirs[at].as_deref() else { return false };
    let modules = crate::dockerfile::resolve_path(here, "node_modules");
    script.commands.iter().enumerate().skip(at + 1).any(|(k, c)| {
        c.program() == "rm"
            && crate::dockerfile::ship::follows(script, k, at)
            && dirs[k].as_deref().is_some_and(|there| {
                c.args().iter().filter(|a| !a.starts_with('-')).any(|a| {
                    let gone = crate::dockerfile::resolve_path(there, a);
                    crate::dockerfile::within(&modules, &gone) && gone != "/"
                })
            })
    })
}

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    // a CI or tooling image (its product is the toolchain): its test dependencies are the point
    if ctx.toolchain_is_the_product() {
        return;
    }
    // the devDependencies are what the image runs
    let runs_dev = command_runs_dev(ctx);
    for stage in ctx.shipped() {
        let node_env_production = ctx.env(stage, "NODE_ENV").is_some_and(|v| v == "production");
        for (ins, script) in ctx.runs(stage) {
            let prunes = script.commands.iter().any(|c| {
                matches!(c.program(), "npm" | "pnpm")
                    && c.subcommand() == Some("prune")
                    && c.has_flag(&["--production", "--omit", "--prod"])
            });
            for (at, cmd) in script.commands.iter().enumerate() {
                // an install only a build argument turns on (`if [ "$DEBUG" = 1 ]`, `ARG DEBUG`)
                if ctx.off_by_default(stage, ins, script, at) {
                    continue;
                }
                let problem = if let Some((tool, args, project)) = node_install(cmd) {
                    let prod = args.iter().any(|a| {
                        a == "--production"
                            || a == "--prod"
                            || a == "-P"
                            || a == "--omit=dev"
                            || a == "--only=prod"
                            || a == "--only=production"
                            || a.starts_with("--production=true")
                    });
                    let gone = removed_after(script, at);
                    (project
                        && !prod
                        && !runs_dev
                        && !node_env_production
                        && !prunes
                        && !gone
                        && !no_dev_dependencies(ctx, stage, ins.line))
                    .then(|| {
                        format!(
                            "`{tool} {}` installs devDependencies into a stage that ships",
                            cmd.subcommand().unwrap_or("install")
                        )
                    })
                } else if let Some(args) = pip_install(cmd) {
                    args.iter()
                        .enumerate()
                        .find(|(i, a)| {
                            let file = if a.as_str() == "-r" || a.as_str() == "--requirement" { args.get(i + 1).map(String::as_str) } else { a.strip_prefix("-r").filter(|r| !r.is_empty()) };
                            let extra = a.contains("[dev") || a.contains("[test");
                            extra || file.is_some_and(|f| {
                                let f = f.to_ascii_lowercase();
                                f.contains("dev") || f.contains("test")
                            })
                        })
                        .map(|(i, a)| {
                            let shown = if a == "-r" { args.get(i + 1).cloned().unwrap_or_default() } else { a.clone() };
                            format!("`pip install` of `{shown}` puts development and test dependencies in a stage that ships")
                        })
                } else if cmd.program() == "poetry" && cmd.subcommand() == Some("install") {
                    let excluded = cmd.has_flag(&["--no-dev", "--only", "--without", "--only-root"])
                        || cmd.args().iter().any(|a| a.starts_with("--only") || a.starts_with("--without"));
                    (!excluded).then(|| "`poetry install` installs the dev group into a stage that ships".to_owned())
                } else {
                    None
                };
                if let Some(message) = problem {
                    out.push(Hit::on(ins, stage, message).fix(
                        "install production dependencies only (`npm ci --omit=dev`, `yarn install --production`, `pip install -r requirements.txt`, `poetry install --only main`)",
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::{lines, messages};

    #[test]
    fn flags_dev_installs() {
        assert_eq!(lines("SL104", "FROM node:20-slim\nCOPY . .\nRUN npm ci\n"), vec![3]);
        assert_eq!(lines("SL104", "FROM node:20-slim\nRUN yarn install --frozen-lockfile\n"), vec![2]);
        let m = messages("SL104", "FROM python:3.12-slim\nRUN pip install -r requirements-dev.txt\n");
        assert!(m[0].1.contains("requirements-dev.txt"), "{:?}", m);
        assert_eq!(lines("SL104", "FROM python:3.12-slim\nRUN pip install -e '.[test]'\n"), vec![2]);
        assert_eq!(lines("SL104", "FROM python:3.12-slim\nRUN poetry install\n"), vec![2]);
        // another folder's node_modules removed, or the removal only under a condition
        for text in [
            "FROM node:20-slim\nRUN cd app && npm ci && cd sub && npm ci && cd .. && rm -rf node_modules\n",
            "FROM node:20-slim\nRUN npm ci && rm -rf /tmp/node_modules\n",
            "FROM node:20-slim\nRUN npm ci && if [ -n \"$SLIM\" ]; then rm -rf node_modules; fi\n",
        ] {
            assert_eq!(lines("SL104", text), vec![2], "{text}");
        }
    }

    /// Round 48 (gpt-researcher's discord bot, held out): the package.json the stage copies
    /// declares no devDependencies, so there are none to leave out
    #[test]
    fn an_install_of_a_package_json_without_dev_dependencies_passes() {
        use crate::lint::{lint_text, LintConfig};
        let text = "FROM node:18-alpine\nWORKDIR /app\nCOPY ./package.json ./\nRUN npm install --legacy-peer-deps\nCOPY . .\nCMD [\"node\", \"index.js\"]\n";
        let with =
            |json: &str| LintConfig { package_jsons: vec![("package.json".into(), json.into())], ..Default::default() };
        let sl104 = |cfg: &LintConfig| lint_text(text, "Dockerfile", cfg).iter().filter(|f| f.code == "SL104").count();
        assert_eq!(sl104(&with(r#"{"dependencies": {"discord.js": "^14"}}"#)), 0);
        assert_eq!(sl104(&with(r#"{"dependencies": {}, "devDependencies": {"jest": "^29"}}"#)), 1);
        // not read (or not JSON): as before
        assert_eq!(sl104(&LintConfig::default()), 1);
        assert_eq!(sl104(&with("{ not json")), 1);
    }

    /// LibrePhotos (and mediacms's shape): the development requirements install only when a build
    /// argument turns them on; as the Dockerfile stands, the image has none.
    #[test]
    fn an_install_a_build_argument_turns_on_passes() {
        let debug = "FROM python:3.12-slim\nARG DEBUG\nRUN pip install -r requirements.txt && if [ \"$DEBUG\" = 1 ] ; then pip install -r requirements.dev.txt; fi\n";
        assert!(lines("SL104", debug).is_empty());
        assert_eq!(lines("SL104", &debug.replace("ARG DEBUG", "ARG DEBUG=1")), vec![3]);
        // not declared: the base image's environment may set it
        assert_eq!(lines("SL104", &debug.replace("ARG DEBUG\n", "")), vec![2]);
        let mode = "FROM python:3.12-slim\nARG DEVELOPMENT_MODE=False\nRUN if [ \"$DEVELOPMENT_MODE\" = \"True\" ]; then pip install -r requirements-dev.txt; fi\n";
        assert!(lines("SL104", mode).is_empty());
        assert_eq!(lines("SL104", &mode.replace("=False", "=True")), vec![3]);
    }

    /// devika's and Sefaria's storybook image: the command runs the dev server (a script
    /// named for development, or one that runs a devDependency), which needs them.
    #[test]
    fn an_image_that_runs_a_dev_server_needs_its_dev_dependencies() {
        use crate::lint::{lint_text, LintConfig};
        let sl104 = |text: &str, json: &str| {
            let cfg = LintConfig { package_jsons: vec![("package.json".into(), json.into())], ..Default::default() };
            lint_text(text, "Dockerfile", &cfg).iter().filter(|f| f.code == "SL104").count()
        };
        let json = r#"{"scripts": {"storybook": "storybook dev -p 6006", "start": "run-script-os", "serve": "npm run storybook"}, "devDependencies": {"storybook": "^8", "nodemon": "^3", "run-script-os": "^1"}}"#;
        let file = |cmd: &str| {
            format!("FROM node:20-slim\nWORKDIR /app\nCOPY package.json ./\nRUN npm ci\nCOPY . .\nCMD {cmd}\n")
        };
        for cmd in [
            r#"["npm", "run", "storybook"]"#,
            r#"["npm", "run", "serve"]"#,
            r#"["npx", "bun", "run", "dev", "--", "--host"]"#,
            "yarn dev",
            "nodemon server.js",
        ] {
            assert_eq!(sl104(&file(cmd), json), 0, "{cmd}");
        }
        // the program itself, or a script that needs a devDependency but serves no
        // development (Flowise's `pnpm start`: `run-script-os`): still flagged
        for cmd in [r#"["npm", "start"]"#, r#"["node", "server.js"]"#, "npm run build-prod", "npx vite build"] {
            assert_eq!(sl104(&file(cmd), json), 1, "{cmd}");
        }
    }

    #[test]
    fn production_installs_pass() {
        for text in [
            "FROM node:20-slim\nRUN npm ci --omit=dev\n",
            "FROM node:20-slim\nENV NODE_ENV=production\nRUN npm ci\n",
            "FROM node:20-slim\nRUN npm ci && npm run build && npm prune --production\n",
            // the install's node_modules removed by the same RUN, from where it is or above
            "FROM node:20-slim\nRUN cd app && npm install && npm run build && cd .. && rm -fr app/node_modules\n",
            "FROM node:20-slim\nRUN cd /src/app && npm ci && npm run build && cp -r dist /srv && rm -rf /src\n",
            "FROM node:20-slim\nRUN npm install -g pm2\n",
            "FROM python:3.12-slim\nRUN pip install -r requirements.txt\n",
            "FROM python:3.12-slim\nRUN poetry install --only main\n",
            "FROM node:20 AS build\nRUN npm ci\nFROM node:20-slim\nCOPY --from=build /app /app\n",
        ] {
            assert!(lines("SL104", text).is_empty(), "{text}");
        }
    }
}
