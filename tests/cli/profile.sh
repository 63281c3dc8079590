# gat profile: the table (every op, every implementation, finite times), the chart (PNG and
# SVG), dense left out with a note above its node limit, GATv2 alone and beside GAT (its
# dense column n/a, with the reason), and bad options refused.
. "$(dirname "$0")/lib.bash"
need_xmllint
cd "$TMP"
"$GAT" generate graph --out data/syn --nodes 400 --classes 3 --features 30 --seed 2 --val-size 100 --test-size 100 --quiet
"$GAT" profile --data-dir data --dataset syn --repeats 2 --out out/prof > prof.out
for op in "forward" "backward" "  layer 0 attention forward" "  layer 1 attention backward" "step \(forward \+ backward\)" "  x fused" "memory \(MB\)"; do
    check "row '$op'" grep -Eq "^$op +[0-9]+\.[0-9]+ +[0-9]+\.[0-9]+ +[0-9]+\.[0-9]+$" prof.out
done
check "header" grep -Eq "^op \(ms, median\) +fused +edges +dense$" prof.out
check "fused relative to itself" grep -Eq "^  x fused +1\.0 " prof.out
check "dense holds more memory" awk '/^memory/ { exit !($5 > $3 + 1) }' prof.out
check "png" png_ok out/prof.png
check "svg" svg_ok out/prof.svg
check "paths printed" grep -q "^out/prof.png$" prof.out
"$GAT" profile --data-dir data --dataset syn --repeats 1 --impl edges --format svg --out out/one > one.out
check "one implementation" grep -Eq "^op \(ms, median\) +edges$" one.out
check "svg only" sh -c "test -s out/one.svg && test ! -e out/one.png"
# GATv2: fused and edges measured, dense not available, and why
"$GAT" profile --data-dir data --dataset syn --repeats 1 --attention_type gatv2 --out out/v2 > v2.out
check "gatv2 header" grep -Eq "^op \(ms, median\) +fused +edges +dense$" v2.out
for op in "forward" "backward" "  layer 0 attention forward" "  layer 1 attention backward" "memory \(MB\)"; do
    check "gatv2 row '$op'" grep -Eq "^$op +[0-9]+\.[0-9]+ +[0-9]+\.[0-9]+ +n/a$" v2.out
done
check "gatv2 dense: the reason" grep -q "^n/a: gatv2 dense: dense is not available for gatv2 (its N x N scores" v2.out
check "gatv2 subtitle" grep -q "; GATv2 8x8, 1x3 heads" v2.out
check "gatv2 png" png_ok out/v2.png
# both types in one table: gatv2 keeps t (N x H x F) and its gradient, so it holds more memory
"$GAT" profile --data-dir data --dataset syn --repeats 1 --attention_type gat,gatv2 --out out/both > both.out
check "both: type row" grep -Eq "^attention +gat +gat +gat +gatv2 +gatv2 +gatv2$" both.out
check "both: impl row" grep -Eq "^op \(ms, median\) +fused +edges +dense +fused +edges +dense$" both.out
check "both: six columns" grep -Eq "^step \(forward \+ backward\)( +[0-9]+\.[0-9]+){5} +n/a$" both.out
check "both: relative to gat fused" grep -Eq "^  x gat fused +1\.0 " both.out
check "both: gatv2 fused holds more than gat fused" awk '/^memory/ { exit !($6 > $3 + 0.1) }' both.out
check "both: png" png_ok out/both.png
check "both: svg" svg_ok out/both.svg
"$GAT" profile --data-dir data --dataset syn --repeats 1 --attention_type gatv2 --share_weights true --impl fused \
    --format png --out out/shared > shared.out
check "gatv2 with shared weights" grep -Eq "^step \(forward \+ backward\) +[0-9]+\.[0-9]+$" shared.out
"$GAT" generate graph --out data/big --nodes 5001 --classes 2 --features 4 --avg-degree 2 --train-size 5 --val-size 5 --test-size 5 --quiet
"$GAT" profile --data-dir data --dataset big --repeats 1 --impl fused,dense --format png --out out/big 2> big.err > big.out
check "dense named explicitly is refused above its limit" grep -q "gat: error: --attention_impl: dense attention holds" big.err
"$GAT" profile --data-dir data --dataset big --repeats 1 --format png --out out/big > big.out
check "dense left out with a note" grep -q "^note: dense left out: big has 5001 nodes" big.out
check "the others run" grep -Eq "^op \(ms, median\) +fused +edges$" big.out
"$GAT" profile --data-dir data --dataset big --repeats 1 --format png --attention_type gatv2,gat --out out/big2 > big2.out
check "both types, dense left out" grep -Eq "^op \(ms, median\) +fused +edges +fused +edges$" big2.out
check "types in the order given" grep -Eq "^attention +gatv2 +gatv2 +gat +gat$" big2.out
expect_error "bad impl" "--impl: 'sparse' is not fused, edges or dense" "$GAT" profile --impl sparse
expect_error "impl twice" "--impl: 'edges' is listed twice" "$GAT" profile --impl edges,edges
expect_error "bad type" "--attention_type: 'gatv3' is not gat or gatv2" "$GAT" profile --attention_type gatv3
expect_error "type twice" "--attention_type: 'gat' is listed twice" "$GAT" profile --attention_type gat,gat
expect_error "empty type" "--attention_type: give at least one of gat or gatv2" "$GAT" profile --attention_type ,
expect_error "shared weights without gatv2" "--share_weights: a gatv2 setting" "$GAT" profile --share_weights true
expect_error "gatv2 has no dense" "--impl: dense is not available for gatv2" "$GAT" profile --data-dir data --dataset syn \
    --attention_type gatv2 --impl dense
expect_error "repeats 0" "--repeats" "$GAT" profile --repeats 0
expect_error "unknown option" "unknown option '--bogus'" "$GAT" profile --bogus
expect_error "missing dataset" "dataset 'nope' not found" "$GAT" profile --data-dir data --dataset nope
"$GAT" profile --help | grep -q "usage: gat profile" && ok || fail "--help"
"$GAT" --help | grep -q "profile" && ok || fail "gat --help lists profile"
finish
