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
                vec![("rest_api_id", m.rest_api_id.is_some()), ("stage", m.stage.is_some())],
            ),
            MlflowServer::ApiGateway => (
                "api-gateway",
                vec![("rest_api_id", m.rest_api_id.is_some()), ("stage", m.stage.is_some())],
                vec![
                    ("name", m.name.is_some()),
                    ("artifact_bucket", m.artifact_bucket.is_some()),
                    ("size", m.size.is_some()),
                ],
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
