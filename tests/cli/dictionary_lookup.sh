# gat generate dictionary-lookup: the DictionaryLookup task of Brody et al. (ICLR 2022) is written
# in the dataset layout, deterministically for a seed, with bad options refused; on a small
# instance (16 keys, 40 instances: 1,280 nodes, 10,240 edges) GATv2 learns the lookup within 100
# epochs and GAT, whose attention ranks the keys alike for every query, stays near chance (1/16).
. "$(dirname "$0")/lib.bash"
cd "$TMP"
"$GAT" generate dictionary-lookup --out data/lk --keys 16 --instances 40 --seed 3 > gen.out
check "generate reports the sizes" grep -q "1280 nodes, 10240 edges, 16 classes; train/val/test 384/128/128 queries" gen.out
for f in features.npy edge_index.npy labels.npy train_index.npy val_index.npy test_index.npy class_names.txt generated.json; do
    check "wrote $f" test -s data/lk/$f
done
"$GAT" generate dictionary-lookup --out again --keys 16 --instances 40 --seed 3 --quiet
check "same seed, same bytes" sh -c 'for f in features.npy edge_index.npy labels.npy train_index.npy; do cmp -s data/lk/$f again/$f || exit 1; done'
"$GAT" generate dictionary-lookup --out other --keys 16 --instances 40 --seed 4 --quiet
check "another seed, other values" sh -c '! cmp -s data/lk/labels.npy other/labels.npy'
check "same graph for another seed" cmp -s data/lk/edge_index.npy other/edge_index.npy
check "listed by gat generate --help" grep -q "dictionary-lookup" <<<"$("$GAT" generate --help)"
expect_error "one key" "--keys: 1 is out of range" "$GAT" generate dictionary-lookup --out x --keys 1
expect_error "no out" "--out DIR is required" "$GAT" generate dictionary-lookup --keys 3
expect_error "no training instances" "leave none to train on" \
    "$GAT" generate dictionary-lookup --out x --instances 4 --val-fraction 0.5 --test-fraction 0.5
expect_error "unknown option" "unknown option '--nodes'" "$GAT" generate dictionary-lookup --out x --nodes 5
acc() { sed 's/.*test accuracy //' "$1"; }
for type in gat gatv2; do
    "$GAT" train --data-dir data --dataset lk --attention_type $type --normalize_features false --dropout 0 \
        --weight_decay 0 --lr 0.02 --num_of_epochs 100 --patience_period 100 --checkpoint_freq 0 --should_test \
        --quiet --models-dir m_$type --logdir runs_$type > $type.out
    echo "dictionary lookup, $type: $(cat $type.out)"
done
check "gatv2 learns the lookup (test accuracy $(acc gatv2.out) > 0.6)" awk -v a="$(acc gatv2.out)" 'BEGIN { exit !(a > 0.6) }'
check "gat stays near chance (test accuracy $(acc gat.out) < 0.25)" awk -v a="$(acc gat.out)" 'BEGIN { exit !(a < 0.25) }'
check "gatv2 beats gat by 40 points" awk -v a="$(acc gatv2.out)" -v b="$(acc gat.out)" 'BEGIN { exit !(a - b > 0.4) }'
finish
