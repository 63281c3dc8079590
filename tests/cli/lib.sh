# Helpers for the CLI tests: each test sources this with the gat binary as $1.
set -u
GAT="$1"
TMP="${GAT_TEST_TMP:-/tmp/gat-tests}/cli_$(basename "$0" .sh)"
rm -rf "$TMP" && mkdir -p "$TMP"
PASSED=0
FAILED=0
ok() { PASSED=$((PASSED + 1)); }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*" >&2; }
check() { local what="$1"; shift; if "$@"; then ok; else fail "$what"; fi; }
# expect_error "what" "needle" cmd...: non-zero exit, exactly one stderr line "gat: error: ...needle..."
expect_error() {
    local what="$1" needle="$2"; shift 2
    local out rc
    out=$("$@" 2>&1 >/dev/null); rc=$?
    if [ $rc -eq 0 ]; then fail "$what: exit 0"; return; fi
    if [ "$(printf '%s\n' "$out" | wc -l)" -ne 1 ]; then fail "$what: not one line: $out"; return; fi
    case "$out" in "gat: error: "*"$needle"*) ok ;; *) fail "$what: '$out' lacks '$needle'" ;; esac
}
need_data() {
    if [ -z "${GAT_DATA_DIR:-}" ] || [ ! -d "$GAT_DATA_DIR/cora" ]; then echo "skipped: GAT_DATA_DIR not set"; exit 77; fi
}
finish() { echo "$PASSED passed, $FAILED failed"; [ "$FAILED" -eq 0 ]; }
