"""Conformance checks that plugin authors can run over their own detectors.

``check_detector`` holds a detector factory to the contract every dsio detector follows, through
the same :class:`~dsio.scoring.SensorScorer` the engine uses::

    from dsio.testing import check_detector

    def test_my_detector():
        check_detector(MyDetector)

Each check raises ``AssertionError`` with a message naming the broken rule. For source
plugins, :func:`read_frames` opens a source and returns everything it delivers.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from dsio.detectors.base import AnomalyDetector
from dsio.params import build_detector
from dsio.scoring import BATCH_ROWS, SensorScorer
from dsio.sources.base import Source, SourceInfo

if TYPE_CHECKING:
    import pandas as pd

#: Length of the synthetic stream: long enough for windowed detectors to warm up.
STREAM_LENGTH = 3000
#: Injected outliers must rank above normal points at least this often (0.5 is chance).
MIN_OUTLIER_AUC = 0.75


def check_detector(
    factory: Callable[..., AnomalyDetector],
    *,
    multivariate: bool = False,
    direction: str = "both",
    seed: int = 7,
    **params: Any,
) -> None:
    """Run every conformance check on detectors made by ``factory(**params)``.

    ``direction="up"`` injects only upward spikes, for detectors that by design only look for
    unusually high values.
    """
    name = getattr(factory, "__name__", repr(factory))

    def make() -> AnomalyDetector:
        return build_detector(factory, name, params, multivariate=multivariate)

    values, outliers = synthetic_stream(seed, columns=3 if multivariate else 0, direction=direction)
    scores = _scores(make(), name, values)
    _check_range(name, scores)
    _check_missing_values(make, name, values)
    _check_no_look_ahead(make, name, values, scores)
    _check_deterministic(make, name, values, scores)
    _check_pickle(make, name, values)
    _check_outlier_ranking(name, scores, outliers)


def synthetic_stream(
    seed: int, length: int = STREAM_LENGTH, columns: int = 0, direction: str = "both"
) -> tuple[NDArray[np.float64], NDArray[np.intp]]:
    """A noisy daily-like cycle with large spikes at known positions after the first third.

    ``columns`` > 0 gives rows x columns (correlated sensors) for multivariate detectors;
    ``direction`` is ``"both"`` (spikes up and down) or ``"up"``.
    """
    if direction not in ("both", "up"):
        raise ValueError(f"direction must be 'both' or 'up', not {direction!r}")
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    base = 10 + np.sin(2 * np.pi * t / 200) + rng.normal(0, 0.2, length)
    outliers = np.sort(rng.choice(np.arange(length // 3, length), size=15, replace=False))
    signs = rng.choice([-1, 1], size=len(outliers)) if direction == "both" else 1
    base[outliers] += signs * rng.uniform(4, 6, len(outliers))
    if columns:
        noise = rng.normal(0, 0.1, (length, columns))
        return base[:, None] * np.arange(1, columns + 1) + noise, outliers
    return base, outliers


def _scores(detector: AnomalyDetector, name: str, values: NDArray[np.float64]) -> NDArray:
    return SensorScorer(detector, name, "x").score_stream(values)


def _check_range(name: str, scores: NDArray[np.float64]) -> None:
    finite = scores[~np.isnan(scores)]
    assert len(finite) > len(scores) // 2, f"{name}: fewer than half of the values got a score"
    assert ((finite >= 0) & (finite <= 1)).all(), f"{name}: a score is outside [0, 1]"


def _check_missing_values(
    make: Callable[[], AnomalyDetector], name: str, values: NDArray[np.float64]
) -> None:
    holes = values.copy()
    holes[5::17] = np.nan
    with_holes = _scores(make(), name, holes)
    present = ~np.isnan(holes) if holes.ndim == 1 else ~np.isnan(holes).any(axis=1)
    assert np.isnan(with_holes[~present]).all(), f"{name}: a missing value got a score"
    # The same batches with the missing values taken out must score exactly alike.
    scorer = SensorScorer(make(), name, "x")
    without = np.concatenate(
        [
            scorer.score_update(holes[i : i + BATCH_ROWS][present[i : i + BATCH_ROWS]])
            for i in range(0, len(holes), BATCH_ROWS)
        ]
    )
    np.testing.assert_allclose(
        with_holes[present], without, err_msg=f"{name}: missing values changed other scores"
    )


def _check_no_look_ahead(
    make: Callable[[], AnomalyDetector],
    name: str,
    values: NDArray[np.float64],
    scores: NDArray[np.float64],
) -> None:
    cut = len(values) // 2
    changed = values.copy()
    changed[cut:] = changed[cut:][::-1] * 3
    rescored = _scores(make(), name, changed)
    np.testing.assert_allclose(
        rescored[:cut], scores[:cut], err_msg=f"{name}: a score depends on later values"
    )


def _check_deterministic(
    make: Callable[[], AnomalyDetector],
    name: str,
    values: NDArray[np.float64],
    scores: NDArray[np.float64],
) -> None:
    again = _scores(make(), name, values)
    np.testing.assert_array_equal(again, scores, err_msg=f"{name}: not deterministic")


def _check_pickle(
    make: Callable[[], AnomalyDetector], name: str, values: NDArray[np.float64]
) -> None:
    detector = make()
    half = len(values) // 2
    _scores(detector, name, values[:half])
    clone = pickle.loads(pickle.dumps(detector))
    np.testing.assert_array_equal(
        _scores(clone, name, values[half:]),
        _scores(detector, name, values[half:]),
        err_msg=f"{name}: a pickled copy scores differently",
    )


def _check_outlier_ranking(
    name: str, scores: NDArray[np.float64], outliers: NDArray[np.intp]
) -> None:
    normal = np.setdiff1d(np.arange(len(scores) // 3, len(scores)), outliers)
    spikes, rest = scores[outliers], scores[normal]
    spikes, rest = spikes[~np.isnan(spikes)], rest[~np.isnan(rest)]
    assert len(spikes) and len(rest), f"{name}: no scores after warm-up"
    # Probability that an outlier outscores a normal point (ties count half): the ROC AUC.
    wins = (spikes[:, None] > rest[None, :]).mean() + 0.5 * (spikes[:, None] == rest).mean()
    assert wins >= MIN_OUTLIER_AUC, (
        f"{name}: injected outliers rank above normal points only {wins:.0%} of the time"
    )


def read_frames(source: Source) -> tuple[SourceInfo, list[pd.DataFrame]]:
    """Open ``source``, read every frame it delivers and close it, even if reading fails."""
    try:
        info = source.open()
        frames = list(source.frames())
    finally:
        source.close()
    return info, frames
