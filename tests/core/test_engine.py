"""The engine: every row reaches every sink in order, detectors are held to the contract."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dsio import AnomalyDetector, Batch, Schema, Sink, Source, SourceInfo, SourceOptions
from dsio.engine import run
from dsio.errors import DetectorError
from dsio.pacing import Pacer
from dsio.sinks.memory import MemorySink
from dsio.stream import TIME


class ArraySource(Source):
    """A real source over in-memory columns, in frames of ``chunk_rows``."""

    def __init__(self, columns: dict[str, np.ndarray], chunk_rows: int = 7) -> None:
        super().__init__(columns, SourceOptions(chunk_rows=chunk_rows))
        self.columns = columns
        self.closed = False

    @classmethod
    def accepts(cls, location):
        return isinstance(location, dict)

    def open(self):
        return SourceInfo(name="arrays", time_field="t", sensors=tuple(self.columns))

    def frames(self):
        n = len(next(iter(self.columns.values())))
        times = pd.date_range("2024-03-01", periods=n, freq="s", tz="UTC")
        for start in range(0, n, self.options.chunk_rows):
            rows = slice(start, start + self.options.chunk_rows)
            frame = pd.DataFrame({TIME: times[rows]}, index=pd.RangeIndex(n)[rows] + 2)
            for name, values in self.columns.items():
                frame[name] = values[rows]
            yield frame

    def close(self):
        self.closed = True


class RunningMax(AnomalyDetector):
    """Scores 1 for a new maximum, else 0 (causal within a batch)."""

    def __init__(self, threshold: float = 0.5):
        super().__init__(threshold)
        self.max = -np.inf

    def update(self, x):
        self.max = max(self.max, float(np.max(x)))

    def score(self, x):
        return (np.asarray(x) > self.max).astype(float)

    def score_update(self, x):
        x = np.asarray(x)
        previous = np.maximum.accumulate(np.concatenate([[self.max], x[:-1]]))
        self.update(x)
        return (x > previous).astype(float)


def _schema(sensors=("a", "b"), speed=0.0):
    return Schema(
        source="arrays",
        name="arrays",
        time_field="t",
        sensors=sensors,
        detector="running-max",
        speed=speed,
        threshold=0.5,
    )


def test_every_row_reaches_every_sink_in_order_with_scores_and_flags():
    a = np.array([1.0, 3, 2, np.nan, 5, 4, 6, 1, 1, 7, 2, 2, 2, 9, 0, 1, 2, 3, 4, 5])
    b = np.arange(20.0)[::-1]
    first, second = MemorySink(), MemorySink()
    source = ArraySource({"a": a, "b": b})
    summary = run(source, _schema(), RunningMax, [first, second])
    assert summary.rows == 20 and source.closed
    for sink in (first, second):
        frame = sink.frame()
        assert list(frame.index) == list(range(2, 22))
        assert list(frame.columns) == [TIME, "a", "b", "SCORE_a", "FLAG_a", "SCORE_b", "FLAG_b"]
    frame = first.frame()
    # The missing value gets no score and no flag, and is not learned.
    assert np.isnan(frame.loc[5, "SCORE_a"]) and frame["FLAG_a"].isna().sum() == 1
    expected_new_max = [True, True, False, None, True, False, True, False, False, True]
    assert frame["FLAG_a"].iloc[:10].tolist() == [
        pd.NA if e is None else e for e in expected_new_max
    ]
    assert summary.anomalies == {"a": 6, "b": 1}  # new maxima: 1, 3, 5, 6, 7, 9
    assert [b.start for b in first.batches] == [0, 7, 14]


class WrongLength(RunningMax):
    def score_update(self, x):
        return np.zeros(len(x) - 1)


class Raises(RunningMax):
    def score_update(self, x):
        raise ValueError("boom")


class OutOfRange(RunningMax):
    def score_update(self, x):
        return np.full(len(x), 2.0)


@pytest.mark.parametrize(
    ("detector", "message"),
    [
        (WrongLength, "returned 6 scores for 7 values on sensor 'a'"),
        (Raises, "failed on sensor 'a': ValueError: boom"),
        (OutOfRange, "returned a score outside \\[0, 1\\]: 2.0 on sensor 'a'"),
    ],
)
def test_a_misbehaving_detector_stops_the_run_naming_detector_and_sensor(detector, message):
    sink = MemorySink()
    closed = []
    sink.close = lambda: closed.append(True)  # the sink must still be closed
    with pytest.raises(DetectorError, match=f"detector 'running-max' {message}"):
        run(ArraySource({"a": np.arange(20.0)}), _schema(("a",)), detector, [sink])
    assert closed == [True]


class Interrupting(Sink):
    def __init__(self):
        self.rows = 0
        self.closed = False

    def write(self, batch: Batch) -> None:
        self.rows += len(batch)
        if self.rows >= 14:
            raise KeyboardInterrupt

    def close(self):
        self.closed = True


def test_ctrl_c_closes_the_sinks_and_reports_what_was_delivered():
    sink = Interrupting()
    summary = run(ArraySource({"a": np.arange(30.0)}), _schema(("a",)), RunningMax, [sink])
    assert summary.interrupted and sink.closed
    assert summary.rows == 7  # the batch being written when Ctrl-C came is not counted twice


def test_multivariate_detector_gets_rows_and_gives_one_score_per_row():
    class RowSum(RunningMax):
        multivariate = True

        def score_update(self, x):
            assert x.ndim == 2 and x.shape[1] == 2
            return super().score_update(x.sum(axis=1))

    sink = MemorySink()
    schema = Schema(
        source="arrays",
        name="arrays",
        time_field="t",
        sensors=("a", "b"),
        detector="rowsum",
        multivariate=True,
        threshold=0.5,
    )
    a = np.array([1.0, 2, np.nan, 0, 9])
    run(ArraySource({"a": a, "b": np.ones(5)}), schema, RowSum, [sink])
    frame = sink.frame()
    assert [c for c in frame.columns if c.startswith(("SCORE", "FLAG"))] == [
        "SCORE_all",
        "FLAG_all",
    ]
    assert np.isnan(frame["SCORE_all"].iloc[2])  # a row with a missing sensor is not scored
    assert frame["FLAG_all"].tolist() == [True, True, pd.NA, False, True]


class FakeClock:
    """A clock that only moves when the pacer sleeps: pacing is checked without waiting."""

    def __init__(self):
        self.now = 1_000.0
        self.sleeps: list[float] = []

    def time(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_pacer_delivers_rows_when_due_at_the_requested_speed():
    clock = FakeClock()
    pacer = Pacer(speed=4, clock=clock.time, sleep=clock.sleep)
    times = (np.array([0, 1, 2, 2, 3, 10]) * 1e9).astype(np.int64)  # seconds of data time
    pieces = [(s.start, s.stop) for s in pacer.pieces(times)]
    assert pieces == [(0, 1), (1, 2), (2, 4), (4, 5), (5, 6)]  # equal times travel together
    assert sum(clock.sleeps) == pytest.approx(10 / 4)
    live = pacer.live_time(times)
    assert (live - live[0]).tolist() == [
        0,
        250_000_000,
        500_000_000,
        500_000_000,
        750_000_000,
        2_500_000_000,
    ]
    assert live[0] == 1_000 * 10**9  # re-based onto the wall clock at the start


def test_pacer_keeps_file_order_when_time_goes_backwards():
    clock = FakeClock()
    pacer = Pacer(speed=1, clock=clock.time, sleep=clock.sleep)
    times = (np.array([0, 5, 3, 6]) * 1e9).astype(np.int64)
    pieces = [(s.start, s.stop) for s in pacer.pieces(times)]
    assert pieces == [(0, 1), (1, 3), (3, 4)]  # the backwards row goes out with its predecessor
    assert sum(clock.sleeps) == pytest.approx(6)


def test_speed_zero_never_waits():
    clock = FakeClock()
    pacer = Pacer(speed=0, clock=clock.time, sleep=clock.sleep)
    times = (np.arange(100) * 1e9).astype(np.int64)
    assert [(s.start, s.stop) for s in pacer.pieces(times)] == [(0, 100)]
    assert clock.sleeps == []


class Recording(Sink):
    def __init__(self, fail_on_open: bool = False):
        self.fail_on_open = fail_on_open
        self.calls: list[str] = []

    def open(self, schema):
        self.calls.append("open")
        if self.fail_on_open:
            raise OSError("cannot open")

    def write(self, batch):
        self.calls.append("write")

    def close(self):
        self.calls.append("close")

    def stop(self):
        self.calls.append("stop")


def test_a_sink_failing_to_open_stops_the_sinks_already_open_without_a_summary():
    first, failing, never = Recording(), Recording(fail_on_open=True), Recording()
    source = ArraySource({"a": np.arange(5.0)})
    with pytest.raises(OSError, match="cannot open"):
        run(source, _schema(("a",)), RunningMax, [first, failing, never])
    assert first.calls == ["open", "stop"]  # released, not closed: nothing was streamed
    assert never.calls == []
    assert source.closed


def test_interactive_sinks_open_last_so_a_failing_database_leaves_no_dashboard_open():
    class Dashboard(Recording):
        interactive = True

    dashboard, database = Dashboard(), Recording(fail_on_open=True)
    with pytest.raises(OSError):
        run(ArraySource({"a": np.arange(5.0)}), _schema(("a",)), RunningMax, [dashboard, database])
    assert dashboard.calls == []  # never started
