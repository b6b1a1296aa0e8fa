//! The access layer: who may create user profiles (admins, only with the user tag), who may
//! open which Studio (a person, only profiles tagged with their own id), and in saml mode the
//! role federated people assume, passing only the user tag as a session tag.

use super::Stack;
use super::layout::{Layout, StackKind, sagemaker_arn};
use crate::config::{Mode, Org};
use crate::model::iam::{PolicyDocument, Principal, Statement, any};
use crate::model::resources::{ApplicationAssignment, Assignment, Group, ManagedPolicy, PermissionSet, Role};
use crate::model::{Parameter, Resource, Template, Value};
use crate::path;

/// The policy variable naming the person signing in; none in sso mode, where people open
/// Studio through the domain's Identity Center application rather than a presigned URL.
pub fn person_variable(org: &Org) -> Option<String> {
    match org.identity.mode {
        Mode::Iam => Some("${aws:username}".to_owned()),
        Mode::Saml => Some(format!("${{aws:PrincipalTag/{}}}", org.identity.user_tag)),
        Mode::Sso => None,
    }
}

/// The access-layer stack.
pub(super) fn stack(org: &Org) -> Stack {
    let layout = Layout::new(org);
    let name = layout.access_stack();
    let mut t = Template::new(format!("studioform: Studio admin and login access of {}", org.name));
    // Every domain of the account, not a list of the estate's domain ids: one admin and one
    // login policy however many domains there are (IAM attaches at most 10 managed policies
    // to a group, 10 by default to a role), and adding a domain changes neither. What keeps
    // a person to their own Studio is the user tag, which admins may set only on create.
    let profiles = [sagemaker_arn("user-profile/*/*")];
    let domains = [sagemaker_arn("domain/*")];
    let admin = ManagedPolicy {
        description: Some("studioform: Studio administration; user profiles only with the user tag".into()),
        policy_document: PolicyDocument::new(admin_statements(org, &layout, &profiles, &domains)),
        roles: principal_names(&org.admins.principals, "role"),
        users: principal_names(&org.admins.principals, "user"),
        ..ManagedPolicy::default()
    };
    t.add("AdminPolicy", Resource::new(&admin, path!["admins"]));
    t.output(
        "AdminPolicyArn",
        "Studio admin policy",
        Value::reference("AdminPolicy"),
        Some(Layout::export(&name, "AdminPolicyArn")),
    );

    let mut login_policies = Vec::new();
    let login = login_statements(org, &profiles, &domains);
    if !login.is_empty() {
        let policy = ManagedPolicy {
            description: Some("studioform: open only your own Studio".into()),
            policy_document: PolicyDocument::new(login),
            ..ManagedPolicy::default()
        };
        t.add("LoginPolicy", Resource::new(&policy, path!["identity"]));
        t.output(
            "LoginPolicyArn",
            "Studio login policy",
            Value::reference("LoginPolicy"),
            Some(Layout::export(&name, "LoginPolicyArn")),
        );
        login_policies.push(Value::reference("LoginPolicy"));
    }

    match org.identity.mode {
        Mode::Iam => {
            let group =
                Group { group_name: Some(Value::from(layout.login_group_name())), managed_policy_arns: login_policies };
            t.add("StudioUsersGroup", Resource::new(&group, path!["identity"]));
            t.output(
                "StudioUsersGroup",
                "IAM group whose members may open their own Studio",
                Value::reference("StudioUsersGroup"),
                None,
            );
        }
        Mode::Saml => {
            let role = Role {
                role_name: Some(Value::from(layout.saml_role_name())),
                description: Some("studioform: role federated people assume to open their own Studio".into()),
                assume_role_policy_document: PolicyDocument::new(saml_trust(org)),
                managed_policy_arns: login_policies,
                policies: Vec::new(),
                tags: Vec::new(),
            };
            t.add("SamlUserRole", Resource::new(&role, path!["identity"]));
            t.output(
                "SamlUserRoleArn",
                "Role your IdP maps people to",
                Value::get_att("SamlUserRole", "Arn"),
                Some(Layout::export(&name, "SamlUserRoleArn")),
            );
        }
        // Identity Center's objects live in its own account: see `identity_center`.
        Mode::Sso => {}
    }
    Stack::new(name, StackKind::Access, t)
}

/// In `sso` mode, what Identity Center holds: the admin permission set assigned to the admin
/// groups in the workload account, and the teams' groups assigned to their domains'
/// applications. Deployed in Identity Center's management (or delegated administrator)
/// account, so it imports nothing: the account and the domains' applications are parameters.
pub(super) fn identity_center(org: &Org) -> Option<Stack> {
    if org.identity.mode != Mode::Sso {
        return None;
    }
    let layout = Layout::new(org);
    let mut t = Template::new(format!(
        "studioform: Identity Center permission set and assignments of {}; deploy in Identity Center's management or delegated administrator account",
        org.name
    ));
    t.parameters.insert(
        "TargetAccountId".into(),
        Parameter {
            kind: "String".into(),
            description: Some("The account the estate's other stacks are deployed in".into()),
            allowed_pattern: Some("^[0-9]{12}$".into()),
            constraint_description: Some("a 12-digit account id".into()),
            ..Parameter::default()
        },
    );
    // This account cannot import the domains' ids: the permission set covers every domain
    // of the workload account.
    let profiles = vec![sagemaker_arn("user-profile/*/*")];
    let domains = vec![sagemaker_arn("domain/*")];
    admin_permission_set(&mut t, org, &layout, &profiles, &domains);
    let mut assigned = std::collections::BTreeSet::new();
    for (index, team) in org.teams.iter().enumerate() {
        if team.sso_groups.is_empty() {
            continue;
        }
        let parameter = format!("{}ApplicationArn", crate::ids::pascal(&team.domain));
        t.parameters.entry(parameter.clone()).or_insert_with(|| Parameter {
            kind: "String".into(),
            description: Some(format!(
                "Identity Center application of domain {}: output SingleSignOnApplicationArn of stack {}",
                team.domain,
                layout.domain_stack(&team.domain)
            )),
            allowed_pattern: Some(
                "^arn:aws[a-z-]*:sso::[0-9]{12}:application/(sso)?ins-[a-zA-Z0-9-.]{16}/apl-[a-zA-Z0-9]{16}$".into(),
            ),
            ..Parameter::default()
        });
        for (i, group) in team.sso_groups.iter().enumerate() {
            // One assignment per domain and group, named after both: reordering changes nothing.
            if !assigned.insert((team.domain.clone(), group.clone())) {
                continue;
            }
            let assignment = ApplicationAssignment {
                application_arn: Value::reference(&parameter),
                principal_id: group.clone(),
                principal_type: "GROUP",
            };
            t.add(
                format!("{}SsoGroup{}", crate::ids::pascal(&team.domain), group.replace('-', "")),
                Resource::new(&assignment, path!["teams", index, "sso_groups", i]),
            );
        }
    }
    Some(Stack::new(layout.identity_center_stack(), StackKind::IdentityCenter, t))
}

/// Identity Center: a permission set with SageMaker administration (and the same guard on
/// user profiles as the admin policy), assigned to the admin groups in this account.
fn admin_permission_set(t: &mut Template, org: &Org, layout: &Layout<'_>, profiles: &[Value], domains: &[Value]) {
    let instance = Value::from(org.identity.sso_instance_arn.clone().unwrap_or_default());
    // The permission set is evaluated in the workload account, not in this one.
    let statements =
        admin_statements(org, layout, profiles, domains).into_iter().map(|s| s.in_account("TargetAccountId"));
    let set = PermissionSet {
        name: format!("{}-StudioAdmin", org.name),
        description: "studioform: SageMaker Studio administration; user profiles only with the user tag".into(),
        instance_arn: instance.clone(),
        managed_policies: vec![Value::sub("arn:${AWS::Partition}:iam::aws:policy/AmazonSageMakerFullAccess")],
        // A permission set's inline policy holds 32,768 characters: one part for all domains.
        inline_policy: PolicyDocument::new(statements.collect()),
        session_duration: "PT8H",
    };
    t.add("AdminPermissionSet", Resource::new(&set, path!["identity", "admin_groups"]));
    for (i, group) in org.identity.admin_groups.iter().enumerate() {
        let assignment = Assignment {
            instance_arn: instance.clone(),
            permission_set_arn: Value::get_att("AdminPermissionSet", "PermissionSetArn"),
            principal_id: group.clone(),
            principal_type: "GROUP",
            target_id: Value::reference("TargetAccountId"),
            target_type: "AWS_ACCOUNT",
        };
        t.add(
            format!("AdminGroup{}", group.replace('-', "")),
            Resource::new(&assignment, path!["identity", "admin_groups", i]),
        );
    }
    t.output(
        "AdminPermissionSetArn",
        "Studio admin permission set",
        Value::get_att("AdminPermissionSet", "PermissionSetArn"),
        None,
    );
}

/// What admins may do: to user profiles (`profiles`) and domains (`domains`), and across the
/// estate.
fn admin_statements(org: &Org, layout: &Layout<'_>, profiles: &[Value], domains: &[Value]) -> Vec<Statement> {
    let user_tag = &org.identity.user_tag;
    let request_tag = format!("aws:RequestTag/{user_tag}");
    vec![
        Statement::allow(["sagemaker:CreateUserProfile"], profiles.to_vec()).sid("CreateProfilesWithUserTag").when(
            "Null",
            &request_tag,
            "false",
        ),
        Statement::deny(["sagemaker:CreateUserProfile"], profiles.to_vec()).sid("DenyProfilesWithoutUserTag").when(
            "Null",
            &request_tag,
            "true",
        ),
        Statement::allow(["sagemaker:AddTags"], profiles.to_vec()).sid("TagProfilesOnCreate").when(
            "Null",
            "sagemaker:TaggingAction",
            "false",
        ),
        // Re-tagging a profile would hand one person's Studio to another.
        Statement::deny(["sagemaker:AddTags", "sagemaker:DeleteTags"], profiles.to_vec())
            .sid("DenyRetaggingProfiles")
            .when("ForAnyValue:StringEquals", "aws:TagKeys", Value::strs([user_tag]))
            .when("Null", "sagemaker:TaggingAction", "true"),
        Statement::allow(
            ["sagemaker:DeleteUserProfile", "sagemaker:DescribeUserProfile", "sagemaker:UpdateUserProfile"],
            profiles.to_vec(),
        )
        .sid("ManageProfiles"),
        Statement::allow(["sagemaker:DescribeDomain"], domains.to_vec()).sid("DescribeDomains"),
        Statement::allow(["sagemaker:ListDomains", "sagemaker:ListTags", "sagemaker:ListUserProfiles"], any())
            .sid("ListStudio"),
        Statement::allow(["iam:PassRole"], vec![super::layout::role_arn(&layout.team_role_pattern())])
            .sid("PassTeamRoles")
            .when("StringEquals", "iam:PassedToService", "sagemaker.amazonaws.com"),
    ]
}

/// Open only your own Studio: a presigned URL only for profiles tagged with your id.
pub(super) fn login_statements(org: &Org, profiles: &[Value], domains: &[Value]) -> Vec<Statement> {
    let key = format!("sagemaker:ResourceTag/{}", org.identity.user_tag);
    let Some(me) = person_variable(org) else { return Vec::new() };
    vec![
        Statement::allow(["sagemaker:CreatePresignedDomainUrl"], profiles.to_vec()).sid("OpenOwnStudio").when(
            "StringEquals",
            &key,
            me.as_str(),
        ),
        // What the SageMaker console lists and reads on its way to the Open Studio button.
        Statement::allow(
            ["sagemaker:ListApps", "sagemaker:ListDomains", "sagemaker:ListSpaces", "sagemaker:ListUserProfiles"],
            any(),
        )
        .sid("FindStudioInConsole"),
        Statement::allow(["sagemaker:DescribeDomain"], domains.to_vec()).sid("ReadDomainsInConsole"),
        Statement::allow(["sagemaker:DescribeUserProfile"], profiles.to_vec()).sid("ReadProfilesInConsole"),
        // Holds even if other policies of the person allow more, on every profile that carries
        // the user tag: a profile without it (another estate's, with a tag key of its own) is
        // left to the policies that govern it.
        Statement::deny(["sagemaker:CreatePresignedDomainUrl"], profiles.to_vec())
            .sid("DenyOthersStudios")
            .when("StringNotEquals", &key, me.as_str())
            .when("Null", &key, "false"),
    ]
}

fn saml_trust(org: &Org) -> Vec<Statement> {
    let provider = Value::from(org.identity.saml_provider_arn.clone().unwrap_or_default());
    let user_tag = &org.identity.user_tag;
    vec![
        Statement::trust(Principal::Federated(provider.clone()), ["sts:AssumeRoleWithSAML"])
            .sid("FederatedSignIn")
            .when("StringEquals", "SAML:aud", "https://signin.aws.amazon.com/saml"),
        Statement::trust(Principal::Federated(provider), ["sts:TagSession"])
            .sid("PassOnlyTheUserTag")
            .when("Null", &format!("aws:RequestTag/{user_tag}"), "false")
            .when("ForAllValues:StringEquals", "aws:TagKeys", Value::strs([user_tag]))
            .when("ForAllValues:StringEquals", "sts:TransitiveTagKeys", Value::strs([user_tag])),
    ]
}

/// The names of the principals of one kind (`role` or `user`), from their ARNs.
pub(super) fn principal_names(arns: &[String], kind: &str) -> Vec<Value> {
    arns.iter()
        .filter_map(|arn| arn.splitn(6, ':').nth(5))
        .filter_map(|resource| resource.split_once('/'))
        .filter(|(k, _)| *k == kind)
        .filter_map(|(_, path)| path.rsplit('/').next())
        .map(Value::from)
        .collect()
}
