//! Which parts of a team role exist. A concrete team stack knows (its flags are booleans);
//! the launchable team product decides at launch time, from flags in a `Teams` mapping keyed
//! by the chosen team, through template conditions. Both come from [`team_flags`], so the
//! product grants each team exactly what its concrete stack does.

use std::cell::RefCell;

use indexmap::IndexMap;

use crate::config::{Activity, Org, Team, Tier};
use crate::model::Value;

/// Whether a part of a role exists: always, never, or when a template condition holds.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Switch {
    /// Always.
    On,
    /// Never.
    Off,
    /// When the named template condition holds.
    When(String),
}

impl Switch {
    /// `None` when never; `Some(condition)` (`None` inside for always) otherwise.
    pub(super) fn condition(&self) -> Option<Option<&str>> {
        match self {
            Self::On => Some(None),
            Self::Off => None,
            Self::When(c) => Some(Some(c)),
        }
    }
}

/// The flag of each ML activity, as named in mappings and conditions.
pub(super) fn activity_flag(a: Activity) -> &'static str {
    match a {
        Activity::RunStudioApp => "RunStudioApp",
        Activity::ManageMlJobs => "ManageMlJobs",
        Activity::ManageModels => "ManageModels",
        Activity::ManageExperiments => "ManageExperiments",
        Activity::SearchExperiments => "SearchExperiments",
        Activity::S3BucketAccess => "S3BucketAccess",
        Activity::ManageEndpoints => "ManageEndpoints",
        Activity::ManagePipelines => "ManagePipelines",
        Activity::AccessAwsServices => "AccessAwsServices",
    }
}

/// Every activity, in a stable order.
pub(super) const ACTIVITIES: [Activity; 9] = [
    Activity::RunStudioApp,
    Activity::ManageMlJobs,
    Activity::ManageModels,
    Activity::ManageExperiments,
    Activity::SearchExperiments,
    Activity::S3BucketAccess,
    Activity::ManageEndpoints,
    Activity::ManagePipelines,
    Activity::AccessAwsServices,
];

/// The activities of a persona, built-in or the org's own.
pub(super) fn persona_activities(org: &Org, persona: &str) -> Vec<Activity> {
    use Activity::*;
    match persona {
        "data-scientist" => {
            vec![RunStudioApp, ManageMlJobs, ManageModels, ManageExperiments, SearchExperiments, S3BucketAccess]
        }
        "mlops" => {
            vec![RunStudioApp, ManageModels, ManageEndpoints, ManagePipelines, SearchExperiments, S3BucketAccess]
        }
        "compute" => vec![AccessAwsServices],
        custom => org.personas.get(custom).map(|p| p.activities.clone()).unwrap_or_default(),
    }
}

/// Every flag of a team, in a stable order: what its role grants.
pub(super) fn team_flags(org: &Org, team: &Team) -> IndexMap<&'static str, bool> {
    let activities = team.persona.as_deref().map(|p| persona_activities(org, p));
    let tier = if org.mlflow.is_some() { team.mlflow.unwrap_or(Tier::None) } else { Tier::None };
    let mut flags = IndexMap::new();
    flags.insert("Baseline", activities.is_none());
    for a in ACTIVITIES {
        flags.insert(activity_flag(a), activities.as_ref().is_some_and(|list| list.contains(&a)));
    }
    flags.insert("SourceIdentity", org.domain(&team.domain).is_some_and(|d| d.source_identity));
    flags.insert("HasBuckets", !team.buckets.is_empty());
    flags.insert("HasInstanceTypes", !team.instance_types.is_empty());
    flags.insert("MlflowAdmin", tier == Tier::Admin);
    flags.insert("MlflowReader", tier == Tier::Reader);
    flags.insert("MlflowModelApprover", tier == Tier::ModelApprover);
    flags
}

/// Decides switches: from known flags, or as template conditions over a mapping.
pub(super) enum Switches {
    /// A concrete team: its flags.
    Fixed(IndexMap<&'static str, bool>),
    /// The team product: flags read from `Teams` by the chosen team; the conditions the
    /// template needs are recorded as they are asked for.
    Mapped {
        /// The team (`!Ref TeamName`).
        team: Value,
        /// Flags read from a template parameter of the same name (`true`/`false`) rather than
        /// from the team's row: what depends on where the product is launched, not on the
        /// team.
        parameters: &'static [&'static str],
        /// Conditions to add to the template.
        conditions: RefCell<IndexMap<String, Value>>,
    },
}

impl Switches {
    /// Whether `flag` holds.
    pub(super) fn flag(&self, flag: &str) -> Switch {
        self.any(&[flag])
    }

    /// Whether any of `flags` holds.
    pub(super) fn any(&self, flags: &[&str]) -> Switch {
        match self {
            Self::Fixed(values) => {
                if flags.iter().any(|f| values.get(f).copied().unwrap_or(false)) {
                    Switch::On
                } else {
                    Switch::Off
                }
            }
            Self::Mapped { team, parameters, conditions } => {
                let mut defs = conditions.borrow_mut();
                for f in flags {
                    defs.entry(format!("Grants{f}")).or_insert_with(|| {
                        let value = if parameters.contains(f) {
                            Value::reference(*f)
                        } else {
                            Value::find_in_map("Teams", team.clone(), Value::from(*f))
                        };
                        Value::equals(value, Value::from("true"))
                    });
                }
                if let [only] = flags {
                    return Switch::When(format!("Grants{only}"));
                }
                let name = format!("Grants{}", flags.join("Or"));
                defs.entry(name.clone()).or_insert_with(|| {
                    Value::Fn(Box::new(crate::model::Intrinsic::Or(
                        flags.iter().map(|f| Value::condition(format!("Grants{f}"))).collect(),
                    )))
                });
                Switch::When(name)
            }
        }
    }

    /// Both switches.
    pub(super) fn and(&self, a: &Switch, b: &Switch) -> Switch {
        match (a, b) {
            (Switch::Off, _) | (_, Switch::Off) => Switch::Off,
            (Switch::On, other) | (other, Switch::On) => other.clone(),
            (Switch::When(x), Switch::When(y)) => {
                let name = format!("{x}And{}", y.trim_start_matches("Grants"));
                if let Self::Mapped { conditions, .. } = self {
                    conditions.borrow_mut().entry(name.clone()).or_insert_with(|| {
                        Value::Fn(Box::new(crate::model::Intrinsic::And(vec![
                            Value::condition(x),
                            Value::condition(y),
                        ])))
                    });
                }
                Switch::When(name)
            }
        }
    }

    /// The opposite switch.
    pub(super) fn not(&self, a: &Switch) -> Switch {
        match a {
            Switch::On => Switch::Off,
            Switch::Off => Switch::On,
            Switch::When(x) => {
                let name = format!("Not{}", x.trim_start_matches("Grants"));
                if let Self::Mapped { conditions, .. } = self {
                    conditions.borrow_mut().entry(name.clone()).or_insert_with(|| Value::negate(Value::condition(x)));
                }
                Switch::When(name)
            }
        }
    }

    /// The conditions recorded for the template (empty for a concrete team).
    pub(super) fn conditions(&self) -> IndexMap<String, Value> {
        match self {
            Self::Fixed(_) => IndexMap::new(),
            Self::Mapped { conditions, .. } => conditions.borrow().clone(),
        }
    }
}
