# gat train --add_self_loops false: the graph's edges as given (own self loops kept, none
# added, duplicates kept), a node without incoming edges gets only its bias (no NaN anywhere);
# the model file records it and gat info / test / predict / explain / visualize use it, full
# batch and sampled; the default still adds one self loop per node; bad values are refused.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/npy.bash"
cd "$TMP"
export OMP_NUM_THREADS=1
n=12
tiny_dataset data/loops $n
# every node i but 0 and 5 hears from i-1 and i+1; 3 and 7 also from themselves; 2 -> 4 twice
src=() dst=()
for ((i = 0; i < n; i++)); do
    [ $i -eq 0 ] || [ $i -eq 5 ] && continue
    src+=($(( (i + n - 1) % n )) $(( (i + 1) % n ))); dst+=($i $i)
done
src+=(3 7 2 2); dst+=(3 7 4 4)
npy data/loops/edge_index.npy '<i8' "(2, ${#src[@]})" "${src[@]}" "${dst[@]}"
no_nan() { [ -s "$1" ] && ! grep -qiw "nan" "$1"; }
"$GAT" train --dataset loops --data-dir data --threads 1 --quiet --num_of_epochs 30 --checkpoint_freq 0 \
    --add_self_loops false --should_test --models-dir m --logdir runs > train.out
check "trains without self loops" grep -q "; test accuracy 0\.[0-9]*$\|; test accuracy 1\.0*$" train.out
check "no NaN in training" no_nan train.out
M=$(ls m/binaries/*.safetensors)
check "the model file records add_self_loops=false" grep -a -q '"add_self_loops":"false"' "$M"
check "config.json records it" grep -q '"add_self_loops": false' runs/*/config.json
check "info says none are added" grep -q "^self loops: none added" <("$GAT" info --model "$M")
want=$(sed -n 's/.*; test accuracy \([0-9.]*\)$/\1/p' train.out)
got=$("$GAT" test --model "$M" --data-dir data | sed -n 's/^Test accuracy = \([0-9.]*\).*/\1/p')
check "gat test gives the training run's test accuracy ($want vs $got)" [ -n "$want" -a "$want" = "$got" ]
"$GAT" predict --model "$M" --data-dir data --out pred.csv
check "predict: a row per node" test "$(wc -l < pred.csv)" -eq $((n + 1))
check "predict: no NaN" no_nan pred.csv
"$GAT" explain --model "$M" --data-dir data --node 0 > explain0.out
check "explain: node 0 has no incoming edge" grep -q "0 incoming edges as the graph gives them (no self loop added)" explain0.out
check "explain: the empty softmax" grep -q "no incoming edge: an empty softmax, so the aggregation is 0" explain0.out
check "explain: no NaN" no_nan explain0.out
"$GAT" explain --model "$M" --data-dir data --node 3 > explain3.out
check "explain: node 3's own self loop is one of its edges" grep -q "^  3->3 " explain3.out
check "explain: node 3 has three edges" grep -q "3 incoming edges as the graph gives them" explain3.out
"$GAT" visualize attention --model "$M" --data-dir data --nodes 0,3,4 --out figs --dump-attention att.npz > vis.out 2>&1
check "visualize: node 0 is skipped with a reason" grep -q "node 0 (.*): no incoming edge, no attention to draw" vis.out
check "visualize: node 3 with its own self loop" grep -q "node 3 (.*, 2 neighbours + self loop)" vis.out
check "visualize: node 4, a duplicate edge, no self loop" grep -q "node 4 (.*, 4 neighbours, no self loop)" vis.out
check "visualize: pictures drawn" sh -c 'find figs -name "*node3*.png" | grep -q . && find figs -name "*node4*.png" | grep -q .'
check "visualize: no picture for node 0" sh -c '! find figs -name "*node0_*" | grep -q .'
check "the dump says no self loop was added" grep -q "Attention of ${#src[@]} edges (the graph's own, no self loop added)" vis.out
"$GAT" visualize entropy --model "$M" --data-dir data --out figs > ent.out 2>&1
check "entropy: no NaN" no_nan ent.out
# sampled mini-batches: the sampled block has no forced self loop
"$GAT" train --dataset loops --data-dir data --threads 1 --quiet --num_of_epochs 5 --checkpoint_freq 0 \
    --add_self_loops false --batch_size 2 --fanouts 2,2 --should_test --models-dir ms --logdir runs_s > sampled.out
check "sampled training without self loops" grep -q "; test accuracy [01]\.[0-9]*$" sampled.out
check "sampled: no NaN" no_nan sampled.out
# the default adds them, and says so
"$GAT" train --dataset loops --data-dir data --threads 1 --quiet --num_of_epochs 3 --checkpoint_freq 0 \
    --models-dir md --logdir runs_d > default.out
D=$(ls md/binaries/*.safetensors)
check "default: add_self_loops=true" grep -a -q '"add_self_loops":"true"' "$D"
check "default: info says one per node" grep -q "^self loops: one added per node" <("$GAT" info --model "$D")
"$GAT" explain --model "$D" --data-dir data --node 0 > explain0d.out
check "default: node 0 attends to itself" grep -q "1 incoming edges with its self loop" explain0d.out
expect_error "bad --add_self_loops" "--add_self_loops" "$GAT" train --add_self_loops maybe
finish
