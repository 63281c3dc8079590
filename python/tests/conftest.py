"""Shared fixtures of the Python package's tests. They test the installed package (pip install .),
never the source folder, and fail the run when any test is skipped or none ran."""

import json
import os
import struct

import numpy as np
import pytest

import gat


def pytest_sessionfinish(session, exitstatus):
    # CI treats a skipped test as a failure, and no test at all (exit 5) too.
    rep = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(rep.stats.get("skipped", [])) if rep else 0
    if exitstatus == 5 or skipped:
        session.exitstatus = 1


@pytest.fixture(autouse=True, scope="session")
def one_thread():
    # one worker thread: fastest on a busy machine, and results do not depend on it
    gat.set_threads(1)


@pytest.fixture(scope="session")
def cora():
    return gat.Dataset.load("cora")


def cora_arrays():
    """Cora's arrays as NumPy / SciPy read them from the bundled files."""
    import scipy.sparse as sp
    d = os.path.join(gat.bundled_data_dir(), "cora")
    x = sp.load_npz(os.path.join(d, "features.npz")).tocsr()
    ei = np.load(os.path.join(d, "edge_index.npy"))
    y = np.load(os.path.join(d, "labels.npy"))
    idx = [np.load(os.path.join(d, f"{s}_index.npy")) for s in ("train", "val", "test")]
    return ei, x, y, idx


def read_safetensors(path):
    """(tensors {name: ndarray}, metadata dict) of a .safetensors file, parsed independently."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    body = raw[8 + n:]
    tensors = {}
    for name, t in header.items():
        assert t["dtype"] == "F32", t
        a, b = t["data_offsets"]
        tensors[name] = np.frombuffer(body[a:b], dtype="<f4").reshape(t["shape"])
    return tensors, meta


def ring(n=40, f=6, seed=0):
    """A small two-class ring graph as arrays: edge_index, x, y, train/val/test ids."""
    rng = np.random.default_rng(seed)
    i = np.arange(n)
    ei = np.stack([np.concatenate([i, (i + 1) % n]), np.concatenate([(i + 1) % n, i])])
    y = i % 2
    x = rng.random((n, f)).astype(np.float32)
    x[i, y] += 1
    return ei, x, y, i[: n // 3], i[n // 3: 2 * n // 3], i[2 * n // 3:]
