//! `trust-service-no-source`: a service principal trusted without `aws:SourceArn` or
//! `aws:SourceAccount`, for services that act on behalf of a resource.

use crate::lint::{Context, Finding, PolicySite, Rule, RuleMeta, Severity, Sites};
use crate::model::{PrincipalKind, Statement};

use super::util::{admitted, has_condition_key};

pub struct TrustServiceNoSource;

static META: RuleMeta = RuleMeta {
    id: "trust-service-no-source",
    severity: Severity::Medium,
    summary: "a trust policy admits a service principal without `aws:SourceArn`/`aws:SourceAccount`",
    doc: DOC,
};

const DOC: &str = r#"A role's trust policy admits an AWS service principal without an `aws:SourceArn`, `aws:SourceAccount`, `aws:SourceOrgID` or `aws:SourceOrgPaths` condition. Services that assume a role on behalf of a resource (a topic, a trail, a rule, a delivery stream) set these keys to the resource that triggered them; without the condition, the service can be made to use this role for a resource in another customer's account (cross-service confused deputy). Only services known to assume roles on behalf of a resource and to set the keys are checked: `sns`, `s3`, `cloudtrail`, `events`, `scheduler`, `pipes`, `config`, `logs` (and regional `logs.<region>`), `delivery.logs`, `vpc-flow-logs`, `apigateway`, `backup`, `firehose`, `states`, `datasync`, `dms`, `transfer`, `ses`, `appsync`, `bedrock`, `monitoring.rds`, `iot`, `ssm`, `cognito-idp` and `grafana` (`<name>.amazonaws.com`). Service-linked roles (path `/aws-service-role/`) are not findings: AWS writes their trust policies and nobody can change them. Compute services that assume the role as the workload itself (`ec2`, `lambda`, `ecs-tasks`, `edgelambda`, `eks`, `eks-fargate-pods`, `codebuild`, `glue`, `sagemaker`, `batch` …) are not findings.

Bad:

```json
{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sts:AssumeRole"}
```

Good:

```json
{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sts:AssumeRole",
 "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"},
               "ArnLike": {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:alerts"}}}
```"#;

/// Services that assume roles on behalf of a resource and set the source keys.
const SOURCE_SERVICES: &[&str] = &[
    "sns",
    "s3",
    "cloudtrail",
    "events",
    "scheduler",
    "pipes",
    "config",
    "logs",
    "delivery.logs",
    "vpc-flow-logs",
    "apigateway",
    "backup",
    "firehose",
    "states",
    "datasync",
    "dms",
    "transfer",
    "ses",
    "appsync",
    "bedrock",
    "monitoring.rds",
    "iot",
    "ssm",
    "cognito-idp",
    "grafana",
];

const SOURCE_KEYS: &[&str] = &[
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
];

/// True when the service principal is one of [`SOURCE_SERVICES`].
fn checked(service: &str) -> bool {
    let lower = service.to_ascii_lowercase();
    let Some(name) = lower
        .strip_suffix(".amazonaws.com")
        .or_else(|| lower.strip_suffix(".amazonaws.com.cn"))
    else {
        return false;
    };
    SOURCE_SERVICES.contains(&name)
        || name
            .strip_prefix("logs.")
            .is_some_and(|region| !region.is_empty() && !region.contains('.'))
}

impl Rule for TrustServiceNoSource {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn sites(&self) -> Sites {
        Sites::TRUST
    }

    fn check_statement(
        &self,
        _cx: &Context,
        site: &PolicySite,
        st: &Statement,
        out: &mut Vec<Finding>,
    ) {
        // A service-linked role's trust policy is written by AWS and nobody can edit it.
        if site.subject.contains(":role/aws-service-role/") || has_condition_key(st, SOURCE_KEYS) {
            return;
        }
        for e in admitted(st) {
            if e.kind != PrincipalKind::Service || !checked(&e.value.value) {
                continue;
            }
            let message = format!(
                "the trust policy of `{}` admits the service `{}` without an aws:SourceArn or aws:SourceAccount condition: the service can be made to use the role for another account's resources (confused deputy)",
                site.subject, e.value.value
            );
            out.push(
                META.finding_in(site, st)
                    .at(e.value.span)
                    .message(message)
                    .build(),
            );
        }
    }
}
