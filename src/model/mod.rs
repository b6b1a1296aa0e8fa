//! CloudFormation's own vocabulary, nothing about SageMaker estates: templates, values with
//! intrinsics, typed resource properties and typed IAM policy documents.

pub mod iam;
pub mod resources;
pub mod template;
pub mod value;

pub use template::{Output, Parameter, Policy, Resource, ResourceType, Setting, Template};
pub use value::{Intrinsic, Value};
