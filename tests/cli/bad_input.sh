# Bad options and bad files: one clear line each, a non-zero exit, nothing half-written.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
expect_error "unknown command" "unknown command" "$GAT" frobnicate
expect_error "unknown flag" "unknown option '--bogus'" "$GAT" train --bogus
expect_error "negative lr" "--lr" "$GAT" train --lr -1
expect_error "epochs not a number" "--num_of_epochs: 'abc' is not an integer" "$GAT" train --num_of_epochs abc
expect_error "missing value" "--patience_period needs a value" "$GAT" train --patience_period
expect_error "dropout out of range" "--dropout" "$GAT" train --dropout 1.5
expect_error "threads negative" "--threads" "$GAT" train --threads -2
expect_error "test without model" "--model FILE is required" "$GAT" test
expect_error "missing model file" "nosuch.safetensors" "$GAT" test --model nosuch.safetensors
printf 'not a model at all' > junk.safetensors
expect_error "corrupt model file" "junk.safetensors: a text file, not a safetensors file" "$GAT" info --model junk.safetensors
# files that are something else: one line saying what the file is and what gat reads
printf 'PK\003\004\024\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\020\0\0\0archive/data.pklxxxxxxxx' > model.pth
expect_error "a PyTorch .pth" "model.pth: a PyTorch file (torch.save's zip archive of a pickle), not a safetensors file; convert its state_dict in Python with safetensors.torch.save_file" "$GAT" info --model model.pth
printf '\200\002\212\012lZ\374\234F\371 j\250' > legacy.pth
expect_error "a legacy PyTorch pickle" "legacy.pth: a Python pickle" "$GAT" test --model legacy.pth
head -c 4096 /dev/urandom > random.bin
printf '\377' | dd of=random.bin bs=1 seek=8 conv=notrunc 2>/dev/null # byte 8 is no '{'
printf '\001\200' | dd of=random.bin bs=1 seek=1 conv=notrunc 2>/dev/null # and it is no text
expect_error "random bytes" "random.bin: not a safetensors file" "$GAT" info --model random.bin
# a safetensors file of another model (F32; and BF16, a dtype gat does not read)
st() { # st FILE HEADER DATA-BYTES: a safetensors file
    local n=${#2}
    { printf "$(printf '\\%03o\\%03o\\%03o\\%03o\\0\\0\\0\\0' $((n & 255)) $((n >> 8 & 255)) $((n >> 16 & 255)) $((n >> 24 & 255)))"
      printf '%s' "$2"; head -c "$3" /dev/zero; } > "$1"
}
st other.safetensors '{"encoder.weight":{"dtype":"F32","shape":[4,2],"data_offsets":[0,32]}}' 32
expect_error "another model's safetensors" "other.safetensors: a safetensors file, but not a GAT model file: no tensor gat_net.0.scoring_fn_source (it holds 1 tensor, the first 'encoder.weight')" "$GAT" info --model other.safetensors
st llm.safetensors '{"model.embed.weight":{"dtype":"BF16","shape":[4,2],"data_offsets":[0,16]}}' 16
expect_error "a BF16 safetensors of another model" "llm.safetensors: a safetensors file, but not a GAT model file" "$GAT" info --model llm.safetensors
expect_error "missing dataset" "dataset 'nosuch' not found" "$GAT" train --dataset nosuch --data-dir "$TMP"
if need_data; then
    expect_error "heads count" "--num_heads_per_layer: 1 values for 2 layers" "$GAT" train --num_heads_per_layer 8
    # a library check, reported under the option's name (the library says config.heads)
    expect_error "too many heads" "--num_heads_per_layer: layer 1 has 100 heads (allowed 1..64)" "$GAT" train --num_heads_per_layer 8,100
    expect_error "classes mismatch" "7 classes" "$GAT" train --num_features_per_layer 8,5
    touch afile
    expect_error "unwritable models folder" "afile" "$GAT" train --num_of_epochs 1 --models-dir afile/models
    # a model trained on Citeseer does not run on Cora
    if need_data; then
        "$GAT" train --dataset citeseer --num_of_epochs 1 --checkpoint_freq 0 --quiet --models-dir m >/dev/null
        expect_error "model of another dataset" "3703 input features" "$GAT" test --model m/binaries/gat_CITESEER_000000.safetensors --dataset cora
    fi
    # truncated model file
    "$GAT" train --num_of_epochs 1 --checkpoint_freq 0 --quiet --models-dir m2 >/dev/null
    head -c 3000 m2/binaries/gat_CORA_000000.safetensors > trunc.safetensors
    expect_error "truncated model" "trunc.safetensors" "$GAT" test --model trunc.safetensors
    expect_error "predict to an unwritable path" "nodir/p.csv" "$GAT" predict --model m2/binaries/gat_CORA_000000.safetensors --out nodir/p.csv
    check "no temporary files left" [ -z "$(find . -name '*.tmp.*')" ]
fi
finish
