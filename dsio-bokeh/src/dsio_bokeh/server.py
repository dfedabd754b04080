"""An embedded Bokeh server on its own thread and its own event loop.

The CLI's main thread runs the engine; this thread runs Tornado, the Bokeh server and every
session's callbacks. The two meet only in the thread-safe :class:`~dsio_bokeh.feed.Feed`.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import Callable, Sequence

from dsio.errors import SinkError

log = logging.getLogger(__name__)

WILDCARD_HOSTS = {"", "0.0.0.0", "::", "*"}


def websocket_origins(host: str, port: int, extra: Sequence[str] = ()) -> list[str]:
    """Pages allowed to open the dashboard's websocket when it listens on ``host:port``.

    Bokeh refuses websocket connections from pages whose origin is not listed. Bound to one
    address, the dashboard accepts pages loaded from that address (and from ``localhost`` when
    it is a loopback address); bound to every interface, it accepts this machine's names and
    addresses. ``extra`` adds origins such as a Jupyter server's ``host:port``.

    Examples
    --------
    >>> websocket_origins("127.0.0.1", 5001)
    ['127.0.0.1:5001', 'localhost:5001']
    >>> websocket_origins("10.1.2.3", 5001, extra=["lab.example.org"])
    ['10.1.2.3:5001', 'lab.example.org']
    >>> websocket_origins("::1", 5001)
    ['localhost:5001']
    """
    names = [host]
    if host in WILDCARD_HOSTS:
        names = _this_machine()
    elif host in ("127.0.0.1", "::1", "localhost"):
        names = [host, "localhost"]
    # Bokeh's allowlist cannot spell IPv6 literals; such pages can use a name instead.
    origins = [f"{n}:{port}" for n in names if ":" not in n]
    return list(dict.fromkeys([*origins, *extra]))


def _this_machine() -> list[str]:
    names = ["localhost", "127.0.0.1", socket.gethostname(), socket.getfqdn()]
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, type=socket.SOCK_STREAM)
        names += [info[4][0] for info in infos]
    except OSError:
        pass
    return list(dict.fromkeys(names))


def free_port(host: str) -> int:
    """A TCP port that is free on ``host`` right now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind(("" if host in WILDCARD_HOSTS else host, 0))
        return probe.getsockname()[1]


def url_host(host: str) -> str:
    """The host name to put in a URL for a server bound to ``host``."""
    if host in WILDCARD_HOSTS:
        return socket.getfqdn()
    return f"[{host}]" if ":" in host else host


class DashboardServer:
    """A Bokeh server for one app, started on a daemon thread and stopped from any thread.

    Parameters
    ----------
    make_document : callable
        Bokeh's per-session function: receives a fresh ``Document`` to fill.
    host, port : str, int
        Where to listen (port 0 picks a free one).
    extra_origins : sequence of str
        Origins allowed besides this server's own (see :func:`websocket_origins`).
    session_lifetime_ms : int
        How long after its tab closes a session's document is discarded.
    """

    def __init__(
        self,
        make_document: Callable[[object], None],
        *,
        host: str,
        port: int,
        extra_origins: Sequence[str] = (),
        session_lifetime_ms: int = 5000,
    ) -> None:
        self.make_document = make_document
        self.host = host
        self.port = port or free_port(host)  # known before start: the origins name it
        self.origins = websocket_origins(host, self.port, extra_origins)
        self.session_lifetime_ms = session_lifetime_ms
        self._server = None
        self._loop = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None

    @property
    def url(self) -> str:
        return f"http://{url_host(self.host)}:{self.port}/"

    def start(self, timeout: float = 30.0) -> None:
        """Start listening; raise :class:`SinkError` if the port cannot be had."""
        self._thread = threading.Thread(target=self._serve, name="dsio-bokeh-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise SinkError(f"the Bokeh server did not start within {timeout:.0f} s")
        if self._failure is not None:
            failure = self._failure
            self._thread.join()
            if isinstance(failure, OSError):
                raise SinkError(
                    f"cannot serve the dashboard on {self.host}:{self.port}: {failure.strerror}; "
                    "choose another --bokeh-port (or --no-bokeh)"
                ) from failure
            raise SinkError(f"the Bokeh server failed to start: {failure}") from failure

    def _serve(self) -> None:
        from bokeh.application import Application
        from bokeh.application.handlers.function import FunctionHandler
        from bokeh.server.server import Server
        from tornado.ioloop import IOLoop

        asyncio.set_event_loop(asyncio.new_event_loop())
        try:
            self._loop = IOLoop.current()
            self._server = Server(
                {"/": Application(FunctionHandler(self.make_document))},
                io_loop=self._loop,
                address=self.host,
                port=self.port,
                allow_websocket_origin=self.origins,
                check_unused_sessions_milliseconds=min(17000, self.session_lifetime_ms),
                unused_session_lifetime_milliseconds=self.session_lifetime_ms,
            )
            self._server.start()
        except BaseException as exc:  # reported to start() on the caller's thread
            self._failure = exc
            self._ready.set()
            return
        self._ready.set()
        log.debug("Bokeh server listening on %s:%s", self.host, self.port)
        try:
            self._loop.start()
        finally:
            self._loop.close(all_fds=True)

    def stop(self, timeout: float = 10.0) -> None:
        """Close every session, stop listening and end the thread (idempotent)."""
        if self._loop is None or self._thread is None or not self._thread.is_alive():
            return

        def shutdown() -> None:
            self._server.stop()
            self._loop.stop()

        self._loop.add_callback(shutdown)
        self._thread.join(timeout)
