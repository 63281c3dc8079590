# gat explain on the 4-node worked example of docs/annotated-gat.md: the numbers a reader
# redoes by hand (exact for these round weights), Cora's node summaries, and bad input.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
TINY="${GAT_SOURCE_DIR:-$(dirname "$0")/../..}/docs/data"
"$GAT" explain --model "$TINY/tiny/tiny.safetensors" --data-dir "$TINY" > tiny.out
# head 0 of layer 0 at node 0: e = (0, -0.75, 0.25), LeakyReLU 0.2 gives -0.15, softmax of (0, -0.15, 0.25)
check "s_dst" grep -q "^  s_dst\[0\] = a_dst . z\[0\] = -1.2500$" tiny.out
check "edge 1->0 LeakyReLU" grep -Eq "^  1->0 +\[0.0000 1.0000\] +0.5000 +-0.7500 +-0.1500 +0.6703 +0.2737$" tiny.out
check "edge 2->0" grep -Eq "^  2->0 +\[1.0000 1.0000\] +1.5000 +0.2500 +0.2500 +1.0000 +0.4083$" tiny.out
check "aggregation" grep -q "^  out = sum_j alpha z\[j\] = \[0.8853 0.5230\]$" tiny.out
check "ELU" grep -q "^ ELU -> y = \[0.8853 0.5230 1.1163 -0.5194\]" tiny.out
check "head mean" grep -q "^ mean over heads: \[0.9938 0.0072\]$" tiny.out
check "prediction" grep -q "^prediction: class 0 (red) with probability 0.7082; label 0 (right)$" tiny.out
"$GAT" explain --model "$TINY/tiny/tiny.safetensors" --data-dir "$TINY" --node 3 --max-heads 1 > tiny3.out
check "node 3 has 2 edges" grep -q "^Node 3 of tiny: label 1 (blue); 2 incoming edges with its self loop, from: 3 2$" tiny3.out
check "heads summarised" grep -q "^ (1 more heads, computed alike: --max-heads 2)$" tiny3.out
expect_error "node out of range" "--node: 4 is not a node of tiny (0..3)" "$GAT" explain --model "$TINY/tiny/tiny.safetensors" --data-dir "$TINY" --node 4
expect_error "no model" "--model FILE is required" "$GAT" explain
expect_error "missing model" "nope.safetensors" "$GAT" explain --model nope.safetensors
expect_error "unknown option" "unknown option '--bogus'" "$GAT" explain --bogus
"$GAT" explain --help | grep -q "usage: gat explain" && ok || fail "--help"
finish
