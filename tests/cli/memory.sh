# The memory estimate of gat train: printed before training; a run that cannot fit is refused
# with one line that says why and what would fit.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
"$GAT" generate graph --out data/g --nodes 3000 --classes 4 --features 50 --quiet
"$GAT" train --data-dir data --dataset g --num_of_epochs 2 --checkpoint_freq 0 --models-dir m --logdir runs > out.txt
check "estimate printed" grep -q "^Memory: about .* at peak (parameters and Adam state .*, activations .*, graph .*, dataset .*); .* available" out.txt
# 64 heads x 1024 features per layer: the parameters alone are far beyond the machine
expect_error "architecture too large" "the parameters alone take" "$GAT" train --data-dir data --dataset g --num_of_layers 3 \
    --num_heads_per_layer 64,64,1 --num_features_per_layer 1024,1024,4 --models-dir m --logdir runs
expect_error "over --max-memory" "--max-memory: this run needs about" "$GAT" train --data-dir data --dataset g --max-memory 1M \
    --models-dir m --logdir runs
# on a bigger graph, a limit between the sampled and the full-batch estimates suggests sampled mini-batches
"$GAT" generate graph --out data/big --nodes 40000 --avg-degree 40 --classes 4 --features 50 --quiet
full=$("$GAT" train --data-dir data --dataset big --max-memory 1M 2>&1 | sed -n 's/.*needs about \([0-9.]*\) MB.*/\1/p')
lim=$(awk -v f="$full" 'BEGIN { printf "%dK", f * 1000000 * 0.6 / 1024 }')
expect_error "suggests sampling" "train on sampled mini-batches instead, e.g. --batch_size" "$GAT" train --data-dir data \
    --dataset big --max-memory "$lim" --models-dir m --logdir runs
# a collection of graphs: the estimate follows the graphs per step, and a limit that 20 graphs per
# step exceed suggests a number of graphs that fits, which then trains
"$GAT" generate ppi-like --out data/ppi --scale 0.05 --quiet
all=$("$GAT" train --data-dir data --dataset ppi --batch_size 20 --max-memory 1M 2>&1 | sed -n 's/.*needs about \([0-9.]*\) MB.*/\1/p')
one=$("$GAT" train --data-dir data --dataset ppi --batch_size 1 --max-memory 1M 2>&1 | sed -n 's/.*needs about \([0-9.]*\) MB.*/\1/p')
check "collection: fewer graphs per step, less memory" awk -v a="$all" -v o="$one" 'BEGIN { exit !(o > 0 && a > 1.5 * o) }'
lim=$(awk -v f="$all" 'BEGIN { printf "%dK", f * 1000000 * 0.8 / 1024 }')
expect_error "collection: suggests fewer graphs per step" "choose fewer graphs per step (--batch_size" "$GAT" train \
    --data-dir data --dataset ppi --batch_size 20 --max-memory "$lim" --models-dir m --logdir runs
fits=$("$GAT" train --data-dir data --dataset ppi --batch_size 20 --max-memory "$lim" --models-dir m --logdir runs 2>&1 |
       sed -n 's/.*--batch_size \([0-9]*\) fits.*/\1/p')
check "collection: the suggestion trains" "$GAT" train --data-dir data --dataset ppi --batch_size "$fits" --max-memory "$lim" \
    --num_of_epochs 1 --checkpoint_freq 0 --console_log_freq 0 --models-dir m --logdir runs
expect_error "bad size" "--max-memory: '8X' is not a size" "$GAT" train --max-memory 8X
check "no run folder from refused runs" test "$(ls runs | wc -l)" -eq 2
finish
