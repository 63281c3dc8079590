#!/usr/bin/env bash
# Build (if needed) and run the whole test suite. Tests read Cora and Citeseer from the
# repository's data/ (or from GAT_DATA_DIR when it is set and holds them).
# A test that cannot run prints why and is counted as skipped; with CI=true any skipped
# test fails the run, so CI proves every test ran.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
# The portable build is what is tested unless CMAKE_ARGS says otherwise: CMake keeps an option
# in the build folder's cache, so a folder once configured with -DGAT_NATIVE=ON would stay
# native. (CMAKE_ARGS=-DGAT_NATIVE=ON tests the native build; rm -rf "$BUILD" starts afresh.)
native=-DGAT_NATIVE=OFF
case " ${CMAKE_ARGS:-} " in *GAT_NATIVE*) native="" ;; esac
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release} $native ${CMAKE_ARGS:-} >/dev/null
cmake --build "$BUILD" -j"$(nproc)"
junit="$(cd "$BUILD" && pwd)/ctest-junit.xml"
rm -f "$junit"
rc=0
ctest --test-dir "$BUILD" --output-on-failure --no-tests=error --output-junit "$junit" -j"$(nproc)" || rc=$?
if [ ! -s "$junit" ]; then
    echo "test.sh: ctest wrote no result file ($junit)" >&2
    exit 1
fi
# One <testcase> per test; a skipped one (exit 77, or not run) carries a <skipped> element.
total=$(grep -c "<testcase " "$junit" || true)
skipped=$(grep -o 'name="[^"]*"[^>]*status="\(notrun\|disabled\)"' "$junit" | sed 's/name="\([^"]*\)".*/\1/' || true)
nskipped=$(printf '%s' "$skipped" | grep -c . || true)
failed=$(grep -o 'name="[^"]*"[^>]*status="fail"' "$junit" | grep -c . || true)
echo "test.sh: $((total - nskipped - failed)) passed, $nskipped skipped, $failed failed (of $total)"
if [ "$nskipped" -gt 0 ]; then
    # Each skipped test's reason: its "skipped: ..." output line.
    awk '/<testcase / { match($0, /name="[^"]*"/); name = substr($0, RSTART + 6, RLENGTH - 7); skip = ($0 ~ /status="notrun"|status="disabled"/) }
         skip && /skipped: / { sub(/.*skipped: /, ""); print "test.sh: skipped " name ": " $0 }' "$junit" >&2
    echo "test.sh: skipped tests: $(echo $skipped)" >&2
    if [ "${CI:-}" = "true" ]; then
        echo "test.sh: CI=true: a skipped test is a failure" >&2
        exit 1
    fi
fi
exit $rc
