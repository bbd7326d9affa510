#!/usr/bin/env bash
# RFC 8058 one-click counts only when DKIM covers List-Unsubscribe and
# List-Unsubscribe-Post: OpenDKIM placed after prospect-milter in
# smtpd_milters, set to sign (and oversign) both, signs the headers the
# milter added; at the next hop the signature's h= covers both and it
# verifies. In the wrong order (OpenDKIM first) the signature breaks,
# which is why docs/unsubscribe.md asks for prospect-milter first.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/milter.sh"
. "$(dirname "$0")/unsubscribe.sh"
. "$(dirname "$0")/dkim.sh"
e2e_tmpdir

dkim_start
unsubscribe_start "$DKIM_SOCKET_SPEC"

# 1. prospect-milter, then OpenDKIM: both headers signed, the signature verifies.
assert_eq 250 "$(prospect jane@client.fr dk-1@example.com)" "prospecting mail accepted"
mail=$(delivered dk-1@example.com)
assert_contains "$mail" '^List-Unsubscribe: <https://www\.example\.com/u/' "the milter's List-Unsubscribe arrived"
assert_contains "$mail" '^List-Unsubscribe-Post: List-Unsubscribe=One-Click' "and its List-Unsubscribe-Post"
assert_eq 1 "$(grep -aci '^DKIM-Signature:' "$mail")" "one DKIM signature"
verdict=$(dkim_verify "$mail") || fail "the signature does not verify: $verdict"
pass "the signature verifies: ${verdict:0:60}..."
signed=$(grep -o 'h=[^ ]*' <<<"$verdict" | cut -c3- | tr ':' '\n')
assert_eq 2 "$(grep -cx list-unsubscribe <<<"$signed")" "h= covers List-Unsubscribe (once more than present: oversigned)"
assert_eq 2 "$(grep -cx list-unsubscribe-post <<<"$signed")" "h= covers List-Unsubscribe-Post (oversigned)"

# The signature is on our header: changing the token breaks it.
token=$(token_of "$mail")
other=$(printf '%s' "$token" | tr 'A-Za-z' 'B-ZAb-za')
sed "s#/u/$token>#/u/$other>#" "$mail" >"$E2E_DIR/altered.eml"
assert_contains "$E2E_DIR/altered.eml" "/u/$other>" "a copy with another token in List-Unsubscribe"
if dkim_verify "$E2E_DIR/altered.eml" >/dev/null; then fail "an altered List-Unsubscribe still verifies"; fi
pass "an altered List-Unsubscribe does not verify"

# 2. The wrong order, OpenDKIM first: it signs before the milter adds the
#    headers, and the oversigned (absent) headers make the signature fail.
postfix_conf mx "smtpd_milters = $DKIM_SOCKET_SPEC, $MILTER_SOCKET_SPEC"
sleep 1
assert_eq 250 "$(prospect john@client.fr dk-2@example.com)" "mail accepted in the wrong order"
mail=$(delivered dk-2@example.com)
assert_contains "$mail" '^List-Unsubscribe: <https://' "the header is there"
if dkim_verify "$mail" >/dev/null; then fail "signed before the header was added, yet it verifies"; fi
pass "signed before the milter added the header: the signature fails, as docs/unsubscribe.md warns"
