"""What dsio needs to know about each river anomaly detector, and how it builds one.

river is imported inside the build functions only: the plugin lists these models on every
``dsio`` call, and importing river costs about a second.

Why the pipelines look the way they do:

* river's Half-Space Trees report 0 ("normal") until their first window is full, which would
  leave a file shorter than the window, or a sensor's first values, unscored; dsio's trees score
  their first window against the mass counted so far (:mod:`dsio_river.halfspace`), so they need
  no warm-up, and river's window of 250 can stay.
* Half-Space Trees cut the unit interval at random, so inputs must live roughly in [0, 1]
  (raw rpm values give a score of 0 everywhere). river suggests a ``MinMaxScaler`` in front,
  but one spike then stretches the range and squeezes every later value into one leaf, where
  those ordinary values outscore the spike itself (shared case B28). Standardising online and
  mapping ``[-3, 3]`` standard deviations onto [0, 1] keeps later values spread out.
* The one-class SVM is linear: on one sensor it can only fence off one side of the values.
  Random Fourier features (river's ``RBFSampler``, as river's docs recommend) make it a kernel
  SVM that fences off both tails; its ``score_one`` is the decision value, high for normal values.
* LOF and LODA are invariant to the scale of a single sensor; over several sensors they compare
  distances and sums across sensors, so multivariate mode standardises each sensor first.
* Gaussian scorer, SAD and predictive detection model one sensor's values (river passes them as
  the target ``y``) and are scale-free.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

#: Values every model learns before its scores are reported, unless the model needs more: a
#: mean, a spread or a one-class boundary from fewer values is mostly noise.
MIN_WARM_UP = 10
#: Standard deviations mapped onto Half-Space Trees' unit interval.
HST_SPAN = 3.0

Calibration = Literal["rank", "z"]


@dataclass(frozen=True)
class RiverModel:
    """How dsio drives one class of ``river.anomaly``.

    Attributes
    ----------
    class_name : str
        The class in ``river.anomaly``; also the detector's dsio name.
    aliases : tuple of str
        Short names (``hst``, ``onesvm``, ...).
    summary : str
        One line for ``dsio detectors``.
    build : callable
        ``build(river_params, options, multivariate) -> river estimator`` (a pipeline when the
        input needs scaling).
    supervised : bool
        True if river takes the value as target: ``score_one(None, y)``; else as
        ``score_one({feature: value})``.
    multivariate : bool
        True if one model can take all sensors of a row.
    calibration : str
        How raw scores become dsio scores: ``"rank"`` (online percentile) or ``"z"`` (a
        z-score, mapped to ``P(|X - mean| < |x - mean|)`` under a normal law).
    higher_is_normal : bool
        True if river's raw score is high for normal values.
    defaults : mapping
        dsio's defaults for river parameters, where river's do not suit streams of a few
        thousand rows or would not be reproducible.
    options : mapping
        Parameters of the pipeline around the river model, with defaults.
    warm_up : callable
        ``warm_up(params) -> rows`` the model needs before its raw scores mean anything.
    mutates_on_score : bool
        True if river's ``score_one`` updates the model (scoring without learning then works
        on a copy).
    """

    class_name: str
    aliases: tuple[str, ...]
    summary: str
    build: Callable[[dict[str, Any], dict[str, Any], bool], Any]
    supervised: bool = False
    multivariate: bool = True
    calibration: Calibration = "rank"
    higher_is_normal: bool = False
    defaults: Mapping[str, Any] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)
    warm_up: Callable[[Mapping[str, Any]], int] = lambda params: MIN_WARM_UP
    mutates_on_score: bool = False


def to_unit_interval(x: dict) -> dict:
    """Map standardised values onto Half-Space Trees' [0, 1]: -3 sd -> 0, 0 -> 0.5, 3 sd -> 1."""
    return {k: 0.5 + v / (2 * HST_SPAN) for k, v in x.items()}


def _build_hst(river: dict[str, Any], options: dict[str, Any], multivariate: bool) -> Any:
    from river import compose, preprocessing

    from dsio_river.halfspace import GrowingHalfSpaceTrees

    model = GrowingHalfSpaceTrees(**river)
    if river.get("limits") is not None:  # the user knows the ranges: use the values as they are
        return model
    return preprocessing.StandardScaler() | compose.FuncTransformer(to_unit_interval) | model


def _build_svm(river: dict[str, Any], options: dict[str, Any], multivariate: bool) -> Any:
    from river import anomaly, feature_extraction, preprocessing

    model = anomaly.OneClassSVM(**river)
    if options["n_components"] <= 0:
        return preprocessing.StandardScaler() | model
    features = feature_extraction.RBFSampler(
        gamma=options["gamma"], n_components=options["n_components"], seed=options["seed"]
    )
    return preprocessing.StandardScaler() | features | model


def _build_lof(river: dict[str, Any], options: dict[str, Any], multivariate: bool) -> Any:
    from river import anomaly, neighbors, preprocessing

    if river.get("engine") is None:
        river = {**river, "engine": neighbors.LazySearch(window_size=options["window_size"])}
    model = anomaly.LocalOutlierFactor(**river)
    return preprocessing.StandardScaler() | model if multivariate else model


def _build_loda(river: dict[str, Any], options: dict[str, Any], multivariate: bool) -> Any:
    from river import anomaly, preprocessing

    model = anomaly.LODA(**river)
    return preprocessing.StandardScaler() | model if multivariate else model


def _build_gaussian(river: dict[str, Any], options: dict[str, Any], multivariate: bool) -> Any:
    from dsio_river.gaussian import GaussianZScorer

    return GaussianZScorer(**river)


def _build_sad(river: dict[str, Any], options: dict[str, Any], multivariate: bool) -> Any:
    from river import anomaly

    return anomaly.StandardAbsoluteDeviation(**river)


def _build_pad(river: dict[str, Any], options: dict[str, Any], multivariate: bool) -> Any:
    from river import anomaly

    from dsio_river.forecasting import HoltForecaster

    if river.get("predictive_model") is None:
        # river's default regresses on the features x, and one sensor has none. Holt's
        # smoothing (level + trend) follows drifts and cannot diverge, unlike river's SNARIMAX,
        # whose SGD regression blew up on most OpenXC sensors (errors 10^3-10^8 x a
        # last-value forecast, measured).
        river = {**river, "predictive_model": HoltForecaster(alpha=0.5, beta=0.1)}
    return anomaly.PredictiveAnomalyDetection(**river)


MODELS: tuple[RiverModel, ...] = (
    RiverModel(
        "HalfSpaceTrees",
        ("hst", "half-space-trees"),
        "river's Half-Space Trees over standardised values, scored from the first value; "
        "rank-calibrated.",
        _build_hst,
        defaults={"seed": 0},
        warm_up=lambda p: 0,  # scored from the first value on (see dsio_river.halfspace)
    ),
    RiverModel(
        "OneClassSVM",
        ("onesvm", "ocsvm", "one-class-svm"),
        "river's one-class SVM on random Fourier features of standardised values; rank-calibrated.",
        _build_svm,
        higher_is_normal=True,
        options={"n_components": 20, "gamma": 0.5, "seed": 0},
    ),
    RiverModel(
        "LocalOutlierFactor",
        ("lof",),
        "river's Local Outlier Factor over a sliding window of recent values; rank-calibrated.",
        _build_lof,
        options={"window_size": 250},
        warm_up=lambda p: max(MIN_WARM_UP, p["n_neighbors"] + 1),
    ),
    RiverModel(
        "LODA",
        ("loda",),
        "river's LODA: histograms of sparse random projections; rank-calibrated.",
        _build_loda,
        defaults={"seed": 0},
    ),
    RiverModel(
        "GaussianScorer",
        ("gaussian-scorer",),
        "river's Gaussian scorer: z under a running normal fit, calibrated like Gaussian1D.",
        _build_gaussian,
        supervised=True,
        multivariate=False,
        calibration="z",
        defaults={"grace_period": MIN_WARM_UP},
        warm_up=lambda p: max(MIN_WARM_UP, p["grace_period"]),
    ),
    RiverModel(
        "StandardAbsoluteDeviation",
        ("sad",),
        "river's standard absolute deviation |x - mean| / sd, calibrated like Gaussian1D.",
        _build_sad,
        supervised=True,
        multivariate=False,
        calibration="z",
    ),
    RiverModel(
        "PredictiveAnomalyDetection",
        ("pad", "predictive"),
        "river's predictive detection: error of a Holt (level + trend) forecast; rank-calibrated.",
        _build_pad,
        supervised=True,
        multivariate=False,
        defaults={"warmup_period": MIN_WARM_UP},
        # river's warm-up keeps the first errors out of its threshold; the threshold then
        # needs a few errors of its own before its scores mean anything.
        warm_up=lambda p: p["warmup_period"] + MIN_WARM_UP,
        mutates_on_score=True,
    ),
)
