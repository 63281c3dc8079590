#!/usr/bin/env python3
"""Write a random-weights gat model file (.safetensors + __metadata__) from PyTorch.

    python3 reference/make_random_model.py /tmp/random_cora.safetensors
    python3 reference/load_in_pytorch.py /tmp/random_cora.safetensors

Used to test reference/load_in_pytorch.py without a C-trained model, and usable as a
PyTorch-written input for the C loader.  Default: the Cora model (heads 8,1, features 8,7, 1433 inputs,
no skip, bias on), Xavier-uniform weights, uniform(-0.1, 0.1) biases, torch.manual_seed(--seed).
"""

import argparse
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gat_reference import GAT  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--n-in", type=int, default=1433)
    ap.add_argument("--heads", default="8,1")
    ap.add_argument("--features", default="8,7")
    ap.add_argument("--skip", type=int, default=0)
    ap.add_argument("--bias", type=int, default=1)
    ap.add_argument("--dataset", default="cora")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    from safetensors.torch import save_file

    heads = [int(t) for t in args.heads.split(",")]
    features = [int(t) for t in args.features.split(",")]
    torch.manual_seed(args.seed)
    model = GAT(args.n_in, heads, features, skip=bool(args.skip), bias=bool(args.bias))
    with torch.no_grad():
        for layer in model.gat_net:
            nn.init.xavier_uniform_(layer.linear_proj.weight)
            nn.init.xavier_uniform_(layer.scoring_fn_target)
            nn.init.xavier_uniform_(layer.scoring_fn_source)
            if layer.bias is not None:
                layer.bias.uniform_(-0.1, 0.1)
            if layer.skip_proj is not None:
                nn.init.xavier_uniform_(layer.skip_proj.weight)
    meta = {"layers": str(len(heads)), "heads": args.heads, "features": args.features,
            "skip": str(args.skip), "bias": str(args.bias), "dataset": args.dataset}
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    save_file(state, args.out, metadata=meta)
    print(f"wrote {args.out}: {sorted(state)} metadata={meta}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
