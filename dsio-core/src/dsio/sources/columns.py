"""Decide what each column of an input is: the time, a sensor, or neither.

The decision is made once, from a sample (the first block of a file, the first lines of a
pipe, the first rows of a DataFrame), and then holds for the whole stream. Every column that is
left out, and every name that has to change, is reported with a reason, so that a user who
expected a sensor learns why it is not there.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from dsio.errors import InputError
from dsio.sources.cells import normalize_text, to_float
from dsio.sources.timeparse import (
    TimeFormat,
    day_order_evidence,
    detect_format,
    is_time_name,
    with_day_order,
)
from dsio.stream import TIME

if TYPE_CHECKING:
    import pyarrow as pa

    from dsio.sources.base import SourceOptions

log = logging.getLogger(__name__)

#: Names pandas, R and pyarrow give a written-out row index (pandas numbers a second one
#: ``Unnamed: 0.1`` and the levels of a column MultiIndex ``Unnamed: 0_level_0``).
_UNNAMED = re.compile(r"^(|Unnamed: \d+(?:\.\d+|_level_\d+)?|__index_level_\d+__)$")
#: Names under which a row counter is usually written.
_COUNTER_NAMES = frozenset({"index", "idx", "id", "row", "rownum", "rownumber", "no", "nr", "n"})
#: Columns of every frame besides the sensors; a sensor may not take these names.
_RESERVED = frozenset({TIME, "line", "live_time"})


@dataclass(frozen=True)
class ColumnSample:
    """The first cells of one input column (nulls where missing), as read so far."""

    index: int
    name: str
    cells: pa.Array


@dataclass(frozen=True)
class Sample:
    """The first rows of an input, column by column, with the line of each row."""

    columns: tuple[ColumnSample, ...]
    lines: np.ndarray
    unit: str = "line"

    def line_of(self, row: int) -> str:
        """``line 7`` (or ``row 5`` for a DataFrame): where a sample row is in the input."""
        return f"{self.unit} {self.lines[row]}"


@dataclass(frozen=True)
class TimeColumn:
    """Where the time is: one column, or a date column and a time-of-day column joined."""

    indexes: tuple[int, ...]
    name: str
    format: TimeFormat


@dataclass(frozen=True)
class SensorColumn:
    """One scored column: its position, its name in the input and its safe field name."""

    index: int
    name: str
    field: str


@dataclass(frozen=True)
class Layout:
    """What the source delivers: the time (None for a clock made up by dsio) and the sensors."""

    time: TimeColumn | None
    sensors: tuple[SensorColumn, ...]

    @property
    def needed(self) -> list[int]:
        """Input columns to read, in input order."""
        wanted = set(self.time.indexes if self.time else ()) | {s.index for s in self.sensors}
        return sorted(wanted)


def plan_layout(
    sample: Sample, options: SourceOptions, prefix: str, *, decimal: str = "."
) -> Layout:
    """Choose the time column and the sensors of an input from its first rows.

    Raises :class:`InputError` for an unknown ``--timefield``/``--sensors`` name, a chosen time
    column that holds no times, or an input without a single sensor.
    """
    by_name = {c.name: c for c in reversed(sample.columns)}  # first column wins a duplicate name
    present = {c.index: _present(c.cells) for c in sample.columns}
    time, not_time = _choose_time(sample, options, prefix, decimal, by_name, present)
    used = set(time.indexes) if time else set()
    candidates = [c for c in sample.columns if c.index not in used]
    if options.sensors:
        chosen = _selected(sample, candidates, options, prefix, decimal, time, present)
    else:
        chosen = _numeric(sample, candidates, prefix, decimal, not_time, present)
    if not chosen:
        listed = ", ".join(repr(c.name) for c in sample.columns)
        raise InputError(f"{prefix}: no column holds numbers to score (columns: {listed})")
    fields = safe_field_names([c.name for c in chosen], prefix, [c.index + 1 for c in chosen])
    sensors = tuple(SensorColumn(c.index, c.name, f) for c, f in zip(chosen, fields, strict=True))
    return Layout(time, sensors)


def describe(layout: Layout, prefix: str) -> None:
    """Log (at INFO) what the input was found to hold, once every decision is final."""
    if layout.time is not None:
        log.info(
            "%s: time column %r read as %s", prefix, layout.time.name, layout.time.format.describe()
        )
    log.info("%s: sensors %s", prefix, ", ".join(s.field for s in layout.sensors))


def settle_day_order(layout: Layout, columns: Iterable[pa.Array], prefix: str) -> Layout:
    """Decide the day/month order of dates that read both ways in the sample.

    ``columns`` are text arrays of the date column (the rest of the input, in order); the first
    date that can only be read one way decides, and reading stops there. Without one, a warning
    says which order was taken.
    """
    time = layout.time
    if time is None or not time.format.ambiguous:
        return layout
    for cells in columns:
        proof = day_order_evidence(normalize_text(cells).drop_null())
        if proof is not None:
            return replace(layout, time=replace(time, format=with_day_order(time.format, proof)))
    log.warning(
        "%s: column %r: no date shows whether the day or the month comes first; read as "
        "%s, which gives the most regular sequence",
        prefix,
        time.name,
        "day-first" if time.format.dayfirst else "month-first",
    )
    return layout


# -- time -----------------------------------------------------------------------------------


def _present(cells: pa.Array) -> pa.Array:
    import pyarrow as pa

    if pa.types.is_string(cells.type) or pa.types.is_large_string(cells.type):
        cells = normalize_text(cells)
    return cells.drop_null()


def _choose_time(sample, options, prefix, decimal, by_name, present):
    """Return the time column (or None) and the indexes of time-named columns left out."""
    if options.timefield is not None:
        column = by_name.get(options.timefield)
        if column is None:
            listed = ", ".join(repr(c.name) for c in sample.columns)
            raise InputError(
                f"{prefix}: --timefield {options.timefield!r} is not a column (columns: {listed})"
            )
        fmt = detect_format(present[column.index], column.name, by_name=True, decimal=decimal)
        if fmt is None or fmt.kind == "clock":
            raise InputError(
                f"{prefix}: --timefield column {column.name!r} does not hold times"
                f"{_example(sample, column)}"
            )
        return _with_clock(sample, TimeColumn((column.index,), column.name, fmt), present), set()

    named = [c for c in sample.columns if is_time_name(c.name)]
    named.sort(key=lambda c: _name_rank(c.name))
    found: list[TimeColumn] = []
    not_time: set[int] = set()
    for column in named:
        fmt = detect_format(present[column.index], column.name, by_name=True, decimal=decimal)
        if fmt is None:
            not_time.add(column.index)
        else:
            found.append(TimeColumn((column.index,), column.name, fmt))
    # A calendar time beats elapsed seconds; times of day alone only join a date column.
    full = sorted(
        (t for t in found if t.format.kind != "clock"), key=lambda t: t.format.kind == "elapsed"
    )
    if full:
        time = _with_clock(sample, full[0], present)
    else:
        time = _by_content(sample, named, decimal, present)
    for t in found:  # other columns that hold times are not sensors either
        if time is None or t.indexes[0] not in time.indexes:
            not_time.add(t.indexes[0])
            if t.format.kind == "clock":
                log.warning(
                    "%s: column %r holds only times of day and no date column goes with it; "
                    "it is not used as time or as a sensor",
                    prefix,
                    t.name,
                )
            else:
                log.info("%s: column %r also holds times; it is not a sensor", prefix, t.name)
    for column in named:
        if column.index not in {t.indexes[0] for t in found}:
            selected = column.name in (options.sensors or ())
            log.warning(
                "%s: column %r is named like a time but does not hold times%s; it is not used "
                "as time%s",
                prefix,
                column.name,
                _example(sample, column),
                "" if selected else " or as a sensor",
            )
    if time is None:
        log.warning(
            "%s: no time column found; using a clock from now at one row per second "
            "(name the time column with --timefield)",
            prefix,
        )
    return time, not_time


def _name_rank(name: str) -> int:
    """Prefer full timestamps over dates: timestamp, datetime, time, then the rest."""
    words = "".join(re.findall(r"[a-z]+", name.lower()))
    for rank, word in enumerate(("timestamp", "datetime", "time")):
        if word in words:
            return rank
    return 3


def _by_content(sample, named, decimal, present) -> TimeColumn | None:
    """A column not named like time whose every sample cell is a date (or the first named
    column, if it holds increasing epoch numbers). An unnamed column counts too: it is how
    pandas writes a DataFrame's DatetimeIndex."""
    named_indexes = {c.index for c in named}
    position = -1
    for column in sample.columns:
        if column.index in named_indexes:
            continue
        if not _UNNAMED.match(column.name.strip()):
            position += 1
        cells = present[column.index]
        if len(cells) == 0:
            continue
        fmt = detect_format(cells, column.name, by_name=False, decimal=decimal)
        if fmt is None or fmt.kind in ("clock", "elapsed"):
            continue
        if fmt.kind == "epoch" and position > 0:
            continue  # increasing big numbers further right are more likely a counter
        return _with_clock(sample, TimeColumn((column.index,), column.name, fmt), present)
    return None


def _with_clock(sample: Sample, time: TimeColumn, present) -> TimeColumn:
    """Join a date-only column with a column of times of day (``Date;Time`` exports)."""
    import pyarrow.compute as pc

    if not _date_only(time.format, present[time.indexes[0]]):
        return time
    date = next(c for c in sample.columns if c.index == time.indexes[0])
    for column in sample.columns:
        if column.index == date.index or not is_time_name(column.name):
            continue
        fmt = detect_format(present[column.index], column.name, by_name=True)
        if fmt is None or fmt.kind != "clock":
            continue
        joined = pc.binary_join_element_wise(
            normalize_text(date.cells), normalize_text(column.cells), " "
        ).drop_null()
        both = detect_format(joined, date.name, by_name=True)
        if both is not None and both.kind != "clock":
            return TimeColumn((date.index, column.index), f"{date.name}+{column.name}", both)
    return time


def _date_only(fmt: TimeFormat, cells: pa.Array) -> bool:
    import pyarrow.compute as pc

    if fmt.kind == "patterns":
        return not any("%H" in p or "%I" in p for p in fmt.patterns)
    if fmt.kind == "iso":
        return len(cells) > 0 and pc.max(pc.utf8_length(cells)).as_py() <= 10
    return False


def _example(sample: Sample, column: ColumnSample) -> str:
    """`` (line 3: 'abc')`` for the first present cell of a column, or nothing."""
    valid = column.cells.is_valid().to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(valid)
    if len(rows) == 0:
        return " (it is empty)"
    row = int(rows[0])
    return f" ({sample.line_of(row)}: {column.cells[row].as_py()!r})"


# -- sensors --------------------------------------------------------------------------------


def _selected(sample, candidates, options, prefix, decimal, time, present):
    """The ``--sensors`` columns, in input order; unknown names are an error."""
    by_original = {c.name: c for c in reversed(candidates)}
    fields = safe_field_names([c.name for c in candidates], quiet=True)
    by_field = {f: c for c, f in zip(candidates, fields, strict=True)}
    chosen: dict[int, ColumnSample] = {}
    for name in options.sensors:
        column = by_original.get(name) or by_field.get(name)
        if column is None:
            if time is not None and name == time.name:
                raise InputError(f"{prefix}: --sensors {name!r} is the time column")
            available = ", ".join(repr(c.name) for c in candidates)
            raise InputError(
                f"{prefix}: --sensors {name!r} is not a column (available: {available})"
            )
        cells = present[column.index]
        _, bad = to_float(cells, decimal)
        if len(cells) and bad.all():
            raise InputError(
                f"{prefix}: --sensors column {name!r} holds no numbers{_example(sample, column)}"
            )
        chosen[column.index] = column
    return [chosen[i] for i in sorted(chosen)]


def _numeric(sample, candidates, prefix, decimal, not_time, present):
    """Every column with a number in the sample, except index and time-named columns."""
    chosen = []
    for column in candidates:
        if column.index in not_time:
            continue
        cells = present[column.index]
        if _UNNAMED.match(column.name.strip()):
            if len(cells):  # an empty one is only a delimiter at the end of each row
                log.info(
                    "%s: column %d has no name (a row index?); it is not a sensor",
                    prefix,
                    column.index + 1,
                )
            continue
        if len(cells) == 0:
            log.warning(
                "%s: column %r is empty in the first %d rows; it is not a sensor",
                prefix,
                column.name,
                len(sample.lines),
            )
            continue
        numbers, bad = to_float(cells, decimal)
        if bad.all():
            log.warning(
                "%s: column %r holds no numbers%s; it is not a sensor",
                prefix,
                column.name,
                _example(sample, column),
            )
            continue
        if _is_counter(column.name, numbers):
            log.info(
                "%s: column %r counts rows (a row index); it is not a sensor", prefix, column.name
            )
            continue
        chosen.append(column)
    return chosen


def _is_counter(name: str, numbers: np.ndarray) -> bool:
    """A written-out row index: named like one and going up by exactly 1 on every row."""
    if name.strip().lower().strip("#_ ") not in _COUNTER_NAMES and name.strip() != "#":
        return False
    return len(numbers) > 1 and bool(np.all(np.diff(numbers) == 1))


def safe_field_names(
    names: list[str],
    prefix: str = "",
    numbers: list[int] | None = None,
    *,
    quiet: bool = False,
) -> list[str]:
    """Rename columns whose names would break a sink: dots (Elasticsearch reads them as object
    paths), duplicates, a leading ``_``, and the names of dsio's own columns.

    Names that need no change keep it; the others get the first free ``name_1``, ``name_2``...
    One warning lists every rename (``numbers`` are the input column numbers it quotes).

    >>> safe_field_names(["motor", "motor.temp", "vib", "vib", "time"], quiet=True)
    ['motor', 'motor_temp', 'vib', 'vib_1', 'time_1']
    """
    bases = []
    for position, name in enumerate(names):
        base = name.strip().replace(".", "_").lstrip("_") or f"column_{position + 1}"
        if base.startswith(("SCORE_", "FLAG_")):
            base = f"sensor_{base}"
        bases.append(base)
    taken = set(_RESERVED)
    keep = [False] * len(names)
    for i, (name, base) in enumerate(zip(names, bases, strict=True)):
        if base == name and base not in taken:
            taken.add(base)
            keep[i] = True
    fields = []
    renames = []
    for i, (name, base) in enumerate(zip(names, bases, strict=True)):
        if keep[i]:
            fields.append(base)
            continue
        field, k = base, 0
        while field in taken:
            k += 1
            field = f"{base}_{k}"
        taken.add(field)
        fields.append(field)
        where = f" (column {numbers[i] if numbers else i + 1})" if names.count(name) > 1 else ""
        renames.append(f"{name!r}{where} → {field!r}")
    if renames and not quiet:
        log.warning(
            "%s: renamed columns to names every output accepts: %s", prefix, ", ".join(renames)
        )
    return fields
