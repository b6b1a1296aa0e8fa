//! The self-hosted MLflow (`mlflow.server: self-hosted`): one route table behind both ways
//! in, the authorizer's decisions run in Python against signed tokens, nothing reachable from
//! outside the VPC, and the data kept.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use common::{root, stack, stacks};
use serde_json::{Value, json};
use studioform::config::Tier;
use studioform::estate::mlflow::{Caller, GROUPS, UI_ROUTES, tier_routes};

fn example() -> String {
    std::fs::read_to_string(root().join("examples/mlflow-self-hosted.yaml")).unwrap()
}

fn mlflow() -> Value {
    stack(&example(), "piper-mlflow")
}

/// The authorizer's code, as the template carries it inline.
fn authorizer_code(template: &Value) -> String {
    let code = &template["Resources"]["AuthorizerFunction"]["Properties"]["Code"]["ZipFile"];
    code.as_str().unwrap().to_owned()
}

/// The route table embedded in the authorizer's code: group → routes.
fn authorizer_table(code: &str) -> serde_json::Map<String, Value> {
    let start = code.find("ROUTES = json.loads('").unwrap() + "ROUTES = json.loads('".len();
    let end = start + code[start..].find("')").unwrap();
    serde_json::from_str(&code[start..end]).unwrap()
}

/// The routes (below the stage) a team stack's policies grant `execute-api:Invoke` on.
fn granted_routes(team: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut walk = vec![team];
    while let Some(v) = walk.pop() {
        match v {
            Value::Object(m) => {
                if m.get("Action").is_some_and(|a| a.to_string().contains("execute-api:Invoke")) {
                    for r in m["Resource"].as_array().unwrap() {
                        let arn = r["Fn::Sub"][0].as_str().unwrap();
                        out.insert(arn.split_once("${Stage}/").unwrap().1.to_owned());
                    }
                }
                walk.extend(m.values());
            }
            Value::Array(a) => walk.extend(a),
            _ => {}
        }
    }
    out
}

#[test]
fn each_tiers_routes_are_the_same_in_the_iam_policies_and_in_the_authorizer() {
    let all = stacks(&example());
    let table = authorizer_table(&authorizer_code(&mlflow()));
    let team_tier = [("modelers", Tier::Admin), ("reviewers", Tier::ModelApprover), ("viewers", Tier::Reader)];
    for (group, tier) in GROUPS {
        let (team, _) = team_tier.iter().find(|(_, t)| t == tier).unwrap();
        let template = &all.iter().find(|(n, _)| n == &format!("piper-team-{team}")).unwrap().1;
        let iam = granted_routes(template);
        assert_eq!(iam, tier_routes(*tier, Caller::Sdk).into_iter().collect(), "{group}: IAM grants the table");
        // The authorizer's routes of the group, with the browser prefix read as the SDK's and
        // the UI's own artifact downloads aside, are exactly the IAM grants.
        let browser: BTreeSet<String> =
            table[*group].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_owned()).collect();
        assert_eq!(browser, tier_routes(*tier, Caller::Browser).into_iter().collect(), "{group}");
        let as_sdk: BTreeSet<String> = browser
            .iter()
            .filter(|r| !UI_ROUTES.contains(&r.as_str()))
            .map(|r| r.replacen("/ajax-api/", "/api/", 1))
            .collect();
        assert_eq!(as_sdk, iam, "{group}: the authorizer and the IAM policies drift");
    }
    assert_eq!(table.len(), GROUPS.len(), "no other group has routes");
}

const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TEST";
const CLIENT: &str = "testclient123";
const BASE: &str = "arn:aws:execute-api:us-east-1:333344445555:a1b2c3d4e5/prod";

/// Claims of a valid id token for `groups`, expiring in an hour.
fn claims(groups: &[&str]) -> Value {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    json!({"sub": "0000-1111", "iss": ISSUER, "aud": CLIENT, "token_use": "id", "exp": now + 3600,
           "cognito:groups": groups})
}

/// A route (`METHOD/path`) that a route pattern allows: its `*` made concrete.
fn concrete(route: &str) -> String {
    route.replace('*', "x/y")
}

/// Runs the synthesized authorizer on `cases` (token, method ARN); its decisions.
fn run_authorizer(cases: &[(Value, String)]) -> Vec<String> {
    let python = std::process::Command::new("python3").arg("--version").output();
    assert!(
        python.is_ok_and(|o| o.status.success()),
        "python3 is required to test the MLflow authorizer: install Python 3 and put python3 on PATH"
    );
    let dir = common::temp_dir("authorizer");
    let code = dir.join("index.py");
    std::fs::write(&code, authorizer_code(&mlflow())).unwrap();
    let input = json!({
        "issuer": ISSUER,
        "client": CLIENT,
        "cases": cases.iter().map(|(t, arn)| json!({"token": t, "method_arn": arn})).collect::<Vec<_>>(),
    });
    let fixtures = root().join("tests/fixtures/authorizer");
    let mut child = std::process::Command::new("python3")
        .arg(fixtures.join("harness.py"))
        .arg(&code)
        .arg(fixtures.join("keys.json"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_authorizer_allows_each_tier_its_routes_and_nothing_else() {
    // Routes no reading tier has: run and experiment writes, deletions.
    let writes = [
        "POST/ajax-api/2.0/mlflow/runs/create",
        "POST/ajax-api/2.0/mlflow/experiments/create",
        "DELETE/ajax-api/2.0/mlflow/registered-models/delete",
        "POST/api/2.0/mlflow/runs/log-metric",
    ];
    let mut cases = Vec::new();
    let mut expected = Vec::new();
    for (group, tier) in GROUPS {
        let token = json!({"key": "trusted", "claims": claims(&[group])});
        for route in tier_routes(*tier, Caller::Browser) {
            cases.push((token.clone(), format!("{BASE}/{}", concrete(&route))));
            expected.push(format!("{group} {route}: allow"));
        }
        for route in writes {
            cases.push((token.clone(), format!("{BASE}/{route}")));
            let allowed = if *tier == Tier::Admin { "allow" } else { "deny" };
            expected.push(format!("{group} {route}: {allowed}"));
        }
        if *tier == Tier::Reader {
            // The approvers' registry writes are outside the reader tier.
            for route in tier_routes(Tier::ModelApprover, Caller::Browser) {
                if !tier_routes(Tier::Reader, Caller::Browser).contains(&route) {
                    cases.push((token.clone(), format!("{BASE}/{}", concrete(&route))));
                    expected.push(format!("{group} {route}: deny"));
                }
            }
        }
    }
    let decisions = run_authorizer(&cases);
    let got: Vec<String> =
        expected.iter().zip(&decisions).map(|(e, d)| format!("{}: {d}", e.rsplit_once(": ").unwrap().0)).collect();
    assert_eq!(got, expected);
}

#[test]
fn the_authorizer_denies_unknown_groups_and_refuses_bad_tokens() {
    let route = format!("{BASE}/GET/ajax-api/2.0/mlflow/experiments/get");
    let mut expired = claims(&["admins"]);
    expired["exp"] = json!(1_000_000_000);
    let mut other_issuer = claims(&["admins"]);
    other_issuer["iss"] = json!("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_OTHER");
    let mut other_client = claims(&["admins"]);
    other_client["aud"] = json!("someoneelse");
    let trusted = |c: Value| json!({"key": "trusted", "claims": c});
    // A reader's token with its claims rewritten to the admins' group, signature kept.
    let tampered = json!({"key": "trusted", "claims": claims(&["readers"]), "swap_claims": claims(&["admins"])});
    let cases = [
        ("a reader", trusted(claims(&["readers"]))),
        ("no known group", trusted(claims(&["interns"]))),
        (
            "no group at all",
            trusted(json!({"sub": "x", "iss": ISSUER, "aud": CLIENT, "token_use": "id", "exp": 9_999_999_999u64})),
        ),
        ("expired", trusted(expired)),
        ("signed by another key", json!({"key": "stranger", "claims": claims(&["admins"])})),
        ("not RS256", json!({"key": "trusted", "alg": "HS256", "claims": claims(&["admins"])})),
        ("unknown key id", json!({"key": "trusted", "kid": "other", "claims": claims(&["admins"])})),
        ("another pool", trusted(other_issuer)),
        ("another client", trusted(other_client)),
        ("tampered", tampered),
        ("not a token", json!("garbage")),
        ("forged signature", json!("eyJhbGciOiJSUzI1NiIsImtpZCI6InRlc3Qta2V5LTEifQ.eyJleHAiOjk5OTk5OTk5OTl9.AAAA")),
    ];
    let decisions = run_authorizer(&cases.iter().map(|(_, t)| (t.clone(), route.clone())).collect::<Vec<_>>());
    let got: Vec<String> = cases.iter().zip(&decisions).map(|((what, _), d)| format!("{what}: {d}")).collect();
    assert_eq!(
        got,
        [
            "a reader: allow",
            "no known group: deny",
            "no group at all: deny",
            "expired: unauthorized",
            "signed by another key: unauthorized",
            "not RS256: unauthorized",
            "unknown key id: unauthorized",
            "another pool: unauthorized",
            "another client: unauthorized",
            "tampered: unauthorized",
            "not a token: unauthorized",
            "forged signature: unauthorized",
        ]
    );
}

/// The resources of a template of type `kind`, by logical id.
fn of_type<'a>(template: &'a Value, kind: &str) -> Vec<(&'a String, &'a Value)> {
    template["Resources"].as_object().unwrap().iter().filter(|(_, r)| r["Type"] == kind).collect()
}

#[test]
fn the_database_and_artifact_store_are_not_reachable_from_outside_the_vpc() {
    let t = mlflow();
    let r = &t["Resources"];
    // The database: in the org's subnets, never public, reached only from the tasks' group.
    assert_eq!(r["DatabaseInstance"]["Properties"]["PubliclyAccessible"], false);
    assert_eq!(
        r["DatabaseSubnetGroup"]["Properties"]["SubnetIds"],
        json!(["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"])
    );
    assert_eq!(
        r["Database"]["Properties"]["VpcSecurityGroupIds"],
        json!([{"Fn::GetAtt": ["DatabaseSecurityGroup", "GroupId"]}])
    );
    // Every security group rule: no CIDR anywhere, each group reached from exactly one other.
    let mut rules = BTreeSet::new();
    for (_, sg) in of_type(&t, "AWS::EC2::SecurityGroup") {
        assert!(sg["Properties"].get("SecurityGroupIngress").is_none(), "no inline rules");
    }
    for (_, rule) in of_type(&t, "AWS::EC2::SecurityGroupIngress") {
        let p = &rule["Properties"];
        assert!(p.get("CidrIp").is_none() && p.get("CidrIpv6").is_none(), "{p}");
        rules.insert((
            p["GroupId"]["Fn::GetAtt"][0].as_str().unwrap().to_owned(),
            p["SourceSecurityGroupId"]["Fn::GetAtt"][0].as_str().unwrap().to_owned(),
            p["FromPort"].as_u64().unwrap(),
            p["ToPort"].as_u64().unwrap(),
        ));
    }
    assert_eq!(
        rules,
        BTreeSet::from([
            ("DatabaseSecurityGroup".to_owned(), "TaskSecurityGroup".to_owned(), 5432, 5432),
            ("TaskSecurityGroup".to_owned(), "LoadBalancerSecurityGroup".to_owned(), 5000, 5000),
        ])
    );
    // The load balancer: internal, admitting only the VPC link (its group has no rules).
    let lb = &r["LoadBalancer"]["Properties"];
    assert_eq!(lb["Scheme"], "internal");
    assert_eq!(lb["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"], "off");
    let service = &r["Service"]["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"];
    assert_eq!(service["AssignPublicIp"], "DISABLED");
    // The artifact store: no public access, TLS only.
    let block = &r["ArtifactBucket"]["Properties"]["PublicAccessBlockConfiguration"];
    for k in ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"] {
        assert_eq!(block[k], true, "{k}");
    }
    let deny = &r["ArtifactBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0];
    assert_eq!(deny["Effect"], "Deny");
    assert_eq!(deny["Condition"], json!({"Bool": {"aws:SecureTransport": "false"}}));
    // The only way in from outside is the API: IAM on /api, the authorizer elsewhere.
    let auth: BTreeSet<(String, String)> = of_type(&t, "AWS::ApiGateway::Method")
        .into_iter()
        .map(|(id, m)| (id.clone(), m["Properties"]["AuthorizationType"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        auth,
        BTreeSet::from([("ApiMethod".into(), "AWS_IAM".into()), ("BrowserMethod".into(), "CUSTOM".into())])
    );
}

#[test]
fn retains_the_database_its_secret_the_user_pool_and_the_bucket() {
    let t = mlflow();
    for id in ["Database", "DatabaseSecret", "ArtifactBucket", "UserPool"] {
        let r = &t["Resources"][id];
        assert_eq!((&r["DeletionPolicy"], &r["UpdateReplacePolicy"]), (&json!("Retain"), &json!("Retain")), "{id}");
    }
    assert_eq!(t["Resources"]["Database"]["Properties"]["DeletionProtection"], true);
    assert_eq!(t["Resources"]["Database"]["Properties"]["StorageEncrypted"], true);
}

#[test]
fn team_stacks_import_the_api_the_mlflow_stack_exports() {
    let t = mlflow();
    for output in ["RestApiId", "Stage"] {
        assert_eq!(t["Outputs"][output]["Export"]["Name"], format!("piper-mlflow-{output}"));
    }
    let team = stack(&example(), "piper-team-viewers");
    let text = team.to_string();
    assert!(text.contains(r#"{"Fn::ImportValue":"piper-mlflow-RestApiId"}"#), "{text}");
    assert!(text.contains(r#"{"Fn::ImportValue":"piper-mlflow-Stage"}"#));
}

/// The org-file checks' findings for `example` with `from` replaced by `to`: code and message.
fn findings(from: &str, to: &str) -> Vec<String> {
    let text = example().replace(from, to);
    assert_ne!(text, example(), "{from}");
    let name = root().join("examples/test.yaml");
    match studioform::config::load_str(&name.to_string_lossy(), text) {
        Ok(loaded) => loaded.warnings.iter().map(|d| format!("{} {}", d.code, d.message)).collect(),
        Err(studioform::Error::Invalid { diags, .. }) => {
            diags.iter().map(|d| format!("{} {}", d.code, d.message)).collect()
        }
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn checks_what_a_self_hosted_mlflow_needs() {
    assert_eq!(
        findings("  cognito_domain: piper-mlflow-login\n", ""),
        ["CFG013 MLflow server `self-hosted` needs `cognito_domain`"]
    );
    assert_eq!(
        findings("piper-mlflow-login", "amazon-login"),
        ["CFG045 `amazon-login` cannot prefix a Cognito domain: it contains a reserved word"]
    );
    assert_eq!(
        findings(", subnet-0bbbbbbbbbbbbbbb2]", "]"),
        ["CFG017 a self-hosted MLflow's database needs subnets in two Availability Zones; `network.subnet_ids` has 1"]
    );
    assert_eq!(
        findings("333344445555.dkr.ecr.us-east-1.amazonaws.com/mlflow:2.22.0", "ghcr.io/mlflow/mlflow:v2.22.0"),
        [
            "CFG047 the MLflow tasks pull `ghcr.io/mlflow/mlflow:v2.22.0` from outside AWS, but `network.internet` is false"
        ]
    );
    assert_eq!(
        findings("  name: piper-mlflow\n", "  name: Piper_MLflow\n"),
        ["CFG022 MLflow name `Piper_MLflow` cannot name its database cluster, load balancer and ECS service"]
    );
    assert_eq!(
        findings("  stage: prod\n", "  stage: prod\n  rest_api_id: a1b2c3d4e5\n"),
        ["CFG014 `rest_api_id` is ignored for MLflow server `self-hosted`"]
    );
}
