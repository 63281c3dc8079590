# gat train's layer options as PyTorch Geometric's GATConv offers them: --feature_dropout and
# --attention_dropout (both --dropout unless given: the same bits as before when not given or
# equal to it), their values in the model file and the run's config.json, the same bits on 1
# and 2 threads, gat test reading them back, and bad values refused in one line.
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
# a model file whose value is not a probability is refused naming the key
perl -0pe 's/"attention_dropout":"0.7"/"attention_dropout":"1.7"/' "$(M split)" > bad.safetensors
expect_error "attention_dropout=1.7 in a file" "bad.safetensors: metadata 'attention_dropout': '1.7' is not a number in [0, 1)" \
    "$GAT" info --model bad.safetensors
finish
