//! Isolation as IAM evaluates it, on the estates studioform writes: every hole a review found
//! is closed on every example, and re-opening any of them in a policy makes synth fail with
//! its code (ACC401-ACC404 for what must be denied, ACC405-ACC406 for what must be allowed). `studioform access` reports who can do what.

#![allow(clippy::unwrap_used)]

mod common;

use common::{cli, root, temp_dir};
use serde_json::{Value, json};
use studioform::access::estate::{self, Estate, Principal, sagemaker_arn};
use studioform::access::eval::{Request, evaluate};
use studioform::estate::Bundle;

fn example(name: &str) -> String {
    std::fs::read_to_string(root().join("examples").join(name)).unwrap()
}

fn bundle(text: &str) -> Bundle {
    let loaded = common::load(text);
    studioform::synth(&loaded, &Default::default(), studioform::render::Format::Yaml)
        .unwrap_or_else(|d| panic!("{d:#?}"))
}

fn estate_of(b: &Bundle) -> Estate {
    let stacks: Vec<estate::Stack<'_>> =
        b.stacks.iter().map(|s| estate::Stack { name: &s.name, kind: s.kind, template: s.json() }).collect();
    estate::read(&stacks)
}

fn principal<'e>(e: &'e Estate, name: &str) -> &'e Principal {
    e.principals.iter().find(|p| p.name == name).unwrap_or_else(|| panic!("no principal {name}"))
}

fn allows(p: &Principal, r: &Request) -> bool {
    let docs: Vec<&Value> = p.policies.iter().map(|x| &*x.document).collect();
    evaluate(&docs, r).allowed()
}

/// A request from a Studio session of `profile`, running as a team role.
fn studio(team: &str, profile: &str, domain: &str, action: &str, resource: String) -> Request {
    Request::new(action, resource)
        .with("aws:PrincipalTag/team", team)
        .with("aws:SourceIdentity", profile)
        .with("sagemaker:UserProfileName", profile)
        .with("sagemaker:DomainId", domain)
}

#[test]
fn every_example_and_fixture_keeps_isolation() {
    let mut files = common::yaml_files("examples");
    files.extend(common::yaml_files("tests/fixtures/valid"));
    for path in files {
        let b = bundle(&std::fs::read_to_string(&path).unwrap());
        let (report, diags) = studioform::access::bundle(&b);
        assert!(diags.is_empty(), "{}: {diags:#?}", path.display());
        assert!(report.requests > 50, "{}: {} requests", path.display(), report.requests);
    }
}

#[test]
fn a_team_role_touches_no_space_or_app_of_another_profile_and_creates_no_shared_space() {
    // acme: research propagates source identity; production does not.
    let e = estate_of(&bundle(&example("acme.yaml")));
    for (role, team, me, domain, other) in [
        ("role/acme-team-vision", "vision", "alice", "d-research", "carol"),
        ("role/acme-team-fraud", "fraud", "dan", "d-production", "eve"),
    ] {
        let p = principal(&e, role);
        let theirs = sagemaker_arn(&format!("user-profile/{domain}/{other}"));
        let mine = sagemaker_arn(&format!("user-profile/{domain}/{me}"));
        for action in ["sagemaker:DeleteSpace", "sagemaker:UpdateSpace"] {
            let r = studio(team, me, domain, action, sagemaker_arn(&format!("space/{domain}/s")))
                .with("sagemaker:OwnerUserProfileArn", &theirs)
                .with("sagemaker:SpaceSharingType", "Private");
            assert!(!allows(p, &r), "{role} {action} on another's space");
            let r = studio(team, me, domain, action, sagemaker_arn(&format!("space/{domain}/s")))
                .with("sagemaker:OwnerUserProfileArn", &mine)
                .with("sagemaker:SpaceSharingType", "Private");
            assert!(allows(p, &r), "{role} {action} on its own private space");
        }
        let shared = studio(team, me, domain, "sagemaker:CreateSpace", sagemaker_arn(&format!("space/{domain}/s")))
            .with("sagemaker:OwnerUserProfileArn", &mine)
            .with("sagemaker:SpaceSharingType", "Shared");
        assert!(!allows(p, &shared), "{role} creates a shared space");
        let classic = studio(
            team,
            me,
            domain,
            "sagemaker:DeleteApp",
            sagemaker_arn(&format!("app/{domain}/{other}/JupyterServer/default")),
        );
        assert!(!allows(p, &classic), "{role} deletes another profile's Studio Classic app");
        let own_classic = studio(
            team,
            me,
            domain,
            "sagemaker:CreateApp",
            sagemaker_arn(&format!("app/{domain}/{me}/JupyterServer/default")),
        );
        assert!(allows(p, &own_classic), "{role} creates its own Studio Classic app");
    }
}

#[test]
fn a_team_reads_only_its_own_work_and_searches_only_with_its_tag() {
    let e = estate_of(&bundle(&example("acme.yaml")));
    let p = principal(&e, "role/acme-team-vision");
    for action in
        ["sagemaker:GetRecord", "sagemaker:BatchGetRecord", "sagemaker:DescribeTrainingJob", "sagemaker:DescribeModel"]
    {
        let theirs = studio("vision", "alice", "d-research", action, sagemaker_arn("feature-group/fg"))
            .with("sagemaker:ResourceTag/team", "nlp");
        assert!(!allows(p, &theirs), "{action} on another team's");
        let ours = studio("vision", "alice", "d-research", action, sagemaker_arn("feature-group/fg"))
            .with("sagemaker:ResourceTag/team", "vision");
        assert!(allows(p, &ours), "{action} on its own");
    }
    let search = |visibility: Option<&str>| {
        let r = studio("vision", "alice", "d-research", "sagemaker:Search", "*".to_owned());
        match visibility {
            Some(team) => r.with("sagemaker:SearchVisibilityCondition/Tags.team/EqualsIfExists", team),
            None => r,
        }
    };
    assert!(allows(p, &search(Some("vision"))));
    assert!(!allows(p, &search(Some("nlp"))));
    assert!(!allows(p, &search(None)), "a search without the team's visibility condition");
    // Studio's own metadata stays readable in the team's domain.
    let profile = studio(
        "vision",
        "alice",
        "d-research",
        "sagemaker:DescribeUserProfile",
        sagemaker_arn("user-profile/d-research/bob"),
    );
    assert!(allows(p, &profile));
}

#[test]
fn the_deployment_role_opens_no_studio_administers_nothing_and_passes_no_team_role() {
    let e = estate_of(&bundle(&example("personas.yaml")));
    let p = principal(&e, "role/initech-model-deployment");
    let profile = sagemaker_arn("user-profile/d-ml/peter");
    let url = Request::new("sagemaker:CreatePresignedDomainUrl", profile.clone())
        .with("sagemaker:ResourceTag/userId", "peter");
    assert!(!allows(p, &url));
    for action in ["sagemaker:DeleteUserProfile", "sagemaker:UpdateUserProfile", "sagemaker:UpdateDomain"] {
        assert!(!allows(p, &Request::new(action, profile.clone())), "{action}");
    }
    let pass = Request::new("iam:PassRole", format!("arn:aws:iam::{}:role/initech-team-science", estate::ACCOUNT))
        .with("iam:PassedToService", "sagemaker.amazonaws.com");
    assert!(!allows(p, &pass));
    // It still deploys models.
    assert!(allows(p, &Request::new("sagemaker:CreateModel", sagemaker_arn("model/m"))));
}

#[test]
fn the_compute_role_runs_the_jobs_of_its_domain_and_pipelines_run_without_a_person() {
    let e = estate_of(&bundle(&example("personas.yaml")));
    let jobs = format!("arn:aws:iam::{}:role/initech-team-jobs", estate::ACCOUNT);
    for role in ["role/initech-team-science", "role/initech-team-platform"] {
        let p = principal(&e, role);
        let pass = Request::new("iam:PassRole", jobs.clone()).with("iam:PassedToService", "sagemaker.amazonaws.com");
        assert!(allows(p, &pass), "{role} passes the domain's compute role");
    }
    // The MLOps role is the pipeline's: its steps create the team's jobs, with no person behind them.
    let platform = principal(&e, "role/initech-team-platform");
    // In the org's subnets, security group and key, as every job of the estate must run.
    let key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let step = Request::new("sagemaker:CreateTrainingJob", sagemaker_arn("training-job/step"))
        .with("aws:RequestTag/team", "platform")
        .with_all("aws:TagKeys", &["team"])
        .with_all("sagemaker:VpcSubnets", &["subnet-0a0a0a0a0a0a0a0a0"])
        .with_all("sagemaker:VpcSecurityGroupIds", &["sg-0a0a0a0a0a0a0a0a0"])
        .with("sagemaker:VolumeKmsKey", key)
        .with("sagemaker:OutputKmsKey", key)
        .with_all("sagemaker:InstanceTypes", &["ml.m5.large"]);
    assert!(allows(platform, &step), "a pipeline step creates a training job");
    let theirs = step.clone().with("aws:RequestTag/team", "science");
    assert!(!allows(platform, &theirs), "but never another team's");
    let outside = step.clone().with_all("sagemaker:VpcSubnets", &["subnet-0fffffffffffffff0"]);
    assert!(!allows(platform, &outside), "nor outside the org's subnets");
}

#[test]
fn mlflow_tiers_reach_the_artifact_store() {
    let e = estate_of(&bundle(&example("personas.yaml")));
    let object = "arn:aws:s3:::initech-mlflow-artifacts/mlflow/1/run/artifacts/model.pkl";
    let tier = |role: &str| principal(&e, role);
    // science: admin; platform: model-approver; insights: reader (see examples/personas.yaml).
    for reader in ["role/initech-team-platform", "role/initech-team-insights"] {
        assert!(allows(tier(reader), &Request::new("s3:GetObject", object)), "{reader}");
        assert!(!allows(tier(reader), &Request::new("s3:PutObject", object)), "{reader}");
    }
    assert!(allows(tier("role/initech-team-science"), &Request::new("s3:PutObject", object)));
    assert!(!allows(tier("role/initech-team-jobs"), &Request::new("s3:GetObject", object)), "no tier, no artifacts");
}

#[test]
fn an_identity_center_domain_of_one_team_runs_first_sign_ins_as_that_team() {
    let b = bundle(&example("sso.yaml"));
    let domain = b.stacks.iter().find(|s| s.name == "piedpiper-domain-compression").unwrap().json();
    let role = &domain["Resources"]["DefaultExecutionRole"]["Properties"];
    assert_eq!(role["RoleName"], "piedpiper-sso-compression");
    assert_eq!(role["Tags"], json!([{"Key": "team", "Value": "compression"}]));
    let e = estate_of(&b);
    let default = principal(&e, "role/piedpiper-sso-compression");
    let team = principal(&e, "role/piedpiper-team-compression");
    assert_eq!(default.policies.len(), team.policies.len(), "the team's policies, attached to both");
    let r = studio(
        "compression",
        "newcomer",
        "d-compression",
        "sagemaker:CreateTrainingJob",
        sagemaker_arn("training-job/j"),
    )
    .with("aws:RequestTag/team", "compression")
    .with("aws:RequestTag/owner", "newcomer")
    .with_all("aws:TagKeys", &["team", "owner"]);
    assert_eq!(allows(default, &r), allows(team, &r));
}

#[test]
fn people_find_their_studio_in_the_console() {
    let e = estate_of(&bundle(&example("acme.yaml")));
    let people = principal(&e, "group/acme-studio-users");
    for (action, resource) in [
        ("sagemaker:ListDomains", "*".to_owned()),
        ("sagemaker:ListUserProfiles", "*".to_owned()),
        ("sagemaker:DescribeDomain", sagemaker_arn("domain/d-research")),
        ("sagemaker:DescribeUserProfile", sagemaker_arn("user-profile/d-research/alice")),
    ] {
        assert!(allows(people, &Request::new(action, resource).with("aws:username", "alice")), "{action}");
    }
}

/// The bundle with one stack's template changed by `edit`.
fn reopened(b: &Bundle, stack: &str, edit: impl Fn(&mut Value)) -> Bundle {
    let mut b = b.clone();
    let i = b.stacks.iter().position(|s| s.name == stack).unwrap();
    let mut json = b.stacks[i].json().clone();
    edit(&mut json);
    let old = &b.stacks[i];
    let origin = old.origin_of("ExecutionRole").unwrap_or_default();
    b.stacks[i] = studioform::estate::Stack::rendered(old.name.clone(), old.kind, json, origin);
    b
}

/// Adds `statement` to the policy `policy`: a managed policy resource, or an inline policy of a
/// role.
fn add_statement(template: &mut Value, policy: &str, statement: Value) {
    let resources = template["Resources"].as_object_mut().unwrap();
    let doc = match resources.get(policy).is_some() {
        true => &mut resources[policy]["Properties"]["PolicyDocument"],
        false => resources
            .values_mut()
            .filter_map(|r| r["Properties"]["Policies"].as_array_mut())
            .flatten()
            .find(|p| p["PolicyName"] == policy)
            .map(|p| &mut p["PolicyDocument"])
            .unwrap_or_else(|| panic!("no policy {policy}")),
    };
    doc["Statement"].as_array_mut().unwrap().push(statement);
}

/// Takes the condition off the statement `sid` of `statements`.
fn unconditioned(statements: &mut [Value], sid: &str) {
    for s in statements.iter_mut().filter(|s| s["Sid"] == sid) {
        s.as_object_mut().unwrap().remove("Condition");
    }
}

fn codes(b: &Bundle) -> Vec<String> {
    let (_, diags) = studioform::access::bundle(b);
    diags.iter().map(|d| format!("{}: {}", d.code, d.message)).collect()
}

#[test]
fn reopening_any_hole_makes_synth_fail_with_its_code() {
    let acme = bundle(&example("acme.yaml"));
    let unowned = json!({"Sid": "UnownedSpacesAndApps", "Effect": "Allow",
        "Action": ["sagemaker:DeleteSpace", "sagemaker:UpdateSpace", "sagemaker:DeleteApp"],
        "Resource": [sagemaker_arn("space/d-research/*"), sagemaker_arn("app/d-research/*")]});
    let found = codes(&reopened(&acme, "acme-team-vision", |t| add_statement(t, "StudioPolicy", unowned.clone())));
    assert!(
        found.iter().any(|c| c.starts_with("ACC402: `role/acme-team-vision` may sagemaker:DeleteSpace")
            && c.contains("statement UnownedSpacesAndApps")),
        "{found:#?}"
    );

    // What a domain holds for its teams is checked as part of every team role that attaches it.
    let shared = |edit: fn(&mut Vec<Value>)| {
        codes(&reopened(&acme, "acme-domain-research", |t| {
            edit(
                t["Resources"]["TeamStudioPolicy"]["Properties"]["PolicyDocument"]["Statement"].as_array_mut().unwrap(),
            )
        }))
    };
    let found = shared(|s| unconditioned(s, "OwnPrivateSpaces"));
    assert!(
        found.iter().any(|c| c.starts_with("ACC402: `role/acme-team-vision` may sagemaker:DeleteSpace")
            && c.contains("(deleting a private space of profile bob): allowed by stack acme-domain-research, policy TeamStudioPolicy, statement OwnPrivateSpaces")),
        "{found:#?}"
    );
    let found = shared(|s| {
        s.retain(|s| s["Effect"] != "Deny");
        unconditioned(s, "TagOnCreate");
    });
    assert!(
        found.iter().any(|c| c.starts_with("ACC404: `role/acme-team-nlp` may sagemaker:AddTags")
            && c.contains("(changing the team tag of a team's model): allowed by stack acme-domain-research, policy TeamStudioPolicy, statement TagOnCreate")),
        "{found:#?}"
    );

    // A policy the check cannot read is a finding of its own: it might hold the denies.
    let found = codes(&reopened(&acme, "acme-team-vision", |t| {
        t["Resources"]["ExecutionRole"]["Properties"]["ManagedPolicyArns"][0] =
            json!({"Fn::ImportValue": "acme-domain-elsewhere-TeamStudioPolicyArn"});
    }));
    assert!(
        found.iter().any(|c| c.starts_with("ACC407: `role/acme-team-vision` (stack acme-team-vision, resource ExecutionRole) attaches the managed policy `<acme-domain-elsewhere-TeamStudioPolicyArn>`")),
        "{found:#?}"
    );

    let read_all = json!({"Sid": "ReadSageMaker", "Effect": "Allow", "Action": ["sagemaker:Get*", "sagemaker:BatchGet*", "sagemaker:Describe*"], "Resource": "*"});
    let found = codes(&reopened(&acme, "acme-team-nlp", |t| add_statement(t, "ReadPolicy", read_all.clone())));
    assert!(found.iter().any(|c| c.starts_with("ACC402: `role/acme-team-nlp` may sagemaker:GetRecord")), "{found:#?}");

    let personas = bundle(&example("personas.yaml"));
    let found = codes(&reopened(&personas, "initech-deployment", |t| {
        let statements = t["Resources"]["DeploymentRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
            .as_array_mut()
            .unwrap();
        statements.retain(|s| s["Effect"] != "Deny");
    }));
    assert!(
        found
            .iter()
            .any(|c| c.starts_with("ACC401: `role/initech-model-deployment` may sagemaker:CreatePresignedDomainUrl")
                && c.contains("the AWS managed policy AmazonSageMakerFullAccess")),
        "{found:#?}"
    );
    assert!(
        found.iter().any(|c| c.starts_with("ACC404: `role/initech-model-deployment` may sagemaker:AddTags")),
        "{found:#?}"
    );
    assert!(found.iter().any(|c| c.starts_with("ACC404:")), "{found:#?}");

    let shared =
        json!({"Effect": "Allow", "Action": "sagemaker:CreateSpace", "Resource": sagemaker_arn("space/d-research/*")});
    let found = codes(&reopened(&acme, "acme-team-vision", |t| add_statement(t, "StudioPolicy", shared.clone())));
    assert!(found.iter().any(|c| c.contains("creating a shared space")), "{found:#?}");

    let pass = json!({"Effect": "Allow", "Action": "iam:PassRole", "Resource": format!("arn:aws:iam::{}:role/acme-team-*", estate::ACCOUNT)});
    let found = codes(&reopened(&acme, "acme-team-vision", |t| add_statement(t, "StudioPolicy", pass.clone())));
    assert!(found.iter().any(|c| c.contains("passing the role of another team")), "{found:#?}");

    let login = |t: &mut Value| {
        let statements =
            t["Resources"]["LoginPolicy"]["Properties"]["PolicyDocument"]["Statement"].as_array_mut().unwrap();
        statements.retain(|s| s["Sid"] != "OpenOwnStudio");
    };
    let found = codes(&reopened(&acme, "acme-access", login));
    assert!(
        found
            .iter()
            .any(|c| c.starts_with("ACC405: `group/acme-studio-users` cannot sagemaker:CreatePresignedDomainUrl")),
        "{found:#?}"
    );
}

/// Every statement of every policy of `template`, for edits.
fn each_statement(template: &mut Value, mut edit: impl FnMut(&mut Vec<Value>)) {
    for r in template["Resources"].as_object_mut().unwrap().values_mut() {
        let props = &mut r["Properties"];
        if let Some(s) = props["PolicyDocument"]["Statement"].as_array_mut() {
            edit(s);
        }
        for inline in props["Policies"].as_array_mut().into_iter().flatten() {
            if let Some(s) = inline["PolicyDocument"]["Statement"].as_array_mut() {
                edit(s);
            }
        }
    }
}

#[test]
fn taking_away_what_a_principal_is_set_up_for_makes_synth_fail_with_acc406() {
    // 7: the console's way to the Open Studio button.
    let acme = bundle(&example("acme.yaml"));
    let found = codes(&reopened(&acme, "acme-access", |t| {
        each_statement(t, |s| s.retain(|x| !x["Sid"].as_str().unwrap_or_default().ends_with("InConsole")));
    }));
    for action in ["ListDomains", "DescribeDomain", "DescribeUserProfile"] {
        let wanted = format!("ACC406: `group/acme-studio-users` cannot sagemaker:{action} on ");
        assert!(found.iter().any(|c| c.starts_with(&wanted) && c.contains("no statement allows it")), "{found:#?}");
    }

    // 4: pipeline steps run with no person behind them.
    let found = codes(&reopened(&acme, "acme-team-vision", |t| {
        each_statement(t, |s| s.retain(|x| !x["Sid"].as_str().unwrap_or_default().ends_with("FromJobs")));
    }));
    assert!(
        found.iter().any(|c| c.starts_with("ACC406: `role/acme-team-vision` cannot sagemaker:CreateTrainingJob")
            && c.contains("a pipeline step of its own team")),
        "{found:#?}"
    );

    // 4: the domain's compute role, passed by the teams that start jobs.
    let personas = bundle(&example("personas.yaml"));
    let found = codes(&reopened(&personas, "initech-team-science", |t| {
        each_statement(t, |s| {
            for x in s.iter_mut().filter(|x| x["Sid"] == "PassOwnRoleToSageMaker") {
                x["Resource"].as_array_mut().unwrap().retain(|r| !r.to_string().contains("initech-team-jobs"));
            }
        });
    }));
    assert!(
        found.iter().any(|c| c.starts_with("ACC406: `role/initech-team-science` cannot iam:PassRole on arn:aws:iam::111111111111:role/initech-team-jobs")),
        "{found:#?}"
    );

    // 5: MLflow tiers and the artifact store.
    let found = codes(&reopened(&personas, "initech-team-platform", |t| {
        each_statement(t, |s| s.retain(|x| x["Sid"] != "ReadMlflowArtifacts"));
    }));
    assert!(
        found.iter().any(|c| c.starts_with(
            "ACC406: `role/initech-team-platform` cannot s3:GetObject on arn:aws:s3:::initech-mlflow-artifacts/mlflow/"
        )),
        "{found:#?}"
    );
    let found = codes(&reopened(&personas, "initech-team-science", |t| {
        each_statement(t, |s| s.retain(|x| x["Sid"] != "WriteMlflowArtifacts"));
    }));
    assert!(
        found.iter().any(|c| c.starts_with("ACC406: `role/initech-team-science` cannot s3:PutObject")),
        "{found:#?}"
    );

    // 6: a first Identity Center sign-in runs as the domain's default role.
    let sso = bundle(&example("sso.yaml"));
    let found = codes(&reopened(&sso, "piedpiper-team-compression", |t| {
        for r in t["Resources"].as_object_mut().unwrap().values_mut() {
            if let Some(roles) = r["Properties"]["Roles"].as_array_mut() {
                roles.retain(|x| x != "piedpiper-sso-compression");
            }
        }
    }));
    assert!(
        found
            .iter()
            .any(|c| c.starts_with("ACC406: `role/piedpiper-sso-compression` cannot sagemaker:CreateTrainingJob")
                && c.contains("a member of team compression signing in without a profile")),
        "{found:#?}"
    );

    // A guard that denies names its statement.
    let found = codes(&reopened(&personas, "initech-team-science", |t| {
        each_statement(t, |s| {
            s.push(json!({"Sid": "NoJobRole", "Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}));
        });
    }));
    assert!(
        found.iter().any(|c| c.starts_with("ACC406: `role/initech-team-science` cannot iam:PassRole")
            && c.contains("denied by stack initech-team-science, policy ")
            && c.contains(", statement NoJobRole")),
        "{found:#?}"
    );
}

#[test]
fn access_reports_who_can_do_what_from_an_output_directory() {
    let dir = temp_dir("access");
    let out = dir.join("out");
    let o = out.to_str().unwrap();
    let config = root().join("examples/acme.yaml");
    assert_eq!(cli(&["synth", "--config", config.to_str().unwrap(), "--out", o]).0, 0);
    let (code, stdout, err) = cli(&["access", "--out", o]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.starts_with("acme: 9 principals, "), "{stdout}");
    assert!(stdout.contains("requests evaluated: isolation holds"), "{stdout}");
    assert!(stdout.contains("role/acme-team-vision (execution role of team vision)"), "{stdout}");
    assert!(stdout.contains("  may not reading a feature-group of team fraud (sagemaker:GetRecord)"), "{stdout}");
    assert!(
        stdout.contains("  may     person alice opening their own Studio (sagemaker:CreatePresignedDomainUrl)"),
        "{stdout}"
    );

    let (_, only, _) = cli(&["access", "--out", o, "--who", "CloudAdmin"]);
    assert!(only.contains("role/CloudAdmin (Studio admin)") && !only.contains("acme-team-vision ("), "{only}");
    let (_, md, _) = cli(&["access", "--out", o, "--format", "markdown"]);
    assert!(md.starts_with("### studioform access: acme"), "{md}");
    let (_, js, _) = cli(&["access", "--out", o, "--format", "json"]);
    let doc: Value = serde_json::from_str(&js).unwrap();
    assert_eq!(doc["violations"], json!([]));
    assert!(doc["probes"].as_array().unwrap().len() > 100);

    // A hole edited into the output is reported, with the statement, and exits 1.
    let team = out.join("stacks/acme-team-vision.yaml");
    let text = std::fs::read_to_string(&team).unwrap();
    let opened = text.replacen(
        "            Statement:\n",
        "            Statement:\n              - Sid: Everything\n                Effect: Allow\n                Action: sagemaker:*\n                Resource: '*'\n",
        1,
    );
    assert_ne!(opened, text);
    std::fs::write(&team, opened).unwrap();
    let (code, stdout, _) = cli(&["access", "--out", o]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("violation[ACC402]: `role/acme-team-vision` may sagemaker:CreateTrainingJob"), "{stdout}");
    assert!(stdout.contains("allowed by stack acme-team-vision, policy"), "{stdout}");
    assert!(stdout.contains("statement Everything"), "{stdout}");
}

#[test]
fn the_login_policy_denies_only_profiles_that_carry_the_user_tag() {
    // Another estate in the account, with a tag key of its own: its profiles are left to its
    // own policies, not denied by this one.
    let e = estate_of(&bundle(&example("acme.yaml")));
    let people = principal(&e, "group/acme-studio-users");
    let docs: Vec<&Value> = people.policies.iter().map(|x| &*x.document).collect();
    let open = |key: &str, value: &str| {
        let r = Request::new("sagemaker:CreatePresignedDomainUrl", sagemaker_arn("user-profile/d-other/x"))
            .with("aws:username", "alice")
            .with(&format!("sagemaker:ResourceTag/{key}"), value);
        evaluate(&docs, &r)
    };
    use studioform::access::eval::Decision;
    assert!(matches!(open("userId", "alice"), Decision::Allow(..)));
    assert!(matches!(open("userId", "bob"), Decision::Deny(..)));
    assert!(matches!(open("employeeId", "alice"), Decision::Implicit));
}
