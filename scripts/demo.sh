#!/usr/bin/env bash
# The demo: builds prospect-milter, starts a throwaway Postfix on loopback
# with the milter in smtpd_milters and a sink as next hop, sends real mail
# through it and shows what happened: the SMTP replies, the headers the next
# hop received, and the decision records. Everything it starts is stopped by
# PID when it ends; nothing touches the system's Postfix.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

"$top/scripts/install-deps.sh"
echo "== building prospect-milter"
BUILD_DIR="$top/build" "$top/scripts/build.sh" >/dev/null

export PROSPECT_MILTER="$top/build/milter/prospect-milter"
. "$top/tests/e2e/lib.sh"
. "$top/tests/e2e/milter.sh"
e2e_tmpdir

mkdir -p "$E2E_DIR/milter" "$E2E_DIR/keys"
(umask 077; openssl rand -base64 48 >"$E2E_DIR/keys/1.key")
WEB=$(e2e_free_port)
cat >"$E2E_DIR/policy.conf" <<EOF
# The demo's policy: one declared campaign, prospecting = mail from the
# sales address or carrying a campaign header.
organisation: {
  name = "Exemple Prospection SAS";
  domains = [ "example.com" ];
};
scope: {
  campaign_header = "X-Campaign-ID";
  senders = [ "sales@example.com" ];
};
campaigns = (
  { id = "payroll-hr"; purpose = "Present our payroll software to HR managers";
    audience = "b2b"; legal_basis = "legitimate_interest";
    data_source = "Rented list, Example Data Ltd"; start = "2020-01-01"; }
);
content: { keywords = "$top/conf/keywords.conf"; };
consent: { consumer_domains = "$top/conf/consumer-domains.conf"; countries = "$top/conf/countries.conf"; };
store: { path = "$E2E_DIR/store"; };
rules: { campaign = "reject"; unsubscribe = "reject"; identity = "reject"; reason = "tag"; first_contact = "tag"; };
milter: {
  socket = "unix:$E2E_DIR/milter/milter.sock";
  socket_group = "postfix";
  socket_mode = "0660";
};
unsubscribe: {
  keys = ( { id = 1; file = "$E2E_DIR/keys/1.key"; } );
  url = "https://www.example.com/u/";
  address = "unsubscribe@example.com";
  listen = "127.0.0.1:$WEB";
};
logging: { target = "stderr"; };
EOF
MILTER_SOCKET_SPEC="unix:$E2E_DIR/milter/milter.sock"
"$PROSPECT_MILTER" -t -c "$E2E_DIR/policy.conf"
milter_start

SINK=$(e2e_free_port); MX=$(e2e_free_port)
sink_start nexthop "$SINK"
postfix_start mx "$MX" "$SINK" "$MILTER_SOCKET_SPEC"
echo "== Postfix listening on 127.0.0.1:$MX with smtpd_milters = $MILTER_SOCKET_SPEC; next hop 127.0.0.1:$SINK"

# demo_send TITLE FROM TO MESSAGE-ID [swaks args]: sends, shows the SMTP
# reply and, when delivered, the headers the next hop received.
demo_send() {
    local title=$1 from=$2 to=$3 id=$4 file; shift 4
    echo
    echo "== $title"
    echo "   MAIL FROM:<$from>  RCPT TO:<$to>  $*"
    send_mail "$MX" "$from" "$to" --header "Message-Id: <$id>" "$@" >/dev/null
    echo "   Postfix answered: $(grep -a '^<[-~*]* *[245][0-9][0-9] ' "$(send_last_transcript)" | tail -n 2 | head -n 1 | sed 's/^<[-~*]* *//' | tr -d '\r')"
    if e2e_wait_until 15 test -n "$(sink_find nexthop "<$id>")"; then
        file=$(sink_find nexthop "<$id>")
        echo "   The next hop received these headers:"
        sed -n '1,/^\r\?$/p' "$file" | tr -d '\r' | grep -v '^$' | sed 's/^/     | /'
    else
        echo "   The next hop received nothing."
    fi
}

demo_send "1. Compliant prospecting mail: declared campaign, sender identity, reason, source, unsubscribe link" \
    sales@example.com jane.doe@client-company.fr demo-1@example.com "${COMPLIANT[@]}" \
    --header "X-Campaign-ID: payroll-hr" --header "Subject: Payroll for your HR team"
demo_send "2. Ordinary mail: not prospecting, accepted at end of headers, untouched" \
    bob@example.com supplier@client-company.fr demo-2@example.com --header "Subject: Invoice 2026-118"
demo_send "3. Prospecting mail naming an undeclared campaign: refused" \
    sales@example.com max.martin@client-company.fr demo-3@example.com "${COMPLIANT[@]}" \
    --header "X-Campaign-ID: black-friday" --header "Subject: Only today"
printf '%s\n' "Dear Sir or Madam," "" "Our payroll software saves HR teams two days a month. Shall we talk?" "" \
    "Alice Martin" >"$E2E_DIR/lost-footer.txt"
demo_send "4. A template that lost its footer: no unsubscribe link, no company named" \
    sales@example.com pierre.leroy@client-company.fr demo-4@example.com \
    --header "From: Alice Martin <sales@example.com>" --body "$E2E_DIR/lost-footer.txt" \
    --header "X-Campaign-ID: payroll-hr" --header "Subject: Payroll"

echo
echo "== 5. A person who objected by phone: the postmaster suppresses the address, the very next mail is refused"
echo "   \$ prospectctl suppress add paul.durand@client-company.fr --note 'asked by phone'"
"$top/build/ctl/prospectctl" suppress add -c "$E2E_DIR/policy.conf" paul.durand@client-company.fr \
    --note "asked by phone" | sed 's/^/   /'
demo_send "5. ...and the next prospecting mail to him" \
    sales@example.com paul.durand@client-company.fr demo-5@example.com "${COMPLIANT[@]}" \
    --header "X-Campaign-ID: payroll-hr" --header "Subject: Payroll for your HR team"
demo_send "6. A consumer mailbox without a consent on record: refused (consent rule)" \
    sales@example.com jane.doe@gmail.com demo-6@example.com "${COMPLIANT[@]}" \
    --header "X-Campaign-ID: payroll-hr" --header "Subject: Payroll for your HR team"

token=$(sed -n 's#^List-Unsubscribe: <https://[^>]*/u/\([A-Za-z0-9_-]*\)>.*#\1#p' "$(sink_find nexthop '<demo-1@example.com>')" | tr -d '\r')
echo
echo "== 7. Jane's mail client uses the one-click link of mail 1 (RFC 8058 POST; the site's proxy passes /u/ to 127.0.0.1:$WEB)"
echo "   \$ curl -X POST --data List-Unsubscribe=One-Click http://127.0.0.1:$WEB/u/${token:0:12}..."
echo "   HTTP $(curl -s -o /dev/null -w '%{http_code}' -X POST --data List-Unsubscribe=One-Click "http://127.0.0.1:$WEB/u/$token")"
demo_send "7. ...and the next prospecting mail to Jane" \
    sales@example.com jane.doe@client-company.fr demo-7@example.com "${COMPLIANT[@]}" \
    --header "X-Campaign-ID: payroll-hr" --header "Subject: Payroll, a reminder"
demo_send "8. Ahmed replies to the mailto: link of his mail instead (taken in, discarded: nothing reaches a mailbox)" \
    ahmed@client-company.fr unsubscribe@example.com demo-8@client-company.fr \
    --header "From: Ahmed <ahmed@client-company.fr>" --header "Subject: unsubscribe"

echo
echo "== Decision records (journald fields; here as JSON lines on stderr)"
sleep 1
milter_records | jq -r 'select(.PROSPECT_EVENT == "unsubscribe") |
    "   unsubscribe by \(.PROSPECT_CHANNEL): \(.PROSPECT_OUTCOME)  recipient=\(.PROSPECT_RECIPIENT // .PROSPECT_SENDER)  campaign=\(.PROSPECT_CAMPAIGN // "-")"'
milter_records | jq -r 'select(.PROSPECT_EVENT == "message" or .PROSPECT_EVENT == "recipient") |
    "   \(.PROSPECT_QUEUE_ID // "-")  action=\(.PROSPECT_ACTION)  scope=\(.PROSPECT_SCOPE)/\(.PROSPECT_SCOPE_REASON // "-")  campaign=\(.PROSPECT_CAMPAIGN // "-")  failed=\(.PROSPECT_RULES_FAILED // "-")  policy=\(.PROSPECT_POLICY)\n     \(.MESSAGE)"'
echo
echo "== One record in full"
milter_records PROSPECT_ACTION=reject | head -n 1 | jq .
echo
echo "== A sales person checks that template before the campaign: prospectctl check"
printf 'From: Alice Martin <sales@example.com>\nTo: pierre.leroy@client-company.fr\nSubject: Payroll\nX-Campaign-ID: payroll-hr\n\n' \
    | cat - "$E2E_DIR/lost-footer.txt" >"$E2E_DIR/template.eml"
"$top/build/ctl/prospectctl" check -c "$E2E_DIR/policy.conf" "$E2E_DIR/template.eml" | sed 's/^/   /' || true

ctl() { "$top/build/ctl/prospectctl" "$@"; }
echo
echo "== For the DPO: the record of processing (GDPR art. 30), from the policy"
echo "   \$ prospectctl register --format html -o register.html"
ctl register -c "$E2E_DIR/policy.conf" --format html -o "$E2E_DIR/register.html"
echo "   wrote $E2E_DIR/register.html ($(wc -c <"$E2E_DIR/register.html") bytes); the Markdown form begins:"
ctl register -c "$E2E_DIR/policy.conf" | sed -n '1,30p' | sed 's/^/   | /'
echo
echo "== For the DPO: what was enforced, per campaign and per day"
echo "   \$ prospectctl report --input milter.out   (journald is not running here; on a server, no --input)"
ctl report --input "$E2E_DIR/milter.out" | sed 's/^/   | /'
ctl report --input "$E2E_DIR/milter.out" --format html -o "$E2E_DIR/report.html"
echo "   and as one HTML file with charts: $E2E_DIR/report.html ($(wc -c <"$E2E_DIR/report.html") bytes)"
echo
echo "== For the DPO: Jane asks what is held about her (right of access)"
echo "   \$ prospectctl subject show jane.doe@client-company.fr"
ctl subject show -c "$E2E_DIR/policy.conf" jane.doe@client-company.fr 2>/dev/null | sed 's/^/   | /'
echo "   \$ prospectctl subject erase jane.doe@client-company.fr"
ctl subject erase -c "$E2E_DIR/policy.conf" jane.doe@client-company.fr 2>/dev/null | sed 's/^/   | /'
echo
echo "== For the DPO: retention. What the daily purge would delete today, and in three years and a day"
ctl purge -c "$E2E_DIR/policy.conf" --dry-run | sed 's/^/   | /'
ctl purge -c "$E2E_DIR/policy.conf" --dry-run --now "$(date -u -d '+1096 days' +%F)" | sed 's/^/   | /'
echo
echo "== Done; stopping the milter, Postfix and the sink."
