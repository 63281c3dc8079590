#!/usr/bin/env python3
"""Write tests/fixtures/tfevents_reference.bin: an events file made by TensorBoard's own
protobuf classes and TFRecord writer, the independent reference that test_tfevents.c
compares our encoder with byte for byte. Run by hand (CI has no Python):

    python3 tests/tools/make_tfevents_fixture.py tests/fixtures/tfevents_reference.bin

The events here must match REFERENCE_EVENTS in tests/test_tfevents.c."""
import sys

from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.summary.writer.record_writer import RecordWriter

# (wall_time, step, tag, value); the first entry is the file_version event.
EVENTS = [
    (1732500000.5, 0, None, None),
    (1732500001.25, 1, "training_loss", 1.25),
    (1732500001.25, 1, "val_acc", 0.8),
    (1732500002.0, 0, "training_acc", 0.0),
    (1732500003.0, -1, "test_acc", -3.5),
    (1732500004.0, 300, "long_tag_" + "x" * 121, 1e-7),
    (1732500005.0, 1 << 40, "train/micro_f1", float("inf")),
]


def main(path):
    with open(path, "wb") as f:
        w = RecordWriter(f)
        for wall_time, step, tag, value in EVENTS:
            ev = event_pb2.Event(wall_time=wall_time, step=step)
            if tag is None:
                ev.file_version = "brain.Event:2"
            else:
                ev.summary.value.add(tag=tag, simple_value=value)
            w.write(ev.SerializeToString())
    print("wrote", path)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/tfevents_reference.bin")
