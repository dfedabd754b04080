"""DataFrame input: the same time and sensor rules as files, rows indexed by position."""

from __future__ import annotations

import logging
import time

import numpy as np
import pandas as pd
import pytest

from dsio import SourceOptions
from dsio.errors import InputError
from dsio.sources.frame import FrameSource
from dsio.stream import TIME
from dsio.testing import read_frames


def read(df, **options):
    return read_frames(FrameSource(df, SourceOptions(**options)))


def warnings_of(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


MINUTES = pd.date_range("2024-03-01 08:00", periods=6, freq="min")


def test_a_datetime_index_is_the_time():
    df = pd.DataFrame({"a": np.arange(6.0), "b": np.arange(6) * 2}, index=MINUTES)
    info, frames = read(df)
    frame = pd.concat(frames)
    assert info.time_field == "index" and info.sensors == ("a", "b")
    assert frame.index.name == "line" and frame.index.tolist() == list(range(6))
    assert frame[TIME].tolist() == MINUTES.tz_localize("UTC").tolist()
    assert frame["b"].dtype == np.float64


def test_a_named_datetime_index_in_a_zone_is_converted_to_utc():
    index = MINUTES.tz_localize("Europe/Berlin").rename("stamp")
    info, frames = read(pd.DataFrame({"a": np.arange(6.0)}, index=index))
    assert info.time_field == "stamp"
    assert frames[0][TIME].iloc[0] == pd.Timestamp("2024-03-01 07:00", tz="UTC")


def test_a_naive_index_is_read_in_the_given_timezone():
    _, frames = read(pd.DataFrame({"a": np.arange(6.0)}, index=MINUTES), timezone="Asia/Tokyo")
    assert frames[0][TIME].iloc[0] == pd.Timestamp("2024-02-29 23:00", tz="UTC")


@pytest.mark.parametrize(
    "times",
    [
        MINUTES.strftime("%Y-%m-%dT%H:%M:%S+00:00").tolist(),
        (MINUTES.as_unit("ms").asi8).tolist(),
        MINUTES.tolist(),
        MINUTES.strftime("%d/%m/%Y %H:%M").tolist(),
    ],
    ids=["iso-text", "epoch-ms", "timestamps", "day-first-text"],
)
def test_a_time_column_is_found_like_in_a_file(times):
    df = pd.DataFrame({"value": np.arange(6.0), "timestamp": times})
    info, frames = read(df)
    assert info.time_field == "timestamp" and info.sensors == ("value",)
    assert pd.concat(frames)[TIME].tolist() == MINUTES.tz_localize("UTC").tolist()


def test_without_time_dsio_makes_a_clock(caplog):
    before = time.time_ns() - 10**9
    with caplog.at_level(logging.WARNING):
        info, frames = read(pd.DataFrame({"a": [1.0, 2.0, 3.0]}))
    assert info.time_field is None
    ns = pd.DatetimeIndex(frames[0][TIME]).asi8
    assert ns[0] >= before and np.diff(ns).tolist() == [10**9, 10**9]
    assert any("no time column" in m for m in warnings_of(caplog))


def test_text_cells_are_read_like_file_cells_with_warnings_naming_rows(caplog):
    df = pd.DataFrame(
        {
            "time": MINUTES,
            "flow": ["1.5", "#VALUE!", None, "2,000", "inf", "3"],
            "label": list("abcdef"),
            "motor.temp": [1, 2, 3, 4, 5, np.nan],
        }
    )
    with caplog.at_level(logging.WARNING):
        info, frames = read(df)
    frame = pd.concat(frames)
    assert info.sensors == ("flow", "motor_temp")
    assert frame["flow"].tolist()[:1] == [1.5] and frame.loc[3, "flow"] == 2000.0
    assert frame["flow"].isna().tolist() == [False, True, True, False, True, False]
    assert np.isnan(frame.loc[5, "motor_temp"])
    found = warnings_of(caplog)
    assert any("'flow'" in m and "rows 1 ('#VALUE!'), 4 ('inf')" in m for m in found)
    assert any("'label'" in m and "no numbers" in m for m in found)
    assert any("'motor.temp' → 'motor_temp'" in m for m in found)


def test_frames_follow_chunk_rows_and_keep_positions():
    df = pd.DataFrame({"a": np.arange(250.0)}, index=pd.date_range("2024", periods=250, freq="s"))
    _, frames = read(df, chunk_rows=100)
    assert [len(f) for f in frames] == [100, 100, 50]
    assert frames[2].index[0] == 200


def test_sensors_and_timefield_options_apply():
    df = pd.DataFrame({"t2": MINUTES, "a": np.arange(6.0), "b": np.arange(6.0)}, index=MINUTES)
    info, _ = read(df, timefield="t2", sensors=("b",))
    assert info.time_field == "t2" and info.sensors == ("b",)
    with pytest.raises(InputError, match=r"DataFrame: --sensors 'c' is not a column"):
        read(df, sensors=("c",))


def test_an_unreadable_time_names_the_row():
    df = pd.DataFrame({"time": ["2024-03-01 08:00", "2024-03-01 08:01", "later"], "a": [1, 2, 3]})
    with pytest.raises(InputError, match=r"DataFrame: cannot read 'later'.*row 2, column 'time'"):
        read(df)


def test_an_empty_frame_is_an_error():
    with pytest.raises(InputError, match="DataFrame: no rows"):
        read(pd.DataFrame({"a": []}))


def test_dsio_score_reads_a_dataframe_with_the_same_rules():
    import dsio

    days = pd.date_range("2024-03-13 08:00", periods=30, freq="min")
    df = pd.DataFrame(
        {"date": days.strftime("%d/%m/%Y %H:%M"), "motor.temp": np.linspace(50, 60, 30)}
    )
    scored = dsio.score(df)
    assert scored.index.tolist() == list(range(30))
    assert scored[TIME].tolist() == days.tz_localize("UTC").tolist()
    assert {"motor_temp", "SCORE_motor_temp", "FLAG_motor_temp"} <= set(scored.columns)


@pytest.mark.parametrize("pattern", ["%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M"])
def test_day_order_proven_beyond_the_first_frame_is_found(caplog, pattern):
    """Like a file: the 13th only comes after the first frame of rows, and decides them all."""
    times = pd.date_range("2024-06-05", periods=300, freq="min").append(
        pd.DatetimeIndex(["2024-06-13 09:00"])
    )
    df = pd.DataFrame({"when": times.strftime(pattern), "v": 1.0})
    with caplog.at_level(logging.WARNING):
        _, frames = read(df, timefield="when", chunk_rows=100)
    assert pd.concat(frames)[TIME].tolist() == times.tz_localize("UTC").tolist()
    assert warnings_of(caplog) == []


def test_dates_that_never_show_their_order_are_a_warning(caplog):
    df = pd.DataFrame({"date": ["01/02/2024", "02/02/2024", "03/02/2024"], "v": [1.0, 2, 3]})
    with caplog.at_level(logging.WARNING):
        read(df)
    (message,) = warnings_of(caplog)
    assert "'date'" in message and "day-first" in message
