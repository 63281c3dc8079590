#!/usr/bin/env bash
# GATv2 figures of the README: test accuracy over seeds 1..N on Cora and Citeseer with the paper's
# Cora recipe (the defaults of gat train) and --attention_type gatv2, one thread; then GAT and
# GATv2 on a DictionaryLookup instance (gat generate dictionary-lookup), where attention must be
# dynamic.
#   bench/gatv2.sh [--seeds 10] [--lookup-seeds 3] [--skip-citation] [--skip-lookup]
# Needs a build (build/gat) and the datasets (GAT_DATA_DIR or the repository's data/). Run niced
# on a shared machine: nice bench/gatv2.sh
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=10 lookup_seeds=3 citation=1 lookup=1
while [ $# -gt 0 ]; do
    case "$1" in
        --seeds) seeds="$2"; shift 2 ;;
        --lookup-seeds) lookup_seeds="$2"; shift 2 ;;
        --skip-citation) citation=0; shift ;;
        --skip-lookup) lookup=0; shift ;;
        *) echo "bench/gatv2.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
done
if [ "$citation" = 1 ]; then
    for ds in cora citeseer; do
        bench/accuracy.sh --dataset "$ds" --seeds "$seeds" --threads 1 --attention_type gatv2
    done
fi
if [ "$lookup" = 1 ]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    # 16 keys per instance (more than the 8 heads of the first layer), 100 instances: 3,200 nodes,
    # 25,600 edges; 60 instances (960 queries) train, 20 validate, 20 test
    ./build/gat generate dictionary-lookup --out "$tmp/data/lookup" --keys 16 --instances 100 --seed 1
    for type in gat gatv2; do
        for seed in $(seq 1 "$lookup_seeds"); do
            out=$(./build/gat train --data-dir "$tmp/data" --dataset lookup --attention_type "$type" \
                  --normalize_features false --dropout 0 --weight_decay 0 --lr 0.01 --num_of_epochs 300 \
                  --patience_period 300 --threads 1 --seed "$seed" --should_test --checkpoint_freq 0 \
                  --console_log_freq 0 --models-dir "$tmp/models" --logdir "$tmp/runs")
            acc=$(sed -n 's/^Test accuracy = //p' <<<"$out")
            echo "lookup $type seed $seed: test accuracy $acc | $(grep '^Trained' <<<"$out")"
            echo "$acc" >> "$tmp/acc_$type"
        done
        awk '{ s += $1; ss += $1 * $1; n++ } END { m = s / n; printf "lookup (16 keys, 100 instances) %s: %d seeds, test accuracy %.2f +- %.2f %% (mean +- std)\n", "'"$type"'", n, 100 * m, 100 * sqrt(ss / n - m * m) }' "$tmp/acc_$type"
    done
fi
