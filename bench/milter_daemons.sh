# shellcheck shell=bash
# bench/milter_daemons.sh — the processes of bench/milter_run.sh, sourced by
# it: the milters it starts and stops (by PID, never by name), and one load
# against one of them, recorded as a line of $work/results.tsv. Needs $work,
# $milter, $baseline, $load, $hz and the pids array.

started_pid=
next_first=0

# Decision records (logging.target "stderr") go to the log file.
start_prospect() {
    local name=$1 socket=$2
    write_policy "$socket" "$work/$name.conf"
    "$milter" -c "$work/$name.conf" > "$work/$name.log" 2>&1 &
    started_pid=$!
    pids+=("$started_pid")
}

start_baseline() {
    local name=$1 socket=$2
    "$baseline" "$socket" > "$work/$name.log" 2>&1 &
    started_pid=$!
    pids+=("$started_pid")
}

# A process of ours that has exited but was not waited for is a zombie:
# kill -0 still succeeds on it, /proc says Z.
running() {
    local stat
    read -r stat 2> /dev/null < "/proc/$1/stat" || return 1
    stat=${stat##*) }
    [[ ${stat:0:1} != Z ]]
}

# SIGTERM (the milters drain and stop), SIGKILL after 10 s.
stop_daemon() {
    local pid=$1 tries=0 kept=() other
    if running "$pid"; then
        kill -TERM "$pid" 2> /dev/null || true
        while running "$pid" && ((tries++ < 100)); do sleep 0.1; done
        running "$pid" && kill -KILL "$pid" 2> /dev/null
    fi
    wait "$pid" 2> /dev/null || true
    for other in "${pids[@]}"; do [[ $other == "$pid" ]] || kept+=("$other"); done
    pids=("${kept[@]}")
}

# User and system CPU of every thread of a process, in clock ticks
# (/proc/PID/stat fields 14 and 15): "USER SYSTEM".
cpu_ticks() {
    local stat
    read -r stat < "/proc/$1/stat"
    stat=${stat##*) }
    # shellcheck disable=SC2086
    set -- $stat
    echo "${12} ${13}"
}

# "VmRSS", "VmHWM"... of /proc/PID/status, in KiB.
status_kib() {
    awk -v field="$2:" '$1 == field { print $2 }' "/proc/$1/status"
}

# A number field of milter-load's JSON line.
field() {
    sed -n "s/.*\"$2\":\([-0-9.e+]*\).*/\1/p" <<< "$1"
}

# The first message number of the next load: every load writes to
# recipients no load wrote to before, so that each message is a first
# contact and the contact history gets a new entry, as in a campaign.
take_numbers() {
    first=$next_first
    next_first=$((next_first + 10000000))
}

fail_load() {
    local what=$1 pid=$2 log=$3
    echo "milter_run.sh: $what did not run as it should:" >&2
    cat "$work/load.err" >&2
    if ! running "$pid"; then
        echo "the milter has exited; the end of its log ($log):" >&2
        tail -20 "$log" >&2
    fi
    exit 1
}

# Warm-up of a milter (2 s), not recorded: libmilter's threads made, the code and
# the store's upper pages mapped. Waits for the milter's socket.
warm_up() {
    local pid=$1 log=$2 first
    shift 2
    take_numbers
    "$load" --json --wait 20 --duration 2 --first "$first" "$@" > /dev/null 2> "$work/load.err" ||
        fail_load "the warm-up" "$pid" "$log"
}

# per_message "USER SYSTEM" "USER SYSTEM" MESSAGES WITH_USER: microseconds
# of CPU a message between two cpu_ticks, user and system or system alone.
per_message() {
    awk -v before="$1" -v after="$2" -v m="$3" -v user="$4" -v hz="$hz" 'BEGIN {
        split(before, b, " "); split(after, a, " ")
        ticks = a[2] - b[2] + (user ? a[1] - b[1] : 0)
        printf "%.1f", m ? ticks / hz * 1e6 / m : 0
    }'
}

# run_load PHASE SUBJECT ROUND PID LOG milter-load arguments...
# One load, its figures a line of results.tsv: phase subject round
# msgs/s eom_p50 eom_p99 msg_p50 msg_p99 milter_cpu_us_per_msg messages
# loadgen_cpu_s seconds milter_system_cpu_us_per_msg; the eom figures "-"
# when no message reached the end (the milter accepted them all earlier).
run_load() {
    local phase=$1 subject=$2 round=$3 pid=$4 log=$5 first json before after
    shift 5
    take_numbers
    before=$(cpu_ticks "$pid")
    json=$("$load" --json --first "$first" "$@" 2> "$work/load.err") ||
        fail_load "$subject (round $round)" "$pid" "$log"
    after=$(cpu_ticks "$pid")
    printf '%s\t%s\t%s\n' "$phase" "$subject" "$json" >> "$work/loads.jsonl"
    local messages eom_p50=- eom_p99=-
    messages=$(field "$json" messages)
    if (($(field "$json" eom_n) > 0)); then
        eom_p50=$(field "$json" eom_p50_us) eom_p99=$(field "$json" eom_p99_us)
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$phase" "$subject" "$round" \
        "$(field "$json" msgs_per_s)" "$eom_p50" "$eom_p99" "$(field "$json" msg_p50_us)" "$(field "$json" msg_p99_us)" \
        "$(per_message "$before" "$after" "$messages" 1)" "$messages" "$(field "$json" client_cpu_s)" \
        "$(field "$json" seconds)" "$(per_message "$before" "$after" "$messages" 0)" >> "$work/results.tsv"
    printf '  %-6s round %d %-13s %9.1f msgs/s  eom p50 %8s us  p99 %9s us\n' "$phase" "$round" "$subject" \
        "$(field "$json" msgs_per_s)" "$eom_p50" "$eom_p99" >&2
}
