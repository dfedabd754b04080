"""Turn a river detector's raw scores into dsio scores: a number in [0, 1], higher = more unusual.

river's raw scores have no common scale (Half-Space Trees gives a mass in [0, 1], LODA a
negative log-likelihood, LOF a density ratio around 1), so a dsio score is one minus the tail
probability of the raw score among the same stream's recent raw scores: a score ``s`` means
about ``1 - s`` of recent values looked at least as unusual. That is the meaning of every dsio
score, so a threshold of 0.998 flags about 2 in 1,000 ordinary values whichever detector
is used.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from dsio.detectors import score_from_tail


class RankCalibration:
    """Online rank of each raw score among the ``window`` raw scores before it.

    The score is ``1 - p`` with ``p = (at_least + 1) / (n + 2)``, where ``at_least`` of the ``n``
    earlier raw scores are at least as high: Laplace's rule of succession, the estimate of a
    probability after ``at_least`` successes in ``n`` trials that starts from "no idea" (0.5).
    Ties count as "at least as unusual", so a constant raw score drifts to 0, not to 0.5. With
    little history the score stays near 0.5 (a new highest raw score after 6 values scores
    0.875, not 0.93 as a bare rank would say), so a young stream's rough raw scores cannot
    outscore a real outlier that comes later; 0.998 is reached only once about 500 raw scores
    are known, so a young stream is never flagged on thin evidence.

    Ranking is vectorised: values are ranked in blocks against a sorted copy of the history, and
    a block joins the history once it has been ranked. While the history is short (under
    ``exact_until`` scores), where each score moves the percentiles, blocks are single values,
    so every value is ranked against all before it; later a block is at most a quarter of the
    history (and at most ``block`` values), which barely moves a percentile but makes ranking
    several times cheaper than one value at a time. Nothing after a value is ever used:
    calibration adds no look-ahead.

    Parameters
    ----------
    window : int
        How many recent raw scores a value is ranked against.
    block : int
        The largest number of values ranked against the same history.
    exact_until : int
        History length below which values are ranked one by one.

    Examples
    --------
    >>> calibration = RankCalibration(window=100)
    >>> calibration.transform(np.array([1.0, 2.0, 0.5, 9.0])).round(3).tolist()
    [0.5, 0.667, 0.25, 0.8]
    >>> RankCalibration().transform(np.array([3.0, 3.0, 3.0, 3.0])).round(3).tolist()
    [0.5, 0.333, 0.25, 0.2]
    """

    def __init__(self, window: int = 1000, block: int = 250, exact_until: int = 100) -> None:
        if window < 1:
            raise ValueError(f"calibration_window must be at least 1, got {window}")
        self.window = window
        self.block = max(1, block)
        self.exact_until = exact_until
        self._recent = np.empty(0)  # the last `window` ranked-against raw scores, oldest first
        self._sorted = np.empty(0)  # the same, sorted
        self._pending = np.empty(0)  # raw scores of the open block, ranked but not yet history
        self._block_size = 1  # values in the open block

    def transform(self, raw: NDArray[np.float64]) -> NDArray[np.float64]:
        """Scores for ``raw`` (no NaN), each ranked before it joins the history.

        Blocks are counted in values of the stream, not per call, so a stream gets the same
        scores however it is cut into batches.
        """
        scores = np.empty(len(raw))
        start = 0
        while start < len(raw):
            chunk = raw[start : start + self._block_size - len(self._pending)]
            scores[start : start + len(chunk)] = self._rank(chunk)
            self._pending = np.concatenate([self._pending, chunk])
            if len(self._pending) == self._block_size:
                self._close_block()
            start += len(chunk)
        return scores

    def _close_block(self) -> None:
        """The open block joins the history; the next block's size follows from the history's."""
        self._recent = np.concatenate([self._recent, self._pending])[-self.window :]
        self._sorted = np.sort(self._recent)
        self._pending = np.empty(0)
        history = len(self._recent)
        self._block_size = (
            1 if history < self.exact_until else max(1, min(self.block, history // 4))
        )

    def peek(self, raw: NDArray[np.float64]) -> NDArray[np.float64]:
        """Scores for ``raw`` against the history as it is, remembering nothing."""
        return self._rank(raw)

    def _rank(self, raw: NDArray[np.float64]) -> NDArray[np.float64]:
        below = np.searchsorted(self._sorted, raw, "left")  # earlier raw scores strictly lower
        return (below + 1) / (len(self._sorted) + 2)


class TailCalibration:
    """z-scores turned into dsio scores the way dsio's own Gaussian1D turns its deviations.

    A z-score's two-sided normal tail is only right where the values are normal; on a spiky
    sensor it would flag far more than 2 in 1,000 values at 0.998. So, as in Gaussian1D, the
    normal tail is the model's own estimate and the rank of its surprise (``-log tail``) among
    the stream's earlier surprises corrects it (:class:`dsio.detectors.RankCalibration`): a
    score then means the same as any other dsio detector's, and z = 9 and z = 40 still keep
    their order instead of both rounding to 1.0.

    Parameters
    ----------
    history : int
        Memory of the rank table, in values.

    Examples
    --------
    >>> calibration = TailCalibration()
    >>> calibration.transform(np.array([0.0, 1.0, -3.0, 40.0])).round(4).tolist()
    [0.0, 0.6827, 0.9973, 1.0]
    >>> bool(calibration.peek(np.array([9.0]))[0] < calibration.peek(np.array([40.0]))[0] < 1.0)
    True
    """

    def __init__(self, history: int = 10_000) -> None:
        from dsio.detectors import RankCalibration as SurpriseRanks
        from dsio.detectors.gaussian import SURPRISE_BINS, SURPRISE_RANGE

        self._ranks = SurpriseRanks(
            0.0, SURPRISE_RANGE, SURPRISE_BINS, history=history, prior_weight=1.0
        )

    def transform(self, z: NDArray[np.float64]) -> NDArray[np.float64]:
        """Scores for ``z`` in stream order, each against the surprises before it; then learn."""
        log_tail = _log_two_sided_tail(z)
        return self._ranks.calibrate(-log_tail, log_tail)

    def peek(self, z: NDArray[np.float64]) -> NDArray[np.float64]:
        """Scores for ``z`` against the surprises as they are, remembering nothing."""
        log_tail = _log_two_sided_tail(z)
        return score_from_tail(self._ranks.log_tail_probability(-log_tail, log_tail))


def _log_two_sided_tail(z: NDArray[np.float64]) -> NDArray[np.float64]:
    """``log P(|Z| >= |z|)`` for a standard normal Z, exact far into the tail.

    ``erfc`` then ``log`` costs half of ``log_ndtr``; only where ``erfc`` underflows
    (|z| beyond about 37) is ``log_ndtr`` needed.
    """
    from scipy.special import erfc, log_ndtr  # scipy is imported only once a model scores

    size = np.abs(z)
    tail = erfc(size * math.sqrt(0.5))
    with np.errstate(divide="ignore"):
        log_tail = np.log(tail)
    far = np.flatnonzero(tail < 1e-300)
    if len(far):
        log_tail[far] = math.log(2.0) + log_ndtr(-size[far])
    return log_tail
