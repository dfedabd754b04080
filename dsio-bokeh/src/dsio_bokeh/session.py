"""One browser session: its own document, fed from the shared :class:`~dsio_bokeh.feed.Feed`.

Bokeh calls :func:`make_document` on the server's thread for every new tab. The session keeps a
cursor into the feed and, on a periodic callback, pulls whatever is new - never waiting for it -
and streams it to its page. It sends the next update only once the browser has painted the
previous one (the page's :class:`~dsio_bokeh.layout.Receipt`), so a slow or hidden tab gets
fewer, larger updates instead of a backlog, and never slows the scoring thread down. A tab
opened late starts with the feed's whole window; a closed tab's callback and models go with its
session.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from dsio_bokeh import layout
from dsio_bokeh.feed import Feed

log = logging.getLogger(__name__)

#: Updates a session may have on the wire before it waits for the browser to paint them.
MAX_UNPAINTED = 1


@dataclass(frozen=True)
class SessionSettings:
    """How each session draws and how often it updates."""

    cols: int = 3
    interval_ms: int = 500


class LiveSession:
    """Feeds one document: pulls new rows from the shared feed and streams them to the page."""

    def __init__(self, feed: Feed, settings: SessionSettings) -> None:
        self.feed = feed
        self.settings = settings
        self.page = layout.build(feed.schema, feed.columns, window=feed.window, cols=settings.cols)
        self.cursor = 0  # the feed offers at most its window, so a late tab gets just that
        self.sent = 0

    def fill(self) -> None:
        """Put the feed's current window into the page before it is sent to the browser."""
        self.page.show(self.feed.status())
        chunk = self.feed.read_since(self.cursor)
        self.cursor = chunk.end
        self.page.fill(chunk.rows)

    def update(self) -> None:
        """Periodic callback: refresh the header, then send what is new if the page keeps up."""
        self.page.show(self.feed.status())
        if self.sent - self.page.receipt.painted >= MAX_UNPAINTED:
            return
        chunk = self.feed.read_since(self.cursor)
        if len(chunk.rows) == 0:
            return
        self.cursor = chunk.end
        if chunk.skipped:
            log.debug("a tab fell %d rows behind the window: it shows the newest", chunk.skipped)
        self.page.stream(chunk.rows)
        self.sent += 1


def make_document(doc, feed: Feed, settings: SessionSettings) -> None:
    """Bokeh's per-session entry point: build the page, fill in the window, then go live.

    The rows already in the feed go into the document itself; streaming starts once the page
    reports it is ready, so that every update sent is one the browser will acknowledge.
    """
    from bokeh.events import DocumentReady

    session = LiveSession(feed, settings)
    doc.title = f"dsio - {feed.schema.name}"
    session.fill()
    for root in session.page.roots:
        doc.add_root(root)
    feed.attach()
    doc.on_session_destroyed(lambda _context: feed.detach())

    def go_live(_event: DocumentReady) -> None:
        doc.add_periodic_callback(session.update, settings.interval_ms)

    doc.on_event(DocumentReady, go_live)
