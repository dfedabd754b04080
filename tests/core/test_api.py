"""The library entry points: dsio.score and dsio.restream on pandas DataFrames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import dsio
from dsio.engine import RunSummary
from dsio.errors import UsageError
from dsio.sinks.memory import MemorySink


@pytest.fixture
def frame():
    rng = np.random.default_rng(5)
    values = rng.normal(20, 0.5, 500)
    values[400] = 35.0
    return pd.DataFrame(
        {
            "when": pd.date_range("2024-03-01", periods=500, freq="min"),
            "temp": values,
            "label": ["x"] * 500,
        }
    )


def test_score_returns_every_row_with_scores_and_flags(frame):
    scored = dsio.score(frame, detector="gaussian1d")
    assert len(scored) == 500
    assert list(scored.columns) == ["time", "temp", "SCORE_temp", "FLAG_temp"]
    assert scored["time"].iloc[0] == pd.Timestamp("2024-03-01", tz="UTC")
    assert np.nanargmax(scored["SCORE_temp"].to_numpy()) == 400
    assert bool(scored["FLAG_temp"].iloc[400])


def test_score_takes_typed_params_and_rejects_unknown_ones(frame):
    strict = dsio.score(frame, detector="gaussian1d", params={"threshold": 0.5})
    default = dsio.score(frame, detector="gaussian1d")
    assert strict["FLAG_temp"].sum() > default["FLAG_temp"].sum()
    with pytest.raises(UsageError, match="unknown detector 'nope'"):
        dsio.score(frame, detector="nope")


def test_restream_blocks_outside_jupyter_and_delivers_to_given_sinks(frame):
    sink = MemorySink()
    summary = dsio.restream(frame, speed=0, sinks=[sink])
    assert isinstance(summary, RunSummary) and summary.rows == 500
    assert len(sink.frame()) == 500


def test_restream_in_the_background_returns_a_handle_that_stops_the_replay(frame):
    sink = MemorySink()
    handle = dsio.restream(frame, speed=1, sinks=[sink], background=True)  # 500 minutes of data
    assert handle.running
    summary = handle.stop()
    assert not handle.running
    assert summary.interrupted and summary.rows < 500


def test_score_takes_a_detector_class_or_a_configured_instance(frame):
    from dsio.detectors.gaussian import Gaussian1D

    by_name = dsio.score(frame, detector="gaussian1d")
    by_class = dsio.score(frame, detector=Gaussian1D)
    by_instance = dsio.score(frame, detector=Gaussian1D(threshold=0.5))
    np.testing.assert_array_equal(by_class["SCORE_temp"], by_name["SCORE_temp"])
    assert by_instance["FLAG_temp"].sum() > by_name["FLAG_temp"].sum()
    with pytest.raises(UsageError, match="detector must be a name"):
        dsio.score(frame, detector=42)
