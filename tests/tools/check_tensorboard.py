#!/usr/bin/env python3
"""Load a gat run (or a folder of runs) with TensorBoard's own EventAccumulator and print
what TensorBoard sees: the scalar tags, and per tag the number of points and the first
and last (step, value). Also checks config.json parses and metrics.csv agrees with the
events. Run by hand (CI has no Python):

    python3 tests/tools/check_tensorboard.py runs/2024-11-25_14-30-00_myhost
"""
import csv
import glob
import json
import os
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def check_run(run):
    print("run", run)
    acc = EventAccumulator(run, size_guidance={"scalars": 0})   # 0: keep every point
    acc.Reload()
    tags = acc.Tags()["scalars"]
    print("  scalar tags:", ", ".join(sorted(tags)))
    for tag in sorted(tags):
        ev = acc.Scalars(tag)
        print("  %-16s %4d points, first (step %d, %.6g), last (step %d, %.6g)"
              % (tag, len(ev), ev[0].step, ev[0].value, ev[-1].step, ev[-1].value))
    with open(os.path.join(run, "config.json")) as f:
        cfg = json.load(f)
    print("  config.json: format %s v%d, %d config keys" % (cfg["format"], cfg["format_version"], len(cfg["config"])))
    with open(os.path.join(run, "metrics.csv")) as f:
        rows = list(csv.DictReader(f))
    # Each non-empty (epoch, metric) cell of metrics.csv must be an event of that tag at
    # step epoch - 1 (TensorBoard steps count epochs from 0, as pytorch-GAT's) with the same
    # value, and each per-epoch event a cell; the test result is in results.json and is
    # one test_acc event at the last step.
    cells = {(int(r["epoch"]) - 1, k): float(v) for r in rows for k, v in r.items()
             if k not in ("epoch", "wall_time") and v != ""}
    events = {(e.step, tag): e.value for tag in tags for e in acc.Scalars(tag) if not tag.startswith("test_")}
    res_path = os.path.join(run, "results.json")
    if os.path.exists(res_path) and "test_acc" in tags:
        with open(res_path) as f:
            res = json.load(f)["results"]
        t = acc.Scalars("test_acc")
        ok_test = len(t) == 1 and abs(t[0].value - res["test_acc"]) < 1e-6 and t[0].step == res["epochs"] - 1
        print("  results.json: test_acc %s, the test_acc event %s" % (res["test_acc"], "agrees" if ok_test else "DISAGREES"))
        if not ok_test:
            return False
    bad = sum(1 for k in set(cells) | set(events)
              if k not in cells or k not in events or abs(cells[k] - events[k]) > 1e-6 * max(1, abs(cells[k])))
    print("  metrics.csv: %d rows, %d cells disagree with the events" % (len(rows), bad))
    return bad == 0 and len(tags) > 0


def main(path):
    runs = sorted({os.path.dirname(p) for p in glob.glob(os.path.join(path, "**", "events.out.tfevents.*"), recursive=True)})
    if not runs:
        print("no events files under", path)
        return 1
    ok = all([check_run(r) for r in runs])
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "runs"))
