"""Live input: rows from a pipe or standard input are delivered while the writer keeps writing.

Each test holds the writing end open until the reader has shown the rows written so far; a
source that waited for the end of its input would only deliver once the writer gave up, and the
writer being gone by then fails the test (no clock is involved in the verdict).
"""

from __future__ import annotations

import logging
import os
import queue
import subprocess
import sys
import textwrap
import threading

import pytest

from dsio import SourceOptions
from dsio.sources.csv import CsvSource

GIVE_UP = 30  # seconds a writer waits for the reader before closing the pipe anyway

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")


class PipeWriter(threading.Thread):
    """Writes chunks of text into a FIFO, each after the test releases it."""

    def __init__(self, path, chunks: list[str]) -> None:
        super().__init__(daemon=True)
        self.path = path
        self.chunks = chunks
        self.go = [threading.Event() for _ in chunks]
        self.go[0].set()

    def run(self) -> None:
        with open(self.path, "w") as pipe:
            for event, chunk in zip(self.go, self.chunks, strict=True):
                event.wait(GIVE_UP)
                pipe.write(chunk)
                pipe.flush()


def test_rows_from_a_fifo_are_delivered_while_the_writer_is_still_writing(tmp_path, caplog):
    fifo = tmp_path / "sensor.csv"
    os.mkfifo(fifo)
    writer = PipeWriter(
        fifo,
        [
            "time;temp\n2024-03-01 08:00:00;20,5\n2024-03-01 08:00:01;20,6\n",
            "2024-03-01 08:00:02;#VALUE!\n",
            "2024-03-01 08:00:03;21,0\n",
        ],
    )
    writer.start()
    source = CsvSource(str(fifo), SourceOptions())
    with caplog.at_level(logging.WARNING):
        info = source.open()
        assert info.live and info.time_field == "time" and info.sensors == ("temp",)
        frames = source.frames()
        first = next(frames)
        assert writer.is_alive(), "the first rows only came once the writer closed the pipe"
        assert first["temp"].tolist() == [20.5, 20.6]
        assert first.index.tolist() == [2, 3]
        writer.go[1].set()
        second = next(frames)
        assert writer.is_alive()
        assert second.index.tolist() == [4] and second["temp"].isna().all()
        assert any("line 4 ('#VALUE!')" in r.getMessage() for r in caplog.records)
        writer.go[2].set()
        rest = list(frames)
    source.close()
    assert [f.index.tolist() for f in rest] == [[5]]


READER = textwrap.dedent(
    """
    import sys
    from dsio import SourceOptions
    from dsio.sources.csv import CsvSource

    source = CsvSource("-", SourceOptions())
    info = source.open()
    print("open", info.live, info.time_field, *info.sensors, flush=True)
    for frame in source.frames():
        print("rows", *frame.index.tolist(), flush=True)
    """
)


class LineReader(threading.Thread):
    """Collects a process's output lines as they come (select() cannot see Python's buffer)."""

    def __init__(self, stream) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.lines: queue.Queue[str] = queue.Queue()

    def run(self) -> None:
        for line in self.stream:
            self.lines.put(line.strip())

    def next(self) -> str:
        try:
            return self.lines.get(timeout=GIVE_UP)
        except queue.Empty:
            pytest.fail("the reader printed nothing while its input stayed open")


def test_standard_input_is_read_as_it_arrives(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-c", READER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    output = LineReader(process.stdout)
    output.start()
    try:
        process.stdin.write("timestamp,a,b\n2024-03-01T08:00:00Z,1,2\n2024-03-01T08:00:01Z,3,4\n")
        process.stdin.flush()
        assert output.next() == "open True timestamp a b"
        assert output.next() == "rows 2 3"
        process.stdin.write("2024-03-01T08:00:02Z,5,6\n")
        process.stdin.flush()
        assert output.next() == "rows 4"
        process.stdin.close()
        assert process.wait(GIVE_UP) == 0
    finally:
        process.kill()
        output.join(GIVE_UP)
