//! Accounts and what they hold: users, groups, roles, managed policies, resources.

use std::collections::BTreeMap;

use super::{Policy, Span, Spanned};

/// One AWS account as loaded from its folder (or from the ARNs of a loose export).
#[derive(Debug, Clone, Default)]
pub struct Account {
    /// The 12-digit account ID.
    pub id: String,
    /// From the folder name `111111111111-alias`.
    pub alias: Option<String>,
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub roles: Vec<Role>,
    /// Managed policies by ARN: the account's own and the AWS-managed ones it uses.
    pub managed_policies: BTreeMap<String, ManagedPolicy>,
    pub resources: Vec<Resource>,
    /// Buckets named by a `list-buckets` output in this account's `s3/` folder.
    pub listed_buckets: Vec<Spanned<String>>,
    /// Resources that run as a role, from the inventory exports (`lambda list-functions`,
    /// `ec2 describe-instances`, …).
    pub inventory: Vec<InventoryItem>,
    /// The kinds whose inventory export was loaded: for them, the list is complete.
    pub inventoried: std::collections::BTreeSet<InventoryKind>,
    /// True when an export said `IsTruncated: true`.
    pub truncated: bool,
}

impl Account {
    pub fn new(id: &str, alias: Option<String>) -> Self {
        Account {
            id: id.to_string(),
            alias,
            ..Account::default()
        }
    }

    /// Customer-managed policies of this account (not AWS-managed ones).
    pub fn own_policies(&self) -> impl Iterator<Item = &ManagedPolicy> {
        self.managed_policies.values().filter(|p| !p.aws_managed)
    }

    /// Resource-policy counts per service, for the inventory.
    pub fn resource_counts(&self) -> BTreeMap<&str, usize> {
        let mut counts = BTreeMap::new();
        for r in &self.resources {
            if r.policy.is_some() {
                *counts.entry(r.service.as_str()).or_insert(0) += 1;
            }
        }
        counts
    }
}

/// Tag key and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// An inline policy: its name and document (`None` when the document was unreadable;
/// the load reported it).
#[derive(Debug, Clone)]
pub struct InlinePolicy {
    pub name: Spanned<String>,
    pub document: Option<Policy>,
}

/// A reference to a managed policy (attachment or permissions boundary).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRef {
    pub arn: Spanned<String>,
    pub name: Option<String>,
}

#[derive(Debug, Clone)]
pub struct User {
    pub arn: Spanned<String>,
    pub name: String,
    pub path: String,
    /// The unique ID (`AIDA…`).
    pub id: String,
    pub create_date: Option<String>,
    pub tags: Vec<Tag>,
    pub inline: Vec<InlinePolicy>,
    pub attached: Vec<PolicyRef>,
    /// Group names, as `GroupList` gives them.
    pub groups: Vec<Spanned<String>>,
    pub boundary: Option<PolicyRef>,
    /// The whole entry in the export.
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub arn: Spanned<String>,
    pub name: String,
    pub path: String,
    pub id: String,
    pub inline: Vec<InlinePolicy>,
    pub attached: Vec<PolicyRef>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Role {
    pub arn: Spanned<String>,
    pub name: String,
    pub path: String,
    /// The unique ID (`AROA…`).
    pub id: String,
    pub create_date: Option<String>,
    /// `None` when the trust policy was missing or unreadable (reported).
    pub trust: Option<Policy>,
    pub tags: Vec<Tag>,
    pub inline: Vec<InlinePolicy>,
    pub attached: Vec<PolicyRef>,
    pub boundary: Option<PolicyRef>,
    /// Instance profile ARNs.
    pub instance_profiles: Vec<String>,
    /// `RoleLastUsed.LastUsedDate`, when the export has it.
    pub last_used: Option<String>,
    pub span: Span,
}

impl Role {
    /// Service-linked roles live under `/aws-service-role/`.
    pub fn is_service_linked(&self) -> bool {
        self.path.starts_with("/aws-service-role/")
    }
}

/// Where a managed policy's document came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyOrigin {
    /// The export's `Policies` list.
    Export,
    /// iampath's bundled copy of AWS-managed policies (the export did not carry it).
    Bundled,
}

#[derive(Debug, Clone)]
pub struct ManagedPolicy {
    pub arn: String,
    pub name: String,
    pub path: String,
    /// The unique ID (`ANPA…`), when known.
    pub id: Option<String>,
    pub default_version: Option<String>,
    /// The default version's document; `None` when the export has no readable
    /// default version (reported).
    pub document: Option<Policy>,
    /// The other versions of a customer-managed policy (any of them can be made the
    /// default by whoever may `iam:SetDefaultPolicyVersion`).
    pub other_versions: Vec<PolicyVersion>,
    /// How many versions the policy has (at most 5; a sixth needs one deleted).
    pub version_count: usize,
    pub aws_managed: bool,
    pub origin: PolicyOrigin,
    /// Where the policy is defined in the export (`None` for bundled copies).
    pub span: Option<Span>,
}

/// A kind of resource that runs code as a role, read from an inventory export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InventoryKind {
    /// `aws lambda list-functions`.
    Function,
    /// `aws ec2 describe-instances`.
    Instance,
    /// `aws cloudformation describe-stacks`.
    Stack,
    /// `aws codebuild batch-get-projects`.
    Project,
    /// `aws glue get-dev-endpoints`.
    DevEndpoint,
}

impl InventoryKind {
    /// The export that lists this kind.
    pub fn export(self) -> &'static str {
        match self {
            InventoryKind::Function => "lambda list-functions",
            InventoryKind::Instance => "ec2 describe-instances",
            InventoryKind::Stack => "cloudformation describe-stacks",
            InventoryKind::Project => "codebuild batch-get-projects",
            InventoryKind::DevEndpoint => "glue get-dev-endpoints",
        }
    }

    /// One of them, as people say it (with its article).
    pub fn noun(self) -> &'static str {
        match self {
            InventoryKind::Function => "a Lambda function",
            InventoryKind::Instance => "an EC2 instance",
            InventoryKind::Stack => "a CloudFormation stack",
            InventoryKind::Project => "a CodeBuild project",
            InventoryKind::DevEndpoint => "a Glue dev endpoint",
        }
    }
}

/// A resource of an inventory export and the role it runs as.
#[derive(Debug, Clone)]
pub struct InventoryItem {
    pub kind: InventoryKind,
    pub arn: String,
    pub name: String,
    /// The role it runs as; for an instance, resolved from its instance profile.
    pub role: Option<String>,
    /// An instance's profile ARN.
    pub instance_profile: Option<String>,
    /// `running`, `CREATE_COMPLETE` …, when the export says.
    pub state: Option<String>,
    pub tags: Vec<Tag>,
    pub span: Span,
}

/// A version of a managed policy that is not its default.
#[derive(Debug, Clone)]
pub struct PolicyVersion {
    pub id: String,
    pub document: Policy,
}

/// Services whose resource policies iampath reads from `<service>/` folders.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceService {
    S3,
    Sqs,
    Sns,
    Lambda,
    Kms,
    SecretsManager,
    Ecr,
    /// Any other folder name: a bare policy document for a service iampath has no
    /// special shape for.
    Other(String),
}

impl ResourceService {
    pub fn from_folder(name: &str) -> Self {
        match name.to_ascii_lowercase().as_str() {
            "s3" => ResourceService::S3,
            "sqs" => ResourceService::Sqs,
            "sns" => ResourceService::Sns,
            "lambda" => ResourceService::Lambda,
            "kms" => ResourceService::Kms,
            "secretsmanager" => ResourceService::SecretsManager,
            "ecr" => ResourceService::Ecr,
            other => ResourceService::Other(other.to_string()),
        }
    }

    /// The service prefix in ARNs and in the inventory.
    pub fn as_str(&self) -> &str {
        match self {
            ResourceService::S3 => "s3",
            ResourceService::Sqs => "sqs",
            ResourceService::Sns => "sns",
            ResourceService::Lambda => "lambda",
            ResourceService::Kms => "kms",
            ResourceService::SecretsManager => "secretsmanager",
            ResourceService::Ecr => "ecr",
            ResourceService::Other(s) => s,
        }
    }
}

/// A resource that has (or was exported without) a resource-based policy.
#[derive(Debug, Clone)]
pub struct Resource {
    pub arn: String,
    pub service: ResourceService,
    /// The short name (bucket, queue, function, …).
    pub name: String,
    /// `None`: the export carries no policy (a secret without a resource policy).
    pub policy: Option<Policy>,
    /// The file the resource was read from (start of the file).
    pub span: Span,
}
