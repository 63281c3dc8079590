# A model is evaluated as it was trained: the settings that change what it computes are in
# the model file and used by default by gat test, predict and visualize; an explicit
# --normalize_features that differs wins with a warning; model files with bad or
# contradicting metadata are refused naming the file and the key.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/npy.bash"
cd "$TMP"
export OMP_NUM_THREADS=1
tiny_dataset data/tiny 9
"$GAT" train --dataset tiny --data-dir data --threads 1 --quiet --num_of_epochs 20 --checkpoint_freq 0 \
    --normalize_features false --should_test --models-dir m > train.out
M=m/binaries/gat_TINY_000000.safetensors
check "the model file records normalize_features=false" grep -q "normalize_features *false" <("$GAT" info --model "$M")
"$GAT" predict --model "$M" --data-dir data --out default.csv 2> default.err
"$GAT" predict --model "$M" --data-dir data --out raw.csv --normalize_features false 2> raw.err
"$GAT" predict --model "$M" --data-dir data --out rows.csv --normalize_features true 2> rows.err
check "predict uses the stored setting by default" cmp -s default.csv raw.csv
check "no warning when the option agrees or is not given" [ ! -s default.err -a ! -s raw.err ]
differs() { ! cmp -s "$1" "$2"; }
check "normalised features change the output here" differs default.csv rows.csv
check "an explicit different setting warns once" \
    [ "$(grep -c "gat: warning: --normalize_features true overrides .*normalize_features=false" rows.err)" -eq 1 ]
# "Test accuracy = A", or in a --quiet run the one line "...; test accuracy A"
want=$(sed -n -e 's/^Test accuracy = //p' -e 's/.*; test accuracy \([0-9.]*\)$/\1/p' train.out | head -1)
got=$("$GAT" test --model "$M" --data-dir data | sed -n 's/.*[Tt]est accuracy[ =:]*\([0-9.]*\).*/\1/p' | head -1)
check "gat test gives the training run's test accuracy ($want vs $got)" [ -n "$want" -a "$want" = "$got" ]
out=$("$GAT" visualize embeddings --model "$M" --data-dir data --out fig --iterations 250 --format svg 2>&1)
check "visualize uses it without a warning" [ -z "$(printf '%s' "$out" | grep warning)" ]

# bad metadata: rewrite one metadata value in place (same length keeps the header valid)
edit() { perl -0pe "s/\"$1\":\"$2\"/\"$1\":\"$3\"/" "$M" > "$4"; }
edit format_version 2 9 v9.safetensors
expect_error "format_version 9" "v9.safetensors: metadata 'format_version' = 9 is newer" "$GAT" test --model v9.safetensors --data-dir data
edit dropout 0.6 nan dnan.safetensors
expect_error "dropout=nan" "dnan.safetensors: metadata 'dropout': 'nan'" "$GAT" info --model dnan.safetensors
edit classes 2 5 c5.safetensors
expect_error "classes contradicting the tensors" "c5.safetensors: metadata 'classes' = '5' contradicts" "$GAT" test --model c5.safetensors --data-dir data
edit skip 0 1 s1.safetensors
expect_error "skip contradicting the tensors" "s1.safetensors: metadata 'skip'" "$GAT" predict --model s1.safetensors --data-dir data
edit format gat-model gat-other fo.safetensors
expect_error "another format" "fo.safetensors: metadata 'format'" "$GAT" info --model fo.safetensors
finish
