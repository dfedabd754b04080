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
CHUNK = 4096


def rolling_ranks(
    history: NDArray[np.float64], x: NDArray[np.float64], window: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Rank each value of ``x`` among the ``window`` values before it.

    ``history`` holds the values before ``x`` (only its last ``window`` are used). Returns, per
    value, its mid-rank in the window (values below it, plus half of those equal to it) and the
    number of values in the window (less than ``window`` at the start of a stream).

    Examples
    --------
    >>> rank, count = rolling_ranks(np.array([5.0]), np.array([1.0, 5.0, 3.0, 4.0]), 2)
    >>> rank.tolist(), count.tolist()
    ([0.0, 1.5, 1.0, 1.0], [1.0, 2.0, 2.0, 2.0])
    """
    history = history[len(history) - window :] if len(history) > window else history
    known = len(history)
    parts = []
    for start in range(0, len(x), CHUNK):
        chunk = x[start : start + CHUNK]
        parts.append(_chunk_ranks(history, chunk, window))
        history = np.concatenate([history, chunk])[-window:]
    rank = parts[0] if len(parts) == 1 else np.concatenate(parts)
    count = np.minimum(known + np.arange(len(x)), window).astype(float)
    return rank, count


def rolling_range(
    history: NDArray[np.float64], x: NDArray[np.float64], window: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Smallest and largest of the ``window`` values before each value (NaN before any).

    Blocked like the ranks: the window as a block starts is split into the values that will
    leave it during the block (a running extreme from the end) and the rest (one reduction);
    the values that enter it are a running extreme of the block itself.

    Examples
    --------
    >>> low, high = rolling_range(np.array([5.0]), np.array([1.0, 5.0, 3.0, 4.0]), 2)
    >>> low.tolist(), high.tolist()
    ([5.0, 1.0, 1.0, 3.0], [5.0, 5.0, 5.0, 5.0])
    """
    history = history[len(history) - window :] if len(history) > window else history
    n, known = len(x), len(history)
    block = min(BLOCK, window)
    blocks = -(-n // block)
    padded = np.full(window + blocks * block, np.nan)
    padded[window - known : window + n] = np.concatenate([history, x])
    starts = sliding_window_view(padded, window)[::block][:blocks]  # window as each block starts
    entering = padded[window : window + blocks * block].reshape(blocks, block)
    extremes = []
    for reduce, pad in ((np.fmin, np.inf), (np.fmax, -np.inf)):
        staying = (
            reduce.reduce(starts[:, block:], axis=1) if window > block else np.full(blocks, pad)
        )
        leaving = reduce.accumulate(starts[:, block - 1 :: -1], axis=1)[:, ::-1]  # from o on
        entered = np.full((blocks, block), pad)
        entered[:, 1:] = reduce.accumulate(entering, axis=1)[:, :-1]  # before o
        extreme = reduce(reduce(staying[:, None], leaving[:, :block]), entered).ravel()[:n]
        extremes.append(extreme)
    low, high = extremes
    if known == 0:
        low[0] = high[0] = np.nan  # the very first value has nothing before it
    return low, high


def _chunk_ranks(
    history: NDArray[np.float64], x: NDArray[np.float64], window: int
) -> NDArray[np.float64]:
    n, known = len(x), len(history)
    unique, codes = _dense_ranks(np.concatenate([history, x]))
    # Window of value i = padded[i : i + window]; the value itself is padded[window + i]. The
    # padding ranks above every value, so it never counts as below or equal.
    block = min(BLOCK, window)
    blocks = -(-n // block)
    small = np.int16 if unique < np.iinfo(np.int16).max else np.int32
    padded = np.full(window + blocks * block, unique, dtype=small)
    padded[window - known : window + n] = codes
    twice_below_equal = _block_start_ranks(padded.astype(np.int32), window, block, blocks)

    # Since its block started, value i's window gained the block's earlier values and lost as
    # many of the oldest: count them directly (1 + sign(q - e) is 2, 1 or 0 for e below, equal or
    # above q; the 1s cancel between gained and lost).
    queries = padded[window : window + blocks * block].reshape(blocks, block)
    lost = padded[: blocks * block].reshape(blocks, block)
    change = np.sign(queries[:, :, None] - queries[:, None, :])
    change -= np.sign(queries[:, :, None] - lost[:, None, :])
    earlier = np.tri(block, k=-1, dtype=change.dtype)
    twice_below_equal += np.einsum("kij,ij->ki", change, earlier).ravel()
    return twice_below_equal[:n] / 2.0


def _dense_ranks(z: NDArray[np.float64]) -> tuple[int, NDArray[np.int32]]:
    """Number of distinct values and each value's index among them (equal values, equal ranks)."""
    order = np.argsort(z)
    ordered = z[order]
    step = np.empty(len(z), dtype=np.int32)
    step[:1] = 0
    np.not_equal(ordered[1:], ordered[:-1], out=step[1:])
    codes = np.empty(len(z), dtype=np.int32)
    codes[order] = np.cumsum(step, dtype=np.int32)
    return int(codes[order[-1]]) + 1, codes


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
