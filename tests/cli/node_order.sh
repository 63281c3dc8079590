# gat train --node_order: both orders train, the choice goes into config.json, the memory
# line counts the renumbered copy for locality only, a run that fits only without the copy is
# pointed to --node_order input, and a bad value is refused. (That both report in the
# dataset's order, bit for bit, is test_node_order's.)
. "$(dirname "$0")/lib.bash"
cd "$TMP"
"$GAT" generate graph --out data/syn --nodes 2000 --classes 3 --features 40 --seed 5 --quiet
for o in locality input; do
    "$GAT" train --data-dir data --dataset syn --node_order $o --num_of_epochs 20 --checkpoint_freq 0 --should_test \
        --models-dir m_$o --logdir runs_$o > $o.out
    check "$o trains" grep -q "^Test accuracy = 0\.[0-9]*$" $o.out
    check "$o in config.json" grep -q "\"node_order\": \"$o\"" runs_$o/*/config.json
done
graph_mb() { sed -n 's/^Memory: .*, graph \([0-9.]*\) [kMG]B, .*/\1/p' "$1"; }
check "the copy is counted for locality only" awk -v a="$(graph_mb locality.out)" -v b="$(graph_mb input.out)" \
    'BEGIN { exit !(a > b) }'
need=$(sed -n 's/^Memory: about \([0-9.]*\) MB.*/\1/p' locality.out)
expect_error "too big only with the copy" "--node_order input" \
    "$GAT" train --data-dir data --dataset syn --num_of_epochs 1 --models-dir m --logdir runs \
    --max-memory "$(awk -v n="$need" 'BEGIN { printf "%dK", n * 1000 * 0.97 }')"
expect_error "bad value" "--node_order: 'random' is not locality or input" "$GAT" train --node_order random
finish
