"""Scored batches as Elasticsearch documents, built column by column.

Every column is converted to Python values once per batch (``tolist`` runs in C), rows are
zipped into dicts, and only the cells that are missing are then removed one by one: a missing
value is left out of its document, never sent as ``NaN``, ``Infinity`` or a substituted 0.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from dsio.stream import TIME
from dsio_elastic.index import DATA_TIME_FIELD, LINE_FIELD, TIMESTAMP_FIELD, FieldPlan

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import NDArray


def id_prefix(source: str) -> str:
    """The stable part of the document ids of one input: a short hash of where it comes from.

    A file is identified by its absolute path, so the same file indexed again from another
    working directory overwrites its documents instead of duplicating them.

    >>> id_prefix("-") == id_prefix("-")
    True
    >>> len(id_prefix("data.csv"))
    17
    """
    path = Path(source)
    key = str(path.resolve()) if source != "-" and path.is_file() else source
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest() + "-"


class DocumentBuilder:
    """Builds the bulk actions for batches of one stream.

    Parameters
    ----------
    fields : FieldPlan
        Which frame column becomes which field.
    prefix : str
        The input's id prefix (:func:`id_prefix`); a document's id is the prefix plus the row's
        line in the input, so re-indexing the same input replaces documents one for one.
    """

    def __init__(self, fields: FieldPlan, prefix: str) -> None:
        self.fields = fields
        self.prefix = prefix

    def actions(
        self, frame: pd.DataFrame, live_time: NDArray[np.datetime64]
    ) -> list[dict[str, Any]]:
        """One ``{"_id", "_source"}`` bulk action per row of a batch's frame, in order."""
        lines = frame.index.tolist()
        prefix = self.prefix
        ids = [f"{prefix}{line}" for line in lines]
        documents = self.documents(frame, live_time, lines)
        return [{"_id": i, "_source": d} for i, d in zip(ids, documents, strict=True)]

    def documents(
        self, frame: pd.DataFrame, live_time: NDArray[np.datetime64], lines: list[int]
    ) -> list[dict[str, Any]]:
        """The ``_source`` of every row: present values only."""
        names: list[str] = []
        columns: list[list[Any]] = []
        gaps: list[tuple[str, NDArray[np.intp]]] = []

        def add(name: str, values: list[Any], missing: NDArray[np.bool_] | None) -> None:
            names.append(name)
            columns.append(values)
            if missing is not None and missing.any():
                gaps.append((name, np.flatnonzero(missing)))

        live = np.asarray(live_time, dtype="datetime64[ns]")
        data_time = frame[TIME].to_numpy(dtype="datetime64[ns]")
        add(TIMESTAMP_FIELD, _iso_ms(live), np.isnat(live))
        add(DATA_TIME_FIELD, _iso_ms(data_time), np.isnat(data_time))
        add(LINE_FIELD, lines, None)
        for column, field in self.fields.numeric:
            values = frame[column].to_numpy(dtype=np.float64)
            add(field, values.tolist(), ~np.isfinite(values))
        for column, field in self.fields.flags:
            flags = frame[column]
            add(field, flags.to_numpy(dtype=bool, na_value=False).tolist(), flags.isna().to_numpy())

        documents = [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
        for name, rows in gaps:
            for row in rows.tolist():
                del documents[row][name]
        return documents


def _iso_ms(times: NDArray[np.datetime64]) -> list[str]:
    """ISO 8601 UTC strings with milliseconds, the precision of an Elasticsearch ``date``."""
    return np.datetime_as_string(times.astype("datetime64[ms]"), unit="ms", timezone="UTC").tolist()
