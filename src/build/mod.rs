//! From an [`Org`] to a [`Bundle`] of stacks: the domain knowledge lives here, one file per
//! concern, with [`layout`] deciding names, placement and deploy order.

pub mod access;
pub mod domain;
pub mod layout;
pub mod team;
pub mod user_profile;

use std::sync::OnceLock;

use crate::config::Org;
use crate::model::Template;
use layout::StackKind;

/// One stack: its CloudFormation name, what it holds, and its template.
#[derive(Clone, Debug)]
pub struct Stack {
    /// CloudFormation stack name (also the file name, without extension).
    pub name: String,
    /// What it holds; decides the deploy order.
    pub kind: StackKind,
    /// The template.
    pub template: Template,
    json: OnceLock<serde_json::Value>,
}

impl Stack {
    /// A stack.
    pub fn new(name: String, kind: StackKind, template: Template) -> Self {
        Self { name, kind, template, json: OnceLock::new() }
    }

    /// The template as one long-form JSON tree, built once: validation and rendering share it.
    pub fn json(&self) -> &serde_json::Value {
        self.json.get_or_init(|| self.template.to_json())
    }

    /// Path of its file in the output directory, without extension.
    pub fn file_stem(&self) -> String {
        format!("stacks/{}", self.name)
    }
}

/// Everything `synth` writes, before rendering.
#[derive(Clone, Debug, Default)]
pub struct Bundle {
    /// Stacks, in deploy order.
    pub stacks: Vec<Stack>,
}

/// Builds every stack of `org`. The org must have passed the config checks.
pub fn bundle(org: &Org) -> Bundle {
    let mut stacks = Vec::new();
    for (i, d) in org.domains.iter().enumerate() {
        stacks.push(domain::stack(org, i, d));
    }
    for (i, t) in org.teams.iter().enumerate() {
        stacks.push(team::stack(org, i, t));
    }
    stacks.push(access::stack(org));
    for d in &org.domains {
        stacks.extend(user_profile::stacks(org, d));
    }
    stacks.sort_by_key(|s| s.kind.order());
    Bundle { stacks }
}
