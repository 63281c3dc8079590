#!/usr/bin/env bash
# Sampled mini-batches against full-batch training on a real graph: facebook (22,470 nodes,
# ../shared/datasets/facebook), several seeds each, one thread. Prints each run, then per mode
# the test accuracy (mean +- standard deviation over the seeds) and the time per epoch (median
# over the seeds of gat's ms/epoch, training and validation, wall and CPU), and writes
# bench/results/facebook_sampled.csv. The modes run interleaved seed by seed.
#
#   bench/facebook_sampled.sh [--seeds 5] [--data-dir ../shared/datasets] [--epochs 300]
#                             [--patience 100] [--batch 32] [--fanouts 25,10] [--nice 10]
#                             [--modes "full sampled"]
#
# Modes: full (full batch), sampled (--batch_size B --fanouts F, its defaults), sampled_pd
# (the same with --projection_dropout true: pytorch-GAT's dropout of the projected features).
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS=5 DATA=../shared/datasets EPOCHS=300 PATIENCE=100 BATCH=32 FANOUTS=25,10 NICE=10 MODES="full sampled"
while [ $# -gt 0 ]; do
    case "$1" in
        --seeds) SEEDS="$2"; shift 2 ;;
        --data-dir) DATA="$2"; shift 2 ;;
        --epochs) EPOCHS="$2"; shift 2 ;;
        --patience) PATIENCE="$2"; shift 2 ;;
        --batch) BATCH="$2"; shift 2 ;;
        --fanouts) FANOUTS="$2"; shift 2 ;;
        --nice) NICE="$2"; shift 2 ;;
        --modes) MODES="$2"; shift 2 ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "bench/facebook_sampled.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
GAT=${GAT:-build/gat}
[ -x "$GAT" ] || { echo "bench/facebook_sampled.sh: $GAT not built" >&2; exit 1; }
[ -d "$DATA/facebook" ] || { echo "bench/facebook_sampled.sh: no $DATA/facebook" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p bench/results
CSV=bench/results/facebook_sampled.csv
echo "mode,seed,test_acc,epochs,ms_per_epoch,best_epoch,load_avg,cpu_ms_per_epoch" > "$CSV.tmp"
for seed in $(seq 1 "$SEEDS"); do
    for mode in $MODES; do
        case "$mode" in
            full) extra=() ;;
            sampled) extra=(--batch_size "$BATCH" --fanouts "$FANOUTS") ;;
            sampled_pd) extra=(--batch_size "$BATCH" --fanouts "$FANOUTS" --projection_dropout true) ;;
            *) echo "bench/facebook_sampled.sh: unknown mode $mode" >&2; exit 2 ;;
        esac
        la=$(cut -d' ' -f1 /proc/loadavg)
        out=$(nice -n "$NICE" "$GAT" train --data-dir "$DATA" --dataset facebook --threads 1 --seed "$seed" \
              --num_of_epochs "$EPOCHS" --patience_period "$PATIENCE" --should_test --checkpoint_freq 0 \
              --console_log_freq 0 --models-dir "$tmp/models" --logdir "$tmp/runs" "${extra[@]}")
        acc=$(sed -n 's/^Test accuracy = //p' <<<"$out")
        line=$(grep '^Trained' <<<"$out")
        ep=$(sed -n 's/^Trained \([0-9]*\) epochs.*/\1/p' <<<"$line")
        ms=$(sed -n 's/.*(\([0-9.]*\) ms\/epoch).*/\1/p' <<<"$line")
        best=$(sed -n 's/.* at epoch \([0-9]*\).*/\1/p' <<<"$line")
        cpu=$(sed -n 's/^CPU time of the training: [0-9.]* s (\([0-9.]*\) ms\/epoch.*/\1/p' <<<"$out")
        echo "$mode seed $seed: test accuracy $acc | $line | CPU $cpu ms/epoch | load $la"
        echo "$mode,$seed,$acc,$ep,$ms,$best,$la,$cpu" >> "$CSV.tmp"
    done
done
mv "$CSV.tmp" "$CSV"
for mode in $MODES; do
    med=$(awk -F, -v m="$mode" 'NR > 1 && $1 == m { print $5 }' "$CSV" | sort -g |
          awk '{ a[NR] = $1 } END { if (NR) print NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
    cmed=$(awk -F, -v m="$mode" 'NR > 1 && $1 == m && $8 != "" { print $8 }' "$CSV" | sort -g |
           awk '{ a[NR] = $1 } END { if (NR) print NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
    awk -F, -v m="$mode" -v med="$med" -v cmed="${cmed:-0}" 'NR > 1 && $1 == m { a[++n] = $3; s += $3 }
        END { mu = s / n; for (i = 1; i <= n; i++) v += (a[i] - mu) ^ 2
              printf "%-10s %d seeds: test accuracy %.2f +- %.2f %% (mean +- std over seeds, n-1), %.1f ms/epoch wall, %.1f CPU (medians)\n",
                     m, n, 100 * mu, (n > 1 ? 100 * sqrt(v / (n - 1)) : 0), med, cmed }' "$CSV"
done
