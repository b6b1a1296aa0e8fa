//! Generated org files of any size, shared by the benchmarks and the tests.
// Each bench and test uses a part of it.
#![allow(unreachable_pub, dead_code)]

/// An org file with `users` people spread over `teams` teams in `domains` domains, named so
/// that people sort in the order they are listed (`user000042`).
pub fn estate(users: usize, domains: usize, teams: usize) -> String {
    use std::fmt::Write as _;
    let mut s = String::from(
        "version: 1\nname: big\nidentity:\n  mode: iam\nnetwork:\n  vpc_id: vpc-0abc0abc0abc0abc0\n  \
         subnet_ids: [subnet-0a0a0a0a0a0a0a0a0]\nadmins:\n  principals: [arn:aws:iam::111122223333:role/CloudAdmin]\ndomains:\n",
    );
    for d in 0..domains {
        let _ = writeln!(s, "  - name: domain{d}\n    source_identity: true");
    }
    s.push_str("teams:\n");
    for t in 0..teams {
        let _ = writeln!(s, "  - name: team{t}\n    domain: domain{}\n    buckets: [big-team{t}-data]", t % domains);
    }
    s.push_str("users:\n");
    for u in 0..users {
        let _ = writeln!(s, "  - {{name: user{u:06}, team: team{}, id: user{u:06}}}", u % teams);
    }
    s
}

/// `text` (an org file from [`estate`]) with a Service Catalog portfolio offering the three
/// built-in products.
pub fn with_catalog(text: &str) -> String {
    let catalog = "catalog:\n  portfolio: Studio provisioning\n  provider: Platform team\n  \
                   launch_principals: [arn:aws:iam::111122223333:role/CloudAdmin]\n";
    text.replace("teams:\n", &format!("{catalog}teams:\n"))
}

/// `text` (an org file from [`estate`]) declaring quotas AWS raised, given as `key: value`
/// lines (`"  iam_roles: 2500\n"`).
pub fn with_quotas(text: &str, quotas: &str) -> String {
    format!("{text}quotas:\n{quotas}")
}
