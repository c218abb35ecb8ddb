#!/usr/bin/env bash
# Assembles the organisation file `iamtrim ingest org FILE` reads (README
# "Organisation file") with the AWS CLI and jq, for teams that export with
# their own tooling rather than let iamtrim call Organizations. Run it with
# the management account's (or a delegated administrator's) credentials:
#
#   scripts/org-export.sh > org.json && iamtrim ingest org org.json
set -euo pipefail
aws() { command aws --output json "$@"; }

org=$(aws organizations describe-organization | jq '{Id: .Organization.Id, MasterAccountId: .Organization.MasterAccountId}')
roots=$(aws organizations list-roots | jq '[.Roots[] | {Id, Name}]')
ous='[]'
accounts='[]'
targets='{}'
queue=$(jq -r '.[].Id' <<<"$roots")
all_targets=$queue
while [ -n "$queue" ]; do
  next=''
  for parent in $queue; do
    children=$(aws organizations list-organizational-units-for-parent --parent-id "$parent" |
      jq --arg p "$parent" '[.OrganizationalUnits[] | {Id, Name, ParentId: $p}]')
    ous=$(jq -s 'add' <(echo "$ous") <(echo "$children"))
    accts=$(aws organizations list-accounts-for-parent --parent-id "$parent" |
      jq --arg p "$parent" '[.Accounts[] | {Id, Name, Status, ParentId: $p}]')
    accounts=$(jq -s 'add' <(echo "$accounts") <(echo "$accts"))
    next="$next $(jq -r '.[].Id' <<<"$children")"
    all_targets="$all_targets $(jq -r '.[].Id' <<<"$children") $(jq -r '.[].Id' <<<"$accts")"
  done
  queue=$(echo $next)
done
policy_ids=''
for t in $all_targets; do
  ids='[]'
  for filter in SERVICE_CONTROL_POLICY RESOURCE_CONTROL_POLICY; do
    # RCPs may not be enabled: then the listing fails and none are attached.
    got=$(aws organizations list-policies-for-target --target-id "$t" --filter "$filter" 2>/dev/null | jq '[.Policies[].Id]' || echo '[]')
    ids=$(jq -s 'add' <(echo "$ids") <(echo "$got"))
  done
  targets=$(jq --arg t "$t" --argjson ids "$ids" '. + {($t): $ids}' <<<"$targets")
  policy_ids="$policy_ids $(jq -r '.[]' <<<"$ids")"
done
policies='[]'
for id in $(tr ' ' '\n' <<<"$policy_ids" | sort -u); do
  p=$(aws organizations describe-policy --policy-id "$id" | jq '[.Policy]')
  policies=$(jq -s 'add' <(echo "$policies") <(echo "$p"))
done
jq -n --argjson org "$org" --argjson roots "$roots" --argjson ous "$ous" --argjson accounts "$accounts" \
  --argjson policies "$policies" --argjson targets "$targets" \
  '{Organization: $org, Roots: $roots, OrganizationalUnits: $ous, Accounts: $accounts, Policies: $policies, Targets: $targets}'
