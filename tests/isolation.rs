//! The isolation promises, statement by statement: who may open which Studio, who may create
//! profiles, what a team role may create, change and read, in both identity modes.

#![allow(clippy::unwrap_used)]

mod common;

use common::{inline_policy, root, stack, statement, team_view};
use serde_json::{Value, json};

fn example(name: &str) -> String {
    std::fs::read_to_string(root().join("examples").join(name)).unwrap()
}

/// The statements of a policy: a resource (a managed policy, or a role's trust policy) or an
/// inline policy of a role.
fn statements(template: &Value, resource: &str) -> Vec<Value> {
    let props = &template["Resources"][resource]["Properties"];
    let doc = if props.get("PolicyDocument").is_some() {
        &props["PolicyDocument"]
    } else if props.get("AssumeRolePolicyDocument").is_some() {
        &props["AssumeRolePolicyDocument"]
    } else {
        inline_policy(template, resource).unwrap_or_else(|| panic!("no policy {resource}"))
    };
    doc["Statement"].as_array().unwrap().clone()
}

/// The policies of a team role but its reading, activity and MLflow ones: its own, and those
/// its domain holds for every team.
const TEAM_POLICIES: [&str; 6] =
    ["StudioPolicy", "TeamResourcesPolicy", "DataPolicy", "TeamStudioPolicy", "TeamGuardPolicy", "TeamJobsPolicy"];

/// Whether `template` has the policy `name`.
fn has_policy(template: &Value, name: &str) -> bool {
    template["Resources"].get(name).is_some() || inline_policy(template, name).is_some()
}

fn actions(s: &Value) -> Vec<String> {
    s["Action"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_owned()).collect()
}

#[test]
fn iam_people_open_only_the_studio_tagged_with_their_user_name() {
    let access = stack(&example("acme.yaml"), "acme-access");
    let allow = statement(&access, "LoginPolicy", "OpenOwnStudio");
    assert_eq!(allow["Effect"], "Allow");
    assert_eq!(actions(allow), ["sagemaker:CreatePresignedDomainUrl"]);
    assert_eq!(allow["Condition"], json!({"StringEquals": {"sagemaker:ResourceTag/userId": "${aws:username}"}}));
    let deny = statement(&access, "LoginPolicy", "DenyOthersStudios");
    assert_eq!(deny["Effect"], "Deny");
    // On every profile of the account that carries the user tag.
    assert_eq!(
        deny["Condition"],
        json!({"StringNotEquals": {"sagemaker:ResourceTag/userId": "${aws:username}"}, "Null": {"sagemaker:ResourceTag/userId": "false"}})
    );
    // The login policy grants nothing else but what the console reads on the way to Studio.
    let all = statements(&access, "LoginPolicy");
    assert_eq!(all.len(), 5);
    for s in all.iter().filter(|s| s["Sid"] != "OpenOwnStudio" && s["Sid"] != "DenyOthersStudios") {
        assert!(
            actions(s).iter().all(|a| a.starts_with("sagemaker:List") || a.starts_with("sagemaker:Describe")),
            "{s}"
        );
    }
    assert_eq!(
        access["Resources"]["StudioUsersGroup"]["Properties"]["ManagedPolicyArns"],
        json!([{"Ref": "LoginPolicy"}])
    );
    assert!(access["Resources"].get("SamlUserRole").is_none());
}

#[test]
fn saml_people_open_only_the_studio_tagged_with_their_session_tag() {
    let access = stack(&example("federated.yaml"), "globex-access");
    let allow = statement(&access, "LoginPolicy", "OpenOwnStudio");
    assert_eq!(
        allow["Condition"],
        json!({"StringEquals": {"sagemaker:ResourceTag/employeeId": "${aws:PrincipalTag/employeeId}"}})
    );
    let deny = statement(&access, "LoginPolicy", "DenyOthersStudios");
    assert_eq!(
        deny["Condition"],
        json!({
            "StringNotEquals": {"sagemaker:ResourceTag/employeeId": "${aws:PrincipalTag/employeeId}"},
            "Null": {"sagemaker:ResourceTag/employeeId": "false"}
        })
    );
    let provider = "arn:aws:iam::444455556666:saml-provider/okta";
    assert_eq!(
        statements(&access, "SamlUserRole"),
        [
            json!({"Sid": "FederatedSignIn", "Effect": "Allow", "Principal": {"Federated": provider},
                   "Action": ["sts:AssumeRoleWithSAML"],
                   "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}),
            json!({"Sid": "PassOnlyTheUserTag", "Effect": "Allow", "Principal": {"Federated": provider},
                   "Action": ["sts:TagSession"],
                   "Condition": {"Null": {"aws:RequestTag/employeeId": "false"},
                                 "ForAllValues:StringEquals": {"aws:TagKeys": ["employeeId"],
                                                               "sts:TransitiveTagKeys": ["employeeId"]}}}),
        ]
    );
    assert_eq!(access["Resources"]["SamlUserRole"]["Properties"]["ManagedPolicyArns"], json!([{"Ref": "LoginPolicy"}]));
    assert!(access["Resources"].get("StudioUsersGroup").is_none());
}

#[test]
fn admins_create_profiles_only_with_the_user_tag() {
    for (file, stack_name, tag) in
        [("acme.yaml", "acme-access", "userId"), ("federated.yaml", "globex-access", "employeeId")]
    {
        let access = stack(&example(file), stack_name);
        let key = format!("aws:RequestTag/{tag}");
        let allow = statement(&access, "AdminPolicy", "CreateProfilesWithUserTag");
        assert_eq!(actions(allow), ["sagemaker:CreateUserProfile"]);
        assert_eq!(allow["Condition"], json!({"Null": {key.clone(): "false"}}));
        let deny = statement(&access, "AdminPolicy", "DenyProfilesWithoutUserTag");
        assert_eq!((deny["Effect"].as_str(), &deny["Condition"]), (Some("Deny"), &json!({"Null": {key: "true"}})));
        let retag = statement(&access, "AdminPolicy", "DenyRetaggingProfiles");
        assert_eq!(retag["Condition"]["ForAnyValue:StringEquals"]["aws:TagKeys"], json!([tag]));
        // Every statement that allows CreateUserProfile carries the tag condition.
        for s in statements(&access, "AdminPolicy") {
            if s["Effect"] == "Allow" && actions(&s).iter().any(|a| a == "sagemaker:CreateUserProfile") {
                assert_eq!(s["Sid"], "CreateProfilesWithUserTag");
            }
        }
    }
    let access = stack(&example("acme.yaml"), "acme-access");
    let props = &access["Resources"]["AdminPolicy"]["Properties"];
    assert_eq!((&props["Roles"], &props["Users"]), (&json!(["CloudAdmin"]), &json!(["platform-admin"])));
    let federated = stack(&example("federated.yaml"), "globex-access");
    assert_eq!(federated["Resources"]["AdminPolicy"]["Properties"]["Roles"], json!(["StudioAdmin"]));
}

#[test]
fn team_roles_create_and_change_only_with_their_team_tag_and_owner() {
    let text = example("acme.yaml");
    let vision = stack(&text, "acme-team-vision");
    assert_eq!(vision["Resources"]["ExecutionRole"]["Properties"]["Tags"], json!([{"Key": "team", "Value": "vision"}]));
    let create = statement(&vision, "TeamResourcesPolicy", "CreateOwnedForTeam");
    assert_eq!(
        create["Condition"],
        json!({"StringEquals": {"aws:RequestTag/team": "vision", "aws:RequestTag/owner": "${aws:SourceIdentity}"}})
    );
    let change = statement(&vision, "TeamResourcesPolicy", "ChangeOwnWork");
    assert_eq!(
        change["Condition"],
        json!({"StringEquals": {"sagemaker:ResourceTag/team": "vision", "sagemaker:ResourceTag/owner": "${aws:SourceIdentity}"}})
    );
    for verb in ["sagemaker:Update*", "sagemaker:Delete*", "sagemaker:Stop*"] {
        assert!(actions(change).iter().any(|a| a == verb), "{verb}");
    }
    assert_eq!(
        vision["Resources"]["ExecutionRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"],
        json!([
            {"Effect": "Allow", "Principal": {"Service": ["sagemaker.amazonaws.com"]}, "Action": ["sts:AssumeRole"]},
            {"Effect": "Allow", "Principal": {"Service": ["sagemaker.amazonaws.com"]}, "Action": ["sts:SetSourceIdentity"]}
        ])
    );
    let sids: Vec<Value> = statements(&vision, "TeamResourcesPolicy").iter().map(|s| s["Sid"].clone()).collect();
    assert!(!sids.contains(&json!("CreateTaggedForTeam")) && !sids.contains(&json!("ChangeTeamWork")), "{sids:?}");

    // The production domain does not propagate source identity: team-level isolation only.
    let fraud = stack(&text, "acme-team-fraud");
    assert_eq!(
        statement(&fraud, "TeamResourcesPolicy", "CreateTaggedForTeam")["Condition"],
        json!({"StringEquals": {"aws:RequestTag/team": "fraud"}})
    );
    assert_eq!(
        statement(&fraud, "TeamResourcesPolicy", "ChangeTeamWork")["Condition"],
        json!({"StringEquals": {"sagemaker:ResourceTag/team": "fraud"}})
    );
    assert_eq!(
        fraud["Resources"]["ExecutionRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"],
        json!([{"Effect": "Allow", "Principal": {"Service": ["sagemaker.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}])
    );
}

#[test]
fn every_allowed_sagemaker_write_is_bound_to_the_team_its_owner_or_its_domain() {
    let text = example("acme.yaml");
    for team in ["vision", "nlp", "fraud"] {
        let t = team_view(&text, &format!("acme-team-{team}"));
        for policy in TEAM_POLICIES.iter().filter(|p| has_policy(&t, p)) {
            for s in statements(&t, policy) {
                if s["Effect"] != "Allow" {
                    continue;
                }
                let writes: Vec<String> = actions(&s)
                    .into_iter()
                    .filter(|a| {
                        a.starts_with("sagemaker:")
                            && !["Describe", "List", "Get", "Search", "BatchDescribe", "BatchGet", "QueryLineage"]
                                .iter()
                                .any(|r| a[10..].starts_with(r))
                    })
                    .collect();
                if writes.is_empty() {
                    continue;
                }
                let conditioned = s.get("Condition").is_some();
                let domain_scoped =
                    s["Resource"].as_array().unwrap().iter().all(|r| r.to_string().contains("DomainId"));
                assert!(conditioned || domain_scoped, "{team}/{policy}: {s}");
            }
        }
    }
}

#[test]
fn team_roles_reach_their_buckets_and_no_other_s3() {
    let text = example("acme.yaml");
    let vision = team_view(&text, "acme-team-vision");
    let mut s3_resources = Vec::new();
    for policy in TEAM_POLICIES.iter().filter(|p| has_policy(&vision, p)) {
        for s in statements(&vision, policy) {
            if actions(&s).iter().any(|a| a.starts_with("s3:")) {
                assert_eq!(s["Effect"], "Allow");
                s3_resources.extend(
                    s["Resource"].as_array().unwrap().iter().map(|r| r["Fn::Sub"].as_str().unwrap().to_owned()),
                );
            }
        }
    }
    assert_eq!(
        s3_resources,
        [
            "arn:${AWS::Partition}:s3:::acme-vision-data",
            "arn:${AWS::Partition}:s3:::acme-shared-datasets",
            "arn:${AWS::Partition}:s3:::acme-vision-data/*",
            "arn:${AWS::Partition}:s3:::acme-shared-datasets/*",
        ]
    );
}

#[test]
fn team_roles_launch_only_their_instance_types() {
    let vision = stack(&example("acme.yaml"), "acme-team-vision");
    let deny = statement(&vision, "TeamResourcesPolicy", "DenyOtherInstanceTypes");
    assert_eq!(deny["Effect"], "Deny");
    assert_eq!(
        deny["Condition"],
        json!({"ForAnyValue:StringNotLike": {"sagemaker:InstanceTypes": ["ml.t3.medium", "ml.g5.xlarge"]}})
    );
    assert!(actions(deny).contains(&"sagemaker:CreateTrainingJob".to_owned()));
    let nlp = stack(&example("acme.yaml"), "acme-team-nlp");
    assert!(statements(&nlp, "TeamResourcesPolicy").iter().all(|s| s["Sid"] != "DenyOtherInstanceTypes"));
}

#[test]
fn profiles_carry_only_the_user_tag_their_team_role_and_retain_policies() {
    let text = example("acme.yaml");
    let users = stack(&text, "acme-users-research-1");
    let alice = &users["Resources"]["ProfileAlice"];
    assert_eq!(alice["DeletionPolicy"], "Retain");
    assert_eq!(alice["UpdateReplacePolicy"], "Retain");
    assert_eq!(
        alice["Properties"],
        json!({
            "DomainId": {"Fn::ImportValue": "acme-domain-research-DomainId"},
            "UserProfileName": "alice",
            "UserSettings": {"ExecutionRole": {"Fn::ImportValue": "acme-team-vision-ExecutionRoleArn"}},
            "Tags": [{"Key": "userId", "Value": "alice"}]
        })
    );
    assert_eq!(
        users["Resources"]["ProfileCarol"]["Properties"]["Tags"],
        json!([{"Key": "userId", "Value": "carol.jones"}])
    );
}

#[test]
fn domains_are_iam_vpc_only_encrypted_retained_and_propagate_source_identity_when_asked() {
    let text = example("acme.yaml");
    let research = stack(&text, "acme-domain-research");
    let d = &research["Resources"]["Domain"];
    assert_eq!((d["DeletionPolicy"].as_str(), d["UpdateReplacePolicy"].as_str()), (Some("Retain"), Some("Retain")));
    let p = &d["Properties"];
    assert_eq!(p["AuthMode"], "IAM");
    assert_eq!(p["AppNetworkAccessType"], "VpcOnly");
    assert_eq!(p["KmsKeyId"], "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    assert_eq!(p["DomainSettings"], json!({"ExecutionRoleIdentityConfig": "USER_PROFILE_NAME"}));
    assert_eq!(p["DefaultUserSettings"]["ExecutionRole"], json!({"Fn::GetAtt": ["DefaultExecutionRole", "Arn"]}));
    assert!(
        research["Resources"]["DefaultExecutionRole"]["Properties"].get("ManagedPolicyArns").is_none(),
        "the default role grants nothing"
    );
    let production = stack(&text, "acme-domain-production");
    assert!(production["Resources"]["Domain"]["Properties"].get("DomainSettings").is_none());

    let federated = stack(&example("federated.yaml"), "globex-domain-analytics");
    let p = &federated["Resources"]["Domain"]["Properties"];
    assert_eq!(p["AppNetworkAccessType"], "PublicInternetOnly");
    assert_eq!(p["DefaultUserSettings"]["SecurityGroups"], json!(["sg-0123456789abcdef0"]));
    assert!(federated["Resources"].get("AppSecurityGroup").is_none());
}
