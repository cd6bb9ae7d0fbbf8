//! Reading a Terraform plan (`terraform show -json PLANFILE`, format 1.x; OpenTofu
//! writes the same): its resource changes, the configuration expressions that tell a
//! configured value from a computed one, and the account and region it targets.
//!
//! The plan carries no source location: every span is of the plan's JSON.

use std::collections::BTreeSet;

use crate::ingest::diag::Problem;
use crate::model::is_account_id;
use crate::policy::arn::Arn;
use crate::source::json::{Node, Value};

/// One entry of `resource_changes`.
pub struct Change<'p, 'a> {
    /// `module.x.aws_iam_role.y["k"]`.
    pub address: String,
    /// `module.x` (empty at the root).
    pub module: String,
    pub managed: bool,
    /// The resource type (`aws_iam_role`).
    pub kind: String,
    /// The resource name in its module (`y`).
    pub name: String,
    pub actions: Vec<String>,
    pub before: Option<&'p Node<'a>>,
    pub after: Option<&'p Node<'a>>,
    pub after_unknown: Option<&'p Node<'a>>,
    /// The configuration's `expressions` of the resource, when found.
    pub expressions: Option<&'p Node<'a>>,
    /// The whole entry.
    pub node: &'p Node<'a>,
}

impl<'p, 'a> Change<'p, 'a> {
    /// The planned value of an attribute (`None` when absent or null).
    pub fn after(&self, key: &str) -> Option<&'p Node<'a>> {
        self.after
            .and_then(|a| a.get(key))
            .filter(|n| !matches!(n.value, Value::Null))
    }

    pub fn after_str(&self, key: &str) -> Option<&'p str> {
        self.after(key).and_then(Node::as_str)
    }

    pub fn before_str(&self, key: &str) -> Option<&'p str> {
        self.before.and_then(|b| b.get(key)).and_then(Node::as_str)
    }

    /// True when the attribute is known only after apply.
    pub fn unknown(&self, key: &str) -> bool {
        // `after_unknown: true`: the whole object is unknown.
        self.after_unknown.is_some_and(|u| {
            matches!(u.value, Value::Bool(true))
                || u.get(key)
                    .is_some_and(|n| matches!(n.value, Value::Bool(true)))
        })
    }

    /// True when the configuration sets the attribute (an Optional+Computed attribute
    /// that is not configured is whatever AWS has, not an unknown policy).
    pub fn configured(&self, key: &str) -> bool {
        self.expressions.is_some_and(|e| e.get(key).is_some())
    }

    /// The references of a configured attribute (`aws_iam_role.r.id`, `aws_iam_role.r`).
    pub fn references(&self, key: &str) -> Vec<&'p str> {
        self.expressions
            .and_then(|e| e.get(key))
            .and_then(|x| x.get("references"))
            .and_then(Node::as_array)
            .map(|a| a.iter().filter_map(Node::as_str).collect())
            .unwrap_or_default()
    }

    /// True for `create`, `update` and replacements: the object is as `after` says.
    pub fn upserts(&self) -> bool {
        self.actions.iter().any(|a| a == "create" || a == "update")
    }

    /// True for a plain `delete` (not a replacement).
    pub fn deletes(&self) -> bool {
        self.actions.iter().any(|a| a == "delete") && !self.upserts()
    }

    /// True for `no-op`: the object exists and stays as it is.
    pub fn keeps(&self) -> bool {
        self.actions.iter().all(|a| a == "no-op")
    }
}

/// The plan's parts iampath reads.
pub struct Plan<'p, 'a> {
    pub changes: Vec<Change<'p, 'a>>,
    pub region: String,
    /// Shape problems: an entry or value of the wrong type (skipped), a duplicate key.
    pub problems: Vec<Shape<'p, 'a>>,
}

/// A shape problem of the plan, at a node (and, for a duplicate key, the first one).
pub struct Shape<'p, 'a> {
    pub problem: Problem,
    pub at: (u32, u32),
    pub first: Option<(u32, u32)>,
    _node: std::marker::PhantomData<&'p Node<'a>>,
}

fn shape<'p, 'a>(problem: Problem, node: &Node) -> Shape<'p, 'a> {
    Shape {
        problem,
        at: (node.start, node.end),
        first: None,
        _node: std::marker::PhantomData,
    }
}

fn wrong<'p, 'a>(key: &str, expected: &'static str, node: &Node) -> Shape<'p, 'a> {
    shape(
        Problem::WrongType {
            key: key.to_string(),
            expected,
            found: node.type_name(),
        },
        node,
    )
}

/// Every duplicate key of the plan's objects (the first value is the one read).
fn duplicates<'p, 'a>(root: &Node, out: &mut Vec<Shape<'p, 'a>>) {
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match &n.value {
            Value::Object(members) => {
                let mut seen: std::collections::HashMap<&str, (u32, u32)> =
                    std::collections::HashMap::new();
                for m in members {
                    match seen.get(m.key.as_ref()) {
                        Some(first) => out.push(Shape {
                            problem: Problem::DuplicateKey(m.key.to_string()),
                            at: (m.key_start, m.key_end),
                            first: Some(*first),
                            _node: std::marker::PhantomData,
                        }),
                        None => {
                            seen.insert(m.key.as_ref(), (m.key_start, m.key_end));
                        }
                    }
                    stack.push(&m.value);
                }
            }
            Value::Array(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
}

/// Why a JSON text is not a plan iampath reads.
pub enum NotRead {
    NotAPlan,
    Version(String),
}

/// Reads the plan's resource changes and configuration.
pub fn read<'p, 'a>(root: &'p Node<'a>) -> Result<Plan<'p, 'a>, NotRead> {
    let version = root.get("format_version").ok_or(NotRead::NotAPlan)?;
    let version = match &version.value {
        Value::String(v) => v.to_string(),
        Value::Number(n) => return Err(NotRead::Version((*n).to_string())),
        _ => return Err(NotRead::NotAPlan),
    };
    if root.get("resource_changes").is_none() && root.get("planned_values").is_none() {
        return Err(NotRead::NotAPlan);
    }
    if version.split('.').next() != Some("1") {
        return Err(NotRead::Version(version));
    }
    let mut problems = Vec::new();
    duplicates(root, &mut problems);
    let config = root.get("configuration");
    let root_module = config.and_then(|c| c.get("root_module"));
    let mut changes = Vec::new();
    let entries: &[Node] = match root.get("resource_changes") {
        Some(n) => match n.as_array() {
            Some(a) => a,
            None if matches!(n.value, Value::Null) => &[],
            None => {
                problems.push(wrong("resource_changes", "an array of resource changes", n));
                &[]
            }
        },
        None => &[],
    };
    for node in entries {
        if node.as_object().is_none() {
            problems.push(wrong(
                "resource_changes[]",
                "a resource change object",
                node,
            ));
            continue;
        }
        let s = |k: &str| node.get(k).and_then(Node::as_str).unwrap_or_default();
        let change = match node.get("change") {
            Some(c) if c.as_object().is_some() => Some(c),
            Some(c) => {
                problems.push(wrong("change", "an object", c));
                continue;
            }
            None => {
                let what = format!(
                    "resource change `{}` has no `change`; skipped",
                    s("address")
                );
                problems.push(shape(Problem::WrongShape(what), node));
                continue;
            }
        };
        if s("type").is_empty() || s("address").is_empty() {
            let what = "a resource change without `address` or `type`; skipped".to_string();
            problems.push(shape(Problem::WrongShape(what), node));
            continue;
        }
        let actions: Vec<String> = match change.and_then(|c| c.get("actions")) {
            Some(a) => match a.as_array() {
                Some(items) if items.iter().all(|i| i.as_str().is_some()) => items
                    .iter()
                    .filter_map(Node::as_str)
                    .map(str::to_string)
                    .collect(),
                _ => {
                    problems.push(wrong("actions", "an array of strings", a));
                    continue;
                }
            },
            None => Vec::new(),
        };
        let mut bad_side = false;
        for side in ["before", "after", "after_unknown"] {
            if let Some(v) = change.and_then(|c| c.get(side))
                && !matches!(v.value, Value::Null | Value::Object(_) | Value::Bool(_))
            {
                problems.push(wrong(side, "an object or null", v));
                bad_side = true;
            }
        }
        if bad_side {
            continue;
        }
        let module = s("module_address").to_string();
        let managed = s("mode") != "data";
        let (kind, name) = (s("type").to_string(), s("name").to_string());
        let expressions = root_module
            .and_then(|m| module_config(m, &module))
            .and_then(|m| resource_config(m, managed, &kind, &name));
        let present = |k: &str| {
            change
                .and_then(|c| c.get(k))
                .filter(|n| !matches!(n.value, Value::Null))
        };
        changes.push(Change {
            address: s("address").to_string(),
            module,
            managed,
            kind,
            name,
            actions,
            before: present("before"),
            after: present("after"),
            after_unknown: present("after_unknown"),
            expressions,
            node,
        });
    }
    let region = providers(config)
        .filter_map(|p| constant(p, "region"))
        .next()
        .unwrap_or("us-east-1")
        .to_string();
    Ok(Plan {
        changes,
        region,
        problems,
    })
}

/// The configuration of the module at `module_address` (`module.a.module.b`).
fn module_config<'p, 'a>(root: &'p Node<'a>, module_address: &str) -> Option<&'p Node<'a>> {
    let mut at = root;
    let mut parts = module_address.split('.').filter(|p| !p.is_empty());
    while let Some(word) = parts.next() {
        if word != "module" {
            return None;
        }
        // `module.name["key"]`: the configuration has one entry per call, not per key.
        let name = parts.next()?.split('[').next()?;
        at = at.get("module_calls")?.get(name)?.get("module")?;
    }
    Some(at)
}

/// The `expressions` of `TYPE.NAME` in a module's configuration.
fn resource_config<'p, 'a>(
    module: &'p Node<'a>,
    managed: bool,
    kind: &str,
    name: &str,
) -> Option<&'p Node<'a>> {
    let want = if managed {
        format!("{kind}.{name}")
    } else {
        format!("data.{kind}.{name}")
    };
    module
        .get("resources")?
        .as_array()?
        .iter()
        .find(|r| r.get("address").and_then(Node::as_str) == Some(want.as_str()))?
        .get("expressions")
}

/// The `expressions` of every provider configuration.
fn providers<'p, 'a>(config: Option<&'p Node<'a>>) -> impl Iterator<Item = &'p Node<'a>> {
    config
        .and_then(|c| c.get("provider_config"))
        .and_then(Node::as_object)
        .unwrap_or_default()
        .iter()
        .filter(|m| {
            m.value
                .get("name")
                .and_then(Node::as_str)
                .is_none_or(|n| n == "aws")
        })
        .filter_map(|m| m.value.get("expressions"))
}

/// `expressions.KEY.constant_value` when it is a string.
fn constant<'p>(expressions: &'p Node, key: &str) -> Option<&'p str> {
    expressions.get(key)?.get("constant_value")?.as_str()
}

/// The accounts the plan names: the provider's single `allowed_account_ids` or its
/// `assume_role` ARN, `data.aws_caller_identity` in the prior state, and the accounts
/// of the ARNs in the `before` of existing objects.
pub fn accounts(root: &Node, plan: &Plan) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for p in providers(root.get("configuration")) {
        let allowed: Vec<&str> = p
            .get("allowed_account_ids")
            .and_then(|x| x.get("constant_value"))
            .and_then(Node::as_array)
            .map(|a| a.iter().filter_map(Node::as_str).collect())
            .unwrap_or_default();
        if let [one] = allowed.as_slice() {
            out.insert((*one).to_string());
        }
        let role = p
            .get("assume_role")
            .and_then(Node::as_array)
            .and_then(|a| a.first())
            .and_then(|r| constant(r, "role_arn"));
        if let Some(a) = role.and_then(Arn::parse) {
            out.insert(a.account.to_string());
        }
    }
    let mut stack: Vec<&Node> = root
        .get("prior_state")
        .and_then(|s| s.get("values"))
        .and_then(|v| v.get("root_module"))
        .into_iter()
        .collect();
    while let Some(m) = stack.pop() {
        for r in m
            .get("resources")
            .and_then(Node::as_array)
            .unwrap_or_default()
        {
            if r.get("type").and_then(Node::as_str) == Some("aws_caller_identity")
                && let Some(id) = r
                    .get("values")
                    .and_then(|v| v.get("account_id"))
                    .and_then(Node::as_str)
            {
                out.insert(id.to_string());
            }
        }
        stack.extend(
            m.get("child_modules")
                .and_then(Node::as_array)
                .unwrap_or_default(),
        );
    }
    for c in &plan.changes {
        if let Some(a) = c.before_str("arn").and_then(Arn::parse) {
            if a.service == "iam" || a.service == "sns" || a.service == "sqs" {
                out.insert(a.account.to_string());
            }
        }
    }
    out.retain(|a| is_account_id(a));
    out
}
