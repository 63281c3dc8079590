# A full disk under --logdir, or checkpoints that cannot be written, cost a warning (once)
# and training goes on to save the final model; failing to save the final model is the error.
# The full disk is a 64 KiB tmpfs (root, as CI runs); checkpoints are also made unwritable
# without it, by a folder sitting at a checkpoint's name.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/npy.bash"
cd "$TMP"
export OMP_NUM_THREADS=1
tiny_dataset data/tiny 9
T=(train --dataset tiny --data-dir data --threads 1 --quiet)

# a checkpoint that cannot be written: warned once, training and the other checkpoints go on
mkdir -p m1/checkpoints/gat_TINY_000000_ckpt_epoch_2.safetensors m1/checkpoints/gat_TINY_000000_ckpt_epoch_4.safetensors
"$GAT" "${T[@]}" --num_of_epochs 6 --checkpoint_freq 2 --models-dir m1 --logdir r1 > out1 2> err1; rc=$?
check "unwritable checkpoints: exit 0 ($(cat err1))" [ $rc -eq 0 ]
check "unwritable checkpoints: the final model is saved" "$GAT" info --model m1/binaries/gat_TINY_000000.safetensors >/dev/null
check "unwritable checkpoints: the others are written" [ -f m1/checkpoints/gat_TINY_000000_ckpt_epoch_6.safetensors ]
check "unwritable checkpoints: one warning naming the checkpoint, one count" \
    [ "$(grep -c 'gat: warning: .*gat_TINY_000000_ckpt_epoch_2.safetensors' err1)" -eq 1 -a "$(grep -c 'gat: warning: 2 of 3 checkpoints' err1)" -eq 1 -a "$(wc -l < err1)" -eq 2 ]

mkdir -p full
if ! mount -t tmpfs -o size=64k tmpfs full 2>/dev/null; then
    echo "FAIL: cannot mount a 64 KiB tmpfs (needs root with CAP_SYS_ADMIN, as CI runs)"; exit 1
fi
trap 'umount "$TMP/full" 2>/dev/null' EXIT
# leave 2 free pages: config.json fits, metrics.csv soon does not
dd if=/dev/zero of=full/fill bs=4096 count=14 2>/dev/null
"$GAT" "${T[@]}" --num_of_epochs 400 --patience_period 1000 --checkpoint_freq 0 --models-dir m2 --logdir full/runs > out2 2> err2; rc=$?
check "full disk under --logdir: exit 0 ($(cat err2))" [ $rc -eq 0 ]
check "full disk under --logdir: the model is saved" "$GAT" info --model m2/binaries/gat_TINY_000000.safetensors >/dev/null
check "full disk under --logdir: one warning naming metrics.csv" \
    [ "$(grep -c 'gat: warning: .*metrics.csv.*No space left' err2)" -eq 1 -a "$(wc -l < err2)" -eq 1 ]
# no room at all for the run log: warned, trained, saved
dd if=/dev/zero of=full/fill2 bs=4096 count=2 2>/dev/null
"$GAT" "${T[@]}" --num_of_epochs 5 --checkpoint_freq 0 --models-dir m3 --logdir full/runs > out3 2> err3; rc=$?
check "no room for a run log: exit 0 ($(cat err3))" [ $rc -eq 0 ]
check "no room for a run log: one warning" [ "$(grep -c 'gat: warning:' err3)" -eq 1 ]
check "no room for a run log: the model is saved" "$GAT" info --model m3/binaries/gat_TINY_000000.safetensors >/dev/null
# models on the full disk: one page left takes the reservation; checkpoints and the final model fail
rm -f full/fill2 full/fill; rm -rf full/runs
dd if=/dev/zero of=full/fill bs=4096 count=15 2>/dev/null
"$GAT" "${T[@]}" --num_of_epochs 4 --checkpoint_freq 2 --models-dir full/models --logdir r4 > out4 2> err4; rc=$?
check "final model on a full disk: exit 1 (got $rc)" [ $rc -eq 1 ]
check "final model on a full disk: the error names the model file" \
    grep -q "^gat: error: full/models/binaries/gat_TINY_000000.safetensors: .*No space left" err4
check "final model on a full disk: checkpoints warned first" grep -q "^gat: warning: .*ckpt_epoch_2" err4
check "final model on a full disk: nothing left behind" [ -z "$(find full/models -type f)" ]
check "no 'Model saved' after a failure" [ -z "$(grep 'Model saved' out4)" ]
finish
