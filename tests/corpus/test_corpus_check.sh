#!/usr/bin/env bash
# Every corpus message through `prospectctl check --json`: each content rule
# must give the verdict expected.tsv states for it, and the exit status must
# follow from the failed rules (all rules are "reject" in policy.conf).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${PROSPECTCTL:?PROSPECTCTL must name the prospectctl binary}"

failures=0 checked=0
while IFS=$'\t' read -r file unsubscribe identity reason first_contact note; do
    [[ "$file" == file ]] && continue
    set +e
    report=$("$PROSPECTCTL" check -c "$here/policy.conf" --json "$here/$file")
    status=$?
    set -e
    got=$(jq -r '[.rules[] | select(.rule | IN("unsubscribe","identity","reason","first_contact")) | .outcome] | join(" ")' <<<"$report")
    expected="$unsubscribe $identity $reason $first_contact"
    expected_status=0
    [[ "$expected" == *fail* ]] && expected_status=2
    if [[ "$got" != "$expected" || "$status" != "$expected_status" ]]; then
        echo "FAIL: $file: expected [$expected] exit $expected_status, got [$got] exit $status ($note)"
        jq -r '.rules[] | "      \(.rule): \(.outcome): \(.detail)"' <<<"$report"
        failures=$((failures + 1))
    else
        echo "PASS: $file [$got]"
    fi
    checked=$((checked + 1))
done <"$here/expected.tsv"

(( checked >= 40 )) || { echo "FAIL: only $checked corpus messages checked"; exit 1; }
echo "$((checked - failures)) passed, $failures failed"
(( failures == 0 ))
