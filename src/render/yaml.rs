//! Prints a long-form template tree as YAML with short-form intrinsics (`!Ref`, `!GetAtt`,
//! `!Sub`...). Our own small emitter, because the YAML crates for Rust print strings such as
//! `yes`, `0123` or `2010-09-09` unquoted, and CloudFormation reads YAML the 1.1 way, where
//! those are a boolean, a number and a date.
//! <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-formats.html>

use serde_json::{Map, Value};

/// Renders `doc` as YAML.
pub fn yaml(doc: &Value) -> String {
    let mut out = String::with_capacity(4096);
    match doc {
        Value::Object(m) if !m.is_empty() => write_map(&mut out, m, 0, false),
        other => {
            write_value(&mut out, other, 0, true);
            out.push('\n');
        }
    }
    out
}

/// The tag and argument of a single-key map that is an intrinsic function.
fn intrinsic(v: &Value) -> Option<(&str, &Value)> {
    match crate::model::value::as_intrinsic(v)? {
        // `!Ref` takes a name; anything else stays in long form.
        ("Ref", arg) if !arg.is_string() => None,
        (name, arg) => Some((name.strip_prefix("Fn::").unwrap_or(name), arg)),
    }
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn write_map(out: &mut String, m: &Map<String, Value>, indent: usize, first_inline: bool) {
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 || !first_inline {
            pad(out, indent);
        }
        write_scalar_str(out, k);
        out.push(':');
        write_value(out, v, indent + 2, true);
        out.push('\n');
    }
}

fn write_list(out: &mut String, items: &[Value], indent: usize, first_inline: bool) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 || !first_inline {
            pad(out, indent);
        }
        out.push('-');
        match item {
            Value::Object(m) if !m.is_empty() && intrinsic(item).is_none() => {
                out.push(' ');
                write_map(out, m, indent + 2, true);
            }
            Value::Array(a) if !a.is_empty() => {
                out.push(' ');
                write_list(out, a, indent + 2, true);
            }
            _ => {
                write_value(out, item, indent + 2, true);
                out.push('\n');
            }
        }
    }
}

/// Writes a value that follows `key:` or `-` on the current line, without the final newline.
/// `allow_tag` is false for the argument of a tag: AWS rejects a short form directly inside
/// another ("use the full function name for at least one of the functions").
fn write_value(out: &mut String, v: &Value, indent: usize, allow_tag: bool) {
    if allow_tag && let Some((tag, arg)) = intrinsic(v) {
        out.push_str(" !");
        out.push_str(tag);
        write_tag_arg(out, tag, arg, indent);
        return;
    }
    match v {
        Value::Object(m) if m.is_empty() => out.push_str(" {}"),
        Value::Array(a) if a.is_empty() => out.push_str(" []"),
        Value::Object(m) => {
            out.push('\n');
            write_map(out, m, indent, false);
            out.pop();
        }
        Value::Array(a) => {
            out.push('\n');
            write_list(out, a, indent, false);
            out.pop();
        }
        scalar => {
            out.push(' ');
            write_scalar(out, scalar);
        }
    }
}

fn write_tag_arg(out: &mut String, tag: &str, arg: &Value, indent: usize) {
    if tag == "GetAtt"
        && let Some([Value::String(resource), Value::String(attribute)]) = arg.as_array().map(Vec::as_slice)
        && !resource.contains('.')
        && is_plain_safe(resource)
        && is_plain_safe(attribute)
    {
        out.push(' ');
        out.push_str(resource);
        out.push('.');
        out.push_str(attribute);
        return;
    }
    write_value(out, arg, indent, false);
}

fn write_scalar(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_scalar_str(out, s),
        Value::Array(_) | Value::Object(_) => {}
    }
}

fn write_scalar_str(out: &mut String, s: &str) {
    if is_plain_safe(s) {
        out.push_str(s);
    } else if s.chars().all(|c| printable(c) && !c.is_control()) {
        out.push('\'');
        out.push_str(&s.replace('\'', "''"));
        out.push('\'');
    } else {
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c if c.is_control() || !printable(c) => out.push_str(&format!("\\u{:04X}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
    }
}

/// True for a character a YAML reader accepts written out in a quoted string and reads back
/// as itself. YAML's printable set leaves out U+FFFE and U+FFFF (and controls); the byte
/// order mark is not allowed inside a document; and YAML 1.1 readers such as PyYAML read
/// U+0085, U+2028 and U+2029 as line breaks. <https://yaml.org/spec/1.2.2/#51-character-set>
fn printable(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
        && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}')
}

/// Words that YAML 1.1 readers resolve to booleans or null.
const RESERVED: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on",
    "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL",
];

/// True when `s` can be written unquoted and every YAML 1.1 or 1.2 reader reads it back as
/// this same string. Deliberately conservative: it must start with a letter, `_` or `/`
/// (numbers, dates, times, `.inf`, `~`, `<<` and `=` all start otherwise), hold only
/// characters that mean nothing inside a block scalar, and not be a reserved word.
pub fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else { return false };
    if !(first.is_ascii_alphabetic() || first == '_' || first == '/') {
        return false;
    }
    // Reserved words are at most five characters.
    if (s.len() <= 5 && RESERVED.contains(&s)) || s.ends_with([' ', ':']) {
        return false;
    }
    // One pass over the bytes (a template renders millions of scalars): every character one
    // that means nothing here, and no `: `, ` #` or two spaces.
    let mut previous = 0u8;
    for &b in s.as_bytes() {
        let ok = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'_' | b'.'
                    | b'/'
                    | b':'
                    | b'@'
                    | b'*'
                    | b'+'
                    | b'='
                    | b','
                    | b'('
                    | b')'
                    | b'-'
                    | b'$'
                    | b'{'
                    | b'}'
                    | b' '
            );
        if !ok || matches!((previous, b), (b':', b' ') | (b' ', b'#') | (b' ', b' ')) {
            return false;
        }
        previous = b;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_getatt_as_dotted_short_form() {
        let doc = json!({"A": {"Fn::GetAtt": ["Role", "Arn"]}, "B": {"Ref": "AWS::Region"}});
        assert_eq!(yaml(&doc), "A: !GetAtt Role.Arn\nB: !Ref AWS::Region\n");
    }

    #[test]
    fn keeps_a_tag_directly_inside_a_tag_in_long_form() {
        let doc = json!({"DomainId": {"Fn::ImportValue": {"Fn::Sub": "${Env}-domain-id"}}});
        assert_eq!(yaml(&doc), "DomainId: !ImportValue\n  Fn::Sub: '${Env}-domain-id'\n");
    }

    #[test]
    fn allows_tags_inside_lists_of_tags() {
        let doc = json!({"V": {"Fn::Join": ["", [{"Ref": "A"}, "x"]]}});
        assert_eq!(yaml(&doc), "V: !Join\n  - ''\n  - - !Ref A\n    - x\n");
    }

    #[test]
    fn quotes_yaml_1_1_booleans_numbers_and_dates() {
        for s in [
            "no",
            "yes",
            "on",
            "off",
            "y",
            "N",
            "0123",
            "1_000",
            "12:30:00",
            "2010-09-09",
            "1e3",
            ".inf",
            "~",
            "",
            "<<",
            "=",
            "-1",
            "+1",
            "0x1F",
            "null",
            "*",
            "&a",
            "!x",
            "a: b",
            "a #b",
            "'q'",
            "x:",
        ] {
            let out = yaml(&json!({ "k": s }));
            assert!(out.starts_with("k: '") || out.starts_with("k: \""), "{s:?} rendered as {out:?}");
        }
    }

    #[test]
    fn leaves_ordinary_strings_plain() {
        for s in [
            "ml.t3.medium",
            "arn:aws:s3:::acme-vision/*",
            "aws:RequestTag/team",
            "Studio provisioning",
            "${aws:SourceIdentity}x",
        ] {
            let out = yaml(&json!({ "k": s }));
            let plain = out == format!("k: {s}\n");
            assert_eq!(plain, !s.starts_with('$'), "{s:?} rendered as {out:?}");
        }
    }

    #[test]
    fn renders_lists_of_maps_compactly() {
        let doc = json!({"Tags": [{"Key": "team", "Value": "vision"}], "Empty": [], "M": {}});
        assert_eq!(yaml(&doc), "Tags:\n  - Key: team\n    Value: vision\nEmpty: []\nM: {}\n");
    }

    #[test]
    fn escapes_control_characters() {
        assert_eq!(yaml(&json!({"k": "a\nb"})), "k: \"a\\nb\"\n");
    }
}
