"""Lines from a pipe or standard input, handed on as soon as they arrive.

``tail -f sensor.csv | dsio -`` never reaches the end of its input, so waiting for a full block
would mean waiting forever. A thread reads whatever the pipe holds, as it comes; the source
takes the complete lines that have arrived once the input pauses briefly (or a block is full),
so a row reaches the detectors and sinks well within a second of being written.
"""

from __future__ import annotations

import collections
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import IO

#: A batch is handed on once no line arrived for this long (seconds)...
IDLE = 0.1
#: ...or this long after its first line, even if lines keep coming.
MAX_WAIT = 0.5
#: Lines gathered before sniffing the dialect, unless the input pauses or ends first.
HEAD_LINES = 200
#: Bytes asked of the pipe at once (it returns what it has, up to this).
READ_BYTES = 1 << 16


def _unlocked_reader(stream: IO[bytes]) -> Callable[[int], bytes]:
    """``read(n)`` for ``stream``: ``os.read`` on its descriptor when it has one."""
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return getattr(stream, "read1", stream.read)
    return lambda size: os.read(descriptor, size)


class LineFeed:
    """Reads lines of a binary stream in a background thread.

    Parameters
    ----------
    stream : binary file
        Standard input's buffer or an opened FIFO; read until it ends.
    buffered : int
        Lines held at most (roughly); beyond that the thread waits, so a fast writer
        (``cat big.csv |``) is slowed to the pace of scoring instead of filling memory.
    """

    def __init__(self, stream: IO[bytes], buffered: int = 100_000) -> None:
        self._chunks: queue.Queue[list[bytes] | None] = queue.Queue(
            maxsize=max(buffered // 1000, 4)
        )
        self._ready: collections.deque[bytes] = collections.deque()
        self.ended = False
        self._thread = threading.Thread(
            target=self._pump, args=(stream,), name="dsio-live-input", daemon=True
        )
        self._thread.start()

    def _pump(self, stream: IO[bytes]) -> None:
        """Put the complete lines of whatever arrives, in lists of at most 1000.

        A real pipe is read from its file descriptor, not through Python's buffered reader:
        this thread may still be blocked in a read when the interpreter exits (Ctrl-C during
        ``tail -f``), and a buffered reader's lock held then aborts Python at shutdown.
        """
        read = _unlocked_reader(stream)
        pending = b""
        try:
            while data := read(READ_BYTES):
                pending += data
                cut = pending.rfind(b"\n") + 1
                if cut:
                    lines = pending[:cut].splitlines(keepends=True)
                    pending = pending[cut:]
                    for start in range(0, len(lines), 1000):
                        self._chunks.put(lines[start : start + 1000])
            if pending:
                self._chunks.put([pending])  # a last line without its line break
        finally:
            self._chunks.put(None)

    def _get(self, timeout: float | None) -> bytes | None:
        """The next line; None at the end of input; raises queue.Empty after ``timeout``."""
        while not self._ready:
            if self.ended:
                return None
            chunk = self._chunks.get(timeout=timeout)
            if chunk is None:
                self.ended = True
            else:
                self._ready.extend(chunk)
        return self._ready.popleft()

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
                take = min(limit - len(batch), len(self._ready))
                batch.extend(self._ready.popleft() for _ in range(take))
                if len(batch) >= limit:
                    break
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
