//! A YAML reader that keeps where every node came from.
//!
//! The org file and hand-written templates are read into [`Node`] trees with spans, so any
//! later finding can point at `file:line:col`. It refuses what YAML allows but a config must
//! not have: duplicate keys, merge keys, several documents, and hostile input (deep nesting,
//! alias bombs, huge files) fails fast.

use std::collections::HashMap;
use std::hash::BuildHasher;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError};

/// Largest input read, in bytes.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;
/// Deepest nesting of maps and lists accepted.
pub const MAX_DEPTH: usize = 64;
/// What aliases may add beyond what the file holds, in bytes of memory (a node costs
/// [`NODE_WEIGHT`], plus the bytes of its text): 1 MiB, or twice the file's size when that
/// is more. Counting text as well as nodes stops one long string aliased many times as well
/// as nested lists of aliases.
const MIN_ALIAS_BUDGET: usize = 1024 * 1024;
/// What one node costs in memory, roughly, beyond its text.
const NODE_WEIGHT: usize = 64;
/// Maps with more entries than this get an index, so that finding a key (duplicate checks,
/// locating a finding) stays fast however large the map.
const INDEX_FROM: usize = 16;

/// A position: 1-based line and column (columns count characters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
}

/// Where a node starts and ends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    /// First character.
    pub start: Pos,
    /// One past the last character (may be on a later line).
    pub end: Pos,
}

impl Span {
    fn from_saphyr(span: &saphyr_parser::Span) -> Self {
        let pos = |m: &saphyr_parser::Marker| Pos { line: m.line(), col: m.col() + 1 };
        Self { start: pos(&span.start), end: pos(&span.end) }
    }
}

/// How a scalar was written; plain scalars are the ones YAML resolves to other types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Unquoted.
    Plain,
    /// Quoted or block (`|`, `>`): always a string.
    Quoted,
}

/// A YAML node with its span and optional tag (`!Ref`, `!!str`).
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The content.
    pub kind: NodeKind,
    /// Where it was written.
    pub span: Span,
    /// The tag as written, `!` included (`!Ref`, `!!str`), if any.
    pub tag: Option<String>,
}

/// The content of a node.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// A scalar's text and style.
    Scalar(String, Style),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in file order; keys are unique.
    Map(Entries),
}

/// The entries of a mapping, in file order, with an index by key when there are many.
#[derive(Clone, Debug, Default)]
pub struct Entries {
    items: Vec<(Key, Node)>,
    // Boxed: most maps are small and have none, and every node is as large as its largest kind.
    index: Option<Box<Index>>,
}

/// An open-addressing table of positions in `items` (plus one; 0 is empty), hashed by key
/// with the standard library's randomly keyed hasher, so that no input can make lookups
/// collide. It holds no copy of the keys.
#[derive(Clone, Debug)]
struct Index {
    hasher: std::collections::hash_map::RandomState,
    slots: Vec<u32>,
}

impl Index {
    fn slot(&self, key: &str) -> usize {
        (self.hasher.hash_one(key) as usize) & (self.slots.len() - 1)
    }

    /// The table for `items`, sized for at least twice as many.
    fn build(items: &[(Key, Node)], hasher: std::collections::hash_map::RandomState) -> Self {
        let mut index = Self { hasher, slots: vec![0; (items.len() * 2).next_power_of_two().max(64)] };
        for i in 0..items.len() {
            index.insert(items, i);
        }
        index
    }

    fn insert(&mut self, items: &[(Key, Node)], i: usize) {
        let mask = self.slots.len() - 1;
        let mut at = self.slot(&items[i].0.value);
        while self.slots[at] != 0 {
            at = (at + 1) & mask;
        }
        self.slots[at] = u32::try_from(i + 1).unwrap_or(u32::MAX);
    }

    fn find(&self, items: &[(Key, Node)], key: &str) -> Option<usize> {
        let mask = self.slots.len() - 1;
        let mut at = self.slot(key);
        loop {
            let i = (self.slots[at] as usize).checked_sub(1)?;
            if items.get(i).is_some_and(|(k, _)| k.value == key) {
                return Some(i);
            }
            at = (at + 1) & mask;
        }
    }
}

impl Entries {
    /// The entry under `key`.
    pub fn find(&self, key: &str) -> Option<&(Key, Node)> {
        match &self.index {
            Some(index) => index.find(&self.items, key).map(|i| &self.items[i]),
            None => self.items.iter().find(|(k, _)| k.value == key),
        }
    }

    fn push(&mut self, key: Key, value: Node) {
        self.items.push((key, value));
        let n = self.items.len();
        match &mut self.index {
            // Kept at most half full, so that probes stay short.
            Some(index) if n * 2 > index.slots.len() => {
                let hasher = index.hasher.clone();
                **index = Index::build(&self.items, hasher);
            }
            Some(index) => index.insert(&self.items, n - 1),
            None if n > INDEX_FROM => self.index = Some(Box::new(Index::build(&self.items, Default::default()))),
            None => {}
        }
    }
}

impl std::ops::Deref for Entries {
    type Target = [(Key, Node)];
    fn deref(&self) -> &Self::Target {
        &self.items
    }
}

impl<'a> IntoIterator for &'a Entries {
    type Item = &'a (Key, Node);
    type IntoIter = std::slice::Iter<'a, (Key, Node)>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl PartialEq for Entries {
    fn eq(&self, other: &Self) -> bool {
        self.items == other.items
    }
}

impl FromIterator<(Key, Node)> for Entries {
    fn from_iter<I: IntoIterator<Item = (Key, Node)>>(iter: I) -> Self {
        let mut e = Self::default();
        for (k, v) in iter {
            e.push(k, v);
        }
        e
    }
}

/// A mapping key: always a scalar.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    /// The key's text.
    pub value: String,
    /// Where the key was written.
    pub span: Span,
}

/// What kind of problem stopped reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Not YAML, or not the YAML subset studioform reads.
    Syntax,
    /// A key written twice in one map.
    DuplicateKey,
    /// Too large, too deep, or aliases that expand too far.
    Limit,
}

/// Why a YAML text could not be read.
#[derive(Clone, Debug, PartialEq)]
pub struct YamlError {
    /// What kind of problem.
    pub kind: Problem,
    /// What went wrong.
    pub message: String,
    /// Where.
    pub span: Span,
    /// How to fix it, when known.
    pub help: Option<String>,
}

impl Node {
    /// The mapping entry under `key`, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Self> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The mapping entry (key and value) under `key`.
    pub fn entry(&self, key: &str) -> Option<(&Key, &Self)> {
        match &self.kind {
            NodeKind::Map(entries) => entries.find(key).map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    /// The scalar text, if this is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    /// A short noun for the node's kind, for messages ("a map", "a list", "a string").
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            NodeKind::Map(_) => "a map",
            NodeKind::Seq(_) => "a list",
            NodeKind::Scalar(s, Style::Plain) => match resolve_plain(s) {
                Plain::Null => "an empty value",
                Plain::Bool(_) => "a boolean",
                Plain::Int(_) => "an integer",
                Plain::Float(_) => "a number",
                Plain::Timestamp => "a date",
                Plain::Str => "a string",
            },
            NodeKind::Scalar(..) => "a string",
        }
    }

    /// What a copy of this node costs in memory, roughly: [`NODE_WEIGHT`] per node, plus the
    /// bytes of its text.
    fn weight(&self) -> usize {
        let tag = self.tag.as_ref().map_or(0, String::len);
        NODE_WEIGHT
            + tag
            + match &self.kind {
                NodeKind::Scalar(s, _) => s.len(),
                NodeKind::Seq(items) => items.iter().map(Self::weight).sum::<usize>(),
                NodeKind::Map(entries) => {
                    entries.iter().map(|(k, v)| NODE_WEIGHT + k.value.len() + v.weight()).sum::<usize>()
                }
            }
    }
}

/// What a plain scalar means under the YAML 1.2 core schema.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Plain {
    /// `null`, `~` or empty.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A date or date-time (YAML 1.1 only).
    Timestamp,
    /// Anything else: a string.
    Str,
}

/// Resolves a plain scalar by the YAML 1.2 core schema.
pub fn resolve_plain(s: &str) -> Plain {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Plain::Null,
        "true" | "True" | "TRUE" => return Plain::Bool(true),
        "false" | "False" | "FALSE" => return Plain::Bool(false),
        _ => {}
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && let Ok(i) = s.parse::<i64>()
    {
        return Plain::Int(i);
    }
    if let Some(hex) = s.strip_prefix("0x")
        && let Ok(i) = i64::from_str_radix(hex, 16)
    {
        return Plain::Int(i);
    }
    if let Some(oct) = s.strip_prefix("0o")
        && let Ok(i) = i64::from_str_radix(oct, 8)
    {
        return Plain::Int(i);
    }
    let looks_numeric = digits.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && digits.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
    if looks_numeric
        && digits.bytes().any(|b| b.is_ascii_digit())
        && let Ok(f) = s.parse::<f64>()
    {
        return Plain::Float(f);
    }
    match digits {
        ".inf" | ".Inf" | ".INF" => Plain::Float(if s.starts_with('-') { f64::NEG_INFINITY } else { f64::INFINITY }),
        ".nan" | ".NaN" | ".NAN" if digits == s => Plain::Float(f64::NAN),
        _ => Plain::Str,
    }
}

/// What a plain scalar means to a YAML 1.1 reader, as CloudFormation and cfn-lint (PyYAML)
/// read templates: `yes`, `off`, `0123` (octal), `1_000`, `12:30` (base 60) and
/// `2010-09-09` (a date) are not strings there.
/// <https://yaml.org/type/bool.html>, <https://yaml.org/type/int.html>,
/// <https://yaml.org/type/float.html>, <https://yaml.org/type/timestamp.html>
pub fn resolve_plain_1_1(s: &str) -> Plain {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Plain::Null,
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => return Plain::Bool(true),
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => return Plain::Bool(false),
        _ => {}
    }
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    let negative = s.starts_with('-');
    let digits_ = |t: &str, radix: u32| !t.is_empty() && t.chars().all(|c| c == '_' || c.is_digit(radix));
    let int = |t: &str, radix: u32| {
        i64::from_str_radix(&t.replace('_', ""), radix).ok().map(|v| Plain::Int(if negative { -v } else { v }))
    };
    if let Some(b) = unsigned.strip_prefix("0b")
        && digits_(b, 2)
    {
        return int(b, 2).unwrap_or(Plain::Str);
    }
    if let Some(x) = unsigned.strip_prefix("0x")
        && digits_(x, 16)
    {
        return int(x, 16).unwrap_or(Plain::Str);
    }
    if unsigned == "0" {
        return Plain::Int(0);
    }
    if let Some(o) = unsigned.strip_prefix('0')
        && digits_(o, 8)
    {
        return int(o, 8).unwrap_or(Plain::Str);
    }
    if unsigned.starts_with(|c: char| c.is_ascii_digit() && c != '0') && digits_(unsigned, 10) {
        return int(unsigned, 10).unwrap_or(Plain::Float(f64::INFINITY));
    }
    if is_sexagesimal(unsigned) {
        let mut value = 0f64;
        for part in unsigned.split(':') {
            value = value * 60.0 + part.replace('_', "").parse::<f64>().unwrap_or(0.0);
        }
        return Plain::Float(if negative { -value } else { value });
    }
    if is_float_1_1(unsigned) {
        let v = unsigned.replace('_', "").parse::<f64>().unwrap_or(0.0);
        return Plain::Float(if negative { -v } else { v });
    }
    match unsigned {
        ".inf" | ".Inf" | ".INF" => return Plain::Float(if negative { f64::NEG_INFINITY } else { f64::INFINITY }),
        ".nan" | ".NaN" | ".NAN" if unsigned == s => return Plain::Float(f64::NAN),
        _ => {}
    }
    if is_timestamp(s) {
        return Plain::Timestamp;
    }
    Plain::Str
}

/// `[1-9][0-9_]*(:[0-5]?[0-9])+` with an optional `.fraction`: YAML 1.1 base 60.
fn is_sexagesimal(s: &str) -> bool {
    let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
    let mut parts = whole.split(':');
    let Some(head) = parts.next() else { return false };
    let rest: Vec<&str> = parts.collect();
    !rest.is_empty()
        && head.starts_with(|c: char| c.is_ascii_digit())
        && head.chars().all(|c| c.is_ascii_digit() || c == '_')
        && rest.iter().all(|p| {
            (1..=2).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()) && p.parse::<u8>().is_ok_and(|n| n < 60)
        })
        && fraction.chars().all(|c| c.is_ascii_digit() || c == '_')
}

/// `[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)?` or `\.[0-9_]+([eE][-+][0-9]+)?`.
fn is_float_1_1(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let Some((whole, fraction)) = mantissa.split_once('.') else { return false };
    let digits = |t: &str| t.chars().all(|c| c.is_ascii_digit() || c == '_');
    let mantissa_ok = if whole.is_empty() {
        !fraction.is_empty() && digits(fraction)
    } else {
        whole.starts_with(|c: char| c.is_ascii_digit()) && digits(whole) && digits(fraction)
    };
    let exponent_ok = exponent.is_none_or(|e| {
        e.strip_prefix(['-', '+']).is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
    });
    mantissa_ok && exponent_ok
}

/// `YYYY-MM-DD`, optionally followed by a time: what YAML 1.1 reads as a timestamp.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let date = b.len() >= 8
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && s[5..]
            .split(['-', 'T', 't', ' '])
            .take(2)
            .all(|p| (1..=2).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_digit()));
    date && s[5..].split('-').count() >= 2
}

/// Reads one YAML document into a [`Node`]. An empty document is an empty map.
pub fn parse(text: &str) -> Result<Node, YamlError> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(YamlError {
            kind: Problem::Limit,
            message: format!("the file is {} bytes; studioform reads at most {} bytes", text.len(), MAX_INPUT_BYTES),
            span: Span::default(),
            help: Some("split the input or remove what is not needed".into()),
        });
    }
    Builder::new(text).run()
}

enum Frame {
    Seq { start: Span, tag: Option<String>, anchor: usize, items: Vec<Node> },
    Map { start: Span, tag: Option<String>, anchor: usize, entries: Entries, key: Option<Key> },
}

struct Builder<'a> {
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    stack: Vec<Frame>,
    /// Anchored nodes by anchor id, with their weight.
    anchors: HashMap<usize, (Node, usize)>,
    alias_budget: usize,
    documents: usize,
    root: Option<Node>,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            parser: Parser::new_from_str(text),
            stack: Vec::new(),
            anchors: HashMap::new(),
            alias_budget: MIN_ALIAS_BUDGET.max(text.len().saturating_mul(2)),
            documents: 0,
            root: None,
        }
    }

    fn run(mut self) -> Result<Node, YamlError> {
        while let Some(next) = self.parser.next_event() {
            let (event, span) = next.map_err(scan_error)?;
            let span = Span::from_saphyr(&span);
            match event {
                Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentEnd => {}
                Event::DocumentStart(_) => {
                    self.documents += 1;
                    if self.documents > 1 {
                        return Err(YamlError {
                            kind: Problem::Syntax,
                            message: "more than one YAML document in the file".into(),
                            span,
                            help: Some("keep one document: remove the second `---` and what follows".into()),
                        });
                    }
                }
                Event::Alias(id) => {
                    let (node, size) = self.anchors.get(&id).ok_or_else(|| YamlError {
                        kind: Problem::Syntax,
                        message: "alias to an unknown anchor".into(),
                        span,
                        help: None,
                    })?;
                    let size = *size;
                    if size > self.alias_budget {
                        return Err(YamlError {
                            kind: Problem::Limit,
                            message: "aliases expand to far more data than the file holds (an alias bomb?)".into(),
                            span,
                            help: Some("write the repeated values out instead of nesting aliases".into()),
                        });
                    }
                    self.alias_budget -= size;
                    let node = Node { span, ..node.clone() };
                    self.push(node)?;
                }
                Event::Scalar(value, style, anchor, tag) => {
                    let style = match style {
                        ScalarStyle::Plain => Style::Plain,
                        _ => Style::Quoted,
                    };
                    let node = Node {
                        // A copy of exactly its length: the scanner reserves room to grow in
                        // each scalar, which, kept, would take ten times the file's size.
                        kind: NodeKind::Scalar(String::from(&*value), style),
                        span,
                        tag: tag.as_deref().map(tag_text),
                    };
                    self.remember(anchor, &node);
                    self.push(node)?;
                }
                Event::SequenceStart(anchor, tag) => {
                    self.check_depth(span)?;
                    self.stack.push(Frame::Seq {
                        start: span,
                        tag: tag.as_deref().map(tag_text),
                        anchor,
                        items: Vec::new(),
                    });
                }
                Event::MappingStart(anchor, tag) => {
                    self.check_depth(span)?;
                    self.stack.push(Frame::Map {
                        start: span,
                        tag: tag.as_deref().map(tag_text),
                        anchor,
                        entries: Entries::default(),
                        key: None,
                    });
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let (node, anchor) = match self.stack.pop() {
                        Some(Frame::Seq { start, tag, anchor, items }) => {
                            let end = items.last().map_or(span.end, |n| n.span.end);
                            (Node { kind: NodeKind::Seq(items), span: Span { start: start.start, end }, tag }, anchor)
                        }
                        Some(Frame::Map { start, tag, anchor, entries, .. }) => {
                            let end = entries.last().map_or(span.end, |(_, n)| n.span.end);
                            (Node { kind: NodeKind::Map(entries), span: Span { start: start.start, end }, tag }, anchor)
                        }
                        None => continue,
                    };
                    self.remember(anchor, &node);
                    self.push(node)?;
                }
            }
        }
        Ok(self.root.unwrap_or(Node {
            kind: NodeKind::Map(Entries::default()),
            span: Span { start: Pos { line: 1, col: 1 }, end: Pos { line: 1, col: 1 } },
            tag: None,
        }))
    }

    fn check_depth(&self, span: Span) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError {
                kind: Problem::Limit,
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
                span,
                help: Some("flatten the structure; no studioform input nests this deep".into()),
            });
        }
        Ok(())
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), node.weight()));
        }
    }

    fn push(&mut self, node: Node) -> Result<(), YamlError> {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => {
                    let NodeKind::Scalar(value, _) = node.kind else {
                        return Err(YamlError {
                            kind: Problem::Syntax,
                            message: format!("a map key must be a plain string, found {}", node.describe()),
                            span: node.span,
                            help: None,
                        });
                    };
                    if value == "<<" && node.tag.is_none() {
                        return Err(YamlError {
                            kind: Problem::Syntax,
                            message: "merge keys (`<<`) are not supported".into(),
                            span: node.span,
                            help: Some("write the merged keys out in this map".into()),
                        });
                    }
                    if let Some((first, _)) = entries.find(&value) {
                        return Err(YamlError {
                            kind: Problem::DuplicateKey,
                            message: format!(
                                "duplicate key `{value}` (first written on line {})",
                                first.span.start.line
                            ),
                            span: node.span,
                            help: Some("remove one of the two; YAML readers silently keep only one".into()),
                        });
                    }
                    *key = Some(Key { value, span: node.span });
                }
                Some(k) => entries.push(k, node),
            },
        }
        Ok(())
    }
}

/// A tag as it is written: `!Ref`, `!!str`, or the full handle and suffix.
fn tag_text(tag: &saphyr_parser::Tag) -> String {
    match tag.handle.as_str() {
        "!" => format!("!{}", tag.suffix),
        "tag:yaml.org,2002:" => format!("!!{}", tag.suffix),
        handle => format!("{handle}{}", tag.suffix),
    }
}

fn scan_error(e: ScanError) -> YamlError {
    let m = e.marker();
    let pos = Pos { line: m.line(), col: m.col() + 1 };
    if e.info().contains("recursion limit") {
        return YamlError {
            kind: Problem::Limit,
            message: format!("nesting deeper than {MAX_DEPTH} levels"),
            span: Span { start: pos, end: pos },
            help: Some("flatten the structure; no studioform input nests this deep".into()),
        };
    }
    YamlError {
        kind: Problem::Syntax,
        message: format!("not valid YAML: {}", e.info()),
        span: Span { start: pos, end: pos },
        help: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> YamlError {
        match parse(text) {
            Err(e) => e,
            Ok(n) => panic!("expected an error, got {n:?}"),
        }
    }

    #[test]
    fn keeps_spans_of_keys_and_values() {
        let node = parse("a: 1\nb:\n  - x\n  - 'y'\n").unwrap();
        let (key, value) = node.entry("b").unwrap();
        assert_eq!(key.span.start, Pos { line: 2, col: 1 });
        let NodeKind::Seq(items) = &value.kind else { panic!() };
        assert_eq!(items[1].span.start, Pos { line: 4, col: 5 });
        assert_eq!(items[1].kind, NodeKind::Scalar("y".into(), Style::Quoted));
    }

    #[test]
    fn rejects_duplicate_keys_naming_the_first() {
        let e = err("a: 1\nb: 2\na: 3\n");
        assert!(e.message.contains("duplicate key `a` (first written on line 1)"), "{}", e.message);
        assert_eq!(e.span.start.line, 3);
    }

    #[test]
    fn rejects_alias_bombs_quickly() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(err(&text).message.contains("alias bomb"));
    }

    #[test]
    fn rejects_deep_nesting() {
        let flow = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(err(&flow).message.contains("nesting deeper"));
        let block: String = (0..100).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect();
        let e = err(&format!("{block}{}v: 1\n", " ".repeat(100)));
        assert!(e.message.contains("nesting deeper than 64"), "{}", e.message);
    }

    #[test]
    fn rejects_merge_keys_and_second_documents() {
        assert!(err("a: &x {b: 1}\nc:\n  <<: *x\n").message.contains("merge keys"));
        assert!(err("a: 1\n---\nb: 2\n").message.contains("more than one YAML document"));
    }

    #[test]
    fn expands_small_aliases() {
        let node = parse("a: &x [1, 2]\nb: *x\n").unwrap();
        assert_eq!(node.get("a").unwrap().kind, node.get("b").unwrap().kind);
    }

    #[test]
    fn keeps_tags() {
        let node = parse("a: !Ref Foo\nb: !!str 12\n").unwrap();
        assert_eq!(node.get("a").unwrap().tag.as_deref(), Some("!Ref"));
        assert_eq!(node.get("b").unwrap().tag.as_deref(), Some("!!str"));
    }

    #[test]
    fn resolves_plain_scalars_as_yaml_1_1_readers_do() {
        for s in ["no", "Yes", "on", "OFF"] {
            assert!(matches!(resolve_plain_1_1(s), Plain::Bool(_)), "{s}");
        }
        assert_eq!(resolve_plain_1_1("0123"), Plain::Int(83));
        assert_eq!(resolve_plain_1_1("1_000"), Plain::Int(1000));
        assert_eq!(resolve_plain_1_1("12:30:00"), Plain::Float(45000.0));
        assert_eq!(resolve_plain_1_1("1.5e+3"), Plain::Float(1500.0));
        assert_eq!(resolve_plain_1_1("-0x1F"), Plain::Int(-31));
        for s in ["2010-09-09", "2001-12-14t21:59:43.10-05:00", "~"] {
            assert_ne!(resolve_plain_1_1(s), Plain::Str, "{s}");
        }
        for s in ["ml.t3.medium", "arn:aws:s3:::x", "1e3", "y", "alice", "1.2.3", "12:61", "v1.0"] {
            assert_eq!(resolve_plain_1_1(s), Plain::Str, "{s}");
        }
    }

    #[test]
    fn resolves_plain_scalars_by_yaml_1_2() {
        assert_eq!(resolve_plain("no"), Plain::Str);
        assert_eq!(resolve_plain("0123"), Plain::Int(123));
        assert_eq!(resolve_plain("1.5"), Plain::Float(1.5));
        assert_eq!(resolve_plain("true"), Plain::Bool(true));
        assert_eq!(resolve_plain("~"), Plain::Null);
        assert_eq!(resolve_plain("2010-09-09"), Plain::Str);
        assert_eq!(resolve_plain("ml.t3.medium"), Plain::Str);
    }
}
