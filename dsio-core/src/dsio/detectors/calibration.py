"""Calibrated scores: a raw anomaly score becomes "how rare is this on this stream".

Raw scores mean different things on different sensors (a z of 4 is routine on a spiky series and
unheard of on a smooth one), so one threshold cannot serve them all. :class:`RankCalibration`
ranks each raw score among the same stream's earlier raw scores and turns the rank into a tail
probability ``p``; :func:`score_from_tail` turns ``p`` into a score in [0, 1]. A threshold of
0.999 then means "rarer than one value in a thousand seen so far" on every sensor and for every
detector that uses it (built-in, river or your own).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: Below this tail probability the score stops being ``1 - p`` (which float64 would round to 1.0
#: near p = 1e-16) and grows with ``log(1/p)`` instead, so the far tail keeps its order.
TAIL_KNEE = 1e-6


def score_from_tail(log_p: ArrayLike) -> NDArray[np.float64]:
    """Map log tail probabilities to scores in [0, 1] that keep their order far into the tail.

    The score is ``1 - p`` while ``p >= TAIL_KNEE``; below the knee it is
    ``1 - TAIL_KNEE / (1 + log(TAIL_KNEE / p))``, which is continuous, still increasing, and
    reaches 1.0 only for ``p = 0`` (log p = -inf). Working from ``log p`` is what keeps a
    Gaussian tail like p = 1e-300 distinguishable from p = 1e-30.

    Examples
    --------
    >>> score_from_tail(np.log([1.0, 0.01, 1e-6])).round(8).tolist()
    [0.0, 0.99, 0.999999]
    >>> far = score_from_tail(np.array([-100.0, -1000.0, -np.inf]))
    >>> bool(far[0] < far[1] < 1.0), float(far[2])
    (True, 1.0)
    """
    log_p = np.minimum(np.asarray(log_p, dtype=float), 0.0)
    scores = np.expm1(log_p)
    np.subtract(0.0, scores, out=scores)  # 1 - p, exact for small p (and +0.0 at p = 1)
    far = np.flatnonzero(log_p < math.log(TAIL_KNEE))
    if len(far):
        scores[far] = 1.0 - TAIL_KNEE / (1.0 + (math.log(TAIL_KNEE) - log_p[far]))
    return scores


def log_tail_from_score(score: ArrayLike) -> NDArray[np.float64]:
    """The inverse of :func:`score_from_tail`: the log tail probability a score stands for.

    Examples
    --------
    >>> log_tail_from_score(score_from_tail(np.log([0.5, 1e-3, 1e-9, 1e-200]))).round(3).tolist()
    [-0.693, -6.908, -20.723, -460.517]
    """
    score = np.asarray(score, dtype=float)
    knee = math.log(TAIL_KNEE)
    with np.errstate(divide="ignore"):
        near = np.log1p(-np.minimum(score, 1.0))
        far = knee + 1.0 - TAIL_KNEE / (1.0 - score)
    return np.where(score <= 1.0 - TAIL_KNEE, near, far)


#: Refreshes handled in one step of :meth:`RankCalibration.log_tail_update`: it keeps one rank
#: table per refresh, so a long batch goes in pieces to keep that memory small.
PIECE_REFRESHES = 32


class RankCalibration:
    """Rank each raw score among the stream's earlier raw scores and return its tail probability.

    For a raw score ``r``, ``k`` earlier raw scores at least as large as ``r`` out of ``n`` give
    the conformal tail probability ``p = (k + w * q) / (n + w)``, where ``q`` is the detector's
    own estimate of the tail probability of ``r`` (``log_tail``; 1 if not given) and ``w`` is
    ``prior_weight``. The ``w * q`` term carries the detector's opinion where ranks know
    nothing: with no history ``p = q``, and a raw score beyond every earlier one gets ``p`` below
    ``1 / (n + 1)`` in proportion to how extreme the detector thinks it is, instead of tying with
    every other new maximum.

    Raw scores (never NaN) are counted in ``bins`` equal bins between ``low`` and ``high``
    (values outside fall in the end bins; ranks inside a bin are interpolated), so memory is
    fixed and ranking is O(1) per value. Old scores fade out with a forgetting factor of
    ``1 - 1 / history``. The rank table is refreshed every ``refresh`` values of the stream:
    a value is ranked against the scores before the last refresh and its detector's
    ``log_tail`` covers the rest, which keeps calibration causal and vectorised. The refreshes
    fall on fixed counts of values, never on batch ends, so the scores are the same however the
    stream is cut into batches (the engine's batches, a notebook's, one call for a whole file).

    Parameters
    ----------
    low, high : float
        Range of raw scores to resolve.
    bins : int
        Number of bins between ``low`` and ``high``.
    history : float
        Memory of the rank table, in values.
    prior_weight : float
        Weight ``w`` of the detector's own tail estimate, in values.
    refresh : int
        Values between refreshes of the rank table.

    Examples
    --------
    Raw scores 0, 1, 2, 3 seen (and the table refreshed); then 0.5 has 3 of 4 at or above it
    (p = 4/5), 2.5 has 1 (p = 2/5) and 9.0 none (p = 1/5, no tail given):

    >>> calibration = RankCalibration(low=0.0, high=10.0, bins=100, refresh=4)
    >>> calibration.calibrate(np.array([0.0, 1.0, 2.0, 3.0])).tolist()  # no history: p = 1
    [0.0, 0.0, 0.0, 0.0]
    >>> calibration.calibrate(np.array([0.5, 2.5, 9.0])).round(3).tolist()
    [0.2, 0.6, 0.8]
    """

    def __init__(
        self,
        low: float = 0.0,
        high: float = 1.0,
        bins: int = 1000,
        history: float = 10_000,
        prior_weight: float = 1.0,
        refresh: int = 1000,
    ) -> None:
        if not high > low or bins < 1 or history < 1 or not prior_weight > 0 or refresh < 1:
            raise ValueError(
                "RankCalibration needs high > low, bins >= 1, history >= 1, prior_weight > 0, "
                "refresh >= 1"
            )
        self.low = float(low)
        self.width = (float(high) - float(low)) / bins
        self.forget = 1.0 - 1.0 / history
        self.prior_weight = float(prior_weight)
        self.refresh = int(refresh)
        self.counts = np.zeros(bins)  # faded counts per bin as of the last refresh
        self._at_or_above = np.zeros(bins + 1)  # counts in bins >= b, as of the last refresh
        self._pending = np.empty(0, dtype=np.intp)  # bins of the scores since the last refresh
        self._fading = self.forget ** np.arange(refresh - 1, -1, -1, dtype=float)

    @property
    def seen(self) -> float:
        """Weight of the ranked-against raw scores (their count, faded by the forgetting factor)."""
        return float(self._at_or_above[0])

    def calibrate(self, raw: ArrayLike, log_tail: ArrayLike | None = None) -> NDArray[np.float64]:
        """Scores in [0, 1] for raw scores in stream order (see :func:`score_from_tail`); learn."""
        return score_from_tail(self.log_tail_update(raw, log_tail))

    def log_tail_update(
        self, raw: ArrayLike, log_tail: ArrayLike | None = None
    ) -> NDArray[np.float64]:
        """``log p`` for raw scores in stream order, each against the table before it; learn."""
        raw = np.asarray(raw, dtype=float)
        piece = self.refresh * PIECE_REFRESHES
        if len(raw) > piece:  # bounded tables below, whatever the batch
            tail = None if log_tail is None else np.asarray(log_tail, dtype=float)
            return np.concatenate(
                [
                    self.log_tail_update(
                        raw[i : i + piece], None if tail is None else tail[i : i + piece]
                    )
                    for i in range(0, len(raw), piece)
                ]
            )
        index, share = self._bins(raw)
        # Row k of the tables is the rank table after k refreshes within this call; a value is
        # ranked against the row of the refreshes before it.
        step = (np.arange(len(index)) + len(self._pending)) // self.refresh
        counts, at_or_above = self._learn_bins(index)
        cell = step * counts.shape[1] + index  # flat positions: np.take beats 2-D indexing
        above = np.take(at_or_above, cell + step + 1)  # its rows have one more column
        above += share * np.take(counts, cell)
        return self._log_p(above, np.take(at_or_above[:, 0], step), log_tail)

    def log_tail_probability(
        self, raw: ArrayLike, log_tail: ArrayLike | None = None
    ) -> NDArray[np.float64]:
        """``log p`` for each raw score against the table as it is, remembering nothing."""
        index, share = self._bins(raw)
        above = self._at_or_above[index + 1]
        above += share * self.counts[index]
        return self._log_p(above, np.full(len(index), self.seen), log_tail)

    def learn(self, raw: ArrayLike) -> None:
        """Add raw scores to the stream (they count once the table is next refreshed)."""
        self._learn_bins(self._bins(raw)[0])

    def _bins(self, raw: ArrayLike) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
        """Each raw score's bin, and the share of its bin at or above it (scores in a bin are
        taken as evenly spread; outside the range the end bins count whole or not at all)."""
        position = np.asarray(raw, dtype=float) - self.low
        position *= 1.0 / self.width
        np.clip(position, 0.0, len(self.counts) - 1e-9, out=position)
        index = position.astype(np.intp)
        share = index + 1.0
        share -= position
        return index, share

    def _log_p(
        self,
        above: NDArray[np.float64],
        seen: NDArray[np.float64],
        log_tail: ArrayLike | None,
    ) -> NDArray[np.float64]:
        """``log p`` from the (interpolated) weight of earlier scores at or above each one."""
        w = self.prior_weight
        if log_tail is None:
            tail = None
            above += w
        else:
            tail = np.asarray(log_tail, dtype=float)
            above += w * np.exp(tail)
        total = seen + w
        above /= total  # a division: the neutral score must come out exactly 0
        with np.errstate(divide="ignore"):
            log_p = np.log(above)
        if tail is not None:
            # Where no earlier score reaches this one, p rests on the detector's tail alone and
            # may underflow in linear space: take it in log space.
            beyond = np.flatnonzero(above < 1e-300)
            if len(beyond):
                log_p[beyond] = np.log(w / total[beyond]) + tail[beyond]
        return log_p

    def _learn_bins(
        self, index: NDArray[np.intp]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Queue ``index`` and refresh the table for every ``refresh`` values completed.

        Returns the tables (counts, counts at or above) before the first refresh and after
        each one, one row each. A refresh always folds exactly ``refresh`` values in the same
        order, so the table after the ``k``-th refresh is bit for bit the same whatever the
        batches were.
        """
        bins = len(self.counts)
        queued = np.concatenate([self._pending, index]) if len(self._pending) else index
        done = len(queued) // self.refresh
        self._pending = queued[done * self.refresh :].copy()
        counts = np.empty((done + 1, bins))
        counts[0] = self.counts
        if done:
            blocks = queued[: done * self.refresh].reshape(done, self.refresh)
            offsets = np.arange(done)[:, None] * bins
            added = np.bincount(
                (blocks + offsets).ravel(), np.tile(self._fading, done), minlength=done * bins
            ).reshape(done, bins)
            decay = self.forget**self.refresh
            for k in range(done):
                np.multiply(counts[k], decay, out=counts[k + 1])
                counts[k + 1] += added[k]
        at_or_above = np.zeros((done + 1, bins + 1))
        np.cumsum(counts[:, ::-1], axis=1, out=at_or_above[:, -2::-1])
        self.counts = counts[-1].copy()
        self._at_or_above = at_or_above[-1].copy()
        return counts, at_or_above
