"""GAT in PyTorch Geometric on a dataset folder in gat's layout (bench/scale.sh), full batch
or on sampled neighbour mini-batches.

The same architecture as gat's default (GATConv 8 heads x 8 features, ELU, then 1 head x
classes, dropout 0.6 on inputs and attention, Adam lr 0.005, weight decay 5e-4), row-normalised
features, 1 thread. Prints one line of key=value: load_s, epoch_s (median of the epochs after
the first, each with its validation), cpu_epoch_s (the mean CPU time of an epoch with its
validation, every thread), test_acc, peak_mb (maximum resident set).

Full batch (default): GATConv over the whole graph, the features fed dense (PyG's GATConv
projects a dense x).

Sampled (--batch-size B --fanouts 15,10): PyG GATConv + torch sampler (NeighborLoader needs
pyg-lib or torch-sparse, unavailable here). torch_geometric's NeighborLoader hands its sampling
to pyg-lib (torch.ops.pyg.neighbor_sample) or to torch-sparse
(torch.ops.torch_sparse.neighbor_sample) and raises ImportError "'NeighborSampler' requires
either 'pyg-lib' or 'torch-sparse'" without them (torch_geometric/sampler/neighbor_sampler.py;
the induced-subgraph and disjoint modes take the same paths): PyG has no pure-Python sampler.
pyg-lib has no distribution on PyPI, and torch-sparse is on PyPI as source only (its build
against this torch takes hours on 2 cores). So the sampling is done here with torch operations,
vectorised over the frontier, with the rule of NeighborLoader's defaults and of gat's sampler:
the training nodes shuffled into batches of B seeds, each seed drawing fanouts[0] of its
in-neighbours WITHOUT replacement (all of them when it has fewer; random keys sorted within
each node's in-edges), each node first reached at hop 1 drawing fanouts[1], and so on; a node
is expanded once, when first reached. Local ids number the seeds first, then each hop's new
nodes, and the layers run on bipartite blocks, as gat's plan and DGL's blocks compute: layer l
of L takes the nodes within L-l hops as sources and those within L-1-l hops as targets, with
the edges drawn by those targets (GATConv on (x_src, x_dst) inputs, its self loops i -> i for
the targets); the loss is taken at the seeds, one Adam step per batch. Only the batch's feature
rows are made dense.
Validation and test are exact, as gat's: layer by layer over the receptive field of the
evaluated nodes with every in-edge (GATConv on bipartite (source, target) inputs).

    python bench/peers/pyg_scale.py DATASET_DIR --epochs 30 [--threads 1]
    python bench/peers/pyg_scale.py DATASET_DIR --epochs 3 --batch-size 1024 --fanouts 15,10

--projection-dropout P adds pytorch-GAT's third dropout site, on the projected features (what
gat's --projection_dropout true does), for comparing the two recipes; --curve prints the
validation accuracy after every epoch (epoch=E steps=S val_acc=A).
"""
import argparse
import resource
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch_geometric.nn import GATConv


SAMPLED_LABEL = "PyG GATConv + torch sampler (NeighborLoader needs pyg-lib or torch-sparse, unavailable here)"


class Features:
    """Row-normalised sparse features (CSR in numpy); dense rows on demand."""

    def __init__(self, d):
        z = np.load(f"{d}/features.npz")
        self.n, self.f = (int(v) for v in z["shape"])
        self.indptr = z["indptr"].astype(np.int64)
        self.indices = z["indices"].astype(np.int64)
        data = z["data"].astype(np.float32)
        s = np.add.reduceat(data, self.indptr[:-1]) if len(data) else np.zeros(self.n, np.float32)
        s[np.diff(self.indptr) == 0] = 1
        self.data = data / np.repeat(s, np.diff(self.indptr)).astype(np.float32)

    def rows(self, ids):
        ids = np.asarray(ids, dtype=np.int64)
        start, deg = self.indptr[ids], np.diff(self.indptr)[ids]
        tot = int(deg.sum())
        pos = np.repeat(start - np.cumsum(deg) + deg, deg) + np.arange(tot)
        x = np.zeros((len(ids), self.f), np.float32)
        x[np.repeat(np.arange(len(ids)), deg), self.indices[pos]] = self.data[pos]
        return torch.from_numpy(x)


def load(d):
    feats = Features(d)
    ei = torch.from_numpy(np.ascontiguousarray(np.load(f"{d}/edge_index.npy", mmap_mode="r")).astype(np.int64))
    ei = ei[:, ei[0] != ei[1]]  # GATConv adds its own self loops
    y = torch.from_numpy(np.load(f"{d}/labels.npy").astype(np.int64))
    split = [torch.from_numpy(np.load(f"{d}/{s}_index.npy").astype(np.int64)) for s in ("train", "val", "test")]
    return feats, ei, y, split


class ProjectionDropout(torch.nn.Module):
    """GATConv's projection followed by dropout: pytorch-GAT's dropout of z = x W, before the
    scores and the aggregation read z."""

    def __init__(self, lin, p):
        super().__init__()
        self.lin, self.p = lin, p

    def forward(self, x):
        return F.dropout(self.lin(x), self.p, self.training)


class GAT(torch.nn.Module):
    def __init__(self, k, c, proj_p=0.0):
        super().__init__()
        self.l1 = GATConv(k, 8, heads=8, dropout=0.6)
        self.l2 = GATConv(64, c, heads=1, concat=False, dropout=0.6)
        if proj_p > 0:
            for conv in (self.l1, self.l2):
                conv.lin = ProjectionDropout(conv.lin, proj_p)

    def forward(self, x, ei):
        x = F.dropout(x, 0.6, self.training)
        x = F.elu(self.l1(x, ei))
        x = F.dropout(x, 0.6, self.training)
        return self.l2(x, ei)

    def forward_blocks(self, x, blocks):
        """blocks[l] = (targets of layer l, its edges in local ids): bipartite layers, the
        targets a prefix of the sources."""
        for li, (conv, (t, ei)) in enumerate(zip((self.l1, self.l2), blocks)):
            x = F.dropout(x, 0.6, self.training)
            x = conv((x, x[:t]), ei)
            if li == 0:
                x = F.elu(x)
        return x


class InEdges:
    """In-neighbours of every node (CSR over targets), for sampling and exact evaluation."""

    def __init__(self, ei, n):
        order = torch.argsort(ei[1], stable=True)
        self.src = ei[0][order].contiguous()
        self.ptr = torch.zeros(n + 1, dtype=torch.int64)
        self.ptr[1:] = torch.cumsum(torch.bincount(ei[1], minlength=n), 0)
        self.local = torch.full((n,), -1, dtype=torch.int64)

    def positions(self, nodes):
        """Positions (into src) of the in-edges of nodes, grouped by node, and each one's node index."""
        start, deg = self.ptr[nodes], self.ptr[nodes + 1] - self.ptr[nodes]
        seg = torch.repeat_interleave(torch.arange(len(nodes)), deg)
        first = torch.cumsum(deg, 0) - deg
        pos = torch.repeat_interleave(start - first, deg) + torch.arange(int(deg.sum()))
        return pos, seg, first, deg

    def sample(self, seeds, fanouts, gen):
        """NeighborLoader's node-wise sampling without replacement: (n_id, blocks), blocks[l] =
        (targets, edge_index local) of layer l (the first layer first)."""
        local = self.local
        n_id = [seeds]
        local[seeds] = torch.arange(len(seeds))
        count = len(seeds)
        frontier = seeds
        srcs, dsts = [], []
        for k in fanouts:
            pos, seg, first, deg = self.positions(frontier)
            if k >= 0 and len(pos):
                key = seg.double() + torch.rand(len(pos), generator=gen, dtype=torch.float64)
                order = torch.argsort(key)
                rank = torch.arange(len(pos)) - first[seg[order]]
                keep = order[rank < k]
                pos, seg = pos[keep], seg[keep]
            s = self.src[pos]
            new = torch.unique(s[local[s] < 0])  # each new node once
            local[new] = torch.arange(count, count + len(new))
            count += len(new)
            n_id.append(new)
            srcs.append(local[s])
            dsts.append(local[frontier[seg]])
            frontier = new
        ends = torch.cumsum(torch.tensor([len(v) for v in n_id]), 0).tolist()
        n_id = torch.cat(n_id)
        local[n_id] = -1
        # layer l of L: targets within L-1-l hops (a prefix), the edges drawn by them (hops < L-l)
        L = len(fanouts)
        blocks = [(ends[L - 1 - l], torch.stack([torch.cat(srcs[:L - l]), torch.cat(dsts[:L - l])])) for l in range(L)]
        return n_id, blocks

    def exact(self, model, feats, nodes):
        """Eval-mode logits at nodes, layer by layer over their receptive field, every in-edge.
        Each layer's source set starts with its targets, as GATConv's self loops on bipartite
        input (i -> i for i < number of targets) and NeighborLoader's blocks expect."""
        def with_sources(t):
            pos, _, _, _ = self.positions(t)
            s = torch.unique(self.src[pos])
            return torch.cat([t, s[torch.isin(s, t, invert=True)]])
        t1 = torch.unique(nodes)
        t0 = with_sources(t1)
        rows = with_sources(t0)
        h = feats.rows(rows.numpy())
        have = rows
        for li, (conv, t) in enumerate(((model.l1, t0), (model.l2, t1))):
            p, _, _, deg = self.positions(t)
            local = self.local
            local[have] = torch.arange(len(have))
            ei = torch.stack([local[self.src[p]], torch.repeat_interleave(torch.arange(len(t)), deg)])
            local[have] = -1
            h = conv((h, h[:len(t)]), ei)
            if li == 0:
                h = F.elu(h)
            have = t
        out = torch.empty(int(t1.max()) + 1, h.shape[1])
        out[t1] = h
        return out[nodes]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=0)
    ap.add_argument("--fanouts", default="15,10")
    ap.add_argument("--projection-dropout", type=float, default=0.0)
    ap.add_argument("--curve", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    t0 = time.perf_counter()
    feats, ei, y, (tr, va, te) = load(a.dir)
    n = feats.n
    load_s = time.perf_counter() - t0
    m = GAT(feats.f, int(y.max()) + 1, a.projection_dropout)
    opt = torch.optim.Adam(m.parameters(), lr=0.005, weight_decay=5e-4)
    times, cpus = [], []
    if a.batch_size <= 0:
        x = feats.rows(np.arange(n))
        ei = ei.contiguous()
        for _ in range(a.epochs):
            t, c = time.perf_counter(), time.process_time()
            m.train()
            opt.zero_grad()
            loss = F.cross_entropy(m(x, ei)[tr], y[tr])
            loss.backward()
            opt.step()
            m.eval()
            with torch.no_grad():
                out = m(x, ei)
            times.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
            if a.curve:
                print(f"epoch={len(times)} steps={len(times)} val_acc={(out[va].argmax(1) == y[va]).float().mean().item():.4f}",
                      flush=True)
        m.eval()
        with torch.no_grad():
            acc = (m(x, ei)[te].argmax(1) == y[te]).float().mean().item()
    else:
        print(f"peer: {SAMPLED_LABEL}", flush=True)
        fan = [int(v) for v in a.fanouts.split(",")]
        if len(fan) != 2:
            raise SystemExit("pyg_scale.py: --fanouts: needs 2 values (one per layer)")
        g = InEdges(ei, n)
        del ei
        gen = torch.Generator().manual_seed(a.seed)
        for _ in range(a.epochs):
            t, c = time.perf_counter(), time.process_time()
            m.train()
            perm = tr[torch.randperm(len(tr), generator=gen)]
            for b in range(0, len(perm), a.batch_size):
                seeds = perm[b:b + a.batch_size]
                n_id, blocks = g.sample(seeds, fan, gen)
                xb = feats.rows(n_id.numpy())
                opt.zero_grad()
                loss = F.cross_entropy(m.forward_blocks(xb, blocks), y[seeds])
                loss.backward()
                opt.step()
            m.eval()
            with torch.no_grad():
                out = g.exact(m, feats, va)
            times.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
            if a.curve:
                steps = len(times) * ((len(tr) + a.batch_size - 1) // a.batch_size)
                print(f"epoch={len(times)} steps={steps} val_acc={(out.argmax(1) == y[va]).float().mean().item():.4f}",
                      flush=True)
        m.eval()
        with torch.no_grad():
            acc = (g.exact(m, feats, te).argmax(1) == y[te]).float().mean().item()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ep = statistics.median(times[1:] if len(times) > 1 else times)
    cpu = sum(cpus) / len(cpus)  # CPU time (every thread) per epoch, as gat train's "CPU time of the training"
    print(f"load_s={load_s:.3f} epoch_s={ep:.4f} cpu_epoch_s={cpu:.4f} test_acc={acc:.4f} peak_mb={peak:.1f}")


if __name__ == "__main__":
    main()
