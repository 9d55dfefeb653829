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

/// The plan for a single-stage Node Dockerfile; `None` when it is not one.
pub fn plan(df: &Dockerfile, inputs: &super::Inputs) -> Option<Result<Plan, Outcome>> {
    let opening = match super::single_stage(df, inputs, |name, _, _| name == "node")? {
        Ok(o) => o,
        Err(outcome) => return Some(Err(outcome)),
    };
    let (stage, base) = (opening.stage, opening.base.as_str());
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
    let prune = match manager.as_str() {
        "yarn" => "RUN yarn install --production --ignore-scripts --prefer-offline\n",
        "pnpm" => "RUN pnpm prune --prod\n",
        _ => "RUN npm prune --omit=dev\n",
    };
    let rationale = vec![
        Rationale::new("SL103", stage.line, format!("the runtime stage runs on `{slim}` instead of `{base}`")),
        Rationale::new(
            "SL104",
            stage.line,
            "devDependencies are pruned before the app folder is copied into the runtime",
        ),
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
