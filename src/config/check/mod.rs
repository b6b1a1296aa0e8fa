//! Semantic checks of a well-shaped org file: names against AWS's own patterns, references
//! between sections, duplicates, and anything that would widen a policy or an ARN.
//! Every check runs; all findings come back together. One file per section of the org file;
//! what several sections share (names safe in a policy, ids, references) is here.

mod catalog;
mod deployment;
mod identity;
mod instances;
mod mlflow;
mod network;
mod teams;

use std::collections::HashMap;

use super::{Mode, Org, VERSION};
use crate::diag::{Diagnostic, did_you_mean};
use crate::ids;
use crate::path;
use crate::path::Path;

/// Runs every semantic check.
pub(super) fn check(org: &Org) -> Vec<Diagnostic> {
    let mut c = Checks { diags: Vec::new(), helps: HashMap::new() };
    c.top(org);
    c.identity(org);
    c.network(org);
    c.admins(org);
    c.domains(org);
    c.teams(org);
    c.team_identities(org);
    c.users(org);
    c.personas(org);
    c.mlflow(org);
    c.deployment(org);
    c.catalog(org);
    c.accounts(org);
    c.diags
}

struct Checks {
    diags: Vec<Diagnostic>,
    /// The help of an unknown reference, by what it names and the name: thousands of people
    /// pointing at one missing team get one search among the teams, not one each.
    helps: HashMap<(String, String), String>,
}

/// The personas studioform defines.
pub(crate) const BUILTIN_PERSONAS: [&str; 3] = ["data-scientist", "mlops", "compute"];

/// AWS partitions an ARN may name.
const PARTITIONS: [&str; 5] = ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b"];

impl Checks {
    fn err(&mut self, code: &'static str, at: Path, message: String, help: impl Into<String>) {
        self.diags.push(Diagnostic::error(code, at, message).help(help));
    }

    /// Rejects characters that IAM or ARNs would read as something other than text (see
    /// [`policy_clean`] for the quick test).
    /// Returns false when it reported a problem.
    fn policy_safe(&mut self, at: &Path, value: &str, what: &str) -> bool {
        let bad = if value.contains("${") {
            Some(("`${`", "which starts an IAM policy variable: the policy would match other people's values"))
        } else if value.contains('*') {
            Some(("`*`", "an IAM wildcard: the policy would match more than this name"))
        } else if value.contains('?') {
            Some(("`?`", "an IAM wildcard: the policy would match more than this name"))
        } else if value.contains(['"', '\'', '`']) {
            Some(("a quote", "which would end the string it is pasted into"))
        } else if value.chars().any(char::is_control) {
            Some(("a control character", "which no AWS name allows"))
        } else if value.chars().any(char::is_whitespace) {
            Some(("whitespace", "which no name that reaches a policy or ARN allows"))
        } else {
            None
        };
        let Some((thing, why)) = bad else { return true };
        self.err(
            "CFG030",
            at.clone(),
            format!("{what} `{value}` contains {thing}, {why}"),
            format!("remove {thing} from the {what}"),
        );
        false
    }

    fn top(&mut self, org: &Org) {
        if org.version != VERSION {
            self.err(
                "CFG010",
                path!["version"],
                format!("org-file version {} is not supported", org.version),
                format!("this studioform reads version {VERSION}; write `version: {VERSION}`"),
            );
        }
        let name = &org.name;
        let well_formed = ids::is_lower_name(name, 20) && name.starts_with(|c: char| c.is_ascii_lowercase());
        if self.policy_safe(&path!["name"], name, "org name") && !well_formed {
            self.err(
                "CFG011",
                path!["name"],
                format!("org name `{name}` is not a short lowercase name"),
                "use 1–20 lowercase letters, digits and single hyphens, starting with a letter (e.g. `acme`)",
            );
        }
        if org.domains.is_empty() {
            self.err(
                "CFG027",
                path!["domains"],
                "no domains: the estate needs at least one".into(),
                "add `- name: research` under `domains:`",
            );
        }
        if org.teams.is_empty() {
            self.err(
                "CFG027",
                path!["teams"],
                "no teams: every person belongs to a team".into(),
                "add a team under `teams:`",
            );
        }
    }

    fn resource_id(&mut self, at: &Path, value: &str, prefix: &str, what: &str) {
        let ok = value.strip_prefix(prefix).and_then(|r| r.strip_prefix('-')).is_some_and(|hex| {
            (8..=17).contains(&hex.len()) && hex.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        });
        if !ok {
            self.err(
                "CFG016",
                at.clone(),
                format!("`{value}` is not a {what}"),
                format!(
                    "expected `{prefix}-` followed by 8 or 17 lowercase hex digits, e.g. {prefix}-0abc1234def567890"
                ),
            );
        }
    }

    fn no_duplicates<'v>(&mut self, at: &Path, values: impl Iterator<Item = &'v str>, what: &str) {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, v) in values.enumerate() {
            if let Some(first) = seen.insert(v, i) {
                seen.insert(v, first);
                self.err(
                    "CFG020",
                    at.index(i),
                    format!("{what} `{v}` is listed twice (first at {})", at.index(first)),
                    "remove the repeat",
                );
            }
        }
    }

    /// Checks each id of `list` (at `at`), then that none is listed twice.
    fn ids(&mut self, at: &Path, list: &[String], id: Id, help: &str) {
        for (i, v) in list.iter().enumerate() {
            if !(id.valid)(v) {
                self.err(id.code, at.index(i), format!("`{v}` is not {}", id.kind), help);
            }
        }
        self.no_duplicates(at, list.iter().map(String::as_str), id.noun);
    }

    fn person_id(&mut self, at: impl FnOnce() -> Path, id: &str, mode: Mode) {
        let (max, extra, what): (usize, &[char], &str) = match mode {
            Mode::Iam => (64, &[], "an IAM user name"),
            Mode::Saml => (256, &[':', '/'], "a session tag value"),
            Mode::Sso => (128, &[], "an Identity Center user name"),
        };
        let ok = !id.is_empty()
            && id.chars().count() <= max
            && id.chars().all(|c| c.is_ascii_alphanumeric() || "_.=+@-".contains(c) || extra.contains(&c));
        if !ok {
            let allowed = if extra.is_empty() {
                "letters, digits and `_ . = + @ -`"
            } else {
                "letters, digits and `_ . : / = + @ -`"
            };
            self.err(
                "CFG025",
                at(),
                format!("person id `{id}` is not usable as {what} and a tag value"),
                format!("use 1–{max} {allowed}"),
            );
        }
    }

    /// A `previous_name` equal to the name it was renamed to says nothing.
    fn previous_name(&mut self, at: Path, previous: &str, name: &str, what: &str) {
        if previous == name {
            self.diags.push(
                Diagnostic::warning("CFG036", at, format!("the {what}'s previous name is its name, `{name}`")).help(
                    "remove `previous_name`; set it only when renaming, to the name the resources were created with",
                ),
            );
        }
    }

    fn unknown_ref(&mut self, at: Path, value: &str, what: &str, known: &[&str]) {
        let key = (what.to_owned(), value.to_owned());
        let help = match self.helps.get(&key) {
            Some(help) => help.clone(),
            None => {
                let help = unknown_ref_help(value, what, known);
                self.helps.insert(key, help.clone());
                help
            }
        };
        self.err("CFG021", at, format!("unknown {what} `{value}`"), help);
    }
}

/// What to write instead of `value`, an unknown `what`: the closest of the `known` names,
/// and the names there are.
fn unknown_ref_help(value: &str, what: &str, known: &[&str]) -> String {
    // Each name once, however often it is (wrongly) defined.
    let mut seen = std::collections::HashSet::with_capacity(known.len());
    let listed: Vec<&str> = known.iter().copied().filter(|k| seen.insert(*k)).collect();
    let known = &listed;
    // A help line a reader can take in: the first names, and how many more.
    const LISTED: usize = 20;
    let mut list = known.iter().take(LISTED).map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
    if known.len() > LISTED {
        list.push_str(&format!(" and {} more", known.len() - LISTED));
    }
    match did_you_mean(value, known) {
        Some(best) => format!("did you mean `{best}`? {what}s defined: {list}"),
        None if known.is_empty() => format!("no {what}s are defined; add one under `{what}s:`"),
        None => format!("{what}s defined: {list}"),
    }
}

/// The product name of a custom template path: its file name without `.yaml.hbs`.
pub(crate) fn custom_product_name(path: &str) -> String {
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let stem = file.strip_suffix(".hbs").unwrap_or(file);
    stem.strip_suffix(".yaml")
        .or_else(|| stem.strip_suffix(".yml"))
        .or_else(|| stem.strip_suffix(".json"))
        .unwrap_or(stem)
        .to_owned()
}

fn is_tag_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_.:/=+@-".contains(c)
}

fn split_arn(arn: &str) -> Option<[&str; 6]> {
    let mut parts = arn.splitn(6, ':');
    let p = [parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?];
    (p[0] == "arn" && PARTITIONS.contains(&p[1])).then_some(p)
}

fn is_account(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_iam_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)
}

/// `arn:<partition>:iam::<account>:<kind>/<path.../>name` for one of `kinds`.
fn is_iam_arn(arn: &str, kinds: &[&str]) -> bool {
    let Some([_, _, service, region, account, resource]) = split_arn(arn) else { return false };
    let Some((kind, rest)) = resource.split_once('/') else { return false };
    service == "iam"
        && region.is_empty()
        && is_account(account)
        && kinds.contains(&kind)
        && rest.split('/').all(|seg| !seg.is_empty() && seg.len() <= 128 && seg.chars().all(is_iam_name_char))
}

fn is_kms_key_arn(arn: &str) -> bool {
    let Some([_, _, service, region, account, resource]) = split_arn(arn) else { return false };
    service == "kms"
        && !region.is_empty()
        && region.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && is_account(account)
        && resource
            .strip_prefix("key/")
            .is_some_and(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
}

fn is_instance_type(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    let word = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    // `ml.c7i-flex.large`: a family may have a hyphenated suffix.
    parts.len() == 3 && parts[0] == "ml" && parts[1].split('-').all(word) && word(parts[2])
}

/// The help for a bucket that is not a bucket name: the name inside an ARN or an `s3://`
/// URL it was given as, else `default`.
fn bucket_help(b: &str, default: &str) -> String {
    let name = b
        .strip_prefix("s3://")
        .or_else(|| split_arn(b).filter(|a| a[2] == "s3").map(|a| a[5]))
        .map(|rest| rest.split('/').next().unwrap_or(rest))
        .filter(|name| bucket_problem(name).is_none());
    match name {
        Some(name) => format!("write the bucket's name, `{name}`, not its ARN or URL"),
        None => default.to_owned(),
    }
}

/// Why `b` is not a valid general-purpose S3 bucket name, if it is not.
/// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html>
fn bucket_problem(b: &str) -> Option<&'static str> {
    if !(3..=63).contains(&b.len()) {
        return Some("it must be 3 to 63 characters long");
    }
    if !b.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-') {
        return Some("only lowercase letters, digits, dots and hyphens are allowed");
    }
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !edge(b.chars().next()) || !edge(b.chars().last()) {
        return Some("it must start and end with a letter or digit");
    }
    if b.contains("..") || b.contains(".-") || b.contains("-.") {
        return Some("dots may not be next to each other or to a hyphen");
    }
    if b.split('.').count() == 4 && b.split('.').all(|p| p.parse::<u8>().is_ok()) {
        return Some("it must not look like an IP address");
    }
    if b.starts_with("xn--") || b.starts_with("sthree-") || b.starts_with("amzn-s3-demo-") {
        return Some("that prefix is reserved by AWS");
    }
    if b.ends_with("-s3alias") || b.ends_with("--ol-s3") || b.ends_with(".mrap") || b.ends_with("--x-s3") {
        return Some("that suffix is reserved by AWS");
    }
    None
}

/// A kind of id in a list of them.
struct Id {
    /// Whether a value is one.
    valid: fn(&str) -> bool,
    /// The finding code for one that is not.
    code: &'static str,
    /// What it must be, with its article (`an AWS account id`).
    kind: &'static str,
    /// What one is called when listed twice (`account`).
    noun: &'static str,
}

/// `ou-<4-32>-<8-32>` or `r-<4-32>`, lowercase letters and digits, as AWS Organizations writes them.
fn is_organizational_unit(id: &str) -> bool {
    let part = |s: &str, min: usize| {
        (min..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    match id.strip_prefix("ou-").and_then(|rest| rest.split_once('-')) {
        Some((root, unit)) => part(root, 4) && part(unit, 8),
        None => id.strip_prefix("r-").is_some_and(|root| part(root, 4)),
    }
}

/// True when `value` has none of the characters [`Checks::policy_safe`] reports.
fn policy_clean(value: &str) -> bool {
    !value.contains("${")
        && !value.chars().any(|c| matches!(c, '*' | '?' | '"' | '\'' | '`') || c.is_control() || c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_organizations_ids() {
        for ok in ["ou-ab12-34cd56ef", "r-ab12", "ou-abcd-0123456789abcdef"] {
            assert!(is_organizational_unit(ok), "{ok}");
        }
        for bad in ["ou-AB12-34cd56ef", "ou-ab1-34cd56ef", "ou-ab12-34cd56e", "ou-ab12", "r-ab1", "ab12", ""] {
            assert!(!is_organizational_unit(bad), "{bad}");
        }
    }

    #[test]
    fn knows_bucket_rules() {
        assert_eq!(bucket_problem("acme-vision-data"), None);
        assert!(bucket_problem("Acme").is_some());
        assert!(bucket_problem("ab").is_some());
        assert!(bucket_problem("a..b").is_some());
        assert!(bucket_problem("192.168.1.1").is_some());
        assert!(bucket_problem("-abc").is_some());
    }

    #[test]
    fn knows_arns() {
        assert!(is_iam_arn("arn:aws:iam::111122223333:role/CloudAdmin", &["role", "user"]));
        assert!(is_iam_arn("arn:aws:iam::111122223333:role/ops/CloudAdmin", &["role"]));
        assert!(!is_iam_arn("arn:aws:iam::111122223333:role/", &["role"]));
        assert!(!is_iam_arn("arn:aws:iam::1111:role/x", &["role"]));
        assert!(!is_iam_arn("arn:aws:s3:::bucket", &["role"]));
        assert!(is_kms_key_arn("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"));
        assert!(!is_kms_key_arn("arn:aws:kms:us-east-1:111122223333:alias/x"));
    }

    #[test]
    fn knows_instance_types() {
        assert!(is_instance_type("ml.g5.12xlarge"));
        assert!(!is_instance_type("g5.xlarge"));
        assert!(!is_instance_type("ml.g5"));
    }
}
