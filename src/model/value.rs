//! CloudFormation values: literals, lists, maps and intrinsic functions. Serializes to the
//! long form (`{"Fn::GetAtt": ["Role", "Arn"]}`); the YAML renderer derives short forms.

use indexmap::IndexMap;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// Every intrinsic function, by long name. Each has a YAML short form: `!` and the name
/// without `Fn::` (`!GetAtt`, `!Ref`).
pub const FUNCTIONS: &[&str] = &[
    "Ref",
    "Condition",
    "Fn::And",
    "Fn::Base64",
    "Fn::Cidr",
    "Fn::Equals",
    "Fn::FindInMap",
    "Fn::GetAZs",
    "Fn::GetAtt",
    "Fn::If",
    "Fn::ImportValue",
    "Fn::Join",
    "Fn::Not",
    "Fn::Or",
    "Fn::Select",
    "Fn::Split",
    "Fn::Sub",
    "Fn::Transform",
    "Fn::ToJsonString",
    "Fn::Length",
    "Fn::GetStackOutput",
    // Rule functions, only inside the `Rules` section.
    // <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/rules-section-structure.html>
    "Fn::Contains",
    "Fn::EachMemberEquals",
    "Fn::EachMemberIn",
    "Fn::RefAll",
    "Fn::ValueOf",
    "Fn::ValueOfAll",
];

/// The function name and argument, if the long-form `v` is an intrinsic function: a map of
/// one key naming a function. `Condition` counts only with a condition name, since a map
/// with the single key `Condition` is also an ordinary property.
pub fn as_intrinsic(v: &serde_json::Value) -> Option<(&str, &serde_json::Value)> {
    let m = v.as_object().filter(|m| m.len() == 1)?;
    let (k, arg) = m.iter().next()?;
    match k.as_str() {
        "Condition" if !arg.is_string() => None,
        name if FUNCTIONS.contains(&name) => Some((name, arg)),
        _ => None,
    }
}

/// The long name of the function a YAML short-form tag stands for: `!GetAtt` → `Fn::GetAtt`.
pub fn long_name(tag: &str) -> Option<&'static str> {
    let short = tag.strip_prefix('!')?;
    FUNCTIONS.iter().copied().find(|f| f.strip_prefix("Fn::").unwrap_or(f) == short)
}

/// A CloudFormation value: literal, list, map, or intrinsic function.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A string.
    Str(String),
    /// A list.
    List(Vec<Self>),
    /// A map, in insertion order.
    Map(IndexMap<String, Self>),
    /// An intrinsic function.
    Fn(Box<Intrinsic>),
}

/// An intrinsic function.
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html>
#[derive(Clone, Debug, PartialEq)]
pub enum Intrinsic {
    /// `Ref` of a parameter, resource or pseudo parameter (`AWS::Region`).
    Ref(String),
    /// `Fn::GetAtt` of a resource attribute.
    GetAtt(String, String),
    /// `Fn::Sub` of a template string, with optional variables.
    Sub(String, IndexMap<String, Value>),
    /// `Fn::Join`.
    Join(String, Vec<Value>),
    /// `Fn::ImportValue` of an export name.
    ImportValue(Value),
    /// `Fn::If`.
    If(String, Value, Value),
    /// `Fn::Select`.
    Select(usize, Value),
    /// `Fn::Equals`.
    Equals(Value, Value),
    /// `Fn::Not`.
    Not(Value),
    /// `Fn::Or`.
    Or(Vec<Value>),
    /// `Fn::And`.
    And(Vec<Value>),
    /// `Condition` reference inside a condition.
    Condition(String),
    /// `Fn::FindInMap` of a mapping, a top-level key and a second-level key.
    FindInMap(String, Value, Value),
}

impl Intrinsic {
    /// The long-form name; the only place function names are spelled.
    pub fn long_name(&self) -> &'static str {
        match self {
            Self::Ref(_) => "Ref",
            Self::GetAtt(..) => "Fn::GetAtt",
            Self::Sub(..) => "Fn::Sub",
            Self::Join(..) => "Fn::Join",
            Self::ImportValue(_) => "Fn::ImportValue",
            Self::If(..) => "Fn::If",
            Self::Select(..) => "Fn::Select",
            Self::Equals(..) => "Fn::Equals",
            Self::Not(_) => "Fn::Not",
            Self::Or(_) => "Fn::Or",
            Self::And(_) => "Fn::And",
            Self::Condition(_) => "Condition",
            Self::FindInMap(..) => "Fn::FindInMap",
        }
    }
}

impl Value {
    /// The same value naming another account: `${AWS::AccountId}` in every `Fn::Sub` becomes
    /// `${<variable>}`, a parameter holding the account id. For templates deployed in one
    /// account about resources of another (Identity Center's permission sets).
    pub fn in_account(&self, variable: &str) -> Self {
        let retarget = |v: &Self| v.in_account(variable);
        match self {
            Self::List(items) => Self::List(items.iter().map(retarget).collect()),
            Self::Map(m) => Self::Map(m.iter().map(|(k, v)| (k.clone(), retarget(v))).collect()),
            Self::Fn(f) => Self::Fn(Box::new(match f.as_ref() {
                Intrinsic::Sub(t, vars) => Intrinsic::Sub(
                    t.replace("${AWS::AccountId}", &format!("${{{variable}}}")),
                    vars.iter().map(|(k, v)| (k.clone(), retarget(v))).collect(),
                ),
                Intrinsic::Join(d, items) => Intrinsic::Join(d.clone(), items.iter().map(retarget).collect()),
                Intrinsic::If(c, a, b) => Intrinsic::If(c.clone(), retarget(a), retarget(b)),
                Intrinsic::Select(i, v) => Intrinsic::Select(*i, retarget(v)),
                Intrinsic::Ref(r) if r == "AWS::AccountId" => Intrinsic::Ref(variable.to_owned()),
                other => other.clone(),
            })),
            other => other.clone(),
        }
    }

    /// A string literal.
    pub fn str(s: impl Into<String>) -> Self {
        Self::Str(s.into())
    }

    /// `!Ref name`.
    pub fn reference(name: impl Into<String>) -> Self {
        Self::Fn(Box::new(Intrinsic::Ref(name.into())))
    }

    /// `!GetAtt resource.attribute`.
    pub fn get_att(resource: impl Into<String>, attribute: impl Into<String>) -> Self {
        Self::Fn(Box::new(Intrinsic::GetAtt(resource.into(), attribute.into())))
    }

    /// `!Sub template`.
    pub fn sub(template: impl Into<String>) -> Self {
        Self::Fn(Box::new(Intrinsic::Sub(template.into(), IndexMap::new())))
    }

    /// `!Sub [template, {vars}]`.
    pub fn sub_with(template: impl Into<String>, vars: IndexMap<String, Self>) -> Self {
        Self::Fn(Box::new(Intrinsic::Sub(template.into(), vars)))
    }

    /// `!ImportValue name`.
    pub fn import(name: impl Into<String>) -> Self {
        Self::Fn(Box::new(Intrinsic::ImportValue(Self::Str(name.into()))))
    }

    /// `!Join [delimiter, items]`.
    pub fn join(delimiter: impl Into<String>, items: Vec<Self>) -> Self {
        Self::Fn(Box::new(Intrinsic::Join(delimiter.into(), items)))
    }

    /// `!If [condition, then, otherwise]`.
    pub fn if_(condition: impl Into<String>, then: Self, otherwise: Self) -> Self {
        Self::Fn(Box::new(Intrinsic::If(condition.into(), then, otherwise)))
    }

    /// `!FindInMap [map, top, second]`.
    pub fn find_in_map(map: impl Into<String>, top: Self, second: Self) -> Self {
        Self::Fn(Box::new(Intrinsic::FindInMap(map.into(), top, second)))
    }

    /// `!Equals [a, b]`.
    pub fn equals(a: Self, b: Self) -> Self {
        Self::Fn(Box::new(Intrinsic::Equals(a, b)))
    }

    /// `!Not [condition]`.
    pub fn negate(condition: Self) -> Self {
        Self::Fn(Box::new(Intrinsic::Not(condition)))
    }

    /// `!Condition name`, inside another condition.
    pub fn condition(name: impl Into<String>) -> Self {
        Self::Fn(Box::new(Intrinsic::Condition(name.into())))
    }

    /// `!Ref AWS::NoValue`: removes the property it stands for.
    pub fn no_value() -> Self {
        Self::reference("AWS::NoValue")
    }

    /// A literal from JSON (`null` becomes an empty string: CloudFormation has no null).
    pub fn json(v: serde_json::Value) -> Self {
        match v {
            serde_json::Value::Bool(b) => Self::Bool(b),
            serde_json::Value::Number(n) => Self::Int(n.as_i64().unwrap_or_default()),
            serde_json::Value::String(s) => Self::Str(s),
            serde_json::Value::Array(a) => Self::List(a.into_iter().map(Self::json).collect()),
            serde_json::Value::Object(m) => Self::Map(m.into_iter().map(|(k, v)| (k, Self::json(v))).collect()),
            serde_json::Value::Null => Self::Str(String::new()),
        }
    }

    /// A list of string literals.
    pub fn strs<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Self {
        Self::List(items.into_iter().map(|s| Self::Str(s.as_ref().to_owned())).collect())
    }

    /// The string literal, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Self::Str(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Self::Str(s)
    }
}

impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Self::Str(s.clone())
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Self::Bool(b)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Bool(b) => s.serialize_bool(*b),
            Self::Int(i) => s.serialize_i64(*i),
            Self::Str(v) => s.serialize_str(v),
            Self::List(items) => items.serialize(s),
            Self::Map(m) => m.serialize(s),
            Self::Fn(f) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry(f.long_name(), &Args(f))?;
                map.end()
            }
        }
    }
}

/// The argument of an intrinsic, in long form.
struct Args<'a>(&'a Intrinsic);

impl Serialize for Args<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Intrinsic::Ref(name) | Intrinsic::Condition(name) => s.serialize_str(name),
            Intrinsic::GetAtt(resource, attribute) => [resource, attribute].serialize(s),
            Intrinsic::Sub(template, vars) if vars.is_empty() => s.serialize_str(template),
            Intrinsic::Sub(template, vars) => {
                let mut seq = s.serialize_seq(Some(2))?;
                seq.serialize_element(template)?;
                seq.serialize_element(vars)?;
                seq.end()
            }
            Intrinsic::Join(delimiter, items) => {
                let mut seq = s.serialize_seq(Some(2))?;
                seq.serialize_element(delimiter)?;
                seq.serialize_element(items)?;
                seq.end()
            }
            Intrinsic::ImportValue(v) => v.serialize(s),
            Intrinsic::Not(v) => [v].serialize(s),
            Intrinsic::If(condition, then, otherwise) => {
                let mut seq = s.serialize_seq(Some(3))?;
                seq.serialize_element(condition)?;
                seq.serialize_element(then)?;
                seq.serialize_element(otherwise)?;
                seq.end()
            }
            Intrinsic::Select(index, list) => {
                let mut seq = s.serialize_seq(Some(2))?;
                seq.serialize_element(&index.to_string())?;
                seq.serialize_element(list)?;
                seq.end()
            }
            Intrinsic::Equals(a, b) => [a, b].serialize(s),
            Intrinsic::Or(items) | Intrinsic::And(items) => items.serialize(s),
            Intrinsic::FindInMap(map, top, second) => {
                let mut seq = s.serialize_seq(Some(3))?;
                seq.serialize_element(map)?;
                seq.serialize_element(top)?;
                seq.serialize_element(second)?;
                seq.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serializes_intrinsics_in_long_form() {
        let v = Value::List(vec![
            Value::get_att("Role", "Arn"),
            Value::import("acme-domain-research-DomainId"),
            Value::sub("arn:${AWS::Partition}:s3:::x"),
            Value::if_("IsProd", Value::no_value(), Value::from("x")),
        ]);
        assert_eq!(
            serde_json::to_value(&v).unwrap(),
            json!([
                {"Fn::GetAtt": ["Role", "Arn"]},
                {"Fn::ImportValue": "acme-domain-research-DomainId"},
                {"Fn::Sub": "arn:${AWS::Partition}:s3:::x"},
                {"Fn::If": ["IsProd", {"Ref": "AWS::NoValue"}, "x"]}
            ])
        );
    }
}
