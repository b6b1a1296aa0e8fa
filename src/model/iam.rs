//! Typed IAM policy documents. Action/NotAction and Resource/NotResource are enums, so a
//! statement with both cannot be built.
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html>

use indexmap::IndexMap;
use serde::ser::{Serialize, SerializeMap, Serializer};

use super::value::Value;

/// The only current policy language version.
pub const POLICY_VERSION: &str = "2012-10-17";

/// A policy document.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicyDocument {
    /// Its statements.
    pub statement: Vec<Statement>,
}

/// `Allow` or `Deny`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Allow.
    Allow,
    /// Deny.
    Deny,
}

/// `Action` or `NotAction`.
#[derive(Clone, Debug, PartialEq)]
pub enum Actions {
    /// The actions the statement applies to.
    Action(Vec<String>),
    /// Every action except these.
    NotAction(Vec<String>),
}

/// `Resource`, `NotResource`, or neither (trust policies).
#[derive(Clone, Debug, PartialEq)]
pub enum Resources {
    /// No resource element (trust policies).
    None,
    /// The resources the statement applies to.
    Resource(Vec<Value>),
    /// Every resource except these.
    NotResource(Vec<Value>),
    /// A list computed by an intrinsic (`!FindInMap [...]` of a list).
    Computed(Value),
}

/// A principal element.
#[derive(Clone, Debug, PartialEq)]
pub enum Principal {
    /// AWS services (`sagemaker.amazonaws.com`).
    Service(Vec<String>),
    /// AWS accounts, users or roles.
    Aws(Vec<Value>),
    /// A federated identity provider.
    Federated(Value),
}

/// Condition operators, each mapping condition keys to values.
pub type Conditions = IndexMap<String, IndexMap<String, Value>>;

/// One statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// Statement id.
    pub sid: Option<String>,
    /// Effect.
    pub effect: Effect,
    /// Principal (trust and resource policies only).
    pub principal: Option<Principal>,
    /// Actions.
    pub actions: Actions,
    /// Resources.
    pub resources: Resources,
    /// Conditions.
    pub condition: Conditions,
    /// A template condition: when set, the statement exists only when it holds (written as
    /// `Fn::If [condition, statement, AWS::NoValue]`).
    pub only_if: Option<String>,
}

impl Statement {
    /// Allows `actions` on `resources`.
    pub fn allow<A: AsRef<str>>(actions: impl IntoIterator<Item = A>, resources: Vec<Value>) -> Self {
        Self {
            sid: None,
            effect: Effect::Allow,
            principal: None,
            actions: Actions::Action(actions.into_iter().map(|a| a.as_ref().to_owned()).collect()),
            resources: Resources::Resource(resources),
            condition: Conditions::new(),
            only_if: None,
        }
    }

    /// Denies `actions` on `resources`.
    pub fn deny<A: AsRef<str>>(actions: impl IntoIterator<Item = A>, resources: Vec<Value>) -> Self {
        Self { effect: Effect::Deny, ..Self::allow(actions, resources) }
    }

    /// Allows `principal` to perform `actions` (a trust-policy statement).
    pub fn trust<A: AsRef<str>>(principal: Principal, actions: impl IntoIterator<Item = A>) -> Self {
        Self { principal: Some(principal), resources: Resources::None, ..Self::allow(actions, Vec::new()) }
    }

    /// The same statement on resources computed by an intrinsic function.
    pub fn on_computed(mut self, resources: Value) -> Self {
        self.resources = Resources::Computed(resources);
        self
    }

    /// The same statement, present only when the template condition `condition` holds.
    pub fn only_if(mut self, condition: Option<&str>) -> Self {
        self.only_if = condition.map(str::to_owned);
        self
    }

    /// The same statement with a statement id.
    pub fn sid(mut self, sid: &str) -> Self {
        self.sid = Some(sid.to_owned());
        self
    }

    /// The same statement with one more condition: `operator: {key: value}`.
    pub fn when(mut self, operator: &str, key: &str, value: impl Into<Value>) -> Self {
        self.condition.entry(operator.to_owned()).or_default().insert(key.to_owned(), value.into());
        self
    }

    /// The same statement about resources of the account in template parameter `variable`
    /// (see [`Value::in_account`]).
    pub fn in_account(mut self, variable: &str) -> Self {
        self.resources = match self.resources {
            Resources::Resource(r) => Resources::Resource(r.iter().map(|v| v.in_account(variable)).collect()),
            Resources::NotResource(r) => Resources::NotResource(r.iter().map(|v| v.in_account(variable)).collect()),
            Resources::Computed(v) => Resources::Computed(v.in_account(variable)),
            Resources::None => Resources::None,
        };
        for values in self.condition.values_mut() {
            for v in values.values_mut() {
                *v = v.in_account(variable);
            }
        }
        self
    }

    /// The action names, whether `Action` or `NotAction`.
    pub fn action_names(&self) -> &[String] {
        match &self.actions {
            Actions::Action(a) | Actions::NotAction(a) => a,
        }
    }
}

impl PolicyDocument {
    /// A document of `statements`.
    pub fn new(statement: Vec<Statement>) -> Self {
        Self { statement }
    }
}

/// `*`, the resource of actions that take no resource.
pub fn any() -> Vec<Value> {
    vec![Value::from("*")]
}

impl Serialize for PolicyDocument {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("Version", POLICY_VERSION)?;
        map.serialize_entry("Statement", &self.statement)?;
        map.end()
    }
}

impl Serialize for Statement {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if let Some(condition) = &self.only_if {
            let unconditional = Self { only_if: None, ..self.clone() };
            let branches = (condition, unconditional, Value::no_value());
            let mut map = s.serialize_map(Some(1))?;
            map.serialize_entry("Fn::If", &branches)?;
            return map.end();
        }
        let mut map = s.serialize_map(None)?;
        if let Some(sid) = &self.sid {
            map.serialize_entry("Sid", sid)?;
        }
        map.serialize_entry(
            "Effect",
            match self.effect {
                Effect::Allow => "Allow",
                Effect::Deny => "Deny",
            },
        )?;
        match &self.principal {
            Some(Principal::Service(services)) => map.serialize_entry("Principal", &Single("Service", services))?,
            Some(Principal::Aws(arns)) => map.serialize_entry("Principal", &Single("AWS", arns))?,
            Some(Principal::Federated(arn)) => map.serialize_entry("Principal", &Single("Federated", arn))?,
            None => {}
        }
        match &self.actions {
            Actions::Action(a) => map.serialize_entry("Action", a)?,
            Actions::NotAction(a) => map.serialize_entry("NotAction", a)?,
        }
        match &self.resources {
            Resources::None => {}
            Resources::Resource(r) => map.serialize_entry("Resource", r)?,
            Resources::NotResource(r) => map.serialize_entry("NotResource", r)?,
            Resources::Computed(r) => map.serialize_entry("Resource", r)?,
        }
        if !self.condition.is_empty() {
            map.serialize_entry("Condition", &self.condition)?;
        }
        map.end()
    }
}

/// A one-key map.
struct Single<'a, T: Serialize>(&'a str, &'a T);

impl<T: Serialize> Serialize for Single<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry(self.0, self.1)?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serializes_statements_in_policy_order() {
        let doc = PolicyDocument::new(vec![
            Statement::allow(["s3:GetObject"], vec![Value::from("arn:aws:s3:::b/*")]).sid("Read").when(
                "StringEquals",
                "aws:RequestTag/team",
                "vision",
            ),
            Statement::trust(Principal::Service(vec!["sagemaker.amazonaws.com".into()]), ["sts:AssumeRole"]),
        ]);
        assert_eq!(
            serde_json::to_value(&doc).unwrap(),
            json!({"Version": "2012-10-17", "Statement": [
                {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::b/*"],
                 "Condition": {"StringEquals": {"aws:RequestTag/team": "vision"}}},
                {"Effect": "Allow", "Principal": {"Service": ["sagemaker.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}
            ]})
        );
    }
}
