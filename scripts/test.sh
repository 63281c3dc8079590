#!/usr/bin/env bash
# Build (if needed) and run the whole test suite. The datasets folder comes from
# GAT_DATA_DIR, or ../shared/datasets beside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${GAT_DATA_DIR:=$(cd .. && pwd)/shared/datasets}"
export GAT_DATA_DIR
BUILD=${BUILD:-build}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release} ${CMAKE_ARGS:-} >/dev/null
cmake --build "$BUILD" -j"$(nproc)"
ctest --test-dir "$BUILD" --output-on-failure -j"$(nproc)"
