# gat visualize dataset: help, bad options (one clear line, exit 2), and on Cora the
# summary numbers and valid PNG/SVG pictures in the --out folder.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
need_xmllint

out=$("$GAT" visualize --help)
check "visualize --help lists dataset" grep -q "dataset" <<<"$out"
out=$("$GAT" visualize dataset --help)
for opt in --dataset --data-dir --out --layout --seed --format --scale --dpi --max-nodes --summary-only; do
    check "help lists $opt" grep -q -- "$opt" <<<"$out"
done
check "help gives defaults" grep -q "default: auto" <<<"$out"
check "gat --help lists visualize" grep -q "visualize" <<<"$("$GAT" --help)"

expect_error "unknown picture" "unknown picture 'nosuch'" "$GAT" visualize nosuch
expect_error "unknown option" "unknown option '--bogus'" "$GAT" visualize dataset --bogus
expect_error "bad layout" "--layout: 'spring'" "$GAT" visualize dataset --layout spring
expect_error "bad format" "--format: 'gif'" "$GAT" visualize dataset --format gif
expect_error "bad scale" "--scale" "$GAT" visualize dataset --scale 100
expect_error "scale and dpi" "--scale and --dpi" "$GAT" visualize dataset --scale 2 --dpi 300
expect_error "seed not a number" "--seed: 'x' is not an integer" "$GAT" visualize dataset --seed x
expect_error "missing value" "--out needs a value" "$GAT" visualize dataset --out
expect_error "missing dataset" "nosuch" "$GAT" visualize dataset --dataset nosuch --data-dir "$TMP"
"$GAT" visualize dataset --bogus >/dev/null 2>&1
check "usage errors exit 2" [ $? -eq 2 ]

if need_data; then
    "$GAT" visualize dataset --dataset cora --out "$TMP/figs" >summary.txt 2>err.txt
    check "cora exits 0" [ $? -eq 0 ]
    check "no stderr" [ ! -s err.txt ]
    check "summary: nodes" grep -Eq "nodes +2708" summary.txt
    check "summary: node 1358 has 168 neighbours" grep -q "max 168 (node 1358 has 168 neighbours)" summary.txt
    check "summary: components" grep -Eq "connected components +78 \(the largest has 2485 nodes" summary.txt
    check "summary: self loops" grep -Eq "self loops +0" summary.txt
    check "summary: class names" grep -q "Neural Networks" summary.txt
    check "summary: split sizes" grep -Eq "total +2708 +140 +500 +1000" summary.txt
    for f in cora_graph cora_degrees; do
        check "$f.png valid" png_ok "figs/$f.png"
        check "$f.svg valid" svg_ok "figs/$f.svg"
        check "$f paths printed" grep -q "figs/$f.png" summary.txt
    done
    echo "cora pictures: $(sed -n 's/.*total \([0-9.]*\) s/\1/p' summary.txt) s"
    # One format, a fast layout, an explicit scale: PNG of 2x the SVG page in points.
    "$GAT" visualize dataset --out "$TMP/fr" --layout fr --format png --scale 1 --seed 3 >fr.txt
    check "fr exits 0" [ $? -eq 0 ]
    check "fr png only" [ -f fr/cora_graph.png ] && [ ! -e fr/cora_graph.svg ]
    check "png valid" png_ok fr/cora_graph.png
    "$GAT" visualize dataset --summary-only --out "$TMP/none" >/dev/null
    check "summary only draws nothing" [ ! -e none ]
    expect_error "too many nodes" "too many to draw" "$GAT" visualize dataset --max-nodes 100 --out "$TMP/big"
    # gat train --should_visualize: the same summary and pictures (into figures/cora), then training
    mkdir -p sv && (cd sv && "$GAT" train --should_visualize --num_of_epochs 3 --checkpoint_freq 0 >out.txt 2>err.txt)
    check "train --should_visualize exits 0" [ $? -eq 0 ]
    check "train --should_visualize: summary" grep -q "max 168 (node 1358 has 168 neighbours)" sv/out.txt
    check "train --should_visualize: graph png" png_ok sv/figures/cora/cora_graph.png
    check "train --should_visualize: degrees svg" svg_ok sv/figures/cora/cora_degrees.svg
    check "train --should_visualize: then trains" grep -q "Model saved to" sv/out.txt
    mkdir -p svq && (cd svq && "$GAT" train --should_visualize --quiet --num_of_epochs 3 --checkpoint_freq 0 >out.txt)
    check "--quiet: no summary" bash -c '! grep -q "network summary" svq/out.txt'
    check "--quiet: still draws" png_ok svq/figures/cora/cora_graph.png
    check "no temporary files left" [ -z "$(find . -name '*.tmp.*')" ]
fi
finish
