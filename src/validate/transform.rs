//! What `AWS::LanguageExtensions` does before CloudFormation reads a template, as far as
//! validation needs it: every `Fn::ForEach::<Loop>` expanded in place, so the resources,
//! conditions and outputs it creates are checked like written ones. Never changes its input.
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach.html>

use serde_json::{Map, Value};

use super::ctx::as_fn;

const FOR_EACH: &str = "Fn::ForEach::";

/// `template` with every `Fn::ForEach` expanded, or `None` when it has none.
pub(super) fn expand(template: &Value) -> Option<Value> {
    if !has_for_each(template) {
        return None;
    }
    let parameters = template.get("Parameters").and_then(Value::as_object).cloned().unwrap_or_default();
    Some(expanded(template, &parameters))
}

fn has_for_each(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.iter().any(|(k, v)| k.starts_with(FOR_EACH) || has_for_each(v)),
        Value::Array(items) => items.iter().any(has_for_each),
        _ => false,
    }
}

fn expanded(v: &Value, parameters: &Map<String, Value>) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::with_capacity(m.len());
            for (k, child) in m {
                match (k.starts_with(FOR_EACH), child.as_array().map(Vec::as_slice)) {
                    (true, Some([Value::String(id), collection, Value::Object(body)])) => {
                        for item in items(collection, parameters) {
                            for (key, value) in body {
                                let copy = Value::Object(Map::from_iter([(key.clone(), value.clone())]));
                                if let Value::Object(m) = expanded(&substitute(&copy, id, &item), parameters) {
                                    out.extend(m);
                                }
                            }
                        }
                    }
                    // A malformed loop is left as written, for the structure checks to report.
                    _ => {
                        out.insert(k.clone(), expanded(child, parameters));
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|i| expanded(i, parameters)).collect()),
        other => other.clone(),
    }
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
            super::expand(&t).unwrap(),
            json!({"Resources": {
                "Topicab": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "a-b", "DisplayName": {"Fn::Sub": "a-b-${AWS::Region}"}}},
                "Topicc": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "c", "DisplayName": {"Fn::Sub": "c-${AWS::Region}"}}}
            }})
        );
        assert!(super::expand(&json!({"Resources": {}})).is_none());
    }
}
