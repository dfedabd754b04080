"""The CSV source: a file path, or ``-`` / a FIFO for live input.

Opening decides everything once, from the first block of the input: the dialect (``sniff``),
the time column and the sensors (``columns``). Reading then goes block by block through
pyarrow's CSV parser with the final column types, so memory stays flat and speed stays close
to a plain pyarrow read. A file is read to its end as fast as the consumer takes frames; live
input (a pipe, standard input) is delivered in small frames as lines arrive, and
:attr:`SourceInfo.live` tells the engine not to pace it.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import stat
import sys
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from dsio.errors import InputError, UsageError
from dsio.sources.ahead import read_ahead
from dsio.sources.assemble import FrameAssembler
from dsio.sources.base import Source, SourceInfo, SourceOptions
from dsio.sources.chunks import BlockParser, record_blocks, utf8_pieces
from dsio.sources.columns import (
    ColumnSample,
    Layout,
    Sample,
    describe,
    plan_layout,
    settle_day_order,
)
from dsio.sources.findings import Findings
from dsio.sources.live import LineFeed
from dsio.sources.sniff import SAMPLE_BYTES, Dialect, detect_encoding, sniff

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

log = logging.getLogger(__name__)

STDIN = "-"
#: Bounds of a block, whatever ``chunk_rows`` and the line length suggest.
MIN_BLOCK_BYTES = 1 << 16
MAX_BLOCK_BYTES = 64 << 20
#: Rows of the first block that decide the time format and the sensors. The day/month order
#: of dates is the exception: it is decided from the whole first block, then the whole file.
SAMPLE_ROWS = 20_000
_COMPRESSED = {".gz": "gzip", ".bz2": "bz2", ".xz": "lzma"}


class CsvSource(Source):
    """Rows of a CSV file, of standard input (``-``) or of a named pipe.

    The delimiter (``,`` ``;`` tab ``|``), decimal mark, encoding and header are sniffed; the
    time column is found by name or content (``--timefield`` overrides); every numeric column
    is a sensor unless ``--sensors`` picks some. Compressed files (``.gz``, ``.bz2``, ``.xz``)
    are read as they are.
    """

    description = "CSV file, standard input (-) or named pipe"

    def __init__(self, location: Any, options: SourceOptions) -> None:
        super().__init__(location, options)
        self._handle: IO[bytes] | None = None
        self._blocks: Iterator[tuple[bytes, int]] | None = None
        self._first: tuple[bytes, int] | None = None
        self._parser: BlockParser | None = None
        self._assembler: FrameAssembler | None = None
        self._findings: Findings | None = None
        self._feed: LineFeed | None = None
        self._reading: Generator[Any, None, None] | None = None
        self._encoding = "utf-8"
        self._next_line = 1

    @classmethod
    def accepts(cls, location: Any) -> bool:
        """Any path or ``-``; not URLs (``scheme://...``), which other sources may read."""
        if isinstance(location, os.PathLike):
            return True
        return isinstance(location, str) and "://" not in location

    @property
    def prefix(self) -> str:
        return "<stdin>" if self.location == STDIN else str(self.location)

    def open(self) -> SourceInfo:
        try:
            return self._open()
        except BaseException:
            self.close()  # an input that cannot be used must not stay open
            raise

    def _open(self) -> SourceInfo:
        check_timezone(self.options.timezone)
        live = self._is_live()
        self._findings = Findings(log, self.prefix, live=live)
        if live:
            dialect, first = self._open_live()
        else:
            dialect, first = self._open_file()
        # Its own findings: rows of the first block are noted again when frames() reads them.
        sample_parser = BlockParser(
            dialect,
            {i: _text() for i in range(len(dialect.names))},
            self.prefix,
            Findings(log, self.prefix),
        )
        cells, lines = sample_parser.parse(*first) if first else ({}, np.empty(0, np.int64))
        if len(lines) == 0:
            raise InputError(f"{self.prefix}: no data rows after the header")
        rows = min(len(lines), SAMPLE_ROWS)
        sample = Sample(
            tuple(ColumnSample(i, n, cells[i][:rows]) for i, n in enumerate(dialect.names)),
            lines[:rows],
        )
        layout = plan_layout(sample, self.options, self.prefix, decimal=dialect.decimal)
        layout = self._settle_day_order(layout, dialect, cells, live)
        describe(layout, self.prefix)
        types = {s.index: _float() for s in layout.sensors}
        if layout.time is not None:
            joined = len(layout.time.indexes) > 1
            for i in layout.time.indexes:
                types[i] = _text() if joined else layout.time.format.arrow_type()
        self._parser = BlockParser(dialect, types, self.prefix, self._findings)
        self._first = first
        self._assembler = FrameAssembler(
            layout,
            self.prefix,
            self._findings,
            decimal=dialect.decimal,
            timezone=self.options.timezone,
            clock_start=time.time_ns() // 1_000_000_000 * 1_000_000_000,
        )
        name = "stdin" if self.location == STDIN else _stem(Path(self.location))
        return SourceInfo(
            name=name,
            time_field=layout.time.name if layout.time else None,
            sensors=tuple(s.field for s in layout.sensors),
            live=live,
        )

    def frames(self) -> Iterator[pd.DataFrame]:
        if self._parser is None or self._assembler is None or self._findings is None:
            raise RuntimeError("CsvSource.frames() called before open()")
        parser = self._parser
        parsed = (parser.parse(block, line) for block, line in self._all_blocks())
        if self._feed is None:  # a file: read the next block while this one is scored
            parsed = self._reading = read_ahead(parsed)
        try:
            for cells, lines in parsed:
                frame = self._assembler.assemble(cells, lines)
                if frame is None:
                    continue
                step = self.options.chunk_rows
                if len(frame) <= step:
                    yield frame
                else:
                    for start in range(0, len(frame), step):
                        yield frame.iloc[start : start + step]
        finally:
            parsed.close()  # stops the reading thread before close() closes the file
            self._findings.report()

    def close(self) -> None:
        if self._reading is not None:
            with contextlib.suppress(ValueError):  # already running: it stops by itself
                self._reading.close()  # stop the reading thread before closing its file
        if self._handle is not None and self._handle is not sys.stdin.buffer:
            self._handle.close()
        self._handle = None

    # -- files ------------------------------------------------------------------------------

    def _is_live(self) -> bool:
        if self.location == STDIN:
            return True
        try:
            mode = os.stat(self.location).st_mode
        except OSError:
            return False
        return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)

    def _open_file(self) -> tuple[Dialect, tuple[bytes, int] | None]:
        path = Path(self.location)
        self._handle = _open_binary(path, self.prefix)
        head = self._handle.read(SAMPLE_BYTES)
        if not head.strip():
            raise InputError(f"{self.prefix}: the file is empty")
        encoding, bom = detect_encoding(head)
        complete = len(head) < SAMPLE_BYTES
        text = head[bom:].decode(encoding, errors="replace")
        dialect = sniff(text, complete=complete)
        self._encoding = encoding
        self._handle.seek(0)
        average = max(len(head) / max(text.count("\n"), 1), 1.0)
        size = int(min(max(self.options.chunk_rows * average, MIN_BLOCK_BYTES), MAX_BLOCK_BYTES))
        pieces = _skip_lines(utf8_pieces(self._handle, encoding, bom, size), dialect.header_lines)
        self._blocks = record_blocks(pieces, dialect.header_lines + 1, size)
        return dialect, next(self._blocks, None)

    def _settle_day_order(
        self, layout: Layout, dialect: Dialect, first: dict[int, Any], live: bool
    ) -> Layout:
        """Dates that read both ways in the sample: look for one that proves the order in the
        rest of the first block, then (files only: a pipe cannot be read twice) in the whole
        time column."""
        if layout.time is None or not layout.time.format.ambiguous:
            return layout
        dates = layout.time.indexes[0]
        rest = () if live else self._scan_column(dialect, dates)
        return settle_day_order(layout, itertools.chain([first[dates]], rest), self.prefix)

    def _scan_column(self, dialect: Dialect, index: int) -> Iterator[pa.Array]:
        """One column of the whole file as text, batch by batch, read again from the start."""
        import pyarrow as pa
        import pyarrow.csv as pa_csv

        with _open_binary(Path(self.location), self.prefix) as raw:
            reader = pa_csv.open_csv(
                raw,
                read_options=pa_csv.ReadOptions(
                    column_names=[f"c{i}" for i in range(len(dialect.names))],
                    skip_rows=dialect.header_lines,
                    encoding=self._encoding,
                ),
                parse_options=pa_csv.ParseOptions(
                    delimiter=dialect.delimiter,
                    quote_char=dialect.quotechar,
                    invalid_row_handler=lambda row: "skip",
                ),
                convert_options=pa_csv.ConvertOptions(
                    include_columns=[f"c{index}"], column_types={f"c{index}": pa.string()}
                ),
            )
            for batch in reader:
                yield batch.column(0)

    # -- live input -------------------------------------------------------------------------

    def _open_live(self) -> tuple[Dialect, tuple[bytes, int] | None]:
        if self.location == STDIN:
            self._handle = sys.stdin.buffer
        else:
            self._handle = _open_binary(Path(self.location), self.prefix)
        self._feed = LineFeed(self._handle, buffered=2 * self.options.chunk_rows)
        lines = self._feed.head()
        if not b"".join(lines).strip():
            raise InputError(f"{self.prefix}: the input is empty")
        if lines[0].startswith(b"\xef\xbb\xbf"):
            lines[0] = lines[0][3:]
        text = b"".join(lines).decode("utf-8", errors="replace")
        dialect = sniff(text, complete=True)
        first_line = dialect.header_lines + 1
        data = lines[dialect.header_lines :]
        self._next_line = first_line + len(data)
        return dialect, (b"".join(data), first_line) if data else None

    def _all_blocks(self) -> Iterator[tuple[bytes, int]]:
        if self._first is not None:
            yield self._first
        if self._feed is not None:
            line = self._next_line
            for batch in self._feed.batches(self.options.chunk_rows):
                yield b"".join(batch), line
                line += len(batch)
        elif self._blocks is not None:
            yield from self._blocks


def check_timezone(name: str) -> None:
    """Raise UsageError unless ``name`` is a time zone pandas knows (``Europe/Berlin``...)."""
    import pandas as pd

    try:
        pd.DatetimeIndex([0]).tz_localize(name)
    except Exception as exc:  # zoneinfo, pytz and dateutil each raise their own errors
        raise UsageError(f"--timezone: unknown time zone {name!r}") from exc


def _open_binary(path: Path, prefix: str) -> IO[bytes]:
    try:
        if path.suffix.lower() in _COMPRESSED:
            import importlib

            return importlib.import_module(_COMPRESSED[path.suffix.lower()]).open(path, "rb")
        return open(path, "rb")
    except FileNotFoundError:
        raise InputError(f"{prefix}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{prefix}: is a directory, not a file") from None
    except OSError as exc:
        raise InputError(f"{prefix}: cannot open ({exc.strerror})") from None


def _skip_lines(pieces: Iterator[bytes], count: int) -> Iterator[bytes]:
    """Drop the first ``count`` lines (the header) from a stream of pieces."""
    for piece in pieces:
        while count and piece:
            end = piece.find(b"\n")
            if end < 0:
                piece = b""
                break
            piece = piece[end + 1 :]
            count -= 1
        if piece:
            yield piece


def _stem(path: Path) -> str:
    """``data.csv.gz`` -> ``data``."""
    name = path.name
    for suffix in (*_COMPRESSED, ".csv", ".tsv", ".txt"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name or path.stem


def _text():
    import pyarrow as pa

    return pa.string()


def _float():
    import pyarrow as pa

    return pa.float64()
