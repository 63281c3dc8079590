# No leak and no memory error under valgrind on a short training run (checkpoints, TensorBoard
# events, test split) and on error paths (bad option, bad dataset, model file of a newer format).
# An AddressSanitizer build cannot run under valgrind; there LeakSanitizer checks every test.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/npy.bash"
cd "$TMP"
if ldd "$GAT" 2>/dev/null | grep -q libasan; then
    echo "AddressSanitizer build: leaks are checked by LeakSanitizer in every test instead"; finish; exit
fi
if ! command -v valgrind >/dev/null; then echo "FAIL: valgrind is not installed (scripts/install-deps.sh)"; exit 1; fi
export OMP_NUM_THREADS=1
tiny_dataset data/tiny 9
VG=(valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 -q)
"${VG[@]}" "$GAT" train --dataset tiny --data-dir data --num_of_epochs 4 --checkpoint_freq 2 --threads 1 --quiet \
    --enable_tensorboard --should_test > train.out 2> train.err
check "training run: no valgrind error ($(head -c 600 train.err))" [ $? -eq 0 ]
M=models/binaries/gat_TINY_000000.safetensors
vg_error() {   # what, command...: the command fails as gat does (1 or 2), not with valgrind's 99
    local what="$1"; shift
    "${VG[@]}" "$@" > /dev/null 2> vg.err; local rc=$?
    check "$what: fails cleanly under valgrind (status $rc: $(head -c 600 vg.err))" [ $rc -eq 1 -o $rc -eq 2 ]
}
vg_error "bad option" "$GAT" train --bias maybe
cp -r data/tiny data/overlap; cp data/tiny/train_index.npy data/overlap/val_index.npy
vg_error "overlapping splits" "$GAT" train --dataset overlap --data-dir data
perl -0pe 's/"format_version":"2"/"format_version":"9"/' "$M" > v9.safetensors
vg_error "model file of a newer format" "$GAT" test --model v9.safetensors --data-dir data
finish
