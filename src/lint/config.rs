//! `iampath.toml`: disable rules, override severities, ignore findings (with a reason),
//! trusted external accounts, and access assertions. Unknown keys are errors.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::{Finding, Severity};
use crate::policy::pattern::{CaseMode, Pattern};

/// The configuration file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub rules: RulesConfig,
    #[serde(default)]
    pub ignore: Vec<Ignore>,
    #[serde(default)]
    pub trusted: Trusted,
    #[serde(default, rename = "assert")]
    pub assertions: Vec<Assertion>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesConfig {
    /// Rule IDs not to run.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Rule ID → severity.
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
}

/// Ignore findings of a rule whose subject (and Sid) match; a reason is required.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ignore {
    pub rule: String,
    /// ARN pattern (`*` and `?` wildcards) of the subject; all subjects when absent.
    pub subject: Option<String>,
    /// Sid pattern of the statement.
    pub sid: Option<String>,
    pub reason: String,
}

/// External accounts the team accepts (vendors): findings about trusting them or
/// being reached by them are dropped.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trusted {
    #[serde(default)]
    pub accounts: Vec<String>,
}

/// "Principals matching P must (not) reach action A on resource R".
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assertion {
    /// ARN pattern of the principals the assertion is about.
    pub principals: String,
    pub action: String,
    pub resource: String,
    /// `deny` (must not reach) or `allow` (must reach).
    pub expect: String,
    /// Why the assertion exists (shown on violation).
    pub reason: Option<String>,
}

/// A configuration error, with its line and column when TOML knows them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Config {
    /// Reads and checks a configuration file.
    pub fn read(path: &Path) -> Result<Config, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: file.clone(),
            line: 1,
            column: 1,
            message: format!("cannot read the configuration: {e}"),
        })?;
        Config::parse(&text, &file)
    }

    pub fn parse(text: &str, file: &str) -> Result<Config, ConfigError> {
        let at = |offset: usize| {
            let before = text.get(..offset).unwrap_or(text);
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            (line, column)
        };
        let config: Config = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((1, 1), |s| at(s.start));
            ConfigError {
                file: file.to_string(),
                line,
                column,
                message: e.message().trim().to_lowercase(),
            }
        })?;
        let bad = |message: String| ConfigError {
            file: file.to_string(),
            line: 1,
            column: 1,
            message,
        };
        let known: Vec<&str> = super::rules::registry().iter().map(|r| r.id()).collect();
        for id in config
            .rules
            .disable
            .iter()
            .chain(config.rules.severity.keys())
            .chain(config.ignore.iter().map(|i| &i.rule))
        {
            if !known.contains(&id.as_str()) {
                return Err(bad(format!("unknown rule `{id}` (run `iampath rules`)")));
            }
        }
        for (id, s) in &config.rules.severity {
            if Severity::parse(s).is_none() {
                return Err(bad(format!(
                    "severity `{s}` of rule `{id}` is not one of critical, high, medium, low, info"
                )));
            }
        }
        for i in &config.ignore {
            if i.reason.trim().is_empty() {
                return Err(bad(format!(
                    "the ignore of rule `{}` needs a reason",
                    i.rule
                )));
            }
        }
        for a in &config.assertions {
            if a.expect != "allow" && a.expect != "deny" {
                return Err(bad(format!(
                    "assertion expect `{}` must be `allow` or `deny`",
                    a.expect
                )));
            }
        }
        Ok(config)
    }

    /// Applies disables, severities, ignores and trusted accounts to findings.
    pub fn apply(&self, findings: Vec<Finding>) -> Vec<Finding> {
        let ignores: Vec<(&Ignore, Option<Pattern>, Option<Pattern>)> = self
            .ignore
            .iter()
            .map(|i| {
                (
                    i,
                    i.subject
                        .as_deref()
                        .map(|s| Pattern::new(s, CaseMode::Sensitive)),
                    i.sid
                        .as_deref()
                        .map(|s| Pattern::new(s, CaseMode::Sensitive)),
                )
            })
            .collect();
        findings
            .into_iter()
            .filter(|f| !self.rules.disable.iter().any(|d| d == f.rule))
            .filter(|f| {
                !ignores.iter().any(|(i, subject, sid)| {
                    i.rule == f.rule
                        && subject.as_ref().is_none_or(|p| p.matches(&f.subject))
                        && sid.as_ref().is_none_or(|p| {
                            f.statement
                                .as_deref()
                                .is_some_and(|s| p.matches(s.trim_matches('`')))
                        })
                })
            })
            .filter(|f| {
                !self
                    .trusted
                    .accounts
                    .iter()
                    .any(|a| f.message.contains(a.as_str()) && is_trust_rule(f.rule))
            })
            .map(|mut f| {
                if let Some(s) = self
                    .rules
                    .severity
                    .get(f.rule)
                    .and_then(|s| Severity::parse(s))
                {
                    f.severity = s;
                }
                f
            })
            .collect()
    }
}

/// Rules whose findings are about an outside account a team may trust on purpose.
fn is_trust_rule(rule: &str) -> bool {
    matches!(
        rule,
        "trust-account-root"
            | "trust-external-no-external-id"
            | "external-access"
            | "cross-account-admin"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_errors_at_their_line() {
        let e = Config::parse("[rules]\ndisable = []\nfoo = 1\n", "iampath.toml").unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(e.message.contains("unknown field"), "{e}");
    }

    #[test]
    fn an_ignore_needs_a_reason() {
        let e = Config::parse("[[ignore]]\nrule = \"x\"\n", "c").unwrap_err();
        assert!(e.message.contains("reason"), "{e}");
    }
}
