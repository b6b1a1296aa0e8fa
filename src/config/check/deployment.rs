//! `deployment`: the model-deployment role.

use super::*;

impl Checks {
    pub(super) fn deployment(&mut self, org: &Org) {
        let Some(d) = &org.deployment else { return };
        let at = path!["deployment", "pass_role_principals"];
        for (i, p) in d.pass_role_principals.iter().enumerate() {
            if self.policy_safe(&at.index(i), p, "principal ARN") && !is_iam_arn(p, &["role", "user"]) {
                self.err(
                    "CFG015",
                    at.index(i),
                    format!("`{p}` is not an IAM role or user ARN"),
                    "expected arn:aws:iam::<12-digit account>:role/<name>",
                );
            }
        }
        if !d.role && !d.pass_role_principals.is_empty() {
            self.diags.push(
                Diagnostic::warning("CFG014", at, "`pass_role_principals` is ignored while `role` is false")
                    .help("set `role: true`, or remove them"),
            );
        }
    }
}
