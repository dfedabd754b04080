"""The built-in sinks' own behaviour (the CLI tests cover them end to end)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from dsio.errors import SinkError
from dsio.sinks.file import _WriterThread, iso8601


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


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_times_are_written_as_numpy_writes_them_in_the_finest_unit_needed(unit):
    rng = np.random.default_rng(4)
    ns = rng.integers(-(2**62), 2**62, 2000)  # 1823 to 2116, before and after 1970
    ns -= ns % {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}[unit]
    ns[:500].sort()  # runs of rows on the same day, as in a real stream
    ns[500:510] = np.datetime64("2024-02-29T23:59:59", "ns").astype(np.int64)
    times = ns.view("datetime64[ns]")
    expected = np.datetime_as_string(times.astype(f"datetime64[{unit}]"), timezone="UTC")
    assert iso8601(times).to_pylist() == expected.tolist()
