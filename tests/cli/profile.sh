# gat profile: the table (every op, every implementation, finite times), the chart (PNG and
# SVG), dense left out with a note above its node limit, and bad options refused.
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
check "dense holds more memory" awk '/^memory/ { exit !($4 > $2) }' prof.out
check "png" png_ok out/prof.png
check "svg" svg_ok out/prof.svg
check "paths printed" grep -q "^out/prof.png$" prof.out
"$GAT" profile --data-dir data --dataset syn --repeats 1 --impl edges --format svg --out out/one > one.out
check "one implementation" grep -Eq "^op \(ms, median\) +edges$" one.out
check "svg only" sh -c "test -s out/one.svg && test ! -e out/one.png"
"$GAT" generate graph --out data/big --nodes 5001 --classes 2 --features 4 --avg-degree 2 --train-size 5 --val-size 5 --test-size 5 --quiet
"$GAT" profile --data-dir data --dataset big --repeats 1 --impl fused,dense --format png --out out/big 2> big.err > big.out
check "dense named explicitly is refused above its limit" grep -q "gat: error: --attention_impl: dense attention holds" big.err
"$GAT" profile --data-dir data --dataset big --repeats 1 --format png --out out/big > big.out
check "dense left out with a note" grep -q "^note: dense left out: big has 5001 nodes" big.out
check "the others run" grep -Eq "^op \(ms, median\) +fused +edges$" big.out
expect_error "bad impl" "--impl: 'sparse' is not fused, edges or dense" "$GAT" profile --impl sparse
expect_error "impl twice" "--impl: 'edges' is listed twice" "$GAT" profile --impl edges,edges
expect_error "repeats 0" "--repeats" "$GAT" profile --repeats 0
expect_error "unknown option" "unknown option '--bogus'" "$GAT" profile --bogus
expect_error "missing dataset" "dataset 'nope' not found" "$GAT" profile --data-dir data --dataset nope
"$GAT" profile --help | grep -q "usage: gat profile" && ok || fail "--help"
"$GAT" --help | grep -q "profile" && ok || fail "gat --help lists profile"
finish
