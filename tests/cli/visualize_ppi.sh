# Pictures and predictions on a multi-label collection of graphs: gat visualize dataset |
# attention | entropy | embeddings with --graph (default: the first test graph; entropy: every
# test graph), colours by number of labels or by --label K; gat predict's per-label columns and
# inductive use on collections of other widths refused with one line.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
"$GAT" generate ppi-like --out data/ppi --scale 0.02 --seed 3 --quiet
"$GAT" train --data-dir data --dataset ppi --num_of_epochs 2 --num_features_per_layer 8,8,121 --threads 1 --quiet \
    --checkpoint_freq 0 --models-dir m --logdir runs > train.out
model=$(ls m/binaries/gat_PPI_*.safetensors | head -1)
check "a model" test -s "$model"

# the collection summary and the chosen graph's statistics
"$GAT" visualize dataset --data-dir data --dataset ppi --graph 3 --summary-only > sum.out
check "collection summary" grep -q "^PPI: a collection of 24 graphs (train/val/test 20/2/2), summary" sum.out
check "a row per graph" test "$(grep -cE '^    [0-9]+ +(train|val|test) ' sum.out)" -eq 24
check "labels per node" grep -q "labels  *121 per node (multi-label): a node has" sum.out
check "the chosen graph's summary" grep -q "^PPI graph 3 (train): network summary" sum.out
nodes3=$(sed -n 's/^    3 \{5\}train \{1,\}\([0-9]*\) .*/\1/p' sum.out)
check "graph 3's nodes in both tables ($nodes3)" grep -q "^  nodes  *$nodes3\$" sum.out
colours=$(sed -n 's/^  colours  *labels per node: //p' sum.out)
total=$(echo "$colours" | tr ',' '\n' | awk '{ s += $NF } END { print s }')
check "colour ranges cover the graph's nodes ($total)" test "$total" = "$nodes3"
"$GAT" visualize dataset --data-dir data --dataset ppi --graph 3 --label 7 --summary-only > lab.out
check "--label K: with / without" grep -q "^  colours  *label 7: without label 7 [0-9]*, with label 7 [0-9]*$" lab.out
"$GAT" visualize dataset --data-dir data --dataset ppi --out fig --format png > ds.out
for f in ppi_collection ppi_graph22 ppi_graph22_degrees; do check "picture $f" test -s fig/$f.png; done
check "default graph: the first test graph" grep -q "^PPI graph 22 (test): network summary" ds.out

# model pictures
"$GAT" visualize attention --model "$model" --data-dir data --graph 23 --nodes 0 --out fig --format png > att.out
check "attention on graph 23" grep -q "showing PPI graph 23 (test)" att.out
check "node line names its labels" grep -q "^  node 0 ([0-9]* labels*, [0-9]* neighbours* + self loop)" att.out
check "attention picture" test -s fig/ppi_graph23_attention_node0_layer0_head0.png
check "heads picture" test -s fig/ppi_graph23_attention_node0_layer0_heads.png
"$GAT" visualize entropy --model "$model" --data-dir data --out fig --format png > ent.out
check "entropy on every test graph" grep -q "PPI, test graphs 22, 23: attention entropy, layer 2" ent.out
for l in 0 1 2; do check "entropy picture of layer $l" test -s fig/ppi_test_graphs_entropy_layer$l.png; done
"$GAT" visualize entropy --model "$model" --data-dir data --graph 0 --layer 0 --out fig --format png > ent0.out
check "entropy on one graph" test -s fig/ppi_graph0_entropy_layer0.png
"$GAT" visualize embeddings --model "$model" --data-dir data --label 5 --iterations 250 --perplexity 5 --no-metrics --out fig \
    --format png > emb.out
check "embeddings of the first test graph" test -s fig/ppi_graph22_tsne_layer2.png
check "embeddings CSV" test -s fig/ppi_graph22_tsne_layer2.csv
expect_error "graph out of range" "--graph: 24 is not a graph of ppi (0..23)" \
    "$GAT" visualize dataset --data-dir data --dataset ppi --graph 24
expect_error "label out of range" "--label: 121 is not a label of ppi (0..120)" \
    "$GAT" visualize entropy --model "$model" --data-dir data --label 121
expect_error "--graph on one graph" "--graph: cora is one graph, not a collection of graphs" \
    "$GAT" visualize dataset --dataset cora --graph 0 --summary-only
expect_error "--label on single-label data" "--label: cora is not multi-label" \
    "$GAT" visualize dataset --dataset cora --label 1 --summary-only

# gat predict: labels, predicted labels, a probability and a 0/1 column per label
"$GAT" predict --model "$model" --data-dir data --split test --out pred.csv
check "probability and 0/1 columns" sh -c 'head -1 pred.csv | grep -q "^node,split,label,predicted,p_0,.*,p_120,pred_0,.*,pred_120$"'
check "the 0/1 columns agree with the probabilities and the predicted list" awk -F, '
    NR == 1 { next }
    { n = 0; for (c = 0; c < 121; c++) { p = $(5 + c); y = $(126 + c); n += y; if ((p > 0.5) != y && p != 0.5) bad = 1 }
      m = $4 == "" ? 0 : split($4, a, ";"); if (m != n) bad = 1; rows++ }
    END { exit bad || rows == 0 }' pred.csv
check "true labels listed" awk -F, 'NR > 1 && $3 != "" { found = 1 } END { exit !found }' pred.csv
# inductive: another collection with the model's widths works, other widths are refused
"$GAT" generate ppi-like --out other/ppi --scale 0.02 --seed 8 --quiet
"$GAT" predict --model "$model" --data-dir other --split test --out pred2.csv
check "predicts on unseen graphs" test "$(wc -l < pred2.csv)" -gt 1
"$GAT" generate ppi-like --out f40/ppi --scale 0.02 --features 40 --quiet
expect_error "other feature width" "the model reads 50 input features but dataset 'ppi' has 40" \
    "$GAT" predict --model "$model" --data-dir f40
"$GAT" generate ppi-like --out l100/ppi --scale 0.02 --labels 100 --quiet
expect_error "other label width" "the model predicts 121 labels but dataset 'ppi' has 100" \
    "$GAT" predict --model "$model" --data-dir l100
finish
