//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use studioform::config::{self, Loaded};
use studioform::output::{self, File};
use studioform::render::Format;

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `*.yaml` files in `dir` (relative to the crate root), sorted.
pub fn yaml_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

/// The file name without extension.
pub fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

/// Loads an org file given as text, as if it sat in `examples/` (where the examples' custom
/// product templates are).
pub fn load(text: &str) -> Loaded {
    let name = root().join("examples").join("test.yaml");
    match config::load_str(&name.to_string_lossy(), text.to_owned()) {
        Ok(l) => l,
        Err(studioform::Error::Invalid { file, diags }) => panic!("{}", studioform::diag::render(&diags, &file)),
        Err(e) => panic!("{e}"),
    }
}

/// Everything `synth` would write for an org file's text.
pub fn synth_files(text: &str, format: Format) -> Vec<File> {
    let loaded = load(text);
    let bundle = studioform::synth(&loaded, &Default::default(), format).unwrap_or_else(|d| panic!("{d:?}"));
    output::render(&loaded.org.name, &bundle, format)
}

/// The long-form JSON of every stack, by stack name.
pub fn stacks(text: &str) -> Vec<(String, serde_json::Value)> {
    let loaded = load(text);
    let bundle = studioform::synth(&loaded, &Default::default(), studioform::render::Format::Yaml)
        .unwrap_or_else(|d| panic!("{d:?}"));
    bundle.stacks.iter().map(|s| (s.name.clone(), s.json().clone())).collect()
}

/// The long-form JSON of the stack named `name`.
pub fn stack(text: &str, name: &str) -> serde_json::Value {
    stacks(text).into_iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no stack {name}")).1
}

/// The stack named `name`, with the managed policies its roles import from other stacks (the
/// policies a domain stack holds for its teams) added to its resources under their logical
/// ids: every policy the role is granted, as the role sees them.
pub fn team_view(text: &str, name: &str) -> serde_json::Value {
    let all = stacks(text);
    let mut template = all.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no stack {name}")).1.clone();
    let mut imported = Vec::new();
    for role in template["Resources"].as_object().unwrap().values().filter(|r| r["Type"] == "AWS::IAM::Role") {
        for arn in role["Properties"]["ManagedPolicyArns"].as_array().into_iter().flatten() {
            let Some(export) = arn["Fn::ImportValue"].as_str() else { continue };
            let (stack, id) = all
                .iter()
                .find_map(|(n, t)| {
                    Some((n, export.strip_prefix(&format!("{n}-"))?.strip_suffix("Arn")?))
                        .filter(|(_, id)| t["Resources"].get(*id).is_some())
                })
                .unwrap_or_else(|| panic!("no stack exports {export}"));
            let policy = &all.iter().find(|(n, _)| n == stack).unwrap().1["Resources"][id];
            assert_eq!(policy["Type"], "AWS::IAM::ManagedPolicy", "{export}");
            imported.push((id.to_owned(), policy.clone()));
        }
    }
    for (id, policy) in imported {
        assert!(template["Resources"].get(&id).is_none(), "{id} is both imported and in {name}");
        template["Resources"][id] = policy;
    }
    template
}

/// The statement with `sid` in a policy resource of a template.
/// `policy` names a resource (a managed policy, or a role for its trust policy) or an inline
/// policy of a role.
pub fn statement<'a>(template: &'a serde_json::Value, policy: &str, sid: &str) -> &'a serde_json::Value {
    let props = &template["Resources"][policy]["Properties"];
    let doc = if props.get("PolicyDocument").is_some() {
        &props["PolicyDocument"]
    } else if props.get("AssumeRolePolicyDocument").is_some() {
        &props["AssumeRolePolicyDocument"]
    } else {
        inline_policy(template, policy).unwrap_or_else(|| panic!("no policy {policy}"))
    };
    doc["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == sid)
        .unwrap_or_else(|| panic!("no statement {sid} in {policy}"))
}

/// The document of the policy `name` of `template`: a managed policy resource of that logical
/// id, or an inline policy of that name on a role.
pub fn policy_doc<'a>(template: &'a serde_json::Value, name: &str) -> Option<&'a serde_json::Value> {
    match template["Resources"].get(name) {
        Some(r) => r["Properties"].get("PolicyDocument"),
        None => inline_policy(template, name),
    }
}

/// The document of the inline policy `name` of any role of `template`.
pub fn inline_policy<'a>(template: &'a serde_json::Value, name: &str) -> Option<&'a serde_json::Value> {
    template["Resources"]
        .as_object()?
        .values()
        .filter_map(|r| r["Properties"]["Policies"].as_array())
        .flatten()
        .find(|p| p["PolicyName"] == name)
        .map(|p| &p["PolicyDocument"])
}

/// Runs the CLI in-process; returns (exit code, stdout, stderr).
pub fn cli(args: &[&str]) -> (i32, String, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let argv = std::iter::once("studioform".to_owned()).chain(args.iter().map(|s| (*s).to_owned()));
    let code = studioform::cli::run(argv, &mut out, &mut err);
    (code, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
}

/// A fresh empty directory under the target directory.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = root().join("target").join("test-tmp").join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every file under `dir` with its content, sorted by path.
pub fn tree(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.strip_prefix(dir).unwrap().to_string_lossy().into_owned(),
                    String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned(),
                ));
            }
        }
    }
    out.sort();
    out
}

/// The generation of studioform output in `dir`: every file with its content, without
/// studioform's own state folder (lock, unfinished writes).
pub fn generation(dir: &Path) -> Vec<(String, String)> {
    tree(dir).into_iter().filter(|(p, _)| !p.starts_with(".studioform")).collect()
}

/// The minimal valid org file.
pub fn minimal() -> String {
    std::fs::read_to_string(root().join("tests/fixtures/valid/minimal.yaml")).unwrap()
}

#[path = "../../benches/support/estate.rs"]
mod generated;
#[allow(unused_imports)]
pub use generated::{estate, with_catalog, with_quotas};
