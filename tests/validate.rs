//! `validate`: every defect of the corpus found with its rule and path, hand-written valid
//! templates clean, our own output clean, quotas, patterns and the command line.

#![allow(clippy::unwrap_used)]

mod common;

use common::{cli, root, stem, temp_dir};
use serde_json::{Value, json};
use studioform::validate;

fn files(dir: &str) -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> =
        std::fs::read_dir(root().join(dir)).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    out.sort();
    out
}

#[test]
fn finds_every_defect_of_the_corpus_with_its_rule_and_path() {
    let corpus = files("tests/templates/invalid");
    assert!(corpus.len() >= 60, "the corpus holds {} templates", corpus.len());
    let mut codes = std::collections::BTreeSet::new();
    for path in corpus {
        let text = std::fs::read_to_string(&path).unwrap();
        let expect =
            text.lines().next().and_then(|l| l.strip_prefix("# expect: ")).unwrap_or_else(|| panic!("{path:?}"));
        let (code, at) = expect.split_once(' ').unwrap();
        codes.insert(code.to_owned());
        let (_, diags) = validate::file(&path).unwrap_or_else(|e| panic!("{}: {e}", stem(&path)));
        let found = diags
            .iter()
            .any(|d| d.code == code && (at == "-" || d.path().map(ToString::to_string).as_deref() == Some(at)));
        assert!(
            found,
            "{}: expected {code} at {at}, got {:#?}",
            stem(&path),
            diags.iter().map(|d| (d.code, d.path().map(ToString::to_string), &d.message)).collect::<Vec<_>>()
        );
    }
    // Every family of checks is represented.
    for family in ["TPL1", "TPL2", "TPL3", "IAM30"] {
        assert!(codes.iter().any(|c| c.starts_with(family)), "no {family} case");
    }
}

#[test]
fn finds_nothing_in_hand_written_valid_templates() {
    let corpus = files("tests/templates/valid");
    assert!(corpus.iter().any(|p| p.extension().is_some_and(|e| e == "json")));
    assert!(corpus.iter().any(|p| p.extension().is_some_and(|e| e == "yaml")));
    for path in corpus {
        let (_, diags) = validate::file(&path).unwrap();
        assert!(diags.is_empty(), "{}: {diags:#?}", stem(&path));
    }
}

#[test]
fn finds_nothing_in_what_synth_writes() {
    let mut configs = common::yaml_files("examples");
    configs.extend(common::yaml_files("tests/fixtures/valid"));
    for config in configs {
        for (name, json) in common::stacks(&std::fs::read_to_string(&config).unwrap()) {
            let body = serde_json::to_string(&json).unwrap().len();
            let diags: Vec<_> = validate::template(&json, body).into_iter().filter(|d| d.code != "TPL503").collect();
            assert!(diags.is_empty(), "{} {name}: {diags:#?}", stem(&config));
        }
    }
}

/// IAM accepts a policy naming a retired action or service, so a hand-written template that
/// names one gets a warning; what synth writes is held to the catalog.
#[test]
fn unknown_actions_warn_by_hand_and_fail_in_what_synth_writes() {
    let t = json!({"Resources": {"P": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["kms:ReEncrypt", "elastic-inference:Connect"], "Resource": "*"}]}}}}});
    let found = validate::template(&t, 0);
    let seen: Vec<_> = found.iter().map(|d| (d.code, d.is_error())).collect();
    assert_eq!(seen, [("IAM305", false), ("IAM304", false)]);
    assert!(found.into_iter().map(validate::strict).all(|d| d.is_error()));
}

/// A nested stack's template next to its parent's is read for its parameters: one passed
/// that it does not declare, and one it needs without a default, are found.
#[test]
fn checks_the_parameters_of_nested_stacks_against_their_template_file() {
    let dir = temp_dir("validate-nested");
    std::fs::write(
        dir.join("network.yaml"),
        "Parameters:\n  Cidr:\n    Type: String\n  Name:\n    Type: String\n    Default: n\nResources:\n  T:\n    Type: AWS::SNS::Topic\n",
    )
    .unwrap();
    let parent = dir.join("parent.yaml");
    std::fs::write(
        &parent,
        "Resources:\n  Net:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: ./network.yaml\n      Parameters:\n        Nmae: x\n",
    )
    .unwrap();
    let (_, diags) = validate::file(&parent).unwrap();
    let found: Vec<_> = diags.iter().map(|d| (d.code, d.path().unwrap().to_string())).collect();
    assert_eq!(
        found,
        [
            ("TPL309", "Resources.Net.Properties.Parameters.Nmae".to_owned()),
            ("TPL309", "Resources.Net.Properties.Parameters".to_owned())
        ],
        "{diags:#?}"
    );
    std::fs::write(&parent, "Resources:\n  Net:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: ./network.yaml\n      Parameters:\n        Cidr: 10.0.0.0/16\n").unwrap();
    assert!(validate::file(&parent).unwrap().1.is_empty());
}

fn codes_of(template: &Value) -> Vec<&'static str> {
    let body = serde_json::to_string(template).unwrap().len();
    validate::template(template, body).into_iter().map(|d| d.code).collect()
}

fn topics(n: usize) -> serde_json::Map<String, Value> {
    (0..n).map(|i| (format!("Topic{i}"), json!({"Type": "AWS::SNS::Topic"}))).collect()
}

#[test]
fn enforces_cloudformation_quotas() {
    assert!(codes_of(&json!({"Resources": topics(500)})).is_empty());
    assert_eq!(codes_of(&json!({"Resources": topics(501)})), ["TPL501"]);
    let outputs = |n: usize| -> serde_json::Map<String, Value> {
        (0..n).map(|i| (format!("O{i}"), json!({"Value": "x"}))).collect()
    };
    assert!(codes_of(&json!({"Resources": topics(1), "Outputs": outputs(200)})).is_empty());
    assert_eq!(codes_of(&json!({"Resources": topics(1), "Outputs": outputs(201)})), ["TPL501"]);
    let params: serde_json::Map<String, Value> =
        (0..201).map(|i| (format!("P{i}"), json!({"Type": "String"}))).collect();
    assert_eq!(codes_of(&json!({"Resources": topics(1), "Parameters": params})), ["TPL501"]);
    // A mapping holds at most 200 keys, each with at most 200 attributes.
    let attrs =
        |n: usize| -> serde_json::Map<String, Value> { (0..n).map(|i| (format!("A{i}"), json!("v"))).collect() };
    let keys = |n: usize, width: usize| -> serde_json::Map<String, Value> {
        (0..n).map(|i| (format!("K{i}"), Value::Object(attrs(width)))).collect()
    };
    assert!(codes_of(&json!({"Resources": topics(1), "Mappings": {"M": keys(200, 1)}})).is_empty());
    assert!(codes_of(&json!({"Resources": topics(1), "Mappings": {"M": keys(1, 200)}})).is_empty());
    assert_eq!(codes_of(&json!({"Resources": topics(1), "Mappings": {"M": keys(201, 1)}})), ["TPL501"]);
    assert_eq!(codes_of(&json!({"Resources": topics(1), "Mappings": {"M": keys(1, 201)}})), ["TPL501"]);
    let long = "x".repeat(1_000);
    let big: serde_json::Map<String, Value> =
        (0..1_100).map(|i| (format!("O{i}"), json!({"Value": long}))).collect::<serde_json::Map<_, _>>();
    let t = json!({"Resources": topics(1), "Metadata": {"Big": big}});
    assert_eq!(codes_of(&t), ["TPL502"]);
    let t = json!({"Resources": topics(1), "Metadata": {"Big": "x".repeat(60_000)}});
    let body = serde_json::to_string(&t).unwrap().len();
    let d = validate::template(&t, body);
    assert_eq!((d[0].code, d[0].is_error()), ("TPL503", false));
    let id = "A".repeat(256);
    assert_eq!(codes_of(&json!({"Resources": {id: {"Type": "AWS::SNS::Topic"}}})), ["TPL104"]);
}

#[test]
fn checks_unicode_class_patterns_the_schemas_rely_on() {
    let role = |tag: &str| {
        json!({"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "Tags": [{"Key": "team", "Value": tag}]}}}})
    };
    assert!(codes_of(&role("vision")).is_empty());
    assert!(codes_of(&role("équipe données")).is_empty(), "\\p{{L}} and \\p{{Z}} accept letters and spaces");
    assert_eq!(codes_of(&role("vi*sion")), ["TPL201"]);
}

#[test]
fn every_type_is_checked_but_custom_resources_and_stack_outputs_take_anything() {
    let t = json!({"Resources": {
        "Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"Engine": "postgres", "DBInstanceClass": "db.t3.micro"}},
        "Custom": {"Type": "Custom::Thing", "Properties": {"ServiceToken": "arn:aws:lambda:us-east-1:111122223333:function:f", "Any": {"Thing": 1}}},
        "Nested": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "https://example.com/t.yaml"}},
        "Out": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::Join": ["", [
            {"Fn::GetAtt": ["Db", "Endpoint.Address"]}, {"Fn::GetAtt": ["Custom", "Whatever"]},
            {"Fn::GetAtt": ["Nested", "Outputs.Name"]}]]}}}
    }});
    assert!(codes_of(&t).is_empty(), "{:?}", codes_of(&t));
    let t = json!({"Resources": {"Fn": {"Type": "AWS::Lambda::Permission", "Properties": {
        "Action": "lambda:InvokeFunction", "FunctionName": "f", "Principal": "s3.amazonaws.com", "Anything": 1}}}});
    assert_eq!(codes_of(&t), ["TPL201"]);
}

#[test]
fn validate_exits_by_severity_and_prints_snippets_or_one_finding_per_line() {
    let dir = temp_dir("validate-cli");
    let valid = root().join("tests/templates/valid/service-catalog.yaml");
    let invalid = root().join("tests/templates/invalid/role_name_for_execution_role_arn.yaml");
    let (code, out, _) = cli(&["validate", valid.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = cli(&["validate", invalid.to_str().unwrap()]);
    assert_eq!(code, 1);
    // For people: the message, the position, the line with a caret under the value, the help.
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0], "error[TPL203]: `!Ref Role` gives the RoleName of AWS::IAM::Role, but `ExecutionRole` needs an ARN",
        "{out}"
    );
    assert!(lines[1].ends_with("role_name_for_execution_role_arn.yaml:72:24"), "{out}");
    assert!(lines[3].starts_with("72 |") && lines[3].contains("ExecutionRole: !Ref Role"), "{out}");
    assert_eq!(lines[4].find('^'), lines[3].find("!Ref"), "the caret is under the value: {out}");
    assert!(out.contains("= help: use `!GetAtt Role.Arn`"), "{out}");
    let (code, out, _) = cli(&["validate", "--format", "short", invalid.to_str().unwrap()]);
    assert_eq!(code, 1);
    let line = out.lines().next().unwrap();
    assert!(line.ends_with("error TPL203: `!Ref Role` gives the RoleName of AWS::IAM::Role, but `ExecutionRole` needs an ARN (at Resources.Domain.Properties.DefaultUserSettings.ExecutionRole) help: use `!GetAtt Role.Arn`"), "{line}");
    assert!(line.contains("role_name_for_execution_role_arn.yaml:72:24: "), "{line}");

    let warning_only = dir.join("warning.yaml");
    let text = std::fs::read_to_string(root().join("tests/templates/invalid/misspelt_global_abac_key.yaml")).unwrap();
    std::fs::write(&warning_only, text).unwrap();
    assert_eq!(cli(&["validate", warning_only.to_str().unwrap()]).0, 0, "warnings alone do not fail");

    let broken = dir.join("broken.yaml");
    std::fs::write(&broken, "Resources:\n  A: [\n").unwrap();
    let (code, _, err) = cli(&["validate", broken.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("broken.yaml:3:1: error TPL000: not valid YAML"), "{err}");

    let (code, out, _) = cli(&["validate", "--format", "json", invalid.to_str().unwrap(), valid.to_str().unwrap()]);
    assert_eq!(code, 1);
    let findings: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(findings[0]["code"], "TPL203");
    assert_eq!(findings[0]["line"], 72);
    assert_eq!(findings[0]["path"], "Resources.Domain.Properties.DefaultUserSettings.ExecutionRole");
}

#[test]
fn synth_refuses_to_write_a_template_that_fails_validation() {
    // The config checks keep every org-file value within the schemas, so break a built
    // template directly, as a future builder bug would.
    let loaded = common::load(&common::minimal());
    let mut bundle = studioform::estate::bundle(
        &loaded.org,
        &loaded.base_dir,
        &Default::default(),
        studioform::render::Format::Yaml,
    )
    .unwrap();
    let i = bundle.stacks.iter().position(|s| s.name == "acme-team-vision").unwrap();
    let old = &bundle.stacks[i];
    let mut json = old.json().clone();
    json["Resources"]["ExecutionRole"]["Properties"]["RoleName"] = json!("x".repeat(70));
    let origin = old.origin_of("ExecutionRole").unwrap();
    bundle.stacks[i] = studioform::estate::Stack::rendered(old.name.clone(), old.kind, json, origin);
    let findings = validate::bundle(&bundle);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].code, "TPL201");
    assert_eq!(findings[0].path().unwrap().to_string(), "teams[0]", "points at the org-file entry");
    assert!(
        findings[0].message.starts_with("stack acme-team-vision, resource ExecutionRole: `RoleName` is"),
        "{}",
        findings[0].message
    );
}

#[test]
fn the_readme_documents_every_finding_code() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut sources = vec![root().join("src")];
    let mut missing = Vec::new();
    while let Some(dir) = sources.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, _) in text.match_indices('"') {
                let code = text.get(i + 1..i + 7).unwrap_or_default();
                let known = ["TPL", "IAM", "CFG", "ACC"].iter().any(|p| code.starts_with(p));
                if known
                    && code[3..].bytes().all(|b| b.is_ascii_digit())
                    && text[i + 7..].starts_with('"')
                    && code != "CFG999"
                    && !readme.contains(code)
                {
                    missing.push(code.to_owned());
                }
            }
        }
    }
    assert!(missing.is_empty(), "codes missing from the README: {missing:?}");
}

/// Property validation stands an empty object in for every policy document
/// (`PolicyDocument`, `AssumeRolePolicyDocument`) rather than copying it: sound only while no
/// provider schema constrains what is inside one.
#[test]
fn no_vendored_schema_constrains_the_inside_of_a_policy_document() {
    fn walk(node: &Value, at: &str, found: &mut Vec<String>, seen: &mut usize) {
        match node {
            Value::Object(m) => {
                for (k, v) in m {
                    if (k == "PolicyDocument" || k == "AssumeRolePolicyDocument") && v.is_object() {
                        *seen += 1;
                        let inner = [
                            "properties",
                            "required",
                            "patternProperties",
                            "minProperties",
                            "$ref",
                            "oneOf",
                            "anyOf",
                            "allOf",
                        ];
                        if inner.iter().any(|key| v.get(*key).is_some())
                            || v.get("additionalProperties") == Some(&json!(false))
                        {
                            found.push(format!("{at}/{k}"));
                        }
                    }
                    walk(v, &format!("{at}/{k}"), found, seen);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, at, found, seen)),
            _ => {}
        }
    }
    let (mut found, mut seen, mut read) = (Vec::new(), 0, 0);
    for entry in std::fs::read_dir(common::root().join("schemas/resources")).unwrap() {
        let path = entry.unwrap().path();
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        walk(&schema, &path.file_name().unwrap().to_string_lossy(), &mut found, &mut seen);
        read += 1;
    }
    assert!(read > 30 && seen >= 5, "read {read} schemas, {seen} policy documents");
    assert!(found.is_empty(), "{found:#?}");
}

/// `validate` checks any template, ours or hand-written: no file of it reads the org file's
/// types, so that nothing of the org file can leak into what a template is judged by.
#[test]
fn validate_knows_nothing_of_the_org_file() {
    let mut offenders = Vec::new();
    let dir = root().join("src/validate");
    let mut checked = 0;
    for path in files("src/validate") {
        let text = std::fs::read_to_string(&path).unwrap();
        checked += 1;
        for (n, line) in text.lines().enumerate() {
            if line.contains("crate::config") || line.contains("super::super::config") {
                offenders.push(format!("{}:{}: {line}", path.strip_prefix(&dir).unwrap().display(), n + 1));
            }
        }
    }
    assert!(checked >= 5, "src/validate has its files");
    assert!(offenders.is_empty(), "validate must not use the org file's types:\n{}", offenders.join("\n"));
}

/// `studioform validate` on what synth wrote says what synth said, nothing: the team product
/// is over the inline size, but products and synth's stacks deploy from S3. The same template
/// outside the output is hand-written, and warned about.
#[test]
fn validate_says_nothing_of_synth_output_that_synth_did_not() {
    let dir = temp_dir("validate-synth-output");
    let out = dir.join("out");
    let (code, _, err) = cli(&[
        "synth",
        "--config",
        root().join("examples/acme.yaml").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let mut files: Vec<String> = Vec::new();
    for sub in ["stacks", "catalog", "catalog/products"] {
        for e in std::fs::read_dir(out.join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "yaml") {
                files.push(p.to_string_lossy().into_owned());
            }
        }
    }
    let team = out.join("catalog/products/team.yaml");
    assert!(std::fs::metadata(&team).unwrap().len() > 51_200, "the team product is over the inline size");
    let mut args = vec!["validate"];
    args.extend(files.iter().map(String::as_str));
    let (code, stdout, _) = cli(&args);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.ends_with(&format!("{} file(s) checked: 0 error(s), 0 warning(s)\n", files.len())), "{stdout}");

    let copy = dir.join("team.yaml");
    std::fs::copy(&team, &copy).unwrap();
    let (code, stdout, _) = cli(&["validate", copy.to_str().unwrap()]);
    assert_eq!(code, 0, "a warning alone does not fail");
    assert!(stdout.contains("warning[TPL503]"), "{stdout}");
}

/// The licence the package declares is the one the repository ships.
#[test]
fn the_license_file_matches_the_package() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    assert!(manifest.lines().any(|l| l.trim() == "license = \"Apache-2.0\""), "Cargo.toml declares Apache-2.0");
    let license = std::fs::read_to_string(root().join("LICENSE")).unwrap();
    assert!(license.trim_start().starts_with("Apache License"), "LICENSE is the Apache License");
    assert!(license.contains("Version 2.0, January 2004") && license.contains("END OF TERMS AND CONDITIONS"));
}

/// What the SAM transform resolves is not refused before it: a key SAM ignores beside a
/// function's Properties is a warning, and the API and function that name each other (the
/// transform makes the function's events permissions of their own) are no cycle.
#[test]
fn sam_constructs_the_transform_resolves_are_not_errors() {
    let t = json!({"Transform": "AWS::Serverless-2016-10-31", "Resources": {
        "Api": {"Type": "AWS::Serverless::Api", "Properties": {"StageName": "prod", "DefinitionBody": {"paths": {"/": {"get": {
            "x-amazon-apigateway-integration": {"httpMethod": "POST", "type": "aws_proxy",
                "uri": {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"}}}}}}}},
        "Fn": {"Type": "AWS::Serverless::Function", "Description": "answers", "Properties": {
            "Runtime": "python3.13", "Handler": "index.handler", "InlineCode": "def handler(e, c): return e",
            "Events": {"Get": {"Type": "Api", "Properties": {"RestApiId": {"Ref": "Api"}, "Path": "/", "Method": "get"}}}}}
    }});
    let findings = validate::template(&t, 1000);
    assert!(findings.iter().all(|d| !d.is_error()), "{findings:?}");
    assert!(findings.iter().any(|d| d.code == "TPL106" && !d.is_error()), "{findings:?}");
    // Without the transform, the same extra key is an error.
    let mut plain = t.clone();
    plain.as_object_mut().unwrap().remove("Transform");
    plain["Resources"] = json!({"Q": {"Type": "AWS::SQS::Queue", "Description": "x"}});
    assert_eq!(codes_of(&plain), ["TPL106"]);
}

/// ECS takes a role's name where its schema says ARN ("the short name or full ARN"); another
/// kind of name is still refused.
#[test]
fn an_ecs_task_role_may_be_named() {
    let task = |role: Value| {
        json!({"Resources": {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}},
            "Bucket": {"Type": "AWS::S3::Bucket"},
            "Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"TaskRoleArn": role,
                "ContainerDefinitions": [{"Name": "app", "Image": "busybox", "Memory": 128}]}}
        }})
    };
    assert!(codes_of(&task(json!({"Ref": "Role"}))).is_empty(), "{:?}", codes_of(&task(json!({"Ref": "Role"}))));
    assert_eq!(codes_of(&task(json!({"Ref": "Bucket"}))), ["TPL203"]);
}
