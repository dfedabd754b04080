"""The dashboard as a dsio sink: the engine writes batches, browsers watch them live."""

from __future__ import annotations

import logging
import threading
import webbrowser
from collections.abc import Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from dsio.errors import SinkError, UsageError
from dsio.sinks.base import Sink

if TYPE_CHECKING:
    import click

    from dsio.stream import Batch, Schema
    from dsio_bokeh.feed import Feed
    from dsio_bokeh.notebook import InlineDashboard
    from dsio_bokeh.server import DashboardServer

log = logging.getLogger(__name__)

DEFAULT_PORT = 5001
DEFAULT_HOST = "127.0.0.1"
DEFAULT_COLS = 3
#: Points per sensor kept on the page: an hour of a 1 Hz stream.
DEFAULT_WINDOW = 3600


class BokehSink(Sink):
    """Live dashboard: one plot per sensor with its flagged anomalies and score, in the browser.

    ``write`` only copies the batch into a bounded buffer shared by every browser tab; each tab
    pulls from it on the Bokeh server's own thread. After the stream ends the dashboard keeps
    serving (the header says the stream has ended) until :meth:`stop`. In a Jupyter notebook the
    dashboard is shown inline instead of in a new browser window.

    Parameters
    ----------
    port : int
        TCP port of the Bokeh server (0 picks a free one).
    host : str
        Address to listen on; ``127.0.0.1`` keeps the dashboard to this machine, ``0.0.0.0``
        serves every interface.
    cols : int
        Plots per row.
    window : int
        Most recent points per sensor kept on the page (and in the server's buffer).
    open_browser : bool
        Open the dashboard in the default browser when the stream starts.
    notebook : bool
        Show the dashboard inline in the running Jupyter notebook.
    origins : sequence of str
        Further ``host[:port]`` origins whose pages may embed the dashboard.
    """

    interactive = True  # opens after the other sinks, so it never outlives a failed start

    name = "bokeh"

    def __init__(
        self,
        *,
        port: int = DEFAULT_PORT,
        host: str = DEFAULT_HOST,
        cols: int = DEFAULT_COLS,
        window: int = DEFAULT_WINDOW,
        open_browser: bool = True,
        notebook: bool = False,
        origins: Sequence[str] = (),
    ) -> None:
        if not 0 <= port <= 65535:
            raise UsageError(f"--bokeh-port must be between 0 and 65535, not {port}")
        if cols < 1:
            raise UsageError(f"--cols must be at least 1, not {cols}")
        if window < 1:
            raise UsageError(f"--window must be at least 1 point, not {window}")
        self.port = port
        self.host = host
        self.cols = cols
        self.window = window
        self.open_browser = open_browser
        self.notebook = notebook
        self.origins = tuple(origins)
        self.feed: Feed | None = None
        self.server: DashboardServer | None = None
        self.inline: InlineDashboard | None = None
        if notebook:  # now, on the cell's own thread: see InlineDashboard
            from dsio_bokeh.notebook import InlineDashboard

            self.inline = InlineDashboard()

    @classmethod
    def cli_options(cls) -> list[click.Option]:
        import click

        return [
            click.Option(
                ["--bokeh-port"],
                type=click.IntRange(0, 65535),
                default=DEFAULT_PORT,
                show_default=True,
                help="Port of the live dashboard.",
            ),
            click.Option(
                ["--bokeh-host", "--bind", "bokeh_host"],
                default=DEFAULT_HOST,
                show_default=True,
                metavar="ADDRESS",
                help="Address the dashboard listens on (0.0.0.0: every interface).",
            ),
            click.Option(
                ["--bokeh-origin", "bokeh_origins"],
                multiple=True,
                metavar="HOST[:PORT]",
                help="Also let pages from HOST[:PORT] show the dashboard (repeatable).",
            ),
            click.Option(
                ["--cols"],
                type=click.IntRange(min=1),
                default=DEFAULT_COLS,
                show_default=True,
                help="Dashboard plots per row.",
            ),
            click.Option(
                ["--window"],
                type=click.IntRange(min=1),
                default=DEFAULT_WINDOW,
                show_default=True,
                help="Most recent points per sensor the dashboard shows.",
            ),
            click.Option(["--no-bokeh"], is_flag=True, help="No live dashboard."),
        ]

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> BokehSink | None:
        if options.get("no_bokeh"):
            return None
        origins = options.get("bokeh_origins") or ()
        return cls(
            port=int(options.get("bokeh_port", DEFAULT_PORT)),
            host=options.get("bokeh_host") or DEFAULT_HOST,
            cols=int(options.get("cols") or DEFAULT_COLS),
            window=int(options.get("window") or DEFAULT_WINDOW),
            open_browser=not options.get("no_browser"),
            notebook=bool(options.get("notebook")),
            origins=(origins,) if isinstance(origins, str) else tuple(origins),
        )

    @property
    def url(self) -> str | None:
        return self.server.url if self.server else None

    def open(self, schema: Schema) -> None:
        from dsio_bokeh.feed import Feed
        from dsio_bokeh.server import DashboardServer
        from dsio_bokeh.session import SessionSettings, make_document

        self.feed = Feed(schema, self.window)
        origins = list(self.origins)
        if self.notebook:  # the page that embeds the dashboard is Jupyter's
            from dsio_bokeh.notebook import notebook_origins

            origins += notebook_origins()
        app = partial(make_document, feed=self.feed, settings=SessionSettings(cols=self.cols))
        self.server = DashboardServer(app, host=self.host, port=self.port, extra_origins=origins)
        try:
            self.server.start()
        except SinkError as exc:
            if not (self.notebook and isinstance(exc.__cause__, OSError)):
                raise
            # A dashboard from an earlier cell still holds the port: take a free one instead.
            self.server = DashboardServer(app, host=self.host, port=0, extra_origins=origins)
            self.server.start()
        log.info("live dashboard at %s", self.server.url)
        if self.inline is not None:
            self.inline.show(self.server.url)
        elif self.open_browser:
            # Some browsers block the caller until they exit: never let one hold up the stream.
            url = self.server.url
            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()

    def write(self, batch: Batch) -> None:
        if self.feed is None:
            raise RuntimeError("BokehSink.write() called before open()")
        self.feed.append(batch)

    def close(self) -> None:
        if self.feed is not None:
            self.feed.end()

    @property
    def serving(self) -> bool:
        """True after the stream ends on the command line; in Jupyter the run just returns."""
        return self.server is not None and not self.notebook

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
        if self.inline is not None:
            self.inline.closed()

    def summary(self) -> str | None:
        return f"live dashboard at {self.server.url}" if self.server else None
