"""The Python API end to end: same model as the command line, arrays in and out, callbacks and
Ctrl-C, inference on other graphs, attention, files, pictures, python -m gat."""

import os
import signal
import subprocess
import sys
import threading

import numpy as np
import pytest

import gat
from conftest import cora_arrays, read_safetensors, ring


def run_cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "gat", *args], capture_output=True, text=True, **kw)


def test_cora_same_model_as_cli(tmp_path, cora):
    """gat train --seed S and GAT().fit(seed=S) write the same tensors and the same metadata."""
    epochs, seed = 40, 3
    r = run_cli("train", "--dataset", "cora", "--num_of_epochs", str(epochs), "--seed", str(seed), "--threads", "1",
                "--models-dir", str(tmp_path / "models"), "--logdir", str(tmp_path / "runs"), "--checkpoint_freq", "0",
                "--quiet", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    (cli_file,) = (tmp_path / "models" / "binaries").iterdir()
    model = gat.GAT()
    res = model.fit(cora, epochs=epochs, seed=seed)
    assert res.epochs == epochs and res.stopped_by == "max_epochs" and len(res.history) == epochs
    py_file = tmp_path / "py.safetensors"
    model.save(py_file)
    t_cli, m_cli = read_safetensors(cli_file)
    t_py, m_py = read_safetensors(py_file)
    assert sorted(t_cli) == sorted(t_py)
    for name in t_cli:
        assert t_cli[name].shape == t_py[name].shape, name
        assert t_cli[name].tobytes() == t_py[name].tobytes(), f"{name} differs from the command line's"
    assert set(m_cli) - {"run"} == set(m_py) - {"run"}
    differ = {k for k in set(m_cli) | set(m_py) if m_cli.get(k) != m_py.get(k)}
    # what may differ: the time of writing, and the run folder only the command line makes
    assert differ <= {"created", "run"}, {k: (m_cli[k], m_py[k]) for k in differ}
    assert m_py["dataset"] == "cora" and m_py["epochs"] == str(epochs) and m_py["seed"] == str(seed)
    # and the command line's file loads into Python with the same predictions
    loaded = gat.GAT.load(cli_file)
    assert np.array_equal(loaded.predict_logits(cora), model.predict_logits(cora))
    # state_dict is the file's tensors
    sd = model.state_dict()
    assert sorted(sd) == sorted(t_py) and all(np.array_equal(sd[k], t_py[k]) for k in sd)


def test_from_arrays_equals_load_and_borrows(cora):
    import scipy.sparse as sp
    ei, x, y, (tr, va, te) = cora_arrays()
    assert x.dtype == np.float32 and x.indices.dtype == np.int32 and ei.dtype == np.int64
    assert not ei.flags.c_contiguous   # Cora's file holds the transpose of an (E, 2) array: copied once
    data_before = x.data.copy()
    ds = gat.Dataset.from_arrays(ei, x, y, train_idx=tr, val_idx=va, test_idx=te, normalize=True, name="cora")
    # edges, indices, labels, splits are read in place; indptr (int32 in SciPy) was converted and the
    # values copied to be normalised
    assert ds.shared == ("x.indices", "y", "train_idx", "val_idx", "test_idx")
    assert ds.borrowed == 8   # edges (2 halves of the C-ordered copy), indptr (as int64), indices, labels, 3 splits
    assert np.array_equal(x.data, data_before), "normalize must not write the caller's array"
    assert (ds.num_nodes, ds.num_edges, ds.num_features, ds.num_classes) == (2708, 10556, 1433, 7)
    assert ds.split_sizes == {"train": 140, "val": 500, "test": 1000}
    a, b = gat.GAT(), gat.GAT()
    ra = a.fit(ds, epochs=15, seed=2)
    rb = b.fit(cora, epochs=15, seed=2)
    sa, sb = a.state_dict(), b.state_dict()
    assert all(sa[k].tobytes() == sb[k].tobytes() for k in sa)
    assert ra.best_epoch == rb.best_epoch and ra.val_score == rb.val_score
    # the same features dense, as float64 (converted): the same predictions up to summation order
    dense = gat.Dataset.from_arrays(ei, x.toarray().astype(np.float64), y, tr, va, te, normalize=True)
    assert np.allclose(a.predict_proba(dense), a.predict_proba(ds), atol=1e-5)
    # COO input is converted to CSR
    coo = gat.Dataset.from_arrays(ei, sp.coo_matrix(x), y, tr, va, te, normalize=True)
    assert np.allclose(a.predict_logits(coo), a.predict_logits(ds), atol=1e-5)


def test_non_contiguous_and_other_dtypes_are_converted():
    ei, x, y, tr, va, te = ring()
    ref = gat.Dataset.from_arrays(ei, x, y, tr, va, te)
    big = np.zeros((2, 2 * ei.shape[1]), dtype=np.int32)
    big[:, ::2] = ei
    xf = np.asfortranarray(x.astype(np.float64))
    masks = [np.isin(np.arange(40), s) for s in (tr, va, te)]
    other = gat.Dataset.from_arrays(big[:, ::2], xf, y.astype(np.uint8), *masks)
    assert ref.shared == ("edge_index", "x", "y", "train_idx", "val_idx", "test_idx") and ref.borrowed == 7
    assert other.shared == () and other.borrowed == 7  # the converted copies, kept by the Dataset
    m1, m2 = gat.GAT(), gat.GAT()
    m1.fit(ref, epochs=10, seed=4)
    m2.fit(other, epochs=10, seed=4)
    assert np.array_equal(m1.predict_logits(ref), m2.predict_logits(other))
    # copy=True: nothing borrowed, and the caller may change its arrays afterwards
    xc = x.copy()
    cp = gat.Dataset.from_arrays(ei, xc, y, tr, va, te, copy=True)
    assert cp.borrowed == 0
    before = m1.predict_logits(cp)
    xc[:] = 0
    assert np.array_equal(m1.predict_logits(cp), before)


def test_callback_history_and_stop(cora):
    seen = []

    def cb(e):
        seen.append(e.epoch)
        assert 0 <= e.val_score <= 1 and e.train_loss > 0 and e.best_epoch <= e.epoch
        return e.epoch == 7

    m = gat.GAT()
    r = m.fit(cora, epochs=100, seed=1, callback=cb)
    assert seen == list(range(1, 8)) and r.epochs == 7 and r.stopped_by == "callback"
    assert r.val_score == r.best_val_score  # keep_best restored the best of the 7 epochs
    assert [h.epoch for h in r.history] == seen
    r = m.fit(cora, epochs=1000, patience=5, seed=1)
    assert r.stopped_by == "patience" and r.epochs < 1000


def test_callback_exception_propagates_model_usable(cora):
    class Boom(Exception):
        pass

    def cb(e):
        if e.epoch == 3:
            raise Boom("from the callback")

    m = gat.GAT()
    with pytest.raises(Boom):
        m.fit(cora, epochs=50, callback=cb)
    assert m.info["epochs"] == 3
    assert m.predict(cora).shape == (2708,)


def test_ctrl_c_interrupts_cleanly(cora):
    """A real SIGINT during fit: training stops at the end of the epoch, KeyboardInterrupt is raised,
    the model holds the best parameters so far and keeps working."""
    started = threading.Event()

    def cb(e):
        if e.epoch == 2:
            started.set()

    def interrupt():
        started.wait(30)
        os.kill(os.getpid(), signal.SIGINT)

    t = threading.Thread(target=interrupt)
    t.start()
    m = gat.GAT()
    with pytest.raises(KeyboardInterrupt):
        m.fit(cora, epochs=100000, patience=100000, callback=cb)
    t.join()
    epochs = m.info["epochs"]
    assert 2 <= epochs < 100000
    assert m.evaluate(cora, "val").score == m.info["val_score"]


def test_inductive_prediction_on_another_graph(cora):
    m = gat.GAT()
    m.fit(cora, epochs=30, seed=1)
    ei, x, y, _ = cora_arrays()
    keep = 500
    sub = ei[:, (ei[0] < keep) & (ei[1] < keep)]
    g = gat.Dataset.from_arrays(sub, x[:keep], name="sub", normalize=True)   # no labels at all
    p = m.predict_proba(g)
    assert p.shape == (keep, 7) and p.dtype == np.float32
    assert np.allclose(p.sum(axis=1), 1, atol=1e-5)
    assert np.array_equal(m.predict(g), p.argmax(axis=1))
    with pytest.raises(ValueError, match="no labels"):
        m.evaluate(g)
    with pytest.raises(ValueError, match="no labels"):
        m.fit(g)


def test_attention(cora):
    m = gat.GAT()
    m.fit(cora, epochs=20, seed=1)
    ei, w, ids = m.attention(cora, layer=0, return_edge_ids=True)
    assert ei.shape == (2, 10556 + 2708) and w.shape == (ei.shape[1], 8) and ids.shape == (ei.shape[1],)
    sums = np.zeros((2708, 8))
    np.add.at(sums, ei[1], w)
    assert np.allclose(sums, 1, atol=1e-5)
    src = np.load(os.path.join(gat.bundled_data_dir(), "cora", "edge_index.npy"))
    real = ids >= 0
    assert np.array_equal(ei[:, real], src[:, ids[real]])
    assert np.array_equal(ei[0, ~real], ei[1, ~real]) and (~real).sum() == 2708
    e1, w1 = m.attention(cora, layer=1)
    assert w1.shape == (e1.shape[1], 1)


def test_gatv2(tmp_path, cora):
    """attention_type="gatv2" trains GATv2 (its own target projection), survives save and load,
    and leaves GAT.attention a method; an unknown type is refused."""
    m = gat.GAT(attention_type="gatv2")
    m.fit(cora, epochs=5, seed=1)
    assert m.attention_type == "gatv2" and callable(m.attention)
    ei, w = m.attention(cora, layer=0)
    assert w.shape == (ei.shape[1], 8)
    path = tmp_path / "v2.safetensors"
    m.save(path)
    tensors, meta = read_safetensors(path)
    assert any("linear_proj_target" in name for name in tensors)
    back = gat.GAT.load(path)
    assert back.attention_type == "gatv2"
    assert np.array_equal(back.predict(cora), m.predict(cora))
    with pytest.raises(ValueError, match="attention_type"):
        gat.GAT(attention_type="gat3")


@pytest.mark.parametrize("attention_type", ["gat", "gatv2"])
def test_add_self_loops_false(tmp_path, attention_type):
    """add_self_loops=False: the edges as given (own self loops and duplicates kept, none added); a
    node without incoming edges gets the last layer's bias only (PyG: 0 + bias), no NaN; the setting
    survives save and load and is in the file's metadata; a non-bool is refused."""
    ei, x, y, tr, va, te = ring(30)
    keep = ei[1] != 4                                         # node 4 hears from nobody
    ei = np.concatenate([ei[:, keep], [[7, 9, 2], [7, 9, 3]]], axis=1)  # own self loops at 7 and 9, 2 -> 3 twice
    ds = gat.Dataset.from_arrays(ei, x, y, tr, va, te)
    m = gat.GAT(heads=(2, 1), hidden=4, dropout=0.2, attention_type=attention_type, add_self_loops=False)
    m.fit(ds, epochs=20, seed=3)
    e0, w0, ids = m.attention(ds, layer=0, return_edge_ids=True)
    assert e0.shape == ei.shape and (ids >= 0).all() and np.array_equal(e0, ei[:, ids])
    assert np.isfinite(w0).all() and not (e0[1] == 4).any()
    sums = np.zeros((30, 2))
    np.add.at(sums, e0[1], w0)
    assert np.allclose(np.delete(sums, 4, axis=0), 1, atol=1e-5) and (sums[4] == 0).all()
    logits = m.predict_logits(ds)
    assert np.isfinite(logits).all()
    assert np.allclose(logits[4], m.state_dict()["gat_net.1.bias"], atol=1e-6)
    path = tmp_path / "noloops.safetensors"
    m.save(path)
    _, meta = read_safetensors(path)
    assert meta["add_self_loops"] == "false"
    back = gat.GAT.load(path)
    assert back.add_self_loops is False and "add_self_loops=False" in repr(back)
    assert np.array_equal(back.predict_logits(ds), logits)
    d = gat.GAT(heads=(2, 1), hidden=4, attention_type=attention_type)  # the default adds them
    d.fit(ds, epochs=2, seed=3)
    assert d.attention(ds)[0].shape[1] == ei.shape[1] - 2 + 30
    with pytest.raises(TypeError, match="add_self_loops"):
        gat.GAT(add_self_loops="no")


def test_save_load_roundtrip(tmp_path, cora):
    m = gat.GAT(heads=(4, 4, 2), hidden=(6, 5), skip=True, dropout=0.5)
    m.fit(cora, epochs=10, seed=9)
    p = tmp_path / "m.safetensors"
    m.save(p)
    l = gat.GAT.load(p)
    assert l.heads == (4, 4, 2) and l.hidden == (6, 5) and l.skip
    assert np.array_equal(l.predict_logits(cora), m.predict_logits(cora))
    for k in ("dataset", "epochs", "best_epoch", "val_score", "seed", "n_params", "n_in", "n_classes"):
        assert l.info[k] == pytest.approx(m.info[k], rel=1e-6), k
    assert m.evaluate(cora).score == l.evaluate(cora).score


def test_multilabel():
    ei, x, _, tr, va, te = ring(60)
    rng = np.random.default_rng(1)
    t = (rng.random((60, 3)) < 0.5).astype(np.float32)
    ds = gat.Dataset.from_arrays(ei, x, t, tr, va, te)
    assert ds.multilabel and ds.num_classes == 3
    m = gat.GAT(heads=(4, 2))
    r = m.fit(ds, epochs=20)
    assert 0 <= r.val_score <= 1
    p = m.predict_proba(ds)
    assert p.shape == (60, 3) and ((p > 0) & (p < 1)).all()
    assert np.array_equal(m.predict(ds), (p > 0.5).astype(np.int8))


def test_visualize(tmp_path, cora):
    m = gat.GAT()
    m.fit(cora, epochs=5)
    files = gat.visualize.attention(m, cora, node=0, path=tmp_path / "n0.png")
    assert files == [str(tmp_path / "n0.png")]
    assert open(files[0], "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    files = gat.visualize.attention(m, cora, node=5, layer=0, head="all", path=tmp_path / "n5")
    assert [os.path.splitext(f)[1] for f in files] == [".png", ".svg"]
    assert b"<svg" in open(files[1], "rb").read(300)
    files = gat.visualize.attention(m, cora, node=5, layer=1, head=0, path=tmp_path / "n5h0.svg")
    assert len(files) == 1 and files[0].endswith(".svg")


def test_python_m_gat(tmp_path):
    r = run_cli("--version")
    assert r.returncode == 0 and r.stdout.startswith("gat " + gat.__version__)
    r = run_cli("train", "--no-such-option")
    assert r.returncode == 2 and r.stderr.startswith("gat: error:")
    r = run_cli("info", str(tmp_path / "missing.safetensors"))
    assert r.returncode == 1 and "missing.safetensors" in r.stderr


def test_repr_and_info(cora):
    assert "cora" in repr(cora) and "2708" in repr(cora)
    m = gat.GAT()
    assert "heads=(8, 1)" in repr(m)
    m.fit(cora, epochs=3)
    assert m.info["n_params"] == 92373 and m.info["dataset"] == "cora"
    assert gat.set_threads(1) == 1
