//! The one place that decides stacks, stack names, file names, deploy order, export names
//! and the names of IAM roles. Every name derives from org-file names only, so adding or
//! removing something never renames anything else.

use crate::config::Org;
use crate::model::Value;

/// What a stack holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StackKind {
    /// One Studio domain.
    Domain,
    /// One team's execution role and policies.
    Team,
    /// Admin and login policies, SAML role.
    Access,
    /// User profiles of one domain (one shard).
    Users,
    /// The managed MLflow tracking server.
    Mlflow,
    /// The model-deployment role.
    Deployment,
    /// The Service Catalog portfolio.
    Portfolio,
    /// The StackSet rolling the portfolio out to organizational units (management account).
    StackSet,
    /// Identity Center's permission set and assignments (its management or delegated
    /// administrator account).
    IdentityCenter,
    /// What an account the portfolio is shared with deploys: it accepts the share, and holds
    /// the launch role and its own launch principals.
    Recipient,
    /// A product template, launched through Service Catalog rather than deployed.
    Product,
}

impl StackKind {
    /// What a stack of this kind holds, for people.
    pub fn holds(self) -> &'static str {
        match self {
            Self::Domain => "a Studio domain",
            Self::Team => "a team's execution role",
            Self::Access => "admin and login access",
            Self::Users => "user profiles",
            Self::Mlflow => "the MLflow tracking server",
            Self::Deployment => "the model-deployment role",
            Self::Portfolio => "the Service Catalog portfolio",
            Self::StackSet => "the StackSet deploying the portfolio to organizational units",
            Self::IdentityCenter => "Identity Center permission set and assignments",
            Self::Recipient => "what an account the portfolio is shared with deploys",
            Self::Product => "a Service Catalog product",
        }
    }

    /// The account a stack of this kind is deployed in: `workload` (where Studio runs),
    /// `identity-center` (Identity Center's management or delegated administrator account),
    /// `management` (AWS Organizations' management account or a delegated administrator, for
    /// the StackSet), `recipient` (each account the portfolio is shared with). `None` for
    /// products, which are launched rather than deployed.
    pub fn account(self) -> Option<&'static str> {
        match self {
            Self::IdentityCenter => Some("identity-center"),
            Self::StackSet => Some("management"),
            Self::Recipient => Some("recipient"),
            Self::Product => None,
            _ => Some("workload"),
        }
    }

    /// Deploy order: a stack may import only from stacks of a lower order. Products are not
    /// deployed as stacks: they are published, then launched from the catalog.
    pub fn order(self) -> Option<u32> {
        match self {
            Self::Domain | Self::Mlflow => Some(1),
            Self::Team | Self::Deployment | Self::IdentityCenter => Some(2),
            Self::Access => Some(3),
            Self::Users => Some(4),
            Self::Portfolio => Some(5),
            Self::StackSet => Some(6),
            Self::Recipient => Some(7),
            Self::Product => None,
        }
    }
}

/// Most user profiles placed in one users stack: below CloudFormation's 500 resources, and
/// about 150 KB of template, well below its 1 MB.
pub const PROFILES_PER_STACK: usize = 400;

/// Most teams one part of the team product offers: its mappings hold a key per team, and
/// CloudFormation allows 200 attributes per mapping; 100 teams keep the template near 100 KB.
pub const TEAMS_PER_PRODUCT: usize = 100;

/// The name of part `shard` of the team product: `team`, then `team-2`, `team-3`...
pub fn team_product_name(shard: usize) -> String {
    if shard <= 1 { "team".to_owned() } else { format!("team-{shard}") }
}

/// Where the members of a sharded set live (the profiles of one domain in users stacks, the
/// teams of the team product in its parts): shard number (from 1) → the members in it, as
/// indexes into `people`. Members stay where `previous` (name → shard, as the last run's
/// manifest recorded) put them, whatever else changes: a profile that moved to another stack
/// would be deleted and created again, losing its home directory, and a team that moved to
/// another product would leave its launched role behind. Newcomers fill the existing shards
/// in order, then open new ones; members who left leave gaps.
pub fn place<'a>(
    people: impl Iterator<Item = &'a str>,
    previous: Option<&std::collections::HashMap<String, usize>>,
    capacity: usize,
) -> std::collections::BTreeMap<usize, Vec<usize>> {
    use std::collections::{BTreeMap, BTreeSet};
    let mut shards: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut newcomers = Vec::new();
    for (i, name) in people.enumerate() {
        match previous.and_then(|p| p.get(name)) {
            Some(&shard) if shard > 0 => shards.entry(shard).or_default().push(i),
            _ => newcomers.push(i),
        }
    }
    // Shards the last run had, even those whose people all left: their numbers are taken.
    let mut known: BTreeSet<usize> =
        previous.map(|p| p.values().copied().filter(|&s| s > 0).collect()).unwrap_or_default();
    let mut open = known.iter().copied().collect::<Vec<_>>().into_iter();
    let mut current = open.next();
    for i in newcomers {
        loop {
            let shard = match current {
                Some(s) => s,
                None => {
                    let fresh = (1..).find(|n| !known.contains(n)).unwrap_or(1);
                    known.insert(fresh);
                    current = Some(fresh);
                    fresh
                }
            };
            let members = shards.entry(shard).or_default();
            if members.len() < capacity {
                members.push(i);
                break;
            }
            current = open.next();
        }
    }
    shards.retain(|_, members| !members.is_empty());
    shards
}

/// Names for one org.
#[derive(Clone, Copy, Debug)]
pub struct Layout<'a> {
    org: &'a str,
}

impl<'a> Layout<'a> {
    /// The layout of `org`.
    pub fn new(org: &'a Org) -> Self {
        Self { org: &org.name }
    }

    /// Stack of a domain.
    pub fn domain_stack(&self, domain: &str) -> String {
        format!("{}-domain-{domain}", self.org)
    }

    /// Stack of a team.
    pub fn team_stack(&self, team: &str) -> String {
        format!("{}-team-{team}", self.org)
    }

    /// The managed MLflow stack.
    pub fn mlflow_stack(&self) -> String {
        format!("{}-mlflow", self.org)
    }

    /// The model-deployment role's stack.
    pub fn deployment_stack(&self) -> String {
        format!("{}-deployment", self.org)
    }

    /// The access-layer stack.
    pub fn access_stack(&self) -> String {
        format!("{}-access", self.org)
    }

    /// The Identity Center stack.
    pub fn identity_center_stack(&self) -> String {
        format!("{}-identity-center", self.org)
    }

    /// A users stack: shard `shard` (from 1) of a domain's profiles.
    pub fn users_stack(&self, domain: &str, shard: usize) -> String {
        format!("{}-users-{domain}-{shard}", self.org)
    }

    /// The export name of `output` in `stack`.
    pub fn export(stack: &str, output: &str) -> String {
        format!("{stack}-{output}")
    }

    /// Imports a domain's id.
    pub fn domain_id(&self, domain: &str) -> Value {
        Value::import(Self::export(&self.domain_stack(domain), "DomainId"))
    }

    /// Imports a team's execution role ARN.
    pub fn team_role_arn(&self, team: &str) -> Value {
        Value::import(Self::export(&self.team_stack(team), "ExecutionRoleArn"))
    }

    /// The name of a team's execution role (fits IAM's 64 characters: org ≤ 20, team ≤ 32).
    pub fn team_role_name(&self, team: &str) -> String {
        format!("{}-team-{team}", self.org)
    }

    /// A pattern matching every team role of the org, for `iam:PassRole`.
    pub fn team_role_pattern(&self) -> String {
        format!("{}-team-*", self.org)
    }

    /// The IAM group for people in iam mode.
    pub fn login_group_name(&self) -> String {
        format!("{}-studio-users", self.org)
    }

    /// The role federated people assume in saml mode.
    pub fn saml_role_name(&self) -> String {
        format!("{}-studio-user", self.org)
    }
}

/// The ARN of an IAM role in this account, by name: `!Sub` so it works in any partition.
pub fn role_arn(name: &str) -> Value {
    Value::sub(format!("arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{name}"))
}

/// A SageMaker ARN in this region and account: `resource` follows `...:<account>:`.
pub fn sagemaker_arn(resource: &str) -> Value {
    Value::sub(format!("arn:${{AWS::Partition}}:sagemaker:${{AWS::Region}}:${{AWS::AccountId}}:{resource}"))
}

/// A SageMaker ARN inside one domain: `${DomainId}` in `resource` is the imported domain id.
pub fn domain_scoped_arn(resource: &str, domain_id: Value) -> Value {
    let mut vars = indexmap::IndexMap::new();
    vars.insert("DomainId".to_owned(), domain_id);
    Value::sub_with(format!("arn:${{AWS::Partition}}:sagemaker:${{AWS::Region}}:${{AWS::AccountId}}:{resource}"), vars)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::place;

    fn shards(people: &[&str], previous: &[(&str, usize)], capacity: usize) -> Vec<(usize, Vec<String>)> {
        let previous: HashMap<String, usize> = previous.iter().map(|(n, s)| ((*n).to_owned(), *s)).collect();
        place(people.iter().copied(), Some(&previous), capacity)
            .into_iter()
            .map(|(s, members)| (s, members.into_iter().map(|i| people[i].to_owned()).collect()))
            .collect()
    }

    fn owned(shards: &[(usize, &[&str])]) -> Vec<(usize, Vec<String>)> {
        shards.iter().map(|(s, m)| (*s, m.iter().map(|n| (*n).to_owned()).collect())).collect()
    }

    #[test]
    fn a_first_run_fills_shards_in_order() {
        assert_eq!(
            shards(&["a", "b", "c", "d", "e"], &[], 2),
            owned(&[(1, &["a", "b"]), (2, &["c", "d"]), (3, &["e"])])
        );
        assert!(shards(&[], &[], 2).is_empty());
    }

    #[test]
    fn everyone_stays_put_and_newcomers_fill_gaps_first() {
        let previous = [("a", 1), ("b", 1), ("c", 2), ("d", 2), ("e", 3)];
        // b left: a gap in shard 1. z arrives, listed first: it takes the gap, nobody moves.
        assert_eq!(
            shards(&["z", "e", "d", "c", "a"], &previous, 2),
            owned(&[(1, &["a", "z"]), (2, &["d", "c"]), (3, &["e"])])
        );
        // Shards full: newcomers open the next number.
        assert_eq!(
            shards(&["a", "b", "c", "d", "e", "y", "z"], &previous, 2),
            owned(&[(1, &["a", "b"]), (2, &["c", "d"]), (3, &["e", "y"]), (4, &["z"])])
        );
    }

    #[test]
    fn an_emptied_shard_disappears_and_newcomers_fill_the_first_with_room() {
        let previous = [("a", 1), ("b", 2), ("c", 3)];
        // b left, emptying shard 2: its stack goes; a and c stay where they are.
        assert_eq!(shards(&["a", "c"], &previous, 2), owned(&[(1, &["a"]), (3, &["c"])]));
        assert_eq!(shards(&["a", "c", "n"], &previous, 2), owned(&[(1, &["a", "n"]), (3, &["c"])]));
        assert_eq!(shards(&["a", "c", "n", "m"], &previous, 2), owned(&[(1, &["a", "n"]), (2, &["m"]), (3, &["c"])]));
    }

    #[test]
    fn a_shard_over_capacity_keeps_its_people() {
        // A shard written when the capacity was larger is never split.
        let previous = [("a", 1), ("b", 1), ("c", 1)];
        assert_eq!(shards(&["a", "b", "c", "d"], &previous, 2), owned(&[(1, &["a", "b", "c"]), (2, &["d"])]));
    }
}
