//! Build arguments: global ARG defaults, BuildKit's automatic platform ARGs, and `$VAR`
//! substitution in image references and stage names.

use super::Instruction;

/// The global ARGs' defaults, in order. A default is expanded with the ARGs declared before it, as Docker does
/// (`ARG ZBX_VERSION=${MAJOR_VERSION}.5` after `ARG MAJOR_VERSION=7.0` is `7.0.5`).
pub fn global_arg_defaults(args: &[Instruction]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for kv in args.iter().flat_map(|a| a.pairs().iter()) {
        if let Some(v) = &kv.value {
            let v = substitute(v, &out);
            out.push((kv.key.clone(), v));
        }
    }
    out
}

/// The ARG and ENV values a stage's RUNs are given, walked instruction by instruction as
/// Docker gives them: a global ARG only where the stage declares it again (taking the global
/// default when it gives none), the stage's own ARGs with their defaults, its ENVs, and the
/// ENVs (not the ARGs) of what it is built FROM, handed in as `inherited`. Each value is read
/// with those before it; the last of a name wins.
pub struct StageValues<'a> {
    globals: &'a [(String, String)],
    /// Every value in force so far, in order.
    pub vars: Vec<(String, String)>,
    /// The ENV values alone: what a stage built FROM this one inherits.
    pub env: Vec<(String, String)>,
}

impl<'a> StageValues<'a> {
    pub fn new(globals: &'a [(String, String)], inherited: Vec<(String, String)>) -> StageValues<'a> {
        StageValues { globals, vars: inherited.clone(), env: inherited }
    }

    /// Take an instruction's ARG or ENV values in.
    pub fn take(&mut self, ins: &Instruction) {
        match ins.kind {
            super::Kind::Arg => {
                for kv in ins.pairs() {
                    let value = match &kv.value {
                        Some(v) => substitute(v, &self.vars),
                        None => match self.globals.iter().rev().find(|(k, _)| *k == kv.key) {
                            Some((_, v)) => v.clone(),
                            None => continue,
                        },
                    };
                    self.vars.push((kv.key.clone(), value));
                }
            }
            super::Kind::Env => {
                for kv in ins.pairs() {
                    let value = substitute(kv.value.as_deref().unwrap_or_default(), &self.vars);
                    self.vars.push((kv.key.clone(), value.clone()));
                    self.env.push((kv.key.clone(), value));
                }
            }
            _ => {}
        }
    }
}

/// The platforms BuildKit's automatic platform ARGs are resolved for, most common first:
/// what a build names when a stage name holds `$TARGETOS` or `$TARGETARCH`.
pub const PLATFORMS: &[&str] = &[
    "linux/amd64",
    "linux/arm64",
    "linux/arm/v7",
    "linux/arm/v6",
    "linux/386",
    "linux/ppc64le",
    "linux/s390x",
    "linux/riscv64",
    "windows/amd64",
    "windows/arm64",
    "darwin/amd64",
    "darwin/arm64",
    "freebsd/amd64",
    "freebsd/arm64",
    "netbsd/amd64",
    "openbsd/amd64",
];

/// BuildKit's automatic platform ARGs for one platform (`linux/arm/v7`), target and build
/// alike: `TARGETPLATFORM`, `TARGETOS`, `TARGETARCH`, `TARGETVARIANT`, and the `BUILD…` ones.
pub fn platform_args(platform: &str) -> Vec<(String, String)> {
    let mut parts = platform.split('/');
    let os = parts.next().unwrap_or_default();
    let arch = parts.next().unwrap_or_default();
    let variant = parts.next().unwrap_or_default();
    let mut out = Vec::new();
    for side in ["TARGET", "BUILD"] {
        out.push((format!("{side}PLATFORM"), platform.to_owned()));
        out.push((format!("{side}OS"), os.to_owned()));
        out.push((format!("{side}ARCH"), arch.to_owned()));
        out.push((format!("{side}VARIANT"), variant.to_owned()));
    }
    out
}

/// Whether BuildKit sets build argument `name` itself, whatever the Dockerfile's default: a
/// platform ARG ([`platform_args`]) or one of the predefined proxy ARGs.
pub fn set_by_buildkit(name: &str) -> bool {
    const PROXIES: &[&str] = &["HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY"];
    platform_args("linux/amd64").iter().any(|(k, _)| k == name) || PROXIES.contains(&name.to_ascii_uppercase().as_str())
}

/// The names a text writes (`[A-Za-z_][A-Za-z0-9_]*`): what a variable reference, an ARG or a
/// build file's `build-args` can name.
pub fn names_in(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
}

/// What a name holding BuildKit's automatic platform ARGs becomes on each of [`PLATFORMS`],
/// in that order, without repeats; empty when it names none of them.
pub fn platform_expansions(name: &str) -> Vec<String> {
    if !name.contains('$') || !(name.contains("TARGET") || name.contains("BUILD")) {
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    for p in PLATFORMS {
        let s = substitute(name, &platform_args(p));
        if s != name && !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// Substitute `$VAR`, `${VAR}`, `${VAR:-default}` and `${VAR-default}` from `defaults`.
/// Unknown variables without a default are left as written.
pub fn substitute(s: &str, defaults: &[(String, String)]) -> String {
    let lookup = |name: &str| defaults.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(inner) = after.strip_prefix('{') {
            let Some(close) = inner.find('}') else {
                out.push_str(&rest[i..]);
                return out;
            };
            let expr = &inner[..close];
            let (name, default) = match expr.split_once(":-").or_else(|| expr.split_once('-')) {
                Some((n, d)) => (n, Some(d)),
                None => (expr, None),
            };
            match lookup(name).or(default) {
                Some(v) => out.push_str(v),
                None => out.push_str(&rest[i..i + 2 + close + 1]),
            }
            rest = &inner[close + 1..];
        } else {
            let len = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
            match (len > 0).then(|| lookup(&after[..len])).flatten() {
                Some(v) => out.push_str(v),
                None => out.push_str(&rest[i..i + 1 + len]),
            }
            rest = &after[len..];
        }
    }
    out.push_str(rest);
    out
}

/// Whether the tag of a reference as written comes from a build argument: its last path
/// component holds a variable (`${BASE}`, `python:${PY}`, `img${SUFFIX}`), so the build
/// decides the tag and the ARG's default is a fallback.
pub fn tag_from_arg(written: &str) -> bool {
    written.rsplit('/').next().is_some_and(|last| last.contains('$'))
}

/// Whether the image name of a reference (its last path component, tag aside) comes from a
/// build argument: `${BASE}`, `${IMAGE}:1`; not `${REGISTRY}/ubuntu:20.04`.
pub fn name_from_arg(written: &str) -> bool {
    written.rsplit('/').next().and_then(|last| last.split([':', '@']).next()).is_some_and(|name| name.contains('$'))
}

#[cfg(test)]
mod tests {
    use super::{names_in, set_by_buildkit};

    /// The platform ARGs and the proxies (either case) are BuildKit's; a build's own are not.
    #[test]
    fn buildkit_sets_the_platform_and_proxy_args() {
        for n in ["TARGETPLATFORM", "TARGETARCH", "BUILDOS", "TARGETVARIANT", "HTTPS_PROXY", "no_proxy"] {
            assert!(set_by_buildkit(n), "{n}");
        }
        for n in ["DEBUG", "TARGET", "PLATFORM", "root_password"] {
            assert!(!set_by_buildkit(n), "{n}");
        }
    }

    #[test]
    fn names_are_runs_of_letters_digits_and_underscores() {
        let names: Vec<&str> = names_in("${root_password:+true} optional_packages=$X 9lives _ok").collect();
        assert_eq!(names, ["root_password", "true", "optional_packages", "X", "_ok"]);
    }
}
