#!/usr/bin/env bash
# mpirun -np 1, 2 and 3 gat train give byte-identical model tensors, and the same as one
# process with the same shards: Cora (full batch, 4 shards), a small generated PPI-like
# collection (one shard per graph; 3 ranks for batches of 2 graphs are refused) and sampled
# mini-batches of Cora (4 parts of each step's seeds; more ranks than parts are refused).
#   train_ranks.sh MPIRUN GAT SAME_TENSORS [netns.sh]
set -u
MPIRUN=$1 GAT=$2 SAME=$3
source "$(dirname "$0")/../cli/lib.bash" "$GAT"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_WAIT_POLICY=passive
need_data
run() {   # run DIR NP ARGS...: train in DIR on NP ranks
    local dir=$1 np=$2; shift 2
    mkdir -p "$TMP/$dir" && (cd "$TMP/$dir" && "$MPIRUN" --oversubscribe -np "$np" "$GAT" train --quiet --threads 1 "$@")
}
cora=(--data-dir "$GAT_DATA_DIR" --dataset cora --num_of_epochs 15 --checkpoint_freq 5)
for np in 1 2 3; do check "cora on $np ranks" run cora$np $np "${cora[@]}"; done
mkdir -p "$TMP/cora_single" && (cd "$TMP/cora_single" && "$GAT" train --quiet --threads 1 --shards 4 "${cora[@]}") ||
    fail "cora in one process with --shards 4"
check "cora: the same tensors on 1, 2, 3 ranks and in one process" \
    "$SAME" "$TMP"/cora_single/models/binaries/gat_CORA_000000.safetensors "$TMP"/cora{1,2,3}/models/binaries/gat_CORA_000000.safetensors
# rank 0 alone writes: one model, one run folder, its checkpoints
check "one final model" [ "$(ls "$TMP"/cora3/models/binaries | wc -l)" -eq 1 ]
check "one run folder" [ "$(ls "$TMP"/cora3/runs | wc -l)" -eq 1 ]
check "checkpoints of rank 0" [ "$(ls "$TMP"/cora3/models/checkpoints | wc -l)" -eq 3 ]

"$GAT" generate ppi-like --out "$TMP/ppi_small" --scale 0.03 --seed 2 >/dev/null || fail "generate ppi-like"
ppi=(--data-dir "$TMP" --dataset ppi_small --num_of_epochs 2 --checkpoint_freq 0)
for np in 1 2; do check "ppi on $np ranks" run ppi$np $np "${ppi[@]}"; done
check "ppi: the same tensors on 1 and 2 ranks" \
    "$SAME" "$TMP"/ppi1/models/binaries/gat_PPI_SMALL_000000.safetensors "$TMP"/ppi2/models/binaries/gat_PPI_SMALL_000000.safetensors
out=$(run ppi3 3 "${ppi[@]}" 2>&1); rc=$?
check "3 ranks for batches of 2 graphs: refused" [ $rc -ne 0 ]
case "$out" in *"3 processes but batches of 2 graphs"*) ok ;; *) fail "3 ranks: no clear message: $out" ;; esac
check "3 ranks refused: printed once" [ "$(printf '%s\n' "$out" | grep -c 'gat: error:')" -eq 1 ]
# sampled mini-batches: the seeds of each step in 4 fixed parts (the default under mpirun),
# each sampled on its own; the same tensors on 1, 2, 3 ranks and in one process with --shards 4
sampled=(--data-dir "$GAT_DATA_DIR" --dataset cora --num_of_epochs 3 --checkpoint_freq 0 --batch_size 32 --fanouts 5,5
         --should_test)
for np in 1 2 3; do check "sampled cora on $np ranks" run sampled$np $np "${sampled[@]}"; done
mkdir -p "$TMP/sampled_single" && (cd "$TMP/sampled_single" && "$GAT" train --quiet --threads 1 --shards 4 "${sampled[@]}") ||
    fail "sampled cora in one process with --shards 4"
check "sampled: the same tensors on 1, 2, 3 ranks and in one process" "$SAME" \
    "$TMP"/sampled_single/models/binaries/gat_CORA_000000.safetensors "$TMP"/sampled{1,2,3}/models/binaries/gat_CORA_000000.safetensors
line() { grep -m1 "$1" "$2"/runs/*/metrics.csv "$2"/runs/*/results.json 2>/dev/null | sed 's/^[^:]*://'; }
check "sampled: one run folder on 3 ranks" [ "$(ls "$TMP"/sampled3/runs | wc -l)" -eq 1 ]
check "sampled: config.json records the 4 shards" grep -q '"shards": 4,' "$TMP"/sampled3/runs/*/config.json
check "sampled: config.json records the 3 ranks" grep -q '"ranks": 3' "$TMP"/sampled3/runs/*/config.json
metrics() { cut -d, -f1,3- "$TMP/$1"/runs/*/metrics.csv; }   # every column but wall_time
check "sampled: the same losses and accuracies in metrics.csv on 1 and 3 ranks" [ "$(metrics sampled1)" = "$(metrics sampled3)" ]
check "sampled: metrics.csv has the 3 epochs" [ "$(metrics sampled3 | wc -l)" -eq 4 ]
check "sampled: the same test accuracy on 1 and 3 ranks" [ "$(line test_acc "$TMP/sampled1")" = "$(line test_acc "$TMP/sampled3")" ]
# more ranks than parts: refused up front, once, nothing written
out=$(run sampled_np3 3 "${sampled[@]}" --shards 2 2>&1); rc=$?
check "sampled, 3 ranks for 2 shards: refused" [ $rc -ne 0 ]
case "$out" in *"gat: error: 3 processes but 2 shards per step"*"--shards 3 or more"*) ok ;;
    *) fail "sampled, 3 ranks for 2 shards: no clear message: $out" ;; esac
check "3 ranks for 2 shards refused: printed once" [ "$(printf '%s\n' "$out" | grep -c 'gat: error:')" -eq 1 ]
check "3 ranks for 2 shards refused: nothing written" [ ! -e "$TMP/sampled_np3/models/binaries" ] || \
    [ -z "$(ls "$TMP/sampled_np3/models/binaries")" ]
check "3 ranks for 2 shards refused: no run folder" [ ! -e "$TMP/sampled_np3/runs" ] || [ -z "$(ls "$TMP/sampled_np3/runs")" ]
out=$(run sampled_b2 2 "${sampled[@]}" --batch_size 3 2>&1); rc=$?
check "sampled, 4 shards of 3 seeds: refused" [ $rc -ne 0 ]
case "$out" in *"gat: error: --shards: 4 shards per step but 3 seed nodes per step"*) ok ;;
    *) fail "4 shards of 3 seeds: no clear message: $out" ;; esac
out=$("$MPIRUN" --oversubscribe -np 2 "$GAT" test --model "$TMP"/ppi1/models/binaries/gat_PPI_SMALL_000000.safetensors 2>&1)
check "gat test on 2 ranks: refused" [ $? -ne 0 ]
case "$out" in *"only 'gat train' runs on several processes"*) ok ;; *) fail "gat test on 2 ranks: $out" ;; esac
# a rank that cannot read its data ends every rank with a message naming the rank
out=$(cd "$TMP" && timeout 120 "$MPIRUN" --oversubscribe -np 2 sh -c \
      'if [ "$OMPI_COMM_WORLD_RANK" = 1 ]; then d=/nonexistent; else d="$0"; fi; exec "$1" train --quiet --data-dir "$d" --dataset cora --num_of_epochs 5' \
      "$GAT_DATA_DIR" "$GAT" 2>&1); rc=$?
check "a rank without data: non-zero exit, no hang" test $rc -ne 0 -a $rc -ne 124
case "$out" in *"gat: error: rank 1 of 2: "*) ok ;; *) fail "a rank without data: message lacks the rank: $out" ;; esac
finish
