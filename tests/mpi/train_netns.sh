#!/usr/bin/env bash
# gat train on 2 ranks in two network namespaces (Open MPI over TCP between them) writes the
# same model tensors as one process with the same shards: Cora full batch, and sampled
# mini-batches of Cora.
#   train_netns.sh MPIRUN GAT SAME_TENSORS
set -u
MPIRUN=$1 GAT=$2 SAME=$3
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../cli/lib.bash" "$GAT"
need_data
args=(train --quiet --threads 1 --data-dir "$GAT_DATA_DIR" --dataset cora --num_of_epochs 10 --checkpoint_freq 0)
mkdir -p "$TMP/single" "$TMP/netns"
(cd "$TMP/single" && "$GAT" "${args[@]}" --shards 4) || fail "one process"
(cd "$TMP/netns" && bash "$here/netns.sh" "$MPIRUN" "$GAT" "${args[@]}"); rc=$?
[ $rc -eq 77 ] && exit 77
check "2 ranks across namespaces" test $rc -eq 0
check "the same tensors across namespaces" "$SAME" "$TMP"/single/models/binaries/gat_CORA_000000.safetensors \
    "$TMP"/netns/models/binaries/gat_CORA_000000.safetensors
sampled=(train --quiet --threads 1 --data-dir "$GAT_DATA_DIR" --dataset cora --num_of_epochs 2 --checkpoint_freq 0
         --batch_size 32 --fanouts 5,5)
mkdir -p "$TMP/sampled_single" "$TMP/sampled_netns"
(cd "$TMP/sampled_single" && "$GAT" "${sampled[@]}" --shards 4) || fail "sampled, one process"
(cd "$TMP/sampled_netns" && bash "$here/netns.sh" "$MPIRUN" "$GAT" "${sampled[@]}"); rc=$?
check "sampled, 2 ranks across namespaces" test $rc -eq 0
check "sampled: the same tensors across namespaces" "$SAME" \
    "$TMP"/sampled_single/models/binaries/gat_CORA_000000.safetensors \
    "$TMP"/sampled_netns/models/binaries/gat_CORA_000000.safetensors
finish
