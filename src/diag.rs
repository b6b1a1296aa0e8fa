//! One diagnostic type for org-file errors and template findings, rendered at the edge as
//! `file:line:col` with a snippet. Checks attach a symbolic [`Path`]; only rendering resolves
//! it against the YAML [`Node`] tree of the file.

use std::fmt::Write as _;

use serde::Serialize;

use crate::path::{Path, Segment};
use crate::yaml::{Node, NodeKind, Pos, Span};

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Stops synthesis; `validate` exits 1.
    Error,
    /// Worth reading; does not fail a run.
    Warning,
}

/// What part of a map entry a finding points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    /// The value (the usual case).
    Value,
    /// The key (unknown or misplaced keys).
    Key,
}

/// Where a finding is.
#[derive(Clone, Debug, PartialEq)]
pub enum At {
    /// A node of the file, by path.
    Path(Path, Focus),
    /// A span of the file (syntax errors found before there is a tree).
    Span(Span),
    /// The file as a whole.
    File,
}

/// A finding about an input file.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// Stable code: `CFG1xx` org file, `TPL2xx` template, `IAM3xx` policy.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// What was found, quoting the value.
    pub message: String,
    /// Where.
    pub at: At,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at a path's value.
    pub fn error(code: &'static str, at: Path, message: impl Into<String>) -> Self {
        Self { code, severity: Severity::Error, message: message.into(), at: At::Path(at, Focus::Value), help: None }
    }

    /// A warning at a path's value.
    pub fn warning(code: &'static str, at: Path, message: impl Into<String>) -> Self {
        Self { severity: Severity::Warning, ..Self::error(code, at, message) }
    }

    /// The same finding with a fix.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The same finding pointing at the key rather than the value.
    pub fn on_key(mut self) -> Self {
        if let At::Path(_, focus) = &mut self.at {
            *focus = Focus::Key;
        }
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The symbolic path, if any.
    pub fn path(&self) -> Option<&Path> {
        match &self.at {
            At::Path(p, _) => Some(p),
            _ => None,
        }
    }
}

/// Longest message or help printed; longer ones (a huge value quoted back) are shortened.
pub const MAX_MESSAGE_CHARS: usize = 1_000;
/// Widest snippet line printed; a longer line is shown around the finding.
const MAX_SNIPPET_CHARS: usize = 160;

/// `s`, shortened to at most `max` characters by cutting out its middle.
pub fn shorten(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    let count = s.chars().count();
    if count <= max {
        return s.into();
    }
    let keep = max.saturating_sub(1) / 2;
    let head: String = s.chars().take(keep).collect();
    let tail: String = s.chars().skip(count - keep).collect();
    format!("{head}…{tail}").into()
}

/// An input file: its name as the user gave it, its text, and its tree when it parsed.
#[derive(Debug)]
pub struct Source {
    /// The name to print (the path as given on the command line).
    pub name: String,
    /// The whole text.
    pub text: String,
    /// The parsed tree, when parsing got that far.
    pub root: Option<Node>,
    /// Byte offsets of line starts, computed on first use.
    lines: std::sync::OnceLock<Vec<usize>>,
}

impl Source {
    /// A file named `name` with `text`, not parsed yet.
    pub fn new(name: impl Into<String>, text: String) -> Self {
        Self { name: name.into(), text, root: None, lines: std::sync::OnceLock::new() }
    }

    /// The same file with its parsed tree.
    pub fn with_root(mut self, root: Option<Node>) -> Self {
        self.root = root;
        self
    }

    /// Where a finding is, as a span, falling back to the nearest ancestor that exists.
    pub fn locate(&self, at: &At) -> Option<Span> {
        match at {
            // A span without a line (an input too large to read) is the whole file.
            At::Span(span) if span.start.line == 0 => None,
            At::Span(span) => Some(*span),
            At::File => None,
            At::Path(path, focus) => {
                let mut node = self.root.as_ref()?;
                let mut key_span = None;
                for seg in &path.0 {
                    let next = match (&node.kind, seg) {
                        (NodeKind::Map(entries), Segment::Key(k)) => {
                            entries.find(k).map(|(key, v)| (Some(key.span), v))
                        }
                        (NodeKind::Seq(items), Segment::Index(i)) => items.get(*i).map(|v| (None, v)),
                        _ => None,
                    };
                    match next {
                        Some((k, v)) => {
                            key_span = k;
                            node = v;
                        }
                        None => {
                            key_span = None;
                            break;
                        }
                    }
                }
                match (focus, key_span) {
                    (Focus::Key, Some(k)) => Some(k),
                    _ => Some(node.span),
                }
            }
        }
    }

    /// `name:line:col` for a finding.
    pub fn position(&self, at: &At) -> String {
        match self.locate(at) {
            Some(span) => format!("{}:{}:{}", self.name, span.start.line, span.start.col),
            None => self.name.clone(),
        }
    }

    fn line(&self, n: usize) -> Option<&str> {
        let starts = self
            .lines
            .get_or_init(|| std::iter::once(0).chain(self.text.match_indices('\n').map(|(i, _)| i + 1)).collect());
        let start = *starts.get(n.checked_sub(1)?)?;
        let end = starts.get(n).map_or(self.text.len(), |e| e - 1);
        let line = self.text.get(start..end)?;
        Some(line.strip_suffix('\r').unwrap_or(line))
    }
}

/// Renders findings for a terminal, each with its position, snippet and help.
pub fn render(diags: &[Diagnostic], source: &Source) -> String {
    let mut out = String::new();
    for d in diags {
        render_one(&mut out, d, source);
    }
    out
}

/// [`render`], written to `w` as it goes rather than built whole: thousands of findings stay
/// a few kilobytes of memory.
pub fn write(w: &mut dyn std::io::Write, diags: &[Diagnostic], source: &Source) -> std::io::Result<()> {
    let mut out = String::new();
    for d in diags {
        render_one(&mut out, d, source);
        if out.len() > 1 << 16 {
            w.write_all(out.as_bytes())?;
            out.clear();
        }
    }
    w.write_all(out.as_bytes())
}

fn render_one(out: &mut String, d: &Diagnostic, source: &Source) {
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let _ = writeln!(out, "{level}[{}]: {}", d.code, shorten(&d.message, MAX_MESSAGE_CHARS));
    let span = source.locate(&d.at);
    let snippet = span.and_then(|s| source.line(s.start.line).map(|line| (s, line)));
    let pad = " ".repeat(snippet.map_or(1, |(s, _)| s.start.line.to_string().len()));
    let _ = writeln!(out, "{pad}--> {}", source.position(&d.at));
    if let Some((span, line)) = snippet {
        let (shown, col, width) = window(line, span.start, span.end);
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{} | {shown}", span.start.line);
        let _ = writeln!(out, "{pad} | {}{}", " ".repeat(col), "^".repeat(width));
    }
    if let At::Path(path, _) = &d.at
        && !path.is_root()
    {
        let _ = writeln!(out, "{pad} = at: {path}");
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "{pad} = help: {}", shorten(help, MAX_MESSAGE_CHARS));
    }
    out.push('\n');
}

/// The part of `line` to show for a span from `start` to `end`: at most [`MAX_SNIPPET_CHARS`]
/// characters around the start, with the caret's column (0-based) and width in what is shown.
fn window(line: &str, start: Pos, end: Pos) -> (String, usize, usize) {
    let width = underline_width(line, start, end);
    let chars = line.chars().count();
    if chars <= MAX_SNIPPET_CHARS {
        return (line.to_owned(), start.col.saturating_sub(1), width);
    }
    let col = start.col.saturating_sub(1).min(chars);
    let from = col.saturating_sub(MAX_SNIPPET_CHARS / 4);
    let to = (from + MAX_SNIPPET_CHARS).min(chars);
    let mut shown: String = line.chars().skip(from).take(to - from).collect();
    let mut caret = col - from;
    if from > 0 {
        shown.insert(0, '…');
        caret += 1;
    }
    if to < chars {
        shown.push('…');
    }
    (shown, caret, width.min(to.saturating_sub(col)).max(1))
}

fn underline_width(line: &str, start: Pos, end: Pos) -> usize {
    let chars = line.chars().count();
    let from = start.col.saturating_sub(1).min(chars);
    let to = if end.line == start.line { end.col.saturating_sub(1).min(chars) } else { chars };
    let trimmed_to = line.chars().take(to).collect::<String>().trim_end().chars().count();
    trimmed_to.saturating_sub(from).max(1)
}

/// `rendered` (from [`render`]) with ANSI colours, as compilers colour diagnostics on a
/// terminal: the severity red or yellow and bold, the message bold, the gutter and the caret
/// blue.
pub fn paint(rendered: &str) -> String {
    const RED: &str = "\x1b[1;31m";
    const YELLOW: &str = "\x1b[1;33m";
    const BLUE: &str = "\x1b[1;34m";
    const BOLD: &str = "\x1b[1m";
    const RESET: &str = "\x1b[0m";
    let mut out = String::with_capacity(rendered.len() + rendered.len() / 8);
    for line in rendered.split_inclusive('\n') {
        let (text, newline) = line.strip_suffix('\n').map_or((line, ""), |t| (t, "\n"));
        let header = [("error[", RED), ("warning[", YELLOW)].into_iter().find(|(p, _)| text.starts_with(p));
        if let Some((prefix, colour)) = header
            && let Some((label, message)) = text.split_once("]: ")
        {
            let level = &prefix[..prefix.len() - 1];
            let code = &label[level.len()..];
            let _ = write!(out, "{colour}{level}{code}]{RESET}{BOLD}: {message}{RESET}{newline}");
            continue;
        }
        // The gutter: `  --> `, ` | `, ` = `, up to the first of them.
        let gutter = ["--> ", "| ", "|", "= "]
            .iter()
            .filter_map(|m| text.find(m).map(|i| (i, m.len())))
            .filter(|(i, _)| text[..*i].chars().all(|c| c == ' ' || c.is_ascii_digit()))
            .min_by_key(|(i, _)| *i);
        match gutter {
            Some((i, len)) => {
                let (head, rest) = text.split_at(i + len);
                let rest =
                    if rest.trim_start().starts_with('^') { format!("{RED}{rest}{RESET}") } else { rest.to_owned() };
                let _ = write!(out, "{BLUE}{head}{RESET}{rest}{newline}");
            }
            None => out.push_str(line),
        }
    }
    out
}

/// Renders findings one per line: `file:line:col: severity CODE: message (at path) help: ...`.
pub fn render_lines(diags: &[Diagnostic], source: &Source) -> String {
    let mut out = String::new();
    for d in diags {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ =
            write!(out, "{}: {level} {}: {}", source.position(&d.at), d.code, shorten(&d.message, MAX_MESSAGE_CHARS));
        if let Some(p) = d.path().filter(|p| !p.is_root()) {
            let _ = write!(out, " (at {p})");
        }
        if let Some(h) = &d.help {
            let _ = write!(out, " help: {}", shorten(h, MAX_MESSAGE_CHARS));
        }
        out.push('\n');
    }
    out
}

/// One finding as JSON, for `--format json`.
#[derive(Serialize)]
pub struct JsonDiagnostic<'a> {
    /// Stable code.
    pub code: &'a str,
    /// Error or warning.
    pub severity: Severity,
    /// The message (shortened past [`MAX_MESSAGE_CHARS`]).
    pub message: std::borrow::Cow<'a, str>,
    /// File name.
    pub file: &'a str,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// Symbolic path, when known.
    pub path: Option<String>,
    /// The fix.
    pub help: Option<std::borrow::Cow<'a, str>>,
}

impl<'a> JsonDiagnostic<'a> {
    /// The JSON view of `d` in `source`.
    pub fn new(d: &'a Diagnostic, source: &'a Source) -> Self {
        let span = source.locate(&d.at);
        Self {
            code: d.code,
            severity: d.severity,
            message: shorten(&d.message, MAX_MESSAGE_CHARS),
            file: &source.name,
            line: span.map(|s| s.start.line),
            column: span.map(|s| s.start.col),
            path: d.path().filter(|p| !p.is_root()).map(ToString::to_string),
            help: d.help.as_deref().map(|h| shorten(h, MAX_MESSAGE_CHARS)),
        }
    }
}

/// The closest of `candidates` to `word`, if any is close enough to be a likely typo: the
/// "did you mean" of every finding, about the org file or a template.
pub fn did_you_mean<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let lower = word.to_lowercase();
    let close = candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_lowercase()), *c))
        .filter(|(score, c)| *score > 0.8 && *c != word)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c);
    // Else the one candidate the word is a whole part of: `approver` for `model-approver`,
    // `m5.large` for `ml.m5.large`.
    close.or_else(|| {
        let mut holding = candidates.iter().filter(|c| {
            let c = c.to_lowercase();
            lower.len() >= 3
                && c != lower
                && c.match_indices(&lower).any(|(i, _)| {
                    let before = c[..i].chars().next_back();
                    let after = c[i + lower.len()..].chars().next();
                    before.is_none_or(|b| "-_.:/".contains(b)) && after.is_none_or(|a| "-_.:/".contains(a))
                })
        });
        match (holding.next(), holding.next()) {
            (Some(only), None) => Some(*only),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::path;

    #[test]
    fn suggests_close_words_and_the_one_name_a_word_is_part_of() {
        assert_eq!(did_you_mean("reserch", &["research", "production"]), Some("research"));
        assert_eq!(did_you_mean("approver", &["admin", "reader", "model-approver", "none"]), Some("model-approver"));
        // Part of two names: no guess.
        assert_eq!(did_you_mean("large", &["ml.m5.large", "ml.t3.large"]), None);
        // Inside a part, not a part: no guess.
        assert_eq!(did_you_mean("prove", &["model-approver", "admin"]), None);
        assert_eq!(did_you_mean("ab", &["xyz-ab", "other"]), None, "two letters are too few to tell");
    }

    #[test]
    fn renders_position_snippet_and_help() {
        let text = "users:\n  - name: bad_name\n".to_string();
        let root = crate::yaml::parse(&text).ok();
        let source = Source::new("org.yaml", text).with_root(root);
        let d = Diagnostic::error("CFG999", path!["users", 0usize, "name"], "bad").help("fix it");
        let out = render(&[d], &source);
        assert_eq!(
            out,
            "error[CFG999]: bad\n --> org.yaml:2:11\n  |\n2 |   - name: bad_name\n  |           ^^^^^^^^\n  = at: users[0].name\n  = help: fix it\n\n"
        );
    }

    #[test]
    fn falls_back_to_the_nearest_existing_ancestor() {
        let text = "identity:\n  mode: saml\n".to_string();
        let root = crate::yaml::parse(&text).ok();
        let source = Source::new("o.yaml", text).with_root(root);
        let at = At::Path(path!["identity", "saml_provider_arn"], Focus::Value);
        assert_eq!(source.position(&at), "o.yaml:2:3");
    }
}
