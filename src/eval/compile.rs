//! Policies compiled once for evaluation: patterns built, condition values parsed,
//! keys lowercased. Nothing here allocates per request unless a policy variable must
//! be resolved.

use std::sync::Arc;

use crate::model::{Effect, Policy, PolicyKind, PrincipalEntry, Span, Statement};
use crate::policy::arn::{Arn, ArnPattern};
use crate::policy::condition::CompiledCondition;
use crate::policy::context::{Context, Tri};
use crate::policy::pattern::{CaseMode, Pattern};
use crate::policy::variables::{Template, Unresolved, has_variables};

use super::service_mask::ServiceMask;

/// A policy ready for evaluation, with a label for reasons ("identityPolicies[0]",
/// "inline policy `S3Read` of user alice").
#[derive(Debug, Clone)]
pub struct CompiledPolicy {
    pub label: Arc<str>,
    pub kind: PolicyKind,
    pub statements: Vec<CompiledStatement>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct CompiledStatement {
    pub index: usize,
    pub sid: Option<Arc<str>>,
    /// `None`: the Effect was invalid (reported at load).
    pub effect: Option<Effect>,
    pub actions: Option<Matcher<Pattern>>,
    /// The services `actions` can name (a request of another service skips it).
    pub services: ServiceMask,
    pub resources: Option<Matcher<ResourcePattern>>,
    pub principal: Option<Box<PrincipalSpec>>,
    pub conditions: Vec<CompiledCondition>,
    /// An Allow that grants to the public (§7.4).
    pub public: bool,
    pub span: Span,
    /// The conditions as reasons word them, made when first asked (many requests cite
    /// the same conditional statement). 8 bytes where `OnceLock` takes 32: an
    /// organization compiles millions of statements.
    pub described: once_cell::race::OnceBox<String>,
}

impl CompiledStatement {
    /// "`Sid`" or "#index".
    pub fn label(&self) -> String {
        match &self.sid {
            Some(s) if !s.is_empty() => format!("`{s}`"),
            _ => format!("#{}", self.index),
        }
    }

    /// The conditions as the reasons of a conditional answer word them, joined by
    /// "and" (empty without conditions).
    pub fn conditions_text(&self) -> &str {
        self.described.get_or_init(|| {
            Box::new(
                self.conditions
                    .iter()
                    .map(CompiledCondition::describe)
                    .collect::<Vec<_>>()
                    .join(" and "),
            )
        })
    }

    /// Whether the statement is an Allow whose actions name `action` (`service`: the
    /// action's service bit, [`ServiceMask::of_action`]); what its resources and
    /// conditions say is not asked. A cheap test: with no statement of a caller's
    /// identity policies passing it, only a resource policy can grant the action.
    pub fn allows_action(&self, action: &str, service: ServiceMask) -> bool {
        self.effect != Some(Effect::Deny)
            && self.services.may_match(service)
            && self
                .actions
                .as_ref()
                .is_some_and(|a| a.matches_action(action))
    }

    /// Whether the statement, in a policy of `kind`, names the request's resource
    /// (`parsed`: the resource split as an ARN, when it is one).
    pub fn names_resource(
        &self,
        kind: PolicyKind,
        resource: &str,
        parsed: Option<&Arn>,
        ctx: &dyn Context,
    ) -> Tri {
        match &self.resources {
            Some(r) => r.matches_resource(resource, parsed, ctx),
            // Trust and resource policies may omit Resource: their own resource.
            None => {
                Tri::from_bool(kind != PolicyKind::Identity && kind != PolicyKind::ServiceControl)
            }
        }
    }

    /// True when a condition uses an operator AWS does not define.
    pub fn has_unknown_operator(&self) -> bool {
        self.conditions
            .iter()
            .any(CompiledCondition::is_unknown_operator)
    }
}

/// A list of patterns, or its `Not…` complement.
#[derive(Debug, Clone)]
pub struct Matcher<P> {
    pub negated: bool,
    /// Shared by the statements with the same list in a scope of [`super::intern`].
    pub patterns: Arc<[P]>,
    /// Where each pattern is written.
    pub spans: Box<[Span]>,
}

/// A `Resource` value: `*`, an ARN pattern matched component by component (policy
/// variables resolved per request), or any other text.
#[derive(Debug, Clone)]
pub enum ResourcePattern {
    Any,
    Arn(ArnPattern),
    Text(Pattern),
    Template(Template),
}

impl ResourcePattern {
    fn compile(raw: &str, variables: bool) -> Self {
        if raw == "*" {
            return ResourcePattern::Any;
        }
        let arn = if variables {
            ArnPattern::with_variables(raw)
        } else {
            ArnPattern::new(raw)
        };
        match arn {
            Some(p) => ResourcePattern::Arn(p),
            None if variables && has_variables(raw) => {
                ResourcePattern::Template(Template::new(raw, CaseMode::Sensitive, true))
            }
            None => ResourcePattern::Text(Pattern::new(raw, CaseMode::Sensitive)),
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        match self {
            ResourcePattern::Any => "*",
            ResourcePattern::Arn(p) => p.as_str(),
            ResourcePattern::Text(p) => p.as_str(),
            ResourcePattern::Template(t) => t.as_str(),
        }
    }

    /// Whether the request's resource matches; an unresolvable variable matches
    /// nothing (§5.3), an unknown one is unknown.
    pub fn matches(&self, resource: &str, parsed: Option<&Arn>, ctx: &dyn Context) -> Tri {
        let result = match self {
            ResourcePattern::Any => return Tri::True,
            ResourcePattern::Arn(p) => match parsed {
                Some(a) => p.matches_parsed(a, ctx),
                None => Ok(false),
            },
            ResourcePattern::Text(p) => Ok(p.matches(resource)),
            ResourcePattern::Template(t) => t.matches(resource, ctx),
        };
        match result {
            Ok(b) => Tri::from_bool(b),
            Err(Unresolved::Unresolvable) => Tri::False,
            Err(Unresolved::Unknown) => Tri::Unknown,
        }
    }
}

/// `Principal` or `NotPrincipal` of a statement.
#[derive(Debug, Clone)]
pub struct PrincipalSpec {
    pub negated: bool,
    pub entries: Vec<PrincipalEntry>,
    /// For a long list: its entries by the account they name (see
    /// [`PrincipalSpec::new`]).
    pub(super) by_account: Option<super::principal::AccountIndex>,
}

/// Compiles a loaded policy. `label` names it in reasons.
pub fn compile(policy: &Policy, label: impl Into<Arc<str>>) -> CompiledPolicy {
    let variables = policy.has_variables();
    CompiledPolicy {
        label: label.into(),
        kind: policy.kind,
        statements: policy
            .statements
            .iter()
            .map(|s| statement(s, variables))
            .collect(),
        span: policy.span,
    }
}

fn statement(s: &Statement, variables: bool) -> CompiledStatement {
    let actions = s.action.as_ref().map(|a| Matcher {
        negated: a.negated,
        patterns: super::intern::actions(&a.values, || {
            a.values
                .iter()
                .map(|v| Pattern::new(v, CaseMode::Insensitive))
                .collect()
        }),
        spans: a.values.iter().map(|v| v.span).collect(),
    });
    CompiledStatement {
        index: s.index,
        sid: s.sid.as_ref().map(|x| Arc::from(x.value.as_str())),
        effect: s.effect.as_ref().map(|e| e.value),
        services: actions.as_ref().map_or(ServiceMask::ANY, Matcher::services),
        actions,
        resources: s.resource.as_ref().map(|r| Matcher {
            negated: r.negated,
            patterns: super::intern::resources(&r.values, variables, || {
                r.values
                    .iter()
                    .map(|v| ResourcePattern::compile(v, variables))
                    .collect()
            }),
            spans: r.values.iter().map(|v| v.span).collect(),
        }),
        principal: s
            .principal
            .as_ref()
            .map(|p| Box::new(PrincipalSpec::new(p.negated, p.entries.clone()))),
        conditions: s
            .conditions
            .iter()
            .map(|c| CompiledCondition::compile(c, variables))
            .collect(),
        public: super::public::statement_is_public(s),
        span: s.span,
        described: once_cell::race::OnceBox::new(),
    }
}

impl Matcher<Pattern> {
    /// Action match: case-insensitive; `NotAction` matches everything not listed.
    pub fn matches_action(&self, action: &str) -> bool {
        self.patterns.iter().any(|p| p.matches(action)) != self.negated
    }

    /// The services the list can name.
    pub fn services(&self) -> ServiceMask {
        ServiceMask::of_patterns(self.negated, &self.patterns)
    }
}

impl Matcher<ResourcePattern> {
    /// Resource match; `NotResource` is the complement (an unknown stays unknown).
    /// `parsed` is `resource` split as an ARN, when it is one.
    pub fn matches_resource(&self, resource: &str, parsed: Option<&Arn>, ctx: &dyn Context) -> Tri {
        let any = self.patterns.iter().fold(Tri::False, |acc, p| {
            if acc.is_true() {
                acc
            } else {
                acc.or(p.matches(resource, parsed, ctx))
            }
        });
        if self.negated { !any } else { any }
    }
}
