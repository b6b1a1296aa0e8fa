//! User profiles, in stacks of their own per domain. A profile carries only the user tag:
//! profile tags are create-only, so any tag that could change would replace the profile and
//! strand the person's home directory. Team membership is the execution role, which updates
//! in place.

use super::Stack;
use super::layout::{Layout, PROFILES_PER_STACK, StackKind};
use crate::config::{Domain, Org};
use crate::ids::profile_logical_id;
use crate::model::resources::{Tag, UserProfile, UserSettings};
use crate::model::{Resource, Template, Value};
use crate::path;

/// The users stacks of one domain; none when the domain has no people.
pub(super) fn stacks(org: &Org, domain: &Domain) -> Vec<Stack> {
    let layout = Layout::new(org);
    let sso = org.identity.mode == crate::config::Mode::Sso;
    let people: Vec<(usize, &crate::config::User)> = org
        .users
        .iter()
        .enumerate()
        .filter(|(_, u)| org.team(&u.team).is_some_and(|t| t.domain == domain.name))
        .collect();
    people
        .chunks(PROFILES_PER_STACK)
        .enumerate()
        .map(|(shard, chunk)| {
            let mut t = Template::new(format!(
                "studioform: user profiles of domain {} of {} (part {})",
                domain.name,
                org.name,
                shard + 1
            ));
            for (index, user) in chunk {
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
                t.add(profile_logical_id(&user.name), Resource::new(&profile, path!["users", *index]).retained());
            }
            Stack::new(layout.users_stack(&domain.name, shard + 1), StackKind::Users, t)
        })
        .collect()
}
