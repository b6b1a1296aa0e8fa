//! The model-deployment role: what an external platform (MLflow's SageMaker deployment,
//! Databricks) deploys models to SageMaker with. Trusted by EC2 (the platform's cluster,
//! through the instance profile) and SageMaker (the role is also the model's execution role).

use super::Stack;
use super::layout::{Layout, StackKind, role_arn};
use crate::config::Org;
use crate::model::iam::{PolicyDocument, Principal, Statement};
use crate::model::resources::{InlinePolicy, InstanceProfile, ManagedPolicy, Role};
use crate::model::{Resource, Template, Value};
use crate::path;

/// The role's stack, when the org asks for it.
pub(super) fn stack(org: &Org) -> Option<Stack> {
    let d = org.deployment.as_ref().filter(|d| d.role)?;
    let layout = Layout::new(org);
    let name = format!("{}-model-deployment", org.name);
    let origin = path!["deployment"];
    let mut t = Template::new(format!("studioform: the model-deployment role of {}", org.name));
    let own = role_arn(&name);
    let deploy = PolicyDocument::new(vec![
        Statement::allow(
            ["s3:PutObjectAcl", "s3:PutObjectTagging"],
            vec![
                Value::sub("arn:${AWS::Partition}:s3:::mlflow-sagemaker-*-${AWS::AccountId}"),
                Value::sub("arn:${AWS::Partition}:s3:::mlflow-sagemaker-*-${AWS::AccountId}/*"),
            ],
        )
        .sid("DeploymentBuckets"),
        Statement::allow(["iam:GetRole"], vec![own.clone()]).sid("ReadOwnRole"),
        Statement::allow(
            ["ecr:DescribeRepositories"],
            vec![Value::sub("arn:${AWS::Partition}:ecr:*:${AWS::AccountId}:repository/*")],
        )
        .sid("FindModelImages"),
        // AmazonSageMakerFullAccess lets its holder open anyone's Studio, administer profiles
        // and domains and pass any role to SageMaker: the role deploys models, nothing else.
        Statement::deny(
            [
                "sagemaker:CreateApp",
                "sagemaker:CreatePresignedDomainUrl",
                "sagemaker:CreateSpace",
                "sagemaker:DeleteApp",
                "sagemaker:DeleteSpace",
                "sagemaker:UpdateSpace",
            ]
            .into_iter()
            .chain(crate::estate::team::STUDIO_ADMIN.iter().copied()),
            crate::model::iam::any(),
        )
        .sid("DenyStudio"),
        Statement::deny(["sagemaker:AddTags", "sagemaker:DeleteTags"], crate::model::iam::any())
            .sid("DenyRetaggingIsolationTags")
            .when(
                "ForAnyValue:StringEquals",
                "aws:TagKeys",
                Value::strs([org.identity.user_tag.as_str(), crate::ids::TEAM_TAG, crate::ids::OWNER_TAG]),
            )
            .when("Null", "sagemaker:TaggingAction", "true"),
        Statement::deny(["iam:PassRole"], vec![role_arn(&layout.team_role_pattern())]).sid("DenyTeamRoles"),
    ]);
    let role = Role {
        role_name: Some(Value::from(&name)),
        description: Some("studioform: role external platforms deploy models to SageMaker with".into()),
        assume_role_policy_document: PolicyDocument::new(vec![Statement::trust(
            Principal::Service(vec!["ec2.amazonaws.com".into(), "sagemaker.amazonaws.com".into()]),
            ["sts:AssumeRole"],
        )]),
        managed_policy_arns: vec![Value::sub("arn:${AWS::Partition}:iam::aws:policy/AmazonSageMakerFullAccess")],
        policies: vec![InlinePolicy { policy_name: "model-deployment".into(), policy_document: deploy }],
        tags: Vec::new(),
    };
    t.add("DeploymentRole", Resource::new(&role, origin.clone()));
    t.add(
        "DeploymentInstanceProfile",
        Resource::new(
            &InstanceProfile {
                instance_profile_name: Value::from(&name),
                roles: vec![Value::reference("DeploymentRole")],
            },
            origin.clone(),
        ),
    );
    let principals = &d.pass_role_principals;
    let names = |kind: &str| -> Vec<Value> {
        principals
            .iter()
            .filter_map(|arn| {
                arn.splitn(6, ':')
                    .nth(5)?
                    .split_once('/')
                    .filter(|(k, _)| *k == kind)
                    .map(|(_, p)| p.rsplit('/').next().map(Value::from))
            })
            .flatten()
            .collect()
    };
    let pass = ManagedPolicy {
        description: Some("studioform: pass the model-deployment role, and only it".into()),
        policy_document: PolicyDocument::new(vec![
            Statement::allow(["iam:PassRole"], vec![own]).sid("PassDeploymentRole"),
        ]),
        roles: names("role"),
        users: names("user"),
        ..ManagedPolicy::default()
    };
    t.add("PassRolePolicy", Resource::new(&pass, path!["deployment", "pass_role_principals"]));
    let stack = layout.deployment_stack();
    t.output(
        "RoleArn",
        "ARN of the model-deployment role",
        Value::get_att("DeploymentRole", "Arn"),
        Some(Layout::export(&stack, "RoleArn")),
    );
    t.output(
        "InstanceProfileArn",
        "ARN of its instance profile, for the platform's cluster",
        Value::get_att("DeploymentInstanceProfile", "Arn"),
        Some(Layout::export(&stack, "InstanceProfileArn")),
    );
    t.output("PassRolePolicyArn", "Policy that passes the role", Value::reference("PassRolePolicy"), None);
    Some(Stack::new(stack, StackKind::Deployment, t))
}
