//! The isolation studioform promises, as requests evaluated against an estate's own policies:
//! a person opens only their own Studio; no team role creates, changes, deletes or reads
//! what another team owns, or another person's space; only admins and the launch role
//! create, change or delete profiles and domains; nobody retags what isolation rests on.
//! Each request that comes out otherwise is a violation naming the principal, the action,
//! the resource and the statement that allows it.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

use super::estate::{Estate, Kind, Principal, Profile, sagemaker_arn};
use super::eval::{Decision, Policies, Request, statements};
use crate::ids::{OWNER_TAG, TEAM_TAG};

/// A request that should have been denied and is allowed, or (`ACC405`, `ACC406`) the
/// reverse.
#[derive(Clone, Debug, Serialize)]
pub struct Violation {
    /// `ACC401` opens another's Studio, `ACC402` reaches another team's or person's work,
    /// `ACC403` administers Studio without being an admin, `ACC404` retags, `ACC405` a person
    /// cannot open their own Studio, `ACC406` a principal cannot do what the estate sets it
    /// up for.
    pub code: &'static str,
    /// True when the request is allowed and should not be; false when it is denied and
    /// should not be.
    pub allowed: bool,
    /// The principal (`role/acme-team-vision`).
    pub principal: String,
    /// The action.
    pub action: String,
    /// The resource, and what it is.
    pub resource: String,
    /// What the request is, for people.
    pub what: String,
    /// The stack holding the policy that allows it (or denies it; for a request no statement
    /// allows, the principal's first policy).
    pub stack: String,
    /// The policy resource (or AWS managed policy).
    pub policy: String,
    /// The statement's Sid, when it has one and a statement decided.
    pub sid: Option<String>,
}

/// One request evaluated for one principal, and what came out.
#[derive(Clone, Debug, Serialize)]
pub struct Probe {
    /// The principal.
    pub principal: String,
    /// What the request is, for people.
    pub what: String,
    /// The action.
    pub action: String,
    /// Whether the principal's policies allow it.
    pub allowed: bool,
    /// Whether isolation wants it allowed; `None` for what only describes the role.
    pub expected: Option<bool>,
}

/// What was evaluated and what came out.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    /// Principals evaluated, with what they are.
    pub principals: Vec<(String, String)>,
    /// Requests evaluated.
    pub requests: usize,
    /// Every request evaluated, by principal, in order.
    pub probes: Vec<Probe>,
    /// Requests allowed that isolation forbids.
    pub violations: Vec<Violation>,
    /// People whose own profile they cannot open (a broken login, not a leak).
    pub locked_out: Vec<String>,
}

/// Another team's name, for requests about what it owns: the first other team of the estate,
/// or a name no team has.
const NOBODY: &str = "another-team";

/// Creating these needs the team tag in the request.
const CREATE: &[(&str, &str)] = &[
    ("sagemaker:CreateTrainingJob", "training-job"),
    ("sagemaker:CreateProcessingJob", "processing-job"),
    ("sagemaker:CreateModel", "model"),
    ("sagemaker:CreateEndpointConfig", "endpoint-config"),
    ("sagemaker:CreateEndpoint", "endpoint"),
    ("sagemaker:CreateExperiment", "experiment"),
    ("sagemaker:CreatePipeline", "pipeline"),
    ("sagemaker:CreateFeatureGroup", "feature-group"),
    ("sagemaker:CreateModelPackageGroup", "model-package-group"),
];

/// Changing or deleting these needs the team tag on them.
const CHANGE: &[(&str, &str)] = &[
    ("sagemaker:StopTrainingJob", "training-job"),
    ("sagemaker:DeleteModel", "model"),
    ("sagemaker:UpdateEndpoint", "endpoint"),
    ("sagemaker:DeleteEndpoint", "endpoint"),
    ("sagemaker:DeletePipeline", "pipeline"),
    ("sagemaker:StartPipelineExecution", "pipeline"),
    ("sagemaker:PutRecord", "feature-group"),
    ("sagemaker:DeleteFeatureGroup", "feature-group"),
    ("sagemaker:DeleteExperiment", "experiment"),
];

/// Reading these: only the team's own.
const READ: &[(&str, &str)] = &[
    ("sagemaker:DescribeTrainingJob", "training-job"),
    ("sagemaker:DescribeModel", "model"),
    ("sagemaker:DescribeEndpoint", "endpoint"),
    ("sagemaker:DescribePipeline", "pipeline"),
    ("sagemaker:DescribeFeatureGroup", "feature-group"),
    ("sagemaker:GetRecord", "feature-group"),
    ("sagemaker:BatchGetRecord", "feature-group"),
    ("sagemaker:DescribeExperiment", "experiment"),
];

/// Studio administration: only admins and the launch role.
const ADMINISTER: &[&str] = &[
    "sagemaker:CreateUserProfile",
    "sagemaker:DeleteUserProfile",
    "sagemaker:UpdateUserProfile",
    "sagemaker:CreateDomain",
    "sagemaker:DeleteDomain",
    "sagemaker:UpdateDomain",
];

struct Checker<'a> {
    estate: &'a Estate,
    report: Report,
    /// The first two profiles of each domain, domains in the order their first profile comes:
    /// what the probes need of a domain's people (its first person, and someone else), found
    /// once rather than by scanning every profile for every principal.
    by_domain: &'a [(&'a str, [Option<&'a Profile>; 2])],
    /// The first profile running as each role, by role name.
    by_role: &'a std::collections::HashMap<&'a str, &'a Profile>,
    /// Whether to keep every request in the report.
    probes: bool,
    /// The last principal's policies, read for its requests (by principal name).
    policies: Option<(&'a str, Policies<'a>)>,
    /// The roles that run each domain's jobs (tagged `jobs-for`), by domain id.
    job_roles: &'a std::collections::HashMap<&'a str, Vec<&'a Principal>>,
}

/// Evaluates the isolation invariants of `estate`.
pub fn check(estate: &Estate) -> Report {
    check_with(estate, true)
}

/// [`check`], keeping every request in the report's `probes` only with `probes` (what
/// `studioform access` shows; synth needs only the violations).
pub fn check_with(estate: &Estate, probes: bool) -> Report {
    let mut by_domain: Vec<(&str, [Option<&Profile>; 2])> = Vec::new();
    let mut slot: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut by_role = std::collections::HashMap::new();
    for x in &estate.profiles {
        let i = *slot.entry(x.domain.as_str()).or_insert_with(|| {
            by_domain.push((x.domain.as_str(), [None, None]));
            by_domain.len() - 1
        });
        let first_two = &mut by_domain[i].1;
        if first_two[0].is_none() {
            first_two[0] = Some(x);
        } else if first_two[1].is_none() {
            first_two[1] = Some(x);
        }
        if let Some(role) = x.role.as_deref() {
            by_role.entry(role).or_insert(x);
        }
    }
    let user_tag =
        estate.profiles.iter().find_map(|p| p.tags.keys().next().cloned()).unwrap_or_else(|| "userId".into());
    let teams: Vec<&str> = estate
        .principals
        .iter()
        .filter_map(|p| match &p.kind {
            Kind::Team { team } => Some(team.as_str()),
            _ => None,
        })
        .collect();
    let mut job_roles: std::collections::HashMap<&str, Vec<&Principal>> = std::collections::HashMap::new();
    for p in &estate.principals {
        if let Some(domain) = p.tags.get(crate::estate::team::JOBS_FOR_TAG) {
            job_roles.entry(domain.as_str()).or_default().push(p);
        }
    }
    // Principals are independent: each is checked on its own, on every core, and the reports
    // are joined in the principals' order.
    let checker = || Checker {
        estate,
        report: Report::default(),
        by_domain: &by_domain,
        by_role: &by_role,
        probes,
        policies: None,
        job_roles: &job_roles,
    };
    let parts = crate::par_map(&estate.principals, |p| {
        let mut c = checker();
        c.report.principals.push((p.name.clone(), kind_name(&p.kind)));
        match &p.kind {
            Kind::LoginGroup | Kind::SamlRole => c.people(p, &user_tag),
            Kind::Team { team } => c.team(p, team, &teams),
            _ => {}
        }
        if !matches!(p.kind, Kind::Admin | Kind::Launch) {
            c.no_administration(p);
        }
        if !matches!(p.kind, Kind::LoginGroup | Kind::SamlRole | Kind::Admin) {
            c.opens_no_studio(p);
        }
        c.no_retagging(p, &user_tag);
        c.report
    });
    let mut c = checker();
    for part in parts {
        c.report.principals.extend(part.principals);
        c.report.requests += part.requests;
        c.report.probes.extend(part.probes);
        c.report.violations.extend(part.violations);
        c.report.locked_out.extend(part.locked_out);
    }
    c.sso_newcomers();
    c.report
}

/// A principal's policy documents.
fn docs(p: &Principal) -> Vec<&Value> {
    p.policies.iter().map(|x| &*x.document).collect()
}

/// A principal's policies, read for evaluation.
fn policies(p: &Principal) -> Policies<'_> {
    Policies::new(&docs(p))
}

/// `request` made the way the principal's guards demand: for every deny statement of the
/// action that denies when a key differs from the allowed values (`StringNotEquals`,
/// `ArnNotLike`, with or without a set qualifier or `IfExists`), the key set to the first
/// allowed value, unless the request already sets it. A request in the org's subnets, with
/// its key, on an allowed instance type: what describes a principal's own work.
fn within_guards(policies: &Policies<'_>, mut request: Request) -> Request {
    let action = request.action.clone();
    for statement in policies.denying(&action) {
        for (operator, keys) in statement.get("Condition").and_then(Value::as_object).into_iter().flatten() {
            let op = operator.rsplit(':').next().unwrap_or(operator).trim_end_matches("IfExists");
            if !matches!(
                op,
                "StringNotEquals" | "StringNotEqualsIgnoreCase" | "StringNotLike" | "ArnNotEquals" | "ArnNotLike"
            ) {
                continue;
            }
            for (key, values) in keys.as_object().into_iter().flatten() {
                if request.context.contains_key(&key.to_ascii_lowercase()) {
                    continue;
                }
                let first = match values {
                    Value::String(v) => Some(v.as_str()),
                    Value::Array(items) => items.iter().filter_map(Value::as_str).next(),
                    _ => None,
                };
                if let Some(v) = first.filter(|v| !v.contains("${")) {
                    request = request.with(key, v.replace(['*', '?'], "x"));
                }
            }
        }
    }
    request
}

/// `a training-job`, `an endpoint`.
fn article(kind: &str) -> String {
    let an = kind.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {kind}", if an { "an" } else { "a" })
}

/// A principal's kind, for people.
pub fn kind_name(kind: &Kind) -> String {
    match kind {
        Kind::Team { team } => format!("execution role of team {team}"),
        Kind::LoginGroup => "IAM group of the people (iam mode)".into(),
        Kind::SamlRole => "role people assume through SAML".into(),
        Kind::Admin => "Studio admin".into(),
        Kind::Deployment => "model-deployment role".into(),
        Kind::Launch => "Service Catalog launch role".into(),
        Kind::PassRole => "may pass the model-deployment role".into(),
        Kind::Service => "service role".into(),
        Kind::EndUser => "Service Catalog launch principal".into(),
    }
}

impl<'a> Checker<'a> {
    /// `p`'s policies, read once for all of its requests.
    fn read(&mut self, p: &'a Principal) -> &Policies<'a> {
        if self.policies.as_ref().is_some_and(|(name, _)| *name != p.name) {
            self.policies = None;
        }
        &self.policies.get_or_insert_with(|| (p.name.as_str(), policies(p))).1
    }

    /// Evaluates `request` for `principal`; records a violation when it is allowed.
    fn deny(&mut self, principal: &'a Principal, code: &'static str, request: Request, what: &str) {
        let decision = self.probe(principal, &request, what, Some(false));
        if let Decision::Allow(p, s) = decision {
            let policy = &principal.policies[p];
            let sid = statements(&policy.document).nth(s).and_then(|st| st.get("Sid")).and_then(Value::as_str);
            self.report.violations.push(Violation {
                code,
                allowed: true,
                principal: principal.name.clone(),
                action: request.action,
                resource: request.resource,
                what: what.to_owned(),
                stack: policy.stack.clone(),
                policy: policy.resource.clone(),
                sid: sid.map(str::to_owned),
            });
        }
    }

    /// Evaluates `request` for `principal`, made within its guards; records a violation when
    /// it is denied.
    fn require(&mut self, principal: &'a Principal, code: &'static str, request: Request, what: &str) -> bool {
        let request = within_guards(self.read(principal), request);
        let decision = self.probe(principal, &request, what, Some(true));
        let (p, s) = match decision {
            Decision::Allow(..) => return true,
            Decision::Deny(p, s) => (p, Some(s)),
            Decision::Implicit => (0, None),
        };
        let policy = principal.policies.get(p);
        // A deciding deny statement is named by its Sid, or by its place in the policy.
        let sid = s.map(|s| {
            policy
                .and_then(|x| statements(&x.document).nth(s))
                .and_then(|st| st.get("Sid"))
                .and_then(Value::as_str)
                .map_or_else(|| format!("#{}", s + 1), str::to_owned)
        });
        self.report.violations.push(Violation {
            code,
            allowed: false,
            principal: principal.name.clone(),
            action: request.action,
            resource: request.resource,
            what: what.to_owned(),
            stack: policy.map(|x| x.stack.clone()).unwrap_or_default(),
            policy: policy.map(|x| x.resource.clone()).unwrap_or_default(),
            sid,
        });
        false
    }

    /// Evaluates `request` to describe what `principal` may do, isolation aside.
    fn info(&mut self, principal: &'a Principal, request: Request, what: &str) -> bool {
        let request = within_guards(self.read(principal), request);
        self.probe(principal, &request, what, None).allowed()
    }

    /// Evaluates `request` for `principal` and records the outcome against `expected`.
    fn probe(&mut self, principal: &'a Principal, request: &Request, what: &str, expected: Option<bool>) -> Decision {
        self.report.requests += 1;
        let decision = self.read(principal).evaluate(request);
        if !self.probes {
            return decision;
        }
        self.report.probes.push(Probe {
            principal: principal.name.clone(),
            what: what.to_owned(),
            action: request.action.clone(),
            allowed: decision.allowed(),
            expected,
        });
        decision
    }

    /// People (the login group's users, the SAML role's sessions) open their own profile and
    /// no other, in every domain.
    fn people(&mut self, p: &'a Principal, user_tag: &str) {
        let as_person = |id: &str, r: Request| match p.kind {
            Kind::LoginGroup => r.with("aws:username", id).with("aws:PrincipalType", "User"),
            _ => r.with(&format!("aws:PrincipalTag/{user_tag}"), id),
        };
        let by_domain = self.by_domain;
        for own in by_domain.iter().filter_map(|(_, [first, _])| *first) {
            let Some(id) = own.tags.get(user_tag) else { continue };
            let url = |of: &Profile| {
                let tag = of.tags.get(user_tag).cloned().unwrap_or_default();
                as_person(id, Request::new("sagemaker:CreatePresignedDomainUrl", of.arn()))
                    .with(&format!("sagemaker:ResourceTag/{user_tag}"), tag)
            };
            if !self.require(p, "ACC405", url(own), &format!("person {id} opening their own Studio")) {
                self.report.locked_out.push(format!("{id} ({})", own.arn()));
            }
            // On the way there in the console: the domains, then the own domain and profile.
            let domain = sagemaker_arn(&format!("domain/{}", own.domain));
            for (action, resource, what) in [
                ("sagemaker:ListDomains", "*".to_owned(), "listing the domains in the console"),
                ("sagemaker:DescribeDomain", domain, "reading their domain in the console"),
                ("sagemaker:DescribeUserProfile", own.arn(), "reading their profile in the console"),
            ] {
                let r = as_person(id, Request::new(action, resource))
                    .with(&format!("sagemaker:ResourceTag/{user_tag}"), id);
                self.require(p, "ACC406", r, &format!("person {id} {what}"));
            }
            // Someone else in the same domain, and in every other domain: one of the first two
            // profiles of each, as a person has one profile per domain.
            let others: Vec<&Profile> = by_domain
                .iter()
                .filter_map(|(_, two)| two.iter().flatten().copied().find(|o| o.tags.get(user_tag) != Some(id)))
                .collect();
            for other in others {
                self.deny(p, "ACC401", url(other), &format!("opening the Studio of profile {}", other.name));
            }
        }
    }

    /// A team role reaches nothing another team owns, and no space or app of another profile.
    fn team(&mut self, p: &'a Principal, team: &str, teams: &[&str]) {
        let other = teams.iter().copied().find(|t| *t != team).unwrap_or(NOBODY);
        let role_name = p.name.trim_start_matches("role/");
        let profile = self.by_role.get(role_name).copied();
        let domain = profile
            .map(|x| x.domain.clone())
            .or_else(|| self.estate.domains.first().map(|d| d.id.clone()))
            .unwrap_or_else(|| "d-unknown".into());
        let me = profile.map_or_else(|| "a-teammate".to_owned(), |x| x.name.clone());
        // Someone else: a profile of another team when there is one.
        let someone = self
            .by_domain
            .iter()
            .find(|(d, _)| *d == domain)
            .and_then(|(_, two)| two.iter().flatten().find(|x| x.name != me))
            .map_or_else(|| "someone-else".to_owned(), |x| x.name.clone());
        let from_studio = |r: Request| {
            r.with(&format!("aws:PrincipalTag/{TEAM_TAG}"), team)
                .with("aws:SourceIdentity", &me)
                .with("sagemaker:UserProfileName", &me)
                .with("sagemaker:DomainId", &domain)
        };
        // What the team may do with its own work, for the report.
        let own_create = |r: Request, owner: Option<&str>| {
            let r = r.with(&format!("aws:RequestTag/{TEAM_TAG}"), team);
            match owner {
                Some(me) => {
                    r.with(&format!("aws:RequestTag/{OWNER_TAG}"), me).with_all("aws:TagKeys", &[TEAM_TAG, OWNER_TAG])
                }
                None => r.with_all("aws:TagKeys", &[TEAM_TAG]),
            }
        };
        let (mut jobs, mut pipelines) = (false, false);
        for (action, kind) in [CREATE[0], CREATE[2], CREATE[4], CREATE[6]] {
            let r = own_create(from_studio(Request::new(action, sagemaker_arn(&format!("{kind}/ours")))), Some(&me));
            let may = self.info(p, r, &format!("creating {} of its own team", article(kind)));
            jobs |= may && kind == "training-job";
            pipelines |= may && kind == "pipeline";
        }
        for (action, kind) in [READ[0], READ[5]] {
            let r = from_studio(Request::new(action, sagemaker_arn(&format!("{kind}/ours"))))
                .with(&format!("sagemaker:ResourceTag/{TEAM_TAG}"), team);
            self.info(p, r, &format!("reading {} of its own team", article(kind)));
        }
        // A pipeline the team creates runs its steps with no person behind them.
        if pipelines {
            let r = own_create(Request::new(CREATE[0].0, sagemaker_arn("training-job/step")), None)
                .with(&format!("aws:PrincipalTag/{TEAM_TAG}"), team);
            self.require(p, "ACC406", r, "a pipeline step of its own team creating a training-job");
        }
        // The domain's compute role runs the jobs of every team of the domain that starts jobs.
        if jobs && profile.is_some() {
            let job_roles = self.job_roles.get(domain.as_str()).map(Vec::as_slice).unwrap_or_default();
            for o in job_roles.iter().filter(|o| o.name != p.name) {
                let r = Request::new("iam:PassRole", format!("arn:aws:iam::{}:{}", super::estate::ACCOUNT, o.name))
                    .with("iam:PassedToService", "sagemaker.amazonaws.com")
                    .with(&format!("aws:PrincipalTag/{TEAM_TAG}"), team);
                self.require(p, "ACC406", r, &format!("passing the domain's job role ({}) to a job", o.name));
            }
        }
        // Every MLflow tier reads the run artifacts it can see; writers write them.
        for server in &self.estate.mlflow {
            let Some(objects) = server.artifacts.strip_prefix("s3://") else { continue };
            let object = format!("arn:aws:s3:::{}/1/run/artifacts/model.pkl", objects.trim_end_matches('/'));
            for (mlflow, s3, what) in [
                ("sagemaker-mlflow:GetRun", "s3:GetObject", "reading run artifacts of the MLflow runs it may read"),
                ("sagemaker-mlflow:LogBatch", "s3:PutObject", "writing run artifacts of the MLflow runs it may log"),
            ] {
                if self.read(p).evaluate(&Request::new(mlflow, server.arn.clone())).allowed() {
                    self.require(p, "ACC406", Request::new(s3, object.clone()), what);
                }
            }
        }
        for (action, kind) in CREATE {
            let r = from_studio(Request::new(action, sagemaker_arn(&format!("{kind}/theirs"))))
                .with(&format!("aws:RequestTag/{TEAM_TAG}"), other)
                .with(&format!("aws:RequestTag/{OWNER_TAG}"), &me)
                .with_all("aws:TagKeys", &[TEAM_TAG, OWNER_TAG]);
            self.deny(p, "ACC402", r, &format!("creating {} tagged for team {other}", article(kind)));
        }
        for (set, verb) in [(CHANGE, "changing"), (READ, "reading")] {
            for (action, kind) in set {
                let r = from_studio(Request::new(action, sagemaker_arn(&format!("{kind}/theirs"))))
                    .with(&format!("sagemaker:ResourceTag/{TEAM_TAG}"), other)
                    .with(&format!("sagemaker:ResourceTag/{OWNER_TAG}"), &someone);
                self.deny(p, "ACC402", r, &format!("{verb} {} of team {other}", article(kind)));
            }
        }
        let theirs = sagemaker_arn(&format!("user-profile/{domain}/{someone}"));
        for action in ["sagemaker:DeleteSpace", "sagemaker:UpdateSpace"] {
            let r = from_studio(Request::new(action, sagemaker_arn(&format!("space/{domain}/their-space"))))
                .with("sagemaker:OwnerUserProfileArn", &theirs)
                .with("sagemaker:SpaceSharingType", "Private");
            let verb = if action.ends_with("DeleteSpace") { "deleting" } else { "changing" };
            self.deny(p, "ACC402", r, &format!("{verb} a private space of profile {someone}"));
        }
        let r = from_studio(Request::new(
            "sagemaker:DeleteApp",
            sagemaker_arn(&format!("app/{domain}/their-space/JupyterLab/default")),
        ))
        .with("sagemaker:OwnerUserProfileArn", &theirs)
        .with("sagemaker:SpaceSharingType", "Private");
        self.deny(p, "ACC402", r, &format!("deleting an app in a space of profile {someone}"));
        // Studio Classic apps live under the profile, with no owner key.
        let r = from_studio(Request::new(
            "sagemaker:DeleteApp",
            sagemaker_arn(&format!("app/{domain}/{someone}/JupyterServer/default")),
        ));
        self.deny(p, "ACC402", r, &format!("deleting a Studio Classic app of profile {someone}"));
        let r = from_studio(Request::new("sagemaker:CreateSpace", sagemaker_arn(&format!("space/{domain}/shared"))))
            .with("sagemaker:OwnerUserProfileArn", sagemaker_arn(&format!("user-profile/{domain}/{me}")))
            .with("sagemaker:SpaceSharingType", "Shared");
        self.deny(p, "ACC402", r, "creating a shared space, which every profile of the domain may join");
        // Another team's role is never passed, but a job team's of the same domain.
        let others: Vec<&Principal> = self
            .estate
            .principals
            .iter()
            .filter(|o| matches!(&o.kind, Kind::Team { team: t } if t != team))
            .filter(|o| o.tags.get(crate::estate::team::JOBS_FOR_TAG) != Some(&domain))
            .take(5)
            .collect();
        for o in others {
            let arn = format!("arn:aws:iam::{}:{}", super::estate::ACCOUNT, o.name);
            let r = Request::new("iam:PassRole", arn)
                .with("iam:PassedToService", "sagemaker.amazonaws.com")
                .with(&format!("aws:PrincipalTag/{TEAM_TAG}"), team);
            self.deny(p, "ACC402", r, &format!("passing the role of another team ({})", o.name));
        }
    }

    /// In an Identity Center domain whose people all run as one team's role, someone of its
    /// groups who signs in without a profile gets one running as the domain's default role:
    /// it must do what the team's role does.
    fn sso_newcomers(&mut self) {
        let estate = self.estate;
        for domain in estate.domains.iter().filter(|d| d.sso) {
            let Some(default) = &domain.default_role else { continue };
            let roles: BTreeSet<&str> =
                estate.profiles.iter().filter(|x| x.domain == domain.id).filter_map(|x| x.role.as_deref()).collect();
            let [role] = roles.into_iter().collect::<Vec<_>>()[..] else { continue };
            let by_name = |name: &str| estate.principals.iter().find(|x| x.name == format!("role/{name}"));
            let (Some(team_role), Some(default)) = (by_name(role), by_name(default)) else { continue };
            let Kind::Team { team } = &team_role.kind else { continue };
            if team_role.name == default.name {
                continue;
            }
            for (action, kind) in [CREATE[0], CREATE[2], CREATE[4], CREATE[6]] {
                let r = Request::new(action, sagemaker_arn(&format!("{kind}/ours")))
                    .with("aws:SourceIdentity", "newcomer")
                    .with("sagemaker:UserProfileName", "newcomer")
                    .with("sagemaker:DomainId", &domain.id)
                    .with(&format!("aws:RequestTag/{TEAM_TAG}"), team)
                    .with(&format!("aws:RequestTag/{OWNER_TAG}"), "newcomer")
                    .with_all("aws:TagKeys", &[TEAM_TAG, OWNER_TAG]);
                // Each role runs with its own tags.
                let as_role = |role: &Principal, r: Request| match role.tags.get(TEAM_TAG) {
                    Some(t) => r.with(&format!("aws:PrincipalTag/{TEAM_TAG}"), t),
                    None => r,
                };
                let own = policies(team_role);
                if own.evaluate(&within_guards(&own, as_role(team_role, r.clone()))).allowed() {
                    let what = format!(
                        "a member of team {team} signing in without a profile, creating {} of the team",
                        article(kind)
                    );
                    self.require(default, "ACC406", as_role(default, r), &what);
                }
            }
        }
    }

    /// Not an admin or the launch role: no profile or domain created, changed or deleted.
    fn no_administration(&mut self, p: &'a Principal) {
        let profile =
            self.estate.profiles.first().map_or_else(|| sagemaker_arn("user-profile/d-x/someone"), Profile::arn);
        let domain = self.estate.domains.first().map_or_else(|| "d-x".to_owned(), |d| d.id.clone());
        for action in ADMINISTER {
            let resource =
                if action.ends_with("Domain") { sagemaker_arn(&format!("domain/{domain}")) } else { profile.clone() };
            let r = Request::new(action, resource)
                .with("aws:RequestTag/userId", "someone")
                .with_all("aws:TagKeys", &["userId"]);
            self.deny(p, "ACC403", r, "administering Studio");
        }
    }

    /// Not a person: no one's Studio opened.
    fn opens_no_studio(&mut self, p: &'a Principal) {
        if let Some(profile) = self.estate.profiles.first() {
            let mut r = Request::new("sagemaker:CreatePresignedDomainUrl", profile.arn());
            for (k, v) in &profile.tags {
                r = r.with(&format!("sagemaker:ResourceTag/{k}"), v);
            }
            self.deny(p, "ACC401", r, &format!("opening the Studio of profile {}", profile.name));
        }
    }

    /// Nobody changes the tags isolation rests on, once a resource exists.
    fn no_retagging(&mut self, p: &'a Principal, user_tag: &str) {
        if let Some(profile) = self.estate.profiles.first() {
            for action in ["sagemaker:AddTags", "sagemaker:DeleteTags"] {
                let r = Request::new(action, profile.arn()).with_all("aws:TagKeys", &[user_tag]);
                self.deny(p, "ACC404", r, &format!("changing the {user_tag} tag of profile {}", profile.name));
            }
        }
        for action in ["sagemaker:AddTags", "sagemaker:DeleteTags"] {
            let r = Request::new(action, sagemaker_arn("model/theirs"))
                .with(&format!("sagemaker:ResourceTag/{TEAM_TAG}"), NOBODY)
                .with_all("aws:TagKeys", &[TEAM_TAG]);
            self.deny(p, "ACC404", r, "changing the team tag of a team's model");
        }
    }
}
