#!/usr/bin/env bash
# bench/e2e_run.sh — end-to-end throughput of Postfix with and without a
# milter, on loopback: Postfix's smtp-source -> a private Postfix instance
# (tests/e2e/lib.sh) -> Postfix's smtp-sink as next hop. Three
# configurations measured in the same run, interleaved round by round:
#   a) no milter   b) the baseline milter (bench/baseline_milter.cpp)
#   c) prospect-milter (store with a suppression list, unsubscribe header)
# then a soak: 200 concurrent sessions through (c) for 60 s, sampling the
# daemon's memory and threads. See bench/README.md ("e2e_run").
#
#   bench/e2e_run.sh                         the default run (~4 minutes on 2 CPUs)
#   bench/e2e_run.sh --rounds 9 --messages 3000
#   bench/e2e_run.sh --soak-seconds 0        no soak (--soak-seconds 300: a longer one)
#   bench/e2e_run.sh --suppressions 0        no suppression list (store still on)
#   bench/e2e_run.sh --message FILE          send FILE (smtp-source -F) instead of
#                                            smtp-source's generated -l body
#   bench/e2e_run.sh --reuse                 several messages per connection (smtp-source -d)
#   other options: --sessions S (20), --size BYTES (20480), --soak-sessions S (200)
#
# Environment: BUILD_DIR (default build-bench/), JOBS (compile jobs, 2),
# TMPDIR (where the run directory goes), E2E_KEEP=1 (keep it),
# QUIET_BUSY (15: before a run, wait while the machine is busier than this %,
# at most QUIET_MAX_WAIT = 20 s), DISTURBED_PCT (5: mark a round in which
# other processes used more than this % of the busy CPU).
# Needs root, postfix (system instance not running), /usr/sbin/smtp-source,
# /usr/sbin/smtp-sink, python3, openssl, ss; jq (optional).
# Figures to read: the script exits 0 whatever the ratios; non-zero only
# when it could not run (build, start-up, a check of the set-up).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=${BUILD_DIR:-$top/build-bench}

rounds=5
messages=2000
sessions=20
size=20480
message_file=""
reuse=0
soak_seconds=60
soak_sessions=200
suppressions=1000000
target_ratio=0.95

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
while (( $# )); do
    case $1 in
        --rounds) rounds=$2; shift 2 ;;
        --messages) messages=$2; shift 2 ;;
        --sessions) sessions=$2; shift 2 ;;
        --size) size=$2; shift 2 ;;
        --message) message_file=$(realpath "$2"); shift 2 ;;
        --reuse) reuse=1; shift ;;
        --soak-seconds) soak_seconds=$2; shift 2 ;;
        --soak-sessions) soak_sessions=$2; shift 2 ;;
        --suppressions) suppressions=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "e2e_run.sh: unknown option $1 (--help)" >&2; exit 64 ;;
    esac
done
(( rounds >= 3 )) || { echo "e2e_run.sh: --rounds must be at least 3" >&2; exit 64; }
(( messages >= 100 )) || { echo "e2e_run.sh: --messages must be at least 100" >&2; exit 64; }
[[ -z "$message_file" || -r "$message_file" ]] || { echo "e2e_run.sh: cannot read $message_file" >&2; exit 64; }
[[ $(id -u) == 0 ]] || { echo "e2e_run.sh: needs root (private Postfix instances)" >&2; exit 77; }
SMTP_SOURCE=/usr/sbin/smtp-source
SMTP_SINK=/usr/sbin/smtp-sink
for p in "$SMTP_SOURCE" "$SMTP_SINK"; do
    [[ -x $p ]] || { echo "e2e_run.sh: $p missing (Debian package postfix)" >&2; exit 77; }
done

run_start=$EPOCHREALTIME
echo "== building (Release, $build): prospect-milter prospectctl baseline-milter"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release -DPROSPECT_BENCH=ON -DPROSPECT_TESTS=OFF >/dev/null
cmake --build "$build" --target prospect-milter prospectctl baseline-milter -j "${JOBS:-2}" >/dev/null
MILTER=$build/milter/prospect-milter
CTL=$build/ctl/prospectctl
BASELINE=$build/bench/baseline-milter

. "$top/tests/e2e/lib.sh"
e2e_tmpdir
D=$E2E_DIR
# A command that stops the script under set -e: say which, at exit (the ERR
# trap only records, so that failures inside $(...) that the caller
# tolerates print nothing).
set -E
# shellcheck disable=SC2034  # read by the e2e_on_exit line below
ERR_AT=""
trap 'ERR_AT="line $LINENO: $BASH_COMMAND (status $?)"' ERR
e2e_on_exit '[[ -z $ERR_AT || $BASH_SUBSHELL != 0 ]] || printf "e2e_run.sh: stopped at %s\n" "$ERR_AT" >&2'

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

say() { printf '%s\n' "$*"; }

# run_wait NAME CMD... : run CMD as a recorded process (e2e_spawn), wait for
# it (a signal to this script still runs the cleanup), forget its PID.
run_wait() {
    local name=$1 pid rc=0; shift
    e2e_spawn "$name" "$@"
    pid=$E2E_LAST_PID
    wait "$pid" || rc=$?
    _e2e_unregister "$pid"
    return "$rc"
}

median() {   # numbers... -> median
    printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 }
        END { if (NR == 0) { print "nan"; exit }
              if (NR % 2) printf "%.6f\n", a[(NR + 1) / 2]; else printf "%.6f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
calc() { awk "BEGIN { printf \"%.6f\n\", $* }"; }
fmt() { awk -v v="$1" -v f="$2" 'BEGIN { if (v == "" || v == "nan" || v == "-") print "-"; else printf f, v }'; }

sink_messages() { tail -n 1 "$D/sink.count" | cut -d' ' -f2; }
sink_time_of() { awk -v t="$1" '$2 >= t { print $1; exit }' "$D/sink.count"; }
_sink_reached() { (( $(sink_messages) >= $1 )); }

machine_busy() {   # "busy iowait steal irq+softirq" jiffies, all CPUs (busy: user nice system irq softirq)
    awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $6, $9, $7 + $8; exit }' /proc/stat
}
per_msg() {        # "BEFORE" "AFTER" N -> "busy iowait steal irq+softirq" in ms per message
    awk -v a="$1" -v b="$2" -v n="$3" -v hz="$HZ" 'BEGIN { split(a, x, " "); split(b, y, " ")
        for (i = 1; i <= 4; i++) printf "%.3f%s", (y[i] - x[i]) * 1000 / hz / n, (i < 4 ? " " : "\n") }'
}
proc_cpu() {       # PID -> utime + stime of all its threads, jiffies
    [[ -n "$1" && -r /proc/$1/stat ]] || { echo 0; return; }
    awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}
HZ=$(getconf CLK_TCK)

# wait_quiet : before a round, how busy the machine is with this benchmark
# idle: busy fraction of all CPUs over 1 s. While it is over QUIET_BUSY
# (other users of the machine), wait, up to QUIET_MAX_WAIT seconds.
# Sets Q_BUSY (percent, the last sample) and Q_WAITED (seconds).
QUIET_BUSY=${QUIET_BUSY:-15}
QUIET_MAX_WAIT=${QUIET_MAX_WAIT:-20}
wait_quiet() {
    local a b t=0
    while :; do
        a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9; exit }' /proc/stat)
        sleep 1
        b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9; exit }' /proc/stat)
        Q_BUSY=$(awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " "); d = y[2] - x[2]; printf "%.0f", (d > 0 ? 100 * (y[1] - x[1]) / d : 0) }')
        Q_WAITED=$t
        (( Q_BUSY > QUIET_BUSY && t < QUIET_MAX_WAIT )) || return 0
        t=$(( t + 1 ))
    done
}

# proc_snapshot FILE : "pid comm ppid cpu-ticks reaped-children-ticks starttime"
# for every process (comm with spaces -> _).
proc_snapshot() {
    { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk '{
        o = index($0, "("); c = 0
        for (i = length($0); i > o; i--) if (substr($0, i, 1) == ")") { c = i; break }
        if (!o || !c) next
        comm = substr($0, o + 1, c - o - 1); gsub(/[ \t]/, "_", comm)
        split(substr($0, c + 2), f, " ")
        print $1, comm, f[2], f[12] + f[13], f[14] + f[15], f[20] }' >"$1"
}
# cpu_by_process BEFORE AFTER N : CPU ms per message by process, as
# "CLASS NAME VALUE". CLASS: ours (this script and its descendants:
# Postfix instances, milters, sink, smtp-source), kernel (kernel threads),
# other (everything else: other users of the machine). NAME: the process
# name (kworker/0:1 -> kworker). Processes alive at AFTER count from BEFORE
# (new ones whole); the CPU of processes that exited in between reaches their
# parent's "reaped children" time: NAME+children (less what those had used
# before BEFORE).
cpu_by_process() {
    awk -v n="$3" -v hz="$HZ" -v root="$$" '
        FNR == NR { k = $1 " " $6; b[k] = $4; bc[k] = $5; bpp[k] = $3; next }
        { pid = $1; k = pid " " $6; pp[pid] = $3; nm[pid] = $2; seen[k] = 1
          if (k in b) { d[pid] = $4 - b[k]; dc[pid] = $5 - bc[k] } else { d[pid] = $4; dc[pid] = $5 } }
        function class(p,   i) {
            if (p == 2 || pp[p] == 2) return "kernel"
            for (i = 0; i < 64 && p > 1; i++) { if (p == root) return "ours"; p = pp[p] }
            return "other"
        }
        END {
            # a process that exited after BEFORE: its parent reaped its whole
            # lifetime; take off what it had used before BEFORE
            for (k in b) if (!(k in seen)) { split(k, kk, " "); dc[bpp[k]] -= b[k] + bc[k] }
            for (pid in d) {
                c = class(pid); g = nm[pid]; sub(/\/.*/, "", g)
                if (pid == root) g = "smtp-source+script"
                t[c " " g] += d[pid]
                if (dc[pid] > 0) t[c " " (pid == root ? "smtp-source+script" : g "+children")] += dc[pid]
            }
            for (x in t) if (t[x] > 0) printf "%s %.4f\n", x, t[x] * 1000 / hz / n
        }' "$1" "$2"
}

maillog() { printf '%s/%s/maillog' "$D" "$1"; }
log_size() { local f; f=$(maillog "$1"); [[ -f $f ]] && stat -c %s "$f" || echo 0; }
log_since() { tail -c +"$(( $2 + 1 ))" "$(maillog "$1")" 2>/dev/null || true; }
count_in() {       # [-v] ERE : count (non-)matching lines of stdin
    if [[ $1 == -v ]]; then grep -acvE -- "$2" || true; else grep -acE -- "$1" || true; fi
}
_log_sent_reached() { (( $(log_since "$1" "$2" | count_in 'status=sent') >= $3 )); }

# ---------------------------------------------------------------------------
# machine, workload, Postfix settings
# ---------------------------------------------------------------------------

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
machine="$(nproc) CPUs (nproc), ${cpu_model:-unknown CPU}, $(uname -sr) $(uname -m)"
pf_version=$(postconf -h mail_version 2>/dev/null || echo '?')

subject="Payroll software for your HR team"
src_args=(-s "$sessions" -N -f sales@example.com -S "$subject" -M bench-client.test)
if [[ -n $message_file ]]; then
    src_args+=(-F "$message_file")
    body_desc="the file $message_file ($(stat -c %s "$message_file") bytes, smtp-source -F)"
else
    src_args+=(-l "$size")
    body_desc="smtp-source's generated body of $size bytes (-l $size: numbered lines of X) under From/To/Date/Message-Id/Subject headers"
fi
(( reuse )) && src_args+=(-d)
conn_desc=$([[ $reuse == 1 ]] && echo "connections reused (-d)" || echo "one connection per message (smtp-source default)")

# The same settings for every instance (on top of tests/e2e/lib.sh's, which
# already set in_flow_delay = 0s, smtpd_error_sleep_time = 0s, no chroot,
# no DNS, no peer name lookups, fast retries).
TUNING=(
    "default_process_limit = 300"
    "default_destination_concurrency_limit = 100"
    "initial_destination_concurrency = 20"
)

# ---------------------------------------------------------------------------
# prospect-milter: policy, key, store, suppression list
# ---------------------------------------------------------------------------

mkdir -p "$D/keys" "$D/sock-baseline" "$D/sock-prospect"
(umask 077; openssl rand -base64 48 >"$D/keys/1.key")
chmod 600 "$D/keys/1.key"
WEB=$(e2e_free_port)
POLICY=$D/prospect-milter.conf
cat >"$POLICY" <<EOF
# bench/e2e_run.sh: every rule runs; the content rules only log (monitor),
# because smtp-source's message has no unsubscribe link, no identity, no
# reason, no data source: they fail, are logged, and the mail is delivered.
organisation: {
  name = "Exemple Prospection SAS";
  domains = [ "example.com" ];
  postal_address = "12 rue de la Paix, 75002 Paris, France";
  privacy_url = "https://www.example.com/privacy";
  dpo = "dpo@example.com";
};
scope: {
  campaign_header = "X-Campaign-ID";
  senders = [ "sales@example.com" ];
  internal_domains = [ "example.com" ];
  default_campaign = "bench-payroll";
};
campaigns = (
  { id = "bench-payroll"; purpose = "Present our payroll software to HR managers";
    audience = "b2b"; legal_basis = "legitimate_interest";
    data_source = "Rented list, Example Data Ltd"; start = "2020-01-01"; },
  # the campaign named by the 20 KB newsletter of inspect_bench --dump typical (--message)
  { id = "corpus"; purpose = "Present our planning software to operations managers";
    audience = "b2b"; legal_basis = "legitimate_interest";
    data_source = "Rented list, Example Data Ltd"; start = "2020-01-01"; }
);
rules: {
  campaign = "reject";
  suppression = "reject";
  consent = "reject";
  size = "reject";
  unsubscribe = "monitor";
  identity = "monitor";
  reason = "monitor";
  first_contact = "monitor";
};
content: {
  keywords = "$top/conf/keywords.conf";
};
consent: {
  consumer_domains = "$top/conf/consumer-domains.conf";
  countries = "$top/conf/countries.conf";
};
store: { path = "$D/store"; };
milter: {
  socket = "unix:$D/sock-prospect/milter.sock";
  socket_group = "postfix";
  socket_mode = "0660";
  shutdown_grace = 5;
};
unsubscribe: {
  keys = ( { id = 1; file = "$D/keys/1.key"; } );
  url = "https://www.example.com/u/";
  address = "unsubscribe@example.com";
  listen = "127.0.0.1:$WEB";
};
logging: { target = "stderr"; level = "info"; recipients = "pseudonymised"; };
EOF
"$MILTER" -t -c "$POLICY" >"$D/policy-check.out" 2>&1 || { cat "$D/policy-check.out" >&2; fail "policy check"; }

import_desc="none"
if (( suppressions > 0 )); then
    say "== suppression list: generating $suppressions addresses and importing them (prospectctl suppress import)"
    awk -v n="$suppressions" 'BEGIN { for (i = 0; i < n; i++) printf "objector-%d@company-%d.example\n", i, i % 50000 }' \
        >"$D/suppressions.txt"
    t0=$EPOCHREALTIME
    run_wait import "$CTL" suppress import -c "$POLICY" --source import "$D/suppressions.txt" ||
        { tail -n 20 "$D/import.out" >&2; fail "prospectctl suppress import"; }
    t1=$EPOCHREALTIME
    listed=$("$CTL" suppress count -c "$POLICY" 2>/dev/null | grep -oE '[0-9]+' | head -n 1 || true)
    import_desc="$listed entries, imported in $(fmt "$(calc "$t1 - $t0")" '%.1f') s (none of the benchmark's recipients is listed: every lookup misses)"
    rm -f "$D/suppressions.txt"
fi

# ---------------------------------------------------------------------------
# processes: the sink, the two milters, three instances
# ---------------------------------------------------------------------------

SINK=$(e2e_free_port)
e2e_spawn sink "$E2E_PYTHON" "$here/e2e_sink_counter.py" "$D/sink.count" -- \
    "$SMTP_SINK" -c -u postfix "127.0.0.1:$SINK" 512
e2e_wait_until 10 _e2e_port_listening "$SINK" || fail "smtp-sink not listening on $SINK"

e2e_spawn baseline-milter "$BASELINE" "unix:$D/sock-baseline/milter.sock"
BASE_PID=$E2E_LAST_PID
e2e_wait_until 10 test -S "$D/sock-baseline/milter.sock" || fail "baseline-milter did not open its socket"
e2e_spawn prospect-milter "$MILTER" -c "$POLICY"
PM_PID=$E2E_LAST_PID
e2e_wait_until 20 test -S "$D/sock-prospect/milter.sock" || fail "prospect-milter did not open its socket"

CONFIGS=(nomilter baseline prospect)
declare -A LABEL=([nomilter]="a) no milter" [baseline]="b) baseline milter" [prospect]="c) prospect-milter")
declare -A SPEC=([nomilter]="" [baseline]="unix:$D/sock-baseline/milter.sock" [prospect]="unix:$D/sock-prospect/milter.sock")
declare -A MPID=([nomilter]="" [baseline]=$BASE_PID [prospect]=$PM_PID)
declare -A PORT
for c in "${CONFIGS[@]}"; do
    PORT[$c]=$(e2e_free_port)
    postfix_conf "$c" "${TUNING[@]}"
    postfix_start "$c" "${PORT[$c]}" "$SINK" "${SPEC[$c]}"
done

# ---------------------------------------------------------------------------
# probe: what one message looks like after each milter (a Python sink that
# keeps the bytes, separate instances; stopped before measuring)
# ---------------------------------------------------------------------------

say "== probe: one message through each milter, kept by tests/e2e/sink.py"
PROBE_SINK=$(e2e_free_port)
sink_start probe-out "$PROBE_SINK"
for c in baseline prospect; do
    p=$(e2e_free_port)
    postfix_start "probe-$c" "$p" "$PROBE_SINK" "${SPEC[$c]}"
    run_wait "probe-src-$c" "$SMTP_SOURCE" "${src_args[@]}" -s 1 -m 1 -t "probe-$c@client-company.fr" "127.0.0.1:$p" ||
        fail "probe through $c: smtp-source failed ($(cat "$D/probe-src-$c.out"))"
done
sink_wait probe-out 2 30
probe_b=$(sink_find probe-out 'probe-baseline@' | head -n 1 || true)
probe_c=$(sink_find probe-out 'probe-prospect@' | head -n 1 || true)
[[ -n $probe_b && -n $probe_c ]] || fail "probe: messages not found at the sink"
grep -aq '^X-Baseline: seen' "$probe_b" || fail "probe: baseline milter's header missing"
grep -aq '^List-Unsubscribe: ' "$probe_c" || fail "probe: prospect-milter added no List-Unsubscribe"
say "   baseline: $(grep -a '^X-Baseline:' "$probe_b" | tr -d '\r')"
grep -aE '^(List-Unsubscribe|List-Unsubscribe-Post|X-Prospect-Policy)' "$probe_c" | tr -d '\r' |
    cut -c1-110 | sed 's/^/   prospect: /'
say "   body: $(sed -n '/^\r\?$/,$p' "$probe_c" | tail -n +2 | wc -c) bytes; first line: $(sed -n '/^\r\?$/,$p' "$probe_c" | sed -n 2p | tr -d '\r' | cut -c1-60)"
e2e_wait_until 10 grep -aq 'probe-prospect\|"PROSPECT_EVENT":"message"' "$D/prospect-milter.out" || true
probe_rec=$(grep -a '^{' "$D/prospect-milter.out" | grep -a '"PROSPECT_EVENT":"message"' | tail -n 1)
if [[ -n $probe_rec ]] && command -v jq >/dev/null; then
    say "   decision record: $(jq -r '"action=\(.PROSPECT_ACTION) scope=\(.PROSPECT_SCOPE)/\(.PROSPECT_SCOPE_REASON // "-") campaign=\(.PROSPECT_CAMPAIGN // "-") failed=\(.PROSPECT_RULES_FAILED // "-")"' <<<"$probe_rec")"
fi
for c in baseline prospect; do postfix_stop "probe-$c"; done
sink_stop probe-out
rec_pattern='"PROSPECT_EVENT":"message"'

# ---------------------------------------------------------------------------
# one measured run
# ---------------------------------------------------------------------------

# measure CONFIG N SESSIONS TAG : sends N messages with smtp-source through
# CONFIG's instance, waits until the sink has them all. Sets R_RATE (msgs/s,
# first connection -> last message accepted by smtp-sink; empty if not all
# arrived), R_SECS, R_SRC_SECS (smtp-source's own run), R_BUSY (machine CPU
# ms per message), R_MCPU (milter CPU ms per message), R_PROBLEMS (text,
# empty when clean), R_RECORDS (prospect-milter decision records).
measure() {
    local c=$1 n=$2 s=$3 tag=$4 port=${PORT[$1]} mpid=${MPID[$1]}
    local c0 off busy0 busy1 m0 m1 t0 t_src t_end pid rc=0 slice sent def bou mil warn qw rec0 rec1
    postfix_queue_wait "$c" 0 120
    c0=$(sink_messages)
    off=$(log_size "$c")
    rec0=$(grep -ac "$rec_pattern" "$D/prospect-milter.out" || true)
    wait_quiet
    proc_snapshot "$D/.procs-before"
    busy0=$(machine_busy); m0=$(proc_cpu "$mpid")
    t0=$EPOCHREALTIME
    e2e_spawn "src-$tag" "$SMTP_SOURCE" "${src_args[@]}" -s "$s" -m "$n" -t "lead-$tag@client-company.fr" "127.0.0.1:$port"
    pid=$E2E_LAST_PID
    wait "$pid" || rc=$?
    _e2e_unregister "$pid"
    t_src=$EPOCHREALTIME
    R_PROBLEMS=""
    (( rc == 0 )) || R_PROBLEMS+="smtp-source exit $rc; "
    [[ ! -s "$D/src-$tag.out" ]] || R_PROBLEMS+="smtp-source said: $(head -c 200 "$D/src-$tag.out" | tr '\n' ' '); "
    if e2e_wait_until 120 _sink_reached $(( c0 + n )); then
        t_end=$(sink_time_of $(( c0 + n )))
        busy1=$(machine_busy); m1=$(proc_cpu "$mpid")
        R_SECS=$(calc "$t_end - $t0")
        R_RATE=$(calc "$n / $R_SECS")
    else
        busy1=$(machine_busy); m1=$(proc_cpu "$mpid")
        R_SECS=""; R_RATE=""
        R_PROBLEMS+="sink got $(( $(sink_messages) - c0 )) of $n in time; "
    fi
    proc_snapshot "$D/.procs-after"
    cpu_by_process "$D/.procs-before" "$D/.procs-after" "$n" >"$D/cpu-$tag.txt"
    R_OTHER_TOP=$(awk '$1 == "other" { print $3, $2 }' "$D/cpu-$tag.txt" | sort -rn | head -n 3 | awk '{ printf "%s%s %.2f", (NR > 1 ? ", " : ""), $2, $1 }')
    R_SRC_SECS=$(calc "$t_src - $t0")
    read -r R_BUSY R_IOW R_STEAL R_IRQ <<<"$(per_msg "$busy0" "$busy1" "$n")"
    # not ours = the machine's busy CPU less interrupt time, this benchmark's
    # processes and the kernel threads (what other processes used, by
    # difference: their own accounting is not reliable when they fork and
    # reap while /proc is read)
    R_OTHER=$(awk -v busy="$R_BUSY" -v irq="$R_IRQ" '$1 != "other" { s += $3 } END { o = busy - irq - s; printf "%.3f\n", (o > 0 ? o : 0) }' "$D/cpu-$tag.txt")
    printf 'kernel irq+softirq %s\n' "$R_IRQ" >>"$D/cpu-$tag.txt"
    R_MCPU=$([[ -n $mpid ]] && calc "($m1 - $m0) * 1000 / $HZ / $n" || echo "")
    # the maillog is written by postlogd, asynchronously: wait for the lines
    e2e_wait_until 30 _log_sent_reached "$c" "$off" "$n" || true
    slice=$(log_since "$c" "$off")
    sent=$(count_in 'status=sent' <<<"$slice")
    def=$(count_in 'status=deferred' <<<"$slice")
    bou=$(count_in 'status=(bounced|expired)' <<<"$slice")
    mil=$(count_in 'milter-(reject|discard|hold)|NOQUEUE: reject|reject: ' <<<"$slice")
    warn=$({ grep -aE ': (warning|error|fatal|panic): ' <<<"$slice" || true; } | count_in -v '/qmgr\[[0-9]+\]: warning: ')
    (( sent == n )) || R_PROBLEMS+="maillog status=sent $sent of $n; "
    (( def == 0 )) || R_PROBLEMS+="$def deferred; "
    (( bou == 0 )) || R_PROBLEMS+="$bou bounced; "
    (( mil == 0 )) || R_PROBLEMS+="$mil milter/smtpd rejects: $(grep -aEm1 'milter-|reject' <<<"$slice" | cut -c1-160); "
    (( warn == 0 )) || R_PROBLEMS+="$warn warnings: $(grep -aE ': (warning|error|fatal|panic): ' <<<"$slice" | grep -avE '/qmgr\[[0-9]+\]: warning: ' | head -n 1 | cut -c1-160); "
    qw=$(count_in '/qmgr\[[0-9]+\]: warning: ' <<<"$slice")
    (( qw == 0 )) || R_QMGR_WARN+="$tag: $qw qmgr congestion warnings ($(grep -aEm1 '/qmgr\[[0-9]+\]: warning: ' <<<"$slice" | sed 's/.*warning: //' | cut -c1-100)); "
    R_RECORDS=""
    if [[ $c == prospect ]]; then
        e2e_wait_until 10 test "$(grep -ac "$rec_pattern" "$D/prospect-milter.out")" -ge $(( rec0 + n )) || true
        rec1=$(grep -ac "$rec_pattern" "$D/prospect-milter.out" || true)
        R_RECORDS=$(( rec1 - rec0 ))
        (( R_RECORDS == n )) || R_PROBLEMS+="$R_RECORDS decision records for $n messages; "
    fi
    return 0
}

# ---------------------------------------------------------------------------
# warm-up, then the interleaved rounds
# ---------------------------------------------------------------------------

R_QMGR_WARN=""
warm=$(( messages / 5 < 200 ? 200 : messages / 5 ))
say "== warm-up: $warm messages through each configuration (not counted)"
for c in "${CONFIGS[@]}"; do
    measure "$c" "$warm" "$sessions" "w-$c"
    [[ -z $R_PROBLEMS ]] || say "   warm-up $c: $R_PROBLEMS"
    sleep 1
done

declare -A RATE SECS SRC BUSY IOW STEAL MCPU OTHER OTHER_TOP QB QW
all_problems=""
say "== $rounds rounds x 3 configurations x $messages messages, interleaved (order rotates each round)"
for (( r = 1; r <= rounds; r++ )); do
    order=()
    for (( k = 0; k < 3; k++ )); do order+=("${CONFIGS[$(( (k + r - 1) % 3 ))]}"); done
    line="   round $r:"
    for c in "${order[@]}"; do
        measure "$c" "$messages" "$sessions" "r$r-$c"
        RATE[$c,$r]=$R_RATE; SECS[$c,$r]=$R_SECS; SRC[$c,$r]=$R_SRC_SECS
        OTHER[$c,$r]=$R_OTHER; OTHER_TOP[$c,$r]=$R_OTHER_TOP; QB[$c,$r]=$Q_BUSY; QW[$c,$r]=$Q_WAITED
        BUSY[$c,$r]=$R_BUSY; IOW[$c,$r]=$R_IOW; STEAL[$c,$r]=$R_STEAL; MCPU[$c,$r]=$R_MCPU
        [[ -z $R_PROBLEMS ]] || all_problems+="round $r ${LABEL[$c]}: $R_PROBLEMS"$'\n'
        line+=" $c $(fmt "$R_RATE" '%.1f')/s"
        sleep 1
    done
    say "$line"
done

# ---------------------------------------------------------------------------
# soak: many concurrent sessions through prospect-milter
# ---------------------------------------------------------------------------

sample_mem() {   # PID -> "VmRSS RssAnon RssFile+RssShmem Threads" (KiB, KiB, KiB, count)
    awk '/^VmRSS:/ { v = $2 } /^RssAnon:/ { a = $2 } /^RssFile:/ { f += $2 } /^RssShmem:/ { f += $2 }
         /^Threads:/ { t = $2 } END { print v, a, f, t }' "/proc/$1/status"
}
established() { ss -Htn state established "( sport = :$1 )" 2>/dev/null | wc -l; }
milter_conns() { ss -Hx 2>/dev/null | grep -cF "$1" || true; }
smtpd_procs() {  # INSTANCE -> number of smtpd processes of that instance's master
    local mp; mp=$(postfix_master_pid "$1")
    [[ -n $mp ]] || { echo 0; return; }
    ps -o comm= --ppid "$mp" 2>/dev/null | grep -c '^smtpd$' || true
}

# soak_sample T FLAG : appends "T VmRSS RssAnon RssFile Threads delivered
# tcp-conns smtpd-procs milter-conns msgs/s-in-interval FLAG" to SOAK_SAMPLES
soak_sample() {
    local t=$1 flag=$2 v a f th cnt ir
    read -r v a f th <<<"$(sample_mem "$PM_PID")"
    cnt=$(sink_messages)
    ir="-"
    [[ $flag == start ]] || ir=$(calc "($cnt - $prev_count) / ($t - $prev_t)")
    SOAK_SAMPLES+=("$(fmt "$t" '%.0f') $v $a $f $th $(( cnt - c0 )) $(established "$port") $(smtpd_procs prospect) $(milter_conns "$D/sock-prospect/milter.sock") $ir $flag")
    prev_count=$cnt; prev_t=$t
}

soak_done=0
if (( soak_seconds > 0 )); then
    # smtp-source sends a fixed number of messages: the soak is a chain of
    # batches of -s SESSIONS; the first has 10 messages a session, the next
    # is sized from the rate so far to end at SOAK_SECONDS.
    c=prospect; port=${PORT[prospect]}
    say "== soak: $soak_sessions concurrent sessions through c) for ~${soak_seconds} s"
    postfix_queue_wait "$c" 0 120
    c0=$(sink_messages); off=$(log_size "$c")
    rec0=$(grep -ac "$rec_pattern" "$D/prospect-milter.out" || true)
    busy0=$(machine_busy); m0=$(proc_cpu "$PM_PID")
    SOAK_SAMPLES=(); prev_count=$c0; prev_t=0
    t0=$EPOCHREALTIME
    soak_sample 0 start
    soak_n=0; batch=0; spid=""; soak_errors_text=""; max_conn=0; max_smtpd=0; max_mconn=0
    next_m=$(( soak_sessions * 10 ))
    guard=$(( soak_seconds * 3 + 60 ))
    next=5
    while :; do
        now=$(calc "$EPOCHREALTIME - $t0")
        if [[ -n $spid ]] && ! _e2e_alive "$spid"; then
            rc=0; wait "$spid" || rc=$?
            _e2e_unregister "$spid"; spid=""
            soak_n=$(( soak_n + cur_m ))
            (( rc == 0 )) || soak_errors_text+="batch $batch: smtp-source exit $rc; "
            [[ ! -s "$D/src-soak-$batch.out" ]] || soak_errors_text+="batch $batch: smtp-source said: $(head -c 200 "$D/src-soak-$batch.out" | tr '\n' ' '); "
            next_m=0
            if (( rc == 0 )) && awk -v n="$now" -v s="$soak_seconds" 'BEGIN { exit !(n < s - 2) }'; then
                next_m=$(awk -v d="$soak_n" -v n="$now" -v s="$soak_seconds" -v k="$soak_sessions" \
                    'BEGIN { m = d / n * (s - n); b = int(m / k + 0.5) * k; print (b < k ? 0 : b) }')
            fi
        fi
        if [[ -z $spid ]] && (( next_m > 0 )); then
            batch=$(( batch + 1 )); cur_m=$next_m; next_m=0
            e2e_spawn "src-soak-$batch" "$SMTP_SOURCE" "${src_args[@]}" -s "$soak_sessions" -m "$cur_m" \
                -t "lead-soak$batch@client-company.fr" "127.0.0.1:$port"
            spid=$E2E_LAST_PID
        fi
        if [[ -z $spid ]] && _sink_reached $(( c0 + soak_n )); then break; fi
        if awk -v n="$now" -v g="$guard" 'BEGIN { exit !(n > g) }'; then
            if [[ -n $spid ]]; then e2e_kill "src-soak-$batch"; soak_n=$(( soak_n + cur_m )); fi
            soak_errors_text+="guard: stopped after ${guard} s; "
            break
        fi
        conn=$(established "$port"); (( conn > max_conn )) && max_conn=$conn
        if awk -v n="$now" -v x="$next" 'BEGIN { exit !(n >= x) }'; then
            soak_sample "$now" "$([[ -n $spid ]] && echo load || echo tail)"
            read -r _ _ _ _ _ _ _ sp mc _ <<<"${SOAK_SAMPLES[-1]}"
            (( sp > max_smtpd )) && max_smtpd=$sp; (( mc > max_mconn )) && max_mconn=$mc
            next=$(( next + 5 ))
        fi
        sleep 0.2
    done
    t_end=$(sink_time_of $(( c0 + soak_n )))
    busy1=$(machine_busy); m1=$(proc_cpu "$PM_PID")
    soak_sample "$(calc "$EPOCHREALTIME - $t0")" drained
    sleep 5
    soak_sample "$(calc "$EPOCHREALTIME - $t0")" idle
    e2e_wait_until 30 _log_sent_reached "$c" "$off" "$soak_n" || true
    slice=$(log_since "$c" "$off")
    soak_sent=$(count_in 'status=sent' <<<"$slice")
    soak_def=$(count_in 'status=deferred' <<<"$slice")
    soak_bou=$(count_in 'status=(bounced|expired)' <<<"$slice")
    soak_mil=$(count_in 'milter-(reject|discard|hold)|NOQUEUE: reject|reject: ' <<<"$slice")
    soak_warn=$({ grep -aE ': (warning|error|fatal|panic): ' <<<"$slice" || true; } | count_in -v '/qmgr\[[0-9]+\]: warning: ')
    soak_warn_first=$(grep -aE ': (warning|error|fatal|panic): |milter-|reject' <<<"$slice" | grep -avE '/qmgr\[[0-9]+\]: warning: ' | head -n 3 | cut -c1-200 || true)
    soak_qmgr=$(count_in '/qmgr\[[0-9]+\]: warning: ' <<<"$slice")
    soak_qmgr_text=$(grep -aE '/qmgr\[[0-9]+\]: warning: ' <<<"$slice" | sed 's/.*warning: //' | sort | uniq -c | sort -rn | head -n 6 | cut -c1-150 || true)
    soak_smtpd=$(count_in '/smtpd\[[0-9]+\]: connect from' <<<"$slice")
    e2e_wait_until 10 test "$(grep -ac "$rec_pattern" "$D/prospect-milter.out")" -ge $(( rec0 + soak_n )) || true
    soak_recs=$(( $(grep -ac "$rec_pattern" "$D/prospect-milter.out" || true) - rec0 ))
    soak_secs=$([[ -n $t_end ]] && calc "$t_end - $t0" || echo "")
    read -r soak_busy soak_iow soak_steal _ <<<"$(per_msg "$busy0" "$busy1" "$soak_n")"
    soak_mcpu=$(calc "($m1 - $m0) * 1000 / $HZ / $soak_n")
    soak_done=1
fi

# ---------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------

pm_errors=$(grep -acE '"PRIORITY":"[0-4]"| (emerg|alert|crit|err|error|warning): ' "$D/prospect-milter.out" || true)
runtime=$(calc "$EPOCHREALTIME - $run_start")

say ""
say "================================================================================"
say "prospect-milter end to end: smtp-source -> Postfix -> smtp-sink, loopback"
say "================================================================================"
say "machine:   $machine"
say "software:  Postfix $pf_version (smtp-source, smtp-sink, private instances via tests/e2e/lib.sh); milters on unix sockets"
say "workload:  $SMTP_SOURCE $(printf '%q ' "${src_args[@]}")-m $messages -t lead-<round>-<config>@client-company.fr"
say "           $sessions parallel sessions, $conn_desc, 1 recipient per message (-N numbers"
say "           them: every recipient distinct), body: $body_desc"
say "measure:   msgs/s = N / (time from just before smtp-source starts to the moment smtp-sink"
say "           counted the N-th message: smtp-sink -c's counter, time-stamped as it is printed by"
say "           bench/e2e_sink_counter.py). Each round also checks Postfix's maillog: status=sent"
say "           = N, no deferred/bounced, no milter or smtpd reject, no warning; and for c) one"
say "           decision record per message."
say "postfix:   same settings in all three instances: ${TUNING[*]/%/;}"
say "           plus the harness's: in_flow_delay = 0s, smtpd_error_sleep_time = 0s, no chroot,"
say "           no DNS; with a milter: milter_protocol = 6, milter_default_action = tempfail,"
say "           milter_connect/command/content_timeout = 5s/10s/30s"
say "c) policy: scope = mail from sales@example.com, default_campaign declared (campaign rule"
say "           passes); suppression, consent, size: reject (pass); unsubscribe, identity,"
say "           reason, first_contact: MONITOR -- smtp-source's messages fail them (no link, no"
say "           identity), the failure is logged and the mail delivered; store on, suppression"
say "           list: $import_desc;"
say "           unsubscribe group with a key: List-Unsubscribe + List-Unsubscribe-Post added to"
say "           every message; decision records at info to stderr (a file)"
say ""
# a round is "disturbed" when processes that are not this benchmark's used
# more than DISTURBED_PCT % of the machine's busy CPU during it
DISTURBED_PCT=${DISTURBED_PCT:-5}
disturbed() {   # CONFIG ROUND -> status 0 if disturbed
    awk -v o="${OTHER[$1,$2]:-0}" -v b="${BUSY[$1,$2]:-0}" -v p="$DISTURBED_PCT" 'BEGIN { exit !(b > 0 && 100 * o / b > p) }'
}
hdr=$(printf '%-22s' "msgs/s")
for (( r = 1; r <= rounds; r++ )); do hdr+=$(printf ' %8s' "round $r"); done
hdr+=$(printf ' %8s  %s' median "| CPU ms/msg: machine  milter")
say "$hdr"
declare -A MED
for c in "${CONFIGS[@]}"; do
    row=$(printf '%-22s' "${LABEL[$c]}")
    vals=(); busys=(); mcpus=()
    for (( r = 1; r <= rounds; r++ )); do
        row+=$(printf ' %8s' "$(fmt "${RATE[$c,$r]}" '%.1f')$(disturbed "$c" "$r" && echo '*' || true)")
        [[ -n ${RATE[$c,$r]} ]] && vals+=("${RATE[$c,$r]}")
        busys+=("${BUSY[$c,$r]}")
        [[ -n ${MCPU[$c,$r]} ]] && mcpus+=("${MCPU[$c,$r]}")
    done
    MED[$c]=$(median "${vals[@]}")
    mc="-"; (( ${#mcpus[@]} )) && mc=$(fmt "$(median "${mcpus[@]}")" '%.3f')
    row+=$(printf ' %8s  | %19s %7s' "$(fmt "${MED[$c]}" '%.1f')" "$(fmt "$(median "${busys[@]}")" '%.3f')" "$mc")
    say "$row"
done
say ""
ratio_row() {   # NAME NUM DEN -> prints the per-round ratios and their median; sets RR_MED
    local name=$1 num=$2 den=$3 row rs=() rq=() x r
    row=$(printf '%-22s' "$name")
    for (( r = 1; r <= rounds; r++ )); do
        if [[ -n ${RATE[$num,$r]} && -n ${RATE[$den,$r]} ]]; then
            x=$(calc "${RATE[$num,$r]} / ${RATE[$den,$r]}"); rs+=("$x")
        else x=""; fi
        if disturbed "$num" "$r" || disturbed "$den" "$r"; then
            row+=$(printf ' %8s' "$(fmt "$x" '%.3f')*")
        else
            row+=$(printf ' %8s' "$(fmt "$x" '%.3f')"); [[ -z $x ]] || rq+=("$x")
        fi
    done
    RR_MED=$(median "${rs[@]}")
    RR_QUIET=$(median "${rq[@]}"); RR_NQUIET=${#rq[@]}
    row+=$(printf ' %8s' "$(fmt "$RR_MED" '%.3f')")
    row+="  (ratio of medians $(fmt "$(calc "${MED[$num]} / ${MED[$den]}" 2>/dev/null || echo nan)" '%.3f'))"
    say "$row"
}
say "$(printf '%-22s' "ratio, same round")$(for (( r = 1; r <= rounds; r++ )); do printf ' %8s' "round $r"; done) $(printf '%8s' median)"
ratio_row "c/b (target >= $target_ratio)" prospect baseline; cb=$RR_MED; cb_quiet=$RR_QUIET; cb_nquiet=$RR_NQUIET
ratio_row "b/a (information)" baseline nomilter
ratio_row "c/a (information)" prospect nomilter
say ""
say "* = disturbed round: processes that are not this benchmark's (other users of the machine) used more"
say "    than ${DISTURBED_PCT}% of the machine's busy CPU during it. c/b median over the undisturbed rounds only:"
say "    $(fmt "$cb_quiet" '%.3f') ($cb_nquiet of $rounds rounds)"
say ""
say "per round: seconds first connection -> last message at the sink [smtp-source's own run];"
say "CPU ms/msg: machine busy (user+system+irq, every process) / iowait / steal; the milter's own; processes not"
say "this benchmark's (\"not ours\"; the largest named when disturbed); machine busy over 1 s before the round"
for c in "${CONFIGS[@]}"; do
    for (( r = 1; r <= rounds; r++ )); do
        say "$(printf '   %-19s round %d: %6s s [%6s]  busy %6s  iowait %5s  steal %5s  milter %5s  not ours %6s  idle before %3s%% busy%s' "${LABEL[$c]}" "$r" \
            "$(fmt "${SECS[$c,$r]}" '%.2f')" "$(fmt "${SRC[$c,$r]}" '%.2f')" "$(fmt "${BUSY[$c,$r]}" '%.3f')" \
            "$(fmt "${IOW[$c,$r]}" '%.3f')" "$(fmt "${STEAL[$c,$r]}" '%.3f')" "$(fmt "${MCPU[$c,$r]}" '%.3f')" \
            "$(fmt "${OTHER[$c,$r]}" '%.3f')" "${QB[$c,$r]}" "$([[ ${QW[$c,$r]} == 0 ]] || echo ", waited ${QW[$c,$r]} s")")$(disturbed "$c" "$r" && echo "  [${OTHER_TOP[$c,$r]}]" || true)"
    done
done
say ""
say "where the CPU goes: ms per message by process, median over the rounds, largest first. Processes"
say "started by this benchmark by name; \"X+children\": processes X reaped during the round (master's: Postfix"
say "daemons that exited after max_use); smtp-source+script: smtp-source and this script's helpers;"
say "kernel: kernel threads, and irq+softirq time from /proc/stat; not_this_benchmark: the machine's"
say "busy CPU less all of those (other users of the machine)."
say "$(printf '   %-34s %10s %10s %10s %10s' process 'a) none' 'b) base' 'c) prosp' 'c) - b)')"
for c in "${CONFIGS[@]}"; do
    for (( r = 1; r <= rounds; r++ )); do
        [[ -f "$D/cpu-r$r-$c.txt" ]] && awk -v c="$c" -v r="$r" '
            $1 == "ours" { g[$2] += $3 } $1 == "kernel" { g["kernel:" $2] += $3 }
            END { for (x in g) print c, r, x, g[x] }' "$D/cpu-r$r-$c.txt"
        echo "$c $r not_this_benchmark(by_difference) ${OTHER[$c,$r]:-0}"
    done
done | awk -v rounds="$rounds" -v c1="${CONFIGS[0]}" -v c2="${CONFIGS[1]}" -v c3="${CONFIGS[2]}" '
    { v[$1, $3, $2] = $4; g[$3] = 1 }
    function med(c, grp,   i, n, a, j, t) {
        n = 0
        for (i = 1; i <= rounds; i++) a[++n] = ((c, grp, i) in v) ? v[c, grp, i] + 0 : 0
        for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
        return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    END { for (x in g) { a = med(c1, x); b = med(c2, x); c = med(c3, x); m = a; if (b > m) m = b; if (c > m) m = c
              if (m >= 0.005) printf "%.4f %s %.4f %.4f %.4f\n", m, x, a, b, c } }' | sort -rn |
    awk '{ printf "   %-34s %10.3f %10.3f %10.3f %+10.3f\n", $2, $3, $4, $5, $5 - $4; sa += $3; sb += $4; sc += $5 }
         END { printf "   %-34s %10.3f %10.3f %10.3f %+10.3f\n", "sum of the above", sa, sb, sc, sc - sb }'
mb=()
for c in "${CONFIGS[@]}"; do
    xs=(); for (( r = 1; r <= rounds; r++ )); do xs+=("${BUSY[$c,$r]}"); done
    mb+=("$(median "${xs[@]}")")
done
say "$(printf '   %-34s %10.3f %10.3f %10.3f %+10.3f' 'machine busy (/proc/stat), median' "${mb[0]}" "${mb[1]}" "${mb[2]}" "$(calc "${mb[2]} - ${mb[1]}")")"
delivery_ok=1
[[ -z $all_problems ]] || delivery_ok=0
say ""
if (( delivery_ok )); then
    say "delivery: every round: sent = $messages in the maillog, 0 deferred, 0 bounced, 0 milter/smtpd rejects, 0 warnings; c) $messages decision records per round"
else
    say "delivery problems:"; printf '%s' "$all_problems" | sed 's/^/   /'
fi
say "prospect-milter error/warning log lines over the whole run: $pm_errors"
[[ -z $R_QMGR_WARN ]] || say "Postfix qmgr congestion warnings in the rounds (information): $R_QMGR_WARN"

if (( soak_done )); then
    say ""
    say "soak: $soak_sessions concurrent sessions through c), $soak_n messages in $batch batch(es) of smtp-source -s $soak_sessions; prospect-milter sampled every 5 s"
    say "   t(s)  VmRSS KiB  RssAnon KiB  RssFile+Shmem  threads  delivered  tcp conns  smtpd procs  milter conns  msgs/s(interval)  phase"
    for s in "${SOAK_SAMPLES[@]}"; do
        read -r st sv sa sf stt sd sc sp mc si sfl <<<"$s"
        say "$(printf '   %4s %10s %12s %14s %8s %10s %10s %12s %13s %17s  %s' "$st" "$sv" "$sa" "$sf" "$stt" "$sd" "$sc" "$sp" "$mc" "$(fmt "$si" '%.1f')" "$sfl")"
    done
    # steady: the samples under load in three equal spans of time; the first
    # is the warm-up; RssAnon's median over the last span against its median
    # over the middle one (a median: RssAnon moves with the number of
    # threads alive at the instant of the sample)
    fv=""; fa=""; lv=""; la=""; lt=0; mid=(); last=(); post=()
    for s in "${SOAK_SAMPLES[@]}"; do
        read -r st sv sa sf stt sd sc sp mc si sfl <<<"$s"
        [[ $sfl == load ]] || continue
        [[ -n $fv ]] || { fv=$sv; fa=$sa; }
        lv=$sv; la=$sa; lt=$st
    done
    for s in "${SOAK_SAMPLES[@]}"; do
        read -r st sv sa sf stt sd sc sp mc si sfl <<<"$s"
        [[ $sfl == load ]] || continue
        if (( 3 * st > lt )); then post+=("$st $sa"); fi
        if (( 3 * st > lt && 3 * st <= 2 * lt )); then mid+=("$sa"); elif (( 3 * st > 2 * lt )); then last+=("$sa"); fi
    done
    read -r _ iv ia _ _ _ _ _ _ _ _ <<<"${SOAK_SAMPLES[-1]}"
    say "   first vs last sample under load: VmRSS $fv -> $lv KiB, RssAnon $fa -> $la KiB; idle after the soak: VmRSS $iv, RssAnon $ia KiB"
    m_mid=$(median "${mid[@]}"); m_last=$(median "${last[@]}")
    growth=$(awk -v a="$m_mid" -v b="$m_last" 'BEGIN { if (a == "nan" || b == "nan") print "nan"; else printf "%d", b - a }')
    allowed=$(awk -v w="$m_mid" 'BEGIN { a = (w == "nan" ? 0 : w) * 0.05; if (a < 2048) a = 2048; printf "%d", a }')
    slope=$( ( (( ${#post[@]} )) && printf '%s\n' "${post[@]}" ) | awk '{ n++; sx += $1; sy += $2; sxx += $1 * $1; sxy += $1 * $2 }
        END { d = n * sxx - sx * sx; if (n < 2 || d == 0) print "n/a"; else printf "%.0f", (n * sxy - sx * sy) / d * 60 }')
    say "   steady = the median RssAnon (the daemon's private memory: heap, thread stacks) over the last third"
    say "   of the time under load exceeds its median over the middle third by at most max(2 MiB, 5%); the first"
    say "   third is the warm-up. Here: $(fmt "$m_mid" '%.0f') -> $(fmt "$m_last" '%.0f') KiB (${#mid[@]} and ${#last[@]} samples): $growth KiB"
    say "   (allowed $allowed KiB); least-squares slope over the last two thirds: $slope KiB/min."
    say "   VmRSS also counts RssFile/Shmem: the program, its libraries and the LMDB map, page cache that grows as"
    say "   the store is written (contact history of every new recipient), not a leak."
    say "   max seen: $max_conn established TCP connections to smtpd, $max_smtpd smtpd processes, $max_mconn milter connections; $soak_smtpd smtpd sessions in the maillog"
    say "   duration: $(fmt "$soak_secs" '%.1f') s to the last message at the sink; $(fmt "$(calc "$soak_n / ${soak_secs:-1}")" '%.1f') msgs/s overall"
    say "   CPU ms/msg: machine $(fmt "$soak_busy" '%.3f') (iowait $(fmt "$soak_iow" '%.3f'), steal $(fmt "$soak_steal" '%.3f')), prospect-milter $(fmt "$soak_mcpu" '%.3f')"
    say "   maillog: sent $soak_sent of $soak_n, deferred $soak_def, bounced $soak_bou, milter/smtpd rejects $soak_mil, warnings $soak_warn; decision records $soak_recs"
    [[ -z $soak_warn_first ]] || { say "   first problem lines:"; printf '%s\n' "$soak_warn_first" | sed 's/^/     /'; }
    if (( soak_qmgr > 0 )); then
        say "   Postfix qmgr congestion warnings (the queue grew: Postfix took mail in faster than it delivered it;"
        say "   information, not counted as errors): $soak_qmgr lines"
        printf '%s\n' "$soak_qmgr_text" | sed 's/^/     /'
    fi
    [[ -z $soak_errors_text ]] || say "   smtp-source: $soak_errors_text"
    soak_errors=0
    [[ -z $soak_errors_text ]] || soak_errors=1
    (( soak_sent == soak_n && soak_bou == 0 && soak_mil == 0 && soak_warn == 0 && soak_recs == soak_n )) || soak_errors=1
fi

say ""
say "verdict:"
v=$(awk -v x="$cb" -v t="$target_ratio" 'BEGIN { print (x != "nan" && x + 0 >= t) ? "PASS" : "NOT MET" }')
(( delivery_ok )) || v="NOT MET (delivery problems)"
say "   e2e: c/b median of per-round ratios $(fmt "$cb" '%.3f') (target >= $target_ratio x baseline): $v"
mm=()
for c in baseline prospect; do
    xs=(); for (( r = 1; r <= rounds; r++ )); do [[ -n ${MCPU[$c,$r]} ]] && xs+=("${MCPU[$c,$r]}"); done
    mm+=("$(median "${xs[@]}")")
done
say "        context: machine CPU a message (medians) a) $(fmt "${mb[0]}" '%.2f'), b) $(fmt "${mb[1]}" '%.2f'), c) $(fmt "${mb[2]}" '%.2f') ms;"
say "        c) - b) = $(fmt "$(calc "${mb[2]} - ${mb[1]}")" '%+.2f') ms ($(fmt "$(calc "100 * (${mb[2]} - ${mb[1]}) / ${mb[1]}")" '%+.0f')%), of which the milter process itself $(fmt "$(calc "${mm[1]} - ${mm[0]}")" '%+.2f') ms ($(fmt "${mm[0]}" '%.2f') -> $(fmt "${mm[1]}" '%.2f'))."
say "        Both CPUs are busy during a round, so msgs/s goes as 1 / CPU a message: b/c CPU = $(fmt "$(calc "${mb[1]} / ${mb[2]}")" '%.3f')"
if (( cb_nquiet < rounds )); then
    if (( cb_nquiet >= 3 )); then
        vq=$(awk -v x="$cb_quiet" -v t="$target_ratio" 'BEGIN { print (x != "nan" && x + 0 >= t) ? "PASS" : "NOT MET" }')
        say "        undisturbed rounds only: $(fmt "$cb_quiet" '%.3f') ($cb_nquiet rounds): $vq"
    else
        say "        only $cb_nquiet undisturbed rounds: the machine was shared during this run; run again when it is quiet"
    fi
fi
if (( soak_done )); then
    say "   soak errors: $([[ $soak_errors == 0 ]] && echo "0 -- PASS" || echo "NOT MET")"
    say "   soak deferrals: $soak_def -- $([[ $soak_def == 0 ]] && echo PASS || echo "NOT MET")"
    say "   soak memory steady (median RssAnon, last third - middle third <= $allowed KiB): $growth KiB -- $([[ $growth != nan ]] && (( growth <= allowed )) && echo PASS || echo "NOT MET")"
else
    say "   soak: skipped (--soak-seconds 0)"
fi
say "runtime: $(fmt "$runtime" '%.0f') s (build included)"
