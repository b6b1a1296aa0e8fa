//! The Service Catalog portfolio and its products: versions that only grow when content
//! changes, the launch role, sharing, custom products, and the products' own isolation.

#![allow(clippy::unwrap_used)]

mod common;

use common::{cli, root, stack, temp_dir, tree};
use serde_json::{Value, json};

fn example(name: &str) -> String {
    std::fs::read_to_string(root().join("examples").join(name)).unwrap()
}

fn write_config(dir: &std::path::Path, text: &str) -> String {
    let products = dir.join("products");
    std::fs::create_dir_all(&products).unwrap();
    std::fs::copy(root().join("examples/products/team-bucket.yaml.hbs"), products.join("team-bucket.yaml.hbs"))
        .unwrap();
    let path = dir.join("studioform.yaml");
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn manifest(dir: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

fn versions(manifest: &Value, product: &str) -> Vec<String> {
    manifest["products"].as_array().unwrap().iter().find(|p| p["name"] == product).unwrap()["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["key"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_new_version_appears_only_when_a_product_changes_and_earlier_ones_stay() {
    let dir = temp_dir("versions");
    let out = dir.join("out");
    let o = out.to_str().unwrap();
    let config = write_config(&dir, &example("acme.yaml"));
    assert_eq!(cli(&["synth", "--config", &config, "--out", o]).0, 0);
    let first = manifest(&out);
    let team_v1 = versions(&first, "team");
    assert_eq!(team_v1.len(), 1);
    assert!(team_v1[0].starts_with("products/team/") && team_v1[0].ends_with(".yaml"));
    let entry = first["files"].as_array().unwrap().iter().find(|e| e["path"] == "catalog/products/team.yaml").unwrap();
    assert_eq!(entry["key"], team_v1[0].as_str());
    assert!(team_v1[0].contains(entry["sha256"].as_str().unwrap()), "the key addresses the file's bytes");

    // The same input again changes nothing.
    let before = tree(&out);
    assert_eq!(cli(&["synth", "--config", &config, "--out", o]).0, 0);
    assert_eq!(tree(&out), before);

    // A team's buckets change: the team product gets v2, keeps v1; other products stay at v1.
    write_config(&dir, &example("acme.yaml").replace("[acme-nlp-data]", "[acme-nlp-data, acme-nlp-archive]"));
    assert_eq!(cli(&["synth", "--config", &config, "--out", o]).0, 0);
    let second = manifest(&out);
    let team_v2 = versions(&second, "team");
    assert_eq!(team_v2.len(), 2);
    assert_eq!(team_v2[0], team_v1[0]);
    assert_ne!(team_v2[1], team_v1[0]);
    for other in ["domain", "user-profile", "team-bucket"] {
        assert_eq!(versions(&second, other), versions(&first, other), "{other}");
    }
    let portfolio = std::fs::read_to_string(out.join("catalog/portfolio.yaml")).unwrap();
    assert!(portfolio.contains(&team_v1[0]) && portfolio.contains(&team_v2[1]));
    assert!(portfolio.contains("Name: v1") && portfolio.contains("Name: v2"));
    assert_eq!(cli(&["synth", "--config", &config, "--out", o, "--check"]).0, 0, "check honours the history");
}

#[test]
fn launches_with_a_role_arn_unless_shared_then_by_local_role_name() {
    let acme = stack(&example("acme.yaml"), "acme-catalog");
    for product in ["Domain", "Team", "UserProfile", "TeamBucket"] {
        let p = &acme["Resources"][format!("Product{product}LaunchRole")];
        assert_eq!(p["Properties"]["RoleArn"], json!({"Fn::GetAtt": ["LaunchRole", "Arn"]}));
        assert!(p["Properties"].get("LocalRoleName").is_none());
        assert_eq!(p["DependsOn"], json!([format!("Product{product}Association")]));
    }
    let globex = stack(&example("federated.yaml"), "globex-catalog");
    let p = &globex["Resources"]["ProductTeamLaunchRole"]["Properties"];
    assert_eq!(p["LocalRoleName"], json!({"Ref": "LaunchRole"}));
    assert!(p.get("RoleArn").is_none());
    assert_eq!(
        globex["Resources"]["Share777788889999"]["Properties"],
        json!({"AccountId": "777788889999", "PortfolioId": {"Ref": "Portfolio"}, "ShareTagOptions": false})
    );
    assert_eq!(
        globex["Resources"]["LaunchPrincipalStudioAdmin"]["Properties"]["PrincipalARN"],
        "arn:aws:iam::444455556666:role/platform/StudioAdmin"
    );
}

#[test]
fn offers_team_tag_options_and_a_login_only_policy() {
    let acme = stack(&example("acme.yaml"), "acme-catalog");
    for team in ["Vision", "Nlp", "Fraud"] {
        assert_eq!(acme["Resources"][format!("TeamTagOption{team}")]["Properties"]["Key"], "team");
        assert_eq!(
            acme["Resources"][format!("TeamTagOption{team}Association")]["Properties"]["ResourceId"],
            json!({"Ref": "Portfolio"})
        );
    }
    let globex = stack(&example("federated.yaml"), "globex-catalog");
    let options =
        globex["Resources"].as_object().unwrap().values().filter(|r| r["Type"] == "AWS::ServiceCatalog::TagOption");
    assert_eq!(options.count(), 0, "tag options only when asked for: they collide with an account's own");
    let login = acme["Resources"]["DataScientistPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .clone();
    // Opening one's own Studio, and what the console reads on the way there: nothing else.
    let actions: Vec<&str> =
        login.iter().flat_map(|s| s["Action"].as_array().unwrap()).map(|a| a.as_str().unwrap()).collect();
    assert!(
        actions.iter().all(|a| *a == "sagemaker:CreatePresignedDomainUrl"
            || a.starts_with("sagemaker:List")
            || a.starts_with("sagemaker:Describe")),
        "{actions:?}"
    );
    assert_eq!(login[0]["Condition"], json!({"StringEquals": {"sagemaker:ResourceTag/userId": "${aws:username}"}}));
}

#[test]
fn pins_the_launch_role_permissions() {
    let acme = stack(&example("acme.yaml"), "acme-catalog");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("snapshots/policies"));
    settings.set_prepend_module_to_snapshot(false);
    for (id, name) in
        [("LaunchRolePolicy", "acme__catalog-launch-role"), ("LaunchRolePolicy2", "acme__catalog-launch-role-2")]
    {
        let policy = &acme["Resources"][id]["Properties"]["PolicyDocument"];
        settings.bind(|| insta::assert_snapshot!(name, studioform::render::yaml(policy)));
    }
    assert_eq!(
        acme["Resources"]["LaunchRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"],
        json!([{"Effect": "Allow", "Principal": {"Service": ["servicecatalog.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}])
    );
    // Profiles only with the user tag, roles only of the org's teams, policies only the teams'.
    let launch_statement = |sid: &str| {
        ["LaunchRolePolicy", "LaunchRolePolicy2"]
            .iter()
            .flat_map(|p| acme["Resources"][p]["Properties"]["PolicyDocument"]["Statement"].as_array().unwrap())
            .find(|s| s["Sid"] == sid)
            .unwrap_or_else(|| panic!("no statement {sid}"))
            .clone()
    };
    let profiles = launch_statement("ProfilesWithUserTag");
    assert_eq!(profiles["Condition"], json!({"Null": {"aws:RequestTag/userId": "false"}}));
    let team_roles = launch_statement("TeamRolesWithTeamTag");
    assert_eq!(team_roles["Condition"], json!({"Null": {"aws:RequestTag/team": "false"}}));
    // Service Catalog's own copy of each template, tagged by it, whatever bucket it came from.
    let templates = launch_statement("ProductTemplates");
    assert_eq!(templates["Resource"], json!(["*"]));
    assert_eq!(
        templates["Condition"],
        json!({"StringEquals": {"s3:ExistingObjectTag/servicecatalog:provisioning": "true"}})
    );
    let attach = launch_statement("AttachOnlyTeamPolicies");
    assert_eq!(
        attach["Condition"]["ArnLike"]["iam:PolicyARN"],
        json!({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/acme-team-*"})
    );
}

#[test]
fn products_keep_the_isolation_of_the_concrete_stacks() {
    let text = example("acme.yaml");
    let profile = stack(&text, "user-profile");
    let p = &profile["Resources"]["UserProfile"];
    assert_eq!((p["DeletionPolicy"].as_str(), p["UpdateReplacePolicy"].as_str()), (Some("Retain"), Some("Retain")));
    assert_eq!(
        p["Properties"],
        json!({
            "DomainId": {"Ref": "DomainId"},
            "UserProfileName": {"Ref": "UserProfileName"},
            "UserSettings": {"ExecutionRole": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/acme-team-${TeamName}"}},
            "Tags": [{"Key": "userId", "Value": {"Ref": "UserId"}}]
        })
    );
    assert_eq!(profile["Parameters"]["TeamName"]["AllowedValues"], json!(["fraud", "nlp", "vision"]), "by name");
    assert_eq!(profile["Parameters"]["UserProfileName"]["AllowedPattern"], "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$");

    let team = stack(&text, "team");
    assert_eq!(
        team["Resources"]["ExecutionRole"]["Properties"]["Tags"],
        json!([{"Key": "team", "Value": {"Ref": "TeamName"}}])
    );
    assert_eq!(
        team["Resources"]["ExecutionRole"]["Properties"]["RoleName"],
        json!({"Fn::Sub": "acme-team-${TeamName}"})
    );
    let creates: Vec<&Value> = team["Resources"]["TeamResourcesPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s.get("Fn::If"))
        .filter(|s| s[1]["Sid"].as_str().is_some_and(|sid| sid.starts_with("Create")))
        .collect();
    assert_eq!(creates.len(), 3, "one create statement per source-identity mode, and one for sessions of no person");
    assert_eq!(creates[0][0], "GrantsBaselineAndSourceIdentity");
    assert_eq!(
        team["Conditions"]["GrantsBaselineAndSourceIdentity"],
        json!({"Fn::And": [{"Condition": "GrantsBaseline"}, {"Condition": "GrantsSourceIdentity"}]})
    );
    // Source identity is the domain's setting, chosen where the product is launched.
    assert_eq!(team["Conditions"]["GrantsSourceIdentity"], json!({"Fn::Equals": [{"Ref": "SourceIdentity"}, "true"]}));
    assert_eq!(team["Parameters"]["SourceIdentity"]["AllowedValues"], json!(["true", "false"]));
    assert!(team["Mappings"]["Teams"]["vision"].get("SourceIdentity").is_none());
    assert_eq!(creates[0][1]["Condition"]["StringEquals"]["aws:RequestTag/team"], json!({"Ref": "TeamName"}));
    assert_eq!(creates[0][1]["Condition"]["StringEquals"]["aws:RequestTag/owner"], "${aws:SourceIdentity}");
    assert_eq!(creates[1][0], "GrantsBaselineAndNotSourceIdentity");
    assert_eq!(
        team["Mappings"]["TeamBucketsAws"]["vision"]["Buckets"],
        json!(["arn:aws:s3:::acme-vision-data", "arn:aws:s3:::acme-shared-datasets"])
    );
    assert_eq!(team["Mappings"]["Teams"]["nlp"]["HasInstanceTypes"], "false");

    let domain = stack(&text, "domain");
    let d = &domain["Resources"]["Domain"];
    assert_eq!(d["DeletionPolicy"], "Retain");
    assert_eq!(
        d["Properties"]["DomainSettings"],
        json!({"Fn::If": ["PropagateSourceIdentity", {"ExecutionRoleIdentityConfig": "USER_PROFILE_NAME"}, {"Ref": "AWS::NoValue"}]})
    );
    assert_eq!(domain["Parameters"]["VpcId"]["Type"], "AWS::EC2::VPC::Id");
    // acme rolls the catalog out to organizational units: its own VPC is no default there.
    assert!(domain["Parameters"]["VpcId"].get("Default").is_none());
    assert!(domain["Parameters"]["SubnetIds"].get("Default").is_none());
    assert_eq!(domain["Parameters"]["KmsKeyArn"]["Default"], "");
    let federated = stack(&example("federated.yaml"), "domain");
    assert_eq!(federated["Parameters"]["VpcId"]["Default"], "vpc-0123456789abcdef0");
    // Shared spaces get a role, the domain's own, which grants nothing; with source identity
    // on, that role's trust lets SageMaker set it.
    assert_eq!(
        d["Properties"]["DefaultSpaceSettings"]["ExecutionRole"],
        json!({"Fn::GetAtt": ["DefaultExecutionRole", "Arn"]})
    );
    let trust = &domain["Resources"]["DefaultExecutionRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"];
    assert_eq!(trust[1]["Fn::If"][0], "PropagateSourceIdentity");
    assert_eq!(trust[1]["Fn::If"][1]["Action"], json!(["sts:SetSourceIdentity"]));
    assert_eq!(domain["Parameters"]["SubnetIds"]["Type"], "List<AWS::EC2::Subnet::Id>");
    assert!(domain["Metadata"]["AWS::CloudFormation::Interface"]["ParameterGroups"].is_array());
    assert_eq!(domain["Outputs"]["DomainId"]["Value"], json!({"Ref": "Domain"}));
}

fn custom_error(template: &str) -> String {
    let dir = temp_dir(&format!("custom-{}", template.len()));
    std::fs::create_dir_all(dir.join("products")).unwrap();
    std::fs::write(dir.join("products/broken.yaml.hbs"), template).unwrap();
    let text = common::minimal()
        + "catalog:\n  portfolio: P\n  provider: Q\n  products: []\n  custom: [products/broken.yaml.hbs]\n";
    let config = dir.join("studioform.yaml");
    std::fs::write(&config, text).unwrap();
    let (code, _, err) =
        cli(&["synth", "--config", config.to_str().unwrap(), "--out", dir.join("out").to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(!dir.join("out").exists(), "nothing written");
    err
}

#[test]
fn custom_product_errors_name_the_template_and_its_line() {
    let err =
        custom_error("Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: {{nmae}}\n");
    assert!(err.contains("error[CFG040]: products/broken.yaml.hbs: line 5, column 20:"), "{err}");
    assert!(err.contains("catalog.custom[0]"), "{err}");
    // A misspelt field: the likely one, and the fields there are.
    assert!(err.contains("`nmae` is not in the data (strict mode: check the spelling); did you mean `name`?"), "{err}");
    assert!(err.contains("each of `teams` has name, domain"), "{err}");

    let err = custom_error("Resources:\n  Topic: [\n");
    assert!(err.contains("products/broken.yaml.hbs: line 3 of the rendered template: not valid YAML"), "{err}");

    let err =
        custom_error("Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayNam: {{name}}\n");
    assert!(err.contains("stack broken, resource Topic: AWS::SNS::Topic has no property `DisplayNam`"), "{err}");
}

/// The file a custom template entry names: the accepted names, with the path to rename it to,
/// and a file that is not there, with the templates that are.
#[test]
fn custom_template_paths_get_help_that_names_real_paths() {
    let dir = temp_dir("custom-paths");
    std::fs::create_dir_all(dir.join("products")).unwrap();
    std::fs::write(dir.join("products/team-bucket.yaml.hbs"), "Resources: {}\n").unwrap();
    let config = dir.join("studioform.yaml");
    let run = |entry: &str| {
        let text = common::minimal()
            + &format!("catalog:\n  portfolio: P\n  provider: Q\n  products: []\n  custom: [{entry}]\n");
        std::fs::write(&config, text).unwrap();
        let (code, _, err) =
            cli(&["synth", "--config", config.to_str().unwrap(), "--out", dir.join("out").to_str().unwrap()]);
        assert_eq!(code, 1, "{err}");
        err
    };
    let err = run("products/Team_Bucket.yml");
    assert!(err.contains("error[CFG032]"), "{err}");
    assert!(err.contains("`<name>.yaml.hbs`, `<name>.yml.hbs` or `<name>.json.hbs`"), "{err}");
    assert!(err.contains("help: rename it `products/team-bucket.yml.hbs`"), "{err}");

    let err = run("products/team-bucketz.yaml.hbs");
    assert!(
        err.contains("error[CFG041]: custom product template `products/team-bucketz.yaml.hbs` does not exist"),
        "{err}"
    );
    assert!(err.contains("help: did you mean `products/team-bucket.yaml.hbs`?"), "{err}");
    assert!(!err.contains("fix the template"), "{err}");

    let err = run("elsewhere/team-bucket.yaml.hbs");
    assert!(err.contains("`elsewhere/` holds no `.hbs` template: create it, or correct the path"), "{err}");
}
