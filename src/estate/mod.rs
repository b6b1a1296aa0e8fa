//! From an [`Org`] to a [`Bundle`] of stacks: the domain knowledge lives here, one file per
//! concern, with [`layout`] deciding names, placement and deploy order.

pub mod access;
pub mod catalog;
pub mod deployment;
pub mod domain;
mod grants;
mod launch;
pub mod layout;
pub mod mlflow;
pub mod mlflow_self_hosted;
mod personas;
pub mod team;
pub mod user_profile;

use std::sync::OnceLock;

use crate::config::Org;
use crate::diag::Diagnostic;
use crate::model::Template;
use crate::render::Format;
use layout::StackKind;

/// One stack: its CloudFormation name, what it holds, and its template.
#[derive(Clone, Debug)]
pub struct Stack {
    /// CloudFormation stack name (also the file name, without extension).
    pub name: String,
    /// What it holds; decides the deploy order.
    pub kind: StackKind,
    /// The template, as built.
    pub template: Template,
    /// Products only: the object key the template is published under.
    pub key: Option<String>,
    /// Users stacks only: which profiles of which domain the stack holds.
    pub placement: Option<Placement>,
    /// Parts of the team product only: which teams it offers.
    pub teams: Option<TeamShard>,
    /// Custom products only: the template as rendered from its handlebars source.
    rendered: Option<serde_json::Value>,
    /// Custom products only: the org-file entry naming the template.
    origin: Option<crate::path::Path>,
    json: OnceLock<serde_json::Value>,
}

impl Stack {
    /// A stack.
    pub fn new(name: String, kind: StackKind, template: Template) -> Self {
        Self {
            name,
            kind,
            template,
            key: None,
            placement: None,
            teams: None,
            rendered: None,
            origin: None,
            json: OnceLock::new(),
        }
    }

    /// A stack whose template was rendered from text rather than built (custom products).
    pub fn rendered(name: String, kind: StackKind, json: serde_json::Value, origin: crate::path::Path) -> Self {
        Self { rendered: Some(json), origin: Some(origin), ..Self::new(name, kind, Template::default()) }
    }

    /// The template as one long-form JSON tree, built once: validation and rendering share it.
    pub fn json(&self) -> &serde_json::Value {
        self.json.get_or_init(|| self.rendered.clone().unwrap_or_else(|| self.template.to_json()))
    }

    /// Builds the JSON tree now, moving the properties out of the model instead of copying
    /// them: after this the template is read only through [`Stack::json`].
    pub fn seal(&mut self) {
        if self.json.get().is_none() && self.rendered.is_none() {
            let json = self.template.take_json();
            let _ = self.json.set(json);
        }
    }

    /// Where in the org file the resource `id` comes from.
    pub fn origin_of(&self, id: &str) -> Option<crate::path::Path> {
        self.origin.clone().or_else(|| self.template.resources.get(id).map(|r| r.origin.clone()))
    }

    /// Where in the org file the property `property` (a path below Properties) of resource
    /// `id` comes from.
    pub fn origin_of_property(&self, id: &str, property: &str) -> Option<crate::path::Path> {
        self.origin.clone().or_else(|| self.template.resources.get(id).map(|r| r.origin_of(property)))
    }

    /// Number of resources in the template.
    pub fn resource_count(&self) -> usize {
        self.json().get("Resources").and_then(serde_json::Value::as_object).map_or(0, serde_json::Map::len)
    }

    /// Path of its file in the output directory, without extension.
    pub fn file_stem(&self) -> String {
        match self.kind {
            StackKind::Portfolio => "catalog/portfolio".to_owned(),
            StackKind::StackSet => "catalog/stackset".to_owned(),
            StackKind::Recipient => "catalog/recipient".to_owned(),
            StackKind::Product => format!("catalog/products/{}", self.name),
            _ => format!("stacks/{}", self.name),
        }
    }
}

/// The profiles a users stack holds; the manifest records it so that the next run keeps
/// every profile in its stack.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Placement {
    /// The domain the profiles belong to.
    pub domain: String,
    /// The shard number (from 1), the last part of the stack name.
    pub shard: usize,
    /// User profile names, sorted.
    pub profiles: Vec<String>,
}

/// The teams one part of the team product offers; the manifest records it so that the next
/// run keeps every team in its part.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TeamShard {
    /// The part number (from 1): `team`, `team-2`...
    pub shard: usize,
    /// Team names, sorted.
    pub teams: Vec<String>,
}

/// Everything `synth` writes, before rendering.
#[derive(Clone, Debug, Default)]
pub struct Bundle {
    /// Stacks and products, in deploy order (products last).
    pub stacks: Vec<Stack>,
    /// Every published version of every product.
    pub products: Vec<catalog::History>,
    /// Stacks an earlier output had and this one has not: CloudFormation keeps them until
    /// someone deletes them. In deploy order.
    pub retired: Vec<Retired>,
}

/// A stack that is no longer synthesized, kept in the manifest until it is said deleted.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Retired {
    /// CloudFormation stack name.
    pub stack: String,
    /// What it held.
    pub kind: layout::StackKind,
    /// Its deploy order: stacks are deleted in reverse.
    pub order: u32,
}

/// What an earlier run wrote and later runs must honour.
#[derive(Clone, Debug, Default)]
pub struct Previous {
    /// Product versions published so far.
    pub products: Vec<catalog::History>,
    /// Where each user profile lives: domain → profile name → shard.
    pub placement: std::collections::HashMap<String, std::collections::HashMap<String, usize>>,
    /// Which part of the team product offers each team: team name → part.
    pub team_products: std::collections::HashMap<String, usize>,
    /// The last output had the team product in one piece, offering every team: its teams stay
    /// in the first part (a mapping holds 200), so that no launched team changes product.
    pub single_team_product: bool,
    /// The stacks the last output had, and those it listed as retired.
    pub stacks: Vec<Retired>,
}

/// Builds every stack and product of `org`. The org must have passed the config checks;
/// `base_dir` is where relative paths in it start.
pub fn bundle(
    org: &Org,
    base_dir: &std::path::Path,
    previous: &Previous,
    format: Format,
) -> Result<Bundle, Vec<Diagnostic>> {
    // The catalog (the team product's parts, the portfolio) is built on a thread of its own
    // while the stacks are: it is one long piece of work, and the users stacks leave a core
    // idle.
    let (mut stacks, catalog) = std::thread::scope(|scope| {
        let catalog = scope.spawn(|| catalog::stacks(org, base_dir, previous, format));
        let mut stacks = Vec::new();
        for (i, d) in org.domains.iter().enumerate() {
            stacks.push(domain::stack(org, i, d));
        }
        stacks.extend(mlflow::stack(org));
        stacks.extend(mlflow_self_hosted::stack(org));
        // Teams are independent and, in a wide estate, the most stacks: built on every core.
        let teams: Vec<(usize, &crate::config::Team)> = org.teams.iter().enumerate().collect();
        let neighbours = team::neighbours(org);
        stacks.extend(crate::par_map(&teams, |&(i, t)| {
            let mut stack = team::stack(org, i, t, neighbours.get(t.domain.as_str()));
            stack.seal();
            stack
        }));
        stacks.extend(deployment::stack(org));
        stacks.push(access::stack(org));
        stacks.extend(access::identity_center(org));
        stacks.extend(user_profile::stacks(org, &previous.placement));
        (stacks, catalog.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
    });
    let (catalog, products) = catalog?;
    stacks.extend(catalog);
    // By deploy order, then name: reordering the org file reorders nothing.
    stacks.sort_by(|a, b| {
        (a.kind.order().unwrap_or(u32::MAX), &a.name).cmp(&(b.kind.order().unwrap_or(u32::MAX), &b.name))
    });
    let now: std::collections::HashSet<&str> = stacks.iter().map(|s| s.name.as_str()).collect();
    let mut retired: Vec<Retired> =
        previous.stacks.iter().filter(|r| !now.contains(r.stack.as_str())).cloned().collect();
    retired.sort_by(|a, b| (a.order, &a.stack).cmp(&(b.order, &b.stack)));
    retired.dedup_by(|a, b| a.stack == b.stack);
    Ok(Bundle { stacks, products, retired })
}
