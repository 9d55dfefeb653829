//! Unified diffs of a Dockerfile and its rewrite (through the `similar` crate).

/// `--- a/<name>` / `+++ b/<name>` unified diff with three lines of context.
pub fn unified(name: &str, original: &str, patched: &str) -> String {
    similar::TextDiff::from_lines(original, patched)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

/// Apply a unified diff produced by [`unified`] to `original` (used by tests to prove every
/// emitted patch applies cleanly).
pub fn apply(original: &str, diff: &str) -> Option<String> {
    let old: Vec<&str> = original.split_inclusive('\n').collect();
    let mut out = String::with_capacity(original.len());
    let mut at = 0usize; // next old line to copy
    let mut lines = diff.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        let Some(rest) = line.strip_prefix("@@ -") else { continue };
        let start: usize = rest.split([',', ' ']).next()?.parse().ok()?;
        let start = start.saturating_sub(1); // 1-based, and 0 for an empty original
        while at < start {
            out.push_str(old.get(at)?);
            at += 1;
        }
        while let Some(l) = lines.peek() {
            if l.starts_with("@@") {
                break;
            }
            let l = lines.next()?;
            match l.chars().next() {
                Some(' ') => {
                    if old.get(at)?.trim_end_matches(['\n', '\r']) != l[1..].trim_end_matches(['\n', '\r']) {
                        return None;
                    }
                    out.push_str(old.get(at)?);
                    at += 1;
                }
                Some('-') => {
                    if old.get(at)?.trim_end_matches(['\n', '\r']) != l[1..].trim_end_matches(['\n', '\r']) {
                        return None;
                    }
                    at += 1;
                }
                Some('+') => out.push_str(&l[1..]),
                Some('\\') => {
                    // "\ No newline at end of file": the previous line had no newline
                    if out.ends_with('\n') {
                        out.pop();
                    }
                }
                _ => return None,
            }
        }
    }
    while at < old.len() {
        out.push_str(old[at]);
        at += 1;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_round_trips() {
        let a = "FROM a\nRUN x\nCMD y\n";
        let b = "FROM a AS build\nRUN x\n\nFROM b\nCMD y\n";
        let d = unified("Dockerfile", a, b);
        assert!(d.starts_with("--- a/Dockerfile\n+++ b/Dockerfile\n@@"), "{d}");
        assert_eq!(apply(a, &d).as_deref(), Some(b));
        assert_eq!(apply("FROM other\n", &d), None, "a diff does not apply to another file");
    }
}
