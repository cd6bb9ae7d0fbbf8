//! CloudFormation values: a template node with its intrinsic functions evaluated, as
//! far as a template, its parameters and the stack's environment decide them.
//!
//! What cannot be decided offline (an `Fn::ImportValue` no loaded stack exports, a
//! parameter without a value, an attribute only AWS knows) is *unknown*: it reads as
//! `*` and carries why, so that the statement holding it can be made conditional.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use crate::source::json::{Member, Node, Value};

use super::super::UNKNOWN_NAME;

/// An evaluated value, with the template offset it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Val {
    pub kind: Kind,
    pub at: u32,
    /// Why some part of it is not known (it then reads as `*` there).
    pub unknown: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Str(String),
    /// A number or boolean, as JSON text.
    Scalar(String),
    Null,
    List(Vec<Val>),
    Map(Vec<(String, u32, Val)>),
    /// `AWS::NoValue`: the property is as if not written.
    NoValue,
    /// Both branches of an `Fn::If` whose condition is not known: spliced into a list.
    Both(Vec<Val>),
}

impl Val {
    pub fn str(s: impl Into<String>, at: u32) -> Val {
        Val {
            kind: Kind::Str(s.into()),
            at,
            unknown: None,
        }
    }

    pub fn unknown(why: impl Into<String>, at: u32) -> Val {
        Val {
            kind: Kind::Str("*".to_string()),
            at,
            unknown: Some(why.into()),
        }
    }

    /// The text of a string (or scalar) value.
    pub fn text(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) | Kind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a fully known string value.
    pub fn known(&self) -> Option<&str> {
        if self.unknown.is_some() {
            return None;
        }
        self.text()
    }

    /// The items of a list (a single value is a list of one).
    pub fn items(&self) -> Vec<&Val> {
        match &self.kind {
            Kind::List(items) | Kind::Both(items) => items.iter().collect(),
            Kind::NoValue | Kind::Null => Vec::new(),
            _ => vec![self],
        }
    }

    pub fn get(&self, key: &str) -> Option<&Val> {
        match &self.kind {
            Kind::Map(m) => m.iter().find(|(k, _, _)| k == key).map(|(_, _, v)| v),
            _ => None,
        }
    }

    /// The first reason found anywhere inside.
    pub fn why(&self) -> Option<&str> {
        if let Some(w) = &self.unknown {
            return Some(w);
        }
        match &self.kind {
            Kind::List(items) | Kind::Both(items) => items.iter().find_map(Val::why),
            Kind::Map(m) => m.iter().find_map(|(_, _, v)| v.why()),
            _ => None,
        }
    }
}

/// The environment a template is deployed into.
#[derive(Debug, Clone)]
pub struct Env {
    pub account: String,
    pub region: String,
    pub stack: String,
    /// Parameter values given on the command line (`--parameters`).
    pub parameters: HashMap<String, String>,
    /// `Export.Name` → value, from every loaded template's `Outputs`.
    pub exports: HashMap<String, String>,
}

impl Env {
    pub fn partition(&self) -> &'static str {
        if self.region.starts_with("cn-") {
            "aws-cn"
        } else if self.region.starts_with("us-gov-") {
            "aws-us-gov"
        } else {
            "aws"
        }
    }

    pub fn url_suffix(&self) -> &'static str {
        if self.region.starts_with("cn-") {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        }
    }
}

/// How deep references may chain (a name built from another resource's name …).
const MAX_CHAIN: u32 = 64;

/// A template being evaluated.
pub struct Template<'t, 'a> {
    pub root: &'t Node<'a>,
    pub env: &'t Env,
    conditions: RefCell<HashMap<String, Option<bool>>>,
    depth: Cell<u32>,
    /// Why the last condition left undecided is (a parameter without a value …).
    why_undecided: RefCell<Option<String>>,
}

impl<'t, 'a> Template<'t, 'a> {
    pub fn new(root: &'t Node<'a>, env: &'t Env) -> Self {
        Template {
            root,
            env,
            conditions: RefCell::new(HashMap::new()),
            depth: Cell::new(0),
            why_undecided: RefCell::new(None),
        }
    }

    pub fn resource(&self, logical: &str) -> Option<&'t Node<'a>> {
        self.root.get("Resources")?.get(logical)
    }

    /// An evaluated property of a resource.
    pub fn property(&self, resource: &Node, key: &str) -> Option<Val> {
        let node = resource.get("Properties")?.get(key)?;
        let v = self.eval(node);
        (v.kind != Kind::NoValue).then_some(v)
    }

    /// Evaluates a node: its intrinsic functions, recursively.
    pub fn eval(&self, node: &Node) -> Val {
        let depth = self.depth.get();
        if depth >= MAX_CHAIN {
            return Val::unknown("references chain too deep (circular?)", node.start);
        }
        self.depth.set(depth + 1);
        let v = self.eval_inner(node);
        self.depth.set(depth);
        v
    }

    fn eval_inner(&self, node: &Node) -> Val {
        let at = node.start;
        let kind = match &node.value {
            Value::Null => Kind::Null,
            Value::Bool(b) => Kind::Scalar(b.to_string()),
            Value::Number(n) => Kind::Scalar((*n).to_string()),
            Value::String(s) => Kind::Str(s.to_string()),
            Value::Array(items) => Kind::List(self.list(items)),
            Value::Object(members) => {
                if let [m] = members.as_slice()
                    && (m.key == "Ref" || m.key.starts_with("Fn::"))
                {
                    return self.intrinsic(m, at);
                }
                let mut out = Vec::new();
                for m in members {
                    let v = self.eval(&m.value);
                    if v.kind != Kind::NoValue {
                        out.push((m.key.to_string(), m.key_start, v));
                    }
                }
                Kind::Map(out)
            }
        };
        Val {
            kind,
            at,
            unknown: None,
        }
    }

    fn list(&self, items: &[Node]) -> Vec<Val> {
        let mut out = Vec::new();
        for item in items {
            let v = self.eval(item);
            match v.kind {
                Kind::NoValue => {}
                Kind::Both(both) => {
                    for mut b in both {
                        b.unknown = b.unknown.or_else(|| v.unknown.clone());
                        out.push(b);
                    }
                }
                _ => out.push(v),
            }
        }
        out
    }

    fn intrinsic(&self, m: &Member, at: u32) -> Val {
        let arg = &m.value;
        match m.key.as_ref() {
            "Ref" => match arg.as_str() {
                Some(name) => self.reference(name, at),
                None => Val::unknown("a Ref whose argument is not a name", at),
            },
            "Fn::GetAtt" => {
                let (logical, attr) = match &arg.value {
                    Value::String(s) => match s.split_once('.') {
                        Some((l, a)) => (l.to_string(), Some(a.to_string())),
                        None => (s.to_string(), None),
                    },
                    Value::Array(parts) => {
                        let l = parts.first().and_then(Node::as_str).unwrap_or_default();
                        let a = parts.get(1).map(|p| self.eval(p));
                        (l.to_string(), a.and_then(|a| a.known().map(str::to_string)))
                    }
                    _ => (String::new(), None),
                };
                match attr {
                    Some(attr) => self.attribute(&logical, &attr, at),
                    None => {
                        Val::unknown(format!("Fn::GetAtt of `{logical}` names no attribute"), at)
                    }
                }
            }
            "Fn::Sub" => self.sub(arg, at),
            "Fn::Join" => self.join(arg, at),
            "Fn::Select" => {
                let parts = arg.as_array().unwrap_or_default();
                let (Some(index), Some(list)) = (parts.first(), parts.get(1)) else {
                    return Val::unknown("Fn::Select needs an index and a list", at);
                };
                let index = self.eval(index);
                let list = self.eval(list);
                let Some(i) = index.known().and_then(|i| i.trim().parse::<usize>().ok()) else {
                    return Val::unknown("Fn::Select with an index not known", at);
                };
                match list.items().get(i) {
                    Some(v) if list.unknown.is_none() => (*v).clone(),
                    _ => Val::unknown("Fn::Select from a list not known", at),
                }
            }
            "Fn::Split" => {
                let parts = arg.as_array().unwrap_or_default();
                let (Some(delim), Some(s)) = (parts.first(), parts.get(1)) else {
                    return Val::unknown("Fn::Split needs a delimiter and a string", at);
                };
                let delim = self.eval(delim);
                let s = self.eval(s);
                match (delim.known(), s.known()) {
                    (Some(d), Some(s)) if !d.is_empty() => Val {
                        kind: Kind::List(s.split(d).map(|p| Val::str(p, at)).collect()),
                        at,
                        unknown: None,
                    },
                    _ => Val::unknown("Fn::Split of a value not known", at),
                }
            }
            "Fn::If" => {
                let parts = arg.as_array().unwrap_or_default();
                let (Some(cond), Some(yes), Some(no)) = (parts.first(), parts.get(1), parts.get(2))
                else {
                    return Val::unknown("Fn::If needs a condition and two values", at);
                };
                let name = cond.as_str().unwrap_or_default();
                match self.condition(name) {
                    Some(true) => self.eval(yes),
                    Some(false) => self.eval(no),
                    None => {
                        let why = match self.why_undecided.borrow().as_deref() {
                            Some(w) => {
                                format!("condition `{name}` is not known before deployment: {w}")
                            }
                            None => format!("condition `{name}` is not known before deployment"),
                        };
                        let both: Vec<Val> = [self.eval(yes), self.eval(no)]
                            .into_iter()
                            .filter(|v| v.kind != Kind::NoValue)
                            .collect();
                        Val {
                            kind: Kind::Both(both),
                            at,
                            unknown: Some(why),
                        }
                    }
                }
            }
            "Fn::FindInMap" => {
                let parts = arg.as_array().unwrap_or_default();
                let keys: Vec<Val> = parts.iter().take(3).map(|p| self.eval(p)).collect();
                let known: Vec<&str> = keys.iter().filter_map(Val::known).collect();
                let found = match known.as_slice() {
                    [map, k1, k2] => self
                        .root
                        .get("Mappings")
                        .and_then(|m| m.get(map))
                        .and_then(|m| m.get(k1))
                        .and_then(|m| m.get(k2)),
                    _ => None,
                };
                match (found, parts.get(3)) {
                    (Some(v), _) => self.eval(v),
                    (None, Some(default)) => match default.get("DefaultValue") {
                        Some(d) => self.eval(d),
                        None => Val::unknown("Fn::FindInMap finds nothing", at),
                    },
                    (None, None) => Val::unknown(
                        "Fn::FindInMap finds nothing (or its keys are not known)",
                        at,
                    ),
                }
            }
            "Fn::ImportValue" => {
                let name = self.eval(arg);
                match name
                    .known()
                    .and_then(|n| self.env.exports.get(n).map(|v| (n, v)))
                {
                    Some((_, v)) => Val::str(v.clone(), at),
                    None => Val::unknown(
                        format!(
                            "Fn::ImportValue `{}`: no loaded template exports it",
                            name.text().unwrap_or("*")
                        ),
                        at,
                    ),
                }
            }
            other => Val::unknown(format!("{other} is not evaluated offline"), at),
        }
    }

    /// `Ref`: a pseudo parameter, a parameter or a resource.
    fn reference(&self, name: &str, at: u32) -> Val {
        let env = self.env;
        match name {
            "AWS::AccountId" => return Val::str(&env.account, at),
            "AWS::Region" => return Val::str(&env.region, at),
            "AWS::Partition" => return Val::str(env.partition(), at),
            "AWS::URLSuffix" => return Val::str(env.url_suffix(), at),
            "AWS::StackName" => return Val::str(&env.stack, at),
            "AWS::StackId" => {
                let id = format!(
                    "arn:{}:cloudformation:{}:{}:stack/{}/{UNKNOWN_NAME}",
                    env.partition(),
                    env.region,
                    env.account,
                    env.stack
                );
                return Val::str(id, at);
            }
            "AWS::NoValue" => {
                return Val {
                    kind: Kind::NoValue,
                    at,
                    unknown: None,
                };
            }
            _ => {}
        }
        if let Some(p) = self.root.get("Parameters").and_then(|p| p.get(name)) {
            return self.parameter(name, p, at);
        }
        match self.resource(name) {
            Some(r) => self.resource_ref(name, r, at),
            None => Val::unknown(
                format!("Ref to `{name}`, which the template does not define"),
                at,
            ),
        }
    }

    fn parameter(&self, name: &str, p: &Node, at: u32) -> Val {
        let list = p
            .get("Type")
            .and_then(Node::as_str)
            .is_some_and(|t| t.starts_with("List<") || t == "CommaDelimitedList");
        let value = match self.env.parameters.get(name) {
            Some(v) => v.clone(),
            None => match p.get("Default") {
                Some(d) => {
                    let v = self.eval(d);
                    let Some(text) = v.known().map(str::to_string) else {
                        return v;
                    };

                    text
                }
                None => {
                    return Val::unknown(
                        format!("parameter `{name}` has no value (give it with --parameters)"),
                        at,
                    );
                }
            },
        };
        if list {
            let items = value.split(',').map(|s| Val::str(s.trim(), at)).collect();
            return Val {
                kind: Kind::List(items),
                at,
                unknown: None,
            };
        }
        Val::str(value, at)
    }

    fn sub(&self, arg: &Node, at: u32) -> Val {
        let (template, vars) = match &arg.value {
            Value::String(s) => (s.to_string(), None),
            Value::Array(parts) => match (parts.first().and_then(Node::as_str), parts.get(1)) {
                (Some(s), vars) => (s.to_string(), vars),
                _ => return Val::unknown("Fn::Sub needs a string", at),
            },
            _ => return Val::unknown("Fn::Sub needs a string", at),
        };
        let mut out = String::new();
        let mut unknown: Option<String> = None;
        let mut rest = template.as_str();
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let Some(j) = after.find('}') else {
                out.push_str(&rest[i..]);
                rest = "";
                break;
            };
            let name = &after[..j];
            rest = &after[j + 1..];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
                continue;
            }
            let v = match vars.and_then(|v| v.get(name)) {
                Some(n) => self.eval(n),
                None => match name.split_once('.') {
                    Some((l, a)) if !name.starts_with("AWS::") => self.attribute(l, a, at),
                    _ => self.reference(name, at),
                },
            };
            match v.text() {
                Some(t) => out.push_str(t),
                None => out.push('*'),
            }
            if unknown.is_none() {
                unknown = v.why().map(str::to_string);
            }
        }
        out.push_str(rest);
        Val {
            kind: Kind::Str(out),
            at,
            unknown,
        }
    }

    fn join(&self, arg: &Node, at: u32) -> Val {
        let parts = arg.as_array().unwrap_or_default();
        let (Some(delim), Some(list)) = (parts.first(), parts.get(1)) else {
            return Val::unknown("Fn::Join needs a delimiter and a list", at);
        };
        let delim = self.eval(delim);
        let list = self.eval(list);
        let mut unknown = delim.unknown.clone().or_else(|| list.unknown.clone());
        let pieces: Vec<&str> = list
            .items()
            .into_iter()
            .map(|v| {
                if unknown.is_none() {
                    unknown = v.why().map(str::to_string);
                }
                v.text().unwrap_or("*")
            })
            .collect();
        Val {
            kind: Kind::Str(pieces.join(delim.text().unwrap_or(""))),
            at,
            unknown,
        }
    }

    /// A named condition of `Conditions`: `None` when it depends on what is not known.
    pub fn condition(&self, name: &str) -> Option<bool> {
        if let Some(v) = self.conditions.borrow().get(name) {
            return *v;
        }
        // Guard cycles: a condition being decided is not known.
        self.conditions.borrow_mut().insert(name.to_string(), None);
        let v = self
            .root
            .get("Conditions")
            .and_then(|c| c.get(name))
            .and_then(|n| self.decide(n));
        self.conditions.borrow_mut().insert(name.to_string(), v);
        v
    }

    fn decide(&self, node: &Node) -> Option<bool> {
        let [m] = node.as_object()? else {
            return None;
        };
        let args = m.value.as_array().unwrap_or_default();
        match m.key.as_ref() {
            "Condition" => self.condition(m.value.as_str()?),
            "Fn::Equals" => {
                let [a, b] = args else { return None };
                let (a, b) = (self.eval(a), self.eval(b));
                if let Some(why) = a.why().or_else(|| b.why()) {
                    self.why_undecided.replace(Some(why.to_string()));
                }
                Some(a.known()? == b.known()?)
            }
            "Fn::Not" => self.decide(args.first()?).map(|b| !b),
            "Fn::And" => {
                let all: Vec<Option<bool>> = args.iter().map(|a| self.decide(a)).collect();
                if all.contains(&Some(false)) {
                    Some(false)
                } else if all.iter().all(|b| *b == Some(true)) {
                    Some(true)
                } else {
                    None
                }
            }
            "Fn::Or" => {
                let all: Vec<Option<bool>> = args.iter().map(|a| self.decide(a)).collect();
                if all.contains(&Some(true)) {
                    Some(true)
                } else if all.iter().all(|b| *b == Some(false)) {
                    Some(false)
                } else {
                    None
                }
            }
            _ => None,
        }
    }
}
