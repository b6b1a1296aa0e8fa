//! Resource properties against their provider schema, with intrinsic functions understood:
//! `Fn::If` is checked branch by branch, `!Ref AWS::NoValue` removes what it stands for, a
//! `Fn::Sub` built only from pseudo parameters is checked as the string it becomes, and every
//! other intrinsic is checked by the kind of value it produces (a role's `!Ref` is its name,
//! its `!GetAtt .Arn` an ARN) against the kind the property needs.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{JsonType, Validator};
use serde_json::{Map, Value};

use super::ctx::{Ctx, PSEUDO, Step, as_fn, sample_sub, to_path};
use super::data;
use crate::diag::did_you_mean;
use crate::diag::{At, Diagnostic, Focus};
use crate::path::{Path, Segment};

/// Properties holding an IAM policy document.
const POLICY_DOCUMENTS: [&str; 2] = ["PolicyDocument", "AssumeRolePolicyDocument"];

/// Stand-ins for values only known at deploy time start with this.
const STAND_IN: &str = "\u{1}intrinsic";

fn validator(type_name: &str) -> Option<Arc<Validator>> {
    static CACHE: OnceLock<RwLock<HashMap<String, Option<Arc<Validator>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(v) = cache.read().ok().and_then(|c| c.get(type_name).cloned()) {
        return v;
    }
    let built = data::schema(type_name).and_then(build).map(Arc::new);
    if let Ok(mut c) = cache.write() {
        c.insert(type_name.to_owned(), built.clone());
    }
    built
}

/// Value kinds whose literal values have a fixed form: EC2 ids are a prefix and 8 or 17
/// hexadecimal digits (AMI ids: lowercase letters and digits). Patterns as cfn-lint 1.58.0's
/// `rules/formats` checks them; a value CloudFormation would reject before any deploy.
/// <https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html>
const ID_FORMATS: &[(&str, FormatCheck)] = &[
    ("AWS::EC2::VPC.Id", |s| ec2_id(s, "vpc-", |c| c.is_ascii_hexdigit())),
    ("AWS::EC2::Subnet.Id", |s| ec2_id(s, "subnet-", |c| c.is_ascii_hexdigit())),
    ("AWS::EC2::SecurityGroup.Id", |s| ec2_id(s, "sg-", |c| c.is_ascii_hexdigit())),
    ("AWS::EC2::Image.Id", |s| ec2_id(s, "ami-", |c| c.is_ascii_digit() || c.is_ascii_lowercase())),
];

/// Whether a string has the form of a value kind.
type FormatCheck = fn(&str) -> bool;

fn ec2_id(s: &str, prefix: &str, digit: fn(char) -> bool) -> bool {
    // Stand-ins of intrinsics are judged by their kind (`kinds`), never by form.
    if s.starts_with(STAND_IN) || super::ctx::dynamic(s) {
        return true;
    }
    s.strip_prefix(prefix).is_some_and(|rest| matches!(rest.len(), 8 | 17) && rest.chars().all(digit))
}

/// The validator of a provider schema. Some schemas hold patterns written for other regex
/// engines (Java's `[a-z&&[^x]]`, `(?s)` mid-pattern): those patterns, and only those, are left
/// unchecked.
fn build(schema: &Value) -> Option<Validator> {
    let options = || {
        let mut o = jsonschema::draft7::options().should_validate_formats(true);
        for (name, check) in ID_FORMATS {
            o = o.with_format(*name, *check);
        }
        // JSON Schema's own formats are not what CloudFormation checks (a `date-time` it
        // takes may not be RFC 3339): only the value kinds above are.
        for name in ["date-time", "date", "time", "uri", "uri-reference", "email", "hostname", "ipv4", "ipv6", "uuid"] {
            o = o.with_format(name, |_: &str| true);
        }
        o
    };
    let first = options().build(schema);
    let Err(mut error) = first else { return first.ok() };
    let mut copy = schema.clone();
    for _ in 0..64 {
        let bad = error.instance().as_str()?.to_owned();
        if !drop_pattern(&mut copy, &bad) {
            return None;
        }
        match options().build(&copy) {
            Ok(v) => return Some(v),
            Err(e) => error = e,
        }
    }
    None
}

/// Removes every `pattern` keyword whose value is `pattern`; true if there was one.
fn drop_pattern(v: &mut Value, pattern: &str) -> bool {
    match v {
        Value::Object(m) => {
            let mut dropped = false;
            if m.get("pattern").and_then(Value::as_str) == Some(pattern) {
                m.remove("pattern");
                dropped = true;
            }
            for child in m.values_mut() {
                dropped |= drop_pattern(child, pattern);
            }
            dropped
        }
        Value::Array(items) => items.iter_mut().fold(false, |d, i| drop_pattern(i, pattern) | d),
        _ => false,
    }
}

/// Checks the properties of every resource whose type has a vendored schema.
pub(super) fn check(ctx: &mut Ctx<'_>) {
    let resources = ctx.resources;
    for (id, r) in resources {
        let Some(type_name) = r.get("Type").and_then(Value::as_str) else { continue };
        let (Some(schema), Some(validator)) = (data::schema(type_name), validator(type_name)) else { continue };
        let at = Path::root().key("Resources").key(id).key("Properties");
        let empty = Value::Object(Map::new());
        let props = r.get("Properties").unwrap_or(&empty);
        if as_fn(props).is_some() {
            continue;
        }
        let mut seen: Vec<(String, String)> = Vec::new();
        let has_if = contains_if(props);
        for branch in if has_if { &[Branch::Then, Branch::Else][..] } else { &[Branch::Then][..] } {
            let mut found = Prepared::default();
            let instance =
                prepare(props, *branch, &mut (Vec::new(), Vec::new()), &mut found).unwrap_or(Value::Object(Map::new()));
            for e in validator.iter_errors(&instance) {
                let prepared = e.instance_path().as_str().to_owned();
                let presence_only = presence_only(schema, e.schema_path().as_str());
                if (!presence_only && hides_an_intrinsic(&prepared, e.kind(), &found.opaque))
                    || coercible(e.kind(), e.instance())
                {
                    continue;
                }
                let pointer = found.original(&prepared).pointer();
                for d in describe(schema, type_name, &at, &pointer, e.kind(), e.instance(), e.schema_path().as_str()) {
                    let key = (pointer.clone(), d.message.clone());
                    if !seen.contains(&key) {
                        seen.push(key);
                        ctx.out.push(d);
                    }
                }
            }
            if *branch == Branch::Then {
                custom_keywords(ctx, schema, &instance, &at);
                read_only(ctx, schema, type_name, &instance, &at);
                for o in &found.opaque {
                    kinds(ctx, schema, o, &at);
                }
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Branch {
    Then,
    Else,
}

fn contains_if(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.contains_key("Fn::If") || m.values().any(contains_if),
        Value::Array(items) => items.iter().any(contains_if),
        _ => false,
    }
}

/// An intrinsic whose value is unknown before deploy: where it stands in the prepared
/// instance and in the template, and the intrinsic itself.
struct Opaque {
    /// Its JSON pointer in the prepared instance.
    prepared: String,
    original: Path,
    value: Value,
}

/// What preparing an instance found.
#[derive(Default)]
struct Prepared {
    /// Intrinsics replaced by stand-ins.
    opaque: Vec<Opaque>,
    /// List items that moved because an earlier `AWS::NoValue` item was removed.
    moved: Vec<(Path, Path)>,
}

impl Prepared {
    /// The template path of a pointer into the prepared instance.
    fn original(&self, pointer: &str) -> Path {
        let path = Path::from_pointer(pointer);
        let best = self.moved.iter().filter(|(p, _)| path.0.starts_with(&p.0)).max_by_key(|(p, _)| p.0.len());
        match best {
            Some((prepared, original)) => {
                let mut out = original.clone();
                out.0.extend(path.0[prepared.0.len()..].iter().cloned());
                out
            }
            None => path,
        }
    }
}

/// The value CloudFormation would see, as far as it is known before deploy: `None` where
/// `AWS::NoValue` removes it. Intrinsics whose value is unknown become unique stand-ins.
/// `at` is the path in the prepared instance and in the template.
fn prepare<'v>(
    v: &'v Value,
    branch: Branch,
    at: &mut (Vec<Step<'v>>, Vec<Step<'v>>),
    found: &mut Prepared,
) -> Option<Value> {
    if let Some((name, arg)) = as_fn(v) {
        match (name, arg) {
            ("Ref", Value::String(s)) if s == "AWS::NoValue" => return None,
            ("Fn::If", Value::Array(a)) if a.len() == 3 => {
                return prepare(&a[if branch == Branch::Then { 1 } else { 2 }], branch, at, found);
            }
            ("Fn::Sub", Value::String(s)) => {
                if let Some(sample) = sample_sub(s) {
                    return Some(Value::String(sample));
                }
            }
            ("Fn::Join", Value::Array(a)) => {
                if let Some(joined) = sample_join(a) {
                    return Some(Value::String(joined));
                }
            }
            _ => {}
        }
        found.opaque.push(Opaque { prepared: to_path(&at.0).pointer(), original: to_path(&at.1), value: v.clone() });
        return Some(Value::String(format!("{STAND_IN}{}", found.opaque.len())));
    }
    // A dynamic reference (`{{resolve:ssm:...}}`) is resolved at deploy time: its text is not
    // the value, so no pattern or length of the schema applies to it.
    // <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html>
    if let Value::String(s) = v
        && super::ctx::dynamic(s)
    {
        found.opaque.push(Opaque { prepared: to_path(&at.0).pointer(), original: to_path(&at.1), value: v.clone() });
        return Some(Value::String(format!("{STAND_IN}{}", found.opaque.len())));
    }
    match v {
        Value::Object(m) => {
            let mut out = Map::with_capacity(m.len());
            for (k, child) in m {
                // Every provider schema types a policy document as an object or a string and no
                // more (the IAM checks read it): an empty object validates alike, uncopied.
                if POLICY_DOCUMENTS.contains(&k.as_str()) && child.is_object() && as_fn(child).is_none() {
                    out.insert(k.clone(), Value::Object(Map::new()));
                    continue;
                }
                at.0.push(Step::Key(k));
                at.1.push(Step::Key(k));
                if let Some(c) = prepare(child, branch, at, found) {
                    out.insert(k.clone(), c);
                }
                at.0.pop();
                at.1.pop();
            }
            Some(Value::Object(out))
        }
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, child) in items.iter().enumerate() {
                at.0.push(Step::Index(out.len()));
                at.1.push(Step::Index(i));
                if out.len() != i {
                    found.moved.push((to_path(&at.0), to_path(&at.1)));
                }
                if let Some(c) = prepare(child, branch, at, found) {
                    out.push(c);
                }
                at.0.pop();
                at.1.pop();
            }
            Some(Value::Array(out))
        }
        other => Some(other.clone()),
    }
}

fn sample_join(arg: &[Value]) -> Option<String> {
    let [Value::String(delimiter), Value::Array(items)] = arg else { return None };
    let parts: Option<Vec<String>> = items
        .iter()
        .map(|i| match i {
            Value::String(s) => Some(s.clone()),
            other => match as_fn(other) {
                Some(("Ref", Value::String(p))) => PSEUDO.iter().find(|(n, _)| n == p).map(|(_, s)| (*s).to_owned()),
                _ => None,
            },
        })
        .collect();
    parts.map(|p| p.join(delimiter))
}

/// True when an error is about a stand-in (or a structure holding one) rather than about
/// anything written in the template.
fn hides_an_intrinsic(pointer: &str, kind: &ValidationErrorKind, opaque: &[Opaque]) -> bool {
    if matches!(kind, ValidationErrorKind::Required { .. } | ValidationErrorKind::AdditionalProperties { .. }) {
        return false;
    }
    opaque.iter().any(|o| o.prepared.strip_prefix(pointer).is_some_and(|rest| rest.is_empty() || rest.starts_with('/')))
}

/// True for a `oneOf`/`anyOf` whose branches only name required properties: whether it
/// holds depends on which properties are set, never on their values.
fn presence_only(schema: &Value, schema_path: &str) -> bool {
    let keyword = schema_path.rsplit('/').next().unwrap_or_default();
    if keyword != "oneOf" && keyword != "anyOf" {
        return false;
    }
    schema.pointer(schema_path).and_then(Value::as_array).is_some_and(|branches| {
        branches.iter().all(|b| b.as_object().is_some_and(|m| m.keys().all(|k| k == "required")))
    })
}

/// CloudFormation converts between strings and numbers or booleans: `"8080"` is a fine port.
fn coercible(kind: &ValidationErrorKind, instance: &Value) -> bool {
    let ValidationErrorKind::Type { kind } = kind else { return false };
    let wants = |t: JsonType| match kind {
        TypeKind::Single(s) => *s == t,
        TypeKind::Multiple(set) => set.contains(t),
    };
    match instance {
        Value::String(s) => {
            (wants(JsonType::Integer) && s.trim().parse::<i64>().is_ok())
                || (wants(JsonType::Number) && s.trim().parse::<f64>().is_ok())
                || (wants(JsonType::Boolean) && matches!(s.to_ascii_lowercase().as_str(), "true" | "false"))
        }
        Value::Number(_) | Value::Bool(_) => wants(JsonType::String),
        _ => false,
    }
}

fn describe(
    schema: &Value,
    type_name: &str,
    at: &Path,
    pointer: &str,
    kind: &ValidationErrorKind,
    instance: &Value,
    schema_path: &str,
) -> Vec<Diagnostic> {
    let here = join(at, pointer);
    let what = if pointer.is_empty() { type_name.to_owned() } else { format!("`{}`", Path::from_pointer(pointer)) };
    let shown = short(instance);
    let d = |message: String| Diagnostic::error("TPL201", here.clone(), message);
    match kind {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let known: Vec<String> = subschema(schema, pointer)
                .and_then(|s| s.get("properties"))
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            let names: Vec<&str> = known.iter().map(String::as_str).collect();
            unexpected
                .iter()
                .map(|p| {
                    let mut diag = Diagnostic {
                        at: At::Path(here.key(p), Focus::Key),
                        ..d(format!(
                            "{type_name} has no property `{p}`{}",
                            if pointer.is_empty() { String::new() } else { format!(" in {what}") }
                        ))
                    };
                    diag.help = Some(match did_you_mean(p, &names) {
                        Some(b) => format!("did you mean `{b}`?"),
                        None => format!("valid properties here: {}", names.join(", ")),
                    });
                    diag
                })
                .collect()
        }
        ValidationErrorKind::Required { property } => {
            let p = property.as_str().unwrap_or_default();
            vec![
                d(format!(
                    "{type_name} requires `{p}`{}",
                    if pointer.is_empty() { String::new() } else { format!(" in {what}") }
                ))
                .help(format!("add `{p}`")),
            ]
        }
        ValidationErrorKind::Type { kind } => {
            let wanted = match kind {
                TypeKind::Single(t) => t.to_string(),
                TypeKind::Multiple(set) => set.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(" or "),
            };
            vec![d(format!("{what} must be {}, not {}", article(&wanted), kind_of(instance)))]
        }
        ValidationErrorKind::Enum { options } => {
            let list: Vec<String> = options.as_array().map(|a| a.iter().map(short).collect()).unwrap_or_default();
            let names: Vec<&str> =
                options.as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
            let mut diag = d(format!("{what} is {shown}; allowed: {}", list.join(", ")));
            if let Some(b) = instance.as_str().and_then(|s| did_you_mean(s, &names)) {
                diag = diag.help(format!("did you mean `{b}`?"));
            }
            vec![diag]
        }
        ValidationErrorKind::Pattern { pattern } => {
            vec![d(format!("{what} is {shown}, which does not match {pattern}"))]
        }
        ValidationErrorKind::MinLength { limit } => {
            vec![d(format!("{what} is {shown}, shorter than {limit} characters"))]
        }
        ValidationErrorKind::MaxLength { limit } => {
            vec![d(format!("{what} is {shown}, longer than {limit} characters"))]
        }
        ValidationErrorKind::Format { format } => {
            vec![d(format!("{what} is {shown}, which is not the form of a {format}"))]
        }
        ValidationErrorKind::MinItems { limit } => vec![d(format!("{what} has fewer than {limit} items"))],
        ValidationErrorKind::MaxItems { limit } => vec![d(format!("{what} has more than {limit} items"))],
        ValidationErrorKind::Minimum { limit } => vec![d(format!("{what} is {shown}, below the minimum {limit}"))],
        ValidationErrorKind::Maximum { limit } => vec![d(format!("{what} is {shown}, above the maximum {limit}"))],
        ValidationErrorKind::UniqueItems => vec![d(format!("{what} lists an item twice"))],
        ValidationErrorKind::OneOfNotValid { .. }
        | ValidationErrorKind::OneOfMultipleValid { .. }
        | ValidationErrorKind::AnyOf { .. } => {
            let branches = schema.pointer(schema_path.trim_end_matches('/')).and_then(Value::as_array);
            let exclusive: Option<Vec<String>> = branches.and_then(|b| {
                b.iter()
                    .map(|branch| {
                        branch
                            .get("required")
                            .and_then(Value::as_array)
                            .filter(|r| r.len() == 1)
                            .and_then(|r| r[0].as_str().map(str::to_owned))
                    })
                    .collect()
            });
            match exclusive {
                Some(names) if matches!(kind, ValidationErrorKind::AnyOf { .. }) => {
                    vec![d(format!("{what} needs at least one of {}", names.join(", ")))]
                }
                Some(names) => vec![d(format!("{what} needs exactly one of {}", names.join(", ")))],
                None => vec![d(format!("{what} does not match any form {type_name} accepts here"))],
            }
        }
        other => vec![d(format!(
            "{what}: {}",
            format!("{other:?}").split(['{', '(']).next().unwrap_or("invalid value").trim()
        ))],
    }
}

fn join(at: &Path, pointer: &str) -> Path {
    let mut p = at.clone();
    p.0.extend(Path::from_pointer(pointer).0);
    p
}

fn short(v: &Value) -> String {
    let s = match v {
        Value::String(s) if s.starts_with(STAND_IN) => return "a value computed at deploy time".into(),
        Value::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    };
    if s.chars().count() > 80 { format!("{}...`", s.chars().take(77).collect::<String>()) } else { s }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

fn article(t: &str) -> String {
    match t {
        "object" => "a map".into(),
        "array" => "a list".into(),
        "integer" => "an integer".into(),
        other => format!("a {other}"),
    }
}

/// The subschema that applies at `pointer` inside a resource's properties.
fn subschema<'s>(root: &'s Value, pointer: &str) -> Option<&'s Value> {
    let segments: Vec<String> = Path::from_pointer(pointer)
        .0
        .into_iter()
        .map(|s| match s {
            Segment::Key(k) => k,
            Segment::Index(i) => i.to_string(),
        })
        .collect();
    descend(root, root, &segments, 0)
}

fn descend<'s>(root: &'s Value, node: &'s Value, segments: &[String], depth: usize) -> Option<&'s Value> {
    let node = data::resolve(root, node);
    let Some((first, rest)) = segments.split_first() else { return Some(node) };
    if depth > 64 {
        return None;
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(branches) = node.get(key).and_then(Value::as_array)
            && let Some(found) = branches.iter().find_map(|b| descend(root, b, segments, depth + 1))
        {
            return Some(found);
        }
    }
    let next = node
        .get("properties")
        .and_then(|p| p.get(first))
        .or_else(|| node.get("items").filter(|_| first.parse::<usize>().is_ok()))
        .or_else(|| node.get("patternProperties").and_then(Value::as_object).and_then(|m| m.values().next()))
        .or_else(|| node.get("additionalProperties").filter(|a| a.is_object()))?;
    descend(root, next, rest, depth + 1)
}

/// The root-level keywords cfn-lint's schemas add to JSON Schema.
fn custom_keywords(ctx: &mut Ctx<'_>, schema: &Value, instance: &Value, at: &Path) {
    let Some(props) = instance.as_object() else { return };
    let names = |v: &Value| -> Vec<String> {
        v.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect()).unwrap_or_default()
    };
    if let Some(xor) = schema.get("requiredXor") {
        let names = names(xor);
        let set: Vec<&String> = names.iter().filter(|n| props.contains_key(n.as_str())).collect();
        if set.len() != 1 {
            ctx.error("TPL204", at.clone(), format!("set exactly one of {}", names.join(", ")), None);
        }
    }
    if let Some(m) = schema.get("dependentExcluded").and_then(Value::as_object) {
        for (prop, excluded) in m {
            if props.contains_key(prop) {
                for e in names(excluded).iter().filter(|e| props.contains_key(e.as_str())) {
                    ctx.error("TPL204", at.key(e), format!("`{e}` cannot be set together with `{prop}`"), None);
                }
            }
        }
    }
    if let Some(m) = schema.get("dependentRequired").and_then(Value::as_object) {
        for (prop, required) in m {
            if props.contains_key(prop) {
                for r in names(required).iter().filter(|r| !props.contains_key(r.as_str())) {
                    ctx.error("TPL204", at.key(prop), format!("`{prop}` needs `{r}` as well"), None);
                }
            }
        }
    }
}

fn read_only(ctx: &mut Ctx<'_>, schema: &Value, type_name: &str, instance: &Value, at: &Path) {
    for p in schema.get("readOnlyProperties").and_then(Value::as_array).into_iter().flatten() {
        let Some(pointer) = p.as_str().and_then(|s| s.strip_prefix("/properties")) else { continue };
        if !pointer.contains('*') && instance.pointer(pointer).is_some() {
            ctx.error(
                "TPL202",
                join(at, pointer),
                format!("`{}` is read-only in {type_name}: CloudFormation sets it", Path::from_pointer(pointer)),
                Some("remove it; read it with Fn::GetAtt instead".into()),
            );
        }
    }
}

/// What a value is, as far as kinds go.
#[derive(Clone, Debug, PartialEq)]
enum Kind {
    /// An ARN, of a given resource type when known.
    Arn(Option<String>),
    /// A value with a cfn-lint value-kind format such as `AWS::EC2::VPC.Id`.
    Format(String),
    /// Something that is not an ARN, described for messages ("the RoleName").
    Plain(String),
}

fn arn_type(format: &str) -> Option<String> {
    format.strip_suffix(".Arn").map(str::to_owned)
}

/// The kind of value a schema node wants.
fn wanted(node: &Value) -> Option<Kind> {
    if let Some(f) = node.get("format").and_then(Value::as_str) {
        if let Some(t) = arn_type(f) {
            return Some(Kind::Arn(Some(t)));
        }
        if f.starts_with("AWS::") && !f.ends_with('s') {
            return Some(Kind::Format(f.to_owned()));
        }
    }
    let pattern = node.get("pattern").and_then(Value::as_str)?;
    // `^arn:...`, and also `^(arn:...)|()$` (an ARN or nothing); but not `^(arn:...)?name$`,
    // a name or an ARN (`EventBusName`, a Permission's `FunctionName`).
    (pattern.trim_start_matches(['^', '(']).starts_with("arn:") && !accepts_name(pattern)).then_some(Kind::Arn(None))
}

/// True when `pattern` (a schema's) matches a plain name, `name1`: the property takes a name
/// as well as an ARN. Each pattern is tried once per thread.
fn accepts_name(pattern: &str) -> bool {
    thread_local! {
        static SEEN: std::cell::RefCell<std::collections::HashMap<String, bool>> = Default::default();
    }
    SEEN.with(|seen| {
        if let Some(&known) = seen.borrow().get(pattern) {
            return known;
        }
        // Read whole, as AWS means its patterns: `^(arn:...)|()$` is an ARN or nothing, though
        // its `()$` alone would find a match at the end of any value.
        let schema = serde_json::json!({"type": "string", "pattern": format!("^(?:{pattern})$")});
        let accepts = jsonschema::draft7::new(&schema).is_ok_and(|v| v.is_valid(&Value::from("name1")));
        seen.borrow_mut().insert(pattern.to_owned(), accepts);
        accepts
    })
}

/// Properties whose schema says ARN but whose service takes a name as well. Sources: the
/// ECS `RegisterTaskDefinition` reference ("the short name or full ARN of the IAM role").
const NAME_OR_ARN: &[(&str, &str)] =
    &[("AWS::ECS::TaskDefinition", "TaskRoleArn"), ("AWS::ECS::TaskDefinition", "ExecutionRoleArn")];

/// The kind of value a property of a resource type holds.
fn property_kind(type_name: &str, property: &str) -> Option<Kind> {
    let schema = data::schema(type_name)?;
    let node = data::resolve(schema, schema.get("properties")?.get(property)?);
    if let Some(k) = wanted(node) {
        return Some(k);
    }
    if property.ends_with("Arn") || property.ends_with("ARN") {
        return Some(Kind::Arn(Some(type_name.to_owned())));
    }
    Some(Kind::Plain(format!("the {property}")))
}

/// The kind of value an intrinsic produces, when it can be told.
fn produced(ctx: &Ctx<'_>, intrinsic: &Value) -> Option<(Kind, String)> {
    let (name, arg) = as_fn(intrinsic)?;
    match name {
        "Ref" => {
            let target = arg.as_str()?;
            if let Some(p) = ctx.parameters.get(target) {
                let t = p.get("Type")?.as_str()?;
                // An SSM parameter type gives the value of the type it wraps.
                // <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-supplied-parameter-types.html#cloudformation-supplied-parameter-types-ssm>
                let t = t.strip_prefix("AWS::SSM::Parameter::Value<").and_then(|i| i.strip_suffix('>')).unwrap_or(t);
                let single = t
                    .strip_prefix("AWS::")
                    .and_then(|rest| rest.rsplit_once("::"))
                    .map(|(res, attr)| format!("AWS::{res}.{attr}"))?;
                return Some((Kind::Format(single), format!("parameter `{target}`")));
            }
            let type_name = ctx.resource_type(target)?;
            let schema = data::schema(type_name)?;
            let ids = schema.get("primaryIdentifier")?.as_array()?;
            let [only] = ids.as_slice() else { return None };
            let property = only.as_str()?.strip_prefix("/properties/")?;
            Some((property_kind(type_name, property)?, format!("`!Ref {target}` gives the {property} of {type_name}")))
        }
        "Fn::GetAtt" => {
            let (resource, attribute) = match arg {
                Value::String(s) => s.split_once('.').map(|(a, b)| (a.to_owned(), b.to_owned()))?,
                Value::Array(a) => (a.first()?.as_str()?.to_owned(), a.get(1)?.as_str()?.to_owned()),
                _ => return None,
            };
            let type_name = ctx.resource_type(&resource)?;
            if attribute.contains('.') {
                return None;
            }
            Some((
                property_kind(type_name, &attribute)?,
                format!("`!GetAtt {resource}.{attribute}` gives the {attribute} of {type_name}"),
            ))
        }
        _ => None,
    }
}

fn kinds(ctx: &mut Ctx<'_>, schema: &Value, opaque: &Opaque, at: &Path) {
    let (path, intrinsic) = (&opaque.original, &opaque.value);
    // What the intrinsic gives first: most (`Fn::Sub`, `Fn::ImportValue`) cannot be told, and
    // then the schema need not be searched.
    let Some((have, source)) = produced(ctx, intrinsic) else { return };
    let Some(node) = subschema(schema, &opaque.prepared) else { return };
    let Some(want) = wanted(node) else { return };
    let property = path.0.iter().rev().find_map(|s| match s {
        Segment::Key(k) => Some(k.clone()),
        Segment::Index(_) => None,
    });
    let property = property.unwrap_or_default();
    let type_name = schema.get("typeName").and_then(Value::as_str).unwrap_or_default();
    if NAME_OR_ARN.contains(&(type_name, property.as_str())) && matches!(&have, Kind::Plain(p) if p == "the RoleName") {
        return;
    }
    let mismatch = match (&want, &have) {
        (Kind::Arn(_), Kind::Plain(_)) => true,
        (Kind::Arn(Some(a)), Kind::Arn(Some(b))) => a != b,
        (Kind::Arn(_), Kind::Format(_)) => true,
        (Kind::Format(a), Kind::Format(b)) => a != b,
        (Kind::Format(_), Kind::Arn(_)) => true,
        _ => false,
    };
    if !mismatch {
        return;
    }
    let needed = match &want {
        Kind::Arn(Some(t)) => {
            format!("the ARN of {} {t}", if t.starts_with(['A', 'E', 'I', 'O', 'U']) { "an" } else { "a" })
        }
        Kind::Arn(None) => "an ARN".into(),
        Kind::Format(f) => format!("a {f}"),
        Kind::Plain(p) => p.clone(),
    };
    let help = match (name_of(intrinsic), &want) {
        (Some(resource), Kind::Arn(_))
            if !matches!(have, Kind::Arn(_))
                && ctx
                    .resource_type(&resource)
                    .and_then(|t| data::schema(t))
                    .is_some_and(|s| s["properties"].get("Arn").is_some()) =>
        {
            Some(format!("use `!GetAtt {resource}.Arn`"))
        }
        _ => None,
    };
    ctx.error("TPL203", join(at, &path.pointer()), format!("{source}, but `{property}` needs {needed}"), help);
}

fn name_of(intrinsic: &Value) -> Option<String> {
    match as_fn(intrinsic)? {
        ("Ref", Value::String(s)) => Some(s.clone()),
        ("Fn::GetAtt", Value::Array(a)) => a.first()?.as_str().map(str::to_owned),
        ("Fn::GetAtt", Value::String(s)) => s.split('.').next().map(str::to_owned),
        _ => None,
    }
}
