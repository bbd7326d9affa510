#!/usr/bin/env bash
# bench/store_run.sh — builds the store-at-scale benchmark in Release, in the
# benchmark build directory (build-bench/), and runs it there. See
# bench/README.md.
#
#   bench/store_run.sh                      10,000,000 suppressions (up to 2.2 GB
#                                           of disk, about 5 minutes)
#   bench/store_run.sh --entries 100000     a quick try
#   bench/store_run.sh [--batch N] [--connections C] [--messages M]
#                      [--rounds R] [--ctl-lines L] [--map-size BYTES]
#
# Everything it writes is under build-bench/store-bench/, emptied at each run
# (the store, the daemons' policies, sockets and logs).
#
# Environment: BUILD_DIR (default build-bench/ at the top of the tree), JOBS
# (parallel compile jobs, default 2).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=${BUILD_DIR:-$top/build-bench}

cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release -DPROSPECT_BENCH=ON -DPROSPECT_TESTS=OFF >/dev/null
# store_bench depends on prospect-milter and prospectctl: one target builds all three.
cmake --build "$build" --target store_bench -j "${JOBS:-2}" >/dev/null

echo "kernel: $(uname -sr); build: $build (Release)"
exec "$build/bench/store_bench" --dir "$build/store-bench" "$@"
