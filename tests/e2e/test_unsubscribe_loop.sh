#!/usr/bin/env bash
# The unsubscribe loop through a real Postfix: an accepted prospecting mail
# leaves with a personal List-Unsubscribe and One-Click; the token taken
# from what the next hop received, POSTed to the one-click listener,
# refuses the next mail to that recipient; the same through mail to the
# unsubscribe address; forged, truncated, altered and foreign-key tokens
# and GET suppress nobody; a message to several recipients gets the generic
# address; a client's own header is replaced; a key rotation keeps old
# tokens working.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/milter.sh"
. "$(dirname "$0")/unsubscribe.sh"
: "${PROSPECTCTL:?PROSPECTCTL must name the prospectctl binary}"
e2e_tmpdir

unsubscribe_start

ctl() { "$PROSPECTCTL" "$1" "$2" -c "$E2E_DIR/policy.conf" "${@:3}"; }

# 1. An accepted prospecting mail carries a personal, signed link and
#    One-Click; the record says so.
assert_eq 250 "$(prospect jane@client.fr j-1@example.com)" "jane's first mail accepted"
mail=$(delivered j-1@example.com)
assert_contains "$mail" '^List-Unsubscribe: <https://www\.example\.com/u/[A-Za-z0-9_-]{52}>, <mailto:unsubscribe\+[A-Za-z0-9_-]{52}@example\.com\?subject=unsubscribe>' "personal List-Unsubscribe added"
assert_contains "$mail" '^List-Unsubscribe-Post: List-Unsubscribe=One-Click' "One-Click added"
JANE=$(token_of "$mail")
assert_eq 0 "$(ctl token verify --rcpt jane@client.fr "$JANE" >/dev/null; echo $?)" "the token names jane"
record=$(milter_only_record '<j-1@example.com>')
assert_eq personal "$(jq -r .PROSPECT_UNSUBSCRIBE <<<"$record")" "record: personal link"

# 2. GET and HEAD show the page and suppress nobody (link scanners).
assert_eq 200 "$(one_click GET "$JANE")" "GET answers the page"
assert_contains "$E2E_DIR/web.body" 'Exemple Prospection SAS' "the page names the organisation"
assert_contains "$E2E_DIR/web.body" "action=\"$JANE\"" "its button posts back to the page's URL"
assert_eq 200 "$(one_click HEAD "$JANE")" "HEAD answers"
assert_eq no "$(suppressed jane@client.fr)" "GET and HEAD suppressed nobody"
assert_eq 250 "$(prospect jane@client.fr j-2@example.com)" "jane still reachable after GET"

# 3. Forged tokens: altered, truncated, signed with a key we do not have,
#    or with our key id and someone else's secret: 400, nobody suppressed.
flip() { local t=$1 c=${1:$2:1}; [[ $c == A ]] && c=B || c=A; printf '%s%s%s' "${t:0:$2}" "$c" "${t:$(( $2 + 1 ))}"; }
mkdir -p "$E2E_DIR/foreign"
(umask 077; openssl rand -base64 48 >"$E2E_DIR/foreign/9.key"; openssl rand -base64 48 >"$E2E_DIR/foreign/1.key")
for id in 9 1; do
    sed "s#keys = ( .* );#keys = ( { id = $id; file = \"$E2E_DIR/foreign/$id.key\"; } );#" "$E2E_DIR/policy.conf" \
        >"$E2E_DIR/foreign/$id.conf"
done
foreign9=$("$PROSPECTCTL" token make -c "$E2E_DIR/foreign/9.conf" --rcpt jane@client.fr --campaign spring | head -n 1)
foreign1=$("$PROSPECTCTL" token make -c "$E2E_DIR/foreign/1.conf" --rcpt jane@client.fr --campaign spring | head -n 1)
for forged in "$(flip "$JANE" 0)" "$(flip "$JANE" 30)" "$(flip "$JANE" 51)" "${JANE:0:51}" "${JANE}A" "$foreign9" "$foreign1"; do
    assert_eq 400 "$(one_click POST "$forged" List-Unsubscribe=One-Click)" "forged token ${forged:0:12}... refused"
    assert_not_contains "$E2E_DIR/web.body" "$forged" "the refusal does not echo the token"
done
assert_eq 400 "$(one_click GET "$foreign9")" "GET of a foreign token refused"
assert_eq 0 "$(ctl suppress count)" "no forged token suppressed anyone"
assert_eq 7 "$(milter_record_count PROSPECT_EVENT=unsubscribe PROSPECT_OUTCOME=invalid-token)" "each forgery logged"

# 4. The one-click POST suppresses jane; the very next mail to her is
#    refused at RCPT; a second POST is answered the same.
assert_eq 200 "$(one_click POST "$JANE" List-Unsubscribe=One-Click)" "one-click POST accepted"
assert_eq yes "$(suppressed jane@client.fr)" "jane suppressed"
record=$(milter_records PROSPECT_EVENT=unsubscribe PROSPECT_CHANNEL=one-click PROSPECT_OUTCOME=suppressed)
assert_eq "$(printf '%s' jane@client.fr | sha256sum | cut -d' ' -f1)" "$(jq -r .PROSPECT_RECIPIENT <<<"$record")" \
    "the record names jane's hash"
assert_eq spring "$(jq -r .PROSPECT_CAMPAIGN <<<"$record")" "and the campaign"
assert_eq 550 "$(prospect jane@client.fr j-3@example.com)" "the next mail to jane refused"
assert_contains "$(send_last_transcript)" '550 5\.7\.1 .*objected' "refused as an objection"
assert_eq 200 "$(one_click POST "$JANE" List-Unsubscribe=One-Click)" "a second POST answers 200 too"
assert_eq 1 "$(milter_record_count PROSPECT_EVENT=unsubscribe PROSPECT_OUTCOME=already-suppressed)" "and is logged as a repeat"
assert_eq 1 "$(ctl suppress count)" "still one suppression"

# 5. The mailto path: bob writes to unsubscribe+TOKEN@; the mail is taken
#    in and discarded, bob suppressed, the next mail to him refused.
assert_eq 250 "$(prospect bob@client.fr b-1@example.com)" "bob's first mail accepted"
BOB=$(token_of "$(delivered b-1@example.com)")
before=$(sink_count out)
assert_eq 250 "$(send_mail "$MX" bob@client.fr "unsubscribe+$BOB@example.com" --header "Subject: unsubscribe" \
    --header "Message-Id: <u-bob@client.fr>")" "mail to the unsubscribe address accepted"
record=$(milter_records PROSPECT_EVENT=unsubscribe PROSPECT_CHANNEL=mailto)
assert_eq suppressed "$(jq -r .PROSPECT_OUTCOME <<<"$record")" "mailto unsubscribe taken in"
assert_eq yes "$(suppressed bob@client.fr)" "bob suppressed"
assert_eq 1 "$(ctl suppress export | grep -c ',mailto,spring')" "stored with source mailto and the campaign"
assert_eq 550 "$(prospect bob@client.fr b-2@example.com)" "the next mail to bob refused"
sleep 1
assert_eq "$before" "$(sink_count out)" "the unsubscribe mail was discarded, not delivered"

# 6. Mail to the unsubscribe address with a forged token: the writer is
#    suppressed (it is their objection), the person the token names is not.
assert_eq 250 "$(prospect dan@client.fr d-1@example.com)" "dan's mail accepted"
DAN=$(token_of "$(delivered d-1@example.com)")
assert_eq 250 "$(send_mail "$MX" carol@client.fr "unsubscribe+$(flip "$DAN" 20)@example.com" \
    --header "From: Carol <carol@client.fr>")" "forged mailto accepted"
assert_eq yes "$(suppressed carol@client.fr)" "the writer suppressed"
assert_eq no "$(suppressed dan@client.fr)" "the person the forged token names not suppressed"

# 7. Several external recipients: the generic address, no One-Click.
assert_eq 250 "$(prospect erin@client.fr,fred@client.fr ef-1@example.com)" "two-recipient mail accepted"
mail=$(delivered ef-1@example.com)
assert_contains "$mail" '^List-Unsubscribe: <mailto:unsubscribe@example\.com\?subject=unsubscribe>' "generic link"
assert_not_contains "$mail" '^List-Unsubscribe:.*(https|\+)' "with no token in it"
assert_not_contains "$mail" '^List-Unsubscribe-Post:' "no One-Click on a shared link"

# 8. The client's own List-Unsubscribe is replaced by ours.
assert_eq 250 "$(prospect gail@client.fr g-1@example.com \
    --header 'List-Unsubscribe: <mailto:old@tool.example>' --header 'List-Unsubscribe-Post: List-Unsubscribe=One-Click')" \
    "mail with its own header accepted"
mail=$(delivered g-1@example.com)
assert_not_contains "$mail" 'old@tool\.example' "the client's link removed"
assert_eq 1 "$(grep -aci '^List-Unsubscribe:' "$mail")" "one List-Unsubscribe"
assert_eq 1 "$(grep -aci '^List-Unsubscribe-Post:' "$mail")" "one List-Unsubscribe-Post"
GAIL=$(token_of "$mail")

# 9. Key rotation: key 2 added and signing after a reload; gail's token,
#    signed by key 1, still unsubscribes her.
unsubscribe_policy "$WEB" 1 2
e2e_kill milter USR1
milter_wait_records 1 10 PROSPECT_EVENT=reload || fail "no reload record"
assert_eq 250 "$(prospect hugo@client.fr h-1@example.com)" "mail after the rotation accepted"
HUGO=$(token_of "$(delivered h-1@example.com)")
assert_eq "valid: key 2" "$(ctl token verify "$HUGO" | cut -d, -f1)" "new tokens signed by key 2"
assert_eq 200 "$(one_click POST "$GAIL" List-Unsubscribe=One-Click)" "a token of key 1 still works"
assert_eq yes "$(suppressed gail@client.fr)" "gail suppressed after the rotation"
