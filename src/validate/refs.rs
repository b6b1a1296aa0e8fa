//! References: every `Ref`, `Fn::GetAtt`, `Fn::Sub` variable, `DependsOn`, condition and
//! mapping name must resolve, and every intrinsic must have the argument shape AWS documents.
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html>

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::ctx::{Ctx, Step, as_fn, sub_variables, to_path, walk};
use super::data;
use super::structure::condition_name;
use crate::diag::did_you_mean;
use crate::path::Path;

/// Checks every reference in the template.
pub(super) fn check(ctx: &mut Ctx<'_>) {
    let template = ctx.template;
    for section in ["Resources", "Outputs", "Conditions"] {
        if let Some(v) = template.get(section) {
            walk(v, &mut vec![Step::Key(section)], &mut |node, steps| {
                if let Some((name, arg)) = as_fn(node) {
                    function(ctx, &|| to_path(steps), name, arg);
                }
            });
        }
    }
    depends_on(ctx);
    cycles(ctx);
}

/// Checks one function; `path` builds the path of its node, for findings.
fn function(ctx: &mut Ctx<'_>, path: &dyn Fn() -> Path, name: &str, arg: &Value) {
    let at = &|| path().key(name);
    match name {
        "Ref" => match arg.as_str() {
            Some(target) => reference(ctx, at, target),
            None => ctx.error("TPL306", at(), "Ref takes the name of a parameter or resource".into(), None),
        },
        "Fn::GetAtt" => get_att(ctx, at, arg),
        "Fn::Sub" => sub(ctx, at, arg),
        "Fn::If" => match arg.as_array().map(Vec::as_slice) {
            Some([c, _, _]) => condition_name(ctx, at().index(0), c),
            _ => ctx.error("TPL306", at(), "Fn::If takes [condition, value if true, value if false]".into(), None),
        },
        "Condition" => condition_name(ctx, at(), arg),
        "Fn::FindInMap" => find_in_map(ctx, at, arg),
        _ => {
            if let Some(usage) = misshapen(name, arg) {
                ctx.error("TPL306", at(), usage.into(), None);
            }
        }
    }
}

/// How a function is used, when `arg` does not have the shape it takes.
fn misshapen(name: &str, arg: &Value) -> Option<&'static str> {
    let items = arg.as_array().map(Vec::as_slice);
    let ok = match name {
        "Fn::Join" => matches!(items, Some([Value::String(_), Value::Array(_) | Value::Object(_)])),
        "Fn::Select" | "Fn::Equals" => matches!(items, Some([_, _])),
        "Fn::Split" => matches!(items, Some([Value::String(_), _])),
        "Fn::And" | "Fn::Or" => items.is_some_and(|i| (2..=10).contains(&i.len())),
        "Fn::Not" => matches!(items, Some([_])),
        "Fn::ImportValue" => !(arg.is_array() || (arg.is_object() && as_fn(arg).is_none())),
        // <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html>
        "Fn::GetStackOutput" => arg.as_object().is_some_and(|m| {
            m.contains_key("StackName")
                && m.contains_key("OutputName")
                && m.keys().all(|k| ["StackName", "OutputName", "Region", "RoleArn"].contains(&k.as_str()))
        }),
        _ => true,
    };
    if ok {
        return None;
    }
    Some(match name {
        "Fn::Join" => "Fn::Join takes [delimiter, list]",
        "Fn::Select" => "Fn::Select takes [index, list]",
        "Fn::Equals" => "Fn::Equals takes [value, value]",
        "Fn::Split" => "Fn::Split takes [delimiter, string]",
        "Fn::And" => "Fn::And takes a list of 2 to 10 conditions",
        "Fn::Or" => "Fn::Or takes a list of 2 to 10 conditions",
        "Fn::Not" => "Fn::Not takes a list of one condition",
        "Fn::GetStackOutput" => "Fn::GetStackOutput takes {StackName, OutputName} and optionally Region and RoleArn",
        _ => "Fn::ImportValue takes an export name",
    })
}

fn reference(ctx: &mut Ctx<'_>, at: &dyn Fn() -> Path, target: &str) {
    if ctx.parameters.contains_key(target)
        || ctx.resources.contains_key(target)
        || Ctx::is_pseudo(target)
        || ctx.created_by_expansion(target)
    {
        return;
    }
    let mut names: Vec<&str> = ctx.parameters.keys().chain(ctx.resources.keys()).map(String::as_str).collect();
    names.extend(super::ctx::PSEUDO.iter().map(|(p, _)| *p));
    let help = did_you_mean(target, &names).map(|b| format!("did you mean `{b}`?"));
    ctx.error(
        "TPL301",
        at(),
        format!("Ref to `{target}`, which is not a parameter, resource or pseudo parameter"),
        help,
    );
}

/// Whether `Fn::GetAtt` can read `attribute` (dotted for nested ones) from a type with a
/// vendored schema: its read-only properties, and for the types cfn-lint lists, every
/// property. `None` when the type's schema is not vendored.
pub(super) fn attribute_exists(type_name: &str, attribute: &str) -> Option<bool> {
    // A custom resource returns whatever its function sends back; a stack and a provisioned
    // product return their template's outputs as `Outputs.<Name>`.
    // <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-stack.html#aws-resource-cloudformation-stack-return-values>
    if type_name == "AWS::CloudFormation::CustomResource" {
        return None;
    }
    if matches!(type_name, "AWS::CloudFormation::Stack" | "AWS::ServiceCatalog::CloudFormationProvisionedProduct")
        && attribute.starts_with("Outputs.")
    {
        return Some(true);
    }
    let schema = data::schema(type_name)?;
    let pointer = format!("/properties/{}", attribute.replace('.', "/"));
    let read_only =
        schema["readOnlyProperties"].as_array().is_some_and(|a| a.iter().any(|p| p == &Value::from(pointer.as_str())));
    let rules = data::getatt_rules();
    let named = rules.exceptions.get(type_name).is_some_and(|e| e.iter().any(|a| a == attribute));
    Some(
        read_only || named || (rules.all_property_types.contains(type_name) && property_path_exists(schema, attribute)),
    )
}

/// The attributes of a type, for messages.
pub(super) fn attributes(type_name: &str) -> Vec<String> {
    let Some(schema) = data::schema(type_name) else { return Vec::new() };
    let mut out: Vec<String> = schema["readOnlyProperties"]
        .as_array()
        .map(|a| {
            a.iter().filter_map(|p| p.as_str()?.strip_prefix("/properties/")).map(|p| p.replace('/', ".")).collect()
        })
        .unwrap_or_default();
    out.extend(data::getatt_rules().exceptions.get(type_name).cloned().unwrap_or_default());
    out
}

fn property_path_exists(schema: &Value, attribute: &str) -> bool {
    let mut node = schema;
    for part in attribute.split('.') {
        node = data::resolve(schema, node);
        match node.get("properties").and_then(|p| p.get(part)) {
            Some(n) => node = n,
            None => return false,
        }
    }
    true
}

fn get_att(ctx: &mut Ctx<'_>, at: &dyn Fn() -> Path, arg: &Value) {
    let (resource, attribute) = match arg {
        Value::String(s) => match s.split_once('.') {
            Some((r, a)) => (r.to_owned(), Some(a.to_owned())),
            None => (s.clone(), None),
        },
        Value::Array(items) if items.len() == 2 => match &items[0] {
            Value::String(r) => (r.clone(), items[1].as_str().map(str::to_owned)),
            _ => {
                ctx.error("TPL306", at(), "Fn::GetAtt takes [resource, attribute]".into(), None);
                return;
            }
        },
        _ => {
            ctx.error("TPL306", at(), "Fn::GetAtt takes [resource, attribute] or Resource.Attribute".into(), None);
            return;
        }
    };
    if !ctx.resources.contains_key(&resource) {
        if ctx.created_by_expansion(&resource) {
            return;
        }
        let names: Vec<&str> = ctx.resources.keys().map(String::as_str).collect();
        let help = did_you_mean(&resource, &names).map(|b| format!("did you mean `{b}`?"));
        ctx.error("TPL302", at(), format!("Fn::GetAtt of `{resource}`, which is not a resource"), help);
        return;
    }
    // A resource without a type is reported where it is defined.
    let Some(type_name) = ctx.resource_type(&resource).map(str::to_owned) else { return };
    let Some(attribute) = attribute else { return };
    if attribute_exists(&type_name, &attribute) == Some(false) {
        let attrs = attributes(&type_name);
        let names: Vec<&str> = attrs.iter().map(String::as_str).collect();
        let help = match did_you_mean(&attribute, &names) {
            Some(b) => format!("did you mean `{b}`? {type_name} returns {}", attrs.join(", ")),
            None => format!("{type_name} returns {}", attrs.join(", ")),
        };
        ctx.error("TPL302", at(), format!("{type_name} has no attribute `{attribute}`"), Some(help));
    }
}

fn sub(ctx: &mut Ctx<'_>, at: &dyn Fn() -> Path, arg: &Value) {
    // A macro's Fn::Transform runs first and gives the string.
    if matches!(as_fn(arg), Some(("Fn::Transform", _))) {
        return;
    }
    let (template, vars) = match arg {
        Value::String(s) => (s.as_str(), None),
        Value::Array(items) => match items.as_slice() {
            [Value::String(s), Value::Object(vars)] => (s.as_str(), Some(vars)),
            _ => {
                ctx.error("TPL306", at(), "Fn::Sub takes a string or [string, {variables}]".into(), None);
                return;
            }
        },
        _ => {
            ctx.error("TPL306", at(), "Fn::Sub takes a string or [string, {variables}]".into(), None);
            return;
        }
    };
    for var in sub_variables(template) {
        if vars.is_some_and(|v| v.contains_key(var))
            || Ctx::is_pseudo(var)
            || ctx.parameters.contains_key(var)
            || ctx.resources.contains_key(var)
            || ctx.created_by_expansion(var.split('.').next().unwrap_or(var))
        {
            continue;
        }
        if let Some((resource, attribute)) = var.split_once('.').filter(|(r, _)| ctx.resources.contains_key(*r)) {
            let t = ctx.resource_type(resource).map(str::to_owned);
            if let Some(t) = t.filter(|t| attribute_exists(t, attribute) == Some(false)) {
                ctx.error("TPL302", at(), format!("`${{{var}}}`: {t} has no attribute `{attribute}`"), None);
            }
            continue;
        }
        let help = if var.contains(':') || var.contains('/') {
            format!(
                "`${{{var}}}` looks like an IAM policy variable; inside Fn::Sub write `${{!{var}}}` so CloudFormation keeps it literally"
            )
        } else {
            "define it as a parameter, resource or variable of this Fn::Sub".to_owned()
        };
        ctx.error("TPL303", at(), format!("Fn::Sub variable `${{{var}}}` does not resolve"), Some(help));
    }
}

fn find_in_map(ctx: &mut Ctx<'_>, at: &dyn Fn() -> Path, arg: &Value) {
    let Some([map, top, _second, rest @ ..]) = arg.as_array().map(Vec::as_slice) else {
        ctx.error("TPL306", at(), "Fn::FindInMap takes [mapping, top-level key, second-level key]".into(), None);
        return;
    };
    // With AWS::LanguageExtensions, a fourth argument `{DefaultValue: ...}` is what a missing
    // key gives.
    // <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-findinmap-enhancements.html>
    if rest.first().is_some_and(|d| d.get("DefaultValue").is_some()) {
        return;
    }
    let Some(map) = map.as_str() else { return };
    match ctx.mappings.get(map) {
        None => ctx.error("TPL307", at().index(0), format!("unknown mapping `{map}`"), None),
        Some(m) => {
            if let Some(top) = top.as_str()
                && m.get(top).is_none()
            {
                ctx.error("TPL307", at().index(1), format!("mapping `{map}` has no key `{top}`"), None);
            }
        }
    }
}

fn depends_on(ctx: &mut Ctx<'_>) {
    let resources = ctx.resources;
    for (id, r) in resources {
        let Some(d) = r.get("DependsOn") else { continue };
        let at = Path::root().key("Resources").key(id).key("DependsOn");
        let targets: Vec<(Path, &Value)> = match d {
            Value::Array(items) => items.iter().enumerate().map(|(i, v)| (at.index(i), v)).collect(),
            other => vec![(at.clone(), other)],
        };
        for (p, t) in targets {
            match t.as_str() {
                Some(name) if name == id => ctx.error("TPL304", p, format!("resource `{id}` depends on itself"), None),
                Some(name) if resources.contains_key(name) || ctx.created_by_expansion(name) => {}
                Some(name) => {
                    let names: Vec<&str> = resources.keys().map(String::as_str).collect();
                    let help = did_you_mean(name, &names).map(|b| format!("did you mean `{b}`?"));
                    ctx.error("TPL304", p, format!("DependsOn names `{name}`, which is not a resource"), help);
                }
                None => ctx.error("TPL304", p, "DependsOn takes resource names".into(), None),
            }
        }
    }
}

/// Every resource each resource needs first: DependsOn, Ref, GetAtt and Sub references.
fn dependencies(ctx: &Ctx<'_>) -> BTreeMap<String, BTreeSet<String>> {
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (id, r) in ctx.resources {
        let mut mine = BTreeSet::new();
        walk(r, &mut Vec::new(), &mut |node, steps| {
            // SAM turns a function's DeploymentPreference into a CodeDeploy deployment group
            // whose hooks run after the function: it is no dependency of the function.
            // <https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-deploymentpreference.html>
            if ctx.sam && matches!(steps, [Step::Key("Properties"), Step::Key("DeploymentPreference"), ..]) {
                return;
            }
            let Some((name, arg)) = as_fn(node) else { return };
            let target = match name {
                "Ref" => arg.as_str().map(str::to_owned),
                "Fn::GetAtt" => match arg {
                    Value::String(s) => s.split('.').next().map(str::to_owned),
                    Value::Array(a) => a.first().and_then(Value::as_str).map(str::to_owned),
                    _ => None,
                },
                "Fn::Sub" => {
                    let template = arg.as_str().or_else(|| arg.get(0).and_then(Value::as_str)).unwrap_or_default();
                    for var in sub_variables(template) {
                        let head = var.split('.').next().unwrap_or(var);
                        if ctx.resources.contains_key(head) {
                            mine.insert(head.to_owned());
                        }
                    }
                    None
                }
                _ => None,
            };
            if let Some(t) = target.filter(|t| ctx.resources.contains_key(t)) {
                mine.insert(t);
            }
        });
        match r.get("DependsOn") {
            Some(Value::String(s)) => {
                mine.insert(s.clone());
            }
            Some(Value::Array(a)) => mine.extend(a.iter().filter_map(Value::as_str).map(str::to_owned)),
            _ => {}
        }
        mine.remove(id);
        deps.insert(id.clone(), mine);
    }
    deps
}

fn cycles(ctx: &mut Ctx<'_>) {
    let deps = dependencies(ctx);
    // Kahn's algorithm: whatever cannot be ordered sits on or behind a cycle.
    let mut remaining: BTreeMap<&str, usize> =
        deps.iter().map(|(k, v)| (k.as_str(), v.iter().filter(|d| deps.contains_key(*d)).count())).collect();
    let mut ready: Vec<&str> = remaining.iter().filter(|(_, n)| **n == 0).map(|(k, _)| *k).collect();
    while let Some(done) = ready.pop() {
        remaining.remove(done);
        for (k, v) in &deps {
            if v.contains(done)
                && let Some(n) = remaining.get_mut(k.as_str())
            {
                *n -= 1;
                if *n == 0 {
                    ready.push(k);
                }
            }
        }
    }
    // SAM splits its resources (a function's events become permissions of their own, an
    // AppSync API's functions their own resources), so a cycle through one may not be one
    // once transformed: left to the transform to judge.
    let sam = |id: &&str| ctx.sam && ctx.resource_type(id).is_some_and(|t| t.starts_with("AWS::Serverless::"));
    if remaining.keys().any(sam) {
        return;
    }
    if let Some((first, _)) = remaining.iter().next() {
        let stuck: Vec<&str> = remaining.keys().copied().collect();
        ctx.error(
            "TPL308",
            Path::root().key("Resources").key(first),
            format!("circular dependency between resources: {}", stuck.join(", ")),
            Some(
                "break the cycle: a resource cannot need, directly or through others, a resource that needs it".into(),
            ),
        );
    }
}
