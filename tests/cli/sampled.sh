# gat train --batch_size: sampled mini-batches give the same outputs as full-batch runs (model
# file, metrics.csv, config.json), the same bits on 1 and 2 threads, and bad options one line.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
"$GAT" generate graph --out data/g --nodes 3000 --classes 4 --features 40 --density 0.1 --train-size 0.2 --quiet
run() { "$GAT" train --data-dir data --dataset g --batch_size 128 --fanouts 6,4 --num_of_epochs 3 --checkpoint_freq 2 \
        --should_test --console_log_freq 1 "$@"; }
run --threads 2 --models-dir m2 --logdir r2 > out2.txt
run --threads 1 --models-dir m1 --logdir r1 > out1.txt
check "sampled mode announced" grep -q "Sampled mini-batches: 128 seed nodes per step (5 steps per epoch), fanouts 6,4 (without replacement" out2.txt
check "three epochs logged" test "$(grep -c '^GAT training:' out2.txt)" -eq 3
check "test accuracy printed" grep -q "^Test accuracy = " out2.txt
# the tensors of a .safetensors file: what follows its 8-byte length and JSON header (which holds the creation time)
tensors() { local n; n=$(od -An -t u8 -N 8 "$1" | tr -d ' '); tail -c +$((9 + n)) "$1"; }
check "same tensors on 1 and 2 threads" cmp -s <(tensors m1/binaries/gat_G_000000.safetensors) <(tensors m2/binaries/gat_G_000000.safetensors)
check "tensors are there" test "$(tensors m1/binaries/gat_G_000000.safetensors | wc -c)" -gt 1000
check "checkpoint written" test -s m2/checkpoints/gat_G_000000_ckpt_epoch_2.safetensors
run2=$(ls -d r2/*/ | head -1)
check "metrics.csv: header + one row per epoch" test "$(wc -l < "$run2/metrics.csv")" -eq 4
check "config.json records the batches" grep -q '"batch_size": 128' "$run2/config.json"
check "config.json records the fanouts" grep -q '"fanouts": \[6, 4\]' "$run2/config.json"
# gat test reproduces the exact test accuracy of the run (layer-wise inference both times)
acc=$(sed -n 's/^Test accuracy = //p' out2.txt)
"$GAT" test --model m2/binaries/gat_G_000000.safetensors --data-dir data > test.txt
check "gat test agrees ($acc)" grep -q "^Test accuracy = $acc" test.txt
expect_error "fanouts per layer" "--fanouts: 1 values for 2 layers" "$GAT" train --data-dir data --dataset g --batch_size 64 --fanouts 5
expect_error "fanouts without batches" "--fanouts: only used with --batch_size" "$GAT" train --data-dir data --dataset g --fanouts 5,5
expect_error "bad fanout" "--fanouts: '0,5' is not a list" "$GAT" train --data-dir data --dataset g --batch_size 64 --fanouts 0,5
expect_error "bad batch size" "--batch_size" "$GAT" train --data-dir data --dataset g --batch_size -3
finish
