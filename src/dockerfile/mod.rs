//! The Dockerfile model: our own owned types over `parse-dockerfile`, so the rest of
//! shiplight never touches the parser crate's types.
//!
//! [`Dockerfile::parse`] accepts a UTF-8 BOM, CRLF line endings, parser directives
//! (`# syntax=`, `# escape=`, `# check=`), heredocs, line continuations with comments and
//! blank lines, ARG before FROM, `FROM ${VAR}` and `--platform`. Duplicate stage names are
//! kept (the linter reports them) instead of failing the parse.

pub mod edit;
pub mod graph;
pub mod os;
pub mod packages;
pub mod pragma;
pub mod shell;
pub mod ship;

use std::ops::Range;

use parse_dockerfile as pd;

/// FROM and `COPY --from` images, read by the one reference parser (Docker's normalisation).
pub use crate::reference::ImageRef;
pub use graph::{Graph, StageRef};
pub use pragma::{Pragma, PragmaScope};

/// Why a Dockerfile could not be read into the model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong and what to do about it.
    pub message: String,
}

/// A parsed Dockerfile.
#[derive(Debug, Clone)]
pub struct Dockerfile {
    /// The text as parsed (a leading UTF-8 BOM removed).
    pub text: String,
    line_starts: Vec<usize>,
    /// Parser directives (`# syntax=`, `# escape=`, `# check=`).
    pub directives: Vec<Directive>,
    /// `# shiplight …` / `# hadolint …` comments.
    pub pragmas: Vec<Pragma>,
    /// ARG instructions before the first FROM.
    pub global_args: Vec<Instruction>,
    /// Stages in file order.
    pub stages: Vec<Stage>,
    /// The escape character in force (`\` or a backtick).
    pub escape: char,
}

/// A parser directive such as `# syntax=docker/dockerfile:1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub name: String,
    pub value: String,
    pub line: usize,
}

/// One `FROM` and the instructions up to the next one.
#[derive(Debug, Clone)]
pub struct Stage {
    /// 0-based position in the file.
    pub index: usize,
    /// The `AS` name as written (case kept; BuildKit compares names case-insensitively).
    pub name: Option<String>,
    /// The `FROM` keyword as written (for casing checks).
    pub from_keyword: String,
    /// The `AS` keyword as written.
    pub as_keyword: Option<String>,
    /// The base as written, e.g. `python:${PY}`.
    pub base: String,
    /// The base with global ARG defaults substituted where they are static.
    pub base_resolved: String,
    /// `--platform` value, if any.
    pub platform: Option<String>,
    /// Where the base is written in [`Dockerfile::text`] (the edit that swaps it lands there).
    pub base_span: Range<usize>,
    /// Where the `AS NAME` name is written, when there is one.
    pub name_span: Option<Range<usize>>,
    /// Where the `AS` keyword is written, when there is one.
    pub as_span: Option<Range<usize>>,
    /// Where the whole FROM instruction is written.
    pub from_span: Range<usize>,
    /// Line of the FROM instruction (1-based).
    pub line: usize,
    /// Column of the FROM keyword.
    pub column: usize,
    /// Last line of the stage (the end of its last instruction).
    pub end_line: usize,
    /// Instructions after FROM.
    pub instructions: Vec<Instruction>,
}

impl Stage {
    /// The name to show users: the AS name or the index.
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => n.clone(),
            None => self.index.to_string(),
        }
    }
    /// Instructions of one kind.
    pub fn of_kind(&self, kind: Kind) -> impl DoubleEndedIterator<Item = &Instruction> {
        self.instructions.iter().filter(move |i| i.kind == kind)
    }
}

/// Instruction keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Kind {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Add => "ADD",
            Kind::Arg => "ARG",
            Kind::Cmd => "CMD",
            Kind::Copy => "COPY",
            Kind::Entrypoint => "ENTRYPOINT",
            Kind::Env => "ENV",
            Kind::Expose => "EXPOSE",
            Kind::Healthcheck => "HEALTHCHECK",
            Kind::Label => "LABEL",
            Kind::Maintainer => "MAINTAINER",
            Kind::Onbuild => "ONBUILD",
            Kind::Run => "RUN",
            Kind::Shell => "SHELL",
            Kind::Stopsignal => "STOPSIGNAL",
            Kind::User => "USER",
            Kind::Volume => "VOLUME",
            Kind::Workdir => "WORKDIR",
        }
    }
}

/// A `--name=value` option of an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub name: String,
    pub value: Option<String>,
}

/// The command of RUN, CMD, ENTRYPOINT and HEALTHCHECK CMD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Shell form, with line continuations joined and continuation comments removed.
    Shell(String),
    /// Exec (JSON array) form.
    Exec(Vec<String>),
}

/// `KEY=value` pairs of ENV, ARG and LABEL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    pub key: String,
    pub value: Option<String>,
}

/// What an instruction says, by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Run {
        command: Command,
        heredocs: Vec<String>,
    },
    /// CMD and ENTRYPOINT.
    Command(Command),
    /// COPY and ADD: sources as written (heredoc sources as `<<EOF`), destination.
    Copy {
        sources: Vec<String>,
        dest: String,
    },
    /// ENV, ARG and LABEL.
    Pairs(Vec<KeyValue>),
    /// HEALTHCHECK (None for `HEALTHCHECK NONE`).
    Healthcheck(Option<Command>),
    /// ONBUILD's inner instruction.
    Onbuild(Box<Instruction>),
    /// EXPOSE, SHELL, VOLUME and the one-value instructions (USER, WORKDIR, …).
    Words(Vec<String>),
}

/// One instruction with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    pub kind: Kind,
    /// The keyword as written (`run`, `Run`, `RUN`).
    pub keyword: String,
    /// First line (1-based).
    pub line: usize,
    /// Column of the keyword (1-based).
    pub column: usize,
    /// Last line, including heredoc bodies.
    pub end_line: usize,
    /// Byte range in [`Dockerfile::text`].
    pub span: Range<usize>,
    pub flags: Vec<Flag>,
    pub body: Body,
    /// For a shell-form command (RUN, CMD, ENTRYPOINT, HEALTHCHECK): where each byte of
    /// [`Instruction::script`] is in [`Dockerfile::text`], and one entry more for its end. A
    /// word the shell model finds at `a..b` of the script is written at `map[a]..map[b - 1] + 1`.
    pub script_map: Vec<usize>,
}

impl Instruction {
    /// Where a byte range of [`Instruction::script`] is written in the file (absolute byte
    /// offsets). `None` for exec form, or a range outside the script.
    pub fn source_range(&self, r: std::ops::Range<usize>) -> Option<std::ops::Range<usize>> {
        if r.start > r.end || r.end >= self.script_map.len() {
            return None;
        }
        let start = self.script_map[r.start];
        let end = if r.end > r.start { self.script_map[r.end - 1] + 1 } else { start };
        Some(start..end.max(start))
    }

    /// Value of a flag such as `--from`, if present (`Some("")` for a bare flag).
    pub fn flag(&self, name: &str) -> Option<&str> {
        self.flags.iter().find(|f| f.name.eq_ignore_ascii_case(name)).map(|f| f.value.as_deref().unwrap_or(""))
    }

    /// All values of a repeated flag (`--mount` may appear several times).
    pub fn flag_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.flags.iter().filter(move |f| f.name.eq_ignore_ascii_case(name)).map(|f| f.value.as_deref().unwrap_or(""))
    }

    /// The shell script a RUN executes: the shell-form text, plus heredoc bodies when the
    /// command feeds them to the shell (`RUN <<EOF`). Exec form yields the words joined.
    pub fn script(&self) -> Option<String> {
        let (command, heredocs) = match &self.body {
            Body::Run { command, heredocs } => (command, heredocs.as_slice()),
            Body::Command(c) => (c, &[][..]),
            Body::Healthcheck(Some(c)) => (c, &[][..]),
            _ => return None,
        };
        let mut s = match command {
            Command::Shell(s) => s.clone(),
            Command::Exec(words) => words.join(" "),
        };
        for h in heredocs {
            s.push('\n');
            s.push_str(h);
        }
        Some(s)
    }

    /// Whether a RUN's `--mount=type=cache|tmpfs` covers `path`: what is written there stays
    /// out of the layer (BuildKit's cache, or memory).
    pub fn mounts_away(&self, path: &str) -> bool {
        self.has_mount("cache", path) || self.has_mount("tmpfs", path)
    }

    /// Whether a RUN uses a `--mount` of the given type targeting a path under `prefix`.
    pub fn has_mount(&self, mount_type: &str, target_prefix: &str) -> bool {
        self.flag_values("mount").any(|m| {
            let opts = mount_options(m);
            let ty = opts.iter().find(|(k, _)| *k == "type").map(|(_, v)| *v).unwrap_or("bind");
            let target = opts
                .iter()
                .find(|(k, _)| matches!(*k, "target" | "dst" | "destination"))
                .map(|(_, v)| *v)
                .unwrap_or("");
            ty == mount_type && target.trim_end_matches('/').starts_with(target_prefix.trim_end_matches('/'))
        })
    }

    /// Pairs of ENV/ARG/LABEL (empty for other kinds).
    pub fn pairs(&self) -> &[KeyValue] {
        match &self.body {
            Body::Pairs(p) => p,
            _ => &[],
        }
    }

    /// Words of EXPOSE/SHELL/VOLUME/USER/WORKDIR/… (empty for other kinds).
    pub fn words(&self) -> &[String] {
        match &self.body {
            Body::Words(w) => w,
            _ => &[],
        }
    }
}

/// Resolve `path` against the directory `dir` (as WORKDIR and .dockerignore patterns do),
/// normalising `.` and `..`; the result is absolute (`/app/b` for `/app` + `./a/../b`).
pub fn resolve_path(dir: &str, path: &str) -> String {
    let joined =
        if path.starts_with('/') { path.to_owned() } else { format!("{}/{}", dir.trim_end_matches('/'), path) };
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

/// Split a `--mount` value (`type=cache,target=/root/.cache`) into key/value pairs.
pub fn mount_options(value: &str) -> Vec<(&str, &str)> {
    value
        .split(',')
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (k.trim(), v.trim()),
            None => (kv.trim(), "true"),
        })
        .collect()
}

impl Dockerfile {
    /// Parse Dockerfile text. Errors carry the line and column of the problem.
    pub fn parse(text: &str) -> Result<Dockerfile, ParseError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let line_starts = line_starts(text);
        let at = |pos: usize| position(text, &line_starts, pos);
        let iter = pd::parse_iter(text).map_err(|e| crate_error(&e))?;
        let pd_directives = {
            // parse_iter exposes directives only through a full parse; read them from the text.
            pragma::directives(text)
        };
        let escape =
            pd_directives.iter().find(|d| d.name == "escape").and_then(|d| d.value.chars().next()).unwrap_or('\\');
        let mut df = Dockerfile {
            text: text.to_owned(),
            line_starts: Vec::new(),
            directives: pd_directives,
            pragmas: pragma::scan(text),
            global_args: Vec::new(),
            stages: Vec::new(),
            escape,
        };
        for item in iter {
            let instruction = item.map_err(|e| crate_error(&e))?;
            match instruction {
                pd::Instruction::From(from) => {
                    let (line, column) = at(from.from.span.start);
                    let name = from.as_.as_ref().map(|(_, n)| n.value.to_string());
                    let as_keyword = from.as_.as_ref().map(|(k, _)| text[k.span.clone()].to_owned());
                    let base = from.image.value.to_string();
                    let platform = from
                        .options
                        .iter()
                        .find(|f| f.name.value.eq_ignore_ascii_case("platform"))
                        .and_then(|f| f.value.as_ref().map(|v| v.value.to_string()));
                    let end = from.as_.as_ref().map(|(_, n)| n.span.end).unwrap_or(from.image.span.end);
                    let index = df.stages.len();
                    df.stages.push(Stage {
                        base_span: from.image.span.clone(),
                        name_span: from.as_.as_ref().map(|(_, n)| n.span.clone()),
                        as_span: from.as_.as_ref().map(|(k, _)| k.span.clone()),
                        from_span: from.from.span.start..end,
                        index,
                        name,
                        from_keyword: text[from.from.span.clone()].to_owned(),
                        as_keyword,
                        base_resolved: String::new(),
                        base,
                        platform,
                        line,
                        column,
                        end_line: at(end.saturating_sub(1).max(from.from.span.start)).0,
                        instructions: Vec::new(),
                    });
                }
                other => {
                    let Some(ins) = convert(text, &line_starts, other, escape) else {
                        continue;
                    };
                    match df.stages.last_mut() {
                        Some(stage) => {
                            stage.end_line = stage.end_line.max(ins.end_line);
                            stage.instructions.push(ins);
                        }
                        None => df.global_args.push(ins),
                    }
                }
            }
        }
        if df.stages.is_empty() {
            return Err(ParseError {
                line: 1,
                column: 1,
                message: "no FROM instruction: a Dockerfile needs at least one stage; add `FROM <image>`".into(),
            });
        }
        let defaults = global_arg_defaults(&df.global_args);
        for stage in &mut df.stages {
            stage.base_resolved = substitute(&stage.base, &defaults);
        }
        df.line_starts = line_starts;
        Ok(df)
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self.line_starts.get(line).copied().unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    /// The 1-based line and column (in characters) of a byte offset of [`Dockerfile::text`].
    pub fn position(&self, offset: usize) -> (usize, usize) {
        position(&self.text, &self.line_starts, offset)
    }

    /// The stage a 1-based line belongs to, if any.
    pub fn stage_at(&self, line: usize) -> Option<&Stage> {
        self.stages.iter().rev().find(|s| s.line <= line)
    }

    /// Find a stage by `AS` name (case-insensitive, as BuildKit does).
    pub fn stage_named(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(name)))
    }

    /// The first line that only BuildKit can build, and why: `RUN --mount/--network/--security`,
    /// heredocs, `COPY --link/--chmod/--parents/--exclude`, `ADD --checksum/--keep-git-dir`.
    pub fn buildkit_feature(&self) -> Option<(usize, String)> {
        for ins in self.stages.iter().flat_map(|s| s.instructions.iter()) {
            let needs: &[&str] = match ins.kind {
                Kind::Run => &["mount", "network", "security"],
                Kind::Copy => &["link", "chmod", "parents", "exclude"],
                Kind::Add => &["link", "chmod", "checksum", "keep-git-dir", "exclude"],
                _ => &[],
            };
            if let Some(f) = ins.flags.iter().find(|f| needs.iter().any(|n| f.name.eq_ignore_ascii_case(n))) {
                return Some((ins.line, format!("{} --{}", ins.kind.as_str(), f.name)));
            }
            let heredoc = match &ins.body {
                Body::Run { heredocs, .. } => !heredocs.is_empty(),
                Body::Copy { sources, .. } => sources.iter().any(|s| s.starts_with("<<")),
                _ => false,
            };
            if heredoc {
                return Some((ins.line, format!("a heredoc in {}", ins.kind.as_str())));
            }
        }
        None
    }

    /// The raw source of an instruction.
    /// The byte range of whole lines `first..=last` (1-based), their line ends included.
    pub fn line_range(&self, first: usize, last: usize) -> Range<usize> {
        let starts = line_starts(&self.text);
        let start = starts.get(first.saturating_sub(1)).copied().unwrap_or(self.text.len());
        let end = starts.get(last).copied().unwrap_or(self.text.len());
        start..end.max(start)
    }

    pub fn source(&self, ins: &Instruction) -> &str {
        self.text.get(ins.span.clone()).unwrap_or("")
    }
}

fn crate_error(e: &pd::Error) -> ParseError {
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

fn line_starts(text: &str) -> Vec<usize> {
    let mut v = vec![0];
    v.extend(text.match_indices('\n').map(|(i, _)| i + 1).filter(|&i| i < text.len()));
    v
}

/// 1-based (line, column in characters) of a byte offset.
fn position(text: &str, line_starts: &[usize], pos: usize) -> (usize, usize) {
    let pos = pos.min(text.len());
    let line = line_starts.partition_point(|&s| s <= pos).max(1);
    let start = line_starts[line - 1];
    let column = text.get(start..pos).map(|s| s.chars().count()).unwrap_or(pos - start) + 1;
    (line, column)
}

fn unescaped(s: &pd::UnescapedString<'_>) -> String {
    s.value.to_string()
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

fn convert(text: &str, ls: &[usize], ins: pd::Instruction<'_>, escape: char) -> Option<Instruction> {
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
            // the script goes on with each heredoc body, after a newline (the command's end)
            for h in &r.here_docs {
                let at = m.pop().unwrap_or(command_end(&r.arguments));
                m.push(at);
                // exact where the body is written as it is read (a `<<-` body loses its tabs)
                let body_start = match text.get(h.span.clone()) {
                    Some(t) if t == h.value => h.span.start,
                    _ => at,
                };
                m.extend((0..h.value.len()).map(|k| body_start + k));
                m.push(body_start + h.value.len());
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
            let end = s.arguments.last().map(|a| a.span.end).unwrap_or(s.shell.span.end);
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
        I::Workdir(w) => {
            (Kind::Workdir, w.workdir.span, w.arguments.span.end, vec![], Body::Words(vec![unescaped(&w.arguments)]))
        }
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

/// How a heredoc source of COPY/ADD appears in [`Body::Copy`]'s sources.
pub const HEREDOC_SOURCE: &str = "<<heredoc";

/// Parse `KEY=value KEY2="v 2"` (or the legacy `KEY value` form) into pairs.
/// `arg` selects ARG semantics, where a bare `NAME` has no default.
pub fn pairs(raw: &str, arg: bool) -> Vec<KeyValue> {
    let words = shell::split_words(raw);
    let legacy = !arg && words.first().is_some_and(|w| !w.contains('='));
    if legacy {
        let (key, rest) = match raw.trim().split_once(char::is_whitespace) {
            Some((k, r)) => (k.to_owned(), Some(r.trim().to_owned())),
            None => (raw.trim().to_owned(), None),
        };
        return vec![KeyValue { key, value: rest }];
    }
    words
        .into_iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) => KeyValue { key: k.to_owned(), value: Some(v.to_owned()) },
            None => KeyValue { key: w, value: None },
        })
        .collect()
}

fn global_arg_defaults(args: &[Instruction]) -> Vec<(String, String)> {
    args.iter().flat_map(|a| a.pairs().iter()).filter_map(|kv| kv.value.clone().map(|v| (kv.key.clone(), v))).collect()
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
    use super::*;

    /// An instruction's text ends with its heredoc's whole terminator line, not its first
    /// letter: a rewrite that keeps the instruction word for word must parse.
    #[test]
    fn a_heredoc_instruction_ends_with_its_terminator() {
        for eol in ["\n", "\r\n"] {
            let text =
                "FROM a:1\nRUN <<EOT\necho '```'\nEOT\nCOPY <<'NOTE' /u.md\nhi\nNOTE\nCMD x\n".replace('\n', eol);
            let df = Dockerfile::parse(&text).unwrap();
            let ins = &df.stages[0].instructions;
            assert_eq!(df.source(&ins[0]).replace('\r', ""), "RUN <<EOT\necho '```'\nEOT");
            assert_eq!(df.source(&ins[1]).replace('\r', ""), "COPY <<'NOTE' /u.md\nhi\nNOTE");
        }
    }

    /// Every word the shell model finds in a RUN is found again where it is written in the
    /// file: through continuations (with blanks after the backslash), comment lines inside
    /// them, CRLF line ends, `# escape=`, and heredoc bodies.
    #[test]
    fn script_words_map_back_to_the_file() {
        let texts = [
            "FROM a\nRUN apt-get update \\ \n  # a comment\n  && apt-get install -y gcc \\\n     make && pip install x\n",
            "FROM a\r\nRUN make \\\r\n  && make install\r\n",
            "# escape=`\nFROM a\nRUN echo one `\n    two\n",
            "FROM a\nRUN <<EOF\nset -e\napt-get install -y gcc\nEOF\n",
            "FROM a\nRUN --mount=type=cache,target=/root/.cache pip install  flask\n",
        ];
        for text in texts {
            let df = Dockerfile::parse(text).unwrap();
            let ins = &df.stages[0].instructions[0];
            let script = ins.script().unwrap();
            assert_eq!(ins.script_map.len(), script.len() + 1, "{text:?}");
            for c in crate::dockerfile::shell::parse(&script).commands {
                for (w, span) in c.words.iter().zip(&c.spans) {
                    let at = ins.source_range(span.clone()).unwrap();
                    assert_eq!(&df.text[at.clone()], w.as_str(), "{text:?}: {w} at {at:?}");
                }
            }
        }
    }

    /// BuildKit continues a line whose escape character is followed by spaces or tabs, and
    /// drops both: the joined script holds neither.
    #[test]
    fn continuations_with_trailing_whitespace_join_as_buildkit_does() {
        let df = Dockerfile::parse("FROM debian\nRUN apt-get update \\ \n    && apt-get install -qy \\  \n       curl \\\t\n       --no-install-recommends\n").unwrap();
        let script = df.stages[0].instructions[0].script().unwrap();
        assert!(!script.contains('\\'), "{script:?}");
        assert_eq!(
            script.split_whitespace().collect::<Vec<_>>().join(" "),
            "apt-get update && apt-get install -qy curl --no-install-recommends"
        );
        assert!(crate::lint::rules::testing::lines("SL302", &df.text).is_empty());
        // a backslash that ends the text of a word is not continued when another follows it
        let df = Dockerfile::parse("# escape=`\nFROM mcr.microsoft.com/windows/servercore\nRUN dir `  \n    c:\\\n")
            .unwrap();
        assert!(df.stages[0].instructions[0].script().unwrap().contains("dir"), "{:?}", df.stages[0].instructions[0]);
    }

    #[test]
    fn parses_stages_lines_and_instructions() {
        let df = Dockerfile::parse("FROM python:3.9 AS build\nRUN echo hi\n\nFROM scratch\nCOPY --from=build /a /b\n")
            .unwrap();
        assert_eq!(df.stages.len(), 2);
        assert_eq!(df.stages[0].name.as_deref(), Some("build"));
        assert_eq!(df.stages[0].instructions[0].line, 2);
        assert_eq!(df.stages[1].line, 4);
        let copy = &df.stages[1].instructions[0];
        assert_eq!(copy.flag("from"), Some("build"));
        assert_eq!(copy.body, Body::Copy { sources: vec!["/a".into()], dest: "/b".into() });
    }

    #[test]
    fn bom_and_crlf_keep_line_numbers() {
        let df = Dockerfile::parse("\u{feff}FROM alpine:3\r\nRUN apk add \\\r\n  curl\r\nUSER app\r\n").unwrap();
        let s = &df.stages[0];
        assert_eq!(s.instructions[0].line, 2);
        assert_eq!(s.instructions[0].end_line, 3);
        assert_eq!(s.instructions[1].line, 4);
        assert_eq!(s.instructions[0].script().unwrap().split_whitespace().collect::<Vec<_>>(), ["apk", "add", "curl"]);
        assert_eq!(df.line_text(4), "USER app");
    }

    #[test]
    fn continuation_comments_and_blank_lines_are_dropped() {
        let df = Dockerfile::parse("FROM a:1\nRUN apt-get update \\\n# a comment\n\n    && apt-get install -y curl\n")
            .unwrap();
        let script = df.stages[0].instructions[0].script().unwrap();
        assert!(!script.contains("comment"), "{script}");
        assert!(script.contains("apt-get install -y curl"));
    }

    #[test]
    fn heredocs_escape_directive_and_mounts() {
        let df = Dockerfile::parse(
            "# syntax=docker/dockerfile:1\n# escape=`\nFROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt <<EOF\napt-get update\nEOF\nCOPY [\"a b\", \"/c\"]\nCOPY --link <<EOT /f\nhello\nEOT\n",
        )
        .unwrap();
        assert_eq!(df.escape, '`');
        assert_eq!(df.directives.len(), 2);
        let s = &df.stages[0];
        let run = &s.instructions[0];
        assert!(run.has_mount("cache", "/var/cache/apt"));
        assert!(run.script().unwrap().contains("apt-get update"));
        assert_eq!(run.end_line, 6);
        assert_eq!(s.instructions[1].body, Body::Copy { sources: vec!["a b".into()], dest: "/c".into() });
        assert_eq!(s.instructions[2].flag("link"), Some(""));
        assert_eq!((s.instructions[2].line, s.instructions[2].end_line), (8, 10));
    }

    #[test]
    fn global_args_resolve_in_from() {
        let df =
            Dockerfile::parse("ARG PY=3.11\nARG VARIANT\nFROM --platform=$BUILDPLATFORM python:${PY}-slim${VARIANT}\n")
                .unwrap();
        assert_eq!(df.stages[0].base_resolved, "python:3.11-slim${VARIANT}");
        assert_eq!(df.stages[0].platform.as_deref(), Some("$BUILDPLATFORM"));
        assert_eq!(substitute("${X:-fallback}", &[]), "fallback");
    }

    #[test]
    fn buildkit_features() {
        let df = Dockerfile::parse("FROM a:1\nRUN make\nRUN --mount=type=cache,target=/c make\n").unwrap();
        assert_eq!(df.buildkit_feature(), Some((3, "RUN --mount".into())));
        let df = Dockerfile::parse("FROM a:1\nCOPY <<EOF /x\nhi\nEOF\n").unwrap();
        assert_eq!(df.buildkit_feature().map(|f| f.0), Some(2));
        assert_eq!(Dockerfile::parse("FROM a:1\nCOPY --from=b /x /y\n").unwrap().buildkit_feature(), None);
    }

    #[test]
    fn duplicate_stage_names_still_parse() {
        let df = Dockerfile::parse("FROM a:1 AS x\nFROM b:1 AS x\n").unwrap();
        assert_eq!(df.stages.len(), 2);
    }

    #[test]
    fn errors_carry_position() {
        let e = Dockerfile::parse("FROM a:1\nFROBNICATE x\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = Dockerfile::parse("# only a comment\n").unwrap_err();
        assert!(e.message.contains("FROM"), "{}", e.message);
        let e = Dockerfile::parse("RUN echo\n").unwrap_err();
        assert!(e.message.contains("FROM"), "{}", e.message);
    }

    #[test]
    fn env_pairs_both_forms() {
        assert_eq!(pairs("A=1 B=\"two words\"", false)[1].value.as_deref(), Some("two words"));
        assert_eq!(
            pairs("LEGACY some value", false),
            vec![KeyValue { key: "LEGACY".into(), value: Some("some value".into()) }]
        );
        assert_eq!(pairs("NAME", true), vec![KeyValue { key: "NAME".into(), value: None }]);
    }
}
