#!/usr/bin/env bash
# The speed figures of the README, in one go: Cora at 1 thread and all cores (quiet and with
# every core also busy with a spinning competitor), a whole default Cora run, Citeseer, a
# larger real graph when given, and the PPI architecture; then gat beside its peers.
#   bench/speed.sh [--big-data-dir DIR] [--repeats R] [--peers]
# DIR holds facebook/ (22,470 nodes); --peers also runs bench/peers/run.sh (needs $PYTHON
# with torch and torch_geometric). Needs build/bench_cora (cmake --build build).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bench=${BENCH:-$root/build/bench_cora}
big= repeats=5 peers=
while [ $# -gt 0 ]; do
    case $1 in
        --big-data-dir) big=$2; shift 2 ;;
        --repeats) repeats=$2; shift 2 ;;
        --peers) peers=1; shift ;;
        *) echo "usage: $0 [--big-data-dir DIR] [--repeats R] [--peers]" >&2; exit 2 ;;
    esac
done
[ -x "$bench" ] || { echo "bench/speed.sh: $bench: not built (cmake --build build)" >&2; exit 1; }
echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== Cora, 1 and all threads, quiet and contended, whole default run"
"$bench" --dataset cora --threads 1,0 --epochs 500 --repeats "$repeats" --contention --full
echo "== Citeseer"
"$bench" --dataset citeseer --threads 1,0 --epochs 300 --repeats "$repeats"
if [ -n "$big" ]; then
    echo "== facebook"
    "$bench" --dataset facebook --data-dir "$big" --threads 1,0 --epochs 50 --repeats 3
fi
echo "== PPI architecture (3 layers, 4/4/6 heads x 256, skip) on Cora"
"$bench" --dataset cora --ppi-arch --threads 1,0 --epochs 20 --repeats 3
if [ -n "$peers" ]; then
    echo "== peers, 1 thread, interleaved"
    bash "$root/bench/peers/run.sh" --epochs 100 --rounds 3
fi
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
