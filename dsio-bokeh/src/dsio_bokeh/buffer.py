"""A bounded, thread-safe ring of numeric rows shared by the scoring thread and the browsers.

The engine's thread appends (``append`` copies the rows in and returns); each browser session
reads what is new since its own cursor (``read_since``). Nobody waits for anybody: a slow or
closed browser only lets its cursor fall behind, and rows older than the ring's capacity are
simply no longer offered - the dashboard shows a rolling window of that many rows anyway.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Chunk:
    """Rows ``first .. first + len(rows) - 1`` of the stream (by position), copied out.

    ``skipped`` counts rows the reader asked for that had already left the ring.
    """

    rows: NDArray[np.float64]
    first: int
    skipped: int

    @property
    def end(self) -> int:
        """The cursor to read from next time."""
        return self.first + len(self.rows)


class RowRing:
    """The last ``capacity`` rows of ``width`` float64 columns, with a lock held only to copy.

    Examples
    --------
    >>> ring = RowRing(capacity=3, width=2)
    >>> ring.append(np.array([[1.0, 10.0], [2.0, 20.0]]))
    >>> chunk = ring.read_since(0)
    >>> chunk.rows[:, 0].tolist(), chunk.end
    ([1.0, 2.0], 2)
    >>> ring.append(np.array([[3.0, 30.0], [4.0, 40.0]]))
    >>> later = ring.read_since(chunk.end)
    >>> later.rows[:, 0].tolist(), later.first, later.skipped
    ([3.0, 4.0], 2, 0)
    >>> late_reader = ring.read_since(0)  # row 0 has rolled out of the ring
    >>> late_reader.rows[:, 0].tolist(), late_reader.skipped
    ([2.0, 3.0, 4.0], 1)
    """

    def __init__(self, capacity: int, width: int) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, not {capacity}")
        self.capacity = capacity
        self.width = width
        self._data = np.full((capacity, width), np.nan)
        self._total = 0  # rows ever appended; row k lives at slot k % capacity
        self._lock = threading.Lock()

    @property
    def total(self) -> int:
        """How many rows have ever been appended."""
        return self._total

    def append(self, rows: NDArray[np.float64]) -> None:
        """Copy ``rows`` (n x width) in; if n exceeds the capacity only the last rows are kept."""
        if rows.ndim != 2 or rows.shape[1] != self.width:
            raise ValueError(f"expected rows of width {self.width}, got shape {rows.shape}")
        n = len(rows)
        if n == 0:
            return
        with self._lock:
            kept = rows[-self.capacity :]
            first = self._total + n - len(kept)
            self._put(first, kept)
            self._total += n

    def read_since(self, cursor: int) -> Chunk:
        """Copy out every row from position ``cursor`` on that is still in the ring."""
        with self._lock:
            total = self._total
            first = max(cursor, total - self.capacity, 0)
            rows = self._take(first, total)
        return Chunk(rows=rows, first=first, skipped=max(0, first - cursor))

    def _put(self, first: int, rows: NDArray[np.float64]) -> None:
        start = first % self.capacity
        head = min(len(rows), self.capacity - start)
        self._data[start : start + head] = rows[:head]
        self._data[: len(rows) - head] = rows[head:]

    def _take(self, first: int, end: int) -> NDArray[np.float64]:
        n = end - first
        if n <= 0:
            return np.empty((0, self.width))
        start = first % self.capacity
        head = min(n, self.capacity - start)
        if head == n:
            return self._data[start : start + n].copy()
        return np.concatenate([self._data[start:], self._data[: n - head]])
