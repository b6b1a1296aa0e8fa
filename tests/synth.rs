//! `synth` end to end: snapshots of every example, determinism, YAML that means what the
//! model means, atomic writes, `--check`, and stability of everyone else's resources.

#![allow(clippy::unwrap_used)]

mod common;

use common::{cli, root, stem, synth_files, temp_dir, tree, yaml_files};
use studioform::render::Format;

fn examples() -> Vec<std::path::PathBuf> {
    let mut files = yaml_files("examples");
    files.extend(yaml_files("tests/fixtures/valid"));
    files
}

#[test]
fn snapshots_every_file_of_every_example() {
    for path in yaml_files("examples") {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(root().join("snapshots/templates"));
        settings.set_prepend_module_to_snapshot(false);
        settings.add_filter(r"[0-9a-f]{64}", "[SHA256]");
        for file in synth_files(&text, Format::Yaml) {
            let name = format!("{}__{}", stem(&path), file.path.replace("stacks/", "").replace('/', "__"));
            settings.bind(|| insta::assert_snapshot!(name, file.content));
        }
    }
}

#[test]
fn writes_the_same_bytes_for_the_same_input() {
    for path in examples() {
        let text = std::fs::read_to_string(&path).unwrap();
        for format in [Format::Yaml, Format::Json] {
            assert_eq!(synth_files(&text, format), synth_files(&text, format), "{}", path.display());
        }
    }
}

#[test]
fn yaml_output_reads_back_as_exactly_the_json_output() {
    // Read back the way CloudFormation does (YAML 1.1): an unquoted `no` would come back
    // `false`, an unquoted `0123` as 83, and the comparison would fail.
    for path in examples() {
        let text = std::fs::read_to_string(&path).unwrap();
        let yaml = synth_files(&text, Format::Yaml);
        let json = synth_files(&text, Format::Json);
        for (y, j) in yaml.iter().zip(&json) {
            if !y.path.ends_with(".yaml") {
                continue;
            }
            let node = studioform::yaml::parse(&y.content).unwrap();
            let read = without_product_keys(studioform::validate::read::template(&node).unwrap());
            let expected = without_product_keys(serde_json::from_str(&j.content).unwrap());
            assert!(read == expected, "{} {}: the YAML does not read back as the JSON", path.display(), y.path);
        }
    }
}

/// The tree with product keys (`products/<name>/<sha256>.<ext>`) cut after the name, the
/// portfolio's key (`portfolio/<sha256>.<ext>`) cut after `portfolio/`, and
/// version descriptions without their hash: they address the bytes of each format, so YAML
/// and JSON outputs name different objects.
fn without_product_keys(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::String(s) if s.starts_with("template sha256 ") => {
            serde_json::Value::String("template sha256".into())
        }
        serde_json::Value::String(s) => match s.find("products/") {
            Some(i) => {
                let rest = &s[i + "products/".len()..];
                let name = rest.split('/').next().unwrap_or_default();
                serde_json::Value::String(format!("{}products/{name}", &s[..i]))
            }
            None => match s.find("portfolio/") {
                Some(i) => serde_json::Value::String(s[..i + "portfolio/".len()].to_owned()),
                None => serde_json::Value::String(s),
            },
        },
        serde_json::Value::Array(a) => serde_json::Value::Array(a.into_iter().map(without_product_keys).collect()),
        serde_json::Value::Object(m) => {
            serde_json::Value::Object(m.into_iter().map(|(k, v)| (k, without_product_keys(v))).collect())
        }
        other => other,
    }
}

#[test]
fn keeps_ids_that_yaml_1_1_would_retype_as_strings() {
    let tricky =
        ["no", "yes", "on", "off", "0123", "1_000", "12:30:00", "2010-09-09", "1e3", "0x1F", "true", "null", "-1"];
    let mut text = std::fs::read_to_string(root().join("tests/fixtures/valid/minimal.yaml"))
        .unwrap()
        .replace("  mode: iam\n", "  mode: saml\n  saml_provider_arn: arn:aws:iam::111122223333:saml-provider/idp\n");
    for (i, id) in tricky.iter().enumerate() {
        text.push_str(&format!("  - name: person{i}\n    team: vision\n    id: '{id}'\n"));
    }
    let users = synth_files(&text, Format::Yaml).into_iter().find(|f| f.path.contains("users")).unwrap();
    let read = studioform::validate::read::template(&studioform::yaml::parse(&users.content).unwrap()).unwrap();
    for (i, id) in tricky.iter().enumerate() {
        let tag = &read["Resources"][format!("ProfilePerson{i}")]["Properties"]["Tags"][0]["Value"];
        assert_eq!(tag, &serde_json::Value::String((*id).to_owned()), "id {id} came back as {tag}");
    }
}

#[test]
fn json_format_writes_long_form_json() {
    let files = synth_files(&common::minimal(), Format::Json);
    let team = files.iter().find(|f| f.path == "stacks/acme-team-vision.json").unwrap();
    let v: serde_json::Value = serde_json::from_str(&team.content).unwrap();
    assert_eq!(v["Outputs"]["ExecutionRoleArn"]["Value"], serde_json::json!({"Fn::GetAtt": ["ExecutionRole", "Arn"]}));
}

fn write_config(dir: &std::path::Path, text: &str) -> String {
    let path = dir.join("studioform.yaml");
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn a_failing_run_leaves_the_previous_output_byte_identical() {
    let dir = temp_dir("atomic");
    let out = dir.join("out");
    let config = write_config(&dir, &common::minimal());
    let (code, _, err) = cli(&["synth", "--config", &config, "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let before = tree(&out);
    assert!(before.len() >= 5);

    // Invalid input: nothing is written.
    write_config(&dir, &common::minimal().replace("vpc-0abc0abc0abc0abc0", "vpc-bad"));
    let (code, _, _) = cli(&["synth", "--config", &config, "--out", out.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(tree(&out), before);

    // A write that fails part-way (a directory stands where a new stack file goes): the
    // files already staged are discarded, nothing is renamed into place.
    let with_team = common::minimal().replace(
        "users:\n",
        "  - name: nlp\n    domain: research\nusers:\n  - name: zed\n    team: nlp\n    id: zed\n",
    );
    std::fs::create_dir_all(out.join("stacks/acme-team-nlp.yaml")).unwrap();
    write_config(&dir, &with_team);
    let (code, _, err) = cli(&["synth", "--config", &config, "--out", out.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    std::fs::remove_dir(out.join("stacks/acme-team-nlp.yaml")).unwrap();
    assert_eq!(tree(&out), before);
}

#[test]
fn check_passes_on_fresh_output_and_fails_on_stale_output() {
    let dir = temp_dir("check");
    let out = dir.join("out");
    let config = write_config(&dir, &common::minimal());
    let out_s = out.to_str().unwrap();
    assert_eq!(cli(&["synth", "--config", &config, "--out", out_s, "--check"]).0, 1, "missing output is stale");
    assert_eq!(cli(&["synth", "--config", &config, "--out", out_s]).0, 0);
    let (code, stdout, _) = cli(&["synth", "--config", &config, "--out", out_s, "--check"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("up to date"));
    let before = tree(&out);
    write_config(&dir, &common::minimal().replace("id: alice", "id: alice2"));
    let (code, _, err) = cli(&["synth", "--config", &config, "--out", out_s, "--check"]);
    assert_eq!(code, 1);
    assert!(err.contains("changed   stacks/acme-users-research-1.yaml"), "{err}");
    assert!(err.contains("+           Value: alice2"), "{err}");
    assert_eq!(tree(&out), before, "--check never writes");
}

#[test]
fn refuses_to_write_into_a_directory_it_did_not_create() {
    let dir = temp_dir("foreign");
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    let config = write_config(&dir, &common::minimal());
    let (code, _, err) = cli(&["synth", "--config", &config, "--out", dir.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("refusing to write"), "{err}");
}

#[test]
fn removes_stacks_that_are_no_longer_synthesized_and_nothing_else() {
    let dir = temp_dir("removal");
    let out = dir.join("out");
    let two_domains = common::minimal().replace("  - name: research\n", "  - name: research\n  - name: spare\n");
    let config = write_config(&dir, &two_domains);
    assert_eq!(cli(&["synth", "--config", &config, "--out", out.to_str().unwrap()]).0, 0);
    assert!(out.join("stacks/acme-domain-spare.yaml").exists());
    std::fs::write(out.join("stacks/hand-written.yaml"), "kept").unwrap();
    write_config(&dir, &common::minimal());
    let (code, _, err) = cli(&["synth", "--config", &config, "--out", out.to_str().unwrap()]);
    assert_eq!(code, 1, "deleting a domain needs --allow-replace");
    assert!(err.contains("domain `spare` would be deleted from stack `acme-domain-spare`"), "{err}");
    assert!(out.join("stacks/acme-domain-spare.yaml").exists());
    assert_eq!(cli(&["synth", "--config", &config, "--out", out.to_str().unwrap(), "--allow-replace"]).0, 0);
    assert!(!out.join("stacks/acme-domain-spare.yaml").exists());
    assert!(out.join("stacks/hand-written.yaml").exists());
}

/// The files that differ between two outputs, by path.
fn changed_files(a: &[studioform::output::File], b: &[studioform::output::File]) -> Vec<String> {
    let mut paths: Vec<String> = a.iter().chain(b).map(|f| f.path.clone()).collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .filter(|p| {
            a.iter().find(|f| &f.path == p).map(|f| &f.content) != b.iter().find(|f| &f.path == p).map(|f| &f.content)
        })
        .collect()
}

#[test]
fn adding_a_user_changes_only_the_stack_that_receives_it_and_only_by_that_profile() {
    let before_text = std::fs::read_to_string(root().join("examples/acme.yaml")).unwrap();
    let after_text = before_text.replace("users:\n", "users:\n  - name: erin\n    team: nlp\n    id: erin\n");
    let before = synth_files(&before_text, Format::Yaml);
    let after = synth_files(&after_text, Format::Yaml);
    assert_eq!(changed_files(&before, &after), ["manifest.json", "stacks/acme-users-research-1.yaml"]);

    let old = common::stack(&before_text, "acme-users-research-1");
    let mut new = common::stack(&after_text, "acme-users-research-1");
    let added = new["Resources"].as_object_mut().unwrap().shift_remove("ProfileErin").unwrap();
    assert_eq!(new, old, "no other resource changed");
    assert_eq!(added["Properties"]["UserProfileName"], "erin");
}

#[test]
fn moving_a_user_to_another_team_only_changes_that_profiles_execution_role_in_place() {
    let before_text = std::fs::read_to_string(root().join("examples/acme.yaml")).unwrap();
    let after_text = before_text.replace("  - name: alice\n    team: vision", "  - name: alice\n    team: nlp");
    assert_ne!(before_text, after_text);
    let before = synth_files(&before_text, Format::Yaml);
    let after = synth_files(&after_text, Format::Yaml);
    assert_eq!(changed_files(&before, &after), ["manifest.json", "stacks/acme-users-research-1.yaml"]);

    let mut old = common::stack(&before_text, "acme-users-research-1");
    let new = common::stack(&after_text, "acme-users-research-1");
    let role = &mut old["Resources"]["ProfileAlice"]["Properties"]["UserSettings"]["ExecutionRole"];
    assert_eq!(*role, serde_json::json!({"Fn::ImportValue": "acme-team-vision-ExecutionRoleArn"}));
    *role = serde_json::json!({"Fn::ImportValue": "acme-team-nlp-ExecutionRoleArn"});
    // UserSettings is not a create-only property of AWS::SageMaker::UserProfile, while the
    // create-only ones (DomainId, UserProfileName, Tags) are untouched: an in-place update.
    assert_eq!(new, old);
}

#[test]
fn init_writes_a_starter_that_synthesizes_and_schema_prints_the_loader_schema() {
    let dir = temp_dir("init");
    let config = dir.join("studioform.yaml");
    let c = config.to_str().unwrap();
    assert_eq!(cli(&["init", "--config", c]).0, 0);
    assert_eq!(cli(&["init", "--config", c]).0, 2, "never overwrites without --force");
    let (code, _, err) = cli(&["synth", "--config", c, "--out", dir.join("out").to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (code, schema, _) = cli(&["schema"]);
    assert_eq!(code, 0);
    let schema: serde_json::Value = serde_json::from_str(&schema).unwrap();
    assert_eq!(schema, studioform::config::json_schema());
    let committed = std::fs::read_to_string(root().join("schemas/studio-config.schema.json")).unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&committed).unwrap(),
        schema,
        "schemas/studio-config.schema.json is stale: run `studioform schema > schemas/studio-config.schema.json`"
    );
    assert_eq!(schema["properties"]["identity"]["$ref"], "#/$defs/Identity");
}
