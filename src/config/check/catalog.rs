//! `catalog` (the Service Catalog portfolio and its products) and `accounts` (where it is
//! shared).

use std::collections::HashMap;

use super::*;

impl Checks {
    pub(super) fn catalog(&mut self, org: &Org) {
        let Some(cat) = &org.catalog else { return };
        for (field, value, max) in [
            ("portfolio", Some(&cat.portfolio), 100),
            ("provider", Some(&cat.provider), 50),
            ("description", cat.description.as_ref(), 2000),
        ] {
            let Some(value) = value else { continue };
            let len = value.chars().count();
            if len == 0 || len > max {
                self.err(
                    "CFG017",
                    path!["catalog", field],
                    format!("catalog {field} is {len} characters; Service Catalog takes 1 to {max}"),
                    "shorten it",
                );
            }
        }
        for (i, p) in cat.launch_principals.iter().enumerate() {
            let at = path!["catalog", "launch_principals", i];
            if self.policy_safe(&at, p, "principal ARN") && !is_iam_arn(p, &["role", "user", "group"]) {
                self.err(
                    "CFG015",
                    at,
                    format!("`{p}` is not an IAM role, user or group ARN"),
                    "expected arn:aws:iam::<12-digit account>:role/<name>",
                );
            }
        }
        self.no_duplicates(
            &path!["catalog", "launch_principals"],
            cat.launch_principals.iter().map(String::as_str),
            "principal",
        );
        self.ids(
            &path!["catalog", "share_with_accounts"],
            &cat.share_with_accounts,
            Id { valid: is_account, code: "CFG031", kind: "an AWS account id", noun: "account" },
            "account ids are 12 digits; quote them so YAML keeps leading zeros: \"012345678901\"",
        );
        if !cat.organizational_units.is_empty() {
            // Rolled out to many accounts, principals are matched by name alone.
            let mut seen: HashMap<&str, usize> = HashMap::new();
            for (i, arn) in cat.launch_principals.iter().enumerate() {
                let Some(name) = arn.splitn(6, ':').nth(5) else { continue };
                if let Some(&first) = seen.get(name) {
                    if cat.launch_principals[first] != *arn {
                        self.err(
                            "CFG020",
                            path!["catalog", "launch_principals", i],
                            format!(
                                "`{arn}` and `{}` are the same principal, `{name}`, in every account the organizational units roll the portfolio out to",
                                cat.launch_principals[first]
                            ),
                            "keep one of them: each account's own principal of that name may launch",
                        );
                    }
                } else {
                    seen.insert(name, i);
                }
            }
        }
        self.ids(
            &path!["catalog", "organizational_units"],
            &cat.organizational_units,
            Id {
                valid: is_organizational_unit,
                code: "CFG034",
                kind: "an AWS Organizations unit or root id",
                noun: "organizational unit",
            },
            "unit ids look like ou-ab12-34cd56ef and the root like r-ab12 (AWS Organizations console, or `aws organizations list-roots`)",
        );
        let mut seen = Vec::new();
        for (i, p) in cat.products.iter().enumerate() {
            if seen.contains(p) {
                self.err(
                    "CFG020",
                    path!["catalog", "products", i],
                    format!("product `{}` is listed twice", p.name()),
                    "remove the repeat",
                );
            }
            seen.push(*p);
        }
        let mut names: Vec<String> = cat.products.iter().map(|p| p.name().to_owned()).collect();
        let team_part = cat.products.contains(&crate::config::BuiltinProduct::Team);
        for (i, custom) in cat.custom.iter().enumerate() {
            let c = custom.template();
            let at = match custom {
                crate::config::CustomProduct::Path(_) => path!["catalog", "custom", i],
                crate::config::CustomProduct::Declared(_) => path!["catalog", "custom", i, "template"],
            };
            let name = custom_product_name(c);
            let relative = std::path::Path::new(c)
                .components()
                .all(|p| matches!(p, std::path::Component::Normal(_) | std::path::Component::CurDir));
            if !relative || c.contains('\\') {
                self.err(
                    "CFG041",
                    at,
                    format!("custom product template `{c}` is outside the org file's directory"),
                    "give a path relative to the org file, without `..`, and keep the template in its directory or below",
                );
            } else if !c.ends_with(".hbs") || !ids::is_lower_name(&name, 40) {
                self.err(
                    "CFG032",
                    at,
                    format!("custom product template `{c}` must be a `<name>.yaml.hbs`, `<name>.yml.hbs` or `<name>.json.hbs` file with a lowercase name"),
                    format!(
                        "rename it `{}`: the name before the extension is the product's, 1–40 lowercase letters, digits and hyphens",
                        template_file_name(c)
                    ),
                );
            } else if names.contains(&name) {
                self.err("CFG020", at, format!("product name `{name}` is used twice"), "rename one of the templates");
            } else if team_part && ids::team_product_part(&name).is_some() {
                self.err(
                    "CFG020",
                    at,
                    format!(
                        "product name `{name}` is reserved: parts of the team product are named `team-2`, `team-3`..."
                    ),
                    "rename the template, e.g. `team-tools.yaml.hbs`",
                );
            }
            names.push(name);
        }
    }

    /// Principals of one account: policies are attached to principals by name, in the account
    /// the stacks are deployed to, so a principal of another account would get nothing, and a
    /// role of the same name in this account would get it instead.
    pub(super) fn accounts(&mut self, org: &Org) {
        let mut arns: Vec<(Path, &str)> = Vec::new();
        if let Some(arn) = &org.identity.saml_provider_arn {
            arns.push((path!["identity", "saml_provider_arn"], arn));
        }
        for (i, p) in org.admins.principals.iter().enumerate() {
            arns.push((path!["admins", "principals", i], p));
        }
        if let Some(d) = org.deployment.as_ref().filter(|d| d.role) {
            for (i, p) in d.pass_role_principals.iter().enumerate() {
                arns.push((path!["deployment", "pass_role_principals", i], p));
            }
        }
        // Rolled out to organizational units, launch principals are matched by name in each
        // account, whatever account their ARN names.
        if let Some(cat) = org.catalog.as_ref().filter(|c| c.organizational_units.is_empty()) {
            for (i, p) in cat.launch_principals.iter().enumerate() {
                arns.push((path!["catalog", "launch_principals", i], p));
            }
        }
        let accounts: Vec<(Path, &str, &str)> =
            arns.into_iter().filter_map(|(at, arn)| split_arn(arn).map(|p| (at, arn, p[4]))).collect();
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for (_, _, account) in &accounts {
            match counts.iter_mut().find(|(a, _)| a == account) {
                Some((_, n)) => *n += 1,
                None => counts.push((account, 1)),
            }
        }
        if counts.len() < 2 {
            return;
        }
        // The account most principals name, the first of them on a tie.
        let most = counts.iter().map(|(_, n)| *n).max().unwrap_or(0);
        let Some(&(home, _)) = counts.iter().find(|(_, n)| *n == most) else { return };
        for (at, arn, account) in accounts.iter().filter(|(_, _, a)| *a != home) {
            self.err(
                "CFG044",
                at.clone(),
                format!(
                    "`{arn}` is in account {account}, but the estate's other principals are in account {home}: studioform attaches policies to principals by name in the account its stacks are deployed to"
                ),
                format!("name a principal of account {home}; for another account, write a separate org file and deploy it there"),
            );
        }
    }
}

/// What a custom template at `path` would be called with an accepted extension and a product
/// name: `products/Team_Bucket.yml` becomes `products/team-bucket.yml.hbs`.
fn template_file_name(path: &str) -> String {
    let (folder, file) = path.rsplit_once('/').map_or(("", path), |(d, f)| (d, f));
    let file = file.strip_suffix(".hbs").unwrap_or(file);
    let (stem, ext) = [".yaml", ".yml", ".json"]
        .iter()
        .find_map(|e| file.strip_suffix(e).map(|stem| (stem, *e)))
        .unwrap_or((file.split('.').next().unwrap_or(file), ".yaml"));
    let mut name: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    while name.contains("--") {
        name = name.replace("--", "-");
    }
    let name = name.trim_matches('-');
    let name = if name.is_empty() { "product" } else { name };
    let name: String = name.chars().take(40).collect();
    if folder.is_empty() { format!("{name}{ext}.hbs") } else { format!("{folder}/{name}{ext}.hbs") }
}
