#!/usr/bin/env bash
# The independent events-file checker (tests/tools/tfevents_check.sh: shell CRC32C + protoc
# --decode_raw) on the file written by TensorBoard's own Python writer must print the golden
# output that test_tfevents compares our writer's file with. This keeps the checker and the
# golden file honest on their own. $1 (the gat binary) is not used.
set -euo pipefail
src=${GAT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
out=$(bash "$src/tests/tools/tfevents_check.sh" "$src/tests/fixtures/tfevents_reference.bin")
diff <(printf '%s\n' "$out") "$src/tests/fixtures/tfevents_reference.expected"
echo "ok: checker output matches tfevents_reference.expected"
