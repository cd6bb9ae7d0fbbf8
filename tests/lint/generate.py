"""Writes the lint-rule fixtures: tests/lint/<rule>/{bad,good,...}/<account>/... .

Run from anywhere: python3 tests/lint/generate.py (rewrites every fixture folder).
"""
import json, os, shutil
ROOT = os.path.dirname(os.path.abspath(__file__))
A, B, X = "111111111111", "222222222222", "999999999999"

def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}

def user(acct, name, inline=None, attached=()):
    u = {"Path": "/", "UserName": name, "UserId": "AIDA" + (name.upper() + "X" * 17)[:17],
         "Arn": f"arn:aws:iam::{acct}:user/{name}", "GroupList": [],
         "AttachedManagedPolicies": [{"PolicyName": a.split("/")[-1], "PolicyArn": a} for a in attached]}
    if inline:
        u["UserPolicyList"] = [{"PolicyName": n, "PolicyDocument": d} for n, d in inline]
    return u

def role(acct, name, trust, inline=None, attached=(), path="/"):
    r = {"Path": path, "RoleName": name, "RoleId": "AROA" + (name.upper() + "X" * 17)[:17],
         "Arn": f"arn:aws:iam::{acct}:role{path}{name}", "AssumeRolePolicyDocument": trust,
         "RolePolicyList": [{"PolicyName": n, "PolicyDocument": d} for n, d in (inline or [])],
         "AttachedManagedPolicies": [{"PolicyName": a.split("/")[-1], "PolicyArn": a} for a in attached]}
    return r

def gaad(users=(), roles=()):
    return {"UserDetailList": list(users), "GroupDetailList": [], "RoleDetailList": list(roles),
            "Policies": []}

def write(rel, obj):
    p = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        json.dump(obj, f, indent=4)
        f.write("\n")

def trust(principal, cond=None, action="sts:AssumeRole", effect="Allow"):
    s = {"Effect": effect, "Principal": principal, "Action": action}
    if cond:
        s["Condition"] = cond
    return doc(s)

def allow(action, resource, sid=None, **extra):
    s = {}
    if sid: s["Sid"] = sid
    s["Effect"] = "Allow"
    s["Action"] = action
    s["Resource"] = resource
    s.update(extra)
    return s

EC2 = trust({"Service": "ec2.amazonaws.com"})
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"

for entry in os.listdir(ROOT):
    if os.path.isdir(os.path.join(ROOT, entry)):
        shutil.rmtree(os.path.join(ROOT, entry))

# resource-star
write(f"resource-star/bad/{A}/iam.json", gaad(users=[user(A, "alice", [("uploads", doc(
    allow(["s3:GetObject", "s3:PutObject"], "*", sid="Uploads")))])]))
write(f"resource-star/good/{A}/iam.json", gaad(users=[user(A, "alice", [("uploads", doc(
    allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::app-uploads/*", sid="Uploads"),
    allow("s3:ListAllMyBuckets", "*", sid="ListOnlyStar")))])]))

write(f"resource-star/levels/{A}/iam.json", gaad(users=[user(A, "alice", [("levels", doc(
    allow("s3:GetObject", "*", sid="ReadLevel"),
    allow("iam:PutRolePolicy", "*", sid="PermissionsLevel"),
    allow(["s3:PutObject", "s3:GetObject"], "*", sid="WriteLevel")))])]))

# action-star
write(f"action-star/bad/{A}/iam.json", gaad(users=[user(A, "alice", [("reports", doc(
    allow("s3:*", "arn:aws:s3:::reports/*", sid="Reports"),
    allow("*", "arn:aws:s3:::archive/*", sid="Archive")))])]))
write(f"action-star/good/{A}/iam.json", gaad(users=[user(A, "alice", [("reports", doc(
    allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::reports/*", sid="Reports")))])]))
# The default KMS key policy: kms:* to the account itself delegates to IAM.
write(f"action-star/good/{A}/kms/key.json", doc({
    "Sid": "EnableIamUserPermissions", "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{A}:root"}, "Action": "kms:*", "Resource": "*"}))

# assume-role-any
write(f"assume-role-any/bad/{A}/iam.json", gaad(users=[user(A, "deployer", [("assume", doc(
    allow("sts:AssumeRole", "arn:aws:iam::*:role/Deploy", sid="AnyAccount")))])]))
write(f"assume-role-any/good/{A}/iam.json", gaad(users=[user(A, "deployer", [("assume", doc(
    allow("sts:AssumeRole", f"arn:aws:iam::{B}:role/Deploy", sid="OneAccount")))])]))

# trust-account-root
write(f"trust-account-root/bad/{A}/iam.json", gaad(roles=[role(A, "Audit", trust({"AWS": f"arn:aws:iam::{B}:root"}))]))
write(f"trust-account-root/bad/{B}/iam.json", gaad(users=[user(B, "bob")]))
write(f"trust-account-root/good/{A}/iam.json", gaad(roles=[role(A, "Audit", trust({"AWS": f"arn:aws:iam::{B}:role/Auditor"}))]))
write(f"trust-account-root/good/{B}/iam.json", gaad(roles=[role(B, "Auditor", EC2)]))

write(f"trust-account-root/own/{A}/iam.json", gaad(roles=[role(A, "Local", trust({"AWS": A}))]))
write(f"trust-account-root/external-admin/{A}/iam.json", gaad(roles=[role(A, "Admin",
    trust({"AWS": f"arn:aws:iam::{X}:root"}), attached=[ADMIN])]))

# trust-external-no-external-id
write(f"trust-external-no-external-id/bad/{A}/iam.json", gaad(roles=[role(A, "Vendor",
    trust({"AWS": f"arn:aws:iam::{X}:role/VendorScanner"}))]))
write(f"trust-external-no-external-id/good/{A}/iam.json", gaad(roles=[role(A, "Vendor",
    trust({"AWS": f"arn:aws:iam::{X}:role/VendorScanner"},
          {"StringEquals": {"sts:ExternalId": "d41d8cd98f00b204"}}))]))

# trust-service-no-source
write(f"trust-service-no-source/bad/{A}/iam.json", gaad(roles=[role(A, "SnsFeedback",
    trust({"Service": "sns.amazonaws.com"}))]))
write(f"trust-service-no-source/good/{A}/iam.json", gaad(roles=[
    role(A, "SnsFeedback", trust({"Service": "sns.amazonaws.com"},
         {"StringEquals": {"aws:SourceAccount": A}})),
    role(A, "Worker", EC2),
    # A service-linked role: AWS writes its trust policy and nobody can edit it.
    role(A, "AWSServiceRoleForConfig", trust({"Service": "config.amazonaws.com"}),
         path="/aws-service-role/config.amazonaws.com/")]))

# public-principal
write(f"public-principal/bad/{A}/s3/public-site.json", doc({
    "Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::public-site/*"}))
write(f"public-principal/good/{A}/s3/public-site.json", doc({
    "Sid": "OrgRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::public-site/*",
    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}))
write(f"public-principal/trust/{A}/iam.json", gaad(roles=[role(A, "Open", trust({"AWS": "*"}))]))

# notprincipal-allow
write(f"notprincipal-allow/bad/{A}/s3/reports.json", doc({
    "Sid": "AllButMallory", "Effect": "Allow",
    "NotPrincipal": {"AWS": f"arn:aws:iam::{A}:user/mallory"},
    "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}))
write(f"notprincipal-allow/good/{A}/s3/reports.json", doc({
    "Sid": "DenyAllButReporting", "Effect": "Deny",
    "NotPrincipal": {"AWS": f"arn:aws:iam::{A}:role/Reporting"},
    "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}))

# notaction-allow
write(f"notaction-allow/bad/{A}/iam.json", gaad(users=[user(A, "alice", [("p", doc({
    "Sid": "AllButIam", "Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::data/*"}))])]))
write(f"notaction-allow/good/{A}/iam.json", gaad(users=[user(A, "alice", [("p", doc(
    allow(["s3:GetObject"], "arn:aws:s3:::data/*", sid="Read"),
    {"Sid": "OnlyS3", "Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}))])]))

# notresource-allow
write(f"notresource-allow/bad/{A}/iam.json", gaad(users=[user(A, "alice", [("p", doc({
    "Sid": "AllButAudit", "Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::audit/*"}))])]))
write(f"notresource-allow/good/{A}/iam.json", gaad(users=[user(A, "alice", [("p", doc(
    allow("s3:GetObject", "arn:aws:s3:::data/*", sid="Read"),
    {"Sid": "NotAudit", "Effect": "Deny", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::data/*"}))])]))

# dangling-principal
write(f"dangling-principal/bad/{A}/iam.json", gaad(roles=[role(A, "Deploy",
    trust({"AWS": "AROAZZZZZZZZZZZZZZZZZ"}))]))
write(f"dangling-principal/good/{A}/iam.json", gaad(roles=[
    role(A, "Deploy", trust({"AWS": f"arn:aws:iam::{A}:role/Builder"})),
    role(A, "Builder", EC2)]))

# resource-other-account
write(f"resource-other-account/bad/{A}/lambda/report-builder.json", {"Policy": json.dumps(doc({
    "Sid": "InvokeFromEvents", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
    "Action": "lambda:InvokeFunction",
    "Resource": f"arn:aws:lambda:us-east-1:{B}:function:report-builder",
    "Condition": {"StringEquals": {"aws:SourceAccount": A}}}))})
write(f"resource-other-account/good/{A}/lambda/report-builder.json", {"Policy": json.dumps(doc({
    "Sid": "InvokeFromEvents", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
    "Action": "lambda:InvokeFunction",
    "Resource": f"arn:aws:lambda:us-east-1:{A}:function:report-builder",
    "Condition": {"StringEquals": {"aws:SourceAccount": A}}}))})

# unmatched-resource
write(f"unmatched-resource/bad/{A}/iam.json", gaad(users=[user(A, "alice", [("assume", doc(
    allow("sts:AssumeRole", f"arn:aws:iam::{B}:role", sid="NoName")))])]))
write(f"unmatched-resource/good/{A}/iam.json", gaad(users=[user(A, "alice", [("assume", doc(
    allow("sts:AssumeRole", f"arn:aws:iam::{B}:role/CrossAccountRoleS3", sid="Named")))])]))

# unknown-action
write(f"unknown-action/bad/{A}/iam.json", gaad(users=[user(A, "alice", [("p", doc(
    allow(["s3:GetObjekt"], "arn:aws:s3:::data/*", sid="Typo")))])]))
write(f"unknown-action/good/{A}/iam.json", gaad(users=[user(A, "alice", [("p", doc(
    allow(["s3:GetObject", "s3:Get*Tagging"], "arn:aws:s3:::data/*", sid="Spelt")))])]))

# invalid-policy
write(f"invalid-policy/bad/{A}/iam.json", gaad(users=[user(A, "alice", [("p", doc({
    "Sid": "LowerCase", "Effect": "allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}))])]))
write(f"invalid-policy/good/{A}/iam.json", gaad(users=[user(A, "alice", [("p", doc(
    allow("s3:GetObject", "arn:aws:s3:::data/*", sid="Capitalised")))])]))

# cross-account-admin: B's operator can assume A's admin role.
def ops(acct, target):
    return user(acct, "ops", [("assume", doc(allow("sts:AssumeRole", target, sid="AssumeAdmin")))])
write(f"cross-account-admin/bad/{A}/iam.json", gaad(roles=[role(A, "Admin",
    trust({"AWS": f"arn:aws:iam::{B}:root"}), attached=[ADMIN])]))
write(f"cross-account-admin/bad/{B}/iam.json", gaad(users=[ops(B, f"arn:aws:iam::{A}:role/Admin")]))
write(f"cross-account-admin/good/{A}/iam.json", gaad(roles=[role(A, "Admin",
    trust({"AWS": f"arn:aws:iam::{B}:root"}), attached=[READONLY])]))
write(f"cross-account-admin/good/{B}/iam.json", gaad(users=[ops(B, f"arn:aws:iam::{A}:role/Admin")]))
# Through a chain: the external account reaches a read-only hop role, which reaches
# the admin role of the same account.
write(f"cross-account-admin/chain/{A}/iam.json", gaad(roles=[
    role(A, "Hop", trust({"AWS": f"arn:aws:iam::{X}:root"},
                         {"StringEquals": {"sts:ExternalId": "hop-2024"}}),
         inline=[("assume", doc(allow("sts:AssumeRole", f"arn:aws:iam::{A}:role/Admin", sid="ToAdmin")))]),
    role(A, "Admin", trust({"AWS": f"arn:aws:iam::{A}:role/Hop"}), attached=[ADMIN])]))

# external-access
write(f"external-access/bad/{A}/s3/shared.json", doc({
    "Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{X}:root"},
    "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}))
write(f"external-access/bad/{A}/iam.json", gaad(users=[user(A, "alice")]))
write(f"external-access/good/{A}/s3/shared.json", doc({
    "Sid": "Sister", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{B}:root"},
    "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"}))
write(f"external-access/good/{A}/iam.json", gaad(users=[user(A, "alice")]))
write(f"external-access/good/{B}/iam.json", gaad(users=[user(B, "bob")]))
