"""gat: Graph Attention Networks (Velickovic et al., ICLR 2018) trained and run by a C library.

    import gat
    ds = gat.Dataset.load("cora")                       # or gat.Dataset.from_arrays(edge_index, x, y, ...)
    model = gat.GAT(heads=(8, 1), hidden=8)
    result = model.fit(ds, epochs=10000, patience=1000, seed=1)
    proba = model.predict_proba(ds)                     # NumPy (N, C)
    edge_index, weights = model.attention(ds, layer=0)  # NumPy (2, M), (M, heads)
    model.save("cora.safetensors"); model = gat.GAT.load("cora.safetensors")
    gat.visualize.attention(model, ds, node=0, path="node0.png")

Arrays go in without copying where their layout allows; the GIL is released while the library
trains and infers. Errors raise gat.GatError (also a ValueError, TypeError, FileNotFoundError,
OSError or MemoryError as fits) with the library's message.
"""

from ._lib import (GatError, GatFileNotFoundError, GatMemoryError, GatOSError, GatTypeError, GatValueError,
                   version as _version)
from .dataset import Dataset, bundled_data_dir
from .model import GAT, Epoch, FitResult, Metrics
from . import visualize
from ._lib import lib as _native

__version__ = _version().split(" ")[0]


def set_threads(n=0):
    """Worker threads for the library (process-wide); 0 = all cores. Returns the number in effect.
    Results do not depend on it."""
    n = int(n)
    if n < 0:
        raise ValueError(f"threads: {n} is negative")
    return _native.gat_api_set_threads(n)


def library_version():
    """The version and git commit of the native library loaded."""
    return _version()


__all__ = ["Dataset", "GAT", "Epoch", "FitResult", "Metrics", "GatError", "GatValueError", "GatTypeError",
           "GatFileNotFoundError", "GatOSError", "GatMemoryError", "visualize", "set_threads", "library_version",
           "bundled_data_dir"]
