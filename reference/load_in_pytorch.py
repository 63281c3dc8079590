#!/usr/bin/env python3
"""Load a `gat` model file (.safetensors) into the PyTorch reference model and evaluate it.

    python3 reference/load_in_pytorch.py models/binaries/gat_CORA_000000.safetensors

The file's tensors must be exactly the state_dict of the pytorch-GAT compatible model
(gat_net.{l}.linear_proj.weight, .scoring_fn_target, .scoring_fn_source, [.bias], [.skip_proj.weight]);
they are loaded with load_state_dict(strict=True).  The network shape comes from the file's
__metadata__: "layers" ("2"), "heads" ("8,1"), "features" ("8,7"), "skip" ("0"/"1"), "bias" ("0"/"1"),
"dataset" ("cora"); a missing "bias"/"skip" key is inferred from the tensors present.  The number of
input features is read from gat_net.0.linear_proj.weight.

The dataset (from --dataset, else the metadata) is read from --data-dir (default $GAT_DATA_DIR, else
the repository's data/, next to this folder) with row-normalised features, run through the model in eval mode (float32,
or float64 with --double), and the train/val/test accuracies are printed.  --save-logits writes the
(N, C) logits as .npy for comparison with the C predictions.

Needs: pip install safetensors
"""

import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gat_reference import DEFAULT_DATA_DIR, GAT, load_dataset, prepare_edges  # noqa: E402


def parse_bool(v):
    s = str(v).strip().lower()
    if s in ("1", "true", "yes", "on"):
        return True
    if s in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"not a boolean: {v!r}")


def parse_ints(v):
    return [int(t) for t in str(v).replace(" ", "").strip("[]").split(",") if t]


def config_from_file(path):
    from safetensors import safe_open
    with safe_open(path, framework="pt") as f:
        meta = dict(f.metadata() or {})
        shapes = {k: tuple(f.get_slice(k).get_shape()) for k in f.keys()}
    if "heads" not in meta or "features" not in meta:
        raise SystemExit(f"{path}: __metadata__ lacks 'heads'/'features' (has {sorted(meta)})")
    heads, features = parse_ints(meta["heads"]), parse_ints(meta["features"])
    layers = int(meta.get("layers", len(heads)))
    if not (layers == len(heads) == len(features)):
        raise SystemExit(f"{path}: layers={layers} but heads={heads}, features={features}")
    key0 = "gat_net.0.linear_proj.weight"
    if key0 not in shapes:
        raise SystemExit(f"{path}: no tensor {key0}; tensors: {sorted(shapes)}")
    n_in = shapes[key0][1]
    bias = parse_bool(meta["bias"]) if "bias" in meta else "gat_net.0.bias" in shapes
    skip = parse_bool(meta["skip"]) if "skip" in meta else "gat_net.0.skip_proj.weight" in shapes
    return dict(meta=meta, heads=heads, features=features, layers=layers, n_in=n_in, bias=bias, skip=skip,
                dataset=meta.get("dataset"))


def build_and_load(path, dtype=torch.float32):
    from safetensors.torch import load_file
    cfg = config_from_file(path)
    model = GAT(cfg["n_in"], cfg["heads"], cfg["features"], skip=cfg["skip"], bias=cfg["bias"])
    state = load_file(path)
    model.load_state_dict(state, strict=True)  # raises on any missing/unexpected key or shape mismatch
    return model.to(dtype).eval(), cfg


def main(argv=None):
    ap = argparse.ArgumentParser(description="Load a gat .safetensors model into PyTorch and evaluate it.")
    ap.add_argument("model", help="path to a gat model file (.safetensors)")
    ap.add_argument("--data-dir", default=os.environ.get("GAT_DATA_DIR", DEFAULT_DATA_DIR),
                    help="datasets folder (default: $GAT_DATA_DIR or %(default)s)")
    ap.add_argument("--dataset", default=None, help="dataset name (default: the file's metadata 'dataset')")
    ap.add_argument("--double", action="store_true", help="evaluate in float64 instead of float32")
    ap.add_argument("--save-logits", default=None, help="write the (N, C) logits to this .npy file")
    args = ap.parse_args(argv)

    dtype = torch.float64 if args.double else torch.float32
    model, cfg = build_and_load(args.model, dtype)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"loaded {args.model} strictly: layers={cfg['layers']} heads={cfg['heads']} features={cfg['features']} "
          f"skip={int(cfg['skip'])} bias={int(cfg['bias'])} n_in={cfg['n_in']} ({n_params} parameters)")
    print("metadata:", {k: cfg["meta"][k] for k in sorted(cfg["meta"])})

    name = args.dataset or cfg["dataset"]
    if not name:
        raise SystemExit("no dataset: pass --dataset (the file's metadata has no 'dataset')")
    data = load_dataset(args.data_dir, name)
    n, f = data["x"].shape
    if f != cfg["n_in"]:
        raise SystemExit(f"dataset {name} has {f} features but the model expects {cfg['n_in']}")
    src, dst = prepare_edges(data["edge_index"], n)
    x = torch.from_numpy(data["x"]).to(dtype)
    with torch.no_grad():
        logits = model(x, torch.from_numpy(src), torch.from_numpy(dst))
    pred = logits.argmax(dim=1).numpy()
    labels = data["labels"]
    for split in ("train", "val", "test"):
        idx = data[f"{split}_index"]
        acc = float((pred[idx] == labels[idx]).mean())
        print(f"{split} accuracy: {acc:.4f} ({int((pred[idx] == labels[idx]).sum())}/{idx.size})")
    if args.save_logits:
        np.save(args.save_logits, logits.numpy())
        print("logits written to", args.save_logits)
    return 0


if __name__ == "__main__":
    sys.exit(main())
