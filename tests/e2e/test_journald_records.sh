#!/usr/bin/env bash
# Decision records in the real journal: the milter logs to journald with
# structured PROSPECT_* fields, and the queries in docs/operations.md find
# them. journald is started by hand when the machine runs none (no systemd
# as PID 1), and stopped again by PID.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/milter.sh"
e2e_tmpdir

journald=/lib/systemd/systemd-journald
journald_answers() { echo probe | systemd-cat -t prospect-e2e-probe 2>/dev/null; }
if ! journald_answers; then
    [[ -x "$journald" ]] || { echo "SKIP: systemd-journald not installed"; exit 77; }
    # Sockets left by an earlier journald would pass for a live one.
    rm -rf /run/systemd/journal
    mkdir -p /run/systemd/journal
    e2e_on_exit 'rm -rf /run/systemd/journal'
    e2e_spawn journald "$journald"
    e2e_wait_until 10 journald_answers || fail "journald did not start"
fi

SINK=$(e2e_free_port); MX=$(e2e_free_port)
sink_start out "$SINK"
milter_write_policy reject journald
milter_start
postfix_start mx "$MX" "$SINK" "$MILTER_SOCKET_SPEC"

# A campaign name no earlier run used, so the journal's history cannot
# answer for this run.
campaign="journal-check-$$-$RANDOM"
code=$(send_mail "$MX" sales@example.com jane@client.fr "${COMPLIANT[@]}" --header "Message-Id: <jd-$$@example.com>" \
    --header "X-Campaign-ID: $campaign")
assert_eq 550 "$code" "undeclared campaign refused"

query=(journalctl --no-pager -o json -t prospect-milter PROSPECT_ACTION=reject "PROSPECT_CAMPAIGN=$campaign" --since today)
query_answers() { [[ -n "$("${query[@]}")" ]]; }
e2e_wait_until 10 query_answers || fail "the documented query finds no reject of the campaign"
record=$("${query[@]}")
assert_eq 1 "$(grep -c . <<<"$record")" "exactly one reject of the campaign in the journal"
assert_eq campaign "$(jq -r .PROSPECT_RULES_FAILED <<<"$record")" "failed rule in the journal"
assert_eq "<jd-$$@example.com>" "$(jq -r .PROSPECT_MESSAGE_ID <<<"$record")" "Message-ID in the journal"
assert_eq sales@example.com "$(jq -r .PROSPECT_SENDER <<<"$record")" "sender in the journal"
assert_eq "$(printf '%s' jane@client.fr | sha256sum | cut -d' ' -f1)" "$(jq -r .PROSPECT_RECIPIENT <<<"$record")" \
    "recipient pseudonymised in the journal"
data_file() { sed -n "s/^ *$1 = \"\(.*\)\";/\1/p" "$E2E_DIR/policy.conf"; }
assert_eq "$({ cat "$E2E_DIR/policy.conf"; printf '\0'; cat "$(data_file keywords)"; printf '\0'
               cat "$(data_file consumer_domains)"; printf '\0'; cat "$(data_file countries)"; } |
             sha256sum | cut -c1-12)" \
    "$(jq -r .PROSPECT_POLICY <<<"$record")" "policy version is the short SHA-256 of the policy and its data files"

# Everything about one queue id, as ops would look it up.
queue_id=$(jq -r .PROSPECT_QUEUE_ID <<<"$record")
[[ "$queue_id" =~ ^[0-9A-Za-z]+$ ]] || fail "record has no queue id"
assert_contains "$(postfix_dir mx)/maillog" "$queue_id: milter-reject" "the queue id is Postfix's"
by_queue=$(journalctl --no-pager -o json "PROSPECT_QUEUE_ID=$queue_id")
assert_eq 1 "$(grep -c . <<<"$by_queue")" "one record for the queue id"

# Nothing went to stderr as JSON: the journal was the target.
assert_eq 0 "$(milter_record_count PROSPECT_EVENT=message)" "no decision record on stderr"
