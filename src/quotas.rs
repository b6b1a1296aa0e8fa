//! Account and region quotas, checked across the whole estate: what one template cannot see
//! (stacks per account, roles and policies per account, policies per role or group, products
//! and principals per portfolio). The quotas are data, `schemas/quotas.json`, with their
//! defaults, whether AWS raises them, and their sources; the org file's `quotas:` declares
//! values AWS raised for the account.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

use crate::config::Org;
use crate::diag::Diagnostic;
use crate::estate::layout::StackKind;
use crate::estate::{Bundle, Stack};
use crate::path;
use crate::path::Path;

/// One quota of `schemas/quotas.json`.
#[derive(Clone, Debug, Deserialize)]
pub struct Quota {
    /// Its key under the org file's `quotas:`.
    pub id: String,
    /// Its name in Service Quotas.
    pub name: String,
    /// What it counts, for people.
    pub what: String,
    /// The Service Quotas service code.
    pub service: String,
    /// The Service Quotas quota code; none for quotas that cannot be raised.
    pub code: Option<String>,
    /// AWS's default value.
    pub default: u64,
    /// Whether AWS raises it on request.
    pub adjustable: bool,
    /// Where the default comes from.
    pub source: String,
}

#[derive(Deserialize)]
struct Data {
    quotas: Vec<Quota>,
}

/// Every quota studioform checks.
pub fn all() -> &'static [Quota] {
    static DATA: OnceLock<Vec<Quota>> = OnceLock::new();
    DATA.get_or_init(|| {
        serde_json::from_str::<Data>(include_str!("../schemas/quotas.json")).map(|d| d.quotas).unwrap_or_default()
    })
}

/// The quota `id`.
fn quota(id: &str) -> Option<&'static Quota> {
    all().iter().find(|q| q.id == id)
}

/// One count against a quota: how many, and where in the org file the count comes from.
struct Count {
    quota: &'static str,
    /// The thing counted when the quota is per thing (a role, a portfolio...).
    of: Option<String>,
    n: u64,
    at: Path,
    /// Whether `at` is a section, pointed at by its key rather than its first entry.
    section: bool,
    /// What makes up the count, for people.
    detail: String,
}

/// Checks the estate `bundle` built from `org` against every account and region quota.
pub fn check(org: &Org, bundle: &Bundle) -> Vec<Diagnostic> {
    counts(org, bundle).into_iter().filter_map(|c| finding(org, &c)).collect()
}

fn finding(org: &Org, count: &Count) -> Option<Diagnostic> {
    let q = quota(count.quota)?;
    let declared = org.quotas.declared(&q.id);
    let limit = declared.unwrap_or(q.default);
    if count.n <= limit {
        return None;
    }
    let of = count.of.as_ref().map(|o| format!(" ({o})")).unwrap_or_default();
    let whose = if declared.is_some() { "the value declared in `quotas`" } else { "AWS's default" };
    let message = format!(
        "{}{of}: the estate needs {}, over {whose} of {} (quota \"{}\"); {}",
        q.what,
        thousands(count.n),
        thousands(limit),
        q.name,
        count.detail
    );
    let help = match (&q.code, q.adjustable) {
        (Some(code), true) => {
            // IAM's quotas are global, served from us-east-1; the others are per region.
            let region = if q.service == "iam" { " --region us-east-1" } else { " --region <region>" };
            format!(
                "ask AWS to raise it: `aws service-quotas request-service-quota-increase --service-code {} --quota-code {code} --desired-value {}{region}`, then declare the granted value in the org file: `quotas: {{{}: {}}}`",
                q.service, count.n, q.id, count.n
            )
        }
        _ => format!("AWS does not raise this quota ({}): {}", q.source, fixed_help(&q.id)),
    };
    let d = Diagnostic::error("QTA101", count.at.clone(), message).help(help);
    Some(if count.section { d.on_key() } else { d })
}

/// What to do about a quota AWS does not raise.
fn fixed_help(id: &str) -> &'static str {
    match id {
        "servicecatalog_tag_options_per_resource" => {
            "turn `catalog.tag_options` off (team roles carry their team tag anyway), or split the teams over several orgs"
        }
        "servicecatalog_iam_pattern_principals_per_portfolio" => {
            "name fewer launch principals: put the launchers in one role per account"
        }
        "iam_managed_policies_per_group" => "fewer policies must be attached to the group",
        _ => "shrink the estate or split it over several accounts",
    }
}

/// `12345` → `12,345`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn resources(stack: &Stack) -> impl Iterator<Item = (&String, &Value)> {
    stack.json().get("Resources").and_then(Value::as_object).into_iter().flatten()
}

fn of_type<'a>(stack: &'a Stack, kind: &'a str) -> impl Iterator<Item = (&'a String, &'a Value)> + 'a {
    resources(stack).filter(move |(_, r)| r.get("Type").and_then(Value::as_str) == Some(kind))
}

fn list_len(props: &Value, key: &str) -> u64 {
    props.get(key).and_then(Value::as_array).map_or(0, |a| a.len() as u64)
}

/// The section of the org file most stacks come from, to point at.
fn biggest(parts: &[(&str, u64)]) -> Path {
    let key = parts.iter().max_by_key(|(_, n)| *n).map_or("teams", |(k, _)| *k);
    path![key]
}

fn counts(org: &Org, bundle: &Bundle) -> Vec<Count> {
    // What the estate's own (workload) account and region deploy: not the management
    // account's StackSet, Identity Center's stack, what share recipients deploy, or product
    // templates (stacks only once launched).
    let workload: Vec<&Stack> = bundle.stacks.iter().filter(|s| s.kind.account() == Some("workload")).collect();
    let mut out = Vec::new();

    // Stacks, roles and customer managed policies of the workload account.
    let mut by_kind: Vec<(&str, u64)> = Vec::new();
    for s in &workload {
        let label = match s.kind {
            StackKind::Team => "teams",
            StackKind::Users => "users",
            StackKind::Domain => "domains",
            StackKind::Access => "access",
            StackKind::Mlflow => "mlflow",
            StackKind::Deployment => "deployment",
            _ => "catalog",
        };
        match by_kind.iter_mut().find(|(l, _)| *l == label) {
            Some((_, n)) => *n += 1,
            None => by_kind.push((label, 1)),
        }
    }
    by_kind.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let parts: Vec<(&str, u64)> =
        by_kind.iter().copied().filter(|(k, _)| ["teams", "users", "domains"].contains(k)).collect();
    let detail = by_kind.iter().map(|(k, n)| format!("{} for {k}", thousands(*n))).collect::<Vec<_>>().join(", ");
    out.push(Count {
        quota: "cloudformation_stacks",
        of: None,
        n: workload.len() as u64,
        at: biggest(&parts),
        section: true,
        detail: format!("{detail}, before any product is launched"),
    });
    for (quota, kind) in [("iam_roles", "AWS::IAM::Role"), ("iam_managed_policies", "AWS::IAM::ManagedPolicy")] {
        let mut per: BTreeMap<&str, u64> = BTreeMap::new();
        for s in &workload {
            let n = of_type(s, kind).count() as u64;
            if n > 0 {
                let section = if s.kind == StackKind::Team { "teams" } else { "other stacks" };
                *per.entry(section).or_default() += n;
            }
        }
        let n = per.values().sum();
        let detail = per.iter().map(|(k, n)| format!("{} in {k}", thousands(*n))).collect::<Vec<_>>().join(", ");
        out.push(Count {
            quota,
            of: None,
            n,
            at: path!["teams"],
            section: true,
            detail: format!("{detail}, before any product is launched"),
        });
    }

    // Managed policies per role and per group: attached by the role or group itself, or by a
    // policy naming it (the admins' roles, which the estate does not create).
    let mut named: BTreeMap<(&str, String), (u64, Path)> = BTreeMap::new();
    for s in &workload {
        for (id, policy) in of_type(s, "AWS::IAM::ManagedPolicy") {
            for (key, what) in [("Roles", "role"), ("Groups", "group")] {
                for target in
                    policy.pointer(&format!("/Properties/{key}")).and_then(Value::as_array).into_iter().flatten()
                {
                    let name = match target.as_str() {
                        Some(n) => n.to_owned(),
                        None => match target.get("Ref").and_then(Value::as_str) {
                            Some(r) => format!("{}:{r}", s.name),
                            None => continue,
                        },
                    };
                    let at = s.origin_of(id).unwrap_or_else(Path::root);
                    named.entry((what, name)).or_insert((0, at)).0 += 1;
                }
            }
        }
    }
    // Every attachment is known before any role is counted: a policy of one stack may name a
    // role of another (a team's policies on its domain's default role).
    for s in &workload {
        for (kind, what, name_key) in
            [("AWS::IAM::Role", "role", "RoleName"), ("AWS::IAM::Group", "group", "GroupName")]
        {
            for (id, r) in of_type(s, kind) {
                let props = r.get("Properties").unwrap_or(&Value::Null);
                let n = list_len(props, "ManagedPolicyArns");
                let by_ref = named.remove(&(what, format!("{}:{id}", s.name))).map_or(0, |(n, _)| n);
                let name = props
                    .get(name_key)
                    .and_then(Value::as_str)
                    .map_or_else(|| format!("{id} of stack {}", s.name), str::to_owned);
                let by_name = named.remove(&(what, name.clone())).map_or(0, |(n, _)| n);
                out.push(Count {
                    quota: if what == "role" {
                        "iam_managed_policies_per_role"
                    } else {
                        "iam_managed_policies_per_group"
                    },
                    of: Some(format!("{what} {name}")),
                    n: n + by_ref + by_name,
                    at: s.origin_of(id).unwrap_or_else(Path::root),
                    section: false,
                    detail: format!("the estate attaches {} to it", n + by_ref + by_name),
                });
            }
        }
    }
    // Roles and groups the estate does not create: what it attaches comes on top of theirs.
    for ((what, name), (n, _)) in named {
        if name.contains(':') {
            continue;
        }
        let at = org
            .admins
            .principals
            .iter()
            .position(|arn| arn.ends_with(&format!("/{name}")))
            .map_or_else(|| path!["admins"], |i| path!["admins", "principals", i]);
        out.push(Count {
            quota: if what == "role" { "iam_managed_policies_per_role" } else { "iam_managed_policies_per_group" },
            of: Some(format!("{what} {name}")),
            n,
            at,
            section: false,
            detail: format!("the estate attaches {n} to it, besides those it already has"),
        });
    }

    // Per portfolio: products, their versions, principals, TagOptions.
    for s in bundle.stacks.iter().filter(|s| matches!(s.kind, StackKind::Portfolio | StackKind::Recipient)) {
        let products: Vec<(&String, &Value)> = of_type(s, "AWS::ServiceCatalog::CloudFormationProduct").collect();
        if !products.is_empty() {
            let n = products.len() as u64;
            for quota in ["servicecatalog_products_per_portfolio", "servicecatalog_products"] {
                out.push(Count {
                    quota,
                    of: Some(format!("stack {}", s.name)),
                    n,
                    at: path!["catalog", "products"],
                    section: true,
                    detail: format!(
                        "{n} products: the built-in ones (the team product in parts of 100 teams) and the custom ones"
                    ),
                });
            }
        }
        for (id, product) in &products {
            let n = product
                .pointer("/Properties/ProvisioningArtifactParameters")
                .and_then(Value::as_array)
                .map_or(0, Vec::len) as u64;
            out.push(Count {
                quota: "servicecatalog_versions_per_product",
                of: Some(format!("{id} of stack {}", s.name)),
                n,
                at: s.origin_of(id).unwrap_or_else(|| path!["catalog"]),
                section: false,
                detail: "every template that changed got a version, kept so launched products can update".into(),
            });
        }
        let principals: Vec<&Value> =
            of_type(s, "AWS::ServiceCatalog::PortfolioPrincipalAssociation").map(|(_, r)| r).collect();
        let patterns = principals
            .iter()
            .filter(|r| r.pointer("/Properties/PrincipalType").and_then(Value::as_str) == Some("IAM_PATTERN"))
            .count() as u64;
        for (quota, n) in [
            ("servicecatalog_principals_per_portfolio", principals.len() as u64),
            ("servicecatalog_iam_pattern_principals_per_portfolio", patterns),
        ] {
            out.push(Count {
                quota,
                of: Some(format!("stack {}", s.name)),
                n,
                at: path!["catalog", "launch_principals"],
                section: true,
                detail: "one association per launch principal".into(),
            });
        }
        let mut tag_options: BTreeMap<String, u64> = BTreeMap::new();
        for (_, r) in of_type(s, "AWS::ServiceCatalog::TagOptionAssociation") {
            let target = r.pointer("/Properties/ResourceId").map(Value::to_string).unwrap_or_default();
            *tag_options.entry(target).or_default() += 1;
        }
        for n in tag_options.into_values() {
            out.push(Count {
                quota: "servicecatalog_tag_options_per_resource",
                of: Some(format!("the portfolio of stack {}", s.name)),
                n,
                at: path!["catalog", "tag_options"],
                section: false,
                detail: "one TagOption per team".into(),
            });
        }
    }
    out
}
