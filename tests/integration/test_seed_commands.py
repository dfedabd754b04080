"""The seed's commands, exactly as written, run to completion (without dashboard or pacing)."""

from __future__ import annotations

import shlex
from pathlib import Path

import pandas as pd
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOT_LIVE = ["--speed", "0", "--no-bokeh", "--no-browser"]

SEED_COMMANDS = [
    "dsio data/cardata_sample.csv",
    "dsio --detector percentile1d data/kddup_sample.csv",
    "dsio --sensors accelerator_pedal_position engine_speed --detector gaussian1d --speed 5 "
    "data/cardata_sample.csv",
    "dsio --modules detector.py --detector GreaterThanMaxRolling data/cardata_sample.csv",
]


@pytest.mark.parametrize("command", SEED_COMMANDS)
def test_seed_command_scores_every_row(command, dsio_cli, tmp_path):
    args = shlex.split(command)[1:]
    out = tmp_path / "scored.csv"
    result = dsio_cli(*args[:-1], *NOT_LIVE, "--output", out, args[-1], cwd=EXAMPLES)
    assert result.returncode == 0, result.stderr
    scored = pd.read_csv(out)
    rows = sum(1 for _ in (EXAMPLES / args[-1]).open()) - 1
    assert len(scored) == rows
    scores = [c for c in scored.columns if c.startswith("SCORE_")]
    assert scores, "no sensor was scored"
    if "--sensors" in args:
        assert scores == ["SCORE_accelerator_pedal_position", "SCORE_engine_speed"]
    for column in scores:
        assert scored[column].notna().mean() > 0.9, f"{column} is mostly unscored"


def test_real_vehicle_trace_gets_a_score_and_flag_for_every_numeric_sensor(
    dsio_cli, shared, tmp_path
):
    trace = shared("data", "openxc", "cardata_sample.csv")
    out = tmp_path / "scored.csv"
    result = dsio_cli("--speed", "0", "--no-bokeh", "--output", out, trace)
    assert result.returncode == 0, result.stderr
    scored = pd.read_csv(out)
    assert len(scored) == 1357
    sensors = [c for c in pd.read_csv(trace, nrows=1).columns if c not in ("", "time")]
    sensors = [c for c in sensors if not c.startswith("Unnamed")]
    assert len(sensors) == 12  # every column but the row number and time
    for sensor in sensors:
        assert f"SCORE_{sensor}" in scored.columns and f"FLAG_{sensor}" in scored.columns
    assert "time" in scored.columns
