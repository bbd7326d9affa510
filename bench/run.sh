#!/usr/bin/env bash
# bench/run.sh — builds the message-inspection benchmark in Release, in a build
# directory of its own (build-bench/), and runs it. See bench/README.md.
#
#   bench/run.sh [--rounds N] [--batch-ms MS]   the benchmark table
#   bench/run.sh --profile [N]                  callgrind over N (default 300)
#                                               inspections of the 20 KB message,
#                                               top functions by inclusive cost
#
# Environment: BUILD_DIR (default build-bench/ at the top of the tree), JOBS
# (parallel compile jobs, default 2), TMPDIR (where the 10 MB message is
# written, default /tmp).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=${BUILD_DIR:-$top/build-bench}

cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release -DPROSPECT_BENCH=ON -DPROSPECT_TESTS=OFF >/dev/null
cmake --build "$build" --target inspect_bench -j "${JOBS:-2}" >/dev/null
bench=$build/bench/inspect_bench

if [[ ${1:-} == --profile ]]; then
    iterations=${2:-300}
    out=$build/callgrind.out.inspect
    valgrind --tool=callgrind --callgrind-out-file="$out" --toggle-collect=bench_inspect_loop \
        "$bench" --callgrind "$iterations"
    callgrind_annotate --inclusive=yes "$out" | head -60
    echo "full profile: $out (callgrind_annotate --inclusive=yes $out, or kcachegrind)"
    exit 0
fi

echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(uname -sr)"
exec "$bench" "$@"
