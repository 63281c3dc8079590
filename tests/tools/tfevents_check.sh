#!/usr/bin/env bash
# tfevents_check.sh FILE - an independent check of a TensorBoard events file, sharing no code
# with src/tfevents.c: cuts the TFRecord framing with od/dd, checks both masked CRC32Cs with a
# bit-at-a-time CRC in bash arithmetic, and decodes each payload with `protoc --decode_raw`.
# Prints, per record:
#     record <i> at <offset>: <length> bytes, crc ok
#     <protoc --decode_raw output>
# and ends with "<n> records"; exits 1 on a CRC mismatch, a truncated record, or no protoc.
set -euo pipefail
file=${1:?usage: tfevents_check.sh FILE}
command -v protoc >/dev/null || { echo "tfevents_check: protoc not found (apt-get install protobuf-compiler)" >&2; exit 1; }

# CRC-32C (Castagnoli, reflected 0x82F63B78) of the byte values in the arguments.
crc32c() {
    local crc=$((0xFFFFFFFF)) b k
    for b in "$@"; do
        crc=$((crc ^ b))
        for k in 1 2 3 4 5 6 7 8; do
            if ((crc & 1)); then crc=$(((crc >> 1) ^ 0x82F63B78)); else crc=$((crc >> 1)); fi
        done
    done
    echo $((crc ^ 0xFFFFFFFF))
}
masked() { echo $(((((($1 >> 15) | ($1 << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF)); }
le() { # little-endian unsigned integer from byte values
    local v=0 i
    for ((i = $#; i >= 1; i--)); do v=$(((v << 8) | ${!i})); done
    echo "$v"
}

# Self-test of the CRC on the standard check value.
check=$(crc32c 49 50 51 52 53 54 55 56 57)   # "123456789"
[ "$check" -eq $((0xE3069283)) ] || { echo "tfevents_check: CRC32C self-test failed ($check)" >&2; exit 1; }

read -r -a bytes <<<"$(od -An -v -tu1 "$file" | tr -s ' \n' '  ')"
size=${#bytes[@]}
off=0
i=0
while ((off < size)); do
    if ((size - off < 16)); then echo "record $i at $off: truncated header" >&2; exit 1; fi
    len=$(le "${bytes[@]:off:8}")
    want=$(le "${bytes[@]:off+8:4}")
    got=$(masked "$(crc32c "${bytes[@]:off:8}")")
    if ((want != got)); then echo "record $i at $off: length CRC mismatch" >&2; exit 1; fi
    if ((size - off - 16 < len)); then echo "record $i at $off: truncated payload" >&2; exit 1; fi
    want=$(le "${bytes[@]:off+12+len:4}")
    got=$(masked "$(crc32c "${bytes[@]:off+12:len}")")
    if ((want != got)); then echo "record $i at $off: data CRC mismatch" >&2; exit 1; fi
    echo "record $i at $off: $len bytes, crc ok"
    dd if="$file" bs=1 skip=$((off + 12)) count="$len" status=none | protoc --decode_raw
    off=$((off + 16 + len))
    i=$((i + 1))
done
echo "$i records"
