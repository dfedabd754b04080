"""A busy or hanging Elasticsearch: rejections are retried, what still fails is counted and said.

The ``proxy`` fixture (a small HTTP proxy in front of the test server) plays the busy cluster: it
answers 429 (to the whole bulk request, or to every document in it) or answers late, and
forwards everything else.
"""

from __future__ import annotations

import pytest

from dsio.errors import SinkError
from dsio_elastic.connection import Endpoint
from dsio_elastic.sink import ElasticSink


def _sink(proxy, index: str, **kwargs) -> ElasticSink:
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
