#!/usr/bin/env bash
# The milter is killed (SIGKILL) while mail flows: the relay in front of the
# Postfix that runs it defers every message it cannot hand over, nothing is
# lost or duplicated, and everything is delivered once the milter is back.
#
#   client -> Postfix "front" (no milter, a queue like any sending MTA)
#          -> Postfix "mx" (prospect-milter, milter_default_action = tempfail)
#          -> sink
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/milter.sh"
e2e_tmpdir

SINK=$(e2e_free_port); MX=$(e2e_free_port); FRONT=$(e2e_free_port)
sink_start out "$SINK"
milter_write_policy reject stderr
milter_start
postfix_start mx "$MX" "$SINK" "$MILTER_SOCKET_SPEC"
postfix_start front "$FRONT" "$MX"

total=30
for i in $(seq 1 "$total"); do
    if (( i % 2 )); then
        # prospecting, compliant
        sender=sales@example.com; extra=("${COMPLIANT[@]}" --header "X-Campaign-ID: spring")
    else
        sender=bob@example.com; extra=()    # ordinary mail
    fi
    code=$(send_mail "$FRONT" "$sender" "lead$i@client.fr" --header "Message-Id: <fault-$i@example.com>" "${extra[@]}")
    [[ "$code" == 250 ]] || fail "front refused message $i ($code)"
    if (( i == 10 )); then
        e2e_kill milter KILL
        e2e_log "milter killed after message $i"
    fi
done
pass "all $total messages accepted by the front relay"

# While the milter is down, mx tempfails and front keeps the mail.
postfix_log_wait front 'status=deferred .*4\.7\.1' 20 || fail "front never saw a temporary failure from mx"
pass "mx deferred mail while the milter was down"
held=$(postfix_queue_count front)
(( held > 0 )) || fail "front holds no deferred mail"
pass "front holds $held deferred message(s)"

milter_start
postfix_flush front
sink_wait out "$total" 60
assert_eq 0 "$(postfix_queue_count front)" "front queue drained"
assert_eq 0 "$(postfix_queue_count mx)" "mx queue drained"

for i in $(seq 1 "$total"); do
    copies=$(sink_find out "<fault-$i@example.com>" | grep -c . || true)
    [[ "$copies" == 1 ]] || fail "message $i delivered $copies times"
done
pass "every message delivered exactly once"
# None slipped through unjudged while the milter was down. (A message in
# the milter's hands at the kill may be judged again on retry.)
for i in $(seq 1 "$total"); do
    (( $(milter_record_count PROSPECT_MESSAGE_ID="<fault-$i@example.com>") >= 1 )) \
        || fail "message $i was delivered without a decision record"
done
pass "every delivered message was judged by the milter"
assert_eq "$total" "$(sink_count out)" "no extra message at the sink"
assert_eq 0 "$(grep -liE '^X-Mail-Args: (from: ?)?<>' "$E2E_DIR"/out/*.env 2>/dev/null | grep -c . || true)" "no bounce was sent"
