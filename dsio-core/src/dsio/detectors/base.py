"""The detector contract every dsio detector (built-in, plugin or ``--modules`` file) follows."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray


class AnomalyDetector(ABC):
    """An online anomaly detector for one sensor (or, if ``multivariate``, one row of sensors).

    Subclasses implement :meth:`update` (learn from values) and :meth:`score` (score values
    against what has been learned so far). Scores lie in [0, 1]; higher is more anomalous, and
    :meth:`detect` flags the values whose score reaches ``threshold``.

    The engine only ever passes values that are present: missing values are removed before a
    detector sees them and get a missing score, so a detector never learns from them. A score of
    NaN means "no opinion yet" (for example during warm-up) and is never flagged.

    :meth:`score_update` scores every value of a batch against everything *before* it (earlier
    batches and earlier values of the same batch) and learns it. The default does that one
    value at a time with :meth:`score` and :meth:`update`, so a detector written in a few lines
    means the same whatever the batch size; fast detectors override it with a vectorised,
    equally causal version.

    Parameters
    ----------
    threshold : float
        Score at or above which :meth:`detect` flags a value.
    """

    #: True if the detector takes 2-D input (rows x sensors) and returns one score per row.
    #: A detector that can work either way takes a constructor parameter ``multivariate`` and
    #: sets this attribute on the instance; ``dsio --multivariate`` passes ``multivariate=True``.
    multivariate: ClassVar[bool] = False

    def __init__(self, threshold: float = 0.99) -> None:
        self.threshold = threshold

    def train(self, x: ArrayLike) -> None:
        """Fit on a batch of known-normal history before streaming starts (default: update)."""
        self.update(x)

    @abstractmethod
    def update(self, x: ArrayLike) -> None:
        """Learn from a batch of values."""

    @abstractmethod
    def score(self, x: ArrayLike) -> ArrayLike:
        """Score a batch of values against what was learned so far, without learning them."""

    def score_update(self, x: ArrayLike) -> ArrayLike:
        """Score each value with only what came before it, learning each value after its score.

        >>> class RunningMax(AnomalyDetector):
        ...     def __init__(self):
        ...         super().__init__(threshold=0.5)
        ...         self.max = -np.inf
        ...     def update(self, x):
        ...         self.max = max(self.max, np.max(x))
        ...     def score(self, x):
        ...         return (np.asarray(x) > self.max).astype(float)
        >>> RunningMax().score_update(np.array([1.0, 2, 3, 1, 5]))
        array([1., 1., 1., 0., 1.])
        """
        values = np.asarray(x, dtype=float)
        scores = np.empty(len(values))
        for i in range(len(values)):
            one = values[i : i + 1]
            scores[i] = np.asarray(self.score(one), dtype=float).reshape(-1)[0]
            self.update(one)
        return scores

    def detect(self, x: ArrayLike) -> NDArray[np.bool_]:
        """Flag the values whose score reaches ``threshold`` (missing scores are not flagged)."""
        scores = np.asarray(self.score(x), dtype=float)
        with np.errstate(invalid="ignore"):
            return scores >= self.threshold
