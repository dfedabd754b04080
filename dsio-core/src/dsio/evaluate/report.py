"""What ``dsio evaluate`` prints: plain-text tables built from an :class:`Evaluation`."""

from __future__ import annotations

import math
from collections.abc import Sequence

from dsio.evaluate.evaluation import Evaluation, ProfileResult


def format_threshold(threshold: float) -> str:
    """A threshold for people: ``never`` when never firing scores best.

    >>> format_threshold(0.99734512), format_threshold(float("inf"))
    ('0.997345', 'never')
    """
    return "never" if math.isinf(threshold) else f"{threshold:.6g}"


def format_score(score: float) -> str:
    return "-" if math.isnan(score) else f"{score:.2f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Align columns: the first to the left, the others to the right.

    >>> print("\\n".join(table(["name", "n"], [["a", "10"], ["bcd", "2"]])))
    name   n
    a     10
    bcd    2
    """
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows, strict=True)]
    lines = []
    for row in (headers, *rows):
        cells = [cell.rjust(width) for cell, width in zip(row, widths, strict=True)]
        cells[0] = row[0].ljust(widths[0])
        lines.append("  ".join(cells).rstrip())
    return lines


def summary(evaluation: Evaluation) -> list[str]:
    """The headline: per profile, NAB score, half-split, score at default threshold, counts."""
    e = evaluation
    params = ", ".join(f"{k}={v}" for k, v in e.params.items())
    lines = [
        f"{e.detector}{f' ({params})' if params else ''}: {len(e.names)} series, "
        f"{sum(e.rows):,} rows, {e.windows} anomaly windows ({e.labels}), {e.seconds:.1f} s",
        "",
    ]
    pointwise = any(p.pointwise for p in e.profiles)
    headers = ["profile", "NAB score", "half-split", "at default", "threshold", "found"]
    headers += ["missed", "false pos."]
    if pointwise:
        headers += ["precision", "recall", "F1"]
    lines += table(headers, [_profile_row(p, pointwise) for p in e.profiles])
    lines += [
        "",
        "NAB score: threshold chosen on the whole corpus; half-split: chosen on alternate files, "
        "scored on the others;",
        f"at default: the detector's own threshold {format_threshold(e.default_threshold)}. "
        "0 = never fires, 100 = every window found on its first row.",
    ]
    return lines


def _profile_row(result: ProfileResult, pointwise: bool) -> list[str]:
    row = [
        result.profile.name,
        format_score(result.score),
        format_score(result.half_split),
        format_score(result.default_score),
        format_threshold(result.threshold),
        str(result.found),
        str(result.missed),
        str(result.false_positives),
    ]
    if pointwise and result.pointwise:
        p = result.pointwise
        row += [format_score(p.precision), format_score(p.recall), format_score(p.f1)]
    return row


def per_file(evaluation: Evaluation) -> list[str]:
    """For ``--verbose``: each file's windows, hits and raw score, per profile."""
    lines: list[str] = []
    for result in evaluation.profiles:
        lines += [
            "",
            f"{result.profile.name} at threshold {format_threshold(result.threshold)}:",
        ]
        figures = zip(evaluation.names, evaluation.rows, result.files, strict=True)
        rows = [
            [name, f"{n:,}", str(f.windows), str(f.found), str(f.false_positives), f"{f.raw:.3f}"]
            for name, n, f in figures
        ]
        lines += table(["file", "rows", "windows", "found", "false pos.", "raw score"], rows)
    return lines
