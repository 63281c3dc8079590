"""ctypes binding of libgat's in-memory API (include/gat/api.h).

ctypes releases the GIL around every foreign call, so training and inference run while other
Python threads go on; the per-epoch callback takes it back for the few microseconds it runs.
The struct layouts below mirror api.h and are checked against the loaded library at import
(gat_api_sizeof), so a mismatched build fails loudly instead of corrupting memory.
"""

import ctypes
import os
from ctypes import (POINTER, Structure, c_char, c_char_p, c_double, c_float, c_int, c_int32, c_int64, c_size_t,
                    c_uint64, c_void_p)

API_VERSION = 1
MAX_LAYERS = 8
BORROW, COPY = 0, 1
OUT_LOGITS, OUT_SOFTMAX, OUT_SIGMOID = 0, 1, 2
FIT_MAX_EPOCHS, FIT_PATIENCE, FIT_STOPPED = 0, 1, 2

# status codes (status.h)
OK, ENOMEM, EIO, EFORMAT, EDTYPE, ESHAPE, ERANGE, EINVAL, ENOTFOUND = 0, -1, -2, -3, -4, -5, -6, -7, -8


class GatError(Exception):
    """An error reported by libgat: .status is the library's GAT_E* code, str() its message."""

    def __init__(self, message, status=EINVAL):
        super().__init__(message)
        self.status = status


class GatValueError(GatError, ValueError):
    pass


class GatTypeError(GatError, TypeError):
    pass


class GatFileNotFoundError(GatError, FileNotFoundError):
    pass


class GatOSError(GatError, OSError):
    pass


class GatMemoryError(GatError, MemoryError):
    pass


_CLASSES = {ENOMEM: GatMemoryError, EIO: GatOSError, EFORMAT: GatValueError, EDTYPE: GatTypeError,
            ESHAPE: GatValueError, ERANGE: GatValueError, EINVAL: GatValueError, ENOTFOUND: GatFileNotFoundError}


def error(status, message):
    return _CLASSES.get(status, GatError)(message, status)


class Error(Structure):
    _fields_ = [("status", c_int), ("msg", c_char * 512)]

    def raise_for(self, rc):
        if rc != OK:
            msg = self.msg.decode("utf-8", "replace") or f"libgat status {rc}"
            raise error(rc, msg)


class NetOptions(Structure):
    _fields_ = [("n_layers", c_int), ("n_in", c_int64), ("n_classes", c_int64),
                ("heads", c_int64 * MAX_LAYERS), ("features", c_int64 * MAX_LAYERS),
                ("skip", c_int), ("bias", c_int), ("dropout", c_double), ("slope", c_double),
                ("attention_type", c_int), ("share_weights", c_int), ("no_self_loops", c_int)]


class NetInfo(Structure):
    _fields_ = [("options", NetOptions), ("n_params", c_int64), ("dataset", c_char * 64),
                ("epochs", c_int64), ("best_epoch", c_int64), ("val_score", c_double), ("test_score", c_double),
                ("seed", c_uint64)]


class DataInfo(Structure):
    _fields_ = [("name", c_char * 64), ("n_nodes", c_int64), ("n_edges", c_int64), ("n_features", c_int64),
                ("n_classes", c_int64), ("task", c_int), ("features", c_int), ("split_size", c_int64 * 3),
                ("nnz_features", c_int64), ("borrowed", c_int)]


class FitOptions(Structure):
    _fields_ = [("max_epochs", c_int64), ("patience", c_int64), ("lr", c_double), ("weight_decay", c_double),
                ("seed", c_uint64), ("keep_best", c_int)]


class EpochInfo(Structure):
    _fields_ = [("epoch", c_int64), ("train_loss", c_double), ("train_score", c_double), ("val_loss", c_double),
                ("val_score", c_double), ("seconds", c_double), ("improved", c_int), ("best_epoch", c_int64)]


class FitResult(Structure):
    _fields_ = [("epochs", c_int64), ("best_epoch", c_int64), ("best_val_loss", c_double),
                ("best_val_score", c_double), ("val_loss", c_double), ("val_score", c_double),
                ("seconds", c_double), ("stop", c_int)]


EPOCH_CALLBACK = ctypes.CFUNCTYPE(c_int, POINTER(EpochInfo), c_void_p, POINTER(Error))

_P = c_void_p
_I64P, _I32P, _F32P = POINTER(c_int64), POINTER(c_int32), POINTER(c_float)
_E = POINTER(Error)

_SIGNATURES = {
    "gat_api_version": (c_int, [POINTER(c_char_p)]),
    "gat_api_sizeof": (c_size_t, [c_char_p]),
    "gat_api_set_threads": (c_int, [c_int]),
    "gat_data_new": (c_int, [POINTER(_P), c_char_p, c_int64, _E]),
    "gat_data_open": (c_int, [POINTER(_P), c_char_p, c_char_p, _E]),
    "gat_data_free": (None, [_P]),
    "gat_data_get_info": (c_int, [_P, POINTER(DataInfo)]),
    "gat_data_set_edges": (c_int, [_P, _I64P, c_int64, c_int, _E]),
    "gat_data_set_features": (c_int, [_P, _F32P, c_int64, c_int, _E]),
    "gat_data_set_features_csr": (c_int, [_P, _I64P, _I32P, _F32P, c_int64, c_int, _E]),
    "gat_data_set_labels": (c_int, [_P, _I64P, c_int64, c_int, _E]),
    "gat_data_set_targets": (c_int, [_P, _F32P, c_int64, c_int, _E]),
    "gat_data_set_split": (c_int, [_P, c_int, _I64P, c_int64, c_int, _E]),
    "gat_data_set_class_names": (c_int, [_P, POINTER(c_char_p), c_int64, _E]),
    "gat_data_normalize_rows": (c_int, [_P, _E]),
    "gat_net_options_default": (NetOptions, [c_int64, c_int64]),
    "gat_net_new": (c_int, [POINTER(_P), POINTER(NetOptions), c_uint64, _E]),
    "gat_net_load": (c_int, [POINTER(_P), c_char_p, _E]),
    "gat_net_save": (c_int, [_P, c_char_p, _E]),
    "gat_net_free": (None, [_P]),
    "gat_net_get_info": (c_int, [_P, POINTER(NetInfo)]),
    "gat_net_tensor_count": (c_int, [_P]),
    "gat_net_tensor_info": (c_int, [_P, c_int, POINTER(c_char_p), POINTER(c_int), _I64P]),
    "gat_net_tensor": (c_int, [_P, c_int, _F32P, c_int64, _E]),
    "gat_fit_options_default": (FitOptions, []),
    "gat_net_fit": (c_int, [_P, _P, POINTER(FitOptions), EPOCH_CALLBACK, c_void_p, POINTER(FitResult), _E]),
    "gat_net_evaluate": (c_int, [_P, _P, c_int, POINTER(c_double), POINTER(c_double), _E]),
    "gat_net_predict": (c_int, [_P, _P, c_int, _F32P, c_int64, _E]),
    "gat_net_attention_size": (c_int, [_P, _P, c_int, _I64P, _I64P, _E]),
    "gat_net_attention": (c_int, [_P, _P, c_int, _I64P, c_int64, _I64P, _F32P, c_int64, _E]),
    "gat_net_draw_attention": (c_int, [_P, _P, c_int64, c_int, c_int, c_char_p, c_int, ctypes.c_char_p, c_size_t, _E]),
}

_STRUCTS = {"gat_net_options": NetOptions, "gat_fit_options": FitOptions, "gat_fit_result": FitResult,
            "gat_epoch_info": EpochInfo, "gat_data_info": DataInfo, "gat_net_info": NetInfo}

HERE = os.path.dirname(os.path.abspath(__file__))


def _load():
    path = os.environ.get("GAT_LIBRARY") or os.path.join(HERE, "libgat.so")
    try:
        lib = ctypes.CDLL(path)   # CDLL (not PyDLL): the GIL is released during every call
    except OSError as e:
        raise ImportError(f"gat: cannot load the native library {path}: {e} (reinstall with pip install .)") from e
    for name, (res, args) in _SIGNATURES.items():
        try:
            f = getattr(lib, name)
        except AttributeError as e:
            raise ImportError(f"gat: {path} has no {name}: a library of another version") from e
        f.restype = res
        f.argtypes = args
    v = lib.gat_api_version(None)
    if v != API_VERSION:
        raise ImportError(f"gat: {path} has API version {v}, this package needs {API_VERSION}")
    for cname, cls in _STRUCTS.items():
        n = lib.gat_api_sizeof(cname.encode())
        if n != ctypes.sizeof(cls):
            raise ImportError(f"gat: struct {cname} is {n} bytes in {path} but {ctypes.sizeof(cls)} in the binding")
    return lib


lib = _load()


def call(fn, *args):
    """Call a libgat function whose last argument is a gat_error; raise on failure."""
    err = Error()
    rc = fn(*args, ctypes.byref(err))
    err.raise_for(rc)


def version():
    s = c_char_p()
    lib.gat_api_version(ctypes.byref(s))
    return s.value.decode()
