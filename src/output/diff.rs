//! `diff`: what deploying the output of `synth` would change in CloudFormation, compared with
//! the output on disk. Per stack: resources added, removed, modified and replaced (a change to
//! a property the provider schema lists as create-only), and IAM statements and actions added
//! and removed. The same comparison is the safety gate of `synth`: it refuses to delete or
//! replace a domain or user profile unless told to.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use serde_json::{Map, Value};

use super::{File, FileKind, Manifest, OutDir};
use crate::Error;
use crate::diag::Diagnostic;
use crate::estate::Bundle;
use crate::path::Path as OrgPath;

/// Resource types that hold people's work: deleting or replacing one needs `--allow-replace`.
pub const STATEFUL: &[&str] = &["AWS::SageMaker::Domain", "AWS::SageMaker::UserProfile"];

/// Properties AWS documents as requiring replacement that the vendored provider schemas do
/// not list as create-only (see `schemas/SOURCE.md`).
const REPLACEMENT_OVERLAY: &str = include_str!("../../schemas/replacement-overlay.json");

/// Properties whose value is an IAM policy: their changes are shown as statement changes.
const POLICY_PROPERTIES: &[&str] = &["PolicyDocument", "AssumeRolePolicyDocument", "Policies", "InlinePolicy"];

/// Everything that would change, stack by stack (unchanged stacks are left out).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Diff {
    /// Stacks and products that change.
    pub stacks: Vec<StackDiff>,
    /// Old templates that could not be read (compared as if absent).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// How a stack, resource or section entry changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Deleted and created again: CloudFormation replaces it.
    Replaced,
    /// Deleted.
    Removed,
    /// Created.
    Added,
    /// Updated in place.
    Modified,
}

/// One stack or product template that changes.
#[derive(Clone, Debug, Serialize)]
pub struct StackDiff {
    /// CloudFormation stack name, or `product <name>` for a product template.
    pub stack: String,
    /// The file, relative to the output directory.
    pub file: String,
    /// Added, removed or modified.
    pub change: Change,
    /// Resources that change, replacements first.
    pub resources: Vec<ResourceChange>,
    /// IAM statements added and removed, one row per statement shape with its actions.
    pub iam: Vec<IamChange>,
    /// Managed policies attached or detached by ARN.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub managed_policies: Vec<PolicyAttachment>,
    /// Parameters, outputs, conditions, mappings and other sections.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<SectionChange>,
    /// Why the comparison is not what it seems (an old template that could not be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl StackDiff {
    /// True for a product template: launched from the catalog, never deployed as a stack, so
    /// its changes touch nothing running.
    pub fn is_product(&self) -> bool {
        self.file.starts_with("catalog/products/")
    }
}

/// One resource that changes.
#[derive(Clone, Debug, Serialize)]
pub struct ResourceChange {
    /// Logical id.
    pub logical_id: String,
    /// Resource type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// What happens to it.
    pub change: Change,
    /// Why it is replaced: the create-only properties that change.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replaced_because: Vec<Reason>,
    /// Property and attribute changes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<PropertyChange>,
    /// Removed resources: the stack of the same name that receives it, if it moves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moves_to: Option<String>,
    /// Its properties before (removed or replaced resources), to name what is lost.
    #[serde(skip)]
    pub old: Value,
    /// Its properties after (added resources), to recognise one that moved between stacks.
    #[serde(skip)]
    pub new: Value,
}

/// A create-only property that changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// Property path, `.`-separated.
    pub property: String,
    /// `always`, or `conditional` when the schema lists the property as conditionally
    /// create-only (replaced unless the service can update it in place).
    pub replacement: &'static str,
}

/// One property that changes.
#[derive(Clone, Debug, Serialize)]
pub struct PropertyChange {
    /// Path from the resource (`Properties.VpcId`, `DeletionPolicy`).
    pub path: String,
    /// The value before, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    /// The value after, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
    /// Set when this change replaces the resource.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replacement: Option<&'static str>,
    /// An IAM policy: its statements are listed under `iam`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub policy: bool,
}

/// IAM statements added or removed that share effect, resources, principal and condition.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct IamChange {
    /// Added or removed.
    pub change: Change,
    /// `Allow` or `Deny`.
    pub effect: String,
    /// The actions (`NOT x` for NotAction).
    pub actions: Vec<String>,
    /// The resources (`NOT x` for NotResource).
    pub resources: Vec<String>,
    /// Who holds it: `AWS:${Role}` for a role's policies, the statement's principal for trust
    /// and resource policies.
    pub principal: String,
    /// The condition, as compact JSON; `if <Condition>:` first for a statement that exists
    /// only when a template condition holds.
    pub condition: String,
}

/// A managed policy attached or detached by ARN.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PolicyAttachment {
    /// Added or removed.
    pub change: Change,
    /// Who it is attached to.
    pub principal: String,
    /// The policy ARN.
    pub policy: String,
}

/// An entry of a section other than Resources.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SectionChange {
    /// `Parameters`, `Outputs`, ...
    pub section: String,
    /// The entry's name (empty for a section that is one value, like Description).
    pub name: String,
    /// Added, removed or modified.
    pub change: Change,
}

impl Diff {
    /// True when nothing would change.
    pub fn is_empty(&self) -> bool {
        self.stacks.is_empty()
    }

    /// Counts of resource changes: (replaced, removed, added, modified).
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let mut c = (0, 0, 0, 0);
        for r in self.stacks.iter().flat_map(|s| &s.resources) {
            match r.change {
                Change::Replaced => c.0 += 1,
                Change::Removed => c.1 += 1,
                Change::Added => c.2 += 1,
                Change::Modified => c.3 += 1,
            }
        }
        c
    }
}

/// A template on the old side: where it is and its long-form tree.
struct Old {
    file: String,
    stack: String,
    sha256: String,
}

/// Compares what `synth` would write (`bundle`, rendered as `files`) with the output in `out`,
/// whose manifest is `on_disk`. The old side is what the files on disk hold, whatever the
/// manifest says; a file that differs from what the manifest recorded gets a note.
pub fn compute(out: &OutDir, on_disk: Option<&Manifest>, bundle: &Bundle, files: &[File]) -> Result<Diff, Error> {
    let mut diff = Diff::default();
    let mut old: BTreeMap<String, Old> = BTreeMap::new();
    for e in on_disk.iter().flat_map(|m| &m.files).filter(|e| matches!(e.kind, FileKind::Stack(_))) {
        let stem = stem(&e.path).to_owned();
        let stack = e.stack.clone().unwrap_or_else(|| format!("product {}", name_of(&e.path)));
        old.insert(stem, Old { file: e.path.clone(), stack, sha256: e.sha256.clone() });
    }
    let mut seen = BTreeSet::new();
    let mut per_stack = Vec::new();
    // `render` writes the stacks first, in bundle order.
    for (stack, written) in bundle.stacks.iter().zip(files) {
        let stem = stack.file_stem();
        let before = old.get(&stem);
        seen.insert(stem.clone());
        let file = written.path.clone();
        let bytes = match before {
            Some(b) => out.read(&b.file)?,
            None => None,
        };
        if before.is_some_and(|b| b.file == file) && bytes.as_deref() == Some(written.content.as_bytes()) {
            continue;
        }
        let name = if stack.kind == crate::estate::layout::StackKind::Product {
            format!("product {}", stack.name)
        } else {
            stack.name.clone()
        };
        let (old_json, note) = match before {
            Some(b) => read_old(b, bytes.as_deref(), &mut diff.notes),
            None => (None, None),
        };
        per_stack.push((name, file, old_json, Some(stack.json()), note));
    }
    for (stem, o) in &old {
        if !seen.contains(stem) {
            let bytes = out.read(&o.file)?;
            if bytes.is_none() {
                continue;
            }
            let (old_json, note) = read_old(o, bytes.as_deref(), &mut diff.notes);
            per_stack.push((o.stack.clone(), o.file.clone(), old_json, None, note));
        }
    }
    for (name, file, before, after, note) in per_stack {
        let change = match (&before, after) {
            (None, _) => Change::Added,
            (_, None) => Change::Removed,
            _ => Change::Modified,
        };
        let empty = Value::Object(Map::new());
        let mut s = compare(name, file, change, before.as_ref().unwrap_or(&empty), after.unwrap_or(&empty));
        s.note = note;
        if change != Change::Modified || !s.resources.is_empty() || !s.iam.is_empty() || !s.sections.is_empty() {
            diff.stacks.push(s);
        }
    }
    mark_moves(&mut diff);
    Ok(diff)
}

fn stem(path: &str) -> &str {
    path.rsplit_once('.').map_or(path, |(s, _)| s)
}

fn name_of(path: &str) -> &str {
    let stem = stem(path);
    stem.rsplit('/').next().unwrap_or(stem)
}

/// The template of `old` as it is on disk (`bytes`; `None` when the file is missing), and a
/// note for its stack when it is not what the manifest recorded or not a template at all: the
/// comparison then cannot tell what was deployed from it. Each problem is also a `notes` line.
fn read_old(old: &Old, bytes: Option<&[u8]>, notes: &mut Vec<String>) -> (Option<Value>, Option<String>) {
    let file = &old.file;
    let Some(bytes) = bytes else {
        notes.push(format!("{file}: listed in the manifest but missing on disk; compared as if it were new"));
        return (None, Some("missing on disk: compared as if new".into()));
    };
    let text = String::from_utf8_lossy(bytes);
    let mut note = None;
    if super::sha256(&text) != old.sha256 {
        notes.push(format!(
            "{file}: differs from what studioform last wrote (its sha256 in the manifest): edited by hand, restored on its own, or damaged"
        ));
        note = Some("changed on disk since studioform wrote it".to_owned());
    }
    let parsed = crate::yaml::parse(&text).map_err(|e| e.message).and_then(|root| {
        crate::validate::read::template(&root).map_err(|d| d.into_iter().map(|d| d.message).collect())
    });
    let why = match parsed {
        Ok(v) if v.get("Resources").is_some_and(Value::is_object) => return (Some(v), note),
        Ok(_) => "not a template (no Resources)".to_owned(),
        Err(e) => format!("not a readable template ({e})"),
    };
    notes.push(format!("{file}: {why}; compared as if it were new"));
    (None, Some("on disk but unreadable: compared as if new".into()))
}

/// A profile or domain removed from one stack and added to another under the same name:
/// CloudFormation still deletes it from the first stack before creating it in the second.
fn mark_moves(diff: &mut Diff) {
    // A profile is the same profile only in the same domain.
    let name = |r: &ResourceChange, props: &Value| -> Option<String> {
        match r.type_name.as_str() {
            "AWS::SageMaker::UserProfile" => {
                Some(format!("profile/{}/{}", show(props.get("DomainId")?), show(props.get("UserProfileName")?)))
            }
            "AWS::SageMaker::Domain" => Some(format!("domain/{}", show(props.get("DomainName")?))),
            _ => None,
        }
    };
    let added: HashMap<String, String> = diff
        .stacks
        .iter()
        .flat_map(|s| {
            s.resources
                .iter()
                .filter(|r| r.change == Change::Added)
                .filter_map(move |r| Some((name(r, &r.new)?, s.stack.clone())))
        })
        .collect();
    for s in &mut diff.stacks {
        for r in s.resources.iter_mut().filter(|r| r.change == Change::Removed) {
            if let Some(to) = name(r, &r.old).and_then(|n| added.get(&n))
                && *to != s.stack
            {
                r.moves_to = Some(to.clone());
            }
        }
    }
}

fn section<'a>(t: &'a Value, name: &str) -> Option<&'a Map<String, Value>> {
    t.get(name).and_then(Value::as_object)
}

fn compare(stack: String, file: String, change: Change, old: &Value, new: &Value) -> StackDiff {
    let empty = Map::new();
    let (a, b) = (section(old, "Resources").unwrap_or(&empty), section(new, "Resources").unwrap_or(&empty));
    let mut resources = Vec::new();
    for (id, o) in a {
        match b.get(id) {
            None => resources.push(resource_change(id, o, Change::Removed)),
            Some(n) if n != o => resources.extend(modified(id, o, n)),
            Some(_) => {}
        }
    }
    for (id, n) in b {
        if !a.contains_key(id) {
            resources.push(resource_change(id, n, Change::Added));
        }
    }
    resources.sort_by(|x, y| (x.change, &x.logical_id).cmp(&(y.change, &y.logical_id)));
    let (iam, managed_policies) = iam_changes(old, new);
    let mut sections = Vec::new();
    for name in ["Parameters", "Outputs", "Conditions", "Mappings", "Rules"] {
        let (a, b) = (section(old, name).unwrap_or(&empty), section(new, name).unwrap_or(&empty));
        for (k, v) in a {
            match b.get(k) {
                None => sections.push(SectionChange { section: name.into(), name: k.clone(), change: Change::Removed }),
                Some(w) if w != v => {
                    sections.push(SectionChange { section: name.into(), name: k.clone(), change: Change::Modified });
                }
                Some(_) => {}
            }
        }
        for k in b.keys().filter(|k| !a.contains_key(*k)) {
            sections.push(SectionChange { section: name.into(), name: k.clone(), change: Change::Added });
        }
    }
    for name in ["Description", "Metadata", "Transform", "AWSTemplateFormatVersion"] {
        if old.get(name) != new.get(name) && change == Change::Modified {
            let change = match (old.get(name), new.get(name)) {
                (None, _) => Change::Added,
                (_, None) => Change::Removed,
                _ => Change::Modified,
            };
            sections.push(SectionChange { section: name.into(), name: String::new(), change });
        }
    }
    StackDiff { stack, file, change, resources, iam, managed_policies, sections, note: None }
}

fn type_of(r: &Value) -> String {
    r.get("Type").and_then(Value::as_str).unwrap_or("?").to_owned()
}

fn resource_change(id: &str, r: &Value, change: Change) -> ResourceChange {
    ResourceChange {
        logical_id: id.to_owned(),
        type_name: type_of(r),
        change,
        replaced_because: Vec::new(),
        properties: Vec::new(),
        moves_to: None,
        old: if change == Change::Removed { r.get("Properties").cloned().unwrap_or(Value::Null) } else { Value::Null },
        new: if change == Change::Added { r.get("Properties").cloned().unwrap_or(Value::Null) } else { Value::Null },
    }
}

fn modified(id: &str, old: &Value, new: &Value) -> Option<ResourceChange> {
    let (t_old, t_new) = (type_of(old), type_of(new));
    let null = Value::Null;
    let (p_old, p_new) = (old.get("Properties").unwrap_or(&null), new.get("Properties").unwrap_or(&null));
    let mut properties = Vec::new();
    for attr in ["Condition", "DependsOn", "DeletionPolicy", "UpdateReplacePolicy", "Metadata", "UpdatePolicy"] {
        if old.get(attr) != new.get(attr) {
            properties.push(leaf(attr.to_owned(), old.get(attr), new.get(attr)));
        }
    }
    let mut props = Vec::new();
    changed_leaves("Properties", p_old, p_new, &mut props);
    let reasons = if t_old == t_new {
        replacement_reasons(&t_new, p_old, p_new)
    } else {
        vec![Reason { property: "Type".into(), replacement: "always" }]
    };
    for mut p in props {
        let rel = p.path.strip_prefix("Properties.").unwrap_or(&p.path).to_owned();
        p.replacement = reasons
            .iter()
            .find(|r| {
                rel == r.property
                    || rel.starts_with(&format!("{}.", r.property))
                    || rel.starts_with(&format!("{}[", r.property))
                    || r.property.starts_with(&format!("{rel}."))
            })
            .map(|r| r.replacement);
        properties.push(p);
    }
    if properties.is_empty() && reasons.is_empty() {
        return None;
    }
    Some(ResourceChange {
        logical_id: id.to_owned(),
        type_name: t_new,
        change: if reasons.is_empty() { Change::Modified } else { Change::Replaced },
        old: if reasons.is_empty() { Value::Null } else { p_old.clone() },
        replaced_because: reasons,
        properties,
        moves_to: None,
        new: Value::Null,
    })
}

fn leaf(path: String, old: Option<&Value>, new: Option<&Value>) -> PropertyChange {
    let last = path.rsplit('.').next().unwrap_or(&path);
    let policy = POLICY_PROPERTIES.contains(&last);
    PropertyChange { path, old: old.cloned(), new: new.cloned(), replacement: None, policy }
}

/// True for maps other than intrinsics: compared key by key, where an intrinsic is one value.
fn is_structure(v: &Value) -> bool {
    v.is_object() && crate::model::value::as_intrinsic(v).is_none()
}

fn changed_leaves(path: &str, old: &Value, new: &Value, out: &mut Vec<PropertyChange>) {
    if old == new {
        return;
    }
    let last = path.rsplit('.').next().unwrap_or(path);
    match (old, new) {
        (Value::Object(a), Value::Object(b))
            if is_structure(old) && is_structure(new) && !POLICY_PROPERTIES.contains(&last) =>
        {
            for (k, v) in a {
                changed_leaves(&format!("{path}.{k}"), v, b.get(k).unwrap_or(&Value::Null), out);
            }
            for (k, v) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
                changed_leaves(&format!("{path}.{k}"), &Value::Null, v, out);
            }
        }
        (Value::Array(a), Value::Array(b))
            if a.len() == b.len() && !POLICY_PROPERTIES.contains(&last) && a.iter().chain(b).any(is_structure) =>
        {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                changed_leaves(&format!("{path}[{i}]"), x, y, out);
            }
        }
        (Value::Array(a), Value::Array(b)) if !POLICY_PROPERTIES.contains(&last) => {
            // Items come and go: list those that left and those that arrived.
            for (i, x) in a.iter().enumerate().filter(|(_, x)| !b.contains(x)) {
                out.push(leaf(format!("{path}[{i}]"), Some(x), None));
            }
            for (i, y) in b.iter().enumerate().filter(|(_, y)| !a.contains(y)) {
                out.push(leaf(format!("{path}[{i}]"), None, Some(y)));
            }
        }
        _ => out.push(leaf(path.to_owned(), Some(old).filter(|v| !v.is_null()), Some(new).filter(|v| !v.is_null()))),
    }
}

/// The create-only pointers of a type: (pointer, `always` or `conditional`).
fn create_only(type_name: &str) -> Vec<(String, &'static str)> {
    static OVERLAY: std::sync::OnceLock<HashMap<String, Vec<String>>> = std::sync::OnceLock::new();
    let overlay = OVERLAY.get_or_init(|| {
        let v: Value = serde_json::from_str(REPLACEMENT_OVERLAY).unwrap_or_default();
        v.get("createOnlyProperties")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(t, list)| {
                        let list =
                            list.as_array().map(|a| a.iter().filter_map(|p| p.as_str().map(str::to_owned)).collect());
                        (t.clone(), list.unwrap_or_default())
                    })
                    .collect()
            })
            .unwrap_or_default()
    });
    // The overlay comes first: it settles properties the schema calls conditional.
    let mut out: Vec<(String, &'static str)> =
        overlay.get(type_name).into_iter().flatten().map(|p| (p.clone(), "always")).collect();
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|p| p.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    if let Some(schema) = crate::validate::data::schema(type_name) {
        let listed = strings(schema.get("createOnlyProperties"))
            .into_iter()
            .map(|p| (p, "always"))
            .chain(strings(schema.get("conditionalCreateOnlyProperties")).into_iter().map(|p| (p, "conditional")));
        for (p, kind) in listed {
            if !out.iter().any(|(q, _)| *q == p) {
                out.push((p, kind));
            }
        }
    }
    out
}

fn replacement_reasons(type_name: &str, old: &Value, new: &Value) -> Vec<Reason> {
    let mut out: Vec<Reason> = Vec::new();
    for (pointer, replacement) in create_only(type_name) {
        // `/properties/A/B`; a `*` (any list item) compares the whole list.
        let segments: Vec<&str> =
            pointer.trim_start_matches("/properties/").split('/').take_while(|s| *s != "*").collect();
        let at = |v: &Value| segments.iter().try_fold(v, |v, s| v.get(*s)).cloned();
        if at(old) != at(new) {
            let property = segments.join(".");
            if !out.iter().any(|r| r.property == property) {
                out.push(Reason { property, replacement });
            }
        }
    }
    out
}

/// One IAM grant: a statement exploded to one action.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Grant {
    effect: String,
    resources: Vec<String>,
    principal: String,
    condition: String,
    action: String,
}

fn iam_changes(old: &Value, new: &Value) -> (Vec<IamChange>, Vec<PolicyAttachment>) {
    let (g_old, p_old) = grants(old);
    let (g_new, p_new) = grants(new);
    // (change, effect, resources, principal, condition) → actions.
    type Shape = (Change, String, Vec<String>, String, String);
    let mut groups: BTreeMap<Shape, Vec<String>> = BTreeMap::new();
    for (change, from, to) in [(Change::Added, &g_new, &g_old), (Change::Removed, &g_old, &g_new)] {
        for g in from.difference(to) {
            groups
                .entry((change, g.effect.clone(), g.resources.clone(), g.principal.clone(), g.condition.clone()))
                .or_default()
                .push(g.action.clone());
        }
    }
    // New permissions first: they are what a reviewer must read.
    let (added, removed): (Vec<_>, Vec<_>) = groups.into_iter().partition(|((c, ..), _)| *c == Change::Added);
    let iam = added
        .into_iter()
        .chain(removed)
        .map(|((change, effect, resources, principal, condition), actions)| IamChange {
            change,
            effect,
            actions,
            resources,
            principal,
            condition,
        })
        .collect();
    let mut policies: Vec<PolicyAttachment> = p_new
        .difference(&p_old)
        .map(|(principal, policy)| PolicyAttachment {
            change: Change::Added,
            principal: principal.clone(),
            policy: policy.clone(),
        })
        .chain(p_old.difference(&p_new).map(|(principal, policy)| PolicyAttachment {
            change: Change::Removed,
            principal: principal.clone(),
            policy: policy.clone(),
        }))
        .collect();
    policies.sort();
    (iam, policies)
}

/// Every IAM grant of a template, and every managed policy attached by ARN.
fn grants(t: &Value) -> (BTreeSet<Grant>, BTreeSet<(String, String)>) {
    let mut out = BTreeSet::new();
    let mut attached = BTreeSet::new();
    let empty = Map::new();
    let resources = section(t, "Resources").unwrap_or(&empty);
    // Who each in-template managed policy is attached to.
    let mut holders: HashMap<&str, Vec<String>> = HashMap::new();
    let null = Value::Null;
    for (id, r) in resources {
        let props = r.get("Properties").unwrap_or(&null);
        let kind = match r.get("Type").and_then(Value::as_str) {
            Some("AWS::IAM::Role") => "AWS",
            Some("AWS::IAM::Group") => "Group",
            Some("AWS::IAM::User") => "User",
            _ => continue,
        };
        for arn in props.get("ManagedPolicyArns").and_then(Value::as_array).into_iter().flatten() {
            match arn.get("Ref").and_then(Value::as_str).filter(|r| resources.contains_key(*r)) {
                Some(policy) => holders.entry(policy).or_default().push(format!("{kind}:${{{id}}}")),
                None => {
                    attached.insert((format!("{kind}:${{{id}}}"), show(arn)));
                }
            }
        }
    }
    for (id, r) in resources {
        let props = r.get("Properties").unwrap_or(&null);
        match r.get("Type").and_then(Value::as_str) {
            Some("AWS::IAM::Role") => {
                let me = format!("AWS:${{{id}}}");
                statements(props.get("AssumeRolePolicyDocument"), None, &format!("${{{id}.Arn}}"), &mut out);
                for p in props.get("Policies").and_then(Value::as_array).into_iter().flatten() {
                    statements(p.get("PolicyDocument"), Some(&me), "", &mut out);
                }
            }
            Some("AWS::IAM::Group" | "AWS::IAM::User") => {
                let kind = if r["Type"] == "AWS::IAM::Group" { "Group" } else { "User" };
                let me = format!("{kind}:${{{id}}}");
                for p in props.get("Policies").and_then(Value::as_array).into_iter().flatten() {
                    statements(p.get("PolicyDocument"), Some(&me), "", &mut out);
                }
            }
            Some("AWS::IAM::ManagedPolicy" | "AWS::IAM::Policy") => {
                let mut who: Vec<String> = holders.get(id.as_str()).cloned().unwrap_or_default();
                for (key, kind) in [("Roles", "AWS"), ("Groups", "Group"), ("Users", "User")] {
                    for v in props.get(key).and_then(Value::as_array).into_iter().flatten() {
                        let name = match v.get("Ref").and_then(Value::as_str) {
                            Some(r) if resources.contains_key(r) => format!("${{{r}}}"),
                            _ => show(v),
                        };
                        who.push(format!("{kind}:{name}"));
                    }
                }
                if who.is_empty() {
                    who.push(format!("(policy ${{{id}}})"));
                }
                who.sort();
                who.dedup();
                for w in &who {
                    statements(props.get("PolicyDocument"), Some(w), "", &mut out);
                }
            }
            Some("AWS::SSO::PermissionSet") => {
                let me = format!("SSO:${{{id}}}");
                let doc = match props.get("InlinePolicy") {
                    Some(Value::String(s)) => serde_json::from_str(s).ok(),
                    other => other.cloned(),
                };
                statements(doc.as_ref(), Some(&me), "", &mut out);
                for arn in props.get("ManagedPolicies").and_then(Value::as_array).into_iter().flatten() {
                    attached.insert((me.clone(), show(arn)));
                }
            }
            Some(t) if t.ends_with("Policy") && props.get("PolicyDocument").is_some() => {
                // Resource policies (S3 bucket, SQS queue, ...): the statements name principals.
                statements(props.get("PolicyDocument"), None, "", &mut out);
            }
            _ => {}
        }
    }
    (out, attached)
}

/// Explodes a policy document's statements into grants. `holder` is the identity holding an
/// identity policy (None for trust and resource policies, whose statements name principals);
/// `default_resource` stands where a statement names no resource (a trust policy's role).
fn statements(doc: Option<&Value>, holder: Option<&str>, default_resource: &str, out: &mut BTreeSet<Grant>) {
    let Some(doc) = doc else { return };
    let list: Vec<&Value> = match doc.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
        None => return,
    };
    for s in list {
        statement(s, holder, default_resource, "", out);
    }
}

fn statement(s: &Value, holder: Option<&str>, default_resource: &str, guard: &str, out: &mut BTreeSet<Grant>) {
    if let Some(Value::Array(args)) = s.get("Fn::If") {
        let cond = args.first().and_then(Value::as_str).unwrap_or("?");
        for (branch, label) in [(args.get(1), format!("if {cond}")), (args.get(2), format!("unless {cond}"))] {
            if let Some(b) = branch.filter(|b| b.get("Ref") != Some(&Value::from("AWS::NoValue"))) {
                let guard = if guard.is_empty() { label } else { format!("{guard}, {label}") };
                statement(b, holder, default_resource, &guard, out);
            }
        }
        return;
    }
    let list = |v: Option<&Value>| -> Vec<String> {
        match v {
            Some(Value::Array(a)) => a.iter().map(show).collect(),
            Some(v) => vec![show(v)],
            None => Vec::new(),
        }
    };
    let effect = s.get("Effect").map(show).unwrap_or_default();
    let mut actions = list(s.get("Action"));
    actions.extend(list(s.get("NotAction")).into_iter().map(|a| format!("NOT {a}")));
    let mut resources = list(s.get("Resource"));
    resources.extend(list(s.get("NotResource")).into_iter().map(|r| format!("NOT {r}")));
    if resources.is_empty() && !default_resource.is_empty() {
        resources.push(default_resource.to_owned());
    }
    resources.sort();
    let principal = match holder {
        Some(h) => h.to_owned(),
        None => principal(s),
    };
    let mut condition = s.get("Condition").map(|c| display(c).to_string()).unwrap_or_default();
    if !guard.is_empty() {
        condition = if condition.is_empty() { format!("{guard}:") } else { format!("{guard}: {condition}") };
    }
    for action in actions {
        out.insert(Grant {
            effect: effect.clone(),
            resources: resources.clone(),
            principal: principal.clone(),
            condition: condition.clone(),
            action,
        });
    }
}

fn principal(s: &Value) -> String {
    let (value, not) = match (s.get("Principal"), s.get("NotPrincipal")) {
        (Some(p), _) => (p, ""),
        (None, Some(p)) => (p, "NOT "),
        (None, None) => return String::new(),
    };
    match value {
        Value::Object(m) => {
            let mut parts = Vec::new();
            for (kind, v) in m {
                match v {
                    Value::Array(a) => parts.extend(a.iter().map(|x| format!("{not}{kind}:{}", show(x)))),
                    v => parts.push(format!("{not}{kind}:{}", show(v))),
                }
            }
            parts.join("\n")
        }
        v => format!("{not}{}", show(v)),
    }
}

/// A value as one readable string: intrinsics become `${Name}`, `${Name.Attr}`, the `!Sub`
/// string, `${Import:name}`.
pub fn show(v: &Value) -> String {
    match display(v) {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

/// Replaces intrinsics by readable strings, recursively.
fn display(v: &Value) -> Value {
    match v {
        Value::Object(m) if m.len() == 1 => {
            let (k, arg) = m.iter().next().map(|(k, a)| (k.as_str(), a)).unwrap_or(("", v));
            let s = match (k, arg) {
                ("Ref", Value::String(r)) => format!("${{{r}}}"),
                ("Fn::GetAtt", Value::Array(a)) => {
                    format!("${{{}}}", a.iter().map(show).collect::<Vec<_>>().join("."))
                }
                ("Fn::GetAtt", Value::String(s)) => format!("${{{s}}}"),
                ("Fn::Sub", Value::String(s)) => s.clone(),
                ("Fn::Sub", Value::Array(a)) => {
                    // Variables in place, so that a change of what they stand for shows.
                    let mut text = a.first().map(show).unwrap_or_default();
                    for (name, value) in a.get(1).and_then(Value::as_object).into_iter().flatten() {
                        text = text.replace(&format!("${{{name}}}"), &show(value));
                    }
                    text
                }
                ("Fn::ImportValue", a) => format!("${{Import:{}}}", show(a)),
                ("Fn::Join", Value::Array(a)) => {
                    let sep = a.first().and_then(Value::as_str).unwrap_or("");
                    match a.get(1) {
                        Some(Value::Array(items)) => items.iter().map(show).collect::<Vec<_>>().join(sep),
                        Some(other) => show(other),
                        None => String::new(),
                    }
                }
                ("Fn::If", Value::Array(a)) => format!(
                    "${{If:{} ? {} : {}}}",
                    a.first().map(show).unwrap_or_default(),
                    a.get(1).map(show).unwrap_or_default(),
                    a.get(2).map(show).unwrap_or_default()
                ),
                ("Fn::FindInMap", Value::Array(a)) => {
                    format!("${{Map:{}}}", a.iter().map(show).collect::<Vec<_>>().join("."))
                }
                _ => return Value::Object(m.iter().map(|(k, v)| (k.clone(), display(v))).collect()),
            };
            Value::String(s)
        }
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), display(v))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(display).collect()),
        other => other.clone(),
    }
}

/// What a stateful resource is, for people: `user profile `alice``, `domain `research``.
fn label(r: &ResourceChange) -> String {
    let prop = |k: &str| r.old.get(k).map(show);
    match r.type_name.as_str() {
        "AWS::SageMaker::UserProfile" => {
            format!("user profile `{}`", prop("UserProfileName").unwrap_or_else(|| r.logical_id.clone()))
        }
        "AWS::SageMaker::Domain" => format!("domain `{}`", prop("DomainName").unwrap_or_else(|| r.logical_id.clone())),
        other => format!("{other} `{}`", r.logical_id),
    }
}

/// The safety gate: one error per domain or user profile the change would delete or replace,
/// located at the org-file setting responsible where there is one. `bundle` and `org` are what
/// `synth` is about to write.
///
/// What `approval` covers comes back as warnings that say what happens to the people
/// concerned; the rest as errors naming the scoped approval that would let it through. The
/// scopes of `approval` that match no change come back too.
pub fn destructive(
    diff: &Diff,
    bundle: &Bundle,
    org: &crate::config::Org,
    approval: &Approval,
) -> (Vec<Diagnostic>, Vec<String>) {
    let mut out = Vec::new();
    let mut approved = Vec::new();
    let mut matched = BTreeSet::new();
    // Someone no longer in the file was somewhere under `users:` (a domain, `domains:`): the
    // finding points at that key, not at whoever comes first in the list.
    let at_key = |d: Diagnostic| {
        let whole_list = d.path().is_some_and(|p| matches!(p.0.as_slice(), [crate::path::Segment::Key(_)]));
        if whole_list { d.on_key() } else { d }
    };
    // Product templates are launched, not deployed: a launched product stays what it was when
    // its template changes or leaves the catalog.
    for s in diff.stacks.iter().filter(|s| !s.is_product()) {
        for r in s.resources.iter().filter(|r| STATEFUL.contains(&r.type_name.as_str())) {
            let what = label(r);
            let profile = r.type_name == "AWS::SageMaker::UserProfile";
            let name = r.old.get(if profile { "UserProfileName" } else { "DomainName" }).map(show).unwrap_or_default();
            let scope = format!("{}:{name}", if profile { "user" } else { "domain" });
            let (message, at, help) = match r.change {
                Change::Removed => removed(r, &s.stack, org, &name),
                Change::Replaced => {
                    let changes: Vec<String> = r
                        .replaced_because
                        .iter()
                        .map(|p| {
                            let prefix = format!("Properties.{}", p.property);
                            let change = r.properties.iter().find(|c| {
                                c.path == prefix
                                    || c.path.starts_with(&format!("{prefix}."))
                                    || c.path.starts_with(&format!("{prefix}["))
                            });
                            match change {
                                Some(c) => format!(
                                    "`{}` changes from {} to {}",
                                    c.path.strip_prefix("Properties.").unwrap_or(&c.path),
                                    c.old.as_ref().map_or("(unset)".into(), |v| format!("`{}`", show(v))),
                                    c.new.as_ref().map_or("(unset)".into(), |v| format!("`{}`", show(v)))
                                ),
                                None => format!("`{}` changes", p.property),
                            }
                        })
                        .collect();
                    // The first changed property that forces the replacement names the setting.
                    let property = r
                        .properties
                        .iter()
                        .find(|c| c.replacement.is_some())
                        .map_or("", |c| c.path.strip_prefix("Properties.").unwrap_or(&c.path));
                    let stack = bundle.stacks.iter().find(|b| b.file_stem() == stem(&s.file));
                    let at =
                        stack.and_then(|b| b.origin_of_property(&r.logical_id, property)).unwrap_or_else(OrgPath::root);
                    let org_wide =
                        at.0.first().is_some_and(|s| matches!(s, crate::path::Segment::Key(k) if k == "network"));
                    let help = if profile {
                        "CloudFormation cannot replace a user profile in one update: the new profile has the same name as the old one in the same domain. Undo this change; to change it anyway, remove the person (with --allow-replace), deploy, delete the retained profile with `aws sagemaker delete-user-profile`, then add them back"
                    } else if org_wide {
                        "the network is every domain's: a domain cannot move to another VPC in place, so every domain would be replaced by a new, empty one with a new id (people's home directories stay on the old domains' file systems). Undo this change; to move Studio anyway, copy what people need out of their home directories, then synth with --allow-replace and deploy the domain stacks first"
                    } else {
                        "a replaced domain is a new, empty domain with a new id, and stacks that import the old id block the update. Undo this change; to move people to new settings, add a domain under a new name, move teams to it, then remove the old one (with --allow-replace)"
                    };
                    (
                        format!(
                            "{what} in stack `{}` would be replaced: {}, which CloudFormation cannot change in place",
                            s.stack,
                            changes.join(", ")
                        ),
                        at,
                        help.to_owned(),
                    )
                }
                Change::Added | Change::Modified => continue,
            };
            // A profile replaced in the same domain keeps its name: CloudFormation creates the
            // new one first, and that fails.
            let in_place =
                profile && r.change == Change::Replaced && !r.replaced_because.iter().any(|b| b.property == "DomainId");
            if approval.covers(&scope) {
                matched.insert(scope.clone());
                let consequence = if in_place {
                    "approved by --allow-replace, but this deploy will fail and roll back: CloudFormation creates the replacement before it deletes the old profile, and both have the same name in the same domain. Remove the person instead (with --allow-replace), deploy, delete the retained profile with `aws sagemaker delete-user-profile` once their files are saved, then add them back"
                } else if profile {
                    "approved by --allow-replace: the profile stays in the account with its home directory (DeletionPolicy Retain), unmanaged; while it exists, the person can still open it if they can still sign in, so end their sign-in (IAM user, SAML or Identity Center assignment) to end their access, and delete the profile with `aws sagemaker delete-user-profile` once their files are saved"
                } else {
                    "approved by --allow-replace: the old domain stays in the account with its people's home directories (DeletionPolicy Retain), unmanaged; delete it with `aws sagemaker delete-domain` once their files are saved"
                };
                approved.push(at_key(Diagnostic::warning("CFG050", at, message).help(consequence)));
            } else {
                let help = format!("{help}. To approve this change alone: --allow-replace {scope}");
                out.push(at_key(Diagnostic::error("CFG050", at, message).help(help)));
            }
        }
    }
    // A team moved to another domain takes all its people with it: name a few, count the rest.
    let shorten = |list: &mut Vec<Diagnostic>, verb: &str| {
        if list.len() > SHOWN {
            let more = list.len() - SHOWN;
            let severity = list[0].severity;
            list.truncate(SHOWN);
            list.push(Diagnostic {
                severity,
                ..Diagnostic::error(
                    "CFG050",
                    OrgPath::root(),
                    format!("and {more} more domains or user profiles {verb}"),
                )
                .help("`studioform diff` lists every change")
            });
        }
    };
    shorten(&mut out, "would be deleted or replaced");
    shorten(&mut approved, "are deleted or replaced, as approved");
    out.extend(approved);
    let unmatched = approval.scopes.iter().filter(|s| !matched.contains(*s)).cloned().collect();
    (out, unmatched)
}

/// The finding for a domain or user profile that leaves its stack (named `name`): its
/// message, the org-file setting responsible, and the help.
fn removed(r: &ResourceChange, stack: &str, org: &crate::config::Org, name: &str) -> (String, OrgPath, String) {
    let what = label(r);
    let profile = r.type_name == "AWS::SageMaker::UserProfile";
    let user = org.users.iter().position(|u| u.name == name);
    if profile && user.is_none() {
        // The same person, by the id the profile is tagged with, under a new name.
        let id = r.old.get("Tags").and_then(Value::as_array).and_then(|tags| {
            let tag = tags.iter().find(|t| t.get("Key").map(show).as_deref() == Some(&org.identity.user_tag))?;
            tag.get("Value").map(show)
        });
        if let Some((i, id)) = id.and_then(|id| Some((org.users.iter().position(|u| u.id == id)?, id))) {
            let new = &org.users[i].name;
            return (
                format!(
                    "{what} would be deleted from stack `{stack}`: the person with id `{id}` is now named `{new}`, and a profile's name cannot change, so `{new}` would get a new, empty profile"
                ),
                OrgPath::root().key("users").index(i).key("name"),
                format!(
                    "a user profile's name is create-only. To keep their profile and home directory, add `previous_name: {name}` to the person: the profile keeps its name; or approve the new profile: the old one stays in the account with its home directory, unmanaged"
                ),
            );
        }
    }
    let why = match (&r.moves_to, user) {
        (Some(to), _) => format!("it would move to stack `{to}`, and CloudFormation deletes it from `{stack}` first"),
        (None, Some(_)) if profile => {
            "the person's team is now in another domain, where they get a new, empty profile".to_owned()
        }
        _ => "it is no longer in the org file".to_owned(),
    };
    let at = match user {
        Some(i) if profile => OrgPath::root().key("users").index(i).key("team"),
        _ => OrgPath::root().key(if profile { "users" } else { "domains" }),
    };
    let help = if profile {
        "undo this change, or approve it if you mean it: the profile leaves its stack and, with DeletionPolicy Retain, stays in the account with its home directory, unmanaged (delete it with `aws sagemaker delete-user-profile` when no longer needed)"
    } else {
        "undo this change, or approve it if you mean it: the domain leaves its stack and, with DeletionPolicy Retain, stays in the account with its people's home directories, unmanaged"
    };
    (format!("{what} would be deleted from stack `{stack}`: {why}"), at, help.to_owned())
}

/// What `synth --allow-replace` approves: every deletion and replacement, or those of the
/// named user profiles and domains only (`user:<name>`, `domain:<name>`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Approval {
    /// Everything (`--allow-replace` alone).
    pub all: bool,
    /// `user:<name>` and `domain:<name>`.
    pub scopes: Vec<String>,
}

impl Approval {
    /// Reads the values of `--allow-replace`: none (the flag alone) approves everything.
    pub fn parse(values: &[String]) -> Result<Self, String> {
        let mut approval = Self::default();
        for v in values {
            match v.split_once(':') {
                _ if v.is_empty() || v == "all" => approval.all = true,
                Some(("user" | "domain", name)) if !name.is_empty() => approval.scopes.push(v.clone()),
                _ => {
                    return Err(format!(
                        "--allow-replace takes `user:<name>` or `domain:<name>` (or nothing, to approve every change), not `{v}`"
                    ));
                }
            }
        }
        Ok(approval)
    }

    /// True when the change of `scope` (`user:<name>`, `domain:<name>`) is approved.
    pub fn covers(&self, scope: &str) -> bool {
        self.all || self.scopes.iter().any(|s| s == scope)
    }
}

/// How many deletions or replacements the gate names one by one.
const SHOWN: usize = 10;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn template(resources: Value) -> Value {
        json!({"Resources": resources})
    }

    #[test]
    fn create_only_properties_come_from_the_schema_and_the_overlay() {
        let old = json!({"DomainName": "a", "VpcId": "vpc-1", "SubnetIds": ["s-1"], "Tags": []});
        let subnets = json!({"DomainName": "a", "VpcId": "vpc-1", "SubnetIds": ["s-2"], "Tags": []});
        assert!(replacement_reasons("AWS::SageMaker::Domain", &old, &subnets).is_empty(), "subnets update in place");
        let vpc = json!({"DomainName": "a", "VpcId": "vpc-2", "SubnetIds": ["s-1"], "Tags": []});
        assert_eq!(
            replacement_reasons("AWS::SageMaker::Domain", &old, &vpc),
            [Reason { property: "VpcId".into(), replacement: "always" }]
        );
        let tags = json!({"UserProfileName": "a", "Tags": [{"Key": "userId", "Value": "b"}]});
        assert_eq!(
            replacement_reasons("AWS::SageMaker::UserProfile", &json!({"UserProfileName": "a"}), &tags)[0].property,
            "Tags"
        );
        assert!(replacement_reasons("AWS::Unknown::Thing", &old, &vpc).is_empty(), "unknown types update in place");
    }

    #[test]
    fn grants_name_the_role_that_holds_them_and_the_principal_that_assumes_it() {
        let t = template(json!({
            "Role": {"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
                "ManagedPolicyArns": [{"Ref": "Policy"}, "arn:aws:iam::aws:policy/ReadOnlyAccess"]
            }},
            "Policy": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"},
                {"Fn::If": ["HasBuckets", {"Effect": "Deny", "Action": "s3:*", "NotResource": ["arn:aws:s3:::b"]}, {"Ref": "AWS::NoValue"}]}
            ]}}}
        }));
        let (grants, attached) = grants(&t);
        let rows: BTreeSet<(String, String, String, String)> =
            grants.into_iter().map(|g| (g.action, g.principal, g.resources.join(","), g.condition)).collect();
        assert_eq!(
            rows,
            [
                (
                    "sts:AssumeRole".into(),
                    "Service:sagemaker.amazonaws.com".into(),
                    "${Role.Arn}".into(),
                    String::new()
                ),
                ("s3:GetObject".into(), "AWS:${Role}".into(), "*".into(), String::new()),
                ("s3:*".into(), "AWS:${Role}".into(), "NOT arn:aws:s3:::b".into(), "if HasBuckets:".into()),
            ]
            .into_iter()
            .collect::<BTreeSet<_>>()
        );
        assert_eq!(
            attached.into_iter().collect::<Vec<_>>(),
            [("AWS:${Role}".into(), "arn:aws:iam::aws:policy/ReadOnlyAccess".into())]
        );
    }

    #[test]
    fn list_items_that_come_and_go_are_listed_by_value() {
        let mut out = Vec::new();
        changed_leaves("Properties.Arns", &json!(["a", "b", "c"]), &json!(["a", "c", "d"]), &mut out);
        let shown: Vec<(String, Option<Value>, Option<Value>)> =
            out.into_iter().map(|p| (p.path, p.old, p.new)).collect();
        assert_eq!(
            shown,
            [
                ("Properties.Arns[1]".into(), Some(json!("b")), None),
                ("Properties.Arns[2]".into(), None, Some(json!("d")))
            ]
        );
    }
}
