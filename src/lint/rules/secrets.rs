//! ## What it does
//! Flags secrets passed through ARG and ENV. The name must look like a secret, as BuildKit's
//! `SecretsUsedInArgOrEnv` check says: a `_`-separated part that is `token`, `secret`,
//! `password`, `passwd`, `pword`, `key`, `apikey`, `auth`, `credential(s)`. Names with a
//! `public` part, or ending in `_VERSION`, `_URL`, `_FILE`, `_PATH`, `_DIR`, are not secrets.
//! Unlike BuildKit, the value is judged too:
//! - not secrets: a lowercase word under a name whose only secret-like part is `auth` (an
//!   authentication mode: `DOLI_AUTH=dolibarr`, `AUTH=ldap`), and such a name with `method`,
//!   `type`, `mode`, `backend`, `provider`, `scheme` or `plugin` beside it
//!   (`POSTGRES_HOST_AUTH_METHOD`)
//! - not secrets: empty values, placeholders (`0000…`, `**None**`, a value whose words say it
//!   is fake, a default or asks to be changed: `changeme`, `change-me-in-production`,
//!   `PLEASE_CHANGE_ME`, `DEFAULT_BAD_KEY`), versions, URLs, paths, booleans and numbers, and
//!   key ids and fingerprints (`0x…` too) under a GPG/PGP name (the official images publish
//!   `GPG_KEY` so that anyone can verify a download)
//! - secrets: any other literal, and `ENV X=$ARG`, which bakes a build argument into the
//!   image config
//! - an `ARG` without a default is a secret only when a RUN uses it: build arguments a RUN
//!   reads are kept in the image history (the fix is `RUN --mount=type=secret`)
//! - a known token shape (`ghp_…`, `github_pat_…`, `AKIA…`, `xox…-`, `glpat-…`, a JWT) is a
//!   secret under any name
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
    let not_a_value = ["version", "url", "file", "path", "dir", "home"];
    let auth_setting = only_auth(&parts) && parts.iter().any(|p| AUTH_SETTING.contains(&p.as_str()));
    parts.iter().any(|p| SECRET_PARTS.contains(&p.as_str()))
        && !parts.iter().any(|p| p == "public")
        && !parts.last().is_some_and(|l| not_a_value.contains(&l.as_str()))
        && !auth_setting
}

/// Words that, beside `auth`, make a name a setting of how to authenticate
/// (`POSTGRES_HOST_AUTH_METHOD`, `AUTH_TYPE`, `AUTH_BACKEND`), not a credential.
const AUTH_SETTING: &[&str] =
    &["method", "methods", "type", "mode", "backend", "backends", "provider", "scheme", "plugin"];

/// Whether `auth` is the name's only secret-like part: `auth` names a credential
/// (`BASIC_AUTH=user:pass`) as often as a mode (`DOLI_AUTH=dolibarr`, `AUTH=ldap`).
fn only_auth(parts: &[String]) -> bool {
    parts.iter().filter(|p| SECRET_PARTS.contains(&p.as_str())).all(|p| p == "auth")
}

/// A known token shape, whatever the name: what it is.
fn token_shape(value: &str) -> Option<&'static str> {
    let v = value.trim_matches(['"', '\'']);
    let tail_ok = |t: &str, n: usize| t.len() >= n && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"].iter().any(|p| v.strip_prefix(p).is_some_and(|t| tail_ok(t, 30))) {
        return Some("a GitHub token");
    }
    if v.strip_prefix("github_pat_").is_some_and(|t| tail_ok(t, 30)) {
        return Some("a GitHub token");
    }
    if v.len() == 20 && v.starts_with("AKIA") && v[4..].chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
        return Some("an AWS access key id");
    }
    if ["xoxb-", "xoxp-", "xoxa-", "xoxr-"].iter().any(|p| v.starts_with(p)) && v.len() > 20 {
        return Some("a Slack token");
    }
    if v.strip_prefix("glpat-").is_some_and(|t| t.len() >= 20) {
        return Some("a GitLab token");
    }
    if v.starts_with("eyJ") && v.split('.').count() == 3 && v.len() > 40 {
        return Some("a JWT");
    }
    None
}

/// Why a value under a secret-like name is not a secret, if it is not.
fn harmless(name: &str, value: &str) -> Option<&'static str> {
    let v = value.trim().trim_matches(['"', '\'']);
    let lower = v.to_ascii_lowercase();
    if v.is_empty() {
        return Some("empty");
    }
    let alnum: std::collections::BTreeSet<char> = v.chars().filter(char::is_ascii_alphanumeric).collect();
    // the word itself, whatever marks it as one (`**None**`, `<none>`, `__CHANGEME__`)
    let bare = lower.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    if alnum.len() <= 2
        || ["changeme", "change-me", "change_me", "secret", "password", "example", "xxx", "todo", "none", "null"]
            .contains(&bare)
        || (v.starts_with('<') && v.ends_with('>'))
        || lower.starts_with("your")
        || asks_to_be_replaced(&lower)
    {
        return Some("a placeholder");
    }
    if v.contains("://") {
        return Some("a URL");
    }
    if !v.contains(char::is_whitespace) && v.contains('/') {
        return Some("a path");
    }
    if matches!(lower.as_str(), "true" | "false" | "yes" | "no" | "on" | "off") || v.chars().all(|c| c.is_ascii_digit())
    {
        return Some("a flag or a number");
    }
    let version = v.trim_start_matches('v');
    if version.starts_with(|c: char| c.is_ascii_digit())
        && version.contains('.')
        && version.chars().all(|c| c.is_ascii_alphanumeric() || ".-+_".contains(c))
    {
        return Some("a version");
    }
    let parts: Vec<String> = name.split('_').map(str::to_ascii_lowercase).collect();
    let word = v.len() <= 20
        && v.starts_with(|c: char| c.is_ascii_lowercase())
        && v.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if only_auth(&parts) && word {
        // a lowercase word under an `auth` name is the way to authenticate: `ldap`, `trust`,
        // `md5`, `scram-sha-256`, Dolibarr's `dolibarr`
        return Some("an authentication mode");
    }
    let upper = name.to_ascii_uppercase();
    // key ids and fingerprints, with or without `0x` (rabbitmq's `RABBITMQ_PGP_KEY_ID=0x0A9A…`)
    let hex = v
        .split_whitespace()
        .map(|w| w.strip_prefix("0x").unwrap_or(w))
        .all(|w| w.len() >= 8 && w.chars().all(|c| c.is_ascii_hexdigit()));
    if hex && (upper.contains("GPG") || upper.contains("PGP") || upper.contains("FINGERPRINT")) {
        return Some("a key fingerprint");
    }
    None
}

/// Whether a value says it is a placeholder in its own words, wherever they stand: it is
/// fake, a dummy, a sample, a default (openwisp's `DEFAULT_BAD_KEY`), or asks to be changed (doccano's `change-me-in-production`,
/// kitchenowl's `PLEASE_CHANGE_ME`, `replace_me_with_a_long_random_string`, `set-this`). The
/// words are the value's runs of letters and digits; a generated secret has none of them.
fn asks_to_be_replaced(lower: &str) -> bool {
    const SAYS: &[&str] = &["changeme", "replaceme", "placeholder", "dummy", "fake", "sample", "example", "default"];
    let words: Vec<&str> = lower.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    words.iter().any(|w| SAYS.contains(w))
        || words
            .windows(2)
            .any(|p| matches!(p[0], "change" | "replace" | "set" | "update") && matches!(p[1], "me" | "this" | "it"))
}

/// Whether a RUN of the file reads `$name` / `${name}`.
fn used_in_run(ctx: &Ctx, name: &str) -> bool {
    let (plain, braced) = (format!("${name}"), format!("${{{name}}}"));
    ctx.df.stages.iter().flat_map(|s| ctx.runs(s)).any(|(ins, _)| {
        ins.script().is_some_and(|t| {
            t.contains(&braced)
                || t.match_indices(&plain)
                    .any(|(i, m)| !t[i + m.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
        })
    })
}

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    let mut report = |ins: &Instruction, stage: Option<&Stage>| {
        for kv in ins.pairs() {
            let kw = ins.kind.as_str();
            let value = kv.value.as_deref();
            let fix = format!(
                "pass it with `RUN --mount=type=secret,id={}` and `docker build --secret`",
                kv.key.to_ascii_lowercase()
            );
            let msg = if let Some(shape) = value.and_then(token_shape) {
                format!("`{kw} {}` holds {shape}: {kw} values end up in the image metadata or build history", kv.key)
            } else if !is_secret_name(&kv.key) || ctx.config.nothing_ships.is_some() {
                // an image nothing ships keeps its metadata to itself: only a token written
                // into the file (a leak in the repository already) is said
                continue;
            } else {
                match (ins.kind, value) {
                    // an ARG without a value leaks only when a RUN reads it
                    (Kind::Arg, None) if used_in_run(ctx, &kv.key) => format!(
                        "`ARG {}` is read by a RUN: build arguments a RUN uses are kept in the image history",
                        kv.key
                    ),
                    (Kind::Arg, None) => continue,
                    // an ARG's default is in the history only when a RUN reads it, as a value
                    // passed at build time is
                    (Kind::Arg, Some(_)) if !used_in_run(ctx, &kv.key) => continue,
                    (_, Some(v)) if v.trim_start().starts_with('$') => format!(
                        "`{kw} {}={v}` copies a variable into the image: {kw} values end up in the image metadata or build history",
                        kv.key
                    ),
                    (_, Some(v)) if harmless(&kv.key, v).is_some() => continue,
                    _ => format!(
                        "`{kw} {}` looks like a secret: {kw} values end up in the image metadata or build history",
                        kv.key
                    ),
                }
            };
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
        assert_eq!(
            lines(
                "SL110",
                "ARG GITHUB_TOKEN\nFROM a:1\nENV DB_PASSWORD=s3cr3tpass API_URL=y\nRUN echo $GITHUB_TOKEN > /t\n"
            ),
            vec![1, 3]
        );
        for n in ["AWS_SECRET_ACCESS_KEY", "NPM_TOKEN", "password", "SSH_KEY"] {
            assert!(is_secret_name(n), "{n}");
        }
    }

    /// An ARG's default reaches the image history only through a RUN that reads it; a value
    /// that says it is fake is a placeholder.
    #[test]
    fn an_arg_default_no_run_reads_and_fake_values_pass() {
        let flagged = |text: &str| !lines("SL110", &format!("FROM a:1\n{text}\n")).is_empty();
        assert!(!flagged("ARG AWS_SECRET_ACCESS_KEY=k8Jd72hsQ0pLm3\nRUN make"));
        assert!(flagged(
            "ARG AWS_SECRET_ACCESS_KEY=k8Jd72hsQ0pLm3\nRUN aws s3 cp --secret $AWS_SECRET_ACCESS_KEY s3://b ."
        ));
        assert!(!flagged("ENV API_TOKEN=FAKE_TO_GENERATE_WARNING_OUTPUT"));
        assert!(!flagged("ENV DB_PASSWORD=dummy-password"));
        // a token written into the file is said even when the ARG is unused
        assert!(flagged("ARG CI_KEY=AKIAIOSFODNN7EXAMPLE"));
    }

    /// The real files' cases: what is flagged and what is not, by value.
    #[test]
    fn values_decide() {
        let flagged = |text: &str| !lines("SL110", &format!("FROM a:1\n{text}\n")).is_empty();
        // a real-looking literal, a weak literal, a build arg baked into ENV, a token anywhere
        assert!(flagged("ENV LICENSE_KEY lgNvGyhnUKpa5PJi"));
        assert!(flagged("ENV MYSQL_ROOT_PASSWORD=hunter2"));
        // `auth` as a credential: a pair or a token, not a mode's word
        assert!(flagged("ENV BASIC_AUTH=admin:s3cret"));
        assert!(flagged("ENV PROXY_AUTH=Zm9vOmJhcg"));
        assert!(flagged("ARG NPM_TOKEN\nENV NPM_TOKEN=$NPM_TOKEN"));
        assert!(flagged("ENV X=ghp_0123456789abcdefghijABCDEFGHIJ012345"));
        assert!(flagged("ARG CI_KEY=AKIAIOSFODNN7EXAMPLE"));
        // an ARG without a default: only when a RUN reads it
        assert!(flagged("ARG NPM_TOKEN\nRUN echo \"//r/:_authToken=${NPM_TOKEN}\" > .npmrc"));
        assert!(!flagged("ARG NPM_TOKEN"));
        assert!(!flagged("ARG NPM_TOKEN\nRUN echo $NPM_TOKEN_FILE"));
        // official images' fingerprints, versions, paths, placeholders, empty values
        for text in [
            "ENV GPG_KEY A035C8C19219BA821ECEA86B64E628F8D684696D",
            "ARG GPG_KEY=586EFEF859AF2DB190D84080BDB2011E173C31A2",
            "ENV GPG_KEYS 7169605F62C751356D054A26A821E680E5FA6305 1729F83938DA44E27BA0F4D3DBDB397470D12172",
            "ENV DOCKER_AUTH_VERSION 1.5.0",
            "ENV AUTH_TOKEN_URL https://example.com/token",
            "ENV NGROK_CA_KEY assets/client/tls/ngrokroot.key",
            "ENV MTP_SECRET 00000000000000000000000000000000",
            "ENV KEY=FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000000000000000000000000000",
            "ENV TOKEN=00000000-0000-0000-0000-000000000000",
            "ENV PASSWORD=",
            "ENV API_KEY=changeme",
            "ENV SECRET_KEY=\"change-me-in-production\"",
            "ENV DJANGO_SECRET_KEY=replace_me_with_a_long_random_string",
            "ENV JWT_SECRET_KEY='PLEASE_CHANGE_ME'",
            "ENV APP_SECRET=please-set-this-in-production",
            "ENV API_TOKEN=my_fake_token",
            "ENV USE_AUTH=true",
            "ENV DOLI_AUTH=dolibarr",
            "ENV RABBITMQ_PGP_KEY_ID=0x0A9AF2115F4687BD29803A206B73A36E6026DFCA",
            "ENV OPENVPN_USERNAME=**None** OPENVPN_PASSWORD=**None**",
            "ENV DJANGO_SECRET_KEY=DEFAULT_BAD_KEY",
            "ENV POSTGRES_HOST_AUTH_METHOD=trust",
            "ENV AUTH_TYPE=Basic",
        ] {
            assert!(!flagged(text), "{text}");
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
