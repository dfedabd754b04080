"""A detector in a few lines: values above the recent maximum.

Run it with::

    dsio --modules examples/detector.py --detector GreaterThanMaxRolling \\
        examples/data/cardata_sample.csv

dsio finds every ``AnomalyDetector`` subclass in a ``--modules`` file; its constructor's keyword
parameters become ``--param`` options (``--param window_size=120``).
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from dsio import AnomalyDetector


class GreaterThanMaxRolling(AnomalyDetector):
    """Flags values greater than the maximum of the last ``window_size`` values.

    A value at or below that maximum scores 0. Above it, the score grows with the excess measured
    against the window's range: ``excess / (excess + range)``, so a value exceeding the recent
    maximum by the whole recent range scores 0.5, by ten times the range about 0.91. Until
    ``window_size`` values have been seen the score is NaN (no opinion yet).

    Parameters
    ----------
    window_size : int
        How many recent values make up the window.
    threshold : float
        Score at or above which a value is flagged.

    Examples
    --------
    >>> detector = GreaterThanMaxRolling(window_size=3)
    >>> detector.score_update([1.0, 2.0, 3.0, 2.5, 4.0])
    array([nan, nan, nan, 0. , 0.5])
    """

    def __init__(self, window_size: int = 60, threshold: float = 0.5) -> None:
        super().__init__(threshold)
        if window_size < 1:
            raise ValueError(f"window_size must be at least 1, not {window_size}")
        self.window_size = window_size
        self.recent = np.empty(0)  # the last window_size values learned

    def update(self, x) -> None:
        self.recent = np.concatenate([self.recent, np.asarray(x, dtype=float)])
        self.recent = self.recent[-self.window_size :]

    def score(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if len(self.recent) < self.window_size:
            return np.full(len(x), np.nan)
        return exceedance(x, self.recent.max(), self.recent.min())

    def score_update(self, x) -> np.ndarray:
        # Each value against the window just before it (earlier batches and earlier values of
        # this batch), all at once: one sliding window per value.
        x = np.asarray(x, dtype=float)
        values = np.concatenate([self.recent, x])
        scores = np.full(len(values), np.nan)
        if len(values) > self.window_size:
            windows = sliding_window_view(values[:-1], self.window_size)
            scores[self.window_size :] = exceedance(
                values[self.window_size :], windows.max(axis=1), windows.min(axis=1)
            )
        self.update(x)
        return scores[len(values) - len(x) :]


def exceedance(x: np.ndarray, top, bottom) -> np.ndarray:
    """``excess / (excess + range)``: 0 up to the maximum, towards 1 far above it."""
    excess = np.maximum(x - top, 0.0)
    scale = excess + (top - bottom)
    return np.divide(excess, scale, out=np.zeros_like(excess), where=scale > 0)
