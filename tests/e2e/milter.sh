# shellcheck shell=bash
# Starting prospect-milter inside an end-to-end test (sourced after lib.sh).
#
#   milter_write_policy [CAMPAIGN_ACTION] [LOG_TARGET]   -> $E2E_DIR/policy.conf
#   milter_start                                         -> spawned as "milter"
#   milter_records [FIELD=VALUE]...                      -> matching JSON records
#
# PROSPECT_MILTER names the daemon binary (CTest sets it).

: "${PROSPECT_MILTER:?PROSPECT_MILTER must name the prospect-milter binary}"
MILTER_SOCKET_SPEC=""
# swaks arguments that make a prospecting mail pass every content rule: a
# From with a display name and a body with the whole CNIL footer.
COMPLIANT=(--header "From: Alice Martin <sales@example.com>" --body "$E2E_LIB_DIR/compliant-body.txt")

milter_write_policy() {
    local action=${1:-reject} target=${2:-stderr}
    mkdir -p "$E2E_DIR/milter"
    sed -e "s#@DIR@#$E2E_DIR#g" -e "s#@CAMPAIGN_ACTION@#$action#" -e "s#@LOG_TARGET@#$target#" \
        -e "s#@SRC@#$(cd "$E2E_LIB_DIR/../.." && pwd)#" \
        "$E2E_LIB_DIR/policy.conf.in" >"$E2E_DIR/policy.conf.new"
    mv "$E2E_DIR/policy.conf.new" "$E2E_DIR/policy.conf"
    MILTER_SOCKET_SPEC="unix:$E2E_DIR/milter/milter.sock"
}

milter_start() {
    [[ -f "$E2E_DIR/policy.conf" ]] || milter_write_policy
    rm -f "$E2E_DIR/milter/milter.sock"
    e2e_spawn milter "$PROSPECT_MILTER" -c "$E2E_DIR/policy.conf"
    e2e_wait_until 20 test -S "$E2E_DIR/milter/milter.sock" || fail "prospect-milter did not open its socket"
}

# Decision records (one JSON object per line in the daemon's output) whose
# fields match every FIELD=VALUE given.
milter_records() {
    local filter='.' kv
    for kv in "$@"; do
        filter="$filter | select(.${kv%%=*} == \"${kv#*=}\")"
    done
    grep -a '^{' "$E2E_DIR/milter.out" 2>/dev/null | jq -c "$filter" || true
}

milter_record_count() { milter_records "$@" | grep -c . || true; }

# milter_wait_records COUNT TIMEOUT FIELD=VALUE... : waits until at least
# COUNT records match; status 1 on timeout.
milter_wait_records() {
    local count=$1 timeout=$2; shift 2
    e2e_wait_until "$timeout" _milter_has_records "$count" "$@"
}
# milter_only_record MESSAGE-ID : waits for the message's decision record,
# fails unless there is exactly one, and prints it.
milter_only_record() {
    milter_wait_records 1 10 PROSPECT_MESSAGE_ID="$1" || fail "no decision record for $1"
    assert_eq 1 "$(milter_record_count PROSPECT_MESSAGE_ID="$1")" "one record for $1" >&2
    milter_records PROSPECT_MESSAGE_ID="$1"
}
_milter_has_records() {
    local count=$1; shift
    (( $(milter_record_count "$@") >= count ))
}

# The queue id Postfix gave the message with this Message-ID.
postfix_queue_id_of() {
    postfix_log "$1" | grep -a "message-id=$2" | sed -E 's/.*\]: ([0-9A-Za-z]+): message-id=.*/\1/' | head -n 1
}
