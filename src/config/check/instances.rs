//! SageMaker's instance types, per use, from its API model (`schemas/instance-types.json`,
//! extracted by `schemas/extract.py`): a team's `instance_types` must be real ones.

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Use → the instance types SageMaker accepts for it (`apps`, `training`, `processing`,
/// `endpoints`, `transform`).
fn by_use() -> &'static BTreeMap<String, Vec<String>> {
    static DATA: OnceLock<BTreeMap<String, Vec<String>>> = OnceLock::new();
    DATA.get_or_init(|| {
        // Vendored with the build and read by a test: a failure is a bug.
        serde_json::from_str(include_str!("../../../schemas/instance-types.json")).unwrap_or_default()
    })
}

/// The uses SageMaker accepts `instance_type` for; empty when it is none of SageMaker's.
pub(super) fn uses(instance_type: &str) -> Vec<&'static str> {
    by_use().iter().filter(|(_, types)| types.iter().any(|t| t == instance_type)).map(|(u, _)| u.as_str()).collect()
}

/// Every instance type of any use, once each, sorted.
pub(super) fn all() -> Vec<&'static str> {
    let mut all: Vec<&str> = by_use().values().flatten().map(String::as_str).collect();
    all.sort_unstable();
    all.dedup();
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendored_data_lists_every_use() {
        for u in ["apps", "training", "processing", "endpoints", "transform"] {
            assert!(by_use().get(u).is_some_and(|t| t.len() > 50), "{u}");
        }
        assert_eq!(uses("ml.t3.medium"), vec!["apps", "processing", "training"]);
        assert!(uses("ml.p4d.24xlarge").contains(&"training"));
        assert!(uses("ml.m5.2xlarg").is_empty());
        assert!(all().len() > 300);
    }
}
