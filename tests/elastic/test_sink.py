"""The sink against a real Elasticsearch-protocol server: documents, ids, mappings, failures."""

from __future__ import annotations

import math
import socket

import numpy as np
import pytest

from dsio.errors import SinkError, UsageError
from dsio_elastic.connection import Endpoint
from dsio_elastic.index import DATA_TIME_FIELD, LINE_FIELD, TIMESTAMP_FIELD
from dsio_elastic.sink import ElasticSink

NAN = float("nan")


def _sink(es_server, index_name, **kwargs) -> ElasticSink:
    kwargs.setdefault("open_browser", False)
    return ElasticSink(Endpoint.parse(es_server.url, "--es-uri"), index=index_name, **kwargs)


def _documents(es, index: str) -> dict[int, dict]:
    hits = es.search(index=index, size=10_000, sort=[{LINE_FIELD: "asc"}])["hits"]["hits"]
    return {hit["_source"][LINE_FIELD]: hit["_source"] for hit in hits}


def _run(sink: ElasticSink, schema, *batches) -> None:
    sink.open(schema)
    for batch in batches:
        sink.write(batch)
    sink.close()


def test_every_row_becomes_one_document_with_values_scores_flags_and_both_times(
    es_server, es, index_name, make_schema, make_batch
):
    schema = make_schema(("flow", "temp"))
    batch = make_batch(
        schema,
        {"flow": [1.5, 2.5, 3.5], "temp": [20.0, 21.0, 22.0]},
        scores={"flow": [0.1, 0.2, 0.995], "temp": [0.5, 0.5, 0.5]},
    )
    sink = _sink(es_server, index_name)
    _run(sink, schema, batch)

    assert es.count(index=index_name)["count"] == 3
    docs = _documents(es, index_name)
    assert sorted(docs) == [2, 3, 4]
    third = docs[4]
    assert third["flow"] == 3.5 and third["temp"] == 22.0
    assert third["SCORE_flow"] == 0.995 and third["FLAG_flow"] is True
    assert docs[2]["FLAG_flow"] is False
    assert third[DATA_TIME_FIELD] == "2024-03-01T08:00:02.000Z"
    assert third[TIMESTAMP_FIELD] == "2025-01-01T00:00:02.000Z"
    assert sink.indexed == 3 and sink.failed == 0
    assert index_name in sink.summary() and "3 rows indexed" in sink.summary()


def test_missing_values_are_left_out_never_nan_or_zero(
    es_server, es, index_name, make_schema, make_batch
):
    schema = make_schema(("flow", "temp"))
    flow = [1.0, NAN, 3.0, math.inf, 5.0]
    batch = make_batch(schema, {"flow": flow, "temp": [1.0, 2.0, 3.0, 4.0, 5.0]})
    _run(_sink(es_server, index_name), schema, batch)

    docs = _documents(es, index_name)
    for line in (3, 5):  # the NaN and the infinite value
        assert "flow" not in docs[line]
        assert "SCORE_flow" not in docs[line] and "FLAG_flow" not in docs[line]
        assert docs[line]["temp"] == float(line - 1)
    assert docs[2]["flow"] == 1.0 and docs[2]["SCORE_flow"] == 0.25
    missing = es.count(
        index=index_name, query={"bool": {"must_not": {"exists": {"field": "flow"}}}}
    )
    assert missing["count"] == 2


def test_mapping_is_explicit_dates_doubles_booleans_even_for_whole_numbers(
    es_server, es, index_name, make_schema, make_batch
):
    schema = make_schema(("rpm", "gear"))
    first = make_batch(schema, {"rpm": [800.0, 810.0], "gear": [1.0, 2.0]})
    later = make_batch(schema, {"rpm": [812.5, 820.25], "gear": [2.0, 3.0]}, first_line=4, start=2)
    _run(_sink(es_server, index_name), schema, first, later)

    caps = es.field_caps(index=index_name, fields="*")["fields"]
    assert set(caps[TIMESTAMP_FIELD]) == {"date"} and set(caps[DATA_TIME_FIELD]) == {"date"}
    for field in ("rpm", "gear", "SCORE_rpm", "SCORE_gear"):
        (kind, info), *_ = caps[field].items()
        assert kind == "double", field
        assert info["aggregatable"] and info["searchable"]
    assert set(caps["FLAG_rpm"]) == {"boolean"}
    assert _documents(es, index_name)[5]["rpm"] == 820.25
    stats = es.search(index=index_name, size=0, aggs={"top": {"max": {"field": "rpm"}}})
    assert stats["aggregations"]["top"]["value"] == 820.25


def test_running_the_same_input_again_replaces_documents_instead_of_duplicating(
    es_server, es, index_name, make_schema, make_batch
):
    schema = make_schema(("flow",))
    for _ in range(2):
        _run(_sink(es_server, index_name), schema, make_batch(schema, {"flow": [1.0, 2.0, 3.0]}))
    assert es.count(index=index_name)["count"] == 3


def test_another_input_into_the_same_index_adds_documents(
    es_server, es, index_name, make_schema, make_batch
):
    for source in ("a.csv", "b.csv"):
        schema = make_schema(("flow",), source=source)
        _run(_sink(es_server, index_name), schema, make_batch(schema, {"flow": [1.0, 2.0]}))
    assert es.count(index=index_name)["count"] == 4


def test_an_existing_index_is_kept_unless_recreate_is_asked(
    es_server, es, index_name, make_schema, make_batch
):
    es.indices.create(index=index_name, mappings={"properties": {"note": {"type": "keyword"}}})
    es.index(index=index_name, id="kept", document={"note": "from before"}, refresh=True)
    schema = make_schema(("flow",))
    _run(_sink(es_server, index_name), schema, make_batch(schema, {"flow": [1.0]}))
    assert es.count(index=index_name)["count"] == 2
    assert es.indices.get_mapping(index=index_name)[index_name]["mappings"]["properties"]["flow"]

    _run(_sink(es_server, index_name, recreate=True), schema, make_batch(schema, {"flow": [1.0]}))
    assert es.count(index=index_name)["count"] == 1
    assert not es.exists(index=index_name, id="kept")


def test_an_existing_index_with_a_conflicting_mapping_is_an_error_naming_the_way_out(
    es_server, es, index_name, make_schema
):
    es.indices.create(index=index_name, mappings={"properties": {"flow": {"type": "long"}}})
    with pytest.raises(SinkError, match=r"--es-recreate") as caught:
        _sink(es_server, index_name).open(make_schema(("flow",)))
    assert index_name in str(caught.value)


def test_index_name_is_derived_from_the_stream_name(es_server, es, make_schema, make_batch):
    schema = make_schema(("flow",), name="B19_Index_Name")
    sink = ElasticSink(Endpoint.parse(es_server.url, "--es-uri"), open_browser=False)
    es.indices.delete(index="b19_index_name", ignore_unavailable=True)
    _run(sink, schema, make_batch(schema, {"flow": [1.0, 2.0]}))
    assert sink.index == "b19_index_name"
    assert es.count(index="b19_index_name")["count"] == 2
    assert "'b19_index_name'" in sink.summary()


def test_dotted_and_underscored_sensor_names_become_safe_distinct_fields(
    es_server, es, index_name, make_schema, make_batch, caplog
):
    schema = make_schema(("motor", "motor.temp", "_id"))
    batch = make_batch(schema, {"motor": [1.0], "motor.temp": [2.0], "_id": [3.0]})
    _run(_sink(es_server, index_name), schema, batch)
    doc = _documents(es, index_name)[2]
    assert doc["motor"] == 1.0 and doc["motor_temp"] == 2.0 and doc["id"] == 3.0
    assert not any("." in field for field in doc)
    assert "'motor.temp' -> 'motor_temp'" in caplog.text


def test_a_whole_file_in_one_batch_is_sent_in_slices(
    es_server, es, index_name, make_schema, make_batch, monkeypatch
):
    monkeypatch.setattr("dsio_elastic.sink.ROWS_PER_SLICE", 7)
    schema = make_schema(("flow",))
    values = np.arange(30, dtype=float)
    sink = _sink(es_server, index_name, chunk_size=4)
    _run(sink, schema, make_batch(schema, {"flow": list(values)}))
    assert es.count(index=index_name)["count"] == 30 and sink.indexed == 30


def test_unreachable_elasticsearch_is_a_one_line_sink_error_at_open(make_schema):
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://user:secret@127.0.0.1:{port}"
    sink = ElasticSink(Endpoint.parse(url, "--es-uri"), max_retries=0, open_browser=False)
    with pytest.raises(SinkError) as caught:
        sink.open(make_schema(("flow",)))
    message = str(caught.value)
    assert f"127.0.0.1:{port}" in message and "\n" not in message
    assert "secret" not in message and "Connection refused" in message


def test_invalid_explicit_index_is_a_usage_error_before_any_connection():
    options = {"es_uri": "http://127.0.0.1:9", "es_index": "Bad Name#1", "input": "x.csv"}
    with pytest.raises(UsageError, match=r"Bad Name#1"):
        ElasticSink.from_options(options)


def test_without_es_options_the_sink_stays_out():
    assert ElasticSink.from_options({"input": "x.csv", "es": False, "es_uri": None}) is None
