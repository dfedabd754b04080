"""Replay pacing: when each row is due on the wall clock, and the time live dashboards show.

A replay at ``speed`` N delivers the row with data time ``t`` at ``start + (t - t0) / N`` on the
wall clock, where ``t0`` is the first row's time. Dashboards plot that moment (the row's
"live time"), so a recorded file looks like a live stream, as in the seed. At speed 0 rows are
delivered as fast as possible and live times keep the data's spacing from ``start``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import numpy as np
from numpy.typing import NDArray

#: Rows falling due within this many seconds of each other are delivered together, so that a
#: fast replay sends a few batches per second rather than one call per row.
COALESCE_SECONDS = 0.05


class Pacer:
    """Maps data times (int64 ns) to wall-clock due times and waits for them."""

    def __init__(
        self,
        speed: float,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if speed < 0:
            raise ValueError("speed must be >= 0")
        self.speed = speed
        self._clock = clock
        self._sleep = sleep
        self._t0: int | None = None
        self._wall0_ns = 0
        self._latest_offset = 0.0

    @property
    def realtime(self) -> bool:
        return self.speed > 0

    def live_time(self, times_ns: NDArray[np.int64]) -> NDArray[np.int64]:
        """The wall-clock moment (ns since epoch) each row is due."""
        self._start(times_ns)
        assert self._t0 is not None
        elapsed = times_ns - self._t0
        if self.realtime and self.speed != 1:
            elapsed = (elapsed / self.speed).astype(np.int64)
        return self._wall0_ns + elapsed

    def pieces(self, times_ns: NDArray[np.int64]) -> Iterator[slice]:
        """Yield consecutive slices of the rows, each when its rows are due.

        Rows stay in input order: a row whose time goes backwards is due at once.
        """
        if not self.realtime or len(times_ns) == 0:
            if len(times_ns):
                self._start(times_ns)
            yield slice(0, len(times_ns))
            return
        self._start(times_ns)
        assert self._t0 is not None
        offsets = np.maximum.accumulate((times_ns - self._t0) / 1e9 / self.speed)
        position = 0
        while position < len(offsets):
            elapsed = self._clock() - self._wall0_ns / 1e9
            wait = offsets[position] - elapsed
            if wait > 0:
                self._sleep(wait)
                elapsed += wait
            due = int(np.searchsorted(offsets, elapsed + COALESCE_SECONDS, side="right"))
            due = max(due, position + 1)
            yield slice(position, due)
            position = due

    def _start(self, times_ns: NDArray[np.int64]) -> None:
        if self._t0 is None and len(times_ns):
            self._t0 = int(times_ns[0])
            self._wall0_ns = int(self._clock() * 1e9)
