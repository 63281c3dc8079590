# gat visualize attention | entropy | embeddings: help, bad options and bad model files
# (one clear line, non-zero exit), and on Cora with a briefly trained model: valid
# pictures, the console figures, the t-SNE CSV and the attention dump.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
need_xmllint

for pic in attention entropy embeddings; do
    out=$("$GAT" visualize "$pic" --help)
    for opt in --model --dataset --data-dir --out --format --scale --dump-attention; do
        check "$pic help lists $opt" grep -q -- "$opt" <<<"$out"
    done
    check "visualize --help lists $pic" grep -q "$pic" <<<"$("$GAT" visualize --help)"
    expect_error "$pic without a model" "--model FILE is required" "$GAT" visualize "$pic"
    expect_error "$pic unknown option" "unknown option '--bogus'" "$GAT" visualize "$pic" --model x --bogus
    expect_error "$pic missing model file" "nosuch.safetensors" "$GAT" visualize "$pic" --model nosuch.safetensors
done
out=$("$GAT" visualize attention --help)
for opt in --nodes --layer --head --layout --seed --top --random; do check "attention help lists $opt" grep -q -- "$opt" <<<"$out"; done
out=$("$GAT" visualize embeddings --help)
for opt in --perplexity --iterations --learning-rate --early-exaggeration --method --theta --init --seed --csv; do
    check "embeddings help lists $opt" grep -q -- "$opt" <<<"$out"
done
expect_error "option of another picture" "--bins does not apply to 'gat visualize attention'" \
    "$GAT" visualize attention --model x --bins 10
expect_error "t-SNE option on entropy" "--perplexity does not apply" "$GAT" visualize entropy --model x --perplexity 5
printf 'not a model' >garbage.safetensors
expect_error "corrupt model file" "garbage.safetensors" "$GAT" visualize entropy --model garbage.safetensors
"$GAT" visualize entropy >/dev/null 2>&1
check "usage errors exit 2" [ $? -eq 2 ]

if need_data; then
    "$GAT" train --num_of_epochs 30 --checkpoint_freq 0 --models-dir models --logdir runs --quiet --threads 1 >/dev/null
    M=models/binaries/gat_CORA_000000.safetensors
    check "model trained" [ -f "$M" ]

    "$GAT" visualize attention --model "$M" --nodes 1358,5 --out figs >att.txt 2>err.txt
    check "attention exits 0" [ $? -eq 0 ]
    check "attention: no stderr" [ ! -s err.txt ]
    check "attention prints node 1358's neighbourhood" grep -Eq "node 1358 \(.*, 168 neighbours \+ self loop\): min 0\.[0-9]+, max 0\.[0-9]+, uniform 0\.0059" att.txt
    for f in cora_attention_node1358_layer0_head0 cora_attention_node1358_layer0_heads cora_attention_node5_layer0_head0; do
        check "$f.png valid" png_ok "figs/$f.png"
        check "$f.svg valid" svg_ok "figs/$f.svg"
        check "$f path printed" grep -q "figs/$f.png" att.txt
    done
    "$GAT" visualize attention --model "$M" --nodes 0 --layer 1 --head mean --layout kk --format png --out figs >/dev/null
    check "layer 1, mean head, kk" png_ok figs/cora_attention_node0_layer1_headmean.png
    check "png only" [ ! -e figs/cora_attention_node0_layer1_headmean.svg ]
    check "one head: no all-heads figure" [ ! -e figs/cora_attention_node0_layer1_heads.png ]
    "$GAT" visualize attention --model "$M" --top 2 --random 1 --seed 3 --out defaults >def.txt
    check "default nodes: the highest degree first" grep -q "node 1358 " def.txt
    check "default nodes: three" [ "$(grep -c '^  node ' def.txt)" -eq 3 ]
    expect_error "head out of range" "--head: '8' is not a head of layer 0 (0..7, or mean)" "$GAT" visualize attention --model "$M" --head 8
    expect_error "layer out of range" "--layer: '2'" "$GAT" visualize attention --model "$M" --layer 2
    expect_error "node out of range" "node 2708 is out of range, cora has 2708 nodes" "$GAT" visualize attention --model "$M" --nodes 1,2708
    expect_error "node not a number" "--nodes: 'x' is not a node id" "$GAT" visualize attention --model "$M" --nodes x
    expect_error "bad layout" "--layout: 'circle'" "$GAT" visualize attention --model "$M" --layout circle

    "$GAT" visualize entropy --model "$M" --out figs --dump-attention att.npy >ent.txt
    check "entropy exits 0" [ $? -eq 0 ]
    check "entropy prints uniform" grep -q "uniform attention" ent.txt
    for l in 0 1; do
        check "entropy layer $l png" png_ok "figs/cora_entropy_layer$l.png"
        check "entropy layer $l svg" svg_ok "figs/cora_entropy_layer$l.svg"
    done
    check "attention dump" [ "$(head -c 6 att.npy | tail -c 5)" = "NUMPY" ]
    check "attention dump edges" [ "$(head -c 6 att_edge_index.npy | tail -c 5)" = "NUMPY" ]
    check "dump shape (13264, 9)" grep -q "'shape': (13264, 9)" att.npy
    check "edge_index shape (2, 13264) as the dataset's" grep -q "'shape': (2, 13264)" att_edge_index.npy
    check "input edge index shape (13264,)" grep -q "'shape': (13264,)" att_input_edge.npy
    "$GAT" visualize entropy --model "$M" --layer 1 --bins 10 --out one --dump-attention att.npz >/dev/null
    check "one layer only" [ -e one/cora_entropy_layer1.png ] && [ ! -e one/cora_entropy_layer0.png ]
    check "npz dump" [ "$(head -c 2 att.npz)" = "PK" ]
    expect_error "entropy layer" "--layer: 'x'" "$GAT" visualize entropy --model "$M" --layer x
    expect_error "unwritable dump" "nodir" "$GAT" visualize entropy --model "$M" --out figs --dump-attention nodir/sub/att.npy

    "$GAT" visualize embeddings --model "$M" --out figs --iterations 300 --csv emb.csv --save-vectors logits.npy >emb.txt
    check "embeddings exits 0" [ $? -eq 0 ]
    check "embeddings png" png_ok figs/cora_tsne_layer1.png
    check "embeddings svg" svg_ok figs/cora_tsne_layer1.svg
    check "csv header" [ "$(head -1 emb.csv)" = "node,x,y,label" ]
    check "csv rows" [ "$(wc -l <emb.csv)" -eq 2709 ]
    check "trustworthiness printed" grep -q "trustworthiness@10 0\." emb.txt
    check "kNN agreement printed" grep -q "kNN class agreement@10 0\." emb.txt
    check "vectors saved" grep -q "'shape': (2708, 7)" logits.npy
    "$GAT" visualize embeddings --model "$M" --layer 0 --iterations 100 --init pca --no-metrics --out figs --format svg >l0.txt
    check "hidden layer embeddings" svg_ok figs/cora_tsne_layer0.svg
    check "hidden layer is 64-D" grep -q "(2708 x 64)" l0.txt
    expect_error "perplexity too large" "--perplexity: 5000 must be below" "$GAT" visualize embeddings --model "$M" --perplexity 5000
    expect_error "bad method" "--method: 'fast'" "$GAT" visualize embeddings --model "$M" --method fast
    expect_error "bad init" "--init: 'zero'" "$GAT" visualize embeddings --model "$M" --init zero
    expect_error "unwritable csv, before t-SNE" "--csv: nodir/e.csv: folder nodir is missing" \
        "$GAT" visualize embeddings --model "$M" --csv nodir/e.csv --out figs

    # a truncated model file, and a model of another dataset
    head -c 2000 "$M" >trunc.safetensors
    expect_error "truncated model" "trunc.safetensors" "$GAT" visualize entropy --model trunc.safetensors
    if need_data; then
        "$GAT" train --dataset citeseer --num_of_epochs 5 --checkpoint_freq 0 --models-dir cs --logdir runs --quiet >/dev/null
        expect_error "model of another dataset" "a model of another dataset" \
            "$GAT" visualize entropy --model cs/binaries/gat_CITESEER_000000.safetensors --dataset cora
    fi
fi
finish
