# gat train --attention_type gatv2: trains with either implementation (fused and edges reach the
# same test accuracy), the model file and config.json record it, gat info / test / predict /
# explain / visualize read it, and bad values are refused with one line.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
"$GAT" generate graph --out data/syn --nodes 300 --classes 3 --features 40 --seed 5 --val-size 100 --test-size 100 --quiet
for impl in fused edges; do
    "$GAT" train --data-dir data --dataset syn --attention_type gatv2 --attention_impl $impl --num_of_epochs 10 \
        --checkpoint_freq 0 --should_test --quiet --models-dir m_$impl --logdir runs_$impl > $impl.out
    check "gatv2 $impl trains" grep -q "; test accuracy 0\.[0-9]*$" $impl.out
    check "gatv2 $impl in config.json" grep -q '"attention_type": "gatv2"' runs_$impl/*/config.json
    check "gatv2 $impl in the model" grep -a -q '"attention":"gatv2"' m_$impl/binaries/*.safetensors
done
acc() { sed 's/.*test accuracy //' "$1"; }
check "gatv2 edges = fused" test "$(acc edges.out)" = "$(acc fused.out)"
M=$(ls m_fused/binaries/*.safetensors)
check "info names gatv2" grep -q "^attention:  gatv2" <<<"$("$GAT" info "$M")"
check "info lists linear_proj_target" grep -q "gat_net.0.linear_proj_target.weight" <<<"$("$GAT" info "$M")"
"$GAT" test "$M" --data-dir data > test.out
check "gat test gives the training run's test accuracy" grep -q "Test accuracy = $(acc fused.out)" test.out
"$GAT" predict "$M" --data-dir data > pred.csv
check "predict: a row per node" test "$(wc -l < pred.csv)" -eq 301
"$GAT" explain --model "$M" --data-dir data --node 3 > explain.out
check "explain shows GATv2 scores" grep -q "e = a . LeakyReLU(z\[j\] + t\[i\])" explain.out
check "explain shows t[i]" grep -q "t\[i\] = W_dst x\[i\]" explain.out
"$GAT" visualize attention --model "$M" --data-dir data --nodes 3 --out figs > vis.out 2>&1
check "attention picture of a gatv2 model" sh -c 'ls figs/*.png >/dev/null 2>&1 || find figs -name "*.png" | grep -q .'
# shared weights: no linear_proj_target tensor, recorded
"$GAT" train --data-dir data --dataset syn --attention_type gatv2 --share_weights true --num_of_epochs 3 \
    --checkpoint_freq 0 --quiet --models-dir m_sh --logdir runs_sh > sh.out
check "shared weights recorded" grep -a -q '"share_weights":"true"' m_sh/binaries/*.safetensors
check "shared weights: no target projection" sh -c "! \"$GAT\" info m_sh/binaries/*.safetensors | grep -q linear_proj_target"
expect_error "bad attention type" "--attention_type: 'gatv3' is not gat or gatv2" "$GAT" train --attention_type gatv3
expect_error "gatv2 has no dense" "--attention_impl: dense is not available for gatv2" \
    "$GAT" train --data-dir data --dataset syn --attention_type gatv2 --attention_impl dense --num_of_epochs 1 --models-dir m --logdir runs
expect_error "shared weights on gat" "--share_weights: shared source and target projections are a gatv2 setting" \
    "$GAT" train --data-dir data --dataset syn --share_weights true --num_of_epochs 1 --models-dir m --logdir runs
finish
