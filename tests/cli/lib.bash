# Helpers for the CLI tests: each test sources this with the gat binary as $1.
set -u
GAT="$1"
# Datasets: $GAT_DATA_DIR when the test runs and it holds cora/ and citeseer/, else the
# repository's own data/.
if [ -z "${GAT_DATA_DIR:-}" ] || [ ! -d "$GAT_DATA_DIR/cora" ] || [ ! -d "$GAT_DATA_DIR/citeseer" ]; then
    if [ -n "${GAT_REPO_DATA:-}" ] && [ -d "$GAT_REPO_DATA/cora" ] && [ -d "$GAT_REPO_DATA/citeseer" ]; then
        [ -n "${GAT_DATA_DIR:-}" ] && echo "note: GAT_DATA_DIR=$GAT_DATA_DIR has no cora/ and citeseer/; using $GAT_REPO_DATA"
        GAT_DATA_DIR=$GAT_REPO_DATA
    fi
fi
export GAT_DATA_DIR="${GAT_DATA_DIR:-}"
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
# need_data: returns 0 when Cora and Citeseer are there; otherwise says why and exits, 77
# (skipped) when every check so far passed, 1 otherwise. Never a silent partial pass.
need_data() {
    if [ -d "$GAT_DATA_DIR/cora" ] && [ -d "$GAT_DATA_DIR/citeseer" ]; then return 0; fi
    echo "skipped: no cora/ and citeseer/ in '$GAT_DATA_DIR' (GAT_DATA_DIR or the repository's data/, GAT_REPO_DATA)"
    if [ "$FAILED" -ne 0 ]; then finish; exit 1; fi
    echo "($PASSED checks passed before the skip)"
    exit 77
}
png_ok() {   # file is a PNG with a non-zero IHDR size
    [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] &&
    [ "$(dd if="$1" bs=1 skip=12 count=4 2>/dev/null)" = "IHDR" ] &&
    [ "$(dd if="$1" bs=1 skip=16 count=4 2>/dev/null | od -An -tu1 | tr -d ' \n')" != "0000" ]
}
svg_ok() { xmllint --noout "$1" 2>/dev/null && grep -q "<svg" "$1"; }
need_xmllint() {
    if ! command -v xmllint >/dev/null; then echo "FAIL: xmllint is not installed (apt-get install libxml2-utils)"; exit 1; fi
}
finish() { echo "$PASSED passed, $FAILED failed"; [ "$FAILED" -eq 0 ]; }
