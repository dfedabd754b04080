"""Order, gaps and chunks: every row is delivered once, in file order, with its own line."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dsio import SourceOptions
from dsio.sources.csv import CsvSource
from dsio.stream import TIME
from dsio.testing import read_frames


def read(path, **options):
    """Open a file with the CSV source; return its SourceInfo and its frames."""
    return read_frames(CsvSource(str(path), SourceOptions(**options)))


def warnings_of(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_time_going_backwards_is_one_warning_and_rows_keep_file_order(tmp_path, caplog):
    times = ["08:00:00", "08:00:01", "08:00:02", "07:59:00", "08:00:04", "08:00:03", "08:00:06"]
    path = tmp_path / "back.csv"
    path.write_text("stamp,v\n" + "".join(f"2024-03-01 {t},{i}\n" for i, t in enumerate(times)))
    with caplog.at_level(logging.WARNING):
        _, frames = read(path)
    frame = pd.concat(frames)
    assert frame["v"].tolist() == list(range(7))
    assert frame.index.tolist() == list(range(2, 9))
    (message,) = warnings_of(caplog)
    assert "'stamp'" in message and "2 times" in message and "lines 5, 7" in message


@pytest.mark.parametrize("name", ["time", "elapsed_s"])
def test_elapsed_seconds_that_restart_are_time_going_backwards(tmp_path, caplog, name):
    seconds = [0, 0.5, 1, 1.5, 2, 0, 0.5, 1, 1.5]
    path = tmp_path / "restart.csv"
    path.write_text(f"{name},v\n" + "".join(f"{s},{i}\n" for i, s in enumerate(seconds)))
    with caplog.at_level(logging.WARNING):
        info, frames = read(path)
    frame = pd.concat(frames)
    assert info.time_field == name
    assert (frame[TIME] - pd.Timestamp(0, tz="UTC")).dt.total_seconds().tolist() == seconds
    (message,) = warnings_of(caplog)
    assert f"'{name}'" in message and "1 time" in message and "line 7" in message


def test_backwards_time_across_frames_is_counted_once(tmp_path, caplog):
    seconds = np.arange(6000)
    seconds[[1500, 4500]] -= 100
    path = tmp_path / "back.csv"
    path.write_text("time,v\n" + "".join(f"{1709280000 + s},{s % 9}\n" for s in seconds))
    with caplog.at_level(logging.WARNING):
        _, frames = read(path, chunk_rows=1000)
    assert len(frames) > 2
    (message,) = warnings_of(caplog)
    assert "2 times" in message and "lines 1502, 4502" in message


def test_repeated_timestamps_are_fine(tmp_path, caplog):
    path = tmp_path / "same.csv"
    path.write_text("time,v\n2024-03-01 08:00:00,1\n2024-03-01 08:00:00,2\n2024-03-01 08:00:01,3\n")
    with caplog.at_level(logging.WARNING):
        _, frames = read(path)
    assert pd.concat(frames)["v"].tolist() == [1.0, 2.0, 3.0]
    assert warnings_of(caplog) == []


def _messy_rows(count: int) -> str:
    """A long file with blank lines, quoted line breaks and all-empty rows spread through it."""
    lines = ["time,note,v"]
    for i in range(count):
        note = '"two\nlines"' if i % 997 == 5 else "ok"
        lines.append(f"{1709280000 + i},{note},{i}")
        if i % 611 == 7:
            lines.append("")
        if i % 733 == 9:
            lines.append(",,")
    return "\n".join(lines) + "\n"


def test_small_frames_deliver_every_row_once_with_the_lines_of_one_big_read(tmp_path):
    path = tmp_path / "messy.csv"
    path.write_text(_messy_rows(20_000))
    _, whole = read(path)
    _, frames = read(path, chunk_rows=100)
    assert len(frames) >= 200 and max(len(f) for f in frames) <= 100
    chunked = pd.concat(frames)
    assert chunked["v"].tolist() == list(range(20_000))
    pd.testing.assert_frame_equal(chunked, pd.concat(whole))
    physical = path.read_text().split("\n")
    for line in chunked.index[::997]:
        assert physical[line - 1].startswith(str(1709280000 + int(chunked.loc[line, "v"])))


@pytest.fixture
def long_file(tmp_path):
    """200,000 rows, read in frames of 1,000: long enough for reading ahead to show."""
    path = tmp_path / "long.csv"
    path.write_text("time,v\n" + "".join(f"{1709280000 + i},{i % 5}\n" for i in range(200_000)))
    source = CsvSource(str(path), SourceOptions(chunk_rows=1000))
    source.open()
    return path, source


def test_the_file_is_read_in_blocks_not_all_at_once(long_file):
    path, source = long_file
    frames = source.frames()
    first = next(frames)
    assert len(first) == 1000
    # Only a few blocks are read ahead of the frame being delivered; the rest waits.
    assert source._handle.tell() < path.stat().st_size / 4
    assert sum(len(f) for f in frames) == 199_000
    source.close()


def test_stopping_early_stops_the_reading(long_file):
    _, source = long_file
    frames = source.frames()
    next(frames)
    assert any(t.name == "dsio-read-ahead" for t in threading.enumerate())
    frames.close()
    assert not any(t.name == "dsio-read-ahead" for t in threading.enumerate())
    source.close()


NAB_BACKWARDS = "realKnownCause/machine_temperature_system_failure.csv"
NAB_REPEATS = {
    "realAWSCloudwatch/ec2_disk_write_bytes_1ef3de.csv",
    "realAWSCloudwatch/ec2_network_in_5abac7.csv",
    "realAdExchange/exchange-2_cpc_results.csv",
    "realAdExchange/exchange-2_cpm_results.csv",
    "realKnownCause/ec2_request_latency_system_failure.csv",
    "realTraffic/occupancy_t4013.csv",
    "realTraffic/speed_t4013.csv",
}


@pytest.mark.slow
def test_every_nab_series_reads_timestamp_and_every_row(shared, caplog):
    root = shared("data", "nab", "data")
    series = sorted(root.glob("*/*.csv"))
    assert len(series) == 58
    for path in series:
        name = path.relative_to(root).as_posix()
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            info, frames = read(path)
        frame = pd.concat(frames)
        plain = pd.read_csv(path)
        assert info.time_field == "timestamp", name
        assert info.sensors == ("value",), name
        assert len(frame) == len(plain), name
        assert frame["value"].tolist() == plain["value"].tolist(), name
        expected = pd.to_datetime(plain["timestamp"]).dt.tz_localize("UTC")
        assert (frame[TIME].to_numpy() == expected.to_numpy()).all(), name
        found = warnings_of(caplog)
        if name == NAB_BACKWARDS:
            (message,) = found
            assert "'timestamp'" in message and "1 time (line 10151)" in message
        else:
            assert found == [], name
    assert {p.relative_to(root).as_posix() for p in series} >= NAB_REPEATS


def test_repeated_nab_timestamps_are_really_there(shared):
    """Guards the test above: the seven series do repeat timestamps."""
    root = shared("data", "nab", "data")
    for name in NAB_REPEATS:
        stamps = pd.read_csv(Path(root, name))["timestamp"]
        assert stamps.duplicated().any(), name


def test_closing_the_source_mid_stream_stops_the_reading(long_file):
    _, source = long_file
    frames = source.frames()
    next(frames)
    source.close()  # what the engine does when a sink fails, the generator still suspended
    assert not any(t.name == "dsio-read-ahead" for t in threading.enumerate())


@pytest.mark.parametrize(
    ("name", "goes_back"),
    [(NAB_BACKWARDS, True), ("realTraffic/speed_t4013.csv", False)],
)
def test_the_cli_writes_every_nab_row_and_warns_only_when_time_goes_back(
    shared, dsio_cli, tmp_path, name, goes_back
):
    path = shared("data", "nab", "data", name)
    out = tmp_path / "out.csv"
    result = dsio_cli("--speed", "0", "--output", out, "--no-bokeh", "-q", path)
    assert result.returncode == 0, result.stderr
    written = pd.read_csv(out)
    assert written.columns[0] == "timestamp"
    assert len(written) == len(pd.read_csv(path))
    assert ("time goes backwards 1 time (line 10151)" in result.stderr) == goes_back
    assert ("warning" in result.stderr) == goes_back
