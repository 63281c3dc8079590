"""A plain PyTorch GAT in the style of pytorch-GAT's edge-list implementation (gather the
scores per edge, softmax with a per-target max, scatter-add the messages), with the GAT
paper's Cora recipe and dense input features as pytorch-GAT feeds them; timed like
build/bench_cora. Run from a venv with `pip install torch`:
    python bench/peers/torch_gat.py --dataset cora --threads 1 --dense"""
import torch
import torch.nn as nn
import torch.nn.functional as F

import common


class GATLayer(nn.Module):
    def __init__(self, k, h, f, concat, act, p, skip=False):
        super().__init__()
        self.h, self.f, self.concat, self.act, self.p = h, f, concat, act, p
        self.proj = nn.Linear(k, h * f, bias=False)
        self.a_src = nn.Parameter(torch.empty(1, h, f))
        self.a_dst = nn.Parameter(torch.empty(1, h, f))
        self.bias = nn.Parameter(torch.zeros(h * f if concat else f))
        self.skip = nn.Linear(k, h * f, bias=False) if skip else None
        nn.init.xavier_uniform_(self.proj.weight)
        nn.init.xavier_uniform_(self.a_src)
        nn.init.xavier_uniform_(self.a_dst)

    def forward(self, x, src, dst):
        n = x.shape[0]
        x = F.dropout(x, self.p, self.training)
        z = self.proj(x).view(n, self.h, self.f)
        z = F.dropout(z, self.p, self.training)
        s_src = (z * self.a_src).sum(-1)
        s_dst = (z * self.a_dst).sum(-1)
        e = F.leaky_relu(s_src.index_select(0, src) + s_dst.index_select(0, dst), 0.2)
        mx = torch.full((n, self.h), -float("inf")).index_reduce_(0, dst, e, "amax")
        w = (e - mx.index_select(0, dst)).exp()
        den = torch.zeros(n, self.h).index_add_(0, dst, w)
        att = w / (den.index_select(0, dst) + 1e-16)
        att = F.dropout(att, self.p, self.training)
        out = torch.zeros(n, self.h, self.f).index_add_(0, dst, z.index_select(0, src) * att.unsqueeze(-1))
        if self.skip is not None:
            out = out + self.skip(x).view(n, self.h, self.f)
        out = out.reshape(n, -1) if self.concat else out.mean(1)
        out = out + self.bias
        return F.elu(out) if self.act else out


class GAT(nn.Module):
    def __init__(self, k, c, ppi):
        super().__init__()
        if ppi:
            self.layers = nn.ModuleList([GATLayer(k, 4, 256, True, True, 0.0, True),
                                         GATLayer(1024, 4, 256, True, True, 0.0, True),
                                         GATLayer(1024, 6, c, False, False, 0.0, True)])
        else:
            self.layers = nn.ModuleList([GATLayer(k, 8, 8, True, True, 0.6), GATLayer(64, 1, c, False, False, 0.6)])

    def forward(self, x, ei):
        n = x.shape[0]
        loops = torch.arange(n)
        src, dst = torch.cat([ei[0], loops]), torch.cat([ei[1], loops])
        for layer in self.layers:
            x = layer(x, src, dst)
        return x


def main():
    args = common.parse_args(__doc__)
    torch.manual_seed(0)
    x, ei, labels, split, c = common.load(args.data_dir, args.dataset)
    x = x.to_dense()
    args.dense = True
    model = GAT(x.shape[1], c, args.ppi_arch)
    med, times = common.time_training(model, x, ei, labels, split, args, False)
    common.report("torch GAT (pytorch-GAT style)", args, med, times)


if __name__ == "__main__":
    main()
