//! Every mistake in an org file is reported with its line, a precise message and a fix.

#![allow(clippy::unwrap_used)]

mod common;

use common::{root, stem, yaml_files};
use studioform::Error;
use studioform::config;

/// (fixture, code, line, column, message fragment, help fragment)
const CASES: &[(&str, &str, usize, usize, &str, &str)] = &[
    ("alias_bomb", "CFG000", 5, 8, "alias bomb", "write the repeated values out"),
    ("bad_vpc_id", "CFG016", 6, 11, "`vpc-xyz` is not a VPC id", "vpc-0abc1234def567890"),
    (
        "bucket_given_as_arn",
        "CFG023",
        15,
        15,
        "`arn:aws:s3:::acme-vision-data` is not a valid S3 bucket name",
        "write the bucket's name, `acme-vision-data`, not its ARN",
    ),
    ("bucket_name_invalid", "CFG023", 15, 15, "`Acme_Vision` is not a valid S3 bucket name", "lowercase letters"),
    ("duplicate_key", "CFG000", 3, 1, "duplicate key `name` (first written on line 2)", "remove one"),
    ("duplicate_team_names", "CFG020", 16, 11, "team `vision` is defined twice", "unique name"),
    (
        "duplicate_user_in_domain",
        "CFG020",
        20,
        11,
        "user profile `alice` is defined twice in domain `research`",
        "rename one",
    ),
    (
        "instance_type_invalid",
        "CFG024",
        16,
        22,
        "`g5.xlarge` is not a SageMaker instance type",
        "did you mean `ml.g5.xlarge`?",
    ),
    (
        "instance_type_misspelt",
        "CFG024",
        16,
        36,
        "`ml.m5.2xlarg` is not a SageMaker instance type",
        "did you mean `ml.m5.2xlarge`? (SageMaker accepts it for apps, endpoints, processing, training, transform)",
    ),
    ("kms_key_not_an_arn", "CFG015", 9, 16, "`alias/studio` is not a KMS key ARN", "arn:aws:kms:"),
    (
        "logical_id_collision",
        "CFG026",
        20,
        11,
        "would share the CloudFormation logical id `ProfileAlice`",
        "choose a name",
    ),
    ("missing_required_key", "CFG003", 6, 3, "missing required key `vpc_id` in `network`", "add `vpc_id:`"),
    (
        "mlflow_tier_typo",
        "CFG005",
        31,
        13,
        "`approver` is not a valid value for `mlflow`",
        "did you mean `model-approver`?",
    ),
    ("no_teams", "CFG027", 12, 8, "no teams", "add a team"),
    ("not_yaml", "CFG000", 5, 8, "not valid YAML", ""),
    ("org_name_uppercase", "CFG011", 2, 7, "org name `Acme`", "lowercase"),
    ("policy_variable_in_id", "CFG030", 19, 9, "contains `${`", "remove `${`"),
    (
        "previous_name_of_another_team",
        "CFG020",
        17,
        20,
        "teams `vision` and `perception` would share the role, team tag and stack named `vision`",
        "a previous name must not be another team's current or previous name",
    ),
    ("principal_not_an_arn", "CFG015", 9, 16, "`CloudAdmin` is not an IAM role or user ARN", "arn:aws:iam::"),
    (
        "profile_name_pattern",
        "CFG022",
        17,
        11,
        "`alice_smith` does not match SageMaker's pattern",
        "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$",
    ),
    ("profile_name_too_long", "CFG022", 17, 11, "does not match SageMaker's pattern", "it is 70 characters"),
    ("reserved_user_tag", "CFG012", 5, 13, "tag key `team` is the tag studioform isolates", "userId"),
    (
        "same_person_twice_in_domain",
        "CFG029",
        22,
        9,
        "person `alice` already has a user profile in domain `research`",
        "one profile per person",
    ),
    ("saml_provider_not_a_saml_arn", "CFG015", 5, 22, "is not an IAM SAML provider ARN", "saml-provider/"),
    (
        "saml_without_provider",
        "CFG013",
        4,
        3,
        "identity mode `saml` needs `saml_provider_arn`",
        "add `saml_provider_arn:",
    ),
    ("team_by_previous_name", "CFG021", 19, 11, "team `vision` is now named `perception`", "use `team: perception`"),
    ("unknown_domain_reference", "CFG021", 14, 13, "unknown domain `reserch`", "did you mean `research`?"),
    ("unknown_key_did_you_mean", "CFG001", 5, 3, "unknown key `usertag` in `identity`", "did you mean `user_tag`?"),
    ("unknown_mode_value", "CFG005", 4, 9, "`ldap` is not a valid value for `mode`", "`iam`, `saml`"),
    ("unknown_team_reference", "CFG021", 18, 11, "unknown team `visoin`", "did you mean `vision`?"),
    ("unsupported_version", "CFG010", 1, 10, "org-file version 3 is not supported", "write `version: 1`"),
    ("whitespace_in_id", "CFG030", 19, 9, "person id `alice smith` contains whitespace", "remove whitespace"),
    ("wildcard_in_bucket", "CFG030", 15, 15, "bucket name `acme-*` contains `*`", "remove `*`"),
    ("wrong_type_list", "CFG002", 7, 15, "expected a list, found a string", "[subnet-0a0a0a0a0a0a0a0a0]"),
    ("yes_is_not_a_boolean", "CFG002", 8, 13, "expected true or false, found a string `yes`", "write true or false"),
];

fn errors_of(path: &std::path::Path) -> (Box<studioform::diag::Source>, Vec<studioform::diag::Diagnostic>) {
    match config::load(path) {
        Err(Error::Invalid { file, diags }) => (file, diags),
        Ok(_) => panic!("{} loaded without errors", path.display()),
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

#[test]
fn reports_each_mistake_with_line_column_message_and_fix() {
    let fixtures: Vec<String> = yaml_files("tests/fixtures/invalid").iter().map(|p| stem(p)).collect();
    let covered: Vec<&str> = CASES.iter().map(|c| c.0).collect();
    assert_eq!(fixtures, covered, "every invalid fixture has exactly one row in CASES, in name order");
    for (name, code, line, col, message, help) in CASES {
        let path = root().join(format!("tests/fixtures/invalid/{name}.yaml"));
        let (file, diags) = errors_of(&path);
        let d = diags
            .iter()
            .find(|d| d.is_error() && d.code == *code)
            .unwrap_or_else(|| panic!("{name}: no {code} in {diags:#?}"));
        let span = file.locate(&d.at).unwrap_or_else(|| panic!("{name}: no location"));
        assert_eq!((span.start.line, span.start.col), (*line, *col), "{name}: {}", d.message);
        assert!(d.message.contains(message), "{name}: message {:?} lacks {message:?}", d.message);
        let got_help = d.help.clone().unwrap_or_default();
        assert!(got_help.contains(help), "{name}: help {got_help:?} lacks {help:?}");
    }
}

#[test]
fn renders_every_invalid_fixture_as_reviewed() {
    for path in yaml_files("tests/fixtures/invalid") {
        let (file, diags) = errors_of(&path);
        let name = format!("tests/fixtures/invalid/{}.yaml", stem(&path));
        let file = studioform::diag::Source::new(name, file.text.clone()).with_root(file.root.clone());
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(root().join("snapshots/diagnostics"));
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| insta::assert_snapshot!(stem(&path), studioform::diag::render(&diags, &file)));
    }
}

#[test]
fn reports_all_mistakes_of_a_file_in_one_run() {
    let text = common::minimal()
        .replace("vpc-0abc0abc0abc0abc0", "vpc-xyz")
        .replace("[acme-vision-data]", "[Bad_Bucket]")
        .replace("    team: vision\n    id: alice", "    team: nope\n    id: alice");
    let Err(Error::Invalid { diags, .. }) = config::load_str("x.yaml", text) else { panic!("expected errors") };
    let codes: Vec<&str> = diags.iter().filter(|d| d.is_error()).map(|d| d.code).collect();
    assert_eq!(codes, ["CFG016", "CFG023", "CFG021"]);
}

#[test]
fn reports_all_shape_mistakes_in_one_run() {
    let text = common::minimal()
        .replace("  mode: iam\n", "  mode: iam\n  usertag: x\n  extra: 1\n")
        .replace("subnet_ids: [subnet-0a0a0a0a0a0a0a0a0]", "subnet_ids: subnet-0a0a0a0a0a0a0a0a0\n  internet: maybe");
    let Err(Error::Invalid { diags, .. }) = config::load_str("x.yaml", text) else { panic!("expected errors") };
    let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["CFG001", "CFG001", "CFG002", "CFG002"]);
}

#[test]
fn rejects_what_is_not_utf8_or_missing_with_the_right_exit_code() {
    let dir = common::temp_dir("utf8");
    let bad = dir.join("bad.yaml");
    std::fs::write(&bad, b"name: \xff\xfe\n").unwrap();
    let (code, _, err) =
        common::cli(&["synth", "--config", bad.to_str().unwrap(), "--out", dir.join("o").to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("not UTF-8"), "{err}");
    let (code, _, err) = common::cli(&["synth", "--config", dir.join("missing.yaml").to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"), "{err}");
    let (code, _, _) = common::cli(&["synth", "--no-such-flag"]);
    assert_eq!(code, 2);
}

#[test]
fn accepts_huge_but_honest_input_and_rejects_oversized_input() {
    let big = format!("{}\n# {}\n", common::minimal(), "x".repeat(studioform::yaml::MAX_INPUT_BYTES));
    let Err(Error::Invalid { diags, .. }) = config::load_str("x.yaml", big) else { panic!("expected errors") };
    assert!(diags[0].message.contains("studioform reads at most"));
}

#[test]
fn takes_plain_scalars_as_written_where_strings_are_expected() {
    let text = common::minimal().replace("    id: alice", "    id: 0123");
    let loaded = common::load(&text);
    assert_eq!(loaded.org.users[0].id, "0123");
}

#[test]
fn never_panics_on_mangled_org_files() {
    // Every single-character deletion and a few hostile insertions at every position: each
    // must load or fail with diagnostics, never panic.
    let base = std::fs::read_to_string(root().join("examples/acme.yaml")).unwrap();
    let chars: Vec<char> = base.chars().collect();
    let inserts = ["\n", ":", "- ", "[", "{", "&a ", "*a", "!Ref ", "\t", "'", "~", "<<: ", "\u{feff}"];
    for i in (0..chars.len()).step_by(3) {
        let mut variants = vec![chars[..i].iter().chain(&chars[i + 1..]).collect::<String>()];
        for ins in inserts {
            variants.push(format!(
                "{}{ins}{}",
                chars[..i].iter().collect::<String>(),
                chars[i..].iter().collect::<String>()
            ));
        }
        for (n, text) in variants.into_iter().enumerate() {
            // Loading is where hostile text goes; building from a few of the survivors is
            // enough to show nothing downstream trips over what loading accepts.
            if let Ok(loaded) = config::load_str("m.yaml", text)
                && (i + n) % 16 == 0
            {
                let _ = studioform::synth(&loaded, &Default::default(), studioform::render::Format::Yaml);
            }
        }
    }
}

/// Uncomments the commented-out keys of `text` whose lines `keep` accepts.
fn uncomment(text: &str, keep: impl Fn(&str) -> bool) -> String {
    text.lines()
        .map(|line| {
            let indent = line.len() - line.trim_start().len();
            let rest = &line.trim_start();
            match rest.strip_prefix("# ") {
                Some(body)
                    if body
                        .trim_start()
                        .split(':')
                        .next()
                        .is_some_and(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
                        && body.contains(':')
                        && keep(body) =>
                {
                    format!("{}{body}", " ".repeat(indent))
                }
                _ => line.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `init`'s starter synthesizes as written, with every optional section uncommented, and in
/// each identity mode its comments name (iam, saml, sso).
#[test]
fn the_starter_is_valid_with_every_optional_section() {
    let starter = studioform::cli::STARTER;
    assert!(starter.contains("sso: IAM Identity Center"), "the comments list sso");
    for section in ["encryption:", "personas:", "mlflow:", "deployment:", "catalog:", "quotas:"] {
        assert!(starter.contains(&format!("# {section}")), "{section} is in the starter");
    }
    let synthesizes = |text: &str, what: &str| {
        let loaded =
            config::load_str("studioform.yaml", text.to_owned()).unwrap_or_else(|e| panic!("{what}: {e:?}\n{text}"));
        studioform::synth(&loaded, &Default::default(), studioform::render::Format::Yaml)
            .unwrap_or_else(|d| panic!("{what}: {d:?}"));
    };
    synthesizes(starter, "as written");
    let identity = |b: &str| b.starts_with("saml_") || b.starts_with("sso_") || b.starts_with("admin_groups");
    let all = uncomment(starter, |b| !identity(b));
    assert!(all.contains("\ncatalog:\n") && all.contains("\nquotas:\n") && all.contains("    persona: data-scientist"));
    synthesizes(&all, "every optional section");
    let saml = uncomment(starter, |b| b.starts_with("saml_")).replace("mode: iam ", "mode: saml");
    synthesizes(&saml, "saml");
    let sso = uncomment(starter, |b| b.starts_with("sso_") || b.starts_with("admin_groups"))
        .replace("mode: iam ", "mode: sso");
    synthesizes(&sso, "sso");
}

/// A missing `domains:` is reported with every team that points at a domain, in one run, and
/// so it is beside another shape error.
#[test]
fn a_missing_list_is_reported_with_what_points_into_it() {
    let text = common::minimal();
    let start = text.find("domains:").unwrap();
    let end = start + text[start..].find("teams:").unwrap();
    let without = format!("{}{}", &text[..start], &text[end..]);
    let Err(Error::Invalid { diags, .. }) = config::load_str("org.yaml", without.clone()) else { panic!("invalid") };
    let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
    assert!(codes.contains(&"CFG003"), "{diags:?}");
    assert!(diags.iter().any(|d| d.code == "CFG021" && d.message.starts_with("unknown domain")), "{diags:?}");
    assert!(!codes.contains(&"CFG027"), "no second finding about the missing list itself: {diags:?}");

    let also_bad = without.replacen("version: 1", "version: 1\nunknown_key: 1", 1);
    let Err(Error::Invalid { diags, .. }) = config::load_str("org.yaml", also_bad) else { panic!("invalid") };
    let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
    assert!(codes.contains(&"CFG001") && codes.contains(&"CFG003") && codes.contains(&"CFG021"), "{diags:?}");
}

/// Five mistakes of both kinds, shape (an unknown key, a string for a list) and meaning (a
/// name against AWS's pattern, a reference to nothing, a bucket ARN), all in one run, in file
/// order; nothing is said about what was left out to read the rest.
#[test]
fn five_mistakes_take_one_run() {
    let text = std::fs::read_to_string(root().join("examples/acme.yaml")).unwrap();
    let bad = text
        .replacen("    buckets: [acme-nlp-data]", "    bucket: [acme-nlp-data]", 1)
        .replacen("instance_types: [ml.m5.large, ml.m5.xlarge]", "instance_types: ml.m5.large", 1)
        .replacen("  - name: fraud\n", "  - name: fraud\n    persona: data-scientst\n", 1)
        .replacen("    team: vision", "    team: visoin", 1)
        .replacen("buckets: [acme-fraud-features]", "buckets: [arn:aws:s3:::acme-fraud-features]", 1);
    let Err(Error::Invalid { diags, file }) = config::load_str("org.yaml", bad) else { panic!("invalid") };
    let found: Vec<(&str, usize)> =
        diags.iter().map(|d| (d.code, file.locate(&d.at).map_or(0, |s| s.start.line))).collect();
    let codes: Vec<&str> = found.iter().map(|f| f.0).collect();
    assert_eq!(codes, ["CFG001", "CFG021", "CFG023", "CFG002", "CFG021"], "{diags:#?}");
    assert!(found.windows(2).all(|w| w[0].1 <= w[1].1), "in file order: {found:?}");
    // The team whose `buckets` was misspelt has none as far as the checks know: no finding
    // says so.
    assert!(diags.iter().all(|d| !d.message.contains("no bucket")), "{diags:#?}");

    // A wrong value where the rest depends on it (the sign-in mode): only the shape is
    // reported, nothing guessed.
    let mode = text.replacen("mode: iam", "mode: iamm", 1).replacen("    team: vision", "    team: visoin", 1);
    let Err(Error::Invalid { diags, .. }) = config::load_str("org.yaml", mode) else { panic!("invalid") };
    let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["CFG005"], "{diags:#?}");
}

/// An org file as an editor's YAML 1.2 reader sees it, as JSON.
fn as_editor_sees(node: &studioform::yaml::Node) -> serde_json::Value {
    use studioform::yaml::{NodeKind, Plain, Style, resolve_plain};
    match &node.kind {
        NodeKind::Scalar(s, Style::Quoted) => serde_json::Value::String(s.clone()),
        NodeKind::Scalar(s, _) => match resolve_plain(s) {
            Plain::Null => serde_json::Value::Null,
            Plain::Bool(b) => serde_json::Value::Bool(b),
            Plain::Int(i) => serde_json::Value::from(i),
            Plain::Float(f) => serde_json::json!(f),
            _ => serde_json::Value::String(s.clone()),
        },
        NodeKind::Seq(items) => serde_json::Value::Array(items.iter().map(as_editor_sees).collect()),
        NodeKind::Map(entries) => {
            serde_json::Value::Object(entries.into_iter().map(|(k, v)| (k.value.clone(), as_editor_sees(v))).collect())
        }
    }
}

/// The JSON Schema `studioform schema` prints flags, in an editor, every mistake of the
/// invalid fixtures that a schema can express (a pattern, an enum, a type, a required or an
/// unknown key, an empty list); the others need the whole file (references, duplicates,
/// cross-field rules) or are not YAML at all. Every valid file passes it.
#[test]
fn the_json_schema_flags_what_it_can_express() {
    // Fixtures whose mistake is beyond what a JSON Schema says.
    const BEYOND: &[&str] = &[
        "alias_bomb",                    // not loadable
        "duplicate_key",                 // YAML, before any schema
        "not_yaml",                      // not YAML
        "duplicate_team_names",          // uniqueness by name
        "duplicate_user_in_domain",      // across lists
        "same_person_twice_in_domain",   // across lists
        "instance_type_misspelt",        // SageMaker's list of instance types, too long for a schema
        "logical_id_collision",          // names that collide once made ids
        "unknown_domain_reference",      // references
        "unknown_team_reference",        // references
        "previous_name_of_another_team", // uniqueness across two fields
        "team_by_previous_name",         // references
        "saml_without_provider",         // a key required by another key's value
        "policy_variable_in_id",         // free text, checked for `${` by synth
        "whitespace_in_id",              // free text, checked by synth
        "reserved_user_tag",             // a list of reserved names
        "unsupported_version",           // the walker reads range keywords itself: kept out
    ];
    let schema = config::json_schema();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let mut expressed = 0;
    for path in yaml_files("tests/fixtures/invalid") {
        let name = stem(&path);
        if BEYOND.contains(&name.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let json = as_editor_sees(&studioform::yaml::parse(&text).unwrap());
        assert!(!validator.is_valid(&json), "{name}: the schema does not flag it");
        expressed += 1;
    }
    assert!(expressed >= 15, "{expressed}");
    let mut valid = yaml_files("examples");
    valid.extend(yaml_files("tests/fixtures/valid"));
    // Unquoted numbers where text goes (`id: 123`): synth reads them as text, an editor
    // following the schema's `string` flags them; quoting them satisfies both.
    for path in valid.into_iter().filter(|p| stem(p) != "yaml_1_1_ids") {
        let json = as_editor_sees(&studioform::yaml::parse(&std::fs::read_to_string(&path).unwrap()).unwrap());
        let errors: Vec<String> = validator.iter_errors(&json).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", stem(&path));
    }
}

/// A `previous_name` equal to the name is harmless, and said to be pointless; one that is not
/// a name is held to the name's rules.
#[test]
fn a_previous_name_is_checked_like_a_name() {
    let text = common::minimal();
    let same = text.replacen("domain: research\n", "domain: research\n    previous_name: vision\n", 1);
    assert_ne!(same, text);
    let loaded = config::load_str("org.yaml", same).unwrap_or_else(|e| panic!("{e:?}"));
    let w = loaded.warnings.iter().find(|d| d.code == "CFG036").unwrap_or_else(|| panic!("{:?}", loaded.warnings));
    assert_eq!(w.message, "the team's previous name is its name, `vision`");
    assert!(loaded.renamed.is_empty());

    let bad = text.replacen("domain: research\n", "domain: research\n    previous_name: Vision_1\n", 1);
    let Err(Error::Invalid { diags, .. }) = config::load_str("org.yaml", bad) else { panic!("invalid") };
    assert!(diags.iter().any(|d| d.path().is_some_and(|p| p.to_string() == "teams[0].previous_name")), "{diags:?}");
}

/// Instance types are SageMaker's own, per use: a team whose types are all for jobs (none
/// runs Studio apps) is warned that its people can open no space; a new family with a
/// hyphen (`ml.c7i-flex.xlarge`) is accepted.
#[test]
fn instance_types_are_checked_against_sagemakers_list() {
    let text = common::minimal();
    let set = |types: &str| {
        text.replacen(
            "    buckets: [acme-vision-data]\n",
            &format!("    buckets: [acme-vision-data]\n    instance_types: [{types}]\n"),
            1,
        )
    };
    let loaded = config::load_str("org.yaml", set("ml.c5n.xlarge")).unwrap_or_else(|e| panic!("{e:?}"));
    let w = loaded.warnings.iter().find(|d| d.code == "CFG037").unwrap_or_else(|| panic!("{:?}", loaded.warnings));
    assert!(w.message.contains("none of team `vision`'s instance types runs Studio apps"), "{}", w.message);
    let loaded = config::load_str("org.yaml", set("ml.c5n.xlarge, ml.t3.medium")).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(loaded.warnings.iter().all(|d| d.code != "CFG037"), "{:?}", loaded.warnings);
    let loaded =
        config::load_str("org.yaml", set("ml.c7i-flex.xlarge, ml.t3.medium")).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
}

/// The README's org-file reference names every key of the org file's JSON Schema, as
/// `key:`, so that no setting is undocumented.
#[test]
fn the_readme_documents_every_key_of_the_org_file() {
    fn keys(node: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
        match node {
            serde_json::Value::Object(map) => {
                if let Some(props) = map.get("properties").and_then(serde_json::Value::as_object) {
                    out.extend(props.keys().cloned());
                }
                map.values().for_each(|v| keys(v, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
            _ => {}
        }
    }
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut all = std::collections::BTreeSet::new();
    keys(&config::json_schema(), &mut all);
    assert!(all.len() > 50, "{all:?}");
    let missing: Vec<&String> =
        all.iter().filter(|k| !readme.contains(&format!(" {k}:")) && !readme.contains(&format!("\n{k}:"))).collect();
    assert!(missing.is_empty(), "keys the README does not document: {missing:?}");
}

/// Names that differ only by hyphens make the same logical ids (`<Domain>ApplicationArn`,
/// `TeamTagOption<Team>`): refused, as for people.
#[test]
fn domains_and_teams_whose_logical_ids_collide_are_refused() {
    let text = common::minimal();
    let domains = text.replacen("  - name: research\n", "  - name: research\n  - name: a1\n  - name: a-1\n", 1);
    let Err(Error::Invalid { diags, .. }) = config::load_str("org.yaml", domains) else { panic!("invalid") };
    assert!(
        diags.iter().any(|d| d.code == "CFG026" && d.message.starts_with("domains `a-1` and `a1` (domains[1])")),
        "{diags:?}"
    );
    let teams = text.replacen(
        "users:\n",
        "  - name: a1\n    domain: research\n  - name: cv\n    previous_name: a-1\n    domain: research\nusers:\n",
        1,
    );
    let Err(Error::Invalid { diags, .. }) = config::load_str("org.yaml", teams) else { panic!("invalid") };
    let d = diags.iter().find(|d| d.code == "CFG026").unwrap_or_else(|| panic!("{diags:?}"));
    assert_eq!(d.message, "teams `a-1` and `a1` (teams[1]) would share the CloudFormation logical id `A1`");
    assert_eq!(d.path().map(ToString::to_string).as_deref(), Some("teams[2].previous_name"));
}

/// `instance_types: []` allows every type, as leaving it out does: said. A compute team,
/// warned that it cannot run Studio (CFG035), is not also told to add an app type.
#[test]
fn an_empty_instance_type_list_is_said_to_allow_any() {
    let text = common::minimal();
    let empty = text.replacen(
        "    buckets: [acme-vision-data]\n",
        "    buckets: [acme-vision-data]\n    instance_types: []\n",
        1,
    );
    let loaded = config::load_str("org.yaml", empty).unwrap_or_else(|e| panic!("{e:?}"));
    let codes: Vec<&str> = loaded.warnings.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["CFG038"], "{:?}", loaded.warnings);

    let compute = text.replacen(
        "    buckets: [acme-vision-data]\n",
        "    buckets: [acme-vision-data]\n    persona: compute\n    instance_types: [ml.c5n.xlarge]\n",
        1,
    );
    let loaded = config::load_str("org.yaml", compute).unwrap_or_else(|e| panic!("{e:?}"));
    let codes: Vec<&str> = loaded.warnings.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["CFG035"], "{:?}", loaded.warnings);
}

/// A word where a list of entries goes is told to become entries, not bracketed.
#[test]
fn a_word_for_a_list_of_entries_is_told_to_write_entries() {
    let text = common::minimal();
    let start = text.find("teams:").unwrap();
    let end = text.find("users:").unwrap();
    let bad = format!("{}teams: vision\n{}", &text[..start], &text[end..]);
    let Err(Error::Invalid { diags, .. }) = config::load_str("org.yaml", bad) else { panic!("invalid") };
    let d = diags.iter().find(|d| d.code == "CFG002").unwrap_or_else(|| panic!("{diags:?}"));
    assert_eq!(d.help.as_deref(), Some("write `teams:` as a list of entries, each starting with `- ` on its own line"));
}

/// An unknown reference among many names lists the first twenty and counts the rest.
#[test]
fn an_unknown_reference_lists_a_readable_number_of_names() {
    let text = common::estate(2, 1, 25).replacen("team: team1,", "team: nobody,", 1);
    let Err(Error::Invalid { diags, .. }) = config::load_str("org.yaml", text) else { panic!("invalid") };
    let d = diags.iter().find(|d| d.code == "CFG021").unwrap_or_else(|| panic!("{diags:?}"));
    let help = d.help.as_deref().unwrap_or_default();
    assert!(help.starts_with("teams defined: `team0`, `team1`") && help.ends_with("`team19` and 5 more"), "{help}");
}
