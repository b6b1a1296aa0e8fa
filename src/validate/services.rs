//! Rules of single services that their provider schemas cannot express: Lambda runtimes past
//! their deprecation, what a zip-packaged function needs, DynamoDB key attributes, Backup
//! lifecycles. Each reads literal values only; an intrinsic is never guessed at.

use serde_json::Value;

use super::ctx::{Ctx, as_fn};
use crate::path::Path;

const RUNTIMES: &str = include_str!("../../schemas/lambda-runtimes.json");

/// Runs every service rule.
pub(super) fn check(ctx: &mut Ctx<'_>) {
    let today = today();
    let resources = ctx.resources;
    for (id, r) in resources {
        let Some(type_name) = r.get("Type").and_then(Value::as_str) else { continue };
        // SAM's API takes its required stage name from Globals: an API with no properties at all
        // still needs one.
        let empty = Value::Object(serde_json::Map::new());
        let props = match r.get("Properties") {
            None if type_name == "AWS::Serverless::Api" => &empty,
            p => match p.filter(|p| as_fn(p).is_none()) {
                Some(p) => p,
                None => continue,
            },
        };
        let at = Path::root().key("Resources").key(id).key("Properties");
        match type_name {
            "AWS::Lambda::Function" => {
                runtime(ctx, &at.key("Runtime"), props.get("Runtime"), &today);
                zip_package(ctx, &at, props);
            }
            "AWS::Serverless::Function" if ctx.sam => runtime(ctx, &at.key("Runtime"), props.get("Runtime"), &today),
            "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable" => key_attributes(ctx, &at, props),
            "AWS::Backup::BackupPlan" => backup_lifecycles(ctx, &at, props),
            "AWS::Route53::RecordSet" => txt_records(ctx, &at, props),
            "AWS::Route53::RecordSetGroup" => {
                for (i, set) in props.get("RecordSets").and_then(Value::as_array).into_iter().flatten().enumerate() {
                    txt_records(ctx, &at.key("RecordSets").index(i), set);
                }
            }
            "AWS::CloudFront::Distribution" => aliases(ctx, &at, props),
            "AWS::CodeBuild::Project" => role_by_name(ctx, &at.key("ServiceRole"), props.get("ServiceRole")),
            "AWS::Serverless::Api" if ctx.sam => {
                let global = ctx.template.pointer("/Globals/Api/StageName").is_some();
                if props.get("StageName").is_none() && !global {
                    ctx.error(
                        "TPL201",
                        at.clone(),
                        "AWS::Serverless::Api requires `StageName`".into(),
                        Some("add `StageName`, here or under Globals.Api".into()),
                    );
                }
            }
            _ => {}
        }
    }
    if ctx.sam {
        let global = ctx.template.pointer("/Globals/Function/Runtime");
        runtime(ctx, &Path::root().key("Globals").key("Function").key("Runtime"), global, &today);
    }
}

/// Today's date as `YYYY-MM-DD` (UTC), from the system clock.
fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    // Howard Hinnant's days-to-civil algorithm.
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// A runtime Lambda has deprecated: past its block on updates or on creation, an error (the
/// deploy fails); deprecated only, a warning. Dates from Lambda's runtime deprecation policy,
/// as cfn-lint ships them (`schemas/lambda-runtimes.json`).
/// <https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html#runtimes-deprecated>
fn runtime(ctx: &mut Ctx<'_>, at: &Path, value: Option<&Value>, today: &str) {
    static DATA: std::sync::OnceLock<serde_json::Map<String, Value>> = std::sync::OnceLock::new();
    let Some(name) = value.and_then(Value::as_str) else { return };
    let data = DATA.get_or_init(|| serde_json::from_str(RUNTIMES).unwrap_or_default());
    let Some(dates) = data.get(name) else { return };
    let date = |k: &str| dates.get(k).and_then(Value::as_str).unwrap_or("9999-12-31");
    let help = dates.get("successor").and_then(Value::as_str).map(|s| format!("use {s}"));
    let (deprecated, create, update) = (date("deprecated"), date("create-block"), date("update-block"));
    if update <= today {
        let message = format!(
            "Lambda runtime `{name}` was deprecated on {deprecated}; functions using it cannot be created since {create} nor updated since {update}"
        );
        ctx.error("TPL205", at.clone(), message, help);
    } else if create <= today {
        let message = format!(
            "Lambda runtime `{name}` was deprecated on {deprecated}; functions using it cannot be created since {create}, nor updated from {update}"
        );
        ctx.error("TPL205", at.clone(), message, help);
    } else if deprecated <= today {
        let message = format!(
            "Lambda runtime `{name}` was deprecated on {deprecated}; functions using it cannot be created from {create}"
        );
        ctx.warn("TPL205", at.clone(), message, help);
    }
}

/// A function deployed from a .zip file (inline or from S3) names its runtime and handler:
/// only container images carry their own.
/// <https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html>
fn zip_package(ctx: &mut Ctx<'_>, at: &Path, props: &Value) {
    let zip = match props.get("PackageType") {
        None => props.get("Code").is_some_and(|c| c.get("ImageUri").is_none()),
        Some(p) => p.as_str() == Some("Zip"),
    };
    if !zip {
        return;
    }
    for key in ["Handler", "Runtime"] {
        if props.get(key).is_none() {
            ctx.error(
                "TPL207",
                at.clone(),
                format!("a function packaged as a .zip file needs `{key}`"),
                Some(format!("add `{key}`, or deploy a container image (`Code.ImageUri`)")),
            );
        }
    }
}

/// DynamoDB defines exactly the attributes that a key schema (of the table or an index) uses.
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-dynamodb-table.html#cfn-dynamodb-table-attributedefinitions>
fn key_attributes(ctx: &mut Ctx<'_>, at: &Path, props: &Value) {
    let Some(defined) = props.get("AttributeDefinitions").and_then(Value::as_array) else { return };
    let mut names = Vec::new();
    for d in defined {
        match d.get("AttributeName").and_then(Value::as_str) {
            Some(n) => names.push(n),
            None => return,
        }
    }
    let mut schemas: Vec<(Path, &Value)> = Vec::new();
    if let Some(k) = props.get("KeySchema") {
        schemas.push((at.key("KeySchema"), k));
    }
    for indexes in ["GlobalSecondaryIndexes", "LocalSecondaryIndexes"] {
        match props.get(indexes) {
            Some(Value::Array(items)) => {
                for (i, index) in items.iter().enumerate() {
                    match index.get("KeySchema") {
                        Some(k) => schemas.push((at.key(indexes).index(i).key("KeySchema"), k)),
                        None => return,
                    }
                }
            }
            Some(_) => return,
            None => {}
        }
    }
    let mut used = Vec::new();
    for (path, schema) in schemas {
        let Some(keys) = schema.as_array() else { return };
        for (i, key) in keys.iter().enumerate() {
            let Some(name) = key.get("AttributeName").and_then(Value::as_str) else { return };
            if !names.contains(&name) {
                ctx.error(
                    "TPL206",
                    path.index(i).key("AttributeName"),
                    format!("key attribute `{name}` is not in AttributeDefinitions"),
                    Some("define every attribute a key schema uses".into()),
                );
            }
            used.push(name);
        }
    }
    for (i, name) in names.iter().enumerate() {
        if !used.contains(name) {
            ctx.error(
                "TPL206",
                at.key("AttributeDefinitions").index(i),
                format!("attribute `{name}` is defined but no key schema uses it"),
                Some("AttributeDefinitions lists key attributes only: DynamoDB rejects any other".into()),
            );
        }
    }
}

/// A recovery point moved to cold storage stays there 90 days at least before it is deleted.
/// <https://docs.aws.amazon.com/aws-backup/latest/devguide/API_Lifecycle.html>
fn backup_lifecycles(ctx: &mut Ctx<'_>, at: &Path, props: &Value) {
    let Some(rules) = props.pointer("/BackupPlan/BackupPlanRule").and_then(Value::as_array) else { return };
    let days = |v: Option<&Value>| v.and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()));
    for (i, rule) in rules.iter().enumerate() {
        let Some(lifecycle) = rule.get("Lifecycle") else { continue };
        let cold = days(lifecycle.get("MoveToColdStorageAfterDays"));
        let delete = days(lifecycle.get("DeleteAfterDays"));
        if let (Some(cold), Some(delete)) = (cold, delete)
            && delete < cold + 90
        {
            ctx.error(
                "TPL208",
                at.key("BackupPlan").key("BackupPlanRule").index(i).key("Lifecycle").key("DeleteAfterDays"),
                format!("DeleteAfterDays is {delete}, but recovery points moved to cold storage after {cold} days stay there 90 days at least"),
                Some(format!("set DeleteAfterDays to {} or more", cold + 90)),
            );
        }
    }
}

/// TXT and SPF record values are one or more double-quoted strings of 1 to 255 characters.
/// <https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/ResourceRecordTypes.html#TXTFormat>
fn txt_records(ctx: &mut Ctx<'_>, at: &Path, set: &Value) {
    if !matches!(set.get("Type").and_then(Value::as_str), Some("TXT" | "SPF")) {
        return;
    }
    let Some(records) = set.get("ResourceRecords").and_then(Value::as_array) else { return };
    for (i, record) in records.iter().enumerate() {
        let Some(text) = record.as_str().filter(|t| !super::ctx::dynamic(t)) else { continue };
        if !quoted_strings(text) {
            ctx.error(
                "TPL209",
                at.key("ResourceRecords").index(i),
                format!("TXT record value `{text}` is not a list of quoted strings of 1 to 255 characters"),
                Some("enclose each string of at most 255 characters in double quotes: \"v=spf1 -all\"".into()),
            );
        }
    }
}

/// True for `"..." "..."`: quoted strings of 1 to 255 characters (a backslash escapes the next
/// one), separated by spaces.
fn quoted_strings(text: &str) -> bool {
    let mut chars = text.chars().peekable();
    loop {
        if chars.next() != Some('"') {
            return false;
        }
        let mut len = 0;
        loop {
            match chars.next() {
                None => return false,
                Some('"') => break,
                Some('\\') => {
                    chars.next();
                    len += 1;
                }
                Some(_) => len += 1,
            }
        }
        if !(1..=255).contains(&len) {
            return false;
        }
        while chars.peek() == Some(&' ') {
            chars.next();
        }
        if chars.peek().is_none() {
            return true;
        }
    }
}

/// A CloudFront alternate domain name is a domain name whose leftmost label may be `*`, and
/// only that one.
/// <https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/CNAMEs.html#alternate-domain-names-wildcard>
fn aliases(ctx: &mut Ctx<'_>, at: &Path, props: &Value) {
    let Some(aliases) = props.pointer("/DistributionConfig/Aliases").and_then(Value::as_array) else { return };
    for (i, alias) in aliases.iter().enumerate() {
        let Some(name) = alias.as_str().filter(|a| !super::ctx::dynamic(a)) else { continue };
        let labels: Vec<&str> = name.split('.').collect();
        let label_ok = |(j, l): (usize, &&str)| {
            (j == 0 && **l == *"*")
                || (!l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        };
        if labels.len() < 2 || !labels.iter().enumerate().all(label_ok) {
            ctx.error(
                "TPL210",
                at.key("DistributionConfig").key("Aliases").index(i),
                format!("`{name}` is not a domain name CloudFront takes as an alias"),
                Some("letters, digits and hyphens in each label, no hyphen first or last; `*` only as the whole first label".into()),
            );
        }
    }
}

/// CodeBuild takes its service role by name or ARN, and makes the ARN of a name without any
/// path: `!Ref` of a role with a path other than `/` names a role that does not exist.
/// <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-codebuild-project.html#cfn-codebuild-project-servicerole>
fn role_by_name(ctx: &mut Ctx<'_>, at: &Path, value: Option<&Value>) {
    let Some(("Ref", Value::String(role))) = value.and_then(as_fn) else { return };
    let Some(r) = ctx.resources.get(role) else { return };
    if r.get("Type").and_then(Value::as_str) != Some("AWS::IAM::Role") {
        return;
    }
    if let Some(path) = r.pointer("/Properties/Path").and_then(Value::as_str).filter(|p| *p != "/") {
        ctx.error(
            "TPL211",
            at.clone(),
            format!("`!Ref {role}` gives the name of a role whose path is {path}; CodeBuild looks the name up without the path"),
            Some(format!("use `!GetAtt {role}.Arn`")),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_txt_values_as_quoted_strings() {
        assert!(super::quoted_strings("\"v=spf1 -all\""));
        assert!(super::quoted_strings("\"a\" \"b \\\" c\""));
        assert!(!super::quoted_strings("v=spf1"));
        assert!(!super::quoted_strings("\"\""));
        assert!(!super::quoted_strings(&format!("\"{}\"", "a".repeat(256))));
    }

    #[test]
    fn today_is_a_date() {
        let t = super::today();
        assert_eq!(t.len(), 10);
        assert!(t.as_str() > "2024-01-01", "{t}");
    }
}
