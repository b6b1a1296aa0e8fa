//! The catalog's launch role: what Service Catalog needs to launch, update and terminate the
//! products, derived from the resource types of their templates and the permissions
//! CloudFormation's handlers of those types call (`validate::handlers`), scoped to the org's
//! own resources and tags wherever IAM lets a statement name them.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use super::layout::{Layout, role_arn, sagemaker_arn};
use crate::config::{LaunchStatement, Org};
use crate::ids::TEAM_TAG;
use crate::model::Value;
use crate::model::iam::{PolicyDocument, Statement, any};
use crate::model::resources::ManagedPolicy;
use crate::validate::data::action_resource_types;
use crate::validate::handlers;

/// Most characters of statements put in one managed policy, below IAM's 6,144 for the whole
/// document.
const POLICY_BUDGET: usize = 5_600;
/// Most actions in one statement.
const MAX_ACTIONS: usize = 100;

/// A product the role launches.
pub(super) struct Launched<'a> {
    /// Product name.
    pub name: &'a str,
    /// Its template, long form.
    pub template: &'a Json,
    /// A custom product (its resources are not the org's own names).
    pub custom: bool,
    /// Statements the org file declares for it, instead of deriving them.
    pub declared: Option<&'a [LaunchStatement]>,
}

/// The launch role's statements: stack operations, the template Service Catalog copied, then
/// every handler permission of the products' resource types.
pub(super) fn statements(org: &Org, products: &[Launched<'_>]) -> Vec<Statement> {
    let mut out = vec![
        Statement::allow(
            [
                "cloudformation:CreateStack",
                "cloudformation:DeleteStack",
                "cloudformation:DescribeStackEvents",
                "cloudformation:DescribeStacks",
                "cloudformation:SetStackPolicy",
                "cloudformation:UpdateStack",
            ],
            vec![Value::sub("arn:${AWS::Partition}:cloudformation:*:${AWS::AccountId}:stack/SC-*")],
        )
        .sid("ProvisionedProductStacks"),
        Statement::allow(["cloudformation:GetTemplateSummary", "cloudformation:ValidateTemplate"], any())
            .sid("ReadTemplates"),
        // Service Catalog copies every template into a bucket of its own and tags the copy;
        // the launch role reads it there, whatever bucket the admin published to.
        // <https://docs.aws.amazon.com/servicecatalog/latest/adminguide/constraints-launch.html>
        Statement::allow(["s3:GetObject"], any()).sid("ProductTemplates").when(
            "StringEquals",
            "s3:ExistingObjectTag/servicecatalog:provisioning",
            "true",
        ),
    ];
    let mut ours: BTreeSet<String> = BTreeSet::new();
    let mut theirs: BTreeSet<String> = BTreeSet::new();
    for p in products.iter().filter(|p| p.declared.is_none()) {
        let actions = handlers::actions(p.template).into_keys();
        if p.custom { theirs.extend(actions) } else { ours.extend(actions) }
    }
    out.extend(scoped(org, &ours));
    // What only custom products need: their resources are named by their own templates, so
    // no name of the org's scopes them.
    let only_theirs: Vec<&String> = theirs.iter().filter(|a| !ours.contains(*a)).collect();
    if !only_theirs.is_empty() {
        out.push(Statement::allow(only_theirs, any()).sid("CustomProducts"));
    }
    for p in products {
        for (i, s) in p.declared.into_iter().flatten().enumerate() {
            let resources = s.resources.iter().map(|r| if r.contains("${") { Value::sub(r) } else { Value::from(r) });
            out.push(Statement::allow(&s.actions, resources.collect()).sid(&format!(
                "Declared{}{}",
                crate::ids::pascal(p.name),
                i + 1
            )));
        }
    }
    out
}

/// The org's own resources of each type a handler permission applies to.
fn scope(org: &Org, service: &str, resource_type: &str) -> Option<Vec<Value>> {
    let layout = Layout::new(org);
    let sm = |r: &str| Some(vec![sagemaker_arn(r)]);
    let account = |service: &str, r: &str| {
        Some(vec![Value::sub(format!("arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{r}"))])
    };
    match (service, resource_type) {
        ("sagemaker", "domain") => sm("domain/*"),
        ("sagemaker", "user-profile") => sm("user-profile/*/*"),
        ("sagemaker", "app") => sm("app/*/*/*/*"),
        ("sagemaker", "space") => sm("space/*/*"),
        ("sagemaker", "image") => sm("image/*"),
        ("sagemaker", "image-version") => sm("image-version/*/*"),
        // Team roles, and the roles CloudFormation names for provisioned products (`SC-...`).
        ("iam", "role") => Some(vec![role_arn(&layout.team_role_pattern()), role_arn("SC-*")]),
        ("iam", "policy") => Some(vec![team_policies(org)]),
        // The org's key, unless the role also launches in other accounts, which use their own.
        ("kms", "key") => match org.encryption.as_ref().and_then(|e| e.kms_key_arn.as_ref()) {
            Some(key) if !beyond_this_account(org) => Some(vec![Value::from(key)]),
            _ => account("kms", "key/*"),
        },
        ("elasticfilesystem", "file-system") => account("elasticfilesystem", "file-system/*"),
        ("elasticfilesystem", "access-point") => account("elasticfilesystem", "access-point/*"),
        _ => None,
    }
}

/// Whether the catalog's launch role also exists in other accounts (shares, organizational
/// units), where the org file's own resources do not.
fn beyond_this_account(org: &Org) -> bool {
    org.catalog.as_ref().is_some_and(|c| !c.share_with_accounts.is_empty() || !c.organizational_units.is_empty())
}

fn team_policies(org: &Org) -> Value {
    Value::sub(format!(
        "arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:policy/{}",
        Layout::new(org).team_role_pattern()
    ))
}

/// A statement's shape apart from its actions: what the grouping of actions keys on.
#[derive(Clone)]
struct Shape {
    sid: String,
    resources: Vec<Value>,
    conditions: Vec<(&'static str, String, Value)>,
}

impl Shape {
    fn key(&self) -> String {
        let resources = serde_json::to_string(&self.resources).unwrap_or_default();
        let conditions: Vec<String> = self
            .conditions
            .iter()
            .map(|(op, k, v)| format!("{op}{k}{}", serde_json::to_string(v).unwrap_or_default()))
            .collect();
        format!("{}|{resources}|{}", self.sid, conditions.join(","))
    }
}

/// The statements granting `actions` for the built-in products, each on the org's own
/// resources, with the guards studioform keeps on tags, roles and policies.
fn scoped(org: &Org, actions: &BTreeSet<String>) -> Vec<Statement> {
    let mut groups: BTreeMap<String, (Shape, Vec<String>)> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for action in actions {
        for shape in shapes(org, action) {
            let key = shape.key();
            if !groups.contains_key(&key) {
                order.push(key.clone());
            }
            groups.entry(key).or_insert_with(|| (shape, Vec::new())).1.push(action.clone());
        }
    }
    // Statement order: by sid, then as met, so that the output is stable.
    order.sort_by(|a, b| groups[a].0.sid.cmp(&groups[b].0.sid));
    let mut used: BTreeMap<String, usize> = BTreeMap::new();
    order
        .iter()
        .map(|key| {
            let (shape, actions) = &groups[key];
            let n = used.entry(shape.sid.clone()).or_default();
            *n += 1;
            let sid = if *n == 1 { shape.sid.clone() } else { format!("{}{n}", shape.sid) };
            let mut s = Statement::allow(actions, shape.resources.clone()).sid(&sid);
            for (op, k, v) in &shape.conditions {
                s = s.when(op, k, v.clone());
            }
            s
        })
        .collect()
}

/// Where and when the launch role may call `action` for the built-in products.
fn shapes(org: &Org, action: &str) -> Vec<Shape> {
    let layout = Layout::new(org);
    let (service, name) = action.split_once(':').unwrap_or((action, ""));
    let shape = |sid: &str, resources: Vec<Value>| Shape { sid: sid.to_owned(), resources, conditions: Vec::new() };
    let with = |mut s: Shape, op: &'static str, key: &str, value: Value| {
        s.conditions.push((op, key.to_owned(), value));
        s
    };
    // Named after the service and the kinds of resource it is scoped to: `IamRole`.
    let on_own = |sid: Option<&str>| {
        let types = action_resource_types(action).unwrap_or_default();
        let mut resources: Vec<Value> = Vec::new();
        let mut kinds = String::new();
        for t in types {
            let found = scope(org, service, t).unwrap_or_default();
            if !found.is_empty() {
                kinds.push_str(&crate::ids::pascal(t));
            }
            for r in found {
                if !resources.contains(&r) {
                    resources.push(r);
                }
            }
        }
        let service = crate::ids::pascal(service);
        match (sid, resources.is_empty()) {
            (Some(sid), true) => shape(&format!("{sid}Anywhere"), any()),
            (Some(sid), false) => shape(sid, resources),
            (None, true) => shape(&format!("{service}Anywhere"), any()),
            (None, false) => shape(&format!("{service}{kinds}"), resources),
        }
    };
    match (service, name) {
        // A team role is created only with its team tag; CloudFormation's own names for the
        // domain product's default role carry none.
        ("iam", "CreateRole") => vec![
            with(
                shape("TeamRolesWithTeamTag", vec![role_arn(&layout.team_role_pattern())]),
                "Null",
                &format!("aws:RequestTag/{TEAM_TAG}"),
                Value::from("false"),
            ),
            shape("DomainDefaultRoles", vec![role_arn("SC-*")]),
        ],
        ("iam", "PassRole") => vec![with(
            on_own(Some("PassExecutionRolesToSageMaker")),
            "StringEquals",
            "iam:PassedToService",
            Value::from("sagemaker.amazonaws.com"),
        )],
        ("iam", "CreateServiceLinkedRole") => vec![with(
            shape("SageMakerServiceLinkedRole", vec![role_arn("aws-service-role/sagemaker.amazonaws.com/*")]),
            "StringEquals",
            "iam:AWSServiceName",
            Value::from("sagemaker.amazonaws.com"),
        )],
        // Attaching: only the teams' own policies, to anything.
        ("iam", n) if n.starts_with("Attach") || n.starts_with("Detach") => {
            vec![with(shape("AttachOnlyTeamPolicies", any()), "ArnLike", "iam:PolicyARN", team_policies(org))]
        }
        ("sagemaker", "CreateUserProfile") => vec![with(
            on_own(Some("ProfilesWithUserTag")),
            "Null",
            &format!("aws:RequestTag/{}", org.identity.user_tag),
            Value::from("false"),
        )],
        // Tags are written when a resource is created, never changed afterwards: a profile's
        // user tag is what isolates one person from another.
        ("sagemaker", "AddTags") => {
            vec![with(on_own(Some("TagOnCreate")), "Null", "sagemaker:TaggingAction", Value::from("false"))]
        }
        ("sagemaker", "DeleteTags") => vec![shape("UntagDomains", vec![sagemaker_arn("domain/*")])],
        _ => vec![on_own(None)],
    }
}

/// The launch role's managed policies: `statements` in as few documents as IAM's size limit
/// allows.
pub(super) fn policies(name: &str, statements: Vec<Statement>) -> Vec<ManagedPolicy> {
    // A statement of very many actions (a custom product's bucket) is cut into pieces first.
    let statements = statements.into_iter().flat_map(|s| {
        let actions = s.action_names().to_vec();
        if actions.len() <= MAX_ACTIONS {
            return vec![s];
        }
        let sid = s.sid.clone().unwrap_or_default();
        actions
            .chunks(MAX_ACTIONS)
            .enumerate()
            .map(|(i, chunk)| Statement {
                sid: Some(format!("{sid}{}", i + 1)),
                actions: crate::model::iam::Actions::Action(chunk.to_vec()),
                ..s.clone()
            })
            .collect()
    });
    let mut parts: Vec<Vec<Statement>> = vec![Vec::new()];
    let mut size = 0;
    for s in statements {
        let n = serde_json::to_string(&s).map_or(0, |j| j.len());
        if size + n > POLICY_BUDGET && parts.last().is_some_and(|p| !p.is_empty()) {
            parts.push(Vec::new());
            size = 0;
        }
        size += n;
        if let Some(last) = parts.last_mut() {
            last.push(s);
        }
    }
    let count = parts.len();
    parts
        .into_iter()
        .enumerate()
        .map(|(i, statements)| ManagedPolicy {
            managed_policy_name: Some(Value::from(if i == 0 {
                format!("{name}-policy")
            } else {
                format!("{name}-policy-{}", i + 1)
            })),
            description: Some(if count == 1 {
                "studioform: what launching the Studio products needs".into()
            } else {
                format!("studioform: what launching the Studio products needs (part {} of {count})", i + 1)
            }),
            policy_document: PolicyDocument::new(statements),
            ..ManagedPolicy::default()
        })
        .collect()
}
