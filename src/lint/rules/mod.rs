//! The rule registry: one file per rule; adding a rule is one file and one line here.

use super::Rule;

/// Every rule, in the order `iampath rules` lists them.
pub fn registry() -> Vec<&'static dyn Rule> {
    vec![]
}
