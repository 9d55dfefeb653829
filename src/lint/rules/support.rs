//! Path helpers and message formatting shared by rules. What commands install lives in
//! `crate::dockerfile::packages`.

pub use crate::dockerfile::resolve_path as absolute;

/// Whether `a` and `b` overlap: one is `b` itself or under it, or the other way round.
pub fn overlaps(a: &str, b: &str) -> bool {
    let under = |x: &str, y: &str| x == y || y == "/" || x.strip_prefix(y).is_some_and(|r| r.starts_with('/'));
    under(a, b) || under(b, a)
}

/// A script of the build context a RUN runs: the path the image has it at, its text parsed,
/// and whether the RUN gives it arguments (`upgrade_commands.sh update-packages`), which may
/// choose what it does.
pub struct ContextScript<'c> {
    pub path: &'c str,
    pub script: crate::dockerfile::shell::Script,
    pub with_arguments: bool,
}

/// The scripts of the build context a RUN's `script` runs (`bash /usr/local/bin/build.sh`,
/// `./clean.sh`), as the configuration read them ([`crate::lint::LintConfig::run_scripts`]).
pub fn context_scripts<'c>(
    ctx: &'c crate::lint::Ctx,
    script: &crate::dockerfile::shell::Script,
) -> Vec<ContextScript<'c>> {
    let mut out = Vec::new();
    for c in &script.commands {
        let Some(name) = crate::dockerfile::roles::runs_script(c) else { continue };
        let words = c.effective();
        let with_arguments = words.iter().position(|w| w == name).is_none_or(|at| at + 1 < words.len());
        let name = name.trim_start_matches("./");
        for (path, text) in &ctx.config.run_scripts {
            if path == name || path.ends_with(&format!("/{name}")) {
                out.push(ContextScript {
                    path: path.as_str(),
                    script: crate::dockerfile::shell::parse(text),
                    with_arguments,
                });
            }
        }
    }
    out
}

/// Join names for a message: `a`, `b` and `c`.
pub fn list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(absolute("/app", "./a/../b"), "/app/b");
        assert!(overlaps("/app/x", "/app") && overlaps("/app", "/app/x") && !overlaps("/apple", "/app"));
    }
}
