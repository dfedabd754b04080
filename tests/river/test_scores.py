"""What river adapters' scores mean: scaled inputs, one direction, warm-up as missing, no leaks."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

import dsio
from dsio.scoring import SensorScorer
from dsio_river.adapters import FACTORIES, RiverDetectorFactory

BY_NAME: dict[str, RiverDetectorFactory] = {f.__name__: f for f in FACTORIES}
NOT_LIVE = ["--speed", "0", "--no-bokeh", "--no-browser"]


def _auc(scores: np.ndarray, positives: np.ndarray, start: int) -> float:
    """Probability that a positive row outscores a negative one after ``start`` (ties: half)."""
    negatives = np.setdiff1d(np.arange(start, len(scores)), positives)
    hit, miss = scores[positives], scores[negatives]
    hit, miss = hit[~np.isnan(hit)], miss[~np.isnan(miss)]
    return float((hit[:, None] > miss).mean() + 0.5 * (hit[:, None] == miss).mean())


def test_b28_unscaled_rpm_spike_gets_the_strictly_highest_score(dsio_cli, shared, tmp_path):
    case = shared("cases", "B28_hst_unscaled.csv")
    out = tmp_path / "scored.csv"
    result = dsio_cli("--detector", "HalfSpaceTrees", *NOT_LIVE, "--output", out, case)
    assert result.returncode == 0, result.stderr
    scored = pd.read_csv(out)
    scored.index += 2  # file line numbers: the header is line 1
    assert len(scored) == 60
    score = scored["SCORE_rpm"]
    assert score.nunique() > 1, "SCORE_rpm is constant"
    assert score.idxmax() == 46 and scored.loc[46, "rpm"] == 4800.0
    assert (score == score.max()).sum() == 1, "the spike's score is tied"
    # The trees score their first window too, so there is no warm-up: every row is scored.
    assert score.notna().all()
    assert scored["FLAG_rpm"].notna().all()


def test_raw_river_half_space_trees_scores_zero_on_unscaled_values(shared):
    """The failure the adapter exists for: river's HST on raw rpm values says 0 everywhere."""
    from river import anomaly

    rpm = pd.read_csv(shared("cases", "B28_hst_unscaled.csv"))["rpm"]
    model = anomaly.HalfSpaceTrees(window_size=25, seed=0)
    raw = []
    for value in rpm:
        raw.append(model.score_one({"rpm": value}))
        model.learn_one({"rpm": value})
    assert set(raw) == {0.0}


def test_half_space_trees_score_their_first_window_then_match_river():
    """river says 0 for the whole first window; dsio's trees score it, then agree with river."""
    from river import anomaly

    from dsio_river.halfspace import GrowingHalfSpaceTrees

    values = np.random.default_rng(4).uniform(0.3, 0.7, 120)
    values[[20, 90]] = [0.97, 0.03]
    ours, river = (
        GrowingHalfSpaceTrees(window_size=50, seed=1),
        anomaly.HalfSpaceTrees(window_size=50, seed=1),
    )
    mine, theirs = [], []
    for value in values:
        mine.append(ours.score_one({"x": value}))
        theirs.append(river.score_one({"x": value}))
        ours.learn_one({"x": value})
        river.learn_one({"x": value})
    assert set(theirs[:50]) == {0}
    assert np.argmax(mine[5:50]) + 5 == 20  # the first window's outlier stands out already
    assert mine[50:] == theirs[50:]


def test_b16_missing_values_are_neither_scored_nor_learned(dsio_cli, shared, tmp_path):
    case = shared("cases", "B16_missing_values.csv")
    out = tmp_path / "scored.csv"
    result = dsio_cli("--detector", "HalfSpaceTrees", *NOT_LIVE, "--output", out, case)
    assert result.returncode == 0, result.stderr
    scored = pd.read_csv(out)
    scored.index += 2
    missing = [5, 9, 13, 17]
    assert scored.loc[missing, "flow"].isna().all()
    assert scored.loc[missing, ["SCORE_flow", "FLAG_flow"]].isna().all().all()
    present = scored.index.difference(missing)
    assert scored.loc[present, "SCORE_flow"].between(0, 1).all()  # every other row is scored
    assert scored["SCORE_temp"].notna().all()
    # Scores of the present values are those of the same values without the gaps.
    alone = SensorScorer(BY_NAME["HalfSpaceTrees"](), "hst", "flow")
    expected = alone.score_stream(scored.loc[present, "flow"].to_numpy())
    np.testing.assert_array_equal(scored.loc[present, "SCORE_flow"].to_numpy(), expected)


def test_gaussian_scorer_keeps_far_values_apart_where_river_rounds_them_to_one():
    from river import anomaly

    values = np.random.default_rng(5).normal(0, 1, 2000)
    far = np.array([12.0, 40.0, 400.0])
    river = anomaly.GaussianScorer(grace_period=10)
    for value in values:
        river.learn_one(None, value)
    assert {river.score_one(None, value) for value in far} == {1.0}
    detector = BY_NAME["GaussianScorer"]()
    detector.score_update(values)
    scores = detector.score(far)
    assert (np.diff(scores) > 0).all() and scores[-1] < 1.0


@pytest.mark.parametrize("name", ["GaussianScorer", "StandardAbsoluteDeviation"])
def test_normal_tail_models_flag_about_2_in_1000_on_a_heavy_tailed_sensor(name):
    """A z's normal tail flags 5x too often on heavy tails; dsio's rank correction does not."""
    from river import anomaly

    values = np.random.default_rng(6).standard_t(2, 20_000)
    river = anomaly.GaussianScorer(grace_period=10)
    raw = []
    for value in values:
        raw.append(river.score_one(None, value))
        river.learn_one(None, value)
    scores = BY_NAME[name]().score_update(values)
    assert np.mean(np.array(raw[2000:]) >= 0.998) > 0.01
    assert np.mean(scores[2000:] >= 0.998) < 0.004


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_warm_up_values_get_missing_scores_and_are_learned(factory):
    values = np.random.default_rng(0).normal(10, 1, 200)
    detector = factory(warm_up=40)
    scores = SensorScorer(detector, factory.__name__, "x").score_stream(values)
    assert np.isnan(scores[:40]).all()
    assert not np.isnan(scores[40:]).any()


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_scores_do_not_depend_on_how_the_stream_is_batched(factory):
    """The engine, dsio.score and a notebook cut streams differently; the scores must agree."""
    values = np.random.default_rng(7).normal(10, 1, 1500)
    values[[700, 1200]] = [16.0, 3.0]
    params = {"window_size": 100} if factory.__name__ == "LocalOutlierFactor" else {}
    whole = SensorScorer(factory(**params), factory.__name__, "x").score_stream(values, 5000)
    for batch_rows in (1, 37, 1000):
        scorer = SensorScorer(factory(**params), factory.__name__, "x")
        cut = scorer.score_stream(values[:600], batch_rows)  # 1-value batches are slow: 600
        np.testing.assert_array_equal(cut, whole[:600], err_msg=f"batches of {batch_rows}")
    scorer = SensorScorer(factory(**params), factory.__name__, "x")
    np.testing.assert_array_equal(scorer.score_stream(values, 37), whole)


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_score_does_not_learn(factory):
    values = np.random.default_rng(1).normal(10, 1, 300)
    detector = factory()
    detector.score_update(values[:200])
    first = detector.score(values[200:])
    again = detector.score(values[200:])
    np.testing.assert_array_equal(first, again)
    twin = factory()
    twin.score_update(values[:200])
    np.testing.assert_array_equal(
        detector.score_update(values[200:]), twin.score_update(values[200:])
    )


def test_one_class_svm_scores_outliers_high_although_river_scores_them_low():
    """river's one-class SVM gives normal values the higher decision value; dsio flips it."""
    rng = np.random.default_rng(2)
    values = rng.normal(0, 1, 1500)
    values[[900, 1100, 1300]] = [7.0, -7.0, 8.0]
    detector = BY_NAME["OneClassSVM"]()
    scores = detector.score_update(values)
    assert np.nanmin(scores[[900, 1100, 1300]]) > np.nanquantile(scores[500:], 0.99)


def test_scores_are_deterministic_and_survive_pickling_mid_stream():
    values = np.random.default_rng(3).normal(0, 1, 600)
    detector = BY_NAME["LODA"](n_random_cuts=10)
    detector.score_update(values[:300])
    clone = pickle.loads(pickle.dumps(detector))
    np.testing.assert_array_equal(
        clone.score_update(values[300:]), detector.score_update(values[300:])
    )


def _pair_with_crossed_rows(seed: int = 0, n: int = 1500) -> tuple[np.ndarray, np.ndarray]:
    """Two sensors that move together; on 10 rows the second mirrors the first instead.

    Every value on its own is ordinary (well inside its sensor's range, no jump from the
    values before it, as the sensors are drawn independently row to row); only the pair is off
    the diagonal.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, n)
    y = x + rng.normal(0, 0.2, n)
    ordinary = np.flatnonzero((np.abs(x) > 0.6) & (np.abs(x) < 1.0) & (np.arange(n) > n // 3))
    crossed = np.sort(rng.choice(ordinary, 10, replace=False))
    y[crossed] = -x[crossed]
    return np.column_stack([x, y]), crossed


@pytest.mark.parametrize(
    ("name", "params", "least_auc"),
    [("LocalOutlierFactor", {"window_size": 100}, 0.95), ("HalfSpaceTrees", {}, 0.8)],
)
def test_multivariate_model_sees_an_anomaly_only_the_combination_shows(name, params, least_auc):
    pair, crossed = _pair_with_crossed_rows()
    factory = BY_NAME[name]
    per_sensor = [
        SensorScorer(factory(**params), name, sensor).score_stream(pair[:, i])
        for i, sensor in enumerate(("x", "y"))
    ]
    together = SensorScorer(factory(multivariate=True, **params), name, "all").score_stream(pair)
    assert max(_auc(s, crossed, 500) for s in per_sensor) < 0.7  # alone, nothing stands out
    assert _auc(together, crossed, 500) > least_auc


def test_multivariate_run_gives_one_score_per_row_to_every_sink(tmp_path):
    pair, crossed = _pair_with_crossed_rows(n=800)
    frame = pd.DataFrame(pair, columns=["x", "y"])
    scored = dsio.score(frame, "lof", params={"window_size": 100}, multivariate=True)
    assert "SCORE_all" in scored.columns
    assert not {"SCORE_x", "SCORE_y"} & set(scored.columns)
    assert len(scored) == 800
    assert scored["SCORE_all"].iloc[crossed].min() > scored["SCORE_all"].iloc[500:].median()


def test_multivariate_on_the_command_line_writes_one_score_column(dsio_cli, tmp_path):
    pair, _ = _pair_with_crossed_rows(n=300)
    source = tmp_path / "pair.csv"
    pd.DataFrame(pair, columns=["x", "y"]).to_csv(source, index=False)
    out = tmp_path / "scored.csv"
    result = dsio_cli(
        "--detector", "river:hst", "--multivariate", *NOT_LIVE, "--output", out, source
    )
    assert result.returncode == 0, result.stderr
    scored = pd.read_csv(out)
    assert [c for c in scored.columns if c.startswith("SCORE_")] == ["SCORE_all"]
    assert scored["SCORE_all"].notna().all()


def test_multivariate_with_a_one_sensor_model_is_a_one_line_error(dsio_cli, shared):
    case = shared("cases", "B28_hst_unscaled.csv")
    result = dsio_cli("--detector", "sad", "--multivariate", *NOT_LIVE, case)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "multivariate" in result.stderr


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_every_adapter_runs_on_the_vehicle_trace(factory, dsio_cli, shared, tmp_path):
    trace = shared("data", "openxc", "cardata_sample.csv")
    out = tmp_path / "scored.csv"
    # The two slowest models run lighter here; the benchmark times them at their defaults.
    params = {
        "LocalOutlierFactor": ["--param", "window_size=100"],
        "LODA": ["--param", "n_random_cuts=20"],
    }.get(factory.__name__, [])
    result = dsio_cli("--detector", factory.__name__, *params, *NOT_LIVE, "--output", out, trace)
    assert result.returncode == 0, result.stderr
    scored = pd.read_csv(out)
    assert len(scored) == 1357
    scores = scored[[c for c in scored.columns if c.startswith("SCORE_")]]
    assert len(scores.columns) >= 10
    given = scores.to_numpy()[~np.isnan(scores.to_numpy())]
    assert ((given >= 0) & (given <= 1)).all()
    assert scores.notna().mean().min() > 0.9
