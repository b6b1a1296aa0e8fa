//! `mlflow`: the tracking server and its access tiers.

use super::*;
use crate::config::MlflowServer;

impl Checks {
    pub(super) fn mlflow(&mut self, org: &Org) {
        let Some(m) = &org.mlflow else { return };
        let at = path!["mlflow"];
        // Each field named with whether the org file sets it.
        type Fields = Vec<(&'static str, bool)>;
        let (server, needs, ignored): (&str, Fields, Fields) = match m.server {
            MlflowServer::Managed => (
                "managed",
                vec![("name", m.name.is_some()), ("artifact_bucket", m.artifact_bucket.is_some())],
                vec![
                    ("rest_api_id", m.rest_api_id.is_some()),
                    ("stage", m.stage.is_some()),
                    ("image", m.image.is_some()),
                    ("cognito_domain", m.cognito_domain.is_some()),
                ],
            ),
            MlflowServer::ApiGateway => (
                "api-gateway",
                vec![("rest_api_id", m.rest_api_id.is_some()), ("stage", m.stage.is_some())],
                vec![
                    ("name", m.name.is_some()),
                    ("artifact_bucket", m.artifact_bucket.is_some()),
                    ("size", m.size.is_some()),
                    ("image", m.image.is_some()),
                    ("cognito_domain", m.cognito_domain.is_some()),
                ],
            ),
            MlflowServer::SelfHosted => (
                "self-hosted",
                vec![
                    ("name", m.name.is_some()),
                    ("artifact_bucket", m.artifact_bucket.is_some()),
                    ("cognito_domain", m.cognito_domain.is_some()),
                ],
                // Its API is built here: the id and stage come from the MLflow stack's exports.
                vec![("rest_api_id", m.rest_api_id.is_some())],
            ),
        };
        for (field, set) in needs {
            if !set {
                self.err(
                    "CFG013",
                    at.clone(),
                    format!("MLflow server `{server}` needs `{field}`"),
                    format!("add `{field}:` under `mlflow`"),
                );
            }
        }
        for (field, set) in ignored {
            if set {
                self.diags.push(
                    Diagnostic::warning(
                        "CFG014",
                        at.key(field),
                        format!("`{field}` is ignored for MLflow server `{server}`"),
                    )
                    .help("remove it"),
                );
            }
        }
        if let Some(name) = &m.name
            && m.server == MlflowServer::SelfHosted
            && self.policy_safe(&at.key("name"), name, "MLflow name")
            && !is_self_hosted_name(name)
        {
            self.err(
                "CFG022",
                at.key("name"),
                format!("MLflow name `{name}` cannot name its database cluster, load balancer and ECS service"),
                "use 1–24 lowercase letters, digits and hyphens, starting with a letter, without `--` or a trailing hyphen",
            );
        } else if let Some(name) = &m.name
            && m.server != MlflowServer::SelfHosted
            && self.policy_safe(&at.key("name"), name, "tracking server name")
            && !ids::is_profile_name(name)
        {
            self.err(
                "CFG022",
                at.key("name"),
                format!("tracking server name `{name}` does not match SageMaker's pattern"),
                "use 1–63 letters and digits, with hyphens between them",
            );
        }
        if let Some(b) = &m.artifact_bucket
            && self.policy_safe(&at.key("artifact_bucket"), b, "bucket name")
            && let Some(why) = bucket_problem(b)
        {
            self.err(
                "CFG023",
                at.key("artifact_bucket"),
                format!("`{b}` is not a valid S3 bucket name: {why}"),
                bucket_help(b, "bucket names are 3–63 lowercase letters, digits, dots and hyphens"),
            );
        }
        if let Some(api) = &m.rest_api_id {
            let ok = api.len() == 10 && api.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
            if self.policy_safe(&at.key("rest_api_id"), api, "REST API id") && !ok {
                self.err(
                    "CFG016",
                    at.key("rest_api_id"),
                    format!("`{api}` is not an API Gateway REST API id"),
                    "REST API ids are 10 lowercase letters and digits, e.g. a1b2c3d4e5",
                );
            }
        }
        if let Some(prefix) = &m.cognito_domain
            && self.policy_safe(&at.key("cognito_domain"), prefix, "Cognito domain prefix")
            && let Some(why) = cognito_domain_problem(prefix)
        {
            self.err(
                "CFG045",
                at.key("cognito_domain"),
                format!("`{prefix}` cannot prefix a Cognito domain: {why}"),
                "use 1–63 lowercase letters, digits and hyphens, without `aws`, `amazon` or `cognito`",
            );
        }
        if let Some(image) = &m.image
            && self.policy_safe(&at.key("image"), image, "container image")
        {
            let ok = (1..=255).contains(&image.len())
                && image.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
                && image.chars().all(|c| c.is_ascii_alphanumeric() || "._/:@-".contains(c));
            if !ok {
                self.err(
                    "CFG046",
                    at.key("image"),
                    format!("`{image}` is not a container image reference"),
                    "name an image as `registry/repository:tag` or `registry/repository@sha256:<digest>`",
                );
            }
        }
        // An Aurora DB subnet group spans at least two Availability Zones.
        // <https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html>
        if m.server == MlflowServer::SelfHosted && org.network.subnet_ids.len() < 2 {
            self.err(
                "CFG017",
                path!["network", "subnet_ids"],
                format!(
                    "a self-hosted MLflow's database needs subnets in two Availability Zones; `network.subnet_ids` has {}",
                    org.network.subnet_ids.len()
                ),
                "list private subnets of at least two Availability Zones",
            );
        }
        if m.server == MlflowServer::SelfHosted && !org.network.internet {
            let image = m.image.as_deref().unwrap_or(crate::config::DEFAULT_MLFLOW_IMAGE);
            let from_ecr = image.split('/').next().is_some_and(|host| host.contains(".dkr.ecr."));
            if !from_ecr {
                // Fargate tasks in private subnets pull through a NAT gateway or, for ECR
                // only, through the `ecr.api`, `ecr.dkr` and `s3` endpoints.
                // <https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html>
                let at = if m.image.is_some() { at.key("image") } else { at.key("server") };
                self.diags.push(
                    Diagnostic::warning(
                        "CFG047",
                        at,
                        format!(
                            "the MLflow tasks pull `{image}` from outside AWS, but `network.internet` is false"
                        ),
                    )
                    .help(
                        "push an image with mlflow, psycopg2 and boto3 to ECR and set `image:`, or make sure the subnets reach the internet through a NAT gateway",
                    ),
                );
            }
        }
        if let Some(stage) = &m.stage {
            let ok = (1..=128).contains(&stage.len())
                && stage.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if self.policy_safe(&at.key("stage"), stage, "stage name") && !ok {
                self.err(
                    "CFG022",
                    at.key("stage"),
                    format!("`{stage}` is not an API Gateway stage name"),
                    "use 1–128 letters, digits, `_` and `-`",
                );
            }
        }
    }
}

/// Whether `name` can name a self-hosted MLflow's pieces: an Aurora cluster identifier (a
/// letter first, no `--`, no trailing hyphen), a load balancer and target group (32
/// characters with the `-nlb` suffix), an ECS cluster and service.
fn is_self_hosted_name(name: &str) -> bool {
    (1..=24).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.contains("--")
        && !name.ends_with('-')
}

/// Why `prefix` cannot prefix a Cognito domain, if it cannot.
/// <https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html>
fn cognito_domain_problem(prefix: &str) -> Option<&'static str> {
    if prefix.is_empty() || prefix.len() > 63 {
        return Some("it must be 1–63 characters");
    }
    if !prefix.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        return Some("only lowercase letters, digits and hyphens are allowed");
    }
    if prefix.starts_with('-') || prefix.ends_with('-') {
        return Some("it must start and end with a letter or digit");
    }
    ["aws", "amazon", "cognito"].iter().any(|w| prefix.contains(w)).then_some("it contains a reserved word")
}
