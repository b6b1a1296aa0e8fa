//! MLflow: the managed tracking server's stack (server, artifact bucket, service role), and
//! the statements of each access tier, for a managed server (`sagemaker-mlflow:*` actions on
//! the server's ARN) or a self-hosted MLflow behind API Gateway (`execute-api:Invoke` on the
//! REST routes each tier may call).

use super::Stack;
use super::grants::Switches;
use super::layout::{Layout, StackKind, sagemaker_arn};
use crate::config::{Mlflow, MlflowServer, MlflowSize, Org, Tier};
use crate::model::iam::{PolicyDocument, Principal, Statement};
use crate::model::resources::{Bucket, BucketPolicy, ManagedPolicy, MlflowTrackingServer, Role};
use crate::model::{Resource, Template, Value};
use crate::path;

/// Model-registry writes of the model-approver tier: register models, create versions, move
/// stages, tag and alias them. No run or experiment writes, no deletions.
pub const APPROVER_WRITES: &[&str] = &[
    "sagemaker-mlflow:CreateModelVersion",
    "sagemaker-mlflow:CreateRegisteredModel",
    "sagemaker-mlflow:DeleteRegisteredModelAlias",
    "sagemaker-mlflow:SetModelVersionTag",
    "sagemaker-mlflow:SetRegisteredModelAlias",
    "sagemaker-mlflow:SetRegisteredModelTag",
    "sagemaker-mlflow:TransitionModelVersionStage",
    "sagemaker-mlflow:UpdateModelVersion",
    "sagemaker-mlflow:UpdateRegisteredModel",
];

/// The reader tier: the UI and every `Get*`, `Search*` and `List*` action of the tracking
/// server, from the vendored IAM catalog.
pub fn reader_actions() -> Vec<String> {
    let mut out: Vec<String> = crate::validate::data::catalog()
        .detailed
        .get("sagemaker-mlflow")
        .map(|s| {
            s.actions
                .values()
                .map(|(name, _)| name.clone())
                .filter(|n| n == "AccessUI" || ["Get", "Search", "List"].iter().any(|p| n.starts_with(p)))
                .map(|n| format!("sagemaker-mlflow:{n}"))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// The one route table of a self-hosted MLflow: each tier's REST routes, as method and path
/// below the family prefix. Through the SDK family (`api/`) they become the tiers'
/// `execute-api:Invoke` grants; through the browser family (`ajax-api/`) they become the
/// Cognito authorizer's policies. MLflow serves every REST route under both prefixes.
/// <https://mlflow.org/docs/latest/rest-api.html>
pub const READER_ROUTES: &[(&str, &str)] = &[
    ("GET", "2.0/mlflow/*"),
    ("GET", "2.0/mlflow-artifacts/*"),
    ("POST", "2.0/mlflow/experiments/search"),
    ("POST", "2.0/mlflow/runs/search"),
];

/// Routes the model-approver tier adds: registry writes (MLflow 2 updates models with PATCH).
pub const APPROVER_ROUTES: &[(&str, &str)] = &[
    ("PATCH", "2.0/mlflow/model-versions/*"),
    ("PATCH", "2.0/mlflow/registered-models/*"),
    ("POST", "2.0/mlflow/model-versions/*"),
    ("POST", "2.0/mlflow/registered-models/*"),
];

/// Routes only the browser UI calls (artifact downloads, outside the REST prefixes), which
/// every reading tier needs in the browser and no SDK calls.
pub const UI_ROUTES: &[&str] = &["GET/get-artifact", "GET/model-versions/get-artifact"];

/// The Cognito groups of a self-hosted MLflow and the tier each stands for.
pub const GROUPS: &[(&str, Tier)] =
    &[("admins", Tier::Admin), ("model-approvers", Tier::ModelApprover), ("readers", Tier::Reader)];

/// Who calls a route: SDKs with SigV4 (IAM authorization, `/api/...`) or the browser UI with
/// a Cognito token (the Lambda authorizer, `/ajax-api/...` and the UI's own routes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    /// SDKs, Studio and jobs: IAM authorization.
    Sdk,
    /// The browser UI: the Cognito authorizer.
    Browser,
}

/// The routes (`METHOD/path` below the stage, `*` matching anything) `tier` may call as
/// `caller`: the same table for both, under the caller's prefix.
pub fn tier_routes(tier: Tier, caller: Caller) -> Vec<String> {
    let prefix = match caller {
        Caller::Sdk => "api",
        Caller::Browser => "ajax-api",
    };
    let rest = |list: &[(&str, &str)]| list.iter().map(|(m, p)| format!("{m}/{prefix}/{p}")).collect::<Vec<_>>();
    let mut out = match tier {
        Tier::None => return Vec::new(),
        Tier::Admin => return vec!["*/*".to_owned()],
        Tier::Reader => rest(READER_ROUTES),
        Tier::ModelApprover => [rest(READER_ROUTES), rest(APPROVER_ROUTES)].concat(),
    };
    if caller == Caller::Browser {
        out.extend(UI_ROUTES.iter().map(|r| (*r).to_owned()));
    }
    out
}

/// The authorizer's route table: each Cognito group and the routes its tier may call from
/// the browser, as JSON.
pub fn authorizer_routes() -> serde_json::Value {
    GROUPS
        .iter()
        .map(|(group, tier)| ((*group).to_owned(), serde_json::json!(tier_routes(*tier, Caller::Browser))))
        .collect()
}

/// The ARN of the managed tracking server.
fn server_arn(name: &str) -> Value {
    sagemaker_arn(&format!("mlflow-tracking-server/{name}"))
}

/// An API Gateway route ARN under the MLflow API's stage: the org file's API, or the one the
/// self-hosted MLflow stack exports.
fn route(org: &Org, m: &Mlflow, route: &str) -> Value {
    if m.server == MlflowServer::SelfHosted {
        let stack = Layout::new(org).mlflow_stack();
        let mut vars = indexmap::IndexMap::new();
        vars.insert("Api".to_owned(), Value::import(Layout::export(&stack, "RestApiId")));
        vars.insert("Stage".to_owned(), Value::import(Layout::export(&stack, "Stage")));
        return Value::sub_with(
            format!(
                "arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{Api}}/${{Stage}}/{route}"
            ),
            vars,
        );
    }
    let api = m.rest_api_id.as_deref().unwrap_or_default();
    let stage = m.stage.as_deref().unwrap_or_default();
    Value::sub(format!(
        "arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:{api}/{stage}/{route}"
    ))
}

/// The statements of a team's MLflow tier; empty when the org has no MLflow.
pub(super) fn tier_statements(org: &Org, switches: &Switches) -> Vec<Statement> {
    let Some(m) = &org.mlflow else { return Vec::new() };
    let readers = switches.any(&["MlflowReader", "MlflowModelApprover"]);
    let approvers = switches.flag("MlflowModelApprover");
    let admins = switches.flag("MlflowAdmin");
    let mut out = Vec::new();
    match m.server {
        MlflowServer::Managed => {
            let server = || vec![server_arn(m.name.as_deref().unwrap_or_default())];
            let ui = ["sagemaker:CreatePresignedMlflowTrackingServerUrl", "sagemaker:DescribeMlflowTrackingServer"];
            if let Some(when) = switches.any(&["MlflowAdmin", "MlflowReader", "MlflowModelApprover"]).condition() {
                out.push(Statement::allow(ui, server()).sid("OpenMlflowUi").only_if(when));
            }
            if let Some(when) = readers.condition() {
                out.push(Statement::allow(reader_actions(), server()).sid("ReadMlflow").only_if(when));
            }
            if let Some(when) = approvers.condition() {
                out.push(Statement::allow(APPROVER_WRITES, server()).sid("ApproveModels").only_if(when));
            }
            if let Some(when) = admins.condition() {
                out.push(Statement::allow(["sagemaker-mlflow:*"], server()).sid("AdministerMlflow").only_if(when));
            }
            // The MLflow client reads and writes run artifacts in the artifact store with the
            // caller's own credentials: every tier reads them, admins also write.
            // <https://github.com/aws/sagemaker-mlflow>
            let bucket = m.artifact_bucket.as_deref().unwrap_or_default();
            let objects = || vec![Value::sub(format!("arn:${{AWS::Partition}}:s3:::{bucket}/*"))];
            let any_tier = switches.any(&["MlflowAdmin", "MlflowReader", "MlflowModelApprover"]);
            if let Some(when) = any_tier.condition() {
                out.push(
                    Statement::allow(
                        ["s3:GetBucketLocation", "s3:ListBucket"],
                        vec![Value::sub(format!("arn:${{AWS::Partition}}:s3:::{bucket}"))],
                    )
                    .sid("ListMlflowArtifacts")
                    .only_if(when),
                );
                out.push(Statement::allow(["s3:GetObject"], objects()).sid("ReadMlflowArtifacts").only_if(when));
            }
            if let Some(when) = admins.condition() {
                out.push(
                    Statement::allow(["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:PutObject"], objects())
                        .sid("WriteMlflowArtifacts")
                        .only_if(when),
                );
            }
            if let Some(key) = org.encryption.as_ref().and_then(|e| e.kms_key_arn.as_ref())
                && let Some(when) = any_tier.condition()
            {
                out.push(
                    Statement::allow(["kms:Decrypt", "kms:GenerateDataKey"], vec![Value::from(key)])
                        .sid("MlflowArtifactKey")
                        .only_if(when),
                );
            }
        }
        MlflowServer::ApiGateway | MlflowServer::SelfHosted => {
            // Each statement adds what its tier has beyond the tier below: readers' routes
            // serve approvers too. Together they are exactly `tier_routes(tier, Caller::Sdk)`.
            let routes = |list: Vec<String>| list.iter().map(|r| route(org, m, r)).collect::<Vec<_>>();
            let reader = tier_routes(Tier::Reader, Caller::Sdk);
            let approver: Vec<String> =
                tier_routes(Tier::ModelApprover, Caller::Sdk).into_iter().filter(|r| !reader.contains(r)).collect();
            if let Some(when) = readers.condition() {
                out.push(Statement::allow(["execute-api:Invoke"], routes(reader)).sid("ReadMlflow").only_if(when));
            }
            if let Some(when) = approvers.condition() {
                out.push(Statement::allow(["execute-api:Invoke"], routes(approver)).sid("ApproveModels").only_if(when));
            }
            if let Some(when) = admins.condition() {
                out.push(
                    Statement::allow(["execute-api:Invoke"], routes(tier_routes(Tier::Admin, Caller::Sdk)))
                        .sid("AdministerMlflow")
                        .only_if(when),
                );
            }
        }
    }
    out
}

/// The managed tracking server's stack, when the org runs one.
pub(super) fn stack(org: &Org) -> Option<Stack> {
    let m = org.mlflow.as_ref().filter(|m| m.server == MlflowServer::Managed)?;
    let name = m.name.clone().unwrap_or_default();
    let bucket = m.artifact_bucket.clone().unwrap_or_default();
    let origin = path!["mlflow"];
    let key = org.encryption.as_ref().and_then(|e| e.kms_key_arn.clone());
    let mut t = Template::new(format!("studioform: managed MLflow tracking server {name} of {}", org.name));

    let (bucket_arn, objects_arn) = artifact_store(&mut t, &bucket, key.as_deref(), &origin);

    let mut statements = vec![
        Statement::allow(["s3:GetBucketLocation", "s3:ListBucket"], vec![bucket_arn]).sid("ListArtifacts"),
        Statement::allow(["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], vec![objects_arn])
            .sid("ReadWriteArtifacts"),
        // Automatic model registration writes to the SageMaker model registry.
        Statement::allow(
            [
                "sagemaker:AddTags",
                "sagemaker:CreateModelPackage",
                "sagemaker:CreateModelPackageGroup",
                "sagemaker:DescribeModelPackageGroup",
                "sagemaker:UpdateModelPackage",
            ],
            vec![sagemaker_arn("model-package-group/*"), sagemaker_arn("model-package/*")],
        )
        .sid("RegisterModels"),
    ];
    if let Some(k) = &key {
        statements
            .push(Statement::allow(["kms:Decrypt", "kms:GenerateDataKey"], vec![Value::from(k)]).sid("UseOrgKey"));
    }
    t.add(
        "ServicePolicy",
        Resource::new(
            &ManagedPolicy {
                description: Some("studioform: what the MLflow tracking server needs".into()),
                policy_document: PolicyDocument::new(statements),
                ..ManagedPolicy::default()
            },
            origin.clone(),
        ),
    );
    let role = Role {
        description: Some(format!("studioform: service role of MLflow tracking server {name}")),
        assume_role_policy_document: PolicyDocument::new(vec![Statement::trust(
            Principal::Service(vec!["sagemaker.amazonaws.com".into()]),
            ["sts:AssumeRole"],
        )]),
        managed_policy_arns: vec![Value::reference("ServicePolicy")],
        ..Role::default()
    };
    t.add("ServiceRole", Resource::new(&role, origin.clone()));
    let server = MlflowTrackingServer {
        tracking_server_name: name.clone(),
        // Through the bucket's own name, so that CloudFormation creates the bucket first.
        artifact_store_uri: Value::sub("s3://${ArtifactBucket}/mlflow"),
        role_arn: Value::get_att("ServiceRole", "Arn"),
        tracking_server_size: match m.size.unwrap_or(MlflowSize::Small) {
            MlflowSize::Small => "Small",
            MlflowSize::Medium => "Medium",
            MlflowSize::Large => "Large",
        },
        automatic_model_registration: false,
    };
    // Experiments, runs and the registry live in the server: retained like people's homes.
    t.add("TrackingServer", Resource::new(&server, origin).retained());
    let stack = Layout::new(org).mlflow_stack();
    t.output(
        "TrackingServerArn",
        "ARN of the MLflow tracking server",
        Value::get_att("TrackingServer", "TrackingServerArn"),
        Some(Layout::export(&stack, "TrackingServerArn")),
    );
    t.output("ArtifactBucket", "Bucket of the server's artifacts", Value::reference("ArtifactBucket"), None);
    Some(Stack::new(stack, StackKind::Mlflow, t))
}

/// The artifact store of an MLflow: people's work, so kept when the stack goes (versioned,
/// public access blocked, encrypted with the org's key where set), reached over TLS only.
/// Adds `ArtifactBucket` and its policy to `t`; returns the bucket's and its objects' ARNs.
pub(super) fn artifact_store(
    t: &mut Template,
    bucket: &str,
    key: Option<&str>,
    origin: &crate::path::Path,
) -> (Value, Value) {
    let encryption = match key {
        Some(k) => {
            serde_json::json!({"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": k}, "BucketKeyEnabled": true}]})
        }
        None => {
            serde_json::json!({"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
        }
    };
    let props = Bucket {
        bucket_name: Value::from(bucket),
        bucket_encryption: Value::json(encryption),
        public_access_block_configuration: Value::json(serde_json::json!({
            "BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true
        })),
        versioning_configuration: Value::json(serde_json::json!({"Status": "Enabled"})),
    };
    t.add("ArtifactBucket", Resource::new(&props, origin.clone()).retained());
    let bucket_arn = Value::sub(format!("arn:${{AWS::Partition}}:s3:::{bucket}"));
    let objects_arn = Value::sub(format!("arn:${{AWS::Partition}}:s3:::{bucket}/*"));
    let tls = BucketPolicy {
        bucket: Value::reference("ArtifactBucket"),
        policy_document: PolicyDocument::new(vec![Statement {
            principal: Some(Principal::Aws(vec![Value::from("*")])),
            ..Statement::deny(["s3:*"], vec![bucket_arn.clone(), objects_arn.clone()])
                .sid("DenyInsecureTransport")
                .when("Bool", "aws:SecureTransport", "false")
        }]),
    };
    t.add("ArtifactBucketPolicy", Resource::new(&tls, origin.clone()));
    (bucket_arn, objects_arn)
}
