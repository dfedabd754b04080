"""Read single cells: what counts as missing, and how text becomes a number.

A sensor cell is either a number, missing (an empty cell or a usual marker such as ``NA``), or
unreadable (``#VALUE!``, ``--``, ``inf``, ``1e400``). Missing and unreadable cells both become
NaN, but unreadable ones are reported, because they usually mean the export went wrong.
Everything here works on whole columns (pyarrow arrays), never cell by cell in Python, except
for the few cells that need a second look.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pyarrow as pa

#: Cell texts that mean "no value" (pandas' and pyarrow's lists, plus what databases write).
NULL_TOKENS = (
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "NaT",
    "None",
    "n/a",
    "nan",
    "null",
)

#: The same, in any case (``NAN``, ``Null``), and German Excel's ``#NV``.
_NULL_LOWER = tuple(sorted({t.lower() for t in NULL_TOKENS} | {"#nv"}))
#: Characters that group digits, besides the one that is not the decimal mark.
_GROUP_SPACES = " '\u00a0\u202f"


def normalize_text(cells: pa.Array) -> pa.Array:
    """Trim blanks and turn missing markers, in any case, into nulls (string array in and out)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not pa.types.is_string(cells.type) and not pa.types.is_large_string(cells.type):
        cells = cells.cast(pa.string())
    trimmed = pc.utf8_trim_whitespace(cells)
    missing = pc.is_in(pc.utf8_lower(trimmed), value_set=pa.array(_NULL_LOWER))
    return pc.if_else(missing, pa.scalar(None, trimmed.type), trimmed)


def to_float(cells: pa.Array, decimal: str = ".") -> tuple[np.ndarray, np.ndarray]:
    """Read a column as float64.

    Returns the values (NaN where missing or unreadable) and a boolean mask of the unreadable
    cells: text that is not a number, and numbers too large for a float (``inf``, ``1e400``).
    Numbers with digit groups (``"1,234.5"``, ``1.234,5``, ``1 234,5``) are read.
    """
    import pyarrow as pa

    if pa.types.is_floating(cells.type) or pa.types.is_integer(cells.type):
        values = cells.cast(pa.float64()).to_numpy(zero_copy_only=False)
        return _flag_infinite(values, np.zeros(len(values), dtype=bool))
    if pa.types.is_boolean(cells.type):
        values = cells.cast(pa.float64()).to_numpy(zero_copy_only=False)
        return values, np.zeros(len(values), dtype=bool)
    text = normalize_text(cells)
    values = _plain_float(text, decimal)
    if values is None:
        values = _careful_float(text, decimal)
    present = text.is_valid().to_numpy(zero_copy_only=False)
    bad = present & np.isnan(values)
    return _flag_infinite(values, bad)


def _flag_infinite(values: np.ndarray, bad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    infinite = np.isinf(values)
    if infinite.any():
        values = np.where(infinite, np.nan, values)
        bad = bad | infinite
    return values, bad


def _plain_float(text: pa.Array, decimal: str) -> np.ndarray | None:
    """The fast reading, for a column of plain numbers only; None if some cell is not one.

    With a decimal comma a point can only group digits (``1.234`` is 1234), so a column with
    a point is not plain.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if decimal == ",":
        if pc.any(pc.match_substring(text, ".")).as_py():
            return None
        text = pc.replace_substring(text, ",", ".")
    try:
        return text.cast(pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _careful_float(text: pa.Array, decimal: str) -> np.ndarray:
    """The slow reading for a column where some cell is not a plain number."""
    import pandas as pd

    thousands = re.escape(("." if decimal == "," else ",") + _GROUP_SPACES)
    point = re.escape(decimal)
    grouped = rf"^[+-]?\d{{1,3}}(?:[{thousands}]\d{{3}})+(?:{point}\d*)?$"
    series = pd.Series(text.to_pylist(), dtype=object)
    strings = series.dropna().astype(str)
    is_grouped = strings.str.match(grouped)
    if is_grouped.any():
        strings = strings.where(~is_grouped, strings.str.replace(f"[{thousands}]", "", regex=True))
    if decimal == ",":
        strings = strings.str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(strings, errors="coerce")
    values = np.full(len(series), np.nan)
    values[strings.index.to_numpy()] = numbers.to_numpy(dtype=float, na_value=np.nan)
    return values
