# gat train on Cora end to end: console output, checkpoints, model naming, test, info, predict.
. "$(dirname "$0")/lib.bash"
need_data
cd "$TMP"
out=$("$GAT" train --dataset cora --should-test --num_of_epochs 300 --checkpoint_freq 100 --seed 3 2>&1); rc=$?
check "train exits 0 ($out)" [ $rc -eq 0 ]
check "progress line" grep -q "GAT training: time elapsed= [0-9.]* \[s\] | epoch=101 | val acc=0\." <<<"$out"
check "test accuracy line" grep -q "^Test accuracy = 0\.[0-9]*$" <<<"$out"
acc=$(sed -n 's/^Test accuracy = //p' <<<"$out")
check "test accuracy $acc >= 0.75 after 300 epochs" awk -v a="$acc" 'BEGIN { exit !(a >= 0.75) }'
for e in 100 200 300; do check "checkpoint $e" [ -s models/checkpoints/gat_CORA_000000_ckpt_epoch_$e.safetensors ]; done
check "final model" [ -s models/binaries/gat_CORA_000000.safetensors ]
"$GAT" train --dataset cora --num_of_epochs 2 --checkpoint_freq 0 --quiet >/dev/null 2>&1
check "next free number" [ -s models/binaries/gat_CORA_000001.safetensors ]
check "no temporary files left" [ -z "$(find models -name '*.tmp.*')" ]
M=models/binaries/gat_CORA_000000.safetensors
tout=$("$GAT" test --model $M 2>&1)
check "gat test reproduces the accuracy ($tout)" grep -q "^Test accuracy = $acc," <<<"$tout"
info=$("$GAT" info --model $M)
check "info: projection shape" grep -q "gat_net.0.linear_proj.weight *(64, 1433)" <<<"$info"
check "info: scoring shape" grep -q "gat_net.1.scoring_fn_source *(1, 1, 7)" <<<"$info"
check "info: metadata" grep -q "dataset *cora" <<<"$info"
check "info: test accuracy" grep -q "test_accuracy *$acc" <<<"$info"
"$GAT" predict --model $M --out pred.csv
check "predict writes 2708 rows + header" [ "$(wc -l < pred.csv)" -eq 2709 ]
check "predict header" grep -q "^node,split,label,predicted,p_" pred.csv
check "predict rows sum to 1" awk -F, 'NR > 1 { s = 0; for (i = 5; i <= NF; i++) s += $i; if (s < 0.999 || s > 1.001) bad = 1 } END { exit bad }' pred.csv
pacc=$(awk -F, '$2 == "test" { n++; if ($3 == $4) c++ } END { printf "%.4f", c / n }' pred.csv)
check "predicted test accuracy $pacc matches $acc" [ "$pacc" = "$acc" ]
"$GAT" predict --model $M --split test > test.csv
check "predict --split test" [ "$(wc -l < test.csv)" -eq 1001 ]
finish
