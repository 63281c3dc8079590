#!/usr/bin/env python3
"""Independent PyTorch reference for `gat` (Graph Attention Networks, Velickovic et al., ICLR 2018).

Regenerate the golden fixtures the C tests compare against (from the repository root):

    python3 reference/gat_reference.py --out tests/fixtures/golden

(--data-dir defaults to $GAT_DATA_DIR, else the repository's data/; the Cora files are read from
<data-dir>/cora.  --cases small_skip_proj,cora limits the run to some cases.)

The output is deterministic: running the command twice gives byte-identical files (checked with
sha256sum).  See reference/README.md for the fixture format.

Model (parameter names/shapes identical to the state_dict of the PyTorch project pytorch-GAT):
  layer l, H heads of F features, input width F_in:
    gat_net.{l}.linear_proj.weight  (H*F, F_in)
    gat_net.{l}.scoring_fn_target   (1, H, F)      a_dst
    gat_net.{l}.scoring_fn_source   (1, H, F)      a_src
    gat_net.{l}.bias                (H*F) hidden / (F) last layer     [if bias]
    gat_net.{l}.skip_proj.weight    (H*F, F_in)                        [if skip; unused when F == F_in]
  z = x W^T -> (N,H,F); s_src = <z, a_src>, s_dst = <z, a_dst>;
  for every edge j->i (input self loops removed, one self loop per node added, duplicates kept;
  with "add_self_loops": false in config.json the edges exactly as given, none added, and a node
  without incoming edges aggregates 0):
    e = LeakyReLU_0.2(s_src[j] + s_dst[i]); alpha = softmax over the edges into i; out[i] = sum alpha z[j]
  skip: F == F_in -> out += x[:, None, :]; else out += (x Wskip^T).view(N,H,F)
  hidden layer: ELU(out.view(N,H*F) + bias); last layer: out.mean(heads) + bias
  loss: mean cross-entropy of the logits at train_index.
GATv2 (Brody, Alon, Yahav 2022; PyG GATv2Conv), cases with "attention": "gatv2" in config.json:
    gat_net.{l}.linear_proj.weight         (H*F, F_in)   W      (PyG lin_l: messages and source term)
    gat_net.{l}.linear_proj_target.weight  (H*F, F_in)   W_dst  (PyG lin_r; absent when share_weights)
    gat_net.{l}.scoring_fn                 (1, H, F)     a      (PyG att)
  z = x W^T, t = x W_dst^T -> (N,H,F); e = sum_f a * LeakyReLU(z[j] + t[i]); alpha, out, skip, bias as above.
  With dropout the target projection t has a mask of its own (site 4).

The fixture computation is done in float64 on float32-representable parameters/inputs.  The
attention softmax is computed with scatter ops (scatter_reduce amax / index_add_); for the small
graphs the script also recomputes the forward pass and gradients with a dense masked N x N
attention and asserts agreement to 1e-12 (on Cora: forward, loss and attention only), and checks
the small-case gradients with torch.autograd.gradcheck (finite differences).
"""

import argparse
import hashlib
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as Fn

# The repository's own data/ (Cora and Citeseer ship there), wherever the checkout is.
DEFAULT_DATA_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "data"))


# --------------------------------------------------------------------------------------------
# Dropout masks: gat's counter-based stream, written from its specification (include/gat/rng.h)
# --------------------------------------------------------------------------------------------
# An element i of the stream `key` is kept when its 32 random bits u32(key, i) are >= p * 2^32,
# where one SplitMix64 finaliser call on key ^ ((i >> 1) * 0xd1b54a32d192ed03) gives the bits of
# the even element (low half) and the odd one (high half). Kept elements are scaled by 1/(1-p).
# The stream of layer l, site s (1 input, 2 projection, 3 attention) of a training step with key
# K is rng_key(K, l, s, 0). Masks index the masked array in C order: the layer input (N, F_in)
# (a stored entry (r, c) of sparse input features has the index r * F_in + c of the dense
# element, so sparse and dense copies of the data get the same mask), the projection (N, H*F),
# the attention (E_total, H) in the edge order of prepare_edges.

MASK64 = (1 << 64) - 1
SITE_INPUT, SITE_PROJ, SITE_ATT, SITE_PROJ_DST = 1, 2, 3, 4


def mix64(z):
    """SplitMix64 finaliser on a Python int (mod 2^64)."""
    z = (z + 0x9E3779B97F4A7C15) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def mix64_np(z):
    """The same on a uint64 numpy array (multiplication wraps mod 2^64)."""
    z = z + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def rng_key(seed, a, b, c):
    return mix64(mix64(mix64(mix64(seed) ^ a) ^ b) ^ c)


def keep_mask(key, n, p):
    """(n,) bool: which elements of stream `key` dropout with probability p (a float32) keeps."""
    i = np.arange(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        r = mix64_np(np.uint64(key) ^ ((i >> np.uint64(1)) * np.uint64(0xD1B54A32D192ED03)))
    u = np.where((i & np.uint64(1)) == 1, r >> np.uint64(32), r & np.uint64(0xFFFFFFFF))
    t = float(np.float32(p)) * 4294967296.0
    thr = 0xFFFFFFFF if t >= 4294967295.0 else int(t)
    return u >= np.uint64(thr)


# --------------------------------------------------------------------------------------------
# Graph preprocessing
# --------------------------------------------------------------------------------------------

def prepare_edges(edge_index, n_nodes, add_self_loops=True):
    """Remove input self loops, add one self loop per node, keep duplicates.

    Returns (src, dst) int64 numpy arrays of length E_total = N + #non-self-loop input edges in the
    canonical order: for each target i in increasing order, first its self loop i->i, then its input
    edges j->i (j != i) in the order they appear in edge_index.
    With add_self_loops=False (gat train --add_self_loops false, PyG GATConv(add_self_loops=False)):
    the input edges exactly as given, self loops and duplicates included, none added (E_total = E),
    for each target in increasing order in the order they appear; a node without incoming edges has
    none (an empty softmax: its aggregation is 0).
    """
    edge_index = np.asarray(edge_index, dtype=np.int64)
    assert edge_index.ndim == 2 and edge_index.shape[0] == 2
    src, dst = edge_index[0], edge_index[1]
    assert src.size == 0 or (src.min() >= 0 and src.max() < n_nodes and dst.min() >= 0 and dst.max() < n_nodes)
    if not add_self_loops:
        order = np.lexsort((np.arange(src.size, dtype=np.int64), dst))
        return src[order].copy(), dst[order].copy()
    keep = src != dst
    src, dst = src[keep], dst[keep]
    # self loops first: give them key position -1 so that a stable sort puts them before the input edges
    all_src = np.concatenate([np.arange(n_nodes, dtype=np.int64), src])
    all_dst = np.concatenate([np.arange(n_nodes, dtype=np.int64), dst])
    pos = np.concatenate([np.full(n_nodes, -1, dtype=np.int64), np.arange(src.size, dtype=np.int64)])
    order = np.lexsort((pos, all_dst))  # primary: target, secondary: position (self loop = -1)
    return all_src[order], all_dst[order]


def load_dataset(data_dir, name):
    """Load a transductive dataset folder (<data_dir>/<name>): row-normalised features (float64)."""
    import scipy.sparse as sp
    d = os.path.join(data_dir, name)
    feats = sp.load_npz(os.path.join(d, "features.npz")).tocsr()
    raw = np.asarray(feats.todense(), dtype=np.float64)  # float32 counts -> float64 exactly
    rowsum = raw.sum(axis=1, keepdims=True)
    x = np.divide(raw, rowsum, out=np.zeros_like(raw), where=rowsum != 0)  # rows summing to 0 stay 0
    raw_npz = np.load(os.path.join(d, "features.npz"))  # the stored entries in file order
    data = {"x": x, "csr": (raw_npz["indptr"].astype(np.int64), raw_npz["indices"].astype(np.int64))}
    for k in ("edge_index", "labels", "train_index", "val_index", "test_index"):
        data[k] = np.load(os.path.join(d, k + ".npy"))
    return data


# --------------------------------------------------------------------------------------------
# Model (pytorch-GAT compatible state_dict)
# --------------------------------------------------------------------------------------------

class GATLayer(nn.Module):
    def __init__(self, num_in_features, num_out_features, num_of_heads, concat, activation,
                 add_skip_connection, bias, dropout_prob=0.0, negative_slope=0.2, feature_dropout=None,
                 attention_dropout=None, attention="gat", share_weights=False):
        super().__init__()
        self.attention_type = attention
        self.share_weights = share_weights
        self.negative_slope = negative_slope
        self.num_in_features = num_in_features
        self.num_out_features = num_out_features
        self.num_of_heads = num_of_heads
        self.concat = concat
        self.activation = activation
        self.add_skip_connection = add_skip_connection
        self.linear_proj = nn.Linear(num_in_features, num_of_heads * num_out_features, bias=False)
        if attention == "gatv2":
            if not share_weights:
                self.linear_proj_target = nn.Linear(num_in_features, num_of_heads * num_out_features, bias=False)
            self.scoring_fn = nn.Parameter(torch.empty(1, num_of_heads, num_out_features))
        else:
            self.scoring_fn_target = nn.Parameter(torch.empty(1, num_of_heads, num_out_features))
            self.scoring_fn_source = nn.Parameter(torch.empty(1, num_of_heads, num_out_features))
        if bias:
            self.bias = nn.Parameter(torch.empty(num_of_heads * num_out_features if concat else num_out_features))
        else:
            self.register_parameter("bias", None)
        if add_skip_connection:
            self.skip_proj = nn.Linear(num_in_features, num_of_heads * num_out_features, bias=False)
        else:
            self.register_parameter("skip_proj", None)
        # dropout as in pytorch-GAT: on the layer input, the projection and the attention
        # coefficients. The masks are given (set_masks: float 0/1 tensors), not drawn here, so that
        # a training-mode pass is a deterministic function of the parameters; None = no dropout.
        # feature_dropout (input, projection) and attention_dropout (PyG GATConv's dropout) default
        # to dropout_prob, as gat's --feature_dropout / --attention_dropout default to --dropout
        pf = dropout_prob if feature_dropout is None else feature_dropout
        pa = dropout_prob if attention_dropout is None else attention_dropout
        self.dropout_prob = dict(input=pf, proj=pf, att=pa, proj_dst=pf)
        self.masks = None
        self.last_attention = None

    def set_masks(self, masks):
        """masks: dict input (N, F_in), proj (N, H*F), att (E_total, H) [, proj_dst (N, H*F), gatv2] of
        0/1 values, or None."""
        self.masks = masks

    def drop(self, t, site):
        if self.masks is None or self.dropout_prob[site] == 0.0:
            return t
        return t * self.masks[site].to(t.dtype) / (1.0 - self.dropout_prob[site])

    def forward(self, x, src, dst):
        """x: (N, F_in); src/dst: (E_total,) int64 tensors with self loops already handled."""
        n = x.shape[0]
        H, F = self.num_of_heads, self.num_out_features
        x = self.drop(x, "input")
        z = self.drop(self.linear_proj(x), "proj").view(n, H, F)
        if self.attention_type == "gatv2":
            lin_t = self.linear_proj if self.share_weights else self.linear_proj_target
            t = self.drop(lin_t(x), "proj_dst").view(n, H, F)
            e = (Fn.leaky_relu(z[src] + t[dst], negative_slope=self.negative_slope) * self.scoring_fn).sum(dim=-1)
        else:
            s_src = (z * self.scoring_fn_source).sum(dim=-1)  # (N, H)
            s_dst = (z * self.scoring_fn_target).sum(dim=-1)  # (N, H)
            e = Fn.leaky_relu(s_src[src] + s_dst[dst], negative_slope=self.negative_slope)  # (E, H)
        alpha = scatter_softmax(e, dst, n)
        self.last_attention = alpha.detach()
        alpha = self.drop(alpha, "att")
        out = torch.zeros(n, H, F, dtype=z.dtype, device=z.device)
        out.index_add_(0, dst, alpha.unsqueeze(-1) * z[src])
        if self.add_skip_connection:
            if F == x.shape[-1]:
                out = out + x.unsqueeze(1)
            else:
                out = out + self.skip_proj(x).view(n, H, F)
        if self.concat:
            out = out.reshape(n, H * F)
        else:
            out = out.mean(dim=1)
        if self.bias is not None:
            out = out + self.bias
        if self.activation is not None:
            out = self.activation(out)
        return out


def scatter_softmax(e, dst, n):
    """Softmax of e (E, H) over the edges sharing the same target dst (E,)."""
    H = e.shape[1]
    idx = dst.unsqueeze(1).expand(-1, H)
    emax = torch.full((n, H), float("-inf"), dtype=e.dtype, device=e.device)
    emax = emax.scatter_reduce(0, idx, e, reduce="amax", include_self=True)
    # the shift cancels mathematically; detaching it keeps the backward pass exact and simple
    ex = torch.exp(e - emax.detach()[dst])
    denom = torch.zeros(n, H, dtype=e.dtype, device=e.device).index_add_(0, dst, ex)
    return ex / denom[dst]


class GAT(nn.Module):
    """pytorch-GAT compatible GAT: self.gat_net = nn.Sequential(GATLayer, ...)."""

    def __init__(self, num_in_features, heads, features, skip, bias, dropout_prob=0.0, negative_slope=0.2,
                 feature_dropout=None, attention_dropout=None, attention="gat", share_weights=False, concat=None):
        """dropout_prob applies only while masks are set (GAT.set_masks). concat: per layer, whether
        the heads are concatenated (else averaged); None = hidden layers concatenate, the last averages
        (pytorch-GAT). Hidden layers apply ELU, the last none."""
        super().__init__()
        assert len(heads) == len(features) and len(heads) >= 1
        layers = []
        f_in = num_in_features
        L = len(heads)
        concat = [l != L - 1 for l in range(L)] if concat is None else list(concat)
        for l in range(L):
            last = l == L - 1
            layers.append(GATLayer(f_in, features[l], heads[l], concat=concat[l],
                                   activation=None if last else nn.ELU(alpha=1.0),
                                   add_skip_connection=skip, bias=bias, dropout_prob=dropout_prob,
                                   negative_slope=negative_slope, feature_dropout=feature_dropout,
                                   attention_dropout=attention_dropout, attention=attention,
                                   share_weights=share_weights))
            f_in = heads[l] * features[l] if concat[l] else features[l]
        self.gat_net = nn.Sequential(*layers)
        self.heads = list(heads)
        self.features = list(features)

    def forward(self, x, src, dst):
        h = x
        for layer in self.gat_net:
            h = layer(h, src, dst)
        return h

    def attention(self):
        return [layer.last_attention for layer in self.gat_net]

    def set_masks(self, masks):
        """masks: per layer a dict (see GATLayer.set_masks), or None for evaluation mode."""
        for l, layer in enumerate(self.gat_net):
            layer.set_masks(None if masks is None else masks[l])


def site_probs(cfg):
    """The dropout probability of each site: feature_dropout (input, projection) and
    attention_dropout (attention), each cfg["dropout"] unless given."""
    p = cfg.get("dropout", 0.0)
    pf, pa = cfg.get("feature_dropout", p), cfg.get("attention_dropout", p)
    return dict(input=pf, proj=pf, att=pa, proj_dst=pf)


def make_masks(cfg, n, n_edges_total, key, p, csr=None):
    """The dropout masks of gat's training step `key`, per layer, as numpy uint8 arrays in gat's
    indexing (see keep_mask) and as dense float64 0/1 tensors for the model.

    csr: (indptr, indices) of sparse input features in file order (layer-0 input mask over their
    stored entries), or None for dense input."""
    raw, dense = [], []
    ps = site_probs(cfg)
    f_in = cfg["n_in"]
    for l in range(cfg["layers"]):
        H, F = cfg["heads"][l], cfg["features"][l]
        kin, kproj, katt = (rng_key(key, l, s, 0) for s in (SITE_INPUT, SITE_PROJ, SITE_ATT))
        m_in = keep_mask(kin, n * f_in, ps["input"])
        d_in = m_in.reshape(n, f_in).astype(np.float64)
        if l == 0 and csr is not None:  # a stored entry (r, c) has the mask of dense element r * F_in + c
            indptr, indices = csr
            rows = np.repeat(np.arange(n), np.diff(indptr))
            m_in = m_in.reshape(n, f_in)[rows, indices]
        m_proj = keep_mask(kproj, n * H * F, ps["proj"])
        m_att = keep_mask(katt, n_edges_total * H, ps["att"])
        sites = [("input", m_in), ("proj", m_proj), ("att", m_att)]
        if cfg.get("attention") == "gatv2":  # the target projection's own mask
            sites.append(("proj_dst", keep_mask(rng_key(key, l, SITE_PROJ_DST, 0), n * H * F, ps["proj_dst"])))
        # a site without dropout draws no mask: none is written (gat leaves its mask unset)
        raw.append({s: m.astype(np.uint8) for s, m in sites if ps[s] > 0})
        dense.append(dict(input=torch.from_numpy(d_in), proj=torch.from_numpy(m_proj.reshape(n, H * F).astype(np.float64)),
                          att=torch.from_numpy(m_att.reshape(n_edges_total, H).astype(np.float64))))
        if cfg.get("attention") == "gatv2":
            dense[-1]["proj_dst"] = torch.from_numpy(sites[3][1].reshape(n, H * F).astype(np.float64))
        f_in = layer_width(cfg, l)
    return raw, dense


def layer_concat(cfg, l):
    """Whether layer l concatenates its heads (cfg "concat_heads", else all but the last)."""
    c = cfg.get("concat_heads")
    return c[l] if c is not None else l != cfg["layers"] - 1


def layer_width(cfg, l):
    """Layer l's output width: H*F when it concatenates its heads, F when it averages them."""
    return cfg["heads"][l] * cfg["features"][l] if layer_concat(cfg, l) else cfg["features"][l]


# --------------------------------------------------------------------------------------------
# Dense cross-check (independent formulation; with grads on the small graphs, forward-only on Cora)
# --------------------------------------------------------------------------------------------

def dense_forward(params, cfg, x, src, dst, masks=None):
    """Same network written with dense masked N x N attention on a plain dict of tensors.

    A[i, j] = number of edges j -> i (duplicates count with multiplicity). With dropout masks
    (per layer dicts as for GAT.set_masks), D[i, j] = number of KEPT edges j -> i of each head
    scaled by 1/(1-p) replaces A in the aggregation (the softmax still runs over all edges).
    Returns (logits, per layer the (E_total, H) attention of one edge, read from the N x N matrix at [dst, src]).
    """
    n = x.shape[0]
    A = torch.zeros(n, n, dtype=x.dtype)
    A.index_put_((dst, src), torch.ones(src.shape[0], dtype=x.dtype), accumulate=True)
    mask = A > 0
    h = x
    L = cfg["layers"]
    atts = []
    for l in range(L):
        H, F = cfg["heads"][l], cfg["features"][l]
        W = params[f"gat_net.{l}.linear_proj.weight"]
        ps = site_probs(cfg)
        fscale, ascale = 1.0 / (1.0 - ps["input"]), 1.0 / (1.0 - ps["att"])
        if masks is not None:
            h = h * masks[l]["input"] * fscale
        zall = h @ W.T
        if masks is not None:
            zall = zall * masks[l]["proj"] * fscale
        zall = zall.reshape(n, H, F)
        v2 = cfg.get("attention") == "gatv2"
        if v2:
            Wt = params[f"gat_net.{l}.linear_proj.weight" if cfg.get("share_weights") else f"gat_net.{l}.linear_proj_target.weight"]
            tall = h @ Wt.T
            if masks is not None:
                tall = tall * masks[l]["proj_dst"] * fscale
            tall = tall.reshape(n, H, F)
            a_v2 = params[f"gat_net.{l}.scoring_fn"][0]  # (H, F)
        else:
            a_src = params[f"gat_net.{l}.scoring_fn_source"][0]  # (H, F)
            a_dst = params[f"gat_net.{l}.scoring_fn_target"][0]
        outs, att_l = [], []
        for hd in range(H):  # one head at a time keeps memory at a few N x N matrices
            z = zall[:, hd, :]  # (N, F)
            slope = cfg.get("negative_slope", 0.2)
            if v2:  # (i, j, F): every pair, masked below (small graphs only)
                u = tall[:, hd, None, :] + z[None, :, :]
                e = (torch.where(u > 0, u, slope * u) * a_v2[hd]).sum(dim=-1)
            else:
                ss = z @ a_src[hd]
                sd = z @ a_dst[hd]
                e = sd[:, None] + ss[None, :]  # (i, j)
                e = torch.where(e > 0, e, slope * e)
            e = torch.where(mask, e, torch.full_like(e, float("-inf")))
            # a row without any edge (add_self_loops=False) has max -inf: shift it by 0 instead
            emax = e.max(dim=1, keepdim=True).values
            emax = torch.where(torch.isinf(emax), torch.zeros_like(emax), emax)
            ex = torch.exp(e - emax)  # 0 where there is no edge
            denom = (A * ex).sum(dim=1, keepdim=True)
            att_single = ex / torch.where(denom > 0, denom, torch.ones_like(denom))  # attention of ONE edge j->i
            att_l.append(att_single[dst, src])
            if masks is None:
                outs.append((A * att_single) @ z)  # duplicates count with multiplicity
            else:
                D = torch.zeros(n, n, dtype=x.dtype)
                D.index_put_((dst, src), masks[l]["att"][:, hd] * ascale, accumulate=True)
                outs.append((D * att_single) @ z)
        atts.append(torch.stack(att_l, dim=1))
        out = torch.stack(outs, dim=1)  # (N, H, F)
        if cfg["skip"]:
            if F == h.shape[1]:
                out = out + h[:, None, :]
            else:
                Ws = params[f"gat_net.{l}.skip_proj.weight"]
                out = out + (h @ Ws.T).reshape(n, H, F)
        last = l == L - 1
        out = out.reshape(n, H * F) if layer_concat(cfg, l) else out.mean(dim=1)
        if cfg["bias"]:
            out = out + params[f"gat_net.{l}.bias"]
        h = out if last else torch.where(out > 0, out, torch.expm1(out))
    return h, atts


# --------------------------------------------------------------------------------------------
# Fixture cases
# --------------------------------------------------------------------------------------------

def random_graph(rng, n, n_edges, n_self_loops, n_duplicates, n_isolated):
    """Random directed edge list with some input self loops, duplicate edges and isolated nodes."""
    isolated = rng.choice(n, size=n_isolated, replace=False)
    pool = np.array(sorted(set(range(n)) - set(isolated.tolist())), dtype=np.int64)
    pairs = set()
    n_base = n_edges - n_self_loops - n_duplicates
    while len(pairs) < n_base:
        s, t = rng.choice(pool, size=2, replace=True)
        if s != t:
            pairs.add((int(s), int(t)))
    edges = sorted(pairs)
    edges = [edges[k] for k in rng.permutation(len(edges))]
    dups = [edges[k] for k in rng.choice(len(edges), size=n_duplicates, replace=False)]
    loops = [(int(v), int(v)) for v in rng.choice(pool, size=n_self_loops, replace=False)]
    for extra in dups + loops:
        edges.insert(int(rng.integers(0, len(edges) + 1)), extra)
    ei = np.array(edges, dtype=np.int64).T.copy()
    return ei, np.sort(isolated)


def random_features(rng, n, f, zero_frac=0.4, zero_rows=()):
    x = rng.standard_normal((n, f))
    x[rng.random((n, f)) < zero_frac] = 0.0
    for r in zero_rows:
        x[r] = 0.0
    return x.astype(np.float32)


SMALL_CASES = {
    # name: (seed, N, F_in, heads, features, skip, bias, n_edges, n_train)
    "small_skip_proj": dict(seed=101, n=13, f_in=9, heads=[3, 2], features=[4, 3], skip=True, bias=True,
                            n_edges=40, n_train=8),
    "small_skip_identity": dict(seed=202, n=11, f_in=5, heads=[2, 2], features=[3, 6], skip=True, bias=True,
                                n_edges=32, n_train=6),
    "small_three_layers_nobias": dict(seed=303, n=17, f_in=7, heads=[2, 2, 1], features=[5, 4, 4], skip=False,
                                      bias=False, n_edges=48, n_train=9),
    # training mode (dropout masks from gat's stream for the step key `key`): the 8 heads x 8
    # features and F = 8 kernels; skip connections (projected, identity, projected) in 3 layers
    "small_dropout_8x8": dict(seed=404, n=40, f_in=12, heads=[8, 2], features=[8, 8], skip=False, bias=True,
                              n_edges=150, n_train=16, dropout=0.5, key=404404, w_scale=0.4),
    "small_dropout_skip": dict(seed=505, n=16, f_in=7, heads=[3, 2, 2], features=[4, 12, 3], skip=True, bias=True,
                               n_edges=50, n_train=8, dropout=0.3, key=505505),
    # gat train --negative_slope: another LeakyReLU slope (PyG's GATConv negative_slope), with dropout
    "small_negative_slope": dict(seed=606, n=15, f_in=6, heads=[4, 2], features=[3, 4], skip=False, bias=True,
                                 n_edges=45, n_train=8, dropout=0.2, key=606606, negative_slope=0.05),
    # gat train --feature_dropout / --attention_dropout: separate probabilities for the layer inputs
    # and projections and for the attention coefficients; attention only is PyG GATConv's dropout
    "small_split_dropout": dict(seed=707, n=18, f_in=7, heads=[3, 2], features=[4, 3], skip=True, bias=True,
                                n_edges=55, n_train=9, dropout=0.6, feature_dropout=0.25, attention_dropout=0.5,
                                key=707707),
    "small_attention_dropout_only": dict(seed=808, n=16, f_in=6, heads=[4, 2], features=[3, 4], skip=False,
                                         bias=True, n_edges=50, n_train=8, dropout=0.0, attention_dropout=0.4,
                                         key=808808),
    # gat train --attention_type gatv2 (PyG GATv2Conv): evaluation; training with dropout on every site
    # (the target projection's own mask) and skips (projected, identity, projected) in 3 layers;
    # --share_weights with split dropouts and another slope
    "small_gatv2": dict(seed=909, n=14, f_in=6, heads=[3, 2], features=[4, 3], skip=False, bias=True,
                        n_edges=44, n_train=8, attention="gatv2"),
    "small_gatv2_dropout_skip": dict(seed=1010, n=16, f_in=7, heads=[3, 2, 2], features=[4, 12, 3], skip=True,
                                     bias=True, n_edges=50, n_train=8, dropout=0.3, key=1010101, attention="gatv2"),
    "small_gatv2_shared": dict(seed=1111, n=15, f_in=6, heads=[4, 2], features=[3, 4], skip=True, bias=True,
                               n_edges=46, n_train=8, dropout=0.5, feature_dropout=0.25, attention_dropout=0.4,
                               key=1111111, negative_slope=0.1, attention="gatv2", share_weights=True),
    # gat train --concat_heads (PyG GATConv's concat): a hidden layer that averages its heads (the next
    # layer's input is F wide, here an identity skip into a concatenating layer) and a last layer
    # that concatenates 2 heads of 3 features into 6 classes; with dropout
    "small_concat_heads": dict(seed=909, n=17, f_in=6, heads=[3, 2, 2], features=[4, 4, 3], skip=True, bias=True,
                               n_edges=52, n_train=9, dropout=0.3, key=909909, concat_heads=[False, True, True]),
    # gat train --add_self_loops false (PyG GATConv / GATv2Conv add_self_loops=False): the edges as
    # given, their own self loops kept, duplicates kept, none added; besides the two isolated nodes
    # one more node loses its incoming edges (it still sends): empty softmaxes, zero aggregation; with
    # dropout, and for gatv2 too
    "small_no_self_loops": dict(seed=1212, n=15, f_in=6, heads=[3, 2], features=[4, 3], skip=False, bias=True,
                                n_edges=46, n_train=9, dropout=0.3, key=1212121, add_self_loops=False),
    "small_gatv2_no_self_loops": dict(seed=1313, n=16, f_in=7, heads=[3, 2, 2], features=[4, 12, 3], skip=True,
                                      bias=True, n_edges=50, n_train=9, dropout=0.3, key=1313131, attention="gatv2",
                                      add_self_loops=False),
}
# Cora in training mode: dropout 0.6 on the sparse input (its stored entries), projections, attention
CORA_CASES = {"cora": dict(dropout=0.0), "cora_dropout": dict(dropout=0.6, key=20180430)}
# Multi-label (PPI-like) cases: a batch of whole graphs (block-diagonal), BCE with logits over
# every (node, label) pair of the batch, projected skip connections in every layer.
MULTI_CASES = {
    "small_multilabel_two_graphs": dict(seed=404, sizes=[7, 6], f_in=6, heads=[2, 2, 3], features=[4, 4, 5],
                                        n_edges=[18, 16]),
}
ALL_CASES = list(SMALL_CASES) + list(MULTI_CASES) + list(CORA_CASES)


def loss_of(cfg, logits, labels, train):
    """Cross-entropy (single-label) or binary cross-entropy with logits (multi-label), mean."""
    if cfg.get("task") == "multi_label":
        return Fn.binary_cross_entropy_with_logits(logits[train], labels[train], reduction="mean")
    return Fn.cross_entropy(logits[train], labels[train], reduction="mean")


def param_names(cfg):
    names = []
    for l in range(cfg["layers"]):
        if cfg.get("attention") == "gatv2":
            names.append(f"gat_net.{l}.linear_proj.weight")
            if not cfg.get("share_weights"):
                names.append(f"gat_net.{l}.linear_proj_target.weight")
            names.append(f"gat_net.{l}.scoring_fn")
        else:
            names += [f"gat_net.{l}.linear_proj.weight", f"gat_net.{l}.scoring_fn_target",
                      f"gat_net.{l}.scoring_fn_source"]
        if cfg["bias"]:
            names.append(f"gat_net.{l}.bias")
        if cfg["skip"]:
            names.append(f"gat_net.{l}.skip_proj.weight")
    return names


def make_small_case(spec):
    rng = np.random.default_rng(spec["seed"])
    n, f_in, heads, feats = spec["n"], spec["f_in"], spec["heads"], spec["features"]
    edge_index, isolated = random_graph(rng, n, spec["n_edges"], n_self_loops=2, n_duplicates=2, n_isolated=2)
    if not spec.get("add_self_loops", True):
        # one more node without incoming edges (it keeps its outgoing ones and any self loop of another
        # node stays): the lowest-numbered node that is neither isolated nor has a self loop
        loops = set(edge_index[0][edge_index[0] == edge_index[1]].tolist())
        deaf = min(set(range(n)) - set(isolated.tolist()) - loops)
        edge_index = edge_index[:, edge_index[1] != deaf].copy()
    zero_rows = [int(isolated[0])] + [int(v) for v in rng.choice(
        sorted(set(range(n)) - set(isolated.tolist())), size=1, replace=False)]
    x = random_features(rng, n, f_in, zero_rows=zero_rows)
    concat = spec.get("concat_heads")
    n_classes = feats[-1] * (heads[-1] if concat and concat[-1] else 1)  # the last layer's width
    labels = rng.integers(0, n_classes, size=n).astype(np.int64)
    train_index = np.sort(rng.choice(n, size=spec["n_train"], replace=False)).astype(np.int64)
    cfg = dict(layers=len(heads), heads=heads, features=feats, skip=spec["skip"], bias=spec["bias"],
               n_nodes=n, n_in=f_in, n_classes=n_classes, dataset=None)
    if spec.get("dropout", 0.0) > 0 or "key" in spec:
        cfg.update(dropout=spec.get("dropout", 0.0), key=spec["key"])
    for k in ("feature_dropout", "attention_dropout", "concat_heads"):  # gat train options of the same names
        if k in spec:
            cfg[k] = spec[k]
    if "negative_slope" in spec:  # the LeakyReLU slope of the scores, when not pytorch-GAT's 0.2
        cfg.update(negative_slope=spec["negative_slope"])
    if "attention" in spec:  # gat train --attention_type gatv2 [--share_weights true]
        cfg.update(attention=spec["attention"], share_weights=spec.get("share_weights", False))
    if "add_self_loops" in spec:  # gat train --add_self_loops false
        cfg.update(add_self_loops=spec["add_self_loops"])
    model = GAT(f_in, heads, feats, spec["skip"], spec["bias"], dropout_prob=spec.get("dropout", 0.0),
                negative_slope=spec.get("negative_slope", 0.2), feature_dropout=spec.get("feature_dropout"),
                attention_dropout=spec.get("attention_dropout"), attention=spec.get("attention", "gat"),
                share_weights=spec.get("share_weights", False), concat=spec.get("concat_heads"))
    # random parameters, uniform(-1, 1) * scale (attention far from uniform), in a fixed order
    sd = {}
    for name, p in model.named_parameters():
        if name.endswith("linear_proj.weight") or name.endswith("skip_proj.weight") or name.endswith("linear_proj_target.weight"):
            scale = 1.5 / np.sqrt(p.shape[1]) * 2.0 * spec.get("w_scale", 1.0)
        elif "scoring_fn" in name:
            scale = 1.5
        else:  # bias
            scale = 0.5
        sd[name] = (rng.uniform(-1.0, 1.0, size=tuple(p.shape)) * scale).astype(np.float32)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items()}, strict=True)
    inputs = dict(x=x, edge_index=edge_index, labels=labels, train_index=train_index)
    return cfg, model, inputs


def make_multi_case(spec):
    rng = np.random.default_rng(spec["seed"])
    sizes, f_in, heads, feats = spec["sizes"], spec["f_in"], spec["heads"], spec["features"]
    parts, offset = [], 0
    for n_g, e_g in zip(sizes, spec["n_edges"]):
        ei, _ = random_graph(rng, n_g, e_g, n_self_loops=1, n_duplicates=1, n_isolated=1)
        parts.append(ei + offset)
        offset += n_g
    n = offset
    edge_index = np.concatenate(parts, axis=1)
    x = random_features(rng, n, f_in, zero_rows=[0, sizes[0]])
    n_classes = feats[-1]
    targets = (rng.random((n, n_classes)) < 0.3).astype(np.float32)
    graph_id = np.concatenate([np.full(n_g, g, dtype=np.int64) for g, n_g in enumerate(sizes)])
    cfg = dict(layers=len(heads), heads=heads, features=feats, skip=True, bias=True, n_nodes=n, n_in=f_in,
               n_classes=n_classes, dataset=None, task="multi_label", graphs=len(sizes))
    model = GAT(f_in, heads, feats, True, True)
    sd = {}
    for name, p in model.named_parameters():
        if name.endswith("linear_proj.weight") or name.endswith("skip_proj.weight"):
            scale = 1.5 / np.sqrt(p.shape[1]) * 2.0
        elif "scoring_fn" in name:
            scale = 1.5
        else:
            scale = 0.5
        sd[name] = (rng.uniform(-1.0, 1.0, size=tuple(p.shape)) * scale).astype(np.float32)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items()}, strict=True)
    inputs = dict(x=x, edge_index=edge_index, labels=targets, train_index=np.arange(n, dtype=np.int64),
                  graph_id=graph_id)
    return cfg, model, inputs


def make_cora_case(data_dir, spec):
    data = load_dataset(data_dir, "cora")
    n, f_in = data["x"].shape
    heads, feats = [8, 1], [8, 7]
    cfg = dict(layers=2, heads=heads, features=feats, skip=False, bias=True, n_nodes=int(n), n_in=int(f_in),
               n_classes=7, dataset="cora")
    if spec["dropout"] > 0:
        cfg.update(dropout=spec["dropout"], key=spec["key"])
    torch.manual_seed(0)
    model = GAT(f_in, heads, feats, skip=False, bias=True, dropout_prob=spec["dropout"])
    with torch.no_grad():
        for layer in model.gat_net:  # order: linear_proj, scoring_fn_target, scoring_fn_source, bias
            nn.init.xavier_uniform_(layer.linear_proj.weight)
            nn.init.xavier_uniform_(layer.scoring_fn_target)
            nn.init.xavier_uniform_(layer.scoring_fn_source)
            layer.bias.uniform_(-0.1, 0.1)
    inputs = dict(x=data["x"], edge_index=data["edge_index"], labels=data["labels"],
                  train_index=data["train_index"], csr=data["csr"])
    return cfg, model, inputs


# --------------------------------------------------------------------------------------------
# Reference computation + checks
# --------------------------------------------------------------------------------------------

def run_reference(cfg, model, inputs):
    """float64 forward/backward. Returns dict of float32 params and float64 results."""
    params32 = {k: v.detach().to(torch.float32).numpy().copy() for k, v in model.state_dict().items()}
    model = model.double().eval()
    n = cfg["n_nodes"]
    src_np, dst_np = prepare_edges(inputs["edge_index"], n, cfg.get("add_self_loops", True))
    src, dst = torch.from_numpy(src_np), torch.from_numpy(dst_np)
    x = torch.from_numpy(np.asarray(inputs["x"], dtype=np.float64))  # float32 -> float64 exact for small cases
    labels = torch.from_numpy(inputs["labels"])
    if cfg.get("task") == "multi_label":
        labels = labels.to(torch.float64)
    train = torch.from_numpy(inputs["train_index"])
    raw_masks, masks = None, None
    if "key" in cfg and max(site_probs(cfg).values()) > 0:
        raw_masks, masks = make_masks(cfg, n, src_np.size, cfg["key"], cfg["dropout"], inputs.get("csr"))
    model.set_masks(masks)
    model.zero_grad(set_to_none=True)
    logits = model(x, src, dst)
    loss = loss_of(cfg, logits, labels, train)
    loss.backward()
    grads = {}
    for name, p in model.named_parameters():
        g = p.grad
        grads[name] = np.zeros(tuple(p.shape), dtype=np.float64) if g is None else g.detach().numpy().copy()
    att = [a.numpy().copy() for a in model.attention()]
    return dict(params32=params32, logits=logits.detach().numpy().copy(), loss=float(loss.item()), grads=grads,
                attention=att, src=src_np, dst=dst_np, model=model, x=x, srct=src, dstt=dst, labels=labels,
                train=train, masks=masks, raw_masks=raw_masks)


def cross_check_dense(cfg, ref, with_grads=True):
    """Dense N x N formulation: logits, loss, attention (and grads) must agree to 1e-12."""
    names = param_names(cfg)
    params = {k: torch.from_numpy(ref["params32"][k].astype(np.float64)).requires_grad_(with_grads) for k in names}
    with torch.set_grad_enabled(with_grads):
        logits, atts = dense_forward(params, cfg, ref["x"], ref["srct"], ref["dstt"], ref["masks"])
        loss = loss_of(cfg, logits, ref["labels"], ref["train"])
    if with_grads:
        loss.backward()
    worst = 0.0

    def agree(a, b, what):
        nonlocal worst
        d = float(np.max(np.abs(np.asarray(a) - np.asarray(b)))) if np.size(a) else 0.0
        worst = max(worst, d)
        assert d < 1e-12, f"dense vs scatter mismatch in {what}: {d}"

    agree(logits.detach().numpy(), ref["logits"], "logits")
    agree(loss.item(), ref["loss"], "loss")
    for l, att in enumerate(atts):
        agree(att.detach().numpy(), ref["attention"][l], f"attention layer {l}")
    for k in (names if with_grads else []):
        g = params[k].grad
        g = np.zeros(params[k].shape) if g is None else g.numpy()
        agree(g, ref["grads"][k], f"grad {k}")
    return worst


def gradcheck_small(cfg, ref):
    """Finite-difference check of the scatter implementation's gradients (float64)."""
    model = ref["model"]
    names = [k for k, _ in model.named_parameters()]
    base = {k: v.detach().clone() for k, v in model.named_parameters()}

    def f(*flat):
        p = dict(zip(names, flat))
        logits = torch.func.functional_call(model, p, (ref["x"], ref["srct"], ref["dstt"]))
        return loss_of(cfg, logits, ref["labels"], ref["train"])

    inputs = tuple(base[k].requires_grad_(True) for k in names)
    assert torch.autograd.gradcheck(f, inputs, eps=1e-6, atol=1e-7, rtol=1e-5)


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------

def save_npy(path, arr):
    with open(path, "wb") as fh:
        np.save(fh, arr, allow_pickle=False)


def write_case(out_dir, name, cfg, inputs, ref):
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):  # start clean so stale files never survive a regeneration
        if f.endswith(".npy") or f == "config.json":
            os.remove(os.path.join(d, f))
    with open(os.path.join(d, "config.json"), "w") as fh:
        json.dump(cfg, fh, sort_keys=True)  # one line
        fh.write("\n")
    if cfg["dataset"] is None:
        save_npy(os.path.join(d, "x.npy"), np.asarray(inputs["x"], dtype=np.float32))
        save_npy(os.path.join(d, "edge_index.npy"), np.asarray(inputs["edge_index"], dtype=np.int64))
        if cfg.get("task") == "multi_label":
            save_npy(os.path.join(d, "targets.npy"), np.asarray(inputs["labels"], dtype=np.float32))
            save_npy(os.path.join(d, "graph_id.npy"), np.asarray(inputs["graph_id"], dtype=np.int64))
        else:
            save_npy(os.path.join(d, "labels.npy"), np.asarray(inputs["labels"], dtype=np.int64))
        save_npy(os.path.join(d, "train_index.npy"), np.asarray(inputs["train_index"], dtype=np.int64))
    for k, v in ref["params32"].items():
        save_npy(os.path.join(d, k + ".npy"), v.astype(np.float32))
    save_npy(os.path.join(d, "logits.npy"), ref["logits"].astype(np.float64))
    save_npy(os.path.join(d, "loss.npy"), np.array(ref["loss"], dtype=np.float64))
    for k, v in ref["grads"].items():
        save_npy(os.path.join(d, "grad." + k + ".npy"), v.astype(np.float64))
    for l, a in enumerate(ref["attention"]):
        save_npy(os.path.join(d, f"attention.layer{l}.npy"), a.astype(np.float64))
    for l, ms in enumerate(ref["raw_masks"] or []):
        for site, m in ms.items():
            save_npy(os.path.join(d, f"mask.layer{l}.{site}.npy"), m.astype(np.uint8))
    save_npy(os.path.join(d, "attention_src.npy"), ref["src"].astype(np.int64))
    save_npy(os.path.join(d, "attention_dst.npy"), ref["dst"].astype(np.int64))
    return d


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", default=os.environ.get("GAT_DATA_DIR", DEFAULT_DATA_DIR),
                    help="datasets folder holding cora/ (default: $GAT_DATA_DIR or %(default)s)")
    ap.add_argument("--out", default="tests/fixtures/golden", help="output folder (default: %(default)s)")
    ap.add_argument("--cases", default=",".join(ALL_CASES), help="comma-separated subset of: " + ", ".join(ALL_CASES))
    ap.add_argument("--no-gradcheck", action="store_true", help="skip the finite-difference gradient check")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)  # deterministic reductions; the machine is shared
    cases = [c for c in args.cases.split(",") if c]
    for c in cases:
        if c not in ALL_CASES:
            ap.error(f"unknown case {c!r}")
    for name in cases:
        if name in CORA_CASES:
            cfg, model, inputs = make_cora_case(args.data_dir, CORA_CASES[name])
        elif name in MULTI_CASES:
            cfg, model, inputs = make_multi_case(MULTI_CASES[name])
        else:
            cfg, model, inputs = make_small_case(SMALL_CASES[name])
        ref = run_reference(cfg, model, inputs)
        msg = f"{name}: loss={ref['loss']:.17g}"
        # the dense check on Cora is forward-only (logits, loss, attention): N x N per head, no autograd graph
        worst = cross_check_dense(cfg, ref, with_grads=(name not in CORA_CASES))
        msg += f"  dense-vs-scatter max|diff|={worst:.2e}"
        if name not in CORA_CASES:
            if not args.no_gradcheck:
                gradcheck_small(cfg, ref)
                msg += "  gradcheck ok"
        amax = [float(a.max()) for a in ref["attention"]]
        msg += f"  E_total={ref['src'].size}  max attention per layer={['%.3f' % v for v in amax]}"
        d = write_case(args.out, name, cfg, inputs, ref)
        total = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
        print(msg + f"  -> {d} ({total} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
