//! User profiles, in stacks of their own per domain. A profile carries only the user tag:
//! profile tags are create-only, so any tag that could change would replace the profile and
//! strand the person's home directory. Team membership is the execution role, which updates
//! in place.

use super::layout::{Layout, PROFILES_PER_STACK, StackKind, place_profiles};
use super::{Placement, Stack};
use crate::config::{Domain, Org};
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

/// The users stacks of one domain; none when the domain has no people. Profiles stay in the
/// shard the last run placed them in (`previous`: profile name → shard).
pub(super) fn stacks(
    org: &Org,
    domain: &Domain,
    previous: Option<&std::collections::HashMap<String, usize>>,
) -> Vec<Stack> {
    let layout = Layout::new(org);
    let sso = org.identity.mode == crate::config::Mode::Sso;
    let people: Vec<(usize, &crate::config::User)> = org
        .users
        .iter()
        .enumerate()
        .filter(|(_, u)| org.team(&u.team).is_some_and(|t| t.domain == domain.name))
        .collect();
    let shards = place_profiles(people.iter().map(|(_, u)| u.name.as_str()), previous, PROFILES_PER_STACK);
    shards
        .into_iter()
        .map(|(shard, mut members)| {
            // By name, so that reordering the org file changes no template.
            members.sort_by(|a, b| people[*a].1.name.cmp(&people[*b].1.name));
            let mut t = Template::new(format!(
                "studioform: user profiles of domain {} of {} (part {shard})",
                domain.name, org.name
            ));
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
            Stack {
                placement: Some(placement),
                ..Stack::new(layout.users_stack(&domain.name, shard), StackKind::Users, t)
            }
        })
        .collect()
}
