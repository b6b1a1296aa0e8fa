//! Account and region quotas across the whole estate (QTA101): each at its limit, where synth
//! passes, and one over, where it fails naming the quota, the count, the limit and the org-file
//! line; and the `quotas:` setting that declares a raised value.

#![allow(clippy::unwrap_used)]

mod common;

use common::{cli, estate, load, temp_dir, with_catalog, with_quotas};
use serde_json::json;
use studioform::diag::Diagnostic;
use studioform::estate::layout::StackKind;
use studioform::estate::{Bundle, Previous, Stack};
use studioform::render::Format;

/// The bundle `synth` builds for an org file, before its checks.
fn built(text: &str, previous: &Previous) -> (studioform::config::Loaded, Bundle) {
    let loaded = load(text);
    let bundle = studioform::estate::bundle(&loaded.org, &loaded.base_dir, previous, Format::Yaml)
        .unwrap_or_else(|d| panic!("{d:?}"));
    (loaded, bundle)
}

/// The quota findings of an org file.
fn findings(text: &str) -> Vec<Diagnostic> {
    let (loaded, bundle) = built(text, &Previous::default());
    studioform::quotas::check(&loaded.org, &bundle)
}

fn messages(text: &str) -> Vec<String> {
    findings(text).into_iter().map(|d| format!("{}: {}", d.code, d.message)).collect()
}

/// `people` people of one team in `teams` teams of one domain, each team with its own stack.
fn teams(n: usize) -> String {
    estate(1, 1, n)
}

#[test]
fn stacks_per_account_at_aws_default_and_one_over() {
    // One domain, one users stack, the access stack: 1,997 teams make 2,000 stacks (and need
    // more roles than AWS's default).
    let text = |n| with_quotas(&teams(n), "  iam_roles: 5000\n");
    assert_eq!(messages(&text(1_997)), Vec::<String>::new());
    let over = messages(&text(1_998));
    assert_eq!(over.len(), 1, "{over:?}");
    assert!(
        over[0].starts_with(
            "QTA101: CloudFormation stacks per account and region: the estate needs 2,001, over AWS's default of 2,000 (quota \"Stack count\")"
        ),
        "{over:?}"
    );
    assert!(over[0].contains("1,998 for teams, 1 for access, 1 for domains, 1 for users"), "{over:?}");
}

#[test]
fn stacks_per_account_as_declared_and_one_over() {
    let text = with_quotas(&teams(7), "  cloudformation_stacks: 10\n");
    assert_eq!(messages(&text), Vec::<String>::new());
    let d = findings(&with_quotas(&teams(8), "  cloudformation_stacks: 10\n"));
    assert_eq!(d.len(), 1);
    assert!(
        d[0].message.contains("the estate needs 11, over the value declared in `quotas` of 10"),
        "{}",
        d[0].message
    );
    let help = d[0].help.as_deref().unwrap();
    assert!(
        help.contains("aws service-quotas request-service-quota-increase --service-code cloudformation --quota-code L-0485CB21 --desired-value 11 --region <region>`"),
        "{help}"
    );
    assert!(help.contains("`quotas: {cloudformation_stacks: 11}`"), "{help}");
}

#[test]
fn roles_per_account_at_aws_default_and_one_over() {
    // A role per team and the domain's default role.
    let text = |n| with_quotas(&teams(n), "  cloudformation_stacks: 5000\n");
    assert_eq!(messages(&text(999)), Vec::<String>::new());
    let over = messages(&text(1_000));
    assert_eq!(over.len(), 1, "{over:?}");
    assert!(
        over[0].starts_with("QTA101: IAM roles per account: the estate needs 1,001, over AWS's default of 1,000"),
        "{over:?}"
    );
    let raised = with_quotas(&teams(1_000), "  cloudformation_stacks: 5000\n  iam_roles: 1001\n");
    assert_eq!(messages(&raised), Vec::<String>::new());
}

#[test]
fn managed_policies_per_account_as_declared_and_one_over() {
    // Team roles hold their own grants inline where they fit: the customer managed policies are
    // the admin and login policies, and the three the domain holds for its teams.
    assert_eq!(messages(&with_quotas(&teams(3), "  iam_managed_policies: 5\n")), Vec::<String>::new());
    let over = messages(&with_quotas(&teams(3), "  iam_managed_policies: 4\n"));
    assert_eq!(over.len(), 1, "{over:?}");
    assert!(over[0].contains(
        "customer managed IAM policies per account: the estate needs 5, over the value declared in `quotas` of 4"
    ));
}

#[test]
fn a_thousand_default_teams_hold_their_grants_inline() {
    let (_, bundle) = built(&teams(1_000), &Previous::default());
    let managed = bundle
        .stacks
        .iter()
        .filter(|s| s.kind == StackKind::Team)
        .flat_map(|s| s.json()["Resources"].as_object().unwrap().values())
        .filter(|r| r["Type"] == "AWS::IAM::ManagedPolicy")
        .count();
    assert_eq!(managed, 0, "1,000 teams would need 4,000 of the account's 1,500 managed policies");
}

#[test]
fn managed_policies_per_role_name_the_role_and_its_org_file_line() {
    // The admins' role gets the admin policy and, as the catalog's launch principal, the end
    // user policy.
    let text = with_catalog(&teams(1));
    assert_eq!(messages(&with_quotas(&text, "  iam_managed_policies_per_role: 2\n")), Vec::<String>::new());
    let file = temp_dir("quota-role").join("org.yaml");
    std::fs::write(&file, with_quotas(&text, "  iam_managed_policies_per_role: 1\n")).unwrap();
    let out = file.with_file_name("out");
    let (code, _, err) = cli(&["synth", "--config", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        err.contains("error[QTA101]: managed policies attached to one IAM role (role CloudAdmin): the estate needs 2, over the value declared in `quotas` of 1"),
        "{err}"
    );
    // admins.principals[0], on line 9 of the generated org file.
    assert!(err.contains("org.yaml:9:16"), "{err}");
    assert!(!out.exists(), "nothing is written");
}

/// A bundle of one stack holding a group with `n` managed policies.
fn group_with(n: usize) -> Bundle {
    let arns: Vec<_> = (0..n).map(|i| json!(format!("arn:aws:iam::aws:policy/P{i}"))).collect();
    let json = json!({"Resources": {"People": {"Type": "AWS::IAM::Group", "Properties": {"ManagedPolicyArns": arns}}}});
    let stack = Stack::rendered("big-access".into(), StackKind::Access, json, studioform::path::Path::root());
    Bundle { stacks: vec![stack], ..Bundle::default() }
}

#[test]
fn managed_policies_per_group_at_the_fixed_limit_and_one_over() {
    let org = load(&teams(1)).org;
    assert!(studioform::quotas::check(&org, &group_with(10)).is_empty());
    let d = studioform::quotas::check(&org, &group_with(11));
    assert_eq!(d.len(), 1);
    assert!(d[0].message.contains("managed policies attached to one IAM group (group People of stack big-access): the estate needs 11, over AWS's default of 10"), "{}", d[0].message);
    assert!(d[0].help.as_deref().unwrap().starts_with("AWS does not raise this quota"), "{:?}", d[0].help);
}

fn tag_option_teams(n: usize) -> String {
    with_catalog(&teams(n)).replace("  launch_principals:", "  tag_options: true\n  launch_principals:")
}

#[test]
fn tag_options_per_portfolio_at_the_fixed_limit_and_one_over() {
    assert_eq!(messages(&tag_option_teams(25)), Vec::<String>::new());
    let d = findings(&tag_option_teams(26));
    assert_eq!(d.len(), 1);
    assert!(d[0].message.contains("TagOptions associated with one Service Catalog portfolio or product (the portfolio of stack big-catalog): the estate needs 26, over AWS's default of 25"), "{}", d[0].message);
    assert!(d[0].help.as_deref().unwrap().contains("turn `catalog.tag_options` off"), "{:?}", d[0].help);
    assert_eq!(d[0].path().unwrap().to_string(), "catalog.tag_options");
}

fn launch_principals(n: usize, units: bool) -> String {
    let arns: Vec<String> = (0..n).map(|i| format!("arn:aws:iam::111122223333:role/Launcher{i}")).collect();
    let text = with_catalog(&teams(1)).replace(
        "  launch_principals: [arn:aws:iam::111122223333:role/CloudAdmin]\n",
        &format!("  launch_principals: [{}]\n", arns.join(", ")),
    );
    if units {
        text.replace("  launch_principals:", "  organizational_units: [ou-ab12-34cd56ef]\n  launch_principals:")
    } else {
        text
    }
}

#[test]
fn principals_per_portfolio_at_aws_default_and_one_over() {
    assert_eq!(messages(&launch_principals(100, false)), Vec::<String>::new());
    let over = messages(&launch_principals(101, false));
    assert_eq!(over.len(), 1, "{over:?}");
    assert!(over[0].contains("principals associated with one Service Catalog portfolio (stack big-catalog): the estate needs 101, over AWS's default of 100"), "{over:?}");
}

#[test]
fn iam_pattern_principals_per_portfolio_at_the_fixed_limit_and_one_over() {
    // Rolled out to organizational units, launch principals are IAM_PATTERN associations.
    assert_eq!(messages(&launch_principals(10, true)), Vec::<String>::new());
    let over = messages(&launch_principals(11, true));
    assert_eq!(over.len(), 1, "{over:?}");
    assert!(over[0].contains("IAM_PATTERN principals associated with one Service Catalog portfolio (stack big-catalog): the estate needs 11, over AWS's default of 10"), "{over:?}");
}

#[test]
fn products_per_portfolio_and_per_region_as_declared_and_one_over() {
    // domain, team, user-profile.
    let text = with_catalog(&teams(1));
    let declared = |n: usize| {
        with_quotas(&text, &format!("  servicecatalog_products_per_portfolio: {n}\n  servicecatalog_products: {n}\n"))
    };
    assert_eq!(messages(&declared(3)), Vec::<String>::new());
    let over = messages(&declared(2));
    assert_eq!(over.len(), 2, "{over:?}");
    assert!(over[0].contains("products in one Service Catalog portfolio (stack big-catalog): the estate needs 3, over the value declared in `quotas` of 2"), "{over:?}");
    assert!(
        over[1].contains("Service Catalog products per account and region (stack big-catalog): the estate needs 3"),
        "{over:?}"
    );
}

#[test]
fn versions_per_product_as_declared_and_one_over() {
    let text = with_quotas(&with_catalog(&teams(1)), "  servicecatalog_versions_per_product: 1\n");
    let (loaded, bundle) = built(&text, &Previous::default());
    assert!(studioform::quotas::check(&loaded.org, &bundle).is_empty(), "the first synth makes v1 of each product");
    // A domain product published before, with other bytes: this synth adds v2.
    let old = studioform::estate::catalog::History {
        name: "domain".into(),
        versions: vec![studioform::estate::catalog::Version {
            name: "v1".into(),
            sha256: "0".repeat(64),
            key: format!("products/domain/{}.yaml", "0".repeat(64)),
        }],
    };
    let previous = Previous { products: vec![old], ..Previous::default() };
    let (loaded, bundle) = built(&text, &previous);
    let d = studioform::quotas::check(&loaded.org, &bundle);
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].message.contains("versions (provisioning artifacts) of one Service Catalog product (ProductDomain of stack big-catalog): the estate needs 2, over the value declared in `quotas` of 1"), "{}", d[0].message);
}

#[test]
fn a_quota_aws_does_not_raise_cannot_be_declared() {
    let file = temp_dir("quota-fixed").join("org.yaml");
    std::fs::write(&file, with_quotas(&teams(1), "  iam_managed_policies_per_group: 20\n")).unwrap();
    let out = file.with_file_name("out");
    let (code, _, err) = cli(&["synth", "--config", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error[CFG001]") && err.contains("iam_managed_policies_per_group"), "{err}");
}

/// Whether the org file accepts `quotas: {<id>: 5}` and reads it back.
fn declarable(id: &str) -> bool {
    let text = with_quotas(&teams(1), &format!("  {id}: 5\n"));
    studioform::config::load_str("org.yaml", text).is_ok_and(|l| l.org.quotas.declared(id) == Some(5))
}

#[test]
fn every_quota_has_a_default_and_a_source_and_is_declarable_exactly_when_aws_raises_it() {
    let all = studioform::quotas::all();
    assert_eq!(all.len(), 11);
    for q in all {
        assert!(q.default > 0 && q.source.starts_with("https://docs.aws.amazon.com/"), "{}", q.id);
        assert!(!q.adjustable || q.code.is_some(), "{}: a quota AWS raises has a code to ask with", q.id);
        assert_eq!(q.adjustable, declarable(&q.id), "{}", q.id);
    }
}

#[test]
fn a_role_with_policies_from_another_stack_is_counted_once_where_it_is_defined() {
    // In sso mode a one-team domain's default role gets its team's policies from the team's
    // stack, which comes after the domain's.
    let text = std::fs::read_to_string(common::root().join("examples/sso.yaml")).unwrap();
    let d = findings(&with_quotas(&text, "  iam_managed_policies_per_role: 6\n"));
    let sso: Vec<&Diagnostic> = d.iter().filter(|d| d.message.contains("(role piedpiper-sso-compression)")).collect();
    assert_eq!(sso.len(), 1, "{d:#?}");
    assert!(sso[0].message.contains("the estate needs 7"), "{}", sso[0].message);
    assert_eq!(sso[0].path().unwrap().to_string(), "domains[0]");
    assert_eq!(messages(&with_quotas(&text, "  iam_managed_policies_per_role: 7\n")), Vec::<String>::new());
}

#[test]
fn a_declared_quota_is_at_least_one() {
    let err = match studioform::config::load_str("org.yaml", with_quotas(&teams(1), "  iam_roles: 0\n")) {
        Err(studioform::Error::Invalid { diags, .. }) => diags,
        other => panic!("{:?}", other.map(|_| ())),
    };
    assert_eq!(err.len(), 1);
    assert_eq!((err[0].code, err[0].path().unwrap().to_string()), ("CFG004", "quotas.iam_roles".to_owned()));
}
