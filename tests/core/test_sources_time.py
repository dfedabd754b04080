"""Time detection: which column is the time, how its cells are read, and what happens without."""

from __future__ import annotations

import datetime as dt
import logging
import time

import numpy as np
import pandas as pd
import pytest

from dsio import SourceOptions
from dsio.errors import InputError, UsageError
from dsio.sources.csv import CsvSource
from dsio.sources.timeparse import is_time_name
from dsio.stream import TIME
from dsio.testing import read_frames


def read(path, **options):
    """Open a file with the CSV source; return its SourceInfo and all its rows as one frame."""
    info, frames = read_frames(CsvSource(str(path), SourceOptions(**options)))
    return info, pd.concat(frames)


def write(tmp_path, text: str, name: str = "data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def nanoseconds(frame: pd.DataFrame) -> list[int]:
    return pd.DatetimeIndex(frame[TIME]).as_unit("ns").asi8.tolist()


def messages(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize(
    "name",
    [
        "time",
        "timestamp",
        "datetime",
        "date",
        "ts",
        "Time (UTC)",
        "event_time",
        "DateTime",
        "epoch_ms",
        "Zeitstempel",
        "elapsed",
        "elapsed_s",
        "Elapsed Time (s)",
        "relative_time",
    ],
)
def test_time_names(name):
    assert is_time_name(name)


@pytest.mark.parametrize("name", ["response_time", "uptime", "runtime", "t", "temp", "update"])
def test_names_that_only_contain_time_are_not_time_names(name):
    assert not is_time_name(name)


EPOCH = 1709280000  # 2024-03-01T08:00:00Z


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ([f"{EPOCH + i}" for i in range(3)], [(EPOCH + i) * 10**9 for i in range(3)]),
        ([f"{EPOCH + i}000" for i in range(3)], [(EPOCH + i) * 10**9 for i in range(3)]),
        ([f"{EPOCH}{i}00000" for i in range(3)], [EPOCH * 10**9 + i * 10**8 for i in range(3)]),
        ([f"{EPOCH}00000000{i}" for i in range(3)], [EPOCH * 10**9 + i for i in range(3)]),
        (
            [f"{EPOCH}.25", f"{EPOCH}.5", f"{EPOCH}.75"],
            [EPOCH * 10**9 + 250_000_000 * k for k in (1, 2, 3)],
        ),
        ([f"{EPOCH}123.456" for _ in range(3)], [EPOCH * 10**9 + 123_456_000] * 3),
        # More digits than a double holds: still exact to the nanosecond.
        (
            [f"{EPOCH}.12345678{i}" for i in range(3)],
            [EPOCH * 10**9 + 123_456_780 + i for i in range(3)],
        ),
        (
            [f"{EPOCH}000.{i}5" for i in range(3)],
            [EPOCH * 10**9 + i * 100_000 + 50_000 for i in range(3)],
        ),
        ([f"{EPOCH}000000.{i}" for i in range(3)], [EPOCH * 10**9 + i * 100 for i in range(3)]),
    ],
    ids=[
        "seconds",
        "milliseconds",
        "microseconds",
        "nanoseconds",
        "fractional-s",
        "fractional-ms",
        "s-with-ns",
        "ms-with-fraction",
        "us-with-fraction",
    ],
)
def test_epoch_units_by_magnitude_exact_in_64_bits(tmp_path, cells, expected):
    text = "time,v\n" + "".join(f"{c},{i}\n" for i, c in enumerate(cells))
    info, frame = read(write(tmp_path, text))
    assert info.time_field == "time"
    assert nanoseconds(frame) == expected


def test_small_increasing_numbers_are_elapsed_seconds(tmp_path):
    text = "time,v\n" + "".join(f"{i * 0.5},{i}\n" for i in range(6))
    info, frame = read(write(tmp_path, text))
    assert info.time_field == "time"
    assert nanoseconds(frame) == [i * 500_000_000 for i in range(6)]


def test_a_date_column_is_the_time_rather_than_elapsed_seconds_beside_it(tmp_path):
    text = "elapsed_time,date,v\n0,2024-03-01,1\n1,2024-03-02,2\n2,2024-03-03,3\n"
    info, _ = read(write(tmp_path, text))
    assert info.time_field == "date"
    assert info.sensors == ("v",)


@pytest.mark.parametrize(
    ("cells", "first", "last"),
    [
        (["20240301", "20240302", "20240303"], "2024-03-01", "2024-03-03"),
        (["202403010800", "202403010815", "202403010830"], "2024-03-01 08:00", "2024-03-01 08:30"),
        (
            ["20240301080000", "20240301080005", "20240301235959"],
            "2024-03-01 08:00",
            "2024-03-01 23:59:59",
        ),
    ],
    ids=["yyyymmdd", "yyyymmddHHMM", "yyyymmddHHMMSS"],
)
def test_dates_written_as_one_number_are_dates_not_seconds(tmp_path, cells, first, last):
    text = "date,v\n" + "".join(f"{c},{i}\n" for i, c in enumerate(cells))
    info, frame = read(write(tmp_path, text))
    assert info.time_field == "date"
    assert frame[TIME].iloc[0] == pd.Timestamp(first, tz="UTC")
    assert frame[TIME].iloc[-1] == pd.Timestamp(last, tz="UTC")


def test_a_unit_in_the_name_sets_the_unit_of_elapsed_time(tmp_path):
    text = "t_ms,v\n0,1\n250,2\n500,3\n"
    text = text.replace("t_ms", "time_ms")
    _, frame = read(write(tmp_path, text))
    assert nanoseconds(frame) == [0, 250_000_000, 500_000_000]


def test_iso_offsets_are_converted_to_utc_across_a_spring_change(tmp_path):
    cells = [
        "2024-03-10T01:00:00-05:00",
        "2024-03-10T01:30:00-05:00",
        "2024-03-10T03:00:00-04:00",
        "2024-03-10T03:30:00-04:00",
    ]
    text = "timestamp,v\n" + "".join(f"{c},{i}\n" for i, c in enumerate(cells))
    _, frame = read(write(tmp_path, text))
    assert frame[TIME].iloc[0] == pd.Timestamp("2024-03-10T06:00:00", tz="UTC")
    assert set(np.diff(nanoseconds(frame))) == {30 * 60 * 10**9}


@pytest.mark.parametrize(
    "cells",
    [
        ["2024-03-01T08:00:00Z", "2024-03-01T09:00:00.5Z"],
        ["2024-03-01 08:00:00 UTC", "2024-03-01 09:00:00.5 UTC"],
        ["2024-03-01T10:00:00+02", "2024-03-01T11:00:00.5+0200"],
        ["2024-03-01T08:00:00z", "2024-03-01T09:00:00.500000000Z"],
        ["2024/03/01 08:00:00", "2024/03/01 09:00:00.5"],
        ['"Fri, 01 Mar 2024 08:00:00 GMT"', '"Fri, 01 Mar 2024 09:00:00.5 GMT"'],
    ],
)
def test_spellings_of_utc_times(tmp_path, cells):
    text = "time,v\n" + "".join(f"{c},{i}\n" for i, c in enumerate(cells))
    _, frame = read(write(tmp_path, text))
    assert frame[TIME].tolist() == [
        pd.Timestamp("2024-03-01 08:00", tz="UTC"),
        pd.Timestamp("2024-03-01 09:00:00.5", tz="UTC"),
    ]


def test_naive_times_are_utc_by_default(tmp_path):
    _, frame = read(write(tmp_path, "time,v\n2024-07-01 12:00:00,1\n"))
    assert frame[TIME].iloc[0] == pd.Timestamp("2024-07-01 12:00", tz="UTC")


def test_naive_local_times_through_the_autumn_change_with_timezone(tmp_path):
    local = ["00:30", "01:00", "01:30", "02:00", "02:30", "02:00", "02:30", "03:00"]
    text = "time,v\n" + "".join(f"2023-10-29 {t}:00,{i}\n" for i, t in enumerate(local))
    _, frame = read(write(tmp_path, text), timezone="Europe/Berlin")
    assert frame[TIME].iloc[0] == pd.Timestamp("2023-10-28T22:30:00", tz="UTC")
    assert set(np.diff(nanoseconds(frame))) == {30 * 60 * 10**9}


def test_a_local_time_that_does_not_exist_is_moved_forward_with_a_warning(tmp_path, caplog):
    text = "time,v\n2024-03-31 01:30:00,1\n2024-03-31 02:30:00,2\n2024-03-31 03:30:00,3\n"
    with caplog.at_level(logging.WARNING):
        _, frame = read(write(tmp_path, text), timezone="Europe/Berlin")
    assert frame[TIME].iloc[1] == pd.Timestamp("2024-03-31T01:00:00", tz="UTC")
    assert any("do not exist" in m and "line 3" in m for m in messages(caplog))


def test_an_unknown_timezone_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="--timezone: unknown time zone 'Mars/Base'"):
        read(write(tmp_path, "time,v\n2024-07-01 12:00:00,1\n"), timezone="Mars/Base")


def _dates(start: dt.datetime, count: int, step: dt.timedelta, pattern: str) -> list[str]:
    return [(start + i * step).strftime(pattern) for i in range(count)]


@pytest.mark.parametrize("pattern", ["%d/%m/%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d-%m-%Y"])
def test_day_first_is_recognised_from_the_whole_sample(tmp_path, pattern):
    cells = _dates(dt.datetime(2024, 3, 5), 12, dt.timedelta(days=1), pattern)
    text = "date,level\n" + "".join(f"{c},{i}\n" for i, c in enumerate(cells))
    _, frame = read(write(tmp_path, text))
    expected = pd.date_range("2024-03-05", periods=12, freq="D", tz="UTC")
    assert frame[TIME].tolist() == expected.tolist()


def test_month_first_is_recognised_the_same_way(tmp_path):
    cells = _dates(dt.datetime(2024, 3, 5, 10), 12, dt.timedelta(days=1), "%m/%d/%Y %I:%M %p")
    text = "date,level\n" + "".join(f"{c},{i}\n" for i, c in enumerate(cells))
    _, frame = read(write(tmp_path, text))
    expected = pd.date_range("2024-03-05 10:00", periods=12, freq="D", tz="UTC")
    assert frame[TIME].tolist() == expected.tolist()


@pytest.mark.parametrize("zone", [" +01:00", "+0100", "Z", " UTC", "-05"])
def test_day_first_dates_with_a_zone_after_the_time_are_read_day_first(tmp_path, zone):
    """The order is proven only at line 10 (13/03); a zone after the time must not hand the
    column to a per-value guess that reads lines 2-9 as November."""
    cells = _dates(dt.datetime(2024, 3, 11), 16, dt.timedelta(hours=6), "%d/%m/%Y %H:%M")
    text = "date,level\n" + "".join(f"{c}{zone},{i}\n" for i, c in enumerate(cells))
    _, frame = read(write(tmp_path, text))
    offset = pd.Timedelta(pd.Timestamp("2024-03-11 00:00" + zone.strip()).utcoffset() or 0)
    expected = pd.date_range("2024-03-11", periods=16, freq="6h", tz="UTC") - offset
    assert frame[TIME].tolist() == expected.tolist()


def test_zones_after_day_first_times_that_change_at_daylight_saving(tmp_path):
    cells = ["29/10/2023 02:00 +02:00", "29/10/2023 02:30 +02:00", "29/10/2023 02:00 +01:00"]
    text = "timestamp;power\n" + "".join(f"{c};{i}\n" for i, c in enumerate(cells))
    _, frame = read(write(tmp_path, text), timezone="Europe/Berlin")
    assert nanoseconds(frame) == [
        pd.Timestamp(f"2023-10-29 {t}", tz="UTC").value for t in ("00:00", "00:30", "01:00")
    ]


@pytest.mark.parametrize("dayfirst", [True, False])
def test_day_order_proven_only_beyond_the_first_block_is_found(tmp_path, dayfirst, caplog):
    """The first block only holds one date, the 5th of June (05/06 both ways); the 13th comes
    thousands of rows later and decides the order for every row, including the first."""
    pattern = "%d/%m/%Y %H:%M:%S" if dayfirst else "%m/%d/%Y %H:%M:%S"
    first = _dates(dt.datetime(2024, 6, 5), 4000, dt.timedelta(seconds=1), pattern)
    later = _dates(dt.datetime(2024, 6, 13), 10, dt.timedelta(hours=1), pattern)
    text = "date,level\n" + "".join(f"{c},{i % 7}\n" for i, c in enumerate(first + later))
    with caplog.at_level(logging.WARNING):
        _, frame = read(write(tmp_path, text), chunk_rows=200)
    assert frame[TIME].iloc[0] == pd.Timestamp("2024-06-05", tz="UTC")
    assert frame[TIME].iloc[-1] == pd.Timestamp("2024-06-13 09:00", tz="UTC")
    assert messages(caplog) == []


def test_dates_that_never_show_their_order_are_a_warning(tmp_path, caplog):
    text = "date,v\n01/02/2024,1\n02/02/2024,2\n03/02/2024,3\n"
    with caplog.at_level(logging.WARNING):
        _, frame = read(write(tmp_path, text))
    assert frame[TIME].iloc[0] == pd.Timestamp("2024-02-01", tz="UTC")  # the denser reading
    (message,) = messages(caplog)
    assert "'date'" in message and "day-first" in message


def test_date_and_time_of_day_in_two_columns_are_joined(tmp_path):
    text = "Date;Time;Global_active_power\n16/12/2006;17:24:00;4,216\n16/12/2006;17:25:00;5,36\n"
    info, frame = read(write(tmp_path, text))
    assert info.time_field == "Date+Time"
    assert info.sensors == ("Global_active_power",)
    assert frame[TIME].tolist() == [
        pd.Timestamp("2006-12-16 17:24", tz="UTC"),
        pd.Timestamp("2006-12-16 17:25", tz="UTC"),
    ]


def test_a_column_of_dates_is_found_by_content(tmp_path):
    text = "recorded,v\nMar 11 2024 08:00,1\nMar 11 2024 09:00,2\n"
    info, frame = read(write(tmp_path, text))
    assert info.time_field == "recorded"
    assert frame[TIME].iloc[1] == pd.Timestamp("2024-03-11 09:00", tz="UTC")


def test_a_time_named_column_that_is_not_time_is_a_warning_and_no_sensor(tmp_path, caplog):
    text = "time,temp\nmorning,1\nnoon,2\nevening,3\n"
    with caplog.at_level(logging.WARNING):
        info, _ = read(write(tmp_path, text))
    assert info.time_field is None
    assert info.sensors == ("temp",)
    found = messages(caplog)
    assert any("'time'" in m and "does not hold times" in m and "line 2" in m for m in found)


def test_numbers_in_a_time_named_column_that_go_nowhere_are_not_time(tmp_path, caplog):
    text = "timestamp,time,v\n" + "".join(
        f"2024-03-01 08:00:0{i},{v},{i}\n" for i, v in enumerate([5, 3, 8, 1])
    )
    with caplog.at_level(logging.WARNING):
        info, _ = read(write(tmp_path, text))
    assert info.time_field == "timestamp"
    assert info.sensors == ("v",)
    assert any("'time'" in m and "does not hold times" in m for m in messages(caplog))


def test_without_a_time_column_the_clock_starts_now_at_one_second_steps(tmp_path, caplog):
    before = time.time_ns() - 10**9
    with caplog.at_level(logging.WARNING):
        info, frame = read(write(tmp_path, "a,b\n1,2\n3,4\n5,6\n"))
    assert info.time_field is None
    assert info.sensors == ("a", "b")
    ns = nanoseconds(frame)
    assert before <= ns[0] <= time.time_ns()
    assert np.diff(ns).tolist() == [10**9, 10**9]
    assert any("no time column" in m for m in messages(caplog))


def test_the_synthetic_clock_continues_across_frames(tmp_path):
    text = "a\n" + "".join(f"{i}\n" for i in range(5000))
    _, frame = read(write(tmp_path, text), chunk_rows=100)
    assert set(np.diff(nanoseconds(frame))) == {10**9}


def test_timefield_overrides_detection(tmp_path):
    text = "time,measured_at,v\n" + "".join(
        f"2024-03-01 08:00:0{i},2024-03-02 09:00:0{i},{i}\n" for i in range(3)
    )
    info, frame = read(write(tmp_path, text), timefield="measured_at")
    assert info.time_field == "measured_at"
    assert frame[TIME].iloc[0] == pd.Timestamp("2024-03-02 09:00", tz="UTC")


def test_an_unknown_timefield_is_an_error_listing_the_columns(tmp_path):
    with pytest.raises(InputError, match=r"--timefield 'when' is not a column.*'time', 'v'"):
        read(write(tmp_path, "time,v\n2024-03-01,1\n"), timefield="when")


def test_a_timefield_without_times_is_an_error(tmp_path):
    with pytest.raises(InputError, match=r"--timefield column 'v' does not hold times.*line 2"):
        read(write(tmp_path, "time,v\n2024-03-01,a\n2024-03-02,b\n"), timefield="v")


@pytest.mark.parametrize(
    ("bad", "kind"),
    [("2024-13-45 08:00:02", "ISO 8601"), ("soon", "ISO 8601"), ("", "no time")],
)
def test_a_time_cell_that_cannot_be_read_is_an_error_naming_line_and_column(tmp_path, bad, kind):
    rows = ["2024-03-01 08:00:00", "2024-03-01 08:00:01", bad, "2024-03-01 08:00:03"]
    text = "time,v\n" + "".join(f"{t},{i}\n" for i, t in enumerate(rows))
    with pytest.raises(InputError) as error:
        read(write(tmp_path, text))
    message = str(error.value)
    assert message.startswith(str(tmp_path / "data.csv"))
    assert "line 4" in message and "column 'time'" in message and kind in message


def test_an_unreadable_epoch_deep_in_a_file_is_an_error_naming_its_line(tmp_path):
    rows = [str(1709280000000 + i * 1000) for i in range(3000)]
    rows[2500] = "17092800x0000"
    text = "time,v\n" + "".join(f"{t},{i}\n" for i, t in enumerate(rows))
    with pytest.raises(InputError, match=r"'17092800x0000'.*line 2502, column 'time'"):
        read(write(tmp_path, text), chunk_rows=100)


def test_fractions_appearing_after_the_first_block_are_kept(tmp_path):
    cells = [str(1709280000 + i) for i in range(6000)] + ["1709286000.25", "1709286000.5"]
    text = "time,v\n" + "".join(f"{c},{i % 3}\n" for i, c in enumerate(cells))
    _, frame = read(write(tmp_path, text), chunk_rows=500)
    assert nanoseconds(frame)[-2:] == [1709286000_250000000, 1709286000_500000000]


def test_epoch_seconds_with_a_decimal_comma(tmp_path):
    text = "time;v\n1709280000,25;1\n1709280001,5;2\n"
    _, frame = read(write(tmp_path, text))
    assert nanoseconds(frame) == [1709280000_250000000, 1709280001_500000000]
