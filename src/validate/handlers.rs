//! What CloudFormation itself calls: the permissions each resource type's handlers (create,
//! read, update, delete) use with the caller's credentials, vendored from the provider
//! schemas (`schemas/handlers.json`), and the check that a Service Catalog launch role allows
//! every one of them for every resource of every product it launches.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use serde_json::Value;

use crate::diag::Diagnostic;
use crate::model::value::as_intrinsic;
use crate::path::Path;

const HANDLERS: &str = include_str!("../../schemas/handlers.json");

/// The handlers CloudFormation runs on a resource during a stack's life.
pub const OPERATIONS: [&str; 4] = ["create", "read", "update", "delete"];

/// Resource types whose handlers call nothing with the caller's credentials: CloudFormation
/// keeps them itself.
const CALL_NOTHING: &[&str] =
    &["AWS::CloudFormation::WaitConditionHandle", "AWS::CloudFormation::WaitCondition", "AWS::CDK::Metadata"];

/// IAM service prefixes that some provider schemas spell differently from IAM.
const PREFIX_ALIASES: &[(&str, &str)] = &[("efs", "elasticfilesystem")];

/// The permissions of one resource type's handlers, by operation, as IAM spells them.
pub type Permissions = BTreeMap<&'static str, Vec<String>>;

/// The handler permissions of `type_name`: `Some` of an empty map for types that need none,
/// `None` when studioform does not know them. Actions are spelled as IAM's catalog spells
/// them; actions IAM does not know (a schema's typo, an unreleased action) are left out,
/// since no policy can grant or need them.
pub fn of(type_name: &str) -> Option<&'static Permissions> {
    static EMPTY: OnceLock<Permissions> = OnceLock::new();
    if CALL_NOTHING.contains(&type_name) {
        return Some(EMPTY.get_or_init(Permissions::new));
    }
    table().get(type_name)
}

fn table() -> &'static HashMap<String, Permissions> {
    static TABLE: OnceLock<HashMap<String, Permissions>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let raw: HashMap<String, HashMap<String, Vec<String>>> = serde_json::from_str(HANDLERS).unwrap_or_default();
        raw.into_iter()
            .map(|(t, ops)| {
                let perms = OPERATIONS
                    .iter()
                    .map(|op| {
                        let actions: BTreeSet<String> =
                            ops.get(*op).into_iter().flatten().filter_map(|a| canonical(a)).collect();
                        (*op, actions.into_iter().collect())
                    })
                    .collect();
                (t, perms)
            })
            .collect()
    })
}

/// `action` as IAM's catalog spells it, or `None` when IAM has no such action.
pub fn canonical(action: &str) -> Option<String> {
    let (prefix, name) = action.split_once(':')?;
    let lower = prefix.to_ascii_lowercase();
    let prefix = PREFIX_ALIASES.iter().find(|(from, _)| *from == lower).map_or(lower.as_str(), |(_, to)| to);
    let catalog = super::data::catalog();
    if !catalog.services.contains(prefix) {
        return None;
    }
    match catalog.detailed.get(prefix) {
        // Some catalog entries are known only in lower case: keep the schema's spelling then.
        Some(service) => service.actions.get(&name.to_ascii_lowercase()).map(|(spelled, _)| {
            let spelled = if spelled.chars().any(char::is_uppercase) { spelled.as_str() } else { name };
            format!("{prefix}:{spelled}")
        }),
        None => Some(format!("{prefix}:{name}")),
    }
}

/// What one resource of a template needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Need {
    /// Logical id.
    pub resource: String,
    /// Resource type.
    pub type_name: String,
    /// Its handler permissions, `None` when studioform does not know them.
    pub permissions: Option<&'static Permissions>,
}

/// What every resource of `template` needs from whoever deploys it.
pub fn needs(template: &Value) -> Vec<Need> {
    let Some(resources) = template.get("Resources").and_then(Value::as_object) else { return Vec::new() };
    resources
        .iter()
        .filter_map(|(id, r)| {
            let type_name = r.get("Type")?.as_str()?;
            // A custom resource (`Custom::X`) is one type to CloudFormation.
            let known =
                if type_name.starts_with("Custom::") { "AWS::CloudFormation::CustomResource" } else { type_name };
            Some(Need { resource: id.clone(), type_name: type_name.to_owned(), permissions: of(known) })
        })
        .collect()
}

/// Every action the handlers of one resource type call (none when studioform does not know
/// them).
pub fn type_actions(type_name: &str) -> impl Iterator<Item = &'static String> {
    let known = if type_name.starts_with("Custom::") { "AWS::CloudFormation::CustomResource" } else { type_name };
    of(known).into_iter().flat_map(|p| p.values()).flatten()
}

/// Every action the resources of `template` need, by the types that need it: the union of
/// their handlers' permissions.
pub fn actions(template: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for need in needs(template) {
        for action in need.permissions.into_iter().flat_map(|p| p.values()).flatten() {
            out.entry(action.clone()).or_default().insert(need.type_name.clone());
        }
    }
    out
}

/// What a set of IAM identity policies allows, by action alone: resources and conditions are
/// not evaluated, since a handler's permission list names no resource. An unconditional deny
/// on every resource takes an action away.
#[derive(Clone, Debug, Default)]
pub struct Grants {
    allow: Vec<Pattern>,
    allow_all_but: Vec<Vec<Pattern>>,
    deny: Vec<Pattern>,
}

/// An IAM action pattern (`iam:*Role*`), matched without regard to case.
#[derive(Clone, Debug)]
struct Pattern(String);

impl Pattern {
    fn matches(&self, action: &str) -> bool {
        crate::glob::ascii_ci(&self.0, action)
    }
}

fn strings(v: Option<&Value>) -> Vec<Pattern> {
    match v {
        Some(Value::String(s)) => vec![Pattern(s.to_ascii_lowercase())],
        Some(Value::Array(items)) => {
            items.iter().filter_map(Value::as_str).map(|s| Pattern(s.to_ascii_lowercase())).collect()
        }
        _ => Vec::new(),
    }
}

impl Grants {
    /// Adds the statements of a policy document.
    pub fn add_document(&mut self, doc: &Value) {
        let statements = match doc.get("Statement") {
            Some(Value::Array(s)) => s.iter().collect(),
            Some(s @ Value::Object(_)) => vec![s],
            _ => Vec::new(),
        };
        for s in statements {
            // A statement chosen by a condition counts with the branch that grants more.
            let s = match as_intrinsic(s) {
                Some(("Fn::If", Value::Array(branches))) if branches.len() == 3 => &branches[1],
                _ => s,
            };
            let every_resource = matches!(s.get("Resource"), Some(Value::String(r)) if r == "*")
                || matches!(s.get("Resource"), Some(Value::Array(r)) if r.iter().any(|r| r == "*"));
            match s.get("Effect").and_then(Value::as_str) {
                Some("Allow") => {
                    self.allow.extend(strings(s.get("Action")));
                    if s.get("NotAction").is_some() {
                        self.allow_all_but.push(strings(s.get("NotAction")));
                    }
                }
                Some("Deny") if every_resource && s.get("Condition").is_none() => {
                    self.deny.extend(strings(s.get("Action")));
                }
                _ => {}
            }
        }
    }

    /// True when some statement allows `action` and no unconditional deny takes it away.
    pub fn allows(&self, action: &str) -> bool {
        let allowed = self.allow.iter().any(|p| p.matches(action))
            || self.allow_all_but.iter().any(|not| !not.iter().any(|p| p.matches(action)));
        allowed && !self.deny.iter().any(|p| p.matches(action))
    }
}

/// The launch roles of a portfolio template: for each `AWS::ServiceCatalog::LaunchRoleConstraint`,
/// the role it names (when the template creates it), the product it constrains, and what the
/// role's policies in the template allow.
pub struct LaunchRole {
    /// The constraint's logical id.
    pub constraint: String,
    /// The role's logical id.
    pub role: String,
    /// The `AWS::ServiceCatalog::CloudFormationProduct` constrained.
    pub product: String,
    /// The template URLs of the product's versions, as written.
    pub urls: Vec<Value>,
    /// What the role may do.
    pub grants: Grants,
}

fn reference(v: Option<&Value>) -> Option<&str> {
    match as_intrinsic(v?)? {
        ("Ref", Value::String(id)) => Some(id),
        ("Fn::GetAtt", Value::Array(parts)) => parts.first()?.as_str(),
        ("Fn::GetAtt", Value::String(dotted)) => dotted.split('.').next(),
        _ => None,
    }
}

/// The launch roles of `portfolio` whose role the template itself defines.
pub fn launch_roles(portfolio: &Value) -> Vec<LaunchRole> {
    let Some(resources) = portfolio.get("Resources").and_then(Value::as_object) else { return Vec::new() };
    let of_type =
        |t: &'static str| resources.iter().filter(move |(_, r)| r.get("Type").and_then(Value::as_str) == Some(t));
    let mut out = Vec::new();
    for (id, c) in of_type("AWS::ServiceCatalog::LaunchRoleConstraint") {
        let props = c.get("Properties");
        let role = props.and_then(|p| reference(p.get("RoleArn")).or_else(|| reference(p.get("LocalRoleName"))));
        let product = props.and_then(|p| reference(p.get("ProductId")));
        let (Some(role), Some(product)) = (role, product) else { continue };
        let Some(role_props) = resources.get(role).and_then(|r| r.get("Properties")) else { continue };
        let mut grants = Grants::default();
        for p in role_props.get("Policies").and_then(Value::as_array).into_iter().flatten() {
            if let Some(doc) = p.get("PolicyDocument") {
                grants.add_document(doc);
            }
        }
        let attached: Vec<&str> = role_props
            .get("ManagedPolicyArns")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|a| reference(Some(a)))
            .collect();
        for (pid, p) in of_type("AWS::IAM::ManagedPolicy") {
            let roles = p.get("Properties").and_then(|pp| pp.get("Roles")).and_then(Value::as_array);
            let names_role = roles.into_iter().flatten().any(|r| reference(Some(r)) == Some(role));
            if (attached.contains(&pid.as_str()) || names_role)
                && let Some(doc) = p.get("Properties").and_then(|pp| pp.get("PolicyDocument"))
            {
                grants.add_document(doc);
            }
        }
        let urls = resources
            .get(product)
            .and_then(|p| p.get("Properties"))
            .and_then(|p| p.get("ProvisioningArtifactParameters"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|a| a.get("Info").and_then(|i| i.get("LoadTemplateFromURL")).cloned())
            .collect();
        out.push(LaunchRole {
            constraint: id.clone(),
            role: role.to_owned(),
            product: product.to_owned(),
            urls,
            grants,
        });
    }
    out
}

/// Findings for a product template launched with `role`: `TPL601` for every handler
/// permission the role does not allow, one finding per resource type and handler.
pub fn check_launch(role: &LaunchRole, product_name: &str, template: &Value) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for need in needs(template) {
        let at = Path::root().key("Resources").key(&need.resource);
        // Types whose handlers are unknown are declared in the org file, or refused there.
        let Some(perms) = need.permissions else { continue };
        for (op, actions) in perms {
            let missing: Vec<&str> = actions.iter().map(String::as_str).filter(|a| !role.grants.allows(a)).collect();
            if missing.is_empty() || !seen.insert((need.type_name.clone(), op)) {
                continue;
            }
            out.push(
                Diagnostic::error(
                    "TPL601",
                    at.clone(),
                    format!(
                        "product `{product_name}`: the {op} handler of {} calls {}, which launch role `{}` does not allow: Service Catalog could not {}",
                        need.type_name,
                        missing.join(", "),
                        role.role,
                        match *op {
                            "create" => "launch it",
                            "update" => "update it",
                            "delete" => "terminate it",
                            _ => "launch, update or terminate it",
                        }
                    ),
                )
                .help(format!("allow {} in the launch role's policy", missing.join(", "))),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn knows_what_the_handlers_call_as_iam_spells_it() {
        let role = of("AWS::IAM::Role").unwrap();
        assert!(role["create"].contains(&"iam:PutRolePolicy".to_owned()));
        assert!(role["read"].contains(&"iam:ListAttachedRolePolicies".to_owned()));
        let domain = of("AWS::SageMaker::Domain").unwrap();
        assert!(domain["create"].contains(&"kms:GenerateDataKeyWithoutPlaintext".to_owned()), "{domain:?}");
        assert!(domain["create"].contains(&"elasticfilesystem:CreateFileSystem".to_owned()), "{domain:?}");
        assert!(of("AWS::CloudFormation::WaitConditionHandle").unwrap().is_empty());
        assert!(of("AWS::CodeBuild::Project").is_none());
    }

    #[test]
    fn matches_actions_as_iam_does() {
        let mut g = Grants::default();
        g.add_document(&json!({"Statement": [
            {"Effect": "Allow", "Action": ["iam:*Role*", "s3:GetObject"], "Resource": "*"},
            {"Effect": "Allow", "NotAction": ["ec2:*"], "Resource": "arn:aws:sns:*:*:x"},
            {"Effect": "Deny", "Action": "iam:DeleteRole", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:TagRole", "Resource": "*", "Condition": {"Bool": {"aws:ViaAWSService": "true"}}}
        ]}));
        assert!(g.allows("iam:PutRolePolicy") && g.allows("IAM:createrole") && g.allows("iam:TagRole"));
        assert!(!g.allows("iam:DeleteRole"), "an unconditional deny wins");
        assert!(g.allows("sns:Publish"), "NotAction allows everything else");
        assert!(!g.allows("ec2:CreateTags"));
    }
}
