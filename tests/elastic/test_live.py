"""Against a real Elasticsearch and Kibana, when ``DSIO_ES_URL`` and ``DSIO_KIBANA_URL`` are set.

For example, with ``examples/docker-compose.yaml`` running::

    DSIO_ES_URL=http://127.0.0.1:9200 DSIO_KIBANA_URL=http://127.0.0.1:5601 \
        pytest tests/elastic/test_live.py

Credentials come from the URLs or ``DSIO_ES_API_KEY`` / ``DSIO_ES_USERNAME`` /
``DSIO_ES_PASSWORD``, as for ``dsio`` itself; ``DSIO_ES_CA_CERTS`` names a CA file.
"""

from __future__ import annotations

import json
import os
import uuid

import pytest

from dsio_elastic.connection import Credentials, Endpoint, es_client, server_major
from dsio_elastic.kibana import import_objects, object_id, saved_objects
from dsio_elastic.sink import ElasticSink

ES_URL = os.environ.get("DSIO_ES_URL")
KIBANA_URL = os.environ.get("DSIO_KIBANA_URL")
needs_es = pytest.mark.skipif(not ES_URL, reason="DSIO_ES_URL is not set (no live Elasticsearch)")
needs_kibana = pytest.mark.skipif(
    not (ES_URL and KIBANA_URL), reason="DSIO_ES_URL and DSIO_KIBANA_URL are not both set"
)


@pytest.fixture
def live_index():
    endpoint = Endpoint.parse(ES_URL, "DSIO_ES_URL")
    credentials = Credentials.resolve(endpoint, None, os.environ.get("DSIO_ES_CA_CERTS"))
    client = es_client(endpoint, credentials, request_timeout=30, max_retries=2)
    major = server_major(client, endpoint, credentials)
    client = es_client(
        endpoint, credentials, request_timeout=30, max_retries=2, compatible_with=major
    )
    name = f"dsio-live-test-{uuid.uuid4().hex[:8]}"
    yield endpoint, credentials, client, name
    client.indices.delete(index=name, ignore_unavailable=True)
    client.close()


def _run(endpoint, credentials, name, schema, batch, kibana=None) -> ElasticSink:
    sink = ElasticSink(
        endpoint, index=name, credentials=credentials, kibana=kibana, open_browser=False
    )
    sink.open(schema)
    sink.write(batch)
    sink.close()
    return sink


@needs_es
def test_live_elasticsearch_indexes_documents_with_the_explicit_mapping(
    live_index, make_schema, make_batch
):
    endpoint, credentials, client, name = live_index
    schema = make_schema(("flow", "temp"))
    batch = make_batch(schema, {"flow": [1.0, float("nan"), 3.0], "temp": [20.0, 21.0, 22.5]})
    _run(endpoint, credentials, name, schema, batch)
    assert client.count(index=name)["count"] == 3
    caps = client.field_caps(index=name, fields="flow,SCORE_flow,FLAG_flow,@timestamp")["fields"]
    assert set(caps["flow"]) == {"double"} and set(caps["@timestamp"]) == {"date"}
    assert set(caps["FLAG_flow"]) == {"boolean"}
    missing = client.count(index=name, query={"bool": {"must_not": {"exists": {"field": "flow"}}}})
    assert missing["count"] == 1


@needs_kibana
def test_live_kibana_imports_the_dashboard_and_its_charts(live_index, make_schema, make_batch):
    import urllib3

    endpoint, credentials, _client, name = live_index
    kibana = Endpoint.parse(KIBANA_URL, "DSIO_KIBANA_URL")
    schema = make_schema(("flow", "temp"))
    sink = _run(
        endpoint,
        credentials,
        name,
        schema,
        make_batch(schema, {"flow": [1.0], "temp": [2.0]}),
        kibana,
    )
    assert sink.dashboard, "the import failed (see the warning in the log)"
    kibana_credentials = credentials.for_endpoint(kibana)
    objects = saved_objects(name, sink.fields)
    http = urllib3.PoolManager(ca_certs=credentials.ca_certs)
    headers = {"kbn-xsrf": "dsio", **kibana_credentials.headers()}
    try:
        assert import_objects(kibana, kibana_credentials, objects) == 4
        response = http.request(
            "GET",
            f"{kibana.url}/api/saved_objects/dashboard/{object_id('dashboard', name)}",
            headers=headers,
        )
        assert response.status == 200, response.data[:500]
        assert len(json.loads(response.data)["references"]) == 2
    finally:
        for obj in objects:
            http.request(
                "DELETE",
                f"{kibana.url}/api/saved_objects/{obj['type']}/{obj['id']}",
                headers=headers,
            )
