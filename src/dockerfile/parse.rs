//! The parse adapter: `parse-dockerfile`'s types into the model's own (positions, line
//! continuations, heredocs, escape characters, the crate's errors as [`ParseError`]).
//! Nothing outside this file and [`Dockerfile::parse`] touches the parser crate.

use parse_dockerfile as pd;

use super::*;

pub(super) fn crate_error(e: &pd::Error) -> ParseError {
    let raw = e.to_string();
    // The crate's message ends with " at line:col"; we carry those separately.
    let message = raw.split(" at line ").next().unwrap_or(&raw).trim().to_owned();
    let hint = if message.contains("unknown instruction") {
        "; check the spelling of the instruction keyword"
    } else if message.contains("here-document") || message.contains("heredoc") {
        "; every `<<EOF` needs a closing `EOF` line"
    } else if message.contains("expected FROM") {
        "; only ARG may come before the first FROM"
    } else {
        ""
    };
    ParseError {
        line: e.line().max(1),
        column: e.column().max(1),
        message: format!("cannot parse Dockerfile: {message}{hint}"),
    }
}

pub(super) fn line_starts(text: &str) -> Vec<usize> {
    let mut v = vec![0];
    v.extend(text.match_indices('\n').map(|(i, _)| i + 1).filter(|&i| i < text.len()));
    v
}

/// 1-based (line, column in characters) of a byte offset.
pub(super) fn position(text: &str, line_starts: &[usize], pos: usize) -> (usize, usize) {
    let pos = pos.min(text.len());
    let line = line_starts.partition_point(|&s| s <= pos).max(1);
    let start = line_starts[line - 1];
    let column = text.get(start..pos).map(|s| s.chars().count()).unwrap_or(pos - start) + 1;
    (line, column)
}

/// `CMD []` and `ENTRYPOINT []` (valid: an empty exec form, which resets the command) are
/// rejected by the parser crate ("requires at least one argument"). The crate is fed the
/// text with each such `[]` written `""` (as long, so every position stays), and the
/// instructions there get their empty exec form back (the positions returned).
pub(super) fn empty_exec_forms(text: &str) -> (std::borrow::Cow<'_, str>, Vec<usize>) {
    let mut at = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_start();
        let indent = body.len() - trimmed.len();
        let keyword = trimmed.split(|c: char| c.is_whitespace() || c == '[').next().unwrap_or("");
        if keyword.eq_ignore_ascii_case("cmd") || keyword.eq_ignore_ascii_case("entrypoint") {
            let args = trimmed[keyword.len()..].trim();
            if args.starts_with('[') && args.ends_with(']') && args[1..args.len() - 1].trim().is_empty() {
                let open = start + indent + keyword.len() + trimmed[keyword.len()..].find('[').unwrap_or(0);
                at.push(open);
            }
        }
        start += line.len();
    }
    if at.is_empty() {
        return (std::borrow::Cow::Borrowed(text), at);
    }
    let mut fed = text.as_bytes().to_vec();
    for &open in &at {
        let close = open + text[open..].find(']').unwrap_or(0);
        // `[]` → `""`, `[ ]` → `"" `: the same length
        fed[open] = b'"';
        fed[open + 1] = b'"';
        for b in &mut fed[open + 2..=close] {
            *b = b' ';
        }
    }
    (std::borrow::Cow::Owned(String::from_utf8(fed).unwrap_or_else(|_| text.to_owned())), at)
}

fn unescaped(s: &pd::UnescapedString<'_>) -> String {
    s.value.to_string()
}

/// A WORKDIR's path with its quotes removed, as BuildKit's word processing removes them
/// (IntelOwl's `WORKDIR "${PROJECT_PATH}/droidlysis"` is `${PROJECT_PATH}/droidlysis`): the
/// text is one path, never split at its blanks; a quote inside the other kind is kept, and an
/// unmatched one is left as written.
fn dequoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut open: Option<char> = None;
    for ch in s.chars() {
        match (open, ch) {
            (None, '"' | '\'') => open = Some(ch),
            (Some(q), c) if c == q => open = None,
            _ => out.push(ch),
        }
    }
    if open.is_some() {
        return s.to_owned();
    }
    out
}

/// Join shell-form continuation lines the way the Dockerfile frontend does: an escape char
/// before the line end continues the line, even with spaces or tabs after it (BuildKit's
/// `\\[ \t]*$`, both removed), and comment or blank lines inside a continuation are dropped.
///
/// Also returns where each byte of the joined text is in `raw`, offset by `base` (one entry
/// more than the text: the end), so that a word the shell model finds can be edited in the
/// file where it is written, continuations and all.
fn join_continuations(raw: &str, base: usize, escape: char) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(raw.len());
    let mut map: Vec<usize> = Vec::with_capacity(raw.len() + 1);
    let mut continuing = false;
    let mut start = 0usize;
    let push = |out: &mut String, map: &mut Vec<usize>, piece: &str, at: usize| {
        out.push_str(piece);
        map.extend((0..piece.len()).map(|k| base + at + k));
    };
    for (i, raw_line) in raw.split('\n').enumerate() {
        let line_start = start;
        start += raw_line.len() + 1;
        let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        if i > 0 && continuing {
            let t = line.trim_start();
            if t.starts_with('#') || t.is_empty() {
                continue;
            }
        } else if i > 0 {
            push(&mut out, &mut map, "\n", line_start - 1);
        }
        match line.trim_end_matches([' ', '\t']).strip_suffix(escape) {
            Some(head) if !head.ends_with(escape) || escape != '\\' => {
                push(&mut out, &mut map, head, line_start);
                continuing = true;
            }
            _ => {
                push(&mut out, &mut map, line, line_start);
                continuing = false;
            }
        }
    }
    map.push(base + raw.len());
    (out, map)
}

/// The command, and the map of its script text to the file (empty for exec form).
fn command(c: &pd::Command<'_>, escape: char) -> (Command, Vec<usize>) {
    match c {
        pd::Command::Exec(words) => (Command::Exec(words.value.iter().map(unescaped).collect()), Vec::new()),
        pd::Command::Shell(s) => {
            let (text, map) = join_continuations(s.value, s.span.start, escape);
            (Command::Shell(text), map)
        }
        _ => (Command::Shell(String::new()), Vec::new()),
    }
}

fn flags(fs: &[pd::Flag<'_>]) -> Vec<Flag> {
    fs.iter().map(|f| Flag { name: f.name.value.to_string(), value: f.value.as_ref().map(unescaped) }).collect()
}

pub(super) fn convert(text: &str, ls: &[usize], ins: pd::Instruction<'_>, escape: char) -> Option<Instruction> {
    use pd::Instruction as I;
    let words = |v: &[pd::UnescapedString<'_>]| v.iter().map(unescaped).collect::<Vec<_>>();
    let mut map: Vec<usize> = Vec::new();
    let (kind, kw, end, flag_list, body): (Kind, pd::Span, usize, Vec<Flag>, Body) = match ins {
        I::Add(a) => {
            let end = a.dest.span.end.max(heredoc_end(text, &a.src));
            (Kind::Add, a.add.span, end, flags(&a.options), copy_body(&a.src, &a.dest))
        }
        I::Copy(c) => {
            let end = c.dest.span.end.max(heredoc_end(text, &c.src));
            (Kind::Copy, c.copy.span, end, flags(&c.options), copy_body(&c.src, &c.dest))
        }
        I::Arg(a) => {
            (Kind::Arg, a.arg.span, a.arguments.span.end, vec![], Body::Pairs(pairs(&a.arguments.value, true)))
        }
        I::Env(e) => {
            (Kind::Env, e.env.span, e.arguments.span.end, vec![], Body::Pairs(pairs(&e.arguments.value, false)))
        }
        I::Label(l) => {
            (Kind::Label, l.label.span, l.arguments.span.end, vec![], Body::Pairs(pairs(&l.arguments.value, false)))
        }
        I::Cmd(c) => {
            let (cmd, m) = command(&c.arguments, escape);
            map = m;
            (Kind::Cmd, c.cmd.span, command_end(&c.arguments), vec![], Body::Command(cmd))
        }
        I::Entrypoint(e) => {
            let (cmd, m) = command(&e.arguments, escape);
            map = m;
            (Kind::Entrypoint, e.entrypoint.span, command_end(&e.arguments), vec![], Body::Command(cmd))
        }
        I::Run(r) => {
            // a heredoc's span stops at the start of its terminator line: take that line in
            let end = r
                .here_docs
                .iter()
                .map(|h| terminator_end(text, h.span.end))
                .max()
                .unwrap_or(0)
                .max(command_end(&r.arguments));
            let heredocs: Vec<String> = r.here_docs.iter().map(|h| h.value.to_string()).collect();
            let (cmd, mut m) = command(&r.arguments, escape);
            // the script goes on with each heredoc body, after a newline (the command's end),
            // when the bodies are the shell's script (`RUN <<EOF`), not a program's input
            let feeds_shell = matches!(&cmd, Command::Shell(s) if super::heredoc_feeds_shell(s));
            for h in r.here_docs.iter().filter(|_| feeds_shell) {
                // exact where the body is written as it is read (a `<<-` body loses its tabs)
                let start = (text.get(h.span.clone()) == Some(&*h.value)).then_some(h.span.start);
                map_heredoc_body(&mut m, h.value.len(), start, command_end(&r.arguments));
            }
            map = m;
            (Kind::Run, r.run.span, end, flags(&r.options), Body::Run { command: cmd, heredocs })
        }
        I::Healthcheck(h) => {
            let (end, cmd) = match &h.arguments {
                pd::HealthcheckArguments::Cmd { arguments, .. } => {
                    let (cmd, m) = command(arguments, escape);
                    map = m;
                    (command_end(arguments), Some(cmd))
                }
                pd::HealthcheckArguments::None { none, .. } => (none.span.end, None),
                _ => (h.healthcheck.span.end, None),
            };
            (Kind::Healthcheck, h.healthcheck.span, end, flags(&h.options), Body::Healthcheck(cmd))
        }
        I::Expose(e) => {
            let end = e.arguments.last().map(|a| a.span.end).unwrap_or(e.expose.span.end);
            (Kind::Expose, e.expose.span, end, vec![], Body::Words(words(&e.arguments)))
        }
        I::Maintainer(m) => {
            (Kind::Maintainer, m.maintainer.span, m.name.span.end, vec![], Body::Words(vec![unescaped(&m.name)]))
        }
        I::Onbuild(o) => {
            let inner = convert(text, ls, *o.instruction, escape)?;
            let end = inner.span.end;
            (Kind::Onbuild, o.onbuild.span, end, vec![], Body::Onbuild(Box::new(inner)))
        }
        I::Shell(s) => {
            // the arguments' spans are the strings inside the JSON array: the instruction
            // ends at the array's closing bracket (a rewrite that kept `SHELL ["/bin/bash",
            // "-c` did not parse)
            let last = s.arguments.last().map(|a| a.span.end).unwrap_or(s.shell.span.end);
            let rest = text.get(last..).unwrap_or("");
            let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
            let end = line.find(']').map(|i| last + i + 1).unwrap_or(last);
            (Kind::Shell, s.shell.span, end, vec![], Body::Words(words(&s.arguments)))
        }
        I::Stopsignal(s) => (
            Kind::Stopsignal,
            s.stopsignal.span,
            s.arguments.span.end,
            vec![],
            Body::Words(vec![unescaped(&s.arguments)]),
        ),
        I::User(u) => {
            (Kind::User, u.user.span, u.arguments.span.end, vec![], Body::Words(vec![unescaped(&u.arguments)]))
        }
        I::Workdir(w) => (
            Kind::Workdir,
            w.workdir.span,
            w.arguments.span.end,
            vec![],
            Body::Words(vec![dequoted(&unescaped(&w.arguments))]),
        ),
        I::Volume(v) => {
            let (end, list) = match &v.arguments {
                pd::JsonOrStringArray::Json(j) => (j.span.end, words(&j.value)),
                pd::JsonOrStringArray::String(s) => {
                    (s.last().map(|a| a.span.end).unwrap_or(v.volume.span.end), words(s))
                }
            };
            (Kind::Volume, v.volume.span, end, vec![], Body::Words(list))
        }
        // FROM is handled by `Dockerfile::parse`; parse-dockerfile's enum is non-exhaustive.
        _ => return None,
    };
    let end = end.max(kw.end);
    let (line, column) = position(text, ls, kw.start);
    let (end_line, _) = position(text, ls, end.saturating_sub(1).max(kw.start));
    Some(Instruction {
        kind,
        keyword: text.get(kw.clone()).unwrap_or("").to_owned(),
        line,
        column,
        end_line,
        span: kw.start..end,
        flags: flag_list,
        body,
        script_map: map,
    })
}

/// End of the last heredoc source of COPY/ADD, terminator line included.
fn heredoc_end(text: &str, src: &[pd::Source<'_>]) -> usize {
    src.iter()
        .filter_map(|s| match s {
            pd::Source::HereDoc(h) => Some(terminator_end(text, h.span.end)),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

/// The end of a heredoc's terminator line (before its line end), the line starting at `at`,
/// where the heredoc's body stops. The whole word, not its first letter: an instruction's
/// text cut inside `EOF` made rewrites that kept it unparsable.
fn terminator_end(text: &str, at: usize) -> usize {
    let rest = text.get(at..).unwrap_or("");
    let line = rest.find('\n').unwrap_or(rest.len());
    at + rest[..line].trim_end_matches('\r').len()
}

fn command_end(c: &pd::Command<'_>) -> usize {
    match c {
        pd::Command::Exec(s) => s.span.end,
        pd::Command::Shell(s) => s.span.end,
        _ => 0,
    }
}

fn copy_body(src: &[pd::Source<'_>], dest: &pd::UnescapedString<'_>) -> Body {
    let sources = src
        .iter()
        .map(|s| match s {
            pd::Source::Path(p) => unescaped(p),
            // the parser keeps the body only; the source is marked as a heredoc
            pd::Source::HereDoc(_) => HEREDOC_SOURCE.to_owned(),
            _ => String::new(),
        })
        .collect();
    Body::Copy { sources, dest: unescaped(dest) }
}

/// Extend a RUN's script map with a heredoc body the script goes on with (after the
/// command's end, which stands for the newline): each byte where it is written, or, when the
/// body is not read as written (`<<-` stripped its tabs, CRLF), the command's end for all.
pub(super) fn map_heredoc_body(map: &mut Vec<usize>, len: usize, start: Option<usize>, command_end: usize) {
    if map.is_empty() {
        map.push(command_end);
    }
    let at = map[map.len() - 1];
    match start {
        Some(s) => map.extend((0..len).map(|k| s + k)),
        None => map.extend(std::iter::repeat_n(at, len)),
    }
    map.push(start.map_or(at, |s| s + len));
}

/// A RUN heredoc that does not open the command (`RUN cat <<EOF > /etc/app.conf`): valid
/// BuildKit, but the parser crate reads only `RUN <<EOF`, and took the body's lines for
/// instructions. The crate is fed the text with those bodies and terminators masked as
/// comment lines of the same length (every position stays); the RUN gets them back here.
pub(super) struct LateHeredoc {
    /// Where the RUN keyword is.
    pub at: usize,
    /// The bodies, in the order of their markers (`<<-` bodies without their leading tabs).
    pub bodies: Vec<String>,
    /// Where each body is written, when it is read as written (not for `<<-`).
    pub starts: Vec<Option<usize>>,
    /// The end of the last terminator line.
    pub end: usize,
}

/// The heredoc markers of a line of shell text: (strip tabs, delimiter), `<<<` excluded.
fn heredoc_markers(s: &str) -> Vec<(bool, String)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut quote) = (0, None::<u8>);
    while i < b.len() {
        match (quote, b[i]) {
            (None, b'\'' | b'"') => quote = Some(b[i]),
            (Some(q), c) if c == q => quote = None,
            (None, b'<')
                if b.get(i + 1) == Some(&b'<') && b.get(i + 2) != Some(&b'<') && (i == 0 || b[i - 1] != b'<') =>
            {
                let mut j = i + 2;
                let strip = b.get(j) == Some(&b'-');
                j += strip as usize;
                while b.get(j) == Some(&b' ') {
                    j += 1;
                }
                let q = b.get(j).copied().filter(|c| *c == b'\'' || *c == b'"');
                j += q.is_some() as usize;
                let start = j;
                while b.get(j).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-' || *c == b'.') {
                    j += 1;
                }
                if j > start {
                    out.push((strip, s[start..j].to_owned()));
                }
                i = j + q.is_some() as usize;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

pub(super) fn late_heredocs(text: &str, escape: char) -> (std::borrow::Cow<'_, str>, Vec<LateHeredoc>) {
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        lines.push((start, line.trim_end_matches(['\n', '\r'])));
        start += line.len();
    }
    let mut found: Vec<LateHeredoc> = Vec::new();
    let mut masked: Vec<std::ops::Range<usize>> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let trimmed = lines[i].1.trim_start();
        let keyword = trimmed.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
        if !matches!(keyword.as_str(), "RUN" | "COPY" | "ADD") {
            i += 1;
            continue;
        }
        // the instruction's own lines: through its continuations
        let mut own = vec![i];
        let mut j = i;
        while lines[j].1.trim_end_matches([' ', '\t']).ends_with(escape) && j + 1 < lines.len() {
            j += 1;
            own.push(j);
        }
        let joined: String = own
            .iter()
            .map(|&k| {
                let l = lines[k].1.trim_end_matches([' ', '\t']);
                if k < j {
                    l.strip_suffix(escape).unwrap_or(l)
                } else {
                    l
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        let markers = heredoc_markers(&joined);
        // the crate reads COPY/ADD heredocs and `RUN <<EOF` itself
        let words: Vec<&str> = joined.split_whitespace().skip(1).filter(|w| !w.starts_with("--")).collect();
        let late = keyword == "RUN" && !words.first().is_some_and(|w| w.starts_with("<<"));
        let mut k = j + 1;
        let (mut bodies, mut starts, mut end) = (Vec::new(), Vec::new(), 0);
        for (strip, delim) in &markers {
            let body_start = lines.get(k).map(|l| l.0);
            let mut body = Vec::new();
            while k < lines.len() {
                let l = lines[k].1;
                let l = if *strip { l.trim_start_matches('\t') } else { l };
                k += 1;
                if l == delim {
                    end = lines[k - 1].0 + lines[k - 1].1.len();
                    break;
                }
                body.push(l.to_owned());
            }
            bodies.push(body.iter().map(|l| format!("{l}\n")).collect::<String>());
            // where the body is written, byte for byte: not for `<<-` (tabs stripped) or CRLF
            let crlf = body_start.is_some_and(|b| text[b..lines[k - 1].0].contains('\r'));
            starts.push(body_start.filter(|_| !strip && !crlf));
        }
        if late && !markers.is_empty() && end > 0 {
            let at = lines[i].0 + (lines[i].1.len() - trimmed.len());
            masked.push(lines[j + 1].0..end);
            found.push(LateHeredoc { at, bodies, starts, end });
        }
        i = if markers.is_empty() { j + 1 } else { k };
    }
    if masked.is_empty() {
        return (std::borrow::Cow::Borrowed(text), found);
    }
    let mut fed = text.as_bytes().to_vec();
    for r in masked {
        for b in &mut fed[r] {
            if *b != b'\n' {
                *b = b'#';
            }
        }
    }
    (std::borrow::Cow::Owned(String::from_utf8(fed).unwrap_or_else(|_| text.to_owned())), found)
}
