# What a run leaves for people and programs: metrics.csv one row per epoch, the result in
# results.json, config.json with the values as given and JSON arrays, --quiet in one line,
# dataset and class names as people read them on the console, the reference scripts'
# default data folder.
. "$(dirname "$0")/lib.bash"
need_data
cd "$TMP"
run_train() { "$GAT" train --dataset cora --num_of_epochs 3 --checkpoint_freq 0 --threads 1 --models-dir m \
                  --logdir "$1" --dropout 0.6 "${@:2}"; }

out=$(run_train runs_q --quiet 2>&1); rc=$?
check "quiet run exits 0" [ $rc -eq 0 ]
check "quiet: exactly one line ($out)" [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ]
check "quiet: the result line" grep -qE '^Trained 3 epochs in [0-9.]+ s \([0-9.]+ ms/epoch\); best validation accuracy 0\.[0-9]{4} at epoch [1-3]' <<<"$out"
out=$(run_train runs_qt --quiet --should_test 2>&1)
check "quiet + test: exactly one line ($out)" [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ]
check "quiet + test: result and test accuracy" grep -qE '^Trained 3 epochs .*; test accuracy 0\.[0-9]{4}$' <<<"$out"

out=$(run_train runs --should_test 2>&1)
check "console: dataset named Cora" grep -q "^Dataset Cora: 2708 nodes" <<<"$out"
run=$(ls -d runs/*/ | head -1)
check "metrics.csv: header" [ "$(head -1 "${run}metrics.csv")" = "epoch,wall_time,training_loss,training_acc,val_loss,val_acc" ]
check "metrics.csv: one row per epoch (1..3)" [ "$(tail -n +2 "${run}metrics.csv" | cut -d, -f1 | tr '\n' ' ')" = "1 2 3 " ]
check "metrics.csv: every cell filled" bash -c "! grep -q ',,\|,\$' '${run}metrics.csv'"
acc=$(sed -n 's/^Test accuracy = //p' <<<"$out")
check "results.json: format" grep -q '"format": "gat-run-results"' "${run}results.json"
check "results.json: epochs an integer" grep -q '"epochs": 3,' "${run}results.json"
racc=$(sed -n 's/^ *"test_acc": \([0-9.e-]*\),$/\1/p' "${run}results.json")
check "results.json: test accuracy '$racc' is the printed $acc" awk -v a="$acc" -v b="$racc" 'BEGIN { exit !(b != "" && a - b < 5e-5 && b - a < 5e-5) }'
check "results.json: the model file" grep -q '"model": "m/binaries/gat_CORA_[0-9]*.safetensors"' "${run}results.json"
check "results.json: stop reason" grep -q '"stop_reason": "max_epochs"' "${run}results.json"
check "console: CPU time of the training" grep -qE '^CPU time of the training: [0-9.]+ s \([0-9.]+ ms/epoch, all threads\)$' <<<"$out"
cpu=$(sed -n 's/^ *"train_cpu_seconds": \([0-9.e-]*\),$/\1/p' "${run}results.json")
check "results.json: the training's CPU seconds ($cpu)" awk -v c="$cpu" 'BEGIN { exit !(c != "" && c > 0) }'
untested=$(ls -d runs_q/*/ | head -1)
check "results.json: untested run has test_acc null" grep -q '"test_acc": null,' "${untested}results.json"
check "config.json: dropout as given" grep -q '"dropout": 0.6,' "${run}config.json"
check "config.json: heads as an array" grep -q '"num_heads_per_layer": \[8, 1\],' "${run}config.json"
check "config.json: features as an array" grep -q '"num_features_per_layer": \[8, 7\],' "${run}config.json"
check "config.json: lr" grep -q '"lr": 0.005,' "${run}config.json"
check "config.json: no float32 digits" bash -c "! grep -q '0000000' '${run}config.json'"
check "config.json: metrics without test_acc" grep -q '"metrics": \["training_loss", "training_acc", "val_loss", "val_acc"\]' "${run}config.json"

out=$("$GAT" visualize dataset --dataset cora --summary-only 2>&1)
check "summary: Cora" grep -q "^Cora: network summary" <<<"$out"
check "summary: class names with spaces" grep -q " Reinforcement Learning " <<<"$out"
check "summary: no underscores in class names" bash -c "! grep -q 'Reinforcement_Learning' <<<'$out'"
M=$(ls m/binaries/*.safetensors | head -1)
"$GAT" predict --model "$M" --out pred.csv
check "predict CSV header stays machine-friendly" grep -q "p_Reinforcement_Learning" pred.csv

# reference/*.py default to the repository's data/ (not a development-only path)
src=${GAT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
check "reference default is the repository's data/" grep -q '^DEFAULT_DATA_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "data"))$' "$src/reference/gat_reference.py"
check "load_in_pytorch uses that default" grep -q 'from gat_reference import DEFAULT_DATA_DIR' "$src/reference/load_in_pytorch.py"
check "the repository's data/ holds cora" [ -f "$src/data/cora/edge_index.npy" ]
check "no /work path left in reference/" bash -c "! grep -q '/work/' '$src'/reference/*.py"
finish
