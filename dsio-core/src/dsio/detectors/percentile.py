"""Percentile1D: how extreme a value is among the last ``window`` values, in both directions."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dsio.detectors.base import AnomalyDetector
from dsio.detectors.calibration import score_from_tail
from dsio.detectors.quiet import AlarmQuieter
from dsio.detectors.rolling import rolling_range, rolling_ranks

#: A window needs this many values before its range means anything: before that, a value
#: outside it is judged by rank alone (the second value of a stream is always outside).
BREAKOUT_MIN_VALUES = 10


class Percentile1D(AnomalyDetector):
    """Flag values in either tail of the last ``window`` values, and values beyond their range.

    A value's two-sided tail probability is ``p = 2 * min(q, 1 - q)``, where ``q`` is its mid-rank
    percentile among the ``window`` values before it (ties count half, as in
    ``scipy.stats.percentileofscore(kind="mean")``, with the value itself included so that ``p``
    never reaches 0 on rank alone). A value beyond the window's range is rarer the farther out it
    lies: ``p`` is multiplied by ``exp(-d / r)`` for a value ``d`` outside a window of range
    ``r`` (a breakout), so new extremes keep their order instead of tying. The score is ``1 - p``
    (in log space far in the tail, see :func:`~dsio.detectors.calibration.score_from_tail`).
    After an alarm, only a far stronger one is raised until ``quiet`` values in a row have been
    calm (:class:`~dsio.detectors.quiet.AlarmQuieter`).

    A constant window scores 0 for the same value again and 1 for any other value (once it
    holds 10 values; before that a window's range is judged too young to break out of). The
    first value of a stream has no score. Ranks are exact and vectorised (sorted windows every few
    values plus small corrections, see :mod:`dsio.detectors.rolling`).

    Parameters
    ----------
    window : int
        Number of earlier values a value is ranked against.
    threshold : float
        Score at or above which a value is flagged. The default 0.997 is only reached outside
        the window's range (with a full window of 300, the most extreme rank gives 0.9967).
    quiet : int
        Calm values that end an alarm's episode; until then only far stronger alarms are
        raised (0 = never quiet).

    Examples
    --------
    In a window cycling through 1, 2, 3, 4, the value 2.5 is ordinary, 7.0 breaks out of the
    range by its own width and is flagged, and 0.5 is the lowest value yet but not far out:

    >>> detector = Percentile1D()
    >>> values = np.r_[np.tile([1.0, 2.0, 3.0, 4.0], 100), 2.5, 7.0, 0.5]
    >>> scores = detector.score_update(values)
    >>> scores[-3:].round(4).tolist()
    [0.0, 0.9988, 0.9969]
    >>> np.flatnonzero(scores >= detector.threshold).tolist()
    [401]
    >>> Percentile1D().score_update(np.full(4, 20.0)).tolist()
    [nan, 0.0, 0.0, 0.0]
    """

    def __init__(self, window: int = 300, threshold: float = 0.997, quiet: int = 75) -> None:
        super().__init__(threshold)
        if window < 1:
            raise ValueError(f"window must be at least 1, got {window}")
        self.window = window
        self.recent = np.empty(0)  # the last `window` values learned
        self.quieter = AlarmQuieter(quiet)

    def score_update(self, x: ArrayLike) -> NDArray[np.float64]:
        """Score each value against the ``window`` values before it, then learn the batch."""
        x = np.asarray(x, dtype=float)
        scores = self._scores(x, causal=True)
        self.recent = np.concatenate([self.recent, x])[-self.window :]
        return self.quieter.quiet(scores, self.threshold)

    def score(self, x: ArrayLike) -> NDArray[np.float64]:
        """Score every value against the window learned so far, learning nothing."""
        x = np.asarray(x, dtype=float)
        return self.quieter.peek(self._scores(x, causal=False), self.threshold)

    def update(self, x: ArrayLike) -> None:
        """Learn values without scoring them."""
        self.score_update(x)

    def _scores(self, x: NDArray[np.float64], *, causal: bool) -> NDArray[np.float64]:
        if len(x) == 0:
            return np.empty(0)
        if causal:
            rank, count = rolling_ranks(self.recent, x, self.window)
            low, high = rolling_range(self.recent, x, self.window)
        else:
            rank, count, low, high = _ranks_against(self.recent, x)
        with np.errstate(divide="ignore", invalid="ignore"):
            q = (rank + 0.5) / (count + 1)
            log_p = np.log(np.minimum(2.0 * np.minimum(q, 1.0 - q), 1.0))
            outside = np.maximum(x - high, 0.0) + np.maximum(low - x, 0.0)
            spread = high - low
            breakout = np.where(
                (outside > 0.0) & (count >= BREAKOUT_MIN_VALUES), outside / spread, 0.0
            )
        log_p -= breakout  # outside a constant window: +inf, p = 0
        scores = score_from_tail(log_p)
        scores[count == 0] = np.nan
        return scores


def _ranks_against(
    window: NDArray[np.float64], x: NDArray[np.float64]
) -> tuple[NDArray[np.float64], ...]:
    """Mid-ranks of every value of ``x`` in one fixed window (no learning inside the batch)."""
    ordered = np.sort(window)
    rank = np.searchsorted(ordered, x, side="left") + np.searchsorted(ordered, x, side="right")
    count = np.full(len(x), float(len(window)))
    low = np.full(len(x), ordered[0] if len(ordered) else np.nan)
    high = np.full(len(x), ordered[-1] if len(ordered) else np.nan)
    return rank / 2.0, count, low, high
