//! Checks action names against the bundled service reference: a misspelt action or
//! service grants nothing, which the author surely did not mean.

use super::diag::{Diagnostic, Problem};
use crate::catalog;
use crate::model::{Policy, Spanned};

/// Reports an action pattern that names an unknown service or matches no action.
pub fn check_action(value: &Spanned<String>, diags: &mut Vec<Diagnostic>) {
    let text = value.value.as_str();
    if text == "*" {
        return;
    }
    let Some((service, _)) = text.split_once(':') else {
        diags.push(Diagnostic::new(
            Problem::UnknownAction(text.to_string()),
            value.span,
        ));
        return;
    };
    // Wildcards in the service part: nothing to check against.
    if service.contains(['*', '?']) {
        return;
    }
    if catalog::service(service).is_none() {
        diags.push(Diagnostic::new(
            Problem::UnknownService(service.to_string()),
            value.span,
        ));
    } else if catalog::expand_action_pattern(text).is_empty() {
        diags.push(Diagnostic::new(
            Problem::UnknownAction(text.to_string()),
            value.span,
        ));
    }
}

/// Checks every Action/NotAction value of a policy.
pub fn check_policy(policy: &Policy, diags: &mut Vec<Diagnostic>) {
    for st in &policy.statements {
        for v in st.action.iter().flat_map(|a| &a.values) {
            check_action(v, diags);
        }
    }
}
