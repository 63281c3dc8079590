# docs/annotated-gat.md never rots: every sh block runs in order on the repository's data
# (Cora, and a small PPI-like collection its commands generate) and every output block and
# quoted number is checked (tests/tools/check_walkthrough.py).
# Also: the checker itself fails on a wrong number, a missing line and a failing command.
. "$(dirname "$0")/lib.bash"
need_data
SRC="${GAT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
command -v python3 >/dev/null || { echo "FAIL: python3 is not installed (scripts/install-deps.sh installs it)"; exit 1; }
cd "$TMP"
mkdir -p "$TMP/work"
ln -s "$SRC/docs" "$TMP/work/docs"
ln -s "$GAT_DATA_DIR" "$TMP/work/data"
mkdir -p "$TMP/work/build" && ln -s "$(cd "$(dirname "$GAT")" && pwd)/$(basename "$GAT")" "$TMP/work/build/gat"
# the walkthrough reads Cora from ./data (the repository root's layout), not GAT_DATA_DIR
if (cd "$TMP/work" && env -u GAT_DATA_DIR PATH="$TMP/work/build:$PATH" python3 "$SRC/tests/tools/check_walkthrough.py" \
        "$SRC/docs/annotated-gat.md" .) > walk.out 2>&1; then ok; else fail "walkthrough: $(grep FAIL walk.out | head -5)"; fi
cat walk.out
# both parts ran: Cora (section 3) and the PPI collection (section 5), with their pictures
check "the Cora training ran" grep -q "line [0-9]*: gat train --num_of_epochs 300" walk.out
check "the PPI collection was generated" grep -q "line [0-9]*: gat generate ppi-like --out toy/ppi" walk.out
check "the PPI model was trained" test -s "$TMP/work/models/binaries/gat_PPI_000000.safetensors"
check "the PPI entropy picture" png_ok "$TMP/work/figures/ppi/ppi_test_graphs_entropy_layer1.png"
check "the PPI attention picture" png_ok "$TMP/work/figures/ppi/ppi_graph11_attention_node63_layer1_heads.png"
# the checker catches what it should
mk() { printf '%s\n' "$@" > "$TMP/$name.md"; }
run_bad() { (cd "$TMP/work" && python3 "$SRC/tests/tools/check_walkthrough.py" "$TMP/$name.md" .) > "$TMP/$name.out" 2>&1; }
name=wrongnum; mk '```sh' 'echo "alpha = 0.4083"' '```' '```output' 'alpha = 0.4200' '```' 'The weight `0.4083`.'
run_bad && fail "wrong number accepted" || ok
name=wrongquote; mk '```sh' 'echo "alpha = 0.4083"' '```' '```output' 'alpha = 0.4083' '```' 'The weight `0.5000`.'
run_bad && fail "wrong quoted number accepted" || ok
name=missing; mk '```sh' 'echo one; echo two' '```' '```output' 'two' 'one' '```' 'A number `1`.'
run_bad && fail "lines out of order accepted" || ok
name=failing; mk '```sh' 'false' '```' '```output' '```' 'x `1`'
run_bad && fail "failing command accepted" || ok
name=good; mk '```sh' 'echo "time 3.2 s, alpha = 0.4083 of 12"' '```' '```output' 'time * s, alpha = 0.408 of 12' '```' 'The weight `0.41` of `12`.'
run_bad && ok || fail "a correct walkthrough refused: $(cat "$TMP/good.out")"
finish
