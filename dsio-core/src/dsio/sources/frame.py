"""The DataFrame source: ``dsio.score(df)`` and ``dsio.restream(df)`` read like a CSV file.

A DataFrame goes through the same time and sensor decisions as a file, so a notebook user gets
the same result as the command line on the exported CSV: a DatetimeIndex is the time unless
``timefield`` names a column; otherwise a column is found by name or content; otherwise dsio
makes a clock. Rows are indexed by their 0-based position.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from dsio.errors import InputError
from dsio.sources.assemble import FrameAssembler
from dsio.sources.base import Source, SourceInfo
from dsio.sources.columns import ColumnSample, Sample, describe, plan_layout, settle_day_order
from dsio.sources.csv import check_timezone
from dsio.sources.findings import Findings

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

log = logging.getLogger(__name__)

#: Name of the DataFrame in messages.
PREFIX = "DataFrame"


class FrameSource(Source):
    """Rows of an in-memory pandas DataFrame."""

    description = "pandas DataFrame"

    @classmethod
    def accepts(cls, location: Any) -> bool:
        pandas = sys.modules.get("pandas")  # no DataFrame can exist before pandas is imported
        return pandas is not None and isinstance(location, pandas.DataFrame)

    def open(self) -> SourceInfo:
        check_timezone(self.options.timezone)
        self._findings = Findings(log, PREFIX, unit="row")
        self._series = self._columns(self.location)
        if len(self.location) == 0:
            raise InputError(f"{PREFIX}: no rows")
        options = self.options
        index_time = self._has_time_index(self.location)
        if index_time and options.timefield is None:
            options = replace(options, timefield=self._series[0][0])
        rows = min(len(self.location), options.chunk_rows)
        sample = Sample(
            tuple(
                ColumnSample(i, name, _arrow(series.iloc[:rows]))
                for i, (name, series) in enumerate(self._series)
            ),
            np.arange(rows, dtype=np.int64),
            unit="row",
        )
        layout = plan_layout(sample, options, PREFIX)
        if layout.time is not None and layout.time.format.ambiguous:
            whole = self._series[layout.time.indexes[0]][1]  # all rows prove the day order
            layout = settle_day_order(layout, [_arrow(whole)], PREFIX)
        self._layout = layout
        describe(self._layout, PREFIX)
        self._assembler = FrameAssembler(
            self._layout,
            PREFIX,
            self._findings,
            timezone=options.timezone,
            clock_start=time.time_ns() // 1_000_000_000 * 1_000_000_000,
        )
        time_column = self._layout.time
        return SourceInfo(
            name=str(self.location.attrs.get("name", "dataframe")),
            time_field=time_column.name if time_column else None,
            sensors=tuple(s.field for s in self._layout.sensors),
        )

    def frames(self) -> Iterator[pd.DataFrame]:
        step = self.options.chunk_rows
        try:
            for start in range(0, len(self.location), step):
                stop = min(start + step, len(self.location))
                cells = {
                    i: _arrow(self._series[i][1].iloc[start:stop]) for i in self._layout.needed
                }
                frame = self._assembler.assemble(cells, np.arange(start, stop, dtype=np.int64))
                if frame is not None:
                    yield frame
        finally:
            self._findings.report()

    @staticmethod
    def _has_time_index(df: pd.DataFrame) -> bool:
        import pandas as pd

        return isinstance(df.index, pd.DatetimeIndex)

    def _columns(self, df: pd.DataFrame) -> list[tuple[str, pd.Series]]:
        """The DataFrame's columns by name; a DatetimeIndex comes first, as a column."""
        columns = []
        if self._has_time_index(df):
            columns.append((str(df.index.name or "index"), df.index.to_series(index=None)))
        for position in range(df.shape[1]):
            label = df.columns[position]
            name = "_".join(map(str, label)) if isinstance(label, tuple) else str(label)
            columns.append((name, df.iloc[:, position].reset_index(drop=True)))
        return columns


def _arrow(series: pd.Series) -> pa.Array:
    """One column as an arrow array: timestamps and numbers keep their type, the rest is text."""
    import pandas as pd
    import pyarrow as pa

    series = series.reset_index(drop=True)
    dtype = series.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype) or (
        pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype)
    ):
        return pa.Array.from_pandas(series)
    text = series.astype("string").astype(object).where(series.notna(), None)
    return pa.array(text.tolist(), type=pa.string())
