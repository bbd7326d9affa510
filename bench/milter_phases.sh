# shellcheck shell=bash
# bench/milter_phases.sh — what bench/milter_run.sh measures, sourced by
# it: the unix-socket rounds, the TCP rounds, the 10 MB message's memory,
# and the profiles. Needs milter_daemons.sh and the subjects' arrays.

prospect_pid= prospect_socket= prospect_log=
baseline_pid= baseline_socket= baseline_log=
paced_rate=

# Both milters at once, on the sockets given; they stay up through the
# phase, each idle while the other is measured.
start_pair() {
    local phase=$1 prospect_spec=$2 baseline_spec=$3
    start_prospect "prospect-$phase" "$prospect_spec"
    prospect_pid=$started_pid prospect_socket=$prospect_spec prospect_log=$work/prospect-$phase.log
    start_baseline "baseline-$phase" "$baseline_spec"
    baseline_pid=$started_pid baseline_socket=$baseline_spec baseline_log=$work/baseline-$phase.log
}

stop_pair() {
    stop_daemon "$prospect_pid"
    stop_daemon "$baseline_pid"
}

# run_subject PHASE SUBJECT ROUND CONNECTIONS SECONDS [milter-load arguments]
#   prospect-in   prospect-milter, the 20 KB prospecting message (in scope)
#   baseline-in   the baseline milter, the same message
#   prospect-out  prospect-milter, the ordinary message (out of scope)
#   baseline-out  the baseline milter, the same message
run_subject() {
    local phase=$1 subject=$2 round=$3 count=$4 seconds=$5 pid socket log message
    local -a envelope expect
    shift 5
    case $subject in
    prospect-*) pid=$prospect_pid socket=$prospect_socket log=$prospect_log ;;
    baseline-*) pid=$baseline_pid socket=$baseline_socket log=$baseline_log ;;
    esac
    case $subject in
    *-in) message=typical envelope=("${in_scope[@]}") ;;
    *-out) message=ordinary envelope=("${out_of_scope[@]}") ;;
    esac
    case $subject in
    prospect-in) expect=("${expect_prospect_in[@]}") ;;
    prospect-out) expect=("${expect_prospect_out[@]}") ;;
    baseline-*) expect=("${expect_baseline[@]}") ;;
    esac
    run_load "$phase" "$subject" "$round" "$pid" "$log" --socket "$socket" --connections "$count" \
        --duration "$seconds" "$@" "${envelope[@]}" "${expect[@]}" "$work/$message.eml"
}

warm_up_pair() {
    local count=$1
    warm_up "$prospect_pid" "$prospect_log" --socket "$prospect_socket" --connections "$count" \
        "${in_scope[@]}" "${expect_prospect_in[@]}" "$work/typical.eml"
    warm_up "$baseline_pid" "$baseline_log" --socket "$baseline_socket" --connections "$count" \
        "${in_scope[@]}" "${expect_baseline[@]}" "$work/typical.eml"
}

# Rounds alternate the order (ABCD, DCBA...), so that a drift of the
# machine's load over a round weighs on every subject alike.
in_order() {
    local round=$1
    shift
    if ((round % 2)); then
        printf '%s\n' "$@"
    else
        printf '%s\n' "$@" | tac
    fi
}

run_unix_rounds() {
    echo "unix socket: $rounds rounds of ${duration} s per subject, $connections connections" >&2
    start_pair unix "unix:$work/prospect.sock" "unix:$work/baseline.sock"
    warm_up_pair "$connections"
    local round subject
    for ((round = 1; round <= rounds; round++)); do
        for subject in $(in_order "$round" baseline-in prospect-in prospect-out baseline-out); do
            run_subject unix "$subject" "$round" "$connections" "$duration"
        done
    done
    run_paced_rounds
    stop_pair
}

# Saturated, 32 busy threads share 2 CPUs and the reply times are mostly
# the queue for them: a milter that works at the end of the message waits
# behind everyone else's work. Paced at half of prospect-milter's saturated
# rate (the same rate for both milters), a step is mostly answered as it
# comes, and the reply times show its work. Context for the saturated
# targets, not a target.
run_paced_rounds() {
    paced_rate=$(awk -F '\t' '$1 == "unix" && $2 == "prospect-in" { print $4 }' "$work/results.tsv" | sort -n |
        awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.0f", m / 2 }')
    echo "paced: $rounds rounds of ${duration} s per subject at $paced_rate messages/s, $connections connections" >&2
    local round subject
    for ((round = 1; round <= rounds; round++)); do
        for subject in $(in_order "$round" baseline-in prospect-in); do
            run_subject paced "$subject" "$round" "$connections" "$duration" --rate "$paced_rate"
        done
    done
}

# A loopback TCP port nobody listens on, below the ephemeral range so that
# no outgoing connection takes it meanwhile.
free_port() {
    local port
    while :; do
        port=$((20000 + RANDOM % 10000))
        [[ -z $(ss -Hltn "sport = :$port") ]] && { echo "$port"; return; }
    done
}

run_tcp_rounds() {
    echo "TCP (inet) socket: $rounds rounds of ${tcp_duration} s per subject, $tcp_connections connections" >&2
    local prospect_port baseline_port round subject
    prospect_port=$(free_port)
    baseline_port=$(free_port)
    start_pair tcp "inet:$prospect_port@127.0.0.1" "inet:$baseline_port@127.0.0.1"
    warm_up_pair "$tcp_connections"
    for ((round = 1; round <= rounds; round++)); do
        for subject in $(in_order "$round" baseline-in prospect-in); do
            run_subject tcp "$subject" "$round" "$tcp_connections" "$tcp_duration"
        done
    done
    stop_pair
}

# The peak resident memory one 10 MB message adds to a milter: the peak is
# reset to the current RSS (clear_refs 5), the message sent alone on a new
# connection, then VmHWM read. A fresh pair of milters, warmed up with
# small messages and one 10 MB message (its code paths paged in), so that
# what is counted is the message, not first-time page faults.
memory_probe() {
    local subject=$1 pid=$2 log=$3 socket=$4 rep=$5 before peak first
    shift 5
    take_numbers
    before=$(status_kib "$pid" VmRSS)
    echo 5 > "/proc/$pid/clear_refs"
    "$load" --json --socket "$socket" --connections 1 --messages 1 --first "$first" "${in_scope[@]}" "$@" \
        "$work/large.eml" > /dev/null 2> "$work/load.err" || fail_load "the 10 MB message ($subject)" "$pid" "$log"
    peak=$(status_kib "$pid" VmHWM)
    printf '%s\t%s\t%s\t%s\t%s\n' "$subject" "$rep" $((peak - before)) "$before" "$peak" >> "$work/memory.tsv"
    printf '  memory %-9s rep %d: VmRSS %d KiB before, VmHWM %d KiB: +%d KiB\n' "$subject" "$rep" "$before" \
        "$peak" $((peak - before)) >&2
}

run_memory() {
    echo "10 MB message: peak RSS growth, 3 times each, interleaved" >&2
    start_pair memory "unix:$work/prospect.sock" "unix:$work/baseline.sock"
    warm_up_pair 4
    local rep
    for rep in 0 1 2 3; do  # rep 0: the warm-up of the 10 MB path, not reported
        memory_probe prospect "$prospect_pid" "$prospect_log" "$prospect_socket" "$rep" "${expect_prospect_in[@]}"
        memory_probe baseline "$baseline_pid" "$baseline_log" "$baseline_socket" "$rep" "${expect_baseline[@]}"
    done
    stop_pair
}

# head(1) would close the pipe early: under pipefail, perf's SIGPIPE would
# end the script.
first_lines() {
    awk -v n="$1" 'NR <= n'
}

# perf over the daemon during one in-scope load at 16 connections: where
# its CPU time goes, kernel included (the samples are wall-clock CPU time,
# so system calls and the fsync of the contact history show).
run_profile() {
    local seconds=$1 first perf_pid
    command -v perf > /dev/null || { echo "milter_run.sh: no perf; try --callgrind" >&2; exit 1; }
    start_pair profile "unix:$work/prospect.sock" "unix:$work/baseline.sock"
    warm_up_pair "$connections"
    perf record -e cpu-clock -F 999 -g -p "$prospect_pid" -o "$work/perf.data" -- sleep $((seconds + 1)) \
        > "$work/perf.log" 2>&1 &
    perf_pid=$!
    sleep 0.5
    take_numbers
    "$load" --socket "$prospect_socket" --connections "$connections" --duration "$seconds" --first "$first" \
        "${in_scope[@]}" "${expect_prospect_in[@]}" "$work/typical.eml"
    wait "$perf_pid" || { cat "$work/perf.log" >&2; exit 1; }
    local report=(perf report -i "$work/perf.data" --stdio)
    echo
    echo "CPU time of the daemon by object (self):"
    "${report[@]}" --no-children --sort dso -g none 2> /dev/null | grep -v '^#' | sed '/^$/d; s/ *$//' | first_lines 15
    echo
    echo "Top functions (self, at least 0.7%):"
    "${report[@]}" --no-children --sort dso,sym --percent-limit 0.7 -g none 2> /dev/null |
        grep -v '^#' | sed '/^$/d; s/ *$//; s/  *- *- *$//' | cut -c1-150 | first_lines 40
    echo
    echo "Inclusive (with the kernel time under each; libc's system-call wrappers show the I/O):"
    "${report[@]}" --children --sort sym -g none 2> /dev/null | grep '\[\.\] [^0]' | sed 's/ *$//' | first_lines 25
    echo "full profile: $work/perf.data (kept: perf report -i $work/perf.data)"
    keep=true
    stop_pair
}

# callgrind over the daemon during a short in-scope load (4 connections):
# instructions, inclusive, user space only, collected inside libmilter's
# per-connection loop (mi_engine) only, so that start-up and policy loading
# are not in the profile; one message per connection first, for the socket.
run_callgrind() {
    local messages=$1 first out=$work/callgrind.out
    valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect=mi_engine \
        "$milter" -c "$work/policy-check.conf" > "$work/callgrind.log" 2>&1 &
    prospect_pid=$!
    pids+=("$prospect_pid")
    prospect_socket=unix:$work/check.sock prospect_log=$work/callgrind.log
    take_numbers
    "$load" --json --wait 120 --timeout 60 --socket "$prospect_socket" --connections 4 --messages 1 \
        --first "$first" "${in_scope[@]}" "${expect_prospect_in[@]}" "$work/typical.eml" > /dev/null
    take_numbers
    "$load" --timeout 60 --socket "$prospect_socket" --connections 4 --messages $((messages / 4)) \
        --first "$first" "${in_scope[@]}" "${expect_prospect_in[@]}" "$work/typical.eml"
    stop_daemon "$prospect_pid"
    echo
    echo "Inclusive cost (instructions), top functions:"
    callgrind_annotate --inclusive=yes "$out" 2> /dev/null | sed -n '/file:function/,$p' | sed '1,2d; /^$/,$d' |
        cut -c1-170 | first_lines 45
    echo
    echo "Self cost by object:"
    callgrind_annotate --threshold=100 "$out" 2> /dev/null |
        awk '/^ *[0-9,]+ \(/ && $NF ~ /\]$/ { ir = $1; gsub(",", "", ir); lib = $NF; sub(/.*\//, "", lib); sub(/\]$/, "", lib); s[lib] += ir; t += ir }
             END { for (l in s) printf "%6.2f%% %s\n", 100 * s[l] / t, l }' | sort -rn | first_lines 12
    echo "full profile: $out"
    keep=true
}
