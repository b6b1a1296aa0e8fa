//! The vendored data: CloudFormation resource provider schemas, every resource type name, and
//! the IAM catalog (services, actions, condition keys). Parsed once, on first use. See
//! `schemas/SOURCE.md` for provenance and `schemas/extract.py` to refresh.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use serde_json::Value;

/// Provider schemas vendored in `schemas/resources/`, by type name.
const SCHEMAS: &[(&str, &str)] = &[
    ("AWS::ApiGateway::Authorizer", include_str!("../../schemas/resources/AWS_ApiGateway_Authorizer.json")),
    ("AWS::ApiGateway::Deployment", include_str!("../../schemas/resources/AWS_ApiGateway_Deployment.json")),
    ("AWS::ApiGateway::Method", include_str!("../../schemas/resources/AWS_ApiGateway_Method.json")),
    ("AWS::ApiGateway::Resource", include_str!("../../schemas/resources/AWS_ApiGateway_Resource.json")),
    ("AWS::ApiGateway::RestApi", include_str!("../../schemas/resources/AWS_ApiGateway_RestApi.json")),
    ("AWS::ApiGateway::Stage", include_str!("../../schemas/resources/AWS_ApiGateway_Stage.json")),
    ("AWS::ApiGateway::VpcLink", include_str!("../../schemas/resources/AWS_ApiGateway_VpcLink.json")),
    ("AWS::CloudFormation::StackSet", include_str!("../../schemas/resources/AWS_CloudFormation_StackSet.json")),
    ("AWS::Cognito::UserPool", include_str!("../../schemas/resources/AWS_Cognito_UserPool.json")),
    ("AWS::Cognito::UserPoolClient", include_str!("../../schemas/resources/AWS_Cognito_UserPoolClient.json")),
    ("AWS::Cognito::UserPoolDomain", include_str!("../../schemas/resources/AWS_Cognito_UserPoolDomain.json")),
    ("AWS::Cognito::UserPoolGroup", include_str!("../../schemas/resources/AWS_Cognito_UserPoolGroup.json")),
    ("AWS::EC2::SecurityGroup", include_str!("../../schemas/resources/AWS_EC2_SecurityGroup.json")),
    ("AWS::EC2::SecurityGroupEgress", include_str!("../../schemas/resources/AWS_EC2_SecurityGroupEgress.json")),
    ("AWS::EC2::SecurityGroupIngress", include_str!("../../schemas/resources/AWS_EC2_SecurityGroupIngress.json")),
    ("AWS::EC2::Subnet", include_str!("../../schemas/resources/AWS_EC2_Subnet.json")),
    ("AWS::EC2::VPC", include_str!("../../schemas/resources/AWS_EC2_VPC.json")),
    ("AWS::ECS::Cluster", include_str!("../../schemas/resources/AWS_ECS_Cluster.json")),
    ("AWS::ECS::Service", include_str!("../../schemas/resources/AWS_ECS_Service.json")),
    ("AWS::ECS::TaskDefinition", include_str!("../../schemas/resources/AWS_ECS_TaskDefinition.json")),
    ("AWS::EFS::FileSystem", include_str!("../../schemas/resources/AWS_EFS_FileSystem.json")),
    (
        "AWS::ElasticLoadBalancingV2::Listener",
        include_str!("../../schemas/resources/AWS_ElasticLoadBalancingV2_Listener.json"),
    ),
    (
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        include_str!("../../schemas/resources/AWS_ElasticLoadBalancingV2_LoadBalancer.json"),
    ),
    (
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        include_str!("../../schemas/resources/AWS_ElasticLoadBalancingV2_TargetGroup.json"),
    ),
    ("AWS::IAM::Group", include_str!("../../schemas/resources/AWS_IAM_Group.json")),
    ("AWS::IAM::InstanceProfile", include_str!("../../schemas/resources/AWS_IAM_InstanceProfile.json")),
    ("AWS::IAM::ManagedPolicy", include_str!("../../schemas/resources/AWS_IAM_ManagedPolicy.json")),
    ("AWS::IAM::Policy", include_str!("../../schemas/resources/AWS_IAM_Policy.json")),
    ("AWS::IAM::Role", include_str!("../../schemas/resources/AWS_IAM_Role.json")),
    ("AWS::IAM::User", include_str!("../../schemas/resources/AWS_IAM_User.json")),
    ("AWS::IAM::UserToGroupAddition", include_str!("../../schemas/resources/AWS_IAM_UserToGroupAddition.json")),
    ("AWS::KMS::Alias", include_str!("../../schemas/resources/AWS_KMS_Alias.json")),
    ("AWS::KMS::Key", include_str!("../../schemas/resources/AWS_KMS_Key.json")),
    ("AWS::Lambda::Function", include_str!("../../schemas/resources/AWS_Lambda_Function.json")),
    ("AWS::Lambda::Permission", include_str!("../../schemas/resources/AWS_Lambda_Permission.json")),
    ("AWS::Logs::LogGroup", include_str!("../../schemas/resources/AWS_Logs_LogGroup.json")),
    ("AWS::RDS::DBCluster", include_str!("../../schemas/resources/AWS_RDS_DBCluster.json")),
    ("AWS::RDS::DBInstance", include_str!("../../schemas/resources/AWS_RDS_DBInstance.json")),
    ("AWS::RDS::DBSubnetGroup", include_str!("../../schemas/resources/AWS_RDS_DBSubnetGroup.json")),
    ("AWS::S3::Bucket", include_str!("../../schemas/resources/AWS_S3_Bucket.json")),
    ("AWS::S3::BucketPolicy", include_str!("../../schemas/resources/AWS_S3_BucketPolicy.json")),
    ("AWS::SNS::Topic", include_str!("../../schemas/resources/AWS_SNS_Topic.json")),
    ("AWS::SQS::Queue", include_str!("../../schemas/resources/AWS_SQS_Queue.json")),
    ("AWS::SSO::ApplicationAssignment", include_str!("../../schemas/resources/AWS_SSO_ApplicationAssignment.json")),
    ("AWS::SSO::Assignment", include_str!("../../schemas/resources/AWS_SSO_Assignment.json")),
    ("AWS::SSO::PermissionSet", include_str!("../../schemas/resources/AWS_SSO_PermissionSet.json")),
    ("AWS::SageMaker::App", include_str!("../../schemas/resources/AWS_SageMaker_App.json")),
    ("AWS::SageMaker::Domain", include_str!("../../schemas/resources/AWS_SageMaker_Domain.json")),
    (
        "AWS::SageMaker::MlflowTrackingServer",
        include_str!("../../schemas/resources/AWS_SageMaker_MlflowTrackingServer.json"),
    ),
    ("AWS::SageMaker::Space", include_str!("../../schemas/resources/AWS_SageMaker_Space.json")),
    ("AWS::SageMaker::UserProfile", include_str!("../../schemas/resources/AWS_SageMaker_UserProfile.json")),
    ("AWS::SecretsManager::Secret", include_str!("../../schemas/resources/AWS_SecretsManager_Secret.json")),
    (
        "AWS::ServiceCatalog::AcceptedPortfolioShare",
        include_str!("../../schemas/resources/AWS_ServiceCatalog_AcceptedPortfolioShare.json"),
    ),
    (
        "AWS::ServiceCatalog::CloudFormationProduct",
        include_str!("../../schemas/resources/AWS_ServiceCatalog_CloudFormationProduct.json"),
    ),
    (
        "AWS::ServiceCatalog::LaunchRoleConstraint",
        include_str!("../../schemas/resources/AWS_ServiceCatalog_LaunchRoleConstraint.json"),
    ),
    (
        "AWS::ServiceCatalog::LaunchTemplateConstraint",
        include_str!("../../schemas/resources/AWS_ServiceCatalog_LaunchTemplateConstraint.json"),
    ),
    ("AWS::ServiceCatalog::Portfolio", include_str!("../../schemas/resources/AWS_ServiceCatalog_Portfolio.json")),
    (
        "AWS::ServiceCatalog::PortfolioPrincipalAssociation",
        include_str!("../../schemas/resources/AWS_ServiceCatalog_PortfolioPrincipalAssociation.json"),
    ),
    (
        "AWS::ServiceCatalog::PortfolioProductAssociation",
        include_str!("../../schemas/resources/AWS_ServiceCatalog_PortfolioProductAssociation.json"),
    ),
    (
        "AWS::ServiceCatalog::PortfolioShare",
        include_str!("../../schemas/resources/AWS_ServiceCatalog_PortfolioShare.json"),
    ),
    ("AWS::ServiceCatalog::TagOption", include_str!("../../schemas/resources/AWS_ServiceCatalog_TagOption.json")),
    (
        "AWS::ServiceCatalog::TagOptionAssociation",
        include_str!("../../schemas/resources/AWS_ServiceCatalog_TagOptionAssociation.json"),
    ),
];

/// The provider schemas of every other resource type of us-east-1, one `Type<TAB>schema` a
/// line: parsed one type at a time, when a template uses it.
const OTHER_SCHEMAS: &str = include_str!("../../schemas/resources-other.tsv");
const RESOURCE_TYPES: &str = include_str!("../../schemas/resource-types.txt");
const GETATT: &str = include_str!("../../schemas/getatt.json");
const IAM_SERVICES: &str = include_str!("../../schemas/iam/services.txt");
const IAM_ACTIONS: &str = include_str!("../../schemas/iam/actions.json");

/// Names of every vendored schema, for tests.
pub fn vendored_types() -> impl Iterator<Item = &'static str> {
    SCHEMAS.iter().map(|(t, _)| *t)
}

/// The provider schema of `type_name`, if vendored.
pub fn schema(type_name: &str) -> Option<&'static Value> {
    static PARSED: OnceLock<HashMap<&'static str, Value>> = OnceLock::new();
    let own = PARSED.get_or_init(|| {
        SCHEMAS
            .iter()
            .filter_map(|(t, text)| {
                let mut v: Value = serde_json::from_str(text).ok()?;
                Some((*t, if ANCHORED.contains(t) { anchor_patterns(&mut v) } else { v }))
            })
            .collect()
    });
    own.get(type_name).or_else(|| other_schema(type_name))
}

/// The schema of a type from [`OTHER_SCHEMAS`], parsed on first use. Each is parsed once per
/// process and kept for its lifetime (at most one per resource type).
fn other_schema(type_name: &str) -> Option<&'static Value> {
    static LINES: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    static PARSED: OnceLock<std::sync::RwLock<HashMap<&'static str, Option<&'static Value>>>> = OnceLock::new();
    let lines = LINES.get_or_init(|| OTHER_SCHEMAS.lines().filter_map(|l| l.split_once('\t')).collect());
    let (&name, &text) = lines.get_key_value(type_name)?;
    let parsed = PARSED.get_or_init(Default::default);
    if let Some(found) = parsed.read().ok().and_then(|p| p.get(name).copied()) {
        return found;
    }
    // Patterns are read as JSON Schema and cfn-lint read them, matching anywhere in the value:
    // many of these schemas write `[^:]` for "some character other than a colon" or `^https?://`
    // for a prefix, which anchoring would turn into rejections of valid values.
    let value: Option<&'static Value> = serde_json::from_str(text).ok().map(|v| &*Box::leak(Box::new(v)));
    if let Ok(mut p) = parsed.write() {
        // Another thread may have parsed it meanwhile: keep the first, so references stay one.
        return *p.entry(name).or_insert(value);
    }
    value
}

/// Follows `$ref`s (within `root`) from `node` to the subschema they name; a few hops at most,
/// so a cyclic reference cannot loop.
pub fn resolve<'s>(root: &'s Value, mut node: &'s Value) -> &'s Value {
    for _ in 0..16 {
        match node.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')).and_then(|p| root.pointer(p)) {
            Some(target) => node = target,
            None => break,
        }
    }
    node
}

/// The types whose schemas' patterns are anchored: those of the Studio estate, whose patterns
/// were checked to be whole-value ones. Others are read as JSON Schema and cfn-lint read them,
/// matching anywhere: Cognito's `SmsVerificationMessage` pattern `\{####\}` asks that the
/// message hold the code, not be it.
const ANCHORED: &[&str] = &[
    "AWS::ApiGateway::RestApi",
    "AWS::CloudFormation::StackSet",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::SecurityGroupEgress",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::Subnet",
    "AWS::EC2::VPC",
    "AWS::EFS::FileSystem",
    "AWS::IAM::Group",
    "AWS::IAM::InstanceProfile",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::Policy",
    "AWS::IAM::Role",
    "AWS::IAM::User",
    "AWS::IAM::UserToGroupAddition",
    "AWS::KMS::Alias",
    "AWS::KMS::Key",
    "AWS::Lambda::Function",
    "AWS::Logs::LogGroup",
    "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy",
    "AWS::SNS::Topic",
    "AWS::SQS::Queue",
    "AWS::SSO::ApplicationAssignment",
    "AWS::SSO::Assignment",
    "AWS::SSO::PermissionSet",
    "AWS::SageMaker::App",
    "AWS::SageMaker::Domain",
    "AWS::SageMaker::Space",
    "AWS::SageMaker::UserProfile",
    "AWS::ServiceCatalog::Portfolio",
    "AWS::ServiceCatalog::TagOption",
];

/// Anchors every `pattern` of a schema: AWS matches the whole value, JSON Schema searches
/// for the pattern anywhere in it, and some provider schemas omit `^...$`.
fn anchor_patterns(schema: &mut Value) -> Value {
    fn visit(v: &mut Value, under_properties: bool) {
        match v {
            Value::Object(m) => {
                for (k, child) in m.iter_mut() {
                    if k == "pattern" && !under_properties {
                        if let Value::String(p) = child
                            && !(p.starts_with('^') && p.ends_with('$'))
                        {
                            *p = format!("^(?:{})$", p.trim_start_matches('^').trim_end_matches('$'));
                        }
                    } else {
                        visit(
                            child,
                            !under_properties
                                && matches!(k.as_str(), "properties" | "definitions" | "patternProperties"),
                        );
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| visit(i, false)),
            _ => {}
        }
    }
    visit(schema, false);
    std::mem::take(schema)
}

/// Every resource type name CloudFormation has.
pub fn resource_types() -> &'static HashSet<&'static str> {
    static TYPES: OnceLock<HashSet<&'static str>> = OnceLock::new();
    TYPES.get_or_init(|| RESOURCE_TYPES.lines().filter(|l| !l.is_empty()).collect())
}

/// Which attributes `Fn::GetAtt` reads beyond a type's read-only properties.
#[derive(Debug, Default, serde::Deserialize)]
pub struct GetAttRules {
    /// Types whose every (non-list-of-object) property is also an attribute.
    pub all_property_types: HashSet<String>,
    /// Further attributes of some types.
    pub exceptions: HashMap<String, Vec<String>>,
}

/// The `Fn::GetAtt` rules, parsed once.
pub fn getatt_rules() -> &'static GetAttRules {
    static RULES: OnceLock<GetAttRules> = OnceLock::new();
    RULES.get_or_init(|| serde_json::from_str(GETATT).unwrap_or_default())
}

/// One service of the IAM catalog.
#[derive(Debug, Default)]
pub struct Service {
    /// Actions, lowercase name → (name as AWS spells it, its condition keys).
    pub actions: HashMap<String, (String, Vec<String>)>,
    /// Condition keys the service defines (some end in `${TagKey}`-like templates).
    pub conditions: Vec<String>,
}

/// The IAM catalog.
#[derive(Debug, Default)]
pub struct Catalog {
    /// Every service prefix IAM knows (lowercase).
    pub services: HashSet<String>,
    /// Services whose actions and condition keys are vendored, by prefix.
    pub detailed: HashMap<String, Service>,
    /// Every service's condition keys, lowercase, for lookups.
    keys: ConditionKeys,
}

/// Condition keys indexed once: plain keys by value; keys ending in a template
/// (`.../${TagKey}`, `<...>`) or in `/` as prefixes.
#[derive(Debug, Default)]
struct ConditionKeys {
    exact: HashSet<String>,
    /// A prefix, and whether the key in use must be longer than it (a template follows).
    prefixes: Vec<(String, bool)>,
}

impl ConditionKeys {
    fn new<'k>(keys: impl Iterator<Item = &'k String>) -> Self {
        let mut exact = HashSet::new();
        let mut prefixes = std::collections::BTreeSet::new();
        for key in keys {
            let t = key.to_ascii_lowercase();
            match t.find("${").or_else(|| t.find('<')) {
                Some(i) => {
                    prefixes.insert((t[..i].to_owned(), true));
                }
                None if t.ends_with('/') => {
                    prefixes.insert((t, false));
                }
                None => {
                    exact.insert(t);
                }
            }
        }
        Self { exact, prefixes: prefixes.into_iter().collect() }
    }

    fn knows(&self, used: &str) -> bool {
        self.exact.contains(used)
            || self.prefixes.iter().any(|(p, longer)| used.starts_with(p.as_str()) && (!longer || used.len() > p.len()))
    }
}

impl Catalog {
    /// True when `key` is a condition key some catalogued service or IAM itself defines.
    pub fn knows_condition_key(&self, key: &str) -> bool {
        let lower = key.to_ascii_lowercase();
        if is_global_key(&lower) {
            return true;
        }
        self.keys.knows(&lower)
    }
}

const IAM_RESOURCES: &str = include_str!("../../schemas/iam/resources.json");

/// The resource types `action` applies to (`role`, `domain`...), for the services whose
/// resource types are vendored; `None` for other services, and for actions on no resource.
pub fn action_resource_types(action: &str) -> Option<&'static [String]> {
    static TABLE: OnceLock<HashMap<String, Vec<String>>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let raw: HashMap<String, HashMap<String, Vec<String>>> =
            serde_json::from_str(IAM_RESOURCES).unwrap_or_default();
        raw.into_iter()
            .flat_map(|(service, actions)| {
                actions.into_iter().map(move |(name, types)| (format!("{service}:{name}").to_ascii_lowercase(), types))
            })
            .collect()
    });
    table.get(&action.to_ascii_lowercase()).map(Vec::as_slice)
}

/// The IAM catalog, parsed once.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let services = IAM_SERVICES.lines().filter(|l| !l.is_empty()).map(str::to_ascii_lowercase).collect();
        let raw: HashMap<String, Value> = serde_json::from_str(IAM_ACTIONS).unwrap_or_default();
        let detailed: HashMap<String, Service> = raw
            .into_iter()
            .map(|(prefix, v)| {
                let actions = v["actions"]
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(name, keys)| {
                                let keys = keys
                                    .as_array()
                                    .map(|a| a.iter().filter_map(|k| k.as_str().map(str::to_owned)).collect())
                                    .unwrap_or_default();
                                (name.to_ascii_lowercase(), (name.clone(), keys))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let conditions = v["conditions"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|k| k.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default();
                (prefix, Service { actions, conditions })
            })
            .collect();
        let keys = ConditionKeys::new(detailed.values().flat_map(|s| &s.conditions));
        Catalog { services, detailed, keys }
    })
}

/// The AWS global condition keys.
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>
const GLOBAL_KEYS: &[&str] = &[
    "aws:calledvia",
    "aws:calledviafirst",
    "aws:calledvialast",
    "aws:currenttime",
    "aws:ec2instancesourceprivateipv4",
    "aws:ec2instancesourcevpc",
    "aws:epochtime",
    "aws:federatedprovider",
    "aws:ismcpservice",
    "aws:multifactorauthage",
    "aws:multifactorauthpresent",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalisawsservice",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalservicename",
    "aws:principalservicenameslist",
    "aws:principaltype",
    "aws:referer",
    "aws:requestedregion",
    "aws:resourceaccount",
    "aws:resourceorgid",
    "aws:resourceorgpaths",
    "aws:securetransport",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceidentity",
    "aws:sourceip",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourcevpc",
    "aws:sourcevpcarn",
    "aws:sourcevpce",
    "aws:tagkeys",
    "aws:tokenissuetime",
    "aws:useragent",
    "aws:userid",
    "aws:username",
    "aws:viaawsservice",
    "aws:vpcsourceip",
    "aws:viaawsmcpservice",
    "aws:calledviaawsmcp",
];

/// Global keys with a tag or attribute suffix.
const GLOBAL_PREFIXES: &[&str] = &["aws:principaltag/", "aws:requesttag/", "aws:resourcetag/", "aws:requestattribute/"];

fn is_global_key(lower: &str) -> bool {
    GLOBAL_KEYS.contains(&lower) || GLOBAL_PREFIXES.iter().any(|p| lower.len() > p.len() && lower.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendored_schema_is_registered_and_parses() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/resources");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".json").replace('_', "::"))
            .collect();
        files.sort();
        let mut registered: Vec<String> = vendored_types().map(str::to_owned).collect();
        registered.sort();
        assert_eq!(files, registered);
        for t in vendored_types() {
            assert_eq!(schema(t).unwrap()["typeName"], t);
            assert!(resource_types().contains(t));
        }
    }

    #[test]
    fn anchors_patterns_the_schemas_leave_open() {
        let arn = &schema("AWS::SageMaker::Domain").unwrap()["properties"]["DomainArn"]["pattern"];
        assert_eq!(arn, "^(?:arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:domain/.*)$");
        let role = &schema("AWS::IAM::Role").unwrap()["properties"]["RoleName"]["pattern"];
        assert_eq!(role, "^[\\w+=,.@-]+$");
    }

    #[test]
    fn knows_actions_and_condition_keys() {
        let c = catalog();
        assert!(c.services.contains("sagemaker") && c.services.contains("dynamodb"));
        assert_eq!(c.detailed["sagemaker"].actions["createpresigneddomainurl"].0, "CreatePresignedDomainUrl");
        assert!(c.knows_condition_key("sagemaker:ResourceTag/userId"));
        assert!(c.knows_condition_key("aws:PrincipalTag/team"));
        assert!(c.knows_condition_key("SAML:aud"));
        assert!(c.knows_condition_key("sagemaker:InstanceTypes"));
        assert!(c.knows_condition_key("s3:ExistingObjectTag/servicecatalog:provisioning"));
        assert!(!c.knows_condition_key("sagemaker:InstanceType"));
        assert!(!c.knows_condition_key("aws:SourceIdentiti"));
    }
}
