# Concurrent runs and killed runs lose nothing: N simultaneous `gat train` runs in one folder
# keep N final models and all their checkpoints, in N run folders; runs killed (SIGKILL,
# SIGTERM, SIGINT) at random moments leave only valid files under final names, and once a
# later run has swept the folders, no temporary file and no reservation.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/npy.bash"
cd "$TMP"
export OMP_NUM_THREADS=1
tiny_dataset data/tiny 9
N=6
for i in $(seq $N); do
    "$GAT" train --dataset tiny --data-dir data --num_of_epochs 6 --checkpoint_freq 2 --threads 1 --quiet \
        --seed "$i" > "out$i.txt" 2>&1 &
done
wait
check "$N concurrent runs: $N final models" [ "$(ls models/binaries | grep -c '^gat_TINY_[0-9]\{6\}\.safetensors$')" -eq $N ]
check "$N concurrent runs: 3 checkpoints each" [ "$(ls models/checkpoints | grep -c '^gat_TINY_[0-9]\{6\}_ckpt_epoch_[246]\.safetensors$')" -eq $((3 * N)) ]
check "$N concurrent runs: $N run folders" [ "$(ls runs | wc -l)" -eq $N ]
for f in models/binaries/*.safetensors; do
    n=$(basename "$f" .safetensors); n=${n#gat_TINY_}
    check "checkpoints of model $n" [ "$(ls models/checkpoints | grep -c "^gat_TINY_${n}_ckpt")" -eq 3 ]
    check "$f is a valid model" "$GAT" info --model "$f" >/dev/null
    check "one run names $f" [ "$(grep -l "\"model_path\": \"$f\"" runs/*/config.json | wc -l)" -eq 1 ]
done
# every run says where its model went, and no two say the same
check "quiet: each run prints its one result line, nothing else" \
    [ "$(cat out*.txt | grep -c '^Trained 6 epochs')" -eq $N ] && [ "$(cat out*.txt | grep -vc '^Trained 6 epochs')" -eq 0 ]
check "no reservations or temporaries left" [ -z "$(find models runs -name '*.reserved' -o -name '*.tmp.*')" ]

# A run that saved no model (killed) keeps its checkpoints: the next run takes another number.
rm -rf models runs
"$GAT" train --dataset tiny --data-dir data --num_of_epochs 2 --checkpoint_freq 1 --threads 1 --quiet > /dev/null 2>&1
rm models/binaries/gat_TINY_000000.safetensors
"$GAT" train --dataset tiny --data-dir data --num_of_epochs 2 --checkpoint_freq 1 --threads 1 --quiet > /dev/null 2>&1
check "checkpoints of a run without a model are kept" [ "$(ls models/checkpoints | grep -c '^gat_TINY_000000_ckpt')" -eq 2 ]
check "the next run takes the next number" [ -f models/binaries/gat_TINY_000001.safetensors ]

# Crash drill: kill runs that checkpoint every epoch at random moments. Job control on, so
# background runs do not start with SIGINT ignored (as a non-interactive shell starts them).
# The runs are as long as the options allow: on a fast machine 3000 tiny epochs with a
# checkpoint each took under the drill's longest wait (0.9 s), and the run ended before its kill.
rm -rf models runs
set -m
RANDOM=7
for k in $(seq 6); do
    sig=KILL; [ $((k % 3)) -eq 1 ] && sig=TERM; [ $((k % 3)) -eq 2 ] && sig=INT
    "$GAT" train --dataset tiny --data-dir data --num_of_epochs 10000000 --patience_period 10000000 --checkpoint_freq 1 \
        --threads 1 --quiet --enable_tensorboard > /dev/null 2>&1 &
    pid=$!
    sleep "0.$((RANDOM % 9 + 1))"
    kill -s "$sig" $pid 2>/dev/null
    wait $pid 2>/dev/null
    rc=$?
    check "run $k killed by SIG$sig (status $rc)" [ $rc -gt 128 ]
    if [ "$sig" != KILL ]; then
        left=$(find models runs -name '*.tmp.*' -o -name '*.reserved' 2>/dev/null)
        check "SIG$sig: the run removed its own temporaries ($left)" [ -z "$left" ]
    fi
done
set +m
# a later run sweeps what SIGKILL left
"$GAT" train --dataset tiny --data-dir data --num_of_epochs 2 --checkpoint_freq 1 --threads 1 --quiet > /dev/null 2>&1
check "a later run succeeds" [ $? -eq 0 ]
left=$(find models runs -name '*.tmp.*' -o -name '*.reserved')
check "no temporaries or reservations after a later run ($left)" [ -z "$left" ]
for f in $(find models -name '*.safetensors'); do
    check "valid file under a final name: $f" "$GAT" info --model "$f" >/dev/null
done
for r in runs/*; do
    out=$("$GAT" plot "$r" --out "$TMP/curves" 2>&1)
    case "$out" in *"no epochs yet"*|*"no header line"*|*"metrics.csv: No such file"*) ok ;; *error*) fail "$r/metrics.csv: $out" ;; *) ok ;; esac
done
finish
