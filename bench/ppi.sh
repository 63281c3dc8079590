#!/usr/bin/env bash
# The PPI figures, on the generated PPI-like collection (the real PPI is not downloadable here):
#   1. micro-F1 of the default recipe (pytorch-GAT's PPI script) and of the same model without
#      edges (--no_edges), epochs to early stop, peak memory (/usr/bin/time -v);
#   2. ms per epoch (a training pass over every training graph + a validation pass) of gat at 1
#      and 2 threads, interleaved with the independent PyTorch reference (reference/ppi_reference.py)
#      on the same folder, medians over rounds.
#
#   bench/ppi.sh [--out DIR] [--scale X] [--epochs N] [--timing-epochs E] [--rounds R]
#                [--python PY] [--skip-accuracy] [--skip-timing]
#
# --epochs caps the accuracy runs (default 200, the recipe's maximum; patience 100 stops it
# earlier when validation stops improving). PY is a Python with torch and numpy (default
# $PYTHON or python3); without torch the reference timing is skipped with a message.
# Needs build/gat (cmake --build build). Writes only under DIR (default /tmp/gat-ppi-bench).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
gat=${GAT:-$root/build/gat}
out=/tmp/gat-ppi-bench scale=1 epochs=200 tepochs=3 rounds=3 py=${PYTHON:-python3} acc=1 timing=1
while [ $# -gt 0 ]; do
    case $1 in
        --out) out=$2; shift 2 ;;
        --scale) scale=$2; shift 2 ;;
        --epochs) epochs=$2; shift 2 ;;
        --timing-epochs) tepochs=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --python) py=$2; shift 2 ;;
        --skip-accuracy) acc=; shift ;;
        --skip-timing) timing=; shift ;;
        *) sed -n '9,10p' "$0" >&2; exit 2 ;;
    esac
done
[ -x "$gat" ] || { echo "bench/ppi.sh: $gat: not built (cmake --build build)" >&2; exit 1; }
mkdir -p "$out"
data=$out/ppi
have=$(sed -n 's/^ *"scale": \([0-9.e+-]*\),$/\1/p' "$data/generated.json" 2>/dev/null || true)
if [ -z "$have" ] || ! awk -v a="$have" -v b="$scale" 'BEGIN { exit !(a - b < 1e-9 && b - a < 1e-9) }'; then
    rm -rf "$data"
    "$gat" generate ppi-like --out "$data" --scale "$scale" --seed 1
fi
echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"

# peak resident memory in MB from /usr/bin/time -v's report
peak_mb() { awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }

train_run() { # train_run NAME [options...]: one accuracy run, its summary lines
    local name=$1; shift
    /usr/bin/time -v "$gat" train --data-dir "$out" --dataset ppi --should_test --num_of_epochs "$epochs" \
        --threads 2 --checkpoint_freq 0 --models-dir "$out/models-$name" --logdir "$out/runs-$name" "$@" \
        > "$out/$name.out" 2> "$out/$name.time"
    echo "-- $name: gat train --data-dir $out --dataset ppi --should_test --num_of_epochs $epochs --threads 2 $*"
    grep -E "^(Stopping|Trained|Test micro-F1)" "$out/$name.out" | sed 's/^/   /'
    echo "   peak memory $(peak_mb "$out/$name.time") MB (/usr/bin/time -v, maximum resident set size)"
}

if [ -n "$acc" ]; then
    echo "== accuracy: the default recipe, then without edges (2 threads, at most $epochs epochs)"
    train_run default
    train_run no_edges --no_edges
fi

if [ -n "$timing" ]; then
    have_torch=
    if "$py" -c 'import torch, numpy' 2>/dev/null; then have_torch=1; else
        echo "bench/ppi.sh: $py has no torch: the reference is not timed (give --python PY)" >&2; fi
    echo "== ms per epoch ($tepochs epochs per run, $rounds rounds, interleaved; mean per epoch of each run, median over rounds)"
    for t in 1 2; do
        g=() r=()
        for ((k = 0; k < rounds; k++)); do
            line=$("$gat" train --data-dir "$out" --dataset ppi --num_of_epochs "$tepochs" --threads "$t" \
                --checkpoint_freq 0 --quiet --models-dir "$out/models-time" --logdir "$out/runs-time")
            g+=("$(sed -n 's/.*(\([0-9.]*\) ms\/epoch).*/\1/p' <<< "$line")")
            if [ -n "$have_torch" ]; then
                r+=("$("$py" "$root/reference/ppi_reference.py" --data "$data" --time-epochs "$tepochs" --threads "$t" |
                    awk '/^epoch [0-9]+:/ { s += $3; n++ } END { if (n) printf "%.1f", s / n }')")
            fi
        done
        med() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR) print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
        gm=$(med "${g[@]}")
        echo "   $t thread(s): gat ${g[*]} ms -> median $gm ms"
        if [ -n "$have_torch" ]; then
            rm_=$(med "${r[@]}")
            echo "   $t thread(s): PyTorch reference ${r[*]} ms -> median $rm_ ms; reference / gat = $(awk -v a="$rm_" -v b="$gm" 'BEGIN { printf "%.2f", a / b }')"
        fi
    done
fi
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
