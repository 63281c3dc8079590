# %% [markdown]
# # GAT on Cora from Python
#
# A notebook-style walk through the `gat` package (run it as a script, or cell by cell in an
# editor that knows `# %%` cells): load a graph, train, evaluate, predict on a graph the model
# never saw, look at the attention, save and load the model, draw a picture.
#
#     python3 -m venv --system-site-packages venv && venv/bin/pip install .
#     venv/bin/python examples/python/cora.py [output folder]

# %%
import os
import sys
import time

import numpy as np

import gat

out = sys.argv[1] if len(sys.argv) > 1 else "cora-python"
os.makedirs(out, exist_ok=True)
print("gat", gat.library_version())

# %% [markdown]
# ## The data
# Cora ships inside the package. `Dataset.load` row-normalises the features, as `gat train` does.

# %%
ds = gat.Dataset.load("cora")
print(ds)

# %% [markdown]
# The same graph from arrays, as any NumPy / SciPy / PyTorch Geometric user has them. Arrays
# already in the library's layout are read in place (`ds.shared` names them); others are
# converted once. Split ids may be index arrays or boolean masks.

# %%
import scipy.sparse as sp

folder = os.path.join(gat.bundled_data_dir(), "cora")
x = sp.load_npz(os.path.join(folder, "features.npz"))          # (2708, 1433) CSR, float32
edge_index = np.load(os.path.join(folder, "edge_index.npy"))    # (2, 10556) int64
y = np.load(os.path.join(folder, "labels.npy"))                 # (2708,) int64
train_mask = np.zeros(len(y), bool)
train_mask[np.load(os.path.join(folder, "train_index.npy"))] = True
arrays = gat.Dataset.from_arrays(edge_index, x, y, train_idx=train_mask,
                                 val_idx=np.load(os.path.join(folder, "val_index.npy")),
                                 test_idx=np.load(os.path.join(folder, "test_index.npy")),
                                 normalize=True, name="cora")
print(arrays, "read in place:", arrays.shared)

# %% [markdown]
# ## Training
# The paper's architecture: 8 heads of 8 features, then one head over the 7 classes. The
# callback sees every epoch (return True to stop); Ctrl-C stops cleanly too.

# %%
model = gat.GAT(heads=(8, 1), hidden=8, dropout=0.6)


def report(e):
    if e.epoch % 200 == 0:
        print(f"epoch {e.epoch:5d}  val accuracy {e.val_score:.4f}  val loss {e.val_loss:.4f}")
    return False


t = time.perf_counter()
result = model.fit(arrays, epochs=10000, patience=1000, seed=1, callback=report)
print(f"{result.epochs} epochs in {time.perf_counter() - t:.1f} s ({1e3 * result.seconds_per_epoch:.2f} ms/epoch), "
      f"stopped by {result.stopped_by}; best validation accuracy {result.best_val_score:.4f} at epoch {result.best_epoch}")
print("test accuracy", model.evaluate(arrays, "test").score)

# %% [markdown]
# ## Predictions, also on a graph the model never saw
# Here: the subgraph of the first 1000 nodes, without any labels.

# %%
proba = model.predict_proba(arrays)
print("probabilities", proba.shape, "first node:", np.round(proba[0], 3))
keep = 1000
inside = (edge_index[0] < keep) & (edge_index[1] < keep)
sub = gat.Dataset.from_arrays(edge_index[:, inside], x[:keep], name="cora-first-1000", normalize=True)
pred = model.predict(sub)
print("subgraph accuracy against the known labels:", (pred == y[:keep]).mean())

# %% [markdown]
# ## Attention
# For every edge the first layer attends over (self loops included), one weight per head.

# %%
att_edges, weights = model.attention(arrays, layer=0)
print("layer 0 attention:", att_edges.shape, weights.shape)
node = int(np.argmax(np.bincount(att_edges[1])))
rows = att_edges[1] == node
print(f"node {node} attends over {rows.sum()} neighbours; head 0 weights sum to {weights[rows, 0].sum():.4f}")
entropy = -(weights * np.log2(np.clip(weights, 1e-12, None)))
per_node = np.zeros((arrays.num_nodes, weights.shape[1]))
np.add.at(per_node, att_edges[1], entropy)
print("mean attention entropy per head (bits):", np.round(per_node.mean(axis=0), 3))

# %% [markdown]
# ## Files and pictures
# The model file is the one `gat train` writes (and pytorch-GAT loads).

# %%
path = os.path.join(out, "cora.safetensors")
model.save(path)
again = gat.GAT.load(path)
assert np.array_equal(again.predict_proba(arrays), proba)
print("saved and reloaded", path, again.info)
print("drew", gat.visualize.attention(again, arrays, node=node, head="all", path=os.path.join(out, f"node{node}")))
