#!/usr/bin/env bash
# Self-test of the e2e harness itself (no milter involved):
#   1. sink <- Postfix B: 3 mails via swaks arrive byte-for-byte with their
#      Message-ID/Subject, B's Received header and the envelope; a second
#      smtpd service with its own {daemon_name}; a byte-exact .eml; reply
#      codes of failed steps; the sendmail(1) path.
#   2. chained A -> B -> sink: B stopped, mail to A is deferred and kept in
#      A's queue, the sink sees nothing; B restarted, A flushed, it arrives.
#   2b. an instance with an unreachable milter tempfails (the milter
#      settings are live) and keeps sendmail(1) mail in maildrop.
#   3. everything stops: no process left, ports free, /etc/postfix unchanged.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

t0=$(date +%s%N)
etc_sum() { find /etc/postfix -type f -print0 | sort -z | xargs -0 md5sum | md5sum; }
etc_before=$(etc_sum)

e2e_tmpdir
SINK=$(e2e_free_port); B=$(e2e_free_port); B2=$(e2e_free_port); A=$(e2e_free_port)
DEAD=$(e2e_free_port)   # nothing listens here

sink_start out "$SINK"
postfix_add_smtpd B "$B2" prospecting
postfix_start B "$B" "$SINK"
assert_eq 0 "$(sink_count out)" "sink starts empty"

# --- 1. three mails through B --------------------------------------------
for i in 1 2 3; do
    code=$(send_mail "$B" "sender$i@example.org" "rcpt$i@example.net" \
        --header "Subject: harness selftest $i" \
        --header "Message-Id: <selftest-$i.$$@e2e.test>" \
        --body "body of message $i")
    assert_eq 250 "$code" "mail $i accepted by B"
done
sink_wait out 3 10
assert_eq 3 "$(sink_count out)" "sink received exactly 3 messages"
for i in 1 2 3; do
    f=$(sink_find out "<selftest-$i.$$@e2e.test>") || fail "message $i not found in the sink"
    assert_eq 1 "$(wc -l <<<"$f")" "message $i delivered once"
    assert_contains "$f" "^Subject: harness selftest $i"$'\r'"?$" "message $i: Subject kept"
    assert_contains "$f" "^Received: from e2e-client\.test \(unknown \[127\.0\.0\.1\]\)" "message $i: Received header from B's smtpd"
    assert_contains "$f" "by mx-b\.test \(Postfix\)" "message $i: received by mx-b.test"
    assert_contains "$f" "body of message $i" "message $i: body kept"
    sink_envelope "$f" >"$E2E_DIR/env$i"
    assert_contains "$E2E_DIR/env$i" "^X-Mail-Args: <sender$i@example\.org>" "message $i: envelope sender"
    assert_contains "$E2E_DIR/env$i" "^X-Rcpt-Args: <rcpt$i@example\.net>" "message $i: envelope recipient"
    assert_contains "$E2E_DIR/env$i" "^X-Helo-Args: mx-b\.test$" "message $i: relayed by B"
done
assert_eq 0 "$(postfix_queue_count B)" "B's queue is empty"

# the second smtpd service carries its own {daemon_name}
assert_eq prospecting \
    "$(postconf -c "$(postfix_config_dir B)" -hP "127.0.0.1:$B2/inet/milter_macro_daemon_name")" \
    "extra smtpd service has milter_macro_daemon_name=prospecting"
code=$(send_mail "$B2" a@example.org "two@example.net,three@example.net" --header "Subject: via prospecting port")
assert_eq 250 "$code" "mail to 2 recipients accepted on the extra smtpd port"
sink_wait out 4 10
f=$(sink_last out)
assert_contains "$f" "^Subject: via prospecting port" "extra-port mail arrived"
sink_envelope "$f" >"$E2E_DIR/env4"
assert_eq 2 "$(grep -c '^X-Rcpt-Args:' "$E2E_DIR/env4")" "both recipients in one transaction"

# byte-exact path: LF fixture with 8-bit UTF-8, a leading dot, a tab, a
# folded header; what arrives must end with exactly the CRLF form of it
fixture="$E2E_DIR/fixture.eml"
printf '%s\n' \
    "From: Ventes <ventes@example.org>" \
    "To: <prospect@example.net>" \
    "Subject: =?UTF-8?Q?Cr=C3=A9ation?= de votre espace" \
    "Date: Mon, 01 Jan 2024 10:00:00 +0100" \
    "Message-ID: <byte-exact.$$@e2e.test>" \
    "X-Long: aaaa" \
    "	bbbb folded" \
    "MIME-Version: 1.0" \
    "Content-Type: text/plain; charset=utf-8" \
    "Content-Transfer-Encoding: 8bit" \
    "" \
    "Bonjour Zoë, voilà l'offre — 10 €." \
    ".a line starting with a dot" \
    "..two dots" \
    "	tab-indented" \
    "" \
    "Se désinscrire : https://example.org/u/TOKEN" >"$fixture"
code=$(send_eml "$B" ventes@example.org prospect@example.net "$fixture")
assert_eq 250 "$code" "fixture accepted"
sink_wait out 5 10
f=$(sink_last out)
sed 's/$/\r/' "$fixture" >"$E2E_DIR/fixture.crlf"
size=$(stat -c %s "$E2E_DIR/fixture.crlf")
if cmp -s <(tail -c "$size" "$f") "$E2E_DIR/fixture.crlf"; then
    pass "fixture arrived byte-for-byte (8-bit, dots, CRLF)"
else
    diff <(tail -c "$size" "$f" | od -c) <(od -c "$E2E_DIR/fixture.crlf") | head -n 20 >&2 || true
    fail "fixture was altered in transit"
fi
assert_eq "Received:" "$(head -c 9 "$f")" "only a Received header was prepended"
assert_eq 1 "$(grep -ac '^Received:' "$f")" "exactly one Received header"

# reply codes of failed steps and of a failed connection
code=$(send_mail "$B" a@example.org "not-an-address@" )
assert_eq 501 "$code" "RCPT syntax error is reported as 501"
code=$(send_mail "$DEAD" a@example.org b@example.net)
assert_eq 000 "$code" "no server: reported as 000"

# sendmail(1) path (non_smtpd_milters in milter tests)
printf 'Subject: via sendmail\nMessage-ID: <sendmail.%s@e2e.test>\n\nhello\n' "$$" >"$E2E_DIR/sm.eml"
assert_eq 0 "$(postfix_sendmail B local@example.org x@example.net,y@example.net "$E2E_DIR/sm.eml")" "sendmail accepted the message"
sink_wait out 6 10
f=$(sink_last out)
assert_contains "$f" "^Subject: via sendmail" "sendmail message arrived"
assert_contains "$f" "by mx-b\.test \(Postfix, from userid 0\)" "it went through B's pickup"

# --- 2. chained A -> B -> sink: B down, mail kept in A, B back ----------
postfix_start A "$A" "$B"
before=$(sink_count out)
postfix_stop B
postfix_running B && fail "B still running after postfix_stop"
code=$(send_mail "$A" chain@example.org far@example.net \
    --header "Subject: chained" --header "Message-Id: <chained.$$@e2e.test>")
assert_eq 250 "$code" "A accepts while B is down"
postfix_log_wait A "status=deferred \(connect to 127\.0\.0\.1\[127\.0\.0\.1\]:$B: Connection refused" 10
assert_eq 1 "$(postfix_queue_count A)" "A keeps the message in its queue"
assert_eq "$before" "$(sink_count out)" "nothing reached the sink"

postfix_start B "$B" "$SINK"
postfix_flush A
sink_wait out $((before + 1)) 10
postfix_queue_wait A 0 10
f=$(sink_find out "<chained.$$@e2e.test>") || fail "chained message not in the sink"
assert_eq 1 "$(wc -l <<<"$f")" "chained message delivered exactly once"
assert_contains "$f" "by mx-a\.test \(Postfix\)" "chained message went through A"
assert_contains "$f" "by mx-b\.test \(Postfix\)" "and through B"

# --- 2b. milter settings are live: an unreachable milter means 4xx --------
C=$(e2e_free_port)
PF_DAEMON_NAME=outbound postfix_start C "$C" "$SINK" "unix:$E2E_DIR/no-such-milter.sock"
assert_eq outbound "$(postconf -c "$(postfix_config_dir C)" -hP "127.0.0.1:$C/inet/milter_macro_daemon_name")" \
    "PF_DAEMON_NAME sets {daemon_name} of the main smtpd"
before=$(sink_count out)
code=$(send_mail "$C" a@example.org b@example.net)
assert_eq 451 "$code" "milter unreachable: SMTP mail tempfailed (milter_default_action = tempfail)"
assert_eq 0 "$(postfix_queue_count C)" "nothing queued"
assert_eq 0 "$(postfix_sendmail C a@example.org b@example.net "$E2E_DIR/sm.eml")" "sendmail(1) still takes the message"
postfix_log_wait C "cleanup\[[0-9]+\]: [0-9A-F]+: milter-reject: CONNECT" 10
assert_eq 1 "$(postfix_queue_count C maildrop)" "non-SMTP mail waits in maildrop while the milter is down"
assert_eq "$before" "$(sink_count out)" "nothing passed the missing milter"

# --- 3. everything stops cleanly -----------------------------------------
pids=$(cut -f1 "$E2E_DIR/.e2e/procs")
mpids="$(postfix_master_pid A) $(postfix_master_pid B) $(postfix_master_pid C)"
postfix_stop A; postfix_stop B; postfix_stop C; sink_stop out
for p in $pids $mpids; do
    _e2e_alive "$p" && fail "process $p still alive after stop: $(tr '\0' ' ' </proc/"$p"/cmdline)"
done
pass "no process left (reapers, masters, sink)"
for p in "$SINK" "$A" "$B" "$B2" "$C"; do
    _e2e_port_listening "$p" && fail "port $p still listening"
done
pass "all ports released"
assert_eq "$etc_before" "$(etc_sum)" "/etc/postfix unchanged"

printf 'selftest took %d ms\n' $(( ($(date +%s%N) - t0) / 1000000 ))
