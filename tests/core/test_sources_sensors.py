"""Sensors: which columns are scored, how unreadable cells and unsafe names are handled."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from dsio import SourceOptions
from dsio.errors import InputError
from dsio.sources.columns import safe_field_names
from dsio.sources.csv import CsvSource
from dsio.testing import read_frames

TIMES = [f"2024-03-01 08:00:{s:02d}" for s in range(60)]


def read(path, **options):
    """Open a file with the CSV source; return its SourceInfo and all its rows as one frame."""
    info, frames = read_frames(CsvSource(str(path), SourceOptions(**options)))
    return info, pd.concat(frames)


def write(tmp_path, header: str, rows: list[str], name: str = "data.csv"):
    path = tmp_path / name
    path.write_text(header + "\n" + "".join(f"{TIMES[i]},{row}\n" for i, row in enumerate(rows)))
    return path


def warnings_of(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_every_numeric_column_is_a_sensor_in_input_order(tmp_path):
    info, frame = read(write(tmp_path, "time,b,a,c", ["1,2,3", "4,5,6"]))
    assert info.sensors == ("b", "a", "c")
    assert frame.dtypes.iloc[1:].tolist() == [np.dtype("float64")] * 3


def test_sensors_option_selects_columns(tmp_path):
    info, frame = read(write(tmp_path, "time,a,b,c", ["1,2,3", "4,5,6"]), sensors=("c", "a"))
    assert info.sensors == ("a", "c")
    assert list(frame.columns[1:]) == ["a", "c"]


def test_an_unknown_sensor_is_an_error_listing_the_available_ones(tmp_path):
    path = write(tmp_path, "time,a,b", ["1,2"])
    with pytest.raises(InputError, match=r"--sensors 'x' is not a column \(available: 'a', 'b'\)"):
        read(path, sensors=("a", "x"))


def test_a_selected_sensor_without_numbers_is_an_error(tmp_path):
    path = write(tmp_path, "time,a,status", ["1,OK", "2,FAIL"])
    with pytest.raises(InputError, match=r"--sensors column 'status' holds no numbers.*line 2"):
        read(path, sensors=("status",))


def test_a_sensor_can_be_selected_by_its_safe_name(tmp_path):
    info, _ = read(write(tmp_path, "time,motor.rpm,b", ["1,2"]), sensors=("motor_rpm",))
    assert info.sensors == ("motor_rpm",)


def test_a_column_without_numbers_is_skipped_with_a_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        info, _ = read(write(tmp_path, "time,v,status,site", ["1,OK,", "2,FAIL,"]))
    assert info.sensors == ("v",)
    found = warnings_of(caplog)
    assert any("'status'" in m and "no numbers" in m and "line 2: 'OK'" in m for m in found)
    assert any("'site'" in m and "empty" in m for m in found)


@pytest.mark.parametrize("bad", ["#VALUE!", "--", "inf", "-inf", "1e400", "#DIV/0!", "12.3.4"])
def test_an_unreadable_cell_becomes_missing_with_a_warning_naming_its_line(tmp_path, caplog, bad):
    rows = ["1.5,10", f"{bad},11", "2.5,12", "3.5,13"]
    with caplog.at_level(logging.WARNING):
        info, frame = read(write(tmp_path, "time,flow,temp", rows))
    assert info.sensors == ("flow", "temp")
    assert len(frame) == 4
    assert frame.index[frame["flow"].isna()].tolist() == [3]
    assert frame["temp"].notna().all()
    (message,) = warnings_of(caplog)
    assert "'flow'" in message and f"line 3 ('{bad}')" in message


def test_unreadable_cells_give_one_warning_per_column_naming_every_line(tmp_path, caplog):
    rows = [f"{i},{i}" for i in range(40)]
    rows[3] = "#VALUE!,3"
    rows[17] = "--,n/a?"
    rows[33] = "inf,33"
    with caplog.at_level(logging.WARNING):
        _, frame = read(write(tmp_path, "time,a,b", rows))
    assert len(frame) == 40
    assert sorted(warnings_of(caplog)) == sorted(
        [
            f"{tmp_path / 'data.csv'}: column 'a': 3 cells not readable as a number, taken as "
            "missing: lines 5 ('#VALUE!'), 19 ('--'), 35 ('inf')",
            f"{tmp_path / 'data.csv'}: column 'b': 1 cell not readable as a number, taken as "
            "missing: line 19 ('n/a?')",
        ]
    )


def test_unreadable_cells_across_many_frames_still_give_one_warning(tmp_path, caplog):
    rows = [f"{i % 50}" if i % 1000 else "#VALUE!" for i in range(10_000)]
    path = tmp_path / "long.csv"
    path.write_text("time,a\n" + "".join(f"{1709280000 + i},{r}\n" for i, r in enumerate(rows)))
    with caplog.at_level(logging.WARNING):
        _, frame = read(path, chunk_rows=500)
    assert frame["a"].isna().sum() == 10
    (message,) = warnings_of(caplog)
    assert "10 cells" in message and "lines 2 ('#VALUE!'), 1002 ('#VALUE!')" in message
    assert "and 2 more" in message


def test_names_that_break_sinks_are_renamed_with_one_warning(tmp_path, caplog):
    header = "timestamp,a.b,a_b,x,x,x,time,_id,SCORE_a"
    chosen = ("a.b", "a_b", "x", "time", "_id", "SCORE_a")
    with caplog.at_level(logging.WARNING):
        info, frame = read(write(tmp_path, header, ["1,2,3,4,5,6,7,8"]), sensors=chosen)
    assert info.time_field == "timestamp"
    assert info.sensors == ("a_b_1", "a_b", "x", "time_1", "id", "sensor_SCORE_a")
    assert list(frame.columns[1:]) == list(info.sensors)
    assert frame.loc[2, "a_b_1"] == 1.0 and frame.loc[2, "a_b"] == 2.0
    (message,) = [m for m in warnings_of(caplog) if "renamed" in m]
    for change in ["'a.b' → 'a_b_1'", "'time' → 'time_1'", "'_id' → 'id'"]:
        assert change in message


def test_duplicate_names_are_numbered_in_order(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        info, frame = read(write(tmp_path, "time,x,x,x", ["1,2,3"]))
    assert info.sensors == ("x", "x_1", "x_2")
    assert frame.iloc[0, 1:].tolist() == [1.0, 2.0, 3.0]
    (message,) = warnings_of(caplog)
    assert "'x' (column 3) → 'x_1'" in message and "'x' (column 4) → 'x_2'" in message


def test_safe_names_leave_good_names_alone():
    assert safe_field_names(["temp", "Temp", "temp °C", "rpm"], quiet=True) == [
        "temp",
        "Temp",
        "temp °C",
        "rpm",
    ]
