"""Gaussian1D: forgetting moments, two-sided log tails, calibrated scores, the shared cases."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dsio.detectors.gaussian import Gaussian1D
from dsio.scoring import SensorScorer


def _scores(detector, values):
    return SensorScorer(detector, "Gaussian1D", "x").score_stream(np.asarray(values, float))


def test_moments_are_the_forgetting_weighted_mean_and_variance():
    values = np.random.default_rng(1).normal(50.0, 3.0, 2500)
    detector = Gaussian1D(forgetting=0.99)
    SensorScorer(detector, "Gaussian1D", "x").score_stream(values, batch_rows=1000)  # recentred
    s0, s1, s2 = detector.moments
    weights = 0.99 ** np.arange(len(values))[::-1]
    mean = np.average(values, weights=weights)
    variance = np.average((values - mean) ** 2, weights=weights)
    assert np.isclose(detector.center + s1 / s0, mean)
    assert np.isclose(s2 / s0 - (s1 / s0) ** 2, variance)
    assert np.isclose(s0, weights.sum())


def test_a_value_is_judged_on_the_values_before_it_within_a_batch():
    values = np.r_[np.random.default_rng(2).normal(0, 1, 500), 8.0, np.zeros(10)]
    together = Gaussian1D().score_update(values)
    prefix = Gaussian1D().score_update(values[:501])
    np.testing.assert_array_equal(together[:501], prefix)
    assert together[500] >= 0.998


def test_scores_do_not_depend_on_how_the_stream_is_cut_into_batches():
    rng = np.random.default_rng(5)
    values = np.cumsum(rng.normal(0, 0.01, 40_000)) + rng.normal(0, 1, 40_000)
    values[rng.random(len(values)) < 1e-3] += 8.0
    whole = Gaussian1D().score_update(values)
    for cuts in (np.arange(1000, 40_000, 1000), np.sort(rng.choice(40_000, 300, replace=False))):
        detector = Gaussian1D()
        scores = np.concatenate([detector.score_update(part) for part in np.split(values, cuts)])
        # The same rank tables; only float rounding of the moments differs.
        np.testing.assert_allclose(scores, whole, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(scores >= 0.998, whole >= 0.998)


def test_unusually_low_values_are_anomalies_too():
    values = np.random.default_rng(3).normal(10.0, 1.0, 1500)
    values[1200], values[1300] = 17.0, 3.0
    detector = Gaussian1D()
    scores = _scores(detector, values)
    assert scores[1200] >= detector.threshold and scores[1300] >= detector.threshold
    assert np.isclose(scores[1200], scores[1300], atol=1e-3)


def test_far_tail_values_keep_their_order_below_one():
    detector = Gaussian1D()
    _scores(detector, np.random.default_rng(4).normal(0, 1, 2000))
    scores = detector.score(np.array([4.0, 10.0, 30.0, 100.0]))
    assert (np.diff(scores) > 0).all()
    assert scores[-1] < 1.0


def test_one_threshold_flags_the_same_share_of_any_distribution():
    rng = np.random.default_rng(5)
    streams = {
        "normal": rng.normal(0, 1, 20_000),
        "heavy-tailed, large": 1000 * rng.standard_t(2, 20_000),
        "skewed": rng.lognormal(0, 1, 20_000),
    }
    for name, values in streams.items():
        scores = _scores(Gaussian1D(), values)[2000:]
        share = np.mean(scores >= 0.99)
        assert 0.007 < share < 0.013, f"{name}: {share:.4f} of values scored 0.99 or more"


def test_constant_input_scores_the_neutral_zero_and_is_never_flagged():
    for value in (20.0, 0.1, 0.0, -3e9):
        scores = _scores(Gaussian1D(), np.full(2500, value))
        assert np.isnan(scores[0])
        assert (scores[1:] == 0.0).all()


def test_a_jump_after_a_constant_stretch_is_flagged_once():
    values = np.r_[np.zeros(24), 5.0, np.zeros(5)]
    detector = Gaussian1D()
    scores = _scores(detector, values)
    assert np.flatnonzero(scores >= detector.threshold).tolist() == [24]
    assert np.isfinite(scores[1:]).all() and scores[24] <= 1.0


def test_shared_case_constant_columns(shared):
    import dsio

    frame = dsio.score(shared("cases", "B15_constant_columns.csv"))
    for column in ("setpoint", "offset"):
        scores = frame[f"SCORE_{column}"].dropna()
        assert len(scores) >= len(frame) - 1 and (scores == scores.iloc[0]).all()
        assert not frame[f"FLAG_{column}"].fillna(False).any()
    flagged = frame.index[frame["FLAG_valve"].fillna(False).astype(bool)].tolist()
    assert flagged == [26]
    scores = frame.filter(like="SCORE_").to_numpy(float)
    assert not np.isinf(scores).any() and np.isnan(scores).sum() <= scores.shape[1]


def test_the_flag_threshold_is_a_parameter():
    values = pd.Series(np.random.default_rng(6).normal(0, 1, 3000)).to_numpy()
    strict, loose = Gaussian1D(threshold=0.9999), Gaussian1D(threshold=0.99)
    assert strict.threshold == 0.9999
    assert np.sum(_scores(strict, values) >= 0.9999) < np.sum(_scores(loose, values) >= 0.99)
