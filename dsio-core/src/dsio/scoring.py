"""Run one detector over one stream of values, holding it to the detector contract.

This is the single place where the engine, ``dsio.score``, ``dsio evaluate`` and the conformance
checks call a detector, so all of them treat missing values, warm-up and misbehaviour alike.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from dsio.detectors.base import AnomalyDetector
from dsio.errors import DetectorError

#: Values a detector is given at once (at most). The engine cuts frames into parts of this many
#: rows and scores each part before any sink sees it; live frames are far smaller, so this is
#: not a latency: it only trades call overhead against working arrays that still fit in the CPU
#: cache. Detectors score causally within a batch (the default ``score_update`` goes value by
#: value), so the size does not change what a score means; the built-in detectors' scores do not
#: depend on it beyond float rounding.
BATCH_ROWS = 16_384


class SensorScorer:
    """Feeds one detector the present values of one target (a sensor, or all sensors of a row).

    Missing values (NaN or infinite; in multivariate mode, a row with any missing sensor) are
    removed before the detector sees them and get a NaN score, so no detector ever learns from
    them. Whatever the detector returns is checked: one finite-or-NaN score per value, in [0, 1].
    A detector that raises or breaks the contract stops the run with a :class:`DetectorError`
    naming the detector and the target.
    """

    def __init__(self, detector: AnomalyDetector, detector_name: str, target: str) -> None:
        self.detector = detector
        self.detector_name = detector_name
        self.target = target

    def score_stream(
        self, values: NDArray[np.float64], batch_rows: int = BATCH_ROWS
    ) -> NDArray[np.float64]:
        """Score a run of values in detector batches of ``batch_rows``, as the engine does."""
        if len(values) <= batch_rows:
            return self.score_update(values)
        return np.concatenate(
            [
                self.score_update(values[i : i + batch_rows])
                for i in range(0, len(values), batch_rows)
            ]
        )

    def score_update(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        """Score ``values`` (1-D, or rows x sensors if multivariate) causally, then learn them."""
        present = np.isfinite(values) if values.ndim == 1 else np.isfinite(values).all(axis=1)
        scores = np.full(len(values), np.nan)
        count = int(present.sum())
        if count == 0:
            return scores
        given = values if count == len(values) else values[present]
        try:
            raw = self.detector.score_update(given)
        except Exception as exc:
            raise DetectorError(
                f"detector {self.detector_name!r} failed on sensor {self.target!r}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        scores[present] = self._checked(raw, count)
        return scores

    def _checked(self, raw: object, expected: int) -> NDArray[np.float64]:
        try:
            result = np.asarray(raw, dtype=float).reshape(-1)
        except (TypeError, ValueError) as exc:
            raise self._broken(f"returned scores that are not numbers ({exc})") from exc
        if len(result) != expected:
            raise self._broken(f"returned {len(result)} scores for {expected} values")
        # fmin/fmax skip NaN (no opinion): two passes over the scores, no temporary arrays.
        if len(result) and (np.fmin.reduce(result) < 0.0 or np.fmax.reduce(result) > 1.0):
            with np.errstate(invalid="ignore"):
                bad = ~np.isnan(result) & ~((result >= 0.0) & (result <= 1.0))
            raise self._broken(f"returned a score outside [0, 1]: {float(result[bad][0])}")
        return result

    def _broken(self, what: str) -> DetectorError:
        return DetectorError(
            f"detector {self.detector_name!r} {what} on sensor {self.target!r}; "
            "scores must be one number in [0, 1] (or NaN) per value"
        )


def flags_for(scores: NDArray[np.float64], threshold: float) -> NDArray[np.bool_]:
    """Flag scores at or above ``threshold``; a missing score is never flagged."""
    with np.errstate(invalid="ignore"):
        return scores >= threshold
