//! Handlebars, for prose (the output README) and for users' custom product templates. Strict
//! mode, so a misspelt field is an error rather than an empty string, and no HTML escaping,
//! which would turn `&` into `&amp;` inside YAML.

use handlebars::{Handlebars, RenderErrorReason};
use serde::Serialize;

/// Renders `template` with `data`. The error says where: `line L, column C: what`.
pub fn prose<T: Serialize>(template: &str, data: &T) -> Result<String, String> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    hb.render_template(template, data).map_err(|e| {
        let (position, reason) = match e.reason() {
            RenderErrorReason::TemplateError(t) => (t.pos(), t.reason().to_string()),
            RenderErrorReason::MissingVariable(Some(name)) => {
                (e.line_no.zip(e.column_no), format!("`{name}` is not in the data (strict mode: check the spelling)"))
            }
            other => (e.line_no.zip(e.column_no), other.to_string()),
        };
        match position {
            Some((line, column)) => format!("line {line}, column {column}: {reason}"),
            None => reason,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_without_escaping() {
        assert_eq!(prose("a: {{x}}", &json!({"x": "b & <c>"})).unwrap(), "a: b & <c>");
    }

    #[test]
    fn rejects_misspelt_fields_with_their_position() {
        let e = prose("a: 1\nb: {{nmae}}\n", &json!({"name": "x"})).unwrap_err();
        assert!(e.starts_with("line 2, column 4:"), "{e}");
        let e = prose("a: {{#each x}}\n", &json!({"x": []})).unwrap_err();
        assert!(e.contains("line"), "{e}");
    }
}
