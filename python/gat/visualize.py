"""gat.visualize: pictures drawn by libgat (cairo + igraph), as PNG and/or SVG files."""

import ctypes
import os

from . import _lib
from ._lib import call, lib
from .model import GAT, _dataset, _int


def attention(model, ds, node, layer=0, head="mean", path="attention"):
    """Draw node `node`'s attention over its neighbourhood in layer `layer`.

    head: a head number, "mean" (the mean over the layer's heads) or "all" (one star per head and a
    panel of each neighbour's weight per head, in one figure). path: "x.png" or "x.svg" writes that
    file only, a path without either ending writes both. Returns the list of files written."""
    if not isinstance(model, GAT):
        raise TypeError(f"model: expected a gat.GAT, got {type(model).__name__}")
    ds = _dataset(ds)
    node = _int(node, "node")
    layer = _int(layer, "layer")
    if head == "mean":
        h = -1
    elif head == "all":
        h = -2
    else:
        h = _int(head, "head", 0)
    path = os.fspath(path)
    stem, ext = os.path.splitext(path)
    formats = {".png": 1, ".svg": 2}.get(ext.lower())
    if formats is None:
        stem, formats = path, 3
    buf = ctypes.create_string_buffer(4096)
    with model._lock:
        model._need()
        call(lib.gat_net_draw_attention, model._h, ds._h, node, layer, h, os.fsencode(stem), formats, buf,
             ctypes.sizeof(buf))
    return [p for p in buf.value.decode().split("\n") if p]
