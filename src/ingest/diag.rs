//! What a load reports about its input: every problem has a stable code, a severity
//! and the span of the input it is about.

use miette::Severity as MietteSeverity;
use thiserror::Error;

use crate::model::{PolicyKind, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A problem found in the input. Messages are lowercase, without a trailing period,
/// and say what was expected and what was found.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Problem {
    // --- files -----------------------------------------------------------------
    #[error("cannot read {what}: {reason}")]
    Unreadable { what: String, reason: String },
    #[error(
        "file is {size} bytes, over the limit of {limit} bytes (raise it with --max-file-size)"
    )]
    TooLarge { size: u64, limit: u64 },
    #[error("file is not valid UTF-8")]
    NotUtf8,
    #[error(
        "file is UTF-16 encoded; convert it to UTF-8 (for example with iconv -f UTF-16 -t UTF-8)"
    )]
    Utf16,
    #[error("file starts with a UTF-8 byte-order mark; ignored")]
    ByteOrderMark,
    #[error("invalid JSON: {0}")]
    Syntax(String),
    #[error("{0}")]
    YamlSyntax(String),
    #[error("symbolic link loop at {0}; not followed")]
    SymlinkLoop(String),
    #[error(
        "folder name `{0}` looks like an account folder but is not a 12-digit account ID; its files take their account from the ARNs inside"
    )]
    AccountFolderName(String),
    #[error("file is not a shape iampath reads ({0}); ignored")]
    UnknownShape(String),
    #[error("{0}")]
    WrongShape(String),
    #[error("{0}")]
    Misplaced(String),
    #[error("{0} more problems in this file are not shown")]
    TooManyProblems(usize),
    #[error("cannot decode the embedded policy: {0}")]
    Decode(String),

    // --- structure ---------------------------------------------------------------
    #[error("expected {expected} for `{key}`, found {found}")]
    WrongType {
        key: String,
        expected: &'static str,
        found: &'static str,
    },
    #[error("duplicate key `{0}`")]
    DuplicateKey(String),
    #[error("unknown key `{key}` in {context}")]
    UnknownKey { key: String, context: &'static str },
    #[error("unknown key `{key}` in {context}; ignored")]
    UnknownExportKey { key: String, context: &'static str },
    #[error("{context} has no `{key}`")]
    MissingKey { key: &'static str, context: String },
    #[error("`{key}` is not a date: `{value}`")]
    BadDate { key: String, value: String },

    // --- policy grammar (decision-rules §8) -----------------------------------------
    #[error("`{0}` is not a policy Version (expected `2012-10-17` or `2008-10-17`)")]
    BadVersion(String),
    #[error(
        "the policy has no Version: policy variables such as ${{aws:username}} are literal text"
    )]
    NoVersion,
    #[error("the policy has no statements")]
    NoStatements,
    #[error("statement {0} has no Effect")]
    NoEffect(String),
    #[error("`{0}` is not an Effect: it is case-sensitive, expected `Allow` or `Deny`")]
    BadEffect(String),
    #[error("statement {0} has neither {1} nor Not{1}")]
    MissingElement(String, &'static str),
    #[error("statement {0} has both {1} and Not{1}")]
    BothElements(String, &'static str),
    #[error("a Principal is not allowed in {0} policies")]
    PrincipalForbidden(PolicyKind),
    #[error("statement {0} has no Principal, which a {1} policy needs")]
    PrincipalMissing(String, PolicyKind),
    #[error("NotPrincipal is only valid with Effect Deny")]
    NotPrincipalAllow,
    #[error(
        "unknown principal type `{0}` (expected AWS, Service, Federated or CanonicalUser); kept as a principal iampath cannot match"
    )]
    UnknownPrincipalType(String),
    #[error("`{0}`: a wildcard in a principal is only valid as the whole value `*`")]
    PartialWildcardPrincipal(String),
    #[error("Sid `{0}` is not alphanumeric, which IAM requires")]
    BadSid(String),
    #[error("empty list: `{0}` matches nothing")]
    EmptyList(String),
    #[error("unknown condition operator `{0}`")]
    UnknownOperator(String),
    #[error(
        "an empty condition key under `{0}`: it names no key of any request, so it tests a key that is always absent"
    )]
    EmptyConditionKey(String),
    #[error("condition value must be a string, number or boolean, found {0}")]
    BadConditionValue(&'static str),
    #[error(
        "the {kind} policy has {size} characters (whitespace not counted), over AWS's limit of {limit}"
    )]
    TooLong {
        kind: &'static str,
        size: usize,
        limit: usize,
    },
    #[error("{0}")]
    ResourceControl(String),

    // --- exports ---------------------------------------------------------------------
    #[error(
        "the export is truncated (IsTruncated: true): it holds only the first page; run the command again without --max-items, or merge all pages"
    )]
    Truncated,
    #[error("`{arn}` belongs to account {found}, but the file is in account {expected}'s folder")]
    AccountMismatch {
        arn: String,
        found: String,
        expected: String,
    },
    #[error("`{0}` is not a well-formed ARN")]
    MalformedArn(String),
    #[error(
        "{owner} attaches `{arn}`, which is not in the export's Policies; its permissions are unknown"
    )]
    UnresolvedPolicy { owner: String, arn: String },
    #[error(
        "{owner} attaches the AWS-managed policy `{arn}`, which neither the export nor iampath's bundled copy holds; its permissions are unknown"
    )]
    UnknownAwsPolicy { owner: String, arn: String },
    #[error(
        "`{name}` is not in the export's Policies; using iampath's bundled copy of the AWS-managed policy (version {version})"
    )]
    BundledPolicy { name: String, version: String },
    #[error(
        "`{name}` is neither in this export's Policies nor in iampath's bundled copy; using the copy from another loaded account's export"
    )]
    OtherExportPolicy { name: String },
    #[error(
        "managed policy `{0}` has no default version in PolicyVersionList; its permissions are unknown"
    )]
    NoDefaultVersion(String),
    #[error("{owner} is in group `{group}`, which the export does not hold")]
    UnknownGroup { owner: String, group: String },
    #[error("`{0}` was already loaded from another file; this copy is ignored")]
    Duplicate(String),
    #[error("the export names no account: no ARN in it carries a 12-digit account ID")]
    NoAccount,

    // --- the action catalog ----------------------------------------------------------
    #[error("`{0}` matches no action in AWS's service reference: it grants nothing (a typo?)")]
    UnknownAction(String),
    #[error("`{0}` is not a service prefix in AWS's service reference")]
    UnknownService(String),

    // --- organizations ---------------------------------------------------------------
    #[error(
        "policy `{0}` is attached in organization.json but organization/policies/ has no file for it"
    )]
    MissingOrgPolicy(String),
    #[error(
        "`{0}` is not a policy type iampath reads (expected SERVICE_CONTROL_POLICY or RESOURCE_CONTROL_POLICY); ignored"
    )]
    OrgPolicyType(String),
    #[error(
        "{node} has no {kind} attached while other levels do: AWS never allows this, so every request is denied at this level"
    )]
    EmptyOrgLevel { node: String, kind: &'static str },

    // --- infrastructure as code ---------------------------------------------------
    #[error(
        "not a Terraform plan: expected the output of `terraform show -json PLANFILE` (an object with format_version and resource_changes)"
    )]
    IacNotAPlan,
    #[error(
        "plan format_version `{0}` is not 1.x; iampath reads plans of format 1 (Terraform 1.x, OpenTofu)"
    )]
    IacFormatVersion(String),
    #[error("the plan says planning failed (errored: true): its changes are incomplete")]
    IacPlanErrored,
    #[error("the plan is incomplete ({0}): changes it defers are not seen")]
    IacPlanIncomplete(String),
    #[error("cannot tell which account the plan's resources are in ({0}); give --account ID")]
    IacAccountUnknown(String),
    #[error("{address}: {what}")]
    IacUnresolved { address: String, what: String },
    #[error(
        "{address}: resource type `{kind}` carries a policy iampath does not place yet; not evaluated"
    )]
    IacUnsupported { address: String, kind: String },
    #[error(
        "not a CloudFormation template: expected an object with Resources (or a cdk.out folder whose manifest.json lists stacks)"
    )]
    IacNotATemplate,
    #[error("cannot tell which account the template's stack is in: {0}")]
    IacTemplateAccount(String),
    #[error(
        "the template uses Transform {0}: iampath reads its resources as written, not as the transform would expand them; give the processed template (`aws cloudformation get-template --template-stage Processed`, `sam build`)"
    )]
    IacTransform(String),
}

impl Problem {
    /// The stable code of the problem, as printed in every output format.
    pub fn code(&self) -> &'static str {
        self.info().0
    }

    pub fn severity(&self) -> Severity {
        self.info().1
    }

    fn info(&self) -> (&'static str, Severity) {
        use Severity::{Error as E, Warning as W};
        match self {
            Problem::Unreadable { .. } => ("unreadable", E),
            Problem::TooLarge { .. } => ("file-too-large", E),
            Problem::NotUtf8 => ("not-utf8", E),
            Problem::Utf16 => ("utf16", E),
            Problem::ByteOrderMark => ("byte-order-mark", W),
            Problem::Syntax(_) => ("json-syntax", E),
            Problem::YamlSyntax(_) => ("yaml-syntax", E),
            Problem::SymlinkLoop(_) => ("symlink-loop", W),
            Problem::AccountFolderName(_) => ("account-folder-name", W),
            Problem::UnknownShape(_) => ("unknown-shape", W),
            Problem::WrongShape(_) => ("wrong-shape", E),
            Problem::Misplaced(_) => ("misplaced-file", E),
            Problem::TooManyProblems(_) => ("too-many-problems", E),
            Problem::Decode(_) => ("embedded-decode", E),
            Problem::WrongType { .. } => ("wrong-type", E),
            Problem::DuplicateKey(_) => ("duplicate-key", E),
            Problem::UnknownKey { .. } => ("unknown-element", E),
            Problem::UnknownExportKey { .. } => ("unknown-key", W),
            Problem::MissingKey { .. } => ("missing-key", E),
            Problem::BadDate { .. } => ("bad-date", W),
            Problem::BadVersion(_) => ("policy-version", E),
            Problem::NoVersion => ("policy-no-version", W),
            Problem::NoStatements => ("policy-no-statements", W),
            Problem::NoEffect(_) => ("statement-no-effect", E),
            Problem::BadEffect(_) => ("statement-effect", E),
            Problem::MissingElement(..) => ("statement-missing-element", E),
            Problem::BothElements(..) => ("statement-both-elements", E),
            Problem::PrincipalForbidden(_) => ("principal-forbidden", E),
            Problem::PrincipalMissing(..) => ("principal-missing", E),
            Problem::NotPrincipalAllow => ("notprincipal-allow", E),
            Problem::UnknownPrincipalType(_) => ("principal-type", E),
            Problem::PartialWildcardPrincipal(_) => ("principal-wildcard", E),
            Problem::BadSid(_) => ("statement-sid", W),
            Problem::EmptyList(_) => ("empty-list", W),
            Problem::UnknownOperator(_) => ("condition-operator", E),
            Problem::BadConditionValue(_) => ("condition-value", E),
            Problem::EmptyConditionKey(_) => ("condition-key", E),
            Problem::TooLong { .. } => ("policy-size", W),
            Problem::ResourceControl(_) => ("rcp-grammar", E),
            Problem::Truncated => ("export-truncated", W),
            Problem::AccountMismatch { .. } => ("account-mismatch", E),
            Problem::MalformedArn(_) => ("malformed-arn", W),
            Problem::UnresolvedPolicy { .. } => ("unresolved-policy", E),
            Problem::UnknownAwsPolicy { .. } => ("unknown-aws-policy", E),
            Problem::BundledPolicy { .. } => ("bundled-policy", W),
            Problem::OtherExportPolicy { .. } => ("other-export-policy", W),
            Problem::NoDefaultVersion(_) => ("no-default-version", E),
            Problem::UnknownGroup { .. } => ("unknown-group", W),
            Problem::Duplicate(_) => ("duplicate-entity", W),
            Problem::NoAccount => ("no-account", E),
            Problem::UnknownAction(_) => ("unknown-action", W),
            Problem::UnknownService(_) => ("unknown-service", W),
            Problem::MissingOrgPolicy(_) => ("org-missing-policy", E),
            Problem::OrgPolicyType(_) => ("org-policy-type", W),
            Problem::EmptyOrgLevel { .. } => ("org-empty-level", W),
            Problem::IacNotAPlan => ("iac-not-a-plan", E),
            Problem::IacFormatVersion(_) => ("iac-format-version", E),
            Problem::IacPlanErrored => ("iac-plan-errored", E),
            Problem::IacPlanIncomplete(_) => ("iac-plan-incomplete", W),
            Problem::IacAccountUnknown(_) => ("iac-account-unknown", E),
            Problem::IacUnresolved { .. } => ("iac-unresolved", W),
            Problem::IacUnsupported { .. } => ("iac-unsupported-type", W),
            Problem::IacNotATemplate => ("iac-not-a-template", E),
            Problem::IacTemplateAccount(_) => ("iac-account-unknown", E),
            Problem::IacTransform(_) => ("iac-transform-unsupported", E),
        }
    }
}

/// A problem at a place in a loaded file.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{problem}")]
pub struct Diagnostic {
    pub problem: Problem,
    pub span: Span,
    /// A second place worth showing (the first occurrence of a duplicate key).
    pub related: Option<Span>,
}

impl Diagnostic {
    pub fn new(problem: Problem, span: Span) -> Self {
        Diagnostic {
            problem,
            span,
            related: None,
        }
    }

    pub fn severity(&self) -> Severity {
        self.problem.severity()
    }

    pub fn code(&self) -> &'static str {
        self.problem.code()
    }
}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.problem.code()))
    }

    fn severity(&self) -> Option<MietteSeverity> {
        Some(match self.problem.severity() {
            Severity::Warning => MietteSeverity::Warning,
            Severity::Error => MietteSeverity::Error,
        })
    }
}
