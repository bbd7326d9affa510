#!/usr/bin/env bash
# Objections and consent through a real Postfix: a suppressed recipient is
# refused at RCPT when the sender already makes the mail prospecting, and
# removed at the end of the message when only the campaign header does; a
# suppressed domain; a consumer mailbox and a German business address
# refused without consent and delivered with it; an entry added with
# prospectctl while the daemon runs refuses the very next message; each
# refused recipient is one decision record; delivered mail is counted in the
# contact history.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/milter.sh"
: "${PROSPECTCTL:?PROSPECTCTL must name the prospectctl binary}"
e2e_tmpdir

SINK=$(e2e_free_port); MX=$(e2e_free_port)
sink_start out "$SINK"
milter_write_policy reject stderr
milter_start
postfix_start mx "$MX" "$SINK" "$MILTER_SOCKET_SPEC"

ctl() { "$PROSPECTCTL" "$1" "$2" -c "$E2E_DIR/policy.conf" "${@:3}"; }
hash_of() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
# The envelope recipients the sink got for a message, one per line.
recipients_of() { sink_envelope "$(sink_find out "$1")" | grep -a '^X-Rcpt-Args:' | grep -ao '<[^>]*>' | sort; }
# Sends a compliant prospecting mail; $1 sender, $2 recipients, $3 message id.
prospect() {
    send_mail "$MX" "$1" "$2" "${COMPLIANT[@]}" --header "Message-Id: <$3>" --header "X-Campaign-ID: spring" \
        --header "Subject: Your payroll"
}

# 1. A recipient delivered once, then suppressed with prospectctl while the
#    daemon runs: the very next message to it is refused at RCPT.
assert_eq 250 "$(prospect sales@example.com carol@client.fr first-1@example.com)" "carol reachable before"
sink_wait out 1 20
ctl suppress add carol@client.fr --note "asked by phone" >/dev/null
assert_eq 550 "$(prospect sales@example.com carol@client.fr next-1@example.com)" "carol refused right after"
assert_contains "$(send_last_transcript)" '550 5\.7\.1 .*objected' "the refusal says why"
record=$(milter_records PROSPECT_EVENT=recipient PROSPECT_RECIPIENT="$(hash_of carol@client.fr)")
assert_eq refuse "$(jq -r .PROSPECT_ACTION <<<"$record")" "refusal logged"
assert_eq rcpt "$(jq -r .PROSPECT_STAGE <<<"$record")" "refused at RCPT"
assert_eq suppression "$(jq -r .PROSPECT_RULES_FAILED <<<"$record")" "the rule named"

# 2. Two recipients, one suppressed, sender-scoped: one RCPT refused, the
#    message delivered to the other.
ctl suppress add dan@client.fr >/dev/null
code=$(prospect sales@example.com dan@client.fr,erin@client.fr two-1@example.com)
assert_eq 250 "$code" "message accepted for the other recipient"
assert_contains "$(send_last_transcript)" '550 5\.7\.1' "the suppressed RCPT refused"
sink_wait out 2 20
assert_eq '<erin@client.fr>' "$(recipients_of '<two-1@example.com>')" "only erin received it"

# 3. Header-scoped (a sender the scope does not list, a campaign header):
#    the suppressed recipient is removed at the end of the message.
code=$(prospect marketing@example.com dan@client.fr,fred@client.fr hdr-1@example.com)
assert_eq 250 "$code" "header-scoped message accepted"
sink_wait out 3 20
assert_eq '<fred@client.fr>' "$(recipients_of '<hdr-1@example.com>')" "dan removed, fred kept"
record=$(milter_records PROSPECT_EVENT=recipient PROSPECT_MESSAGE_ID='<hdr-1@example.com>')
assert_eq eom "$(jq -r .PROSPECT_STAGE <<<"$record")" "removed at end of message"
assert_eq "$(hash_of dan@client.fr)" "$(jq -r .PROSPECT_RECIPIENT <<<"$record")" "one record for dan"

# 4. A suppressed domain: any address of it is refused.
ctl suppress add @blocked.fr >/dev/null
assert_eq 550 "$(prospect sales@example.com anyone@blocked.fr dom-1@example.com)" "suppressed domain refused"

# 5. A consumer mailbox: refused without consent, delivered with it.
assert_eq 550 "$(prospect sales@example.com jo.doe@gmail.com gmail-1@example.com)" "consumer without consent refused"
record=$(milter_records PROSPECT_EVENT=recipient PROSPECT_RECIPIENT="$(hash_of jo.doe@gmail.com)")
assert_eq consent "$(jq -r .PROSPECT_RULES_FAILED <<<"$record")" "refused for consent"
ctl consent add jo.doe@gmail.com --source web-form --proof "form 12, 192.0.2.7" >/dev/null
assert_eq 250 "$(prospect sales@example.com jo.doe@gmail.com gmail-2@example.com)" "consumer with consent delivered"

# 6. A German business address needs consent too; with it, delivered.
assert_eq 550 "$(prospect sales@example.com einkauf@firma.de de-1@example.com)" "German address without consent refused"
ctl consent add einkauf@firma.de --source import >/dev/null
assert_eq 250 "$(prospect sales@example.com einkauf@firma.de de-2@example.com)" "German address with consent delivered"

# 7. Delivered mail is counted in the contact history: erin's first message
#    was a first contact, the next one is not.
record=$(milter_only_record '<two-1@example.com>')
assert_eq 1 "$(jq -r .PROSPECT_FIRST_CONTACT <<<"$record")" "first message to erin: first contact"
assert_eq 250 "$(prospect sales@example.com erin@client.fr again-1@example.com)" "erin again"
record=$(milter_only_record '<again-1@example.com>')
assert_eq 0 "$(jq -r .PROSPECT_FIRST_CONTACT <<<"$record")" "second message to erin: known contact"
