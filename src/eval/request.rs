//! Who is asking: the caller of a request, parsed from its ARN or name (decision-rules §2).

use crate::model::is_account_id;
use crate::policy::arn::Arn;

/// Why a text is not a principal iampath can ask about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
pub enum PrincipalError {
    #[error("`{0}` is not a principal")]
    #[diagnostic(
        code(iampath::principal),
        help(
            "give a user or role ARN (arn:aws:iam::123456789012:user/alice), an assumed-role session ARN (arn:aws:sts::123456789012:assumed-role/ROLE/SESSION), `*` for anonymous callers, or a service such as ec2.amazonaws.com"
        )
    )]
    NotAPrincipal(String),
    #[error("`{0}` does not name a 12-digit account")]
    #[diagnostic(code(iampath::principal))]
    NoAccount(String),
    #[error("`{0}` is not an assumed-role session ARN")]
    #[diagnostic(
        code(iampath::principal),
        help("an assumed-role ARN is arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION")
    )]
    BadSession(String),
    #[error("`{0}` is not a principal ARN")]
    #[diagnostic(
        code(iampath::principal),
        help(
            "a principal ARN names a user, role, assumed-role session, federated user or the account root"
        )
    )]
    NotAPrincipalArn(String),
}

/// The principal making a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// An IAM user.
    User { arn: String, account: String },
    /// A session of an IAM role. `role_arn` is `arn:aws:iam::A:role/NAME` (with its
    /// path when known); `session_arn` is the `assumed-role` ARN when known.
    RoleSession {
        role_arn: String,
        role_name: String,
        account: String,
        session_arn: Option<String>,
    },
    /// The account's root user.
    Root { account: String },
    /// An STS federated user (`arn:aws:sts::A:federated-user/NAME`).
    FederatedUser { arn: String, account: String },
    /// An unauthenticated caller (`*`).
    Anonymous,
    /// A service principal (`ec2.amazonaws.com`).
    Service(String),
    /// A federated identity provider (OIDC/SAML provider ARN, `cognito-identity.amazonaws.com`).
    Federated(String),
}

impl Caller {
    /// Parses a principal as `simulate` and the queries accept it.
    pub fn parse(text: &str) -> Result<Caller, PrincipalError> {
        let text = text.trim();
        if text == "*" || text.eq_ignore_ascii_case("anonymous") {
            return Ok(Caller::Anonymous);
        }
        let Some(arn) = Arn::parse(text) else {
            if text.ends_with(".amazonaws.com") || text.ends_with(".amazonaws.com.cn") {
                if text == "cognito-identity.amazonaws.com" {
                    return Ok(Caller::Federated(text.to_string()));
                }
                return Ok(Caller::Service(text.to_string()));
            }
            if text.contains('.') {
                return Ok(Caller::Federated(text.to_string()));
            }
            return Err(PrincipalError::NotAPrincipal(text.to_string()));
        };
        if !is_account_id(arn.account) {
            return Err(PrincipalError::NoAccount(text.to_string()));
        }
        let account = arn.account.to_string();
        let (kind, rest) = arn.resource_type_and_name();
        match (arn.service, kind) {
            ("iam", "root") | ("iam", "") if arn.resource == "root" => Ok(Caller::Root { account }),
            ("iam", "user") => Ok(Caller::User {
                arn: text.to_string(),
                account,
            }),
            ("iam", "role") => Ok(Caller::RoleSession {
                role_name: arn.resource_name().to_string(),
                role_arn: text.to_string(),
                account,
                session_arn: None,
            }),
            ("iam", "oidc-provider") | ("iam", "saml-provider") => {
                Ok(Caller::Federated(text.to_string()))
            }
            ("sts", "assumed-role") => {
                let (role, _session) = rest
                    .split_once('/')
                    .ok_or_else(|| PrincipalError::BadSession(text.to_string()))?;
                Ok(Caller::RoleSession {
                    role_arn: format!("arn:{}:iam::{account}:role/{role}", arn.partition),
                    role_name: role.to_string(),
                    account,
                    session_arn: Some(text.to_string()),
                })
            }
            ("sts", "federated-user") => Ok(Caller::FederatedUser {
                arn: text.to_string(),
                account,
            }),
            _ => Err(PrincipalError::NotAPrincipalArn(text.to_string())),
        }
    }

    /// The caller's account, for IAM principals.
    pub fn account(&self) -> Option<&str> {
        match self {
            Caller::User { account, .. }
            | Caller::RoleSession { account, .. }
            | Caller::Root { account }
            | Caller::FederatedUser { account, .. } => Some(account),
            _ => None,
        }
    }

    /// True for principals of an AWS account (to which SCPs and identity policies apply).
    pub fn is_iam(&self) -> bool {
        self.account().is_some()
    }

    /// `aws:PrincipalArn`: a role session's is its role ARN (§4.5); absent for
    /// anonymous callers and services.
    pub fn principal_arn(&self) -> Option<String> {
        match self {
            Caller::User { arn, .. } | Caller::FederatedUser { arn, .. } => Some(arn.clone()),
            Caller::RoleSession { role_arn, .. } => Some(role_arn.clone()),
            Caller::Root { account } => Some(format!("arn:aws:iam::{account}:root")),
            _ => None,
        }
    }

    /// The ARN the caller is shown with.
    pub fn display(&self) -> String {
        match self {
            Caller::RoleSession {
                session_arn: Some(s),
                ..
            } => s.clone(),
            Caller::Anonymous => "*".into(),
            Caller::Service(s) | Caller::Federated(s) => s.clone(),
            other => other.principal_arn().unwrap_or_default(),
        }
    }

    /// The IAM user name (`aws:username`), for users only.
    pub fn user_name(&self) -> Option<&str> {
        match self {
            Caller::User { arn, .. } => arn.rsplit('/').next(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind() {
        let ok = |s| Caller::parse(s).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            ok("arn:aws:iam::111111111111:user/a/alice"),
            Caller::User { .. }
        ));
        assert_eq!(
            ok("arn:aws:iam::111111111111:root"),
            Caller::Root {
                account: "111111111111".into()
            }
        );
        match ok("arn:aws:sts::111111111111:assumed-role/R/sess") {
            Caller::RoleSession {
                role_arn,
                role_name,
                ..
            } => {
                assert_eq!(role_arn, "arn:aws:iam::111111111111:role/R");
                assert_eq!(role_name, "R");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(ok("*"), Caller::Anonymous);
        assert_eq!(
            ok("ec2.amazonaws.com"),
            Caller::Service("ec2.amazonaws.com".into())
        );
        assert!(Caller::parse("bob").is_err());
        assert!(Caller::parse("arn:aws:iam::1:user/x").is_err());
        assert_eq!(
            ok("arn:aws:iam::111111111111:user/a/alice").user_name(),
            Some("alice")
        );
    }
}
