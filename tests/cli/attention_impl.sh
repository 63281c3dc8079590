# gat train --attention_impl: the three implementations train to the same result, the choice
# goes into the run's config.json and not into the model file, dense is refused above its
# node limit with one line, and a bad value is refused.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
"$GAT" generate graph --out data/syn --nodes 300 --classes 3 --features 40 --seed 5 --val-size 100 --test-size 100 --quiet
for impl in fused edges dense; do
    "$GAT" train --data-dir data --dataset syn --attention_impl $impl --num_of_epochs 10 --checkpoint_freq 0 --should_test --quiet \
        --models-dir m_$impl --logdir runs_$impl > $impl.out
    check "$impl trains" grep -q "; test accuracy 0\.[0-9]*$" $impl.out
    check "$impl in config.json" grep -q "\"attention_impl\": \"$impl\"" runs_$impl/*/config.json
    # the model file does not record the choice: the three files hold the same metadata
    check "$impl not in the model" sh -c "! grep -a -q -e '\"attention_impl\"' -e '\"$impl\"' m_$impl/binaries/*.safetensors"
done
# same test accuracy (10 epochs, same seed: the implementations differ by float rounding only)
acc() { sed 's/.*test accuracy //' "$1"; }
check "edges = fused" test "$(acc edges.out)" = "$(acc fused.out)"
check "dense = fused" test "$(acc dense.out)" = "$(acc fused.out)"
"$GAT" generate graph --out data/big --nodes 5001 --classes 2 --features 8 --avg-degree 2 --train-size 10 --val-size 10 --test-size 10 --quiet
expect_error "dense above 5000 nodes" "--attention_impl: dense attention holds 4 N x N matrices" \
    "$GAT" train --data-dir data --dataset big --attention_impl dense --num_of_epochs 1 --models-dir m --logdir runs
"$GAT" train --data-dir data --dataset big --attention_impl edges --num_of_epochs 1 --checkpoint_freq 0 --quiet --models-dir m --logdir runs > big.out
check "edges takes the big graph" grep -q "Trained 1 epochs" big.out
expect_error "bad value" "--attention_impl: 'sparse' is not fused, edges or dense" "$GAT" train --attention_impl sparse
finish
