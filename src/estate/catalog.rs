//! The Service Catalog half: launchable products (domain, team, user profile, and custom
//! products rendered from handlebars templates) and the portfolio stack that offers them,
//! with a launch role, so a cloud admin launches them without any SageMaker rights.
//!
//! A product's versions are content-addressed: a new provisioning artifact appears only when
//! the template's bytes change, and earlier ones stay so launched products can be updated.

use std::collections::HashMap;
use std::path::Path as FsPath;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::domain::{DomainSource, Groups, add_domain};
use super::grants::{Switch, Switches, team_flags};
use super::launch::{self, Launched};
use super::layout::{Layout, StackKind, TEAMS_PER_PRODUCT, place, role_arn, team_product_name};
use super::team::{TeamSource, add_role};
use super::{Stack, access};
use crate::config::{BuiltinProduct, Catalog, CustomProduct, Mode, Org, custom_product_name};
use crate::diag::Diagnostic;
use crate::ids::{TEAM_TAG, pascal};
use crate::model::iam::{PolicyDocument, Principal, Statement};
use crate::model::resources::{
    AcceptedPortfolioShare, ArtifactInfo, CloudFormationProduct, LaunchRoleConstraint, ManagedPolicy, Portfolio,
    PortfolioPrincipalAssociation, PortfolioProductAssociation, PortfolioShare, ProvisioningArtifact, Role, StackSet,
    Tag, TagOption, TagOptionAssociation, UserProfile, UserSettings,
};
use crate::model::{Parameter, Resource, Template, Value};
use crate::path;
use crate::render::Format;

/// One published version of a product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    /// Version name: `v1`, `v2`...
    pub name: String,
    /// sha256 of the template's bytes.
    pub sha256: String,
    /// Object key under the publish prefix.
    pub key: String,
}

/// Every version of one product, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// Product name.
    pub name: String,
    /// Versions, oldest first.
    pub versions: Vec<Version>,
}

/// AWS partitions the team product carries bucket ARNs for.
const PARTITIONS: [&str; 3] = ["aws", "aws-cn", "aws-us-gov"];

/// The products and the portfolio of `org`, given the product versions published so far.
pub(super) fn stacks(
    org: &Org,
    base_dir: &FsPath,
    previous: &super::Previous,
    format: Format,
) -> Result<(Vec<Stack>, Vec<History>), Vec<Diagnostic>> {
    let Some(cat) = &org.catalog else { return Ok((Vec::new(), Vec::new())) };
    let mut products = Vec::new();
    for p in &cat.products {
        match p {
            BuiltinProduct::Domain => {
                products.push(Stack::new(p.name().to_owned(), StackKind::Product, domain_product(org)));
            }
            BuiltinProduct::Team => {
                let mut placed = previous.team_products.clone();
                if placed.is_empty() && previous.single_team_product {
                    // Mappings hold 200 keys: a one-piece product never offered more.
                    placed = teams_by_name(org).iter().take(200).map(|t| (t.name.clone(), 1)).collect();
                }
                products.extend(team_products(org, &placed));
            }
            BuiltinProduct::UserProfile => {
                products.push(Stack::new(p.name().to_owned(), StackKind::Product, user_profile_product(org)));
            }
        }
    }
    let mut diags = Vec::new();
    for (i, custom) in cat.custom.iter().enumerate() {
        let file = custom.template();
        match custom_product(org, base_dir, file) {
            Ok(json) => {
                diags.extend(launch_needs(custom, &json, i));
                products.push(Stack::rendered(
                    custom_product_name(file),
                    StackKind::Product,
                    json,
                    path!["catalog", "custom", i],
                ));
            }
            Err(CustomError::Render(message)) => {
                diags.push(Diagnostic::error("CFG040", path!["catalog", "custom", i], message).help(
                    "fix the template; it is rendered with the org file's data, then read as a CloudFormation template",
                ));
            }
            Err(CustomError::Read(message, help)) => diags.push(
                Diagnostic::error("CFG041", path!["catalog", "custom", i], message).help(help.unwrap_or_else(|| {
                    "a custom product template is a regular file in the org file's directory or below it".into()
                })),
            ),
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let mut histories = Vec::new();
    for product in &mut products {
        let content = format.render(product.json());
        let sha256 = crate::output::sha256(&content);
        let mut versions =
            previous.products.iter().find(|h| h.name == product.name).map(|h| h.versions.clone()).unwrap_or_default();
        if versions.last().is_none_or(|v| v.sha256 != sha256) {
            versions.push(Version {
                name: format!("v{}", versions.len() + 1),
                key: format!("products/{}/{sha256}.{}", product.name, format.extension()),
                sha256,
            });
        }
        product.key = versions.last().map(|v| v.key.clone());
        histories.push(History { name: product.name.clone(), versions });
    }
    let launched: Vec<Launched<'_>> = products
        .iter()
        .map(|p| {
            let custom = cat.custom.iter().find(|c| custom_product_name(c.template()) == p.name);
            Launched {
                name: &p.name,
                template: p.json(),
                custom: custom.is_some(),
                declared: custom.and_then(|c| c.launch_policy()),
            }
        })
        .collect();
    let launch_statements = launch::statements(org, &launched);
    let mut portfolio = portfolio(org, cat, &histories, &launch_statements);
    let mut out = Vec::new();
    if !cat.organizational_units.is_empty() {
        // The StackSet loads the portfolio by URL: it is published like a product.
        let sha256 = crate::output::sha256(&format.render(portfolio.json()));
        let key = format!("portfolio/{sha256}.{}", format.extension());
        out.push(stack_set(org, cat, &key));
        portfolio.key = Some(key);
    }
    if !cat.share_with_accounts.is_empty() {
        out.push(recipient(org, cat, &launch_statements));
    }
    out.insert(0, portfolio);
    out.extend(products);
    Ok((out, histories))
}

fn parameter(kind: &str, description: &str) -> Parameter {
    Parameter { kind: kind.into(), description: Some(description.into()), ..Parameter::default() }
}

/// `AWS::CloudFormation::Interface` metadata: parameter groups and labels for the launch form.
fn interface(t: &mut Template, groups: &[(&str, &[&str])], labels: &[(&str, &str)]) {
    let groups: Vec<serde_json::Value> = groups
        .iter()
        .map(|(label, params)| serde_json::json!({"Label": {"default": label}, "Parameters": params}))
        .collect();
    let labels: serde_json::Map<String, serde_json::Value> =
        labels.iter().map(|(p, l)| ((*p).to_owned(), serde_json::json!({"default": l}))).collect();
    t.metadata.insert(
        "AWS::CloudFormation::Interface".into(),
        serde_json::json!({"ParameterGroups": groups, "ParameterLabels": labels}),
    );
}

fn domain_id_parameter() -> Parameter {
    Parameter {
        allowed_pattern: Some("^d-(-*[a-z0-9]){1,61}$".into()),
        constraint_description: Some("a Studio domain id, such as d-abc123def456".into()),
        ..parameter("String", "Id of the Studio domain (an output of the domain product)")
    }
}

/// The org's teams by name: reordering the org file then changes no product and publishes
/// no new version.
fn teams_by_name(org: &Org) -> Vec<&crate::config::Team> {
    let mut teams: Vec<&crate::config::Team> = org.teams.iter().collect();
    teams.sort_by(|a, b| a.name.cmp(&b.name));
    teams
}

fn team_parameter(org: &Org) -> Parameter {
    Parameter {
        allowed_values: teams_by_name(org).iter().map(|t| t.name.clone()).collect(),
        ..parameter("String", "The team, as defined in the org file")
    }
}

/// Flags of the team product that depend on the domain it is launched into, not on the team:
/// each is a parameter of the same name.
const LAUNCH_FLAGS: &[&str] = &["SourceIdentity"];

/// `SourceIdentity`, `true` or `false`: the same parameter as the domain product's.
fn source_identity_parameter() -> Parameter {
    Parameter {
        allowed_values: vec!["true".into(), "false".into()],
        default: Some(Value::from("true")),
        ..parameter("String", "true: teammates read each other's work but change only their own")
    }
}

fn domain_product(org: &Org) -> Template {
    let net = &org.network;
    let mut t =
        Template::new(format!("studioform: a SageMaker Studio domain for {} (Service Catalog product)", org.name));
    interface(
        &mut t,
        &[
            ("Domain", &["DomainName", "SourceIdentity"]),
            ("Network", &["VpcId", "SubnetIds", "SecurityGroupId", "AppNetworkAccessType"]),
            ("Encryption", &["KmsKeyArn"]),
        ],
        &[
            ("DomainName", "Domain name"),
            ("SourceIdentity", "Propagate the profile name as source identity"),
            ("VpcId", "VPC"),
            ("SubnetIds", "Subnets"),
            ("SecurityGroupId", "Security group for apps (empty: create one)"),
            ("AppNetworkAccessType", "Network access"),
            ("KmsKeyArn", "KMS key for home directories (empty: AWS managed)"),
        ],
    );
    let p = &mut t.parameters;
    p.insert(
        "DomainName".into(),
        Parameter {
            allowed_pattern: Some("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$".into()),
            constraint_description: Some("1-63 letters and digits, with hyphens between them".into()),
            ..parameter("String", "Name of the Studio domain")
        },
    );
    p.insert("SourceIdentity".into(), source_identity_parameter());
    // Rolled out to organizational units, the product is launched in accounts whose VPCs,
    // subnets, groups and keys are their own: the org file's would be invalid there.
    let home = org.catalog.as_ref().is_none_or(|c| c.organizational_units.is_empty());
    let default = |v: Value| home.then_some(v);
    p.insert(
        "VpcId".into(),
        Parameter { default: default(Value::from(&net.vpc_id)), ..parameter("AWS::EC2::VPC::Id", "VPC of the domain") },
    );
    p.insert(
        "SubnetIds".into(),
        Parameter {
            default: default(Value::from(net.subnet_ids.join(","))),
            ..parameter("List<AWS::EC2::Subnet::Id>", "Subnets of the domain")
        },
    );
    p.insert(
        "SecurityGroupId".into(),
        Parameter {
            default: Some(Value::from(if home {
                net.security_group_ids.first().cloned().unwrap_or_default()
            } else {
                String::new()
            })),
            allowed_pattern: Some("^(sg-[0-9a-f]{8,17})?$".into()),
            ..parameter("String", "Security group for Studio apps; empty creates one")
        },
    );
    p.insert(
        "AppNetworkAccessType".into(),
        Parameter {
            allowed_values: vec!["VpcOnly".into(), "PublicInternetOnly".into()],
            default: Some(Value::from(if net.internet { "PublicInternetOnly" } else { "VpcOnly" })),
            ..parameter("String", "VpcOnly sends all traffic through the VPC")
        },
    );
    let key = org.encryption.as_ref().and_then(|e| e.kms_key_arn.clone()).filter(|_| home).unwrap_or_default();
    p.insert(
        "KmsKeyArn".into(),
        Parameter {
            default: Some(Value::from(key)),
            allowed_pattern: Some("^(arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+)?$".into()),
            ..parameter("String", "KMS key ARN for the home file system; empty uses an AWS managed key")
        },
    );
    let c = &mut t.conditions;
    c.insert("CreateSecurityGroup".into(), Value::equals(Value::reference("SecurityGroupId"), Value::from("")));
    c.insert("HasKmsKey".into(), Value::negate(Value::equals(Value::reference("KmsKeyArn"), Value::from(""))));
    c.insert("PropagateSourceIdentity".into(), Value::equals(Value::reference("SourceIdentity"), Value::from("true")));
    let source = DomainSource {
        name: Value::reference("DomainName"),
        auth_mode: super::domain::auth_mode(org),
        label: "launched from the catalog".into(),
        vpc_id: Value::reference("VpcId"),
        subnet_ids: Value::reference("SubnetIds"),
        groups: Groups::CreateWhen(
            "CreateSecurityGroup".into(),
            Value::List(vec![Value::reference("SecurityGroupId")]),
        ),
        access: Value::reference("AppNetworkAccessType"),
        kms_key: Some(Value::if_("HasKmsKey", Value::reference("KmsKeyArn"), Value::no_value())),
        source_identity: Switch::When("PropagateSourceIdentity".into()),
        team_default: None,
    };
    add_domain(&mut t, &source, &path!["catalog", "products"], &format!("{}-studio", org.name));
    t.output(
        "DomainId",
        "Studio domain id: the team and user-profile products need it",
        Value::reference("Domain"),
        None,
    );
    t.output("DomainArn", "Studio domain ARN", Value::get_att("Domain", "DomainArn"), None);
    t.output("DomainUrl", "Studio URL", Value::get_att("Domain", "Url"), None);
    t
}

/// The team product, in parts of at most [`TEAMS_PER_PRODUCT`] teams each; a team stays in
/// the part that offered it last time (`previous`: team name → part).
fn team_products(org: &Org, previous: &HashMap<String, usize>) -> Vec<Stack> {
    let teams = teams_by_name(org);
    let shards = place(teams.iter().map(|t| t.name.as_str()), Some(previous), TEAMS_PER_PRODUCT);
    shards
        .into_iter()
        .map(|(shard, members)| {
            let offered: Vec<&crate::config::Team> = members.iter().map(|&i| teams[i]).collect();
            let names = offered.iter().map(|t| t.name.clone()).collect();
            Stack {
                teams: Some(super::TeamShard { shard, teams: names }),
                ..Stack::new(team_product_name(shard), StackKind::Product, team_product(org, &offered, shard))
            }
        })
        .collect()
}

fn team_product(org: &Org, offered: &[&crate::config::Team], shard: usize) -> Template {
    let layout = Layout::new(org);
    let part = if shard > 1 { format!(", part {shard}") } else { String::new() };
    let mut t =
        Template::new(format!("studioform: a team execution role for {} (Service Catalog product{part})", org.name));
    interface(
        &mut t,
        &[("Team", &["TeamName", "DomainId", "SourceIdentity"])],
        &[
            ("TeamName", "Team"),
            ("DomainId", "Studio domain id of the team's domain"),
            ("SourceIdentity", "Whether that domain propagates the profile name as source identity"),
        ],
    );
    t.parameters.insert(
        "TeamName".into(),
        Parameter {
            allowed_values: offered.iter().map(|t| t.name.clone()).collect(),
            ..parameter("String", "The team, as defined in the org file")
        },
    );
    t.parameters.insert("DomainId".into(), domain_id_parameter());
    t.parameters.insert("SourceIdentity".into(), source_identity_parameter());
    let yes_no = |b: bool| Value::from(if b { "true" } else { "false" });
    let mut teams = IndexMap::new();
    // Mapping keys below the top level are alphanumeric, so the partition picks one of three
    // mappings (`TeamBucketsAws`...) rather than a key.
    let mut by_partition: Vec<IndexMap<String, IndexMap<String, Value>>> = vec![IndexMap::new(); PARTITIONS.len()];
    for &team in offered {
        // Mappings cannot hold empty lists; the placeholders are never read, since the
        // conditions built from the flags drop the statements that would use them.
        let or_none = |list: Vec<String>| if list.is_empty() { vec!["none".to_owned()] } else { list };
        let mut app_types = team.instance_types.clone();
        app_types.push("system".into());
        let mut row: IndexMap<String, Value> = team_flags(org, team)
            .into_iter()
            .filter(|(flag, _)| !LAUNCH_FLAGS.contains(flag))
            .map(|(flag, on)| (flag.to_owned(), yes_no(on)))
            .collect();
        row.insert("InstanceTypes".to_owned(), Value::strs(or_none(team.instance_types.clone())));
        row.insert("AppInstanceTypes".to_owned(), Value::strs(app_types));
        teams.insert(team.name.clone(), row);
        for (partition, map) in PARTITIONS.iter().zip(&mut by_partition) {
            let arns = |suffix: &str| -> Value {
                Value::strs(or_none(team.buckets.iter().map(|b| format!("arn:{partition}:s3:::{b}{suffix}")).collect()))
            };
            map.insert(
                team.name.clone(),
                [("Buckets".to_owned(), arns("")), ("Objects".to_owned(), arns("/*"))].into_iter().collect(),
            );
        }
    }
    t.mappings.insert("Teams".into(), teams);
    for (partition, map) in PARTITIONS.iter().zip(by_partition) {
        t.mappings.insert(format!("TeamBuckets{}", pascal(partition)), map);
    }
    let team = || Value::reference("TeamName");
    t.conditions.insert("InChina".into(), Value::equals(Value::reference("AWS::Partition"), Value::from("aws-cn")));
    t.conditions
        .insert("InGovCloud".into(), Value::equals(Value::reference("AWS::Partition"), Value::from("aws-us-gov")));
    let in_partition = |key: &str| {
        let find = |p: &str| Value::find_in_map(format!("TeamBuckets{}", pascal(p)), team(), Value::from(key));
        Value::if_("InChina", find("aws-cn"), Value::if_("InGovCloud", find("aws-us-gov"), find("aws")))
    };
    let source = TeamSource {
        name: team(),
        role_name: layout.team_role_name("${TeamName}"),
        domain_id: Value::reference("DomainId"),
        switches: Switches::Mapped { team: team(), parameters: LAUNCH_FLAGS, conditions: Default::default() },
        buckets: (in_partition("Buckets"), in_partition("Objects")),
        instance_types: (
            Value::find_in_map("Teams", team(), Value::from("InstanceTypes")),
            Value::find_in_map("Teams", team(), Value::from("AppInstanceTypes")),
        ),
        vpc: (org.network.subnet_ids.clone(), org.network.security_group_ids.clone()),
        kms_key: org.encryption.as_ref().and_then(|e| e.kms_key_arn.clone()),
        // A team launched from the catalog passes only its own role.
        job_roles: Vec::new(),
        jobs_for: None,
        also_attached: Vec::new(),
        // Launched into any account, the product's role holds every statement itself.
        shared_from: None,
    };
    add_role(&mut t, org, &source, &path!["catalog", "products"]);
    t.output("ExecutionRoleArn", "ARN of the team's execution role", Value::get_att("ExecutionRole", "Arn"), None);
    t.output("ExecutionRoleName", "Name of the team's execution role", Value::reference("ExecutionRole"), None);
    t
}

fn user_profile_product(org: &Org) -> Template {
    let layout = Layout::new(org);
    let mut t =
        Template::new(format!("studioform: a person's Studio user profile for {} (Service Catalog product)", org.name));
    interface(
        &mut t,
        &[("Person", &["UserProfileName", "UserId", "TeamName"]), ("Domain", &["DomainId"])],
        &[
            ("UserProfileName", "User profile name"),
            ("UserId", "The person's id (never changes: profile tags are create-only)"),
            ("TeamName", "Team"),
            ("DomainId", "Studio domain id of the team's domain"),
        ],
    );
    t.parameters.insert("DomainId".into(), domain_id_parameter());
    t.parameters.insert(
        "UserProfileName".into(),
        Parameter {
            allowed_pattern: Some("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$".into()),
            constraint_description: Some("1-63 letters and digits, with hyphens between them".into()),
            ..parameter("String", "Name of the user profile")
        },
    );
    let (pattern, what) = match org.identity.mode {
        Mode::Iam => ("^[A-Za-z0-9_.=+@-]{1,64}$", "the person's IAM user name"),
        Mode::Saml => ("^[A-Za-z0-9_.:/=+@-]{1,256}$", "the value of the person's SAML session tag"),
        Mode::Sso => ("^[A-Za-z0-9_.=+@-]{1,128}$", "the person's Identity Center user name"),
    };
    let sso = org.identity.mode == Mode::Sso;
    t.parameters.insert(
        "UserId".into(),
        Parameter {
            allowed_pattern: Some(pattern.into()),
            constraint_description: Some(format!("{what}: letters, digits and _ . = + @ -")),
            ..parameter("String", &format!("Tagged on the profile as {}: {what}", org.identity.user_tag))
        },
    );
    // Beyond one part's worth of teams a list is no help to whoever launches, and every team
    // added would give the product a new version (Service Catalog keeps 100 per product):
    // the team's name is then checked by its form, and a team that does not exist has no
    // role to run the profile as.
    let team = if org.teams.len() <= TEAMS_PER_PRODUCT {
        team_parameter(org)
    } else {
        Parameter {
            allowed_pattern: Some("^[a-z0-9]+(-[a-z0-9]+)*$".into()),
            max_length: Some(32),
            constraint_description: Some(
                "a team of the org file, as the team product's parts list them: lowercase letters, digits and hyphens"
                    .into(),
            ),
            ..parameter("String", "The team, as defined in the org file")
        }
    };
    t.parameters.insert("TeamName".into(), team);
    let profile = UserProfile {
        domain_id: Value::reference("DomainId"),
        user_profile_name: Value::reference("UserProfileName"),
        user_settings: Some(UserSettings {
            execution_role: role_arn(&layout.team_role_name("${TeamName}")),
            security_groups: None,
        }),
        single_sign_on_user_identifier: sso.then_some("UserName"),
        single_sign_on_user_value: sso.then(|| Value::reference("UserId")),
        tags: vec![Tag::new(&org.identity.user_tag, Value::reference("UserId"))],
    };
    t.add("UserProfile", Resource::new(&profile, path!["catalog", "products"]).retained());
    t.output("UserProfileArn", "ARN of the user profile", Value::get_att("UserProfile", "UserProfileArn"), None);
    t
}

/// What a custom product's launch statements lack: a resource type whose handler permissions
/// are unknown when nothing is declared (`CFG042`), or a declared action IAM does not have
/// (`CFG043`).
fn launch_needs(custom: &CustomProduct, template: &serde_json::Value, i: usize) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let name = custom_product_name(custom.template());
    let Some(declared) = custom.launch_policy() else {
        let mut unknown: Vec<String> = crate::validate::handlers::needs(template)
            .into_iter()
            .filter(|n| n.permissions.is_none())
            .map(|n| format!("{} ({})", n.type_name, n.resource))
            .collect();
        unknown.dedup();
        if !unknown.is_empty() {
            out.push(
                Diagnostic::error(
                    "CFG042",
                    path!["catalog", "custom", i],
                    format!(
                        "custom product `{name}` creates {}, whose CloudFormation handler permissions studioform does not know, so it cannot give the launch role what launching it needs",
                        unknown.join(", ")
                    ),
                )
                .help(format!(
                    "declare them: `- template: {}` with `launch_policy: [{{actions: [service:Action, ...], resources: ['*']}}]`",
                    custom.template()
                )),
            );
        }
        return out;
    };
    for (j, statement) in declared.iter().enumerate() {
        for (k, action) in statement.actions.iter().enumerate() {
            let at = path!["catalog", "custom", i, "launch_policy", j, "actions", k];
            let known = match action.split_once(':') {
                Some((service, pattern)) if pattern.contains(['*', '?']) => {
                    crate::validate::data::catalog().services.contains(&service.to_ascii_lowercase())
                }
                Some(_) => crate::validate::handlers::canonical(action).is_some(),
                None => false,
            };
            if !known {
                out.push(
                    Diagnostic::error("CFG043", at, format!("`{action}` is not an IAM action"))
                        .help("write service:Action as IAM spells it, such as s3:CreateBucket or sns:*"),
                );
            }
        }
        if statement.actions.is_empty() {
            out.push(Diagnostic::error(
                "CFG027",
                path!["catalog", "custom", i, "launch_policy", j, "actions"],
                "a launch statement needs at least one action",
            ));
        }
    }
    out
}

/// The help for a custom template that does not exist: the templates in the folder it names
/// (relative to the org file), the likely one first.
fn nearby(base_dir: &FsPath, file: &str) -> String {
    let (folder, _) = file.rsplit_once('/').unwrap_or(("", file));
    // Only a folder inside the org file's (a link out of it is not listed).
    let inside = base_dir
        .canonicalize()
        .ok()
        .zip(base_dir.join(folder).canonicalize().ok())
        .is_some_and(|(b, f)| f.starts_with(b));
    let mut found: Vec<String> = std::fs::read_dir(base_dir.join(folder))
        .ok()
        .filter(|_| inside)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|n| n.ends_with(".hbs"))
        .map(|n| if folder.is_empty() { n } else { format!("{folder}/{n}") })
        .collect();
    found.sort();
    let where_ = if folder.is_empty() { "the org file's folder".to_owned() } else { format!("`{folder}/`") };
    if found.is_empty() {
        return format!(
            "paths are relative to the org file's folder; {where_} holds no `.hbs` template: create it, or correct the path"
        );
    }
    let names: Vec<&str> = found.iter().map(String::as_str).collect();
    let guess = crate::diag::did_you_mean(file, &names).map(|b| format!("did you mean `{b}`? ")).unwrap_or_default();
    let list = found.iter().take(10).map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ");
    format!("{guess}templates in {where_}: {list}")
}

/// Why a custom product template could not be used.
enum CustomError {
    /// The file cannot be read: outside the org file's directory, not a regular file, too
    /// large, not UTF-8.
    Read(String, Option<String>),
    /// It does not render, or what it renders is not a template.
    Render(String),
}

/// Renders a custom product template with the org file's data and reads the result. The
/// file must be a regular file inside the org file's directory (after resolving links), and
/// no error quotes more of it than the one rendered line at fault, shortened.
fn custom_product(org: &Org, base_dir: &FsPath, file: &str) -> Result<serde_json::Value, CustomError> {
    let bytes = crate::input::read_inside(base_dir, file, crate::input::MAX_CUSTOM_TEMPLATE_BYTES).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            CustomError::Read(format!("custom product template `{file}` does not exist"), Some(nearby(base_dir, file)))
        } else {
            CustomError::Read(format!("cannot read custom product template {file}: {e}"), None)
        }
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| CustomError::Read(format!("custom product template {file} is not UTF-8 text"), None))?;
    let data = serde_json::to_value(org).unwrap_or_default();
    let rendered = crate::render::custom(&text, &data).map_err(|e| CustomError::Render(format!("{file}: {e}")))?;
    let node = crate::yaml::parse(&rendered).map_err(|e| {
        let line = rendered.lines().nth(e.span.start.line.saturating_sub(1)).unwrap_or_default().trim();
        CustomError::Render(format!(
            "{file}: line {} of the rendered template: {} (`{}`)",
            e.span.start.line,
            e.message,
            crate::diag::shorten(line, 80)
        ))
    })?;
    crate::validate::read::template(&node).map_err(|diags| {
        let d = &diags[0];
        CustomError::Render(format!(
            "{file}: {} (at {})",
            d.message,
            d.path().map(ToString::to_string).unwrap_or_default()
        ))
    })
}

fn portfolio(org: &Org, cat: &Catalog, histories: &[History], launch_statements: &[Statement]) -> Stack {
    let origin = path!["catalog"];
    let mut t = Template::new(format!("studioform: the Service Catalog portfolio of {}", org.name));
    interface(
        &mut t,
        &[("Published templates", &["TemplateBucket", "TemplatePrefix"])],
        &[("TemplateBucket", "Bucket `studioform publish` uploaded to"), ("TemplatePrefix", "Its --prefix")],
    );
    published_templates(&mut t, "S3 bucket the product templates were published to");
    t.add(
        "Portfolio",
        Resource::new(
            &Portfolio {
                display_name: cat.portfolio.clone(),
                provider_name: cat.provider.clone(),
                description: cat.description.clone(),
            },
            origin.clone(),
        ),
    );
    let portfolio = || Value::reference("Portfolio");

    // The launch role exists in every launching account under this name; LocalRoleName finds it
    // there, where a RoleArn would name the hub account's role and fail once shared.
    let launch_role_name = format!("{}-catalog-launch", org.name);
    let shared = !cat.share_with_accounts.is_empty();
    add_launch_role(&mut t, &launch_role_name, launch_statements, &origin);

    for h in histories {
        let id = pascal(&h.name);
        let artifacts = h
            .versions
            .iter()
            .map(|v| ProvisioningArtifact {
                name: v.name.clone(),
                description: format!("template sha256 {}", &v.sha256[..12.min(v.sha256.len())]),
                info: ArtifactInfo {
                    load_template_from_url: Value::sub(format!(
                        "https://${{TemplateBucket}}.s3.${{AWS::Region}}.${{AWS::URLSuffix}}/${{TemplatePrefix}}{}",
                        v.key
                    )),
                },
            })
            .collect();
        let product = CloudFormationProduct {
            name: format!("{} {}", org.name, product_title(&h.name)),
            owner: cat.provider.clone(),
            description: product_description(&h.name),
            provisioning_artifact_parameters: artifacts,
        };
        t.add(format!("Product{id}"), Resource::new(&product, origin.clone()));
        t.add(
            format!("Product{id}Association"),
            Resource::new(
                &PortfolioProductAssociation {
                    portfolio_id: portfolio(),
                    product_id: Value::reference(format!("Product{id}")),
                },
                origin.clone(),
            ),
        );
        let constraint = LaunchRoleConstraint {
            portfolio_id: portfolio(),
            product_id: Value::reference(format!("Product{id}")),
            description: format!("Launch with {launch_role_name}"),
            role_arn: (!shared).then(|| Value::get_att("LaunchRole", "Arn")),
            local_role_name: shared.then(|| Value::reference("LaunchRole")),
        };
        let mut constraint = Resource::new(&constraint, origin.clone());
        // Service Catalog rejects a constraint on a product not yet in the portfolio.
        constraint.depends_on.insert(format!("Product{id}Association"));
        t.add(format!("Product{id}LaunchRole"), constraint);
    }

    let mut principal_ids: Vec<String> = Vec::new();
    for (i, arn) in cat.launch_principals.iter().enumerate() {
        let name = arn.rsplit('/').next().unwrap_or_default();
        let mut id = format!("LaunchPrincipal{}", pascal(name));
        if principal_ids.contains(&id) {
            id = format!("{id}{}", i + 1);
        }
        principal_ids.push(id.clone());
        // Rolled out to many accounts, the principal is named without its account, so that it
        // matches the role or user of that name in each of them.
        let association = match arn.splitn(6, ':').nth(5).filter(|_| !cat.organizational_units.is_empty()) {
            Some(resource) => PortfolioPrincipalAssociation {
                portfolio_id: portfolio(),
                principal_arn: Value::sub(format!("arn:${{AWS::Partition}}:iam:::{resource}")),
                principal_type: "IAM_PATTERN",
            },
            None => PortfolioPrincipalAssociation {
                portfolio_id: portfolio(),
                principal_arn: Value::from(arn),
                principal_type: "IAM",
            },
        };
        t.add(id, Resource::new(&association, path!["catalog", "launch_principals", i]));
    }

    for team in teams_by_name(org).into_iter().filter(|_| cat.tag_options) {
        let id = format!("TeamTagOption{}", pascal(&team.name));
        t.add(id.clone(), Resource::new(&TagOption { key: TEAM_TAG.into(), value: team.name.clone() }, origin.clone()));
        t.add(
            format!("{id}Association"),
            Resource::new(
                &TagOptionAssociation { resource_id: portfolio(), tag_option_id: Value::reference(&id) },
                origin.clone(),
            ),
        );
    }

    for (i, account) in cat.share_with_accounts.iter().enumerate() {
        let share = PortfolioShare {
            account_id: account.clone(),
            portfolio_id: portfolio(),
            share_tag_options: cat.tag_options,
        };
        t.add(format!("Share{account}"), Resource::new(&share, path!["catalog", "share_with_accounts", i]));
    }

    // Rolled out to organizational units, a launch principal may not exist in every account:
    // the policy is there to attach, not attached.
    let attach = cat.organizational_units.is_empty();
    add_end_user_policy(&mut t, cat, attach, &origin);

    let login = access::login_statements(
        org,
        &[super::layout::sagemaker_arn("user-profile/*/*")],
        &[super::layout::sagemaker_arn("domain/*")],
    );
    let has_login = !login.is_empty();
    if has_login {
        let policy = ManagedPolicy {
            description: Some("studioform: open only your own Studio".into()),
            policy_document: PolicyDocument::new(login),
            ..ManagedPolicy::default()
        };
        t.add("DataScientistPolicy", Resource::new(&policy, origin.clone()));
    }

    let name = format!("{}-catalog", org.name);
    t.output("PortfolioId", "Service Catalog portfolio id", portfolio(), Some(Layout::export(&name, "PortfolioId")));
    t.output(
        "LaunchRoleArn",
        "Role Service Catalog launches the products with",
        Value::get_att("LaunchRole", "Arn"),
        None,
    );
    t.output(
        "EndUserPolicyArn",
        "What launch principals need to browse, launch, update and terminate the products",
        Value::reference("EndUserPolicy"),
        Some(Layout::export(&name, "EndUserPolicyArn")),
    );
    if has_login {
        t.output(
            "DataScientistPolicyArn",
            "Attach to people: it grants only opening their own Studio",
            Value::reference("DataScientistPolicy"),
            Some(Layout::export(&name, "DataScientistPolicyArn")),
        );
    }
    Stack::new(name, StackKind::Portfolio, t)
}

/// The launch role, `LaunchRole`, named `name` in every account (a shared portfolio's launch
/// constraints find it by name), with its policies.
fn add_launch_role(t: &mut Template, name: &str, statements: &[Statement], origin: &crate::path::Path) {
    let mut policy_refs = Vec::new();
    for (i, policy) in launch::policies(name, statements.to_vec()).iter().enumerate() {
        let id = if i == 0 { "LaunchRolePolicy".to_owned() } else { format!("LaunchRolePolicy{}", i + 1) };
        t.add(&id, Resource::new(policy, origin.clone()));
        policy_refs.push(Value::reference(&id));
    }
    let role = Role {
        role_name: Some(Value::from(name)),
        description: Some("studioform: Service Catalog launches the Studio products with this role".into()),
        assume_role_policy_document: PolicyDocument::new(vec![Statement::trust(
            Principal::Service(vec!["servicecatalog.amazonaws.com".into()]),
            ["sts:AssumeRole"],
        )]),
        managed_policy_arns: policy_refs,
        policies: Vec::new(),
        tags: Vec::new(),
    };
    t.add("LaunchRole", Resource::new(&role, origin.clone()));
}

/// `EndUserPolicy`: what a launch principal needs in Service Catalog to browse and launch the
/// products and to update and terminate what it launched, attached to the launch principals
/// when `attach` (they are principals of this account), modelled on the AWS managed policy
/// AWSServiceCatalogEndUserFullAccess.
/// <https://docs.aws.amazon.com/servicecatalog/latest/adminguide/controlling_access.html>
fn add_end_user_policy(t: &mut Template, cat: &Catalog, attach: bool, origin: &crate::path::Path) {
    let statements = vec![
        Statement::allow(
            [
                "cloudformation:GetTemplateSummary",
                "servicecatalog:DescribeProduct",
                "servicecatalog:DescribeProductView",
                "servicecatalog:DescribeProvisioningParameters",
                "servicecatalog:ListLaunchPaths",
                "servicecatalog:ProvisionProduct",
                "servicecatalog:SearchProducts",
            ],
            crate::model::iam::any(),
        )
        .sid("BrowseAndLaunch"),
        Statement::allow(
            [
                "servicecatalog:DescribeProvisionedProduct",
                "servicecatalog:DescribeRecord",
                "servicecatalog:ListRecordHistory",
                "servicecatalog:ScanProvisionedProducts",
                "servicecatalog:SearchProvisionedProducts",
                "servicecatalog:TerminateProvisionedProduct",
                "servicecatalog:UpdateProvisionedProduct",
            ],
            crate::model::iam::any(),
        )
        .sid("ManageOwnProvisionedProducts")
        .when("StringEquals", "servicecatalog:userLevel", "self"),
        Statement::allow(
            ["cloudformation:DescribeStackEvents", "cloudformation:DescribeStacks"],
            vec![Value::sub("arn:${AWS::Partition}:cloudformation:*:${AWS::AccountId}:stack/SC-*")],
        )
        .sid("ReadProvisionedProductStacks"),
    ];
    let names = |kind| if attach { access::principal_names(&cat.launch_principals, kind) } else { Vec::new() };
    let policy = ManagedPolicy {
        description: Some("studioform: browse and launch the Studio products, manage what you launched".into()),
        policy_document: PolicyDocument::new(statements),
        roles: names("role"),
        users: names("user"),
        groups: names("group"),
        ..ManagedPolicy::default()
    };
    t.add("EndUserPolicy", Resource::new(&policy, origin.clone()));
}

/// What an account the portfolio is shared with deploys (`catalog/recipient.yaml`): it
/// accepts the share, creates the launch role under the name the launch constraints give
/// (`LocalRoleName` resolves in the launching account), and lets its own principals of the
/// launch principals' names launch, since associations of principals are not shared
/// account to account.
/// <https://docs.aws.amazon.com/servicecatalog/latest/adminguide/catalogs_portfolios_sharing.html>
fn recipient(org: &Org, cat: &Catalog, launch_statements: &[Statement]) -> Stack {
    let origin = path!["catalog", "share_with_accounts"];
    let mut t = Template::new(format!(
        "studioform: accepts the shared Service Catalog portfolio of {}; deploy in each account it is shared with",
        org.name
    ));
    t.parameters.insert(
        "PortfolioId".into(),
        Parameter {
            allowed_pattern: Some("^port-[a-z0-9]{1,100}$".into()),
            constraint_description: Some("a portfolio id, such as port-abcdefghijklm".into()),
            ..parameter("String", &format!("The shared portfolio: output PortfolioId of stack {}-catalog", org.name))
        },
    );
    t.add(
        "AcceptedShare",
        Resource::new(&AcceptedPortfolioShare { portfolio_id: Value::reference("PortfolioId") }, origin.clone()),
    );
    add_launch_role(&mut t, &format!("{}-catalog-launch", org.name), launch_statements, &origin);
    for (i, arn) in cat.launch_principals.iter().enumerate() {
        let Some(resource) = arn.splitn(6, ':').nth(5) else { continue };
        let name = resource.rsplit('/').next().unwrap_or(resource);
        let association = PortfolioPrincipalAssociation {
            portfolio_id: Value::reference("PortfolioId"),
            principal_arn: Value::sub(format!("arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:{resource}")),
            principal_type: "IAM",
        };
        let mut association = Resource::new(&association, path!["catalog", "launch_principals", i]);
        association.depends_on.insert("AcceptedShare".into());
        let mut id = format!("LaunchPrincipal{}", pascal(name));
        if t.resources.contains_key(&id) {
            id = format!("{id}{}", i + 1);
        }
        t.add(id, association);
    }
    add_end_user_policy(&mut t, cat, true, &origin);
    t.output(
        "LaunchRoleArn",
        "Role Service Catalog launches the shared products with in this account",
        Value::get_att("LaunchRole", "Arn"),
        None,
    );
    Stack::new(format!("{}-catalog-recipient", org.name), StackKind::Recipient, t)
}

/// The `TemplateBucket` and `TemplatePrefix` parameters: where `publish` put the templates.
fn published_templates(t: &mut Template, bucket: &str) {
    t.parameters.insert(
        "TemplateBucket".into(),
        Parameter { allowed_pattern: Some("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$".into()), ..parameter("String", bucket) },
    );
    t.parameters.insert(
        "TemplatePrefix".into(),
        Parameter {
            default: Some(Value::from("")),
            allowed_pattern: Some("^([A-Za-z0-9!_.*'()-]+/)*$".into()),
            constraint_description: Some("empty, or key prefix segments each ending in /".into()),
            ..parameter("String", "Key prefix given to studioform publish (ending in /)")
        },
    );
}

/// The StackSet that deploys the portfolio to every account of the organizational units, from
/// the management account (or a delegated administrator) with service-managed permissions.
fn stack_set(org: &Org, cat: &Catalog, portfolio_key: &str) -> Stack {
    let origin = path!["catalog", "organizational_units"];
    let mut t = Template::new(format!(
        "studioform: rolls the Service Catalog portfolio of {} out to organizational units",
        org.name
    ));
    interface(
        &mut t,
        &[("Published templates", &["TemplateBucket", "TemplatePrefix"]), ("Organizations", &["CallAs"])],
        &[
            ("TemplateBucket", "Bucket `studioform publish` uploaded to (readable by the organization)"),
            ("TemplatePrefix", "Its --prefix"),
            ("CallAs", "SELF in the management account, DELEGATED_ADMIN in a delegated administrator"),
        ],
    );
    published_templates(&mut t, "S3 bucket the portfolio and product templates were published to");
    t.parameters.insert(
        "CallAs".into(),
        Parameter {
            default: Some(Value::from("SELF")),
            allowed_values: vec!["SELF".into(), "DELEGATED_ADMIN".into()],
            ..parameter("String", "Whether this account is the management account or a delegated administrator")
        },
    );
    let pass = |name: &str| serde_json::json!({"ParameterKey": name, "ParameterValue": {"Ref": name}});
    let set = StackSet {
        stack_set_name: format!("{}-catalog", org.name),
        description: format!("studioform: the Service Catalog portfolio of {}", org.name),
        permission_model: "SERVICE_MANAGED",
        // Accounts that join a unit get the portfolio; one that leaves keeps it, since people
        // may still hold products launched from it.
        auto_deployment: serde_json::json!({"Enabled": true, "RetainStacksOnAccountRemoval": true}),
        capabilities: vec!["CAPABILITY_NAMED_IAM"],
        call_as: Value::reference("CallAs"),
        managed_execution: serde_json::json!({"Active": true}),
        operation_preferences: serde_json::json!({
            "FailureTolerancePercentage": 0,
            "MaxConcurrentPercentage": 25,
            "RegionConcurrencyType": "PARALLEL"
        }),
        parameters: vec![pass("TemplateBucket"), pass("TemplatePrefix")],
        // One region: the portfolio creates the named launch role, which is global to an account.
        stack_instances_group: vec![serde_json::json!({
            "DeploymentTargets": {"OrganizationalUnitIds": cat.organizational_units},
            "Regions": [{"Ref": "AWS::Region"}]
        })],
        template_url: Value::sub(format!(
            "https://${{TemplateBucket}}.s3.${{AWS::Region}}.${{AWS::URLSuffix}}/${{TemplatePrefix}}{portfolio_key}"
        )),
    };
    t.add("CatalogStackSet", Resource::new(&set, origin));
    let name = format!("{}-catalog-stackset", org.name);
    t.output("StackSetId", "The StackSet deploying the portfolio", Value::reference("CatalogStackSet"), None);
    Stack::new(name, StackKind::StackSet, t)
}

fn product_title(name: &str) -> String {
    match name {
        "domain" => "Studio domain".into(),
        "team" => "Studio team role".into(),
        "user-profile" => "Studio user profile".into(),
        other => match crate::ids::team_product_part(other) {
            Some(n) => format!("Studio team role (part {n})"),
            None => other.replace('-', " "),
        },
    }
}

fn product_description(name: &str) -> String {
    match name {
        "domain" => "A SageMaker Studio domain in the org's VPC, retained on deletion".into(),
        "team" => "A team's execution role: its buckets, its instance types, its team tag".into(),
        "user-profile" => "A person's Studio user profile, tagged with their id, using their team's role".into(),
        other => match crate::ids::team_product_part(other) {
            Some(_) => "A team's execution role, for the teams its TeamName parameter lists".into(),
            None => format!("Custom product {other}"),
        },
    }
}
