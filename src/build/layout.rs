//! The one place that decides stacks, stack names, file names, deploy order, export names
//! and the names of IAM roles. Every name derives from org-file names only, so adding or
//! removing something never renames anything else.

use crate::config::Org;
use crate::model::Value;

/// What a stack holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StackKind {
    /// One Studio domain.
    Domain,
    /// One team's execution role and policies.
    Team,
    /// Admin and login policies, SAML role.
    Access,
    /// User profiles of one domain (one shard).
    Users,
    /// The managed MLflow tracking server.
    Mlflow,
    /// The model-deployment role.
    Deployment,
    /// The Service Catalog portfolio.
    Portfolio,
    /// A product template, launched through Service Catalog rather than deployed.
    Product,
}

impl StackKind {
    /// Deploy order: a stack may import only from stacks of a lower order. Products are not
    /// deployed as stacks: they are published, then launched from the catalog.
    pub fn order(self) -> Option<u32> {
        match self {
            Self::Domain | Self::Mlflow => Some(1),
            Self::Team | Self::Deployment => Some(2),
            Self::Access => Some(3),
            Self::Users => Some(4),
            Self::Portfolio => Some(5),
            Self::Product => None,
        }
    }
}

/// Most user profiles placed in one users stack: below CloudFormation's 500 resources.
pub const PROFILES_PER_STACK: usize = 400;

/// Names for one org.
#[derive(Clone, Copy, Debug)]
pub struct Layout<'a> {
    org: &'a str,
}

impl<'a> Layout<'a> {
    /// The layout of `org`.
    pub fn new(org: &'a Org) -> Self {
        Self { org: &org.name }
    }

    /// Stack of a domain.
    pub fn domain_stack(&self, domain: &str) -> String {
        format!("{}-domain-{domain}", self.org)
    }

    /// Stack of a team.
    pub fn team_stack(&self, team: &str) -> String {
        format!("{}-team-{team}", self.org)
    }

    /// The managed MLflow stack.
    pub fn mlflow_stack(&self) -> String {
        format!("{}-mlflow", self.org)
    }

    /// The model-deployment role's stack.
    pub fn deployment_stack(&self) -> String {
        format!("{}-deployment", self.org)
    }

    /// The access-layer stack.
    pub fn access_stack(&self) -> String {
        format!("{}-access", self.org)
    }

    /// A users stack: shard `shard` (from 1) of a domain's profiles.
    pub fn users_stack(&self, domain: &str, shard: usize) -> String {
        format!("{}-users-{domain}-{shard}", self.org)
    }

    /// The export name of `output` in `stack`.
    pub fn export(stack: &str, output: &str) -> String {
        format!("{stack}-{output}")
    }

    /// Imports a domain's id.
    pub fn domain_id(&self, domain: &str) -> Value {
        Value::import(Self::export(&self.domain_stack(domain), "DomainId"))
    }

    /// Imports a team's execution role ARN.
    pub fn team_role_arn(&self, team: &str) -> Value {
        Value::import(Self::export(&self.team_stack(team), "ExecutionRoleArn"))
    }

    /// The name of a team's execution role (fits IAM's 64 characters: org ≤ 20, team ≤ 32).
    pub fn team_role_name(&self, team: &str) -> String {
        format!("{}-team-{team}", self.org)
    }

    /// A pattern matching every team role of the org, for `iam:PassRole`.
    pub fn team_role_pattern(&self) -> String {
        format!("{}-team-*", self.org)
    }

    /// The IAM group for people in iam mode.
    pub fn login_group_name(&self) -> String {
        format!("{}-studio-users", self.org)
    }

    /// The role federated people assume in saml mode.
    pub fn saml_role_name(&self) -> String {
        format!("{}-studio-user", self.org)
    }
}

/// The ARN of an IAM role in this account, by name: `!Sub` so it works in any partition.
pub fn role_arn(name: &str) -> Value {
    Value::sub(format!("arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{name}"))
}

/// A SageMaker ARN in this region and account: `resource` follows `...:<account>:`.
pub fn sagemaker_arn(resource: &str) -> Value {
    Value::sub(format!("arn:${{AWS::Partition}}:sagemaker:${{AWS::Region}}:${{AWS::AccountId}}:{resource}"))
}

/// A SageMaker ARN inside one domain: `${DomainId}` in `resource` is the imported domain id.
pub fn domain_scoped_arn(resource: &str, domain_id: Value) -> Value {
    let mut vars = indexmap::IndexMap::new();
    vars.insert("DomainId".to_owned(), domain_id);
    Value::sub_with(format!("arn:${{AWS::Partition}}:sagemaker:${{AWS::Region}}:${{AWS::AccountId}}:{resource}"), vars)
}
