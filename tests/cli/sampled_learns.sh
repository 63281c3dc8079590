# gat train --batch_size: sampled mini-batches learn at the pace of PyG's NeighborLoader with
# GATConv. Dropout on the projected features too (pytorch-GAT's third dropout site) slows
# sampled training several times (on this graph after 15 epochs of 8 steps: test accuracy
# about 0.41 with it, 0.88 without), so sampled runs default to --projection_dropout false;
# full-batch runs keep pytorch-GAT's recipe. The default is checked by what it learns, in the
# run's files, in the model file, and by gat test.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
"$GAT" generate graph --out data/g --nodes 2000 --train-size 0.5 --val-size 200 --test-size 500 --quiet
"$GAT" train --data-dir data --dataset g --batch_size 128 --fanouts 10,5 --num_of_epochs 15 --threads 2 --should_test \
    --checkpoint_freq 0 --console_log_freq 0 --models-dir m --logdir r > out.txt
acc=$(sed -n 's/^Test accuracy = //p' out.txt)
check "sampled default learns: test accuracy $acc >= 0.7 after 120 steps" awk -v a="$acc" 'BEGIN { exit !(a >= 0.7) }'
check "sampled default announced" grep -q "dropout 0.6 (projections not dropped), skip" out.txt
run=$(ls -d r/*/ | head -1)
check "config.json records it" grep -q '"projection_dropout": false' "$run/config.json"
check "model file records it" grep -q '"projection_dropout":"false"' m/binaries/gat_G_000000.safetensors
"$GAT" test --model m/binaries/gat_G_000000.safetensors --data-dir data > test.txt
check "gat test agrees ($acc)" grep -q "^Test accuracy = $acc" test.txt
"$GAT" info --model m/binaries/gat_G_000000.safetensors > info.txt
check "gat info reads it" grep -q "projection_dropout" info.txt
# full batch keeps pytorch-GAT's three dropout sites; the option overrides either default
"$GAT" train --data-dir data --dataset g --num_of_epochs 1 --checkpoint_freq 0 --console_log_freq 0 --models-dir m \
    --logdir rf > full.txt
check "full batch: projections dropped" grep -q "dropout 0.6, skip" full.txt
check "full batch: model file as before" sh -c '! grep -q projection_dropout m/binaries/gat_G_000001.safetensors'
"$GAT" train --data-dir data --dataset g --num_of_epochs 1 --batch_size 512 --fanouts 5,5 --projection_dropout true \
    --checkpoint_freq 0 --console_log_freq 0 --models-dir m --logdir ro > on.txt
check "--projection_dropout true on sampled batches" grep -q "dropout 0.6, skip" on.txt
expect_error "bad --projection_dropout" "--projection_dropout" "$GAT" train --data-dir data --dataset g --projection_dropout maybe
finish
