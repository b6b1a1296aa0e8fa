//! Personas, MLflow tiers, the model-deployment role and Identity Center: the exact actions
//! each team role is granted and the ones it must not have.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use common::{policy_doc, root, stack, team_view};
use serde_json::{Value, json};

fn example(name: &str) -> String {
    std::fs::read_to_string(root().join("examples").join(name)).unwrap()
}

/// Every statement of every managed policy of a team stack, and of its role's inline policies.
fn statements(template: &Value) -> Vec<Value> {
    let resources = template["Resources"].as_object().unwrap().values();
    let managed = resources.clone().filter(|r| r["Type"] == "AWS::IAM::ManagedPolicy").map(|r| &r["Properties"]);
    let inline = resources
        .filter(|r| r["Type"] == "AWS::IAM::Role")
        .filter_map(|r| r["Properties"]["Policies"].as_array())
        .flatten();
    managed.chain(inline).flat_map(|p| p["PolicyDocument"]["Statement"].as_array().unwrap().clone()).collect()
}

/// The actions a team role allows, and those it denies.
fn actions(template: &Value) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut allowed = BTreeSet::new();
    let mut denied = BTreeSet::new();
    for s in statements(template) {
        let set = if s["Effect"] == "Allow" { &mut allowed } else { &mut denied };
        set.extend(s["Action"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_owned()));
    }
    (allowed, denied)
}

fn sids(template: &Value) -> BTreeSet<String> {
    statements(template).iter().filter_map(|s| s["Sid"].as_str().map(str::to_owned)).collect()
}

fn has(set: &BTreeSet<String>, actions: &[&str]) -> bool {
    actions.iter().all(|a| set.contains(*a))
}

fn none_of(set: &BTreeSet<String>, actions: &[&str]) -> bool {
    actions.iter().all(|a| !set.contains(*a))
}

const ENDPOINTS: &[&str] = &[
    "sagemaker:CreateEndpoint",
    "sagemaker:CreateEndpointConfig",
    "sagemaker:UpdateEndpoint",
    "sagemaker:DeleteEndpoint",
];
const PIPELINES: &[&str] =
    &["sagemaker:CreatePipeline", "sagemaker:StartPipelineExecution", "sagemaker:DeletePipeline"];
const JOBS: &[&str] = &["sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob", "sagemaker:StopTrainingJob"];
const STUDIO: &[&str] = &["sagemaker:CreateApp", "sagemaker:CreateSpace"];

#[test]
fn data_scientists_run_jobs_and_models_but_never_manage_endpoints_or_pipelines() {
    let science = team_view(&example("personas.yaml"), "initech-team-science");
    let (allowed, _) = actions(&science);
    assert!(has(&allowed, JOBS) && has(&allowed, STUDIO));
    assert!(has(
        &allowed,
        &["sagemaker:CreateModel", "sagemaker:CreateModelPackage", "sagemaker:CreateExperiment", "sagemaker:Search"]
    ));
    assert!(none_of(&allowed, ENDPOINTS), "data scientists must not manage endpoints");
    assert!(none_of(&allowed, PIPELINES));
    assert!(
        none_of(&allowed, &["sagemaker:Update*", "sagemaker:Delete*", "sagemaker:Describe*"]),
        "no baseline wildcards"
    );
}

#[test]
fn mlops_manages_endpoints_and_pipelines_whose_steps_run_jobs_but_no_tuning_or_experiments() {
    let platform = team_view(&example("personas.yaml"), "initech-team-platform");
    let (allowed, _) = actions(&platform);
    assert!(has(&allowed, ENDPOINTS) && has(&allowed, PIPELINES) && has(&allowed, STUDIO));
    assert!(has(&allowed, &["sagemaker:CreateModelPackage", "sagemaker:UpdateModelPackage"]));
    // The pipelines' steps run as this role: they create the team's jobs.
    assert!(has(&allowed, &["sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob"]));
    assert!(none_of(
        &allowed,
        &["sagemaker:CreateHyperParameterTuningJob", "sagemaker:CreateAutoMLJob", "sagemaker:CreateExperiment"]
    ));
}

#[test]
fn the_compute_persona_reaches_aws_services_and_nothing_interactive() {
    let jobs = team_view(&example("personas.yaml"), "initech-team-jobs");
    let (allowed, _) = actions(&jobs);
    assert!(has(
        &allowed,
        &[
            "s3:GetObject",
            "s3:PutObject",
            "s3:ListBucket",
            "sagemaker:BatchPutMetrics",
            "ecr:GetAuthorizationToken",
            "ecr:BatchGetImage",
            "logs:PutLogEvents",
            "cloudwatch:PutMetricData",
            "ec2:CreateNetworkInterface",
            "kms:Decrypt"
        ]
    ));
    let sagemaker: Vec<&String> =
        allowed.iter().filter(|a| a.starts_with("sagemaker:") && *a != "sagemaker:AddTags").collect();
    assert_eq!(sagemaker, ["sagemaker:BatchPutMetrics"], "no Studio, no resource management");
    assert!(none_of(&allowed, &["s3:DeleteObject", "iam:PassRole"]));
}

#[test]
fn create_calls_carry_the_team_and_owner_tags_and_changes_need_them() {
    let science = team_view(&example("personas.yaml"), "initech-team-science");
    let policy = &policy_doc(&science, "ManageMlJobsPolicy").unwrap()["Statement"];
    let create = policy.as_array().unwrap().iter().find(|s| s["Sid"] == "ManageMlJobsCreateOwned").unwrap();
    assert_eq!(
        create["Condition"],
        json!({"StringEquals": {"aws:RequestTag/team": "science", "aws:RequestTag/owner": "${aws:SourceIdentity}"}})
    );
    let change = policy.as_array().unwrap().iter().find(|s| s["Sid"] == "ManageMlJobsChangeOwned").unwrap();
    assert_eq!(
        change["Condition"],
        json!({"StringEquals": {"sagemaker:ResourceTag/team": "science", "sagemaker:ResourceTag/owner": "${aws:SourceIdentity}"}})
    );
}

#[test]
fn jobs_run_only_in_the_orgs_subnets_groups_and_key_and_on_the_teams_instance_types() {
    let science = team_view(&example("personas.yaml"), "initech-team-science");
    let jobs = policy_doc(&science, "ManageMlJobsPolicy").unwrap()["Statement"].as_array().unwrap().clone();
    let find = |sid: &str| jobs.iter().find(|s| s["Sid"] == sid).unwrap_or_else(|| panic!("{sid}")).clone();
    let subnets = find("DenyOtherSubnets");
    assert_eq!(subnets["Effect"], "Deny");
    assert_eq!(
        subnets["Condition"],
        json!({"ForAnyValue:StringNotEquals": {"sagemaker:VpcSubnets": ["subnet-0a0a0a0a0a0a0a0a0", "subnet-0b0b0b0b0b0b0b0b0"]}})
    );
    assert!(subnets["Action"].as_array().unwrap().contains(&json!("sagemaker:CreateTrainingJob")));
    assert!(
        !subnets["Action"].as_array().unwrap().contains(&json!("sagemaker:CreateTransformJob")),
        "only calls IAM documents the key for"
    );
    assert_eq!(find("DenyMissingSubnets")["Condition"], json!({"Null": {"sagemaker:VpcSubnets": "true"}}));
    assert_eq!(
        find("DenyOtherSecurityGroups")["Condition"]["ForAnyValue:StringNotEquals"]["sagemaker:VpcSecurityGroupIds"],
        json!(["sg-0a0a0a0a0a0a0a0a0"])
    );
    let key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    assert_eq!(find("DenyOtherVolumeKey")["Condition"], json!({"StringNotEquals": {"sagemaker:VolumeKmsKey": key}}));
    assert_eq!(find("DenyOtherOutputKey")["Condition"], json!({"StringNotEquals": {"sagemaker:OutputKmsKey": key}}));
    let types = statements(&science).into_iter().find(|s| s["Sid"] == "DenyOtherInstanceTypes").unwrap();
    assert_eq!(
        types["Condition"],
        json!({"ForAnyValue:StringNotLike": {"sagemaker:InstanceTypes": ["ml.t3.medium", "ml.m5.xlarge", "ml.g5.xlarge"]}})
    );
}

#[test]
fn a_custom_persona_gets_exactly_its_activities() {
    let insights = team_view(&example("personas.yaml"), "initech-team-insights");
    let (allowed, _) = actions(&insights);
    assert!(
        has(&allowed, STUDIO)
            && has(&allowed, &["sagemaker:QueryLineage", "sagemaker:DescribeExperiment", "s3:GetObject"])
    );
    // A presigned URL is a login link, not a resource: the insights team reads MLflow through the UI.
    let creates: Vec<&String> = allowed
        .iter()
        .filter(|a| a.contains(":Create") && !a.contains(":CreatePresigned") && !STUDIO.contains(&a.as_str()))
        .collect();
    assert!(creates.is_empty(), "an analyst creates nothing but Studio apps: {creates:?}");
    assert!(!sids(&insights).iter().any(|s| s.starts_with("Manage")));
}

/// The tier's actions on the tracking server (its artifact store aside).
fn mlflow_actions(template: &Value) -> BTreeSet<String> {
    policy_doc(template, "MlflowPolicy").unwrap()["Statement"]
        .as_array()
        .map(|a| {
            a.iter()
                .flat_map(|s| s["Action"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_owned()))
                .filter(|a| a.starts_with("sagemaker"))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn managed_mlflow_tiers_grant_exactly_their_actions_on_the_server() {
    let text = example("personas.yaml");
    let server = json!({"Fn::Sub": "arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:mlflow-tracking-server/initech-mlflow"});
    let reader = mlflow_actions(&stack(&text, "initech-team-insights"));
    let expected_reader: BTreeSet<String> = studioform::estate::mlflow::reader_actions()
        .into_iter()
        .chain([
            "sagemaker:CreatePresignedMlflowTrackingServerUrl".into(),
            "sagemaker:DescribeMlflowTrackingServer".into(),
        ])
        .collect();
    assert_eq!(reader, expected_reader);
    assert!(has(
        &reader,
        &[
            "sagemaker-mlflow:AccessUI",
            "sagemaker-mlflow:SearchRuns",
            "sagemaker-mlflow:GetRun",
            "sagemaker-mlflow:SearchRegisteredModels"
        ]
    ));
    assert!(reader.iter().all(|a| !a.contains(":Create") || a.starts_with("sagemaker:CreatePresigned")), "{reader:?}");
    assert!(none_of(
        &reader,
        &["sagemaker-mlflow:LogMetric", "sagemaker-mlflow:CreateRun", "sagemaker-mlflow:TransitionModelVersionStage"]
    ));

    let approver = mlflow_actions(&stack(&text, "initech-team-platform"));
    let added: BTreeSet<String> = approver.difference(&reader).cloned().collect();
    let expected: BTreeSet<String> =
        studioform::estate::mlflow::APPROVER_WRITES.iter().map(|a| (*a).to_owned()).collect();
    assert_eq!(added, expected);
    assert!(has(
        &approver,
        &[
            "sagemaker-mlflow:CreateRegisteredModel",
            "sagemaker-mlflow:CreateModelVersion",
            "sagemaker-mlflow:TransitionModelVersionStage"
        ]
    ));
    assert!(none_of(
        &approver,
        &[
            "sagemaker-mlflow:CreateRun",
            "sagemaker-mlflow:LogMetric",
            "sagemaker-mlflow:CreateExperiment",
            "sagemaker-mlflow:DeleteRun",
            "sagemaker-mlflow:DeleteModelVersion",
            "sagemaker-mlflow:*"
        ]
    ));

    let admin = stack(&text, "initech-team-science");
    assert_eq!(
        mlflow_actions(&admin),
        BTreeSet::from([
            "sagemaker-mlflow:*".to_owned(),
            "sagemaker:CreatePresignedMlflowTrackingServerUrl".to_owned(),
            "sagemaker:DescribeMlflowTrackingServer".to_owned()
        ])
    );
    for s in policy_doc(&admin, "MlflowPolicy").unwrap()["Statement"].as_array().unwrap() {
        let on_server = s["Action"].as_array().unwrap().iter().all(|a| a.as_str().unwrap().starts_with("sagemaker"));
        if on_server {
            assert_eq!(s["Resource"], json!([server]), "scoped to the server's ARN");
        } else {
            // The artifact store: the server's bucket, or the org's key for it.
            let r = s["Resource"].to_string();
            assert!(r.contains("initech-mlflow-artifacts") || r.contains(":kms:"), "{r}");
        }
    }
    assert!(policy_doc(&stack(&text, "initech-team-jobs"), "MlflowPolicy").is_none(), "no tier, no policy");
}

#[test]
fn the_managed_server_is_retained_with_its_bucket_and_a_scoped_service_role() {
    let mlflow = stack(&example("personas.yaml"), "initech-mlflow");
    let server = &mlflow["Resources"]["TrackingServer"];
    assert_eq!(server["DeletionPolicy"], "Retain");
    // Through the bucket, so that CloudFormation creates it before the server.
    assert_eq!(server["Properties"]["ArtifactStoreUri"], json!({"Fn::Sub": "s3://${ArtifactBucket}/mlflow"}));
    assert_eq!(server["Properties"]["RoleArn"], json!({"Fn::GetAtt": ["ServiceRole", "Arn"]}));
    assert_eq!(mlflow["Resources"]["ArtifactBucket"]["DeletionPolicy"], "Retain");
    let s3: Vec<Value> = mlflow["Resources"]["ServicePolicy"]["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["Action"].as_array().unwrap().iter().any(|a| a.as_str().unwrap().starts_with("s3:")))
        .flat_map(|s| s["Resource"].as_array().unwrap().clone())
        .collect();
    assert_eq!(
        s3,
        [
            json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::initech-mlflow-artifacts"}),
            json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::initech-mlflow-artifacts/*"})
        ]
    );
}

fn routes(template: &Value) -> BTreeSet<String> {
    policy_doc(template, "MlflowPolicy").unwrap()["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .inspect(|s| assert_eq!(s["Action"], json!(["execute-api:Invoke"])))
        .flat_map(|s| {
            s["Resource"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["Fn::Sub"].as_str().unwrap().rsplit_once("a1b2c3d4e5/").unwrap().1.to_owned())
        })
        .collect()
}

#[test]
fn api_gateway_tiers_invoke_exactly_their_mlflow_routes() {
    let text = example("mlflow-gateway.yaml");
    let reader = routes(&stack(&text, "hooli-team-viewers"));
    assert_eq!(
        reader,
        BTreeSet::from([
            "prod/GET/api/2.0/mlflow/*".to_owned(),
            "prod/GET/api/2.0/mlflow-artifacts/*".to_owned(),
            "prod/POST/api/2.0/mlflow/experiments/search".to_owned(),
            "prod/POST/api/2.0/mlflow/runs/search".to_owned(),
        ])
    );
    assert!(
        reader.iter().all(|r| r.contains("/GET/") || r.ends_with("/search")),
        "reader: only GET and the POST searches"
    );
    let approver = routes(&stack(&text, "hooli-team-reviewers"));
    let added: BTreeSet<String> = approver.difference(&reader).cloned().collect();
    assert_eq!(
        added,
        BTreeSet::from([
            "prod/PATCH/api/2.0/mlflow/model-versions/*".to_owned(),
            "prod/PATCH/api/2.0/mlflow/registered-models/*".to_owned(),
            "prod/POST/api/2.0/mlflow/model-versions/*".to_owned(),
            "prod/POST/api/2.0/mlflow/registered-models/*".to_owned(),
        ])
    );
    assert!(
        !approver
            .iter()
            .any(|r| r.contains("/runs/create") || r.contains("/DELETE/") || r.contains("experiments/create"))
    );
    assert_eq!(routes(&stack(&text, "hooli-team-modelers")), BTreeSet::from(["prod/*/*".to_owned()]));
    assert!(policy_doc(&stack(&text, "hooli-team-outsiders"), "MlflowPolicy").is_none());
    let arn =
        policy_doc(&stack(&text, "hooli-team-viewers"), "MlflowPolicy").unwrap()["Statement"][0]["Resource"][0].clone();
    assert_eq!(
        arn,
        json!({"Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:a1b2c3d4e5/prod/GET/api/2.0/mlflow/*"})
    );
}

#[test]
fn the_deployment_role_has_exactly_the_documented_permissions() {
    let d = stack(&example("personas.yaml"), "initech-deployment");
    let role = &d["Resources"]["DeploymentRole"]["Properties"];
    assert_eq!(role["RoleName"], "initech-model-deployment");
    assert_eq!(
        role["AssumeRolePolicyDocument"]["Statement"],
        json!([{"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com", "sagemaker.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}])
    );
    assert_eq!(
        role["ManagedPolicyArns"],
        json!([{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonSageMakerFullAccess"}])
    );
    let allows: Vec<Value> = role["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["Effect"] == "Allow")
        .cloned()
        .collect();
    assert_eq!(
        Value::Array(allows),
        json!([
            {"Sid": "DeploymentBuckets", "Effect": "Allow", "Action": ["s3:PutObjectAcl", "s3:PutObjectTagging"], "Resource": [
                {"Fn::Sub": "arn:${AWS::Partition}:s3:::mlflow-sagemaker-*-${AWS::AccountId}"},
                {"Fn::Sub": "arn:${AWS::Partition}:s3:::mlflow-sagemaker-*-${AWS::AccountId}/*"}]},
            {"Sid": "ReadOwnRole", "Effect": "Allow", "Action": ["iam:GetRole"], "Resource": [
                {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/initech-model-deployment"}]},
            {"Sid": "FindModelImages", "Effect": "Allow", "Action": ["ecr:DescribeRepositories"], "Resource": [
                {"Fn::Sub": "arn:${AWS::Partition}:ecr:*:${AWS::AccountId}:repository/*"}]}
        ])
    );
    // AmazonSageMakerFullAccess would let the role open anyone's Studio: denied explicitly.
    let denies: Vec<&Value> = role["Policies"][0]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["Effect"] == "Deny")
        .collect();
    let sids: Vec<&str> = denies.iter().map(|s| s["Sid"].as_str().unwrap()).collect();
    assert_eq!(sids, ["DenyStudio", "DenyRetaggingIsolationTags", "DenyTeamRoles"]);
    assert!(denies[0]["Action"].as_array().unwrap().contains(&json!("sagemaker:CreatePresignedDomainUrl")));
    assert_eq!(d["Resources"]["DeploymentInstanceProfile"]["Properties"]["Roles"], json!([{"Ref": "DeploymentRole"}]));
    let pass = &d["Resources"]["PassRolePolicy"]["Properties"];
    assert_eq!(
        pass["PolicyDocument"]["Statement"],
        json!([{"Sid": "PassDeploymentRole", "Effect": "Allow", "Action": ["iam:PassRole"], "Resource": [
            {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/initech-model-deployment"}]}])
    );
    assert_eq!(pass["Roles"], json!(["databricks-workspace"]));
    assert_eq!(d["Outputs"]["RoleArn"]["Value"], json!({"Fn::GetAtt": ["DeploymentRole", "Arn"]}));
    assert_eq!(
        d["Outputs"]["InstanceProfileArn"]["Value"],
        json!({"Fn::GetAtt": ["DeploymentInstanceProfile", "Arn"]})
    );
}

#[test]
fn identity_center_domains_profiles_groups_and_admins_are_wired() {
    let text = example("sso.yaml");
    let domain = stack(&text, "piedpiper-domain-compression");
    assert_eq!(domain["Resources"]["Domain"]["Properties"]["AuthMode"], "SSO");
    assert_eq!(
        domain["Outputs"]["SingleSignOnApplicationArn"]["Value"],
        json!({"Fn::GetAtt": ["Domain", "SingleSignOnApplicationArn"]})
    );
    let users = stack(&text, "piedpiper-users-compression-1");
    let p = &users["Resources"]["ProfileRichard"]["Properties"];
    assert_eq!(
        (&p["SingleSignOnUserIdentifier"], &p["SingleSignOnUserValue"]),
        (&json!("UserName"), &json!("richard"))
    );
    // Identity Center's objects are deployed in its own account, apart from Studio's: the
    // domains' applications and the workload account are parameters there.
    let team = stack(&text, "piedpiper-team-compression");
    let in_team = |t: &Value| {
        t["Resources"].as_object().unwrap().values().any(|r| r["Type"].as_str().unwrap().starts_with("AWS::SSO::"))
    };
    assert!(!in_team(&team));
    let access = stack(&text, "piedpiper-access");
    assert!(!in_team(&access));
    let idc = stack(&text, "piedpiper-identity-center");
    assert_eq!(
        idc["Resources"]["CompressionSsoGroupf0e1d2c3aaaabbbbccccddddeeeeffff"]["Properties"],
        json!({"ApplicationArn": {"Ref": "CompressionApplicationArn"},
               "PrincipalId": "f0e1d2c3-aaaa-bbbb-cccc-ddddeeeeffff", "PrincipalType": "GROUP"})
    );
    let apps: Vec<&Value> = idc["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::SSO::ApplicationAssignment")
        .map(|r| &r["Properties"]["ApplicationArn"])
        .collect();
    assert_eq!(apps, [&json!({"Ref": "CompressionApplicationArn"}), &json!({"Ref": "PlatformApplicationArn"})]);
    assert!(
        idc["Parameters"]["PlatformApplicationArn"]["Description"]
            .as_str()
            .unwrap()
            .contains("output SingleSignOnApplicationArn of stack piedpiper-domain-platform")
    );
    let set = &idc["Resources"]["AdminPermissionSet"]["Properties"];
    assert_eq!(set["Name"], "piedpiper-StudioAdmin");
    assert_eq!(set["InstanceArn"], "arn:aws:sso:::instance/ssoins-1234567890abcdef");
    assert!(
        set["InlinePolicy"]["Statement"].as_array().unwrap().iter().any(|s| s["Sid"] == "DenyProfilesWithoutUserTag")
    );
    assert_eq!(
        idc["Resources"]["AdminGroupa1b2c3d4111122223333444455556666"]["Properties"],
        json!({"InstanceArn": "arn:aws:sso:::instance/ssoins-1234567890abcdef",
               "PermissionSetArn": {"Fn::GetAtt": ["AdminPermissionSet", "PermissionSetArn"]},
               "PrincipalId": "a1b2c3d4-1111-2222-3333-444455556666", "PrincipalType": "GROUP",
               "TargetId": {"Ref": "TargetAccountId"}, "TargetType": "AWS_ACCOUNT"})
    );
    assert!(access["Resources"].get("LoginPolicy").is_none(), "people open Studio through Identity Center");
}

#[test]
fn unknown_personas_and_activities_list_the_valid_names() {
    let base = common::minimal();
    let text = base
        .replace("    buckets: [acme-vision-data]\n", "    buckets: [acme-vision-data]\n    persona: data-scientst\n");
    let Err(studioform::Error::Invalid { diags, .. }) = studioform::config::load_str("x.yaml", text) else { panic!() };
    assert_eq!(diags[0].message, "unknown persona `data-scientst`");
    assert_eq!(
        diags[0].help.as_deref(),
        Some("did you mean `data-scientist`? personas defined: `data-scientist`, `mlops`, `compute`")
    );
    let text = format!("{base}personas:\n  analyst:\n    activities: [run-studio-ap]\n");
    let Err(studioform::Error::Invalid { diags, .. }) = studioform::config::load_str("x.yaml", text) else { panic!() };
    assert_eq!(diags[0].message, "`run-studio-ap` is not a valid value");
    assert!(
        diags[0]
            .help
            .as_deref()
            .unwrap()
            .starts_with("did you mean `run-studio-app`? valid values: `run-studio-app`, `manage-ml-jobs`"),
        "{:?}",
        diags[0].help
    );
    let text =
        base.replace("    buckets: [acme-vision-data]\n", "    buckets: [acme-vision-data]\n    mlflow: reader\n");
    let Err(studioform::Error::Invalid { diags, .. }) = studioform::config::load_str("x.yaml", text) else { panic!() };
    assert!(diags[0].message.contains("has an MLflow tier but the org has no `mlflow` section"));
}

#[test]
fn the_team_product_grants_each_team_what_its_stack_does() {
    // The product reads each team's flags from the same function the stacks use.
    let text = example("personas.yaml").replace("catalog", "x")
        + "\ncatalog:\n  portfolio: P\n  provider: Q\n  products: [team]\n";
    let product = stack(&text, "team");
    let teams = &product["Mappings"]["Teams"];
    assert_eq!(teams["science"]["ManageMlJobs"], "true");
    assert_eq!(teams["science"]["ManageEndpoints"], "false");
    assert_eq!(teams["platform"]["ManageEndpoints"], "true");
    assert_eq!(teams["jobs"]["AccessAwsServices"], "true");
    assert_eq!(teams["science"]["MlflowAdmin"], "true");
    assert_eq!(product["Resources"]["ManageEndpointsPolicy"]["Condition"], "GrantsManageEndpoints");
    assert_eq!(
        product["Conditions"]["GrantsManageEndpoints"],
        json!({"Fn::Equals": [{"Fn::FindInMap": ["Teams", {"Ref": "TeamName"}, "ManageEndpoints"]}, "true"]})
    );
    assert!(product["Resources"]["ExecutionRole"]["Properties"]["ManagedPolicyArns"].as_array().unwrap().contains(
        &json!({"Fn::If": ["GrantsManageEndpoints", {"Ref": "ManageEndpointsPolicy"}, {"Ref": "AWS::NoValue"}]})
    ));
}

#[test]
fn the_team_products_read_policy_exists_only_for_teams_it_grants_something() {
    // A compute team reads nothing in Studio: every statement of the read policy would drop
    // out, and IAM refuses a policy without statements.
    let product = stack(&example("acme.yaml"), "team");
    assert_eq!(product["Resources"]["ReadPolicy"]["Condition"], "GrantsBaselineOrRunStudioAppOrSearchExperiments");
    let arns = product["Resources"]["ExecutionRole"]["Properties"]["ManagedPolicyArns"].as_array().unwrap();
    assert!(arns.contains(&json!({"Fn::If": ["GrantsBaselineOrRunStudioAppOrSearchExperiments", {"Ref": "ReadPolicy"}, {"Ref": "AWS::NoValue"}]})));
}
