"""Exact rolling ranks without a per-value loop: each value against the ``window`` values before it.

Ranking value ``i`` among the ``window`` values before it is a sliding-window problem that
libraries solve one value at a time (a skip list in pandas' ``rolling().rank()``, about 300 ns a
value). Here values become integer ranks (ties equal), and every ``BLOCK`` values the window is
sorted together with the block's values (``numpy.sort`` on small integer rows is SIMD-fast): a
value's position in its sorted row, minus the block values before it, is its rank in the window
as the block starts. The few values that entered or left the window since then are counted by
direct comparison, a ``BLOCK`` x ``BLOCK`` triangle per block.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

#: Values between two sorted windows. Larger blocks sort less and compare more. At most 32:
#: a value's place in its block lives in the 6 low bits of the sort keys.
BLOCK = 32
#: Values ranked per pass, which bounds the integer ranks and the temporary arrays.
CHUNK = 1024


def rolling_ranks(
    history: NDArray[np.float64], x: NDArray[np.float64], window: int
) -> tuple[NDArray[np.float64], ...]:
    """Rank each value of ``x`` among the ``window`` values before it.

    ``history`` holds the values before ``x`` (only its last ``window`` are used). Returns, per
    value: its mid-rank in the window (values below it, plus half of those equal to it), the
    number of values in the window (less than ``window`` at the start of a stream), and the
    window's ``low`` and ``high`` (NaN while the window is empty).

    Examples
    --------
    >>> rank, count, low, high = rolling_ranks(np.array([5.0]), np.array([1.0, 5.0, 3.0, 4.0]), 2)
    >>> rank.tolist(), count.tolist(), low.tolist(), high.tolist()
    ([0.0, 1.5, 1.0, 1.0], [1.0, 2.0, 2.0, 2.0], [5.0, 1.0, 1.0, 3.0], [5.0, 5.0, 5.0, 5.0])
    """
    history = history[len(history) - window :] if len(history) > window else history
    parts = []
    for start in range(0, len(x), CHUNK):
        chunk = x[start : start + CHUNK]
        parts.append(_chunk_ranks(history, chunk, window))
        history = np.concatenate([history, chunk])[-window:]
    if len(parts) == 1:
        return parts[0]
    return tuple(np.concatenate(column) for column in zip(*parts, strict=True))


def _chunk_ranks(
    history: NDArray[np.float64], x: NDArray[np.float64], window: int
) -> tuple[NDArray[np.float64], ...]:
    n, known = len(x), len(history)
    values, codes = _dense_ranks(np.concatenate([history, x]))
    unique = len(values)
    # Window of value i = padded[i : i + window]; the value itself is padded[window + i]. The
    # padding ranks above every value, so it never counts as below or equal.
    block = min(BLOCK, window)
    blocks = -(-n // block)
    padded = np.full(window + blocks * block, unique, dtype=np.int32)
    padded[window - known : window + n] = codes
    twice_below_equal = _block_start_ranks(padded, window, block, blocks)

    # Since its block started, value i's window gained the block's earlier values and lost as
    # many of the oldest: count them directly (1 + sign(q - e) is 2, 1 or 0 for e below, equal or
    # above q; the 1s cancel between gained and lost).
    queries = padded[window : window + blocks * block].reshape(blocks, block)
    lost = padded[: blocks * block].reshape(blocks, block)
    change = np.sign(queries[:, :, None] - queries[:, None, :])
    change -= np.sign(queries[:, :, None] - lost[:, None, :])
    earlier = np.tri(block, k=-1, dtype=change.dtype)
    twice_below_equal += np.einsum("kij,ij->ki", change, earlier).ravel()

    count = np.minimum(known + np.arange(n), window).astype(float)
    low, high = _window_range(padded, values, window, unique, n)
    return twice_below_equal[:n] / 2.0, count, low, high


def _dense_ranks(z: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.int32]]:
    """Sorted distinct values and each value's index among them (equal values, equal ranks)."""
    order = np.argsort(z)
    ordered = z[order]
    step = np.empty(len(z), dtype=np.int32)
    step[:1] = 0
    np.not_equal(ordered[1:], ordered[:-1], out=step[1:])
    codes = np.empty(len(z), dtype=np.int32)
    codes[order] = np.cumsum(step, dtype=np.int32)
    return ordered[np.r_[True, step[1:].astype(bool)]], codes


def _block_start_ranks(
    padded: NDArray[np.int32], window: int, block: int, blocks: int
) -> NDArray[np.int64]:
    """2 * below + equal of each value against the window as its block starts.

    Each row holds one block's window and, twice, the block's values: once just below the equal
    window values, once just above (the low bits carry the value's place in the block). After
    sorting the rows, a copy's position minus the copies before it counts the window values
    below it, and the two copies together give 2 * below + equal.
    """
    window_code, below_code, above_code = 2 << 6, 1 << 6, 3 << 6
    width = window + 2 * block
    rows = np.empty((blocks, width), dtype=np.int32)
    encoded = (padded << 8) | window_code
    rows[:, :window] = sliding_window_view(encoded, window)[::block][:blocks]
    values = padded[window : window + blocks * block].reshape(blocks, block) << 8
    place = np.arange(block, dtype=np.int32)
    rows[:, window : window + block] = values | (below_code | place)
    rows[:, window + block :] = values | (above_code | (place + block))
    rows.sort(axis=1)
    flat = rows.ravel()
    copies = np.flatnonzero((flat & (3 << 6)) != window_code).reshape(blocks, 2 * block)
    position = copies - (np.arange(blocks) * width)[:, None] - np.arange(2 * block)
    slot = (flat[copies] & 63) + (np.arange(blocks) * (2 * block))[:, None]
    below = np.empty(blocks * 2 * block, dtype=np.int64)
    below[slot.ravel()] = position.ravel()
    below = below.reshape(blocks, 2 * block)
    return (below[:, :block] + below[:, block:]).ravel()


def _window_range(
    padded: NDArray[np.integer], values: NDArray[np.float64], window: int, unique: int, n: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Smallest and largest value in each window (NaN while a window is empty)."""
    from scipy.ndimage import maximum_filter1d, minimum_filter1d

    # A centred filter of width `window` at i + window // 2 covers padded[i : i + window].
    ranks = padded[: window + n - 1]
    centre = slice(window // 2, window // 2 + n)
    bottom = minimum_filter1d(ranks, window, mode="nearest")[centre]
    top = maximum_filter1d(np.where(ranks == unique, -1, ranks), window, mode="nearest")[centre]
    with_empty = np.r_[values, np.nan]  # rank `unique` (padding only) reads as NaN
    return with_empty[bottom], with_empty[np.where(top < 0, unique, top)]
