//! The graph built for one question gives the same answer as the whole graph.

use std::path::Path;

use super::Question;
use crate::graph::test_org as org_gen;
use crate::graph::{Graph, NodeKind, query, what_can, who_can};
use crate::ingest::{LoadOptions, Loaded, load};
use crate::model::{Model, ResourceService};

/// Questions asked of each folder, at most (the tests run unoptimized).
const ROLES: usize = 8;
const RESOURCES: usize = 8;
const CALLERS: usize = 10;

/// `(action, resource)` questions about a folder's data: assuming its first roles,
/// an action on each resource it holds, and actions on `*`.
fn resource_questions(model: &Model) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let accounts = || model.accounts.values();
    for role in accounts().flat_map(|a| &a.roles).take(ROLES) {
        out.push(("sts:AssumeRole".to_string(), role.arn.value.clone()));
    }
    for r in accounts().flat_map(|a| &a.resources).take(RESOURCES) {
        let (action, arn) = match &r.service {
            ResourceService::S3 => ("s3:GetObject", format!("{}/some/key", r.arn)),
            ResourceService::Sqs => ("sqs:SendMessage", r.arn.clone()),
            ResourceService::Sns => ("sns:Publish", r.arn.clone()),
            ResourceService::Lambda => ("lambda:InvokeFunction", r.arn.clone()),
            ResourceService::Kms => ("kms:Decrypt", r.arn.clone()),
            ResourceService::SecretsManager => ("secretsmanager:GetSecretValue", r.arn.clone()),
            ResourceService::Ecr => ("ecr:BatchGetImage", r.arn.clone()),
            ResourceService::Other(_) => continue,
        };
        out.push((action.to_string(), arn));
    }
    out.push(("iam:PassRole".into(), "*".into()));
    out.push(("s3:ListAllMyBuckets".into(), "*".into()));
    out
}

/// The answers of one question on the whole graph and on the graph built for it (as
/// their debug output), and whether the latter has fewer edges.
fn both(loaded: &Loaded, question: &Question) -> (String, String, bool) {
    let ask = |graph: &mut Graph, model: &Model| match *question {
        Question::To { action, resource } => {
            format!("{:?}", who_can::who_can(graph, model, action, resource))
        }
        Question::From {
            principal,
            action,
            resource,
        } => {
            let limits = query::Limits {
                max_hops: 8,
                max_paths: 5,
            };
            format!(
                "{:?}",
                query::can(graph, model, principal, action, resource, limits)
            )
        }
        Question::Reach { principal } => match query::resolve(graph, principal) {
            Err(e) => format!("Err({e:?})"),
            Ok(start) => {
                let reached = what_can::what_can(graph, start, 8);
                let reaches: Vec<_> = what_can::reaches(graph, &reached).collect();
                format!("{reaches:?}")
            }
        },
    };
    let mut model = loaded.model.clone();
    let mut whole = Graph::build(&model, &[]);
    let want = ask(&mut whole, &model);
    let mut focused = Graph::build_for(&mut model, &[], question);
    let smaller = focused.edges.len() < whole.edges.len();
    let got = ask(&mut focused, &model);
    (want, got, smaller)
}

/// Asserts the two answers of [`both`] are the same; whether the focused graph had
/// fewer edges.
fn same(loaded: &Loaded, question: &Question, folder: &Path) -> bool {
    let (want, got, less) = both(loaded, question);
    assert_eq!(got, want, "{}: {question:?}", folder.display());
    less
}

/// Who can, what one principal can, and what it reaches, on every escalation fixture,
/// answer folder, scenario and corpus set, and on a generated organization: the same
/// answers, and on enough questions with fewer edges that the comparison means
/// something.
#[test]
fn the_same_answers_as_the_whole_graph() {
    let org = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary folder: {e}"));
    org_gen::write_org(org.path(), &org_gen::OrgOptions::new(6, 40))
        .unwrap_or_else(|e| panic!("writing the organization: {e}"));
    let mut folders = crate::graph::test_folders();
    assert!(folders.len() > 150, "fixtures missing: {}", folders.len());
    folders.push(org.path().to_path_buf());
    let (mut asked, mut smaller) = (0, 0);
    for folder in &folders {
        let loaded = load(std::slice::from_ref(folder), &LoadOptions::default());
        let mut questions: Vec<(String, String)> = resource_questions(&loaded.model);
        if folder == org.path() {
            questions.push(("s3:GetObject".into(), org_gen::who_can_resource()));
        }
        for (action, resource) in &questions {
            let q = Question::To { action, resource };
            asked += 1;
            smaller += usize::from(same(&loaded, &q, folder));
        }
        let world = crate::graph::World::new(&loaded.model, &[]);
        let callers: Vec<String> = world
            .principals
            .iter()
            .filter(|p| p.kind.is_loaded() || p.kind == NodeKind::Anonymous)
            .map(|p| p.id.to_string())
            .collect();
        // Spread over the folder: the first, the last and some between.
        let step = (callers.len() / CALLERS).max(1);
        // Each asks about the organization's shared bucket and two of the folder's
        // own resource questions (its roles, its resources), a different two each.
        for (j, principal) in callers.iter().step_by(step).enumerate() {
            let q = Question::Reach { principal };
            asked += 1;
            smaller += usize::from(same(&loaded, &q, folder));
            let mut asks = vec![("s3:GetObject", "arn:aws:s3:::org-shared-reports/x")];
            for pick in [j, j * 7 + 3] {
                if let Some((a, r)) = questions.get(pick % questions.len().max(1)) {
                    asks.push((a.as_str(), r.as_str()));
                }
            }
            for (action, resource) in asks {
                let q = Question::From {
                    principal,
                    action,
                    resource,
                };
                asked += 1;
                smaller += usize::from(same(&loaded, &q, folder));
            }
        }
    }
    // Principals that are not nodes: one `can` refuses needs no edge (the same
    // error); a named session of a loaded role is asked as its role; a service is
    // made when asked, with every edge.
    let loaded = load(&[org.path().to_path_buf()], &LoadOptions::default());
    let world = crate::graph::World::new(&loaded.model, &[]);
    let session = world
        .principals
        .iter()
        .find_map(|p| match &p.caller {
            crate::eval::Caller::RoleSession {
                role_name, account, ..
            } if p.kind == NodeKind::Role => Some(format!(
                "arn:aws:sts::{account}:assumed-role/{role_name}/someone"
            )),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no role in the organization"));
    let account = session.split(':').nth(4).unwrap_or_default().to_string();
    let shared = org_gen::who_can_resource();
    for (principal, refused) in [
        ("arn:aws:iam::999999999999:user/nobody", true),
        (&format!("arn:aws:iam::{account}:user/nobody"), true),
        ("arn:aws:iam::999999999999:root", true),
        (
            &format!("arn:aws:sts::{account}:assumed-role/NoSuchRole/s"),
            true,
        ),
        ("not a principal", true),
        (&session, false),
        ("lambda.amazonaws.com", false),
    ] {
        let q = Question::From {
            principal,
            action: "s3:GetObject",
            resource: &shared,
        };
        let (want, got, less) = both(&loaded, &q);
        assert_eq!(got, want, "can {principal}");
        assert_eq!(want.starts_with("Err"), refused, "can {principal}: {want}");
        if refused {
            assert!(less, "can {principal}: every edge made for a refusal");
        }
        let (want, got, less) = both(&loaded, &Question::Reach { principal });
        assert_eq!(got, want, "what-can {principal}");
        assert_eq!(
            want.starts_with("Err"),
            refused,
            "what-can {principal}: {want}"
        );
        if refused {
            assert!(less, "what-can {principal}: every edge made for a refusal");
        }
    }

    // A question refused for its action or resource needs no edge: the same error.
    let loaded = load(&folders[..1], &LoadOptions::default());
    for (action, resource) in [
        ("s3:NoSuchAction", "arn:aws:s3:::b/k"),
        ("s3:GetObject", ""),
    ] {
        let q = Question::To { action, resource };
        let (want, got, _) = both(&loaded, &q);
        assert!(want.starts_with("Err"), "{want}");
        assert_eq!(got, want);
    }
    assert!(asked > 4000, "too few questions: {asked}");
    assert!(
        smaller * 4 > asked,
        "too few questions left edges out: {smaller} of {asked}"
    );
}
