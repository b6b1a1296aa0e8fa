//! IAM policy documents inside templates: grammar, effects, principals, every action name or
//! wildcard against the IAM catalog, condition operators and condition keys, and size quotas.
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::ctx::{Ctx, as_fn, sample_sub};
use super::data::catalog;
use crate::diag::did_you_mean;
use crate::path::{Path, Trail};

/// Whose policy a document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Attached to a user, group or role: no Principal, always a Resource.
    Identity,
    /// A role's trust policy: a Principal, no Resource.
    Trust,
    /// Attached to a resource: a Principal and a Resource.
    Resource,
    /// Attached to the one resource it governs, which it does not name: a Principal, and a
    /// Resource only optionally (ECR's repository policies).
    /// <https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policy-examples.html>
    Implied,
}

/// Where policy documents live: type, property path (`*` is every list item), kind.
const LOCATIONS: &[(&str, &[&str], Kind)] = &[
    ("AWS::IAM::Role", &["AssumeRolePolicyDocument"], Kind::Trust),
    ("AWS::IAM::Role", &["Policies", "*", "PolicyDocument"], Kind::Identity),
    ("AWS::IAM::ManagedPolicy", &["PolicyDocument"], Kind::Identity),
    ("AWS::IAM::Policy", &["PolicyDocument"], Kind::Identity),
    ("AWS::IAM::User", &["Policies", "*", "PolicyDocument"], Kind::Identity),
    ("AWS::IAM::Group", &["Policies", "*", "PolicyDocument"], Kind::Identity),
    ("AWS::SSO::PermissionSet", &["InlinePolicy"], Kind::Identity),
    ("AWS::S3::BucketPolicy", &["PolicyDocument"], Kind::Resource),
    ("AWS::SQS::QueuePolicy", &["PolicyDocument"], Kind::Resource),
    ("AWS::SNS::TopicPolicy", &["PolicyDocument"], Kind::Resource),
    ("AWS::KMS::Key", &["KeyPolicy"], Kind::Resource),
    ("AWS::ECR::Repository", &["RepositoryPolicyText"], Kind::Implied),
];

const OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

const STATEMENT_KEYS: &[&str] =
    &["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"];

/// Managed policy documents: 6,144 characters, not counting whitespace.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html>
pub const MAX_MANAGED_POLICY: usize = 6_144;
/// All inline policies of one role: 10,240 characters.
pub const MAX_ROLE_INLINE: usize = 10_240;
/// A role trust policy, by default: 2,048 characters.
pub(super) const MAX_TRUST_POLICY: usize = 2_048;

/// Checks every policy document of the template.
pub(super) fn check(ctx: &mut Ctx<'_>) {
    let resources = ctx.resources;
    for (id, r) in resources {
        let Some(type_name) = r.get("Type").and_then(Value::as_str) else { continue };
        let Some(props) = r.get("Properties") else { continue };
        let at = Path::root().key("Resources").key(id).key("Properties");
        let mut inline_total = 0;
        for (_, location, kind) in LOCATIONS.iter().filter(|(t, _, _)| *t == type_name) {
            for (path, doc) in find(props, location, &at) {
                let parsed;
                let doc = match doc {
                    Value::String(s) => match serde_json::from_str::<Value>(s) {
                        Ok(v) => {
                            parsed = v;
                            &parsed
                        }
                        Err(e) => {
                            ctx.error("IAM301", path, format!("the policy is a string but not JSON: {e}"), None);
                            continue;
                        }
                    },
                    other => other,
                };
                if as_fn(doc).is_some() {
                    continue;
                }
                let size = policy_size(doc);
                match (type_name, kind) {
                    ("AWS::IAM::ManagedPolicy", _) if size > MAX_MANAGED_POLICY => ctx.error(
                        "IAM309",
                        path.clone(),
                        format!("the managed policy is about {size} characters; IAM allows {MAX_MANAGED_POLICY}"),
                        Some("split its statements over several managed policies".into()),
                    ),
                    ("AWS::IAM::Role", Kind::Trust) if size > MAX_TRUST_POLICY => ctx.warn(
                        "IAM309",
                        path.clone(),
                        format!("the trust policy is about {size} characters; IAM allows {MAX_TRUST_POLICY} unless the quota was raised"),
                        None,
                    ),
                    ("AWS::IAM::Role", Kind::Identity) => inline_total += size,
                    _ => {}
                }
                document(ctx, &Trail::under(&path), doc, *kind);
            }
        }
        if inline_total > MAX_ROLE_INLINE {
            ctx.error(
                "IAM309",
                at.key("Policies"),
                format!(
                    "the role's inline policies total about {inline_total} characters; IAM allows {MAX_ROLE_INLINE}"
                ),
                Some("move statements into managed policies".into()),
            );
        }
    }
}

/// The documents at `location` (with `*` for every list item) under `props`.
fn find<'v>(props: &'v Value, location: &[&str], at: &Path) -> Vec<(Path, &'v Value)> {
    let Some((first, rest)) = location.split_first() else { return vec![(at.clone(), props)] };
    match (*first, props) {
        ("*", Value::Array(items)) => items.iter().enumerate().flat_map(|(i, v)| find(v, rest, &at.index(i))).collect(),
        (key, Value::Object(m)) => m.get(key).map(|v| find(v, rest, &at.key(key))).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Characters IAM counts (everything but whitespace outside strings), for the largest
/// document the template can produce: each `Fn::If` counts its larger branch.
fn policy_size(doc: &Value) -> usize {
    if has_fn(doc) { super::compact_len(&largest(doc)) } else { super::compact_len(doc) }
}

/// True when `v` holds an `Fn::If` or a `Ref` (which may be `AWS::NoValue`).
fn has_fn(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.contains_key("Fn::If") || m.contains_key("Ref") || m.values().any(has_fn),
        Value::Array(items) => items.iter().any(has_fn),
        _ => false,
    }
}

/// `v` with every `Fn::If` replaced by its larger branch, and `AWS::NoValue` removed.
fn largest(v: &Value) -> Value {
    let no_value = |v: &Value| matches!(as_fn(v), Some(("Ref", Value::String(s))) if s == "AWS::NoValue");
    if let Some(("Fn::If", Value::Array(branches))) = as_fn(v)
        && let [_, a, b] = branches.as_slice()
    {
        let (a, b) = (largest(a), largest(b));
        let size = |x: &Value| if no_value(x) { 0 } else { serde_json::to_string(x).map_or(0, |s| s.len()) };
        return if size(&a) >= size(&b) { a } else { b };
    }
    match v {
        Value::Array(items) => Value::Array(items.iter().map(largest).filter(|i| !no_value(i)).collect()),
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), largest(v))).filter(|(_, v)| !no_value(v)).collect())
        }
        other => other.clone(),
    }
}

fn strings_of(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

fn document(ctx: &mut Ctx<'_>, at: &Trail<'_>, doc: &Value, kind: Kind) {
    let Some(m) = doc.as_object() else {
        ctx.error("IAM301", at.to_path(), "a policy document must be a map with Version and Statement".into(), None);
        return;
    };
    for key in m.keys() {
        if !["Version", "Statement", "Id"].contains(&key.as_str()) {
            ctx.error(
                "IAM301",
                at.key(key).to_path(),
                format!("unknown policy element `{key}`"),
                Some("a policy has Version, Id and Statement".into()),
            );
            ctx.on_key();
        }
    }
    let version = m.get("Version").and_then(Value::as_str);
    match version {
        Some("2012-10-17") => {}
        Some("2008-10-17") => {}
        Some(v) => ctx.error(
            "IAM301",
            at.key("Version").to_path(),
            format!("policy Version `{v}` does not exist"),
            Some("use 2012-10-17".into()),
        ),
        None => ctx.warn(
            "IAM301",
            at.to_path(),
            "the policy has no Version".into(),
            Some("add Version: '2012-10-17'".into()),
        ),
    }
    if version != Some("2012-10-17")
        && serde_json::to_string(doc)
            .is_ok_and(|s| s.contains("${aws:") || s.contains("${sts:") || s.contains("${saml:"))
    {
        ctx.error(
            "IAM301",
            at.to_path(),
            "the policy uses policy variables, which IAM reads as plain text unless Version is 2012-10-17".into(),
            Some("set Version: '2012-10-17'".into()),
        );
    }
    let statements: Vec<(Option<usize>, &Value)> = match m.get("Statement") {
        Some(Value::Array(items)) => items.iter().enumerate().map(|(i, s)| (Some(i), s)).collect(),
        Some(s @ Value::Object(_)) if as_fn(s).is_none() => vec![(None, s)],
        Some(s) if as_fn(s).is_some() => return,
        _ => {
            ctx.error("IAM301", at.to_path(), "the policy has no Statement".into(), None);
            return;
        }
    };
    let mut sids = HashSet::new();
    let under = at.key("Statement");
    for (i, s) in statements {
        let item;
        let path = match i {
            Some(i) => {
                item = under.index(i);
                &item
            }
            None => &under,
        };
        if as_fn(s).is_some() {
            continue;
        }
        if let Some(sid) = s.get("Sid").and_then(Value::as_str) {
            if matches!(kind, Kind::Identity | Kind::Trust) && !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
                ctx.error("IAM301", path.key("Sid").to_path(), format!("Sid `{sid}` is not alphanumeric"), None);
            }
            if !sids.insert(sid.to_owned()) && matches!(kind, Kind::Identity | Kind::Trust) {
                ctx.error(
                    "IAM301",
                    path.key("Sid").to_path(),
                    format!("Sid `{sid}` is used by two statements of this policy"),
                    None,
                );
            }
        }
        statement(ctx, path, s, kind);
    }
}

fn statement(ctx: &mut Ctx<'_>, at: &Trail<'_>, s: &Value, kind: Kind) {
    let Some(m) = s.as_object() else {
        ctx.error("IAM301", at.to_path(), "a statement must be a map".into(), None);
        return;
    };
    for key in m.keys() {
        if !STATEMENT_KEYS.contains(&key.as_str()) {
            let help = did_you_mean(key, STATEMENT_KEYS).map(|b| format!("did you mean `{b}`?"));
            ctx.error("IAM301", at.key(key).to_path(), format!("unknown statement element `{key}`"), help);
            ctx.on_key();
        }
    }
    match m.get("Effect") {
        Some(Value::String(e)) if e == "Allow" || e == "Deny" => {}
        Some(other) => ctx.error(
            "IAM302",
            at.key("Effect").to_path(),
            format!("Effect is {other}; it must be Allow or Deny"),
            None,
        ),
        None => ctx.error(
            "IAM302",
            at.to_path(),
            "the statement has no Effect".into(),
            Some("add Effect: Allow or Effect: Deny".into()),
        ),
    }
    match (m.get("Action"), m.get("NotAction")) {
        (Some(_), Some(_)) => {
            ctx.error("IAM303", at.to_path(), "a statement has Action or NotAction, not both".into(), None)
        }
        (None, None) => ctx.error("IAM303", at.to_path(), "the statement has no Action".into(), None),
        (a, n) => {
            let key = if a.is_some() { "Action" } else { "NotAction" };
            let list = a.or(n).map(strings_of).unwrap_or_default();
            if list.is_empty() {
                ctx.error("IAM303", at.key(key).to_path(), format!("{key} is empty"), None);
            }
            for (i, v) in list.iter().enumerate() {
                let (under, item);
                under = at.key(key);
                let p = if a.or(n).is_some_and(Value::is_array) {
                    item = under.index(i);
                    &item
                } else {
                    &under
                };
                if let Some(name) = v.as_str() {
                    action(ctx, p, name);
                }
            }
        }
    }
    let principal = m.get("Principal").or(m.get("NotPrincipal"));
    match (kind, principal) {
        (Kind::Identity, Some(_)) => ctx.error(
            "IAM308",
            at.key(if m.contains_key("Principal") { "Principal" } else { "NotPrincipal" }).to_path(),
            "an identity policy names no Principal: it applies to whoever it is attached to".into(),
            Some("remove Principal".into()),
        ),
        (Kind::Trust | Kind::Resource | Kind::Implied, None) => ctx.error(
            "IAM308",
            at.to_path(),
            "the statement has no Principal".into(),
            Some("name who the statement applies to".into()),
        ),
        (_, Some(p)) => principal_shape(ctx, &at.key("Principal"), p),
        _ => {}
    }
    let resource = m.get("Resource").or(m.get("NotResource"));
    match (kind, resource) {
        (_, Some(_)) if m.contains_key("Resource") && m.contains_key("NotResource") => {
            ctx.error("IAM303", at.to_path(), "a statement has Resource or NotResource, not both".into(), None)
        }
        (Kind::Trust, Some(_)) => ctx.error(
            "IAM303",
            at.key("Resource").to_path(),
            "a trust policy has no Resource: the role itself is the resource".into(),
            Some("remove Resource".into()),
        ),
        (Kind::Identity | Kind::Resource, None) => ctx.error(
            "IAM303",
            at.to_path(),
            "the statement has no Resource".into(),
            Some("add Resource (\"*\" for actions without resource types)".into()),
        ),
        (_, Some(r)) => {
            let key = if m.contains_key("Resource") { "Resource" } else { "NotResource" };
            for (i, v) in strings_of(r).iter().enumerate() {
                let (under, item);
                under = at.key(key);
                let p = if r.is_array() {
                    item = under.index(i);
                    &item
                } else {
                    &under
                };
                let literal = match as_fn(v) {
                    Some(("Fn::Sub", Value::String(t))) => sample_sub(t),
                    Some(_) => None,
                    None => v.as_str().map(str::to_owned),
                };
                if let Some(l) = literal
                    && l != "*"
                    && !l.starts_with("arn:")
                {
                    ctx.error(
                        "IAM303",
                        p.to_path(),
                        format!("resource `{l}` is not an ARN"),
                        Some("write the full ARN, or \"*\"".into()),
                    );
                }
            }
        }
        _ => {}
    }
    if let Some(c) = m.get("Condition") {
        condition(ctx, &at.key("Condition"), c);
    }
}

fn principal_shape(ctx: &mut Ctx<'_>, at: &Trail<'_>, p: &Value) {
    match p {
        Value::String(s) if s == "*" => {}
        Value::Object(m) => {
            for (k, v) in m {
                if !["AWS", "Service", "Federated", "CanonicalUser"].contains(&k.as_str()) {
                    ctx.error(
                        "IAM308",
                        at.key(k).to_path(),
                        format!("unknown principal type `{k}`"),
                        Some("use AWS, Service, Federated or CanonicalUser".into()),
                    );
                    ctx.on_key();
                    continue;
                }
                for value in strings_of(v) {
                    let Some(s) = value.as_str() else { continue };
                    let ok = match k.as_str() {
                        "AWS" => {
                            s == "*"
                                || (s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()))
                                || s.starts_with("arn:")
                        }
                        "Service" => s.contains('.') && !s.contains(':'),
                        _ => !s.is_empty(),
                    };
                    if !ok {
                        ctx.error("IAM308", at.key(k).to_path(), format!("`{s}` is not a valid {k} principal"), None);
                    }
                }
            }
        }
        _ if as_fn(p).is_some() => {}
        other => ctx.error("IAM308", at.to_path(), format!("Principal is {other}; it must be \"*\" or a map"), None),
    }
}

fn action(ctx: &mut Ctx<'_>, at: &Trail<'_>, name: &str) {
    // Thousands of team stacks name the same few hundred actions: each found valid once per
    // thread is not looked up again.
    thread_local! {
        static VALID: std::cell::RefCell<HashSet<String>> = std::cell::RefCell::new(HashSet::new());
    }
    if name == "*" || VALID.with(|v| v.borrow().contains(name)) {
        return;
    }
    let before = ctx.out.len();
    action_uncached(ctx, at, name);
    if ctx.out.len() == before {
        VALID.with(|v| v.borrow_mut().insert(name.to_owned()));
    }
}

/// An action IAM does not know is a warning: IAM accepts a policy naming a retired action
/// (`kms:ReEncrypt`) or service (`elastic-inference`), which then grants or denies nothing.
/// What synth writes makes it an error (see `validate::bundle`).
fn action_uncached(ctx: &mut Ctx<'_>, at: &Trail<'_>, name: &str) {
    let Some((service, pattern)) = name.split_once(':') else {
        ctx.error("IAM304", at.to_path(), format!("action `{name}` is not of the form service:Action"), None);
        return;
    };
    let c = catalog();
    let service = service.to_ascii_lowercase();
    if !c.services.contains(&service) {
        let names: Vec<&str> = c.services.iter().map(String::as_str).collect();
        let help = did_you_mean(&service, &names).map(|b| format!("did you mean `{b}`?"));
        ctx.warn("IAM304", at.to_path(), format!("`{service}` is not an IAM service prefix"), help);
        return;
    }
    let Some(detail) = c.detailed.get(&service) else { return };
    let lower = pattern.to_ascii_lowercase();
    let matches = if lower.contains(['*', '?']) {
        // Thousands of stacks repeat a few patterns: each is matched against the service's
        // actions once.
        static SEEN: std::sync::OnceLock<std::sync::RwLock<HashMap<String, bool>>> = std::sync::OnceLock::new();
        let seen = SEEN.get_or_init(Default::default);
        let key = format!("{service}:{lower}");
        match seen.read().ok().and_then(|m| m.get(&key).copied()) {
            Some(known) => known,
            None => {
                let found = detail.actions.keys().any(|a| crate::glob::ascii_ci(&lower, a));
                if let Ok(mut m) = seen.write() {
                    m.insert(key, found);
                }
                found
            }
        }
    } else {
        detail.actions.contains_key(&lower)
    };
    if !matches {
        let names: Vec<&str> = detail.actions.values().map(|(n, _)| n.as_str()).collect();
        let help = did_you_mean(pattern, &names).map(|b| format!("did you mean `{service}:{b}`?"));
        let what = if lower.contains(['*', '?']) { "matches no action" } else { "is not an action" };
        ctx.warn("IAM305", at.to_path(), format!("`{name}` {what} of {service}"), help);
    }
}

fn condition(ctx: &mut Ctx<'_>, at: &Trail<'_>, c: &Value) {
    let Some(m) = c.as_object() else {
        ctx.error("IAM306", at.to_path(), "Condition must be a map of operators".into(), None);
        return;
    };
    for (op, keys) in m {
        let base = op.strip_prefix("ForAllValues:").or_else(|| op.strip_prefix("ForAnyValue:")).unwrap_or(op);
        let base = if base != "Null" { base.strip_suffix("IfExists").unwrap_or(base) } else { base };
        if !OPERATORS.contains(&base) {
            let help = did_you_mean(op, OPERATORS).map(|b| format!("did you mean `{b}`?"));
            ctx.error("IAM306", at.key(op).to_path(), format!("unknown condition operator `{op}`"), help);
            ctx.on_key();
            continue;
        }
        let Some(keys) = keys.as_object() else {
            ctx.error("IAM306", at.key(op).to_path(), format!("{op} must map condition keys to values"), None);
            continue;
        };
        for (key, value) in keys {
            if matches!(base, "Null" | "Bool") {
                for v in strings_of(value) {
                    let ok = matches!(v, Value::Bool(_)) || v.as_str().is_some_and(|s| s == "true" || s == "false");
                    if !ok && as_fn(v).is_none() {
                        ctx.error(
                            "IAM306",
                            at.key(op).key(key).to_path(),
                            format!("{base} takes true or false, not {v}"),
                            None,
                        );
                    }
                }
            }
            condition_key(ctx, &at.key(op).key(key), key);
        }
    }
}

fn condition_key(ctx: &mut Ctx<'_>, at: &Trail<'_>, key: &str) {
    let c = catalog();
    if c.knows_condition_key(key) {
        return;
    }
    let Some((prefix, _)) = key.split_once(':') else {
        ctx.warn("IAM307", at.to_path(), format!("`{key}` is not a condition key: it has no service prefix"), None);
        ctx.on_key();
        return;
    };
    let prefix = prefix.to_ascii_lowercase();
    if prefix != "aws" && !c.services.contains(&prefix) {
        let names: Vec<&str> = c.services.iter().map(String::as_str).chain(["aws"]).collect();
        let help = did_you_mean(&prefix, &names).map(|b| format!("did you mean `{b}`?"));
        ctx.warn("IAM307", at.to_path(), format!("`{key}`: `{prefix}` is not an IAM service prefix"), help);
        ctx.on_key();
        return;
    }
    if prefix == "aws" || c.detailed.contains_key(&prefix) {
        let mut known: Vec<&str> =
            c.detailed.get(&prefix).map(|s| s.conditions.iter().map(String::as_str).collect()).unwrap_or_default();
        known.extend([
            "aws:SourceIdentity",
            "aws:PrincipalTag/",
            "aws:RequestTag/",
            "aws:ResourceTag/",
            "aws:TagKeys",
            "aws:username",
            "aws:userid",
            "aws:PrincipalArn",
            "aws:SourceArn",
            "aws:SourceAccount",
        ]);
        let help = did_you_mean(key, &known).map(|b| format!("did you mean `{b}`?"));
        ctx.warn("IAM307", at.to_path(), format!("`{key}` is not a condition key IAM documents"), help);
        ctx.on_key();
    }
}
