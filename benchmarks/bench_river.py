"""Values per second of every river adapter inside dsio, next to a plain river loop.

For each adapter, the same values go through

* dsio: the adapter behind :class:`dsio.scoring.SensorScorer`, exactly as the engine calls it
  (the engine's batches, missing-value masking, output checks, warm-up, calibration), and
* plain: ``scores.append(model.score_one(x)); model.learn_one(x)`` per value on the very same
  river model or pipeline the adapter builds (scaler included), as a river user would write it
  to get what dsio gives: a score for every value;
* bare: the same loop dropping the scores, for context (it does less than either).

The paths take turns batch by batch and each batch keeps its best CPU time over ``--repeat``
streams, which filters out most of the noise from other work on the machine. Target: dsio costs
at most 1.15x the plain loop.

    python benchmarks/bench_river.py [--repeat 7] [--scale 1.0] [ADAPTER ...]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from dsio.params import build_detector
from dsio.scoring import BATCH_ROWS, SensorScorer
from dsio.testing import synthetic_stream
from dsio_river.adapters import FACTORIES

#: Values per run, by adapter: enough for a stable figure, small enough for LOF's speed.
LENGTHS = {
    "GaussianScorer": 100_000,
    "StandardAbsoluteDeviation": 100_000,
    "PredictiveAnomalyDetection": 40_000,
    "OneClassSVM": 20_000,
    "HalfSpaceTrees": 10_000,
    "LODA": 3_000,
    "LocalOutlierFactor": 3_000,
}
SENSORS = 3  # columns in multivariate runs


def plain_loop(model, values: np.ndarray, supervised: bool) -> list[float]:
    """What a river user writes to get a score for every value: build the input, score it, keep
    the score, learn the value."""
    scores = []
    if supervised:
        for v in values.tolist():
            scores.append(model.score_one(None, v))
            model.learn_one(None, v)
    elif values.ndim == 2:
        keys = range(values.shape[1])
        for row in values.tolist():
            x = dict(zip(keys, row, strict=True))
            scores.append(model.score_one(x))
            model.learn_one(x)
    else:
        for v in values.tolist():
            x = {0: v}
            scores.append(model.score_one(x))
            model.learn_one(x)
    return scores


def bare_loop(model, values: np.ndarray, supervised: bool) -> None:
    """The same loop dropping every score: a floor no real use reaches, printed for context."""
    if supervised:
        for v in values.tolist():
            model.score_one(None, v)
            model.learn_one(None, v)
    elif values.ndim == 2:
        keys = range(values.shape[1])
        for row in values.tolist():
            x = dict(zip(keys, row, strict=True))
            model.score_one(x)
            model.learn_one(x)
    else:
        for v in values.tolist():
            x = {0: v}
            model.score_one(x)
            model.learn_one(x)


def measure(factory, values: np.ndarray, multivariate: bool, repeat: int) -> list[float]:
    """Values/s of the dsio path, the plain loop and the bare loop.

    The three paths stream the values in the engine's batches, taking turns batch by batch, so
    that all see the same load from other work on the machine; each batch keeps its fastest
    CPU time over ``repeat`` streams.
    """
    name = factory.__name__
    batches = [values[i : i + BATCH_ROWS] for i in range(0, len(values), BATCH_ROWS)]
    best = np.full((3, len(batches)), np.inf)
    supervised = factory.model.supervised
    for _ in range(repeat):
        scorer = SensorScorer(
            build_detector(factory, name, {}, multivariate=multivariate), name, "b"
        )
        plain, bare = (
            build_detector(factory, name, {}, multivariate=multivariate).model for _ in range(2)
        )
        paths = (
            scorer.score_update,
            lambda batch, model=plain: plain_loop(model, batch, supervised),
            lambda batch, model=bare: bare_loop(model, batch, supervised),
        )
        for i, batch in enumerate(batches):
            for path, run in enumerate(paths):
                start = time.process_time()
                run(batch)
                best[path, i] = min(best[path, i], time.process_time() - start)
    return [len(values) / seconds for seconds in best.sum(axis=1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("adapters", nargs="*", help="adapters to time (default: all)")
    parser.add_argument("--repeat", type=int, default=7, help="runs per path; the best counts")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every stream length")
    args = parser.parse_args()

    print(
        f"{'adapter':40s} {'values':>8s} {'dsio/s':>10s} {'plain/s':>10s} {'ratio':>6s} "
        f"{'bare/s':>10s} {'ratio':>6s}"
    )
    for factory in FACTORIES:
        if args.adapters and factory.__name__ not in args.adapters:
            continue
        modes = [False, True] if factory.model.multivariate else [False]
        for multivariate in modes:
            length = max(100, int(LENGTHS[factory.__name__] * args.scale))
            values, _ = synthetic_stream(1, length=length, columns=SENSORS if multivariate else 0)
            dsio_rate, plain_rate, bare_rate = measure(factory, values, multivariate, args.repeat)
            label = factory.__name__ + (f" (multivariate, {SENSORS})" if multivariate else "")
            print(
                f"{label:40s} {length:8d} {dsio_rate:10,.0f} {plain_rate:10,.0f} "
                f"{plain_rate / dsio_rate:6.2f}x {bare_rate:10,.0f} {bare_rate / dsio_rate:6.2f}x",
                flush=True,
            )


if __name__ == "__main__":
    main()
