"""One alarm per event: after an alarm, weaker alarms right after it are held back."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray


class AlarmQuieter:
    """Halve the scores that would repeat an alarm within ``quiet`` values of it.

    A stream that goes wrong usually stays wrong for a while, and a detector that flags every
    value of the episode buries the one alarm that matters. After a value scores at or above the
    threshold (an alarm), the next ``quiet`` values are held back unless they score higher than
    that alarm: their scores are halved, which keeps them under any threshold above 0.5. A
    stronger value raises a new alarm and starts a new quiet period.

    Only alarms are visited, so the cost is one comparison per value plus a Python step per
    alarm (alarms are rare by construction).

    Parameters
    ----------
    quiet : int
        Values after an alarm during which weaker alarms are held back (0 = never).

    Examples
    --------
    The alarm at 0.995 holds back the 0.99 after it but not the stronger 0.998, which starts a
    new quiet period of 3 values; the last 0.99 comes after it:

    >>> quieter = AlarmQuieter(quiet=3)
    >>> scores = np.array([0.1, 0.995, 0.99, 0.998, 0.2, 0.99, 0.5, 0.99])
    >>> quieter.quiet(scores, threshold=0.99).tolist()
    [0.1, 0.995, 0.495, 0.998, 0.2, 0.495, 0.5, 0.99]
    """

    def __init__(self, quiet: int) -> None:
        if quiet < 0:
            raise ValueError(f"quiet must be at least 0, got {quiet}")
        self.quiet_values = quiet
        self.last_alarm = -math.inf  # position of the last alarm relative to the next batch
        self.alarm_score = 0.0

    def quiet(self, scores: NDArray[np.float64], threshold: float) -> NDArray[np.float64]:
        """Hold back repeated alarms in a batch of scores and remember the last alarm."""
        out, self.last_alarm, self.alarm_score = self._apply(scores, threshold)
        return out

    def peek(self, scores: NDArray[np.float64], threshold: float) -> NDArray[np.float64]:
        """Like :meth:`quiet`, remembering nothing."""
        return self._apply(scores, threshold)[0]

    def _apply(
        self, scores: NDArray[np.float64], threshold: float
    ) -> tuple[NDArray[np.float64], float, float]:
        last, level = self.last_alarm, self.alarm_score
        if self.quiet_values == 0:
            return scores, last, level
        with np.errstate(invalid="ignore"):
            alarms = np.flatnonzero(scores >= threshold)
        out = scores
        if len(alarms):
            out = scores.copy()
            for i in alarms.tolist():
                if i - last <= self.quiet_values and scores[i] <= level:
                    out[i] *= 0.5
                else:
                    last, level = i, scores[i]
        return out, last - len(scores), level
