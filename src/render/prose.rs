//! Handlebars, for prose (the output README) and for users' custom product templates. Strict
//! mode, so a misspelt field is an error rather than an empty string, and no HTML escaping,
//! which would turn `&` into `&amp;` inside YAML. A custom template is someone else's text:
//! [`custom`] bounds what rendering it may cost.

use std::time::Duration;

use handlebars::template::{Template, TemplateElement};
use handlebars::{Handlebars, RenderError, RenderErrorReason};
use serde::Serialize;

/// Most a custom product template may render to: CloudFormation's template body limit.
pub const MAX_CUSTOM_OUTPUT: usize = 1_000_000;
/// Deepest nesting of `{{#...}}` blocks in a custom template.
pub const MAX_BLOCK_DEPTH: usize = 32;
/// Longest a custom template may take to render.
pub const CUSTOM_DEADLINE: Duration = Duration::from_secs(20);

/// Renders `template` with `data`. The error says where: `line L, column C: what`.
pub fn prose<T: Serialize>(template: &str, data: &T) -> Result<String, String> {
    registry().render_template(template, data).map_err(|e| describe(&e, None))
}

fn registry() -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    hb
}

/// Renders a user's custom product template with `data`, as [`prose`] does, within bounds: no
/// partials or decorators (the only way a template can call itself, which would recurse
/// until the stack overflows), blocks nested at most [`MAX_BLOCK_DEPTH`] deep, output of at
/// most [`MAX_CUSTOM_OUTPUT`] bytes, and at most [`CUSTOM_DEADLINE`] of work (loops nested
/// over a large org file multiply).
pub fn custom(template: &str, data: &serde_json::Value) -> Result<String, String> {
    custom_within(template, data, CUSTOM_DEADLINE)
}

fn custom_within(template: &str, data: &serde_json::Value, deadline: Duration) -> Result<String, String> {
    // Counted on the text before the parser sees it: the parser recurses per level too.
    if text_depth(template) > MAX_BLOCK_DEPTH {
        return Err(format!("blocks (`{{{{#...}}}}`) are nested more than {MAX_BLOCK_DEPTH} deep"));
    }
    let compiled = Template::compile(template).map_err(|e| match e.pos() {
        Some((line, column)) => format!("line {line}, column {column}: {}", e.reason()),
        None => e.reason().to_string(),
    })?;
    forbid_partials(&compiled.elements, 0)?;
    let owned = data.clone();
    let (send, receive) = std::sync::mpsc::channel();
    // A thread, so that a render that runs too long can be abandoned; the process ends soon
    // after with the error.
    let spawned = std::thread::Builder::new().name("custom-template".into()).spawn(move || {
        let mut hb = registry();
        hb.register_template("custom", compiled);
        let mut out = Capped(Vec::new());
        let result = hb.render_to_write("custom", &owned, &mut out);
        let _ = send.send(result.map(|()| out.0));
    });
    if spawned.is_err() {
        return Err("cannot start rendering (no thread available)".into());
    }
    match receive.recv_timeout(deadline) {
        Ok(Ok(bytes)) => String::from_utf8(bytes).map_err(|_| "renders to text that is not UTF-8".into()),
        Ok(Err(e)) => Err(describe(&e, Some(data))),
        Err(_) => Err(format!(
            "rendering takes longer than {} s: loops nested over the org file's lists multiply; loop over fewer",
            deadline.as_secs_f64()
        )),
    }
}

/// How deep `{{#` blocks nest, counting openers and `{{/` closers.
fn text_depth(template: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let mut rest = template;
    while let Some(i) = rest.find("{{") {
        rest = &rest[i + 2..];
        let inner = rest.trim_start_matches('~');
        if inner.starts_with('#') {
            depth += 1;
            max = max.max(depth);
        } else if inner.starts_with('/') {
            depth = depth.saturating_sub(1);
        }
    }
    max
}

fn forbid_partials(elements: &[TemplateElement], depth: usize) -> Result<(), String> {
    if depth > MAX_BLOCK_DEPTH {
        return Err(format!("blocks (`{{{{#...}}}}`) are nested more than {MAX_BLOCK_DEPTH} deep"));
    }
    for e in elements {
        match e {
            TemplateElement::PartialExpression(_) | TemplateElement::PartialBlock(_) => {
                return Err("partials (`{{> name}}`) are not available in custom product templates: write the text out, or repeat it with `{{#each}}`".into());
            }
            TemplateElement::DecoratorExpression(_) | TemplateElement::DecoratorBlock(_) => {
                return Err("decorators (`{{*...}}`, `{{#*inline}}`) are not available in custom product templates: write the text out, or repeat it with `{{#each}}`".into());
            }
            TemplateElement::HelperBlock(h) => {
                for t in h.template.iter().chain(&h.inverse) {
                    forbid_partials(&t.elements, depth + 1)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Collects output up to [`MAX_CUSTOM_OUTPUT`] bytes, then fails the render.
struct Capped(Vec<u8>);

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + buf.len() > MAX_CUSTOM_OUTPUT {
            return Err(std::io::Error::other(format!(
                "renders to more than {MAX_CUSTOM_OUTPUT} bytes, CloudFormation's largest template body"
            )));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What went wrong, where; for a field that is not in `data` (when given), the fields that
/// are, with the likely one first.
fn describe(e: &RenderError, data: Option<&serde_json::Value>) -> String {
    let (position, reason) = match e.reason() {
        RenderErrorReason::TemplateError(t) => (t.pos(), t.reason().to_string()),
        RenderErrorReason::MissingVariable(Some(name)) => {
            let fields = data.map(|d| format!("; {}", fields_help(name, d))).unwrap_or_default();
            (
                e.line_no.zip(e.column_no),
                format!("`{name}` is not in the data (strict mode: check the spelling){fields}"),
            )
        }
        RenderErrorReason::IOError(io) => (e.line_no.zip(e.column_no), io.to_string()),
        other => (e.line_no.zip(e.column_no), other.to_string()),
    };
    match position {
        Some((line, column)) => format!("line {line}, column {column}: {reason}"),
        None => reason,
    }
}

/// The fields a template can name: the org file's top-level keys, and the keys of the items
/// of each of its lists (`teams`, `users`...), with a guess at the one `name` meant.
fn fields_help(name: &str, data: &serde_json::Value) -> String {
    let Some(top) = data.as_object() else { return String::new() };
    let last = name.rsplit(['.', '/']).next().unwrap_or(name);
    let mut known: Vec<&str> = top.keys().map(String::as_str).collect();
    let mut lists = Vec::new();
    for (key, value) in top {
        let item_keys: Vec<&str> = value
            .as_array()
            .and_then(|items| items.iter().find_map(serde_json::Value::as_object))
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        if !item_keys.is_empty() {
            lists.push(format!("each of `{key}` has {}", item_keys.join(", ")));
            known.extend(item_keys);
        }
    }
    known.sort_unstable();
    known.dedup();
    let guess = crate::diag::did_you_mean(last, &known).map(|b| format!("did you mean `{b}`? ")).unwrap_or_default();
    let top: Vec<&str> = top.keys().map(String::as_str).collect();
    format!("{guess}the data has {}; {}", top.join(", "), lists.join("; "))
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
    fn bounds_what_a_custom_template_may_cost() {
        let data = json!({"teams": (0..1000).map(|i| json!({"name": format!("t{i}")})).collect::<Vec<_>>()});
        assert_eq!(custom("{{#each teams}}{{#if @first}}{{name}}{{/if}}{{/each}}", &data).unwrap(), "t0");
        for (template, why) in [
            ("{{#*inline \"p\"}}{{> p}}{{/inline}}{{> p}}", "decorators"),
            ("{{#each teams}}{{> p}}{{/each}}", "partials"),
            ("{{#> layout}}x{{/layout}}", "partials"),
            (&"{{#if teams}}".repeat(10_000), "nested more than 32 deep"),
            (
                "{{#each teams}}{{#each ../teams}}{{#each ../../teams}}{{name}}{{/each}}{{/each}}{{/each}}",
                "more than 1000000 bytes",
            ),
        ] {
            let e = custom(template, &data).unwrap_err();
            assert!(e.contains(why), "{e}");
        }
        // Loops that write nothing still take time: the deadline stops them.
        let silent = "{{#each teams}}{{#each ../teams}}{{#each ../../teams}}{{#each ../../../teams}}{{/each}}{{/each}}{{/each}}{{/each}}";
        let e = custom_within(silent, &data, Duration::from_millis(200)).unwrap_err();
        assert!(e.contains("rendering takes longer than 0.2 s"), "{e}");
    }

    #[test]
    fn rejects_misspelt_fields_with_their_position() {
        let e = prose("a: 1\nb: {{nmae}}\n", &json!({"name": "x"})).unwrap_err();
        assert!(e.starts_with("line 2, column 4:"), "{e}");
        let e = prose("a: {{#each x}}\n", &json!({"x": []})).unwrap_err();
        assert!(e.contains("line"), "{e}");
    }
}
