"""A --modules file: an abstract intermediate class and an indirect subclass."""

import numpy as np

from dsio import AnomalyDetector


class Base(AnomalyDetector):
    """Abstract: no score(), so it must not be registered."""

    def update(self, x):
        self.seen = getattr(self, "seen", 0) + len(x)


class AboveLimit(Base):
    """Scores 1 above a limit, else 0."""

    def __init__(self, limit: float = 10.0, threshold: float = 0.5):
        super().__init__(threshold)
        self.limit = limit

    def score(self, x):
        return (np.asarray(x) > self.limit).astype(float)
