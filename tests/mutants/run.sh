#!/usr/bin/env bash
# run.sh - the mutation drill: apply each deliberate bug in tests/mutants/*.mutant to a scratch
# copy of the source tree, build, run the tests, and report which mutants the tests kill.
#
#   bash tests/mutants/run.sh [--full] [--src DIR] [--work DIR] [--keep] [MUTANT ...]
#
#   (default)  fast drill: each mutant runs the tests its `tests:` line names
#   --full     every mutant runs the whole suite (stopping at the first failing test)
#   --src DIR  the tree to mutate (default: the repository this script is in); only files
#              tracked or not ignored by git are copied
#   --work DIR scratch folder (default: a new temporary one, removed at the end unless --keep)
#   MUTANT     names (e.g. slope-default) or paths; default: every tests/mutants/*.mutant
#
# The unmutated copy is built and its tests are run first: they must pass (else nothing is
# learnt from a failure). One build folder serves every mutant (incremental builds). A mutant
# that does not build, or whose snippets no longer match (apply.sh), is an error of the drill
# itself, not a kill. Exit status: 0 when every mutant is killed, 1 when one survives, 2 on
# an error. Prints one line per mutant and a closing "N passed, N failed" line (killed,
# survived).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
FULL=0 WORK="" KEEP=0
MUTANTS=()
while [ $# -gt 0 ]; do
    case $1 in
    --full) FULL=1 ;;
    --src) SRC=$(cd "$2" && pwd); shift ;;
    --work) WORK=$2; shift ;;
    --keep) KEEP=1 ;;
    -h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) MUTANTS+=("$1") ;;
    esac
    shift
done
if [ ${#MUTANTS[@]} -eq 0 ]; then
    MUTANTS=("$HERE"/*.mutant)
fi
for i in "${!MUTANTS[@]}"; do
    m=${MUTANTS[$i]}
    [ -f "$m" ] || m="$HERE/$m.mutant"
    [ -f "$m" ] || { echo "run.sh: no mutant ${MUTANTS[$i]}" >&2; exit 2; }
    MUTANTS[$i]=$m
done

if [ -z "$WORK" ]; then WORK=$(mktemp -d "${TMPDIR:-/tmp}/gat-mutants.XXXXXX"); fi
mkdir -p "$WORK"
cleanup() { if [ "$KEEP" = 0 ]; then rm -rf "$WORK"; else echo "run.sh: scratch kept in $WORK"; fi; }
trap cleanup EXIT
JOBS=$(nproc)
TREE="$WORK/src" BUILD="$WORK/build" LOG="$WORK/log"
mkdir -p "$LOG"
rm -rf "$TREE"
rm -rf "$WORK/orig"
mkdir -p "$TREE" "$WORK/orig"
# a pristine copy (restored from after each mutant: the source tree may change meanwhile) and the work copy
(cd "$SRC" && git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
    [ -e "$f" ] && printf '%s\0' "$f"; done | tar --null -T - -cf -) | tar -C "$WORK/orig" -xf -
cp -a "$WORK/orig/." "$TREE/"

tests_of() { sed -n 's/^tests:[[:space:]]*//p' "$1" | head -1; }
# CTest regex and build targets for a list of test names (cli_* tests need the gat program)
regex_of() { local r="" t; for t in "$@"; do r+="${r:+|}$t"; done; echo "^($r)\$"; }
targets_of() {
    local out=() t
    for t in "$@"; do case $t in cli_*) out+=(gat) ;; *) out+=("$t") ;; esac; done
    printf '%s\n' "${out[@]}" | sort -u | tr '\n' ' '
}

build() { # build [targets...]: quiet unless it fails
    if [ $# -gt 0 ]; then
        local args=()
        for t in "$@"; do args+=(--target "$t"); done
        cmake --build "$BUILD" -j"$JOBS" "${args[@]}" > "$LOG/build.txt" 2>&1
    else
        cmake --build "$BUILD" -j"$JOBS" > "$LOG/build.txt" 2>&1
    fi
}
run_tests() { # run_tests LOGFILE [names...]: exit status of ctest
    local logf=$1; shift
    local sel=()
    [ $# -gt 0 ] && sel=(-R "$(regex_of "$@")")
    ctest --test-dir "$BUILD" -j"$JOBS" --timeout 600 --stop-on-failure "${sel[@]}" > "$logf" 2>&1
}

t_start=$(date +%s)
echo "== mutation drill ($([ $FULL = 1 ] && echo full suite || echo fast: each mutant\'s tests)), ${#MUTANTS[@]} mutants, scratch $WORK"
# The drill's build is made for rebuilding often: -O1 (the tests take a few seconds either
# way; compiling at -O3 is what costs), the kernels compiled once (no x86-64-v3/v4 clones),
# and ccache when installed, so putting a file back after its mutant costs no compile.
CFLAGS_DRILL=${GAT_MUTANT_CFLAGS:--O1 -DNDEBUG}
launcher=()
if command -v ccache >/dev/null 2>&1; then
    export CCACHE_DIR=${CCACHE_DIR:-$WORK/ccache} CCACHE_BASEDIR=$WORK
    launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
cmake -S "$TREE" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="$CFLAGS_DRILL" -DGAT_DISPATCH=OFF \
    -DGAT_BUILD_EXAMPLES=OFF "${launcher[@]}" > "$LOG/configure.txt" 2>&1 ||
    { cat "$LOG/configure.txt"; echo "run.sh: configure failed" >&2; exit 2; }
# the unmutated baseline
all_tests=()
if [ $FULL = 0 ]; then
    for m in "${MUTANTS[@]}"; do
        t=$(tests_of "$m")
        [ -n "$t" ] || { echo "run.sh: $m has no tests: line" >&2; exit 2; }
        read -ra ts <<< "$t"
        all_tests+=("${ts[@]}")
    done
    mapfile -t all_tests < <(printf '%s\n' "${all_tests[@]}" | sort -u)
    read -ra tg <<< "$(targets_of "${all_tests[@]}")"
    build "${tg[@]}" || { tail -30 "$LOG/build.txt"; echo "run.sh: the unmutated tree does not build" >&2; exit 2; }
else
    build || { tail -30 "$LOG/build.txt"; echo "run.sh: the unmutated tree does not build" >&2; exit 2; }
fi
if ! run_tests "$LOG/baseline.txt" "${all_tests[@]}"; then
    tail -30 "$LOG/baseline.txt"
    echo "run.sh: the unmutated tree fails its tests: fix that first" >&2
    exit 2
fi
echo "   baseline passes ($(( $(date +%s) - t_start )) s)"

killed=0 survived=0 errors=0 equivalent=0
survivors=()
for m in "${MUTANTS[@]}"; do
    id=$(basename "$m" .mutant)
    desc=$(sed -n 's/^# \{0,1\}//p' "$m" | head -1)
    t0=$(date +%s)
    files=$(sed -n 's/^file: //p' "$m" | sort -u)
    if ! bash "$HERE/apply.sh" "$m" "$TREE" 2> "$LOG/$id.apply.txt"; then
        echo "ERROR    $id: $(tail -1 "$LOG/$id.apply.txt")"
        errors=$((errors + 1))
        continue
    fi
    read -ra ts <<< "$(tests_of "$m")"
    status=""
    if [ $FULL = 0 ]; then
        read -ra tg <<< "$(targets_of "${ts[@]}")"
        build "${tg[@]}" || status=broken
    else
        build || status=broken
    fi
    if [ -z "$status" ]; then
        export GAT_CHECK_FAIL_FAST=1 # a test program stops at its first failed check
        if [ $FULL = 0 ]; then run_tests "$LOG/$id.txt" "${ts[@]}" && status=survived || status=killed
        else run_tests "$LOG/$id.txt" && status=survived || status=killed; fi
    fi
    unset GAT_CHECK_FAIL_FAST
    # restore the original files (a fresh mtime, so the next build recompiles them)
    for f in $files; do cp "$WORK/orig/$f" "$TREE/$f"; touch "$TREE/$f"; done
    dt=$(( $(date +%s) - t0 ))
    case $status in
    killed)
        by=$(sed -n 's/^[[:space:]]*[0-9]* - \([A-Za-z0-9_]*\) .*/\1/p' "$LOG/$id.txt" | head -3 | tr '\n' ' ')
        killed=$((killed + 1))
        printf 'killed   %-34s %4ss  by %s\n' "$id" "$dt" "${by:-?}" ;;
    survived)
        why=$(sed -n 's/^equivalent:[[:space:]]*//p' "$m" | head -1)
        if [ -n "$why" ]; then
            equivalent=$((equivalent + 1))
            printf 'equiv.   %-34s %4ss  %s\n' "$id" "$dt" "$why"
        else
            survived=$((survived + 1))
            survivors+=("$id")
            printf 'SURVIVED %-34s %4ss  %s\n' "$id" "$dt" "$desc"
        fi ;;
    broken)
        errors=$((errors + 1))
        printf 'ERROR    %-34s does not build:\n' "$id"
        grep -m3 -i "error" "$LOG/build.txt" | sed 's/^/    /' ;;
    esac
done
total=$((killed + survived + equivalent))
echo "== mutation score: $killed of $total killed$([ $equivalent -gt 0 ] && echo ", $equivalent equivalent survivors")$([ $errors -gt 0 ] && echo ", $errors errors"), $(( $(date +%s) - t_start )) s"
[ $survived -gt 0 ] && echo "   survivors: ${survivors[*]}"
echo "mutants: $killed passed, $survived failed"
[ $errors -gt 0 ] && exit 2
[ $survived -gt 0 ] && exit 1
exit 0
