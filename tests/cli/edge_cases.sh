# Degenerate but valid inputs draw and run: a graph without edges (the picture's size key
# has no degree >= 1), and damaged metrics.csv files refused by gat plot with one line.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/npy.bash"
cd "$TMP"
export OMP_NUM_THREADS=1
need_xmllint
tiny_dataset data/noedges 6
npy data/noedges/edge_index.npy '<i8' '(2, 0)'
out=$("$GAT" visualize dataset --dataset noedges --data-dir data --out fig 2>&1); rc=$?
check "graph without edges: exit 0 ($out)" [ $rc -eq 0 ]
check "graph without edges: png" png_ok fig/noedges_graph.png
check "graph without edges: svg" svg_ok fig/noedges_graph.svg
out=$("$GAT" train --dataset noedges --data-dir data --num_of_epochs 3 --threads 1 --quiet --models-dir m --logdir runs 2>&1); rc=$?
check "train on a graph without edges: exit 0 ($out)" [ $rc -eq 0 ]

mkdir -p bad
printf '\0\n' > bad/metrics.csv
expect_error "metrics.csv of a NUL byte" "bad/metrics.csv" "$GAT" plot bad
printf 'epoch,training_loss,training_acc,val_loss,val_acc\n1,1,0.5,1,0.5\n1e300,1,0.5,1,0.5\n' > bad/metrics.csv
expect_error "epoch 1e300" "line 3: epoch: '1e300'" "$GAT" plot bad
printf 'epoch,training_loss,training_acc,val_loss,val_acc\nnan,1,0.5,1,0.5\n' > bad/metrics.csv
expect_error "epoch nan" "line 2: epoch: 'nan'" "$GAT" plot bad
printf 'epoch,training_loss,training_acc,val_loss,val_acc\n,1,0.5,1,0.5\n' > bad/metrics.csv
expect_error "empty epoch" "line 2: epoch: ''" "$GAT" plot bad
check "no picture from bad files" [ ! -e bad/curves.png ]
finish
