#!/usr/bin/env bash
# Side-by-side epoch times of gat and its peers, interleaved (one run of each, then the next
# round), so that a change in the machine's load affects them alike. Prints every run and the
# medians with each program's ratio to gat.
#   bench/peers/run.sh [--dataset NAME] [--data-dir DIR] [--epochs N] [--rounds R] [--threads T] [--ppi-arch]
# Needs build/bench_cora and a Python with torch and torch_geometric, $PYTHON (default
# python3): python3 -m venv venv && venv/bin/pip install torch torch_geometric
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dataset=cora data_dir="$root/data" epochs=100 rounds=3 threads=1 ppi=
while [ $# -gt 0 ]; do
    case $1 in
        --dataset) dataset=$2; shift 2 ;;
        --data-dir) data_dir=$2; shift 2 ;;
        --epochs) epochs=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --ppi-arch) ppi=--ppi-arch; shift ;;
        *) echo "usage: $0 [--dataset NAME] [--data-dir DIR] [--epochs N] [--rounds R] [--threads T] [--ppi-arch]" >&2; exit 2 ;;
    esac
done
py=${PYTHON:-python3}
bench=${BENCH:-$root/build/bench_cora}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
common=(--dataset "$dataset" --data-dir "$data_dir" --epochs "$epochs" --repeats 1 --threads "$threads" $ppi)
for r in $(seq "$rounds"); do
    "$bench" "${common[@]}" | sed -n 's/^threads=[0-9]*[^:]*: \([0-9.]*\) ms\/epoch.*/gat \1/p' | tee -a "$out"
    PYTHONWARNINGS=ignore "$py" "$here/pyg_gat.py" "${common[@]}" | sed -n 's/.*: \([0-9.]*\) ms\/epoch.*/pyg-sparse \1/p' | tee -a "$out"
    PYTHONWARNINGS=ignore "$py" "$here/pyg_gat.py" "${common[@]}" --dense | sed -n 's/.*: \([0-9.]*\) ms\/epoch.*/pyg-dense \1/p' | tee -a "$out"
    PYTHONWARNINGS=ignore "$py" "$here/torch_gat.py" "${common[@]}" | sed -n 's/.*: \([0-9.]*\) ms\/epoch.*/torch-dense \1/p' | tee -a "$out"
done
echo "medians over $rounds rounds ($dataset, $threads thread(s), $epochs epochs a run${ppi:+, PPI architecture}):"
python3 - "$out" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, ms = line.split()
    runs.setdefault(name, []).append(float(ms))
gat = statistics.median(runs["gat"])
for name, v in runs.items():
    m = statistics.median(v)
    print(f"  {name:12s} {m:9.3f} ms/epoch  {m / gat:7.1f}x gat")
PY
