//! User profiles, in stacks of their own per domain. A profile carries only the user tag:
//! profile tags are create-only, so any tag that could change would replace the profile and
//! strand the person's home directory. Team membership is the execution role, which updates
//! in place.

use super::layout::{Layout, PROFILES_PER_STACK, StackKind, place};
use super::{Placement, Stack};
use std::collections::HashMap;

use crate::config::{Domain, Org, User};
use crate::ids::profile_logical_id;
use crate::model::resources::{Tag, UserProfile, UserSettings};
use crate::model::{Resource, Setting, Template, Value};
use crate::path;

/// The org-file settings of a profile's create-only properties.
const SETTINGS: &[(&str, Setting)] = &[
    ("Tags[0].Key", Setting::Org(&["identity", "user_tag"])),
    ("Tags[0].Value", Setting::Own("id")),
    ("SingleSignOnUserIdentifier", Setting::Org(&["identity", "mode"])),
    ("SingleSignOnUserValue", Setting::Own("id")),
];

/// A person with their index in the org file's `users`.
pub(super) type Person<'o> = (usize, &'o User);

/// The people of each domain of `org`, in the order of `org.domains`, each in org-file order.
pub(super) fn by_domain(org: &Org) -> Vec<Vec<Person<'_>>> {
    let domains: HashMap<&str, usize> = org.domains.iter().enumerate().map(|(i, d)| (d.name.as_str(), i)).collect();
    let team_domain: HashMap<&str, usize> =
        org.teams.iter().filter_map(|t| Some((t.name.as_str(), *domains.get(t.domain.as_str())?))).collect();
    let mut out = vec![Vec::new(); org.domains.len()];
    for (i, u) in org.users.iter().enumerate() {
        if let Some(&d) = team_domain.get(u.team.as_str()) {
            out[d].push((i, u));
        }
    }
    out
}

/// The users stacks of every domain: each domain's people in shards, profiles staying in the
/// shard the last run placed them in (`previous`: domain → profile name → shard). No stack for
/// a domain without people.
pub(super) fn stacks(org: &Org, previous: &HashMap<String, HashMap<String, usize>>) -> Vec<Stack> {
    let layout = Layout::new(org);
    let sso = org.identity.mode == crate::config::Mode::Sso;
    let people = by_domain(org);
    let mut shards: Vec<(&Domain, &[Person<'_>], usize, Vec<usize>)> = Vec::new();
    for (domain, people) in org.domains.iter().zip(&people) {
        let placed = place(people.iter().map(|(_, u)| u.name.as_str()), previous.get(&domain.name), PROFILES_PER_STACK);
        shards.extend(placed.into_iter().map(|(shard, members)| (domain, people.as_slice(), shard, members)));
    }
    // Shards are independent, and a large estate has hundreds: built on every core, all
    // domains' at once (a wide estate's domains have a few shards each).
    crate::par_map(&shards, |(domain, people, shard, members)| {
        let shard = *shard;
        let mut members = members.clone();
        // By name, so that reordering the org file changes no template.
        members.sort_by(|a, b| people[*a].1.name.cmp(&people[*b].1.name));
        let mut t = Template::new(format!(
            "studioform: user profiles of domain {} of {} (part {shard})",
            domain.name, org.name
        ));
        t.resources.reserve(members.len());
        for &(index, user) in members.iter().map(|&m| &people[m]) {
            let profile = UserProfile {
                domain_id: layout.domain_id(&domain.name),
                user_profile_name: Value::from(&user.name),
                user_settings: Some(UserSettings {
                    execution_role: layout.team_role_arn(&user.team),
                    security_groups: None,
                }),
                // Identity Center matches the person by user name; both fields are create-only,
                // like the tag, and never change for the person.
                single_sign_on_user_identifier: sso.then_some("UserName"),
                single_sign_on_user_value: sso.then(|| Value::from(&user.id)),
                tags: vec![Tag::new(&org.identity.user_tag, &user.id)],
            };
            let resource = Resource::new(&profile, path!["users", index]).retained().settings(SETTINGS);
            t.add(profile_logical_id(&user.name), resource);
        }
        let placement = Placement {
            domain: domain.name.clone(),
            shard,
            profiles: members.iter().map(|&m| people[m].1.name.clone()).collect(),
        };
        let mut stack = Stack {
            placement: Some(placement),
            ..Stack::new(layout.users_stack(&domain.name, shard), StackKind::Users, t)
        };
        stack.seal();
        stack
    })
}
