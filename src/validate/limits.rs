//! CloudFormation's quotas, enforced before deploy time.
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html>

use crate::diag::Diagnostic;
use crate::path::Path;

/// Most resources in one template.
pub const MAX_RESOURCES: usize = 500;
/// Most parameters.
pub const MAX_PARAMETERS: usize = 200;
/// Most outputs.
pub const MAX_OUTPUTS: usize = 200;
/// Most mappings.
pub const MAX_MAPPINGS: usize = 200;
/// Most keys in one mapping, and most attributes under one of its keys.
pub const MAX_MAPPING_ATTRIBUTES: usize = 200;
/// Largest template body, uploaded through S3.
pub const MAX_BODY_BYTES: usize = 1_000_000;
/// Largest template body passed inline.
pub const MAX_INLINE_BODY_BYTES: usize = 51_200;
/// Longest logical id.
pub const MAX_LOGICAL_ID: usize = 255;

/// Checks the section counts of a long-form template, and the size of its body as it will be
/// submitted (`body_bytes`: the file's size, or the size of the rendering we write).
pub fn check(template: &serde_json::Value, body_bytes: usize) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let count = |section: &str| template.get(section).and_then(serde_json::Value::as_object).map_or(0, |m| m.len());
    for (section, max) in [
        ("Resources", MAX_RESOURCES),
        ("Parameters", MAX_PARAMETERS),
        ("Outputs", MAX_OUTPUTS),
        ("Mappings", MAX_MAPPINGS),
    ] {
        let n = count(section);
        if n > max {
            out.push(
                Diagnostic::error(
                    "TPL501",
                    Path::root().key(section),
                    format!("{n} {} exceed CloudFormation's limit of {max}", section.to_lowercase()),
                )
                .help("split the template into several stacks"),
            );
        }
    }
    let mappings = template.get("Mappings").and_then(serde_json::Value::as_object).into_iter().flatten();
    for (name, mapping) in mappings {
        let Some(keys) = mapping.as_object() else { continue };
        let over = |n: usize, what: String, at: Path| {
            Diagnostic::error(
                "TPL501",
                at,
                format!(
                    "{what} holds {n} {}; CloudFormation allows {MAX_MAPPING_ATTRIBUTES}",
                    if what.starts_with("mapping") { "keys" } else { "attributes" }
                ),
            )
            .help("split the mapping into several mappings, or the template into several stacks")
        };
        if keys.len() > MAX_MAPPING_ATTRIBUTES {
            out.push(over(keys.len(), format!("mapping `{name}`"), Path::root().key("Mappings").key(name)));
        }
        for (key, attributes) in keys {
            let n = attributes.as_object().map_or(0, serde_json::Map::len);
            if n > MAX_MAPPING_ATTRIBUTES {
                out.push(over(
                    n,
                    format!("key `{key}` of mapping `{name}`"),
                    Path::root().key("Mappings").key(name).key(key),
                ));
            }
        }
    }
    if body_bytes > MAX_BODY_BYTES {
        out.push(
            Diagnostic::error(
                "TPL502",
                Path::root(),
                format!("the template is {body_bytes} bytes; CloudFormation accepts at most {MAX_BODY_BYTES}"),
            )
            .help("split the template into several stacks"),
        );
    } else if body_bytes > MAX_INLINE_BODY_BYTES {
        out.push(
            Diagnostic::warning(
                "TPL503",
                Path::root(),
                format!("the template is {body_bytes} bytes; passed inline CloudFormation accepts at most {MAX_INLINE_BODY_BYTES}"),
            )
            .help("deploy it from S3 (aws cloudformation deploy --s3-bucket ...)"),
        );
    }
    out
}
