//! The self-hosted MLflow's stack (`mlflow.server: self-hosted`), as the source material
//! builds it: the tracking server on ECS Fargate in the org's subnets, an Aurora Serverless v2
//! PostgreSQL backend store, an S3 artifact store, a Network Load Balancer reached only through
//! an API Gateway VPC link, IAM authorization for SDKs and a Cognito user pool with a Lambda
//! authorizer for browsers. Tier routes come from [`super::mlflow`]'s one table.

use serde_json::json;
use sha2::Digest as _;

use super::Stack;
use super::layout::{Layout, StackKind};
use super::mlflow::{GROUPS, authorizer_routes};
use crate::config::{DEFAULT_MLFLOW_IMAGE, MlflowServer, MlflowSize, Org, Tier};
use crate::model::iam::{PolicyDocument, Principal, Statement};
use crate::model::resources::{
    ApiDeployment, ApiMethod, ApiResource, ApiStage, Authorizer, DbCluster, DbInstance, DbSubnetGroup, EcsCluster,
    EcsService, Function, InlinePolicy, LambdaPermission, Listener, LoadBalancer, LogGroup, RestApi, Role, Secret,
    SecurityGroup, SecurityGroupIngress, Tag, TargetGroup, TaskDefinition, UserPool, UserPoolClient, UserPoolDomain,
    UserPoolGroup, VpcLink,
};
use crate::model::template::ResourceType;
use crate::model::{Parameter, Resource, Template, Value};
use crate::path;

/// The port MLflow listens on in its container.
pub const MLFLOW_PORT: u16 = 5000;
/// The PostgreSQL port of the backend store.
pub const DATABASE_PORT: u16 = 5432;
/// The Aurora PostgreSQL version of the backend store (a version cfn-lint knows for
/// Serverless v2).
pub const DATABASE_VERSION: &str = "16.8";
/// The authorizer's code: the route table is put in at `__ROUTES__`.
const AUTHORIZER: &str = include_str!("mlflow_authorizer.py");

/// What a size buys: task CPU units, task memory (MiB), tasks, and the database's capacity
/// range in Aurora capacity units.
fn sizing(size: MlflowSize) -> (&'static str, &'static str, u32, f64, f64) {
    match size {
        MlflowSize::Small => ("1024", "2048", 1, 0.5, 2.0),
        MlflowSize::Medium => ("2048", "4096", 2, 0.5, 4.0),
        MlflowSize::Large => ("4096", "8192", 2, 1.0, 8.0),
    }
}

/// The authorizer's Python source with the route table in it.
pub fn authorizer_code() -> String {
    AUTHORIZER.replace("__ROUTES__", &authorizer_routes().to_string())
}

/// A resource of the MLflow stack.
fn res<T: ResourceType>(properties: T) -> Resource {
    Resource::new(&properties, path!["mlflow"])
}

/// A trust policy for one AWS service.
fn trust(service: &str) -> PolicyDocument {
    PolicyDocument::new(vec![Statement::trust(Principal::Service(vec![service.to_owned()]), ["sts:AssumeRole"])])
}

/// The self-hosted MLflow's stack, when the org runs one.
pub(super) fn stack(org: &Org) -> Option<Stack> {
    let m = org.mlflow.as_ref().filter(|m| m.server == MlflowServer::SelfHosted)?;
    let name = m.name.clone().unwrap_or_default();
    let bucket = m.artifact_bucket.clone().unwrap_or_default();
    let stage = m.stage.clone().unwrap_or_else(|| "prod".to_owned());
    let origin = path!["mlflow"];
    let key = org.encryption.as_ref().and_then(|e| e.kms_key_arn.clone());
    let (cpu, memory, tasks, min_acu, max_acu) = sizing(m.size.unwrap_or(MlflowSize::Small));
    let subnets = Value::strs(&org.network.subnet_ids);
    let vpc = Value::from(&org.network.vpc_id);
    let mut t = Template::new(format!("studioform: self-hosted MLflow {name} of {} behind API Gateway", org.name));
    t.parameters.insert(
        "Image".into(),
        Parameter {
            kind: "String".into(),
            description: Some("The MLflow server's container image (mlflow with psycopg2 and boto3)".into()),
            default: Some(Value::from(m.image.as_deref().unwrap_or(DEFAULT_MLFLOW_IMAGE))),
            min_length: Some(1),
            ..Parameter::default()
        },
    );

    // The artifact store: people's work, kept when the stack goes, reached over TLS only.
    let (bucket_arn, objects_arn) = super::mlflow::artifact_store(&mut t, &bucket, key.as_deref(), &origin);

    // Security groups: the load balancer admits only what comes through the VPC link
    // (PrivateLink traffic, which its inbound rules do not evaluate), the tasks only the load
    // balancer on MLflow's port, the database only the tasks.
    // <https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html>
    for (id, what) in [
        ("LoadBalancerSecurityGroup", "load balancer: reached only through the API Gateway VPC link"),
        ("TaskSecurityGroup", "tasks: reached only from the load balancer"),
        ("DatabaseSecurityGroup", "database: reached only from the tasks"),
    ] {
        let sg = SecurityGroup {
            group_description: format!("studioform: MLflow {name} {what}"),
            vpc_id: vpc.clone(),
            tags: vec![Tag::new("Name", format!("{name}-{}", id.trim_end_matches("SecurityGroup").to_lowercase()))],
        };
        t.add(id, Resource::new(&sg, path!["network"]));
    }
    for (id, group, source, port, what) in [
        ("TaskIngress", "TaskSecurityGroup", "LoadBalancerSecurityGroup", MLFLOW_PORT, "MLflow from the load balancer"),
        ("DatabaseIngress", "DatabaseSecurityGroup", "TaskSecurityGroup", DATABASE_PORT, "PostgreSQL from the tasks"),
    ] {
        let rule = SecurityGroupIngress {
            group_id: Value::get_att(group, "GroupId"),
            ip_protocol: "tcp",
            from_port: Some(port),
            to_port: Some(port),
            source_security_group_id: Value::get_att(source, "GroupId"),
            description: what.to_owned(),
        };
        t.add(id, Resource::new(&rule, path!["network"]));
    }

    // The backend store: Aurora Serverless v2 PostgreSQL in the org's subnets, never public,
    // with credentials generated into Secrets Manager and read through dynamic references.
    let mut secret = json!({
        "Description": format!("studioform: credentials of MLflow {name}'s database"),
        "GenerateSecretString": {
            "SecretStringTemplate": "{\"username\": \"mlflow\"}",
            "GenerateStringKey": "password",
            "PasswordLength": 32,
            // The password goes into a connection URL: letters and digits only.
            "ExcludePunctuation": true,
        },
    });
    if let Some(k) = &key {
        secret["KmsKeyId"] = json!(k);
    }
    // Kept with the database it opens.
    t.add("DatabaseSecret", res(Secret(secret)).retained());
    t.add(
        "DatabaseSubnetGroup",
        res(DbSubnetGroup(json!({
            "DBSubnetGroupDescription": format!("studioform: subnets of MLflow {name}'s database"),
            "SubnetIds": subnets,
        }))),
    );
    let credential =
        |field: &str| Value::sub(format!("{{{{resolve:secretsmanager:${{DatabaseSecret}}:SecretString:{field}}}}}"));
    let mut cluster = json!({
        "Engine": "aurora-postgresql",
        "EngineVersion": DATABASE_VERSION,
        "DatabaseName": "mlflow",
        "Port": DATABASE_PORT,
        "MasterUsername": credential("username"),
        "MasterUserPassword": credential("password"),
        "DBSubnetGroupName": Value::reference("DatabaseSubnetGroup"),
        "VpcSecurityGroupIds": [Value::get_att("DatabaseSecurityGroup", "GroupId")],
        "ServerlessV2ScalingConfiguration": {"MinCapacity": min_acu, "MaxCapacity": max_acu},
        "StorageEncrypted": true,
        "BackupRetentionPeriod": 7,
        "CopyTagsToSnapshot": true,
        "DeletionProtection": true,
    });
    if let Some(k) = &key {
        cluster["KmsKeyId"] = json!(k);
    }
    // Experiments, runs and the model registry: retained like people's homes.
    t.add("Database", res(DbCluster(cluster)).retained());
    t.add(
        "DatabaseInstance",
        res(DbInstance(json!({
            "DBClusterIdentifier": Value::reference("Database"),
            "DBInstanceClass": "db.serverless",
            "Engine": "aurora-postgresql",
            "PubliclyAccessible": false,
        }))),
    );

    // The server: Fargate tasks without public IPs behind an internal Network Load Balancer.
    t.add(
        "LogGroup",
        res(LogGroup(json!({"LogGroupName": format!("/studioform/mlflow/{name}"), "RetentionInDays": 30}))),
    );
    let log_arn = Value::get_att("LogGroup", "Arn");
    let mut execution = vec![
        Statement::allow(["ecr:GetAuthorizationToken"], vec![Value::from("*")]).sid("LogInToEcr"),
        Statement::allow(
            ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            vec![Value::sub("arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/*")],
        )
        .sid("PullImage"),
        Statement::allow(["logs:CreateLogStream", "logs:PutLogEvents"], vec![log_arn]).sid("WriteLogs"),
        Statement::allow(["secretsmanager:GetSecretValue"], vec![Value::reference("DatabaseSecret")])
            .sid("ReadDatabaseSecret"),
    ];
    let mut task = vec![
        Statement::allow(["s3:GetBucketLocation", "s3:ListBucket"], vec![bucket_arn]).sid("ListArtifacts"),
        Statement::allow(
            ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
            vec![objects_arn],
        )
        .sid("ReadWriteArtifacts"),
    ];
    if let Some(k) = &key {
        execution.push(Statement::allow(["kms:Decrypt"], vec![Value::from(k)]).sid("DecryptDatabaseSecret"));
        task.push(Statement::allow(["kms:Decrypt", "kms:GenerateDataKey"], vec![Value::from(k)]).sid("UseOrgKey"));
    }
    for (id, what, statements) in [
        ("TaskExecutionRole", "pulls the MLflow image, writes its logs, reads the database secret", execution),
        ("TaskRole", "the MLflow server: reads and writes the artifact store", task),
    ] {
        let role = Role {
            description: Some(format!("studioform: MLflow {name} {what}")),
            assume_role_policy_document: trust("ecs-tasks.amazonaws.com"),
            policies: vec![InlinePolicy {
                policy_name: "mlflow".into(),
                policy_document: PolicyDocument::new(statements),
            }],
            ..Role::default()
        };
        t.add(id, Resource::new(&role, origin.clone()));
    }
    t.add(
        "Cluster",
        res(EcsCluster(
            json!({"ClusterName": name, "ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}]}),
        )),
    );
    // Installs the PostgreSQL driver and boto3 when the image lacks them (the MLflow
    // project's own image does), then serves artifacts through the server itself.
    let command = format!(
        "python -c 'import psycopg2, boto3' 2>/dev/null || pip install --quiet psycopg2-binary boto3; \
         exec mlflow server --host 0.0.0.0 --port {MLFLOW_PORT} \
         --backend-store-uri \"postgresql://$DB_USER:$DB_PASSWORD@$DB_HOST:$DB_PORT/$DB_NAME\" \
         --artifacts-destination \"$ARTIFACTS\" --serve-artifacts"
    );
    let env = |n: &str, v: Value| json!({"Name": n, "Value": v});
    let secret_field =
        |n: &str, field: &str| json!({"Name": n, "ValueFrom": Value::sub(format!("${{DatabaseSecret}}:{field}::"))});
    t.add(
        "TaskDefinition",
        res(TaskDefinition(json!({
            "Family": name,
            "Cpu": cpu,
            "Memory": memory,
            "NetworkMode": "awsvpc",
            "RequiresCompatibilities": ["FARGATE"],
            "RuntimePlatform": {"CpuArchitecture": "X86_64", "OperatingSystemFamily": "LINUX"},
            "ExecutionRoleArn": Value::get_att("TaskExecutionRole", "Arn"),
            "TaskRoleArn": Value::get_att("TaskRole", "Arn"),
            "ContainerDefinitions": [{
                "Name": "mlflow",
                "Image": Value::reference("Image"),
                "Essential": true,
                "EntryPoint": ["sh", "-c"],
                "Command": [command],
                "PortMappings": [{"ContainerPort": MLFLOW_PORT, "Protocol": "tcp"}],
                "Environment": [
                    env("ARTIFACTS", Value::sub("s3://${ArtifactBucket}/artifacts")),
                    env("DB_HOST", Value::get_att("Database", "Endpoint.Address")),
                    env("DB_NAME", Value::from("mlflow")),
                    env("DB_PORT", Value::get_att("Database", "Endpoint.Port")),
                ],
                "Secrets": [secret_field("DB_PASSWORD", "password"), secret_field("DB_USER", "username")],
                "LogConfiguration": {
                    "LogDriver": "awslogs",
                    "Options": {
                        "awslogs-group": Value::reference("LogGroup"),
                        "awslogs-region": Value::reference("AWS::Region"),
                        "awslogs-stream-prefix": "mlflow",
                    },
                },
            }],
        }))),
    );
    t.add(
        "LoadBalancer",
        res(LoadBalancer(json!({
            "Type": "network",
            "Scheme": "internal",
            "Subnets": subnets,
            "SecurityGroups": [Value::get_att("LoadBalancerSecurityGroup", "GroupId")],
            "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic": "off",
        }))),
    );
    t.add(
        "TargetGroup",
        res(TargetGroup(json!({
            "TargetType": "ip",
            "Protocol": "TCP",
            "Port": MLFLOW_PORT,
            "VpcId": vpc,
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPath": "/health",
            "HealthCheckPort": MLFLOW_PORT.to_string(),
        }))),
    );
    t.add(
        "Listener",
        res(Listener(json!({
            "LoadBalancerArn": Value::reference("LoadBalancer"),
            "Port": 80,
            "Protocol": "TCP",
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": Value::reference("TargetGroup")}],
        }))),
    );
    let mut service = res(EcsService(json!({
        "Cluster": Value::reference("Cluster"),
        "ServiceName": name,
        "LaunchType": "FARGATE",
        "DesiredCount": tasks,
        "TaskDefinition": Value::reference("TaskDefinition"),
        "HealthCheckGracePeriodSeconds": 120,
        "DeploymentConfiguration": {"DeploymentCircuitBreaker": {"Enable": true, "Rollback": true}},
        "NetworkConfiguration": {"AwsvpcConfiguration": {
            "AssignPublicIp": "DISABLED",
            "Subnets": subnets,
            "SecurityGroups": [Value::get_att("TaskSecurityGroup", "GroupId")],
        }},
        "LoadBalancers": [{"ContainerName": "mlflow", "ContainerPort": MLFLOW_PORT, "TargetGroupArn": Value::reference("TargetGroup")}],
    })));
    // ECS registers tasks only in a target group that a listener already uses.
    service.depends_on.insert("Listener".into());
    t.add("Service", service);

    // Browser sign-in: a Cognito user pool with one group per tier.
    t.add(
        "UserPool",
        res(UserPool(json!({
            "UserPoolName": name,
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": true},
            "UsernameAttributes": ["email"],
            "AutoVerifiedAttributes": ["email"],
            "MfaConfiguration": "OPTIONAL",
            "EnabledMfas": ["SOFTWARE_TOKEN_MFA"],
            "Policies": {"PasswordPolicy": {
                "MinimumLength": 12, "RequireLowercase": true, "RequireUppercase": true,
                "RequireNumbers": true, "RequireSymbols": true, "TemporaryPasswordValidityDays": 3,
            }},
            "DeletionProtection": "ACTIVE",
        })))
        // People's accounts and group memberships: kept when the stack goes.
        .retained(),
    );
    for (group, tier) in GROUPS {
        let what = match tier {
            Tier::Admin => "MLflow admins: every route",
            Tier::ModelApprover => "MLflow model approvers: read, register models and versions, move stages",
            _ => "MLflow readers: read and search",
        };
        let id = match tier {
            Tier::Admin => "GroupAdmins",
            Tier::ModelApprover => "GroupModelApprovers",
            _ => "GroupReaders",
        };
        t.add(
            id,
            res(UserPoolGroup(
                json!({"GroupName": group, "Description": what, "UserPoolId": Value::reference("UserPool")}),
            )),
        );
    }
    t.add(
        "UserPoolClient",
        res(UserPoolClient(json!({
            "UserPoolId": Value::reference("UserPool"),
            "ClientName": format!("{name}-ui"),
            "GenerateSecret": false,
            "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            "SupportedIdentityProviders": ["COGNITO"],
            "PreventUserExistenceErrors": "ENABLED",
            "EnableTokenRevocation": true,
        }))),
    );
    t.add(
        "UserPoolDomain",
        res(UserPoolDomain(
            json!({"Domain": m.cognito_domain.clone().unwrap_or_default(), "UserPoolId": Value::reference("UserPool")}),
        )),
    );

    // The authorizer: verifies the Cognito token, answers with the policy of its tiers.
    let function = format!("{name}-authorizer");
    t.add(
        "AuthorizerLogGroup",
        res(LogGroup(json!({"LogGroupName": format!("/aws/lambda/{function}"), "RetentionInDays": 30}))),
    );
    let role = Role {
        description: Some(format!("studioform: MLflow {name}'s authorizer function")),
        assume_role_policy_document: trust("lambda.amazonaws.com"),
        policies: vec![InlinePolicy {
            policy_name: "logs".into(),
            policy_document: PolicyDocument::new(vec![
                Statement::allow(
                    ["logs:CreateLogStream", "logs:PutLogEvents"],
                    vec![Value::get_att("AuthorizerLogGroup", "Arn")],
                )
                .sid("WriteLogs"),
            ]),
        }],
        ..Role::default()
    };
    t.add("AuthorizerRole", Resource::new(&role, origin.clone()));
    let mut function_resource = res(Function(json!({
        "FunctionName": function,
        "Description": "studioform: Cognito token to MLflow tier policy",
        "Runtime": "python3.12",
        "Handler": "index.handler",
        "Role": Value::get_att("AuthorizerRole", "Arn"),
        "Timeout": 10,
        "MemorySize": 256,
        "Code": {"ZipFile": authorizer_code()},
        "Environment": {"Variables": {
            "APP_CLIENT_ID": Value::reference("UserPoolClient"),
            "ISSUER": Value::sub("https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}"),
        }},
    })));
    function_resource.depends_on.insert("AuthorizerLogGroup".into());
    t.add("AuthorizerFunction", function_resource);

    // The API: `/api/...` with IAM authorization for SDKs, everything else through the
    // authorizer for browsers, both to the load balancer through the VPC link.
    t.add(
        "RestApi",
        res(RestApi(json!({
            "Name": name,
            "Description": format!("studioform: MLflow {name} of {}", org.name),
            "EndpointConfiguration": {"Types": ["REGIONAL"]},
        }))),
    );
    t.add("VpcLink", res(VpcLink(json!({"Name": name, "TargetArns": [Value::reference("LoadBalancer")]}))));
    t.add(
        "Authorizer",
        res(Authorizer(json!({
            "Name": "cognito",
            "RestApiId": Value::reference("RestApi"),
            "Type": "TOKEN",
            "IdentitySource": "method.request.header.Authorization",
            "AuthorizerResultTtlInSeconds": 300,
            "AuthorizerUri": Value::sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${AuthorizerFunction.Arn}/invocations"),
        }))),
    );
    t.add(
        "AuthorizerPermission",
        res(LambdaPermission(json!({
            "Action": "lambda:InvokeFunction",
            "FunctionName": Value::get_att("AuthorizerFunction", "Arn"),
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": Value::sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestApi}/authorizers/${Authorizer}"),
        }))),
    );
    t.add(
        "ApiResource",
        res(ApiResource(json!({"RestApiId": Value::reference("RestApi"), "ParentId": Value::get_att("RestApi", "RootResourceId"), "PathPart": "api"}))),
    );
    t.add(
        "ApiProxyResource",
        res(ApiResource(json!({"RestApiId": Value::reference("RestApi"), "ParentId": Value::reference("ApiResource"), "PathPart": "{proxy+}"}))),
    );
    t.add(
        "ProxyResource",
        res(ApiResource(json!({"RestApiId": Value::reference("RestApi"), "ParentId": Value::get_att("RestApi", "RootResourceId"), "PathPart": "{proxy+}"}))),
    );
    let integration = |path: &str| {
        json!({
            "Type": "HTTP_PROXY",
            "IntegrationHttpMethod": "ANY",
            "ConnectionType": "VPC_LINK",
            "ConnectionId": Value::reference("VpcLink"),
            "Uri": Value::sub(format!("http://${{LoadBalancer.DNSName}}/{path}{{proxy}}")),
            "RequestParameters": {"integration.request.path.proxy": "method.request.path.proxy"},
        })
    };
    t.add(
        "ApiMethod",
        res(ApiMethod(json!({
            "RestApiId": Value::reference("RestApi"),
            "ResourceId": Value::reference("ApiProxyResource"),
            "HttpMethod": "ANY",
            "AuthorizationType": "AWS_IAM",
            "RequestParameters": {"method.request.path.proxy": true},
            "Integration": integration("api/"),
        }))),
    );
    t.add(
        "BrowserMethod",
        res(ApiMethod(json!({
            "RestApiId": Value::reference("RestApi"),
            "ResourceId": Value::reference("ProxyResource"),
            "HttpMethod": "ANY",
            "AuthorizationType": "CUSTOM",
            "AuthorizerId": Value::reference("Authorizer"),
            "RequestParameters": {"method.request.path.proxy": true},
            "Integration": integration(""),
        }))),
    );
    // A deployment is a snapshot of the API: CloudFormation makes a new one only under a new
    // logical id, so the id carries a digest of what it deploys (as the CDK's
    // `Deployment` does), and the stage moves to it on the next update.
    let deployed: Vec<&serde_json::Value> =
        ["ApiResource", "ApiProxyResource", "ProxyResource", "ApiMethod", "BrowserMethod", "Authorizer"]
            .iter()
            .filter_map(|id| t.resources.get(*id).map(|r| &r.properties))
            .collect();
    let digest = sha2::Sha256::digest(serde_json::to_string(&deployed).unwrap_or_default().as_bytes());
    let deployment_id = format!("Deployment{}", digest.iter().take(4).map(|b| format!("{b:02x}")).collect::<String>());
    let mut deployment = res(ApiDeployment(
        json!({"RestApiId": Value::reference("RestApi"), "Description": "studioform: MLflow routes"}),
    ));
    deployment.depends_on.extend(["ApiMethod".to_owned(), "BrowserMethod".to_owned()]);
    t.add(deployment_id.clone(), deployment);
    t.add(
        "Stage",
        res(ApiStage(json!({
            "RestApiId": Value::reference("RestApi"),
            "DeploymentId": Value::reference(deployment_id),
            "StageName": stage,
            "MethodSettings": [{"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingBurstLimit": 200, "ThrottlingRateLimit": 100}],
        }))),
    );

    let stack = Layout::new(org).mlflow_stack();
    let export = |o: &str| Some(Layout::export(&stack, o));
    t.output("RestApiId", "The MLflow REST API", Value::reference("RestApi"), export("RestApiId"));
    t.output("Stage", "The MLflow REST API's stage", Value::reference("Stage"), export("Stage"));
    t.output(
        "TrackingUri",
        "MLFLOW_TRACKING_URI for SDKs (SigV4) and the UI",
        Value::sub(format!("https://${{RestApi}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/{stage}")),
        None,
    );
    t.output(
        "UserPoolId",
        "The Cognito user pool of MLflow's browser users",
        Value::reference("UserPool"),
        export("UserPoolId"),
    );
    t.output(
        "UserPoolClientId",
        "The user pool's app client for the UI",
        Value::reference("UserPoolClient"),
        export("UserPoolClientId"),
    );
    t.output("ArtifactBucket", "Bucket of the server's artifacts", Value::reference("ArtifactBucket"), None);
    t.output(
        "DatabaseSecretArn",
        "Secret of the backend store's credentials",
        Value::reference("DatabaseSecret"),
        None,
    );
    Some(Stack::new(stack, StackKind::Mlflow, t))
}
