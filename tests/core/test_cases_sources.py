"""The shared input cases (../shared/cases/EXPECTED.md), as far as reading them goes.

Each test reads a case file through the registered CSV source and checks what EXPECTED.md says
about rows, sensors, parsed times and messages. Scores, flags and Elasticsearch documents for
the same files are checked by the engine, detector and sink tests.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from dsio import SourceOptions
from dsio.sources.csv import CsvSource
from dsio.stream import TIME
from dsio.testing import read_frames

pytestmark = pytest.mark.filterwarnings("error")  # pandas must not warn while dsio reads


def read(path, **options):
    """Open a file with the CSV source; return its SourceInfo and all its rows as one frame."""
    info, frames = read_frames(CsvSource(str(path), SourceOptions(**options)))
    return info, pd.concat(frames)


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def nanoseconds(frame: pd.DataFrame) -> np.ndarray:
    """The times of a frame as int64 nanoseconds since the epoch."""
    return pd.DatetimeIndex(frame[TIME]).as_unit("ns").asi8


def steps(frame: pd.DataFrame) -> set[int]:
    """The distinct steps between consecutive times, in nanoseconds."""
    return set(np.diff(nanoseconds(frame)).tolist())


def test_b01_epoch_milliseconds_are_64_bit_times(shared):
    info, frame = read(shared("cases", "B01_epoch_ms.csv"))
    assert info.time_field == "time"
    assert set(info.sensors) == {"temp", "pressure"}
    assert len(frame) == 20
    assert frame[TIME].iloc[0] == utc("2024-03-01T08:00:00")
    assert frame[TIME].iloc[-1] == utc("2024-03-01T08:00:19")
    offsets = nanoseconds(frame) - nanoseconds(frame)[0]
    assert offsets.dtype == np.int64
    assert offsets.tolist() == [i * 1_000_000_000 for i in range(20)]


def test_b05_day_first_dates_are_read_day_first_in_every_row(shared):
    info, frame = read(shared("cases", "B05_dayfirst_dates.csv"))
    assert info.time_field == "date"
    assert info.sensors == ("level",)
    assert len(frame) == 16
    assert frame[TIME].iloc[0] == utc("2024-03-11 00:00")
    assert frame[TIME].iloc[-1] == utc("2024-03-14 18:00")
    assert steps(frame) == {6 * 3600 * 10**9}


def test_b06_offsets_that_change_at_daylight_saving_become_even_utc_steps(shared):
    info, frame = read(shared("cases", "B06_dst_offsets.csv"))
    assert info.time_field == "timestamp"
    assert info.sensors == ("power",)
    assert len(frame) == 12
    assert str(frame[TIME].dtype) == "datetime64[ns, UTC]"
    assert frame[TIME].iloc[0] == utc("2023-10-28T22:30:00")
    assert frame[TIME].iloc[-1] == utc("2023-10-29T04:00:00")
    assert steps(frame) == {30 * 60 * 10**9}


def test_b10_bom_quoted_header_and_crlf_leave_clean_names(shared):
    info, frame = read(shared("cases", "B10_bom_header.csv"))
    assert info.time_field == "time"
    assert set(info.sensors) == {"humidity", "temp"}
    assert list(frame.columns) == [TIME, "humidity", "temp"]
    assert len(frame) == 12
    assert frame[TIME].iloc[0] == utc("2024-03-01 08:00:00")
    assert frame[TIME].iloc[-1] == utc("2024-03-01 08:11:00")


def test_b11_semicolons_and_decimal_commas_are_sniffed(shared):
    info, frame = read(shared("cases", "B11_semicolon_decimal_comma.csv"))
    assert info.time_field == "datetime"
    assert set(info.sensors) == {"temp", "pressure"}
    assert len(frame) == 12
    assert frame.loc[2, "temp"] == 20.6
    assert frame.loc[2, "pressure"] == 1011.8
    assert frame[TIME].iloc[0] == utc("2024-03-01 08:00")
    assert frame[TIME].iloc[-1] == utc("2024-03-01 08:55")
    assert steps(frame) == {5 * 60 * 10**9}


def test_b13_trailing_empty_and_blank_rows_are_not_rows(shared):
    info, frame = read(shared("cases", "B13_trailing_empty_rows.csv"))
    assert set(info.sensors) == {"temp", "hum"}
    assert len(frame) == 10
    assert frame[TIME].notna().all()
    assert frame[TIME].iloc[0] == utc("2024-03-01 08:00:00")
    assert frame[TIME].iloc[-1] == utc("2024-03-01 08:01:30")
    assert frame.index.tolist() == list(range(2, 12))


def test_b14_trailing_delimiter_keeps_columns_aligned(shared):
    info, frame = read(shared("cases", "B14_trailing_delimiter.csv"))
    assert info.time_field == "time"
    assert set(info.sensors) == {"temp", "hum"}
    assert len(frame) == 12
    assert frame.loc[2, TIME] == utc("2024-03-01 08:00:00")
    assert frame.loc[2, "temp"] == 20.68
    assert frame.loc[2, "hum"] == 41.1
    assert not any(c.startswith("Unnamed") or c == "" for c in frame.columns)


def test_b15_constant_columns_are_sensors(shared):
    info, frame = read(shared("cases", "B15_constant_columns.csv"))
    assert set(info.sensors) == {"temp", "setpoint", "offset", "valve"}
    assert len(frame) == 30
    assert (frame["setpoint"] == 20.0).all()
    assert (frame["offset"] == 0.1).all()
    assert frame["valve"].idxmax() == 26
    assert frame.loc[26, "valve"] == 5.0


def test_b16_missing_markers_are_missing_on_their_lines_only(shared, caplog):
    with caplog.at_level(logging.WARNING):
        info, frame = read(shared("cases", "B16_missing_values.csv"))
    assert set(info.sensors) == {"flow", "temp"}
    assert len(frame) == 20
    assert frame.index[frame["flow"].isna()].tolist() == [5, 9, 13, 17]
    assert frame["temp"].notna().all()
    assert not caplog.records  # empty, NA, NaN and null are ordinary missing values


@pytest.mark.parametrize("markers", [("NAN", "Null", "n/a", "NONE"), ("", "#N/A", "-nan", "#NV")])
def test_b16_variant_missing_markers_in_any_case_are_missing_without_a_warning(
    tmp_path, caplog, markers
):
    lines = ["ts;flow;temp"] + [
        f"2024-03-01 08:{i:02d}:00;{markers[(i - 3) // 4] if i % 4 == 3 else f'{8 + i / 10:.1f}'};"
        f"{20 + i / 10:.2f}".replace(".", ",")
        for i in range(16)
    ]
    path = tmp_path / "flow.csv"
    path.write_text("\n".join(lines) + "\n")
    with caplog.at_level(logging.WARNING):
        info, frame = read(path)
    assert info.sensors == ("flow", "temp")
    assert frame.index[frame["flow"].isna()].tolist() == [5, 9, 13, 17]
    assert frame["flow"].iloc[0] == 8.0 and frame["temp"].iloc[1] == 20.1
    assert not caplog.records


def test_b19_reads_ten_rows_and_names_the_stream_after_the_file(shared):
    info, frame = read(shared("cases", "B19_Index_Name.csv"))
    assert info.name == "B19_Index_Name"
    assert info.sensors == ("temp",)
    assert len(frame) == 10


def test_b20_dotted_and_duplicate_names_are_renamed_with_a_warning(shared, caplog):
    with caplog.at_level(logging.WARNING):
        info, frame = read(shared("cases", "B20_dotted_duplicate_names.csv"))
    assert len(frame) == 12
    assert len(info.sensors) == len(set(info.sensors)) == 5
    assert not any("." in s for s in info.sensors)
    assert set(info.sensors) == {"motor", "motor_temp", "motor_rpm", "vib", "vib_1"}
    assert frame.loc[2, "vib"] == 0.0236
    assert frame.loc[2, "vib_1"] == 0.0309
    (message,) = [r.getMessage() for r in caplog.records if "renamed" in r.getMessage()]
    for old, new in [("motor.temp", "motor_temp"), ("motor.rpm", "motor_rpm"), ("vib", "vib_1")]:
        assert f"'{old}'" in message and f"'{new}'" in message
    assert message.index("'motor.temp'") < message.index("'motor_temp'")


def test_b28_reads_the_spike_on_line_46(shared):
    info, frame = read(shared("cases", "B28_hst_unscaled.csv"))
    assert info.sensors == ("rpm",)
    assert len(frame) == 60
    assert frame["rpm"].idxmax() == 46
    assert frame.loc[46, "rpm"] == 4800.0


@pytest.mark.parametrize(
    "case",
    [
        "B01_epoch_ms.csv",
        "B05_dayfirst_dates.csv",
        "B06_dst_offsets.csv",
        "B10_bom_header.csv",
        "B11_semicolon_decimal_comma.csv",
        "B13_trailing_empty_rows.csv",
        "B14_trailing_delimiter.csv",
    ],
)
def test_cases_read_the_same_through_standard_input(shared, case, monkeypatch):
    """The live reader (used for ``-``) sniffs and parses like the file reader."""
    import io
    import sys

    path = shared("cases", case)
    expected_info, expected = read(path)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(path.read_bytes())))
    info, frame = read("-")
    assert info.live and info.sensors == expected_info.sensors
    assert info.time_field == expected_info.time_field
    pd.testing.assert_frame_equal(frame, expected)
