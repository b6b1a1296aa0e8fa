//! Naming rules shared by the org-file checks and the layout: which names are valid, how a
//! name becomes a CloudFormation logical id, and the tag keys isolation is built on.

/// Tag on team execution roles and on everything a team creates.
pub const TEAM_TAG: &str = "team";
/// Tag on what a person creates, bound to `${aws:SourceIdentity}` (their profile name).
pub const OWNER_TAG: &str = "owner";
/// Tag keys that people's `user_tag` must not reuse.
pub const RESERVED_TAGS: [&str; 2] = [TEAM_TAG, OWNER_TAG];

/// SageMaker's name pattern for domains and user profiles:
/// `^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$`.
pub fn is_profile_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
}

/// A short lowercase name: `^[a-z0-9]+(-[a-z0-9]+)*$`, at most `max` characters.
pub fn is_lower_name(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
}

/// The part number of a part of the team product after the first (`team-2` → `2`): the
/// names its parts take, reserved from custom products.
pub fn team_product_part(name: &str) -> Option<&str> {
    name.strip_prefix("team-").filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// PascalCase of a name: each hyphen-separated word capitalised, hyphens dropped
/// (`data-science` → `DataScience`). Only letters and digits survive.
pub fn pascal(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in name.split('-') {
        let mut chars = word.chars().filter(char::is_ascii_alphanumeric);
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    out
}

/// The logical id of a person's user profile, from the profile name alone, so adding or
/// removing anyone else never renames it.
pub fn profile_logical_id(name: &str) -> String {
    format!("Profile{}", pascal(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_names() {
        assert!(is_profile_name("alice"));
        assert!(is_profile_name("a--b"));
        assert!(!is_profile_name("-a"));
        assert!(!is_profile_name("a_b"));
        assert!(!is_profile_name(&"a".repeat(64)));
        assert!(is_lower_name("vision-2", 32));
        assert!(!is_lower_name("Vision", 32));
        assert!(!is_lower_name("a--b", 32));
    }

    #[test]
    fn derives_logical_ids_from_names() {
        assert_eq!(profile_logical_id("alice"), "ProfileAlice");
        assert_eq!(profile_logical_id("bob-smith-2"), "ProfileBobSmith2");
        assert_eq!(profile_logical_id("Alice"), profile_logical_id("alice"));
    }
}
