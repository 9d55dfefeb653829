//! ## What it does
//! Flags ARG and ENV names that look like secrets, as BuildKit's `SecretsUsedInArgOrEnv`
//! check does: a `_`-separated part that is `token`, `secret`, `password`, `passwd`, `pword`,
//! `key`, `apikey`, `auth`, `credential(s)` (names with a `public` part are fine).
//!
//! ## Why it matters
//! ENV values are stored in the image config; ARG values used by a RUN are recorded in
//! `docker history` and the build cache. Anyone who can pull the image can read them.
//!
//! ## Example
//! ```dockerfile
//! FROM node:20-slim
//! ARG NPM_TOKEN
//! RUN echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > .npmrc && npm ci
//! ```
//!
//! ## Fix
//! Pass it as a build secret: `RUN --mount=type=secret,id=npm_token NPM_TOKEN=$(cat
//! /run/secrets/npm_token) npm ci`, with `docker build --secret id=npm_token,env=NPM_TOKEN`.

use crate::dockerfile::{Instruction, Kind, Stage};
use crate::lint::{Ctx, Hit};

const SECRET_PARTS: &[&str] =
    &["apikey", "auth", "credential", "credentials", "key", "password", "pword", "passwd", "secret", "token"];

pub fn is_secret_name(name: &str) -> bool {
    let parts: Vec<String> = name.split('_').map(str::to_ascii_lowercase).collect();
    parts.iter().any(|p| SECRET_PARTS.contains(&p.as_str())) && !parts.iter().any(|p| p == "public")
}

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    let mut report = |ins: &Instruction, stage: Option<&Stage>| {
        for kv in ins.pairs().iter().filter(|kv| is_secret_name(&kv.key)) {
            let kw = ins.kind.as_str();
            let msg = format!(
                "`{kw} {}` looks like a secret: {kw} values end up in the image metadata or build history",
                kv.key
            );
            let fix = format!(
                "pass it with `RUN --mount=type=secret,id={}` and `docker build --secret`",
                kv.key.to_ascii_lowercase()
            );
            let hit = match stage {
                Some(s) => Hit::on(ins, s, msg),
                None => Hit { stage: None, ..Hit::on(ins, &ctx.df.stages[0], msg) },
            };
            out.push(hit.fix(fix));
        }
    };
    for ins in &ctx.df.global_args {
        report(ins, None);
    }
    for stage in &ctx.df.stages {
        for ins in stage.instructions.iter().filter(|i| matches!(i.kind, Kind::Arg | Kind::Env)) {
            report(ins, Some(stage));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_secret_name;
    use crate::lint::rules::testing::lines;

    #[test]
    fn flags_secret_names() {
        assert_eq!(lines("SL110", "ARG GITHUB_TOKEN\nFROM a:1\nENV DB_PASSWORD=x API_URL=y\n"), vec![1, 3]);
        for n in ["AWS_SECRET_ACCESS_KEY", "NPM_TOKEN", "password", "SSH_KEY"] {
            assert!(is_secret_name(n), "{n}");
        }
    }

    #[test]
    fn ordinary_names_pass() {
        for n in ["PUBLIC_KEY", "TOKENIZER_MODEL", "KEYBOARD", "PATH", "NODE_ENV"] {
            assert!(!is_secret_name(n), "{n}");
        }
        assert!(lines("SL110", "FROM a:1\nENV PYTHONUNBUFFERED=1\nARG VERSION\n").is_empty());
    }
}
