#!/usr/bin/env bash
# The Python package: build its wheel in a fresh venv (Debian's python3 with its numpy, scipy and
# pytest; only the build backend, scikit-build-core, comes from PyPI), check that the sdist holds
# the C sources, install the wheel and run its tests (python/tests) against the installed package.
# pytest exits non-zero when a test fails, none ran (5) or one was skipped (python/tests/conftest.py).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PYTHON:-/usr/bin/python3}          # Debian's interpreter: python3-numpy/-scipy/-pytest are its packages
OUT=${OUT:-build-python}
VENV="$OUT/venv"
t0=$(date +%s)
rm -rf "$VENV" "$OUT/dist"
"$PY" -m venv --system-site-packages "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check "scikit-build-core>=0.10"
"$VENV/bin/python" - "$OUT/dist" <<'PY'
# the sdist: built by the same backend; it must carry what a build from it needs
import sys, tarfile
from scikit_build_core.build import build_sdist
name = build_sdist(sys.argv[1])
names = tarfile.open(f"{sys.argv[1]}/{name}").getnames()
top = names[0].split("/")[0]
need = ["CMakeLists.txt", "pyproject.toml", "python/CMakeLists.txt", "python/gat/__init__.py", "include/gat/api.h",
        "src/api/api.c", "src/core/train.c", "src/cli/main.c", "data/cora/features.npz"]
missing = [n for n in need if f"{top}/{n}" not in names]
if missing:
    sys.exit(f"sdist {name} lacks {missing}")
if any("/build" in n.split(top, 1)[1][:7] for n in names):
    sys.exit(f"sdist {name} holds build folders")
print(f"sdist {name}: {len(names)} files, C sources and data included")
PY
"$VENV/bin/python" -m pip wheel -q --disable-pip-version-check --no-build-isolation --no-deps -w "$OUT/dist" .
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps "$OUT"/dist/gat-*.whl
echo "wheel $(basename "$OUT"/dist/gat-*.whl) built and installed in $(( $(date +%s) - t0 )) s"
# run from an empty folder, so `import gat` is the installed package, never the source tree
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
"$ROOT/$VENV/bin/python" -m pytest -p no:cacheprovider -q "$ROOT/python/tests"
echo "python package: built, installed and tested in $(( $(date +%s) - t0 )) s"
