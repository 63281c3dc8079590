"""Memory does not grow over 100 fit / predict cycles (every handle is freed)."""

import gc
import os

import numpy as np

import gat
from conftest import cora_arrays


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_no_growth_over_100_cycles(tmp_path):
    ei, x, y, (tr, va, te) = cora_arrays()
    path = tmp_path / "m.safetensors"

    def cycle(i):
        ds = gat.Dataset.from_arrays(ei, x, y, tr, va, te, normalize=True, name="cora")
        m = gat.GAT()
        m.fit(ds, epochs=2, seed=i)
        p = m.predict_proba(ds)
        e, w = m.attention(ds, layer=0)
        m.save(path)
        m2 = gat.GAT.load(path)
        assert np.array_equal(m2.predict_proba(ds), p) and e.shape[1] == w.shape[0]

    for i in range(10):  # warm up: allocator pools, OpenMP threads, lazily loaded code
        cycle(i)
    gc.collect()
    before = rss_bytes()
    for i in range(100):
        cycle(i)
    gc.collect()
    grown = rss_bytes() - before
    # one cycle allocates ~10 MB (session, activations, inspection); a leak of any of them over
    # 100 cycles would be > 100 MB
    assert grown < 8 * 2**20, f"resident memory grew by {grown / 2**20:.1f} MB over 100 cycles"
