//! An estate read back from its own templates: every principal the estate creates or attaches
//! policies to, with the policy documents that apply to it, and the user profiles and domains
//! it protects. Intrinsic functions are resolved against one symbolic account and region, and
//! imports against the other templates' exports, so every ARN is a plain string the
//! evaluator can match.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use crate::estate::layout::StackKind;

/// The account every template is resolved in.
pub const ACCOUNT: &str = "111111111111";
/// The region every template is resolved in.
pub const REGION: &str = "us-east-1";

/// What a principal is to the estate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A team's execution role.
    Team {
        /// Its team tag.
        team: String,
    },
    /// The people of iam mode: IAM users in the login group.
    LoginGroup,
    /// The role people assume through SAML, with their id as a session tag.
    SamlRole,
    /// A principal given the Studio admin policy.
    Admin,
    /// The model-deployment role.
    Deployment,
    /// The catalog's launch role.
    Launch,
    /// A principal given the policy to pass the deployment role.
    PassRole,
    /// A role a service assumes (a domain's default role, MLflow's service role).
    Service,
    /// Launch principals, given the catalog's end-user policy.
    EndUser,
}

/// A policy document and where it comes from.
#[derive(Clone, Debug)]
pub struct Policy {
    /// The stack it is in (`aws-managed` for AWS managed policies).
    pub stack: String,
    /// Its logical id (or the AWS managed policy's name).
    pub resource: String,
    /// The document, resolved; shared by every principal the policy is attached to.
    pub document: std::sync::Arc<Value>,
}

/// A principal and everything that grants it anything.
#[derive(Clone, Debug)]
pub struct Principal {
    /// `role/<name>`, `user/<name>` or `group/<name>`.
    pub name: String,
    /// What it is.
    pub kind: Kind,
    /// Its tags (roles): `aws:PrincipalTag/...` in its requests.
    pub tags: BTreeMap<String, String>,
    /// The policies attached to it.
    pub policies: Vec<Policy>,
    /// Managed policies it attaches (`ManagedPolicyArns`) that the check cannot read, each as
    /// (stack, resource, ARN): an import of an export no stack of the estate makes, or an AWS
    /// managed policy not vendored.
    pub unread: Vec<(String, String, String)>,
}

/// A user profile.
#[derive(Clone, Debug)]
pub struct Profile {
    /// Its domain's id.
    pub domain: String,
    /// Its name.
    pub name: String,
    /// Its tags.
    pub tags: BTreeMap<String, String>,
    /// Its execution role's name.
    pub role: Option<String>,
}

impl Profile {
    /// Its ARN.
    pub fn arn(&self) -> String {
        sagemaker_arn(&format!("user-profile/{}/{}", self.domain, self.name))
    }
}

/// A domain.
#[derive(Clone, Debug)]
pub struct Domain {
    /// Its id.
    pub id: String,
    /// Whether it propagates the profile name as source identity.
    pub source_identity: bool,
    /// Its default execution role's name.
    pub default_role: Option<String>,
    /// Whether people sign in through IAM Identity Center (`AuthMode: SSO`), which gives
    /// anyone of its groups without a profile one running as the default role.
    pub sso: bool,
}

/// A managed MLflow tracking server.
#[derive(Clone, Debug)]
pub struct TrackingServer {
    /// Its ARN.
    pub arn: String,
    /// Where it keeps run artifacts (`s3://bucket/prefix`).
    pub artifacts: String,
}

/// An estate's principals, profiles and domains.
#[derive(Clone, Debug, Default)]
pub struct Estate {
    /// Principals, in the order their stacks come.
    pub principals: Vec<Principal>,
    /// User profiles.
    pub profiles: Vec<Profile>,
    /// Domains.
    pub domains: Vec<Domain>,
    /// Managed MLflow tracking servers.
    pub mlflow: Vec<TrackingServer>,
}

/// An ARN of this estate's account and region.
pub fn sagemaker_arn(resource: &str) -> String {
    format!("arn:aws:sagemaker:{REGION}:{ACCOUNT}:{resource}")
}

/// One template of the estate.
pub struct Stack<'a> {
    /// Stack name.
    pub name: &'a str,
    /// What it holds.
    pub kind: StackKind,
    /// The long-form template.
    pub template: &'a Value,
}

/// Reads the estate's deployed stacks (products are launched later, with parameters, and are
/// not part of it).
pub fn read(stacks: &[Stack<'_>]) -> Estate {
    let stacks: Vec<&Stack<'_>> = stacks.iter().filter(|s| s.kind.account() == Some("workload")).collect();
    let mut exports: HashMap<String, (usize, Value)> = HashMap::new();
    for (i, s) in stacks.iter().enumerate() {
        for output in s.template.get("Outputs").and_then(Value::as_object).into_iter().flat_map(Map::values) {
            if let (Some(name), Some(value)) =
                (output.get("Export").and_then(|e| e.get("Name")).and_then(Value::as_str), output.get("Value"))
            {
                exports.insert(name.to_owned(), (i, value.clone()));
            }
        }
    }
    // Each export resolved once: every profile imports its team's role ARN.
    let resolved: HashMap<String, Value> = {
        let raw = Resolver { stacks: &stacks, exports: &exports, resolved: None };
        exports.iter().map(|(name, (from, value))| (name.clone(), raw.resolve(*from, value))).collect()
    };
    let resolver = Resolver { stacks: &stacks, exports: &exports, resolved: Some(&resolved) };
    let mut estate = Estate::default();
    // Every managed policy of the estate by its ARN, and who it is attached to by name.
    let mut managed: HashMap<String, Policy> = HashMap::new();
    let mut attached: Vec<(String, Policy)> = Vec::new();
    for (i, s) in stacks.iter().enumerate() {
        for (id, r) in resources(s.template) {
            if r.get("Type").and_then(Value::as_str) != Some("AWS::IAM::ManagedPolicy") {
                continue;
            }
            let props = resolver.resolve(i, r.get("Properties").unwrap_or(&Value::Null));
            let policy = Policy {
                stack: s.name.to_owned(),
                resource: id.clone(),
                document: std::sync::Arc::new(props.get("PolicyDocument").cloned().unwrap_or_default()),
            };
            managed.insert(resolver.physical(i, id, r, "Ref"), policy.clone());
            for (kind, key) in [("role", "Roles"), ("user", "Users"), ("group", "Groups")] {
                for name in props.get(key).and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
                    attached.push((format!("{kind}/{name}"), policy.clone()));
                }
            }
        }
    }
    for (arn, policy) in aws_managed() {
        managed.insert(arn, policy);
    }
    // What each stack holds, read on every core (resolving every resource's properties is
    // most of the work), then gathered in the stacks' order.
    let indexed: Vec<(usize, &&Stack<'_>)> = stacks.iter().enumerate().collect();
    let found = crate::par_map(&indexed, |&(i, s)| {
        let mut out = Vec::with_capacity(resources(s.template).count());
        for (id, r) in resources(s.template) {
            // Only the properties read below are resolved: a profile's settings, a domain's
            // network, every policy nobody attaches, are not.
            let raw = r.get("Properties");
            let prop = |key: &str| raw.and_then(|p| p.get(key)).map(|v| resolver.resolve(i, v));
            match r.get("Type").and_then(Value::as_str) {
                Some(t @ ("AWS::IAM::Role" | "AWS::IAM::Group")) => {
                    let role = t == "AWS::IAM::Role";
                    let physical = resolver.physical(i, id, r, "Ref");
                    let name = format!("{}/{physical}", if role { "role" } else { "group" });
                    let tags: BTreeMap<String, String> = tags(prop("Tags").as_ref());
                    let (mut policies, mut unread) = (Vec::new(), Vec::new());
                    for arn in prop("ManagedPolicyArns").as_ref().and_then(Value::as_array).into_iter().flatten() {
                        match arn.as_str().and_then(|a| managed.get(a)) {
                            Some(p) => policies.push(p.clone()),
                            None => unread.push((
                                s.name.to_owned(),
                                id.clone(),
                                arn.as_str().map_or_else(|| arn.to_string(), str::to_owned),
                            )),
                        }
                    }
                    // Each inline document is resolved once and moved, not copied.
                    if let Some(Value::Array(inline)) = prop("Policies") {
                        for mut item in inline {
                            policies.push(Policy {
                                stack: s.name.to_owned(),
                                resource: id.clone(),
                                document: std::sync::Arc::new(
                                    item.get_mut("PolicyDocument").map(Value::take).unwrap_or_default(),
                                ),
                            });
                        }
                    }
                    let kind = match (&s.kind, tags.get(crate::ids::TEAM_TAG)) {
                        (_, Some(team)) => Kind::Team { team: team.clone() },
                        (StackKind::Access, _) if !role => Kind::LoginGroup,
                        (StackKind::Access, _) => Kind::SamlRole,
                        (StackKind::Deployment, _) => Kind::Deployment,
                        (StackKind::Portfolio, _) => Kind::Launch,
                        _ => Kind::Service,
                    };
                    out.push(Found::Principal(Principal { name, kind, tags, policies, unread }));
                }
                Some("AWS::SageMaker::Domain") => {
                    let settings = prop("DomainSettings");
                    let settings = settings.as_ref().and_then(|d| d.get("ExecutionRoleIdentityConfig"));
                    out.push(Found::Domain(Domain {
                        id: resolver.physical(i, id, r, "Ref"),
                        source_identity: settings.and_then(Value::as_str) == Some("USER_PROFILE_NAME"),
                        default_role: role_name(
                            prop("DefaultUserSettings").as_ref().and_then(|u| u.get("ExecutionRole")),
                        ),
                        sso: prop("AuthMode").as_ref().and_then(Value::as_str) == Some("SSO"),
                    }));
                }
                Some("AWS::SageMaker::MlflowTrackingServer") => out.push(Found::Mlflow(TrackingServer {
                    arn: resolver.physical(i, id, r, "TrackingServerArn"),
                    artifacts: prop("ArtifactStoreUri").as_ref().and_then(Value::as_str).unwrap_or_default().to_owned(),
                })),
                Some("AWS::SageMaker::UserProfile") => out.push(Found::Profile(Profile {
                    domain: text(prop("DomainId")),
                    name: text(prop("UserProfileName")),
                    tags: tags(prop("Tags").as_ref()),
                    role: role_name(
                        raw.and_then(|p| p.get("UserSettings"))
                            .and_then(|u| u.get("ExecutionRole"))
                            .map(|v| resolver.resolve(i, v))
                            .as_ref(),
                    ),
                })),
                _ => {}
            }
        }
        out
    });
    let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
    for item in found.into_iter().flatten() {
        match item {
            Found::Principal(p) => {
                by_name.insert(p.name.clone(), estate.principals.len());
                estate.principals.push(p);
            }
            Found::Domain(d) => estate.domains.push(d),
            Found::Mlflow(m) => estate.mlflow.push(m),
            Found::Profile(p) => estate.profiles.push(p),
        }
    }
    // Principals outside the estate that its policies are attached to, by the policy's role.
    for (name, policy) in attached {
        let kind = match policy.resource.as_str() {
            r if r.starts_with("AdminPolicy") => Kind::Admin,
            "PassRolePolicy" => Kind::PassRole,
            "EndUserPolicy" => Kind::EndUser,
            _ => Kind::Service,
        };
        match by_name.get(&name) {
            Some(&i) => {
                let p = &mut estate.principals[i];
                // A principal both admin and launch principal is an admin.
                if kind == Kind::Admin || (kind == Kind::PassRole && p.kind == Kind::EndUser) {
                    p.kind = kind;
                }
                p.policies.push(policy);
            }
            None => {
                by_name.insert(name.clone(), estate.principals.len());
                estate.principals.push(Principal {
                    name,
                    kind,
                    tags: BTreeMap::new(),
                    policies: vec![policy],
                    unread: Vec::new(),
                });
            }
        }
    }
    estate
}

/// One thing a stack holds that the checks need.
enum Found {
    Principal(Principal),
    Domain(Domain),
    Mlflow(TrackingServer),
    Profile(Profile),
}

fn resources(template: &Value) -> impl Iterator<Item = (&String, &Value)> {
    template.get("Resources").and_then(Value::as_object).into_iter().flatten()
}

/// A string property's value, or nothing.
fn text(value: Option<Value>) -> String {
    match value {
        Some(Value::String(s)) => s,
        _ => String::new(),
    }
}

fn tags(tags: Option<&Value>) -> BTreeMap<String, String> {
    tags.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| Some((t.get("Key")?.as_str()?.to_owned(), t.get("Value")?.as_str()?.to_owned())))
        .collect()
}

fn role_name(arn: Option<&Value>) -> Option<String> {
    arn?.as_str()?.rsplit_once(":role/").map(|(_, n)| n.rsplit('/').next().unwrap_or(n).to_owned())
}

/// The AWS managed policies studioform attaches, by ARN in this partition.
fn aws_managed() -> Vec<(String, Policy)> {
    static DATA: &str = include_str!("../../schemas/managed-policies.json");
    let parsed: Map<String, Value> = serde_json::from_str(DATA).unwrap_or_default();
    parsed
        .into_iter()
        .filter_map(|(name, p)| {
            let arn = p.get("arn")?.as_str()?.to_owned();
            let document = p.get("document")?.clone();
            Some((arn, Policy { stack: "aws-managed".into(), resource: name, document: std::sync::Arc::new(document) }))
        })
        .collect()
}

/// Resolves intrinsic functions of one template against the symbolic account and the
/// estate's exports.
struct Resolver<'a> {
    stacks: &'a [&'a Stack<'a>],
    exports: &'a HashMap<String, (usize, Value)>,
    /// Every export, resolved, once they are.
    resolved: Option<&'a HashMap<String, Value>>,
}

impl Resolver<'_> {
    fn template(&self, stack: usize) -> &Value {
        self.stacks[stack].template
    }

    /// `value` with every intrinsic function replaced by what it resolves to; `AWS::NoValue`
    /// drops the entry it stands in.
    fn resolve(&self, stack: usize, value: &Value) -> Value {
        self.resolve_depth(stack, value, 0).unwrap_or(Value::Null)
    }

    fn resolve_depth(&self, stack: usize, value: &Value, depth: usize) -> Option<Value> {
        if depth > 32 {
            return Some(Value::Null);
        }
        if let Some((name, arg)) = crate::model::value::as_intrinsic(value) {
            return self.function(stack, name, arg, depth + 1);
        }
        Some(match value {
            Value::Array(items) => {
                Value::Array(items.iter().filter_map(|v| self.resolve_depth(stack, v, depth + 1)).collect())
            }
            Value::Object(m) => Value::Object(
                m.iter().filter_map(|(k, v)| Some((k.clone(), self.resolve_depth(stack, v, depth + 1)?))).collect(),
            ),
            other => other.clone(),
        })
    }

    fn text(&self, stack: usize, value: &Value, depth: usize) -> String {
        match self.resolve_depth(stack, value, depth) {
            Some(Value::String(s)) => s,
            Some(other) => other.to_string(),
            None => String::new(),
        }
    }

    fn function(&self, stack: usize, name: &str, arg: &Value, depth: usize) -> Option<Value> {
        let template = self.template(stack);
        Some(match name {
            "Ref" => return self.reference(stack, arg.as_str().unwrap_or_default()),
            "Fn::GetAtt" => {
                let (id, attribute) = match arg {
                    Value::Array(parts) => (parts.first()?.as_str()?, parts.get(1)?.as_str()?),
                    Value::String(dotted) => dotted.split_once('.')?,
                    _ => return Some(Value::Null),
                };
                self.attribute(stack, id, attribute)?.into()
            }
            "Fn::Sub" => {
                let (text, vars) = match arg {
                    Value::String(s) => (s.as_str(), None),
                    Value::Array(parts) => (parts.first()?.as_str()?, parts.get(1).and_then(Value::as_object)),
                    _ => return Some(Value::Null),
                };
                let mut out = String::new();
                let mut rest = text;
                while let Some(start) = rest.find("${") {
                    out.push_str(&rest[..start]);
                    let after = &rest[start + 2..];
                    let Some(end) = after.find('}') else { break };
                    let var = &after[..end];
                    if let Some(literal) = var.strip_prefix('!') {
                        out.push_str("${");
                        out.push_str(literal);
                        out.push('}');
                    } else if let Some(v) = vars.and_then(|m| m.get(var)) {
                        out.push_str(&self.text(stack, v, depth));
                    } else if let Some((id, attribute)) = var.split_once('.') {
                        out.push_str(&self.attribute(stack, id, attribute).unwrap_or_default());
                    } else {
                        match self.reference(stack, var) {
                            Some(Value::String(s)) => out.push_str(&s),
                            Some(other) => out.push_str(&other.to_string()),
                            None => {}
                        }
                    }
                    rest = &after[end + 1..];
                }
                out.push_str(rest);
                out.into()
            }
            "Fn::ImportValue" => {
                let export = self.text(stack, arg, depth);
                if let Some(value) = self.resolved.and_then(|r| r.get(&export)) {
                    return Some(value.clone());
                }
                match self.exports.get(&export) {
                    Some((from, value)) => self.resolve_depth(*from, value, depth)?,
                    None => format!("<{export}>").into(),
                }
            }
            "Fn::Join" => {
                let parts = arg.as_array()?;
                let sep = parts.first()?.as_str()?;
                let items = self.resolve_depth(stack, parts.get(1)?, depth)?;
                let texts: Vec<String> =
                    items.as_array()?.iter().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned)).collect();
                texts.join(sep).into()
            }
            "Fn::Select" => {
                let parts = arg.as_array()?;
                let index = self.text(stack, parts.first()?, depth).parse::<usize>().ok()?;
                self.resolve_depth(stack, parts.get(1)?, depth)?.as_array()?.get(index)?.clone()
            }
            "Fn::If" => {
                let parts = arg.as_array()?;
                let branch = if self.condition(stack, parts.first()?.as_str()?, depth) { 1 } else { 2 };
                return self.resolve_depth(stack, parts.get(branch)?, depth);
            }
            "Fn::FindInMap" => {
                let parts = arg.as_array()?;
                let (map, top, second) = (
                    self.text(stack, parts.first()?, depth),
                    self.text(stack, parts.get(1)?, depth),
                    self.text(stack, parts.get(2)?, depth),
                );
                let found = template.get("Mappings")?.get(&map)?.get(&top)?.get(&second)?.clone();
                self.resolve_depth(stack, &found, depth)?
            }
            _ => Value::Null,
        })
    }

    /// What `Ref` of `target` gives: a pseudo parameter, a resource, a parameter's default;
    /// `None` for `AWS::NoValue`.
    fn reference(&self, stack: usize, target: &str) -> Option<Value> {
        let template = self.template(stack);
        Some(match target {
            "AWS::NoValue" => return None,
            "AWS::AccountId" => ACCOUNT.into(),
            "AWS::Region" => REGION.into(),
            "AWS::Partition" => "aws".into(),
            "AWS::URLSuffix" => "amazonaws.com".into(),
            "AWS::StackName" => self.stacks[stack].name.into(),
            _ => match template.get("Resources").and_then(|r| r.get(target)) {
                Some(r) => self.physical(stack, target, r, "Ref").into(),
                None => template
                    .get("Parameters")
                    .and_then(|p| p.get(target))
                    .and_then(|p| p.get("Default"))
                    .cloned()
                    .unwrap_or_else(|| Value::String(format!("<{target}>"))),
            },
        })
    }

    /// What `Fn::GetAtt` of a resource's attribute gives; `None` when there is no such resource.
    fn attribute(&self, stack: usize, id: &str, attribute: &str) -> Option<String> {
        let r = self.template(stack).get("Resources")?.get(id)?;
        Some(self.physical(stack, id, r, attribute))
    }

    fn condition(&self, stack: usize, name: &str, depth: usize) -> bool {
        let Some(c) = self.template(stack).get("Conditions").and_then(|c| c.get(name)) else { return false };
        self.truth(stack, c, depth + 1)
    }

    fn truth(&self, stack: usize, c: &Value, depth: usize) -> bool {
        if depth > 32 {
            return false;
        }
        match crate::model::value::as_intrinsic(c) {
            Some(("Fn::Equals", Value::Array(p))) if p.len() == 2 => {
                self.resolve_depth(stack, &p[0], depth) == self.resolve_depth(stack, &p[1], depth)
            }
            Some(("Fn::Not", Value::Array(p))) => !p.first().is_some_and(|x| self.truth(stack, x, depth + 1)),
            Some(("Fn::And", Value::Array(p))) => p.iter().all(|x| self.truth(stack, x, depth + 1)),
            Some(("Fn::Or", Value::Array(p))) => p.iter().any(|x| self.truth(stack, x, depth + 1)),
            Some(("Condition", Value::String(n))) => self.condition(stack, n, depth + 1),
            _ => false,
        }
    }

    /// What `Ref` or `Fn::GetAtt` of a resource gives, for the types the estate's policies
    /// name; a stand-in of the resource's name otherwise.
    fn physical(&self, stack: usize, id: &str, resource: &Value, attribute: &str) -> String {
        let props = resource.get("Properties").unwrap_or(&Value::Null);
        let named = |key: &str| {
            props
                .get(key)
                .map(|v| self.text(stack, v, 1))
                .unwrap_or_else(|| format!("{}-{id}", self.stacks[stack].name))
        };
        match (resource.get("Type").and_then(Value::as_str).unwrap_or_default(), attribute) {
            ("AWS::IAM::Role", "Arn") => format!("arn:aws:iam::{ACCOUNT}:role/{}", named("RoleName")),
            ("AWS::IAM::Role", _) => named("RoleName"),
            ("AWS::IAM::Group", "Arn") => format!("arn:aws:iam::{ACCOUNT}:group/{}", named("GroupName")),
            ("AWS::IAM::Group", _) => named("GroupName"),
            ("AWS::IAM::ManagedPolicy", _) => format!("arn:aws:iam::{ACCOUNT}:policy/{}", named("ManagedPolicyName")),
            ("AWS::SageMaker::Domain", "Ref") => {
                let name = named("DomainName").to_ascii_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "");
                format!("d-{name}")
            }
            ("AWS::SageMaker::Domain", "DomainArn") => {
                sagemaker_arn(&format!("domain/{}", self.physical(stack, id, resource, "Ref")))
            }
            ("AWS::SageMaker::UserProfile", "UserProfileArn") => sagemaker_arn(&format!(
                "user-profile/{}/{}",
                props.get("DomainId").map(|v| self.text(stack, v, 1)).unwrap_or_default(),
                named("UserProfileName")
            )),
            ("AWS::S3::Bucket", "Arn") => format!("arn:aws:s3:::{}", named("BucketName")),
            ("AWS::S3::Bucket", _) => named("BucketName"),
            ("AWS::SageMaker::MlflowTrackingServer", _) => {
                sagemaker_arn(&format!("mlflow-tracking-server/{}", named("TrackingServerName")))
            }
            (_, _) => format!("{}-{id}", self.stacks[stack].name),
        }
    }
}
