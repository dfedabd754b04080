"""The built-in sinks' own behaviour (the CLI tests cover them end to end)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from dsio.errors import SinkError
from dsio.sinks.file import _WriterThread


def test_a_write_failing_on_the_writer_thread_surfaces_as_a_sink_error(tmp_path):
    written = []

    def write(table):
        if written:
            raise OSError("disk on fire")
        written.append(table.num_rows)

    thread = _WriterThread(write, tmp_path / "out.csv", depth=1)
    table = pa.table({"x": [1.0, 2.0]})
    thread.put(table)
    thread.put(table)  # fails on the thread
    with pytest.raises(SinkError, match=r"out\.csv: write failed: disk on fire"):
        for _ in range(5):  # the failure is reported by a later put, never blocks
            thread.put(table)
        thread.finish()
    assert written == [2]
