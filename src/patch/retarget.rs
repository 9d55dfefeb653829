//! The one-line change to the file that picks the stage: when a compose, bake or workflow
//! file builds a heavy stage of a Dockerfile (`target: builder`) whose light stage already
//! exists, the fix is in *that* file, not in the Dockerfile. The target is renamed to the
//! light stage, or, when that stage has no name (BuildKit's `--target` takes names only),
//! removed, so the build takes the last stage.
//!
//! Edits the one line the ship model's evidence names: a `target: x` / `target = "x"` line
//! (removed whole when the target goes), a `--target x` or `--target=x` on a command line, or
//! a `target: x` entry of a flow mapping. Anything else is refused. Pure.

use super::{diff, Patch, Rationale, Reason, Refusal};

/// The patch of `file` (its text `text`) that makes line `line` build `to` instead of
/// `from` (`None`: the last stage, by removing the target).
pub fn retarget(
    file: &str,
    text: &str,
    line: usize,
    from: &str,
    to: Option<&str>,
    why: Rationale,
) -> Result<Patch, Refusal> {
    let refuse = |message: String| Refusal { reason: Reason::Retarget, message };
    let crlf = text.contains("\r\n");
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
    let Some(l) = line.checked_sub(1).and_then(|i| lines.get(i)).cloned() else {
        return Err(refuse(format!("{file} has no line {line}")));
    };
    let body = l.trim_end_matches(['\r', '\n']);
    let eol = &l[body.len()..];
    let new = match to {
        Some(to) => rename(body, from, to),
        None => remove(body, from),
    };
    let Some(new) = new else {
        return Err(refuse(format!(
            "{file}:{line} does not write `target` as shiplight can edit it; change `{from}` there by hand"
        )));
    };
    match new {
        Some(n) => lines[line - 1] = format!("{n}{eol}"),
        None => {
            lines.remove(line - 1);
        }
    }
    let mut patched: String = lines.concat();
    if crlf && !patched.contains("\r\n") {
        patched = patched.replace('\n', "\r\n");
    }
    Ok(Patch {
        dockerfile: file.to_owned(),
        ecosystem: "retarget".into(),
        diff: diff::unified(file, text, &patched),
        patched,
        rationale: vec![why],
    })
}

/// The value `from` after a `target` key (`:` or `=`), or a `--target` flag, on the line:
/// its byte range, where the whole entry starts, and whether the value is quoted.
fn find(body: &str, from: &str) -> Option<(usize, usize, usize, bool)> {
    for key in ["--target", "target"] {
        let mut at = 0;
        while let Some(k) = body[at..].find(key) {
            let start = at + k;
            let after = start + key.len();
            at = after;
            // a whole word: `retarget:` and `targets:` are other keys
            if body[..start].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                && key == "target"
            {
                continue;
            }
            let rest = &body[after..];
            let sep = rest.len() - rest.trim_start_matches([' ', '\t', ':', '=']).len();
            if sep == 0 {
                continue;
            }
            let value_start = after + sep;
            let quoted = body[value_start..].starts_with(['"', '\'']);
            let v = value_start + usize::from(quoted);
            if body[v..].starts_with(from) {
                let end = v + from.len();
                let closes = if quoted { body[end..].starts_with(['"', '\'']) } else { true };
                let word_ends = body[end + usize::from(quoted)..]
                    .chars()
                    .next()
                    .is_none_or(|c| !c.is_ascii_alphanumeric() && c != '-' && c != '_' && c != '.');
                if closes && word_ends {
                    return Some((v, end, start, quoted));
                }
            }
        }
    }
    None
}

fn rename(body: &str, from: &str, to: &str) -> Option<Option<String>> {
    let (v, end, _, _) = find(body, from)?;
    Some(Some(format!("{}{to}{}", &body[..v], &body[end..])))
}

fn remove(body: &str, from: &str) -> Option<Option<String>> {
    let (_, end, start, quoted) = find(body, from)?;
    let entry_end = end + usize::from(quoted);
    let before = &body[..start];
    let after = &body[entry_end..];
    // the whole line is the entry (`target: builder`, `- target = "builder"` aside, a comment)
    let tail = after.trim_start();
    if before.trim().is_empty() && (tail.is_empty() || tail.starts_with('#') || tail.starts_with("//")) {
        return Some(None);
    }
    if body[start..].starts_with("--target") {
        let cut_start = before.trim_end_matches([' ', '\t']).len();
        return Some(Some(format!("{}{}", &body[..cut_start], after)));
    }
    // a flow mapping: `{context: app, target: builder}` or `{target: builder, context: app}`
    let b = before.trim_end();
    if let Some(b) = b.strip_suffix(',') {
        return Some(Some(format!("{}{}", b, after)));
    }
    if let Some(a) = after.trim_start().strip_prefix(',') {
        return Some(Some(format!("{}{}", before, a.trim_start())));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why() -> Rationale {
        Rationale { rule: "SL101".into(), line: 3, message: "m".into() }
    }

    fn edit(text: &str, line: usize, from: &str, to: Option<&str>) -> Result<String, Refusal> {
        retarget("f", text, line, from, to, why()).map(|p| p.patched)
    }

    #[test]
    fn renames_or_removes_the_target_on_its_line() {
        let compose = "services:\n  web:\n    build:\n      context: app\n      target: builder # dev\n";
        assert_eq!(
            edit(compose, 5, "builder", Some("runtime")).unwrap(),
            compose.replace("target: builder", "target: runtime")
        );
        assert_eq!(edit(compose, 5, "builder", None).unwrap(), "services:\n  web:\n    build:\n      context: app\n");
        let bake = "target \"app\" {\n  target = \"builder\"\n  tags = [\"o/app\"]\n}\n";
        assert_eq!(edit(bake, 2, "builder", Some("final")).unwrap(), bake.replace("\"builder\"", "\"final\""));
        assert_eq!(edit(bake, 2, "builder", None).unwrap(), "target \"app\" {\n  tags = [\"o/app\"]\n}\n");
        let run = "      - run: docker build --target builder -t app .\n";
        assert_eq!(edit(run, 1, "builder", None).unwrap(), "      - run: docker build -t app .\n");
        assert_eq!(
            edit("docker build --target=builder .\n", 1, "builder", Some("prod")).unwrap(),
            "docker build --target=prod .\n"
        );
        let flow = "    build: {context: app, target: builder}\n";
        assert_eq!(edit(flow, 1, "builder", None).unwrap(), "    build: {context: app}\n");
        let flow = "    build: {target: builder, context: app}\n";
        assert_eq!(edit(flow, 1, "builder", None).unwrap(), "    build: {context: app}\n");
    }

    #[test]
    fn only_the_exact_target_word_is_edited() {
        // `builder-slim` is another stage; `retarget:` is another key
        assert!(edit("      target: builder-slim\n", 1, "builder", None).is_err());
        assert!(edit("  retarget: builder\n", 1, "builder", None).is_err());
        assert!(edit("  image: builder\n", 1, "builder", None).is_err());
        assert!(edit("a\n", 9, "builder", None).is_err());
        // CRLF files keep their line endings
        let crlf = "services:\r\n  web:\r\n    build:\r\n      target: builder\r\n      context: .\r\n";
        assert_eq!(edit(crlf, 4, "builder", Some("app")).unwrap(), crlf.replace("builder", "app"));
        let p = retarget("compose.yaml", crlf, 4, "builder", None, why()).unwrap();
        assert!(p.diff.contains("-      target: builder"), "{}", p.diff);
        assert_eq!(p.patched, "services:\r\n  web:\r\n    build:\r\n      context: .\r\n");
    }
}
