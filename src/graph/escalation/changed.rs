//! Changed principals: a principal after an escalation changed its policies, as a
//! node of its own.

use super::*;

/// The node a gain leads to, made when it does not exist yet.
pub(super) fn materialize(
    world: &mut World,
    model: &Model,
    gain: &Gain,
    fixed: &Fixed,
    new_nodes: &mut Vec<usize>,
) -> Option<usize> {
    match gain {
        Gain::Become(j) => Some(*j),
        Gain::Administrator(account) => Some(world.administrator(account, fixed)),
        Gain::Changed { who, change } => {
            let p = changed(world, model, *who, change)?;
            let admin = administrator(world, &p);
            if admin == Tri::True {
                let account = p.account.clone()?;
                return Some(world.administrator(&account, fixed));
            }
            if let Some(i) = world.by_id.get(&p.id) {
                return Some(*i);
            }
            let mut p = p;
            p.admin = admin;
            let i = world.push(p);
            new_nodes.push(i);
            Some(i)
        }
    }
}

/// Whether `change` only adds policies to the principal (a policy written for it, a
/// group's). To one whose identity policies already allow everything
/// ([`allows_everything`]) such a change gives nothing: another Allow adds no
/// permission, and a group's Denies only take away. Every request of the copy is
/// decided as its base's or more strictly (the boundary, the SCPs, the resource's
/// policy and the context are the same), so whatever it may reach its base reaches as
/// surely, and the copy is not made.
pub(super) fn only_adds(change: &Change) -> bool {
    matches!(change, Change::AllowAll | Change::JoinGroup(_))
}

/// Whether the principal's identity policies allow every action on every resource,
/// unconditionally (its Denies, boundary and SCPs aside).
pub(super) fn allows_everything(world: &World, who: usize) -> bool {
    world.principals.get(who).is_some_and(|p| {
        let identity: Vec<&CompiledPolicy> = p.identity.iter().map(|pol| &**pol).collect();
        crate::eval::admin::allows_all(&identity, &p.context) == Tri::True
    })
}

/// A copy of principal `who` with `change` applied.
pub(super) fn changed(
    world: &World,
    model: &Model,
    who: usize,
    change: &Change,
) -> Option<Principal> {
    let base = world.principals.get(who)?;
    let mut p = base.clone();
    p.kind = NodeKind::Escalated;
    p.base = Some(base.base.unwrap_or(who));
    let mut label = String::new();
    match change {
        Change::AllowAll => {
            p.identity.push(allow_all());
            p.origins.push(allow_all_origin());
            label.push_str("with a policy of its own");
        }
        Change::JoinGroup(g) => {
            let account = model.accounts.get(p.account.as_deref()?)?;
            let group = account.groups.iter().find(|x| &x.name == g)?;
            let mut shared = crate::graph::compiled::Shared::default();
            for (pol, origin) in shared.group(account, group) {
                p.identity.push(pol);
                p.origins.push(origin);
            }
            label = format!("in group `{g}`");
        }
        Change::Version { policy, version } => {
            let account = model.accounts.get(p.account.as_deref()?)?;
            let m = account.managed_policies.get(policy)?;
            let v = m.other_versions.iter().find(|v| &v.id == version)?;
            let compiled = Arc::new(compile(
                &v.document,
                format!("managed policy `{}` at version {version}", m.name),
            ));
            for (pol, origin) in p.identity.iter_mut().zip(&p.origins) {
                if origin.managed.as_deref() == Some(policy.as_str()) {
                    *pol = compiled.clone();
                }
            }
            label = format!("with `{}` at version {version}", m.name);
        }
        Change::NoBoundary => {
            p.boundary = None;
            label.push_str("without its permissions boundary");
        }
        Change::Without(i) => {
            let name = p.origins.get(*i)?.name.clone();
            p.identity.remove(*i);
            p.origins.remove(*i);
            label = format!("without policy `{name}`");
        }
        Change::LeaveGroup(g) => {
            let keep: Vec<bool> = p
                .origins
                .iter()
                .map(|o| o.group.as_deref() != Some(g.as_str()))
                .collect();
            let mut k = keep.iter();
            p.identity.retain(|_| k.next().copied().unwrap_or(true));
            let mut k = keep.iter();
            p.origins.retain(|_| k.next().copied().unwrap_or(true));
            label = format!("out of group `{g}`");
        }
    }
    let base_id = world
        .principals
        .get(p.base.unwrap_or(who))
        .map_or(p.id.clone(), |b| b.id.clone());
    let prior = base
        .id
        .strip_prefix(base_id.as_ref() as &str)
        .filter(|rest| !rest.is_empty())
        .map(|rest| {
            rest.trim()
                .trim_start_matches('(')
                .trim_end_matches(')')
                .to_string()
        });
    p.id = match prior {
        Some(prior) => format!("{base_id} ({prior}, {label})").into(),
        None => format!("{base_id} ({label})").into(),
    };
    p.index_grants();
    Some(*p)
}
