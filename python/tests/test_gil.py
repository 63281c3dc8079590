"""The GIL is released while the library works: another Python thread runs during a prediction."""

import ctypes
import sys
import threading
import time

import numpy as np

import gat
from conftest import cora_arrays


def test_other_threads_run_during_library_calls():
    ei, x, y, (tr, va, te) = cora_arrays()
    ds = gat.Dataset.from_arrays(ei, x, y, tr, va, te, normalize=True)
    m = gat.GAT()
    m.fit(ds, epochs=2)
    # a bigger graph (Cora 8 times over) so that one prediction takes a while
    import scipy.sparse as sp
    k, n = 8, x.shape[0]
    big_ei = np.concatenate([ei + i * n for i in range(k)], axis=1)
    big = gat.Dataset.from_arrays(big_ei, sp.vstack([x] * k).tocsr(), normalize=True)
    ticks, stop = [], threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.0002)

    t = threading.Thread(target=ticker)
    old = sys.getswitchinterval()
    sys.setswitchinterval(1.0)   # a thread holding the GIL keeps it up to 1 s: only a release lets the ticker in
    t.start()
    calls = []
    out = np.empty((big.num_nodes, 7), np.float32)
    ptr = out.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
    err = gat._lib.Error()
    predict = gat._lib.lib.gat_net_predict   # what model.predict_* calls
    try:
        for _ in range(5):
            a = time.perf_counter()
            rc = predict(m._h, big._h, 0, ptr, out.size, ctypes.byref(err))   # exactly one foreign call
            calls.append((a, time.perf_counter()))
            assert rc == 0
    finally:
        stop.set()
        t.join()
        sys.setswitchinterval(old)
    inside = sum(1 for s in ticks for a, b in calls if a < s < b)
    assert inside > 0, f"no tick of the other thread during {len(calls)} predictions ({len(ticks)} ticks in all)"
