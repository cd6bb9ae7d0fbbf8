//! The PassRole techniques as data: the actions each needs and on what, the
//! `iam:PassedToService` value, the service principal the passed role must trust.

use crate::model::InventoryKind;

/// What a technique acts on.
#[derive(Clone, Copy)]
pub(super) enum On {
    /// A resource the attacker creates; its ARN comes from the service reference
    /// (`Some` picks the resource type of actions that take several).
    New(Option<&'static str>),
    /// The existing resource of the row (a listed one, or some resource of its kind).
    Existing(Option<&'static str>),
}

/// A context key the call carries.
#[derive(Clone, Copy)]
pub(super) enum Key {
    /// The role's ARN.
    Role,
    /// The role's instance profile ARN.
    Profile,
    /// The call does not carry the key (an instance launched without a profile).
    Absent,
}

#[derive(Clone, Copy)]
pub(super) struct Act {
    pub(super) action: &'static str,
    pub(super) on: On,
    pub(super) context: &'static [(&'static str, Key)],
}

pub(super) const fn new(action: &'static str) -> Act {
    Act {
        action,
        on: On::New(None),
        context: &[],
    }
}

pub(super) const fn existing(action: &'static str) -> Act {
    Act {
        action,
        on: On::Existing(None),
        context: &[],
    }
}

/// The role must be in an instance profile (EC2), or may lack one.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Profile {
    Any,
    Needed,
    Missing,
}

/// PassRole and a service that runs code with the passed role.
pub(super) struct PassRow {
    pub(super) id: &'static str,
    /// `iam:PassedToService` values: more than one where the right one is unconfirmed.
    pub(super) passed_to: &'static [&'static str],
    /// Service principals the role's trust may name, one of which must admit it.
    pub(super) trusts: &'static [&'static str],
    pub(super) profile: Profile,
    pub(super) acts: &'static [Act],
    /// A resource that must exist already, when the data cannot show it.
    pub(super) assumes: Option<&'static str>,
    /// An existing resource of a listed kind the role is passed to (role swap).
    pub(super) into: Option<InventoryKind>,
    /// A second role passed too: one trusting this service principal (EMR's service
    /// role).
    pub(super) also_pass: Option<&'static str>,
}

pub(super) const fn pass(
    id: &'static str,
    service: &'static [&'static str],
    acts: &'static [Act],
) -> PassRow {
    PassRow {
        id,
        passed_to: service,
        trusts: service,
        profile: Profile::Any,
        acts,
        assumes: None,
        into: None,
        also_pass: None,
    }
}

pub(super) const EC2: &[&str] = &["ec2.amazonaws.com"];
pub(super) const ROLE_ARN: &[(&str, Key)] = &[("cloudformation:RoleArn", Key::Role)];
pub(super) const INSTANCE_PROFILE: &[(&str, Key)] = &[("ec2:InstanceProfile", Key::Profile)];

pub(super) const PASS: &[PassRow] = &[
    PassRow {
        trusts: &["tasks.apprunner.amazonaws.com"],
        ..pass(
            "apprunner-001",
            &["apprunner.amazonaws.com"],
            &[new("apprunner:CreateService")],
        )
    },
    pass(
        "bedrock-001",
        &["bedrock-agentcore.amazonaws.com"],
        &[
            new("bedrock-agentcore:CreateCodeInterpreter"),
            new("bedrock-agentcore:StartCodeInterpreterSession"),
            new("bedrock-agentcore:InvokeCodeInterpreter"),
        ],
    ),
    pass(
        "bedrock-003",
        &["bedrock-agentcore.amazonaws.com"],
        &[
            new("bedrock-agentcore:CreateAgentRuntime"),
            new("bedrock-agentcore:CreateAgentRuntimeEndpoint"),
            new("bedrock-agentcore:InvokeAgentRuntimeCommand"),
        ],
    ),
    pass(
        "bedrock-005",
        &["bedrock-agentcore.amazonaws.com"],
        &[
            new("bedrock-agentcore:CreateHarness"),
            new("bedrock-agentcore:CreateAgentRuntime"),
            new("bedrock-agentcore:InvokeAgentRuntimeCommand"),
        ],
    ),
    pass(
        "bedrock-006",
        &["bedrock-agentcore.amazonaws.com"],
        &[
            new("bedrock-agentcore:CreateBrowser"),
            new("bedrock-agentcore:StartBrowserSession"),
            new("bedrock-agentcore:ConnectBrowserAutomationStream"),
        ],
    ),
    PassRow {
        passed_to: &["batch.amazonaws.com", "ecs-tasks.amazonaws.com"],
        trusts: &["ecs-tasks.amazonaws.com"],
        ..pass(
            "batch-003",
            &[],
            &[
                new("batch:CreateComputeEnvironment"),
                new("batch:CreateJobQueue"),
                new("batch:RegisterJobDefinition"),
                new("batch:SubmitJob"),
            ],
        )
    },
    pass(
        "braket-001",
        &["braket.amazonaws.com"],
        &[new("braket:CreateJob")],
    ),
    pass(
        "cloudformation-001",
        &["cloudformation.amazonaws.com"],
        &[Act {
            context: ROLE_ARN,
            ..new("cloudformation:CreateStack")
        }],
    ),
    pass(
        "codebuild-001",
        &["codebuild.amazonaws.com"],
        &[new("codebuild:CreateProject"), new("codebuild:StartBuild")],
    ),
    pass(
        "codebuild-004",
        &["codebuild.amazonaws.com"],
        &[
            new("codebuild:CreateProject"),
            new("codebuild:StartBuildBatch"),
        ],
    ),
    PassRow {
        passed_to: &[
            "datapipeline.amazonaws.com",
            "elasticmapreduce.amazonaws.com",
        ],
        trusts: &[
            "datapipeline.amazonaws.com",
            "elasticmapreduce.amazonaws.com",
        ],
        ..pass(
            "datapipeline-001",
            &[],
            &[
                new("datapipeline:CreatePipeline"),
                new("datapipeline:PutPipelineDefinition"),
                new("datapipeline:ActivatePipeline"),
            ],
        )
    },
    PassRow {
        profile: Profile::Needed,
        ..pass(
            "ec2-001",
            EC2,
            &[Act {
                action: "ec2:RunInstances",
                on: On::New(Some("instance")),
                context: INSTANCE_PROFILE,
            }],
        )
    },
    PassRow {
        profile: Profile::Needed,
        ..pass("ec2-004", EC2, &[new("ec2:RequestSpotInstances")])
    },
    pass(
        "ecs-001",
        &["ecs-tasks.amazonaws.com"],
        &[
            new("ecs:CreateCluster"),
            new("ecs:RegisterTaskDefinition"),
            new("ecs:CreateService"),
        ],
    ),
    pass(
        "ecs-002",
        &["ecs-tasks.amazonaws.com"],
        &[
            new("ecs:CreateCluster"),
            new("ecs:RegisterTaskDefinition"),
            new("ecs:RunTask"),
        ],
    ),
    pass(
        "glue-001",
        &["glue.amazonaws.com"],
        &[new("glue:CreateDevEndpoint")],
    ),
    pass(
        "glue-003",
        &["glue.amazonaws.com"],
        &[new("glue:CreateJob"), new("glue:StartJobRun")],
    ),
    pass(
        "glue-004",
        &["glue.amazonaws.com"],
        &[new("glue:CreateJob"), new("glue:CreateTrigger")],
    ),
    pass(
        "glue-007",
        &["glue.amazonaws.com"],
        &[new("glue:CreateSession"), new("glue:RunStatement")],
    ),
    pass(
        "lambda-001",
        &["lambda.amazonaws.com"],
        &[new("lambda:CreateFunction"), new("lambda:InvokeFunction")],
    ),
    PassRow {
        assumes: Some("an event source (a stream or queue) the role can read exists"),
        ..pass(
            "lambda-002",
            &["lambda.amazonaws.com"],
            &[
                new("lambda:CreateFunction"),
                new("lambda:CreateEventSourceMapping"),
            ],
        )
    },
    pass(
        "lambda-006",
        &["lambda.amazonaws.com"],
        &[new("lambda:CreateFunction"), new("lambda:AddPermission")],
    ),
    pass(
        "sagemaker-001",
        &["sagemaker.amazonaws.com"],
        &[
            new("sagemaker:CreateNotebookInstance"),
            new("sagemaker:CreatePresignedNotebookInstanceUrl"),
        ],
    ),
    pass(
        "sagemaker-002",
        &["sagemaker.amazonaws.com"],
        &[new("sagemaker:CreateTrainingJob")],
    ),
    pass(
        "sagemaker-003",
        &["sagemaker.amazonaws.com"],
        &[new("sagemaker:CreateProcessingJob")],
    ),
    pass(
        "ssm-003",
        &["ssm.amazonaws.com"],
        &[
            new("ssm:CreateDocument"),
            new("ssm:StartAutomationExecution"),
        ],
    ),
    pass(
        "stepfunctions-001",
        &["states.amazonaws.com"],
        &[
            new("states:CreateStateMachine"),
            new("states:StartExecution"),
        ],
    ),
    pass(
        "scheduler-001",
        &["scheduler.amazonaws.com"],
        &[new("scheduler:CreateSchedule")],
    ),
    PassRow {
        profile: Profile::Needed,
        also_pass: Some("elasticmapreduce.amazonaws.com"),
        ..pass("emr-001", EC2, &[new("elasticmapreduce:RunJobFlow")])
    },
    pass(
        "emrserverless-001",
        &["emr-serverless.amazonaws.com"],
        &[
            new("emr-serverless:CreateApplication"),
            new("emr-serverless:StartJobRun"),
        ],
    ),
    PassRow {
        passed_to: &["gamelift.amazonaws.com", "ec2.amazonaws.com"],
        trusts: &["gamelift.amazonaws.com", "ec2.amazonaws.com"],
        ..pass(
            "gamelift-001",
            &[],
            &[
                new("gamelift:CreateBuild"),
                new("gamelift:RequestUploadCredentials"),
                new("gamelift:CreateFleet"),
            ],
        )
    },
    PassRow {
        profile: Profile::Needed,
        ..pass(
            "imagebuilder-001",
            EC2,
            &[
                new("imagebuilder:CreateComponent"),
                new("imagebuilder:CreateImageRecipe"),
                new("imagebuilder:CreateInfrastructureConfiguration"),
                new("imagebuilder:CreateImage"),
            ],
        )
    },
    pass(
        "kinesisanalytics-001",
        &["kinesisanalytics.amazonaws.com"],
        &[
            new("kinesisanalytics:CreateApplication"),
            new("kinesisanalytics:StartApplication"),
        ],
    ),
    pass(
        "omics-001",
        &["omics.amazonaws.com"],
        &[new("omics:CreateWorkflow"), new("omics:StartRun")],
    ),
    PassRow {
        profile: Profile::Needed,
        ..pass(
            "X-05",
            EC2,
            &[
                new("autoscaling:CreateLaunchConfiguration"),
                new("autoscaling:CreateAutoScalingGroup"),
            ],
        )
    },
    PassRow {
        profile: Profile::Needed,
        ..pass(
            "X-06",
            EC2,
            &[
                Act {
                    action: "ec2:RunInstances",
                    on: On::New(Some("instance")),
                    context: &[("ec2:InstanceProfile", Key::Absent)],
                },
                Act {
                    action: "ec2:AssociateIamInstanceProfile",
                    on: On::New(Some("instance")),
                    context: INSTANCE_PROFILE,
                },
            ],
        )
    },
    PassRow {
        profile: Profile::Missing,
        ..pass(
            "X-07",
            EC2,
            &[
                new("iam:CreateInstanceProfile"),
                new("iam:AddRoleToInstanceProfile"),
                Act {
                    action: "ec2:RunInstances",
                    on: On::New(Some("instance")),
                    context: &[],
                },
            ],
        )
    },
    // D: into existing infrastructure.
    PassRow {
        passed_to: &["batch.amazonaws.com", "ecs-tasks.amazonaws.com"],
        trusts: &["ecs-tasks.amazonaws.com"],
        assumes: Some("a Batch job queue exists"),
        ..pass(
            "batch-001",
            &[],
            &[new("batch:RegisterJobDefinition"), new("batch:SubmitJob")],
        )
    },
    PassRow {
        assumes: Some("an ECS cluster exists"),
        ..pass(
            "ecs-003",
            &["ecs-tasks.amazonaws.com"],
            &[new("ecs:RegisterTaskDefinition"), new("ecs:CreateService")],
        )
    },
    PassRow {
        assumes: Some("an ECS cluster exists"),
        ..pass(
            "ecs-004",
            &["ecs-tasks.amazonaws.com"],
            &[new("ecs:RegisterTaskDefinition"), new("ecs:RunTask")],
        )
    },
    PassRow {
        assumes: Some("an ECS cluster with a container instance exists"),
        ..pass(
            "ecs-005",
            &["ecs-tasks.amazonaws.com"],
            &[new("ecs:RegisterTaskDefinition"), new("ecs:StartTask")],
        )
    },
    PassRow {
        assumes: Some("an ECS cluster and a task definition exist"),
        ..pass(
            "ecs-008",
            &["ecs-tasks.amazonaws.com"],
            &[existing("ecs:RunTask")],
        )
    },
    PassRow {
        assumes: Some("an ECS container instance and a task definition exist"),
        ..pass(
            "ecs-009",
            &["ecs-tasks.amazonaws.com"],
            &[existing("ecs:StartTask")],
        )
    },
    PassRow {
        assumes: Some("a Glue job exists"),
        ..pass(
            "glue-005",
            &["glue.amazonaws.com"],
            &[existing("glue:UpdateJob"), existing("glue:StartJobRun")],
        )
    },
    PassRow {
        assumes: Some("a Glue job exists"),
        ..pass(
            "glue-006",
            &["glue.amazonaws.com"],
            &[existing("glue:UpdateJob"), new("glue:CreateTrigger")],
        )
    },
    PassRow {
        trusts: &["federated:cognito-identity.amazonaws.com"],
        assumes: Some("a Cognito identity pool that allows unauthenticated identities exists"),
        ..pass(
            "cognitoidentity-001",
            &["cognito-identity.amazonaws.com"],
            &[existing("cognito-identity:SetIdentityPoolRoles")],
        )
    },
    // Role swap on an existing resource of a listed kind.
    PassRow {
        into: Some(InventoryKind::Function),
        ..pass(
            "X-03",
            &["lambda.amazonaws.com"],
            &[
                existing("lambda:UpdateFunctionCode"),
                existing("lambda:UpdateFunctionConfiguration"),
            ],
        )
    },
    PassRow {
        into: Some(InventoryKind::Project),
        ..pass(
            "X-09",
            &["codebuild.amazonaws.com"],
            &[
                existing("codebuild:UpdateProject"),
                existing("codebuild:StartBuild"),
            ],
        )
    },
    PassRow {
        into: Some(InventoryKind::Stack),
        ..pass(
            "X-10",
            &["cloudformation.amazonaws.com"],
            &[Act {
                context: ROLE_ARN,
                ..existing("cloudformation:UpdateStack")
            }],
        )
    },
];
