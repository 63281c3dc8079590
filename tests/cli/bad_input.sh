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
expect_error "corrupt model file" "junk.safetensors" "$GAT" info --model junk.safetensors
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
