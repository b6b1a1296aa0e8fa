//! What `AWS::LanguageExtensions` does before CloudFormation reads a template, as far as
//! validation needs it: every `Fn::ForEach::<Loop>` expanded in place, so the resources,
//! conditions and outputs it creates are checked like written ones. Never changes its input.
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach.html>

use serde_json::{Map, Value};

use super::ctx::as_fn;

const FOR_EACH: &str = "Fn::ForEach::";

/// The most entries loops may make, nested loops multiplied: ten times what CloudFormation
/// holds in a template (500 resources, 200 outputs), so that a template of a few lines
/// cannot make validation build billions of copies.
/// (The message of TPL114 says this number.)
const MOST_ENTRIES: usize = 10_000;

/// The most values (map entries, list items, scalars) the copies may hold in all: ten times
/// a template at CloudFormation's 1 MB limit, so that a few large bodies looped over cannot
/// fill memory either. (The message of TPL114 says this number.)
const MOST_VALUES: usize = 1_000_000;

/// What loops may still make: entries, and values within them.
struct Budget {
    entries: usize,
    values: usize,
}

impl Budget {
    /// Takes one entry of `weight` values; `None` when that is more than is left.
    fn take(&mut self, weight: usize) -> Option<()> {
        self.entries = self.entries.checked_sub(1)?;
        self.values = self.values.checked_sub(weight)?;
        Some(())
    }
}

/// How many values `v` holds, itself included.
fn weight(v: &Value) -> usize {
    1 + match v {
        Value::Object(m) => m.values().map(weight).sum(),
        Value::Array(items) => items.iter().map(weight).sum(),
        _ => 0,
    }
}

/// What expanding a template's loops gave.
pub(super) enum Expanded {
    /// No `Fn::ForEach` in it.
    Nothing,
    /// The template as CloudFormation reads it after the transform.
    Template(Value),
    /// The loops make more than [`MOST_ENTRIES`] entries or [`MOST_VALUES`] values.
    TooMany,
}

/// `template` with every `Fn::ForEach` expanded.
pub(super) fn expand(template: &Value) -> Expanded {
    if !has_for_each(template) {
        return Expanded::Nothing;
    }
    let parameters = template.get("Parameters").and_then(Value::as_object).cloned().unwrap_or_default();
    let mut budget = Budget { entries: MOST_ENTRIES, values: MOST_VALUES };
    match expanded(template, &parameters, &mut budget) {
        Some(t) => Expanded::Template(t),
        None => Expanded::TooMany,
    }
}

fn has_for_each(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.iter().any(|(k, v)| k.starts_with(FOR_EACH) || has_for_each(v)),
        Value::Array(items) => items.iter().any(has_for_each),
        _ => false,
    }
}

/// `v` with its loops expanded, each entry a loop makes (and its values) taken from
/// `budget`; `None` once the budget is spent.
fn expanded(v: &Value, parameters: &Map<String, Value>, budget: &mut Budget) -> Option<Value> {
    Some(match v {
        Value::Object(m) => {
            let mut out = Map::with_capacity(m.len());
            for (k, child) in m {
                match (k.starts_with(FOR_EACH), child.as_array().map(Vec::as_slice)) {
                    (true, Some([Value::String(id), collection, Value::Object(body)])) => {
                        let weights: Vec<usize> = body.values().map(weight).collect();
                        for item in items(collection, parameters) {
                            for ((key, value), &w) in body.iter().zip(&weights) {
                                budget.take(w)?;
                                let copy = Value::Object(Map::from_iter([(key.clone(), value.clone())]));
                                if let Value::Object(m) = expanded(&substitute(&copy, id, &item), parameters, budget)? {
                                    out.extend(m);
                                }
                            }
                        }
                    }
                    // A malformed loop is left as written, for the structure checks to report.
                    _ => {
                        out.insert(k.clone(), expanded(child, parameters, budget)?);
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|i| expanded(i, parameters, budget)).collect::<Option<Vec<_>>>()?)
        }
        other => other.clone(),
    })
}

/// The values a loop runs over: a literal list, or a list parameter's default. A collection
/// known only at deploy time runs once over a stand-in, so that its body is still checked.
fn items(collection: &Value, parameters: &Map<String, Value>) -> Vec<String> {
    const STAND_IN: &str = "Item";
    match collection {
        Value::Array(items) => {
            items.iter().map(|i| i.as_str().map_or_else(|| STAND_IN.to_owned(), str::to_owned)).collect()
        }
        _ => match as_fn(collection) {
            Some(("Ref", Value::String(p))) => {
                match parameters.get(p).and_then(|p| p.get("Default")).and_then(Value::as_str) {
                    Some(d) => d.split(',').map(|s| s.trim().to_owned()).collect(),
                    None => vec![STAND_IN.to_owned()],
                }
            }
            _ => vec![STAND_IN.to_owned()],
        },
    }
}

/// `v` with the loop's identifier replaced by `item`: `${id}` and `&{id}` (the value without
/// its non-alphanumeric characters) in keys, `!Ref id`, and `${id}` in `Fn::Sub` strings.
/// A `Fn::Sub` left with no variable becomes the plain string.
fn substitute(v: &Value, id: &str, item: &str) -> Value {
    let plain: String = item.chars().filter(char::is_ascii_alphanumeric).collect();
    let in_key = |k: &str| k.replace(&format!("${{{id}}}"), item).replace(&format!("&{{{id}}}"), &plain);
    let in_sub = |s: &str| s.replace(&format!("${{{id}}}"), item).replace(&format!("&{{{id}}}"), &plain);
    match as_fn(v) {
        Some(("Ref", Value::String(r))) if r == id => return Value::String(item.to_owned()),
        Some(("Fn::Sub", Value::String(s))) => {
            let s = in_sub(s);
            return if s.contains("${") {
                Value::Object(Map::from_iter([("Fn::Sub".to_owned(), Value::String(s))]))
            } else {
                Value::String(s)
            };
        }
        Some(("Fn::Sub", Value::Array(a))) if matches!(a.first(), Some(Value::String(_))) => {
            let mut a = a.clone();
            a[0] = Value::String(in_sub(a[0].as_str().unwrap_or_default()));
            for rest in a.iter_mut().skip(1) {
                *rest = substitute(rest, id, item);
            }
            return Value::Object(Map::from_iter([("Fn::Sub".to_owned(), Value::Array(a))]));
        }
        _ => {}
    }
    match v {
        Value::Object(m) => Value::Object(m.iter().map(|(k, c)| (in_key(k), substitute(c, id, item))).collect()),
        Value::Array(items) => Value::Array(items.iter().map(|i| substitute(i, id, item)).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn expands_loops_in_keys_refs_and_subs() {
        let t = json!({"Resources": {"Fn::ForEach::Topics": ["Name", ["a-b", "c"], {
            "Topic&{Name}": {"Type": "AWS::SNS::Topic", "Properties": {
                "TopicName": {"Ref": "Name"}, "DisplayName": {"Fn::Sub": "${Name}-${AWS::Region}"}}}
        }]}});
        assert_eq!(
            match super::expand(&t) {
                super::Expanded::Template(t) => t,
                _ => panic!("expanded"),
            },
            json!({"Resources": {
                "Topicab": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "a-b", "DisplayName": {"Fn::Sub": "a-b-${AWS::Region}"}}},
                "Topicc": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "c", "DisplayName": {"Fn::Sub": "c-${AWS::Region}"}}}
            }})
        );
        assert!(matches!(super::expand(&json!({"Resources": {}})), super::Expanded::Nothing));
    }

    #[test]
    fn nested_loops_stop_at_the_budget() {
        // Four nested loops over 20 items: 160,000 entries, from a template of a few lines.
        let items: Vec<String> = (0..20).map(|i| format!("i{i}")).collect();
        let mut body = json!({"Topic${A}${B}${C}${D}": {"Type": "AWS::SNS::Topic"}});
        for id in ["D", "C", "B", "A"] {
            body = json!({format!("Fn::ForEach::{id}"): [id, items, body]});
        }
        let t = json!({"Transform": "AWS::LanguageExtensions", "Resources": body});
        assert!(matches!(super::expand(&t), super::Expanded::TooMany));

        // Few entries, each large: 1,000 copies of 2,000 values.
        let tags: Vec<serde_json::Value> = (0..1_000).map(|i| json!({"Key": format!("k{i}"), "Value": "v"})).collect();
        let items: Vec<String> = (0..1_000).map(|i| format!("i{i}")).collect();
        let t = json!({"Transform": "AWS::LanguageExtensions", "Resources": {"Fn::ForEach::A": ["A", items,
            {"Topic${A}": {"Type": "AWS::SNS::Topic", "Properties": {"Tags": tags}}}]}});
        assert!(matches!(super::expand(&t), super::Expanded::TooMany));
    }
}
