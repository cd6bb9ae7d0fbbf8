//! The privilege-escalation techniques iampath knows: every row of the catalog
//! (pathfinding.cloud ids, and `X-nn` for techniques from other sources), with how
//! iampath models it. The README's coverage table is this data.

/// How iampath models a technique.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// From the IAM export (and the Organizations data) alone.
    Iam,
    /// From the IAM export, but conditional on a fact it does not hold (which).
    IamConditional(&'static str),
    /// Conditional on a resource the IAM export does not show; definite (or absent)
    /// with the named inventory export loaded.
    Inventory(&'static str),
    /// Conditional on a resource the IAM export does not show, and no inventory export
    /// iampath reads shows it (which).
    Assumed(&'static str),
    /// As the assume-role edges of the graph.
    AssumeRole,
    NotModelled(&'static str),
}

/// One technique.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Technique {
    /// The pathfinding.cloud id (`iam-002`), or iampath's own (`X-01`).
    pub id: &'static str,
    /// What it does, in a few words.
    pub name: &'static str,
    pub coverage: Coverage,
}

use Coverage::{
    AssumeRole as ASSUME, Assumed as ASSUMED, Iam as IAM, IamConditional as IAMC, Inventory as INV,
    NotModelled as NO,
};

const KEYS: &str = "the user has fewer than 2 access keys (the credential report says)";
const NO_PASSWORD: &str = "the user has no console password (the credential report says)";
const PASSWORD: &str = "the user has a console password (the credential report says)";

macro_rules! t {
    ($id:literal, $name:literal, $cov:expr) => {
        Technique {
            id: $id,
            name: $name,
            coverage: $cov,
        }
    };
}

/// Every technique, in catalog order.
pub const TECHNIQUES: &[Technique] = &[
    // A. IAM principal and policy manipulation
    t!(
        "iam-001",
        "CreatePolicyVersion on a customer-managed policy attached to itself",
        IAM
    ),
    t!("iam-002", "CreateAccessKey for another user", IAMC(KEYS)),
    t!(
        "iam-003",
        "CreateAccessKey and DeleteAccessKey for another user",
        IAM
    ),
    t!(
        "iam-004",
        "CreateLoginProfile for another user",
        IAMC(NO_PASSWORD)
    ),
    t!("iam-005", "PutRolePolicy on its own role", IAM),
    t!(
        "iam-006",
        "UpdateLoginProfile of another user",
        IAMC(PASSWORD)
    ),
    t!("iam-007", "PutUserPolicy on itself", IAM),
    t!("iam-008", "AttachUserPolicy on itself", IAM),
    t!("iam-009", "AttachRolePolicy on its own role", IAM),
    t!("iam-010", "AttachGroupPolicy on its own group", IAM),
    t!("iam-011", "PutGroupPolicy on its own group", IAM),
    t!("iam-012", "UpdateAssumeRolePolicy of a role", IAM),
    t!("iam-013", "AddUserToGroup: itself to a group", IAM),
    t!("iam-014", "AttachRolePolicy on a role it can assume", IAM),
    t!(
        "iam-015",
        "AttachUserPolicy on a user, then CreateAccessKey",
        IAMC(KEYS)
    ),
    t!(
        "iam-016",
        "CreatePolicyVersion of a policy of a role it can assume",
        IAM
    ),
    t!("iam-017", "PutRolePolicy on a role it can assume", IAM),
    t!(
        "iam-018",
        "PutUserPolicy on a user, then CreateAccessKey",
        IAMC(KEYS)
    ),
    t!(
        "iam-019",
        "AttachRolePolicy and UpdateAssumeRolePolicy on a role",
        IAM
    ),
    t!(
        "iam-020",
        "CreatePolicyVersion of a role's policy and UpdateAssumeRolePolicy",
        IAM
    ),
    t!(
        "iam-021",
        "PutRolePolicy and UpdateAssumeRolePolicy on a role",
        IAM
    ),
    t!("iam-022", "DeleteUserPermissionsBoundary on itself", IAM),
    t!(
        "iam-023",
        "DeleteRolePermissionsBoundary on a role it can assume",
        IAM
    ),
    t!("iam-024", "PutUserPermissionsBoundary on itself", IAM),
    t!("iam-025", "DetachUserPolicy of its own Deny policy", IAM),
    t!("iam-026", "DeleteUserPolicy of its own Deny policy", IAM),
    // B. STS and trust
    t!("sts-001", "AssumeRole through a trust policy", ASSUME),
    t!(
        "sts-002",
        "AssumeRole across accounts without sts:ExternalId",
        ASSUME
    ),
    t!("sts-003", "AssumeRole of a role trusting \"*\"", ASSUME),
    t!("sts-004", "UpdateAssumeRolePolicy (as iam-012)", IAM),
    // C. PassRole and a new resource that runs as the role
    t!("apprunner-001", "PassRole to a new App Runner service", IAM),
    t!(
        "bedrock-001",
        "PassRole to a new Bedrock AgentCore code interpreter",
        IAM
    ),
    t!(
        "bedrock-003",
        "PassRole to a new Bedrock AgentCore agent runtime",
        IAM
    ),
    t!(
        "bedrock-005",
        "PassRole to a new Bedrock AgentCore harness",
        IAM
    ),
    t!(
        "bedrock-006",
        "PassRole to a new Bedrock AgentCore browser",
        IAM
    ),
    t!(
        "batch-003",
        "PassRole to a new Batch compute environment and job",
        IAM
    ),
    t!("braket-001", "PassRole to a new Braket job", IAM),
    t!(
        "cloudformation-001",
        "PassRole to a new CloudFormation stack",
        IAM
    ),
    t!(
        "cloudformation-003",
        "PassRole to a new CloudFormation StackSet",
        NO(
            "its execution roles are in the target accounts; StackSet deployments are not in the IAM export"
        )
    ),
    t!(
        "codebuild-001",
        "PassRole to a new CodeBuild project, StartBuild",
        IAM
    ),
    t!(
        "codebuild-004",
        "PassRole to a new CodeBuild project, StartBuildBatch",
        IAM
    ),
    t!(
        "datapipeline-001",
        "PassRole to a new Data Pipeline (closed to new customers)",
        IAM
    ),
    t!("ec2-001", "PassRole to a new EC2 instance", IAM),
    t!("ec2-004", "PassRole to a new EC2 spot instance", IAM),
    t!("ecs-001", "PassRole to a new ECS cluster and service", IAM),
    t!("ecs-002", "PassRole to a new ECS cluster and task", IAM),
    t!("glue-001", "PassRole to a new Glue dev endpoint", IAM),
    t!("glue-003", "PassRole to a new Glue job, StartJobRun", IAM),
    t!("glue-004", "PassRole to a new Glue job, CreateTrigger", IAM),
    t!(
        "glue-007",
        "PassRole to a new Glue interactive session",
        IAM
    ),
    t!(
        "lambda-001",
        "PassRole to a new Lambda function, InvokeFunction",
        IAM
    ),
    t!(
        "lambda-002",
        "PassRole to a new Lambda function, event source mapping",
        IAMC("an event source (a stream or queue) the role can read exists")
    ),
    t!(
        "lambda-006",
        "PassRole to a new Lambda function, AddPermission",
        IAM
    ),
    t!(
        "sagemaker-001",
        "PassRole to a new SageMaker notebook instance",
        IAM
    ),
    t!(
        "sagemaker-002",
        "PassRole to a new SageMaker training job",
        IAM
    ),
    t!(
        "sagemaker-003",
        "PassRole to a new SageMaker processing job",
        IAM
    ),
    t!("ssm-003", "PassRole to a new SSM Automation document", IAM),
    t!(
        "stepfunctions-001",
        "PassRole to a new Step Functions state machine",
        IAM
    ),
    t!(
        "scheduler-001",
        "PassRole to a new EventBridge Scheduler schedule",
        IAM
    ),
    t!("emr-001", "PassRole to a new EMR cluster", IAM),
    t!(
        "emrserverless-001",
        "PassRole to a new EMR Serverless application",
        IAM
    ),
    t!("gamelift-001", "PassRole to a new GameLift fleet", IAM),
    t!(
        "imagebuilder-001",
        "PassRole to a new Image Builder image",
        IAM
    ),
    t!(
        "kinesisanalytics-001",
        "PassRole to a new Kinesis Analytics application",
        IAM
    ),
    t!(
        "omics-001",
        "PassRole to a new HealthOmics workflow run",
        IAM
    ),
    // D. PassRole into existing infrastructure
    t!(
        "batch-001",
        "PassRole to a new Batch job definition on an existing queue",
        ASSUMED("a Batch job queue exists")
    ),
    t!(
        "cloudformation-004",
        "PassRole to an existing CloudFormation StackSet",
        NO(
            "its execution roles are in the target accounts; StackSet deployments are not in the IAM export"
        )
    ),
    t!(
        "ecs-003",
        "PassRole to a new ECS service on an existing cluster",
        ASSUMED("an ECS cluster exists")
    ),
    t!(
        "ecs-004",
        "PassRole to a new ECS task (RunTask) on an existing cluster",
        ASSUMED("an ECS cluster exists")
    ),
    t!(
        "ecs-005",
        "PassRole to a new ECS task (StartTask) on an existing container instance",
        ASSUMED("an ECS cluster with a container instance exists")
    ),
    t!(
        "ecs-007",
        "RegisterContainerInstance from a compromised instance",
        NO("it needs code execution on an EC2 instance, a runtime fact")
    ),
    t!(
        "ecs-008",
        "RunTask overriding an existing task definition's role",
        ASSUMED("an ECS cluster and task definition exist")
    ),
    t!(
        "ecs-009",
        "StartTask overriding an existing task definition's role",
        ASSUMED("an ECS container instance and task definition exist")
    ),
    t!(
        "glue-005",
        "PassRole to an existing Glue job (UpdateJob), StartJobRun",
        ASSUMED("a Glue job exists")
    ),
    t!(
        "glue-006",
        "PassRole to an existing Glue job (UpdateJob), CreateTrigger",
        ASSUMED("a Glue job exists")
    ),
    t!(
        "cognitoidentity-001",
        "PassRole to an identity pool open to unauthenticated callers",
        ASSUMED("a Cognito identity pool that allows unauthenticated identities exists")
    ),
    // E. An existing resource already runs as the role
    t!(
        "apprunner-002",
        "UpdateService of an App Runner service running as the role",
        ASSUMED("an App Runner service runs as the role")
    ),
    t!(
        "bedrock-002",
        "Use a Bedrock AgentCore code interpreter running as the role",
        ASSUMED("a code interpreter runs as the role")
    ),
    t!(
        "bedrock-004",
        "InvokeAgentRuntimeCommand of an agent runtime running as the role",
        ASSUMED("an agent runtime with IAM inbound auth runs as the role")
    ),
    t!(
        "bedrock-007",
        "Use a Bedrock AgentCore browser running as the role",
        ASSUMED("a browser runs as the role")
    ),
    t!(
        "batch-002",
        "SubmitJob overriding the command of a job definition running as the role",
        ASSUMED("a job definition with the role and a job queue exist")
    ),
    t!(
        "cloudformation-002",
        "UpdateStack of a stack whose service role is the role",
        INV("cloudformation describe-stacks")
    ),
    t!(
        "cloudformation-005",
        "CreateChangeSet and ExecuteChangeSet of a stack whose service role is the role",
        INV("cloudformation describe-stacks")
    ),
    t!(
        "codebuild-002",
        "StartBuild of a project running as the role (buildspec override)",
        INV("codebuild batch-get-projects")
    ),
    t!(
        "codebuild-003",
        "StartBuildBatch of a project running as the role",
        INV("codebuild batch-get-projects")
    ),
    t!(
        "codedeploy-001",
        "CreateDeployment to instances running as the role",
        ASSUMED("a deployment group targets instances whose profile holds the role")
    ),
    t!(
        "ec2-002",
        "ModifyInstanceAttribute (user data) of an instance running as the role",
        INV("ec2 describe-instances")
    ),
    t!(
        "ec2-003",
        "SendSSHPublicKey to an instance running as the role",
        INV("ec2 describe-instances")
    ),
    t!(
        "ec2-005",
        "A new launch template version with the role's instance profile",
        ASSUMED("a launch template with the role's instance profile is launched from")
    ),
    t!(
        "ecs-006",
        "ExecuteCommand in a task running as the role",
        ASSUMED("a task with ExecuteCommand enabled runs as the role")
    ),
    t!(
        "glue-002",
        "UpdateDevEndpoint of a dev endpoint running as the role",
        INV("glue get-dev-endpoints")
    ),
    t!(
        "lambda-003",
        "UpdateFunctionCode of a function running as the role",
        INV("lambda list-functions")
    ),
    t!(
        "lambda-004",
        "UpdateFunctionCode and InvokeFunction of a function running as the role",
        INV("lambda list-functions")
    ),
    t!(
        "lambda-005",
        "UpdateFunctionCode and AddPermission of a function running as the role",
        INV("lambda list-functions")
    ),
    t!(
        "sagemaker-004",
        "CreatePresignedNotebookInstanceUrl of a notebook running as the role",
        ASSUMED("a notebook instance runs as the role")
    ),
    t!(
        "sagemaker-005",
        "A lifecycle configuration on a notebook running as the role",
        ASSUMED("a notebook instance runs as the role")
    ),
    t!(
        "ssm-001",
        "StartSession on an instance running as the role",
        INV("ec2 describe-instances")
    ),
    t!(
        "ssm-002",
        "SendCommand to an instance running as the role",
        INV("ec2 describe-instances")
    ),
    t!(
        "stepfunctions-002",
        "UpdateStateMachine of a state machine running as the role",
        ASSUMED("a state machine runs as the role")
    ),
    // F. IAM Identity Center
    t!(
        "sso-001",
        "A new permission set assigned to an account",
        NO("it needs an IAM Identity Center export, which iampath does not read")
    ),
    t!(
        "sso-002",
        "AttachManagedPolicyToPermissionSet of its own permission set",
        NO("it needs an IAM Identity Center export, which iampath does not read")
    ),
    t!(
        "sso-003",
        "PutInlinePolicyToPermissionSet of its own permission set",
        NO("it needs an IAM Identity Center export, which iampath does not read")
    ),
    // G. Techniques not in pathfinding.cloud
    t!(
        "X-00",
        "An administrator already: it may act as any principal of its account",
        IAM
    ),
    t!(
        "X-01",
        "SetDefaultPolicyVersion of a policy attached to itself",
        IAM
    ),
    t!(
        "X-02",
        "UpdateFunctionConfiguration (layer, wrapper) of a function running as the role",
        INV("lambda list-functions")
    ),
    t!(
        "X-03",
        "PassRole to an existing Lambda function (role swap)",
        INV("lambda list-functions")
    ),
    t!(
        "X-04",
        "CreateAutoScalingGroup from a launch configuration with the role's profile",
        ASSUMED("a launch configuration or template with the role's instance profile exists")
    ),
    t!(
        "X-05",
        "PassRole to a new launch configuration and Auto Scaling group",
        IAM
    ),
    t!("X-06", "RunInstances and AssociateIamInstanceProfile", IAM),
    t!(
        "X-07",
        "A new instance profile for the role, RunInstances",
        IAM
    ),
    t!(
        "X-08",
        "CreateRole or CreateUser with an administrator policy",
        IAM
    ),
    t!(
        "X-09",
        "PassRole to an existing CodeBuild project (UpdateProject), StartBuild",
        INV("codebuild batch-get-projects")
    ),
    t!(
        "X-10",
        "PassRole to an existing CloudFormation stack (UpdateStack)",
        INV("cloudformation describe-stacks")
    ),
    t!(
        "X-11",
        "AWS CodeStar projects",
        NO("AWS CodeStar is retired")
    ),
    t!(
        "X-12",
        "A federation trust with a loose sub or aud condition",
        ASSUME
    ),
    t!(
        "X-13",
        "Put or DeleteRolePermissionsBoundary on its own role",
        IAM
    ),
    t!(
        "X-14",
        "Detach or delete its role's or group's Deny policy, or leave the group",
        IAM
    ),
];

/// The technique with this id.
pub fn technique(id: &str) -> Option<&'static Technique> {
    TECHNIQUES.iter().find(|t| t.id == id)
}

impl Coverage {
    /// How the technique is modelled, as the coverage table says it.
    pub fn describe(&self) -> String {
        match self {
            Coverage::Iam => "modelled from the IAM export".to_string(),
            Coverage::IamConditional(fact) => {
                format!("modelled from the IAM export, conditional: {fact}")
            }
            Coverage::Inventory(export) => format!("modelled with inventory: {export}"),
            Coverage::Assumed(what) => {
                format!("modelled, conditional (no inventory shows it): {what}")
            }
            Coverage::AssumeRole => "modelled as assume-role edges".to_string(),
            Coverage::NotModelled(why) => format!("not modelled: {why}"),
        }
    }
}

/// `docs/escalation-coverage.md`: every technique and how it is modelled (a test keeps
/// the file equal to this).
pub fn coverage_markdown() -> String {
    let modelled = TECHNIQUES
        .iter()
        .filter(|t| !matches!(t.coverage, Coverage::NotModelled(_)))
        .count();
    let mut out = format!(
        "# Privilege-escalation coverage\n\nEvery technique iampath knows (pathfinding.cloud ids; `X-nn` are iampath's own), and how it\nis modelled. Generated from `src/graph/escalation/catalog.rs`.\n{} techniques, {modelled} modelled.\n\n\n| id | technique | coverage |\n|---|---|---|\n",
        TECHNIQUES.len()
    );
    for t in TECHNIQUES {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            t.id,
            t.name.replace('|', "\\|"),
            t.coverage.describe().replace('|', "\\|")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_coverage_page_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/escalation-coverage.md");
        let want = coverage_markdown();
        if std::env::var_os("IAMPATH_UPDATE_DOCS").is_some() {
            let _ = std::fs::write(path, &want);
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "docs/escalation-coverage.md is out of date: IAMPATH_UPDATE_DOCS=1 cargo test --lib coverage_page rewrites it"
        );
    }

    #[test]
    fn ids_are_unique_and_most_are_modelled() {
        let mut ids: Vec<&str> = TECHNIQUES.iter().map(|t| t.id).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate technique ids");
        assert_eq!(n, 117);
        let modelled = TECHNIQUES
            .iter()
            .filter(|t| !matches!(t.coverage, Coverage::NotModelled(_)))
            .count();
        assert!(modelled >= 60, "{modelled}");
    }
}
