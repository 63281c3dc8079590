#!/usr/bin/env bash
# The default data folder: the gat program of the build tree finds the repository's Cora
# from any working folder without --data-dir or GAT_DATA_DIR; GAT_DATA_DIR and --data-dir
# come first; a missing dataset names every folder tried.
source "$(dirname "$0")/lib.bash"
need_data
cd "$TMP"
mkdir -p elsewhere empty/cora && cd elsewhere
out=$(env -u GAT_DATA_DIR "$GAT" train --dataset cora --num_of_epochs 2 --checkpoint_freq 0 --threads 1 \
      --models-dir m --logdir r --should_test 2>&1); rc=$?
check "train from another folder, no GAT_DATA_DIR: exit 0 ($out)" [ $rc -eq 0 ]
check "train from another folder: tested" grep -q "Test accuracy" <<<"$out"
v=$(env -u GAT_DATA_DIR "$GAT" --version)
check "--version lists ./data" grep -q "data folders (searched in this order without --data-dir): data datasets" <<<"$v"
check "--version lists the source tree's data/ for the build-tree program" grep -q " $GAT_REPO_DATA" <<<"$v"
v=$(GAT_DATA_DIR=/some/where "$GAT" --version)
check "--version lists GAT_DATA_DIR first" grep -q "without --data-dir): /some/where data datasets" <<<"$v"
# GAT_DATA_DIR is searched first: an empty cora/ there is taken (and refused), not skipped
expect_error "GAT_DATA_DIR comes first" "empty/cora" env GAT_DATA_DIR="$TMP/empty" "$GAT" train --dataset cora --num_of_epochs 1
expect_error "--data-dir is the only folder" "looked in $TMP/nowhere/cora)" env -u GAT_DATA_DIR "$GAT" train --dataset cora --data-dir "$TMP/nowhere"
expect_error "unknown dataset names every folder" "looked in data/nosuch, datasets/nosuch, $GAT_REPO_DATA/nosuch" \
    env -u GAT_DATA_DIR "$GAT" train --dataset nosuch
finish
