"""river anomaly detectors behind dsio's :class:`~dsio.AnomalyDetector` contract.

One adapter class drives every model in :data:`dsio_river.models.MODELS`; one factory per model
gives it a dsio name and a signature that merges the adapter's parameters with river's, so
``--param`` can set either and ``dsio detectors`` lists both. river is imported only when a
detector is built or its signature is asked for.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dsio import AnomalyDetector
from dsio_river.calibration import RankCalibration, TailCalibration
from dsio_river.models import MODELS, RiverModel

#: Raw scores a value is ranked against by default.
CALIBRATION_WINDOW = 1000
#: Default flag threshold: values rarer than about 2 in 1,000, as dsio's default detector.
THRESHOLD = 0.998


class RiverDetector(AnomalyDetector):
    """One river anomaly detector, fed value by value, with scores in dsio's meaning.

    Each value is scored by river's ``score_one`` and then learned by ``learn_one``, so it is
    judged only by what came before it. The first ``warm_up`` values are learned but get a
    missing score (river reports 0, "normal", while it knows nothing). Raw scores are then
    turned into dsio scores: a score ``s`` means about ``1 - s`` of ordinary values look at least
    as unusual (see :mod:`dsio_river.calibration`).

    Parameters
    ----------
    model : RiverModel
        Which river detector, and how dsio drives it.
    river_params : dict
        Keyword arguments for the river class.
    options : dict
        Parameters of the pipeline around it (see :attr:`RiverModel.options`).
    threshold : float
        Score at or above which a value is flagged.
    warm_up : int or None
        Values learned before scores are reported; None takes what the model needs.
    calibration_window : int
        Recent raw scores a raw score is ranked against (rank-calibrated models).
    multivariate : bool
        One model over all sensors of a row (2-D input, one score per row).
    """

    def __init__(
        self,
        model: RiverModel,
        river_params: dict[str, Any],
        options: dict[str, Any],
        *,
        threshold: float = THRESHOLD,
        warm_up: int | None = None,
        calibration_window: int = CALIBRATION_WINDOW,
        multivariate: bool = False,
    ) -> None:
        super().__init__(threshold)
        if multivariate and not model.multivariate:
            raise ValueError(f"{model.class_name} models one sensor at a time")
        self.name = model.class_name
        self.multivariate = multivariate
        self.warm_up = model.warm_up(river_params) if warm_up is None else int(warm_up)
        if self.warm_up < 0:
            raise ValueError(f"warm_up must be at least 0, got {warm_up}")
        self.model = model.build(river_params, options, multivariate)
        self._supervised = model.supervised
        self._negate = model.higher_is_normal
        self._mutates_on_score = model.mutates_on_score
        rank = model.calibration == "rank"
        self._calibration = RankCalibration(calibration_window) if rank else TailCalibration()
        self._seen = 0

    # -- the contract ----------------------------------------------------------------------

    def score_update(self, x: ArrayLike) -> NDArray[np.float64]:
        """Score each value against everything before it, learning it right after."""
        raw = self._run(self._inputs(x), learn=True)
        # river's warm-up scores say "normal" while the model knows nothing: leave them out.
        skip = max(0, min(len(raw), self.warm_up - self._seen))
        self._seen += len(raw)
        if skip == 0 and not np.isnan(raw).any():  # the usual case, without masks and copies
            return self._to_scores(raw)
        scores = np.full(len(raw), np.nan)
        live, out = raw[skip:], scores[skip:]
        undefined = np.isnan(live)
        if undefined.any():  # a raw score river could not compute is no score, and not ranked
            out[~undefined] = self._to_scores(live[~undefined])
        elif len(live):
            out[:] = self._to_scores(live)
        return scores

    def update(self, x: ArrayLike) -> None:
        """Learn values (their scores still feed the calibration, as in a stream)."""
        self.score_update(x)

    def score(self, x: ArrayLike) -> NDArray[np.float64]:
        """Score values against the current state without learning them."""
        inputs = self._inputs(x)
        if self._mutates_on_score:
            saved = self.model
            self.model = copy.deepcopy(saved)
            try:
                raw = self._run(inputs, learn=False)
            finally:
                self.model = saved
        else:
            raw = self._run(inputs, learn=False)
        if self._seen < self.warm_up:
            return np.full(len(raw), np.nan)
        scores = self._calibration.peek(raw)
        return np.where(np.isnan(raw), np.nan, scores)

    def _to_scores(self, raw: NDArray[np.float64]) -> NDArray[np.float64]:
        """dsio scores for defined raw scores, in stream order (ranked ones join the history)."""
        return self._calibration.transform(raw)

    # -- internals -------------------------------------------------------------------------

    def _inputs(self, x: ArrayLike) -> list[Any]:
        """The values as Python floats (one per value), or as lists (one per row if
        multivariate): river's own inputs are built one at a time in the loop."""
        values = np.asarray(x, dtype=float)
        if self.multivariate:
            if values.ndim != 2:
                raise ValueError(f"multivariate input must be rows x sensors, got {values.shape}")
            return values.tolist()
        return (values if values.ndim == 1 else values.reshape(-1)).tolist()

    def _run(self, inputs: list[Any], *, learn: bool) -> NDArray[np.float64]:
        """The hot loop: river's own calls, nothing else per value.

        Score then learn each value in one comprehension: Python evaluates ``a + (b or 0.0)``
        left to right and river's ``learn_one`` returns None, so this keeps the score at the
        cost of one addition, where a tuple or an ``append()`` per value costs more. Feature
        dicts are made one at a time, as river's own loops do: thousands of dicts alive at once
        would set off Python's cyclic garbage collector, which then walks river's models too.
        """
        score_one, learn_one = self.model.score_one, self.model.learn_one
        if self._supervised:
            if learn:
                raw = [score_one(None, y) + (learn_one(None, y) or 0.0) for y in inputs]
            else:
                raw = [score_one(None, y) for y in inputs]
        elif self.multivariate:
            if learn:
                raw = [
                    score_one(x := dict(enumerate(row))) + (learn_one(x) or 0.0) for row in inputs
                ]
            else:
                raw = [score_one(dict(enumerate(row))) for row in inputs]
        elif learn:
            raw = [score_one(x := {0: v}) + (learn_one(x) or 0.0) for v in inputs]
        else:
            raw = [score_one({0: v}) for v in inputs]
        result = np.fromiter(raw, dtype=float, count=len(raw))  # faster than np.array(list)
        return -result if self._negate else result


class RiverDetectorFactory:
    """Makes :class:`RiverDetector` s for one river model; what the plugin registers.

    Its signature (built on first use, since that imports river) lists the adapter's parameters
    followed by river's own, with dsio's defaults where they differ from river's, so
    ``dsio.params`` can type ``--param`` values and ``dsio detectors`` can show them.
    """

    def __init__(self, model: RiverModel) -> None:
        self.model = model
        self.__name__ = model.class_name
        self.__qualname__ = model.class_name
        self.__doc__ = model.summary
        self._signature: inspect.Signature | None = None
        self._river_names: tuple[str, ...] = ()

    @property
    def __signature__(self) -> inspect.Signature:
        if self._signature is None:
            self._signature, self._river_names = _merged_signature(self.model)
        return self._signature

    def __call__(self, **params: Any) -> RiverDetector:
        signature = self.__signature__
        unknown = set(params) - set(signature.parameters)
        if unknown:
            known = ", ".join(signature.parameters)
            raise TypeError(
                f"unexpected parameter {sorted(unknown)[0]!r}; {self.__name__} takes: {known}"
            )
        values = {n: p.default for n, p in signature.parameters.items()} | params
        river_params = {n: values[n] for n in self._river_names}
        options = {n: values[n] for n in self.model.options}
        _check_objects(self.model, river_params)
        adapter = {n: values[n] for n in _ADAPTER_PARAMS if n in values}
        return RiverDetector(self.model, river_params, options, **adapter)

    def __repr__(self) -> str:
        return f"<dsio-detectors-river factory for river.anomaly.{self.model.class_name}>"


_ADAPTER_PARAMS = ("threshold", "warm_up", "calibration_window", "multivariate")


def _merged_signature(model: RiverModel) -> tuple[inspect.Signature, tuple[str, ...]]:
    """The adapter's parameters, then the model options, then river's (dsio defaults applied)."""
    from river import anomaly

    keyword = inspect.Parameter.KEYWORD_ONLY
    params = [
        inspect.Parameter("threshold", keyword, default=THRESHOLD, annotation=float),
        inspect.Parameter("warm_up", keyword, default=None, annotation="int | None"),
    ]
    if model.calibration == "rank":
        params.append(
            inspect.Parameter(
                "calibration_window", keyword, default=CALIBRATION_WINDOW, annotation=int
            )
        )
    if model.multivariate:
        params.append(inspect.Parameter("multivariate", keyword, default=False, annotation=bool))
    params += [inspect.Parameter(n, keyword, default=d) for n, d in model.options.items()]
    river_params = [
        p.replace(kind=keyword, default=model.defaults.get(name, p.default))
        for name, p in inspect.signature(getattr(anomaly, model.class_name)).parameters.items()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]
    return inspect.Signature(params + river_params), tuple(p.name for p in river_params)


def _check_objects(model: RiverModel, river_params: Mapping[str, Any]) -> None:
    """Reject text where river expects one of its objects (``--param optimizer=Adam``)."""
    for name, value in river_params.items():
        if isinstance(value, str):
            raise ValueError(
                f"{model.class_name} parameter {name!r} takes a river object, not the text "
                f"{value!r}; set it from Python (dsio.score(..., params={{{name!r}: ...}}))"
            )


#: One factory per river model, in the order ``dsio detectors`` lists them.
FACTORIES: tuple[RiverDetectorFactory, ...] = tuple(RiverDetectorFactory(m) for m in MODELS)
