//! The SageMaker API of each ML activity, after SageMaker Role Manager's documented
//! permissions (cdklabs/cdk-aws-sagemaker-role-manager `assets/templates`), split by what a
//! team may do with it: create (only with its team tag), change (only what carries its tag),
//! read. Team roles narrow these further by buckets, instance types, VPC and KMS key.

use crate::config::Activity;

/// The SageMaker actions of one activity.
#[derive(Debug, Default)]
pub(super) struct Actions {
    /// Creating resources: allowed only with the team (and owner) tags.
    pub create: &'static [&'static str],
    /// Changing or deleting resources: allowed only on resources with the team (and owner) tags.
    pub change: &'static [&'static str],
    /// Reading resources (`arn:...:sagemaker:*:*:*/*`).
    pub read: &'static [&'static str],
    /// Listing and searching (resource `*`).
    pub list: &'static [&'static str],
}

/// What an activity may do in SageMaker, beyond Studio apps, buckets and AWS services.
pub(super) fn actions(activity: Activity) -> Actions {
    match activity {
        Activity::RunStudioApp => Actions {
            read: &[
                "sagemaker:DescribeApp",
                "sagemaker:DescribeDomain",
                "sagemaker:DescribeSpace",
                "sagemaker:DescribeUserProfile",
            ],
            list: &[
                "sagemaker:ListApps",
                "sagemaker:ListDomains",
                "sagemaker:ListSpaces",
                "sagemaker:ListUserProfiles",
            ],
            ..Actions::default()
        },
        Activity::ManageMlJobs => Actions {
            create: &[
                "sagemaker:CreateAutoMLJob",
                "sagemaker:CreateAutoMLJobV2",
                "sagemaker:CreateHyperParameterTuningJob",
                "sagemaker:CreateProcessingJob",
                "sagemaker:CreateTrainingJob",
                "sagemaker:CreateTransformJob",
            ],
            change: &[
                "sagemaker:StopAutoMLJob",
                "sagemaker:StopHyperParameterTuningJob",
                "sagemaker:StopProcessingJob",
                "sagemaker:StopTrainingJob",
                "sagemaker:StopTransformJob",
                "sagemaker:UpdateTrainingJob",
            ],
            read: &[
                "sagemaker:BatchGetMetrics",
                "sagemaker:DescribeAutoMLJob",
                "sagemaker:DescribeAutoMLJobV2",
                "sagemaker:DescribeHyperParameterTuningJob",
                "sagemaker:DescribeProcessingJob",
                "sagemaker:DescribeTrainingJob",
                "sagemaker:DescribeTransformJob",
            ],
            list: &[
                "sagemaker:ListAutoMLJobs",
                "sagemaker:ListCandidatesForAutoMLJob",
                "sagemaker:ListHyperParameterTuningJobs",
                "sagemaker:ListProcessingJobs",
                "sagemaker:ListTrainingJobs",
                "sagemaker:ListTrainingJobsForHyperParameterTuningJob",
                "sagemaker:ListTransformJobs",
                "sagemaker:Search",
            ],
        },
        Activity::ManageModels => Actions {
            create: &["sagemaker:CreateModel", "sagemaker:CreateModelPackage", "sagemaker:CreateModelPackageGroup"],
            change: &[
                "sagemaker:DeleteModel",
                "sagemaker:DeleteModelPackage",
                "sagemaker:DeleteModelPackageGroup",
                "sagemaker:UpdateModelPackage",
            ],
            read: &[
                "sagemaker:BatchDescribeModelPackage",
                "sagemaker:DescribeModel",
                "sagemaker:DescribeModelPackage",
                "sagemaker:DescribeModelPackageGroup",
            ],
            list: &["sagemaker:ListModelPackageGroups", "sagemaker:ListModelPackages", "sagemaker:ListModels"],
        },
        Activity::ManageExperiments => Actions {
            create: &[
                "sagemaker:CreateAction",
                "sagemaker:CreateArtifact",
                "sagemaker:CreateContext",
                "sagemaker:CreateExperiment",
                "sagemaker:CreateTrial",
                "sagemaker:CreateTrialComponent",
            ],
            change: &[
                "sagemaker:AddAssociation",
                "sagemaker:AssociateTrialComponent",
                "sagemaker:DeleteAction",
                "sagemaker:DeleteArtifact",
                "sagemaker:DeleteAssociation",
                "sagemaker:DeleteContext",
                "sagemaker:DeleteExperiment",
                "sagemaker:DeleteTrial",
                "sagemaker:DeleteTrialComponent",
                "sagemaker:DisassociateTrialComponent",
                "sagemaker:UpdateAction",
                "sagemaker:UpdateArtifact",
                "sagemaker:UpdateContext",
                "sagemaker:UpdateExperiment",
                "sagemaker:UpdateTrial",
                "sagemaker:UpdateTrialComponent",
            ],
            ..Actions::default()
        },
        Activity::SearchExperiments => Actions {
            read: &[
                "sagemaker:DescribeAction",
                "sagemaker:DescribeArtifact",
                "sagemaker:DescribeContext",
                "sagemaker:DescribeExperiment",
                "sagemaker:DescribeLineageGroup",
                "sagemaker:DescribeTrial",
                "sagemaker:DescribeTrialComponent",
            ],
            list: &[
                "sagemaker:GetLineageGroupPolicy",
                "sagemaker:GetSearchSuggestions",
                "sagemaker:ListActions",
                "sagemaker:ListArtifacts",
                "sagemaker:ListAssociations",
                "sagemaker:ListContexts",
                "sagemaker:ListExperiments",
                "sagemaker:ListLineageGroups",
                "sagemaker:ListTrialComponents",
                "sagemaker:ListTrials",
                "sagemaker:QueryLineage",
                "sagemaker:Search",
            ],
            ..Actions::default()
        },
        Activity::ManageEndpoints => Actions {
            create: &["sagemaker:CreateEndpoint", "sagemaker:CreateEndpointConfig"],
            change: &[
                "sagemaker:DeleteEndpoint",
                "sagemaker:DeleteEndpointConfig",
                "sagemaker:UpdateEndpoint",
                "sagemaker:UpdateEndpointWeightsAndCapacities",
            ],
            read: &["sagemaker:DescribeEndpoint", "sagemaker:DescribeEndpointConfig"],
            list: &["sagemaker:ListEndpointConfigs", "sagemaker:ListEndpoints"],
        },
        // A pipeline's steps run as its role: the team's pipelines create and stop the jobs
        // and models of their steps, each with the team tag.
        Activity::ManagePipelines => Actions {
            create: &[
                "sagemaker:CreateModel",
                "sagemaker:CreatePipeline",
                "sagemaker:CreateProcessingJob",
                "sagemaker:CreateTrainingJob",
                "sagemaker:CreateTransformJob",
            ],
            change: &[
                "sagemaker:DeletePipeline",
                "sagemaker:StopProcessingJob",
                "sagemaker:StopTrainingJob",
                "sagemaker:StopTransformJob",
                "sagemaker:RetryPipelineExecution",
                "sagemaker:SendPipelineExecutionStepFailure",
                "sagemaker:SendPipelineExecutionStepSuccess",
                "sagemaker:StartPipelineExecution",
                "sagemaker:StopPipelineExecution",
                "sagemaker:UpdatePipeline",
                "sagemaker:UpdatePipelineExecution",
            ],
            read: &[
                "sagemaker:DescribePipeline",
                "sagemaker:DescribePipelineDefinitionForExecution",
                "sagemaker:DescribePipelineExecution",
                "sagemaker:DescribeProcessingJob",
                "sagemaker:DescribeTrainingJob",
                "sagemaker:DescribeTransformJob",
            ],
            list: &[
                "sagemaker:ListPipelineExecutionSteps",
                "sagemaker:ListPipelineExecutions",
                "sagemaker:ListPipelineParametersForExecution",
                "sagemaker:ListPipelines",
            ],
        },
        Activity::S3BucketAccess | Activity::AccessAwsServices => Actions::default(),
    }
}

/// Activities whose jobs and models run as the team role, so it must pass itself to SageMaker.
pub(super) const PASSES_ROLE: [Activity; 3] =
    [Activity::ManageMlJobs, Activity::ManageModels, Activity::ManagePipelines];

/// Activities whose work runs as the team role and needs images, logs, metrics and the VPC.
pub(super) const RUNS_JOBS: [Activity; 4] =
    [Activity::ManageMlJobs, Activity::ManagePipelines, Activity::ManageEndpoints, Activity::AccessAwsServices];
