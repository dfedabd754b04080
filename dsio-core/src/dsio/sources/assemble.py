"""Turn the cells of consecutive rows into the frame every source delivers.

CSV files, pipes and DataFrames all end here, so the rules are the same whatever the input:
rows with no value at all are skipped (they are not data), a row whose time is missing or
unreadable stops the run with its line, unreadable sensor cells become missing and are
reported, and time that goes backwards is reported while the rows keep their input order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dsio.errors import InputError
from dsio.sources.cells import normalize_text, to_float
from dsio.sources.timeparse import to_utc
from dsio.stream import TIME

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from dsio.sources.columns import Layout
    from dsio.sources.findings import Findings

NS_PER_SECOND = 1_000_000_000


class FrameAssembler:
    """Builds frames (index ``line``; ``TIME`` then one float64 column per sensor) from cells.

    Parameters
    ----------
    layout : Layout
        The time column and sensors chosen for the input.
    prefix : str
        Names the input in messages.
    findings : Findings
        Collects row-level problems.
    decimal : str
        Decimal mark of numbers written as text.
    timezone : str
        Zone of naive times.
    clock_start : int
        UTC nanoseconds of the first row when the input has no time column.
    """

    def __init__(
        self,
        layout: Layout,
        prefix: str,
        findings: Findings,
        *,
        decimal: str = ".",
        timezone: str = "UTC",
        clock_start: int = 0,
    ) -> None:
        self.layout = layout
        self.prefix = prefix
        self.findings = findings
        self.decimal = decimal
        self.timezone = timezone
        self.clock_start = clock_start
        self.delivered = 0
        self._last_time: int | None = None

    def assemble(self, cells: dict[int, pa.Array], lines: np.ndarray) -> pd.DataFrame | None:
        """One frame from the cells of the needed columns (by input position) and their lines.

        Returns None if none of the rows holds a value.
        """
        import pandas as pd
        import pyarrow as pa

        cells = {
            i: normalize_text(a)
            if pa.types.is_string(a.type) or pa.types.is_large_string(a.type)
            else a
            for i, a in cells.items()
        }
        time_cells = self._time_cells(cells)
        keep = self._rows_to_keep(cells, time_cells, lines)
        if keep is not None:
            if not keep.any():
                return None
            mask = pa.array(keep)
            cells = {i: a.filter(mask) for i, a in cells.items()}
            time_cells = time_cells.filter(mask) if time_cells is not None else None
            lines = lines[keep]
        times = self._times(time_cells, lines)
        # One 2-D block for all sensors: pandas would otherwise copy the columns into one.
        values = np.empty((len(self.layout.sensors), len(lines)))
        for row, sensor in enumerate(self.layout.sensors):
            values[row], bad = to_float(cells[sensor.index], self.decimal)
            if bad.any():
                raw = cells[sensor.index].filter(pa.array(bad)).to_pylist()
                self.findings.note(
                    ("unreadable", sensor.field),
                    f"column {sensor.name!r}: {{count}} cell{{s}} not readable as a number, "
                    "taken as missing: {lines}",
                    lines[bad],
                    [str(v) for v in raw],
                )
        frame = pd.DataFrame(
            values.T,
            columns=[s.field for s in self.layout.sensors],
            index=pd.Index(lines, name="line"),
            copy=False,
        )
        frame.insert(0, TIME, pd.to_datetime(times, unit="ns", utc=True))
        self.delivered += len(lines)
        return frame

    def _time_cells(self, cells: dict[int, pa.Array]) -> pa.Array | None:
        time = self.layout.time
        if time is None:
            return None
        if len(time.indexes) == 1:
            return cells[time.indexes[0]]
        import pyarrow.compute as pc

        return pc.binary_join_element_wise(*(cells[i] for i in time.indexes), " ")

    def _rows_to_keep(
        self, cells: dict[int, pa.Array], time_cells: pa.Array | None, lines: np.ndarray
    ) -> np.ndarray | None:
        """Mask of the rows to deliver (None if all): not empty, not a repeated header."""
        import pyarrow as pa

        keep = None
        if time_cells is None or time_cells.null_count > 0:
            keep = np.zeros(len(lines), dtype=bool)
            for array in cells.values():
                if array.null_count < len(lines):
                    keep |= array.is_valid().to_numpy(zero_copy_only=False)
        time = self.layout.time
        if time is not None and len(time.indexes) == 1 and pa.types.is_string(time_cells.type):
            # Files joined with ``cat`` (or a rotated log under ``tail -f``) repeat the header.
            import pyarrow.compute as pc

            header = pc.equal(time_cells, time.name).fill_null(False).to_numpy(zero_copy_only=False)
            if header.any():
                self.findings.note(
                    ("header", time.name),
                    "{count} repeated header row{s} skipped: {lines}",
                    lines[header],
                )
                keep = ~header if keep is None else keep & ~header
        return None if keep is None or keep.all() else keep

    def _times(self, time_cells: pa.Array | None, lines: np.ndarray) -> np.ndarray:
        time = self.layout.time
        if time is None:
            first = self.clock_start + self.delivered * NS_PER_SECOND
            return first + np.arange(len(lines), dtype=np.int64) * NS_PER_SECOND
        note = self._note_local(time.name, lines)
        ns, valid = to_utc(time_cells, time.format, self.timezone, note)
        if not valid.all():
            missing = time_cells.is_null().to_numpy(zero_copy_only=False)
            wrong = ~valid & ~missing
            rows = np.flatnonzero(wrong if wrong.any() else ~valid)
            row = int(rows[0])
            more = f" (and {len(rows) - 1} more rows)" if len(rows) > 1 else ""
            if wrong.any():
                what = (
                    f"cannot read {time_cells[row].as_py()!r} as a time ({time.format.describe()})"
                )
            else:
                what = "row has values but no time"
            raise InputError(
                f"{self.prefix}: {what}, {self.findings.unit} {lines[row]}, column {time.name!r}"
                f"{more}"
            )
        self._check_order(ns, lines, time.name)
        return ns

    def _check_order(self, ns: np.ndarray, lines: np.ndarray, name: str) -> None:
        steps = np.diff(ns, prepend=ns[0] if self._last_time is None else self._last_time)
        back = steps < 0
        if back.any():
            self.findings.note(
                ("backwards", name),
                f"column {name!r}: time goes backwards {{count}} time{{s}} ({{lines}}); "
                "rows are kept in file order",
                lines[back],
            )
        self._last_time = int(ns[-1])

    def _note_local(self, name: str, lines: np.ndarray):
        def note(kind: str, mask: np.ndarray) -> None:
            if kind == "ambiguous":
                message = (
                    f"column {name!r}: {{count}} local time{{s}} occur twice (end of daylight "
                    "saving time) and were read as the first occurrence: {lines}"
                )
            else:
                message = (
                    f"column {name!r}: {{count}} local time{{s}} do not exist (start of "
                    "daylight saving time) and were moved forward: {lines}"
                )
            self.findings.note((kind, name), message, lines[mask])

        return note
