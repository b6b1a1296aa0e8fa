//! The output directory: rendering a bundle into files, the manifest, atomic writes under a
//! lock ([`dir`]), `--check` (compare instead of write), and `diff`.

pub mod diff;
pub mod dir;
pub mod review;

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Error;
use crate::estate::Bundle;
use crate::estate::catalog::History;
use crate::estate::layout::StackKind;
use crate::render::Format;
pub use dir::{Access, Fault, OutDir, Step, Wait};

/// Name of the manifest file.
pub const MANIFEST: &str = "manifest.json";
/// Version of the manifest format.
pub const MANIFEST_VERSION: u32 = 1;

/// The manifest: every file written, with its hash, stack and deploy order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Manifest format version.
    pub studioform: u32,
    /// Org name.
    pub org: String,
    /// Template format.
    pub format: Format,
    /// Every file except the manifest itself: stacks in deploy order, then products.
    pub files: Vec<Entry>,
    /// Every version of every product published so far, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<History>,
    /// Stacks earlier outputs had and this one has not, until `synth --forget-stack` says
    /// they were deleted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retired: Vec<crate::estate::Retired>,
}

/// One file of the output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Path relative to the output directory, `/`-separated.
    pub path: String,
    /// sha256 of the content, hex.
    pub sha256: String,
    /// What the file is.
    pub kind: FileKind,
    /// CloudFormation stack name (stacks only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
    /// Deploy order: deploy every stack of order n before any of order n+1 (stacks only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<u32>,
    /// Number of resources in the template (templates only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<usize>,
    /// Products only: the key `publish` uploads the file to, under its `--prefix`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Users stacks only: the profiles it holds. The next `synth` keeps each of them there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<crate::estate::Placement>,
    /// Parts of the team product only: the teams it offers. The next `synth` keeps each there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teams: Option<crate::estate::TeamShard>,
}

impl Entry {
    /// The entry of a file that is not a template (a deploy policy, the README).
    fn plain(file: &File, kind: FileKind) -> Self {
        Self {
            path: file.path.clone(),
            sha256: file.sha256.clone(),
            kind,
            stack: None,
            order: None,
            resources: None,
            key: None,
            placement: None,
            teams: None,
        }
    }
}

/// What a file of the output is: a template of some kind of stack, the README, or the IAM
/// policy a deployer needs in one account. Written as the stack kind's own name (`domain`,
/// `users`, `stack-set`...), `readme` or `deploy-policy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// The README.
    Readme,
    /// What deploying the stacks of one account needs.
    DeployPolicy,
    /// A template.
    #[serde(untagged)]
    Stack(StackKind),
}

/// A file to write: path relative to the output directory, and content.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    /// Relative path, `/`-separated.
    pub path: String,
    /// Content.
    pub content: String,
    /// Hex sha256 of the content.
    pub sha256: String,
}

impl File {
    /// A file with `content` at `path`.
    pub fn new(path: String, content: String) -> Self {
        let sha256 = sha256(&content);
        Self { path, content, sha256 }
    }
}

/// Hex sha256 of `content`.
pub fn sha256(content: &str) -> String {
    let digest = Sha256::digest(content.as_bytes());
    let mut hex = String::with_capacity(64);
    for b in digest {
        hex.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        hex.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
    }
    hex
}

/// A row of the output README.
#[derive(Serialize)]
struct ReadmeStack<'a> {
    order: u32,
    name: &'a str,
    path: &'a str,
    holds: &'static str,
    account: &'static str,
    portfolio: bool,
    stackset: bool,
    identity_center: bool,
    recipient: bool,
    /// Parameters without a default: what the deploy command must give.
    parameters: Vec<String>,
}

/// A product row of the output README.
#[derive(Serialize)]
struct ReadmeProduct<'a> {
    name: &'a str,
    path: &'a str,
    key: &'a str,
    version: &'a str,
}

/// The output README, rendered from `templates/readme.md.hbs`.
pub const README_TEMPLATE: &str = include_str!("../../templates/readme.md.hbs");

/// Renders every stack and product of `bundle`, the README and the manifest, in a stable order.
/// The first `bundle.stacks.len()` files are the stacks', in the same order.
pub fn render(org: &str, bundle: &Bundle, format: Format) -> Vec<File> {
    let mut files = Vec::with_capacity(bundle.stacks.len() + 2);
    let mut manifest = Manifest {
        studioform: MANIFEST_VERSION,
        org: org.to_owned(),
        format,
        files: Vec::new(),
        products: bundle.products.clone(),
        retired: bundle.retired.clone(),
    };
    let rendered = crate::par_map(&bundle.stacks, |stack| {
        File::new(format!("{}.{}", stack.file_stem(), format.extension()), format.render(stack.json()))
    });
    for (stack, file) in bundle.stacks.iter().zip(rendered) {
        let product = stack.kind == StackKind::Product;
        manifest.files.push(Entry {
            path: file.path.clone(),
            sha256: file.sha256.clone(),
            kind: FileKind::Stack(stack.kind),
            stack: (!product).then(|| stack.name.clone()),
            order: stack.kind.order(),
            resources: Some(stack.resource_count()),
            key: stack.key.clone(),
            placement: stack.placement.clone(),
            teams: stack.teams.clone(),
        });
        files.push(file);
    }
    for (path, content) in deploy_policies(bundle) {
        let file = File::new(path, content);
        manifest.files.push(Entry::plain(&file, FileKind::DeployPolicy));
        files.push(file);
    }
    let readme = File::new("README.md".into(), readme(org, bundle, &manifest));
    manifest.files.push(Entry::plain(&readme, FileKind::Readme));
    files.push(readme);
    files.push(File::new(
        MANIFEST.to_owned(),
        crate::render::json(&serde_json::to_value(&manifest).unwrap_or_default()),
    ));
    files
}

/// For each account the stacks are deployed in, an IAM policy document (`deploy/<account>.json`)
/// granting what deploying them needs: CloudFormation's stack operations, and every permission
/// the handlers of their resource types call with the deployer's credentials.
fn deploy_policies(bundle: &Bundle) -> Vec<(String, String)> {
    use std::collections::{BTreeMap, BTreeSet};
    // The resource types of each account first: a wide estate has many stacks of few types.
    let mut types: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for stack in &bundle.stacks {
        let Some(account) = stack.kind.account() else { continue };
        let resources = stack.json().get("Resources").and_then(serde_json::Value::as_object).into_iter().flatten();
        let of_account = types.entry(account).or_default();
        of_account.extend(resources.filter_map(|(_, r)| r.get("Type").and_then(serde_json::Value::as_str)));
    }
    types
        .into_iter()
        .map(|(account, types)| {
            let actions: BTreeSet<&String> =
                types.into_iter().flat_map(crate::validate::handlers::type_actions).collect();
            let doc = serde_json::json!({
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "DeployStacks",
                        "Effect": "Allow",
                        "Action": [
                            "cloudformation:CreateChangeSet", "cloudformation:CreateStack", "cloudformation:DeleteChangeSet",
                            "cloudformation:DeleteStack", "cloudformation:DescribeChangeSet", "cloudformation:DescribeStackEvents",
                            "cloudformation:DescribeStacks", "cloudformation:ExecuteChangeSet", "cloudformation:GetTemplateSummary",
                            "cloudformation:ListExports", "cloudformation:UpdateStack", "cloudformation:ValidateTemplate"
                        ],
                        "Resource": "*"
                    },
                    {"Sid": "WhatTheResourceHandlersCall", "Effect": "Allow", "Action": actions, "Resource": "*"}
                ]
            });
            (format!("deploy/{account}.json"), crate::render::json(&doc))
        })
        .collect()
}

fn readme(org: &str, bundle: &Bundle, manifest: &Manifest) -> String {
    // Found by name, not searched for: a wide estate has thousands of stacks.
    let by_name: std::collections::HashMap<(&str, StackKind), &crate::estate::Stack> =
        bundle.stacks.iter().map(|s| ((s.name.as_str(), s.kind), s)).collect();
    let stacks: Vec<ReadmeStack<'_>> = manifest
        .files
        .iter()
        .filter_map(|e| {
            let FileKind::Stack(kind) = e.kind else { return None };
            let name = e.stack.as_deref()?;
            let template = by_name.get(&(name, kind))?.json();
            let parameters = template
                .get("Parameters")
                .and_then(serde_json::Value::as_object)
                .map(|p| p.iter().filter(|(_, v)| v.get("Default").is_none()).map(|(k, _)| k.clone()).collect())
                .unwrap_or_default();
            Some(ReadmeStack {
                order: e.order?,
                name,
                path: &e.path,
                holds: kind.holds(),
                account: kind.account()?,
                portfolio: kind == StackKind::Portfolio,
                stackset: kind == StackKind::StackSet,
                identity_center: kind == StackKind::IdentityCenter,
                recipient: kind == StackKind::Recipient,
                parameters,
            })
        })
        .collect();
    let products: Vec<ReadmeProduct<'_>> = manifest
        .files
        .iter()
        .filter(|e| e.kind == FileKind::Stack(StackKind::Product))
        .filter_map(|e| {
            let name = e.path.rsplit('/').next()?.rsplit_once('.')?.0;
            let history = bundle.products.iter().find(|h| h.name == name)?;
            Some(ReadmeProduct { name, path: &e.path, key: e.key.as_deref()?, version: &history.versions.last()?.name })
        })
        .collect();
    let policies: Vec<&str> =
        manifest.files.iter().filter(|e| e.kind == FileKind::DeployPolicy).map(|e| e.path.as_str()).collect();
    // Deleted in reverse deploy order: a stack that imports another's exports goes first.
    let retired: Vec<serde_json::Value> = manifest
        .retired
        .iter()
        .rev()
        .map(|r| serde_json::json!({"name": r.stack, "account": r.kind.account(), "holds": r.kind.holds()}))
        .collect();
    let data = serde_json::json!({"org": org, "stacks": stacks, "products": products, "policies": policies, "retired": retired});
    // The template ships with studioform and its data is built here: a failure is a bug.
    crate::render::prose(README_TEMPLATE, &data).unwrap_or_else(|e| format!("README template error: {e}\n"))
}

/// True when `name` is a CloudFormation stack name (a letter, then letters, digits and
/// hyphens, up to 128): what a manifest says is only trusted as a stack name, and put into a
/// shell command, when it is one.
pub fn is_stack_name(name: &str) -> bool {
    name.len() <= 128
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// What the manifest of the output on disk (`on_disk`, from [`read_manifest`]) says later runs
/// must honour: product versions, where each user profile lives, and which part of the team
/// product offers each team.
pub fn previous(on_disk: Option<&Manifest>) -> crate::estate::Previous {
    let Some(m) = on_disk else { return crate::estate::Previous::default() };
    let mut placement: std::collections::HashMap<String, std::collections::HashMap<String, usize>> =
        std::collections::HashMap::new();
    for p in m.files.iter().filter_map(|e| e.placement.as_ref()) {
        let domain = placement.entry(p.domain.clone()).or_default();
        for name in &p.profiles {
            domain.entry(name.clone()).or_insert(p.shard);
        }
    }
    let team_products = m
        .files
        .iter()
        .filter_map(|e| e.teams.as_ref())
        .flat_map(|t| t.teams.iter().map(|name| (name.clone(), t.shard)))
        .collect();
    // Written before the team product came in parts: its one part offered every team.
    let single_team_product = m.files.iter().any(|e| e.path.starts_with("catalog/products/team.") && e.teams.is_none());
    let stacks = m
        .files
        .iter()
        .filter_map(|e| match (e.kind, &e.stack, e.order) {
            (FileKind::Stack(kind), Some(stack), Some(order)) if kind != StackKind::Product => {
                Some(crate::estate::Retired { stack: stack.clone(), kind, order })
            }
            _ => None,
        })
        .chain(m.retired.iter().cloned())
        .filter(|r| is_stack_name(&r.stack))
        .collect();
    crate::estate::Previous { products: m.products.clone(), placement, team_products, single_team_product, stacks }
}

/// How a file on disk differs from what `synth` would write.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// Not on disk yet.
    Added(String),
    /// On disk with other content.
    Modified(String),
    /// On disk, listed in the old manifest, no longer written.
    Removed(String),
}

impl Change {
    /// The file's relative path.
    pub fn path(&self) -> &str {
        match self {
            Self::Added(p) | Self::Modified(p) | Self::Removed(p) => p,
        }
    }
}

/// Writes `files` into `dir` as [`OutDir::write`] does, after opening it for writing
/// (waiting for another run's lock, completing an interrupted write). For tools and benches
/// that write a generation without comparing it first.
pub fn write(dir: &Path, files: &[File]) -> Result<Vec<Change>, Error> {
    let out = OutDir::open(dir, Access::Write, Wait::Yes, &mut std::io::sink())?;
    let on_disk = out.read_manifest()?;
    out.write(on_disk.as_ref(), files)
}

/// A short line diff between `old` and `new`: the first differing region with context.
pub fn excerpt_diff(old: &str, new: &str, max_lines: usize) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..].iter().rev().zip(b[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
    let start = prefix.saturating_sub(2);
    let mut out = format!("@@ line {} @@\n", start + 1);
    for line in &a[start..prefix] {
        out.push_str(&format!("  {line}\n"));
    }
    let removed = &a[prefix..a.len() - suffix];
    let added = &b[prefix..b.len() - suffix];
    let mut shown = 0;
    for line in removed {
        if shown == max_lines {
            break;
        }
        out.push_str(&format!("- {line}\n"));
        shown += 1;
    }
    for line in added {
        if shown == max_lines {
            break;
        }
        out.push_str(&format!("+ {line}\n"));
        shown += 1;
    }
    if removed.len() + added.len() > shown {
        out.push_str(&format!("  ... {} more changed lines\n", removed.len() + added.len() - shown));
    }
    out
}
