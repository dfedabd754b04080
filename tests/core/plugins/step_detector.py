"""A test-only detector for ``dsio evaluate``, loaded the way users load theirs (``--modules``).

It scores each value by how far it jumped from the previous one, so a test can place the
detections exactly: a series that is flat except for jumps is detected on the jump rows only.
"""

import numpy as np

from dsio import AnomalyDetector


class StepDetector(AnomalyDetector):
    """Score ``min(1, |x - previous x| / scale)``; the very first value has no score."""

    def __init__(self, scale: float = 10.0, threshold: float = 0.5) -> None:
        super().__init__(threshold)
        self.scale = scale
        self.last = np.nan

    def score(self, x):
        x = np.asarray(x, dtype=float)
        previous = np.concatenate(([self.last], x[:-1]))
        return np.minimum(np.abs(x - previous) / self.scale, 1.0)

    def update(self, x):
        x = np.asarray(x, dtype=float)
        if len(x):
            self.last = x[-1]
