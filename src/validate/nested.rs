//! Nested stacks whose template is a file next to the parent's (`TemplateURL: ./network.yaml`,
//! as `aws cloudformation package` uploads it): the parameters the parent passes against those
//! the nested template declares. Reads the nested template; never follows a URL.
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-stack.html#cfn-cloudformation-stack-parameters>

use std::path::Path as FsPath;

use serde_json::Value;

use super::ctx::as_fn;
use crate::diag::{Diagnostic, did_you_mean};
use crate::path::Path;

/// Findings about the parameters each nested stack of `template` (in folder `dir`) is given.
pub(super) fn check(template: &Value, dir: &FsPath) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else { return out };
    let sam = super::ctx::has_transform(template, "AWS::Serverless-2016-10-31");
    // Each file read once, however many nested stacks name it.
    let mut read: std::collections::HashMap<String, Option<serde_json::Map<String, Value>>> =
        std::collections::HashMap::new();
    for (id, r) in resources {
        let location = match r.get("Type").and_then(Value::as_str) {
            Some("AWS::CloudFormation::Stack") => r.pointer("/Properties/TemplateURL"),
            Some("AWS::Serverless::Application") if sam => r.pointer("/Properties/Location"),
            _ => None,
        };
        let Some(file) = location.and_then(Value::as_str).filter(|l| !l.contains("://") && !l.is_empty()) else {
            continue;
        };
        let declared = read.entry(file.to_owned()).or_insert_with(|| parameters_of(&dir.join(file)));
        let Some(declared) = declared.as_ref() else { continue };
        let at = Path::root().key("Resources").key(id).key("Properties");
        let given = match r.pointer("/Properties/Parameters") {
            None => serde_json::Map::new(),
            Some(Value::Object(m)) if as_fn(&Value::Object(m.clone())).is_none() => m.clone(),
            Some(_) => continue,
        };
        let names: Vec<&str> = declared.keys().map(String::as_str).collect();
        for key in given.keys().filter(|k| !declared.contains_key(*k)) {
            let help = did_you_mean(key, &names).map(|b| format!("did you mean `{b}`?"));
            out.push(Diagnostic {
                help,
                ..Diagnostic::error(
                    "TPL309",
                    at.key("Parameters").key(key),
                    format!("the nested template {file} has no parameter `{key}`"),
                )
                .on_key()
            });
        }
        for (name, p) in declared {
            if p.get("Default").is_none() && !given.contains_key(name) {
                let here =
                    if r.pointer("/Properties/Parameters").is_some() { at.key("Parameters") } else { at.clone() };
                out.push(
                    Diagnostic::error(
                        "TPL309",
                        here,
                        format!("the nested template {file} needs parameter `{name}`, which has no default"),
                    )
                    .help(format!("pass `{name}` under Parameters")),
                );
            }
        }
    }
    out
}

/// The parameters a template file declares; `None` when it cannot be read as a template.
fn parameters_of(path: &FsPath) -> Option<serde_json::Map<String, Value>> {
    let bytes = crate::input::read(path, crate::input::MAX_INPUT_BYTES).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let root = crate::yaml::parse(&text).ok()?;
    let json = super::read::template(&root).ok()?;
    match json.get("Parameters") {
        Some(Value::Object(m)) => Some(m.clone()),
        None => Some(serde_json::Map::new()),
        Some(_) => None,
    }
}
