//! Who can do what in an estate, evaluated offline from its own policies: an IAM policy
//! evaluator ([`eval`]), the estate's principals read back from its templates ([`estate`]),
//! and the isolation invariants synth checks on every run ([`invariants`]).

pub mod estate;
pub mod eval;
pub mod invariants;

use crate::diag::{At, Diagnostic, Focus};
use crate::estate::Bundle;
use crate::path::Path;

/// The isolation invariants of a bundle: what was evaluated, and an error for every request
/// isolation forbids that the estate's policies allow, pointing at the org-file entry the
/// allowing policy came from.
pub fn bundle(bundle: &Bundle) -> (invariants::Report, Vec<Diagnostic>) {
    checked(bundle, true)
}

/// The violations of a bundle, as synth reports them: [`bundle`] without recording every
/// request evaluated.
pub fn findings(bundle: &Bundle) -> Vec<Diagnostic> {
    checked(bundle, false).1
}

fn checked(bundle: &Bundle, probes: bool) -> (invariants::Report, Vec<Diagnostic>) {
    let stacks: Vec<estate::Stack<'_>> =
        bundle.stacks.iter().map(|s| estate::Stack { name: &s.name, kind: s.kind, template: s.json() }).collect();
    let estate = estate::read(&stacks);
    let report = invariants::check_with(&estate, probes);
    // Where in the org file the resource `id` of stack `stack` comes from.
    let origin = |stack: &str, id: &str| {
        let origin = bundle.stacks.iter().find(|s| s.name == stack).and_then(|s| s.origin_of(id));
        At::Path(origin.unwrap_or_else(Path::root), Focus::Value)
    };
    // A policy the check cannot read might hold a deny isolation rests on, or an allow that
    // breaks it: the estate is not checked until it can be.
    let unread = estate.principals.iter().flat_map(|p| p.unread.iter().map(move |u| (p, u)));
    let unread = unread.map(|(p, (stack, id, arn))| Diagnostic {
        at: origin(stack, id),
        ..Diagnostic::error(
            "ACC407",
            Path::root(),
            format!(
                "`{}` (stack {stack}, resource {id}) attaches the managed policy `{arn}`, which the isolation check cannot read: no stack of the estate exports it, or it is an AWS managed policy studioform does not know",
                p.name
            ),
        )
        .help("restore the policy ARN studioform wrote (after a hand edit), or report it: every policy studioform attaches is one of the estate's or a vendored AWS managed policy")
    });
    let violations = report.violations.iter().map(|v| Diagnostic {
        at: origin(&v.stack, &v.policy),
        ..Diagnostic::error(v.code, Path::root(), message(v)).help(if v.allowed {
            "this breaks the isolation studioform promises: report it, or restore the statement studioform wrote"
        } else {
            "this principal cannot do what the estate sets it up for: report it, or restore the statement studioform wrote"
        })
    });
    let diags = unread.chain(violations).collect();
    (report, diags)
}

/// One violation, for people.
pub fn message(v: &invariants::Violation) -> String {
    let statement = v.sid.as_deref().map(|s| format!(", statement {s}")).unwrap_or_default();
    let policy = if v.stack == "aws-managed" {
        format!("the AWS managed policy {}", v.policy)
    } else {
        format!("stack {}, policy {}", v.stack, v.policy)
    };
    match (v.allowed, &v.sid) {
        (true, _) => {
            format!("`{}` may {} on {} ({}): allowed by {policy}{statement}", v.principal, v.action, v.resource, v.what)
        }
        (false, Some(_)) => format!(
            "`{}` cannot {} on {} ({}): denied by {policy}{statement}",
            v.principal, v.action, v.resource, v.what
        ),
        (false, None) => {
            format!("`{}` cannot {} on {} ({}): no statement allows it", v.principal, v.action, v.resource, v.what)
        }
    }
}

/// How `studioform access` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For a terminal.
    Text,
    /// One JSON document: principals, every request with its decision, violations.
    Json,
    /// A pull-request comment.
    Markdown,
}

/// Reads the estate an output directory holds (its deployed stacks, as the manifest lists
/// them) and evaluates it.
pub fn read_output(out: &crate::output::OutDir) -> Result<invariants::Report, crate::Error> {
    use crate::output::FileKind;
    let Some(manifest) = out.read_manifest()? else {
        return Err(crate::Error::Publish {
            message: format!(
                "no {} in {}: run `studioform synth --out {}` first",
                crate::output::MANIFEST,
                out.path().display(),
                out.path().display()
            ),
        });
    };
    let mut templates = Vec::new();
    for e in &manifest.files {
        let (FileKind::Stack(kind), Some(name)) = (e.kind, &e.stack) else { continue };
        let Some(bytes) = out.read(&e.path)? else { continue };
        let text = String::from_utf8_lossy(&bytes);
        let path = out.path().join(&e.path);
        let bad = |why: String| crate::Error::BadOutput { path: path.clone(), why };
        let root = crate::yaml::parse(&text).map_err(|e| bad(e.message))?;
        let json = crate::validate::read::template(&root)
            .map_err(|d| bad(d.into_iter().map(|d| d.message).collect::<Vec<_>>().join("; ")))?;
        templates.push((name.clone(), kind, json));
    }
    let stacks: Vec<estate::Stack<'_>> =
        templates.iter().map(|(name, kind, t)| estate::Stack { name, kind: *kind, template: t }).collect();
    Ok(invariants::check(&estate::read(&stacks)))
}

/// Renders `report` for people or tools, keeping only principals whose name contains `who`.
pub fn render(org: &str, report: &invariants::Report, format: Format, who: Option<&str>) -> String {
    use std::fmt::Write as _;
    let keep = |name: &str| who.is_none_or(|w| name.contains(w));
    let principals: Vec<&(String, String)> = report.principals.iter().filter(|(n, _)| keep(n)).collect();
    let violations: Vec<&invariants::Violation> = report.violations.iter().filter(|v| keep(&v.principal)).collect();
    let breaking = violations.iter().filter(|v| v.allowed).count();
    let verdict = match (breaking, violations.len() - breaking) {
        (0, 0) => "isolation holds".to_owned(),
        (b, 0) => format!("{b} request(s) break isolation"),
        (0, d) => format!("isolation holds, but {d} request(s) the estate's setup needs are denied"),
        (b, d) => format!("{b} request(s) break isolation, and {d} request(s) the estate's setup needs are denied"),
    };
    let mut out = String::new();
    match format {
        Format::Json => {
            let probes: Vec<&invariants::Probe> = report.probes.iter().filter(|p| keep(&p.principal)).collect();
            let doc = serde_json::json!({
                "org": org,
                "principals": principals.iter().map(|(n, k)| serde_json::json!({"name": n, "is": k})).collect::<Vec<_>>(),
                "requests": report.requests,
                "probes": probes,
                "violations": violations,
                "locked_out": report.locked_out,
            });
            out = crate::render::json(&doc);
        }
        Format::Text => {
            let _ = writeln!(
                out,
                "{org}: {} principals, {} requests evaluated: {verdict}",
                report.principals.len(),
                report.requests
            );
            for v in &violations {
                let _ = writeln!(out, "violation[{}]: {}", v.code, message(v));
            }
            for id in &report.locked_out {
                let _ = writeln!(out, "warning: {id} cannot open their own Studio");
            }
            for (name, kind) in &principals {
                let _ = writeln!(out, "\n{name} ({kind})");
                for p in report.probes.iter().filter(|p| &p.principal == name) {
                    let mark = match (p.allowed, p.expected) {
                        (true, Some(false)) => "ALLOWED",
                        (false, Some(true)) => "DENIED ",
                        (true, _) => "may    ",
                        (false, _) => "may not",
                    };
                    let _ = writeln!(out, "  {mark} {} ({})", p.what, p.action);
                }
            }
        }
        Format::Markdown => {
            let _ = writeln!(out, "### studioform access: {org}\n");
            let _ = writeln!(
                out,
                "{} principals, {} requests evaluated: **{verdict}**.\n",
                report.principals.len(),
                report.requests
            );
            if !violations.is_empty() {
                let _ = writeln!(out, "| Code | Principal | Action | Resource | Decided by |\n|---|---|---|---|---|");
                for v in &violations {
                    let decided = match (v.allowed, &v.sid) {
                        (false, None) => "no statement allows it".to_owned(),
                        (allowed, sid) => format!(
                            "{} by {} {}{}",
                            if allowed { "allowed" } else { "denied" },
                            v.stack,
                            v.policy,
                            sid.as_deref().map(|s| format!(" ({s})")).unwrap_or_default()
                        ),
                    };
                    let _ = writeln!(
                        out,
                        "| {} | `{}` | `{}` | `{}` | {decided} |",
                        v.code, v.principal, v.action, v.resource
                    );
                }
                out.push('\n');
            }
            for (name, kind) in &principals {
                let _ = writeln!(out, "<details><summary><code>{name}</code>: {kind}</summary>\n");
                let _ = writeln!(out, "| Request | Action | Decision |\n|---|---|---|");
                for p in report.probes.iter().filter(|p| &p.principal == name) {
                    let decision = match (p.allowed, p.expected) {
                        (true, Some(false)) => "**allowed: breaks isolation**",
                        (false, Some(true)) => "**denied: should be allowed**",
                        (true, _) => "allowed",
                        (false, _) => "denied",
                    };
                    let _ = writeln!(out, "| {} | `{}` | {decision} |", p.what, p.action);
                }
                let _ = writeln!(out, "\n</details>\n");
            }
        }
    }
    out
}
