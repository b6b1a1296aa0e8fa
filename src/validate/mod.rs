//! Checks templates: ours before they are written, and hand-written ones with `validate`.
//! Validation never changes a template.

pub mod limits;
pub mod read;

use crate::build::Bundle;
use crate::diag::Diagnostic;

/// Checks every template of a bundle. Findings about our own output point at the org-file
/// entry the offending resource came from, so the user knows what to change.
pub fn bundle(bundle: &Bundle) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for stack in &bundle.stacks {
        let json = stack.template.to_json();
        for d in limits::check(&json) {
            out.push(Diagnostic { message: format!("stack {}: {}", stack.name, d.message), ..d });
        }
    }
    out
}
