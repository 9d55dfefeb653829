//! A value tree that knows the line each value starts on, read from YAML (workflows, compose
//! files) or from JSON with comments and trailing commas (dev containers, bake's JSON). The ship
//! model's evidence names `file:line`, and `yaml_serde` keeps no positions, so the repository's
//! build files are read here: YAML through `yaml-rust2`'s event parser (anchors, aliases and
//! `<<` merge keys resolved), JSON through `jsonc-parser`'s syntax tree. Pure.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A value and the line (1-based) it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub line: usize,
    pub value: Value,
}

/// What a node holds. Scalars stay text (`true`, `1`, `null` as written), since the readers
/// compare them as the tools they model do; quoted scalars are never null.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Scalar(String),
    Seq(Vec<Node>),
    /// Entries in source order; a later duplicate key wins in [`Node::get`].
    Map(Vec<(String, Node)>),
}

impl Node {
    fn new(line: usize, value: Value) -> Node {
        Node { line, value }
    }

    /// The value under `key`, for a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The entries of a mapping (empty for anything else).
    pub fn entries(&self) -> &[(String, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The items of a sequence (empty for anything else).
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// The text of a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// `get(key)` as text.
    pub fn str_at(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Node::as_str)
    }

    /// A scalar, or every scalar of a sequence: how workflows and compose files accept both
    /// `tags: a` and `tags: [a, b]`.
    pub fn strings(&self) -> Vec<&str> {
        match &self.value {
            Value::Scalar(s) => vec![s.as_str()],
            Value::Seq(items) => items.iter().filter_map(Node::as_str).collect(),
            _ => Vec::new(),
        }
    }
}

/// A file that is not the YAML or JSON it should be: the message and the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: usize,
    pub message: String,
}

/// Read the first YAML document of `text`. Aliases are replaced by what their anchor
/// holds, and `<<: *anchor` (or a list of anchors) merges the anchored mappings' keys that the
/// mapping does not set itself.
pub fn yaml(text: &str) -> Result<Node, SyntaxError> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser
        .load(&mut builder, false)
        .map_err(|e| SyntaxError { line: e.marker().line(), message: e.info().to_owned() })?;
    if let Some(message) = builder.error {
        return Err(SyntaxError { line: builder.error_line, message });
    }
    Ok(builder.root.unwrap_or(Node::new(1, Value::Null)))
}

/// What is being built: a sequence, or a mapping with the key waiting for its value.
enum Open {
    Seq(usize, usize, Vec<Node>),
    Map(usize, usize, Vec<(String, Node)>, Option<(String, usize)>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Open>,
    anchors: std::collections::HashMap<usize, Node>,
    root: Option<Node>,
    done: bool,
    error: Option<String>,
    error_line: usize,
}

/// At most this many nodes are made from one file: aliases can multiply a small file
/// ("billion laughs"), and a build file never needs that many.
const MAX_NODES: usize = 1_000_000;

impl Builder {
    fn push(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
                self.done = true;
            }
            Some(Open::Seq(_, _, items)) => items.push(node),
            // a value's line is its key's: where a reader looks for `build:`
            Some(Open::Map(_, _, entries, key)) => match key.take() {
                None => *key = Some((scalar_key(&node), node.line)),
                Some((k, _)) if k == "<<" => merge(entries, node),
                Some((k, line)) => entries.push((k, Node { line, ..node })),
            },
        }
    }

    fn fail(&mut self, line: usize, message: &str) {
        if self.error.is_none() {
            self.error = Some(message.to_owned());
            self.error_line = line;
        }
    }
}

/// A mapping key as text (a complex key becomes empty: no reader looks one up).
fn scalar_key(node: &Node) -> String {
    node.as_str().map(str::to_owned).unwrap_or_default()
}

/// `<<: *a` or `<<: [*a, *b]`: keys the mapping does not have yet, first anchor first.
fn merge(entries: &mut Vec<(String, Node)>, from: Node) {
    let sources = match from.value {
        Value::Seq(items) => items,
        other => vec![Node::new(from.line, other)],
    };
    for source in sources {
        if let Value::Map(more) = source.value {
            for (k, v) in more {
                if !entries.iter().any(|(e, _)| *e == k) {
                    entries.push((k, v));
                }
            }
        }
    }
}

fn count(node: &Node) -> usize {
    1 + match &node.value {
        Value::Seq(items) => items.iter().map(count).sum(),
        Value::Map(entries) => entries.iter().map(|(_, v)| count(v)).sum(),
        _ => 0,
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.done || self.error.is_some() {
            return;
        }
        let line = mark.line();
        match ev {
            Event::Scalar(text, style, anchor, _) => {
                let plain = style == TScalarStyle::Plain;
                let value = if plain && matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL") {
                    Value::Null
                } else {
                    Value::Scalar(text)
                };
                self.push(Node::new(line, value), anchor);
            }
            Event::Alias(id) => match self.anchors.get(&id).cloned() {
                Some(node) if count(&node) <= MAX_NODES / 100 => self.push(node, 0),
                Some(_) => self.fail(line, "an alias repeats too large a value"),
                None => self.fail(line, "an alias names no anchor"),
            },
            Event::SequenceStart(anchor, _) => self.stack.push(Open::Seq(line, anchor, Vec::new())),
            Event::MappingStart(anchor, _) => self.stack.push(Open::Map(line, anchor, Vec::new(), None)),
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Open::Seq(l, anchor, items)) => self.push(Node::new(l, Value::Seq(items)), anchor),
                Some(Open::Map(l, anchor, entries, _)) => self.push(Node::new(l, Value::Map(entries)), anchor),
                None => self.fail(line, "unbalanced YAML"),
            },
            _ => {}
        }
    }
}

/// Read JSON with comments and trailing commas (`devcontainer.json`, a bake file in JSON).
pub fn jsonc(text: &str) -> Result<Node, SyntaxError> {
    let lines = LineIndex::new(text);
    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default())
        .map_err(|e| SyntaxError { line: lines.line(e.range().start), message: e.kind().to_string() })?;
    Ok(match parsed.value {
        Some(v) => from_json(&v, &lines),
        None => Node::new(1, Value::Null),
    })
}

fn from_json(v: &jsonc_parser::ast::Value, lines: &LineIndex) -> Node {
    use jsonc_parser::ast::Value as J;
    match v {
        J::StringLit(s) => Node::new(lines.line(s.range.start), Value::Scalar(s.value.to_string())),
        J::NumberLit(n) => Node::new(lines.line(n.range.start), Value::Scalar(n.value.to_owned())),
        J::BooleanLit(b) => Node::new(lines.line(b.range.start), Value::Scalar(b.value.to_string())),
        J::NullKeyword(n) => Node::new(lines.line(n.range.start), Value::Null),
        J::Array(a) => {
            Node::new(lines.line(a.range.start), Value::Seq(a.elements.iter().map(|e| from_json(e, lines)).collect()))
        }
        J::Object(o) => Node::new(
            lines.line(o.range.start),
            Value::Map(
                o.properties
                    .iter()
                    .map(|p| {
                        let mut value = from_json(&p.value, lines);
                        // the key's line: where a reader looks for `"dockerfile": …`
                        value.line = lines.line(p.range.start);
                        (p.name.clone().into_string(), value)
                    })
                    .collect(),
            ),
        ),
    }
}

/// Byte offset → line, by binary search over the line starts.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The 1-based line of byte `offset`.
    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_values_know_their_lines() {
        let text = "on: push\njobs:\n  build:\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          push: true\n          tags: |\n            a\n            b\n";
        let doc = yaml(text).unwrap();
        let step = &doc.get("jobs").unwrap().get("build").unwrap().get("steps").unwrap().items()[0];
        assert_eq!(step.line, 5);
        assert_eq!(step.str_at("uses"), Some("docker/build-push-action@v6"));
        let with = step.get("with").unwrap();
        assert_eq!((with.get("push").unwrap().line, with.str_at("push")), (7, Some("true")));
        assert_eq!(with.str_at("tags"), Some("a\nb\n"));
        // a mapping or block value is on its key's line
        assert_eq!(doc.get("jobs").unwrap().get("build").unwrap().line, 3);
        assert_eq!(with.get("tags").unwrap().line, 8);
    }

    #[test]
    fn anchors_aliases_and_merge_keys_resolve() {
        let text = "x-base: &base\n  build: .\n  volumes: [./:/app]\nservices:\n  web:\n    <<: *base\n    image: web\n  worker:\n    <<: [*base]\n    build: ./worker\n";
        let doc = yaml(text).unwrap();
        let web = doc.get("services").unwrap().get("web").unwrap();
        assert_eq!(web.str_at("build"), Some("."));
        assert_eq!(web.str_at("image"), Some("web"));
        assert_eq!(web.get("volumes").unwrap().strings(), ["./:/app"]);
        // a key the mapping sets itself wins over the merged one
        assert_eq!(doc.get("services").unwrap().get("worker").unwrap().str_at("build"), Some("./worker"));
    }

    #[test]
    fn nulls_and_quoted_scalars() {
        let doc = yaml("a:\nb: ~\nc: 'null'\nd: \"\"\n").unwrap();
        assert_eq!(doc.get("a").unwrap().value, Value::Null);
        assert_eq!(doc.get("b").unwrap().value, Value::Null);
        assert_eq!(doc.str_at("c"), Some("null"));
        assert_eq!(doc.str_at("d"), Some(""));
    }

    #[test]
    fn broken_yaml_says_where() {
        let e = yaml("a: [\n  b\nc: d: e\n").unwrap_err();
        assert!(e.line >= 1 && !e.message.is_empty(), "{e:?}");
        // an alias to nothing
        assert!(yaml("a: *nope\n").is_err());
    }

    #[test]
    fn alias_bombs_are_bounded() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let e = yaml(&text).unwrap_err();
        assert!(e.message.contains("too large"), "{e:?}");
    }

    #[test]
    fn json_with_comments_and_trailing_commas() {
        let text = "{\n  // the dev image\n  \"name\": \"dev\",\n  \"build\": {\n    \"dockerfile\": \"Dockerfile\",\n    \"target\": \"dev\", /* trailing */\n  },\n}\n";
        let doc = jsonc(text).unwrap();
        let build = doc.get("build").unwrap();
        assert_eq!(build.line, 4);
        assert_eq!((build.get("dockerfile").unwrap().line, build.str_at("dockerfile")), (5, Some("Dockerfile")));
        assert_eq!(build.str_at("target"), Some("dev"));
        assert!(jsonc("{\"a\": }").is_err());
    }
}
