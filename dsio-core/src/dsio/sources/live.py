"""Lines from a pipe or standard input, handed on as soon as they arrive.

``tail -f sensor.csv | dsio -`` never reaches the end of its input, so waiting for a full block
would mean waiting forever. A thread reads lines as they come; the source takes whatever has
arrived once the input pauses briefly (or a block is full), so a row reaches the detectors and
sinks well within a second of being written.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from typing import IO

#: A batch is handed on once no line arrived for this long (seconds)...
IDLE = 0.1
#: ...or this long after its first line, even if lines keep coming.
MAX_WAIT = 0.5
#: Lines gathered before sniffing the dialect, unless the input pauses or ends first.
HEAD_LINES = 200

_END = None


class LineFeed:
    """Reads lines of a binary stream in a background thread.

    Parameters
    ----------
    stream : binary file
        Standard input's buffer or an opened FIFO; read until it ends.
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        self.ended = False
        self._thread = threading.Thread(
            target=self._pump, args=(stream,), name="dsio-live-input", daemon=True
        )
        self._thread.start()

    def _pump(self, stream: IO[bytes]) -> None:
        try:
            for line in iter(stream.readline, b""):
                self._lines.put(line)
        finally:
            self._lines.put(_END)

    def _get(self, timeout: float | None) -> bytes | None:
        """The next line; None at the end of input; raises queue.Empty after ``timeout``."""
        if self.ended:
            return None
        line = self._lines.get(timeout=timeout)
        if line is _END:
            self.ended = True
        return line

    def head(self, limit: int = HEAD_LINES, settle: float = 0.3) -> list[bytes]:
        """The first lines: waits for two non-blank lines, then for more until ``limit`` lines,
        a pause of ``settle`` seconds, or the end of the input."""
        lines: list[bytes] = []
        while sum(1 for line in lines if line.strip()) < 2:
            line = self._get(None)
            if line is None:
                return lines
            lines.append(line)
        while len(lines) < limit:
            try:
                line = self._get(settle)
            except queue.Empty:
                break
            if line is None:
                break
            lines.append(line)
        return lines

    def batches(self, limit: int) -> Iterator[list[bytes]]:
        """Lines grouped as they arrive: a batch ends at a pause of :data:`IDLE` seconds,
        :data:`MAX_WAIT` seconds after its first line, or at ``limit`` lines."""
        while True:
            first = self._get(None)
            if first is None:
                return
            batch = [first]
            due = time.monotonic() + MAX_WAIT
            while len(batch) < limit:
                wait = min(IDLE, due - time.monotonic())
                if wait <= 0:
                    break
                try:
                    line = self._get(wait)
                except queue.Empty:
                    break
                if line is None:
                    break
                batch.append(line)
            yield batch
