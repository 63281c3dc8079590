#!/usr/bin/env bash
# Install what gat needs to build, test and draw, on Debian 12 (run as root or with sudo).
# clang-14 + libclang-rt-14-dev: the libFuzzer harnesses (scripts/fuzz.sh); ccache: the mutation
# drill's rebuilds (tests/mutants/run.sh; it works without, more slowly).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
    build-essential cmake pkg-config git file \
    libopenblas-dev libigraph-dev libcairo2-dev zlib1g-dev \
    fonts-dejavu-core protobuf-compiler libxml2-utils valgrind \
    python3-venv python3-numpy python3-scipy python3-pytest \
    clang-14 libclang-rt-14-dev ccache \
    libopenmpi-dev openmpi-bin openssh-client iproute2 >/dev/null
echo "gat: build dependencies installed"
