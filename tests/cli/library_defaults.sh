#!/usr/bin/env bash
# One set of defaults: the README's C example (examples/train_cora.c: library defaults,
# model seed 1) and `gat train` with its defaults train the same model, bit for bit, so
# the C example reproduces the CLI's result (the same 30 epochs, the same dropout streams).
source "$(dirname "$0")/lib.bash"
need_data
ex="$(dirname "$GAT")/train_cora"
if [ ! -x "$ex" ]; then echo "FAIL: $ex not built"; exit 1; fi
cd "$TMP"
"$ex" "$GAT_DATA_DIR" 30 >c.txt 2>&1
check "C example exits 0 ($(cat c.txt))" [ $? -eq 0 ]
"$GAT" train --dataset cora --data-dir "$GAT_DATA_DIR" --num_of_epochs 30 --checkpoint_freq 0 --quiet \
    --models-dir m --logdir r >cli.txt 2>&1
check "gat train exits 0 ($(cat cli.txt))" [ $? -eq 0 ]
# the tensors of a safetensors file: everything after the 8-byte length and the JSON header
tensors() {
    local n
    n=$(od -An -tu8 -N8 "$1" | tr -d ' ')
    tail -c +$((n + 9)) "$1"
}
check "same tensors, bit for bit" cmp -s <(tensors cora.safetensors) <(tensors m/binaries/gat_CORA_000000.safetensors)
check "tensors not empty" [ "$(tensors cora.safetensors | wc -c)" -gt 100000 ]
finish
