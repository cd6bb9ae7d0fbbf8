//! Techniques on another principal of the account: its credentials, its trust, its
//! policies, then acting as it.

use super::*;

/// The actions of the techniques on a role the caller may assume (it changes the
/// role's permissions, then assumes it): only with one of them does the search ask
/// which roles a caller may assume (`assumable.rs`).
pub(crate) const ON_ASSUMED_ROLES: [&str; 4] = [
    "iam:AttachRolePolicy",
    "iam:PutRolePolicy",
    "iam:CreatePolicyVersion",
    "iam:DeleteRolePermissionsBoundary",
];

/// Techniques on other users and roles of the account.
pub(super) fn others(cx: &Cx, s: usize, p: &Principal, account: &Account, out: &mut Vec<Attempt>) {
    let may = |a: &str| cx.may(s, a);
    // Which kinds of target a technique could apply to at all: most principals have
    // none of these permissions, and the account may be large.
    let on_users = [
        "iam:CreateAccessKey",
        "iam:CreateLoginProfile",
        "iam:UpdateLoginProfile",
    ]
    .iter()
    .any(|a| may(a));
    let on_any_role = may("iam:UpdateAssumeRolePolicy");
    let on_assumed_roles = ON_ASSUMED_ROLES.iter().any(|a| may(a));
    let on_roles = on_any_role || (on_assumed_roles && cx.assumable.any(s));
    if !on_users && !on_roles {
        return;
    }
    for t in cx.others(s) {
        if !cx.worth(t) {
            continue;
        }
        let Some(target) = cx.principal(t) else {
            continue;
        };
        match target.kind {
            crate::graph::NodeKind::User if on_users => {
                other_user(cx, s, t, target.id.as_ref(), account, out)
            }
            crate::graph::NodeKind::Role if !target.service_linked => {
                let can_assume = cx.assumable.contains(s, t);
                if on_any_role || (on_assumed_roles && can_assume) {
                    other_role(cx, s, p, t, target, account, can_assume, out)
                }
            }
            _ => {}
        }
    }
}

/// iam-002/003/004/006 (its credentials) and iam-015/018 (its policy, then a key).
pub(super) fn other_user(
    cx: &Cx,
    s: usize,
    t: usize,
    arn: &str,
    account: &Account,
    out: &mut Vec<Attempt>,
) {
    // Written only for an attempt made (most targets get none).
    let keys = || format!("{arn} has fewer than 2 access keys (the credential report says)");
    let create = cx.may(s, "iam:CreateAccessKey");
    let delete = cx.may(s, "iam:DeleteAccessKey");
    let key = || Need::on("iam:CreateAccessKey", arn);
    // Becoming the user is only worth building when it can lead somewhere.
    let takeover = cx.worth_becoming(t);
    if create && takeover {
        if delete {
            out.extend(attempt(
                s,
                "iam-003",
                Gain::Become(t),
                vec![key(), Need::on("iam:DeleteAccessKey", arn)],
            ));
        }
        if let Some(a) = attempt(s, "iam-002", Gain::Become(t), vec![key()]) {
            out.push(assuming(a, keys()));
        }
    }
    let create_login = cx.may(s, "iam:CreateLoginProfile");
    let update_login = cx.may(s, "iam:UpdateLoginProfile");
    if create_login && update_login && takeover {
        // Whether the user has a console password or not, one of them works.
        out.extend(attempt(
            s,
            "iam-004",
            Gain::Become(t),
            vec![
                Need::on("iam:CreateLoginProfile", arn),
                Need::on("iam:UpdateLoginProfile", arn),
            ],
        ));
    }
    if create_login && takeover {
        if let Some(a) = attempt(
            s,
            "iam-004",
            Gain::Become(t),
            vec![Need::on("iam:CreateLoginProfile", arn)],
        ) {
            out.push(assuming(a, format!("{arn} has no console password")));
        }
    }
    if update_login && takeover {
        if let Some(a) = attempt(
            s,
            "iam-006",
            Gain::Become(t),
            vec![Need::on("iam:UpdateLoginProfile", arn)],
        ) {
            out.push(assuming(a, format!("{arn} has a console password")));
        }
    }
    if create {
        let boosted = || Gain::Changed {
            who: t,
            change: Change::AllowAll,
        };
        for (id, give) in [
            ("iam-015", attach(cx, "iam:AttachUserPolicy", arn, account)),
            ("iam-018", vec![Need::on("iam:PutUserPolicy", arn)]),
        ] {
            if give.first().is_none_or(|n| !cx.may(s, n.action)) {
                continue;
            }
            let mut needs = give;
            needs.push(key());
            if delete {
                needs.push(Need::on("iam:DeleteAccessKey", arn));
                out.extend(attempt(s, id, boosted(), needs));
            } else if let Some(a) = attempt(s, id, boosted(), needs) {
                out.push(assuming(a, keys()));
            }
        }
    }
}

/// iam-012 (rewrite its trust), iam-019/020/021 (change it and rewrite its trust),
/// iam-014/016/017/023 (change a role one can assume).
#[allow(clippy::too_many_arguments)]
pub(super) fn other_role(
    cx: &Cx,
    s: usize,
    p: &Principal,
    t: usize,
    target: &Principal,
    account: &Account,
    can_assume: bool,
    out: &mut Vec<Attempt>,
) {
    let arn = target.id.as_ref();
    let boosted = || Gain::Changed {
        who: t,
        change: Change::AllowAll,
    };
    // A trust the attacker writes names itself: assuming needs no identity Allow in the
    // same account, but its boundary, SCPs and RCPs still decide.
    let rewrite = cx.may(s, "iam:UpdateAssumeRolePolicy");
    let rewritten = || {
        vec![
            Need::on("iam:UpdateAssumeRolePolicy", arn),
            Need::assume(target, Some(trust_naming(p))),
        ]
    };
    let real_trust = || Need::assume(target, cx.principal(t).and_then(|p| p.trust.clone()));
    let modify: Vec<(&str, &str, Vec<Need>)> = {
        let mut m = Vec::new();
        if cx.may(s, "iam:AttachRolePolicy") {
            m.push((
                "iam-019",
                "iam-014",
                attach(cx, "iam:AttachRolePolicy", arn, account),
            ));
        }
        if cx.may(s, "iam:PutRolePolicy") {
            m.push((
                "iam-021",
                "iam-017",
                vec![Need::on("iam:PutRolePolicy", arn)],
            ));
        }
        if cx.may(s, "iam:CreatePolicyVersion") {
            for policy in own_policies(target, account) {
                m.push(("iam-020", "iam-016", create_version(policy)));
            }
        }
        m
    };
    if rewrite && cx.worth_becoming(t) {
        out.extend(attempt(s, "iam-012", Gain::Become(t), rewritten()));
    }
    for (with_rewrite, with_assume, needs) in modify {
        if rewrite {
            let mut n = needs.to_vec();
            n.extend(rewritten());
            out.extend(attempt(s, with_rewrite, boosted(), n));
        }
        if can_assume {
            let mut n = needs;
            n.push(real_trust());
            out.extend(attempt(s, with_assume, boosted(), n));
        }
    }
    if can_assume && target.boundary.is_some() && cx.may(s, "iam:DeleteRolePermissionsBoundary") {
        let gain = Gain::Changed {
            who: t,
            change: Change::NoBoundary,
        };
        out.extend(attempt(
            s,
            "iam-023",
            gain,
            vec![
                Need::on("iam:DeleteRolePermissionsBoundary", arn),
                real_trust(),
            ],
        ));
    }
}
