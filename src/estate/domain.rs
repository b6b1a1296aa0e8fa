//! A Studio domain (retained: it holds everyone's home directories), a default execution role
//! that grants nothing, and a security group when none is given. The same resources serve
//! the concrete domain stack and the launchable domain product: see [`DomainSource`].

use super::Stack;
use super::grants::Switch;
use super::layout::{Layout, StackKind};
use super::team::Shared;
use crate::config::{Domain, Mode, Org};
use crate::model::iam::{PolicyDocument, Principal, Statement};
use crate::model::resources::{
    self, DomainSettings, ManagedPolicy, Role, SecurityGroup, SecurityGroupIngress, Tag, UserSettings,
};
use crate::model::{Resource, Setting, Template, Value};
use crate::path;
use crate::path::Path;

/// The security groups of a domain's apps.
pub(super) enum Groups {
    /// Groups the org names.
    Given(Value),
    /// A group the stack creates.
    Create,
    /// A group the stack creates when the named condition holds, else the given groups.
    CreateWhen(String, Value),
}

/// Everything a domain is built from.
pub(super) struct DomainSource {
    /// Domain name.
    pub name: Value,
    /// `IAM` or `SSO`.
    pub auth_mode: &'static str,
    /// Used in descriptions.
    pub label: String,
    /// VPC.
    pub vpc_id: Value,
    /// Subnets (a list).
    pub subnet_ids: Value,
    /// App security groups.
    pub groups: Groups,
    /// `VpcOnly` or `PublicInternetOnly`.
    pub access: Value,
    /// KMS key for the home file system.
    pub kms_key: Option<Value>,
    /// Whether the profile name is propagated as source identity.
    pub source_identity: Switch,
    /// In a domain of one team signing in through Identity Center, the default role is that
    /// team's: its name and team. People of the team's groups who have no profile in the org
    /// file get one on first sign-in, running as this role.
    pub team_default: Option<(String, String)>,
}

/// The domain's stack.
pub(super) fn stack(org: &Org, index: usize, domain: &Domain) -> Stack {
    let layout = Layout::new(org);
    let net = &org.network;
    let source = DomainSource {
        name: Value::from(&domain.name),
        auth_mode: auth_mode(org),
        label: domain.name.clone(),
        vpc_id: Value::from(&net.vpc_id),
        subnet_ids: Value::strs(&net.subnet_ids),
        groups: if net.security_group_ids.is_empty() {
            Groups::Create
        } else {
            Groups::Given(Value::strs(&net.security_group_ids))
        },
        access: Value::from(if net.internet { "PublicInternetOnly" } else { "VpcOnly" }),
        kms_key: org.encryption.as_ref().and_then(|e| e.kms_key_arn.as_ref()).map(Value::from),
        source_identity: if domain.source_identity { Switch::On } else { Switch::Off },
        team_default: sso_default_role(org, &domain.name),
    };
    let mut t = Template::new(format!("studioform: SageMaker Studio domain {} of {}", domain.name, org.name));
    add_domain(&mut t, &source, &path!["domains", index], &format!("{}-studio-{}", org.name, domain.name));
    let name = layout.domain_stack(&domain.name);
    t.output("DomainId", "Studio domain id", Value::reference("Domain"), Some(Layout::export(&name, "DomainId")));
    t.output(
        "DomainArn",
        "Studio domain ARN",
        Value::get_att("Domain", "DomainArn"),
        Some(Layout::export(&name, "DomainArn")),
    );
    t.output(
        "DomainUrl",
        "Studio sign-in URL (through the presigned-URL login)",
        Value::get_att("Domain", "Url"),
        None,
    );
    // What every team role of the domain attaches rather than holds: see
    // [`super::team::Shared`]. A domain whose default role is its one team's holds them too,
    // unused (that team's role holds every statement): so that the domain's teams can go
    // from two to one and back while a team stack not yet updated still imports them.
    for shared in Shared::ALL {
        // ManagedPolicyName and Description are create-only: both stay fixed text.
        let policy = ManagedPolicy {
            managed_policy_name: Some(Value::from(format!("{name}-{}", shared.suffix()))),
            description: Some(format!("studioform: {}", shared.purpose())),
            policy_document: PolicyDocument::new(shared.statements(&Value::reference("Domain"))),
            ..ManagedPolicy::default()
        };
        t.add(shared.id(), Resource::new(&policy, path!["domains", index]));
        t.output(
            &format!("{}Arn", shared.id()),
            "A policy the domain's team roles attach",
            Value::reference(shared.id()),
            Some(Layout::export(&name, &format!("{}Arn", shared.id()))),
        );
    }
    if org.identity.mode == Mode::Sso {
        t.output(
            "SingleSignOnApplicationArn",
            "The domain's Identity Center application: teams' groups are assigned to it",
            Value::get_att("Domain", "SingleSignOnApplicationArn"),
            Some(Layout::export(&name, "SingleSignOnApplicationArn")),
        );
    }
    Stack::new(name, StackKind::Domain, t)
}

/// In `sso` mode, for a domain of exactly one team: the name of the domain's default role,
/// which gets that team's policies, and the team.
pub(super) fn sso_default_role(org: &Org, domain: &str) -> Option<(String, String)> {
    if org.identity.mode != Mode::Sso {
        return None;
    }
    let mut teams = org.teams.iter().filter(|t| t.domain == domain);
    let (Some(team), None) = (teams.next(), teams.next()) else { return None };
    Some((format!("{}-sso-{}", org.name, team.name), team.name.clone()))
}

/// The domain auth mode of the org's identity mode.
pub(super) fn auth_mode(org: &Org) -> &'static str {
    if org.identity.mode == Mode::Sso { "SSO" } else { "IAM" }
}

/// Adds `DefaultExecutionRole`, the security group when needed, and `Domain` to `t`.
pub(super) fn add_domain(t: &mut Template, source: &DomainSource, origin: &Path, group_name: &str) {
    // Every profile names its team's role; this default only applies to profiles that name
    // none, so it grants nothing.
    // With source identity on, SageMaker sets it on every role it assumes for the domain,
    // and the role's trust must allow that.
    // <https://docs.aws.amazon.com/sagemaker/latest/dg/monitor-user-access-how-to.html>
    let sagemaker = || Principal::Service(vec!["sagemaker.amazonaws.com".into()]);
    let mut trust = vec![Statement::trust(sagemaker(), ["sts:AssumeRole"])];
    if let Some(when) = source.source_identity.condition() {
        trust.push(Statement::trust(sagemaker(), ["sts:SetSourceIdentity"]).only_if(when));
    }
    let role = match &source.team_default {
        // The team stack attaches the team's policies to it, by name.
        Some((name, team)) => Role {
            role_name: Some(Value::from(name)),
            description: Some(format!(
                "studioform: default execution role of Studio domain {}: team {team}'s, for people who sign in without a profile of their own",
                source.label
            )),
            assume_role_policy_document: PolicyDocument::new(trust),
            tags: vec![Tag::new(crate::ids::TEAM_TAG, team.as_str())],
            ..Role::default()
        },
        None => Role {
            description: Some(format!(
                "studioform: default execution role of Studio domain {} and of its shared spaces; grants nothing",
                source.label
            )),
            assume_role_policy_document: PolicyDocument::new(trust),
            ..Role::default()
        },
    };
    t.add("DefaultExecutionRole", Resource::new(&role, origin.clone()));

    let created = Value::List(vec![Value::get_att("AppSecurityGroup", "GroupId")]);
    let (create, security_groups) = match &source.groups {
        Groups::Given(groups) => (Switch::Off, groups.clone()),
        Groups::Create => (Switch::On, created),
        Groups::CreateWhen(c, given) => (Switch::When(c.clone()), Value::if_(c.clone(), created, given.clone())),
    };
    if let Some(when) = create.condition() {
        let sg = SecurityGroup {
            group_description: format!("studioform: apps of Studio domain {}", source.label),
            vpc_id: source.vpc_id.clone(),
            tags: vec![Tag::new("Name", group_name)],
        };
        let mut sg = Resource::new(&sg, path!["network"]);
        sg.condition = when.map(str::to_owned);
        t.add("AppSecurityGroup", sg);
        // Studio apps talk to each other and to the home file system (NFS) inside the group.
        // <https://docs.aws.amazon.com/sagemaker/latest/dg/studio-notebooks-and-internet-access.html>
        let ingress = SecurityGroupIngress {
            group_id: Value::get_att("AppSecurityGroup", "GroupId"),
            ip_protocol: "-1",
            from_port: None,
            to_port: None,
            source_security_group_id: Value::get_att("AppSecurityGroup", "GroupId"),
            description: "Studio apps in this group reach each other".into(),
        };
        let mut ingress = Resource::new(&ingress, path!["network"]);
        ingress.condition = when.map(str::to_owned);
        t.add("AppSecurityGroupSelfIngress", ingress);
    }

    let props = resources::Domain {
        domain_name: source.name.clone(),
        auth_mode: Value::from(source.auth_mode),
        default_user_settings: UserSettings {
            execution_role: Value::get_att("DefaultExecutionRole", "Arn"),
            security_groups: Some(security_groups.clone()),
        },
        // Shared spaces run as this role, shared by every profile of the domain whatever its
        // team: it grants nothing, so a shared space reaches no team's data.
        default_space_settings: Some(UserSettings {
            execution_role: Value::get_att("DefaultExecutionRole", "Arn"),
            security_groups: Some(security_groups),
        }),
        vpc_id: source.vpc_id.clone(),
        subnet_ids: source.subnet_ids.clone(),
        app_network_access_type: source.access.clone(),
        kms_key_id: source.kms_key.clone(),
        domain_settings: match source.source_identity.condition() {
            None => None,
            Some(None) => Some(DomainSettings::source_identity()),
            Some(Some(c)) => Some(Value::if_(c, DomainSettings::source_identity(), Value::no_value())),
        },
        tags: Vec::new(),
    };
    const SETTINGS: &[(&str, Setting)] = &[
        ("VpcId", Setting::Org(&["network", "vpc_id"])),
        ("KmsKeyId", Setting::Org(&["encryption", "kms_key_arn"])),
        ("AuthMode", Setting::Org(&["identity", "mode"])),
    ];
    t.add("Domain", Resource::new(&props, origin.clone()).retained().settings(SETTINGS));
}
