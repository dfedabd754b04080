"""The sink contract: receive the schema, then scored batches in order, then the end."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import click

    from dsio.stream import Batch, Schema


class Sink(ABC):
    """A destination for scored rows.

    The engine calls :meth:`open` once, :meth:`write` for every batch in order, then
    :meth:`close`. ``write`` runs on the scoring thread: a sink that talks to something slow
    (a browser, a database) must bound how long it blocks and must never drop rows silently -
    it delivers them, or raises :class:`dsio.errors.SinkError`, or logs a warning that counts
    what it could not deliver and why.

    A sink that keeps serving after the stream ends (a dashboard) returns True from
    :attr:`serving` after ``close``; the CLI then waits for Ctrl-C and calls :meth:`stop`.
    """

    #: True for sinks a person watches (dashboards). They open after every other sink, so that
    #: a database that cannot be reached never leaves a browser tab on a dashboard that is gone.
    interactive: ClassVar[bool] = False

    @classmethod
    def cli_options(cls) -> list[click.Option]:
        """Options this sink adds to ``dsio`` (e.g. ``--bokeh-port``). Import click lazily."""
        return []

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Sink | None:
        """Build the sink if the parsed command-line ``options`` enable it, else None.

        ``options`` holds every option of the run by its Python name (``speed``, ``no_browser``,
        ``input``, and each sink's own), so a sink can read the options it shares with others.
        """
        return None

    def open(self, schema: Schema) -> None:  # noqa: B027 - optional hook
        """Prepare for a stream described by ``schema`` (create files, indices, pages)."""

    @abstractmethod
    def write(self, batch: Batch) -> None:
        """Deliver one batch of scored rows."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """The stream has ended: flush everything written so far."""

    @property
    def serving(self) -> bool:
        """True if the sink still serves something (a dashboard) after :meth:`close`."""
        return False

    def stop(self) -> None:  # noqa: B027 - optional hook
        """Stop serving and release resources.

        Called after Ctrl-C for a serving sink, after a background replay is stopped, and
        instead of :meth:`close` when another sink failed to open (the run never started).
        """

    def summary(self) -> str | None:
        """One line for the user at the end of a run (where the output went), or None."""
        return None
