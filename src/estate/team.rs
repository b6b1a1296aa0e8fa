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
use crate::model::resources::{InlinePolicy, ManagedPolicy, Role, Tag};
use crate::model::{Resource, Template, Value};
use crate::path;
use crate::path::Path;

/// The tag naming the domain whose teams may pass a job team's role to their jobs.
pub const JOBS_FOR_TAG: &str = "studioform:jobs-for";

/// The policy variable of the person behind a Studio session.
pub const SOURCE_IDENTITY: &str = "${aws:SourceIdentity}";

/// Reading SageMaker: the read-only part of a team role without a persona; what is read
/// must carry the team tag, but for Studio's metadata.
pub const READ_ONLY: &[&str] = &[
    "sagemaker:BatchDescribe*",
    "sagemaker:BatchGet*",
    "sagemaker:Describe*",
    "sagemaker:Get*",
    "sagemaker:QueryLineage",
];

/// Listing and searching SageMaker.
pub const LIST_ONLY: &[&str] = &["sagemaker:List*", "sagemaker:Search"];

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
    /// Roles of the domain's job teams (the compute persona) the team may pass to its jobs,
    /// besides its own.
    pub job_roles: Vec<String>,
    /// For a job team's role, the id of the domain whose teams pass it: its tag
    /// `studioform:jobs-for`, which `studioform access` reads.
    pub jobs_for: Option<Value>,
    /// Other roles the team's policies are attached to, by name: the default role of an
    /// Identity Center domain of this team alone.
    pub also_attached: Vec<String>,
    /// The stack of the team's domain when the role attaches the domain's [`Shared`] policies
    /// instead of holding their statements itself; `None` for the team product and the team
    /// of a domain's default role, whose roles hold every statement.
    pub shared_from: Option<String>,
}

/// The policies a domain stack holds for every team of the domain: the statements of a team
/// role that name no team, written once per domain instead of once per team. A team role
/// attaches `Studio` or `Guard`, and `Jobs` when it runs jobs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shared {
    /// Reading Studio's metadata, managing one's own private spaces and apps, tagging on
    /// create, and the two denies.
    Studio,
    /// Tagging on create and the two denies, for roles without Studio apps.
    Guard,
    /// Logs, metrics, images and network interfaces of jobs and apps.
    Jobs,
}

impl Shared {
    /// Every shared policy, in the domain stack's order.
    pub(super) const ALL: [Self; 3] = [Self::Studio, Self::Guard, Self::Jobs];

    /// Logical id in the domain stack; with `Arn`, the name of its output.
    pub(super) fn id(self) -> &'static str {
        match self {
            Self::Studio => "TeamStudioPolicy",
            Self::Guard => "TeamGuardPolicy",
            Self::Jobs => "TeamJobsPolicy",
        }
    }

    /// The end of the policy's name, after the domain stack's name.
    pub(super) fn suffix(self) -> &'static str {
        match self {
            Self::Studio => "team-studio",
            Self::Guard => "team-guard",
            Self::Jobs => "team-jobs",
        }
    }

    /// What it grants, for its description.
    pub(super) fn purpose(self) -> &'static str {
        match self {
            Self::Studio => {
                "the teams of this domain: Studio's metadata, their own private spaces and apps, tags on create, no retagging, no Studio administration"
            }
            Self::Guard => {
                "the teams of this domain without Studio apps: tags on create, no retagging, no Studio administration"
            }
            Self::Jobs => "the teams of this domain that run jobs: logs, metrics, images and network interfaces",
        }
    }

    /// Its statements, for the domain `domain_id`.
    pub(super) fn statements(self, domain_id: &Value) -> Vec<Statement> {
        match self {
            Self::Studio => std::iter::once(studio_metadata(domain_id))
                .chain(own_studio(domain_id))
                .chain([tag_on_create()])
                .chain(guard_denies())
                .collect(),
            Self::Guard => std::iter::once(tag_on_create()).chain(guard_denies()).collect(),
            Self::Jobs => job_support().into_iter().collect(),
        }
    }
}

/// A name that may hold `${Param}` variables.
pub(super) fn named(template: &str) -> Value {
    if template.contains("${") { Value::sub(template) } else { Value::from(template) }
}

/// What a team's stack needs to know of the other teams of its domain, gathered once for
/// every domain rather than once per team.
pub(super) struct Neighbours<'o> {
    /// The domain's job teams (see [`job_teams`]).
    jobs: Vec<&'o Team>,
    /// The domain's sso default role and the team it serves (see
    /// [`super::domain::sso_default_role`]).
    sso_default: Option<(String, String)>,
}

/// [`Neighbours`] of every domain, by domain name.
pub(super) fn neighbours(org: &Org) -> std::collections::HashMap<&str, Neighbours<'_>> {
    org.domains
        .iter()
        .map(|d| {
            let n = Neighbours {
                jobs: job_teams(org, &d.name).collect(),
                sso_default: super::domain::sso_default_role(org, &d.name),
            };
            (d.name.as_str(), n)
        })
        .collect()
}

/// The team's stack; `neighbours` are its domain's.
pub(super) fn stack(org: &Org, index: usize, team: &Team, neighbours: Option<&Neighbours<'_>>) -> Stack {
    let jobs = neighbours.map(|n| n.jobs.as_slice()).unwrap_or_default();
    let layout = Layout::new(org);
    let arns = |suffix: &str| -> Value {
        Value::List(
            team.buckets.iter().map(|b| Value::sub(format!("arn:${{AWS::Partition}}:s3:::{b}{suffix}"))).collect(),
        )
    };
    let mut app_types = team.instance_types.clone();
    // JupyterServer and other system apps report the instance type `system`.
    app_types.push("system".into());
    let also_attached: Vec<String> = neighbours
        .and_then(|n| n.sso_default.as_ref())
        .filter(|(_, t)| *t == team.name)
        .map(|(name, _)| name.clone())
        .into_iter()
        .collect();
    let source = TeamSource {
        name: Value::from(&team.name),
        role_name: layout.team_role_name(&team.name),
        domain_id: layout.domain_id(&team.domain),
        switches: Switches::Fixed(team_flags(org, team)),
        buckets: (arns(""), arns("/*")),
        instance_types: (Value::strs(&team.instance_types), Value::strs(&app_types)),
        vpc: (org.network.subnet_ids.clone(), org.network.security_group_ids.clone()),
        kms_key: org.encryption.as_ref().and_then(|e| e.kms_key_arn.clone()),
        job_roles: jobs.iter().filter(|t| t.name != team.name).map(|t| layout.team_role_name(&t.name)).collect(),
        jobs_for: jobs.iter().any(|t| t.name == team.name).then(|| layout.domain_id(&team.domain)),
        // The team of a domain's default role keeps every statement: its policies reach that
        // role too.
        shared_from: also_attached.is_empty().then(|| layout.domain_stack(&team.domain)),
        also_attached,
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

/// The teams of `domain` whose role only runs jobs (a persona with `access-aws-services` and
/// without `run-studio-app`, such as `compute`): the domain's other teams pass it to their
/// jobs and pipelines.
pub(super) fn job_teams<'o>(org: &'o Org, domain: &'o str) -> impl Iterator<Item = &'o Team> {
    org.teams.iter().filter(move |t| {
        let activities = t.persona.as_deref().map(|p| super::grants::persona_activities(org, p)).unwrap_or_default();
        t.domain == domain
            && activities.contains(&Activity::AccessAwsServices)
            && !activities.contains(&Activity::RunStudioApp)
    })
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
            built(Switch::On, || studio_statements(source)),
        ),
        (
            "ReadPolicy".to_owned(),
            "read",
            "reading Studio and the team's SageMaker resources",
            // Every statement of it comes with one of these: without them (a compute team) the
            // policy would have no statement, which IAM refuses.
            built(
                sw.any(&[
                    "Baseline",
                    activity_flag(Activity::RunStudioApp),
                    activity_flag(Activity::SearchExperiments),
                ]),
                || reading_statements(source),
            ),
        ),
        (
            "TeamResourcesPolicy".to_owned(),
            "resources",
            "SageMaker resources of this team only",
            built(Switch::On, || resource_statements(source)),
        ),
    ];
    // One policy per activity that manages SageMaker resources: each stays within the
    // 6,144-character quota. A role holds 10 managed policies by default, these and the
    // domain's it attaches (QTA101 counts them).
    for activity in MANAGED {
        let flag = activity_flag(activity);
        policies.push((
            format!("{flag}Policy"),
            activity_suffix(activity),
            activity_purpose(activity),
            built(sw.flag(flag), || activity_statements(source, activity)),
        ));
    }
    policies.push((
        "DataPolicy".to_owned(),
        "data",
        "the team's S3 buckets and KMS key",
        built(data, || data_statements(source)),
    ));
    policies.push((
        "MlflowPolicy".to_owned(),
        "mlflow",
        "the team's MLflow tier",
        built(mlflow, || super::mlflow::tier_statements(org, sw)),
    ));
    // Inline first: a role's inline policies hold 10,240 characters between them and count
    // against no account quota, where every managed policy counts against the account's
    // customer managed policies (1,500 by default). What does not fit, and what must reach
    // another role too, is managed. So is all of the team product: its mappings expand to
    // lists of buckets and instance types at launch, longer than the template shows.
    let concrete = matches!(source.switches, Switches::Fixed(_));
    let mut inline_room =
        if concrete && source.also_attached.is_empty() { crate::validate::MAX_ROLE_INLINE } else { 0 };
    let mut inline = Vec::new();
    let mut arns = Vec::new();
    if let Some(domain_stack) = &source.shared_from {
        let studio = if uses_studio(sw).condition().is_some() { Shared::Studio } else { Shared::Guard };
        let jobs = runs_jobs(sw).condition().is_some().then_some(Shared::Jobs);
        for shared in std::iter::once(studio).chain(jobs) {
            arns.push(Value::import(Layout::export(domain_stack, &format!("{}Arn", shared.id()))));
        }
    }
    for (id, suffix, what, (exists, statements)) in policies {
        let Some(when) = exists.condition() else { continue };
        if statements.is_empty() {
            continue;
        }
        let document = PolicyDocument::new(statements);
        if when.is_none() {
            let size = crate::validate::compact_len(&document);
            if size <= inline_room {
                inline_room -= size;
                inline.push(InlinePolicy { policy_name: id, policy_document: document });
                continue;
            }
        }
        // ManagedPolicyName and Description are create-only, and CloudFormation cannot
        // replace a named resource in place: both stay fixed text derived from names.
        let policy = ManagedPolicy {
            managed_policy_name: Some(named(&format!("{}-{suffix}", source.role_name))),
            description: Some(format!("studioform: {what}")),
            policy_document: document,
            roles: source.also_attached.iter().map(Value::from).collect(),
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
        policies: inline,
        tags: std::iter::once(Tag::new(TEAM_TAG, source.name.clone()))
            .chain(source.jobs_for.clone().map(|d| Tag::new(JOBS_FOR_TAG, d)))
            .collect(),
    };
    t.add("ExecutionRole", Resource::new(&role, origin.clone()));
    t.conditions.extend(source.switches.conditions());
}

/// A policy that exists when `exists` says, with its statements: built only then, as a team
/// without a persona has none of the five activity policies.
fn built(exists: Switch, statements: impl FnOnce() -> Vec<Statement>) -> (Switch, Vec<Statement>) {
    let statements = if exists.condition().is_some() { statements() } else { Vec::new() };
    (exists, statements)
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

/// `statement` for sessions without a source identity (pipeline steps, jobs), on the team tag
/// under `prefix` alone.
fn outside_studio(mut statement: Statement, prefix: &str, source: &TeamSource) -> Statement {
    statement.condition = tag_conditions(prefix, source, false);
    statement.when("Null", "aws:SourceIdentity", "true")
}

/// Adds `statement` when `switch` is not off, under its condition.
fn push(out: &mut Vec<Statement>, switch: &Switch, statement: Statement) {
    if let Some(when) = switch.condition() {
        out.push(statement.only_if(when));
    }
}

/// Studio's own metadata: the team's domain, its profiles, spaces and apps, readable within
/// the domain. Every other read needs the team tag on what is read.
const STUDIO_READ: &[&str] =
    &["sagemaker:DescribeApp", "sagemaker:DescribeDomain", "sagemaker:DescribeSpace", "sagemaker:DescribeUserProfile"];

/// The domain's own resources, for Studio's metadata reads.
fn domain_resources(domain_id: &Value) -> Vec<Value> {
    ["domain/${DomainId}", "user-profile/${DomainId}/*", "space/${DomainId}/*", "app/${DomainId}/*"]
        .iter()
        .map(|r| domain_scoped_arn(r, domain_id.clone()))
        .collect()
}

/// Statements reading `actions`: Studio's metadata in the team's domain, anything else only
/// when it carries the team tag ("read and describe resources created by the team"), which
/// keeps other teams' jobs, models and Feature Store records out of reach.
fn read_statements(source: &TeamSource, actions: &[&str], sid: &str) -> Vec<Statement> {
    let (studio, tagged): (Vec<&str>, Vec<&str>) = actions.iter().partition(|a| STUDIO_READ.contains(a));
    let mut out = Vec::new();
    if !studio.is_empty() {
        out.push(Statement::allow(studio, domain_resources(&source.domain_id)).sid(&format!("{sid}Studio")));
    }
    if !tagged.is_empty() {
        let mut s = Statement::allow(tagged, any()).sid(&format!("{sid}Team"));
        s.condition = tag_conditions("sagemaker:ResourceTag", source, false);
        out.push(s);
    }
    out
}

/// Statements listing: `List*` calls name no resource; `Search` returns only what carries the
/// team tag, as the caller must ask with `VisibilityConditions: [{Key: Tags.team, Value:
/// <team>}]`.
/// <https://docs.aws.amazon.com/sagemaker/latest/dg/security_iam_id-based-policy-examples.html#limit-access-to-searchable-resources>
fn list_statements(source: &TeamSource, actions: &[&str], sid: &str) -> Vec<Statement> {
    let (search, list): (Vec<&str>, Vec<&str>) = actions.iter().partition(|a| **a == "sagemaker:Search");
    let mut out = Vec::new();
    if !list.is_empty() {
        out.push(Statement::allow(list, any()).sid(&format!("{sid}List")));
    }
    if !search.is_empty() {
        out.push(Statement::allow(search, any()).sid(&format!("{sid}Search")).when(
            "StringEquals",
            &format!("sagemaker:SearchVisibilityCondition/Tags.{TEAM_TAG}/EqualsIfExists"),
            source.name.clone(),
        ));
    }
    out
}

/// The flags of activities, for [`Switches::any`].
fn flags(activities: &[Activity]) -> Vec<&'static str> {
    activities.iter().map(|a| activity_flag(*a)).collect()
}

/// Reading SageMaker: Studio's metadata in the team's domain, the team's own resources,
/// listing, and searching what carries the team tag.
fn reading_statements(source: &TeamSource) -> Vec<Statement> {
    let sw = &source.switches;
    let mut out = Vec::new();
    let baseline = sw.flag("Baseline");
    // A role that attaches the domain's [`Shared::Studio`] reads Studio's metadata through it.
    let shared = source.shared_from.is_some();
    let mut reads = if shared { Vec::new() } else { read_statements(source, STUDIO_READ, "ReadSageMaker") };
    if let Some(team) = read_statements(source, READ_ONLY, "ReadSageMaker").pop() {
        reads.push(team);
    }
    reads.extend(list_statements(source, LIST_ONLY, "ReadSageMaker"));
    for s in reads {
        push(&mut out, &baseline, s);
    }
    for activity in [Activity::RunStudioApp, Activity::SearchExperiments] {
        let a = personas::actions(activity);
        let on = sw.flag(activity_flag(activity));
        let name = activity_flag(activity);
        let read: Vec<&str> = match activity {
            Activity::RunStudioApp if shared => a.read.iter().copied().filter(|x| !STUDIO_READ.contains(x)).collect(),
            _ => a.read.to_vec(),
        };
        for s in read_statements(source, &read, &format!("{name}Read"))
            .into_iter()
            .chain(list_statements(source, a.list, name))
        {
            push(&mut out, &on, s);
        }
    }
    out
}

/// Whether the role runs Studio apps.
fn uses_studio(sw: &Switches) -> Switch {
    sw.any(&["Baseline", "RunStudioApp"])
}

/// Whether the role runs jobs (or apps) that write logs and metrics and pull images.
fn runs_jobs(sw: &Switches) -> Switch {
    let mut runs = vec!["Baseline"];
    runs.extend(flags(&personas::RUNS_JOBS));
    sw.any(&runs)
}

/// Reading Studio's own metadata in the domain `domain_id`: the domain, its profiles, spaces
/// and apps, whoever's they are (the console lists them).
fn studio_metadata(domain_id: &Value) -> Statement {
    Statement::allow(STUDIO_READ, domain_resources(domain_id)).sid("ReadStudioMetadata")
}

/// A person's own private spaces and apps in the domain `domain_id`.
fn own_studio(domain_id: &Value) -> [Statement; 3] {
    let apps = domain_scoped_arn("app/${DomainId}/*", domain_id.clone());
    let spaces = domain_scoped_arn("space/${DomainId}/*", domain_id.clone());
    // Spaces and their apps belong to the profile that owns them: a person may manage their
    // own private spaces, never a teammate's nor another team's, and creates no shared space
    // (every profile of the domain, whatever its team, may join one). Studio sets
    // `sagemaker:UserProfileName` on the requests of a profile's session; Studio Classic apps
    // live under the profile itself.
    // <https://docs.aws.amazon.com/sagemaker/latest/dg/studio-updated-jl-admin-guide-permissions.html>
    // Inside `Fn::Sub`, `${!x}` is the literal `${x}`: the policy variable, not a stack value.
    let own_profile = domain_scoped_arn("user-profile/${DomainId}/${!sagemaker:UserProfileName}", domain_id.clone());
    let own_classic_apps = domain_scoped_arn("app/${DomainId}/${!sagemaker:UserProfileName}/*", domain_id.clone());
    [
        Statement::allow(["sagemaker:CreateSpace", "sagemaker:DeleteSpace", "sagemaker:UpdateSpace"], vec![spaces])
            .sid("OwnPrivateSpaces")
            .when("ArnLike", "sagemaker:OwnerUserProfileArn", own_profile.clone())
            .when("StringEquals", "sagemaker:SpaceSharingType", "Private"),
        Statement::allow(["sagemaker:CreateApp", "sagemaker:DeleteApp"], vec![apps])
            .sid("OwnPrivateSpaceApps")
            .when("ArnLike", "sagemaker:OwnerUserProfileArn", own_profile)
            .when("StringEquals", "sagemaker:SpaceSharingType", "Private"),
        Statement::allow(["sagemaker:CreateApp", "sagemaker:DeleteApp"], vec![own_classic_apps])
            .sid("OwnProfileApps")
            .when("Null", "sagemaker:OwnerUserProfileArn", "true"),
    ]
}

/// Studio tags what it creates, and SageMaker authorizes those tags as AddTags.
/// <https://docs.aws.amazon.com/sagemaker/latest/dg/security_iam_id-based-policy-examples.html#grant-tagging-permissions>
fn tag_on_create() -> Statement {
    Statement::allow(["sagemaker:AddTags"], vec![sagemaker_arn("*/*")]).sid("TagOnCreate").when(
        "Null",
        "sagemaker:TaggingAction",
        "false",
    )
}

/// No retagging of the isolation tags, and no Studio administration.
fn guard_denies() -> [Statement; 2] {
    [
        Statement::deny(["sagemaker:AddTags", "sagemaker:DeleteTags"], any())
            .sid("DenyRetaggingIsolationTags")
            .when("ForAnyValue:StringEquals", "aws:TagKeys", Value::strs([TEAM_TAG, OWNER_TAG]))
            .when("Null", "sagemaker:TaggingAction", "true"),
        Statement::deny(STUDIO_ADMIN, any()).sid("DenyStudioAdministration"),
    ]
}

/// What jobs and apps need around them: logs, metrics, images, network interfaces.
fn job_support() -> [Statement; 5] {
    [
        Statement::allow(
            ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            vec![Value::sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/sagemaker/*")],
        )
        .sid("WriteSageMakerLogs"),
        Statement::allow(["cloudwatch:PutMetricData"], any()).sid("PutSageMakerMetrics").when(
            "StringLike",
            "cloudwatch:namespace",
            Value::strs(["*SageMaker*", "*Sagemaker*", "*sagemaker*"]),
        ),
        Statement::allow(["ecr:GetAuthorizationToken"], any()).sid("EcrLogin"),
        Statement::allow(
            ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            vec![Value::sub("arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/*")],
        )
        .sid("PullImages"),
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
    ]
}

/// The Studio policy: what [`Shared`] holds when the role does not attach it, then the team's
/// own instance types for apps and the roles it passes.
fn studio_statements(source: &TeamSource) -> Vec<Statement> {
    let sw = &source.switches;
    let uses_studio = uses_studio(sw);
    let own = source.shared_from.is_none();
    let mut out = Vec::new();
    if own {
        for s in own_studio(&source.domain_id) {
            push(&mut out, &uses_studio, s);
        }
        out.push(tag_on_create());
    }
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
        Statement::allow(
            ["iam:PassRole"],
            std::iter::once(&source.role_name)
                .chain(&source.also_attached)
                .chain(&source.job_roles)
                .map(|r| super::layout::role_arn(r))
                .collect(),
        )
        .sid("PassOwnRoleToSageMaker")
        .when("StringEquals", "iam:PassedToService", "sagemaker.amazonaws.com"),
    );
    let jobs = runs_jobs(sw);
    // Built only for a role that holds them: logs and metrics, then the team's own job
    // metrics, then images and network.
    let mut support = own.then(job_support).into_iter().flatten();
    for s in support.by_ref().take(2) {
        push(&mut out, &jobs, s);
    }
    push(
        &mut out,
        &sw.flag("AccessAwsServices"),
        Statement::allow(["sagemaker:BatchPutMetrics"], any()).sid("PutJobMetrics"),
    );
    for s in support {
        push(&mut out, &jobs, s);
    }
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
    out.extend(read_statements(source, a.read, &format!("{name}Read")));
    out.extend(list_statements(source, a.list, name));
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
    // Sessions without a source identity are no person's: pipeline steps and jobs running as
    // the role. They keep to the team tag.
    if !a.create.is_empty() {
        push(
            &mut out,
            &si,
            outside_studio(
                Statement::allow(a.create, any()).sid(&format!("{name}CreateFromJobs")),
                "aws:RequestTag",
                source,
            ),
        );
    }
    if !a.change.is_empty() {
        push(
            &mut out,
            &si,
            outside_studio(
                Statement::allow(a.change, any()).sid(&format!("{name}ChangeFromJobs")),
                "sagemaker:ResourceTag",
                source,
            ),
        );
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
    let jobs = sw.and(&baseline, &si);
    push(
        &mut out,
        &jobs,
        outside_studio(Statement::allow(CREATE, any()).sid("CreateFromJobs"), "aws:RequestTag", source),
    );
    push(
        &mut out,
        &jobs,
        outside_studio(Statement::allow(CHANGE, any()).sid("ChangeFromJobs"), "sagemaker:ResourceTag", source),
    );
    if source.shared_from.is_none() {
        out.extend(guard_denies());
    }
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
