"""A sink that keeps every scored row in memory, for :func:`dsio.score` and tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dsio.sinks.base import Sink

if TYPE_CHECKING:
    import pandas as pd

    from dsio.stream import Batch


class MemorySink(Sink):
    """Collects batches; :meth:`frame` concatenates them (not registered for the CLI)."""

    def __init__(self) -> None:
        self.batches: list[Batch] = []

    def write(self, batch: Batch) -> None:
        self.batches.append(batch)

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        if not self.batches:
            return pd.DataFrame()
        return pd.concat([b.frame for b in self.batches])
