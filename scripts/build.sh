#!/usr/bin/env bash
# Configures and builds into BUILD_DIR (default build/). With SANITIZE=1 the
# build uses AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$top/build}
sanitize=${SANITIZE:-0}
build_type=${BUILD_TYPE:-RelWithDebInfo}
cmake -S "$top" -B "$build_dir" -DCMAKE_BUILD_TYPE="$build_type" \
  -DPROSPECT_SANITIZE="$([ "$sanitize" = 1 ] && echo ON || echo OFF)" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
