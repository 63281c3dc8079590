#!/usr/bin/env python3
"""Run a gat model file in PyTorch Geometric: build torch_geometric.nn.GATConv layers (GATv2Conv
for a model trained with --attention_type gatv2), copy the file's weights into them, and evaluate
on the dataset the model was trained on.

    python3 reference/gat_to_pyg.py models/binaries/gat_CORA_000000.safetensors
    python3 reference/gat_to_pyg.py MODEL --predictions pred.csv    # also compare with `gat predict`

It prints the validation and test accuracy as `gat test` does ("Test accuracy = 0.8190, loss =
..."), so the two can be compared line by line. With --predictions (the CSV `gat predict --model
MODEL` writes) it also prints the largest difference of the class probabilities and how many
nodes' predicted classes differ.

The mapping, layer l of a gat model file -> GATConv(in, F, heads=H, concat=concat_heads[l],
negative_slope=leaky_relu_slope, add_self_loops=add_self_loops, bias=..., residual=skip):

    gat_net.<l>.linear_proj.weight   (H*F, in)   -> conv.lin.weight    (H*F, in)
    gat_net.<l>.scoring_fn_source    (1, H, F)   -> conv.att_src       (1, H, F)
    gat_net.<l>.scoring_fn_target    (1, H, F)   -> conv.att_dst       (1, H, F)
    gat_net.<l>.bias                 (H*F) / (F) -> conv.bias          (H*F) / (F)
    skip connection (--add_skip_connection)      -> conv.res, a bias-free Linear:
        concatenating layer: gat_net.<l>.skip_proj.weight (H*F, in), or H stacked identities when F == in
        averaging layer:     the mean over heads of skip_proj.weight viewed (H, F, in), or the identity

where concat_heads is the file's metadata of that name (gat train --concat_heads; files without
it: every layer but the last concatenates),

and ELU after every layer but the last, as in gat (and pytorch-GAT). The attention is the same:
e_ij = LeakyReLU(a_src . z_j + a_dst . z_i) over the in-edges of i and its self loop, softmax
over them, then the sum of the weighted z_j (PyG's message from source j to target i).

add_self_loops is the file's metadata of that name (gat train --add_self_loops; files without it:
true). true: gat drops the graph's own self loops and adds one per node, as PyG does with
add_self_loops=True (remove_self_loops, then add_self_loops). false: the edge_index as given, own
self loops and duplicate edges each one more term of the softmax, none added, in both; a node
without in-edges gets 0 + bias in both. PyG's edge_index is passed unchanged either way.

A GATv2 model file (metadata attention = gatv2) maps onto GATv2Conv(in, F, heads=H,
concat=(l < L-1), negative_slope=leaky_relu_slope, add_self_loops=add_self_loops, bias=...,
share_weights=share_weights, residual=skip):

    gat_net.<l>.linear_proj.weight         (H*F, in)   -> conv.lin_l.weight  (H*F, in)  x_j: messages
    gat_net.<l>.linear_proj_target.weight  (H*F, in)   -> conv.lin_r.weight  (H*F, in)  x_i (absent with
                                                          share_weights: lin_r is lin_l)
    gat_net.<l>.scoring_fn                 (1, H, F)   -> conv.att           (1, H, F)
    gat_net.<l>.bias                       (H*F) / (F) -> conv.bias; conv.lin_l.bias = conv.lin_r.bias = 0
                                                          (gat's projections have no bias; PyG gives
                                                          lin_l and lin_r one whenever bias=True)
    skip connection                                    -> conv.res, as for GATConv

e_ij = a . LeakyReLU(lin_l x_j + lin_r x_i), softmax over the in-edges of i and its self loop,
then the sum of alpha_ij lin_l x_j.

Needs only torch, torch_geometric and numpy: the safetensors file and the dataset's .npy/.npz
files are read with numpy (no safetensors or scipy package).
"""

import argparse
import csv
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA_DIR = os.path.join(os.path.dirname(HERE), "data")

ST_DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32, "U8": np.uint8}


def read_safetensors(path):
    """(tensors as numpy arrays, metadata dict) of a safetensors file."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise SystemExit(f"{path}: too short for a safetensors file")
    (hlen,) = struct.unpack("<Q", raw[:8])
    if hlen > len(raw) - 8 or raw[8:9] != b"{":
        raise SystemExit(f"{path}: not a safetensors file")
    header = json.loads(raw[8:8 + hlen])
    meta = header.pop("__metadata__", {}) or {}
    data = raw[8 + hlen:]
    tensors = {}
    for name, t in header.items():
        b, e = t["data_offsets"]
        if t["dtype"] not in ST_DTYPES:
            raise SystemExit(f"{path}: tensor {name}: dtype {t['dtype']} not handled here")
        tensors[name] = np.frombuffer(data[b:e], dtype=ST_DTYPES[t["dtype"]]).reshape(t["shape"]).copy()
    return tensors, meta


def parse_bool(v):
    return str(v).strip().lower() in ("1", "true", "yes", "on")


def load_dataset(folder, normalize):
    """features (N, F) float32, edge_index (2, E), labels (N,), split indices: gat's dataset layout."""
    if os.path.exists(os.path.join(folder, "features.npz")):
        z = np.load(os.path.join(folder, "features.npz"))
        fmt = z["format"].item() if "format" in z.files else b"csr"
        if (fmt.decode() if isinstance(fmt, bytes) else str(fmt)) != "csr":
            raise SystemExit(f"{folder}/features.npz: only scipy CSR archives are read here")
        n, m = (int(v) for v in z["shape"])
        x = np.zeros((n, m), dtype=np.float32)
        indptr, indices, values = z["indptr"], z["indices"], z["data"]
        rows = np.repeat(np.arange(n), np.diff(indptr))
        np.add.at(x, (rows, indices), values.astype(np.float32))
    else:
        x = np.load(os.path.join(folder, "features.npy")).astype(np.float32)
    if normalize:  # each row scaled to sum 1, an all-zero row left as it is (gat and pytorch-GAT)
        s = x.sum(axis=1, keepdims=True)
        x = np.divide(x, s, out=np.zeros_like(x), where=s != 0)
    edge_index = np.load(os.path.join(folder, "edge_index.npy")).astype(np.int64)
    labels = np.load(os.path.join(folder, "labels.npy")).astype(np.int64)
    splits = {s: np.load(os.path.join(folder, f"{s}_index.npy")).astype(np.int64) for s in ("train", "val", "test")}
    return x, edge_index, labels, splits


class PygGAT(torch.nn.Module):
    """A stack of GATConv layers shaped as a gat model file says."""

    def __init__(self, n_in, heads, features, bias, skip, slope, concat, gatv2=False, share_weights=False,
                 add_self_loops=True):
        super().__init__()
        from torch_geometric.nn import GATConv, GATv2Conv
        self.convs = torch.nn.ModuleList()
        width = n_in
        L = len(heads)
        for l, (h, f) in enumerate(zip(heads, features)):
            if gatv2:
                conv = GATv2Conv(width, f, heads=h, concat=concat[l], negative_slope=slope, dropout=0.0,
                                 add_self_loops=add_self_loops, bias=bias, share_weights=share_weights,
                                 residual=skip)
            else:
                conv = GATConv(width, f, heads=h, concat=concat[l], negative_slope=slope, dropout=0.0,
                               add_self_loops=add_self_loops, bias=bias, residual=skip)
            self.convs.append(conv)
            width = h * f if concat[l] else f

    def forward(self, x, edge_index):
        for l, conv in enumerate(self.convs):
            x = conv(x, edge_index)
            if l < len(self.convs) - 1:
                x = F.elu(x)
        return x


def build(tensors, meta, path):
    gatv2 = meta.get("attention", "gat") == "gatv2"
    score = "scoring_fn" if gatv2 else "scoring_fn_source"
    L = int(meta.get("layers", 0)) or sum(1 for k in tensors if k.endswith("." + score))
    heads = [tensors[f"gat_net.{l}.{score}"].shape[1] for l in range(L)]
    features = [tensors[f"gat_net.{l}.{score}"].shape[2] for l in range(L)]
    n_in = tensors["gat_net.0.linear_proj.weight"].shape[1]
    bias = "gat_net.0.bias" in tensors
    skip = "gat_net.0.skip_proj.weight" in tensors
    slope = float(meta.get("leaky_relu_slope", 0.2))
    concat = [l != L - 1 for l in range(L)]  # files before concat_heads: every layer but the last concatenates
    if meta.get("concat_heads"):
        concat = [v == "true" for v in meta["concat_heads"].split(",")]
    share = gatv2 and "gat_net.0.linear_proj_target.weight" not in tensors
    loops = parse_bool(meta.get("add_self_loops", "true"))  # files before this key: self loops added
    model = PygGAT(n_in, heads, features, bias, skip, slope, concat, gatv2, share, loops)
    width = n_in
    with torch.no_grad():
        for l, conv in enumerate(model.convs):
            h, f, mean = heads[l], features[l], not concat[l]
            t = lambda name: torch.from_numpy(tensors[f"gat_net.{l}.{name}"])  # noqa: E731
            if gatv2:
                conv.lin_l.weight.copy_(t("linear_proj.weight"))
                if not share:
                    conv.lin_r.weight.copy_(t("linear_proj_target.weight"))
                for lin in (conv.lin_l, conv.lin_r):
                    if lin.bias is not None:
                        lin.bias.zero_()
                conv.att.copy_(t("scoring_fn"))
            else:
                conv.lin.weight.copy_(t("linear_proj.weight"))
                conv.att_src.copy_(t("scoring_fn_source"))
                conv.att_dst.copy_(t("scoring_fn_target"))
            if bias:
                conv.bias.copy_(t("bias"))
            if skip:
                if f == width:  # identity: the input added to every head
                    w = torch.eye(f).repeat(h, 1) if not mean else torch.eye(f)
                else:
                    w = t("skip_proj.weight")  # (H*F, in)
                    if mean:
                        w = w.view(h, f, width).mean(0)
                # PyG uses Identity when in == out width; gat may project there, so always a Linear
                conv.res = torch.nn.Linear(width, w.shape[0], bias=False)
                conv.res.weight.copy_(w)
            width = f if mean else h * f
    return model.eval(), dict(layers=L, heads=heads, features=features, bias=bias, skip=skip, slope=slope,
                              concat=concat, conv="GATv2Conv" if gatv2 else "GATConv", share_weights=share,
                              add_self_loops=loops)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Evaluate a gat model file with PyTorch Geometric's GATConv / GATv2Conv.")
    ap.add_argument("model", help="a model file written by gat train (.safetensors)")
    ap.add_argument("--data-dir", default=os.environ.get("GAT_DATA_DIR", DEFAULT_DATA_DIR),
                    help="datasets folder (default: $GAT_DATA_DIR, else the repository's data/: %(default)s)")
    ap.add_argument("--dataset", help="dataset name (default: the model file's 'dataset')")
    ap.add_argument("--predictions", help="CSV from 'gat predict --model MODEL': compare the probabilities")
    a = ap.parse_args(argv)

    tensors, meta = read_safetensors(a.model)
    if "gat_net.0.scoring_fn_source" not in tensors and "gat_net.0.scoring_fn" not in tensors:
        raise SystemExit(f"{a.model}: not a gat model file (no tensor gat_net.0.scoring_fn_source or scoring_fn)")
    if meta.get("task", "single-label") != "single-label":
        raise SystemExit(f"{a.model}: a {meta['task']} model; this script evaluates single-label models")
    if meta.get("attention", "gat") not in ("gat", "gatv2"):
        raise SystemExit(f"{a.model}: attention '{meta['attention']}': PyG's GATConv computes 'gat', GATv2Conv 'gatv2'")
    if "gat_net.0.scoring_fn" in tensors and meta.get("attention", "gatv2") != "gatv2":
        raise SystemExit(f"{a.model}: gatv2 tensors (scoring_fn) but metadata attention '{meta['attention']}'")
    if "gat_net.0.scoring_fn" in tensors:
        meta.setdefault("attention", "gatv2")
    model, cfg = build(tensors, meta, a.model)
    name = a.dataset or meta.get("dataset")
    if not name:
        raise SystemExit(f"{a.model}: the file names no dataset: give --dataset")
    folder = os.path.join(a.data_dir, name.lower())
    x, edge_index, labels, splits = load_dataset(folder, parse_bool(meta.get("normalize_features", "true")))
    with torch.no_grad():
        logits = model(torch.from_numpy(x), torch.from_numpy(edge_index))
        logp = F.log_softmax(logits.double(), dim=1)
    y = torch.from_numpy(labels)
    print(f"Model {a.model} in PyTorch Geometric: {cfg['layers']} {cfg['conv']} layers, heads {cfg['heads']}, "
          f"features {cfg['features']}, bias {cfg['bias']}, skip {cfg['skip']}"
          + (f", share_weights {cfg['share_weights']}" if cfg["conv"] == "GATv2Conv" else "")
          + f", add_self_loops {cfg['add_self_loops']}")
    for split, label in (("val", "Validation"), ("test", "Test")):
        idx = torch.from_numpy(splits[split])
        acc = (logp[idx].argmax(1) == y[idx]).double().mean().item()
        loss = F.nll_loss(logp[idx], y[idx]).item()
        print(f"{label} accuracy = {acc:.4f}, loss = {loss:.4f}")
    if a.predictions:
        with open(a.predictions, newline="") as fh:
            rows = list(csv.reader(fh))
        head, rows = rows[0], rows[1:]
        pcols = [i for i, c in enumerate(head) if c.startswith("p_")]
        node = head.index("node")
        ids = np.array([int(r[node]) for r in rows])
        p_gat = np.array([[float(r[i]) for i in pcols] for r in rows])
        p_pyg = logp.exp().numpy()[ids]
        differ = int((p_gat.argmax(1) != p_pyg.argmax(1)).sum())
        print(f"Against {a.predictions}: largest probability difference {np.abs(p_gat - p_pyg).max():.2e}, "
              f"{differ} of {len(ids)} predicted classes differ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
