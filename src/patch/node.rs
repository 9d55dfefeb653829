//! Node: the build stage on the original image installs all dependencies, runs the build
//! script and prunes the devDependencies; the runtime stage, on the slim variant, copies the
//! app folder (built output and production `node_modules`) where the build steps were.
//!
//! RUNs before the build that are not build steps run in both stages, so neither the build
//! nor the runtime loses what they did; a RUN mixing build steps with other work is refused.
//!
//! Browsers the program drives are the runtime's: Puppeteer's Chrome, which the install
//! downloads outside the app folder, is copied too ([`puppeteer_cache`]); Playwright's install
//! runs in the runtime after the app arrives. A devDependency the image runs (its start, a
//! shell's `npx prisma migrate deploy`, that Playwright) keeps the devDependencies unpruned.

use super::{Outcome, Plan, Rationale, Reason, RunKind as Run};
use crate::dockerfile::packages::{is_toolchain_package, node_install};
use crate::dockerfile::roles;
use crate::dockerfile::shell::{self, SimpleCommand};
use crate::dockerfile::{Dockerfile, Kind};
use crate::lint::rules::slim_variant;

fn build_step(c: &SimpleCommand) -> bool {
    let prog = c.program();
    // Playwright's browsers (and, with `--with-deps`, their system libraries) are the
    // runtime's: installed where the program runs, not in the build stage it leaves behind
    if roles::installs_browsers(c) {
        return false;
    }
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

/// Where Puppeteer's install puts the Chrome it downloads, outside the app folder the
/// runtime copies: a `puppeteer` dependency of the package.json downloads it into
/// PUPPETEER_CACHE_DIR, else the home's `.cache/puppeteer` (the build stage runs as root).
/// `None` when nothing is downloaded (no such dependency, PUPPETEER_SKIP_DOWNLOAD), or it
/// lands in the app folder. Refused when the program runs as another user, whose home
/// Puppeteer would look in.
pub(super) fn puppeteer_cache(
    stage: &crate::dockerfile::Stage,
    json: Option<&serde_json::Value>,
    app_dir: Option<&str>,
) -> Result<Option<String>, Outcome> {
    let depends = json.and_then(|j| j.get("dependencies")?.get("puppeteer")).is_some();
    let installs = stage.instructions.iter().filter(|i| i.kind == Kind::Run).any(|i| {
        shell::parse(&i.script().unwrap_or_default()).commands.iter().any(|c| {
            node_install(c).is_some() && c.args().iter().any(|a| a == "puppeteer" || a.starts_with("puppeteer@"))
        })
    });
    if !depends && !installs {
        return Ok(None);
    }
    let env = |key: &str| {
        stage
            .instructions
            .iter()
            .filter(|i| i.kind == Kind::Env)
            .flat_map(|i| i.pairs())
            .rfind(|kv| kv.key == key)
            .and_then(|kv| kv.value.clone())
    };
    let skip = ["PUPPETEER_SKIP_DOWNLOAD", "PUPPETEER_SKIP_CHROMIUM_DOWNLOAD"]
        .iter()
        .any(|k| env(k).is_some_and(|v| matches!(v.as_str(), "true" | "1")));
    if skip {
        return Ok(None);
    }
    let dir = match env("PUPPETEER_CACHE_DIR") {
        Some(d) if d.starts_with('/') && !d.contains('$') => d.trim_end_matches('/').to_owned(),
        Some(d) => {
            return Err(Outcome::refused(
                Reason::UnknownArtifact,
                format!("PUPPETEER_CACHE_DIR (`{d}`) names no absolute folder, so where Puppeteer puts Chrome is not known; give it one and ask again"),
            ))
        }
        None => "/root/.cache/puppeteer".to_owned(),
    };
    if app_dir.is_some_and(|app| crate::dockerfile::within(&dir, app)) {
        return Ok(None);
    }
    let user = stage.instructions.iter().rfind(|i| i.kind == Kind::User);
    if let Some(u) =
        user.filter(|u| !matches!(u.words().first().map(|w| w.split(':').next().unwrap_or(w)), Some("root" | "0")))
    {
        if dir.starts_with("/root/") {
            return Err(Outcome::refused(
                Reason::UnknownArtifact,
                format!(
                    "line {}: the program runs as another user, whose home Puppeteer looks for Chrome in, and the build stage downloads it into root's; set PUPPETEER_CACHE_DIR to a folder of its own and ask again",
                    u.line
                ),
            ));
        }
    }
    Ok(Some(dir))
}

/// The devDependency whose Playwright a browser install of the stage runs (`npx playwright
/// install` with `@playwright/test` among the devDependencies): the runtime runs it after the
/// app arrives, and a pruned Playwright would be fetched anew, of another version.
fn browsers_from_dev(stage: &crate::dockerfile::Stage, json: &serde_json::Value) -> Option<(String, String)> {
    let devs = json.get("devDependencies")?.as_object()?;
    let dep = ["playwright", "@playwright/test"].into_iter().find(|d| devs.contains_key(*d))?;
    let run = stage
        .instructions
        .iter()
        .filter(|i| i.kind == Kind::Run)
        .find(|i| shell::parse(&i.script().unwrap_or_default()).commands.iter().any(roles::installs_browsers))?;
    Some((format!("line {}'s browser install runs it", run.line), dep.to_owned()))
}

/// The devDependency the program starts with, read from the build context's package.json:
/// what the CMD or ENTRYPOINT runs (`nodemon server.js`, `npx ts-node …`), or the programs
/// of the package script it runs (`npm start`, `npm run serve`, `yarn serve`). How it was
/// reached, and the package.
fn started_dev_dependency(stage: &crate::dockerfile::Stage, json: &serde_json::Value) -> Option<(String, String)> {
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
    // each command the start runs: a shell's inline script (`sh -c "npx prisma migrate deploy
    // && node dist/main.js"`) runs several
    // (the words are the shell's split of them all, so the script is what follows `-c`)
    let commands: Vec<Vec<String>> = match words.first().map(|w| w.rsplit('/').next().unwrap_or(w)) {
        Some("sh" | "bash") => {
            let at = words.iter().position(|w| w == "-c")?;
            shell::parse(&words[at + 1..].join(" ")).commands.into_iter().map(|c| c.effective().to_vec()).collect()
        }
        _ => vec![words],
    };
    commands.iter().find_map(|words| {
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
    })
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
    let (build, mut runtime) = super::split_copying(df, stage, classify, last_build, &app_dir);
    let (_, build_name, _) = super::stage_names(df, stage);
    // the context's package.json, read once
    let json: Option<serde_json::Value> = inputs.package_json.as_deref().and_then(|j| serde_json::from_str(j).ok());
    let chrome = match puppeteer_cache(stage, json.as_ref(), Some(&app_dir)) {
        Ok(c) => c,
        Err(outcome) => return Some(Err(outcome)),
    };
    let copy = format!("COPY --from={build_name} {app_dir} {app_dir}");
    if let Some(dir) = &chrome {
        let at = runtime.iter().position(|l| *l == copy).map_or(runtime.len(), |p| p + 1);
        runtime.insert(at, format!("COPY --from={build_name} {dir} {dir}"));
    }
    // a browser install before the build runs in the runtime after the app arrives: its
    // Playwright is the app's, whose browsers' revision it must match
    if let Some(at) = runtime.iter().position(|l| *l == copy) {
        let browsers = |l: &String| {
            let own: Vec<&str> = l.lines().filter(|x| !x.trim_start().starts_with('#')).collect();
            own.join("\n")
                .strip_prefix("RUN ")
                .is_some_and(|script| shell::parse(script).commands.iter().any(roles::installs_browsers))
        };
        let moved: Vec<String> = runtime[..at].iter().filter(|l| browsers(l)).cloned().collect();
        if !moved.is_empty() {
            runtime.retain(|l| !moved.contains(l));
            let after = runtime.iter().position(|l| *l == copy).map_or(runtime.len(), |p| p + 1);
            for (k, line) in moved.into_iter().enumerate() {
                runtime.insert(after + k, line);
            }
        }
    }
    // the program may start with a devDependency (`npm start` running `nodemon`): then the
    // devDependencies stay
    let started =
        json.as_ref().and_then(|json| started_dev_dependency(stage, json).or_else(|| browsers_from_dev(stage, json)));
    let prune = match (started.is_some(), manager.as_str()) {
        (true, _) => "",
        (_, "yarn") => "RUN yarn install --production --ignore-scripts --prefer-offline\n",
        (_, "pnpm") => "RUN pnpm prune --prod\n",
        _ => "RUN npm prune --omit=dev\n",
    };
    let devs = match &started {
        Some((via, dep)) => {
            format!("`{dep}` is a devDependency the image runs ({via}): the devDependencies stay")
        }
        None => "devDependencies are pruned before the app folder is copied into the runtime".into(),
    };
    let mut rationale = vec![
        Rationale::new("SL103", stage.line, format!("the runtime stage runs on `{slim}` instead of `{base}`")),
        Rationale::new("SL104", stage.line, devs),
        Rationale::new("SL102", stage.instructions[last_build].line, "installs and the build run in the build stage"),
    ];
    if let Some(dir) = chrome {
        rationale.push(Rationale::new(
            "SL102",
            stage.instructions[last_build].line,
            format!(
                "Puppeteer's install downloads Chrome into `{dir}`, outside the app folder: the runtime copies it too"
            ),
        ));
    }
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
        // one of the commands a shell runs at start
        let prisma = r#"{"dependencies": {"@prisma/client": "5"}, "devDependencies": {"prisma": "5"}}"#;
        let migrate = text.replace(
            "CMD [\"npm\", \"start\"]",
            "CMD [\"sh\", \"-c\", \"npx prisma migrate deploy && node dist/main.js\"]",
        );
        let inputs = Inputs { package_json: Some(prisma.into()), ..Default::default() };
        let O::Patch(p) = suggest(&migrate, "D", &inputs, &t) else { panic!() };
        assert!(!p.patched.contains("prune"), "{}", p.patched);
        // a dependency of its own: pruned as before
        let own = r#"{"scripts": {"start": "node server.js"}, "devDependencies": {"nodemon": "^3"}}"#;
        let inputs = Inputs { package_json: Some(own.into()), ..Default::default() };
        let O::Patch(p) = suggest(text, "D", &inputs, &t) else { panic!() };
        assert!(p.patched.contains("RUN npm prune --omit=dev"), "{}", p.patched);
        let global = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm install -g pm2\nCMD [\"pm2-runtime\", \"app.js\"]\n";
        let df = crate::dockerfile::Dockerfile::parse(global).unwrap();
        assert!(super::plan(&df, &Default::default()).is_none());
    }

    /// Browsers the install downloads outside the app folder reach the runtime: Puppeteer's
    /// Chrome is copied from root's cache (or PUPPETEER_CACHE_DIR); Playwright's install runs
    /// in the runtime, after the app whose Playwright it is.
    #[test]
    fn the_browsers_an_install_downloads_reach_the_runtime() {
        use crate::patch::Inputs;
        let t = Templates::built_in();
        let text =
            "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nCMD [\"node\", \"index.js\"]\n";
        let json = r#"{"dependencies": {"puppeteer": "^22"}}"#;
        let inputs = Inputs { package_json: Some(json.into()), ..Default::default() };
        let O::Patch(p) = suggest(text, "D", &inputs, &t) else { panic!() };
        assert!(
            p.patched.contains(
                "COPY --from=build /app /app\nCOPY --from=build /root/.cache/puppeteer /root/.cache/puppeteer\n"
            ),
            "{}",
            p.patched
        );
        let told = text.replace("WORKDIR /app\n", "WORKDIR /app\nENV PUPPETEER_CACHE_DIR=/opt/chrome\n");
        let O::Patch(p) = suggest(&told, "D", &inputs, &t) else { panic!() };
        assert!(p.patched.contains("COPY --from=build /opt/chrome /opt/chrome"), "{}", p.patched);
        let skipped = text.replace("WORKDIR /app\n", "WORKDIR /app\nENV PUPPETEER_SKIP_DOWNLOAD=true\n");
        let O::Patch(p) = suggest(&skipped, "D", &inputs, &t) else { panic!() };
        assert!(!p.patched.contains("puppeteer"), "{}", p.patched);
        // the program runs as another user, who looks in a home of its own
        let user = text.replace("CMD", "USER node\nCMD");
        let O::Refused(why) = suggest(&user, "D", &inputs, &t) else { panic!() };
        assert!(why.contains("line 6: the program runs as another user"), "{}", why.message);
        // without the dependency nothing more is copied
        let O::Patch(p) = suggest(text, "D", &Default::default(), &t) else { panic!() };
        assert!(!p.patched.contains(".cache"), "{}", p.patched);
        let pw = "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nRUN npx playwright install --with-deps chromium\nCOPY . .\nRUN npm run build\nCMD [\"node\", \"dist/index.js\"]\n";
        let O::Patch(p) = suggest(pw, "D", &Default::default(), &t) else { panic!() };
        let runtime = p.patched.split_once("AS runtime\n").unwrap().1;
        assert!(
            runtime.contains("COPY --from=build /app /app\nRUN npx playwright install --with-deps chromium\nCMD"),
            "{runtime}"
        );
        assert!(p.patched.contains("prune"), "{}", p.patched);
        // a Playwright among the devDependencies stays for that install
        let dev = r#"{"devDependencies": {"@playwright/test": "^1.45"}}"#;
        let inputs = Inputs { package_json: Some(dev.into()), ..Default::default() };
        let O::Patch(p) = suggest(pw, "D", &inputs, &t) else { panic!() };
        assert!(!p.patched.contains("prune"), "{}", p.patched);
        assert!(
            p.rationale.iter().any(|r| r
                .message
                .contains("`@playwright/test` is a devDependency the image runs (line 5's browser install runs it)")),
            "{:?}",
            p.rationale
        );
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
