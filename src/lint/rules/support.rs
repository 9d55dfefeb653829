//! Path helpers and message formatting shared by rules. What commands install lives in
//! `crate::dockerfile::packages`.

/// Resolve `path` against the working directory, normalising `.` and `..`.
pub fn absolute(workdir: &str, path: &str) -> String {
    let joined =
        if path.starts_with('/') { path.to_owned() } else { format!("{}/{}", workdir.trim_end_matches('/'), path) };
    let mut parts: Vec<&str> = Vec::new();
    for p in joined.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// Whether `a` and `b` overlap: one is `b` itself or under it, or the other way round.
pub fn overlaps(a: &str, b: &str) -> bool {
    let under = |x: &str, y: &str| x == y || y == "/" || x.strip_prefix(y).is_some_and(|r| r.starts_with('/'));
    under(a, b) || under(b, a)
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
