#!/usr/bin/env bash
# Regenerate the seed corpora of the fuzz harnesses, tests/fuzz/corpus/<target>/:
#   bash tests/fuzz/make-corpus.sh [build dir]     (default build-fuzz; needs its make_corpus)
# Copies the reader fixtures of tests/fixtures, then runs make_corpus for Cora slices, tiny
# model files and a three-epoch run folder (config.json, metrics.csv, events file). Files the
# fuzzer found (crash-*/regression inputs) live beside them and are kept.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build-fuzz}
corpus=$src/tests/fuzz/corpus
fx=$src/tests/fixtures
mkdir -p "$corpus"/{npy,npz,csr,json,safetensors,model,metrics_csv,run,tfevents}
cp "$fx"/io/*.npy "$corpus/npy/"
cp "$fx"/io/*.npz "$corpus/npz/"
cp "$fx"/io/csr_*.npz "$corpus/csr/"
cp "$fx"/io/model.safetensors "$corpus/safetensors/fixture.safetensors"
cp "$fx"/tfevents_reference.bin "$corpus/tfevents/reference.tfevents"
cp "$fx"/golden/cora/config.json "$corpus/json/golden_config.json"
run=$("$build/tests/fuzz/make_corpus" "$corpus" "${GAT_DATA_DIR:-$src/data}/cora")
cp "$run"/events.out.tfevents.* "$corpus/tfevents/run.tfevents"
rm -rf "$corpus/.run.tmp"
# safetensors headers as JSON
for f in "$corpus/safetensors/fixture.safetensors" "$corpus/model/tiny_2_layers.safetensors"; do
  n=$(od -An -tu8 -N8 "$f" | tr -d ' ')
  tail -c +9 "$f" | head -c "$n" > "$corpus/json/header_$(basename "$f" .safetensors).json"
done
printf '%s' '{"a":[1,-2.5e-3,true,false,null,{"b":"\u00e9\ud83d\ude00\n"}],"c":{}}' > "$corpus/json/kinds.json"
printf '%s' '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]' > "$corpus/json/deep.json"
printf 'epoch,wall_time,training_loss,val_acc\n1,0.5,1.9,\n2,1.0,,0.5\r\n\n3,1.5,1e-3,0.75\n4,2.0,1.' > "$corpus/metrics_csv/truncated_crlf.csv"
echo "corpora in $corpus:"
for d in "$corpus"/*/; do printf '  %-12s %3d files %7d bytes\n' "$(basename "$d")" "$(ls "$d" | wc -l)" "$(cat "$d"/* | wc -c)"; done
