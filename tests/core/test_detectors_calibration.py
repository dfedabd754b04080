"""Rank calibration, the non-saturating score map, and one alarm per episode."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from dsio.detectors.calibration import (
    TAIL_KNEE,
    RankCalibration,
    log_tail_from_score,
    score_from_tail,
)
from dsio.detectors.quiet import AlarmQuieter


def test_scores_rise_with_surprise_and_reach_one_only_at_p_zero():
    log_p = -np.r_[np.linspace(0, 30, 301), 100.0, 1e3, 1e4, 1e6]
    scores = score_from_tail(log_p)
    assert (np.diff(scores) > 0).all()
    assert scores[0] == 0.0 and scores[-1] < 1.0
    assert score_from_tail(np.array([-np.inf]))[0] == 1.0
    knee = np.log(TAIL_KNEE)
    below, above = score_from_tail(np.array([knee - 1e-9, knee + 1e-9]))
    assert np.isclose(below, above, rtol=0, atol=1e-14)


def test_score_and_log_tail_are_inverses():
    log_p = -np.r_[0.0, 0.01, 1.0, 13.0, 14.0, 50.0, 400.0]
    np.testing.assert_allclose(log_tail_from_score(score_from_tail(log_p)), log_p, rtol=1e-6)


def test_without_a_tail_estimate_p_is_the_conformal_rank():
    calibration = RankCalibration(low=0.0, high=100.0, bins=100, history=1e12, refresh=10)
    calibration.learn(np.arange(10.0))  # scores 0..9, one per bin
    log_p = calibration.log_tail_probability(np.array([0.0, 4.0, 9.0, 50.0]))
    # k earlier scores at or above, of n = 10: p = (k + 1) / (n + 1)
    np.testing.assert_allclose(np.exp(log_p), np.array([11, 7, 2, 1]) / 11)


def test_a_tail_estimate_orders_scores_beyond_everything_seen():
    calibration = RankCalibration(low=0.0, high=10.0, bins=1000, history=1e12)
    calibration.learn(np.random.default_rng(1).uniform(0, 5, 1000))
    raw = np.array([6.0, 7.0, 9.0])
    log_p = calibration.log_tail_probability(raw, log_tail=-raw)
    assert (np.diff(log_p) < 0).all()
    np.testing.assert_allclose(log_p, np.log(1 / 1001) - raw, rtol=1e-3)


def test_calibrated_scores_of_a_stable_stream_are_uniform():
    rng = np.random.default_rng(2)
    calibration = RankCalibration(low=0.0, high=20.0, bins=2000)
    calibration.calibrate(rng.exponential(1.0, 5000))
    scores = np.concatenate([calibration.calibrate(rng.exponential(1.0, 1000)) for _ in range(20)])
    for level in (0.5, 0.9, 0.99):
        assert abs(np.mean(scores >= level) - (1 - level)) < 0.25 * (1 - level) + 0.002


def test_old_scores_fade_with_the_history_length():
    calibration = RankCalibration(low=0.0, high=1.0, bins=10, history=100)
    calibration.learn(np.full(1000, 0.95))
    calibration.learn(np.full(1000, 0.05))
    assert calibration.seen == pytest.approx(100, rel=0.01)
    assert calibration.log_tail_probability(np.array([0.9]))[0] < np.log(0.01)


def test_calibration_state_pickles():
    calibration = RankCalibration(refresh=100)
    calibration.learn(np.linspace(0, 1, 150))  # one refresh, and 50 scores still queued
    clone = pickle.loads(pickle.dumps(calibration))
    raw = np.linspace(0, 1, 80)
    np.testing.assert_array_equal(clone.calibrate(raw), calibration.calibrate(raw))


def test_scores_do_not_depend_on_how_the_stream_is_cut():
    rng = np.random.default_rng(3)
    raw = rng.exponential(2.0, 12_345)
    whole = RankCalibration(low=0.0, high=30.0, bins=500).calibrate(raw, log_tail=-raw)
    for cuts in (
        [1000 * k for k in range(1, 13)],
        [1, 999, 1001, 5000],
        sorted(rng.choice(12_345, 300)),
    ):
        calibration = RankCalibration(low=0.0, high=30.0, bins=500)
        pieces = np.split(np.arange(len(raw)), cuts)
        scores = np.concatenate([calibration.calibrate(raw[p], log_tail=-raw[p]) for p in pieces])
        np.testing.assert_array_equal(scores, whole)


def test_the_table_is_refreshed_every_refresh_values():
    calibration = RankCalibration(low=0.0, high=10.0, bins=10, history=1e12, refresh=3)
    calibration.learn(np.array([5.0, 5.0]))
    assert calibration.seen == 0.0  # two scores queued, none ranked against yet
    calibration.learn(np.array([5.0, 5.0, 5.0, 5.0]))
    assert calibration.seen == pytest.approx(6.0)


def test_an_episode_raises_one_alarm_until_it_calms_down():
    quieter = AlarmQuieter(quiet=5)
    episode = np.r_[0.9995, np.full(20, 0.999), np.zeros(5), 0.999]
    scores = quieter.quiet(episode, threshold=0.999)
    assert np.flatnonzero(scores >= 0.999).tolist() == [0, 26]


def test_a_far_stronger_alarm_gets_through_and_quiet_spans_batches():
    quieter = AlarmQuieter(quiet=10)
    first = quieter.quiet(np.array([0.0, 0.999]), threshold=0.999)
    # p = 1e-3 then: 1e-5 is not twice as surprising (1e-6 would be), 1e-7 is.
    second = quieter.quiet(np.array([1 - 1e-5, 1 - 1e-7, 0.9995]), threshold=0.999)
    assert first[1] == 0.999
    assert second.tolist() == [(1 - 1e-5) / 2, 1 - 1e-7, 0.9995 / 2]


def test_quiet_zero_changes_nothing():
    scores = np.array([0.999, 0.999, 0.999])
    assert AlarmQuieter(0).quiet(scores, 0.99).tolist() == scores.tolist()
