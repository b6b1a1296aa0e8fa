//! A CloudFormation template: parameters, conditions, resources and outputs, serialized in
//! the section order CloudFormation documents.
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-anatomy.html>

use std::collections::BTreeSet;

use indexmap::IndexMap;
use serde::Serialize;

use super::value::Value;
use crate::path::Path;

/// The only template format version CloudFormation has.
pub const FORMAT_VERSION: &str = "2010-09-09";

/// A resource type with typed properties.
pub trait ResourceType: Serialize {
    /// The CloudFormation type name, such as `AWS::SageMaker::Domain`.
    const TYPE: &'static str;
}

/// `DeletionPolicy` / `UpdateReplacePolicy` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Policy {
    /// Keep the physical resource when CloudFormation drops it.
    Retain,
    /// Delete it.
    Delete,
    /// Snapshot, then delete.
    Snapshot,
}

/// A resource: its type, properties (already in long form) and attributes.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Resource {
    /// Type name.
    #[serde(rename = "Type")]
    pub kind: &'static str,
    /// Condition that decides whether it is created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// Explicit dependencies, sorted so output is deterministic.
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub depends_on: BTreeSet<String>,
    /// What happens when the resource leaves the template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_policy: Option<Policy>,
    /// What happens to the old resource when an update replaces it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_replace_policy: Option<Policy>,
    /// Metadata.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Value>,
    /// Properties, in long form.
    pub properties: serde_json::Value,
    /// Where in the org file this resource comes from (not serialized).
    #[serde(skip)]
    pub origin: Path,
    /// Org-file settings that particular properties come from, where they are not `origin`:
    /// property path (`VpcId`, `Tags[0].Key`) and setting (not serialized). A static table,
    /// so that estates of many thousand profiles pay nothing for it.
    #[serde(skip)]
    pub settings: &'static [(&'static str, Setting)],
}

/// Where in the org file a property's value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    /// An org-wide setting, by its keys (`["network", "vpc_id"]`).
    Org(&'static [&'static str]),
    /// A key of the resource's own org-file entry (`id` of `users[3]`).
    Own(&'static str),
}

impl Resource {
    /// A resource from typed properties, originating at `origin` in the org file.
    pub fn new<T: ResourceType>(properties: &T, origin: Path) -> Self {
        Self {
            kind: T::TYPE,
            condition: None,
            depends_on: BTreeSet::new(),
            deletion_policy: None,
            update_replace_policy: None,
            metadata: None,
            properties: serde_json::to_value(properties).unwrap_or_default(),
            origin,
            settings: &[],
        }
    }

    /// The same resource, noting which org-file setting some properties (paths below
    /// Properties) come from.
    pub fn settings(mut self, settings: &'static [(&'static str, Setting)]) -> Self {
        self.settings = settings;
        self
    }

    /// The org-file setting `property` (a path below Properties, such as `Tags[0].Value`)
    /// comes from: the most specific one noted, or the resource's origin.
    pub fn origin_of(&self, property: &str) -> Path {
        let covers =
            |p: &str| property == p || property.strip_prefix(p).is_some_and(|rest| rest.starts_with(['.', '[']));
        match self.settings.iter().filter(|(p, _)| covers(p)).max_by_key(|(p, _)| p.len()) {
            Some((_, Setting::Org(keys))) => keys.iter().fold(Path::root(), |at, k| at.key(k)),
            Some((_, Setting::Own(key))) => self.origin.key(key),
            None => self.origin.clone(),
        }
    }

    /// The same resource with `DeletionPolicy` and `UpdateReplacePolicy` `Retain`: for
    /// resources that hold people's data.
    pub fn retained(mut self) -> Self {
        self.deletion_policy = Some(Policy::Retain);
        self.update_replace_policy = Some(Policy::Retain);
        self
    }
}

/// A template parameter.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Parameter {
    /// Parameter type (`String`, `AWS::EC2::VPC::Id`, `List<AWS::EC2::Subnet::Id>`...).
    #[serde(rename = "Type")]
    pub kind: String,
    /// Shown on launch forms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Default value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// The values allowed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed_values: Vec<String>,
    /// Regular expression the value must match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_pattern: Option<String>,
    /// Shortest value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// Longest value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Shown when the value breaks a constraint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constraint_description: Option<String>,
}

/// A template output.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    /// What the output is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its value.
    pub value: Value,
    /// Export, for other stacks to import.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export: Option<Export>,
}

/// An output's export.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Export {
    /// Export name, unique in an account and region.
    pub name: Value,
}

/// A whole template.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Template {
    /// Always [`FORMAT_VERSION`].
    #[serde(rename = "AWSTemplateFormatVersion")]
    pub format_version: &'static str,
    /// What the stack is.
    pub description: String,
    /// Template metadata (launch-form interface and the like).
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub metadata: IndexMap<String, serde_json::Value>,
    /// Parameters.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub parameters: IndexMap<String, Parameter>,
    /// Mappings: map name → top-level key → second-level key → value.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub mappings: IndexMap<String, IndexMap<String, IndexMap<String, Value>>>,
    /// Conditions.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub conditions: IndexMap<String, Value>,
    /// Resources, in insertion order.
    pub resources: IndexMap<String, Resource>,
    /// Outputs.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub outputs: IndexMap<String, Output>,
}

impl Template {
    /// An empty template with a description.
    pub fn new(description: impl Into<String>) -> Self {
        Self { format_version: FORMAT_VERSION, description: description.into(), ..Self::default() }
    }

    /// Adds a resource under `id`.
    pub fn add(&mut self, id: impl Into<String>, resource: Resource) {
        self.resources.insert(id.into(), resource);
    }

    /// Adds an output, exported as `export` when given.
    pub fn output(&mut self, id: &str, description: &str, value: Value, export: Option<String>) {
        self.outputs.insert(
            id.to_owned(),
            Output {
                description: Some(description.to_owned()),
                value,
                export: export.map(|name| Export { name: Value::Str(name) }),
            },
        );
    }

    /// The whole template as one long-form JSON tree. Built by hand rather than through
    /// `Serialize`: resource properties are already JSON, and cloning them is several times
    /// faster than serializing them again, which matters for stacks of hundreds of profiles.
    pub fn to_json(&self) -> serde_json::Value {
        self.json_with(|r| r.properties.clone())
    }

    /// The template as long-form JSON, moving the resources' properties out of the model
    /// rather than copying them; origins and everything else stay. For templates that are
    /// only read from then on.
    pub fn take_json(&mut self) -> serde_json::Value {
        let mut moved: std::collections::VecDeque<serde_json::Value> =
            self.resources.values_mut().map(|r| std::mem::take(&mut r.properties)).collect();
        self.json_with(|_| moved.pop_front().unwrap_or_default())
    }

    /// Builds the JSON tree, taking each resource's properties (in order) from `properties`.
    fn json_with(&self, mut properties: impl FnMut(&Resource) -> serde_json::Value) -> serde_json::Value {
        use serde_json::{Map, Value as J};
        let section = |v: serde_json::Result<J>| v.unwrap_or_default();
        let mut top = Map::new();
        top.insert("AWSTemplateFormatVersion".into(), J::from(self.format_version));
        top.insert("Description".into(), J::from(self.description.as_str()));
        if !self.metadata.is_empty() {
            top.insert("Metadata".into(), section(serde_json::to_value(&self.metadata)));
        }
        if !self.parameters.is_empty() {
            top.insert("Parameters".into(), section(serde_json::to_value(&self.parameters)));
        }
        if !self.mappings.is_empty() {
            top.insert("Mappings".into(), section(serde_json::to_value(&self.mappings)));
        }
        if !self.conditions.is_empty() {
            top.insert("Conditions".into(), section(serde_json::to_value(&self.conditions)));
        }
        let mut resources = Map::with_capacity(self.resources.len());
        for (id, r) in &self.resources {
            let mut m = Map::new();
            m.insert("Type".into(), J::from(r.kind));
            if let Some(c) = &r.condition {
                m.insert("Condition".into(), J::from(c.as_str()));
            }
            if !r.depends_on.is_empty() {
                m.insert("DependsOn".into(), J::Array(r.depends_on.iter().map(|d| J::from(d.as_str())).collect()));
            }
            for (key, policy) in
                [("DeletionPolicy", r.deletion_policy), ("UpdateReplacePolicy", r.update_replace_policy)]
            {
                if let Some(p) = policy {
                    m.insert(key.into(), section(serde_json::to_value(p)));
                }
            }
            if let Some(meta) = &r.metadata {
                m.insert("Metadata".into(), meta.clone());
            }
            m.insert("Properties".into(), properties(r));
            resources.insert(id.clone(), J::Object(m));
        }
        top.insert("Resources".into(), J::Object(resources));
        if !self.outputs.is_empty() {
            top.insert("Outputs".into(), section(serde_json::to_value(&self.outputs)));
        }
        J::Object(top)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_same_json_as_serialize_does() {
        let mut t = Template::new("d");
        let mut r = Resource::new(&crate::model::resources::Group::default(), Path::root()).retained();
        r.condition = Some("C".into());
        r.depends_on.insert("B".into());
        r.metadata = Some(serde_json::json!({"k": 1}));
        t.add("A", r);
        t.output("O", "o", Value::reference("A"), Some("e".into()));
        t.conditions.insert("C".into(), Value::from("x"));
        t.parameters.insert("P".into(), Parameter { kind: "String".into(), ..Parameter::default() });
        assert_eq!(t.to_json(), serde_json::to_value(&t).unwrap());
    }
}
