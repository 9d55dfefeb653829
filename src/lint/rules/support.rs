//! Path helpers and message formatting shared by rules. What commands install lives in
//! `crate::dockerfile::packages`.

pub use crate::dockerfile::resolve_path as absolute;

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
