"""A spike detector that robust statistics make hard to fool: the median absolute deviation."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike, NDArray

from dsio import AnomalyDetector

#: Makes the MAD of normally distributed values comparable to a standard deviation.
MAD_TO_SIGMA = 1.4826


class MadSpike(AnomalyDetector):
    """Flags values far from the median of the last ``window_size`` values.

    The distance is the robust z-score ``|x - median| / (1.4826 * MAD)``, where MAD is the
    median absolute deviation of the window. Unlike a mean and standard deviation, the median
    and MAD barely move when the window itself holds a few spikes, so one outlier does not hide
    the next. The score is ``z / (z + cutoff)``: 0.5 at ``cutoff`` (3.5 is the usual rule of
    thumb for robust z-scores), approaching 1 far beyond it. A window whose values are all equal
    (MAD 0) scores any different value 1. Until ``window_size`` values have been seen the score
    is NaN.

    Parameters
    ----------
    window_size : int
        How many recent values make up the window.
    cutoff : float
        Robust z-score that scores 0.5.
    threshold : float
        Score at or above which a value is flagged (0.5: beyond ``cutoff``).

    Examples
    --------
    >>> detector = MadSpike(window_size=5)
    >>> detector.score_update([10.0, 11.0, 9.0, 10.0, 10.5, 10.2, 30.0]).round(2)
    array([ nan,  nan,  nan,  nan,  nan, 0.07, 0.93])
    """

    def __init__(self, window_size: int = 60, cutoff: float = 3.5, threshold: float = 0.5):
        super().__init__(threshold)
        if window_size < 2:
            raise ValueError(f"window_size must be at least 2, not {window_size}")
        if cutoff <= 0:
            raise ValueError(f"cutoff must be positive, not {cutoff}")
        self.window_size = window_size
        self.cutoff = cutoff
        self.recent = np.empty(0)  # the last window_size values learned

    def update(self, x: ArrayLike) -> None:
        self.recent = np.concatenate([self.recent, np.asarray(x, dtype=float)])
        self.recent = self.recent[-self.window_size :]

    def score(self, x: ArrayLike) -> NDArray[np.float64]:
        x = np.asarray(x, dtype=float)
        if len(self.recent) < self.window_size:
            return np.full(len(x), np.nan)
        return self._scores(x, self.recent[None, :])

    def score_update(self, x: ArrayLike) -> NDArray[np.float64]:
        x = np.asarray(x, dtype=float)
        values = np.concatenate([self.recent, x])
        scores = np.full(len(values), np.nan)
        if len(values) > self.window_size:
            # windows[i] holds the window_size values just before values[window_size + i].
            windows = sliding_window_view(values[:-1], self.window_size)
            scores[self.window_size :] = self._scores(values[self.window_size :], windows)
        self.update(x)
        return scores[len(values) - len(x) :]

    def _scores(self, x: NDArray[np.float64], windows: NDArray[np.float64]) -> NDArray:
        median = np.median(windows, axis=1)
        spread = MAD_TO_SIGMA * np.median(np.abs(windows - median[:, None]), axis=1)
        distance = np.abs(x - median)
        # z / (z + cutoff) with z = distance / spread, written so that a spread of 0 gives 1.
        scale = distance + self.cutoff * spread
        return np.divide(distance, scale, out=np.zeros_like(distance), where=scale > 0)
