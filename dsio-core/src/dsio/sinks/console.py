"""The console view: a live progress line while streaming and a per-sensor table at the end."""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from dsio.sinks.base import Sink

if TYPE_CHECKING:
    import click

    from dsio.stream import Batch, Schema

#: Seconds between progress-line refreshes: often enough to look live, rarely enough to be free.
REFRESH_SECONDS = 0.25


class ConsoleSink(Sink):
    """Shows rows/s and anomalies so far on stderr, then a table of rows and anomalies per sensor.

    The progress line is only drawn on a terminal; the final table always goes to ``out``.
    """

    def __init__(self, out: IO[str] | None = None, progress: IO[str] | None = None) -> None:
        self.out = out or sys.stdout
        self.progress = progress or sys.stderr
        self.schema: Schema | None = None
        self.rows = 0
        self.present: dict[str, int] = {}
        self.scored: dict[str, int] = {}
        self.flagged: dict[str, int] = {}
        self._started = 0.0
        self._last_refresh = 0.0
        self._live = False

    @classmethod
    def cli_options(cls) -> list[click.Option]:
        import click

        return [
            click.Option(
                ["--quiet", "-q"],
                is_flag=True,
                help="Only warnings and errors: no progress line, notes or final table.",
            )
        ]

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> ConsoleSink | None:
        return None if options.get("quiet") else cls()

    def open(self, schema: Schema) -> None:
        self.schema = schema
        keys = (*schema.sensors, *schema.targets)
        self.present = dict.fromkeys(schema.sensors, 0)
        self.scored = dict.fromkeys(keys, 0)
        self.flagged = dict.fromkeys(keys, 0)
        self._started = time.perf_counter()
        self._live = bool(getattr(self.progress, "isatty", lambda: False)())

    def write(self, batch: Batch) -> None:
        assert self.schema is not None
        frame = batch.frame
        self.rows += len(frame)
        for sensor in self.schema.sensors:
            self.present[sensor] += int(np.isfinite(frame[sensor].to_numpy()).sum())
        for target in self.schema.targets:
            scores = frame[self.schema.score_column(target)].to_numpy()
            flags = frame[self.schema.flag_column(target)].to_numpy(dtype=bool, na_value=False)
            self.scored[target] += int(np.isfinite(scores).sum())
            self.flagged[target] += int(flags.sum())
        now = time.perf_counter()
        if self._live and now - self._last_refresh >= REFRESH_SECONDS:
            self._last_refresh = now
            self.progress.write("\r\x1b[K" + self._progress_line(now))
            self.progress.flush()

    def _progress_line(self, now: float) -> str:
        elapsed = max(now - self._started, 1e-9)
        anomalies = sum(self.flagged.values())
        return f"{self.rows:,} rows | {self.rows / elapsed:,.0f} rows/s | {anomalies:,} anomalies"

    def close(self) -> None:
        assert self.schema is not None
        if self._live:
            self.progress.write("\r\x1b[K")
        elapsed = time.perf_counter() - self._started
        self.out.write(self._table())
        self.out.write(
            f"{self.rows:,} rows in {elapsed:.1f} s ({self.rows / max(elapsed, 1e-9):,.0f} rows/s)"
            f", detector {self.schema.detector}\n"
        )
        self.out.flush()

    def _table(self) -> str:
        assert self.schema is not None
        header = ("target", "values", "scored", "anomalies")
        rows = [
            (
                target,
                f"{self.present.get(target, self.rows):,}",
                f"{self.scored[target]:,}",
                f"{self.flagged[target]:,}",
            )
            for target in self.schema.targets
        ]
        widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
        lines = [
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
            for row in (header, *rows)
        ]
        return "\n".join(lines) + "\n"
