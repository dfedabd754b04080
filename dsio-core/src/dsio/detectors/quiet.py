"""One alarm per event: right after an alarm, only a far stronger one gets through."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from dsio.detectors.calibration import log_tail_from_score

#: Within the quiet period a new alarm needs this many times the last alarm's surprise
#: (log tail probability): twice means a tail probability at most the square of the last one's.
STRONGER = 2.0


class AlarmQuieter:
    """Halve the scores that would repeat an alarm within ``quiet`` values of it.

    A stream that goes wrong usually stays wrong for a while, and a detector that flags every
    value of the episode buries the one alarm that matters. After a value scores at or above the
    threshold (an alarm), later values are held back until ``quiet`` values in a row have stayed
    under the threshold, unless they are far more surprising: a tail probability at most the
    square of the alarm's (twice its surprise in nats) starts a new alarm. Held-back scores are
    halved, which keeps them under any threshold above 0.5. Scores are read as tail
    probabilities through :func:`~dsio.detectors.calibration.log_tail_from_score`.

    Only alarms are visited, so the cost is one comparison per value plus a Python step per
    alarm (alarms are rare by construction).

    Parameters
    ----------
    quiet : int
        Calm values (under the threshold) that end an alarm's episode (0 = never quiet).

    Examples
    --------
    The alarm at 0.995 (p = 0.005) holds back 0.998 (p = 0.002) but not 0.99999 (p = 1e-5,
    less than 0.005 squared), which starts a new episode; the 0.99 two values later is held
    back and prolongs it, so the next 0.99 is held back too; after 3 calm values, 0.99 is an
    alarm again:

    >>> quieter = AlarmQuieter(quiet=3)
    >>> scores = np.array([0.1, 0.995, 0.998, 0.99999, 0.2, 0.99, 0.5, 0.99, 0, 0, 0, 0.99])
    >>> quieter.quiet(scores, threshold=0.99).tolist()
    [0.1, 0.995, 0.499, 0.99999, 0.2, 0.495, 0.5, 0.495, 0.0, 0.0, 0.0, 0.99]
    """

    def __init__(self, quiet: int) -> None:
        if quiet < 0:
            raise ValueError(f"quiet must be at least 0, got {quiet}")
        self.quiet_values = quiet
        self.last_alarm = -math.inf  # position of the last alarm relative to the next batch
        self.alarm_log_tail = 0.0

    def quiet(self, scores: NDArray[np.float64], threshold: float) -> NDArray[np.float64]:
        """Hold back repeated alarms in a batch of scores and remember the last alarm."""
        out, self.last_alarm, self.alarm_log_tail = self._apply(scores, threshold)
        return out

    def peek(self, scores: NDArray[np.float64], threshold: float) -> NDArray[np.float64]:
        """Like :meth:`quiet`, remembering nothing."""
        return self._apply(scores, threshold)[0]

    def _apply(
        self, scores: NDArray[np.float64], threshold: float
    ) -> tuple[NDArray[np.float64], float, float]:
        last, level = self.last_alarm, self.alarm_log_tail
        if self.quiet_values == 0:
            return scores, last, level
        with np.errstate(invalid="ignore"):
            alarms = np.flatnonzero(scores >= threshold)
        out = scores
        if len(alarms):
            out = scores.copy()
            surprise = log_tail_from_score(scores[alarms])
            for i, log_tail in zip(alarms.tolist(), surprise.tolist(), strict=True):
                if i - last <= self.quiet_values and log_tail > STRONGER * level:
                    out[i] *= 0.5
                    last = i  # the episode goes on: stay quiet until it has been calm a while
                else:
                    last, level = i, log_tail
        return out, last - len(scores), level
