#!/usr/bin/env bash
# bench/milter_run.sh — prospect-milter under milter-protocol load, each
# figure a median of interleaved rounds and quoted against the thinnest
# libmilter milter (bench/baseline_milter.cpp) measured in the same run:
# messages/s and reply times over a unix socket (16 connections), the
# end-of-message reply over TCP (4 connections), and the resident memory a
# 10 MB message adds. See bench/README.md.
#
#   bench/milter_run.sh                        5 rounds of 5 s per subject (~4 minutes)
#   bench/milter_run.sh --rounds 3 --duration 3    quicker (at least 3 rounds)
#   bench/milter_run.sh --profile [SECONDS]    perf over one in-scope load (default 5 s)
#   bench/milter_run.sh --callgrind [MESSAGES] callgrind over a short in-scope load (default 200)
#
# Other options: --connections C (16), --tcp-connections C (4),
# --tcp-duration SEC (3), --entries N (suppressions, 1,000,000), --keep
# (keep the work directory: policies, daemon logs, every load's JSON).
#
# Environment: BUILD_DIR (default build-bench/ at the top of the tree), JOBS
# (parallel compile jobs, default 2), TMPDIR (where the work directory is
# made, default /tmp).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=${BUILD_DIR:-$top/build-bench}

rounds=5 duration=5 connections=16 tcp_connections=4 tcp_duration=3 entries=1000000
keep=false mode=bench profile_arg=
while (($#)); do
    case $1 in
    --rounds) rounds=$2; shift ;;
    --duration) duration=$2; shift ;;
    --connections) connections=$2; shift ;;
    --tcp-connections) tcp_connections=$2; shift ;;
    --tcp-duration) tcp_duration=$2; shift ;;
    --entries) entries=$2; shift ;;
    --keep) keep=true ;;
    --profile | --callgrind)
        mode=${1#--}
        if [[ ${2:-} =~ ^[0-9]+$ ]]; then profile_arg=$2; shift; fi ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "milter_run.sh: unknown option $1 (--help)" >&2; exit 64 ;;
    esac
    shift
done
((rounds >= 3)) || { echo "milter_run.sh: --rounds must be at least 3" >&2; exit 64; }

started=$SECONDS
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release -DPROSPECT_BENCH=ON -DPROSPECT_TESTS=OFF >/dev/null
cmake --build "$build" --target prospect-milter prospectctl baseline-milter milter-load inspect_bench \
    -j "${JOBS:-2}" >/dev/null
built=$SECONDS
milter=$build/milter/prospect-milter
prospectctl=$build/ctl/prospectctl
baseline=$build/bench/baseline-milter
load=$build/bench/milter-load
inspect_bench=$build/bench/inspect_bench
hz=$(getconf CLK_TCK)

work=$(mktemp -d "${TMPDIR:-/tmp}/milter-bench.XXXXXX")
pids=()
finished=false
cleanup() {
    local pid
    for pid in "${pids[@]}"; do stop_daemon "$pid"; done
    if $keep || ! $finished; then
        echo "work directory kept: $work" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=bench/milter_fixtures.sh
. "$here/milter_fixtures.sh"
# shellcheck source=bench/milter_daemons.sh
. "$here/milter_daemons.sh"
# shellcheck source=bench/milter_phases.sh
. "$here/milter_phases.sh"
# shellcheck source=bench/milter_report.sh
. "$here/milter_report.sh"

# The subjects' loads: the envelope and message of each (the socket, the
# connections and the length come with each run).
in_scope=(--from claire.dubois@example.com --auth outreach-tool --rcpt 'prospect{n}@client{n%50}.fr')
out_of_scope=(--from jean.martin@partner-logistique.fr --auth jmartin --rcpt 'sophie.laurent{n}@client{n%50}.fr')
expect_prospect_in=(--expect accept@eom --expect-header List-Unsubscribe)
expect_prospect_out=(--expect accept@eoh)
expect_baseline=(--expect accept@eom --expect-header X-Baseline)

echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(uname -sr)"
source_state=$(git -C "$top" describe --always --dirty 2> /dev/null || echo "not a git tree")
echo "build: $build (Release) of $source_state, $((built - started)) s; work directory: $work"
make_fixtures

case $mode in
profile) run_profile "${profile_arg:-5}" ;;
callgrind) run_callgrind "${profile_arg:-200}" ;;
bench)
    run_unix_rounds
    run_tcp_rounds
    run_memory
    report
    echo "total: $((SECONDS - started)) s ($((built - started)) s of build, $((SECONDS - built)) s of fixtures and runs)"
    ;;
esac
finished=true
