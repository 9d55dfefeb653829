//! Just enough POSIX shell to see the simple commands in a RUN: words with quotes removed,
//! split at `&&`, `||`, `;`, `|`, `&` and newlines, comments skipped, `$(…)` and backticks
//! kept inside their word. It never executes anything; the only expansion is of variables
//! the script itself sets to a literal (`buildDeps='gcc make'; apk add $buildDeps`).
//!
//! Crates like `shlex` split words but not operators; the full shell parsers on crates.io are
//! unmaintained. Rules only need command words, so this stays small.

/// One simple command such as `apt-get install -y curl`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SimpleCommand {
    /// `NAME=value` words before the command.
    pub assignments: Vec<String>,
    /// The command words, quotes removed, reserved words (`if`, `then`, `{` …) dropped.
    pub words: Vec<String>,
    /// Whether this command is piped into the next one (`a | b`: true for `a`).
    pub pipes_into_next: bool,
    /// The conditional scopes it runs in, outermost first: one id per enclosing branch (an
    /// `if`'s `then` and `else` are different branches, so are a `case`'s patterns). A command
    /// whose scope is a prefix of another's runs whenever that one does.
    pub scope: Vec<u32>,
    /// How it is joined to the command after it.
    pub joined: Joined,
    /// Where each of `words` is, as byte ranges in the script text that was parsed (a word a
    /// variable expanded into several keeps its source word's range).
    pub spans: Vec<std::ops::Range<usize>>,
    /// Where each of `assignments` is.
    pub assignment_spans: Vec<std::ops::Range<usize>>,
    /// Whether the program is a function the script defines (`ddist() { curl …; }; ddist f`):
    /// the body's commands are commands of the script too, so a call adds nothing of its own.
    pub calls_function: bool,
}

/// The operator between a command and the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Joined {
    /// `&&`: the next runs when this one succeeds.
    And,
    /// `||`: the next runs when this one fails.
    Or,
    /// `|`: this one's output is the next one's input.
    Pipe,
    /// `;`, a newline, `&`, a parenthesis, the end of a `case` branch, or the end.
    #[default]
    Seq,
}

impl SimpleCommand {
    /// Whether it runs only when something else holds: inside `if`/`case`/a loop, after
    /// `||`, or after `[ … ] &&` / `test … &&`.
    pub fn conditional(&self) -> bool {
        !self.scope.is_empty()
    }

    /// Whether this command runs whenever `other` runs (later in the same script): its
    /// scope is `other`'s or encloses it.
    pub fn runs_whenever(&self, other: &SimpleCommand) -> bool {
        other.scope.starts_with(&self.scope)
    }
}

impl SimpleCommand {
    /// The words after wrappers that run another command: `sudo`, `env`, `exec`, `nohup`,
    /// `time`, `command`, the user switchers `gosu`/`su-exec` (user first), and `poetry run`
    /// (pipenv's, pdm's and uv's too). `sudo -u x
    /// apt-get install` → `apt-get install`; `gosu nobody true` → `true`.
    pub fn effective(&self) -> &[String] {
        let mut w = &self.words[..];
        loop {
            match w.first().map(String::as_str) {
                Some("sudo" | "doas") => {
                    w = &w[1..];
                    while let Some(f) = w.first() {
                        if f == "-u" || f == "-g" {
                            w = w.get(2..).unwrap_or(&[]);
                        } else if f.starts_with('-') {
                            w = &w[1..];
                        } else {
                            break;
                        }
                    }
                }
                Some("env") => {
                    w = &w[1..];
                    while w.first().is_some_and(|f| f.starts_with('-') || is_assignment(f)) {
                        w = &w[1..];
                    }
                }
                Some("exec" | "nohup" | "time" | "command" | "nice") => w = &w[1..],
                // the words are read again as a command (`eval ./configure ${OPTIONS}`)
                Some("eval") if w.len() > 1 => w = &w[1..],
                // the entrypoint idiom's user switchers take the user first (`gosu nobody true`)
                Some("gosu" | "su-exec") if w.len() > 2 => w = &w[2..],
                // a Python project tool running a command in its environment (`poetry run pip
                // install …`, `uv run python manage.py …`)
                Some("poetry" | "pipenv" | "pdm" | "uv")
                    if w.get(1).is_some_and(|s| s == "run") && w.get(2).is_some_and(|c| !c.starts_with('-')) =>
                {
                    w = &w[2..]
                }
                _ => return w,
            }
        }
    }

    /// Where the effective words start in `words` (past wrappers like `sudo`, `env`).
    pub fn effective_start(&self) -> usize {
        self.words.len() - self.effective().len()
    }

    /// The byte range (in the parsed script) of the `i`-th argument after the program.
    pub fn arg_span(&self, i: usize) -> Option<std::ops::Range<usize>> {
        self.spans.get(self.effective_start() + 1 + i).cloned()
    }

    /// The byte range of the program word (after wrappers).
    pub fn program_span(&self) -> Option<std::ops::Range<usize>> {
        self.spans.get(self.effective_start()).cloned()
    }

    /// The byte range of the whole command: its first assignment or word to its last word.
    pub fn span(&self) -> Option<std::ops::Range<usize>> {
        let start = self.assignment_spans.first().or(self.spans.first())?.start;
        let end = self.spans.last().or(self.assignment_spans.last())?.end;
        Some(start..end)
    }

    /// The program name (basename) after wrappers, e.g. `pip3` for `/usr/bin/pip3`; Bundler's
    /// second executable, `bundler`, is `bundle` (round 67's travis-api runs `bundler install`).
    pub fn program(&self) -> &str {
        // `&& \ ` + newline: Docker joins the lines, a blank may stay before the program
        let name =
            self.effective().first().map(|p| p.trim_start()).map(|p| p.rsplit('/').next().unwrap_or(p)).unwrap_or("");
        match name {
            "bundler" => "bundle",
            other => other,
        }
    }

    /// The command `xargs` runs (`xargs -L1 go install` → `go install`), past its options
    /// (`-0`, `-n 1`, `-I {}`, `-P4`); `None` for any other program, and for a bare `xargs`
    /// (which runs `echo`).
    pub fn run_by_xargs(&self) -> Option<SimpleCommand> {
        if self.program() != "xargs" {
            return None;
        }
        let mut i = self.effective_start() + 1;
        while i < self.words.len() && self.words[i].starts_with('-') {
            let takes = matches!(self.words[i].as_str(), "-n" | "-I" | "-P" | "-L" | "-d" | "-E" | "-s" | "-a");
            i += if takes { 2 } else { 1 };
        }
        if i >= self.words.len() {
            return None;
        }
        let mut c = self.clone();
        c.words = self.words[i..].to_vec();
        c.spans = self.spans.get(i..).map(<[_]>::to_vec).unwrap_or_default();
        c.assignments.clear();
        c.assignment_spans.clear();
        Some(c)
    }

    /// Arguments after the program.
    pub fn args(&self) -> &[String] {
        self.effective().get(1..).unwrap_or(&[])
    }

    /// Whether any argument equals one of `flags` (or starts with `flag=`).
    pub fn has_flag(&self, flags: &[&str]) -> bool {
        self.args().iter().any(|a| {
            flags
                .iter()
                .any(|f| a == f || (f.starts_with("--") && a.strip_prefix(f).is_some_and(|r| r.starts_with('='))))
        })
    }

    /// Whether the arguments (flags skipped) start with `sub`, e.g. `install` in `apt-get -q install`.
    pub fn subcommand(&self) -> Option<&str> {
        self.args().iter().find(|a| !a.starts_with('-')).map(String::as_str)
    }
}

/// The commands of a script in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Script {
    pub commands: Vec<SimpleCommand>,
    /// The functions the script defines (`name() { …; }`, `function name { …; }`).
    pub functions: Vec<String>,
    /// The test that must hold for a scope to run, where it is a positive one: an `if`'s
    /// `then` branch, or what follows `[ … ] &&` (scope id, the test's words).
    pub guards: Vec<(u32, Vec<String>)>,
}

impl Script {
    /// Whether any command pipes into another.
    pub fn has_pipe(&self) -> bool {
        self.commands.iter().any(|c| c.pipes_into_next)
    }

    /// Commands whose program is one of `names`.
    pub fn calls<'a>(&'a self, names: &'a [&'a str]) -> impl Iterator<Item = &'a SimpleCommand> + 'a {
        self.commands.iter().filter(move |c| names.contains(&c.program()))
    }

    /// Whether `set -o pipefail` (or `set -eo pipefail`, `set -euxo pipefail`) runs.
    pub fn sets_pipefail(&self) -> bool {
        self.calls(&["set"])
            .any(|c| c.args().windows(2).any(|w| w[0].starts_with('-') && w[0].ends_with('o') && w[1] == "pipefail"))
    }
}

fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit())
        }
        None => false,
    }
}

const RESERVED: &[&str] =
    &["if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "(", ")"];

/// Split a script into simple commands.
pub fn parse(script: &str) -> Script {
    parse_in(script, &[])
}

/// Split a script into simple commands, in an environment that already holds `env` (the ARG
/// and ENV values a Dockerfile gives the RUN): its variables expand as the script's own do
/// (pyload's `apk add $APK_PACKAGES` after `ARG APK_PACKAGES="curl-dev ffmpeg …"`).
pub fn parse_in(script: &str, env: &[(String, String)]) -> Script {
    parse_with(script, env, false)
}

/// Split a CI script into simple commands, where a variable built from others the script
/// does not set still counts with its literal words (Dolibarr's `update.sh`:
/// `tags="--tag app:${currentTag}"`, then `docker buildx build ${tags} …`): the options a
/// build is given are read, the unknown parts stay as written. A RUN is parsed with
/// [`parse_in`], where such a value is not used (tomcat's `export CATALINA_HOME="$PWD"`
/// names a folder only the running shell knows).
pub fn parse_ci(script: &str) -> Script {
    parse_with(script, &[], true)
}

fn parse_with(script: &str, env: &[(String, String)], partial: bool) -> Script {
    let mut lexer = Lexer::new(script);
    let mut commands: Vec<SimpleCommand> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut current_spans: Vec<std::ops::Range<usize>> = Vec::new();
    // the open branches of if/case/while/until/for, and whether the next command is guarded
    // by the operator before it
    let mut scope: Vec<u32> = Vec::new();
    let mut next_id = 0u32;
    let mut fresh = || {
        next_id += 1;
        next_id
    };
    let mut guarded = false;
    // whether the command being finished follows `||`
    let mut after_or = false;
    // the test a `[ … ] &&` chain runs under
    let mut pending_test: Option<Vec<String>> = None;
    let mut guards: Vec<(u32, Vec<String>)> = Vec::new();
    // between `case … in` (or `;;`) and the `)` that ends a pattern
    let mut in_pattern = false;
    let mut finish = |words: &mut Vec<String>, spans: &mut Vec<std::ops::Range<usize>>, pipe: bool, next: Sep| {
        let mut w = std::mem::take(words);
        let mut sp = std::mem::take(spans);
        if in_pattern && !w.is_empty() && w[0] != "esac" {
            // `x86_64|aarch64)`: a pattern, not a command
            in_pattern = !matches!(next, Sep::Close);
            return;
        }
        if !w.is_empty() {
            in_pattern = false;
        }
        let mut opened = false;
        let mut opened_if = false;
        while let Some(x) = w.first().filter(|x| RESERVED.contains(&x.as_str()) || BLOCKS.contains(&x.as_str())) {
            match x.as_str() {
                "if" | "case" | "while" | "until" | "for" => {
                    scope.push(fresh());
                    opened = true;
                    opened_if = x == "if";
                }
                "else" | "elif" => {
                    scope.pop();
                    scope.push(fresh());
                }
                "fi" | "esac" | "done" => {
                    scope.pop();
                }
                _ => {}
            }
            if matches!(x.as_str(), "case" | "for") {
                // `case WORD in PATTERN` and `for NAME in WORDS` are not commands
                in_pattern = x == "case" && !matches!(next, Sep::Close);
                w.clear();
                sp.clear();
                break;
            }
            w.remove(0);
            sp.remove(0);
        }
        // `if cond; then`: the condition runs in the enclosing scope
        let mut own = if opened { scope[..scope.len() - 1].to_vec() } else { scope.clone() };
        if guarded {
            let id = fresh();
            if let Some(test) = &pending_test {
                guards.push((id, test.clone()));
            }
            own.push(id);
        }
        let n = w.iter().take_while(|x| is_assignment(x)).count();
        let words = w.split_off(n);
        let word_spans = sp.split_off(n.min(sp.len()));
        let is_test = matches!(words.first().map(String::as_str), Some("[" | "[[" | "test"));
        let or_operand = after_or && !words.is_empty();
        if opened_if {
            if let Some(&id) = scope.last() {
                guards.push((id, words.clone()));
            }
        }
        if !words.is_empty() || !w.is_empty() {
            let joined = match next {
                Sep::And => Joined::And,
                Sep::Or => Joined::Or,
                Sep::Pipe => Joined::Pipe,
                Sep::Seq | Sep::Open | Sep::Close | Sep::CaseEnd => Joined::Seq,
            };
            commands.push(SimpleCommand {
                assignments: w,
                words,
                pipes_into_next: pipe,
                scope: own,
                joined,
                spans: word_spans,
                assignment_spans: sp,
                calls_function: false,
            });
        }
        pending_test = match next {
            Sep::And if is_test && !guarded => Some(words_for_guard(&commands)),
            Sep::And | Sep::Pipe if guarded => pending_test.take(),
            _ => None,
        };
        after_or = matches!(next, Sep::Or);
        guarded = guards_next(next, is_test, or_operand, guarded);
        if let Sep::CaseEnd = next {
            // the next pattern of a case is another branch
            if scope.pop().is_some() {
                scope.push(fresh());
            }
            in_pattern = true;
        }
    };
    let mut functions: Vec<String> = Vec::new();
    while let Some(tok) = lexer.next_token() {
        match tok {
            Token::Word(w, span) => {
                current.push(w);
                current_spans.push(span);
            }
            Token::Pipe => finish(&mut current, &mut current_spans, true, Sep::Pipe),
            // `name() {`, `function name() {`: a definition, not a command; its body's
            // commands follow as commands of their own
            Token::Separator(Sep::Open) if function_name(&current).is_some() && lexer.closes_next() => {
                functions.extend(function_name(&current));
                current.clear();
                current_spans.clear();
                lexer.next_token();
            }
            Token::Separator(sep) => {
                // `function name {`
                if current.first().is_some_and(|w| w == "function") && current.len() >= 2 {
                    functions.push(current[1].clone());
                    current.drain(..2);
                    current_spans.drain(..2.min(current_spans.len()));
                }
                finish(&mut current, &mut current_spans, false, sep)
            }
        }
    }
    finish(&mut current, &mut current_spans, false, Sep::Seq);
    expand_local_variables(&mut commands, env, partial);
    for c in &mut commands {
        c.calls_function = c.words.first().is_some_and(|w| functions.contains(w));
    }
    Script { commands, functions, guards }
}

/// The name a function definition's words give before its `()`: `name` or `function name`.
fn function_name(words: &[String]) -> Option<String> {
    let name = match words {
        [name] => name,
        [f, name] if f == "function" => name,
        _ => return None,
    };
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')))
        .then(|| name.clone())
}

/// `$NAME` and `${NAME}` of the `known` variables replaced by their values; anything else
/// (other variables, `${NAME:-…}` and the like) stays as written.
fn paste(word: &str, known: &[(String, String)]) -> String {
    let mut out = word.to_owned();
    for (k, v) in known.iter().rev() {
        out = out.replace(&format!("${{{k}}}"), v);
        let mut from = 0;
        while let Some(i) = out[from..].find(&format!("${k}")).map(|i| i + from) {
            let end = i + 1 + k.len();
            if out[end..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
                from = end;
                continue;
            }
            out.replace_range(i..end, v);
            from = i + v.len();
        }
    }
    out
}

/// Expand the variables the script itself sets to a literal, as the shell would: the
/// `buildDeps='gcc make'; apk add $buildDeps; …; apk del $buildDeps` idiom names its packages
/// only through one. A variable counts from a bare assignment, one before `set`/`export`/`:`
/// (special built-ins keep it), or `export NAME=…`, when it holds no command substitution and
/// runs whenever the command that uses it does, and (unless `partial`) holds no variable the
/// script has not set; with `partial`, those stay as written. A word that is just `$NAME`
/// splits into the value's words (unquoted use); inside a longer word the value is pasted as
/// it is. `env`
/// holds the values the script starts with (a Dockerfile's ARGs and ENVs), in scope
/// everywhere; one that itself names a variable is not used.
fn expand_local_variables(commands: &mut [SimpleCommand], env: &[(String, String)], partial: bool) {
    let mut vars: Vec<(String, String, Vec<u32>)> = env
        .iter()
        .filter(|(k, v)| !k.is_empty() && !v.contains('$') && !v.contains('`'))
        .map(|(k, v)| (k.clone(), v.clone(), Vec::new()))
        .collect();
    for c in commands.iter_mut() {
        if !vars.is_empty() {
            let known: Vec<(String, String)> = vars
                .iter()
                .filter(|(_, _, scope)| c.scope.starts_with(scope))
                .map(|(k, v, _)| (k.clone(), v.clone()))
                .collect();
            if !known.is_empty() {
                let mut words = Vec::with_capacity(c.words.len());
                let mut spans = Vec::with_capacity(c.spans.len());
                let old_spans = std::mem::take(&mut c.spans);
                for (k, w) in c.words.drain(..).enumerate() {
                    let span = old_spans.get(k).cloned().unwrap_or_default();
                    let name = w.strip_prefix('$').map(|n| n.trim_start_matches('{').trim_end_matches('}'));
                    match name.and_then(|n| known.iter().rev().find(|(k, _)| k == n)) {
                        Some((_, v)) if w.len() > 1 => {
                            for part in v.split_whitespace() {
                                words.push(part.to_owned());
                                spans.push(span.clone());
                            }
                        }
                        _ if w.contains('$') => {
                            words.push(paste(&w, &known));
                            spans.push(span);
                        }
                        _ => {
                            words.push(w);
                            spans.push(span);
                        }
                    }
                }
                c.words = words;
                c.spans = spans;
                for a in &mut c.assignments {
                    if a.contains('$') {
                        *a = paste(a, &known);
                    }
                }
            }
        }
        let keeps = c.words.is_empty() || matches!(c.words[0].as_str(), "set" | "export" | ":" | "readonly");
        if !keeps {
            continue;
        }
        let exported = c.words.iter().skip(1).filter(|w| c.words[0] == "export" && is_assignment(w));
        for a in c.assignments.iter().chain(exported) {
            let (k, v) = a.split_once('=').expect("an assignment has =");
            if v.contains("$(") || v.contains('`') || (!partial && v.contains('$')) {
                vars.retain(|(n, _, _)| n != k);
                continue;
            }
            vars.push((k.to_owned(), v.to_owned(), c.scope.clone()));
        }
    }
}

/// Whether the command after a `next` operator runs under a condition: after `||`; after
/// `&&` when this command is a test or is itself guarded; within a pipeline as its start.
/// After the right operand of `||`, `&&` goes on whenever the chain has not failed: `&&` and
/// `||` bind left to right, so `a || b && c` runs `c` when `a` or `b` succeeded, and in a
/// build that succeeds one did (`wget URL1 || wget URL2 && … && apk del …`, `… || true &&`).
/// A `;`, a parenthesis or a `case` branch's end starts afresh.
fn guards_next(next: Sep, is_test: bool, or_operand: bool, guarded: bool) -> bool {
    match next {
        Sep::Or => true,
        Sep::And if or_operand => false,
        Sep::And => is_test || guarded,
        Sep::Pipe => guarded,
        _ => false,
    }
}

/// The words of the last command pushed (the test a `&&` chain is guarded by).
fn words_for_guard(commands: &[SimpleCommand]) -> Vec<String> {
    commands.last().map(|c| c.words.clone()).unwrap_or_default()
}

/// Words that open or close a compound command.
const BLOCKS: &[&str] = &["case", "esac", "for", "in"];

/// How a command is joined to the next.
#[derive(Clone, Copy)]
enum Sep {
    /// `;`, a newline, `&`.
    Seq,
    /// `(`: a subshell, or the `()` of a function definition.
    Open,
    /// `;;`, the end of a case branch.
    CaseEnd,
    /// `)`.
    Close,
    And,
    Or,
    Pipe,
}

/// Split words with shell quoting, treating operators as ordinary characters
/// (for ENV/LABEL values and the like).
pub fn split_words(s: &str) -> Vec<String> {
    let mut lexer = Lexer::new(s);
    lexer.operators = false;
    let mut out = Vec::new();
    while let Some(t) = lexer.next_token() {
        if let Token::Word(w, _) = t {
            out.push(w);
        }
    }
    out
}

enum Token {
    /// A word, quotes removed, and its byte range in the text.
    Word(String, std::ops::Range<usize>),
    Pipe,
    Separator(Sep),
}

/// The characters of a text with their byte position, and one to look at ahead.
#[derive(Clone)]
struct Cursor<'a> {
    s: &'a str,
    pos: usize,
    peeked: Option<char>,
}

impl Cursor<'_> {
    fn peek(&mut self) -> Option<&char> {
        if self.peeked.is_none() {
            self.peeked = self.s[self.pos..].chars().next();
        }
        self.peeked.as_ref()
    }
}

impl Iterator for Cursor<'_> {
    type Item = char;
    fn next(&mut self) -> Option<char> {
        let c = self.s[self.pos..].chars().next()?;
        self.pos += c.len_utf8();
        self.peeked = None;
        Some(c)
    }
}

struct Lexer<'a> {
    chars: Cursor<'a>,
    operators: bool,
}

impl<'a> Lexer<'a> {
    fn new(s: &'a str) -> Self {
        Lexer { chars: Cursor { s, pos: 0, peeked: None }, operators: true }
    }

    /// Whether the next token is `)` (the `()` of a function definition), without taking it.
    fn closes_next(&self) -> bool {
        let mut probe = Lexer { chars: self.chars.clone(), operators: self.operators };
        matches!(probe.next_token(), Some(Token::Separator(Sep::Close)))
    }

    fn next_token(&mut self) -> Option<Token> {
        // skip blanks and comments
        loop {
            match self.chars.peek() {
                Some(' ' | '\t' | '\r') => {
                    self.chars.next();
                }
                // without operators a newline is just a blank
                Some('\n') if !self.operators => {
                    self.chars.next();
                }
                Some('\\') => {
                    // a stray line continuation
                    let mut probe = self.chars.clone();
                    probe.next();
                    if probe.peek() == Some(&'\n') {
                        self.chars.next();
                        self.chars.next();
                    } else {
                        break;
                    }
                }
                Some('#') if self.operators => {
                    while self.chars.peek().is_some_and(|&c| c != '\n') {
                        self.chars.next();
                    }
                }
                _ => break,
            }
        }
        let c = *self.chars.peek()?;
        if self.operators {
            match c {
                ';' => {
                    self.chars.next();
                    if self.chars.peek() == Some(&';') {
                        self.chars.next();
                        return Some(Token::Separator(Sep::CaseEnd));
                    }
                    return Some(Token::Separator(Sep::Seq));
                }
                '\n' => {
                    self.chars.next();
                    return Some(Token::Separator(Sep::Seq));
                }
                '&' => {
                    self.chars.next();
                    if self.chars.peek() == Some(&'&') {
                        self.chars.next();
                        return Some(Token::Separator(Sep::And));
                    }
                    return Some(Token::Separator(Sep::Seq));
                }
                '|' => {
                    self.chars.next();
                    if self.chars.peek() == Some(&'|') {
                        self.chars.next();
                        return Some(Token::Separator(Sep::Or));
                    }
                    return Some(Token::Pipe);
                }
                '(' => {
                    self.chars.next();
                    return Some(Token::Separator(Sep::Open));
                }
                ')' => {
                    self.chars.next();
                    return Some(Token::Separator(Sep::Close));
                }
                _ => {}
            }
        }
        let start = self.chars.pos;
        let word = self.word();
        if word.is_empty() && self.chars.peek() == Some(&c) {
            // Guarantee progress whatever the input: never yield an empty word in place.
            self.chars.next();
        }
        Some(Token::Word(word, start..self.chars.pos))
    }

    fn word(&mut self) -> String {
        let mut w = String::new();
        while let Some(&c) = self.chars.peek() {
            match c {
                ' ' | '\t' | '\r' | '\n' => break,
                // `>&2`, `2>&1`, `<&0`: a redirection to a descriptor, not a background `&`
                '&' if w.ends_with(['>', '<']) => {
                    self.chars.next();
                    w.push('&');
                }
                ';' | '&' | '|' | '(' | ')' if self.operators => break,
                '\'' => {
                    self.chars.next();
                    for c in self.chars.by_ref() {
                        if c == '\'' {
                            break;
                        }
                        w.push(c);
                    }
                }
                '"' => {
                    self.chars.next();
                    while let Some(c) = self.chars.next() {
                        match c {
                            '"' => break,
                            '\\' => {
                                if let Some(n) = self.chars.next() {
                                    if !matches!(n, '"' | '\\' | '$' | '`' | '\n') {
                                        w.push('\\');
                                    }
                                    if n != '\n' {
                                        w.push(n);
                                    }
                                }
                            }
                            // a substitution inside the quotes is copied whole: its own
                            // quotes (`"$(A="x y" cmd)"`) do not end the outer ones
                            '$' if matches!(self.chars.peek(), Some(&('(' | '{'))) => {
                                w.push('$');
                                let open = *self.chars.peek().unwrap_or(&'(');
                                self.balanced(&mut w, open, if open == '(' { ')' } else { '}' });
                            }
                            '`' => {
                                w.push('`');
                                for c in self.chars.by_ref() {
                                    w.push(c);
                                    if c == '`' {
                                        break;
                                    }
                                }
                            }
                            _ => w.push(c),
                        }
                    }
                }
                '\\' => {
                    self.chars.next();
                    match self.chars.next() {
                        Some('\n') | None => {}
                        Some(n) => w.push(n),
                    }
                }
                '$' => {
                    self.chars.next();
                    w.push('$');
                    if self.chars.peek() == Some(&'(') {
                        self.balanced(&mut w, '(', ')');
                    } else if self.chars.peek() == Some(&'{') {
                        self.balanced(&mut w, '{', '}');
                    }
                }
                '`' => {
                    self.chars.next();
                    w.push('`');
                    for c in self.chars.by_ref() {
                        w.push(c);
                        if c == '`' {
                            break;
                        }
                    }
                }
                _ => {
                    w.push(c);
                    self.chars.next();
                }
            }
        }
        w
    }

    /// Copy a `(…)`/`{…}` group verbatim, nesting included; a bracket inside quotes or after a
    /// backslash (`$(printf ')')`, `$(echo "a)b")`) neither opens nor closes it.
    fn balanced(&mut self, w: &mut String, open: char, close: char) {
        let mut depth = 0usize;
        let (mut single, mut double) = (false, false);
        while let Some(c) = self.chars.next() {
            w.push(c);
            match c {
                '\\' if !single => {
                    if let Some(n) = self.chars.next() {
                        w.push(n);
                    }
                }
                '\'' if !double => single = !single,
                '"' if !single => double = !double,
                _ if single || double => {}
                _ if c == open => depth += 1,
                _ if c == close => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
    }
}

/// Whether `text` names the variable `name` (`$name` or `${name…}`, not `$NAME2`).
pub fn names_variable(text: &str, name: &str) -> bool {
    text.match_indices('$').any(|(at, _)| {
        let after = &text[at + 1..];
        let after = after.strip_prefix('{').unwrap_or(after);
        after.strip_prefix(name).is_some_and(|tail| !tail.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<Vec<String>> {
        parse(s).commands.into_iter().map(|c| c.words).collect()
    }

    /// `>&2` and `2>&1` redirect to a descriptor: no background `&`, no command named `2`
    /// (the official images' `echo >&2 "unsupported architecture"` in an arch `case`).
    #[test]
    fn redirections_to_descriptors_are_words() {
        let s =
            parse("case x in *) echo >&2 \"unsupported architecture: $arch\"; exit 1 ;; esac && make 2>&1 | tee log");
        let programs: Vec<&str> = s.commands.iter().map(|c| c.program()).collect();
        assert_eq!(programs, ["echo", "exit", "make", "tee"]);
        assert_eq!(s.commands[2].words, ["make", "2>&1"]);
    }

    /// docker-library/tomcat's `ddist() { … curl …; }; ddist tomcat.tar.gz …`: the definition
    /// is no command, its body's commands are, and a call of it is marked as one.
    #[test]
    fn function_definitions() {
        let s =
            parse("ddist() { local f=\"$1\"; curl -fL -o \"$f\" x; [ -s \"$f\" ]; }; ddist a.tgz; ( cd x && make )");
        let programs: Vec<&str> = s.commands.iter().map(|c| c.program()).collect();
        assert_eq!(programs, ["local", "curl", "[", "ddist", "cd", "make"]);
        assert_eq!(s.functions, ["ddist"]);
        assert!(s.commands[3].calls_function && !s.commands[1].calls_function);
        let s = parse("function fetch { wget -q \"$1\"; }\nfunction other() { true; }\nfetch u && other");
        assert_eq!(s.functions, ["fetch", "other"]);
        let programs: Vec<&str> = s.commands.iter().map(|c| c.program()).collect();
        assert_eq!(programs, ["wget", "true", "fetch", "other"]);
        assert!(s.commands[2].calls_function && s.commands[3].calls_function);
        // a subshell after a command word is no definition
        assert!(parse("echo (x)").functions.is_empty());
    }

    #[test]
    fn splits_on_operators() {
        assert_eq!(
            words("apt-get update && apt-get install -y 'a b' ; echo \"x y\" || true"),
            vec![vec!["apt-get", "update"], vec!["apt-get", "install", "-y", "a b"], vec!["echo", "x y"], vec!["true"]]
        );
    }

    #[test]
    fn pipes_comments_and_substitutions() {
        let s = parse("curl -s $(echo a | b) | tar -x # trailing | comment\nset -eux");
        assert_eq!(s.commands.len(), 3);
        assert!(s.commands[0].pipes_into_next);
        assert_eq!(s.commands[0].words[2], "$(echo a | b)");
        assert!(s.has_pipe());
        assert!(!s.sets_pipefail());
        assert!(parse("set -euxo pipefail; a | b").sets_pipefail());
        // a substitution in double quotes with quotes of its own (nginx/unit's hardening
        // flags): one assignment, then the build, not a command cut at the inner quote
        let s = parse(
            r#"CC_OPT="$(A="hardening=+all,-pie" B="-Wp,-D_FORTIFY_SOURCE=2 -fPIC" dpkg-buildflags --get CFLAGS)" && ./configure --cc-opt="$CC_OPT""#,
        );
        assert_eq!(s.commands.len(), 2, "{:?}", s.commands.iter().map(|c| &c.words).collect::<Vec<_>>());
        assert_eq!(s.commands[1].program(), "configure");
        // brackets inside the substitution's quotes neither open nor close it
        let s = parse(r#"X="$(echo 'a)b' "c(d")" && make"#);
        assert_eq!(s.commands.len(), 2);
        assert_eq!(s.commands[1].program(), "make");
        assert_eq!(parse("echo `date` \"`uname -r`\" && make").commands.len(), 2);
    }

    #[test]
    fn wrappers_assignments_and_reserved_words() {
        let s = parse("DEBIAN_FRONTEND=noninteractive sudo -u root apt-get -q install curl; if true; then make; fi");
        let c = &s.commands[0];
        assert_eq!(c.assignments, vec!["DEBIAN_FRONTEND=noninteractive"]);
        assert_eq!(c.program(), "apt-get");
        assert_eq!(c.subcommand(), Some("install"));
        assert!(s.calls(&["make"]).next().is_some());
    }

    #[test]
    fn newlines_never_stall_word_splitting() {
        // found by the fuzzer: a CMD in shell form spanning lines looped forever
        assert_eq!(split_words("a\nb\n\n c"), vec!["a", "b", "c"]);
        let crash = std::fs::read("fuzz/regressions/split-words-newline").unwrap();
        let f = crate::lint::lint_bytes(&crash, "D", &crate::lint::LintConfig::default());
        assert!(!f.is_empty());
    }

    #[test]
    fn conditional_commands() {
        let s = parse(
            "apk add gcc; if [ -n \"$x\" ]; then apk del gcc; fi; make || apk del b; [ -f /x ] && rm /x; apk del c",
        );
        let cond: Vec<(String, bool)> = s.commands.iter().map(|c| (c.words.join(" "), c.conditional())).collect();
        assert_eq!(
            cond,
            [
                ("apk add gcc".to_owned(), false),
                ("[ -n $x ]".into(), false),
                ("apk del gcc".into(), true),
                ("make".into(), false),
                ("apk del b".into(), true),
                ("[ -f /x ]".into(), false),
                ("rm /x".into(), true),
                ("apk del c".into(), false),
            ]
        );
        let s = parse("case \"$a\" in amd64) apt-get purge -y gcc ;; esac; apt-get purge -y make");
        let c: Vec<(String, bool)> = s.commands.iter().map(|c| (c.words.join(" "), c.conditional())).collect();
        assert_eq!(c, [("apt-get purge -y gcc".to_owned(), true), ("apt-get purge -y make".into(), false)]);
        // the `&&` chain of a RUN is not a condition
        assert!(parse("apt-get update && apt-get purge -y gcc").commands.iter().all(|c| !c.conditional()));
        // after `|| true &&` (or `|| :`, or any right operand of `||`) the chain goes on
        // whenever the build succeeds (sogo's purge; hwdsl2's `wget A || wget B && … apk del`)
        let s = parse("pip install x || true && apt-get purge -y gcc && rm -rf /x; make || : && apk del b; make || echo no && apk del c");
        let c: Vec<(String, bool)> = s.commands.iter().map(|c| (c.words.join(" "), c.conditional())).collect();
        assert_eq!(
            c,
            [
                ("pip install x".to_owned(), false),
                ("true".into(), true),
                ("apt-get purge -y gcc".into(), false),
                ("rm -rf /x".into(), false),
                ("make".into(), false),
                (":".into(), true),
                ("apk del b".into(), false),
                ("make".into(), false),
                ("echo no".into(), true),
                ("apk del c".into(), false),
            ]
        );
        // same branch: the removal runs whenever the install does; other branches do not
        let s = parse("case $a in x) apk add gcc && make && apk del gcc ;; a|b) apk del gcc ;; esac; apk del gcc");
        let w: Vec<String> = s.commands.iter().map(|c| c.words.join(" ")).collect();
        assert_eq!(w, ["apk add gcc", "make", "apk del gcc", "apk del gcc", "apk del gcc"]);
        let s2 = parse("case \"$a\" in\n  x86_64|aarch64)\n    apk add gcc ;;\n  *)\n    make ;;\nesac");
        let w2: Vec<String> = s2.commands.iter().map(|c| c.words.join(" ")).collect();
        assert_eq!(w2, ["apk add gcc", "make"]);
        let (add, del_same, del_other, del_after) = (&s.commands[0], &s.commands[2], &s.commands[3], &s.commands[4]);
        assert!(add.conditional() && !del_after.conditional());
        assert!(del_same.runs_whenever(add) && del_after.runs_whenever(add) && !del_other.runs_whenever(add));
        let s = parse("if [ -z $x ]; then apk add gcc; else apk del gcc; fi");
        assert!(!s.commands[2].runs_whenever(&s.commands[1]));
    }

    #[test]
    fn split_words_keeps_operators() {
        assert_eq!(split_words("A=\"1 2\" B=a&&b"), vec!["A=1 2", "B=a&&b"]);
    }
}
