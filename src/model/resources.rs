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
    pub auth_mode: &'static str,
    /// Settings for every user profile that does not override them.
    pub default_user_settings: UserSettings,
    /// VPC.
    pub vpc_id: Value,
    /// Subnets.
    pub subnet_ids: Value,
    /// `PublicInternetOnly` or `VpcOnly`.
    pub app_network_access_type: &'static str,
    /// KMS key for the home file system (create-only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<Value>,
    /// Domain-wide settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain_settings: Option<DomainSettings>,
    /// Tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

impl ResourceType for Domain {
    const TYPE: &'static str = "AWS::SageMaker::Domain";
}

/// `AWS::SageMaker::Domain.DomainSettings`.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DomainSettings {
    /// `USER_PROFILE_NAME` propagates the profile name as `sts:SourceIdentity`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_role_identity_config: Option<&'static str>,
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
    pub user_profile_name: String,
    /// Settings; the execution role lives here and updates in place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_settings: Option<UserSettings>,
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
    /// Tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
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
    /// `-1` for every protocol.
    pub ip_protocol: &'static str,
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
