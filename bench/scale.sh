#!/usr/bin/env bash
# Scaling benchmark: synthetic power-law graphs of 10^4 .. 10^7 nodes (average degree ~15,
# 300 sparse features, 16 classes, 5 % of the nodes for training), full batch and sampled
# mini-batches (B = 1024, fanouts 15,10), and PyTorch Geometric's GATConv (full batch, and
# sampled batches of the same B and fanouts drawn as NeighborLoader draws them, see
# bench/peers/pyg_scale.py) where a venv with torch + torch_geometric is given, gat and PyG
# interleaved size by size. For each size: generate time, load time, time per epoch (the
# median of the epochs after the first), peak resident memory (VmHWM, as gat train prints
# it), gat's estimate of it, test accuracy after a fixed number of epochs (full batch:
# --full-epochs; sampled: enough epochs for about as many Adam steps, at least
# --sampled-epochs), and the 1-minute load average of
# the machine when the run started. A run whose estimate does not fit is refused by gat and
# shown as such. Writes bench/results/scale.csv, prints a table and the estimate against the
# measured peak, and draws bench/results/scale.png/.svg (time and memory against N, log-log).
#
# Times: s/epoch is wall time; cpu_epoch_s beside it is the CPU time per epoch (gat: its
# "CPU time of the training" / epochs; PyG: process time per epoch), the figure to compare on
# a shared machine, where a niced job's wall time stretches with everyone else's load; the chart
# plots it. PyG's sampled peer is PyG GATConv + torch sampler (NeighborLoader needs pyg-lib or
# torch-sparse, unavailable here; see bench/peers/pyg_scale.py). A PyG run whose resident memory
# passes --pyg-max-rss (default 16G) or that runs longer than --pyg-timeout seconds is stopped and
# shown as such (status killed_rss / timeout, its peak so far in peak_mb).
#
# --memory: the estimate against the measured peak only (one epoch per size and mode, no PyG,
# bench/results/memory.csv), the check that every estimate is within 20 %.
#
#   bench/scale.sh [--sizes "10000 100000 1000000"] [--threads 1] [--pyg venv/bin/python]
#                  [--work DIR] [--full-epochs 30] [--sampled-epochs 3] [--max-pyg 1000000]
#                  [--max-pyg-sampled 10000000] [--memory] [--nice N] [--pyg-max-rss 16G]
#                  [--pyg-timeout SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES="10000 100000 1000000 10000000"
THREADS=1
PYG=""
WORK=${TMPDIR:-/tmp}/gat-scale
FULL_EPOCHS=30
SAMPLED_EPOCHS=3
MAX_PYG=1000000
MAX_PYG_SAMPLED=10000000
MEMORY=0
NICE=10
PYG_MAX_RSS=16G
PYG_TIMEOUT=0
BUILD=${BUILD:-build}
while [ $# -gt 0 ]; do
    case "$1" in
        --sizes) SIZES="$2"; shift 2 ;;
        --threads) THREADS="$2"; shift 2 ;;
        --pyg) PYG="$2"; shift 2 ;;
        --work) WORK="$2"; shift 2 ;;
        --full-epochs) FULL_EPOCHS="$2"; shift 2 ;;
        --sampled-epochs) SAMPLED_EPOCHS="$2"; shift 2 ;;
        --max-pyg) MAX_PYG="$2"; shift 2 ;;
        --max-pyg-sampled) MAX_PYG_SAMPLED="$2"; shift 2 ;;
        --memory) MEMORY=1; shift ;;
        --nice) NICE="$2"; shift 2 ;;
        --pyg-max-rss) PYG_MAX_RSS="$2"; shift 2 ;;
        --pyg-timeout) PYG_TIMEOUT="$2"; shift 2 ;;
        -h|--help) sed -n '2,31p' "$0"; exit 0 ;;
        *) echo "bench/scale.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
case "$PYG_MAX_RSS" in
    *G) CAP_KB=$(( ${PYG_MAX_RSS%G} * 1048576 )) ;;
    *M) CAP_KB=$(( ${PYG_MAX_RSS%M} * 1024 )) ;;
    *) echo "bench/scale.sh: --pyg-max-rss: a whole number of G or M (16G, 800M)" >&2; exit 2 ;;
esac
GAT=${GAT:-$BUILD/gat}
[ -x "$GAT" ] || { echo "bench/scale.sh: $GAT not built (cmake --build $BUILD)" >&2; exit 1; }
mkdir -p "$WORK/data" bench/results
if [ "$MEMORY" = 1 ]; then CSV=bench/results/memory.csv; PYG=""; FULL_EPOCHS=1; SAMPLED_EPOCHS=1; else CSV=bench/results/scale.csv; fi
HEADER="nodes,edges,system,mode,gen_s,load_s,epoch_s,peak_mb,est_mb,test_acc,epochs,status,load_avg,cpu_epoch_s,gen_cpu_s"
# a results file of another layout (older columns) is replaced, not merged
if [ -f "$CSV" ] && [ "$(head -1 "$CSV")" != "$HEADER" ]; then mv "$CSV" "$CSV.old"; echo "bench/scale.sh: $CSV had other columns: moved to $CSV.old"; fi
# this run's rows go to $NEW, then replace the rows of the same size, system and mode in $CSV
# (so sizes can be run one at a time: --sizes 10000000 --sampled-epochs 1)
NEW="$WORK/rows.csv"
: > "$NEW"

loadavg() { cut -d' ' -f1 /proc/loadavg; }
field() { sed -E -n "s/(.* |^)$1=([^ ]*).*/\2/p" "$2" | tail -1; }
# "12.3 MB" / "1.23 GB" / "456 kB" -> MB
to_mb() { awk '{ m = $2 == "GB" ? 1000 : $2 == "kB" ? 0.001 : 1; printf "%.1f", $1 * m }'; }
# gat_run N MODE EPOCHS ARGS...: one gat train run, one CSV row
gat_run() {
    local n=$1 mode=$2 epochs=$3; shift 3
    local log="$WORK/gat_${n}_$mode.log"
    local rc=0 la
    la=$(loadavg)
    nice -n "$NICE" "$GAT" train --data-dir "$WORK/data" --dataset "n$n" --threads "$THREADS" \
        --num_of_epochs "$epochs" --patience_period 1000000 --checkpoint_freq 0 --console_log_freq 0 --should_test \
        --models-dir "$WORK/models" --logdir "$WORK/runs" "$@" > "$log" 2>&1 || rc=$?
    local est load ep acc peak status=ok
    est=$(sed -n 's/^Memory: about \([0-9.]*\) \([MGk]B\).*/\1 \2/p; s/.*needs about \([0-9.]*\) \([MGk]B\).*/\1 \2/p' "$log" | head -1 | to_mb)
    peak=$(sed -n 's/^Peak memory: \([0-9.]*\) \([MGk]B\).*/\1 \2/p' "$log" | to_mb)
    load=$(sed -n 's/.*loaded in \([0-9.]*\) s.*/\1/p' "$log")
    # time per epoch: the median of the epochs after the first (each with its validation), from
    # the run's metrics.csv, as bench/peers/pyg_scale.py measures it; the mean of one epoch alone
    local run
    run=$(sed -n 's/^Run logged to \([^ ]*\) (.*/\1/p' "$log")
    ep=""
    if [ -n "$run" ] && [ -f "$run/metrics.csv" ]; then
        ep=$(awk -F, 'NR > 1 { if (NR > 2) print $2 - prev; prev = $2 }' "$run/metrics.csv" | sort -g |
             awk '{ a[NR] = $1 } END { if (NR) printf "%.4f", NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
    fi
    [ -n "$ep" ] || ep=$(sed -n 's/.*(\([0-9.]*\) ms\/epoch).*/\1/p' "$log" | awk '{ printf "%.4f", $1 / 1000 }')
    acc=$(sed -n 's/^Test accuracy = //p' "$log")
    local cpu
    cpu=$(sed -n 's/^CPU time of the training: [0-9.]* s (\([0-9.]*\) ms\/epoch.*/\1/p' "$log" | awk '{ printf "%.4f", $1 / 1000 }')
    if [ $rc -ne 0 ]; then status=$(grep -q "needs about" "$log" && echo refused || echo failed); fi
    echo "$n,$EDGES,gat,$mode,$GEN,$load,$ep,$peak,$est,$acc,$epochs,$status,$la,$cpu,$GEN_CPU" >> "$NEW"
}
# pyg_run N MODE EPOCHS ARGS...: one PyG run (bench/peers/pyg_scale.py), one CSV row
pyg_run() {
    local n=$1 mode=$2 epochs=$3; shift 3
    local log="$WORK/pyg_${n}_$mode.log" la
    la=$(loadavg)
    # run it watched: its resident memory (VmRSS) every second, stopped past the cap or the time limit
    nice -n "$NICE" "$PYG" bench/peers/pyg_scale.py "$WORK/data/n$n" --epochs "$epochs" --threads "$THREADS" "$@" > "$log" 2>&1 &
    local pid=$! status=ok rss maxkb=0 t0=$SECONDS rc=0
    while kill -0 "$pid" 2> /dev/null; do
        rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2> /dev/null || true)
        if [ -n "$rss" ]; then
            [ "$rss" -gt "$maxkb" ] && maxkb=$rss
            if [ "$rss" -gt "$CAP_KB" ]; then status=killed_rss; kill "$pid"; break; fi
        fi
        if [ "$PYG_TIMEOUT" -gt 0 ] && [ $((SECONDS - t0)) -ge "$PYG_TIMEOUT" ]; then status=timeout; kill "$pid"; break; fi
        sleep 1
    done
    wait "$pid" || rc=$?
    if [ "$status" = ok ] && [ $rc -eq 0 ]; then
        echo "$n,$EDGES,pyg,$mode,$GEN,$(field load_s "$log"),$(field epoch_s "$log"),$(field peak_mb "$log"),,$(field test_acc "$log"),$epochs,ok,$la,$(field cpu_epoch_s "$log"),$GEN_CPU" >> "$NEW"
    else
        [ "$status" = ok ] && status=failed
        echo "$n,$EDGES,pyg,$mode,$GEN,,,$(awk -v k="$maxkb" 'BEGIN { printf "%.1f", k / 1024 }'),,,$epochs,$status,$la,,$GEN_CPU" >> "$NEW"
        echo "bench/scale.sh: PyG $mode at $n nodes: $status after $((SECONDS - t0)) s (resident up to $((maxkb / 1024)) MB)" >&2
    fi
}

for n in $SIZES; do
    d="$WORK/data/n$n"
    if [ ! -f "$d/generated.json" ]; then
        t0=$(date +%s.%N)
        TIMEFORMAT="%U %S"
        { time nice -n "$NICE" "$GAT" generate graph --out "$d" --nodes "$n" --train-size 0.05 --quiet ; } 2> "$d/gen_cpu.tmp"
        GEN=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
        echo "$GEN" > "$d/gen_seconds"
        awk '{ printf "%.2f\n", $1 + $2 }' "$d/gen_cpu.tmp" > "$d/gen_cpu_seconds"
        rm -f "$d/gen_cpu.tmp"
    fi
    GEN=$(printf "%.2f" "$(cat "$d/gen_seconds")")
    GEN_CPU=$(cat "$d/gen_cpu_seconds" 2> /dev/null || true)
    EDGES=$(sed -n 's/.*"edges": \([0-9]*\).*/\1/p' "$d/generated.json")
    train=$(sed -n 's/.*"split_sizes": \[\([0-9]*\),.*/\1/p' "$d/generated.json")
    steps=$(( (train + 1023) / 1024 ))
    se=$(( (FULL_EPOCHS + steps - 1) / steps )); [ "$se" -lt "$SAMPLED_EPOCHS" ] && se=$SAMPLED_EPOCHS
    gat_run "$n" full "$FULL_EPOCHS"
    if [ -n "$PYG" ] && [ "$n" -le "$MAX_PYG" ]; then pyg_run "$n" full "$FULL_EPOCHS"; fi
    gat_run "$n" sampled "$se" --batch_size 1024 --fanouts 15,10
    if [ -n "$PYG" ] && [ "$n" -le "$MAX_PYG_SAMPLED" ]; then pyg_run "$n" sampled "$se" --batch-size 1024 --fanouts 15,10; fi
done
{
    echo "$HEADER"
    { [ -f "$CSV" ] && tail -n +2 "$CSV"; cat "$NEW"; } |
        awk -F, '{ k = $1 FS $3 FS $4; if (!(k in row)) order[++n] = k; row[k] = $0 } END { for (i = 1; i <= n; i++) print row[order[i]] }' |
        sort -t, -k1,1n -s
} > "$CSV.tmp"
mv "$CSV.tmp" "$CSV"
column -s, -t < "$CSV"
echo "(epoch_s: wall, cpu_epoch_s: CPU per epoch; pyg sampled = PyG GATConv + torch sampler: NeighborLoader needs"
echo " pyg-lib or torch-sparse, unavailable here)"
echo
echo "gat's memory estimate against the measured peak:"
awk -F, 'NR > 1 && $3 == "gat" && $12 == "ok" && $8 > 0 {
    r = $9 / $8 - 1; bad += (r > 0.2 || r < -0.2)
    printf "  %9d nodes  %-8s estimated %9.1f MB  measured %9.1f MB  %+6.1f %%%s\n", $1, $4, $9, $8, 100 * r,
           (r > 0.2 || r < -0.2) ? "  (off by more than 20 %)" : ""
} END { if (NR > 1) print bad ? "  some estimates are off by more than 20 %" : "  every estimate is within 20 % of the measured peak" }' "$CSV"
if [ "$MEMORY" = 0 ]; then "$BUILD/scale_chart" "$CSV" bench/results/scale; fi
