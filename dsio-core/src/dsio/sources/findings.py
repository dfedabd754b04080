"""Problems found in many rows, reported once per kind and column instead of once per row.

A file with a bad cell in every thousandth row must not bury the user in warnings, yet every
problem has to be visible. Sources note what they find while reading; :meth:`Findings.report`
logs one line per kind and column with the count and the first lines (and values) involved.
For a file that happens when the stream ends; a live stream may never end, so there the first
finding of each kind is logged at once and the total again at the end if more followed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

#: Lines (and values) quoted in one message; the rest is counted.
SHOWN = 8


@dataclass
class _Finding:
    message: str
    level: int
    count: int = 0
    examples: list[str] = field(default_factory=list)
    reported: int = 0


class Findings:
    """Collects row-level problems of one source and logs them as one message per kind.

    Parameters
    ----------
    logger : logging.Logger
        Where the messages go.
    prefix : str
        Names the input at the start of every message (a path, ``<stdin>``, ``DataFrame``).
    live : bool
        Log the first occurrence of each kind immediately (for streams that may never end).
    unit : str
        What the numbers noted are: ``line`` (of a file) or ``row`` (of a DataFrame).
    """

    def __init__(
        self, logger: logging.Logger, prefix: str, *, live: bool = False, unit: str = "line"
    ) -> None:
        self.logger = logger
        self.prefix = prefix
        self.live = live
        self.unit = unit
        self._found: dict[tuple[str, str], _Finding] = {}

    def note(
        self,
        key: tuple[str, str],
        message: str,
        lines: Iterable[int],
        values: Iterable[object] | None = None,
        *,
        level: int = logging.WARNING,
    ) -> None:
        """Record rows with one kind of problem.

        ``message`` describes the problem and may use ``{count}``, ``{s}`` (plural ending for
        ``count``) and ``{lines}``; ``key`` (kind, column) groups notes into one message.
        """
        finding = self._found.setdefault(key, _Finding(message, level))
        lines = list(lines)
        quoted = [None] * len(lines) if values is None else list(values)
        room = SHOWN - len(finding.examples)
        for line, value in zip(lines[: max(room, 0)], quoted[: max(room, 0)], strict=True):
            finding.examples.append(f"{line}" if value is None else f"{line} ({value!r})")
        finding.count += len(lines)
        if self.live and finding.reported == 0:
            self._log(finding)

    def report(self) -> None:
        """Log every finding not yet logged with its final count."""
        for finding in self._found.values():
            if finding.count > finding.reported:
                self._log(finding)

    def count(self, key: tuple[str, str]) -> int:
        """How many rows were noted under ``key``."""
        found = self._found.get(key)
        return found.count if found else 0

    def _log(self, finding: _Finding) -> None:
        more = finding.count - len(finding.examples)
        lines = ", ".join(finding.examples) + (f" and {more} more" if more > 0 else "")
        noun = self.unit if finding.count == 1 else f"{self.unit}s"
        plural = "" if finding.count == 1 else "s"
        text = finding.message.format(count=finding.count, s=plural, lines=f"{noun} {lines}")
        self.logger.log(finding.level, "%s: %s", self.prefix, text)
        finding.reported = finding.count
