#!/usr/bin/env python3
"""Compare gat's t-SNE with scikit-learn's on the same vectors.

  # 1. Cora's raw features -> row-normalised -> TruncatedSVD(50, random_state=0)
  python3 bench/tsne_compare.py prepare-cora data/cora /tmp/tsne-cora
  #    writes x.npy (N, 50) float32, labels.npy (N,) int64, and x.f32 / labels.i64 for bench_tsne

  # 2. scikit-learn (init random and pca) and, with --gat, build/bench/bench_tsne on the same data
  python3 bench/tsne_compare.py compare /tmp/tsne-cora/x.npy /tmp/tsne-cora/labels.npy \
      --gat build/bench_tsne --iter 1000 --seed 0

Reports, per run: wall time, KL, trustworthiness (k=10, sklearn.manifold.trustworthiness)
and kNN class agreement (k=10: the fraction of the 10 nearest 2-D neighbours sharing the
class). The gat embedding is read back from its CSV and scored by the same Python code,
so both implementations are measured by one independent yardstick."""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np


def knn_agreement(y, labels, k=10):
    from sklearn.neighbors import NearestNeighbors
    nb = NearestNeighbors(n_neighbors=k + 1).fit(y).kneighbors(y, return_distance=False)[:, 1:]
    mask = labels >= 0
    return float(np.mean(labels[nb[mask]] == labels[mask][:, None]))


def score(x, y, labels, k=10):
    from sklearn.manifold import trustworthiness
    return trustworthiness(x, y, n_neighbors=k), knn_agreement(y, labels, k)


def prepare_cora(args):
    import scipy.sparse as sp
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize
    feats = sp.load_npz(os.path.join(args.dataset, "features.npz")).astype(np.float64)
    labels = np.load(os.path.join(args.dataset, "labels.npy")).astype(np.int64)
    x = normalize(feats, norm="l1", axis=1)  # row-normalise as in the GAT paper's preprocessing
    x = TruncatedSVD(n_components=args.dim, random_state=0).fit_transform(x).astype(np.float32)
    os.makedirs(args.out, exist_ok=True)
    np.save(os.path.join(args.out, "x.npy"), x)
    np.save(os.path.join(args.out, "labels.npy"), labels)
    x.astype("<f4").tofile(os.path.join(args.out, "x.f32"))
    labels.astype("<i8").tofile(os.path.join(args.out, "labels.i64"))
    print(f"wrote {args.out}: x {x.shape} float32, labels {labels.shape}, {len(np.unique(labels))} classes")


def run_sklearn(x, labels, init, args):
    from sklearn.manifold import TSNE
    kw = dict(n_components=2, perplexity=args.perplexity, init=init, learning_rate="auto",
              random_state=args.seed, method=args.method, angle=0.5)
    try:
        tsne = TSNE(max_iter=args.iter, **kw)
    except TypeError:  # scikit-learn < 1.5
        tsne = TSNE(n_iter=args.iter, **kw)
    t0 = time.perf_counter()
    y = tsne.fit_transform(x)
    secs = time.perf_counter() - t0
    t, a = score(x, y, labels)
    return dict(impl="sklearn", init=init, seconds=secs, kl=float(tsne.kl_divergence_), trust=t, agree=a,
                n_iter=int(tsne.n_iter_))


def run_gat(x, labels, init, args):
    with tempfile.TemporaryDirectory() as tmp:
        xf, lf, out = (os.path.join(tmp, f) for f in ("x.f32", "labels.i64", "y.csv"))
        x.astype("<f4").tofile(xf)
        labels.astype("<i8").tofile(lf)
        method = {"barnes_hut": "bh", "exact": "exact"}[args.method]
        cmd = [args.gat, xf, str(x.shape[0]), str(x.shape[1]), "--labels", lf, "--out", out, "--init", init,
               "--method", method, "--iter", str(args.iter), "--seed", str(args.seed),
               "--perplexity", str(args.perplexity)]
        t0 = time.perf_counter()
        line = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()
        secs = time.perf_counter() - t0  # includes process start, file I/O and the C metrics
        fields = dict(kv.split("=", 1) for kv in line.split())
        y = np.loadtxt(out, delimiter=",", skiprows=1, usecols=(1, 2))
    t, a = score(x, y, labels)
    return dict(impl="gat", init=init, seconds=float(fields["seconds"]), kl=float(fields["kl"]), trust=t, agree=a,
                n_iter=args.iter, c_trust=float(fields["trustworthiness@10"]), c_agree=float(fields["knn_agreement@10"]),
                wall=secs)


def compare(args):
    x = np.load(args.x).astype(np.float32)
    labels = np.load(args.labels).astype(np.int64)
    assert x.ndim == 2 and labels.shape == (x.shape[0],), "x must be (N, D) and labels (N,)"
    print(f"N={x.shape[0]} D={x.shape[1]} perplexity={args.perplexity} iter={args.iter} method={args.method} "
          f"seed={args.seed} OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    rows = []
    for init in ("random", "pca"):
        rows.append(run_sklearn(x, labels, init, args))
        if args.gat:
            rows.append(run_gat(x, labels, init, args))
    print(f"{'impl':8s} {'init':6s} {'seconds':>8s} {'KL':>7s} {'trust@10':>9s} {'kNN@10':>7s}")
    for r in rows:
        print(f"{r['impl']:8s} {r['init']:6s} {r['seconds']:8.2f} {r['kl']:7.4f} {r['trust']:9.4f} {r['agree']:7.4f}"
              + (f"   (C metrics: trust {r['c_trust']:.4f}, kNN {r['c_agree']:.4f})" if "c_trust" in r else ""))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare-cora", help="Cora features -> 50-D float32 + labels")
    p.add_argument("dataset", help="folder with features.npz and labels.npy")
    p.add_argument("out", help="output folder")
    p.add_argument("--dim", type=int, default=50)
    p.set_defaults(func=prepare_cora)
    c = sub.add_parser("compare", help="run sklearn (and gat) t-SNE and score both")
    c.add_argument("x", help=".npy (N, D) float32")
    c.add_argument("labels", help=".npy (N,) integer classes")
    c.add_argument("--gat", help="path of the bench_tsne executable (omit to run sklearn only)")
    c.add_argument("--iter", type=int, default=1000)
    c.add_argument("--perplexity", type=float, default=30.0)
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--method", default="barnes_hut", choices=("barnes_hut", "exact"))
    c.set_defaults(func=compare)
    args = ap.parse_args()
    args.func(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
