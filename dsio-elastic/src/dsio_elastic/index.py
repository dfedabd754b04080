"""What the index looks like: its name, the field each column becomes, and the explicit mapping.

The mapping is written before the first document so that Elasticsearch never guesses: a sensor
whose first values are whole numbers would otherwise be mapped as ``long`` and every later
``20.5`` truncated or rejected, and an epoch-looking time would become a number.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from dsio.errors import UsageError
from dsio.stream import Schema

log = logging.getLogger(__name__)

#: The replay clock (``Batch.live_time``): Kibana's time field, so a recorded file looks live.
TIMESTAMP_FIELD = "@timestamp"
#: The data's own UTC time (``Batch.frame[TIME]``).
DATA_TIME_FIELD = "data_time"
#: The row's line in the input, to find a document from a line number and back.
LINE_FIELD = "line"
RESERVED_FIELDS = frozenset({TIMESTAMP_FIELD, DATA_TIME_FIELD, LINE_FIELD})

#: Index names dsio derives itself: a strict subset of what Elasticsearch accepts.
DERIVED_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,254}$")
#: Characters Elasticsearch refuses anywhere in an index name.
FORBIDDEN_CHARACTERS = '\\/*?"<>| ,#:'
MAX_NAME_BYTES = 255


def validate_index_name(name: str) -> str:
    """Return ``name`` if Elasticsearch accepts it as an index name, else raise UsageError.

    The rules are Elasticsearch's (lowercase; none of ``\\ / * ? " < > | , # :`` or spaces;
    not starting with ``-``, ``_``, ``+`` or ``.``; at most 255 bytes), checked here so that a bad
    ``--es-index`` fails before any connection is made.

    >>> validate_index_name("cars-2024.03")
    'cars-2024.03'
    >>> validate_index_name("Bad Name#1")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dsio.errors.UsageError: --es-index 'Bad Name#1' is not a valid ... name: it must be lowercase...
    """
    problems = []
    if name != name.lower():
        problems.append("must be lowercase")
    if any(c in FORBIDDEN_CHARACTERS for c in name):
        problems.append('must not contain spaces or any of \\ / * ? " < > | , # :')
    if not name:
        problems.append("must not be empty")
    elif name[0] in "-_+.":
        problems.append("must not start with -, _, + or .")
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        problems.append(f"must be at most {MAX_NAME_BYTES} bytes long")
    if problems:
        raise UsageError(
            f"--es-index {name!r} is not a valid Elasticsearch index name: it "
            + " and ".join(problems)
        )
    return name


def index_name_for(stream_name: str) -> str:
    """An index name derived from a stream's name (the input file's stem).

    >>> index_name_for("B19_Index_Name")
    'b19_index_name'
    >>> index_name_for("Données été #3")
    'donnees_ete_3'
    >>> index_name_for("__")
    'dsio'
    """
    ascii_name = unicodedata.normalize("NFKD", stream_name).encode("ascii", "ignore").decode()
    name = re.sub(r"[^a-z0-9_-]+", "_", ascii_name.lower()).strip("_-")
    name = name.encode("ascii")[:MAX_NAME_BYTES].decode().rstrip("_-")
    return name if DERIVED_NAME.match(name) else "dsio"


@dataclass(frozen=True)
class FieldPlan:
    """Which frame column becomes which document field.

    Attributes
    ----------
    sensors, scores, flags : tuple of (column, field) pairs
        Sensor values (``double``), ``SCORE_<target>`` (``double``) and ``FLAG_<target>``
        (``boolean``) columns of the batch frames, with the field each is indexed as.
    multivariate : bool
        True when one score and one flag cover all sensors of a row.
    """

    sensors: tuple[tuple[str, str], ...]
    scores: tuple[tuple[str, str], ...]
    flags: tuple[tuple[str, str], ...]
    multivariate: bool = False

    @classmethod
    def for_schema(cls, schema: Schema) -> FieldPlan:
        """Plan the fields of ``schema``; names Elasticsearch would misread are renamed.

        dsio's sources already give sensors dot-free names; this is the sink's own guard, so that
        no stream can produce a field with a dot (an object path in Elasticsearch), a leading
        underscore (reserved for metadata) or one of the sink's own field names.
        """
        taken: set[str] = set(RESERVED_FIELDS)
        renames: list[str] = []

        def plan(columns: list[str]) -> tuple[tuple[str, str], ...]:
            pairs = []
            for column in columns:
                field = _safe_field(column, taken)
                taken.add(field)
                if field != column:
                    renames.append(f"{column!r} -> {field!r}")
                pairs.append((column, field))
            return tuple(pairs)

        fields = cls(
            sensors=plan(list(schema.sensors)),
            scores=plan(schema.score_columns),
            flags=plan(schema.flag_columns),
            multivariate=schema.multivariate,
        )
        if renames:
            log.warning("Elasticsearch field names changed: %s", ", ".join(renames))
        return fields

    def per_sensor(self) -> list[tuple[str, str, str, str]]:
        """``(sensor, value field, score field, flag field)`` for each sensor, for dashboards."""
        if self.multivariate:
            (_, score), (_, flag) = self.scores[0], self.flags[0]
            return [(sensor, field, score, flag) for sensor, field in self.sensors]
        return [
            (sensor, field, score, flag)
            for (sensor, field), (_, score), (_, flag) in zip(
                self.sensors, self.scores, self.flags, strict=True
            )
        ]

    @property
    def numeric(self) -> tuple[tuple[str, str], ...]:
        return self.sensors + self.scores


def _safe_field(column: str, taken: set[str]) -> str:
    field = column.replace(".", "_").lstrip("_") or "field"
    candidate, suffix = field, 1
    while candidate in taken:
        candidate = f"{field}_{suffix}"
        suffix += 1
    return candidate


def mapping(fields: FieldPlan) -> dict[str, Any]:
    """The explicit mapping: dates, doubles for every sensor and score, booleans for flags.

    ``dynamic: strict`` turns any field the plan does not know into a reported bulk error
    instead of a silently guessed type.
    """
    properties: dict[str, Any] = {
        TIMESTAMP_FIELD: {"type": "date"},
        DATA_TIME_FIELD: {"type": "date"},
        LINE_FIELD: {"type": "long"},
    }
    for _, field in fields.numeric:
        properties[field] = {"type": "double"}
    for _, field in fields.flags:
        properties[field] = {"type": "boolean"}
    return {"dynamic": "strict", "properties": properties}


def settings(fields: FieldPlan) -> dict[str, Any]:
    """Index settings: only what a stream with very many sensors needs beyond the defaults."""
    count = len(RESERVED_FIELDS) + len(fields.numeric) + len(fields.flags)
    default_limit = 1000
    if count < default_limit - 50:
        return {}
    return {"index.mapping.total_fields.limit": count + 100}
