//! What a query is asked about, checked before it is answered: a mistake in a
//! principal, an action or a resource is an error with a hint, never an answer (in CI a
//! "denied" for a typo would read as a verdict).

use crate::catalog;
use crate::catalog::suggest::{actions_named, suggest_action, suggest_service};
use crate::eval::PrincipalError;
use crate::policy::arn::Arn;

/// Why a query cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum QueryError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Principal(#[from] PrincipalError),
    #[error("`{principal}` is not in the loaded data")]
    #[diagnostic(
        code(iampath::query::principal),
        help(
            "load its account's export with --data; principals of the loaded accounts are listed by `iampath load`"
        )
    )]
    PrincipalNotLoaded { principal: String },
    #[error("`{action}` is not an action: an action is `service:Name`")]
    #[diagnostic(code(iampath::query::action), help("{help}"))]
    ActionWithoutService { action: String, help: String },
    #[error("`{service}` is not a service prefix in AWS's service reference")]
    #[diagnostic(code(iampath::query::action), help("{help}"))]
    UnknownService {
        action: String,
        service: String,
        help: String,
    },
    #[error("`{action}` is not an action in AWS's service reference")]
    #[diagnostic(code(iampath::query::action), help("{help}"))]
    UnknownAction { action: String, help: String },
    #[error("`{resource}` is not an ARN")]
    #[diagnostic(
        code(iampath::query::resource),
        help(
            "a resource is arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, e.g. arn:aws:s3:::my-bucket/key, arn:aws:iam::123456789012:role/Name, arn:aws:sqs:us-east-1:123456789012:queue"
        )
    )]
    NotAnArn { resource: String },
    #[error("`*` is not one resource: {action} acts on specific resources")]
    #[diagnostic(
        code(iampath::query::resource),
        help(
            "ask about one resource by its ARN{example}; `*` is accepted only for actions that take no resource (e.g. s3:ListAllMyBuckets)"
        )
    )]
    StarResource { action: String, example: String },
}

/// Checks an action as a query names it: `service:Name` with a service and an action
/// of AWS's service reference, or a wildcard pattern that matches some action.
pub fn check_action(action: &str) -> Result<(), QueryError> {
    if action == "*" {
        return Ok(());
    }
    let Some((prefix, name)) = action.split_once(':') else {
        let named = actions_named(action);
        let help = match named.as_slice() {
            [] => "write the service prefix and the action, e.g. s3:GetObject".to_string(),
            [one] => format!("did you mean `{one}`?"),
            many => format!("did you mean one of {}?", some(many)),
        };
        return Err(QueryError::ActionWithoutService {
            action: action.to_string(),
            help,
        });
    };
    let wildcard = action.contains(['*', '?']);
    if !prefix.contains(['*', '?']) && catalog::service(prefix).is_none() {
        let help = match suggest_service(prefix) {
            Some(s) => format!("did you mean `{s}:{name}`?"),
            None => {
                "`iampath` knows the services of AWS's service authorization reference".to_string()
            }
        };
        return Err(QueryError::UnknownService {
            action: action.to_string(),
            service: prefix.to_string(),
            help,
        });
    }
    if catalog::expand_action_pattern(action).is_empty() {
        let help = match (wildcard, suggest_action(prefix, name)) {
            (false, Some(s)) => format!("did you mean `{s}`?"),
            (true, _) => "the pattern matches no action of the service".to_string(),
            (false, None) => format!("`{prefix}` has no action `{name}`; a typo grants nothing"),
        };
        return Err(QueryError::UnknownAction {
            action: action.to_string(),
            help,
        });
    }
    Ok(())
}

/// Checks a resource as a query names it: an ARN, or `*` for actions that take no
/// resource (every action the pattern matches accepts only `*`).
pub fn check_resource(action: &str, resource: &str) -> Result<(), QueryError> {
    if resource == "*" {
        let actions = catalog::expand_action_pattern(action);
        if actions.iter().all(|a| a.accepts_only_star()) {
            return Ok(());
        }
        let example = actions
            .iter()
            .flat_map(|a| &a.resource_types)
            .find_map(|r| {
                let service = actions.first().map(|a| a.service.as_str())?;
                catalog::resource_type(service, &r.resource_type)?
                    .arn_formats
                    .first()
                    .cloned()
            })
            .map(|f| format!(" ({action} takes {f})"))
            .unwrap_or_default();
        return Err(QueryError::StarResource {
            action: action.to_string(),
            example,
        });
    }
    if Arn::parse(resource).is_none() {
        return Err(QueryError::NotAnArn {
            resource: resource.to_string(),
        });
    }
    Ok(())
}

fn some(items: &[String]) -> String {
    let shown: Vec<String> = items.iter().take(4).map(|i| format!("`{i}`")).collect();
    let more = items.len().saturating_sub(4);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_checked_against_the_catalog() {
        assert!(check_action("s3:GetObject").is_ok());
        assert!(check_action("S3:getobject").is_ok());
        assert!(check_action("iam:Create*").is_ok());
        assert!(check_action("*").is_ok());
        match check_action("CreateAccessKey") {
            Err(QueryError::ActionWithoutService { help, .. }) => {
                assert!(help.contains("iam:CreateAccessKey"), "{help}")
            }
            other => panic!("{other:?}"),
        }
        match check_action("iam:CreateAccesKey") {
            Err(QueryError::UnknownAction { help, .. }) => {
                assert!(help.contains("iam:CreateAccessKey"), "{help}")
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            check_action("iamm:CreateUser"),
            Err(QueryError::UnknownService { .. })
        ));
        assert!(matches!(
            check_action("iam:Zork*"),
            Err(QueryError::UnknownAction { .. })
        ));
    }

    #[test]
    fn resources_are_arns_or_star_for_actions_without_resources() {
        assert!(check_resource("s3:GetObject", "arn:aws:s3:::b/k").is_ok());
        assert!(matches!(
            check_resource("s3:GetObject", "s3://b/k"),
            Err(QueryError::NotAnArn { .. })
        ));
        assert!(check_resource("s3:ListAllMyBuckets", "*").is_ok());
        match check_resource("s3:GetObject", "*") {
            Err(QueryError::StarResource { example, .. }) => {
                assert!(example.contains("arn:"), "{example}")
            }
            other => panic!("{other:?}"),
        }
    }
}
