#!/usr/bin/env bash
# A person's data, seeded through the real path (mail through Postfix and
# the milter, an unsubscribe by one-click, a consent recorded with
# prospectctl), then: `subject show` says what the store holds and where the
# records are; `subject erase` removes consent and contact history but keeps
# the objection, so the next mail is still refused; erasing the objection
# needs confirmation. `purge` with a fake clock (--now) removes exactly the
# contact histories past their campaign's retention and the consents past
# their validity, and --dry-run removes nothing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/milter.sh"
. "$(dirname "$0")/unsubscribe.sh"
: "${PROSPECTCTL:?PROSPECTCTL must name the prospectctl binary}"
e2e_tmpdir

# A second campaign kept only 30 days, and consents valid one year.
UNSUBSCRIBE_EXTRA='' unsubscribe_start
sed -i -e 's#^campaigns = (#campaigns = (\n  { id = "fair"; purpose = "Invite to our stand at the HR fair"; audience = "b2b";\n    legal_basis = "legitimate_interest"; start = "2020-01-01"; retention_days = 30; },#' \
       -e 's#^consent: {#consent: {\n  validity_days = 365;#' "$E2E_DIR/policy.conf"
e2e_kill milter USR1
milter_wait_records 1 10 PROSPECT_EVENT=reload || fail "the policy with two campaigns was not loaded"

ctl() { "$PROSPECTCTL" "$1" "$2" -c "$E2E_DIR/policy.conf" "${@:3}"; }
purge() { "$PROSPECTCTL" purge -c "$E2E_DIR/policy.conf" "$@"; }
hash_of() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
contacts() { ctl subject show "$1" | grep '^contact history:' | sed 's/^contact history: *//'; }
fair() { send_mail "$MX" sales@example.com "$1" "${COMPLIANT[@]}" --header "Message-Id: <$2>" \
    --header "X-Campaign-ID: fair" --header "Subject: Our stand"; }

# Seed: jane gets two spring mails and unsubscribes by one-click; paul gets
# a spring mail; lea and max get a fair mail; jane and paul give consents,
# paul's two years ago.
assert_eq 250 "$(prospect jane@client.fr s-1@example.com)" "jane's first mail"
assert_eq 250 "$(prospect jane@client.fr s-2@example.com)" "jane's second mail"
JANE=$(token_of "$(delivered s-2@example.com)")
assert_eq 200 "$(one_click POST "$JANE" List-Unsubscribe=One-Click)" "jane unsubscribes"
assert_eq 250 "$(prospect paul@client.fr s-3@example.com)" "paul's mail"
assert_eq 250 "$(fair lea@client.fr f-1@example.com)" "lea's fair mail"
assert_eq 250 "$(fair max@client.fr f-2@example.com)" "max's fair mail"
ctl consent add jane@client.fr --source web-form --proof "form 7" >/dev/null
ctl consent add paul@client.fr --source fair --date "$(date -u -d '2 years ago' +%F)" >/dev/null

# 1. subject show: everything held, and how to find the records.
out=$(ctl subject show Jane@Client.fr)
grep -q "^hash: *$(hash_of jane@client.fr)$" <<<"$out" || fail "show: no hash line: $out"
pass "show names the hash the store and the logs know her by"
grep -q '^suppression: .*source one-click, campaign "spring"' <<<"$out" || fail "show: suppression missing: $out"
pass "show: the objection, its channel and campaign"
grep -q '^consent: .*source "web-form", proof "form 7"' <<<"$out" || fail "show: consent missing"
pass "show: the consent and its proof"
[[ "$(contacts jane@client.fr)" == *"2 message(s), last campaign spring"* ]] || fail "show: contacts: $(contacts jane@client.fr)"
pass "show: two contacts, last campaign spring"
grep -q "journalctl -t prospect-milter PROSPECT_RECIPIENT=$(hash_of jane@client.fr)" <<<"$out" || fail "show: no journalctl hint"
pass "show: how to find her decision records"
# Her decision records are where show says they are (JSON lines here).
assert_eq 2 "$(milter_record_count PROSPECT_EVENT=message PROSPECT_RECIPIENT="$(hash_of jane@client.fr)")" \
    "her two messages' records found by that hash"

# 2. subject erase: consent and contacts go, the objection stays and still
#    refuses the next mail; the request is logged.
out=$(ctl subject erase jane@client.fr 2>"$E2E_DIR/erase.err")
grep -q '^consent: *erased' <<<"$out" || fail "erase: consent: $out"
grep -q '^contacts: *erased' <<<"$out" || fail "erase: contacts: $out"
grep -q 'suppression: *kept' <<<"$out" || fail "erase: does not say the objection is kept: $out"
pass "erase: consent and contacts erased, objection kept and said so"
assert_eq "none" "$(contacts jane@client.fr)" "no contact history left"
assert_eq 550 "$(prospect jane@client.fr s-4@example.com)" "the objection still refuses the next mail"
record=$(grep -a '^{' "$E2E_DIR/erase.err" | jq -c 'select(.PROSPECT_EVENT == "subject")')
assert_eq erase "$(jq -r .PROSPECT_ACTION <<<"$record")" "the erasure is logged"
assert_eq "consent,contacts" "$(jq -r .PROSPECT_ERASED <<<"$record")" "with what was erased"
assert_eq suppression "$(jq -r .PROSPECT_KEPT <<<"$record")" "and what was kept"

# 3. Erasing the objection needs the address confirmed.
assert_eq 64 "$(ctl subject erase jane@client.fr --including-suppression </dev/null >/dev/null 2>&1; echo $?)" \
    "erasing an objection without confirmation refused"
assert_eq 550 "$(prospect jane@client.fr s-5@example.com)" "the objection is still there"
ctl subject erase jane@client.fr --including-suppression --confirm jane@client.fr >/dev/null 2>&1
assert_eq "suppression:     none" "$(ctl subject show jane@client.fr 2>/dev/null | grep '^suppression:')" \
    "confirmed: the objection erased"

# 4. purge with a fake clock. Today nothing is past retention but paul's
#    two-year-old consent (validity 365 days).
day() { date -u -d "$1" +%F; }
out=$(purge --dry-run)
grep -q '^contact histories: 0 of 3 past retention' <<<"$out" || fail "dry run today: $out"
grep -q '^consents: 1 of 1 older than 365 days, would be deleted' <<<"$out" || fail "dry run consents: $out"
pass "dry run today: no contact history, paul's old consent would go"
grep -q '^consent: .*source "fair"' <<<"$(ctl subject show paul@client.fr)" || fail "the dry run deleted paul's consent"
pass "the dry run deleted nothing"

# 31 days on: the fair campaign's contacts (kept 30 days) go, spring's stay.
out=$(purge --now "$(day '+31 days')" 2>"$E2E_DIR/purge.err")
grep -q '^contact histories: 2 of 3 past retention, deleted' <<<"$out" || fail "purge +31 days: $out"
grep -Eq '^  last campaign fair +2 \(kept 30 days' <<<"$out" || fail "purge +31 days, per campaign: $out"
pass "31 days on: the two fair contacts deleted"
assert_eq none "$(contacts lea@client.fr)" "lea's history gone"
assert_eq none "$(contacts max@client.fr)" "max's history gone"
[[ "$(contacts paul@client.fr)" == *"1 message(s), last campaign spring"* ]] || fail "paul's history purged too early"
pass "paul's spring history kept"
grep -q '^consent: *none' <<<"$(ctl subject show paul@client.fr)" || fail "paul's expired consent kept"
pass "paul's consent, past its year, deleted"
record=$(grep -a '^{' "$E2E_DIR/purge.err" | jq -c 'select(.PROSPECT_EVENT == "purge")')
assert_eq 2 "$(jq -r .PROSPECT_CONTACTS_DELETED <<<"$record")" "the purge is logged with its count"

# Three years and a day on: paul's spring history goes as well.
out=$(purge --now "$(day '+1096 days')" 2>/dev/null)
grep -q '^contact histories: 1 of 1 past retention, deleted' <<<"$out" || fail "purge +1096 days: $out"
assert_eq none "$(contacts paul@client.fr)" "paul's history gone after three years"
