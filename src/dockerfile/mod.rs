//! The Dockerfile model: our own owned types over `parse-dockerfile`, so the rest of
//! shiplight never touches the parser crate's types.
//!
//! [`Dockerfile::parse`] accepts a UTF-8 BOM, CRLF line endings, parser directives
//! (`# syntax=`, `# escape=`, `# check=`), heredocs, line continuations with comments and
//! blank lines, ARG before FROM, `FROM ${VAR}` and `--platform`. Duplicate stage names are
//! kept (the linter reports them) instead of failing the parse.

mod args;
pub mod edit;
pub mod graph;
pub mod os;
pub mod packages;
mod parse;
pub mod pragma;
pub mod roles;
pub mod shell;
pub mod ship;

use std::ops::Range;

use parse_dockerfile as pd;

/// FROM and `COPY --from` images, read by the one reference parser (Docker's normalisation).
pub use crate::reference::ImageRef;
pub use args::{
    global_arg_defaults, name_from_arg, names_in, platform_args, platform_expansions, set_by_buildkit, substitute,
    tag_from_arg, StageValues, PLATFORMS,
};
pub use graph::{Graph, StageRef};
use parse::{convert, crate_error, line_starts, position};
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
        if heredoc_feeds_shell(&s) {
            for h in heredocs {
                s.push('\n');
                s.push_str(h);
            }
        }
        Some(s)
    }

    /// Whether a RUN's `--mount=type=cache|tmpfs` covers `path`: what is written there stays
    /// out of the layer (BuildKit's cache, or memory).
    pub fn mounts_away(&self, path: &str) -> bool {
        self.has_mount("cache", path) || self.has_mount("tmpfs", path)
    }

    /// Whether a cache or tmpfs `--mount` of the RUN holds `path`: it targets `path`, a folder
    /// above it (`/root/.cache` holds uv's `/root/.cache/uv`) or one in it.
    pub fn mounts_over(&self, path: &str) -> bool {
        let path = path.trim_end_matches('/');
        self.mounts().any(|(ty, target)| {
            let target = target.trim_matches(['"', '\'']).trim_end_matches('/');
            matches!(ty, "cache" | "tmpfs")
                && !target.is_empty()
                && (target == path
                    || path.starts_with(&format!("{target}/"))
                    || target.starts_with(&format!("{path}/")))
        })
    }

    /// Whether a RUN uses a `--mount` of the given type targeting a path under `prefix`.
    pub fn has_mount(&self, mount_type: &str, target_prefix: &str) -> bool {
        self.mounts().any(|(ty, target)| {
            ty == mount_type && target.trim_end_matches('/').starts_with(target_prefix.trim_end_matches('/'))
        })
    }

    /// The RUN's `--mount`s, each as its type (`bind` when none is given) and its target.
    pub fn mounts(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.flag_values("mount").map(|m| {
            let opts = mount_options(m);
            let ty = opts.iter().find(|(k, _)| *k == "type").map(|(_, v)| *v).unwrap_or("bind");
            let target = opts
                .iter()
                .find(|(k, _)| matches!(*k, "target" | "dst" | "destination"))
                .map(|(_, v)| *v)
                .unwrap_or("");
            (ty, target)
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

    /// The words a CMD, ENTRYPOINT or RUN runs, quotes removed, split as the shell would: an
    /// exec form's strings are joined first, so an `sh -c` script's words come apart too
    /// (every word can be searched for a path; the script's grouping is not kept).
    pub fn command_words(&self) -> Vec<String> {
        self.script().map(|t| shell::split_words(&t)).unwrap_or_else(|| self.words().to_vec())
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

/// Whether the absolute path `inner` is `outer` or lies in it (`/app/vendor` in `/app`, not
/// `/application`); a trailing slash on either changes nothing.
pub fn within(inner: &str, outer: &str) -> bool {
    let (inner, outer) = (inner.trim_end_matches('/'), outer.trim_end_matches('/'));
    inner == outer || inner.strip_prefix(outer).is_some_and(|rest| rest.starts_with('/'))
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
        let pd_directives = {
            // parse_iter exposes directives only through a full parse; read them from the text.
            pragma::directives(text)
        };
        let escape =
            pd_directives.iter().find(|d| d.name == "escape").and_then(|d| d.value.chars().next()).unwrap_or('\\');
        let (masked, late_heredocs) = parse::late_heredocs(text, escape);
        let (fed, empty_exec) = parse::empty_exec_forms(&masked);
        let iter = pd::parse_iter(&fed).map_err(|e| crate_error(&e))?;
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
                    let Some(mut ins) = convert(text, &line_starts, other, escape) else {
                        continue;
                    };
                    if let Some(h) = late_heredocs.iter().find(|h| h.at == ins.span.start) {
                        late_heredoc(&mut ins, h, at(h.end.saturating_sub(1)).0);
                    }
                    if empty_exec.iter().any(|at| ins.span.contains(at)) {
                        ins.body = Body::Command(Command::Exec(Vec::new()));
                        ins.script_map.clear();
                        // the span ends where the crate's stand-in `""` did: take in the `]`
                        let rest = text.get(ins.span.end..).unwrap_or("");
                        let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
                        if !text[..ins.span.end].ends_with(']') {
                            if let Some(close) = line.find(']') {
                                ins.span.end += close + 1;
                            }
                        }
                    }
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

/// Whether a RUN's heredoc bodies are the script the shell runs (`RUN <<EOF`, `RUN bash <<EOF`)
/// rather than a command's input (`RUN cat <<EOF > /etc/app.conf`).
/// (For `RUN <<EOF`, the parser crate's command is what follows the delimiter: nothing, or
/// the program the body is fed to.)
fn heredoc_feeds_shell(command: &str) -> bool {
    match command.split_whitespace().next() {
        None => true,
        Some(first) => {
            first.starts_with("<<") || matches!(first.rsplit('/').next(), Some("sh" | "bash" | "ash" | "dash" | "zsh"))
        }
    }
}

/// Give a RUN the heredocs the parser crate could not read (see [`parse::late_heredocs`]):
/// its bodies, its end after the last terminator, and, when they are the shell's script,
/// where each byte of them is written.
fn late_heredoc(ins: &mut Instruction, h: &parse::LateHeredoc, end_line: usize) {
    let Body::Run { command, heredocs } = &mut ins.body else { return };
    *heredocs = h.bodies.clone();
    ins.span.end = ins.span.end.max(h.end);
    ins.end_line = ins.end_line.max(end_line);
    let shell = matches!(command, Command::Shell(s) if heredoc_feeds_shell(s));
    if !shell || ins.script_map.is_empty() {
        return;
    }
    for (body, start) in h.bodies.iter().zip(&h.starts) {
        parse::map_heredoc_body(&mut ins.script_map, body.len(), *start, h.end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_lies_within_a_folder_only_at_a_slash() {
        assert!(within("/app/vendor", "/app") && within("/app/", "/app") && within("/app", "/app/"));
        assert!(within("/var/run/nginx", "/"));
        assert!(!within("/application", "/app") && !within("/app", "/app/vendor"));
    }

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
    fn an_empty_exec_form_and_a_json_shell_parse_whole() {
        // `ENTRYPOINT []` resets the entrypoint (docker-library/tomcat): valid, and empty
        let df = Dockerfile::parse("FROM eclipse-temurin:21\nENTRYPOINT []\ncmd [ ]\nCMD [\"catalina.sh\", \"run\"]\n")
            .unwrap();
        let ins = &df.stages[0].instructions;
        assert_eq!(ins[0].body, Body::Command(Command::Exec(Vec::new())));
        assert_eq!(df.source(&ins[0]), "ENTRYPOINT []");
        assert_eq!(ins[1].body, Body::Command(Command::Exec(Vec::new())));
        assert_eq!(df.source(&ins[1]), "cmd [ ]");
        assert_eq!(ins[2].body, Body::Command(Command::Exec(vec!["catalina.sh".into(), "run".into()])));
        // a JSON SHELL's text runs to its closing bracket
        let df =
            Dockerfile::parse("FROM debian\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN true\n").unwrap();
        assert_eq!(df.source(&df.stages[0].instructions[0]), "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]");
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
    fn a_heredoc_after_the_command_word_is_that_commands_input() {
        // valid BuildKit; the parser crate reads only `RUN <<EOF`, and took `FROM x` for a stage
        let text = "FROM debian:bookworm\nRUN cat <<EOF > /etc/app.conf && chmod 600 /etc/app.conf\nFROM x\nkey = 1\nEOF\nRUN <<-EOT bash -e\n\techo hi\n\tEOT\nUSER app\n";
        let df = Dockerfile::parse(text).unwrap();
        assert_eq!(df.stages.len(), 1);
        let ins = &df.stages[0].instructions;
        assert_eq!(ins.len(), 3, "{ins:?}");
        assert_eq!((ins[0].line, ins[0].end_line), (2, 5));
        assert!(df.source(&ins[0]).ends_with("key = 1\nEOF"), "{}", df.source(&ins[0]));
        assert_eq!(
            ins[0].body,
            Body::Run {
                command: Command::Shell("cat <<EOF > /etc/app.conf && chmod 600 /etc/app.conf".into()),
                heredocs: vec!["FROM x\nkey = 1\n".into()]
            }
        );
        // the body is cat's input, not commands
        assert_eq!(ins[0].script().unwrap(), "cat <<EOF > /etc/app.conf && chmod 600 /etc/app.conf");
        assert_eq!(ins[1].line, 6);
        assert_eq!(ins[2].line, 9);
        // fed to a shell, the body is the script, and its words are where they are written
        let text = "FROM debian:bookworm\nRUN bash -e <<EOF\napt-get update\nEOF\n";
        let df = Dockerfile::parse(text).unwrap();
        let run = &df.stages[0].instructions[0];
        let script = run.script().unwrap();
        assert_eq!(script, "bash -e <<EOF\napt-get update\n");
        let at = script.find("update").unwrap();
        assert_eq!(&text[run.source_range(at..at + 6).unwrap()], "update");
        // `RUN <<EOF` after options on continuation lines is the crate's own case
        let text = "FROM a\nRUN --mount=type=cache,target=/root/.cache \\\n  --mount=target=.,type=tmpfs <<EOT\n  set -e\n  make docs\nEOT\nCMD [\"x\"]\n";
        let df = Dockerfile::parse(text).unwrap();
        assert!(df.stages[0].instructions[0].script().unwrap().contains("make docs"));
        // two heredocs on one line, a quoted delimiter, a here-string that is none
        let text = "FROM a\nRUN paste <<A <<'B' > /x && cat <<< \"s\"\n1\nA\n2\nB\nCMD [\"x\"]\n";
        let df = Dockerfile::parse(text).unwrap();
        let ins = &df.stages[0].instructions;
        assert_eq!(ins.len(), 2, "{ins:?}");
        assert!(matches!(&ins[0].body, Body::Run { heredocs, .. } if heredocs == &["1\n", "2\n"]));
        assert_eq!(ins[1].line, 7);
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

    /// BuildKit removes a WORKDIR's quotes (IntelOwl's `WORKDIR "${PROJECT_PATH}/droidlysis"`);
    /// the path is one word, blanks and all.
    #[test]
    fn a_workdir_is_read_without_its_quotes() {
        let df = Dockerfile::parse(
            "FROM debian:12\nWORKDIR \"${P}/droidlysis\"\nWORKDIR '/my app'\nWORKDIR /a/\"b c\"/d\nWORKDIR \"/x\n",
        )
        .unwrap();
        let dirs: Vec<&str> = df.stages[0].of_kind(Kind::Workdir).map(|w| w.words()[0].as_str()).collect();
        assert_eq!(dirs, ["${P}/droidlysis", "/my app", "/a/b c/d", "\"/x"]);
    }

    #[test]
    fn global_args_resolve_in_from() {
        let df =
            Dockerfile::parse("ARG PY=3.11\nARG VARIANT\nFROM --platform=$BUILDPLATFORM python:${PY}-slim${VARIANT}\n")
                .unwrap();
        assert_eq!(df.stages[0].base_resolved, "python:3.11-slim${VARIANT}");
        assert_eq!(df.stages[0].platform.as_deref(), Some("$BUILDPLATFORM"));
        assert_eq!(substitute("${X:-fallback}", &[]), "fallback");
        // a default is expanded with the ARGs before it, as Docker does
        let df = Dockerfile::parse("ARG MAJOR=7.0\nARG V=${MAJOR}.5\nARG IMG=build:alpine-${V}\nFROM ${IMG} AS b\n")
            .unwrap();
        assert_eq!(df.stages[0].base_resolved, "build:alpine-7.0.5");
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
