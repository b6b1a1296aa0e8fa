//! The org file: its input types (the public contract), loading with locations, and the
//! semantic checks. Nothing else in studioform reads the org file's YAML.
//!
//! The JSON Schema printed by `studioform schema` is generated from these types, and the
//! loader checks the file's shape against that same schema, so the two never disagree.

mod check;
mod load;
mod shape;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub(crate) use check::custom_product_name;
pub use load::{Loaded, Renamed, load, load_str};

/// The org-file format version this build reads.
pub const VERSION: u32 = 1;

/// An organisation's SageMaker Studio estate.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "studioform org file")]
pub struct Org {
    /// Org-file format version; this build reads version 1.
    pub version: u32,
    /// Short org name (lowercase letters, digits, hyphens): prefixes stack, role and export names.
    #[schemars(length(max = 20), pattern(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"))]
    pub name: String,
    /// How people sign in and which tag binds a person to a user profile.
    pub identity: Identity,
    /// The VPC that Studio domains run in.
    pub network: Network,
    /// Encryption settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<Encryption>,
    /// Who administers Studio. In `sso` mode `identity.admin_groups` may take its place.
    #[serde(default)]
    pub admins: Admins,
    /// Studio domains.
    #[schemars(length(min = 1))]
    pub domains: Vec<Domain>,
    /// Teams: each gets an execution role isolated by its team tag.
    #[schemars(length(min = 1))]
    pub teams: Vec<Team>,
    /// People: each gets a user profile in their team's domain.
    #[serde(default)]
    pub users: Vec<User>,
    /// Custom personas, by name: activities their teams' roles may perform.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub personas: IndexMap<String, Persona>,
    /// The org's MLflow, which teams reach by their `mlflow` tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mlflow: Option<Mlflow>,
    /// The model-deployment role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment: Option<Deployment>,
    /// A Service Catalog portfolio of launchable Studio products.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<Catalog>,
    /// Account and region quotas AWS raised for this account, where they differ from the
    /// defaults: synth checks the whole estate against these values.
    #[serde(default, skip_serializing_if = "Quotas::is_empty")]
    pub quotas: Quotas,
}

/// Quotas AWS raised for the account (Service Quotas); each unset one has its default. Only
/// quotas that can be raised are listed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Quotas {
    /// CloudFormation stacks per account and region (default 2,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub cloudformation_stacks: Option<u64>,
    /// IAM roles per account (default 1,000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub iam_roles: Option<u64>,
    /// Customer managed IAM policies per account (default 1,500).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub iam_managed_policies: Option<u64>,
    /// Managed policies attached to one IAM role (default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub iam_managed_policies_per_role: Option<u64>,
    /// Service Catalog products per account and region (default 350).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub servicecatalog_products: Option<u64>,
    /// Products in one Service Catalog portfolio (default 150).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub servicecatalog_products_per_portfolio: Option<u64>,
    /// Principals associated with one Service Catalog portfolio (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub servicecatalog_principals_per_portfolio: Option<u64>,
    /// Versions of one Service Catalog product (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub servicecatalog_versions_per_product: Option<u64>,
}

impl Quotas {
    /// True when no quota is declared.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The value declared for the quota `id` (an `id` of `schemas/quotas.json`), if any.
    pub fn declared(&self, id: &str) -> Option<u64> {
        match id {
            "cloudformation_stacks" => self.cloudformation_stacks,
            "iam_roles" => self.iam_roles,
            "iam_managed_policies" => self.iam_managed_policies,
            "iam_managed_policies_per_role" => self.iam_managed_policies_per_role,
            "servicecatalog_products" => self.servicecatalog_products,
            "servicecatalog_products_per_portfolio" => self.servicecatalog_products_per_portfolio,
            "servicecatalog_principals_per_portfolio" => self.servicecatalog_principals_per_portfolio,
            "servicecatalog_versions_per_product" => self.servicecatalog_versions_per_product,
            _ => None,
        }
    }
}

/// Sign-in mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// IAM users; a person's IAM user name is their `id`.
    Iam,
    /// SAML federation; the IdP passes the person's `id` as a session tag.
    Saml,
    /// IAM Identity Center: domains authenticate through it; `id` is the Identity Center
    /// user name.
    Sso,
}

/// Identity settings.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Identity {
    /// `iam`, `saml` or `sso`.
    pub mode: Mode,
    /// Tag key that binds a person to their user profile.
    #[serde(default = "default_user_tag")]
    pub user_tag: String,
    /// The IAM SAML provider (saml mode only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(
        r"^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::[0-9]{12}:saml-provider/[A-Za-z0-9_+=,.@/-]+$"
    ))]
    pub saml_provider_arn: Option<String>,
    /// The IAM Identity Center instance (sso mode only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso_instance_arn: Option<String>,
    /// Identity Center group ids that get the Studio admin permission set (sso mode only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub admin_groups: Vec<String>,
}

fn default_user_tag() -> String {
    "userId".to_owned()
}

/// Network settings shared by every domain.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// The VPC id (`vpc-...`).
    #[schemars(pattern(r"^vpc-[0-9a-f]{8,17}$"))]
    pub vpc_id: String,
    /// Subnets for Studio (`subnet-...`), 1 to 16.
    #[schemars(length(min = 1, max = 16), inner(pattern(r"^subnet-[0-9a-f]{8,17}$")))]
    pub subnet_ids: Vec<String>,
    /// Security groups for Studio apps (`sg-...`), up to 5. When empty, each domain stack
    /// creates one that allows traffic between its own apps.
    #[serde(default)]
    #[schemars(length(max = 5), inner(pattern(r"^sg-[0-9a-f]{8,17}$")))]
    pub security_group_ids: Vec<String>,
    /// Whether Studio apps reach the internet directly. `false` (the default) makes domains
    /// `VpcOnly`: all traffic goes through your VPC.
    #[serde(default)]
    pub internet: bool,
}

/// Encryption settings.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Encryption {
    /// KMS key ARN for Studio storage and team data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(
        r"^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$"
    ))]
    pub kms_key_arn: Option<String>,
}

/// Studio administrators.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Admins {
    /// IAM role or user ARNs that get the Studio admin policy.
    #[schemars(inner(pattern(
        r"^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::[0-9]{12}:(role|user)/[A-Za-z0-9_+=,.@/-]+$"
    )))]
    pub principals: Vec<String>,
}

/// A SageMaker Studio domain.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    /// Domain name (letters, digits, hyphens; up to 40 characters).
    #[schemars(pattern(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"))]
    pub name: String,
    /// Propagate the user profile name as `sourceIdentity`, so teammates can read each
    /// other's work but change only their own.
    #[serde(default)]
    pub source_identity: bool,
}

/// A team: one execution role, isolated from other teams by its team tag.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// Team name (lowercase letters, digits, hyphens; up to 32 characters).
    #[schemars(length(max = 32), pattern(r"^[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub name: String,
    /// The name the team had when its role, team tag and stack were created. Set it when
    /// renaming a team: they keep that name (an IAM role cannot be renamed, and the tag is on
    /// everything the team made), so the rename changes nothing deployed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 32), pattern(r"^[a-z0-9]+(-[a-z0-9]+)*$"))]
    pub previous_name: Option<String>,
    /// The domain the team's people work in.
    pub domain: String,
    /// S3 buckets the team may read and write; no other bucket is reachable.
    #[serde(default)]
    #[schemars(inner(pattern(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")))]
    pub buckets: Vec<String>,
    /// Instance types the team may launch (`ml.t3.medium`...). Empty means any.
    #[serde(default)]
    #[schemars(inner(pattern(r"^ml\.[a-z0-9]+(-[a-z0-9]+)*\.[a-z0-9]+$")))]
    pub instance_types: Vec<String>,
    /// What the team does: `data-scientist`, `mlops`, `compute`, or a key of `personas`.
    /// Without one, the team role may manage any SageMaker resource carrying its tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persona: Option<String>,
    /// The team's access to the org's MLflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mlflow: Option<Tier>,
    /// Identity Center group ids assigned to the team's domain (sso mode).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sso_groups: Vec<String>,
}

/// An MLflow access tier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    /// Everything on the org's MLflow.
    Admin,
    /// Read, search and the UI.
    Reader,
    /// Reader, plus registering models, creating model versions and moving their stages.
    ModelApprover,
    /// No access.
    None,
}

/// An ML activity, as SageMaker Role Manager names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Activity {
    /// Use Studio apps and spaces.
    RunStudioApp,
    /// Training, processing, transform, tuning and AutoML jobs.
    ManageMlJobs,
    /// Models and the model registry.
    ManageModels,
    /// Experiments, trials and lineage.
    ManageExperiments,
    /// Read and search experiments and lineage.
    SearchExperiments,
    /// The team's buckets.
    S3BucketAccess,
    /// Endpoints and endpoint configurations.
    ManageEndpoints,
    /// Pipelines and their executions.
    ManagePipelines,
    /// What SageMaker jobs need: data, images, logs, metrics, the VPC.
    AccessAwsServices,
}

/// A custom persona.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Persona {
    /// Its ML activities.
    pub activities: Vec<Activity>,
}

/// The org's MLflow.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mlflow {
    /// `managed`: a SageMaker managed tracking server; `api-gateway`: a self-hosted MLflow
    /// behind API Gateway with IAM auth, built elsewhere; `self-hosted`: that whole system,
    /// built by studioform (ECS Fargate, Aurora Serverless, a load balancer, API Gateway and
    /// a Cognito user pool).
    pub server: MlflowServer,
    /// Managed: the tracking server's name. Self-hosted: the name of its cluster, service,
    /// database, API and user pool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Managed and self-hosted: the artifact bucket, created with the server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"))]
    pub artifact_bucket: Option<String>,
    /// Managed: `Small`, `Medium` or `Large` (default `Small`). Self-hosted: the tasks' CPU
    /// and memory, their number and the database's capacity range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<MlflowSize>,
    /// API Gateway: the REST API id fronting MLflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[a-z0-9]{10}$"))]
    pub rest_api_id: Option<String>,
    /// API Gateway: the stage. Self-hosted: the stage to create (default `prod`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// Self-hosted: the MLflow server's container image (default
    /// [`DEFAULT_MLFLOW_IMAGE`]); it needs `psycopg2` and `boto3`, or internet access to
    /// install them when the task starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Self-hosted: the prefix of the Cognito hosted sign-in domain
    /// (`<prefix>.auth.<region>.amazoncognito.com`), unique in the region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"))]
    pub cognito_domain: Option<String>,
}

/// The MLflow server image a self-hosted MLflow runs when the org file names none: the MLflow
/// project's own image, which lacks the PostgreSQL driver and boto3, so the task installs
/// them from PyPI when it starts.
pub const DEFAULT_MLFLOW_IMAGE: &str = "ghcr.io/mlflow/mlflow:v2.22.0";

/// Where MLflow runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MlflowServer {
    /// SageMaker managed MLflow.
    Managed,
    /// Self-hosted behind API Gateway with IAM auth, built elsewhere.
    ApiGateway,
    /// Self-hosted behind API Gateway, built by studioform: IAM auth for SDKs, a Cognito
    /// user pool and a Lambda authorizer for browsers.
    SelfHosted,
}

/// Size of a managed tracking server, or of a self-hosted one's tasks and database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum MlflowSize {
    /// Small.
    Small,
    /// Medium.
    Medium,
    /// Large.
    Large,
}

/// The model-deployment role an external platform deploys models with.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Deployment {
    /// Create the role.
    pub role: bool,
    /// IAM roles or users (ARNs, this account) that get the policy to pass the role.
    #[serde(default)]
    #[schemars(inner(pattern(
        r"^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::[0-9]{12}:(role|user)/[A-Za-z0-9_+=,.@/-]+$"
    )))]
    pub pass_role_principals: Vec<String>,
}

/// A person.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// User profile name.
    #[schemars(pattern(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"))]
    pub name: String,
    /// The name the person's user profile was created under. Set it when renaming a person:
    /// a profile's name cannot change, so the profile (and its home directory) keeps it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"))]
    pub previous_name: Option<String>,
    /// The person's team.
    pub team: String,
    /// The person's id: the IAM user name (iam) or the SAML session tag value (saml).
    pub id: String,
}

/// The Service Catalog portfolio.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// Portfolio display name (up to 100 characters).
    pub portfolio: String,
    /// Provider name shown in the catalog (up to 50 characters).
    pub provider: String,
    /// Portfolio description (up to 2000 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// IAM role, user or group ARNs that may launch the products (cloud admins).
    #[serde(default)]
    #[schemars(inner(pattern(
        r"^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::[0-9]{12}:(role|user|group)/[A-Za-z0-9_+=,.@/-]+$"
    )))]
    pub launch_principals: Vec<String>,
    /// AWS account ids the portfolio is shared with.
    #[serde(default)]
    #[schemars(inner(pattern(r"^[0-9]{12}$")))]
    pub share_with_accounts: Vec<String>,
    /// AWS Organizations units (`ou-...`, or the root `r-...`) to roll the portfolio out to:
    /// a StackSet with service-managed permissions deploys it to every account in them.
    #[serde(default)]
    #[schemars(inner(pattern(r"^(ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}|r-[a-z0-9]{4,32})$")))]
    pub organizational_units: Vec<String>,
    /// Create a `team=<name>` TagOption for each team and associate them with the portfolio,
    /// so launchers pick a team tag from a list. Off by default: a TagOption is unique in an
    /// account and region, and creating one that exists (another portfolio's) fails.
    #[serde(default)]
    pub tag_options: bool,
    /// Built-in products to offer: `domain`, `team`, `user-profile`. Defaults to all three.
    #[serde(default = "all_products")]
    pub products: Vec<BuiltinProduct>,
    /// Custom products: handlebars templates relative to the org file, rendered with the org
    /// file's data; each a path, or a map with the path and what launching it needs.
    #[serde(default)]
    pub custom: Vec<CustomProduct>,
}

/// A custom product: its template's path, and optionally the launch role statements it needs.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum CustomProduct {
    /// The template's path: the launch role may call every handler permission of its
    /// resource types, on any resource.
    Path(String),
    /// The template's path and the statements launching it needs.
    Declared(DeclaredProduct),
}

/// A custom product whose launch statements are declared rather than derived.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclaredProduct {
    /// The handlebars template, relative to the org file.
    pub template: String,
    /// What the launch role may do for this product, instead of every handler permission of
    /// its resource types on any resource: needed for types whose handler permissions
    /// studioform does not know, and to scope what it grants.
    pub launch_policy: Vec<LaunchStatement>,
}

/// An `Allow` statement of the launch role.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LaunchStatement {
    /// IAM actions (`s3:CreateBucket`, `sns:*`).
    pub actions: Vec<String>,
    /// Resource ARNs, `${AWS::AccountId}` style variables allowed; every resource by default.
    #[serde(default = "every_resource")]
    pub resources: Vec<String>,
}

fn every_resource() -> Vec<String> {
    vec!["*".to_owned()]
}

impl CustomProduct {
    /// The template's path, relative to the org file.
    pub fn template(&self) -> &str {
        match self {
            Self::Path(p) => p,
            Self::Declared(d) => &d.template,
        }
    }

    /// The declared launch statements, if any.
    pub fn launch_policy(&self) -> Option<&[LaunchStatement]> {
        match self {
            Self::Path(_) => None,
            Self::Declared(d) => Some(&d.launch_policy),
        }
    }
}

/// A built-in product.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum BuiltinProduct {
    /// A Studio domain.
    Domain,
    /// A team's execution role and policies.
    Team,
    /// A person's user profile.
    UserProfile,
}

impl BuiltinProduct {
    /// The product's file name and key segment.
    pub fn name(self) -> &'static str {
        match self {
            Self::Domain => "domain",
            Self::Team => "team",
            Self::UserProfile => "user-profile",
        }
    }
}

fn all_products() -> Vec<BuiltinProduct> {
    vec![BuiltinProduct::Domain, BuiltinProduct::Team, BuiltinProduct::UserProfile]
}

impl Org {
    /// The team named `name`.
    pub fn team(&self, name: &str) -> Option<&Team> {
        self.teams.iter().find(|t| t.name == name)
    }

    /// The domain named `name`.
    pub fn domain(&self, name: &str) -> Option<&Domain> {
        self.domains.iter().find(|d| d.name == name)
    }
}

/// The JSON Schema of the org file (what `studioform schema` prints).
pub fn json_schema() -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let schema = generator.into_root_schema_for::<Org>();
    serde_json::to_value(schema).unwrap_or_default()
}
