"""The dashboard's side of the stream: scored batches turned into plot-ready rows, plus counters.

One :class:`Feed` per dashboard is shared by every browser session. The engine's thread calls
:meth:`Feed.append` (vectorised, a copy under a lock, never a wait); each session's periodic
callback calls :meth:`Feed.read_since` and :meth:`Feed.status` on the server's own thread. Times
are converted here, once per batch, into milliseconds of the display time zone's wall clock,
because Bokeh's datetime axis and hover formatters always show the numbers they get as UTC.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from dsio.stream import TIME, Batch, Schema
from dsio_bokeh.buffer import Chunk, RowRing

#: Seconds over which the rows/s figure in the header is averaged.
RATE_HORIZON = 3.0


@dataclass(frozen=True)
class Columns:
    """Where each quantity lives in a feed row; the same keys name the browser's data columns.

    ``x`` is the replay clock (when the row was due), ``t`` the data's own time, both as
    milliseconds of the display time zone's wall clock; ``line`` the row's input line; then
    ``v<i>`` per sensor, ``s<j>`` and ``f<j>`` (score, flag as 1/0/NaN) per score target.
    """

    sensors: int
    targets: int

    @property
    def names(self) -> list[str]:
        return ["x", "t", "line", *self.values, *self.scores, *self.flags]

    @property
    def values(self) -> list[str]:
        return [f"v{i}" for i in range(self.sensors)]

    @property
    def scores(self) -> list[str]:
        return [f"s{j}" for j in range(self.targets)]

    @property
    def flags(self) -> list[str]:
        return [f"f{j}" for j in range(self.targets)]

    def index(self, name: str) -> int:
        return self.names.index(name)


@dataclass(frozen=True)
class Status:
    """What the dashboard's header shows, read in one piece."""

    rows: int
    rows_per_second: float
    anomalies: tuple[int, ...]
    ended: bool


class Feed:
    """The last ``window`` scored rows of one stream, and running totals for the header."""

    def __init__(self, schema: Schema, window: int) -> None:
        self.schema = schema
        self.window = window
        self.columns = Columns(len(schema.sensors), len(schema.targets))
        self.ring = RowRing(window, len(self.columns.names))
        self._lock = threading.Lock()
        self._anomalies = np.zeros(len(schema.targets), dtype=np.int64)
        self._ended = False
        self._samples: deque[tuple[float, int]] = deque([(time.monotonic(), 0)])
        self._readers = 0

    # -- the engine's thread ---------------------------------------------------------------

    def append(self, batch: Batch) -> None:
        """Add a scored batch; returns as soon as its rows are copied into the ring."""
        rows = self.rows_of(batch)
        flags = rows[:, len(self.columns.names) - len(self.schema.targets) :]
        with self._lock:
            self.ring.append(rows)
            self._anomalies += (flags == 1.0).sum(axis=0)
            self._samples.append((time.monotonic(), self.ring.total))
            while len(self._samples) > 2 and self._samples[1][0] < time.monotonic() - RATE_HORIZON:
                self._samples.popleft()

    def end(self) -> None:
        """The stream is over: the header says so; the rows stay on show."""
        with self._lock:
            self._ended = True

    def rows_of(self, batch: Batch) -> NDArray[np.float64]:
        """The batch as an n x width float64 matrix in :class:`Columns` order."""
        frame = batch.frame
        schema = self.schema
        rows = np.empty((len(frame), len(self.columns.names)))
        rows[:, 0] = self.wall_clock_ms(batch.live_time)
        rows[:, 1] = self.wall_clock_ms(frame[TIME].to_numpy(dtype="datetime64[ns]"))
        rows[:, 2] = frame.index.to_numpy(dtype=np.float64)
        n_sensors = len(schema.sensors)
        rows[:, 3 : 3 + n_sensors] = frame[list(schema.sensors)].to_numpy(dtype=np.float64)
        scores_at = 3 + n_sensors
        n_targets = len(schema.targets)
        rows[:, scores_at : scores_at + n_targets] = frame[schema.score_columns].to_numpy(
            dtype=np.float64
        )
        rows[:, scores_at + n_targets :] = frame[schema.flag_columns].to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        return rows

    def wall_clock_ms(self, utc: NDArray[np.datetime64]) -> NDArray[np.float64]:
        """UTC instants as milliseconds of the display zone's wall clock (for Bokeh's axes)."""
        stamps = pd.DatetimeIndex(np.asarray(utc, dtype="datetime64[ns]"))
        if self.schema.timezone.upper() != "UTC":
            stamps = stamps.tz_localize("UTC").tz_convert(self.schema.timezone).tz_localize(None)
        ms = stamps.asi8.astype(np.float64) / 1e6
        ms[stamps.isna()] = np.nan  # NaT's integer value is not a time
        return ms

    # -- the server's thread ---------------------------------------------------------------

    def read_since(self, cursor: int) -> Chunk:
        """Rows from position ``cursor`` on (at most the last ``window``)."""
        return self.ring.read_since(cursor)

    def status(self) -> Status:
        """Totals for the header: rows so far, recent rows per second, anomalies per target."""
        now = time.monotonic()
        with self._lock:
            total = self.ring.total
            since, then = self._samples[0]
            for moment, count in self._samples:  # the newest sample at least a horizon old
                if moment > now - RATE_HORIZON:
                    break
                since, then = moment, count
            anomalies = tuple(int(a) for a in self._anomalies)
            ended = self._ended
        elapsed = now - since
        rate = 0.0 if ended or elapsed <= 0 else (total - then) / elapsed
        return Status(total, rate, anomalies, ended)

    # -- sessions, counted so that tests can see a closed tab let go ---------------------

    def attach(self) -> None:
        with self._lock:
            self._readers += 1

    def detach(self) -> None:
        with self._lock:
            self._readers -= 1

    @property
    def readers(self) -> int:
        """How many browser sessions are reading this feed now."""
        return self._readers
