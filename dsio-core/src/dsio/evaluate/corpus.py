"""Finding the series of a corpus and their labelled anomaly windows.

A corpus is a directory of CSV files (searched recursively, in sorted order) or one CSV file.
Labels come from a NAB-style windows file, ``{"category/file.csv": [[start, end], ...]}``, whose
keys are matched against the end of each file's path, so the corpus can be NAB's ``data``
directory, one of its categories or a single file. Without ``--labels``, the nearest
``labels/combined_windows.json`` above the data (NAB's own layout) is used.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from dsio.errors import InputError, UsageError

log = logging.getLogger(__name__)

#: Where NAB keeps its windows, relative to the corpus root; looked for above the data.
NAB_WINDOWS = Path("labels") / "combined_windows.json"

Windows = Mapping[str, Sequence[tuple[str, str]]]


@dataclass(frozen=True)
class CorpusFile:
    """One series of the corpus: its file and the name its labels and results use."""

    name: str
    path: Path


def find_files(data: Path) -> list[Path]:
    """Every CSV file of the corpus, in sorted order (the order the half-split relies on)."""
    if data.is_file():
        return [data]
    if not data.is_dir():
        raise InputError(f"{data}: no such file or directory")
    files = sorted(p for p in data.rglob("*") if p.is_file() and p.suffix.lower() == ".csv")
    if not files:
        raise InputError(f"{data}: no CSV files in this directory")
    return files


def default_labels(data: Path) -> Path:
    """The nearest NAB windows file above ``data``, or a UsageError saying to pass --labels."""
    for folder in data.resolve().parents:
        candidate = folder / NAB_WINDOWS
        if candidate.is_file():
            return candidate
    raise UsageError(
        f"{data}: no labels given and no {NAB_WINDOWS.as_posix()} above it; "
        "pass --labels WINDOWS.json or --label-column NAME"
    )


def read_windows(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Read a NAB windows file, checking its shape so that mistakes name the entry."""
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such labels file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a JSON windows file ({exc})") from None
    if not isinstance(content, dict):
        raise InputError(f"{path}: expected an object mapping file names to lists of windows")
    windows: dict[str, list[tuple[str, str]]] = {}
    for key, spans in content.items():
        if not isinstance(spans, list) or not all(
            isinstance(s, list) and len(s) == 2 and all(isinstance(t, str) for t in s)
            for s in spans
        ):
            raise InputError(f"{path}: {key!r}: expected a list of [start, end] timestamp pairs")
        windows[key.replace("\\", "/")] = [(start, end) for start, end in spans]
    return windows


def label_files(files: Sequence[Path], windows: Windows, labels: Path) -> list[CorpusFile]:
    """Pair each file with its windows entry: the longest key the file's path ends with.

    A file without an entry is an error (a typo would otherwise score as "no anomalies");
    entries for files outside the corpus are ignored, so a subset can be evaluated.
    """
    paired = []
    for path in files:
        posix = "/" + path.resolve().as_posix()
        keys = [k for k in windows if posix.endswith("/" + k.lstrip("/"))]
        if not keys:
            raise InputError(f"{labels}: no windows for {path} (is this the right labels file?)")
        paired.append(CorpusFile(max(keys, key=len), path))
    return paired


def unlabelled_files(files: Sequence[Path], data: Path) -> list[CorpusFile]:
    """Name files by their path relative to the corpus (labels come from a column)."""
    root = data if data.is_dir() else data.parent
    return [CorpusFile(p.relative_to(root).as_posix(), p) for p in files]


def _utc(text: str) -> np.datetime64:
    stamp = pd.Timestamp(text)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return np.datetime64(stamp.tz_localize(None), "ns")


def window_rows(
    times: NDArray[np.datetime64], spans: Sequence[tuple[str, str]], where: str
) -> NDArray[np.int64]:
    """Turn ``[start, end]`` timestamps into inclusive ``(first_row, last_row)`` pairs.

    ``times`` are the series' UTC times (naive datetime64). A window covers the rows whose time
    lies in ``[start, end]``; they must be consecutive rows (times may step back elsewhere, as
    one NAB series does), and windows must be in order, disjoint and cover at least one row.
    """
    rows = np.empty((len(spans), 2), dtype=np.int64)
    for index, (start, end) in enumerate(spans):
        try:
            first, last = _utc(start), _utc(end)
        except ValueError as exc:
            raise InputError(f"{where}: window {[start, end]}: not a timestamp ({exc})") from None
        inside = np.flatnonzero((times >= first) & (times <= last))
        if len(inside) == 0:
            raise InputError(f"{where}: window {[start, end]} covers no row of the series")
        if inside[-1] - inside[0] + 1 != len(inside):
            raise InputError(
                f"{where}: window {[start, end]}: its rows are not consecutive (times out of order)"
            )
        rows[index] = inside[0], inside[-1]
        if index and rows[index, 0] <= rows[index - 1, 1]:
            raise InputError(
                f"{where}: window {[start, end]} overlaps or precedes the window before it"
            )
    return rows


def flag_windows(labels: NDArray[np.float64], where: str) -> NDArray[np.int64]:
    """Turn a 0/1 label column into windows: each run of consecutive 1s is one window.

    >>> flag_windows(np.array([0, 1, 1, 0, 0, 1.0]), "x").tolist()
    [[1, 2], [5, 5]]
    """
    bad = ~np.isin(labels, (0.0, 1.0))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(f"{where}: label {labels[row]!r} in data row {row + 1} is not 0 or 1")
    edges = np.diff(np.concatenate(([0], labels.astype(np.int8), [0])))
    return np.column_stack((np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1))
