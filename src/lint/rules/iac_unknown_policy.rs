//! `iac-unknown-policy`: a policy of a proposed change that iampath could not read,
//! because its text is known only after apply.

use crate::lint::{Context, Finding, Rule, RuleMeta, Severity};

pub struct IacUnknownPolicy;

static META: RuleMeta = RuleMeta {
    id: "iac-unknown-policy",
    severity: Severity::High,
    summary: "a policy of a Terraform plan that is known only after apply: what it grants is not checked",
    doc: DOC,
};

const DOC: &str = r#"A Terraform plan shows some values as "known after apply". A policy built by a `data "aws_iam_policy_document"` that Terraform reads only at apply is rebuilt from the statements the plan shows (unknown parts make the statement conditional); but a policy set with `jsonencode` from an attribute of a resource the same plan creates, or a document merging others through `source_policy_documents`, has no text in the plan at all. iampath cannot tell what such a policy grants, so it cannot say the change is safe: the finding is high, and a CI gate fails on it instead of passing on a policy nobody read. The message names the resource, the attribute and why the value is unknown. Other policies of the same user, role or resource are still evaluated.

Fix it by making the policy known at plan time: build it with a `data "aws_iam_policy_document"`, or from values the configuration knows (names instead of the IDs or ARNs of resources created in the same plan, or ARNs written with `${data.aws_caller_identity.current.account_id}`), or plan in two steps (create the referenced resource first).

Bad:

```hcl
resource "aws_iam_role" "deploy" {
  name               = "deploy"
  # the provider's ARN exists only after apply, and jsonencode hides the whole text
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
    }]
  })
}
```

Good:

```hcl
resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }
    }]
  })
}
```"#;

impl Rule for IacUnknownPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context, out: &mut Vec<Finding>) {
        for u in &cx.model.unknown_policies {
            out.push(
                META.finding(u.subject.clone())
                    .account(Some(&u.account))
                    .at(u.span)
                    .message(format!(
                        "{}: the {} is known only after apply ({}): what it grants is not checked",
                        u.address, u.attribute, u.reason
                    ))
                    .build(),
            );
        }
    }
}
