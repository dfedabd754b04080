"""Score one series exactly as a replay would: the real source, the engine, a fresh detector.

Going through :func:`dsio.session.start_run` and the engine (at speed 0, into a memory sink)
means the evaluated scores are the ones a user watching ``dsio FILE`` would see: the same time
parsing, missing-value handling, batching and score-before-learn order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from dsio.errors import InputError, UsageError
from dsio.plugins import PluginHost
from dsio.session import PreparedRun, RunRequest, start_run
from dsio.sinks.memory import MemorySink
from dsio.stream import TIME, Schema


@dataclass(frozen=True)
class ScoredSeries:
    """One series after a replay.

    Attributes
    ----------
    times : numpy.ndarray
        UTC times as naive ``datetime64[ns]``, in file order.
    values, scores : numpy.ndarray
        The sensor's values and the detector's scores (NaN = no score).
    labels : numpy.ndarray or None
        The 0/1 label column, when labels come from the file.
    threshold : float
        The detector's own flag threshold.
    """

    times: NDArray[np.datetime64]
    values: NDArray[np.float64]
    scores: NDArray[np.float64]
    labels: NDArray[np.float64] | None
    threshold: float


def replay(
    host: PluginHost,
    path: Path,
    detector: str,
    params: Mapping[str, Any],
    *,
    sensor: str | None = None,
    label_column: str | None = None,
) -> ScoredSeries:
    """Replay ``path`` through a fresh ``detector`` and return its scores.

    The scored column is ``sensor``, else the file's only numeric column besides
    ``label_column``.
    """
    sink = MemorySink()
    prepared = _prepare(host, path, detector, params, (sensor,) if sensor else None, sink)
    if sensor is None:
        candidates = [s for s in prepared.info.sensors if s != label_column]
        if len(candidates) != 1:
            prepared.source.close()
            found = ", ".join(candidates) or "none"
            raise UsageError(
                f"{path}: evaluate scores one column; choose it with --sensor (columns: {found})"
            )
        sensor = candidates[0]
        if len(prepared.info.sensors) > 1:
            prepared.source.close()
            prepared = _prepare(host, path, detector, params, (sensor,), sink)
    prepared.execute()
    frame = sink.frame()
    times = _naive_utc(frame)
    labels = _read_labels(path, label_column, len(frame)) if label_column else None
    schema: Schema = prepared.schema
    return ScoredSeries(
        times=times,
        values=frame[sensor].to_numpy(dtype=np.float64),
        scores=frame[schema.score_column(sensor)].to_numpy(dtype=np.float64),
        labels=labels,
        threshold=schema.threshold,
    )


def _prepare(
    host: PluginHost,
    path: Path,
    detector: str,
    params: Mapping[str, Any],
    sensors: tuple[str, ...] | None,
    sink: MemorySink,
) -> PreparedRun:
    request = RunRequest(data=str(path), detector=detector, params=params, sensors=sensors, speed=0)
    return start_run(host, request, sinks=[sink])


def _naive_utc(frame: pd.DataFrame) -> NDArray[np.datetime64]:
    times = frame[TIME]
    if times.dt.tz is not None:
        times = times.dt.tz_convert("UTC").dt.tz_localize(None)
    return times.to_numpy(dtype="datetime64[ns]")


def _read_labels(path: Path, column: str, rows: int) -> NDArray[np.float64]:
    try:
        labels = pd.read_csv(path, usecols=[column])[column]
    except ValueError:
        raise InputError(f"{path}: no label column {column!r}") from None
    if len(labels) != rows:
        raise InputError(f"{path}: {len(labels)} labels for {rows} scored rows")
    numbers = pd.to_numeric(labels, errors="coerce").to_numpy(dtype=np.float64)
    return numbers
