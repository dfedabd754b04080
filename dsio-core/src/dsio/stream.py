"""What moves between the stages of a run: the stream's schema and its scored micro-batches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

#: Name of the time column in every frame that moves between stages (UTC, datetime64[ns]).
TIME = "time"
#: Score target of a multivariate detector: one score per row instead of one per sensor.
ALL_SENSORS = "all"


@dataclass(frozen=True)
class Schema:
    """Describes a stream before its first row: sinks create mappings, plots and headers from it.

    Attributes
    ----------
    source : str
        Where the rows come from (a path, ``-`` or a description such as ``DataFrame``).
    name : str
        A short name for the stream (the file's stem), for titles and index names.
    time_field : str or None
        The input's time column, or None when dsio made a clock (1 row per second from now).
    sensors : tuple of str
        The scored columns, in input order; every name is safe as a field name (no dots).
    detector : str
        The detector's registered name, for headers.
    multivariate : bool
        True if one score per row (target ``ALL_SENSORS``) replaces one score per sensor.
    threshold : float
        The detector's flag threshold.
    speed : float
        Replay speed (0 = as fast as possible).
    timezone : str
        IANA name of the time zone in which dashboards show times (data times are UTC).
    """

    source: str
    name: str
    time_field: str | None
    sensors: tuple[str, ...]
    detector: str
    multivariate: bool = False
    threshold: float = 0.99
    speed: float = 1.0
    timezone: str = "UTC"

    @property
    def targets(self) -> tuple[str, ...]:
        """What gets a score and a flag: each sensor, or the whole row."""
        return (ALL_SENSORS,) if self.multivariate else self.sensors

    @staticmethod
    def score_column(target: str) -> str:
        return f"SCORE_{target}"

    @staticmethod
    def flag_column(target: str) -> str:
        return f"FLAG_{target}"

    @property
    def score_columns(self) -> list[str]:
        return [self.score_column(t) for t in self.targets]

    @property
    def flag_columns(self) -> list[str]:
        return [self.flag_column(t) for t in self.targets]


@dataclass(frozen=True)
class Batch:
    """Consecutive scored rows, in input order.

    Attributes
    ----------
    frame : pandas.DataFrame
        Index ``line``: the row's line in the input (1 = header for files, 0-based position for
        frames). Columns: ``TIME`` (the data's UTC time), each sensor (float64, NaN = missing),
        then ``SCORE_<target>`` (float64 in [0, 1], NaN = no score) and ``FLAG_<target>``
        (pandas nullable boolean, NA where there is no score).
    live_time : numpy.ndarray
        datetime64[ns] UTC: each row's time re-based onto the replay clock, i.e. the wall-clock
        moment the row is due. Live dashboards plot this; files keep ``TIME``.
    start : int
        Position of the first row in the whole stream (0-based).
    """

    frame: pd.DataFrame
    live_time: np.ndarray
    start: int

    def __len__(self) -> int:
        return len(self.frame)
