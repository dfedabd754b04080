"""A busy or hanging Elasticsearch: rejections are retried, what still fails is counted and said.

A small HTTP proxy in front of the test server plays the busy cluster: it answers 429 (to the
whole bulk request, or to every document in it) or answers late, and forwards everything else.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from dsio.errors import SinkError
from dsio_elastic.connection import Endpoint
from dsio_elastic.sink import ElasticSink

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
def proxy(es_server) -> Iterator[BusyProxy]:
    server = BusyProxy(es_server.url)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _sink(proxy: BusyProxy, index: str, **kwargs) -> ElasticSink:
    options = {"open_browser": False, "initial_backoff": 0.01, "max_backoff": 0.05, **kwargs}
    return ElasticSink(Endpoint.parse(proxy.url, "--es-uri"), index=index, **options)


def test_a_rejected_bulk_request_is_retried_until_accepted(
    proxy, es, index_name, make_schema, make_batch
):
    proxy.reject_requests = 2
    schema = make_schema(("flow",))
    sink = _sink(proxy, index_name, bulk_retries=3)
    sink.open(schema)
    sink.write(make_batch(schema, {"flow": [1.0, 2.0, 3.0, 4.0]}))
    sink.close()
    assert proxy.bulk_requests == 3
    assert sink.indexed == 4 and sink.failed == 0
    assert es.count(index=index_name)["count"] == 4


def test_documents_rejected_one_by_one_are_retried(proxy, es, index_name, make_schema, make_batch):
    proxy.reject_documents = 1
    schema = make_schema(("flow",))
    sink = _sink(proxy, index_name)
    sink.open(schema)
    sink.write(make_batch(schema, {"flow": [1.0, 2.0, 3.0]}))
    sink.close()
    assert proxy.bulk_requests == 2
    assert es.count(index=index_name)["count"] == 3


def test_rejections_beyond_the_retries_are_counted_reported_and_fail_the_run(
    proxy, es, index_name, make_schema, make_batch, caplog
):
    schema = make_schema(("flow",))
    sink = _sink(proxy, index_name, bulk_retries=2)
    sink.open(schema)
    proxy.reject_documents = 100
    sink.write(make_batch(schema, {"flow": [1.0, 2.0, 3.0]}))
    proxy.reject_documents = 0
    sink.write(make_batch(schema, {"flow": [4.0, 5.0]}, first_line=5, start=3))
    assert proxy.bulk_requests == 4  # 1 + 2 retries, then the next batch
    assert "did not index 3 of 3 rows" in caplog.text
    assert "line 2: HTTP 429 es_rejected_execution_exception" in caplog.text
    with pytest.raises(SinkError) as caught:
        sink.close()
    message = str(caught.value)
    assert "3 of 5 rows were not indexed" in message and index_name in message
    assert "es_rejected_execution_exception" in message
    assert es.count(index=index_name)["count"] == 2
    assert "2 rows indexed" in sink.summary() and "3 failed" in sink.summary()


def test_a_hanging_server_stops_the_run_after_bounded_retries(
    proxy, index_name, make_schema, make_batch
):
    schema = make_schema(("flow",))
    sink = _sink(proxy, index_name, request_timeout=0.2, max_retries=1, max_failed_batches=2)
    sink.open(schema)
    proxy.delay = 1.0
    sink.write(make_batch(schema, {"flow": [1.0, 2.0]}))
    assert sink.failed == 2 and sink.indexed == 0
    with pytest.raises(SinkError, match=r"indexed nothing in 2 consecutive batches") as caught:
        sink.write(make_batch(schema, {"flow": [3.0]}, first_line=4, start=2))
    assert "timed out" in str(caught.value)
    sink.close()  # after the failure, closing neither waits nor raises again


def test_a_newer_client_speaks_the_servers_rest_version(proxy, index_name, make_schema):
    from dsio_elastic.connection import client_major

    sink = _sink(proxy, index_name)
    sink.open(make_schema(("flow",)))
    sink.close()
    accepts = [h.get("accept", "") for h in proxy.headers_seen[1:]]  # after the version probe
    assert proxy.headers_seen[0]["accept"] == "application/json"
    server_major = 8  # noida-db reports Elasticsearch 8.15.3
    expected = f"compatible-with={min(server_major, client_major())}"
    assert accepts and all(expected in accept for accept in accepts)
