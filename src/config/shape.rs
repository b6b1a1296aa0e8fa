//! Checks an org file's tree against the JSON Schema generated from the input types, and
//! converts it to JSON typed as the schema says, collecting every shape error in one pass.
//!
//! A plain scalar where a string is expected is taken exactly as written: `id: 0123` is the
//! string `0123`, `id: no` the string `no`. YAML's own typing would turn those into a number
//! and (under YAML 1.1) a boolean.

use std::rc::Rc;

use serde_json::{Map, Value};

use crate::diag::{Diagnostic, did_you_mean};
use crate::path::Trail;
use crate::yaml::{Node, NodeKind, Plain, Style, resolve_plain};

/// Walks `node` against `root` (a JSON Schema from schemars). Returns the typed JSON, or
/// `None` where the shape was wrong, and pushes one diagnostic per mistake.
pub(super) fn check(node: &Node, root: &Value, diags: &mut Vec<Diagnostic>) -> Option<Value> {
    Walker { root, diags, shapes: std::collections::HashMap::new(), dropped: None }.walk(
        node,
        root,
        &Trail::root(),
        None,
    )
}

/// What of a wrongly shaped `node` is well shaped, for the checks across sections to run on
/// beside the shape errors: each optional key whose value is wrong, and each unknown key, is
/// left out (listed in the returned paths); a required list missing from the file is taken
/// as empty (listed too). `None` when a required key is wrong or another required key is
/// missing: the rest cannot be read without guessing.
pub(super) fn partial(node: &Node, root: &Value) -> Option<(Value, Vec<crate::path::Path>)> {
    let mut diags = Vec::new();
    let mut walker =
        Walker { root, diags: &mut diags, shapes: std::collections::HashMap::new(), dropped: Some(Vec::new()) };
    let value = walker.walk(node, root, &Trail::root(), None)?;
    Some((value, walker.dropped.unwrap_or_default()))
}

static TRUE: Value = Value::Bool(true);

struct Walker<'a> {
    root: &'a Value,
    diags: &'a mut Vec<Diagnostic>,
    /// What each schema node says, read once: an org file of many people visits the same few
    /// schema nodes thousands of times.
    shapes: std::collections::HashMap<*const Value, Rc<Shape<'a>>>,
    /// In [`partial`]'s walk: the paths left out.
    dropped: Option<Vec<crate::path::Path>>,
}

/// A schema node, `$ref` resolved, with what the walk asks of it.
struct Shape<'a> {
    schema: &'a Value,
    alternatives: Option<&'a [Value]>,
    nullable: bool,
    string: bool,
    ty: Option<&'a str>,
    allowed: Option<Vec<String>>,
}

impl<'a> Walker<'a> {
    fn shape(&mut self, schema: &'a Value) -> Rc<Shape<'a>> {
        let key: *const Value = schema;
        if let Some(shape) = self.shapes.get(&key) {
            return Rc::clone(shape);
        }
        let resolved = self.resolve(schema);
        let shape = Rc::new(Shape {
            schema: resolved,
            alternatives: resolved
                .get("anyOf")
                .or_else(|| resolved.get("oneOf"))
                .and_then(Value::as_array)
                .map(Vec::as_slice),
            nullable: allows(resolved, "null"),
            string: allows(resolved, "string"),
            ty: schema_type(resolved),
            allowed: enum_values(resolved),
        });
        self.shapes.insert(key, Rc::clone(&shape));
        shape
    }

    fn resolve(&self, mut schema: &'a Value) -> &'a Value {
        for _ in 0..32 {
            let Some(r) = schema.get("$ref").and_then(Value::as_str) else { break };
            match r.strip_prefix("#").and_then(|p| self.root.pointer(p)) {
                Some(target) => schema = target,
                None => break,
            }
        }
        schema
    }

    fn walk(&mut self, node: &Node, schema: &'a Value, path: &Trail<'_>, field: Option<&str>) -> Option<Value> {
        let shape = self.shape(schema);
        let schema = shape.schema;
        if let Some(t) = &node.tag
            && (t != "!!str" || !shape.string)
        {
            self.diags.push(
                Diagnostic::error("CFG002", path.to_path(), format!("unexpected YAML tag `{t}`"))
                    .help("remove the tag; the org file uses plain YAML values"),
            );
            return None;
        }
        if let Some(branches) = shape.alternatives {
            return self.walk_alternatives(node, branches, path, field);
        }
        if shape.nullable && is_null(node) {
            return Some(Value::Null);
        }
        let value = match shape.ty {
            Some("object") => self.walk_object(node, schema, path),
            Some("array") => self.walk_array(node, schema, path, field),
            Some("string") => self.walk_string(node, schema, path, field),
            Some("integer") => self.walk_integer(node, schema, path, field),
            Some("boolean") => self.walk_boolean(node, path, field),
            _ => Some(plain_json(node)),
        }?;
        if let Some(allowed) = &shape.allowed {
            return self.check_enum(node, value, allowed, path, field);
        }
        Some(value)
    }

    fn walk_alternatives(
        &mut self,
        node: &Node,
        branches: &'a [Value],
        path: &Trail<'_>,
        field: Option<&str>,
    ) -> Option<Value> {
        let branches: Vec<&Value> = branches.iter().map(|b| self.resolve(b)).collect();
        if is_null(node) && branches.iter().any(|b| allows(b, "null")) {
            return Some(Value::Null);
        }
        let non_null: Vec<&Value> = branches.into_iter().filter(|b| schema_type(b) != Some("null")).collect();
        if let [only] = non_null.as_slice() {
            return self.walk(node, only, path, field);
        }
        let allowed: Option<Vec<String>> =
            non_null.iter().map(|b| enum_values(b)).collect::<Option<Vec<_>>>().map(|v| v.concat());
        if let Some(allowed) = allowed {
            let value = self.walk_string(node, &Value::Null, path, field)?;
            return self.check_enum(node, value, &allowed, path, field);
        }
        // Alternatives of different kinds (a path, or a map with the path and more): the
        // node's own kind picks the branch, so mistakes inside it are reported precisely.
        let kind = match &node.kind {
            NodeKind::Map(_) => "object",
            NodeKind::Seq(_) => "array",
            NodeKind::Scalar(..) => "string",
        };
        let fitting: Vec<&&Value> = non_null.iter().filter(|b| schema_type(b) == Some(kind)).collect();
        match fitting.as_slice() {
            [only] => self.walk(node, only, path, field),
            [] => {
                let kinds: Vec<&str> = non_null
                    .iter()
                    .filter_map(|b| match schema_type(b)? {
                        "object" => Some("a map"),
                        "array" => Some("a list"),
                        "string" => Some("a string"),
                        _ => None,
                    })
                    .collect();
                self.wrong_kind(node, path, &kinds.join(" or "), None);
                None
            }
            _ => Some(plain_json(node)),
        }
    }

    fn walk_object(&mut self, node: &Node, schema: &'a Value, path: &Trail<'_>) -> Option<Value> {
        let NodeKind::Map(entries) = &node.kind else {
            self.wrong_kind(node, path, "a map of keys and values", None);
            return None;
        };
        let props = schema.get("properties").and_then(Value::as_object);
        let extra = schema.get("additionalProperties");
        let mut out = Map::new();
        let mut ok = true;
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (key, value) in entries {
            let child = path.key(&key.value);
            let sub = match (props.and_then(|p| p.get(&key.value)), extra) {
                (Some(s), _) => Some(s),
                (None, Some(Value::Bool(false))) => None,
                (None, Some(s)) => Some(s),
                (None, None) => Some(&TRUE),
            };
            match sub {
                Some(sub) => match self.walk(value, sub, &child, Some(&key.value)) {
                    Some(v) => {
                        out.insert(key.value.clone(), v);
                    }
                    None => match &mut self.dropped {
                        Some(dropped) if !required.contains(&key.value.as_str()) => dropped.push(child.to_path()),
                        _ => ok = false,
                    },
                },
                None if self.dropped.is_some() => {
                    if let Some(dropped) = &mut self.dropped {
                        dropped.push(child.to_path());
                    }
                }
                None => {
                    ok = false;
                    let known: Vec<&str> = props.map(|p| p.keys().map(String::as_str).collect()).unwrap_or_default();
                    let mut d = Diagnostic::error(
                        "CFG001",
                        child.to_path(),
                        format!("unknown key `{}` in {}", key.value, describe_path(path)),
                    )
                    .on_key();
                    d = match did_you_mean(&key.value, &known) {
                        Some(best) => d.help(format!("did you mean `{best}`? valid keys here: {}", known.join(", "))),
                        None => d.help(format!("valid keys here: {}", known.join(", "))),
                    };
                    self.diags.push(d);
                }
            }
        }
        if self.dropped.is_some() {
            for r in required.iter().filter(|r| entries.find(r).is_none()) {
                let list = props.and_then(|p| p.get(*r)).is_some_and(|s| schema_type(self.resolve(s)) == Some("array"));
                if !list {
                    return None;
                }
                out.insert((*r).to_owned(), Value::Array(Vec::new()));
                if let Some(dropped) = &mut self.dropped {
                    dropped.push(path.key(r).to_path());
                }
            }
            return ok.then_some(Value::Object(out));
        }
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for r in required.iter().filter_map(Value::as_str) {
                if entries.find(r).is_none() {
                    ok = false;
                    let what = props
                        .and_then(|p| p.get(r))
                        .and_then(|s| self.resolve(s).get("description"))
                        .and_then(Value::as_str)
                        .map(|d| format!(": {}", lower_first(first_sentence(d))))
                        .unwrap_or_default();
                    self.diags.push(
                        Diagnostic::error(
                            "CFG003",
                            path.to_path(),
                            format!("missing required key `{r}` in {}", describe_path(path)),
                        )
                        .help(format!("add `{r}:`{what}")),
                    );
                }
            }
        }
        ok.then_some(Value::Object(out))
    }

    fn walk_array(&mut self, node: &Node, schema: &'a Value, path: &Trail<'_>, field: Option<&str>) -> Option<Value> {
        let NodeKind::Seq(items) = &node.kind else {
            // A list of maps (`teams:`, `users:`) is not mended by brackets around a word.
            let of_maps = schema.get("items").is_some_and(|i| schema_type(self.resolve(i)) == Some("object"));
            let help = match &node.kind {
                NodeKind::Scalar(_, _) if of_maps => {
                    field.map(|f| format!("write `{f}:` as a list of entries, each starting with `- ` on its own line"))
                }
                NodeKind::Scalar(s, _) if !s.is_empty() => Some(format!("write a list, even of one item: [{s}]")),
                _ => None,
            };
            self.wrong_kind(node, path, "a list", help.or_else(|| field.map(|f| format!("write `{f}:` as a list"))));
            return None;
        };
        let item_schema = schema.get("items").unwrap_or(&TRUE);
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match self.walk(item, item_schema, &path.index(i), None) {
                Some(v) => out.push(v),
                None => ok = false,
            }
        }
        ok.then_some(Value::Array(out))
    }

    fn walk_string(&mut self, node: &Node, _schema: &Value, path: &Trail<'_>, _field: Option<&str>) -> Option<Value> {
        match &node.kind {
            // `null` and `~` are YAML's empty value, never the text: `id: null` is a mistake,
            // not a person called "null".
            NodeKind::Scalar(s, Style::Plain) if is_null(node) => {
                let help = (!s.is_empty()).then(|| format!("write a value, or quote it ('{s}') if you mean that text"));
                self.wrong_kind(node, path, "a string", help);
                None
            }
            NodeKind::Scalar(s, _) => Some(Value::String(s.clone())),
            _ => {
                self.wrong_kind(node, path, "a string", None);
                None
            }
        }
    }

    fn walk_integer(&mut self, node: &Node, schema: &Value, path: &Trail<'_>, _field: Option<&str>) -> Option<Value> {
        let n = match &node.kind {
            NodeKind::Scalar(s, Style::Plain) => match resolve_plain(s) {
                Plain::Int(n) => n,
                _ => {
                    self.wrong_kind(node, path, "a whole number", None);
                    return None;
                }
            },
            _ => {
                self.wrong_kind(node, path, "a whole number", Some("remove the quotes".into()));
                return None;
            }
        };
        let min = schema.get("minimum").and_then(Value::as_i64);
        let max = schema.get("maximum").and_then(Value::as_i64);
        if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
            self.diags.push(Diagnostic::error(
                "CFG004",
                path.to_path(),
                format!("{n} is out of range{}", range_text(min, max)),
            ));
            return None;
        }
        Some(Value::from(n))
    }

    fn walk_boolean(&mut self, node: &Node, path: &Trail<'_>, _field: Option<&str>) -> Option<Value> {
        if let NodeKind::Scalar(s, Style::Plain) = &node.kind {
            if let Plain::Bool(b) = resolve_plain(s) {
                return Some(Value::Bool(b));
            }
            if matches!(s.to_ascii_lowercase().as_str(), "yes" | "no" | "on" | "off" | "y" | "n") {
                self.wrong_kind(
                    node,
                    path,
                    "true or false",
                    Some(format!("`{s}` is a string in YAML 1.2; write true or false")),
                );
                return None;
            }
        }
        self.wrong_kind(node, path, "true or false", None);
        None
    }

    fn check_enum(
        &mut self,
        node: &Node,
        value: Value,
        allowed: &[String],
        path: &Trail<'_>,
        field: Option<&str>,
    ) -> Option<Value> {
        let text = value.as_str().map(str::to_owned).unwrap_or_else(|| value.to_string());
        if allowed.contains(&text) {
            return Some(value);
        }
        let list = allowed.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ");
        let what = field.map(|f| format!(" for `{f}`")).unwrap_or_default();
        let names: Vec<&str> = allowed.iter().map(String::as_str).collect();
        let help = match did_you_mean(&text, &names) {
            Some(best) => format!("did you mean `{best}`? valid values: {list}"),
            None => format!("valid values: {list}"),
        };
        let _ = node;
        self.diags.push(
            Diagnostic::error("CFG005", path.to_path(), format!("`{text}` is not a valid value{what}")).help(help),
        );
        None
    }

    fn wrong_kind(&mut self, node: &Node, path: &Trail<'_>, expected: &str, help: Option<String>) {
        let found = match &node.kind {
            NodeKind::Scalar(s, _) if !s.is_empty() => format!("{} `{s}`", node.describe()),
            _ => node.describe().to_owned(),
        };
        let mut d = Diagnostic::error("CFG002", path.to_path(), format!("expected {expected}, found {found}"));
        if let Some(h) = help {
            d = d.help(h);
        }
        self.diags.push(d);
    }
}

fn describe_path(path: &Trail<'_>) -> String {
    if path.is_root() { "the org file".to_owned() } else { format!("`{path}`") }
}

fn first_sentence(s: &str) -> &str {
    s.split(". ").next().unwrap_or(s).trim_end_matches('.')
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_lowercase().chain(c).collect()).unwrap_or_default()
}

fn range_text(min: Option<i64>, max: Option<i64>) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!("; expected {a} to {b}"),
        (Some(a), None) => format!("; expected at least {a}"),
        (None, Some(b)) => format!("; expected at most {b}"),
        (None, None) => String::new(),
    }
}

fn is_null(node: &Node) -> bool {
    matches!(&node.kind, NodeKind::Scalar(s, Style::Plain) if resolve_plain(s) == Plain::Null)
}

fn schema_type(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(s)) => Some(s),
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ if schema.get("properties").is_some() => Some("object"),
        _ => None,
    }
}

fn allows(schema: &Value, ty: &str) -> bool {
    match schema.get("type") {
        Some(Value::String(s)) => s == ty,
        Some(Value::Array(types)) => types.iter().any(|t| t == ty),
        _ => false,
    }
}

fn enum_values(schema: &Value) -> Option<Vec<String>> {
    if let Some(c) = schema.get("const") {
        return Some(vec![c.as_str().map(str::to_owned).unwrap_or_else(|| c.to_string())]);
    }
    schema
        .get("enum")
        .and_then(Value::as_array)
        .map(|vals| vals.iter().map(|v| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string())).collect())
}

/// The JSON a node means with no schema to guide it (YAML 1.2 core typing).
fn plain_json(node: &Node) -> Value {
    match &node.kind {
        NodeKind::Scalar(s, Style::Quoted) => Value::String(s.clone()),
        NodeKind::Scalar(s, Style::Plain) => match resolve_plain(s) {
            Plain::Null => Value::Null,
            Plain::Bool(b) => Value::Bool(b),
            Plain::Int(i) => Value::from(i),
            Plain::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
            Plain::Str | Plain::Timestamp => Value::String(s.clone()),
        },
        NodeKind::Seq(items) => Value::Array(items.iter().map(plain_json).collect()),
        NodeKind::Map(entries) => {
            Value::Object(entries.iter().map(|(k, v)| (k.value.clone(), plain_json(v))).collect())
        }
    }
}
