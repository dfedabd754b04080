"""Cut a CSV byte stream into blocks of whole records and parse each block into columns.

Blocks keep memory constant whatever the file size, and knowing where each block starts keeps
the physical line number of every row, which messages and the ``line`` index need. A block is
parsed by pyarrow's CSV reader with the final column types (the fast path); if a cell does not
convert, again as text; and if the block's shape is irregular (blank or whitespace-only lines,
rows with missing or extra fields, line breaks inside quotes), by Python's csv module, which
knows the line of every record.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING

import numpy as np

from dsio.errors import InputError
from dsio.sources.cells import NULL_TOKENS

if TYPE_CHECKING:
    import pyarrow as pa

    from dsio.sources.findings import Findings
    from dsio.sources.sniff import Dialect

#: How far past the block size to look for the end of a record before giving up on quotes.
_QUOTE_SLACK = 4


def utf8_pieces(raw: IO[bytes], encoding: str, skip: int, size: int) -> Iterator[bytes]:
    """Read ``raw`` in pieces of about ``size`` bytes, as UTF-8 with ``\\n`` ending lines.

    UTF-8 input passes through untouched (after ``skip`` bytes of byte-order mark); other
    encodings are decoded and re-encoded; old Mac files that end lines with ``\\r`` alone get
    ``\\n`` instead.
    """
    raw.read(skip)
    decoder = None if encoding == "utf-8" else codecs.getincrementaldecoder(encoding)("replace")
    cr_only: bool | None = None
    while True:
        piece = raw.read(size)
        data = piece
        if decoder is not None:
            data = decoder.decode(piece, final=not piece).encode("utf-8")
        if cr_only is None and data:
            cr_only = b"\r" in data and b"\n" not in data
        if cr_only:
            data = data.replace(b"\r", b"\n")
        if data:
            yield data
        if not piece:
            return


def record_blocks(
    pieces: Iterable[bytes], first_line: int, size: int, quote: bytes = b'"'
) -> Iterator[tuple[bytes, int]]:
    """Regroup pieces into blocks of about ``size`` bytes that end at the end of a record.

    Yields each block with the physical line number of its first line.
    """
    pending = b""
    line = first_line
    for piece in pieces:
        pending = pending + piece if pending else piece
        while len(pending) >= size:
            cut = _record_end(pending, quote, size, force=len(pending) > _QUOTE_SLACK * size)
            if not cut:
                break  # no record ends yet: read on
            block, pending = pending[:cut], pending[cut:]
            yield block, line
            line += block.count(b"\n")
    if pending:
        yield pending, line


def _record_end(data: bytes, quote: bytes, size: int, *, force: bool) -> int:
    """Offset just after the last line break within ``size`` bytes (or after, if a record is
    longer) that is not inside quotes; 0 if there is none yet."""
    cut = data.rfind(b"\n", 0, size) + 1 or data.rfind(b"\n") + 1
    if cut == 0 or quote not in data:
        return cut
    inside = data.count(quote, 0, cut) % 2
    while inside and cut > 0:
        previous = data.rfind(b"\n", 0, cut - 1) + 1
        inside ^= data.count(quote, previous, cut) % 2
        cut = previous
    if cut == 0 and force:  # an unbalanced quote: let the parser report the line
        return data.rfind(b"\n") + 1
    return cut


def _has_infinity(table: pa.Table) -> bool:
    import pyarrow as pa
    import pyarrow.compute as pc

    return any(
        pc.any(pc.is_inf(column)).as_py()
        for column in table.columns
        if pa.types.is_floating(column.type)
    )


def expected_records(block: bytes) -> int:
    """Lines in a block (a last line without its line break counts)."""
    return block.count(b"\n") + (0 if block.endswith(b"\n") else 1)


class BlockParser:
    """Parses blocks of one CSV input into arrays of the needed columns, with their lines.

    Parameters
    ----------
    dialect : Dialect
        How the input is written; ``dialect.names`` gives the number of fields per row.
    types : dict of int to pyarrow.DataType
        The needed columns (by position) and the type each is parsed to on the fast path.
    prefix : str
        Names the input in messages.
    findings : Findings
        Collects rows with missing fields.
    """

    def __init__(
        self, dialect: Dialect, types: dict[int, pa.DataType], prefix: str, findings: Findings
    ) -> None:
        import pyarrow as pa
        import pyarrow.csv as pa_csv

        self.dialect = dialect
        self.types = types
        self.prefix = prefix
        self.findings = findings
        self.width = len(dialect.names)
        names = [f"c{i}" for i in range(self.width)]
        self._read = pa_csv.ReadOptions(column_names=names, use_threads=True)
        self._parse = pa_csv.ParseOptions(
            delimiter=dialect.delimiter, quote_char=dialect.quotechar, double_quote=True
        )
        self._convert = {}
        for kind in ("typed", "text"):
            self._convert[kind] = pa_csv.ConvertOptions(
                column_types={
                    f"c{i}": (t if kind == "typed" else pa.string()) for i, t in types.items()
                },
                include_columns=[f"c{i}" for i in sorted(types)],
                null_values=list(NULL_TOKENS),
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                decimal_point=dialect.decimal,
            )

    def parse(self, block: bytes, first_line: int) -> tuple[dict[int, pa.Array], np.ndarray]:
        """The needed columns of a block of whole records, and the line of each row."""
        import pyarrow as pa
        import pyarrow.csv as pa_csv

        rows = expected_records(block)
        for kind in ("typed", "text"):
            try:
                table = pa_csv.read_csv(
                    pa.py_buffer(block),
                    read_options=self._read,
                    parse_options=self._parse,
                    convert_options=self._convert[kind],
                )
            except pa.ArrowInvalid as exc:
                if "conversion error" in str(exc) and "UTF8" not in str(exc):
                    continue  # a cell that is not of the column's type: read as text
                break  # an irregular block: let Python's csv find the lines
            if table.num_rows != rows:
                break  # blank lines or quoted line breaks: line numbers need Python's csv
            if kind == "typed" and _has_infinity(table):
                continue  # report "1e400" as written, not as the "inf" it was parsed to
            arrays = {i: table.column(f"c{i}").combine_chunks() for i in self.types}
            return arrays, np.arange(first_line, first_line + rows, dtype=np.int64)
        return self._parse_irregular(block, first_line)

    def _parse_irregular(
        self, block: bytes, first_line: int
    ) -> tuple[dict[int, pa.Array], np.ndarray]:
        import pyarrow as pa

        text = block.decode("utf-8", errors="replace")
        reader = csv.reader(
            io.StringIO(text, newline=""),
            delimiter=self.dialect.delimiter,
            quotechar=self.dialect.quotechar,
        )
        columns: dict[int, list[str | None]] = {i: [] for i in self.types}
        lines: list[int] = []
        short: list[int] = []
        before = 0
        try:
            for fields in reader:
                line = first_line + before
                before = reader.line_num
                if not any(f.strip() for f in fields):
                    continue  # a blank, whitespace-only or all-empty line: not a row
                if len(fields) > self.width and any(f.strip() for f in fields[self.width :]):
                    raise InputError(
                        f"{self.prefix}: {len(fields)} fields where the header has "
                        f"{self.width}, line {line}"
                    )
                if len(fields) < self.width and any(i >= len(fields) for i in self.types):
                    short.append(line)
                lines.append(line)
                for i, values in columns.items():
                    values.append(fields[i] if i < len(fields) else None)
        except csv.Error as exc:
            raise InputError(
                f"{self.prefix}: {exc}, line {first_line + reader.line_num - 1}"
            ) from exc
        if short:
            self.findings.note(
                ("short", ""),
                f"{{count}} row{{s}} with fewer fields than the header ({self.width}); the "
                "missing fields are taken as missing values: {lines}",
                short,
            )
        arrays = {i: pa.array(values, type=pa.string()) for i, values in columns.items()}
        return arrays, np.asarray(lines, dtype=np.int64)
