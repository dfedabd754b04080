"""Percentile1D and the exact rolling ranks behind it."""

from __future__ import annotations

import numpy as np
import pytest

from dsio.detectors.percentile import Percentile1D
from dsio.detectors.rolling import CHUNK, rolling_range, rolling_ranks
from dsio.scoring import SensorScorer


def _brute_force(history, x, window):
    joined = np.r_[history, x]
    rows = []
    for i, value in enumerate(x):
        earlier = joined[max(0, len(history) + i - window) : len(history) + i]
        rank = (earlier < value).sum() + 0.5 * (earlier == value).sum()
        low = earlier.min() if len(earlier) else np.nan
        high = earlier.max() if len(earlier) else np.nan
        rows.append((rank, len(earlier), low, high))
    return [np.array(column, dtype=float) for column in zip(*rows, strict=True)]


@pytest.mark.parametrize("window", [1, 2, 7, 33, 300])
@pytest.mark.parametrize("distinct", [3, 10_000])  # many ties, or almost none
def test_rolling_ranks_match_a_brute_force_count(window, distinct):
    rng = np.random.default_rng(window * distinct)
    pool = rng.normal(size=distinct)
    history = rng.choice(pool, window // 2)  # a window that is not full yet
    x = rng.choice(pool, 2 * CHUNK + 37)  # several chunks, a partial last block
    got = (*rolling_ranks(history, x, window), *rolling_range(history, x, window))
    for column, expected in zip(got, _brute_force(history, x, window), strict=True):
        np.testing.assert_array_equal(column, expected)


def test_scores_are_the_two_sided_percentile_of_scipy():
    from scipy.stats import percentileofscore

    rng = np.random.default_rng(7)
    values = np.round(rng.normal(0, 1, 700), 1)  # ties
    detector = Percentile1D(window=300, quiet=0)
    scores = detector.score_update(values)
    for i in range(400, 700, 37):
        window = values[i - 300 : i]
        if not window.min() <= values[i] <= window.max():
            continue
        q = percentileofscore(np.r_[window, values[i]], values[i], kind="mean") / 100
        assert np.isclose(scores[i], 1 - 2 * min(q, 1 - q))


def test_both_tails_and_breakouts_are_flagged():
    values = np.tile([1.0, 2.0, 3.0, 4.0], 150)
    values[350], values[500], values[550] = 7.0, -2.0, 4.5
    detector = Percentile1D()
    scores = detector.score_update(values)
    flagged = np.flatnonzero(scores >= detector.threshold).tolist()
    assert flagged == [350, 500]
    assert scores[350] < 1.0 and scores[550] < detector.threshold


def test_new_extremes_keep_their_order():
    detector = Percentile1D(quiet=0)
    detector.score_update(np.random.default_rng(8).uniform(0, 1, 300))
    scores = detector.score(np.array([1.01, 1.5, 3.0, 30.0]))
    assert (np.diff(scores) > 0).all() and scores[-1] < 1.0


def test_constant_input_scores_zero_and_a_jump_out_of_it_one():
    assert (Percentile1D().score_update(np.full(50, 20.0))[1:] == 0.0).all()
    values = np.r_[np.zeros(24), 5.0, np.zeros(5)]
    detector = Percentile1D()
    scores = SensorScorer(detector, "Percentile1D", "valve").score_stream(values)
    assert np.flatnonzero(scores >= detector.threshold).tolist() == [24]
    assert scores[24] == 1.0


def test_a_young_window_is_not_broken_out_of():
    scores = Percentile1D().score_update(np.array([1.0, 2.0, 3.0, 10.0]))
    assert (scores[1:] < 0.997).all()


def test_shared_case_constant_columns(shared):
    import dsio

    frame = dsio.score(shared("cases", "B15_constant_columns.csv"), detector="percentile1d")
    for column in ("setpoint", "offset"):
        scores = frame[f"SCORE_{column}"].dropna()
        assert len(scores) >= len(frame) - 1 and np.isfinite(scores).all()
        assert not frame[f"FLAG_{column}"].fillna(False).any()
