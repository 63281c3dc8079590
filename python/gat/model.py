"""gat.GAT: a Graph Attention Network trained and run by libgat."""

import ctypes
import math
import os
import signal
import threading
from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np

from . import _lib
from ._lib import call, lib
from .dataset import Dataset

SPLITS = {"train": 0, "val": 1, "test": 2}
STOPS = {_lib.FIT_MAX_EPOCHS: "max_epochs", _lib.FIT_PATIENCE: "patience", _lib.FIT_STOPPED: "callback"}


@dataclass
class Epoch:
    """One epoch, as the fit callback sees it. score = accuracy (single-label) or micro-F1 (multi-label)."""
    epoch: int
    train_loss: float
    train_score: float
    val_loss: float
    val_score: float
    seconds: float
    improved: bool
    best_epoch: int


@dataclass
class FitResult:
    """What model.fit returns: the run's summary and every epoch's metrics (history)."""
    epochs: int
    best_epoch: int
    best_val_score: float
    best_val_loss: float
    val_score: float
    val_loss: float
    seconds: float
    stopped_by: str                      # "max_epochs", "patience" or "callback"
    history: List[Epoch] = field(default_factory=list, repr=False)

    @property
    def seconds_per_epoch(self):
        return self.seconds / max(self.epochs, 1)


@dataclass
class Metrics:
    loss: float
    score: float


def _int(v, what, lo=None, hi=None):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{what}: expected an integer, got {type(v).__name__}")
    v = int(v)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise ValueError(f"{what}: {v} is out of range [{lo}, {hi if hi is not None else 'inf'}]")
    return v


def _float(v, what):
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise TypeError(f"{what}: expected a number, got {type(v).__name__}")
    v = float(v)
    if not math.isfinite(v):
        raise ValueError(f"{what}: {v} is not finite")
    return v


def _dataset(ds):
    if not isinstance(ds, Dataset):
        raise TypeError(f"expected a gat.Dataset, got {type(ds).__name__} (build one with gat.Dataset.from_arrays)")
    if not ds._h:
        raise ValueError("the dataset is closed")
    return ds


class GAT:
    """A Graph Attention Network (Velickovic et al., 2018).

    heads      heads per layer; its length is the number of layers (default (8, 1), the paper's Cora model)
    hidden     features per head of every hidden layer (an int), or one per hidden layer (a tuple)
    dropout    on layer inputs, projections and attention coefficients
    skip       skip connections; bias: bias in every layer; slope: LeakyReLU negative slope
    attention_type  "gat" (the paper's scores) or "gatv2" (Brody et al. 2022, PyG GATv2Conv: dynamic
               attention), as gat train --attention_type; share_weights: gatv2 with one projection for
               sources and targets
    add_self_loops  True (default): one self loop per node, the graph's own dropped; False: the graph's
               edges exactly as given (its own self loops kept, none added; a node without incoming
               edges gets only its bias), as PyG GATConv(add_self_loops=False) and gat train
               --add_self_loops false
    lr, weight_decay   Adam's learning rate and L2 penalty

    The last layer's width is the number of classes of the dataset given to fit. fit starts from a
    fresh initialisation drawn from its seed, so the same seed gives the same bits (on any number
    of threads) and the same model as `gat train --seed`.
    """

    def __init__(self, heads=(8, 1), hidden=8, dropout=0.6, skip=False, bias=True, slope=0.2, lr=0.005,
                 weight_decay=5e-4, attention_type="gat", share_weights=False, add_self_loops=True):
        heads = tuple(heads) if not isinstance(heads, (int, np.integer)) else (heads,)
        if not 1 <= len(heads) <= _lib.MAX_LAYERS:
            raise ValueError(f"heads: {len(heads)} layers (allowed 1..{_lib.MAX_LAYERS})")
        self.heads = tuple(_int(h, "heads", 1) for h in heads)
        n_hidden = len(self.heads) - 1
        if isinstance(hidden, (int, np.integer)) and not isinstance(hidden, bool):
            hidden = (hidden,) * n_hidden
        hidden = tuple(hidden)
        if len(hidden) != n_hidden:
            raise ValueError(f"hidden: {len(hidden)} widths for {n_hidden} hidden layers")
        self.hidden = tuple(_int(f, "hidden", 1, 65536) for f in hidden)
        self.dropout = _float(dropout, "dropout")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout: {self.dropout} is out of range [0, 1)")
        self.skip, self.bias = bool(skip), bool(bias)
        self.slope = _float(slope, "slope")
        # attention_type, not attention: GAT.attention is the method that returns the coefficients
        if attention_type not in ("gat", "gatv2"):
            raise ValueError(f"attention_type: {attention_type!r} is not 'gat' or 'gatv2'")
        self.attention_type, self.share_weights = attention_type, bool(share_weights)
        if not isinstance(add_self_loops, (bool, np.bool_)):
            raise TypeError(f"add_self_loops: {add_self_loops!r} is not True or False")
        self.add_self_loops = bool(add_self_loops)
        self.lr = _float(lr, "lr")
        self.weight_decay = _float(weight_decay, "weight_decay")
        self._h = ctypes.c_void_p()
        self._lock = threading.Lock()   # one handle, one call at a time (the library does not lock)

    # ---- handle ----

    def _options(self, n_in, n_classes):
        o = lib.gat_net_options_default(n_in, n_classes)
        o.n_layers = len(self.heads)
        for l, h in enumerate(self.heads):
            o.heads[l] = h
            o.features[l] = self.hidden[l] if l < len(self.hidden) else n_classes
        o.skip, o.bias = int(self.skip), int(self.bias)
        o.dropout, o.slope = self.dropout, self.slope
        o.attention_type, o.share_weights = int(self.attention_type == "gatv2"), int(self.share_weights)
        o.no_self_loops = int(not self.add_self_loops)
        return o

    def _free(self):
        if getattr(self, "_h", None) and self._h.value:
            lib.gat_net_free(self._h)
            self._h = ctypes.c_void_p()

    def __del__(self):
        try:
            self._free()
        except Exception:
            pass

    def _need(self):
        if not self._h:
            raise RuntimeError("the model is not trained yet: call fit(dataset) or GAT.load(path)")

    def _info(self):
        self._need()
        info = _lib.NetInfo()
        lib.gat_net_get_info(self._h, ctypes.byref(info))
        return info

    # ---- training ----

    def fit(self, ds, epochs=10000, patience=1000, seed=1, callback=None, keep_best=True, verbose=False):
        """Train on ds's train split, validating on its val split after every epoch.

        Stops after `epochs` epochs, when neither val score nor val loss improved for `patience`
        epochs, or when callback(epoch: gat.Epoch) returns True. With keep_best the model ends with
        the parameters of its best validation epoch. Ctrl-C (KeyboardInterrupt) stops training at the
        end of the current epoch with the best parameters so far kept, and is then raised again; any
        exception raised by the callback ends training the same way. Returns a gat.FitResult."""
        ds = _dataset(ds)
        epochs = _int(epochs, "epochs", 1)
        patience = _int(patience, "patience", 1)
        seed = _int(seed, "seed", 0, 2**64 - 1)
        if callback is not None and not callable(callback):
            raise TypeError("callback: expected a function of one gat.Epoch")
        info = ds._info()
        if info.task < 0:
            raise ValueError(f"{info.name.decode()}: the dataset has no labels (give y to from_arrays)")
        history = []
        caught = []
        interrupted = []

        def on_epoch(p, user, err):
            try:
                if interrupted:
                    return 1
                e = p.contents
                ep = Epoch(e.epoch, e.train_loss, e.train_score, e.val_loss, e.val_score, e.seconds, bool(e.improved),
                           e.best_epoch)
                history.append(ep)
                if verbose and (ep.epoch == 1 or ep.epoch % 100 == 0):
                    print(f"epoch {ep.epoch:5d}  train loss {ep.train_loss:.4f} score {ep.train_score:.4f}  "
                          f"val loss {ep.val_loss:.4f} score {ep.val_score:.4f}", flush=True)
                if callback is not None and callback(ep):
                    return 1
                return 0
            except BaseException as exc:   # stop cleanly, raise it after the library returns
                caught.append(exc)
                return 1

        cb = _lib.EPOCH_CALLBACK(on_epoch)
        fo = lib.gat_fit_options_default()
        fo.max_epochs, fo.patience, fo.seed, fo.keep_best = epochs, patience, seed, int(bool(keep_best))
        fo.lr, fo.weight_decay = self.lr, self.weight_decay
        res = _lib.FitResult()
        h = ctypes.c_void_p()
        o = self._options(info.n_features, info.n_classes)
        # Ctrl-C: while the library trains, SIGINT only sets a flag that the next epoch's callback
        # sees (an exception raised inside a ctypes callback would be lost); training then stops
        # cleanly and KeyboardInterrupt is raised here.
        old, installed = None, False
        if threading.current_thread() is threading.main_thread():
            try:
                old = signal.signal(signal.SIGINT, lambda sig, frame: interrupted.append(sig))
                installed = True
            except (ValueError, OSError):
                pass
        try:
            with self._lock:
                call(lib.gat_net_new, ctypes.byref(h), ctypes.byref(o), seed)
                try:
                    call(lib.gat_net_fit, h, ds._h, ctypes.byref(fo), cb, None, ctypes.byref(res))
                except BaseException:
                    lib.gat_net_free(h)
                    raise
                self._free()
                self._h = h
        finally:
            if installed:
                signal.signal(signal.SIGINT, old if old is not None else signal.SIG_DFL)
        if interrupted and not caught:
            raise KeyboardInterrupt
        if caught:
            raise caught[0]
        return FitResult(res.epochs, res.best_epoch, res.best_val_score, res.best_val_loss, res.val_score,
                         res.val_loss, res.seconds, STOPS.get(res.stop, "?"), history)

    def evaluate(self, ds, split="test"):
        """Loss and score (accuracy, or micro-F1 for multi-label data) on one split, without dropout."""
        ds = _dataset(ds)
        if split not in SPLITS:
            raise ValueError(f"split: {split!r} is not 'train', 'val' or 'test'")
        loss, score = ctypes.c_double(), ctypes.c_double()
        with self._lock:
            self._need()
            call(lib.gat_net_evaluate, self._h, ds._h, SPLITS[split], ctypes.byref(loss), ctypes.byref(score))
        return Metrics(loss.value, score.value)

    # ---- inference ----

    def _outputs(self, ds, kind):
        ds = _dataset(ds)
        with self._lock:
            info = self._info()
            n, c = ds.num_nodes, info.options.n_classes
            out = np.empty((n, c), dtype=np.float32)
            call(lib.gat_net_predict, self._h, ds._h, kind, out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)),
                 out.size)
        return out

    def predict_logits(self, ds):
        """The logits (N, C) float32 for every node of ds (any graph whose features fit the model)."""
        return self._outputs(ds, _lib.OUT_LOGITS)

    def predict_proba(self, ds, multilabel=None):
        """Class probabilities (N, C): softmax for single-label models, sigmoid per class for multi-label
        ones (multilabel=None: as the dataset's labels say, single-label when it has none)."""
        ds = _dataset(ds)
        if multilabel is None:
            multilabel = ds.multilabel
        return self._outputs(ds, _lib.OUT_SIGMOID if multilabel else _lib.OUT_SOFTMAX)

    def predict(self, ds, multilabel=None):
        """Predicted classes: (N,) int64 class ids, or (N, C) 0/1 for multi-label models."""
        ds = _dataset(ds)
        if multilabel is None:
            multilabel = ds.multilabel
        if multilabel:
            return (self.predict_logits(ds) > 0).astype(np.int8)
        return self.predict_logits(ds).argmax(axis=1)

    def attention(self, ds, layer=0, return_edge_ids=False):
        """The attention coefficients of one layer on ds, without dropout.

        Returns (edge_index, weights): edge_index int64 (2, M) lists each edge source -> target the
        layer attends over (the input edges without their self loops, plus one self loop per node,
        grouped by target; with add_self_loops=False the input edges exactly as given), weights
        float32 (M, heads) the coefficients alpha; each target's weights sum to 1 per head. With return_edge_ids, also edge_ids int64 (M,): the index of each entry in
        the dataset's edge_index, -1 for an added self loop."""
        ds = _dataset(ds)
        layer = _int(layer, "layer")
        m, h = ctypes.c_int64(), ctypes.c_int64()
        with self._lock:
            self._need()
            call(lib.gat_net_attention_size, self._h, ds._h, layer, ctypes.byref(m), ctypes.byref(h))
            ei = np.empty((2, m.value), dtype=np.int64)
            ids = np.empty(m.value, dtype=np.int64)
            w = np.empty((m.value, h.value), dtype=np.float32)
            i64 = ctypes.POINTER(ctypes.c_int64)
            call(lib.gat_net_attention, self._h, ds._h, layer, ei.ctypes.data_as(i64), ei.size,
                 ids.ctypes.data_as(i64), w.ctypes.data_as(ctypes.POINTER(ctypes.c_float)), w.size)
        return (ei, w, ids) if return_edge_ids else (ei, w)

    # ---- files ----

    def save(self, path):
        """Write the model file (.safetensors, the same format as `gat train` writes), atomically."""
        with self._lock:
            self._need()
            call(lib.gat_net_save, self._h, os.fsencode(path))

    @classmethod
    def load(cls, path):
        """Read a model file written by save or by `gat train`."""
        h = ctypes.c_void_p()
        call(lib.gat_net_load, ctypes.byref(h), os.fsencode(path))
        info = _lib.NetInfo()
        lib.gat_net_get_info(h, ctypes.byref(info))
        o = info.options
        heads = tuple(o.heads[l] for l in range(o.n_layers))
        hidden = tuple(o.features[l] for l in range(o.n_layers - 1))
        try:
            m = cls(heads=heads, hidden=hidden, dropout=min(max(o.dropout, 0.0), 0.999999), skip=o.skip,
                    bias=o.bias, slope=o.slope, attention_type="gatv2" if o.attention_type == 1 else "gat",
                    share_weights=bool(o.share_weights), add_self_loops=not o.no_self_loops)
        except BaseException:
            lib.gat_net_free(h)
            raise
        m._h = h
        return m

    def state_dict(self):
        """The parameters as NumPy arrays under pytorch-GAT's names and shapes (as in the model file)."""
        out = {}
        with self._lock:
            self._need()
            for i in range(lib.gat_net_tensor_count(self._h)):
                name, ndim, shape = ctypes.c_char_p(), ctypes.c_int(), (ctypes.c_int64 * 3)()
                lib.gat_net_tensor_info(self._h, i, ctypes.byref(name), ctypes.byref(ndim), shape)
                a = np.empty(tuple(shape[:ndim.value]), dtype=np.float32)
                call(lib.gat_net_tensor, self._h, i, a.ctypes.data_as(ctypes.POINTER(ctypes.c_float)), a.size)
                out[name.value.decode()] = a
        return out

    @property
    def info(self):
        """What the model file records: dataset, epochs, best_epoch, val_score, test_score, seed, n_params."""
        i = self._info()
        return {"dataset": i.dataset.decode(), "epochs": i.epochs, "best_epoch": i.best_epoch,
                "val_score": i.val_score, "test_score": i.test_score,
                "seed": i.seed, "n_params": i.n_params, "n_in": i.options.n_in, "n_classes": i.options.n_classes}

    def __repr__(self):
        trained = ""
        if self._h:
            i = self._info()
            trained = f", n_in={i.options.n_in}, n_classes={i.options.n_classes}, params={i.n_params}"
        loops = "" if self.add_self_loops else ", add_self_loops=False"
        return (f"GAT(heads={self.heads}, hidden={self.hidden}, dropout={self.dropout}, skip={self.skip}, "
                f"bias={self.bias}{loops}{trained})")
