#!/usr/bin/env bash
# run-smoke.sh — builds the libFuzzer target fuzz_message (clang, ASan+UBSan,
# in its own build directory) and fuzzes it for a bounded time over a
# temporary copy of the seed corpus: the tests/corpus/*.eml files under
# 256 KiB and tests/fuzz/seeds/*. See tests/fuzz/README.md.
#
# Exits 0 when the time ran out with nothing found, non-zero (libFuzzer's own
# status) on any crash, leak, timeout, out-of-memory or sanitizer report; the
# input that caused it is left in the artifacts directory and named on the
# last lines of the output.
#
# Environment:
#   FUZZ_SECONDS    fuzzing time in seconds (default 60)
#   BUILD_DIR       build directory (default build-fuzz/ at the top of the tree)
#   FUZZ_CORPUS     keep the grown corpus in this directory (default: a
#                   temporary copy, deleted at the end)
#   FUZZ_ARTIFACTS  where crashing inputs are written (default BUILD_DIR/fuzz-artifacts)
#   FUZZ_ARGS       more libFuzzer flags, e.g. "-seed=1" or "-jobs=2 -workers=2"
#   JOBS            parallel compile jobs (default 2)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-$top/build-fuzz}
seconds=${FUZZ_SECONDS:-60}
artifacts=${FUZZ_ARTIFACTS:-$build/fuzz-artifacts}

# --- build -----------------------------------------------------------------
CC=clang CXX=clang++ cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPROSPECT_FUZZ=ON -DPROSPECT_TESTS=OFF >/dev/null
cmake --build "$build" --target fuzz_message -j "${JOBS:-2}"
fuzzer=$build/tests/fuzz/fuzz_message

# --- corpus ----------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz_message.XXXXXX")
trap 'rm -rf "$work"' EXIT
corpus=${FUZZ_CORPUS:-$work/corpus}
mkdir -p "$corpus" "$artifacts"
find "$top/tests/corpus" -maxdepth 1 -name '*.eml' -size -262144c -exec cp {} "$corpus/" \;
cp "$here"/seeds/* "$corpus/"
echo "run-smoke: $(find "$corpus" -type f | wc -l) inputs in $corpus, fuzzing for ${seconds}s"

# --- sanitizers --------------------------------------------------------------
# Leaks are findings (libFuzzer checks after every input that allocated more
# than it freed, and at exit); UBSan stops at its first report.
export ASAN_OPTIONS="detect_leaks=1:symbolize=1:check_initialization_order=1:strict_string_checks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
if [[ -f $here/lsan.supp ]]; then
    export LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=1${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
fi
# GLib's slice allocator would hide GMime's objects from ASan (use after free
# inside a slab, leaks kept reachable by the magazine): plain malloc instead.
export G_SLICE=always-malloc G_DEBUG=gc-friendly
if [[ -z ${ASAN_SYMBOLIZER_PATH:-} ]]; then
    for symbolizer in llvm-symbolizer /usr/lib/llvm-14/bin/llvm-symbolizer; do
        if command -v "$symbolizer" >/dev/null; then
            ASAN_SYMBOLIZER_PATH=$(command -v "$symbolizer")
            export ASAN_SYMBOLIZER_PATH
            break
        fi
    done
fi

# --- fuzz ------------------------------------------------------------------
log=$build/fuzz-smoke.log
touch "$log.start"  # artifacts newer than this are this run's
set +e
# shellcheck disable=SC2086  # FUZZ_ARGS is a list of flags
"$fuzzer" -max_len=262144 -timeout=10 -rss_limit_mb=2048 -max_total_time="$seconds" \
    -dict="$here/mime.dict" -artifact_prefix="$artifacts/" -print_final_stats=1 \
    ${FUZZ_ARGS:-} "$corpus" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

echo
executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
echo "run-smoke: ${executions:-?} executions in ${seconds}s budget, exit status $status, log $log"
if (( status != 0 )); then
    echo "run-smoke: FAILED; the input is in $artifacts:"
    find "$artifacts" -type f -newer "$log.start" -printf '  %p\n' 2>/dev/null || ls -lt "$artifacts"
    echo "reproduce with: $fuzzer $artifacts/<file>"
fi
exit "$status"
