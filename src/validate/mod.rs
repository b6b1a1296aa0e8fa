//! Checks templates: ours before they are written, and any template a user hands to
//! `studioform validate`. Validation never changes a template.
//!
//! Checks, by code family: `TPL1xx` structure, `TPL2xx` properties against the vendored
//! provider schemas, `TPL3xx` references, `TPL5xx` CloudFormation quotas, `IAM3xx` policy
//! documents.

mod ctx;
pub mod data;
pub mod handlers;
mod iam;
pub use iam::{MAX_MANAGED_POLICY, MAX_ROLE_INLINE};
pub mod limits;
mod nested;
mod properties;
pub mod read;
mod refs;
mod services;
mod structure;
mod transform;

use std::path::Path as FsPath;

use serde_json::Value;

use crate::diag::{At, Diagnostic, Source};
use crate::estate::Bundle;
use crate::path::{Path, Segment};
use crate::{Error, yaml};

/// Every finding about a long-form template whose body is `body_bytes` long.
pub fn template(t: &Value, body_bytes: usize) -> Vec<Diagnostic> {
    let expanded = if ctx::has_transform(t, "AWS::LanguageExtensions") {
        transform::expand(t)
    } else {
        transform::Expanded::Nothing
    };
    let mut ctx = ctx::Ctx::new(match &expanded {
        transform::Expanded::Template(e) => e,
        _ => t,
    });
    if matches!(expanded, transform::Expanded::TooMany) {
        ctx.out.push(
            Diagnostic::error(
                "TPL114",
                Path::root().key("Resources"),
                "the template's Fn::ForEach loops make more than 10,000 entries or 1,000,000 values".to_owned(),
            )
            .help("CloudFormation holds at most 500 resources and 200 outputs in a template: loop over fewer items, or split the template; the loops were left unexpanded"),
        );
    }
    structure::check(&mut ctx);
    refs::check(&mut ctx);
    properties::check(&mut ctx);
    services::check(&mut ctx);
    iam::check(&mut ctx);
    ctx.out.extend(limits::check(t, body_bytes));
    ctx.out
}

/// Checks every template of a bundle. Findings about our own output point at the org-file
/// entry the offending resource came from, so the user knows what to change.
pub fn bundle(bundle: &Bundle) -> Vec<Diagnostic> {
    let per_stack = crate::par_map(&bundle.stacks, |stack| {
        let mut out = Vec::new();
        // Our stacks are rendered after validation; the compact JSON is a lower bound of the
        // body, and the README deploys through S3, so the inline-size warning is moot.
        let body = compact_len(stack.json());
        for d in template(stack.json(), body).into_iter().filter(|d| d.code != "TPL503") {
            let (resource, origin) = match d.path().map(|p| p.0.as_slice()) {
                Some([Segment::Key(section), Segment::Key(id), ..]) if section == "Resources" => {
                    (format!(", resource {id}"), stack.origin_of(id))
                }
                _ => (String::new(), None),
            };
            let inside = d.path().map(|p| format!(" (at {p})")).unwrap_or_default();
            let d = strict(d);
            out.push(Diagnostic {
                message: format!("stack {}{resource}: {}{inside}", stack.name, d.message),
                at: At::Path(origin.unwrap_or_else(Path::root), crate::diag::Focus::Value),
                ..d
            });
        }
        out
    });
    let mut all: Vec<Diagnostic> = per_stack.into_iter().flatten().collect();
    all.extend(launch_roles(bundle));
    all
}

/// Findings that are warnings in hand-written templates but errors in what synth writes: an
/// action or condition key IAM does not know is accepted by IAM (a retired action, a key it
/// never sets), and grants or matches nothing, but in ours a misspelt action or ABAC key
/// silently breaks access or isolation.
const STRICT_FOR_SYNTH: &[&str] = &["IAM304", "IAM305", "IAM307"];

/// `d` as synth's own output is held to it: see [`STRICT_FOR_SYNTH`].
pub fn strict(d: Diagnostic) -> Diagnostic {
    if STRICT_FOR_SYNTH.contains(&d.code) { Diagnostic { severity: crate::diag::Severity::Error, ..d } } else { d }
}

/// What the launch roles of the bundle's portfolios cannot do for the products they launch.
fn launch_roles(bundle: &Bundle) -> Vec<Diagnostic> {
    use crate::estate::layout::StackKind;
    let mut out = Vec::new();
    for portfolio in bundle.stacks.iter().filter(|s| s.kind == StackKind::Portfolio) {
        for role in handlers::launch_roles(portfolio.json()) {
            let url_text = |u: &Value| match crate::model::value::as_intrinsic(u) {
                Some(("Fn::Sub", Value::String(s))) => Some(s.clone()),
                _ => u.as_str().map(str::to_owned),
            };
            let urls: Vec<String> = role.urls.iter().filter_map(url_text).collect();
            let launched = bundle
                .stacks
                .iter()
                .filter(|s| s.kind == StackKind::Product)
                .filter(|p| p.key.as_ref().is_some_and(|k| urls.iter().any(|u| u.ends_with(k.as_str()))));
            for product in launched {
                for d in handlers::check_launch(&role, &product.name, product.json()) {
                    let origin = match d.path().map(|p| p.0.as_slice()) {
                        Some([Segment::Key(_), Segment::Key(id), ..]) => product.origin_of(id),
                        _ => None,
                    };
                    out.push(Diagnostic {
                        message: format!("stack {}: {}", portfolio.name, d.message),
                        at: At::Path(origin.unwrap_or_else(Path::root), crate::diag::Focus::Value),
                        ..d
                    });
                }
            }
        }
    }
    out
}

/// The length of `v` as compact JSON, counted without building the string. The counter
/// takes serde_json's small writes directly: as fast as through a buffer (measured on the
/// AWS managed policies), without allocating one per call.
pub(crate) fn compact_len(v: &impl serde::Serialize) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    match serde_json::to_writer(&mut count, v) {
        Ok(()) => count.0,
        Err(_) => usize::MAX,
    }
}

/// Reads and checks a template file (YAML or JSON). An unreadable or unparsable file is an
/// error; everything else is a finding.
pub fn file(path: &FsPath) -> Result<(Source, Vec<Diagnostic>), Error> {
    let bytes = crate::input::read(path, crate::input::MAX_INPUT_BYTES)
        .map_err(|source| Error::Read { path: path.to_owned(), source })?;
    let content = String::from_utf8(bytes).map_err(|_| Error::Read {
        path: path.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, "it is not UTF-8 text"),
    })?;
    checked(path.display().to_string(), content, path.parent())
}

/// Checks a template's `text` (YAML or JSON), naming it `name` in findings: [`file`] without
/// the reading.
pub fn text(name: String, text: String) -> Result<(Source, Vec<Diagnostic>), Error> {
    checked(name, text, None)
}

/// [`text`], with nested stacks' templates given by a relative path read from `dir`.
fn checked(name: String, text: String, dir: Option<&FsPath>) -> Result<(Source, Vec<Diagnostic>), Error> {
    let mut source = Source::new(name, text);
    let root = match yaml::parse(&source.text) {
        Ok(root) => root,
        Err(e) if e.kind == yaml::Problem::DuplicateKey => {
            let d = Diagnostic {
                at: At::Span(e.span),
                help: e.help,
                ..Diagnostic::error("TPL002", Path::root(), e.message)
            };
            return Ok((source, vec![d]));
        }
        Err(e) => {
            let d = Diagnostic {
                at: At::Span(e.span),
                help: e.help,
                ..Diagnostic::error("TPL000", Path::root(), e.message)
            };
            return Err(Error::Unusable { file: Box::new(source), diags: vec![d] });
        }
    };
    let json = read::template(&root);
    source.root = Some(root);
    match json {
        Ok(json) => {
            let mut diags = template(&json, source.text.len());
            if let Some(dir) = dir {
                diags.extend(nested::check(&json, dir));
            }
            diags.sort_by_key(|d| source.locate(&d.at).map(|s| (s.start.line, s.start.col)));
            Ok((source, diags))
        }
        Err(diags) => Ok((source, diags)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_compact_json_as_serde_json_writes_it() {
        let v = serde_json::json!({"Resources": {"A": {"Type": "X", "Properties": {"Name": "é \"q\"\n", "N": [1, 2.5, null, true]}}}});
        assert_eq!(super::compact_len(&v), serde_json::to_string(&v).unwrap().len());
        let typed = crate::model::iam::PolicyDocument::new(vec![crate::model::iam::Statement::allow(
            ["s3:GetObject"],
            vec![crate::model::value::Value::from("arn:aws:s3:::b/*")],
        )]);
        assert_eq!(super::compact_len(&typed), serde_json::to_string(&typed).unwrap().len());
    }
}
