#!/usr/bin/env bash
# Build (if needed) and run the whole test suite. Tests read Cora and Citeseer from the
# repository's data/ (or from GAT_DATA_DIR when it is set).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release} ${CMAKE_ARGS:-} >/dev/null
cmake --build "$BUILD" -j"$(nproc)"
ctest --test-dir "$BUILD" --output-on-failure -j"$(nproc)"
