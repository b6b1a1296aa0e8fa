//! A team's execution role, tagged `team=<name>`, and the managed policies that isolate it.
//! Teammates share the role; when the domain propagates sourceIdentity, an owner tag bound to
//! `${aws:SourceIdentity}` (the profile name) separates one person's work from another's.
//!
//! The same statements serve the concrete team stack (literal values) and the launchable
//! team product (values from parameters and mappings): see [`TeamSource`].

use indexmap::IndexMap;

use super::Stack;
use super::grants::{Switch, Switches, activity_flag, team_flags};
use super::layout::{Layout, StackKind, domain_scoped_arn, sagemaker_arn};
use super::personas;
use crate::config::{Activity, Org, Team};
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

/// Everything a team role is built from.
pub(super) struct TeamSource {
    /// The team tag value.
    pub name: Value,
    /// The role name; may hold `${Param}` variables (then names are `!Sub`).
    pub role_name: String,
    /// The id of the team's domain.
    pub domain_id: Value,
    /// What the role grants: known flags, or conditions over the product's mapping.
    pub switches: Switches,
    /// Bucket ARNs and object ARNs (lists).
    pub buckets: (Value, Value),
    /// Instance types for jobs and for apps (lists).
    pub instance_types: (Value, Value),
    /// Subnets and security groups jobs must run in (persona roles; empty: unchecked).
    pub vpc: (Vec<String>, Vec<String>),
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
        switches: Switches::Fixed(team_flags(org, team)),
        buckets: (arns(""), arns("/*")),
        instance_types: (Value::strs(&team.instance_types), Value::strs(&app_types)),
        vpc: (org.network.subnet_ids.clone(), org.network.security_group_ids.clone()),
        kms_key: org.encryption.as_ref().and_then(|e| e.kms_key_arn.clone()),
    };
    let mut t = Template::new(format!(
        "studioform: execution role of team {} in domain {} of {}; isolated by the tag {TEAM_TAG}={}",
        team.name, team.domain, org.name, team.name
    ));
    let origin = path!["teams", index];
    add_role(&mut t, org, &source, &origin);
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
pub(super) fn add_role(t: &mut Template, org: &Org, source: &TeamSource, origin: &Path) {
    let sw = &source.switches;
    let data = match source.kms_key {
        Some(_) => Switch::On,
        None => sw.and(&sw.flag("HasBuckets"), &sw.any(&["Baseline", "S3BucketAccess", "AccessAwsServices"])),
    };
    let mlflow = if org.mlflow.is_some() {
        sw.any(&["MlflowAdmin", "MlflowModelApprover", "MlflowReader"])
    } else {
        Switch::Off
    };
    let mut policies = vec![
        (
            "StudioPolicy".to_owned(),
            "studio",
            "Studio apps, read-only SageMaker, logs and images",
            Switch::On,
            studio_statements(source),
        ),
        (
            "TeamResourcesPolicy".to_owned(),
            "resources",
            "SageMaker resources of this team only",
            Switch::On,
            resource_statements(source),
        ),
    ];
    // One policy per activity that manages SageMaker resources: each stays within the
    // 6,144-character quota, and a role holds at most 10 managed policies.
    for activity in MANAGED {
        let flag = activity_flag(activity);
        policies.push((
            format!("{flag}Policy"),
            activity_suffix(activity),
            activity_purpose(activity),
            sw.flag(flag),
            activity_statements(source, activity),
        ));
    }
    policies.push((
        "DataPolicy".to_owned(),
        "data",
        "the team's S3 buckets and KMS key",
        data,
        data_statements(source),
    ));
    policies.push((
        "MlflowPolicy".to_owned(),
        "mlflow",
        "the team's MLflow tier",
        mlflow,
        super::mlflow::tier_statements(org, sw),
    ));
    let mut arns = Vec::new();
    for (id, suffix, what, exists, statements) in policies {
        let Some(when) = exists.condition() else { continue };
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
        let mut resource = Resource::new(&policy, origin.clone());
        match when {
            Some(c) => {
                resource.condition = Some(c.to_owned());
                arns.push(Value::if_(c, Value::reference(&id), Value::no_value()));
            }
            None => arns.push(Value::reference(&id)),
        }
        t.add(id, resource);
    }
    let sagemaker = || Principal::Service(vec!["sagemaker.amazonaws.com".into()]);
    let mut trust = vec![Statement::trust(sagemaker(), ["sts:AssumeRole"])];
    // Studio sets the profile name as source identity only if the trust allows it.
    // <https://docs.aws.amazon.com/sagemaker/latest/dg/monitor-user-access.html>
    if let Some(when) = source.switches.flag("SourceIdentity").condition() {
        trust.push(Statement::trust(sagemaker(), ["sts:SetSourceIdentity"]).only_if(when));
    }
    let role = Role {
        role_name: Some(named(&source.role_name)),
        description: Some("studioform: SageMaker execution role of a team".into()),
        assume_role_policy_document: PolicyDocument::new(trust),
        managed_policy_arns: arns,
        policies: Vec::new(),
        tags: vec![Tag::new(TEAM_TAG, source.name.clone())],
    };
    t.add("ExecutionRole", Resource::new(&role, origin.clone()));
    t.conditions.extend(source.switches.conditions());
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

/// Adds `statement` when `switch` is not off, under its condition.
fn push(out: &mut Vec<Statement>, switch: &Switch, statement: Statement) {
    if let Some(when) = switch.condition() {
        out.push(statement.only_if(when));
    }
}

/// The flags of activities, for [`Switches::any`].
fn flags(activities: &[Activity]) -> Vec<&'static str> {
    activities.iter().map(|a| activity_flag(*a)).collect()
}

fn studio_statements(source: &TeamSource) -> Vec<Statement> {
    let sw = &source.switches;
    let apps = domain_scoped_arn("app/${DomainId}/*", source.domain_id.clone());
    let spaces = domain_scoped_arn("space/${DomainId}/*", source.domain_id.clone());
    let studio = [
        "sagemaker:CreateApp",
        "sagemaker:CreateSpace",
        "sagemaker:DeleteApp",
        "sagemaker:DeleteSpace",
        "sagemaker:UpdateSpace",
    ];
    let uses_studio = sw.any(&["Baseline", "RunStudioApp"]);
    let si = sw.flag("SourceIdentity");
    let owned = sw.and(&uses_studio, &si);
    let unowned = sw.and(&uses_studio, &sw.not(&si));
    let mut out = Vec::new();
    push(&mut out, &sw.flag("Baseline"), Statement::allow(READ_ONLY, any()).sid("ReadSageMaker"));
    // Spaces and their apps belong to the profile that owns them; a person may manage
    // their own and unowned shared spaces, never a teammate's.
    // <https://docs.aws.amazon.com/sagemaker/latest/dg/studio-updated-jl-user-guide-private-space.html>
    // Inside `Fn::Sub`, `${!x}` is the literal `${x}`: the policy variable, not a stack value.
    let own_profile = domain_scoped_arn("user-profile/${DomainId}/${!aws:SourceIdentity}", source.domain_id.clone());
    push(
        &mut out,
        &owned,
        Statement::allow(
            ["sagemaker:CreateSpace", "sagemaker:DeleteSpace", "sagemaker:UpdateSpace"],
            vec![spaces.clone()],
        )
        .sid("OwnSpaces")
        .when("ArnLike", "sagemaker:OwnerUserProfileArn", own_profile.clone()),
    );
    push(
        &mut out,
        &owned,
        Statement::allow(["sagemaker:CreateApp", "sagemaker:DeleteApp"], vec![apps.clone()]).sid("OwnSpaceApps").when(
            "ArnLike",
            "sagemaker:OwnerUserProfileArn",
            own_profile,
        ),
    );
    push(
        &mut out,
        &owned,
        Statement::allow(studio, vec![apps.clone(), spaces.clone()]).sid("UnownedSpacesAndApps").when(
            "Null",
            "sagemaker:OwnerUserProfileArn",
            "true",
        ),
    );
    push(&mut out, &unowned, Statement::allow(studio, vec![apps, spaces]).sid("StudioApps"));
    for activity in [Activity::RunStudioApp, Activity::SearchExperiments] {
        let a = personas::actions(activity);
        let on = sw.flag(activity_flag(activity));
        if !a.read.is_empty() {
            push(
                &mut out,
                &on,
                Statement::allow(a.read, vec![sagemaker_arn("*/*")]).sid(&format!("{}Read", activity_flag(activity))),
            );
        }
        if !a.list.is_empty() {
            push(&mut out, &on, Statement::allow(a.list, any()).sid(&format!("{}List", activity_flag(activity))));
        }
    }
    // Studio tags what it creates, and SageMaker authorizes those tags as AddTags.
    // <https://docs.aws.amazon.com/sagemaker/latest/dg/security_iam_id-based-policy-examples.html#grant-tagging-permissions>
    out.push(Statement::allow(["sagemaker:AddTags"], vec![sagemaker_arn("*/*")]).sid("TagOnCreate").when(
        "Null",
        "sagemaker:TaggingAction",
        "false",
    ));
    push(
        &mut out,
        &sw.and(&sw.flag("HasInstanceTypes"), &uses_studio),
        Statement::deny(["sagemaker:CreateApp"], any()).sid("DenyOtherAppInstanceTypes").when(
            "ForAnyValue:StringNotLike",
            "sagemaker:InstanceTypes",
            source.instance_types.1.clone(),
        ),
    );
    let mut passes = vec!["Baseline"];
    passes.extend(flags(&personas::PASSES_ROLE));
    push(
        &mut out,
        &sw.any(&passes),
        Statement::allow(["iam:PassRole"], vec![super::layout::role_arn(&source.role_name)])
            .sid("PassOwnRoleToSageMaker")
            .when("StringEquals", "iam:PassedToService", "sagemaker.amazonaws.com"),
    );
    let mut runs = vec!["Baseline"];
    runs.extend(flags(&personas::RUNS_JOBS));
    let jobs = sw.any(&runs);
    push(
        &mut out,
        &jobs,
        Statement::allow(
            ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            vec![Value::sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/sagemaker/*")],
        )
        .sid("WriteSageMakerLogs"),
    );
    push(
        &mut out,
        &jobs,
        Statement::allow(["cloudwatch:PutMetricData"], any()).sid("PutSageMakerMetrics").when(
            "StringLike",
            "cloudwatch:namespace",
            Value::strs(["*SageMaker*", "*Sagemaker*", "*sagemaker*"]),
        ),
    );
    push(
        &mut out,
        &sw.flag("AccessAwsServices"),
        Statement::allow(["sagemaker:BatchPutMetrics"], any()).sid("PutJobMetrics"),
    );
    push(&mut out, &jobs, Statement::allow(["ecr:GetAuthorizationToken"], any()).sid("EcrLogin"));
    push(
        &mut out,
        &jobs,
        Statement::allow(
            ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            vec![Value::sub("arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/*")],
        )
        .sid("PullImages"),
    );
    push(
        &mut out,
        &jobs,
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

/// Activities that manage SageMaker resources, each in a managed policy of its own.
const MANAGED: [Activity; 5] = [
    Activity::ManageMlJobs,
    Activity::ManageModels,
    Activity::ManageExperiments,
    Activity::ManageEndpoints,
    Activity::ManagePipelines,
];

fn activity_suffix(activity: Activity) -> &'static str {
    match activity {
        Activity::ManageMlJobs => "jobs",
        Activity::ManageModels => "models",
        Activity::ManageExperiments => "experiments",
        Activity::ManageEndpoints => "endpoints",
        Activity::ManagePipelines => "pipelines",
        _ => "activity",
    }
}

fn activity_purpose(activity: Activity) -> &'static str {
    match activity {
        Activity::ManageMlJobs => "the team's training, processing, transform, tuning and AutoML jobs",
        Activity::ManageModels => "the team's models and model packages",
        Activity::ManageExperiments => "the team's experiments, trials and lineage",
        Activity::ManageEndpoints => "the team's endpoints",
        Activity::ManagePipelines => "the team's pipelines",
        _ => "an ML activity",
    }
}

/// An activity's statements: read and list; create only with the team (and owner) tags;
/// change only what carries them; within the org's subnets, security groups and key.
fn activity_statements(source: &TeamSource, activity: Activity) -> Vec<Statement> {
    let sw = &source.switches;
    let a = personas::actions(activity);
    let name = activity_flag(activity);
    let si = sw.flag("SourceIdentity");
    let no_si = sw.not(&si);
    let mut out = Vec::new();
    if !a.read.is_empty() {
        out.push(Statement::allow(a.read, vec![sagemaker_arn("*/*")]).sid(&format!("{name}Read")));
    }
    if !a.list.is_empty() {
        out.push(Statement::allow(a.list, any()).sid(&format!("{name}List")));
    }
    for (mode, owner, suffix) in [(&si, true, "Owned"), (&no_si, false, "")] {
        if !a.create.is_empty() {
            let mut create = Statement::allow(a.create, any()).sid(&format!("{name}Create{suffix}"));
            create.condition = tag_conditions("aws:RequestTag", source, owner);
            push(&mut out, mode, create);
        }
        if !a.change.is_empty() {
            let mut change = Statement::allow(a.change, any()).sid(&format!("{name}Change{suffix}"));
            change.condition = tag_conditions("sagemaker:ResourceTag", source, owner);
            push(&mut out, mode, change);
        }
    }
    out.extend(narrowing(source, a.create));
    out
}

fn resource_statements(source: &TeamSource) -> Vec<Statement> {
    let sw = &source.switches;
    let si = sw.flag("SourceIdentity");
    let no_si = sw.not(&si);
    let mut out = Vec::new();
    let baseline = sw.flag("Baseline");
    for (mode, owner, create_sid, change_sid) in
        [(&si, true, "CreateOwnedForTeam", "ChangeOwnWork"), (&no_si, false, "CreateTaggedForTeam", "ChangeTeamWork")]
    {
        let when = sw.and(&baseline, mode);
        let mut create = Statement::allow(CREATE, any()).sid(create_sid);
        create.condition = tag_conditions("aws:RequestTag", source, owner);
        let mut change = Statement::allow(CHANGE, any()).sid(change_sid);
        change.condition = tag_conditions("sagemaker:ResourceTag", source, owner);
        push(&mut out, &when, create);
        push(&mut out, &when, change);
    }
    out.push(
        Statement::deny(["sagemaker:AddTags", "sagemaker:DeleteTags"], any())
            .sid("DenyRetaggingIsolationTags")
            .when("ForAnyValue:StringEquals", "aws:TagKeys", Value::strs([TEAM_TAG, OWNER_TAG]))
            .when("Null", "sagemaker:TaggingAction", "true"),
    );
    out.push(Statement::deny(STUDIO_ADMIN, any()).sid("DenyStudioAdministration"));
    push(
        &mut out,
        &sw.flag("HasInstanceTypes"),
        Statement::deny(LAUNCH, any()).sid("DenyOtherInstanceTypes").when(
            "ForAnyValue:StringNotLike",
            "sagemaker:InstanceTypes",
            source.instance_types.0.clone(),
        ),
    );
    out
}

/// Denies persona create calls outside the org's subnets, security groups and KMS key: for
/// each condition key, the calls IAM documents it for must carry it and name only the org's
/// values. Role Manager's "VPC and KMS" templates condition the same keys.
fn narrowing(source: &TeamSource, creates: &[&str]) -> Vec<Statement> {
    let catalog = crate::validate::data::catalog();
    let Some(sagemaker) = catalog.detailed.get("sagemaker") else { return Vec::new() };
    let supports = |key: &str| -> Vec<&str> {
        let mut out: Vec<&str> = creates
            .iter()
            .copied()
            .filter(|a| {
                let name = a.trim_start_matches("sagemaker:").to_ascii_lowercase();
                sagemaker.actions.get(&name).is_some_and(|(_, keys)| keys.iter().any(|k| k == key))
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    };
    let (subnets, groups) = &source.vpc;
    let mut keys: Vec<(&str, &str, Value, bool)> = Vec::new();
    if !subnets.is_empty() {
        keys.push(("sagemaker:VpcSubnets", "Subnets", Value::strs(subnets), true));
    }
    if !groups.is_empty() {
        keys.push(("sagemaker:VpcSecurityGroupIds", "SecurityGroups", Value::strs(groups), true));
    }
    if let Some(key) = &source.kms_key {
        keys.push(("sagemaker:VolumeKmsKey", "VolumeKey", Value::from(key), false));
        keys.push(("sagemaker:OutputKmsKey", "OutputKey", Value::from(key), false));
    }
    let mut out = Vec::new();
    for (key, label, values, multi) in keys {
        let actions = supports(key);
        if actions.is_empty() {
            continue;
        }
        let operator = if multi { "ForAnyValue:StringNotEquals" } else { "StringNotEquals" };
        out.push(Statement::deny(actions.clone(), any()).sid(&format!("DenyOther{label}")).when(operator, key, values));
        out.push(Statement::deny(actions, any()).sid(&format!("DenyMissing{label}")).when("Null", key, "true"));
    }
    out
}

fn data_statements(source: &TeamSource) -> Vec<Statement> {
    let sw = &source.switches;
    let mut out = Vec::new();
    let (buckets, objects) = &source.buckets;
    let on = |s: Statement, v: &Value| match v {
        Value::List(items) => Statement { resources: crate::model::iam::Resources::Resource(items.clone()), ..s },
        other => s.on_computed(other.clone()),
    };
    let has = sw.flag("HasBuckets");
    let full = sw.and(&has, &sw.any(&["Baseline", "S3BucketAccess"]));
    push(
        &mut out,
        &full,
        on(Statement::allow(["s3:GetBucketLocation", "s3:ListBucket"], Vec::new()), buckets).sid("ListTeamBuckets"),
    );
    push(
        &mut out,
        &full,
        on(
            Statement::allow(
                ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
                Vec::new(),
            ),
            objects,
        )
        .sid("ReadWriteTeamObjects"),
    );
    // What jobs need from the team's data: read inputs, write outputs, never delete.
    let jobs = sw.and(&has, &sw.and(&sw.flag("AccessAwsServices"), &sw.not(&sw.any(&["Baseline", "S3BucketAccess"]))));
    push(&mut out, &jobs, on(Statement::allow(["s3:ListBucket"], Vec::new()), buckets).sid("ListJobBuckets"));
    push(
        &mut out,
        &jobs,
        on(Statement::allow(["s3:GetObject", "s3:PutObject"], Vec::new()), objects).sid("ReadWriteJobObjects"),
    );
    if let Some(key) = &source.kms_key {
        out.push(
            Statement::allow(["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"], vec![Value::from(key)])
                .sid("UseOrgKey"),
        );
    }
    out
}
