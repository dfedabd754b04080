"""The source contract: turn some input into frames with a UTC time column and float sensors."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class SourceOptions:
    """What the user asked of the input.

    Attributes
    ----------
    timefield : str or None
        Name of the time column; None to detect it.
    timezone : str
        Zone of naive (offset-less) times in the input; they are converted to UTC.
    sensors : tuple of str or None
        Columns to score; None for every numeric column.
    chunk_rows : int
        Rows per frame; bounds memory for inputs of any size.
    """

    timefield: str | None = None
    timezone: str = "UTC"
    sensors: tuple[str, ...] | None = None
    chunk_rows: int = 100_000


@dataclass(frozen=True)
class SourceInfo:
    """What a source found when it opened its input."""

    name: str
    time_field: str | None
    sensors: tuple[str, ...]
    live: bool = False


class Source(ABC):
    """Reads an input and yields it as frames of consecutive rows.

    Every frame has the column ``dsio.stream.TIME`` (datetime64[ns, UTC]) followed by one
    float64 column per sensor of :attr:`SourceInfo.sensors` (NaN = missing), indexed by the
    row's line in the input. A source must deliver every row it reads, in input order, or raise
    :class:`dsio.errors.InputError` naming the file, column and line. Problems in single cells
    are warnings (``logging``), not errors.
    """

    #: Short human name, e.g. "CSV file".
    description: ClassVar[str] = ""

    def __init__(self, location: Any, options: SourceOptions) -> None:
        self.location = location
        self.options = options

    @classmethod
    @abstractmethod
    def accepts(cls, location: Any) -> bool:
        """True if this source can read ``location`` (a path, ``-``, a URL, a DataFrame...)."""

    @abstractmethod
    def open(self) -> SourceInfo:
        """Inspect the input: find the time column and sensors. Raise InputError if unusable."""

    @abstractmethod
    def frames(self) -> Iterator[pd.DataFrame]:
        """Yield the rows as frames, in input order. Called once, after :meth:`open`."""

    def close(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release files or connections."""
