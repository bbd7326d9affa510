# shellcheck shell=bash
# End-to-end test harness for prospect-milter: private Postfix instances,
# a byte-exact SMTP sink, swaks helpers and assertions.
#
#   . "$(dirname "$0")/lib.sh"
#   set -euo pipefail          # lib.sh is written to work under it
#   e2e_tmpdir                 # call directly, never in $(...)
#
# See tests/e2e/README.md for the contracts, the directory layout and what
# was found to matter about private Postfix instances.
#
# Everything started here is recorded (by PID) under $E2E_DIR/.e2e/ and
# stopped by the EXIT trap that e2e_tmpdir installs; nothing is found or
# killed by name.

if [[ -n "${_E2E_LIB_LOADED:-}" ]]; then return 0; fi
_E2E_LIB_LOADED=1

E2E_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ -z "${E2E_PYTHON:-}" ]]; then
    if [[ -x /usr/bin/python3 ]]; then E2E_PYTHON=/usr/bin/python3; else E2E_PYTHON=python3; fi
fi
: "${E2E_SWAKS:=swaks}"
: "${E2E_TIMEOUT_SCALE:=1}"   # multiply waits (e.g. 3 under valgrind/sanitizers)

# ---------------------------------------------------------------------------
# output and assertions
# ---------------------------------------------------------------------------

e2e_log()  { printf '# %s\n' "$*" >&2; }
pass()     { printf 'PASS: %s\n' "$*"; }
fail()     { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

# assert_eq EXPECTED ACTUAL MSG
assert_eq() {
    if [[ "$1" == "$2" ]]; then pass "$3"
    else fail "$3: expected '$1', got '$2'"; fi
}

# assert_contains FILE ERE MSG   (grep -E, binary-safe; files from the sink
# have CRLF line ends, so anchor with '\r?$' rather than '$')
assert_contains() {
    [[ -f "$1" ]] || fail "$3: file '$1' does not exist"
    if grep -aEq -- "$2" "$1"; then pass "$3"
    else fail "$3: /$2/ not found in $1"; fi
}

# assert_not_contains FILE ERE MSG
assert_not_contains() {
    [[ -f "$1" ]] || fail "$3: file '$1' does not exist"
    if grep -aEq -- "$2" "$1"; then
        fail "$3: /$2/ found in $1: $(grep -aEm1 -- "$2" "$1" | tr -d '\r' | cut -c1-200)"
    else pass "$3"; fi
}

# e2e_wait_until TIMEOUT_S CMD... : poll CMD every 0.1 s; status 0 once it
# succeeds, 1 on timeout (does not fail by itself).
e2e_wait_until() {
    local t=$1; shift
    local deadline
    deadline=$(( $(date +%s%N) + $(_e2e_scaled_ns "$t") ))
    while :; do
        if "$@"; then return 0; fi
        (( $(date +%s%N) < deadline )) || return 1
        sleep 0.1
    done
}

_e2e_scaled_ns() {   # seconds (may be fractional) * scale -> nanoseconds
    awk -v t="$1" -v s="$E2E_TIMEOUT_SCALE" 'BEGIN { printf "%.0f", t * s * 1e9 }'  # %d overflows in mawk
}

# ---------------------------------------------------------------------------
# temp dir, process registry, cleanup
# ---------------------------------------------------------------------------

_e2e_need_dir() {
    [[ -n "${E2E_DIR:-}" && -d "$E2E_DIR/.e2e" ]] || fail "call e2e_tmpdir first"
}

# e2e_tmpdir: create $E2E_DIR (mode 755, so the postfix user can reach milter
# sockets in it) and install the EXIT/INT/TERM cleanup. Idempotent.
e2e_tmpdir() {
    if [[ "${BASHPID:-$$}" != "$$" ]]; then
        fail "e2e_tmpdir must be called directly, not in a subshell or \$(...)"
    fi
    if [[ -n "${E2E_DIR:-}" && -d "$E2E_DIR/.e2e" ]]; then return 0; fi
    E2E_DIR=$(mktemp -d "${TMPDIR:-/tmp}/e2e.XXXXXXXX")
    chmod 755 "$E2E_DIR"
    mkdir -p "$E2E_DIR/.e2e" "$E2E_DIR/swaks"
    : >"$E2E_DIR/.e2e/procs"
    : >"$E2E_DIR/.e2e/postfix"
    : >"$E2E_DIR/.e2e/ports"
    export E2E_DIR
    trap '_e2e_cleanup' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
}

# e2e_on_exit CMD : run CMD (a string, eval'ed) during cleanup, before
# Postfix instances and registered processes are stopped (LIFO).
e2e_on_exit() {
    _e2e_need_dir
    printf '%s\n' "$*" >>"$E2E_DIR/.e2e/on_exit"
}

_e2e_register() {   # PID KIND NAME
    printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$E2E_DIR/.e2e/procs"
}

_e2e_unregister() { # PID
    local f="$E2E_DIR/.e2e/procs"
    awk -F'\t' -v p="$1" '$1 != p' "$f" >"$f.new" && mv "$f.new" "$f"
}

# alive = exists and is not a zombie (PID 1 here reaps lazily)
_e2e_alive() {
    local st
    [[ -r /proc/$1/stat ]] || return 1
    st=$(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n "$st" && "$st" != Z && "$st" != X ]]
}

# _e2e_stop_pid PID [TIMEOUT_S]: TERM, wait, KILL.
_e2e_stop_pid() {
    local pid=$1 t=${2:-5}
    _e2e_alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    if ! e2e_wait_until "$t" _e2e_dead "$pid"; then
        kill -KILL "$pid" 2>/dev/null || true
        e2e_wait_until 2 _e2e_dead "$pid" || true
    fi
    wait "$pid" 2>/dev/null || true
}
_e2e_dead() { ! _e2e_alive "$1"; }

# e2e_spawn NAME CMD... : run CMD in the background (stdin /dev/null, output
# to $E2E_DIR/NAME.out), register its PID for cleanup, set E2E_LAST_PID.
# Call directly (not in $(...)) so that E2E_LAST_PID is visible.
e2e_spawn() {
    _e2e_need_dir
    local name=$1; shift
    "$@" </dev/null >>"$E2E_DIR/$name.out" 2>&1 &
    E2E_LAST_PID=$!
    _e2e_register "$E2E_LAST_PID" proc "$name"
    printf '%s\n' "$E2E_LAST_PID" >"$E2E_DIR/.e2e/proc-$name.pid"
}

# e2e_pid NAME : PID of the last process spawned under NAME
e2e_pid() { cat "$E2E_DIR/.e2e/proc-$1.pid"; }

# e2e_kill NAME [SIGNAL] : send SIGNAL (default TERM) to the spawned process
# NAME and wait until it is gone (KILL after 5 s). With SIGNAL other than
# TERM/KILL/INT it only signals (e.g. HUP, USR1) and does not wait.
e2e_kill() {
    local name=$1 sig=${2:-TERM} pid
    pid=$(e2e_pid "$name")
    case "$sig" in
        TERM|KILL|INT|9|15|2)
            kill -"$sig" "$pid" 2>/dev/null || true
            e2e_wait_until 5 _e2e_dead "$pid" || { kill -KILL "$pid" 2>/dev/null || true; e2e_wait_until 2 _e2e_dead "$pid" || true; }
            wait "$pid" 2>/dev/null || true
            _e2e_unregister "$pid" ;;
        *)  kill -"$sig" "$pid" ;;
    esac
}

_e2e_cleanup() {
    local rc=$? line pid name
    set +e
    trap - EXIT INT TERM HUP
    [[ -n "${E2E_DIR:-}" && -d "$E2E_DIR/.e2e" ]] || exit "$rc"
    if [[ -s "$E2E_DIR/.e2e/on_exit" ]]; then
        while IFS= read -r line; do eval "$line"; done < <(tac "$E2E_DIR/.e2e/on_exit")
    fi
    if (( rc != 0 )); then _e2e_dump_diagnostics; fi
    while IFS= read -r name; do
        [[ -n "$name" ]] && postfix_stop "$name" >/dev/null 2>&1
    done < <(sort -u "$E2E_DIR/.e2e/postfix")
    while IFS=$'\t' read -r pid _; do
        [[ -n "$pid" ]] && _e2e_stop_pid "$pid" 5
    done < <(tac "$E2E_DIR/.e2e/procs")
    if [[ "${E2E_KEEP:-0}" == 1 ]]; then
        printf '# E2E_KEEP=1: kept %s\n' "$E2E_DIR" >&2
    else
        rm -rf "$E2E_DIR"
    fi
    exit "$rc"
}

_e2e_dump_diagnostics() {
    local f
    {
        printf '# ---- diagnostics (test failed; E2E_KEEP=1 keeps %s) ----\n' "$E2E_DIR"
        for f in "$E2E_DIR"/*/maillog "$E2E_DIR"/*.sink.log "$E2E_DIR"/*.out; do
            [[ -f "$f" ]] || continue
            printf '# ---- tail %s\n' "${f#"$E2E_DIR"/}"
            tail -n "${E2E_DIAG_LINES:-25}" "$f" | sed 's/^/#   /'
        done
        f=$(send_last_transcript 2>/dev/null)
        if [[ -n "$f" && -f "$f" ]]; then
            printf '# ---- last swaks transcript %s\n' "${f#"$E2E_DIR"/}"
            tail -n "${E2E_DIAG_LINES:-25}" "$f" | sed 's/^/#   /'
        fi
    } >&2
}

# e2e_free_port: a loopback TCP port in 20000-31999 (below Linux's ephemeral
# range, so outgoing connections never take it) that nothing uses and that
# this test has not handed out before.
e2e_free_port() {
    _e2e_need_dir
    local p i
    for (( i = 0; i < 500; i++ )); do
        p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 12000 ))
        grep -qx "$p" "$E2E_DIR/.e2e/ports" && continue
        if command -v ss >/dev/null 2>&1; then
            [[ -z "$(ss -Htan "( sport = :$p )" 2>/dev/null)" ]] || continue
        else
            (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
        fi
        printf '%s\n' "$p" >>"$E2E_DIR/.e2e/ports"
        printf '%s\n' "$p"
        return 0
    done
    fail "e2e_free_port: no free port found"
}

_e2e_port_listening() {   # PORT
    if command -v ss >/dev/null 2>&1; then
        [[ -n "$(ss -Htln "( sport = :$1 )" 2>/dev/null)" ]]
    else
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
    fi
}

# ---------------------------------------------------------------------------
# the sink (tests/e2e/sink.py): $E2E_DIR/NAME/NNNNNN.eml + NNNNNN.env
# ---------------------------------------------------------------------------

# sink_start NAME PORT [sink.py options, e.g. --no-8bitmime]
sink_start() {
    _e2e_need_dir
    local name=$1 port=$2; shift 2
    local d="$E2E_DIR/$name" pidf="$E2E_DIR/.e2e/sink-$name.pid" pid
    mkdir -p "$d"
    rm -f "$pidf"
    "$E2E_PYTHON" "$E2E_LIB_DIR/sink.py" --listen "127.0.0.1:$port" --dir "$d" \
        --pidfile "$pidf" --hostname "sink-$name.test" "$@" \
        </dev/null >>"$E2E_DIR/$name.sink.log" 2>&1 &
    pid=$!
    _e2e_register "$pid" sink "$name"
    printf '%s\n' "$port" >"$E2E_DIR/.e2e/sink-$name.port"
    if ! e2e_wait_until 10 test -s "$pidf"; then
        tail -n 20 "$E2E_DIR/$name.sink.log" >&2
        fail "sink_start $name: not listening on 127.0.0.1:$port after 10 s"
    fi
    printf '%s\n' "$pid" >"$pidf"   # the PID we started (same process)
}

# sink_stop NAME : stop the sink (its received files stay).
sink_stop() {
    local pidf="$E2E_DIR/.e2e/sink-$1.pid" pid
    [[ -s "$pidf" ]] || return 0
    pid=$(cat "$pidf")
    _e2e_stop_pid "$pid" 5
    _e2e_unregister "$pid"
    rm -f "$pidf"
}

# sink_files NAME : received message files (.eml), in arrival order
sink_files() {
    local d="$E2E_DIR/$1"
    [[ -d "$d" ]] || return 0
    find "$d" -maxdepth 1 -type f -name '*.eml' | sort
}

# sink_count NAME : number of messages received
sink_count() {
    sink_files "$1" | wc -l | tr -d ' '
}

# sink_last NAME : the newest message file
sink_last() { sink_files "$1" | tail -n 1; }

# sink_envelope FILE.eml : the envelope (X-Client-Addr, X-Helo-Args,
# X-Mail-Args, X-Rcpt-Args..., X-Sink-Size) of that message
sink_envelope() { cat "${1%.eml}.env"; }

# sink_wait NAME COUNT TIMEOUT_S : wait for >= COUNT messages, else fail
sink_wait() {
    local name=$1 n=$2 t=$3
    e2e_wait_until "$t" _e2e_sink_has "$name" "$n" ||
        fail "sink $name: expected >= $n messages within ${t}s, got $(sink_count "$name")"
}

_e2e_sink_has() { (( $(sink_count "$1") >= $2 )); }

# sink_find NAME STRING : the received files containing STRING (fixed
# string, e.g. a Message-ID), one per line; status 1 if none
sink_find() {
    local files
    files=$(sink_files "$1")
    [[ -n "$files" ]] || return 1
    # shellcheck disable=SC2086  # file names are ours: no spaces
    grep -alF -- "$2" $files
}

# sink_inject NAME data|rcpt "4xx/5xx reply" : from now on answer that to
# end-of-DATA (message not kept) or to every RCPT TO. sink_clear NAME undoes.
sink_inject() { printf '%s\n' "$3" >"$E2E_DIR/$1/.reply-$2"; }
sink_clear()  { rm -f "$E2E_DIR/$1/.reply-data" "$E2E_DIR/$1/.reply-rcpt"; }

# ---------------------------------------------------------------------------
# private Postfix instances: $E2E_DIR/NAME/{etc,queue,data,maillog}
# ---------------------------------------------------------------------------

# A subreaper around "postfix start": the daemonised master (and any child it
# leaves behind on stop) is re-parented to this process instead of PID 1, so
# the instance is completely gone exactly when this process exits. It writes
# the exit status of "postfix start" to argv[1] and exits when it has no
# children left.
_E2E_REAPER_PY='
import ctypes, os, subprocess, sys
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
rc = subprocess.call(sys.argv[2:])
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % rc)
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
    except InterruptedError:
        pass
'

_pf_dir()  { printf '%s/%s' "$E2E_DIR" "$1"; }
_pf_cfg()  { printf '%s/%s/etc' "$E2E_DIR" "$1"; }
_pf_host() { printf 'mx-%s.test' "$(printf '%s' "$1" | tr 'A-Z_' 'a-z-' | tr -cd 'a-z0-9-')"; }

# postfix_dir NAME / postfix_config_dir NAME / postfix_queue_dir NAME
postfix_dir()        { _pf_dir "$1"; echo; }
postfix_config_dir() { _pf_cfg "$1"; echo; }
postfix_queue_dir()  { printf '%s/queue\n' "$(_pf_dir "$1")"; }

# postfix_add_smtpd NAME PORT DAEMON_NAME [-o k=v ...] : an extra smtpd on
# 127.0.0.1:PORT whose milter macro {daemon_name} is DAEMON_NAME. Call before
# or after postfix_start (a running instance is reloaded).
postfix_add_smtpd() {
    _e2e_need_dir
    local name=$1 port=$2 dname=$3; shift 3
    mkdir -p "$(_pf_cfg "$name")"
    printf '%s\t%s\t%s\n' "$port" "$dname" "$*" >>"$(_pf_cfg "$name")/e2e-smtpd"
    if postfix_running "$name"; then
        _pf_write_config "$name"
        postfix_reload "$name"
        e2e_wait_until 10 _e2e_port_listening "$port" || fail "postfix $name: extra smtpd not listening on $port"
    fi
}

# postfix_conf NAME 'param = value'... : set main.cf parameters now and on
# every later (re)start; a running instance is reloaded.
postfix_conf() {
    _e2e_need_dir
    local name=$1 kv; shift
    mkdir -p "$(_pf_cfg "$name")"
    for kv in "$@"; do printf '%s\n' "$kv" >>"$(_pf_cfg "$name")/e2e-overrides"; done
    if [[ -f "$(_pf_cfg "$name")/main.cf" ]]; then
        postconf -c "$(_pf_cfg "$name")" -e "$@"
        _pf_backdate "$name"
        if postfix_running "$name"; then postfix_reload "$name"; fi
    fi
}

_pf_write_config() {   # NAME  (uses e2e-args, e2e-smtpd, e2e-overrides)
    local name=$1 cfg dir port relay milter dname host p dn opts k w=()
    cfg=$(_pf_cfg "$name"); dir=$(_pf_dir "$name")
    IFS=$'\t' read -r port relay milter dname <"$cfg/e2e-args"
    host=$(_pf_host "$name")
    {
        cat <<EOF
# generated by tests/e2e/lib.sh for instance "$name" -- do not edit
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
syslog_name = postfix-$name
myhostname = $host
myorigin = \$myhostname
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
relay_domains =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:$relay
default_transport = smtp
relay_transport = relay
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
lmtp_dns_support_level = disabled
smtp_host_lookup = native
smtp_address_preference = ipv4
smtp_tls_security_level = none
smtpd_tls_security_level = none
smtpd_banner = \$myhostname ESMTP e2e
biff = no
maillog_file = $dir/maillog
maillog_file_prefixes = $E2E_DIR
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
smtp_connect_timeout = 2s
delay_warning_time = 0h
in_flow_delay = 0s
smtpd_error_sleep_time = 0s
smtpd_soft_error_limit = 1000
smtpd_hard_error_limit = 1000
EOF
        if [[ -n "$milter" ]]; then
            cat <<EOF
smtpd_milters = $milter
non_smtpd_milters = $milter
milter_default_action = tempfail
milter_protocol = 6
milter_connect_timeout = 5s
milter_command_timeout = 10s
milter_content_timeout = 30s
EOF
        fi
        [[ -f "$cfg/e2e-overrides" ]] && cat "$cfg/e2e-overrides"
    } >"$cfg/main.cf"

    {
        echo "# generated by tests/e2e/lib.sh for instance \"$name\" -- do not edit"
        echo "# service type  private unpriv  chroot  wakeup  maxproc command + args"
        if [[ -n "$dname" ]]; then
            printf '127.0.0.1:%s inet n - n - - smtpd\n  -o milter_macro_daemon_name=%s\n' "$port" "$dname"
        else
            printf '127.0.0.1:%s inet n - n - - smtpd\n' "$port"
        fi
        if [[ -f "$cfg/e2e-smtpd" ]]; then
            while IFS=$'\t' read -r p dn opts; do
                [[ -n "$p" ]] || continue
                printf '127.0.0.1:%s inet n - n - - smtpd\n  -o milter_macro_daemon_name=%s\n  -o syslog_name=postfix-%s/%s\n' \
                    "$p" "$dn" "$name" "$dn"
                if [[ -n "$opts" ]]; then
                    read -r -a w <<<"$opts"
                    for (( k = 0; k < ${#w[@]}; k++ )); do
                        if [[ "${w[k]}" == -o ]] && (( k + 1 < ${#w[@]} )); then
                            printf '  -o %s\n' "${w[k+1]}"; k=$(( k + 1 ))
                        else
                            printf '  %s\n' "${w[k]}"
                        fi
                    done
                fi
            done <"$cfg/e2e-smtpd"
        fi
        cat <<'EOF'
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
    } >"$cfg/master.cf"
    _pf_backdate "$name"
}

# Postfix re-reads a main.cf/master.cf modified in the last ~2 s (300 ms
# sleeps until it is old enough: a guard against reading a file mid-edit),
# which made every fresh instance start 2.5 s slower. Our files are written
# in one go, so back-date them.
_pf_backdate() {
    touch -d '-10 seconds' "$(_pf_cfg "$1")/main.cf" "$(_pf_cfg "$1")/master.cf"
}

# postfix_start NAME PORT RELAY_PORT [MILTER_SPEC]
#   env PF_DAEMON_NAME: {daemon_name} for the smtpd on PORT (default: $myhostname)
# Starting an instance that was stopped keeps its queue (restart).
postfix_start() {
    _e2e_need_dir
    local name=$1 port=$2 relay=$3 milter=${4:-}
    local dir cfg rcf pid rc
    dir=$(_pf_dir "$name"); cfg=$(_pf_cfg "$name")
    if postfix_running "$name"; then fail "postfix_start $name: already running"; fi
    mkdir -p "$cfg" "$dir/queue" "$dir/data"
    chown postfix "$dir/data"      # master.lock is created as mail_owner
    printf '%s\t%s\t%s\t%s\n' "$port" "$relay" "$milter" "${PF_DAEMON_NAME:-}" >"$cfg/e2e-args"
    _pf_write_config "$name"
    if ! postfix -c "$cfg" check >"$dir/check.out" 2>&1; then
        cat "$dir/check.out" >&2
        fail "postfix_start $name: 'postfix check' failed"
    fi
    # "postfix start" would run the same checks again (~0.2 s): skip them
    touch "$dir/queue/quick-start"
    grep -qx "$name" "$E2E_DIR/.e2e/postfix" || printf '%s\n' "$name" >>"$E2E_DIR/.e2e/postfix"
    rcf="$E2E_DIR/.e2e/postfix-$name.start-rc"
    rm -f "$rcf"
    "$E2E_PYTHON" -c "$_E2E_REAPER_PY" "$rcf" postfix -c "$cfg" start \
        </dev/null >>"$dir/start.out" 2>&1 &
    pid=$!
    _e2e_register "$pid" postfix-reaper "$name"
    printf '%s\n' "$pid" >"$E2E_DIR/.e2e/postfix-$name.reaper"
    e2e_wait_until 20 test -s "$rcf" || fail "postfix_start $name: 'postfix start' did not return in 20 s"
    rc=$(cat "$rcf")
    if [[ "$rc" != 0 ]]; then
        cat "$dir/start.out" >&2; postfix_log "$name" | tail -n 20 >&2
        fail "postfix_start $name: 'postfix start' exited $rc"
    fi
    local p
    for p in "$port" $(cut -f1 "$cfg/e2e-smtpd" 2>/dev/null); do
        e2e_wait_until 10 _e2e_port_listening "$p" || fail "postfix_start $name: smtpd not listening on 127.0.0.1:$p"
    done
}

# postfix_master_pid NAME : PID of the running master (empty if none)
postfix_master_pid() {
    local f
    f="$(_pf_dir "$1")/queue/pid/master.pid"
    [[ -s "$f" ]] || return 0
    local pid; pid=$(tr -d ' \n' <"$f")
    if [[ -n "$pid" ]] && _e2e_alive "$pid"; then printf '%s\n' "$pid"; fi
}

# postfix_running NAME : status 0 if the instance's master is alive
postfix_running() {
    [[ -n "${E2E_DIR:-}" && -n "$(postfix_master_pid "$1")" ]]
}

# postfix_stop NAME : "postfix stop", then wait until every process of the
# instance is gone (the reaper exits last); KILL the process group after 10 s.
postfix_stop() {
    _e2e_need_dir
    local name=$1 cfg mpid rpid=""
    cfg=$(_pf_cfg "$name")
    [[ -s "$E2E_DIR/.e2e/postfix-$name.reaper" ]] && rpid=$(cat "$E2E_DIR/.e2e/postfix-$name.reaper")
    mpid=$(postfix_master_pid "$name")
    if [[ -n "$mpid" ]]; then
        postfix -c "$cfg" stop >>"$(_pf_dir "$name")/start.out" 2>&1 || true
        if ! e2e_wait_until 10 _e2e_dead "$mpid"; then
            kill -KILL -- "-$mpid" 2>/dev/null || kill -KILL "$mpid" 2>/dev/null || true
        fi
    fi
    if [[ -n "$rpid" ]]; then
        if ! e2e_wait_until 10 _e2e_dead "$rpid"; then
            [[ -n "$mpid" ]] && kill -KILL -- "-$mpid" 2>/dev/null
            _e2e_stop_pid "$rpid" 2
        fi
        wait "$rpid" 2>/dev/null || true
        _e2e_unregister "$rpid"
        rm -f "$E2E_DIR/.e2e/postfix-$name.reaper"
    fi
    return 0
}

# postfix_reload NAME
postfix_reload() { postfix -c "$(_pf_cfg "$1")" reload >>"$(_pf_dir "$1")/start.out" 2>&1; }

# postfix_exec NAME CMD... : run a Postfix command against the instance
# (MAIL_CONFIG set), e.g. postfix_exec A postsuper -d ALL; postfix_exec A postqueue -p
postfix_exec() { local name=$1; shift; MAIL_CONFIG="$(_pf_cfg "$name")" "$@"; }

# postfix_log NAME : the instance's maillog
postfix_log() { local f; f="$(_pf_dir "$1")/maillog"; [[ -f "$f" ]] && cat "$f"; return 0; }

# postfix_log_wait NAME ERE TIMEOUT_S : wait until the maillog matches, else fail
postfix_log_wait() {
    local f; f="$(_pf_dir "$1")/maillog"
    e2e_wait_until "$3" grep -aEq -- "$2" "$f" 2>/dev/null ||
        fail "postfix $1: /$2/ not in maillog within ${3}s"
}

# postfix_queue_count NAME [QUEUE...] : messages in the queue; default
# queues: maildrop incoming active deferred hold
postfix_queue_count() {
    local name=$1 q n=0 dirs=(); shift
    local qd; qd="$(_pf_dir "$name")/queue"
    (( $# )) || set -- maildrop incoming active deferred hold
    for q in "$@"; do [[ -d "$qd/$q" ]] && dirs+=("$qd/$q"); done
    (( ${#dirs[@]} )) && n=$(find "${dirs[@]}" -type f 2>/dev/null | wc -l)
    printf '%s\n' "$n" | tr -d ' '
}

# postfix_hold_count NAME
postfix_hold_count() { postfix_queue_count "$1" hold; }

# postfix_queue_wait NAME COUNT TIMEOUT_S [QUEUE...] : wait until the count
# equals COUNT, else fail
postfix_queue_wait() {
    local name=$1 n=$2 t=$3; shift 3
    e2e_wait_until "$t" _e2e_q_is "$name" "$n" "$@" ||
        fail "postfix $name: queue count ${*:-all} is $(postfix_queue_count "$name" "$@"), expected $n after ${t}s"
}

_e2e_q_is() { local nm=$1 want=$2; shift 2; [[ "$(postfix_queue_count "$nm" "$@")" == "$want" ]]; }

# postfix_flush NAME : attempt delivery of all queued mail now (postqueue -f;
# also clears the "dead destination" throttle after a connection failure)
postfix_flush() { postqueue -c "$(_pf_cfg "$1")" -f; }

# postfix_release_hold NAME : move everything from hold back to the queue
postfix_release_hold() { postsuper -c "$(_pf_cfg "$1")" -H ALL 2>/dev/null; }

# postfix_sendmail NAME FROM TO[,TO...] FILE : submit FILE with sendmail(1)
# (-i: a lone "." line does not end the message) -- the non_smtpd_milters
# path. Prints sendmail's exit status (0 = accepted into the queue).
postfix_sendmail() {
    local name=$1 from=$2 to=$3 file=$4 rc=0 tos
    IFS=',' read -r -a tos <<<"$to"
    MAIL_CONFIG="$(_pf_cfg "$name")" sendmail -i -f "$from" -- "${tos[@]}" <"$file" \
        >>"$(_pf_dir "$name")/sendmail.out" 2>&1 || rc=$?
    printf '%s\n' "$rc"
}

# ---------------------------------------------------------------------------
# sending with swaks
# ---------------------------------------------------------------------------

_e2e_new_transcript() {
    local t
    t=$(mktemp "$E2E_DIR/swaks/$(date +%H%M%S.%N).XXXX")
    printf '%s\n' "$t" >"$E2E_DIR/.e2e/last_transcript"
    printf '%s\n' "$t"
}

# send_last_transcript : path of the last swaks transcript
send_last_transcript() { cat "$E2E_DIR/.e2e/last_transcript"; }

# transcript_codes [FILE] : every server reply code of the session, in
# order, one per line (multi-line replies counted once)
transcript_codes() {
    local f=${1:-$(send_last_transcript)}
    awk '/^(<-|<\*\*) +[0-9][0-9][0-9]( |$)/ { match($0, /[0-9][0-9][0-9]/); print substr($0, RSTART, 3) }' "$f"
}

# the reply to end-of-DATA; else the first error reply (MAIL/RCPT/DATA/
# greeting); else the last reply; "000" if no reply at all (connect failed)
_e2e_reply_code() {
    awk '
        /^(<-|<\*\*) +[0-9][0-9][0-9]( |$)/ {
            match($0, /[0-9][0-9][0-9]/); c = substr($0, RSTART, 3)
            if (in_data && data == "") data = c
            if (c == "354") in_data = 1
            if ($0 ~ /^<\*\*/ && err == "") err = c
            last = c
        }
        END {
            if (data != "") print data
            else if (err != "") print err
            else if (last != "") print last
            else print "000"
        }' "$1"
}

# send_mail PORT FROM TO[,TO...] [swaks args...] : one SMTP transaction with
# swaks's generated message (add --header/--body/... as you like). Prints
# the end-of-DATA reply code, or the code of the step that failed.
send_mail() {
    _e2e_need_dir
    local port=$1 from=$2 to=$3 t; shift 3
    t=$(_e2e_new_transcript)
    PERL_UNICODE='' "$E2E_SWAKS" --server 127.0.0.1 --port "$port" --helo e2e-client.test \
        --timeout 30 --from "$from" --to "$to" "$@" </dev/null >"$t" 2>&1 || true
    _e2e_reply_code "$t"
}

# send_eml PORT FROM TO[,TO...] FILE [swaks args...] : send FILE as the
# message. Line ends are normalised to CRLF (LF or CRLF in the file -> CRLF;
# a lone CR is left alone), a missing final line end is added, lines
# starting with "." are dot-stuffed; nothing else is touched (8-bit bytes,
# long lines, header folding). With E2E_RAW_EOL=1 the line ends are sent as
# they are in the file (bare LF tests). Prints the reply code like send_mail.
send_eml() {
    _e2e_need_dir
    local port=$1 from=$2 to=$3 file=$4 t; shift 4
    [[ -f "$file" ]] || fail "send_eml: no such file: $file"
    t=$(_e2e_new_transcript)
    E2E_RAW_EOL=${E2E_RAW_EOL:-0} perl -e '
        binmode STDIN; binmode STDOUT; local $/; my $d = <STDIN>; $d = "" unless defined $d;
        $d =~ s/\r?\n/\r\n/g unless $ENV{E2E_RAW_EOL};
        $d .= "\r\n" unless $d =~ /\n\z/;
        $d =~ s/^\./../mg;
        print $d, ".";' <"$file" >"$t.data"
    PERL_UNICODE='' "$E2E_SWAKS" --server 127.0.0.1 --port "$port" --helo e2e-client.test \
        --timeout 30 --from "$from" --to "$to" --no-data-fixup --suppress-data \
        --data "@$t.data" "$@" </dev/null >"$t" 2>&1 || true
    _e2e_reply_code "$t"
}
