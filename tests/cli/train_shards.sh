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
expect_error "--shards with sampled mini-batches" "--shards: not used with sampled mini-batches" \
    "$GAT" train "${cora[@]}" --shards 2 --batch_size 64
finish
