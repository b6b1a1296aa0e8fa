//! Reads a template (JSON, or YAML with short-form tags) into the long-form tree, typing plain
//! scalars the way CloudFormation does: YAML 1.1, where `yes` is a boolean and `0123` an
//! octal number.

use serde_json::{Map, Value};

use crate::diag::{At, Diagnostic};
use crate::path::Trail;
use crate::yaml::{Node, NodeKind, Plain, Style, resolve_plain_1_1};

/// Converts a template's YAML tree to long-form JSON.
pub fn template(node: &Node) -> Result<Value, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let value = convert(node, &Trail::root(), &mut diags);
    if diags.is_empty() { Ok(value) } else { Err(diags) }
}

fn convert(node: &Node, path: &Trail<'_>, diags: &mut Vec<Diagnostic>) -> Value {
    if let Some(tag) = &node.tag {
        return tagged(tag, node, path, diags);
    }
    untagged(node, path, diags)
}

fn untagged(node: &Node, path: &Trail<'_>, diags: &mut Vec<Diagnostic>) -> Value {
    match &node.kind {
        NodeKind::Scalar(s, Style::Quoted) => Value::String(s.clone()),
        NodeKind::Scalar(s, Style::Plain) => match resolve_plain_1_1(s) {
            Plain::Null => Value::Null,
            Plain::Bool(b) => Value::Bool(b),
            Plain::Int(i) => Value::from(i),
            Plain::Float(f) => serde_json::Number::from_f64(f).map_or_else(|| Value::String(s.clone()), Value::Number),
            Plain::Str | Plain::Timestamp => Value::String(s.clone()),
        },
        NodeKind::Seq(items) => {
            Value::Array(items.iter().enumerate().map(|(i, n)| convert(n, &path.index(i), diags)).collect())
        }
        NodeKind::Map(entries) => {
            let mut map = Map::with_capacity(entries.len());
            for (k, v) in entries {
                map.insert(k.value.clone(), convert(v, &path.key(&k.value), diags));
            }
            Value::Object(map)
        }
    }
}

fn tagged(tag: &str, node: &Node, path: &Trail<'_>, diags: &mut Vec<Diagnostic>) -> Value {
    if tag == "!!str"
        && let NodeKind::Scalar(s, _) = &node.kind
    {
        return Value::String(s.clone());
    }
    // YAML's core tags on a scalar that is what they say (`!!int 60`), as YAML readers take them.
    if let NodeKind::Scalar(s, _) = &node.kind {
        let typed = match tag {
            "!!int" => s.trim().parse::<i64>().ok().map(Value::from),
            "!!float" => s.trim().parse::<f64>().ok().and_then(|f| serde_json::Number::from_f64(f).map(Value::Number)),
            "!!bool" => match s.trim() {
                "true" | "True" | "TRUE" => Some(Value::Bool(true)),
                "false" | "False" | "FALSE" => Some(Value::Bool(false)),
                _ => None,
            },
            _ => None,
        };
        if let Some(v) = typed {
            return v;
        }
    }
    let Some(long) = crate::model::value::long_name(tag) else {
        diags.push(Diagnostic {
            at: At::Span(node.span),
            ..Diagnostic::error("TPL001", path.to_path(), format!("unknown YAML tag `{tag}`"))
                .help("CloudFormation's short forms are !Ref, !GetAtt, !Sub, !Join, !If, !Select, !ImportValue and the other Fn:: names")
        });
        return Value::Null;
    };
    let arg = match (&node.kind, long) {
        // `!GetAtt Resource.Attribute` splits at the first dot.
        (NodeKind::Scalar(s, _), "Fn::GetAtt") => match s.split_once('.') {
            Some((resource, attribute)) => Value::Array(vec![Value::from(resource), Value::from(attribute)]),
            None => Value::String(s.clone()),
        },
        // Arguments of short forms are strings as written (`!Ref 2010` names `2010`).
        (NodeKind::Scalar(s, _), _) if long != "Fn::Select" && long != "Fn::Length" => Value::String(s.clone()),
        _ => untagged(node, path, diags),
    };
    let mut m = Map::new();
    m.insert(long.to_owned(), arg);
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(text: &str) -> Value {
        template(&crate::yaml::parse(text).unwrap()).unwrap()
    }

    #[test]
    fn expands_short_forms() {
        assert_eq!(
            read("A: !GetAtt Role.Arn\nB: !Sub\n  - x${Y}\n  - Y: !Ref Z\nC: !ImportValue\n  Fn::Sub: a\n"),
            json!({"A": {"Fn::GetAtt": ["Role", "Arn"]}, "B": {"Fn::Sub": ["x${Y}", {"Y": {"Ref": "Z"}}]}, "C": {"Fn::ImportValue": {"Fn::Sub": "a"}}})
        );
    }

    #[test]
    fn types_plain_scalars_as_yaml_1_1() {
        assert_eq!(
            read("a: no\nb: 'no'\nc: 0123\nd: !!str yes\n"),
            json!({"a": false, "b": "no", "c": 83, "d": "yes"})
        );
    }

    #[test]
    fn rejects_unknown_tags() {
        let e = template(&crate::yaml::parse("a: !Reff x\n").unwrap()).unwrap_err();
        assert!(e[0].message.contains("unknown YAML tag `!Reff`"));
    }
}
