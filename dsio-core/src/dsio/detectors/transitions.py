"""What value comes next: counts of level-to-level transitions, learned as the stream goes by."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

#: Levels beyond this many level widths from the warm-up range share one level, which keeps the
#: codes of (context, level) tuples inside int64.
LEVEL_LIMIT = 1000


class CountTable:
    """Occurrences of integer keys, as sorted arrays (picklable, looked up by binary search)."""

    def __init__(self) -> None:
        self.keys = np.empty(0, dtype=np.int64)
        self.counts = np.empty(0, dtype=np.int64)

    def before_each(self, keys: NDArray[np.int64]) -> NDArray[np.int64]:
        """How often each key occurred before it: in the table, plus earlier in ``keys``."""
        found = np.zeros(len(keys), dtype=np.int64)
        if len(self.keys):
            where = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
            hit = self.keys[where] == keys
            found[hit] = self.counts[where[hit]]
        return found + _earlier_repeats(keys)

    def add(self, keys: NDArray[np.int64]) -> None:
        merged, inverse = np.unique(np.concatenate([self.keys, keys]), return_inverse=True)
        weights = np.concatenate([self.counts, np.ones(len(keys), dtype=np.int64)])
        self.keys, self.counts = merged, np.bincount(inverse, weights, len(merged)).astype(np.int64)


def _earlier_repeats(keys: NDArray[np.int64]) -> NDArray[np.int64]:
    """For each position, how many earlier positions hold the same key."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.r_[True, ordered[1:] != ordered[:-1]]
    group_start = np.maximum.accumulate(np.where(starts, np.arange(len(keys)), 0))
    repeats = np.empty(len(keys), dtype=np.int64)
    repeats[order] = np.arange(len(keys)) - group_start
    return repeats


class TransitionModel:
    """Log probability of each value's level given the ``order`` levels before it.

    Values are cut into ``levels`` equal levels spanning the range of the first ``warmup``
    values (values outside get further levels of the same width). The model counts how often
    each level followed each context of ``order`` earlier levels, and predicts with add-one
    smoothing towards how often the level occurs at all:
    ``P(level | context) = (n(context, level) + a * levels * P(level)) / (n(context) + a * levels)``
    with ``P(level) = (n(level) + a) / (n + a * (levels + 1))`` and ``a = smoothing``.
    A value whose level rarely or never followed its context gets a low probability even if
    the value itself is common: this is the "what value is expected next" part of
    :class:`~dsio.detectors.context.ContextSurprise`.

    During warm-up, values are kept (at most ``warmup`` of them) and get log probability 0;
    once the range is fixed, they are learned like any other value. Counting is vectorised:
    each value is predicted from the counts before it, also inside a batch.

    Parameters
    ----------
    order : int
        Number of earlier levels that form a context.
    levels : int
        Number of levels across the warm-up range.
    warmup : int
        Number of values that fix the range of the levels.
    smoothing : float
        Weight ``a`` of the prior (level frequencies) in each context.

    Examples
    --------
    After a stream that alternates between two levels, the next alternations are likely and a
    repeat is not, although both levels are equally common:

    >>> model = TransitionModel(order=1, levels=2, warmup=4)
    >>> model.log_probability(np.array([0.0, 1.0, 0.0, 1.0])).tolist()  # warm-up: no opinion
    [0.0, 0.0, 0.0, 0.0]
    >>> np.exp(model.log_probability(np.array([0.0, 1.0, 1.0]))).round(2).tolist()
    [0.62, 0.69, 0.22]
    """

    def __init__(
        self, order: int = 2, levels: int = 20, warmup: int = 150, smoothing: float = 1.0
    ) -> None:
        if not 1 <= order <= 4 or levels < 1 or warmup < 2 or smoothing <= 0:
            raise ValueError(
                "TransitionModel needs 1 <= order <= 4, levels >= 1, warmup >= 2, smoothing > 0"
            )
        self.order, self.levels, self.warmup, self.smoothing = order, levels, warmup, smoothing
        self.low: float | None = None
        self.width = 1.0
        self.pending = np.empty(0)
        self.recent = np.empty(0, dtype=np.int64)  # the last `order` levels
        self.seen = 0  # values learned since warm-up
        self.contexts, self.transitions, self.frequencies = CountTable(), CountTable(), CountTable()

    def log_probability(self, x: NDArray[np.float64]) -> NDArray[np.float64]:
        """Log probability of each value given the values before it; then learn them."""
        out = np.zeros(len(x))
        if self.low is None:
            take = min(len(x), self.warmup - len(self.pending))
            self.pending = np.concatenate([self.pending, x[:take]])
            if len(self.pending) < self.warmup:
                return out
            self._fix_range(self.pending)
            self._learn(self._levels(self.pending))
            self.pending = np.empty(0)
            x, start = x[take:], take
        else:
            start = 0
        if len(x):
            out[start:] = self._predict_and_learn(self._levels(x))
        return out

    def _fix_range(self, first: NDArray[np.float64]) -> None:
        low, high = float(first.min()), float(first.max())
        self.low = low
        if high > low:
            self.width = (high - low) / self.levels
        else:  # a constant warm-up: levels of 1 % of the value (or of 1 around zero)
            self.width = abs(low) / 100 if low != 0 else 1.0

    def _levels(self, x: NDArray[np.float64]) -> NDArray[np.int64]:
        levels = np.floor((x - self.low) / self.width)
        return np.clip(levels, -LEVEL_LIMIT, LEVEL_LIMIT).astype(np.int64) + LEVEL_LIMIT

    def _codes(self, levels: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Codes of each value's context and of (context, level); -1 where the context is short."""
        base = 2 * LEVEL_LIMIT + 1
        history = np.concatenate([self.recent, levels])
        first = len(self.recent)
        context = np.zeros(len(levels), dtype=np.int64)
        for lag in range(1, self.order + 1):
            shifted = np.full(len(levels), -1, dtype=np.int64)
            begin = max(0, lag - first)
            shifted[begin:] = history[first - lag + begin : first - lag + len(levels)]
            context = np.where(shifted < 0, -1, context * base + shifted)
        transition = np.where(context < 0, -1, context * base + levels)
        return context, transition

    def _predict_and_learn(self, levels: NDArray[np.int64]) -> NDArray[np.float64]:
        a, k = self.smoothing, self.levels
        context, transition = self._codes(levels)
        full = context >= 0
        level_count = self.frequencies.before_each(levels)
        seen = self.seen + np.arange(len(levels))
        prior = (level_count + a) / (seen + a * (k + 1))
        context_count = np.zeros(len(levels), dtype=np.int64)
        transition_count = np.zeros(len(levels), dtype=np.int64)
        context_count[full] = self.contexts.before_each(context[full])
        transition_count[full] = self.transitions.before_each(transition[full])
        probability = (transition_count + a * k * prior) / (context_count + a * k)
        self._learn(levels, context, transition)
        return np.log(np.minimum(probability, 1.0))

    def _learn(
        self,
        levels: NDArray[np.int64],
        context: NDArray[np.int64] | None = None,
        transition: NDArray[np.int64] | None = None,
    ) -> None:
        if context is None or transition is None:
            context, transition = self._codes(levels)
        full = context >= 0
        self.contexts.add(context[full])
        self.transitions.add(transition[full])
        self.frequencies.add(levels)
        self.seen += len(levels)
        self.recent = np.concatenate([self.recent, levels])[-self.order :]
