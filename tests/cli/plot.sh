# gat plot and gat train --plot: help, bad options and runs (one clear line, non-zero exit),
# default output paths, valid PNG/SVG for one and several runs.
. "$(dirname "$0")/lib.bash"
cd "$TMP"
need_xmllint

out=$("$GAT" plot --help)
for opt in --out --format --smooth --logx --title --scale; do
    check "help lists $opt" grep -q -- "$opt" <<<"$out"
done
check "help gives the smoothing default" grep -q "default: 0.6" <<<"$out"
check "gat --help lists plot" grep -q "plot" <<<"$("$GAT" --help)"
check "gat train --help lists --plot" grep -q -- "--plot" <<<"$("$GAT" train --help)"

# Two hand-written runs, as gat train writes them.
mkdir -p runs/a runs/b
{
    echo "epoch,wall_time,training_loss,training_acc,val_loss,val_acc,test_acc"
    for e in $(seq 1 60); do
        awk -v e="$e" 'BEGIN { printf "%d,%.3f,%.4f,%.4f,%.4f,%.4f,\n", e, 1000 + e, 2 * exp(-e / 20) + .3, .9 - .5 * exp(-e / 10), 2 * exp(-e / 25) + .4, .8 - .5 * exp(-e / 12) }'
    done
    echo "60,1061,,,,,0.81"
} >runs/a/metrics.csv
head -31 runs/a/metrics.csv >runs/b/metrics.csv
echo '{"config": {"dataset_name": "toy", "seed": 7}}' >runs/a/config.json

"$GAT" plot runs/a >out.txt
check "plot one run exits 0" [ $? -eq 0 ]
check "default output in the run folder" png_ok runs/a/curves.png
check "svg too" svg_ok runs/a/curves.svg
check "paths printed" grep -q "runs/a/curves.png" out.txt
"$GAT" plot runs/a runs/b/ >out.txt
check "plot two runs exits 0" [ $? -eq 0 ]
check "two runs: runs/compare.png" png_ok runs/compare.png
check "two runs: runs/compare.svg" svg_ok runs/compare.svg
"$GAT" plot runs/a runs/b --out "$TMP/new/folder/cmp" --format svg --smooth 0 --logx --title "Two runs" >/dev/null
check "--out creates its folder, svg only" svg_ok new/folder/cmp.svg
check "no png with --format svg" [ ! -e new/folder/cmp.png ]

# gat plot DIR/* twice: the second time the first one's pictures are among the paths and
# are skipped (and other paths that are not runs, with a note).
mkdir -p glob/r1 glob/r2
cp runs/a/metrics.csv glob/r1/ && cp runs/a/metrics.csv glob/r2/
echo '{"config": {"dataset_name": "cora", "lr": 0.01, "seed": 1, "threads": 1}}' >glob/r1/config.json
echo '{"config": {"dataset_name": "cora", "lr": 0.005, "seed": 1, "threads": 2}}' >glob/r2/config.json
"$GAT" plot glob/* >out1.txt 2>err1.txt
check "glob: first plot exits 0" [ $? -eq 0 ]
check "glob: glob/compare.svg" svg_ok glob/compare.svg
"$GAT" plot glob/* >out2.txt 2>err2.txt
check "glob: second plot exits 0 (its own pictures skipped)" [ $? -eq 0 ]
check "glob: second plot quiet about its own pictures" [ ! -s err2.txt ]
check "glob: second plot rewrites the picture" grep -q "glob/compare.png" out2.txt
echo notes >glob/notes.txt
mkdir -p glob/empty
"$GAT" plot glob/* >/dev/null 2>err3.txt
check "glob: other paths skipped with a note" grep -q "skipping glob/notes.txt: not a run" err3.txt
check "glob: a folder without metrics.csv skipped with a note" grep -q "skipping glob/empty: not a run" err3.txt
# (the labels themselves: test_plot_runs; the pictures hold text as glyphs)
"$GAT" plot glob/r1 glob/r2 --label "first try" --label "second" --out labelled --format svg >/dev/null
check "--label accepted, once per run" svg_ok labelled.svg
expect_error "more labels than runs" "3 --label options for 2 runs" "$GAT" plot glob/r1 glob/r2 --label a --label b --label c
expect_error "no run among the paths" "none of the 2 paths is a run folder" "$GAT" plot glob/compare.png glob/compare.svg
expect_error "a missing path among several" "glob/nosuch" "$GAT" plot glob/r1 glob/nosuch

expect_error "no runs" "give at least one run folder" "$GAT" plot
expect_error "unknown option" "unknown option '--bogus'" "$GAT" plot runs/a --bogus
expect_error "smooth out of range" "--smooth" "$GAT" plot runs/a --smooth 1
expect_error "smooth not a number" "--smooth" "$GAT" plot runs/a --smooth abc
expect_error "bad format" "--format: 'gif'" "$GAT" plot runs/a --format gif
expect_error "missing run" "runs/nosuch" "$GAT" plot runs/nosuch
mkdir -p runs/empty && echo "epoch,wall_time,val_acc" >runs/empty/metrics.csv
expect_error "run without epochs" "no epochs yet" "$GAT" plot runs/empty
printf 'epoch,val_acc\n1,0.5\n2,zz\n' >runs/bad.csv && mkdir -p runs/bad && mv runs/bad.csv runs/bad/metrics.csv
expect_error "malformed metrics.csv" "metrics.csv" "$GAT" plot runs/bad
touch blocker
expect_error "unwritable output" "blocker" "$GAT" plot runs/a --out blocker/x/curves
"$GAT" plot >/dev/null 2>&1
check "usage errors exit 2" [ $? -eq 2 ]

if need_data; then
    "$GAT" train --num_of_epochs 40 --checkpoint_freq 0 --models-dir "$TMP/models" --logdir "$TMP/trainruns" \
        --plot --threads 1 --enable_tensorboard --should_test >train.txt 2>&1
    check "train --plot exits 0" [ $? -eq 0 ]
    run=$(ls -d trainruns/*/ | head -1)
    check "train --plot: curves.png" png_ok "${run}curves.png"
    check "train --plot: curves.svg" svg_ok "${run}curves.svg"
    check "train --plot prints the paths" grep -q "curves.png" train.txt
    # The events file of a real run, through the independent checker (shell CRC32C and
    # protoc --decode_raw): every record whole, the file_version first, 4 scalars per epoch
    # for 40 epochs, then test_acc.
    ev=$(ls "${run}"events.out.tfevents.* 2>/dev/null | head -1)
    check "events file in the run folder" [ -n "$ev" ]
    if [ -n "$ev" ]; then
        bash "$(dirname "$0")/../tools/tfevents_check.sh" "$ev" >decoded.txt 2>&1
        check "events file passes the checker" [ $? -eq 0 ]
        check "162 records" grep -q "^162 records" decoded.txt
        check "every CRC ok" [ "$(grep -c 'crc ok' decoded.txt)" -eq 162 ]
        check "file_version first" grep -q '3: "brain.Event:2"' <(sed -n 2,3p decoded.txt)
        for tag in training_loss training_acc val_loss val_acc; do
            check "tag $tag 40 times" [ "$(grep -c "1: \"$tag\"" decoded.txt)" -eq 40 ]
        done
        check "test_acc once" [ "$(grep -c '1: "test_acc"' decoded.txt)" -eq 1 ]
        # steps count epochs from 0 as pytorch-GAT's: epochs 1..40 are steps 0..39 (step 0
        # is proto3's default, so it is not written)
        check "last step 39" grep -q "^2: 39$" decoded.txt
        check "no step 40" bash -c '! grep -q "^2: 40$" decoded.txt'
        check "metrics.csv: one row per epoch" [ "$(wc -l < "${run}metrics.csv")" -eq 41 ]
        check "metrics.csv: no test column" bash -c "! head -1 '${run}metrics.csv' | grep -q test_acc"
        check "results.json: test accuracy" grep -q '"test_acc": 0\.[0-9]' "${run}results.json"
    fi
fi
finish
