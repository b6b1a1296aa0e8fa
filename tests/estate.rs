//! Estates of many people: stable placement of user profiles, the safety gate that refuses to
//! delete or replace domains and profiles, `diff`, and the StackSet for organizational units.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{cli, estate, generation, load, temp_dir, tree, with_catalog};
use serde_json::{Value, json};
use studioform::estate::layout::{PROFILES_PER_STACK, TEAMS_PER_PRODUCT};
use studioform::render::Format;

/// Writes `text` as the org file in `dir` and synthesizes into `dir/out`; returns the exit
/// code and stderr.
fn synth(dir: &Path, text: &str, extra: &[&str]) -> (i32, String) {
    let (code, _, err) = synth_said(dir, text, extra);
    (code, err)
}

/// [`synth`], with what it printed to stdout too.
fn synth_said(dir: &Path, text: &str, extra: &[&str]) -> (i32, String, String) {
    let config = dir.join("org.yaml");
    std::fs::write(&config, text).unwrap();
    let out = dir.join("out");
    let mut args = vec!["synth", "--config", config.to_str().unwrap(), "--out", out.to_str().unwrap()];
    args.extend(extra);
    cli(&args)
}

/// `text` with its VPC id replaced by another.
fn with_other_vpc(text: &str) -> String {
    let old = text.split("vpc_id: ").nth(1).unwrap().split_whitespace().next().unwrap();
    text.replace(old, "vpc-0fffffffffffffff1")
}

fn diff(dir: &Path, text: &str, format: &str) -> (i32, String) {
    let config = dir.join("org.yaml");
    std::fs::write(&config, text).unwrap();
    let out = dir.join("out");
    let (code, stdout, stderr) =
        cli(&["diff", "--config", config.to_str().unwrap(), "--out", out.to_str().unwrap(), "--format", format]);
    assert!(stderr.is_empty() || code == 0, "{stderr}");
    (code, stdout)
}

/// Paths whose content differs between two trees.
fn changed(before: &[(String, String)], after: &[(String, String)]) -> Vec<String> {
    let a: BTreeMap<&str, &str> = before.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
    let b: BTreeMap<&str, &str> = after.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
    let mut paths: Vec<&str> = a.keys().chain(b.keys()).copied().collect();
    paths.sort_unstable();
    paths.dedup();
    paths.into_iter().filter(|p| a.get(p) != b.get(p)).map(str::to_owned).collect()
}

/// Profile names per users stack, from the manifest.
fn placement(out: &Path) -> BTreeMap<String, Vec<String>> {
    let manifest: Value = serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "users")
        .map(|e| {
            let names = e["placement"]["profiles"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_owned());
            (e["stack"].as_str().unwrap().to_owned(), names.collect())
        })
        .collect()
}

fn without_user(text: &str, name: &str) -> String {
    let line = text.lines().find(|l| l.contains(&format!("name: {name},"))).unwrap();
    text.replace(&format!("{line}\n"), "")
}

fn with_user(text: &str, name: &str, team: &str) -> String {
    text.replace("users:\n", &format!("users:\n  - {{name: {name}, team: {team}, id: {name}}}\n"))
}

#[test]
fn a_100000_person_estate_synthesizes_within_every_cloudformation_limit() {
    let text = estate(100_000, 4, 20);
    let loaded = load(&text);
    // `synth` validates every template, limits included (TPL501, TPL502), and fails on any error.
    let bundle = studioform::synth(&loaded, &Default::default(), Format::Yaml).unwrap_or_else(|d| panic!("{d:?}"));
    let files = studioform::output::render(&loaded.org.name, &bundle, Format::Yaml);
    let mut profiles = 0;
    for (stack, file) in bundle.stacks.iter().zip(&files) {
        assert!(stack.resource_count() <= 500, "{} has {} resources", stack.name, stack.resource_count());
        assert!(file.content.len() <= 1_000_000, "{} is {} bytes", file.path, file.content.len());
        if let Some(p) = &stack.placement {
            assert!(p.profiles.len() <= PROFILES_PER_STACK);
            profiles += p.profiles.len();
        }
    }
    assert_eq!(profiles, 100_000, "every person has exactly one profile");
    let users_stacks = bundle.stacks.iter().filter(|s| s.placement.is_some()).count();
    assert_eq!(users_stacks, 4 * 100_000_usize.div_ceil(4).div_ceil(PROFILES_PER_STACK), "shards are full");
}

#[test]
fn adding_one_person_changes_exactly_one_stack_file_and_the_manifest() {
    let dir = temp_dir("estate-add");
    let text = estate(1000, 1, 4);
    assert_eq!(synth(&dir, &text, &[]).0, 0);
    let before = tree(&dir.join("out"));
    let shards = placement(&dir.join("out"));
    assert_eq!(shards.values().map(Vec::len).collect::<Vec<_>>(), [400, 400, 200]);

    // A name that sorts first: it still goes to the shard with room, and nobody moves.
    assert_eq!(synth(&dir, &with_user(&text, "aaron", "team1"), &[]).0, 0);
    let after = tree(&dir.join("out"));
    assert_eq!(changed(&before, &after), ["manifest.json", "stacks/big-users-domain0-3.yaml"]);
    let now = placement(&dir.join("out"));
    assert_eq!(now["big-users-domain0-1"], shards["big-users-domain0-1"]);
    assert!(now["big-users-domain0-3"].contains(&"aaron".to_owned()));
}

#[test]
fn removing_a_person_needs_allow_replace_and_then_changes_only_their_stack() {
    let dir = temp_dir("estate-remove");
    let text = estate(1000, 1, 4);
    assert_eq!(synth(&dir, &text, &[]).0, 0);
    let before = tree(&dir.join("out"));

    let fewer = without_user(&text, "user000123");
    let (code, err) = synth(&dir, &fewer, &[]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("error[CFG050]: user profile `user000123` would be deleted from stack `big-users-domain0-1`"),
        "{err}"
    );
    assert!(err.contains("--allow-replace"), "{err}");
    assert_eq!(tree(&dir.join("out")), before, "a refused run writes nothing");

    let (code, err) = synth(&dir, &fewer, &["--allow-replace"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning[CFG050]"), "the deletion is still reported: {err}");
    let after = tree(&dir.join("out"));
    assert_eq!(changed(&before, &after), ["manifest.json", "stacks/big-users-domain0-1.yaml"]);
    assert_eq!(placement(&dir.join("out"))["big-users-domain0-1"].len(), 399, "the gap stays");

    // The next newcomer fills the gap; nobody else moves.
    assert_eq!(synth(&dir, &with_user(&fewer, "zoe", "team2"), &[]).0, 0);
    let again = tree(&dir.join("out"));
    assert_eq!(changed(&after, &again), ["manifest.json", "stacks/big-users-domain0-1.yaml"]);
    assert!(placement(&dir.join("out"))["big-users-domain0-1"].contains(&"zoe".to_owned()));
}

#[test]
fn reordering_people_or_moving_them_between_teams_of_a_domain_moves_nobody() {
    let dir = temp_dir("estate-reorder");
    let text = estate(900, 1, 3);
    assert_eq!(synth(&dir, &text, &[]).0, 0);
    let shards = placement(&dir.join("out"));
    let before = tree(&dir.join("out"));

    let mut lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| *l == "users:").unwrap() + 1;
    lines[start..].reverse();
    let reversed = lines.join("\n") + "\n";
    assert_eq!(synth(&dir, &reversed, &[]).0, 0);
    assert_eq!(changed(&before, &tree(&dir.join("out"))), Vec::<String>::new(), "same people, same bytes");

    let moved = text.replace("{name: user000001, team: team1,", "{name: user000001, team: team2,");
    assert_eq!(synth(&dir, &moved, &[]).0, 0, "a team change is an in-place update");
    assert_eq!(placement(&dir.join("out")), shards);
}

#[test]
fn renaming_a_person_or_changing_their_id_is_refused() {
    let dir = temp_dir("estate-rename");
    let text = estate(10, 1, 2);
    assert_eq!(synth(&dir, &text, &[]).0, 0);

    let (code, err) = synth(&dir, &text.replace("id: user000004}", "id: someone-else}"), &[]);
    assert_eq!(code, 1, "the user tag is create-only: {err}");
    assert!(err.contains("user profile `user000004` in stack `big-users-domain0-1` would be replaced"), "{err}");
    assert!(err.contains("`Tags[0].Value` changes from `user000004` to `someone-else`"), "{err}");
    assert!(err.contains("org.yaml:25:41"), "points at the person's id: {err}");
    assert!(err.contains("remove the person (with --allow-replace), deploy"), "the way to do it: {err}");

    let (code, err) = synth(&dir, &text.replace("  mode: iam\n", "  mode: iam\n  user_tag: personId\n"), &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("`Tags[0].Key` changes from `userId` to `personId`"), "{err}");
    assert!(err.contains("at: identity.user_tag"), "points at the tag key's setting: {err}");

    let (code, err) = synth(&dir, &text.replace("{name: user000004,", "{name: user4,"), &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("user profile `user000004` would be deleted"), "{err}");
}

#[test]
fn diff_reports_a_vpc_change_as_a_domain_replacement() {
    let dir = temp_dir("estate-vpc");
    let text = estate(3, 1, 1);
    assert_eq!(synth(&dir, &text, &[]).0, 0);
    assert_eq!(diff(&dir, &text, "text").1, "There were no differences\n");

    let moved = text.replace("vpc-0abc0abc0abc0abc0", "vpc-0def0def0def0def0");
    let (code, json) = diff(&dir, &moved, "json");
    assert_eq!(code, 0, "diff reports; only --fail fails");
    let report: Value = serde_json::from_str(&json).unwrap();
    let stack = report["stacks"].as_array().unwrap().iter().find(|s| s["stack"] == "big-domain-domain0").unwrap();
    let domain = stack["resources"].as_array().unwrap().iter().find(|r| r["logical_id"] == "Domain").unwrap();
    assert_eq!(domain["type"], "AWS::SageMaker::Domain");
    assert_eq!(domain["change"], "replaced");
    assert_eq!(domain["replaced_because"], json!([{"property": "VpcId", "replacement": "always"}]));
    assert_eq!(domain["properties"][0]["old"], "vpc-0abc0abc0abc0abc0");
    assert_eq!(stack["resources"][0]["logical_id"], "AppSecurityGroup", "replacements come first, by id");

    let (_, text_out) = diff(&dir, &moved, "text");
    assert!(text_out.starts_with("Requires replacement or deletes people's work:\n"), "{text_out}");
    assert!(text_out.contains("[~] AWS::SageMaker::Domain Domain (requires replacement)\n └─ [~] VpcId (requires replacement)\n     ├─ [-] vpc-0abc0abc0abc0abc0\n     └─ [+] vpc-0def0def0def0def0\n"), "{text_out}");
    let (_, md) = diff(&dir, &moved, "markdown");
    assert!(md.contains("| **replace** | `Domain` | `AWS::SageMaker::Domain` | `VpcId` **(replacement)**: `vpc-0abc0abc0abc0abc0` → `vpc-0def0def0def0def0` |"), "{md}");

    let config = dir.join("org.yaml");
    let out = dir.join("out");
    assert_eq!(cli(&["diff", "--config", config.to_str().unwrap(), "--out", out.to_str().unwrap(), "--fail"]).0, 1);
    let (code, _, err) = cli(&["synth", "--config", config.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("domain `domain0` in stack `big-domain-domain0` would be replaced: `VpcId` changes from `vpc-0abc0abc0abc0abc0` to `vpc-0def0def0def0def0`"), "{err}");
    assert!(err.contains("org.yaml:6:11"), "points at network.vpc_id: {err}");
}

#[test]
fn diff_lists_the_iam_actions_a_persona_change_adds_and_removes() {
    let dir = temp_dir("estate-persona");
    let text = estate(2, 1, 1)
        .replace("    buckets: [big-team0-data]", "    buckets: [big-team0-data]\n    persona: data-scientist");
    assert_eq!(synth(&dir, &text, &[]).0, 0);
    let (_, json) = diff(&dir, &text.replace("persona: data-scientist", "persona: mlops"), "json");
    let report: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["stacks"].as_array().unwrap().len(), 1, "{json}");
    let team = &report["stacks"][0];
    assert_eq!(team["stack"], "big-team-team0");
    let actions = |change: &str| -> Vec<String> {
        let mut all: Vec<String> = team["iam"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["change"] == change && c["effect"] == "Allow")
            .flat_map(|c| c["actions"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_owned()))
            .collect();
        all.sort();
        all.dedup();
        all
    };
    let added = actions("added");
    for a in ["sagemaker:CreateEndpoint", "sagemaker:CreateEndpointConfig", "sagemaker:CreatePipeline"] {
        assert!(added.contains(&a.to_owned()), "{a} added: {added:?}");
    }
    let removed = actions("removed");
    assert!(removed.contains(&"sagemaker:CreateHyperParameterTuningJob".to_owned()), "{removed:?}");
    let unchanged = "sagemaker:CreateApp".to_owned();
    assert!(!added.contains(&unchanged) && !removed.contains(&unchanged), "unchanged grants are not listed");
    let row = team["iam"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["actions"].as_array().unwrap().contains(&json!("sagemaker:CreateEndpoint")))
        .unwrap();
    assert_eq!(row["principal"], "AWS:${ExecutionRole}", "{row}");
    let policies: Vec<&str> =
        team["resources"].as_array().unwrap().iter().map(|r| r["logical_id"].as_str().unwrap()).collect();
    // Both personas' grants fit the role's inline policies: what names no team is in the
    // domain's stack, which does not change.
    assert_eq!(policies, ["ExecutionRole"]);

    let (_, text_out) = diff(&dir, &text.replace("persona: data-scientist", "persona: mlops"), "text");
    assert!(text_out.contains("IAM Statement Changes\n┌───┬"), "{text_out}");
    assert!(text_out.contains("│ + │"), "{text_out}");
}

#[test]
fn organizational_units_get_a_stack_set_of_the_published_portfolio() {
    let text = std::fs::read_to_string(common::root().join("examples/acme.yaml")).unwrap();
    let loaded = load(&text);
    let bundle = studioform::synth(&loaded, &Default::default(), Format::Yaml).unwrap();
    let files = studioform::output::render(&loaded.org.name, &bundle, Format::Yaml);
    let portfolio = bundle.stacks.iter().find(|s| s.name == "acme-catalog").unwrap();
    let key = portfolio.key.clone().unwrap();
    let portfolio_file = files.iter().find(|f| f.path == "catalog/portfolio.yaml").unwrap();
    assert_eq!(key, format!("portfolio/{}.yaml", portfolio_file.sha256), "published like a product");

    let set = bundle.stacks.iter().find(|s| s.name == "acme-catalog-stackset").unwrap();
    assert_eq!(set.kind.order(), Some(6));
    let r = &set.json()["Resources"]["CatalogStackSet"]["Properties"];
    assert_eq!(r["PermissionModel"], "SERVICE_MANAGED");
    assert_eq!(
        r["StackInstancesGroup"][0]["DeploymentTargets"],
        json!({"OrganizationalUnitIds": ["ou-ab12-34cd56ef"]})
    );
    assert_eq!(r["AutoDeployment"], json!({"Enabled": true, "RetainStacksOnAccountRemoval": true}));
    assert_eq!(
        r["TemplateURL"]["Fn::Sub"],
        format!("https://${{TemplateBucket}}.s3.${{AWS::Region}}.${{AWS::URLSuffix}}/${{TemplatePrefix}}{key}")
    );
    let association = &portfolio.json()["Resources"]["LaunchPrincipalCloudAdmin"]["Properties"];
    assert_eq!(association["PrincipalType"], "IAM_PATTERN", "the role of that name in every account");
    assert_eq!(association["PrincipalARN"], json!({"Fn::Sub": "arn:${AWS::Partition}:iam:::role/CloudAdmin"}));
}

#[test]
fn a_malformed_organizational_unit_is_an_error() {
    let text = std::fs::read_to_string(common::root().join("examples/acme.yaml"))
        .unwrap()
        .replace("ou-ab12-34cd56ef", "ou-AB12");
    let loaded = studioform::config::load_str("org.yaml", text);
    let Err(studioform::Error::Invalid { diags, .. }) = loaded else { panic!("accepted") };
    assert_eq!(diags[0].code, "CFG034");
    assert!(diags[0].message.contains("`ou-AB12` is not an AWS Organizations unit or root id"));
}

#[test]
fn moving_a_team_to_another_domain_names_a_few_people_and_counts_the_rest() {
    let dir = temp_dir("estate-team-move");
    let text = estate(60, 2, 2);
    assert_eq!(synth(&dir, &text, &[]).0, 0);
    let moved = text.replace("  - name: team1\n    domain: domain1\n", "  - name: team1\n    domain: domain0\n");
    assert_ne!(moved, text);
    let (code, err) = synth(&dir, &moved, &[]);
    assert_eq!(code, 1);
    assert_eq!(err.matches("error[CFG050]: user profile").count(), 10, "{err}");
    assert!(err.contains("and 20 more domains or user profiles would be deleted or replaced"), "{err}");
}

#[test]
fn however_many_domains_admins_and_people_get_one_policy_each() {
    // 120 domains: enumerated by id, the policies came in 30 parts, and IAM attaches at most 10
    // managed policies to a group (10 by default to a role).
    let text = estate(120, 120, 120);
    let access = common::stack(&text, "big-access");
    let resources = access["Resources"].as_object().unwrap();
    let policies: Vec<&String> =
        resources.keys().filter(|k| resources[k.as_str()]["Type"] == "AWS::IAM::ManagedPolicy").collect();
    assert_eq!(policies, ["AdminPolicy", "LoginPolicy"]);
    assert_eq!(resources["AdminPolicy"]["Properties"]["Roles"], json!(["CloudAdmin"]));
    assert_eq!(
        access["Resources"]["StudioUsersGroup"]["Properties"]["ManagedPolicyArns"],
        json!([{"Ref": "LoginPolicy"}])
    );
    // They name no domain, so adding one changes neither.
    assert!(!access.to_string().contains("DomainId"), "{access}");
    let more = text.replace("teams:\n", "  - name: domain120\n    source_identity: true\nteams:\n");
    assert_eq!(common::stack(&more, "big-access"), access);
}

#[test]
fn a_manifest_that_is_broken_or_points_outside_the_output_is_refused() {
    let dir = temp_dir("estate-manifest");
    let text = estate(3, 1, 1);
    assert_eq!(synth(&dir, &text, &[]).0, 0);
    let out = dir.join("out");
    let manifest = out.join("manifest.json");
    let good = std::fs::read_to_string(&manifest).unwrap();

    std::fs::write(&manifest, "{ broken").unwrap();
    let before = tree(&out);
    let (code, err) = synth(&dir, &without_user(&text, "user000001"), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("cannot use") && err.contains("manifest.json") && err.contains("restore it from version control"),
        "{err}"
    );
    assert_eq!(tree(&out), before);
    let (config, out_dir) = (dir.join("org.yaml"), out.to_str().unwrap().to_owned());
    let (code, _, err) = cli(&["diff", "--config", config.to_str().unwrap(), "--out", &out_dir]);
    assert_eq!(code, 2, "diff refuses too: {err}");

    // A manifest naming files outside the directory would have synth delete them.
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "keep me").unwrap();
    let evil = good.replacen(
        "\"path\": \"stacks/",
        "\"path\": \"../victim.txt\", \"sha256\": \"0\", \"kind\": \"domain\"}, {\"path\": \"stacks/",
        1,
    );
    assert_ne!(evil, good);
    std::fs::write(&manifest, evil).unwrap();
    let (code, err) = synth(&dir, &text, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`../victim.txt`, which is not a file inside the output directory"), "{err}");
    assert!(victim.exists());
}

#[test]
fn a_stack_file_that_cannot_be_read_stops_the_gate_from_guessing() {
    let dir = temp_dir("estate-unreadable");
    let text = estate(3, 1, 1);
    assert_eq!(synth(&dir, &text, &[]).0, 0);
    let stack = dir.join("out/stacks/big-users-domain0-1.yaml");
    std::fs::write(&stack, "<<<<<<< HEAD\nnot: [a template\n").unwrap();
    let (code, err) = synth(&dir, &without_user(&text, "user000001"), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("stacks/big-users-domain0-1.yaml: not a readable template"), "{err}");
    assert!(err.contains("cannot tell whether this change deletes or replaces anyone's Studio"), "{err}");
    let (_, text_out) = diff(&dir, &without_user(&text, "user000001"), "text");
    assert!(
        text_out.contains(
            "Stack big-users-domain0-1 (stacks/big-users-domain0-1.yaml) (on disk but unreadable: compared as if new)"
        ),
        "{text_out}"
    );
    assert!(
        text_out.starts_with("note: stacks/big-users-domain0-1.yaml: differs from what studioform last wrote"),
        "{text_out}"
    );
    assert!(text_out.contains("note: stacks/big-users-domain0-1.yaml: not a readable template"), "{text_out}");
    assert_eq!(synth(&dir, &text, &["--allow-replace"]).0, 0, "an explicit override writes it again");
}

#[test]
fn moving_a_team_to_another_domain_points_at_each_persons_team() {
    let dir = temp_dir("estate-move-domain");
    let text = estate(4, 2, 2);
    assert_eq!(synth(&dir, &text, &[]).0, 0);
    let moved = text.replace("  - name: team1\n    domain: domain1\n", "  - name: team1\n    domain: domain0\n");
    let (code, err) = synth(&dir, &moved, &[]);
    assert_eq!(code, 1);
    assert!(err.contains("user profile `user000001` would be deleted from stack `big-users-domain1-1`: the person's team is now in another domain"), "{err}");
    assert!(err.contains("at: users[1].team"), "{err}");
}

#[test]
fn diff_shows_iam_changes_hidden_in_sub_variables() {
    // In an Identity Center domain of one team, the team role holds every statement itself
    // (its policies also reach the domain's default role), Studio's among them: they name
    // the domain's id through a `Fn::Sub` variable.
    let dir = temp_dir("estate-sub-vars");
    let text = std::fs::read_to_string(common::root().join("examples/sso.yaml")).unwrap();
    assert_eq!(synth(&dir, &text, &[]).0, 0);
    // The platform team's people move out, then the team moves to a domain of its own.
    let emptied = text.replace("team: platform,", "team: compression,");
    assert_eq!(synth(&dir, &emptied, &["--allow-replace"]).0, 0);
    let moved = emptied
        .replace("  - name: platform\n\nteams:", "  - name: platform\n  - name: platform2\n\nteams:")
        .replace("    domain: platform\n", "    domain: platform2\n");
    let (_, json) = diff(&dir, &moved, "json");
    let report: Value = serde_json::from_str(&json).unwrap();
    let team = report["stacks"].as_array().unwrap().iter().find(|s| s["stack"] == "piedpiper-team-platform").unwrap();
    let resources: Vec<String> = team["iam"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| {
            c["resources"].as_array().unwrap().iter().map(|r| format!("{} {}", c["change"], r.as_str().unwrap()))
        })
        .collect();
    assert!(
        resources
            .iter()
            .any(|r| r.starts_with("\"added\"") && r.contains("${Import:piedpiper-domain-platform2-DomainId}")),
        "{resources:?}"
    );
    assert!(
        resources
            .iter()
            .any(|r| r.starts_with("\"removed\"") && r.contains("${Import:piedpiper-domain-platform-DomainId}")),
        "{resources:?}"
    );
}

#[test]
fn a_team_moving_domain_attaches_the_new_domains_policies() {
    let dir = temp_dir("estate-team-moves");
    let text = estate(2, 2, 2);
    assert_eq!(synth(&dir, &text, &[]).0, 0);
    // An empty team moves to the other domain: it attaches that domain's policies instead.
    let moved = text
        .replace("{name: user000001, team: team1, id: user000001}", "{name: user000001, team: team0, id: user000001}");
    assert_eq!(synth(&dir, &moved, &["--allow-replace"]).0, 0);
    let team_moved = moved.replace("  - name: team1\n    domain: domain1\n", "  - name: team1\n    domain: domain0\n");
    let (_, json) = diff(&dir, &team_moved, "json");
    let report: Value = serde_json::from_str(&json).unwrap();
    let team = report["stacks"].as_array().unwrap().iter().find(|s| s["stack"] == "big-team-team1").unwrap();
    let attached: Vec<String> = team["managed_policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{} {}", c["change"].as_str().unwrap(), c["policy"].as_str().unwrap()))
        .collect();
    assert_eq!(
        attached,
        [
            "removed ${Import:big-domain-domain1-TeamJobsPolicyArn}",
            "removed ${Import:big-domain-domain1-TeamStudioPolicyArn}",
            "added ${Import:big-domain-domain0-TeamJobsPolicyArn}",
            "added ${Import:big-domain-domain0-TeamStudioPolicyArn}",
        ]
    );
    // Neither domain's stack changes: their policies serve whichever teams attach them.
    let stacks: Vec<&str> = report["stacks"].as_array().unwrap().iter().map(|s| s["stack"].as_str().unwrap()).collect();
    assert_eq!(stacks, ["big-team-team1"]);
}

#[test]
fn principals_that_are_one_role_in_every_account_are_an_error_with_organizational_units() {
    let text = std::fs::read_to_string(common::root().join("examples/acme.yaml")).unwrap().replace(
        "launch_principals: [arn:aws:iam::111122223333:role/CloudAdmin]",
        "launch_principals: [arn:aws:iam::111122223333:role/CloudAdmin, arn:aws:iam::444455556666:role/CloudAdmin]",
    );
    let name = common::root().join("examples/org.yaml");
    let Err(studioform::Error::Invalid { diags, .. }) = studioform::config::load_str(&name.to_string_lossy(), text)
    else {
        panic!("accepted")
    };
    assert_eq!(diags[0].code, "CFG020");
    assert!(
        diags[0].message.contains("are the same principal, `role/CloudAdmin`, in every account"),
        "{}",
        diags[0].message
    );
}

#[test]
fn reordering_teams_publishes_no_new_product_version() {
    let dir = temp_dir("estate-team-order");
    let products = dir.join("products");
    std::fs::create_dir_all(&products).unwrap();
    let text = std::fs::read_to_string(common::root().join("examples/acme.yaml"))
        .unwrap()
        .replace("  custom: [products/team-bucket.yaml.hbs]\n", "");
    assert_eq!(synth(&dir, &text, &[]).0, 0);
    let before = tree(&dir.join("out"));
    let teams_start = text.find("teams:\n").unwrap();
    let users_start = text.find("users:\n").unwrap();
    let block = &text[teams_start + "teams:\n".len()..users_start];
    let mut entries: Vec<String> =
        block.split("  - name: ").filter(|e| !e.trim().is_empty()).map(|e| format!("  - name: {e}")).collect();
    assert!(entries.len() >= 3, "{block}");
    entries.reverse();
    let reordered = format!("{}teams:\n{}{}", &text[..teams_start], entries.concat(), &text[users_start..]);
    assert_ne!(reordered, text);
    assert_eq!(synth(&dir, &reordered, &[]).0, 0);
    assert_eq!(changed(&before, &tree(&dir.join("out"))), Vec::<String>::new());
}

/// The teams each part of the team product offers, from the manifest: product name → teams.
fn team_parts(out: &Path) -> BTreeMap<String, Vec<String>> {
    let manifest: Value = serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| !e["teams"].is_null())
        .map(|e| {
            let names = e["teams"]["teams"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_owned());
            let path = e["path"].as_str().unwrap();
            (path.trim_start_matches("catalog/products/").trim_end_matches(".yaml").to_owned(), names.collect())
        })
        .collect()
}

#[test]
fn the_team_product_comes_in_parts_that_keep_their_teams() {
    let dir = temp_dir("estate-team-parts");
    let text = with_catalog(&estate(250, 1, 250));
    assert_eq!(synth(&dir, &text, &[]).0, 0);
    let out = dir.join("out");
    let parts = team_parts(&out);
    assert_eq!(parts.keys().collect::<Vec<_>>(), ["team", "team-2", "team-3"]);
    assert_eq!(parts.values().map(Vec::len).collect::<Vec<_>>(), [TEAMS_PER_PRODUCT, TEAMS_PER_PRODUCT, 50]);
    let stacks: BTreeMap<String, Value> = common::stacks(&text).into_iter().collect();
    for (name, teams) in &parts {
        let product = &stacks[name];
        let allowed: Vec<&str> = product["Parameters"]["TeamName"]["AllowedValues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(allowed, *teams, "{name} offers exactly the teams the manifest records");
    }
    let portfolio = std::fs::read_to_string(out.join("catalog/portfolio.yaml")).unwrap();
    assert!(portfolio.contains("Studio team role (part 3)"), "every part is a product of the portfolio");

    // A team whose name sorts first joins the part with room; no team moves.
    let before = tree(&out);
    let more = text.replace("teams:\n", "teams:\n  - name: aaa\n    domain: domain0\n    buckets: [big-aaa-data]\n");
    assert_eq!(synth(&dir, &more, &[]).0, 0);
    let now = team_parts(&out);
    assert_eq!(now["team"], parts["team"]);
    assert_eq!(now["team-2"], parts["team-2"]);
    assert!(now["team-3"].contains(&"aaa".to_owned()));
    let mut changed = changed(&before, &tree(&out));
    changed.retain(|p| !p.starts_with("catalog/products/team-3/"));
    // The new team's stack; the part that offers it; the portfolio, which gets its new
    // version; README and manifest, which list every file. Beyond 100 teams the user-profile
    // product checks a team name by its form rather than listing every team, so it stays.
    assert_eq!(
        changed,
        [
            "README.md",
            "catalog/portfolio.yaml",
            "catalog/products/team-3.yaml",
            "manifest.json",
            "stacks/big-team-aaa.yaml"
        ]
    );
    let team = &stacks["user-profile"]["Parameters"]["TeamName"];
    assert!(team.get("AllowedValues").is_none() && team["AllowedPattern"] == "^[a-z0-9]+(-[a-z0-9]+)*$", "{team}");
}

#[test]
fn the_user_profile_product_lists_teams_up_to_one_parts_worth() {
    let team_name = |teams: usize| {
        common::stack(&with_catalog(&estate(1, 1, teams)), "user-profile")["Parameters"]["TeamName"].clone()
    };
    assert_eq!(team_name(TEAMS_PER_PRODUCT)["AllowedValues"].as_array().unwrap().len(), TEAMS_PER_PRODUCT);
    let many = team_name(TEAMS_PER_PRODUCT + 1);
    assert!(many.get("AllowedValues").is_none(), "{many}");
    assert_eq!(many["MaxLength"], 32);
}

#[test]
fn output_from_before_the_team_product_came_in_parts_keeps_its_teams_in_the_first() {
    let dir = temp_dir("estate-team-legacy");
    let text = with_catalog(&estate(150, 1, 150));
    assert_eq!(synth(&dir, &text, &[]).0, 0);
    // What an earlier studioform wrote: one team product, no record of its teams.
    let out = dir.join("out");
    let path = out.join("manifest.json");
    let mut manifest: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for entry in manifest["files"].as_array_mut().unwrap() {
        entry.as_object_mut().unwrap().remove("teams");
    }
    std::fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    assert_eq!(synth(&dir, &text, &[]).0, 0);
    let parts = team_parts(&out);
    assert_eq!(parts.keys().collect::<Vec<_>>(), ["team"], "every launched team stays with its product");
    assert_eq!(parts["team"].len(), 150);
}

/// A new VPC would replace every domain: diff says synth will refuse it, and synth's advice
/// is one the admin can follow (the network is every domain's, so no new domain escapes it).
#[test]
fn a_network_change_is_refused_with_advice_that_can_be_followed() {
    let dir = temp_dir("estate-vpc");
    let text = estate(4, 2, 2);
    assert_eq!(synth(&dir, &text, &[]).0, 0);
    let moved = with_other_vpc(&text);
    let (code, stdout) = diff(&dir, &moved, "text");
    assert_eq!(code, 0, "diff informs; --fail makes it fail");
    assert!(stdout.contains("[~] AWS::SageMaker::Domain Domain in big-domain-domain0: VpcId"), "{stdout}");
    assert!(
        stdout.contains("synth refuses to write these 2 changes to domains or user profiles (CFG050 names the setting responsible) unless given --allow-replace"),
        "{stdout}"
    );
    let (code, err) = synth(&dir, &moved, &[]);
    assert_eq!(code, 1);
    assert!(err.contains("= at: network.vpc_id"), "{err}");
    assert!(err.contains("the network is every domain's"), "{err}");
    assert!(!err.contains("add a domain under a new name"), "advice that cannot be followed: {err}");

    // Someone joining deletes nothing: diff says nothing of a refusal.
    let joined = text.replace("users:\n", "users:\n  - name: newcomer\n    team: team0\n    id: newcomer\n");
    let (_, stdout) = diff(&dir, &joined, "text");
    assert!(stdout.contains("ProfileNewcomer"), "{stdout}");
    assert!(!stdout.contains("synth refuses"), "{stdout}");
}

/// `--allow-replace user:<name>` approves one person's offboarding and nothing else: a VPC
/// change in the same run is still refused, named with its own scope; an approval that
/// matches nothing is said; the removed person's finding points at `users:`, not at whoever
/// comes first, and says what happens to their access and home directory.
#[test]
fn scoped_approvals_let_through_what_they_name_and_nothing_else() {
    let dir = temp_dir("estate-scoped");
    let text = estate(6, 2, 2);
    assert_eq!(synth(&dir, &text, &[]).0, 0);
    let before = tree(&dir.join("out"));
    let both = with_other_vpc(&without_user(&text, "user000002"));

    let (code, err) = synth(&dir, &both, &["--allow-replace", "user:user000002", "--allow-replace", "user:nobody"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(tree(&dir.join("out")), before, "a refused run writes nothing");
    assert!(err.contains("warning: --allow-replace user:nobody approves nothing"), "{err}");
    assert!(err.contains("error[CFG050]: domain `domain0`"), "{err}");
    assert!(err.contains("To approve this change alone: --allow-replace domain:domain0"), "{err}");
    let bob = err.split("warning[CFG050]: user profile `user000002`").nth(1).expect(&err);
    assert!(bob.contains("= at: users") && bob.contains("| ^^^^^"), "points at the users key: {bob}");
    assert!(bob.contains("approved by --allow-replace") && bob.contains("home directory"), "{bob}");
    assert!(bob.contains("end their sign-in"), "says how their access ends: {bob}");
    assert!(!bob.contains("pass --allow-replace"), "no advice to pass what was passed: {bob}");

    // Naming both domains as well lets the whole change through.
    let all = [
        "--allow-replace",
        "user:user000002",
        "--allow-replace",
        "domain:domain0",
        "--allow-replace",
        "domain:domain1",
    ];
    let (code, err) = synth(&dir, &both, &all);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err.matches("warning[CFG050]").count(), 3, "{err}");

    // A scope of another kind is a usage error.
    let (code, err) = synth(&dir, &text, &["--allow-replace", "team:team0"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--allow-replace takes `user:<name>` or `domain:<name>`"), "{err}");
}

/// Renaming a team retires its stack: synth says so, with the command to delete it after the
/// new output is deployed, and lists the stacks that changed; a run that retires nothing
/// warns of nothing.
#[test]
fn a_stack_that_leaves_the_output_is_named_with_how_to_delete_it() {
    let dir = temp_dir("estate-orphan");
    let text = estate(4, 2, 3);
    let out = dir.join("out");
    let (code, stdout, err) = synth_said(&dir, &text, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("changed stacks (deploy these): big-domain-domain0, big-domain-domain1"), "{stdout}");
    assert!(!err.contains("no longer synthesized"), "{err}");

    let renamed = text.replace("name: team2\n", "name: risk\n").replace("team: team2,", "team: risk,");
    assert_ne!(renamed, text);
    let (code, stdout, err) = synth_said(&dir, &renamed, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("big-team-risk"), "the new stack is listed to deploy: {stdout}");
    assert!(err.contains("warning: 1 stack(s) no longer synthesized"), "{err}");
    assert!(err.contains("Deploy the new output first"), "{err}");
    assert!(err.contains("  aws cloudformation delete-stack --stack-name big-team-team2\n"), "{err}");
    assert!(
        err.contains("If team `risk` is team `team2` renamed, set `previous_name: team2` on it"),
        "a rename is suspected, with the way to keep the role: {err}"
    );
    assert!(!out.join("stacks/big-team-team2.yaml").exists());
    let readme = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(readme.contains("## Stacks to delete"), "{readme}");
    assert!(readme.contains("| `big-team-team2` | workload | a team's execution role |"), "{readme}");

    // Nothing changes: nothing listed, nothing newly retired; the README still lists the
    // stack to delete until it is said deleted.
    let (code, stdout, err) = synth_said(&dir, &renamed, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(!stdout.contains("changed stacks"), "{stdout}");
    assert!(!err.contains("no longer synthesized"), "{err}");
    assert!(std::fs::read_to_string(out.join("README.md")).unwrap().contains("`big-team-team2`"));

    // A second team leaves: both are listed.
    let fewer = renamed
        .replace("  - name: team1\n    domain: domain1\n    buckets: [big-team1-data]\n", "")
        .replace("team: team1,", "team: team0,");
    assert_ne!(fewer, renamed);
    assert_eq!(synth(&dir, &fewer, &["--allow-replace"]).0, 0, "the person of team1 changes domain");
    let readme = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(readme.contains("`big-team-team1`") && readme.contains("`big-team-team2`"), "{readme}");

    // A misspelt stack to forget is named with the closest retired one; nothing is forgotten.
    let (code, err) = synth(&dir, &fewer, &["--forget-stack", "big-team-tema2"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("did you mean `big-team-team2`?"), "{err}");
    assert!(std::fs::read_to_string(out.join("README.md")).unwrap().contains("`big-team-team2`"));
    // Forgotten, one then all.
    assert_eq!(synth(&dir, &fewer, &["--forget-stack", "big-team-team2"]).0, 0);
    let readme = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(readme.contains("`big-team-team1`") && !readme.contains("`big-team-team2`"), "{readme}");
    assert_eq!(synth(&dir, &fewer, &["--forget-stack", "all"]).0, 0);
    let readme = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(!readme.contains("Stacks to delete"), "{readme}");
}

/// Renaming a person (same id, new name) is recognised as a rename: the finding points at the
/// new name and says how to keep their home directory.
#[test]
fn a_renamed_person_is_recognised_as_a_rename() {
    let dir = temp_dir("estate-rename-person");
    let text = estate(4, 1, 2);
    assert_eq!(synth(&dir, &text, &[]).0, 0);
    let renamed = text.replacen("name: user000001,", "name: ursula,", 1);
    assert_ne!(renamed, text);
    let (code, err) = synth(&dir, &renamed, &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("user profile `user000001` would be deleted"), "{err}");
    assert!(err.contains("the person with id `user000001` is now named `ursula`"), "{err}");
    assert!(err.contains("= at: users[1].name"), "{err}");
    assert!(err.contains("add `previous_name: user000001` to the person"), "{err}");
    assert!(err.contains("To approve this change alone: --allow-replace user:user000001"), "{err}");

    // Following the advice keeps the profile: nothing deployed changes.
    let before = generation(&dir.join("out"));
    let kept = renamed.replacen("name: ursula,", "name: ursula, previous_name: user000001,", 1);
    let (code, err) = synth(&dir, &kept, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(generation(&dir.join("out")), before, "the renamed person keeps their profile");
}

/// A team renamed with `previous_name` keeps its role, tag and stack: the output is what it
/// was. People point at the team by its new name; the old one is refused with the new one.
#[test]
fn a_team_renamed_with_its_previous_name_changes_nothing_deployed() {
    let dir = temp_dir("estate-rename-team");
    let text = estate(6, 1, 3);
    assert_eq!(synth(&dir, &text, &[]).0, 0);
    let before = generation(&dir.join("out"));

    let renamed = text
        .replace("  - name: team2\n", "  - name: risk\n    previous_name: team2\n")
        .replace("team: team2,", "team: risk,");
    assert_ne!(renamed, text);
    let (code, stdout, err) = synth_said(&dir, &renamed, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("0 file(s) changed"), "{stdout}");
    assert!(!err.contains("warning"), "{err}");
    assert_eq!(generation(&dir.join("out")), before);

    // The old name, in a person's `team`, names the new one.
    let stale = renamed.replacen("team: risk,", "team: team2,", 1);
    let (code, err) = synth(&dir, &stale, &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[CFG021]: team `team2` is now named `risk`"), "{err}");
    assert!(err.contains("use `team: risk`"), "{err}");
}

/// Only stacks that leave the output are said retired: a change of format rewrites every
/// file and retires nothing. A manifest's retired stacks are trusted only when they are
/// stack names, so that no hand-edited one reaches the README's shell commands.
#[test]
fn retired_stacks_are_stack_names_that_left() {
    let dir = temp_dir("estate-retired-names");
    let text = estate(4, 2, 3);
    assert_eq!(synth(&dir, &text, &[]).0, 0);
    let (code, err) = synth(&dir, &text, &["--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("no longer synthesized") && !err.contains("delete-stack"), "{err}");

    let out = dir.join("out");
    let manifest = out.join("manifest.json");
    let mut m: Value = serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    m["retired"] = json!([
        {"stack": "x; rm -rf ~ #", "kind": "team", "order": 2},
        {"stack": "a\nb$(id)", "kind": "domain", "order": 1},
        {"stack": "big-team-old", "kind": "team", "order": 2}
    ]);
    std::fs::write(&manifest, serde_json::to_string_pretty(&m).unwrap()).unwrap();
    let (code, err) = synth(&dir, &text, &["--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let readme = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(readme.contains("delete-stack --stack-name big-team-old"), "{readme}");
    assert!(!readme.contains("rm -rf") && !readme.contains("$(id)"), "{readme}");
}

/// A team renamed with a previous name that no stack of the last output had gets a new role
/// and tag: synth says so, and names the team stack leaving the output as the likely one.
#[test]
fn a_previous_name_that_was_never_deployed_is_said() {
    let dir = temp_dir("estate-previous-never");
    let text = estate(6, 1, 3);
    assert_eq!(synth(&dir, &text, &[]).0, 0);
    let wrong = text
        .replace("  - name: team2\n", "  - name: risk\n    previous_name: credit\n")
        .replace("team: team2,", "team: risk,");
    let (code, err) = synth(&dir, &wrong, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(
            "team `risk` keeps the name `credit` (its previous_name), but the last output had no stack big-team-credit"
        ),
        "{err}"
    );
    assert!(err.contains("If it is team `team2`, whose stack leaves the output, set `previous_name: team2`"), "{err}");
}

/// `--forget-stack` of a stack that is still synthesized says so.
#[test]
fn forgetting_a_live_stack_says_it_is_not_retired() {
    let dir = temp_dir("estate-forget-live");
    let text = estate(4, 1, 2);
    assert_eq!(synth(&dir, &text, &[]).0, 0);
    let (code, err) = synth(&dir, &text, &["--forget-stack", "big-team-team1"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("--forget-stack big-team-team1: this stack is synthesized, not retired"), "{err}");
}

/// Product templates are launched, not deployed: removing the catalog is not a deletion of
/// anyone's domain or profile.
#[test]
fn removing_the_catalog_deletes_nobodys_studio() {
    let dir = temp_dir("estate-catalog-removed");
    let text = estate(4, 1, 2);
    assert_eq!(synth(&dir, &with_catalog(&text), &[]).0, 0);
    let (code, err) = synth(&dir, &text, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("CFG050"), "{err}");
}

/// `access --who` that matches no principal says so, with the closest name.
#[test]
fn access_who_matching_nobody_says_so() {
    let dir = temp_dir("estate-access-who");
    assert_eq!(synth(&dir, &estate(4, 1, 2), &[]).0, 0);
    let out = dir.join("out");
    let (code, _, err) = cli(&["access", "--out", out.to_str().unwrap(), "--who", "big-team-tem1"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning: --who big-team-tem1: no principal's name contains it; did you mean `big-team-team1`?"),
        "{err}"
    );
    let (_, _, err) = cli(&["access", "--out", out.to_str().unwrap(), "--who", "team1"]);
    assert!(!err.contains("warning"), "{err}");
}
