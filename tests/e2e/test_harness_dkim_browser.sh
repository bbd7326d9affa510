#!/usr/bin/env bash
# Self-test of the two tools the unsubscribe tests build on (no prospect-milter):
#   a. dkim.sh: OpenDKIM as the only milter of a private Postfix signs a
#      mail that carries List-Unsubscribe + List-Unsubscribe-Post; the
#      sink's copy has a DKIM-Signature whose h= covers (and oversigns)
#      both, dkim_verify accepts it, and rejects copies with an altered
#      List-Unsubscribe, an added second List-Unsubscribe or an altered body.
#   c. postfix_start takes a two-milter list ("A, B") as its MILTER_SPEC:
#      both run (here: OpenDKIM twice -> two signatures, both valid).
#   b. browser.py: headless Chromium opens a loopback page in French,
#      submits its one form (POST to itself) and reports the "Done" page;
#      the server saw exactly one POST (a curl GET is not one), the
#      Accept-Language was fr, a page without a form gives exit 2, and no
#      chromium/chromedriver process outlives browser.py.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dkim.sh"

t0=$(date +%s%N)
for tool in opendkim opendkim-genkey /usr/bin/chromium /usr/bin/chromedriver curl jq; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
/usr/bin/python3 -c 'import dkim, selenium' 2>/dev/null ||
    { echo "SKIP: /usr/bin/python3 lacks dkim (python3-dkim) or selenium (python3-selenium)"; exit 77; }

e2e_tmpdir
BROWSER="$E2E_LIB_DIR/browser.py"
BROWSER_TIMEOUT=$(awk -v s="$E2E_TIMEOUT_SCALE" 'BEGIN { print 10 * s }')

# --- a. DKIM signing of List-Unsubscribe / List-Unsubscribe-Post ----------
SINK=$(e2e_free_port); MX=$(e2e_free_port); MX2=$(e2e_free_port)
sink_start out "$SINK"
dkim_start
assert_eq "unix:$E2E_DIR/dkim/opendkim.sock" "$DKIM_SOCKET_SPEC" "DKIM_SOCKET_SPEC exported"
postfix_start mx "$MX" "$SINK" "$DKIM_SOCKET_SPEC"

LU='<https://www.example.com/u/abc>, <mailto:unsubscribe+abc@example.com>'
code=$(send_mail "$MX" sales@example.com jane@client.fr \
    --header "From: Alice Martin <sales@example.com>" \
    --header "Subject: Votre logiciel de paie" \
    --header "Message-Id: <dkim-1.$$@example.com>" \
    --header "List-Unsubscribe: $LU" \
    --header "List-Unsubscribe-Post: List-Unsubscribe=One-Click" \
    --body "Bonjour,
voici notre offre.")
assert_eq 250 "$code" "mail with List-Unsubscribe accepted through OpenDKIM"
sink_wait out 1 20
signed=$(sink_find out "<dkim-1.$$@example.com>") || fail "signed mail not in the sink"
assert_contains "$signed" '^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example\.com; s=e2e;' \
    "sink copy has an OpenDKIM signature (d=example.com, s=e2e, relaxed/relaxed)"
assert_eq 1 "$(grep -ac '^DKIM-Signature:' "$signed")" "exactly one DKIM-Signature"

if out=$(dkim_verify "$signed"); then pass "dkim_verify accepts the sink's copy"
else fail "dkim_verify rejects the sink's copy: $out"; fi
e2e_log "$out"
assert_eq 1 "$(grep -c . <<<"$out")" "one line per signature"
[[ "$out" == "verified=true h="* ]] || fail "unexpected dkim_verify output: $out"
h=$(sed -E 's/^verified=[a-z]+ h=([^ ]*).*/\1/' <<<"$out")
hcount() { tr ':' '\n' <<<"$h" | grep -cx -- "$1" || true; }
for name in from to subject date message-id; do
    (( $(hcount "$name") >= 1 )) || fail "h= lacks $name: $h"
done
pass "h= covers from, to, subject, date, message-id"
assert_eq 2 "$(hcount list-unsubscribe)" "h= has list-unsubscribe, oversigned (present once + once more)"
assert_eq 2 "$(hcount list-unsubscribe-post)" "h= has list-unsubscribe-post, oversigned"
assert_eq 2 "$(hcount from)" "h= has from, oversigned"

# altered List-Unsubscribe: must fail (the test can fail)
perl -pe 's{^(List-Unsubscribe: <https://www\.example\.com/u/)abc>}{${1}evil>}' "$signed" >"$E2E_DIR/tampered-lu.eml"
cmp -s "$signed" "$E2E_DIR/tampered-lu.eml" && fail "tampering did not change the copy"
rc=0; out=$(dkim_verify "$E2E_DIR/tampered-lu.eml") || rc=$?
assert_eq 1 "$rc" "dkim_verify rejects an altered List-Unsubscribe"
[[ "$out" == "verified=false "* ]] || fail "altered copy not reported as verified=false: $out"
# a second List-Unsubscribe added in transit: oversigning makes this fail too
perl -pe 'if (!$done && /^List-Unsubscribe-Post:/) { print "List-Unsubscribe: <https://evil.example.net/u>\r\n"; $done = 1 }' \
    "$signed" >"$E2E_DIR/tampered-add.eml"
rc=0; out=$(dkim_verify "$E2E_DIR/tampered-add.eml") || rc=$?
assert_eq 1 "$rc" "dkim_verify rejects an added second List-Unsubscribe (oversigned)"
# and a changed body
perl -pe 's/voici notre offre/voici une autre offre/' "$signed" >"$E2E_DIR/tampered-body.eml"
rc=0; out=$(dkim_verify "$E2E_DIR/tampered-body.eml") || rc=$?
assert_eq 1 "$rc" "dkim_verify rejects an altered body"
assert_contains "$E2E_DIR/tampered-body.eml" 'voici une autre offre' "body tampering took effect"

# --- c. two milters in one MILTER_SPEC ----------------------------------------
postfix_start mx2 "$MX2" "$SINK" "$DKIM_SOCKET_SPEC, $DKIM_SOCKET_SPEC"
assert_eq "$DKIM_SOCKET_SPEC, $DKIM_SOCKET_SPEC" \
    "$(postconf -c "$(postfix_config_dir mx2)" -h smtpd_milters)" "postfix_start writes a two-milter smtpd_milters"
code=$(send_mail "$MX2" sales@example.com jane@client.fr --header "From: <sales@example.com>" \
    --header "Message-Id: <dkim-2.$$@example.com>" --header "List-Unsubscribe: $LU" \
    --header "List-Unsubscribe-Post: List-Unsubscribe=One-Click")
assert_eq 250 "$code" "mail accepted through two milters"
sink_wait out 2 20
twice=$(sink_find out "<dkim-2.$$@example.com>") || fail "two-milter mail not in the sink"
assert_eq 2 "$(grep -ac '^DKIM-Signature:' "$twice")" "both milters ran: two DKIM-Signatures"
if out=$(dkim_verify "$twice"); then pass "both signatures verify"
else fail "two-milter copy: $out"; fi
assert_eq 2 "$(grep -c '^verified=true ' <<<"$out")" "dkim_verify prints one line per signature"

# --- b. browser.py against a tiny loopback HTTP server -----------------------
HTTP=$(e2e_free_port)
mkdir -p "$E2E_DIR/http" "$E2E_DIR/browser-tmp"
cat >"$E2E_DIR/httpd.py" <<'EOF'
# Test page: GET /u/abc -> a form POSTing to itself; POST /u/abc -> "Done".
# Every page request is recorded as one line in DIR/gets or DIR/posts.
import http.server, os, sys
PORT, D = int(sys.argv[1]), sys.argv[2]
PAGE = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Désinscription</title></head><body>
<h1>Se désabonner</h1><p>Vous ne recevrez plus nos offres.</p>
<form method="post" action="">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Confirmer</button></form>
</body></html>"""
PLAIN = """<!doctype html><html><head><title>Rien</title></head><body><p>Pas de formulaire.</p></body></html>"""
DONE = """<!doctype html><html><head><title>OK</title></head><body><p>Done</p></body></html>"""
def record(name, line):
    with open(os.path.join(D, name), "a") as f:
        f.write(line + "\n")
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write("%s\n" % (fmt % args)); sys.stderr.flush()
    def reply(self, code, body):
        b = body.encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(b)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(b)
    def do_GET(self):
        if self.path == "/u/abc":
            record("gets", "%s\t%s" % (self.path, self.headers.get("Accept-Language", "")))
            self.reply(200, PAGE)
        elif self.path == "/plain":
            self.reply(200, PLAIN)
        else:
            self.reply(404, "<html><body>not found</body></html>")
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0)).decode("utf-8", "replace")
        record("posts", "%s\t%s\t%s" % (self.path, self.headers.get("Content-Type", ""), body))
        self.reply(200, DONE)
srv = http.server.HTTPServer(("127.0.0.1", PORT), H)
open(os.path.join(D, "ready"), "w").close()
srv.serve_forever()
EOF
e2e_spawn httpd /usr/bin/python3 "$E2E_DIR/httpd.py" "$HTTP" "$E2E_DIR/http"
e2e_wait_until 10 test -e "$E2E_DIR/http/ready" || fail "test HTTP server did not start"
URL="http://127.0.0.1:$HTTP/u/abc"
lines() { if [[ -f "$1" ]]; then grep -c . "$1" || true; else echo 0; fi; }

# a GET alone is not a POST
curl -sS --noproxy '*' -o "$E2E_DIR/curl.html" "$URL"
assert_contains "$E2E_DIR/curl.html" '<form method="post"' "curl GET sees the form"
assert_eq 1 "$(lines "$E2E_DIR/http/gets")" "server counted the GET"
assert_eq 0 "$(lines "$E2E_DIR/http/posts")" "a GET is not counted as a POST"

# processes whose command line mentions our profile dir (chromium, chromedriver)
browser_procs() {
    local p
    for p in /proc/[0-9]*; do
        grep -qaF "$E2E_DIR/browser-tmp" "$p/cmdline" 2>/dev/null && printf '%s ' "${p#/proc/}"
    done
    return 0
}

tb=$(date +%s%N)
rc=0; json=$(TMPDIR="$E2E_DIR/browser-tmp" /usr/bin/python3 "$BROWSER" --timeout "$BROWSER_TIMEOUT" --lang fr "$URL" 2>"$E2E_DIR/browser.err") || rc=$?
browser_ms=$(( ($(date +%s%N) - tb) / 1000000 ))
[[ $rc == 0 ]] || cat "$E2E_DIR/browser.err" >&2
assert_eq 0 "$rc" "browser.py exits 0"
e2e_log "browser.py took ${browser_ms} ms: $json"
jq -e . >/dev/null <<<"$json" || fail "browser.py did not print JSON: $json"
assert_eq "Désinscription" "$(jq -r .title <<<"$json")" "title of the page"
assert_eq true "$(jq -r .status_ok <<<"$json")" "page loaded with a 2xx status"
assert_eq $'Se désabonner\nVous ne recevrez plus nos offres.\nConfirmer' "$(jq -r .text_before <<<"$json")" \
    "visible text before submitting"
assert_eq POST "$(jq -r .method_used <<<"$json")" "form submitted with POST"
assert_eq Done "$(jq -r .text_after <<<"$json")" "visible text after submitting"
assert_eq true "$(jq -r .status_after_ok <<<"$json")" "result page loaded with a 2xx status"
assert_eq 1 "$(lines "$E2E_DIR/http/posts")" "server saw exactly one POST"
assert_eq $'/u/abc\tapplication/x-www-form-urlencoded\tList-Unsubscribe=One-Click' "$(cat "$E2E_DIR/http/posts")" \
    "the POST went to the page itself with the form's body"
assert_eq 2 "$(lines "$E2E_DIR/http/gets")" "browser fetched the page once (curl + browser)"
assert_contains "$E2E_DIR/http/gets" $'\tfr(,|;|$)' "browser sent Accept-Language: fr"
assert_eq fr "$(jq -r .lang <<<"$json")" "navigator.language is fr"
assert_eq "" "$(browser_procs)" "no chromium/chromedriver left after browser.py"
assert_not_contains "$E2E_DIR/browser.err" 'leftover' "browser.py had nothing to clean up by force"
assert_eq "" "$(ls -A "$E2E_DIR/browser-tmp")" "browser.py removed its temporary profile"

# a page without a form: exit 2, JSON still printed
rc=0; json=$(TMPDIR="$E2E_DIR/browser-tmp" /usr/bin/python3 "$BROWSER" --timeout "$BROWSER_TIMEOUT" --lang fr "http://127.0.0.1:$HTTP/plain" 2>"$E2E_DIR/browser2.err") || rc=$?
assert_eq 2 "$rc" "browser.py exits 2 when there is no form"
assert_eq "Pas de formulaire." "$(jq -r .text_before <<<"$json")" "and still reports the page"
assert_eq 1 "$(lines "$E2E_DIR/http/posts")" "still exactly one POST"
assert_eq "" "$(browser_procs)" "no chromium/chromedriver left after the exit-2 run"

# never anything but loopback
rc=0; TMPDIR="$E2E_DIR/browser-tmp" /usr/bin/python3 "$BROWSER" "http://192.0.2.1/" >/dev/null 2>&1 || rc=$?
assert_eq 1 "$rc" "browser.py refuses a non-loopback URL"

printf 'self-test took %d ms (browser run %d ms)\n' $(( ($(date +%s%N) - t0) / 1000000 )) "$browser_ms"
