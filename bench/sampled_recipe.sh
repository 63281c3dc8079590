#!/usr/bin/env bash
# Sampled mini-batch training, gat against PyTorch Geometric, with and without dropout on the
# projected features (pytorch-GAT's third dropout site, which PyG's GATConv does not have):
# validation accuracy after every epoch and test accuracy at the end, on a generated graph,
# one thread, gat and PyG interleaved. The curves show why sampled runs default to
# --projection_dropout false. Writes bench/results/sampled_recipe.csv and prints it.
#
#   bench/sampled_recipe.sh [--nodes 100000] [--train-size 0.5] [--epochs 3] [--batch 1024]
#                           [--fanouts 15,10] [--pyg venv/bin/python] [--work DIR] [--nice 10]
#
# The default graph has 10^5 nodes of which half train: 49 Adam steps per epoch, as the 10^6-node
# graph of bench/scale.sh with 5 % training nodes.
set -euo pipefail
cd "$(dirname "$0")/.."
NODES=100000 TRAIN=0.5 EPOCHS=3 BATCH=1024 FANOUTS=15,10 PYG="" WORK=${TMPDIR:-/tmp}/gat-recipe NICE=10
while [ $# -gt 0 ]; do
    case "$1" in
        --nodes) NODES="$2"; shift 2 ;;
        --train-size) TRAIN="$2"; shift 2 ;;
        --epochs) EPOCHS="$2"; shift 2 ;;
        --batch) BATCH="$2"; shift 2 ;;
        --fanouts) FANOUTS="$2"; shift 2 ;;
        --pyg) PYG="$2"; shift 2 ;;
        --work) WORK="$2"; shift 2 ;;
        --nice) NICE="$2"; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "bench/sampled_recipe.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
GAT=${GAT:-build/gat}
[ -x "$GAT" ] || { echo "bench/sampled_recipe.sh: $GAT not built" >&2; exit 1; }
mkdir -p "$WORK/data" bench/results
d="$WORK/data/r$NODES"
[ -f "$d/generated.json" ] || nice -n "$NICE" "$GAT" generate graph --out "$d" --nodes "$NODES" --train-size "$TRAIN" --quiet
CSV=bench/results/sampled_recipe.csv
echo "system,projection_dropout,epoch,steps,val_acc,test_acc,load_avg" > "$CSV.tmp"
loadavg() { cut -d' ' -f1 /proc/loadavg; }
for pd in true false; do
    la=$(loadavg)
    log="$WORK/gat_$pd.log"
    nice -n "$NICE" "$GAT" train --data-dir "$WORK/data" --dataset "r$NODES" --threads 1 --batch_size "$BATCH" \
        --fanouts "$FANOUTS" --num_of_epochs "$EPOCHS" --patience_period 1000000 --checkpoint_freq 0 \
        --console_log_freq 0 --should_test --keep_best false --projection_dropout "$pd" \
        --models-dir "$WORK/models" --logdir "$WORK/runs" > "$log"
    run=$(sed -n 's/^Run logged to \([^ ]*\) (.*/\1/p' "$log")
    steps=$(sed -n 's/.*(\([0-9]*\) steps per epoch).*/\1/p' "$log")
    acc=$(sed -n 's/^Test accuracy = //p' "$log")
    awk -F, -v pd="$pd" -v s="$steps" -v acc="$acc" -v la="$la" -v last="$EPOCHS" 'NR > 1 {
        printf "gat,%s,%d,%d,%s,%s,%s\n", pd, $1, $1 * s, $6, $1 == last ? acc : "", la }' "$run/metrics.csv" >> "$CSV.tmp"
    if [ -n "$PYG" ]; then
        la=$(loadavg)
        p=$([ "$pd" = true ] && echo 0.6 || echo 0)
        log="$WORK/pyg_$pd.log"
        nice -n "$NICE" "$PYG" bench/peers/pyg_scale.py "$d" --epochs "$EPOCHS" --threads 1 --batch-size "$BATCH" \
            --fanouts "$FANOUTS" --projection-dropout "$p" --curve > "$log" 2>/dev/null
        acc=$(sed -n 's/.*test_acc=\([^ ]*\).*/\1/p' "$log")
        sed -n 's/^epoch=\([0-9]*\) steps=\([0-9]*\) val_acc=\([^ ]*\)$/\1 \2 \3/p' "$log" |
            awk -v pd="$pd" -v acc="$acc" -v la="$la" -v last="$EPOCHS" '{
                printf "pyg,%s,%d,%d,%s,%s,%s\n", pd, $1, $2, $3, $1 == last ? acc : "", la }' >> "$CSV.tmp"
    fi
done
mv "$CSV.tmp" "$CSV"
column -s, -t < "$CSV"
