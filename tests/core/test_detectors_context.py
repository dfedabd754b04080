"""ContextSurprise and its temporal context model."""

from __future__ import annotations

import numpy as np

from dsio.detectors.calibration import log_tail_from_score
from dsio.detectors.context import ContextSurprise
from dsio.detectors.transitions import CountTable, TransitionModel
from dsio.plugins import PluginHost
from dsio.scoring import SensorScorer


def test_counts_before_each_key_include_earlier_keys_of_the_batch():
    table = CountTable()
    table.add(np.array([5, 5, 9]))
    keys = np.array([5, 7, 5, 9, 7, 7])
    expected = [2, 0, 3, 1, 1, 2]
    assert table.before_each(keys).tolist() == expected


def test_a_batch_predicts_exactly_as_one_value_at_a_time():
    values = np.round(np.random.default_rng(1).normal(0, 1, 400), 1)
    whole = TransitionModel(order=2, levels=8, warmup=50).log_probability(values)
    single = TransitionModel(order=2, levels=8, warmup=50)
    one_by_one = np.concatenate([single.log_probability(values[i : i + 1]) for i in range(400)])
    np.testing.assert_allclose(whole, one_by_one)
    assert (whole[:50] == 0).all() and (whole[50:] < 0).all()


def test_scores_do_not_depend_on_how_the_stream_is_cut_into_batches():
    rng = np.random.default_rng(6)
    values = np.sin(np.arange(30_000) / 50.0) + rng.normal(0, 0.1, 30_000)
    values[rng.random(len(values)) < 1e-3] += 3.0
    whole = ContextSurprise().score_update(values)
    detector = ContextSurprise()
    cuts = np.sort(rng.choice(30_000, 200, replace=False))
    scores = np.concatenate([detector.score_update(part) for part in np.split(values, cuts)])
    np.testing.assert_allclose(scores, whole, rtol=0, atol=1e-9)  # float rounding only
    np.testing.assert_array_equal(scores >= 0.999, whole >= 0.999)


def test_a_learned_sequence_makes_its_next_level_likely_and_others_unlikely():
    cycle = np.tile([0.0, 1.0, 2.0, 3.0], 100)
    model = TransitionModel(order=2, levels=4, warmup=20)
    model.log_probability(cycle)
    expected, unexpected = np.exp(model.log_probability(np.array([0.0, 1.0, 0.0])))[[1, 2]]
    assert expected > 0.9 and unexpected < 0.05


def test_values_beyond_the_warmup_range_get_levels_of_their_own():
    model = TransitionModel(order=1, levels=10, warmup=100)
    model.log_probability(np.random.default_rng(2).uniform(0, 1, 2000))
    inside, outside = model.log_probability(np.array([0.5, 0.5, 5.0]))[[1, 2]]
    assert outside < inside - 3


def test_warmup_values_get_no_score():
    detector = ContextSurprise(warmup=150)
    scores = detector.score_update(np.random.default_rng(3).normal(0, 1, 300))
    assert np.isnan(scores[:150]).all() and np.isfinite(scores[150:]).all()


def test_a_breakout_is_flagged_and_a_lasting_one_alarms_once():
    values = np.random.default_rng(4).normal(0, 1, 3000)
    values[2000:] += 10.0
    detector = ContextSurprise()
    scores = SensorScorer(detector, "ContextSurprise", "x").score_stream(values)
    alarms = np.flatnonzero(scores >= detector.threshold)
    assert 2000 in alarms
    assert len([i for i in alarms if 2000 <= i < 2100]) == 1


def test_a_noise_burst_in_a_cycle_is_flagged_far_above_the_cycles():
    rng = np.random.default_rng(0)
    t = np.arange(3000)
    values = np.sin(2 * np.pi * t / 100) + rng.normal(0, 0.1, 3000)
    values[2500:2520] += rng.normal(0, 0.6, 20)
    detector = ContextSurprise()
    scores = detector.score_update(values)
    burst, cycles = scores[2500:2530], scores[1000:2500]
    # At a threshold of 0.999 the cycles may raise the odd alarm (about 1 in 1,000 values);
    # the burst's alarm is far rarer than any of them: a tail probability under their square.
    assert (cycles >= detector.threshold).sum() <= 3
    assert log_tail_from_score(burst.max()) < 2 * log_tail_from_score(cycles.max())


def test_the_built_in_detectors_are_registered_by_name():
    host = PluginHost()
    host.load_installed()
    for name in ("Gaussian1D", "Percentile1D", "ContextSurprise", "context-surprise"):
        entry = host.detectors.get(name)
        assert entry.plugin == "detectors"
