"""PyTorch Geometric's GATConv with the GAT paper's Cora recipe (or the PPI architecture),
timed like build/bench_cora. Run from a venv with `pip install torch torch_geometric`:
    python bench/peers/pyg_gat.py --dataset cora --threads 1 [--dense] [--ppi-arch]"""
import torch
import torch.nn.functional as F
from torch_geometric.nn import GATConv

import common


class SparseDropout(torch.nn.Module):
    """Dropout on the values of a sparse COO tensor (F.dropout does not take one)."""

    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        if not x.is_sparse:
            return F.dropout(x, self.p, True)
        v = F.dropout(x.values(), self.p, True)
        return torch.sparse_coo_tensor(x.indices(), v, x.shape)


class PaperGAT(torch.nn.Module):
    def __init__(self, k, c, p=0.6):
        super().__init__()
        self.drop = SparseDropout(p)
        self.p = p
        self.conv1 = GATConv(k, 8, heads=8, dropout=p)
        self.conv2 = GATConv(64, c, heads=1, concat=False, dropout=p)

    def forward(self, x, ei):
        x = self.drop(x)
        x = F.elu(self.conv1(x, ei))
        x = F.dropout(x, self.p, self.training)
        return self.conv2(x, ei)


class PpiGAT(torch.nn.Module):
    """3 layers of 4, 4, 6 heads with 256, 256, C features, residual (skip) connections."""

    def __init__(self, k, c):
        super().__init__()
        self.conv1 = GATConv(k, 256, heads=4, residual=True)
        self.conv2 = GATConv(1024, 256, heads=4, residual=True)
        self.conv3 = GATConv(1024, c, heads=6, concat=False, residual=True)

    def forward(self, x, ei):
        x = F.elu(self.conv1(x, ei))
        x = F.elu(self.conv2(x, ei))
        return self.conv3(x, ei)


def main():
    args = common.parse_args(__doc__)
    torch.manual_seed(0)
    x, ei, labels, split, c = common.load(args.data_dir, args.dataset)
    if args.dense:
        x = x.to_dense()
    model = PpiGAT(x.shape[1], c) if args.ppi_arch else PaperGAT(x.shape[1], c)
    med, times = common.time_training(model, x, ei, labels, split, args, not args.dense)
    common.report("pyg GATConv", args, med, times)


if __name__ == "__main__":
    main()
