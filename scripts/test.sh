#!/usr/bin/env bash
# Sets everything up and runs the whole test suite: unit tests, protocol
# tests against the running daemon and end-to-end tests through a real
# Postfix on loopback, all on an ASan+UBSan build; and a bounded libFuzzer
# run on message inspection (tests/fuzz/).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
export BUILD_DIR=${BUILD_DIR:-$top/build-sanitize}
SANITIZE=1 BUILD_TYPE=Debug "$top/scripts/build.sh"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# The fuzz smoke first, so that ctest's summary closes the output.
BUILD_DIR="$top/build-fuzz" FUZZ_SECONDS=${FUZZ_SECONDS:-60} "$top/tests/fuzz/run-smoke.sh"
cd "$BUILD_DIR"
ctest --output-on-failure --timeout 300 -j "${TEST_JOBS:-2}"
