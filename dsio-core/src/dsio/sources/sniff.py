"""Find how a CSV input is written: encoding, delimiter, decimal mark and header.

Real exports differ in every one of these: Excel in continental Europe writes ``;`` with a
decimal comma, some tools add a byte-order mark, quote the header, end every row with a
delimiter, or put ``sep=;`` on the first line. Reading such a file with the wrong guess does not
fail, it silently yields one text column (or shifted columns), so everything here is decided
from the evidence of the first lines as a whole, never from the first row alone.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from dataclasses import dataclass

#: Delimiters worth considering; anything else is too rare to risk a wrong guess on.
DELIMITERS = (",", ";", "\t", "|")
#: Bytes read to decide the encoding and the dialect.
SAMPLE_BYTES = 1 << 16
#: Records of the sample used to compare delimiters.
SNIFF_RECORDS = 200

_SEP_LINE = re.compile(r"^\s*sep=(.)\s*$", re.IGNORECASE)
_NUMBERISH = re.compile(r"^[+-]?[\d.,]*\d[\d.,]*$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")
_DECIMAL_POINT = re.compile(r"^[+-]?\d*\.\d+$")
_GROUPED_POINT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
_GROUPED_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_HEADERLESS = re.compile(r"^[+-]?(\d+([.,]\d+)?|\d{4}-\d{2}-\d{2}([T ][\d:.]+)?([+-][\d:]+|Z)?)$")


@dataclass(frozen=True)
class Dialect:
    """How one CSV input is written.

    Attributes
    ----------
    delimiter : str
        Field separator, one of :data:`DELIMITERS`.
    decimal : str
        Decimal mark of numbers, ``.`` or ``,``.
    names : tuple of str
        Column names as the user sees them (no BOM, quotes or surrounding blanks); ``""`` for a
        column without a name. One per field of a data row.
    header_lines : int
        Physical lines before the first data row (a ``sep=`` line, the header record).
    has_header : bool
        False if the first line already holds data (columns are then called ``column_1``...).
    quotechar : str
        Character that quotes fields.
    """

    delimiter: str = ","
    decimal: str = "."
    names: tuple[str, ...] = ()
    header_lines: int = 1
    has_header: bool = True
    quotechar: str = '"'

    @property
    def thousands(self) -> str:
        """The digit-group separator that goes with the decimal mark."""
        return "." if self.decimal == "," else ","


def detect_encoding(head: bytes) -> tuple[str, int]:
    """Return the codec of an input and the length of its byte-order mark.

    UTF-8 is assumed unless a byte-order mark says otherwise or the head is not valid UTF-8,
    in which case it is read as Windows-1252 (what spreadsheet programs write on Windows).

    >>> detect_encoding(b"\\xef\\xbb\\xbftime,temp\\n")
    ('utf-8', 3)
    >>> detect_encoding("zeit;temperatur °C".encode("cp1252"))
    ('cp1252', 0)
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32", 0  # the codec consumes its own byte-order mark
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", 0
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252", 0
    return "utf-8", 0


def sniff(text: str, *, complete: bool) -> Dialect:
    """Decide the dialect from the first part of an input, decoded.

    ``complete`` says whether ``text`` is the whole input; if not, its last (possibly cut)
    line is ignored.

    >>> d = sniff('datetime;temp\\n2024-03-01 08:00:00;20,6\\n', complete=True)
    >>> d.delimiter, d.decimal, d.names
    (';', ',', ('datetime', 'temp'))
    """
    lines = text.splitlines(keepends=True)
    if not complete and len(lines) > 1:
        lines = lines[:-1]
    skipped = 0
    forced = None
    while lines and not lines[0].strip():
        lines.pop(0)
        skipped += 1
    if lines and (match := _SEP_LINE.match(lines[0])):
        forced = match.group(1)
        lines.pop(0)
        skipped += 1
    body = "".join(lines)
    delimiter = forced or _choose_delimiter(body)
    records = _records(body, delimiter, SNIFF_RECORDS + 1)
    if not records:
        return Dialect(delimiter=delimiter, header_lines=skipped)
    header, header_lines = records[0]
    data = [fields for fields, _ in records[1:]]
    has_header = not all(_HEADERLESS.match(f.strip()) for f in header if f.strip())
    if not has_header:
        data = [header, *data]
        header_lines = 0
    width = Counter(len(f) for f in data).most_common(1)[0][0] if data else len(header)
    if has_header:
        names = [_clean_name(n) for n in header]
        while len(names) > width and not names[-1]:
            names.pop()  # a delimiter after the last name
        names += [""] * (width - len(names))  # data rows end with a delimiter
    else:
        names = [f"column_{i + 1}" for i in range(max(width, len(header)))]
    return Dialect(
        delimiter=delimiter,
        decimal=_decimal_mark(data, delimiter),
        names=tuple(names),
        header_lines=skipped + header_lines,
        has_header=has_header,
    )


def _clean_name(name: str) -> str:
    """Strip what spreadsheets leave around a header name: BOMs, blanks, stray quotes."""
    return name.replace("\ufeff", "").strip().strip("\"'").strip()


def _records(text: str, delimiter: str, limit: int) -> list[tuple[list[str], int]]:
    """Up to ``limit`` non-blank records, each with the physical line where it ends."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    out: list[tuple[list[str], int]] = []
    try:
        for fields in reader:
            if any(f.strip() for f in fields):
                out.append((fields, reader.line_num))
                if len(out) >= limit:
                    break
    except csv.Error:
        pass  # an unterminated quote in a cut-off sample: judge by what was read
    return out


def _choose_delimiter(text: str) -> str:
    """The delimiter that splits the header and the rows into the same, largest field count."""
    best, best_score = ",", None
    for delimiter in DELIMITERS:
        records = [f for f, _ in _records(text, delimiter, SNIFF_RECORDS + 1)]
        if not records:
            continue
        header, data = records[0], records[1:] or records[:1]
        counts = Counter(len(f) for f in data)
        width, agree = counts.most_common(1)[0]
        if width < 2:
            continue
        header_fits = 2 if len(header) == width else int(abs(len(header) - width) == 1)
        score = (header_fits, agree / len(data), width)
        if best_score is None or score > best_score:
            best, best_score = delimiter, score
    return best


def _decimal_mark(data: list[list[str]], delimiter: str) -> str:
    """``,`` if the numbers of the sample read best with a decimal comma, else ``.``.

    ``20,6``, ``1011,8`` and ``1.000.000`` can only go with a decimal comma and ``20.68`` only
    with a decimal point; ``1,234`` could be either and is counted only when nothing else decides.
    """
    comma = point = 0
    for fields in data:
        for field in fields:
            value = field.strip()
            if not _NUMBERISH.match(value):
                continue
            if _GROUPED_POINT.match(value) and ("," in value or value.count(".") > 1):
                comma += 1  # 1.234,5 or 1.000.000: the point groups digits
            elif _GROUPED_COMMA.match(value) and ("." in value or value.count(",") > 1):
                point += 1
            elif _DECIMAL_COMMA.match(value) and not _GROUPED_COMMA.match(value):
                comma += 1
            elif _DECIMAL_POINT.match(value) and not _GROUPED_POINT.match(value):
                point += 1
    if delimiter == "," and comma and not point:
        return ","  # only quoted fields can hold a decimal comma here; they all do
    return "," if comma > point else "."
