#!/usr/bin/env bash
# The one-click confirmation page in a real browser: headless Chromium
# (Debian's, driven by Selenium through chromedriver) opens the link a
# prospecting mail carried, in French; the page names the organisation,
# its button POSTs, the page then confirms, and the recipient is
# suppressed: the next mail to them is refused. Opening the page alone
# suppressed nobody.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/milter.sh"
. "$(dirname "$0")/unsubscribe.sh"
: "${PROSPECTCTL:?PROSPECTCTL must name the prospectctl binary}"
e2e_tmpdir

unsubscribe_start

assert_eq 250 "$(prospect marie@client.fr br-1@example.com)" "prospecting mail accepted"
token=$(token_of "$(delivered br-1@example.com)")
[[ ${#token} == 52 ]] || fail "no token in the delivered mail"

timeout=$(awk -v s="$E2E_TIMEOUT_SCALE" 'BEGIN { print 10 * s }')
result=$("$E2E_PYTHON" "$E2E_LIB_DIR/browser.py" --lang fr --timeout "$timeout" \
    "http://127.0.0.1:$WEB/u/$token") || fail "the browser run failed: $result"
field() { jq -r ".$1" <<<"$result"; }
assert_eq true "$(field status_ok)" "the page opened"
[[ "$(field text_before)" == *"Exemple Prospection SAS"* ]] || fail "the page does not name the organisation: $(field text_before)"
pass "the page names the organisation"
[[ "$(field title)" == *"Désinscription"* ]] || fail "not the French page: $(field title)"
pass "the page is in the visitor's language (fr)"
assert_eq POST "$(field method_used)" "its button POSTs"
[[ "$(field text_after)" == *"Vous ne recevrez plus"* ]] || fail "no confirmation after the click: $(field text_after)"
pass "the page then confirms"
assert_eq true "$(field status_after_ok)" "the confirmation is a success answer"
assert_eq yes "$(suppressed marie@client.fr)" "the recipient is suppressed"
assert_eq 1 "$(milter_record_count PROSPECT_EVENT=unsubscribe PROSPECT_CHANNEL=one-click)" \
    "one unsubscribe: opening the page took none"
assert_eq 550 "$(prospect marie@client.fr br-2@example.com)" "the next mail to her refused"
