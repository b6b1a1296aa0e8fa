//! Typed properties of the resource types studioform emits, serialized with
//! CloudFormation's own names. Each links its reference page.

use serde::Serialize;

use super::iam::PolicyDocument;
use super::template::ResourceType;
use super::value::Value;

/// A resource tag.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// Key.
    pub key: String,
    /// Value.
    pub value: Value,
}

impl Tag {
    /// A tag `key=value`.
    pub fn new(key: &str, value: impl Into<Value>) -> Self {
        Self { key: key.to_owned(), value: value.into() }
    }
}

/// AWS::SageMaker::Domain —
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sagemaker-domain.html>
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Domain {
    /// Domain name (create-only).
    pub domain_name: Value,
    /// `IAM` or `SSO` (create-only).
    pub auth_mode: Value,
    /// Settings for every user profile that does not override them.
    pub default_user_settings: UserSettings,
    /// Settings of shared spaces: their execution role and security groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_space_settings: Option<UserSettings>,
    /// VPC.
    pub vpc_id: Value,
    /// Subnets.
    pub subnet_ids: Value,
    /// `PublicInternetOnly` or `VpcOnly`.
    pub app_network_access_type: Value,
    /// KMS key for the home file system (create-only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<Value>,
    /// Domain-wide settings ([`DomainSettings`], or an intrinsic choosing one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain_settings: Option<Value>,
    /// Tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl ResourceType for Domain {
    const TYPE: &'static str = "AWS::SageMaker::Domain";
}

/// `AWS::SageMaker::Domain.DomainSettings`.
pub struct DomainSettings;

impl DomainSettings {
    /// Settings that propagate the user profile name as `sts:SourceIdentity`.
    pub fn source_identity() -> Value {
        Value::Map([("ExecutionRoleIdentityConfig".to_owned(), Value::from("USER_PROFILE_NAME"))].into_iter().collect())
    }
}

/// `UserSettings` of a domain or user profile.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserSettings {
    /// The execution role ARN.
    pub execution_role: Value,
    /// Security groups for apps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_groups: Option<Value>,
}

/// AWS::SageMaker::UserProfile —
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sagemaker-userprofile.html>
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserProfile {
    /// The domain (create-only).
    pub domain_id: Value,
    /// Profile name (create-only): checked `^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$`.
    pub user_profile_name: Value,
    /// Settings; the execution role lives here and updates in place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_settings: Option<UserSettings>,
    /// Identity Center: always `UserName` (create-only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub single_sign_on_user_identifier: Option<&'static str>,
    /// Identity Center: the person's user name (create-only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub single_sign_on_user_value: Option<Value>,
    /// Tags: create-only, so only tags that never change for the person.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl ResourceType for UserProfile {
    const TYPE: &'static str = "AWS::SageMaker::UserProfile";
}

/// AWS::IAM::Role —
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html>
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Role {
    /// Role name (create-only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_name: Option<Value>,
    /// What the role is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Who may assume it.
    pub assume_role_policy_document: PolicyDocument,
    /// Managed policies attached.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub managed_policy_arns: Vec<Value>,
    /// Inline policies.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<InlinePolicy>,
    /// Tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

/// An inline policy of a role, user or group.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InlinePolicy {
    /// Name, unique on the role.
    pub policy_name: String,
    /// The document.
    pub policy_document: PolicyDocument,
}

impl ResourceType for Role {
    const TYPE: &'static str = "AWS::IAM::Role";
}

/// AWS::IAM::ManagedPolicy —
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-managedpolicy.html>
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedPolicy {
    /// Policy name (create-only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managed_policy_name: Option<Value>,
    /// What it grants (create-only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The document.
    pub policy_document: PolicyDocument,
    /// Role names it is attached to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Value>,
    /// User names it is attached to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<Value>,
    /// Group names it is attached to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Value>,
}

impl ResourceType for ManagedPolicy {
    const TYPE: &'static str = "AWS::IAM::ManagedPolicy";
}

/// AWS::EC2::SecurityGroup —
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html>
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroup {
    /// Description (create-only).
    pub group_description: String,
    /// VPC (create-only).
    pub vpc_id: Value,
    /// Tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl ResourceType for SecurityGroup {
    const TYPE: &'static str = "AWS::EC2::SecurityGroup";
}

/// AWS::EC2::SecurityGroupIngress —
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroupingress.html>
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroupIngress {
    /// The group receiving the rule.
    pub group_id: Value,
    /// `-1` for every protocol, `tcp` with ports.
    pub ip_protocol: &'static str,
    /// First port of the range (`tcp` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_port: Option<u16>,
    /// Last port of the range (`tcp` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to_port: Option<u16>,
    /// Traffic from this group is allowed.
    pub source_security_group_id: Value,
    /// What the rule is for.
    pub description: String,
}

impl ResourceType for SecurityGroupIngress {
    const TYPE: &'static str = "AWS::EC2::SecurityGroupIngress";
}

/// AWS::IAM::Group —
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-group.html>
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Group {
    /// Group name (create-only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_name: Option<Value>,
    /// Managed policies attached.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub managed_policy_arns: Vec<Value>,
}

impl ResourceType for Group {
    const TYPE: &'static str = "AWS::IAM::Group";
}

/// AWS::ServiceCatalog::Portfolio —
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-servicecatalog-portfolio.html>
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Portfolio {
    /// Name shown in the catalog.
    pub display_name: String,
    /// Who provides it.
    pub provider_name: String,
    /// What it offers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl ResourceType for Portfolio {
    const TYPE: &'static str = "AWS::ServiceCatalog::Portfolio";
}

/// AWS::ServiceCatalog::CloudFormationProduct —
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-servicecatalog-cloudformationproduct.html>
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CloudFormationProduct {
    /// Product name.
    pub name: String,
    /// Owner.
    pub owner: String,
    /// What it is.
    pub description: String,
    /// Every version, oldest first; versions are matched by name, so earlier ones stay.
    pub provisioning_artifact_parameters: Vec<ProvisioningArtifact>,
}

impl ResourceType for CloudFormationProduct {
    const TYPE: &'static str = "AWS::ServiceCatalog::CloudFormationProduct";
}

/// One version of a product.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProvisioningArtifact {
    /// Version name.
    pub name: String,
    /// What changed.
    pub description: String,
    /// Where the template is.
    pub info: ArtifactInfo,
}

/// Where a version's template is loaded from.
#[derive(Clone, Debug, Serialize)]
pub struct ArtifactInfo {
    /// An `https://` S3 URL.
    #[serde(rename = "LoadTemplateFromURL")]
    pub load_template_from_url: Value,
}

/// AWS::ServiceCatalog::PortfolioProductAssociation.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PortfolioProductAssociation {
    /// Portfolio.
    pub portfolio_id: Value,
    /// Product.
    pub product_id: Value,
}

impl ResourceType for PortfolioProductAssociation {
    const TYPE: &'static str = "AWS::ServiceCatalog::PortfolioProductAssociation";
}

/// AWS::ServiceCatalog::PortfolioPrincipalAssociation.
#[derive(Clone, Debug, Serialize)]
pub struct PortfolioPrincipalAssociation {
    /// Portfolio.
    #[serde(rename = "PortfolioId")]
    pub portfolio_id: Value,
    /// The principal's ARN (AWS spells it `PrincipalARN`).
    #[serde(rename = "PrincipalARN")]
    pub principal_arn: Value,
    /// `IAM`.
    #[serde(rename = "PrincipalType")]
    pub principal_type: &'static str,
}

impl ResourceType for PortfolioPrincipalAssociation {
    const TYPE: &'static str = "AWS::ServiceCatalog::PortfolioPrincipalAssociation";
}

/// AWS::ServiceCatalog::LaunchRoleConstraint: exactly one of `RoleArn` and `LocalRoleName`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LaunchRoleConstraint {
    /// Portfolio.
    pub portfolio_id: Value,
    /// Product.
    pub product_id: Value,
    /// What the constraint is for.
    pub description: String,
    /// The launch role, in this account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<Value>,
    /// The launch role by name, resolved in the launching account (works once shared).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_role_name: Option<Value>,
}

impl ResourceType for LaunchRoleConstraint {
    const TYPE: &'static str = "AWS::ServiceCatalog::LaunchRoleConstraint";
}

/// AWS::ServiceCatalog::TagOption.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagOption {
    /// Key (create-only).
    pub key: String,
    /// Value (create-only).
    pub value: String,
}

impl ResourceType for TagOption {
    const TYPE: &'static str = "AWS::ServiceCatalog::TagOption";
}

/// AWS::ServiceCatalog::TagOptionAssociation.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagOptionAssociation {
    /// Portfolio or product.
    pub resource_id: Value,
    /// The tag option.
    pub tag_option_id: Value,
}

impl ResourceType for TagOptionAssociation {
    const TYPE: &'static str = "AWS::ServiceCatalog::TagOptionAssociation";
}

/// AWS::ServiceCatalog::PortfolioShare.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PortfolioShare {
    /// The account shared with.
    pub account_id: String,
    /// Portfolio.
    pub portfolio_id: Value,
    /// Share the tag options too.
    pub share_tag_options: bool,
}

impl ResourceType for PortfolioShare {
    const TYPE: &'static str = "AWS::ServiceCatalog::PortfolioShare";
}

/// AWS::ServiceCatalog::AcceptedPortfolioShare: the recipient's side of a share —
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-servicecatalog-acceptedportfolioshare.html>
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AcceptedPortfolioShare {
    /// The shared portfolio (create-only).
    pub portfolio_id: Value,
}

impl ResourceType for AcceptedPortfolioShare {
    const TYPE: &'static str = "AWS::ServiceCatalog::AcceptedPortfolioShare";
}

/// AWS::CloudFormation::StackSet —
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-stackset.html>
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StackSet {
    /// Name (create-only).
    pub stack_set_name: String,
    /// Description.
    pub description: String,
    /// `SERVICE_MANAGED`: AWS Organizations deploys to the accounts of the target units.
    pub permission_model: &'static str,
    /// Deploy to accounts that join the units, and what happens when they leave.
    pub auto_deployment: serde_json::Value,
    /// Capabilities the template needs.
    pub capabilities: Vec<&'static str>,
    /// `SELF` or `DELEGATED_ADMIN`.
    pub call_as: Value,
    /// Queue operations rather than fail on conflicts.
    pub managed_execution: serde_json::Value,
    /// How many accounts at once, how many failures tolerated.
    pub operation_preferences: serde_json::Value,
    /// Parameters passed to every stack instance.
    pub parameters: Vec<serde_json::Value>,
    /// Where the instances go.
    pub stack_instances_group: Vec<serde_json::Value>,
    /// The template, by S3 URL.
    #[serde(rename = "TemplateURL")]
    pub template_url: Value,
}

impl ResourceType for StackSet {
    const TYPE: &'static str = "AWS::CloudFormation::StackSet";
}

/// AWS::S3::Bucket —
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucket.html>
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Bucket {
    /// Bucket name (create-only).
    pub bucket_name: Value,
    /// Default encryption.
    pub bucket_encryption: Value,
    /// Public access block.
    pub public_access_block_configuration: Value,
    /// Versioning.
    pub versioning_configuration: Value,
}

impl ResourceType for Bucket {
    const TYPE: &'static str = "AWS::S3::Bucket";
}

/// AWS::S3::BucketPolicy.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BucketPolicy {
    /// The bucket.
    pub bucket: Value,
    /// The policy.
    pub policy_document: PolicyDocument,
}

impl ResourceType for BucketPolicy {
    const TYPE: &'static str = "AWS::S3::BucketPolicy";
}

/// AWS::SageMaker::MlflowTrackingServer —
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sagemaker-mlflowtrackingserver.html>
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MlflowTrackingServer {
    /// Name (create-only).
    pub tracking_server_name: String,
    /// `s3://` URI of the artifact store.
    pub artifact_store_uri: Value,
    /// The service role.
    pub role_arn: Value,
    /// `Small`, `Medium` or `Large`.
    pub tracking_server_size: &'static str,
    /// Register logged models in the SageMaker model registry.
    pub automatic_model_registration: bool,
}

impl ResourceType for MlflowTrackingServer {
    const TYPE: &'static str = "AWS::SageMaker::MlflowTrackingServer";
}

/// AWS::IAM::InstanceProfile.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceProfile {
    /// Name (create-only).
    pub instance_profile_name: Value,
    /// The role (one).
    pub roles: Vec<Value>,
}

impl ResourceType for InstanceProfile {
    const TYPE: &'static str = "AWS::IAM::InstanceProfile";
}

/// AWS::SSO::PermissionSet —
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sso-permissionset.html>
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PermissionSet {
    /// Name (≤32 characters, `[\w+=,.@-]+`).
    pub name: String,
    /// What it grants.
    pub description: String,
    /// The Identity Center instance.
    pub instance_arn: Value,
    /// AWS managed policies.
    pub managed_policies: Vec<Value>,
    /// Inline policy.
    pub inline_policy: PolicyDocument,
    /// ISO-8601 session length.
    pub session_duration: &'static str,
}

impl ResourceType for PermissionSet {
    const TYPE: &'static str = "AWS::SSO::PermissionSet";
}

/// AWS::SSO::Assignment: a permission set for a principal in an account (all create-only).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Assignment {
    /// The Identity Center instance.
    pub instance_arn: Value,
    /// The permission set.
    pub permission_set_arn: Value,
    /// Group or user id.
    pub principal_id: String,
    /// `GROUP` or `USER`.
    pub principal_type: &'static str,
    /// Account id.
    pub target_id: Value,
    /// `AWS_ACCOUNT`.
    pub target_type: &'static str,
}

impl ResourceType for Assignment {
    const TYPE: &'static str = "AWS::SSO::Assignment";
}

/// AWS::SSO::ApplicationAssignment: a principal assigned to an Identity Center application.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ApplicationAssignment {
    /// The application (a Studio domain's `SingleSignOnApplicationArn`).
    pub application_arn: Value,
    /// Group or user id.
    pub principal_id: String,
    /// `GROUP` or `USER`.
    pub principal_type: &'static str,
}

impl ResourceType for ApplicationAssignment {
    const TYPE: &'static str = "AWS::SSO::ApplicationAssignment";
}

/// Declares a resource type whose properties are given as one JSON object built by the
/// caller: for the self-hosted MLflow's many nested property types, each is checked against
/// its provider schema by `validate` like every other resource.
macro_rules! json_resource {
    ($(#[$doc:meta])* $name:ident = $kind:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Serialize)]
        #[serde(transparent)]
        pub struct $name(pub serde_json::Value);

        impl ResourceType for $name {
            const TYPE: &'static str = $kind;
        }
    };
}

json_resource!(
    /// AWS::SecretsManager::Secret —
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-secretsmanager-secret.html>
    Secret = "AWS::SecretsManager::Secret"
);
json_resource!(
    /// AWS::RDS::DBSubnetGroup —
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbsubnetgroup.html>
    DbSubnetGroup = "AWS::RDS::DBSubnetGroup"
);
json_resource!(
    /// AWS::RDS::DBCluster —
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbcluster.html>
    DbCluster = "AWS::RDS::DBCluster"
);
json_resource!(
    /// AWS::RDS::DBInstance —
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-rds-dbinstance.html>
    DbInstance = "AWS::RDS::DBInstance"
);
json_resource!(
    /// AWS::ECS::Cluster —
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-cluster.html>
    EcsCluster = "AWS::ECS::Cluster"
);
json_resource!(
    /// AWS::ECS::TaskDefinition —
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-taskdefinition.html>
    TaskDefinition = "AWS::ECS::TaskDefinition"
);
json_resource!(
    /// AWS::ECS::Service —
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-service.html>
    EcsService = "AWS::ECS::Service"
);
json_resource!(
    /// AWS::Logs::LogGroup —
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-logs-loggroup.html>
    LogGroup = "AWS::Logs::LogGroup"
);
json_resource!(
    /// AWS::ElasticLoadBalancingV2::LoadBalancer —
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-loadbalancer.html>
    LoadBalancer = "AWS::ElasticLoadBalancingV2::LoadBalancer"
);
json_resource!(
    /// AWS::ElasticLoadBalancingV2::TargetGroup —
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-targetgroup.html>
    TargetGroup = "AWS::ElasticLoadBalancingV2::TargetGroup"
);
json_resource!(
    /// AWS::ElasticLoadBalancingV2::Listener —
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-listener.html>
    Listener = "AWS::ElasticLoadBalancingV2::Listener"
);
json_resource!(
    /// AWS::ApiGateway::RestApi —
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-restapi.html>
    RestApi = "AWS::ApiGateway::RestApi"
);
json_resource!(
    /// AWS::ApiGateway::VpcLink (REST APIs: targets Network Load Balancers) —
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-vpclink.html>
    VpcLink = "AWS::ApiGateway::VpcLink"
);
json_resource!(
    /// AWS::ApiGateway::Resource —
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-resource.html>
    ApiResource = "AWS::ApiGateway::Resource"
);
json_resource!(
    /// AWS::ApiGateway::Method —
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-method.html>
    ApiMethod = "AWS::ApiGateway::Method"
);
json_resource!(
    /// AWS::ApiGateway::Deployment —
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-deployment.html>
    ApiDeployment = "AWS::ApiGateway::Deployment"
);
json_resource!(
    /// AWS::ApiGateway::Stage —
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-stage.html>
    ApiStage = "AWS::ApiGateway::Stage"
);
json_resource!(
    /// AWS::ApiGateway::Authorizer —
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-apigateway-authorizer.html>
    Authorizer = "AWS::ApiGateway::Authorizer"
);
json_resource!(
    /// AWS::Lambda::Function —
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-function.html>
    Function = "AWS::Lambda::Function"
);
json_resource!(
    /// AWS::Lambda::Permission —
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-permission.html>
    LambdaPermission = "AWS::Lambda::Permission"
);
json_resource!(
    /// AWS::Cognito::UserPool —
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cognito-userpool.html>
    UserPool = "AWS::Cognito::UserPool"
);
json_resource!(
    /// AWS::Cognito::UserPoolClient —
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cognito-userpoolclient.html>
    UserPoolClient = "AWS::Cognito::UserPoolClient"
);
json_resource!(
    /// AWS::Cognito::UserPoolGroup —
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cognito-userpoolgroup.html>
    UserPoolGroup = "AWS::Cognito::UserPoolGroup"
);
json_resource!(
    /// AWS::Cognito::UserPoolDomain —
    /// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cognito-userpooldomain.html>
    UserPoolDomain = "AWS::Cognito::UserPoolDomain"
);
