"""gat.Dataset: a graph with node features, labels and splits, held by libgat.

Arrays that already have the library's layout (C-contiguous int64 edge index, float32
features, int64 labels and ids; SciPy CSR with int32 indices and float32 data) are borrowed
without copying: the Dataset keeps a reference to them, so they stay alive, and the library
never writes them. Other dtypes and layouts are converted once (a copy). Anything that cannot
be converted safely (floats as ids, complex or object arrays, wrong shapes, ids out of range,
NaN features) raises TypeError or ValueError with the library's message.
"""

import ctypes
import os

import numpy as np

from . import _lib
from ._lib import BORROW, call, lib

SPLITS = ("train", "val", "test")


def _is_sparse(x):
    return hasattr(x, "tocsr") and hasattr(x, "nnz") and not isinstance(x, np.ndarray)


def _integers(a, what, ndim=None):
    """a as a C-contiguous int64 array (borrowed when it already is one)."""
    arr = np.asarray(a)
    if arr.dtype == np.bool_:
        raise TypeError(f"{what}: got booleans, expected integer node ids")
    if arr.size == 0 and arr.dtype.kind == "f":
        arr = arr.astype(np.int64)      # np.asarray([]) is float64
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{what}: dtype {arr.dtype} is not an integer type")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{what}: expected {ndim} dimension{'s' if ndim > 1 else ''}, got shape {arr.shape}")
    if arr.dtype == np.uint64 and arr.size and arr.max() > np.iinfo(np.int64).max:
        raise ValueError(f"{what}: value {arr.max()} does not fit int64")
    return np.ascontiguousarray(arr, dtype=np.int64)


def _floats(a, what):
    arr = np.asarray(a)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{what}: dtype {arr.dtype} is not a real number type")
    return np.ascontiguousarray(arr, dtype=np.float32)


def _ptr(arr, ctype):
    return arr.ctypes.data_as(ctypes.POINTER(ctype))


def _ids(a, n, what):
    """Node ids of a split: integer ids, or a boolean mask of length n (PyTorch Geometric's train_mask)."""
    arr = np.asarray(a)
    if arr.dtype == np.bool_:
        if arr.ndim != 1 or arr.shape[0] != n:
            raise ValueError(f"{what}: a boolean mask must have shape ({n},), got {arr.shape}")
        return np.flatnonzero(arr).astype(np.int64)
    return _integers(arr, what, ndim=1)


def _shares(orig, conv):
    return isinstance(orig, np.ndarray) and np.shares_memory(orig, conv)


def bundled_data_dir():
    """The folder of the datasets shipped inside the package (Cora, Citeseer)."""
    return os.path.join(_lib.HERE, "data")


class Dataset:
    """A graph for libgat. Build it with Dataset.from_arrays or Dataset.load."""

    def __init__(self, _handle, keep=()):
        self._h = ctypes.c_void_p(_handle)
        self._keep = list(keep)       # borrowed arrays: alive as long as the handle
        self._shared = ()

    # ---- construction ----

    @classmethod
    def from_arrays(cls, edge_index, x, y=None, train_idx=None, val_idx=None, test_idx=None, *, num_classes=None,
                    normalize=False, name="graph", class_names=None, copy=False):
        """A graph from arrays in memory.

        edge_index  integer (2, E): edge_index[0][k] -> edge_index[1][k] (list both directions of an
                    undirected graph, as PyTorch Geometric does)
        x           node features (N, F): a dense array, or a SciPy sparse matrix (CSR is borrowed)
        y           labels (N,) integers 0..C-1, -1 for none; or (N, C) 0/1 multi-label targets; or None
        *_idx       node ids of each split, or boolean masks of length N
        num_classes the number of classes (default: max label + 1)
        normalize   scale each feature row to sum 1 (the GAT recipe; your arrays are not modified)
        copy        copy every array instead of borrowing it
        """
        own = _lib.COPY if copy else BORROW
        keep, shared = [], []
        if _is_sparse(x):
            n = x.shape[0]
        else:
            xa = np.asarray(x)
            if xa.ndim != 2:
                raise ValueError(f"x: expected shape (nodes, features), got {xa.shape}")
            n = xa.shape[0]
        if not isinstance(name, str):
            raise TypeError("name: expected a string")
        h = ctypes.c_void_p()
        call(lib.gat_data_new, ctypes.byref(h), name.encode(), int(n))
        ds = cls(h.value)
        try:
            ei = _integers(edge_index, "edge_index")
            if ei.ndim != 2 or ei.shape[0] != 2:
                hint = " (transpose it: edge_index.T)" if ei.ndim == 2 and ei.shape[1] == 2 else ""
                raise ValueError(f"edge_index: expected shape (2, E), got {ei.shape}{hint}")
            call(lib.gat_data_set_edges, ds._h, _ptr(ei, ctypes.c_int64), ei.shape[1], own)
            keep.append(ei)
            shared += ["edge_index"] if _shares(edge_index, ei) else []
            if _is_sparse(x):
                m = x.tocsr()
                if m.shape[1] < 1:
                    raise ValueError(f"x: {m.shape[1]} feature columns")
                indptr = np.ascontiguousarray(m.indptr, dtype=np.int64)
                if m.indices.size and (m.indices.max() >= 2**31 or m.indices.min() < 0):
                    raise ValueError("x: column index outside [0, 2^31)")
                if m.data.dtype.kind not in "biuf":
                    raise TypeError(f"x: dtype {m.data.dtype} is not a real number type")
                indices = np.ascontiguousarray(m.indices, dtype=np.int32)
                data = np.ascontiguousarray(m.data, dtype=np.float32)
                if indptr.shape[0] != n + 1:
                    raise ValueError(f"x: indptr has {indptr.shape[0]} entries for {n} rows")
                call(lib.gat_data_set_features_csr, ds._h, _ptr(indptr, ctypes.c_int64),
                     _ptr(indices, ctypes.c_int32), _ptr(data, ctypes.c_float), m.shape[1], own)
                keep += [m, indptr, indices, data]
                shared += [f"x.{k}" for k, a in (("indptr", indptr), ("indices", indices), ("data", data))
                           if _shares(getattr(x, k, None), a)]
            else:
                xf = _floats(xa, "x")
                call(lib.gat_data_set_features, ds._h, _ptr(xf, ctypes.c_float), xf.shape[1], own)
                keep.append(xf)
                shared += ["x"] if _shares(x, xf) else []
            if y is not None:
                ya = np.asarray(y)
                if ya.ndim == 1:
                    yl = _integers(ya, "y")
                    if yl.shape[0] != n:
                        raise ValueError(f"y: {yl.shape[0]} labels for {n} nodes")
                    nc = 0 if num_classes is None else int(num_classes)
                    call(lib.gat_data_set_labels, ds._h, _ptr(yl, ctypes.c_int64), nc, own)
                    keep.append(yl)
                    shared += ["y"] if _shares(y, yl) else []
                elif ya.ndim == 2:
                    yt = _floats(ya, "y")
                    if yt.shape[0] != n:
                        raise ValueError(f"y: {yt.shape[0]} rows for {n} nodes")
                    if num_classes is not None and int(num_classes) != yt.shape[1]:
                        raise ValueError(f"num_classes: {num_classes}, but y has {yt.shape[1]} columns")
                    call(lib.gat_data_set_targets, ds._h, _ptr(yt, ctypes.c_float), yt.shape[1], own)
                    keep.append(yt)
                    shared += ["y"] if _shares(y, yt) else []
                else:
                    raise ValueError(f"y: expected (N,) labels or (N, C) targets, got shape {ya.shape}")
            for s, ids in enumerate((train_idx, val_idx, test_idx)):
                if ids is None:
                    continue
                ia = _ids(ids, n, SPLITS[s] + "_idx")
                call(lib.gat_data_set_split, ds._h, s, _ptr(ia, ctypes.c_int64), ia.shape[0], own)
                keep.append(ia)
                shared += [SPLITS[s] + "_idx"] if _shares(ids, ia) else []
            if class_names is not None:
                ds._set_class_names(class_names)
            if normalize:   # the library scales a copy of the values: yours are never written
                call(lib.gat_data_normalize_rows, ds._h)
                shared = [k for k in shared if k not in ("x", "x.data")]
        except BaseException:
            ds.close()
            raise
        if not copy:
            ds._keep = keep
            ds._shared = tuple(shared)
        return ds

    @classmethod
    def load(cls, name, data_dir=None, normalize=True):
        """A dataset folder by name ("cora", "citeseer", or your own in the layout of the README).

        Looked for in data_dir when given, else in $GAT_DATA_DIR, else among the datasets bundled in
        the package, else in ./data and ./datasets. Features are row-normalised as `gat train` does
        unless normalize=False."""
        if not isinstance(name, str):
            raise TypeError("name: expected a dataset name")
        if data_dir is None and not os.environ.get("GAT_DATA_DIR"):
            bundled = bundled_data_dir()
            if os.path.isdir(os.path.join(bundled, name.lower())):
                data_dir = bundled
        h = ctypes.c_void_p()
        call(lib.gat_data_open, ctypes.byref(h), name.encode(),
             None if data_dir is None else os.fsencode(data_dir))
        ds = cls(h.value)
        if normalize:
            call(lib.gat_data_normalize_rows, ds._h)
        return ds

    def _set_class_names(self, names):
        names = [str(s).encode() for s in names]
        arr = (ctypes.c_char_p * max(len(names), 1))(*names)
        call(lib.gat_data_set_class_names, self._h, arr, len(names))

    # ---- what it holds ----

    def _info(self):
        if not self._h:
            raise ValueError("the dataset is closed")
        info = _lib.DataInfo()
        lib.gat_data_get_info(self._h, ctypes.byref(info))
        return info

    @property
    def name(self):
        return self._info().name.decode()

    @property
    def num_nodes(self):
        return self._info().n_nodes

    @property
    def num_edges(self):
        return self._info().n_edges

    @property
    def num_features(self):
        return self._info().n_features

    @property
    def num_classes(self):
        return self._info().n_classes

    @property
    def multilabel(self):
        return self._info().task == 1

    @property
    def split_sizes(self):
        return dict(zip(SPLITS, self._info().split_size))

    @property
    def borrowed(self):
        """How many arrays the library reads in place from Python memory (your arrays, or the converted
        copies this Dataset keeps), rather than from copies of its own."""
        return self._info().borrowed

    @property
    def shared(self):
        """The names of the arguments of from_arrays whose memory the library reads without any copy
        ("edge_index", "x" or "x.indices"/"x.data", "y", "train_idx", ...)."""
        return self._shared

    def __repr__(self):
        i = self._info()
        feats = {0: "none", 1: "dense", 2: "sparse"}[i.features]
        return (f"Dataset({i.name.decode()!r}, nodes={i.n_nodes}, edges={i.n_edges}, features={i.n_features} "
                f"({feats}), classes={i.n_classes}, train/val/test={'/'.join(str(s) for s in i.split_size)})")

    def close(self):
        """Free the library's copy now (it is freed anyway when the Dataset is collected)."""
        if getattr(self, "_h", None) and self._h.value:
            lib.gat_data_free(self._h)
            self._h = ctypes.c_void_p()
        self._keep = []

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
