//! `identity` (how people sign in, the user tag, SAML and Identity Center settings) and
//! `admins`.

use super::*;

impl Checks {
    pub(super) fn identity(&mut self, org: &Org) {
        let id = &org.identity;
        let tag = &id.user_tag;
        let at = path!["identity", "user_tag"];
        if self.policy_safe(&at, tag, "tag key") {
            if tag.is_empty() || tag.len() > 128 || !tag.chars().all(is_tag_char) {
                self.err(
                    "CFG012",
                    at,
                    format!("`{tag}` is not a valid tag key"),
                    "use 1–128 letters, digits and `_ . : / = + - @` (e.g. `userId`)",
                );
            } else if tag.to_ascii_lowercase().starts_with("aws:") {
                self.err(
                    "CFG012",
                    at,
                    format!("tag key `{tag}` starts with `aws:`, which AWS reserves"),
                    "choose another key, e.g. `userId`",
                );
            } else if ids::RESERVED_TAGS.contains(&tag.as_str()) {
                self.err(
                    "CFG012",
                    at,
                    format!("tag key `{tag}` is the tag studioform isolates teams or owners with"),
                    "choose another key for people, e.g. `userId`",
                );
            }
        }
        match (id.mode, &id.saml_provider_arn) {
            (Mode::Saml, None) => self.err(
                "CFG013",
                path!["identity"],
                "identity mode `saml` needs `saml_provider_arn`".into(),
                "add `saml_provider_arn: arn:aws:iam::<account>:saml-provider/<name>` under `identity`",
            ),
            (Mode::Saml, Some(arn)) => {
                if !is_iam_arn(arn, &["saml-provider"]) {
                    self.err(
                        "CFG015",
                        path!["identity", "saml_provider_arn"],
                        format!("`{arn}` is not an IAM SAML provider ARN"),
                        "expected arn:aws:iam::<12-digit account>:saml-provider/<name>",
                    );
                }
            }
            (mode, Some(_)) => self.ignored(path!["identity", "saml_provider_arn"], "saml_provider_arn", mode, "saml"),
            (_, None) => {}
        }
        match (id.mode, &id.sso_instance_arn) {
            (Mode::Sso, None) => self.err(
                "CFG013",
                path!["identity"],
                "identity mode `sso` needs `sso_instance_arn`".into(),
                "add `sso_instance_arn: arn:aws:sso:::instance/ssoins-<16 characters>` under `identity`",
            ),
            (Mode::Sso, Some(arn)) => {
                let ok = arn.strip_prefix("arn:").and_then(|r| r.split_once(":sso:::instance/")).is_some_and(
                    |(partition, id)| {
                        PARTITIONS.contains(&partition) && {
                            let id = id.strip_prefix("ssoins-").or_else(|| id.strip_prefix("ins-")).unwrap_or("");
                            id.len() == 16 && id.chars().all(|c| c.is_ascii_alphanumeric())
                        }
                    },
                );
                if !ok {
                    self.err(
                        "CFG015",
                        path!["identity", "sso_instance_arn"],
                        format!("`{arn}` is not an IAM Identity Center instance ARN"),
                        "expected arn:aws:sso:::instance/ssoins-<16 letters and digits>",
                    );
                }
            }
            (mode, Some(_)) => self.ignored(path!["identity", "sso_instance_arn"], "sso_instance_arn", mode, "sso"),
            (_, None) => {}
        }
        if !id.admin_groups.is_empty() && id.mode != Mode::Sso {
            self.ignored(path!["identity", "admin_groups"], "admin_groups", id.mode, "sso");
        }
        for (i, g) in id.admin_groups.iter().enumerate() {
            self.group_id(&path!["identity", "admin_groups", i], g);
        }
    }

    pub(super) fn ignored(&mut self, at: Path, field: &str, mode: Mode, needs: &str) {
        let mode = match mode {
            Mode::Iam => "iam",
            Mode::Saml => "saml",
            Mode::Sso => "sso",
        };
        self.diags.push(
            Diagnostic::warning("CFG014", at, format!("`{field}` is ignored in identity mode `{mode}`"))
                .help(format!("remove it, or set `mode: {needs}`")),
        );
    }

    /// An Identity Center group or user id.
    pub(super) fn group_id(&mut self, at: &Path, id: &str) {
        let uuid = |s: &str| {
            let parts: Vec<&str> = s.split('-').collect();
            parts.len() == 5
                && [8, 4, 4, 4, 12]
                    .iter()
                    .zip(&parts)
                    .all(|(n, p)| p.len() == *n && p.chars().all(|c| c.is_ascii_hexdigit()))
        };
        let ok = uuid(id)
            || id.split_once('-').is_some_and(|(prefix, rest)| {
                prefix.len() == 10 && prefix.chars().all(|c| c.is_ascii_hexdigit()) && uuid(rest)
            });
        if !ok {
            self.err(
                "CFG033",
                at.clone(),
                format!("`{id}` is not an Identity Center group id"),
                "group ids look like a1b2c3d4-1111-2222-3333-444455556666 (see the group in the Identity Center console)",
            );
        }
    }

    pub(super) fn admins(&mut self, org: &Org) {
        let at = path!["admins", "principals"];
        let sso = org.identity.mode == Mode::Sso;
        if org.admins.principals.is_empty() && (!sso || org.identity.admin_groups.is_empty()) {
            let (message, help) = if sso {
                (
                    "no admin principals and no `identity.admin_groups`: nobody could create user profiles",
                    "list Identity Center group ids under `identity.admin_groups`, or IAM role ARNs under `admins.principals`",
                )
            } else {
                (
                    "no admin principals: nobody could create user profiles",
                    "list at least one IAM role ARN, e.g. arn:aws:iam::111122223333:role/CloudAdmin",
                )
            };
            self.err("CFG027", at.clone(), message.into(), help);
        }
        for (i, p) in org.admins.principals.iter().enumerate() {
            if self.policy_safe(&at.index(i), p, "principal ARN") && !is_iam_arn(p, &["role", "user"]) {
                self.err(
                    "CFG015",
                    at.index(i),
                    format!("`{p}` is not an IAM role or user ARN"),
                    "expected arn:aws:iam::<12-digit account>:role/<name> or :user/<name>",
                );
            }
        }
        self.no_duplicates(&at, org.admins.principals.iter().map(String::as_str), "principal");
    }
}
