//! Command-line definitions (clap) only: what the user can type.

use std::path::PathBuf;

use clap::builder::TypedValueParser as _;
use clap::{Parser, Subcommand, ValueEnum};

/// iampath: offline access-path analyzer and linter for AWS IAM.
#[derive(Debug, Parser)]
#[command(name = "iampath", version, about, long_about = None)]
pub struct Cli {
    /// A data folder or file: account folders, exports, organization data (repeatable).
    #[arg(long = "data", global = true, value_name = "PATH")]
    pub data: Vec<PathBuf>,

    /// A Terraform (or OpenTofu) plan as `terraform show -json PLANFILE` prints it,
    /// applied to the data (repeatable): every command sees the world after the change.
    #[arg(long = "plan", global = true, value_name = "FILE")]
    pub plan: Vec<PathBuf>,

    /// A CloudFormation template (JSON or YAML) or a CDK `cdk.out` folder, as a
    /// proposed change (repeatable). `FILE=ACCOUNT` or `FILE=ACCOUNT/REGION` says where
    /// it is deployed (a `cdk.out` manifest names it for each stack).
    #[arg(
        long = "template",
        global = true,
        value_name = "FILE[=ACCOUNT[/REGION]]"
    )]
    pub template: Vec<String>,

    /// A template parameter value, `KEY=VALUE`, or a parameters file
    /// (`{"Parameters": {…}}`, `[{"ParameterKey", "ParameterValue"}]` or `["K=V"]`).
    #[arg(long = "parameters", global = true, value_name = "KEY=VALUE|FILE")]
    pub parameters: Vec<String>,

    /// An account: the one of plan resources whose plan does not name one, and for
    /// `graph`, the account whose edges are drawn.
    #[arg(long = "account", global = true, value_name = "ID")]
    pub account: Option<String>,

    /// The Terraform root module the plans were made from: findings about plan objects
    /// point at its `.tf` lines (modules through `.terraform/modules/modules.json`).
    #[arg(
        long = "tf-source",
        global = true,
        value_name = "DIR",
        requires = "plan"
    )]
    pub tf_source: Option<PathBuf>,

    /// Output format.
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// When to color the output (NO_COLOR is honoured with `auto`).
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    pub color: Color,

    /// Fix a condition key for the evaluation (repeatable), e.g. aws:MultiFactorAuthPresent=true.
    #[arg(long = "context", global = true, value_name = "KEY=VALUE")]
    pub context: Vec<String>,

    /// Deepest JSON nesting accepted in an input file (at most 100000).
    #[arg(long, global = true, value_name = "N", default_value_t = crate::source::json::DEFAULT_MAX_DEPTH,
          value_parser = clap::value_parser!(u32).range(1..=crate::source::json::MAX_DEPTH_CEILING as i64).map(|n| n as usize))]
    pub max_depth: usize,

    /// Largest input file read, in bytes.
    #[arg(long, global = true, value_name = "BYTES", default_value_t = 512 * 1024 * 1024)]
    pub max_file_size: u64,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load and validate the data: an inventory per account, then every diagnostic.
    Load,
    /// Can PRINCIPAL perform ACTION on RESOURCE, by which paths, and if not, why not.
    Can {
        /// The principal asking: a user or role ARN, an assumed-role session ARN
        /// (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION), `*` for anonymous callers,
        /// or a service principal such as ec2.amazonaws.com.
        principal: String,
        /// The action, `service:Name` as AWS's service reference spells it
        /// (s3:GetObject); wildcards (iam:Create*) are accepted.
        action: String,
        /// The resource's ARN (arn:aws:s3:::bucket/key); `*` only for actions that take
        /// no resource (s3:ListAllMyBuckets).
        resource: String,
        /// Longest chain of role assumptions followed.
        #[arg(long, default_value_t = 5)]
        max_hops: usize,
        /// Most paths reported.
        #[arg(long, default_value_t = 10)]
        max_paths: usize,
    },
    /// Every principal that can perform ACTION on RESOURCE, each with its path.
    WhoCan {
        /// The action, `service:Name` (s3:GetObject); wildcards are accepted.
        action: String,
        /// The resource's ARN; `*` only for actions that take no resource.
        resource: String,
    },
    /// The roles PRINCIPAL reaches and what each grants, by service and access level.
    WhatCan {
        /// A user or role ARN, an assumed-role session ARN, `*` or a service principal.
        principal: String,
        /// Longest chain of role assumptions followed.
        #[arg(long, default_value_t = 5)]
        max_hops: usize,
        /// List every allowed action by name, not only the counts per service.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Every access path that crosses an account boundary (role assumptions and
    /// resource-policy grants), by source → target.
    Paths {
        /// Only paths from this account.
        #[arg(long)]
        from: Option<String>,
        /// Only paths into this account.
        #[arg(long)]
        to: Option<String>,
    },
    /// The principal graph as DOT or Mermaid (`--format dot|mermaid`).
    /// With `--account ID`, only the edges that touch that account.
    Graph {
        /// Only the part of the graph connected to this principal.
        #[arg(long)]
        principal: Option<String>,
    },
    /// Every principal that is not an administrator but can become one (or reach ARN)
    /// by privilege escalation, each with its shortest path.
    Escalations {
        /// `admin` (any administrator), or the ARN of a principal to reach.
        #[arg(long, default_value = "admin", value_name = "admin|ARN")]
        to: String,
    },
    /// Run the rule catalog over the data.
    Lint {
        /// Exit 1 when a finding at or above this severity remains.
        #[arg(long, default_value = "high", value_parser = ["critical", "high", "medium", "low", "info"])]
        fail_on: String,
        /// Configuration file (default: ./iampath.toml when it exists).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Report only findings that are not in this baseline.
        #[arg(long)]
        baseline: Option<PathBuf>,
        /// Write today's findings as the baseline.
        #[arg(long)]
        write_baseline: Option<PathBuf>,
    },
    /// New and removed access paths and findings between two snapshots; without
    /// them, between --data alone and --data with the --plan changes applied.
    Diff {
        /// The data before the change (a folder of account folders, or a file).
        #[arg(requires = "after")]
        before: Option<PathBuf>,
        /// The data after the change.
        after: Option<PathBuf>,
        /// Exit 1 when something new is at or above this severity.
        #[arg(long, default_value = "high", value_parser = ["critical", "high", "medium", "low", "info"])]
        fail_on: String,
        /// Configuration file (default: ./iampath.toml when it exists).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// A self-contained HTML report for a security review: escalation and
    /// cross-account paths drawn, findings by severity, an inventory per account.
    Report {
        /// Write the page to this file (default: standard output).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Configuration file for the findings (default: ./iampath.toml when it exists).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// List the lint rules.
    Rules,
    /// Print a rule's documentation.
    Explain {
        /// A rule ID, as `iampath rules` lists them (e.g. trust-account-root).
        rule: String,
    },
    /// Decide one request against the policies in a request file.
    Simulate {
        /// The request file (see the README).
        request: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    /// Graphviz, for `graph`.
    Dot,
    /// Mermaid flowchart, for `graph`.
    Mermaid,
    /// SARIF 2.1.0, for `lint`, `diff` and `escalations`.
    Sarif,
    /// GitHub Actions workflow commands, for `lint` and `diff`.
    Github,
}

impl Format {
    /// The name as typed after `--format`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Dot => "dot",
            Format::Mermaid => "mermaid",
            Format::Sarif => "sarif",
            Format::Github => "github",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}
