"""Every bad input raises a Python exception with a message; none crashes the interpreter."""

import numpy as np
import pytest
import scipy.sparse as sp

import gat
from conftest import ring

EI, X, Y, TR, VA, TE = ring()
N = X.shape[0]


def arrays(**kw):
    a = dict(edge_index=EI, x=X, y=Y, train_idx=TR, val_idx=VA, test_idx=TE)
    a.update(kw)
    return a


BAD_DATASETS = {
    "edge_index float": arrays(edge_index=EI.astype(np.float64)),
    "edge_index bool": arrays(edge_index=EI > 3),
    "edge_index strings": arrays(edge_index=EI.astype(str)),
    "edge_index objects": arrays(edge_index=np.array([[0, None], [1, 2]], dtype=object)),
    "edge_index (E, 2)": arrays(edge_index=EI.T.copy()),
    "edge_index 1-D": arrays(edge_index=EI[0]),
    "edge_index 3-D": arrays(edge_index=EI[None]),
    "edge_index id N": arrays(edge_index=np.array([[0, N], [1, 2]])),
    "edge_index id -1": arrays(edge_index=np.array([[0, -1], [1, 2]])),
    "edge_index uint64 huge": arrays(edge_index=np.array([[0, 2**63], [1, 2]], dtype=np.uint64)),
    "x 1-D": arrays(x=X[:, 0]),
    "x 3-D": arrays(x=X[None]),
    "x no columns": arrays(x=np.zeros((N, 0), np.float32)),
    "x complex": arrays(x=X.astype(np.complex64)),
    "x strings": arrays(x=X.astype(str)),
    "x NaN": arrays(x=np.where(np.arange(N * 6).reshape(N, 6) == 17, np.nan, X)),
    "x inf": arrays(x=np.full((N, 6), np.inf)),
    "x sparse NaN": arrays(x=sp.csr_matrix(np.where(X > 1.5, np.nan, X))),
    "x sparse complex": arrays(x=sp.csr_matrix(X.astype(np.complex64))),
    "x no nodes": arrays(x=np.zeros((0, 6), np.float32)),
    "y float": arrays(y=Y.astype(np.float64)),
    "y wrong length": arrays(y=Y[:-1]),
    "y -2": arrays(y=np.where(np.arange(N) == 3, -2, Y)),
    "y all unlabelled": arrays(y=np.full(N, -1)),
    "y 3-D": arrays(y=Y[None, None]),
    "y targets 0.5": arrays(y=np.full((N, 2), 0.5, np.float32)),
    "y targets wrong rows": arrays(y=np.zeros((N + 1, 2), np.float32)),
    "y label >= num_classes": dict(arrays(), num_classes=1),
    "train_idx out of range": arrays(train_idx=np.array([0, N])),
    "val_idx negative": arrays(val_idx=np.array([-1])),
    "test_idx float": arrays(test_idx=TE.astype(np.float32)),
    "train_idx 2-D": arrays(train_idx=TR[None]),
    "train mask wrong length": arrays(train_idx=np.ones(N + 1, bool)),
    "name too long": dict(arrays(), name="x" * 100),
    "name not a string": dict(arrays(), name=5),
    "class names count": dict(arrays(), class_names=["a"]),
}


@pytest.mark.parametrize("case", sorted(BAD_DATASETS))
def test_bad_dataset_raises(case):
    with pytest.raises((TypeError, ValueError)) as e:
        gat.Dataset.from_arrays(**BAD_DATASETS[case])
    assert str(e.value), "the exception carries a message"


def test_library_message_reaches_python():
    with pytest.raises(gat.GatError, match=r"edge_index: edge 1 \(40 -> 2\) has a node id outside \[0, 40\)") as e:
        gat.Dataset.from_arrays(**arrays(edge_index=np.array([[0, N], [1, 2]])))
    assert isinstance(e.value, ValueError) and e.value.status == -6


def test_bad_load():
    with pytest.raises(FileNotFoundError, match="no_such_dataset"):
        gat.Dataset.load("no_such_dataset")
    with pytest.raises(gat.GatError):
        gat.Dataset.load("../etc")
    with pytest.raises(TypeError):
        gat.Dataset.load(3)
    with pytest.raises(FileNotFoundError, match="missing.safetensors"):
        gat.GAT.load("/nonexistent/missing.safetensors")


def test_bad_model_file(tmp_path):
    p = tmp_path / "junk.safetensors"
    p.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}......")
    with pytest.raises(gat.GatError, match="junk.safetensors"):
        gat.GAT.load(p)
    p.write_bytes(b"")
    with pytest.raises(gat.GatError):
        gat.GAT.load(p)


@pytest.mark.parametrize("kw", [dict(heads=()), dict(heads=(0, 1)), dict(heads=(8, 1), hidden=(8, 8)),
                                dict(hidden=0), dict(dropout=1.0), dict(dropout=-0.1), dict(dropout="a"),
                                dict(heads=(1,) * 9), dict(slope=float("nan")), dict(heads=(8.5, 1)),
                                dict(lr=None), dict(heads=(True, 1))])
def test_bad_model_options(kw):
    with pytest.raises((TypeError, ValueError)):
        gat.GAT(**kw)


def test_bad_lr_is_the_library_message():
    ds = gat.Dataset.from_arrays(**arrays())
    with pytest.raises(gat.GatError, match=r"train\.lr: 0 must be in \(0, 10\)"):
        gat.GAT(lr=0).fit(ds, epochs=2)


@pytest.mark.parametrize("kw", [dict(epochs=0), dict(epochs=-5), dict(epochs=2.5), dict(patience=0),
                                dict(seed=-1), dict(seed="1"), dict(callback=5), dict(epochs=True)])
def test_bad_fit_arguments(kw):
    ds = gat.Dataset.from_arrays(**arrays())
    with pytest.raises((TypeError, ValueError)):
        gat.GAT().fit(ds, **kw)


def test_bad_calls_on_models():
    ds = gat.Dataset.from_arrays(**arrays())
    m = gat.GAT()
    for call in (lambda: m.predict(ds), lambda: m.attention(ds), lambda: m.evaluate(ds), lambda: m.save("x"),
                 lambda: m.state_dict(), lambda: m.info):
        with pytest.raises(RuntimeError, match="not trained"):
            call()
    with pytest.raises(TypeError):
        m.fit(X)
    m.fit(ds, epochs=3)
    with pytest.raises(TypeError, match="gat.Dataset"):
        m.predict(X)
    with pytest.raises(ValueError, match="split"):
        m.evaluate(ds, "all")
    with pytest.raises(ValueError, match="layer"):
        m.attention(ds, layer=2)
    with pytest.raises(ValueError, match="layer"):
        m.attention(ds, layer=-1)
    with pytest.raises(TypeError):
        m.attention(ds, layer="0")
    wide = gat.Dataset.from_arrays(EI, np.ones((N, 7), np.float32))
    with pytest.raises(ValueError, match="input features"):
        m.predict(wide)
    three = gat.Dataset.from_arrays(EI, X, np.arange(N) % 3, TR, VA, TE)
    with pytest.raises(ValueError, match="classes"):
        m.evaluate(three)
    no_val = gat.Dataset.from_arrays(EI, X, Y, train_idx=TR)
    with pytest.raises(ValueError, match="val_idx"):
        m.fit(no_val, epochs=2)
    unl = gat.Dataset.from_arrays(EI, X, np.where(np.arange(N) == VA[0], -1, Y), TR, VA, TE)
    with pytest.raises(ValueError, match="no label"):
        m.fit(unl, epochs=2)
    with pytest.raises(OSError):
        m.save("/nonexistent/dir/m.safetensors")
    closed = gat.Dataset.from_arrays(**arrays())
    closed.close()
    with pytest.raises(ValueError, match="closed"):
        m.predict(closed)


def test_bad_pictures(tmp_path):
    ds = gat.Dataset.from_arrays(**arrays())
    m = gat.GAT()
    m.fit(ds, epochs=2)
    for kw in (dict(node=N), dict(node=-1), dict(node=0, layer=5), dict(node=0, head=8), dict(node=0, head="x"),
               dict(node=0.5)):
        with pytest.raises((TypeError, ValueError)):
            gat.visualize.attention(m, ds, path=tmp_path / "a.png", **kw)
    with pytest.raises(TypeError):
        gat.visualize.attention("model", ds, node=0)
    with pytest.raises(OSError):
        gat.visualize.attention(m, ds, node=0, path="/nonexistent/dir/a.png")
    with pytest.raises(ValueError):
        gat.set_threads(-1)
