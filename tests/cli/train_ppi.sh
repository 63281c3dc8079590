# A multi-label collection of graphs end to end: gat generate ppi-like (the PPI folder format,
# the same bytes for a seed), gat train with the PPI recipe as default (micro-F1 lines,
# checkpoints gat_PPI_..., metrics.csv), gat test / info / predict on it and inductively on
# another collection, bad options and broken folders refused with one line.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
"$GAT" generate ppi-like --out data/ppi --scale 0.02 --seed 5 > gen.out
check "summary line" grep -q "Wrote data/ppi: 24 graphs" gen.out
for s in train valid test; do
    for f in graph.json feats.npy labels.npy graph_id.npy; do check "file ${s}_$f" test -s data/ppi/${s}_$f; done
done
OMP_NUM_THREADS=1 "$GAT" generate ppi-like --out data/ppi1 --scale 0.02 --seed 5 --quiet
for f in train_graph.json train_feats.npy test_labels.npy; do check "same $f on one thread" cmp -s data/ppi/$f data/ppi1/$f; done
"$GAT" train --help > help.out
check "--help names the PPI recipe" grep -q "PPI recipe is" help.out
"$GAT" train --data-dir data --dataset ppi --num_of_epochs 5 --num_features_per_layer 16,16,121 --console_log_freq 5 \
    --should_test --models-dir m --logdir runs --threads 2 > train.out
check "collection summary" grep -q "Dataset PPI: 24 graphs (train/val/test 20/2/2)" train.out
check "PPI recipe: 3 layers, 4,4,6 heads, skip" grep -q "GAT: 3 layers, heads 4,4,6, features 16,16,121, .* dropout 0, skip on" train.out
check "training lines every 5 batches" test "$(grep -c 'GAT training: .* | batch=' train.out)" -eq 10
check "validation micro-F1 line" grep -q "GAT validation: .* | val micro-F1=0\.[0-9]* | val loss=" train.out
check "Test micro-F1 line" grep -q "^Test micro-F1 = 0\.[0-9]*$" train.out
check "checkpoint at epoch 5" sh -c 'ls m/checkpoints | grep -q "^gat_PPI_[0-9]*_ckpt_epoch_5.safetensors$"'
model=$(ls m/binaries/gat_PPI_*.safetensors | head -1)
check "final model" test -s "$model"
check "metrics.csv names micro-F1" sh -c 'head -1 runs/*/metrics.csv | grep -q "training_micro_f1,val_loss,val_micro_f1$"'
check "results.json: the test micro-F1" sh -c 'grep -q "\"test_micro_f1\": 0\.[0-9]" runs/*/results.json'
"$GAT" test --model "$model" --data-dir data > test.out
check "gat test micro-F1" grep -q "^Test micro-F1 = " test.out
want=$(sed -n 's/^Test micro-F1 = \(0\.[0-9]*\)$/\1/p' train.out)
check "gat test gives the training run's test micro-F1" grep -q "^Test micro-F1 = $want, loss" test.out
"$GAT" info --model "$model" > info.out
check "info lists the skip projections" grep -q "gat_net.2.skip_proj.weight" info.out
"$GAT" predict --model "$model" --data-dir data --split test --out pred.csv
n_test=$(sed -n 's/.* nodes ([0-9]*\/[0-9]*\/\([0-9]*\)).*/\1/p' train.out)
check "one row per test node ($n_test)" test "$(($(wc -l < pred.csv) - 1))" -eq "${n_test:-0}"
check "a probability and a 0/1 column per label" sh -c 'head -1 pred.csv | grep -q ",p_120,pred_0,.*,pred_120$"'
# inductive: the model on a collection it never saw (another seed)
"$GAT" generate ppi-like --out other/ppi --scale 0.02 --seed 9 --quiet
"$GAT" predict --model "$model" --data-dir other --split test --out pred2.csv
check "predicts on another collection" test -s pred2.csv
"$GAT" test --model "$model" --data-dir other > test2.out
check "tests on another collection" grep -q "^Test micro-F1 = " test2.out
# the no-edges baseline
"$GAT" train --data-dir data --dataset ppi --num_of_epochs 1 --num_features_per_layer 16,16,121 --no_edges --quiet \
    --should_test --checkpoint_freq 0 --models-dir m2 --logdir runs2 > noedges.out
check "--no_edges trains (--quiet: one line)" grep -q "^Trained 1 epochs .*best validation micro-F1 .*; test micro-F1 0\.[0-9]*$" noedges.out
# broken input: one line naming the file
cp -r data/ppi bad && printf '{"nodes": [{"id": 0}' > bad/valid_graph.json
mkdir -p badroot && mv bad badroot/ppi
expect_error "truncated JSON names the byte" "valid_graph.json: byte 20: unexpected end of file" \
    "$GAT" train --data-dir badroot --dataset ppi --num_of_epochs 1
expect_error "negative batch size" "--batch_size" "$GAT" train --data-dir data --dataset ppi --batch_size -1
expect_error "bad scale" "--scale" "$GAT" generate ppi-like --out x --scale 0
expect_error "graphs needs three counts" "--graphs" "$GAT" generate ppi-like --out x --graphs 3,1
check "nothing written on error" test ! -e x
"$GAT" generate --help | grep -q "ppi-like" && ok || fail "generate --help lists ppi-like"
finish
