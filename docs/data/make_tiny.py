#!/usr/bin/env python3
"""Writes docs/data/tiny/: the 4-node dataset and the hand-made 2-layer GAT of the worked
example in docs/annotated-gat.md (weights chosen as small round numbers, so that every
step can be redone by hand). Only the Python standard library: the .npy files and the
safetensors model file are written byte by byte. Run from the repository root:
    python3 docs/data/make_tiny.py
The output is deterministic (the files are committed)."""
import json
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tiny")


def npy(path, fmt, descr, shape, values):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else ""))
    pad = 64 - (10 + len(header) + 1) % 64
    header = header + " " * (pad % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1"))
        f.write(struct.pack("<%d%s" % (len(values), fmt), *values))


# 4 nodes, 3 binary features, an undirected graph 0-1, 0-2, 1-2, 2-3 (both directions listed)
x = [[1, 0, 1],
     [0, 1, 0],
     [1, 1, 0],
     [0, 0, 1]]
edges = [(0, 1), (0, 2), (1, 2), (2, 3)]
src = [a for a, b in edges] + [b for a, b in edges]
dst = [b for a, b in edges] + [a for a, b in edges]
labels = [0, 1, 0, 1]

# the model: layer 0 has 2 heads x 2 features (concatenated: width 4), layer 1 2 heads x 2
# classes (averaged); tensors in pytorch-GAT's layout, W as (H*F, F_in)
tensors = {
    "gat_net.0.linear_proj.weight": ([4, 3], [1, 0, 0.5,
                                              0, 1, -0.5,
                                              0.5, 0.5, 0,
                                              -1, 0, 1]),
    "gat_net.0.scoring_fn_target": ([1, 2, 2], [-0.5, 1, 1, -1]),
    "gat_net.0.scoring_fn_source": ([1, 2, 2], [1, 0.5, 1, 1]),
    "gat_net.0.bias": ([4], [0, 0, 0.5, -0.5]),
    "gat_net.1.linear_proj.weight": ([4, 4], [1, 0, 0, 0,
                                              0, 1, 0, 0,
                                              0, 0, 1, 0,
                                              0, 0, 0, 1]),
    "gat_net.1.scoring_fn_target": ([1, 2, 2], [0.5, 0, 1, -1]),
    "gat_net.1.scoring_fn_source": ([1, 2, 2], [1, -1, 0.5, 0.5]),
    "gat_net.1.bias": ([2], [0, 0.1]),
}
meta = {"format": "gat-model", "format_version": "2", "dataset": "tiny", "layers": "2", "heads": "2,2",
        "features": "2,2", "num_heads_per_layer": "2,2", "num_features_per_layer": "3,2,2", "n_in": "3",
        "classes": "2", "skip": "0", "bias": "1", "dropout": "0.6", "leaky_relu_slope": "0.2",
        "attention": "gat", "add_self_loops": "true", "normalize_features": "false", "task": "single-label",
        "epochs": "0", "seed": "0"}


def main():
    os.makedirs(OUT, exist_ok=True)
    npy(os.path.join(OUT, "features.npy"), "f", "<f4", (4, 3), [float(v) for row in x for v in row])
    npy(os.path.join(OUT, "edge_index.npy"), "q", "<i8", (2, len(src)), src + dst)
    npy(os.path.join(OUT, "labels.npy"), "q", "<i8", (4,), labels)
    for name, idx in (("train", [0, 1]), ("val", [2]), ("test", [3])):
        npy(os.path.join(OUT, name + "_index.npy"), "q", "<i8", (len(idx),), idx)
    with open(os.path.join(OUT, "class_names.txt"), "w") as f:
        f.write("red\nblue\n")
    header, blob = {"__metadata__": meta}, b""
    for name in sorted(tensors):
        shape, vals = tensors[name]
        data = struct.pack("<%df" % len(vals), *vals)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [len(blob), len(blob) + len(data)]}
        blob += data
    h = json.dumps(header, separators=(",", ":"), sort_keys=True).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(os.path.join(OUT, "tiny.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + blob)


if __name__ == "__main__":
    main()
