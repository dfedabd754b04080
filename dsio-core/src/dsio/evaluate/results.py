"""Scores written in NAB's results layout, so NAB's own tools can read them.

NAB keeps a detector's output for ``<category>/<file>.csv`` at
``<results>/<detector>/<category>/<detector>_<file>.csv`` with the columns ``timestamp``,
``value``, ``anomaly_score`` and ``label`` (1 inside a window). NAB's tools need a number on
every row, so a row without a score (warm-up, missing value) is written with score 0.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from dsio.errors import UsageError
from dsio.evaluate.evaluation import LabelledSeries
from dsio.evaluate.nab import window_of_rows


def results_path(directory: Path, detector: str, name: str) -> Path:
    """Where NAB expects ``detector``'s results for the series ``name``.

    >>> results_path(Path("out"), "gaussian1d", "realTraffic/speed_6005.csv").as_posix()
    'out/gaussian1d/realTraffic/gaussian1d_speed_6005.csv'
    """
    relative = PurePosixPath(name)
    return directory / detector / relative.parent / f"{detector}_{relative.name}"


def write_results(directory: Path, detector: str, series: LabelledSeries) -> Path:
    """Write one series' scores; return the file written."""
    path = results_path(directory, detector, series.file.name)
    scored = series.scored
    frame = pd.DataFrame(
        {
            "timestamp": scored.times,
            "value": scored.values,
            "anomaly_score": np.nan_to_num(scored.scores, nan=0.0),
            "label": (window_of_rows(series.rows, series.windows) >= 0).astype(int),
        }
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(path, index=False)
    except OSError as exc:
        raise UsageError(f"--output: cannot write {path}: {exc.strerror or exc}") from None
    return path
