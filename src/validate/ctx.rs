//! What every check needs: the template's sections, intrinsic-function recognition, and
//! sample values for pseudo parameters.

use serde_json::{Map, Value};

use crate::diag::Diagnostic;
use crate::path::{Path, Segment};

/// Pseudo parameters, with a sample value each (for checking literals built with `!Sub`).
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/pseudo-parameter-reference.html>
pub(super) const PSEUDO: &[(&str, &str)] = &[
    ("AWS::AccountId", "123456789012"),
    ("AWS::NotificationARNs", ""),
    ("AWS::NoValue", ""),
    ("AWS::Partition", "aws"),
    ("AWS::Region", "us-east-1"),
    ("AWS::StackId", "arn:aws:cloudformation:us-east-1:123456789012:stack/stack/1"),
    ("AWS::StackName", "stack"),
    ("AWS::URLSuffix", "amazonaws.com"),
];

/// The function name and argument, if `v` is an intrinsic function.
pub(super) fn as_fn(v: &Value) -> Option<(&str, &Value)> {
    crate::model::value::as_intrinsic(v)
}

/// A template and its sections.
pub(super) struct Ctx<'a> {
    /// The whole template.
    pub template: &'a Value,
    /// `Resources`.
    pub resources: &'a Map<String, Value>,
    /// `Parameters`.
    pub parameters: &'a Map<String, Value>,
    /// `Conditions`.
    pub conditions: &'a Map<String, Value>,
    /// `Mappings`.
    pub mappings: &'a Map<String, Value>,
    /// Whether a transform (SAM, language extensions) rewrites the template before deploy.
    pub transformed: bool,
    /// Whether the SAM transform (`AWS::Serverless-2016-10-31`) rewrites it: `Globals`,
    /// `AWS::Serverless::*` types and the resources SAM creates from them.
    pub sam: bool,
    /// Findings so far.
    pub out: Vec<Diagnostic>,
}

impl<'a> Ctx<'a> {
    /// The context of `template`.
    pub(super) fn new(template: &'a Value) -> Self {
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        let empty = EMPTY.get_or_init(Map::new);
        let section = |name: &str| template.get(name).and_then(Value::as_object).unwrap_or(empty);
        Self {
            template,
            resources: section("Resources"),
            parameters: section("Parameters"),
            conditions: section("Conditions"),
            mappings: section("Mappings"),
            transformed: template.get("Transform").is_some(),
            sam: has_transform(template, "AWS::Serverless-2016-10-31"),
            out: Vec::new(),
        }
    }

    /// Records an error.
    pub(super) fn error(&mut self, code: &'static str, at: Path, message: String, help: Option<String>) {
        let mut d = Diagnostic::error(code, at, message);
        d.help = help;
        self.out.push(d);
    }

    /// Records a warning.
    pub(super) fn warn(&mut self, code: &'static str, at: Path, message: String, help: Option<String>) {
        let mut d = Diagnostic::warning(code, at, message);
        d.help = help;
        self.out.push(d);
    }

    /// Records a finding about a key rather than its value (unknown or misspelt keys).
    pub(super) fn on_key(&mut self) {
        if let Some(d) = self.out.pop() {
            self.out.push(d.on_key());
        }
    }

    /// The type of resource `id`, if it has one.
    pub(super) fn resource_type(&self, id: &str) -> Option<&'a str> {
        self.resources.get(id)?.get("Type")?.as_str()
    }

    /// True when `name` may be a resource a transform or module creates at deploy time: SAM
    /// names what it creates after the resource it expands (`<Function>Role`,
    /// `<Function>Version`, `<Api><Stage>Stage`) or `Serverless...` (`ServerlessRestApi`), and
    /// a module's resources are named after the module's logical id (`<Module><Resource>`).
    /// <https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-generated-resources.html>
    pub(super) fn created_by_expansion(&self, name: &str) -> bool {
        if self.sam && name.starts_with("Serverless") {
            return true;
        }
        self.resources.iter().any(|(id, r)| {
            name.len() > id.len()
                && name.starts_with(id.as_str())
                && r.get("Type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.ends_with("::MODULE") || (self.sam && t.starts_with("AWS::Serverless::")))
        })
    }

    /// True for `AWS::...` pseudo parameters.
    pub(super) fn is_pseudo(name: &str) -> bool {
        PSEUDO.iter().any(|(p, _)| *p == name)
    }
}

/// True when `s` holds a dynamic reference (`{{resolve:ssm:/name}}`), which CloudFormation
/// replaces at deploy time: its literal form says nothing of the value.
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html>
pub(super) fn dynamic(s: &str) -> bool {
    s.contains("{{resolve:")
}

/// True when the template's `Transform` (a name or a list of names) includes `name`.
pub(super) fn has_transform(template: &Value, name: &str) -> bool {
    match template.get("Transform") {
        Some(Value::String(s)) => s == name,
        Some(Value::Array(items)) => items.iter().any(|i| i.as_str() == Some(name)),
        _ => false,
    }
}

/// One step of the path [`walk`] passes: borrowed from the template, turned into a [`Path`]
/// (see [`to_path`]) only for a finding.
#[derive(Clone, Copy, Debug)]
pub(super) enum Step<'v> {
    Key(&'v str),
    Index(usize),
}

/// The owned path of `steps`.
pub(super) fn to_path(steps: &[Step<'_>]) -> Path {
    Path(
        steps
            .iter()
            .map(|s| match *s {
                Step::Key(k) => Segment::Key(k.to_owned()),
                Step::Index(i) => Segment::Index(i),
            })
            .collect(),
    )
}

/// Calls `f` on every node of `v` (pre-order) with its path. The path is one buffer of
/// borrowed keys, extended and shortened in place: templates of hundreds of resources have
/// many nodes, and a path is only needed for the few that have a finding.
pub(super) fn walk<'v>(v: &'v Value, path: &mut Vec<Step<'v>>, f: &mut impl FnMut(&'v Value, &[Step<'v>])) {
    f(v, path);
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                path.push(Step::Key(k));
                walk(child, path, f);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                path.push(Step::Index(i));
                walk(child, path, f);
                path.pop();
            }
        }
        _ => {}
    }
}

/// The `${...}` variables of a `Fn::Sub` template, without the `${!literal}` escapes.
pub(super) fn sub_variables(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let var = &after[..end];
        if !var.starts_with('!') {
            out.push(var.trim());
        }
        rest = &after[end + 1..];
    }
    out
}

/// The string `Fn::Sub` produces when every variable is a pseudo parameter or escaped, using
/// sample values for the pseudo parameters; `None` when it depends on anything else.
pub(super) fn sample_sub(template: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}')?;
        let var = &after[..end];
        if let Some(literal) = var.strip_prefix('!') {
            out.push_str("${");
            out.push_str(literal);
            out.push('}');
        } else {
            out.push_str(PSEUDO.iter().find(|(p, _)| *p == var.trim())?.1);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sub_variables_and_samples_pseudo_only_templates() {
        assert_eq!(sub_variables("a${X}b${!aws:username}${ Y.Arn }"), ["X", "Y.Arn"]);
        assert_eq!(
            sample_sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${!aws:username}").as_deref(),
            Some("arn:aws:iam::123456789012:role/${aws:username}")
        );
        assert_eq!(sample_sub("${Bucket}/x"), None);
    }
}
