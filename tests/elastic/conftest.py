"""A real Elasticsearch-protocol server for the sink's tests: noida-db on 127.0.0.1.

noida-db (pinned in tests/requirements.txt) is one local binary that speaks the Elasticsearch 8
REST API; the official client talks to it unchanged. One server runs per test session, on a
free port with a temporary data directory; each test writes to its own index.
"""

from __future__ import annotations

import http.client
import importlib.metadata
import json
import os
import re
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pytest

from dsio.stream import TIME, Batch, Schema

NOIDA_VERSION = "0.2.3"
STARTUP_SECONDS = 20.0


@dataclass
class EsServer:
    """A running noida-db speaking Elasticsearch at ``url``."""

    url: str
    log: Path

    def client(self):
        from elasticsearch import Elasticsearch

        return Elasticsearch(self.url, request_timeout=30)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _noida_binary() -> Path:
    try:
        version = importlib.metadata.version("noida-db")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip(f"noida-db is not installed (pip install noida-db=={NOIDA_VERSION})")
    if version != NOIDA_VERSION:
        pytest.fail(f"noida-db {version} is installed; the tests pin {NOIDA_VERSION}")
    # The console script only re-launches this binary; running it directly lets the fixture
    # stop the server itself rather than a wrapper process.
    binary = Path(
        str(files("noida_db").joinpath("noida-db.exe" if os.name == "nt" else "noida-db"))
    )
    if not binary.is_file():
        pytest.skip(f"noida-db's server binary is missing at {binary}")
    binary.chmod(0o755)
    return binary


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"noida-db exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"noida-db did not answer at {url} within {STARTUP_SECONDS} s")


@pytest.fixture(scope="session")
def es_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EsServer]:
    """noida-db's Elasticsearch service on 127.0.0.1:<free port>, for the whole session."""
    binary = _noida_binary()
    data_dir = tmp_path_factory.mktemp("noida-data")
    log = data_dir.parent / "noida.log"
    port = free_port()
    command = [
        str(binary),
        "start",
        "--data-dir",
        str(data_dir),
        "--host",
        "127.0.0.1",
        "--only",
        "elasticsearch",
        "--elasticsearch-port",
        str(port),
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield EsServer(url, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def es(es_server: EsServer):
    """An official client connected to the test server."""
    client = es_server.client()
    yield client
    client.close()


@pytest.fixture
def index_name(request: pytest.FixtureRequest, es) -> Iterator[str]:
    """An index name of this test's own; the index is deleted afterwards.

    noida-db rewrites its whole data file as it changes, so leftover indices would slow down
    every later test.
    """
    name = re.sub(r"[^a-z0-9_-]+", "-", request.node.name.lower()).strip("-_")
    name = f"t-{name}"[:200]
    yield name
    es.indices.delete(index=name, ignore_unavailable=True)


def _make_schema(sensors: tuple[str, ...], *, name: str = "stream", **kwargs) -> Schema:
    return Schema(
        source=kwargs.pop("source", f"{name}.csv"),
        name=name,
        time_field="time",
        sensors=sensors,
        detector="gaussian1d",
        **kwargs,
    )


def _make_batch(
    schema: Schema,
    values: dict[str, list[float]],
    *,
    first_line: int = 2,
    start: int = 0,
    scores: dict[str, list[float]] | None = None,
) -> Batch:
    """A batch like the engine's: TIME, sensors, SCORE_ (NaN = none), FLAG_ (nullable)."""
    n = len(next(iter(values.values())))
    times = pd.date_range("2024-03-01T08:00:00Z", periods=n, freq="s") + pd.Timedelta(seconds=start)
    frame = pd.DataFrame(
        {TIME: times}, index=pd.RangeIndex(first_line, first_line + n, name="line")
    )
    for sensor in schema.sensors:
        frame[sensor] = np.asarray(values[sensor], dtype=np.float64)
    for target in schema.targets:
        given = (scores or {}).get(target)
        score = np.asarray(given, dtype=float) if given is not None else np.full(n, 0.25)
        if given is None and target in values:
            score[~np.isfinite(np.asarray(values[target], dtype=float))] = np.nan
        frame[schema.score_column(target)] = score
        frame[schema.flag_column(target)] = pd.arrays.BooleanArray(
            np.nan_to_num(score) > schema.threshold, np.isnan(score)
        )
    now = np.datetime64("2025-01-01T00:00:00", "ns")
    live = now + (times - times[0]).to_numpy().astype("timedelta64[ns]")
    return Batch(frame=frame, live_time=live, start=start)


@pytest.fixture
def make_schema():
    """``make_schema(("flow", "temp"), name=..., multivariate=...)``: a stream's Schema."""
    return _make_schema


@pytest.fixture
def make_batch():
    """``make_batch(schema, {"flow": [...]}, first_line=2)``: a Batch as the engine builds it."""
    return _make_batch


# -- a busy cluster: a proxy in front of the test server ---------------------------------------

REJECTION = {
    "type": "es_rejected_execution_exception",
    "reason": "rejected execution of coordinating operation",
}
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


class BusyProxy(ThreadingHTTPServer):
    """Forwards to ``upstream``; its counters say which bulk requests to reject or delay."""

    daemon_threads = True

    def __init__(self, upstream: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname, parts.port)
        self.reject_requests = 0  # answer 429 to the whole request, for the next N bulk requests
        self.reject_documents = 0  # answer 200 with a 429 for every document, next N requests
        self.delay = 0.0  # seconds to wait before answering a bulk request
        self.bulk_requests = 0
        self.headers_seen: list[dict[str, str]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: BusyProxy

    def log_message(self, *args) -> None:  # keep pytest's output clean
        pass

    def do_GET(self) -> None:
        self._handle()

    do_PUT = do_POST = do_DELETE = do_HEAD = do_GET

    def _handle(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        proxy = self.server
        with proxy.lock:
            proxy.headers_seen.append({k.lower(): v for k, v in self.headers.items()})
            bulk = self.path.split("?")[0].endswith("/_bulk")
            if bulk:
                proxy.bulk_requests += 1
                reject_request = proxy.reject_requests > 0
                reject_documents = not reject_request and proxy.reject_documents > 0
                proxy.reject_requests -= reject_request
                proxy.reject_documents -= reject_documents
        if bulk and proxy.delay:
            time.sleep(proxy.delay)
        if bulk and reject_request:
            return self._answer(
                429, {"error": {**REJECTION, "root_cause": [REJECTION]}, "status": 429}
            )
        if bulk and reject_documents:
            return self._answer(200, _rejected_items(body))
        self._forward(body)

    def _forward(self, body: bytes) -> None:
        connection = http.client.HTTPConnection(*self.server.upstream, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        connection.request(self.command, self.path, body=body or None, headers=headers)
        response = connection.getresponse()
        data = response.read()
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        connection.close()

    def _answer(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _rejected_items(body: bytes) -> dict:
    """A bulk response in which every document was rejected with 429, as a busy node answers."""
    lines = [json.loads(line) for line in body.splitlines() if line.strip()]
    items = []
    for line in lines:
        (operation, meta), *_ = line.items()
        if operation in ("index", "create", "update", "delete"):
            items.append({operation: {"_id": meta.get("_id"), "status": 429, "error": REJECTION}})
    return {"took": 1, "errors": True, "items": items}


@pytest.fixture
def serve(request: pytest.FixtureRequest):
    """``serve(server)``: run an HTTP server of the test on a thread until the test ends."""

    def start(server: ThreadingHTTPServer) -> ThreadingHTTPServer:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()

        def stop() -> None:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)

        request.addfinalizer(stop)
        return server

    return start


@pytest.fixture
def proxy(es_server, serve) -> BusyProxy:
    return serve(BusyProxy(es_server.url))
