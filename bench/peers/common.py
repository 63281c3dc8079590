"""Shared helpers of the peer benchmarks: read a dataset in gat's NumPy layout, time epochs.

An epoch is what `gat train` and build/bench_cora time: one training step (forward with
dropout, cross-entropy on the training nodes, backward, Adam) and one validation pass
(forward without dropout, loss and accuracy on the validation nodes)."""
import argparse
import os
import statistics
import time

import numpy as np
import torch


def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--dataset", default="cora")
    p.add_argument("--data-dir", default=os.environ.get("GAT_DATA_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "data")))
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--dense", action="store_true", help="dense input features (as pytorch-GAT feeds them)")
    p.add_argument("--ppi-arch", action="store_true", help="3 layers, 4/4/6 heads, 256/256/C features, skip, no dropout")
    return p.parse_args()


def load(data_dir, name):
    """Features (row-normalised, scipy-free CSR read), edge_index, labels, splits."""
    d = os.path.join(data_dir, name)
    z = np.load(os.path.join(d, "features.npz"), allow_pickle=False)
    data, indices, indptr = z["data"].astype(np.float32), z["indices"].astype(np.int64), z["indptr"].astype(np.int64)
    n, k = (int(v) for v in z["shape"])
    rows = np.repeat(np.arange(n), np.diff(indptr))
    sums = np.bincount(rows, weights=data, minlength=n).astype(np.float32)
    data = data / np.where(sums[rows] > 0, sums[rows], 1.0).astype(np.float32)
    ei = np.load(os.path.join(d, "edge_index.npy")).astype(np.int64)
    labels = np.load(os.path.join(d, "labels.npy")).astype(np.int64)
    split = [torch.from_numpy(np.load(os.path.join(d, f"{s}_index.npy")).astype(np.int64)) for s in ("train", "val", "test")]
    idx = torch.from_numpy(np.stack([rows, indices]))
    x_sparse = torch.sparse_coo_tensor(idx, torch.from_numpy(data), (n, k)).coalesce()
    n_classes = int(labels.max()) + 1
    return x_sparse, torch.from_numpy(ei), torch.from_numpy(labels), split, n_classes


def time_training(model, x, edge_index, labels, split, args, sparse_input):
    """Median ms per epoch over args.repeats runs of args.epochs epochs (after a warm-up)."""
    torch.set_num_threads(args.threads)
    opt = torch.optim.Adam(model.parameters(), lr=5e-3, weight_decay=5e-4)
    loss_fn = torch.nn.CrossEntropyLoss()
    train, val = split[0], split[1]

    def epoch():
        model.train()
        opt.zero_grad()
        out = model(x, edge_index)
        loss = loss_fn(out[train], labels[train])
        loss.backward()
        opt.step()
        model.eval()
        with torch.no_grad():
            out = model(x, edge_index)
            vl = loss_fn(out[val], labels[val])
            acc = (out[val].argmax(1) == labels[val]).float().mean()
        return float(vl), float(acc)

    for _ in range(10):
        epoch()
    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        for _ in range(args.epochs):
            epoch()
        times.append(1e3 * (time.perf_counter() - t0) / args.epochs)
    return statistics.median(times), times


def report(name, args, med, times):
    print(f"{name} dataset={args.dataset} threads={args.threads} input={'dense' if args.dense else 'sparse'}"
          f"{' ppi-arch' if args.ppi_arch else ''}: {med:.3f} ms/epoch (median of {len(times)} runs of "
          f"{args.epochs} epochs; {', '.join(f'{t:.2f}' for t in times)})", flush=True)
