//! The policy evaluator against a table of cases taken from AWS's IAM documentation: the
//! evaluation logic, condition operators, set qualifiers, `...IfExists`, `Null`, policy
//! variables, `NotAction` and `NotResource`. Each case: policies, a request, the decision.
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>

#![allow(clippy::unwrap_used)]

use serde_json::{Value, json};
use studioform::access::eval::{Decision, Request, evaluate};

fn allow(statement: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [statement]})
}

struct Case {
    name: &'static str,
    policies: Vec<Value>,
    request: Request,
    allowed: bool,
}

fn case(name: &'static str, policies: Vec<Value>, request: Request, allowed: bool) -> Case {
    Case { name, policies, request, allowed }
}

fn r(action: &str, resource: &str) -> Request {
    Request::new(action, resource)
}

fn cases() -> Vec<Case> {
    let bucket = "arn:aws:s3:::amzn-s3-demo-bucket";
    let object = |key: &str| format!("{bucket}/{key}");
    let sm = |res: &str| format!("arn:aws:sagemaker:us-east-1:111122223333:{res}");
    vec![
        // Evaluation logic.
        case("no statement: implicit deny", vec![json!({"Statement": []})], r("s3:GetObject", &object("a")), false),
        case(
            "an allow grants",
            vec![allow(json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": format!("{bucket}/*")}))],
            r("s3:GetObject", &object("a")),
            true,
        ),
        case(
            "an explicit deny in another policy wins over an allow",
            vec![
                allow(json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})),
                allow(json!({"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"})),
            ],
            r("s3:DeleteObject", &object("a")),
            false,
        ),
        case(
            "a deny for another action leaves the allow",
            vec![
                allow(json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})),
                allow(json!({"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"})),
            ],
            r("s3:GetObject", &object("a")),
            true,
        ),
        case(
            "a deny whose condition does not hold leaves the allow",
            vec![
                allow(json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})),
                allow(
                    json!({"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
                ),
            ],
            r("s3:GetObject", &object("a")).with("aws:SecureTransport", "true"),
            true,
        ),
        case(
            "a deny whose condition holds denies",
            vec![
                allow(json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})),
                allow(
                    json!({"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
                ),
            ],
            r("s3:GetObject", &object("a")).with("aws:SecureTransport", "false"),
            false,
        ),
        case(
            "a single statement object, not a list",
            vec![
                json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}}),
            ],
            r("sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:q"),
            true,
        ),
        // Actions.
        case(
            "action wildcard",
            vec![allow(json!({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}))],
            r("s3:GetObjectAcl", &object("a")),
            true,
        ),
        case(
            "action wildcard misses",
            vec![allow(json!({"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}))],
            r("s3:PutObject", &object("a")),
            false,
        ),
        case(
            "actions are case-insensitive",
            vec![allow(json!({"Effect": "Allow", "Action": "S3:getobject", "Resource": "*"}))],
            r("s3:GetObject", &object("a")),
            true,
        ),
        case(
            "every action",
            vec![allow(json!({"Effect": "Allow", "Action": "*", "Resource": "*"}))],
            r("iam:CreateUser", "arn:aws:iam::111122223333:user/x"),
            true,
        ),
        case(
            "NotAction allows everything but the listed",
            vec![allow(json!({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}))],
            r("ec2:RunInstances", "*"),
            true,
        ),
        case(
            "NotAction excludes the listed",
            vec![allow(json!({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}))],
            r("iam:CreateUser", "arn:aws:iam::111122223333:user/x"),
            false,
        ),
        case(
            "a deny with NotAction denies the rest",
            vec![
                allow(json!({"Effect": "Allow", "Action": "*", "Resource": "*"})),
                allow(
                    json!({"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}),
                ),
            ],
            r("ec2:RunInstances", "*").with("aws:MultiFactorAuthPresent", "false"),
            false,
        ),
        // Resources.
        case(
            "a resource wildcard in the path",
            vec![allow(json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": format!("{bucket}/home/*")}))],
            r("s3:GetObject", &object("home/a/b")),
            true,
        ),
        case(
            "another path misses",
            vec![allow(json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": format!("{bucket}/home/*")}))],
            r("s3:GetObject", &object("work/a")),
            false,
        ),
        case(
            "? matches one character",
            vec![allow(
                json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": format!("{bucket}/file?.txt")}),
            )],
            r("s3:GetObject", &object("file1.txt")),
            true,
        ),
        case(
            "? does not match two",
            vec![allow(
                json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": format!("{bucket}/file?.txt")}),
            )],
            r("s3:GetObject", &object("file12.txt")),
            false,
        ),
        case(
            "NotResource allows all but the listed",
            vec![allow(json!({"Effect": "Allow", "Action": "s3:*", "NotResource": [bucket, format!("{bucket}/*")]}))],
            r("s3:GetObject", "arn:aws:s3:::other/a"),
            true,
        ),
        case(
            "NotResource excludes the listed",
            vec![allow(json!({"Effect": "Allow", "Action": "s3:*", "NotResource": [bucket, format!("{bucket}/*")]}))],
            r("s3:GetObject", &object("a")),
            false,
        ),
        case(
            "a region wildcard field",
            vec![allow(
                json!({"Effect": "Allow", "Action": "sagemaker:DescribeDomain", "Resource": "arn:aws:sagemaker:*:111122223333:domain/*"}),
            )],
            r("sagemaker:DescribeDomain", &sm("domain/d-1")),
            true,
        ),
        case(
            "another account misses",
            vec![allow(
                json!({"Effect": "Allow", "Action": "sagemaker:DescribeDomain", "Resource": "arn:aws:sagemaker:*:444455556666:domain/*"}),
            )],
            r("sagemaker:DescribeDomain", &sm("domain/d-1")),
            false,
        ),
        // Policy variables.
        case(
            "${aws:username} picks the caller's own folder",
            vec![allow(
                json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": format!("{bucket}/home/${{aws:username}}/*")}),
            )],
            r("s3:GetObject", &object("home/alice/x")).with("aws:username", "alice"),
            true,
        ),
        case(
            "${aws:username} is not someone else's folder",
            vec![allow(
                json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": format!("{bucket}/home/${{aws:username}}/*")}),
            )],
            r("s3:GetObject", &object("home/bob/x")).with("aws:username", "alice"),
            false,
        ),
        case(
            "a variable missing from the request matches nothing",
            vec![allow(
                json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": format!("{bucket}/home/${{aws:username}}/*")}),
            )],
            r("s3:GetObject", &object("home/alice/x")),
            false,
        ),
        case(
            "a variable's value is literal, not a wildcard",
            vec![allow(
                json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": format!("{bucket}/home/${{aws:username}}/*")}),
            )],
            r("s3:GetObject", &object("home/alice/x")).with("aws:username", "*"),
            false,
        ),
        case(
            "${*} is a literal asterisk",
            vec![allow(json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": format!("{bucket}/${{*}}")}))],
            r("s3:GetObject", &object("*")),
            true,
        ),
        case(
            "${*} matches only an asterisk",
            vec![allow(json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": format!("{bucket}/${{*}}")}))],
            r("s3:GetObject", &object("a")),
            false,
        ),
        case(
            "a principal tag matched against a resource tag",
            vec![allow(
                json!({"Effect": "Allow", "Action": "sagemaker:CreatePresignedDomainUrl", "Resource": "*", "Condition": {"StringEquals": {"sagemaker:ResourceTag/userId": "${aws:PrincipalTag/userId}"}}}),
            )],
            r("sagemaker:CreatePresignedDomainUrl", &sm("user-profile/d-1/alice"))
                .with("sagemaker:ResourceTag/userId", "alice")
                .with("aws:PrincipalTag/userId", "alice"),
            true,
        ),
        case(
            "a principal tag of another value",
            vec![allow(
                json!({"Effect": "Allow", "Action": "sagemaker:CreatePresignedDomainUrl", "Resource": "*", "Condition": {"StringEquals": {"sagemaker:ResourceTag/userId": "${aws:PrincipalTag/userId}"}}}),
            )],
            r("sagemaker:CreatePresignedDomainUrl", &sm("user-profile/d-1/bob"))
                .with("sagemaker:ResourceTag/userId", "bob")
                .with("aws:PrincipalTag/userId", "alice"),
            false,
        ),
        case(
            "source identity in an ARN condition",
            vec![allow(
                json!({"Effect": "Allow", "Action": "sagemaker:DeleteSpace", "Resource": "*", "Condition": {"ArnLike": {"sagemaker:OwnerUserProfileArn": "arn:aws:sagemaker:us-east-1:111122223333:user-profile/d-1/${aws:SourceIdentity}"}}}),
            )],
            r("sagemaker:DeleteSpace", &sm("space/d-1/s"))
                .with("sagemaker:OwnerUserProfileArn", sm("user-profile/d-1/alice"))
                .with("aws:SourceIdentity", "alice"),
            true,
        ),
        // Single-valued operators.
        case(
            "StringEquals with a missing key is false",
            vec![allow(
                json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "vision"}}}),
            )],
            r("s3:GetObject", &object("a")),
            false,
        ),
        case(
            "StringNotEquals with a missing key is true",
            vec![allow(
                json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "vision"}}}),
            )],
            r("s3:GetObject", &object("a")),
            true,
        ),
        case(
            "StringEqualsIfExists with a missing key is true",
            vec![allow(
                json!({"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*", "Condition": {"StringEqualsIfExists": {"ec2:InstanceType": ["t3.micro"]}}}),
            )],
            r("ec2:RunInstances", "arn:aws:ec2:us-east-1:111122223333:volume/v"),
            true,
        ),
        case(
            "StringEqualsIfExists with another value is false",
            vec![allow(
                json!({"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*", "Condition": {"StringEqualsIfExists": {"ec2:InstanceType": ["t3.micro"]}}}),
            )],
            r("ec2:RunInstances", "*").with("ec2:InstanceType", "m5.large"),
            false,
        ),
        case(
            "StringLike with a wildcard",
            vec![allow(
                json!({"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*", "Condition": {"StringLike": {"cloudwatch:namespace": "*SageMaker*"}}}),
            )],
            r("cloudwatch:PutMetricData", "*").with("cloudwatch:namespace", "/aws/SageMaker/TrainingJobs"),
            true,
        ),
        case(
            "StringEquals is case-sensitive",
            vec![allow(
                json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "Vision"}}}),
            )],
            r("s3:GetObject", &object("a")).with("aws:PrincipalTag/team", "vision"),
            false,
        ),
        case(
            "StringEqualsIgnoreCase is not",
            vec![allow(
                json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "Vision"}}}),
            )],
            r("s3:GetObject", &object("a")).with("aws:PrincipalTag/team", "vision"),
            true,
        ),
        case(
            "several values of one key: any may match",
            vec![allow(
                json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}}}),
            )],
            r("s3:GetObject", &object("a")).with("aws:RequestedRegion", "us-east-1"),
            true,
        ),
        case(
            "several keys of one operator: all must match",
            vec![allow(
                json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:RequestTag/team": "vision", "aws:RequestTag/owner": "alice"}}}),
            )],
            r("sagemaker:CreateModel", &sm("model/m"))
                .with("aws:RequestTag/team", "vision")
                .with("aws:RequestTag/owner", "bob"),
            false,
        ),
        case(
            "several operators: all must hold",
            vec![allow(
                json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"aws:RequestTag/team": "vision"}, "Null": {"aws:RequestTag/owner": "false"}}}),
            )],
            r("sagemaker:CreateModel", &sm("model/m")).with("aws:RequestTag/team", "vision"),
            false,
        ),
        case(
            "ArnLike on a source ARN",
            vec![allow(
                json!({"Effect": "Allow", "Action": "sns:Publish", "Resource": "*", "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::amzn-s3-demo-*"}}}),
            )],
            r("sns:Publish", "arn:aws:sns:us-east-1:111122223333:t")
                .with("aws:SourceArn", "arn:aws:s3:::amzn-s3-demo-bucket"),
            true,
        ),
        case(
            "ArnNotLike with a matching ARN is false",
            vec![allow(
                json!({"Effect": "Allow", "Action": "sns:Publish", "Resource": "*", "Condition": {"ArnNotLike": {"aws:SourceArn": "arn:aws:s3:::amzn-s3-demo-*"}}}),
            )],
            r("sns:Publish", "arn:aws:sns:us-east-1:111122223333:t")
                .with("aws:SourceArn", "arn:aws:s3:::amzn-s3-demo-bucket"),
            false,
        ),
        case(
            "NumericLessThan",
            vec![allow(
                json!({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket, "Condition": {"NumericLessThanEquals": {"s3:max-keys": "10"}}}),
            )],
            r("s3:ListBucket", bucket).with("s3:max-keys", "20"),
            false,
        ),
        case(
            "DateGreaterThan on the current time",
            vec![allow(
                json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}}),
            )],
            r("s3:GetObject", &object("a")).with("aws:CurrentTime", "2026-11-30T12:00:00Z"),
            true,
        ),
        case(
            "Bool",
            vec![allow(
                json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}),
            )],
            r("s3:GetObject", &object("a")).with("aws:SecureTransport", "true"),
            true,
        ),
        case(
            "Null true: the key is absent",
            vec![allow(
                json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Null": {"sagemaker:OwnerUserProfileArn": "true"}}}),
            )],
            r("sagemaker:DeleteApp", &sm("app/d-1/alice/JupyterServer/default")),
            true,
        ),
        case(
            "Null true with the key present is false",
            vec![allow(
                json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Null": {"sagemaker:OwnerUserProfileArn": "true"}}}),
            )],
            r("sagemaker:DeleteApp", &sm("app/d-1/space/JupyterLab/default"))
                .with("sagemaker:OwnerUserProfileArn", sm("user-profile/d-1/bob")),
            false,
        ),
        case(
            "Null false: the key is present",
            vec![allow(
                json!({"Effect": "Allow", "Action": "sagemaker:CreateUserProfile", "Resource": "*", "Condition": {"Null": {"aws:RequestTag/userId": "false"}}}),
            )],
            r("sagemaker:CreateUserProfile", &sm("user-profile/d-1/alice")).with("aws:RequestTag/userId", "alice"),
            true,
        ),
        // Multivalued keys and set qualifiers.
        case(
            "ForAnyValue: one of the request's values matches",
            vec![
                allow(
                    json!({"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team", "owner"]}}}),
                ),
                allow(json!({"Effect": "Allow", "Action": "*", "Resource": "*"})),
            ],
            r("sagemaker:AddTags", &sm("model/m")).with_all("aws:TagKeys", &["project", "team"]),
            false,
        ),
        case(
            "ForAnyValue: none matches",
            vec![
                allow(
                    json!({"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team", "owner"]}}}),
                ),
                allow(json!({"Effect": "Allow", "Action": "*", "Resource": "*"})),
            ],
            r("sagemaker:AddTags", &sm("model/m")).with_all("aws:TagKeys", &["project"]),
            true,
        ),
        case(
            "ForAnyValue with the key absent is false",
            vec![allow(
                json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": ["project"]}}}),
            )],
            r("sagemaker:AddTags", &sm("model/m")),
            false,
        ),
        case(
            "ForAllValues: every value of the request is allowed",
            vec![allow(
                json!({"Effect": "Allow", "Action": "sts:TagSession", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["userId", "team"]}}}),
            )],
            r("sts:TagSession", "*").with_all("aws:TagKeys", &["userId"]),
            true,
        ),
        case(
            "ForAllValues: one value outside the set",
            vec![allow(
                json!({"Effect": "Allow", "Action": "sts:TagSession", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["userId"]}}}),
            )],
            r("sts:TagSession", "*").with_all("aws:TagKeys", &["userId", "admin"]),
            false,
        ),
        case(
            "ForAllValues with the key absent is true",
            vec![allow(
                json!({"Effect": "Allow", "Action": "sts:TagSession", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["userId"]}}}),
            )],
            r("sts:TagSession", "*"),
            true,
        ),
        case(
            "ForAnyValue:StringNotLike: a value outside the patterns",
            vec![
                allow(
                    json!({"Effect": "Deny", "Action": "sagemaker:CreateApp", "Resource": "*", "Condition": {"ForAnyValue:StringNotLike": {"sagemaker:InstanceTypes": ["ml.t3.*", "system"]}}}),
                ),
                allow(json!({"Effect": "Allow", "Action": "*", "Resource": "*"})),
            ],
            r("sagemaker:CreateApp", &sm("app/d-1/u/JupyterLab/x"))
                .with_all("sagemaker:InstanceTypes", &["ml.g5.xlarge"]),
            false,
        ),
        case(
            "ForAnyValue:StringNotLike: every value inside",
            vec![
                allow(
                    json!({"Effect": "Deny", "Action": "sagemaker:CreateApp", "Resource": "*", "Condition": {"ForAnyValue:StringNotLike": {"sagemaker:InstanceTypes": ["ml.t3.*", "system"]}}}),
                ),
                allow(json!({"Effect": "Allow", "Action": "*", "Resource": "*"})),
            ],
            r("sagemaker:CreateApp", &sm("app/d-1/u/JupyterLab/x"))
                .with_all("sagemaker:InstanceTypes", &["ml.t3.medium"]),
            true,
        ),
    ]
}

#[test]
fn decides_every_case_of_the_table() {
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut wrong = Vec::new();
    for c in &cases {
        let refs: Vec<&Value> = c.policies.iter().collect();
        let decision = evaluate(&refs, &c.request);
        if decision.allowed() != c.allowed {
            wrong.push(format!("{}: expected {}, got {decision:?}", c.name, if c.allowed { "allow" } else { "deny" }));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn names_the_statement_that_decided() {
    let policies = [
        allow(json!({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})),
        json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}, {"Sid": "No", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}),
    ];
    let refs: Vec<&Value> = policies.iter().collect();
    assert_eq!(evaluate(&refs, &Request::new("s3:DeleteObject", "arn:aws:s3:::b/k")), Decision::Deny(1, 1));
    assert_eq!(evaluate(&refs, &Request::new("s3:GetObject", "arn:aws:s3:::b/k")), Decision::Allow(0, 0));
    assert_eq!(evaluate(&refs, &Request::new("sqs:SendMessage", "arn:aws:sqs:us-east-1:1:q")), Decision::Implicit);
}
