# gat train's layer options as PyTorch Geometric's GATConv offers them: --feature_dropout and
# --attention_dropout (both --dropout unless given: the same bits as before when not given or
# equal to it), --concat_heads per layer; their values in the model file and the run's
# config.json, the same bits on 1 and 2 threads, gat test / predict / explain reading them back,
# and bad values refused in one line.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
"$GAT" generate graph --out data/syn --nodes 200 --classes 3 --features 30 --seed 5 --val-size 60 --test-size 60 --quiet
# the tensors of a .safetensors file: what follows its 8-byte length and JSON header (which holds the creation time)
tensors() { local n; n=$(od -An -t u8 -N 8 "$1" | tr -d ' '); tail -c +$((9 + n)) "$1"; }
same_tensors() { cmp -s <(tensors "$1") <(tensors "$2"); }
other_tensors() { ! same_tensors "$@"; }
run() { # run NAME OPTIONS...: a short training run into m_NAME, r_NAME
    local name="$1"; shift
    "$GAT" train --data-dir data --dataset syn --num_of_epochs 6 --checkpoint_freq 0 --quiet --should_test \
        --models-dir "m_$name" --logdir "r_$name" "$@" > "train_$name.out"
}
M() { echo "m_$1/binaries/gat_SYN_000000.safetensors"; }
meta() { "$GAT" info --model "$(M "$1")" | sed -n "s/^  $2  *//p"; }

run default --dropout 0.5
run explicit --dropout 0.5 --feature_dropout 0.5 --attention_dropout 0.5
run split --dropout 0.5 --feature_dropout 0.2 --attention_dropout 0.7 --threads 1
run split2 --dropout 0.5 --feature_dropout 0.2 --attention_dropout 0.7 --threads 2
run attonly --dropout 0 --attention_dropout 0.5
run nodrop --dropout 0
check "both equal to --dropout: the same bits as --dropout alone" same_tensors "$(M default)" "$(M explicit)"
check "separate dropouts change the model" other_tensors "$(M default)" "$(M split)"
check "separate dropouts: the same bits on 1 and 2 threads" same_tensors "$(M split)" "$(M split2)"
check "attention-only dropout changes the model" other_tensors "$(M attonly)" "$(M nodrop)"
check "model file: feature_dropout 0.2 ($(meta split feature_dropout))" [ "$(meta split feature_dropout)" = 0.2 ]
check "model file: attention_dropout 0.7" [ "$(meta split attention_dropout)" = 0.7 ]
check "model file: the defaults are --dropout's ($(meta default feature_dropout), $(meta default attention_dropout))" \
    [ "$(meta default feature_dropout)" = 0.5 -a "$(meta default attention_dropout)" = 0.5 ]
check "config.json records both" sh -c "grep -q '\"feature_dropout\": 0.2,' r_split/*/config.json &&
    grep -q '\"attention_dropout\": 0.7,' r_split/*/config.json"
check "the summary line names both when they differ" grep -q "dropout 0.5 (features 0.2, attention 0.7)" \
    <("$GAT" train --data-dir data --dataset syn --num_of_epochs 1 --checkpoint_freq 0 --models-dir m_x --logdir r_x \
        --dropout 0.5 --feature_dropout 0.2 --attention_dropout 0.7)
acc=$(sed 's/.*test accuracy //' train_split.out)
check "gat test reads the model back ($acc)" grep -q "^Test accuracy = $acc," <("$GAT" test --data-dir data --model "$(M split)")
for o in feature_dropout attention_dropout; do
    expect_error "--$o 1" "--$o: 1 is out of range" "$GAT" train --$o 1
    expect_error "--$o -0.1" "--$o: -0.1 is out of range" "$GAT" train --$o -0.1
    expect_error "--$o x" "--$o: 'x' is not a number" "$GAT" train --$o x
done

# --concat_heads (PyG GATConv's concat), per layer: averaging a hidden layer's heads narrows the
# next layer's input (8 heads x 8 -> 8 wide, so layer 1's weight is 8 x 3); a last layer of one
# head computes the same whether it concatenates or averages
run mean --concat_heads false,false
run mean2 --concat_heads false,false --threads 2 --attention_impl edges
run mean1 --concat_heads false,false --threads 1
check "concat_heads false,false in the model file ($(meta mean concat_heads))" [ "$(meta mean concat_heads)" = false,false ]
check "the default in the model file ($(meta default concat_heads))" [ "$(meta default concat_heads)" = true,false ]
check "config.json records it" grep -q '"concat_heads": "false,false",' r_mean/*/config.json
check "an averaging hidden layer: the next layer reads 8 features" grep -Eq "^  gat_net.1.linear_proj.weight +\(3, 8\)" \
    <("$GAT" info --model "$(M mean)")
check "gat info names the combination" grep -q "layer 0:  30 -> 8 heads x 8 features (mean, ELU)" <("$GAT" info --model "$(M mean)")
check "averaging heads: the same bits on 1 and 2 threads" same_tensors "$(M mean)" "$(M mean1)"
acc=$(sed 's/.*test accuracy //' train_mean.out)
check "gat test reads the layout back ($acc)" grep -q "^Test accuracy = $acc," <("$GAT" test --data-dir data --model "$(M mean)")
acc2=$(sed 's/.*test accuracy //' train_mean2.out)
check "the edges implementation trains the layout ($acc2)" [ -n "$acc2" ]
"$GAT" predict --data-dir data --model "$(M mean)" --out mean.csv
check "predict runs it" [ "$(wc -l < mean.csv)" -eq 201 ]
"$GAT" explain --data-dir data --model "$(M mean)" --node 0 > mean_explain.out
check "explain shows the averaged hidden layer" grep -q "^layer 0: 8 heads x 8 features from 30 inputs.*hidden (heads averaged, + bias, ELU)" mean_explain.out
check "explain ends with a prediction" grep -q "^prediction: class" mean_explain.out
run cat1 --concat_heads true,true
run plain
check "one head in the last layer: concatenating = averaging, bit for bit" same_tensors "$(M plain)" "$(M cat1)"
run cat3 --concat_heads true,true --num_heads_per_layer 8,3 --num_features_per_layer 8,1
check "3 heads of 1 feature concatenated into the 3 classes" grep -Eq "^  gat_net.1.bias +\(3\)" <("$GAT" info --model "$(M cat3)")
"$GAT" explain --data-dir data --model "$(M cat3)" --node 0 > cat3_explain.out
check "explain shows the concatenating last layer" grep -q "last layer (heads concatenated, + bias)" cat3_explain.out
expect_error "--concat_heads of the wrong length" "--concat_heads: 1 values for 2 layers" "$GAT" train --data-dir data --dataset syn --concat_heads true
expect_error "--concat_heads maybe" "--concat_heads: 'maybe' is not true/false" "$GAT" train --concat_heads true,maybe
expect_error "--concat_heads empty entry" "--concat_heads: 'true,,false' is not a list" "$GAT" train --concat_heads true,,false
expect_error "a last layer concatenating past the classes" "--concat_heads: the last layer concatenates 2 heads of 3 features, 6 outputs, but dataset 'syn' has 3 classes" \
    "$GAT" train --data-dir data --dataset syn --concat_heads true,true --num_heads_per_layer 8,2
perl -0pe 's/"concat_heads":"false,false"/"concat_heads":"false,maybe"/' "$(M mean)" > badc.safetensors
expect_error "concat_heads=false,maybe in a file" "badc.safetensors: metadata 'concat_heads': 'false,maybe' is not a list of 2 true/false values" \
    "$GAT" info --model badc.safetensors
perl -0pe 's/"concat_heads":"false,false"/"concat_heads":"true,false,"/' "$(M mean)" > badc2.safetensors
expect_error "concat_heads of the wrong length in a file" "badc2.safetensors: metadata 'concat_heads'" "$GAT" info --model badc2.safetensors
# without the key (a file from before it), the default layout is assumed: these tensors do not fit it
perl -0pe 's/"concat_heads":"false,false"/"concat_headz":"false,false"/' "$(M mean)" > badc3.safetensors
expect_error "a layout contradicting the tensors" "badc3.safetensors: tensor gat_net.0.bias has the wrong shape" \
    "$GAT" test --data-dir data --model badc3.safetensors

# a model file whose value is not a probability is refused naming the key
perl -0pe 's/"attention_dropout":"0.7"/"attention_dropout":"1.7"/' "$(M split)" > bad.safetensors
expect_error "attention_dropout=1.7 in a file" "bad.safetensors: metadata 'attention_dropout': '1.7' is not a number in [0, 1)" \
    "$GAT" info --model bad.safetensors
finish
