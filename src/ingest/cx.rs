//! The lowering context: which file and decoding layer a JSON tree came from, where
//! diagnostics go, and helpers to read objects strictly.

use std::collections::HashSet;

use super::LoadOptions;
use super::diag::{Diagnostic, Problem};
use crate::model::{FileId, Span, Spanned};
use crate::source::decode::Layers;
use crate::source::json::{Member, Node, Value};

/// Lowering state for one text (a file, or a document embedded in one).
pub struct Cx<'d> {
    pub file: FileId,
    /// The text the JSON tree was parsed from.
    pub text: &'d str,
    pub layers: &'d Layers,
    pub opts: &'d LoadOptions,
    pub diags: &'d mut Vec<Diagnostic>,
}

impl<'d> Cx<'d> {
    /// A span of the original file for a range of this text.
    pub fn span(&self, start: u32, end: u32) -> Span {
        Span {
            file: self.file,
            start: self.layers.to_file(start),
            end: self.layers.to_file(end).max(self.layers.to_file(start)),
        }
    }

    pub fn node_span(&self, node: &Node) -> Span {
        self.span(node.start, node.end)
    }

    pub fn key_span(&self, member: &Member) -> Span {
        self.span(member.key_start, member.key_end)
    }

    pub fn report(&mut self, problem: Problem, span: Span) {
        self.diags.push(Diagnostic::new(problem, span));
    }

    /// Reports an ARN whose account is not the folder's (an error) or not an account
    /// ID at all (a warning).
    pub fn check_account(&mut self, arn: &Spanned<String>, folder: &str) {
        match crate::policy::arn::Arn::parse(arn) {
            Some(a) if crate::model::is_account_id(a.account) => {
                if a.account != folder {
                    let problem = Problem::AccountMismatch {
                        arn: arn.value.clone(),
                        found: a.account.to_string(),
                        expected: folder.to_string(),
                    };
                    self.report(problem, arn.span);
                }
            }
            _ => self.report(Problem::MalformedArn(arn.value.clone()), arn.span),
        }
    }

    pub fn wrong_type(&mut self, key: &str, expected: &'static str, node: &Node) {
        let problem = Problem::WrongType {
            key: key.to_string(),
            expected,
            found: node.type_name(),
        };
        self.report(problem, self.node_span(node));
    }

    /// Reads an object's members, reporting duplicate keys and keys not in `known`
    /// (as errors when `strict`, as warnings otherwise). Reports a wrong type and
    /// returns `None` when `node` is not an object.
    pub fn object<'n, 'a>(
        &mut self,
        node: &'n Node<'a>,
        key: &str,
        context: &'static str,
        known: &[&str],
        strict: bool,
    ) -> Option<Fields<'n, 'a>> {
        let Some(members) = node.as_object() else {
            self.wrong_type(key, "an object", node);
            return None;
        };
        self.check_members(members, context, known, strict);
        Some(Fields { members })
    }

    fn check_members(
        &mut self,
        members: &[Member],
        context: &'static str,
        known: &[&str],
        strict: bool,
    ) {
        // Objects are small (2–10 members): pairwise comparison beats hashing there.
        let mut seen: HashSet<&str> = HashSet::new();
        for (i, m) in members.iter().enumerate() {
            let earlier = members.get(..i).unwrap_or_default();
            let duplicate = if members.len() <= 16 {
                earlier.iter().any(|f| f.key == m.key)
            } else {
                !seen.insert(&m.key)
            };
            if duplicate {
                let first = earlier
                    .iter()
                    .find(|f| f.key == m.key)
                    .map(|f| self.key_span(f));
                let mut d =
                    Diagnostic::new(Problem::DuplicateKey(m.key.to_string()), self.key_span(m));
                d.related = first;
                self.diags.push(d);
            }
            if !known.is_empty() && !known.contains(&&*m.key) {
                let problem = if strict {
                    Problem::UnknownKey {
                        key: m.key.to_string(),
                        context,
                    }
                } else {
                    Problem::UnknownExportKey {
                        key: m.key.to_string(),
                        context,
                    }
                };
                self.report(problem, self.key_span(m));
            }
        }
    }

    /// A string value, reporting any other type.
    pub fn string(&mut self, key: &str, node: &Node) -> Option<Spanned<String>> {
        match &node.value {
            Value::String(s) => Some(Spanned::new(s.to_string(), self.node_span(node))),
            _ => {
                self.wrong_type(key, "a string", node);
                None
            }
        }
    }

    /// A string or null (exports print `null` for absent optional values).
    pub fn opt_string(&mut self, key: &str, node: Option<&Node>) -> Option<Spanned<String>> {
        match node {
            None => None,
            Some(n) if matches!(n.value, Value::Null) => None,
            Some(n) => self.string(key, n),
        }
    }

    /// The elements of an array, or of a single object given where AWS usually prints
    /// an array (`"AttachedManagedPolicies": {…}` in the CLI's own documentation).
    pub fn list<'n, 'a>(&mut self, key: &str, node: Option<&'n Node<'a>>) -> &'n [Node<'a>] {
        match node {
            None => &[],
            Some(n) => match &n.value {
                Value::Array(items) => items,
                Value::Object(_) => std::slice::from_ref(n),
                Value::Null => &[],
                _ => {
                    self.wrong_type(key, "an array", n);
                    &[]
                }
            },
        }
    }
}

/// The members of an object, looked up by exact key (the first of duplicates).
#[derive(Clone, Copy)]
pub struct Fields<'n, 'a> {
    pub members: &'n [Member<'a>],
}

impl<'n, 'a> Fields<'n, 'a> {
    pub fn get(&self, key: &str) -> Option<&'n Node<'a>> {
        self.members.iter().find(|m| m.key == key).map(|m| &m.value)
    }

    pub fn member(&self, key: &str) -> Option<&'n Member<'a>> {
        self.members.iter().find(|m| m.key == key)
    }

    pub fn str(&self, key: &str) -> Option<&'n str> {
        self.get(key).and_then(Node::as_str)
    }
}
