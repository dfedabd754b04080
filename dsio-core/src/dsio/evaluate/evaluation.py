"""Evaluate a detector on a labelled corpus: replay every series, then score NAB-style.

The steps are separate so the command can show progress per file and write results as it
goes: :func:`open_corpus` finds the files and their labels, :func:`score_file` replays one,
:func:`summarise` chooses thresholds and scores. :func:`evaluate_corpus` does all three.

Besides NAB's corpus-optimal score (one threshold per profile, chosen on the very data it is
scored on), every profile reports two honest figures:

* the *half-split* score: the files, in sorted order, are dealt alternately into two halves
  (1st, 3rd, 5th... and 2nd, 4th, 6th...); the threshold chosen on one half is scored on the
  other, both ways, and the two normalised scores are averaged;
* the *default* score: the score at the detector's own flag threshold, what a user gets
  without tuning anything.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dsio.evaluate.corpus import (
    CorpusFile,
    default_labels,
    find_files,
    flag_windows,
    label_files,
    read_windows,
    unlabelled_files,
    window_rows,
)
from dsio.evaluate.nab import PROFILES, Profile, SeriesScore, probation_rows, score_series
from dsio.evaluate.replay import ScoredSeries, replay
from dsio.evaluate.threshold import ThresholdSweep
from dsio.plugins import PluginHost


@dataclass(frozen=True)
class Corpus:
    """The files to evaluate and where their labels come from.

    Attributes
    ----------
    files : list of CorpusFile
        In sorted order.
    windows : dict or None
        NAB windows by file name; None when labels come from ``label_column``.
    label_column : str or None
        The 0/1 column marking anomalous rows, instead of a windows file.
    labels_path : Path or None
        The windows file used.
    """

    files: list[CorpusFile]
    windows: dict[str, list[tuple[str, str]]] | None
    label_column: str | None = None
    labels_path: Path | None = None

    def describe(self) -> str:
        """Where the labels come from, for reports."""
        if self.labels_path is not None:
            return str(self.labels_path)
        return f"column {self.label_column!r}"


def open_corpus(data: Path, labels: Path | None = None, label_column: str | None = None) -> Corpus:
    """Find the series under ``data`` and pair each with its labels."""
    files = find_files(data)
    if label_column is not None:
        return Corpus(unlabelled_files(files, data), None, label_column)
    labels = labels or default_labels(data)
    windows = read_windows(labels)
    return Corpus(label_files(files, windows, labels), windows, None, labels)


@dataclass(frozen=True)
class LabelledSeries:
    """One replayed series and its windows as inclusive ``(first_row, last_row)`` pairs."""

    file: CorpusFile
    scored: ScoredSeries
    windows: NDArray[np.int64]

    @property
    def rows(self) -> int:
        return len(self.scored.scores)


def score_file(
    host: PluginHost,
    corpus: Corpus,
    file: CorpusFile,
    detector: str,
    params: Mapping[str, Any],
    sensor: str | None = None,
) -> LabelledSeries:
    """Replay one file through a fresh detector and locate its windows."""
    scored = replay(
        host, file.path, detector, params, sensor=sensor, label_column=corpus.label_column
    )
    if corpus.windows is None:
        windows = flag_windows(scored.labels, str(file.path))
    else:
        where = f"{corpus.labels_path}: {file.name}"
        windows = window_rows(scored.times, corpus.windows[file.name], where)
    return LabelledSeries(file, scored, windows)


@dataclass(frozen=True)
class Pointwise:
    """Row-by-row precision, recall and F1 after probation (rows in windows are positives)."""

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else math.nan

    @property
    def recall(self) -> float:
        positives = self.true_positives + self.false_negatives
        return self.true_positives / positives if positives else math.nan

    @property
    def f1(self) -> float:
        total = 2 * self.true_positives + self.false_positives + self.false_negatives
        return 2 * self.true_positives / total if total else math.nan


def pointwise(series: Sequence[LabelledSeries], threshold: float) -> Pointwise:
    """Count row-level hits and misses at ``threshold`` over all series."""
    tp = fp = fn = 0
    for s in series:
        scores = s.scored.scores[probation_rows(s.rows) :]
        positive = np.zeros(s.rows, dtype=bool)
        for first, last in s.windows:
            positive[first : last + 1] = True
        positive = positive[probation_rows(s.rows) :]
        with np.errstate(invalid="ignore"):
            flagged = scores >= threshold
        tp += int((flagged & positive).sum())
        fp += int((flagged & ~positive).sum())
        fn += int((~flagged & positive).sum())
    return Pointwise(tp, fp, fn)


@dataclass(frozen=True)
class ProfileResult:
    """A detector's scores under one NAB profile.

    Attributes
    ----------
    profile : Profile
    threshold : float
        The corpus-optimal threshold (``inf``: never firing scores best).
    raw : float
        Summed raw score at ``threshold``.
    score : float
        Normalised NAB score at ``threshold`` (0 = never fires, 100 = perfect).
    half_split : float
        Normalised score with thresholds chosen on the other half (NaN for one file).
    default_score : float
        Normalised score at the detector's own flag threshold.
    files : list of SeriesScore
        Per-file figures at ``threshold``, in corpus order.
    pointwise : Pointwise or None
        Row-level counts at ``threshold`` (labels from a column only).
    """

    profile: Profile
    threshold: float
    raw: float
    score: float
    half_split: float
    default_score: float
    files: list[SeriesScore]
    pointwise: Pointwise | None = None

    @property
    def found(self) -> int:
        return sum(f.found for f in self.files)

    @property
    def missed(self) -> int:
        return sum(f.missed for f in self.files)

    @property
    def false_positives(self) -> int:
        return sum(f.false_positives for f in self.files)


@dataclass(frozen=True)
class Evaluation:
    """Everything ``dsio evaluate`` reports."""

    detector: str
    params: dict[str, Any]
    names: list[str]
    rows: list[int]
    windows: int
    default_threshold: float
    profiles: list[ProfileResult]
    seconds: float = 0.0
    labels: str = ""


def half_split(sweep: ThresholdSweep, profile: Profile, count: int) -> float:
    """Average normalised score of each half at the threshold chosen on the other half."""
    if count < 2:
        return math.nan
    halves = (list(range(0, count, 2)), list(range(1, count, 2)))
    scores = []
    for fit, test in (halves, halves[::-1]):
        threshold = sweep.best(profile, fit).threshold
        raw = sweep.raw_at(profile, threshold, test)
        scores.append(profile.normalised(raw, sweep.scored_windows(test)))
    return float(np.mean(scores))


def summarise(
    detector: str,
    params: Mapping[str, Any],
    series: Sequence[LabelledSeries],
    profiles: Sequence[str] = tuple(PROFILES),
    *,
    with_pointwise: bool = False,
) -> Evaluation:
    """Choose each profile's threshold exactly and score the corpus with it."""
    sweep = ThresholdSweep([(s.scored.scores, s.windows) for s in series])
    windows = sweep.scored_windows()
    default = series[0].scored.threshold
    results = []
    for name in profiles:
        profile = PROFILES[name]
        choice = sweep.best(profile)
        results.append(
            ProfileResult(
                profile=profile,
                threshold=choice.threshold,
                raw=choice.raw,
                score=profile.normalised(choice.raw, windows),
                half_split=half_split(sweep, profile, len(series)),
                default_score=profile.normalised(sweep.raw_at(profile, default), windows),
                files=[
                    score_series(s.scored.scores, s.windows, choice.threshold, profile)
                    for s in series
                ],
                pointwise=pointwise(series, choice.threshold) if with_pointwise else None,
            )
        )
    return Evaluation(
        detector=detector,
        params=dict(params),
        names=[s.file.name for s in series],
        rows=[s.rows for s in series],
        windows=windows,
        default_threshold=default,
        profiles=results,
    )


def evaluate_corpus(
    host: PluginHost,
    corpus: Corpus,
    detector: str,
    params: Mapping[str, Any],
    *,
    sensor: str | None = None,
    profiles: Sequence[str] = tuple(PROFILES),
    on_file: Callable[[LabelledSeries], None] | None = None,
) -> Evaluation:
    """Replay every series of ``corpus`` through ``detector`` and score it NAB-style.

    ``on_file`` is called after each file is replayed (progress, writing results).
    """
    started = time.perf_counter()
    series = []
    for file in corpus.files:
        labelled = score_file(host, corpus, file, detector, params, sensor)
        if on_file is not None:
            on_file(labelled)
        series.append(labelled)
    name = host.detectors.get(detector).name
    evaluation = summarise(
        name, params, series, profiles, with_pointwise=corpus.label_column is not None
    )
    return replace(evaluation, seconds=time.perf_counter() - started, labels=corpus.describe())
