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
    Policies::new(policies).evaluate(request)
}

/// Policy documents read once for many requests: each statement's effect, actions,
/// resources and conditions taken out of its JSON, condition keys lowercased, so that a
/// request costs comparisons, not lookups.
pub struct Policies<'a> {
    statements: Vec<Prepared<'a>>,
}

impl<'a> Policies<'a> {
    /// Reads `policies`, in order.
    pub fn new(policies: &[&'a Value]) -> Self {
        let statements = policies
            .iter()
            .enumerate()
            .flat_map(|(p, doc)| statements(doc).enumerate().map(move |(s, st)| Prepared::new(p, s, st)))
            .collect();
        Self { statements }
    }

    /// What IAM decides for `request`: an explicit deny wins, then an allow.
    pub fn evaluate(&self, request: &Request) -> Decision {
        let mut allow = None;
        for st in &self.statements {
            if st.effect.is_none() || !st.applies(request) {
                continue;
            }
            match st.effect {
                Some(false) => return Decision::Deny(st.policy, st.index),
                Some(true) if allow.is_none() => allow = Some((st.policy, st.index)),
                _ => {}
            }
        }
        allow.map_or(Decision::Implicit, |(p, s)| Decision::Allow(p, s))
    }

    /// The deny statements whose `Action` names `action`, in order.
    pub fn denying<'s>(&'s self, action: &'s str) -> impl Iterator<Item = &'a Value> + 's {
        self.statements
            .iter()
            .filter(move |st| st.effect == Some(false) && !st.not_action && st.action_matches(action))
            .map(|st| st.statement)
    }
}

/// One statement, read.
struct Prepared<'a> {
    policy: usize,
    index: usize,
    statement: &'a Value,
    /// `Some(true)` allows, `Some(false)` denies, `None` neither (no valid `Effect`).
    effect: Option<bool>,
    /// Action (or, with `not_action`, NotAction) patterns, each with whether it holds a
    /// wildcard; `None` when the statement has neither.
    actions: Option<Vec<(&'a str, bool)>>,
    not_action: bool,
    /// Resource (or, with `not_resource`, NotResource) patterns; `None` when it has neither.
    resources: Option<Vec<&'a str>>,
    not_resource: bool,
    /// Every condition; `None` when the block is malformed, which matches nothing.
    conditions: Option<Vec<Condition<'a>>>,
}

/// One condition: `operator: {key: values}`, its operator taken apart.
struct Condition<'a> {
    /// `Some(true)` for `ForAnyValue:`, `Some(false)` for `ForAllValues:`.
    set: Option<bool>,
    /// The operator without qualifier or `IfExists`.
    base: &'a str,
    if_exists: bool,
    /// The key, lowercase (requests hold keys lowercase).
    key: String,
    values: Vec<&'a str>,
}

impl<'a> Prepared<'a> {
    fn new(policy: usize, index: usize, statement: &'a Value) -> Self {
        let effect = match statement.get("Effect").and_then(Value::as_str) {
            Some("Allow") => Some(true),
            Some("Deny") => Some(false),
            _ => None,
        };
        let (actions, not_action) = match (statement.get("Action"), statement.get("NotAction")) {
            (Some(a), _) => (Some(a), false),
            (None, Some(not)) => (Some(not), true),
            _ => (None, false),
        };
        let (resources, not_resource) = match (statement.get("Resource"), statement.get("NotResource")) {
            (Some(r), _) => (Some(r), false),
            (None, Some(not)) => (Some(not), true),
            _ => (None, false),
        };
        let actions =
            actions.map(|a| strings(Some(a)).into_iter().map(|p| (p, p.contains(['*', '?']))).collect::<Vec<_>>());
        Self {
            policy,
            index,
            statement,
            effect,
            actions,
            not_action,
            resources: resources.map(|r| strings(Some(r))),
            not_resource,
            conditions: prepare_conditions(statement.get("Condition")),
        }
    }

    fn action_matches(&self, action: &str) -> bool {
        self.actions
            .as_deref()
            .unwrap_or_default()
            .iter()
            .any(|&(p, wild)| if wild { glob_ci(p, action) } else { p.eq_ignore_ascii_case(action) })
    }

    fn applies(&self, request: &Request) -> bool {
        if self.actions.is_none() || self.action_matches(&request.action) == self.not_action {
            return false;
        }
        let Some(resources) = &self.resources else { return false };
        let resource_matches = resources.iter().any(|p| match substitute(p, request) {
            Some(p) => arn_matches(&p, &request.resource),
            None => false,
        });
        // A variable that cannot be resolved leaves NotResource unmatched, so the statement
        // applies: IAM errs the same way.
        if resource_matches == self.not_resource {
            return false;
        }
        match &self.conditions {
            Some(all) => all.iter().all(|c| c.holds(request)),
            None => false,
        }
    }
}

fn prepare_conditions(block: Option<&Value>) -> Option<Vec<Condition<'_>>> {
    let Some(Value::Object(operators)) = block else { return Some(Vec::new()) };
    let mut out = Vec::new();
    for (operator, keys) in operators {
        let Value::Object(keys) = keys else { return None };
        let (set, rest) = match operator.split_once(':') {
            Some(("ForAnyValue", rest)) => (Some(true), rest),
            Some(("ForAllValues", rest)) => (Some(false), rest),
            _ => (None, operator.as_str()),
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(base) => (base, true),
            None => (rest, false),
        };
        for (key, values) in keys {
            out.push(Condition { set, base, if_exists, key: key.to_ascii_lowercase(), values: strings(Some(values)) });
        }
    }
    Some(out)
}

/// The statements of a policy document (a single statement object counts as one).
pub fn statements(doc: &Value) -> Box<dyn Iterator<Item = &Value> + '_> {
    match doc.get("Statement") {
        Some(Value::Array(items)) => Box::new(items.iter()),
        Some(one @ Value::Object(_)) => Box::new(std::iter::once(one)),
        _ => Box::new(std::iter::empty()),
    }
}

/// The strings of a string or a list value.
fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

impl Condition<'_> {
    fn holds(&self, request: &Request) -> bool {
        let present = request.context.get(&self.key);
        let base = self.base;
        if base == "Null" {
            let absent = present.is_none_or(Vec::is_empty);
            let absent = if absent { "true" } else { "false" };
            return self.values.iter().any(|v| v.eq_ignore_ascii_case(absent));
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
        let positive = positive_form(base);
        // The policy's values may hold variables; one that does not resolve matches nothing.
        let matches_one = |actual: &str| -> bool {
            let hit = self.values.iter().filter_map(|v| substitute(v, request)).any(|w| compare(positive, &w, actual));
            if negated { !hit } else { hit }
        };
        match (self.set, present) {
            // ForAllValues: every value of the request matches; true for an absent or empty key.
            (Some(false), None) => true,
            (Some(false), Some(actual)) => actual.iter().all(|a| matches_one(a)),
            // ForAnyValue: some value of the request matches; false for an absent key.
            (Some(true), None) => false,
            (Some(true), Some(actual)) => actual.iter().any(|a| matches_one(a)),
            (None, None) => self.if_exists || negated,
            // A single-valued operator on the key's value (the first, should there be several).
            (None, Some(actual)) => actual.first().is_some_and(|a| matches_one(a)),
        }
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
