//! The techniques that use a resource already running as a role, as data: what runs
//! as the role and the actions each needs.

use super::pass_rows::*;
use crate::model::InventoryKind;

/// What runs as the role in an existing-resource technique.
#[derive(Clone, Copy)]
pub(super) enum Runs {
    /// A kind an inventory export lists.
    Listed(InventoryKind),
    /// A kind no export iampath reads lists: the service principal the role trusts,
    /// whether it needs an instance profile, and what must exist.
    Unlisted(&'static str, bool, &'static str),
}

pub(super) struct UseRow {
    pub(super) id: &'static str,
    pub(super) runs: Runs,
    pub(super) acts: &'static [Act],
}

pub(super) const fn uses(id: &'static str, runs: Runs, acts: &'static [Act]) -> UseRow {
    UseRow { id, runs, acts }
}

pub(super) const USE: &[UseRow] = &[
    uses(
        "apprunner-002",
        Runs::Unlisted(
            "tasks.apprunner.amazonaws.com",
            false,
            "an App Runner service",
        ),
        &[existing("apprunner:UpdateService")],
    ),
    uses(
        "bedrock-002",
        Runs::Unlisted(
            "bedrock-agentcore.amazonaws.com",
            false,
            "a Bedrock AgentCore code interpreter",
        ),
        &[
            existing("bedrock-agentcore:StartCodeInterpreterSession"),
            existing("bedrock-agentcore:InvokeCodeInterpreter"),
        ],
    ),
    uses(
        "bedrock-004",
        Runs::Unlisted(
            "bedrock-agentcore.amazonaws.com",
            false,
            "a Bedrock AgentCore agent runtime with IAM inbound auth",
        ),
        &[existing("bedrock-agentcore:InvokeAgentRuntimeCommand")],
    ),
    uses(
        "bedrock-007",
        Runs::Unlisted(
            "bedrock-agentcore.amazonaws.com",
            false,
            "a Bedrock AgentCore browser",
        ),
        &[
            existing("bedrock-agentcore:StartBrowserSession"),
            existing("bedrock-agentcore:ConnectBrowserAutomationStream"),
        ],
    ),
    uses(
        "batch-002",
        Runs::Unlisted(
            "ecs-tasks.amazonaws.com",
            false,
            "a Batch job definition and a job queue",
        ),
        &[existing("batch:SubmitJob")],
    ),
    uses(
        "cloudformation-002",
        Runs::Listed(InventoryKind::Stack),
        &[Act {
            context: ROLE_ARN,
            ..existing("cloudformation:UpdateStack")
        }],
    ),
    uses(
        "cloudformation-005",
        Runs::Listed(InventoryKind::Stack),
        &[
            Act {
                context: ROLE_ARN,
                ..existing("cloudformation:CreateChangeSet")
            },
            existing("cloudformation:ExecuteChangeSet"),
        ],
    ),
    uses(
        "codebuild-002",
        Runs::Listed(InventoryKind::Project),
        &[existing("codebuild:StartBuild")],
    ),
    uses(
        "codebuild-003",
        Runs::Listed(InventoryKind::Project),
        &[existing("codebuild:StartBuildBatch")],
    ),
    uses(
        "codedeploy-001",
        Runs::Unlisted(
            "ec2.amazonaws.com",
            true,
            "a CodeDeploy deployment group targeting an instance",
        ),
        &[
            existing("codedeploy:CreateDeployment"),
            existing("codedeploy:RegisterApplicationRevision"),
        ],
    ),
    uses(
        "ec2-002",
        Runs::Listed(InventoryKind::Instance),
        &[
            existing("ec2:ModifyInstanceAttribute"),
            existing("ec2:StopInstances"),
            existing("ec2:StartInstances"),
        ],
    ),
    uses(
        "ec2-003",
        Runs::Listed(InventoryKind::Instance),
        &[existing("ec2-instance-connect:SendSSHPublicKey")],
    ),
    uses(
        "ec2-005",
        Runs::Unlisted(
            "ec2.amazonaws.com",
            true,
            "a launch template that something launches from",
        ),
        &[
            existing("ec2:CreateLaunchTemplateVersion"),
            existing("ec2:ModifyLaunchTemplate"),
        ],
    ),
    uses(
        "ecs-006",
        Runs::Unlisted(
            "ecs-tasks.amazonaws.com",
            false,
            "an ECS task with ExecuteCommand enabled",
        ),
        &[existing("ecs:ExecuteCommand")],
    ),
    uses(
        "glue-002",
        Runs::Listed(InventoryKind::DevEndpoint),
        &[existing("glue:UpdateDevEndpoint")],
    ),
    uses(
        "lambda-003",
        Runs::Listed(InventoryKind::Function),
        &[existing("lambda:UpdateFunctionCode")],
    ),
    uses(
        "lambda-004",
        Runs::Listed(InventoryKind::Function),
        &[
            existing("lambda:UpdateFunctionCode"),
            existing("lambda:InvokeFunction"),
        ],
    ),
    uses(
        "lambda-005",
        Runs::Listed(InventoryKind::Function),
        &[
            existing("lambda:UpdateFunctionCode"),
            existing("lambda:AddPermission"),
        ],
    ),
    uses(
        "sagemaker-004",
        Runs::Unlisted(
            "sagemaker.amazonaws.com",
            false,
            "a SageMaker notebook instance",
        ),
        &[existing("sagemaker:CreatePresignedNotebookInstanceUrl")],
    ),
    uses(
        "sagemaker-005",
        Runs::Unlisted(
            "sagemaker.amazonaws.com",
            false,
            "a SageMaker notebook instance",
        ),
        &[
            new("sagemaker:CreateNotebookInstanceLifecycleConfig"),
            existing("sagemaker:UpdateNotebookInstance"),
            existing("sagemaker:StartNotebookInstance"),
        ],
    ),
    uses(
        "ssm-001",
        Runs::Listed(InventoryKind::Instance),
        &[Act {
            on: On::Existing(Some("instance")),
            ..existing("ssm:StartSession")
        }],
    ),
    uses(
        "ssm-002",
        Runs::Listed(InventoryKind::Instance),
        &[Act {
            on: On::Existing(Some("instance")),
            ..existing("ssm:SendCommand")
        }],
    ),
    uses(
        "stepfunctions-002",
        Runs::Unlisted(
            "states.amazonaws.com",
            false,
            "a Step Functions state machine",
        ),
        &[
            existing("states:UpdateStateMachine"),
            existing("states:StartExecution"),
        ],
    ),
    uses(
        "X-02",
        Runs::Listed(InventoryKind::Function),
        &[existing("lambda:UpdateFunctionConfiguration")],
    ),
    uses(
        "X-04",
        Runs::Unlisted(
            "ec2.amazonaws.com",
            true,
            "a launch configuration or template with the role's instance profile",
        ),
        &[new("autoscaling:CreateAutoScalingGroup")],
    ),
];
