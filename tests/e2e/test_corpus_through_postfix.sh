#!/usr/bin/env bash
# The corpus through the live milter in a real Postfix: each message sent
# byte for byte, and the rules the milter found failing (its decision
# record) must be those expected.tsv states. All rules reject, so a message
# with a failed rule gets 550 and the others are delivered.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/milter.sh"
e2e_tmpdir

corpus=$(cd "$E2E_LIB_DIR/../corpus" && pwd)
source_dir=$(cd "$E2E_LIB_DIR/../.." && pwd)
mkdir -p "$E2E_DIR/milter"
{
    sed "s#\"../../conf/#\"$source_dir/conf/#" "$corpus/policy.conf"
    echo "milter: { socket = \"unix:$E2E_DIR/milter/milter.sock\"; socket_group = \"postfix\"; socket_mode = \"0660\"; };"
    echo "logging: { target = \"stderr\"; };"
} >"$E2E_DIR/policy.conf"
MILTER_SOCKET_SPEC="unix:$E2E_DIR/milter/milter.sock"
milter_start

SINK=$(e2e_free_port); MX=$(e2e_free_port)
sink_start out "$SINK"
postfix_start mx "$MX" "$SINK" "$MILTER_SOCKET_SPEC"

failures=0 checked=0
while IFS=$'\t' read -r file unsubscribe identity reason first_contact note; do
    [[ "$file" == file ]] && continue
    expected_failed=""
    for rule in unsubscribe identity reason first_contact; do
        [[ "${!rule}" == fail ]] && expected_failed+="${expected_failed:+,}$rule"
    done
    message_id=$(grep -aim1 '^Message-ID:' "$corpus/$file" | sed -E 's/^[^:]*:[[:space:]]*//' | tr -d '\r')
    # A recipient of its own per message: each is a first contact, as the
    # expected first_contact verdicts assume.
    code=$(send_eml "$MX" sales@example.com "prospect-${file%%-*}@client.fr" "$corpus/$file")
    expected_code=250
    [[ -n "$expected_failed" ]] && expected_code=550
    if milter_wait_records 1 20 PROSPECT_MESSAGE_ID="$message_id"; then
        failed=$(milter_records PROSPECT_MESSAGE_ID="$message_id" | tail -n 1 | jq -r .PROSPECT_RULES_FAILED)
    else
        failed="(no record)"
    fi
    if [[ "$failed" == "$expected_failed" && "$code" == "$expected_code" ]]; then
        echo "PASS: $file: SMTP $code, failed [$failed]"
    else
        echo "FAIL: $file: expected SMTP $expected_code failed [$expected_failed], got SMTP $code failed [$failed] ($note)"
        failures=$((failures + 1))
    fi
    checked=$((checked + 1))
done <"$corpus/expected.tsv"

(( checked >= 40 )) || fail "only $checked corpus messages sent"
echo "$((checked - failures)) passed, $failures failed"
(( failures == 0 ))
