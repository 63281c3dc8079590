#!/usr/bin/env bash
# The library from the outside, as a user gets it (CI runs this after the tests, as root):
# build the Debian package from BUILD (default build/, reconfigured for the /usr prefix),
# install it with apt-get (which pulls its Depends), then build examples/ twice as another
# project would, with pkg-config and with find_package(gat), and run the programs on the
# installed Cora (/usr/share/gat/data). The package is removed again at the end (purged: no
# configuration or folders left behind).
set -euo pipefail
cd "$(dirname "$0")/../.."
src=$(pwd)
BUILD=${BUILD:-build}
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
out=$(mktemp -d /tmp/gat-outside.XXXXXX)
trap 'rm -rf "$out"' EXIT
t0=$(date +%s)

echo "== Debian package"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
cmake --build "$BUILD" -j"$(nproc)" >/dev/null
rm -f "$BUILD"/gat_*.deb
(cd "$BUILD" && cpack -G DEB >/dev/null)
deb=$(ls "$(cd "$BUILD" && pwd)"/gat_*_amd64.deb)
dpkg-deb -f "$deb" Package Version Depends
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >/dev/null
trap '$SUDO env DEBIAN_FRONTEND=noninteractive apt-get remove --purge -y -qq gat >/dev/null; rm -rf "$out"' EXIT
lib=$(ls /usr/lib/*/libgat.so.0)
echo "installed: $(readlink -f "$lib") ($(stat -c %s "$(readlink -f "$lib")") bytes), $(ls /usr/lib/*/libgat.a) ($(stat -c %s /usr/lib/*/libgat.a) bytes); .deb $(stat -c %s "$deb") bytes"
[ "$(objdump -p "$lib" | awk '/SONAME/ {print $2}')" = "libgat.so.0" ] || { echo "outside: wrong SONAME" >&2; exit 1; }
[ -f /usr/share/gat/data/cora/features.npz ] && [ -f /usr/share/gat/data/citeseer/features.npz ] && [ -f /usr/include/gat/gat.h ]

cd "$out"   # no data/ here: the installed programs must find /usr/share/gat/data themselves
echo "== the installed gat program"
/usr/bin/gat --version
/usr/bin/gat train --dataset cora --num_of_epochs 20 --checkpoint_freq 0 --threads 1 --quiet --should_test \
    --models-dir models --logdir runs

echo "== examples/ with pkg-config"
pkg-config --modversion gat
cc -O2 "$src/examples/train_cora.c" $(pkg-config --cflags --libs gat) -o train_cora_pc
# libgat.a with its direct dependencies (pkg-config --static would also list igraph's own
# private libraries, whose static archives Debian does not ship)
cc -O2 "$src/examples/attention_entropy.c" $(pkg-config --cflags gat) "$(pkg-config --variable=libdir gat)/libgat.a" \
    $(pkg-config --libs $(pkg-config --print-requires-private gat)) -fopenmp -lm -o attention_entropy_pc_static
ldd train_cora_pc | grep -q "libgat.so.0 => /\(usr/\)\?lib/" || { echo "outside: train_cora_pc does not use the installed libgat.so" >&2; exit 1; }
if ldd attention_entropy_pc_static | grep -q libgat; then echo "outside: static build links libgat.so" >&2; exit 1; fi
./train_cora_pc /usr/share/gat/data 30
./attention_entropy_pc_static cora.safetensors | tail -3

echo "== examples/ with find_package(gat)"
cmake -S "$src/tests/outside" -B cm -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build cm -j"$(nproc)" >/dev/null
rm -f cora.safetensors
cm/train_cora - 30           # the library's default folders: the installed data
cm/attention_entropy cora.safetensors | tail -3
echo "== outside checks passed in $(( $(date +%s) - t0 )) s"
