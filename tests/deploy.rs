//! What AWS will do with the output, beyond what lints see: every product's resources can be
//! launched by its launch role (CloudFormation's handler permissions), each stack is deployed
//! in the account that can hold it, and every principal is one the stacks can attach to.

#![allow(clippy::unwrap_used)]

mod common;

use common::{cli, root, stack, stacks, temp_dir};
use serde_json::{Value, json};
use studioform::validate::handlers;

fn example(name: &str) -> String {
    std::fs::read_to_string(root().join("examples").join(name)).unwrap()
}

/// The products of an example by name, and its portfolio.
fn catalog(text: &str) -> (Value, Vec<(String, Value)>) {
    let all = stacks(text);
    let portfolio = all.iter().find(|(n, _)| n.ends_with("-catalog")).unwrap().1.clone();
    let products =
        all.into_iter().filter(|(n, _)| !n.contains('-') || n == "user-profile" || n == "team-bucket").collect();
    (portfolio, products)
}

#[test]
fn every_launch_role_allows_every_handler_permission_of_every_product() {
    for name in ["acme.yaml", "federated.yaml", "sso.yaml"] {
        let (portfolio, products) = catalog(&example(name));
        let roles = handlers::launch_roles(&portfolio);
        assert_eq!(roles.len(), products.len(), "{name}: one launch constraint per product");
        let mut checked = std::collections::BTreeSet::new();
        for role in &roles {
            let url = serde_json::to_string(&role.urls).unwrap();
            let (product, template) = products.iter().find(|(p, _)| url.contains(&format!("products/{p}/"))).unwrap();
            let findings = handlers::check_launch(role, product, template);
            assert!(findings.is_empty(), "{name}: {findings:#?}");
            checked.extend(handlers::actions(template).into_keys());
        }
        assert!(checked.len() > 50, "{name}: {} handler permissions checked", checked.len());
    }
}

#[test]
fn the_launch_role_has_what_the_reviewed_handlers_call() {
    let (portfolio, _) = catalog(&example("acme.yaml"));
    let role = handlers::launch_roles(&portfolio).remove(0);
    for action in [
        // The IAM Role and ManagedPolicy handlers, on update and delete.
        "iam:ListAttachedRolePolicies",
        "iam:ListRolePolicies",
        "iam:GetRolePolicy",
        "iam:PutRolePolicy",
        "iam:DeleteRolePolicy",
        "iam:ListEntitiesForPolicy",
        // The Domain handler.
        "kms:GenerateDataKeyWithoutPlaintext",
        "kms:CreateGrant",
        "elasticfilesystem:CreateFileSystem",
        "sagemaker:DescribeImage",
        // The UserProfile handler, Identity Center included.
        "sagemaker:DescribeImageVersion",
        "sso:DescribeInstance",
        "identitystore:DescribeUser",
        // The custom team-bucket product's bucket.
        "s3:CreateBucket",
        "s3:PutBucketPublicAccessBlock",
        "s3:PutEncryptionConfiguration",
        // Service Catalog's copy of the template.
        "s3:GetObject",
    ] {
        assert!(role.grants.allows(action), "{action}");
    }
}

#[test]
fn a_launch_role_missing_one_handler_permission_is_named_precisely() {
    let text = example("acme.yaml");
    let (mut portfolio, products) = catalog(&text);
    // Take iam:PutRolePolicy out of whichever launch policy statement has it.
    for policy in ["LaunchRolePolicy", "LaunchRolePolicy2"] {
        for s in portfolio["Resources"][policy]["Properties"]["PolicyDocument"]["Statement"].as_array_mut().unwrap() {
            if let Some(actions) = s.get_mut("Action").and_then(Value::as_array_mut) {
                actions.retain(|a| a != "iam:PutRolePolicy");
            }
        }
    }
    let roles = handlers::launch_roles(&portfolio);
    let team = &products.iter().find(|(n, _)| n == "team").unwrap().1;
    let role = roles.iter().find(|r| r.product == "ProductTeam").unwrap();
    let findings = handlers::check_launch(role, "team", team);
    let messages: Vec<&str> = findings.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(findings.iter().map(|d| d.code).collect::<Vec<_>>(), ["TPL601", "TPL601"], "{messages:#?}");
    assert!(messages.iter().any(|m| m.contains(
        "product `team`: the create handler of AWS::IAM::Role calls iam:PutRolePolicy, which launch role `LaunchRole` does not allow: Service Catalog could not launch it"
    )), "{messages:#?}");
    assert!(messages.iter().any(|m| m.contains("the update handler of AWS::IAM::Role calls iam:PutRolePolicy")));
}

fn write_org(name: &str, text: &str, template: &str) -> (std::path::PathBuf, String) {
    let dir = temp_dir(name);
    std::fs::create_dir_all(dir.join("products")).unwrap();
    std::fs::write(dir.join("products/queue.yaml.hbs"), template).unwrap();
    let config = dir.join("studioform.yaml");
    std::fs::write(&config, text).unwrap();
    (dir, config.to_string_lossy().into_owned())
}

const QUEUE: &str = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub '{{name}}-${AWS::StackName}'\n  Wait:\n    Type: AWS::CloudFormation::WaitConditionHandle\n";

#[test]
fn synth_fails_when_a_declared_launch_policy_misses_a_handler_permission() {
    let org = common::minimal()
        + "catalog:\n  portfolio: P\n  provider: Q\n  products: []\n  custom:\n    - template: products/queue.yaml.hbs\n      launch_policy:\n        - actions: [sqs:CreateQueue, sqs:GetQueueAttributes, sqs:DeleteQueue]\n";
    let (dir, config) = write_org("declared-missing", &org, QUEUE);
    let out = dir.join("out");
    let (code, _, err) = cli(&["synth", "--config", &config, "--out", out.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[TPL601]: stack acme-catalog: product `queue`: the create handler of AWS::SQS::Queue calls sqs:GetQueueUrl, sqs:ListQueueTags, sqs:TagQueue, which launch role `LaunchRole` does not allow: Service Catalog could not launch it"), "{err}");
    assert!(err.contains("the update handler of AWS::SQS::Queue calls sqs:ListQueueTags, sqs:SetQueueAttributes, sqs:TagQueue, sqs:UntagQueue"), "{err}");
    assert!(err.contains("catalog.custom[0]"), "{err}");
    assert!(!out.exists());

    // Declared in full, it launches; derived (a plain path), it launches too.
    let full = org.replace(
        "[sqs:CreateQueue, sqs:GetQueueAttributes, sqs:DeleteQueue]",
        "[sqs:CreateQueue, sqs:GetQueueAttributes, sqs:GetQueueUrl, sqs:DeleteQueue, sqs:SetQueueAttributes, sqs:TagQueue, sqs:UntagQueue, sqs:ListQueueTags]",
    );
    let (_, config) = write_org("declared-full", &full, QUEUE);
    let (code, _, err) = cli(&["synth", "--config", &config, "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let plain = common::minimal()
        + "catalog:\n  portfolio: P\n  provider: Q\n  products: []\n  custom: [products/queue.yaml.hbs]\n";
    let (dir, config) = write_org("derived", &plain, QUEUE);
    let (code, _, err) = cli(&["synth", "--config", &config, "--out", dir.join("out").to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let portfolio = std::fs::read_to_string(dir.join("out/catalog/portfolio.yaml")).unwrap();
    assert!(portfolio.contains("Sid: CustomProducts") && portfolio.contains("- sqs:SetQueueAttributes"), "{portfolio}");
}

#[test]
fn a_custom_product_of_unknown_handler_permissions_must_declare_its_launch_statements() {
    let template = "Resources:\n  Build:\n    Type: AWS::CodeBuild::Project\n    Properties:\n      Name: x\n      ServiceRole: arn:aws:iam::123456789012:role/build\n      Artifacts: {Type: NO_ARTIFACTS}\n      Environment: {Type: LINUX_CONTAINER, ComputeType: BUILD_GENERAL1_SMALL, Image: 'aws/codebuild/standard:7.0'}\n      Source: {Type: NO_SOURCE, BuildSpec: 'version: 0.2'}\n";
    let org = common::minimal()
        + "catalog:\n  portfolio: P\n  provider: Q\n  products: []\n  custom: [products/queue.yaml.hbs]\n";
    let (dir, config) = write_org("unknown-handlers", &org, template);
    let (code, _, err) = cli(&["synth", "--config", &config, "--out", dir.join("out").to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[CFG042]: custom product `queue` creates AWS::CodeBuild::Project (Build), whose CloudFormation handler permissions studioform does not know"), "{err}");
    assert!(err.contains("launch_policy"), "{err}");

    let declared = common::minimal()
        + "catalog:\n  portfolio: P\n  provider: Q\n  products: []\n  custom:\n    - template: products/queue.yaml.hbs\n      launch_policy:\n        - actions: [codebuild:CreateProject, codebuild:DeleteProject, codebuild:UpdateProject, codebuild:BatchGetProjects, iam:PassRoel]\n          resources: ['arn:${AWS::Partition}:codebuild:*:${AWS::AccountId}:project/*']\n";
    let (dir, config) = write_org("unknown-declared", &declared, template);
    let (code, _, err) = cli(&["synth", "--config", &config, "--out", dir.join("out").to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[CFG043]: `iam:PassRoel` is not an IAM action"), "{err}");
    assert!(err.contains("catalog.custom[0].launch_policy[0].actions[4]"), "{err}");
    let fixed = declared.replace(", iam:PassRoel]", "]");
    let (dir, config) = write_org("unknown-declared-fixed", &fixed, template);
    let (code, _, err) = cli(&["synth", "--config", &config, "--out", dir.join("out").to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let portfolio = std::fs::read_to_string(dir.join("out/catalog/portfolio.yaml")).unwrap();
    assert!(portfolio.contains("Sid: DeclaredQueue1"), "{portfolio}");
    assert!(portfolio.contains("!Sub arn:${AWS::Partition}:codebuild:*:${AWS::AccountId}:project/*"), "{portfolio}");
}

#[test]
fn a_shared_portfolio_comes_with_what_each_recipient_account_deploys() {
    let recipient = stack(&example("federated.yaml"), "globex-catalog-recipient");
    let r = &recipient["Resources"];
    assert_eq!(r["AcceptedShare"]["Type"], "AWS::ServiceCatalog::AcceptedPortfolioShare");
    assert_eq!(r["AcceptedShare"]["Properties"]["PortfolioId"], json!({"Ref": "PortfolioId"}));
    // The launch constraint names its role by name: the same name, in this account.
    assert_eq!(r["LaunchRole"]["Properties"]["RoleName"], "globex-catalog-launch");
    let association = &r["LaunchPrincipalStudioAdmin"];
    assert_eq!(
        association["Properties"],
        json!({"PortfolioId": {"Ref": "PortfolioId"},
               "PrincipalARN": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/platform/StudioAdmin"},
               "PrincipalType": "IAM"})
    );
    assert_eq!(association["DependsOn"], json!(["AcceptedShare"]));
    assert_eq!(r["EndUserPolicy"]["Properties"]["Roles"], json!(["StudioAdmin"]));
    // The same launch statements as the portfolio's own launch role.
    let hub = stack(&example("federated.yaml"), "globex-catalog");
    assert_eq!(r["LaunchRolePolicy"]["Properties"], hub["Resources"]["LaunchRolePolicy"]["Properties"]);
}

#[test]
fn launch_principals_get_what_service_catalog_asks_of_end_users() {
    let acme = stack(&example("acme.yaml"), "acme-catalog");
    let policy = &acme["Resources"]["EndUserPolicy"]["Properties"];
    let actions: Vec<&str> = policy["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["Action"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()))
        .collect();
    for a in [
        "servicecatalog:ProvisionProduct",
        "servicecatalog:SearchProducts",
        "servicecatalog:TerminateProvisionedProduct",
    ] {
        assert!(actions.contains(&a), "{a}");
    }
    // acme rolls out to organizational units: principals there are matched by name and may
    // not exist, so nothing is attached; federated attaches to its own principals.
    assert!(policy.get("Roles").is_none());
    let federated = stack(&example("federated.yaml"), "globex-catalog");
    assert_eq!(federated["Resources"]["EndUserPolicy"]["Properties"]["Roles"], json!(["StudioAdmin"]));
}

#[test]
fn principals_of_another_account_are_refused_where_they_are_written() {
    let text = common::minimal().replace(
        "  principals: [arn:aws:iam::111122223333:role/CloudAdmin]",
        "  principals:\n    - arn:aws:iam::111122223333:role/CloudAdmin\n    - arn:aws:iam::999988887777:role/PlatformAdmin\n    - arn:aws:iam::111122223333:user/ops",
    );
    let Err(studioform::Error::Invalid { diags, file }) = studioform::config::load_str("x.yaml", text) else {
        panic!()
    };
    let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{diags:#?}");
    assert_eq!(errors[0].code, "CFG044");
    assert!(errors[0].message.contains("`arn:aws:iam::999988887777:role/PlatformAdmin` is in account 999988887777, but the estate's other principals are in account 111122223333"));
    assert_eq!(file.position(&errors[0].at), "x.yaml:11:7");
}

#[test]
fn identity_center_mode_needs_no_iam_admin_principals() {
    let text = example("sso.yaml");
    let start = text.find("admins:").unwrap();
    let end = start + text[start..].find("\n\n").unwrap();
    let without = format!("{}{}", &text[..start], &text[end..]);
    assert!(!without.contains("admins:"));
    let loaded = common::load(&without);
    assert!(loaded.org.admins.principals.is_empty());
    let idc = stack(&without, "piedpiper-identity-center");
    assert!(idc["Resources"]["AdminPermissionSet"].is_object());
    // Without admin groups either, nobody could administer Studio.
    let neither = without.replace("  admin_groups: [a1b2c3d4-1111-2222-3333-444455556666]\n", "");
    assert_ne!(neither, without);
    let Err(studioform::Error::Invalid { diags, .. }) = studioform::config::load_str("x.yaml", neither) else {
        panic!()
    };
    assert!(diags.iter().any(|d| d.code == "CFG027" && d.message.contains("no `identity.admin_groups`")), "{diags:#?}");
}

#[test]
fn each_account_gets_the_policy_its_deployer_needs() {
    let files = common::synth_files(&example("sso.yaml"), studioform::render::Format::Yaml);
    let policy = |path: &str| -> Value {
        serde_json::from_str(&files.iter().find(|f| f.path == path).unwrap().content).unwrap()
    };
    let workload = policy("deploy/workload.json");
    let actions = workload["Statement"][1]["Action"].as_array().unwrap();
    for a in
        ["sagemaker:CreateDomain", "iam:PutRolePolicy", "sagemaker:CreateUserProfile", "servicecatalog:CreatePortfolio"]
    {
        assert!(actions.contains(&json!(a)), "{a}");
    }
    assert!(!actions.contains(&json!("sso:CreatePermissionSet")), "Identity Center's objects are not deployed here");
    let idc = policy("deploy/identity-center.json");
    assert!(idc["Statement"][1]["Action"].as_array().unwrap().contains(&json!("sso:CreatePermissionSet")));
    let readme = &files.iter().find(|f| f.path == "README.md").unwrap().content;
    assert!(readme.contains("## In Identity Center's account"), "{readme}");
    assert!(
        readme.contains(
            "--parameter-overrides TargetAccountId=... CompressionApplicationArn=... PlatformApplicationArn=..."
        ),
        "{readme}"
    );
    assert!(readme.contains("- `deploy/identity-center.json`"), "{readme}");
}
