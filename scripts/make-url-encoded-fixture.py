#!/usr/bin/env python3
"""Makes fixtures/quirks/url-encoded/: a real export (cloudsplaining's
example-authz-details.json, BSD-3-Clause, from ../shared/corpus) with every policy
document URL-encoded the way the raw IAM API returns them (RFC 3986, compact JSON).

One statement is broken on purpose (`"Effect": "allow"` in user biden's inline
policy) so that tests can check that the diagnostic points at the right line and
column of the encoded file.
"""
import json
import pathlib
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
SRC = ROOT.parent / "shared/corpus/cloudsplaining/example-authz-details.json"
OUT = ROOT / "fixtures/quirks/url-encoded/012345678901/iam.json"


def encode(doc):
    return urllib.parse.quote(json.dumps(doc, separators=(",", ":")), safe="")


def main():
    data = json.loads(SRC.read_text())
    for user in data["UserDetailList"]:
        for p in user.get("UserPolicyList", []):
            if user["UserName"] == "biden":
                p["PolicyDocument"]["Statement"][0]["Effect"] = "allow"
            p["PolicyDocument"] = encode(p["PolicyDocument"])
    for group in data["GroupDetailList"]:
        for p in group.get("GroupPolicyList", []):
            p["PolicyDocument"] = encode(p["PolicyDocument"])
    for role in data["RoleDetailList"]:
        role["AssumeRolePolicyDocument"] = encode(role["AssumeRolePolicyDocument"])
        for p in role.get("RolePolicyList", []):
            p["PolicyDocument"] = encode(p["PolicyDocument"])
    for policy in data["Policies"]:
        for v in policy["PolicyVersionList"]:
            v["Document"] = encode(v["Document"])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, indent=4) + "\n")


if __name__ == "__main__":
    main()
