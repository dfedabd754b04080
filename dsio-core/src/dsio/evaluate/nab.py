"""The Numenta Anomaly Benchmark's scoring rules, as pure functions on numpy arrays.

Written from NAB's published description (Lavin & Ahmad 2015; Ahmad et al. 2017), not from its
code. A series is its anomaly scores (NaN = no score, never a detection) and its labelled
windows, given as inclusive ``(first_row, last_row)`` pairs. The rules:

* the first ``min(floor(0.15 N), 750)`` rows are a probation period and are not scored;
* a row is a detection when its score is at or above the threshold;
* only the first detection in a window counts; it earns ``A_TP * sigma(y) / sigma(-1)`` with
  ``y = -(e - i + 1) / L`` (``i`` the row, ``e`` the window's last row, ``L`` its length), so a
  detection on the window's first row earns exactly ``A_TP``; a window without one costs
  ``A_FN``;
* a detection outside every window is a false positive: ``A_FP * sigma((i - e) / (L - 1))``
  against the nearest preceding window (a small penalty just after it, approaching ``-A_FP``
  far from it), or ``-A_FP`` before the first window;
* ``sigma(y) = 2 / (1 + exp(5 y)) - 1``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

#: Share of a series that is probation, and the cap on its length (NAB: 15 %, at most 750 rows).
PROBATION_SHARE = 0.15
PROBATION_CAP = 750


@dataclass(frozen=True)
class Profile:
    """A NAB application profile: how much a found window, a false alarm and a miss weigh.

    Attributes
    ----------
    name : str
        The profile's NAB name.
    tp, fp, fn : float
        ``A_TP``, ``A_FP`` and ``A_FN``: reward for a window found on its first row, penalty for
        a false positive far from any window, and penalty for a missed window.
    """

    name: str
    tp: float
    fp: float
    fn: float

    def null_score(self, windows: int) -> float:
        """What a detector that never fires scores: every window missed."""
        return -self.fn * windows

    def perfect_score(self, windows: int) -> float:
        """What a detector firing exactly on each window's first row scores."""
        return self.tp * windows

    def normalised(self, raw: float, windows: int) -> float:
        """``100 (raw - null) / (perfect - null)``: 0 never fires, 100 is perfect."""
        null = self.null_score(windows)
        span = self.perfect_score(windows) - null
        return 100.0 * (raw - null) / span if span else math.nan


#: NAB's three profiles, as in NAB's ``config/profiles.json``.
PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("standard", tp=1.0, fp=0.11, fn=1.0),
        Profile("reward_low_FP_rate", tp=1.0, fp=0.22, fn=1.0),
        Profile("reward_low_FN_rate", tp=1.0, fp=0.11, fn=2.0),
    )
}


def probation_rows(rows: int) -> int:
    """Rows at the start of a series that are not scored.

    >>> probation_rows(4032), probation_rows(22695)
    (604, 750)
    """
    return min(math.floor(PROBATION_SHARE * rows), PROBATION_CAP)


def scaled_sigmoid(y: NDArray[np.float64] | float) -> NDArray[np.float64]:
    """NAB's ``sigma(y) = 2 / (1 + exp(5 y)) - 1``: from 1 (far before) to -1 (far after).

    >>> float(scaled_sigmoid(0.0)), round(float(scaled_sigmoid(-1.0)), 4)
    (0.0, 0.9866)
    """
    with np.errstate(over="ignore"):
        return 2.0 / (1.0 + np.exp(5.0 * np.asarray(y, dtype=float))) - 1.0


def true_positive_weights(rows: NDArray[np.int64], last: int, length: int) -> NDArray[np.float64]:
    """Unweighted reward (``A_TP`` = 1) of a first detection at ``rows`` of a window.

    The window's first row earns exactly 1; later rows earn less, down to about 0 at its end.

    >>> true_positive_weights(np.array([10, 19]), last=19, length=10).round(3).tolist()
    [1.0, 0.248]
    """
    y = -(last - rows + 1) / length
    return scaled_sigmoid(y) / scaled_sigmoid(-1.0)


def false_positive_weights(
    rows: NDArray[np.int64], windows: NDArray[np.int64]
) -> NDArray[np.float64]:
    """Unweighted penalty (``A_FP`` = 1, negative) of detections at ``rows`` outside every window.

    >>> false_positive_weights(np.array([0, 20, 1000]), np.array([[10, 19]])).round(3).tolist()
    [-1.0, -0.271, -1.0]
    """
    if len(windows) == 0:
        return np.full(len(rows), -1.0)
    preceding = np.searchsorted(windows[:, 0], rows, side="right") - 1
    index = np.maximum(preceding, 0)
    last = windows[index, 1]
    length = windows[index, 1] - windows[index, 0] + 1
    with np.errstate(divide="ignore"):  # a one-row window: any later row is far past it
        after = scaled_sigmoid((rows - last) / (length - 1.0))
    return np.where(preceding < 0, -1.0, after)


def window_of_rows(rows: int, windows: NDArray[np.int64]) -> NDArray[np.int64]:
    """For each row, the index of the window containing it, or -1.

    >>> window_of_rows(6, np.array([[1, 2], [4, 4]])).tolist()
    [-1, 0, 0, -1, 1, -1]
    """
    positions = np.arange(rows)
    if len(windows) == 0:
        return np.full(rows, -1)
    candidate = np.searchsorted(windows[:, 0], positions, side="right") - 1
    inside = (candidate >= 0) & (positions <= windows[np.maximum(candidate, 0), 1])
    return np.where(inside, candidate, -1)


def scored_windows(rows: int, windows: NDArray[np.int64]) -> int:
    """Windows that reach past the probation period (a window wholly inside it is ignored)."""
    return int((windows[:, 1] >= probation_rows(rows)).sum()) if len(windows) else 0


@dataclass(frozen=True)
class SeriesScore:
    """One series scored at one threshold under one profile.

    Attributes
    ----------
    raw : float
        The series' raw NAB score (sum of rewards and penalties).
    windows : int
        Scored windows (those reaching past probation).
    found : int
        Windows with at least one detection.
    false_positives : int
        Detections outside every window, after probation.
    detections : int
        Every detection after probation.
    """

    raw: float
    windows: int
    found: int
    false_positives: int
    detections: int

    @property
    def missed(self) -> int:
        return self.windows - self.found


def score_series(
    scores: NDArray[np.float64], windows: NDArray[np.int64], threshold: float, profile: Profile
) -> SeriesScore:
    """Score one series at one threshold, following the rules literally.

    This is the reference the fast threshold search is tested against, and it gives the
    per-file figures of a report.

    >>> s = np.zeros(100); s[[50, 52, 90]] = 1.0
    >>> r = score_series(s, np.array([[50, 59]]), 0.5, PROFILES["standard"])
    >>> round(r.raw, 4), r.found, r.false_positives
    (0.89, 1, 1)
    """
    rows = len(scores)
    probation = probation_rows(rows)
    with np.errstate(invalid="ignore"):
        detected = scores >= threshold
    detected[:probation] = False
    window = window_of_rows(rows, windows)
    raw = 0.0
    found = 0
    counted = 0
    for first, last in windows:
        if last < probation:
            continue
        counted += 1
        hits = np.flatnonzero(detected[first : last + 1])
        if len(hits):
            found += 1
            row = np.array([first + hits[0]])
            raw += profile.tp * float(true_positive_weights(row, last, last - first + 1)[0])
        else:
            raw -= profile.fn
    outside = np.flatnonzero(detected & (window < 0))
    raw += profile.fp * float(false_positive_weights(outside, windows).sum())
    return SeriesScore(raw, counted, found, len(outside), int(detected.sum()))
