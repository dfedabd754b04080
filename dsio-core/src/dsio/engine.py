"""The streaming engine: source -> detectors -> sinks, in columnar micro-batches.

Each frame from the source is scored column by column (one detector per sensor, or one per row
in multivariate mode), then handed to every sink in slices paced to the replay speed. Scores are
computed before the detector learns the values (see :mod:`dsio.scoring`), so nothing a sink
sees depends on the future. Every row read reaches every sink, in order; Ctrl-C stops the
stream, and the sinks are still closed so that they flush what they have.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dsio.detectors.base import AnomalyDetector
from dsio.pacing import Pacer
from dsio.scoring import BATCH_ROWS, SensorScorer, flags_for
from dsio.sinks.base import Sink
from dsio.sources.base import Source
from dsio.stream import TIME, Batch, Schema

log = logging.getLogger(__name__)


@dataclass
class RunSummary:
    """What a run did: rows delivered and anomalies flagged per score target."""

    rows: int = 0
    anomalies: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


class Scorer:
    """Scores whole frames: one :class:`SensorScorer` per target of the schema."""

    def __init__(self, schema: Schema, make_detector: Callable[[], AnomalyDetector]) -> None:
        self.schema = schema
        self.scorers = {
            target: SensorScorer(make_detector(), schema.detector, target)
            for target in schema.targets
        }

    def score(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Return ``frame`` with ``SCORE_<target>`` and ``FLAG_<target>`` columns added."""
        columns: dict[str, object] = {TIME: frame[TIME]}
        for sensor in self.schema.sensors:
            columns[sensor] = frame[sensor]
        for target, scorer in self.scorers.items():
            if self.schema.multivariate:
                values = frame[list(self.schema.sensors)].to_numpy(dtype=np.float64)
            else:
                values = frame[target].to_numpy(dtype=np.float64)
            scores = scorer.score_stream(values)
            missing = np.isnan(scores)
            flags = flags_for(scores, scorer.detector.threshold)
            columns[self.schema.score_column(target)] = scores
            columns[self.schema.flag_column(target)] = pd.arrays.BooleanArray(flags, missing)
        return pd.DataFrame(columns, index=frame.index, copy=False)  # no 2-D block copy


def run(
    source: Source,
    schema: Schema,
    make_detector: Callable[[], AnomalyDetector],
    sinks: Sequence[Sink],
    *,
    live: bool = False,
    stop: Callable[[], bool] = lambda: False,
) -> RunSummary:
    """Stream ``source`` through fresh detectors into ``sinks``; return a summary.

    ``live`` sources (pipes, standard input) are delivered as they arrive, without pacing.
    ``stop`` is polled between batches so that a background run (Jupyter) can be ended.
    """
    scorer = Scorer(schema, make_detector)
    pacer = Pacer(0 if live else schema.speed)
    summary = RunSummary(anomalies=dict.fromkeys(schema.targets, 0))
    started = time.perf_counter()
    try:
        opened = _open_all(sinks, schema)
    except BaseException:
        source.close()
        raise
    try:
        for frame in _parts(source.frames()):
            scored = scorer.score(frame)
            times = scored[TIME].to_numpy(dtype="datetime64[ns]").view(np.int64)
            for piece in pacer.pieces(times):
                if stop():
                    summary.interrupted = True
                    return summary
                batch = Batch(
                    frame=scored.iloc[piece],
                    live_time=pacer.live_time(times[piece]).view("datetime64[ns]"),
                    start=summary.rows,
                )
                for sink in opened:
                    sink.write(batch)
                _count(summary, batch, schema)
    except KeyboardInterrupt:
        summary.interrupted = True
        log.info("interrupted: closing sinks after %d rows", summary.rows)
    finally:
        summary.seconds = time.perf_counter() - started
        source.close()
        _close_all(opened)
    return summary


def _parts(frames: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """Frames cut into parts of at most ``BATCH_ROWS`` rows, each scored and delivered in turn.

    The sinks get the first rows of a big frame as soon as they are scored, so a file sink's
    writer thread starts early and has little left to write after the last part is scored.
    """
    for frame in frames:
        if len(frame) <= BATCH_ROWS:
            yield frame
        else:
            for start in range(0, len(frame), BATCH_ROWS):
                yield frame.iloc[start : start + BATCH_ROWS]


def _count(summary: RunSummary, batch: Batch, schema: Schema) -> None:
    summary.rows += len(batch)
    for target in schema.targets:
        flags = batch.frame[schema.flag_column(target)].to_numpy(dtype=bool, na_value=False)
        summary.anomalies[target] += int(flags.sum())


def _open_all(sinks: Iterable[Sink], schema: Schema) -> list[Sink]:
    """Open every sink, interactive ones last; if one fails, stop (not close) those open.

    A run that never started has nothing to flush or summarise, so the opened sinks are
    released with :meth:`Sink.stop` rather than finished with :meth:`Sink.close`.
    """
    opened: list[Sink] = []
    try:
        for sink in sorted(sinks, key=lambda s: s.interactive):  # stable: otherwise as given
            sink.open(schema)
            opened.append(sink)
    except BaseException:
        for sink in opened:
            sink.stop()
        raise
    return opened


def _close_all(sinks: Iterable[Sink]) -> None:
    """Close every sink even if one fails, then re-raise the first failure."""
    failure: BaseException | None = None
    for sink in sinks:
        try:
            sink.close()
        except BaseException as exc:  # every sink must get its close()
            failure = failure or exc
    if failure is not None:
        raise failure
