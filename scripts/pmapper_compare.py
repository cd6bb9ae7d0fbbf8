#!/usr/bin/env python3
"""Runs PMapper (principalmapper, from PyPI) and iampath on the same single-account
export and compares `who-can` answers and times.

    python3 -m venv /tmp/pmenv && /tmp/pmenv/bin/pip install principalmapper
    cargo run --release --example gen_org -- /tmp/one400 1 400
    /tmp/pmenv/bin/python scripts/pmapper_compare.py /tmp/one400/210000000000 \
        s3:GetObject arn:aws:s3:::org-shared-reports/2024/q1/summary.csv \
        s3:GetObject arn:aws:s3:::org-210000000000-logs/x \
        --iampath target/release/iampath

PMapper gathers from AWS; here its own gathering code reads the account's
`get-account-authorization-details` export through a stand-in IAM client (one page),
and its edge checkers run offline (no session: no Lambda, CodeBuild, CloudFormation
or Auto Scaling inventory, which the export does not have either). The bucket policy,
when the resource is an S3 object or bucket, is read from `ACCOUNT/s3/BUCKET.json` and
handed to PMapper's query as the resource policy.

Several questions may follow the account folder (ACTION RESOURCE pairs): PMapper's
graph is built once. Prints, as JSON: PMapper's time to make its nodes and to find its
edges, and per question its time to answer, iampath's whole-process time (the median
of `--runs` runs, iampath loading and answering from nothing each time), how many
principals each answers with, the principals only PMapper lists (a false "denied" of
iampath's, if any), and the ones only iampath lists, counted by why PMapper leaves
them out (the principal's kind and the condition keys on iampath's path).
"""

import argparse
import json
import logging
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path


class _Pages:
    def __init__(self, export):
        self.export = export

    def paginate(self):
        yield {
            "UserDetailList": self.export.get("UserDetailList", []),
            "GroupDetailList": self.export.get("GroupDetailList", []),
            "RoleDetailList": self.export.get("RoleDetailList", []),
            "Policies": self.export.get("Policies", []),
        }


class _NoPages:
    def paginate(self, **_kwargs):
        yield {"VirtualMFADevices": []}


class _IamClient:
    """What PMapper's gathering asks of an IAM client. The export has no credential
    reports: every user is given an access key (PMapper leaves users without
    credentials out of some edges; iampath assumes any user may act) and an MFA device
    (so that PMapper follows MFA-conditioned grants, which iampath answers as
    conditional)."""

    def __init__(self, export):
        self.export = export

    def get_paginator(self, name):
        if name == "get_account_authorization_details":
            return _Pages(self.export)
        if name == "list_virtual_mfa_devices":
            return _NoPages()
        raise ValueError(f"not offline: {name}")

    def list_access_keys(self, UserName):
        return {"AccessKeyMetadata": [{"UserName": UserName, "Status": "Active"}]}

    def get_login_profile(self, UserName):
        raise LookupError(f"NoSuchEntity: {UserName}")

    def list_mfa_devices(self, UserName):
        return {"MFADevices": [{"UserName": UserName}]}


def _bucket_policy(account_dir, resource):
    if not resource.startswith("arn:aws:s3:::"):
        return None
    bucket = resource[len("arn:aws:s3:::"):].split("/", 1)[0]
    path = Path(account_dir) / "s3" / f"{bucket}.json"
    if not path.exists():
        return None
    doc = json.loads(path.read_text())
    policy = doc.get("Policy", doc)
    return json.loads(policy) if isinstance(policy, str) else policy


def pmapper_graph(account_dir):
    """PMapper's graph of the account, and the seconds its nodes and its edges took."""
    # principalmapper 1.1.5 imports Mapping from `collections`, gone since Python 3.10.
    import collections
    import collections.abc

    collections.Mapping = collections.abc.Mapping
    collections.MutableMapping = collections.abc.MutableMapping
    from principalmapper.common import Graph
    from principalmapper.graphing import edge_identification, gathering

    export = json.loads((Path(account_dir) / "iam.json").read_text())
    t0 = time.perf_counter()
    found = gathering.get_nodes_groups_and_policies(_IamClient(export))
    gathering.update_admin_status(found["nodes"], None)
    t1 = time.perf_counter()
    checkers = list(edge_identification.checker_map.keys())
    edges = edge_identification.obtain_edges(None, checkers, found["nodes"])
    t2 = time.perf_counter()
    graph = Graph(
        found["nodes"],
        edges,
        found["policies"],
        found["groups"],
        {"account_id": Path(account_dir).name, "pmapper_version": "offline"},
    )
    return graph, t1 - t0, t2 - t1


def pmapper_who_can(graph, account_dir, action, resource):
    """The ARNs PMapper answers `who can do ACTION with RESOURCE` with, and the seconds."""
    from principalmapper.querying.query_interface import search_authorization_full

    policy = _bucket_policy(account_dir, resource)
    owner = Path(account_dir).name if policy is not None else None
    t0 = time.perf_counter()
    allowed = [
        node.arn
        for node in graph.nodes
        if search_authorization_full(graph, node, action, resource, {}, policy, owner).allowed
    ]
    return sorted(allowed), time.perf_counter() - t0


def iampath_who_can(binary, data, action, resource, runs):
    """iampath's answer (JSON) and the median of `runs` whole-process times."""
    cmd = [binary, "--data", str(data), "who-can", action, resource, "--format", "json"]
    times = []
    out = b""
    for _ in range(runs):
        t0 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, check=False)
        times.append(time.perf_counter() - t0)
        out = done.stdout
        if done.returncode not in (0, 1):
            sys.exit(f"iampath failed ({done.returncode}): {done.stderr.decode()}")
    return json.loads(out), statistics.median(times)


def why_more(entry):
    """Why PMapper may leave out a principal iampath lists: what kind of principal it
    is (PMapper lists only the account's users and roles) and which condition keys its
    path's hops depend on (PMapper decides edges with no context: a trust that needs
    MFA or an external ID makes no edge). The bucket's TLS condition is left out: it
    is on every path."""
    keys = set()
    for hop in entry.get("hops", []):
        for text in hop.get("conditions", []):
            keys.update(k for k in re.findall(r"\b(?:aws|sts|s3):[A-Za-z]+", text))
    keys.discard("aws:SecureTransport")
    techniques = sorted({h["technique"] for h in entry.get("hops", []) if h.get("technique")})
    parts = [entry.get("kind", "?")]
    if keys:
        parts.append("conditions " + ", ".join(sorted(keys)))
    if techniques:
        parts.append("escalation " + ", ".join(techniques))
    if len(parts) == 1:
        parts.append("no condition on the path")
    return "; ".join(parts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("account_dir")
    ap.add_argument("questions", nargs="+", help="ACTION RESOURCE [ACTION RESOURCE ...]")
    ap.add_argument("--iampath", help="the iampath binary; without it only PMapper runs")
    ap.add_argument("--runs", type=int, default=21)
    args = ap.parse_args()
    if len(args.questions) % 2:
        ap.error("questions come in pairs: ACTION RESOURCE")
    logging.disable(logging.CRITICAL)

    graph, nodes_s, edges_s = pmapper_graph(args.account_dir)
    report = {
        "pmapper": {
            "nodes": len(graph.nodes),
            "edges": len(graph.edges),
            "nodes_s": round(nodes_s, 3),
            "edges_s": round(edges_s, 3),
        },
        "questions": [],
    }
    pairs = list(zip(args.questions[::2], args.questions[1::2]))
    for action, resource in pairs:
        theirs, query_s = pmapper_who_can(graph, args.account_dir, action, resource)
        q = {
            "action": action,
            "resource": resource,
            "pmapper": {"answer": len(theirs), "query_s": round(query_s, 3)},
        }
        if args.iampath:
            answer, median = iampath_who_can(
                args.iampath, args.account_dir, action, resource, args.runs
            )
            entries = {e["principal"]: e for e in answer.get("principals", [])}
            allowed = sum(1 for e in entries.values() if e.get("decision") == "allowed")
            q["iampath"] = {
                "answer": len(entries),
                "allowed": allowed,
                "conditional": len(entries) - allowed,
                "process_s_median": round(median, 4),
            }
            q["only_pmapper"] = sorted(set(theirs) - set(entries))
            more = Counter(
                why_more(e) for p, e in entries.items() if p not in set(theirs)
            )
            q["only_iampath_by_reason"] = dict(more.most_common())
            pm_s = nodes_s + edges_s + query_s
            q["times_faster_whole_process"] = round(pm_s / median)
        report["questions"].append(q)
    json.dump(report, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
