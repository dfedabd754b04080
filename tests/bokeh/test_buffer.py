"""The ring shared by the scoring thread and the browser sessions."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from dsio_bokeh.buffer import RowRing


def rows(first: int, n: int, width: int = 3) -> np.ndarray:
    """Rows whose every cell holds the row's position, so that any mix-up shows."""
    return np.repeat(np.arange(first, first + n, dtype=float)[:, None], width, axis=1)


def test_reader_gets_every_row_in_order_across_the_wrap() -> None:
    ring = RowRing(capacity=5, width=3)
    cursor, seen = 0, []
    for first in range(0, 40, 4):  # 4 rows a time through a ring of 5: wraps every time
        ring.append(rows(first, 4))
        chunk = ring.read_since(cursor)
        assert chunk.skipped == 0
        seen.extend(chunk.rows[:, 0])
        cursor = chunk.end
    assert seen == list(range(40))


def test_a_late_reader_gets_the_last_capacity_rows_and_is_told_what_it_missed() -> None:
    ring = RowRing(capacity=5, width=3)
    ring.append(rows(0, 12))
    chunk = ring.read_since(0)
    assert chunk.rows[:, 0].tolist() == [7, 8, 9, 10, 11]
    assert (chunk.first, chunk.skipped, chunk.end) == (7, 7, 12)


def test_a_batch_larger_than_the_ring_keeps_its_last_rows() -> None:
    ring = RowRing(capacity=4, width=3)
    ring.append(rows(0, 3))
    ring.append(rows(3, 10))
    assert ring.total == 13
    assert ring.read_since(0).rows[:, 2].tolist() == [9, 10, 11, 12]


def test_nothing_new_is_an_empty_chunk_at_the_same_cursor() -> None:
    ring = RowRing(capacity=4, width=2)
    ring.append(rows(0, 3, width=2))
    chunk = ring.read_since(3)
    assert chunk.rows.shape == (0, 2)
    assert chunk.end == 3


def test_rows_read_are_copies() -> None:
    ring = RowRing(capacity=4, width=2)
    ring.append(rows(0, 2, width=2))
    chunk = ring.read_since(0)
    ring.append(rows(2, 4, width=2))  # overwrites the slots the chunk came from
    assert chunk.rows[:, 0].tolist() == [0, 1]


def test_wrong_width_is_refused() -> None:
    ring = RowRing(capacity=4, width=3)
    with pytest.raises(ValueError, match="width 3"):
        ring.append(np.zeros((2, 2)))


def test_concurrent_reader_never_sees_a_torn_or_misplaced_row() -> None:
    ring = RowRing(capacity=64, width=8)
    problems: list[str] = []
    done = threading.Event()

    def read() -> None:
        cursor = 0
        while not done.is_set() or cursor < ring.total:
            chunk = ring.read_since(cursor)
            expected = np.arange(chunk.first, chunk.end, dtype=float)
            if not (chunk.rows == expected[:, None]).all():
                problems.append(f"rows {chunk.first}..{chunk.end} garbled")
            cursor = chunk.end

    reader = threading.Thread(target=read)
    reader.start()
    for first in range(0, 50_000, 37):
        ring.append(rows(first, 37, width=8))
    done.set()
    reader.join(timeout=60)
    assert not reader.is_alive()
    assert problems == []
