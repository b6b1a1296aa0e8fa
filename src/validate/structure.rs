//! Template structure: sections, logical ids, resource types and attributes, parameters,
//! conditions, outputs and mappings.
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-anatomy.html>

use serde_json::{Map, Value};

use super::ctx::{Ctx, as_fn};
use super::data;
use super::limits::MAX_LOGICAL_ID;
use crate::diag::did_you_mean;
use crate::path::Path;

const SECTIONS: &[&str] = &[
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Resources",
    "Outputs",
];

const RESOURCE_KEYS: &[&str] = &[
    "Type",
    "Properties",
    "DependsOn",
    "Condition",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "Metadata",
    "CreationPolicy",
    "UpdatePolicy",
    "Version",
];

const PARAMETER_KEYS: &[&str] = &[
    "Type",
    "Default",
    "AllowedValues",
    "AllowedPattern",
    "ConstraintDescription",
    "Description",
    "MaxLength",
    "MaxValue",
    "MinLength",
    "MinValue",
    "NoEcho",
];

/// AWS-specific parameter types, also allowed inside `List<...>`.
const AWS_PARAMETER_TYPES: &[&str] = &[
    "AWS::EC2::AvailabilityZone::Name",
    "AWS::EC2::Image::Id",
    "AWS::EC2::Instance::Id",
    "AWS::EC2::KeyPair::KeyName",
    "AWS::EC2::SecurityGroup::GroupName",
    "AWS::EC2::SecurityGroup::Id",
    "AWS::EC2::Subnet::Id",
    "AWS::EC2::Volume::Id",
    "AWS::EC2::VPC::Id",
    "AWS::Route53::HostedZone::Id",
];

/// Checks everything about the template's shape.
pub(super) fn check(ctx: &mut Ctx<'_>) {
    let Some(top) = ctx.template.as_object() else {
        ctx.error("TPL101", Path::root(), "a template must be a map of sections".into(), None);
        return;
    };
    // SAM's `Globals` section is read, and removed, by the transform.
    // <https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-template-anatomy-globals.html>
    let sections: Vec<&str> = SECTIONS.iter().copied().chain(ctx.sam.then_some("Globals")).collect();
    unknown_keys(ctx, "TPL101", &Path::root(), top, &sections, "template section");
    if let Some(v) = top.get("AWSTemplateFormatVersion")
        && v.as_str() != Some("2010-09-09")
    {
        ctx.error(
            "TPL102",
            Path::root().key("AWSTemplateFormatVersion"),
            format!("AWSTemplateFormatVersion is {v}; the only version is 2010-09-09"),
            Some("write AWSTemplateFormatVersion: '2010-09-09'".into()),
        );
    }
    if let Some(d) = top.get("Description") {
        match d.as_str() {
            Some(s) if s.len() > 1024 => ctx.error(
                "TPL111",
                Path::root().key("Description"),
                format!("the description is {} bytes; CloudFormation allows 1024", s.len()),
                None,
            ),
            Some(_) => {}
            None => ctx.error("TPL111", Path::root().key("Description"), "Description must be a string".into(), None),
        }
    }
    for section in ["Parameters", "Mappings", "Conditions", "Resources", "Outputs", "Metadata", "Rules"] {
        if let Some(v) = top.get(section)
            && !v.is_object()
        {
            ctx.error("TPL108", Path::root().key(section), format!("{section} must be a map"), None);
        }
    }
    match top.get("Resources").and_then(Value::as_object) {
        Some(r) if !r.is_empty() => {}
        _ => ctx.error(
            "TPL103",
            Path::root().key("Resources"),
            "a template needs a Resources section with at least one resource".into(),
            None,
        ),
    }
    resources(ctx);
    shared_ids(ctx);
    parameters(ctx);
    conditions(ctx);
    outputs(ctx);
    mappings(ctx);
}

fn logical_id(ctx: &mut Ctx<'_>, at: Path, id: &str, what: &str) {
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        ctx.error(
            "TPL104",
            at,
            format!("{what} name `{id}` is not alphanumeric"),
            Some("logical ids use only A-Z, a-z and 0-9".into()),
        );
    } else if id.len() > MAX_LOGICAL_ID {
        ctx.error("TPL104", at, format!("{what} name is {} characters; the limit is {MAX_LOGICAL_ID}", id.len()), None);
    }
}

fn known_type(ctx: &Ctx<'_>, t: &str) -> bool {
    data::resource_types().contains(t)
        || t.starts_with("Custom::")
        || t == "AWS::CloudFormation::CustomResource"
        || t.ends_with("::MODULE")
        || (ctx.transformed && t.starts_with("AWS::Serverless::"))
}

/// Reports, as `code`, each key of `map` (at `at`) that is not one of `known`, with the
/// closest known key or the list of them.
fn unknown_keys(
    ctx: &mut Ctx<'_>,
    code: &'static str,
    at: &Path,
    map: &Map<String, Value>,
    known: &[&str],
    what: &str,
) {
    for key in map.keys().filter(|k| !known.contains(&k.as_str())) {
        let help = match did_you_mean(key, known) {
            Some(b) => format!("did you mean `{b}`?"),
            None => format!("expected one of: {}", known.join(", ")),
        };
        ctx.error(code, at.key(key), format!("unknown {what} `{key}`"), Some(help));
        ctx.on_key();
    }
}

fn resources(ctx: &mut Ctx<'_>) {
    let resources = ctx.resources;
    for (id, r) in resources {
        let at = Path::root().key("Resources").key(id);
        logical_id(ctx, at.clone(), id, "resource");
        let Some(r) = r.as_object() else {
            ctx.error("TPL108", at, format!("resource `{id}` must be a map with a Type"), None);
            continue;
        };
        // SAM reads `IgnoreGlobals` off its own resource types before CloudFormation sees them.
        let sam_resource =
            ctx.sam && r.get("Type").and_then(Value::as_str).is_some_and(|t| t.starts_with("AWS::Serverless::"));
        let keys: Vec<&str> = RESOURCE_KEYS.iter().copied().chain(sam_resource.then_some("IgnoreGlobals")).collect();
        if sam_resource {
            // The SAM transform drops what it does not know of its own resources: said, as
            // cfn-lint does, not refused.
            for key in r.keys().filter(|k| !keys.contains(&k.as_str())) {
                let help = match did_you_mean(key, &keys) {
                    Some(b) => format!("did you mean `{b}`? SAM ignores other keys beside a resource's Properties"),
                    None => "SAM ignores it: put it under Properties, or remove it".to_owned(),
                };
                ctx.warn("TPL106", at.key(key), format!("unknown resource attribute `{key}`"), Some(help));
                ctx.on_key();
            }
        } else {
            unknown_keys(ctx, "TPL106", &at, r, &keys, "resource attribute");
        }
        match r.get("Type").and_then(Value::as_str) {
            None => ctx.error("TPL105", at.clone(), format!("resource `{id}` has no Type"), None),
            Some(t) if !known_type(ctx, t) => {
                let names: Vec<&str> = data::resource_types().iter().copied().collect();
                let help = did_you_mean(t, &names).map(|b| format!("did you mean `{b}`?"));
                ctx.error("TPL105", at.key("Type"), format!("unknown resource type `{t}`"), help);
            }
            Some(_) => {}
        }
        if let Some(p) = r.get("Properties")
            && !p.is_object()
            && as_fn(p).is_none()
        {
            ctx.error("TPL108", at.key("Properties"), "Properties must be a map".into(), None);
        }
        for (attr, allowed) in [
            ("DeletionPolicy", &["Delete", "Retain", "RetainExceptOnCreate", "Snapshot"][..]),
            ("UpdateReplacePolicy", &["Delete", "Retain", "Snapshot"][..]),
        ] {
            if let Some(v) = r.get(attr)
                && as_fn(v).is_none()
                && !v.as_str().is_some_and(|s| allowed.contains(&s))
            {
                ctx.error(
                    "TPL107",
                    at.key(attr),
                    format!("{attr} is {v}; expected one of {}", allowed.join(", ")),
                    None,
                );
            }
        }
        if let Some(c) = r.get("Condition") {
            condition_name(ctx, at.key("Condition"), c);
        }
        if r.get("Type").and_then(Value::as_str).is_some_and(|t| t.ends_with("::MODULE")) {
            module(ctx, &at, r);
        }
        if sam_resource && let Some(ignored) = r.get("IgnoreGlobals") {
            ignore_globals(ctx, &at.key("IgnoreGlobals"), r, ignored);
        }
    }
}

/// What a module's resource cannot hold: CloudFormation applies creation and update policies
/// and tags to the resources inside it, and keeps the `AWS::CloudFormation::Module` metadata key
/// for itself.
/// <https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/modules-using.html>
fn module(ctx: &mut Ctx<'_>, at: &Path, r: &Map<String, Value>) {
    for policy in ["CreationPolicy", "UpdatePolicy"] {
        if r.contains_key(policy) {
            ctx.error("TPL113", at.key(policy), format!("a module cannot have a {policy}"), None);
            ctx.on_key();
        }
    }
    if r.get("Properties").and_then(|p| p.get("Tags")).is_some() {
        ctx.error("TPL113", at.key("Properties").key("Tags"), "a module cannot be tagged".into(), None);
        ctx.on_key();
    }
    if r.get("Metadata").and_then(|m| m.get("AWS::CloudFormation::Module")).is_some() {
        ctx.error(
            "TPL113",
            at.key("Metadata").key("AWS::CloudFormation::Module"),
            "the metadata key AWS::CloudFormation::Module is CloudFormation's own".into(),
            None,
        );
        ctx.on_key();
    }
}

/// `IgnoreGlobals` names `*` or properties that the `Globals` section sets for the resource's
/// kind (`Function` for AWS::Serverless::Function).
/// <https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-template-anatomy-globals.html>
fn ignore_globals(ctx: &mut Ctx<'_>, at: &Path, r: &Map<String, Value>, ignored: &Value) {
    let Some(kind) = r.get("Type").and_then(Value::as_str).and_then(|t| t.strip_prefix("AWS::Serverless::")) else {
        return;
    };
    let globals = ctx.template.get("Globals").and_then(|g| g.get(kind)).and_then(Value::as_object);
    let names: Vec<&str> = globals.map(|g| g.keys().map(String::as_str).collect()).unwrap_or_default();
    let items: Vec<(Path, &Value)> = match ignored {
        Value::Array(items) => items.iter().enumerate().map(|(i, v)| (at.index(i), v)).collect(),
        other => vec![(at.clone(), other)],
    };
    for (p, v) in items {
        let Some(name) = v.as_str() else { continue };
        if name != "*" && !names.contains(&name) {
            let help = match did_you_mean(name, &names) {
                Some(b) => format!("did you mean `{b}`?"),
                None => format!("Globals.{kind} sets: {}", names.join(", ")),
            };
            ctx.error(
                "TPL106",
                p,
                format!("IgnoreGlobals names `{name}`, which Globals.{kind} does not set"),
                Some(help),
            );
        }
    }
}

/// Checks that `v` names a condition of the template.
pub(super) fn condition_name(ctx: &mut Ctx<'_>, at: Path, v: &Value) {
    match v.as_str() {
        Some(name) if ctx.conditions.contains_key(name) => {}
        Some(name) => {
            let names: Vec<&str> = ctx.conditions.keys().map(String::as_str).collect();
            let help = did_you_mean(name, &names).map(|b| format!("did you mean `{b}`?"));
            let help = help.or_else(|| Some("define it under Conditions".into()));
            ctx.error("TPL305", at, format!("unknown condition `{name}`"), help);
        }
        None => ctx.error("TPL305", at, "a condition name must be a string".into(), None),
    }
}

/// A `Ref` names a parameter or a resource: one name cannot be both.
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resources-section-structure.html>
fn shared_ids(ctx: &mut Ctx<'_>) {
    let (resources, parameters) = (ctx.resources, ctx.parameters);
    for id in resources.keys().filter(|id| parameters.contains_key(*id)) {
        ctx.error(
            "TPL112",
            Path::root().key("Resources").key(id),
            format!("`{id}` is the name of a parameter and of a resource"),
            Some("logical ids are unique across Parameters and Resources: rename one".into()),
        );
        ctx.on_key();
    }
}

fn parameter_type_known(t: &str) -> bool {
    let inner = t.strip_prefix("List<").and_then(|s| s.strip_suffix('>'));
    matches!(
        t,
        "String" | "Number" | "List<Number>" | "List<String>" | "CommaDelimitedList" | "AWS::SSM::Parameter::Name"
    ) || AWS_PARAMETER_TYPES.contains(&t)
        || inner.is_some_and(|i| AWS_PARAMETER_TYPES.contains(&i))
        || (t.starts_with("AWS::SSM::Parameter::Value<") && t.ends_with('>'))
}

fn parameters(ctx: &mut Ctx<'_>) {
    let params = ctx.parameters;
    for (name, p) in params {
        let at = Path::root().key("Parameters").key(name);
        logical_id(ctx, at.clone(), name, "parameter");
        let Some(p) = p.as_object() else {
            ctx.error("TPL109", at, format!("parameter `{name}` must be a map with a Type"), None);
            continue;
        };
        unknown_keys(ctx, "TPL109", &at, p, PARAMETER_KEYS, "parameter attribute");
        match p.get("Type").and_then(Value::as_str) {
            None => ctx.error("TPL109", at.clone(), format!("parameter `{name}` has no Type"), None),
            Some(t) if !parameter_type_known(t) => ctx.error(
                "TPL109",
                at.key("Type"),
                format!("unknown parameter type `{t}`"),
                Some("use String, Number, List<Number>, CommaDelimitedList, an AWS-specific type such as AWS::EC2::VPC::Id, or AWS::SSM::Parameter::Value<...>".into()),
            ),
            Some(_) => {}
        }
        let Some(default) = p.get("Default") else { continue };
        let text = match default {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => continue,
        };
        if let Some(allowed) = p.get("AllowedValues").and_then(Value::as_array) {
            let listed = |v: &Value| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string()) == text;
            let is_list = p.get("Type").and_then(Value::as_str).is_some_and(|t| t.contains("List"));
            let values: Vec<&str> =
                if is_list { text.split(',').map(str::trim).collect() } else { vec![text.as_str()] };
            for v in values {
                if !allowed.iter().any(|a| listed(a) || a.as_str() == Some(v)) {
                    ctx.error(
                        "TPL109",
                        at.key("Default"),
                        format!("default `{v}` of parameter `{name}` is not one of its AllowedValues"),
                        None,
                    );
                }
            }
        }
        for (key, too) in [("MinLength", "short"), ("MaxLength", "long")] {
            if let Some(limit) = p.get(key).and_then(|v| v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
            {
                let len = text.chars().count() as u64;
                if (key == "MinLength" && len < limit) || (key == "MaxLength" && len > limit) {
                    ctx.error(
                        "TPL109",
                        at.key("Default"),
                        format!("default of parameter `{name}` is too {too} ({len} characters; {key} {limit})"),
                        None,
                    );
                }
            }
        }
    }
}

fn conditions(ctx: &mut Ctx<'_>) {
    let conditions = ctx.conditions;
    for (name, c) in conditions {
        let at = Path::root().key("Conditions").key(name);
        // Condition names are not logical ids: CloudFormation takes any name (the AWS Quick
        // Start VPC template deploys `Has2AZs&PublicSubnets`), only not an empty one.
        if name.is_empty() || name.len() > MAX_LOGICAL_ID {
            logical_id(ctx, at.clone(), name, "condition");
        }
        match as_fn(c) {
            Some(("Fn::And" | "Fn::Or" | "Fn::Not" | "Fn::Equals" | "Condition", _)) => {}
            _ => ctx.error(
                "TPL108",
                at,
                format!("condition `{name}` must be a condition function"),
                Some("use Fn::Equals, Fn::And, Fn::Or, Fn::Not or Condition".into()),
            ),
        }
    }
}

fn outputs(ctx: &mut Ctx<'_>) {
    let Some(outputs) = ctx.template.get("Outputs").and_then(Value::as_object) else { return };
    let mut exports: Vec<(String, String)> = Vec::new();
    for (name, o) in outputs {
        let at = Path::root().key("Outputs").key(name);
        logical_id(ctx, at.clone(), name, "output");
        let Some(o) = o.as_object() else {
            ctx.error("TPL110", at, format!("output `{name}` must be a map with a Value"), None);
            continue;
        };
        unknown_keys(ctx, "TPL110", &at, o, &["Description", "Value", "Export", "Condition"], "output attribute");
        match o.get("Value") {
            None => ctx.error("TPL110", at.clone(), format!("output `{name}` has no Value"), None),
            Some(Value::Array(_) | Value::Object(_)) if as_fn(&o["Value"]).is_none() => ctx.error(
                "TPL110",
                at.key("Value"),
                format!("output `{name}` must be a string; join lists with Fn::Join"),
                None,
            ),
            _ => {}
        }
        if let Some(export) = o.get("Export") {
            match export.get("Name") {
                None => ctx.error("TPL110", at.key("Export"), "an Export needs a Name".into(), None),
                Some(Value::String(n)) => {
                    if let Some((first, _)) = exports.iter().find(|(_, e)| e == n) {
                        ctx.error(
                            "TPL110",
                            at.key("Export").key("Name"),
                            format!("export name `{n}` is also used by output `{first}`"),
                            Some("export names are unique in an account and region".into()),
                        );
                    }
                    exports.push((name.clone(), n.clone()));
                }
                Some(_) => {}
            }
        }
        if let Some(c) = o.get("Condition") {
            condition_name(ctx, at.key("Condition"), c);
        }
    }
}

fn mappings(ctx: &mut Ctx<'_>) {
    let mappings = ctx.mappings;
    for (name, m) in mappings {
        let at = Path::root().key("Mappings").key(name);
        logical_id(ctx, at.clone(), name, "mapping");
        let ok = m.as_object().is_some_and(|top| {
            top.values().all(|second| second.as_object().is_some_and(|s| s.values().all(|v| as_fn(v).is_none())))
        });
        if !ok {
            ctx.error(
                "TPL108",
                at,
                format!("mapping `{name}` must be a map of maps of values"),
                Some("Mappings hold literal values only, two levels deep".into()),
            );
        }
    }
}
