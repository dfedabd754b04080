"""Recognise a time column and turn its cells into UTC instants (int64 nanoseconds).

The failures this module exists to prevent are silent ones: epoch milliseconds read as seconds
(or cast to int32), ``11/03/2024`` read as November in one row and ``13/03/2024`` as March in
the next, offsets dropped at a daylight-saving change. So a format is chosen once per column
from all the sample values, then applied to every cell with the same rules; a cell that does not
fit is reported, never guessed.

Times are int64 nanoseconds since the epoch (UTC) throughout; missing cells are tracked in a
separate mask so that NaT is never cast to an integer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from dsio.sources.cells import to_float

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

#: Words that make a column name a time name, once qualifiers (units, zones) are removed.
TIME_WORDS = frozenset(
    {
        "time",
        "timestamp",
        "datetime",
        "date",
        "ts",
        "epoch",
        "unixtime",
        "zeit",
        "zeitstempel",
        "datum",
        "datumzeit",
        "datumuhrzeit",
        "uhrzeit",
        "fecha",
        "fechahora",
        "hora",
        "horodatage",
        "heure",
        "tijd",
        "tijdstip",
    }
)
#: Words that may surround a time word without changing what the column is.
_QUALIFIERS = frozenset(
    {
        "utc",
        "gmt",
        "local",
        "iso",
        "unix",
        "posix",
        "stamp",
        "z",
        "event",
        "sample",
        "record",
        "measurement",
        "log",
        "elapsed",
        "relative",
        "and",
        "of",
        "s",
        "sec",
        "secs",
        "second",
        "seconds",
        "ms",
        "msec",
        "millis",
        "millisecond",
        "milliseconds",
        "us",
        "usec",
        "micros",
        "microsecond",
        "microseconds",
        "ns",
        "nsec",
        "nanos",
        "nanosecond",
        "nanoseconds",
    }
)
_UNIT_WORDS = {
    "s": "s",
    "sec": "s",
    "secs": "s",
    "second": "s",
    "seconds": "s",
    "ms": "ms",
    "msec": "ms",
    "millis": "ms",
    "millisecond": "ms",
    "milliseconds": "ms",
    "us": "us",
    "usec": "us",
    "micros": "us",
    "microsecond": "us",
    "microseconds": "us",
    "ns": "ns",
    "nsec": "ns",
    "nanos": "ns",
    "nanosecond": "ns",
    "nanoseconds": "ns",
}
_NS_PER = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}
_UNIT_NAMES = {"s": "seconds", "ms": "milliseconds", "us": "microseconds", "ns": "nanoseconds"}

#: Numbers below this are not epoch seconds (1973-03-03); small increasing ones are elapsed time.
EPOCH_MIN = 1e8
#: Share of a named column's sample cells that must fit a format for it to be the time column.
NAMED_SHARE = 0.5
#: Share of forward steps that makes small numbers in a time-named column elapsed time. Not
#: all: a clock that goes back now and then (a restart, a merge) is reported, not discarded.
NAMED_RISING = 0.75

_CLOCK = r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:\s*[AaPp][Mm])?"
_ZONE = r"(?:\s*(?:Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?))"
_HMS = r"\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?"
_ISO = re.compile(rf"^\d{{4}}-\d{{2}}-\d{{2}}(?:[T ]{_HMS}{_ZONE}?)?$")
_AWARE = rf"\d{{2}}:\d{{2}}(?::\d{{2}}(?:[.,]\d+)?)?{_ZONE}$"
_DMY = (
    r"^(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})[/.-](?P<y>\d{4}|\d{2})"
    rf"(?P<rest>(?:[ T]+{_CLOCK})?)$"
)
_YMD = rf"^\d{{4}}(?P<sep>[/.])\d{{1,2}}[/.]\d{{1,2}}(?P<rest>(?:[ T]+{_CLOCK})?)$"
_CLOCK_ONLY = rf"^{_CLOCK}$"
_COMPACT = (
    r"^(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r"(?:(?:[01]\d|2[0-3])[0-5]\d(?:[0-5]\d)?)?$"
)
#: A zone written after a time of day (``11/03/2024 08:00 +01:00``, ``... 8:00 PM UTC``).
_ZONE_AFTER_CLOCK = (
    r"^(?P<wall>.*\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[AaPp][Mm])?)\s*"
    r"(?P<zone>[Zz]|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$"
)
_NUMBER = r"^[+-]?(?:\d+[.,]?\d*|[.,]\d+)(?:[eE][+-]?\d+)?$"
_CLOCK_FORMATS = (
    "",
    " %H:%M",
    " %H:%M:%S",
    " %H:%M:%S.%f",
    "T%H:%M:%S",
    "T%H:%M",
    "T%H:%M:%S.%f",
    " %I:%M %p",
    " %I:%M:%S %p",
    " %I:%M%p",
)

Note = Callable[[str, np.ndarray], None]


@dataclass(frozen=True)
class TimeFormat:
    """How the cells of one time column are written.

    Attributes
    ----------
    kind : str
        ``epoch`` (seconds, ms, us or ns since 1970), ``elapsed`` (small increasing numbers,
        seconds unless the name says otherwise), ``iso`` (ISO 8601, with or without offsets),
        ``patterns`` (``strftime`` patterns, e.g. day-first dates), ``datetime`` (cells that
        already are timestamps, from a DataFrame) or ``clock`` (times of day only).
    unit : str
        Unit of ``epoch``/``elapsed`` numbers: ``s``, ``ms``, ``us`` or ``ns``.
    integral : bool
        ``epoch``/``elapsed`` numbers are integers (read exactly as int64).
    decimals : int
        Digits after the decimal mark kept for fractional numbers (float noise is rounded off).
    aware : bool or None
        ``iso``: every cell has an offset (True), none has (False), or both occur (None).
    patterns : tuple of str
        ``patterns``/``clock``: the patterns to try, most frequent first.
    dayfirst : bool or None
        For numeric dates: True for DD/MM, False for MM/DD, None if it does not apply.
    ambiguous : bool
        No sample value proved the order of day and month (``dayfirst`` is a guess).
    decimal : str
        Decimal mark of ``epoch``/``elapsed`` numbers written as text.
    """

    kind: str
    unit: str = "s"
    integral: bool = True
    decimals: int = 0
    aware: bool | None = False
    patterns: tuple[str, ...] = ()
    dayfirst: bool | None = None
    ambiguous: bool = False
    decimal: str = "."

    def describe(self) -> str:
        """A few words for messages, e.g. ``epoch milliseconds`` or ``day-first %d/%m/%Y``."""
        if self.kind in ("epoch", "elapsed"):
            return f"{self.kind} {_UNIT_NAMES[self.unit]}"
        if self.kind == "iso":
            return (
                "ISO 8601"
                + {True: " with offsets", False: "", None: " (some with offsets)"}[self.aware]
            )
        order = {True: "day-first ", False: "month-first ", None: ""}[self.dayfirst]
        return f"{order}{self.patterns[0].strip() if self.patterns else self.kind}"

    def arrow_type(self) -> pa.DataType:
        """The type a CSV reader can parse these cells to directly (string if it cannot).

        Numbers with a fraction stay text: a double would round epoch nanoseconds.
        """
        import pyarrow as pa

        if self.kind in ("epoch", "elapsed"):
            return pa.int64() if self.integral else pa.string()
        if self.kind == "iso" and self.aware is not None:
            return pa.timestamp("ns", tz="UTC") if self.aware else pa.timestamp("ns")
        return pa.string()


# -- recognising -----------------------------------------------------------------------------


def name_words(name: str) -> list[str]:
    """Split a column name into lower-case words (``eventTime [ms]`` -> event, time, ms)."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return [w for w in re.split(r"[^0-9a-zA-Z]+", spaced.lower()) if w]


def is_time_name(name: str) -> bool:
    """True for names such as ``time``, ``Timestamp (UTC)``, ``date_time``, ``epoch_ms``.

    >>> [is_time_name(n) for n in ("time", "Time (UTC)", "elapsed_s", "response_time", "t")]
    [True, True, True, False, False]
    """
    words = name_words(name)
    core = "".join(w for w in words if w not in _QUALIFIERS)
    if not core:  # only qualifiers: "UTC", "unix_ms" name a time, "s" or "ms" alone do not
        return any(w in ("utc", "gmt", "unix", "posix", "elapsed") for w in words)
    return core in TIME_WORDS


def unit_hint(name: str) -> str | None:
    """The unit a column name states (``elapsed_ms`` -> ``ms``), if any."""
    units = [_UNIT_WORDS[w] for w in name_words(name) if w in _UNIT_WORDS]
    return units[-1] if units else None


def detect_format(
    cells: pa.Array, name: str, *, by_name: bool, decimal: str = "."
) -> TimeFormat | None:
    """Choose the format of a time column from a sample of its cells, or None if not time.

    ``cells`` are the sample's present cells: text (already trimmed), numbers or timestamps.
    A column chosen ``by_name`` needs :data:`NAMED_SHARE` of its cells to fit (the rest are
    errors later, naming their lines); one chosen by content must fit entirely.
    """
    import pyarrow as pa

    if len(cells) == 0:
        return None
    if pa.types.is_timestamp(cells.type) or pa.types.is_date(cells.type):
        aware = getattr(cells.type, "tz", None) is not None
        return TimeFormat("datetime", aware=aware)
    if by_name and pa.types.is_integer(cells.type):
        compact = _compact_format(cells.cast(pa.string()), NAMED_SHARE)
        if compact is not None:
            return compact
    if pa.types.is_integer(cells.type) or pa.types.is_floating(cells.type):
        return _numeric_format(cells, name, by_name=by_name)
    if not pa.types.is_string(cells.type) and not pa.types.is_large_string(cells.type):
        return None
    need = NAMED_SHARE if by_name else 1.0
    if by_name and (compact := _compact_format(cells, need)) is not None:
        return compact
    share = _share(cells, _NUMBER)
    if share >= need:
        values, bad = to_float(cells, decimal)
        if bad.mean() > 1 - need:
            return None
        fmt = _numeric_format(pa.array(values[~bad]), name, by_name=by_name)
        if fmt is None:
            return None
        import pyarrow.compute as pc

        integral = not pc.any(pc.match_substring_regex(cells, "[.,eE]")).as_py()
        return replace(fmt, integral=integral, decimals=_decimals(cells), decimal=decimal)
    if _share(cells, _ISO.pattern) >= need:
        aware = _share(cells, _AWARE)
        return TimeFormat("iso", aware=True if aware == 1 else False if aware == 0 else None)
    return _pattern_format(cells, need)


def _compact_format(cells: pa.Array, need: float) -> TimeFormat | None:
    """Dates written as one number (``20240301``, ``202403010800``, ``20240301080000``).

    Only for columns named like time, where they would otherwise pass for elapsed seconds or
    epoch milliseconds. One length for the column: ``%M%S`` would also read ``0815`` as 08:01:05.
    """
    import pyarrow.compute as pc

    if _share(cells, _COMPACT) < need:
        return None
    lengths = pc.unique(pc.utf8_length(cells.filter(pc.match_substring_regex(cells, _COMPACT))))
    if len(lengths) != 1:
        return None
    pattern = {8: "%Y%m%d", 12: "%Y%m%d%H%M", 14: "%Y%m%d%H%M%S"}[lengths[0].as_py()]
    return _fitting(cells, [pattern], need, "patterns")


def _decimals(cells: pa.Array) -> int:
    """The most digits after a decimal mark in text cells (at most 9)."""
    import pyarrow.compute as pc

    fractions = pc.extract_regex(cells, r"[.,](?P<digits>\d+)").field("digits")
    return min(pc.max(pc.utf8_length(fractions)).as_py() or 0, 9)


def _share(cells: pa.Array, pattern: str) -> float:
    import pyarrow.compute as pc

    matches = pc.match_substring_regex(cells, pattern)
    return pc.sum(matches).as_py() / len(cells) if len(cells) else 0.0


def _numeric_format(cells: pa.Array, name: str, *, by_name: bool) -> TimeFormat | None:
    """Epoch seconds/ms/us/ns by magnitude; small non-decreasing numbers are elapsed time."""
    import pyarrow as pa

    values = cells.cast(pa.float64()).to_numpy(zero_copy_only=False)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return None
    integral = pa.types.is_integer(cells.type) or bool(np.all(values == np.round(values)))
    magnitude = float(np.median(np.abs(values)))
    steps = np.diff(values)
    rising = len(steps) > 0 and np.mean(steps >= 0) >= (NAMED_RISING if by_name else 1.0)
    if magnitude < EPOCH_MIN:
        if len(steps) == 0:  # a single row (the first line of a pipe): trust the name
            rising = by_name
        if not by_name or not rising or (len(steps) and np.all(steps == 0)):
            return None
        return TimeFormat("elapsed", unit=unit_hint(name) or "s", integral=integral)
    if not by_name and not rising:
        return None
    unit = next(
        u for u, top in (("s", 1e11), ("ms", 1e14), ("us", 1e17), ("ns", np.inf)) if magnitude < top
    )
    return TimeFormat("epoch", unit=unit, integral=integral)


def _pattern_format(cells: pa.Array, need: float) -> TimeFormat | None:
    """Numeric dates (day/month order decided from all cells) and anything pandas can guess.

    A zone after the time of day is left out here: the patterns describe the wall clock, and
    :func:`to_utc` applies each cell's zone.
    """
    import pyarrow.compute as pc

    cells, _, _ = split_zone(cells)
    dmy = pc.extract_regex(cells, _DMY)
    if pc.sum(dmy.is_valid()).as_py() / len(cells) >= need:
        return _day_month_format(cells, dmy, need)
    ymd = pc.extract_regex(cells, _YMD)
    if pc.sum(ymd.is_valid()).as_py() / len(cells) >= need:
        first = ymd.filter(ymd.is_valid())[0].as_py()
        base = f"%Y{first['sep']}%m{first['sep']}%d"
        return _fitting(cells, [base + c for c in _CLOCK_FORMATS], need, "patterns")
    if _share(cells, _CLOCK_ONLY) >= need:
        return _fitting(cells, [c.strip() for c in _CLOCK_FORMATS if c], need, "clock")
    return _guessed_format(cells, need)


def _day_month_format(cells: pa.Array, dmy: pa.StructArray, need: float) -> TimeFormat | None:
    """``11/03/2024``: day-first if any first number exceeds 12, month-first if any second."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = dmy.filter(dmy.is_valid())
    first = found.field("a").cast(pa.int32())
    second = found.field("b").cast(pa.int32())
    day_first = pc.any(pc.greater(first, 12)).as_py()
    month_first = pc.any(pc.greater(second, 12)).as_py()
    if day_first and month_first:
        return None  # not one consistent order: not a date column
    sample = found[0].as_py()
    year = "%Y" if len(sample["y"]) == 4 else "%y"
    sep = sample["sep"]
    orders = (bool(day_first),) if day_first or month_first else (True, False)
    options = []
    for dayfirst in orders:
        base = f"%d{sep}%m{sep}{year}" if dayfirst else f"%m{sep}%d{sep}{year}"
        fmt = _fitting(cells, [base + c for c in _CLOCK_FORMATS], need, "patterns")
        if fmt is not None:
            options.append(replace(fmt, dayfirst=dayfirst, ambiguous=len(orders) == 2))
    return choose_day_order(cells, options)


def choose_day_order(cells: pa.Array, options: list[TimeFormat]) -> TimeFormat | None:
    """For dates that read both ways: the order giving fewer backward steps, then the shorter
    span (regular data is dense), then day-first."""
    if len(options) < 2:
        return options[0] if options else None

    def cost(fmt: TimeFormat) -> tuple[int, int, int]:
        ns, valid = to_utc(cells, fmt, "UTC")
        ns = ns[valid]
        back = int(np.sum(np.diff(ns) < 0))
        span = int(ns.max() - ns.min()) if len(ns) else 0
        return back, span, 0 if fmt.dayfirst else 1

    return min(options, key=cost)


def with_day_order(fmt: TimeFormat, dayfirst: bool) -> TimeFormat:
    """The same format with the day/month order proven (e.g. by a scan of the whole file)."""

    def swap(pattern: str) -> str:
        return pattern.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")

    patterns = fmt.patterns if fmt.dayfirst == dayfirst else tuple(swap(p) for p in fmt.patterns)
    return replace(fmt, patterns=patterns, dayfirst=dayfirst, ambiguous=False)


def day_order_evidence(cells: pa.Array) -> bool | None:
    """True if some cell can only be day-first, False if only month-first, else None."""
    import pyarrow as pa
    import pyarrow.compute as pc

    cells, _, _ = split_zone(cells)
    dmy = pc.extract_regex(cells, _DMY)
    found = dmy.filter(dmy.is_valid())
    if len(found) == 0:
        return None
    if pc.any(pc.greater(found.field("a").cast(pa.int32()), 12)).as_py():
        return True
    if pc.any(pc.greater(found.field("b").cast(pa.int32()), 12)).as_py():
        return False
    return None


def _guessed_format(cells: pa.Array, need: float) -> TimeFormat | None:
    """Formats pandas can guess from single values (``Mar 11 2024 08:00``, ``11-Mar-2024``)."""
    import warnings

    from pandas.tseries.api import guess_datetime_format

    guesses: list[str] = []
    for value in cells.unique()[:50].to_pylist():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            guess = guess_datetime_format(value)
        if guess and guess not in guesses:
            guesses.append(guess)
    return _fitting(cells, guesses, need, "patterns") if guesses else None


def _fitting(cells: pa.Array, patterns: list[str], need: float, kind: str) -> TimeFormat | None:
    """Keep the patterns that read some cell, most used first, if together they read enough."""
    import pandas as pd

    texts = pd.Series(cells.to_numpy(zero_copy_only=False), dtype=object)
    left = np.ones(len(texts), dtype=bool)
    used: list[tuple[int, str]] = []
    for pattern in patterns:
        if not left.any():
            break
        parsed = _parse_pattern(texts[left], pattern)
        hits = int(parsed.notna().sum())
        if hits:
            used.append((hits, pattern))
            left[np.flatnonzero(left)[parsed.notna().to_numpy()]] = False
    if not used or 1 - left.mean() < need:
        return None
    return TimeFormat(kind, patterns=tuple(p for _, p in sorted(used, key=lambda u: -u[0])))


def _parse_pattern(texts: pd.Series, pattern: str) -> pd.Series:
    import warnings

    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        aware = "%z" in pattern or "%Z" in pattern
        return pd.to_datetime(texts, format=pattern, errors="coerce", utc=aware)


# -- converting -----------------------------------------------------------------------------


def to_utc(
    cells: pa.Array, fmt: TimeFormat, tz: str, note: Note | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Convert cells to UTC nanoseconds.

    Returns the int64 times and a mask of the cells that hold a time; cells outside the mask
    (missing, or not readable in ``fmt``) have an unspecified value. Naive times are read in
    ``tz``; ``note(kind, mask)`` hears about local times that are ambiguous or do not exist.
    """
    import pyarrow as pa

    if fmt.kind in ("epoch", "elapsed"):
        return _numbers_to_ns(cells, fmt)
    if pa.types.is_timestamp(cells.type) or pa.types.is_date(cells.type):
        return _timestamps_to_ns(cells, tz, note)
    import pandas as pd

    if fmt.kind == "iso":
        return _iso_to_ns(pd.Series(cells.to_numpy(zero_copy_only=False), dtype=object), tz, note)
    if pa.types.is_integer(cells.type):  # compact dates in a DataFrame's integer column
        cells = cells.cast(pa.string())
    wall, offset, zoned = split_zone(cells)
    texts = pd.Series(wall.to_numpy(zero_copy_only=False), dtype=object)
    ns, valid = _patterns_to_ns(texts, fmt.patterns, tz, note, ~zoned)
    return np.where(zoned, ns - offset, ns), valid


def split_zone(cells: pa.Array) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Text cells without the zone written after their time of day, each zone's offset from
    UTC in nanoseconds, and a mask of the cells that had one.

    >>> import pyarrow as pa
    >>> wall, offset, zoned = split_zone(pa.array(["11/03/2024 08:00 +01:00", "12/03/2024 09:00"]))
    >>> wall.to_pylist(), offset.tolist(), zoned.tolist()
    (['11/03/2024 08:00', '12/03/2024 09:00'], [3600000000000, 0], [True, False])
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = pc.extract_regex(cells, _ZONE_AFTER_CLOCK)
    zoned = parts.is_valid().to_numpy(zero_copy_only=False)
    offset = np.zeros(len(cells), dtype=np.int64)
    if not zoned.any():
        return cells, offset, zoned
    wall = pc.if_else(parts.is_valid(), parts.field("wall"), cells)
    hours = pc.extract_regex(parts.field("zone"), r"^(?P<sign>[+-])(?P<h>\d{2}):?(?P<m>\d{2})?$")
    for name, unit in (("h", 3600), ("m", 60)):
        digits = pc.if_else(pc.equal(hours.field(name), ""), None, hours.field(name))
        count = pc.if_else(hours.is_valid(), digits, None).cast(pa.int64()).fill_null(0)
        offset += count.to_numpy() * unit * 1_000_000_000
    negative = pc.equal(hours.field("sign"), "-").fill_null(False)
    offset = np.where(negative.to_numpy(zero_copy_only=False) & zoned, -offset, offset)
    return wall, np.where(zoned, offset, 0), zoned


def _numbers_to_ns(cells: pa.Array, fmt: TimeFormat) -> tuple[np.ndarray, np.ndarray]:
    import pyarrow as pa

    factor = _NS_PER[fmt.unit]
    limit = np.iinfo(np.int64).max // factor
    if pa.types.is_integer(cells.type) or (
        fmt.integral and pa.types.is_string(cells.type) and _casts(cells, pa.int64())
    ):
        whole = cells.cast(pa.int64())
        values = whole.fill_null(0).to_numpy()
        valid = whole.is_valid().to_numpy(zero_copy_only=False) & (np.abs(values) <= limit)
        return np.where(valid, values, 0) * factor, valid
    if pa.types.is_string(cells.type):
        ns, valid = _decimal_text_to_ns(cells, factor, fmt.decimal)
        other = ~valid & cells.is_valid().to_numpy(zero_copy_only=False)
        if other.any():  # other spellings (1.7e9, digit groups) go through a double
            values, _ = to_float(cells, fmt.decimal)
            rounded, read = _float_to_ns(values, factor, max(fmt.decimals, _decimals(cells)))
            ns, valid = np.where(valid, ns, rounded), valid | (other & read)
        return ns, valid
    # binary floats (a DataFrame's column): keep microseconds, what a double holds
    values = cells.cast(pa.float64()).to_numpy(zero_copy_only=False)
    return _float_to_ns(values, factor, max(fmt.decimals, 6))


def _decimal_text_to_ns(
    cells: pa.Array, factor: int, decimal: str
) -> tuple[np.ndarray, np.ndarray]:
    """Plain decimal numbers (``1709280000.123456789``) times ``factor``, in integers only.

    A double holds about 16 digits, fewer than epoch seconds with nanoseconds (19), so the
    whole part and the fraction are read separately. Returns the nanoseconds and a mask of the
    cells read; other spellings, missing cells and values beyond int64 are left out.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    mark = re.escape(decimal)
    parts = pc.extract_regex(
        cells, rf"^(?P<sign>[+-]?)(?P<whole>\d{{0,18}})(?:{mark}(?P<fraction>\d*))?$"
    )
    whole_text = parts.field("whole")
    fraction = parts.field("fraction")
    digits = pc.add(pc.utf8_length(whole_text), pc.utf8_length(fraction))
    read = pc.and_(parts.is_valid(), pc.greater(digits, 0)).fill_null(False)
    read = read.to_numpy(zero_copy_only=False)
    whole_text = pc.if_else(pc.equal(whole_text, "").fill_null(True), "0", whole_text)
    whole = whole_text.fill_null("0").cast(pa.int64()).to_numpy()
    read &= np.abs(whole) < np.iinfo(np.int64).max // factor
    ns = np.where(read, whole, 0) * factor
    places = len(str(factor)) - 1
    if places:
        fraction = pc.utf8_slice_codeunits(pc.utf8_rpad(fraction, places, "0"), 0, places)
        ns += np.where(read, fraction.fill_null("0").cast(pa.int64()).to_numpy(), 0)
    negative = pc.equal(parts.field("sign"), "-").fill_null(False).to_numpy(zero_copy_only=False)
    return np.where(negative, -ns, ns), read


def _float_to_ns(values: np.ndarray, factor: int, decimals: int) -> tuple[np.ndarray, np.ndarray]:
    """Doubles times ``factor``, rounded to ``decimals`` digits (dropping float noise)."""
    limit = np.iinfo(np.int64).max // factor
    valid = np.isfinite(values) & (np.abs(values) <= limit)
    values = np.where(valid, values, 0.0)
    digits = min(decimals, len(str(factor)) - 1)
    scaled = np.round(values * 10.0**digits).astype(np.int64)
    return scaled * (factor // 10**digits), valid


def _casts(cells: pa.Array, to: pa.DataType) -> bool:
    import pyarrow as pa

    try:
        cells.cast(to)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True


def _timestamps_to_ns(cells: pa.Array, tz: str, note: Note | None) -> tuple[np.ndarray, np.ndarray]:
    import pyarrow as pa

    valid = cells.is_valid().to_numpy(zero_copy_only=False)
    aware = getattr(cells.type, "tz", None) is not None
    wall = cells.cast(pa.timestamp("ns", tz=cells.type.tz) if aware else pa.timestamp("ns"))
    ns = wall.cast(pa.int64()).fill_null(0).to_numpy()
    if aware:
        return ns, valid
    return localize(ns, valid, tz, note)


def _iso_to_ns(texts: pd.Series, tz: str, note: Note | None) -> tuple[np.ndarray, np.ndarray]:
    import pandas as pd

    ns = np.zeros(len(texts), dtype=np.int64)
    valid = np.zeros(len(texts), dtype=bool)
    present = texts.notna().to_numpy()
    texts = texts.str.replace(r"\s*(?:z|UTC|GMT)$", "Z", regex=True)  # as pandas spells UTC
    aware = present & texts.str.contains(_AWARE, regex=True, na=False).to_numpy()
    naive = present & ~aware
    if aware.any():
        parsed = pd.to_datetime(texts[aware], format="ISO8601", utc=True, errors="coerce")
        _store(ns, valid, aware, parsed)
    if naive.any():
        parsed = pd.to_datetime(texts[naive], format="ISO8601", errors="coerce")
        wall = np.zeros(len(texts), dtype=np.int64)
        got = np.zeros(len(texts), dtype=bool)
        _store(wall, got, naive, parsed)
        local, ok = localize(wall, got, tz, note)
        ns[naive] = local[naive]
        valid[naive] = ok[naive]
    return ns, valid


def _patterns_to_ns(
    texts: pd.Series,
    patterns: tuple[str, ...],
    tz: str,
    note: Note | None,
    unzoned: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Wall-clock times; naive ones among ``unzoned`` are read in ``tz``, the rest as UTC."""
    ns = np.zeros(len(texts), dtype=np.int64)
    valid = np.zeros(len(texts), dtype=bool)
    left = texts.notna().to_numpy().copy()
    naive = np.zeros(len(texts), dtype=bool)
    for pattern in patterns:
        if not left.any():
            break
        parsed = _parse_pattern(texts[left], pattern)
        hit = np.zeros(len(texts), dtype=bool)
        hit[np.flatnonzero(left)[parsed.notna().to_numpy()]] = True
        _store(ns, valid, left, parsed)
        if parsed.dt.tz is None:
            naive |= hit & unzoned
        left &= ~hit
    if naive.any():
        local, ok = localize(ns, naive, tz, note)
        ns = np.where(naive, local, ns)
        valid = np.where(naive, ok, valid)
    return ns, valid


def _store(ns: np.ndarray, valid: np.ndarray, where: np.ndarray, parsed: pd.Series) -> None:
    """Write parsed datetimes (any unit, NaT for failures) into ``ns``/``valid`` at ``where``."""
    import pandas as pd

    if parsed.dt.tz is not None:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    index = pd.DatetimeIndex(parsed)
    factor = _NS_PER[index.unit]
    values = index.asi8
    got = parsed.notna().to_numpy() & (np.abs(values) <= np.iinfo(np.int64).max // factor)
    rows = np.flatnonzero(where)
    ns[rows[got]] = values[got] * factor
    valid[rows[got]] = True


def localize(
    wall: np.ndarray, valid: np.ndarray, tz: str, note: Note | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Read wall-clock nanoseconds as local times in ``tz`` and return them in UTC.

    Repeated hours at the end of daylight-saving time are told apart by their order when
    possible, otherwise taken as the first (summer) occurrence; times skipped at its start are
    moved forward. Both are reported through ``note``.
    """
    if tz.upper() in ("UTC", "Z", "GMT", "ETC/UTC") or not valid.any():
        return wall, valid
    import pandas as pd

    index = pd.DatetimeIndex(np.where(valid, wall, 0).view("M8[ns]"))
    try:
        local = index.tz_localize(tz, ambiguous="infer", nonexistent="raise")
    except ValueError:  # a repeated or skipped local hour (pandas' errors are ValueErrors)
        unsure = index.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
        gaps = index.tz_localize(tz, ambiguous=np.ones(len(index), bool), nonexistent="NaT")
        local = index.tz_localize(
            tz, ambiguous=np.ones(len(index), bool), nonexistent="shift_forward"
        )
        if note is not None:
            skipped = valid & np.asarray(gaps.isna())
            doubled = valid & np.asarray(unsure.isna()) & ~skipped
            if doubled.any():
                note("ambiguous", doubled)
            if skipped.any():
                note("nonexistent", skipped)
    return local.tz_convert("UTC").tz_localize(None).as_unit("ns").asi8.copy(), valid
