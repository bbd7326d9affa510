#!/usr/bin/env bash
# The milter in a real Postfix: out-of-scope mail passes untouched,
# compliant prospecting mail passes, a refused campaign gets 550 5.7.1,
# tag and quarantine do what they say after a reload, and every decision is
# logged with the queue id Postfix gave the message.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/milter.sh"
e2e_tmpdir

SINK=$(e2e_free_port); MX=$(e2e_free_port)
sink_start out "$SINK"
milter_write_policy reject stderr
milter_start
postfix_start mx "$MX" "$SINK" "$MILTER_SOCKET_SPEC"

# 1. Ordinary mail: not prospecting, delivered byte for byte as sent.
code=$(send_mail "$MX" bob@example.com jane@client.fr --header "Message-Id: <plain-1@example.com>" \
    --header "Subject: Lunch on Friday?")
assert_eq 250 "$code" "ordinary mail accepted"
sink_wait out 1 20
plain=$(sink_find out '<plain-1@example.com>')
assert_not_contains "$plain" '^X-Prospect-Policy' "ordinary mail not tagged"
record=$(milter_only_record '<plain-1@example.com>')
assert_eq accept "$(jq -r .PROSPECT_ACTION <<<"$record")" "ordinary mail logged as accept"
assert_eq out "$(jq -r .PROSPECT_SCOPE <<<"$record")" "ordinary mail logged out of scope"
assert_eq headers "$(jq -r .PROSPECT_STAGE <<<"$record")" "ordinary mail accepted at end of headers"

# 2. Compliant prospecting mail: passes, logged with Postfix's queue id.
code=$(send_mail "$MX" sales@example.com jane@client.fr "${COMPLIANT[@]}" --header "Message-Id: <ok-1@example.com>" \
    --header "X-Campaign-ID: spring" --header "Subject: Your payroll")
assert_eq 250 "$code" "compliant prospecting mail accepted"
sink_wait out 2 20
assert_not_contains "$(sink_find out '<ok-1@example.com>')" '^X-Prospect-Policy' "compliant mail not tagged"
record=$(milter_only_record '<ok-1@example.com>')
assert_eq pass "$(jq -r .PROSPECT_ACTION <<<"$record")" "compliant mail logged as pass"
assert_eq spring "$(jq -r .PROSPECT_CAMPAIGN <<<"$record")" "campaign logged"
postfix_log_wait mx 'message-id=<ok-1@example.com>' 10 || fail "Postfix did not log the compliant mail"
assert_eq "$(postfix_queue_id_of mx '<ok-1@example.com>')" "$(jq -r .PROSPECT_QUEUE_ID <<<"$record")" \
    "record carries Postfix's queue id"
assert_eq "$(printf '%s' jane@client.fr | sha256sum | cut -d' ' -f1)" "$(jq -r .PROSPECT_RECIPIENT <<<"$record")" \
    "recipient logged pseudonymised"

# 3. Undeclared campaign: refused with a reason the sales person can read.
code=$(send_mail "$MX" sales@example.com jane@client.fr "${COMPLIANT[@]}" --header "Message-Id: <bad-1@example.com>" \
    --header "X-Campaign-ID: black-friday")
assert_eq 550 "$code" "undeclared campaign refused"
assert_contains "$(send_last_transcript)" "550 5.7.1 Prospecting policy: campaign 'black-friday' is not declared" \
    "refusal names the campaign"
record=$(milter_only_record '<bad-1@example.com>')
assert_eq reject "$(jq -r .PROSPECT_ACTION <<<"$record")" "refusal logged as reject"
assert_eq campaign "$(jq -r .PROSPECT_RULES_FAILED <<<"$record")" "failed rule logged"
postfix_log_wait mx 'milter-reject: END-OF-MESSAGE' 10 || fail "Postfix did not log the milter reject"
sleep 1
assert_eq 0 "$(sink_find out '<bad-1@example.com>' | grep -c . || true)" "refused mail not delivered"

# 4. Reload to tag: the same campaign is now delivered with X-Prospect-Policy,
#    and a forged X-Prospect-Policy from the client is removed.
milter_write_policy tag stderr
e2e_kill milter USR1
milter_wait_records 1 10 PROSPECT_EVENT=reload || fail "reload not logged"
code=$(send_mail "$MX" sales@example.com jane@client.fr "${COMPLIANT[@]}" --header "Message-Id: <tag-1@example.com>" \
    --header "X-Campaign-ID: black-friday" --header "X-Prospect-Policy: result=pass")
assert_eq 250 "$code" "tagged mail accepted"
sink_wait out 3 20
tagged=$(sink_find out '<tag-1@example.com>')
assert_contains "$tagged" '^X-Prospect-Policy: result=fail; rules=campaign; campaign=black-friday; policy=[0-9a-f]{12}' \
    "tag header added"
assert_not_contains "$tagged" '^X-Prospect-Policy: result=pass' "forged tag header removed"

# 5. Reload to quarantine: the mail lands in Postfix's hold queue.
milter_write_policy quarantine stderr
e2e_kill milter USR1
milter_wait_records 2 10 PROSPECT_EVENT=reload || fail "second reload not logged"
code=$(send_mail "$MX" sales@example.com jane@client.fr "${COMPLIANT[@]}" --header "Message-Id: <hold-1@example.com>" \
    --header "X-Campaign-ID: black-friday")
assert_eq 250 "$code" "quarantined mail accepted"
postfix_queue_wait mx 1 10 || true
assert_eq 1 "$(postfix_hold_count mx)" "quarantined mail is in the hold queue"
postfix_log_wait mx 'milter-hold: END-OF-MESSAGE' 10 || fail "Postfix did not log the hold"
assert_eq quarantine "$(milter_records PROSPECT_MESSAGE_ID='<hold-1@example.com>' | jq -r .PROSPECT_ACTION)" \
    "quarantine logged"

# 6. Mail only to colleagues: not prospecting even from a listed sender.
code=$(send_mail "$MX" sales@example.com boss@example.com "${COMPLIANT[@]}" --header "Message-Id: <int-1@example.com>" \
    --header "X-Campaign-ID: black-friday")
assert_eq 250 "$code" "internal mail accepted"
# Accepted at DATA, before the headers are sent: the record has the queue id.
postfix_log_wait mx 'message-id=<int-1@example.com>' 10 || fail "Postfix did not log the internal mail"
queue_id=$(postfix_queue_id_of mx '<int-1@example.com>')
milter_wait_records 1 10 PROSPECT_QUEUE_ID="$queue_id" \
    || fail "no decision record for the internal mail"
record=$(milter_records PROSPECT_QUEUE_ID="$queue_id")
assert_eq internal "$(jq -r .PROSPECT_SCOPE_REASON <<<"$record")" "internal mail is out of scope"
assert_eq data "$(jq -r .PROSPECT_STAGE <<<"$record")" "internal mail accepted at DATA"
