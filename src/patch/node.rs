//! Node: the build stage on the original image installs all dependencies, runs the build
//! script and prunes the devDependencies; the runtime stage, on the slim variant, copies the
//! app folder (built output and production `node_modules`) where the build steps were.
//!
//! RUNs before the build that are not build steps run in both stages, so neither the build
//! nor the runtime loses what they did; a RUN mixing build steps with other work is refused.

use super::{Outcome, Plan, Rationale, Reason, RunKind as Run};
use crate::dockerfile::packages::{is_toolchain_package, node_install};
use crate::dockerfile::roles;
use crate::dockerfile::shell::{self, SimpleCommand};
use crate::dockerfile::{Dockerfile, Kind};
use crate::lint::rules::slim_variant;

fn build_step(c: &SimpleCommand) -> bool {
    let prog = c.program();
    node_install(c).is_some()
        || (matches!(prog, "npm" | "yarn" | "pnpm")
            && matches!(c.subcommand(), Some("run" | "run-script" | "build" | "prune" | "test")))
        || prog == "npx"
        || (prog == "node" && c.args().first().is_some_and(|a| a.ends_with(".js") || a.ends_with(".mjs")))
        || roles::installs_only(c, |p| is_toolchain_package(p) || matches!(p, "python3" | "git"))
        || roles::is_clean(c)
}

fn classify(script: &str) -> Run {
    super::classify_run(script, build_step)
}

/// The devDependency the program starts with, read from the build context's package.json:
/// what the CMD or ENTRYPOINT runs (`nodemon server.js`, `npx ts-node …`), or the programs
/// of the package script it runs (`npm start`, `npm run serve`, `yarn serve`). How it was
/// reached, and the package.
fn started_dev_dependency(stage: &crate::dockerfile::Stage, package_json: &str) -> Option<(String, String)> {
    let json: serde_json::Value = serde_json::from_str(package_json).ok()?;
    let devs = json.get("devDependencies")?.as_object()?;
    // a program's package: its own name, its scope's last part, or the few whose bin differs
    let dev_of = |program: &str| {
        let program = program.rsplit('/').next().unwrap_or(program);
        let known = match program {
            "tsc" | "tsserver" => "typescript",
            "vue-cli-service" => "@vue/cli-service",
            "ng" => "@angular/cli",
            "nest" => "@nestjs/cli",
            "remix-serve" => "@remix-run/serve",
            other => other,
        };
        devs.keys().find(|k| *k == known || k.rsplit('/').next() == Some(known)).cloned()
    };
    let start = stage.instructions.iter().rev().find(|i| matches!(i.kind, Kind::Cmd | Kind::Entrypoint))?;
    let words = start.command_words();
    let (first, rest) = words.split_first()?;
    let first = first.rsplit('/').next().unwrap_or(first);
    let script_name = match (first, rest.first().map(String::as_str)) {
        ("npm", Some("start")) | ("yarn" | "pnpm", Some("start")) => Some("start".to_owned()),
        ("npm" | "yarn" | "pnpm", Some("run" | "run-script")) => rest.get(1).cloned(),
        ("yarn" | "pnpm", Some(s)) if !s.starts_with('-') => Some(s.to_owned()),
        _ => None,
    };
    let Some(name) = script_name else {
        let program = if first == "npx" { rest.iter().find(|w| !w.starts_with('-'))? } else { first };
        return dev_of(program).map(|d| (format!("`{}`", words.join(" ")), d));
    };
    let script = json.get("scripts")?.get(&name)?.as_str()?;
    shell::parse(script)
        .commands
        .iter()
        .find_map(|c| dev_of(c.program()))
        .map(|d| (format!("`{} {}` runs `{script}`", first, rest.join(" ")), d))
}

/// The plan for a single-stage Node Dockerfile; `None` when it is not one.
pub fn plan(df: &Dockerfile, inputs: &super::Inputs) -> Option<Result<Plan, Outcome>> {
    let opening = match super::single_stage(df, inputs, |name, _, _| name == "node")? {
        Ok(o) => o,
        Err(outcome) => return Some(Err(outcome)),
    };
    let (stage, base) = (opening.stage, opening.base.as_str());
    // a global install (`npm install -g pm2`) lands in the image's prefix, outside the app
    // folder this rewrite copies: the build-and-install split copies the prefix
    let global =
        stage.instructions.iter().filter(|i| i.kind == Kind::Run).any(|i| {
            shell::parse(&i.script().unwrap_or_default()).commands.iter().any(super::install::installs_globally)
        });
    if global {
        return None;
    }
    let builds = match super::scan_builds(stage, classify, |_| None) {
        Ok(b) => b,
        Err(outcome) => return Some(Err(outcome)),
    };
    let Some(last_build) = builds.last else {
        return Some(Err(Outcome::Nothing("no install or build step: nothing to move out of the image".into())));
    };
    // the package manager: the one a RUN installs with
    let manager = stage
        .instructions
        .iter()
        .filter_map(|i| (i.kind == Kind::Run).then(|| i.script()).flatten())
        .find_map(|s| {
            shell::parse(&s).commands.iter().find(|c| node_install(c).is_some()).map(|c| c.program().to_owned())
        })
        .unwrap_or_else(|| "npm".into());
    let Some(slim) = slim_variant(base) else {
        return Some(Err(Outcome::Nothing(format!("`{base}` is already a slim image"))));
    };
    let app_dir = builds.workdir;
    if app_dir == "/" {
        return super::refuse(
            Reason::UnknownArtifact,
            format!(
                "line {}: the build runs in `/`: set a WORKDIR for the app so the runtime knows which folder to copy",
                stage.instructions[last_build].line
            ),
        );
    }
    let (build, runtime) = super::split_copying(df, stage, classify, last_build, &app_dir);
    // the program may start with a devDependency (`npm start` running `nodemon`): then the
    // devDependencies stay
    let started = inputs.package_json.as_deref().and_then(|json| started_dev_dependency(stage, json));
    let prune = match (started.is_some(), manager.as_str()) {
        (true, _) => "",
        (_, "yarn") => "RUN yarn install --production --ignore-scripts --prefer-offline\n",
        (_, "pnpm") => "RUN pnpm prune --prod\n",
        _ => "RUN npm prune --omit=dev\n",
    };
    let devs = match &started {
        Some((via, dep)) => {
            format!("the program starts with `{dep}` ({via}), a devDependency: the devDependencies stay")
        }
        None => "devDependencies are pruned before the app folder is copied into the runtime".into(),
    };
    let rationale = vec![
        Rationale::new("SL103", stage.line, format!("the runtime stage runs on `{slim}` instead of `{base}`")),
        Rationale::new("SL104", stage.line, devs),
        Rationale::new("SL102", stage.instructions[last_build].line, "installs and the build run in the build stage"),
    ];
    Some(Ok(Plan::new("node", df, stage, base, &slim, build, runtime, rationale).with("prune", prune)))
}

#[cfg(test)]
mod tests {
    use crate::patch::{suggest, Outcome as O, Templates};

    const EXAMPLE: &str = include_str!("../../examples/node/Dockerfile");

    #[test]
    fn node_example_rewrite() {
        let O::Patch(p) = suggest(EXAMPLE, "Dockerfile", &Default::default(), &Templates::built_in()) else {
            panic!("no patch")
        };
        assert_eq!(p.ecosystem, "node");
        let (build, runtime) = p.patched.split_once("AS runtime").unwrap();
        assert!(
            build.contains("FROM node:18 AS build\n")
                && build.contains("RUN npm run build\nRUN npm prune --omit=dev\n"),
            "{}",
            p.patched
        );
        assert!(p.patched.contains("FROM node:18-slim AS runtime\n"));
        assert!(runtime.contains("WORKDIR /app\nCOPY --from=build /app /app\nEXPOSE 3000"), "{runtime}");
        assert!(!runtime.contains("npm ci"));
        crate::patch::testing::answers(EXAMPLE, &p, &["SL103", "SL104", "SL102"]);
    }

    /// The program starts with a devDependency (`npm start` runs `nodemon`; `yarn serve`
    /// runs `vite preview`): the devDependencies stay. A global install is the split's.
    #[test]
    fn a_dev_dependency_the_program_starts_with_stays() {
        use crate::patch::Inputs;
        let t = Templates::built_in();
        let text = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"npm\", \"start\"]\n";
        let json = r#"{"scripts": {"start": "nodemon server.js"}, "devDependencies": {"nodemon": "^3"}}"#;
        let inputs = Inputs { package_json: Some(json.into()), ..Default::default() };
        let O::Patch(p) = suggest(text, "D", &inputs, &t) else { panic!() };
        assert!(!p.patched.contains("prune"), "{}", p.patched);
        assert!(p.rationale.iter().any(|r| r.message.contains("`nodemon`")), "{:?}", p.rationale);
        let vite = r#"{"scripts": {"serve": "vite preview --host"}, "devDependencies": {"vite": "^5"}}"#;
        let yarn =
            text.replace("npm ci", "yarn install && yarn build").replace("\"npm\", \"start\"", "\"yarn\", \"serve\"");
        let inputs = Inputs { package_json: Some(vite.into()), ..Default::default() };
        let O::Patch(p) = suggest(&yarn, "D", &inputs, &t) else { panic!() };
        assert!(!p.patched.contains("--production"), "{}", p.patched);
        // a dependency of its own: pruned as before
        let own = r#"{"scripts": {"start": "node server.js"}, "devDependencies": {"nodemon": "^3"}}"#;
        let inputs = Inputs { package_json: Some(own.into()), ..Default::default() };
        let O::Patch(p) = suggest(text, "D", &inputs, &t) else { panic!() };
        assert!(p.patched.contains("RUN npm prune --omit=dev"), "{}", p.patched);
        let global = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm install -g pm2\nCMD [\"pm2-runtime\", \"app.js\"]\n";
        let df = crate::dockerfile::Dockerfile::parse(global).unwrap();
        assert!(super::plan(&df, &Default::default()).is_none());
    }

    #[test]
    fn other_runs_stay_and_mixed_runs_are_refused() {
        let t = Templates::built_in();
        let text = "FROM node:20\nWORKDIR /srv\nRUN useradd -r app\nCOPY . .\nRUN yarn install && yarn build\nUSER app\nCMD [\"node\", \"index.js\"]\n";
        let O::Patch(p) = suggest(text, "D", &Default::default(), &t) else { panic!() };
        let (build, runtime) = p.patched.split_once("AS runtime").unwrap();
        assert!(
            build.contains("RUN useradd -r app") && runtime.contains("RUN useradd -r app"),
            "in both stages: {}",
            p.patched
        );
        assert!(build.contains("RUN yarn install --production --ignore-scripts --prefer-offline"));
        assert!(runtime.contains("COPY --from=build /srv /srv\nUSER app"));
        let O::Refused(why) = suggest(
            "FROM node:20\nWORKDIR /a\nRUN npm ci && node server.js --migrate && curl x\n",
            "D",
            &Default::default(),
            &t,
        ) else {
            panic!()
        };
        assert!(why.contains("line 3"), "{why}");
        assert!(matches!(
            suggest("FROM node:20-slim\nWORKDIR /a\nRUN npm ci\n", "D", &Default::default(), &t),
            O::Nothing(_)
        ));
    }
}
