# gat generate graph: a small graph that gat train reads, the same bytes for a seed on any
# thread count, and bad options refused with one line naming the option.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
"$GAT" generate graph --out data/syn --nodes 2000 --classes 4 --features 40 --density 0.1 --seed 3 > gen.out
check "summary line" grep -q "Wrote data/syn: 2000 nodes" gen.out
for f in features.npz edge_index.npy labels.npy train_index.npy val_index.npy test_index.npy class_names.txt generated.json; do
    check "file $f" test -s data/syn/$f
done
OMP_NUM_THREADS=1 "$GAT" generate graph --out data/syn1 --nodes 2000 --classes 4 --features 40 --density 0.1 --seed 3 --quiet
check "quiet prints nothing" test ! -s /dev/null
for f in features.npz edge_index.npy labels.npy train_index.npy; do
    check "same $f on one thread" cmp -s data/syn/$f data/syn1/$f
done
"$GAT" train --data-dir data --dataset syn --num_of_epochs 3 --checkpoint_freq 0 --should_test --quiet --models-dir m --logdir runs > train.out
check "trains on the generated graph" grep -q "; test accuracy 0\.[0-9]*$" train.out
"$GAT" generate graph --out data/dense --nodes 300 --features 6 --classes 3 --dense --val-size 0.2 --test-size 0.3 --quiet
check "dense features" test -s data/dense/features.npy
check "fraction sizes" grep -q '"split_sizes": \[60, 60, 90\]' data/dense/generated.json
expect_error "no --out" "--out DIR is required" "$GAT" generate graph
expect_error "unknown kind" "unknown kind 'tree'" "$GAT" generate tree
expect_error "bad exponent" "--exponent" "$GAT" generate graph --out x --exponent 1.5
expect_error "max degree below average" "--max-degree" "$GAT" generate graph --out x --max-degree 3
expect_error "splits too big" "exceed --nodes" "$GAT" generate graph --out x --nodes 100 --classes 2
check "nothing written on error" test ! -e x
"$GAT" generate --help | grep -q "graph" && ok || fail "generate --help lists graph"
finish
