//! A domain's stack: the Studio domain (retained: it holds everyone's home directories), a
//! default execution role that grants nothing, and a security group when the org names none.

use super::Stack;
use super::layout::{Layout, StackKind};
use crate::config::{Domain, Org};
use crate::model::iam::{PolicyDocument, Principal, Statement};
use crate::model::resources::{self, DomainSettings, Role, SecurityGroup, SecurityGroupIngress, Tag, UserSettings};
use crate::model::{Resource, Template, Value};
use crate::path;

/// The domain's stack.
pub(super) fn stack(org: &Org, index: usize, domain: &Domain) -> Stack {
    let layout = Layout::new(org);
    let origin = path!["domains", index];
    let net = &org.network;
    let mut t = Template::new(format!("studioform: SageMaker Studio domain {} of {}", domain.name, org.name));

    // Every profile names its team's role; this default only applies to profiles that name
    // none, so it grants nothing.
    let role = Role {
        description: Some(format!("studioform: default execution role of domain {}; grants nothing", domain.name)),
        assume_role_policy_document: PolicyDocument::new(vec![Statement::trust(
            Principal::Service(vec!["sagemaker.amazonaws.com".into()]),
            ["sts:AssumeRole"],
        )]),
        ..Role::default()
    };
    t.add("DefaultExecutionRole", Resource::new(&role, origin.clone()));

    let security_groups = if net.security_group_ids.is_empty() {
        let sg = SecurityGroup {
            group_description: format!("studioform: apps of Studio domain {}", domain.name),
            vpc_id: Value::from(&net.vpc_id),
            tags: vec![Tag::new("Name", format!("{}-studio-{}", org.name, domain.name))],
        };
        t.add("AppSecurityGroup", Resource::new(&sg, path!["network"]));
        // Studio apps talk to each other and to the home file system (NFS) inside the group.
        // <https://docs.aws.amazon.com/sagemaker/latest/dg/studio-notebooks-and-internet-access.html>
        let ingress = SecurityGroupIngress {
            group_id: Value::get_att("AppSecurityGroup", "GroupId"),
            ip_protocol: "-1",
            source_security_group_id: Value::get_att("AppSecurityGroup", "GroupId"),
            description: "Studio apps in this group reach each other".into(),
        };
        t.add("AppSecurityGroupSelfIngress", Resource::new(&ingress, path!["network"]));
        Value::List(vec![Value::get_att("AppSecurityGroup", "GroupId")])
    } else {
        Value::strs(&net.security_group_ids)
    };

    let props = resources::Domain {
        domain_name: Value::from(&domain.name),
        auth_mode: "IAM",
        default_user_settings: UserSettings {
            execution_role: Value::get_att("DefaultExecutionRole", "Arn"),
            security_groups: Some(security_groups),
        },
        vpc_id: Value::from(&net.vpc_id),
        subnet_ids: Value::strs(&net.subnet_ids),
        app_network_access_type: if net.internet { "PublicInternetOnly" } else { "VpcOnly" },
        kms_key_id: org.encryption.as_ref().and_then(|e| e.kms_key_arn.as_ref()).map(Value::from),
        domain_settings: domain
            .source_identity
            .then_some(DomainSettings { execution_role_identity_config: Some("USER_PROFILE_NAME") }),
        tags: Vec::new(),
    };
    t.add("Domain", Resource::new(&props, origin).retained());

    let name = layout.domain_stack(&domain.name);
    t.output("DomainId", "Studio domain id", Value::reference("Domain"), Some(Layout::export(&name, "DomainId")));
    t.output(
        "DomainArn",
        "Studio domain ARN",
        Value::get_att("Domain", "DomainArn"),
        Some(Layout::export(&name, "DomainArn")),
    );
    t.output(
        "DomainUrl",
        "Studio sign-in URL (through the presigned-URL login)",
        Value::get_att("Domain", "Url"),
        None,
    );
    Stack::new(name, StackKind::Domain, t)
}
