#!/usr/bin/env python3
"""The independent PyTorch reference on collections of graphs (PPI, the DGL / pytorch-GAT folder).

Two uses, both reading the PPI folder format ({train,valid,test}_graph.json node-link JSON,
{split}_feats.npy, {split}_labels.npy, {split}_graph_id.npy) with Python's json module:

  1. Load a gat model file into the pytorch-GAT compatible model (load_state_dict(strict=True),
     skip projections as skip_proj.weight) and score it on the test graphs (micro-F1 at logit 0,
     as scikit-learn's f1_score(average="micro")), to compare with `gat test`:

         python3 reference/ppi_reference.py --data DIR/ppi --model models/binaries/gat_PPI_000000.safetensors

  2. Time training epochs of the PPI recipe (3 layers, 4,4,6 heads, 256,256,121 features, skip,
     bias, dropout 0, Adam lr 5e-3, batches of 2 graphs; one epoch = a training pass over every
     training graph + a validation pass), float32, as `gat train` runs them:

         python3 reference/ppi_reference.py --data DIR/ppi --time-epochs 3 --threads 1

Needs torch and numpy.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as Fn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gat_reference import GAT, prepare_edges  # noqa: E402

SPLITS = ("train", "valid", "test")


def load_split(folder, split):
    """List of graphs (x float32 (n, F), edge_index int64 (2, e) local ids, y float32 (n, C))."""
    with open(os.path.join(folder, f"{split}_graph.json")) as fh:
        g = json.load(fh)
    x = np.load(os.path.join(folder, f"{split}_feats.npy")).astype(np.float32)
    y = np.load(os.path.join(folder, f"{split}_labels.npy")).astype(np.float32)
    gid = np.load(os.path.join(folder, f"{split}_graph_id.npy")).astype(np.int64)
    links = g.get("links", g.get("edges", []))
    src = np.array([l["source"] for l in links], dtype=np.int64)
    dst = np.array([l["target"] for l in links], dtype=np.int64)
    if not g.get("directed", False):
        src, dst = np.concatenate([src, dst]), np.concatenate([dst, src])
    graphs = []
    for v in np.unique(gid):
        nodes = np.flatnonzero(gid == v)
        local = np.full(len(gid), -1, dtype=np.int64)
        local[nodes] = np.arange(len(nodes))
        keep = (local[src] >= 0) & (local[dst] >= 0)
        ei = np.stack([local[src[keep]], local[dst[keep]]])
        graphs.append((x[nodes], ei, y[nodes]))
    return graphs


def batch_of(graphs):
    """Block-diagonal union: x, (src, dst) with one self loop per node, y."""
    xs, es, ys, off = [], [], [], 0
    for x, ei, y in graphs:
        xs.append(x)
        es.append(ei + off)
        ys.append(y)
        off += len(x)
    x = np.concatenate(xs)
    src, dst = prepare_edges(np.concatenate(es, axis=1), off)
    return torch.from_numpy(x), torch.from_numpy(src), torch.from_numpy(dst), torch.from_numpy(np.concatenate(ys))


def counts(logits, y):
    pred = logits > 0
    truth = y > 0.5
    return int((pred & truth).sum()), int((pred & ~truth).sum()), int((~pred & truth).sum())


def micro_f1(tp, fp, fn):
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def evaluate(model, graphs):
    tp = fp = fn = 0
    loss_sum, terms = 0.0, 0
    with torch.no_grad():
        for g in graphs:
            x, s, d, y = batch_of([g])
            z = model(x, s, d)
            loss_sum += float(Fn.binary_cross_entropy_with_logits(z, y, reduction="sum"))
            terms += y.numel()
            a, b, c = counts(z, y)
            tp, fp, fn = tp + a, fp + b, fn + c
    return micro_f1(tp, fp, fn), loss_sum / terms


def read_safetensors(path):
    """(tensors, metadata) of a .safetensors file, read with numpy (no safetensors package needed)."""
    with open(path, "rb") as fh:
        blob = fh.read()
    n = int.from_bytes(blob[:8], "little")
    header = json.loads(blob[8:8 + n])
    meta = header.pop("__metadata__", {}) or {}
    dtypes = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32}
    tensors = {}
    for name, t in header.items():
        a, b = t["data_offsets"]
        arr = np.frombuffer(blob[8 + n + a:8 + n + b], dtype=dtypes[t["dtype"]]).reshape(t["shape"])
        tensors[name] = torch.from_numpy(arr.copy())
    return tensors, meta


def load_model(path):
    """The pytorch-GAT compatible model with the file's tensors, load_state_dict(strict=True)."""
    state, meta = read_safetensors(path)
    ints = lambda v: [int(t) for t in str(v).split(",") if t]  # noqa: E731
    heads, features = ints(meta["heads"]), ints(meta["features"])
    skip = "gat_net.0.skip_proj.weight" in state
    bias = "gat_net.0.bias" in state
    n_in = state["gat_net.0.linear_proj.weight"].shape[1]
    model = GAT(n_in, heads, features, skip=skip, bias=bias).float()
    model.load_state_dict(state, strict=True)  # raises on any missing or unexpected key or shape
    return model.eval(), dict(heads=heads, features=features, skip=skip, meta=meta)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, help="the PPI folder")
    ap.add_argument("--model", help="a gat model file to load strictly and score on the test graphs")
    ap.add_argument("--time-epochs", type=int, default=0, help="time this many training epochs of the PPI recipe")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    data = {s: load_split(args.data, s) for s in SPLITS}
    n_in, n_labels = data["train"][0][0].shape[1], data["train"][0][2].shape[1]
    print(f"{args.data}: graphs {[len(data[s]) for s in SPLITS]}, nodes {[sum(len(g[0]) for g in data[s]) for s in SPLITS]}, "
          f"{n_in} features, {n_labels} labels")
    if args.model:
        model, cfg = load_model(args.model)
        f1, loss = evaluate(model, data["test"])
        print(f"loaded {args.model} strictly (heads {cfg['heads']}, features {cfg['features']}, skip {cfg['skip']})")
        print(f"Test micro-F1 = {f1:.4f}, loss = {loss:.4f}")
        vf1, vloss = evaluate(model, data["valid"])
        print(f"Validation micro-F1 = {vf1:.4f}, loss = {vloss:.4f}")
    if args.time_epochs:
        torch.manual_seed(args.seed)
        model = GAT(n_in, [4, 4, 6], [256, 256, n_labels], skip=True, bias=True).float()
        opt = torch.optim.Adam(model.parameters(), lr=5e-3, weight_decay=0.0)
        rng = np.random.default_rng(args.seed)
        times = []
        for epoch in range(args.time_epochs):
            t0 = time.perf_counter()
            model.train()
            order = rng.permutation(len(data["train"]))
            for k in range(0, len(order), args.batch_size):
                x, s, d, y = batch_of([data["train"][i] for i in order[k:k + args.batch_size]])
                opt.zero_grad()
                loss = Fn.binary_cross_entropy_with_logits(model(x, s, d), y)
                loss.backward()
                opt.step()
            model.eval()
            vf1, vloss = evaluate(model, data["valid"])
            times.append(1e3 * (time.perf_counter() - t0))
            print(f"epoch {epoch + 1}: {times[-1]:.0f} ms (train + validation), val micro-F1 {vf1:.4f}, "
                  f"val loss {vloss:.4f}", flush=True)
        print(f"median {np.median(times):.0f} ms per epoch over {len(times)} epochs, {args.threads} thread(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
