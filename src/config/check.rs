//! Semantic checks of a well-shaped org file: names against AWS's own patterns, references
//! between sections, duplicates, and anything that would widen a policy or an ARN.
//! Every check runs; all findings come back together.

use std::collections::HashMap;

use super::shape::did_you_mean;
use super::{MlflowServer, Mode, Org, Tier, VERSION};
use crate::diag::Diagnostic;
use crate::ids;
use crate::path;
use crate::path::Path;

/// Runs every semantic check.
pub(super) fn check(org: &Org) -> Vec<Diagnostic> {
    let mut c = Checks { diags: Vec::new() };
    c.top(org);
    c.identity(org);
    c.network(org);
    c.admins(org);
    c.domains(org);
    c.teams(org);
    c.users(org);
    c.personas(org);
    c.mlflow(org);
    c.deployment(org);
    c.catalog(org);
    c.accounts(org);
    c.diags
}

struct Checks {
    diags: Vec<Diagnostic>,
}

/// The personas studioform defines.
pub(crate) const BUILTIN_PERSONAS: [&str; 3] = ["data-scientist", "mlops", "compute"];

/// AWS partitions an ARN may name.
const PARTITIONS: [&str; 5] = ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b"];

impl Checks {
    fn err(&mut self, code: &'static str, at: Path, message: String, help: impl Into<String>) {
        self.diags.push(Diagnostic::error(code, at, message).help(help));
    }

    /// Rejects characters that IAM or ARNs would read as something other than text (see
    /// [`policy_clean`] for the quick test).
    /// Returns false when it reported a problem.
    fn policy_safe(&mut self, at: &Path, value: &str, what: &str) -> bool {
        let bad = if value.contains("${") {
            Some(("`${`", "which starts an IAM policy variable: the policy would match other people's values"))
        } else if value.contains('*') {
            Some(("`*`", "an IAM wildcard: the policy would match more than this name"))
        } else if value.contains('?') {
            Some(("`?`", "an IAM wildcard: the policy would match more than this name"))
        } else if value.contains(['"', '\'', '`']) {
            Some(("a quote", "which would end the string it is pasted into"))
        } else if value.chars().any(char::is_control) {
            Some(("a control character", "which no AWS name allows"))
        } else if value.chars().any(char::is_whitespace) {
            Some(("whitespace", "which no name that reaches a policy or ARN allows"))
        } else {
            None
        };
        let Some((thing, why)) = bad else { return true };
        self.err(
            "CFG030",
            at.clone(),
            format!("{what} `{value}` contains {thing}, {why}"),
            format!("remove {thing} from the {what}"),
        );
        false
    }

    fn top(&mut self, org: &Org) {
        if org.version != VERSION {
            self.err(
                "CFG010",
                path!["version"],
                format!("org-file version {} is not supported", org.version),
                format!("this studioform reads version {VERSION}; write `version: {VERSION}`"),
            );
        }
        let name = &org.name;
        let well_formed = ids::is_lower_name(name, 20) && name.starts_with(|c: char| c.is_ascii_lowercase());
        if self.policy_safe(&path!["name"], name, "org name") && !well_formed {
            self.err(
                "CFG011",
                path!["name"],
                format!("org name `{name}` is not a short lowercase name"),
                "use 1–20 lowercase letters, digits and single hyphens, starting with a letter (e.g. `acme`)",
            );
        }
        if org.domains.is_empty() {
            self.err(
                "CFG027",
                path!["domains"],
                "no domains: the estate needs at least one".into(),
                "add `- name: research` under `domains:`",
            );
        }
        if org.teams.is_empty() {
            self.err(
                "CFG027",
                path!["teams"],
                "no teams: every person belongs to a team".into(),
                "add a team under `teams:`",
            );
        }
    }

    fn identity(&mut self, org: &Org) {
        let id = &org.identity;
        let tag = &id.user_tag;
        let at = path!["identity", "user_tag"];
        if self.policy_safe(&at, tag, "tag key") {
            if tag.is_empty() || tag.len() > 128 || !tag.chars().all(is_tag_char) {
                self.err(
                    "CFG012",
                    at,
                    format!("`{tag}` is not a valid tag key"),
                    "use 1–128 letters, digits and `_ . : / = + - @` (e.g. `userId`)",
                );
            } else if tag.to_ascii_lowercase().starts_with("aws:") {
                self.err(
                    "CFG012",
                    at,
                    format!("tag key `{tag}` starts with `aws:`, which AWS reserves"),
                    "choose another key, e.g. `userId`",
                );
            } else if ids::RESERVED_TAGS.contains(&tag.as_str()) {
                self.err(
                    "CFG012",
                    at,
                    format!("tag key `{tag}` is the tag studioform isolates teams or owners with"),
                    "choose another key for people, e.g. `userId`",
                );
            }
        }
        match (id.mode, &id.saml_provider_arn) {
            (Mode::Saml, None) => self.err(
                "CFG013",
                path!["identity"],
                "identity mode `saml` needs `saml_provider_arn`".into(),
                "add `saml_provider_arn: arn:aws:iam::<account>:saml-provider/<name>` under `identity`",
            ),
            (Mode::Saml, Some(arn)) => {
                if !is_iam_arn(arn, &["saml-provider"]) {
                    self.err(
                        "CFG015",
                        path!["identity", "saml_provider_arn"],
                        format!("`{arn}` is not an IAM SAML provider ARN"),
                        "expected arn:aws:iam::<12-digit account>:saml-provider/<name>",
                    );
                }
            }
            (mode, Some(_)) => self.ignored(path!["identity", "saml_provider_arn"], "saml_provider_arn", mode, "saml"),
            (_, None) => {}
        }
        match (id.mode, &id.sso_instance_arn) {
            (Mode::Sso, None) => self.err(
                "CFG013",
                path!["identity"],
                "identity mode `sso` needs `sso_instance_arn`".into(),
                "add `sso_instance_arn: arn:aws:sso:::instance/ssoins-<16 characters>` under `identity`",
            ),
            (Mode::Sso, Some(arn)) => {
                let ok = arn.strip_prefix("arn:").and_then(|r| r.split_once(":sso:::instance/")).is_some_and(
                    |(partition, id)| {
                        PARTITIONS.contains(&partition) && {
                            let id = id.strip_prefix("ssoins-").or_else(|| id.strip_prefix("ins-")).unwrap_or("");
                            id.len() == 16 && id.chars().all(|c| c.is_ascii_alphanumeric())
                        }
                    },
                );
                if !ok {
                    self.err(
                        "CFG015",
                        path!["identity", "sso_instance_arn"],
                        format!("`{arn}` is not an IAM Identity Center instance ARN"),
                        "expected arn:aws:sso:::instance/ssoins-<16 letters and digits>",
                    );
                }
            }
            (mode, Some(_)) => self.ignored(path!["identity", "sso_instance_arn"], "sso_instance_arn", mode, "sso"),
            (_, None) => {}
        }
        if !id.admin_groups.is_empty() && id.mode != Mode::Sso {
            self.ignored(path!["identity", "admin_groups"], "admin_groups", id.mode, "sso");
        }
        for (i, g) in id.admin_groups.iter().enumerate() {
            self.group_id(&path!["identity", "admin_groups", i], g);
        }
    }

    fn ignored(&mut self, at: Path, field: &str, mode: Mode, needs: &str) {
        let mode = match mode {
            Mode::Iam => "iam",
            Mode::Saml => "saml",
            Mode::Sso => "sso",
        };
        self.diags.push(
            Diagnostic::warning("CFG014", at, format!("`{field}` is ignored in identity mode `{mode}`"))
                .help(format!("remove it, or set `mode: {needs}`")),
        );
    }

    /// An Identity Center group or user id.
    fn group_id(&mut self, at: &Path, id: &str) {
        let uuid = |s: &str| {
            let parts: Vec<&str> = s.split('-').collect();
            parts.len() == 5
                && [8, 4, 4, 4, 12]
                    .iter()
                    .zip(&parts)
                    .all(|(n, p)| p.len() == *n && p.chars().all(|c| c.is_ascii_hexdigit()))
        };
        let ok = uuid(id)
            || id.split_once('-').is_some_and(|(prefix, rest)| {
                prefix.len() == 10 && prefix.chars().all(|c| c.is_ascii_hexdigit()) && uuid(rest)
            });
        if !ok {
            self.err(
                "CFG033",
                at.clone(),
                format!("`{id}` is not an Identity Center group id"),
                "group ids look like a1b2c3d4-1111-2222-3333-444455556666 (see the group in the Identity Center console)",
            );
        }
    }

    fn network(&mut self, org: &Org) {
        let n = &org.network;
        self.resource_id(&path!["network", "vpc_id"], &n.vpc_id, "vpc", "VPC id");
        if n.subnet_ids.is_empty() || n.subnet_ids.len() > 16 {
            self.err(
                "CFG017",
                path!["network", "subnet_ids"],
                format!("{} subnets given; a Studio domain takes 1 to 16", n.subnet_ids.len()),
                "list the private subnets Studio should use",
            );
        }
        for (i, s) in n.subnet_ids.iter().enumerate() {
            self.resource_id(&path!["network", "subnet_ids", i], s, "subnet", "subnet id");
        }
        self.no_duplicates(&path!["network", "subnet_ids"], n.subnet_ids.iter().map(String::as_str), "subnet");
        if n.security_group_ids.len() > 5 {
            self.err(
                "CFG017",
                path!["network", "security_group_ids"],
                format!("{} security groups given; Studio takes at most 5", n.security_group_ids.len()),
                "remove some",
            );
        }
        for (i, s) in n.security_group_ids.iter().enumerate() {
            self.resource_id(&path!["network", "security_group_ids", i], s, "sg", "security group id");
        }
        self.no_duplicates(
            &path!["network", "security_group_ids"],
            n.security_group_ids.iter().map(String::as_str),
            "security group",
        );
        if let Some(arn) = org.encryption.as_ref().and_then(|e| e.kms_key_arn.as_ref())
            && !is_kms_key_arn(arn)
        {
            self.err(
                "CFG015",
                path!["encryption", "kms_key_arn"],
                format!("`{arn}` is not a KMS key ARN"),
                "expected arn:aws:kms:<region>:<12-digit account>:key/<key id>",
            );
        }
    }

    fn resource_id(&mut self, at: &Path, value: &str, prefix: &str, what: &str) {
        let ok = value.strip_prefix(prefix).and_then(|r| r.strip_prefix('-')).is_some_and(|hex| {
            (8..=17).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        });
        if !ok {
            self.err(
                "CFG016",
                at.clone(),
                format!("`{value}` is not a {what}"),
                format!(
                    "expected `{prefix}-` followed by 8 or 17 lowercase hex digits, e.g. {prefix}-0abc1234def567890"
                ),
            );
        }
    }

    fn no_duplicates<'v>(&mut self, at: &Path, values: impl Iterator<Item = &'v str>, what: &str) {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, v) in values.enumerate() {
            if let Some(first) = seen.insert(v, i) {
                seen.insert(v, first);
                self.err(
                    "CFG020",
                    at.index(i),
                    format!("{what} `{v}` is listed twice (first at {})", at.index(first)),
                    "remove the repeat",
                );
            }
        }
    }

    /// Checks each id of `list` (at `at`), then that none is listed twice.
    fn ids(&mut self, at: &Path, list: &[String], id: Id, help: &str) {
        for (i, v) in list.iter().enumerate() {
            if !(id.valid)(v) {
                self.err(id.code, at.index(i), format!("`{v}` is not {}", id.kind), help);
            }
        }
        self.no_duplicates(at, list.iter().map(String::as_str), id.noun);
    }

    fn admins(&mut self, org: &Org) {
        let at = path!["admins", "principals"];
        let sso = org.identity.mode == Mode::Sso;
        if org.admins.principals.is_empty() && (!sso || org.identity.admin_groups.is_empty()) {
            let (message, help) = if sso {
                (
                    "no admin principals and no `identity.admin_groups`: nobody could create user profiles",
                    "list Identity Center group ids under `identity.admin_groups`, or IAM role ARNs under `admins.principals`",
                )
            } else {
                (
                    "no admin principals: nobody could create user profiles",
                    "list at least one IAM role ARN, e.g. arn:aws:iam::111122223333:role/CloudAdmin",
                )
            };
            self.err("CFG027", at.clone(), message.into(), help);
        }
        for (i, p) in org.admins.principals.iter().enumerate() {
            if self.policy_safe(&at.index(i), p, "principal ARN") && !is_iam_arn(p, &["role", "user"]) {
                self.err(
                    "CFG015",
                    at.index(i),
                    format!("`{p}` is not an IAM role or user ARN"),
                    "expected arn:aws:iam::<12-digit account>:role/<name> or :user/<name>",
                );
            }
        }
        self.no_duplicates(&at, org.admins.principals.iter().map(String::as_str), "principal");
    }

    fn domains(&mut self, org: &Org) {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, d) in org.domains.iter().enumerate() {
            let at = path!["domains", i, "name"];
            if self.policy_safe(&at, &d.name, "domain name") && !ids::is_profile_name(&d.name) {
                self.err(
                    "CFG022",
                    at.clone(),
                    format!("domain name `{}` does not match SageMaker's pattern", d.name),
                    "use 1–63 letters and digits, with single or repeated hyphens between them: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$",
                );
            }
            if let Some(first) = seen.insert(&d.name, i) {
                self.err(
                    "CFG020",
                    at,
                    format!("domain `{}` is defined twice (first at domains[{first}])", d.name),
                    "give each domain a unique name",
                );
            }
            if !org.teams.iter().any(|t| t.domain == d.name) {
                self.diags.push(
                    Diagnostic::warning("CFG028", path!["domains", i], format!("domain `{}` has no teams", d.name))
                        .help("nobody can work in it; add a team with `domain: ` this name, or remove it"),
                );
            }
        }
    }

    fn teams(&mut self, org: &Org) {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let domains: Vec<&str> = org.domains.iter().map(|d| d.name.as_str()).collect();
        for (i, t) in org.teams.iter().enumerate() {
            let at = path!["teams", i, "name"];
            if self.policy_safe(&at, &t.name, "team name") && !ids::is_lower_name(&t.name, 32) {
                self.err(
                    "CFG022",
                    at.clone(),
                    format!("team name `{}` is not a short lowercase name", t.name),
                    "use 1–32 lowercase letters, digits and single hyphens (e.g. `vision`)",
                );
            }
            if let Some(first) = seen.insert(&t.name, i) {
                self.err(
                    "CFG020",
                    at,
                    format!("team `{}` is defined twice (first at teams[{first}])", t.name),
                    "give each team a unique name",
                );
            }
            if !domains.contains(&t.domain.as_str()) {
                self.unknown_ref(path!["teams", i, "domain"], &t.domain, "domain", &domains);
            }
            for (j, b) in t.buckets.iter().enumerate() {
                let at = path!["teams", i, "buckets", j];
                if self.policy_safe(&at, b, "bucket name")
                    && let Some(why) = bucket_problem(b)
                {
                    self.err("CFG023", at, format!("`{b}` is not a valid S3 bucket name: {why}"), "bucket names are 3–63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit");
                }
            }
            self.no_duplicates(&path!["teams", i, "buckets"], t.buckets.iter().map(String::as_str), "bucket");
            for (j, it) in t.instance_types.iter().enumerate() {
                let at = path!["teams", i, "instance_types", j];
                if self.policy_safe(&at, it, "instance type") && !is_instance_type(it) {
                    self.err(
                        "CFG024",
                        at,
                        format!("`{it}` is not a SageMaker instance type"),
                        "SageMaker instance types look like ml.t3.medium or ml.g5.xlarge",
                    );
                }
            }
            self.no_duplicates(
                &path!["teams", i, "instance_types"],
                t.instance_types.iter().map(String::as_str),
                "instance type",
            );
            if let Some(p) = &t.persona
                && !BUILTIN_PERSONAS.contains(&p.as_str())
                && !org.personas.contains_key(p)
            {
                let mut known: Vec<&str> = BUILTIN_PERSONAS.to_vec();
                known.extend(org.personas.keys().map(String::as_str));
                self.unknown_ref(path!["teams", i, "persona"], p, "persona", &known);
            }
            if t.mlflow.is_some_and(|tier| tier != Tier::None) && org.mlflow.is_none() {
                self.err(
                    "CFG013",
                    path!["teams", i, "mlflow"],
                    format!("team `{}` has an MLflow tier but the org has no `mlflow` section", t.name),
                    "add `mlflow:` with `server: managed` (and `name`, `artifact_bucket`) or `server: api-gateway` (and `rest_api_id`, `stage`)",
                );
            }
            if !t.sso_groups.is_empty() && org.identity.mode != Mode::Sso {
                self.ignored(path!["teams", i, "sso_groups"], "sso_groups", org.identity.mode, "sso");
            }
            for (j, g) in t.sso_groups.iter().enumerate() {
                self.group_id(&path!["teams", i, "sso_groups", j], g);
            }
        }
    }

    fn personas(&mut self, org: &Org) {
        // People in a team whose persona cannot run Studio get a profile they cannot use.
        for (i, team) in org.teams.iter().enumerate() {
            let Some(persona) = &team.persona else { continue };
            let runs_studio = match persona.as_str() {
                "compute" => false,
                "data-scientist" | "mlops" => true,
                custom => {
                    org.personas.get(custom).is_none_or(|p| p.activities.contains(&super::Activity::RunStudioApp))
                }
            };
            let people = org.users.iter().filter(|u| u.team == team.name).count();
            let people = match people {
                0 => continue,
                1 => "1 person".to_owned(),
                n => format!("{n} people"),
            };
            if !runs_studio {
                self.diags.push(
                    Diagnostic::warning(
                        "CFG035",
                        path!["teams", i, "persona"],
                        format!(
                            "team `{}` has {people}, but its persona `{persona}` cannot run Studio apps: their profiles cannot open Studio",
                            team.name
                        ),
                        )
                    .help("move the people to a team whose persona runs Studio, or add `run-studio-app` to the persona; the compute persona is the role jobs run as"),
                );
            }
        }
        for (name, persona) in &org.personas {
            let at = path!["personas", name];
            if BUILTIN_PERSONAS.contains(&name.as_str()) {
                self.err(
                    "CFG020",
                    at.clone(),
                    format!("persona `{name}` would hide the built-in persona of that name"),
                    "choose another name; the built-in personas are data-scientist, mlops and compute",
                );
            } else if !ids::is_lower_name(name, 32) {
                self.err(
                    "CFG022",
                    at.clone(),
                    format!("persona name `{name}` is not a short lowercase name"),
                    "use lowercase letters, digits and single hyphens",
                );
            }
            if persona.activities.is_empty() {
                self.err(
                    "CFG027",
                    at.key("activities"),
                    format!("persona `{name}` has no activities"),
                    "list what its teams do, e.g. [run-studio-app, s3-bucket-access]",
                );
            }
            let mut seen = Vec::new();
            for (i, a) in persona.activities.iter().enumerate() {
                if seen.contains(a) {
                    self.err(
                        "CFG020",
                        at.key("activities").index(i),
                        "activity listed twice".into(),
                        "remove the repeat",
                    );
                }
                seen.push(*a);
            }
        }
    }

    fn mlflow(&mut self, org: &Org) {
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
                "bucket names are 3–63 lowercase letters, digits, dots and hyphens",
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

    fn deployment(&mut self, org: &Org) {
        let Some(d) = &org.deployment else { return };
        let at = path!["deployment", "pass_role_principals"];
        for (i, p) in d.pass_role_principals.iter().enumerate() {
            if self.policy_safe(&at.index(i), p, "principal ARN") && !is_iam_arn(p, &["role", "user"]) {
                self.err(
                    "CFG015",
                    at.index(i),
                    format!("`{p}` is not an IAM role or user ARN"),
                    "expected arn:aws:iam::<12-digit account>:role/<name>",
                );
            }
        }
        if !d.role && !d.pass_role_principals.is_empty() {
            self.diags.push(
                Diagnostic::warning("CFG014", at, "`pass_role_principals` is ignored while `role` is false")
                    .help("set `role: true`, or remove them"),
            );
        }
    }

    fn users(&mut self, org: &Org) {
        let teams: Vec<&str> = org.teams.iter().map(|t| t.name.as_str()).collect();
        // Per domain: profile names, logical ids and person ids already seen.
        let mut names: HashMap<(&str, &str), usize> = HashMap::with_capacity(org.users.len());
        let mut logical: HashMap<(&str, String), usize> = HashMap::with_capacity(org.users.len());
        let mut people: HashMap<(&str, &str), usize> = HashMap::with_capacity(org.users.len());
        let mut by_name: HashMap<&str, &super::Team> = HashMap::with_capacity(org.teams.len());
        for t in &org.teams {
            by_name.entry(t.name.as_str()).or_insert(t);
        }
        for (i, u) in org.users.iter().enumerate() {
            // Paths are built only for a finding: estates have many thousand people.
            let name_at = || path!["users", i, "name"];
            let name_ok = policy_clean(&u.name) || self.policy_safe(&name_at(), &u.name, "user profile name");
            if name_ok && !ids::is_profile_name(&u.name) {
                self.err(
                    "CFG022",
                    name_at(),
                    format!("user profile name `{}` does not match SageMaker's pattern", u.name),
                    if u.name.len() > 63 {
                        format!(
                            "it is {} characters; SageMaker allows 1–63: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){{0,62}}$",
                            u.name.chars().count()
                        )
                    } else {
                        "use letters and digits, with hyphens only between them: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"
                            .to_owned()
                    },
                );
            }
            let id_at = || path!["users", i, "id"];
            if policy_clean(&u.id) || self.policy_safe(&id_at(), &u.id, "person id") {
                self.person_id(id_at, &u.id, org.identity.mode);
            }
            let Some(team) = by_name.get(u.team.as_str()) else {
                self.unknown_ref(path!["users", i, "team"], &u.team, "team", &teams);
                continue;
            };
            let domain = team.domain.as_str();
            if let Some(first) = names.insert((domain, &u.name), i) {
                names.insert((domain, &u.name), first);
                self.err(
                    "CFG020",
                    name_at(),
                    format!(
                        "user profile `{}` is defined twice in domain `{domain}` (first at users[{first}])",
                        u.name
                    ),
                    "user profile names are unique within a domain; rename one",
                );
            } else if name_ok {
                let id = ids::profile_logical_id(&u.name);
                if let Some(first) = logical.insert((domain, id.clone()), i) {
                    logical.insert((domain, id.clone()), first);
                    self.err(
                        "CFG026",
                        name_at(),
                        format!(
                            "user profile `{}` and `{}` (users[{first}]) would share the CloudFormation logical id `{id}`",
                            u.name, org.users[first].name
                        ),
                        "logical ids ignore hyphens and the case of each word's first letter; choose a name that differs in another way",
                    );
                }
            }
            if let Some(first) = people.insert((domain, &u.id), i) {
                people.insert((domain, &u.id), first);
                self.err(
                    "CFG029",
                    id_at(),
                    format!("person `{}` already has a user profile in domain `{domain}` (users[{first}])", u.id),
                    "one profile per person per domain: the login policy opens every profile tagged with the person's id",
                );
            }
        }
    }

    /// Principals of one account: policies are attached to principals by name, in the account
    /// the stacks are deployed to, so a principal of another account would get nothing, and a
    /// role of the same name in this account would get it instead.
    fn accounts(&mut self, org: &Org) {
        let mut arns: Vec<(Path, &str)> = Vec::new();
        if let Some(arn) = &org.identity.saml_provider_arn {
            arns.push((path!["identity", "saml_provider_arn"], arn));
        }
        for (i, p) in org.admins.principals.iter().enumerate() {
            arns.push((path!["admins", "principals", i], p));
        }
        if let Some(d) = org.deployment.as_ref().filter(|d| d.role) {
            for (i, p) in d.pass_role_principals.iter().enumerate() {
                arns.push((path!["deployment", "pass_role_principals", i], p));
            }
        }
        // Rolled out to organizational units, launch principals are matched by name in each
        // account, whatever account their ARN names.
        if let Some(cat) = org.catalog.as_ref().filter(|c| c.organizational_units.is_empty()) {
            for (i, p) in cat.launch_principals.iter().enumerate() {
                arns.push((path!["catalog", "launch_principals", i], p));
            }
        }
        let accounts: Vec<(Path, &str, &str)> =
            arns.into_iter().filter_map(|(at, arn)| split_arn(arn).map(|p| (at, arn, p[4]))).collect();
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for (_, _, account) in &accounts {
            match counts.iter_mut().find(|(a, _)| a == account) {
                Some((_, n)) => *n += 1,
                None => counts.push((account, 1)),
            }
        }
        if counts.len() < 2 {
            return;
        }
        // The account most principals name, the first of them on a tie.
        let most = counts.iter().map(|(_, n)| *n).max().unwrap_or(0);
        let Some(&(home, _)) = counts.iter().find(|(_, n)| *n == most) else { return };
        for (at, arn, account) in accounts.iter().filter(|(_, _, a)| *a != home) {
            self.err(
                "CFG044",
                at.clone(),
                format!(
                    "`{arn}` is in account {account}, but the estate's other principals are in account {home}: studioform attaches policies to principals by name in the account its stacks are deployed to"
                ),
                format!("name a principal of account {home}; for another account, write a separate org file and deploy it there"),
            );
        }
    }

    fn catalog(&mut self, org: &Org) {
        let Some(cat) = &org.catalog else { return };
        for (field, value, max) in [
            ("portfolio", Some(&cat.portfolio), 100),
            ("provider", Some(&cat.provider), 50),
            ("description", cat.description.as_ref(), 2000),
        ] {
            let Some(value) = value else { continue };
            let len = value.chars().count();
            if len == 0 || len > max {
                self.err(
                    "CFG017",
                    path!["catalog", field],
                    format!("catalog {field} is {len} characters; Service Catalog takes 1 to {max}"),
                    "shorten it",
                );
            }
        }
        for (i, p) in cat.launch_principals.iter().enumerate() {
            let at = path!["catalog", "launch_principals", i];
            if self.policy_safe(&at, p, "principal ARN") && !is_iam_arn(p, &["role", "user", "group"]) {
                self.err(
                    "CFG015",
                    at,
                    format!("`{p}` is not an IAM role, user or group ARN"),
                    "expected arn:aws:iam::<12-digit account>:role/<name>",
                );
            }
        }
        self.no_duplicates(
            &path!["catalog", "launch_principals"],
            cat.launch_principals.iter().map(String::as_str),
            "principal",
        );
        self.ids(
            &path!["catalog", "share_with_accounts"],
            &cat.share_with_accounts,
            Id { valid: is_account, code: "CFG031", kind: "an AWS account id", noun: "account" },
            "account ids are 12 digits; quote them so YAML keeps leading zeros: \"012345678901\"",
        );
        if !cat.organizational_units.is_empty() {
            // Rolled out to many accounts, principals are matched by name alone.
            let mut seen: HashMap<&str, usize> = HashMap::new();
            for (i, arn) in cat.launch_principals.iter().enumerate() {
                let Some(name) = arn.splitn(6, ':').nth(5) else { continue };
                if let Some(&first) = seen.get(name) {
                    if cat.launch_principals[first] != *arn {
                        self.err(
                            "CFG020",
                            path!["catalog", "launch_principals", i],
                            format!(
                                "`{arn}` and `{}` are the same principal, `{name}`, in every account the organizational units roll the portfolio out to",
                                cat.launch_principals[first]
                            ),
                            "keep one of them: each account's own principal of that name may launch",
                        );
                    }
                } else {
                    seen.insert(name, i);
                }
            }
        }
        self.ids(
            &path!["catalog", "organizational_units"],
            &cat.organizational_units,
            Id {
                valid: is_organizational_unit,
                code: "CFG034",
                kind: "an AWS Organizations unit or root id",
                noun: "organizational unit",
            },
            "unit ids look like ou-ab12-34cd56ef and the root like r-ab12 (AWS Organizations console, or `aws organizations list-roots`)",
        );
        let mut seen = Vec::new();
        for (i, p) in cat.products.iter().enumerate() {
            if seen.contains(p) {
                self.err(
                    "CFG020",
                    path!["catalog", "products", i],
                    format!("product `{}` is listed twice", p.name()),
                    "remove the repeat",
                );
            }
            seen.push(*p);
        }
        let mut names: Vec<String> = cat.products.iter().map(|p| p.name().to_owned()).collect();
        let team_part = cat.products.contains(&crate::config::BuiltinProduct::Team);
        for (i, custom) in cat.custom.iter().enumerate() {
            let c = custom.template();
            let at = match custom {
                crate::config::CustomProduct::Path(_) => path!["catalog", "custom", i],
                crate::config::CustomProduct::Declared(_) => path!["catalog", "custom", i, "template"],
            };
            let name = custom_product_name(c);
            let relative = std::path::Path::new(c)
                .components()
                .all(|p| matches!(p, std::path::Component::Normal(_) | std::path::Component::CurDir));
            if !relative || c.contains('\\') {
                self.err(
                    "CFG041",
                    at,
                    format!("custom product template `{c}` is outside the org file's directory"),
                    "give a path relative to the org file, without `..`, and keep the template in its directory or below",
                );
            } else if !c.ends_with(".hbs") || !ids::is_lower_name(&name, 40) {
                self.err(
                    "CFG032",
                    at,
                    format!("custom product template `{c}` must be a `<name>.yaml.hbs` or `<name>.json.hbs` file with a lowercase name"),
                    "name it like templates/products/team-bucket.yaml.hbs",
                );
            } else if names.contains(&name) {
                self.err("CFG020", at, format!("product name `{name}` is used twice"), "rename one of the templates");
            } else if team_part && ids::team_product_part(&name).is_some() {
                self.err(
                    "CFG020",
                    at,
                    format!(
                        "product name `{name}` is reserved: parts of the team product are named `team-2`, `team-3`..."
                    ),
                    "rename the template, e.g. `team-tools.yaml.hbs`",
                );
            }
            names.push(name);
        }
    }

    fn person_id(&mut self, at: impl FnOnce() -> Path, id: &str, mode: Mode) {
        let (max, extra, what): (usize, &[char], &str) = match mode {
            Mode::Iam => (64, &[], "an IAM user name"),
            Mode::Saml => (256, &[':', '/'], "a session tag value"),
            Mode::Sso => (128, &[], "an Identity Center user name"),
        };
        let ok = !id.is_empty()
            && id.chars().count() <= max
            && id.chars().all(|c| c.is_ascii_alphanumeric() || "_.=+@-".contains(c) || extra.contains(&c));
        if !ok {
            let allowed = if extra.is_empty() {
                "letters, digits and `_ . = + @ -`"
            } else {
                "letters, digits and `_ . : / = + @ -`"
            };
            self.err(
                "CFG025",
                at(),
                format!("person id `{id}` is not usable as {what} and a tag value"),
                format!("use 1–{max} {allowed}"),
            );
        }
    }

    fn unknown_ref(&mut self, at: Path, value: &str, what: &str, known: &[&str]) {
        let list = known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
        let help = match did_you_mean(value, known) {
            Some(best) => format!("did you mean `{best}`? {what}s defined: {list}"),
            None if known.is_empty() => format!("no {what}s are defined; add one under `{what}s:`"),
            None => format!("{what}s defined: {list}"),
        };
        self.err("CFG021", at, format!("unknown {what} `{value}`"), help);
    }
}

/// The product name of a custom template path: its file name without `.yaml.hbs`.
pub(crate) fn custom_product_name(path: &str) -> String {
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let stem = file.strip_suffix(".hbs").unwrap_or(file);
    stem.strip_suffix(".yaml")
        .or_else(|| stem.strip_suffix(".yml"))
        .or_else(|| stem.strip_suffix(".json"))
        .unwrap_or(stem)
        .to_owned()
}

fn is_tag_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_.:/=+@-".contains(c)
}

fn split_arn(arn: &str) -> Option<[&str; 6]> {
    let mut parts = arn.splitn(6, ':');
    let p = [parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?];
    (p[0] == "arn" && PARTITIONS.contains(&p[1])).then_some(p)
}

fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_iam_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)
}

/// `arn:<partition>:iam::<account>:<kind>/<path.../>name` for one of `kinds`.
fn is_iam_arn(arn: &str, kinds: &[&str]) -> bool {
    let Some([_, _, service, region, account, resource]) = split_arn(arn) else { return false };
    let Some((kind, rest)) = resource.split_once('/') else { return false };
    service == "iam"
        && region.is_empty()
        && is_account(account)
        && kinds.contains(&kind)
        && rest.split('/').all(|seg| !seg.is_empty() && seg.len() <= 128 && seg.chars().all(is_iam_name_char))
}

fn is_kms_key_arn(arn: &str) -> bool {
    let Some([_, _, service, region, account, resource]) = split_arn(arn) else { return false };
    service == "kms"
        && !region.is_empty()
        && region.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && is_account(account)
        && resource
            .strip_prefix("key/")
            .is_some_and(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
}

fn is_instance_type(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 3
        && parts[0] == "ml"
        && parts[1..].iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
}

/// Why `b` is not a valid general-purpose S3 bucket name, if it is not.
/// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html>
fn bucket_problem(b: &str) -> Option<&'static str> {
    if !(3..=63).contains(&b.len()) {
        return Some("it must be 3 to 63 characters long");
    }
    if !b.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-') {
        return Some("only lowercase letters, digits, dots and hyphens are allowed");
    }
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !edge(b.chars().next()) || !edge(b.chars().last()) {
        return Some("it must start and end with a letter or digit");
    }
    if b.contains("..") || b.contains(".-") || b.contains("-.") {
        return Some("dots may not be next to each other or to a hyphen");
    }
    if b.split('.').count() == 4 && b.split('.').all(|p| p.parse::<u8>().is_ok()) {
        return Some("it must not look like an IP address");
    }
    if b.starts_with("xn--") || b.starts_with("sthree-") || b.starts_with("amzn-s3-demo-") {
        return Some("that prefix is reserved by AWS");
    }
    if b.ends_with("-s3alias") || b.ends_with("--ol-s3") || b.ends_with(".mrap") || b.ends_with("--x-s3") {
        return Some("that suffix is reserved by AWS");
    }
    None
}

/// A kind of id in a list of them.
struct Id {
    /// Whether a value is one.
    valid: fn(&str) -> bool,
    /// The finding code for one that is not.
    code: &'static str,
    /// What it must be, with its article (`an AWS account id`).
    kind: &'static str,
    /// What one is called when listed twice (`account`).
    noun: &'static str,
}

/// `ou-<4-32>-<8-32>` or `r-<4-32>`, lowercase letters and digits, as AWS Organizations writes them.
fn is_organizational_unit(id: &str) -> bool {
    let part = |s: &str, min: usize| {
        (min..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    match id.strip_prefix("ou-").and_then(|rest| rest.split_once('-')) {
        Some((root, unit)) => part(root, 4) && part(unit, 8),
        None => id.strip_prefix("r-").is_some_and(|root| part(root, 4)),
    }
}

/// True when `value` has none of the characters [`Checks::policy_safe`] reports.
fn policy_clean(value: &str) -> bool {
    !value.contains("${")
        && !value.chars().any(|c| matches!(c, '*' | '?' | '"' | '\'' | '`') || c.is_control() || c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_organizations_ids() {
        for ok in ["ou-ab12-34cd56ef", "r-ab12", "ou-abcd-0123456789abcdef"] {
            assert!(is_organizational_unit(ok), "{ok}");
        }
        for bad in ["ou-AB12-34cd56ef", "ou-ab1-34cd56ef", "ou-ab12-34cd56e", "ou-ab12", "r-ab1", "ab12", ""] {
            assert!(!is_organizational_unit(bad), "{bad}");
        }
    }

    #[test]
    fn knows_bucket_rules() {
        assert_eq!(bucket_problem("acme-vision-data"), None);
        assert!(bucket_problem("Acme").is_some());
        assert!(bucket_problem("ab").is_some());
        assert!(bucket_problem("a..b").is_some());
        assert!(bucket_problem("192.168.1.1").is_some());
        assert!(bucket_problem("-abc").is_some());
    }

    #[test]
    fn knows_arns() {
        assert!(is_iam_arn("arn:aws:iam::111122223333:role/CloudAdmin", &["role", "user"]));
        assert!(is_iam_arn("arn:aws:iam::111122223333:role/ops/CloudAdmin", &["role"]));
        assert!(!is_iam_arn("arn:aws:iam::111122223333:role/", &["role"]));
        assert!(!is_iam_arn("arn:aws:iam::1111:role/x", &["role"]));
        assert!(!is_iam_arn("arn:aws:s3:::bucket", &["role"]));
        assert!(is_kms_key_arn("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"));
        assert!(!is_kms_key_arn("arn:aws:kms:us-east-1:111122223333:alias/x"));
    }

    #[test]
    fn knows_instance_types() {
        assert!(is_instance_type("ml.g5.12xlarge"));
        assert!(!is_instance_type("g5.xlarge"));
        assert!(!is_instance_type("ml.g5"));
    }
}
