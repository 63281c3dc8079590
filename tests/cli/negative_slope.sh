# gat train --negative_slope: the slope reaches the model file (leaky_relu_slope) and the
# run's config.json, a model trained with it evaluates to the same accuracy with gat test
# (which takes the slope from the file), it changes the result, and bad values are refused.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
"$GAT" generate graph --out data/syn --nodes 300 --classes 3 --features 40 --seed 7 --val-size 100 --test-size 100 --quiet
for s in 0.05 0.2; do
    "$GAT" train --data-dir data --dataset syn --negative_slope $s --num_of_epochs 15 --checkpoint_freq 0 --should_test \
        --quiet --models-dir m_$s --logdir r_$s > train_$s.out
    check "slope $s in the model file" sh -c "'$GAT' info --model m_$s/binaries/gat_SYN_000000.safetensors | grep -Eq '^  leaky_relu_slope +$s$'"
    check "slope $s in config.json" grep -q "\"negative_slope\": $s," r_$s/*/config.json
    "$GAT" test --data-dir data --model m_$s/binaries/gat_SYN_000000.safetensors > test_$s.out
    acc=$(sed 's/.*test accuracy //' train_$s.out)
    check "gat test reads the slope back ($acc)" grep -q "^Test accuracy = $acc," test_$s.out
done
"$GAT" train --data-dir data --dataset syn --num_of_epochs 2 --checkpoint_freq 0 --quiet --models-dir m_default --logdir r_default > /dev/null
check "default slope 0.2" sh -c "'$GAT' info --model m_default/binaries/gat_SYN_000000.safetensors | grep -Eq '^  leaky_relu_slope +0.2$'"
tail -2 test_0.05.out > res_0.05; tail -2 test_0.2.out > res_0.2
check "the slope changes the losses" sh -c "! cmp -s res_0.05 res_0.2"
expect_error "slope 1" "--negative_slope: 1 is out of range" "$GAT" train --negative_slope 1
expect_error "negative slope" "--negative_slope: -0.1 is out of range" "$GAT" train --negative_slope -0.1
expect_error "not a number" "--negative_slope" "$GAT" train --negative_slope steep
finish
