#!/usr/bin/env bash
# gat train --shards S in one process (the split that mpirun -np K uses, see
# docs/distributed.md): it trains, says nothing of MPI, and bad counts are refused with one
# line naming the option. The bit-identity over ranks is tested by test_train_shards and,
# under mpirun, by tests/mpi/.
source "$(dirname "$0")/lib.bash" "$1"
need_data
cd "$TMP"
cora=(--quiet --threads 1 --data-dir "$GAT_DATA_DIR" --dataset cora --num_of_epochs 3 --checkpoint_freq 0)
out=$("$GAT" train "${cora[@]}" --shards 3 2>&1); rc=$?
check "--shards 3 trains" test $rc -eq 0
case "$out" in *"Trained 3 epochs"*) ok ;; *) fail "--shards 3: $out" ;; esac
case "$out" in *MPI*) fail "one process reports MPI: $out" ;; *) ok ;; esac
expect_error "--shards above the training nodes" "--shards: 1000 is more than the 140 training" \
    "$GAT" train "${cora[@]}" --shards 1000
expect_error "--shards -1" "--shards" "$GAT" train "${cora[@]}" --shards -1
expect_error "--shards x" "--shards" "$GAT" train "${cora[@]}" --shards x
# sampled mini-batches: S parts of each step's seeds
out=$("$GAT" train "${cora[@]}" --shards 2 --batch_size 64 --fanouts 5,5 2>&1); rc=$?
check "--shards 2 with sampled mini-batches trains" test $rc -eq 0
case "$out" in *"Trained 3 epochs"*) ok ;; *) fail "--shards 2 --batch_size 64: $out" ;; esac
cfg=$(ls -t runs/*/config.json | head -1)
check "config.json records the shards" grep -q '"shards": 2,' "$cfg"
check "config.json records one process" grep -q '"ranks": 1' "$cfg"
out=$("$GAT" train "${cora[@]}" 2>&1) || fail "unsplit: $out"
check "config.json: unsplit is 0 shards" grep -q '"shards": 0,' "$(ls -t runs/*/config.json | head -1)"
expect_error "more shards than seeds per step" "--shards: 65 shards per step but 64 seed nodes per step" \
    "$GAT" train "${cora[@]}" --shards 65 --batch_size 64
expect_error "more shards than training nodes" "--shards: 150 shards per step but 140 seed nodes per step (--batch_size, capped" \
    "$GAT" train "${cora[@]}" --shards 150 --batch_size 1000
finish
