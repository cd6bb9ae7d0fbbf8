#!/usr/bin/env python3
"""Writes the privilege-escalation fixtures: tests/escalations/<case>/.

One folder per technique iampath models (every catalog id whose coverage is not
`NotModelled` or `AssumeRole`), named by the id, holding:

* `111111111111/iam.json`: a get-account-authorization-details export with the
  `attacker` (a user, or a role where the technique is about one's own role) holding
  exactly the permissions the technique needs, what the technique needs to exist, and
  the negatives that must not be listed (`fp-boundary`, `fp-deny`, `fp-resource`,
  `fp-passed-to`, `fp-slr`, `fp-aws-managed`, ...);
* `222222222222/iam.json`: the same attacker and targets in an account whose SCP denies
  one needed action (organization/ holds the tree and the policies, with FullAWSAccess
  and RCPFullAWSAccess attached where AWS attaches them);
* `expect.txt`: the right answers iampath gives (see tests/answers.rs), and
  (expect.txt holds every answer; none is pending)

Techniques that need an inventory export get `<id>-inventory/` (the resource running as
the role is listed: definite) and `<id>-inventory-absent/` (the export is loaded but
lists no such resource: nobody). A few folders hold one false positive or negative each
(`lambda-001-split-resource/`, ...). `iam-vulnerable/` is an account modelled on
BishopFox iam-vulnerable's default deployment (facts from its README and Terraform
modules, written here as data).

Run from anywhere: python3 tests/escalations/generate.py (rewrites every folder).
"""
import hashlib
import json
import os
import shutil
import textwrap

ROOT = os.path.dirname(os.path.abspath(__file__))
A, B, MGMT = "111111111111", "222222222222", "999999999999"
ORG_ID = "o-esc4l4t10n"
DATE = "2024-01-01T00:00:00Z"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
REGION = "us-east-1"


# ---------------------------------------------------------------------------
# Policy documents


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def one(v):
    """A one-element list as a scalar, as people write policies."""
    if isinstance(v, (list, tuple)):
        return v[0] if len(v) == 1 else list(v)
    return v


def allow(actions, resource="*", cond=None, sid=None, not_action=False):
    s = {}
    if sid:
        s["Sid"] = sid
    s["Effect"] = "Allow"
    s["NotAction" if not_action else "Action"] = one(actions)
    s["Resource"] = one(resource)
    if cond:
        s["Condition"] = cond
    return s


def deny(actions, resource="*", cond=None, sid=None, not_action=False):
    s = allow(actions, resource, cond, sid, not_action)
    s["Effect"] = "Deny"
    return s


def service_trust(*services):
    return doc({"Effect": "Allow", "Principal": {"Service": one(services)},
                "Action": "sts:AssumeRole"})


def aws_trust(*arns):
    return doc({"Effect": "Allow", "Principal": {"AWS": one(arns)},
                "Action": "sts:AssumeRole"})


ADMIN_DOC = doc(allow("*"))


def uid(prefix, arn):
    digest = hashlib.sha1(arn.encode()).hexdigest().upper()
    return (prefix + digest)[:21]


# ---------------------------------------------------------------------------
# One account's export


class Account:
    """Users, groups, roles, managed policies and inventory of one account."""

    def __init__(self, ident):
        self.id = ident
        self.users, self.groups, self.roles, self.policies = [], [], [], []
        self.inventory = {}  # service folder -> (file name, document)
        self.sources = []  # ARNs of the principals that play the attacker

    # ARNs
    def arn(self, kind, name, path="/"):
        return f"arn:aws:iam::{self.id}:{kind}{path}{name}"

    def policy_arn(self, name, path="/"):
        return self.arn("policy", name, path)

    def role_arn(self, name, path="/"):
        return self.arn("role", name, path)

    def user_arn(self, name, path="/"):
        return self.arn("user", name, path)

    def group_arn(self, name, path="/"):
        return self.arn("group", name, path)

    def profile_arn(self, name):
        return self.arn("instance-profile", name)

    def _policy(self, arn):
        return next((p for p in self.policies if p["Arn"] == arn), None)

    # Managed policies
    def managed(self, name, document, versions=(), default="v1", path="/"):
        """A customer-managed policy; `versions` are the other versions' documents
        (v2, v3, ...); `default` names the default one."""
        arn = self.policy_arn(name, path)
        if self._policy(arn):
            return arn
        docs = [document, *versions]
        self.policies.append({
            "PolicyName": name, "PolicyId": uid("ANPA", arn), "Arn": arn, "Path": path,
            "DefaultVersionId": default, "AttachmentCount": 0,
            "PermissionsBoundaryUsageCount": 0, "IsAttachable": True,
            "CreateDate": DATE, "UpdateDate": DATE,
            "PolicyVersionList": [
                {"Document": d, "VersionId": f"v{i + 1}",
                 "IsDefaultVersion": f"v{i + 1}" == default, "CreateDate": DATE}
                for i, d in enumerate(docs)]})
        return arn

    def administrator_access(self):
        """AWS's AdministratorAccess, as GAAD lists it when something has it attached."""
        if not self._policy(ADMIN):
            self.policies.append({
                "PolicyName": "AdministratorAccess", "PolicyId": "ANPAIWMBCKSKIEE64ZLYK",
                "Arn": ADMIN, "Path": "/", "DefaultVersionId": "v1", "AttachmentCount": 0,
                "PermissionsBoundaryUsageCount": 0, "IsAttachable": True,
                "CreateDate": "2015-02-06T18:39:46Z", "UpdateDate": "2015-02-06T18:39:46Z",
                "PolicyVersionList": [{"Document": ADMIN_DOC, "VersionId": "v1",
                                       "IsDefaultVersion": True,
                                       "CreateDate": "2015-02-06T18:39:46Z"}]})
        return ADMIN

    def _attach(self, arns, boundary=False):
        out = []
        for a in arns:
            if a == ADMIN:
                self.administrator_access()
            p = self._policy(a)
            if p:
                p["PermissionsBoundaryUsageCount" if boundary else "AttachmentCount"] += 1
            out.append({"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a})
        return out

    # Principals
    def user(self, name, inline=(), attached=(), groups=(), boundary=None, path="/",
             source=False):
        """`inline`: (name, document) pairs."""
        arn = self.user_arn(name, path)
        u = {"Path": path, "UserName": name, "UserId": uid("AIDA", arn), "Arn": arn,
             "CreateDate": DATE,
             "UserPolicyList": [{"PolicyName": n, "PolicyDocument": d} for n, d in inline],
             "GroupList": list(groups), "AttachedManagedPolicies": self._attach(attached)}
        if boundary:
            self._attach([boundary], boundary=True)
            u["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                        "PermissionsBoundaryArn": boundary}
        self.users.append(u)
        if source:
            self.sources.append(arn)
        return arn

    def group(self, name, inline=(), attached=(), path="/"):
        arn = self.group_arn(name, path)
        self.groups.append({
            "Path": path, "GroupName": name, "GroupId": uid("AGPA", arn), "Arn": arn,
            "CreateDate": DATE,
            "GroupPolicyList": [{"PolicyName": n, "PolicyDocument": d} for n, d in inline],
            "AttachedManagedPolicies": self._attach(attached)})
        return arn

    def role(self, name, trust, inline=(), attached=(), boundary=None, path="/",
             profile=None, source=False):
        """`profile`: the name of an instance profile holding the role."""
        arn = self.role_arn(name, path)
        r = {"Path": path, "RoleName": name, "RoleId": uid("AROA", arn), "Arn": arn,
             "CreateDate": DATE, "AssumeRolePolicyDocument": trust,
             "InstanceProfileList": [],
             "RolePolicyList": [{"PolicyName": n, "PolicyDocument": d} for n, d in inline],
             "AttachedManagedPolicies": self._attach(attached)}
        if profile:
            parn = self.profile_arn(profile)
            r["InstanceProfileList"].append({
                "Path": "/", "InstanceProfileName": profile,
                "InstanceProfileId": uid("AIPA", parn), "Arn": parn, "CreateDate": DATE,
                "Roles": [{"Path": path, "RoleName": name, "RoleId": r["RoleId"],
                           "Arn": arn, "CreateDate": DATE}]})
        if boundary:
            self._attach([boundary], boundary=True)
            r["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                        "PermissionsBoundaryArn": boundary}
        self.roles.append(r)
        if source:
            self.sources.append(arn)
        return arn

    def export(self):
        return {"UserDetailList": self.users, "GroupDetailList": self.groups,
                "RoleDetailList": self.roles, "Policies": self.policies}


# ---------------------------------------------------------------------------
# Inventory exports, in the shape the AWS CLI prints them


def lambda_functions(acct, functions):
    """`functions`: (name, role ARN) pairs; `aws lambda list-functions`."""
    return {"Functions": [{
        "FunctionName": n,
        "FunctionArn": f"arn:aws:lambda:{REGION}:{acct}:function:{n}",
        "Runtime": "python3.12", "Role": r, "Handler": "index.handler",
        "CodeSize": 312, "Description": "", "Timeout": 3, "MemorySize": 128,
        "LastModified": "2024-01-01T00:00:00.000+0000",
        "CodeSha256": "x8cP6pn0RMcS5Iu6hhCEFxUIqDdnHXR8Y8qKKTmBwNk=",
        "Version": "$LATEST", "TracingConfig": {"Mode": "PassThrough"},
        "RevisionId": "3c5b8a4e-0c4f-4a8e-9c68-1f0e7c2b8f10", "PackageType": "Zip",
        "Architectures": ["x86_64"], "EphemeralStorage": {"Size": 512}}
        for n, r in functions]}


def ec2_instances(acct, instances):
    """`instances`: (instance id, instance profile ARN) pairs; `aws ec2
    describe-instances`."""
    return {"Reservations": [{
        "ReservationId": "r-" + uid("", i)[:17].lower(), "OwnerId": acct, "Groups": [],
        "Instances": [{
            "InstanceId": i, "ImageId": "ami-0abcdef1234567890", "InstanceType": "t3.micro",
            "LaunchTime": DATE, "Placement": {"AvailabilityZone": f"{REGION}a",
                                              "GroupName": "", "Tenancy": "default"},
            "State": {"Code": 16, "Name": "running"},
            "IamInstanceProfile": {"Arn": p, "Id": uid("AIPA", p)},
            "Tags": [{"Key": "Name", "Value": i}]}]}
        for i, p in instances]}


def cloudformation_stacks(acct, stacks):
    """`stacks`: (name, service role ARN) pairs; `aws cloudformation describe-stacks`."""
    return {"Stacks": [{
        "StackId": f"arn:aws:cloudformation:{REGION}:{acct}:stack/{n}/"
                   "4c2b1d90-a8a1-11ee-9f3c-0a1b2c3d4e5f",
        "StackName": n, "CreationTime": DATE, "RollbackConfiguration": {},
        "StackStatus": "CREATE_COMPLETE", "DisableRollback": False,
        "NotificationARNs": [], "Capabilities": ["CAPABILITY_IAM"], "RoleARN": r,
        "Tags": [], "EnableTerminationProtection": False,
        "DriftInformation": {"StackDriftStatus": "NOT_CHECKED"}}
        for n, r in stacks]}


def codebuild_projects(acct, projects):
    """`projects`: (name, service role ARN) pairs; `aws codebuild batch-get-projects`."""
    return {"projects": [{
        "name": n, "arn": f"arn:aws:codebuild:{REGION}:{acct}:project/{n}",
        "source": {"type": "NO_SOURCE", "buildspec": "version: 0.2\n"},
        "artifacts": {"type": "NO_ARTIFACTS"},
        "environment": {"type": "LINUX_CONTAINER",
                        "image": "aws/codebuild/amazonlinux2-x86_64-standard:5.0",
                        "computeType": "BUILD_GENERAL1_SMALL"},
        "serviceRole": r, "timeoutInMinutes": 60, "tags": [], "created": DATE}
        for n, r in projects], "projectsNotFound": []}


def glue_dev_endpoints(acct, endpoints):
    """`endpoints`: (name, role ARN) pairs; `aws glue get-dev-endpoints`."""
    return {"DevEndpoints": [{
        "EndpointName": n, "RoleArn": r, "Status": "READY", "GlueVersion": "1.0",
        "NumberOfNodes": 2, "CreatedTimestamp": DATE}
        for n, r in endpoints]}


# ---------------------------------------------------------------------------
# Organizations


def org_policy(pid, name, ptype, content, aws_managed=False):
    kind = {"SERVICE_CONTROL_POLICY": "service_control_policy",
            "RESOURCE_CONTROL_POLICY": "resource_control_policy"}[ptype]
    arn = (f"arn:aws:organizations::aws:policy/{kind}/{pid}" if aws_managed else
           f"arn:aws:organizations::{MGMT}:policy/{ORG_ID}/{kind}/{pid}")
    return {"Policy": {"PolicySummary": {
        "Id": pid, "Arn": arn, "Name": name, "Description": "", "Type": ptype,
        "AwsManaged": aws_managed}, "Content": json.dumps(content)}}


FULL = ["p-FullAWSAccess", "p-RCPFullAWSAccess"]


def organization(scp_denies):
    """The tree: the management account at the root, 111111111111 and 222222222222 in
    an OU; 222222222222 also has an SCP denying `scp_denies`. Returns the files."""
    tree = {
        "managementAccount": MGMT, "organizationId": ORG_ID,
        "root": {"id": "r-e5c4", "policies": FULL,
                 "accounts": [{"id": MGMT, "policies": FULL}],
                 "children": [{
                     "id": "ou-e5c4-w0rk10ad", "name": "Workloads", "policies": FULL,
                     "accounts": [{"id": A, "policies": FULL},
                                  {"id": B, "policies": FULL + ["p-denyescalation"]}],
                     "children": []}]}}
    files = {
        "organization/organization.json": tree,
        "organization/policies/p-FullAWSAccess.json": org_policy(
            "p-FullAWSAccess", "FullAWSAccess", "SERVICE_CONTROL_POLICY",
            doc(allow("*")), aws_managed=True),
        "organization/policies/p-RCPFullAWSAccess.json": org_policy(
            "p-RCPFullAWSAccess", "RCPFullAWSAccess", "RESOURCE_CONTROL_POLICY",
            doc({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}),
            aws_managed=True),
        "organization/policies/p-denyescalation.json": org_policy(
            "p-denyescalation", "DenyEscalation", "SERVICE_CONTROL_POLICY",
            doc(deny(scp_denies, sid="DenyEscalation"))),
    }
    return files


# ---------------------------------------------------------------------------
# Writing


def dumps(obj, indent=0, width=110):
    """JSON with every object or array that fits in `width` columns on one line."""
    flat = json.dumps(obj)
    if len(flat) + indent <= width or not isinstance(obj, (dict, list)) or not obj:
        return flat
    pad = " " * (indent + 2)
    if isinstance(obj, dict):
        items = [f"{pad}{json.dumps(k)}: {dumps(v, indent + 2, width)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + dumps(v, indent + 2, width) for v in obj]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def write(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(obj if isinstance(obj, str) else dumps(obj) + "\n")


def write_case(name, accounts, expect, pending=None, org=None):
    """`accounts`: Account objects; `expect`/`pending`: the lines (str); `org`: the
    organization files."""
    base = os.path.join(ROOT, name)
    for a in accounts:
        write(os.path.join(base, a.id, "iam.json"), a.export())
        for service, (fname, obj) in sorted(a.inventory.items()):
            write(os.path.join(base, a.id, service, fname), obj)
    for rel, obj in (org or {}).items():
        write(os.path.join(base, rel), obj)
    # iampath once got the `pending` lines wrong; it gives them right now, so they
    # are checked like the others.
    if pending:
        expect = expect + "".join(
            line + "\n" for line in pending.splitlines()[1:] if line and not line.startswith("#"))
    write(os.path.join(base, "expect.txt"), expect)


# ---------------------------------------------------------------------------
# Cases


PROOF = "s3:DeleteBucket arn:aws:s3:::escalation-proof"


def acts_of(stmts):
    out = []
    for s in stmts:
        a = s.get("Action", [])
        for x in (a if isinstance(a, list) else [a]):
            if x not in out:
                out.append(x)
    return out


def short(action):
    return action.split(":", 1)[1]


def principal(ac, kind, name, stmts=(), trust=None, **kw):
    """A user or role (`kind`) with `stmts` as its inline policy `escalate`."""
    inline = [("escalate", doc(*stmts))] if stmts else []
    if kind == "user":
        return ac.user(name, inline=inline, **kw)
    return ac.role(name, trust or service_trust("ec2.amazonaws.com"), inline=inline, **kw)


class Case:
    """One fixture folder."""

    def __init__(self, name, comment):
        self.name = name
        self.comment = comment.strip()
        self.accounts = {}
        self.lines = []  # expect.txt
        self.pending = []  # expect.pending.txt
        self.org = None

    def account(self, ident):
        if ident not in self.accounts:
            self.accounts[ident] = Account(ident)
        return self.accounts[ident]

    def write(self):
        paragraphs = [" ".join(p.split()) for p in self.comment.split("\n\n") if p.strip()]
        text = "\n\n".join(textwrap.fill(p, 86, break_on_hyphens=False) for p in paragraphs)
        head = "".join(f"# {line}\n" if line else "#\n" for line in text.split("\n"))
        expect = head + "".join(line + "\n" for line in self.lines)
        pending = None
        if self.pending:
            pending = head + "".join(line + "\n" for line in self.pending)
        write_case(self.name, [self.accounts[k] for k in sorted(self.accounts)], expect,
                   pending, self.org)


def listed(entries):
    """`entries`: (ARN, decision, techniques) triples → the right side of an
    `escalations` line."""
    if not entries:
        return "nobody"
    return ", ".join(f"{arn}={d}" + (f"@{t}" if t else "") for arn, d, t in entries)


def build(case, scenario, scp, expect, negatives=True, extra_lines=(), wrong=None,
          checks=()):
    """Builds both accounts with `scenario(ac, negatives)`, which returns the attacker
    ARN; `expect(ac)` gives the (ARN, decision, techniques) entries of account A: the
    right answer.

    `wrong`: the ARNs of A whose answer iampath gets wrong. Then the `escalations` line
    and their `can` lines go to expect.pending.txt, and expect.txt checks, one `can`
    line each, the principals of `checks` (ARNs) that iampath gets right."""
    a = case.account(A)
    attacker = scenario(a, negatives)
    b = case.account(B)
    b_attacker = scenario(b, False)
    case.org = organization(scp)
    entries = expect(a)
    if callable(checks):
        checks = checks()

    def decision(arn):
        return next((d for x, d, _ in entries if x == arn), "denied")
    escalations = f"escalations => {listed(entries)}"
    if wrong is None:
        case.lines.append(escalations)
        case.lines.append(f"can {attacker} {PROOF} => {decision(attacker)}")
    else:
        case.pending.append(escalations)
        for arn in wrong:
            case.pending.append(f"can {arn} {PROOF} => {decision(arn)}")
        for arn in [attacker, *checks]:
            if arn not in wrong:
                case.lines.append(f"can {arn} {PROOF} => {decision(arn)}")
    case.lines.append(f"can {b_attacker} {PROOF} => denied")
    case.lines.extend(extra_lines)
    return attacker


CASES = []


def case(name, comment):
    c = Case(name, comment)
    CASES.append(c)
    return c


# ---------------------------------------------------------------------------
# A. IAM techniques


def arn_of(ac, kind, name):
    return ac.user_arn(name) if kind == "user" else ac.role_arn(name)


def standard(ac, kind, stmts, *, drop, deny_act, resource=None, negatives=True,
             kw=lambda name: {}):
    """The attacker with `stmts(ac, me)` and, with `negatives`, `fp-boundary` (a
    boundary without `drop`), `fp-deny` (`deny_act` denied by another policy) and
    `fp-resource` (`resource(ac, me)` instead of `stmts`). Returns the attacker ARN."""
    names = ["attacker"] + (["fp-boundary", "fp-deny"] if negatives else [])
    docs = {json.dumps(stmts(ac, arn_of(ac, kind, n))) for n in names}
    # The same permissions for all three: one customer-managed policy they share.
    shared = (ac.managed("escalate", doc(*stmts(ac, None))) if len(docs) == 1 and negatives
              else None)

    def make(name, s, **extra):
        args = dict(kw(name))
        args.update(extra)
        if shared and s is stmts:
            args["attached"] = [shared] + list(args.get("attached", []))
            return principal(ac, kind, name, (), **args)
        return principal(ac, kind, name, s(ac, arn_of(ac, kind, name)), **args)
    attacker = make("attacker", stmts, source=True)
    if not negatives:
        return attacker
    me = arn_of(ac, kind, "fp-boundary")
    keep = [x for x in acts_of(stmts(ac, me)) if x != drop]
    bnd = ac.managed(f"boundary-without-{short(drop)}",
                     doc(allow(keep or ["s3:ListAllMyBuckets"], sid="AllButOne")))
    make("fp-boundary", stmts, boundary=bnd, source=True)
    den = ac.managed(f"deny-{short(deny_act)}", doc(deny(deny_act, sid="Deny")))
    extra = dict(kw("fp-deny"))
    extra["attached"] = list(extra.get("attached", [])) + [den]
    make("fp-deny", stmts, **extra, source=True)
    if resource:
        make("fp-resource", resource, source=True)
    return attacker


def u(ac, name):
    return ac.user_arn(name)


def r(ac, name):
    return ac.role_arn(name)


# iam-001: CreatePolicyVersion on a customer-managed policy attached to oneself.
def iam_001():
    c = case("iam-001", """
iam-001: iam:CreatePolicyVersion on a customer-managed policy attached to oneself (its
new default version can allow anything). attacker and attacker-5-versions (5 versions,
so it also needs and has iam:DeletePolicyVersion) escalate. Not listed: fp-boundary
(boundary without CreatePolicyVersion), fp-deny (a Deny in another policy), fp-resource
(allowed only on a policy nobody holds), fp-aws-managed (allowed only on AWS-managed
policies, which cannot be versioned; iam-vulnerable fp4), fp-versions (5 versions and no
DeletePolicyVersion: AWS refuses a sixth), and 222222222222's attacker (SCP denies
iam:CreatePolicyVersion).""")

    def own(ac, name, extra_allow=(), versions=0):
        parn = ac.policy_arn(f"{name}-policy")
        body = doc(allow("iam:CreatePolicyVersion", parn), *extra_allow)
        old = [doc(allow("s3:ListAllMyBuckets"))] * versions
        return ac.managed(f"{name}-policy", body, versions=old)

    def scenario(ac, neg):
        me = ac.user("attacker", attached=[own(ac, "attacker")], source=True)
        if not neg:
            return me
        ac.user("attacker-5-versions", attached=[own(
            ac, "attacker-5-versions",
            [allow("iam:DeletePolicyVersion", ac.policy_arn("attacker-5-versions-policy"))],
            versions=4)], source=True)
        bnd = ac.managed("boundary-without-CreatePolicyVersion",
                         doc(allow("iam:GetPolicyVersion")))
        ac.user("fp-boundary", attached=[own(ac, "fp-boundary")], boundary=bnd)
        den = ac.managed("deny-CreatePolicyVersion", doc(deny("iam:CreatePolicyVersion")))
        ac.user("fp-deny", attached=[own(ac, "fp-deny"), den])
        nobody = ac.managed("unattached-policy", doc(allow("s3:ListAllMyBuckets")))
        held = ac.managed("fp-resource-policy", doc(allow("iam:CreatePolicyVersion", nobody)))
        ac.user("fp-resource", attached=[held])
        ac.user("fp-aws-managed", attached=["arn:aws:iam::aws:policy/IAMReadOnlyAccess"],
                inline=[("escalate", doc(allow("iam:CreatePolicyVersion",
                                               "arn:aws:iam::aws:policy/*")))])
        ac.user("fp-versions", attached=[own(ac, "fp-versions", versions=4)])
        return me

    build(c, scenario, ["iam:CreatePolicyVersion"], lambda ac: [
        (u(ac, "attacker"), "allowed", "iam-001"),
        (u(ac, "attacker-5-versions"), "allowed", "iam-001")])


def victim_user(ac, name="victim", admin=True):
    if admin:
        return ac.user(name, attached=[ADMIN])
    return ac.user(name, inline=[("read", doc(allow("s3:ListAllMyBuckets")))])


def other_user_case(tid, comment, actions, decision, *, drop=None, deny_act=None,
                    scp=None, positives=(), admin_victim=True, expect_extra=()):
    """iam-002/003/004/006: actions on another user (`victim`, an administrator)."""
    c = case(tid, comment)

    def scenario(ac, neg):
        victim_user(ac, admin=admin_victim)
        ac.user("bystander", inline=[("read", doc(allow("s3:ListAllMyBuckets")))])
        me = standard(ac, "user", lambda ac, me: [allow(actions, u(ac, "victim"))],
                      drop=drop or actions[-1], deny_act=deny_act or actions[0],
                      resource=lambda ac, me: [allow(actions, u(ac, "bystander"))],
                      negatives=neg)
        if neg:
            for name, acts in positives:
                ac.user(name, inline=[("escalate", doc(allow(acts, u(ac, "victim"))))],
                        source=True)
        return me

    build(c, scenario, scp or [actions[0]], lambda ac: [
        (u(ac, "attacker"), decision, tid),
        *[(u(ac, n), d, t) for n, d, t in expect_extra]])


def iam_self_user_case(tid, comment, action, *, resource_alt, attach=False, deny_act=None,
                       extra=None, expect_extra=()):
    """iam-007/008: `action` on one's own user."""
    c = case(tid, comment)

    def scenario(ac, neg):
        ac.user("bystander", inline=[("read", doc(allow("s3:ListAllMyBuckets")))])
        me = standard(ac, "user", lambda ac, me: [allow(action, me)], drop=action,
                      deny_act=deny_act or action,
                      resource=lambda ac, me: [allow(action, resource_alt(ac))],
                      negatives=neg)
        if neg and extra:
            extra(ac)
        return me

    build(c, scenario, [action], lambda ac: [
        (u(ac, "attacker"), "allowed", tid),
        *[(u(ac, n), d, t) for n, d, t in expect_extra]])


def iam_self_role_case(tid, comment, action):
    """iam-005/009: `action` on one's own role; fp-slr is a service-linked role that
    holds the same permission on itself."""
    c = case(tid, comment)

    def scenario(ac, neg):
        ac.role("bystander", service_trust("ec2.amazonaws.com"),
                inline=[("read", doc(allow("s3:ListAllMyBuckets")))])
        me = standard(ac, "role", lambda ac, me: [allow(action, me)], drop=action,
                      deny_act=action,
                      resource=lambda ac, me: [allow(action, r(ac, "bystander"))],
                      negatives=neg)
        if neg:
            path = "/aws-service-role/ec2.amazonaws.com/"
            ac.role("fp-slr", service_trust("ec2.amazonaws.com"), path=path,
                    inline=[("escalate", doc(allow(action, ac.role_arn("fp-slr", path))))])
        return me

    build(c, scenario, [action], lambda ac: [(r(ac, "attacker"), "allowed", tid)])


def group_case(tid, comment, action):
    """iam-010/011: `action` on a group one is in."""
    c = case(tid, comment)

    def scenario(ac, neg):
        ac.group("team", inline=[("read", doc(allow("s3:ListAllMyBuckets")))])
        ac.group("other-team")
        return standard(ac, "user", lambda ac, me: [allow(action, ac.group_arn("team"))],
                        drop=action, deny_act=action,
                        resource=lambda ac, me: [allow(action, ac.group_arn("other-team"))],
                        negatives=neg, kw=lambda name: {"groups": ["team"]})

    build(c, scenario, [action], lambda ac: [(u(ac, "attacker"), "allowed", tid)])


SLR_PATH = "/aws-service-role/ec2.amazonaws.com/"
SLR = "AWSServiceRoleForEscalationTest"


def slr(ac, trust="ec2.amazonaws.com", profile=None, attached=(ADMIN,), trust_doc=None,
        inline=()):
    """A service-linked role holding everything (as a fixture: AWS lets nobody change a
    service-linked role's trust or policies, so none of these techniques reach it)."""
    path = f"/aws-service-role/{trust}/"
    return ac.role(SLR, trust_doc or service_trust(trust), attached=list(attached), path=path,
                   profile=profile, inline=list(inline))


def role_target_case(tid, comment, actions, *, target_admin=True, trusted=False,
                     policy_target=False, drop=None, deny_act=None, scp=None,
                     boundary_target=False, slr_case=True, expect_technique=None,
                     resource=None, extra_lines=(), aws_managed=None):
    """Techniques on another role `Target`: `actions(ac)` → statements on it.
    `trusted`: Target trusts the attacker (and each negative) by ARN;
    `policy_target`: Target holds the customer-managed `target-policy`;
    `boundary_target`: Target has AdministratorAccess and a narrow boundary."""
    c = case(tid, comment)

    def scenario(ac, neg):
        names = ["attacker"] + (["fp-boundary", "fp-deny", "fp-resource"] if neg else [])
        trust = (aws_trust(*[u(ac, n) for n in names]) if trusted
                 else service_trust("ec2.amazonaws.com"))
        attached, inline, boundary = [], [("read", doc(allow("s3:ListAllMyBuckets")))], None
        if target_admin:
            attached = [ADMIN]
        if policy_target:
            attached.append(ac.managed("target-policy", doc(allow("s3:ListAllMyBuckets"))))
        if boundary_target:
            attached = [ADMIN]
            boundary = ac.managed("target-boundary", doc(allow("s3:ListAllMyBuckets")))
        ac.role("Target", trust, inline=inline, attached=attached, boundary=boundary)
        # What fp-resource may act on instead: a role it cannot become.
        ac.role("Other", service_trust("ec2.amazonaws.com"),
                inline=[("read", doc(allow("s3:ListAllMyBuckets")))],
                attached=([ac.managed("other-policy", doc(allow("s3:ListAllMyBuckets")))]
                          if policy_target else []),
                boundary=(ac.managed("other-boundary", doc(allow("s3:ListAllMyBuckets")))
                          if boundary_target else None))
        first = acts_of(actions(ac, "Target"))
        me = standard(ac, "user", lambda ac, me: actions(ac, "Target"),
                      drop=drop or first[0], deny_act=deny_act or first[0],
                      resource=resource or (lambda ac, me: actions(ac, "Other")),
                      negatives=neg)
        if neg and slr_case:
            extra = ([ac.managed("slr-policy", doc(allow("s3:ListAllMyBuckets")))]
                     if policy_target else [])
            if trusted:
                # A service-linked role whose trust (as a fixture) names fp-slr, so that
                # only the lock on its policies stops the boost.
                slr(ac, attached=extra, trust_doc=aws_trust(u(ac, "fp-slr")),
                    inline=[] if extra else [("read", doc(allow("s3:ListAllMyBuckets")))])
            else:
                slr(ac, attached=[ADMIN] + extra)
            ac.user("fp-slr", inline=[("escalate", doc(*actions(ac, None)))])
        if neg and aws_managed:
            ac.role("AwsManagedOnly", aws_trust(u(ac, "fp-aws-managed")) if trusted
                    else service_trust("ec2.amazonaws.com"),
                    attached=["arn:aws:iam::aws:policy/IAMReadOnlyAccess"])
            ac.user("fp-aws-managed", inline=[("escalate", doc(*aws_managed(ac)))])
        return me

    build(c, scenario, scp or [acts_of(actions(Account(A), "Target"))[0]], lambda ac: [
        (u(ac, "attacker"), "allowed", expect_technique or tid)], extra_lines=extra_lines)


def on_role(ac, name):
    """The role ARN a statement names: `None` is the service-linked role path."""
    if name is None:
        return ac.role_arn("*", SLR_PATH)
    return ac.role_arn(name)


def on_policy(ac, name):
    if name is None:
        return ac.policy_arn("slr-policy")
    return ac.policy_arn({"Target": "target-policy", "Other": "other-policy"}[name])


def iam_role_techniques():
    role_target_case("iam-012", """
iam-012: iam:UpdateAssumeRolePolicy on an administrator role (Target, trusting only
ec2.amazonaws.com): the attacker rewrites its trust to name itself and assumes it (no
sts:AssumeRole Allow is needed in the same account). Not listed: fp-boundary, fp-deny,
fp-resource (allowed only on a harmless role), fp-slr (allowed only on service-linked
roles, whose trust AWS locks), 222222222222's attacker (SCP denies the action).""",
        lambda ac, t: [allow("iam:UpdateAssumeRolePolicy", on_role(ac, t))])
    role_target_case("sts-004", """
sts-004: iam:UpdateAssumeRolePolicy, the catalog's duplicate of iam-012; iampath reports
the path as iam-012. Same negatives as iam-012.""",
        lambda ac, t: [allow("iam:UpdateAssumeRolePolicy", on_role(ac, t))],
        expect_technique="iam-012")
    role_target_case("iam-014", """
iam-014: iam:AttachRolePolicy on a role the attacker can assume (Target, no
administrator, trusting the attacker by ARN): it attaches AdministratorAccess, then
assumes it. Not listed: fp-boundary (boundary without AttachRolePolicy), fp-deny,
fp-resource (allowed only on a role it cannot assume), fp-slr (allowed only on
service-linked roles; one trusts it, as a fixture, but AWS refuses policy changes to
service-linked roles), 222222222222's attacker.""",
        lambda ac, t: [allow("iam:AttachRolePolicy", on_role(ac, t))],
        target_admin=False, trusted=True)
    role_target_case("iam-016", """
iam-016: iam:CreatePolicyVersion on the customer-managed policy of a role the attacker
can assume (Target holds target-policy and trusts the attacker). Not listed:
fp-boundary, fp-deny, fp-resource (allowed only on the policy of a role it cannot
assume), fp-slr (allowed only on the policy of a service-linked role that trusts it, as
a fixture), fp-aws-managed (allowed only on AWS-managed policies, which cannot be
versioned: the role it can assume holds only IAMReadOnlyAccess), 222222222222's
attacker.""",
        lambda ac, t: [allow("iam:CreatePolicyVersion", on_policy(ac, t))],
        target_admin=False, trusted=True, policy_target=True,
        aws_managed=lambda ac: [allow("iam:CreatePolicyVersion", "arn:aws:iam::aws:policy/*")])
    role_target_case("iam-017", """
iam-017: iam:PutRolePolicy on a role the attacker can assume. Not listed: fp-boundary,
fp-deny, fp-resource (allowed only on a role it cannot assume), fp-slr (allowed only on
service-linked roles; one trusts it, as a fixture), 222222222222's attacker.""",
        lambda ac, t: [allow("iam:PutRolePolicy", on_role(ac, t))],
        target_admin=False, trusted=True)
    role_target_case("iam-019", """
iam-019: iam:AttachRolePolicy and iam:UpdateAssumeRolePolicy on a role (Target, no
administrator): attach AdministratorAccess, rewrite the trust, assume. Not listed:
fp-boundary (boundary without AttachRolePolicy: only iam-012 to a non-administrator),
fp-deny, fp-resource (AttachRolePolicy only on another role, so it can take Target over
but not change it), fp-slr (both on service-linked roles), 222222222222's attacker.""",
        lambda ac, t: [allow(["iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy"],
                             on_role(ac, t))],
        resource=lambda ac, me: [allow("iam:AttachRolePolicy", r(ac, "Other")),
                                 allow("iam:UpdateAssumeRolePolicy", r(ac, "Target"))],
        target_admin=False, drop="iam:AttachRolePolicy", deny_act="iam:AttachRolePolicy",
        scp=["iam:AttachRolePolicy"])
    role_target_case("iam-020", """
iam-020: iam:CreatePolicyVersion on the customer-managed policy of a role, and
iam:UpdateAssumeRolePolicy on it. Not listed: fp-boundary (no CreatePolicyVersion),
fp-deny, fp-resource (CreatePolicyVersion only on another role's policy), fp-slr (the
service-linked role's trust is locked), fp-aws-managed (CreatePolicyVersion only on
AWS-managed policies: it can take over a role holding only IAMReadOnlyAccess, no
administrator), 222222222222's attacker.""",
        lambda ac, t: [allow("iam:CreatePolicyVersion", on_policy(ac, t)),
                       allow("iam:UpdateAssumeRolePolicy", on_role(ac, t))],
        resource=lambda ac, me: [allow("iam:CreatePolicyVersion", on_policy(ac, "Other")),
                                 allow("iam:UpdateAssumeRolePolicy", r(ac, "Target"))],
        aws_managed=lambda ac: [allow("iam:CreatePolicyVersion", "arn:aws:iam::aws:policy/*"),
                                allow("iam:UpdateAssumeRolePolicy", r(ac, "AwsManagedOnly"))],
        target_admin=False, policy_target=True)
    role_target_case("iam-021", """
iam-021: iam:PutRolePolicy and iam:UpdateAssumeRolePolicy on a role. Not listed:
fp-boundary (no PutRolePolicy), fp-deny, fp-resource (PutRolePolicy only on another
role), fp-slr, 222222222222's attacker.""",
        lambda ac, t: [allow(["iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"],
                             on_role(ac, t))],
        resource=lambda ac, me: [allow("iam:PutRolePolicy", r(ac, "Other")),
                                 allow("iam:UpdateAssumeRolePolicy", r(ac, "Target"))],
        target_admin=False, drop="iam:PutRolePolicy", deny_act="iam:PutRolePolicy",
        scp=["iam:PutRolePolicy"])
    role_target_case("iam-023", """
iam-023: iam:DeleteRolePermissionsBoundary on a role the attacker can assume (Target has
AdministratorAccess capped by a narrow boundary). Not listed: fp-boundary, fp-deny,
fp-resource (on a bounded role it cannot assume), 222222222222's attacker.""",
        lambda ac, t: [allow("iam:DeleteRolePermissionsBoundary", on_role(ac, t))],
        target_admin=False, trusted=True, boundary_target=True, slr_case=False)


def iam_user_techniques():
    other_user_case("iam-002", """
iam-002: iam:CreateAccessKey for another user (victim, an administrator): conditional,
because a user holds at most 2 keys and the export does not say how many it has (the
credential report does). Not listed: fp-boundary, fp-deny, fp-resource (allowed only on
a harmless user), 222222222222's attacker (SCP denies iam:CreateAccessKey).""",
        ["iam:CreateAccessKey"], "conditional")
    other_user_case("iam-003", """
iam-003: iam:CreateAccessKey and iam:DeleteAccessKey for another user: allowed whatever
its key count. fp-boundary's boundary lacks DeleteAccessKey, so it keeps iam-002
(conditional on the key count): listed as that. Not listed: fp-deny (CreateAccessKey
denied), fp-resource (both on a harmless user), 222222222222's attacker (SCP denies
iam:CreateAccessKey).""",
        ["iam:CreateAccessKey", "iam:DeleteAccessKey"], "allowed",
        drop="iam:DeleteAccessKey", deny_act="iam:CreateAccessKey",
        expect_extra=[("fp-boundary", "conditional", "iam-002")])
    other_user_case("iam-004", """
iam-004: iam:CreateLoginProfile for another user: conditional on the user having no
console password (the export does not say). attacker-both also holds
iam:UpdateLoginProfile, so one of the two works whatever the state: allowed. Not listed:
fp-boundary, fp-deny, fp-resource (on a harmless user), 222222222222's attacker.""",
        ["iam:CreateLoginProfile"], "conditional",
        positives=[("attacker-both", ["iam:CreateLoginProfile", "iam:UpdateLoginProfile"])],
        expect_extra=[("attacker-both", "allowed", "iam-004")])
    other_user_case("iam-006", """
iam-006: iam:UpdateLoginProfile of another user: conditional on the user having a
console password. Not listed: fp-boundary, fp-deny, fp-resource (on a harmless user),
222222222222's attacker.""",
        ["iam:UpdateLoginProfile"], "conditional")

    iam_self_role_case("iam-005", """
iam-005: iam:PutRolePolicy on its own role. Not listed: fp-boundary, fp-deny,
fp-resource (allowed only on another role it cannot become), fp-slr (a service-linked
role allowed it on itself: AWS refuses to change a service-linked role's policies),
222222222222's attacker (SCP denies iam:PutRolePolicy).""", "iam:PutRolePolicy")
    iam_self_role_case("iam-009", """
iam-009: iam:AttachRolePolicy on its own role (AdministratorAccess). Not listed:
fp-boundary, fp-deny, fp-resource (on another role), fp-slr (a service-linked role),
222222222222's attacker.""", "iam:AttachRolePolicy")

    iam_self_user_case("iam-007", """
iam-007: iam:PutUserPolicy on itself. Not listed: fp-boundary, fp-deny, fp-resource
(allowed only on another, harmless user), 222222222222's attacker (SCP denies
iam:PutUserPolicy).""", "iam:PutUserPolicy", resource_alt=lambda ac: u(ac, "bystander"))

    def policy_arn_limited(ac):
        ac.user("fp-policyarn", inline=[("escalate", doc(allow(
            "iam:AttachUserPolicy", u(ac, "fp-policyarn"),
            {"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}})))])
    iam_self_user_case("iam-008", """
iam-008: iam:AttachUserPolicy on itself, with iam:PolicyARN = AdministratorAccess. Not
listed: fp-boundary, fp-deny, fp-resource (on another user), fp-policyarn (may attach
only ReadOnlyAccess), 222222222222's attacker.""", "iam:AttachUserPolicy",
        resource_alt=lambda ac: u(ac, "bystander"), extra=policy_arn_limited)

    group_case("iam-010", """
iam-010: iam:AttachGroupPolicy on a group it is in (team). Not listed: fp-boundary,
fp-deny, fp-resource (allowed only on a group it is not in), 222222222222's
attacker.""", "iam:AttachGroupPolicy")
    group_case("iam-011", """
iam-011: iam:PutGroupPolicy on a group it is in (team). Not listed: fp-boundary,
fp-deny, fp-resource (allowed only on a group it is not in), 222222222222's
attacker.""", "iam:PutGroupPolicy")

    c = case("iam-013", """
iam-013: iam:AddUserToGroup of itself to a group with AdministratorAccess (admins). Not
listed: fp-boundary, fp-deny, fp-resource (allowed only on a group with read access),
222222222222's attacker (SCP denies iam:AddUserToGroup).""")

    def scenario13(ac, neg):
        ac.group("admins", attached=[ADMIN])
        ac.group("readers", inline=[("read", doc(allow("s3:ListAllMyBuckets")))])
        return standard(ac, "user", lambda ac, me: [allow("iam:AddUserToGroup",
                                                          ac.group_arn("admins"))],
                        drop="iam:AddUserToGroup", deny_act="iam:AddUserToGroup",
                        resource=lambda ac, me: [allow("iam:AddUserToGroup",
                                                       ac.group_arn("readers"))],
                        negatives=neg)
    build(c, scenario13, ["iam:AddUserToGroup"],
          lambda ac: [(u(ac, "attacker"), "allowed", "iam-013")])

    for tid, give, what in [("iam-015", "iam:AttachUserPolicy", "AttachUserPolicy"),
                            ("iam-018", "iam:PutUserPolicy", "PutUserPolicy")]:
        c = case(tid, f"""
{tid}: iam:{what} on another user (victim, no administrator), then
iam:CreateAccessKey for it: conditional on its key count. attacker-delete-key also
holds iam:DeleteAccessKey: allowed. Not listed: fp-boundary (no {what}: only iam-002
to a non-administrator), fp-deny, fp-resource ({what} only on another user),
222222222222's attacker (SCP denies iam:{what}).""")

        def scenario(ac, neg, give=give):
            victim_user(ac, admin=False)
            ac.user("bystander", inline=[("read", doc(allow("s3:ListAllMyBuckets")))])
            me = standard(ac, "user", lambda ac, me: [
                allow([give, "iam:CreateAccessKey"], u(ac, "victim"))],
                drop=give, deny_act=give,
                resource=lambda ac, me: [allow(give, u(ac, "bystander")),
                                         allow("iam:CreateAccessKey", u(ac, "victim"))],
                negatives=neg)
            if neg:
                ac.user("attacker-delete-key", inline=[("escalate", doc(allow(
                    [give, "iam:CreateAccessKey", "iam:DeleteAccessKey"],
                    u(ac, "victim"))))], source=True)
            return me
        build(c, scenario, [give], lambda ac, tid=tid: [
            (u(ac, "attacker"), "conditional", tid),
            (u(ac, "attacker-delete-key"), "allowed", tid)])

    # iam-022 / iam-024: its own boundary.
    for tid, action, cond in [
            ("iam-022", "iam:DeleteUserPermissionsBoundary", None),
            ("iam-024", "iam:PutUserPermissionsBoundary", None)]:
        c = case(tid, f"""
{tid}: {action} on itself: attacker holds AdministratorAccess capped by a
boundary that allows only that action. Not listed: fp-boundary (its boundary lacks it),
fp-deny (denied by another policy), fp-resource (its boundary allows it only on another
user), {"fp-boundary-arn (may set only a narrow policy as its boundary), " if tid == "iam-024" else ""}222222222222's attacker (SCP denies it).""")

        def scenario(ac, neg, action=action, tid=tid):
            def bounded(name, stmts, attached=()):
                bnd = ac.managed(f"boundary-{name}", doc(*stmts))
                return ac.user(name, attached=[ADMIN, *attached], boundary=bnd, source=True)
            me = bounded("attacker", [allow(action, u(ac, "attacker"))])
            if not neg:
                return me
            bounded("fp-boundary", [allow("s3:ListAllMyBuckets")])
            bounded("fp-deny", [allow(action, u(ac, "fp-deny"))],
                    attached=[ac.managed(f"deny-{short(action)}", doc(deny(action)))])
            ac.user("bystander", inline=[("read", doc(allow("s3:ListAllMyBuckets")))])
            bounded("fp-resource", [allow(action, u(ac, "bystander"))])
            if tid == "iam-024":
                narrow = ac.managed("narrow-boundary", doc(allow("s3:ListAllMyBuckets")))
                bounded("fp-boundary-arn", [allow(action, u(ac, "fp-boundary-arn"), {
                    "ArnEquals": {"iam:PermissionsBoundary": narrow}})])
            return me
        build(c, scenario, [action], lambda ac, tid=tid: [(u(ac, "attacker"), "allowed", tid)])

    # iam-025 / iam-026: removing its own Deny.
    for tid, action, managed in [("iam-025", "iam:DetachUserPolicy", True),
                                 ("iam-026", "iam:DeleteUserPolicy", False)]:
        where = "an attached customer-managed policy" if managed else "an inline policy"
        c = case(tid, f"""
{tid}: {action} of its own Deny: attacker holds AdministratorAccess and {where}
denying everything but {action}; without that policy it is an administrator. Not
listed: fp-boundary (a boundary allowing everything but {action}), fp-deny (a
second Deny of {action} it cannot remove), fp-resource (its Deny leaves {action}
only on another user), 222222222222's attacker (SCP denies {action}).""")

        def scenario(ac, neg, action=action, managed=managed):
            def denied(name, stmts, boundary=None, extra_inline=()):
                d = doc(*stmts)
                if managed:
                    pol = ac.managed(f"deny-{name}", d)
                    return ac.user(name, attached=[ADMIN, pol], boundary=boundary,
                                   inline=list(extra_inline), source=True)
                return ac.user(name, attached=[ADMIN], boundary=boundary,
                               inline=[("deny-most", d), *extra_inline], source=True)
            most = deny(action, not_action=True, sid="AllButRemoval")
            me = denied("attacker", [most])
            if not neg:
                return me
            bnd = ac.managed(f"boundary-without-{short(action)}",
                             doc(allow(action, not_action=True)))
            denied("fp-boundary", [most], boundary=bnd)
            second = doc(deny(action, sid="NoRemoval"))
            if managed:
                denied("fp-deny", [most], extra_inline=[("no-removal", second)])
            else:
                pol = ac.managed("no-removal", second)
                ac.user("fp-deny", attached=[ADMIN, pol], inline=[("deny-most", doc(most))],
                        source=True)
            ac.user("bystander", inline=[("read", doc(allow("s3:ListAllMyBuckets")))])
            elsewhere = {"Sid": "OnlyOnBystander", "Effect": "Deny", "Action": action,
                         "NotResource": u(ac, "bystander")}
            denied("fp-resource", [most, elsewhere])
            return me
        build(c, scenario, [action], lambda ac, tid=tid: [(u(ac, "attacker"), "allowed", tid)])


def iam_other_techniques():
    c = case("X-01", """
X-01: iam:SetDefaultPolicyVersion on a customer-managed policy attached to itself whose
other version (v2) allows everything. Not listed: fp-boundary, fp-deny, fp-resource
(allowed only on a policy with an allow-all v2 that nobody holds), fp-aws-managed
(allowed only on AWS-managed policies, whose default customers cannot set), fp-versions
(its other version allows only s3:ListAllMyBuckets: a gain, not an administrator),
222222222222's attacker (SCP denies iam:SetDefaultPolicyVersion).""")

    def scenario_x01(ac, neg):
        def own(name, other=ADMIN_DOC):
            parn = ac.policy_arn(f"{name}-policy")
            return ac.managed(f"{name}-policy",
                              doc(allow("iam:SetDefaultPolicyVersion", parn)), versions=[other])
        me = ac.user("attacker", attached=[own("attacker")], source=True)
        if not neg:
            return me
        bnd = ac.managed("boundary-without-SetDefaultPolicyVersion",
                         doc(allow("iam:GetPolicyVersion")))
        ac.user("fp-boundary", attached=[own("fp-boundary")], boundary=bnd)
        den = ac.managed("deny-SetDefaultPolicyVersion",
                         doc(deny("iam:SetDefaultPolicyVersion")))
        ac.user("fp-deny", attached=[own("fp-deny"), den])
        nobody = ac.managed("unattached-policy", doc(allow("s3:ListAllMyBuckets")),
                            versions=[ADMIN_DOC])
        held = ac.managed("fp-resource-policy",
                          doc(allow("iam:SetDefaultPolicyVersion", nobody)))
        ac.user("fp-resource", attached=[held])
        ac.user("fp-aws-managed", attached=["arn:aws:iam::aws:policy/IAMReadOnlyAccess"],
                inline=[("escalate", doc(allow("iam:SetDefaultPolicyVersion",
                                               "arn:aws:iam::aws:policy/*")))])
        ac.user("fp-versions", attached=[own("fp-versions",
                                             doc(allow("s3:ListAllMyBuckets")))])
        return me
    build(c, scenario_x01, ["iam:SetDefaultPolicyVersion"],
          lambda ac: [(u(ac, "attacker"), "allowed", "X-01")])

    c = case("X-08", """
X-08: a principal of its own making: attacker may iam:CreateRole and iam:PutRolePolicy
(the new role's trust names it); attacker-user may iam:CreateUser, iam:CreateAccessKey
and iam:AttachUserPolicy. Not listed: fp-boundary (no PutRolePolicy), fp-deny
(CreateRole denied), fp-resource (CreateRole only for role/build-*, PutRolePolicy only
for role/run-*: no one name fits both), 222222222222's attacker (SCP denies
iam:CreateRole).""")

    def scenario_x08(ac, neg):
        roles = ac.role_arn("*")
        me = standard(ac, "user", lambda ac, me: [allow(["iam:CreateRole", "iam:PutRolePolicy"],
                                                        roles)],
                      drop="iam:PutRolePolicy", deny_act="iam:CreateRole",
                      resource=lambda ac, me: [
                          allow("iam:CreateRole", ac.role_arn("build-*")),
                          allow("iam:PutRolePolicy", ac.role_arn("run-*"))],
                      negatives=neg)
        if neg:
            # Only on users it makes (new-*): on itself, iam-008 would be shorter.
            ac.user("attacker-user", inline=[("escalate", doc(allow(
                ["iam:CreateUser", "iam:CreateAccessKey", "iam:AttachUserPolicy"],
                ac.user_arn("new-*"))))], source=True)
        return me
    build(c, scenario_x08, ["iam:CreateRole"], lambda ac: [
        (u(ac, "attacker"), "allowed", "X-08"), (u(ac, "attacker-user"), "allowed", "X-08")])

    c = case("X-13", """
X-13: its own role's boundary: attacker (a role with AdministratorAccess capped by a
boundary allowing only iam:DeleteRolePermissionsBoundary on itself) deletes it;
attacker-put replaces it (iam:PutRolePermissionsBoundary). Not listed: fp-boundary (its
boundary allows neither), fp-deny, fp-resource (its boundary allows the deletion only
on another role), 222222222222's attacker (SCP denies
iam:DeleteRolePermissionsBoundary).""")

    def scenario_x13(ac, neg):
        def bounded(name, stmts, attached=()):
            bnd = ac.managed(f"boundary-{name}", doc(*stmts))
            return ac.role(name, service_trust("ec2.amazonaws.com"), attached=[ADMIN, *attached],
                           boundary=bnd, source=True)
        delete = "iam:DeleteRolePermissionsBoundary"
        me = bounded("attacker", [allow(delete, r(ac, "attacker"))])
        if not neg:
            return me
        bounded("attacker-put", [allow("iam:PutRolePermissionsBoundary", r(ac, "attacker-put"))])
        bounded("fp-boundary", [allow("s3:ListAllMyBuckets")])
        bounded("fp-deny", [allow(delete, r(ac, "fp-deny"))],
                attached=[ac.managed("deny-DeleteRolePermissionsBoundary", doc(deny(delete)))])
        ac.role("bystander", service_trust("ec2.amazonaws.com"),
                inline=[("read", doc(allow("s3:ListAllMyBuckets")))])
        bounded("fp-resource", [allow(delete, r(ac, "bystander"))])
        return me
    build(c, scenario_x13, ["iam:DeleteRolePermissionsBoundary"], lambda ac: [
        (r(ac, "attacker"), "allowed", "X-13"), (r(ac, "attacker-put"), "allowed", "X-13")])

    c = case("X-14", """
X-14: removing its own Deny from a role or a group: attacker (a role with
AdministratorAccess and an attached policy denying everything but
iam:DetachRolePolicy) detaches it; attacker-inline deletes its inline Deny
(iam:DeleteRolePolicy); attacker-group (a user with AdministratorAccess in group
restricted, whose policy denies everything but iam:RemoveUserFromGroup) leaves the
group. Not listed: fp-boundary (a boundary without DetachRolePolicy), fp-deny (a second
Deny it cannot remove), fp-resource (its Deny leaves DetachRolePolicy only on another
role), 222222222222's attacker (SCP denies iam:DetachRolePolicy).""")

    def scenario_x14(ac, neg):
        detach = "iam:DetachRolePolicy"
        trust = service_trust("ec2.amazonaws.com")

        def denied(name, stmts, boundary=None, inline=()):
            pol = ac.managed(f"deny-{name}", doc(*stmts))
            return ac.role(name, trust, attached=[ADMIN, pol], boundary=boundary,
                           inline=list(inline), source=True)
        most = deny(detach, not_action=True, sid="AllButDetach")
        me = denied("attacker", [most])
        if not neg:
            return me
        ac.role("attacker-inline", trust, attached=[ADMIN], source=True, inline=[(
            "deny-most", doc(deny("iam:DeleteRolePolicy", not_action=True)))])
        ac.group("restricted", inline=[("deny-most", doc(
            deny("iam:RemoveUserFromGroup", not_action=True)))])
        ac.user("attacker-group", attached=[ADMIN], groups=["restricted"], source=True)
        bnd = ac.managed("boundary-without-DetachRolePolicy",
                         doc(allow(detach, not_action=True)))
        denied("fp-boundary", [most], boundary=bnd)
        denied("fp-deny", [most], inline=[("no-detach", doc(deny(detach)))])
        ac.role("bystander", trust, inline=[("read", doc(allow("s3:ListAllMyBuckets")))])
        denied("fp-resource", [most, {"Effect": "Deny", "Action": detach,
                                      "NotResource": r(ac, "bystander")}])
        return me
    build(c, scenario_x14, ["iam:DetachRolePolicy"], lambda ac: [
        (r(ac, "attacker"), "allowed", "X-14"), (r(ac, "attacker-inline"), "allowed", "X-14"),
        (u(ac, "attacker-group"), "allowed", "X-14")])


# ---------------------------------------------------------------------------
# C, D. PassRole to a service that runs code with the role

# (id, PassedToService values, service principals the role trusts, actions, instance
# profile: "needed" | "missing" | None, decision, why conditional)
UNCONFIRMED = "the right iam:PassedToService value is unconfirmed for the service"
PASS_ROWS = [
    ("apprunner-001", ["apprunner.amazonaws.com"], ["tasks.apprunner.amazonaws.com"],
     ["apprunner:CreateService"], None, "allowed", None),
    ("bedrock-001", ["bedrock-agentcore.amazonaws.com"], ["bedrock-agentcore.amazonaws.com"],
     ["bedrock-agentcore:CreateCodeInterpreter", "bedrock-agentcore:StartCodeInterpreterSession",
      "bedrock-agentcore:InvokeCodeInterpreter"], None, "allowed", None),
    ("bedrock-003", ["bedrock-agentcore.amazonaws.com"], ["bedrock-agentcore.amazonaws.com"],
     ["bedrock-agentcore:CreateAgentRuntime", "bedrock-agentcore:CreateAgentRuntimeEndpoint",
      "bedrock-agentcore:CreateWorkloadIdentity",
      "bedrock-agentcore:InvokeAgentRuntimeCommand"], None, "allowed", None),
    ("bedrock-005", ["bedrock-agentcore.amazonaws.com"], ["bedrock-agentcore.amazonaws.com"],
     ["bedrock-agentcore:CreateHarness", "bedrock-agentcore:CreateAgentRuntime",
      "bedrock-agentcore:CreateAgentRuntimeEndpoint", "bedrock-agentcore:CreateWorkloadIdentity",
      "bedrock-agentcore:GetAgentRuntime", "bedrock-agentcore:GetHarness",
      "bedrock-agentcore:InvokeAgentRuntimeCommand"], None, "allowed", None),
    ("bedrock-006", ["bedrock-agentcore.amazonaws.com"], ["bedrock-agentcore.amazonaws.com"],
     ["bedrock-agentcore:CreateBrowser", "bedrock-agentcore:StartBrowserSession",
      "bedrock-agentcore:ConnectBrowserAutomationStream"], None, "allowed", None),
    ("batch-003", ["batch.amazonaws.com", "ecs-tasks.amazonaws.com"], ["ecs-tasks.amazonaws.com"],
     ["batch:CreateComputeEnvironment", "batch:CreateJobQueue", "batch:RegisterJobDefinition",
      "batch:SubmitJob"], None, "conditional", UNCONFIRMED),
    ("braket-001", ["braket.amazonaws.com"], ["braket.amazonaws.com"],
     ["braket:CreateJob"], None, "allowed", None),
    ("cloudformation-001", ["cloudformation.amazonaws.com"], ["cloudformation.amazonaws.com"],
     ["cloudformation:CreateStack"], None, "allowed", None),
    ("codebuild-001", ["codebuild.amazonaws.com"], ["codebuild.amazonaws.com"],
     ["codebuild:CreateProject", "codebuild:StartBuild"], None, "allowed", None),
    ("codebuild-004", ["codebuild.amazonaws.com"], ["codebuild.amazonaws.com"],
     ["codebuild:CreateProject", "codebuild:StartBuildBatch"], None, "allowed", None),
    ("datapipeline-001", ["datapipeline.amazonaws.com", "elasticmapreduce.amazonaws.com"],
     ["datapipeline.amazonaws.com", "elasticmapreduce.amazonaws.com"],
     ["datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition",
      "datapipeline:ActivatePipeline"], None, "conditional", UNCONFIRMED),
    ("ec2-001", ["ec2.amazonaws.com"], ["ec2.amazonaws.com"],
     ["ec2:RunInstances"], "needed", "allowed", None),
    ("ec2-004", ["ec2.amazonaws.com"], ["ec2.amazonaws.com"],
     ["ec2:RequestSpotInstances"], "needed", "allowed", None),
    ("ecs-001", ["ecs-tasks.amazonaws.com"], ["ecs-tasks.amazonaws.com"],
     ["ecs:CreateCluster", "ecs:RegisterTaskDefinition", "ecs:CreateService"], None,
     "allowed", None),
    ("ecs-002", ["ecs-tasks.amazonaws.com"], ["ecs-tasks.amazonaws.com"],
     ["ecs:CreateCluster", "ecs:RegisterTaskDefinition", "ecs:RunTask"], None, "allowed", None),
    ("glue-001", ["glue.amazonaws.com"], ["glue.amazonaws.com"],
     ["glue:CreateDevEndpoint"], None, "allowed", None),
    ("glue-003", ["glue.amazonaws.com"], ["glue.amazonaws.com"],
     ["glue:CreateJob", "glue:StartJobRun"], None, "allowed", None),
    ("glue-004", ["glue.amazonaws.com"], ["glue.amazonaws.com"],
     ["glue:CreateJob", "glue:CreateTrigger"], None, "allowed", None),
    ("glue-007", ["glue.amazonaws.com"], ["glue.amazonaws.com"],
     ["glue:CreateSession", "glue:RunStatement"], None, "allowed", None),
    ("lambda-001", ["lambda.amazonaws.com"], ["lambda.amazonaws.com"],
     ["lambda:CreateFunction", "lambda:InvokeFunction"], None, "allowed", None),
    ("lambda-002", ["lambda.amazonaws.com"], ["lambda.amazonaws.com"],
     ["lambda:CreateFunction", "lambda:CreateEventSourceMapping"], None, "conditional",
     "an event source the role can read must exist"),
    ("lambda-006", ["lambda.amazonaws.com"], ["lambda.amazonaws.com"],
     ["lambda:CreateFunction", "lambda:AddPermission"], None, "allowed", None),
    ("sagemaker-001", ["sagemaker.amazonaws.com"], ["sagemaker.amazonaws.com"],
     ["sagemaker:CreateNotebookInstance", "sagemaker:CreatePresignedNotebookInstanceUrl"],
     None, "allowed", None),
    ("sagemaker-002", ["sagemaker.amazonaws.com"], ["sagemaker.amazonaws.com"],
     ["sagemaker:CreateTrainingJob"], None, "allowed", None),
    ("sagemaker-003", ["sagemaker.amazonaws.com"], ["sagemaker.amazonaws.com"],
     ["sagemaker:CreateProcessingJob"], None, "allowed", None),
    ("ssm-003", ["ssm.amazonaws.com"], ["ssm.amazonaws.com"],
     ["ssm:CreateDocument", "ssm:StartAutomationExecution"], None, "allowed", None),
    ("stepfunctions-001", ["states.amazonaws.com"], ["states.amazonaws.com"],
     ["states:CreateStateMachine", "states:StartExecution"], None, "allowed", None),
    ("scheduler-001", ["scheduler.amazonaws.com"], ["scheduler.amazonaws.com"],
     ["scheduler:CreateSchedule"], None, "allowed", None),
    ("emr-001", ["ec2.amazonaws.com"], ["ec2.amazonaws.com"],
     ["elasticmapreduce:RunJobFlow"], "needed", "allowed", None),
    ("emrserverless-001", ["emr-serverless.amazonaws.com"], ["emr-serverless.amazonaws.com"],
     ["emr-serverless:CreateApplication", "emr-serverless:StartJobRun"], None, "allowed", None),
    ("gamelift-001", ["gamelift.amazonaws.com", "ec2.amazonaws.com"], ["ec2.amazonaws.com"],
     ["gamelift:CreateBuild", "gamelift:RequestUploadCredentials", "gamelift:CreateFleet"],
     None, "conditional", UNCONFIRMED),
    ("imagebuilder-001", ["ec2.amazonaws.com"], ["ec2.amazonaws.com"],
     ["imagebuilder:CreateComponent", "imagebuilder:CreateImageRecipe",
      "imagebuilder:CreateInfrastructureConfiguration", "imagebuilder:CreateImage"], "needed",
     "allowed", None),
    ("kinesisanalytics-001", ["kinesisanalytics.amazonaws.com"],
     ["kinesisanalytics.amazonaws.com"],
     ["kinesisanalytics:CreateApplication", "kinesisanalytics:StartApplication"], None,
     "allowed", None),
    ("omics-001", ["omics.amazonaws.com"], ["omics.amazonaws.com"],
     ["omics:CreateWorkflow", "omics:StartRun", "s3:GetObject"], None, "allowed", None),
    ("X-05", ["ec2.amazonaws.com"], ["ec2.amazonaws.com"],
     ["autoscaling:CreateLaunchConfiguration", "autoscaling:CreateAutoScalingGroup"], "needed",
     "allowed", None),
    ("X-06", ["ec2.amazonaws.com"], ["ec2.amazonaws.com"],
     ["ec2:RunInstances", "ec2:AssociateIamInstanceProfile"], "needed", "allowed", None),
    ("X-07", ["ec2.amazonaws.com"], ["ec2.amazonaws.com"],
     ["iam:CreateInstanceProfile", "iam:AddRoleToInstanceProfile", "ec2:RunInstances"],
     "missing", "allowed", None),
    # D: into infrastructure that must exist already (no export iampath reads shows it).
    ("batch-001", ["batch.amazonaws.com", "ecs-tasks.amazonaws.com"], ["ecs-tasks.amazonaws.com"],
     ["batch:RegisterJobDefinition", "batch:SubmitJob"], None, "conditional",
     "a Batch job queue must exist (and " + UNCONFIRMED + ")"),
    ("ecs-003", ["ecs-tasks.amazonaws.com"], ["ecs-tasks.amazonaws.com"],
     ["ecs:RegisterTaskDefinition", "ecs:CreateService"], None, "conditional",
     "an ECS cluster must exist"),
    ("ecs-004", ["ecs-tasks.amazonaws.com"], ["ecs-tasks.amazonaws.com"],
     ["ecs:RegisterTaskDefinition", "ecs:RunTask"], None, "conditional",
     "an ECS cluster must exist"),
    ("ecs-005", ["ecs-tasks.amazonaws.com"], ["ecs-tasks.amazonaws.com"],
     ["ecs:RegisterTaskDefinition", "ecs:StartTask"], None, "conditional",
     "an ECS container instance must exist"),
    ("ecs-008", ["ecs-tasks.amazonaws.com"], ["ecs-tasks.amazonaws.com"],
     ["ecs:RunTask"], None, "conditional", "an ECS cluster and task definition must exist"),
    ("ecs-009", ["ecs-tasks.amazonaws.com"], ["ecs-tasks.amazonaws.com"],
     ["ecs:StartTask"], None, "conditional",
     "an ECS container instance and task definition must exist"),
    ("glue-005", ["glue.amazonaws.com"], ["glue.amazonaws.com"],
     ["glue:UpdateJob", "glue:StartJobRun"], None, "conditional", "a Glue job must exist"),
    ("glue-006", ["glue.amazonaws.com"], ["glue.amazonaws.com"],
     ["glue:UpdateJob", "glue:CreateTrigger"], None, "conditional", "a Glue job must exist"),
    ("cognitoidentity-001", ["cognito-identity.amazonaws.com"],
     ["federated:cognito-identity.amazonaws.com"],
     ["cognito-identity:SetIdentityPoolRoles"], None, "conditional",
     "an identity pool open to unauthenticated callers must exist"),
]

# What iampath reports when another technique needs a subset of the row's permissions
# and comes first in the catalog (one path per principal and gain is kept).
REPORTED_AS = {"bedrock-005": "bedrock-003", "lambda-004": "lambda-003",
               "lambda-005": "lambda-003"}

# The action the negatives and the SCP take away (the last one unless said here).
BLOCK = {"omics-001": "omics:StartRun"}

# Negatives that keep the actions of a technique using an existing resource (which
# may run as Target) are listed as that, conditional: the technique legitimately gives
# it. Row → that technique.
EXISTING_TOO = {"bedrock-001": "bedrock-002", "bedrock-003": "bedrock-004",
                "bedrock-005": "bedrock-004", "bedrock-006": "bedrock-007",
                "batch-003": "batch-002", "batch-001": "batch-002",
                "codebuild-001": "codebuild-002", "codebuild-004": "codebuild-003",
                "sagemaker-001": "sagemaker-004", "X-05": "X-04"}


def trust_for(principals):
    services = [p for p in principals if not p.startswith("federated:")]
    if services:
        return service_trust(*services)
    fed = principals[0].split(":", 1)[1]
    return doc({"Effect": "Allow", "Principal": {"Federated": fed},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{fed}:aud": f"{REGION}:0e6a3f7c-1b2d-4c5e-8f90-a1b2c3d4e5f6"},
                    "ForAnyValue:StringLike": {f"{fed}:amr": "unauthenticated"}}})


def pass_statements(ac, role, passed, actions, profile):
    st = [allow("iam:PassRole", role)]
    if passed == "emr-001":
        # RunJobFlow passes the EMR service role too.
        st.append(allow("iam:PassRole", r(ac, "EMR_DefaultRole")))
    if passed == "X-06":
        # RunInstances only without an instance profile (then AssociateIamInstanceProfile),
        # so that ec2-001 does not apply.
        st.append(allow("ec2:RunInstances", cond={"Null": {"ec2:InstanceProfile": "true"}}))
        st.append(allow("ec2:AssociateIamInstanceProfile"))
        return st
    st.append(allow(actions))
    return st


def pass_roles(ac, row):
    tid, passed, trusts, actions, profile, decision, why = row
    prof = (lambda n: f"{n}-profile") if profile == "needed" else (lambda n: None)
    ac.role("Target", trust_for(trusts), attached=[ADMIN], profile=prof("Target"))
    ac.role("Harmless", trust_for(trusts), profile=prof("Harmless"),
            inline=[("read", doc(allow("s3:ListAllMyBuckets")))])
    if tid == "emr-001":
        ac.role("EMR_DefaultRole", service_trust("elasticmapreduce.amazonaws.com"),
                inline=[("emr", doc(allow(["ec2:Describe*", "ec2:RunInstances"])))])


def extra_lambda_001(ac):
    """A role whose trust admits Lambda only for another account's functions, and an
    administrator role capped by a boundary."""
    fns = ["lambda:CreateFunction", "lambda:InvokeFunction"]
    ac.role("OtherAccountsFunctions", doc({
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": MGMT}}}), attached=[ADMIN])
    ac.user("fp-trust-condition", inline=[("escalate", doc(
        allow("iam:PassRole", r(ac, "OtherAccountsFunctions")), allow(fns)))])
    ac.role("BoundedTarget", service_trust("lambda.amazonaws.com"), attached=[ADMIN],
            boundary=ac.managed("target-boundary", doc(allow("s3:ListAllMyBuckets"))))
    ac.user("fp-target-boundary", inline=[("escalate", doc(
        allow("iam:PassRole", r(ac, "BoundedTarget")), allow(fns)))])
    return ["fp-trust-condition", "fp-target-boundary"]


def extra_ec2_001(ac):
    ac.user("fp-profile-condition", inline=[("escalate", doc(
        allow("iam:PassRole", r(ac, "Target")),
        allow("ec2:RunInstances", cond={"ArnEquals": {
            "ec2:InstanceProfile": ac.profile_arn("Harmless-profile")}})))])
    return ["fp-profile-condition"]


def extra_cloudformation_001(ac):
    ac.user("fp-role-arn", inline=[("escalate", doc(
        allow("iam:PassRole", r(ac, "Target")),
        allow("cloudformation:CreateStack",
              cond={"ArnEquals": {"cloudformation:RoleArn": r(ac, "Harmless")}})))])
    return ["fp-role-arn"]


def extra_emr_001(ac):
    ac.user("fp-no-service-role", inline=[("escalate", doc(
        allow("iam:PassRole", r(ac, "Target")), allow("elasticmapreduce:RunJobFlow")))])
    return ["fp-no-service-role"]


PASS_EXTRAS = {
    "lambda-001": (extra_lambda_001, """
fp-trust-condition may pass only a role whose trust admits Lambda for another account's
functions (aws:SourceAccount); fp-target-boundary only an administrator role capped by
a boundary: neither is listed."""),
    "ec2-001": (extra_ec2_001, """
fp-profile-condition may launch instances only with the harmless role's instance
profile (ec2:InstanceProfile): not listed."""),
    "cloudformation-001": (extra_cloudformation_001, """
fp-role-arn may create stacks only with the harmless role (cloudformation:RoleArn): not
listed."""),
    "emr-001": (extra_emr_001, """
RunJobFlow needs iam:PassRole of the EMR service role too: the export shows one
(EMR_DefaultRole, trusting elasticmapreduce.amazonaws.com) and the attacker may pass
it, so the path is definite: allowed. fp-no-service-role may pass only Target: not
listed."""),
    "X-06": (lambda ac: [], """
The attacker may launch an instance only without an instance profile (Null
ec2:InstanceProfile), so ec2-001 does not apply; it then associates Target's profile.
A RunInstances call without a profile carries no ec2:InstanceProfile, so Null is true
and the path is definite: allowed."""),
}
# Rows whose right answer iampath does not give: the principals it gets wrong.
PASS_WRONG = {"emr-001": ["attacker", "fp-no-service-role"], "X-06": ["attacker"]}


def pass_case(row):
    tid, passed, trusts, actions, profile, decision, why = row
    other = "lambda.amazonaws.com" if "ec2.amazonaws.com" in passed else "ec2.amazonaws.com"
    cond = f" ({why})" if why else ""
    prof = {"needed": " Target is in an instance profile.",
            "missing": " Target is in no instance profile (the attacker makes one).",
            None: ""}[profile]
    via = REPORTED_AS.get(tid)
    note = (f"\n\n{via} needs a subset of these permissions and comes first in the catalog, so "
            f"iampath reports the path as {via}." if via else "")
    block = BLOCK.get(tid, actions[-1])
    fed = trusts[0].startswith("federated:")
    too = EXISTING_TOO.get(tid)
    extra = (f"\n\nfp-resource, fp-passed-to{'' if fed else ' and fp-slr'} keep the actions of "
             f"{too} (an existing resource that may run as Target): listed as that, "
             "conditional." if too else "")
    c = case(tid, f"""
{tid}: iam:PassRole of an administrator role (Target, trusting {", ".join(trusts)}) to
{", ".join(passed)}, and {", ".join(actions)}: {decision}{cond}.{prof}{note}

Not listed: fp-boundary (a boundary without {block}), fp-deny ({block} denied by
another policy), fp-resource (PassRole only of a harmless role trusting the same
service), fp-passed-to (PassRole only with iam:PassedToService {other}),
{"" if fed else "fp-slr (PassRole only of service-linked roles: AWS lets nobody pass them), "}222222222222's attacker (SCP denies {block}).{extra}\n{PASS_EXTRAS.get(tid, (0, ""))[1].rstrip()}""")

    names = ["fp-boundary", "fp-deny", "fp-resource", "fp-passed-to"] + ([] if fed else ["fp-slr"])

    def scenario(ac, neg):
        pass_roles(ac, row)
        key = tid

        def stmts(ac, me, role=None):
            return pass_statements(ac, role or r(ac, "Target"), key, actions, profile)
        me = standard(ac, "user", stmts, drop=block, deny_act=block,
                      resource=lambda ac, me: stmts(ac, me, r(ac, "Harmless")), negatives=neg)
        if not neg:
            return me
        st = stmts(ac, None, ac.role_arn("*"))
        st[0] = allow("iam:PassRole", ac.role_arn("*"),
                      {"StringEquals": {"iam:PassedToService": other}})
        ac.user("fp-passed-to", inline=[("escalate", doc(*st))])
        if not trusts[0].startswith("federated:"):
            slr(ac, trust=trusts[0],
                profile=f"{SLR}-profile" if profile == "needed" else None)
            st = stmts(ac, None, ac.role_arn("*", "/aws-service-role/"))
            ac.user("fp-slr", inline=[("escalate", doc(*st))])
        if tid in PASS_EXTRAS:
            names.extend(PASS_EXTRAS[tid][0](ac))
        return me

    wrong = PASS_WRONG.get(tid)
    if wrong:
        decision = "allowed"
    acc = Account(A)
    build(c, scenario, [block], lambda ac: [
        (u(ac, "attacker"), decision, via or tid),
        *[(u(ac, n), "conditional", too) for n in
          (["fp-resource", "fp-passed-to"] + ([] if fed else ["fp-slr"]) if too else [])]],
          wrong=wrong and [u(acc, n) for n in wrong],
          checks=lambda: [u(acc, n) for n in names])


def pass_techniques():
    for row in PASS_ROWS:
        pass_case(row)


# ---------------------------------------------------------------------------
# E. A resource that already runs as the role

def arn_in(ac, service, rest):
    return f"arn:aws:{service}:*:{ac.id}:{rest}"


# (id, service principal the role trusts, instance profile needed, actions, a resource
# of another type that fp-resource may act on, inventory kind or None)
USE_ROWS = [
    ("apprunner-002", "tasks.apprunner.amazonaws.com", False, ["apprunner:UpdateService"],
     ("apprunner", "connection/*"), None),
    ("bedrock-002", "bedrock-agentcore.amazonaws.com", False,
     ["bedrock-agentcore:StartCodeInterpreterSession", "bedrock-agentcore:InvokeCodeInterpreter"],
     ("bedrock-agentcore", "browser/*"), None),
    ("bedrock-004", "bedrock-agentcore.amazonaws.com", False,
     ["bedrock-agentcore:InvokeAgentRuntimeCommand"], ("bedrock-agentcore", "browser/*"), None),
    ("bedrock-007", "bedrock-agentcore.amazonaws.com", False,
     ["bedrock-agentcore:StartBrowserSession", "bedrock-agentcore:ConnectBrowserAutomationStream"],
     ("bedrock-agentcore", "code-interpreter/*"), None),
    ("batch-002", "ecs-tasks.amazonaws.com", False, ["batch:SubmitJob"],
     ("batch", "compute-environment/*"), None),
    ("codedeploy-001", "ec2.amazonaws.com", True,
     ["codedeploy:CreateDeployment", "codedeploy:RegisterApplicationRevision",
      "codedeploy:GetDeploymentConfig"], ("codedeploy", "deploymentconfig:*"), None),
    ("ec2-005", "ec2.amazonaws.com", True,
     ["ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate"], ("ec2", "volume/*"), None),
    ("ecs-006", "ecs-tasks.amazonaws.com", False, ["ecs:ExecuteCommand", "ecs:DescribeTasks"],
     ("ecs", "capacity-provider/*"), None),
    ("sagemaker-004", "sagemaker.amazonaws.com", False,
     ["sagemaker:CreatePresignedNotebookInstanceUrl"], ("sagemaker", "training-job/*"), None),
    ("sagemaker-005", "sagemaker.amazonaws.com", False,
     ["sagemaker:CreateNotebookInstanceLifecycleConfig", "sagemaker:StopNotebookInstance",
      "sagemaker:UpdateNotebookInstance", "sagemaker:StartNotebookInstance"],
     ("sagemaker", "training-job/*"), None),
    ("stepfunctions-002", "states.amazonaws.com", False,
     ["states:UpdateStateMachine", "states:StartExecution"], ("states", "activity:*"), None),
    ("X-04", "ec2.amazonaws.com", True, ["autoscaling:CreateAutoScalingGroup"],
     ("autoscaling", "launchConfiguration:*"), None),
    # With an inventory export iampath reads.
    ("cloudformation-002", "cloudformation.amazonaws.com", False, ["cloudformation:UpdateStack"],
     ("cloudformation", "stackset/*"), "stack"),
    ("cloudformation-005", "cloudformation.amazonaws.com", False,
     ["cloudformation:CreateChangeSet", "cloudformation:ExecuteChangeSet"],
     ("cloudformation", "stackset/*"), "stack"),
    ("codebuild-002", "codebuild.amazonaws.com", False, ["codebuild:StartBuild"],
     ("codebuild", "report-group/*"), "project"),
    ("codebuild-003", "codebuild.amazonaws.com", False, ["codebuild:StartBuildBatch"],
     ("codebuild", "report-group/*"), "project"),
    ("ec2-002", "ec2.amazonaws.com", True,
     ["ec2:ModifyInstanceAttribute", "ec2:StopInstances", "ec2:StartInstances"],
     ("ec2", "volume/*"), "instance"),
    ("ec2-003", "ec2.amazonaws.com", True,
     ["ec2-instance-connect:SendSSHPublicKey", "ec2:DescribeInstances"], None, "instance"),
    ("glue-002", "glue.amazonaws.com", False, ["glue:UpdateDevEndpoint"], ("glue", "job/*"),
     "devendpoint"),
    ("lambda-003", "lambda.amazonaws.com", False, ["lambda:UpdateFunctionCode"],
     ("lambda", "layer:*"), "function"),
    ("lambda-004", "lambda.amazonaws.com", False,
     ["lambda:UpdateFunctionCode", "lambda:InvokeFunction"], ("lambda", "layer:*"), "function"),
    ("lambda-005", "lambda.amazonaws.com", False,
     ["lambda:UpdateFunctionCode", "lambda:AddPermission"], ("lambda", "layer:*"), "function"),
    ("ssm-001", "ec2.amazonaws.com", True, ["ssm:StartSession"], ("ssm", "document/*"),
     "instance"),
    ("ssm-002", "ec2.amazonaws.com", True, ["ssm:SendCommand"], ("ssm", "document/*"),
     "instance"),
    ("X-02", "lambda.amazonaws.com", False, ["lambda:UpdateFunctionConfiguration"],
     ("lambda", "layer:*"), "function"),
]

# Role swap: PassRole and any existing resource of the kind.
SWAP_ROWS = [
    ("X-03", "lambda.amazonaws.com", ["lambda:UpdateFunctionCode",
                                      "lambda:UpdateFunctionConfiguration"], "function"),
    ("X-09", "codebuild.amazonaws.com", ["codebuild:UpdateProject", "codebuild:StartBuild"],
     "project"),
    ("X-10", "cloudformation.amazonaws.com", ["cloudformation:UpdateStack"], "stack"),
]

INVENTORY = {
    # kind: (folder, file, export command, maker, ARN of a named resource)
    "function": ("lambda", "list-functions.json", "lambda list-functions", lambda_functions,
                 lambda acct, n: f"arn:aws:lambda:{REGION}:{acct}:function:{n}"),
    "instance": ("ec2", "describe-instances.json", "ec2 describe-instances", ec2_instances,
                 lambda acct, n: f"arn:aws:ec2:{REGION}:{acct}:instance/{n}"),
    "stack": ("cloudformation", "describe-stacks.json", "cloudformation describe-stacks",
              cloudformation_stacks,
              lambda acct, n: f"arn:aws:cloudformation:{REGION}:{acct}:stack/{n}/*"),
    "project": ("codebuild", "batch-get-projects.json", "codebuild batch-get-projects",
                codebuild_projects,
                lambda acct, n: f"arn:aws:codebuild:{REGION}:{acct}:project/{n}"),
    "devendpoint": ("glue", "get-dev-endpoints.json", "glue get-dev-endpoints",
                    glue_dev_endpoints,
                    lambda acct, n: f"arn:aws:glue:{REGION}:{acct}:devEndpoint/{n}"),
}

# Names of the listed resources: the one running as Target, and a harmless one.
RESOURCE_NAMES = {
    "function": ("admin-function", "harmless-function"),
    "instance": ("i-0a1b2c3d4e5f60718", "i-0f9e8d7c6b5a40312"),
    "stack": ("admin-stack", "harmless-stack"),
    "project": ("admin-project", "harmless-project"),
    "devendpoint": ("admin-endpoint", "harmless-endpoint"),
}


def inventory(ac, kind, running):
    """Lists `running`: (resource name, role name) pairs."""
    folder, fname, _, maker, _ = INVENTORY[kind]
    if kind == "instance":
        items = [(n, ac.profile_arn(f"{role}-profile")) for n, role in running]
    else:
        items = [(n, ac.role_arn(role)) for n, role in running]
    ac.inventory[folder] = (fname, maker(ac.id, items))


def use_roles(ac, trust, profile):
    prof = (lambda n: f"{n}-profile") if profile else (lambda n: None)
    ac.role("Target", service_trust(trust), attached=[ADMIN], profile=prof("Target"))
    ac.role("Harmless", service_trust(trust), profile=prof("Harmless"),
            inline=[("read", doc(allow("s3:ListAllMyBuckets")))])


def use_case(row, variant):
    """`variant`: None (no inventory), "inventory" (lists a resource running as Target
    and a harmless one), "absent" (lists only the harmless one)."""
    tid, trust, profile, actions, other_type, kind = row
    name = tid + {None: "", "inventory": "-inventory", "absent": "-inventory-absent"}[variant]
    if kind:
        _, _, export, _, arn_of_resource = INVENTORY[kind]
        admin_res, harmless_res = RESOURCE_NAMES[kind]
    prof = " Target is in an instance profile." if profile else ""
    if variant is None:
        what = (f"conditional on {kind and 'a resource' or 'a resource no export iampath reads shows'} "
                f"running as Target" + (f" (`aws {export}` is not loaded)" if kind else ""))
        fp_res = (f"fp-resource (allowed only on {other_type[0]} {other_type[1]}, which no "
                  f"resource running as a role matches), " if other_type else "")
    elif variant == "inventory":
        what = (f"allowed: `aws {export}` lists {admin_res} running as Target (and "
                f"{harmless_res} running as the harmless role)")
        fp_res = f"fp-resource (allowed only on {harmless_res}), "
    else:
        what = (f"nobody: `aws {export}` is loaded and lists only {harmless_res}, running as "
                "a harmless role")
        fp_res = ""
    via = REPORTED_AS.get(tid)
    note = (f"\n\n{via} needs a subset of these permissions and comes first in the catalog, so "
            f"iampath reports the path as {via}." if via and variant != "absent" else "")
    if variant == "absent":
        negs = (f"Not listed: attacker (it takes over only the harmless role), 222222222222's "
                f"attacker (SCP denies {actions[0]}). The negatives are in {tid}-inventory.")
    else:
        negs = (f"Not listed: fp-boundary (a boundary without {actions[0]}), fp-deny "
                f"({actions[0]} denied by another policy), {fp_res}222222222222's attacker "
                f"(SCP denies {actions[0]}).")
    c = case(name, f"""
{tid}: {", ".join(actions)} on a resource running as an administrator role (Target,
trusting {trust}): {what}.{prof}{note}

{negs}""")

    def scenario(ac, neg):
        use_roles(ac, trust, profile)
        if variant == "inventory":
            inventory(ac, kind, [(admin_res, "Target"), (harmless_res, "Harmless")])
        elif variant == "absent":
            inventory(ac, kind, [(harmless_res, "Harmless")])
        if variant is None:
            alt = (lambda ac, me: [allow(actions, arn_in(ac, *other_type))]) if other_type else None
        elif variant == "inventory":
            alt = lambda ac, me: [allow(actions, arn_of_resource(ac.id, harmless_res))]
        else:
            alt = None
        return standard(ac, "user", lambda ac, me: [allow(actions)], drop=actions[0],
                        deny_act=actions[0], resource=alt,
                        negatives=neg and variant != "absent")

    decision = {None: "conditional", "inventory": "allowed", "absent": None}[variant]
    build(c, scenario, [actions[0]], lambda ac: (
        [(u(ac, "attacker"), decision, via or tid)] if decision else []))


def swap_case(row, variant):
    tid, trust, actions, kind = row
    name = tid + {None: "", "inventory": "-inventory", "absent": "-inventory-absent"}[variant]
    _, _, export, _, arn_of_resource = INVENTORY[kind]
    _, harmless_res = RESOURCE_NAMES[kind]
    first_use = {"X-03": "lambda-003", "X-09": "codebuild-002", "X-10": "cloudformation-002"}[tid]
    if variant is None:
        what = (f"conditional on some {kind} existing (`aws {export}` is not loaded). {actions[0]} "
                f"alone also uses a {kind} that would run as Target ({first_use}), which comes "
                f"first in the catalog: iampath reports the path as {first_use}")
        expect = ("conditional", first_use)
    elif variant == "inventory":
        what = (f"allowed: `aws {export}` lists {harmless_res}, running as a harmless role, "
                "whose role the attacker swaps for Target")
        expect = ("allowed", tid)
    else:
        what = f"nobody: `aws {export}` is loaded and lists no {kind} at all"
        expect = None
    if variant is None:
        negs = (f"Without the export, anything holding {' or '.join(actions)} may use a {kind} "
                f"running as Target, so the negatives are in {tid}-inventory. Not listed: "
                f"222222222222's attacker (SCP denies {', '.join(actions)}).")
    elif variant == "absent":
        negs = (f"Not listed: attacker (no {kind} to swap the role of), 222222222222's "
                f"attacker (SCP denies {', '.join(actions)}). The negatives are in "
                f"{tid}-inventory.")
    else:
        negs = (f"Not listed: fp-boundary (a boundary without {actions[-1]}), fp-deny "
                f"({actions[0]} denied by another policy), fp-resource (PassRole only of a "
                "harmless role), fp-passed-to (PassRole only to ec2.amazonaws.com), "
                f"222222222222's attacker (SCP denies {', '.join(actions)}).")
    c = case(name, f"""
{tid}: iam:PassRole of an administrator role (Target, trusting {trust}) to an existing
{kind} with {", ".join(actions)}: {what}.

{negs}""")

    def scenario(ac, neg):
        use_roles(ac, trust, False)
        if variant == "inventory":
            inventory(ac, kind, [(harmless_res, "Harmless")])
        elif variant == "absent":
            inventory(ac, kind, [])

        def stmts(ac, me, role=None):
            return [allow("iam:PassRole", role or r(ac, "Target")), allow(actions)]
        neg = neg and variant == "inventory"
        me = standard(ac, "user", stmts, drop=actions[-1], deny_act=actions[0],
                      resource=lambda ac, me: stmts(ac, me, r(ac, "Harmless")), negatives=neg)
        if neg:
            ac.user("fp-passed-to", inline=[("escalate", doc(
                allow("iam:PassRole", ac.role_arn("*"),
                      {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}),
                allow(actions)))])
        return me

    build(c, scenario, list(actions), lambda ac: (
        [(u(ac, "attacker"), *expect)] if expect else []))


def use_techniques():
    for row in USE_ROWS:
        use_case(row, None)
        if row[5]:
            use_case(row, "inventory")
            use_case(row, "absent")
    for row in SWAP_ROWS:
        for v in (None, "inventory", "absent"):
            swap_case(row, v)



# ---------------------------------------------------------------------------
# Cases beside the techniques: one false positive or negative each


def special_cases():
    fns = ["lambda:CreateFunction", "lambda:InvokeFunction"]
    c = case("lambda-001-split-resource", """
lambda-001 needs lambda:CreateFunction and lambda:InvokeFunction on the SAME new
function (privesc.md 5.1 rule 5 and 5.4: one symbolic name N). attacker may do both on
any function: allowed. fp-split may create only build-* functions and invoke only run-*
ones: no name fits both, so it cannot run code as Target: not listed.""")

    def split(ac, neg):
        ac.role("Target", service_trust("lambda.amazonaws.com"), attached=[ADMIN])
        me = ac.user("attacker", inline=[("escalate", doc(
            allow("iam:PassRole", r(ac, "Target")), allow(fns)))])
        if neg:
            ac.user("fp-split", inline=[("escalate", doc(
                allow("iam:PassRole", r(ac, "Target")),
                allow("lambda:CreateFunction", f"arn:aws:lambda:*:{ac.id}:function:build-*"),
                allow("lambda:InvokeFunction", f"arn:aws:lambda:*:{ac.id}:function:run-*")))])
        return me
    fn = f"arn:aws:lambda:{REGION}:{A}:function:build-x"
    build(c, split, ["lambda:InvokeFunction"],
          lambda ac: [(u(ac, "attacker"), "allowed", "lambda-001")],
          wrong=[u(Account(A), "fp-split")], extra_lines=[
              f"can {u(Account(A), 'fp-split')} lambda:CreateFunction {fn} => allowed"])

    c = case("lambda-001-other-account", """
Resources of another account cannot run as this account's roles (a role can be passed
only to a service in its own account, privesc.md 5.1 rule 4; a new resource's ARN is in
the caller's account, rule 5). attacker may create and invoke any function: allowed
(lambda-001). fp-create-elsewhere may create and invoke functions only in 222222222222:
it cannot create one in 111111111111, so not listed. fp-update-elsewhere may update the
code only of functions in 222222222222, none of which can run as Target: not listed.""")

    def elsewhere(ac, neg):
        ac.role("Target", service_trust("lambda.amazonaws.com"), attached=[ADMIN])
        me = ac.user("attacker", inline=[("escalate", doc(
            allow("iam:PassRole", r(ac, "Target")), allow(fns)))])
        if neg:
            ac.user("fp-create-elsewhere", inline=[("escalate", doc(
                allow("iam:PassRole", r(ac, "Target")),
                allow(fns, f"arn:aws:lambda:*:{B}:function:*")))])
            ac.user("fp-update-elsewhere", inline=[("escalate", doc(
                allow("lambda:UpdateFunctionCode", f"arn:aws:lambda:*:{B}:function:*")))])
        return me
    build(c, elsewhere, ["lambda:InvokeFunction"],
          lambda ac: [(u(ac, "attacker"), "allowed", "lambda-001")],
          wrong=[u(Account(A), "fp-create-elsewhere"), u(Account(A), "fp-update-elsewhere")])

    c = case("iam-008-customer-admin-policy", """
iam-008 with iam:PolicyARN limited to a customer-managed policy that allows everything
(CustomAdmin): attaching it makes attacker an administrator, so it is listed, allowed
(privesc.md 5.2: evaluate iam:PolicyARN over all managed policies). fp-policyarn may
attach only ReadOnlyAccess: not listed.""")

    def custom(ac, neg):
        cadm = ac.managed("CustomAdmin", ADMIN_DOC)
        me = ac.user("attacker", inline=[("escalate", doc(allow(
            "iam:AttachUserPolicy", u(ac, "attacker"),
            {"ArnEquals": {"iam:PolicyARN": cadm}})))])
        if neg:
            ac.user("fp-policyarn", inline=[("escalate", doc(allow(
                "iam:AttachUserPolicy", u(ac, "fp-policyarn"),
                {"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}})))])
        return me
    build(c, custom, ["iam:AttachUserPolicy"],
          lambda ac: [(u(ac, "attacker"), "allowed", "iam-008")],
          wrong=[u(Account(A), "attacker")], checks=[u(Account(A), "fp-policyarn")])

    c = case("iam-012-scp-assume-role", """
iam-012 needs the attacker to assume the role after rewriting its trust: an SCP
denying sts:AssumeRole in 222222222222 stops it there (privesc.md 5.4: SCP and RCP
denies on sts:AssumeRole still apply). 111111111111's attacker: allowed.""")

    def rewrite(ac, neg):
        ac.role("Target", service_trust("ec2.amazonaws.com"), attached=[ADMIN])
        return ac.user("attacker", inline=[("escalate", doc(
            allow("iam:UpdateAssumeRolePolicy", r(ac, "Target"))))])
    build(c, rewrite, ["sts:AssumeRole"], lambda ac: [(u(ac, "attacker"), "allowed", "iam-012")])



# ---------------------------------------------------------------------------
# BishopFox iam-vulnerable (default deployment: the free-resources modules)

IAMV_ADMIN = "terraform-admin"  # who ran Terraform: every role trusts it

# (policy name, role name, user name, statements). Each path's policy is attached to a
# role and to a user of the same stem.
def iamv_paths(ac):
    star = lambda *acts: [allow(list(acts))]
    return [
        ("privesc1-CreateNewPolicyVersion", star("iam:CreatePolicyVersion")),
        ("privesc2-SetExistingDefaultPolicyVersion", star("iam:SetDefaultPolicyVersion")),
        ("privesc3-CreateEC2WithExistingInstanceProfile", star(
            "iam:PassRole", "ec2:DescribeInstances", "ec2:RunInstances", "ec2:CreateKeyPair",
            "ec2:AssociateIamInstanceProfile")),
        ("privesc4-CreateAccessKey", star("iam:CreateAccessKey")),
        ("privesc5-CreateLoginProfile", star("iam:CreateLoginProfile")),
        ("privesc6-UpdateLoginProfile", star("iam:UpdateLoginProfile")),
        ("privesc7-AttachUserPolicy", star("iam:AttachUserPolicy")),
        ("privesc8-AttachGroupPolicy", star("iam:AttachGroupPolicy")),
        ("privesc9-AttachRolePolicy", star("iam:AttachRolePolicy")),
        ("privesc10-PutUserPolicy", star("iam:PutUserPolicy")),
        ("privesc11-PutGroupPolicy", star("iam:PutGroupPolicy")),
        ("privesc12-PutRolePolicy", star("iam:PutRolePolicy")),
        ("privesc13-AddUserToGroup", star("iam:AddUserToGroup")),
        ("privesc14-UpdatingAssumeRolePolicy", star("iam:UpdateAssumeRolePolicy",
                                                    "sts:AssumeRole")),
        ("privesc15-PassExistingRoleToNewLambdaThenInvoke", star(
            "lambda:CreateFunction", "iam:PassRole", "lambda:InvokeFunction")),
        ("privesc16-PassRoleToNewLambdaThenTriggerWithNewDynamo", star(
            "lambda:CreateFunction", "iam:PassRole", "lambda:CreateEventSourceMapping")),
        ("privesc17-EditExistingLambdaFunctionWithRole", star(
            "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration")),
        ("privesc18-PassExistingRoleToNewGlueDevEndpoint", star(
            "glue:CreateDevEndpoint", "glue:GetDevEndpoint", "iam:PassRole")),
        ("privesc19-UpdateExistingGlueDevEndpoint", star(
            "glue:UpdateDevEndpoint", "glue:GetDevEndpoint")),
        ("privesc20-PassExistingRoleToCloudFormation", [allow(
            ["iam:PassRole", "cloudformation:CreateStack", "cloudformation:DescribeStacks"],
            sid="VisualEditor0")]),
        ("privesc21-PassExistingRoleToNewDataPipeline", [
            allow("iam:PassRole"),
            allow(["datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition",
                   "datapipeline:ActivatePipeline"])]),
        ("privesc-CloudFormationUpdateStack", [allow(
            ["cloudformation:UpdateStack", "cloudformation:DescribeStacks"],
            sid="VisualEditor0")]),
        ("privesc-codeBuildCreateProjectPassRole-policy", star(
            "codebuild:CreateProject", "codebuild:StartBuild", "codebuild:StartBuildBatch",
            "iam:PassRole", "iam:ListRoles")),
        ("privesc-ec2InstanceConnect-policy", star(
            "ec2:DescribeInstances", "ec2-instance-connect:SendSSHPublicKey",
            "ec2-instance-connect:SendSerialConsoleSSHPublicKey")),
        ("privesc-sageMakerCreateNotebookPassRole-policy", star(
            "sagemaker:CreateNotebookInstance", "sagemaker:CreatePresignedNotebookInstanceUrl",
            "sagemaker:ListNotebookInstances", "sagemaker:DescribeNotebookInstance",
            "sagemaker:StopNotebookInstance", "sagemaker:DeleteNotebookInstance",
            "iam:PassRole", "iam:ListRoles")),
        ("privesc-sageMakerCreatePresignedNotebookURL-policy", star(
            "sagemaker:CreatePresignedNotebookInstanceUrl", "sagemaker:ListNotebookInstances")),
        ("privesc-sageMakerCreateProcessingJobPassRole-policy", star(
            "sagemaker:CreateProcessingJob", "iam:PassRole")),
        ("privesc-sageMakerCreateTrainingJobPassRole-policy", star(
            "sagemaker:CreateTrainingJob", "iam:PassRole")),
        # The module writes these actions in lower camel case; IAM action names are
        # case-insensitive.
        ("privesc-ssmSendCommand-policy", star(
            "ec2:DescribeInstances", "ssm:listCommands", "ssm:listCommandInvocations",
            "ssm:sendCommand")),
        ("privesc-ssmStartSession-policy", star(
            "ec2:DescribeInstances", "ssm:StartSession", "ssm:DescribeSessions",
            "ssm:GetConnectionStatus", "ssm:DescribeInstanceProperties",
            "ssm:TerminateSession", "ssm:ResumeSession")),
        # tool-testing: false negatives (fn) and false positives (fp) of other tools.
        ("fn2-exploitableResourceConstraint", [allow("iam:CreatePolicyVersion",
                                                     "arn:aws:iam::*:policy/fn2-*")]),
        ("fn3-exploitableConditionConstraint", [allow(
            "iam:CreatePolicyVersion", cond={"DateGreaterThan": {
                "aws:TokenIssueTime": "2020-01-01T00:00:01Z"}})]),
        ("fn4-exploitableNotAction", [allow(["iam:Update*", "iam:Create*", "iam:Attach*"],
                                            not_action=True)]),
        ("fp1-allow-and-deny", [allow("iam:*"), deny("iam:*")]),
        ("fp3-deny-iam", [deny("iam:*")]),
        ("fp4-nonExploitableResourceConstraint", [allow(
            "iam:CreatePolicyVersion", "arn:aws:iam::aws:policy/fp4-*")]),
        ("fp5-nonExploitableConditionConstraint", [allow(
            "iam:CreatePolicyVersion", cond={"DateLessThan": {
                "aws:TokenIssueTime": "2020-01-01T00:00:01Z"}})]),
    ]


def iam_vulnerable_account():
    ac = Account(A)
    admin = ac.user(IAMV_ADMIN, attached=[ADMIN])
    trust = aws_trust(admin)
    # Shared targets: the high-privilege service role (with an instance profile) of
    # privesc3 and the ssm paths, the SRE role and group, the assume-role chain.
    high = ac.managed("privesc-high-priv-service-policy", doc(allow("*")))
    ac.role("privesc-high-priv-service-role", service_trust(
        "ec2.amazonaws.com", "datapipeline.amazonaws.com", "cloudformation.amazonaws.com",
        "lambda.amazonaws.com", "glue.amazonaws.com", "ecs-tasks.amazonaws.com",
        "codebuild.amazonaws.com", "eks.amazonaws.com", "sagemaker.amazonaws.com",
        "elasticbeanstalk.amazonaws.com"),
        attached=[high, "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"],
        profile="privesc-high-priv-service-profile")
    sre = ac.managed("privesc-sre-admin-policy", doc(allow(["iam:*", "ec2:*", "s3:*"])))
    ac.group("privesc-sre-group", attached=[sre])
    ac.user("privesc-sre-user", groups=["privesc-sre-group"])
    ac.role("privesc-sre-role", aws_trust(ac.user_arn("privesc-sre-user")), attached=[sre])
    chain = ac.managed("privesc-AssumeRole-high-priv-policy", doc(allow("*")))
    ac.role("privesc-AssumeRole-starting-role", trust)
    ac.role("privesc-AssumeRole-intermediate-role",
            aws_trust(ac.role_arn("privesc-AssumeRole-starting-role")))
    ac.role("privesc-AssumeRole-ending-role",
            aws_trust(ac.role_arn("privesc-AssumeRole-intermediate-role")), attached=[chain])
    ac.user("privesc-AssumeRole-start-user")
    ac.role("privesc-permissive-role-trust", aws_trust(f"arn:aws:iam::{A}:root"))
    for name, stmts in iamv_paths(ac):
        versions = ([doc(allow("*"))] if name == "privesc2-SetExistingDefaultPolicyVersion"
                    else [])
        pol = ac.managed(name, doc(*stmts), versions=versions)
        stem = name[:-len("-policy")] if name.endswith("-policy") else name
        groups = []
        if name in ("privesc8-AttachGroupPolicy", "privesc11-PutGroupPolicy"):
            ac.group(f"{stem}-group")
            groups = [f"{stem}-group"]
        ac.role(f"{stem}-role", trust, attached=[pol])
        ac.user(f"{stem}-user", attached=[pol], groups=groups)
    # fn1: the privesc3 permissions split over two policies.
    partial = ac.managed("fn1-privesc3-partial", doc(allow(["ec2:DescribeInstances",
                                                            "ec2:RunInstances"])))
    passrole = ac.managed("fn1-passrole-star", doc(allow("iam:PassRole")))
    ac.role("fn1-privesc3-partial-role", trust, attached=[partial, passrole])
    ac.user("fn1-privesc3-partial-user", attached=[partial, passrole])
    # fp2: allow everything, deny everything, in two policies.
    allow_all = ac.managed("fp2-allow-all", doc(allow("*")))
    deny_all = ac.managed("deny-all", doc(deny("*")))
    ac.role("fp2-allow-and-deny-multiple-policies-role", trust, attached=[allow_all, deny_all])
    ac.user("fp2-allow-and-deny-multiple-policies-user", attached=[allow_all, deny_all])
    return ac



def iam_vulnerable():
    """(kind, name, decision, techniques or None for any shortest path); principals
    absent from the table must not be listed."""
    both = lambda stem, d, t: [("role", f"{stem}-role", d, t), ("user", f"{stem}-user", d, t)]
    truth = [
        *both("privesc1-CreateNewPolicyVersion", "allowed", "iam-001"),
        *both("privesc2-SetExistingDefaultPolicyVersion", "allowed", "X-01"),
        *both("privesc3-CreateEC2WithExistingInstanceProfile", "allowed", "ec2-001"),
        *both("privesc4-CreateAccessKey", "conditional", "iam-002"),
        *both("privesc5-CreateLoginProfile", "conditional", "iam-004"),
        *both("privesc6-UpdateLoginProfile", "conditional", "iam-006"),
        ("user", "privesc7-AttachUserPolicy-user", "allowed", "iam-008"),
        ("user", "privesc8-AttachGroupPolicy-user", "allowed", "iam-010"),
        ("role", "privesc9-AttachRolePolicy-role", "allowed", "iam-009"),
        ("user", "privesc10-PutUserPolicy-user", "allowed", "iam-007"),
        ("user", "privesc11-PutGroupPolicy-user", "allowed", "iam-011"),
        ("role", "privesc12-PutRolePolicy-role", "allowed", "iam-005"),
        ("user", "privesc13-AddUserToGroup-user", "allowed", None),
        *both("privesc14-UpdatingAssumeRolePolicy", "allowed", "iam-012"),
        *both("privesc15-PassExistingRoleToNewLambdaThenInvoke", "allowed", "lambda-001"),
        *both("privesc16-PassRoleToNewLambdaThenTriggerWithNewDynamo", "conditional",
              "lambda-002"),
        *both("privesc17-EditExistingLambdaFunctionWithRole", "conditional", "lambda-003"),
        *both("privesc18-PassExistingRoleToNewGlueDevEndpoint", "allowed", "glue-001"),
        *both("privesc19-UpdateExistingGlueDevEndpoint", "conditional", "glue-002"),
        *both("privesc20-PassExistingRoleToCloudFormation", "allowed", "cloudformation-001"),
        *both("privesc21-PassExistingRoleToNewDataPipeline", "conditional", "datapipeline-001"),
        *both("privesc-CloudFormationUpdateStack", "conditional", "cloudformation-002"),
        *both("privesc-codeBuildCreateProjectPassRole", "allowed", "codebuild-001"),
        *both("privesc-ec2InstanceConnect", "conditional", "ec2-003"),
        *both("privesc-sageMakerCreateNotebookPassRole", "allowed", "sagemaker-001"),
        *both("privesc-sageMakerCreatePresignedNotebookURL", "conditional", "sagemaker-004"),
        *both("privesc-sageMakerCreateProcessingJobPassRole", "allowed", "sagemaker-003"),
        *both("privesc-sageMakerCreateTrainingJobPassRole", "allowed", "sagemaker-002"),
        *both("privesc-ssmSendCommand", "conditional", "ssm-002"),
        *both("privesc-ssmStartSession", "conditional", "ssm-001"),
        *both("privesc-sre", "allowed", None),
        ("role", "privesc-AssumeRole-starting-role", "allowed", "assume+assume"),
        ("role", "privesc-AssumeRole-intermediate-role", "allowed", "assume"),
        *both("fn1-privesc3-partial", "allowed", "ec2-001"),
        *both("fn2-exploitableResourceConstraint", "allowed", "iam-001"),
        ("role", "fn3-exploitableConditionConstraint-role", "allowed", "iam-001"),
        ("user", "fn3-exploitableConditionConstraint-user", "conditional", "iam-001"),
        *both("fn4-exploitableNotAction", "allowed", None),
    ]
    # What iampath answers differently: (kind, name, iampath's decision).
    wrong = [("role", "fn3-exploitableConditionConstraint-role", "conditional"),
             ("role", "fp5-nonExploitableConditionConstraint-role", "conditional"),
             ("user", "fp5-nonExploitableConditionConstraint-user", "conditional")]
    c = case("iam-vulnerable", """
An account modelled on BishopFox iam-vulnerable's default deployment (the free-resources
modules: privesc-paths and tool-testing; the EC2, Lambda, Glue, SageMaker and
CloudFormation modules cost money and are off, so the techniques that use an existing
resource are conditional). terraform-admin stands for the principal that ran Terraform:
an administrator every role trusts. privesc2's policy has the allow-all second version
its module's note asks for.

Listed: each path's role and user where the technique applies to it; fn1 (PassRole and
RunInstances in two policies), fn2 (CreatePolicyVersion on policy/fn2-*, its own), fn4
(NotAction leaves PutUserPolicy, PassRole, ...) allowed; fn3 conditional for the user
(its long-term keys carry no aws:TokenIssueTime and session credentials cannot call IAM
without MFA, which the export does not show).

Not listed: privesc7/8/10/11/13's roles (they may change users and groups, but a role
cannot use a user's policy nor join a group), privesc9/12's users (they may change any
role but assume none), privesc-AssumeRole-start-user and privesc-permissive-role-trust
(no policies), fp1 (Allow and Deny iam:* in one policy), fp2 (allow-all and deny-all),
fp3 (Deny iam:* only), fp4 (CreatePolicyVersion only on AWS-managed policies).

fn3's role is allowed (a role session's aws:TokenIssueTime is now, after 2020-01-01, so
DateGreaterThan holds; its user may call with long-term keys, which carry none:
conditional) and fp5 is not listed (DateLessThan 2020-01-01 holds for no credentials in
use); privesc.md 5.1 rule 1 calls fn3 exploitable and fp5 not.""")
    ac = iam_vulnerable_account()
    c.accounts[A] = ac
    arn = lambda k, n: arn_of(ac, k, n)
    entries = [(arn(k, n), d, t) for k, n, d, t in truth]
    c.pending.append(f"escalations => {listed(entries)}")
    for k, n, _ in wrong:
        d = next((d for x, d, _ in entries if x == arn(k, n)), "denied")
        c.pending.append(f"can {arn(k, n)} {PROOF} => {d}")
    skip = {arn(k, n) for k, n, _ in wrong}
    everyone = [(ac.arn("user", x["UserName"])) for x in ac.users] + \
        [ac.role_arn(x["RoleName"]) for x in ac.roles]
    admins = {ac.user_arn(IAMV_ADMIN), ac.role_arn("privesc-high-priv-service-role"),
              ac.role_arn("privesc-AssumeRole-ending-role")}
    for who in everyone:
        if who in skip or who in admins:
            continue
        d = next((d for x, d, _ in entries if x == who), "denied")
        c.lines.append(f"can {who} {PROOF} => {d}")


def main():
    for entry in sorted(os.listdir(ROOT)):
        if os.path.isdir(os.path.join(ROOT, entry)):
            shutil.rmtree(os.path.join(ROOT, entry))
    iam_001()
    iam_user_techniques()
    iam_role_techniques()
    iam_other_techniques()
    pass_techniques()
    use_techniques()
    special_cases()
    iam_vulnerable()
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    for c in CASES:
        c.write()
    print(f"{len(CASES)} folders written under {ROOT}")


if __name__ == "__main__":
    main()
