"""Exact threshold search: the corpus score at every distinct score value, in one sort.

Lowering the threshold past a score value changes the corpus score by a fixed amount, so the
score at every candidate is a cumulative sum over the score values sorted from high to low:

* a row outside every window adds its false-positive penalty when the threshold reaches it;
* in a window only the first detection counts, and the first row at or above a threshold is
  always a *record* of the window (a score higher than every score before it in the window).
  With records ``r_1 < ... < r_m`` (values increasing), the threshold reaching record ``j``
  moves the window's reward from ``u(r_{j+1})`` to ``u(r_j)``; reaching the window's highest
  score (the last record) turns its ``-A_FN`` into ``u(r_m)``.

So each row contributes at most one event, and the search costs one sort of the corpus's
scores: every distinct score value is a candidate, and nothing between two values can differ.
Rewards, penalties and misses are kept apart so one sort serves all profiles.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dsio.evaluate.nab import (
    Profile,
    false_positive_weights,
    probation_rows,
    scored_windows,
    true_positive_weights,
    window_of_rows,
)


@dataclass(frozen=True)
class Events:
    """What reaching each score value adds to the summed score, by kind, unweighted.

    The added score is ``A_TP * reward + A_FN * found + A_FP * penalty``.
    """

    value: NDArray[np.float64]
    reward: NDArray[np.float64]
    found: NDArray[np.float64]
    penalty: NDArray[np.float64]
    series: NDArray[np.int64]


def series_events(
    scores: NDArray[np.float64], windows: NDArray[np.int64], series: int = 0
) -> Events:
    """The threshold events of one series (rows in probation or without a score add none)."""
    rows = len(scores)
    probation = probation_rows(rows)
    scorable = np.isfinite(scores)
    scorable[:probation] = False

    outside = np.flatnonzero(scorable & (window_of_rows(rows, windows) < 0))
    parts = [(scores[outside], 0.0, 0.0, false_positive_weights(outside, windows))]
    for first, last in windows:
        start = max(first, probation)
        in_window = np.where(scorable[start : last + 1], scores[start : last + 1], -np.inf)
        if start > last or not np.isfinite(in_window).any():
            continue
        before = np.maximum.accumulate(np.concatenate(([-np.inf], in_window[:-1])))
        records = np.flatnonzero(in_window > before)
        rewards = true_positive_weights(start + records, last, last - first + 1)
        found = np.zeros(len(records))
        found[-1] = 1.0
        parts.append((in_window[records], rewards - np.append(rewards[1:], 0.0), found, 0.0))

    values = np.concatenate([p[0] for p in parts])
    return Events(
        value=values,
        reward=np.concatenate([np.broadcast_to(p[1], len(p[0])) for p in parts]),
        found=np.concatenate([np.broadcast_to(p[2], len(p[0])) for p in parts]),
        penalty=np.concatenate([np.broadcast_to(p[3], len(p[0])) for p in parts]),
        series=np.full(len(values), series),
    )


@dataclass(frozen=True)
class Choice:
    """A threshold and the summed raw score it gives (``inf`` = never fire)."""

    threshold: float
    raw: float


class ThresholdSweep:
    """The summed NAB score of a set of series as a function of the threshold.

    Parameters
    ----------
    series : sequence of (scores, windows)
        Each series' scores (float, NaN = none) and windows (``(first_row, last_row)`` pairs).

    Examples
    --------
    >>> from dsio.evaluate.nab import PROFILES
    >>> s = np.zeros(100); s[55] = 0.9; s[80] = 0.7
    >>> sweep = ThresholdSweep([(s, np.array([[50, 59]]))])
    >>> choice = sweep.best(PROFILES["standard"])
    >>> choice.threshold, round(choice.raw, 3)
    (0.9, 0.86)
    """

    def __init__(self, series: Sequence[tuple[NDArray[np.float64], NDArray[np.int64]]]) -> None:
        if not series:
            raise ValueError("a threshold sweep needs at least one series")
        events = [series_events(s, w, i) for i, (s, w) in enumerate(series)]
        self.windows = np.array([scored_windows(len(s), w) for s, w in series], dtype=int)
        value = np.concatenate([e.value for e in events])
        order = np.argsort(-value, kind="stable")
        self._value = value[order]
        self._parts = {
            kind: np.concatenate([getattr(e, kind) for e in events])[order]
            for kind in ("reward", "found", "penalty", "series")
        }

    def _select(self, series: Sequence[int] | None) -> tuple[NDArray[np.bool_] | slice, int]:
        if series is None:
            return slice(None), int(self.windows.sum())
        return np.isin(self._parts["series"], series), int(self.windows[list(series)].sum())

    def _gains(self, profile: Profile, keep: NDArray[np.bool_] | slice) -> NDArray[np.float64]:
        p = self._parts
        return (
            profile.tp * p["reward"][keep]
            + profile.fn * p["found"][keep]
            + profile.fp * p["penalty"][keep]
        )

    def best(self, profile: Profile, series: Sequence[int] | None = None) -> Choice:
        """The threshold maximising the summed score (the highest one on a tie)."""
        keep, windows = self._select(series)
        value = self._value[keep]
        null = profile.null_score(windows)
        if len(value) == 0:
            return Choice(math.inf, null)
        totals = null + np.cumsum(self._gains(profile, keep))
        last_of_value = np.append(value[1:] != value[:-1], True)
        candidates = np.flatnonzero(last_of_value)
        top = candidates[np.argmax(totals[candidates])]
        if totals[top] <= null:
            return Choice(math.inf, null)
        return Choice(float(value[top]), float(totals[top]))

    def raw_at(
        self, profile: Profile, threshold: float, series: Sequence[int] | None = None
    ) -> float:
        """The summed raw score at ``threshold``."""
        keep, windows = self._select(series)
        value = self._value[keep]
        reached = int(np.searchsorted(-value, -threshold, side="right"))
        return profile.null_score(windows) + float(self._gains(profile, keep)[:reached].sum())

    def scored_windows(self, series: Sequence[int] | None = None) -> int:
        """Windows counted by the null and perfect scores of these series."""
        return self._select(series)[1]
