"""Full-batch GAT in PyTorch Geometric on a dataset folder in gat's layout (bench/scale.sh).

The same architecture as gat's default (GATConv 8 heads x 8 features, ELU, then 1 head x
classes, dropout 0.6 on inputs and attention, Adam lr 0.005, weight decay 5e-4), row-normalised
features fed dense (PyG's GATConv projects a dense x), 1 thread. Prints one line of key=value:
load_s, epoch_s (median of the epochs after the first), test_acc, peak_mb (maximum resident set).

    python bench/peers/pyg_scale.py DATASET_DIR --epochs 30 [--threads 1]
"""
import argparse
import resource
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch_geometric.nn import GATConv


def load(d):
    z = np.load(f"{d}/features.npz")
    n, f = (int(v) for v in z["shape"])
    indptr, indices, data = z["indptr"].astype(np.int64), z["indices"].astype(np.int64), z["data"].astype(np.float32)
    rows = np.repeat(np.arange(n), np.diff(indptr))
    x = torch.zeros(n, f)
    x[torch.from_numpy(rows), torch.from_numpy(indices)] = torch.from_numpy(data)
    s = x.sum(1, keepdim=True)
    x = x / torch.where(s == 0, torch.ones_like(s), s)
    ei = torch.from_numpy(np.ascontiguousarray(np.load(f"{d}/edge_index.npy")))
    y = torch.from_numpy(np.load(f"{d}/labels.npy"))
    split = [torch.from_numpy(np.load(f"{d}/{s}_index.npy")) for s in ("train", "val", "test")]
    return x, ei, y, split


class GAT(torch.nn.Module):
    def __init__(self, k, c):
        super().__init__()
        self.l1 = GATConv(k, 8, heads=8, dropout=0.6)
        self.l2 = GATConv(64, c, heads=1, concat=False, dropout=0.6)

    def forward(self, x, ei):
        x = F.dropout(x, 0.6, self.training)
        x = F.elu(self.l1(x, ei))
        x = F.dropout(x, 0.6, self.training)
        return self.l2(x, ei)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    t0 = time.perf_counter()
    x, ei, y, (tr, va, te) = load(a.dir)
    load_s = time.perf_counter() - t0
    m = GAT(x.shape[1], int(y.max()) + 1)
    opt = torch.optim.Adam(m.parameters(), lr=0.005, weight_decay=5e-4)
    times = []
    for _ in range(a.epochs):
        t = time.perf_counter()
        m.train()
        opt.zero_grad()
        loss = F.cross_entropy(m(x, ei)[tr], y[tr])
        loss.backward()
        opt.step()
        m.eval()
        with torch.no_grad():
            m(x, ei)
        times.append(time.perf_counter() - t)
    m.eval()
    with torch.no_grad():
        acc = (m(x, ei)[te].argmax(1) == y[te]).float().mean().item()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ep = statistics.median(times[1:] if len(times) > 1 else times)
    print(f"load_s={load_s:.3f} epoch_s={ep:.4f} test_acc={acc:.4f} peak_mb={peak:.1f}")


if __name__ == "__main__":
    main()
