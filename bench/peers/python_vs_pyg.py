#!/usr/bin/env python3
"""Cora through gat's Python API against PyTorch Geometric's GATConv, one thread each.

Both train the paper's model (8 heads x 8 features + ELU, then 1 head over 7 classes, dropout 0.6,
Adam lr 0.005, weight decay 5e-4) on row-normalised Cora for the same number of epochs; an epoch
is one training step on the 140 training nodes plus a validation pass, as in gat. Every round runs
each library in a fresh subprocess (interleaved: gat, pyg, gat, pyg, ...) that reports its import
time, its median seconds per epoch, the whole run's seconds and its peak resident memory;
--same-process also times both, interleaved, inside one process.

    python3 -m venv venv && venv/bin/pip install torch torch_geometric
    venv/bin/pip install --no-deps build-python/dist/gat-*.whl      # from scripts/test-python.sh
    venv/bin/python bench/peers/python_vs_pyg.py --epochs 1000 --rounds 3
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time


def load_cora_arrays():
    import numpy as np
    import gat
    d = os.path.join(gat.bundled_data_dir(), "cora")
    ld = lambda f: np.load(os.path.join(d, f))
    return ld("edge_index.npy"), ld("labels.npy"), [ld(f"{s}_index.npy") for s in ("train", "val", "test")], d


def run_gat(epochs):
    t0 = time.perf_counter()
    import gat
    t_import = time.perf_counter() - t0
    gat.set_threads(1)
    t1 = time.perf_counter()
    ds = gat.Dataset.load("cora")
    model = gat.GAT(heads=(8, 1), hidden=8, dropout=0.6)
    res = model.fit(ds, epochs=epochs, patience=epochs + 1, seed=1)
    acc = model.evaluate(ds, "test").score
    whole = time.perf_counter() - t1
    times = [b.seconds - a.seconds for a, b in zip(res.history, res.history[1:])]
    return dict(lib="gat", import_s=t_import, epoch_s=statistics.median(times), whole_s=whole, test_acc=acc)


def pyg_model():
    import torch
    import torch.nn.functional as F
    from torch_geometric.nn import GATConv

    class Net(torch.nn.Module):
        def __init__(self, k, c):
            super().__init__()
            self.c1 = GATConv(k, 8, heads=8, dropout=0.6)
            self.c2 = GATConv(64, c, heads=1, concat=False, dropout=0.6)

        def forward(self, x, ei):
            x = F.dropout(x, 0.6, self.training)
            x = F.elu(self.c1(x, ei))
            x = F.dropout(x, 0.6, self.training)
            return self.c2(x, ei)

    return Net


def run_pyg(epochs):
    t0 = time.perf_counter()
    import torch
    import torch_geometric  # noqa: F401
    import torch.nn.functional as F
    t_import = time.perf_counter() - t0
    torch.set_num_threads(1)
    torch.manual_seed(1)
    import numpy as np
    t1 = time.perf_counter()
    ei, y, (tr, va, te), d = load_cora_arrays()
    z = np.load(os.path.join(d, "features.npz"))          # scipy CSR members, read without scipy
    x = np.zeros(tuple(z["shape"]), np.float64)
    rows = np.repeat(np.arange(x.shape[0]), np.diff(z["indptr"]))
    x[rows, z["indices"]] = z["data"]
    x = x / x.sum(1, keepdims=True).clip(1e-12)
    x, ei, y = torch.tensor(x, dtype=torch.float32), torch.tensor(ei), torch.tensor(y)
    tr, va, te = (torch.tensor(i) for i in (tr, va, te))
    model = pyg_model()(x.shape[1], int(y.max()) + 1)
    opt = torch.optim.Adam(model.parameters(), lr=0.005, weight_decay=5e-4)
    times = []
    for _ in range(epochs):
        t = time.perf_counter()
        model.train()
        opt.zero_grad()
        loss = F.cross_entropy(model(x, ei)[tr], y[tr])
        loss.backward()
        opt.step()
        model.eval()
        with torch.no_grad():
            out = model(x, ei)
            F.cross_entropy(out[va], y[va])
        times.append(time.perf_counter() - t)
    with torch.no_grad():
        acc = (model(x, ei)[te].argmax(1) == y[te]).float().mean().item()
    whole = time.perf_counter() - t1
    return dict(lib="pyg", import_s=t_import, epoch_s=statistics.median(times), whole_s=whole, test_acc=acc)


def child(lib, epochs):
    r = (run_gat if lib == "gat" else run_pyg)(epochs)
    r["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(r))


def same_process(epochs, rounds):
    import gat  # noqa: F401
    import torch  # noqa: F401
    out = {"gat": [], "pyg": []}
    for _ in range(rounds):
        out["gat"].append(run_gat(epochs)["epoch_s"])
        out["pyg"].append(run_pyg(epochs)["epoch_s"])
    g, p = statistics.median(out["gat"]), statistics.median(out["pyg"])
    print(f"same process, {rounds} rounds of {epochs} epochs: gat {1e3 * g:.2f} ms/epoch, "
          f"pyg {1e3 * p:.2f} ms/epoch, ratio pyg/gat {p / g:.1f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--child", choices=["gat", "pyg"])
    ap.add_argument("--same-process", action="store_true")
    a = ap.parse_args()
    if a.child:
        return child(a.child, a.epochs)
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    rows = {"gat": [], "pyg": []}
    for r in range(a.rounds):
        for lib in ("gat", "pyg"):
            p = subprocess.run([sys.executable, __file__, "--child", lib, "--epochs", str(a.epochs)], env=env,
                               capture_output=True, text=True, check=True)
            rows[lib].append(json.loads(p.stdout.strip().splitlines()[-1]))
            print(f"round {r + 1} {lib}: {rows[lib][-1]}", flush=True)
    med = {lib: {k: statistics.median(x[k] for x in v) for k in v[0] if k != "lib"} for lib, v in rows.items()}
    print(f"\nCora, {a.epochs} epochs, 1 thread, median of {a.rounds} interleaved rounds:")
    print(f"{'':22s}{'gat (Python API)':>18s}{'PyG GATConv':>14s}{'ratio':>8s}")
    for k, name, scale, unit in (("epoch_s", "time per epoch", 1e3, "ms"), ("whole_s", "whole run", 1, "s"),
                                 ("peak_rss_mb", "peak resident memory", 1, "MB"), ("import_s", "import time", 1e3, "ms"),
                                 ("test_acc", "test accuracy", 100, "%")):
        g, p = med["gat"][k] * scale, med["pyg"][k] * scale
        print(f"{name:22s}{g:15.2f} {unit:2s}{p:11.2f} {unit:2s}{p / g:8.1f}")
    if a.same_process:
        same_process(min(a.epochs, 300), a.rounds)


if __name__ == "__main__":
    main()
