//! Service techniques (catalog sections C, D, E and some of G): passing a role to a
//! service that runs code with it, and using a resource that already runs as a role.
//! Each is a row of data: the actions it needs and on what, the `iam:PassedToService`
//! value, the service principal the role must trust.

use super::catalog::technique;
use super::symbolic;
use super::{Attempt, Cx, Gain, Need};
use crate::eval::{Caller, Decision, Inputs, Request, ResourcePolicyKind, evaluate};
use crate::graph::Principal;
use crate::model::{InventoryItem, InventoryKind, OrgPolicyType, PrincipalKind};
use crate::policy::context::MapContext;

/// What a technique acts on.
#[derive(Clone, Copy)]
enum On {
    /// A resource the attacker creates; its ARN comes from the service reference
    /// (`Some` picks the resource type of actions that take several).
    New(Option<&'static str>),
    /// The existing resource of the row (a listed one, or some resource of its kind).
    Existing(Option<&'static str>),
}

/// A context key the call carries.
#[derive(Clone, Copy)]
enum Key {
    /// The role's ARN.
    Role,
    /// The role's instance profile ARN.
    Profile,
    /// The call does not carry the key (an instance launched without a profile).
    Absent,
}

#[derive(Clone, Copy)]
struct Act {
    action: &'static str,
    on: On,
    context: &'static [(&'static str, Key)],
}

const fn new(action: &'static str) -> Act {
    Act {
        action,
        on: On::New(None),
        context: &[],
    }
}

const fn existing(action: &'static str) -> Act {
    Act {
        action,
        on: On::Existing(None),
        context: &[],
    }
}

/// The role must be in an instance profile (EC2), or may lack one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Profile {
    Any,
    Needed,
    Missing,
}

/// PassRole and a service that runs code with the passed role.
struct PassRow {
    id: &'static str,
    /// `iam:PassedToService` values: more than one where the right one is unconfirmed.
    passed_to: &'static [&'static str],
    /// Service principals the role's trust may name, one of which must admit it.
    trusts: &'static [&'static str],
    profile: Profile,
    acts: &'static [Act],
    /// A resource that must exist already, when the data cannot show it.
    assumes: Option<&'static str>,
    /// An existing resource of a listed kind the role is passed to (role swap).
    into: Option<InventoryKind>,
    /// A second role passed too: one trusting this service principal (EMR's service
    /// role).
    also_pass: Option<&'static str>,
}

const fn pass(id: &'static str, service: &'static [&'static str], acts: &'static [Act]) -> PassRow {
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

const EC2: &[&str] = &["ec2.amazonaws.com"];
const ROLE_ARN: &[(&str, Key)] = &[("cloudformation:RoleArn", Key::Role)];
const INSTANCE_PROFILE: &[(&str, Key)] = &[("ec2:InstanceProfile", Key::Profile)];

const PASS: &[PassRow] = &[
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

/// What runs as the role in an existing-resource technique.
#[derive(Clone, Copy)]
enum Runs {
    /// A kind an inventory export lists.
    Listed(InventoryKind),
    /// A kind no export iampath reads lists: the service principal the role trusts,
    /// whether it needs an instance profile, and what must exist.
    Unlisted(&'static str, bool, &'static str),
}

struct UseRow {
    id: &'static str,
    runs: Runs,
    acts: &'static [Act],
}

const fn uses(id: &'static str, runs: Runs, acts: &'static [Act]) -> UseRow {
    UseRow { id, runs, acts }
}

const USE: &[UseRow] = &[
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

/// The service principal a listed kind runs as, and whether an instance profile holds
/// the role.
fn runtime(kind: InventoryKind) -> (&'static str, bool) {
    match kind {
        InventoryKind::Function => ("lambda.amazonaws.com", false),
        InventoryKind::Instance => ("ec2.amazonaws.com", true),
        InventoryKind::Stack => ("cloudformation.amazonaws.com", false),
        InventoryKind::Project => ("codebuild.amazonaws.com", false),
        InventoryKind::DevEndpoint => ("glue.amazonaws.com", false),
    }
}

/// Every action the service techniques need (the prefilter's list).
pub(super) fn actions() -> impl Iterator<Item = &'static str> {
    PASS.iter()
        .flat_map(|r| r.acts)
        .chain(USE.iter().flat_map(|r| r.acts))
        .map(|a| a.action)
}

pub(super) fn attempts(cx: &Cx, s: usize) -> Vec<Attempt> {
    let mut out = Vec::new();
    let Some(p) = cx.principal(s) else {
        return out;
    };
    let Some(account) = p.account.as_deref() else {
        return out;
    };
    for row in PASS {
        if cx.may(s, "iam:PassRole") && row.acts.iter().all(|a| cx.may(s, a.action)) {
            pass_role(cx, s, p, account, row, &mut out);
        }
    }
    for row in USE {
        if row.acts.iter().all(|a| cx.may(s, a.action)) {
            use_existing(cx, s, p, account, row, &mut out);
        }
    }
    out
}

/// The roles of the account (not service-linked) that name a service principal in an
/// Allow of their trust policy.
fn roles_trusting<'c>(
    cx: &'c Cx,
    account: &'c str,
    services: &'c [&'c str],
) -> impl Iterator<Item = usize> + 'c {
    cx.world.of_account(account).filter(move |r| {
        let Some(role) = cx.principal(*r) else {
            return false;
        };
        !role.service_linked
            && role.trust.as_ref().is_some_and(|t| {
                t.statements
                    .iter()
                    .filter(|st| st.effect != Some(crate::model::Effect::Deny))
                    .filter_map(|st| st.principal.as_ref())
                    .flat_map(|spec| &spec.entries)
                    .any(|e| names_service(&e.kind, &e.value.value, services))
            })
    })
}

fn names_service(kind: &PrincipalKind, value: &str, services: &[&str]) -> bool {
    services.iter().any(|s| match s.strip_prefix("federated:") {
        Some(f) => *kind == PrincipalKind::Federated && value.eq_ignore_ascii_case(f),
        None => *kind == PrincipalKind::Service && value.eq_ignore_ascii_case(s),
    })
}

/// The instance profiles that hold role `r`.
fn profiles_of<'a>(cx: &Cx<'a>, r: usize) -> Vec<&'a str> {
    cx.profiles
        .iter()
        .filter(|(_, role)| **role == r)
        .map(|(ip, _)| *ip)
        .collect()
}

/// May the service (or identity provider) assume the role, as it would for a resource
/// of the account (`aws:SourceAccount`, `aws:SourceArn` set)?
fn service_may_assume(cx: &Cx, role: &Principal, service: &str, source_arn: &str) -> Decision {
    let account = role.account.as_deref().unwrap_or_default();
    let (caller, action) = match service.strip_prefix("federated:") {
        Some(f) => (
            Caller::Federated(f.to_string()),
            "sts:AssumeRoleWithWebIdentity",
        ),
        None => (Caller::Service(service.to_string()), "sts:AssumeRole"),
    };
    let mut ctx = MapContext {
        missing_is_unknown: true,
        ..MapContext::default()
    };
    if matches!(caller, Caller::Service(_)) {
        ctx.set("aws:SourceAccount", vec![account.to_string()]);
        ctx.set("aws:SourceArn", vec![source_arn.to_string()]);
        ctx.set("aws:PrincipalIsAWSService", vec!["true".into()]);
        ctx.set("aws:PrincipalServiceName", vec![service.to_string()]);
    }
    let inputs = Inputs {
        resource: role.trust.as_deref(),
        resource_kind: ResourcePolicyKind::RoleTrust,
        rcp_levels: cx.world.org.levels(account, OrgPolicyType::ResourceControl),
        management_account: cx.world.org.management_account.as_deref(),
        ..Inputs::default()
    };
    let req = Request {
        caller: &caller,
        action,
        resource: &role.id,
        resource_account: Some(account),
    };
    evaluate(req, &inputs, &ctx).decision
}

/// The best decision of any of the services the role may trust.
fn trusted(cx: &Cx, role: &Principal, services: &[&str], source_arn: &str) -> Decision {
    let mut best = Decision::ImplicitDeny;
    for s in services {
        match service_may_assume(cx, role, s, source_arn) {
            Decision::Allowed => return Decision::Allowed,
            Decision::Conditional => best = Decision::Conditional,
            _ => {}
        }
    }
    best
}

/// Needs of a row: one per action; actions on a resource of the same type (the same
/// ARN template) act on the same resource, so they share one candidate list and group.
fn needs_of(
    p: &Principal,
    account: &str,
    acts: &[Act],
    role: &Principal,
    profile: Option<&str>,
    item: Option<&InventoryItem>,
) -> Vec<Need> {
    let mut needs: Vec<Need> = acts
        .iter()
        .map(|a| need(p, account, a, role, profile, item))
        .collect();
    let templates: Vec<Option<String>> = acts
        .iter()
        .map(|a| match a.on {
            On::New(hint) | On::Existing(hint) => symbolic::template(a.action, hint),
        })
        .collect();
    let mut next = 0u8;
    for i in 0..needs.len() {
        let Some(Some(t)) = templates.get(i) else {
            continue;
        };
        let same: Vec<usize> = (0..needs.len())
            .filter(|j| templates.get(*j).and_then(Option::as_ref) == Some(t))
            .collect();
        if same.len() < 2 || needs.get(i).is_some_and(|n| n.group.is_some()) {
            continue;
        }
        let mut union: Vec<String> = Vec::new();
        for j in &same {
            for r in needs.get(*j).map_or(&[][..], |n| n.resources.as_slice()) {
                if !union.contains(r) {
                    union.push(r.clone());
                }
            }
        }
        for j in same {
            if let Some(n) = needs.get_mut(j) {
                n.resources = union.clone();
                n.group = Some(next);
            }
        }
        next += 1;
    }
    needs
}

/// The need for one action of a row.
fn need(
    p: &Principal,
    account: &str,
    act: &Act,
    role: &Principal,
    profile: Option<&str>,
    item: Option<&InventoryItem>,
) -> Need {
    let resources = match (act.on, item) {
        (On::Existing(_), Some(item)) => vec![item.arn.clone()],
        (On::New(hint) | On::Existing(hint), _) => {
            symbolic::candidates(p, act.action, hint, account)
        }
    };
    let mut n = Need::any(act.action, resources);
    for (key, value) in act.context {
        match value {
            Key::Role => n = n.with(key, role.id.clone()),
            Key::Profile => {
                if let Some(v) = profile {
                    n = n.with(key, v);
                }
            }
            // An empty value list: the key is missing from the request.
            Key::Absent => n.context.push((key, Vec::new())),
        }
    }
    if let (On::Existing(_), Some(item)) = (act.on, item) {
        for t in &item.tags {
            n = n.with_tag(&t.key, &t.value);
        }
    }
    n
}

impl Need {
    /// `aws:ResourceTag/KEY` of the existing resource.
    fn with_tag(mut self, key: &str, value: &str) -> Need {
        let key: &'static str = Box::leak(format!("aws:ResourceTag/{key}").into_boxed_str());
        self.context.push((key, vec![value.to_string()]));
        self
    }
}

fn pass_role(
    cx: &Cx,
    s: usize,
    p: &Principal,
    account: &str,
    row: &PassRow,
    out: &mut Vec<Attempt>,
) {
    let Some(t) = technique(row.id) else { return };
    // The second role the service needs (EMR's service role), passed too.
    let second: Option<Need> = match row.also_pass {
        Some(service) => {
            let roles: Vec<String> = roles_trusting(cx, account, std::slice::from_ref(&service))
                .filter_map(|r| cx.principal(r).map(|x| x.id.clone()))
                .collect();
            if roles.is_empty() {
                return;
            }
            Some(Need::any("iam:PassRole", roles).with("iam:PassedToService", service))
        }
        None => None,
    };
    // The resource the role is passed into, when it must exist already.
    let items: Vec<Option<&InventoryItem>> = match row.into {
        Some(kind) => match cx.model.accounts.get(account) {
            Some(a) if a.inventoried.contains(&kind) => a
                .inventory
                .iter()
                .filter(|i| i.kind == kind)
                .map(Some)
                .take(1)
                .collect(),
            _ => vec![None],
        },
        None => vec![None],
    };
    for r in roles_trusting(cx, account, row.trusts) {
        let Some(role) = cx.principal(r) else {
            continue;
        };
        let profiles = profiles_of(cx, r);
        match row.profile {
            Profile::Needed if profiles.is_empty() => continue,
            Profile::Missing if !profiles.is_empty() => continue,
            _ => {}
        }
        let profile = profiles.first().copied();
        for item in &items {
            let acts = || needs_of(p, account, row.acts, role, profile, *item);
            // The service assumes the role for the resource made (its ARN).
            let source = acts()
                .first()
                .and_then(|n| n.resources.first().cloned())
                .unwrap_or_default();
            let trust = trusted(cx, role, row.trusts, &source);
            if matches!(trust, Decision::ExplicitDeny | Decision::ImplicitDeny) {
                continue;
            }
            let mut assumptions = Vec::new();
            if trust == Decision::Conditional {
                assumptions.push(format!(
                    "the trust policy of {} admits {} under its conditions",
                    role.id,
                    row.trusts.join(" or ")
                ));
            }
            if let Some(a) = row.assumes {
                assumptions.push(a.to_string());
            }
            if let (Some(kind), None) = (row.into, item) {
                assumptions.push(format!(
                    "{} exists (load `aws {}` to know)",
                    kind.noun(),
                    kind.export()
                ));
            }
            for passed in row.passed_to {
                let mut needs = vec![
                    Need::on("iam:PassRole", role.id.as_str()).with("iam:PassedToService", *passed),
                ];
                if let Some(n) = &second {
                    needs.push(Need {
                        resources: n.resources.clone(),
                        context: n.context.clone(),
                        ..Need::any("iam:PassRole", Vec::new())
                    });
                }
                needs.extend(acts());
                let mut assumes = assumptions.clone();
                if row.passed_to.len() > 1 {
                    assumes.push(format!(
                        "the service checks iam:PassedToService {passed} (unconfirmed for it)"
                    ));
                }
                out.push(Attempt {
                    from: s,
                    technique: t,
                    gain: Gain::Become(r),
                    needs,
                    assumptions: assumes,
                });
            }
        }
    }
}

fn use_existing(
    cx: &Cx,
    s: usize,
    p: &Principal,
    account: &str,
    row: &UseRow,
    out: &mut Vec<Attempt>,
) {
    let Some(t) = technique(row.id) else { return };
    let (service, needs_profile, noun, kind) = match row.runs {
        Runs::Listed(kind) => {
            let (service, profile) = runtime(kind);
            (service, profile, kind.noun(), Some(kind))
        }
        Runs::Unlisted(service, profile, noun) => (service, profile, noun, None),
    };
    let listed = kind.filter(|k| {
        cx.model
            .accounts
            .get(account)
            .is_some_and(|a| a.inventoried.contains(k))
    });
    if let Some(kind) = listed {
        // The export says which resources exist and as which role they run.
        let Some(a) = cx.model.accounts.get(account) else {
            return;
        };
        for item in a.inventory.iter().filter(|i| i.kind == kind) {
            let role = match (&item.role, &item.instance_profile) {
                (Some(r), _) => cx.world.by_id.get(r).copied(),
                (None, Some(ip)) => cx.profiles.get(ip.as_str()).copied(),
                _ => None,
            };
            let Some(r) = role.filter(|r| *r != s) else {
                continue;
            };
            let Some(role) = cx.principal(r) else {
                continue;
            };
            let needs = row
                .acts
                .iter()
                .map(|act| {
                    need(
                        p,
                        account,
                        act,
                        role,
                        item.instance_profile.as_deref(),
                        Some(item),
                    )
                })
                .collect();
            out.push(Attempt {
                from: s,
                technique: t,
                gain: Gain::Become(r),
                needs,
                assumptions: Vec::new(),
            });
        }
        return;
    }
    // Not listed: any role the resource could run as, on the condition that one does.
    for r in roles_trusting(cx, account, std::slice::from_ref(&service)) {
        if r == s || !cx.worth(r) {
            continue;
        }
        let Some(role) = cx.principal(r) else {
            continue;
        };
        let profiles = profiles_of(cx, r);
        if needs_profile && profiles.is_empty() {
            continue;
        }
        let needs = needs_of(p, account, row.acts, role, profiles.first().copied(), None);
        let know = kind
            .map(|k| format!(" (load `aws {}` to know)", k.export()))
            .unwrap_or_default();
        out.push(Attempt {
            from: s,
            technique: t,
            gain: Gain::Become(r),
            needs,
            assumptions: vec![format!("{noun} runs as {}{know}", role.id)],
        });
    }
}
