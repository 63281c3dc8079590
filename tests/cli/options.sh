# Option values: a value that looks like an option is refused (no folder named --quiet);
# options taking true/false refuse other words; list entries too large or a trailing comma
# are refused with a message saying so.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
expect_error "value that is an option" "--models_dir needs a value, got the option '--quiet'" "$GAT" train --models-dir --quiet
check "no folder named --quiet" [ ! -e ./--quiet ]
expect_error "logdir value that is an option" "got the option '--plot'" "$GAT" train --logdir --plot
expect_error "predict --out --split" "got the option '--split'" "$GAT" predict --model m.safetensors --out --split test
expect_error "--bias maybe" "--bias: 'maybe' is not true/false" "$GAT" train --bias maybe
expect_error "--bias=maybe" "--bias: 'maybe' is not true/false" "$GAT" train --bias=maybe
expect_error "--keep_best maybe" "--keep_best: 'maybe' is not true/false" "$GAT" train --keep_best maybe
expect_error "test --normalize_features maybe" "--normalize_features: 'maybe' is not true/false" "$GAT" test --model m.safetensors --normalize_features maybe
expect_error "too large list entry" "--num_heads_per_layer: 1000000000 is too large (max 1000000)" "$GAT" train --num_heads_per_layer 1000000000,1
expect_error "overflowing list entry" "is too large (max 1000000)" "$GAT" train --num_features_per_layer 8,99999999999999999999999
expect_error "trailing comma" "'8,1,' ends with a comma" "$GAT" train --num_heads_per_layer 8,1,
expect_error "empty entry" "'8,,1' is not a list of positive integers" "$GAT" train --num_heads_per_layer 8,,1
expect_error "zero entry" "0 is not positive" "$GAT" train --num_heads_per_layer 0,1
# still accepted: a switch followed by an option, a value given with '=' that starts with --
out=$("$GAT" train --models-dir=--odd --help 2>&1); check "--name=--value is a value" [ $? -eq 0 ]
out=$("$GAT" train --bias --help 2>&1); check "a bare BOOL option then another option" [ $? -eq 0 ]
finish
