//! `iampath.toml`: disable rules, override severities, ignore findings (with a reason),
//! trusted external accounts, and access assertions. Unknown keys are errors.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

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
    pub disable: Vec<Spanned<String>>,
    /// Rule ID → severity.
    #[serde(default)]
    pub severity: BTreeMap<Spanned<String>, Spanned<String>>,
}

/// Ignore findings of a rule whose subject (and Sid) match; a reason is required.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ignore {
    pub rule: Spanned<String>,
    /// ARN pattern (`*` and `?` wildcards) of the subject; all subjects when absent.
    pub subject: Option<String>,
    /// Sid pattern of the statement.
    pub sid: Option<String>,
    /// Path globs of the files the finding may point into (`legacy/**`); each is
    /// matched against the file's path and every trailing part of it.
    #[serde(default)]
    pub files: Vec<String>,
    /// Pattern (`*` and `?` wildcards) of the IaC address of the plan object the
    /// finding is about (`module.legacy.*`); only such findings match.
    pub iac_address: Option<String>,
    pub reason: Spanned<String>,
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
    pub action: Spanned<String>,
    pub resource: Spanned<String>,
    /// `deny` (must not reach) or `allow` (must reach).
    pub expect: Spanned<String>,
    /// Why the assertion exists (shown on violation).
    pub reason: Option<String>,
}

/// A configuration error, at its place in the file.
#[derive(Debug, Clone, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code(iampath::config))]
pub struct ConfigError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    #[help]
    pub help: Option<String>,
    #[source_code]
    source_code: std::sync::Arc<miette::NamedSource<String>>,
    #[label("here")]
    at: miette::SourceSpan,
}

impl ConfigError {
    fn new(file: &str, text: &str, span: std::ops::Range<usize>, message: String) -> Self {
        let start = span.start.min(text.len());
        let before = text.get(..start).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ConfigError {
            file: file.to_string(),
            line,
            column,
            message,
            help: None,
            source_code: std::sync::Arc::new(miette::NamedSource::new(file, text.to_string())),
            at: (start, span.end.saturating_sub(start)).into(),
        }
    }

    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl Config {
    /// Reads and checks a configuration file.
    pub fn read(path: &Path) -> Result<Config, ConfigError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::new(
                &file,
                "",
                0..0,
                format!("cannot read the configuration: {e}"),
            )
        })?;
        Config::parse(&text, &file)
    }

    pub fn parse(text: &str, file: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            ConfigError::new(
                file,
                text,
                e.span().unwrap_or(0..0),
                e.message().trim().trim_end_matches('.').to_lowercase(),
            )
        })?;
        let bad = |at: &Spanned<String>, message: String| {
            ConfigError::new(file, text, at.span(), message)
        };
        let known: Vec<&str> = super::rules::registry().iter().map(|r| r.id()).collect();
        for id in config
            .rules
            .disable
            .iter()
            .chain(config.rules.severity.keys())
            .chain(config.ignore.iter().map(|i| &i.rule))
        {
            if !known.contains(&id.get_ref().as_str()) {
                return Err(bad(id, format!("unknown rule `{}`", id.get_ref()))
                    .help("`iampath rules` lists the rules"));
            }
        }
        for s in config.rules.severity.values() {
            if Severity::parse(s.get_ref()).is_none() {
                return Err(bad(s, format!("`{}` is not a severity", s.get_ref()))
                    .help("a severity is one of critical, high, medium, low, info"));
            }
        }
        for i in &config.ignore {
            if i.reason.get_ref().trim().is_empty() {
                return Err(bad(
                    &i.reason,
                    format!("the ignore of rule `{}` needs a reason", i.rule.get_ref()),
                )
                .help("say why the finding is accepted, e.g. reason = \"vendor access reviewed in SEC-1234\""));
            }
        }
        for a in &config.assertions {
            let action = a.action.get_ref();
            if let Err(e) = crate::graph::input::check_action(action) {
                let help = miette::Diagnostic::help(&e).map(|h| h.to_string());
                let mut err = bad(&a.action, e.to_string());
                err.help = help;
                return Err(err);
            }
            if let Err(e) = crate::graph::input::check_resource(action, a.resource.get_ref()) {
                let help = miette::Diagnostic::help(&e).map(|h| h.to_string());
                let mut err = bad(&a.resource, e.to_string());
                err.help = help;
                return Err(err);
            }
            if a.expect.get_ref() != "allow" && a.expect.get_ref() != "deny" {
                return Err(bad(
                    &a.expect,
                    format!("`{}` is not an expectation", a.expect.get_ref()),
                )
                .help("expect = \"deny\" (must not reach) or \"allow\" (must reach)"));
            }
        }
        Ok(config)
    }

    /// Applies disables, severities, ignores and trusted accounts to findings;
    /// `sources` names the files findings point into.
    pub fn apply(
        &self,
        findings: Vec<Finding>,
        sources: &crate::source::SourceMap,
    ) -> Vec<Finding> {
        let file_of = |f: &Finding| {
            f.span
                .and_then(|s| sources.get(s.file))
                .map(|file| file.name.replace('\\', "/"))
        };
        let address_of = |f: &Finding| {
            f.span
                .and_then(|s| sources.iac_at(s))
                .map(|o| o.address.as_str())
        };
        let pattern =
            |s: &Option<String>| s.as_deref().map(|s| Pattern::new(s, CaseMode::Sensitive));
        // Each ignore with its compiled subject, Sid and address patterns.
        type Compiled<'i> = (
            &'i Ignore,
            Option<Pattern>,
            Option<Pattern>,
            Option<Pattern>,
        );
        let ignores: Vec<Compiled> = self
            .ignore
            .iter()
            .map(|i| {
                (
                    i,
                    pattern(&i.subject),
                    pattern(&i.sid),
                    pattern(&i.iac_address),
                )
            })
            .collect();
        findings
            .into_iter()
            .filter(|f| !self.rules.disable.iter().any(|d| d.get_ref() == f.rule))
            .filter(|f| {
                !ignores.iter().any(|(i, subject, sid, address)| {
                    i.rule.get_ref() == f.rule
                        && address
                            .as_ref()
                            .is_none_or(|p| address_of(f).is_some_and(|a| matches_address(p, a)))
                        && subject.as_ref().is_none_or(|p| p.matches(&f.subject))
                        && sid.as_ref().is_none_or(|p| {
                            f.statement
                                .as_deref()
                                .is_some_and(|s| p.matches(s.trim_matches('`')))
                        })
                        && (i.files.is_empty()
                            || file_of(f)
                                .is_some_and(|path| i.files.iter().any(|g| path_matches(g, &path))))
                })
            })
            .filter(|f| {
                !self.trusted.accounts.iter().any(|a| {
                    f.other_account.as_deref() == Some(a.as_str()) && is_trust_rule(f.rule)
                })
            })
            .map(|mut f| {
                if let Some(s) = self
                    .rules
                    .severity
                    .get(f.rule)
                    .and_then(|s| Severity::parse(s.get_ref()))
                {
                    f.severity = s;
                }
                f
            })
            .collect()
    }
}

/// True when the glob matches the path or one of its trailing parts (`legacy/**`
/// matches `data/legacy/111111111111/iam.json`).
fn path_matches(glob: &str, path: &str) -> bool {
    let glob = glob.trim_start_matches("./");
    let mut rest = path.trim_start_matches("./");
    loop {
        if glob_match::glob_match(glob, rest) {
            return true;
        }
        match rest.split_once('/') {
            Some((_, tail)) => rest = tail,
            None => return false,
        }
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

/// An IaC address pattern against a finding's object: a template resource named with
/// its CDK construct path (`Role1A2B (Stack/Role/Resource)`) matches by logical ID too.
fn matches_address(p: &Pattern, address: &str) -> bool {
    p.matches(address)
        || address
            .split_once(" (")
            .is_some_and(|(logical, _)| p.matches(logical))
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
    fn file_globs_match_any_trailing_part_of_the_path() {
        assert!(path_matches(
            "legacy/**",
            "data/legacy/111111111111/iam.json"
        ));
        assert!(path_matches(
            "**/s3/*.json",
            "./exports/111111111111/s3/b.json"
        ));
        assert!(!path_matches(
            "legacy/*",
            "data/legacy/111111111111/iam.json"
        ));
        assert!(!path_matches(
            "prod/**",
            "data/legacy/111111111111/iam.json"
        ));
    }

    #[test]
    fn an_ignore_needs_a_reason() {
        let e = Config::parse("[[ignore]]\nrule = \"x\"\n", "c").unwrap_err();
        assert!(e.message.contains("reason"), "{e}");
    }

    #[test]
    fn semantic_errors_point_at_their_value() {
        let text = "[rules]\ndisable = [\"resource-star\", \"no-such-rule\"]\n";
        let e = Config::parse(text, "iampath.toml").unwrap_err();
        assert_eq!((e.line, e.column), (2, 29), "{e}");
        assert!(e.message.contains("no-such-rule"), "{e}");
        let text = "[rules]\nseverity = { \"resource-star\" = \"huge\" }\n";
        let e = Config::parse(text, "iampath.toml").unwrap_err();
        assert_eq!((e.line, e.column), (2, 32), "{e}");
        let text = "[[ignore]]\nrule = \"resource-star\"\nreason = \"  \"\n";
        let e = Config::parse(text, "iampath.toml").unwrap_err();
        assert_eq!(e.line, 3, "{e}");
    }
}
