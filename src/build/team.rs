//! A team's stack: its execution role, tagged `team=<name>`, and the managed policies that
//! isolate it. Teammates share the role; when the domain propagates sourceIdentity, an owner
//! tag bound to `${aws:SourceIdentity}` (the profile name) separates one person's work from
//! another's.

use super::Stack;
use super::layout::{Layout, StackKind, domain_scoped_arn, role_arn, sagemaker_arn};
use crate::config::{Org, Team};
use crate::ids::{OWNER_TAG, TEAM_TAG};
use crate::model::iam::{Conditions, PolicyDocument, Principal, Statement, any};
use crate::model::resources::{ManagedPolicy, Role, Tag};
use crate::model::{Resource, Template, Value};
use crate::path;

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

/// The team's stack.
pub(super) fn stack(org: &Org, index: usize, team: &Team) -> Stack {
    let layout = Layout::new(org);
    let origin = path!["teams", index];
    let source_identity = org.domain(&team.domain).is_some_and(|d| d.source_identity);
    let domain_id = layout.domain_id(&team.domain);
    let role_name = layout.team_role_name(&team.name);
    let mut t = Template::new(format!(
        "studioform: execution role of team {} in domain {} of {}; isolated by the tag {TEAM_TAG}={}",
        team.name, team.domain, org.name, team.name
    ));

    let policies = [
        (
            "StudioPolicy",
            "Studio apps, read-only SageMaker, logs and images",
            studio_statements(&role_name, domain_id, source_identity, team),
        ),
        ("TeamResourcesPolicy", "SageMaker resources of this team only", resource_statements(team, source_identity)),
        ("DataPolicy", "the team's S3 buckets and KMS key", data_statements(org, team)),
    ];
    let mut arns = Vec::new();
    for (id, what, statements) in policies {
        if statements.is_empty() {
            continue;
        }
        let policy = ManagedPolicy {
            description: Some(format!("studioform: {what} for team {}", team.name)),
            policy_document: PolicyDocument::new(statements),
            ..ManagedPolicy::default()
        };
        t.add(id, Resource::new(&policy, origin.clone()));
        arns.push(Value::reference(id));
    }

    // Studio sets the profile name as source identity only if the trust allows it.
    // <https://docs.aws.amazon.com/sagemaker/latest/dg/monitor-user-access.html>
    let assume: &[&str] =
        if source_identity { &["sts:AssumeRole", "sts:SetSourceIdentity"] } else { &["sts:AssumeRole"] };
    let trust = Statement::trust(Principal::Service(vec!["sagemaker.amazonaws.com".into()]), assume);
    let role = Role {
        role_name: Some(Value::from(&role_name)),
        description: Some(format!("studioform: SageMaker execution role of team {}", team.name)),
        assume_role_policy_document: PolicyDocument::new(vec![trust]),
        managed_policy_arns: arns,
        tags: vec![Tag::new(TEAM_TAG, &team.name)],
    };
    t.add("ExecutionRole", Resource::new(&role, origin.clone()));

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

/// `StringEquals` on the team tag and, with sourceIdentity, the owner tag, under `prefix`
/// (`aws:RequestTag` for creation, `sagemaker:ResourceTag` for changes).
fn tag_conditions(prefix: &str, team: &Team, source_identity: bool) -> Conditions {
    let mut keys = indexmap::IndexMap::new();
    keys.insert(format!("{prefix}/{TEAM_TAG}"), Value::from(&team.name));
    if source_identity {
        keys.insert(format!("{prefix}/{OWNER_TAG}"), Value::from(SOURCE_IDENTITY));
    }
    Conditions::from([("StringEquals".to_owned(), keys)])
}

fn studio_statements(role_name: &str, domain_id: Value, source_identity: bool, team: &Team) -> Vec<Statement> {
    let apps = domain_scoped_arn("app/${DomainId}/*", domain_id.clone());
    let spaces = domain_scoped_arn("space/${DomainId}/*", domain_id.clone());
    let mut out = vec![Statement::allow(READ_ONLY, any()).sid("ReadSageMaker")];
    if source_identity {
        // Spaces and their apps belong to the profile that owns them; a person may manage
        // their own and unowned shared spaces, never a teammate's.
        // <https://docs.aws.amazon.com/sagemaker/latest/dg/studio-updated-jl-user-guide-private-space.html>
        // Inside `Fn::Sub`, `${!x}` is the literal `${x}`: the policy variable, not a stack value.
        let own_profile = domain_scoped_arn("user-profile/${DomainId}/${!aws:SourceIdentity}", domain_id);
        out.push(
            Statement::allow(
                ["sagemaker:CreateSpace", "sagemaker:DeleteSpace", "sagemaker:UpdateSpace"],
                vec![spaces.clone()],
            )
            .sid("OwnSpaces")
            .when("ArnLike", "sagemaker:OwnerUserProfileArn", own_profile.clone()),
        );
        out.push(
            Statement::allow(["sagemaker:CreateApp", "sagemaker:DeleteApp"], vec![apps.clone()])
                .sid("OwnSpaceApps")
                .when("ArnLike", "sagemaker:OwnerUserProfileArn", own_profile),
        );
        out.push(
            Statement::allow(
                [
                    "sagemaker:CreateApp",
                    "sagemaker:CreateSpace",
                    "sagemaker:DeleteApp",
                    "sagemaker:DeleteSpace",
                    "sagemaker:UpdateSpace",
                ],
                vec![apps, spaces],
            )
            .sid("UnownedSpacesAndApps")
            .when("Null", "sagemaker:OwnerUserProfileArn", "true"),
        );
    } else {
        out.push(
            Statement::allow(
                [
                    "sagemaker:CreateApp",
                    "sagemaker:CreateSpace",
                    "sagemaker:DeleteApp",
                    "sagemaker:DeleteSpace",
                    "sagemaker:UpdateSpace",
                ],
                vec![apps, spaces],
            )
            .sid("StudioApps"),
        );
    }
    // Studio tags what it creates, and SageMaker authorizes those tags as AddTags.
    // <https://docs.aws.amazon.com/sagemaker/latest/dg/security_iam_id-based-policy-examples.html#grant-tagging-permissions>
    out.push(Statement::allow(["sagemaker:AddTags"], vec![sagemaker_arn("*/*")]).sid("TagOnCreate").when(
        "Null",
        "sagemaker:TaggingAction",
        "false",
    ));
    if !team.instance_types.is_empty() {
        let mut app_types: Vec<String> = team.instance_types.clone();
        // JupyterServer and other system apps report the instance type `system`.
        app_types.push("system".into());
        out.push(Statement::deny(["sagemaker:CreateApp"], any()).sid("DenyOtherAppInstanceTypes").when(
            "ForAnyValue:StringNotLike",
            "sagemaker:InstanceTypes",
            Value::strs(&app_types),
        ));
    }
    out.push(Statement::allow(["iam:PassRole"], vec![role_arn(role_name)]).sid("PassOwnRoleToSageMaker").when(
        "StringEquals",
        "iam:PassedToService",
        "sagemaker.amazonaws.com",
    ));
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

fn resource_statements(team: &Team, source_identity: bool) -> Vec<Statement> {
    let mut create = Statement::allow(CREATE, any()).sid("CreateTaggedForTeam");
    create.condition = tag_conditions("aws:RequestTag", team, source_identity);
    let mut change =
        Statement::allow(CHANGE, any()).sid(if source_identity { "ChangeOwnWork" } else { "ChangeTeamWork" });
    change.condition = tag_conditions("sagemaker:ResourceTag", team, source_identity);
    let mut out = vec![
        create,
        change,
        Statement::deny(["sagemaker:AddTags", "sagemaker:DeleteTags"], any())
            .sid("DenyRetaggingIsolationTags")
            .when("ForAnyValue:StringEquals", "aws:TagKeys", Value::strs([TEAM_TAG, OWNER_TAG]))
            .when("Null", "sagemaker:TaggingAction", "true"),
        Statement::deny(STUDIO_ADMIN, any()).sid("DenyStudioAdministration"),
    ];
    if !team.instance_types.is_empty() {
        out.push(Statement::deny(LAUNCH, any()).sid("DenyOtherInstanceTypes").when(
            "ForAnyValue:StringNotLike",
            "sagemaker:InstanceTypes",
            Value::strs(&team.instance_types),
        ));
    }
    out
}

fn data_statements(org: &Org, team: &Team) -> Vec<Statement> {
    let mut out = Vec::new();
    if !team.buckets.is_empty() {
        let arn = |suffix: &str| -> Vec<Value> {
            team.buckets.iter().map(|b| Value::sub(format!("arn:${{AWS::Partition}}:s3:::{b}{suffix}"))).collect()
        };
        out.push(Statement::allow(["s3:GetBucketLocation", "s3:ListBucket"], arn("")).sid("ListTeamBuckets"));
        out.push(
            Statement::allow(["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"], arn("/*"))
                .sid("ReadWriteTeamObjects"),
        );
    }
    if let Some(key) = org.encryption.as_ref().and_then(|e| e.kms_key_arn.as_ref()) {
        out.push(
            Statement::allow(["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"], vec![Value::from(key)])
                .sid("UseOrgKey"),
        );
    }
    out
}
