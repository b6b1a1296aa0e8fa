//! A team's execution role, tagged `team=<name>`, and the managed policies that isolate it.
//! Teammates share the role; when the domain propagates sourceIdentity, an owner tag bound to
//! `${aws:SourceIdentity}` (the profile name) separates one person's work from another's.
//!
//! The same statements serve the concrete team stack (literal values) and the launchable
//! team product (values from parameters and mappings): see [`TeamSource`].

use indexmap::IndexMap;

use super::Stack;
use super::layout::{Layout, StackKind, domain_scoped_arn, sagemaker_arn};
use crate::config::{Org, Team};
use crate::ids::{OWNER_TAG, TEAM_TAG};
use crate::model::iam::{Conditions, PolicyDocument, Principal, Statement, any};
use crate::model::resources::{ManagedPolicy, Role, Tag};
use crate::model::{Resource, Template, Value};
use crate::path;
use crate::path::Path;

/// The policy variable of the person behind a Studio session.
pub const SOURCE_IDENTITY: &str = "${aws:SourceIdentity}";

/// Read, list and search across SageMaker: the read-only part of every team role.
pub const READ_ONLY: &[&str] = &[
    "sagemaker:BatchDescribe*",
    "sagemaker:BatchGet*",
    "sagemaker:Describe*",
    "sagemaker:Get*",
    "sagemaker:List*",
    "sagemaker:QueryLineage",
    "sagemaker:Search",
];

/// Creating these resources requires the team tag (and, with sourceIdentity, the owner tag).
pub const CREATE: &[&str] = &[
    "sagemaker:CreateAction",
    "sagemaker:CreateArtifact",
    "sagemaker:CreateAutoMLJob",
    "sagemaker:CreateAutoMLJobV2",
    "sagemaker:CreateCompilationJob",
    "sagemaker:CreateContext",
    "sagemaker:CreateEndpoint",
    "sagemaker:CreateEndpointConfig",
    "sagemaker:CreateExperiment",
    "sagemaker:CreateFeatureGroup",
    "sagemaker:CreateHyperParameterTuningJob",
    "sagemaker:CreateInferenceRecommendationsJob",
    "sagemaker:CreateModel",
    "sagemaker:CreateModelPackage",
    "sagemaker:CreateModelPackageGroup",
    "sagemaker:CreatePipeline",
    "sagemaker:CreateProcessingJob",
    "sagemaker:CreateTrainingJob",
    "sagemaker:CreateTransformJob",
    "sagemaker:CreateTrial",
    "sagemaker:CreateTrialComponent",
];

/// Changing these requires the resource to carry the team tag (and the caller's owner tag).
pub const CHANGE: &[&str] = &[
    "sagemaker:Delete*",
    "sagemaker:RetryPipelineExecution",
    "sagemaker:StartPipelineExecution",
    "sagemaker:Stop*",
    "sagemaker:Update*",
];

/// Studio administration that no execution role may perform.
pub const STUDIO_ADMIN: &[&str] = &[
    "sagemaker:CreateDomain",
    "sagemaker:CreateUserProfile",
    "sagemaker:DeleteDomain",
    "sagemaker:DeleteUserProfile",
    "sagemaker:UpdateDomain",
    "sagemaker:UpdateUserProfile",
];

/// Create calls that launch compute, checked with `sagemaker:InstanceTypes`.
pub const LAUNCH: &[&str] = &[
    "sagemaker:CreateEndpointConfig",
    "sagemaker:CreateHyperParameterTuningJob",
    "sagemaker:CreateProcessingJob",
    "sagemaker:CreateTrainingJob",
    "sagemaker:CreateTransformJob",
];

/// Whether a part of a role exists: always, never, or when a template condition holds.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Switch {
    /// Always.
    On,
    /// Never.
    Off,
    /// When the named template condition holds.
    When(String),
}

impl Switch {
    fn from_bool(on: bool) -> Self {
        if on { Self::On } else { Self::Off }
    }

    /// `None` when never; `Some(condition)` (`None` inside for always) otherwise.
    pub(super) fn condition(&self) -> Option<Option<&str>> {
        match self {
            Self::On => Some(None),
            Self::Off => None,
            Self::When(c) => Some(Some(c)),
        }
    }

    /// The opposite switch, given the name of the negated condition.
    fn negated(&self, not: &str) -> Self {
        match self {
            Self::On => Self::Off,
            Self::Off => Self::On,
            Self::When(_) => Self::When(not.to_owned()),
        }
    }
}

/// Everything a team role is built from.
pub(super) struct TeamSource {
    /// The team tag value.
    pub name: Value,
    /// The role name; may hold `${Param}` variables (then names are `!Sub`).
    pub role_name: String,
    /// The id of the team's domain.
    pub domain_id: Value,
    /// Whether the domain propagates sourceIdentity.
    pub source_identity: Switch,
    /// The negation of the source-identity condition, when it is a condition.
    pub not_source_identity: String,
    /// Bucket ARNs, object ARNs (lists), and whether the team has buckets.
    pub buckets: (Value, Value, Switch),
    /// Instance types for jobs and for apps (lists), and whether the team restricts them.
    pub instance_types: (Value, Value, Switch),
    /// The org's KMS key.
    pub kms_key: Option<String>,
}

/// A name that may hold `${Param}` variables.
pub(super) fn named(template: &str) -> Value {
    if template.contains("${") { Value::sub(template) } else { Value::from(template) }
}

/// The team's stack.
pub(super) fn stack(org: &Org, index: usize, team: &Team) -> Stack {
    let layout = Layout::new(org);
    let source_identity = org.domain(&team.domain).is_some_and(|d| d.source_identity);
    let arns = |suffix: &str| -> Value {
        Value::List(
            team.buckets.iter().map(|b| Value::sub(format!("arn:${{AWS::Partition}}:s3:::{b}{suffix}"))).collect(),
        )
    };
    let mut app_types = team.instance_types.clone();
    // JupyterServer and other system apps report the instance type `system`.
    app_types.push("system".into());
    let source = TeamSource {
        name: Value::from(&team.name),
        role_name: layout.team_role_name(&team.name),
        domain_id: layout.domain_id(&team.domain),
        source_identity: Switch::from_bool(source_identity),
        not_source_identity: String::new(),
        buckets: (arns(""), arns("/*"), Switch::from_bool(!team.buckets.is_empty())),
        instance_types: (
            Value::strs(&team.instance_types),
            Value::strs(&app_types),
            Switch::from_bool(!team.instance_types.is_empty()),
        ),
        kms_key: org.encryption.as_ref().and_then(|e| e.kms_key_arn.clone()),
    };
    let mut t = Template::new(format!(
        "studioform: execution role of team {} in domain {} of {}; isolated by the tag {TEAM_TAG}={}",
        team.name, team.domain, org.name, team.name
    ));
    add_role(&mut t, &source, &path!["teams", index]);
    let name = layout.team_stack(&team.name);
    t.output(
        "ExecutionRoleArn",
        "ARN of the team's execution role",
        Value::get_att("ExecutionRole", "Arn"),
        Some(Layout::export(&name, "ExecutionRoleArn")),
    );
    t.output("ExecutionRoleName", "Name of the team's execution role", Value::reference("ExecutionRole"), None);
    Stack::new(name, StackKind::Team, t)
}

/// Adds the execution role `ExecutionRole` and its managed policies to `t`.
pub(super) fn add_role(t: &mut Template, source: &TeamSource, origin: &Path) {
    let policies = [
        ("StudioPolicy", "studio", "Studio apps, read-only SageMaker, logs and images", studio_statements(source)),
        ("TeamResourcesPolicy", "resources", "SageMaker resources of this team only", resource_statements(source)),
        ("DataPolicy", "data", "the team's S3 buckets and KMS key", data_statements(source)),
    ];
    let mut arns = Vec::new();
    for (id, suffix, what, statements) in policies {
        if statements.is_empty() {
            continue;
        }
        // ManagedPolicyName and Description are create-only, and CloudFormation cannot
        // replace a named resource in place: both stay fixed text derived from names.
        let policy = ManagedPolicy {
            managed_policy_name: Some(named(&format!("{}-{suffix}", source.role_name))),
            description: Some(format!("studioform: {what}")),
            policy_document: PolicyDocument::new(statements),
            ..ManagedPolicy::default()
        };
        t.add(id, Resource::new(&policy, origin.clone()));
        arns.push(Value::reference(id));
    }
    let sagemaker = || Principal::Service(vec!["sagemaker.amazonaws.com".into()]);
    let mut trust = vec![Statement::trust(sagemaker(), ["sts:AssumeRole"])];
    // Studio sets the profile name as source identity only if the trust allows it.
    // <https://docs.aws.amazon.com/sagemaker/latest/dg/monitor-user-access.html>
    if let Some(when) = source.source_identity.condition() {
        trust.push(Statement::trust(sagemaker(), ["sts:SetSourceIdentity"]).only_if(when));
    }
    let role = Role {
        role_name: Some(named(&source.role_name)),
        description: Some("studioform: SageMaker execution role of a team".into()),
        assume_role_policy_document: PolicyDocument::new(trust),
        managed_policy_arns: arns,
        tags: vec![Tag::new(TEAM_TAG, source.name.clone())],
    };
    t.add("ExecutionRole", Resource::new(&role, origin.clone()));
}

/// `StringEquals` on the team tag and, with `owner`, the owner tag, under `prefix`
/// (`aws:RequestTag` for creation, `sagemaker:ResourceTag` for changes).
fn tag_conditions(prefix: &str, source: &TeamSource, owner: bool) -> Conditions {
    let mut keys = IndexMap::new();
    keys.insert(format!("{prefix}/{TEAM_TAG}"), source.name.clone());
    if owner {
        keys.insert(format!("{prefix}/{OWNER_TAG}"), Value::from(SOURCE_IDENTITY));
    }
    Conditions::from([("StringEquals".to_owned(), keys)])
}

fn studio_statements(source: &TeamSource) -> Vec<Statement> {
    let apps = domain_scoped_arn("app/${DomainId}/*", source.domain_id.clone());
    let spaces = domain_scoped_arn("space/${DomainId}/*", source.domain_id.clone());
    let studio = [
        "sagemaker:CreateApp",
        "sagemaker:CreateSpace",
        "sagemaker:DeleteApp",
        "sagemaker:DeleteSpace",
        "sagemaker:UpdateSpace",
    ];
    let mut out = vec![Statement::allow(READ_ONLY, any()).sid("ReadSageMaker")];
    if let Some(when) = source.source_identity.condition() {
        // Spaces and their apps belong to the profile that owns them; a person may manage
        // their own and unowned shared spaces, never a teammate's.
        // <https://docs.aws.amazon.com/sagemaker/latest/dg/studio-updated-jl-user-guide-private-space.html>
        // Inside `Fn::Sub`, `${!x}` is the literal `${x}`: the policy variable, not a stack value.
        let own_profile =
            domain_scoped_arn("user-profile/${DomainId}/${!aws:SourceIdentity}", source.domain_id.clone());
        out.push(
            Statement::allow(
                ["sagemaker:CreateSpace", "sagemaker:DeleteSpace", "sagemaker:UpdateSpace"],
                vec![spaces.clone()],
            )
            .sid("OwnSpaces")
            .when("ArnLike", "sagemaker:OwnerUserProfileArn", own_profile.clone())
            .only_if(when),
        );
        out.push(
            Statement::allow(["sagemaker:CreateApp", "sagemaker:DeleteApp"], vec![apps.clone()])
                .sid("OwnSpaceApps")
                .when("ArnLike", "sagemaker:OwnerUserProfileArn", own_profile)
                .only_if(when),
        );
        out.push(
            Statement::allow(studio, vec![apps.clone(), spaces.clone()])
                .sid("UnownedSpacesAndApps")
                .when("Null", "sagemaker:OwnerUserProfileArn", "true")
                .only_if(when),
        );
    }
    if let Some(when) = source.source_identity.negated(&source.not_source_identity).condition() {
        out.push(Statement::allow(studio, vec![apps, spaces]).sid("StudioApps").only_if(when));
    }
    // Studio tags what it creates, and SageMaker authorizes those tags as AddTags.
    // <https://docs.aws.amazon.com/sagemaker/latest/dg/security_iam_id-based-policy-examples.html#grant-tagging-permissions>
    out.push(Statement::allow(["sagemaker:AddTags"], vec![sagemaker_arn("*/*")]).sid("TagOnCreate").when(
        "Null",
        "sagemaker:TaggingAction",
        "false",
    ));
    if let Some(when) = source.instance_types.2.condition() {
        out.push(
            Statement::deny(["sagemaker:CreateApp"], any())
                .sid("DenyOtherAppInstanceTypes")
                .when("ForAnyValue:StringNotLike", "sagemaker:InstanceTypes", source.instance_types.1.clone())
                .only_if(when),
        );
    }
    out.push(
        Statement::allow(["iam:PassRole"], vec![super::layout::role_arn(&source.role_name)])
            .sid("PassOwnRoleToSageMaker")
            .when("StringEquals", "iam:PassedToService", "sagemaker.amazonaws.com"),
    );
    out.push(
        Statement::allow(
            ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            vec![Value::sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/sagemaker/*")],
        )
        .sid("WriteSageMakerLogs"),
    );
    out.push(Statement::allow(["cloudwatch:PutMetricData"], any()).sid("PutSageMakerMetrics").when(
        "StringLike",
        "cloudwatch:namespace",
        Value::strs(["*SageMaker*", "*Sagemaker*", "*sagemaker*"]),
    ));
    out.push(Statement::allow(["ecr:GetAuthorizationToken"], any()).sid("EcrLogin"));
    out.push(
        Statement::allow(
            ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            vec![Value::sub("arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/*")],
        )
        .sid("PullImages"),
    );
    out.push(
        Statement::allow(
            [
                "ec2:CreateNetworkInterface",
                "ec2:CreateNetworkInterfacePermission",
                "ec2:DeleteNetworkInterface",
                "ec2:DeleteNetworkInterfacePermission",
                "ec2:DescribeDhcpOptions",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeVpcs",
            ],
            any(),
        )
        .sid("RunInVpc"),
    );
    out
}

fn resource_statements(source: &TeamSource) -> Vec<Statement> {
    let mut out = Vec::new();
    for (switch, owner, create_sid, change_sid) in [
        (source.source_identity.clone(), true, "CreateOwnedForTeam", "ChangeOwnWork"),
        (source.source_identity.negated(&source.not_source_identity), false, "CreateTaggedForTeam", "ChangeTeamWork"),
    ] {
        let Some(when) = switch.condition() else { continue };
        let mut create = Statement::allow(CREATE, any()).sid(create_sid).only_if(when);
        create.condition = tag_conditions("aws:RequestTag", source, owner);
        let mut change = Statement::allow(CHANGE, any()).sid(change_sid).only_if(when);
        change.condition = tag_conditions("sagemaker:ResourceTag", source, owner);
        out.push(create);
        out.push(change);
    }
    out.push(
        Statement::deny(["sagemaker:AddTags", "sagemaker:DeleteTags"], any())
            .sid("DenyRetaggingIsolationTags")
            .when("ForAnyValue:StringEquals", "aws:TagKeys", Value::strs([TEAM_TAG, OWNER_TAG]))
            .when("Null", "sagemaker:TaggingAction", "true"),
    );
    out.push(Statement::deny(STUDIO_ADMIN, any()).sid("DenyStudioAdministration"));
    if let Some(when) = source.instance_types.2.condition() {
        out.push(
            Statement::deny(LAUNCH, any())
                .sid("DenyOtherInstanceTypes")
                .when("ForAnyValue:StringNotLike", "sagemaker:InstanceTypes", source.instance_types.0.clone())
                .only_if(when),
        );
    }
    out
}

fn data_statements(source: &TeamSource) -> Vec<Statement> {
    let mut out = Vec::new();
    let (buckets, objects, switch) = &source.buckets;
    if let Some(when) = switch.condition() {
        let on = |s: Statement, v: &Value| match v {
            Value::List(items) => Statement { resources: crate::model::iam::Resources::Resource(items.clone()), ..s },
            other => s.on_computed(other.clone()),
        };
        out.push(
            on(Statement::allow(["s3:GetBucketLocation", "s3:ListBucket"], Vec::new()), buckets)
                .sid("ListTeamBuckets")
                .only_if(when),
        );
        out.push(
            on(
                Statement::allow(
                    ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
                    Vec::new(),
                ),
                objects,
            )
            .sid("ReadWriteTeamObjects")
            .only_if(when),
        );
    }
    if let Some(key) = &source.kms_key {
        out.push(
            Statement::allow(["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"], vec![Value::from(key)])
                .sid("UseOrgKey"),
        );
    }
    out
}
