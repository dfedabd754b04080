"""river's Gaussian scorer, reporting where a value lies rather than a rounded probability.

river's ``GaussianScorer`` scores ``2 |CDF(y) - 0.5|``, which float64 rounds to exactly 1.0 for
every value beyond about 8.3 standard deviations, so a sensor stuck far from normal and a spike
a thousand deviations out score the same, and a threshold cannot tell them apart. This subclass
returns the signed z-score of the same fitted Gaussian instead; dsio maps it to the same
probability, ``erf(|z| / sqrt(2))`` (identical to river's score where that is not rounded), and
past the far tail to log-space scores that keep their order. Imports river: loaded lazily.
"""

from __future__ import annotations

import math
from typing import Any

from river import anomaly


class GaussianZScorer(anomaly.GaussianScorer):
    """river's ``GaussianScorer`` whose ``score_one`` is ``(y - mean) / sd`` of its Gaussian.

    Within the grace period it returns 0, as river does (dsio reports those values as warm-up).
    With no spread yet, the mean itself is 0 and any other value infinitely far (river's CDF
    would call every value, even the mean, as unusual as can be).

    Examples
    --------
    >>> scorer = GaussianZScorer(grace_period=2)
    >>> for y in (1.0, 2.0, 3.0):
    ...     scorer.learn_one(None, y)
    >>> scorer.score_one(None, 4.0), scorer.score_one(None, 0.0)
    (2.0, -2.0)
    """

    def score_one(self, x: Any, y: float) -> float:
        gaussian = self.gaussian
        if gaussian.n_samples < self.grace_period:
            return 0.0
        mean, sd = gaussian.mu, gaussian.sigma
        if sd > 0:
            return (y - mean) / sd
        return 0.0 if y == mean else math.copysign(math.inf, y - mean)
