//! `network`: the VPC, subnets and security groups every domain runs in.

use super::*;

impl Checks {
    pub(super) fn network(&mut self, org: &Org) {
        let n = &org.network;
        self.resource_id(&path!["network", "vpc_id"], &n.vpc_id, "vpc", "VPC id");
        if n.subnet_ids.is_empty() || n.subnet_ids.len() > 16 {
            self.err(
                "CFG017",
                path!["network", "subnet_ids"],
                format!("{} subnets given; a Studio domain takes 1 to 16", n.subnet_ids.len()),
                "list the private subnets Studio should use",
            );
        }
        for (i, s) in n.subnet_ids.iter().enumerate() {
            self.resource_id(&path!["network", "subnet_ids", i], s, "subnet", "subnet id");
        }
        self.no_duplicates(&path!["network", "subnet_ids"], n.subnet_ids.iter().map(String::as_str), "subnet");
        if n.security_group_ids.len() > 5 {
            self.err(
                "CFG017",
                path!["network", "security_group_ids"],
                format!("{} security groups given; Studio takes at most 5", n.security_group_ids.len()),
                "remove some",
            );
        }
        for (i, s) in n.security_group_ids.iter().enumerate() {
            self.resource_id(&path!["network", "security_group_ids", i], s, "sg", "security group id");
        }
        self.no_duplicates(
            &path!["network", "security_group_ids"],
            n.security_group_ids.iter().map(String::as_str),
            "security group",
        );
        if let Some(arn) = org.encryption.as_ref().and_then(|e| e.kms_key_arn.as_ref())
            && !is_kms_key_arn(arn)
        {
            self.err(
                "CFG015",
                path!["encryption", "kms_key_arn"],
                format!("`{arn}` is not a KMS key ARN"),
                "expected arn:aws:kms:<region>:<12-digit account>:key/<key id>",
            );
        }
    }
}
