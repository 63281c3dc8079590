#!/usr/bin/env bash
# Regenerate every picture of the README (docs/images/*.png) from scratch:
#   bash scripts/make-readme-pictures.sh            (needs a build: build/gat, or BUILD=dir)
#   VECTORS=/tmp/logits.npy bash scripts/make-readme-pictures.sh   also keeps the t-SNE input
#       (for bench/tsne_compare.py compare, the scikit-learn figures of the t-SNE caption)
# Cora comes from the repository's data/ (or GAT_DATA_DIR). The steps:
#   1. gat visualize dataset on Cora                   -> cora_graph.png, cora_degrees.png
#   2. a default Cora run, seed 1, one thread          -> cora_curves.png (gat plot)
#   3. its model: attention of nodes 48 and 1358,      -> cora_attention_node48.png,
#      entropy of layer 0, t-SNE of the logits            cora_attention_node1358_heads.png,
#                                                         cora_entropy_layer0.png, cora_tsne.png
#   4. a synthetic graph where attention is not uniform (gat generate graph: 2000 nodes,
#      4 classes, homophily 0.5, dense noisy features), 300 epochs, dropout 0.2
#                                                      -> synthetic_entropy_layer0.png
#   5. gat profile on Cora, GAT and GATv2, 7 repeats      -> cora_profile.png (its table is
#      printed: docs/annotated-gat.md, section 4, quotes it; the timings depend on the machine
#      and its load, so run this step when the machine is otherwise idle: PROFILE=0 skips it)
# The PPI pictures (ppi_*.png) come from a run at PPI's scale, about 1.5 hours on one
# thread; docs/annotated-gat.md, section 5, gives its commands.
# Everything is deterministic for the seeds given (the same bits on any thread count), so
# only the timings printed on the console vary between machines. The console of every step
# is printed: it holds the figures the README's captions quote (components, neighbours,
# entropy differences, t-SNE scores and times, test accuracies).
set -euo pipefail
cd "$(dirname "$0")/.."
GAT=${BUILD:-build}/gat
[ -x "$GAT" ] || { echo "make-readme-pictures: no $GAT; build first (cmake -S . -B build && cmake --build build)" >&2; exit 1; }
export GAT_DATA_DIR=${GAT_DATA_DIR:-$PWD/data}
out=docs/images
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
step() { echo "== $*"; }

step "dataset pictures"
"$GAT" visualize dataset --dataset cora --out "$tmp/ds" --format png
cp "$tmp/ds/cora_graph.png" "$tmp/ds/cora_degrees.png" "$out/"

step "a default Cora run (seed 1)"
"$GAT" train --dataset cora --seed 1 --threads 1 --checkpoint_freq 0 --should_test \
    --models-dir "$tmp/models" --logdir "$tmp/runs" --quiet
run=$(ls -d "$tmp"/runs/*/ | head -1)
"$GAT" plot "$run" --out "$tmp/curves" --format png >/dev/null
cp "$tmp/curves.png" "$out/cora_curves.png"
M=$(ls "$tmp"/models/binaries/*.safetensors | head -1)

step "inside the model"
"$GAT" visualize attention --model "$M" --nodes 48,1358 --layer 0 --head 0 --out "$tmp/att" --format png
cp "$tmp/att/cora_attention_node48_layer0_head0.png" "$out/cora_attention_node48.png"
cp "$tmp/att/cora_attention_node1358_layer0_heads.png" "$out/cora_attention_node1358_heads.png"
"$GAT" visualize entropy --model "$M" --layer 0 --out "$tmp/ent" --format png
cp "$tmp/ent/cora_entropy_layer0.png" "$out/cora_entropy_layer0.png"
"$GAT" visualize embeddings --model "$M" --out "$tmp/emb" --format png --save-vectors "${VECTORS:-$tmp/logits.npy}"
cp "$tmp/emb/"cora_tsne_layer*.png "$out/cora_tsne.png"

step "a graph whose attention is not uniform"
"$GAT" generate graph --out "$tmp/data/synthetic" --nodes 2000 --avg-degree 8 --classes 4 --homophily 0.5 \
    --features 32 --dense --noise 1.5 --train-size 0.5 --val-size 0.2 --test-size 0.3 --seed 1 --quiet
"$GAT" train --data-dir "$tmp/data" --dataset synthetic --num_of_epochs 300 --dropout 0.2 --seed 1 --threads 1 \
    --checkpoint_freq 0 --should_test --models-dir "$tmp/smodels" --logdir "$tmp/sruns" --quiet
S=$(ls "$tmp"/smodels/binaries/*.safetensors | head -1)
"$GAT" visualize entropy --data-dir "$tmp/data" --model "$S" --layer 0 --out "$tmp/sent" --format png
cp "$tmp/sent/synthetic_entropy_layer0.png" "$out/synthetic_entropy_layer0.png"
if [ "${PROFILE:-1}" != 0 ]; then
    step "the attention implementations profiled on Cora"
    "$GAT" profile --dataset cora --attention_type gat,gatv2 --repeats 7 --out "$tmp/profile" --format png
    cp "$tmp/profile.png" "$out/cora_profile.png"
fi
echo "pictures written to $out/"
