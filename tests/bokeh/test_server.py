"""The embedded server: who may connect, and starting and stopping it from another thread."""

from __future__ import annotations

import threading
import urllib.request

from dsio_bokeh.server import DashboardServer, websocket_origins


def test_loopback_servers_accept_pages_from_localhost_too() -> None:
    assert websocket_origins("127.0.0.1", 5001) == ["127.0.0.1:5001", "localhost:5001"]


def test_wildcard_bind_accepts_this_machines_names() -> None:
    origins = websocket_origins("0.0.0.0", 5002)
    assert "localhost:5002" in origins
    assert "127.0.0.1:5002" in origins
    assert all(o.endswith(":5002") for o in origins)


def test_extra_origins_are_added_as_given() -> None:
    assert websocket_origins("10.0.0.5", 80, ["localhost"]) == ["10.0.0.5:80", "localhost"]


def test_port_zero_picks_a_free_port_known_before_start() -> None:
    server = DashboardServer(lambda doc: None, host="127.0.0.1", port=0)
    assert server.port > 0
    assert server.origins[0] == f"127.0.0.1:{server.port}"


def test_runs_on_its_own_thread_and_stops_from_another(free_port) -> None:
    built = []
    server = DashboardServer(built.append, host="127.0.0.1", port=free_port)
    server.start()
    try:
        with urllib.request.urlopen(server.url, timeout=30) as response:
            assert response.status == 200
        assert len(built) == 1  # one document per page load
        threads = {t.name for t in threading.enumerate()}
        assert "dsio-bokeh-server" in threads
    finally:
        stopper = threading.Thread(target=server.stop)
        stopper.start()
        stopper.join(30)
    assert "dsio-bokeh-server" not in {t.name for t in threading.enumerate()}
