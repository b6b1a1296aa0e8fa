//! IAM's policy evaluation, for identity-based policies: an explicit deny wins, then an allow,
//! else the request is implicitly denied. Statements match by `Action`/`NotAction` and
//! `Resource`/`NotResource` (wildcards, policy variables) and by every condition, with the
//! operators, set qualifiers (`ForAnyValue:`, `ForAllValues:`) and `...IfExists` forms IAM
//! defines.
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>

use std::collections::HashMap;

use serde_json::Value;

/// A request: who asks (through the context's `aws:` keys), what, on which resource.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// `service:Action`.
    pub action: String,
    /// The resource's ARN.
    pub resource: String,
    /// Condition keys present in the request, lowercase, each with its values.
    pub context: HashMap<String, Vec<String>>,
}

impl Request {
    /// A request for `action` on `resource`, with no condition keys yet.
    pub fn new(action: &str, resource: impl Into<String>) -> Self {
        Self { action: action.to_owned(), resource: resource.into(), context: HashMap::new() }
    }

    /// The same request with `key` set to one value.
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Self {
        self.context.insert(key.to_ascii_lowercase(), vec![value.into()]);
        self
    }

    /// The same request with `key` set to several values (a multivalued key).
    pub fn with_all(mut self, key: &str, values: &[&str]) -> Self {
        self.context.insert(key.to_ascii_lowercase(), values.iter().map(|v| (*v).to_owned()).collect());
        self
    }

    fn get(&self, key: &str) -> Option<&Vec<String>> {
        self.context.get(&key.to_ascii_lowercase())
    }
}

/// What decided a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Allowed by the statement at this index of the policy of this index, and denied by none.
    Allow(usize, usize),
    /// Denied by the statement at this index of the policy of this index.
    Deny(usize, usize),
    /// No statement allows it.
    Implicit,
}

impl Decision {
    /// True when the request is allowed.
    pub fn allowed(&self) -> bool {
        matches!(self, Self::Allow(..))
    }
}

/// Evaluates `request` against identity-based policy documents `policies`.
pub fn evaluate(policies: &[&Value], request: &Request) -> Decision {
    let mut allow = None;
    for (p, doc) in policies.iter().enumerate() {
        for (s, statement) in statements(doc).enumerate() {
            if !applies(statement, request) {
                continue;
            }
            match statement.get("Effect").and_then(Value::as_str) {
                Some("Deny") => return Decision::Deny(p, s),
                Some("Allow") if allow.is_none() => allow = Some((p, s)),
                _ => {}
            }
        }
    }
    allow.map_or(Decision::Implicit, |(p, s)| Decision::Allow(p, s))
}

/// The statements of a policy document (a single statement object counts as one).
pub fn statements(doc: &Value) -> Box<dyn Iterator<Item = &Value> + '_> {
    match doc.get("Statement") {
        Some(Value::Array(items)) => Box::new(items.iter()),
        Some(one @ Value::Object(_)) => Box::new(std::iter::once(one)),
        _ => Box::new(std::iter::empty()),
    }
}

/// Whether `f` holds for the string, or for any string of the list, `v`.
fn any_string(v: &Value, f: impl Fn(&str) -> bool) -> bool {
    match v {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter().filter_map(Value::as_str).any(f),
        _ => false,
    }
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// True when `statement` matches `request`: action, resource and every condition.
pub fn applies(statement: &Value, request: &Request) -> bool {
    let action_matches = |patterns: &Value| any_string(patterns, |p| glob_ci(p, &request.action));
    let action = match (statement.get("Action"), statement.get("NotAction")) {
        (Some(a), _) => action_matches(a),
        (None, Some(not)) => !action_matches(not),
        _ => false,
    };
    if !action {
        return false;
    }
    let resource_matches = |patterns: &Value| {
        any_string(patterns, |p| match substitute(p, request) {
            Some(p) => arn_matches(&p, &request.resource),
            None => false,
        })
    };
    let resource = match (statement.get("Resource"), statement.get("NotResource")) {
        (Some(r), _) => resource_matches(r),
        // A variable that cannot be resolved leaves NotResource unmatched, so the
        // statement applies: IAM errs the same way.
        (None, Some(not)) => !resource_matches(not),
        _ => false,
    };
    resource && conditions(statement.get("Condition"), request)
}

fn conditions(block: Option<&Value>, request: &Request) -> bool {
    let Some(Value::Object(operators)) = block else { return true };
    operators.iter().all(|(operator, keys)| {
        let Value::Object(keys) = keys else { return false };
        keys.iter().all(|(key, values)| condition(operator, key, &strings(Some(values)), request))
    })
}

/// One condition: `operator: {key: values}`.
fn condition(operator: &str, key: &str, values: &[&str], request: &Request) -> bool {
    let (set, rest) = match operator.split_once(':') {
        Some(("ForAnyValue", rest)) => (Some(true), rest),
        Some(("ForAllValues", rest)) => (Some(false), rest),
        _ => (None, operator),
    };
    let (base, if_exists) = match rest.strip_suffix("IfExists") {
        Some(base) => (base, true),
        None => (rest, false),
    };
    let present = request.get(key);
    if base == "Null" {
        let absent = present.is_none_or(Vec::is_empty);
        return values.iter().any(|v| v.eq_ignore_ascii_case(&absent.to_string()));
    }
    let negated = matches!(
        base,
        "StringNotEquals"
            | "StringNotEqualsIgnoreCase"
            | "StringNotLike"
            | "ArnNotEquals"
            | "ArnNotLike"
            | "NumericNotEquals"
            | "DateNotEquals"
    );
    // The policy's values may hold variables; one that does not resolve matches nothing.
    let wanted: Vec<std::borrow::Cow<'_, str>> = values.iter().filter_map(|v| substitute(v, request)).collect();
    let matches_one = |actual: &str| -> bool {
        let positive = positive_form(base);
        let hit = wanted.iter().any(|w| compare(positive, w, actual));
        if negated { !hit } else { hit }
    };
    match (set, present) {
        // ForAllValues: every value of the request matches; true for an absent or empty key.
        (Some(false), None) => true,
        (Some(false), Some(actual)) => actual.iter().all(|a| matches_one(a)),
        // ForAnyValue: some value of the request matches; false for an absent key.
        (Some(true), None) => false,
        (Some(true), Some(actual)) => actual.iter().any(|a| matches_one(a)),
        (None, None) => if_exists || negated,
        // A single-valued operator on the key's value (the first, should there be several).
        (None, Some(actual)) => actual.first().is_some_and(|a| matches_one(a)),
    }
}

/// The operator without its negation: `StringNotLike` compares as `StringLike`.
fn positive_form(base: &str) -> &str {
    match base {
        "StringNotEquals" => "StringEquals",
        "StringNotEqualsIgnoreCase" => "StringEqualsIgnoreCase",
        "StringNotLike" => "StringLike",
        "ArnNotEquals" => "ArnEquals",
        "ArnNotLike" => "ArnLike",
        "NumericNotEquals" => "NumericEquals",
        "DateNotEquals" => "DateEquals",
        other => other,
    }
}

fn compare(operator: &str, wanted: &str, actual: &str) -> bool {
    let num = |s: &str| s.parse::<f64>().ok();
    match operator {
        "StringEquals" => wanted == actual,
        "StringEqualsIgnoreCase" => wanted.eq_ignore_ascii_case(actual),
        "StringLike" => glob(wanted, actual),
        "ArnEquals" | "ArnLike" => arn_matches(wanted, actual),
        "Bool" => wanted.eq_ignore_ascii_case(actual),
        "NumericEquals" => num(wanted).zip(num(actual)).is_some_and(|(w, a)| a == w),
        "NumericLessThan" => num(wanted).zip(num(actual)).is_some_and(|(w, a)| a < w),
        "NumericLessThanEquals" => num(wanted).zip(num(actual)).is_some_and(|(w, a)| a <= w),
        "NumericGreaterThan" => num(wanted).zip(num(actual)).is_some_and(|(w, a)| a > w),
        "NumericGreaterThanEquals" => num(wanted).zip(num(actual)).is_some_and(|(w, a)| a >= w),
        // ISO 8601 strings of one form compare as text.
        "DateEquals" => wanted == actual,
        "DateLessThan" => actual < wanted,
        "DateLessThanEquals" => actual <= wanted,
        "DateGreaterThan" => actual > wanted,
        "DateGreaterThanEquals" => actual >= wanted,
        _ => false,
    }
}

/// `text` with its policy variables (`${aws:username}`, `${aws:PrincipalTag/team}`) replaced
/// by the request's values, and `${*}`, `${?}`, `${$}` by the literal characters; `None` when
/// a variable has no value in the request. A `*` or `?` that a variable brings in is literal.
pub fn substitute<'t>(text: &'t str, request: &Request) -> Option<std::borrow::Cow<'t, str>> {
    if !text.contains("${") {
        return Some(std::borrow::Cow::Borrowed(text));
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}')?;
        let name = &after[..end];
        match name {
            "*" => out.push_str(LITERAL_STAR),
            "?" => out.push_str(LITERAL_QUESTION),
            "$" => out.push('$'),
            _ => {
                let value = request.get(name)?.first()?;
                out.push_str(&value.replace('*', LITERAL_STAR).replace('?', LITERAL_QUESTION));
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(std::borrow::Cow::Owned(out))
}

/// Stand-ins for a `*` and a `?` that must match themselves, not anything.
const LITERAL_STAR: &str = "\u{E000}";
const LITERAL_QUESTION: &str = "\u{E001}";

/// Case-insensitive wildcard match (actions).
pub fn glob_ci(pattern: &str, text: &str) -> bool {
    crate::glob::ascii_ci(pattern, text)
}

/// Wildcard match: `*` any run of characters, `?` any one; the literal stand-ins match only
/// themselves in `text`'s original characters.
pub fn glob(pattern: &str, text: &str) -> bool {
    // The stand-ins are not ASCII: ASCII on both sides compares bytes, without copying.
    if pattern.is_ascii() && text.is_ascii() {
        return crate::glob::matches(pattern.as_bytes(), text.as_bytes(), b'*', b'?', |p, t| p == t);
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let literal = |c: char| match c {
        '\u{E000}' => '*',
        '\u{E001}' => '?',
        other => other,
    };
    crate::glob::matches(&p, &t, '*', '?', |p, t| literal(p) == t)
}

/// ARN match: the six colon-separated fields are compared one by one, each with wildcards;
/// the resource field (the sixth, which may itself hold colons) as a whole. `*` alone matches
/// every ARN.
pub fn arn_matches(pattern: &str, arn: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    if pattern.matches(':').count() < 5 || arn.matches(':').count() < 5 {
        return glob(pattern, arn);
    }
    pattern.splitn(6, ':').zip(arn.splitn(6, ':')).all(|(p, a)| glob(p, a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_wildcards_within_arn_fields() {
        assert!(arn_matches("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b"));
        assert!(!arn_matches("arn:aws:s3:::bucket/*", "arn:aws:s3:::other/a"));
        assert!(arn_matches("arn:aws:sagemaker:*:*:domain/*", "arn:aws:sagemaker:us-east-1:111122223333:domain/d-1"));
        assert!(!arn_matches("arn:aws:sagemaker:*:*:domain/*", "arn:aws:iam::111122223333:role/x"));
        assert!(arn_matches(
            "arn:aws:logs:*:*:log-group:/aws/sagemaker/*",
            "arn:aws:logs:us-east-1:1:log-group:/aws/sagemaker/x:log-stream:y"
        ));
    }

    #[test]
    fn variables_bring_literal_wildcards() {
        let r = Request::new("s3:GetObject", "arn:aws:s3:::b/alice/x").with("aws:username", "*");
        assert_eq!(
            substitute("arn:aws:s3:::b/${aws:username}/*", &r).map(|s| glob(&s, "arn:aws:s3:::b/alice/x")),
            Some(false)
        );
        assert_eq!(substitute("a${aws:missing}", &r), None);
    }
}
