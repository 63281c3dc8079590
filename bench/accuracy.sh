#!/usr/bin/env bash
# Test accuracy of full default training runs over several seeds: mean and standard deviation.
#   bench/accuracy.sh [--dataset cora] [--seeds 10] [--first-seed 1] [gat train options...]
# Seeds first-seed .. first-seed + seeds - 1; a fixed seed gives the same run on any machine, so
# a long series can be run in parts.
# Needs a build (build/gat) and the datasets (GAT_DATA_DIR or --data-dir).
set -euo pipefail
cd "$(dirname "$0")/.."
dataset=cora seeds=10 first=1
while [ $# -gt 0 ]; do
    case "$1" in
        --dataset) dataset="$2"; shift 2 ;;
        --seeds) seeds="$2"; shift 2 ;;
        --first-seed) first="$2"; shift 2 ;;
        *) break ;;
    esac
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for seed in $(seq "$first" $((first + seeds - 1))); do
    out=$(./build/gat train --dataset "$dataset" --should_test --seed "$seed" --checkpoint_freq 0 \
          --models-dir "$tmp/models" --logdir "$tmp/runs" --console_log_freq 0 "$@")
    acc=$(sed -n 's/^Test accuracy = //p' <<<"$out")
    line=$(grep '^Trained' <<<"$out")
    echo "seed $seed: test accuracy $acc | $line"
    echo "$acc" >> "$tmp/acc"
done
awk '{ s += $1; ss += $1 * $1; n++ } END { m = s / n; printf "%s: %d seeds, test accuracy %.2f +- %.2f %% (mean +- std)\n", "'"$dataset"'", n, 100 * m, 100 * sqrt(ss / n - m * m) }' "$tmp/acc"
