"""Values per second of dsio's built-in detectors, next to bare numpy doing the same math.

Every detector scores and learns the same stream (a noisy cycle with spikes) two ways:

* one call: ``detector.score_update(values)`` on the whole stream, the detector's own speed;
* engine: through :class:`dsio.scoring.SensorScorer` in the engine's batches
  (``dsio.scoring.BATCH_ROWS`` values; missing-value masking and output checks included), the
  speed a replay gets.

Beside them, in the same run: for Gaussian1D, a bare vectorised pass computing the same
exponentially weighted z-score (``scipy.signal.lfilter`` moments, ``scipy.special.ndtr``
tail) with no calibration, quieting or state; for Percentile1D, numpy counting the same
window ranks by brute force (``sliding_window_view``), pandas' ``rolling().rank()`` and the
seed's per-value loop (``scipy.stats.percentileofscore`` against the stored sample, on a
shorter stream because it is slow). ContextSurprise's costliest step, ranking each value in
its 1,000-value window, is shown beside it as pandas would do it.

Runs alternate, CPU time is measured and the best of ``--repeat`` is kept, which filters out
most of the noise from other work on the machine. Targets on the reference machine:
Gaussian1D >= 15 M values/s (within 2x of the bare pass), Percentile1D >= 5 M values/s,
ContextSurprise >= 100 k values/s.

    python benchmarks/bench_detectors.py [--length 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from dsio.detectors.context import ContextSurprise
from dsio.detectors.gaussian import Gaussian1D
from dsio.detectors.percentile import Percentile1D
from dsio.scoring import BATCH_ROWS, SensorScorer

WINDOW = 300  # Percentile1D's window, as in the seed
SEED_LOOP_LENGTH = 20_000  # the seed's per-value loop runs at tens of thousands a second


def stream(length: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    t = np.arange(length)
    values = 10 + np.sin(2 * np.pi * t / 288) + rng.normal(0, 0.3, length)
    spikes = rng.choice(length, length // 1000, replace=False)
    values[spikes] += rng.choice([-4.0, 4.0], len(spikes))
    return values


def bare_gaussian(values: np.ndarray, forgetting: float = 0.9995) -> np.ndarray:
    """The same exponentially weighted z-score and two-sided tail, nothing else."""
    from scipy.signal import lfilter
    from scipy.special import ndtr

    decay = [1.0, -forgetting]
    weight = lfilter([1.0], decay, np.ones_like(values))
    total = lfilter([1.0], decay, values)
    squares = lfilter([1.0], decay, values * values)
    mean = total / weight
    std = np.sqrt(np.maximum(squares / weight - mean * mean, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.abs(values[1:] - mean[:-1]) / std[:-1]
    return 2.0 * ndtr(z) - 1.0


def numpy_window_ranks(values: np.ndarray, window: int = WINDOW) -> np.ndarray:
    """Mid-rank of each value among the ``window`` before it, by comparing with all of them."""
    from numpy.lib.stride_tricks import sliding_window_view

    ranks = np.empty(len(values) - window)
    step = 20_000  # bound the temporary comparison matrix
    for start in range(0, len(ranks), step):
        stop = min(start + step, len(ranks))
        windows = sliding_window_view(values[start : stop + window - 1], window)
        current = values[start + window : stop + window, None]
        below = np.count_nonzero(windows < current, axis=1)
        equal = np.count_nonzero(windows == current, axis=1)
        ranks[start:stop] = below + 0.5 * equal
    return ranks


def pandas_window_ranks(values: np.ndarray, window: int = WINDOW) -> np.ndarray:
    import pandas as pd

    return pd.Series(values).rolling(window + 1).rank().to_numpy()


def seed_percentile_loop(values: np.ndarray, window: int = WINDOW) -> list[float]:
    """The seed's Percentile1D: each value against the stored sample, then a rolling update."""
    from scipy.stats import percentileofscore

    sample = values[:window]
    scores = []
    for start in range(window, len(values), 1000):  # the seed scored, then updated, per batch
        batch = values[start : start + 1000]
        scores += [0.01 * percentileofscore(sample, z) for z in batch]
        sample = np.concatenate([sample, batch])[-window:]
    return scores


def best_rate(run: Callable[[], object], length: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return length / best


def detector_rates(factory, values: np.ndarray, repeat: int) -> tuple[float, float]:
    one_call = best_rate(lambda: factory().score_update(values), len(values), repeat)
    engine = best_rate(
        lambda: SensorScorer(factory(), factory.__name__, "bench").score_stream(values),
        len(values),
        repeat,
    )
    return one_call, engine


def show(label: str, rate: float, note: str = "") -> None:
    figure = f"{rate / 1e6:8.2f} M/s" if rate >= 1e6 else f"{rate / 1e3:8.1f} k/s"
    print(f"  {label:<46}{figure}  {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=1_000_000, help="values per run")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (best kept)")
    args = parser.parse_args()
    values = stream(args.length)
    # Import scipy's pieces once, outside the timings.
    bare_gaussian(values[:1000])
    Percentile1D().score_update(values[:2000])

    print(f"values per second (CPU time, best of {args.repeat}, {args.length:,} values)")
    print("Gaussian1D (target >= 15 M/s, within 2x of the bare pass)")
    bare = best_rate(lambda: bare_gaussian(values), len(values), args.repeat)
    one_call, engine = detector_rates(Gaussian1D, values, args.repeat)
    show("bare numpy/scipy: EW z-score, lfilter + ndtr", bare)
    show("Gaussian1D, one call", one_call, f"{bare / one_call:.2f}x the bare time")
    show(
        f"Gaussian1D, engine batches of {BATCH_ROWS:,}",
        engine,
        f"{bare / engine:.2f}x the bare time",
    )

    print(f"Percentile1D, window {WINDOW} (target >= 5 M/s)")
    brute = best_rate(lambda: numpy_window_ranks(values), len(values), max(1, args.repeat // 2))
    pandas = best_rate(lambda: pandas_window_ranks(values), len(values), args.repeat)
    seed_values = values[:SEED_LOOP_LENGTH]
    seed = best_rate(lambda: seed_percentile_loop(seed_values), len(seed_values), 1)
    one_call, engine = detector_rates(Percentile1D, values, args.repeat)
    show("numpy: compare with every window value", brute)
    show("pandas: rolling().rank()", pandas)
    show("seed: percentileofscore per value", seed)
    show("Percentile1D, one call", one_call, f"{one_call / seed:.0f}x the seed's loop")
    show(
        f"Percentile1D, engine batches of {BATCH_ROWS:,}",
        engine,
        f"{engine / seed:.0f}x the seed's loop",
    )

    print("ContextSurprise (target >= 100 k/s)")
    pandas_1000 = best_rate(
        lambda: pandas_window_ranks(values, 1000), len(values), max(1, args.repeat // 2)
    )
    one_call, engine = detector_rates(ContextSurprise, values, max(1, args.repeat // 2))
    show("pandas: rolling().rank(), window 1,000 alone", pandas_1000)
    show("ContextSurprise, one call", one_call)
    show(f"ContextSurprise, engine batches of {BATCH_ROWS:,}", engine)


if __name__ == "__main__":
    main()
