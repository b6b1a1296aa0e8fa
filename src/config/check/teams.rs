//! `domains`, `teams`, `personas` and `users`: who works where, as what.

use std::collections::HashMap;

use super::*;
use crate::config::Tier;

impl Checks {
    pub(super) fn domains(&mut self, org: &Org) {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let mut ids: HashMap<String, usize> = HashMap::new();
        for (i, d) in org.domains.iter().enumerate() {
            // Logical ids made of the name (`<Domain>ApplicationArn`) drop its hyphens.
            if let Some(first) = ids.insert(ids::pascal(&d.name), i)
                && org.domains[first].name != d.name
            {
                self.err(
                    "CFG026",
                    path!["domains", i, "name"],
                    format!(
                        "domains `{}` and `{}` (domains[{first}]) would share the CloudFormation logical id `{}`",
                        d.name,
                        org.domains[first].name,
                        ids::pascal(&d.name)
                    ),
                    "logical ids ignore hyphens and the case of each word's first letter; choose a name that differs in another way",
                );
            }
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

    pub(super) fn teams(&mut self, org: &Org) {
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
            if let Some(previous) = &t.previous_name {
                self.previous_name(path!["teams", i, "previous_name"], previous, &t.name, "team");
                if self.policy_safe(&path!["teams", i, "previous_name"], previous, "team name")
                    && !ids::is_lower_name(previous, 32)
                {
                    self.err(
                        "CFG022",
                        path!["teams", i, "previous_name"],
                        format!("team name `{previous}` is not a short lowercase name"),
                        "a previous name is the name the team's role and tag were created with; copy it from the org file's history",
                    );
                }
            }
            if !domains.contains(&t.domain.as_str()) {
                self.unknown_ref(path!["teams", i, "domain"], &t.domain, "domain", &domains);
            }
            for (j, b) in t.buckets.iter().enumerate() {
                let at = path!["teams", i, "buckets", j];
                if self.policy_safe(&at, b, "bucket name")
                    && let Some(why) = bucket_problem(b)
                {
                    let help = bucket_help(
                        b,
                        "bucket names are 3–63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit",
                    );
                    self.err("CFG023", at, format!("`{b}` is not a valid S3 bucket name: {why}"), help);
                }
            }
            self.no_duplicates(&path!["teams", i, "buckets"], t.buckets.iter().map(String::as_str), "bucket");
            let mut runs_apps = false;
            for (j, it) in t.instance_types.iter().enumerate() {
                let at = path!["teams", i, "instance_types", j];
                if !self.policy_safe(&at, it, "instance type") {
                    continue;
                }
                let uses = super::instances::uses(it);
                runs_apps |= uses.contains(&"apps");
                if uses.is_empty() {
                    let all = super::instances::all();
                    let help = if !it.starts_with("ml.") && all.contains(&format!("ml.{it}").as_str()) {
                        format!("did you mean `ml.{it}`? SageMaker instance types start with `ml.`")
                    } else if let Some(best) = did_you_mean(it, &all) {
                        format!(
                            "did you mean `{best}`? (SageMaker accepts it for {})",
                            super::instances::uses(best).join(", ")
                        )
                    } else if is_instance_type(it) {
                        "SageMaker has no such instance type; `aws sagemaker` accepts those its API model lists (schemas/instance-types.json), e.g. ml.t3.medium or ml.g5.xlarge".to_owned()
                    } else {
                        "SageMaker instance types look like ml.t3.medium or ml.g5.xlarge".to_owned()
                    };
                    self.err("CFG024", at, format!("`{it}` is not a SageMaker instance type"), help);
                }
            }
            // A team whose persona cannot run Studio is told so (CFG035), not this.
            let people = || org.users.iter().any(|u| u.team == t.name);
            if !t.instance_types.is_empty()
                && !runs_apps
                && runs_studio(org, t)
                && self.diags.iter().all(|d| d.code != "CFG024")
                && people()
            {
                self.diags.push(
                    Diagnostic::warning(
                        "CFG037",
                        path!["teams", i, "instance_types"],
                        format!("none of team `{}`'s instance types runs Studio apps: its people can open no JupyterLab or Code Editor space", t.name),
                    )
                    .help("add an instance type Studio apps run on, such as ml.t3.medium"),
                );
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
                    "add `mlflow:` with `server: managed` (and `name`, `artifact_bucket`), `server: api-gateway` (and `rest_api_id`, `stage`) or `server: self-hosted` (and `name`, `artifact_bucket`, `cognito_domain`)",
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

    /// Teams keep their role, tag and stack under their previous name: no two teams may keep
    /// the same one.
    pub(super) fn team_identities(&mut self, org: &Org) {
        let mut kept: HashMap<&str, usize> = HashMap::with_capacity(org.teams.len());
        let mut ids: HashMap<String, usize> = HashMap::with_capacity(org.teams.len());
        for (i, t) in org.teams.iter().enumerate() {
            let identity = t.previous_name.as_deref().unwrap_or(&t.name);
            // Logical ids made of the name (`TeamTagOption<Team>`) drop its hyphens.
            if let Some(first) = ids.insert(ids::pascal(identity), i) {
                let other = &org.teams[first];
                let other_identity = other.previous_name.as_deref().unwrap_or(&other.name);
                if other_identity != identity {
                    let field = if t.previous_name.is_some() { "previous_name" } else { "name" };
                    self.err(
                        "CFG026",
                        path!["teams", i, field],
                        format!(
                            "teams `{identity}` and `{other_identity}` (teams[{first}]) would share the CloudFormation logical id `{}`",
                            ids::pascal(identity)
                        ),
                        "logical ids ignore hyphens and the case of each word's first letter; choose a name that differs in another way",
                    );
                }
            }
            let Some(first) = kept.insert(identity, i) else { continue };
            if org.teams[first].name == t.name {
                continue; // defined twice: reported as such
            }
            kept.insert(identity, first);
            let (at, other) = if t.previous_name.is_some() {
                (path!["teams", i, "previous_name"], first)
            } else {
                (path!["teams", first, "previous_name"], i)
            };
            self.err(
                "CFG020",
                at,
                format!(
                    "teams `{}` and `{}` would share the role, team tag and stack named `{identity}`",
                    org.teams[other].name,
                    if other == i { &org.teams[first].name } else { &t.name },
                ),
                format!("`{identity}` is the name of one team only: a previous name must not be another team's current or previous name"),
            );
        }
    }

    pub(super) fn personas(&mut self, org: &Org) {
        // People in a team whose persona cannot run Studio get a profile they cannot use.
        let counts = people_per_team(org);
        for (i, team) in org.teams.iter().enumerate() {
            let Some(persona) = &team.persona else { continue };
            let runs_studio = runs_studio(org, team);
            let people = counts.get(team.name.as_str()).copied().unwrap_or(0);
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

    pub(super) fn users(&mut self, org: &Org) {
        let teams: Vec<&str> = org.teams.iter().map(|t| t.name.as_str()).collect();
        // Per domain: profile names, logical ids and person ids already seen.
        let mut names: HashMap<(&str, &str), usize> = HashMap::with_capacity(org.users.len());
        let mut logical: HashMap<(&str, String), usize> = HashMap::with_capacity(org.users.len());
        let mut people: HashMap<(&str, &str), usize> = HashMap::with_capacity(org.users.len());
        let mut by_name: HashMap<&str, &crate::config::Team> = HashMap::with_capacity(org.teams.len());
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
            if let Some(previous) = &u.previous_name {
                let at = path!["users", i, "previous_name"];
                self.previous_name(at.clone(), previous, &u.name, "person");
                if self.policy_safe(&at, previous, "user profile name") && !ids::is_profile_name(previous) {
                    self.err(
                        "CFG022",
                        at,
                        format!("user profile name `{previous}` does not match SageMaker's pattern"),
                        "a previous name is the name the person's profile was created with; copy it from the org file's history",
                    );
                }
            }
            let Some(team) = by_name.get(u.team.as_str()) else {
                match org.teams.iter().find(|t| t.previous_name.as_deref() == Some(u.team.as_str())) {
                    Some(renamed) => self.err(
                        "CFG021",
                        path!["users", i, "team"],
                        format!("team `{}` is now named `{}`", u.team, renamed.name),
                        format!(
                            "use `team: {}`; the team keeps its role and tag under its previous name",
                            renamed.name
                        ),
                    ),
                    None => self.unknown_ref(path!["users", i, "team"], &u.team, "team", &teams),
                }
                continue;
            };
            let domain = team.domain.as_str();
            // The profile keeps the name it was created under.
            let profile = u.previous_name.as_deref().unwrap_or(&u.name);
            let at = || if u.previous_name.is_some() { path!["users", i, "previous_name"] } else { name_at() };
            if let Some(first) = names.insert((domain, profile), i) {
                names.insert((domain, profile), first);
                self.err(
                    "CFG020",
                    at(),
                    format!("user profile `{profile}` is defined twice in domain `{domain}` (first at users[{first}])"),
                    "user profile names are unique within a domain, previous names included; rename one",
                );
            } else if name_ok {
                let id = ids::profile_logical_id(profile);
                if let Some(first) = logical.insert((domain, id.clone()), i) {
                    logical.insert((domain, id.clone()), first);
                    let other = &org.users[first];
                    self.err(
                        "CFG026",
                        at(),
                        format!(
                            "user profile `{profile}` and `{}` (users[{first}]) would share the CloudFormation logical id `{id}`",
                            other.previous_name.as_deref().unwrap_or(&other.name)
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
}

/// Whether `team`'s persona lets it run Studio apps (no persona: the baseline grants do).
fn runs_studio(org: &Org, team: &crate::config::Team) -> bool {
    match team.persona.as_deref() {
        None | Some("data-scientist" | "mlops") => true,
        Some("compute") => false,
        Some(custom) => {
            org.personas.get(custom).is_none_or(|p| p.activities.contains(&crate::config::Activity::RunStudioApp))
        }
    }
}

/// How many people each team has, by name.
fn people_per_team(org: &Org) -> HashMap<&str, usize> {
    let mut counts: HashMap<&str, usize> = HashMap::with_capacity(org.teams.len());
    for u in &org.users {
        *counts.entry(u.team.as_str()).or_default() += 1;
    }
    counts
}
